/* Loopback TCP helpers the network test workloads share: listeners, connections, exact I/O. */
#ifndef LOADSCOPE_WORKLOAD_NET_H
#define LOADSCOPE_WORKLOAD_NET_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "oracle.h"

#define NET_REQUEST_BYTES 32 /* what a client sends per connection */
#define NET_REPLY_BYTES	  64 /* what a server answers */

static inline uint64_t net_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A listener on 127.0.0.1:port (0: any free port); the port it got in *bound_port. */
static inline int net_listen(int port, bool reuseport, int backlog, int *bound_port)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	int fd, one = 1;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)&addr, &len))
		oracle_die("listener on 127.0.0.1:%d: %s", port, strerror(errno));
	if (bound_port)
		*bound_port = ntohs(addr.sin_port);
	return fd;
}

/* A connection to 127.0.0.1:port, established (loopback completes the handshake in connect). */
static inline int net_connect(int port)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	int fd;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		oracle_die("connect to 127.0.0.1:%d: %s", port, strerror(errno));
	return fd;
}

/* Syscalls and bytes of one side's reads or writes, for the oracle. */
struct net_io {
	long calls;
	long bytes;
};

/* Reads exactly len bytes with read(2); false at EOF before that. */
static inline bool net_read_full(int fd, void *buf, size_t len, struct net_io *io)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (io) {
			io->calls++;
			io->bytes += n > 0 ? n : 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			oracle_die("read: %s", strerror(errno));
		if (n == 0)
			return false;
		done += n;
	}
	return true;
}

static inline void net_write_full(int fd, const void *buf, size_t len, struct net_io *io)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (io) {
			io->calls++;
			io->bytes += n > 0 ? n : 0;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			oracle_die("write: %s", strerror(errno));
		done += n;
	}
}

/* One request and its reply, as a client makes them. */
static inline void net_client_exchange(int fd)
{
	char request[NET_REQUEST_BYTES], reply[NET_REPLY_BYTES];

	memset(request, 'q', sizeof(request));
	net_write_full(fd, request, sizeof(request), NULL);
	if (!net_read_full(fd, reply, sizeof(reply), NULL))
		oracle_die("client: the server closed before replying");
}

/* Reads a request and answers it, counting the server's syscalls. */
static inline void net_serve(int fd, struct net_io *reads, struct net_io *writes)
{
	char request[NET_REQUEST_BYTES], reply[NET_REPLY_BYTES];

	if (!net_read_full(fd, request, sizeof(request), reads))
		oracle_die("server: the client closed before its request");
	memset(reply, 'r', sizeof(reply));
	net_write_full(fd, reply, sizeof(reply), writes);
}

/* Memory that forked children write their figures into, read by the parent after they exit. */
static inline void *net_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		oracle_die("mmap: %s", strerror(errno));
	return p;
}

static inline long net_arg_count(const char *arg, long min, long max, const char *usage)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		oracle_die("usage: %s (a count out of %ld..%ld: %s)", usage, min, max, arg);
	return v;
}

static inline void net_sleep_ms(long ms)
{
	if (ms > 0)
		oracle_sleep_ms(ms);
}

#endif /* LOADSCOPE_WORKLOAD_NET_H */
