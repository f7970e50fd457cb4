/* Integration tests: which tasks loadscope follows: -- COMMAND, -p, --comm, --cgroup, --container. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "suites.h"

/* lifecycle's thread and child spin for this long; their on-CPU time cannot be more */
#define LIFECYCLE_SPIN_NS 100000000LL
/* lifecycle is held stopped until loadscope observes; then it waits this long before creating */
#define LIFECYCLE_LATE_DELAY_MS "300"
/* a -p target that must outlive loadscope's start-up, however slow; the tests kill it */
#define BUSY_LONG_S "60"
/* long enough to see everything lifecycle does after that delay (about 0.5 s, more in a guest) */
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

static void stop_all(const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
		ls_wait(pids[i], 5, NULL);
	}
}

/* A process of the report, which must be there, selected the way expected, in that cgroup. */
static const json_t *expect_target(const json_t *report, int pid, const char *what,
				   const char *selected_by, const char *cgroup)
{
	const json_t *p = ls_find_process(report, pid);

	ck_assert_msg(p, "%s (pid %d) is not in the report", what, pid);
	ck_assert_msg(!strcmp(ls_str(p, "selected_by"), selected_by),
		      "%s (pid %d): selected_by '%s', expected '%s'", what, pid,
		      ls_str(p, "selected_by"), selected_by);
	if (cgroup)
		ck_assert_msg(!strcmp(ls_str(p, "cgroup"), cgroup),
			      "%s (pid %d): cgroup '%s', expected '%s'", what, pid,
			      ls_str(p, "cgroup"), cgroup);
	return p;
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
	const char *err_path = ls_path(dir, "stderr.txt");
	const char *lifecycle_argv[] = {ls_workload("lifecycle"), oracle_path,
					LIFECYCLE_LATE_DELAY_MS, NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *oracle;
	struct ls_args a;
	char pid_arg[16];
	pid_t lifecycle, ls;
	int status;

	/* held until loadscope observes, so what it creates comes after on a slow machine too */
	lifecycle = ls_spawn(lifecycle_argv, NULL, NULL);
	kill(lifecycle, SIGSTOP);
	snprintf(pid_arg, sizeof(pid_arg), "%d", lifecycle);

	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-v", "-p", pid_arg, "-d", LIFECYCLE_LATE_RUN_S, "-o", out, "--threads",
		    NULL);
	ls = ls_start_observer(&a, err_path);
	kill(lifecycle, SIGCONT);
	status = ls_wait(lifecycle, 30, NULL);
	ck_assert_msg(status == 0, "lifecycle exited %d", status);
	ck_assert_msg(ls_wait(ls, 30, NULL) == 0, "loadscope failed: %s", ls_file_tail(err_path));
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	oracle = ls_load_json(oracle_path);
	check_lifecycle(report, oracle);
	json_decref(oracle);
	json_decref(report);
}
END_TEST

/*
 * --cgroup: processes in the cgroup and in one below it at the start are targets, and so is one
 * moved in (below it) after loadscope attached, with all its threads; one outside is not.
 */
