// SPDX-License-Identifier: GPL-2.0
/* Tests of the text report: header, table figures, thread rows, histograms, 100-column limit. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "render/render.h"
#include "suites.h"

static char *render(const struct snapshot *s, bool threads)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	report_text(s, f, threads);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* The first line starting with prefix, without its newline; "" when there is none. */
static const char *line_starting(const char *text, const char *prefix)
{
	static char line[512];
	const char *at = text, *end;

	line[0] = '\0';
	while (*at) {
		end = strchrnul(at, '\n');
		if (!strncmp(at, prefix, strlen(prefix))) {
			snprintf(line, sizeof(line), "%.*s", (int)(end - at), at);
			break;
		}
		at = *end ? end + 1 : end;
	}
	return line;
}

/* The line that contains needle, without its newline; "" when there is none. */
static const char *line_containing(const char *text, const char *needle)
{
	static char line[512];
	const char *hit, *start, *end;

	line[0] = '\0';
	hit = strstr(text, needle);
	if (!hit)
		return line;
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchrnul(hit, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(end - start), start);
	return line;
}

/* Columns, not bytes: the header's dash is one column in three bytes of UTF-8. */
static void assert_within_100_columns(const char *text)
{
	const char *c, *line = text;
	unsigned int cols = 0;

	for (c = text; *c; c++) {
		if (*c == '\n') {
			ck_assert_msg(cols <= 100, "%u columns: %.*s", cols, (int)(c - line), line);
			cols = 0;
			line = c + 1;
		} else if (((unsigned char)*c & 0xC0) != 0x80) {
			cols++;
		}
	}
	ck_assert_uint_eq(cols, 0); /* ends with a newline */
}

/* Replaces the COMMAND; argv NULL means the run had none. */
static void set_command(struct snapshot *s, const char *const *argv, int exit_status)
{
	size_t i, n;

	for (i = 0; s->command && s->command[i]; i++)
		free(s->command[i]);
	free(s->command);
	s->command = NULL;
	s->command_exit = exit_status;
	if (!argv)
		return;
	for (n = 0; argv[n]; n++)
		;
	s->command = calloc(n + 1, sizeof(*s->command));
	ck_assert_ptr_nonnull(s->command);
	for (i = 0; i < n; i++)
		s->command[i] = fixture_strdup(argv[i]);
}

START_TEST(test_format_ns)
{
	static const struct {
		uint64_t ns;
		const char *text;
	} cases[] = {
		{0, "0ns"},
		{999, "999ns"},
		{1000, "1.0us"},
		{4920, "4.9us"},
		{9949, "9.9us"},
		{9950, "10us"},
		{106404, "106us"},
		{999499, "999us"},
		{999500, "1.0ms"},
		{2500000, "2.5ms"},
		{14000000, "14ms"},
		{1500000000, "1.5s"},
		{120000000000ULL, "120s"},
	};
	char buf[FORMAT_NS_LEN];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(format_ns(cases[i].ns, buf, sizeof(buf)), cases[i].text);
	/* The widest value fits the buffer the header promises. */
	ck_assert_uint_lt(strlen(format_ns(UINT64_MAX, buf, sizeof(buf))), FORMAT_NS_LEN);
}
END_TEST

