// SPDX-License-Identifier: GPL-2.0
/* Tests of the CSV report, read back with libcsv (a real RFC 4180 reader) in strict mode. */
#define _GNU_SOURCE
#include <check.h>
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "render/render.h"
#include "suites.h"

#define MAX_ROWS 64
#define MAX_COLS 256

struct table {
	char *cells[MAX_ROWS][MAX_COLS];
	size_t ncols[MAX_ROWS];
	size_t nrows;
};

static void on_field(void *data, size_t len, void *arg)
{
	struct table *t = arg;

	ck_assert_uint_lt(t->nrows, MAX_ROWS);
	ck_assert_uint_lt(t->ncols[t->nrows], MAX_COLS);
	t->cells[t->nrows][t->ncols[t->nrows]++] = strndup(data ? data : "", len);
}

static void on_row(int terminator, void *arg)
{
	struct table *t = arg;

	(void)terminator;
	t->nrows++;
}

/* No trimming: a space in a field is part of it. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void parse(const char *text, struct table *t)
{
	struct csv_parser p;
	size_t len = strlen(text);

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
	csv_set_space_func(&p, no_space);
	ck_assert_msg(csv_parse(&p, text, len, on_field, on_row, t) == len, "libcsv: %s",
		      csv_strerror(csv_error(&p)));
	ck_assert_msg(csv_fini(&p, on_field, on_row, t) == 0, "libcsv at the end: %s",
		      csv_strerror(csv_error(&p)));
	csv_free(&p);
}

static void table_free(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols[r]; c++)
			free(t->cells[r][c]);
}

static char *render(const struct snapshot *s, bool threads)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	report_csv(s, f, threads);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* Every row has the header's number of columns, and no column name is there twice. */
static void assert_rectangular(const struct table *t)
{
	ck_assert_uint_ge(t->nrows, 1);
	for (size_t r = 1; r < t->nrows; r++)
		ck_assert_msg(t->ncols[r] == t->ncols[0], "row %zu has %zu columns, the header %zu",
			      r, t->ncols[r], t->ncols[0]);
	for (size_t a = 0; a < t->ncols[0]; a++)
		for (size_t b = a + 1; b < t->ncols[0]; b++)
			ck_assert_str_ne(t->cells[0][a], t->cells[0][b]);
}

static size_t col(const struct table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols[0]; c++)
		if (!strcmp(t->cells[0][c], name))
			return c;
	ck_abort_msg("no column %s", name);
	return 0;
}

static const char *cell(const struct table *t, size_t row, const char *name)
{
	return t->cells[row][col(t, name)];
}

