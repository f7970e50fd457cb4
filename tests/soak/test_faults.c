/*
 * Fault cases: a full thread map, a reused pid, a cgroup removed mid-run, two runs at once, a
 * run inside a pid namespace.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../workloads/oracle.h"
#include "soak.h"

#define MAP_FULL_THREADS    "500"
#define MAP_FULL_MAX	    64
#define MAP_FULL_SPIN	    "0.01"
#define REUSE_SPIN_S	    0.3
#define REUSE_TRIES	    20
#define REUSE_CPU_BOUND_NS  100000000LL /* the target slept: far less CPU than the newcomer's */
#define SPIN_SECONDS	    "1"
#define TWICE_RUNS	    2

/* Every thread of a report's processes, with its oracle: the threads of workload busy. */
static void compare_busy(struct ls_cmp *c, const json_t *report, const json_t *oracle,
			 int *found)
{
	const json_t *process = ls_find_process(report, ls_int(oracle, "pid")), *ot;
	size_t i;

	*found = 0;
	ls_cmp_true(c, process, "busy (pid %lld) is in the report", (long long)ls_int(oracle, "pid"));
	if (!process)
		return;
	json_array_foreach(json_object_get(oracle, "threads"), i, ot) {
		const json_t *t = ls_find_thread(process, ls_int(ot, "tid"));
		char who[48];

		if (!t)
			continue;
		(*found)++;
		snprintf(who, sizeof(who), "thread %lld", (long long)ls_int(ot, "tid"));
		ls_compare_task(c, who, ot, t);
	}
}

/* --max-threads 64 against 500 threads: the drops said exactly, the 64 tracked exact. */
START_TEST(test_map_full)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	char max[16], line[128];
	struct ls_cmp c = {0};
	struct ls_result r;
	struct ls_args a;
	json_t *report, *oracle;
	int64_t dropped, expected = atoi(MAP_FULL_THREADS) + 1 - MAP_FULL_MAX;
	int found;

	snprintf(max, sizeof(max), "%d", MAP_FULL_MAX);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--max-threads", max, "-o", out, "--threads", "--", ls_workload("busy"),
		    oracle_path, MAP_FULL_THREADS, MAP_FULL_SPIN, NULL);
	ls_run(a.argv, SOAK_MARGIN_S, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d: %s", r.status, r.err);
	report = ls_load_json(out);
	oracle = ls_load_json(oracle_path);
	dropped = ls_int(json_object_get(report, "drops"), "threads_full");
	ls_cmp_count(&c, "threads not tracked (JSON)", expected, expected, dropped, 0);
	snprintf(line, sizeof(line), "warning: %lld target threads were not tracked",
		 (long long)expected);
	ls_cmp_true(&c, strstr(r.out, line), "the text report says '%s'", line);
	compare_busy(&c, report, oracle, &found);
	/* the tracked: busy's main thread and the first spinners, each compared above */
	ls_cmp_count(&c, "spinners tracked", MAP_FULL_MAX - 1, MAP_FULL_MAX - 1, found, 0);
	soak_result("map full", "%s: %s threads against --max-threads %d: %lld dropped (said in "
		    "JSON and text), %d tracked (main and %d spinners), compared with schedstat",
		    c.failures ? "FAIL" : "ok", MAP_FULL_THREADS, MAP_FULL_MAX, (long long)dropped,
		    found + 1, found);
	ls_cmp_done(&c, "map full");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* A process of the runner's that takes pid next (through ns_last_pid) and spins; its pid. */
static pid_t spawn_with_pid(pid_t want)
{
	for (int i = 0; i < REUSE_TRIES; i++) {
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		char buf[16];
		pid_t child;
		int n;

		ck_assert_msg(fd >= 0, "cannot open ns_last_pid: %s", strerror(errno));
		n = snprintf(buf, sizeof(buf), "%d", want - 1);
		ck_assert_int_eq(write(fd, buf, n), n);
		close(fd);
		child = fork();
		ck_assert_int_ge(child, 0);
		if (child == 0) {
			prctl(PR_SET_NAME, "newcomer");
			oracle_spin(REUSE_SPIN_S);
			_exit(0);
		}
		if (child == want)
			return child;
		waitpid(child, NULL, 0); /* another process took the pid first: again */
	}
	ck_abort_msg("pid %d could not be reused in %d tries", want, REUSE_TRIES);
	return -1;
}

/* A target exits; a non-target takes its pid during the run and is not counted as it. */
START_TEST(test_pid_reuse)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *err_path = ls_path(dir, "err");
	const char *target_argv[] = {"/bin/sleep", "0.5", NULL};
	char pidarg[16];
	struct ls_cmp c = {0};
	struct ls_args a;
	json_t *report;
	const json_t *p;
	pid_t target, ls, newcomer;

	target = ls_spawn(target_argv, NULL, NULL);
	snprintf(pidarg, sizeof(pidarg), "%d", target);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-d", "3", "-o", out, "-p", pidarg, NULL);
	ls = ls_start_observer(&a, err_path);
	ck_assert_int_eq(ls_wait(target, 10, NULL), 0);
	newcomer = spawn_with_pid(target);
	ck_assert_int_eq(ls_wait(newcomer, 10, NULL), 0);
	ck_assert_int_eq(ls_wait(ls, 30, NULL), 0);
	report = ls_load_json(out);
	p = ls_find_process(report, target);
	ls_cmp_true(&c, p, "the target %d is in the report", target);
	if (p) {
		ls_cmp_true(&c, !strcmp(ls_str(p, "comm"), "sleep"),
			    "pid %d is the target (sleep), not '%s'", target, ls_str(p, "comm"));
		ls_cmp_true(&c, ls_int(p, "cpu_ns") < REUSE_CPU_BOUND_NS,
			    "pid %d has the target's CPU, not the newcomer's: %lld ns", target,
			    (long long)ls_int(p, "cpu_ns"));
		ls_cmp_true(&c, ls_bool(p, "exited"), "the target is marked exited");
	}
	ls_cmp_true(&c, json_array_size(json_object_get(report, "processes")) == 1,
		    "only the target is reported: %zu processes",
		    json_array_size(json_object_get(report, "processes")));
	soak_result("pid reuse", "%s: pid %d reused by a non-target during the run; the report "
		    "has the target only", c.failures ? "FAIL" : "ok", target);
	ls_cmp_done(&c, "pid reuse");
	json_decref(report);
}
END_TEST

