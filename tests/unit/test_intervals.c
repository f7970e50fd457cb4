// SPDX-License-Identifier: GPL-2.0
/* Tests of the -i time series: intervals from samples, the live view and the plain line. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/intervals.h"
#include "fixture.h"
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

/* An interval's budget of 2 CPU-s: parts as given, in ms, idle the rest. */
static void budget_of(struct cpu_budget *b, const char *load, uint64_t targets_ms,
		      uint64_t load_ms, uint64_t rest_ms, uint64_t softirq_ms)
{
	memset(b, 0, sizeof(*b));
	b->status = BUDGET_MEASURED;
	b->total_ns = 2000000000ULL;
	fixture_budget_part(b, BUDGET_TARGETS, "targets", targets_ms * 1000000);
	if (load)
		fixture_budget_part(b, BUDGET_LOAD, load, load_ms * 1000000);
	fixture_budget_part(b, BUDGET_OTHER, "(rest)", rest_ms * 1000000);
	fixture_budget_part(b, BUDGET_IRQ, "irq", 0);
	fixture_budget_part(b, BUDGET_SOFTIRQ, "softirq", softirq_ms * 1000000);
	fixture_budget_part(b, BUDGET_STEAL, "steal", 0);
	fixture_budget_part(b, BUDGET_IDLE, "idle",
			    (2000 - targets_ms - load_ms - rest_ms - softirq_ms) * 1000000);
}

static char *render(const struct snapshot *s, const struct proc_sample *cur, size_t ncur,
		    bool live)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	if (live)
		interval_live(s, cur, ncur, 10000000000ULL, 2, 20, f);
	else
		interval_line(s, cur, ncur, 2, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* The line of text that starts with prefix, without its line break, in a static buffer. */
static const char *line_of(const char *text, const char *prefix)
{
	static char line[512];
	const char *at = text, *end;

	while (at && strncmp(at, prefix, strlen(prefix)))
		at = (at = strchr(at, '\n')) ? at + 1 : NULL;
	ck_assert_msg(at, "no line starting with '%s' in:\n%s", prefix, text);
	end = strchrnul(at, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(end - at), at);
	return line;
}

static void assert_lines_within(const char *text, size_t columns)
{
	for (const char *at = text; *at;) {
		const char *end = strchrnul(at, '\n');

		/* the escape that homes the cursor and clears the screen takes no column */
		if (!strncmp(at, "\033[H\033[J", 6))
			at += 6;
		ck_assert_msg((size_t)(end - at) <= columns, "a line of %zu columns: %.*s",
			      (size_t)(end - at), (int)(end - at), at);
		at = *end ? end + 1 : end;
	}
}

/* The interval's CPU budget: how busy the CPUs were, and their users, busiest first. */
START_TEST(test_budget_views)
{
	struct proc_sample cur[1] = { sample(10, "node", 1220000000, 300, 15) };
	struct snapshot s = { 0 };
	char *text;

	ck_assert_int_eq(interval_append(&s, NULL, 0, cur, 1, 3000000000ULL, 1000000000ULL), 0);
	/* 1.94 of 2 CPU-s busy; the (rest) rounds to 0% and is not named */
	budget_of(&s.intervals[0].budget, "wrk", 1220, 600, 8, 112);
	text = render(&s, cur, 1, false);
	/* under the targets' line, indented */
	ck_assert_msg(strstr(text, "busiest=10(node)\n  CPUs 97% busy (targets 61%, load (wrk) 30%, "
				   "softirq 6%)\n"),
		      "%s", text);
	assert_lines_within(text + strlen(line_of(text, "t=")) + 1, 100);
	free(text);
	text = render(&s, cur, 1, true);
	ck_assert_str_eq(line_of(text, "CPUs"),
			 "CPUs 97% busy (targets 61%, load (wrk) 30%, softirq 6%)");
	/* after the header, before the table */
	ck_assert(strstr(text, "CPUs 97%") > strstr(text, "loadscope"));
	ck_assert(strstr(text, "CPUs 97%") < strstr(text, "PID "));
	assert_lines_within(text, 100);
	free(text);

	/* no load: targets and the other processes */
	budget_of(&s.intervals[0].budget, NULL, 300, 0, 500, 0);
	text = render(&s, cur, 1, false);
	ck_assert_str_eq(line_of(text, "  CPUs"), "  CPUs 40% busy (other 25%, targets 15%)");
	free(text);

	/* every kind busy and a load of 15 characters: 100 columns exactly in the live view, and
	 * cut with "..." on the indented line */
	budget_of(&s.intervals[0].budget, "abcdefghijklmn\x1b", 400, 400, 400, 200);
	s.intervals[0].budget.parts[3].cpu_ns = 200000000;
	s.intervals[0].budget.parts[5].cpu_ns = 400000000;
	s.intervals[0].budget.parts[6].cpu_ns = 0;
	text = render(&s, cur, 1, true);
	ck_assert_str_eq(line_of(text, "CPUs"),
			 "CPUs 100% busy (targets 20%, load (abcdefghijklmn?) 20%, other 20%, "
			 "steal 20%, irq 10%, softirq 10%)");
	ck_assert_uint_eq(strlen(line_of(text, "CPUs")), 100);
	free(text);
	text = render(&s, cur, 1, false);
	ck_assert_str_eq(line_of(text, "  CPUs"),
			 "  CPUs 100% busy (targets 20%, load (abcdefghijklmn?) 20%, other 20%, "
			 "steal 20%, irq 10%, ...)");
	free(text);

	/* /proc/stat unreadable at a tick: said; not measured: nothing */
	memset(&s.intervals[0].budget, 0, sizeof(s.intervals[0].budget));
	s.intervals[0].budget.status = BUDGET_UNREADABLE;
	snprintf(s.intervals[0].budget.error, sizeof(s.intervals[0].budget.error),
		 "Permission denied");
	text = render(&s, cur, 1, false);
	ck_assert_str_eq(line_of(text, "  CPUs"), "  CPUs: /proc/stat unreadable: Permission denied");
	free(text);
	text = render(&s, cur, 1, true);
	ck_assert_str_eq(line_of(text, "CPUs"), "CPUs: /proc/stat unreadable: Permission denied");
	free(text);
	s.intervals[0].budget.status = BUDGET_UNKNOWN;
	text = render(&s, cur, 1, false);
	ck_assert_ptr_null(strstr(text, "\n  CPUs"));
	ck_assert_uint_eq(strchr(text, '\n') - text + 1, strlen(text));
	free(text);
	text = render(&s, cur, 1, true);
	ck_assert_ptr_null(strstr(text, "CPUs "));
	free(text);
	snapshot_free(&s);
}
END_TEST

Suite *intervals_suite(void)
{
	Suite *s = suite_create("intervals");
	TCase *tc = tcase_create("series");

	tcase_add_test(tc, test_deltas);
	tcase_add_test(tc, test_views);
	tcase_add_test(tc, test_budget_views);
	suite_add_tcase(s, tc);
	return s;
}
