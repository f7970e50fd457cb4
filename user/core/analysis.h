/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the figures mean: where each thread's time went, what role each process plays, how evenly
 * workers share the load, and the findings that explain a run. Pure functions over the model.
 */
#ifndef LOADSCOPE_ANALYSIS_H
#define LOADSCOPE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* Where a thread's time went. The states add up to the time it existed during the run. */
enum thread_state {
	ST_RUNNING,	     /* on a CPU */
	ST_RUNNABLE,	     /* waiting for a CPU */
	ST_IDLE,	     /* blocked waiting for work: the poll class, futex waits not for a lock */
	ST_IO,		     /* blocked in accept, read or write */
	ST_LOCK,	     /* blocked in futex waiting for a lock (futex_lock_wait in loadscope.h) */
	ST_UNINTERRUPTIBLE,  /* uninterruptible sleep outside the classes above: faults, vfork */
	ST_OTHER,	     /* the rest: other syscalls, io_uring, time not accounted above */
	ST_COUNT,
};

struct states {
	uint64_t ns[ST_COUNT];
	uint64_t total_ns; /* their sum */
};

/* "running", "runnable", "idle", "io", "lock", "uninterruptible", "other". */
const char *state_name(enum thread_state st);
void thread_states(const struct thread *t, struct states *out);
/* The same from the figures and the time alive (0: the measured states only, `other` 0). */
void figures_states(const struct sched_stats *sched, const struct sys_figures *sys,
		    uint64_t alive_ns, struct states *out);
/*
 * Whether a run measured state st: light mode (no syscall hooks) cannot tell idle, I/O and lock
 * waits apart, so its blocked time outside uninterruptible sleep is in ST_OTHER.
 */
bool state_known(const struct snapshot *s, enum thread_state st);

/*
 * What a thread is inside its process. A runtime (Node, Bun, Go) runs one or a few serving
 * threads beside helpers that sleep most of the run: their sleep must not dilute the shares of
 * the threads that do the work, so a process's states, role figures and findings are those of
 * its serving threads, and the helpers are summed apart.
 */
enum thread_kind {
	KIND_SERVING, /* reads or writes served connections, accepts or hands them off; in a
		       * process that touches no connection: does its work (THREAD_WORK_SHARE) */
	KIND_HELPER,  /* the rest that ran: GC, JIT, allocator, thread pools, Go's spare Ms */
	KIND_PARKED,  /* slept the whole run: THREAD_PARKED_SHARE, THREAD_PARKED_WAKEUPS_PER_S */
	KIND_COUNT,
};

#define THREAD_PARKED_SHARE 0.001	  /* on-CPU share of its time alive, below which ... */
#define THREAD_PARKED_WAKEUPS_PER_S 1.0	  /* ... with at most this many wakeups a second: parked */
#define THREAD_WORK_SHARE 0.05		  /* on-CPU share that makes a thread one of the workers of
					   * a process that touches no connection */

/* "serving", "helper", "parked". */
const char *thread_kind_name(enum thread_kind k);
enum thread_kind thread_kind(const struct process *p, const struct thread *t);
/*
 * A process's states: summed over its serving threads (thread-time); over all of them when it
 * has no thread records. process_helper_states: over its helper and parked threads.
 */
void process_states(const struct process *p, struct states *out);
void process_helper_states(const struct process *p, struct states *out);
/* Threads of each kind in p, into counts[KIND_COUNT]. */
void process_kind_counts(const struct process *p, size_t counts[KIND_COUNT]);

enum role {
	ROLE_DISPATCHER, /* accepts connections and passes them to other processes */
	ROLE_WORKER,	 /* serves connections it received, or accepts beside other workers */
	ROLE_SINGLE,	 /* accepts and serves, alone */
	ROLE_IDLE,	 /* did next to nothing */
	ROLE_HELPER,	 /* a thread that serves no connection in a process that does */
	ROLE_OTHER,	 /* none of these: a process that neither accepts nor serves */
	ROLE_COUNT,
};

const char *role_name(enum role r);
enum role process_role(const struct snapshot *s, const struct process *p);
enum role thread_role(const struct snapshot *s, const struct process *p, const struct thread *t);

/* Thresholds of the roles and findings: named, so the README can quote them. */
#define DISPATCH_SHARE 0.5	      /* handoffs / accepts for a dispatcher */
#define IDLE_CPU_SHARE 0.01	      /* on-CPU share of the run below which a process is idle */
#define OVERSUB_RUNNABLE_SHARE 0.10   /* runnable share of serving threads' time */
#define OVERSUB_CRITICAL_SHARE 0.30   /* ... from which it is critical */
#define IMBALANCE_RATIO 1.5	      /* max / mean of connections, CPU or requests */
/*
 * EAGAIN per successful accept. A non-blocking accept loop ends each wakeup with one EAGAIN, so a
 * lone acceptor (or SO_REUSEPORT, each with its own queue) stays at or below 1; processes woken
 * together for one connection on a shared listener each find EAGAIN: 2 and up for two of them.
 */
