/* SPDX-License-Identifier: GPL-2.0 */
/* cgroup v2 in user space: its mount, --cgroup paths, container IDs, and names for cgroup ids. */
#ifndef LOADSCOPE_CGROUP_H
#define LOADSCOPE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTAINER_ID_LEN 64 /* a full container ID: 64 hex characters */
#define CONTAINER_ID_MIN 12 /* the short form docker ps shows: the least a prefix may have */

/* A cgroup v2 directory. */
struct cgroup_dir {
	char *path;  /* absolute, symlinks resolved */
	char *rel;   /* relative to the mount, "/" for the root: how /proc/PID/cgroup names it */
	uint64_t id; /* the kernel's cgroup id: the directory's inode number */
};

/*
 * The mount point of the cgroup2 file system in a mountinfo file (/proc/self/mountinfo), read
 * with libmount. With several, the first that mounts the hierarchy's root. 0, or a negative errno
 * with a one-line reason in err: on a host with cgroup v1 only, that cgroup v2 is required.
 */
int cgroup2_find_mount(const char *mountinfo_path, char **mount, char *err, size_t errlen);

/*
 * What --cgroup ARG names: an absolute path under mount, or a path relative to it. An absolute
 * path that does not exist is also tried under the mount, as /proc/PID/cgroup prints cgroups.
 * Checks that it exists, is a directory and lies under the mount (not that it is on cgroup2:
 * see cgroup_check_fs). 0, or a negative errno with a one-line reason in err.
 */
int cgroup_resolve(const char *mount, const char *arg, struct cgroup_dir *out, char *err,
		   size_t errlen);
/* 0 when path is on a cgroup2 file system, else -ENOTDIR with a reason naming arg in err. */
int cgroup_check_fs(const char *path, const char *arg, char *err, size_t errlen);
void cgroup_dir_free(struct cgroup_dir *d);

/* A container found by the name of its cgroup directory. */
struct container {
	char id[CONTAINER_ID_LEN + 1];
	char *path; /* its cgroup directory, absolute */
};

/*
 * Every container cgroup under root, by the runtimes' naming schemes: docker-<id>.scope,
 * cri-containerd-<id>.scope, crio-<id>.scope, libpod-<id>.scope (systemd driver, Kubernetes'
 * kubepods*.slice trees included) and a directory named by the bare ID (cgroupfs driver:
 * /docker/<id>, /kubepods/.../<id>). One entry per ID, its shallowest directory; sorted by ID.
 */
int container_list(const char *root, struct container **out, size_t *n);
void container_list_free(struct container *list, size_t n);
/*
 * The cgroup of the one container under root whose ID starts with prefix (lowercase hex). No
 * match or several: -ENOENT or -EEXIST with a reason in err that lists the IDs found.
 */
int container_resolve(const char *root, const char *prefix, struct cgroup_dir *out,
		      char full_id[CONTAINER_ID_LEN + 1], char *err, size_t errlen);

/*
 * The container ID a cgroup path (under the mount) carries in its innermost directory that
 * follows one of the schemes above; "" and false when none does.
 */
bool cgroup_container_id(const char *rel, char id[CONTAINER_ID_LEN + 1]);

/* Process ids in the cgroup at dir and every cgroup below it (their cgroup.procs). */
int cgroup_subtree_pids(const char *dir, int **pids, size_t *n);
/* The id of a process's cgroup v2, from /proc/PID/cgroup and the directory under mount. */
int cgroup_of_pid(const char *mount, int pid, uint64_t *id);

/* Paths of the cgroups under a mount, by id. */
struct cgroup_name {
	uint64_t id;
	char *rel;
};

struct cgroup_names {
	struct cgroup_name *v;
	size_t n, cap;
};

/* Adds every cgroup under mount; a cgroup seen again keeps its newest path. */
int cgroup_names_scan(struct cgroup_names *names, const char *mount);
/* The path of id, or NULL when it was never seen. */
const char *cgroup_names_find(const struct cgroup_names *names, uint64_t id);
void cgroup_names_free(struct cgroup_names *names);

#endif /* LOADSCOPE_CGROUP_H */
