/* Integration tests: what loadscope finds out about the running kernel, on every test kernel. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "harness.h"
#include "suites.h"

/* Release of the running kernel as major * 1000 + minor. */
static int kernel_version(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	ck_assert_int_eq(uname(&u), 0);
	ck_assert_msg(sscanf(u.release, "%d.%d", &major, &minor) == 2, "release '%s'", u.release);
	return major * 1000 + minor;
}

/*
 * Each feature --features reports with the Linux version that brought it is there exactly when
 * the running kernel is that version or later: the run-time detection agrees with the kernel's
 * history on this kernel (stock kernels; a vendor kernel with backports would differ).
 */
START_TEST(test_features_match_version)
{
	int version = kernel_version(), checked = 0;
	struct ls_result r;
	struct ls_args a;
	char *line, *save = NULL;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--features", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "loadscope --features exited %d; stderr: %s", r.status, r.err);
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *colon = strstr(line, ": "), *since = strstr(line, "(Linux ");
		int major, minor;
		bool have, expected;

		ck_assert_msg(colon, "line without 'NAME: ': %s", line);
		ck_assert_msg(!strncmp(colon + 2, "yes (", 5) || !strncmp(colon + 2, "no (", 4),
			      "feature neither yes nor no: %s", line);
		if (!since)
			continue; /* a build option decides, not the version */
		ck_assert_msg(sscanf(since, "(Linux %d.%d+", &major, &minor) == 2, "%s", line);
		have = !strncmp(colon + 2, "yes", 3);
		expected = version >= major * 1000 + minor;
		if (ls_verbose())
			printf("#   %s\n", line);
		ck_assert_msg(have == expected, "Linux %d.%d: expected %s: %s", version / 1000,
			      version % 1000, expected ? "yes" : "no", line);
		checked++;
	}
	ck_assert_int_ge(checked, 5);
	ls_result_free(&r);
}
END_TEST

/* A feature loadscope cannot do without: one line naming it and the version that brings it. */
START_TEST(test_missing_feature_message)
{
	char shell_line[512];
	struct ls_result r;
	struct ls_args a;
	char *last;

	/* a private mount namespace where /sys/kernel/btf is empty */
	snprintf(shell_line, sizeof(shell_line),
		 "mount -t tmpfs none /sys/kernel/btf && exec %s --features", ls_binary());
	memset(&a, 0, sizeof(a));
	ls_args_add(&a, "unshare", "-m", "sh", "-c", shell_line, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 1, "--features without BTF exited %d; stderr: %s", r.status,
		      r.err);
	ck_assert_msg(strstr(r.out, "BTF at /sys/kernel/btf/vmlinux: no ("), "stdout: %s", r.out);
	ck_assert_msg(!strncmp(r.err, "loadscope: ", 11) &&
			      strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		      "stderr is not one 'loadscope: ' line: %s", r.err);
	last = r.err;
	ck_assert_msg(strstr(last, "lacks BTF") && strstr(last, "Linux 5.4+") &&
			      strstr(last, "CONFIG_DEBUG_INFO_BTF"),
		      "the message does not name the feature and the version: %s", last);
	ls_result_free(&r);
}
END_TEST

Suite *ls_kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("features");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_features_match_version);
	tcase_add_test(tc, test_missing_feature_message);
	suite_add_tcase(s, tc);
	return s;
}
