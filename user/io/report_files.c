// SPDX-License-Identifier: GPL-2.0
/* The report files of a run or of `loadscope report`: JSON, CSV and HTML, each whole or absent. */
#include <errno.h>
#include <string.h>

#include "render/json.h"
#include "render/render.h"
#include "io/report_files.h"

static bool is_stdout(const char *path)
{
	return path && !strcmp(path, "-");
}

int report_files_open(struct report_files *rf, const char *json_path, const char *csv_path,
		      const char *html_path, char *err, size_t errlen)
{
	int ret;

	memset(rf, 0, sizeof(*rf));
	if (is_stdout(json_path) + is_stdout(csv_path) + is_stdout(html_path) > 1) {
		snprintf(err, errlen,
			 "only one of the JSON, CSV and HTML reports can go to stdout (-)");
		return -EINVAL;
	}
	rf->json_path = json_path;
	rf->csv_path = csv_path;
	rf->html_path = html_path;
	if ((json_path && (ret = output_open(&rf->json, json_path, err, errlen))) ||
	    (csv_path && (ret = output_open(&rf->csv, csv_path, err, errlen))) ||
	    (html_path && (ret = output_open(&rf->html, html_path, err, errlen)))) {
		report_files_abort(rf);
		return ret;
	}
	return 0;
}

FILE *report_files_text_stream(const struct report_files *rf)
{
	return is_stdout(rf->json_path) || is_stdout(rf->csv_path) || is_stdout(rf->html_path)
		       ? stderr
		       : stdout;
}

/*
 * Rendered and flushed: a write error shows now, before any file is moved into place, with its
 * cause: the errno of the write that failed (every write after a first ENOSPC fails with it too,
 * so it is still there once rendering ends), EIO when none is known.
 */
static int rendered(FILE *f, int failed, const char *what, const char *path, char *err,
		    size_t errlen)
{
	int e;

	/* errno as the rendering left it: set to 0 before it began */
	if (failed || fflush(f) || ferror(f)) {
		e = errno ? errno : EIO;
		snprintf(err, errlen, "cannot write the %s report to %s: %s", what,
			 is_stdout(path) ? "stdout" : path, strerror(e));
		return -e;
	}
	return 0;
}

int report_files_write(struct report_files *rf, const struct snapshot *s, bool threads, char *err,
		       size_t errlen)
{
	int ret = 0;

	if (rf->json.f) {
		errno = 0;
		ret = snapshot_write_json(s, rf->json.f);
		ret = rendered(rf->json.f, ret, "JSON", rf->json_path, err, errlen);
	}
	if (!ret && rf->csv.f) {
		errno = 0;
		report_csv(s, rf->csv.f, threads);
		ret = rendered(rf->csv.f, 0, "CSV", rf->csv_path, err, errlen);
	}
	if (!ret && rf->html.f) {
		errno = 0;
		report_html(s, rf->html.f);
		ret = rendered(rf->html.f, 0, "HTML", rf->html_path, err, errlen);
	}
	/* every file rendered before any is moved into place */
	if (!ret && rf->json.f)
		ret = output_commit(&rf->json, err, errlen);
	if (!ret && rf->csv.f)
		ret = output_commit(&rf->csv, err, errlen);
	if (!ret && rf->html.f)
		ret = output_commit(&rf->html, err, errlen);
	if (ret)
		report_files_abort(rf);
	return ret;
}

void report_files_abort(struct report_files *rf)
{
	output_abort(&rf->json);
	output_abort(&rf->csv);
	output_abort(&rf->html);
}