/* A spinner started in cgroup cg (moved before it execs): argv for ls_spawn. */
static void spinner_in(const char *cg, const char *oracle_path, char *script, size_t len,
		       const char **argv)
{
	snprintf(script, len, "echo $$ > '%s/cgroup.procs' && exec '%s' '%s' 1 %s", cg,
		 ls_workload("busy"), oracle_path, SPIN_SECONDS);
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = script;
	argv[3] = NULL;
}

/* A target cgroup emptied and removed mid-run: the run goes on and says so. */
START_TEST(test_cgroup_removed)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json"), *err_path = ls_path(dir, "err");
	const char *cg = ls_cgroup_make("removed"), *rel = ls_cgroup_rel("removed");
	const char *argv[4];
	char script[PATH_MAX + 256];
	struct ls_cmp c = {0};
	struct ls_args a;
	json_t *report, *oracle;
	const json_t *g;
	char *text = NULL;
	pid_t ls, spinner;
	size_t i;
	int found;
	bool marked = false;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-d", "4", "-o", out, "--threads", "-c", rel, NULL);
	ls = ls_start_observer(&a, err_path);
	spinner_in(cg, oracle_path, script, sizeof(script), argv);
	spinner = ls_spawn(argv, NULL, NULL);
	ck_assert_int_eq(ls_wait(spinner, 30, NULL), 0);
	ck_assert_msg(!rmdir(cg), "cannot remove %s: %s", cg, strerror(errno));
	ck_assert_msg(ls_wait(ls, 30, NULL) == 0, "loadscope: %s", ls_file_tail(err_path));
	report = ls_load_json(out);
	oracle = ls_load_json(oracle_path);
	json_array_foreach(json_object_get(report, "cgroups"), i, g)
		if (!strcmp(ls_str(g, "path"), rel))
			marked = ls_bool(g, "removed");
	ls_cmp_true(&c, marked, "cgroup %s is marked removed in the JSON", rel);
	compare_busy(&c, report, oracle, &found);
	ls_cmp_true(&c, found == 1, "the spinner thread is reported: %d", found);
	{
		const char *show[] = {ls_binary(), "report", out, NULL};
		struct ls_result r;

		ls_run(show, 30, &r);
		text = strstr(r.out, "was removed during the run") ? "said" : NULL;
		ls_result_free(&r);
	}
	ls_cmp_true(&c, text, "the text report says the cgroup was removed");
	soak_result("cgroup removed", "%s: %s emptied and removed mid-run; run completed, figures "
		    "kept and compared with schedstat, removal said", c.failures ? "FAIL" : "ok",
		    rel);
	ls_cmp_done(&c, "cgroup removed");
	json_decref(oracle);
	json_decref(report);
}
END_TEST

