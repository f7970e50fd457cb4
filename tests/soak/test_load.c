/*
 * Load cases: process churn and thread storms for the soak's duration, under -p (a tree) and
 * under -c (a cgroup); a syscall flood on both CPUs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/types.h>

#include "loadscope.h"
#include "soak.h"

/* Threads churn starts before it is released, and ends at exit: main, 2 steady, 2 forkers, storm */
#define CHURN_SEEDED_THREADS 5
#define CHURN_LIVE_THREADS   3 /* main and the two steady threads, while it waits to exit */
/* RSS drift allowed: 1% per hour of the run after warm-up, plus one allocator arena's slack */
#define RSS_DRIFT_PER_HOUR 0.01
#define RSS_SLACK_KIB	   256
#define FLOOD_THREADS	   "2"
#define FLOOD_MIN_RATE	   1e6 /* syscalls/s the flood must reach for the case to mean anything */

/* The live-thread map of loadscope process ls: the hash of tid -> struct thread_stats. */
static int threads_map_id(int ls)
{
	char dir[64], path[320], line[128];
	struct dirent *e;
	int id = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", ls);
	d = opendir(dir);
	ck_assert_msg(d, "cannot open %s", dir);
	while (id < 0 && (e = readdir(d))) {
		long type = -1, key = -1, value = -1, map_id = -1;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "map_type: %ld", &type);
			sscanf(line, "key_size: %ld", &key);
			sscanf(line, "value_size: %ld", &value);
			sscanf(line, "map_id: %ld", &map_id);
		}
		fclose(f);
		if (type == 1 /* BPF_MAP_TYPE_HASH */ && key == sizeof(__u32) &&
		    value == sizeof(struct thread_stats))
			id = (int)map_id;
	}
	closedir(d);
	ck_assert_msg(id >= 0, "loadscope %d holds no live-thread map", ls);
	return id;
}

/* Entries of that map (as bpftool dumps them) whose thread is not a live thread of pid. */
static int map_entries(int map_id, int pid, int *stale)
{
	char id[16], task[96];
	const char *argv[] = {"bpftool", "-j", "map", "dump", "id", id, NULL};
	struct ls_result r;
	json_error_t jerr;
	json_t *arr, *e;
	size_t i;
	int n = 0;

	snprintf(id, sizeof(id), "%d", map_id);
	ls_run(argv, 60, &r);
	ck_assert_msg(r.status == 0, "bpftool map dump failed: %s", r.err);
	arr = json_loads(r.out, 0, &jerr);
	ck_assert_msg(json_is_array(arr), "bpftool map dump: %s", jerr.text);
	*stale = 0;
	json_array_foreach(arr, i, e) {
		const json_t *f = json_object_get(e, "formatted");
		int tid = (int)ls_int(f, "key");

		n++;
		snprintf(task, sizeof(task), "/proc/%d/task/%d", pid, tid);
		if (access(task, F_OK))
			(*stale)++;
	}
	json_decref(arr);
	ls_result_free(&r);
	return n;
}

