// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 in user space: its mount, --cgroup paths, container IDs, and names for cgroup ids. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <libmount/libmount.h>

#include "targets/cgroup.h"

#define NFTW_FDS     32 /* directory descriptors nftw may hold open: cgroup trees nest ~10 deep */
#define FOUND_LISTED 8	/* container IDs an error message lists before "and N more" */

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int cgroup2_find_mount(const char *mountinfo_path, char **mount, char *err, size_t errlen)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	const char *chosen = NULL, *first = NULL, *v1 = NULL, *root;
	struct libmnt_fs *fs;
	int ret;

	*mount = NULL;
	if (!tb || !it) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ret = mnt_table_parse_file(tb, mountinfo_path);
	if (ret) {
		ret = fail(err, errlen, ret < 0 ? ret : -EINVAL,
			   "cannot read the mount table %s: %s", mountinfo_path,
			   strerror(ret < 0 ? -ret : EINVAL));
		goto cleanup;
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		if (mnt_fs_match_fstype(fs, "cgroup2")) {
			root = mnt_fs_get_root(fs);
			if (!first)
				first = mnt_fs_get_target(fs);
			if (!chosen && root && !strcmp(root, "/"))
				chosen = mnt_fs_get_target(fs);
		} else if (!v1 && mnt_fs_match_fstype(fs, "cgroup")) {
			v1 = mnt_fs_get_target(fs);
		}
	}
	/* a bind mount of a sub-cgroup would misplace every path: the hierarchy's root first */
	if (!chosen)
		chosen = first;
	if (!chosen && v1)
		ret = fail(err, errlen, -ENOENT,
			   "cgroup v2 is required, but this host mounts only cgroup v1 hierarchies "
			   "(%s in %s): boot with systemd.unified_cgroup_hierarchy=1, or mount one "
			   "with 'mount -t cgroup2 none /sys/fs/cgroup/unified'",
			   v1, mountinfo_path);
	else if (!chosen)
		ret = fail(err, errlen, -ENOENT,
			   "no cgroup2 file system is mounted (none in %s): mount one with "
			   "'mount -t cgroup2 none /sys/fs/cgroup'",
			   mountinfo_path);
	else if (!(*mount = strdup(chosen)))
		ret = -ENOMEM;
cleanup:
	mnt_free_iter(it);
	mnt_unref_table(tb);
	return ret;
}

/* Is path equal to dir or below it? Both without a trailing slash, dir possibly "/". */
static const char *under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (!strcmp(dir, "/"))
		return path;
	if (strncmp(path, dir, len) || (path[len] && path[len] != '/'))
		return NULL;
	return path + len;
}

int cgroup_resolve(const char *mount, const char *arg, struct cgroup_dir *out, char *err,
		   size_t errlen)
{
	char real_mount[PATH_MAX], real[PATH_MAX], *joined = NULL;
	const char *rel;
	struct stat st;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!*arg)
		return fail(err, errlen, -EINVAL, "--cgroup needs a path");
	if (!realpath(mount, real_mount))
		return fail(err, errlen, -errno, "cannot resolve the cgroup2 mount %s: %s", mount,
			    strerror(errno));
	if (asprintf(&joined, "%s/%s", mount, arg) < 0)
		return -ENOMEM;
	/* a relative path, or an absolute one that is not a file system path but a cgroup's */
	if ((*arg == '/' && realpath(arg, real)) || realpath(joined, real)) {
		rel = under(real, real_mount);
		if (!rel) {
			ret = fail(err, errlen, -EINVAL,
				   "--cgroup %s: outside the cgroup2 mount %s: give a directory "
				   "under it, or a path relative to it",
				   arg, mount);
			goto cleanup;
		}
	} else {
		ret = fail(err, errlen, -ENOENT, "--cgroup %s: no such cgroup (%s does not exist)",
			   arg, joined);
		goto cleanup;
	}
	if (stat(real, &st)) {
		ret = fail(err, errlen, -errno, "--cgroup %s: cannot stat %s: %s", arg, real,
			   strerror(errno));
		goto cleanup;
	}
	if (!S_ISDIR(st.st_mode)) {
		ret = fail(err, errlen, -ENOTDIR,
			   "--cgroup %s: not a cgroup v2 directory (%s is a file)", arg, real);
		goto cleanup;
	}
	out->path = strdup(real);
	out->rel = strdup(*rel ? rel : "/");
	out->id = st.st_ino;
	if (!out->path || !out->rel) {
		cgroup_dir_free(out);
		ret = -ENOMEM;
	}
