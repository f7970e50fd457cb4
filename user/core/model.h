/* SPDX-License-Identifier: GPL-2.0 */
/* The snapshot model: plain data filled by collection or by the JSON reader, read by analysis and rendering. */
#ifndef LOADSCOPE_MODEL_H
#define LOADSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "loadscope.h"

#define SCHEMA_NAME "loadscope/1"
#define SCHEMA_VERSION 1

/* Scheduler figures of one thread, or summed over the threads of a process. */
struct sched_stats {
	uint64_t cpu_ns;
	uint64_t cpu_kernel_ns; /* the part of cpu_ns inside syscalls; the rest is user time */
	uint64_t runq_wait_ns;
	uint64_t runq_count;
	uint64_t runq_max_ns;
	uint64_t voluntary_switches;
	uint64_t involuntary_switches;
	uint64_t migrations;
	uint64_t wakeups;
	uint64_t runq_hist[HIST_BUCKETS];
};

/* One latency figure (a syscall class, the accept queue, the handoff delay), per thread or summed. */
struct lat_figures {
	uint64_t count;
	uint64_t errors;   /* syscalls: calls that returned an error (included in count) */
	uint64_t total_ns;
	uint64_t bytes;    /* read and write classes */
	uint64_t max_ns;
	uint64_t hist[HIST_BUCKETS];
};

#define NAME_LEN 32
/* A named count: one errno of a syscall class, or one syscall of class `other`. */
struct named_count {
	char name[NAME_LEN];
	uint64_t count;
	uint64_t errors;
	uint64_t total_ns;
};

/* Syscalls, descriptor handoffs and accepted connections of a thread, or summed per process. */
struct sys_figures {
	struct lat_figures cls[SC_CLASSES];     /* by enum sys_class */
	struct named_count *errnos[SC_CLASSES]; /* failed calls by errno name, per class */
	size_t nerrnos[SC_CLASSES];
	struct named_count *top; /* class `other` by syscall, most time first */
	size_t ntop;
	uint64_t offcpu_ns[SC_CLASSES + 1]; /* blocked, by the class of the syscall; SC_NONE: none */
	uint64_t offcpu_d_ns[SC_CLASSES + 1]; /* the part of offcpu_ns in uninterruptible sleep */
	uint64_t offcpu_lock_ns; /* the part of offcpu_ns[SC_FUTEX] waiting for a lock */
	uint64_t handoff_sent;              /* descriptors passed with SCM_RIGHTS */
	uint64_t handoff_received;
	struct lat_figures accept_queue; /* connection established -> accept() */
	uint64_t backlog_max;            /* longest listen queue seen at an accept */
	struct lat_figures handoff_delay; /* accept() -> sendmsg() passing it on */
};

struct thread {
	int tid;
	char comm[LS_COMM_LEN];
	bool exited;
	uint64_t alive_ns;    /* time it existed during the run */
	uint64_t tcp_reads;   /* reads that returned data from a TCP connection */
	uint64_t tcp_writes;  /* writes that sent data on one */
	struct sched_stats sched;
	struct sys_figures sys;
};

/* Another process seen from a target: one that took its CPU, or one that woke it. */
struct peer {
	int pid; /* 0: the idle task (a wakeup from an interrupt on an idle CPU) */
	char comm[LS_COMM_LEN];
	uint64_t count;
	uint64_t wait_ns; /* preempted_by: the run-queue wait the preemptions were followed by */
};

struct process {
	int pid;
	int ppid;
	char comm[LS_COMM_LEN];
	bool exited; /* every thread seen has exited */
	enum select_reason selected_by; /* how it became a target (its main thread's reason) */
	unsigned int selector;    /* collection only: which --comm or cgroup it matched */
	uint64_t cgroup_id;       /* collection only: its cgroup v2 id, named into cgroup */
	char *cgroup;             /* cgroup v2 path under the mount, "/" for the root, or "(removed)" */
	struct sched_stats sched; /* sum over threads; runq_max_ns is the max */
	struct sys_figures sys;   /* sum over threads */
	uint64_t unaccepted;      /* connections on its listeners never accepted during the run */
	uint64_t alive_ns;        /* summed over threads: thread-time during the run */
	uint64_t tcp_reads;
	uint64_t tcp_writes;
	struct peer *preempted_by; /* most wait first */
	size_t npreempted_by;
	struct peer *wakers; /* most wakeups first */
	size_t nwakers;
	struct thread *threads;
	size_t nthreads;
};