static int count_live_threads(int pid)
{
	char dir[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	d = opendir(dir);
	ck_assert_msg(d, "cannot open %s", dir);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Threads listed in the report (with --threads) that exited. */
static int64_t listed_exited(const json_t *report)
{
	const json_t *p, *t;
	int64_t n = 0;
	size_t i, j;

	json_array_foreach(json_object_get(report, "processes"), i, p)
		json_array_foreach(json_object_get(p, "threads"), j, t)
			n += ls_bool(t, "exited");
	return n;
}

/*
 * A long-lived thread's figures against its schedstat and status, as the integration tests
 * compare them, but for migrations: under this churn, soak runs have seen a few of a long-lived
 * thread's migrations (3 of 650, 6 of 4,012) missing from the sched_migrate_task events, with no
 * recursion miss counted; the cause is not known (README, Reliability). They may fall short by
 * MIGRATIONS_SHORT of them, at least LS_COUNT_TOLERANCE; every other figure is held as tight.
 */
#define MIGRATIONS_SHORT 0.01
static void compare_steady(struct ls_cmp *c, const char *who, const json_t *oracle,
			   const json_t *thread)
{
	json_t *copy = json_deep_copy(oracle), *start = json_object_get(copy, "at_start");
	int64_t hi = ls_int(oracle, "migrations"), got = ls_int(thread, "migrations");
	int64_t lo = hi - (start ? ls_int(start, "migrations") : 0);
	int64_t allowed = (int64_t)(lo * MIGRATIONS_SHORT) > LS_COUNT_TOLERANCE
				  ? (int64_t)(lo * MIGRATIONS_SHORT)
				  : LS_COUNT_TOLERANCE;
	char what[96];

	/* the copy agrees with the report on migrations, which are compared below */
	json_object_set_new(copy, "migrations", json_integer(got));
	if (start)
		json_object_set_new(start, "migrations", json_integer(0));
	ls_compare_task(c, who, copy, thread);
	snprintf(what, sizeof(what), "%s migrations", who);
	ls_cmp_count(c, what, lo > allowed ? lo - allowed : 0, hi + LS_COUNT_TOLERANCE, got, 0);
	json_decref(copy);
}

static void churn_case(bool by_cgroup)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json"), *wl_out = ls_path(dir, "churn.out");
	const char *err_path = ls_path(dir, "err"), *name = by_cgroup ? "churn -c" : "churn -p";
	double seconds = soak_seconds() / 2, warm_at, t0;
	char secs[32], pidarg[16], script[PATH_MAX + 256];
	long rss_warm = 0, rss_end, rss_max = 0, allowed;
	int pid, map_id, entries, stale, live;
	int64_t started_p, started_t, exited_p, exited_t, untracked, exited_full, listed;
	json_t *report, *oracle, *lc, *drops, *st, *process, *thread;
	struct ls_cmp c = {0};
	struct ls_args a;
	pid_t spawned, ls;
	size_t i;

	snprintf(secs, sizeof(secs), "%.0f", seconds);
	if (by_cgroup) {
		const char *cg = ls_cgroup_make("churn");
		const char *argv[] = {"/bin/sh", "-c", script, NULL};

		snprintf(script, sizeof(script), "echo $$ > '%s/cgroup.procs' && exec '%s' '%s' %s",
			 cg, ls_workload("churn"), oracle_path, secs);
		pid = ls_spawn_ready(argv, wl_out, 30, &spawned, NULL);
	} else {
		const char *argv[] = {ls_workload("churn"), oracle_path, secs, NULL};

		pid = ls_spawn_ready(argv, wl_out, 30, &spawned, NULL);
	}
	snprintf(pidarg, sizeof(pidarg), "%d", pid);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-o", out, "--threads", NULL);
	if (by_cgroup)
		ls_args_add(&a, "-c", ls_cgroup_rel("churn"), NULL);
	else
		ls_args_add(&a, "-p", pidarg, NULL);
	ls = ls_start_observer(&a, err_path);
	t0 = ls_now_s();
	warm_at = t0 + seconds / 10;
	kill(pid, SIGUSR1);
	/* RSS sampled each second: at the end of warm-up, and its highest after */
	while (!strstr(ls_file_tail(wl_out), "done")) {
		long rss = soak_rss_kib(ls);

		ck_assert_msg(rss > 0, "loadscope exited during the churn: %s",
			      ls_file_tail(err_path));
		if (!rss_warm && ls_now_s() >= warm_at)
			rss_warm = rss;
		if (rss_warm && rss > rss_max)
			rss_max = rss;
		ck_assert_msg(ls_now_s() - t0 < seconds + SOAK_MARGIN_S,
			      "churn did not finish within %.0f s", seconds + SOAK_MARGIN_S);
		ls_sleep_s(1);
	}
	rss_end = soak_rss_kib(ls);
	/* only the threads still alive are left in the live-thread map */
	live = count_live_threads(pid);
	ck_assert_int_eq(live, CHURN_LIVE_THREADS);
	map_id = threads_map_id(ls);
	entries = map_entries(map_id, pid, &stale);
	kill(pid, SIGUSR1);
	ck_assert_int_eq(ls_wait(pid, 60, NULL), 0);
	kill(ls, SIGINT);
	ck_assert_msg(ls_wait(ls, 120, NULL) == 0, "loadscope did not end cleanly: %s",
		      ls_file_tail(err_path));

	report = ls_load_json(out);
	oracle = ls_load_json(oracle_path);
	lc = json_object_get(report, "lifecycle");
	drops = json_object_get(report, "drops");
	ck_assert_msg(json_is_object(lc), "the report has no lifecycle counts");
	started_p = ls_int(lc, "processes_started");
	started_t = ls_int(lc, "threads_started");
	exited_p = ls_int(lc, "processes_exited");
	exited_t = ls_int(lc, "threads_exited");
	untracked = ls_int(drops, "threads_full");
	exited_full = ls_int(drops, "exited_full");
	listed = listed_exited(report);

	ls_cmp_count(&c, "processes started", ls_int(oracle, "processes"),
		     ls_int(oracle, "processes"), started_p, 0);
	ls_cmp_count(&c, "threads started", ls_int(oracle, "threads"), ls_int(oracle, "threads"),
		     started_t, 0);
	/* every task followed to its exit, or counted as not tracked */
	ls_cmp_count(&c, "tasks exited + not tracked", started_p + started_t + 1 +
		     CHURN_SEEDED_THREADS, started_p + started_t + 1 + CHURN_SEEDED_THREADS,
		     exited_p + exited_t + untracked, 0);
	/* every exited thread tracked is listed, or counted as missing */
	ls_cmp_count(&c, "exited threads listed + missing", exited_p + exited_t, exited_p + exited_t,
		     listed + exited_full, 0);
	ls_cmp_true(&c, entries == live && stale == 0,
		    "live-thread map holds the %d live threads: %d entries, %d not live", live,
		    entries, stale);
	allowed = (long)(rss_warm * RSS_DRIFT_PER_HOUR * (ls_now_s() - warm_at) / 3600) +
		  RSS_SLACK_KIB;
	ls_cmp_true(&c, rss_max - rss_warm <= allowed,
		    "RSS after warm-up grows at most %ld KiB: %ld -> %ld KiB (max %ld)", allowed,
		    rss_warm, rss_end, rss_max);
	process = ls_find_process(report, pid);
	ls_cmp_true(&c, process, "churn (pid %d) is in the report", pid);
	json_array_foreach(json_object_get(oracle, "steady"), i, st) {
		char who[48];

		snprintf(who, sizeof(who), "steady thread %lld", (long long)ls_int(st, "tid"));
		thread = process ? ls_find_thread(process, ls_int(st, "tid")) : NULL;
		ls_cmp_true(&c, thread, "%s is in the report", who);
		if (thread)
			compare_steady(&c, who, st, thread);
	}
	soak_result(name,
		    "%s: %.0f s, %lld processes (%.0f/s) and %lld threads started, all counted; "
		    "%lld exited threads listed, %lld missing (counted); map %d/%d live; RSS %ld -> "
		    "%ld KiB (max %ld); %s",
		    c.failures ? "FAIL" : "ok", json_real_value(json_object_get(oracle, "seconds")),
		    (long long)started_p,
		    started_p / json_real_value(json_object_get(oracle, "seconds")),
		    (long long)started_t, (long long)listed, (long long)exited_full, entries, live,
		    rss_warm, rss_end, rss_max,
		    c.failures ? "see below" : "steady threads match schedstat");
	ls_cmp_done(&c, name);
	json_decref(oracle);
	json_decref(report);
}

START_TEST(test_churn_tree)
{
	churn_case(false);
}
END_TEST

START_TEST(test_churn_cgroup)
{
	churn_case(true);
}
END_TEST

/* Two threads writing to /dev/null on both CPUs: every call counted, or the loss reported. */
START_TEST(test_syscall_flood)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *oracle_path = ls_path(dir, "oracle.json");
	double seconds = soak_seconds() / 2 < 60 ? soak_seconds() / 2 : 60;
	char secs[32];
	const char *command[] = {ls_workload("flood"), oracle_path, secs, FLOOD_THREADS, NULL};
	int64_t calls = 0, counted = 0, dropped;
	json_t *report, *oracle, *process, *t, *thread;
	struct ls_cmp c = {0};
	struct ls_result r;
	struct ls_args a;
	size_t i;

	snprintf(secs, sizeof(secs), "%.0f", seconds);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-o", out, "--threads", "--", NULL);
	for (i = 0; command[i]; i++)
		ls_args_add(&a, command[i], NULL);
	ls_run(a.argv, seconds + SOAK_MARGIN_S, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d: %s", r.status, r.err);
	report = ls_load_json(out);
	oracle = ls_load_json(oracle_path);
	process = ls_find_process(report, ls_int(oracle, "pid"));
	ck_assert_msg(process, "flood is not in the report");
	dropped = ls_int(json_object_get(report, "drops"), "syscalls_full");
	json_array_foreach(json_object_get(oracle, "threads"), i, t) {
		int64_t want = ls_int(t, "writes"), got;
		char who[48];

		snprintf(who, sizeof(who), "thread %lld writes", (long long)ls_int(t, "tid"));
		thread = ls_find_thread(process, ls_int(t, "tid"));
		ck_assert_msg(thread, "%s: not in the report", who);
		got = ls_int(json_object_get(json_object_get(thread, "syscalls"), "write"), "count");
		calls += want;
		counted += got;
		/* exact, unless the loss is counted and said */
		if (got != want)
			ls_cmp_true(&c, got < want && dropped > 0 && strstr(r.out, "warning:"),
				    "%s: %lld counted of %lld, %lld drops reported", who,
				    (long long)got, (long long)want, (long long)dropped);
	}
	ls_cmp_true(&c, calls / seconds >= FLOOD_MIN_RATE,
		    "the flood reached %.0f syscalls/s (at least %.0f)", calls / seconds,
		    FLOOD_MIN_RATE);
	soak_result("flood", "%s: %.0f s, %lld write calls (%.2fM/s on both CPUs), %lld counted, "
		    "%lld syscall drops", c.failures ? "FAIL" : "ok", seconds, (long long)calls,
		    calls / seconds / 1e6, (long long)counted, (long long)dropped);
	ls_cmp_done(&c, "flood");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

Suite *soak_load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("load");

	tcase_set_timeout(tc, soak_seconds() + 4 * SOAK_MARGIN_S);
	tcase_add_test(tc, test_syscall_flood);
	tcase_add_test(tc, test_churn_tree);
	tcase_add_test(tc, test_churn_cgroup);
	suite_add_tcase(s, tc);
	return s;
}
