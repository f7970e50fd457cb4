/* SPDX-License-Identifier: GPL-2.0 */
/* The report files of a run or of `loadscope report`: JSON, CSV and HTML, each whole or absent. */
#ifndef LOADSCOPE_REPORT_FILES_H
#define LOADSCOPE_REPORT_FILES_H

#include <stdbool.h>
#include <stdio.h>

#include "core/model.h"
#include "io/output.h"

struct report_files {
	const char *json_path; /* NULL: not asked for; "-": stdout */
	const char *csv_path;
	const char *html_path;
	struct output json;
	struct output csv;
	struct output html;
};

/*
 * Opens each file asked for (a path may be NULL), so that one that cannot be written fails before
 * the run; at most one may be "-". Returns 0, or a negative errno with one line in err.
 */
int report_files_open(struct report_files *rf, const char *json_path, const char *csv_path,
		      const char *html_path, char *err, size_t errlen);
/* Where the text report goes: stderr when one of the files is stdout, else stdout. */
FILE *report_files_text_stream(const struct report_files *rf);
/*
 * Renders the snapshot into each file's temporary, then moves them into place. On failure the
 * files not yet in place are dropped and err says which could not be written.
 */
int report_files_write(struct report_files *rf, const struct snapshot *s, bool threads, char *err,
		       size_t errlen);
/* Drops whatever was not written yet; the files at the paths are left as they were. */
void report_files_abort(struct report_files *rf);

#endif /* LOADSCOPE_REPORT_FILES_H */
