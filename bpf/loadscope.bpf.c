// SPDX-License-Identifier: GPL-2.0
/* Scheduler programs: per-thread on-CPU time, run-queue waits, context switches, migrations, wakeups. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "loadscope.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader between open and load; the verifier drops the paths they disable. */
const volatile __u32 self_pid = 0;           /* the loader: never a target */
const volatile bool follow_children = true;  /* forked processes of targets become targets */
const volatile bool switch_has_prev_state = false; /* sched_switch passes prev_state (5.18+) */

/* Live target threads by tid; presence in this map is what makes a thread a target. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DEFAULT_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct thread_stats);
} threads SEC(".maps");

/* Threads that exited during the run, moved here at their last switch-out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DEFAULT_MAX_EXITED);
	__type(key, struct exited_key);
	__type(value, struct thread_stats);
} exited SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static const struct thread_stats zero_stats;

/*
 * The same handlers serve tp_btf programs, which may dereference task pointers directly, and
 * raw_tp programs, which must go through bpf_probe_read_kernel. `btf` is a literal at every call
 * site, so each program keeps only its own kind of read.
 */
#define TASK_READ(btf, t, field) ((btf) ? (t)->field : BPF_CORE_READ(t, field))

/*
 * schedstat's run_delay is kept in the clock of the task's run queue (rq->clock, sched_clock_cpu
 * as of the last update_rq_clock()), which can drift from ktime between CPUs; use the same clock
 * so the two agree. It is reachable through cfs_rq::rq, which exists with FAIR_GROUP_SCHED.
 */
/* Run-queue waits come from sched_info where it exists; the stamps below are only its stand-in. */
#define HAVE_SCHED_INFO(t) bpf_core_field_exists((t)->sched_info.run_delay)

static __always_inline __u64 task_rq_clock(bool btf, struct task_struct *t)
{
	__u64 clock = 0;

	if (bpf_core_field_exists(t->se.cfs_rq->rq))
		clock = btf ? t->se.cfs_rq->rq->clock : BPF_CORE_READ(t, se.cfs_rq, rq, clock);
	return clock ? clock : bpf_ktime_get_ns();
}

static __always_inline void count_drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	if (n)
		*n += 1;
}

/*
 * The wait that ends as `next` is switched in. Where the kernel keeps sched_info (SCHED_INFO, on
 * in every distribution kernel), take it from there: run_delay plus the wait sched_info_arrive()
 * is about to add (rq->clock - last_queued), measured from where the last recorded arrival left
 * it. That is schedstat's own figure, migrations between queues included. sched_info_arrive()
 * counts the arrival (pcount) only when last_queued is set, and so does this. Elsewhere use the
 * stamp taken when the thread became runnable.
 */
static __always_inline void end_runq_wait(bool btf, struct thread_stats *s,
					  struct task_struct *next)
{
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
		thread_catch_up_arrivals(s, sched_info_pcount_after_arrival(queued, pcount), total);
		return;
	}
	if (!s->runnable_since_ns)
		return;
	/* stamped on another CPU whose clock reads slightly ahead: a wait of about nothing */
	thread_record_runq_wait(s, clock > s->runnable_since_ns ? clock - s->runnable_since_ns : 0);
	s->runnable_since_ns = 0;
}

/* A thread's last switch-out: keep its figures under (tid, exit time) and free the live slot. */
static __always_inline void retire_thread(__u32 tid, struct thread_stats *s)
{
	struct exited_key key = { .tid = tid, .exit_ns = s->exit_ns ? s->exit_ns : bpf_ktime_get_ns() };

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
	__u32 state;
	__u64 sum;

	/* pid 0 is the idle task of each CPU: never a target, never stamped */
	s = prev_tid ? bpf_map_lookup_elem(&threads, &prev_tid) : NULL;
	if (s) {
		/* the kernel's own on-CPU accounting (schedstat field 1), updated just before this */
		sum = TASK_READ(btf, prev, se.sum_exec_runtime);
		if (sum > s->sum_exec_base_ns)
			s->on_cpu_ns += sum - s->sum_exec_base_ns;
		s->sum_exec_base_ns = sum;

		/* __schedule() counts nvcsw when not preempted and prev was not TASK_RUNNING */
		state = switch_has_prev_state ? prev_state_arg : get_task_state(prev);
		if (!preempt && state != LS_TASK_RUNNING)
			s->voluntary_switches++;
		else
			s->involuntary_switches++;

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

	s = next_tid ? bpf_map_lookup_elem(&threads, &next_tid) : NULL;
	if (s) {
		end_runq_wait(btf, s, next);
		s->sum_exec_base_ns = TASK_READ(btf, next, se.sum_exec_runtime);
	}
	return 0;
}

static __always_inline int handle_wakeup(bool btf, struct task_struct *p, bool new_task)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	s = bpf_map_lookup_elem(&threads, &tid);
	if (!s)
		return 0;
	if (!new_task)
		s->wakeups++;
	if (!HAVE_SCHED_INFO(p) && !s->runnable_since_ns)
		s->runnable_since_ns = task_rq_clock(btf, p);
	return 0;
}