cleanup:
	free(joined);
	return ret;
}

int cgroup_check_fs(const char *path, const char *arg, char *err, size_t errlen)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return fail(err, errlen, -errno, "--cgroup %s: cannot statfs %s: %s", arg, path,
			    strerror(errno));
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return fail(err, errlen, -ENOTDIR,
			    "--cgroup %s: not a cgroup v2 directory (%s is on another file system)",
			    arg, path);
	return 0;
}

void cgroup_dir_free(struct cgroup_dir *d)
{
	free(d->path);
	free(d->rel);
	d->path = d->rel = NULL;
}

/* ---- containers ---- */

/* nftw passes no user data: the walk in progress keeps its state here. */
static struct {
	struct container *list;
	size_t n, cap;
	int err;
} walk;

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* The container ID a cgroup directory's name carries, if it follows one of the schemes. */
static bool name_to_id(const char *name, char id[CONTAINER_ID_LEN + 1])
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-",
					       ""};
	size_t len;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		len = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], len))
			continue;
		name += len;
		/* the systemd driver names a scope unit; cgroupfs uses the bare ID */
		if (strlen(name) < CONTAINER_ID_LEN || !all_hex(name, CONTAINER_ID_LEN) ||
		    (name[CONTAINER_ID_LEN] && strcmp(name + CONTAINER_ID_LEN, ".scope")))
			return false;
		memcpy(id, name, CONTAINER_ID_LEN);
		id[CONTAINER_ID_LEN] = '\0';
		return true;
	}
	return false;
}

bool cgroup_container_id(const char *rel, char id[CONTAINER_ID_LEN + 1])
{
	char name[256];
	const char *end = rel + strlen(rel), *start;

	/* the innermost directory that follows a scheme: a pod's container below its pod slice */
	while (end > rel) {
		for (start = end; start > rel && start[-1] != '/'; start--)
			;
		if ((size_t)(end - start) < sizeof(name)) {
			memcpy(name, start, (size_t)(end - start));
			name[end - start] = '\0';
			if (name_to_id(name, id))
				return true;
		}
		end = start > rel ? start - 1 : rel;
	}
	id[0] = '\0';
	return false;
}

static int visit_container(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char id[CONTAINER_ID_LEN + 1];
	struct container *c;

	(void)st;
	if (type != FTW_D || !name_to_id(path + ftw->base, id))
		return 0;
	for (size_t i = 0; i < walk.n; i++) {
		c = &walk.list[i];
		if (strcmp(c->id, id))
			continue;
		/* the same ID deeper down (a nested cgroup of the container): keep the top one */
		if (strlen(path) < strlen(c->path)) {
			char *p = strdup(path);

			if (!p)
				return walk.err = -ENOMEM;
			free(c->path);
			c->path = p;
		}
		return 0;
	}
	if (walk.n == walk.cap) {
		size_t cap = walk.cap ? walk.cap * 2 : 16;
		struct container *grown = realloc(walk.list, cap * sizeof(*grown));

		if (!grown)
			return walk.err = -ENOMEM;
		walk.list = grown;
		walk.cap = cap;
	}
	c = &walk.list[walk.n];
	memcpy(c->id, id, sizeof(c->id));
	c->path = strdup(path);
	if (!c->path)
		return walk.err = -ENOMEM;
	walk.n++;
	return 0;
}

