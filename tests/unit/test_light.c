// SPDX-License-Identifier: GPL-2.0
/* Tests of light mode (--no-syscalls) in the reports: what it leaves out is "–" or empty, never 0.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "render/live.h"
#include "render/render.h"
#include "suites.h"

enum format { TEXT, CSV, HTML, DIFF, LINE };

/* The report of s in one format; DIFF compares the full fixture (A) with s (B). */
static char *render(const struct snapshot *s, enum format fmt)
{
	struct snapshot full;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	switch (fmt) {
	case TEXT:
		report_text(s, f, true);
		break;
	case CSV:
		report_csv(s, f, true);
		break;
	case HTML:
		report_html(s, f);
		break;
	case DIFF:
		fixture_snapshot(&full);
		report_diff(&full, "full.json", s, "light.json", f);
		snapshot_free(&full);
		break;
	case LINE:
		interval_line(s, NULL, 0, s->cpus, f);
		break;
	}
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void light_fixture(struct snapshot *s)
{
	fixture_snapshot(s);
	fixture_light(s);
}

START_TEST(test_text)
{
	struct snapshot s;
	char *full, *light;

	fixture_snapshot(&s);
	full = render(&s, TEXT);
	snapshot_free(&s);
	light_fixture(&s);
	light = render(&s, TEXT);
	/* the full report has the sections light mode leaves out */
	ck_assert_ptr_nonnull(strstr(full, "\nSYSCALLS: "));
	ck_assert_ptr_null(strstr(full, "light mode:"));
	ck_assert_ptr_null(strstr(light, "\nSYSCALLS: "));
	ck_assert_ptr_null(strstr(light, "ACCEPT/s"));
	ck_assert_ptr_null(strstr(light, "CONNECTION PATH"));
	ck_assert_msg(strstr(light, "\nlight mode: --no-syscalls attached no syscall hook"), "%s",
		      light);
	ck_assert_msg(strstr(light, "FINDINGS (requests –: light mode has no TCP writes"), "%s",
		      light);
	/* role, idle, I/O and lock: "–" in the states table; the scheduler's shares numbers */
	ck_assert_msg(strstr(light, "4211     node            –          |"), "%s", light);
	ck_assert_msg(strstr(light, "    –    –    –"), "%s", light);
	ck_assert_ptr_nonnull(strstr(light, "\nRUN-QUEUE WAITS: "));
	free(full);
	free(light);

	/* requests given: the per-request line, its syscalls "–" */
	s.requests_given = 1000;
	light = render(&s, TEXT);
	ck_assert_msg(strstr(light, "FINDINGS (1000 requests, as given)"), "%s", light);
	ck_assert_msg(strstr(light, ", – syscalls, "), "%s", light);
	ck_assert_ptr_null(strstr(light, "(user "));
	free(light);
	snapshot_free(&s);
}
END_TEST

/* The value of column `name` in the first row of kind `kind`, into out. */
static void csv_field(const char *csv, const char *kind, const char *name, char *out, size_t len)
{
	const char *header_end = strstr(csv, "\r\n"), *row, *at;
	int col = 0, want = -1;

	ck_assert_ptr_nonnull(header_end);
	for (at = csv; at < header_end; col++) {
		const char *end = memchr(at, ',', header_end - at);
		size_t n = (end ? end : header_end) - at;

		if (strlen(name) == n && !strncmp(at, name, n))
			want = col;
		at = end ? end + 1 : header_end;
	}
	ck_assert_msg(want >= 0, "no column %s", name);
	row = strstr(csv, kind);
	ck_assert_ptr_nonnull(row);
	for (col = 0; col < want; col++)
		row = strchr(row, ',') + 1;
	snprintf(out, len, "%.*s", (int)strcspn(row, ",\r"), row);
}

START_TEST(test_csv)
{
	static const char *const empty[] = {
		"role",		"cpu_kernel_ns",      "idle_pct",	   "io_pct",
		"lock_pct",	"read_calls",	      "accept_blocked_ns", "tcp_writes",
		"handoff_sent", "accept_queue_count", "unaccepted"};
	static const char *const present[] = {"cpu_ns", "runq_wait_ns", "running_pct", "other_pct",
					      "uninterruptible_ns"};
	struct snapshot s;
	char *csv, v[64];

	light_fixture(&s);
	csv = render(&s, CSV);
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		csv_field(csv, "\r\nprocess,", empty[i], v, sizeof(v));
		ck_assert_msg(!*v, "%s is '%s' in light mode, not empty", empty[i], v);
		csv_field(csv, "\r\nthread,", empty[i], v, sizeof(v));
		ck_assert_msg(!*v, "thread %s is '%s' in light mode, not empty", empty[i], v);
	}
	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		csv_field(csv, "\r\nprocess,", present[i], v, sizeof(v));
		ck_assert_msg(*v, "%s is empty in light mode", present[i]);
	}
	free(csv);
	snapshot_free(&s);

	/* the same columns hold numbers in the full mode */
	fixture_snapshot(&s);
	csv = render(&s, CSV);
	csv_field(csv, "\r\nprocess,", "read_calls", v, sizeof(v));
	ck_assert_msg(*v, "read_calls is empty in the full mode");
	free(csv);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_html)
{
	struct snapshot s;
	char *html;

	light_fixture(&s);
	html = render(&s, HTML);
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"warn\">Light mode: --no-syscalls attached"));
	ck_assert_ptr_nonnull(strstr(html, "– (light mode: no syscall hooks)"));
	ck_assert_ptr_nonnull(strstr(html, "<td class=\"t\">–</td>"));
	ck_assert_ptr_null(strstr(html, "connections accepted</span>"));
	ck_assert_ptr_nonnull(strstr(html, "Requests –: light mode"));
	free(html);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_diff)
{
	struct snapshot s;
	char *diff;

	light_fixture(&s);
	diff = render(&s, DIFF);
	ck_assert_msg(strstr(diff, "B was in light mode (--no-syscalls)"), "%s", diff);
	ck_assert_msg(strstr(diff, "B – (light mode: no TCP writes)"), "%s", diff);
	/* left out, not shown as 0 */
	ck_assert_ptr_null(strstr(diff, "syscalls per request"));
	ck_assert_ptr_null(strstr(diff, "connections accepted"));
	ck_assert_ptr_null(strstr(diff, "BY ROLE"));
	ck_assert_ptr_nonnull(strstr(diff, "run-queue wait p99"));
	free(diff);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_interval_line)
{
	struct snapshot s;
	char *line;

	light_fixture(&s);
	line = render(&s, LINE);
	ck_assert_msg(strstr(line, " accept/s=– syscall/s=– "), "%s", line);
	free(line);
	snapshot_free(&s);
}
END_TEST

Suite *light_suite(void)
{
	Suite *s = suite_create("light");
	TCase *tc = tcase_create("reports");

	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_html);
	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_interval_line);
	suite_add_tcase(s, tc);
	return s;
}
