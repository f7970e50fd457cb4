// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of serve's figures: the Prometheus bucket bounds against the log-linear buckets, the
 * per-thread deltas into groups (counters never go down through exits, execs, moves, the cap),
 * and the exposition in both formats.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exporter.h"
#include "render/prometheus.h"
#include "suites.h"

/* A log-linear histogram with one value recorded, as the programs record it. */
static void hist_of(uint64_t v, uint64_t *hist)
{
	memset(hist, 0, HIST_BUCKETS * sizeof(*hist));
	hist[hist_bucket(v)]++;
}

START_TEST(test_le_bounds_are_bucket_boundaries)
{
	for (unsigned int i = 0; i < PROM_LE_BOUNDS; i++) {
		uint64_t b = prom_le_ns(i);

		ck_assert_uint_eq(b, 1ULL << (10 + i));
		/* a bucket starts at each bound and the one before ends there */
		ck_assert_uint_eq(hist_bucket_lower(hist_bucket(b)), b);
		ck_assert_uint_eq(hist_bucket_upper(hist_bucket(b - 1)), b);
	}
	ck_assert_uint_eq(prom_le_ns(0), 1024);
	ck_assert_uint_eq(prom_le_ns(PROM_LE_BOUNDS - 1), 68719476736ULL);
}
END_TEST

/* A value on, just below and just above each bound lands in exactly the right cumulative counts. */
START_TEST(test_le_counts_on_and_next_to_each_bound)
{
	uint64_t hist[HIST_BUCKETS], cum[PROM_LE_BOUNDS + 1];

	for (unsigned int i = 0; i < PROM_LE_BOUNDS; i++) {
		uint64_t b = prom_le_ns(i);
		const uint64_t values[] = {b - 1, b, b + 1};

		for (unsigned int k = 0; k < 3; k++) {
			hist_of(values[k], hist);
			prom_le_counts(hist, cum);
			for (unsigned int j = 0; j < PROM_LE_BOUNDS; j++) {
				/* counted below bound j exactly when it is under 2^j ns */
				uint64_t want = values[k] < prom_le_ns(j);

				ck_assert_msg(cum[j] == want,
					      "value %llu, le %llu: %llu, want %llu",
					      (unsigned long long)values[k],
					      (unsigned long long)prom_le_ns(j),
					      (unsigned long long)cum[j], (unsigned long long)want);
			}
			ck_assert_uint_eq(cum[PROM_LE_BOUNDS], 1);
		}
	}
	/* below the first bound and beyond the last */
	hist_of(0, hist);
	prom_le_counts(hist, cum);
	ck_assert_uint_eq(cum[0], 1);
	hist_of(1ULL << 40, hist);
	prom_le_counts(hist, cum);
	ck_assert_uint_eq(cum[PROM_LE_BOUNDS - 1], 0);
	ck_assert_uint_eq(cum[PROM_LE_BOUNDS], 1);
}
END_TEST

