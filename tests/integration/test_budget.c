/* Integration tests: the CPU budget of a run and of its -i intervals against /proc/stat, a load. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "suites.h"

#define BUSY_SECONDS "2"
/*
 * idle, irq and softirq against the test's own /proc/stat deltas: within 2% of the total plus 2
 * ticks. The test reads /proc/stat once loadscope says it observes (just after its own start
 * sample) and once the load has written its oracle (just before it exits and loadscope's end
 * sample): the windows differ by the load's exit, loadscope's detach and the polling, a few ms.
 */
#define STAT_TOLERANCE	     0.02
#define STAT_TOLERANCE_TICKS 2
/*
 * The parts' sum against total_ns: within 2%. total_ns against cpus x duration_ns: within 2%
 * plus 2 ticks per CPU, since /proc/stat counts busy time in whole ticks (a VM here loses about
 * 1% of them: its total comes out short by that).
 */
#define TOTAL_TOLERANCE	      0.02
#define TOTAL_TOLERANCE_TICKS 2
/*
 * The load's part against busy's own spinners (schedstat): within 5%, or 20 ms for what busy
 * does besides spinning (exec, creating its threads, reading /proc, writing its oracle).
 */
#define LOAD_TOLERANCE 0.05
#define LOAD_FLOOR_NS  20000000LL
#define POLL_S	       0.001
/*
 * -i: the intervals' load against the run's load part, within 2% plus 2 ticks: the interval
 * reads the load's utime + stime from /proc/PID/stat, in ticks, the run its rusage from wait4.
 */
#define IV_SECONDS	  "0.2"
#define IV_MAX		  64
#define IV_LOAD_TOLERANCE 0.02
#define IV_LOAD_TICKS	  2

/* The "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal, in ticks. */
struct stat_cpu {
	unsigned long long f[8];
};
enum { F_USER, F_NICE, F_SYSTEM, F_IDLE, F_IOWAIT, F_IRQ, F_SOFTIRQ, F_STEAL };

static void read_proc_stat(struct stat_cpu *c)
{
	FILE *f = fopen("/proc/stat", "r");
	int n;

	ck_assert_msg(f, "cannot open /proc/stat: %s", strerror(errno));
	memset(c, 0, sizeof(*c));
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &c->f[0], &c->f[1], &c->f[2],
		   &c->f[3], &c->f[4], &c->f[5], &c->f[6], &c->f[7]);
	fclose(f);
	ck_assert_msg(n == 8, "/proc/stat's cpu line has %d fields, expected 8", n);
}

static int64_t ticks_ns(unsigned long long ticks)
{
	return (int64_t)(ticks * 1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* The first 64 KB of a file, NUL-terminated: the text report's budget is near its top. */
static const char *file_head(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* The parts of kind in the report's budget, summed; *count: how many there are. */
static int64_t kind_ns(const json_t *budget, const char *kind, int *count)
{
	const json_t *part;
	int64_t sum = 0;
	size_t i;

	*count = 0;
	json_array_foreach(json_object_get(budget, "parts"), i, part)
	{
		if (strcmp(ls_str(part, "kind"), kind))
			continue;
		sum += ls_int(part, "cpu_ns");
		(*count)++;
	}
	return sum;
}

/* The shape every budget has: a total, and parts of known kinds that add up to it. */
static const json_t *check_budget(struct ls_cmp *c, const json_t *report)
{
	static const char *const kinds[] = {"targets", "load",	"other", "irq",
					    "softirq", "steal", "idle"};
	const json_t *budget = json_object_get(report, "cpu_budget"), *parts, *part;
	int64_t total, sum = 0, wall = ls_int(report, "cpus") * ls_int(report, "duration_ns");
	size_t i, k;

	ck_assert_msg(json_is_object(budget), "cpu_budget is not an object");
	total = ls_int(budget, "total_ns");
	parts = json_object_get(budget, "parts");
	ck_assert_msg(json_is_array(parts), "cpu_budget.parts is not an array");
	json_array_foreach(parts, i, part)
	{
		const char *kind = ls_str(part, "kind");

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k], kind); k++)
			;
		ls_cmp_true(c, k < sizeof(kinds) / sizeof(kinds[0]), "part %zu: kind %s is known",
			    i, kind);
		ls_cmp_true(c, *ls_str(part, "name"), "part %zu (%s) has a name", i, kind);
		ls_cmp_true(c, ls_int(part, "cpu_ns") >= 0, "part %zu (%s): cpu_ns >= 0", i, kind);
		sum += ls_int(part, "cpu_ns");
	}
	ls_cmp_true(c, llabs(sum - total) <= TOTAL_TOLERANCE * total,
		    "the parts add up to %lld ns, total_ns %lld (within 2%%)", (long long)sum,
		    (long long)total);
	ls_cmp_true(c,
		    llabs(total - wall) <=
			    TOTAL_TOLERANCE * wall +
				    ls_int(report, "cpus") * ticks_ns(TOTAL_TOLERANCE_TICKS),
		    "total_ns %lld is cpus x duration_ns %lld within 2%% and 2 ticks per CPU",
		    (long long)total, (long long)wall);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int n;

		kind_ns(budget, kinds[k], &n);
		/* load: one part, or none when the command is a target */
		ls_cmp_true(c, !strcmp(kinds[k], "other") ? n >= 1 : n <= 1, "%d part%s of kind %s",
			    n, n == 1 ? "" : "s", kinds[k]);
	}
	return budget;
}

