/* SPDX-License-Identifier: GPL-2.0 */
/* Syscall programs: each target thread's time, errors and bytes by syscall class. */
#ifndef LOADSCOPE_SYSCALLS_BPF_H
#define LOADSCOPE_SYSCALLS_BPF_H

#include "common.bpf.h"
#include "conn.bpf.h"
#include "core_fixes.bpf.h"

/* Syscall number -> class | flags << 8, filled by user space from the syscall names. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYS_TABLE_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} sys_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, (OTHERS_PER_THREAD * DEFAULT_MAX_THREADS));
	__type(key, struct other_key);
	__type(value, struct other_stats);
} others SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, DEFAULT_MAX_THREADS);
	__type(key, struct errno_key);
	__type(value, __u64);
} errnos SEC(".maps");

static __always_inline void count_errno(struct thread_stats *s, __u32 c, long ret)
{
	struct errno_key key = {.tid = s->tid, .seq = s->seq, .sys_class = c, .err = -ret};
	__u64 one = 1, *n = bpf_map_lookup_elem(&errnos, &key);

	if (n)
		*n += 1;
	else if (bpf_map_update_elem(&errnos, &key, &one, BPF_NOEXIST))
		count_drop(DROP_SYSCALLS_FULL);
}

static __always_inline void count_other(struct thread_stats *s, __u64 ns, long ret)
{
	struct other_key key = {.tid = s->tid, .seq = s->seq, .nr = s->sc_nr};
	struct other_stats *o = bpf_map_lookup_elem(&others, &key);
	struct other_stats first = {.count = 1, .errors = ret < 0, .total_ns = ns};

	if (o) {
		o->count++;
		o->errors += ret < 0;
		o->total_ns += ns;
	} else if (bpf_map_update_elem(&others, &key, &first, BPF_NOEXIST)) {
		count_drop(DROP_SYSCALLS_FULL);
	}
}

/* Syscall argument n: a direct load from tp_btf's BTF regs, a CO-RE read from raw_tp's. */
#define SYSCALL_ARG(btf, regs, n)                                                          \
	((btf) ? (__u64)PT_REGS_PARM##n##_SYSCALL(regs)                                    \
	       : (__u64)PT_REGS_PARM##n##_CORE_SYSCALL(regs))

static __always_inline int handle_sys_enter(bool btf, struct pt_regs *regs, long id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), key, val = SC_OTHER, *v;
	struct thread_stats *s;
	struct sock *sk;

	s = target_thread(tid);
	/* id -1: no syscall to run (seccomp, ptrace); a 32-bit task's numbers are another table */
	if (!s || id < 0 || in_compat_syscall(btf))
		return 0;
	if (id < SYS_TABLE_SIZE) {
		key = id;
		v = bpf_map_lookup_elem(&sys_table, &key);
		if (v)
			val = *v;
	}
	s->sc_nr = id;
	s->sc_class = val;
	s->sc_enter_ns = bpf_ktime_get_ns();
	s->sc_offcpu_ns = 0;
	if (SYS_TABLE_CLASS(val) == SC_FUTEX)
		s->sc_lock = futex_lock_wait(SYSCALL_ARG(btf, regs, 2), SYSCALL_ARG(btf, regs, 3));
	if (SYS_TABLE_FLAGS(val) & SCF_BYTES)
		s->sc_fd = SYSCALL_ARG(btf, regs, 1);
	if (SYS_TABLE_FLAGS(val) & SCF_SENDMSG) {
		/* counted as sent if the call succeeds */
		s->sc_arg = scm_rights(s, SYSCALL_ARG(btf, regs, 2), true, s->sc_enter_ns);
	} else if (SYS_TABLE_FLAGS(val) & SCF_RECVMSG) {
		s->sc_arg = SYSCALL_ARG(btf, regs, 2);
	} else if (SYS_TABLE_FLAGS(val) & SCF_ACCEPT) {
		/* the listener: its queue length now, its port for connections never accepted */
		sk = file_sock(fd_file(SYSCALL_ARG(btf, regs, 1)));
		s->sc_backlog = sk ? BPF_CORE_READ(sk, sk_ack_backlog) : 0;
		if (sk)
			note_listener(sk, s->pid);
	}
	return 0;
}

static __always_inline int handle_sys_exit(bool btf, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), c, flags;
	struct thread_stats *s;
	struct lat_stats *l;
	__u64 now, ns;

	s = target_thread(tid);
	if (!s || !s->sc_enter_ns)
		return 0;
	now = bpf_ktime_get_ns();
	ns = now - s->sc_enter_ns;
	s->sc_enter_ns = 0;
	/* kernel time: the call's wall time less what it spent off a CPU (blocked or runnable) */
	s->kernel_ns += ns > s->sc_offcpu_ns ? ns - s->sc_offcpu_ns : 0;
	s->sc_off_since_ns = 0;
	c = SYS_TABLE_CLASS(s->sc_class);
	flags = SYS_TABLE_FLAGS(s->sc_class);
	if (c >= SC_CLASSES)
		c = SC_OTHER;
	l = lat_get(s, c);
	if (l) {
		lat_record(l, ns);
		if (ret < 0)
			l->errors++;
		else if (flags & SCF_BYTES)
			l->bytes += ret;
	}
	if (ret < 0)
		count_errno(s, c, ret);
	if (c == SC_OTHER)
		count_other(s, ns, ret);
	if (ret < 0)
		return 0;
	if ((flags & SCF_BYTES) && ret > 0 && is_served_tcp(fd_file_fast(btf, s->sc_fd))) {
		if (c == SC_READ)
			s->tcp_reads++;
		else
			s->tcp_writes++;
	}
	if (flags & SCF_ACCEPT)
		accept_done(s, ret, now);
	else if (flags & SCF_SENDMSG)
		s->handoff_sent += s->sc_arg;
	else if (flags & SCF_RECVMSG)
		s->handoff_received += scm_rights(s, s->sc_arg, false, now);
	return 0;
}

/* tp_btf programs: typed arguments, direct reads. */

SEC("tp_btf/sys_enter")
int BPF_PROG(ls_sys_enter, struct pt_regs *regs, long id)
{
	return handle_sys_enter(true, regs, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ls_sys_exit, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(true, ret);
}

/* raw_tp fallbacks: the same handlers, reading through bpf_probe_read_kernel. */

SEC("raw_tp/sys_enter")
int BPF_PROG(ls_r_sys_enter, struct pt_regs *regs, long id)
{
	return handle_sys_enter(false, regs, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(ls_r_sys_exit, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(false, ret);
}

#endif /* LOADSCOPE_SYSCALLS_BPF_H */
