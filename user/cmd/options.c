// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: getopt_long into struct options, every value checked, one-line errors. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "core/model.h"
#include "core/strutil.h"
#include "targets/cgroup.h"

enum long_only {
	OPT_THREADS = 0x100,
	OPT_RAW_TP,
	OPT_MAX_THREADS,
	OPT_REQUESTS,
	OPT_VERSION,
	OPT_FEATURES,
	OPT_CSV,
	OPT_HTML,
	OPT_NO_CHILDREN,
	OPT_NO_SYSCALLS,
	OPT_STRICT,
};

static const struct option long_options[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "comm", required_argument, NULL, 'n' },
	{ "cgroup", required_argument, NULL, 'c' },
	{ "container", required_argument, NULL, 'C' },
	{ "no-children", no_argument, NULL, OPT_NO_CHILDREN },
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "json", required_argument, NULL, 'o' },
	{ "threads", no_argument, NULL, OPT_THREADS },
	{ "raw-tp", no_argument, NULL, OPT_RAW_TP },
	{ "no-syscalls", no_argument, NULL, OPT_NO_SYSCALLS },
	{ "max-threads", required_argument, NULL, OPT_MAX_THREADS },
	{ "requests", required_argument, NULL, OPT_REQUESTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "features", no_argument, NULL, OPT_FEATURES },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f)
{
	fprintf(f,
		"Usage: loadscope [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"       loadscope report RUN.json [--threads] [--requests N] [-o FILE] [--csv FILE]\n"
		"                        [--html FILE]\n"
		"       loadscope diff A.json B.json\n"
		"       loadscope help                  the subcommands\n"
		"Observe what the kernel does for a set of processes during a load test: scheduling,\n"
		"syscalls and the connection path, and what they explain.\n"
		"\n"
		"Targets:\n"
		"  -p, --pid PID[,PID...]   these processes, all their threads and descendants\n"
		"  -n, --comm NAME          processes named NAME: running at start or exec'd later\n"
		"  -c, --cgroup PATH        every process in cgroup v2 directory PATH and below it,\n"
		"                           also those moved in later; PATH absolute or relative to\n"
		"                           the cgroup2 mount\n"
		"  -C, --container ID       the processes of a container (Docker, containerd, CRI-O,\n"
		"                           Podman, Kubernetes): its ID or a prefix of 12+ characters\n"
		"      --no-children        do not follow the descendants of targets\n"
		"  -- COMMAND [ARGS...]     run COMMAND and stop when it exits; without another\n"
		"                           selector, COMMAND and its descendants are the targets,\n"
		"                           with one it is the load\n"
		"  -n, -c and -C may be repeated; a process any selector matches is a target.\n"
		"Run:\n"
		"  -d, --duration SECONDS   stop after SECONDS (Ctrl-C or SIGTERM also stop cleanly)\n"
		"  -i, --interval SECONDS   a time series every SECONDS: live on a terminal, a line\n"
		"                           per interval otherwise, and `intervals` in the JSON\n"
		"Output:\n"
		"  -o, --json FILE          also write the report as JSON (- for stdout)\n"
		"      --csv FILE           also write it as CSV, a row per process (and thread)\n"
		"      --html FILE          also write it as one self-contained HTML page\n"
		"      --threads            per-thread rows in the text report\n"
		"      --requests N         requests served during the run, from the load tool's\n"
		"                           output, for the per-request figures (else estimated)\n"
		"Tuning:\n"
		"      --max-threads N      live target threads tracked at once (default %d)\n"
		"      --no-syscalls        light mode: no syscall hooks, so every syscall on\n"
		"                           the host keeps its fast path; scheduler figures,\n"
		"                           CPU budget and limits only (the report says what\n"
		"                           it leaves out)\n"
		"      --raw-tp             use raw_tp programs instead of tp_btf\n"
		"      --strict             exit 3 when figures were truncated (a drop counter\n"
		"                           is not 0), after writing the reports\n"
		"  -v, --verbose            show libbpf's messages\n"
		"  -h, --help               this help\n"
		"      --version            print the version\n"
		"      --features           print the kernel features loadscope uses, which of them\n"
		"                           this kernel has and what it does without; then exit\n",
		DEFAULT_MAX_THREADS);
}