START_TEST(test_header)
{
	static const char expected[] =
		"loadscope — 2.0 s, 4 CPUs, Linux 6.1.0-test; targets: tree of 4211 (node)\n"
		"command: wrk -t2 -c100 http://127.0.0.1:3000/json (exit status 0)\n"
		"warning: 3 lost (threads_full): target threads not tracked, the thread map was "
		"full (raise\n    --max-threads)\n"
		"during the run: 12 target processes started, 11 exited; 40 threads started, 38 "
		"exited\n"
		"BOTTLENECK: none: the 4 CPUs were 43% idle and no serving thread was on a CPU 90% "
		"of the run: the\n"
		"    limit is outside the targets (the load generator, the network, the offered "
		"rate); busy: targets\n"
		"    25%, load (wrk) 19%, softirq 8%, other 5%\n"
		"\n";
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	ck_assert_msg(!strncmp(text, expected, strlen(expected)), "header:\n%.600s", text);
	ck_assert_ptr_null(strstr(text, "that exited"));
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_header_variants)
{
	static const char *const argv[] = {"sleep", "1", NULL};
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	s.cpus = 1;
	s.duration_ns = 12345000000ULL;
	s.drops[DROP_THREADS_FULL] = 1;
	s.drops[DROP_EXITED_FULL] = 1;
	set_command(&s, argv, -1);
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "loadscope"),
			 "loadscope — 12.3 s, 1 CPU, Linux 6.1.0-test; targets: tree of 4211"
			 " (node)");
	ck_assert_str_eq(line_starting(text, "command:"),
			 "command: sleep 1 (no exit status: it had not finished)");
	ck_assert_str_eq(line_starting(text, "warning: 1 lost (threads_full)"),
			 "warning: 1 lost (threads_full): target threads not tracked, the thread map "
			 "was full (raise");
	ck_assert_str_eq(line_starting(text, "warning: 1 lost (exited_full)"),
			 "warning: 1 lost (exited_full): exited threads missing from the figures, more "
			 "exited than");
	free(text);

	/* every counter that is not 0 has its line, with its count and its name in the JSON */
	for (int r = 0; r < DROP_REASONS; r++)
		s.drops[r] = 100 + (uint64_t)r;
	text = render(&s, false);
	assert_within_100_columns(text);
	for (int r = 0; r < DROP_REASONS; r++) {
		char want[64];

		snprintf(want, sizeof(want), "warning: %d lost (%s): ", 100 + r, drop_reason_name(r));
		ck_assert_msg(strstr(text, want), "no \"%s\" in:\n%.2000s", want, text);
	}
	free(text);
	for (int r = 0; r < DROP_REASONS; r++)
		s.drops[r] = 0;
	s.drops[DROP_HANDOFFS_FULL] = 1;
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "warning:"),
			 "warning: 1 lost (handoffs_full): descriptors passed between a new pair of "
			 "processes not paired, the");
	ck_assert_ptr_null(strstr(text, "threads_full"));
	free(text);

	/* No command, no drops: neither line appears. */
	set_command(&s, NULL, -1);
	s.drops[DROP_HANDOFFS_FULL] = 0;
	text = render(&s, false);
	ck_assert_ptr_null(strstr(text, "command:"));
	ck_assert_ptr_null(strstr(text, "warning"));
	ck_assert_ptr_null(strstr(text, "was removed during the run"));
	free(text);

	/* A cgroup removed during the run is noted; no task started: no lifecycle line. */
	ck_assert_uint_gt(s.ncgroups, 0);
	s.cgroups[0].removed = true;
	s.lifecycle[LC_PROCESSES_STARTED] = 0;
	s.lifecycle[LC_THREADS_STARTED] = 0;
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "note: cgroup"), "note: cgroup /system.slice/app.service"
			 " was removed during the run: its figures are what was seen until then");
	ck_assert_ptr_null(strstr(text, "processes started"));
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_command_quoting_and_cutting)
{
	static const char *const quoted[] = {"sh", "-c", "echo 'hi there'", "", NULL};
	static const char *const long_argv[] = {
		"wrk",
		"-t2",
		"-c100",
		"-d10s",
		"--latency",
		"-H",
		"X-Long-Header: aaaaaaaaaaaaaaaaaaaa",
		"http://127.0.0.1:3000/a/rather/long/path/that/goes/on",
		NULL};
	const char *prefix = "command: wrk -t2 -c100 -d10s --latency -H 'X-Long-Header: aaa";
	const char *line;
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	set_command(&s, quoted, 1);
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "command:"),
			 "command: sh -c 'echo '\\''hi there'\\''' '' (exit status 1)");
	free(text);

	set_command(&s, long_argv, 0);
	text = render(&s, false);
	line = line_starting(text, "command:");
	ck_assert_uint_eq(strlen(line), 100);
	ck_assert_msg(!strncmp(line, prefix, strlen(prefix)), "%s", line);
	ck_assert_str_eq(line + 100 - strlen("... (exit status 0)"), "... (exit status 0)");
	assert_within_100_columns(text);
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_process_rows)
{
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "PID"),
			 "PID      COMM              CPU%  RUNQ%     RUNQ p50/p99/max  VCSW/s"
			 "  ICSW/s"
			 "    MIGR  WAKEUPS");
	/*
	 * 4211: 2.0 s on CPU over 2 s is 100%; 40.5 ms of waits is 2.0%; p50 4920 ns, p99 106404 ns
	 * (see the JSON test), max 2.5 ms; 2300 and 500 switches in 2 s; alive, so no mark.
	 */
	ck_assert_str_eq(line_starting(text, "4211 "),
			 "4211     node             100.0    2.0  4.9us/ 106us/ 2.5ms    1150"
			 "   250.0"
			 "      15     1750");
	/* 4300: 10 ms on CPU is 0.5%; no waits at all, so no percentiles; exited. */
	ck_assert_str_eq(line_starting(text, "4300 "),
			 "4300     sh                 0.5    0.0      -/     -/     -     0.5"
			 "     0.0"
			 "       0        1 exited");
	ck_assert_str_eq(line_starting(text, "  4213"), "");
	ck_assert_str_eq(line_starting(text, "  4211"), "");
	assert_within_100_columns(text);
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_thread_rows)
{
	const char *after_4211, *after_4213;
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, true);
	ck_assert_str_eq(line_starting(text, "  4211 "),
			 "  4211   node              75.0    1.9  4.9us/ 106us/ 2.5ms    1000"
			 "   200.0"
			 "      12     1500");
	/* 100 waits of 20 us: p50 19456 ns, p99 20458 ns, both in [18432, 20480). */
	ck_assert_str_eq(line_starting(text, "  4213 "),
			 "  4213   node-worker       25.0    0.1   19us/  20us/  20us   150.0"
			 "    50.0"
			 "       3      250 exited");
	ck_assert_str_eq(line_starting(text, "  4300 "),
			 "  4300   sh                 0.5    0.0      -/     -/     -     0.5"
			 "     0.0"
			 "       0        1 exited");
	/* Threads sit right under their process, in tid order. */
	after_4211 = strstr(text, "\n4211 ");
	after_4213 = strstr(text, "\n  4213 ");
	ck_assert_ptr_nonnull(after_4211);
	ck_assert_ptr_eq(strstr(after_4211 + 1, "\n") + 1, strstr(text, "  4211 "));
	ck_assert_ptr_eq(strstr(after_4213 + 1, "\n") + 1, strstr(text, "\n4300 ") + 1);
	assert_within_100_columns(text);
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_histogram)
{
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	ck_assert_ptr_nonnull(strstr(text, "\nRUN-QUEUE WAITS"));
	ck_assert_str_eq(line_starting(strstr(text, "\nRUN-QUEUE WAITS"), "4211 node:"),
			 "4211 node: 1100 waits, p50 4.9us, p90 20us, p99 106us, max 2.5ms");
	/* 900 waits of 5 us: the largest count, a full bar, and the median. */
	ck_assert_str_eq(line_containing(text, "<- p50"),
			 "  [ 4.1us,  8.2us)        900 |########################################| "
			 "<- p50");
	ck_assert_str_eq(line_containing(text, "<- p90"),
			 "  [  16us,   33us)        100 |####                                    | "
			 "<- p90");
	ck_assert_str_eq(line_containing(text, "<- p99"),
			 "  [  66us,  131us)         90 |####                                    | "
			 "<- p99");
	/* A small non-zero count still gets a mark; empty powers of two in between are shown. */
	ck_assert_str_eq(line_containing(text, "[ 2.1ms,  4.2ms)"),
			 "  [ 2.1ms,  4.2ms)         10 "
			 "|#                                       |");
	ck_assert_str_eq(line_containing(text, "[ 131us,  262us)"),
			 "  [ 131us,  262us)          0 "
			 "|                                        |");
	/* The range stops at the lowest and highest non-empty lines. */
	ck_assert_ptr_null(strstr(text, "[ 2.0us,  4.1us)"));
	ck_assert_ptr_null(strstr(text, "[ 4.2ms,  8.4ms)"));
	ck_assert_str_eq(line_starting(text, "4300 sh:"), "4300 sh: no run-queue waits recorded");
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_histogram_shared_marks_and_extremes)
{
	struct snapshot s;
	struct thread *t;
	char *text;

	fixture_snapshot(&s);
	/* One value only: all three percentiles on one line; the unbounded bucket shows "inf". */
	t = &s.processes[1].threads[0];
	fixture_add_waits(&t->sched, 3, 20);
	snapshot_finish(&s);
	text = render(&s, false);
	ck_assert_str_eq(line_containing(text, "<- p50, p90, p99"),
			 "  [   2ns,    4ns)         20 |########################################| "
			 "<- p50, p90, p99");
	free(text);

	fixture_add_waits(&t->sched, 1200000000000ULL, 1); /* 20 minutes: past 2^40 ns */
	snapshot_finish(&s);
	text = render(&s, false);
	ck_assert_str_eq(line_containing(text, "inf)"),
			 "  [  550s,    inf)          1 |##                                      | "
			 "<- p99");
	assert_within_100_columns(text);
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_empty_and_odd_snapshots)
{
	struct snapshot s = {0};
	char *text;

	/* A zeroed snapshot: nothing to divide by, nothing to show, nothing to crash on. */
	text = render(&s, true);
	ck_assert_str_eq(line_starting(text, "loadscope"),
			 "loadscope — 0.0 s, 0 CPUs, Linux (unknown); targets: (not recorded)");
	ck_assert_str_eq(line_starting(text, "(no target"), "(no target process was seen)");
	ck_assert_ptr_null(strstr(text, "RUN-QUEUE WAITS"));
	free(text);

	fixture_snapshot(&s);
	s.duration_ns = 0;
	memcpy(s.processes[1].comm, "bad\033[2J", 8);
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "4300 "),
			 "4300     bad?[2J            0.0    0.0      -/     -/     -       -"
			 "       -"
			 "       0        1 exited");
	free(text);
	snapshot_free(&s);
}
END_TEST

