// SPDX-License-Identifier: GPL-2.0
/* The human-readable report: header, per-process table and run-queue wait histograms. */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis.h"
#include "core/bottleneck.h"
#include "core/budget.h"
#include "core/cpulimit.h"
#include "core/totals.h"
#include "render/render.h"
#include "core/syscalls.h"

#define REPORT_COLUMNS 100
#define BAR_WIDTH      40
#define STATE_BAR      20

/* comm is whatever bytes a task set with prctl(); keep control characters off the terminal. */
static const char *printable_comm(const char *comm, char *buf)
{
	size_t i;

	for (i = 0; i < LS_COMM_LEN - 1 && comm[i]; i++)
		buf[i] = isprint((unsigned char)comm[i]) ? comm[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A printf width for v that makes it `columns` wide on a terminal: UTF-8 "–" is 3 bytes. */
static int width(const char *v, int columns)
{
	int extra = 0;

	for (; *v; v++)
		extra += ((unsigned char)*v & 0xc0) == 0x80;
	return columns + extra;
}

static double percent(uint64_t part_ns, uint64_t whole_ns)
{
	return whole_ns ? 100.0 * (double)part_ns / (double)whole_ns : 0.0;
}

static void format_rate(uint64_t count, uint64_t duration_ns, char *buf, size_t len)
{
	double rate;

	if (!duration_ns) {
		snprintf(buf, len, "-");
		return;
	}
	rate = (double)count * 1e9 / (double)duration_ns;
	snprintf(buf, len, rate < 999.95 ? "%.1f" : "%.0f", rate);
}

/* Appends n bytes while they fit; *at keeps counting, so the caller knows what was cut. */
static void append(char *buf, size_t len, size_t *at, const char *text, size_t n)
{
	size_t room;

	if (*at + 1 < len) {
		room = len - 1 - *at;
		memcpy(buf + *at, text, n < room ? n : room);
		buf[*at + (n < room ? n : room)] = '\0';
	}
	*at += n;
}

/* Arguments a shell would split or expand are quoted, so the line can be pasted back. */
static void append_arg(char *buf, size_t len, size_t *at, const char *arg)
{
	bool plain = *arg != '\0';
	const char *c;
	char ch;

	for (c = arg; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_./:=@%+,-", *c))
			plain = false;
	if (*at)
		append(buf, len, at, " ", 1);
	if (plain) {
		append(buf, len, at, arg, strlen(arg));
		return;
	}
	append(buf, len, at, "'", 1);
	for (c = arg; *c; c++) {
		if (*c == '\'') {
			append(buf, len, at, "'\\''", 4);
			continue;
		}
		ch = isprint((unsigned char)*c) ? *c : '?';
		append(buf, len, at, &ch, 1);
	}
	append(buf, len, at, "'", 1);
}

static void print_command(const struct snapshot *s, FILE *f)
{
	char line[1024] = "", status[64];
	size_t at = 0, room;
	unsigned int i;

	for (i = 0; s->command[i]; i++)
		append_arg(line, sizeof(line), &at, s->command[i]);
	if (s->command_exit >= 0)
		snprintf(status, sizeof(status), " (exit status %d)", s->command_exit);
	else
		snprintf(status, sizeof(status), " (no exit status: it had not finished)");
	/* A long command line is cut so the exit status stays on the one line. */
	room = REPORT_COLUMNS - strlen("command: ") - strlen(status);
	if (at > room)
		memcpy(line + room - 3, "...", 4);
	fprintf(f, "command: %s%s\n", line, status);
}

/* "3 lost (threads_full): target threads not tracked, the thread map was full (...)" */
static const char *warning_text(int reason, uint64_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%llu lost (%s): %s", (unsigned long long)n, drop_reason_name(reason),
		 drop_reason_text(reason));
	return buf;
}

/* A cgroup's name is any bytes its creator chose: control characters are kept out. */
static void printable_path(char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s", path);
	for (char *p = out; *p; p++)
		if (!isprint((unsigned char)*p))
			*p = '?';
}

static void print_header(const struct snapshot *s, FILE *f)
{
	char path[PATH_MAX], line[256];
	uint64_t dropped;
	char buf[256];

	fprintf(f, "loadscope — %.1f s, %d CPU%s, Linux %s; targets: %s\n",
		(double)s->duration_ns / 1e9, s->cpus, s->cpus == 1 ? "" : "s",
		s->kernel && *s->kernel ? s->kernel : "(unknown)",
		s->targets.description && *s->targets.description ? s->targets.description
								  : "(not recorded)");
	if (s->command && s->command[0])
		print_command(s, f);
	if (s->no_syscalls)
		report_wrapped(f, "light mode:", LIGHT_MODE_LEAVES_OUT, 4);
	/* every counter of what the maps could not hold: the figures above it are short of it */
	for (int r = 0; r < DROP_REASONS; r++) {
		dropped = s->drops[r];
		if (dropped)
			report_wrapped(f, "warning:", warning_text(r, dropped, buf, sizeof(buf)), 4);
	}
	if (lifecycle_line(s, line, sizeof(line)))
		fprintf(f, "%s\n", line);
	for (size_t i = 0; i < s->ncgroups; i++) {
		if (!s->cgroups[i].removed)
			continue;
		printable_path(path, sizeof(path), s->cgroups[i].path);
		fprintf(f, "note: cgroup %s" CGROUP_REMOVED_NOTE "\n", path);
	}
}

/* The one statement every report opens with: what limited the run. */
static void print_bottleneck(const struct snapshot *s, FILE *f)
{
	struct bottleneck b;
	char first[48];

	analyze_bottleneck(s, &b);
	snprintf(first, sizeof(first), "BOTTLENECK: %s:", bottleneck_kind_name(b.kind));
	report_wrapped(f, first, b.text, 4);
}

static void print_row(FILE *f, const char *id, const char *comm, const struct sched_stats *st,
		      bool exited, uint64_t duration_ns)
{
	char p50[FORMAT_NS_LEN] = "-", p99[FORMAT_NS_LEN] = "-", max[FORMAT_NS_LEN] = "-";
	char vcsw[32], icsw[32], name[LS_COMM_LEN];
	uint64_t v50, v99;

	if (hist_total(st->runq_hist, HIST_BUCKETS)) {
		sched_stats_percentiles(st, &v50, NULL, &v99);
		format_ns(v50, p50, sizeof(p50));
		format_ns(v99, p99, sizeof(p99));
	}
	if (st->runq_count || st->runq_max_ns)
		format_ns(st->runq_max_ns, max, sizeof(max));
	format_rate(st->voluntary_switches, duration_ns, vcsw, sizeof(vcsw));
	format_rate(st->involuntary_switches, duration_ns, icsw, sizeof(icsw));
	fprintf(f, "%-8s %-15s %6.1f %6.1f %6s/%6s/%6s %7s %7s %7llu %8llu%s\n", id,
		printable_comm(comm, name), percent(st->cpu_ns, duration_ns),
		percent(st->runq_wait_ns, duration_ns), p50, p99, max, vcsw, icsw,
		(unsigned long long)st->migrations, (unsigned long long)st->wakeups,
		exited ? " exited" : "");
}

static void print_table(const struct snapshot *s, FILE *f, bool threads)
{
	const struct process *p;
	char id[32];
	size_t i, j;

	fprintf(f, "%-8s %-15s %6s %6s %20s %7s %7s %7s %8s\n", "PID", "COMM", "CPU%", "RUNQ%",
		"RUNQ p50/p99/max", "VCSW/s", "ICSW/s", "MIGR", "WAKEUPS");
	for (i = 0; i < s->nprocesses; i++) {
		p = &s->processes[i];
		snprintf(id, sizeof(id), "%d", p->pid);
		print_row(f, id, p->comm, &p->sched, p->exited, s->duration_ns);
		if (!threads)
			continue;
		for (j = 0; j < p->nthreads; j++) {
			snprintf(id, sizeof(id), "  %d", p->threads[j].tid);
			print_row(f, id, p->threads[j].comm, &p->threads[j].sched,
				  p->threads[j].exited, s->duration_ns);
		}
	}
	if (!s->nprocesses)
		fprintf(f, "(no target process was seen)\n");
	fprintf(f,
		"CPU%%: on-CPU time / wall time (100 = one CPU). RUNQ%%: time waiting for a CPU / "
		"wall time.\n");
	fprintf(f, "RUNQ p50/p99/max: single waits. VCSW, ICSW: voluntary, involuntary switches. "
		   "MIGR: CPU moves.\n");
}

/* The targets by cgroup v2, with totals, when they are in more than one. */
static void print_cgroups(const struct snapshot *s, FILE *f)
{
	char vcsw[32], icsw[32], calls[32], line[REPORT_COLUMNS + 1], name[LS_COMM_LEN];
	const struct cgroup_total *g;
	const struct process *p;
	size_t at;
	int w;

	if (s->ncgroups < 2)
		return;
	fprintf(f, "\nCGROUPS: the targets by cgroup v2 (path under the cgroup2 mount), totals\n");
	fprintf(f, "%-44s %5s %6s %6s %7s %7s %10s\n", "CGROUP", "PROCS", "CPU%", "RUNQ%",
		"VCSW/s", "ICSW/s", "SYSCALLS/s");
	for (size_t i = 0; i < s->ncgroups; i++) {
		g = &s->cgroups[i];
		format_rate(g->voluntary_switches, s->duration_ns, vcsw, sizeof(vcsw));
		format_rate(g->involuntary_switches, s->duration_ns, icsw, sizeof(icsw));
		if (s->no_syscalls)
			snprintf(calls, sizeof(calls), "–");
		else
			format_rate(g->syscalls, s->duration_ns, calls, sizeof(calls));
		/* a long path keeps its end, which names the service or container */
		w = (int)strlen(g->path);
		fprintf(f, "%s%-*s %5zu %6.1f %6.1f %7s %7s %*s\n", w > 44 ? "..." : "",
			w > 44 ? 41 : 44, w > 44 ? g->path + w - 41 : g->path, g->npids,
			percent(g->cpu_ns, s->duration_ns), percent(g->runq_wait_ns, s->duration_ns),
			vcsw, icsw, width(calls, 10), calls);
		at = (size_t)snprintf(line, sizeof(line), "  processes:");
		for (size_t k = 0; k < g->npids; k++) {
			char item[48];

			p = snapshot_find_process((struct snapshot *)s, g->pids[k]);
			snprintf(item, sizeof(item), "%s %d %s", k ? "," : "", g->pids[k],
				 p ? printable_comm(p->comm, name) : "?");
			if (at + strlen(item) + 6 > REPORT_COLUMNS) {
				snprintf(line + at, sizeof(line) - at, " ...");
				break;
			}
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s", item);
		}
		fprintf(f, "%s\n", line);
	}
}

/* Worth a line: a quota, throttling however it came, or files that could not be read. */
static bool cpu_limit_shown(const struct cpu_limit *l)
{
	return (l->known & CPU_KNOWN_QUOTA) || l->missing ||
	       ((l->known & CPU_KNOWN_THROTTLING) && l->throttled_periods);
}

/* "quota 20ms per 100ms (0.20 CPUs); throttled 41 of 52 periods, 3.1s; PSI some 3.2s" */
static void describe_cpu_limit(const struct cpu_limit *l, char *buf, size_t len)
{
	char a[FORMAT_NS_LEN], b[FORMAT_NS_LEN];
	size_t at = 0;

#define ADD(...) (at += (size_t)snprintf(buf + at, at < len ? len - at : 0, __VA_ARGS__))
	buf[0] = '\0';
	if (!(l->known & CPU_KNOWN_QUOTA))
		ADD("no quota");
	else if (!(l->known & CPU_KNOWN_PERIOD))
		ADD("quota %s per period", format_ns(l->quota_us * 1000, a, sizeof(a)));
	else
		ADD("quota %s per %s (%.2f CPUs)", format_ns(l->quota_us * 1000, a, sizeof(a)),
		    format_ns(l->period_us * 1000, b, sizeof(b)), cpu_limit_cpus(l));
	if (l->end_only)
		ADD("; first seen at the end of the run: throttling not measured");
	else if (l->known & CPU_KNOWN_THROTTLING)
		ADD("; throttled %llu of %llu periods, %s",
		    (unsigned long long)l->throttled_periods, (unsigned long long)l->periods,
		    format_ns(l->throttled_ns, a, sizeof(a)));
	if (!l->end_only && (l->known & CPU_KNOWN_PRESSURE))
		ADD("; PSI some %s", format_ns(l->pressure_some_ns, a, sizeof(a)));
	if (l->counters_reset)
		ADD("; its counters were reset during the run");
	for (int i = 0, n = 0; i < CPU_FILES; i++)
		if (l->missing & (1u << i))
			ADD("%s%s", n++ ? ", " : "; unreadable: ", cpu_file_name(1u << i));
#undef ADD
}

/* The cpu cgroups of the targets and their ancestors that limit them, when any does. */
static void print_cpu_limits(const struct snapshot *s, FILE *f)
{
	char line[640], path[320];
	bool any = false;

	for (size_t i = 0; i < s->ncpu_cgroups; i++)
		any |= cpu_limit_shown(&s->cpu_cgroups[i].limit);
	if (!any)
		return;
	fprintf(f, "\nCPU LIMITS: cpu cgroups of the targets (and their ancestors) with a quota, "
		   "over the run\n");
	for (size_t i = 0; i < s->ncpu_cgroups; i++) {
		const struct cpu_cgroup *c = &s->cpu_cgroups[i];
		size_t at;

		if (!cpu_limit_shown(&c->limit))
			continue;
		printable_path(path, sizeof(path), c->path);
		at = (size_t)snprintf(line, sizeof(line), "cgroup %s (%s%s): ", path,
				      cgroup_hierarchy_name(c->hierarchy),
				      c->npids ? "" : ", ancestor");
		if (at < sizeof(line))
			describe_cpu_limit(&c->limit, line + at, sizeof(line) - at);
		report_wrapped(f, "  ", line, 4);
	}
	if (s->cpu_cgroups_full)
		fprintf(f, "  %llu more cpu cgroups not read (at most %d are)\n",
			(unsigned long long)s->cpu_cgroups_full, LS_MAX_CPU_CGROUPS);
}

static void print_histogram(const struct process *p, FILE *f)
{
	static const char *const names[] = {"p50", "p90", "p99"};
	char lo[FORMAT_NS_LEN], hi[FORMAT_NS_LEN], name[LS_COMM_LEN];
	char bar[BAR_WIDTH + 1], marks[32];
	uint64_t lines[HIST_LINES], pct[3], total, max;
	unsigned int first, last, mark_line[3], i, k, width;
	size_t at;

	total = hist_total(p->sched.runq_hist, HIST_BUCKETS);
	printable_comm(p->comm, name);
	if (!total) {
		fprintf(f, "%d %s: no run-queue waits recorded\n", p->pid, name);
		return;
	}
	max = hist_fold_lines(p->sched.runq_hist, lines, &first, &last);
	sched_stats_percentiles(&p->sched, &pct[0], &pct[1], &pct[2]);
	for (i = 0; i < 3; i++)
		mark_line[i] = hist_line(hist_bucket(pct[i]));

	fprintf(f, "%d %s: %llu waits, p50 %s, ", p->pid, name, (unsigned long long)total,
		format_ns(pct[0], lo, sizeof(lo)));
	fprintf(f, "p90 %s, ", format_ns(pct[1], lo, sizeof(lo)));
	fprintf(f, "p99 %s, ", format_ns(pct[2], lo, sizeof(lo)));
	fprintf(f, "max %s\n", format_ns(p->sched.runq_max_ns, lo, sizeof(lo)));
	for (k = first; k <= last; k++) {
		format_ns(k ? 1ULL << (k - 1) : 0, lo, sizeof(lo));
		/* The last line also holds every wait too long for the buckets below it. */
		if (k == HIST_LINES - 1)
			snprintf(hi, sizeof(hi), "inf");
		else
			format_ns(1ULL << k, hi, sizeof(hi));
		width = lines[k] ? (unsigned int)((double)lines[k] * BAR_WIDTH / (double)max + 0.5)
				 : 0;
		if (lines[k] && !width)
			width = 1;
		memset(bar, '#', width);
		bar[width] = '\0';
		marks[0] = '\0';
		at = 0;
		for (i = 0; i < 3; i++)
			if (mark_line[i] == k)
				at += snprintf(marks + at, sizeof(marks) - at, "%s%s",
					       at ? ", " : " <- ", names[i]);
		fprintf(f, "  [%6s, %6s) %10llu |%-*s|%s\n", lo, hi, (unsigned long long)lines[k],
			BAR_WIDTH, bar, marks);
	}
}

/* "p50/p99" of a latency figure, or "-" when it has no samples. */
static void format_p50_p99(const struct lat_figures *l, char *buf, size_t len)
{
	char p50[FORMAT_NS_LEN], p99[FORMAT_NS_LEN];
	uint64_t v50, v99;

	if (!lat_percentiles(l, &v50, NULL, &v99)) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%s/%s", format_ns(v50, p50, sizeof(p50)), format_ns(v99, p99, sizeof(p99)));
}

static void print_sys_row(FILE *f, const char *id, const char *comm, const struct sys_figures *sys,
			  uint64_t duration_ns)
{
	static const int cls[] = { SC_ACCEPT, SC_READ, SC_WRITE };
	char rate[3][32], lat[3][2 * FORMAT_NS_LEN], other[32], name[LS_COMM_LEN];
	uint64_t rest = 0;

	for (int i = 0; i < 3; i++) {
		format_rate(sys->cls[cls[i]].count, duration_ns, rate[i], sizeof(rate[i]));
		format_p50_p99(&sys->cls[cls[i]], lat[i], sizeof(lat[i]));
	}
	for (int c = SC_POLL; c < SC_CLASSES; c++)
		rest += sys->cls[c].count;
	format_rate(rest, duration_ns, other, sizeof(other));
	fprintf(f, "%-8s %-15s %8s %12s %8s %12s %8s %12s %8s\n", id, printable_comm(comm, name),
		rate[0], lat[0], rate[1], lat[1], rate[2], lat[2], other);
}

static void print_sys_table(const struct snapshot *s, FILE *f, bool threads)
{
	const struct process *p;
	char id[32];

	fprintf(f, "%-8s %-15s %8s %12s %8s %12s %8s %12s %8s\n", "PID", "COMM", "ACCEPT/s",
		"p50/p99", "READ/s", "p50/p99", "WRITE/s", "p50/p99", "OTHER/s");
	for (size_t i = 0; i < s->nprocesses; i++) {
		p = &s->processes[i];
		snprintf(id, sizeof(id), "%d", p->pid);
		print_sys_row(f, id, p->comm, &p->sys, s->duration_ns);
		for (size_t j = 0; threads && j < p->nthreads; j++) {
			snprintf(id, sizeof(id), "  %d", p->threads[j].tid);
			print_sys_row(f, id, p->threads[j].comm, &p->threads[j].sys, s->duration_ns);
		}
	}
	fprintf(f, "ACCEPT, READ, WRITE: calls per second and their latency, p50/p99. OTHER: every "
		   "other syscall.\n");
}

/* Up to `max` named counts on one line: "ENOENT 28, ECHILD 4". */
static void print_named(FILE *f, const char *label, const struct named_count *arr, size_t n,
			bool timed)
{
	char line[REPORT_COLUMNS + 1], t[FORMAT_NS_LEN];
	size_t at = 0, i;
	int w;

	w = snprintf(line, sizeof(line), "    %s:", label);
	at = (size_t)w;
	for (i = 0; i < n; i++) {
		char item[96];

		if (timed)
			snprintf(item, sizeof(item), "%s %s %llu in %s", i ? "," : "", arr[i].name,
				 (unsigned long long)arr[i].count,
				 format_ns(arr[i].total_ns, t, sizeof(t)));
		else
			snprintf(item, sizeof(item), "%s %s %llu", i ? "," : "", arr[i].name,
				 (unsigned long long)arr[i].count);
		if (at + strlen(item) + 5 > REPORT_COLUMNS) {
			snprintf(line + at, sizeof(line) - at, ", ...");
			break;
		}
		snprintf(line + at, sizeof(line) - at, "%s", item);
		at += strlen(item);
	}
	fprintf(f, "%s\n", line);
}

static void print_sys_classes(const struct process *p, FILE *f)
{
	char v[6][FORMAT_NS_LEN], name[LS_COMM_LEN], label[48];
	const struct lat_figures *l;
	uint64_t calls = 0, errors = 0, pct[3], d = 0;
	bool timed;

	for (int c = 0; c < SC_CLASSES; c++) {
		calls += p->sys.cls[c].count;
		errors += p->sys.cls[c].errors;
	}
	printable_comm(p->comm, name);
	if (!calls) {
		fprintf(f, "%d %s syscalls: none recorded\n", p->pid, name);
		return;
	}
	fprintf(f, "%d %s syscalls: %llu calls, %llu failed\n", p->pid, name,
		(unsigned long long)calls, (unsigned long long)errors);
	fprintf(f, "  %-9s %9s %7s %8s %8s %8s %8s %9s %11s %9s\n", "class", "calls", "errors",
		"p50", "p90", "p99", "max", "total", "bytes", "blocked");
	for (int c = 0; c < SC_CLASSES; c++) {
		l = &p->sys.cls[c];
		if (!l->count && !p->sys.offcpu_ns[c])
			continue;
		timed = lat_percentiles(l, &pct[0], &pct[1], &pct[2]);
		for (int i = 0; i < 3; i++)
			format_ns_known(pct[i], timed, v[i], sizeof(v[i]));
		format_ns_known(l->max_ns, timed, v[3], sizeof(v[3]));
		format_ns(l->total_ns, v[4], sizeof(v[4]));
		format_ns(p->sys.offcpu_ns[c], v[5], sizeof(v[5]));
		fprintf(f, "  %-9s %9llu %7llu %8s %8s %8s %8s %9s %11llu %9s\n", sys_class_name(c),
			(unsigned long long)l->count, (unsigned long long)l->errors, v[0], v[1], v[2],
			v[3], v[4], (unsigned long long)l->bytes, v[5]);
	}
	if (p->sys.offcpu_ns[SC_NONE])
		fprintf(f, "  blocked outside syscalls: %s\n",
			format_ns(p->sys.offcpu_ns[SC_NONE], v[0], sizeof(v[0])));
	for (int c = 0; c <= SC_NONE; c++)
		d += p->sys.offcpu_d_ns[c];
	if (d)
		fprintf(f, "  of the blocked time, in uninterruptible sleep: %s\n",
			format_ns(d, v[0], sizeof(v[0])));
	for (int c = 0; c < SC_CLASSES; c++) {
		if (!p->sys.nerrnos[c])
			continue;
		snprintf(label, sizeof(label), "%s errors", sys_class_name(c));
		print_named(f, label, p->sys.errnos[c], p->sys.nerrnos[c], false);
	}
	if (p->sys.ntop)
		print_named(f, "other, most time first", p->sys.top, p->sys.ntop, true);
}

static bool has_connections(const struct snapshot *s)
{
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct sys_figures *sys = &s->processes[i].sys;

		if (sys->cls[SC_ACCEPT].count || sys->handoff_sent || sys->handoff_received ||
		    s->processes[i].unaccepted)
			return true;
	}
	return s->nhandoffs > 0;
}

static const char *process_name(const struct snapshot *s, int pid, char *buf)
{
	const struct process *p = snapshot_find_process((struct snapshot *)s, pid);

	if (!p)
		return "(not a target)";
	return printable_comm(p->comm, buf);
}

static void print_connections(const struct snapshot *s, FILE *f)
{
	char v[4][FORMAT_NS_LEN], name[LS_COMM_LEN];
	const struct process *p;
	const struct sys_figures *sys;
	uint64_t pct[3];
	bool timed;

	fprintf(f, "\nCONNECTION PATH: connections accepted, and descriptors passed between "
		   "processes (SCM_RIGHTS)\n");
	for (size_t i = 0; i < s->nprocesses; i++) {
		p = &s->processes[i];
		sys = &p->sys;
		printable_comm(p->comm, name);
		if (sys->cls[SC_ACCEPT].count) {
			fprintf(f, "%d %s accepted %llu connection%s (%llu accept calls failed)\n",
				p->pid, name, (unsigned long long)sys_accepted(sys),
				sys_accepted(sys) == 1 ? "" : "s",
				(unsigned long long)sys->cls[SC_ACCEPT].errors);
		}
		if (sys->accept_queue.count || p->unaccepted) {
			timed = lat_percentiles(&sys->accept_queue, &pct[0], NULL, &pct[2]);
			fprintf(f,
				"  listen queue wait p50 %s, p99 %s, max %s (%llu timed); queue up to "
				"%llu; %llu never accepted\n",
				format_ns_known(pct[0], timed, v[0], sizeof(v[0])),
				format_ns_known(pct[2], timed, v[1], sizeof(v[1])),
				format_ns_known(sys->accept_queue.max_ns, timed, v[2], sizeof(v[2])),
				(unsigned long long)sys->accept_queue.count,
				(unsigned long long)sys->backlog_max,
				(unsigned long long)p->unaccepted);
		}
		if (sys->handoff_sent) {
			fprintf(f, "%d %s passed on %llu descriptor%s\n", p->pid, name,
				(unsigned long long)sys->handoff_sent,
				sys->handoff_sent == 1 ? "" : "s");
			if (hist_total(sys->handoff_delay.hist, HIST_BUCKETS)) {
				lat_percentiles(&sys->handoff_delay, &pct[0], NULL, &pct[2]);
				fprintf(f,
					"  accept to handoff p50 %s, p99 %s, max %s (%llu timed)\n",
					format_ns(pct[0], v[0], sizeof(v[0])),
					format_ns(pct[2], v[1], sizeof(v[1])),
					format_ns(sys->handoff_delay.max_ns, v[2], sizeof(v[2])),
					(unsigned long long)sys->handoff_delay.count);
			}
			for (size_t j = 0; j < s->nhandoffs; j++) {
				char to[LS_COMM_LEN];

				if (s->handoffs[j].from != p->pid)
					continue;
				fprintf(f, "  -> %d %s: %llu\n", s->handoffs[j].to,
					process_name(s, s->handoffs[j].to, to),
					(unsigned long long)s->handoffs[j].count);
			}
		}
		if (sys->handoff_received)
			fprintf(f, "%d %s received %llu descriptor%s\n", p->pid, name,
				(unsigned long long)sys->handoff_received,
				sys->handoff_received == 1 ? "" : "s");
	}
}

/* Words of text on lines of at most REPORT_COLUMNS, the first after `first`, the rest indented. */
void report_wrapped(FILE *f, const char *first, const char *text, int indent)
{
	int col = fprintf(f, "%s", first);
	const char *w = text, *end;

	while (*w) {
		while (*w == ' ')
			w++;
		end = strchrnul(w, ' ');
		if (!*w)
			break;
		if (col > indent && col + 1 + (end - w) > REPORT_COLUMNS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent || (col == indent && w != text && col != (int)strlen(first))) {
			fputc(' ', f);
			col++;
		}
		col += fprintf(f, "%.*s", (int)(end - w), w);
		w = end;
	}
	fputc('\n', f);
}

static void print_findings(const struct snapshot *s, FILE *f)
{
	struct finding found[32];
	size_t n = analyze_findings(s, found, sizeof(found) / sizeof(found[0]));
	char first[64];
	bool given;
	uint64_t req = snapshot_requests(s, &given);

	if (!given && s->no_syscalls)
		fprintf(f, "FINDINGS (requests –: light mode has no TCP writes to count)\n");
	else
		fprintf(f, "FINDINGS (%llu requests, %s)\n", (unsigned long long)req,
			given ? "as given" : "estimated from TCP writes");
	if (!n)
		fprintf(f, "none: no rule applies to this run\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(first, sizeof(first), "%2zu. [%s] %s:", i + 1,
			 severity_name(found[i].severity), found[i].id);
		report_wrapped(f, first, found[i].text, 4);
	}
}

