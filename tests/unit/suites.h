/* SPDX-License-Identifier: GPL-2.0 */
/* The Check suites of the unit tests, one per area; main.c runs them all. */
#ifndef LOADSCOPE_TEST_SUITES_H
#define LOADSCOPE_TEST_SUITES_H

#include <check.h>

Suite *hist_suite(void);
Suite *model_suite(void);
Suite *json_suite(void);
Suite *report_suite(void);
Suite *options_suite(void);
Suite *syscalls_suite(void);
Suite *analysis_suite(void);
Suite *intervals_suite(void);
Suite *features_suite(void);
Suite *csv_suite(void);
Suite *html_suite(void);
Suite *output_suite(void);
Suite *regressions_suite(void);
Suite *cgroup_suite(void);
Suite *budget_suite(void);
Suite *cpulimit_suite(void);
Suite *exporter_suite(void);
Suite *procfs_suite(void);
Suite *light_suite(void);
Suite *observer_suite(void);

#endif /* LOADSCOPE_TEST_SUITES_H */
