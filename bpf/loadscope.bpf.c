// SPDX-License-Identifier: GPL-2.0
/* loadscope's one BPF object: the headers below hold its maps and programs, one per concern. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "loadscope.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#include "common.bpf.h"
#include "sched.bpf.h"
#include "lifecycle.bpf.h"

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_HANDOFF_PAIRS);
	__type(key, struct handoff_key);
	__type(value, __u64);
} handoffs SEC(".maps");

/* Passive TCP connections established and not yet accepted, by struct sock address. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PENDING_CONNS);
	__type(key, __u64);
	__type(value, struct conn_pending);
} pending_conns SEC(".maps");

/* Ports targets accept on -> the accepting process, for connections never accepted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ACCEPT_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} accept_ports SEC(".maps");

/* struct file of a connection a target accepted -> when, for the delay until it is passed on. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_ACCEPTED_FILES);
	__type(key, __u64);
	__type(value, __u64);
} accepted_at SEC(".maps");

/* struct file passed with SCM_RIGHTS and not yet received -> the sending process. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_IN_FLIGHT_FILES);
	__type(key, __u64);
	__type(value, __u32);
} in_flight SEC(".maps");

/* Syscalls, connections and descriptors passed between processes. */

#define LS_S_IFMT	   00170000
#define LS_S_IFSOCK	   0140000
#define LS_TCP_ESTABLISHED 1
#define LS_TCP_SYN_RECV	   3
#define LS_TCP_CLOSE	   7
#define LS_IPPROTO_TCP	   6
#define LS_SOL_SOCKET	   1
#define LS_SCM_RIGHTS	   1
#define LS_MAX_CMSGS	   4 /* control messages looked at per sendmsg/recvmsg */
#define LS_MAX_FDS	   8 /* descriptors per SCM_RIGHTS message followed to their file */

/* The user-space layouts of a message header and a control message header (UAPI, 64-bit). */
struct ls_msghdr {
	__u64 name;
	__u32 namelen;
	__u32 pad;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
};

struct ls_cmsghdr {
	__u64 len;
	__s32 level;
	__s32 type;
};

/* The current task's open file for fd, or NULL. */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = NULL, **fds;
	struct fdtable *fdt;

	if (fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The struct sock behind a socket file, or NULL for any other file. */
static __always_inline struct sock *file_sock(struct file *f)
{
	struct socket *sock;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & LS_S_IFMT) != LS_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/* A TCP connection on the serving side: its local port is one a target accepts on. */
static __always_inline bool is_served_tcp(struct file *f)
{
	struct sock *sk = file_sock(f);
	__u32 port;

	if (!sk || BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != LS_IPPROTO_TCP)
		return false;
	port = BPF_CORE_READ(sk, __sk_common.skc_num);
	return bpf_map_lookup_elem(&accept_ports, &port) != NULL;
}

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

/* accept() returned fd: the connection's wait in the listen queue, and a stamp for its handoff. */
static __always_inline void accept_done(struct thread_stats *s, long fd, __u64 now)
{
	struct file *f = fd_file(fd);
	struct sock *sk = file_sock(f);
	struct conn_pending *c;
	struct lat_stats *l;
	__u64 key;

	if (!sk)
		return;
	key = (__u64)f;
	bpf_map_update_elem(&accepted_at, &key, &now, BPF_ANY);
	l = lat_get(s, LAT_ACCEPT_QUEUE);
	if (!l)
		return;
	if (s->sc_backlog > l->extra_max)
		l->extra_max = s->sc_backlog;
	key = (__u64)sk;
	c = bpf_map_lookup_elem(&pending_conns, &key);
	if (!c)
		return; /* established before the programs were attached */
	lat_record(l, now > c->established_ns ? now - c->established_ns : 0);
	bpf_map_delete_elem(&pending_conns, &key);
}

/* One descriptor in an SCM_RIGHTS message, sent or received by the current thread. */
static __always_inline void pass_fd(struct thread_stats *s, int fd, bool send, __u64 now)
{
	struct file *f = fd_file(fd);
	struct handoff_key pair;
	struct lat_stats *l;
	__u64 key, *t, one = 1, *n;
	__u32 *from;

	if (!f)
		return;
	key = (__u64)f;
	if (send) {
		bpf_map_update_elem(&in_flight, &key, &s->pid, BPF_ANY);
		t = bpf_map_lookup_elem(&accepted_at, &key);
		if (!t)
			return;
		l = lat_get(s, LAT_HANDOFF_DELAY);
		if (l)
			lat_record(l, now > *t ? now - *t : 0);
		bpf_map_delete_elem(&accepted_at, &key);
		return;
	}
	from = bpf_map_lookup_elem(&in_flight, &key);
	if (!from)
		return; /* from a process that is not a target */
	pair.from = *from;
	pair.to = s->pid;
	bpf_map_delete_elem(&in_flight, &key);
	n = bpf_map_lookup_elem(&handoffs, &pair);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&handoffs, &pair, &one, BPF_NOEXIST);
}