START_TEST(test_header_and_rows)
{
	static const char *const expected[] = {
		"kind",
		"pid",
		"tid",
		"comm",
		"role",
		"cpu_ns",
		"cpu_pct",
		"runq_p99_ns",
		"runq_max_ns",
		"accept_calls",
		"read_p99_ns",
		"read_bytes",
		"write_bytes",
		"poll_blocked_ns",
		"io_uring_calls",
		"handoff_sent",
		"handoff_received",
		"running_pct",
		"runnable_pct",
		"idle_pct",
		"io_pct",
		"lock_pct",
		"uninterruptible_pct",
		"other_pct",
		"unaccepted",
		"accept_queue_p99_ns",
		"handoff_delay_p50_ns",
		"exited",
		"alive_ns",
		"thread_kind",
		"cpu_user_ns",
		"cpu_kernel_ns",
	};
	struct snapshot s;
	struct table t;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	/* RFC 4180 line ends */
	ck_assert_ptr_nonnull(strstr(text, "\r\n"));
	ck_assert_str_eq(text + strlen(text) - 2, "\r\n");
	parse(text, &t);
	assert_rectangular(&t);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		col(&t, expected[i]);
	/* a header, the two processes in pid order, then the budget's 9 parts */
	ck_assert_uint_eq(t.nrows, 12);
	ck_assert_str_eq(cell(&t, 3, "kind"), "budget");
	ck_assert_str_eq(cell(&t, 1, "kind"), "process");
	ck_assert_str_eq(cell(&t, 1, "pid"), "4211");
	ck_assert_str_eq(cell(&t, 1, "tid"), "");
	ck_assert_str_eq(cell(&t, 1, "comm"), "node");
	ck_assert_str_eq(cell(&t, 1, "cpu_ns"), "2000000000");
	ck_assert_str_eq(cell(&t, 1, "cpu_pct"), "100.00");
	/* the process's split is its threads'; its kind column is empty */
	ck_assert_str_eq(cell(&t, 1, "cpu_kernel_ns"), "400000000");
	ck_assert_str_eq(cell(&t, 1, "cpu_user_ns"), "1600000000");
	ck_assert_str_eq(cell(&t, 1, "thread_kind"), "");
	ck_assert_str_eq(cell(&t, 1, "accept_calls"), "40");
	ck_assert_str_eq(cell(&t, 1, "accept_errors"), "10");
	ck_assert_str_eq(cell(&t, 1, "read_calls"), "110");
	ck_assert_str_eq(cell(&t, 1, "read_bytes"), "6400");
	ck_assert_str_eq(cell(&t, 1, "write_bytes"), "2000");
	ck_assert_str_eq(cell(&t, 1, "poll_blocked_ns"), "45000000");
	ck_assert_str_eq(cell(&t, 1, "handoff_sent"), "7");
	ck_assert_str_eq(cell(&t, 1, "unaccepted"), "2");
	ck_assert_str_eq(cell(&t, 1, "backlog_max"), "4");
	ck_assert_str_eq(cell(&t, 1, "accept_queue_count"), "20");
	ck_assert_str_eq(cell(&t, 1, "handoff_delay_count"), "7");
	ck_assert_str_eq(cell(&t, 1, "runq_count"), "1100");
	ck_assert_str_eq(cell(&t, 1, "voluntary_switches"), "2300");
	ck_assert_str_eq(cell(&t, 1, "exited"), "0");
	ck_assert_str_eq(cell(&t, 1, "selected_by"), "pid");
	ck_assert_str_eq(cell(&t, 1, "cgroup"), "/system.slice/app.service");
	ck_assert_str_eq(cell(&t, 1, "duration_ns"), "2000000000");
	/* 1090 of the 1100 waits are 100 us or less */
	ck_assert_uint_gt(strtoull(cell(&t, 1, "runq_p99_ns"), NULL, 10), 90000);
	ck_assert_uint_lt(strtoull(cell(&t, 1, "runq_p99_ns"), NULL, 10), 120000);
	ck_assert_str_eq(cell(&t, 1, "runq_max_ns"), "2500000");
	ck_assert_str_eq(cell(&t, 2, "pid"), "4300");
	ck_assert_str_eq(cell(&t, 2, "ppid"), "4211");
	ck_assert_str_eq(cell(&t, 2, "handoff_received"), "7");
	ck_assert_str_eq(cell(&t, 2, "exited"), "1");
	/* no waits, no syscalls: the percentiles are empty, not 0 */
	ck_assert_str_eq(cell(&t, 2, "runq_p50_ns"), "");
	ck_assert_str_eq(cell(&t, 2, "read_p99_ns"), "");
	ck_assert_str_eq(cell(&t, 2, "runq_count"), "0");
	table_free(&t);
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_thread_rows)
{
	struct snapshot s;
	struct table t;
	double sum = 0;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, true);
	parse(text, &t);
	assert_rectangular(&t);
	/* each process followed by its threads, then the budget */
	ck_assert_uint_eq(t.nrows, 15);
	ck_assert_str_eq(cell(&t, 5, "kind"), "thread");
	ck_assert_str_eq(cell(&t, 6, "kind"), "budget");
	ck_assert_str_eq(cell(&t, 1, "kind"), "process");
	ck_assert_str_eq(cell(&t, 2, "kind"), "thread");
	ck_assert_str_eq(cell(&t, 2, "pid"), "4211");
	ck_assert_str_eq(cell(&t, 2, "tid"), "4211");
	ck_assert_str_eq(cell(&t, 3, "tid"), "4213");
	ck_assert_str_eq(cell(&t, 3, "comm"), "node-worker");
	ck_assert_str_eq(cell(&t, 3, "exited"), "1");
	ck_assert_str_eq(cell(&t, 3, "write_calls"), "20");
	/* node's main thread accepts: serving; its worker touches no connection: a helper */
	ck_assert_str_eq(cell(&t, 2, "thread_kind"), "serving");
	ck_assert_str_eq(cell(&t, 3, "thread_kind"), "helper");
	ck_assert_str_eq(cell(&t, 2, "cpu_kernel_ns"), "400000000");
	ck_assert_str_eq(cell(&t, 3, "cpu_kernel_ns"), "0");
	/* a run whose split was not measured: empty, not 0 */
	table_free(&t);
	free(text);
	s.cpu_split = false;
	text = render(&s, true);
	parse(text, &t);
	ck_assert_str_eq(cell(&t, 2, "cpu_kernel_ns"), "");
	ck_assert_str_eq(cell(&t, 2, "cpu_user_ns"), "");
	/* per listener, so not on thread rows */
	ck_assert_str_eq(cell(&t, 2, "unaccepted"), "");
	ck_assert_str_eq(cell(&t, 4, "kind"), "process");
	ck_assert_str_eq(cell(&t, 5, "tid"), "4300");
	for (int k = 0; k < 7; k++) {
		static const char *const states[] = {
			"running_pct", "runnable_pct",	      "idle_pct", "io_pct",
			"lock_pct",    "uninterruptible_pct", "other_pct"};

		sum += strtod(cell(&t, 1, states[k]), NULL);
	}
	ck_assert_double_eq_tol(sum, 100.0, 0.05);
	table_free(&t);
	free(text);
	snapshot_free(&s);
}
END_TEST