/* A budget part against the kernel's own figure, within 2% of the total plus 2 ticks. */
static void cmp_stat(struct ls_cmp *c, const json_t *budget, const char *kind, int64_t expected)
{
	int64_t total = ls_int(budget, "total_ns"), got;
	int64_t slack = (int64_t)(STAT_TOLERANCE * total) + ticks_ns(STAT_TOLERANCE_TICKS);
	int n;

	got = kind_ns(budget, kind, &n);
	ls_cmp_true(c, llabs(got - expected) <= slack,
		    "%s %.1f ms, /proc/stat's %.1f ms (within %.1f ms)", kind, got / 1e6,
		    expected / 1e6, slack / 1e6);
}

/* busy's spinners' on-CPU time, as its oracle read it from schedstat. */
static int64_t busy_cpu_ns(const char *oracle_path)
{
	json_t *oracle = ls_load_json(oracle_path), *t;
	int64_t sum = 0;
	size_t i;

	json_array_foreach(json_object_get(oracle, "threads"), i, t) sum += ls_int(t, "cpu_ns");
	json_decref(oracle);
	return sum;
}

static bool within_load_tolerance(int64_t got, int64_t expected)
{
	int64_t slack = (int64_t)(LOAD_TOLERANCE * expected);

	return llabs(got - expected) <= (slack > LOAD_FLOOR_NS ? slack : LOAD_FLOOR_NS);
}

/*
 * A selector on a sleeping process and busy (one thread, 2 s) as the load: the load's part is
 * busy's CPU time; idle, irq and softirq are what /proc/stat counted while it ran.
 */
