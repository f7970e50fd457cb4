/* Test workload: worker processes with their own SO_REUSEPORT listeners on one port. */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/wait.h>

#include "net.h"

#define USAGE "reuseport OUT.json WORKERS CONNECTIONS"

#define MAX_WORKERS	16
#define MAX_CONNECTIONS 10000

/* What a worker did, written into shared memory before it exits. */
struct worker_report {
	int pid;
	long accepts;
	long polls;	      /* poll(2) calls */
	struct net_io reads;  /* read(2) calls: the requests */
	struct net_io writes; /* write(2) calls: the ready byte, then the replies */
};

/*
 * Listens on the shared port, says so on the ready pipe, then serves one connection per accept
 * until the parent closes the stop pipe. It waits in poll(2) and accepts only a connection its
 * own listener holds, so no accept fails or blocks.
 */
static void worker(int port, int ready_fd, int stop_fd, struct worker_report *r)
{
	struct pollfd fds[2];
	int listen_fd, fd;
	char byte = 'r';

	r->pid = getpid();
	listen_fd = net_listen(port, true, 128, NULL);
	net_write_full(ready_fd, &byte, 1, &r->writes);
	close(ready_fd);
	for (;;) {
		fds[0].fd = listen_fd;
		fds[0].events = POLLIN;
		fds[1].fd = stop_fd;
		fds[1].events = POLLIN;
		r->polls++;
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			oracle_die("worker: poll: %s", strerror(errno));
		}
		if (fds[0].revents & POLLIN) {
			fd = accept(listen_fd, NULL, NULL);
			if (fd < 0)
				oracle_die("worker: accept: %s", strerror(errno));
			r->accepts++;
			net_serve(fd, &r->reads, &r->writes);
			close(fd);
			continue;
		}
		if (fds[1].revents)
			break;
	}
}

static void wait_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		oracle_die("reuseport: worker %d failed", pid);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	int ready[2], stop[2], placeholder, port, one = 1;
	long nworkers, connections, i;
	struct worker_report *reports;
	pid_t workers[MAX_WORKERS];
	json_t *root, *jworkers;
	char byte;

	if (argc != 4)
		oracle_die("usage: %s", USAGE);
	nworkers = net_arg_count(argv[2], 1, MAX_WORKERS, USAGE);
	connections = net_arg_count(argv[3], 1, MAX_CONNECTIONS, USAGE);
	reports = net_shared(sizeof(*reports) * nworkers);

	/* a bound socket that never listens reserves a free port for the workers to share */
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	placeholder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (placeholder < 0 ||
	    setsockopt(placeholder, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    bind(placeholder, (struct sockaddr *)&addr, sizeof(addr)) ||
	    getsockname(placeholder, (struct sockaddr *)&addr, &len) || pipe2(ready, O_CLOEXEC) ||
	    pipe2(stop, O_CLOEXEC))
		oracle_die("reuseport: setup: %s", strerror(errno));
	port = ntohs(addr.sin_port);

	for (i = 0; i < nworkers; i++) {
		workers[i] = fork();
		if (workers[i] < 0)
			oracle_die("reuseport: fork: %s", strerror(errno));
		if (workers[i] == 0) {
			close(placeholder);
			close(ready[0]);
			close(stop[1]);
			worker(port, ready[1], stop[0], &reports[i]);
			_exit(0);
		}
	}
	close(ready[1]);
	close(stop[0]);
	for (i = 0; i < nworkers; i++) {
		if (read(ready[0], &byte, 1) != 1)
			oracle_die("reuseport: a worker did not start");
	}
	close(placeholder);

	/* this process is the client: one connection at a time, each served before the next */
	for (i = 0; i < connections; i++) {
		int fd = net_connect(port);

		net_client_exchange(fd);
		close(fd);
	}
	close(stop[1]);
	for (i = 0; i < nworkers; i++)
		wait_ok(workers[i]);

	jworkers = json_array();
	for (i = 0; i < nworkers; i++) {
		const struct worker_report *r = &reports[i];

		json_array_append_new(jworkers,
				      json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "pid",
						r->pid, "accepts", (json_int_t)r->accepts, "polls",
						(json_int_t)r->polls, "read_calls",
						(json_int_t)r->reads.calls, "read_bytes",
						(json_int_t)r->reads.bytes, "write_calls",
						(json_int_t)r->writes.calls, "write_bytes",
						(json_int_t)r->writes.bytes));
	}
	root = json_pack("{s:i, s:i, s:I, s:o}", "pid", (int)getpid(), "port", port, "connections",
			 (json_int_t)connections, "workers", jworkers);
	oracle_write(root, argv[1]);
	return 0;
}
