// SPDX-License-Identifier: GPL-2.0
/* Tests of the observer's own cost: the observer_cost finding, the reports' observer sections. */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/analysis.h"
#include "fixture.h"
#include "render/json.h"
#include "render/render.h"
#include "suites.h"

/*
 * The fixture (4 CPUs, 2 s: 8 CPU-s) with loadscope's programs at run_ns in all: 60% of it in
 * ls_sys_exit, 30% in ls_sys_enter, 10% in ls_sched_switch, with 1M, 1M and 200k runs.
 */
static void with_cost(struct snapshot *s, uint64_t run_ns)
{
	static const struct {
		const char *name;
		uint64_t runs, share_pct;
	} progs[] = {{"ls_sys_exit", 1000000, 60},
		     {"ls_sys_enter", 1000000, 30},
		     {"ls_sched_switch", 200000, 10},
		     {"ls_cg_attach", 0, 0}};

	fixture_snapshot(s);
	s->observer.source = OBSERVER_BPF_STATS;
	s->observer.sampled_share = 1;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct observer_program *p = &s->observer.programs[i];

		snprintf(p->name, sizeof(p->name), "%s", progs[i].name);
		p->runs = progs[i].runs;
		p->run_ns = run_ns / 100 * progs[i].share_pct;
	}
	s->observer.nprograms = sizeof(progs) / sizeof(progs[0]);
}

static const struct finding *find(const struct finding *f, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return &f[i];
	return NULL;
}

/* Where a failure message should start: the observer section, else the text. */
static const char *near(const char *text)
{
	const char *at = strstr(text, "OBSERVER");

	if (!at)
		at = strstr(text, "\r\nobserver");
	return at ? at : text;
}

