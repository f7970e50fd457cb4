/* Integration tests of the CSV and HTML reports: of a run, of `loadscope report`, bad input. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

#define OFFLINE_TIMEOUT_S 15.0

/* A saved run of a sleeper, made once for the suite by the unchecked fixture. */
static char run_path[4096];

static void make_run(void)
{
	const char *sleeper[] = {"sleep", "30", NULL};
	struct ls_result r;
	struct ls_args a;
	char pid_arg[16];
	pid_t pid;

	snprintf(run_path, sizeof(run_path), "%s", ls_path(ls_tmpdir(), "run.json"));
	pid = ls_spawn(sleeper, NULL, NULL);
	snprintf(pid_arg, sizeof(pid_arg), "%d", pid);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-p", pid_arg, "-d", "0.2", "-o", run_path, NULL);
	ls_run(a.argv, 60, &r);
	kill(pid, SIGKILL);
	ls_wait(pid, 5, NULL);
	if (r.status != 0) {
		fprintf(stderr, "cannot make a saved run (exit %d): %s", r.status, r.err);
		abort();
	}
	ls_result_free(&r);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	ck_assert_msg(f != NULL, "cannot read %s", path);
	ck_assert_int_ne(getdelim(&buf, &cap, '\0', f), -1);
	*len = (size_t)ftell(f);
	fclose(f);
	return buf;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* `loadscope report IN --csv OUT.csv --html OUT.html [extra]`, run to completion. */
static void report(const char *in, const char *csv, const char *html, const char *extra,
		   struct ls_result *r)
{
	struct ls_args a;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "report", in, NULL);
	if (csv)
		ls_args_add(&a, "--csv", csv, NULL);
	if (html)
		ls_args_add(&a, "--html", html, NULL);
	if (extra)
		ls_args_add(&a, extra, NULL);
	ls_run(a.argv, OFFLINE_TIMEOUT_S, r);
}

START_TEST(test_report_files)
{
	const char *dir = ls_tmpdir(), *csv = ls_path(dir, "run.csv"),
		   *html = ls_path(dir, "run.html");
	struct ls_result r;
	char *text;
	size_t len;

	report(run_path, csv, html, "--threads", &r);
	ck_assert_msg(r.status == 0, "report exited %d: %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "RUN-QUEUE WAITS"), "no text report on stdout: %.200s", r.out);
	text = read_file(html, &len);
	ck_assert_msg(!strncmp(text, "<!DOCTYPE html>", 15), "not a page: %.80s", text);
	ck_assert_ptr_nonnull(strstr(text, "<svg class=\"chart\" id=\"states\""));
	ck_assert_ptr_nonnull(strstr(text, "</html>\n"));
	free(text);
	text = read_file(csv, &len);
	ck_assert_msg(!strncmp(text, "kind,pid,tid,", 13), "not the CSV header: %.80s", text);
	ck_assert_ptr_nonnull(strstr(text, "\r\nprocess,"));
	ck_assert_ptr_nonnull(strstr(text, "\r\nthread,"));
	free(text);
	ls_result_free(&r);

	/* one of them on stdout, alone; the text report goes to stderr */
	report(run_path, NULL, "-", NULL, &r);
	ck_assert_msg(r.status == 0, "report exited %d: %s", r.status, r.err);
	ck_assert_msg(!strncmp(r.out, "<!DOCTYPE html>", 15), "stdout: %.80s", r.out);
	ck_assert_msg(strstr(r.err, "RUN-QUEUE WAITS"), "no text report on stderr: %.200s", r.err);
	ls_result_free(&r);
	report(run_path, "-", NULL, NULL, &r);
	ck_assert_msg(r.status == 0 && !strncmp(r.out, "kind,pid,", 9), "exit %d, stdout: %.80s",
		      r.status, r.out);
	ls_result_free(&r);
}
END_TEST

/*
 * The JSON keeps everything the text report shows: `loadscope report` of a saved run prints the
 * same text as the run did, byte for byte (a run with threads, syscalls, waits and -i intervals).
 */
START_TEST(test_report_same_text)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "same.json");
	const char *command[] = { ls_workload("halfidle"), ls_path(dir, "oracle.json"), "20", "10",
				  "10", NULL };
	struct ls_result run, again;
	struct ls_args a;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--threads", "-i", "0.2", "-o", out, "--", NULL);
	for (int i = 0; command[i]; i++)
		ls_args_add(&a, command[i], NULL);
	ls_run(a.argv, 60, &run);
	ck_assert_msg(run.status == 0, "the run exited %d: %s", run.status, run.err);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "report", "--threads", out, NULL);
	ls_run(a.argv, OFFLINE_TIMEOUT_S, &again);
	ck_assert_msg(again.status == 0, "report exited %d: %s", again.status, again.err);
	/* the run's stdout also has the -i lines before its report */
	ck_assert_msg(strlen(run.out) >= strlen(again.out) &&
			      !strcmp(run.out + strlen(run.out) - strlen(again.out), again.out),
		      "report printed another text:\n%s\nthe run printed:\n%s", again.out, run.out);
	ck_assert_msg(strstr(again.out, "SYSCALLS"), "no syscall section: %.200s", again.out);
	ls_result_free(&run);
	ls_result_free(&again);
}
END_TEST

