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

#include "targets/cgroup.h"
#include "core/model.h"
#include "cmd/options.h"

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

static int add_string(char ***arr, size_t *n, const char *s)
{
	char **grown = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!grown)
		return -ENOMEM;
	*arr = grown;
	(*arr)[(*n)++] = (char *)s;
	return 0;
}

static int add_comm(struct options *o, const char *name, char *err, size_t errlen)
{
	if (!*name)
		return fail(err, errlen, "--comm needs a process name");
	if (strlen(name) >= LS_COMM_LEN)
		return fail(err, errlen,
			    "--comm %s: %zu characters, but the kernel keeps at most %d of a process "
			    "name (what ps -o comm shows)",
			    name, strlen(name), LS_COMM_LEN - 1);
	if (o->ncomms == LS_MAX_COMMS)
		return fail(err, errlen, "--comm given more than %d times", LS_MAX_COMMS);
	return add_string(&o->comms, &o->ncomms, name);
}

/* A container ID or a prefix of one: hex, kept lowercased, from 12 to 64 characters. */
static int add_container(struct options *o, const char *id, char *err, size_t errlen)
{
	size_t len = strlen(id);
	char *copy;
	int ret;

	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)id[i]))
			return fail(err, errlen,
				    "--container %s: a container ID is hexadecimal (0-9, a-f), not "
				    "'%c'",
				    id, id[i]);
	if (len < CONTAINER_ID_MIN || len > CONTAINER_ID_LEN)
		return fail(err, errlen,
			    "--container %s: give from %d to %d hex characters of the container ID "
			    "(docker ps shows %d), not %zu",
			    id, CONTAINER_ID_MIN, CONTAINER_ID_LEN, CONTAINER_ID_MIN, len);
	if (o->ncgroups + o->ncontainers == LS_MAX_CGROUPS)
		return fail(err, errlen, "more than %d --cgroup and --container given together",
			    LS_MAX_CGROUPS);
	copy = strdup(id);
	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		copy[i] = (char)tolower((unsigned char)copy[i]);
	ret = add_string(&o->containers, &o->ncontainers, copy);
	if (ret)
		free(copy);
	return ret;
}

bool options_select(const struct options *o)
{
	return o->npids || o->ncomms || o->ncgroups || o->ncontainers;
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
	while ((c = getopt_long(argc, argv, "+:p:n:c:C:d:i:o:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			ret = add_pids(o, optarg, err, errlen);
			break;
		case 'n':
			ret = add_comm(o, optarg, err, errlen);
			break;
		case 'c':
			if (!*optarg)
				ret = fail(err, errlen, "--cgroup needs a path");
			else if (o->ncgroups + o->ncontainers == LS_MAX_CGROUPS)
				ret = fail(err, errlen,
					   "more than %d --cgroup and --container given together",
					   LS_MAX_CGROUPS);
			else
				ret = add_string(&o->cgroups, &o->ncgroups, optarg);
			break;
		case 'C':
			ret = add_container(o, optarg, err, errlen);
			break;
		case OPT_NO_CHILDREN:
			o->children = false;
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
	if (!options_select(o) && !o->command && !o->features)
		ret = fail(err, errlen,
			   "no targets: give -p PID, -n NAME, -c CGROUP, -C CONTAINER or a COMMAND "
			   "after -- (see loadscope --help)");
cleanup:
	if (ret)
		options_free(o);
	return ret;
}

void options_free(struct options *o)
{
	for (size_t i = 0; i < o->ncontainers; i++)
		free(o->containers[i]);
	free(o->pids);
	free(o->comms);
	free(o->cgroups);
	free(o->containers);
	o->pids = NULL;
	o->comms = o->cgroups = o->containers = NULL;
	o->npids = o->ncomms = o->ncgroups = o->ncontainers = 0;
}
