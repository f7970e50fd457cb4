/* SPDX-License-Identifier: GPL-2.0 */
/* Connection tracking: TCP accept queues, accepted sockets, descriptors passed with SCM_RIGHTS. */
#ifndef LOADSCOPE_CONN_BPF_H
#define LOADSCOPE_CONN_BPF_H

#include "common.bpf.h"

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

/* Ports targets accept on -> the first process that accepted there: which connections are served. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ACCEPT_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} accept_ports SEC(".maps");

/*
 * Listening sockets targets accept on (struct sock address) -> the first process that accepted
 * there, until the socket closes: at the end, each one's queue is what it never accepted. By the
 * socket, not the port: a SO_REUSEPORT sibling or another network namespace on the same port has
 * its own queue.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ACCEPT_PORTS);
	__type(key, __u64);
	__type(value, __u32);
} listeners SEC(".maps");

/*
 * struct sock of a connection a target accepted -> when, for the delay until it is passed on;
 * removed when passed on or closed, so an eviction (counted, DROP_ACCEPTED_EVICTED) takes one of
 * MAX_ACCEPTED_FILES connections open at once and not passed on yet.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_ACCEPTED_FILES);
	__type(key, __u64);
	__type(value, __u64);
} accepted_at SEC(".maps");

/*
 * A descriptor passed with SCM_RIGHTS and not yet received (its struct sock for a socket, its
 * struct file otherwise) -> the sending process; removed when received or the socket closes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_IN_FLIGHT_FILES);
	__type(key, __u64);
	__type(value, __u32);
} in_flight SEC(".maps");

/* Per-CPU counts of enum lru_op. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LRU_OPS);
	__type(key, __u32);
	__type(value, __u64);
} lru_ops SEC(".maps");

#define LS_E2BIG 7 /* the errno of an update that finds a hash map full */

static __always_inline void count_lru(__u32 op)
{
	__u64 *n = bpf_map_lookup_elem(&lru_ops, &op);

	if (n)
		*n += 1;
}

/* key -> value in an LRU map, counted as added when the key is new (op), overwritten otherwise. */
static __always_inline void lru_set(void *map, __u64 key, void *value, __u32 size, __u32 op)
{
	void *old = bpf_map_lookup_elem(map, &key);

	if (old) {
		if (size == sizeof(__u64))
			*(__u64 *)old = *(__u64 *)value;
		else
			*(__u32 *)old = *(__u32 *)value;
		return;
	}
	if (!bpf_map_update_elem(map, &key, value, BPF_NOEXIST))
		count_lru(op);
}

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

/*
 * fd_file() with direct loads down to the descriptor array where the BTF task pointer exists
 * (tp_btf on 5.11+): one bpf_probe_read_kernel instead of five, on every read and write.
 */
static __always_inline struct file *fd_file_fast(bool btf, long fd)
{
	struct file *f = NULL, **fds;
	struct fdtable *fdt;
	struct task_struct *task;

	if (!btf || !HAVE_TASK_BTF)
		return fd_file(fd);
	if (fd < 0)
		return NULL;
	task = bpf_get_current_task_btf();
	if (!task->files)
		return NULL;
	fdt = task->files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return NULL;
	fds = fdt->fd;
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

/* A target calls accept() on the listening socket sk: its port is served, its queue watched. */
static __always_inline void note_listener(struct sock *sk, __u32 pid)
{
	__u64 key = (__u64)sk;
	__u32 port;

	if (!bpf_map_lookup_elem(&listeners, &key) &&
	    bpf_map_update_elem(&listeners, &key, &pid, BPF_NOEXIST) == -LS_E2BIG)
		count_drop(DROP_LISTENERS_FULL);
	port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (!bpf_map_lookup_elem(&accept_ports, &port) &&
	    bpf_map_update_elem(&accept_ports, &port, &pid, BPF_NOEXIST) == -LS_E2BIG)
		count_drop(DROP_LISTENERS_FULL);
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
	lru_set(&accepted_at, (__u64)sk, &now, sizeof(now), LRU_ACCEPTED_ADDED);
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
	struct sock *sk;
	__u64 key, *t, one = 1, *n;
	__u32 *from;

	if (!f)
		return;
	/* a socket by its struct sock, whose close ends its entries; any other file by itself */
	sk = file_sock(f);
	key = sk ? (__u64)sk : (__u64)f;
	if (send) {
		lru_set(&in_flight, key, &s->pid, sizeof(s->pid), LRU_IN_FLIGHT_ADDED);
		t = sk ? bpf_map_lookup_elem(&accepted_at, &key) : NULL;
		if (!t)
			return;
		l = lat_get(s, LAT_HANDOFF_DELAY);
		if (l)
			lat_record(l, now > *t ? now - *t : 0);
		if (!bpf_map_delete_elem(&accepted_at, &key))
			count_lru(LRU_ACCEPTED_REMOVED);
		return;
	}
	from = bpf_map_lookup_elem(&in_flight, &key);
	if (!from)
		return; /* from a process that is not a target */
	pair.from = *from;
	pair.to = s->pid;
	if (!bpf_map_delete_elem(&in_flight, &key))
		count_lru(LRU_IN_FLIGHT_REMOVED);
	n = bpf_map_lookup_elem(&handoffs, &pair);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&handoffs, &pair, &one, BPF_NOEXIST) == -LS_E2BIG)
		count_drop(DROP_HANDOFFS_FULL);
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
		/* a listener closing drops its queue: nothing left in it to count at the end */
		bpf_map_delete_elem(&listeners, &key);
		/* a connection closed: no handoff of it to time or pair any more */
		if (!bpf_map_delete_elem(&accepted_at, &key))
			count_lru(LRU_ACCEPTED_REMOVED);
		if (!bpf_map_delete_elem(&in_flight, &key))
			count_lru(LRU_IN_FLIGHT_REMOVED);
	}
	return 0;
}

/*
 * Run by user space at the end (BPF_PROG_TEST_RUN, args[0]: a key of `listeners`): the length of
 * that listener's accept queue, sk_ack_backlog, the connections established and never accepted.
 * Only sockets the map holds are read; -1 for any other.
 */
SEC("raw_tp")
int ls_listener_queue(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 key = ctx->args[0];

	if (!bpf_map_lookup_elem(&listeners, &key))
		return -1;
	return BPF_CORE_READ((struct sock *)key, sk_ack_backlog);
}

/* tp_btf programs: typed arguments, direct reads. */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ls_inet_state, struct sock *sk, int oldstate, int newstate)
{
	return handle_inet_state(sk, oldstate, newstate);
}

/* raw_tp fallbacks: the same handlers, reading through bpf_probe_read_kernel. */

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(ls_r_inet_state, struct sock *sk, int oldstate, int newstate)
{
	return handle_inet_state(sk, oldstate, newstate);
}

#endif /* LOADSCOPE_CONN_BPF_H */
