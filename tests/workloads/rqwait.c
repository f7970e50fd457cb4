/*
 * Test workload: run-queue waits of one known length, all in one power-of-two bucket. The process
 * (a single thread) and a child named "rqhog" share CPU 0; ROUNDS times, the hog, SCHED_FIFO,
 * wakes the process through a pipe and then spins HOLD_MS before it sleeps GAP_MS, so the woken
 * process waits runnable for about HOLD_MS each time (a FIFO task is never preempted by it).
 * At the end the process reports its own schedstat: run_delay, switch-ins and their mean.
 *
 *   rqwait OUT.json ROUNDS HOLD_MS
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "oracle.h"

#define USAGE  "rqwait OUT.json ROUNDS HOLD_MS"
#define GAP_MS 6 /* the hog asleep: the process reads its byte and blocks again well within it */

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		oracle_die("rqwait: sched_setaffinity: %s", strerror(errno));
}

static void hog(int fd, long rounds, double hold_s)
{
	struct sched_param param = {.sched_priority = 1};

	prctl(PR_SET_NAME, "rqhog");
	if (sched_setscheduler(0, SCHED_FIFO, &param))
		oracle_die("rqwait: SCHED_FIFO: %s", strerror(errno));
	for (long i = 0; i < rounds; i++) {
		oracle_sleep_ms(GAP_MS);
		if (write(fd, "x", 1) != 1)
			oracle_die("rqwait: write: %s", strerror(errno));
		oracle_spin(hold_s);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	struct task_oracle self;
	int fds[2], status;
	long rounds;
	double hold_ms;
	pid_t child;
	char byte;
	json_t *root;

	if (argc != 4)
		oracle_die("usage: %s", USAGE);
	rounds = (long)oracle_arg_positive(argv[2], USAGE);
	hold_ms = oracle_arg_positive(argv[3], USAGE);
	pin_cpu0();
	if (pipe(fds))
		oracle_die("rqwait: pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		oracle_die("rqwait: fork: %s", strerror(errno));
	if (child == 0) {
		close(fds[0]);
		hog(fds[1], rounds, hold_ms / 1000.0);
	}
	close(fds[1]);
	for (long i = 0; i < rounds; i++)
		if (read(fds[0], &byte, 1) != 1)
			oracle_die("rqwait: read: %s", strerror(errno));
	oracle_read_self(&self);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		oracle_die("rqwait: the hog failed");
	root = json_pack("{s:i, s:I, s:I, s:f}", "pid", (int)getpid(), "runq_wait_ns",
			 (json_int_t)self.runq_wait_ns, "runs", (json_int_t)self.runs,
			 "mean_wait_ns", self.runs ? (double)self.runq_wait_ns / self.runs : 0.0);
	oracle_write(root, argv[1]);
	return 0;
}