/* The syscall table, the class details and the connection path of the fixture. */
START_TEST(test_syscalls_and_connections)
{
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	assert_within_100_columns(text);
	/* 40 accepts in 2 s; p50/p99 of 10 us waits */
	ck_assert_ptr_nonnull(strstr(text, "ACCEPT/s"));
	ck_assert_str_eq(line_starting(strstr(text, "ACCEPT/s"), "4211     node            "),
			 "4211     node                20.0   9.7us/10us     55.0  2.0us/2.0us     "
			 "10.0  2.9us/3.0us     26.5");
	ck_assert_str_eq(line_starting(text, "4211 node accepted"),
			 "4211 node accepted 30 connections (10 accept calls failed)");
	ck_assert_str_eq(line_containing(text, "listen queue"),
			 "  listen queue wait p50 50us, p99 50us, max 50us (20 timed); queue up to "
			 "4; 2 never accepted");
	ck_assert_str_eq(line_starting(text, "4211 node passed"),
			 "4211 node passed on 7 descriptors");
	ck_assert_str_eq(line_containing(text, "accept to handoff"),
			 "  accept to handoff p50 30us, p99 30us, max 30us (7 timed)");
	ck_assert_str_eq(line_containing(text, "  -> 4300"), "  -> 4300 sh: 7");
	ck_assert_str_eq(line_starting(text, "4300 sh received"), "4300 sh received 7 descriptors");
	ck_assert_str_eq(line_starting(text, "4211 node syscalls:"),
			 "4211 node syscalls: 223 calls, 12 failed");
	ck_assert_str_eq(line_containing(text, "accept errors"), "    accept errors: EAGAIN 10");
	/* no TCP responses in the fixture and no count given: no per-request line */
	ck_assert_ptr_null(strstr(text, "PER REQUEST"));
	free(text);
	s.requests_given = 1000;
	text = render(&s, false);
	/* 2.01 s of CPU (0.4 s in the kernel), 223 syscalls, 2801 switches, 1751 wakeups; no
	 * serving process polls */
	ck_assert_str_eq(line_starting(text, "PER REQUEST"),
			 "PER REQUEST: CPU 2.0ms (user 1.6ms, kernel 400us), 0.2 syscalls, 2.80 "
			 "context switches, 1.75 wakeups");
	free(text);
	/* a run saved before the split was measured: no split shown */
	s.cpu_split = false;
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "PER REQUEST"),
			 "PER REQUEST: CPU 2.0ms, 0.2 syscalls, 2.80 context switches, 1.75 wakeups");
	s.cpu_split = true;
	ck_assert_str_eq(line_containing(text, "most time first"),
			 "    other, most time first: nanosleep 2 in 20ms, openat 1 in 4.0us");
	ck_assert_str_eq(line_starting(text, "  poll "),
			 "  poll             50       0    1.0ms    1.0ms    1.0ms    1.0ms      50ms "
			 "          0      45ms");
	free(text);
	/* a serving process's polls add the batching: the line wraps within 100 columns */
	s.processes[0].threads[0].tcp_writes = 1000;
	fixture_add_lat(&s.processes[0].threads[0].sys.cls[SC_POLL], 1000, 40);
	ck_assert_int_eq(snapshot_finish(&s), 0);
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "PER REQUEST"),
			 "PER REQUEST: CPU 2.0ms (user 1.6ms, kernel 400us), 0.3 syscalls, 2.80 "
			 "context switches, 1.75");
	ck_assert_str_eq(line_starting(text, "    wakeups;"),
			 "    wakeups; 11.1 requests per poll wakeup");
	assert_within_100_columns(text);
	free(text);
	snapshot_free(&s);
}
END_TEST

