/* Integration tests: loadscope's scheduler figures against the kernel's own accounting. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "suites.h"

#define BUSY_THREADS	"4"
#define BUSY_SECONDS	"2"
#define PINGPONG_ROUNDS "20000"

/* Loop index of the tests that run once per program type, then in light mode (tp_btf). */
static bool raw_tp_for(int i)
{
	return i == 1;
}

static bool light_for(int i)
{
	return i == 2;
}

static const char *program_for(int i)
{
	return light_for(i) ? "tp_btf, --no-syscalls" : raw_tp_for(i) ? "raw_tp" : "tp_btf";
}

/* Light mode's report: every figure of the syscall hooks null, the scheduler's present. */
static void check_light(const json_t *report)
{
	static const char *const absent[] = {
		"syscalls",	"offcpu_ns",	 "offcpu_d_by_class", "offcpu_lock_ns",
		"handoff_sent", "handoff_received", "accept_queue",    "handoff_delay",
		"tcp_reads",	"tcp_writes",	 "role",	      "cpu_kernel_ns",
		"cpu_user_ns",
	};
	static const char *const absent_states[] = {"idle_ns", "io_ns", "lock_ns"};
	const json_t *p, *t, *states;
	size_t i, j, k;

	ck_assert_msg(json_is_false(json_object_get(report, "syscalls_traced")),
		      "syscalls_traced is not false in light mode");
	ck_assert_msg(json_is_null(json_object_get(json_object_get(report, "requests"), "count")),
		      "requests.count is not null in light mode without --requests");
	json_array_foreach(json_object_get(report, "processes"), i, p)
	{
		const json_t *objs[64] = {p};
		size_t n = 1;

		json_array_foreach(json_object_get(p, "threads"), j, t)
			if (n < 64)
				objs[n++] = t;
		for (j = 0; j < n; j++) {
			for (k = 0; k < sizeof(absent) / sizeof(absent[0]); k++) {
				const json_t *v = json_object_get(objs[j], absent[k]);

				ck_assert_msg(v && json_is_null(v), "%s is not null in light mode",
					      absent[k]);
			}
			states = json_object_get(objs[j], "states");
			for (k = 0; k < sizeof(absent_states) / sizeof(absent_states[0]); k++)
				ck_assert_msg(
					json_is_null(json_object_get(states, absent_states[k])),
					"states.%s is not null in light mode", absent_states[k]);
			/* what the scheduler tells stays a number */
			ls_int(states, "running_ns");
			ls_int(states, "runnable_ns");
			ls_int(states, "other_ns");
			ls_int(objs[j], "offcpu_d_ns");
		}
	}
}

/* Whether the report has the finding called id. */
static bool has_finding(const json_t *report, const char *id)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(report, "findings"), i, f)
		if (!strcmp(ls_str(f, "id"), id))
			return true;
	return false;
}

/*
 * The observer section: the kernel's run-time statistics for every program loaded, the sys_enter
 * program run at least once for each syscall the targets made (it runs for every task's); and the
 * observer_cost finding as expected.
 */
enum cost { CHEAP, COSTLY, EITHER };
/* the finding's threshold (OBSERVER_COST_SHARE in core/analysis.h): of the CPUs' time */
#define OBSERVER_COST_SHARE_TEST 0.05

