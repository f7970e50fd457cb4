/* Test workload: threads that spin on the CPU and report their own kernel accounting as JSON. */
#define _GNU_SOURCE
#include <pthread.h>

#include "oracle.h"

#define USAGE	    "busy OUT.json NTHREADS SECONDS"
#define MAX_THREADS 256 /* far above what a test on a small machine needs */

struct spinner {
	pthread_t thread;
	double seconds;
	int tid;
	struct task_oracle oracle;
};

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;

	s->tid = gettid();
	oracle_spin(s->seconds);
	/* last thing before the thread ends, so the figures cover almost its whole life */
	oracle_read_self(&s->oracle);
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
		err = pthread_create(&spinners[i].thread, NULL, spinner_main, &spinners[i]);
		if (err)
			oracle_die("busy: pthread_create: %s", strerror(err));
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(spinners[i].thread, NULL);

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
