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

/* Loop index of the tests that run once per program type. */
static bool raw_tp_for(int i)
{
	return i == 1;
}

static const char *program_for(int i)
{
	return raw_tp_for(i) ? "raw_tp" : "tp_btf";
}

/* Runs loadscope on a command and returns its report; fails unless it exited 0 and cleaned up. */
json_t *ls_run_report(bool raw_tp, const char *out, const char *const command[], double timeout_s,
		      struct ls_result *r)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_args a;
	json_t *report, *argv;
	int i;

	ls_args_loadscope(&a, raw_tp);
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

/*
 * The oracle's figure for one field: the value at the workload's last reading, and the least
 * loadscope may have seen. A process loadscope started existed before the programs were attached
 * (it was forked, then released once they were); what it did before main() is in "at_start", and
 * loadscope counted from some moment in between, so its figure lies in [end - start, end].
 */
static void oracle_range(const json_t *oracle, const char *key, uint64_t *lo, uint64_t *hi)
{
	const json_t *start = json_object_get(oracle, "at_start");

	*hi = ls_int(oracle, key);
	*lo = start ? *hi - ls_int(start, key) : *hi;
}

/* Compares a thread's or process's figures with the oracle the workload wrote for it. */
static void compare_task(struct ls_cmp *c, const char *who, const json_t *oracle,
			 const json_t *measured)
{
	static const struct {
		const char *oracle_key, *report_key;
		uint64_t floor_ns; /* 0 for counts */
	} fields[] = {
		{"cpu_ns", "cpu_ns", LS_CPU_FLOOR_NS},
		{"runq_wait_ns", "runq_wait_ns", LS_RUNQ_FLOOR_NS},
		/* every switch-in ends one wait, and schedstat's pcount counts switch-ins */
		{"runs", "runq_count", 0},
		{"voluntary", "voluntary_switches", 0},
		{"involuntary", "involuntary_switches", 0},
		{"migrations", "migrations", 0},
	};
	uint64_t lo, hi, got;
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/*
		 * every field is required: migrations come from /proc/<tid>/sched, which every
		 * supported kernel has (CONFIG_SCHED_DEBUG in Debian's, 5.10 and 6.1 included)
		 */
		if (!json_object_get(oracle, fields[i].oracle_key)) {
			ls_cmp_true(c, false, "%s: the oracle has no %s (no /proc/<tid>/sched?)", who,
				    fields[i].oracle_key);
			continue;
		}
		oracle_range(oracle, fields[i].oracle_key, &lo, &hi);
		got = ls_int(measured, fields[i].report_key);
		snprintf(what, sizeof(what), "%s %s", who, fields[i].report_key);
		if (fields[i].floor_ns)
			ls_cmp_time(c, what, lo, hi, got, fields[i].floor_ns);
		else
			ls_cmp_count(c, what, lo, hi, got, LS_COUNT_TOLERANCE);
	}
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

	report = ls_run_report(raw_tp_for(_i), out, command, 60, &r);
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
		compare_task(&c, who, ot, thread);
	}
	ls_cmp_done(&c, "busy");
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

	report = ls_run_report(raw_tp_for(_i), out, command, 60, &r);
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
		compare_task(&c, sides[i], side, process);
	}
	ls_cmp_done(&c, "pingpong");
	json_decref(oracle);
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
	tcase_add_loop_test(tc, test_busy, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("pingpong");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_pingpong, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
