/* Helpers for integration tests: run loadscope and workloads, read their JSON, check cleanup. */
#ifndef LOADSCOPE_TEST_HARNESS_H
#define LOADSCOPE_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <check.h>
#include <jansson.h>

/* Exit status the runner returns when it cannot run at all outside CI (Automake's skip code). */
#define LS_EXIT_SKIP 77

/*
 * Relative tolerance for figures loadscope and the kernel both count (on-CPU and run-queue
 * time). Both sum the same intervals, so they differ only by what happens between the workload's
 * last /proc reading and its exit, plus the staleness of se.sum_exec_runtime for a running task.
 */
#define LS_TIME_TOLERANCE 0.02
/*
 * Absolute floors, for small totals where 2% is less than what the two sides can honestly differ
 * by. On-CPU: the kernel updates se.sum_exec_runtime of a running task only at a tick or a switch,
 * so a task reading its own schedstat sees a value up to one tick old (4 ms at HZ=250).
 * Run-queue wait is exact on both sides; what remains is one wait after the workload's last
 * reading, on its way to exit, which on an idle 2-CPU machine stays well under 2 ms.
 */
#define LS_CPU_FLOOR_NS	 4000000LL
#define LS_RUNQ_FLOOR_NS 2000000LL
/*
 * Counts (switches, run-queue waits against schedstat's switch-ins, migrations): exact but for
 * the exit path's own, which come after the workload's last reading.
 */
#define LS_COUNT_TOLERANCE 2

/* A histogram as the JSON lists it, its buckets checked in order and summed. */
struct ls_hist_sum {
	int64_t count;
	int64_t min_ns, max_ns;  /* what the events can add up to: count x lower, count x upper */
	int64_t first_lower;     /* the lowest bucket's lower bound; -1 when empty */
	int64_t last_lower;      /* the highest bucket's bounds */
	int64_t top_upper;
};
void ls_hist_sum(const json_t *hist, const char *what, struct ls_hist_sum *out);

/* Outcome of one command run to completion. */
struct ls_result {
	pid_t pid;	  /* process that ran, so a test can check it is the parent of a command */
	int status;	  /* exit code, 128 + signal when killed, -1 when it timed out */
	double elapsed_s; /* wall time from fork to exit */
	char *out;	  /* captured stdout, NUL-terminated */
	char *err;	  /* captured stderr, NUL-terminated */
};

/* A command line built piece by piece; argv stays NULL-terminated. */
#define LS_MAX_ARGS 64
struct ls_args {
	const char *argv[LS_MAX_ARGS + 1];
	int argc;
};
/* Starts a loadscope command line: the binary, then --raw-tp when raw_tp is set. */
void ls_args_loadscope(struct ls_args *a, bool raw_tp);
/* Appends the NULL-terminated arguments that follow. */
void ls_args_add(struct ls_args *a, ...) __attribute__((sentinel));

/* Path of the loadscope binary ($LOADSCOPE or ./loadscope) and of a workload binary. */
const char *ls_binary(void);
const char *ls_workload(const char *name);

/* A fresh directory under the run's temporary directory; removed with everything else at exit. */
const char *ls_tmpdir(void);
/* Path NAME inside DIR, in a static rotating buffer good for a handful of calls. */
const char *ls_path(const char *dir, const char *name);
/* Creates the run's base directory; ls_cleanup_base() removes it and all it holds. */
int ls_init_base(void);
void ls_cleanup_base(void);

/*
 * Test cgroups, under the cgroup2 mount found in /proc/self/mounts (a test fails, never skips,
 * when there is none): <mount>/loadscope-test-<runner pid>/NAME. ls_cgroup_make creates NAME
 * (and its parents) and returns its absolute path (a static rotating buffer, as ls_path);
 * ls_cgroup_rel gives the same cgroup relative to the mount, as loadscope reports it.
 */
const char *ls_cgroup2_mount(void);
const char *ls_cgroup_make(const char *name);
const char *ls_cgroup_rel(const char *name);
/* Moves process pid (all its threads) into the cgroup at dir. */
void ls_cgroup_move(const char *dir, pid_t pid);
/* Removes every test cgroup (their processes must have exited); best effort. */
void ls_cgroup_cleanup(void);

/*
 * A test cgroup of the cpu controller, in the hierarchy that has it: cgroup v2 when the cgroup2
 * mount's root lists cpu in cgroup.controllers (the test enables it on the way down:
 * <mount>/loadscope-test-<runner pid>/cpu/NAME), else the cgroup v1 hierarchy mounted with the
 * cpu option (<its mount>/loadscope-test-<runner pid>/NAME). Fails the test, never skips, when
 * neither is there or the cgroup cannot be made. ls_cgroup_cleanup removes it too.
 */
