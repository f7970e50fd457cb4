/* SPDX-License-Identifier: GPL-2.0 */
/* What the programs of every concern share: the target threads and their filter, drops, latency. */
#ifndef LOADSCOPE_COMMON_BPF_H
#define LOADSCOPE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "loadscope.h"

/* Live target threads by tid; presence in this map is what makes a thread a target. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DEFAULT_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct thread_stats);
} threads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Latency figures per (thread, class or metric); allocated as threads use them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, (LAT_PER_THREAD * DEFAULT_MAX_THREADS));
	__type(key, struct lat_key);
	__type(value, struct lat_stats);
} lat SEC(".maps");

/*
 * One byte per tid modulo TID_FILTER_SIZE, set for every thread that is or was a target: a clear
 * byte answers "not a target" with one load, before the hash lookup that every event of every
 * task on the machine would otherwise pay (every syscall, every switch).
 */
__u8 tid_filter[TID_FILTER_SIZE];

static __always_inline struct thread_stats *target_thread(__u32 tid)
{
	if (!tid_filter[tid & (TID_FILTER_SIZE - 1)])
		return NULL;
	return bpf_map_lookup_elem(&threads, &tid);
}

/*
 * The same handlers serve tp_btf programs, which may dereference task pointers directly, and
 * raw_tp programs, which must go through bpf_probe_read_kernel. `btf` is a literal at every call
 * site, so each program keeps only its own kind of read.
 */
#define TASK_READ(btf, t, field) ((btf) ? (t)->field : BPF_CORE_READ(t, field))

/*
 * The current task for direct reads: bpf_get_current_task_btf() (5.11) in tp_btf programs where
 * the kernel has it, so loads skip bpf_probe_read_kernel; NULL elsewhere (use BPF_CORE_READ).
 */
#define HAVE_TASK_BTF bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)

/* Run-queue waits come from sched_info where it exists; runnable_since_ns stamps stand in. */
#define HAVE_SCHED_INFO(t) bpf_core_field_exists((t)->sched_info.run_delay)

static __always_inline void count_drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	if (n)
		*n += 1;
}

static const struct lat_stats zero_lat;

static __always_inline struct lat_stats *lat_get(struct thread_stats *s, __u32 metric)
{
	struct lat_key key = {.tid = s->tid, .seq = s->seq, .metric = metric};
	struct lat_stats *l = bpf_map_lookup_elem(&lat, &key);

	if (l)
		return l;
	if (bpf_map_update_elem(&lat, &key, &zero_lat, BPF_NOEXIST)) {
		count_drop(DROP_SYSCALLS_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&lat, &key);
}

#endif /* LOADSCOPE_COMMON_BPF_H */
