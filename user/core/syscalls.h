/* SPDX-License-Identifier: GPL-2.0 */
/* Syscall names of this architecture, the classes loadscope groups them in, errno names. */
#ifndef LOADSCOPE_SYSCALLS_H
#define LOADSCOPE_SYSCALLS_H

#include <stddef.h>
#include <linux/types.h>

#include "loadscope.h"

/* Name of syscall nr on the architecture loadscope was built for; NULL when unknown. */
const char *syscall_name(long nr);
/* Number of the named syscall on this architecture; -1 when it has none. */
long syscall_nr(const char *name);
/* The class of a syscall by name (SC_OTHER for the rest), with its enum sys_flags in *flags. */
enum sys_class syscall_class(const char *name, unsigned int *flags);
/* Name of a class as the report and the JSON spell it ("accept", ..., "other"), "none" for SC_NONE. */
const char *sys_class_name(unsigned int c);
/* "EAGAIN" for EAGAIN, the kernel's names for its restart codes, else "E<number>". */
const char *errno_name(int err, char *buf, size_t len);

#endif /* LOADSCOPE_SYSCALLS_H */
