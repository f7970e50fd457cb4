// SPDX-License-Identifier: GPL-2.0
/* Tests of the HTML report: balanced markup, every chart, escaping, nothing fetched, odd runs. */
#define _GNU_SOURCE
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "render/render.h"
#include "suites.h"

static char *render(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	report_html(s, f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void set_comm(char *comm, const char *name)
{
	memset(comm, 0, LS_COMM_LEN);
	memcpy(comm, name, strnlen(name, LS_COMM_LEN - 1));
}

/* The fixture with wakers, as tests/fuzz/fixture_json.c adds them, so the graph has edges. */
static void fixture_with_wakers(struct snapshot *s)
{
	struct process *node, *sh;

	fixture_snapshot(s);
	node = snapshot_find_process(s, 4211);
	sh = snapshot_find_process(s, 4300);
	ck_assert_int_eq(peer_add(&sh->wakers, &sh->nwakers, 4211, "node", 640, 0), 0);
	ck_assert_int_eq(peer_add(&sh->wakers, &sh->nwakers, 0, "(idle)", 25, 0), 0);
	ck_assert_int_eq(peer_add(&node->wakers, &node->nwakers, 9000, "wrk", 1800, 0), 0);
	ck_assert_int_eq(peer_add(&node->wakers, &node->nwakers, 4211, "node", 77, 0), 0);
}

static bool is_void(const char *name, size_t n)
{
	static const char *const voids[] = {"meta", "br", "hr", "img", "input", "link", "wbr"};

	for (size_t i = 0; i < sizeof(voids) / sizeof(voids[0]); i++)
		if (strlen(voids[i]) == n && !strncmp(voids[i], name, n))
			return true;
	return false;
}

/*
 * Every element opened is closed in order (SVG ones may close themselves with "/>"), outside
 * quoted attribute values; text holds no raw '<' that is not a tag.
 */
static void assert_balanced(const char *html)
{
	const char *stack[256];
	size_t lens[256], depth = 0;
	const char *c = html;

	while ((c = strchr(c, '<'))) {
		const char *name, *end;
		bool closing = c[1] == '/';
		size_t n;
		char quote = 0;

		if (!strncmp(c, "<!DOCTYPE", 9)) {
			c += 9;
			continue;
		}
		name = c + 1 + closing;
		for (n = 0; isalnum((unsigned char)name[n]) || name[n] == '-'; n++)
			;
		ck_assert_msg(n > 0, "a '<' that starts no tag: %.60s", c);
		for (end = name + n; *end && (quote || *end != '>'); end++)
			if (*end == '"' || *end == '\'')
				quote = quote == *end ? 0 : quote ? quote : *end;
		ck_assert_msg(*end == '>', "unterminated tag: %.60s", c);
		if (closing) {
			ck_assert_msg(depth > 0, "</%.*s> closes nothing", (int)n, name);
			depth--;
			ck_assert_msg(lens[depth] == n && !strncmp(stack[depth], name, n),
				      "</%.*s> closes <%.*s>", (int)n, name, (int)lens[depth],
				      stack[depth]);
		} else if (end[-1] != '/' && !is_void(name, n)) {
			ck_assert_uint_lt(depth, 256);
			stack[depth] = name;
			lens[depth++] = n;
		}
		c = end + 1;
	}
	ck_assert_msg(depth == 0, "<%.*s> is never closed", depth ? (int)lens[depth - 1] : 0,
		      depth ? stack[depth - 1] : "");
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *at = hay; (at = strstr(at, needle)); at += strlen(needle))
		n++;
	return n;
}

START_TEST(test_page_and_charts)
{
	static const char *const charts[] = {
		"<svg class=\"chart\" id=\"budget\"",
		"<svg class=\"chart\" id=\"states\"",
		"<svg class=\"chart\" id=\"graph\"",
		"<svg class=\"chart\" id=\"runq-4211\"",
		"<svg class=\"chart\" id=\"syscalls-4211\"",
		"<svg class=\"chart\" id=\"states-4211\"",
		/* the fixture's -i time series */
		"<svg class=\"chart\" id=\"series-cpu\"",
		"<svg class=\"chart\" id=\"series-runq\"",
		"<svg class=\"chart\" id=\"series-budget\"",
	};
	struct snapshot s;
	char *html;

	fixture_with_wakers(&s);
	html = render(&s);
	ck_assert_msg(!strncmp(html, "<!DOCTYPE html>\n", 16), "no doctype: %.40s", html);
	assert_balanced(html);
	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++)
		ck_assert_msg(strstr(html, charts[i]), "no %s", charts[i]);
	ck_assert_uint_eq(count(html, "<svg "), sizeof(charts) / sizeof(charts[0]));
	/* one line per chart for 4211, the one process in the series: 75% then 150% of a CPU */
	ck_assert_uint_eq(count(html, "<polyline"), 2);
	ck_assert_msg(strstr(html, ">200%</text>"), "the CPU scale does not reach 150%%");
	/* no waits and no syscalls: a sentence instead of an empty chart */
	ck_assert_ptr_null(strstr(html, "id=\"runq-4300\""));
	ck_assert_ptr_nonnull(strstr(html, "No run-queue waits recorded."));
	ck_assert_ptr_nonnull(strstr(html, "No syscalls recorded."));
	/* the findings come first, then the tables and charts */
	ck_assert_ptr_nonnull(strstr(html, "id=\"findings\""));
	ck_assert(strstr(html, "id=\"findings\"") < strstr(html, "id=\"cpu-budget\""));
	ck_assert(strstr(html, "id=\"cpu-budget\"") < strstr(html, "id=\"processes\""));
	/* the budget: its total, the bar's parts and the table's rows */
	ck_assert_ptr_nonnull(strstr(html, "8.0s of CPU time as /proc/stat counted it (4 CPUs "
					   "&times; 2.0 s), 57% busy."));
	ck_assert_ptr_nonnull(strstr(html, "<title>load wrk: 1.5s, 18.8%</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<title>idle: 3.5s, 43.4%</title>"));
	ck_assert_ptr_nonnull(strstr(html, ">wrk 19%</text>"));
	ck_assert_ptr_nonnull(strstr(html, "systemd</td><td>210ms</td><td>2.6</td></tr>"));
	ck_assert_ptr_nonnull(strstr(html, "(rest)</td><td>80ms</td><td>1.0</td></tr>"));
	ck_assert_ptr_nonnull(strstr(html, "softirq</td><td class=\"t\"></td><td>610ms</td>"));
	ck_assert(strstr(html, "id=\"processes\"") < strstr(html, "id=\"thread-states\""));
	ck_assert(strstr(html, "id=\"thread-states\"") < strstr(html, "id=\"p-4211\""));
	/* the histogram's percentiles, each marked */
	ck_assert_ptr_nonnull(strstr(html, ">p50 4.9us</text>"));
	ck_assert_ptr_nonnull(strstr(html, ">p90 20us</text>"));
	ck_assert_ptr_nonnull(strstr(html, ">p99 106us</text>"));
	/* every state in the legend */
	for (int k = 0; k < 7; k++) {
		static const char *const states[] = {"running", "runnable",	   "idle", "io",
						     "lock",	"uninterruptible", "other"};
		char legend[64];

		snprintf(legend, sizeof(legend), "</i>%s", states[k]);
		ck_assert_msg(strstr(html, legend), "no %s in the legend", states[k]);
	}
	/* the graph: the handoff, wakers in and out of the targets, the idle CPU, itself */
	ck_assert_ptr_nonnull(strstr(html, "<title>descriptors passed 4211 -&gt; 4300: 7</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<title>wakeups 4211 -&gt; 4300: 640</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<title>wakeups 9000 -&gt; 4211: 1800</title>"));
	ck_assert_ptr_nonnull(strstr(html, "<title>wakeups 0 -&gt; 4300: 25</title>"));
	ck_assert_ptr_nonnull(strstr(html, "(idle CPU: interrupt)"));
	ck_assert_ptr_nonnull(strstr(html, ">wrk</text>"));
	ck_assert_ptr_nonnull(strstr(html, "woke its own threads 77"));
	/* the syscall chart's classes and the connection path */
	ck_assert_ptr_nonnull(strstr(html, ">accept</text>"));
	ck_assert_ptr_nonnull(strstr(html, ">listen queue</text>"));
	ck_assert_ptr_nonnull(strstr(html, ">accept to handoff</text>"));
	/* header, the command, the drop warning */
	ck_assert_ptr_nonnull(strstr(html, "tree of 4211 (node)"));
	ck_assert_ptr_nonnull(
		strstr(html, "<code>wrk -t2 -c100 http://127.0.0.1:3000/json</code>"));
	ck_assert_ptr_nonnull(strstr(html, "warning: 3 lost (threads_full): target threads not "
					   "tracked"));
	/* each thread's kind: node's main thread accepts, its worker thread only helps */
	ck_assert_ptr_nonnull(strstr(html, "<th class=\"t\">KIND</th>"));
	ck_assert_ptr_nonnull(
		strstr(html, "<td class=\"t\">other</td><td class=\"t\">serving</td>"));
	ck_assert_ptr_nonnull(
		strstr(html, "<td class=\"t\">other</td><td class=\"t\">helper</td>"));
	/* what limited the run, before the findings */
	ck_assert_ptr_nonnull(strstr(html, "<p id=\"bottleneck\"><strong>Bottleneck: none</strong>: "
					   "the 4 CPUs were 43% idle"));
	ck_assert(strstr(html, "id=\"findings\"") < strstr(html, "id=\"bottleneck\""));
	ck_assert(strstr(html, "id=\"bottleneck\"") < strstr(html, "id=\"processes\""));
	/* printable */
	ck_assert_ptr_nonnull(strstr(html, "@media print"));
	/* no intervals in the run: no time series */
	ck_assert_ptr_null(strstr(html, "timeseries"));
	free(html);
	snapshot_free(&s);
}
END_TEST

