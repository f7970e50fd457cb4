// SPDX-License-Identifier: GPL-2.0
/* Tests of the syscall tables: names by number, classes and flags by name, errno names. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "fixture.h"
#include "suites.h"
#include "core/syscalls.h"

/* Numbers from the architecture's table, generated from the kernel's headers. */
START_TEST(test_names_by_number)
{
#if defined(__x86_64__)
	ck_assert_str_eq(syscall_name(0), "read");
	ck_assert_str_eq(syscall_name(1), "write");
	ck_assert_str_eq(syscall_name(43), "accept");
	ck_assert_str_eq(syscall_name(288), "accept4");
	ck_assert_str_eq(syscall_name(232), "epoll_wait");
	/* what Debian's syscount prints as "[unknown: 441]" */
	ck_assert_str_eq(syscall_name(441), "epoll_pwait2");
#elif defined(__aarch64__)
	ck_assert_str_eq(syscall_name(63), "read");
	ck_assert_str_eq(syscall_name(242), "accept4");
	ck_assert_str_eq(syscall_name(441), "epoll_pwait2");
#endif
	ck_assert_ptr_null(syscall_name(-1));
	ck_assert_ptr_null(syscall_name(100000));
	ck_assert_int_eq(syscall_nr("epoll_pwait2"), 441);
	ck_assert_int_eq(syscall_nr("no_such_syscall"), -1);
	/* every number names back to itself */
	for (long nr = 0; nr < SYS_TABLE_SIZE; nr++)
		if (syscall_name(nr))
			ck_assert_int_eq(syscall_nr(syscall_name(nr)), nr);
}
END_TEST

START_TEST(test_classes)
{
	static const struct {
		const char *name;
		int c;
		unsigned int flags;
	} cases[] = {
		{ "accept", SC_ACCEPT, SCF_ACCEPT },
		{ "accept4", SC_ACCEPT, SCF_ACCEPT },
		{ "read", SC_READ, SCF_BYTES },
		{ "recvmsg", SC_READ, SCF_BYTES | SCF_RECVMSG },
		{ "recvmmsg", SC_READ, 0 },
		{ "sendmsg", SC_WRITE, SCF_BYTES | SCF_SENDMSG },
		{ "sendfile", SC_WRITE, SCF_BYTES },
		{ "writev", SC_WRITE, SCF_BYTES },
		{ "epoll_pwait2", SC_POLL, 0 },
		{ "pselect6", SC_POLL, 0 },
		{ "futex", SC_FUTEX, 0 },
		{ "io_uring_enter", SC_IO_URING, 0 },
		{ "openat", SC_OTHER, 0 },
		{ "nanosleep", SC_OTHER, 0 },
	};
	unsigned int flags;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg((int)syscall_class(cases[i].name, &flags) == cases[i].c, "%s",
			      cases[i].name);
		ck_assert_msg(flags == cases[i].flags, "%s flags %u", cases[i].name, flags);
	}
	/* every syscall a class names exists on this architecture */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(syscall_nr(cases[i].name) >= 0, "%s", cases[i].name);
}
END_TEST

START_TEST(test_class_names)
{
	static const char *const names[] = { "accept", "read",	   "write", "poll",
					     "futex",  "io_uring", "other", "none" };

	for (int c = 0; c <= SC_NONE; c++)
		ck_assert_str_eq(sys_class_name(c), names[c]);
}
END_TEST

START_TEST(test_errno_names)
{
	char buf[24];

	ck_assert_str_eq(errno_name(EAGAIN, buf, sizeof(buf)), "EAGAIN");
	ck_assert_str_eq(errno_name(ENOENT, buf, sizeof(buf)), "ENOENT");
	ck_assert_str_eq(errno_name(512, buf, sizeof(buf)), "ERESTARTSYS");
	ck_assert_str_eq(errno_name(9999, buf, sizeof(buf)), "E9999");
}
END_TEST

/* A process total merges its threads' errno and `other` lists by name. */
START_TEST(test_process_totals)
{
	const struct process *node;
	struct snapshot s;

	fixture_snapshot(&s);
	node = snapshot_find_process(&s, 4211);
	ck_assert_ptr_nonnull(node);
	ck_assert_uint_eq(node->sys.cls[SC_READ].count, 110);
	ck_assert_uint_eq(node->sys.cls[SC_READ].bytes, 6400);
	ck_assert_uint_eq(node->sys.cls[SC_READ].errors, 1);
	ck_assert_uint_eq(node->sys.cls[SC_WRITE].bytes, 2000);
	ck_assert_uint_eq(node->sys.nerrnos[SC_READ], 1);
	ck_assert_str_eq(node->sys.errnos[SC_READ][0].name, "EAGAIN");
	ck_assert_uint_eq(node->sys.errnos[SC_ACCEPT][0].count, 10);
	/* most time first */
	ck_assert_uint_eq(node->sys.ntop, 2);
	ck_assert_str_eq(node->sys.top[0].name, "nanosleep");
	ck_assert_str_eq(node->sys.top[1].name, "openat");
	ck_assert_uint_eq(node->sys.handoff_sent, 7);
	ck_assert_uint_eq(node->sys.handoff_delay.count, 7);
	ck_assert_uint_eq(node->sys.backlog_max, 4);
	ck_assert_uint_eq(node->sys.offcpu_ns[SC_POLL], 45000000);
	snapshot_free(&s);
}
END_TEST

Suite *syscalls_suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, test_names_by_number);
	tcase_add_test(tc, test_classes);
	tcase_add_test(tc, test_class_names);
	tcase_add_test(tc, test_errno_names);
	tcase_add_test(tc, test_process_totals);
	suite_add_tcase(s, tc);
	return s;
}
