// SPDX-License-Identifier: GPL-2.0
/* The -i time series: intervals from successive samples, and how they are shown while running. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/intervals.h"
#include "render/render.h"

static const struct proc_sample *find_sample(const struct proc_sample *arr, size_t n, int pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (arr[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && arr[lo].pid == pid ? &arr[lo] : NULL;
}

static uint64_t grew(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

int interval_append(struct snapshot *s, const struct proc_sample *prev, size_t nprev,
		    const struct proc_sample *cur, size_t ncur, uint64_t end_ns,
		    uint64_t duration_ns)
{
	static const struct proc_sample none;
	struct interval *grown, *iv;
	uint64_t hist[HIST_BUCKETS];

	grown = realloc(s->intervals, (s->nintervals + 1) * sizeof(*s->intervals));
	if (!grown)
		return -ENOMEM;
	s->intervals = grown;
	iv = &grown[s->nintervals];
	memset(iv, 0, sizeof(*iv));
	iv->end_ns = end_ns;
	iv->duration_ns = duration_ns;
	iv->procs = calloc(ncur ? ncur : 1, sizeof(*iv->procs));
	if (!iv->procs)
		return -ENOMEM;
	for (size_t i = 0; i < ncur; i++) {
		const struct proc_sample *c = &cur[i], *p = find_sample(prev, nprev, c->pid);
		struct interval_proc *ip = &iv->procs[iv->nprocs++];
		uint64_t max = 0;

		if (!p)
			p = &none;
		ip->pid = c->pid;
		ip->cpu_ns = grew(c->cpu_ns, p->cpu_ns);
		ip->runq_wait_ns = grew(c->runq_wait_ns, p->runq_wait_ns);
		ip->switches = grew(c->switches, p->switches);
		ip->accepts = grew(c->accepts, p->accepts);
		ip->syscalls = grew(c->syscalls, p->syscalls);
		for (int k = 0; k < HIST_BUCKETS; k++) {
			hist[k] = grew(c->runq_hist[k], p->runq_hist[k]);
			if (hist[k])
				max = hist_bucket_upper(k) == UINT64_MAX ? hist_bucket_lower(k)
									  : hist_bucket_upper(k) - 1;
		}
		ip->runq_p99_ns = hist_percentile(hist, HIST_BUCKETS, 0.99);
		if (max && ip->runq_p99_ns > max)
			ip->runq_p99_ns = max;
	}
	s->nintervals++;
	return 0;
}

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
	const struct proc_sample *p = find_sample(cur, ncur, pid);

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
