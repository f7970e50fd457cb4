// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched) that
 * a browser shows and prints: findings, tables, and charts drawn here as SVG.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis.h"
#include "core/bottleneck.h"
#include "core/budget.h"
#include "render/render.h"
#include "core/syscalls.h"

/* Lines of a run-queue histogram: one for the value 0, then one per power of two (as the text). */
/* Rows of a thread-state chart before the rest are only counted: a page stays readable. */
#define STATE_ROWS_MAX 64
/* Thread rows of a process's table, for the same reason. */
#define THREAD_ROWS_MAX 256
/* Edges of the wakeup graph, most frequent first, and the processes they join. */
#define GRAPH_EDGES_MAX 40
#define GRAPH_NODES_MAX 24
/* Width of the charts' drawing, in CSS pixels; they scale down with the page. */
#define CHART_W 960

static const char *const state_colors[ST_COUNT] = {
	[ST_RUNNING] = "#2e7d32", [ST_RUNNABLE] = "#d32f2f", [ST_IDLE] = "#90a4ae",
	[ST_IO] = "#1976d2",	  [ST_LOCK] = "#f9a825",     [ST_UNINTERRUPTIBLE] = "#6a1b9a",
	[ST_OTHER] = "#bdbdbd",
};

/* The CPU budget's kinds, in its bar, its table and the time series. */
static const char *const budget_colors[BUDGET_KINDS] = {
	[BUDGET_TARGETS] = "#1565c0", [BUDGET_LOAD] = "#ef6c00",    [BUDGET_OTHER] = "#8d6e63",
	[BUDGET_IRQ] = "#c62828",     [BUDGET_SOFTIRQ] = "#8e24aa", [BUDGET_STEAL] = "#455a64",
	[BUDGET_IDLE] = "#e3e7eb",
};

static const char *const state_labels[ST_COUNT] = {
	[ST_RUNNING] = "running",
	[ST_RUNNABLE] = "runnable (waiting for a CPU)",
	[ST_IDLE] = "idle (poll, epoll)",
	[ST_IO] = "io (accept, read, write)",
	[ST_LOCK] = "lock (futex)",
	[ST_UNINTERRUPTIBLE] = "uninterruptible",
	[ST_OTHER] = "other",
};

static const char *const percentile_colors[3] = {"#1565c0", "#ef6c00", "#c62828"};

static const char style[] =
	":root{--ink:#1d2329;--muted:#5f6b76;--line:#d7dde3;--band:#f3f5f7}\n"
	"*{box-sizing:border-box}\n"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:var(--ink);background:#fff;max-width:1100px;margin:0 auto;padding:24px}\n"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
	"border-bottom:2px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 "
	"6px}\n"
	".meta,.note{color:var(--muted)}.note{font-size:12px}\n"
	"code,.num{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12.5px}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 10px}\n"
	"th,td{padding:3px 7px;border-bottom:1px solid var(--line);text-align:right;"
	"white-space:nowrap}\n"
	"td{font-size:13px}th{background:var(--band);font-weight:600;font-size:11.5px;"
	"white-space:normal;vertical-align:bottom}\n"
	".scroll{overflow-x:auto}\n"
	"td.t,th.t{text-align:left}\n"
	"tr.exited td{color:var(--muted)}\n"
	".findings{list-style:none;padding:0;margin:0}\n"
	".findings li{border-left:5px solid #90a4ae;background:var(--band);margin:8px 0;"
	"padding:8px 12px}\n"
	".findings li.critical{border-color:#c62828}.findings li.warning{border-color:#ef6c00}\n"
	".findings li.info{border-color:#1565c0}\n"
	".badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;"
	"color:#fff;background:#90a4ae;border-radius:3px;padding:0 6px;margin-right:6px}\n"
	".critical .badge{background:#c62828}.warning .badge{background:#ef6c00}"
	".info .badge{background:#1565c0}\n"
	".evidence{font-size:12px;color:var(--muted);margin-top:3px}\n"
	".warn{background:#fff4e5;border:1px solid #ffb74d;padding:6px 10px;margin:6px 0}\n"
	"figure{margin:8px 0 14px}figcaption{font-size:12px;color:var(--muted)}\n"
	"svg.chart{display:block;width:100%;height:auto;max-width:960px}\n"
	"svg text{font:12px system-ui,-apple-system,'DejaVu Sans',sans-serif;fill:#1d2329}\n"
	"svg .axis{stroke:#9aa5b1;stroke-width:1}svg .grid{stroke:#e3e7eb;stroke-width:1}\n"
	"svg .small{font-size:10.5px;fill:#5f6b76}\n"
	".legend span{display:inline-block;margin-right:14px;font-size:12px}\n"
	".legend i{display:inline-block;width:11px;height:11px;margin-right:4px;"
	"vertical-align:-1px;border-radius:2px}\n"
	".kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:2px 18px;"
	"margin:6px 0}\n"
	".kv div{display:flex;justify-content:space-between;gap:8px;"
	"border-bottom:1px dotted var(--line)}\n"
	".kv span.num{white-space:nowrap}\n"
	".kv span:first-child{color:var(--muted)}\n"
	"section.process{border-top:1px solid var(--line);margin-top:26px}\n"
	"footer{margin-top:32px;font-size:12px;color:var(--muted)}\n"
	"@media print{body{max-width:none;padding:0;font-size:11px}.scroll{overflow:visible}"
	"h2{break-after:avoid}figure,table,.findings li{break-inside:avoid}"
	"section.process{break-before:auto}a{color:inherit;text-decoration:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
	"@page{margin:12mm}\n";

/* ---- escaping ---- */

/*
 * Text from the run (comm, argv, the targets' description) as HTML text or attribute value: the
 * five special characters become references, bytes that are not UTF-8 and control characters
 * become U+FFFD, so nothing the observed programs chose can become markup.
 */
static void esc_n(FILE *f, const char *s, size_t n)
{
	size_t i, len;

	for (i = 0; i < n && s[i]; i += len) {
		len = utf8_sequence_len(s + i, n - i);
		if (!len) {
			fputs("&#xFFFD;", f);
			len = 1;
			continue;
		}
		switch (s[i]) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
				fputs("&#xFFFD;", f);
			else
				fwrite(s + i, 1, len, f);
		}
	}
}

static void esc(FILE *f, const char *s)
{
	if (s)
		esc_n(f, s, strlen(s));
}

static void esc_comm(FILE *f, const char *comm)
{
	esc_n(f, comm, strnlen(comm, LS_COMM_LEN));
}

/* ---- figures ---- */

static double share(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

static const char *ns(uint64_t v, char *buf)
{
	return format_ns(v, buf, FORMAT_NS_LEN);
}

/* A figure with no samples behind it (a percentile of an empty histogram): a dash, not 0ns. */
#define NONE "\u2013"

static const char *ns_known(uint64_t v, bool known, char *buf)
{
	if (!known)
		return NONE;
	return ns(v, buf);
}

static void rate(FILE *f, uint64_t count, uint64_t duration_ns)
{
	double r;

	if (!duration_ns) {
		fputs(NONE, f);
		return;
	}
	r = (double)count * 1e9 / (double)duration_ns;
	fprintf(f, r < 999.95 ? "%.1f" : "%.0f", r);
}


static const char *process_comm(const struct snapshot *s, int pid)
{
	const struct process *p = snapshot_find_process((struct snapshot *)s, pid);

	return p ? p->comm : NULL;
}

/* ---- header and findings ---- */

static void print_command(const struct snapshot *s, FILE *f)
{
	fputs("<p>command: <code>", f);
	for (size_t i = 0; s->command[i]; i++) {
		const char *a = s->command[i];
		bool plain = *a != '\0';

		for (const char *c = a; *c; c++)
			if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
			    !(*c >= '0' && *c <= '9') && !strchr("_./:=@%+,-", *c))
				plain = false;
		if (i)
			fputc(' ', f);
		if (!plain)
			fputc('\'', f);
		esc(f, a);
		if (!plain)
			fputc('\'', f);
	}
	fputs("</code>", f);
	if (s->command_exit >= 0)
		fprintf(f, " (exit status %d)", s->command_exit);
	else
		fputs(" (no exit status: it had not finished)", f);
	fputs("</p>\n", f);
}