START_TEST(test_budget_load)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json"), *err_path = ls_path(dir, "err");
	const char *text_path = ls_path(dir, "out.txt");
	const char *const sleeper_argv[] = {"sleep", "120", NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	struct stat_cpu before, after;
	struct ls_cmp c = {0};
	struct ls_args a;
	struct stat st;
	const json_t *budget, *part;
	json_t *report;
	char pid_arg[16];
	int64_t load_ns, busy_ns, targets_ns;
	pid_t sleeper, ls;
	int status, n;
	size_t i;

	sleeper = ls_spawn(sleeper_argv, NULL, NULL);
	snprintf(pid_arg, sizeof(pid_arg), "%d", sleeper);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-p", pid_arg, "-o", out, "--", ls_workload("busy"), oracle_path, "1",
		    BUSY_SECONDS, NULL);
	ls = ls_spawn(a.argv, text_path, err_path);
	for (double t0 = ls_now_s(); !strstr(ls_file_tail(err_path), "; observing\n");
	     ls_sleep_s(POLL_S)) {
		ck_assert_msg(waitpid(ls, NULL, WNOHANG) == 0, "loadscope exited at start: %s",
			      ls_file_tail(err_path));
		ck_assert_msg(ls_now_s() - t0 < 60, "loadscope did not start observing in 60 s: %s",
			      ls_file_tail(err_path));
	}
	read_proc_stat(&before);
	/* busy writes its oracle last, just before it exits and the run ends */
	for (double t0 = ls_now_s(); stat(oracle_path, &st); ls_sleep_s(POLL_S))
		ck_assert_msg(ls_now_s() - t0 < 60, "busy wrote no oracle in 60 s: %s",
			      ls_file_tail(err_path));
	read_proc_stat(&after);
	status = ls_wait(ls, 60, NULL);
	kill(sleeper, SIGKILL);
	ls_wait(sleeper, 5, NULL);
	ck_assert_msg(status == 0, "loadscope exited %d: %s", status, ls_file_tail(err_path));
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	budget = check_budget(&c, report);
	cmp_stat(&c, budget, "idle",
		 ticks_ns((after.f[F_IDLE] - before.f[F_IDLE]) +
			  (after.f[F_IOWAIT] - before.f[F_IOWAIT])));
	cmp_stat(&c, budget, "irq", ticks_ns(after.f[F_IRQ] - before.f[F_IRQ]));
	cmp_stat(&c, budget, "softirq", ticks_ns(after.f[F_SOFTIRQ] - before.f[F_SOFTIRQ]));

	busy_ns = busy_cpu_ns(oracle_path);
	load_ns = kind_ns(budget, "load", &n);
	ls_cmp_true(&c, n == 1, "one load part");
	json_array_foreach(json_object_get(budget, "parts"), i,
			   part) if (!strcmp(ls_str(part, "kind"), "load"))
		ls_cmp_true(&c, !strcmp(ls_str(part, "name"), "busy"),
			    "the load part's name, %s, is busy", ls_str(part, "name"));
	ls_cmp_true(&c, within_load_tolerance(load_ns, busy_ns),
		    "load %.1f ms, busy's spinner %.1f ms (within 5%% or 20 ms)", load_ns / 1e6,
		    busy_ns / 1e6);
	/* the target slept */
	targets_ns = kind_ns(budget, "targets", &n);
	ls_cmp_true(&c, n == 1 && targets_ns <= LOAD_FLOOR_NS,
		    "targets %.1f ms (a sleeping process)", targets_ns / 1e6);
	ls_cmp_true(&c, strstr(file_head(text_path), "\nCPU BUDGET: shares of "),
		    "the text report has its CPU BUDGET section");
	ls_cmp_true(&c, strstr(file_head(text_path), "load (busy) "),
		    "the text report's budget line names the load");
	if (ls_verbose())
		printf("# budget of the busy load:\n%s", json_dumps(budget, JSON_INDENT(1)));
	ls_cmp_done(&c, "budget_load");
	json_decref(report);
}
END_TEST

/* Lines of text that start with prefix. */
static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *at = text; at && *at; at = strchr(at, '\n'), at = at ? at + 1 : NULL)
		n += !strncmp(at, prefix, strlen(prefix));
	return n;
}

/* The one part of kind in a budget, or NULL (failing the comparison) when there is not one. */
static const json_t *one_part(struct ls_cmp *c, const json_t *budget, const char *kind,
			      const char *what)
{
	const json_t *part, *found = NULL;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(budget, "parts"), i, part)
	{
		if (!strcmp(ls_str(part, "kind"), kind)) {
			found = part;
			n++;
		}
	}
	ls_cmp_true(c, n == 1, "%s: %d part%s of kind %s, expected one", what, n, n == 1 ? "" : "s",
		    kind);
	return n == 1 ? found : NULL;
}