static __always_inline int handle_migrate(bool btf, struct task_struct *p, int dest_cpu)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	s = bpf_map_lookup_elem(&threads, &tid);
	/* set_task_cpu() traces every call but counts se.nr_migrations only for a new CPU */
	if (s && get_task_cpu(p) != (__u32)dest_cpu)
		s->migrations++;
	return 0;
}

static __always_inline int handle_fork(bool btf, struct task_struct *parent,
				       struct task_struct *child)
{
	__u32 parent_tid = TASK_READ(btf, parent, pid);
	__u32 parent_pid = TASK_READ(btf, parent, tgid);
	__u32 tid = TASK_READ(btf, child, pid);
	__u32 pid = TASK_READ(btf, child, tgid);
	struct thread_stats *ps, *s;
	bool new_process = pid != parent_pid;
	__u32 ppid;

	ps = bpf_map_lookup_elem(&threads, &parent_tid);
	if (!ps)
		return 0;
	if ((new_process && !follow_children) || pid == self_pid)
		return 0;
	ppid = new_process ? parent_pid : ps->ppid;
	if (bpf_map_update_elem(&threads, &tid, &zero_stats, BPF_NOEXIST)) {
		count_drop(DROP_THREADS_FULL);
		return 0;
	}
	s = bpf_map_lookup_elem(&threads, &tid);
	if (!s)
		return 0;
	s->tid = tid;
	s->pid = pid;
	s->ppid = ppid;
	s->flags = new_process ? THREAD_NEW_PROCESS : 0;
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), child->comm);
	return 0;
}

static __always_inline int handle_exit(bool btf, struct task_struct *p)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	s = bpf_map_lookup_elem(&threads, &tid);
	if (!s)
		return 0;
	s->flags |= THREAD_EXITED;
	s->exit_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), p->comm);
	return 0;
}

static __always_inline int handle_exec(bool btf, struct task_struct *p, __u32 old_tid)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	s = bpf_map_lookup_elem(&threads, &tid);
	if (!s && old_tid != tid) {
		/* a non-leader thread exec'd and took over the leader's tid (de_thread) */
		s = bpf_map_lookup_elem(&threads, &old_tid);
		if (!s || bpf_map_update_elem(&threads, &tid, s, BPF_ANY))
			return 0;
		bpf_map_delete_elem(&threads, &old_tid);
		s = bpf_map_lookup_elem(&threads, &tid);
		if (!s)
			return 0;
		s->tid = tid;
	}
	if (!s)
		return 0;
	s->flags |= THREAD_EXECED;
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), p->comm);
	return 0;
}

/* tp_btf programs: typed arguments, direct reads. */

SEC("tp_btf/sched_switch")
int BPF_PROG(ls_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* the fourth argument exists only where switch_has_prev_state says so */
	return handle_switch(true, preempt, prev, next,
			     switch_has_prev_state ? (__u32)ctx[3] : 0);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(ls_sched_wakeup, struct task_struct *p)
{
	return handle_wakeup(true, p, false);
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

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ls_fork, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(true, parent, child);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ls_exit, struct task_struct *p)
{
	return handle_exit(true, p);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(ls_exec, struct task_struct *p, pid_t old_pid)
{
	return handle_exec(true, p, old_pid);
}

/* raw_tp fallbacks: the same handlers, reading through bpf_probe_read_kernel. */

SEC("raw_tp/sched_switch")
int BPF_PROG(ls_r_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return handle_switch(false, preempt, prev, next,
			     switch_has_prev_state ? (__u32)ctx[3] : 0);
}

SEC("raw_tp/sched_wakeup")
int BPF_PROG(ls_r_wakeup, struct task_struct *p)
{
	return handle_wakeup(false, p, false);
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

SEC("raw_tp/sched_process_fork")
int BPF_PROG(ls_r_fork, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(false, parent, child);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(ls_r_exit, struct task_struct *p)
{
	return handle_exit(false, p);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(ls_r_exec, struct task_struct *p, pid_t old_pid)
{
	return handle_exec(false, p, old_pid);
}
