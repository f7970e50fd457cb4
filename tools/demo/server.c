// SPDX-License-Identifier: GPL-2.0
/*
 * A small HTTP/1.1 server for the demo, answering GET /json with a JSON body, in the three shapes
 * the cluster-tax benchmarks compare:
 *   single         one process accepts and serves (a single Node or Bun process)
 *   handoff N      a master accepts every connection and passes it to one of N workers over a
 *                  Unix socket with SCM_RIGHTS, round robin (Node's cluster module)
 *   reuseport N    N processes, each with its own SO_REUSEPORT listener (Bun's reusePort: true)
 * Each serving process runs one epoll loop. Keep-alive unless the request says Connection: close.
 * Usage: server PORT MODE [N]; PORT 0 picks a free one. Prints "ready PID PORT" once it accepts.
 * SIGTERM or SIGINT end it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define MAX_EVENTS  64
#define BUF_SIZE    8192
#define BODY	    "{\"message\":\"Hello, World!\"}"

struct conn {
	int fd;
	size_t len;
	char buf[BUF_SIZE];
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "server: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(int port, bool reuseport, bool nonblock)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die("socket");
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		die("SO_REUSEPORT");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("bind");
	if (listen(fd, 511))
		die("listen");
	return fd;
}

static int port_of(int fd)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len))
		die("getsockname");
	return ntohs(addr.sin_port);
}

static void watch(int ep, int fd, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = ptr };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl");
}

static void add_conn(int ep, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		die("calloc");
	c->fd = fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	watch(ep, fd, c);
}

/*
 * Out of the epoll set first: a descriptor received over a Unix socket may still be open in the
 * sender, and epoll watches the open file, not the descriptor, so close() alone would not end it.
 */
static void close_conn(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* Answers every complete request in the buffer; false when the connection is to be closed. */
static bool serve(struct conn *c)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				   "Content-Length: %zu\r\n%s\r\n%s";
	char out[512], *end;
	bool close_it = false;
	ssize_t n;
	size_t used;
	int len;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0)
		return n < 0 && errno == EAGAIN;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((end = strstr(c->buf, "\r\n\r\n"))) {
		*end = '\0';
		close_it = strcasestr(c->buf, "\nConnection: close") != NULL;
		len = snprintf(out, sizeof(out), head, strlen(BODY),
			       close_it ? "Connection: close\r\n" : "", BODY);
		if (write(c->fd, out, (size_t)len) != len)
			return false;
		used = (size_t)(end + 4 - c->buf);
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
		if (close_it)
			return false;
	}
	return c->len < sizeof(c->buf) - 1; /* a request larger than the buffer: give up */
}

/* The loop of a serving process: its listener (or -1), its handoff socket (or -1), its conns. */
static void serve_loop(int listener, int handoff)
{
	struct epoll_event events[MAX_EVENTS];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, fd;
	static int listener_tag, handoff_tag;

	if (ep < 0)
		die("epoll_create1");
	if (listener >= 0)
		watch(ep, listener, &listener_tag);
	if (handoff >= 0)
		watch(ep, handoff, &handoff_tag);
	while (!stopping) {
		n = epoll_wait(ep, events, MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("epoll_wait");
		for (int i = 0; i < n; i++) {
			void *ptr = events[i].data.ptr;

			if (ptr == &listener_tag) {
				while ((fd = accept4(listener, NULL, NULL,
						     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
					add_conn(ep, fd);
			} else if (ptr == &handoff_tag) {
				char byte, ctl[CMSG_SPACE(sizeof(int))];
				struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
				struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
						      .msg_control = ctl,
						      .msg_controllen = sizeof(ctl) };
				struct cmsghdr *cm;

				if (recvmsg(handoff, &msg, MSG_CMSG_CLOEXEC) <= 0) {
					stopping = 1; /* the master is gone */
					break;
				}
				cm = CMSG_FIRSTHDR(&msg);
				if (cm && cm->cmsg_type == SCM_RIGHTS) {
					memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
					add_conn(ep, fd);
				}
			} else if (!serve(ptr)) {
				close_conn(ep, ptr);
			}
		}
	}
	exit(0);
}

/* Passes fd to a worker: one byte of data carrying the descriptor, as Node's cluster does. */
static void pass_fd(int sock, int fd)
{
	char byte = 'c', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (sendmsg(sock, &msg, 0) != 1 && !stopping)
		die("sendmsg");
}

static pid_t spawn_worker(int listener, int handoff)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		serve_loop(listener, handoff);
	}
	return pid;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	pid_t workers[MAX_WORKERS];
	int port, n = 1, listener, socks[MAX_WORKERS], pair[2], next = 0, fd;
	const char *mode;

	if (argc < 3 || (port = atoi(argv[1])) < 0 || port > 65535) {
		fprintf(stderr, "usage: server PORT single|handoff N|reuseport N\n");
		return 2;
	}
	mode = argv[2];
	if (argc > 3)
		n = atoi(argv[3]);
	if (n < 1 || n > MAX_WORKERS || (strcmp(mode, "single") && argc != 4)) {
		fprintf(stderr, "server: N must be 1..%d\n", MAX_WORKERS);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!strcmp(mode, "single")) {
		listener = listen_on(port, false, true);
		printf("ready %d %d\n", (int)getpid(), port_of(listener));
		fflush(stdout);
		serve_loop(listener, -1);
	}
	if (!strcmp(mode, "reuseport")) {
		for (int i = 0; i < n; i++) {
			listener = listen_on(port, true, true);
			port = port_of(listener); /* the rest join the first one's port */
			workers[i] = spawn_worker(listener, -1);
			close(listener);
		}
	} else if (!strcmp(mode, "handoff")) {
		/* the master's accept blocks: it has nothing else to do */
		listener = listen_on(port, false, false);
		port = port_of(listener);
		for (int i = 0; i < n; i++) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair))
				die("socketpair");
			workers[i] = spawn_worker(-1, pair[1]);
			close(pair[1]);
			socks[i] = pair[0];
		}
	} else {
		fprintf(stderr, "server: unknown mode %s\n", mode);
		return 2;
	}
	printf("ready %d %d\n", (int)getpid(), port);
	fflush(stdout);
	if (!strcmp(mode, "handoff")) {
		/* the master: accept, then the descriptor to the next worker */
		while (!stopping) {
			fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				die("accept4");
			}
			pass_fd(socks[next], fd);
			next = (next + 1) % n;
			close(fd);
		}
	} else {
		while (!stopping)
			pause();
	}
	for (int i = 0; i < n; i++)
		kill(workers[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	return 0;
}