START_TEST(test_cgroup)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *err_path = ls_path(dir, "stderr.txt");
	const char *sleep_argv[] = {"sleep", "30", NULL};
	const char *busy_argv[] = {ls_workload("busy"), ls_path(dir, "oracle.json"), "2", "60",
				   NULL};
	char app[PATH_MAX], worker[PATH_MAX], other[PATH_MAX], app_rel[256], worker_rel[256];
	char name[64], arg[PATH_MAX];
	uint32_t baseline = ls_bpf_max_prog_id();
	const json_t *p, *cgroups, *thread;
	pid_t pids[4], ls;
	struct ls_args a;
	json_t *report;
	size_t i;

	snprintf(name, sizeof(name), "cg%d/app", _i);
	snprintf(app, sizeof(app), "%s", ls_cgroup_make(name));
	snprintf(app_rel, sizeof(app_rel), "%s", ls_cgroup_rel(name));
	snprintf(name, sizeof(name), "cg%d/app/worker", _i);
	snprintf(worker, sizeof(worker), "%s", ls_cgroup_make(name));
	snprintf(worker_rel, sizeof(worker_rel), "%s", ls_cgroup_rel(name));
	snprintf(name, sizeof(name), "cg%d/other", _i);
	snprintf(other, sizeof(other), "%s", ls_cgroup_make(name));

	pids[0] = ls_spawn(sleep_argv, NULL, NULL); /* in the cgroup */
	ls_cgroup_move(app, pids[0]);
	pids[1] = ls_spawn(sleep_argv, NULL, NULL); /* below it */
	ls_cgroup_move(worker, pids[1]);
	pids[2] = ls_spawn(sleep_argv, NULL, NULL); /* beside it */
	ls_cgroup_move(other, pids[2]);
	pids[3] = ls_spawn(busy_argv, NULL, NULL); /* moved below it later */
	ck_assert_msg(ls_wait_threads(pids[3], 3, 10), "busy did not start its threads");
	/* held until it is moved, so it spins while observed rather than while loadscope starts */
	kill(pids[3], SIGSTOP);

	/* the path as given: absolute with tp_btf, relative to the mount with raw_tp */
	snprintf(arg, sizeof(arg), "%s", raw_tp_for(_i) ? app_rel + 1 : app);
	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-v", "-c", arg, "-d", "1.5", "-o", out, "--threads", NULL);
	ls = ls_start_observer(&a, err_path);
	ls_cgroup_move(worker, pids[3]);
	kill(pids[3], SIGCONT);
	ck_assert_msg(ls_wait(ls, 30, NULL) == 0, "loadscope -c %s failed: %s", arg,
		      ls_file_tail(err_path));
	ls_assert_no_progs(baseline);
	stop_all(pids, 4);

	report = ls_load_json(out);
	ls_check_report(report);
	expect_target(report, pids[0], "the process in the cgroup", "cgroup", app_rel);
	expect_target(report, pids[1], "the process in its child cgroup", "cgroup", worker_rel);
	p = expect_target(report, pids[3], "the process moved in", "cgroup", worker_rel);
	ck_assert_msg(!ls_find_process(report, pids[2]), "the process outside (pid %d) is reported",
		      pids[2]);
	/* the whole process moved: its main thread and both spinners */
	ck_assert_int_eq(json_array_size(json_object_get(p, "threads")), 3);
	json_array_foreach(json_object_get(p, "threads"), i, thread)
	{
		if (ls_int(thread, "tid") != pids[3])
			ck_assert_msg(ls_int(thread, "cpu_ns") > 0,
				      "spinner %lld of the moved process: cpu_ns 0",
				      (long long)ls_int(thread, "tid"));
	}
	cgroups = json_object_get(report, "cgroups");
	ck_assert_int_eq(json_array_size(cgroups), 2);
	ck_assert_str_eq(ls_str(json_array_get(cgroups, 0), "path"), app_rel);
	ck_assert_str_eq(ls_str(json_array_get(cgroups, 1), "path"), worker_rel);
	ck_assert_msg(strstr(ls_str(json_object_get(report, "targets"), "description"), app_rel),
		      "description '%s' does not name %s",
		      ls_str(json_object_get(report, "targets"), "description"), app_rel);
	if (ls_verbose())
		printf("#   -c %s: in it %d, below it %d, moved in %d reported; beside it %d not\n",
		       arg, pids[0], pids[1], pids[3], pids[2]);
	json_decref(report);
	ls_cgroup_cleanup();
}
END_TEST

/*
 * --no-children: with -p, the target's later thread is followed but not its children; with -c,
 * children in the cgroup are targets all the same.
 */
