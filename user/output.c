// SPDX-License-Identifier: GPL-2.0
/* Report files written whole or not at all: a temporary file beside the target, renamed into place. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

int output_open(struct output *o, const char *path, char *err, size_t errlen)
{
	char *dir_copy = NULL, *base_copy = NULL;
	struct stat st;
	mode_t mask;
	int fd = -1, ret = 0;

	memset(o, 0, sizeof(*o));
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path)
		return -ENOMEM;
	/* a pipe, a terminal or /dev/null is written in place: there is nothing to rename over */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "we");
		if (!o->f) {
			ret = -errno;
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		}
		goto cleanup;
	}
	dir_copy = strdup(path);
	base_copy = strdup(path);
	if (!dir_copy || !base_copy || asprintf(&o->tmp_path, "%s/.%s.XXXXXX", dirname(dir_copy),
						basename(base_copy)) < 0) {
		o->tmp_path = NULL;
		ret = -ENOMEM;
		goto cleanup;
	}
	/* mkstemp creates with O_EXCL: a link planted under that name is never followed */
	fd = mkstemp(o->tmp_path);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(o->tmp_path);
		o->tmp_path = NULL;
		goto cleanup;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		ret = -errno;
		close(fd);
		unlink(o->tmp_path);
		goto cleanup;
	}
cleanup:
	free(dir_copy);
	free(base_copy);
	if (ret) {
		free(o->path);
		free(o->tmp_path);
		memset(o, 0, sizeof(*o));
	}
	return ret;
}

int output_commit(struct output *o, char *err, size_t errlen)
{
	int ret = 0;

	if (!o->f)
		return 0;
	if (o->f == stdout) {
		ret = fflush(stdout) ? -errno : 0;
	} else if (fclose(o->f)) {
		ret = -errno;
	} else if (o->tmp_path && rename(o->tmp_path, o->path)) {
		ret = -errno;
	}
	o->f = NULL;
	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", o->path ? o->path : "stdout",
			 strerror(-ret));
		if (o->tmp_path)
			unlink(o->tmp_path);
	}
	free(o->path);
	free(o->tmp_path);
	o->path = o->tmp_path = NULL;
	return ret;
}

void output_abort(struct output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp_path)
		unlink(o->tmp_path);
	free(o->path);
	free(o->tmp_path);
	memset(o, 0, sizeof(*o));
}
