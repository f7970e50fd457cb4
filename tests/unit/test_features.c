// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the kernel-feature verdict: which gaps loadscope works around, which stop it. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe/kernel_features.h"
#include "suites.h"

static struct kernel_features all_present(void)
{
	struct kernel_features kf;

	for (int f = 0; f < FEAT_COUNT; f++) {
		kf.have[f] = true;
		kf.known[f] = true;
	}
	return kf;
}

START_TEST(test_all_present)
{
	struct kernel_features kf = all_present();
	char err[512] = "";

	ck_assert_int_eq(features_check(&kf, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

/* Linux 5.10 as Debian 11 ships it: every gap has a fallback. */
START_TEST(test_linux_5_10)
{
	struct kernel_features kf = all_present();
	char err[512] = "";

	kf.have[FEAT_TASK_STATE] = false;
	kf.have[FEAT_THREAD_INFO_CPU] = false;
	kf.have[FEAT_SWITCH_PREV_STATE] = false;
	ck_assert_int_eq(features_check(&kf, err, sizeof(err)), 0);
	/* and so for the other optional ones */
	kf.have[FEAT_TP_BTF] = false;
	kf.have[FEAT_SCHED_INFO] = false;
	ck_assert_int_eq(features_check(&kf, err, sizeof(err)), 0);
}
END_TEST

/* A required feature missing: one line naming it, the version that brings it and the commit. */
START_TEST(test_missing_helper)
{
	struct kernel_features kf = all_present();
	char err[512] = "";

	kf.have[FEAT_PROBE_READ_KERNEL] = false;
	ck_assert_int_eq(features_check(&kf, err, sizeof(err)), -ENOTSUP);
	ck_assert_msg(strstr(err, "bpf_probe_read_kernel"), "no feature name: %s", err);
	ck_assert_msg(strstr(err, "Linux 5.5+"), "no kernel version: %s", err);
	ck_assert_msg(strstr(err, "6ae08ae3dea2"), "no commit: %s", err);
	ck_assert_msg(!strchr(err, '\n'), "not one line: %s", err);
}
END_TEST

/* Without BTF nothing else can be probed: the message is about BTF alone. */
START_TEST(test_missing_btf)
{
	struct kernel_features kf;
	char err[512] = "";

	memset(&kf, 0, sizeof(kf));
	kf.known[FEAT_BTF] = true;
	ck_assert_int_eq(features_check(&kf, err, sizeof(err)), -ENOTSUP);
	ck_assert_msg(strstr(err, "BTF") && strstr(err, "Linux 5.4+") &&
			      strstr(err, "CONFIG_DEBUG_INFO_BTF"),
		      "BTF message: %s", err);
	ck_assert_msg(!strstr(err, "bpf_probe_read_kernel"), "names an unprobed feature: %s", err);
}
END_TEST

START_TEST(test_print)
{
	struct kernel_features kf = all_present();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	kf.have[FEAT_TP_BTF] = false;
	kf.known[FEAT_SWITCH_PREV_STATE] = false;
	features_print(&kf, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "\ntp_btf: no (Linux 5.5+; without it: raw_tp programs)\n"), "%s",
		      buf);
	ck_assert_msg(strstr(buf, "\nbpf_probe_read_kernel: yes (Linux 5.5+; required)\n"), "%s",
		      buf);
	ck_assert_msg(strstr(buf, "\nsched_switch prev_state: unknown (Linux 5.18+;"), "%s", buf);
	free(buf);
}
END_TEST

/* Every feature says where it comes from, so that a missing one can be explained. */
START_TEST(test_table)
{
	for (int f = 0; f < FEAT_COUNT; f++) {
		const struct feature_info *fi = feature_info(f);

		ck_assert_ptr_nonnull(fi);
		ck_assert_msg(fi->name && *fi->name, "feature %d has no name", f);
		ck_assert_msg(fi->since && (!strncmp(fi->since, "Linux ", 6) ||
					    !strncmp(fi->since, "CONFIG_", 7)),
			      "%s: since '%s'", fi->name, fi->since);
		ck_assert_msg(fi->commit, "%s: no commit", fi->name);
		ck_assert_msg(fi->without || *fi->commit, "%s: required but no commit", fi->name);
	}
	ck_assert_ptr_null(feature_info(FEAT_COUNT));
}
END_TEST

Suite *features_suite(void)
{
	Suite *s = suite_create("features");
	TCase *tc = tcase_create("check");

	tcase_add_test(tc, test_all_present);
	tcase_add_test(tc, test_linux_5_10);
	tcase_add_test(tc, test_missing_helper);
	tcase_add_test(tc, test_missing_btf);
	tcase_add_test(tc, test_print);
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	return s;
}
