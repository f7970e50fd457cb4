/* SPDX-License-Identifier: GPL-2.0 */
/* Scheduler programs: per-thread on-CPU time, run-queue waits, switches, migrations, wakeups. */
#ifndef LOADSCOPE_SCHED_BPF_H
#define LOADSCOPE_SCHED_BPF_H

#include "common.bpf.h"
#include "core_fixes.bpf.h"

/* Set by the loader between open and load, from the kernel's BTF (observe/kernel_features.c). */
const volatile bool switch_has_prev_state = false; /* sched_switch passes prev_state (5.18+) */

/* Threads that exited during the run, moved here at their last switch-out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DEFAULT_MAX_EXITED);
	__type(key, struct exited_key);
	__type(value, struct thread_stats);
} exited SEC(".maps");

/* Processes that took a target's CPU by preempting it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PEER_PAIRS);
	__type(key, struct pair_key);
	__type(value, struct pair_stats);
} preempted_by SEC(".maps");

/* Processes that woke a target. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PEER_PAIRS);
	__type(key, struct pair_key);
	__type(value, struct pair_stats);
} wakers SEC(".maps");

/*
 * schedstat's run_delay is kept in the clock of the task's run queue (rq->clock, sched_clock_cpu
 * as of the last update_rq_clock()), which can drift from ktime between CPUs; use the same clock
 * so the two agree. It is reachable through cfs_rq::rq, which exists with FAIR_GROUP_SCHED.
 */
static __always_inline __u64 task_rq_clock(bool btf, struct task_struct *t)
{
	__u64 clock = 0;

	if (bpf_core_field_exists(t->se.cfs_rq->rq))
		clock = btf ? t->se.cfs_rq->rq->clock : BPF_CORE_READ(t, se.cfs_rq, rq, clock);
	return clock ? clock : bpf_ktime_get_ns();
}

/*
 * The wait that ends as `next` is switched in. Where the kernel keeps sched_info (SCHED_INFO, on
 * in every distribution kernel), take it from there: run_delay plus the wait sched_info_arrive()
 * is about to add (rq->clock - last_queued), measured from where the last recorded arrival left
 * it. That is schedstat's own figure, migrations between queues included. sched_info_arrive()
 * counts the arrival (pcount) only when last_queued is set, and so does this. Elsewhere use the
 * stamp taken when the thread became runnable.
 */
static __always_inline __u64 end_runq_wait(bool btf, struct thread_stats *s,
					   struct task_struct *next)
{
	__u64 wait;

	__u64 clock = task_rq_clock(btf, next), queued, total, pcount;

	if (HAVE_SCHED_INFO(next)) {
		queued = TASK_READ(btf, next, sched_info.last_queued);
		total = TASK_READ(btf, next, sched_info.run_delay);
		pcount = TASK_READ(btf, next, sched_info.pcount);
		if (queued && clock > queued)
			total += clock - queued;
		/*
		 * the arrival about to be counted, if last_queued is set; arrivals before it that
		 * no event reported at all (neither switch-in nor switch-out) merge into it
		 */
		return thread_catch_up_arrivals(s, sched_info_pcount_after_arrival(queued, pcount),
						total);
	}
	if (!s->runnable_since_ns)
		return 0;
	/* stamped on another CPU whose clock reads slightly ahead: a wait of about nothing */
	wait = clock > s->runnable_since_ns ? clock - s->runnable_since_ns : 0;
	thread_record_runq_wait(s, wait);
	s->runnable_since_ns = 0;
	return wait;
}

/* A blocked thread's wakeup: its off-CPU time ends, charged to the class it blocked in. */
static __always_inline void end_blocked(struct thread_stats *s, __u64 now, __u64 runnable_ns)
{
	__u64 blocked;
	__u32 c = s->blocked_class;

	if (!s->blocked_since_ns)
		return;
	blocked = now > s->blocked_since_ns ? now - s->blocked_since_ns : 0;
	blocked = blocked > runnable_ns ? blocked - runnable_ns : 0;
	s->blocked_since_ns = 0;
	if (c > SC_NONE)
		return;
	s->offcpu_ns[c] += blocked;
	/* uninterruptible sleep (disk, page faults, vfork) also on its own */
	if (s->blocked_d)
		s->offcpu_d_ns[c] += blocked;
	if (s->blocked_lock)
		s->offcpu_lock_ns += blocked;
}