/* What a request cost the targets: CPU, syscalls, switches, wakeups; and how they batch. */
static void print_per_request(const struct snapshot *s, FILE *f)
{
	char cpu[FORMAT_NS_LEN], user[FORMAT_NS_LEN], kernel[FORMAT_NS_LEN], split[64] = "";
	char text[256], batching[64] = "", calls[32] = "–";
	struct run_totals t;

	run_totals(s, &t);
	if (!t.requests)
		return;
	if (t.cpu_split)
		snprintf(split, sizeof(split), " (user %s, kernel %s)",
			 format_ns((t.cpu_ns - t.cpu_kernel_ns) / t.requests, user, sizeof(user)),
			 format_ns(t.cpu_kernel_ns / t.requests, kernel, sizeof(kernel)));
	if (t.serving_polls)
		snprintf(batching, sizeof(batching), "; %.1f requests per poll wakeup",
			 requests_per_poll(&t));
	if (t.syscalls_traced)
		snprintf(calls, sizeof(calls), "%.1f", (double)t.syscalls / (double)t.requests);
	snprintf(text, sizeof(text),
		 "CPU %s%s, %s syscalls, %.2f context switches, %.2f wakeups%s",
		 format_ns(t.cpu_ns / t.requests, cpu, sizeof(cpu)), split, calls,
		 (double)t.switches / (double)t.requests,
		 (double)t.wakeups / (double)t.requests, batching);
	/* on lines of 100 columns, as the findings above it */
	report_wrapped(f, "PER REQUEST:", text, 4);
}

