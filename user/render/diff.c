// SPDX-License-Identifier: GPL-2.0
/* Two runs side by side: totals per request, figures by role, and the findings each one has. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis.h"
#include "core/bottleneck.h"
#include "core/totals.h"
#include "render/render.h"

/* One compared figure: its two values, how to print them, whether more is better. */
struct row {
	const char *name;
	double a, b;
	bool time; /* ns, printed with format_ns */
	bool syscalls; /* a figure of the syscall hooks: left out when a run is in light mode */
};

static double per(double v, uint64_t n)
{
	return n ? v / (double)n : NAN;
}

/* p99 of the run-queue waits; NAN ("-") when there were none, not a wait of 0 ns */
static double runq_p99(const uint64_t *hist)
{
	if (!hist_total(hist, HIST_BUCKETS))
		return NAN;
	return (double)hist_percentile(hist, HIST_BUCKETS, 0.99);
}

static void format_value(const struct row *r, double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (r->time)
		format_ns((uint64_t)(v + 0.5), buf, len);
	else if (v >= 1e6)
		snprintf(buf, len, "%.0f", v);
	else if (v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* How far apart: the larger over the smaller, so 3x up and 3x down weigh the same. */
static double spread(const struct row *r)
{
	if (isnan(r->a) || isnan(r->b) || (r->a == 0 && r->b == 0))
		return 0;
	if (r->a == 0 || r->b == 0)
		return INFINITY;
	return r->a > r->b ? r->a / r->b : r->b / r->a;
}

static int cmp_rows(const void *x, const void *y)
{
	double a = spread(x), b = spread(y);

	return (a < b) - (a > b);
}

/* Rows of the syscall hooks dropped when either run had none (light mode); returns the rest. */
static size_t drop_untraced(struct row *rows, size_t n, bool traced)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (traced || !rows[i].syscalls)
			rows[kept++] = rows[i];
	return kept;
}

/* The requests of a run: NAN when light mode had no TCP writes to estimate them from. */
static double requests_of(const struct run_totals *t)
{
	return t->requests_given || t->syscalls_traced ? (double)t->requests : NAN;
}

static const char *requests_source(const struct run_totals *t)
{
	return t->requests_given    ? "as given"
	       : t->syscalls_traced ? "estimated from TCP writes"
				    : "– (light mode: no TCP writes)";
}

static void print_rows(FILE *f, struct row *rows, size_t n)
{
	char va[FORMAT_NS_LEN + 8], vb[FORMAT_NS_LEN + 8], ratio[32];

	/* the largest differences first */
	qsort(rows, n, sizeof(*rows), cmp_rows);
	fprintf(f, "%-36s %14s %14s %10s\n", "", "A", "B", "B/A");
	for (size_t i = 0; i < n; i++) {
		format_value(&rows[i], rows[i].a, va, sizeof(va));
		format_value(&rows[i], rows[i].b, vb, sizeof(vb));
		if (isnan(rows[i].a) || isnan(rows[i].b) || rows[i].a == 0)
			snprintf(ratio, sizeof(ratio), "%s", rows[i].b == rows[i].a ? "=" : "-");
		else
			snprintf(ratio, sizeof(ratio), "%.2fx", rows[i].b / rows[i].a);
		fprintf(f, "%-36s %14s %14s %10s\n", rows[i].name, va, vb, ratio);
	}
}

static void describe(FILE *f, const char *label, const char *name, const struct snapshot *s)
{
	fprintf(f, "%s: %s — %.1f s, %d CPU%s, Linux %s; %s\n", label, name,
		(double)s->duration_ns / 1e9, s->cpus, s->cpus == 1 ? "" : "s",
		s->kernel ? s->kernel : "?",
		s->targets.description ? s->targets.description : "(targets not recorded)");
}

static bool has_finding(const struct finding *f, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return true;
	return false;
}

static void print_findings_diff(FILE *f, const struct snapshot *a, const struct snapshot *b)
{
	struct finding fa[32], fb[32];
	size_t na = analyze_findings(a, fa, 32), nb = analyze_findings(b, fb, 32);
	char first[64];
	bool any = false;

	fprintf(f, "\nFINDINGS\n");
	for (size_t i = 0; i < na; i++) {
		if (has_finding(fb, nb, fa[i].id))
			continue;
		snprintf(first, sizeof(first), "only in A [%s] %s:", severity_name(fa[i].severity),
			 fa[i].id);
		report_wrapped(f, first, fa[i].text, 4);
		any = true;
	}
	for (size_t i = 0; i < nb; i++) {
		if (has_finding(fa, na, fb[i].id))
			continue;
		snprintf(first, sizeof(first), "only in B [%s] %s:", severity_name(fb[i].severity),
			 fb[i].id);
		report_wrapped(f, first, fb[i].text, 4);
		any = true;
	}
	for (size_t i = 0; i < na; i++) {
		if (!has_finding(fb, nb, fa[i].id))
			continue;
		fprintf(f, "in both: %s\n", fa[i].id);
		any = true;
	}
	if (!any)
		fprintf(f, "none in either run\n");
}

void report_diff(const struct snapshot *a, const char *name_a, const struct snapshot *b,
		 const char *name_b, FILE *f)
{
	struct bottleneck bn_a, bn_b;
	struct run_totals ta, tb;
	struct row rows[20];
	size_t n = 0;
	double sa, sb;

	run_totals(a, &ta);
	run_totals(b, &tb);
	sa = (double)ta.duration_ns / 1e9;
	sb = (double)tb.duration_ns / 1e9;
	describe(f, "A", name_a, a);
	describe(f, "B", name_b, b);
	analyze_bottleneck(a, &bn_a);
	analyze_bottleneck(b, &bn_b);
	fprintf(f, "bottleneck: A %s (%s), B %s (%s)\n", bottleneck_kind_name(bn_a.kind),
		bn_a.subject, bottleneck_kind_name(bn_b.kind), bn_b.subject);
	fprintf(f, "requests: A %s, B %s\n\n", requests_source(&ta), requests_source(&tb));

	rows[n++] = (struct row){ "requests", requests_of(&ta), requests_of(&tb), false, false };
	rows[n++] = (struct row){ "requests/s", sa > 0 ? requests_of(&ta) / sa : NAN,
				  sb > 0 ? requests_of(&tb) / sb : NAN, false, false };
	rows[n++] = (struct row){ "CPU per request", per(ta.cpu_ns, ta.requests),
				  per(tb.cpu_ns, tb.requests), true, false };
	/* user space (the runtime, the JS engine) against the kernel's syscalls; NAN: unknown */
	rows[n++] = (struct row){ "user CPU per request",
				  ta.cpu_split ? per(ta.cpu_ns - ta.cpu_kernel_ns, ta.requests) : NAN,
				  tb.cpu_split ? per(tb.cpu_ns - tb.cpu_kernel_ns, tb.requests) : NAN,
				  true, true };
	rows[n++] = (struct row){ "kernel CPU per request (syscalls)",
				  ta.cpu_split ? per(ta.cpu_kernel_ns, ta.requests) : NAN,
				  tb.cpu_split ? per(tb.cpu_kernel_ns, tb.requests) : NAN, true,
				  true };
	rows[n++] = (struct row){ "context switches per request", per(ta.switches, ta.requests),
				  per(tb.switches, tb.requests), false, false };
	rows[n++] = (struct row){ "syscalls per request", per(ta.syscalls, ta.requests),
				  per(tb.syscalls, tb.requests), false, true };
	rows[n++] = (struct row){ "wakeups per request", per(ta.wakeups, ta.requests),
				  per(tb.wakeups, tb.requests), false, false };
	rows[n++] = (struct row){ "requests per poll wakeup (workers)",
				  ta.serving_polls ? requests_per_poll(&ta) : NAN,
				  tb.serving_polls ? requests_per_poll(&tb) : NAN, false, true };
	rows[n++] = (struct row){ "run-queue wait per request", per(ta.runq_wait_ns, ta.requests),
				  per(tb.runq_wait_ns, tb.requests), true, false };
	rows[n++] = (struct row){ "run-queue wait p99",
				  runq_p99(ta.runq_hist), runq_p99(tb.runq_hist), true,
				  false };
	rows[n++] = (struct row){ "CPU, all targets (CPUs)", sa > 0 ? ta.cpu_ns / 1e9 / sa : NAN,
				  sb > 0 ? tb.cpu_ns / 1e9 / sb : NAN, false, false };
	rows[n++] = (struct row){ "connections accepted", (double)ta.accepted, (double)tb.accepted,
				  false, true };
	rows[n++] = (struct row){ "descriptors handed off", (double)ta.handoffs,
				  (double)tb.handoffs, false, true };
	n = drop_untraced(rows, n, ta.syscalls_traced && tb.syscalls_traced);
	print_rows(f, rows, n);
	if (!ta.syscalls_traced || !tb.syscalls_traced) {
		fprintf(f,
			"\n%s in light mode (--no-syscalls): the syscall, connection and role "
			"figures are left out\n",
			!ta.syscalls_traced && !tb.syscalls_traced ? "A and B were"
			: !ta.syscalls_traced			   ? "A was"
								   : "B was");
		print_findings_diff(f, a, b);
		return;
	}

	fprintf(f, "\nBY ROLE%29s %14s %14s\n", "", "A", "B");
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct role_totals *x = &ta.roles[r], *y = &tb.roles[r];
		char line[64], va[64], vb[64], ca[FORMAT_NS_LEN], cb[FORMAT_NS_LEN];

		if (!x->processes && !y->processes)
			continue;
		snprintf(line, sizeof(line), "%s: processes", role_name(r));
		fprintf(f, "%-36s %14zu %14zu\n", line, x->processes, y->processes);
		snprintf(va, sizeof(va), "%s", x->processes ? format_ns(x->cpu_ns, ca, sizeof(ca)) : "-");
		snprintf(vb, sizeof(vb), "%s", y->processes ? format_ns(y->cpu_ns, cb, sizeof(cb)) : "-");
		fprintf(f, "%-36s %14s %14s\n", "  CPU time", va, vb);
		snprintf(va, sizeof(va), "%s",
			 x->processes ? format_ns(x->runq_wait_ns, ca, sizeof(ca)) : "-");
		snprintf(vb, sizeof(vb), "%s",
			 y->processes ? format_ns(y->runq_wait_ns, cb, sizeof(cb)) : "-");
		fprintf(f, "%-36s %14s %14s\n", "  waiting for a CPU", va, vb);
		if (x->accepted || y->accepted)
			fprintf(f, "%-36s %14llu %14llu\n", "  connections accepted",
				(unsigned long long)x->accepted, (unsigned long long)y->accepted);
		if (x->handoff_sent || y->handoff_sent)
			fprintf(f, "%-36s %14llu %14llu\n", "  descriptors passed on",
				(unsigned long long)x->handoff_sent,
				(unsigned long long)y->handoff_sent);
		if (x->handoff_received || y->handoff_received)
			fprintf(f, "%-36s %14llu %14llu\n", "  descriptors received",
				(unsigned long long)x->handoff_received,
				(unsigned long long)y->handoff_received);
		if (x->responses || y->responses)
			fprintf(f, "%-36s %14llu %14llu\n", "  responses (TCP writes)",
				(unsigned long long)x->responses, (unsigned long long)y->responses);
	}
	print_findings_diff(f, a, b);
}
