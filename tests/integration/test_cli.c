/* Integration tests: how loadscope ends, on signals and on bad input. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "suites.h"

/* "End the run cleanly": report written and programs detached within this long of the signal. */
#define SIGNAL_EXIT_S 3.0
/* An unwritable output file is found before anything is loaded, so the exit is this quick. */
#define EARLY_FAILURE_S	    1.0
#define BAD_INPUT_TIMEOUT_S 15.0
/* From start to attached: about 0.15 s on a host, a few seconds in an emulated guest. */
#define STARTUP_WAIT_S 30.0
/* What loadscope -v says once its programs are attached. */
#define ATTACHED_LINE "loadscope: attached"

static const int stop_signals[] = {SIGINT, SIGTERM};

static bool file_contains(const char *path, const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

/* loadscope help: the command table, exit 0; "loadscope -- help" would run a program so named. */
START_TEST(test_help)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "help.txt");
	const char *argv[] = {ls_binary(), "help", NULL};
	const char *commands[] = {"report", "diff", "help"};
	char line[256], *name;
	int status, seen = 0;
	FILE *f;

	status = ls_wait(ls_spawn(argv, out, NULL), BAD_INPUT_TIMEOUT_S, NULL);
	ck_assert_msg(status == 0, "loadscope help exited %d", status);
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	/* each command on a line of its own: two spaces, its name, its one-line help */
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			name = line + 2;
			if (!strncmp(line, "  ", 2) && !strncmp(name, commands[i], strlen(commands[i])) &&
			    name[strlen(commands[i])] == ' ' && strlen(name) > strlen(commands[i]) + 4)
				seen |= 1 << i;
		}
	fclose(f);
	ck_assert_msg(seen == 7, "loadscope help lists the commands %#x of 0x7", seen);
}
END_TEST

/* SIGINT or SIGTERM in the middle of a -d 30 run: exit 0 soon after, with the full report. */
START_TEST(test_signal)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	/* spins longer than the slowest start-up (an emulated guest under load); killed below */
	const char *busy_argv[] = {ls_workload("busy"), ls_path(dir, "oracle.json"), "1", "60",
				   NULL};
	const char *err_path = ls_path(dir, "stderr.txt");
	int sig = stop_signals[_i], status;
	uint32_t baseline;
	long long duration, lifetime_ns;
	json_t *report;
	struct ls_args a;
	char pid_arg[16];
	pid_t busy, ls;
	double elapsed, start;

	busy = ls_spawn(busy_argv, NULL, NULL);
	ck_assert_msg(ls_wait_threads(busy, 2, 5), "busy did not start its thread");
	snprintf(pid_arg, sizeof(pid_arg), "%d", busy);

	baseline = ls_bpf_max_prog_id();
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-d", "30", "-p", pid_arg, "-o", out, NULL);
	start = ls_now_s();
	ls = ls_spawn(a.argv, NULL, err_path);
	/* the second counts from the attach: start-up takes long on a slow (emulated) CPU */
	while (!file_contains(err_path, ATTACHED_LINE) && ls_now_s() - start < STARTUP_WAIT_S)
		ls_sleep_s(0.02);
	ck_assert_msg(file_contains(err_path, ATTACHED_LINE),
		      "no '%s' line on stderr within %.0f s", ATTACHED_LINE, STARTUP_WAIT_S);
	ls_sleep_s(1.0);
	ck_assert_int_eq(kill(ls, sig), 0);
	status = ls_wait(ls, 10, &elapsed);
	lifetime_ns = (ls_now_s() - start) * 1e9;
	if (ls_verbose())
		printf("# %s after 1 s: exit %d %.3f s later\n", strsignal(sig), status, elapsed);
	ck_assert_msg(status == 0, "loadscope exited %d after %s", status, strsignal(sig));
	ck_assert_msg(elapsed <= SIGNAL_EXIT_S, "loadscope took %.2f s to exit after %s", elapsed,
		      strsignal(sig));
	ls_assert_no_progs(baseline);

	report = ls_load_json(out);
	ls_check_report(report);
	duration = ls_int(report, "duration_ns");
	ck_assert_msg(
		duration >= 900000000LL && duration <= lifetime_ns,
		"stopped 1 s after attaching but duration_ns is %lld (loadscope lived %lld ns)",
		duration, lifetime_ns);
	ck_assert_msg(ls_find_process(report, busy), "busy (pid %d) is not in the report", busy);
	ck_assert_int_gt(ls_int(ls_find_process(report, busy), "cpu_ns"), 0);
	kill(busy, SIGKILL);
	ls_wait(busy, 5, NULL);
	json_decref(report);
}
END_TEST

