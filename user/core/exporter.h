/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `serve` exports: cumulative figures per group (cgroup, process name; the pid too with
 * --by pid), built from the per-thread counters each collection reads. Each thread adds what it
 * did since it was last read to the group it is in now, so a group's counters never go down
 * while threads start, move, exec and exit, and an exited thread can be forgotten (and its map
 * entries freed) once its last figures are in.
 */
#ifndef LOADSCOPE_EXPORTER_H
#define LOADSCOPE_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analysis.h"
#include "core/model.h"
#include "loadscope.h"

#define EXPORT_ID_LEN		     64	  /* a full container ID: 64 hex characters */
#define EXPORT_DEFAULT_MAX_PROCESSES 64	  /* distinct process names per cgroup, the rest "other" */
#define EXPORT_MAX_PROCESSES_LIMIT   4096 /* --max-processes: beyond it Prometheus suffers anyway */
#define EXPORT_OTHER_PROCESS	     "other"

/*
 * Prometheus buckets: `le` at the powers of two from 2^10 ns (1.024 us) to 2^36 ns (68.7 s),
 * then +Inf. Each is a boundary of the log-linear buckets (loadscope.h), so its cumulative count
 * is exact: the sum of the log-linear buckets below it. Those are [lower, upper) over integer
 * nanoseconds, the clock's truncation of a continuous duration d: a recorded value v < 2^k ns
 * is a duration d < 2^k ns, and one recorded as 2^k ns or more has d >= 2^k ns, so the count
 * below 2^k is the count of d <= 2^k (a duration of exactly 2^k ns has probability 0).
 */
#define PROM_LE_MIN_LOG2 10
#define PROM_LE_MAX_LOG2 36
#define PROM_LE_BOUNDS	 (PROM_LE_MAX_LOG2 - PROM_LE_MIN_LOG2 + 1) /* +Inf not included */

/* The bound of le bucket i (0 .. PROM_LE_BOUNDS - 1), in ns. */
uint64_t prom_le_ns(unsigned int i);
/*
 * Cumulative counts of a log-linear histogram at each le bound (cum[PROM_LE_BOUNDS] is +Inf:
 * the total). Exact: every bound is a log-linear bucket boundary.
 */
void prom_le_counts(const uint64_t *hist, uint64_t cum[PROM_LE_BOUNDS + 1]);
/* The bound in seconds, as Prometheus' le label prints it ("0.000001024"); exact. */
void prom_le_label(unsigned int i, char *buf, size_t len);

/* One latency figure of a group: a syscall class, the accept queue, the handoff delay. */
struct export_lat {
	uint64_t count;
	uint64_t errors;
	uint64_t total_ns;
	uint64_t hist[HIST_BUCKETS];
};

/* An exported group's cumulative figures. */
struct export_group {
	char *cgroup;			      /* path under the cgroup2 mount, "/" for the root */
	char container_id[EXPORT_ID_LEN + 1]; /* "" when its cgroup is no container's */
	char process[LS_COMM_LEN];	      /* the comm of the thread-group leader, or "other" */
	int pid;			      /* --by pid: the process; 0 otherwise */
	uint64_t cpu_ns;
	uint64_t cpu_kernel_ns; /* the part of cpu_ns inside syscalls (measured with them only) */
	uint64_t runq_wait_ns;
	uint64_t runq_count;
	uint64_t runq_hist[HIST_BUCKETS];
	uint64_t voluntary_switches;
	uint64_t involuntary_switches;
	uint64_t migrations;
	uint64_t wakeups;
	uint64_t
		state_ns[ST_COUNT]; /* other: blocked outside the classes of the states before it */
	struct export_lat lat[LAT_METRICS]; /* by enum sys_class, then enum lat_metric */
	uint64_t handoff_sent;
	uint64_t handoff_received;
	struct named_count *errnos[SC_CLASSES]; /* failed syscalls by errno name (count) */
	size_t nerrnos[SC_CLASSES];
	unsigned int live_threads; /* in it at the last collection, not exited */
	unsigned int live_pid; /* a live thread's pid in it at the last collection (target_info) */
	bool gone;	       /* --by pid: no live thread at the last collection */
};

/* A cgroup that groups are in, with the cpu controller's counters when it has them. */
struct export_cgroup {
	char *path;
	char container_id[EXPORT_ID_LEN + 1];
	size_t nprocesses;	     /* distinct process names in it, "other" excluded */
	uint64_t processes_over_cap; /* processes first seen when it had max_processes names */
	unsigned int live_threads;
	bool have_throttling; /* cpu.stat's nr_periods, nr_throttled, throttled_usec */
	uint64_t periods;
	uint64_t throttled_periods;
	uint64_t throttled_ns;
	bool have_pressure; /* cpu.pressure's some total */
	uint64_t pressure_some_ns;
};

/* A failed syscall count of one thread: class, errno, calls. */
struct export_errno {
	uint16_t sys_class;
	uint16_t err;
	uint64_t count;
};

/* One thread's cumulative figures as a collection read them. */
struct export_thread {
	const struct thread_stats *stats;
	const struct lat_stats *lat[LAT_METRICS]; /* NULL where it has none */
	const struct export_errno *errnos;
	size_t nerrnos;
	const char *cgroup;	  /* its cgroup's path */
	const char *container_id; /* "" or NULL when none */
	const char *process;	  /* its thread-group leader's comm */
	bool exited;		  /* its final figures: forgotten after this collection */
};

/* A live target process, for target_info. */
struct export_target {
	int pid;
	char comm[LS_COMM_LEN];
	const char *cgroup;
	const char *container_id; /* "" when none */
};

struct export_prev; /* a thread's figures as last read */

struct export_totals {
	unsigned int max_processes; /* per cgroup; 0: EXPORT_DEFAULT_MAX_PROCESSES */
	bool by_pid;
	struct export_group **groups; /* in order of creation */
	size_t ngroups;
	struct export_cgroup **cgroups;
	size_t ncgroups;
	struct export_prev *prev; /* sorted by (tid, seq) */
	size_t nprev;
	uint64_t drops[DROP_REASONS];
	uint64_t collections;
};

/*
 * Add what each thread did since the last collection to its group (created when new; with
 * max_processes names in its cgroup already, a new name goes to "other"). threads: sorted by
 * (tid, seq), each once. Threads not in the list are forgotten, their figures staying in their
 * groups. With by_pid, the groups of processes that had no live thread at the previous
 * collection are removed first. 0 or -ENOMEM.
 */
int export_totals_apply(struct export_totals *t, const struct export_thread *threads, size_t n);
/* The cgroup so named, or NULL. */
struct export_cgroup *export_totals_cgroup(struct export_totals *t, const char *path);
/*
 * A cgroup that no longer exists: its groups and it stop being exported. Only one without live
 * threads is removed; returns whether it was.
 */
bool export_totals_remove_cgroup(struct export_totals *t, const char *path);
void export_totals_free(struct export_totals *t);


#endif /* LOADSCOPE_EXPORTER_H */