/* The parts of the machine's CPU time in a run or an interval (core/budget.h computes them). */
enum budget_kind {
	BUDGET_TARGETS, /* the target processes' on-CPU time */
	BUDGET_LOAD,	/* the COMMAND when a selector chose the targets: the load generator */
	BUDGET_OTHER,	/* one other process name, or BUDGET_REST_NAME */
	BUDGET_IRQ,
	BUDGET_SOFTIRQ,
	BUDGET_STEAL,
	BUDGET_IDLE, /* idle and iowait */
	BUDGET_KINDS,
};

#define BUDGET_TOP_OTHERS 5 /* other processes named one by one, busiest first: a line's worth */
/* targets, load, the named others and the rest of them, irq, softirq, steal, idle */
#define BUDGET_MAX_PARTS (BUDGET_KINDS + BUDGET_TOP_OTHERS)
#define BUDGET_REST_NAME "(rest)" /* other CPU time no process seen at both ends accounts for */
#define BUDGET_ERROR_LEN 96	  /* an errno's text */

enum budget_status {
	BUDGET_UNKNOWN,	   /* not measured: a run or an interval saved before loadscope measured it */
	BUDGET_MEASURED,   /* parts and total_ns hold the figures */
	BUDGET_UNREADABLE, /* /proc/stat could not be read; error says why */
};

struct budget_part {
	enum budget_kind kind;
	char name[NAME_LEN]; /* load: the command; other: a comm or "(rest)"; else the kind */
	uint64_t cpu_ns;
};

/* How the CPUs were shared: the parts add up to total_ns, the CPU time /proc/stat counted. */
struct cpu_budget {
	enum budget_status status;
	char error[BUDGET_ERROR_LEN]; /* BUDGET_UNREADABLE: strerror's text, "" when not known */
	uint64_t total_ns;	      /* about cpus x duration_ns */
	struct budget_part parts[BUDGET_MAX_PARTS];
	size_t nparts;
};

/* How the observer's own cost was measured. */
enum observer_source {
	OBSERVER_UNKNOWN,   /* not measured: a run saved before, or no run-time statistics */
	OBSERVER_BPF_STATS, /* the kernel's per-program run time and count (BPF_ENABLE_STATS) */
};

#define OBSERVER_MAX_PROGRAMS 32 /* loadscope loads 12 programs; room for more */

/* One of loadscope's programs during the run: how often it ran, and its CPU time. */
struct observer_program {
	char name[NAME_LEN]; /* the program's name, e.g. ls_sys_exit */
	uint64_t runs;
	uint64_t run_ns;
};

/* What observing cost: the events loadscope's programs handled, and the CPU they used. */
struct observer_cost {
	enum observer_source source;
	/*
	 * the share of the run the statistics were on for (1: all of it); the figures below are
	 * scaled up from it, since keeping them on costs every program run two clock reads
	 */
	double sampled_share;
	struct observer_program programs[OBSERVER_MAX_PROGRAMS]; /* most run time first */
	size_t nprograms;
};

/* The programs' runs and CPU time, summed (saturating). */
uint64_t observer_runs(const struct observer_cost *c);
uint64_t observer_run_ns(const struct observer_cost *c);
/* "bpf_stats"; NULL for OBSERVER_UNKNOWN. */
const char *observer_source_name(enum observer_source s);