/* Figures with no samples: a dash in the text and the HTML (the JSON's null: test_json.c). */
START_TEST(test_empty_histograms)
{
	struct snapshot s;
	struct thread *t;
	char *text, *html;
	size_t len;
	FILE *f;

	fixture_snapshot(&s);
	/* node's main thread, 4211, accepts and hands off */
	t = &snapshot_find_process(&s, 4211)->threads[0];
	ck_assert_int_eq(t->tid, 4211);
	/* 2 connections queued and never accepted, none timed; a blocked futex wait, no call done */
	memset(&t->sys.accept_queue, 0, sizeof(t->sys.accept_queue));
	memset(&t->sys.handoff_delay, 0, sizeof(t->sys.handoff_delay));
	t->sys.offcpu_ns[SC_FUTEX] = 7000000;
	ck_assert_int_eq(snapshot_finish(&s), 0);
	text = render(&s, false);
	ck_assert_str_eq(line_containing(text, "listen queue"),
			 "  listen queue wait p50 -, p99 -, max - (0 timed); queue up to 4; 2 never "
			 "accepted");
	ck_assert_ptr_null(strstr(text, "accept to handoff"));
	ck_assert_str_eq(line_starting(text, "  futex "),
			 "  futex             0       0        -        -        -        -       0ns "
			 "          0     7.0ms");
	free(text);

	f = open_memstream(&html, &len);
	ck_assert_ptr_nonnull(f);
	report_html(&s, f);
	fclose(f);
	ck_assert_msg(strstr(html, "listen queue p50/p99/max</span><span class=\"num\">\u2013 / "
				   "\u2013 / \u2013</span>"),
		      "no dashes for the empty listen queue");
	ck_assert_ptr_null(strstr(html, "accept to handoff p50/p99/max"));
	free(html);

	/* diff: a run without a single run-queue wait has no p99 */
	for (size_t i = 0; i < s.nprocesses; i++)
		for (size_t k = 0; k < s.processes[i].nthreads; k++)
			memset(s.processes[i].threads[k].sched.runq_hist, 0,
			       sizeof(s.processes[i].threads[k].sched.runq_hist));
	ck_assert_int_eq(snapshot_finish(&s), 0);
	f = open_memstream(&html, &len);
	ck_assert_ptr_nonnull(f);
	report_diff(&s, "a", &s, "b", f);
	fclose(f);
	ck_assert_msg(*line_containing(html, "run-queue wait p99"), "%s", html);
	ck_assert_ptr_null(strstr(line_containing(html, "run-queue wait p99"), "0ns"));
	ck_assert_ptr_nonnull(strstr(line_containing(html, "run-queue wait p99"), " -"));
	free(html);

	snapshot_free(&s);
}
END_TEST

