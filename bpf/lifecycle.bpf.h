/* SPDX-License-Identifier: GPL-2.0 */
/* Process lifecycle programs: who is a target, through forks, execs, exits and cgroup moves. */
#ifndef LOADSCOPE_LIFECYCLE_BPF_H
#define LOADSCOPE_LIFECYCLE_BPF_H

#include "common.bpf.h"
#include "core_fixes.bpf.h"

/* Set by the loader between open and load; the verifier drops the paths they disable. */
const volatile __u32 self_pid = 0;	    /* the loader: never a target */
const volatile bool follow_children = true; /* forked processes of targets become targets */
/* --comm: names a task that execs must have to become a target, NUL-padded as the kernel's comm */
const volatile __u32 n_target_comms = 0;
const volatile char target_comms[LS_MAX_COMMS][LS_COMM_LEN] = {};
/* --cgroup, --container: cgroup v2 subtrees whose tasks are targets, by id (directory inode) */
const volatile __u32 n_target_cgroups = 0;
const volatile __u64 target_cgroups[LS_MAX_CGROUPS] = {};

static const struct thread_stats zero_stats;

#define LS_EEXIST 17 /* a map update with BPF_NOEXIST found the key */

/*
 * A thread that becomes a target while it may run on another CPU (a cgroup move) is built here
 * and published whole, so no event sees it half filled (e.g. with no on-CPU base yet). Only
 * the fields adopt_task() sets are ever written, so the rest stay zero.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct thread_stats);
} adopt_scratch SEC(".maps");

/* The task's cgroup on the default (v2) hierarchy and its id; the id is 0 if there is none. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LC_COUNTS);
	__type(key, __u32);
	__type(value, __u64);
} lifecycle_counts SEC(".maps");

static __always_inline void count_lifecycle(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&lifecycle_counts, &what);

	if (n)
		*n += 1;
}

static __always_inline struct cgroup *task_dfl_cgroup(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp);
}

static __always_inline __u64 cgroup_id_of(struct cgroup *cgrp)
{
	return cgrp ? BPF_CORE_READ(cgrp, kn, id) : 0;
}

/*
 * 1 + the index of the target cgroup that is the cgroup at cgrp_addr or one of its ancestors; 0
 * when none is. The ancestors are compared level by level from the root, so the target's own
 * level need not be known (inside a cgroup namespace the mount's root is not the hierarchy's).
 * Called at forks, execs and cgroup moves only, never on the scheduler or syscall paths; global,
 * so the verifier checks its loops once rather than at every call site.
 */
__noinline int ls_cgroup_match(__u64 cgrp_addr)
{
	struct cgroup *cgrp = (struct cgroup *)cgrp_addr;
	__u32 level, l, i;
	__u64 id;

	if (!n_target_cgroups || !cgrp)
		return 0;
	level = BPF_CORE_READ(cgrp, level);
	for (l = 0; l < LS_CGROUP_MAX_LEVEL && l <= level; l++) {
		id = get_cgroup_ancestor_id(cgrp, l);
		for (i = 0; i < LS_MAX_CGROUPS && i < n_target_cgroups; i++)
			if (id && id == target_cgroups[i])
				return i + 1;
	}
	return 0;
}

static __always_inline __u32 cgroup_selector(struct cgroup *cgrp)
{
	return n_target_cgroups ? ls_cgroup_match((__u64)cgrp) : 0;
}

/* 1 + the index of the --comm name the task has; 0 when it has none of them. */
static __always_inline __u32 comm_selector(struct task_struct *t)
{
	__u64 comm[LS_COMM_LEN / 8] = {};
	const volatile __u64 *want;
	__u32 i;

	if (!n_target_comms)
		return 0;
	/* up to the NUL: what follows it in the kernel's buffer may be a longer old name */
	bpf_probe_read_kernel_str(comm, sizeof(comm), &t->comm);
	for (i = 0; i < LS_MAX_COMMS && i < n_target_comms; i++) {
		want = (const volatile __u64 *)target_comms[i];
		if (comm[0] == want[0] && comm[1] == want[1])
			return i + 1;
	}
	return 0;
}

/*
 * Make a task that has been running a while a target from now on (it exec'd with a --comm name,
 * or moved into a target cgroup): its counters start from the kernel's own (on-CPU time,
 * run-queue wait and arrivals), as the loader seeds threads found in /proc.
 */
