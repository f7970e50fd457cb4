// SPDX-License-Identifier: GPL-2.0
/* The CPU budget arithmetic: two /proc samples and the snapshot into parts that add up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"

#define NS_PER_S 1000000000ULL
#define USER_HZ	 100 /* what /proc reports in when sysconf gives nothing sensible */

static const char *const kind_names[BUDGET_KINDS] = {
	[BUDGET_TARGETS] = "targets", [BUDGET_LOAD] = "load",	    [BUDGET_OTHER] = "other",
	[BUDGET_IRQ] = "irq",	      [BUDGET_SOFTIRQ] = "softirq", [BUDGET_STEAL] = "steal",
	[BUDGET_IDLE] = "idle",
};

const char *budget_kind_name(enum budget_kind k)
{
	return (unsigned int)k < BUDGET_KINDS ? kind_names[k] : NULL;
}

int budget_kind_parse(const char *name)
{
	for (int k = 0; k < BUDGET_KINDS; k++)
		if (!strcmp(kind_names[k], name))
			return k;
	return -1;
}

void host_sample_free(struct host_sample *h)
{
	free(h->procs);
	memset(h, 0, sizeof(*h));
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A counter that went backwards (iowait can, on a tickless CPU) moved by nothing. */
static uint64_t delta(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

static uint64_t ticks_ns(uint64_t ticks, long hz)
{
	uint64_t per = hz > 0 ? (uint64_t)hz : USER_HZ, ns;

	if (ticks / per > UINT64_MAX / NS_PER_S)
		return UINT64_MAX;
	ns = ticks / per * NS_PER_S;
	return sat_add(ns, ticks % per * NS_PER_S / per);
}

static int cmp_proc_pid(const void *key, const void *elem)
{
	int pid = *(const int *)key, other = ((const struct proc_ticks *)elem)->pid;

	return (pid > other) - (pid < other);
}

static const struct proc_ticks *find_proc(const struct host_sample *h, int pid)
{
	if (!h->nprocs)
		return NULL;
	return bsearch(&pid, h->procs, h->nprocs, sizeof(*h->procs), cmp_proc_pid);
}

static bool is_target(const struct snapshot *s, int pid)
{
	for (size_t i = 0; i < s->nprocesses; i++)
		if (s->processes[i].pid == pid)
			return true;
	return false;
}

/* pid is root or below it in h's process tree. */
static bool in_tree(const struct host_sample *h, int pid, int root)
{
	const struct proc_ticks *p;

	/* a tree is at most as deep as it has processes: a loop of parents cannot hold this up */
	for (size_t depth = 0; pid > 0 && depth <= h->nprocs; depth++) {
		if (pid == root)
			return true;
		p = find_proc(h, pid);
		if (!p)
			return false;
		pid = p->ppid;
	}
	return false;
}

/* The CPU time a process at the end used since the start sample; false when it cannot be known. */
static bool proc_delta(const struct host_sample *start, const struct proc_ticks *p, uint64_t *ticks)
{
	const struct proc_ticks *before = find_proc(start, p->pid);

	if (before && before->start_ticks == p->start_ticks) {
		*ticks = delta(before->cpu_ticks, p->cpu_ticks);
		return true;
	}
	/* not there at the start (or a new process under an old pid): all of it is in the run */
	if (p->start_ticks + 1 >= start->taken_ticks) {
		*ticks = p->cpu_ticks;
		return true;
	}
	return false; /* running then, but the start sample missed it */
}

struct name_total {
	char comm[LS_COMM_LEN];
	uint64_t ticks;
};

static int cmp_name(const void *a, const void *b)
{
	return strncmp(((const struct name_total *)a)->comm, ((const struct name_total *)b)->comm,
		       LS_COMM_LEN);
}

/* Most time first; equal times by name, so the order does not depend on /proc's. */
static int cmp_busiest(const void *a, const void *b)
{
	const struct name_total *x = a, *y = b;

	if (x->ticks != y->ticks)
		return x->ticks < y->ticks ? 1 : -1;
	return cmp_name(a, b);
}

/*
 * The other processes' time by name, busiest first, into *out (malloc'd, *n entries with time);
 * 0 or -ENOMEM.
 */
static int other_names(const struct budget_inputs *in, const struct snapshot *s, bool load,
		       struct name_total **out, size_t *n)
{
	const struct host_sample *end = in->end;
	struct name_total *all;
	size_t nall = 0, k = 0;
	uint64_t ticks;

	*out = NULL;
	*n = 0;
	if (!end->nprocs)
		return 0;
	all = calloc(end->nprocs, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < end->nprocs; i++) {
		const struct proc_ticks *p = &end->procs[i];

		if (p->pid == in->self_pid || is_target(s, p->pid) ||
		    (load && in_tree(end, p->pid, in->load_pid)) ||
		    /* its time is what /proc/stat counts as softirq */
		    !strncmp(p->comm, "ksoftirqd/", strlen("ksoftirqd/")) ||
		    !proc_delta(in->start, p, &ticks) || !ticks)
			continue;
		memcpy(all[nall].comm, p->comm, LS_COMM_LEN);
		all[nall].comm[LS_COMM_LEN - 1] = '\0';
		all[nall++].ticks = ticks;
	}
	/* one entry per name, then the busiest first */
	qsort(all, nall, sizeof(*all), cmp_name);
	for (size_t i = 0; i < nall; i++) {
		if (k && !cmp_name(&all[k - 1], &all[i]))
			all[k - 1].ticks = sat_add(all[k - 1].ticks, all[i].ticks);
		else
			all[k++] = all[i];
	}
	qsort(all, k, sizeof(*all), cmp_busiest);
	*out = all;
	*n = k;
	return 0;
}

static void add_part(struct cpu_budget *b, enum budget_kind kind, const char *name, uint64_t cpu_ns)
{
	struct budget_part *p = &b->parts[b->nparts++];

	p->kind = kind;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->cpu_ns = cpu_ns;
}

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (!path || !*path)
		return "command";
	return slash && slash[1] ? slash + 1 : path;
}

/* A process's part before the sharing out: its kind, its name and its own figure. */
struct proc_part {
	enum budget_kind kind;
	const char *name;
	uint64_t cpu_ns;
};

static int sample_error(const struct host_sample *start, const struct host_sample *end)
{
	return start->error ? start->error : end->error;
}

/*
 * The arithmetic every budget shares, into b: total_ns is the cpus x the wall time between the
 * samples' reads of /proc/stat (its fields' sum when those times are not known); its fields give
 * irq, softirq, steal and idle (with iowait), and the rest of total_ns is the tasks' time, shared
 * out as the processes' own figures (scaled down alike when they add up to more) and "(rest)",
 * what they leave. /proc/stat measures idle but counts busy time by ticks, which a virtual CPU
 * can miss: so the tasks' time is not its user, nice and system fields. The parts add up to
 * total_ns.
 */
static void share_out(const struct host_sample *start, const struct host_sample *end, long hz,
		      int cpus, struct proc_part *procs, size_t nprocs, struct cpu_budget *b)
{
	const struct cpu_ticks *a = &start->cpu, *z = &end->cpu;
	uint64_t irq, softirq, steal, idle, tasks, measured = 0, given = 0, wall, counted;
	int err = sample_error(start, end);

	memset(b, 0, sizeof(*b));
	if (err) {
		b->status = BUDGET_UNREADABLE;
		snprintf(b->error, sizeof(b->error), "%s", strerror(-err));
		return;
	}
	irq = ticks_ns(delta(a->irq, z->irq), hz);
	softirq = ticks_ns(delta(a->softirq, z->softirq), hz);
	steal = ticks_ns(delta(a->steal, z->steal), hz);
	idle = sat_add(ticks_ns(delta(a->idle, z->idle), hz),
		       ticks_ns(delta(a->iowait, z->iowait), hz));
	tasks = sat_add(sat_add(ticks_ns(delta(a->user, z->user), hz),
				ticks_ns(delta(a->nice, z->nice), hz)),
			ticks_ns(delta(a->system, z->system), hz));
	/* the CPUs x the wall time, and the tasks the rest of it: busy ticks can be missed */
	wall = end->stat_ns > start->stat_ns ? end->stat_ns - start->stat_ns : 0;
	if (wall && cpus > 0) {
		counted = sat_add(sat_add(irq, softirq), sat_add(steal, idle));
		tasks = (uint64_t)cpus * wall > counted ? (uint64_t)cpus * wall - counted : 0;
	}

	for (size_t i = 0; i < nprocs; i++)
		measured = sat_add(measured, procs[i].cpu_ns);
	for (size_t i = 0; i < nprocs; i++) {
		if (measured > tasks)
			procs[i].cpu_ns =
				(uint64_t)((unsigned __int128)procs[i].cpu_ns * tasks / measured);
		given += procs[i].cpu_ns;
	}

	b->status = BUDGET_MEASURED;
	b->total_ns = sat_add(sat_add(sat_add(tasks, irq), sat_add(softirq, steal)), idle);
	for (size_t i = 0; i < nprocs; i++)
		add_part(b, procs[i].kind, procs[i].name, procs[i].cpu_ns);
	add_part(b, BUDGET_OTHER, BUDGET_REST_NAME, given < tasks ? tasks - given : 0);
	add_part(b, BUDGET_IRQ, kind_names[BUDGET_IRQ], irq);
	add_part(b, BUDGET_SOFTIRQ, kind_names[BUDGET_SOFTIRQ], softirq);
	add_part(b, BUDGET_STEAL, kind_names[BUDGET_STEAL], steal);
	add_part(b, BUDGET_IDLE, kind_names[BUDGET_IDLE], idle);
}

int cpu_budget_compute(const struct budget_inputs *in, const struct snapshot *s,
		       struct cpu_budget *b)
{
	/* in the order they are listed: targets, the load, the named others */
	struct proc_part procs[2 + BUDGET_TOP_OTHERS];
	struct name_total *others = NULL;
	size_t nothers = 0, n = 0;
	uint64_t targets_ns = 0;
	bool load = in->load_pid > 0 && !is_target(s, in->load_pid);

	if (!sample_error(in->start, in->end) && other_names(in, s, load, &others, &nothers))
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocesses; i++)
		targets_ns = sat_add(targets_ns, s->processes[i].sched.cpu_ns);
	procs[n++] = (struct proc_part){BUDGET_TARGETS, kind_names[BUDGET_TARGETS], targets_ns};
	if (load)
		procs[n++] =
			(struct proc_part){BUDGET_LOAD, base_name(in->load_name), in->load_cpu_ns};
	for (size_t i = 0; i < nothers && i < BUDGET_TOP_OTHERS; i++)
		procs[n++] = (struct proc_part){BUDGET_OTHER, others[i].comm,
						ticks_ns(others[i].ticks, in->ticks_per_s)};
	share_out(in->start, in->end, in->ticks_per_s, s->cpus, procs, n, b);
	free(others);
	return 0;
}