/* Two cgroups: a section with each one's totals and processes; one cgroup: no section. */
START_TEST(test_cgroups)
{
	static const char long_path[] = "/kubepods.slice/kubepods-burstable.slice/kubepods-"
					"burstable-pod0123.slice/cri-containerd-abcdef.scope";
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CGROUP "),
			 "CGROUP                                       PROCS   CPU%  RUNQ%  VCSW/s"
			 "  ICSW/s SYSCALLS/s");
	/* the service: 4211's 2.0 s on CPU, 40.5 ms waited, 2300 + 500 switches, 223 syscalls */
	ck_assert_str_eq(line_starting(text, "/system.slice/app.service "),
			 "/system.slice/app.service                        1  100.0    2.0    1150"
			 "   250.0      111.5");
	ck_assert_str_eq(line_starting(text, "/system.slice/app.service/worker"),
			 "/system.slice/app.service/worker                 1    0.5    0.0     0.5"
			 "     0.0        0.0");
	ck_assert_str_eq(line_containing(text, "processes: 4211"), "  processes: 4211 node");
	assert_within_100_columns(text);
	free(text);

	/* a long path keeps its end */
	free(s.processes[1].cgroup);
	s.processes[1].cgroup = fixture_strdup(long_path);
	ck_assert_int_eq(snapshot_group_cgroups(&s), 0);
	text = render(&s, false);
	ck_assert_msg(strstr(text, "\n...pod0123.slice/cri-containerd-abcdef.scope     1 "),
		      "long path not cut at its start: %s", line_containing(text, "abcdef"));
	assert_within_100_columns(text);
	free(text);

	free(s.processes[0].cgroup);
	s.processes[0].cgroup = fixture_strdup(long_path);
	ck_assert_int_eq(snapshot_group_cgroups(&s), 0);
	ck_assert_uint_eq(s.ncgroups, 1);
	ck_assert_uint_eq(s.cgroups[0].npids, 2);
	text = render(&s, false);
	ck_assert_ptr_null(strstr(text, "CGROUPS"));
	free(text);
	snapshot_free(&s);
}
END_TEST