static void set_comm(char *comm, const char *name)
{
	memset(comm, 0, LS_COMM_LEN);
	memcpy(comm, name, strnlen(name, LS_COMM_LEN - 1));
}

/* comm is any bytes but NUL: commas, quotes, line breaks, formulas and broken UTF-8 included. */
START_TEST(test_text_is_quoted)
{
	static const struct {
		const char *comm, *read_back;
	} cases[] = {
		{"a,b", "a,b"},
		{"say \"hi\"", "say \"hi\""},
		{"two\nlines\r", "two\nlines\r"},
		{"=1+2", "'=1+2"},
		{"-x", "'-x"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"caf\xc3\xa9", "caf\xc3\xa9"},
		{"bad\xff\xc3", "bad??"},
		{" spaced ", " spaced "},
		{"", ""},
	};
	struct snapshot s;
	struct table t;
	char *text;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture_snapshot(&s);
		set_comm(s.processes[0].comm, cases[i].comm);
		set_comm(s.processes[0].threads[0].comm, cases[i].comm);
		text = render(&s, true);
		parse(text, &t);
		assert_rectangular(&t);
		ck_assert_uint_eq(t.nrows, 15);
		ck_assert_str_eq(cell(&t, 1, "comm"), cases[i].read_back);
		ck_assert_str_eq(cell(&t, 2, "comm"), cases[i].read_back);
		ck_assert_str_eq(cell(&t, 1, "cpu_ns"), "2000000000");
		table_free(&t);
		free(text);
		snapshot_free(&s);
	}
}
END_TEST

