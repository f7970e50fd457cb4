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