/* CPU LIMITS: the cgroups with a quota or unreadable files, one line each; the finding. */
START_TEST(test_cpu_limits)
{
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	ck_assert_ptr_null(strstr(text, "CPU LIMITS"));
	ck_assert_ptr_null(strstr(text, "cpu_throttled"));
	free(text);
	fixture_cpu_limits(&s);
	text = render(&s, false);
	ck_assert_str_eq(
		line_starting(text, "CPU LIMITS"),
		"CPU LIMITS: cpu cgroups of the targets (and their ancestors) with a quota, "
		"over the run");
	/* the ancestor has no quota: left out */
	ck_assert_ptr_null(strstr(text, "cgroup /system.slice (v2"));
	ck_assert_str_eq(
		line_starting(text, "  cgroup /system.slice/app.service "),
		"  cgroup /system.slice/app.service (v2): quota 20ms per 100ms (0.20 CPUs); "
		"throttled 15 of 20");
	ck_assert_str_eq(line_starting(text, "    periods, 1.2s"),
			 "    periods, 1.2s; PSI some 1.3s");
	ck_assert_str_eq(line_starting(text, "  cgroup /system.slice/app.service/worker"),
			 "  cgroup /system.slice/app.service/worker (v2): no quota; PSI some 0ns; "
			 "unreadable: cpu.stat");
	ck_assert_str_eq(line_starting(text, "  1 more"),
			 "  1 more cpu cgroups not read (at most 64 "
			 "are)");
	ck_assert_ptr_nonnull(strstr(text, "[critical] cpu_throttled: cgroup "
					   "/system.slice/app.service (v2) ran out of its quota"));
	assert_within_100_columns(text);
	free(text);

	/* v1, seen only at the end, counters reset */
	s.cpu_cgroups[1].hierarchy = CGROUP_V1;
	s.cpu_cgroups[1].limit.end_only = true;
	s.cpu_cgroups[0].limit.counters_reset = true;
	s.cpu_cgroups[0].limit.throttled_periods = s.cpu_cgroups[0].limit.periods = 3;
	text = render(&s, false);
	ck_assert_str_eq(
		line_starting(text, "  cgroup /system.slice/app.service "),
		"  cgroup /system.slice/app.service (v1): quota 20ms per 100ms (0.20 CPUs); "
		"first seen at the end of");
	ck_assert_str_eq(line_starting(text, "    the run"),
			 "    the run: throttling not measured");
	ck_assert_str_eq(
		line_starting(text, "  cgroup /system.slice "),
		"  cgroup /system.slice (v2, ancestor): no quota; throttled 3 of 3 periods, "
		"0ns; PSI some 5.0s; its");
	ck_assert_str_eq(line_starting(text, "    counters"),
			 "    counters were reset during the run");
	/* seen only at the end: not judged; the ancestor's 3 throttled periods are */
	ck_assert_ptr_null(strstr(text, "cgroup /system.slice/app.service (v1) ran out"));
	ck_assert_ptr_nonnull(strstr(text, "cpu_throttled: cgroup /system.slice (v2) ran out"));
	assert_within_100_columns(text);
	free(text);
	snapshot_free(&s);
}
END_TEST