static void check_observer(const json_t *report, bool raw_tp, bool light, enum cost cost)
{
	const json_t *o = json_object_get(report, "observer"), *p, *proc, *cls;
	const char *enter = raw_tp ? "ls_r_sys_enter" : "ls_sys_enter";
	int64_t enter_runs = -1, syscalls = 0, sum_ns = 0;
	double share;
	const char *name;
	size_t i;

	ck_assert_msg(json_is_object(o), "no observer section");
	ck_assert_str_eq(ls_str(o, "source"), "bpf_stats");
	share = json_number_value(json_object_get(o, "sampled_share"));
	ck_assert_msg(share > 0 && share <= 1, "sampled_share %f", share);
	json_array_foreach(json_object_get(o, "programs"), i, p)
	{
		sum_ns += ls_int(p, "run_ns");
		if (!strcmp(ls_str(p, "name"), enter))
			enter_runs = ls_int(p, "runs");
		if (!strcmp(ls_str(p, "name"), raw_tp ? "ls_r_switch" : "ls_sched_switch"))
			ck_assert_int_gt(ls_int(p, "runs"), 0);
	}
	ck_assert_int_eq(sum_ns, ls_int(o, "run_ns"));
	ck_assert_int_gt(sum_ns, 0);
	if (light) {
		ck_assert_msg(enter_runs < 0, "%s loaded in light mode", enter);
	} else {
		json_array_foreach(json_object_get(report, "processes"), i, proc)
			json_object_foreach(json_object_get(proc, "syscalls"), name, cls)
				syscalls += ls_int(cls, "count");
		/* counted the whole run: exact; sampled: scaled up from a part of it */
		ck_assert_msg(syscalls > 0 && (share < 1 ? enter_runs > 0 : enter_runs >= syscalls),
			      "%s ran %lld times (sampled %.3f of the run) for %lld target "
			      "syscalls",
			      enter, (long long)enter_runs, share, (long long)syscalls);
	}
	/*
	 * In an emulated guest the programs themselves run many times slower, so a cheap run there
	 * can really cost 5%: the finding must then follow the cost the report gives
	 */
	if (cost == CHEAP && getenv("LOADSCOPE_GUEST")) {
		const json_t *b = json_object_get(json_object_get(report, "cpu_budget"), "total_ns");
		double total = json_is_integer(b) && json_integer_value(b) > 0
				       ? (double)json_integer_value(b)
				       : (double)ls_int(report, "cpus") *
						 (double)ls_int(report, "duration_ns");

		cost = (double)sum_ns >= OBSERVER_COST_SHARE_TEST * total ? COSTLY : CHEAP;
	}
	ck_assert_msg(cost == EITHER || has_finding(report, "observer_cost") == (cost == COSTLY),
		      "observer_cost %s (the programs ran %lld ns in %lld ns on %lld CPUs)",
		      cost == COSTLY ? "missing" : "reported", (long long)sum_ns,
		      (long long)ls_int(report, "duration_ns"), (long long)ls_int(report, "cpus"));
}

/* Runs loadscope on a command and returns its report; fails unless it exited 0 and cleaned up. */
json_t *ls_run_report(bool raw_tp, const char *out, const char *const command[], double timeout_s,
		      struct ls_result *r)
{
	return ls_run_report_mode(raw_tp, false, out, command, timeout_s, r);
}

json_t *ls_run_report_mode(bool raw_tp, bool light, const char *out, const char *const command[],
			   double timeout_s, struct ls_result *r)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_args a;
	json_t *report, *argv;
	int i;

	ls_args_loadscope(&a, raw_tp);
	if (light)
		ls_args_add(&a, "--no-syscalls", NULL);
	ls_args_add(&a, "-o", out, "--threads", "--", NULL);
	for (i = 0; command[i]; i++)
		ls_args_add(&a, command[i], NULL);
	ls_run(a.argv, timeout_s, r);
	ck_assert_msg(r->status == 0, "loadscope exited %d after %.1f s; stderr: %s", r->status,
		      r->elapsed_s, r->err);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	ck_assert_str_eq(ls_str(report, "program"), raw_tp ? "raw_tp" : "tp_btf");
	ck_assert_int_eq(ls_int(report, "command_exit"), 0);
	if (light)
		check_light(report);
	else
		ck_assert_msg(json_is_true(json_object_get(report, "syscalls_traced")),
			      "syscalls_traced is not true");
	argv = json_object_get(report, "command");
	ck_assert_msg(json_is_array(argv), "command is not an array");
	for (i = 0; command[i]; i++) {
		const json_t *arg = json_array_get(argv, i);

		ck_assert_msg(json_is_string(arg) && !strcmp(json_string_value(arg), command[i]),
			      "command[%d] is not '%s'", i, command[i]);
	}
	ck_assert_int_eq(json_array_size(argv), i);
	return report;
}