/*
 * The programs loaded while a run is attached: light mode (_i 1) loads no syscall program nor
 * the TCP state program only the accept path reads; the full mode (_i 0) loads them.
 */
START_TEST(test_light_programs)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *err_path = ls_path(dir, "stderr.txt");
	const char *sleeper_argv[] = {"sleep", "30", NULL};
	static const char *const syscall_progs[] = {"ls_sys_enter", "ls_sys_exit",
						    "ls_inet_state"};
	bool light = _i == 1;
	uint32_t baseline;
	struct ls_args a;
	char pid_arg[16], names[2048];
	pid_t sleeper, ls;
	double start;
	int status;

	sleeper = ls_spawn(sleeper_argv, NULL, NULL);
	snprintf(pid_arg, sizeof(pid_arg), "%d", sleeper);
	baseline = ls_bpf_max_prog_id();
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-d", "30", "-p", pid_arg, "-o", out, NULL);
	if (light)
		ls_args_add(&a, "--no-syscalls", NULL);
	start = ls_now_s();
	ls = ls_spawn(a.argv, NULL, err_path);
	while (!file_contains(err_path, ATTACHED_LINE) && ls_now_s() - start < STARTUP_WAIT_S)
		ls_sleep_s(0.02);
	ck_assert_msg(file_contains(err_path, ATTACHED_LINE),
		      "no '%s' line on stderr within %.0f s", ATTACHED_LINE, STARTUP_WAIT_S);
	ck_assert_int_gt(ls_count_progs(baseline, names, sizeof(names)), 0);
	if (ls_verbose())
		printf("# %s mode loads: %s\n", light ? "light" : "full", names);
	ck_assert_msg(strstr(names, "ls_sched_switch"), "no ls_sched_switch among %s", names);
	for (size_t k = 0; k < sizeof(syscall_progs) / sizeof(syscall_progs[0]); k++)
		ck_assert_msg(!strstr(names, syscall_progs[k]) == light, "%s %s loaded: %s",
			      syscall_progs[k], light ? "is" : "is not", names);
	ck_assert_int_eq(kill(ls, SIGINT), 0);
	status = ls_wait(ls, 10, NULL);
	ck_assert_msg(status == 0, "loadscope exited %d after SIGINT", status);
	ls_assert_no_progs(baseline);
	kill(sleeper, SIGKILL);
	ls_wait(sleeper, 5, NULL);
}
END_TEST

/* A target that does nothing and ends with the test. */
static pid_t spawn_sleeper(char *pid_arg, size_t len)
{
	const char *argv[] = {"sleep", "30", NULL};
	pid_t pid = ls_spawn(argv, NULL, NULL);

	snprintf(pid_arg, len, "%d", pid);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	ls_wait(pid, 5, NULL);
}

/* The command's exit status goes into the report, as a shell reports it; loadscope exits 0. */
static const struct {
	const char *script;
	int status;
} command_exits[] = {
	{"exit 3", 3},
	{"kill -TERM $$", 128 + SIGTERM},
};

