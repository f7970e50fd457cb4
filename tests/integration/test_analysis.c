/* Integration tests of the analysis: thread states of a workload whose split of time is known. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

/* A share of a thread's time against the workload's own clock: within 5 points. */
#define LS_STATE_TOLERANCE 0.05
/* The states add up to the thread's time alive: within 1%. */
#define LS_STATE_SUM_TOLERANCE 0.01

static double state_share(const json_t *states, const char *key, uint64_t total)
{
	return total ? (double)ls_int(states, key) / (double)total : 0;
}

/* 100 rounds of 20 ms in epoll_wait for nothing, then 20 ms spinning: half idle, half running. */
START_TEST(test_half_idle)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *command[] = { ls_workload("halfidle"), oracle_path, "100", "20", "20", NULL };
	static const char *const keys[] = { "running_ns", "runnable_ns", "idle_ns", "io_ns",
					    "lock_ns", "uninterruptible_ns", "other_ns" };
	json_t *report, *oracle, *process, *thread, *states;
	double idle, busy, want_idle, want_busy;
	uint64_t total = 0, alive;
	struct ls_result r;

	report = ls_run_report(false, out, command, 60, &r);
	oracle = ls_load_json(oracle_path);
	process = ls_find_process(report, ls_int(oracle, "pid"));
	ck_assert_ptr_nonnull(process);
	thread = ls_find_thread(process, ls_int(oracle, "tid"));
	ck_assert_ptr_nonnull(thread);
	states = json_object_get(thread, "states");
	ck_assert_msg(json_is_object(states), "thread has no states object");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		total += ls_int(states, keys[i]);
	alive = ls_int(thread, "alive_ns");
	ck_assert_msg(alive > 0 && total >= alive &&
			      (double)(total - alive) <= LS_STATE_SUM_TOLERANCE * (double)alive,
		      "states add up to %llu ns, the thread was alive %llu ns",
		      (unsigned long long)total, (unsigned long long)alive);

	/* the workload's own clock: time in epoll_wait, and time spinning (on a CPU or waiting) */
	want_idle = (double)ls_int(oracle, "idle_ns") / (double)total;
	want_busy = (double)ls_int(oracle, "spin_ns") / (double)total;
	idle = state_share(states, "idle_ns", total);
	busy = state_share(states, "running_ns", total) + state_share(states, "runnable_ns", total);
	if (ls_verbose())
		printf("# halfidle: idle %.3f (workload %.3f), running+runnable %.3f (workload %.3f)\n",
		       idle, want_idle, busy, want_busy);
	ck_assert_msg(want_idle > 0.3 && want_busy > 0.3, "workload split %.2f/%.2f is not a half",
		      want_idle, want_busy);
	ck_assert_msg(idle > want_idle - LS_STATE_TOLERANCE && idle < want_idle + LS_STATE_TOLERANCE,
		      "idle share %.3f, the workload waited in epoll_wait %.3f", idle, want_idle);
	ck_assert_msg(busy > want_busy - LS_STATE_TOLERANCE && busy < want_busy + LS_STATE_TOLERANCE,
		      "running+runnable share %.3f, the workload spun %.3f", busy, want_busy);
	/* all those waits were in the poll class */
	ck_assert_int_ge(ls_int(json_object_get(json_object_get(thread, "syscalls"), "poll"),
				"count"),
			 100);
	ck_assert_str_eq(ls_str(thread, "role"), "other");
	ck_assert_msg(json_is_array(json_object_get(report, "findings")), "no findings array");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

Suite *ls_analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("states");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_half_idle);
	suite_add_tcase(s, tc);
	return s;
}
