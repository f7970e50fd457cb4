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

/*
 * Map sizes. The loader resizes the per-thread maps (threads, exited, lat, others, errnos) at open
 * time from --max-threads with bpf_map__set_max_entries: for those the figure here is a default.
 */
/* Live target threads: default when the user gives no --max-threads; sized at open time. */
#define DEFAULT_MAX_THREADS 8192
/* Size of the "maybe a target" filter in front of the thread map (a power of two). */
#define TID_FILTER_SIZE 65536
/* Threads that exited during the run, kept for the report; the loader sizes it as --max-threads. */
#define DEFAULT_MAX_EXITED 8192
/* lat entries per thread slot (scaled by --max-threads): a thread uses a few of LAT_METRICS. */
#define LAT_PER_THREAD 4
/* others entries per thread slot (scaled by --max-threads): a thread makes a few `other` calls. */
#define OTHERS_PER_THREAD 4
/* preempted_by, wakers: pairs by process, not thread, and a target meets few others; fixed. */
#define MAX_PEER_PAIRS 8192
/* handoffs: (sender, receiver) processes, one pair per worker of a master; fixed. */
#define MAX_HANDOFF_PAIRS 4096
/* Passive connections not yet accepted, host-wide: 16 queues at the default somaxconn, 4096. */
#define MAX_PENDING_CONNS 65536
/* Ports targets accept on: a server listens on a handful, kept for the run; fixed. */
#define MAX_ACCEPT_PORTS 1024
/* accepted_at, LRU: stamps every connection targets accept, passed on or not; as pending. */
#define MAX_ACCEPTED_FILES 65536
/* in_flight, LRU: descriptors targets sent, whether a target receives them or not; as pending. */
#define MAX_IN_FLIGHT_FILES 65536

/* Target selectors: each --comm and each --cgroup or --container is one entry of a small table. */
#define LS_MAX_COMMS 8   /* --comm names: the exec handler compares the new name with each */
#define LS_MAX_CGROUPS 8 /* --cgroup and --container subtrees: checked at fork and cgroup attach */
/* Cgroup levels walked looking for a target ancestor; systemd and Kubernetes nest 2 to 6 deep. */
#define LS_CGROUP_MAX_LEVEL 32
/* Threads adopted when a whole process moves into a target cgroup; the rest count as dropped. */
#define LS_ATTACH_MAX_THREADS 1024

/* Task state values the scheduler programs test for (include/linux/sched.h, stable since 2.6). */
#define LS_TASK_RUNNING 0x0000
#define LS_TASK_DEAD 0x0080

/* Task state bits the off-CPU accounting tests for. */
#define LS_TASK_UNINTERRUPTIBLE 0x0002
#define LS_TASK_NOLOAD 0x0400 /* with UNINTERRUPTIBLE: TASK_IDLE, not counted as D state */

/* Why an event was not recorded: indexes of the per-CPU drop counters. */
enum drop_reason {
	DROP_THREADS_FULL,  /* a new target thread found the live-thread map full */
	DROP_EXITED_FULL,   /* an exited thread found the exited-thread map full */
	DROP_SYSCALLS_FULL, /* a thread's syscall figures found their map full */
	DROP_CONNS_FULL,    /* a new passive connection found the pending-connection map full */
	DROP_UNREADABLE,    /* a control message (sendmsg/recvmsg) or a listener's queue unreadable */
	DROP_PAIRS_FULL,    /* a new waker or preempting process found its map full */
	DROP_ATTACH_THREADS, /* a process moved into a target cgroup had more threads than walked */
	/*
	 * events the kernel ran none of the programs for: one fired on a CPU while the same program
	 * ran there (an interrupt inside it); the kernel's count, bpf_prog_info.recursion_misses
	 * (5.12+), summed over the programs by user space
	 */
	DROP_RECURSION,
	DROP_LISTENERS_FULL, /* a listener or port targets accept on found its map full */
	DROP_HANDOFFS_FULL,  /* a new (sender, receiver) pair of a handoff found its map full */
	DROP_ACCEPTED_EVICTED, /* accept stamps the LRU map evicted before their handoff (user space) */
	DROP_IN_FLIGHT_EVICTED, /* passed descriptors the LRU map evicted before their receipt (ditto) */
	DROP_REASONS,
};