static __always_inline struct thread_stats *adopt_task(struct task_struct *t, __u32 how,
						       __u32 selector, __u64 cgroup_id)
{
	__u32 zero = 0, tid = BPF_CORE_READ(t, pid), pid = BPF_CORE_READ(t, tgid);
	struct thread_stats *s;
	long err;

	if (!tid || pid == self_pid)
		return NULL;
	s = bpf_map_lookup_elem(&adopt_scratch, &zero);
	if (!s)
		return NULL;
	s->tid = tid;
	s->pid = pid;
	s->ppid = BPF_CORE_READ(t, real_parent, tgid);
	s->flags = THREAD_JOINED;
	s->first_ns = bpf_ktime_get_ns();
	s->seq = (__u32)s->first_ns | 1;
	s->selected_by = how;
	s->selector = selector;
	s->cgroup_id = cgroup_id;
	s->sum_exec_base_ns = BPF_CORE_READ(t, se.sum_exec_runtime);
	if (HAVE_SCHED_INFO(t)) {
		s->runq_base_ns = BPF_CORE_READ(t, sched_info.run_delay);
		s->runq_arrivals = BPF_CORE_READ(t, sched_info.pcount);
	}
	__builtin_memset(s->comm, 0, sizeof(s->comm));
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), &t->comm);
	err = bpf_map_update_elem(&threads, &tid, s, BPF_NOEXIST);
	if (err) {
		if (err != -LS_EEXIST)
			count_drop(DROP_THREADS_FULL);
		return NULL;
	}
	tid_filter[tid & (TID_FILTER_SIZE - 1)] = 1;
	return bpf_map_lookup_elem(&threads, &tid);
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
	__u32 ppid, how, selector = 0, match;
	struct cgroup *cgrp = NULL;

	ps = target_thread(parent_tid);
	/* without --cgroup, only a target's children can be targets: the common case stops here */
	if ((!ps && !n_target_cgroups) || pid == self_pid)
		return 0;
	if (ps && !new_process) {
		how = ps->selected_by;
		selector = ps->selector;
	} else {
		/* a new process is a target on its own terms first: placed in a target cgroup
		 * (clone3's CLONE_INTO_CGROUP, by any parent), or named as a --comm name */
		cgrp = task_dfl_cgroup(child);
		match = cgroup_selector(cgrp);
		how = SELECT_CGROUP;
		if (!match && ps) {
			match = comm_selector(child);
			how = SELECT_COMM;
		}
		if (match)
			selector = match - 1;
		else if (ps && follow_children)
			how = SELECT_DESCENDANT;
		else
			return 0;
	}
	if (!cgrp)
		cgrp = task_dfl_cgroup(child);
	ppid = new_process ? parent_pid : ps ? ps->ppid : BPF_CORE_READ(child, real_parent, tgid);
	count_lifecycle(new_process ? LC_PROCESSES_STARTED : LC_THREADS_STARTED);
	if (bpf_map_update_elem(&threads, &tid, &zero_stats, BPF_NOEXIST)) {
		count_drop(DROP_THREADS_FULL);
		return 0;
	}
	s = bpf_map_lookup_elem(&threads, &tid);
	if (!s)
		return 0;
	tid_filter[tid & (TID_FILTER_SIZE - 1)] = 1;
	s->tid = tid;
	s->pid = pid;
	s->ppid = ppid;
	s->flags = new_process ? THREAD_NEW_PROCESS : 0;
	s->selected_by = how;
	s->selector = selector;
	s->cgroup_id = cgroup_id_of(cgrp);
	/* fork time's low bits: a later thread reusing the tid gets another (seeded: see loader) */
	s->first_ns = bpf_ktime_get_ns();
	s->seq = (__u32)s->first_ns | 1;
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), child->comm);
	return 0;
}

static __always_inline int handle_exit(bool btf, struct task_struct *p)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	/* no tid filter: it only spares hot paths (switch, syscall) a lookup; exits are rare */
	s = bpf_map_lookup_elem(&threads, &tid);
	if (!s)
		return 0;
	if (!(s->flags & THREAD_EXITED))
		count_lifecycle(tid == s->pid ? LC_PROCESSES_EXITED : LC_THREADS_EXITED);
	s->flags |= THREAD_EXITED;
	s->exit_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), p->comm);
	return 0;
}