static void print_header(const struct snapshot *s, FILE *f)
{
	char line[256];

	fputs("<header>\n<h1>loadscope report</h1>\n<p class=\"meta\">", f);
	fprintf(f, "%.1f s, %d CPU%s, Linux ", (double)s->duration_ns / 1e9, s->cpus,
		s->cpus == 1 ? "" : "s");
	esc(f, s->kernel && *s->kernel ? s->kernel : "(unknown)");
	fputs(", ", f);
	esc(f, s->program && *s->program ? s->program : "?");
	fputs(" programs; targets: ", f);
	esc(f, s->targets.description && *s->targets.description ? s->targets.description
								 : "(not recorded)");
	fputs("</p>\n", f);
	if (s->command && s->command[0])
		print_command(s, f);
	if (s->no_syscalls)
		fputs("<p class=\"warn\">Light mode: " LIGHT_MODE_LEAVES_OUT "</p>\n", f);
	for (int r = 0; r < DROP_REASONS; r++)
		if (s->drops[r])
			fprintf(f, "<p class=\"warn\">warning: %llu lost (%s): %s</p>\n",
				(unsigned long long)s->drops[r], drop_reason_name(r),
				drop_reason_text(r));
	if (lifecycle_line(s, line, sizeof(line)))
		fprintf(f, "<p class=\"meta\">%s</p>\n", line);
	for (size_t i = 0; i < s->ncgroups; i++) {
		if (!s->cgroups[i].removed)
			continue;
		fputs("<p class=\"warn\">note: cgroup ", f);
		esc(f, s->cgroups[i].path);
		fputs(CGROUP_REMOVED_NOTE "</p>\n", f);
	}
	fputs("</header>\n", f);
}

static void print_findings(const struct snapshot *s, FILE *f)
{
	struct finding found[32];
	size_t n = analyze_findings(s, found, sizeof(found) / sizeof(found[0]));
	bool given;
	uint64_t req = snapshot_requests(s, &given);

	struct bottleneck b;

	analyze_bottleneck(s, &b);
	fputs("<section id=\"findings\">\n<h2>Findings</h2>\n", f);
	/* what limited the run, before the findings */
	fprintf(f, "<p id=\"bottleneck\"><strong>Bottleneck: %s</strong>: ",
		bottleneck_kind_name(b.kind));
	esc(f, b.text);
	fputs("</p>\n", f);
	if (!given && s->no_syscalls)
		fputs("<p class=\"meta\">Requests –: light mode has no TCP writes to count.</p>\n",
		      f);
	else
		fprintf(f, "<p class=\"meta\">%llu requests, %s.</p>\n", (unsigned long long)req,
			given ? "as given" : "estimated from TCP writes");
	if (!n)
		fputs("<p>None: no rule applies to this run.</p>\n", f);
	else
		fputs("<ol class=\"findings\">\n", f);
	for (size_t i = 0; i < n; i++) {
		const char *sev = severity_name(found[i].severity);

		fprintf(f, "<li class=\"%s\"><span class=\"badge\">%s</span><b>", sev, sev);
		esc(f, found[i].id);
		fputs("</b>: ", f);
		esc(f, found[i].text);
		if (found[i].nevidence)
			fputs("<div class=\"evidence\">evidence:", f);
		for (size_t k = 0; k < found[i].nevidence; k++) {
			fputs(k ? ", " : " ", f);
			esc(f, found[i].evidence[k].name);
			fprintf(f, " %.6g", found[i].evidence[k].value);
		}
		if (found[i].nevidence)
			fputs("</div>", f);
		fputs("</li>\n", f);
	}
	if (n)
		fputs("</ol>\n", f);
	fputs("</section>\n", f);
}

/* ---- tables ---- */

static void p50_p99(FILE *f, const struct lat_figures *l)
{
	char a[FORMAT_NS_LEN], b[FORMAT_NS_LEN];
	uint64_t v50, v99;

	if (!l->count) {
		fputs(NONE, f);
		return;
	}
	lat_percentiles(l, &v50, NULL, &v99);
	fprintf(f, "%s / %s", ns(v50, a), ns(v99, b));
}

static void runq_cell(FILE *f, const struct sched_stats *st)
{
	char a[FORMAT_NS_LEN], b[FORMAT_NS_LEN], c[FORMAT_NS_LEN];
	uint64_t v50, v99;

	if (!hist_total(st->runq_hist, HIST_BUCKETS)) {
		fputs(NONE, f);
		return;
	}
	sched_stats_percentiles(st, &v50, NULL, &v99);
	fprintf(f, "%s / %s / %s", ns(v50, a), ns(v99, b), ns(st->runq_max_ns, c));
}

/* A role, or "–" in light mode, which sees no connection to give one by. */
static const char *role_label(const struct snapshot *s, enum role r)
{
	return s->no_syscalls ? "–" : role_name(r);
}

static void print_overview(const struct snapshot *s, FILE *f)
{
	fputs("<section id=\"processes\">\n<h2>Processes</h2>\n", f);
	if (!s->nprocesses) {
		fputs("<p>No target process was seen.</p>\n</section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table>\n<tr><th>PID</th><th class=\"t\">COMM</th>"
	      "<th class=\"t\">ROLE</th><th>CPU %</th><th>RUNQ %</th><th>RUNQ p50 / p99 / max</th>"
	      "<th>VCSW/s</th><th>ICSW/s</th><th>MIGR</th><th>WAKEUPS</th><th>ACCEPTED</th>"
	      "<th>HANDOFF out / in</th><th>READ p50 / p99</th></tr>\n",
	      f);
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		fprintf(f, "<tr%s><td><a href=\"#p-%d\">%d</a></td><td class=\"t\">",
			p->exited ? " class=\"exited\"" : "", p->pid, p->pid);
		esc_comm(f, p->comm);
		fprintf(f, "%s</td><td class=\"t\">%s</td><td>%.1f</td><td>%.1f</td><td>",
			p->exited ? " (exited)" : "", role_label(s, process_role(s, p)),
			100 * share(p->sched.cpu_ns, s->duration_ns),
			100 * share(p->sched.runq_wait_ns, s->duration_ns));
		runq_cell(f, &p->sched);
		fputs("</td><td>", f);
		rate(f, p->sched.voluntary_switches, s->duration_ns);
		fputs("</td><td>", f);
		rate(f, p->sched.involuntary_switches, s->duration_ns);
		fprintf(f, "</td><td>%llu</td><td>%llu</td><td>",
			(unsigned long long)p->sched.migrations,
			(unsigned long long)p->sched.wakeups);
		if (s->no_syscalls)
			fputs("–</td><td>–</td><td>–", f);
		else {
			fprintf(f, "%llu</td><td>%llu / %llu</td><td>",
				(unsigned long long)sys_accepted(&p->sys),
				(unsigned long long)p->sys.handoff_sent,
				(unsigned long long)p->sys.handoff_received);
			p50_p99(f, &p->sys.cls[SC_READ]);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n<p class=\"note\">CPU %: on-CPU time / wall time (100 = one CPU). "
	      "RUNQ %: "
	      "time waiting for a CPU / wall time; p50 / p99 / max of single waits. VCSW, ICSW: "
	      "voluntary and involuntary context switches. MIGR: moves between CPUs. HANDOFF: "
	      "descriptors passed to and received from other processes (SCM_RIGHTS).</p>\n"
	      "</section>\n",
	      f);
}

static void kv_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, "<div><span>%s</span><span class=\"num\">%llu</span></div>\n", key,
		(unsigned long long)v);
}

static void kv_ns(FILE *f, const char *key, uint64_t v)
{
	char b[FORMAT_NS_LEN];

	fprintf(f, "<div><span>%s</span><span class=\"num\">%s</span></div>\n", key, ns(v, b));
}

