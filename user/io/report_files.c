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

/* Rendered and flushed: a write error shows now, before any file is moved into place. */
static int rendered(FILE *f, const char *what, const char *path, char *err, size_t errlen)
{
	if (fflush(f) || ferror(f)) {
		snprintf(err, errlen, "cannot write the %s report to %s", what, path);
		return -EIO;
	}
	return 0;
}

int report_files_write(struct report_files *rf, const struct snapshot *s, bool threads, char *err,
		       size_t errlen)
{
	int ret = 0;

	if (rf->json.f && (snapshot_write_json(s, rf->json.f) ||
			   rendered(rf->json.f, "JSON", rf->json_path, err, errlen))) {
		snprintf(err, errlen, "cannot write the JSON report to %s", rf->json_path);
		ret = -EIO;
	}
	if (!ret && rf->csv.f) {
		report_csv(s, rf->csv.f, threads);
		ret = rendered(rf->csv.f, "CSV", rf->csv_path, err, errlen);
	}
	if (!ret && rf->html.f) {
		report_html(s, rf->html.f);
		ret = rendered(rf->html.f, "HTML", rf->html_path, err, errlen);
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