/* Replaces the fixture's budget: 8 s, the parts given. */
static void set_budget(struct snapshot *s, const struct budget_part *parts, size_t n)
{
	memset(&s->cpu_budget, 0, sizeof(s->cpu_budget));
	s->cpu_budget.status = BUDGET_MEASURED;
	s->cpu_budget.total_ns = 8000000000ULL;
	for (size_t i = 0; i < n; i++)
		fixture_budget_part(&s->cpu_budget, parts[i].kind, parts[i].name, parts[i].cpu_ns);
}

/* The CPU BUDGET section: its place, the parts' order, the names that fit, the other states. */
START_TEST(test_budget_lines)
{
	static const struct budget_part named[] = {
		{BUDGET_TARGETS, "targets", 800000000}, {BUDGET_OTHER, "nginx", 2400000000},
		{BUDGET_OTHER, "postgres", 1600000000}, {BUDGET_OTHER, BUDGET_REST_NAME, 800000000},
		{BUDGET_IDLE, "idle", 2400000000},
	};
	static const struct budget_part wide[] = {
		{BUDGET_TARGETS, "targets", 1040000000},
		{BUDGET_LOAD, "a-load-generator-with-long-name", 960000000},
		{BUDGET_OTHER, "aaaaaaaaaaaaaaa", 1040000000},
		{BUDGET_OTHER, "bbbbbbbbbbbbbbb", 900000000},
		{BUDGET_OTHER, "ccccccccccccccc", 800000000},
		{BUDGET_OTHER, "ddddddddddddddd", 700000000},
		{BUDGET_OTHER, "eeeeeeeeeeeeeee", 610000000},
		{BUDGET_OTHER, BUDGET_REST_NAME, 500000000},
		{BUDGET_IRQ, "irq", 100000000},
		{BUDGET_SOFTIRQ, "softirq", 400000000},
		{BUDGET_STEAL, "steal", 0},
		{BUDGET_IDLE, "idle", 980000000},
	};
	struct snapshot s;
	const char *at;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	at = strstr(text, "\nCPU BUDGET");
	ck_assert_ptr_nonnull(at);
	/* after the findings and the per-request line, a blank line apart; then the table */
	ck_assert(strstr(text, "PER REQUEST") < at);
	ck_assert_msg(!strncmp(at - 1,
			       "\n\nCPU BUDGET: shares of 4 CPUs x 2.0 s, 57% busy\n"
			       "targets 25%  load (wrk) 19%  softirq 8%  other 5% (systemd 3%, "
			       "...)  irq 0%  steal 0%  idle 43%\nOBSERVER: cost unknown",
			       strlen("\n\nCPU BUDGET: shares of 4 CPUs x 2.0 s, 57% busy\n"
				      "targets 25%  load (wrk) 19%  softirq 8%  other 5% (systemd "
				      "3%, ...)  irq 0%  steal 0%  idle 43%\n"
				      "OBSERVER: cost unknown")),
		      "budget:\n%.300s", at);
	assert_within_100_columns(text);
	free(text);

	/* room for every name: the busiest first, idle last; no load part, no load group */
	set_budget(&s, named, sizeof(named) / sizeof(named[0]));
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CPU BUDGET"), "CPU BUDGET: shares of 4 CPUs x 2.0 s, "
							    "70% busy");
	ck_assert_str_eq(line_starting(text, "other "),
			 "other 60% (nginx 30%, postgres 20%, rest 10%)  targets 10%  idle 30%");
	free(text);

	/* the command is a target: no load part, the targets' part says it holds the command */
	s.targets.command = true;
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "other "), "other 60% (nginx 30%, postgres 20%, rest "
							"10%)  targets (with wrk) 10%  idle 30%");
	free(text);
	s.targets.command = false;

	/* long names: the command's cut as a comm, the others' left out when none fits */
	set_budget(&s, wide, sizeof(wide) / sizeof(wide[0]));
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "other "),
			 "other 57%  targets 13%  load (a-load-generato) 12%  softirq 5%  irq 1%  "
			 "steal 0%  idle 12%");
	assert_within_100_columns(text);
	free(text);

	/* /proc/stat counted another total than the CPUs x the wall time: the header says so */
	set_budget(&s, named, sizeof(named) / sizeof(named[0]));
	s.cpu_budget.total_ns = 4000000000ULL;
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CPU BUDGET"),
			 "CPU BUDGET: shares of the 4.0s /proc/stat counted (4 CPUs x 2.0 s), 40% "
			 "busy");
	free(text);

	/* unreadable, with a reason from a file that holds a control character; unknown */
	memset(&s.cpu_budget, 0, sizeof(s.cpu_budget));
	s.cpu_budget.status = BUDGET_UNREADABLE;
	snprintf(s.cpu_budget.error, sizeof(s.cpu_budget.error), "Permission\033denied");
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CPU budget"),
			 "CPU budget: /proc/stat unreadable: Permission?denied");
	ck_assert_ptr_null(strstr(text, "CPU BUDGET"));
	free(text);
	s.cpu_budget.error[0] = '\0';
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CPU budget"), "CPU budget: /proc/stat unreadable");
	free(text);
	s.cpu_budget.status = BUDGET_UNKNOWN;
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CPU budget"),
			 "CPU budget: unknown (this run was saved without one)");
	free(text);
	snapshot_free(&s);

	/* a zeroed snapshot has a line for it too */
	memset(&s, 0, sizeof(s));
	text = render(&s, false);
	ck_assert_str_eq(line_starting(text, "CPU budget"),
			 "CPU budget: unknown (this run was saved without one)");
	free(text);
}
END_TEST

