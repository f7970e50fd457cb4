// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of any observer on loadscope's hooks: programs that return at once, on the same
 * tp_btf tracepoints. What they cost is the price of the hooks themselves (the syscall
 * tracepoints send every syscall on the host through the slow path), which no program can go under.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define FLOOR(hook)                              \
	SEC("tp_btf/" #hook)                     \
	int BPF_PROG(floor_##hook)               \
	{                                        \
		return 0;                        \
	}

FLOOR(sys_enter)
FLOOR(sys_exit)
FLOOR(sched_switch)
FLOOR(sched_wakeup)
FLOOR(sched_waking)
FLOOR(sched_wakeup_new)
FLOOR(sched_migrate_task)
FLOOR(sched_process_fork)
FLOOR(sched_process_exit)
FLOOR(sched_process_exec)
FLOOR(inet_sock_set_state)
FLOOR(cgroup_attach_task)