START_TEST(test_command_exit)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_result r;
	struct ls_args a;
	json_t *report;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-o", out, "--", "/bin/sh", "-c", command_exits[_i].script, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "loadscope exited %d when its command did '%s'; stderr: %s",
		      r.status, command_exits[_i].script, r.err);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	ck_assert_msg(ls_int(report, "command_exit") == command_exits[_i].status,
		      "command '%s': command_exit %lld, expected %d", command_exits[_i].script,
		      (long long)ls_int(report, "command_exit"), command_exits[_i].status);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* -o - puts the JSON on stdout, alone, so it can be piped into another tool. */
START_TEST(test_json_stdout)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	json_error_t error;
	struct ls_result r;
	struct ls_args a;
	char pid_arg[16];
	json_t *report;
	pid_t target;

	target = spawn_sleeper(pid_arg, sizeof(pid_arg));
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-p", pid_arg, "-d", "0.3", "-o", "-", NULL);
	ls_run(a.argv, 30, &r);
	stop(target);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ls_assert_no_progs(baseline);
	report = json_loads(r.out, 0, &error);
	ck_assert_msg(report, "stdout is not one JSON document: %s (line %d): %.200s", error.text,
		      error.line, r.out);
	ls_check_report(report);
	ck_assert_msg(ls_find_process(report, target), "the -p target is not in the report");
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* A fractional -d is honoured: the run lasts that long, not a rounded second. */
/*
 * --strict: a run whose maps could not hold every thread (--max-threads 1 for a process of 3)
 * writes its reports, names each counter that is not 0 in the text report, and exits 3; the same
 * run with room for them exits 0.
 */
START_TEST(test_strict)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	const char *busy[] = {ls_workload("busy"), ls_path(dir, "oracle.json"), "2", "0.2", NULL};
	const json_t *drops, *v;
	const char *name;
	struct ls_result r;
	struct ls_args a;
	json_t *report;
	char want[64];

	for (int tight = 1; tight >= 0; tight--) {
		ls_args_loadscope(&a, false);
		ls_args_add(&a, "--strict", "-o", out, NULL);
		if (tight)
			ls_args_add(&a, "--max-threads", "1", NULL);
		ls_args_add(&a, "--", busy[0], busy[1], busy[2], busy[3], NULL);
		ls_run(a.argv, 60, &r);
		report = ls_load_json(out);
		drops = json_object_get(report, "drops");
		if (!tight) {
			ck_assert_msg(r.status == 0, "--strict with room: exit %d; stderr: %s",
				      r.status, r.err);
			ck_assert_ptr_null(strstr(r.out, "warning:"));
			json_decref(report);
			ls_result_free(&r);
			continue;
		}
		ck_assert_msg(r.status == 3, "--strict, 2 threads not tracked: exit %d; stderr: %s",
			      r.status, r.err);
		ck_assert_msg(strstr(r.err, "loadscope: --strict: ") && strchr(r.err, '\n') &&
				      !strchr(r.err, '\n')[1],
			      "--strict: not one line on stderr: %s", r.err);
		/* the main thread took the one slot; its two spinners did not fit */
		ck_assert_int_eq(ls_int(drops, "threads_full"), 2);
		json_object_foreach((json_t *)drops, name, v)
		{
			if (!json_integer_value(v))
				continue;
			snprintf(want, sizeof(want), "warning: %lld lost (%s): ",
				 (long long)json_integer_value(v), name);
			ck_assert_msg(strstr(r.out, want), "no \"%s\" in the text report:\n%.1500s",
				      want, r.out);
		}
		json_decref(report);
		ls_result_free(&r);
	}
}
END_TEST

START_TEST(test_fractional_duration)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_result r;
	struct ls_args a;
	char pid_arg[16];
	long long duration;
	json_t *report;
	pid_t target;

	target = spawn_sleeper(pid_arg, sizeof(pid_arg));
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-p", pid_arg, "-d", "0.5", "-o", out, NULL);
	ls_run(a.argv, 30, &r);
	stop(target);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	duration = ls_int(report, "duration_ns");
	/* not rounded to a whole second, and within what the test saw of loadscope's life */
	ck_assert_msg(
		duration >= 500000000LL && duration < 1000000000LL && duration <= r.elapsed_s * 1e9,
		"-d 0.5 but duration_ns is %lld (loadscope lived %.3f s)", duration, r.elapsed_s);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* -v shows libbpf's own messages; without it they stay hidden. */
