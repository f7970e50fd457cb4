/* Integration tests of the analysis: thread states of a workload whose split of time is known. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

/* A share of a thread's time against the workload's own clock: within 5 points. */
#define LS_STATE_TOLERANCE 0.05
/* The states add up to the thread's time alive: within 1%. */
#define LS_STATE_SUM_TOLERANCE 0.01
/* A thread parked on a condition variable: at most this share in lock waits (it retakes the
 * mutex the signaller holds, for microseconds). */
#define LS_PARK_LOCK_MAX 0.01
/*
 * Kernel share of a thread's CPU against getrusage's split, which the kernel samples at each
 * tick: 4 s of CPU at HZ 250 are 1000 samples, so 3 standard deviations of a share near a half
 * are 4.7 points; the syscall entry and exit paths outside sys_enter..sys_exit add up to 3
 * more (measured): within 8 points.
 */
#define LS_SPLIT_TOLERANCE 0.08
/* Kernel time inside the read loop: the loop's clock_gettime calls and the syscall entry and
 * exit paths outside sys_enter..sys_exit take the rest. */
#define LS_SPLIT_READS_MIN 0.85

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
	double idle, busy, want_idle, want_busy, woken;
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
	/*
	 * the workload's epoll_wait clock also runs while, its timeout over, it waits for a CPU:
	 * at most its running and runnable time besides the spinning it timed
	 */
	woken = busy - want_busy > 0 ? busy - want_busy : 0;
	ck_assert_msg(idle > want_idle - woken - LS_STATE_TOLERANCE &&
			      idle < want_idle + LS_STATE_TOLERANCE,
		      "idle share %.3f, the workload waited in epoll_wait %.3f (%.3f on or waiting "
		      "for a CPU besides spinning)",
		      idle, want_idle, woken);
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

/*
 * -i 0.2 over a 1.5 s spinning run: one plain line per interval on a non-terminal stdout, the same
 * intervals in the JSON, back to back on the 0.2 s grid, and their CPU time adding up to the run's (all but the
 * part after the last tick, and never more: within LS_TIME_TOLERANCE).
 */