/* The pair's figures, created with the other process's name on first sight; NULL when full. */
static __always_inline struct pair_stats *pair_get(void *map, __u32 target, __u32 other,
						   struct task_struct *other_task)
{
	struct pair_key key = {.target = target, .other = other};
	struct pair_stats *p = bpf_map_lookup_elem(map, &key), first = {};

	if (p)
		return p;
	if (other_task)
		BPF_CORE_READ_STR_INTO(&first.comm, other_task, group_leader, comm);
	/* another CPU may have added it meanwhile: then the insert fails and the lookup finds it */
	bpf_map_update_elem(map, &key, &first, BPF_NOEXIST);
	p = bpf_map_lookup_elem(map, &key);
	if (!p)
		count_drop(DROP_PAIRS_FULL);
	return p;
}

/* A thread's last switch-out: keep its figures under (tid, exit time) and free the live slot. */
static __always_inline void retire_thread(__u32 tid, struct thread_stats *s)
{
	struct exited_key key = {.tid = tid,
				 .exit_ns = s->exit_ns ? s->exit_ns : bpf_ktime_get_ns()};

	s->flags |= THREAD_EXITED;
	if (bpf_map_update_elem(&exited, &key, s, BPF_NOEXIST))
		count_drop(DROP_EXITED_FULL);
	bpf_map_delete_elem(&threads, &tid);
}

static __always_inline int handle_switch(bool btf, bool preempt, struct task_struct *prev,
					 struct task_struct *next, __u32 prev_state_arg)
{
	__u32 prev_tid = TASK_READ(btf, prev, pid);
	__u32 next_tid = TASK_READ(btf, next, pid);
	struct thread_stats *s;
	struct pair_stats *p;
	__u32 state;
	__u64 sum, wait, now;

	/* pid 0 is the idle task of each CPU: never a target, never stamped */
	s = prev_tid ? target_thread(prev_tid) : NULL;
	if (s) {
		/* the kernel's on-CPU accounting (schedstat field 1), updated just before this */
		sum = TASK_READ(btf, prev, se.sum_exec_runtime);
		if (sum > s->sum_exec_base_ns)
			s->on_cpu_ns += sum - s->sum_exec_base_ns;
		s->sum_exec_base_ns = sum;

		/* off a CPU inside a syscall: not the kernel's time (sys_exit subtracts it) */
		if (s->sc_enter_ns)
			s->sc_off_since_ns = bpf_ktime_get_ns();

		/* __schedule() counts nvcsw when not preempted and prev was not TASK_RUNNING */
		state = switch_has_prev_state ? prev_state_arg : get_task_state(prev);
		if (!preempt && state != LS_TASK_RUNNING) {
			s->voluntary_switches++;
			/* blocked until its wakeup: in the syscall in progress, if any */
			s->blocked_since_ns = bpf_ktime_get_ns();
			s->blocked_class = s->sc_enter_ns ? SYS_TABLE_CLASS(s->sc_class) : SC_NONE;
			s->blocked_lock = s->blocked_class == SC_FUTEX && s->sc_lock;
			s->blocked_d = (state & (LS_TASK_UNINTERRUPTIBLE | LS_TASK_NOLOAD)) ==
				       LS_TASK_UNINTERRUPTIBLE;
		} else {
			s->involuntary_switches++;
			/* who takes the CPU; the wait it causes is added at the switch back in */
			s->last_taker = TASK_READ(btf, next, tgid);
			p = pair_get(&preempted_by, s->pid, s->last_taker, next);
			if (p)
				__sync_fetch_and_add(&p->count, 1);
		}

		/* a switch-in the tracepoint did not report: the kernel counted its arrival */
		if (HAVE_SCHED_INFO(prev))
			thread_catch_up_arrivals(s, TASK_READ(btf, prev, sched_info.pcount),
						 TASK_READ(btf, prev, sched_info.run_delay));

		/* still runnable: its run-queue wait starts now */
		if (!HAVE_SCHED_INFO(prev))
			s->runnable_since_ns = preempt || get_task_state(prev) == LS_TASK_RUNNING
						       ? task_rq_clock(btf, prev)
						       : 0;

		if (state & LS_TASK_DEAD)
			retire_thread(prev_tid, s);
	}

