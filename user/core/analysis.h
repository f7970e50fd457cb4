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
	ST_IDLE,	     /* blocked waiting for work: the poll class */
	ST_IO,		     /* blocked in accept, read or write */
	ST_LOCK,	     /* blocked in futex */
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
/* Summed over the process's threads (thread-time). */
void process_states(const struct process *p, struct states *out);

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

#define FINDING_TEXT_LEN 320
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

/* The findings that apply, most severe first; returns how many were written (at most max). */
size_t analyze_findings(const struct snapshot *s, struct finding *out, size_t max);

#endif /* LOADSCOPE_ANALYSIS_H */