/*
 * The SCM_RIGHTS descriptors in the caller's msghdr, each passed to pass_fd(); returns how many
 * there are. A sender's are read as sendmsg() starts, before a receiver can have them; a
 * receiver's once recvmsg() has written them and the length used.
 */
static __always_inline __u64 scm_rights(struct thread_stats *s, __u64 msg, bool send, __u64 now)
{
	struct ls_cmsghdr ch;
	struct ls_msghdr mh;
	__u64 off = 0, n, total = 0;
	int i, j, fd;

	if (bpf_probe_read_user(&mh, sizeof(mh), (void *)msg)) {
		count_drop(DROP_UNREADABLE);
		return 0;
	}
	if (!mh.control)
		return 0;
	for (i = 0; i < LS_MAX_CMSGS; i++) {
		if (off + sizeof(ch) > mh.controllen)
			break;
		if (bpf_probe_read_user(&ch, sizeof(ch), (void *)(mh.control + off))) {
			count_drop(DROP_UNREADABLE);
			break;
		}
		if (ch.len < sizeof(ch) || off + ch.len > mh.controllen)
			break;
		if (ch.level == LS_SOL_SOCKET && ch.type == LS_SCM_RIGHTS) {
			n = (ch.len - sizeof(ch)) / sizeof(int);
			total += n;
			for (j = 0; j < LS_MAX_FDS && j < n; j++) {
				if (bpf_probe_read_user(
					    &fd, sizeof(fd),
					    (void *)(mh.control + off + sizeof(ch) + 4 * j)))
					break;
				pass_fd(s, fd, send, now);
			}
		}
		off += (ch.len + 7) & ~7ULL; /* CMSG_ALIGN */
	}
	return total;
}

static __always_inline int handle_sys_enter(struct pt_regs *regs, long id)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), key, val = SC_OTHER, *v, port;
	struct thread_stats *s;
	struct sock *sk;

	s = target_thread(tid);
	/* id -1: no syscall to run (seccomp, ptrace); a 32-bit task's numbers are another table */
	if (!s || id < 0 || in_compat_syscall())
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
	if (SYS_TABLE_FLAGS(val) & SCF_BYTES)
		s->sc_fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	if (SYS_TABLE_FLAGS(val) & SCF_SENDMSG) {
		/* counted as sent if the call succeeds */
		s->sc_arg = scm_rights(s, PT_REGS_PARM2_CORE_SYSCALL(regs), true, s->sc_enter_ns);
	} else if (SYS_TABLE_FLAGS(val) & SCF_RECVMSG) {
		s->sc_arg = PT_REGS_PARM2_CORE_SYSCALL(regs);
	} else if (SYS_TABLE_FLAGS(val) & SCF_ACCEPT) {
		/* the listener: its queue length now, its port for connections never accepted */
		sk = file_sock(fd_file(PT_REGS_PARM1_CORE_SYSCALL(regs)));
		s->sc_backlog = sk ? BPF_CORE_READ(sk, sk_ack_backlog) : 0;
		if (sk) {
			port = BPF_CORE_READ(sk, __sk_common.skc_num);
			if (!bpf_map_lookup_elem(&accept_ports, &port))
				bpf_map_update_elem(&accept_ports, &port, &s->pid, BPF_ANY);
		}
	}
	return 0;
}

static __always_inline int handle_sys_exit(long ret)
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
	if ((flags & SCF_BYTES) && ret > 0 && is_served_tcp(fd_file(s->sc_fd))) {
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

/* Passive TCP connections: established (in the listen queue until accepted), or closed. */
static __always_inline int handle_inet_state(struct sock *sk, int oldstate, int newstate)
{
	struct conn_pending c = {};
	__u64 key = (__u64)sk;

	if (newstate == LS_TCP_ESTABLISHED && oldstate == LS_TCP_SYN_RECV) {
		c.established_ns = bpf_ktime_get_ns();
		c.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		if (bpf_map_update_elem(&pending_conns, &key, &c, BPF_ANY))
			count_drop(DROP_CONNS_FULL);
	} else if (newstate == LS_TCP_CLOSE) {
		bpf_map_delete_elem(&pending_conns, &key);
	}
	return 0;
}

/* tp_btf programs: typed arguments, direct reads. */

SEC("tp_btf/sys_enter")
int BPF_PROG(ls_sys_enter, struct pt_regs *regs, long id)
{
	return handle_sys_enter(regs, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ls_sys_exit, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(ret);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ls_inet_state, struct sock *sk, int oldstate, int newstate)
{
	return handle_inet_state(sk, oldstate, newstate);
}

/* raw_tp fallbacks: the same handlers, reading through bpf_probe_read_kernel. */

SEC("raw_tp/sys_enter")
int BPF_PROG(ls_r_sys_enter, struct pt_regs *regs, long id)
{
	return handle_sys_enter(regs, id);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(ls_r_sys_exit, struct pt_regs *regs, long ret)
{
	return handle_sys_exit(ret);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(ls_r_inet_state, struct sock *sk, int oldstate, int newstate)
{
	return handle_inet_state(sk, oldstate, newstate);
}
