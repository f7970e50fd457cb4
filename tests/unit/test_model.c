// SPDX-License-Identifier: GPL-2.0
/* Tests of the snapshot model: summing threads into processes, ordering, lookup and freeing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "core/model.h"
#include "suites.h"

START_TEST(test_stats_add_sums_and_maxes)
{
	struct sched_stats sum = {0}, a = {0}, b = {0};

	a.cpu_ns = 100;
	a.runq_wait_ns = 10;
	a.runq_count = 2;
	a.runq_max_ns = 7;
	a.voluntary_switches = 1;
	a.involuntary_switches = 2;
	a.migrations = 3;
	a.wakeups = 4;
	a.runq_hist[3] = 1;
	a.runq_hist[7] = 1;
	b.cpu_ns = 1000;
	b.runq_wait_ns = 5;
	b.runq_count = 1;
	b.runq_max_ns = 5;
	b.voluntary_switches = 10;
	b.involuntary_switches = 20;
	b.migrations = 30;
	b.wakeups = 40;
	b.runq_hist[5] = 1;
	b.runq_hist[HIST_BUCKETS - 1] = 9;

	sched_stats_add(&sum, &a);
	sched_stats_add(&sum, &b);
	ck_assert_uint_eq(sum.cpu_ns, 1100);
	ck_assert_uint_eq(sum.runq_wait_ns, 15);
	ck_assert_uint_eq(sum.runq_count, 3);
	ck_assert_uint_eq(sum.runq_max_ns, 7);
	ck_assert_uint_eq(sum.voluntary_switches, 11);
	ck_assert_uint_eq(sum.involuntary_switches, 22);
	ck_assert_uint_eq(sum.migrations, 33);
	ck_assert_uint_eq(sum.wakeups, 44);
	ck_assert_uint_eq(sum.runq_hist[3], 1);
	ck_assert_uint_eq(sum.runq_hist[5], 1);
	ck_assert_uint_eq(sum.runq_hist[7], 1);
	ck_assert_uint_eq(sum.runq_hist[HIST_BUCKETS - 1], 9);
	ck_assert_uint_eq(hist_total(sum.runq_hist, HIST_BUCKETS), 12);
}
END_TEST

START_TEST(test_finish_sums_sorts_and_marks_exited)
{
	struct snapshot s;
	struct process *p;

	fixture_snapshot(&s);
	ck_assert_uint_eq(s.nprocesses, 2);
	ck_assert_int_eq(s.processes[0].pid, 4211);
	ck_assert_int_eq(s.processes[1].pid, 4300);

	p = &s.processes[0];
	ck_assert_int_eq(p->threads[0].tid, 4211);
	ck_assert_int_eq(p->threads[1].tid, 4213);
	ck_assert_str_eq(p->threads[1].comm, "node-worker");
	ck_assert_uint_eq(p->sched.cpu_ns, 2000000000ULL);
	ck_assert_uint_eq(p->sched.runq_count, 1100);
	ck_assert_uint_eq(p->sched.runq_wait_ns,
			  900 * 5000ULL + 90 * 100000ULL + 10 * 2500000ULL + 100 * 20000ULL);
	ck_assert_uint_eq(p->sched.runq_max_ns, 2500000);
	ck_assert_uint_eq(p->sched.voluntary_switches, 2300);
	ck_assert_uint_eq(p->sched.involuntary_switches, 500);
	ck_assert_uint_eq(p->sched.migrations, 15);
	ck_assert_uint_eq(p->sched.wakeups, 1750);
	ck_assert_uint_eq(p->sched.runq_hist[hist_bucket(5000)], 900);
	ck_assert_uint_eq(p->sched.runq_hist[hist_bucket(20000)], 100);
	ck_assert_uint_eq(hist_total(p->sched.runq_hist, HIST_BUCKETS), 1100);
	/* One thread still alive keeps the process alive. */
	ck_assert(!p->exited);
	ck_assert(s.processes[1].exited);

	/* Running it again changes nothing: totals are recomputed, not added to. */
	snapshot_finish(&s);
	ck_assert_uint_eq(s.processes[0].sched.cpu_ns, 2000000000ULL);
	ck_assert_uint_eq(s.processes[0].sched.runq_count, 1100);

	s.processes[0].threads[0].exited = true;
	snapshot_finish(&s);
	ck_assert(s.processes[0].exited);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_finish_keeps_threadless_process)
{
	struct snapshot s = {0};
	struct process procs[1];

	memset(procs, 0, sizeof(procs));
	procs[0].pid = 9;
	procs[0].exited = true;
	procs[0].sched.cpu_ns = 77;
	s.processes = procs;
	s.nprocesses = 1;
	snapshot_finish(&s);
	/* Nothing to recompute from, and "all threads exited" is not true of no threads. */
	ck_assert_uint_eq(procs[0].sched.cpu_ns, 77);
	ck_assert(!procs[0].exited);
}
END_TEST