#define ACCEPT_EAGAIN_PER_ACCEPT 1.5
#define SWITCHES_PER_REQUEST 2.0      /* context switches of all targets per request */
#define IDLE_WORKER_SHARE 0.10	      /* of the mean requests (or CPU) of the workers */
#define HANDOFF_CPU_BOTTLENECK 0.90   /* a dispatcher using this much of one CPU is the limit */
/* Connections handed off per request below which the handoff is only info: it is paid once
 * per connection, and keep-alive connections carry many requests each. */
#define HANDOFF_PER_REQUEST_INFO 0.05
#define SINGLE_THREAD_SATURATED 0.90  /* on-CPU share of the run of one serving thread: its wall */
#define CPU_SATURATED_SHARE 0.95      /* the machine's CPUs busy (1 - idle / total): saturated */
/* CPUs this busy while the serving threads wait for one OVERSUB_CRITICAL_SHARE of their time, or
 * while more CPUs are wanted than there are (busy ones and the targets' waits for one), are the
 * limit too: the idle rest comes in gaps (every process waiting on another), not as room. */
#define CPU_CONTENDED_SHARE 0.80
/*
 * cpu_throttled: a cpu cgroup of the targets, or an ancestor, throttled by its CPU quota in this
 * share of its periods, or for this share of the run. A request that comes while its group is
 * throttled waits for the next period (up to period - quota: 80 ms of every 100 ms at 0.2
 * CPUs), so from 5% of the periods the throttling reaches the p95 of the latency.
 */
#define THROTTLED_PERIOD_SHARE	 0.05
#define THROTTLED_TIME_SHARE	 0.05 /* throttled time over the run's duration */
#define THROTTLED_CRITICAL_SHARE 0.25 /* either share, from which it is critical: the p75 */
#define THROTTLED_MIN_PERIODS	 2    /* one throttled period in a short run is happenstance */
/*
 * The targets' run-queue wait over the throttled time from which the text says the throttling
 * is in it: a throttled task stays runnable, so it waits out the period on the run queue.
 */
#define THROTTLED_RUNQ_SHARE 0.5

/*
 * observer_cost: loadscope's own programs used this share of the machine's CPU time (the CPUs x
 * the run). Its programs run inside the targets' syscalls and switches, so from this share the
 * targets' figures carry a cost of observing them worth naming.
 */
#define OBSERVER_COST_SHARE 0.05

/* Requests of the run: given (--requests), else estimated from TCP writes of serving processes. */
uint64_t snapshot_requests(const struct snapshot *s, bool *given);

/* Workers' shares, for the imbalance finding and the report. */
struct imbalance {
	size_t nworkers;
	double conn_max_mean; /* max / mean of connections per worker; 0 when not measurable */
	double cpu_max_mean;
	double req_max_mean;
	int conn_max_pid, cpu_max_pid, req_max_pid;
};
void workers_imbalance(const struct snapshot *s, struct imbalance *out);

enum severity { SEV_INFO, SEV_WARNING, SEV_CRITICAL };
const char *severity_name(enum severity sev);

#define FINDING_TEXT_LEN 448 /* cpu_throttled names a cgroup path, Kubernetes' run long */
#define FINDING_EVIDENCE 8
struct finding {
	const char *id; /* handoff, cpu_oversubscription, imbalance, accept_contention, ... */
	enum severity severity;
	double score; /* orders findings of one severity: larger first */
	char text[FINDING_TEXT_LEN];
	size_t nevidence;
	struct {
		const char *name; /* the JSON field or derived figure it rests on */
		double value;
	} evidence[FINDING_EVIDENCE];
};

/*
 * The share of their time the serving threads of dispatchers, workers and single processes
 * waited for a CPU, in *share; false when there are none.
 */
bool serving_runnable_share(const struct snapshot *s, double *share);
/*
 * CPUs wanted on average over the run: those the CPU budget found busy, plus the targets' threads
 * waiting for one (their run-queue wait per second). Without a budget (*measured false), only the
 * targets' own: their on-CPU and waiting time per second, a lower bound.
 */
double cpus_wanted(const struct snapshot *s, bool *measured);

/*
 * The cpu cgroup of the targets (or an ancestor) throttled the most, as the larger of its
 * throttled share of periods and of the run, in *worst; NULL when none was throttled enough to
 * count for cpu_throttled.
 */
const struct cpu_cgroup *most_throttled(const struct snapshot *s, double *worst);

/* The findings that apply, most severe first; returns how many were written (at most max). */
size_t analyze_findings(const struct snapshot *s, struct finding *out, size_t max);

#endif /* LOADSCOPE_ANALYSIS_H */
