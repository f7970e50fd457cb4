/* SPDX-License-Identifier: GPL-2.0 */
/* Types and limits shared by the BPF programs and user space: plain C only, no vmlinux.h. */
#ifndef LOADSCOPE_H
#define LOADSCOPE_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define LS_COMM_LEN 16 /* the kernel's comm length, NUL included */

/*
 * Log-linear histogram: values below 2^HIST_SUB_BITS get a bucket each; above that, every power
 * of two is split into HIST_SUB linear sub-buckets, so a bucket is at most 1/HIST_SUB of its
 * lower bound wide and a percentile read from it is off by at most that (12.5%).
 */
#define HIST_SUB_BITS 3
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_MAX_LOG2 40 /* 2^40 ns is about 18 minutes; longer values land in the last bucket */
#define HIST_BUCKETS ((HIST_MAX_LOG2 - HIST_SUB_BITS + 1) * HIST_SUB)

/* Live target threads: default when the user gives no --max-threads; sized at open time. */
#define DEFAULT_MAX_THREADS 8192
/* Threads that exited during the run, kept for the report. */
#define DEFAULT_MAX_EXITED 8192

/* Task state values the scheduler programs test for (include/linux/sched.h, stable since 2.6). */
#define LS_TASK_RUNNING 0x0000
#define LS_TASK_DEAD 0x0080

/* Why an event was not recorded: indexes of the per-CPU drop counters. */
enum drop_reason {
	DROP_THREADS_FULL,  /* a new target thread found the live-thread map full */
	DROP_EXITED_FULL,   /* an exited thread found the exited-thread map full */
	DROP_REASONS,
};

enum thread_flags {
	THREAD_EXITED = 1 << 0,     /* sched_process_exit seen */
	THREAD_SEEDED = 1 << 1,     /* found in /proc at start rather than forked during the run */
	THREAD_EXECED = 1 << 2,     /* called exec during the run */
	THREAD_NEW_PROCESS = 1 << 3, /* first thread of a process forked during the run */
};

/* Per-thread scheduler counters; one entry per target thread, keyed by tid. */
struct thread_stats {
	__u32 tid;
	__u32 pid;            /* thread group id: the process */
	__u32 ppid;           /* parent process at fork or at start */
	__u32 flags;          /* enum thread_flags */
	__u64 runnable_since_ns; /* when it last became runnable; 0 while running or sleeping */
	__u64 runq_base_ns;      /* sched_info.run_delay after the last switch-in seen */
	__u64 runq_arrivals;     /* sched_info.pcount after the last arrival recorded as a wait */
	__u64 sum_exec_base_ns;  /* se.sum_exec_runtime at the last switch-in */
	__u64 on_cpu_ns;
	__u64 runq_wait_ns;
	__u64 runq_count;
	__u64 runq_max_ns;
	__u64 voluntary_switches;
	__u64 involuntary_switches;
	__u64 migrations;
	__u64 wakeups;
	__u64 exit_ns;        /* bpf_ktime_get_ns() at sched_process_exit, 0 if alive */
	char comm[LS_COMM_LEN];
	__u32 runq_hist[HIST_BUCKETS];
};

/* Exited threads are keyed by tid and exit time, since a tid can be reused during a run. */
struct exited_key {
	__u32 tid;
	__u32 pad;
	__u64 exit_ns;
};

/* Bucket of a value: branch-free, no loops, usable by the verifier and by user space alike. */
static __always_inline __u32 ls_log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFULL) << 5;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFFFF) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 hist_bucket(__u64 v)
{
	__u32 msb, idx;

	if (v < HIST_SUB)
		return (__u32)v;
	msb = ls_log2_u64(v);
	if (msb >= HIST_MAX_LOG2)
		return HIST_BUCKETS - 1;
	/* (msb - SUB_BITS + 1) groups of HIST_SUB precede, then the sub-bucket from the bits below */
	idx = (msb - HIST_SUB_BITS + 1) * HIST_SUB + ((v >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* One run-queue wait: the sum, the count, the maximum and the histogram move together. */
static __always_inline void thread_record_runq_wait(struct thread_stats *s, __u64 delta)
{
	__u32 bucket;

	s->runq_wait_ns += delta;
	s->runq_count++;
	if (delta > s->runq_max_ns)
		s->runq_max_ns = delta;
	bucket = hist_bucket(delta);
#ifdef __bpf__
	/* hide the bound from the compiler so the verifier sees the check */
	asm volatile("" : "+r"(bucket));
#endif
	if (bucket < HIST_BUCKETS)
		s->runq_hist[bucket]++;
}

/*
 * Arrivals the kernel counted (sched_info.pcount) that no switch-in event reported: a host may
 * leave some switches untraced. The wait they ended is in run_delay already; record it as one
 * sample, so runq_count and runq_wait_ns stay equal to schedstat's figures.
 */
static __always_inline void thread_catch_up_arrivals(struct thread_stats *s, __u64 pcount,
						     __u64 run_delay)
{
	if (pcount <= s->runq_arrivals)
		return;
	thread_record_runq_wait(s, run_delay > s->runq_base_ns ? run_delay - s->runq_base_ns : 0);
	s->runq_base_ns = run_delay;
	s->runq_arrivals = pcount;
}

#endif /* LOADSCOPE_H */