/* One process's cumulative figures at a moment of the run, as -i samples them. */
struct proc_sample {
	int pid;
	char comm[LS_COMM_LEN];
	uint64_t cpu_ns;
	uint64_t runq_wait_ns;
	uint64_t switches; /* voluntary and involuntary */
	uint64_t accepts;  /* successful accept calls */
	uint64_t syscalls;
	uint64_t runq_hist[HIST_BUCKETS];
};

/* One process during one interval: what it did between two samples. */
struct interval_proc {
	int pid;
	uint64_t cpu_ns;
	uint64_t runq_wait_ns;
	uint64_t runq_p99_ns; /* of the waits that ended in the interval */
	bool runq_timed;      /* some wait ended in it: runq_p99_ns is one */
	uint64_t switches;
	uint64_t accepts;
	uint64_t syscalls;
};

struct interval {
	uint64_t end_ns;      /* since the start of the run */
	uint64_t duration_ns; /* its length */
	struct interval_proc *procs;
	size_t nprocs;
	struct cpu_budget budget; /* the machine's CPUs in the interval; other processes: "(rest)" */
};

/* Descriptors one process passed to another with SCM_RIGHTS. */
struct handoff_pair {
	int from;
	int to;
	uint64_t count;
};

/* A container given with --container, and the cgroup its ID resolved to. */
struct target_container {
	char *id;     /* the full ID */
	char *cgroup; /* path under the cgroup2 mount */
};

/* How the targets were chosen. */
struct targets {
	int *pids;        /* -p PID list */
	size_t npids;
	char **comms;     /* --comm names */
	size_t ncomms;
	char **cgroups;   /* --cgroup paths, under the cgroup2 mount */
	size_t ncgroups;
	struct target_container *containers; /* --container */
	size_t ncontainers;
	bool command;     /* the COMMAND and its descendants are targets (no -p) */
	bool children;    /* descendants are followed */
	char *description; /* one line for the report header, e.g. "tree of 4211 (node)" */
};

#define CGROUP_PATH_REMOVED "(removed)" /* a process's cgroup no longer existed at the end */
#define CGROUP_PATH_UNKNOWN "(unknown)" /* no cgroup2 mount to name it from */

/* The cgroup hierarchy that holds the cpu controller a limit was read from. */
enum cgroup_hierarchy {
	CGROUP_V2,
	CGROUP_V1,
};

/* Figures of a cpu_limit that are known; the others are null in the JSON. */
enum cpu_limit_known {
	CPU_KNOWN_QUOTA = 1 << 0,      /* quota_us: a quota is set (without it: no limit) */
	CPU_KNOWN_PERIOD = 1 << 1,     /* period_us */
	CPU_KNOWN_THROTTLING = 1 << 2, /* periods, throttled_periods, throttled_ns */
	CPU_KNOWN_PRESSURE = 1 << 3,   /* pressure_some_ns */
};

/* Files a cpu cgroup should have, as bits: those that could not be read. */
enum cpu_file {
	CPU_FILE_MAX = 1 << 0,	      /* cpu.max (v2) */
	CPU_FILE_CFS_QUOTA = 1 << 1,  /* cpu.cfs_quota_us (v1) */
	CPU_FILE_CFS_PERIOD = 1 << 2, /* cpu.cfs_period_us (v1) */
	CPU_FILE_STAT = 1 << 3,	      /* cpu.stat */
};
#define CPU_FILES 4

/*
 * A cgroup's CPU bandwidth limit and what it did during the run: cpu.max (v2) or
 * cpu.cfs_quota_us and cpu.cfs_period_us (v1), then the deltas of cpu.stat and of the "some"
 * total of cpu.pressure (v2) from the start to the end.
 */
struct cpu_limit {
	unsigned int known;	    /* enum cpu_limit_known */
	uint64_t quota_us;	    /* CPU time the group may use per period, on all CPUs */
	uint64_t period_us;	    /* the length of one period */
	uint64_t periods;	    /* nr_periods: periods in which the group had runnable tasks */
	uint64_t throttled_periods; /* nr_throttled: periods that ended with its quota used up */
	uint64_t throttled_ns;	    /* throttled_usec (v2), throttled_time (v1); CPUs summed */
	uint64_t pressure_some_ns;  /* time some of its tasks waited for a CPU (PSI, v2) */
	bool counters_reset;	    /* a counter was lower at the end: counted from 0 again */
	bool end_only;		    /* first seen at the end: the limit then, no deltas */
	unsigned int missing;	    /* enum cpu_file: files it should have, unreadable */
};