START_TEST(test_percentiles_helper)
{
	struct sched_stats st = {0};
	uint64_t p50 = 1, p90 = 1, p99 = 1;

	sched_stats_percentiles(&st, &p50, &p90, &p99);
	ck_assert_uint_eq(p50, 0);
	ck_assert_uint_eq(p90, 0);
	ck_assert_uint_eq(p99, 0);
	fixture_add_waits(&st, 3, 50);
	fixture_add_waits(&st, 6, 45);
	fixture_add_waits(&st, 7, 5);
	sched_stats_percentiles(&st, &p50, &p90, &p99);
	ck_assert_uint_eq(p50, 3);
	ck_assert_uint_eq(p90, 6);
	ck_assert_uint_eq(p99, 7);
	/* Any output may be left out. */
	sched_stats_percentiles(&st, NULL, &p90, NULL);
	ck_assert_uint_eq(p90, 6);
}
END_TEST

START_TEST(test_percentiles_capped_at_max)
{
	static struct sched_stats st;
	uint64_t p50, p90, p99;

	/* one wait of 9,000,100 ns: its bucket reaches up to 9,437,183 ns, the exact max does not */
	memset(&st, 0, sizeof(st));
	st.runq_hist[hist_bucket(9000100)] = 1;
	st.runq_count = 1;
	st.runq_max_ns = 9000100;
	sched_stats_percentiles(&st, &p50, &p90, &p99);
	ck_assert_uint_le(p50, 9000100);
	ck_assert_uint_eq(p99, 9000100);
	/* without a known max the interpolated estimate stands */
	st.runq_max_ns = 0;
	sched_stats_percentiles(&st, NULL, NULL, &p99);
	ck_assert_uint_gt(p99, 9000100);
}
END_TEST

START_TEST(test_find_process)
{
	struct snapshot s;

	fixture_snapshot(&s);
	ck_assert_ptr_eq(snapshot_find_process(&s, 4300), &s.processes[1]);
	ck_assert_ptr_eq(snapshot_find_process(&s, 4211), &s.processes[0]);
	ck_assert_ptr_null(snapshot_find_process(&s, 4213)); /* a thread, not a process */
	ck_assert_ptr_null(snapshot_find_process(&s, 1));
	snapshot_free(&s);
}
END_TEST

START_TEST(test_free_zeroes_and_tolerates_empty)
{
	struct snapshot s;

	memset(&s, 0, sizeof(s));
	snapshot_free(&s);
	snapshot_free(NULL);
	fixture_snapshot(&s);
	snapshot_free(&s);
	ck_assert_ptr_null(s.processes);
	ck_assert_ptr_null(s.command);
	ck_assert_ptr_null(s.kernel);
	ck_assert_uint_eq(s.nprocesses, 0);
	/* A second free of the now zeroed snapshot is harmless. */
	snapshot_free(&s);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("snapshot");

	tcase_add_test(tc, test_stats_add_sums_and_maxes);
	tcase_add_test(tc, test_finish_sums_sorts_and_marks_exited);
	tcase_add_test(tc, test_finish_keeps_threadless_process);
	tcase_add_test(tc, test_percentiles_helper);
	tcase_add_test(tc, test_percentiles_capped_at_max);
	tcase_add_test(tc, test_find_process);
	tcase_add_test(tc, test_free_zeroes_and_tolerates_empty);
	suite_add_tcase(s, tc);
	return s;
}