static int cmp_container(const void *a, const void *b)
{
	return strcmp(((const struct container *)a)->id, ((const struct container *)b)->id);
}

int container_list(const char *root, struct container **out, size_t *n)
{
	int ret;

	memset(&walk, 0, sizeof(walk));
	ret = nftw(root, visit_container, NFTW_FDS, FTW_PHYS | FTW_MOUNT);
	if (ret < 0)
		ret = -errno;
	else if (walk.err)
		ret = walk.err;
	if (ret) {
		container_list_free(walk.list, walk.n);
		*out = NULL;
		*n = 0;
		return ret;
	}
	if (walk.n > 1)
		qsort(walk.list, walk.n, sizeof(*walk.list), cmp_container);
	*out = walk.list;
	*n = walk.n;
	return 0;
}

void container_list_free(struct container *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].path);
	free(list);
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] && a[i] == b[i])
		i++;
	return i;
}

/* "id1, id2, ... (and N more)": IDs at a length that tells the listed ones apart. */
static void list_ids(char *buf, size_t len, const struct container *const *list, size_t n)
{
	size_t shown = n < FOUND_LISTED ? n : FOUND_LISTED, width = CONTAINER_ID_MIN, at = 0;

	for (size_t i = 0; i < shown; i++)
		for (size_t j = i + 1; j < shown; j++)
			if (common_prefix(list[i]->id, list[j]->id) + 1 > width)
				width = common_prefix(list[i]->id, list[j]->id) + 1;
	buf[0] = '\0';
	for (size_t i = 0; i < shown && at < len; i++)
		at += snprintf(buf + at, len - at, "%s%.*s", i ? ", " : "", (int)width,
			       list[i]->id);
	if (n > shown && at < len)
		snprintf(buf + at, len - at, " (and %zu more)", n - shown);
}

int container_resolve(const char *root, const char *prefix, struct cgroup_dir *out,
		      char full_id[CONTAINER_ID_LEN + 1], char *err, size_t errlen)
{
	const struct container **matches = NULL, **all = NULL;
	struct container *list = NULL;
	size_t n = 0, nmatch = 0, plen = strlen(prefix);
	char ids[512];
	int ret;

	memset(out, 0, sizeof(*out));
	ret = container_list(root, &list, &n);
	if (ret)
		return fail(err, errlen, ret, "cannot search %s for containers: %s", root,
			    strerror(-ret));
	matches = calloc(n ? n : 1, sizeof(*matches));
	all = calloc(n ? n : 1, sizeof(*all));
	if (!matches || !all) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		all[i] = &list[i];
		if (!strncmp(list[i].id, prefix, plen))
			matches[nmatch++] = &list[i];
	}
	if (!nmatch) {
		list_ids(ids, sizeof(ids), all, n);
		ret = fail(err, errlen, -ENOENT,
			   "no container with ID %s in the cgroups under %s (Docker, containerd, "
			   "CRI-O, Podman and Kubernetes names searched); containers found: %s",
			   prefix, root, n ? ids : "none");
		goto cleanup;
	}
	if (nmatch > 1) {
		list_ids(ids, sizeof(ids), matches, nmatch);
		ret = fail(err, errlen, -EEXIST,
			   "container ID %s is ambiguous: %zu containers have it (%s); give more "
			   "of the ID",
			   prefix, nmatch, ids);
		goto cleanup;
	}
	memcpy(full_id, matches[0]->id, CONTAINER_ID_LEN + 1);
	{
		struct stat st;

		if (stat(matches[0]->path, &st)) {
			ret = fail(err, errlen, -errno, "container %s: cannot stat %s: %s", prefix,
				   matches[0]->path, strerror(errno));
			goto cleanup;
		}
		out->id = st.st_ino;
	}
	out->path = strdup(matches[0]->path);
	if (!out->path) {
		ret = -ENOMEM;
		goto cleanup;
	}
	{
		const char *rel = under(out->path, root);

		out->rel = strdup(rel && *rel ? rel : "/");
	}
	if (!out->rel) {
		cgroup_dir_free(out);
		ret = -ENOMEM;
	}
