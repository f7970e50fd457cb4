/*
 * Test workload: connections left waiting in a listener's accept queue for a known time.
 *
 * The server, in order: EAGAINS non-blocking accepts on the empty queue (EAGAIN); WAITED
 * accepts, each blocked WAIT_MS until the client connects; CONNECTIONS connections queued while
 * it sleeps SLEEP_MS (in NAPS nanosleeps), then accepted; UNACCEPTED connections that the client
 * makes last and holds, with the listener, past the server's exit. With SIBLING 1 the listener
 * has SO_REUSEPORT, and the client opens a sibling listener on the same port just before those
 * last connections and never accepts on it: the kernel spreads them over the two queues, and
 * each queue's length (TCP_INFO's tcpi_unacked of a listener, the kernel's sk_ack_backlog) is in
 * the oracle.
 */
#define _GNU_SOURCE
#include <netinet/tcp.h>
#include <sys/wait.h>

#include "net.h"

#define USAGE                                                                                      \
	"acceptq OUT.json CONNECTIONS SLEEP_MS NAPS EAGAINS UNACCEPTED LINGER_MS WAITED WAIT_MS "   \
	"SIBLING"

#define MAX_CONNECTIONS 1000 /* all of them wait in the queue at once */
#define MAX_EAGAINS	100000

/* What the client tells the server once a batch of connections is established. */
struct batch_done {
	uint64_t started_ns;   /* before its first connect */
	uint64_t connected_ns; /* after its last connect returned */
	uint32_t queued;       /* then: the server's listener's accept queue */
	uint32_t sibling_queued; /* the sibling's (SIBLING 1), or 0 */
};

/* Connections in a listener's accept queue, as the kernel counts them (sk_ack_backlog). */
static uint32_t listen_queue(int fd)
{
	struct tcp_info info;
	socklen_t len = sizeof(info);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len))
		oracle_die("acceptq: TCP_INFO: %s", strerror(errno));
	return info.tcpi_unacked;
}

static void xread(int fd, void *buf, size_t len)
{
	if (read(fd, buf, len) != (ssize_t)len)
		oracle_die("acceptq: pipe read: %s", strerror(errno));
}

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		oracle_die("acceptq: pipe write: %s", strerror(errno));
}

static void connect_batch(int port, long n, int ready_fd, int listen_fd, int sibling_fd)
{
	struct batch_done done = {0};
	long i;

	done.started_ns = net_now_ns();
	for (i = 0; i < n; i++)
		net_connect(port); /* kept open until exit, so the server side stays established */
	done.connected_ns = net_now_ns();
	done.queued = listen_queue(listen_fd);
	done.sibling_queued = listen_queue(sibling_fd);
	xwrite(ready_fd, &done, sizeof(done));
}

/* What the client does, at each go from the server. */
struct client_plan {
	int port, listen_fd;
	long waited, wait_ms, connections, unaccepted, linger_ms, sibling;
};

/*
 * WAITED times: at a go, sleeps WAIT_MS and connects, for the server blocked in accept meanwhile.
 * At the next go, connects CONNECTIONS times; at the last, UNACCEPTED more, then lingers: it holds
 * the listener it inherited, so the last connections stay queued, never accepted, after the
 * server (the observed command) has exited and the observation has ended.
 */
static void client(const struct client_plan *plan, int ready_fd, int go_fd)
{
	int null_fd = open("/dev/null", O_RDWR), sibling_fd = -1;
	char byte;

	/* outliving the server, it must not hold the observer's output open */
	if (null_fd < 0 || dup2(null_fd, STDOUT_FILENO) < 0 || dup2(null_fd, STDERR_FILENO) < 0)
		_exit(1);
	long i;

	for (i = 0; i < plan->waited; i++) {
		xread(go_fd, &byte, 1);
		net_sleep_ms(plan->wait_ms);
		net_connect(plan->port);
	}
	xread(go_fd, &byte, 1);
	connect_batch(plan->port, plan->connections, ready_fd, -1, -1);
	xread(go_fd, &byte, 1);
	/* a listener on the same port that nobody accepts on: what queues there is not the server's */
	if (plan->sibling)
		sibling_fd = net_listen(plan->port, true, plan->unaccepted + 8, NULL);
	connect_batch(plan->port, plan->unaccepted, ready_fd, plan->listen_fd, sibling_fd);
	net_sleep_ms(plan->linger_ms);
}

