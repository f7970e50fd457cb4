/*
 * Test workload: futex waits of the two kinds. "lock": THREADS threads take turns on one pthread
 * mutex, each holding it HOLD_MS spinning, so the others block in it (lock contention). "park":
 * THREADS pool threads wait on a condition variable; the main thread hands one a task of HOLD_MS
 * every 2 HOLD_MS, so they are parked waiting for work most of the time. Each thread reports how
 * long it spent inside pthread_mutex_lock or pthread_cond_wait, and spinning, by its own clock.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>

#include "oracle.h"

#define USAGE	    "futexes OUT.json lock|park THREADS ROUNDS HOLD_MS"
#define MAX_THREADS 8

struct worker {
	pthread_t thread;
	int tid;
	double waited_s; /* inside pthread_mutex_lock (lock) or pthread_cond_wait (park) */
	double held_s;	 /* spinning HOLD_MS with the mutex (lock) or on a task (park) */
	long rounds;
};

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long rounds, tasks; /* park: tasks handed out and not taken yet */
static bool done;
static double hold_s;
static atomic_int started;

static void *locker(void *arg)
{
	struct worker *w = arg;
	double t0, t_lock;

	w->tid = gettid();
	atomic_fetch_add(&started, 1);
	for (long i = 0; i < rounds; i++) {
		t_lock = oracle_now_s();
		pthread_mutex_lock(&mutex);
		t0 = oracle_now_s();
		w->waited_s += t0 - t_lock;
		oracle_spin(hold_s);
		w->held_s += oracle_now_s() - t0;
		pthread_mutex_unlock(&mutex);
		w->rounds++;
	}
	return NULL;
}

static void *parker(void *arg)
{
	struct worker *w = arg;
	double t0;

	w->tid = gettid();
	atomic_fetch_add(&started, 1);
	pthread_mutex_lock(&mutex);
	for (;;) {
		while (!tasks && !done) {
			t0 = oracle_now_s();
			pthread_cond_wait(&cond, &mutex);
			w->waited_s += oracle_now_s() - t0;
		}
		if (!tasks)
			break;
		tasks--;
		pthread_mutex_unlock(&mutex);
		t0 = oracle_now_s();
		oracle_spin(hold_s);
		w->held_s += oracle_now_s() - t0;
		w->rounds++;
		pthread_mutex_lock(&mutex);
	}
	pthread_mutex_unlock(&mutex);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker workers[MAX_THREADS] = {0};
	json_t *root, *threads;
	long nthreads;
	bool lock;

	if (argc != 6)
		oracle_die("usage: %s", USAGE);
	lock = !strcmp(argv[2], "lock");
	if (!lock && strcmp(argv[2], "park"))
		oracle_die("usage: %s", USAGE);
	nthreads = (long)oracle_arg_positive(argv[3], USAGE);
	rounds = (long)oracle_arg_positive(argv[4], USAGE);
	hold_s = oracle_arg_positive(argv[5], USAGE) / 1000.0;
	if (nthreads > MAX_THREADS)
		oracle_die("futexes: at most %d threads", MAX_THREADS);
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&workers[i].thread, NULL, lock ? locker : parker, &workers[i]))
			oracle_die("futexes: pthread_create failed");
	while (atomic_load(&started) < nthreads)
		oracle_sleep_ms(1);
	if (!lock) {
		/* one task every 2 HOLD_MS: the pool is busy a fraction 1/(2 THREADS) of the time
		 */
		for (long i = 0; i < rounds; i++) {
			oracle_sleep_ms((long)(2 * hold_s * 1000));
			pthread_mutex_lock(&mutex);
			tasks++;
			pthread_cond_signal(&cond);
			pthread_mutex_unlock(&mutex);
		}
		pthread_mutex_lock(&mutex);
		done = true;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&mutex);
	}
	threads = json_array();
	for (long i = 0; i < nthreads; i++) {
		pthread_join(workers[i].thread, NULL);
		json_array_append_new(
			threads, json_pack("{s:i, s:I, s:I, s:I}", "tid", workers[i].tid, "waited_ns",
					   (json_int_t)(workers[i].waited_s * 1e9), "held_ns",
					   (json_int_t)(workers[i].held_s * 1e9), "rounds",
					   (json_int_t)workers[i].rounds));
	}
	root = json_pack("{s:i, s:s, s:o}", "pid", (int)getpid(), "mode", argv[2], "threads",
			 threads);
	oracle_write(root, argv[1]);
	return 0;
}
