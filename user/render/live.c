// SPDX-License-Identifier: GPL-2.0
/* The -i time series while it runs: the live terminal view and the plain line per interval. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "core/format.h"
#include "render/live.h"

#define LIVE_COLUMNS 100 /* the terminal width the view and the lines keep within */

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static double rate(uint64_t n, uint64_t ns)
{
	return ns ? (double)n * 1e9 / (double)ns : 0;
}

/* A rate of the syscall hooks, or "–" in light mode, which has none. */
static const char *traced_rate(const struct snapshot *s, uint64_t n, uint64_t ns, char *buf,
			       size_t len)
{
	if (s->no_syscalls)
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, "%.0f", rate(n, ns));
	return buf;
}

static const char *comm_of(const struct proc_sample *cur, size_t ncur, int pid)
{
	const struct proc_sample *p = proc_sample_find(cur, ncur, pid);

	return p ? p->comm : "?";
}

static int cmp_busiest(const void *a, const void *b)
{
	const struct interval_proc *x = a, *y = b;
	uint64_t bx = x->cpu_ns + x->runq_wait_ns, by = y->cpu_ns + y->runq_wait_ns;

	if (bx != by)
		return bx < by ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* One user of the CPUs in an interval: a kind of part, summed, and its label. */
struct cpu_user {
	enum budget_kind kind;
	uint64_t ns;
	char label[LS_COMM_LEN + 8];
};

static int cmp_cpu_user(const void *a, const void *b)
{
	const struct cpu_user *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

/*
 * "CPUs 97% busy (targets 61%, load (wrk) 30%)": how busy the machine's CPUs were in an
 * interval, then the kinds that used them, busiest first, those that round to 1% or more, as
 * many as fit in width columns ("..." for the rest). "" when the budget was not measured.
 */
static void budget_summary(const struct cpu_budget *b, size_t width, char *buf, size_t len)
{
	static const enum budget_kind kinds[] = {BUDGET_TARGETS, BUDGET_LOAD,	 BUDGET_OTHER,
						 BUDGET_IRQ,	 BUDGET_SOFTIRQ, BUDGET_STEAL};
	struct cpu_user users[sizeof(kinds) / sizeof(kinds[0])];
	char item[sizeof(users[0].label) + 16];
	size_t n = 0, at, shown = 0;
	double busy;

	buf[0] = '\0';
	if (b->status == BUDGET_UNREADABLE) {
		snprintf(buf, len, "CPUs: /proc/stat unreadable%s%.*s", *b->error ? ": " : "",
			 (int)strnlen(b->error, sizeof(b->error)), b->error);
		for (char *c = buf; *c; c++)
			*c = isprint((unsigned char)*c) ? *c : '?';
		return;
	}
	if (!cpu_budget_busy_share(b, &busy))
		return;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct cpu_user *u = &users[n];

		u->kind = kinds[k];
		u->ns = cpu_budget_kind_ns(b, u->kind);
		if (pct(u->ns, b->total_ns) < 0.5)
			continue;
		snprintf(u->label, sizeof(u->label), "%s", budget_kind_name(u->kind));
		for (size_t i = 0; u->kind == BUDGET_LOAD && i < b->nparts; i++) {
			if (b->parts[i].kind != BUDGET_LOAD)
				continue;
			/* cut as the kernel cuts a comm; control characters stay off the terminal */
			snprintf(u->label, sizeof(u->label), "load (%.*s)", LS_COMM_LEN - 1,
				 b->parts[i].name);
			for (char *c = u->label; *c; c++)
				*c = isprint((unsigned char)*c) ? *c : '?';
			break;
		}
		n++;
	}
	qsort(users, n, sizeof(users[0]), cmp_cpu_user);
	at = (size_t)snprintf(buf, len, "CPUs %.0f%% busy", busy * 100);
	for (size_t i = 0; i < n && at < len; i++) {
		snprintf(item, sizeof(item), "%s%s %.0f%%", i ? ", " : " (", users[i].label,
			 pct(users[i].ns, b->total_ns));
		/* room for it, then ", ...)" if more are to come, else ")" */
		if (at + strlen(item) + (i + 1 < n ? 6 : 1) > width) {
			at += (size_t)snprintf(buf + at, len - at, "%s", shown ? ", ...)" : " (...)");
			return;
		}
		at += (size_t)snprintf(buf + at, len - at, "%s", item);
		shown++;
	}
	if (shown && at < len)
		snprintf(buf + at, len - at, ")");
}

void interval_live(const struct snapshot *s, const struct proc_sample *cur, size_t ncur,
		   uint64_t total_ns, int cpus, size_t max_rows, FILE *f)
{
	const struct interval *iv;
	struct interval_proc *rows;
	char p99[FORMAT_NS_LEN], name[LS_COMM_LEN], line[LIVE_COLUMNS + 1], acc[32], sc[32];

	if (!s->nintervals)
		return;
	iv = &s->intervals[s->nintervals - 1];
	rows = malloc((iv->nprocs ? iv->nprocs : 1) * sizeof(*rows));
	if (!rows)
		return;
	memcpy(rows, iv->procs, iv->nprocs * sizeof(*rows));
	qsort(rows, iv->nprocs, sizeof(*rows), cmp_busiest);
	/* home, clear to the end: the view is redrawn in place */
	fputs("\033[H\033[J", f);
	if (total_ns)
		fprintf(f, "loadscope — %.1f s of %.1f s, %.1f s left; %d CPUs; %zu processes\n",
			iv->end_ns / 1e9, total_ns / 1e9,
			total_ns > iv->end_ns ? (total_ns - iv->end_ns) / 1e9 : 0.0, cpus,
			iv->nprocs);
	else
		fprintf(f, "loadscope — %.1f s; %d CPUs; %zu processes (Ctrl-C ends the run)\n",
			iv->end_ns / 1e9, cpus, iv->nprocs);
	budget_summary(&iv->budget, LIVE_COLUMNS, line, sizeof(line));
	if (*line)
		fprintf(f, "%s\n", line);
	fprintf(f, "%-8s %-15s %6s %6s %9s %9s %9s %10s\n", "PID", "COMM", "CPU%", "RUNQ%",
		"RUNQ p99", "CSW/s", "ACCEPT/s", "SYSCALL/s");
	for (size_t i = 0; i < iv->nprocs && i < max_rows; i++) {
		snprintf(name, sizeof(name), "%s", comm_of(cur, ncur, rows[i].pid));
		traced_rate(s, rows[i].accepts, iv->duration_ns, acc, sizeof(acc));
		traced_rate(s, rows[i].syscalls, iv->duration_ns, sc, sizeof(sc));
		/* "–" is 3 bytes for one column */
		fprintf(f, "%-8d %-15s %6.1f %6.1f %9s %9.0f %*s %*s\n", rows[i].pid, name,
			pct(rows[i].cpu_ns, iv->duration_ns), pct(rows[i].runq_wait_ns, iv->duration_ns),
			format_ns_known(rows[i].runq_p99_ns, rows[i].runq_timed, p99, sizeof(p99)),
			rate(rows[i].switches, iv->duration_ns), s->no_syscalls ? 11 : 9, acc,
			s->no_syscalls ? 12 : 10, sc);
	}
	if (iv->nprocs > max_rows)
		fprintf(f, "... %zu more\n", iv->nprocs - max_rows);
	fflush(f);
	free(rows);
}

void interval_line(const struct snapshot *s, const struct proc_sample *cur, size_t ncur, int cpus,
		   FILE *f)
{
	const struct interval *iv;
	const struct interval_proc *top = NULL;
	uint64_t cpu = 0, runq = 0, sw = 0, acc = 0, sc = 0, p99 = 0;
	char t[FORMAT_NS_LEN], line[LIVE_COLUMNS + 1], accs[32], scs[32];
	bool timed = false;

	if (!s->nintervals)
		return;
	iv = &s->intervals[s->nintervals - 1];
	for (size_t i = 0; i < iv->nprocs; i++) {
		const struct interval_proc *p = &iv->procs[i];

		cpu += p->cpu_ns;
		runq += p->runq_wait_ns;
		sw += p->switches;
		acc += p->accepts;
		sc += p->syscalls;
		if (p->runq_timed && (!timed || p->runq_p99_ns > p99))
			p99 = p->runq_p99_ns;
		timed |= p->runq_timed;
		if (!top || cmp_busiest(p, top) < 0)
			top = p;
	}
	fprintf(f,
		"t=%.1fs cpu=%.0f%% of %d CPUs runq=%.0f%% runq_p99_max=%s csw/s=%.0f accept/s=%s "
		"syscall/s=%s processes=%zu",
		iv->end_ns / 1e9, pct(cpu, iv->duration_ns * (uint64_t)(cpus > 0 ? cpus : 1)), cpus,
		pct(runq, iv->duration_ns), format_ns_known(p99, timed, t, sizeof(t)),
		rate(sw, iv->duration_ns), traced_rate(s, acc, iv->duration_ns, accs, sizeof(accs)),
		traced_rate(s, sc, iv->duration_ns, scs, sizeof(scs)), iv->nprocs);
	if (top)
		fprintf(f, " busiest=%d(%s)", top->pid, comm_of(cur, ncur, top->pid));
	fputc('\n', f);
	/* the machine's CPUs under it, indented: the line above is already a long one */
	budget_summary(&iv->budget, LIVE_COLUMNS - 2, line, sizeof(line));
	if (*line)
		fprintf(f, "  %s\n", line);
	fflush(f);
}