START_TEST(test_intervals)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	uint32_t baseline = ls_bpf_max_prog_id();
	json_t *report, *oracle, *intervals, *iv, *p, *process;
	uint64_t sum = 0, prev_end = 0, cpu, last_end = 0, duration;
	size_t i, k, lines = 0;
	struct ls_result r;
	struct ls_args a;
	int pid;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-i", "0.2", "-o", out, "--", ls_workload("busy"), oracle_path, "2", "1.5",
		    NULL);
	ls_run(a.argv, 60, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d: %s", r.status, r.err);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	oracle = ls_load_json(oracle_path);
	pid = ls_int(oracle, "pid");
	process = ls_find_process(report, pid);
	ck_assert_ptr_nonnull(process);
	ck_assert_int_eq(ls_int(report, "interval_ns"), 200000000);
	intervals = json_object_get(report, "intervals");
	/* 7 ticks in 1.5 s; a slow machine may skip some, but not most */
	ck_assert_msg(json_array_size(intervals) >= 3 && json_array_size(intervals) <= 8,
		      "%zu intervals in a 1.5 s run at 0.2 s", json_array_size(intervals));
	for (const char *c = r.out; (c = strstr(c, "t=")); c += 2)
		if (c == r.out || c[-1] == '\n')
			lines++;
	ck_assert_uint_eq(lines, json_array_size(intervals));
	json_array_foreach(intervals, i, iv) {
		uint64_t end = ls_int(iv, "end_ns"), len = ls_int(iv, "duration_ns");

		/* ticks keep to the 0.2 s grid: one late by a slow sample shortens the next */
		ck_assert_msg(end > prev_end && len > 0 && len <= 450000000 && end - prev_end == len,
			      "interval %zu: end %llu after %llu, %llu long", i,
			      (unsigned long long)end, (unsigned long long)prev_end,
			      (unsigned long long)len);
		prev_end = last_end = end;
		json_array_foreach(json_object_get(iv, "processes"), k, p)
			if (ls_int(p, "pid") == pid)
				sum += ls_int(p, "cpu_ns");
	}
	cpu = ls_int(process, "cpu_ns");
	duration = ls_int(report, "duration_ns");
	ck_assert_msg((double)sum <= (double)cpu * (1 + LS_TIME_TOLERANCE),
		      "intervals add up to %llu ns of CPU, the run has %llu",
		      (unsigned long long)sum, (unsigned long long)cpu);
	ck_assert_msg((double)sum >= (double)cpu * ((double)last_end / (double)duration) * 0.8,
		      "intervals add up to %llu ns of CPU; the run has %llu, %.0f%% of it before the "
		      "last tick", (unsigned long long)sum, (unsigned long long)cpu,
		      100.0 * (double)last_end / (double)duration);
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* A thread's state share: its nanoseconds over its time alive. */
static double thread_share(const json_t *thread, const char *state)
{
	return (double)ls_int(json_object_get(thread, "states"), state) /
	       (double)ls_int(thread, "alive_ns");
}

/*
 * Futex waits told apart: threads taking turns on a pthread mutex block for a lock (lock_ns, as
 * long as they waited in pthread_mutex_lock by their own clock); pool threads waiting on a
 * condition variable for work are parked (idle_ns, as long as pthread_cond_wait), with no lock
 * time. The workload's clock also counts the time inside the call on a CPU or waiting for one
 * (woken, retrying), at most the thread's running and runnable time besides the spinning it
 * timed; so the state lies between that clock less this and the clock, each within
 * LS_STATE_TOLERANCE; on both program kinds.
 */
START_TEST(test_futex_lock_and_park)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *mode = _i / 2 ? "park" : "lock";
	/* lock: 2 threads x 200 turns of 5 ms; park: one 5 ms task every 10 ms for 2 threads */
	const char *command[] = {ls_workload("futexes"), oracle_path, mode, "2", "200", "5", NULL};
	json_t *report, *oracle, *process, *thread, *w;
	double lock, idle, runq, held, waited, most_waited = 0;
	struct ls_result r;
	size_t i;

	report = ls_run_report(_i % 2, out, command, 60, &r);
	oracle = ls_load_json(oracle_path);
	process = ls_find_process(report, ls_int(oracle, "pid"));
	ck_assert_ptr_nonnull(process);
	json_array_foreach(json_object_get(oracle, "threads"), i, w)
	{
		thread = ls_find_thread(process, ls_int(w, "tid"));
		ck_assert_ptr_nonnull(thread);
		waited = (double)ls_int(w, "waited_ns") / (double)ls_int(thread, "alive_ns");
		lock = thread_share(thread, "lock_ns");
		idle = thread_share(thread, "idle_ns");
		/*
		 * the wait by the thread's clock also holds its time on a CPU or waiting for one
		 * inside the call (woken, retrying): at most its running and runnable time outside
		 * the spinning the workload timed
		 */
		held = (double)ls_int(w, "held_ns") / (double)ls_int(thread, "alive_ns");
		runq = thread_share(thread, "running_ns") + thread_share(thread, "runnable_ns") - held;
		runq = runq > 0 ? runq : 0;
		most_waited = waited > most_waited ? waited : most_waited;
		if (ls_verbose())
			printf("# futexes %s thread %lld: lock %.3f idle %.3f, waited %.3f\n", mode,
			       (long long)ls_int(w, "tid"), lock, idle, waited);
		if (!strcmp(mode, "lock")) {
			ck_assert_msg(lock <= waited + LS_STATE_TOLERANCE &&
					      lock >= waited - runq - LS_STATE_TOLERANCE,
				      "lock share %.3f, the thread waited in pthread_mutex_lock %.3f "
				      "(%.3f of its time on or waiting for a CPU besides spinning)",
				      lock, waited, runq);
		} else {
			ck_assert_msg(lock <= LS_PARK_LOCK_MAX,
				      "lock share %.3f of a thread parked on a condition variable",
				      lock);
			ck_assert_msg(idle <= waited + LS_STATE_TOLERANCE &&
					      idle >= waited - runq - LS_STATE_TOLERANCE,
				      "idle share %.3f, the thread waited in pthread_cond_wait %.3f "
				      "(%.3f of its time on or waiting for a CPU besides spinning)",
				      idle, waited, runq);
		}
		ck_assert_str_eq(ls_str(thread, "kind"), "serving");
	}
	/* the workloads are built so: a mutex taken in turns (glibc's is not fair: a thread often
	 * retakes it at once) is waited for a part of the time, a pool idles most of it */
	ck_assert_msg(most_waited >= (strcmp(mode, "lock") ? 0.5 : 0.15),
		      "the workload's threads waited at most %.3f", most_waited);
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/*
 * The CPU split: 40 rounds of 50 ms spinning in user space, then 50 ms of 1 MiB reads from
 * /dev/zero. Kernel time against the thread's own getrusage(RUSAGE_THREAD): the kernel samples
 * that split at each tick (HZ 250: 4 ms), so it is compared as a share of the thread's CPU,
 * within LS_SPLIT_TOLERANCE; and it is never more than the time the workload spent in its read
 * loop by its own clock (and its other syscalls), nor less than LS_SPLIT_READS_MIN of it less the
 * time it waited for a CPU.
 */
START_TEST(test_cpu_split)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *command[] = {ls_workload("cpusplit"), oracle_path, "40", "50", "50", NULL};
	json_t *report, *oracle, *process, *thread;
	double kernel, want, in_reads, others, runq;
	int64_t cpu, user, sys;
	struct ls_result r;

	report = ls_run_report(_i, out, command, 60, &r);
	oracle = ls_load_json(oracle_path);
	process = ls_find_process(report, ls_int(oracle, "pid"));
	ck_assert_ptr_nonnull(process);
	thread = ls_find_thread(process, ls_int(oracle, "tid"));
	ck_assert_ptr_nonnull(thread);
	cpu = ls_int(thread, "cpu_ns");
	user = ls_int(thread, "cpu_user_ns");
	sys = ls_int(thread, "cpu_kernel_ns");
	ck_assert_int_eq(user + sys, cpu);
	kernel = (double)sys / (double)cpu;
	want = (double)ls_int(oracle, "stime_ns") /
	       (double)(ls_int(oracle, "stime_ns") + ls_int(oracle, "utime_ns"));
	in_reads = (double)ls_int(oracle, "in_reads_ns");
	if (ls_verbose())
		printf("# cpusplit: kernel %.3f of CPU (getrusage %.3f), %.0f ms of %.0f ms in reads\n",
		       kernel, want, sys / 1e6, in_reads / 1e6);
	ck_assert_msg(fabs(kernel - want) <= LS_SPLIT_TOLERANCE,
		      "kernel share of CPU %.3f, getrusage says %.3f", kernel, want);
	/*
	 * its other syscalls: where the vDSO cannot read the clock (an emulated guest's clock
	 * source), the spinning part's clock_gettime calls are syscalls too
	 */
	others = (double)ls_int(json_object_get(json_object_get(thread, "syscalls"), "other"),
				"total_ns");
	/* the read loop's clock also runs while the thread waits for a CPU: at most its runq_wait */
	runq = (double)ls_int(thread, "runq_wait_ns");
	ck_assert_msg((double)sys <= in_reads + others &&
			      (double)sys >= LS_SPLIT_READS_MIN * in_reads - runq,
		      "kernel time %lld ns, the workload read for %.0f ns (other syscalls %.0f ns, "
		      "waiting for a CPU %.0f ns)",
		      (long long)sys, in_reads, others, runq);
	/* the process's split is its threads' */
	ck_assert_int_eq(ls_int(process, "cpu_kernel_ns"), sys);
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
	tcase_add_test(tc, test_intervals);
	/* lock and park, each on tp_btf and raw_tp */
	tcase_add_loop_test(tc, test_futex_lock_and_park, 0, 4);
	suite_add_tcase(s, tc);

	tc = tcase_create("cpu_split");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_cpu_split, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
