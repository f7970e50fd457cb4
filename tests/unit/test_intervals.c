// SPDX-License-Identifier: GPL-2.0
/* Tests of the -i time series: intervals from samples, the live view and the plain line. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intervals.h"
#include "render/live.h"
#include "suites.h"

static struct proc_sample sample(int pid, const char *comm, uint64_t cpu, uint64_t sw,
				 uint64_t waits_of_1ms)
{
	struct proc_sample s = { .pid = pid, .cpu_ns = cpu, .switches = sw };

	snprintf(s.comm, sizeof(s.comm), "%s", comm);
	s.runq_wait_ns = waits_of_1ms * 1000000;
	s.runq_hist[hist_bucket(1000000)] = waits_of_1ms;
	s.accepts = sw / 10;
	s.syscalls = sw * 2;
	return s;
}

/* What grew between samples; a new process counts from zero, a gone one is left out. */
START_TEST(test_deltas)
{
	struct proc_sample prev[2] = { sample(10, "node", 1000, 100, 5), sample(20, "gone", 50, 5, 0) };
	struct proc_sample cur[2] = { sample(10, "node", 501000, 300, 15),
				      sample(30, "new", 200000, 40, 2) };
	struct snapshot s = { 0 };
	const struct interval_proc *p;

	ck_assert_int_eq(interval_append(&s, prev, 2, cur, 2, 2000000000ULL, 1000000000ULL), 0);
	ck_assert_uint_eq(s.nintervals, 1);
	ck_assert_uint_eq(s.intervals[0].end_ns, 2000000000ULL);
	ck_assert_uint_eq(s.intervals[0].nprocs, 2);
	p = &s.intervals[0].procs[0];
	ck_assert_int_eq(p->pid, 10);
	ck_assert_uint_eq(p->cpu_ns, 500000);
	ck_assert_uint_eq(p->switches, 200);
	ck_assert_uint_eq(p->accepts, 20);
	ck_assert_uint_eq(p->syscalls, 400);
	ck_assert_uint_eq(p->runq_wait_ns, 10000000);
	/* ten waits of 1 ms in the interval: p99 within their bucket, at most its top */
	ck_assert_uint_ge(p->runq_p99_ns, hist_bucket_lower(hist_bucket(1000000)));
	ck_assert_uint_lt(p->runq_p99_ns, hist_bucket_upper(hist_bucket(1000000)));
	p = &s.intervals[0].procs[1];
	ck_assert_int_eq(p->pid, 30);
	ck_assert_uint_eq(p->cpu_ns, 200000);
	ck_assert_uint_eq(p->switches, 40);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_views)
{
	struct proc_sample cur[2] = { sample(10, "node", 500000000, 300, 15),
				      sample(30, "wrk", 900000000, 40, 2) };
	struct snapshot s = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(interval_append(&s, NULL, 0, cur, 2, 3000000000ULL, 1000000000ULL), 0);
	f = open_memstream(&buf, &len);
	interval_line(&s, cur, 2, 2, f);
	fclose(f);
	/* 1.4 CPU-s in 1 s on 2 CPUs: 70% */
	ck_assert_msg(strstr(buf, "t=3.0s cpu=70% of 2 CPUs"), "%s", buf);
	ck_assert_msg(strstr(buf, "csw/s=340 accept/s=34 syscall/s=680 processes=2 busiest=30(wrk)"),
		      "%s", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	interval_live(&s, cur, 2, 10000000000ULL, 2, 1, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "3.0 s of 10.0 s, 7.0 s left"), "%s", buf);
	/* busiest first, one row, then how many more */
	ck_assert_msg(strstr(buf, "30       wrk"), "%s", buf);
	ck_assert_ptr_null(strstr(buf, "10       node"));
	ck_assert_msg(strstr(buf, "... 1 more"), "%s", buf);
	free(buf);
	snapshot_free(&s);
}
END_TEST

Suite *intervals_suite(void)
{
	Suite *s = suite_create("intervals");
	TCase *tc = tcase_create("series");

	tcase_add_test(tc, test_deltas);
	tcase_add_test(tc, test_views);
	suite_add_tcase(s, tc);
	return s;
}