static void print_state_row(FILE *f, const struct snapshot *s, const char *id, const char *comm,
			    const char *label, const struct states *st)
{
	static const char marks[ST_COUNT] = { '#', 'q', '.', 'i', 'l', 'D', 'o' };
	char bar[STATE_BAR + 1], name[LS_COMM_LEN];
	double share[ST_COUNT], acc = 0;
	int filled = 0, upto;

	for (int k = 0; k < ST_COUNT; k++)
		share[k] = st->total_ns ? (double)st->ns[k] / (double)st->total_ns : 0;
	/* cumulative rounding: the bar is always full and each state gets its share */
	for (int k = 0; k < ST_COUNT; k++) {
		acc += share[k];
		/* shares of a saturated total can add up past 1: the bar stops at its end */
		upto = acc < 1 ? (int)(acc * STATE_BAR + 0.5) : STATE_BAR;
		while (filled < upto && filled < STATE_BAR)
			bar[filled++] = marks[k];
	}
	while (filled < STATE_BAR)
		bar[filled++] = ' ';
	bar[STATE_BAR] = '\0';
	fprintf(f, "%-8s %-15s %-*s |%s|", id, printable_comm(comm, name), width(label, 10), label,
		bar);
	for (int k = 0; k < ST_COUNT; k++) {
		/* "–" is three bytes for one column */
		if (!state_known(s, k))
			fprintf(f, "    –");
		else
			fprintf(f, " %4.0f", share[k] * 100);
	}
	fputc('\n', f);
}