START_TEST(test_no_children)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *err_path = ls_path(dir, "stderr.txt");
	const char *lifecycle_argv[] = {ls_workload("lifecycle"), oracle_path,
					LIFECYCLE_LATE_DELAY_MS, NULL};
	static const char *const children[] = {"child", "grandchild", "early_child"};
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *oracle;
	char cg[PATH_MAX], cg_rel[256], pid_arg[16];
	struct ls_args a;
	pid_t lifecycle, ls;
	int status;

	/* held until loadscope observes: its thread and children come after, whatever the speed */
	lifecycle = ls_spawn(lifecycle_argv, NULL, NULL);
	kill(lifecycle, SIGSTOP);
	snprintf(pid_arg, sizeof(pid_arg), "%d", lifecycle);
	ls_args_loadscope(&a, false);
	if (_i) {
		snprintf(cg, sizeof(cg), "%s", ls_cgroup_make("nochildren"));
		snprintf(cg_rel, sizeof(cg_rel), "%s", ls_cgroup_rel("nochildren"));
		ls_cgroup_move(cg, lifecycle);
		ls_args_add(&a, "-c", cg, NULL);
	} else {
		ls_args_add(&a, "-p", pid_arg, NULL);
	}
	ls_args_add(&a, "-v", "--no-children", "-d", LIFECYCLE_LATE_RUN_S, "-o", out, "--threads",
		    NULL);
	ls = ls_start_observer(&a, err_path);
	kill(lifecycle, SIGCONT);
	status = ls_wait(lifecycle, 30, NULL);
	ck_assert_msg(status == 0, "lifecycle exited %d", status);
	ck_assert_msg(ls_wait(ls, 30, NULL) == 0, "loadscope failed: %s", ls_file_tail(err_path));
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	oracle = ls_load_json(oracle_path);
	ck_assert(json_is_false(json_object_get(json_object_get(report, "targets"), "children")));
	if (_i) {
		/* every child is in the cgroup, so each is a target by it */
		check_lifecycle(report, oracle);
		for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++)
			expect_target(report, ls_int(json_object_get(oracle, children[i]), "pid"),
				      children[i], "cgroup", cg_rel);
	} else {
		ck_assert_msg(ls_find_thread_anywhere(report,
						      ls_int(json_object_get(oracle, "thread"),
							     "tid"),
						      NULL),
			      "--no-children: the later thread of the target is not followed");
		for (size_t i = 0; i < sizeof(children) / sizeof(children[0]); i++) {
			int child = ls_int(json_object_get(oracle, children[i]), "pid");

			ck_assert_msg(!ls_find_process(report, child),
				      "--no-children: the target's %s (pid %d) is reported",
				      children[i], child);
		}
		ck_assert_int_eq(json_array_size(json_object_get(report, "processes")), 1);
	}
	json_decref(oracle);
	json_decref(report);
	ls_cgroup_cleanup();
}
END_TEST

/* A container ID of 64 hex characters nobody else has. */
static void random_id(char id[65])
{
	unsigned int seed = (unsigned int)getpid() ^ (unsigned int)time(NULL);

	for (int i = 0; i < 64; i++)
		id[i] = "0123456789abcdef"[rand_r(&seed) % 16];
	id[64] = '\0';
}

/*
 * --container: a cgroup named as Docker's systemd driver names one is found by a 12-character
 * prefix of the ID, and its process is a target; a prefix two containers share fails at once
 * and lists both.
 */
START_TEST(test_container)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *sleep_argv[] = {"sleep", "30", NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	char id[65], id2[65], prefix[13], name[128], scope[PATH_MAX], scope_rel[256], want[32];
	const json_t *targets;
	struct ls_result r;
	struct ls_args a;
	json_t *report;
	pid_t sleeper;

	random_id(id);
	snprintf(prefix, sizeof(prefix), "%.12s", id);
	snprintf(name, sizeof(name), "ct/docker-%s.scope", id);
	snprintf(scope, sizeof(scope), "%s", ls_cgroup_make(name));
	snprintf(scope_rel, sizeof(scope_rel), "%s", ls_cgroup_rel(name));
	sleeper = ls_spawn(sleep_argv, NULL, NULL);
	ls_cgroup_move(scope, sleeper);

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-C", prefix, "-d", "0.5", "-o", out, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "loadscope -C %s exited %d; stderr: %s", prefix, r.status,
		      r.err);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	expect_target(report, sleeper, "the container's process", "container", scope_rel);
	targets = json_object_get(report, "targets");
	ck_assert_str_eq(ls_str(json_array_get(json_object_get(targets, "containers"), 0), "id"),
			 id);
	snprintf(want, sizeof(want), "container %s", prefix);
	ck_assert_msg(strstr(ls_str(targets, "description"), want), "description '%s' lacks '%s'",
		      ls_str(targets, "description"), want);
	json_decref(report);
	ls_result_free(&r);

	/* a second container whose ID shares the first 13 characters */
	memcpy(id2, id, sizeof(id2));
	id2[13] = id[13] == '0' ? '1' : '0';
	snprintf(name, sizeof(name), "ct/docker-%s.scope", id2);
	ls_cgroup_make(name);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-C", prefix, "-d", "5", "-o", out, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 1, "an ambiguous prefix: exit %d; stderr: %s", r.status, r.err);
	ck_assert_msg(r.elapsed_s < 1.0, "an ambiguous prefix failed after %.3f s, not at once",
		      r.elapsed_s);
	ck_assert_msg(strstr(r.err, "ambiguous"), "the message does not say why: %s", r.err);
	snprintf(want, sizeof(want), "%.14s", id);
	ck_assert_msg(strstr(r.err, want), "the candidate %s is not listed: %s", want, r.err);
	snprintf(want, sizeof(want), "%.14s", id2);
	ck_assert_msg(strstr(r.err, want), "the candidate %s is not listed: %s", want, r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		      "not one line on stderr: %s", r.err);
	ls_assert_no_progs(baseline);
	ls_result_free(&r);
	stop_all(&sleeper, 1);
	ls_cgroup_cleanup();
}
END_TEST

