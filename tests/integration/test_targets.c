/* Integration tests: which tasks loadscope follows, with -- COMMAND and with -p. */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "suites.h"

/* lifecycle's thread and child spin for this long; their on-CPU time cannot be more */
#define LIFECYCLE_SPIN_NS 100000000LL
/* with -p the workload must outlive loadscope's attaching before it creates anything */
#define LIFECYCLE_LATE_DELAY_MS "2000"
/* a -p target that must outlive loadscope's start-up, however slow; the tests kill it */
#define BUSY_LONG_S "60"
/* long enough to see everything lifecycle does after that delay (about 0.5 s) */
#define LIFECYCLE_LATE_RUN_S "4"

static bool raw_tp_for(int i)
{
	return i == 1;
}

/*
 * The most on-CPU time a task of lifecycle can have: what the workload found (the late thread's
 * wall-clock life, the child's final schedstat read from its zombie), else what it spins,
 * plus the floor for the exit path and tick-old readings.
 */
static int64_t max_cpu_ns(const json_t *oracle)
{
	const json_t *bound = json_object_get(oracle, "max_cpu_ns");

	return (bound ? ls_int(oracle, "max_cpu_ns") : LIFECYCLE_SPIN_NS) + LS_CPU_FLOOR_NS;
}

/* Every task lifecycle created is reported, as the right kind, under the right parent and name. */
static void check_lifecycle(const json_t *report, const json_t *oracle)
{
	static const char *const children[] = {"child", "grandchild", "early_child"};
	int pid = ls_int(oracle, "pid"), tid;
	const json_t *o, *process, *thread;
	json_t *owner = NULL;
	size_t i;

	process = ls_find_process(report, pid);
	ck_assert_msg(process, "lifecycle (pid %d) is not in the report", pid);
	ck_assert_str_eq(ls_str(process, "comm"), ls_str(oracle, "comm"));

	o = json_object_get(oracle, "thread");
	tid = ls_int(o, "tid");
	thread = ls_find_thread_anywhere(report, tid, &owner);
	ck_assert_msg(thread, "lifecycle's thread %d is not in the report", tid);
	ck_assert_msg(owner == process, "thread %d is reported under process %lld, not %d", tid,
		      (long long)ls_int(owner, "pid"), pid);
	ck_assert_msg(!ls_find_process(report, tid), "thread %d is reported as a process", tid);
	ck_assert_str_eq(ls_str(thread, "comm"), ls_str(o, "comm"));
	ck_assert_msg(ls_bool(thread, "exited"), "thread %d ended but exited is false", tid);
	ck_assert_msg(ls_int(thread, "cpu_ns") > 0 && ls_int(thread, "cpu_ns") <= max_cpu_ns(o),
		      "thread %d can have run %.3f ms at most but cpu_ns is %lld", tid,
		      max_cpu_ns(o) / 1e6, (long long)ls_int(thread, "cpu_ns"));

	for (i = 0; i < sizeof(children) / sizeof(children[0]); i++) {
		const json_t *p;
		int child;

		o = json_object_get(oracle, children[i]);
		child = ls_int(o, "pid");
		p = ls_find_process(report, child);
		ck_assert_msg(p, "lifecycle's %s (pid %d) is not in the report", children[i],
			      child);
		ck_assert_msg(!strcmp(ls_str(p, "comm"), ls_str(o, "comm")),
			      "%s %d reported as '%s', expected '%s'", children[i], child,
			      ls_str(p, "comm"), ls_str(o, "comm"));
		ck_assert_msg(ls_int(p, "ppid") == ls_int(o, "ppid"),
			      "%s %d: ppid %lld, expected %lld", children[i], child,
			      (long long)ls_int(p, "ppid"), (long long)ls_int(o, "ppid"));
		ck_assert_msg(ls_bool(p, "exited"), "%s %d ended but exited is false", children[i],
			      child);
		ck_assert_msg(ls_find_thread(p, child), "%s %d: its main thread is not listed",
			      children[i], child);
		ck_assert_msg(ls_int(p, "cpu_ns") <= max_cpu_ns(o),
			      "%s %d: cpu_ns %lld is more than it ran (%.3f ms)", children[i],
			      child, (long long)ls_int(p, "cpu_ns"), max_cpu_ns(o) / 1e6);
	}
	if (ls_verbose())
		printf("#   lifecycle: pid %d, thread %d, child %lld, grandchild %lld (%s), early "
		       "child %lld all reported\n",
		       pid, tid, (long long)ls_int(json_object_get(oracle, "child"), "pid"),
		       (long long)ls_int(json_object_get(oracle, "grandchild"), "pid"),
		       ls_str(json_object_get(oracle, "grandchild"), "comm"),
		       (long long)ls_int(json_object_get(oracle, "early_child"), "pid"));
}

