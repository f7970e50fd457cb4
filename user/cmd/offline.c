// SPDX-License-Identifier: GPL-2.0
/* The subcommands that work on saved runs, without BPF or root: report and diff. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/json.h"
#include "cmd/commands.h"
#include "render/render.h"
#include "io/report_files.h"


static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	fprintf(stderr, "loadscope %s: %s%s%s (see loadscope %s --help)\n", cmd, msg,
		arg ? ": " : "", arg ? arg : "", cmd);
	return EXIT_USAGE;
}

static int read_run(const char *path, struct snapshot *s)
{
	char err[512];

	if (snapshot_read_json(path, s, err, sizeof(err))) {
		fprintf(stderr, "loadscope: %s\n", err);
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", no_argument, NULL, 't' },
		{ "requests", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 'c' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *json_path = NULL, *csv_path = NULL, *html_path = NULL;
	struct report_files files = { 0 };
	struct snapshot s = { 0 };
	unsigned long long requests = 0;
	bool threads = false;
	char err[512], *end;
	int c, ret = EXIT_FAILED;

	optind = 0; /* as options_parse: a previous parse forgotten */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			threads = true;
			break;
		case 'r':
			errno = 0;
			requests = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || !requests || *optarg == '-')
				return usage_error("report", "--requests must be a positive number",
						   optarg);
			break;
		case 'o':
			json_path = optarg;
			break;
		case 'c':
			csv_path = optarg;
			break;
		case 'H':
			html_path = optarg;
			break;
		case 'h':
			printf("Usage: loadscope report RUN.json [--threads] [--requests N] [-o FILE] "
			       "[--csv FILE]\n                        [--html FILE]\n"
			       "Print the report of a saved run again. --requests sets the requests "
			       "served (from the\nload tool's output) for the per-request figures; -o "
			       "writes the run as JSON with it.\n--csv writes a row per process (and per "
			       "thread with --threads) for spreadsheets;\n--html writes one "
			       "self-contained page with charts. - is stdout for any one of them.\n");
			return 0;
		case ':':
			return usage_error("report", "option needs a value", argv[optind - 1]);
		default:
			return usage_error("report", "unknown option", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error("report", "give one saved run (a JSON file from -o)", NULL);
	if ((json_path && !strcmp(json_path, "-")) + (csv_path && !strcmp(csv_path, "-")) +
		    (html_path && !strcmp(html_path, "-")) >
	    1)
		return usage_error("report", "only one of -o, --csv and --html can be - (stdout)",
				   NULL);
	if (report_files_open(&files, json_path, csv_path, html_path, err, sizeof(err))) {
		fprintf(stderr, "loadscope: %s\n", err);
		return EXIT_FAILED;
	}
	if (read_run(argv[optind], &s))
		goto done;
	if (requests)
		s.requests_given = requests;
	report_text(&s, report_files_text_stream(&files), threads);
	fflush(stdout);
	if (report_files_write(&files, &s, threads, err, sizeof(err))) {
		fprintf(stderr, "loadscope: %s\n", err);
		goto done;
	}
	ret = 0;
done:
	if (ret)
		report_files_abort(&files);
	snapshot_free(&s);
	return ret;
}

int cmd_diff(int argc, char **argv)
{
	struct snapshot a = { 0 }, b = { 0 };
	int ret = EXIT_FAILED;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: loadscope diff A.json B.json\n"
		       "Compare two saved runs: per-request figures and totals with B/A ratios, the "
		       "largest\ndifferences first, the same by process role, and the findings each "
		       "run has.\n");
		return 0;
	}
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return usage_error("diff", "give two saved runs (JSON files from -o)", NULL);
	if (!read_run(argv[1], &a) && !read_run(argv[2], &b)) {
		report_diff(&a, argv[1], &b, argv[2], stdout);
		ret = 0;
	}
	snapshot_free(&a);
	snapshot_free(&b);
	return ret;
}
