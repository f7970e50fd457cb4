/* Integration tests: the CPU budget against /proc/stat and a load whose CPU time is known. */
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
	tcase_add_test(tc, test_budget_command_is_target);
	tcase_add_test(tc, test_budget_unreadable);
	suite_add_tcase(s, tc);
	return s;
}