/* Nothing is fetched: no script, no external style, font or image, and a policy that says so. */
/* The intervals' budgets, stacked: a layer per kind that used the CPUs, idle the space above. */
START_TEST(test_series_budget)
{
	struct snapshot s;
	char *html;

	fixture_snapshot(&s);
	html = render(&s);
	assert_balanced(html);
	/* targets, load, other, irq, softirq and steal each used some CPU time in the series */
	ck_assert_uint_eq(count(html, "<polygon "), 6);
	/* the targets' 0.75 s then 1.5 s of 4 CPU-s: 18.75% then 37.5% of the plot's 140 px */
	ck_assert_msg(strstr(html, "<polygon fill=\"#1565c0\" points=\"56.0,137.8 500.0,137.8 "
				   "500.0,111.5 944.0,111.5 944.0,164.0 500.0,164.0 500.0,164.0 "
				   "56.0,164.0\"/>"),
		      "no targets layer as expected");
	ck_assert_ptr_nonnull(strstr(html, "<i style=\"background:#ef6c00\"></i>load</span>"));
	ck_assert_ptr_nonnull(strstr(html, "(100% = all 4 CPUs); above it, idle."));
	ck_assert_ptr_null(strstr(html, "</i>idle</span>"));
	free(html);

	/* /proc/stat unreadable at the second tick: no layer there, the first stays */
	memset(&s.intervals[1].budget, 0, sizeof(s.intervals[1].budget));
	s.intervals[1].budget.status = BUDGET_UNREADABLE;
	html = render(&s);
	ck_assert_msg(strstr(html, "<polygon fill=\"#1565c0\" points=\"56.0,137.8 500.0,137.8 "
				   "500.0,164.0 944.0,164.0 944.0,164.0 500.0,164.0 500.0,164.0 "
				   "56.0,164.0\"/>"),
		      "no targets layer as expected");
	/* irq and steal had time only in the second interval */
	ck_assert_uint_eq(count(html, "<polygon "), 4);
	free(html);

	/* a run saved before intervals had budgets: the other charts, not this one */
	s.intervals[0].budget.status = BUDGET_UNKNOWN;
	html = render(&s);
	ck_assert_ptr_null(strstr(html, "id=\"series-budget\""));
	ck_assert_ptr_null(strstr(html, "<polygon "));
	ck_assert_ptr_nonnull(strstr(html, "id=\"series-cpu\""));
	free(html);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_self_contained)
{
	struct snapshot s;
	const char *at;
	char *html;

	fixture_with_wakers(&s);
	html = render(&s);
	ck_assert_ptr_nonnull(strstr(html,
				     "<meta http-equiv=\"Content-Security-Policy\" "
				     "content=\"default-src 'none'; style-src 'unsafe-inline';"));
	ck_assert_ptr_null(strcasestr(html, "<script"));
	ck_assert_ptr_null(strcasestr(html, "<link"));
	ck_assert_ptr_null(strcasestr(html, "<img"));
	ck_assert_ptr_null(strcasestr(html, "src="));
	ck_assert_ptr_null(strcasestr(html, "@import"));
	ck_assert_ptr_null(strcasestr(html, "@font-face"));
	ck_assert_ptr_null(strcasestr(html, "href=\"http"));
	/* url() only for the page's own markers */
	for (at = html; (at = strstr(at, "url(")); at += 4)
		ck_assert_msg(at[4] == '#', "url() outside the page: %.40s", at);
	free(html);
	snapshot_free(&s);
}
END_TEST

