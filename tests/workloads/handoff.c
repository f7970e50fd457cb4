/* Test workload: a master accepts connections and passes them to workers over Unix sockets. */
#define _GNU_SOURCE
#include <sys/wait.h>

#include "net.h"

#define USAGE "handoff OUT.json WORKERS CONNECTIONS HOLD_MS FDS_PER_MSG"

#define MAX_WORKERS	16
#define MAX_CONNECTIONS 10000
#define MAX_FDS_PER_MSG 8 /* descriptors passed in one sendmsg */

/* What a worker did, written into shared memory before it exits. */
struct worker_report {
	int pid;
	long received;	      /* descriptors received with SCM_RIGHTS */
	long messages;	      /* recvmsg calls that returned descriptors */
	struct net_io reads;  /* recvmsg (the EOF one included) and read(2) calls */
	struct net_io writes; /* write(2) calls: the replies */
};

/*
 * Receives descriptors until the master closes its end; serves each connection (one request, one
 * reply) and closes it. Every read-class call it makes is counted, so the oracle is exact.
 */
static void worker(int sock, struct worker_report *r)
{
	char cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_MSG)];
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec iov;
	char byte;
	ssize_t n;
	int i, nfds, fds[MAX_FDS_PER_MSG];

	r->pid = getpid();
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = &byte;
		iov.iov_len = 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		r->reads.calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			oracle_die("worker: recvmsg: %s", strerror(errno));
		if (n == 0)
			break;
		r->reads.bytes += n;
		cmsg = CMSG_FIRSTHDR(&msg);
		if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
		    (msg.msg_flags & MSG_CTRUNC))
			oracle_die("worker: a message without descriptors");
		nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cmsg), nfds * sizeof(int));
		r->messages++;
		r->received += nfds;
		for (i = 0; i < nfds; i++) {
			net_serve(fds[i], &r->reads, &r->writes);
			close(fds[i]);
		}
	}
}

/*
 * Makes the connections a batch at a time, one batch per message the master sends: it holds the
 * first connections of a batch until the last is accepted.
 */
static void client(int port, long connections, long per_msg)
{
	int fds[MAX_FDS_PER_MSG];
	long i, j;

	for (i = 0; i < connections; i += per_msg) {
		for (j = 0; j < per_msg; j++)
			fds[j] = net_connect(port);
		for (j = 0; j < per_msg; j++) {
			net_client_exchange(fds[j]);
			close(fds[j]);
		}
	}
}

static void send_fds(int sock, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_MSG)];
	struct cmsghdr *cmsg;
	struct msghdr msg;
	struct iovec iov;
	char byte = 'f';

	memset(&msg, 0, sizeof(msg));
	memset(cbuf, 0, sizeof(cbuf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	if (sendmsg(sock, &msg, 0) != 1)
		oracle_die("master: sendmsg: %s", strerror(errno));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void wait_ok(pid_t pid, const char *who)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		oracle_die("handoff: %s %d failed", who, pid);
}

int main(int argc, char **argv)
{
	long nworkers, connections, hold_ms, per_msg, i, sent_to[MAX_WORKERS] = {0};
	int listen_fd, port, socks[MAX_WORKERS], pair[2], fds[MAX_FDS_PER_MSG], nfds = 0, w, j;
	uint64_t accepted_at[MAX_FDS_PER_MSG], *delays, now;
	struct worker_report *reports;
	pid_t client_pid, workers[MAX_WORKERS];
	json_t *root, *jworkers;

	if (argc != 6)
		oracle_die("usage: %s", USAGE);
	nworkers = net_arg_count(argv[2], 1, MAX_WORKERS, USAGE);
	connections = net_arg_count(argv[3], 1, MAX_CONNECTIONS, USAGE);
	hold_ms = net_arg_count(argv[4], 0, 1000, USAGE);
	per_msg = net_arg_count(argv[5], 1, MAX_FDS_PER_MSG, USAGE);
	if (connections % per_msg)
		oracle_die("handoff: CONNECTIONS must be a multiple of FDS_PER_MSG");

	reports = net_shared(sizeof(*reports) * nworkers);
	delays = calloc(connections, sizeof(*delays));
	if (!delays)
		oracle_die("handoff: out of memory");
	listen_fd = net_listen(0, false, 128, &port);

	for (w = 0; w < nworkers; w++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair))
			oracle_die("handoff: socketpair: %s", strerror(errno));
		workers[w] = fork();
		if (workers[w] < 0)
			oracle_die("handoff: fork: %s", strerror(errno));
		if (workers[w] == 0) {
			/* the master's ends of earlier pairs would keep those workers from EOF */
			for (j = 0; j < w; j++)
				close(socks[j]);
			close(pair[0]);
			close(listen_fd);
			worker(pair[1], &reports[w]);
			_exit(0);
		}
		close(pair[1]);
		socks[w] = pair[0];
	}
	client_pid = fork();
	if (client_pid < 0)
		oracle_die("handoff: fork: %s", strerror(errno));
	if (client_pid == 0) {
		for (j = 0; j < nworkers; j++)
			close(socks[j]);
		close(listen_fd);
		client(port, connections, per_msg);
		_exit(0);
	}

	/* message m goes to worker m % WORKERS; the master closes its copy of each descriptor */
	for (i = 0; i < connections; i++) {
		fds[nfds] = accept(listen_fd, NULL, NULL);
		if (fds[nfds] < 0)
			oracle_die("handoff: accept: %s", strerror(errno));
		accepted_at[nfds++] = net_now_ns();
		if (nfds < per_msg)
			continue;
		net_sleep_ms(hold_ms);
		w = (i / per_msg) % nworkers;
		now = net_now_ns();
		for (j = 0; j < nfds; j++)
			delays[i + 1 - nfds + j] = now - accepted_at[j];
		send_fds(socks[w], fds, nfds);
		sent_to[w] += nfds;
		for (j = 0; j < nfds; j++)
			close(fds[j]);
		nfds = 0;
	}
	for (w = 0; w < nworkers; w++)
		close(socks[w]);
	wait_ok(client_pid, "client");
	for (w = 0; w < nworkers; w++)
		wait_ok(workers[w], "worker");

	jworkers = json_array();
	for (w = 0; w < nworkers; w++) {
		const struct worker_report *r = &reports[w];

		json_array_append_new(jworkers,
				      json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pid",
						r->pid, "received", (json_int_t)r->received, "sent",
						(json_int_t)sent_to[w], "messages",
						(json_int_t)r->messages, "read_calls",
						(json_int_t)r->reads.calls, "read_bytes",
						(json_int_t)r->reads.bytes, "write_calls",
						(json_int_t)r->writes.calls, "write_bytes",
						(json_int_t)r->writes.bytes));
	}
	qsort(delays, connections, sizeof(*delays), cmp_u64);
	root = json_pack("{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "master_pid",
			 (int)getpid(), "client_pid", (int)client_pid, "port", port, "connections",
			 (json_int_t)connections, "fds_per_msg", (json_int_t)per_msg, "hold_ms",
			 (json_int_t)hold_ms, "handoff_min_ns", (json_int_t)delays[0],
			 "handoff_median_ns", (json_int_t)delays[(connections - 1) / 2],
			 "handoff_max_ns", (json_int_t)delays[connections - 1], "workers",
			 jworkers);
	oracle_write(root, argv[1]);
	return 0;
}
