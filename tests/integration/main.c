/* Runs the integration suites against the real loadscope binary; needs root to load BPF. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "suites.h"

/* CI must never pass by skipping: there, anything that would skip is a failure. */
static bool in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/* Skip outside CI with a reason on stderr, fail inside it. */
static int cannot_run(const char *why)
{
	if (in_ci()) {
		fprintf(stderr, "FAIL: integration tests cannot run under CI: %s\n", why);
		return EXIT_FAILURE;
	}
	fprintf(stderr, "SKIP: integration tests: %s\n", why);
	return LS_EXIT_SKIP;
}

int main(void)
{
	char names[1024], why[256];
	SRunner *runner;
	int failed, progs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0)
		return cannot_run("they load BPF programs and need root (run: sudo make test)");
	if (access(ls_binary(), X_OK)) {
		/* a missing binary is a build problem, never a reason to skip */
		fprintf(stderr,
			"FAIL: %s not found: run the tests from the repository root after "
			"'make loadscope'\n",
			ls_binary());
		return EXIT_FAILURE;
	}
	snprintf(why, sizeof(why), "%s", ls_workload("busy"));
	if (access(why, X_OK)) {
		fprintf(stderr, "FAIL: %s not found: build the workloads first\n", why);
		return EXIT_FAILURE;
	}
	progs = ls_count_progs(0, names, sizeof(names));
	if (progs < 0) {
		snprintf(why, sizeof(why), "cannot list BPF programs: %s", strerror(-progs));
		return cannot_run(why);
	}
	if (progs)
		fprintf(stderr,
			"note: ls_* programs already loaded before the tests (another "
			"loadscope running?): %s; only programs loaded later are checked\n",
			names);
	if (ls_init_base()) {
		perror("FAIL: cannot create a temporary directory");
		return EXIT_FAILURE;
	}

	runner = srunner_create(ls_sched_suite());
	srunner_add_suite(runner, ls_targets_suite());
	srunner_add_suite(runner, ls_cli_suite());
	srunner_add_suite(runner, ls_syscalls_suite());
	srunner_add_suite(runner, ls_analysis_suite());
	srunner_add_suite(runner, ls_demo_suite());
	srunner_add_suite(runner, ls_kernel_suite());
	srunner_add_suite(runner, ls_reports_suite());
	srunner_add_suite(runner, ls_stacks_suite());
	srunner_add_suite(runner, ls_budget_suite());
	srunner_add_suite(runner, ls_cpulimit_suite());
	srunner_add_suite(runner, ls_serve_suite());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	ls_cleanup_base();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