int main(int argc, char **argv)
{
	long connections, sleep_ms, naps, eagains, i;
	uint64_t sleep_start_ns, sleep_end_ns, last_accept_ns = 0, wait_start_ns, waited_ns = 0;
	struct client_plan plan;
	int listen_fd, port, ready[2], go[2], fd, flags;
	struct task_oracle at_start, at_end;
	struct batch_done first, second;
	char byte = 'g';
	pid_t client_pid;
	json_t *root;

	oracle_read_self(&at_start);
	if (argc != 11)
		oracle_die("usage: %s", USAGE);
	connections = net_arg_count(argv[2], 1, MAX_CONNECTIONS, USAGE);
	sleep_ms = net_arg_count(argv[3], 1, 10000, USAGE);
	naps = net_arg_count(argv[4], 1, 1000, USAGE);
	eagains = net_arg_count(argv[5], 0, MAX_EAGAINS, USAGE);
	plan.unaccepted = net_arg_count(argv[6], 0, MAX_CONNECTIONS, USAGE);
	plan.linger_ms = net_arg_count(argv[7], 0, 60000, USAGE);
	plan.waited = net_arg_count(argv[8], 0, MAX_CONNECTIONS, USAGE);
	plan.wait_ms = net_arg_count(argv[9], 0, 10000, USAGE);
	plan.sibling = net_arg_count(argv[10], 0, 1, USAGE);
	plan.connections = connections;
	if (sleep_ms % naps)
		oracle_die("acceptq: SLEEP_MS must be a multiple of NAPS");

	listen_fd = net_listen(0, plan.sibling, connections + plan.unaccepted + 8, &port);
	plan.port = port;
	plan.listen_fd = listen_fd;
	flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK))
		oracle_die("acceptq: fcntl: %s", strerror(errno));
	/* the queue is empty: each of these fails with EAGAIN */
	for (i = 0; i < eagains; i++) {
		fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0 || errno != EAGAIN)
			oracle_die("acceptq: accept4 on an empty queue did not fail with EAGAIN");
	}
	if (fcntl(listen_fd, F_SETFL, flags))
		oracle_die("acceptq: fcntl: %s", strerror(errno));

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		oracle_die("acceptq: pipe: %s", strerror(errno));
	client_pid = fork();
	if (client_pid < 0)
		oracle_die("acceptq: fork: %s", strerror(errno));
	if (client_pid == 0) {
		close(ready[0]);
		close(go[1]);
		client(&plan, ready[1], go[0]);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);

	/* each blocked in accept until the client's connection, WAIT_MS after the go */
	for (i = 0; i < plan.waited; i++) {
		wait_start_ns = net_now_ns();
		xwrite(go[1], &byte, 1);
		fd = accept(listen_fd, NULL, NULL);
		waited_ns += net_now_ns() - wait_start_ns;
		if (fd < 0)
			oracle_die("acceptq: accept: %s", strerror(errno));
		close(fd);
	}
	xwrite(go[1], &byte, 1);

	/* every connection is established before the sleep begins and accepted after it ends */
	xread(ready[0], &first, sizeof(first));
	sleep_start_ns = net_now_ns();
	for (i = 0; i < naps; i++)
		net_sleep_ms(sleep_ms / naps);
	sleep_end_ns = net_now_ns();
	for (i = 0; i < connections; i++) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd < 0)
			oracle_die("acceptq: accept: %s", strerror(errno));
		last_accept_ns = net_now_ns();
		close(fd);
	}
	xwrite(go[1], &byte, 1);
	xread(ready[0], &second, sizeof(second));

	/* the kernel's own switch counts, to tell a wait loadscope missed from one it misfiled */
	oracle_read_self(&at_end);
	root = json_pack("{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pid",
			 (int)getpid(), "client_pid", (int)client_pid, "port", port, "connections",
			 (json_int_t)connections, "sleep_ms", (json_int_t)sleep_ms, "naps",
			 (json_int_t)naps, "eagains", (json_int_t)eagains, "unaccepted",
			 (json_int_t)plan.unaccepted, "linger_ms", (json_int_t)plan.linger_ms,
			 "waited", (json_int_t)plan.waited, "wait_ms", (json_int_t)plan.wait_ms,
			 "waited_ns", (json_int_t)waited_ns);
	/* the queues once the last connections were made: the server's, and the sibling's */
	json_object_set_new(root, "queued", json_integer(second.queued));
	json_object_set_new(root, "sibling_queued", json_integer(second.sibling_queued));
	json_object_set_new(root, "sibling", json_integer(plan.sibling));
	json_object_set_new(root, "connect_start_ns", json_integer((json_int_t)first.started_ns));
	json_object_set_new(root, "connected_ns", json_integer((json_int_t)first.connected_ns));
	json_object_set_new(root, "sleep_start_ns", json_integer((json_int_t)sleep_start_ns));
	json_object_set_new(root, "sleep_end_ns", json_integer((json_int_t)sleep_end_ns));
	json_object_set_new(root, "last_accept_ns", json_integer((json_int_t)last_accept_ns));
	json_object_set_new(root, "server", oracle_json(&at_end));
	json_object_set_new(root, "server_at_start", oracle_json(&at_start));
	/* the client lingers past our exit holding the unaccepted connections: not waited for */
	oracle_write(root, argv[1]);
	return 0;
}