static void print_states(const struct snapshot *s, FILE *f, bool threads)
{
	size_t kinds[KIND_COUNT], n;
	char id[32], label[32];
	struct states st;

	fprintf(f, "\nTHREAD STATES: where each process's serving threads' time went, %% of it; its "
		   "helpers apart\n");
	fprintf(f, "%-8s %-15s %-10s %-*s %4s %4s %4s %4s %4s %4s %4s\n", "PID", "COMM", "ROLE",
		STATE_BAR + 2, "", "RUN", "RUNQ", "IDLE", "IO", "LOCK", "D", "OTHR");
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		snprintf(id, sizeof(id), "%d", p->pid);
		process_states(p, &st);
		print_state_row(f, s, id, p->comm,
				s->no_syscalls ? "–" : role_name(process_role(s, p)), &st);
		process_kind_counts(p, kinds);
		if (kinds[KIND_HELPER] + kinds[KIND_PARKED] && !threads) {
			/* runtime helpers (GC, JIT, pools) and parked threads, summed */
			n = kinds[KIND_HELPER] + kinds[KIND_PARKED];
			snprintf(id, sizeof(id), "%zu helper%s", n, n == 1 ? "" : "s");
			snprintf(label, sizeof(label), "%zu parked", kinds[KIND_PARKED]);
			process_helper_states(p, &st);
			print_state_row(f, s, "  +", id, label, &st);
		}
		for (size_t j = 0; threads && j < p->nthreads; j++) {
			snprintf(id, sizeof(id), "  %d", p->threads[j].tid);
			thread_states(&p->threads[j], &st);
			print_state_row(f, s, id, p->threads[j].comm,
					thread_kind_name(thread_kind(p, &p->threads[j])), &st);
		}
	}
	fprintf(f, "#: running, q: waiting for a CPU, .: idle in poll/epoll or parked in futex, i: "
		   "blocked in\naccept/read/write, l: waiting for a lock (futex), D: uninterruptible "
		   "sleep, o: other.\n+ N helpers, M parked: the process's other threads (runtime "
		   "helpers; M of them slept all\nrun), summed. With --threads, each thread's kind: "
		   "serving, helper or parked.\n");
	if (s->no_syscalls)
		fprintf(f, "Light mode: idle, I/O and lock waits need the syscall hooks; blocked "
			   "time outside D is in o.\n");
}