START_TEST(test_lifecycle)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *command[] = {ls_workload("lifecycle"), oracle_path, NULL};
	json_t *report, *oracle, *process;
	struct ls_result r;

	report = ls_run_report(raw_tp_for(_i), out, command, 60, &r);
	oracle = ls_load_json(oracle_path);
	process = ls_find_process(report, ls_int(oracle, "pid"));
	ck_assert_msg(process, "lifecycle is not in the report");
	ck_assert_int_eq(ls_int(process, "ppid"), r.pid);
	check_lifecycle(report, oracle);
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* On-CPU and run-queue ns of a thread so far, from /proc. */
static void read_schedstat(int pid, int tid, long long *cpu_ns, long long *runq_wait_ns)
{
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	f = fopen(path, "r");
	ck_assert_msg(f && fscanf(f, "%lld %lld", cpu_ns, runq_wait_ns) == 2, "cannot read %s",
		      path);
	fclose(f);
}

/* Thread ids of a process now, from /proc; returns how many. */
static int list_tids(int pid, int *tids, int max)
{
	struct dirent *e;
	char path[64];
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	ck_assert_msg(d, "cannot list %s", path);
	while (n < max && (e = readdir(d))) {
		if (e->d_name[0] != '.')
			tids[n++] = atoi(e->d_name);
	}
	closedir(d);
	return n;
}