/* The CPU budget: a row per part after the processes, only its name, kind and time filled. */
START_TEST(test_budget_rows)
{
	static const struct {
		const char *comm, *role, *cpu_ns, *cpu_pct;
	} parts[] = {
		{"targets", "targets", "2010000000", "100.50"},
		{"wrk", "load", "1500000000", "75.00"},
		{"systemd", "other", "210000000", "10.50"},
		{"sshd", "other", "100000000", "5.00"},
		{"(rest)", "other", "80000000", "4.00"},
		{"irq", "irq", "10000000", "0.50"},
		{"softirq", "softirq", "610000000", "30.50"},
		{"steal", "steal", "10000000", "0.50"},
		{"idle", "idle", "3470000000", "173.50"},
	};
	static const char *const filled[] = {"kind", "comm", "role", "cpu_ns", "cpu_pct"};
	const size_t nparts = sizeof(parts) / sizeof(parts[0]);
	struct snapshot s;
	struct table t;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	parse(text, &t);
	assert_rectangular(&t);
	ck_assert_uint_eq(t.nrows, 3 + nparts);
	for (size_t i = 0; i < nparts; i++) {
		size_t row = 3 + i;

		ck_assert_str_eq(cell(&t, row, "kind"), "budget");
		ck_assert_str_eq(cell(&t, row, "comm"), parts[i].comm);
		ck_assert_str_eq(cell(&t, row, "role"), parts[i].role);
		ck_assert_str_eq(cell(&t, row, "cpu_ns"), parts[i].cpu_ns);
		ck_assert_str_eq(cell(&t, row, "cpu_pct"), parts[i].cpu_pct);
		/* every other column is empty: pid, duration_ns, the counts and percentiles too */
		for (size_t c = 0; c < t.ncols[0]; c++) {
			bool is_filled = false;

			for (size_t k = 0; k < sizeof(filled) / sizeof(filled[0]); k++)
				is_filled |= !strcmp(t.cells[0][c], filled[k]);
			if (!is_filled)
				ck_assert_msg(!*t.cells[row][c], "budget row %zu: %s is '%s'", i,
					      t.cells[0][c], t.cells[row][c]);
		}
	}
	table_free(&t);
	free(text);

	/* a name is text like a comm: quoted, and a formula defused */
	snprintf(s.cpu_budget.parts[1].name, sizeof(s.cpu_budget.parts[1].name), "=wrk,2");
	text = render(&s, false);
	ck_assert_ptr_nonnull(strstr(text, "\r\nbudget,,,,\"'=wrk,2\",load,"));
	parse(text, &t);
	assert_rectangular(&t);
	ck_assert_str_eq(cell(&t, 4, "comm"), "'=wrk,2");
	table_free(&t);
	free(text);

	/* no budget (unreadable, or a run saved before budgets): no budget rows */
	s.cpu_budget.status = BUDGET_UNREADABLE;
	text = render(&s, true);
	parse(text, &t);
	assert_rectangular(&t);
	ck_assert_uint_eq(t.nrows, 6);
	for (size_t r = 1; r < t.nrows; r++)
		ck_assert_str_ne(cell(&t, r, "kind"), "budget");
	table_free(&t);
	free(text);
	s.cpu_budget.status = BUDGET_UNKNOWN;
	text = render(&s, false);
	ck_assert_ptr_null(strstr(text, "budget"));
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_empty_and_odd_snapshots)
{
	struct snapshot s = {0};
	struct table t;
	size_t header_cols;
	char *text;

	/* nothing seen: the header alone */
	text = render(&s, true);
	parse(text, &t);
	ck_assert_uint_eq(t.nrows, 1);
	header_cols = t.ncols[0];
	ck_assert_uint_gt(header_cols, 80);
	table_free(&t);
	free(text);

	/* zero duration, a process without threads, the largest counters */
	fixture_snapshot(&s);
	s.duration_ns = 0;
	s.processes[1].nthreads = 0;
	s.processes[0].sched.cpu_ns = UINT64_MAX;
	s.processes[0].sched.runq_hist[HIST_BUCKETS - 1] = UINT64_MAX;
	text = render(&s, true);
	parse(text, &t);
	assert_rectangular(&t);
	ck_assert_uint_eq(t.ncols[0], header_cols);
	ck_assert_str_eq(cell(&t, 1, "cpu_pct"), "0.00");
	ck_assert_str_eq(cell(&t, 1, "cpu_ns"), "18446744073709551615");
	table_free(&t);
	free(text);
	s.processes[1].nthreads = 1;
	snapshot_free(&s);
}
END_TEST

Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_header_and_rows);
	tcase_add_test(tc, test_thread_rows);
	tcase_add_test(tc, test_text_is_quoted);
	tcase_add_test(tc, test_budget_rows);
	tcase_add_test(tc, test_empty_and_odd_snapshots);
	suite_add_tcase(s, tc);
	return s;
}