static int parse_seconds(const char *opt, const char *s, double min, double *out, char *err,
			 size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v < min || v > 365.0 * 86400)
		return errmsg(err, errlen, -EINVAL, "%s must be a %snumber of seconds%s, got '%s'", opt,
			    min > 0 ? "" : "positive ", min > 0 ? " of at least 0.1" : "", s);
	*out = v;
	return 0;
}

/* Two reports on stdout would interleave. */
static bool output_paths_conflict(const char *json, const char *csv, const char *html)
{
	return (json && !strcmp(json, "-")) + (csv && !strcmp(csv, "-")) +
		       (html && !strcmp(html, "-")) >
	       1;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	int c, ret = 0;
	long v;

	memset(o, 0, sizeof(*o));
	o->sel.children = true;
	o->max_threads = DEFAULT_MAX_THREADS;
	err[0] = '\0';
	/* 0, not 1: glibc's getopt then forgets a previous parse's place inside its argv too */
	optind = 0;
	opterr = 0;
	/* '+': stop at the first non-option, which starts COMMAND even without "--" */
	while ((c = getopt_long(argc, argv, "+:p:n:c:C:d:i:o:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'n':
		case 'c':
		case 'C':
			ret = selectors_option(&o->sel, c, optarg, err, errlen);
			break;
		case OPT_NO_CHILDREN:
			o->sel.children = false;
			break;
		case 'd':
			ret = parse_seconds("--duration", optarg, 0, &o->duration_s, err, errlen);
			break;
		case 'i':
			ret = parse_seconds("--interval", optarg, 0.1, &o->interval_s, err, errlen);
			break;
		case 'o':
			if (!*optarg)
				ret = errmsg(err, errlen, -EINVAL, "--json needs a file name (or - for stdout)");
			o->json_path = optarg;
			break;
		case OPT_CSV:
		case OPT_HTML:
			if (!*optarg)
				ret = errmsg(err, errlen, -EINVAL, "%s needs a file name (or - for stdout)",
					   c == OPT_CSV ? "--csv" : "--html");
			*(c == OPT_CSV ? &o->csv_path : &o->html_path) = optarg;
			break;
		case OPT_THREADS:
			o->threads = true;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_RAW_TP:
			o->raw_tp = true;
			break;
		case OPT_NO_SYSCALLS:
			o->no_syscalls = true;
			break;
		case OPT_MAX_THREADS:
			if (parse_long(optarg, 1, OPTIONS_MAX_THREADS_LIMIT, &v))
				ret = errmsg(err, errlen, -EINVAL, "--max-threads must be between 1 and %d, got '%s'",
					   OPTIONS_MAX_THREADS_LIMIT, optarg);
			else
				o->max_threads = (unsigned int)v;
			break;
		case OPT_REQUESTS:
			if (parse_long(optarg, 1, LONG_MAX, &v))
				ret = errmsg(err, errlen, -EINVAL,
					   "--requests must be a positive number of requests, got '%s'",
					   optarg);
			else
				o->requests = (uint64_t)v;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case OPT_VERSION:
			o->version = true;
			return 0;
		case OPT_FEATURES:
			o->features = true;
			break;
		case ':':
			ret = errmsg(err, errlen, -EINVAL, "option %s needs a value", argv[optind - 1]);
			break;
		default:
			ret = errmsg(err, errlen, -EINVAL, "unknown option '%s' (see loadscope --help)",
				   argv[optind - 1]);
			break;
		}
		if (ret)
			goto cleanup;
	}
	if (!ret && output_paths_conflict(o->json_path, o->csv_path, o->html_path)) {
		ret = errmsg(err, errlen, -EINVAL, "only one of --json, --csv and --html can be - (stdout)");
		goto cleanup;
	}
	if (optind < argc)
		o->command = &argv[optind];
	if (!selectors_any(&o->sel) && !o->command && !o->features)
		ret = errmsg(err, errlen, -EINVAL,
			   "no targets: give -p PID, -n NAME, -c CGROUP, -C CONTAINER or a COMMAND "
			   "after -- (see loadscope --help)");
cleanup:
	if (ret)
		options_free(o);
	return ret;
}

void options_free(struct options *o)
{
	selectors_free(&o->sel);
}