/* One group of the budget line: its label, and for `other` the processes it names. */
struct budget_group {
	enum budget_kind kind;
	uint64_t ns;
	char text[64];
};

static int cmp_budget_group(const void *a, const void *b)
{
	const struct budget_group *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

/* Control characters from a saved run stay off the terminal. */
static void printable_text(const char *text, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && text[i]; i++)
		buf[i] = isprint((unsigned char)text[i]) ? text[i] : '?';
	buf[i] = '\0';
}

/* The basename of the command, as the load part is named. */
static const char *command_name(const struct snapshot *s)
{
	const char *slash = strrchr(s->command[0], '/');

	return slash && slash[1] ? slash + 1 : s->command[0];
}

/* A part that rounds to 0% is not worth its room on the line. */
static bool budget_shown(const struct budget_part *p, uint64_t total_ns)
{
	return p->kind == BUDGET_OTHER && percent(p->cpu_ns, total_ns) >= 0.5;
}

/*
 * " (systemd 12%, sshd 4%, rest 1%)": the other parts by name, as many as room allows, then
 * ", ...)"; "" when no named one is worth showing or none fits.
 */
static void budget_others(const struct cpu_budget *b, int room, char *buf, size_t len)
{
	char item[NAME_LEN + 16], name[NAME_LEN];
	size_t at = 0, n = 0, named = 0, shown = 0;

	for (size_t i = 0; i < b->nparts; i++) {
		if (!budget_shown(&b->parts[i], b->total_ns))
			continue;
		n++;
		named += strcmp(b->parts[i].name, BUDGET_REST_NAME) != 0;
	}
	buf[0] = '\0';
	/* "(rest 3%)" alone would say nothing "other 3%" does not */
	for (size_t i = 0; i < b->nparts && named; i++) {
		const struct budget_part *p = &b->parts[i];
		bool rest = !strcmp(p->name, BUDGET_REST_NAME);

		if (!budget_shown(p, b->total_ns))
			continue;
		printable_text(p->name, name, sizeof(name));
		snprintf(item, sizeof(item), "%s%s %.0f%%", shown ? ", " : " (",
			 rest ? "rest" : name, percent(p->cpu_ns, b->total_ns));
		/* room for this, then ", ...)" if more are to come, else ")" */
		if ((int)(at + strlen(item) + (shown + 1 < n ? 6 : 1)) > room) {
			if (shown)
				snprintf(buf + at, len - at, ", ...)");
			else
				buf[0] = '\0';
			return;
		}
		at += (size_t)snprintf(buf + at, len - at, "%s", item);
		shown++;
	}
	if (shown)
		snprintf(buf + at, len - at, ")");
}

