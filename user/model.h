/* SPDX-License-Identifier: GPL-2.0 */
/* The snapshot model: plain data filled by collection or by the JSON reader, read by analysis and rendering. */
#ifndef LOADSCOPE_MODEL_H
#define LOADSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../bpf/loadscope.h"

#define SCHEMA_NAME "loadscope/1"
#define SCHEMA_VERSION 1

/* Scheduler figures of one thread, or summed over the threads of a process. */
struct sched_stats {
	uint64_t cpu_ns;
	uint64_t runq_wait_ns;
	uint64_t runq_count;
	uint64_t runq_max_ns;
	uint64_t voluntary_switches;
	uint64_t involuntary_switches;
	uint64_t migrations;
	uint64_t wakeups;
	uint64_t runq_hist[HIST_BUCKETS];
};

struct thread {
	int tid;
	char comm[LS_COMM_LEN];
	bool exited;
	struct sched_stats sched;
};

struct process {
	int pid;
	int ppid;
	char comm[LS_COMM_LEN];
	bool exited; /* every thread seen has exited */
	struct sched_stats sched; /* sum over threads; runq_max_ns is the max */
	struct thread *threads;
	size_t nthreads;
};

/* How the targets were chosen. */
struct targets {
	int *pids;        /* -p PID list */
	size_t npids;
	bool command;     /* the COMMAND and its descendants are targets (no -p) */
	bool children;    /* descendants are followed */
	char *description; /* one line for the report header, e.g. "tree of 4211 (node)" */
};

struct snapshot {
	char *kernel;       /* uname release */
	int cpus;           /* online CPUs */
	uint64_t duration_ns;
	char **command;     /* COMMAND argv, NULL-terminated; NULL when none */
	int command_exit;   /* exit status as a shell reports it; -1 when no command or not finished */
	char *program;      /* "raw_tp" or "tp_btf": how the programs were attached */
	struct targets targets;
	uint64_t drops[DROP_REASONS];
	struct process *processes;
	size_t nprocesses;
};

/* Histogram buckets: bounds in ns, [lower, upper). */
uint64_t hist_bucket_lower(unsigned int idx);
uint64_t hist_bucket_upper(unsigned int idx);
/* Value below which a fraction q (0..1) of the samples lie, interpolated inside its bucket; 0 when empty. */
uint64_t hist_percentile(const uint64_t *hist, unsigned int nbuckets, double q);
uint64_t hist_total(const uint64_t *hist, unsigned int nbuckets);
/* Run-queue wait percentiles of one thread or process, from its histogram (see hist_percentile). */
void sched_stats_percentiles(const struct sched_stats *s, uint64_t *p50_ns, uint64_t *p90_ns,
			     uint64_t *p99_ns);

/* Add one thread's figures into a process total. */
void sched_stats_add(struct sched_stats *sum, const struct sched_stats *t);
/* Recompute every process total from its threads; sort processes by pid, threads by tid. */
void snapshot_finish(struct snapshot *s);
struct process *snapshot_find_process(struct snapshot *s, int pid);
void snapshot_free(struct snapshot *s);

#endif /* LOADSCOPE_MODEL_H */