/*
 * Target tasks that began and ended during the run, counted whether or not their figures found
 * room in the maps: indexes of the per-CPU lifecycle counters. A process is a new thread group
 * forked by a target; a thread, one more thread in a target process. A process's exit is its
 * leader's; a thread's, one that is not a leader (both of tracked threads only).
 */
enum lifecycle_count {
	LC_PROCESSES_STARTED,
	LC_THREADS_STARTED,
	LC_PROCESSES_EXITED,
	LC_THREADS_EXITED,
	LC_COUNTS,
};

/*
 * Syscall classes: what a server's time in the kernel is for. The numbers of each syscall are
 * the architecture's; user space fills the table (sys_table) from the names.
 */
enum sys_class {
	SC_ACCEPT,   /* accept, accept4 */
	SC_READ,     /* read, readv, pread64, preadv, preadv2, recvfrom, recvmsg, recvmmsg */
	SC_WRITE,    /* write, writev, pwrite64, pwritev, pwritev2, sendto, sendmsg, sendmmsg, sendfile */
	SC_POLL,     /* epoll_wait, epoll_pwait, epoll_pwait2, poll, ppoll, select, pselect6 */
	SC_FUTEX,    /* futex, futex_waitv */
	SC_IO_URING, /* io_uring_enter */
	SC_OTHER,
	SC_CLASSES,
};
/* Off-CPU time is kept per class, plus this slot for time blocked outside any syscall. */
#define SC_NONE SC_CLASSES

/* What sys_exit does besides timing, per syscall number (sys_table value bits 8..15). */
enum sys_flags {
	SCF_BYTES = 1 << 0,   /* a positive return value is a byte count */
	SCF_ACCEPT = 1 << 1,  /* returns an accepted connection's fd; arg 0 is the listener's */
	SCF_SENDMSG = 1 << 2, /* arg 1 is a struct msghdr *: descriptors sent with SCM_RIGHTS */
	SCF_RECVMSG = 1 << 3, /* arg 1 is a struct msghdr *: descriptors received */
};
#define SYS_TABLE_SIZE 1024 /* syscall numbers covered; higher ones count as `other` */
#define SYS_TABLE_CLASS(v) ((v) & 0xff)
#define SYS_TABLE_FLAGS(v) (((v) >> 8) & 0xff)

/* Latency figures kept per thread: one per syscall class, then these. */
enum lat_metric {
	LAT_ACCEPT_QUEUE = SC_CLASSES, /* established -> accept() */
	LAT_HANDOFF_DELAY,             /* accept() -> sendmsg() passing the descriptor on */
	LAT_METRICS,
};

/* A thread during a run is (tid, seq): seq tells apart threads that reuse a tid. */
struct lat_key {
	__u32 tid;
	__u32 seq;
	__u32 metric; /* enum sys_class or enum lat_metric */
	__u32 pad;
};

struct lat_stats {
	__u64 count;
	__u64 errors;    /* syscalls that returned an error */
	__u64 total_ns;
	__u64 bytes;     /* read and write classes: sum of positive return values */
	__u64 max_ns;
	__u64 extra_max; /* LAT_ACCEPT_QUEUE: largest listen backlog seen at an accept */
	/* 64-bit like the counts: a thread at 1M syscalls/s would fill 2^32 in 72 minutes */
	__u64 hist[HIST_BUCKETS];
};

/* Syscalls of class `other`, by number, so the report can name the costly ones. */
struct other_key {
	__u32 tid;
	__u32 seq;
	__u32 nr;
	__u32 pad;
};

struct other_stats {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
};

/* Failed syscalls by class and errno. */
struct errno_key {
	__u32 tid;
	__u32 seq;
	__u16 sys_class;
	__u16 err;
	__u32 pad;
};

