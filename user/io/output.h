/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Report files written whole or not at all: an unnamed temporary file in the target's directory
 * (or a named one beside it), linked or renamed into place. In a sticky directory others can write to (/tmp), a file or link someone else put at the
 * destination is refused, as the kernel's protected_regular and protected_symlinks would.
 */
#ifndef LOADSCOPE_OUTPUT_H
#define LOADSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct output {
	char *path;	/* where the report goes; NULL when unused or stdout */
	char *base;	/* its last component, in dir_fd */
	char *tmp_name; /* the temporary beside it, in dir_fd; NULL when writing in place */
	int dir_fd;	/* the directory, held from open to commit; -1 when none */
	bool unnamed;	/* the temporary is an O_TMPFILE, linked in at commit */
	bool linked;	/* it was linked at base itself: nothing to rename */
	FILE *f;
};

/*
 * Open for writing; fails at once if path cannot be written, is a directory, or was planted
 * (above). "-" is stdout; a pipe, terminal or device (or a link to one) is written in place.
 */
int output_open(struct output *o, const char *path, char *err, size_t errlen);
/* Flush, close and move into place; returns 0 or a negative errno with a reason in err. */
int output_commit(struct output *o, char *err, size_t errlen);
/* Drop what was written; the file at path is left as it was. */
void output_abort(struct output *o);

#endif /* LOADSCOPE_OUTPUT_H */
