/*
 * Runs the soak and fault suite against the real loadscope binary; needs root to load BPF.
 * Under CI=true anything that would skip fails, as the integration runner does.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"

double soak_seconds(void)
{
	const char *v = getenv("SOAK_SECONDS");
	double s = v ? strtod(v, NULL) : 3600;

	return s > 0 ? s : 3600;
}

void soak_result(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("soak %-14s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

long soak_rss_kib(int pid)
{
	char path[64], line[256];
	long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int main(void)
{
	const char *ci = getenv("CI");
	bool in_ci = ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
	SRunner *runner;
	int failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		fprintf(stderr, "%s: the soak suite loads BPF programs and needs root\n",
			in_ci ? "FAIL" : "SKIP");
		return in_ci ? EXIT_FAILURE : LS_EXIT_SKIP;
	}
	if (access(ls_binary(), X_OK) || access(ls_workload("churn"), X_OK)) {
		fprintf(stderr, "FAIL: %s or the workloads not found: run make soak\n", ls_binary());
		return EXIT_FAILURE;
	}
	if (ls_init_base()) {
		perror("FAIL: cannot create a temporary directory");
		return EXIT_FAILURE;
	}
	printf("soak: SOAK_SECONDS=%.0f\n", soak_seconds());
	runner = srunner_create(soak_faults_suite());
	srunner_add_suite(runner, soak_signals_suite());
	srunner_add_suite(runner, soak_load_suite());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	ls_cleanup_base();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