/* Four spinning threads on a 2-CPU machine: half their time on a CPU, half waiting for one. */
START_TEST(test_busy)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *command[] = {ls_workload("busy"), oracle_path, BUSY_THREADS, BUSY_SECONDS,
				 NULL};
	json_t *report, *oracle, *process, *ot, *thread;
	struct ls_cmp c = {0};
	struct ls_result r;
	char who[64];
	size_t i;
	int pid;

	report = ls_run_report_mode(raw_tp_for(_i), light_for(_i), out, command, 60, &r);
	oracle = ls_load_json(oracle_path);
	pid = ls_int(oracle, "pid");
	process = ls_find_process(report, pid);
	ck_assert_msg(process, "busy (pid %d) is not in the report", pid);
	ck_assert_str_eq(ls_str(process, "comm"), "busy");
	ck_assert_int_eq(ls_int(process, "ppid"), r.pid);
	ck_assert_msg(ls_bool(process, "exited"), "busy ended during the run but exited is false");
	/* the main thread and the spinners, each reported once */
	ck_assert_int_eq(json_array_size(json_object_get(process, "threads")),
			 atoi(BUSY_THREADS) + 1);
	ck_assert_msg(ls_int(report, "duration_ns") >= atoi(BUSY_SECONDS) * 1000000000LL,
		      "duration_ns %lld is shorter than the command's %s s",
		      (long long)ls_int(report, "duration_ns"), BUSY_SECONDS);

	if (ls_verbose())
		printf("# busy, %s:\n", program_for(_i));
	json_array_foreach(json_object_get(oracle, "threads"), i, ot)
	{
		int tid = ls_int(ot, "tid");

		thread = ls_find_thread(process, tid);
		snprintf(who, sizeof(who), "thread %d", tid);
		ls_cmp_true(&c, thread, "%s is in the report", who);
		if (!thread)
			continue;
		ls_cmp_true(&c, ls_bool(thread, "exited"), "%s is marked exited", who);
		ls_compare_task(&c, who, ot, thread);
	}
	ls_cmp_done(&c, "busy");
	/* spinning threads make no syscalls and few switches: the programs cost next to nothing */
	check_observer(report, raw_tp_for(_i), light_for(_i), CHEAP);
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* Two processes that block on every round: the voluntary switches count the rounds. */
START_TEST(test_pingpong)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *command[] = {ls_workload("pingpong"), oracle_path, PINGPONG_ROUNDS, NULL};
	static const char *const sides[] = {"parent", "child"};
	json_t *report, *oracle, *side, *process;
	struct ls_cmp c = {0};
	struct ls_result r;
	int pids[2], i;

	report = ls_run_report_mode(raw_tp_for(_i), light_for(_i), out, command, 60, &r);
	oracle = ls_load_json(oracle_path);
	if (ls_verbose())
		printf("# pingpong, %s:\n", program_for(_i));
	for (i = 0; i < 2; i++) {
		side = json_object_get(oracle, sides[i]);
		pids[i] = ls_int(side, "pid");
		process = ls_find_process(report, pids[i]);
		ck_assert_msg(process, "pingpong %s (pid %d) is not in the report", sides[i],
			      pids[i]);
		ck_assert_str_eq(ls_str(process, "comm"), "pingpong");
		ck_assert_int_eq(ls_int(process, "ppid"), i ? pids[0] : r.pid);
		ck_assert_int_eq(json_array_size(json_object_get(process, "threads")), 1);
		ck_assert_msg(ls_bool(process, "exited"), "pingpong %s: exited is false", sides[i]);
		ls_compare_task(&c, sides[i], side, process);
	}
	ls_cmp_done(&c, "pingpong");
	/* how much of the CPUs the rounds take depends on who else runs: either way */
	check_observer(report, raw_tp_for(_i), light_for(_i), EITHER);
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/*
 * A thread writing a byte to /dev/null in a loop: the syscall programs take a large share of
 * its time, so of the CPUs' time too (5% needs a tenth of one CPU for it: 8% of a 2-CPU machine
 * even if the thread only got half a CPU), and the observer_cost finding fires.
 */
START_TEST(test_observer_cost)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *command[] = {ls_workload("sysio"), ls_path(dir, "oracle.json"), "100000", "1",
				 "0", "1", "0", "0", "0", "0", NULL};
	struct ls_result r;
	json_t *report;
	FILE *f;

	/* statistics on already, for the whole run: loadscope reads them unsampled */
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "w");
	ck_assert_msg(f && fputs("1", f) >= 0 && !fclose(f), "cannot enable bpf_stats");
	report = ls_run_report_mode(raw_tp_for(_i), false, out, command, 60, &r);
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "w");
	ck_assert_msg(f && fputs("0", f) >= 0 && !fclose(f), "cannot disable bpf_stats");
	ck_assert_msg(json_number_value(json_object_get(json_object_get(report, "observer"),
							"sampled_share")) == 1,
		      "statistics on for the whole run, but sampled_share is not 1");
	check_observer(report, raw_tp_for(_i), false, COSTLY);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

Suite *ls_sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc;

	tc = tcase_create("busy");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_busy, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("pingpong");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_pingpong, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("observer_cost");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_observer_cost, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
