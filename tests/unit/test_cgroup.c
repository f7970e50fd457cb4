// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the cgroup v2 helpers: mountinfo samples, --cgroup paths, container IDs, names. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/cgroup.h"
#include "fixture.h"
#include "suites.h"

/* Samples of /proc/self/mountinfo, relative to the repository root the tests run from. */
#define DATA "tests/unit/data/"

/* Container IDs for the fixture tree; A and A2 share their first 14 characters. */
#define ID_A  "3f2a9c1b7e44d5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0"
#define ID_A2 "3f2a9c1b7e44d5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B  "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define ID_C  "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
#define ID_D  "d00dd00dd00dd00dd00dd00dd00dd00dd00dd00dd00dd00dd00dd00dd00dd00d"
#define ID_E  "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1"
#define ID_F  "f00df00df00df00df00df00df00df00df00df00df00df00df00df00df00df00d"

static char root[PATH_MAX];
static char err[1024];

static void make_dir(const char *rel)
{
	char path[PATH_MAX * 2], *slash;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s: %s", path,
			      strerror(errno));
		*slash = '/';
	}
	ck_assert_msg(!mkdir(path, 0755) || errno == EEXIST, "mkdir %s: %s", path, strerror(errno));
}

static void write_file(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_msg(f, "create %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static uint64_t inode_of(const char *rel)
{
	char path[PATH_MAX * 2];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_ino;
}

/* A directory tree shaped like a cgroup2 mount with containers of every runtime. */
static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/loadscope-cgroup-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	make_dir("system.slice/app.service/worker");
	write_file("system.slice/app.service/cgroup.procs", "101\n102\n");
	write_file("system.slice/app.service/worker/cgroup.procs", "103\n");
	write_file("cgroup.procs", "1\n");
	/* Docker, systemd driver, with a nested cgroup of its own, and its daemon's unit */
	make_dir("system.slice/docker-" ID_A ".scope/init.scope");
	make_dir("system.slice/docker-" ID_A2 ".scope");
	make_dir("system.slice/docker.service");
	make_dir("system.slice/docker-0123.scope");
	/* Docker, cgroupfs driver */
	make_dir("docker/" ID_B);
	/* Kubernetes with containerd, systemd driver */
	make_dir("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/"
		 "cri-containerd-" ID_C ".scope");
	/* Kubernetes, cgroupfs driver */
	make_dir("kubepods/besteffort/pod34/" ID_D);
	/* Podman and CRI-O, with their conmon scopes, which are not the containers */
	make_dir("machine.slice/libpod-" ID_E ".scope");
	make_dir("machine.slice/libpod-conmon-" ID_E ".scope");
	make_dir("system.slice/crio-" ID_F ".scope");
	make_dir("system.slice/crio-conmon-" ID_F ".scope");
}

static void teardown(void)
{
	fixture_remove_tree(root);
}

START_TEST(test_mount_pure_v2)
{
	char *mount = NULL;

	/* the bind mount of a container's cgroup listed first is passed over for the root */
	ck_assert_int_eq(cgroup2_find_mount(DATA "mountinfo-v2", &mount, err, sizeof(err)), 0);
	ck_assert_str_eq(mount, "/sys/fs/cgroup");
	free(mount);
}
END_TEST

START_TEST(test_mount_hybrid)
{
	char *mount = NULL;

	ck_assert_int_eq(cgroup2_find_mount(DATA "mountinfo-hybrid", &mount, err, sizeof(err)), 0);
	ck_assert_str_eq(mount, "/sys/fs/cgroup/unified");
	free(mount);
}
END_TEST

START_TEST(test_mount_v1_only)
{
	char *mount = NULL;

	ck_assert_int_eq(cgroup2_find_mount(DATA "mountinfo-v1", &mount, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_null(mount);
	ck_assert_msg(strstr(err, "cgroup v2 is required, but this host mounts only cgroup v1 "
				  "hierarchies (/sys/fs/cgroup/systemd in " DATA "mountinfo-v1)"),
		      "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_mount_none_or_unreadable)
{
	char *mount = NULL;

	ck_assert_int_eq(cgroup2_find_mount(DATA "mountinfo-none", &mount, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_null(mount);
	ck_assert_msg(strstr(err, "no cgroup2 file system is mounted"), "%s", err);
	ck_assert_int_lt(cgroup2_find_mount(DATA "no-such-file", &mount, err, sizeof(err)), 0);
	ck_assert_ptr_null(mount);
	ck_assert_msg(strstr(err, "cannot read the mount table " DATA "no-such-file"), "%s", err);
}
END_TEST

START_TEST(test_mount_of_this_host)
{
	char *mount = NULL;

	/* every test machine has one (the integration tests need it): it must be a directory */
	ck_assert_msg(!cgroup2_find_mount("/proc/self/mountinfo", &mount, err, sizeof(err)), "%s",
		      err);
	ck_assert_int_eq(access(mount, F_OK), 0);
	free(mount);
}
END_TEST

static void expect_resolved(const char *arg, const char *rel, const char *dir)
{
	struct cgroup_dir d;
	char path[PATH_MAX * 2];

	ck_assert_msg(!cgroup_resolve(root, arg, &d, err, sizeof(err)), "%s: %s", arg, err);
	snprintf(path, sizeof(path), "%s%s%s", root, *dir ? "/" : "", dir);
	ck_assert_str_eq(d.path, path);
	ck_assert_str_eq(d.rel, rel);
	ck_assert_uint_eq(d.id, inode_of(*dir ? dir : "."));
	cgroup_dir_free(&d);
}

static void expect_refused(const char *arg, int rc, const char *message)
{
	struct cgroup_dir d;

	ck_assert_int_eq(cgroup_resolve(root, arg, &d, err, sizeof(err)), rc);
	ck_assert_msg(strstr(err, message), "%s: '%s' lacks '%s'", arg, err, message);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(d.path);
}

START_TEST(test_resolve_paths)
{
	char arg[PATH_MAX * 2];

	expect_resolved("system.slice/app.service", "/system.slice/app.service",
			"system.slice/app.service");
	expect_resolved("system.slice/app.service/worker/", "/system.slice/app.service/worker",
			"system.slice/app.service/worker");
	/* as /proc/PID/cgroup prints it: not a file system path, so under the mount */
	expect_resolved("/system.slice/app.service", "/system.slice/app.service",
			"system.slice/app.service");
	expect_resolved(".", "/", "");
	snprintf(arg, sizeof(arg), "%s/system.slice", root);
	expect_resolved(arg, "/system.slice", "system.slice");
	snprintf(arg, sizeof(arg), "%s", root);
	expect_resolved(arg, "/", "");

	expect_refused("/tmp", -EINVAL, "--cgroup /tmp: outside the cgroup2 mount");
	expect_refused("system.slice/../..", -EINVAL, "outside the cgroup2 mount");
	expect_refused("no-such.service", -ENOENT, "--cgroup no-such.service: no such cgroup (");
	expect_refused("cgroup.procs", -ENOTDIR, "not a cgroup v2 directory");
	expect_refused("", -EINVAL, "--cgroup needs a path");
}
END_TEST

START_TEST(test_check_fs)
{
	ck_assert_int_eq(cgroup_check_fs(root, "x", err, sizeof(err)), -ENOTDIR);
	ck_assert_msg(strstr(err, "--cgroup x: not a cgroup v2 directory"), "%s", err);
}
END_TEST

START_TEST(test_container_list)
{
	static const char *const ids[] = {ID_A, ID_A2, ID_B, ID_C, ID_D, ID_E, ID_F};
	struct container *list;
	char path[PATH_MAX * 2];
	size_t n;

	ck_assert_int_eq(container_list(root, &list, &n), 0);
	ck_assert_uint_eq(n, 7); /* sorted by ID; A2 sorts before A */
	ck_assert_str_eq(list[0].id, ID_A2);
	ck_assert_str_eq(list[1].id, ID_A);
	for (size_t i = 2; i < n; i++)
		ck_assert_str_eq(list[i].id, ids[i]);
	/* the scope itself, not the cgroup nested in it */
	snprintf(path, sizeof(path), "%s/system.slice/docker-" ID_A ".scope", root);
	ck_assert_str_eq(list[1].path, path);
	snprintf(path, sizeof(path), "%s/docker/" ID_B, root);
	ck_assert_str_eq(list[2].path, path);
	container_list_free(list, n);
}
END_TEST

static void expect_container(const char *prefix, const char *id, const char *rel)
{
	char full[CONTAINER_ID_LEN + 1];
	struct cgroup_dir d;

	ck_assert_msg(!container_resolve(root, prefix, &d, full, err, sizeof(err)), "%s: %s",
		      prefix, err);
	ck_assert_str_eq(full, id);
	ck_assert_str_eq(d.rel, rel);
	ck_assert_uint_eq(d.id, inode_of(rel + 1));
	cgroup_dir_free(&d);
}

START_TEST(test_container_resolve)
{
	char full[CONTAINER_ID_LEN + 1];
	struct cgroup_dir d;

	expect_container("3f2a9c1b7e44d5f", ID_A, "/system.slice/docker-" ID_A ".scope");
	expect_container(ID_A, ID_A, "/system.slice/docker-" ID_A ".scope");
	expect_container("b0b0b0b0b0b0", ID_B, "/docker/" ID_B);
	expect_container("c0ffee00c0ff", ID_C,
			 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/"
			 "cri-containerd-" ID_C ".scope");
	expect_container("d00dd00dd00d", ID_D, "/kubepods/besteffort/pod34/" ID_D);
	expect_container("e1e1e1e1e1e1", ID_E, "/machine.slice/libpod-" ID_E ".scope");
	expect_container("f00df00df00d", ID_F, "/system.slice/crio-" ID_F ".scope");

	/* two IDs share the prefix: both listed, long enough to tell apart */
	ck_assert_int_eq(container_resolve(root, "3f2a9c1b7e44", &d, full, err, sizeof(err)),
			 -EEXIST);
	ck_assert_str_eq(err, "container ID 3f2a9c1b7e44 is ambiguous: 2 containers have it "
			      "(3f2a9c1b7e44d5a, 3f2a9c1b7e44d5f); give more of the ID");
	ck_assert_ptr_null(d.path);

	ck_assert_int_eq(container_resolve(root, "0123456789ab", &d, full, err, sizeof(err)),
			 -ENOENT);
	ck_assert_msg(strstr(err, "no container with ID 0123456789ab in the cgroups under "), "%s",
		      err);
	ck_assert_msg(strstr(err, "; containers found: 3f2a9c1b7e44d5a, 3f2a9c1b7e44d5f, "
				  "b0b0b0b0b0b0b0b, c0ffee00c0ffee0, d00dd00dd00dd00, "
				  "e1e1e1e1e1e1e1e, f00df00df00df00"),
		      "%s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(test_container_none_found)
{
	char full[CONTAINER_ID_LEN + 1], empty[PATH_MAX * 2];
	struct cgroup_dir d;

	snprintf(empty, sizeof(empty), "%s/system.slice/app.service", root);
	ck_assert_int_eq(container_resolve(empty, "0123456789ab", &d, full, err, sizeof(err)),
			 -ENOENT);
	ck_assert_msg(strstr(err, "containers found: none"), "%s", err);
}
END_TEST

START_TEST(test_subtree_pids)
{
	char dir[PATH_MAX * 2];
	int *pids;
	size_t n;

	snprintf(dir, sizeof(dir), "%s/system.slice/app.service", root);
	ck_assert_int_eq(cgroup_subtree_pids(dir, &pids, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(pids[0] + pids[1] + pids[2], 101 + 102 + 103);
	free(pids);
}
END_TEST

START_TEST(test_names)
{
	struct cgroup_names names = {0};
	char gone[PATH_MAX * 2];
	uint64_t gone_id = inode_of("system.slice/docker.service");

	ck_assert_int_eq(cgroup_names_scan(&names, root), 0);
	ck_assert_str_eq(cgroup_names_find(&names, inode_of(".")), "/");
	ck_assert_str_eq(cgroup_names_find(&names, inode_of("system.slice/app.service/worker")),
			 "/system.slice/app.service/worker");
	ck_assert_ptr_null(cgroup_names_find(&names, 0));
	/* a second scan keeps what is gone and adds what is new */
	make_dir("system.slice/new.service");
	snprintf(gone, sizeof(gone), "%s/system.slice/docker.service", root);
	ck_assert_int_eq(rmdir(gone), 0);
	ck_assert_int_eq(cgroup_names_scan(&names, root), 0);
	ck_assert_str_eq(cgroup_names_find(&names, gone_id), "/system.slice/docker.service");
	ck_assert_str_eq(cgroup_names_find(&names, inode_of("system.slice/new.service")),
			 "/system.slice/new.service");
	cgroup_names_free(&names);
	ck_assert_uint_eq(names.n, 0);
}
END_TEST

/* The label serve gives a cgroup path: the innermost directory named by a runtime's scheme. */
START_TEST(test_container_id_of_path)
{
	const char *id = "3f2a9c1b7e44aa00112233445566778899aabbccddeeff00112233445566778a";
	char path[512], out[CONTAINER_ID_LEN + 1];

	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", id);
	ck_assert(cgroup_container_id(path, out));
	ck_assert_str_eq(out, id);
	snprintf(path, sizeof(path),
		 "/kubepods.slice/kubepods-pod1.slice/cri-containerd-%s.scope/init", id);
	ck_assert(cgroup_container_id(path, out));
	ck_assert_str_eq(out, id);
	snprintf(path, sizeof(path), "/docker/%s", id);
	ck_assert(cgroup_container_id(path, out));
	ck_assert_str_eq(out, id);
	/* not a full ID, or not a scheme */
	ck_assert(!cgroup_container_id("/system.slice/docker-3f2a9c1b7e44.scope", out));
	ck_assert_str_eq(out, "");
	ck_assert(!cgroup_container_id("/user.slice", out));
	ck_assert(!cgroup_container_id("/", out));
	ck_assert(!cgroup_container_id("", out));
}
END_TEST

Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc;

	tc = tcase_create("mountinfo");
	tcase_add_test(tc, test_mount_pure_v2);
	tcase_add_test(tc, test_container_id_of_path);
	tcase_add_test(tc, test_mount_hybrid);
	tcase_add_test(tc, test_mount_v1_only);
	tcase_add_test(tc, test_mount_none_or_unreadable);
	tcase_add_test(tc, test_mount_of_this_host);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_resolve_paths);
	tcase_add_test(tc, test_check_fs);
	tcase_add_test(tc, test_container_list);
	tcase_add_test(tc, test_container_resolve);
	tcase_add_test(tc, test_container_none_found);
	tcase_add_test(tc, test_subtree_pids);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}
