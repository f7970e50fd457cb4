// SPDX-License-Identifier: GPL-2.0
/* Unit tests for command-line parsing: accepted forms, values, and the one-line errors. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "core/model.h"
#include "cmd/options.h"
#include "suites.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static struct options o;
static char err[256];

static int parse(int argc, char **argv)
{
	return options_parse(argc, argv, &o, err, sizeof(err));
}

START_TEST(test_pid_list_and_command)
{
	char *argv[] = { "loadscope", "-p", "12,34", "--pid", "56", "-d", "1.5", "-o", "run.json",
			 "--threads", "--", "wrk", "-t2", "http://127.0.0.1/", NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert_uint_eq(o.sel.npids, 3);
	ck_assert_int_eq(o.sel.pids[0], 12);
	ck_assert_int_eq(o.sel.pids[1], 34);
	ck_assert_int_eq(o.sel.pids[2], 56);
	ck_assert_double_eq_tol(o.duration_s, 1.5, 1e-9);
	ck_assert_str_eq(o.json_path, "run.json");
	ck_assert(o.threads);
	ck_assert(o.sel.children);
	ck_assert(!o.no_syscalls);
	ck_assert_uint_eq(o.max_threads, DEFAULT_MAX_THREADS);
	ck_assert_ptr_nonnull(o.command);
	ck_assert_str_eq(o.command[0], "wrk");
	ck_assert_str_eq(o.command[1], "-t2");
	ck_assert_ptr_null(o.command[3]);
	options_free(&o);
}
END_TEST

START_TEST(test_command_without_dashdash)
{
	/* the first non-option starts COMMAND; its own options are not ours */
	char *argv[] = { "loadscope", "-d", "2", "sleep", "-x", NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert_uint_eq(o.sel.npids, 0);
	ck_assert_str_eq(o.command[0], "sleep");
	ck_assert_str_eq(o.command[1], "-x");
	options_free(&o);
}
END_TEST