/*
 * A process named name by prctl(PR_SET_NAME), as /proc shows it, that only waits; it dies with
 * the test. (Not a link to sleep: busybox's sleep would take the link's name for an applet's.)
 */
static pid_t spawn_named(const char *name)
{
	char path[64], comm[32] = "";
	pid_t parent = getpid(), pid = fork();
	FILE *f;

	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		prctl(PR_SET_NAME, name);
		for (;;)
			pause();
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	for (double t0 = ls_now_s(); ls_now_s() - t0 < 5; ls_sleep_s(0.005)) {
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f) && !strncmp(comm, name, strlen(name))) {
			fclose(f);
			return pid;
		}
		if (f)
			fclose(f);
	}
	ck_abort_msg("process %d did not take the name %s", pid, name);
	return -1;
}

/*
 * --comm: a process with the name at the start is a target, and so is one that exec's under the
 * name after loadscope attached, with the thread it starts; a process with another name is not.
 */
START_TEST(test_comm)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *err_path = ls_path(dir, "stderr.txt");
	char name[16], busy_link[PATH_MAX], busy_path[PATH_MAX];
	const char *other_argv[] = {"sleep", "30", NULL};
	const char *late_argv[] = {busy_link, ls_path(dir, "oracle.json"), "1", "0.5", NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	const json_t *p;
	pid_t pids[3], ls;
	struct ls_args a;
	json_t *report;

	/* the kernel names a task after the file it exec'd: a link is enough */
	snprintf(name, sizeof(name), "lsc%d_%d", (int)(getpid() % 100000), _i);
	snprintf(busy_link, sizeof(busy_link), "%s/%s", dir, name);
	ck_assert_msg(realpath(ls_workload("busy"), busy_path), "no %s", ls_workload("busy"));
	ck_assert_int_eq(symlink(busy_path, busy_link), 0);

	pids[0] = spawn_named(name);
	pids[1] = ls_spawn(other_argv, NULL, NULL);
	ls_args_loadscope(&a, raw_tp_for(_i));
	ls_args_add(&a, "-v", "-n", name, "-d", "1.5", "-o", out, "--threads", NULL);
	ls = ls_start_observer(&a, err_path);
	pids[2] = ls_spawn(late_argv, NULL, NULL);
	ck_assert_msg(ls_wait(ls, 30, NULL) == 0, "loadscope -n %s failed: %s", name,
		      ls_file_tail(err_path));
	ls_assert_no_progs(baseline);
	stop_all(pids, 3);

	report = ls_load_json(out);
	ls_check_report(report);
	p = expect_target(report, pids[0], "the process named so at the start", "comm", NULL);
	ck_assert_str_eq(ls_str(p, "comm"), name);
	p = expect_target(report, pids[2], "the process exec'd with the name", "comm", NULL);
	ck_assert_str_eq(ls_str(p, "comm"), name);
	/* its main thread and the spinner it started after the exec */
	ck_assert_int_eq(json_array_size(json_object_get(p, "threads")), 2);
	ck_assert_msg(ls_int(p, "cpu_ns") > 0, "the exec'd process spun but cpu_ns is 0");
	ck_assert_msg(!ls_find_process(report, pids[1]),
		      "the process with another name (pid %d) is reported", pids[1]);
	if (ls_verbose())
		printf("#   -n %s: %d at start and %d exec'd later reported, %d (sleep) not\n", name,
		       pids[0], pids[2], pids[1]);
	json_decref(report);
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
	tcase_add_loop_test(tc, test_no_children, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("selectors");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_cgroup, 0, 2);
	tcase_add_test(tc, test_container);
	tcase_add_loop_test(tc, test_comm, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
