/* SPDX-License-Identifier: GPL-2.0 */
/* The CPU budget of a run: /proc samples at its start and end, with the snapshot, into parts. */
#ifndef LOADSCOPE_BUDGET_H
#define LOADSCOPE_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* The "cpu" line of /proc/stat, in clock ticks; guest time is inside user and nice already. */
struct cpu_ticks {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};

/* One process as /proc/PID/stat shows it. */
struct proc_ticks {
	int pid;
	int ppid;
	uint64_t start_ticks; /* starttime (field 22): tells a reused pid from the process before */
	uint64_t cpu_ticks;   /* utime + stime: its threads, live and exited */
	char comm[LS_COMM_LEN];
};

/* The machine at one moment of the run. */
struct host_sample {
	int error;	      /* 0, or the negative errno /proc/stat could not be read with */
	uint64_t taken_ticks; /* CLOCK_BOOTTIME in ticks when taken, as starttime counts */
	uint64_t stat_ns;     /* CLOCK_MONOTONIC when /proc/stat was read; 0: not known */
	struct cpu_ticks cpu;
	struct proc_ticks *procs; /* by pid: every process in /proc, or at an -i tick the load */
	size_t nprocs;
};

void host_sample_free(struct host_sample *h);

/* What a run knows besides the snapshot. */
struct budget_inputs {
	const struct host_sample *start, *end;
	long ticks_per_s;      /* sysconf(_SC_CLK_TCK) */
	int self_pid;	       /* loadscope: its own CPU time stays in "(rest)" */
	int load_pid;	       /* the COMMAND when a selector chose the targets; 0: no load part */
	const char *load_name; /* its argv[0]; the part is named after its last path component */
	uint64_t load_cpu_ns;  /* its user and system time, with the descendants it reaped */
};

/*
 * The budget of a run into b: total_ns is the CPUs x the wall time between the samples' reads of
 * /proc/stat (the sum of its fields when their times are not known); irq, softirq, steal and idle
 * (with iowait) are its fields, and the tasks' time is the rest of total_ns. /proc/stat counts
 * idle time as measured (on a tickless kernel) but busy time tick by tick, and a CPU that misses
 * ticks (a virtual machine's, while its host runs something else) loses busy time: so the
 * tasks' time is not taken from its user, nice and system fields. The tasks' time is shared out as the targets' on-CPU time (s's processes), the load's, the busiest
 * BUDGET_TOP_OTHERS other names, and "(rest)": what no process seen at both samples accounts for.
 * A process at the end that started after the start sample counts whole; one that was running
 * then but missing from it, or that ended before the end, is in "(rest)". A field or process that
 * went backwards counts 0. The load is left out when it is a target, and
 * so are its descendants, loadscope and ksoftirqd (whose time /proc/stat counts as softirq) from
 * the others. When the processes' own time exceeds the tasks' time (without
 * CONFIG_IRQ_TIME_ACCOUNTING it includes the interrupts that ran on their CPU time), each is
 * scaled down by the same ratio. The parts always add up to total_ns. When a sample has an error,
 * b says so. 0, or -ENOMEM.
 */
int cpu_budget_compute(const struct budget_inputs *in, const struct snapshot *s,
		       struct cpu_budget *b);

/*
 * What an -i interval's budget is computed from, besides the interval itself: the samples at its
 * two ticks, each /proc/stat and the load's stat alone (no scan of every process).
 */
struct interval_budget_inputs {
	const struct host_sample *start, *end;
	long ticks_per_s;      /* sysconf(_SC_CLK_TCK) */
	int load_pid;	       /* the COMMAND when a selector chose the targets; 0: no load part */
	const char *load_name; /* its argv[0], as struct budget_inputs */
	int cpus;	       /* online CPUs: the total is cpus x the wall time between the samples */
};

/*
 * The budget of one interval into b, by the same arithmetic as cpu_budget_compute: the targets'
 * part is the interval's per-process cpu_ns summed; the load's, its utime + stime between the
 * samples (its threads: the descendants it started are not in it, they are in "(rest)" with
 * every other process); no process is named. The load has no part when it is one of the
 * interval's processes, and counts 0 (its time in "(rest)") when the end sample does not have
 * it. When a sample has an error, b says so.
 */
void cpu_budget_interval(const struct interval_budget_inputs *in, const struct interval *iv,
			 struct cpu_budget *b);

/* The CPU time of every part of kind k (saturating). */
uint64_t cpu_budget_kind_ns(const struct cpu_budget *b, enum budget_kind k);

/*
 * The share of the machine's CPU time that was busy, 1 - idle / total, in *share; false when the
 * budget was not measured or counted no time.
 */
bool cpu_budget_busy_share(const struct cpu_budget *b, double *share);

/* "targets", "load", "other", "irq", "softirq", "steal", "idle"; NULL if out of range. */
const char *budget_kind_name(enum budget_kind k);
/* The kind named name, or -1. */
int budget_kind_parse(const char *name);

#endif /* LOADSCOPE_BUDGET_H */
