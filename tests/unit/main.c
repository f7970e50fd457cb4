// SPDX-License-Identifier: GPL-2.0
/* Runs every unit-test suite and exits non-zero when any check fails. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *runner;
	int failed;

	runner = srunner_create(hist_suite());
	srunner_add_suite(runner, model_suite());
	srunner_add_suite(runner, json_suite());
	srunner_add_suite(runner, report_suite());
	srunner_add_suite(runner, options_suite());
	srunner_add_suite(runner, syscalls_suite());
	srunner_add_suite(runner, analysis_suite());
	srunner_add_suite(runner, intervals_suite());
	srunner_add_suite(runner, features_suite());
	srunner_add_suite(runner, csv_suite());
	srunner_add_suite(runner, html_suite());
	srunner_add_suite(runner, output_suite());
	srunner_add_suite(runner, regressions_suite());
	srunner_add_suite(runner, cgroup_suite());
	srunner_add_suite(runner, budget_suite());
	srunner_add_suite(runner, cpulimit_suite());
	srunner_add_suite(runner, exporter_suite());
	srunner_add_suite(runner, procfs_suite());
	srunner_add_suite(runner, light_suite());
	srunner_add_suite(runner, observer_suite());
	/* CK_ENV: CK_VERBOSITY picks the detail; unset, Check's summary line ends the output. */
	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
