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

static __always_inline bool in_compat_syscall(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct thread_info___x86 *ti = (struct thread_info___x86 *)&t->thread_info;

	if (!bpf_core_field_exists(ti->status))
		return false;
	return BPF_CORE_READ(ti, status) & LS_TS_COMPAT;
}

#endif /* LOADSCOPE_CORE_FIXES_BPF_H */