struct ls_cpu_cgroup {
	bool v2;
	char dir[4096]; /* absolute */
	char rel[4096]; /* in its hierarchy, as /proc/PID/cgroup and loadscope name it */
};
void ls_cpu_cgroup_make(const char *name, struct ls_cpu_cgroup *out);
/* Writes text into file of the cgroup at dir (cpu.max, cpu.cfs_quota_us, ...). */
void ls_cgroup_write(const char *dir, const char *file, const char *text);

/* Runs argv to completion, killing it after timeout_s; captures its output. */
void ls_run(const char *const argv[], double timeout_s, struct ls_result *r);
void ls_result_free(struct ls_result *r);

/*
 * The last 4 KB of a file (loadscope's stderr: with -v, libbpf's messages come first), in a static
 * buffer, NUL-terminated; "" when it does not exist.
 */
const char *ls_file_tail(const char *path);
/*
 * A server started as ls_spawn does, with its output in out_path, waited for until it prints
 * "ready PID PORT": returns PID (and PORT in *port, when not NULL); fails the test after
 * timeout_s. *spawned is the process started (a cluster's primary is PID itself).
 */
pid_t ls_spawn_ready(const char *const argv[], const char *out_path, double timeout_s,
		     pid_t *spawned, int *port);
/* Starts argv in the background with output to files (NULL: /dev/null); it dies with the test. */
pid_t ls_spawn(const char *const argv[], const char *out_path, const char *err_path);
/* Waits for pid up to timeout_s: exit code, 128 + signal, or -1 after killing it on timeout. */
int ls_wait(pid_t pid, double timeout_s, double *elapsed_s);
/* Waits until /proc/PID/task holds at least n threads; false on timeout. */
bool ls_wait_threads(pid_t pid, int n, double timeout_s);

double ls_now_s(void);
void ls_sleep_s(double s);

/* Parsed JSON file, or a test failure naming the file and the parse error. */
json_t *ls_load_json(const char *path);
/* Integer field of an object (fails the test when absent or not an integer). */
int64_t ls_int(const json_t *obj, const char *key);
const char *ls_str(const json_t *obj, const char *key);
bool ls_bool(const json_t *obj, const char *key);
/* The report's process with this pid, its thread with this tid; NULL when absent. */
json_t *ls_find_process(const json_t *report, int pid);
json_t *ls_find_thread(const json_t *process, int tid);
/* Process holding thread tid, or NULL. */
json_t *ls_find_thread_anywhere(const json_t *report, int tid, json_t **process);

/* Checks the report's shape and internal consistency (sums, histogram, percentile order). */
void ls_check_report(const json_t *report);

/*
 * Accumulates comparisons against an oracle so one failing figure does not hide the others;
 * ls_cmp_done() fails the test with every mismatch listed.
 */
struct ls_cmp {
	char *log;
	size_t len;
	int failures;
};
/*
 * The expected value is the interval [lo, hi], a single value when lo == hi. Times pass within
 * max(LS_TIME_TOLERANCE * hi, floor_ns) of it, counts within tolerance.
 */
void ls_cmp_time(struct ls_cmp *c, const char *what, uint64_t lo, uint64_t hi, uint64_t measured,
		 uint64_t floor_ns);
void ls_cmp_count(struct ls_cmp *c, const char *what, uint64_t lo, uint64_t hi, uint64_t measured,
		  uint64_t tolerance);
void ls_cmp_true(struct ls_cmp *c, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ls_cmp_done(struct ls_cmp *c, const char *test);

/*
 * Compares a thread's or process's figures (cpu_ns, runq_wait_ns, runq_count, switches,
 * migrations) with the oracle a workload wrote for it (tests/workloads/oracle.h), into c.
 */
void ls_compare_task(struct ls_cmp *c, const char *who, const json_t *oracle,
		     const json_t *measured);

/*
 * loadscope (argv a, which must include -v) started in the background, returned once it has
 * attached its programs and seeded the targets found at the start; stderr goes to err_path.
 */
pid_t ls_start_observer(const struct ls_args *a, const char *err_path);

/* Highest BPF program id now loaded: programs loaded later get higher ids. */
uint32_t ls_bpf_max_prog_id(void);
/*
 * Fails the test if a program named ls_* with an id above baseline is still loaded (after a grace
 * period for the kernel to free it), unless a process outside this test holds it.
 */
void ls_assert_no_progs(uint32_t baseline);
/* Number of ls_* programs loaded with an id above baseline (names in buf), or -errno. */
int ls_count_progs(uint32_t baseline, char *buf, size_t len);

/* Verbose comparisons on stdout when LOADSCOPE_TEST_VERBOSE is set. */
bool ls_verbose(void);

#endif /* LOADSCOPE_TEST_HARNESS_H */
