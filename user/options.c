// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: getopt_long into struct options, every value checked, one-line errors. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "options.h"

enum long_only {
	OPT_THREADS = 0x100,
	OPT_RAW_TP,
	OPT_MAX_THREADS,
	OPT_REQUESTS,
	OPT_VERSION,
	OPT_FEATURES,
	OPT_CSV,
	OPT_HTML,
};

static const struct option long_options[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "json", required_argument, NULL, 'o' },
	{ "threads", no_argument, NULL, OPT_THREADS },
	{ "raw-tp", no_argument, NULL, OPT_RAW_TP },
	{ "max-threads", required_argument, NULL, OPT_MAX_THREADS },
	{ "requests", required_argument, NULL, OPT_REQUESTS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "features", no_argument, NULL, OPT_FEATURES },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "html", required_argument, NULL, OPT_HTML },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *f)
{
	fprintf(f,
		"Usage: loadscope [OPTIONS] [-- COMMAND [ARGS...]]\n"
		"       loadscope report RUN.json [--threads] [--requests N] [-o FILE] [--csv FILE]\n"
		"                        [--html FILE]\n"
		"       loadscope diff A.json B.json\n"
		"Observe what the kernel does for a set of processes during a load test: scheduling,\n"
		"syscalls and the connection path, and what they explain.\n"
		"\n"
		"Targets:\n"
		"  -p, --pid PID[,PID...]   these processes, all their threads and descendants\n"
		"  -- COMMAND [ARGS...]     run COMMAND and stop when it exits; without -p, COMMAND\n"
		"                           and its descendants are the targets, with -p it is the load\n"
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
		"      --raw-tp             use raw_tp programs instead of tp_btf\n"
		"  -v, --verbose            show libbpf's messages\n"
		"  -h, --help               this help\n"
		"      --version            print the version\n"
		"      --features           print the kernel features loadscope uses, which of them\n"
		"                           this kernel has and what it does without; then exit\n",
		DEFAULT_MAX_THREADS);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A whole decimal number in [min, max]; no sign games, no trailing text. */
static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int add_pids(struct options *o, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;
	long v;

	if (!copy)
		return -ENOMEM;
	if (!*list)
		ret = fail(err, errlen, "--pid needs a PID, got an empty list");
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		int *grown;

		if (parse_long(tok, 1, INT_MAX, &v)) {
			ret = fail(err, errlen, "invalid PID '%s' in --pid %s: PIDs are positive integers",
				   tok, list);
			break;
		}
		grown = realloc(o->pids, (o->npids + 1) * sizeof(*o->pids));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		o->pids = grown;
		o->pids[o->npids++] = (int)v;
	}
	if (!ret && list[strlen(list) - 1] == ',')
		ret = fail(err, errlen, "invalid --pid %s: trailing comma", list);
	free(copy);
	return ret;
}

static int parse_seconds(const char *opt, const char *s, double min, double *out, char *err,
			 size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v < min || v > 365.0 * 86400)
		return fail(err, errlen, "%s must be a %snumber of seconds%s, got '%s'", opt,
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
	o->children = true;
	o->max_threads = DEFAULT_MAX_THREADS;
	err[0] = '\0';
	optind = 1;
	opterr = 0;
	/* '+': stop at the first non-option, which starts COMMAND even without "--" */
	while ((c = getopt_long(argc, argv, "+:p:d:i:o:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			ret = add_pids(o, optarg, err, errlen);
			break;
		case 'd':
			ret = parse_seconds("--duration", optarg, 0, &o->duration_s, err, errlen);
			break;
		case 'i':
			ret = parse_seconds("--interval", optarg, 0.1, &o->interval_s, err, errlen);
			break;
		case 'o':
			if (!*optarg)
				ret = fail(err, errlen, "--json needs a file name (or - for stdout)");
			o->json_path = optarg;
			break;
		case OPT_CSV:
		case OPT_HTML:
			if (!*optarg)
				ret = fail(err, errlen, "%s needs a file name (or - for stdout)",
					   c == OPT_CSV ? "--csv" : "--html");
			*(c == OPT_CSV ? &o->csv_path : &o->html_path) = optarg;
			break;
		case OPT_THREADS:
			o->threads = true;
			break;
		case OPT_RAW_TP:
			o->raw_tp = true;
			break;
		case OPT_MAX_THREADS:
			if (parse_long(optarg, 1, OPTIONS_MAX_THREADS_LIMIT, &v))
				ret = fail(err, errlen, "--max-threads must be between 1 and %d, got '%s'",
					   OPTIONS_MAX_THREADS_LIMIT, optarg);
			else
				o->max_threads = (unsigned int)v;
			break;
		case OPT_REQUESTS:
			if (parse_long(optarg, 1, LONG_MAX, &v))
				ret = fail(err, errlen,
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
			ret = fail(err, errlen, "option %s needs a value", argv[optind - 1]);
			break;
		default:
			ret = fail(err, errlen, "unknown option '%s' (see loadscope --help)",
				   argv[optind - 1]);
			break;
		}
		if (ret)
			goto cleanup;
	}
	if (!ret && output_paths_conflict(o->json_path, o->csv_path, o->html_path)) {
		ret = fail(err, errlen, "only one of --json, --csv and --html can be - (stdout)");
		goto cleanup;
	}
	if (optind < argc)
		o->command = &argv[optind];
	if (!o->npids && !o->command && !o->features)
		ret = fail(err, errlen,
			   "no targets: give -p PID or a COMMAND after -- (see loadscope --help)");
cleanup:
	if (ret)
		options_free(o);
	return ret;
}

void options_free(struct options *o)
{
	free(o->pids);
	o->pids = NULL;
	o->npids = 0;
}