/*
 * -i 0.2 with a selector on a sleeping process and busy (one thread, 2 s) as the load: each
 * interval has a budget whose parts add up to its total_ns exactly. Summed over the intervals:
 * total_ns is cpus x their span (TOTAL_TOLERANCE); idle is what /proc/stat counted over that span,
 * read by the test when loadscope says it observes and when the last interval's line appears
 * (STAT_TOLERANCE: 2% of the intervals' total plus 2 ticks); the load's CPU is the run's load
 * part less what its one spinner used after the last tick, at most a CPU for the rest of the run
 * (IV_LOAD_TOLERANCE).
 */
START_TEST(test_budget_intervals)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json"), *err_path = ls_path(dir, "err");
	const char *text_path = ls_path(dir, "out.txt");
	const char *const sleeper_argv[] = {"sleep", "120", NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	struct stat_cpu at[IV_MAX + 1];
	bool read_at[IV_MAX + 1] = {false};
	struct ls_cmp c = {0};
	struct ls_args a;
	const json_t *budget, *intervals, *iv, *part;
	json_t *report;
	char pid_arg[16];
	int64_t sum_idle = 0, sum_load = 0, sum_total = 0, last_end = 0, run_load, duration, cpus;
	int64_t expected_idle, idle_slack, load_slack, tail, total_slack;
	size_t i, k, seen = 0, n;
	siginfo_t info;
	pid_t sleeper, ls;
	int status, nload;

	sleeper = ls_spawn(sleeper_argv, NULL, NULL);
	snprintf(pid_arg, sizeof(pid_arg), "%d", sleeper);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-i", IV_SECONDS, "-p", pid_arg, "-o", out, "--", ls_workload("busy"),
		    oracle_path, "1", BUSY_SECONDS, NULL);
	ls = ls_spawn(a.argv, text_path, err_path);
	for (double t0 = ls_now_s(); !strstr(ls_file_tail(err_path), "; observing\n");
	     ls_sleep_s(POLL_S)) {
		ck_assert_msg(waitpid(ls, NULL, WNOHANG) == 0, "loadscope exited at start: %s",
			      ls_file_tail(err_path));
		ck_assert_msg(ls_now_s() - t0 < 60, "loadscope did not start observing in 60 s: %s",
			      ls_file_tail(err_path));
	}
	read_proc_stat(&at[0]);
	read_at[0] = true;
	/* /proc/stat again as soon as each interval's line appears (WNOWAIT: ls_wait reaps it) */
	for (double t0 = ls_now_s();; ls_sleep_s(POLL_S)) {
		memset(&info, 0, sizeof(info));
		ck_assert_int_eq(waitid(P_PID, ls, &info, WEXITED | WNOHANG | WNOWAIT), 0);
		n = count_lines(file_head(text_path), "t=");
		if (n > seen && n <= IV_MAX) {
			read_proc_stat(&at[n]);
			read_at[n] = true;
		}
		seen = n;
		if (info.si_pid == ls)
			break;
		ck_assert_msg(ls_now_s() - t0 < 60, "loadscope did not end in 60 s: %s",
			      ls_file_tail(err_path));
	}
	status = ls_wait(ls, 60, NULL);
	kill(sleeper, SIGKILL);
	ls_wait(sleeper, 5, NULL);
	ck_assert_msg(status == 0, "loadscope exited %d: %s", status, ls_file_tail(err_path));
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	check_budget(&c, report);
	intervals = json_object_get(report, "intervals");
	n = json_array_size(intervals);
	/* 10 ticks in 2 s; a slow machine may skip some, but not most */
	ck_assert_msg(n >= 5 && n <= IV_MAX, "%zu intervals in a 2 s run at 0.2 s", n);
	ck_assert_msg(seen == n, "%zu interval lines, %zu intervals in the JSON", seen, n);
	ck_assert_msg(read_at[n], "the test missed the last interval's line (%zu lines at once)",
		      n);
	ck_assert_uint_eq(count_lines(file_head(text_path), "  CPUs "), n);
	ck_assert_msg(strstr(file_head(text_path), "load (busy) "),
		      "no interval line names the load:\n%s", file_head(text_path));

	json_array_foreach(intervals, i, iv)
	{
		char what[32];
		int64_t total, sum = 0;

		snprintf(what, sizeof(what), "interval %zu", i);
		budget = json_object_get(iv, "cpu_budget");
		ck_assert_msg(json_is_object(budget), "%s has no cpu_budget object", what);
		total = ls_int(budget, "total_ns");
		json_array_foreach(json_object_get(budget, "parts"), k, part)
		{
			sum += ls_int(part, "cpu_ns");
		}
		ls_cmp_true(&c, sum == total, "%s: the parts add up to %lld ns, total_ns %lld",
			    what, (long long)sum, (long long)total);
		/* other processes are not named in an interval: all of them are (rest) */
		part = one_part(&c, budget, "other", what);
		ls_cmp_true(&c, part && !strcmp(ls_str(part, "name"), "(rest)"),
			    "%s: the other processes' part is (rest)", what);
		part = one_part(&c, budget, "load", what);
		ls_cmp_true(&c, part && !strcmp(ls_str(part, "name"), "busy"),
			    "%s: the load part is busy", what);
		sum_load += part ? ls_int(part, "cpu_ns") : 0;
		part = one_part(&c, budget, "idle", what);
		sum_idle += part ? ls_int(part, "cpu_ns") : 0;
		part = one_part(&c, budget, "targets", what);
		ls_cmp_true(&c, part && ls_int(part, "cpu_ns") <= LOAD_FLOOR_NS,
			    "%s: targets %.1f ms (a sleeping process)", what,
			    part ? ls_int(part, "cpu_ns") / 1e6 : -1.0);
		sum_total += total;
		last_end = ls_int(iv, "end_ns");
	}

	/* the intervals' span: cpus x its length, as the run's total */
	cpus = ls_int(report, "cpus");
	total_slack = (int64_t)(TOTAL_TOLERANCE * cpus * last_end) +
		      cpus * ticks_ns(TOTAL_TOLERANCE_TICKS);
	ls_cmp_true(&c, llabs(sum_total - cpus * last_end) <= total_slack,
		    "the intervals' total_ns add up to %.1f ms, cpus x their span %.1f ms (within "
		    "%.1f ms)",
		    sum_total / 1e6, cpus * last_end / 1e6, total_slack / 1e6);
	/* idle against the test's /proc/stat over the same span */
	expected_idle = ticks_ns((at[n].f[F_IDLE] - at[0].f[F_IDLE]) +
				 (at[n].f[F_IOWAIT] - at[0].f[F_IOWAIT]));
	idle_slack = (int64_t)(STAT_TOLERANCE * sum_total) + ticks_ns(STAT_TOLERANCE_TICKS);
	ls_cmp_true(&c, llabs(sum_idle - expected_idle) <= idle_slack,
		    "idle over the intervals %.1f ms, /proc/stat's over their span %.1f ms (within "
		    "%.1f ms)",
		    sum_idle / 1e6, expected_idle / 1e6, idle_slack / 1e6);
	/*
	 * the load: the run's part (from wait4) less what its one spinner could use after the last
	 * tick, at most a CPU for the rest of the run
	 */
	run_load = kind_ns(json_object_get(report, "cpu_budget"), "load", &nload);
	ls_cmp_true(&c, nload == 1, "the run has one load part");
	duration = ls_int(report, "duration_ns");
	tail = duration > last_end ? duration - last_end : 0;
	load_slack = (int64_t)(IV_LOAD_TOLERANCE * run_load) + ticks_ns(IV_LOAD_TICKS);
	ls_cmp_true(&c,
		    sum_load <= run_load + load_slack && sum_load >= run_load - tail - load_slack,
		    "the load over the intervals %.1f ms, the run's load part %.1f ms less at most "
		    "%.1f ms after the last tick (within %.1f ms)",
		    sum_load / 1e6, run_load / 1e6, tail / 1e6, load_slack / 1e6);
	if (ls_verbose()) {
		printf("# %zu intervals over %.3f s of a %.3f s run: idle %.1f ms (/proc/stat "
		       "%.1f ms), load %.1f ms (run %.1f ms, scaled to the span %.1f ms)\n",
		       n, last_end / 1e9, duration / 1e9, sum_idle / 1e6, expected_idle / 1e6,
		       sum_load / 1e6, run_load / 1e6,
		       duration ? run_load * ((double)last_end / (double)duration) / 1e6 : 0.0);
		printf("# the first interval's budget:\n%s\n",
		       json_dumps(json_object_get(json_array_get(intervals, 0), "cpu_budget"),
				  JSON_INDENT(1)));
	}
	ls_cmp_done(&c, "budget_intervals");
	json_decref(report);
}
END_TEST

