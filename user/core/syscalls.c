// SPDX-License-Identifier: GPL-2.0
/* Syscall names of this architecture, the classes loadscope groups them in, errno names. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "core/syscalls.h"
#include "syscall_names.h"

#if defined(__x86_64__)
#define SYSCALL_NAMES syscall_names_x86_64
#elif defined(__aarch64__)
#define SYSCALL_NAMES syscall_names_arm64
#else
#error "loadscope knows the syscall numbers of x86_64 and arm64 only"
#endif

#define NSYSCALLS (sizeof(SYSCALL_NAMES) / sizeof(SYSCALL_NAMES[0]))

static const struct {
	const char *name;
	enum sys_class c;
	unsigned int flags;
} classes[] = {
	{ "accept", SC_ACCEPT, SCF_ACCEPT },
	{ "accept4", SC_ACCEPT, SCF_ACCEPT },
	{ "read", SC_READ, SCF_BYTES },
	{ "readv", SC_READ, SCF_BYTES },
	{ "pread64", SC_READ, SCF_BYTES },
	{ "preadv", SC_READ, SCF_BYTES },
	{ "preadv2", SC_READ, SCF_BYTES },
	{ "recvfrom", SC_READ, SCF_BYTES },
	{ "recvmsg", SC_READ, SCF_BYTES | SCF_RECVMSG },
	{ "recvmmsg", SC_READ, 0 }, /* returns a message count */
	{ "write", SC_WRITE, SCF_BYTES },
	{ "writev", SC_WRITE, SCF_BYTES },
	{ "pwrite64", SC_WRITE, SCF_BYTES },
	{ "pwritev", SC_WRITE, SCF_BYTES },
	{ "pwritev2", SC_WRITE, SCF_BYTES },
	{ "sendto", SC_WRITE, SCF_BYTES },
	{ "sendmsg", SC_WRITE, SCF_BYTES | SCF_SENDMSG },
	{ "sendmmsg", SC_WRITE, 0 }, /* returns a message count */
	{ "sendfile", SC_WRITE, SCF_BYTES },
	{ "epoll_wait", SC_POLL, 0 },
	{ "epoll_pwait", SC_POLL, 0 },
	{ "epoll_pwait2", SC_POLL, 0 },
	{ "poll", SC_POLL, 0 },
	{ "ppoll", SC_POLL, 0 },
	{ "select", SC_POLL, 0 },
	{ "pselect6", SC_POLL, 0 },
	{ "futex", SC_FUTEX, 0 },
	{ "futex_waitv", SC_FUTEX, 0 },
	{ "io_uring_enter", SC_IO_URING, 0 },
};

static const char *const class_names[SC_CLASSES + 1] = {
	[SC_ACCEPT] = "accept", [SC_READ] = "read",	    [SC_WRITE] = "write",
	[SC_POLL] = "poll",	[SC_FUTEX] = "futex",	    [SC_IO_URING] = "io_uring",
	[SC_OTHER] = "other",	[SC_NONE] = "none",
};

const char *syscall_name(long nr)
{
	if (nr < 0 || (size_t)nr >= NSYSCALLS)
		return NULL;
	return SYSCALL_NAMES[nr];
}

long syscall_nr(const char *name)
{
	for (size_t i = 0; i < NSYSCALLS; i++)
		if (SYSCALL_NAMES[i] && !strcmp(SYSCALL_NAMES[i], name))
			return (long)i;
	return -1;
}

enum sys_class syscall_class(const char *name, unsigned int *flags)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (!strcmp(classes[i].name, name)) {
			*flags = classes[i].flags;
			return classes[i].c;
		}
	}
	*flags = 0;
	return SC_OTHER;
}

const char *sys_class_name(unsigned int c)
{
	return c <= SC_NONE ? class_names[c] : "?";
}

const char *errno_name(int err, char *buf, size_t len)
{
	/* codes the kernel uses inside and a syscall exit can show before a signal is delivered */
	static const struct {
		int err;
		const char *name;
	} restart[] = {
		{ 512, "ERESTARTSYS" },
		{ 513, "ERESTARTNOINTR" },
		{ 514, "ERESTARTNOHAND" },
		{ 516, "ERESTART_RESTARTBLOCK" },
	};
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	for (size_t i = 0; i < sizeof(restart) / sizeof(restart[0]); i++)
		if (restart[i].err == err)
			return restart[i].name;
	snprintf(buf, len, "E%d", err);
	return buf;
}
