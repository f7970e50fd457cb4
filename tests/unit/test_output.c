// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of report files: written whole or not at all, pipes and stdout in place, and nothing
 * planted in a shared sticky directory (/tmp) followed or replaced. The planted cases give
 * entries to another user, so they need root (make test runs as root); without it they skip.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "io/output.h"
#include "io/report_files.h"
#include "suites.h"

#define OTHER_UID 65534 /* nobody: an owner that is neither us nor the directory's */

static char dir[64];
static char err[512];

static void make_dir(mode_t mode)
{
	snprintf(dir, sizeof(dir), "/tmp/loadscope-output-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, mode), 0);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *in_dir(const char *name)
{
	static char paths[4][128];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, 128, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The file's whole content, in a static buffer; "" when it cannot be read. */
static const char *contents(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* Entries of dir other than . and ..: a temporary left behind shows here. */
static int entries(void)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static bool root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "note: %s needs root to give files to another user; skipped\n", __FILE__);
	return false;
}

static int write_through(const char *path, const char *text)
{
	struct output o;
	int ret;

	ret = output_open(&o, path, err, sizeof(err));
	if (ret)
		return ret;
	fputs(text, o.f);
	return output_commit(&o, err, sizeof(err));
}

START_TEST(test_whole_or_nothing)
{
	struct output o;
	struct stat st;
	mode_t mask = umask(022);

	make_dir(0755);
	/* a new file appears only at the commit, with the mode a plain create gives */
	ck_assert_int_eq(output_open(&o, in_dir("run.json"), err, sizeof(err)), 0);
	fputs("new", o.f);
	fflush(o.f);
	ck_assert_int_eq(access(in_dir("run.json"), F_OK), -1);
	/* unnamed meanwhile (the test's directory has O_TMPFILE): a killed run leaves nothing */
	ck_assert(o.unnamed);
	ck_assert_int_eq(entries(), 0);
	ck_assert_int_eq(output_commit(&o, err, sizeof(err)), 0);
	ck_assert_str_eq(contents(in_dir("run.json")), "new");
	ck_assert_int_eq(stat(in_dir("run.json"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(entries(), 1);

	/* an existing one is replaced whole at the commit, or left as it was on abort */
	ck_assert_int_eq(output_open(&o, in_dir("run.json"), err, sizeof(err)), 0);
	fputs("half", o.f);
	fflush(o.f);
	ck_assert_str_eq(contents(in_dir("run.json")), "new");
	ck_assert_int_eq(entries(), 1);
	output_abort(&o);
	ck_assert_str_eq(contents(in_dir("run.json")), "new");
	ck_assert_int_eq(entries(), 1);
	ck_assert_int_eq(write_through(in_dir("run.json"), "newer"), 0);
	ck_assert_str_eq(contents(in_dir("run.json")), "newer");
	ck_assert_int_eq(entries(), 1);
	umask(mask);
	remove_dir();
}
END_TEST

START_TEST(test_fails_at_once)
{
	struct output o;

	make_dir(0755);
	ck_assert_int_eq(output_open(&o, dir, err, sizeof(err)), -EISDIR);
	ck_assert_msg(strstr(err, "it is a directory"), "got: %s", err);
	ck_assert_int_eq(output_open(&o, in_dir("no/such/run.json"), err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "cannot write") && strstr(err, "no/such/run.json"), "got: %s",
		      err);
	remove_dir();
}
END_TEST

/* stdout, a pipe and a link to a pipe (/dev/stdout) are written in place. */
START_TEST(test_pipes_in_place)
{
	char path[64], buf[16] = "";
	struct output o;
	int fds[2];

	ck_assert_int_eq(output_open(&o, "-", err, sizeof(err)), 0);
	ck_assert_ptr_eq(o.f, stdout);
	ck_assert_int_eq(output_commit(&o, err, sizeof(err)), 0);

	ck_assert_int_eq(pipe(fds), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[1]);
	ck_assert_int_eq(write_through(path, "piped"), 0);
	ck_assert_int_eq(read(fds[0], buf, sizeof(buf) - 1), 5);
	ck_assert_str_eq(buf, "piped");
	close(fds[0]);
	close(fds[1]);

	make_dir(0755);
	ck_assert_int_eq(symlink("/dev/null", in_dir("null")), 0);
	ck_assert_int_eq(write_through(in_dir("null"), "gone"), 0);
	ck_assert_int_eq(entries(), 1);
	remove_dir();
}
END_TEST

/* A link of ours to a file is written through: the file is replaced, the link stays a link. */
START_TEST(test_own_link_written_through)
{
	struct stat st;

	make_dir(0755);
	write_file(in_dir("target.json"), "old");
	ck_assert_int_eq(symlink("target.json", in_dir("latest.json")), 0);
	ck_assert_int_eq(write_through(in_dir("latest.json"), "new"), 0);
	ck_assert_int_eq(lstat(in_dir("latest.json"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(contents(in_dir("target.json")), "new");
	ck_assert_int_eq(entries(), 2);
	remove_dir();
}
END_TEST

/* What another user put in a sticky, world-writable directory is refused, and left alone. */
START_TEST(test_planted_in_sticky_directory)
{
	char victim[64];
	struct stat st;
	int fd;

	if (!root())
		return;
	snprintf(victim, sizeof(victim), "/tmp/loadscope-victim-XXXXXX");
	fd = mkstemp(victim);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "precious", 8), 8);
	close(fd);
	make_dir(01777);

	/* a file of theirs */
	write_file(in_dir("run.json"), "theirs");
	ck_assert_int_eq(chown(in_dir("run.json"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(write_through(in_dir("run.json"), "ours"), -EPERM);
	ck_assert_msg(strstr(err, "refusing to write") && strstr(err, "uid 65534") &&
			      strstr(err, "protected_regular"),
		      "got: %s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_str_eq(contents(in_dir("run.json")), "theirs");

	/* a link of theirs to a file of ours: not followed, not replaced */
	ck_assert_int_eq(symlink(victim, in_dir("link.json")), 0);
	ck_assert_int_eq(lchown(in_dir("link.json"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(write_through(in_dir("link.json"), "ours"), -EPERM);
	ck_assert_msg(strstr(err, "symbolic link") && strstr(err, "protected_symlinks"), "got: %s",
		      err);
	ck_assert_str_eq(contents(victim), "precious");
	ck_assert_int_eq(lstat(in_dir("link.json"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));

	/* a link of theirs to a FIFO: refused before anything opens it (which would block) */
	ck_assert_int_eq(mkfifo(in_dir("fifo"), 0666), 0);
	ck_assert_int_eq(symlink(in_dir("fifo"), in_dir("fifo.json")), 0);
	ck_assert_int_eq(lchown(in_dir("fifo.json"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(write_through(in_dir("fifo.json"), "ours"), -EPERM);
	/* and a FIFO of theirs */
	ck_assert_int_eq(chown(in_dir("fifo"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(write_through(in_dir("fifo"), "ours"), -EPERM);
	ck_assert_msg(strstr(err, "protected_fifos"), "got: %s", err);

	/* a directory on the way that is a link of theirs */
	ck_assert_int_eq(symlink("/etc", in_dir("d")), 0);
	ck_assert_int_eq(lchown(in_dir("d"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(write_through(in_dir("d/loadscope-test.json"), "ours"), -EPERM);
	ck_assert_int_eq(access("/etc/loadscope-test.json", F_OK), -1);

	/* ours, in the same directory: replaced as usual */
	write_file(in_dir("mine.json"), "old");
	ck_assert_int_eq(write_through(in_dir("mine.json"), "new"), 0);
	ck_assert_str_eq(contents(in_dir("mine.json")), "new");

	/* nothing of ours was left behind: the planted entries and mine.json only */
	ck_assert_int_eq(entries(), 6);
	remove_dir();
	unlink(victim);
}
END_TEST

/* Planted at the destination during the run: the commit refuses and removes its temporary. */
START_TEST(test_planted_during_run)
{
	struct output o;

	if (!root())
		return;
	make_dir(01777);
	ck_assert_int_eq(output_open(&o, in_dir("run.json"), err, sizeof(err)), 0);
	fputs("ours", o.f);
	write_file(in_dir("run.json"), "theirs");
	ck_assert_int_eq(chown(in_dir("run.json"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(output_commit(&o, err, sizeof(err)), -EPERM);
	ck_assert_msg(strstr(err, "refusing to write"), "got: %s", err);
	ck_assert_str_eq(contents(in_dir("run.json")), "theirs");
	ck_assert_int_eq(entries(), 1);
	remove_dir();
}
END_TEST

/* Outside a sticky directory the directory's permissions decide, as for any program. */
START_TEST(test_other_owner_in_private_directory)
{
	if (!root())
		return;
	make_dir(0755);
	write_file(in_dir("run.json"), "old");
	ck_assert_int_eq(chown(in_dir("run.json"), OTHER_UID, OTHER_UID), 0);
	ck_assert_int_eq(write_through(in_dir("run.json"), "new"), 0);
	ck_assert_str_eq(contents(in_dir("run.json")), "new");
	remove_dir();
}
END_TEST

/* A report that cannot be written whole leaves the others unwritten too. */
START_TEST(test_report_files_all_or_nothing)
{
	struct report_files rf;
	struct snapshot s;

	make_dir(0755);
	fixture_snapshot(&s);
	ck_assert_int_eq(report_files_open(&rf, in_dir("run.json"), "/dev/full", in_dir("r.html"),
					   err, sizeof(err)),
			 0);
	ck_assert_ptr_eq(report_files_text_stream(&rf), stdout);
	ck_assert_int_lt(report_files_write(&rf, &s, true, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "cannot write the CSV report to /dev/full");
	ck_assert_int_eq(entries(), 0);

	ck_assert_int_eq(report_files_open(&rf, NULL, in_dir("r.csv"), "-", err, sizeof(err)), 0);
	ck_assert_ptr_eq(report_files_text_stream(&rf), stderr);
	report_files_abort(&rf);
	ck_assert_int_eq(report_files_open(&rf, "-", NULL, "-", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "only one of"), "got: %s", err);
	ck_assert_int_eq(entries(), 0);
	snapshot_free(&s);
	remove_dir();
}
END_TEST

Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("files");

	tcase_add_test(tc, test_whole_or_nothing);
	tcase_add_test(tc, test_fails_at_once);
	tcase_add_test(tc, test_pipes_in_place);
	tcase_add_test(tc, test_own_link_written_through);
	tcase_add_test(tc, test_planted_in_sticky_directory);
	tcase_add_test(tc, test_planted_during_run);
	tcase_add_test(tc, test_other_owner_in_private_directory);
	tcase_add_test(tc, test_report_files_all_or_nothing);
	suite_add_tcase(s, tc);
	return s;
}