/* A saved run that cannot be read: one line naming it, exit 1, and no output file at all. */
struct bad_run {
	const char *name;
	const char *content;	/* NULL: the file does not exist; "HALF": the run cut in half */
	const char *message[2]; /* the line contains both (the second may be NULL) */
};

static const struct bad_run bad_runs[] = {
	{"missing file", NULL, {"cannot open: No such file or directory"}},
	{"empty file", "", {"empty file: not a loadscope run"}},
	{"truncated", "HALF", {"invalid JSON", "end of file"}},
	{"garbage",
	 "\x7f"
	 "ELF\x02\x01\x01 binary \xff\xfe",
	 {":1:1: invalid JSON"}},
	{"another schema",
	 "{\"schema\": \"otherprof/3\", \"version\": 1}",
	 {"not a loadscope run (schema \"otherprof/3\""}},
	{"not an object", "[1, 2, 3]\n", {"not a loadscope run (the top level is an array"}},
	{"newer schema",
	 "{\"schema\": \"loadscope/2\", \"version\": 2, \"kernel\": \"x\"}",
	 {"written by a newer loadscope (schema version 2)", "upgrade loadscope"}},
	{"wrong field",
	 "{\"schema\": \"loadscope/1\", \"version\": 1, \"kernel\": 7}",
	 {"field kernel should be a string, not 7"}},
};

START_TEST(test_bad_run)
{
	const struct bad_run *bad = &bad_runs[_i];
	const char *dir = ls_tmpdir(), *in = ls_path(dir, "in.json"), *csv = ls_path(dir, "r.csv"),
		   *html = ls_path(dir, "r.html");
	struct ls_result r;
	char *nl, *full;
	size_t len;

	if (!bad->content) {
		in = ls_path(dir, "no-such-run.json");
	} else if (!strcmp(bad->content, "HALF")) {
		/* cut at the end of a line, between two tokens: the reader meets the end of the
		 * file where a value should be, wherever half the file falls */
		full = read_file(run_path, &len);
		for (len /= 2; len > 1 && full[len - 1] != '\n'; len--)
			;
		write_file(in, full, len);
		free(full);
	} else {
		write_file(in, bad->content, strlen(bad->content));
	}
	for (int kind = 0; kind < 3; kind++) {
		report(in, kind != 1 ? csv : NULL, kind != 0 ? html : NULL, NULL, &r);
		if (ls_verbose())
			printf("# report, %s: exit %d, stderr: %s", bad->name, r.status, r.err);
		ck_assert_msg(r.status == 1, "%s: exit %d, expected 1; stderr: %s", bad->name,
			      r.status, r.err);
		ck_assert_msg(!strncmp(r.err, "loadscope: ", 11), "%s: stderr: %s", bad->name,
			      r.err);
		nl = strchr(r.err, '\n');
		ck_assert_msg(nl && nl[1] == '\0', "%s: not one line: %s", bad->name, r.err);
		ck_assert_msg(strstr(r.err, in), "%s: the file is not named: %s", bad->name, r.err);
		for (int i = 0; i < 2 && bad->message[i]; i++)
			ck_assert_msg(strstr(r.err, bad->message[i]), "%s: '%s' not in: %s",
				      bad->name, bad->message[i], r.err);
		ck_assert_msg(!exists(csv) && !exists(html), "%s: an output file was written",
			      bad->name);
		ck_assert_str_eq(r.out, "");
		ls_result_free(&r);
	}
}
END_TEST

