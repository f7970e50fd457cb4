// SPDX-License-Identifier: GPL-2.0
/* The -i time series while it runs: the live terminal view and the plain line per interval. */
#include <stdlib.h>
#include <string.h>

#include "core/format.h"
#include "render/live.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static double rate(uint64_t n, uint64_t ns)
{
	return ns ? (double)n * 1e9 / (double)ns : 0;
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

void interval_live(const struct snapshot *s, const struct proc_sample *cur, size_t ncur,
		   uint64_t total_ns, int cpus, size_t max_rows, FILE *f)
{
	const struct interval *iv;
	struct interval_proc *rows;
	char p99[FORMAT_NS_LEN], name[LS_COMM_LEN];

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
	fprintf(f, "%-8s %-15s %6s %6s %9s %9s %9s %10s\n", "PID", "COMM", "CPU%", "RUNQ%",
		"RUNQ p99", "CSW/s", "ACCEPT/s", "SYSCALL/s");
	for (size_t i = 0; i < iv->nprocs && i < max_rows; i++) {
		snprintf(name, sizeof(name), "%s", comm_of(cur, ncur, rows[i].pid));
		fprintf(f, "%-8d %-15s %6.1f %6.1f %9s %9.0f %9.0f %10.0f\n", rows[i].pid, name,
			pct(rows[i].cpu_ns, iv->duration_ns), pct(rows[i].runq_wait_ns, iv->duration_ns),
			rows[i].runq_p99_ns ? format_ns(rows[i].runq_p99_ns, p99, sizeof(p99)) : "-",
			rate(rows[i].switches, iv->duration_ns), rate(rows[i].accepts, iv->duration_ns),
			rate(rows[i].syscalls, iv->duration_ns));
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
	char t[FORMAT_NS_LEN];

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
		if (p->runq_p99_ns > p99)
			p99 = p->runq_p99_ns;
		if (!top || cmp_busiest(p, top) < 0)
			top = p;
	}
	fprintf(f,
		"t=%.1fs cpu=%.0f%% of %d CPUs runq=%.0f%% runq_p99_max=%s csw/s=%.0f accept/s=%.0f "
		"syscall/s=%.0f processes=%zu",
		iv->end_ns / 1e9, pct(cpu, iv->duration_ns * (uint64_t)(cpus > 0 ? cpus : 1)), cpus,
		pct(runq, iv->duration_ns), format_ns(p99, t, sizeof(t)), rate(sw, iv->duration_ns),
		rate(acc, iv->duration_ns), rate(sc, iv->duration_ns), iv->nprocs);
	if (top)
		fprintf(f, " busiest=%d(%s)", top->pid, comm_of(cur, ncur, top->pid));
	fputc('\n', f);
	fflush(f);
}
