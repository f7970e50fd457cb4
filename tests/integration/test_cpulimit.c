/*
 * Integration tests: CPU limits. A thread spins in a cgroup with a quota of 0.2 CPUs, in the
 * hierarchy that has the cpu controller (cgroup v2's cpu.max, or v1's cpu.cfs_quota_us), under
 * `loadscope -p`; its throttling is compared with the kernel's own cpu.stat, read before and
 * after the run, and the cpu_throttled finding must fire. Without the quota it must not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "suites.h"

/* The quota: 20 ms of CPU per 100 ms period, 0.2 CPUs, as `docker run --cpus 0.2` sets it. */
#define QUOTA_US  20000
#define PERIOD_US 100000
/* Spinning this long under the quota gives about 20 periods, nearly all of them throttled. */
#define SPIN_S "2"
/*
 * Tolerances against cpu.stat. The workload spins only inside loadscope's run, so both see the
 * same periods; the period timer may still tick once or twice after the spinner stops, on
 * either side of loadscope's last reading: periods within ±2. The throttled time of those
 * edge periods is at most a fraction of one period: within 5% of the kernel's (about 1.6 s).
 */
#define PERIODS_TOLERANCE 2
/* A period timer stops after about 2 periods in which the group used nothing: wait 3. */
#define IDLE_PERIODS	    3
#define THROTTLED_TOLERANCE 0.05

struct cpu_stat {
	uint64_t periods, throttled, throttled_ns;
};

/* cpu.stat of the cgroup: v1 gives the throttled time in ns, v2 in us. */
static void read_cpu_stat(const struct ls_cpu_cgroup *cg, struct cpu_stat *out)
{
	const char *path = ls_path(cg->dir, "cpu.stat");
	char key[64];
	unsigned long long v;
	int seen = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot read %s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strcmp(key, "nr_periods"))
			out->periods = v, seen++;
		else if (!strcmp(key, "nr_throttled"))
			out->throttled = v, seen++;
		else if (!strcmp(key, cg->v2 ? "throttled_usec" : "throttled_time"))
			out->throttled_ns = cg->v2 ? v * 1000 : v, seen++;
	}
	fclose(f);
	ck_assert_msg(seen == 3, "%s lacks nr_periods, nr_throttled or the throttled time", path);
}

/*
 * The quota, or none. With a quota the group also gets the largest weight, so that other work
 * on the machine cannot keep the spinner from using its 0.2 CPUs: the quota, not the others,
 * is what it runs into.
 */
static void set_quota(const struct ls_cpu_cgroup *cg, bool limited)
{
	char text[64];

	if (cg->v2) {
		if (limited)
			snprintf(text, sizeof(text), "%d %d", QUOTA_US, PERIOD_US);
		else
			snprintf(text, sizeof(text), "max %d", PERIOD_US);
		ls_cgroup_write(cg->dir, "cpu.max", text);
		if (limited)
			ls_cgroup_write(cg->dir, "cpu.weight", "10000");
		return;
	}
	snprintf(text, sizeof(text), "%d", PERIOD_US);
	ls_cgroup_write(cg->dir, "cpu.cfs_period_us", text);
	snprintf(text, sizeof(text), "%d", limited ? QUOTA_US : -1);
	ls_cgroup_write(cg->dir, "cpu.cfs_quota_us", text);
	if (limited)
		ls_cgroup_write(cg->dir, "cpu.shares", "262144");
}

/* The entry of cpu_limits for the cgroup at rel, which must be there. */
static const json_t *cpu_limits_entry(const json_t *report, const char *rel, bool v2)
{
	const json_t *arr = json_object_get(report, "cpu_limits"), *e;
	size_t i;

	ck_assert_msg(json_is_array(arr), "cpu_limits is not an array");
	json_array_foreach(arr, i, e)
	{
		if (!strcmp(ls_str(e, "path"), rel)) {
			ck_assert_str_eq(ls_str(e, "hierarchy"), v2 ? "v2" : "v1");
			return e;
		}
	}
	ck_abort_msg("cgroup %s is not in cpu_limits", rel);
	return NULL;
}

static const json_t *finding(const json_t *report, const char *id)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(report, "findings"), i, f)
	{
		if (!strcmp(ls_str(f, "id"), id))
			return f;
	}
	return NULL;
}

/* A figure of cpu_limit that must be a number. */
static int64_t figure(const json_t *limit, const char *key)
{
	const json_t *v = json_object_get(limit, key);

	ck_assert_msg(json_is_integer(v), "cpu_limit.%s is not a number", key);
	return json_integer_value(v);
}

/* The state letter of /proc/PID/stat (R, S, D, ...); 0 when it cannot be read. */
static char task_state(int pid)
{
	char path[64], buf[512], *paren;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : 0;
}

/*
 * The workload in cg, spinning SPIN_S only once loadscope observes it; returns the report and,
 * in before/after, cpu.stat around the run.
 */