static void print_process_figures(const struct snapshot *s, const struct process *p, FILE *f)
{
	char a[FORMAT_NS_LEN], b[FORMAT_NS_LEN], c[FORMAT_NS_LEN];
	const struct sys_figures *sys = &p->sys;
	uint64_t pct[3];
	bool timed;

	fputs("<div class=\"kv\">\n", f);
	fprintf(f, "<div><span>CPU</span><span class=\"num\">%s (%.1f%%)</span></div>\n",
		ns(p->sched.cpu_ns, a), 100 * share(p->sched.cpu_ns, s->duration_ns));
	fprintf(f,
		"<div><span>waiting for a CPU</span><span class=\"num\">%s (%.1f%%)</span></div>\n",
		ns(p->sched.runq_wait_ns, a), 100 * share(p->sched.runq_wait_ns, s->duration_ns));
	kv_u64(f, "run-queue waits", p->sched.runq_count);
	kv_u64(f, "voluntary switches", p->sched.voluntary_switches);
	kv_u64(f, "involuntary switches", p->sched.involuntary_switches);
	kv_u64(f, "migrations", p->sched.migrations);
	kv_u64(f, "wakeups", p->sched.wakeups);
	kv_ns(f, "thread-time alive", p->alive_ns);
	kv_u64(f, "threads", p->nthreads);
	kv_u64(f, "ppid", (uint64_t)p->ppid);
	fprintf(f, "<div><span>selected by</span><span class=\"num\">%s</span></div>\n",
		select_reason_name(p->selected_by) ? select_reason_name(p->selected_by) : "unknown");
	if (p->cgroup) {
		fputs("<div><span>cgroup</span><span class=\"num\">", f);
		esc(f, p->cgroup);
		fputs("</span></div>\n", f);
	}
	if (s->no_syscalls) {
		fputs("<div><span>TCP reads (served)</span><span class=\"num\">–</span></div>\n"
		      "<div><span>TCP writes (served)</span><span class=\"num\">–</span></div>\n",
		      f);
		fputs("</div>\n", f);
		return; /* the connection path needs the syscall hooks */
	}
	kv_u64(f, "TCP reads (served)", p->tcp_reads);
	kv_u64(f, "TCP writes (served)", p->tcp_writes);
	if (sys->cls[SC_ACCEPT].count || sys->accept_queue.count || p->unaccepted) {
		kv_u64(f, "connections accepted", sys_accepted(sys));
		kv_u64(f, "accept calls failed", sys->cls[SC_ACCEPT].errors);
		timed = lat_percentiles(&sys->accept_queue, &pct[0], NULL, &pct[2]);
		fprintf(f,
			"<div><span>listen queue p50/p99/max</span><span class=\"num\">%s / %s / "
			"%s</span></div>\n",
			ns_known(pct[0], timed, a), ns_known(pct[2], timed, b),
			ns_known(sys->accept_queue.max_ns, timed, c));
		kv_u64(f, "listen queue, longest", sys->backlog_max);
		kv_u64(f, "connections never accepted", p->unaccepted);
	}
	if (sys->handoff_sent || sys->handoff_received) {
		kv_u64(f, "descriptors passed on", sys->handoff_sent);
		kv_u64(f, "descriptors received", sys->handoff_received);
	}
	if (hist_total(sys->handoff_delay.hist, HIST_BUCKETS)) {
		lat_percentiles(&sys->handoff_delay, &pct[0], NULL, &pct[2]);
		fprintf(f,
			"<div><span>accept to handoff p50/p99/max</span><span class=\"num\">%s / "
			"%s / %s</span></div>\n",
			ns(pct[0], a), ns(pct[2], b), ns(sys->handoff_delay.max_ns, c));
	}
	fputs("</div>\n", f);
}

static void print_named(FILE *f, const char *label, const struct named_count *arr, size_t n,
			bool timed)
{
	char t[FORMAT_NS_LEN];

	fprintf(f, "<p class=\"note\">%s:", label);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : " ", f);
		esc_n(f, arr[i].name, strnlen(arr[i].name, NAME_LEN));
		fprintf(f, " %llu", (unsigned long long)arr[i].count);
		if (timed)
			fprintf(f, " in %s", ns(arr[i].total_ns, t));
	}
	fputs("</p>\n", f);
}

static void print_syscall_table(const struct process *p, FILE *f)
{
	char v[6][FORMAT_NS_LEN];
	uint64_t pct[3], d = 0;
	bool timed;

	fputs("<div class=\"scroll\"><table>\n<tr><th "
	      "class=\"t\">class</th><th>calls</th><th>errors</th><th>p50</th>"
	      "<th>p90</th><th>p99</th><th>max</th><th>total</th><th>bytes</th><th>blocked</th>"
	      "</tr>\n",
	      f);
	for (int c = 0; c < SC_CLASSES; c++) {
		const struct lat_figures *l = &p->sys.cls[c];

		if (!l->count && !p->sys.offcpu_ns[c])
			continue;
		timed = lat_percentiles(l, &pct[0], &pct[1], &pct[2]);
		fprintf(f,
			"<tr><td "
			"class=\"t\">%s</td><td>%llu</td><td>%llu</td><td>%s</td><td>%s</td>"
			"<td>%s</td><td>%s</td><td>%s</td><td>%llu</td><td>%s</td></tr>\n",
			sys_class_name(c), (unsigned long long)l->count,
			(unsigned long long)l->errors, ns_known(pct[0], timed, v[0]),
			ns_known(pct[1], timed, v[1]), ns_known(pct[2], timed, v[2]),
			ns_known(l->max_ns, timed, v[3]), ns(l->total_ns, v[4]),
			(unsigned long long)l->bytes, ns(p->sys.offcpu_ns[c], v[5]));
	}
	fputs("</table></div>\n", f);
	for (int c = 0; c <= SC_NONE; c++)
		d += p->sys.offcpu_d_ns[c];
	if (p->sys.offcpu_ns[SC_NONE] || d)
		fprintf(f,
			"<p class=\"note\">Blocked outside syscalls: %s. Of the blocked time, in "
			"uninterruptible sleep: %s.</p>\n",
			ns(p->sys.offcpu_ns[SC_NONE], v[0]), ns(d, v[1]));
	for (int c = 0; c < SC_CLASSES; c++) {
		char label[48];

		if (!p->sys.nerrnos[c])
			continue;
		snprintf(label, sizeof(label), "%s errors", sys_class_name(c));
		print_named(f, label, p->sys.errnos[c], p->sys.nerrnos[c], false);
	}
	if (p->sys.ntop)
		print_named(f, "other syscalls, most time first", p->sys.top, p->sys.ntop, true);
}