START_TEST(test_le_labels_exact_seconds)
{
	char buf[32];

	prom_le_label(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0.000001024");
	prom_le_label(20, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1.073741824");
	prom_le_label(PROM_LE_BOUNDS - 1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "68.719476736");
	for (unsigned int i = 0; i < PROM_LE_BOUNDS; i++) {
		prom_le_label(i, buf, sizeof(buf));
		/* the decimal is the bound itself: parsed back to ns it is exact */
		ck_assert_uint_eq((uint64_t)(strtold(buf, NULL) * 1e9L + 0.5L), prom_le_ns(i));
	}
}
END_TEST

/* A thread as a collection reads it. */
struct fake {
	struct thread_stats s;
	struct lat_stats lat;
	struct export_errno err;
	struct export_thread t;
};

static void fake_init(struct fake *f, uint32_t tid, uint32_t pid, const char *comm,
		      const char *cgroup)
{
	memset(f, 0, sizeof(*f));
	f->s.tid = tid;
	f->s.pid = pid;
	f->s.seq = 1;
	snprintf(f->s.comm, sizeof(f->s.comm), "%s", comm);
	f->t.stats = &f->s;
	f->t.cgroup = cgroup;
	f->t.container_id = "";
	f->t.process = comm;
}

/* The fakes' export_threads in (tid, seq) order, as observe/ hands them over. */
static int apply(struct export_totals *t, struct fake **fakes, size_t n)
{
	struct export_thread th[8];

	ck_assert_uint_le(n, 8);
	for (size_t i = 0; i < n; i++)
		th[i] = fakes[i]->t;
	return export_totals_apply(t, th, n);
}

static struct export_group *group(struct export_totals *t, const char *cgroup, const char *process)
{
	for (size_t i = 0; i < t->ngroups; i++)
		if (!strcmp(t->groups[i]->cgroup, cgroup) &&
		    !strcmp(t->groups[i]->process, process))
			return t->groups[i];
	return NULL;
}

START_TEST(test_exited_thread_folds_and_never_goes_down)
{
	struct export_totals t = {0};
	struct fake a, b;
	struct fake *both[] = {&a, &b}, *only_b[] = {&b};
	struct export_group *g;

	fake_init(&a, 100, 100, "busy", "/w");
	fake_init(&b, 101, 100, "busy", "/w");
	a.s.on_cpu_ns = 1000;
	a.s.runq_wait_ns = 50;
	a.s.runq_count = 1;
	a.s.runq_hist[hist_bucket(50)] = 1;
	b.s.on_cpu_ns = 10;
	ck_assert_int_eq(apply(&t, both, 2), 0);
	g = group(&t, "/w", "busy");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(g->cpu_ns, 1010);
	ck_assert_uint_eq(g->live_threads, 2);
	/* a exits: its final figures, read from the exited map */
	a.s.on_cpu_ns = 3000;
	a.t.exited = true;
	b.s.on_cpu_ns = 20;
	ck_assert_int_eq(apply(&t, both, 2), 0);
	ck_assert_uint_eq(g->cpu_ns, 3020);
	ck_assert_uint_eq(g->live_threads, 1);
	ck_assert_uint_eq(t.nprev, 1);
	/* its entries freed: it is not read again, and the total stays */
	ck_assert_int_eq(apply(&t, only_b, 1), 0);
	ck_assert_uint_eq(g->cpu_ns, 3020);
	ck_assert_uint_eq(g->runq_count, 1);
	ck_assert_uint_eq(g->runq_hist[hist_bucket(50)], 1);
	/* a counter read lower (a clock's jitter) adds nothing and is not counted twice */
	b.s.on_cpu_ns = 15;
	ck_assert_int_eq(apply(&t, only_b, 1), 0);
	ck_assert_uint_eq(g->cpu_ns, 3020);
	b.s.on_cpu_ns = 25;
	ck_assert_int_eq(apply(&t, only_b, 1), 0);
	ck_assert_uint_eq(g->cpu_ns, 3025);
	export_totals_free(&t);
}
END_TEST

START_TEST(test_exec_and_move_start_new_groups)
{
	struct export_totals t = {0};
	struct fake a;
	struct fake *one[] = {&a};
	struct export_group *sh, *node, *moved;

	fake_init(&a, 200, 200, "sh", "/c");
	a.s.on_cpu_ns = 100;
	ck_assert_int_eq(apply(&t, one, 1), 0);
	/* exec: the leader's comm changes; what follows goes to the new name */
	snprintf(a.s.comm, sizeof(a.s.comm), "node");
	a.t.process = "node";
	a.s.on_cpu_ns = 250;
	ck_assert_int_eq(apply(&t, one, 1), 0);
	sh = group(&t, "/c", "sh");
	node = group(&t, "/c", "node");
	ck_assert_uint_eq(sh->cpu_ns, 100);
	ck_assert_uint_eq(node->cpu_ns, 150);
	/* moved to another cgroup: the old groups keep their totals */
	a.t.cgroup = "/d";
	a.s.on_cpu_ns = 300;
	ck_assert_int_eq(apply(&t, one, 1), 0);
	moved = group(&t, "/d", "node");
	ck_assert_uint_eq(moved->cpu_ns, 50);
	ck_assert_uint_eq(group(&t, "/c", "node")->cpu_ns, 150);
	/* /c is empty now and may go; /d has a live thread and stays */
	ck_assert(export_totals_remove_cgroup(&t, "/c"));
	ck_assert(!export_totals_remove_cgroup(&t, "/d"));
	ck_assert_ptr_null(group(&t, "/c", "node"));
	ck_assert_ptr_null(export_totals_cgroup(&t, "/c"));
	ck_assert_uint_eq(t.ngroups, 1);
	export_totals_free(&t);
}
END_TEST

START_TEST(test_process_names_capped_per_cgroup)
{
	struct export_totals t = {.max_processes = 2};
	struct fake a, b, c, d;
	struct fake *all[] = {&a, &b, &c, &d};
	struct export_cgroup *cg;

	fake_init(&a, 300, 300, "one", "/x");
	fake_init(&b, 301, 301, "two", "/x");
	fake_init(&c, 302, 302, "three", "/x");
	fake_init(&d, 303, 303, "four", "/y");
	a.s.on_cpu_ns = b.s.on_cpu_ns = c.s.on_cpu_ns = d.s.on_cpu_ns = 7;
	ck_assert_int_eq(apply(&t, all, 4), 0);
	ck_assert_ptr_nonnull(group(&t, "/x", "one"));
	ck_assert_ptr_nonnull(group(&t, "/x", "two"));
	ck_assert_ptr_null(group(&t, "/x", "three"));
	ck_assert_uint_eq(group(&t, "/x", EXPORT_OTHER_PROCESS)->cpu_ns, 7);
	/* the cap is per cgroup */
	ck_assert_ptr_nonnull(group(&t, "/y", "four"));
	cg = export_totals_cgroup(&t, "/x");
	ck_assert_uint_eq(cg->processes_over_cap, 1);
	ck_assert_uint_eq(cg->nprocesses, 2);
	/* counted once per process, not per collection */
	ck_assert_int_eq(apply(&t, all, 4), 0);
	ck_assert_uint_eq(cg->processes_over_cap, 1);
	ck_assert_uint_eq(export_totals_cgroup(&t, "/y")->processes_over_cap, 0);
	export_totals_free(&t);
}
END_TEST

START_TEST(test_by_pid_groups_end_with_their_process)
{
	struct export_totals t = {.by_pid = true};
	struct fake a, b;
	struct fake *both[] = {&a, &b}, *only_b[] = {&b};

	fake_init(&a, 400, 400, "w", "/p");
	fake_init(&b, 401, 401, "w", "/p");
	a.s.on_cpu_ns = 5;
	b.s.on_cpu_ns = 6;
	ck_assert_int_eq(apply(&t, both, 2), 0);
	ck_assert_uint_eq(t.ngroups, 2);
	ck_assert_int_eq(apply(&t, only_b, 1), 0);
	/* exported once more with its last figures, then gone */
	ck_assert_uint_eq(t.ngroups, 2);
	ck_assert_int_eq(apply(&t, only_b, 1), 0);
	ck_assert_uint_eq(t.ngroups, 1);
	ck_assert_int_eq(t.groups[0]->pid, 401);
	export_totals_free(&t);
}
END_TEST

START_TEST(test_latency_and_errnos_are_deltas)
{
	struct export_totals t = {0};
	struct fake a;
	struct fake *one[] = {&a};
	struct export_group *g;

	fake_init(&a, 500, 500, "srv", "/s");
	a.lat.count = 2;
	a.lat.total_ns = 3000;
	a.lat.hist[hist_bucket(1500)] = 2;
	a.t.lat[SC_READ] = &a.lat;
	a.err = (struct export_errno){.sys_class = SC_ACCEPT, .err = 11, .count = 4};
	a.t.errnos = &a.err;
	a.t.nerrnos = 1;
	ck_assert_int_eq(apply(&t, one, 1), 0);
	a.lat.count = 5;
	a.lat.total_ns = 9000;
	a.lat.hist[hist_bucket(1500)] = 5;
	a.err.count = 6;
	ck_assert_int_eq(apply(&t, one, 1), 0);
	g = group(&t, "/s", "srv");
	ck_assert_uint_eq(g->lat[SC_READ].count, 5);
	ck_assert_uint_eq(g->lat[SC_READ].total_ns, 9000);
	ck_assert_uint_eq(g->lat[SC_READ].hist[hist_bucket(1500)], 5);
	ck_assert_uint_eq(g->nerrnos[SC_ACCEPT], 1);
	ck_assert_str_eq(g->errnos[SC_ACCEPT][0].name, "EAGAIN");
	ck_assert_uint_eq(g->errnos[SC_ACCEPT][0].count, 6);
	export_totals_free(&t);
}
END_TEST

/* The exposition of a one-group total in a format, malloc'd. */
static char *expose(struct export_totals *t, enum prom_format fmt, bool syscalls)
{
	struct export_target target = {.pid = 42, .comm = "we\"ird", .cgroup = "/a\\b"};
	struct prom_meta m = {.version = "1.2.3",
			      .program = "tp_btf",
			      .syscalls = syscalls,
			      .targets = &target,
			      .ntargets = 1};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(render_prometheus(t, &m, fmt, f), 0);
	fclose(f);
	return buf;
}

static void totals_for_exposition(struct export_totals *t, struct fake *a)
{
	struct fake *one[] = {a};

	fake_init(a, 600, 600, "srv", "/kubepods/x\"y\nz");
	a->s.on_cpu_ns = 2500000000ULL;
	a->s.kernel_ns = 500000000ULL;
	a->s.runq_count = 3;
	a->s.runq_wait_ns = 3 * 3000;
	a->s.runq_hist[hist_bucket(3000)] = 3;
	a->s.voluntary_switches = 9;
	ck_assert_int_eq(apply(t, one, 1), 0);
	t->drops[DROP_EXITED_FULL] = 4;
}

START_TEST(test_text_exposition)
{
	struct export_totals t = {0};
	struct fake a;
	char *s;

	totals_for_exposition(&t, &a);
	s = expose(&t, PROM_TEXT, true);
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_cpu_seconds_total counter\n"));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_build_info gauge\n"));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_runqueue_wait_seconds histogram\n"));
	/* label values escaped: quote, backslash, newline */
	ck_assert_ptr_nonnull(strstr(
		s, "loadscope_cpu_seconds_total{cgroup=\"/kubepods/x\\\"y\\nz\",container_id=\"\","
		   "process=\"srv\",mode=\"user\"} 2.000000000\n"));
	ck_assert_ptr_nonnull(strstr(s, "mode=\"kernel\"} 0.500000000\n"));
	ck_assert_ptr_nonnull(strstr(s, "process=\"srv\",le=\"0.000001024\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(s, "process=\"srv\",le=\"0.000004096\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(s, "process=\"srv\",le=\"+Inf\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(s, "loadscope_runqueue_wait_seconds_count{cgroup="));
	ck_assert_ptr_nonnull(strstr(s, "process=\"srv\"} 0.000009000\n"));
	ck_assert_ptr_nonnull(strstr(s, "kind=\"voluntary\"} 9\n"));
	ck_assert_ptr_nonnull(
		strstr(s, "loadscope_dropped_events_total{reason=\"exited_full\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(s, "loadscope_target_info{pid=\"42\",comm=\"we\\\"ird\","
					"cgroup=\"/a\\\\b\",container_id=\"\"} 1\n"));
	ck_assert_ptr_null(strstr(s, "# EOF"));
	ck_assert_ptr_null(strstr(s, "# UNIT"));
	/* no syscall figures recorded: the family, but no syscall histogram series */
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_syscall_duration_seconds histogram\n"));
	ck_assert_ptr_nonnull(strstr(s, "state=\"idle\"}"));
	ck_assert_ptr_null(strstr(s, "loadscope_syscall_duration_seconds_bucket"));
	free(s);
	/* without the syscall programs the split is not claimed */
	s = expose(&t, PROM_TEXT, false);
	ck_assert_ptr_nonnull(strstr(s, "mode=\"all\"} 2.500000000\n"));
	ck_assert_ptr_null(strstr(s, "mode=\"user\""));
	/* nor the states and families only the syscall programs measure */
	ck_assert_ptr_nonnull(strstr(s, "state=\"runnable\"}"));
	ck_assert_ptr_nonnull(strstr(s, "state=\"other\"}"));
	ck_assert_ptr_null(strstr(s, "state=\"idle\""));
	ck_assert_ptr_null(strstr(s, "state=\"lock\""));
	ck_assert_ptr_null(strstr(s, "loadscope_syscall_errors"));
	free(s);
	export_totals_free(&t);
}
END_TEST

START_TEST(test_openmetrics_exposition)
{
	struct export_totals t = {0};
	struct fake a;
	char *s;
	size_t len;

	totals_for_exposition(&t, &a);
	s = expose(&t, PROM_OPENMETRICS, true);
	len = strlen(s);
	ck_assert_uint_gt(len, 6);
	ck_assert_str_eq(s + len - 6, "# EOF\n");
	/* families are named without _total and _info; units declared */
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_cpu_seconds counter\n"
					"# UNIT loadscope_cpu_seconds seconds\n"));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_build info\n"));
	ck_assert_ptr_nonnull(strstr(s, "loadscope_build_info{version=\"1.2.3\""));
	ck_assert_ptr_nonnull(strstr(s, "# TYPE loadscope_context_switches counter\n"));
	ck_assert_ptr_nonnull(strstr(s, "loadscope_context_switches_total{"));
	ck_assert_ptr_null(strstr(s, "# TYPE loadscope_cpu_seconds_total"));
	free(s);
	export_totals_free(&t);
}
END_TEST

/* Every drop reason has a name: a series without one would be malformed. */
START_TEST(test_drop_reason_names)
{
	for (unsigned int r = 0; r < DROP_REASONS; r++)
		ck_assert_ptr_nonnull(drop_reason_name(r));
	ck_assert_str_eq(drop_reason_name(DROP_RECURSION), "recursion");
	ck_assert_ptr_null(drop_reason_name(DROP_REASONS));
}
END_TEST

START_TEST(test_accept_negotiation)
{
	ck_assert_int_eq(prom_format_for_accept(NULL), PROM_TEXT);
	ck_assert_int_eq(prom_format_for_accept("*/*"), PROM_TEXT);
	ck_assert_int_eq(prom_format_for_accept("text/plain;version=0.0.4"), PROM_TEXT);
	/* what Prometheus 2.42 sends */
	ck_assert_int_eq(prom_format_for_accept("application/openmetrics-text;version=1.0.0,"
						"application/openmetrics-text;version=0.0.1;q=0.75,"
						"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 PROM_OPENMETRICS);
}
END_TEST

/* A run of one process over two intervals, as -i records them. */
static void backfill_run(struct snapshot *s, struct process *p, struct interval *iv,
			 struct interval_proc *ip)
{
	memset(s, 0, sizeof(*s));
	memset(p, 0, sizeof(*p));
	p->pid = 77;
	snprintf(p->comm, sizeof(p->comm), "srv");
	p->cgroup = "/c";
	s->processes = p;
	s->nprocesses = 1;
	ip[0] = (struct interval_proc){.pid = 77, .cpu_ns = 1500000000, .switches = 3};
	ip[1] = (struct interval_proc){
		.pid = 77, .cpu_ns = 250000000, .switches = 4, .runq_p99_ns = 2000};
	iv[0] = (struct interval){
		.end_ns = 1000000000, .duration_ns = 1000000000, .procs = &ip[0], .nprocs = 1};
	iv[1] = (struct interval){
		.end_ns = 2000000000, .duration_ns = 1000000000, .procs = &ip[1], .nprocs = 1};
	s->intervals = iv;
	s->nintervals = 2;
	s->started_unix_ns = 1700000000123000000ULL;
}

START_TEST(test_backfill_openmetrics)
{
	struct snapshot s;
	struct process p;
	struct interval iv[2];
	struct interval_proc ip[2];
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;

	backfill_run(&s, &p, iv, ip);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(report_openmetrics(&s, f, err, sizeof(err)), 0);
	fclose(f);
	/* cumulative, stamped at each interval's end on the wall clock, in seconds */
	ck_assert_ptr_nonnull(strstr(buf,
				     "loadscope_cpu_seconds_total{pid=\"77\",process=\"srv\","
				     "cgroup=\"/c\",mode=\"all\"} 1.500000000 1700000001.123\n"));
	ck_assert_ptr_nonnull(strstr(buf, "mode=\"all\"} 1.750000000 1700000002.123\n"));
	ck_assert_ptr_nonnull(strstr(buf, "kind=\"all\"} 7 1700000002.123\n"));
	ck_assert_ptr_nonnull(strstr(buf, "loadscope_runqueue_wait_p99_seconds{pid=\"77\","
					  "process=\"srv\",cgroup=\"/c\"} 0.000002000 "
					  "1700000002.123\n"));
	ck_assert_str_eq(buf + len - 6, "# EOF\n");
	free(buf);
	/* without a start time or without intervals there is nothing to place in time */
	buf = NULL;
	f = open_memstream(&buf, &len);
	s.started_unix_ns = 0;
	ck_assert_int_eq(report_openmetrics(&s, f, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no start time"));
	s.started_unix_ns = 1;
	s.nintervals = 0;
	ck_assert_int_eq(report_openmetrics(&s, f, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "-i SECONDS"));
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

Suite *exporter_suite(void)
{
	Suite *s = suite_create("exporter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_le_bounds_are_bucket_boundaries);
	tcase_add_test(tc, test_le_counts_on_and_next_to_each_bound);
	tcase_add_test(tc, test_le_labels_exact_seconds);
	tcase_add_test(tc, test_exited_thread_folds_and_never_goes_down);
	tcase_add_test(tc, test_exec_and_move_start_new_groups);
	tcase_add_test(tc, test_process_names_capped_per_cgroup);
	tcase_add_test(tc, test_by_pid_groups_end_with_their_process);
	tcase_add_test(tc, test_latency_and_errnos_are_deltas);
	tcase_add_test(tc, test_text_exposition);
	tcase_add_test(tc, test_openmetrics_exposition);
	tcase_add_test(tc, test_accept_negotiation);
	tcase_add_test(tc, test_drop_reason_names);
	tcase_add_test(tc, test_backfill_openmetrics);
	suite_add_tcase(s, tc);
	return s;
}