START_TEST(test_verbose)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	struct ls_result quiet, verbose;
	struct ls_args a;
	char pid_arg[16];
	pid_t target;

	target = spawn_sleeper(pid_arg, sizeof(pid_arg));
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-p", pid_arg, "-d", "0.2", NULL);
	ls_run(a.argv, 30, &quiet);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-v", "-p", pid_arg, "-d", "0.2", NULL);
	ls_run(a.argv, 30, &verbose);
	stop(target);
	ck_assert_msg(quiet.status == 0 && verbose.status == 0, "loadscope exited %d, with -v %d",
		      quiet.status, verbose.status);
	ls_assert_no_progs(baseline);
	ck_assert_msg(!strstr(quiet.err, "libbpf: "), "libbpf messages without -v: %.300s",
		      quiet.err);
	ck_assert_msg(strstr(verbose.err, "libbpf: "), "no libbpf messages with -v: %.300s",
		      verbose.err);
	ls_result_free(&quiet);
	ls_result_free(&verbose);
}
END_TEST

/* One way to call loadscope wrongly, and what the error must say. */
struct bad_input {
	const char *name;
	const char *args[8]; /* after the binary; "$PID" is replaced by a pid that cannot exist */
	int wrap;	     /* run under WRAP_* */
	int status;	     /* expected exit status, as the README defines it: 1, 2 or 127 */
	const char *mention[2]; /* the message names at least one of these (case-insensitive) */
	double max_s;		/* must fail within this long; 0 means no limit */
};

enum { WRAP_NONE, WRAP_NOT_ROOT, WRAP_NO_BTF };

/*
 * Every case but the pid ones names a valid target (-p 1: init always exists), so that the
 * fault under test is the only thing wrong with the command line.
 */
static const struct bad_input bad_inputs[] = {
	{"no such pid", {"-p", "$PID", "-d", "1"}, WRAP_NONE, 1, {"$PID"}, 0},
	{"bad pid list", {"-p", "12,abc", "-d", "1"}, WRAP_NONE, 2, {"abc"}, 0},
	{"zero duration", {"-p", "1", "-d", "0"}, WRAP_NONE, 2, {"duration"}, 0},
	{"negative duration", {"-p", "1", "-d", "-3"}, WRAP_NONE, 2, {"duration", "-3"}, 0},
	{"duration not a number", {"-p", "1", "-d", "abc"}, WRAP_NONE, 2, {"duration", "abc"}, 0},
	{"unknown option", {"-p", "1", "--no-such-option"}, WRAP_NONE, 2, {"no-such-option"}, 0},
	{"interval too short", {"-p", "1", "-i", "0.05", "-d", "1"}, WRAP_NONE, 2, {"interval", "0.1"}, 0},
	{"requests not a number", {"-p", "1", "--requests", "many", "-d", "1"}, WRAP_NONE, 2,
	 {"requests", "many"}, 0},
	{"not root", {"-p", "1", "-d", "1"}, WRAP_NOT_ROOT, 1, {"root", "CAP_BPF"}, 0},
	{"missing BTF", {"-p", "1", "-d", "1"}, WRAP_NO_BTF, 1, {"BTF"}, 0},
	{"command cannot be executed",
	 {"-d", "5", "--", "/nonexistent"},
	 WRAP_NONE,
	 127,
	 {"/nonexistent"},
	 0},
	{"output cannot be written",
	 {"-p", "1", "-o", "/nonexistent-dir/x.json", "-d", "5"},
	 WRAP_NONE,
	 1,
	 {"/nonexistent-dir"},
	 EARLY_FAILURE_S},
	/* target selectors: what names nothing fails before anything is loaded */
	{"comm longer than the kernel keeps",
	 {"-n", "a-name-of-16-chr", "-d", "1"},
	 WRAP_NONE,
	 2,
	 {"at most 15"},
	 EARLY_FAILURE_S},
	{"no such cgroup",
	 {"-c", "loadscope-no-such-cgroup", "-d", "1"},
	 WRAP_NONE,
	 1,
	 {"loadscope-no-such-cgroup"},
	 EARLY_FAILURE_S},
	{"cgroup path outside the cgroup2 mount",
	 {"-c", "/tmp", "-d", "1"},
	 WRAP_NONE,
	 1,
	 {"outside the cgroup2 mount"},
	 EARLY_FAILURE_S},
	{"cgroup path not a cgroup v2 directory",
	 {"-c", "cgroup.procs", "-d", "1"},
	 WRAP_NONE,
	 1,
	 {"not a cgroup v2 directory"},
	 EARLY_FAILURE_S},
	{"container ID not hex", {"-C", "3f2a9c1b7e44-web", "-d", "1"}, WRAP_NONE, 2, {"hex"}, 0},
	{"container ID too short", {"-C", "3f2a9c1b7e4", "-d", "1"}, WRAP_NONE, 2, {"12"}, 0},
	{"unknown container",
	 {"-C", "000000000000", "-d", "1"},
	 WRAP_NONE,
	 1,
	 {"000000000000"},
	 EARLY_FAILURE_S},
};