static void print_threads_table(const struct snapshot *s, const struct process *p, FILE *f)
{
	size_t n = p->nthreads < THREAD_ROWS_MAX ? p->nthreads : THREAD_ROWS_MAX;

	fputs("<div class=\"scroll\"><table>\n<tr><th>TID</th><th class=\"t\">COMM</th><th "
	      "class=\"t\">ROLE</th><th class=\"t\">KIND</th>"
	      "<th>CPU %</th><th>RUNQ %</th><th>RUNQ p50 / p99 / max</th><th>VCSW/s</th>"
	      "<th>ICSW/s</th><th>MIGR</th><th>WAKEUPS</th><th>READ p50 / p99</th>"
	      "<th>WRITE p50 / p99</th></tr>\n",
	      f);
	for (size_t j = 0; j < n; j++) {
		const struct thread *t = &p->threads[j];

		fprintf(f, "<tr%s><td>%d</td><td class=\"t\">",
			t->exited ? " class=\"exited\"" : "", t->tid);
		esc_comm(f, t->comm);
		fprintf(f,
			"%s</td><td class=\"t\">%s</td><td class=\"t\">%s</td><td>%.1f</td><td>%.1f"
			"</td><td>",
			t->exited ? " (exited)" : "", role_label(s, thread_role(s, p, t)),
			thread_kind_name(thread_kind(p, t)),
			100 * share(t->sched.cpu_ns, s->duration_ns),
			100 * share(t->sched.runq_wait_ns, s->duration_ns));
		runq_cell(f, &t->sched);
		fputs("</td><td>", f);
		rate(f, t->sched.voluntary_switches, s->duration_ns);
		fputs("</td><td>", f);
		rate(f, t->sched.involuntary_switches, s->duration_ns);
		fprintf(f, "</td><td>%llu</td><td>%llu</td><td>",
			(unsigned long long)t->sched.migrations,
			(unsigned long long)t->sched.wakeups);
		if (s->no_syscalls) {
			fputs("–</td><td>–", f);
		} else {
			p50_p99(f, &t->sys.cls[SC_READ]);
			fputs("</td><td>", f);
			p50_p99(f, &t->sys.cls[SC_WRITE]);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
	if (n < p->nthreads)
		fprintf(f,
			"<p class=\"note\">%zu more threads are in the JSON and CSV reports.</p>\n",
			p->nthreads - n);
}

/* ---- charts ---- */

static void svg_open(FILE *f, const char *id, int pid, int h, const char *label)
{
	fputs("<svg class=\"chart\" id=\"", f);
	if (pid >= 0)
		fprintf(f, "%s-%d", id, pid);
	else
		fputs(id, f);
	fprintf(f,
		"\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		"aria-label=\"%s\">\n",
		CHART_W, h, CHART_W, h, label);
}

/* The run-queue waits of a process by power of two, with its p50, p90 and p99 marked. */
static void chart_runq(const struct process *p, FILE *f)
{
	static const char *const names[3] = {"p50", "p90", "p99"};
	const int left = 64, right = 16, top = 52, bottom = 40, h = 280;
	const double plot_w = CHART_W - left - right, plot_h = h - top - bottom;
	uint64_t lines[HIST_LINES], total, max, pct[3];
	unsigned int first, last, nbars, k, every;
	char a[FORMAT_NS_LEN], b[FORMAT_NS_LEN];
	double bar_w, label_end[3] = {-1e9, -1e9, -1e9};

	total = hist_total(p->sched.runq_hist, HIST_BUCKETS);
	if (!total) {
		fputs("<p class=\"note\">No run-queue waits recorded.</p>\n", f);
		return;
	}
	max = hist_fold_lines(p->sched.runq_hist, lines, &first, &last);
	sched_stats_percentiles(&p->sched, &pct[0], &pct[1], &pct[2]);
	nbars = last - first + 1;
	bar_w = plot_w / nbars;
	every = nbars > 24 ? 4 : nbars > 12 ? 2 : 1;

	fputs("<figure>\n", f);
	svg_open(f, "runq", p->pid, h, "run-queue wait histogram");
	/* y axis: 0, half and the largest count */
	for (int i = 0; i <= 2; i++) {
		double y = top + plot_h - plot_h * i / 2.0;

		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
			left, y, CHART_W - right, y);
		fprintf(f,
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
			"class=\"small\">%llu</text>\n",
			left - 6, y + 4,
			(unsigned long long)(max / 2 * i + (i == 2 ? max % 2 : 0)));
	}
	for (k = first; k <= last; k++) {
		double x = left + (k - first) * bar_w, bh = plot_h * share(lines[k], max);

		if (lines[k] && bh < 1)
			bh = 1;
		format_ns(k ? 1ULL << (k - 1) : 0, a, sizeof(a));
		if (k == HIST_LINES - 1)
			snprintf(b, sizeof(b), "inf");
		else
			format_ns(1ULL << k, b, sizeof(b));
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"#5c8fc6\">"
			"<title>[%s, %s): %llu waits</title></rect>\n",
			x + 1, top + plot_h - bh, bar_w > 3 ? bar_w - 2 : bar_w, bh, a, b,
			(unsigned long long)lines[k]);
		if ((k - first) % every == 0)
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"small\">%s</text>\n", x + 1,
				h - bottom + 14, a);
	}
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", left,
		top + plot_h, CHART_W - right, top + plot_h);
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" class=\"small\">wait (each bar: a power of two, "
		"[lower, 2 x lower)), log scale</text>\n",
		left, h - 8);
	/* percentiles: where in its bar each falls, on the bar's own log scale */
	for (int i = 0; i < 3; i++) {
		double x, frac = 0.5, w;
		int row = 0;

		k = hist_line(hist_bucket(pct[i]));
		if (k < first || k > last)
			continue;
		if (k >= 1 && pct[i] > 0) {
			frac = log2((double)pct[i] / (double)(1ULL << (k - 1)));
			frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
		}
		x = left + (k - first + frac) * bar_w;
		w = 8.0 * (strlen(names[i]) + 1 + strlen(ns(pct[i], a)));
		/* a label that would overlap an earlier one goes on the next row up */
		while (row < 2 && x < label_end[row] + 4)
			row++;
		label_end[row] = x + w;
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n",
			x, top - 4 - 14 * row, x, top + plot_h, percentile_colors[i]);
		fprintf(f,
			"<text x=\"%.1f\" y=\"%d\" fill=\"%s\" "
			"style=\"fill:%s;font-weight:600\">%s "
			"%s</text>\n",
			x + 3, top - 8 - 14 * row, percentile_colors[i], percentile_colors[i],
			names[i], a);
	}
	fputs("</svg>\n<figcaption>Run-queue waits of ", f);
	esc_comm(f, p->comm);
	fprintf(f, ": %llu waits, p50 %s, ", (unsigned long long)total, ns(pct[0], a));
	fprintf(f, "p90 %s, ", ns(pct[1], a));
	fprintf(f, "p99 %s, ", ns(pct[2], a));
	fprintf(f, "max %s.</figcaption>\n</figure>\n", ns(p->sched.runq_max_ns, a));
}

static void legend_states(const struct snapshot *s, FILE *f)
{
	fputs("<div class=\"legend\">", f);
	for (int k = 0; k < ST_COUNT; k++)
		fprintf(f, "<span><i style=\"background:%s\"></i>%s%s</span>", state_colors[k],
			state_labels[k], state_known(s, k) ? "" : " –");
	fputs("</div>\n", f);
	if (s->no_syscalls)
		fputs("<p class=\"note\">Light mode: idle, I/O and lock waits need the syscall "
		      "hooks; the blocked time outside uninterruptible sleep is in other.</p>\n",
		      f);
}

/* One stacked bar: the shares of st, left to right in the order of enum thread_state. */
static void state_bar(FILE *f, double x0, double y, double w, double h, const struct states *st)
{
	double x = x0, acc = 0;

	if (!st->total_ns) {
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
			"stroke=\"#d7dde3\"/>\n",
			x0, y, w, h);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"small\">no time recorded</text>\n",
			x0 + 6, y + h / 2 + 4);
		return;
	}
	for (int k = 0; k < ST_COUNT; k++) {
		double sh = share(st->ns[k], st->total_ns), next;

		if (!st->ns[k])
			continue;
		/* cumulative, so rounding never leaves a gap or overruns the bar */
		acc += sh;
		next = x0 + w * (acc > 1 ? 1 : acc);
		fprintf(f,
			"<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\">"
			"<title>%s %.1f%%</title></rect>\n",
			x, y, next - x, h, state_colors[k], state_name(k), 100 * sh);
		if (next - x > 44)
			fprintf(f,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				"style=\"fill:#fff;font-size:11px\">%.0f%%</text>\n",
				(x + next) / 2, y + h / 2 + 4, 100 * sh);
		x = next;
	}
}

/*
 * Thread states: one bar per process (pid < 0), or per thread of one process. Shares of the
 * thread-time each row existed, as the analysis splits it.
 */
static void chart_states(const struct snapshot *s, const struct process *only, FILE *f)
{
	const int label_w = 250, row_h = 26, top = 8;
	size_t rows = only ? only->nthreads : s->nprocesses, shown, i;
	struct states st;
	int h;

	shown = rows < STATE_ROWS_MAX ? rows : STATE_ROWS_MAX;
	h = top + (int)shown * row_h + 8;
	fputs("<figure>\n", f);
	legend_states(s, f);
	svg_open(f, "states", only ? only->pid : -1, h, "thread states");
	for (i = 0; i < shown; i++) {
		double y = top + (double)i * row_h;
		const char *comm, *label;
		int id;

		if (only) {
			const struct thread *t = &only->threads[i];

			thread_states(t, &st);
			id = t->tid;
			comm = t->comm;
			label = thread_kind_name(thread_kind(only, t));
		} else {
			const struct process *p = &s->processes[i];

			/* its serving threads' time; its helpers are in its own section */
			process_states(p, &st);
			id = p->pid;
			comm = p->comm;
			label = role_label(s, process_role(s, p));
		}
		fprintf(f, "<text x=\"0\" y=\"%.1f\">%d ", y + row_h / 2.0 + 3, id);
		esc_comm(f, comm);
		fprintf(f, " <tspan class=\"small\">%s</tspan></text>\n", label);
		state_bar(f, label_w, y + 3, CHART_W - label_w - 4, row_h - 6, &st);
	}
	fputs("</svg>\n", f);
	if (shown < rows)
		fprintf(f,
			"<figcaption>%zu more rows are in the JSON and CSV reports.</figcaption>\n",
			rows - shown);
	fputs("</figure>\n", f);
}

/* ---- the wakeup and handoff graph ---- */

struct gnode {
	int pid;
	const char *comm; /* NULL: not a target and never named */
	bool target;
	uint64_t weight; /* sum of its edges' counts: which nodes to keep */
	uint64_t self;	 /* wakeups of its own threads */
	double x, y;
};

struct gedge {
	int from, to;
	uint64_t count;
	bool handoff; /* else a wakeup */
};

struct graph {
	struct gnode nodes[GRAPH_NODES_MAX];
	size_t nnodes;
	struct gedge edges[GRAPH_EDGES_MAX];
	size_t nedges;
	size_t dropped_edges;
};

static struct gnode *gnode_find(struct graph *g, int pid)
{
	for (size_t i = 0; i < g->nnodes; i++)
		if (g->nodes[i].pid == pid)
			return &g->nodes[i];
	return NULL;
}