static __always_inline int handle_exec(bool btf, struct task_struct *p, __u32 old_tid)
{
	__u32 tid = TASK_READ(btf, p, pid);
	struct thread_stats *s;

	/* no tid filter: it only spares hot paths (switch, syscall) a lookup; execs are rare */
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
		tid_filter[tid & (TID_FILTER_SIZE - 1)] = 1;
		s->tid = tid;
	}
	if (!s) {
		/* --comm: a task that takes one of the names by exec'ing becomes a target now */
		__u32 match = comm_selector(p);

		if (match)
			adopt_task(p, SELECT_COMM, match - 1, cgroup_id_of(task_dfl_cgroup(p)));
		return 0;
	}
	s->flags |= THREAD_EXECED;
	bpf_probe_read_kernel_str(s->comm, sizeof(s->comm), p->comm);
	return 0;
}

/*
 * The thread at task_addr is now in cgroup id: a target's cgroup is noted; another in a target
 * subtree (match: 1 + its index) becomes a target. Global: the thread walk below calls it up to
 * LS_ATTACH_MAX_THREADS times, and the verifier checks it once. Addresses are plain numbers here.
 */
__noinline int ls_cgroup_moved(__u64 task_addr, __u64 id, __u32 match)
{
	struct task_struct *t = (struct task_struct *)task_addr;
	struct thread_stats *s;
	__u32 tid;

	if (!t)
		return 0;
	tid = BPF_CORE_READ(t, pid);
	s = target_thread(tid);
	if (s)
		s->cgroup_id = id;
	else if (match)
		adopt_task(t, SELECT_CGROUP, match - 1, id);
	return 0;
}

/*
 * cgroup_attach_task fires once a task, or with threadgroup its whole process, has moved (a write
 * to cgroup.procs or cgroup.threads: docker exec, systemd-run, a shell). The tracepoint names the
 * cgroup of whichever hierarchy was written; the task's v2 cgroup is read from the task itself.
 * task_addr is the task's address as a number (the programs copy it out of their context).
 */
static __always_inline int handle_cgroup_attach(__u64 task_addr, bool threadgroup)
{
	struct task_struct *task = (struct task_struct *)task_addr, *t;
	struct cgroup *cgrp = task_dfl_cgroup(task);
	__u32 match = cgroup_selector(cgrp), i;
	__u64 id = cgroup_id_of(cgrp), offset;
	struct signal_struct *signal;
	struct list_head *head, *pos;

	/* neither joining a target subtree nor a target already: nothing to note */
	if (!match && !target_thread(BPF_CORE_READ(task, pid)))
		return 0;
	if (!threadgroup)
		return ls_cgroup_moved(task_addr, id, match);
	/* every thread of the process: signal->thread_head lists them through task->thread_node */
	offset = bpf_core_field_offset(struct task_struct, thread_node);
	signal = BPF_CORE_READ(task, signal);
	if (!signal)
		return 0;
	head = &signal->thread_head;
	pos = BPF_CORE_READ(signal, thread_head.next);
	for (i = 0; i < LS_ATTACH_MAX_THREADS; i++) {
		if (!pos || pos == head)
			return 0;
		t = (struct task_struct *)((void *)pos - offset);
		ls_cgroup_moved((__u64)t, id, match);
		pos = BPF_CORE_READ(t, thread_node.next);
	}
	if (pos && pos != head)
		count_drop(DROP_ATTACH_THREADS);
	return 0;
}

/* The address of tracepoint argument n as a number, not a typed pointer (tp_btf would type it). */
static __always_inline __u64 arg_addr(__u64 *ctx, int n)
{
	__u64 addr = 0;

	bpf_probe_read_kernel(&addr, sizeof(addr), &ctx[n]);
	return addr;
}

/* tp_btf programs: typed arguments, direct reads. */

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

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(ls_cg_attach, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return handle_cgroup_attach(arg_addr(ctx, 2), threadgroup);
}

/* raw_tp fallbacks: the same handlers, reading through bpf_probe_read_kernel. */

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

SEC("raw_tp/cgroup_attach_task")
int BPF_PROG(ls_r_cg_attach, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	return handle_cgroup_attach((__u64)task, threadgroup);
}

#endif /* LOADSCOPE_LIFECYCLE_BPF_H */
