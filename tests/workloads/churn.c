/*
 * Soak workload: process churn and thread storms around two long-lived threads. It prints
 * "ready PID 0" and waits for SIGUSR1 (an observer attaching in between); then for SECONDS two
 * forker threads vfork short-lived children that exit at once, a storm thread creates and joins
 * batches of threads, and two steady threads alternate spinning and sleeping. It prints "done"
 * once every child and storm thread has been reaped, leaves the steady threads blocked, writes
 * OUT.json (counts, the steady threads' kernel figures at the start and at the end), and exits
 * at a second SIGUSR1.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "oracle.h"

#define USAGE	     "churn OUT.json SECONDS"
#define FORKERS	     2
#define STEADY	     2
#define STORM_BATCH  16
#define STEADY_SPIN  0.002 /* s on the CPU per round */
#define STEADY_SLEEP 5	   /* ms asleep per round */

static atomic_bool stop;
static double deadline;
static atomic_long processes, threads;
static int start_pipe[2]; /* closed by main at SIGUSR1: every thread starts */

struct steady {
	pthread_t thread;
	int tid;
	int release[2];
	struct task_oracle at_start, at_end;
};

static void wait_start(void)
{
	char byte;

	while (read(start_pipe[0], &byte, 1) < 0 && errno == EINTR)
		;
}

static void *forker_main(void *arg)
{
	pid_t child;

	(void)arg;
	wait_start();
	while (oracle_now_s() < deadline) {
		child = vfork();
		if (child == 0)
			_exit(0);
		if (child < 0)
			oracle_die("churn: vfork: %s", strerror(errno));
		while (waitpid(child, NULL, 0) < 0)
			if (errno != EINTR)
				oracle_die("churn: waitpid: %s", strerror(errno));
		atomic_fetch_add(&processes, 1);
	}
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

static void *storm_main(void *arg)
{
	pthread_t batch[STORM_BATCH];
	int i, err;

	(void)arg;
	wait_start();
	while (oracle_now_s() < deadline) {
		for (i = 0; i < STORM_BATCH; i++) {
			err = pthread_create(&batch[i], NULL, nothing, NULL);
			if (err)
				oracle_die("churn: pthread_create: %s", strerror(err));
		}
		for (i = 0; i < STORM_BATCH; i++)
			pthread_join(batch[i], NULL);
		atomic_fetch_add(&threads, STORM_BATCH);
	}
	return NULL;
}

static void *steady_main(void *arg)
{
	struct steady *s = arg;
	char byte;

	s->tid = gettid();
	wait_start();
	while (!atomic_load(&stop)) {
		oracle_spin(STEADY_SPIN);
		oracle_sleep_ms(STEADY_SLEEP);
	}
	if (read(s->release[0], &byte, 1) != 1)
		oracle_die("churn: read: %s", strerror(errno));
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t forkers[FORKERS], storm;
	struct steady steady[STEADY];
	json_t *root, *arr, *o;
	double seconds, t0;
	sigset_t set;
	int i, sig;

	if (argc != 3)
		oracle_die("usage: %s", USAGE);
	seconds = oracle_arg_positive(argv[2], USAGE);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pipe(start_pipe))
		oracle_die("churn: pipe: %s", strerror(errno));
	memset(steady, 0, sizeof(steady));
	for (i = 0; i < STEADY; i++) {
		if (pipe(steady[i].release) ||
		    pthread_create(&steady[i].thread, NULL, steady_main, &steady[i]))
			oracle_die("churn: cannot start a steady thread");
	}
	for (i = 0; i < FORKERS; i++)
		if (pthread_create(&forkers[i], NULL, forker_main, NULL))
			oracle_die("churn: cannot start a forker");
	if (pthread_create(&storm, NULL, storm_main, NULL))
		oracle_die("churn: cannot start the storm thread");
	for (i = 0; i < STEADY; i++)
		while (!__atomic_load_n(&steady[i].tid, __ATOMIC_ACQUIRE))
			oracle_sleep_ms(1);
	printf("ready %d 0\n", getpid());
	fflush(stdout);
	if (sigwait(&set, &sig))
		oracle_die("churn: sigwait failed");
	/* every thread is blocked on the start pipe: their figures now are exact */
	for (i = 0; i < STEADY; i++)
		oracle_read_blocked(getpid(), steady[i].tid, &steady[i].at_start);
	t0 = oracle_now_s();
	deadline = t0 + seconds;
	close(start_pipe[1]);
	for (i = 0; i < FORKERS; i++)
		pthread_join(forkers[i], NULL);
	pthread_join(storm, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < STEADY; i++)
		oracle_read_blocked(getpid(), steady[i].tid, &steady[i].at_end);

	root = json_pack("{s:i, s:I, s:I, s:f}", "pid", getpid(), "processes",
			 (json_int_t)atomic_load(&processes), "threads",
			 (json_int_t)atomic_load(&threads), "seconds", oracle_now_s() - t0);
	arr = json_array();
	for (i = 0; i < STEADY; i++) {
		o = oracle_json(&steady[i].at_end);
		json_object_set_new(o, "tid", json_integer(steady[i].tid));
		json_object_set_new(o, "at_start", oracle_json(&steady[i].at_start));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "steady", arr);
	oracle_write(root, argv[1]);
	printf("done\n");
	fflush(stdout);
	/* the steady threads stay blocked until told: the observer's maps are read meanwhile */
	if (sigwait(&set, &sig))
		oracle_die("churn: sigwait failed");
	for (i = 0; i < STEADY; i++) {
		if (write(steady[i].release[1], "x", 1) != 1)
			oracle_die("churn: write: %s", strerror(errno));
		pthread_join(steady[i].thread, NULL);
	}
	return 0;
}
