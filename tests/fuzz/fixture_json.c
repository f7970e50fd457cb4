// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the unit tests' fixture as a saved run, with wakers added so the wakeup graph has edges
 * and CPU limits (a throttled cgroup) so that every section is there:
 * a seed of the fuzzer's corpus, and the run whose HTML report `make test-html` renders. The
 * fixture checks itself with Check's assertions, so it is built inside a one-test Check run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/fixture.h"
#include "render/json.h"

static const char *out_path;

START_TEST(write_fixture)
{
	struct snapshot s;
	struct process *node, *sh;
	FILE *f;

	fixture_snapshot(&s);
	fixture_cpu_limits(&s);
	node = snapshot_find_process(&s, 4211);
	sh = snapshot_find_process(&s, 4300);
	ck_assert_ptr_nonnull(node);
	ck_assert_ptr_nonnull(sh);
	ck_assert_int_eq(peer_add(&sh->wakers, &sh->nwakers, 4211, "node", 640, 0), 0);
	ck_assert_int_eq(peer_add(&sh->wakers, &sh->nwakers, 0, "(idle)", 25, 0), 0);
	ck_assert_int_eq(peer_add(&node->wakers, &node->nwakers, 9000, "wrk", 1800, 0), 0);
	ck_assert_int_eq(peer_add(&node->wakers, &node->nwakers, 4300, "sh", 12, 0), 0);
	ck_assert_int_eq(
		peer_add(&node->preempted_by, &node->npreempted_by, 9000, "wrk", 90, 4000000), 0);
	f = fopen(out_path, "w");
	ck_assert_msg(f != NULL, "cannot create %s", out_path);
	ck_assert_int_eq(snapshot_write_json(&s, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	snapshot_free(&s);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *suite = suite_create("fixture_json");
	TCase *tc = tcase_create("write");
	SRunner *runner;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.json\n", argv[0]);
		return 2;
	}
	out_path = argv[1];
	tcase_add_test(tc, write_fixture);
	suite_add_tcase(suite, tc);
	runner = srunner_create(suite);
	srunner_set_fork_status(runner, CK_NOFORK);
	srunner_run_all(runner, CK_SILENT);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	if (failed) {
		fprintf(stderr, "fixture_json: cannot write the fixture to %s\n", out_path);
		return 1;
	}
	return 0;
}