/*
 * CPU BUDGET: each part's share of the machine's CPU time, the busiest first and idle last, on
 * one line; the other processes by name in parentheses, as many as fit in the report's width.
 */
static void print_budget(const struct snapshot *s, FILE *f)
{
	static const enum budget_kind order[] = {BUDGET_TARGETS, BUDGET_LOAD,	 BUDGET_OTHER,
						 BUDGET_IRQ,	 BUDGET_SOFTIRQ, BUDGET_STEAL};
	const struct cpu_budget *b = &s->cpu_budget;
	struct budget_group groups[BUDGET_KINDS];
	char others[REPORT_COLUMNS + 1] = "", text[BUDGET_ERROR_LEN], total[FORMAT_NS_LEN];
	size_t n = 0, width = 0;
	double busy = 0, wall;
	bool has[BUDGET_KINDS] = {0};

	if (b->status == BUDGET_UNKNOWN) {
		fprintf(f, "CPU budget: unknown (this run was saved without one)\n");
		return;
	}
	if (b->status == BUDGET_UNREADABLE) {
		printable_text(b->error, text, sizeof(text));
		fprintf(f, "CPU budget: /proc/stat unreadable%s%s\n", *text ? ": " : "", text);
		return;
	}
	for (size_t i = 0; i < b->nparts && i < BUDGET_MAX_PARTS; i++)
		if ((unsigned int)b->parts[i].kind < BUDGET_KINDS)
			has[b->parts[i].kind] = true;
	cpu_budget_busy_share(b, &busy);
	/* /proc/stat's total should be the CPUs x the wall time: say so when it is not */
	wall = (double)s->cpus * (double)s->duration_ns;
	if (wall > 0 && fabs((double)b->total_ns - wall) <= 0.05 * wall)
		fprintf(f, "CPU BUDGET: shares of %d CPU%s x %.1f s, %.0f%% busy\n", s->cpus,
			s->cpus == 1 ? "" : "s", (double)s->duration_ns / 1e9, busy * 100);
	else
		fprintf(f,
			"CPU BUDGET: shares of the %s /proc/stat counted (%d CPU%s x %.1f s), "
			"%.0f%% busy\n",
			format_ns(b->total_ns, total, sizeof(total)), s->cpus,
			s->cpus == 1 ? "" : "s", (double)s->duration_ns / 1e9, busy * 100);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		struct budget_group *g = &groups[n];
		char label[NAME_LEN + 16] = "", name[NAME_LEN];

		if (!has[order[k]])
			continue;
		g->kind = order[k];
		g->ns = cpu_budget_kind_ns(b, g->kind);
		if (g->kind == BUDGET_TARGETS && s->targets.command && s->command && s->command[0])
			snprintf(label, sizeof(label), " (with %.*s)", LS_COMM_LEN - 1,
				 printable_comm(command_name(s), name));
		/* a command's name is cut as the kernel cuts its comm, so the line stays short */
		for (size_t i = 0; g->kind == BUDGET_LOAD && i < b->nparts; i++)
			if (b->parts[i].kind == BUDGET_LOAD) {
				printable_text(b->parts[i].name, name, LS_COMM_LEN);
				snprintf(label, sizeof(label), " (%s)", name);
				break;
			}
		snprintf(g->text, sizeof(g->text), "%s%s %.0f%%", budget_kind_name(g->kind), label,
			 percent(g->ns, b->total_ns));
		width += strlen(g->text) + 2;
		n++;
	}
	qsort(groups, n, sizeof(groups[0]), cmp_budget_group);
	if (has[BUDGET_IDLE]) {
		groups[n].kind = BUDGET_IDLE;
		snprintf(groups[n].text, sizeof(groups[n].text), "idle %.0f%%",
			 percent(cpu_budget_kind_ns(b, BUDGET_IDLE), b->total_ns));
		width += strlen(groups[n].text) + 2;
		n++;
	}
	if (has[BUDGET_OTHER])
		budget_others(b, REPORT_COLUMNS - (int)(width - 2), others, sizeof(others));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s%s", i ? "  " : "", groups[i].text,
			groups[i].kind == BUDGET_OTHER ? others : "");
	fputc('\n', f);
}

