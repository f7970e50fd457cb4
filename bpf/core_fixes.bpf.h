/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel differences the programs must survive, one helper per change, resolved by CO-RE at load time. */
#ifndef LOADSCOPE_CORE_FIXES_BPF_H
#define LOADSCOPE_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/*
 * task_struct::state became __state (and unsigned int) in 5.14, commit 2f064a59a11f
 * ("sched: Change task_struct::state").
 */
struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

struct task_struct___x {
	unsigned int __state;
} __attribute__((preserve_access_index));

static __always_inline __u32 get_task_state(void *task)
{
	struct task_struct___x *t = task;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)task, state);
}

/*
 * The CPU a task is on moved from task_struct::cpu into thread_info::cpu in 5.16,
 * commit bcf9033e5449 ("sched: move CPU field back into thread_info if THREAD_INFO_IN_TASK=y").
 */
struct task_struct___cpu_o {
	unsigned int cpu;
} __attribute__((preserve_access_index));

static __always_inline __u32 get_task_cpu(struct task_struct *task)
{
	if (bpf_core_field_exists(task->thread_info.cpu))
		return BPF_CORE_READ(task, thread_info.cpu);
	return BPF_CORE_READ((struct task_struct___cpu_o *)task, cpu);
}

/*
 * A 32-bit task's syscalls on x86_64 carry the ia32 numbers: TS_COMPAT in thread_info.status
 * (arch/x86/include/asm/thread_info.h, stable since 2.6.x) is set while one runs. Other
 * architectures' thread_info has no status field: nothing to tell apart there.
 */
#define LS_TS_COMPAT 0x0002

struct thread_info___x86 {
	__u32 status;
} __attribute__((preserve_access_index));

static __always_inline bool in_compat_syscall(bool btf)
{
	struct task_struct *t;
	struct thread_info___x86 *ti;

	if (btf && bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)) {
		/* a direct load: the verifier follows the BTF task pointer */
		t = bpf_get_current_task_btf();
		ti = (struct thread_info___x86 *)&t->thread_info;
		if (!bpf_core_field_exists(ti->status))
			return false;
		return ti->status & LS_TS_COMPAT;
	}
	t = (struct task_struct *)bpf_get_current_task();
	ti = (struct thread_info___x86 *)&t->thread_info;
	if (!bpf_core_field_exists(ti->status))
		return false;
	return BPF_CORE_READ(ti, status) & LS_TS_COMPAT;
}

/*
 * sched_switch gained its prev_state argument in 5.18, commit fa2c3254d7cf ("sched/tracing:
 * Don't re-read p->state when emitting sched_switch event"). BTF tells whether it is there; the
 * loader reads it (user/observe/kernel_features.c) and sets switch_has_prev_state, and the
 * programs fall back to get_task_state() without it.
 */

/*
 * What sched_info.pcount will read once sched_info_arrive() has run for a task being switched in
 * whose sched_info.last_queued is `queued`. Since 5.14 the kernel counts an arrival only when the
 * task was queued (last_queued set); before, it counted every arrival, the unqueued ones with a
 * wait of 0. This returns the 5.14+ count; on older kernels the arrival it leaves out is caught
 * up at the task's next switch-out from pcount (thread_catch_up_arrivals() in loadscope.h), as
 * the zero-length wait schedstat counts too, so runq_count still equals schedstat's field 3.
 * Verified in qemu on Debian's 5.10 and 6.1 kernels (make test-kernels).
 */
static __always_inline __u64 sched_info_pcount_after_arrival(__u64 queued, __u64 pcount)
{
	return queued ? pcount + 1 : pcount;
}

/*
 * The ids of a cgroup's ancestors, one per level, were kept in cgroup::ancestor_ids[] (u64) until
 * 6.1 replaced the array with cgroup::ancestors[] (struct cgroup *), commit 7f203bc89eb6
 * ("cgroup: Replace cgroup->ancestor_ids[] with ->ancestors[]"). Either way entry `level` of a
 * cgroup at level L >= level is its ancestor at that level, entry L the cgroup itself. A cgroup's
 * id is its kernfs node's id, the inode number of its directory (u64 since 5.5, as BTF needs).
 */
struct cgroup___ancestor_ids {
	int level;
	u64 ancestor_ids[];
} __attribute__((preserve_access_index));

struct cgroup___ancestors {
	int level;
	struct cgroup *ancestors[];
} __attribute__((preserve_access_index));

static __always_inline __u64 get_cgroup_ancestor_id(struct cgroup *cgrp, __u32 level)
{
	struct cgroup___ancestors *x = (void *)cgrp;
	struct cgroup___ancestor_ids *o = (void *)cgrp;
	struct cgroup *ancestor = NULL;
	__u64 id = 0;

	if (bpf_core_field_exists(x->ancestors)) {
		if (bpf_probe_read_kernel(&ancestor, sizeof(ancestor), &x->ancestors[level]) ||
		    !ancestor)
			return 0;
		return BPF_CORE_READ(ancestor, kn, id);
	}
	bpf_probe_read_kernel(&id, sizeof(id), &o->ancestor_ids[level]);
	return id;
}

#endif /* LOADSCOPE_CORE_FIXES_BPF_H */