/* THREAD STATES: a process's row is its serving threads; its helpers on a row of their own. */
START_TEST(test_thread_state_rows)
{
	const char *states;
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = render(&s, false);
	states = strstr(text, "THREAD STATES");
	ck_assert_ptr_nonnull(states);
	/* node's main thread accepts (serving); its worker thread touches no connection */
	ck_assert_str_eq(line_starting(states, "4211     node"),
			 "4211     node            other      |###################.|   95    2    3 "
			 "   0    0    0    0");
	ck_assert_str_eq(line_starting(text, "  +      1 helper "),
			 "  +      1 helper        0 parked   |####################|  100    0    0 "
			 "   0    0    0    0");
	/* sh has one thread: no helper row under it */
	ck_assert_ptr_null(strstr(strstr(states, "4300     sh"), "  +  "));
	free(text);
	text = render(&s, true);
	states = strstr(text, "THREAD STATES");
	ck_assert_ptr_nonnull(states);
	ck_assert_ptr_nonnull(strstr(line_starting(states, "  4213   node-worker"), " helper "));
	ck_assert_ptr_nonnull(strstr(line_starting(states, "  4211   node "), " serving "));
	ck_assert_ptr_null(strstr(text, "  +      1 helper"));
	free(text);
	snapshot_free(&s);
}
END_TEST

Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, test_format_ns);
	tcase_add_test(tc, test_header);
	tcase_add_test(tc, test_header_variants);
	tcase_add_test(tc, test_command_quoting_and_cutting);
	tcase_add_test(tc, test_process_rows);
	tcase_add_test(tc, test_thread_rows);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_syscalls_and_connections);
	tcase_add_test(tc, test_thread_state_rows);
	tcase_add_test(tc, test_budget_lines);
	tcase_add_test(tc, test_cpu_limits);
	tcase_add_test(tc, test_histogram_shared_marks_and_extremes);
	tcase_add_test(tc, test_empty_and_odd_snapshots);
	tcase_add_test(tc, test_cgroups);
	tcase_add_test(tc, test_empty_histograms);
	suite_add_tcase(s, tc);
	return s;
}