/* Whatever the observed programs called themselves or were given stays text. */
START_TEST(test_escaping)
{
	static const char *const hostile = "<b>&\"'x</b>";
	struct snapshot s;
	char *html;

	fixture_with_wakers(&s);
	set_comm(s.processes[0].comm, "<script>x");
	set_comm(s.processes[0].threads[1].comm, "</svg>&amp;");
	set_comm(s.processes[0].wakers[0].comm, "a\"b'c");
	set_comm(s.processes[1].comm, "bad\xff\xc3 \x01z");
	free(s.processes[1].cgroup);
	s.processes[1].cgroup = fixture_strdup("/x/<script>y");
	free(s.command[1]);
	s.command[1] = fixture_strdup(hostile);
	free(s.targets.description);
	s.targets.description = fixture_strdup("tree of <i>1</i>");
	free(s.kernel);
	s.kernel = fixture_strdup("6.1<!--");
	snprintf(s.cpu_budget.parts[2].name, sizeof(s.cpu_budget.parts[2].name), "<script>z");
	html = render(&s);
	assert_balanced(html);
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<b>"));
	ck_assert_ptr_null(strstr(html, "<i>1"));
	ck_assert_ptr_null(strstr(html, "<!--"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;x"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;/svg&gt;&amp;amp;"));
	ck_assert_ptr_nonnull(strstr(html, "a&quot;b&#39;c"));
	ck_assert_ptr_nonnull(strstr(html, "'&lt;b&gt;&amp;&quot;&#39;x&lt;/b&gt;'"));
	ck_assert_ptr_nonnull(strstr(html, "tree of &lt;i&gt;1&lt;/i&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "/x/&lt;script&gt;y"));
	/* bytes that are not UTF-8, and control characters, are replaced */
	ck_assert_ptr_nonnull(strstr(html, "bad&#xFFFD;&#xFFFD; &#xFFFD;z"));
	ck_assert_ptr_nonnull(strstr(html, "<title>other &lt;script&gt;z: 210ms"));
	ck_assert_uint_eq(count(html, "<svg "), 9);
	free(html);

	/* an unreadable /proc/stat: the reason, escaped, and no chart */
	s.cpu_budget.status = BUDGET_UNREADABLE;
	snprintf(s.cpu_budget.error, sizeof(s.cpu_budget.error), "<b>denied");
	html = render(&s);
	assert_balanced(html);
	ck_assert_ptr_nonnull(strstr(html, "<p class=\"warn\">CPU budget: /proc/stat unreadable: "
					   "&lt;b&gt;denied</p>"));
	ck_assert_ptr_null(strstr(html, "id=\"budget\""));
	free(html);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_empty_and_odd_snapshots)
{
	struct snapshot s = {0};
	char *html;

	/* nothing at all: still a page */
	html = render(&s);
	assert_balanced(html);
	ck_assert_ptr_nonnull(strstr(html, "No target process was seen."));
	ck_assert_ptr_nonnull(
		strstr(html, "CPU budget: unknown (this run was saved without one)."));
	ck_assert_ptr_null(strstr(html, "<svg"));
	free(html);

	/* extremes: no duration, the largest counters, waits in the last bucket, no threads */
	fixture_with_wakers(&s);
	s.duration_ns = 0;
	s.processes[0].sched.runq_hist[HIST_BUCKETS - 1] = UINT64_MAX;
	s.processes[0].sched.runq_hist[0] = UINT64_MAX;
	s.processes[0].sched.runq_max_ns = UINT64_MAX;
	s.processes[0].sys.cls[SC_READ].max_ns = UINT64_MAX;
	s.processes[0].sys.cls[SC_READ].count = UINT64_MAX;
	s.processes[0].sched.cpu_ns = UINT64_MAX;
	s.processes[1].nthreads = 0;
	s.handoffs[0].count = UINT64_MAX;
	s.cpu_budget.total_ns = 0;
	s.cpu_budget.parts[0].cpu_ns = UINT64_MAX;
	html = render(&s);
	assert_balanced(html);
	/* no figure came out as nan or inf */
	for (size_t i = 0; i < 5; i++) {
		static const char *const bad[] = {"=\"nan", "=\"-nan", ">nan", ">-nan", "=\"inf"};

		ck_assert_msg(!strstr(html, bad[i]), "%s in: %.80s", bad[i], strstr(html, bad[i]));
	}
	ck_assert_ptr_null(strstr(html, "=\"-inf"));
	ck_assert_ptr_null(strstr(html, "nan%"));
	free(html);
	s.processes[1].nthreads = 1;
	snapshot_free(&s);
}
END_TEST

/* Many processes and threads: the graph and state charts keep to their limits. */
START_TEST(test_many_processes)
{
	struct snapshot s = {0};
	char *html;

	s.duration_ns = 1000000000;
	s.nprocesses = 40;
	s.processes = calloc(s.nprocesses, sizeof(*s.processes));
	ck_assert_ptr_nonnull(s.processes);
	for (size_t i = 0; i < s.nprocesses; i++) {
		struct process *p = &s.processes[i];

		p->pid = 100 + (int)i;
		set_comm(p->comm, "w");
		p->nthreads = i == 0 ? 300 : 1;
		p->threads = calloc(p->nthreads, sizeof(*p->threads));
		ck_assert_ptr_nonnull(p->threads);
		for (size_t j = 0; j < p->nthreads; j++) {
			p->threads[j].tid = p->pid + (int)j * 1000;
			p->threads[j].sched.cpu_ns = 1000 * (j + 1);
			p->threads[j].alive_ns = 1000000;
		}
		for (int w = 0; w < 5; w++)
			ck_assert_int_eq(
				peer_add(&p->wakers, &p->nwakers, 5000 + w, "ext", 10 + w + i, 0),
				0);
	}
	ck_assert_int_eq(snapshot_finish(&s), 0);
	html = render(&s);
	assert_balanced(html);
	ck_assert_ptr_nonnull(strstr(html, "36 more rows are in the JSON and CSV reports."));
	ck_assert_ptr_nonnull(strstr(html, "236 more rows are in the JSON and CSV reports."));
	ck_assert_ptr_nonnull(strstr(html, "44 more threads are in the JSON and CSV reports."));
	ck_assert_ptr_nonnull(strstr(html, "The 40 largest of the edges are drawn"));
	ck_assert_uint_le(count(html, "<circle cx="), 24);
	free(html);
	snapshot_free(&s);
}
END_TEST

Suite *html_suite(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_page_and_charts);
	tcase_add_test(tc, test_series_budget);
	tcase_add_test(tc, test_self_contained);
	tcase_add_test(tc, test_escaping);
	tcase_add_test(tc, test_empty_and_odd_snapshots);
	tcase_add_test(tc, test_many_processes);
	suite_add_tcase(s, tc);
	return s;
}