START_TEST(test_long_forms)
{
	char *argv[] = { "loadscope", "--duration=3", "--json=-", "--raw-tp", "--max-threads",
			 "100", "-v", "--pid=7", "--interval=0.5", "--no-syscalls", "--strict", NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert(o.no_syscalls);
	ck_assert(o.strict);
	ck_assert_double_eq_tol(o.duration_s, 3.0, 1e-9);
	ck_assert_double_eq_tol(o.interval_s, 0.5, 1e-9);
	ck_assert_str_eq(o.json_path, "-");
	ck_assert(o.raw_tp);
	ck_assert(o.verbose);
	ck_assert_uint_eq(o.max_threads, 100);
	ck_assert_int_eq(o.sel.pids[0], 7);
	ck_assert_ptr_null(o.command);
	options_free(&o);
}
END_TEST

struct bad_case {
	const char *args[6];
	const char *message; /* a part the error line must contain */
};

static const struct bad_case bad_cases[] = {
	{ { "-p", "12,abc" }, "invalid PID 'abc'" },
	{ { "-p", "0" }, "invalid PID '0'" },
	{ { "-p", "-5" }, "invalid PID '-5'" },
	{ { "-p", "99999999999" }, "invalid PID" },
	{ { "-p", "1," }, "trailing comma" },
	{ { "-p", "" }, "empty list" },
	{ { "-p", "1", "-d", "0" }, "positive number of seconds, got '0'" },
	{ { "-p", "1", "-d", "-3" }, "positive number of seconds, got '-3'" },
	{ { "-p", "1", "-d", "abc" }, "positive number of seconds, got 'abc'" },
	{ { "-p", "1", "-d", "nan" }, "positive number of seconds" },
	{ { "-p", "1", "-d", "inf" }, "positive number of seconds" },
	{ { "-p", "1", "-d", "2s" }, "positive number of seconds, got '2s'" },
	{ { "-p", "1", "-i", "0.05" }, "--interval must be a number of seconds of at least 0.1" },
	{ { "-p", "1", "-i", "x" }, "--interval must be a number of seconds of at least 0.1, got 'x'" },
	{ { "-p", "1", "--bogus" }, "unknown option '--bogus'" },
	{ { "-p", "1", "-x" }, "unknown option '-x'" },
	{ { "-p" }, "option -p needs a value" },
	{ { "-p", "1", "--max-threads", "0" }, "--max-threads must be between" },
	{ { "-p", "1", "-o", "" }, "--json needs a file name" },
	{ { "-d", "1" }, "no targets" },
	{ { "-p", "1", "--csv", "" }, "--csv needs a file name" },
	{ { "-p", "1", "--html", "" }, "--html needs a file name" },
	{ { "-p", "1", "-o", "-", "--html", "-" }, "only one of --json, --csv and --html can be -" },
	{ { "-p", "1", "--csv", "-", "--html=-" }, "only one of --json, --csv and --html can be -" },
	{ { "-n", "a-name-of-16-chr" }, "the kernel keeps at most 15" },
	{ { "-n", "" }, "--comm needs a process name" },
	{ { "-c", "" }, "--cgroup needs a path" },
	{ { "-C", "3f2a9c1b7e4" }, "from 12 to 64 hex characters" },
	{ { "-C", "3f2a9c1b7e44-web" }, "hexadecimal (0-9, a-f), not '-'" },
	{ { "-C", "nginx-container" }, "hexadecimal" },
	{ { "--no-children", "-d", "1" }, "no targets" },
};

START_TEST(test_bad_input)
{
	const struct bad_case *c = &bad_cases[_i];
	char *argv[8] = { "loadscope" };
	int argc = 1;

	for (int k = 0; k < 6 && c->args[k]; k++)
		argv[argc++] = (char *)c->args[k];
	argv[argc] = NULL;
	ck_assert_int_eq(parse(argc, argv), -EINVAL);
	ck_assert_msg(strstr(err, c->message), "error '%s' lacks '%s'", err, c->message);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(o.sel.pids);
}
END_TEST

/* The CSV and HTML reports, beside the JSON one; one of them may go to stdout. */
START_TEST(test_report_files)
{
	char *argv[] = { "loadscope", "-p", "1", "--csv", "run.csv", "--html=-", "-o", "run.json",
			 NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert_str_eq(o.csv_path, "run.csv");
	ck_assert_str_eq(o.html_path, "-");
	ck_assert_str_eq(o.json_path, "run.json");
	options_free(&o);
}
END_TEST

/* -n, -c, -C repeat and combine with -p; COMMAND is then the load. */
START_TEST(test_selectors)
{
	char *argv[] = { "loadscope", "-n", "nginx", "--comm", "php-fpm", "-c", "system.slice/x",
			 "--cgroup=/sys/fs/cgroup/y", "-C", "3F2A9C1B7E44", "--container",
			 "0123456789abcdef", "-p", "7", "--no-children", "--", "wrk", NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert_uint_eq(o.sel.ncomms, 2);
	ck_assert_str_eq(o.sel.comms[0], "nginx");
	ck_assert_str_eq(o.sel.comms[1], "php-fpm");
	ck_assert_uint_eq(o.sel.ncgroups, 2);
	ck_assert_str_eq(o.sel.cgroups[0], "system.slice/x");
	ck_assert_str_eq(o.sel.cgroups[1], "/sys/fs/cgroup/y");
	ck_assert_uint_eq(o.sel.ncontainers, 2);
	ck_assert_str_eq(o.sel.containers[0], "3f2a9c1b7e44"); /* lowercased */
	ck_assert_str_eq(o.sel.containers[1], "0123456789abcdef");
	ck_assert(!o.sel.children);
	ck_assert(selectors_any(&o.sel));
	ck_assert_str_eq(o.command[0], "wrk");
	options_free(&o);
}
END_TEST

START_TEST(test_selector_limits)
{
	char *argv[32] = { "loadscope" }, names[LS_MAX_COMMS + 1][8];
	int argc = 1;

	/* a 15-character name is the longest the kernel keeps */
	argv[argc++] = "-n";
	argv[argc++] = "fifteen-chars-x";
	for (int i = 0; i < LS_MAX_COMMS; i++) {
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		argv[argc++] = "-n";
		argv[argc++] = names[i];
	}
	argv[argc] = NULL;
	ck_assert_int_eq(parse(argc, argv), -EINVAL);
	ck_assert_msg(strstr(err, "--comm given more than 8 times"), "%s", err);

	argc = 1;
	for (int i = 0; i < LS_MAX_CGROUPS; i++) {
		argv[argc++] = "-c";
		argv[argc++] = "a";
	}
	argv[argc++] = "-C";
	argv[argc++] = "0123456789ab";
	argv[argc] = NULL;
	ck_assert_int_eq(parse(argc, argv), -EINVAL);
	ck_assert_msg(strstr(err, "more than 8 --cgroup and --container"), "%s", err);
	ck_assert_ptr_null(o.sel.containers);

	argc = 1;
	argv[argc++] = "-n";
	argv[argc++] = "fifteen-chars-x";
	argv[argc] = NULL;
	ck_assert_int_eq(parse(argc, argv), 0);
	ck_assert(o.sel.children);
	ck_assert(!o.no_syscalls);
	options_free(&o);
}
END_TEST

START_TEST(test_help)
{
	char *argv[] = { "loadscope", "-h", NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert(o.help);
	options_free(&o);
}
END_TEST

/* --features needs no target, and -v after it still counts. */
START_TEST(test_features)
{
	char *argv[] = { "loadscope", "--features", "-v", NULL };

	ck_assert_int_eq(parse(ARGC(argv), argv), 0);
	ck_assert(o.features);
	ck_assert(o.verbose);
	ck_assert_ptr_null(o.command);
	options_free(&o);
}
END_TEST

Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_pid_list_and_command);
	tcase_add_test(tc, test_command_without_dashdash);
	tcase_add_test(tc, test_long_forms);
	tcase_add_loop_test(tc, test_bad_input, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_selectors);
	tcase_add_test(tc, test_selector_limits);
	tcase_add_test(tc, test_help);
	tcase_add_test(tc, test_report_files);
	tcase_add_test(tc, test_features);
	suite_add_tcase(s, tc);
	return s;
}