/* A syntax error says where, as line:column after the file name. */
START_TEST(test_syntax_error_position)
{
	const char *dir = ls_tmpdir(), *in = ls_path(dir, "in.json");
	const char *text = "{\n  \"schema\": \"loadscope/1\",\n  \"version\": 1,,\n}\n";
	char expected[4200];
	struct ls_result r;

	write_file(in, text, strlen(text));
	report(in, NULL, ls_path(dir, "r.html"), NULL, &r);
	snprintf(expected, sizeof(expected), "loadscope: %s:3:16: invalid JSON: ", in);
	ck_assert_msg(r.status == 1 && !strncmp(r.err, expected, strlen(expected)),
		      "exit %d, stderr: %s", r.status, r.err);
	ls_result_free(&r);
}
END_TEST

/* Options that cannot work are refused before anything is read or written. */
START_TEST(test_bad_options)
{
	const char *dir = ls_tmpdir();
	struct ls_result r;
	struct ls_args a;

	report(run_path, "-", "-", NULL, &r);
	ck_assert_msg(r.status == 2 && strstr(r.err, "only one of"), "exit %d, stderr: %s",
		      r.status, r.err);
	ls_result_free(&r);
	report(run_path, NULL, "/nonexistent-dir/r.html", NULL, &r);
	ck_assert_msg(r.status == 1 && strstr(r.err, "cannot write /nonexistent-dir/r.html") &&
			      !strstr(r.out, "RUN-QUEUE"),
		      "exit %d, stderr: %s", r.status, r.err);
	ls_result_free(&r);
	report(run_path, dir, NULL, NULL, &r);
	ck_assert_msg(r.status == 1 && strstr(r.err, "it is a directory"), "exit %d, stderr: %s",
		      r.status, r.err);
	ls_result_free(&r);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "report", run_path, "--html", NULL);
	ls_run(a.argv, OFFLINE_TIMEOUT_S, &r);
	ck_assert_msg(r.status == 2 && strstr(r.err, "needs a value"), "exit %d, stderr: %s",
		      r.status, r.err);
	ls_result_free(&r);
}
END_TEST

/* A run writes the CSV and HTML reports beside the JSON one, with per-thread rows in the CSV. */
START_TEST(test_run_writes_reports)
{
	const char *dir = ls_tmpdir(), *csv = ls_path(dir, "run.csv"),
		   *html = ls_path(dir, "run.html");
	const char *command[] = {"/bin/sh", "-c", "sleep 0.1", NULL};
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_result r;
	struct ls_args a;
	char *text;
	size_t len;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--csv", csv, "--html", html, "--threads", "--", command[0], command[1],
		    command[2], NULL);
	ls_run(a.argv, 60, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d: %s", r.status, r.err);
	ls_assert_no_progs(baseline);
	text = read_file(csv, &len);
	ck_assert_msg(!strncmp(text, "kind,pid,tid,", 13) && strstr(text, "\r\nthread,"),
		      "CSV: %.200s", text);
	/* the shell, or what it ran in its place */
	ck_assert_msg(strstr(text, ",sh,") || strstr(text, ",sleep,"), "no row of the command: %.300s",
		      text);
	free(text);
	text = read_file(html, &len);
	ck_assert_msg(!strncmp(text, "<!DOCTYPE html>", 15) && strstr(text, "</html>\n"),
		      "HTML: %.80s", text);
	ck_assert_ptr_nonnull(strstr(text, "<code>/bin/sh -c 'sleep 0.1'</code>"));
	free(text);
	ls_result_free(&r);

	/* an HTML report that cannot be written fails the run at once, before anything loads */
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--html", "/nonexistent-dir/r.html", "-d", "5", "-p", "1", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 1 && strstr(r.err, "/nonexistent-dir/r.html") &&
			      r.elapsed_s < 1.0,
		      "exit %d after %.2f s: %s", r.status, r.elapsed_s, r.err);
	ls_assert_no_progs(baseline);
	ls_result_free(&r);
}
END_TEST

Suite *ls_reports_suite(void)
{
	Suite *s = suite_create("reports");
	TCase *tc = tcase_create("report");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_unchecked_fixture(tc, make_run, NULL);
	tcase_add_test(tc, test_report_files);
	tcase_add_test(tc, test_report_same_text);
	tcase_add_loop_test(tc, test_bad_run, 0, sizeof(bad_runs) / sizeof(bad_runs[0]));
	tcase_add_test(tc, test_syntax_error_position);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_run_writes_reports);
	suite_add_tcase(s, tc);
	return s;
}