/* Keeps the GRAPH_EDGES_MAX largest edges: a new one replaces the smallest when it is larger. */
static void gedge_add(struct graph *g, int from, int to, uint64_t count, bool handoff)
{
	size_t i, min = 0;

	if (!count)
		return;
	if (g->nedges < GRAPH_EDGES_MAX) {
		g->edges[g->nedges++] = (struct gedge){from, to, count, handoff};
		return;
	}
	g->dropped_edges++;
	for (i = 1; i < g->nedges; i++)
		if (g->edges[i].count < g->edges[min].count)
			min = i;
	if (g->edges[min].count < count)
		g->edges[min] = (struct gedge){from, to, count, handoff};
}

static void gnode_add(struct graph *g, const struct snapshot *s, int pid, const char *comm,
		      uint64_t weight)
{
	struct gnode *n = gnode_find(g, pid);
	size_t i, min = 0;

	if (n) {
		n->weight = n->weight + weight < n->weight ? UINT64_MAX : n->weight + weight;
		if (!n->comm && comm)
			n->comm = comm;
		return;
	}
	if (g->nnodes == GRAPH_NODES_MAX) {
		for (i = 1; i < g->nnodes; i++)
			if (g->nodes[i].weight < g->nodes[min].weight)
				min = i;
		if (g->nodes[min].weight >= weight)
			return;
		n = &g->nodes[min];
	} else {
		n = &g->nodes[g->nnodes++];
	}
	*n = (struct gnode){.pid = pid, .comm = comm, .weight = weight};
	n->target = process_comm(s, pid) != NULL;
	if (n->target)
		n->comm = process_comm(s, pid);
}

static int cmp_gnode(const void *a, const void *b)
{
	const struct gnode *x = a, *y = b;

	if (x->target != y->target)
		return x->target ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void graph_build(const struct snapshot *s, struct graph *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < s->nhandoffs; i++)
		gedge_add(g, s->handoffs[i].from, s->handoffs[i].to, s->handoffs[i].count, true);
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		for (size_t j = 0; j < p->nwakers; j++)
			if (p->wakers[j].pid != p->pid)
				gedge_add(g, p->wakers[j].pid, p->pid, p->wakers[j].count, false);
	}
	/* every target is a node; then the other ends of the kept edges */
	for (size_t i = 0; i < s->nprocesses; i++)
		gnode_add(g, s, s->processes[i].pid, s->processes[i].comm, 0);
	for (size_t i = 0; i < g->nedges; i++) {
		const struct gedge *e = &g->edges[i];
		const char *comm = NULL;

		/* a waker outside the targets is named by the target's peer entry */
		for (size_t k = 0; !e->handoff && k < s->nprocesses && !comm; k++)
			for (size_t j = 0; j < s->processes[k].nwakers && !comm; j++)
				if (s->processes[k].wakers[j].pid == e->from)
					comm = s->processes[k].wakers[j].comm;
		gnode_add(g, s, e->from, comm, e->count);
		gnode_add(g, s, e->to, NULL, e->count);
	}
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];
		struct gnode *n = gnode_find(g, p->pid);

		for (size_t j = 0; n && j < p->nwakers; j++)
			if (p->wakers[j].pid == p->pid)
				n->self += p->wakers[j].count;
	}
	qsort(g->nodes, g->nnodes, sizeof(g->nodes[0]), cmp_gnode);
}

static void graph_edge(FILE *f, const struct graph *g, const struct gedge *e, uint64_t max,
		       double r)
{
	const struct gnode *a = gnode_find((struct graph *)g, e->from),
			   *b = gnode_find((struct graph *)g, e->to);
	double dx, dy, len, cx, cy, sx, sy, tx, ty, mx, my, width, l1, l2, bend;
	const char *color = e->handoff ? "#ef6c00" : "#1976d2";

	if (!a || !b || a == b)
		return;
	dx = b->x - a->x;
	dy = b->y - a->y;
	len = sqrt(dx * dx + dy * dy);
	if (len < 1)
		return;
	/*
	 * Bend to the left of the direction of travel, so A->B and B->A stay apart; handoffs bend
	 * further than wakeups, so the two kinds between the same processes do too.
	 */
	bend = e->handoff ? 0.34 : 0.16;
	cx = (a->x + b->x) / 2 - dy * bend;
	cy = (a->y + b->y) / 2 + dx * bend;
	/* start and end on the node circles, towards the control point */
	l1 = sqrt((cx - a->x) * (cx - a->x) + (cy - a->y) * (cy - a->y));
	l2 = sqrt((cx - b->x) * (cx - b->x) + (cy - b->y) * (cy - b->y));
	if (l1 < 1 || l2 < 1)
		return;
	sx = a->x + (cx - a->x) / l1 * r;
	sy = a->y + (cy - a->y) / l1 * r;
	tx = b->x + (cx - b->x) / l2 * (r + 6);
	ty = b->y + (cy - b->y) / l2 * (r + 6);
	mx = 0.25 * sx + 0.5 * cx + 0.25 * tx;
	my = 0.25 * sy + 0.5 * cy + 0.25 * ty;
	width = 1.5 + 4.5 * (max > 1 ? log((double)e->count) / log((double)max) : 1);
	fprintf(f,
		"<path d=\"M%.1f %.1f Q%.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"%s\" "
		"stroke-width=\"%.1f\" stroke-opacity=\"0.75\" marker-end=\"url(#%s)\">"
		"<title>%s %d -&gt; %d: %llu</title></path>\n",
		sx, sy, cx, cy, tx, ty, color, width, e->handoff ? "arrow-handoff" : "arrow-wakeup",
		e->handoff ? "descriptors passed" : "wakeups", e->from, e->to,
		(unsigned long long)e->count);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		"style=\"fill:%s;font-weight:600;"
		"paint-order:stroke;stroke:#fff;stroke-width:4px\">%llu</text>\n",
		mx, my + 4, color, (unsigned long long)e->count);
}

/*
 * Processes as nodes on a circle; arrows for descriptors passed (snapshot handoffs) and for
 * wakeups (each target's wakers), labelled with their counts.
 */
static void chart_graph(const struct snapshot *s, FILE *f)
{
	const double r = 30;
	struct graph g;
	uint64_t max = 1;
	double cx, cy, radius;
	int h;

	graph_build(s, &g);
	if (!g.nnodes)
		return;
	h = g.nnodes <= 2 ? 260 : g.nnodes <= 8 ? 460 : 640;
	cx = CHART_W / 2.0;
	cy = h / 2.0;
	radius = g.nnodes == 1 ? 0 : h / 2.0 - r - 34;
	if (g.nnodes == 2)
		radius = 220;
	for (size_t i = 0; i < g.nnodes; i++) {
		/* start at the left, so two nodes sit side by side */
		double angle = M_PI + 2 * M_PI * (double)i / (double)g.nnodes;

		g.nodes[i].x = cx + radius * 1.6 * cos(angle) * (g.nnodes == 2 ? 0.625 : 1);
		g.nodes[i].y = cy + radius * sin(angle);
	}
	for (size_t i = 0; i < g.nedges; i++)
		max = g.edges[i].count > max ? g.edges[i].count : max;

	fputs("<figure>\n<div class=\"legend\"><span><i style=\"background:#ef6c00\"></i>"
	      "descriptors passed (SCM_RIGHTS)</span><span><i style=\"background:#1976d2\"></i>"
	      "wakeups (waker to woken)</span><span><i style=\"background:#fff;border:1px dashed "
	      "#5f6b76\"></i>not a target</span></div>\n",
	      f);
	svg_open(f, "graph", -1, h, "wakeup and handoff graph");
	fputs("<defs>", f);
	fputs("<marker id=\"arrow-handoff\" viewBox=\"0 0 10 10\" refX=\"2\" refY=\"5\" "
	      "markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\">"
	      "<path d=\"M0 0L10 5L0 10z\" fill=\"#ef6c00\"/></marker>",
	      f);
	fputs("<marker id=\"arrow-wakeup\" viewBox=\"0 0 10 10\" refX=\"2\" refY=\"5\" "
	      "markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\">"
	      "<path d=\"M0 0L10 5L0 10z\" fill=\"#1976d2\"/></marker>",
	      f);
	fputs("</defs>\n", f);
	for (size_t i = 0; i < g.nedges; i++)
		graph_edge(f, &g, &g.edges[i], max, r);
	for (size_t i = 0; i < g.nnodes; i++) {
		const struct gnode *n = &g.nodes[i];
		const struct process *p = snapshot_find_process((struct snapshot *)s, n->pid);
		double label_y;

		fprintf(f,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.0f\" fill=\"%s\" stroke=\"%s\" "
			"stroke-width=\"2\"%s/>\n",
			n->x, n->y, r, n->target ? "#e8f0f8" : "#fff",
			n->target ? "#1d4f7a" : "#5f6b76",
			n->target ? "" : " stroke-dasharray=\"4 3\"");
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			"style=\"font-weight:600\">%d</text>\n",
			n->x, n->y + 4, n->pid);
		/* labels outside the circle, away from the middle where the edges run */
		label_y = n->y < cy - 1 ? n->y - r - (n->self ? 22 : 8) : n->y + r + 15;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", n->x, label_y);
		if (n->pid == 0)
			fputs("(idle CPU: interrupt)", f);
		else if (n->comm)
			esc_comm(f, n->comm);
		if (p)
			fprintf(f, " <tspan class=\"small\">%s</tspan>",
				role_name(process_role(s, p)));
		fputs("</text>\n", f);
		if (n->self)
			fprintf(f,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				"class=\"small\">"
				"woke its own threads %llu</text>\n",
				n->x, label_y + 13, (unsigned long long)n->self);
	}
	fputs("</svg>\n", f);
	if (g.dropped_edges)
		fprintf(f,
			"<figcaption>The %d largest of the edges are drawn; the JSON report has "
			"all.</figcaption>\n",
			GRAPH_EDGES_MAX);
	fputs("</figure>\n", f);
}

