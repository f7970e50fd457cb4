// SPDX-License-Identifier: GPL-2.0
/*
 * Report files written whole or not at all: a temporary file beside the target, renamed into
 * place; never through a link or onto a file someone else planted in a shared directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/output.h"

/* Names tried for the temporary before giving up: each is random, so a clash means a full dir. */
#define TMP_TRIES 100

/*
 * The kernel's protected_regular, protected_fifos and protected_symlinks rule, applied whatever
 * those sysctls say: in a sticky directory others can write to (/tmp), an entry that belongs
 * neither to us nor to the directory's owner may have been planted there to redirect what root
 * writes, so it is neither opened, nor followed, nor replaced. 0, or -EPERM with the reason.
 */
static int check_planted(const char *path, const struct stat *entry, const struct stat *dir,
			 char *err, size_t errlen)
{
	if (!(dir->st_mode & S_ISVTX) || !(dir->st_mode & (S_IWOTH | S_IWGRP)))
		return 0;
	if (entry->st_uid == geteuid() || entry->st_uid == dir->st_uid)
		return 0;
	snprintf(err, errlen,
		 "refusing to write %s: the %s there belongs to uid %u, in a sticky directory that "
		 "others can write to (as the kernel's protected_%s does); remove it or choose "
		 "another path",
		 path, S_ISLNK(entry->st_mode) ? "symbolic link" : "file",
		 (unsigned int)entry->st_uid,
		 S_ISLNK(entry->st_mode)    ? "symlinks"
		 : S_ISFIFO(entry->st_mode) ? "fifos"
					    : "regular");
	return -EPERM;
}

/* A symbolic link at path, checked against the directory it is in before it is followed. */
static int check_link(const char *path, const struct stat *link, char *err, size_t errlen)
{
	char *dir_copy = strdup(path);
	struct stat dir;
	int ret = 0;

	if (!dir_copy)
		return -ENOMEM;
	if (!stat(dirname(dir_copy), &dir))
		ret = check_planted(path, link, &dir, err, errlen);
	free(dir_copy);
	return ret;
}

/* Every directory on the way to path is checked the same way where it is a symbolic link. */
static int check_path_links(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path), *slash;
	struct stat entry;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (slash = strchr(copy + 1, '/'); slash && !ret; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (!lstat(copy, &entry) && S_ISLNK(entry.st_mode))
			ret = check_link(copy, &entry, err, errlen);
		*slash = '/';
	}
	free(copy);
	return ret;
}

/*
 * A pipe, a terminal or a device (/dev/null, /dev/stdout) is written in place: there is nothing to
 * rename over. The file opened must be the one looked at, not one swapped in since.
 */