/* Descriptors passed between processes with SCM_RIGHTS, by sender and receiver. */
struct handoff_key {
	__u32 from;
	__u32 to;
};

/*
 * Who took a target's CPU (preempted_by) and who woke it (wakers), by process. The comm is the
 * other process's, as it was when first seen.
 */
struct pair_key {
	__u32 target; /* the target's pid */
	__u32 other;  /* the other process's pid (0: the idle task, or an interrupt on an idle CPU) */
};

struct pair_stats {
	__u64 count;
	__u64 wait_ns; /* preempted_by: run-queue wait that followed the preemptions */
	char comm[LS_COMM_LEN];
};

/*
 * Operations on the LRU maps accepted_at and in_flight, so user space can tell evictions: entries
 * added less those removed by a lookup that found them less those left at the end.
 */
enum lru_op {
	LRU_ACCEPTED_ADDED,
	LRU_ACCEPTED_REMOVED,
	LRU_IN_FLIGHT_ADDED,
	LRU_IN_FLIGHT_REMOVED,
	LRU_OPS,
};

/* A passive TCP connection that has not been accepted yet. */
struct conn_pending {
	__u64 established_ns;
	__u32 lport; /* local port: which listener's queue it waits in */
	__u32 pad;
};

enum thread_flags {
	THREAD_EXITED = 1 << 0,     /* sched_process_exit seen */
	THREAD_SEEDED = 1 << 1,     /* found in /proc at start rather than forked during the run */
	THREAD_EXECED = 1 << 2,     /* called exec during the run */
	THREAD_NEW_PROCESS = 1 << 3, /* first thread of a process forked during the run */
	THREAD_JOINED = 1 << 4,      /* became a target during the run by exec or by a cgroup move */
};

/* Why a thread is a target (thread_stats.selected_by); `selector` says which --comm or cgroup. */
enum select_reason {
	SELECT_NONE,
	SELECT_PID,        /* a process given with -p */
	SELECT_COMMAND,    /* the COMMAND loadscope started */
	SELECT_DESCENDANT, /* forked by a target, or found below one at start */
	SELECT_COMM,       /* its name is a --comm name: at start, or when it exec'd */
	SELECT_CGROUP,     /* in the subtree of a --cgroup or --container cgroup */
	SELECT_CONTAINER,  /* user space only: a SELECT_CGROUP whose cgroup came from --container */
	SELECT_REASONS,
};

/* Per-thread scheduler counters; one entry per target thread, keyed by tid. */
struct thread_stats {
	__u32 tid;
	__u32 pid;            /* thread group id: the process */
	__u32 ppid;           /* parent process at fork or at start */
	__u32 flags;          /* enum thread_flags */
	__u32 seq;            /* with tid, names the thread in the syscall maps */
	__u32 sc_class;       /* class of the syscall in progress */
	__s64 sc_nr;          /* the syscall in progress */
	__u64 sc_enter_ns;    /* when it was entered; 0 when not in a syscall */
	__u64 sc_arg;         /* recvmsg: its msghdr pointer; sendmsg: descriptors it passes */
	__u64 sc_backlog;     /* accept: the listener's queue length at entry */
	__u64 blocked_since_ns; /* voluntary switch-out not yet ended by a wakeup; 0 otherwise */
	__u32 blocked_class;  /* enum sys_class of the syscall it blocked in, or SC_NONE */
	__u32 blocked_d;      /* it blocked in uninterruptible sleep */
	__u64 offcpu_ns[SC_CLASSES + 1]; /* blocked time by class: switch-out to wakeup */
	__u64 offcpu_d_ns[SC_CLASSES + 1]; /* the part of offcpu_ns in uninterruptible sleep */
	__u64 handoff_sent;   /* descriptors sent with SCM_RIGHTS */
	__u64 handoff_received;
	__u64 sc_fd;          /* read and write classes: the descriptor */
	__u64 tcp_reads;      /* reads that returned data from a served TCP connection */
	__u64 tcp_writes;     /* writes that sent data on one (its port is one targets accept on) */
	__u64 first_ns;       /* when it became a target by forking; 0 for one found at start */
	__u32 last_taker;     /* process that took its CPU when it was last preempted */
	__u16 selected_by;    /* enum select_reason */
	__u16 selector;       /* SELECT_COMM, SELECT_CGROUP: index of the name or cgroup matched */
	__u64 cgroup_id;      /* its cgroup v2 (the inode number of the directory) when last seen */
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
	__u32 sc_lock;        /* the futex call in progress waits for a lock (futex_lock_wait) */
	__u32 blocked_lock;   /* it blocked in such a wait */
	__u64 offcpu_lock_ns; /* the part of offcpu_ns[SC_FUTEX] spent waiting for a lock */
	__u64 sc_off_since_ns; /* switched out during the syscall in progress; 0 otherwise */
	__u64 sc_offcpu_ns;   /* off-CPU time so far in the syscall in progress */
	__u64 kernel_ns;      /* on-CPU time inside syscalls: their wall time less off-CPU time */
	char comm[LS_COMM_LEN];
	__u64 runq_hist[HIST_BUCKETS]; /* 64-bit, as lat_stats.hist */
};

