// SPDX-License-Identifier: GPL-2.0
/* The cpu controller's files of the targets' cgroups, read at the start and at the end of a run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmount/libmount.h>

#include "targets/cpulimit.h"

#define FILE_MAX 8192 /* the longest file read here: /proc/PID/cgroup with a dozen v1 lines */

/* The whole of a small file into buf, NUL-terminated; 0 or a negative errno. */
static int read_small(const char *path, char *buf, size_t len)
{
	size_t at = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (at < len - 1 && (n = read(fd, buf + at, len - 1 - at)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		at += (size_t)n;
	}
	buf[at] = '\0';
	close(fd);
	return ret;
}

/* Does the cgroup.controllers file at dir list name? */
static bool lists_controller(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[1024], *save = NULL;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (read_small(path, buf, sizeof(buf)))
		return false;
	for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static bool has_cpu_option(struct libmnt_fs *fs)
{
	const char *opts = mnt_fs_get_fs_options(fs);
	char *value = NULL;
	size_t valsz = 0;

	return opts && mnt_optstr_get_option(opts, "cpu", &value, &valsz) == 0;
}

int cpu_controller_find(const char *mountinfo_path, struct cpu_controller *out)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs, *v2 = NULL, *v1 = NULL, *chosen;
	int ret = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (!tb || !it) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (mnt_table_parse_file(tb, mountinfo_path))
		goto cleanup;
	/* a mount of the hierarchy's root before a bind mount of one of its cgroups */
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *root = mnt_fs_get_root(fs);
		bool whole = root && !strcmp(root, "/");

		if (mnt_fs_match_fstype(fs, "cgroup2")) {
			if (!v2 || (whole && strcmp(mnt_fs_get_root(v2), "/")))
				v2 = fs;
		} else if (mnt_fs_match_fstype(fs, "cgroup") && has_cpu_option(fs)) {
			if (!v1 || (whole && strcmp(mnt_fs_get_root(v1), "/")))
				v1 = fs;
		}
	}
	/* the controller is in one hierarchy only: v2 lists it at its root unless v1 has it */
	if (v2 && lists_controller(mnt_fs_get_target(v2), "cpu")) {
		chosen = v2;
		out->hierarchy = CGROUP_V2;
	} else if (v1) {
		chosen = v1;
		out->hierarchy = CGROUP_V1;
	} else {
		goto cleanup;
	}
	out->mount = strdup(mnt_fs_get_target(chosen));
	out->root = strdup(mnt_fs_get_root(chosen) ? mnt_fs_get_root(chosen) : "/");
	ret = out->mount && out->root ? 0 : -ENOMEM;
	if (ret)
		cpu_controller_free(out);
cleanup:
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return ret;
}

void cpu_controller_free(struct cpu_controller *c)
{
	free(c->mount);
	free(c->root);
	c->mount = c->root = NULL;
}

int cpu_cgroup_of_pid(const struct cpu_controller *c, int pid, char *path, size_t len)
{
	char file[64], buf[FILE_MAX];
	int ret;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", pid);
	ret = read_small(file, buf, sizeof(buf));
	return ret ? ret : cpu_cgroup_parse(buf, c->hierarchy, path, len);
}

/* The directory of the cgroup at path; false when the mount does not show it. */
static bool cgroup_dir(const struct cpu_controller *c, const char *path, char *dir, size_t len)
{
	size_t rlen = strlen(c->root);

	if (strcmp(c->root, "/")) {
		if (strncmp(path, c->root, rlen) || (path[rlen] && path[rlen] != '/'))
			return false;
		path += rlen;
	}
	return (size_t)snprintf(dir, len, "%s%s", c->mount, path) < len;
}

/*
 * One file, parsed; the bit is set in missing when it cannot be read or parsed. A file the
 * cgroup may lack (optional) is only left out when it does not exist.
 */
static void read_one(const char *dir, const char *name,
		     int (*parse)(const char *, struct cpu_sample *), struct cpu_sample *s,
		     unsigned int bit, bool optional)
{
	char path[PATH_MAX + 32], buf[FILE_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = read_small(path, buf, sizeof(buf));
	if (ret == -ENOENT && optional)
		return;
	if (ret || parse(buf, s))
		s->missing |= bit;
}

void cpu_sample_read(const struct cpu_controller *c, const char *path, struct cpu_sample *s)
{
	char dir[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (!cgroup_dir(c, path, dir, sizeof(dir))) {
		s->missing = CPU_FILE_STAT |
			     (c->hierarchy == CGROUP_V2 ? CPU_FILE_MAX
							: CPU_FILE_CFS_QUOTA | CPU_FILE_CFS_PERIOD);
		return;
	}
	if (c->hierarchy == CGROUP_V2) {
		/* no cpu.max: the parent does not enable the controller here, so no limit */
		read_one(dir, "cpu.max", cpu_parse_max, s, CPU_FILE_MAX, true);
	} else {
		read_one(dir, "cpu.cfs_quota_us", cpu_parse_cfs_quota, s, CPU_FILE_CFS_QUOTA,
			 false);
		read_one(dir, "cpu.cfs_period_us", cpu_parse_cfs_period, s, CPU_FILE_CFS_PERIOD,
			 false);
	}
	read_one(dir, "cpu.stat", cpu_parse_stat, s, CPU_FILE_STAT, false);
	/* PSI: absent without CONFIG_PSI, unreadable with psi=0; neither is worth a mention */
	read_one(dir, "cpu.pressure", cpu_parse_pressure, s, 0, true);
}

int cpu_limits_start(struct cpu_watch *w, const struct cpu_controller *c, const int *pids, size_t n)
{
	char path[PATH_MAX];
	int ret;

	w->hierarchy = c->hierarchy;
	for (size_t i = 0; i < n; i++) {
		if (cpu_cgroup_of_pid(c, pids[i], path, sizeof(path)))
			continue; /* gone already */
		ret = cpu_watch_add(w, path, pids[i]);
		if (ret == -ENOMEM)
			return ret;
	}
	for (size_t i = 0; i < w->n; i++) {
		cpu_sample_read(c, w->v[i].path, &w->v[i].start);
		w->v[i].started = true;
	}
	return 0;
}

void cpu_limits_end(struct cpu_watch *w, const struct cpu_controller *c)
{
	for (size_t i = 0; i < w->n; i++) {
		if (!w->v[i].started)
			continue;
		cpu_sample_read(c, w->v[i].path, &w->v[i].end);
		w->v[i].ended = true;
	}
}

int cpu_limits_late(struct cpu_watch *w, const struct cpu_controller *c, const struct snapshot *s)
{
	char path[PATH_MAX];
	int ret;

	w->hierarchy = c->hierarchy;
	for (size_t i = 0; i < s->nprocesses; i++) {
		int pid = s->processes[i].pid;

		if (cpu_watch_has_pid(w, pid) || cpu_cgroup_of_pid(c, pid, path, sizeof(path)))
			continue; /* placed at the start, or exited meanwhile */
		ret = cpu_watch_add(w, path, pid);
		if (ret == -ENOMEM)
			return ret;
	}
	for (size_t i = 0; i < w->n; i++) {
		if (w->v[i].ended)
			continue;
		cpu_sample_read(c, w->v[i].path, &w->v[i].end);
		w->v[i].ended = true;
	}
	return 0;
}