/* Where value v falls on the log axis [lo, hi] of width w, from x0. */
static double log_x(uint64_t v, double lo, double hi, double x0, double w)
{
	double at = v < lo ? lo : (double)v;

	return x0 + w * (log10(at) - log10(lo)) / (log10(hi) - log10(lo));
}

/*
 * Latency by syscall class (and the connection path) on one log axis: a line from p50 to max,
 * a bar from p50 to p99, a tick at p90, a dot at p50.
 */
static void chart_syscalls(const struct process *p, FILE *f)
{
	const int label_w = 150, right = 190, top = 26, row_h = 28;
	const struct lat_figures *rows[SC_CLASSES + 2];
	const char *names[SC_CLASSES + 2];
	char a[FORMAT_NS_LEN], b[FORMAT_NS_LEN], c[FORMAT_NS_LEN];
	double lo = 1000, hi = 10000, x0 = label_w, w = CHART_W - label_w - right;
	size_t n = 0;
	int h;

	/* only figures with timed samples: a percentile of none has no place on the axis */
	for (int k = 0; k < SC_CLASSES; k++) {
		if (!hist_total(p->sys.cls[k].hist, HIST_BUCKETS))
			continue;
		rows[n] = &p->sys.cls[k];
		names[n++] = sys_class_name(k);
	}
	if (hist_total(p->sys.accept_queue.hist, HIST_BUCKETS)) {
		rows[n] = &p->sys.accept_queue;
		names[n++] = "listen queue";
	}
	if (hist_total(p->sys.handoff_delay.hist, HIST_BUCKETS)) {
		rows[n] = &p->sys.handoff_delay;
		names[n++] = "accept to handoff";
	}
	if (!n) {
		fputs("<p class=\"note\">No syscalls recorded.</p>\n", f);
		return;
	}
	/* decades from below the smallest p50 to above the largest max */
	for (size_t i = 0; i < n; i++) {
		uint64_t p50;

		lat_percentiles(rows[i], &p50, NULL, NULL);
		while (p50 && p50 < lo && lo > 10)
			lo /= 10;
		while ((double)rows[i]->max_ns >= hi && hi < 1e13)
			hi *= 10;
	}
	h = top + (int)n * row_h + 30;
	fputs("<figure>\n", f);
	svg_open(f, "syscalls", p->pid, h, "syscall latency by class");
	for (double d = lo; d <= hi * 1.0001; d *= 10) {
		double x = log_x((uint64_t)d, lo, hi, x0, w);

		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
			x, top - 6, x, h - 26);
		fprintf(f,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
			"class=\"small\">%s</text>\n",
			x, h - 12, ns((uint64_t)d, a));
	}
	fprintf(f,
		"<text x=\"%.1f\" y=\"14\" class=\"small\">dot: p50, bar: p50 to p99, tick: p90, "
		"line: to max (log scale)</text>\n",
		x0);
	for (size_t i = 0; i < n; i++) {
		double y = top + (double)i * row_h + row_h / 2.0, x50, x90, x99, xmax;
		uint64_t p50, p90, p99;

		lat_percentiles(rows[i], &p50, &p90, &p99);
		x50 = log_x(p50, lo, hi, x0, w);
		x90 = log_x(p90, lo, hi, x0, w);
		x99 = log_x(p99, lo, hi, x0, w);
		xmax = log_x(rows[i]->max_ns, lo, hi, x0, w);
		fprintf(f, "<text x=\"0\" y=\"%.1f\">%s</text>\n", y + 4, names[i]);
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#7b8794\" "
			"stroke-width=\"1.5\"/>\n",
			x50, y, xmax, y);
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#7b8794\"/>\n",
			xmax, y - 6, xmax, y + 6);
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" fill=\"#5c8fc6\" "
			"rx=\"2\"><title>%s: p50 %s, p99 %s, max %s</title></rect>\n",
			x50, y - 6, x99 - x50 > 2 ? x99 - x50 : 2, names[i], ns(p50, a), ns(p99, b),
			ns(rows[i]->max_ns, c));
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"2\"/>\n",
			x90, y - 8, x90, y + 8, percentile_colors[1]);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>\n", x50, y,
			percentile_colors[0]);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"small\">%llu timed, max %s",
			x0 + w + 14, y + 4, (unsigned long long)rows[i]->count,
			ns(rows[i]->max_ns, a));
		if (rows[i]->errors && rows[i] != &p->sys.accept_queue &&
		    rows[i] != &p->sys.handoff_delay)
			fprintf(f, ", %llu failed", (unsigned long long)rows[i]->errors);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n<figcaption>Latency by syscall class, with the connection path: time in "
	      "the listen queue and from accept to handoff.</figcaption>\n</figure>\n",
	      f);
}

/*
 * The figures over time, from the -i intervals: the hook for their line chart, which is still to
 * come. A run without intervals has no such section.
 */
/* Processes in the time series, by their CPU over the whole series: the busiest get a line. */
#define SERIES_LINES 6

struct series_line {
	int pid;
	uint64_t cpu_ns;
};

static int cmp_series_line(const void *a, const void *b)
{
	const struct series_line *x = a, *y = b;

	if (x->cpu_ns != y->cpu_ns)
		return x->cpu_ns < y->cpu_ns ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* A time series' grid at 0, half and all of ymax (in %), its time axis and the times under it. */
static void series_axes(FILE *f, int left, int right, int top, int h, double plot_h, double ymax,
			uint64_t t_end)
{
	const double plot_w = CHART_W - left - right;
	char label[FORMAT_NS_LEN];

	for (int i = 0; i <= 2; i++) {
		double y = top + plot_h - plot_h * i / 2.0;

		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
			left, y, CHART_W - right, y);
		fprintf(f,
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" "
			"class=\"small\">%.0f%%</text>\n",
			left - 6, y + 4, ymax * i / 2.0);
	}
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", left,
		top + plot_h, CHART_W - right, top + plot_h);
	for (int i = 0; i <= 4; i++)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
			"class=\"small\">%s</text>\n",
			left + plot_w * i / 4.0, h - 12,
			format_ns(t_end * (uint64_t)i / 4, label, sizeof(label)));
}