/*
 * A futex wait that waits for a lock rather than for work: FUTEX_WAIT on a word that holds 2,
 * "locked, with waiters", as glibc's contended lll_lock (pthread mutexes) and Go's runtime.lock
 * leave it, or a priority-inheritance lock. Waits for work (condition variables, Go's notesleep,
 * semaphores, thread pools idling) wait on other values.
 */
#define LS_FUTEX_CMD_MASK 0x7f /* without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME */
#define LS_FUTEX_WAIT	  0
#define LS_FUTEX_LOCK_PI  6
#define LS_FUTEX_LOCK_PI2 13
#define LS_FUTEX_LOCKED_WAITERS 2

static __always_inline __u32 futex_lock_wait(__u64 op, __u64 val)
{
	__u32 cmd = (__u32)op & LS_FUTEX_CMD_MASK;

	return (cmd == LS_FUTEX_WAIT && (__u32)val == LS_FUTEX_LOCKED_WAITERS) ||
	       cmd == LS_FUTEX_LOCK_PI || cmd == LS_FUTEX_LOCK_PI2;
}

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

static __always_inline void hist_add(__u64 *hist, __u64 v)
{
	__u32 bucket = hist_bucket(v);

#ifdef __bpf__
	/* hide the bound from the compiler so the verifier sees the check */
	asm volatile("" : "+r"(bucket));
#endif
	if (bucket < HIST_BUCKETS)
		hist[bucket]++;
}

/* One run-queue wait: the sum, the count, the maximum and the histogram move together. */
static __always_inline void thread_record_runq_wait(struct thread_stats *s, __u64 delta)
{
	s->runq_wait_ns += delta;
	s->runq_count++;
	if (delta > s->runq_max_ns)
		s->runq_max_ns = delta;
	hist_add(s->runq_hist, delta);
}

/* One timed event of a latency figure. */
static __always_inline void lat_record(struct lat_stats *l, __u64 ns)
{
	l->count++;
	l->total_ns += ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	hist_add(l->hist, ns);
}

/*
 * Arrivals the kernel counted (sched_info.pcount) that no switch-in event reported: a host may
 * leave some switches untraced. The wait they ended is in run_delay already; record it as one
 * sample, so runq_count and runq_wait_ns stay equal to schedstat's figures.
 */
static __always_inline __u64 thread_catch_up_arrivals(struct thread_stats *s, __u64 pcount,
						      __u64 run_delay)
{
	__u64 wait;

	if (pcount <= s->runq_arrivals)
		return 0;
	wait = run_delay > s->runq_base_ns ? run_delay - s->runq_base_ns : 0;
	thread_record_runq_wait(s, wait);
	s->runq_base_ns = run_delay;
	s->runq_arrivals = pcount;
	return wait;
}

#endif /* LOADSCOPE_H */