static int open_in_place(struct output *o, const char *base, const struct stat *seen, bool follow,
			 char *err, size_t errlen)
{
	struct stat opened;
	int fd;

	fd = openat(o->dir_fd, base, O_WRONLY | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &opened) || opened.st_dev != seen->st_dev || opened.st_ino != seen->st_ino) {
		close(fd);
		snprintf(err, errlen, "cannot write %s: it changed while being opened", o->path);
		return -EAGAIN;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* A random name for a temporary of base, in o->tmp_name. */
static int random_name(struct output *o, const char *base)
{
	unsigned char rnd[6];

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	free(o->tmp_name);
	if (asprintf(&o->tmp_name, ".%s.%02x%02x%02x%02x%02x%02x", base, rnd[0], rnd[1], rnd[2],
		     rnd[3], rnd[4], rnd[5]) < 0) {
		o->tmp_name = NULL;
		return -ENOMEM;
	}
	return 0;
}

/*
 * The temporary: an unnamed file in the directory (O_TMPFILE), which a run killed before it
 * ends leaves nowhere; where the file system has none, a new file under a random name (O_EXCL:
 * nothing planted under it is opened or followed). The mode a plain create would give: 0666
 * less the umask.
 */
static int create_temporary(struct output *o, const char *base, char *err, size_t errlen)
{
	int fd, ret;

	fd = openat(o->dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	if (fd >= 0) {
		o->unnamed = true;
		o->f = fdopen(fd, "w");
		if (!o->f) {
			close(fd);
			return -ENOMEM;
		}
		return 0;
	}
	fd = -1;
	for (int i = 0; i < TMP_TRIES && fd < 0; i++) {
		ret = random_name(o, base);
		if (ret)
			return ret;
		fd = openat(o->dir_fd, o->tmp_name,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
		free(o->tmp_name);
		o->tmp_name = NULL;
		return -errno;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		unlinkat(o->dir_fd, o->tmp_name, 0);
		free(o->tmp_name);
		o->tmp_name = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Opens path (o->path is what messages name): in place, or a new temporary beside it. */
static int open_path(struct output *o, const char *path, char *err, size_t errlen)
{
	char *dir_copy = strdup(path), *base_copy = strdup(path), *base;
	struct stat entry, target, dir;
	int ret = 0;

	if (!dir_copy || !base_copy) {
		ret = -ENOMEM;
		goto cleanup;
	}
	base = basename(base_copy);
	/* the directory is held open: the temporary and the rename stay in it, whatever moves */
	o->dir_fd = open(dirname(dir_copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o->dir_fd < 0 || fstat(o->dir_fd, &dir)) {
		ret = -errno;
		snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
		goto cleanup;
	}
	o->base = strdup(base);
	if (!o->base) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (!fstatat(o->dir_fd, base, &entry, AT_SYMLINK_NOFOLLOW)) {
		ret = check_planted(o->path, &entry, &dir, err, errlen);
		if (ret)
			goto cleanup;
		if (S_ISDIR(entry.st_mode)) {
			snprintf(err, errlen, "cannot write %s: it is a directory", o->path);
			ret = -EISDIR;
			goto cleanup;
		}
		if (S_ISLNK(entry.st_mode) && !fstatat(o->dir_fd, base, &target, 0)) {
			/* a link of ours (or the directory owner's) to a pipe: /dev/stdout */
			if (S_ISDIR(target.st_mode)) {
				snprintf(err, errlen, "cannot write %s: it is a directory",
					 o->path);
				ret = -EISDIR;
			} else {
				ret = open_in_place(o, base, &target, true, err, errlen);
			}
			goto cleanup;
		}
		if (!S_ISLNK(entry.st_mode) && !S_ISREG(entry.st_mode)) {
			ret = open_in_place(o, base, &entry, false, err, errlen);
			goto cleanup;
		}
		/* a regular file, or a link to nothing: the rename replaces it */
	} else if (errno != ENOENT) {
		ret = -errno;
		snprintf(err, errlen, "cannot write %s: %s", o->path, strerror(errno));
		goto cleanup;
	}
	ret = create_temporary(o, base, err, errlen);
cleanup:
	free(dir_copy);
	free(base_copy);
	return ret;
}

int output_open(struct output *o, const char *path, char *err, size_t errlen)
{
	struct stat entry, target;
	char *real = NULL;
	int ret;

	memset(o, 0, sizeof(*o));
	o->dir_fd = -1;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ret = check_path_links(path, err, errlen);
	if (ret)
		goto cleanup;
	/*
	 * A link to a regular file is written through: the file it names is replaced whole, and the
	 * link stays (so a link is never turned into a file). open_path checks the link first.
	 */
	if (!lstat(path, &entry) && S_ISLNK(entry.st_mode) && !stat(path, &target) &&
	    S_ISREG(target.st_mode)) {
		ret = check_link(path, &entry, err, errlen);
		if (ret)
			goto cleanup;
		real = realpath(path, NULL);
		if (!real) {
			ret = -errno;
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			goto cleanup;
		}
	}
	ret = open_path(o, real ? real : path, err, errlen);
cleanup:
	free(real);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "cannot write %s: out of memory", path);
		output_abort(o);
	}
	return ret;
}

/*
 * The unnamed temporary, written out, linked in at base: directly when nothing is there, else
 * under a random name that the rename in output_commit moves over base.
 */
static int link_unnamed(struct output *o)
{
	char proc[64];
	int fd = fileno(o->f), ret;

	if (fflush(o->f))
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int i = 0; i < TMP_TRIES; i++) {
		const char *name = i ? o->tmp_name : o->base;

		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not */
		if (!linkat(fd, "", o->dir_fd, name, AT_EMPTY_PATH) ||
		    (errno != EEXIST &&
		     !linkat(AT_FDCWD, proc, o->dir_fd, name, AT_SYMLINK_FOLLOW))) {
			if (!i)
				o->linked = true; /* in place: no rename */
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
		ret = random_name(o, o->base);
		if (ret)
			return ret;
	}
	return -EEXIST;
}

int output_commit(struct output *o, char *err, size_t errlen)
{
	struct stat entry, dir;
	int ret = 0;

	if (!o->f)
		return 0;
	if (o->f == stdout) {
		ret = fflush(stdout) ? -errno : 0;
	} else {
		if (o->unnamed)
			ret = link_unnamed(o);
		if (fclose(o->f) && !ret)
			ret = -errno;
	}
	o->f = NULL;
	if (!ret && o->tmp_name && !o->linked) {
		/* something planted at the destination while the run went on is not replaced */
		if (!fstatat(o->dir_fd, o->base, &entry, AT_SYMLINK_NOFOLLOW) &&
		    !fstat(o->dir_fd, &dir) &&
		    (ret = check_planted(o->path, &entry, &dir, err, errlen)))
			goto out;
		if (renameat(o->dir_fd, o->tmp_name, o->dir_fd, o->base)) {
			ret = -errno;
		} else {
			free(o->tmp_name);
			o->tmp_name = NULL; /* in place: nothing to remove */
		}
	}
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", o->path ? o->path : "stdout",
			 strerror(-ret));
out:
	output_abort(o);
	return ret;
}

void output_abort(struct output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp_name && o->dir_fd >= 0)
		unlinkat(o->dir_fd, o->tmp_name, 0);
	if (o->path && o->dir_fd >= 0)
		close(o->dir_fd);
	free(o->path);
	free(o->tmp_name);
	free(o->base);
	memset(o, 0, sizeof(*o));
	o->dir_fd = -1;
}