static json_t *run_in(const struct ls_cpu_cgroup *cg, const char *dir, struct cpu_stat *before,
		      struct cpu_stat *after, json_t **oracle, int *pid)
{
	const char *out = ls_path(dir, "out.json"), *oracle_path = ls_path(dir, "oracle.json");
	const char *ready = ls_path(dir, "ready");
	const char *work[] = {ls_workload("throttled"), oracle_path, SPIN_S, ready, NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	char pidbuf[16];
	struct ls_result r;
	struct ls_args a;
	json_t *report;

	*pid = ls_spawn(work, NULL, ls_path(dir, "work.err"));
	/*
	 * Moved once asleep in sigwait: a task that runs in the cgroup, however briefly, starts its
	 * period timer, which would count periods before loadscope's first reading.
	 */
	for (double t0 = ls_now_s(); access(ready, F_OK) || task_state(*pid) != 'S';
	     ls_sleep_s(0.01))
		ck_assert_msg(ls_now_s() - t0 < 30,
			      "throttled did not wait for its start within 30 s");
	ls_cgroup_move(cg->dir, *pid);
	/* writing the quota starts the period timer too: let it count its idle periods and stop */
	read_cpu_stat(cg, before);
	for (int i = 0; i < 20; i++) {
		struct cpu_stat again;

		ls_sleep_s(IDLE_PERIODS * PERIOD_US / 1e6);
		read_cpu_stat(cg, &again);
		if (again.periods == before->periods)
			break;
		*before = again;
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", *pid);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-o", out, "--threads", "-p", pidbuf, "--", ls_workload("throttled"),
		    "--go", pidbuf, NULL);
	ls_run(a.argv, 60, &r);
	read_cpu_stat(cg, after);
	ck_assert_msg(r.status == 0, "loadscope exited %d after %.1f s; stderr: %s", r.status,
		      r.elapsed_s, r.err);
	ck_assert_int_eq(ls_wait(*pid, 10, NULL), 0);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	*oracle = ls_load_json(oracle_path);
	ls_result_free(&r);
	return report;
}

START_TEST(test_throttled)
{
	const char *dir = ls_tmpdir();
	const json_t *entry, *limit, *f, *process, *thread, *g, *found;
	struct cpu_stat before, after;
	struct ls_cpu_cgroup cg;
	char up[sizeof(cg.rel)], *slash;
	json_t *report, *oracle;
	struct ls_cmp c = {0};
	int64_t runq_ns, oracle_runq_ns, throttled_ns;
	size_t i;
	int pid;

	ls_cpu_cgroup_make("quota", &cg);
	set_quota(&cg, true);
	report = run_in(&cg, dir, &before, &after, &oracle, &pid);

	entry = cpu_limits_entry(report, cg.rel, cg.v2);
	ck_assert_int_eq(json_array_size(json_object_get(entry, "processes")), 1);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(entry, "processes"), 0)),
			 pid);
	limit = json_object_get(entry, "cpu_limit");
	ck_assert_int_eq(figure(limit, "quota_us"), QUOTA_US);
	ck_assert_int_eq(figure(limit, "period_us"), PERIOD_US);
	ck_assert_msg(!ls_bool(limit, "end_only") && !ls_bool(limit, "counters_reset"),
		      "cpu_limit of %s: end_only or counters_reset set", cg.rel);
	ck_assert_uint_eq(json_array_size(json_object_get(limit, "missing")), 0);
	ls_cmp_count(&c, "periods", after.periods - before.periods, after.periods - before.periods,
		     figure(limit, "periods"), PERIODS_TOLERANCE);
	ls_cmp_count(&c, "throttled_periods", after.throttled - before.throttled,
		     after.throttled - before.throttled, figure(limit, "throttled_periods"),
		     PERIODS_TOLERANCE);
	throttled_ns = figure(limit, "throttled_ns");
	ls_cmp_true(&c,
		    llabs(throttled_ns - (int64_t)(after.throttled_ns - before.throttled_ns)) <=
			    THROTTLED_TOLERANCE *
				    (double)(after.throttled_ns - before.throttled_ns),
		    "throttled_ns %lld against cpu.stat's delta %llu (allowed +-%.0f%%)",
		    (long long)throttled_ns,
		    (unsigned long long)(after.throttled_ns - before.throttled_ns),
		    THROTTLED_TOLERANCE * 100);
	/* a spinner at 0.2 CPUs for 2 s runs into the quota in most of its periods */
	ls_cmp_true(&c, figure(limit, "throttled_periods") >= 10,
		    "%lld throttled periods: at least 10 for a spinner at 0.2 CPUs",
		    (long long)figure(limit, "throttled_periods"));
	/* PSI is v2's; the v1 cpu cgroup has no cpu.pressure */
	if (cg.v2)
		ls_cmp_true(&c, figure(limit, "pressure_some_ns") > 0,
			    "CPU pressure of the throttled v2 cgroup above 0");
	else
		ls_cmp_true(&c, json_is_null(json_object_get(limit, "pressure_some_ns")),
			    "pressure_some_ns null on v1, which has no cpu.pressure");

	/* the target's cgroup total carries the same limit */
	process = ls_find_process(report, pid);
	ck_assert_msg(process, "throttled (pid %d) is not in the report", pid);
	found = NULL;
	json_array_foreach(json_object_get(report, "cgroups"), i, g)
	{
		if (!strcmp(ls_str(g, "path"), ls_str(process, "cgroup")))
			found = g;
	}
	ck_assert_msg(found, "no cgroups entry for %s", ls_str(process, "cgroup"));
	ck_assert_str_eq(ls_str(json_object_get(found, "cpu_cgroup"), "path"), cg.rel);
	ck_assert_int_eq(figure(json_object_get(found, "cpu_limit"), "throttled_periods"),
			 figure(limit, "throttled_periods"));
	/* its ancestors below the root are read too: no quota, no target of their own */
	snprintf(up, sizeof(up), "%s", cg.rel);
	while ((slash = strrchr(up, '/')) && slash != up) {
		*slash = '\0';
		entry = cpu_limits_entry(report, up, cg.v2);
		ck_assert_int_eq(json_array_size(json_object_get(entry, "processes")), 0);
		ck_assert_msg(json_is_null(json_object_get(json_object_get(entry, "cpu_limit"),
							   "quota_us")),
			      "ancestor %s has a quota", up);
	}

	f = finding(report, "cpu_throttled");
	ls_cmp_true(&c, f != NULL, "cpu_throttled fires");
	if (f)
		ls_cmp_true(&c, strstr(ls_str(f, "text"), cg.rel) != NULL,
			    "cpu_throttled names %s: %s", cg.rel, ls_str(f, "text"));
	/* a thread that wants a CPU in a group allowed 0.2 of one: the quota limited the run */
	ls_cmp_true(&c,
		    !strcmp(ls_str(json_object_get(report, "bottleneck"), "kind"), "throttled"),
		    "bottleneck throttled, not %s",
		    ls_str(json_object_get(report, "bottleneck"), "kind"));

	/* throttled time against the run-queue wait: measured, and loadscope's against schedstat */
	thread = ls_find_thread(process, ls_int(oracle, "tid"));
	ck_assert_msg(thread, "the spinner %lld is not in the report",
		      (long long)ls_int(oracle, "tid"));
	runq_ns = ls_int(thread, "runq_wait_ns");
	oracle_runq_ns = ls_int(json_object_get(oracle, "spinner"), "runq_wait_ns");
	ls_cmp_time(&c, "spinner runq_wait_ns", oracle_runq_ns, oracle_runq_ns, runq_ns,
		    LS_RUNQ_FLOOR_NS);
	if (ls_verbose() || c.failures)
		printf("# cpu_throttled (%s, %s): %lld of %lld periods throttled, %.3f s throttled "
		       "(cpu.stat: %llu of %llu, %.3f s); the spinner ran %.3f s and waited %.3f s "
		       "for a CPU (schedstat run_delay %.3f s, %.2fx the throttled time)\n",
		       cg.v2 ? "v2" : "v1", cg.rel, (long long)figure(limit, "throttled_periods"),
		       (long long)figure(limit, "periods"), throttled_ns / 1e9,
		       (unsigned long long)(after.throttled - before.throttled),
		       (unsigned long long)(after.periods - before.periods),
		       (after.throttled_ns - before.throttled_ns) / 1e9,
		       ls_int(thread, "cpu_ns") / 1e9, runq_ns / 1e9, oracle_runq_ns / 1e9,
		       throttled_ns ? (double)oracle_runq_ns / (double)throttled_ns : 0);
	ls_cmp_done(&c, "cpu limit");
	json_decref(oracle);
	json_decref(report);
}
END_TEST