/* A process already running when loadscope starts: its threads are followed for the duration. */
START_TEST(test_pid_threads)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *busy_argv[] = {ls_workload("busy"), ls_path(dir, "oracle.json"), "2",
				   BUSY_LONG_S, NULL};
	long long cpu_before[8], runq_before[8], cpu_after, runq_after, duration;
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *process, *thread;
	struct ls_cmp c = {0};
	int tids[8], ntids, i;
	struct ls_result r;
	struct ls_args a;
	char pid_arg[16];
	pid_t busy;

	busy = ls_spawn(busy_argv, NULL, NULL);
	ck_assert_msg(ls_wait_threads(busy, 3, 5), "busy did not start its threads");
	ntids = list_tids(busy, tids, 8);
	ck_assert_int_eq(ntids, 3);
	for (i = 0; i < ntids; i++)
		read_schedstat(busy, tids[i], &cpu_before[i], &runq_before[i]);
	snprintf(pid_arg, sizeof(pid_arg), "%d", busy);

	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-p", pid_arg, "-d", "1", "-o", out, "--threads", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	ck_assert_int_eq(ls_int(report, "command_exit"), -1);
	duration = ls_int(report, "duration_ns");
	ck_assert_msg(duration >= 950000000LL && duration <= r.elapsed_s * 1e9,
		      "-d 1 but duration_ns is %lld (loadscope lived %.3f s)", duration,
		      r.elapsed_s);
	process = ls_find_process(report, busy);
	ck_assert_msg(process, "busy (pid %d, given with -p) is not in the report", busy);
	ck_assert_str_eq(ls_str(process, "comm"), "busy");
	ck_assert_int_eq(ls_int(process, "ppid"), getpid());
	ck_assert_msg(!ls_bool(process, "exited"), "busy is still running but exited is true");
	if (ls_verbose())
		printf("# -p busy (%s), loadscope's window lies inside the test's:\n",
		       raw_tp_for(_i) ? "raw_tp" : "tp_btf");
	for (i = 0; i < ntids; i++) {
		thread = ls_find_thread(process, tids[i]);
		ck_assert_msg(thread, "thread %d of busy is not in the report", tids[i]);
		if (tids[i] == busy)
			continue; /* the main thread sleeps in pthread_join */
		read_schedstat(busy, tids[i], &cpu_after, &runq_after);
		/* a spinner gets a good share of a CPU even on a busy machine: a tenth is a low bar
		 */
		ls_cmp_true(&c,
			    ls_int(thread, "cpu_ns") >= duration / 10 &&
				    ls_int(thread, "cpu_ns") <=
					    cpu_after - cpu_before[i] + LS_CPU_FLOOR_NS,
			    "thread %d cpu_ns %.3f ms within [%.3f, %.3f] ms", tids[i],
			    ls_int(thread, "cpu_ns") / 1e6, duration / 10e6,
			    (cpu_after - cpu_before[i] + LS_CPU_FLOOR_NS) / 1e6);
		ls_cmp_true(&c,
			    ls_int(thread, "runq_wait_ns") <=
				    runq_after - runq_before[i] + LS_RUNQ_FLOOR_NS,
			    "thread %d runq_wait_ns %.3f ms <= %.3f ms", tids[i],
			    ls_int(thread, "runq_wait_ns") / 1e6,
			    (runq_after - runq_before[i] + LS_RUNQ_FLOOR_NS) / 1e6);
		ls_cmp_true(&c, !ls_bool(thread, "exited"), "thread %d still runs: exited false",
			    tids[i]);
	}
	kill(busy, SIGKILL);
	ls_wait(busy, 5, NULL);
	ls_cmp_done(&c, "pid_threads");
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* With -p, the command after -- is only the load: it and its children are not targets. */
START_TEST(test_pid_command_is_load)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *load_path = ls_path(dir, "load.json");
	const char *busy_argv[] = {ls_workload("busy"), ls_path(dir, "oracle.json"), "1",
				   BUSY_LONG_S, NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *load, *process;
	struct ls_result r;
	struct ls_args a;
	char pid_arg[16];
	pid_t busy;
	int i;

	busy = ls_spawn(busy_argv, NULL, NULL);
	ck_assert_msg(ls_wait_threads(busy, 2, 5), "busy did not start its thread");
	snprintf(pid_arg, sizeof(pid_arg), "%d", busy);

	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-p", pid_arg, "-o", out, "--", ls_workload("pingpong"), load_path, "2000",
		    NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	ck_assert_int_eq(ls_int(report, "command_exit"), 0);
	ck_assert_msg(ls_find_process(report, busy), "busy (pid %d, given with -p) is not reported",
		      busy);
	load = ls_load_json(load_path);
	for (i = 0; i < 2; i++) {
		const char *side = i ? "child" : "parent";
		int pid = ls_int(json_object_get(load, side), "pid");

		process = NULL;
		ck_assert_msg(!ls_find_process(report, pid) &&
				      !ls_find_thread_anywhere(report, pid, &process),
			      "the load command's %s (pid %d) is reported as a target", side, pid);
	}
	ck_assert_msg(!ls_find_process(report, r.pid), "loadscope itself is reported");
	if (ls_verbose())
		printf("#   -p %d with -- pingpong: %zu process(es) reported, none of pingpong\n",
		       busy, json_array_size(json_object_get(report, "processes")));
	kill(busy, SIGKILL);
	ls_wait(busy, 5, NULL);
	json_decref(load);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* -p takes a list: every process in it is a target. */
START_TEST(test_pid_list)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *first_argv[] = {ls_workload("busy"), ls_path(dir, "first.json"), "1",
				    BUSY_LONG_S, NULL};
	const char *second_argv[] = {ls_workload("busy"), ls_path(dir, "second.json"), "1",
				     BUSY_LONG_S, NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *process;
	pid_t busy[2];
	struct ls_result r;
	struct ls_args a;
	char pid_arg[32];
	int i;

	busy[0] = ls_spawn(first_argv, NULL, NULL);
	busy[1] = ls_spawn(second_argv, NULL, NULL);
	for (i = 0; i < 2; i++)
		ck_assert_msg(ls_wait_threads(busy[i], 2, 5), "busy did not start its thread");
	snprintf(pid_arg, sizeof(pid_arg), "%d,%d", busy[0], busy[1]);

	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-p", pid_arg, "-d", "0.5", "-o", out, NULL);
	ls_run(a.argv, 30, &r);
	for (i = 0; i < 2; i++) {
		kill(busy[i], SIGKILL);
		ls_wait(busy[i], 5, NULL);
	}
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	for (i = 0; i < 2; i++) {
		process = ls_find_process(report, busy[i]);
		ck_assert_msg(process, "-p %s: pid %d is not in the report", pid_arg, busy[i]);
		ck_assert_int_eq(json_array_size(json_object_get(process, "threads")), 2);
		ck_assert_msg(ls_int(process, "cpu_ns") > 0, "pid %d spun but cpu_ns is 0",
			      busy[i]);
	}
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* With -p, threads and processes the target creates after loadscope started are followed too. */
START_TEST(test_pid_later_descendants)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *lifecycle_argv[] = {ls_workload("lifecycle"), oracle_path,
					LIFECYCLE_LATE_DELAY_MS, NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *oracle;
	struct ls_result r;
	struct ls_args a;
	char pid_arg[16];
	pid_t lifecycle;
	int status;

	lifecycle = ls_spawn(lifecycle_argv, NULL, NULL);
	snprintf(pid_arg, sizeof(pid_arg), "%d", lifecycle);

	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-p", pid_arg, "-d", LIFECYCLE_LATE_RUN_S, "-o", out, "--threads", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ls_assert_no_progs(baseline);
	status = ls_wait(lifecycle, 10, NULL);
	ck_assert_msg(status == 0, "lifecycle exited %d", status);

	report = ls_load_json(out);
	ls_check_report(report);
	oracle = ls_load_json(oracle_path);
	check_lifecycle(report, oracle);
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

Suite *ls_targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *tc;

	tc = tcase_create("lifecycle");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_lifecycle, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("pid");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_pid_threads, 0, 2);
	tcase_add_loop_test(tc, test_pid_command_is_load, 0, 2);
	tcase_add_loop_test(tc, test_pid_later_descendants, 0, 2);
	tcase_add_loop_test(tc, test_pid_list, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
