/* SPDX-License-Identifier: GPL-2.0 */
/* Report files written whole or not at all: a temporary file beside the target, renamed into place. */
#ifndef LOADSCOPE_OUTPUT_H
#define LOADSCOPE_OUTPUT_H

#include <stdio.h>

struct output {
	char *path;     /* where the report goes; NULL when unused */
	char *tmp_path; /* the temporary beside it; NULL when writing in place (stdout, a pipe) */
	FILE *f;
};

/* Open for writing; fails at once if path cannot be written. "-" is stdout. */
int output_open(struct output *o, const char *path, char *err, size_t errlen);
/* Flush, close and move into place; returns 0 or a negative errno with a reason in err. */
int output_commit(struct output *o, char *err, size_t errlen);
/* Drop what was written; the file at path is left as it was. */
void output_abort(struct output *o);

#endif /* LOADSCOPE_OUTPUT_H */
