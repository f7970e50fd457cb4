/* Test workload: threads that spin on the CPU and report their own kernel accounting as JSON. */
#define _GNU_SOURCE
#include <pthread.h>

#include "oracle.h"

#define USAGE	    "busy OUT.json NTHREADS SECONDS"
#define MAX_THREADS 1024 /* the soak's map-full case runs 500 */
#define EXIT_WAIT_MS 50 /* a released spinner has exited by then, even on an emulated CPU */

struct spinner {
	pthread_t thread;
	double seconds;
	int tid;
	int release[2]; /* a pipe: the spinner, done, blocks reading it until main writes */
	struct task_oracle oracle;
};

/*
 * Spinners that are done block until main has read their figures; then main lets them end one
 * at a time, so that each has nothing to compete with on its way out: only its wakeup and its
 * exit (a few microseconds of CPU) come after the reading, however slow the machine.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static long ndone;

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	char byte;

	s->tid = gettid();
	oracle_spin(s->seconds);
	pthread_mutex_lock(&lock);
	ndone++;
	pthread_cond_signal(&done_cond);
	pthread_mutex_unlock(&lock);
	if (read(s->release[0], &byte, 1) != 1)
		oracle_die("busy: read: %s", strerror(errno));
	return NULL;
}

int main(int argc, char **argv)
{
	struct spinner *spinners;
	json_t *root, *threads;
	double seconds;
	long nthreads;
	int i, err;

	if (argc != 4)
		oracle_die("usage: %s", USAGE);
	nthreads = (long)oracle_arg_positive(argv[2], USAGE);
	seconds = oracle_arg_positive(argv[3], USAGE);
	if (nthreads < 1 || nthreads > MAX_THREADS)
		oracle_die("busy: NTHREADS must be 1..%d", MAX_THREADS);

	spinners = calloc(nthreads, sizeof(*spinners));
	if (!spinners)
		oracle_die("busy: out of memory");
	/* created now, after exec: an observer that started this process sees every thread begin */
	for (i = 0; i < nthreads; i++) {
		spinners[i].seconds = seconds;
		if (pipe(spinners[i].release))
			oracle_die("busy: pipe: %s", strerror(errno));
		err = pthread_create(&spinners[i].thread, NULL, spinner_main, &spinners[i]);
		if (err)
			oracle_die("busy: pthread_create: %s", strerror(err));
	}
	pthread_mutex_lock(&lock);
	while (ndone < nthreads)
		pthread_cond_wait(&done_cond, &lock);
	pthread_mutex_unlock(&lock);
	for (i = 0; i < nthreads; i++)
		oracle_read_blocked(getpid(), spinners[i].tid, &spinners[i].oracle);
	for (i = 0; i < nthreads; i++) {
		if (write(spinners[i].release[1], "x", 1) != 1)
			oracle_die("busy: write: %s", strerror(errno));
		/* not joined at once: a joiner woken by the exit would preempt it on the way out */
		oracle_sleep_ms(EXIT_WAIT_MS);
		pthread_join(spinners[i].thread, NULL);
	}

	threads = json_array();
	for (i = 0; i < nthreads; i++) {
		json_t *t = oracle_json(&spinners[i].oracle);

		json_object_set_new(t, "tid", json_integer(spinners[i].tid));
		json_array_append_new(threads, t);
	}
	root = json_pack("{s:i, s:f, s:o}", "pid", (int)getpid(), "seconds", seconds, "threads",
			 threads);
	oracle_write(root, argv[1]);
	free(spinners);
	return 0;
}