cleanup:
	free(matches);
	free(all);
	container_list_free(list, n);
	return ret;
}

/* ---- processes and names ---- */

static struct {
	int *pids;
	size_t n, cap;
	int err;
} procs;

static int visit_procs(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char file[PATH_MAX];
	FILE *f;
	int pid;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	f = fopen(file, "re");
	if (!f)
		return 0; /* removed meanwhile, or not a cgroup */
	while (fscanf(f, "%d", &pid) == 1) {
		if (procs.n == procs.cap) {
			size_t cap = procs.cap ? procs.cap * 2 : 64;
			int *grown = realloc(procs.pids, cap * sizeof(*grown));

			if (!grown) {
				fclose(f);
				return procs.err = -ENOMEM;
			}
			procs.pids = grown;
			procs.cap = cap;
		}
		procs.pids[procs.n++] = pid;
	}
	fclose(f);
	return 0;
}

int cgroup_subtree_pids(const char *dir, int **pids, size_t *n)
{
	int ret;

	memset(&procs, 0, sizeof(procs));
	ret = nftw(dir, visit_procs, NFTW_FDS, FTW_PHYS | FTW_MOUNT);
	if (ret < 0)
		ret = -errno;
	else
		ret = procs.err;
	if (ret) {
		free(procs.pids);
		*pids = NULL;
		*n = 0;
		return ret;
	}
	*pids = procs.pids;
	*n = procs.n;
	return 0;
}

int cgroup_of_pid(const char *mount, int pid, uint64_t *id)
{
	char path[64], line[PATH_MAX], dir[PATH_MAX + 64];
	struct stat st;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* the v2 line is "0::/path"; v1 hierarchies have a number and controllers */
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(dir, sizeof(dir), "%s%s", mount, line + 3);
		ret = stat(dir, &st) ? -errno : 0;
		if (!ret)
			*id = st.st_ino;
		break;
	}
	fclose(f);
	return ret;
}

static struct {
	struct cgroup_names *names;
	size_t mount_len;
	int err;
} naming;

static int visit_name(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct cgroup_names *names = naming.names;
	const char *rel = path + naming.mount_len;
	char *copy;

	(void)ftw;
	if (type != FTW_D)
		return 0;
	copy = strdup(*rel ? rel : "/");
	if (!copy)
		return naming.err = -ENOMEM;
	for (size_t i = 0; i < names->n; i++) {
		if (names->v[i].id == (uint64_t)st->st_ino) {
			free(names->v[i].rel);
			names->v[i].rel = copy;
			return 0;
		}
	}
	if (names->n == names->cap) {
		size_t cap = names->cap ? names->cap * 2 : 64;
		struct cgroup_name *grown = realloc(names->v, cap * sizeof(*grown));

		if (!grown) {
			free(copy);
			return naming.err = -ENOMEM;
		}
		names->v = grown;
		names->cap = cap;
	}
	names->v[names->n].id = st->st_ino;
	names->v[names->n].rel = copy;
	names->n++;
	return 0;
}

int cgroup_names_scan(struct cgroup_names *names, const char *mount)
{
	int ret;

	naming.names = names;
	naming.mount_len = strlen(mount);
	naming.err = 0;
	/* "/" as the mount: paths below it start right after it, with their own slash */
	if (naming.mount_len == 1)
		naming.mount_len = 0;
	ret = nftw(mount, visit_name, NFTW_FDS, FTW_PHYS | FTW_MOUNT);
	if (ret < 0)
		return -errno;
	return naming.err;
}

const char *cgroup_names_find(const struct cgroup_names *names, uint64_t id)
{
	for (size_t i = 0; i < names->n; i++)
		if (names->v[i].id == id)
			return names->v[i].rel;
	return NULL;
}

void cgroup_names_free(struct cgroup_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i].rel);
	free(names->v);
	memset(names, 0, sizeof(*names));
}
