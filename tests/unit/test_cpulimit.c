// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the CPU limits: the cpu controller's files of v1 and v2 parsed, start and end
 * readings into deltas (resets, cgroups seen only at the end), the set of cgroups a run samples,
 * and the readers against mountinfo samples and fixture trees shaped like both hierarchies.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cpulimit.h"
#include "targets/cpulimit.h"
#include "fixture.h"
#include "suites.h"

/* ---- parsing ---- */

START_TEST(test_parse_cpu_max)
{
	struct cpu_sample s = {0};

	ck_assert_int_eq(cpu_parse_max("max 100000\n", &s), 0);
	ck_assert_uint_eq(s.known, CPU_KNOWN_PERIOD);
	ck_assert_uint_eq(s.period_us, 100000);
	ck_assert_int_eq(cpu_parse_max("20000 100000\n", &s), 0);
	ck_assert_uint_eq(s.known, CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD);
	ck_assert_uint_eq(s.quota_us, 20000);
	ck_assert_uint_eq(s.period_us, 100000);
	/* a quota above one CPU: 2.5 CPUs per 50 ms period */
	ck_assert_int_eq(cpu_parse_max("125000 50000", &s), 0);
	ck_assert_uint_eq(s.quota_us, 125000);
	ck_assert_uint_eq(s.period_us, 50000);
	/* back to no limit: the quota is gone */
	ck_assert_int_eq(cpu_parse_max("max 100000\n", &s), 0);
	ck_assert(!(s.known & CPU_KNOWN_QUOTA));
	ck_assert_uint_eq(s.quota_us, 0);

	static const char *const bad[] = {"",
					  "max",
					  "max\n",
					  "20000",
					  "20000 ",
					  "abc 100000",
					  "-1 100000",
					  "20000 0",
					  "20000 100000 7",
					  "maximum 100000",
					  "20000 1e5",
					  "99999999999999999999 100000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cpu_sample keep = {.known = CPU_KNOWN_QUOTA, .quota_us = 7};

		ck_assert_msg(cpu_parse_max(bad[i], &keep) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_uint_eq(keep.quota_us, 7);
		ck_assert_uint_eq(keep.known, CPU_KNOWN_QUOTA);
	}
}
END_TEST

START_TEST(test_parse_cfs_files)
{
	struct cpu_sample s = {0};

	ck_assert_int_eq(cpu_parse_cfs_quota("-1\n", &s), 0);
	ck_assert(!(s.known & CPU_KNOWN_QUOTA));
	ck_assert_int_eq(cpu_parse_cfs_quota("20000\n", &s), 0);
	ck_assert(s.known & CPU_KNOWN_QUOTA);
	ck_assert_uint_eq(s.quota_us, 20000);
	/* the kernel takes any negative quota for no limit */
	ck_assert_int_eq(cpu_parse_cfs_quota("-5", &s), 0);
	ck_assert(!(s.known & CPU_KNOWN_QUOTA));
	ck_assert_int_eq(cpu_parse_cfs_period("100000\n", &s), 0);
	ck_assert(s.known & CPU_KNOWN_PERIOD);
	ck_assert_uint_eq(s.period_us, 100000);
	ck_assert_int_eq(cpu_parse_cfs_quota("", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_cfs_quota("-", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_cfs_quota("20k", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_cfs_quota("max", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_cfs_period("0\n", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_cfs_period("-1\n", &s), -EINVAL);
	ck_assert_uint_eq(s.period_us, 100000);
}
END_TEST

/* v1 counts the throttled time in ns (throttled_time), v2 in us (throttled_usec). */
START_TEST(test_parse_cpu_stat)
{
	struct cpu_sample v1 = {0}, v2 = {0}, bare = {.known = CPU_KNOWN_THROTTLING}, keep = {0};

	ck_assert_int_eq(cpu_parse_stat("nr_periods 52\nnr_throttled 41\nthrottled_time "
					"3100000000\nnr_bursts 0\nburst_time 0\n",
					&v1),
			 0);
	ck_assert(v1.known & CPU_KNOWN_THROTTLING);
	ck_assert_uint_eq(v1.periods, 52);
	ck_assert_uint_eq(v1.throttled_periods, 41);
	ck_assert_uint_eq(v1.throttled_ns, 3100000000ULL);
	ck_assert_int_eq(cpu_parse_stat("usage_usec 812345\nuser_usec 800000\nsystem_usec "
					"12345\ncore_sched.force_idle_usec 0\nnr_periods 52\n"
					"nr_throttled 41\nthrottled_usec 3100000\nnr_bursts 0\n"
					"burst_usec 0\n",
					&v2),
			 0);
	ck_assert(v2.known & CPU_KNOWN_THROTTLING);
	ck_assert_uint_eq(v2.periods, 52);
	ck_assert_uint_eq(v2.throttled_periods, 41);
	ck_assert_uint_eq(v2.throttled_ns, 3100000000ULL);
	/* v2 without the cpu controller (or the root): usage only, throttling unknown */
	ck_assert_int_eq(
		cpu_parse_stat("usage_usec 812345\nuser_usec 800000\nsystem_usec 12345\n", &bare),
		0);
	ck_assert(!(bare.known & CPU_KNOWN_THROTTLING));
	/* no trailing newline; throttled_usec that would overflow in ns saturates */
	ck_assert_int_eq(cpu_parse_stat("nr_periods 1\nnr_throttled 1\nthrottled_usec "
					"18446744073709551615",
					&v2),
			 0);
	ck_assert_uint_eq(v2.throttled_ns, UINT64_MAX);
	ck_assert_int_eq(cpu_parse_stat("", &keep), 0);
	ck_assert(!(keep.known & CPU_KNOWN_THROTTLING));
	ck_assert_int_eq(cpu_parse_stat("nr_periods x\n", &keep), -EINVAL);
	ck_assert_int_eq(cpu_parse_stat("nr_periods\n", &keep), -EINVAL);
	ck_assert_int_eq(cpu_parse_stat("nr_periods 5 6\n", &keep), -EINVAL);
	ck_assert_int_eq(cpu_parse_stat("nr_periods -5\n", &keep), -EINVAL);
}
END_TEST

START_TEST(test_parse_cpu_pressure)
{
	struct cpu_sample s = {0};

	ck_assert_int_eq(cpu_parse_pressure("some avg10=1.25 avg60=0.40 avg300=0.08 "
					    "total=3200000\nfull avg10=0.00 avg60=0.00 "
					    "avg300=0.00 total=77\n",
					    &s),
			 0);
	ck_assert(s.known & CPU_KNOWN_PRESSURE);
	ck_assert_uint_eq(s.pressure_some_us, 3200000);
	/* before 5.13 the cpu file had only the "some" line */
	ck_assert_int_eq(cpu_parse_pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=9", &s),
			 0);
	ck_assert_uint_eq(s.pressure_some_us, 9);
	ck_assert_int_eq(
		cpu_parse_pressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=77\n", &s),
		-EINVAL);
	ck_assert_int_eq(cpu_parse_pressure("some avg10=0.00\nfull total=5\n", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_pressure("some avg10=0.00 total=x\n", &s), -EINVAL);
	ck_assert_int_eq(cpu_parse_pressure("", &s), -EINVAL);
	ck_assert_uint_eq(s.pressure_some_us, 9);
}
END_TEST

START_TEST(test_parse_proc_cgroup)
{
	static const char *const hybrid =
		"12:pids:/\n11:cpuset:/pinned\n10:cpuacct:/acct\n"
		"4:cpu,cpuacct:/loadscope-test\n"
		"1:name=systemd:/user.slice\n0::/user.slice/session-1.scope\n";
	char path[64];

	ck_assert_int_eq(cpu_cgroup_parse(hybrid, CGROUP_V1, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/loadscope-test");
	ck_assert_int_eq(cpu_cgroup_parse(hybrid, CGROUP_V2, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/user.slice/session-1.scope");
	ck_assert_int_eq(cpu_cgroup_parse("4:cpu:/a\n", CGROUP_V1, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/a");
	ck_assert_int_eq(cpu_cgroup_parse("4:cpuacct,cpu:/b", CGROUP_V1, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "/b");
	/* cpuset and cpuacct are not cpu; a host without v2 has no 0:: line */
	ck_assert_int_eq(
		cpu_cgroup_parse("3:cpuset:/x\n2:cpuacct:/y\n", CGROUP_V1, path, sizeof(path)),
		-ENOENT);
	ck_assert_int_eq(cpu_cgroup_parse("3:cpuset:/x\n", CGROUP_V2, path, sizeof(path)), -ENOENT);
	ck_assert_int_eq(cpu_cgroup_parse("", CGROUP_V2, path, sizeof(path)), -ENOENT);
	ck_assert_int_eq(cpu_cgroup_parse("0::/a/very/long/path", CGROUP_V2, path, 8),
			 -ENAMETOOLONG);
}
END_TEST

/* ---- deltas ---- */

static struct cpu_sample sample(uint64_t quota_us, uint64_t periods, uint64_t throttled,
				uint64_t throttled_ns, uint64_t some_us)
{
	struct cpu_sample s = {.known =
				       CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING | CPU_KNOWN_PRESSURE,
			       .period_us = 100000,
			       .periods = periods,
			       .throttled_periods = throttled,
			       .throttled_ns = throttled_ns,
			       .pressure_some_us = some_us};

	if (quota_us) {
		s.known |= CPU_KNOWN_QUOTA;
		s.quota_us = quota_us;
	}
	return s;
}

START_TEST(test_delta)
{
	struct cpu_sample a = sample(20000, 100, 10, 500000000, 1000000);
	struct cpu_sample b = sample(20000, 152, 51, 3600000000ULL, 4200000);
	struct cpu_limit l;

	cpu_limit_delta(&a, &b, &l);
	ck_assert_uint_eq(l.known, CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING |
					   CPU_KNOWN_PRESSURE);
	ck_assert_uint_eq(l.quota_us, 20000);
	ck_assert_uint_eq(l.period_us, 100000);
	ck_assert_uint_eq(l.periods, 52);
	ck_assert_uint_eq(l.throttled_periods, 41);
	ck_assert_uint_eq(l.throttled_ns, 3100000000ULL);
	ck_assert_uint_eq(l.pressure_some_ns, 3200000000ULL);
	ck_assert(!l.counters_reset && !l.end_only);
	ck_assert_uint_eq(l.missing, 0);
	ck_assert_double_eq_tol(cpu_limit_cpus(&l), 0.2, 1e-9);

	/* the counters went down (the cgroup made again): what they counted since, flagged */
	b = sample(20000, 30, 12, 900000000, 4200000);
	cpu_limit_delta(&a, &b, &l);
	ck_assert(l.counters_reset);
	ck_assert_uint_eq(l.periods, 30);
	ck_assert_uint_eq(l.throttled_periods, 12);
	ck_assert_uint_eq(l.throttled_ns, 900000000);
	ck_assert_uint_eq(l.pressure_some_ns, 3200000000ULL);

	/* no quota: no limit, and the counters stand still */
	a = sample(0, 0, 0, 0, 10);
	b = sample(0, 0, 0, 0, 10);
	cpu_limit_delta(&a, &b, &l);
	ck_assert(!(l.known & CPU_KNOWN_QUOTA));
	ck_assert_uint_eq(l.periods, 0);
	ck_assert_double_eq(cpu_limit_cpus(&l), 0);

	/* first seen at the end: the limit then, no deltas */
	b = sample(50000, 7, 3, 100, 10);
	cpu_limit_delta(NULL, &b, &l);
	ck_assert(l.end_only);
	ck_assert_uint_eq(l.known, CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD);
	ck_assert_uint_eq(l.quota_us, 50000);
	ck_assert_uint_eq(l.periods, 0);

	/* cpu.stat unreadable at the end: named, throttling unknown, the limit still there */
	a = sample(20000, 1, 0, 0, 0);
	b = sample(20000, 0, 0, 0, 0);
	b.known &= ~(unsigned int)CPU_KNOWN_THROTTLING;
	b.missing = CPU_FILE_STAT;
	cpu_limit_delta(&a, &b, &l);
	ck_assert_uint_eq(l.missing, CPU_FILE_STAT);
	ck_assert(!(l.known & CPU_KNOWN_THROTTLING));
	ck_assert(l.known & CPU_KNOWN_QUOTA);

	/* the cgroup gone by the end: the start's limit, every file missing */
	b = (struct cpu_sample){.missing =
					CPU_FILE_CFS_QUOTA | CPU_FILE_CFS_PERIOD | CPU_FILE_STAT};
	cpu_limit_delta(&a, &b, &l);
	ck_assert_uint_eq(l.known, CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD);
	ck_assert_uint_eq(l.quota_us, 20000);
	ck_assert_uint_eq(l.missing, CPU_FILE_CFS_QUOTA | CPU_FILE_CFS_PERIOD | CPU_FILE_STAT);
}
END_TEST

/* ---- the set of cgroups ---- */

static const struct cpu_watch_entry *entry(const struct cpu_watch *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].path, path))
			return &w->v[i];
	return NULL;
}

START_TEST(test_watch_ancestors_and_limit)
{
	struct cpu_watch *w = calloc(1, sizeof(*w));
	struct snapshot s = {0};
	char path[32];

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(cpu_watch_add(w, "/kubepods/pod1/c1", 10), 0);
	ck_assert_int_eq(cpu_watch_add(w, "/kubepods/pod1/c1", 12), 0);
	ck_assert_int_eq(cpu_watch_add(w, "/kubepods/pod1/c2", 11), 0);
	ck_assert_int_eq(cpu_watch_add(w, "/", 13), 0);
	/* own cgroups, then /kubepods/pod1 and /kubepods once each; "/" only as a pid's own */
	ck_assert_uint_eq(w->n, 5);
	ck_assert_uint_eq(entry(w, "/kubepods/pod1/c1")->npids, 2);
	ck_assert_uint_eq(entry(w, "/kubepods/pod1")->npids, 0);
	ck_assert_ptr_nonnull(entry(w, "/kubepods"));
	ck_assert_uint_eq(entry(w, "/")->npids, 1);
	ck_assert(cpu_watch_has_pid(w, 11));
	ck_assert(!cpu_watch_has_pid(w, 99));

	/* filled up: the rest is counted once per cgroup, however many targets it holds */
	for (int i = 0; w->n < LS_MAX_CPU_CGROUPS; i++) {
		snprintf(path, sizeof(path), "/other/%d", i);
		ck_assert_int_eq(cpu_watch_add(w, path, 100 + i), 0);
	}
	ck_assert_int_eq(cpu_watch_add(w, "/late/a", 500), -ENOSPC);
	ck_assert_int_eq(cpu_watch_add(w, "/late/a", 501), -ENOSPC);
	ck_assert_int_eq(cpu_watch_add(w, "/late/b", 502), -ENOSPC);
	ck_assert_uint_eq(w->nleft_out, 2);

	/* every entry read at the end, c1 at the start too; the others only at the end */
	for (size_t i = 0; i < w->n; i++) {
		w->v[i].end = sample(0, 0, 0, 0, 0);
		w->v[i].ended = true;
	}
	{
		struct cpu_watch_entry *c1 =
			(struct cpu_watch_entry *)entry(w, "/kubepods/pod1/c1");

		c1->start = sample(20000, 10, 1, 1000, 0);
		c1->end = sample(20000, 30, 11, 9000, 0);
		c1->started = true;
	}
	ck_assert_int_eq(cpu_watch_record(w, &s), 0);
	ck_assert_uint_eq(s.ncpu_cgroups, LS_MAX_CPU_CGROUPS);
	ck_assert_uint_eq(s.cpu_cgroups_full, 2);
	/* by path: the root first, ancestors before their cgroups, pids ascending */
	ck_assert_str_eq(s.cpu_cgroups[0].path, "/");
	ck_assert_str_eq(s.cpu_cgroups[1].path, "/kubepods");
	ck_assert_str_eq(s.cpu_cgroups[2].path, "/kubepods/pod1");
	ck_assert_str_eq(s.cpu_cgroups[3].path, "/kubepods/pod1/c1");
	ck_assert_int_eq(s.cpu_cgroups[3].npids, 2);
	ck_assert_int_eq(s.cpu_cgroups[3].pids[0], 10);
	ck_assert_int_eq(s.cpu_cgroups[3].pids[1], 12);
	ck_assert(!s.cpu_cgroups[3].limit.end_only);
	ck_assert_uint_eq(s.cpu_cgroups[3].limit.throttled_periods, 10);
	ck_assert_uint_eq(s.cpu_cgroups[3].limit.throttled_ns, 8000);
	ck_assert(s.cpu_cgroups[4].limit.end_only);
	cpu_watch_free(w);
	free(w);
	snapshot_free(&s);
}
END_TEST

/* Each cgroup v2 total takes the limit of the one cpu cgroup its processes are in. */
START_TEST(test_link_cgroup_totals)
{
	struct snapshot s = {0};
	static const int pids[] = {10, 11, 12};
	static const char *const v2[] = {"/app", "/app", "/other"};

	s.processes = calloc(3, sizeof(*s.processes));
	ck_assert_ptr_nonnull(s.processes);
	for (int i = 0; i < 3; i++) {
		s.processes[i].pid = pids[i];
		s.processes[i].cgroup = strdup(v2[i]);
	}
	s.nprocesses = 3;
	s.cpu_cgroups = calloc(2, sizeof(*s.cpu_cgroups));
	s.ncpu_cgroups = 2;
	s.cpu_cgroups[0].path = strdup("/quota");
	s.cpu_cgroups[0].hierarchy = CGROUP_V1;
	s.cpu_cgroups[0].pids = calloc(2, sizeof(int));
	s.cpu_cgroups[0].pids[0] = 10;
	s.cpu_cgroups[0].pids[1] = 11;
	s.cpu_cgroups[0].npids = 2;
	s.cpu_cgroups[0].limit = (struct cpu_limit){.known = CPU_KNOWN_QUOTA, .quota_us = 5000};
	s.cpu_cgroups[1].path = strdup("/elsewhere");
	s.cpu_cgroups[1].hierarchy = CGROUP_V1;
	s.cpu_cgroups[1].pids = calloc(1, sizeof(int));
	ck_assert_int_eq(snapshot_group_cgroups(&s), 0);
	ck_assert_uint_eq(s.ncgroups, 2);
	ck_assert_str_eq(s.cgroups[0].path, "/app");
	ck_assert_str_eq(s.cgroups[0].cpu_path, "/quota");
	ck_assert_int_eq(s.cgroups[0].cpu_hierarchy, CGROUP_V1);
	ck_assert_uint_eq(s.cgroups[0].cpu_limit.quota_us, 5000);
	/* 12 is in no cpu cgroup that was read */
	ck_assert_ptr_null(s.cgroups[1].cpu_path);

	/* the processes of /app in two v1 cpu cgroups: no one limit is theirs */
	s.cpu_cgroups[1].pids[0] = 11;
	s.cpu_cgroups[1].npids = 1;
	s.cpu_cgroups[0].npids = 1;
	ck_assert_int_eq(snapshot_link_cpu_limits(&s), 0);
	ck_assert_ptr_null(s.cgroups[0].cpu_path);
	ck_assert_str_eq(cgroup_hierarchy_name(CGROUP_V2), "v2");
	ck_assert_int_eq(cgroup_hierarchy_parse("v1"), CGROUP_V1);
	ck_assert_int_eq(cgroup_hierarchy_parse("v3"), -1);
	ck_assert_str_eq(cpu_file_name(CPU_FILE_CFS_PERIOD), "cpu.cfs_period_us");
	ck_assert_ptr_null(cpu_file_name(CPU_FILE_STAT | CPU_FILE_MAX));
	ck_assert_uint_eq(cpu_file_parse("cpu.stat"), CPU_FILE_STAT);
	ck_assert_uint_eq(cpu_file_parse("cpu.weight"), 0);
	snapshot_free(&s);
}
END_TEST

/* ---- the readers, against fixture trees ---- */

static char root[128]; /* short, so every path built under it fits */

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s", path);
		*slash = '/';
	}
	if (!text) {
		ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s", path);
		return;
	}
	f = fopen(path, "w");
	ck_assert_msg(f, "create %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* A mountinfo file with the given cgroup mounts (fstype, directory under root, options). */
static const char *mountinfo(const char *lines)
{
	static char path[PATH_MAX + 16];
	char text[4096];

	snprintf(text, sizeof(text),
		 "22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
		 "28 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n%s",
		 lines);
	snprintf(path, sizeof(path), "%s/mountinfo", root);
	put("mountinfo", text);
	return path;
}

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/loadscope-cpulimit-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
	fixture_remove_tree(root);
}

START_TEST(test_find_controller)
{
	struct cpu_controller c;
	char lines[1024];

	/* pure v2: the root lists cpu among its controllers */
	put("v2/cgroup.controllers", "cpuset cpu io memory pids\n");
	snprintf(lines, sizeof(lines),
		 "33 23 0:27 / %s/v2 rw,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n", root);
	ck_assert_int_eq(cpu_controller_find(mountinfo(lines), &c), 0);
	ck_assert_int_eq(c.hierarchy, CGROUP_V2);
	ck_assert_str_eq(c.mount + strlen(root), "/v2");
	ck_assert_str_eq(c.root, "/");
	cpu_controller_free(&c);

	/* hybrid: v2 without cpu (bound to v1), cpu co-mounted with cpuacct, cpuset apart */
	put("unified/cgroup.controllers", "\n");
	snprintf(lines, sizeof(lines),
		 "31 30 0:28 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n"
		 "34 30 0:31 / %s/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
		 "35 30 0:32 / %s/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n",
		 root, root, root);
	ck_assert_int_eq(cpu_controller_find(mountinfo(lines), &c), 0);
	ck_assert_int_eq(c.hierarchy, CGROUP_V1);
	ck_assert_str_eq(c.mount + strlen(root), "/cpu,cpuacct");
	cpu_controller_free(&c);

	/* a bind mount of one cgroup first, then the hierarchy's root: the root is chosen */
	snprintf(lines, sizeof(lines),
		 "35 30 0:32 /docker/abc %s/inner rw - cgroup cgroup rw,cpu\n"
		 "36 30 0:32 / %s/cpu rw - cgroup cgroup rw,cpu\n",
		 root, root);
	ck_assert_int_eq(cpu_controller_find(mountinfo(lines), &c), 0);
	ck_assert_str_eq(c.mount + strlen(root), "/cpu");
	ck_assert_str_eq(c.root, "/");
	cpu_controller_free(&c);

	/* only the bind mount: paths under its root are read through it */
	snprintf(lines, sizeof(lines),
		 "35 30 0:32 /docker/abc %s/inner rw - cgroup cgroup rw,cpu\n", root);
	ck_assert_int_eq(cpu_controller_find(mountinfo(lines), &c), 0);
	ck_assert_str_eq(c.root, "/docker/abc");
	cpu_controller_free(&c);

	/* cpuacct and cpuset are not cpu; v2 without cpu; nothing at all */
	snprintf(lines, sizeof(lines),
		 "31 30 0:28 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n"
		 "34 30 0:31 / %s/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
		 "35 30 0:32 / %s/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n",
		 root, root, root);
	ck_assert_int_eq(cpu_controller_find(mountinfo(lines), &c), -ENOENT);
	ck_assert_ptr_null(c.mount);
	ck_assert_int_eq(cpu_controller_find(mountinfo(""), &c), -ENOENT);
	ck_assert_int_eq(cpu_controller_find("/nonexistent/mountinfo", &c), -ENOENT);
}
END_TEST

static struct cpu_controller fake(enum cgroup_hierarchy h, const char *dir, const char *croot)
{
	struct cpu_controller c = {.hierarchy = h};
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	c.mount = strdup(path);
	c.root = strdup(croot);
	ck_assert(c.mount && c.root);
	return c;
}

START_TEST(test_read_v2)
{
	struct cpu_controller c = fake(CGROUP_V2, "v2", "/");
	struct cpu_sample s;

	put("v2/app/cpu.max", "20000 100000\n");
	put("v2/app/cpu.stat", "usage_usec 5\nuser_usec 5\nsystem_usec 0\nnr_periods 52\n"
			       "nr_throttled 41\nthrottled_usec 3100000\n");
	put("v2/app/cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=3200000\n"
				   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	cpu_sample_read(&c, "/app", &s);
	ck_assert_uint_eq(s.missing, 0);
	ck_assert_uint_eq(s.known, CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING |
					   CPU_KNOWN_PRESSURE);
	ck_assert_uint_eq(s.throttled_ns, 3100000000ULL);
	ck_assert_uint_eq(s.pressure_some_us, 3200000);

	/* the controller not enabled there: no cpu.max, usage only; no limit, nothing missing */
	put("v2/plain/cpu.stat", "usage_usec 5\nuser_usec 5\nsystem_usec 0\n");
	cpu_sample_read(&c, "/plain", &s);
	ck_assert_uint_eq(s.known, 0);
	ck_assert_uint_eq(s.missing, 0);

	/* cpu.stat unreadable (here a directory) and a cpu.max in no known format: named */
	put("v2/broken/cpu.stat", NULL);
	put("v2/broken/cpu.max", "twenty\n");
	cpu_sample_read(&c, "/broken", &s);
	ck_assert_uint_eq(s.missing, CPU_FILE_STAT | CPU_FILE_MAX);

	/* gone: cpu.stat missing (cpu.max's absence says nothing) */
	cpu_sample_read(&c, "/gone", &s);
	ck_assert_uint_eq(s.missing, CPU_FILE_STAT);
	cpu_controller_free(&c);
}
END_TEST

START_TEST(test_read_v1)
{
	struct cpu_controller c = fake(CGROUP_V1, "cpu", "/");
	struct cpu_controller bind = fake(CGROUP_V1, "cpu/docker/abc", "/docker/abc");
	struct cpu_sample s;

	put("cpu/loadscope-test/cpu.cfs_quota_us", "20000\n");
	put("cpu/loadscope-test/cpu.cfs_period_us", "100000\n");
	put("cpu/loadscope-test/cpu.stat",
	    "nr_periods 52\nnr_throttled 41\n"
	    "throttled_time 3100000000\nnr_bursts 0\nburst_time 0\n");
	cpu_sample_read(&c, "/loadscope-test", &s);
	ck_assert_uint_eq(s.missing, 0);
	ck_assert_uint_eq(s.known, CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING);
	ck_assert_uint_eq(s.quota_us, 20000);
	ck_assert_uint_eq(s.periods, 52);
	ck_assert_uint_eq(s.throttled_ns, 3100000000ULL);

	/* the root: -1, no limit */
	put("cpu/cpu.cfs_quota_us", "-1\n");
	put("cpu/cpu.cfs_period_us", "100000\n");
	put("cpu/cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
	cpu_sample_read(&c, "/", &s);
	ck_assert_uint_eq(s.known, CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING);
	ck_assert_uint_eq(s.missing, 0);

	/* v1 has every file: one that is absent is named */
	put("cpu/nostat/cpu.cfs_quota_us", "-1\n");
	put("cpu/nostat/cpu.cfs_period_us", "100000\n");
	cpu_sample_read(&c, "/nostat", &s);
	ck_assert_uint_eq(s.missing, CPU_FILE_STAT);

	/* through a bind mount of /docker/abc: its cgroups, and none outside it */
	put("cpu/docker/abc/cpu.cfs_quota_us", "50000\n");
	put("cpu/docker/abc/cpu.cfs_period_us", "100000\n");
	put("cpu/docker/abc/cpu.stat", "nr_periods 3\nnr_throttled 1\nthrottled_time 10\n");
	cpu_sample_read(&bind, "/docker/abc", &s);
	ck_assert_uint_eq(s.missing, 0);
	ck_assert_uint_eq(s.quota_us, 50000);
	cpu_sample_read(&bind, "/docker/abcdef", &s);
	ck_assert_uint_eq(s.missing, CPU_FILE_CFS_QUOTA | CPU_FILE_CFS_PERIOD | CPU_FILE_STAT);
	cpu_controller_free(&c);
	cpu_controller_free(&bind);
}
END_TEST

/* This process's own cpu cgroup, on the host the tests run on: whatever it is, it parses. */
START_TEST(test_own_cgroup)
{
	struct cpu_controller c;
	char path[PATH_MAX];

	if (cpu_controller_find("/proc/self/mountinfo", &c))
		return; /* a host without the cpu controller: nothing to read */
	ck_assert_int_eq(cpu_cgroup_of_pid(&c, getpid(), path, sizeof(path)), 0);
	ck_assert_msg(path[0] == '/', "cpu cgroup '%s'", path);
	cpu_controller_free(&c);
}
END_TEST

Suite *cpulimit_suite(void)
{
	Suite *s = suite_create("cpulimit");
	TCase *tc = tcase_create("parse");
	TCase *files = tcase_create("files");

	tcase_add_test(tc, test_parse_cpu_max);
	tcase_add_test(tc, test_parse_cfs_files);
	tcase_add_test(tc, test_parse_cpu_stat);
	tcase_add_test(tc, test_parse_cpu_pressure);
	tcase_add_test(tc, test_parse_proc_cgroup);
	tcase_add_test(tc, test_delta);
	tcase_add_test(tc, test_watch_ancestors_and_limit);
	tcase_add_test(tc, test_link_cgroup_totals);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_find_controller);
	tcase_add_test(files, test_read_v2);
	tcase_add_test(files, test_read_v1);
	tcase_add_test(files, test_own_cgroup);
	suite_add_tcase(s, files);
	return s;
}