START_TEST(test_no_quota)
{
	const char *dir = ls_tmpdir();
	const json_t *limit;
	struct cpu_stat before, after;
	struct ls_cpu_cgroup cg;
	json_t *report, *oracle;
	struct ls_cmp c = {0};
	int pid;

	ls_cpu_cgroup_make("unlimited", &cg);
	set_quota(&cg, false);
	report = run_in(&cg, dir, &before, &after, &oracle, &pid);
	limit = json_object_get(cpu_limits_entry(report, cg.rel, cg.v2), "cpu_limit");
	ls_cmp_true(&c, json_is_null(json_object_get(limit, "quota_us")),
		    "quota_us null without a quota");
	ck_assert_int_eq(figure(limit, "period_us"), PERIOD_US);
	ls_cmp_count(&c, "throttled_periods", 0, 0, figure(limit, "throttled_periods"), 0);
	ls_cmp_count(&c, "cpu.stat nr_throttled", 0, 0, after.throttled - before.throttled, 0);
	ls_cmp_true(&c, finding(report, "cpu_throttled") == NULL,
		    "cpu_throttled silent without a quota");
	ls_cmp_true(&c,
		    strcmp(ls_str(json_object_get(report, "bottleneck"), "kind"), "throttled") != 0,
		    "no throttled bottleneck without a quota");
	ls_cmp_done(&c, "no quota");
	json_decref(oracle);
	json_decref(report);
}
END_TEST

Suite *ls_cpulimit_suite(void)
{
	Suite *s = suite_create("cpulimit");
	TCase *tc = tcase_create("quota");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_throttled);
	tcase_add_test(tc, test_no_quota);
	suite_add_tcase(s, tc);
	return s;
}