	s = next_tid ? target_thread(next_tid) : NULL;
	if (s) {
		wait = end_runq_wait(btf, s, next);
		if (s->last_taker) {
			p = pair_get(&preempted_by, s->pid, s->last_taker, NULL);
			if (p)
				__sync_fetch_and_add(&p->wait_ns, wait);
			s->last_taker = 0;
		}
		now = bpf_ktime_get_ns();
		/* its wakeup was not reported: off-CPU time ends where the run-queue wait began */
		end_blocked(s, now, wait);
		if (s->sc_off_since_ns) {
			s->sc_offcpu_ns += now > s->sc_off_since_ns ? now - s->sc_off_since_ns : 0;
			s->sc_off_since_ns = 0;
		}
		s->sum_exec_base_ns = TASK_READ(btf, next, se.sum_exec_runtime);
	}
	return 0;
}

static __always_inline int handle_wakeup(bool btf, struct task_struct *p, bool new_task)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	s = target_thread(tid);
	if (!s)
		return 0;
	if (!new_task) {
		s->wakeups++;
		end_blocked(s, bpf_ktime_get_ns(), 0);
	}
	if (!HAVE_SCHED_INFO(p) && !s->runnable_since_ns)
		s->runnable_since_ns = task_rq_clock(btf, p);
	return 0;
}

/*
 * sched_waking runs in the waker's context (sched_wakeup may run on the wakee's CPU later), so
 * `current` there is who woke the target: a process, or whatever an interrupt interrupted.
 */
static __always_inline int handle_waking(bool btf, struct task_struct *p)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct task_struct *waker;
	struct thread_stats *s;
	struct pair_stats *w;

	s = target_thread(tid);
	if (!s)
		return 0;
	waker = (struct task_struct *)bpf_get_current_task();
	w = pair_get(&wakers, s->pid, bpf_get_current_pid_tgid() >> 32, waker);
	if (w)
		__sync_fetch_and_add(&w->count, 1);
	return 0;
}

static __always_inline int handle_migrate(bool btf, struct task_struct *p, int dest_cpu)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	s = target_thread(tid);
	/* set_task_cpu() traces every call but counts se.nr_migrations only for a new CPU */
	if (s && get_task_cpu(p) != (__u32)dest_cpu)
		s->migrations++;
	return 0;
}

/* tp_btf programs: typed arguments, direct reads. */

SEC("tp_btf/sched_switch")
int BPF_PROG(ls_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* the fourth argument exists only where switch_has_prev_state says so */
	return handle_switch(true, preempt, prev, next, switch_has_prev_state ? (__u32)ctx[3] : 0);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ls_sched_wakeup, struct task_struct *p)
{
	return handle_wakeup(true, p, false);
}

SEC("tp_btf/sched_waking")
int BPF_PROG(ls_sched_waking, struct task_struct *p)
{
	return handle_waking(true, p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(ls_wakeup_new, struct task_struct *p)
{
	return handle_wakeup(true, p, true);
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(ls_migrate, struct task_struct *p, int dest_cpu)
{
	return handle_migrate(true, p, dest_cpu);
}

/* raw_tp fallbacks: the same handlers, reading through bpf_probe_read_kernel. */

SEC("raw_tp/sched_switch")
int BPF_PROG(ls_r_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return handle_switch(false, preempt, prev, next, switch_has_prev_state ? (__u32)ctx[3] : 0);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(ls_r_wakeup, struct task_struct *p)
{
	return handle_wakeup(false, p, false);
}

SEC("raw_tp/sched_waking")
int BPF_PROG(ls_r_waking, struct task_struct *p)
{
	return handle_waking(false, p);
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(ls_r_wakeup_new, struct task_struct *p)
{
	return handle_wakeup(false, p, true);
}

SEC("raw_tp/sched_migrate_task")
int BPF_PROG(ls_r_migrate, struct task_struct *p, int dest_cpu)
{
	return handle_migrate(false, p, dest_cpu);
}

#endif /* LOADSCOPE_SCHED_BPF_H */
