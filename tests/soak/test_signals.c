/*
 * Signal cases: SIGKILL and SIGINT/SIGTERM at random moments of a run (attaching, observing,
 * writing the reports). SOAK_SEED picks the moments (printed, to replay a failure).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "soak.h"

#define ROUNDS		  50
#define RUN_SECONDS	  "0.4"
#define LATEST_SIGNAL_S	  1.0 /* attach, 0.4 s of observing and the reports fit in it */
#define COMMAND_GONE_S	  5.0 /* a COMMAND's SIGTERM on loadscope's death, and its exit */
#define TARGET_SECONDS	  "600"

static unsigned int seed(void)
{
	const char *v = getenv("SOAK_SEED");

	return v ? (unsigned int)strtoul(v, NULL, 10) : (unsigned int)getpid();
}

/* A file of the run that exists must be whole: the JSON a report, the HTML and CSV complete. */
static bool whole(const char *dir, const char *name, char *why, size_t len)
{
	const char *path = ls_path(dir, name);
	char tail[16] = "";
	long size;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return true;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size >= 8) {
		fseek(f, -8, SEEK_END);
		tail[fread(tail, 1, 8, f)] = '\0';
	}
	fclose(f);
	if (strstr(name, ".json")) {
		json_error_t err;
		json_t *j = json_load_file(path, 0, &err);
		bool ok = json_is_object(j) && json_object_get(j, "processes");

		json_decref(j);
		if (!ok)
			snprintf(why, len, "%s is not a whole report: %s", name, err.text);
		return ok;
	}
	if (strstr(name, ".html") && !strstr(tail, "</html>")) {
		snprintf(why, len, "%s does not end with </html>", name);
		return false;
	}
	if (size <= 0 || tail[strlen(tail) - 1] != '\n') {
		snprintf(why, len, "%s is empty or does not end a line", name);
		return false;
	}
	return true;
}

/* Files in dir other than the three reports: a temporary left behind shows here. */
static int strays(const char *dir, char *names, size_t len)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	names[0] = '\0';
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		if (!strcmp(e->d_name, "r.json") || !strcmp(e->d_name, "r.csv") ||
		    !strcmp(e->d_name, "r.html") || !strcmp(e->d_name, "err") ||
		    !strcmp(e->d_name, "oracle.json"))
			continue;
		n++;
		strncat(names, e->d_name, len - strlen(names) - 2);
		strncat(names, " ", len - strlen(names) - 1);
	}
	closedir(d);
	return n;
}

static void clear(const char *dir)
{
	unlink(ls_path(dir, "r.json"));
	unlink(ls_path(dir, "r.csv"));
	unlink(ls_path(dir, "r.html"));
}

/* The first child of process pid (the COMMAND loadscope runs), or 0. */
static pid_t first_child(pid_t pid)
{
	char path[64];
	int child = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
	}
	return child;
}

