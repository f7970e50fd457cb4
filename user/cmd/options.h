/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options of a run, parsed with getopt_long into plain data. */
#ifndef LOADSCOPE_OPTIONS_H
#define LOADSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "targets/selectors.h"

struct options {
	struct selectors sel;    /* -p, -n, -c, -C, --no-children */
	double duration_s;      /* -d: 0 when not given */
	double interval_s;      /* -i: 0 when not given */
	const char *json_path;  /* -o: NULL when not given, "-" for stdout */
	const char *csv_path;   /* --csv: NULL when not given, "-" for stdout */
	const char *html_path;  /* --html: NULL when not given, "-" for stdout */
	bool threads;           /* --threads: per-thread rows */
	bool verbose;           /* -v: libbpf's messages */
	bool raw_tp;            /* --raw-tp: use the raw_tp fallback programs */
	bool no_syscalls;       /* --no-syscalls: light mode, no syscall hooks */
	bool strict;            /* --strict: exit EXIT_TRUNCATED when anything was dropped */
	unsigned int max_threads; /* --max-threads: size of the live-thread map */
	uint64_t requests;        /* --requests: served during the run, from the load tool; 0 if not given */
	char **command;         /* COMMAND after "--", NULL-terminated; NULL when none */
	bool help;              /* -h: print usage and exit 0 */
	bool version;           /* --version */
	bool features;          /* --features: print what this kernel offers loadscope and exit */
};

enum { OPTIONS_MAX_THREADS_LIMIT = 1 << 22 /* 4M threads: far above pid_max defaults */ };

/* Parse argv; returns 0, or -EINVAL with a one-line reason in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);
void options_free(struct options *o);
void options_usage(FILE *f);

#endif /* LOADSCOPE_OPTIONS_H */