/* The report options a full file system is tried with, one per run. */
static const char *const full_options[] = {"-o", "--csv", "--html"};

/* Entries in dir besides . and .. and the one named keep. */
static int other_entries(const char *dir, const char *keep)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	ck_assert_msg(d, "cannot list %s", dir);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, keep))
			n++;
	closedir(d);
	return n;
}

/*
 * A report file on a full file system (a one-page tmpfs, filled): one line naming the file and
 * the cause with its errno text, exit 1, and no file left behind, temporary or partial.
 */
START_TEST(test_disk_full)
{
	const char *dir = ls_path(ls_tmpdir(), "full"), *file = ls_path(dir, "report.out");
	char fill[4096], want[256];
	struct ls_result r;
	struct ls_args a;
	const char *nl;
	FILE *f;

	memset(fill, 'x', sizeof(fill));
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_msg(!mount("tmpfs", dir, "tmpfs", 0, "size=4k"), "cannot mount a tmpfs on %s",
		      dir);
	f = fopen(ls_path(dir, "filler"), "w");
	ck_assert_ptr_nonnull(f);
	/* what fits of a page and more: the file system is full after it */
	fwrite(fill, 1, sizeof(fill), f);
	fwrite(fill, 1, sizeof(fill), f);
	fclose(f);

	ls_args_loadscope(&a, false);
	ls_args_add(&a, full_options[_i], file, "--", "true", NULL);
	ls_run(a.argv, 60, &r);
	snprintf(want, sizeof(want), "%s: No space left on device", file);
	nl = strchr(r.err, '\n');
	ck_assert_msg(r.status == 1, "%s on a full disk: exit %d; stderr: %s", full_options[_i],
		      r.status, r.err);
	ck_assert_msg(!strncmp(r.err, "loadscope: ", 11) && nl && nl[1] == '\0',
		      "%s on a full disk: stderr is not one loadscope line: %s", full_options[_i],
		      r.err);
	ck_assert_msg(strstr(r.err, want), "%s on a full disk: no \"%s\" in: %s",
		      full_options[_i], want, r.err);
	ck_assert_msg(access(file, F_OK) && other_entries(dir, "filler") == 0,
		      "%s on a full disk left a file in %s", full_options[_i], dir);
	ls_result_free(&r);
	ck_assert_int_eq(umount2(dir, MNT_DETACH), 0);
}
END_TEST

