// SPDX-License-Identifier: GPL-2.0
/* Tests of the /proc parsers: the lines the kernel writes, and the ones it never does. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "suites.h"
#include "targets/procfs.h"

START_TEST(test_stat)
{
	char comm[16], state = 0;
	int ppid = 0;

	/* a comm may hold spaces and parentheses: the last ')' closes it */
	ck_assert_int_eq(proc_parse_stat("4211 (no) de (x) S 4200 4211 4211 0 -1", &ppid, comm,
					 sizeof(comm), &state),
			 0);
	ck_assert_str_eq(comm, "no) de (x");
	ck_assert_int_eq(ppid, 4200);
	ck_assert_int_eq(state, 'S');
	/* cut to the buffer, NUL-terminated */
	ck_assert_int_eq(proc_parse_stat("1 (abcdefgh) R 0", NULL, comm, 4, NULL), 0);
	ck_assert_str_eq(comm, "abc");
	ck_assert_int_eq(proc_parse_stat("1 (init", &ppid, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(proc_parse_stat("1 init) S 0", &ppid, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(proc_parse_stat("1 (init) ", &ppid, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(proc_parse_stat("1 (init) S x", &ppid, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(proc_parse_stat("", NULL, NULL, 0, NULL), -EINVAL);
}
END_TEST

START_TEST(test_syscall)
{
	unsigned long args[PROC_SYSCALL_ARGS];
	long nr = 0;

	ck_assert_int_eq(proc_parse_syscall("202 0x7f00 0x80 0x2 0x0 0x0 0x0 0x7ffc 0x7f01\n", &nr,
					    args),
			 0);
	ck_assert_int_eq(nr, 202);
	ck_assert_uint_eq(args[0], 0x7f00);
	ck_assert_uint_eq(args[2], 2);
	ck_assert_int_eq(proc_parse_syscall("-1 0x7ffc 0x7f01\n", &nr, args), 0);
	ck_assert_int_eq(nr, -1);
	ck_assert_uint_eq(args[0], 0);
	ck_assert_int_eq(proc_parse_syscall("running\n", &nr, args), -EINVAL);
	ck_assert_int_eq(proc_parse_syscall("202 0x1\n", &nr, args), -EINVAL);
	ck_assert_int_eq(proc_parse_syscall("99999999999999999999999 0x1", &nr, args), -EINVAL);
}
END_TEST

START_TEST(test_schedstat)
{
	struct proc_schedstat st;

	ck_assert_int_eq(proc_parse_schedstat("123456 789 12\n", &st), 0);
	ck_assert_uint_eq(st.cpu_ns, 123456);
	ck_assert_uint_eq(st.runq_wait_ns, 789);
	ck_assert_uint_eq(st.runs, 12);
	ck_assert_int_eq(proc_parse_schedstat("123456 789\n", &st), -EINVAL);
	ck_assert_int_eq(proc_parse_schedstat("", &st), -EINVAL);
}
END_TEST

Suite *procfs_suite(void)
{
	Suite *s = suite_create("procfs");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_stat);
	tcase_add_test(tc, test_syscall);
	tcase_add_test(tc, test_schedstat);
	suite_add_tcase(s, tc);
	return s;
}