static void signal_rounds(bool sigkill)
{
	char dir[PATH_MAX], err_path[PATH_MAX + 8], oracle_path[PATH_MAX + 16];
	const char *target_argv[] = {ls_workload("busy"), oracle_path, "1", TARGET_SECONDS, NULL};
	unsigned int s = seed();
	int complete = 0, written = 0, commands = 0, left;
	char pidarg[16], why[256] = "", names[512], progs[512];
	struct ls_cmp c = {0};
	pid_t target;

	snprintf(dir, sizeof(dir), "%s", ls_tmpdir());
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	snprintf(oracle_path, sizeof(oracle_path), "%s/oracle.json", dir);
	target = ls_spawn(target_argv, NULL, NULL);
	snprintf(pidarg, sizeof(pidarg), "%d", target);
	srand(s);
	for (int round = 0; round < ROUNDS; round++) {
		double at = LATEST_SIGNAL_S * rand() / RAND_MAX;
		int sig = sigkill ? SIGKILL : round % 2 ? SIGTERM : SIGINT, status;
		bool with_command = sigkill && round % 2;
		uint32_t baseline = ls_bpf_max_prog_id();
		struct ls_args a;
		pid_t ls, command = 0;

		ls_args_loadscope(&a, false);
		ls_args_add(&a, "-p", pidarg, "-o", ls_path(dir, "r.json"), "--csv",
			    ls_path(dir, "r.csv"), "--html", ls_path(dir, "r.html"), NULL);
		/* SIGINT, SIGTERM: no -d, the signal ends the run; SIGKILL: within or after it */
		if (sigkill)
			ls_args_add(&a, "-d", RUN_SECONDS, NULL);
		if (with_command)
			ls_args_add(&a, "--", "sleep", TARGET_SECONDS, NULL);
		ls = ls_spawn(a.argv, NULL, err_path);
		ls_sleep_s(at);
		if (with_command)
			command = first_child(ls);
		kill(ls, sig);
		status = ls_wait(ls, 60, NULL);
		if (!sigkill) {
			ls_cmp_true(&c, status == 0, "round %d: %s after %.3f s: exit %d: %s", round,
				    strsignal(sig), at, status, ls_file_tail(err_path));
			ls_cmp_true(&c, !access(ls_path(dir, "r.json"), F_OK) &&
					    !access(ls_path(dir, "r.csv"), F_OK) &&
					    !access(ls_path(dir, "r.html"), F_OK),
				    "round %d: %s after %.3f s: not every report was written", round,
				    strsignal(sig), at);
		}
		for (int i = 0; i < 3; i++) {
			static const char *const files[] = {"r.json", "r.csv", "r.html"};

			why[0] = '\0';
			ls_cmp_true(&c, whole(dir, files[i], why, sizeof(why)), "round %d (%s after "
				    "%.3f s): %s", round, strsignal(sig), at, why);
		}
		complete += !access(ls_path(dir, "r.json"), F_OK);
		written += !access(ls_path(dir, "r.html"), F_OK);
		ls_cmp_true(&c, strays(dir, names, sizeof(names)) == 0,
			    "round %d (%s after %.3f s): files left behind: %s", round,
			    strsignal(sig), at, names);
		left = ls_count_progs(baseline, progs, sizeof(progs));
		if (left > 0)
			ls_assert_no_progs(baseline); /* after its grace period; names them */
		if (command > 0) {
			double t0 = ls_now_s();

			while (!kill(command, 0) && ls_now_s() - t0 < COMMAND_GONE_S)
				ls_sleep_s(0.05);
			ls_cmp_true(&c, kill(command, 0) != 0,
				    "round %d: the COMMAND %d outlived loadscope by %.0f s", round,
				    command, COMMAND_GONE_S);
			commands++;
		}
		clear(dir);
	}
	kill(target, SIGKILL);
	ls_wait(target, 10, NULL);
	if (sigkill)
		soak_result("kill -9", "%s: %d SIGKILLs at random moments (seed %u): no program "
			    "left, no partial or temporary file (%d runs had written theirs), %d "
			    "COMMANDs ended with it", c.failures ? "FAIL" : "ok", ROUNDS, s, complete,
			    commands);
	else
		soak_result("signals", "%s: %d SIGINT/SIGTERM at random moments (seed %u): exit 0, "
			    "%d complete reports of %d, every program detached",
			    c.failures ? "FAIL" : "ok", ROUNDS, s, written, ROUNDS);
	ls_cmp_done(&c, sigkill ? "kill -9" : "signals");
}

START_TEST(test_kill9)
{
	signal_rounds(true);
}
END_TEST

START_TEST(test_signals)
{
	signal_rounds(false);
}
END_TEST

Suite *soak_signals_suite(void)
{
	Suite *s = suite_create("signals");
	TCase *tc = tcase_create("signals");

	tcase_set_timeout(tc, SOAK_MARGIN_S);
	tcase_add_test(tc, test_kill9);
	tcase_add_test(tc, test_signals);
	suite_add_tcase(s, tc);
	return s;
}