/* A pid above pid_max, which no process can have. */
static const char *impossible_pid(void)
{
	static char buf[24];
	long pid_max = 0;
	FILE *f;

	f = fopen("/proc/sys/kernel/pid_max", "r");
	ck_assert_msg(f && fscanf(f, "%ld", &pid_max) == 1, "cannot read pid_max");
	fclose(f);
	snprintf(buf, sizeof(buf), "%ld", pid_max + 1);
	return buf;
}

static const char *expand(const char *arg)
{
	return strcmp(arg, "$PID") ? arg : impossible_pid();
}

START_TEST(test_bad_input)
{
	const struct bad_input *bad = &bad_inputs[_i];
	uint32_t baseline = ls_bpf_max_prog_id();
	char shell_line[512], *nl;
	struct ls_result r;
	struct ls_args a;
	bool mentioned = false;
	int i;

	memset(&a, 0, sizeof(a));
	if (bad->wrap == WRAP_NOT_ROOT) {
		/* an ordinary user: no capabilities survive the uid change */
		ls_args_add(&a, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			    ls_binary(), NULL);
	} else if (bad->wrap == WRAP_NO_BTF) {
		/* a private mount namespace where /sys/kernel/btf is empty */
		snprintf(shell_line, sizeof(shell_line),
			 "mount -t tmpfs none /sys/kernel/btf && exec %s \"$@\"", ls_binary());
		ls_args_add(&a, "unshare", "-m", "sh", "-c", shell_line, "sh", NULL);
	} else {
		ls_args_add(&a, ls_binary(), NULL);
	}
	for (i = 0; bad->args[i]; i++)
		ls_args_add(&a, expand(bad->args[i]), NULL);

	ls_run(a.argv, BAD_INPUT_TIMEOUT_S, &r);
	if (ls_verbose())
		printf("# bad input '%s': exit %d after %.3f s, stderr: %s", bad->name, r.status,
		       r.elapsed_s, r.err);
	ck_assert_msg(r.status != -1, "%s: loadscope did not exit within %.0f s", bad->name,
		      BAD_INPUT_TIMEOUT_S);
	ck_assert_msg(r.status == bad->status, "%s: exit %d, expected %d; stderr: %s", bad->name,
		      r.status, bad->status, r.err);
	ls_assert_no_progs(baseline);

	ck_assert_msg(!strncmp(r.err, "loadscope: ", 11),
		      "%s: stderr does not start with 'loadscope: ': %s", bad->name, r.err);
	nl = strchr(r.err, '\n');
	ck_assert_msg(nl && nl[1] == '\0', "%s: stderr is not exactly one line: %s", bad->name,
		      r.err);
	for (i = 0; i < 2 && bad->mention[i]; i++)
		mentioned = mentioned || strcasestr(r.err, expand(bad->mention[i]));
	ck_assert_msg(mentioned, "%s: the message does not mention '%s'%s%s: %s", bad->name,
		      expand(bad->mention[0]), bad->mention[1] ? " or " : "",
		      bad->mention[1] ? bad->mention[1] : "", r.err);
	if (bad->max_s)
		ck_assert_msg(r.elapsed_s < bad->max_s, "%s: failed after %.3f s, not at once",
			      bad->name, r.elapsed_s);
	ls_result_free(&r);
}
END_TEST

Suite *ls_cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	tc = tcase_create("signals");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_signal, 0, sizeof(stop_signals) / sizeof(stop_signals[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("light_programs");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_light_programs, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_command_exit, 0,
			    sizeof(command_exits) / sizeof(command_exits[0]));
	tcase_add_test(tc, test_json_stdout);
	tcase_add_test(tc, test_fractional_duration);
	tcase_add_test(tc, test_strict);
	tcase_add_test(tc, test_verbose);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad_input");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_bad_input, 0, sizeof(bad_inputs) / sizeof(bad_inputs[0]));
	tcase_add_loop_test(tc, test_disk_full, 0,
			    sizeof(full_options) / sizeof(full_options[0]));
	suite_add_tcase(s, tc);
	return s;
}