/*
 * The cpu cgroups sampled in a run, at most this many: the targets' own and their ancestors.
 * A container under Kubernetes sits about 5 levels deep, so this covers a dozen pods' worth.
 */
#define LS_MAX_CPU_CGROUPS 64

/* A cgroup of the cpu controller that targets are in, or an ancestor of one. */
struct cpu_cgroup {
	char *path; /* under its hierarchy's mount, as /proc/PID/cgroup names it; "/" the root */
	enum cgroup_hierarchy hierarchy;
	int *pids; /* targets directly in it, ascending; none for an ancestor */
	size_t npids;
	struct cpu_limit limit;
};

/* The targets of one cgroup v2 and their totals. */
struct cgroup_total {
	char *path; /* as struct process's cgroup */
	uint64_t cpu_ns;
	uint64_t runq_wait_ns;
	uint64_t voluntary_switches;
	uint64_t involuntary_switches;
	uint64_t syscalls;
	int *pids; /* its processes, ascending */
	size_t npids;
	/* the cpu cgroup its processes are in (v2: itself); NULL when unknown or several */
	char *cpu_path;
	enum cgroup_hierarchy cpu_hierarchy;
	struct cpu_limit cpu_limit; /* that cgroup's, when cpu_path is set */
	bool removed; /* its directory was gone at the end of the run: the figures end before */
};

struct snapshot {
	char *kernel;       /* uname release */
	int cpus;           /* online CPUs */
	uint64_t duration_ns;
	char **command;     /* COMMAND argv, NULL-terminated; NULL when none */
	int command_exit;   /* exit status as a shell reports it; -1 when no command or not finished */
	char *program;      /* "raw_tp" or "tp_btf": how the programs were attached */
	bool cpu_split;     /* cpu_kernel_ns measured; false: unknown (a run saved before it was) */
	/*
	 * --no-syscalls (light mode): no syscall hook was attached, so the syscall classes, the
	 * connection path, TCP reads and writes, roles, the off-CPU split by class and the user and
	 * kernel split are unknown: absent in every report, never 0
	 */
	bool no_syscalls;
	struct targets targets;
	uint64_t drops[DROP_REASONS];
	/* enum lifecycle_count: target processes and threads started and exited during the run */
	uint64_t lifecycle[LC_COUNTS];
	bool has_lifecycle; /* counted (false: a run saved before they were) */
	struct process *processes;
	size_t nprocesses;
	uint64_t requests_given;	/* --requests: the load tool's count; 0 when not given */
	uint64_t interval_ns;	/* -i: the sampling interval; 0 without one */
	uint64_t started_unix_ns; /* wall clock (CLOCK_REALTIME) at the start; 0: not known */
	struct interval *intervals;	/* the time series, oldest first */
	size_t nintervals;
	struct handoff_pair *handoffs; /* descriptors passed between target processes */
	size_t nhandoffs;
	struct cgroup_total *cgroups; /* targets grouped by cgroup, by path; see snapshot_group_cgroups */
	size_t ncgroups;
	struct cpu_budget cpu_budget; /* the machine's CPUs during the run */
	struct observer_cost observer; /* loadscope's own programs during the run */
	struct cpu_cgroup *cpu_cgroups; /* the targets' cpu cgroups and their ancestors, by path */
	size_t ncpu_cgroups;
	uint64_t cpu_cgroups_full; /* cpu cgroups left out, beyond LS_MAX_CPU_CGROUPS */
};

