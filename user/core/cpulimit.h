/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU limits of cgroups, as plain arithmetic: the cpu controller's files parsed from their text,
 * two readings turned into what happened in between, and the set of cgroups a run samples.
 * targets/cpulimit.c reads the files; this knows nothing of where they are.
 */
#ifndef LOADSCOPE_CPULIMIT_H
#define LOADSCOPE_CPULIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* One reading of a cgroup's CPU files, in their own units. */
struct cpu_sample {
	unsigned int known; /* enum cpu_limit_known: what the files gave */
	uint64_t quota_us;
	uint64_t period_us;
	uint64_t periods;
	uint64_t throttled_periods;
	uint64_t throttled_ns; /* v2's throttled_usec already in ns */
	uint64_t pressure_some_us;
	unsigned int missing; /* enum cpu_file: should be there, could not be read */
};

/*
 * The parsers each fill their part of s and return 0, or -EINVAL for text that is not that
 * file's format (s is then left as it was).
 * cpu.max (v2): "max 100000" (no limit) or "20000 100000".
 */
int cpu_parse_max(const char *text, struct cpu_sample *s);
/* cpu.cfs_quota_us (v1): "-1" (no limit) or the quota in us. */
int cpu_parse_cfs_quota(const char *text, struct cpu_sample *s);
/* cpu.cfs_period_us (v1). */
int cpu_parse_cfs_period(const char *text, struct cpu_sample *s);
/*
 * cpu.stat: nr_periods, nr_throttled and the throttled time, which v2 gives in us
 * (throttled_usec) and v1 in ns (throttled_time). Without all three (a v2 cgroup without the
 * cpu controller has only usage_usec and the like) the throttling stays unknown, not an error.
 */
int cpu_parse_stat(const char *text, struct cpu_sample *s);
/* cpu.pressure: the "some" line's total=, in us. */
int cpu_parse_pressure(const char *text, struct cpu_sample *s);

/*
 * The cgroup of the cpu controller in /proc/PID/cgroup's text: on v2 the "0::" line, on v1 the
 * line whose controllers include cpu ("4:cpu,cpuacct:/path"). 0, -ENOENT when there is none, or
 * -ENAMETOOLONG.
 */
int cpu_cgroup_parse(const char *proc_cgroup, enum cgroup_hierarchy h, char *path, size_t len);

/*
 * What happened between two readings of one cgroup; start NULL for a cgroup first read at the
 * end (end_only: its limit then, no deltas). A counter lower at the end than at the start was
 * reset (the cgroup made again under the same name): counted from 0, and counters_reset set.
 * The limit is the end's, or the start's when the end could not read it.
 */
void cpu_limit_delta(const struct cpu_sample *start, const struct cpu_sample *end,
		     struct cpu_limit *out);
/* CPUs the quota allows (quota / period); 0 without a quota. */
double cpu_limit_cpus(const struct cpu_limit *l);

/* The cpu cgroups of a run while it lasts, each with the targets in it and its readings. */
struct cpu_watch_entry {
	char *path;
	int *pids;
	size_t npids, cap;
	struct cpu_sample start, end;
	bool started, ended; /* read at the start, at the end */
};

struct cpu_watch {
	enum cgroup_hierarchy hierarchy;
	struct cpu_watch_entry v[LS_MAX_CPU_CGROUPS];
	size_t n;
	char **left_out; /* cgroups that did not fit, each once */
	size_t nleft_out;
};

/*
 * Add the cgroup at path with pid in it (0: none), then its ancestors up to, not including, the
 * root ("/" itself is added only as a target's own cgroup, and has no quota). A cgroup already
 * there keeps its entry. 0, -ENOSPC when path did not fit (remembered in left_out), -ENOMEM.
 */
int cpu_watch_add(struct cpu_watch *w, const char *path, int pid);
/* Is pid listed in one of the entries? */
bool cpu_watch_has_pid(const struct cpu_watch *w, int pid);
/* The entries into s->cpu_cgroups (by path, pids ascending, limits computed); 0 or -ENOMEM. */
int cpu_watch_record(const struct cpu_watch *w, struct snapshot *s);
void cpu_watch_free(struct cpu_watch *w);

#endif /* LOADSCOPE_CPULIMIT_H */
