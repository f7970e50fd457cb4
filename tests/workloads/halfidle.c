/*
 * Test workload: one thread that alternates between waiting in epoll_wait for nothing (idle) and
 * spinning (running), a known time each, and reports how long it spent in each.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>

#include "oracle.h"

#define USAGE "halfidle OUT.json ROUNDS IDLE_MS SPIN_MS"

int main(int argc, char **argv)
{
	double idle_s = 0, spin_s = 0, t0, t1, idle_ms, spin_ms;
	struct epoll_event ev;
	long rounds, i;
	int ep, n;
	json_t *root;

	if (argc != 5)
		oracle_die("usage: %s", USAGE);
	rounds = (long)oracle_arg_positive(argv[2], USAGE);
	idle_ms = oracle_arg_positive(argv[3], USAGE);
	spin_ms = oracle_arg_positive(argv[4], USAGE);
	ep = epoll_create1(0);
	if (ep < 0)
		oracle_die("halfidle: epoll_create1: %s", strerror(errno));
	for (i = 0; i < rounds; i++) {
		/* an epoll set with nothing in it: the wait is the timeout */
		t0 = oracle_now_s();
		n = epoll_wait(ep, &ev, 1, (int)idle_ms);
		t1 = oracle_now_s();
		if (n < 0 && errno != EINTR)
			oracle_die("halfidle: epoll_wait: %s", strerror(errno));
		idle_s += t1 - t0;
		oracle_spin(spin_ms / 1000.0);
		spin_s += oracle_now_s() - t1;
	}
	root = json_pack("{s:i, s:i, s:I, s:I}", "pid", (int)getpid(), "tid", (int)gettid(),
			 "idle_ns", (json_int_t)(idle_s * 1e9), "spin_ns", (json_int_t)(spin_s * 1e9));
	oracle_write(root, argv[1]);
	return 0;
}
