/* The integration suites the runner in main.c collects, and what they share. */
#ifndef LOADSCOPE_TEST_SUITES_H
#define LOADSCOPE_TEST_SUITES_H

#include <check.h>
#include <jansson.h>

#include "harness.h"

/* Per test: generous, since a loaded CI machine can take many times longer than a quiet one. */
#define LS_TEST_TIMEOUT_S 120

Suite *ls_sched_suite(void);
Suite *ls_targets_suite(void);
Suite *ls_cli_suite(void);
Suite *ls_syscalls_suite(void);
Suite *ls_analysis_suite(void);
Suite *ls_demo_suite(void);
Suite *ls_kernel_suite(void);
Suite *ls_reports_suite(void);
Suite *ls_stacks_suite(void);
Suite *ls_budget_suite(void);
Suite *ls_cpulimit_suite(void);
Suite *ls_serve_suite(void);

/*
 * Runs `loadscope [--raw-tp] -o out --threads -- command...`; fails the test unless it exited 0,
 * left no program loaded and wrote a consistent report for that command, which it returns.
 */
json_t *ls_run_report(bool raw_tp, const char *out, const char *const command[], double timeout_s,
		      struct ls_result *r);
/* The same with --no-syscalls when light: the report has no syscall figure (null, not 0). */
json_t *ls_run_report_mode(bool raw_tp, bool light, const char *out, const char *const command[],
			   double timeout_s, struct ls_result *r);

#endif /* LOADSCOPE_TEST_SUITES_H */