/* One line chart over the intervals: a process's figure as a share of each interval, in %. */
static void series_chart(const struct snapshot *s, const struct series_line *lines, size_t nlines,
			 bool runq, FILE *f)
{
	static const char *const colors[SERIES_LINES] = { "#2b6cb0", "#c05621", "#2f855a",
							  "#6b46c1", "#b83280", "#718096" };
	const int left = 56, right = 16, top = 24, bottom = 36, h = 240;
	const double plot_w = CHART_W - left - right, plot_h = h - top - bottom;
	uint64_t t_end = s->intervals[s->nintervals - 1].end_ns;
	double ymax = 100;

	/* the scale: 100% of one CPU, or more when a process used several */
	for (size_t i = 0; i < s->nintervals; i++)
		for (size_t k = 0; k < s->intervals[i].nprocs; k++) {
			const struct interval_proc *ip = &s->intervals[i].procs[k];
			double v = s->intervals[i].duration_ns
					   ? 100.0 * (double)(runq ? ip->runq_wait_ns : ip->cpu_ns) /
						     (double)s->intervals[i].duration_ns
					   : 0;

			while (v > ymax && ymax < 1e6)
				ymax += 100;
		}
	fputs("<figure>\n", f);
	svg_open(f, runq ? "series-runq" : "series-cpu", -1, h,
		 runq ? "waiting for a CPU over time" : "CPU over time");
	series_axes(f, left, right, top, h, plot_h, ymax, t_end);
	for (size_t l = 0; l < nlines; l++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			colors[l % SERIES_LINES]);
		for (size_t i = 0; i < s->nintervals; i++) {
			const struct interval *iv = &s->intervals[i];
			double v = 0, x, y;

			for (size_t k = 0; k < iv->nprocs; k++)
				if (iv->procs[k].pid == lines[l].pid && iv->duration_ns)
					v = 100.0 *
					    (double)(runq ? iv->procs[k].runq_wait_ns : iv->procs[k].cpu_ns) /
					    (double)iv->duration_ns;
			x = left + (t_end ? plot_w * (double)iv->end_ns / (double)t_end : 0);
			y = top + plot_h - plot_h * (v > ymax ? ymax : v) / ymax;
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
		}
		fputs("\"/>\n", f);
	}
	fputs("</svg>\n<figcaption class=\"legend\">", f);
	for (size_t l = 0; l < nlines; l++) {
		const struct process *p = snapshot_find_process((struct snapshot *)s, lines[l].pid);

		fprintf(f, "%s<span style=\"color:%s\">&#9632;</span> %d ", l ? " &nbsp; " : "",
			colors[l % SERIES_LINES], lines[l].pid);
		if (p)
			esc_comm(f, p->comm);
	}
	fprintf(f, " &mdash; %s, %% of each interval (100%% = one CPU)</figcaption>\n</figure>\n",
		runq ? "time waiting for a CPU" : "on-CPU time");
}

/* Shares of an interval's CPU time by kind, the stacked chart's layers (idle is the rest). */
static const enum budget_kind series_kinds[] = {BUDGET_TARGETS, BUDGET_LOAD,	BUDGET_OTHER,
						BUDGET_IRQ,	BUDGET_SOFTIRQ, BUDGET_STEAL};
#define SERIES_KINDS (sizeof(series_kinds) / sizeof(series_kinds[0]))

/* The share of interval iv's CPU time in the layers below layer k (k = SERIES_KINDS: all). */
static double series_below(const struct interval *iv, size_t k)
{
	double sum = 0;

	if (iv->budget.status != BUDGET_MEASURED)
		return 0; /* not measured: no layer, a gap at the bottom */
	for (size_t j = 0; j < k; j++)
		sum += share(cpu_budget_kind_ns(&iv->budget, series_kinds[j]), iv->budget.total_ns);
	return sum > 1 ? 1 : sum;
}

/*
 * How the machine's CPUs were shared in each interval: its budget's kinds stacked as steps over
 * the interval's time, 100% = all the CPUs; the space above them is idle. Nothing when no
 * interval has a budget.
 */
static void series_budget_chart(const struct snapshot *s, FILE *f)
{
	const int left = 56, right = 16, top = 24, bottom = 36, h = 200;
	const double plot_w = CHART_W - left - right, plot_h = h - top - bottom;
	uint64_t t_end = s->intervals[s->nintervals - 1].end_ns;
	bool shown[SERIES_KINDS] = {0}, any = false;

	for (size_t i = 0; i < s->nintervals; i++)
		for (size_t k = 0; k < SERIES_KINDS; k++)
			if (s->intervals[i].budget.status == BUDGET_MEASURED &&
			    cpu_budget_kind_ns(&s->intervals[i].budget, series_kinds[k]))
				any = shown[k] = true;
	if (!any)
		return;
	fputs("<figure>\n", f);
	svg_open(f, "series-budget", -1, h, "the CPUs over time");
	series_axes(f, left, right, top, h, plot_h, 100, t_end);
	for (size_t k = 0; k < SERIES_KINDS; k++) {
		if (!shown[k])
			continue;
		fprintf(f, "<polygon fill=\"%s\" points=\"", budget_colors[series_kinds[k]]);
		/* along the layer's top, left to right, then back along its bottom */
		for (size_t n = 0; n < 2 * s->nintervals; n++) {
			bool back = n >= s->nintervals;
			const struct interval *iv =
				&s->intervals[back ? 2 * s->nintervals - 1 - n : n];
			uint64_t start =
				iv->end_ns > iv->duration_ns ? iv->end_ns - iv->duration_ns : 0;
			double x0 = t_end ? plot_w * (double)start / (double)t_end : 0;
			double x1 = t_end ? plot_w * (double)iv->end_ns / (double)t_end : 0;
			double y = top + plot_h - plot_h * series_below(iv, back ? k : k + 1);

			x0 = left + (x0 > plot_w ? plot_w : x0);
			x1 = left + (x1 > plot_w ? plot_w : x1);
			fprintf(f, "%s%.1f,%.1f %.1f,%.1f", n ? " " : "", back ? x1 : x0, y,
				back ? x0 : x1, y);
		}
		fputs("\"/>\n", f);
	}
	fputs("</svg>\n<figcaption class=\"legend\">", f);
	for (size_t k = 0; k < SERIES_KINDS; k++)
		if (shown[k])
			fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>",
				budget_colors[series_kinds[k]], budget_kind_name(series_kinds[k]));
	fprintf(f,
		" &mdash; the CPU budget of each interval, %% of the CPU time /proc/stat counted "
		"(100%% = all %d CPU%s); above it, idle. Other processes are all in "
		"other.</figcaption>\n</figure>\n",
		s->cpus, s->cpus == 1 ? "" : "s");
}

/* The -i time series: CPU and run-queue wait per interval for the busiest processes. */
static void chart_timeseries(const struct snapshot *s, FILE *f)
{
	struct series_line lines[SERIES_LINES + 1];
	size_t n = 0;

	if (!s->nintervals)
		return;
	for (size_t i = 0; i < s->nprocesses; i++) {
		uint64_t cpu = 0;

		for (size_t k = 0; k < s->nintervals; k++)
			for (size_t j = 0; j < s->intervals[k].nprocs; j++)
				if (s->intervals[k].procs[j].pid == s->processes[i].pid &&
				    cpu + s->intervals[k].procs[j].cpu_ns >= cpu)
					cpu += s->intervals[k].procs[j].cpu_ns;
		if (!cpu)
			continue; /* nothing to draw */
		/* keep the busiest SERIES_LINES: insert, sort, drop the last */
		lines[n++] = (struct series_line){ .pid = s->processes[i].pid, .cpu_ns = cpu };
		qsort(lines, n, sizeof(*lines), cmp_series_line);
		if (n > SERIES_LINES)
			n = SERIES_LINES;
	}
	fprintf(f, "<section id=\"over-time\">\n<h2>Over time</h2>\n<p class=\"note\">Every %.1f s "
		   "(-i): the busiest processes' on-CPU time and time waiting for a CPU, and how the "
		   "machine's CPUs were shared.</p>\n",
		(double)s->interval_ns / 1e9);
	series_chart(s, lines, n, false, f);
	series_chart(s, lines, n, true, f);
	series_budget_chart(s, f);
	fputs("</section>\n", f);
}

/* ---- the CPU budget ---- */

/* Whether a part has a name of its own (a process, the command), not just its kind's. */
static bool budget_named(const struct budget_part *p)
{
	return p->kind == BUDGET_OTHER || p->kind == BUDGET_LOAD;
}