void cpu_budget_interval(const struct interval_budget_inputs *in, const struct interval *iv,
			 struct cpu_budget *b)
{
	struct proc_part procs[2];
	uint64_t targets_ns = 0, load_ticks = 0;
	bool load = in->load_pid > 0;
	size_t n = 0;

	for (size_t i = 0; i < iv->nprocs; i++) {
		targets_ns = sat_add(targets_ns, iv->procs[i].cpu_ns);
		/* a target in this interval: its time is in the targets' part already */
		if (iv->procs[i].pid == in->load_pid)
			load = false;
	}
	procs[n++] = (struct proc_part){BUDGET_TARGETS, kind_names[BUDGET_TARGETS], targets_ns};
	if (load) {
		/* its stat's time between the samples; not read at the end: 0, in "(rest)" */
		const struct proc_ticks *load_end = find_proc(in->end, in->load_pid);

		if (load_end && !proc_delta(in->start, load_end, &load_ticks))
			load_ticks = 0;
		procs[n++] = (struct proc_part){BUDGET_LOAD, base_name(in->load_name),
						ticks_ns(load_ticks, in->ticks_per_s)};
	}
	share_out(in->start, in->end, in->ticks_per_s, in->cpus, procs, n, b);
}

uint64_t cpu_budget_kind_ns(const struct cpu_budget *b, enum budget_kind k)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < b->nparts && i < BUDGET_MAX_PARTS; i++)
		if (b->parts[i].kind == k)
			sum = sat_add(sum, b->parts[i].cpu_ns);
	return sum;
}

bool cpu_budget_busy_share(const struct cpu_budget *b, double *share)
{
	uint64_t idle;

	if (b->status != BUDGET_MEASURED || !b->total_ns)
		return false;
	idle = cpu_budget_kind_ns(b, BUDGET_IDLE);
	*share = idle >= b->total_ns ? 0.0 : 1.0 - (double)idle / (double)b->total_ns;
	return true;
}