/* Two runs on the same cgroup at once: each report matches the oracle. */
START_TEST(test_two_at_once)
{
	const char *dir = ls_tmpdir(), *cg = ls_cgroup_make("twice");
	const char *rel = ls_cgroup_rel("twice"), *oracle_path = ls_path(dir, "oracle.json");
	const char *argv[4];
	char script[PATH_MAX + 256], outs[TWICE_RUNS][PATH_MAX], errs[TWICE_RUNS][PATH_MAX];
	struct ls_cmp c = {0};
	struct ls_args a[TWICE_RUNS];
	pid_t ls[TWICE_RUNS], spinner;
	json_t *oracle;
	int found[TWICE_RUNS];

	for (int i = 0; i < TWICE_RUNS; i++) {
		snprintf(outs[i], sizeof(outs[i]), "%s/out%d.json", dir, i);
		snprintf(errs[i], sizeof(errs[i]), "%s/err%d", dir, i);
		ls_args_loadscope(&a[i], i == 1);
		ls_args_add(&a[i], "-v", "-d", "4", "-o", outs[i], "--threads", "-c", rel, NULL);
		ls[i] = ls_start_observer(&a[i], errs[i]);
	}
	spinner_in(cg, oracle_path, script, sizeof(script), argv);
	spinner = ls_spawn(argv, NULL, NULL);
	ck_assert_int_eq(ls_wait(spinner, 30, NULL), 0);
	oracle = ls_load_json(oracle_path);
	for (int i = 0; i < TWICE_RUNS; i++) {
		json_t *report;

		ck_assert_msg(ls_wait(ls[i], 30, NULL) == 0, "run %d: %s", i, ls_file_tail(errs[i]));
		report = ls_load_json(outs[i]);
		compare_busy(&c, report, oracle, &found[i]);
		ls_cmp_true(&c, found[i] == 1, "run %d reports the spinner thread: %d", i,
			    found[i]);
		json_decref(report);
	}
	soak_result("two at once", "%s: two runs (tp_btf and raw_tp) on cgroup %s together; both "
		    "match schedstat", c.failures ? "FAIL" : "ok", rel);
	ls_cmp_done(&c, "two at once");
	json_decref(oracle);
}
END_TEST

/*
 * loadscope in its own pid namespace: the kernel's events name tasks by their host pids, so it
 * refuses with one line rather than report another task's figures under a namespace pid.
 */
START_TEST(test_pid_namespace)
{
	char script[PATH_MAX + 64];
	const char *argv[] = {"unshare", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c",
			      script, NULL};
	struct ls_cmp c = {0};
	struct ls_result r;

	snprintf(script, sizeof(script), "sleep 2 & exec '%s' -d 0.5 -p $!", ls_binary());
	ls_run(argv, 60, &r);
	ls_cmp_true(&c, r.status == 1, "exit status 1 in a child pid namespace: %d", r.status);
	ls_cmp_true(&c, strstr(r.err, "loadscope: runs in a child pid namespace") &&
			    strstr(r.err, "host pid namespace") && !strchr(strchr(r.err, '\n') + 1, '\n'),
		    "one line says the host pid namespace is needed: %s", r.err);
	ls_cmp_true(&c, !r.out[0], "no report on stdout: %.80s", r.out);
	soak_result("pid namespace", "%s: under unshare --pid --mount-proc: exit 1, one line "
		    "saying the host pid namespace is needed", c.failures ? "FAIL" : "ok");
	ls_cmp_done(&c, "pid namespace");
	ls_result_free(&r);
}
END_TEST

Suite *soak_faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");

	tcase_set_timeout(tc, SOAK_MARGIN_S);
	tcase_add_test(tc, test_map_full);
	tcase_add_test(tc, test_pid_reuse);
	tcase_add_test(tc, test_cgroup_removed);
	tcase_add_test(tc, test_two_at_once);
	tcase_add_test(tc, test_pid_namespace);
	suite_add_tcase(s, tc);
	return s;
}
