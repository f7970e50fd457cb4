/*
 * Soak workload: NTHREADS threads each write one byte to /dev/null as fast as they can for
 * SECONDS, counting their own calls. The write calls of each thread are exactly those (it makes
 * no other write), which OUT.json lists by tid.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>

#include "oracle.h"

#define USAGE	    "flood OUT.json SECONDS NTHREADS"
#define MAX_THREADS 64
#define CLOCK_EVERY 4096 /* calls between two readings of the clock (vDSO, no syscall) */

struct flooder {
	pthread_t thread;
	int tid, fd;
	double seconds;
	uint64_t calls;
};

static void *flooder_main(void *arg)
{
	struct flooder *f = arg;
	double deadline = oracle_now_s() + f->seconds;
	char byte = 'x';

	f->tid = gettid();
	do {
		for (int i = 0; i < CLOCK_EVERY; i++) {
			if (write(f->fd, &byte, 1) != 1)
				oracle_die("flood: write: %s", strerror(errno));
			f->calls++;
		}
	} while (oracle_now_s() < deadline);
	return NULL;
}

int main(int argc, char **argv)
{
	struct flooder f[MAX_THREADS];
	json_t *root, *arr;
	long n;
	int fd, i;

	if (argc != 4)
		oracle_die("usage: %s", USAGE);
	n = (long)oracle_arg_positive(argv[3], USAGE);
	if (n < 1 || n > MAX_THREADS)
		oracle_die("flood: NTHREADS must be 1..%d", MAX_THREADS);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		oracle_die("flood: /dev/null: %s", strerror(errno));
	memset(f, 0, sizeof(f));
	for (i = 0; i < n; i++) {
		f[i].fd = fd;
		f[i].seconds = oracle_arg_positive(argv[2], USAGE);
		if (pthread_create(&f[i].thread, NULL, flooder_main, &f[i]))
			oracle_die("flood: cannot start a thread");
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		pthread_join(f[i].thread, NULL);
		json_array_append_new(arr, json_pack("{s:i, s:I}", "tid", f[i].tid, "writes",
						     (json_int_t)f[i].calls));
	}
	root = json_pack("{s:i, s:o}", "pid", getpid(), "threads", arr);
	oracle_write(root, argv[1]);
	return 0;
}