static char *render(const struct snapshot *s, int format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	if (format == 0)
		report_text(s, f, false);
	else if (format == 1)
		report_csv(s, f, false);
	else if (format == 2)
		report_html(s, f);
	else
		ck_assert_int_eq(snapshot_write_json(s, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* 5% of the CPUs' time and up: the finding, naming the costliest hooks; below, silent. */
START_TEST(test_finding)
{
	struct finding f[32];
	const struct finding *o;
	struct snapshot s;
	size_t n;

	/* the fixture's budget counts 8 CPU-s: 0.6 s is 7.5% of it */
	with_cost(&s, 600000000);
	n = analyze_findings(&s, f, 32);
	o = find(f, n, "observer_cost");
	ck_assert_ptr_nonnull(o);
	ck_assert_msg(strstr(o->text,
			     "loadscope's own programs used 7.5% of the CPUs' time (600ms, "
			     "1100000 runs a second): ls_sys_exit 18.0% of a CPU (360 ns a "
			     "run), ls_sys_enter 9.0% of a CPU (180 ns a run), "
			     "ls_sched_switch 3.0% of a CPU (300 ns a run)"),
		      "%s", o->text);
	ck_assert_msg(strstr(o->text, "--no-syscalls"), "%s", o->text);
	ck_assert_double_eq_tol(o->evidence[0].value, 0.075, 1e-9);
	snapshot_free(&s);

	/* 4.9%: silent */
	with_cost(&s, 392000000);
	n = analyze_findings(&s, f, 32);
	ck_assert_ptr_null(find(f, n, "observer_cost"));
	snapshot_free(&s);

	/* not measured: silent, whatever the figures */
	with_cost(&s, 600000000);
	s.observer.source = OBSERVER_UNKNOWN;
	n = analyze_findings(&s, f, 32);
	ck_assert_ptr_null(find(f, n, "observer_cost"));
	snapshot_free(&s);
}
END_TEST

START_TEST(test_reports)
{
	struct snapshot s;
	char *text;

	with_cost(&s, 600000000);
	text = render(&s, 0);
	/* wrapped at 100 columns */
	ck_assert_msg(strstr(text, "OBSERVER: loadscope's programs handled 1100000 events a second "
				   "and used 600ms of CPU, 7.5% of the 4\n    CPUs (30.0% of one)"),
		      "%.600s", near(text));
	ck_assert_msg(strstr(text,
			     "\n  ls_sys_exit          500000 runs/s    360 ns/run  18.0% of "
			     "a CPU\n"),
		      "%.600s", near(text));
	/* a program that never ran has no line */
	ck_assert_ptr_null(strstr(text, "ls_cg_attach"));
	free(text);

	text = render(&s, 1);
	ck_assert_msg(strstr(text, "\r\nobserver,,,,ls_sys_exit,,"), "%.600s", near(text));
	ck_assert_msg(strstr(text, ",360000000,18.00,"), "%.600s", near(text));
	ck_assert_msg(strstr(text, ",1000000\r\n"), "%.600s", near(text));
	free(text);

	text = render(&s, 2);
	ck_assert_ptr_nonnull(strstr(text, "<section id=\"observer\">"));
	ck_assert_ptr_nonnull(
		strstr(text, "<tr><td class=\"t\">ls_sys_enter</td><td>500000</td><td>180</td>"
			     "<td>9.0</td></tr>"));
	free(text);
	snapshot_free(&s);

	/* not measured: said so, no numbers */
	fixture_snapshot(&s);
	text = render(&s, 0);
	ck_assert_ptr_nonnull(strstr(text, "\nOBSERVER: cost unknown"));
	free(text);
	text = render(&s, 1);
	ck_assert_ptr_null(strstr(text, "\r\nobserver,"));
	free(text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_json)
{
	struct snapshot s, back;
	char err[256], *text;
	json_t *root, *o;

	with_cost(&s, 600000000);
	s.observer.sampled_share = 0.05;
	text = render(&s, 3);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	o = json_object_get(root, "observer");
	ck_assert_str_eq(json_string_value(json_object_get(o, "source")), "bpf_stats");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "runs")), 2200000);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "run_ns")), 600000000);
	ck_assert_int_eq(json_array_size(json_object_get(o, "programs")), 4);
	ck_assert_int_eq(
		snapshot_read_json_buffer(text, strlen(text), "run.json", &back, err, sizeof(err)),
		0);
	ck_assert_int_eq(back.observer.source, OBSERVER_BPF_STATS);
	ck_assert_double_eq(back.observer.sampled_share, 0.05);
	ck_assert_uint_eq(back.observer.nprograms, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(back.observer.programs[i].name, s.observer.programs[i].name);
		ck_assert_uint_eq(back.observer.programs[i].runs, s.observer.programs[i].runs);
		ck_assert_uint_eq(back.observer.programs[i].run_ns, s.observer.programs[i].run_ns);
	}
	snapshot_free(&back);
	free(text);

	/* another source is rejected; null or absent is not measured */
	json_object_set_new(o, "source", json_string("guess"));
	text = json_dumps(root, 0);
	ck_assert_int_ne(
		snapshot_read_json_buffer(text, strlen(text), "run.json", &back, err, sizeof(err)),
		0);
	ck_assert_msg(strstr(err, "field observer.source should be \"bpf_stats\""), "%s", err);
	free(text);
	json_object_set_new(root, "observer", json_null());
	text = json_dumps(root, 0);
	ck_assert_int_eq(
		snapshot_read_json_buffer(text, strlen(text), "run.json", &back, err, sizeof(err)),
		0);
	ck_assert_int_eq(back.observer.source, OBSERVER_UNKNOWN);
	snapshot_free(&back);
	free(text);
	json_decref(root);
	snapshot_free(&s);

	/* not measured: null */
	fixture_snapshot(&s);
	text = render(&s, 3);
	root = json_loads(text, 0, NULL);
	ck_assert(json_is_null(json_object_get(root, "observer")));
	json_decref(root);
	free(text);
	snapshot_free(&s);
}
END_TEST

Suite *observer_suite(void)
{
	Suite *s = suite_create("observer");
	TCase *tc = tcase_create("cost");

	tcase_add_test(tc, test_finding);
	tcase_add_test(tc, test_reports);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return s;
}
