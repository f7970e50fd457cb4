// SPDX-License-Identifier: GPL-2.0
/*
 * Inputs the fuzzer once failed on (tests/fuzz/regressions/), replayed with the ordinary build:
 * each is read, and what is accepted goes through every renderer; a rejection is one line.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/json.h"
#include "render/render.h"
#include "suites.h"

#define REGRESSIONS_DIR "tests/fuzz/regressions"

START_TEST(test_fuzz_regressions)
{
	FILE *null_out = fopen("/dev/null", "w");
	DIR *dir = opendir(REGRESSIONS_DIR);
	struct dirent *e;
	unsigned int replayed = 0;

	ck_assert_msg(dir != NULL, "no %s: run the unit tests from the repository root",
		      REGRESSIONS_DIR);
	ck_assert_ptr_nonnull(null_out);
	while ((e = readdir(dir))) {
		char path[512], err[512];
		struct snapshot s;
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", REGRESSIONS_DIR, e->d_name);
		if (snapshot_read_json(path, &s, err, sizeof(err))) {
			ck_assert_msg(err[0] && !strchr(err, '\n'), "%s: rejected without one line",
				      path);
			for (const char *c = err; *c; c++)
				ck_assert_msg((unsigned char)*c >= 0x20 && *c != 0x7f,
					      "%s: control character in: %s", path, err);
		} else {
			report_text(&s, null_out, true);
			report_csv(&s, null_out, true);
			report_html(&s, null_out);
			report_diff(&s, "a", &s, "b", null_out);
			snapshot_free(&s);
		}
		replayed++;
	}
	closedir(dir);
	fclose(null_out);
	ck_assert_uint_gt(replayed, 0);
}
END_TEST

Suite *regressions_suite(void)
{
	Suite *s = suite_create("regressions");
	TCase *tc = tcase_create("fuzz");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fuzz_regressions);
	suite_add_tcase(s, tc);
	return s;
}