/* loadscope's own programs: events a second and CPU, in all and per program that ran. */
static void print_observer(const struct snapshot *s, FILE *f)
{
	const struct observer_cost *c = &s->observer;
	double seconds = (double)s->duration_ns / 1e9, cpus = s->cpus > 0 ? s->cpus : 1;
	uint64_t run_ns = observer_run_ns(c);
	char t[FORMAT_NS_LEN], text[400], how[96] = "";

	if (c->source == OBSERVER_UNKNOWN || seconds <= 0) {
		fprintf(f, "OBSERVER: cost unknown (not measured: a run saved before it was, or no "
			   "BPF run-time statistics)\n");
		return;
	}
	if (c->sampled_share < 1)
		snprintf(how, sizeof(how), ", on for %.0f%% of the run and scaled up",
			 100.0 * c->sampled_share);
	snprintf(text, sizeof(text),
		 "loadscope's programs handled %.0f events a second and used %s of CPU, %.1f%% of "
		 "the %d CPU%s (%.1f%% of one), from the kernel's per-program run-time "
		 "statistics%s",
		 (double)observer_runs(c) / seconds, format_ns(run_ns, t, sizeof(t)),
		 100.0 * (double)run_ns / 1e9 / seconds / cpus, s->cpus, s->cpus == 1 ? "" : "s",
		 100.0 * (double)run_ns / 1e9 / seconds, how);
	report_wrapped(f, "OBSERVER:", text, 4);
	for (size_t i = 0; i < c->nprograms; i++) {
		const struct observer_program *p = &c->programs[i];

		if (!p->runs)
			continue;
		fprintf(f, "  %-16.*s %10.0f runs/s %6.0f ns/run %5.1f%% of a CPU\n", NAME_LEN,
			p->name, (double)p->runs / seconds, (double)p->run_ns / (double)p->runs,
			100.0 * (double)p->run_ns / 1e9 / seconds);
	}
}

void report_text(const struct snapshot *s, FILE *f, bool threads)
{
	size_t i;

	print_header(s, f);
	print_bottleneck(s, f);
	fputc('\n', f);
	if (s->nprocesses) {
		print_findings(s, f);
		print_per_request(s, f);
		fputc('\n', f);
	}
	print_budget(s, f);
	print_observer(s, f);
	fputc('\n', f);
	print_table(s, f, threads);
	if (!s->nprocesses)
		return;
	print_cgroups(s, f);
	print_cpu_limits(s, f);
	print_states(s, f, threads);
	if (s->no_syscalls)
		goto histograms; /* the header says what light mode leaves out */
	fputc('\n', f);
	print_sys_table(s, f, threads);
	if (has_connections(s))
		print_connections(s, f);
	fprintf(f, "\nSYSCALLS: per process and class; blocked: time off-CPU waiting in them\n");
	for (i = 0; i < s->nprocesses; i++)
		print_sys_classes(&s->processes[i], f);
histograms:
	fprintf(f, "\nRUN-QUEUE WAITS: time from becoming runnable to running, per process\n");
	for (i = 0; i < s->nprocesses; i++)
		print_histogram(&s->processes[i], f);
}