/* Histogram buckets: bounds in ns, [lower, upper). */
uint64_t hist_bucket_lower(unsigned int idx);
uint64_t hist_bucket_upper(unsigned int idx);
/* Value below which a fraction q (0..1) of the samples lie, interpolated inside its bucket; 0 when empty. */
uint64_t hist_percentile(const uint64_t *hist, unsigned int nbuckets, double q);
uint64_t hist_total(const uint64_t *hist, unsigned int nbuckets);
/*
 * Run-queue wait percentiles of one thread or process, from its histogram (see hist_percentile).
 * false when the histogram is empty: there are no percentiles, and the 0s written mean nothing.
 */
bool sched_stats_percentiles(const struct sched_stats *s, uint64_t *p50_ns, uint64_t *p90_ns,
			     uint64_t *p99_ns);

/* Add to the peer with that pid, appending it when new; 0 or -ENOMEM. */
int peer_add(struct peer **arr, size_t *n, int pid, const char *comm, uint64_t count,
	     uint64_t wait_ns);

/* Percentiles of a latency figure, capped at its exact maximum; false when none was timed. */
bool lat_percentiles(const struct lat_figures *l, uint64_t *p50_ns, uint64_t *p90_ns,
		     uint64_t *p99_ns);

/* Add one thread's figures into a process total. */
void sched_stats_add(struct sched_stats *sum, const struct sched_stats *t);
void lat_figures_add(struct lat_figures *sum, const struct lat_figures *t);
/* Add to the entry called name, appending it when new; 0 or -ENOMEM. */
int named_count_add(struct named_count **arr, size_t *n, const char *name, uint64_t count,
		    uint64_t errors, uint64_t total_ns);
int sys_figures_add(struct sys_figures *sum, const struct sys_figures *t);
/* Connections accepted: accept calls that did not fail. */
uint64_t sys_accepted(const struct sys_figures *f);
/* Order `top` by time, most first, and each errno list by count. */
void sys_figures_sort(struct sys_figures *f);
void sys_figures_free(struct sys_figures *f);
/*
 * Recompute every process total from its threads; sort processes by pid, threads by tid, handoffs
 * by count. 0, or -ENOMEM when a total could not be built.
 */
int snapshot_finish(struct snapshot *s);
struct process *snapshot_find_process(struct snapshot *s, int pid);
/*
 * Fill s->cgroups from the processes' cgroup and figures (after snapshot_finish), each with the
 * CPU limit of the cpu cgroup its processes are in (see snapshot_link_cpu_limits); 0 or -ENOMEM.
 */
int snapshot_group_cgroups(struct snapshot *s);
/*
 * Give each cgroup total the cpu cgroup of s->cpu_cgroups that lists its processes, when they
 * are all in the same one (processes listed in none are not counted); 0 or -ENOMEM.
 */
int snapshot_link_cpu_limits(struct snapshot *s);
/* "v2", "v1"; the hierarchy so named, or -1. */
const char *cgroup_hierarchy_name(enum cgroup_hierarchy h);
int cgroup_hierarchy_parse(const char *name);
/* "cpu.max", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.stat" for one bit; NULL otherwise. */
const char *cpu_file_name(enum cpu_file f);
/* The bit of the file so named, or 0. */
unsigned int cpu_file_parse(const char *name);
/* A drop counter's key in the JSON ("threads_full", ...); NULL if out of range. */
const char *drop_reason_name(enum drop_reason r);
/* What was lost, for a report's warning ("target threads not tracked, ..."); NULL if out of range. */
const char *drop_reason_text(enum drop_reason r);
/* Drop counters a run written before them lacks (read as 0), from this one on. */
#define DROP_FIRST_OPTIONAL DROP_RECURSION
/* The sum of every drop counter: the figures of a run with any are incomplete. */
uint64_t snapshot_drops(const struct snapshot *s);
/* "unknown", "pid", "command", "descendant", "comm", "cgroup", "container"; NULL if out of range. */
const char *select_reason_name(enum select_reason r);
/* The reason named name, or -1. */
int select_reason_parse(const char *name);
void snapshot_free(struct snapshot *s);

#endif /* LOADSCOPE_MODEL_H */