/* The machine's CPU time as one stacked bar, the parts in the order the JSON lists them. */
static void chart_budget(const struct cpu_budget *b, FILE *f)
{
	const int h = 40, bar_h = 28, top = 6;
	double x = 0, acc = 0, next, sh;
	char a[FORMAT_NS_LEN];

	svg_open(f, "budget", -1, h, "CPU budget");
	for (size_t i = 0; i < b->nparts && i < BUDGET_MAX_PARTS; i++) {
		const struct budget_part *p = &b->parts[i];

		sh = share(p->cpu_ns, b->total_ns);
		if (!p->cpu_ns || (unsigned int)p->kind >= BUDGET_KINDS)
			continue;
		/* cumulative, so rounding never leaves a gap or overruns the bar */
		acc += sh;
		next = CHART_W * (acc > 1 ? 1 : acc);
		fprintf(f,
			"<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">"
			"<title>%s",
			x, top, next - x, bar_h, budget_colors[p->kind], budget_kind_name(p->kind));
		if (budget_named(p)) {
			fputc(' ', f);
			esc_n(f, p->name, sizeof(p->name));
		}
		fprintf(f, ": %s, %.1f%%</title></rect>\n", ns(p->cpu_ns, a), 100 * sh);
		if (next - x > 60) {
			fprintf(f,
				"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
				"style=\"fill:%s;font-size:11px\">",
				(x + next) / 2, top + bar_h / 2 + 4,
				p->kind == BUDGET_IDLE ? "#1d2329" : "#fff");
			esc_n(f, budget_named(p) ? p->name : budget_kind_name(p->kind),
			      sizeof(p->name));
			fprintf(f, " %.0f%%</text>\n", 100 * sh);
		}
		x = next;
	}
	fputs("</svg>\n", f);
}

/* How the machine's CPUs were shared during the run: a stacked bar and a table of the parts. */
static void print_budget(const struct snapshot *s, FILE *f)
{
	const struct cpu_budget *b = &s->cpu_budget;
	char a[FORMAT_NS_LEN];
	double busy = 0;

	fputs("<section id=\"cpu-budget\">\n<h2>CPU budget</h2>\n", f);
	if (b->status != BUDGET_MEASURED) {
		if (b->status == BUDGET_UNREADABLE) {
			fputs("<p class=\"warn\">CPU budget: /proc/stat unreadable", f);
			if (*b->error)
				fputs(": ", f);
			esc_n(f, b->error, sizeof(b->error));
			fputs("</p>\n", f);
		} else {
			fputs("<p>CPU budget: unknown (this run was saved without one).</p>\n", f);
		}
		fputs("</section>\n", f);
		return;
	}
	cpu_budget_busy_share(b, &busy);
	fprintf(f,
		"<p class=\"meta\">%s of CPU time as /proc/stat counted it (%d CPU%s &times; "
		"%.1f s), %.0f%% busy.</p>\n<figure>\n",
		ns(b->total_ns, a), s->cpus, s->cpus == 1 ? "" : "s", (double)s->duration_ns / 1e9,
		100 * busy);
	chart_budget(b, f);
	fputs("</figure>\n<table>\n<tr><th class=\"t\">PART</th><th class=\"t\">NAME</th>"
	      "<th>CPU TIME</th><th>% OF THE CPUS</th></tr>\n",
	      f);
	for (size_t i = 0; i < b->nparts && i < BUDGET_MAX_PARTS; i++) {
		const struct budget_part *p = &b->parts[i];
		const char *kind = budget_kind_name(p->kind);

		fprintf(f,
			"<tr><td class=\"t\"><i style=\"display:inline-block;width:10px;"
			"height:10px;margin-right:5px;background:%s\"></i>%s</td><td class=\"t\">",
			kind ? budget_colors[p->kind] : "#fff", kind ? kind : "?");
		if (budget_named(p))
			esc_n(f, p->name, sizeof(p->name));
		fprintf(f, "</td><td>%s</td><td>%.1f</td></tr>\n", ns(p->cpu_ns, a),
			100 * share(p->cpu_ns, b->total_ns));
	}
	fputs("</table>\n<p class=\"note\">targets: their on-CPU time; load: the command "
	      "after <code>--</code> when a selector chose the targets; other: the busiest other "
	      "process names, and (rest), time no process seen at both ends of the run accounts "
	      "for; irq, softirq, steal and idle (with iowait) from /proc/stat. The parts add up "
	      "to the total.</p>\n</section>\n",
	      f);
}

/* loadscope's own programs: events a second and CPU, in all and per program that ran. */
static void print_observer(const struct snapshot *s, FILE *f)
{
	const struct observer_cost *c = &s->observer;
	double seconds = (double)s->duration_ns / 1e9, cpus = s->cpus > 0 ? s->cpus : 1;
	uint64_t run_ns = observer_run_ns(c);
	char a[FORMAT_NS_LEN];

	fputs("<section id=\"observer\">\n<h2>Observer</h2>\n", f);
	if (c->source == OBSERVER_UNKNOWN || seconds <= 0) {
		fputs("<p>The observer's cost is unknown (not measured: a run saved before it was, "
		      "or no BPF run-time statistics).</p>\n</section>\n",
		      f);
		return;
	}
	fprintf(f,
		"<p>loadscope's programs handled %.0f events a second and used %s of CPU, %.1f%% "
		"of the %d CPU%s (%.1f%% of one), from the kernel's per-program run-time "
		"statistics (on for %.0f%% of the run, scaled up to all of it).</p>\n",
		(double)observer_runs(c) / seconds, ns(run_ns, a),
		100.0 * (double)run_ns / 1e9 / seconds / cpus, s->cpus, s->cpus == 1 ? "" : "s",
		100.0 * (double)run_ns / 1e9 / seconds, 100.0 * c->sampled_share);
	fputs("<div class=\"scroll\"><table>\n<tr><th class=\"t\">program</th><th>runs/s</th>"
	      "<th>ns/run</th><th>% of a CPU</th></tr>\n",
	      f);
	for (size_t i = 0; i < c->nprograms; i++) {
		const struct observer_program *p = &c->programs[i];

		if (!p->runs)
			continue;
		fputs("<tr><td class=\"t\">", f);
		esc_n(f, p->name, sizeof(p->name));
		fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>%.1f</td></tr>\n",
			(double)p->runs / seconds, (double)p->run_ns / (double)p->runs,
			100.0 * (double)p->run_ns / 1e9 / seconds);
	}
	fputs("</table></div>\n</section>\n", f);
}

static bool has_syscalls(const struct process *p)
{
	for (int c = 0; c <= SC_NONE; c++)
		if ((c < SC_CLASSES && p->sys.cls[c].count) || p->sys.offcpu_ns[c])
			return true;
	return false;
}

static void print_process(const struct snapshot *s, const struct process *p, FILE *f)
{
	fprintf(f, "<section class=\"process\" id=\"p-%d\">\n<h2>%d ", p->pid, p->pid);
	esc_comm(f, p->comm);
	fprintf(f, " <span class=\"meta\">%s%s</span></h2>\n", role_label(s, process_role(s, p)),
		p->exited ? ", exited" : "");
	print_process_figures(s, p, f);
	fputs("<h3>Run-queue waits</h3>\n", f);
	chart_runq(p, f);
	fputs("<h3>Syscalls</h3>\n", f);
	if (s->no_syscalls) {
		fputs("<p class=\"note\">– (light mode: no syscall hooks)</p>\n", f);
	} else {
		chart_syscalls(p, f);
		if (has_syscalls(p))
			print_syscall_table(p, f);
	}
	if (p->nthreads > 1) {
		fputs("<h3>Threads</h3>\n", f);
		chart_states(s, p, f);
		print_threads_table(s, p, f);
	}
	fputs("</section>\n", f);
}

void report_html(const struct snapshot *s, FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* nothing may be fetched: no script, no external style, image or font */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n",
	      f);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
	fprintf(f, "<title>loadscope: %.1f s, ", (double)s->duration_ns / 1e9);
	esc(f, s->targets.description && *s->targets.description ? s->targets.description
								 : "targets not recorded");
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	print_header(s, f);
	if (s->nprocesses)
		print_findings(s, f);
	print_budget(s, f);
	print_observer(s, f);
	print_overview(s, f);
	if (s->nprocesses) {
		fputs("<section id=\"thread-states\">\n<h2>Thread states</h2>\n<p class=\"note\">"
		      "Where each process's thread-time went, as shares of the time its threads "
		      "existed during the run.</p>\n",
		      f);
		chart_states(s, NULL, f);
		fputs("</section>\n<section id=\"wakeups\">\n<h2>Wakeups and handoffs</h2>\n"
		      "<p class=\"note\">Who woke whom between processes (at sched_waking, in the "
		      "waker's context), and the descriptors passed between them.</p>\n",
		      f);
		chart_graph(s, f);
		fputs("</section>\n", f);
		chart_timeseries(s, f);
	}
	for (size_t i = 0; i < s->nprocesses; i++)
		print_process(s, &s->processes[i], f);
	fprintf(f,
		"<footer>loadscope, schema %s. A saved run is shown again with "
		"<code>loadscope report RUN.json --html FILE</code>.</footer>\n",
		SCHEMA_NAME);
	fputs("</body>\n</html>\n", f);
}