/* No selector: the command is the target, its time is the targets' part and there is no load. */
START_TEST(test_budget_command_is_target)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	const char *command[] = {ls_workload("busy"), oracle_path, "1", "1", NULL};
	struct ls_cmp c = {0};
	struct ls_result r;
	const json_t *budget;
	json_t *report;
	int64_t targets_ns, busy_ns;
	int n;

	report = ls_run_report(false, out, command, 60, &r);
	budget = check_budget(&c, report);
	kind_ns(budget, "load", &n);
	ls_cmp_true(&c, n == 0, "no load part when the command is a target (%d)", n);
	targets_ns = kind_ns(budget, "targets", &n);
	busy_ns = busy_cpu_ns(oracle_path);
	ls_cmp_true(&c, within_load_tolerance(targets_ns, busy_ns),
		    "targets %.1f ms, busy's spinner %.1f ms (within 5%% or 20 ms)",
		    targets_ns / 1e6, busy_ns / 1e6);
	ls_cmp_true(&c, strstr(r.out, "targets (with busy) "),
		    "the text says the targets' part holds the command");
	ls_cmp_done(&c, "budget_command_is_target");
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* loadscope in a mount namespace where /proc/stat is an empty file; returns its exit code. */
static int run_without_proc_stat(const char *const argv[], const char *out_path,
				 const char *err_path, const char *empty)
{
	pid_t parent = getpid(), pid = fork();
	int fd;

	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid)
		return ls_wait(pid, 60, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		dup2(fd, STDOUT_FILENO);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		dup2(fd, STDERR_FILENO);
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(empty, "/proc/stat", NULL, MS_BIND, NULL)) {
		fprintf(stderr, "harness: cannot hide /proc/stat: %s\n", strerror(errno));
		_exit(126);
	}
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "harness: cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* /proc/stat reads as nothing: the run goes on, and its reports say the budget is missing. */
START_TEST(test_budget_unreadable)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *text_path = ls_path(dir, "out.txt"), *err_path = ls_path(dir, "err");
	const char *empty = ls_path(dir, "empty");
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_args a;
	json_t *report;
	int fd, status;

	fd = open(empty, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-o", out, "--", "sleep", "0.2", NULL);
	status = run_without_proc_stat(a.argv, text_path, err_path, empty);
	ck_assert_msg(status == 0, "loadscope exited %d: %s", status, ls_file_tail(err_path));
	ls_assert_no_progs(baseline);
	ck_assert_msg(strstr(file_head(text_path),
			     "\nCPU budget: /proc/stat unreadable: No data available\n"),
		      "no line saying the budget is missing:\n%s", file_head(text_path));
	report = ls_load_json(out);
	ls_check_report(report);
	ck_assert_msg(json_is_null(json_object_get(report, "cpu_budget")),
		      "cpu_budget is not null");
	ck_assert_str_eq(ls_str(report, "cpu_budget_error"), "No data available");
	json_decref(report);
}
END_TEST

Suite *ls_budget_suite(void)
{
	Suite *s = suite_create("budget");
	TCase *tc = tcase_create("budget");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_budget_load);
	tcase_add_test(tc, test_budget_intervals);
	tcase_add_test(tc, test_budget_command_is_target);
	tcase_add_test(tc, test_budget_unreadable);
	suite_add_tcase(s, tc);
	return s;
}
