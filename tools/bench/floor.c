// SPDX-License-Identifier: GPL-2.0
/*
 * Loads tools/bench/floor.bpf.o, attaches every program in it, says "attached", and holds them
 * until SIGINT or SIGTERM: the empty-program floor of tools/bench/observer.sh.
 * Usage: floor FLOOR.bpf.o
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#define MAX_LINKS 32 /* floor.bpf.c has 12 programs */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[MAX_LINKS];
	struct bpf_program *prog;
	struct bpf_object *obj;
	size_t n = 0;
	int ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FLOOR.bpf.o\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "floor: cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (n == MAX_LINKS || !(links[n] = bpf_program__attach(prog))) {
			fprintf(stderr, "floor: cannot attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto cleanup;
		}
		n++;
	}
	printf("attached %zu programs\n", n);
	fflush(stdout);
	while (!stop)
		pause();
	ret = 0;
cleanup:
	while (n)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return ret;
}
