// SPDX-License-Identifier: GPL-2.0
/* Operations on the snapshot model: histogram bounds, percentiles, process totals, freeing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"

/*
 * Bucket idx < HIST_SUB holds exactly the value idx. Above, bucket idx is sub-bucket idx % HIST_SUB
 * of group idx / HIST_SUB, and group g covers [2^(g + HIST_SUB_BITS - 1), 2^(g + HIST_SUB_BITS)):
 * the inverse of hist_bucket(). An idx past the end is treated as the last bucket.
 */
uint64_t hist_bucket_lower(unsigned int idx)
{
	unsigned int group, sub, msb;

	if (idx >= HIST_BUCKETS)
		idx = HIST_BUCKETS - 1;
	if (idx < HIST_SUB)
		return idx;
	group = idx / HIST_SUB;
	sub = idx % HIST_SUB;
	msb = group + HIST_SUB_BITS - 1;
	return (1ULL << msb) + ((uint64_t)sub << (msb - HIST_SUB_BITS));
}

/* Exclusive; the last bucket also takes every value too large for the rest: it has no bound. */
uint64_t hist_bucket_upper(unsigned int idx)
{
	unsigned int msb;

	if (idx >= HIST_BUCKETS - 1)
		return UINT64_MAX;
	if (idx < HIST_SUB)
		return idx + 1;
	msb = idx / HIST_SUB + HIST_SUB_BITS - 1;
	return hist_bucket_lower(idx) + (1ULL << (msb - HIST_SUB_BITS));
}

uint64_t hist_total(const uint64_t *hist, unsigned int nbuckets)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < nbuckets; i++)
		total += hist[i];
	return total;
}

/*
 * The estimate is the value of rank q * total, counted from the smallest sample: it lies in the
 * bucket that holds the sample of that rank (the true percentile, nearest-rank definition) and is
 * interpolated linearly over the integers that bucket holds, [lower, upper - 1], assuming its
 * samples are spread evenly. Since estimate and truth share a bucket, which is at most 1/HIST_SUB
 * of its lower bound wide, the relative error is below 1/HIST_SUB (12.5%); below HIST_SUB it is 0.
 * q = 0 gives the lower bound of the lowest non-empty bucket, q = 1 the largest value the highest
 * non-empty bucket can hold. The last bucket has no upper bound, so its lower bound is returned
 * and the error bound does not hold there (waits of about 17 minutes or more).
 */
uint64_t hist_percentile(const uint64_t *hist, unsigned int nbuckets, double q)
{
	uint64_t total, below = 0, lower, upper;
	double rank, frac;
	unsigned int i;

	if (nbuckets > HIST_BUCKETS)
		nbuckets = HIST_BUCKETS;
	total = hist_total(hist, nbuckets);
	if (!total)
		return 0;
	if (!(q > 0.0)) /* also catches NaN */
		q = 0.0;
	if (q > 1.0)
		q = 1.0;
	rank = q * (double)total;

	for (i = 0; i < nbuckets; i++) {
		if (!hist[i])
			continue;
		if ((double)(below + hist[i]) >= rank)
			break;
		below += hist[i];
	}
	/* Not reached while rank <= total; guards the index should that ever fail. */
	if (i == nbuckets) {
		for (i = nbuckets; i-- > 0 && !hist[i];)
			;
		below = total - hist[i];
	}

	lower = hist_bucket_lower(i);
	upper = hist_bucket_upper(i);
	if (upper == UINT64_MAX)
		return lower;
	frac = (rank - (double)below) / (double)hist[i];
	if (frac < 0.0)
		frac = 0.0;
	if (frac > 1.0)
		frac = 1.0;
	return lower + (uint64_t)(frac * (double)(upper - 1 - lower) + 0.5);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* p50, p90, p99 of a histogram whose exact maximum is known: no estimate may exceed it. */
static bool capped_percentiles(const uint64_t *hist, uint64_t max_ns, uint64_t *p50_ns,
			       uint64_t *p90_ns, uint64_t *p99_ns)
{
	uint64_t cap = max_ns ? max_ns : UINT64_MAX;

	if (p50_ns)
		*p50_ns = min_u64(hist_percentile(hist, HIST_BUCKETS, 0.50), cap);
	if (p90_ns)
		*p90_ns = min_u64(hist_percentile(hist, HIST_BUCKETS, 0.90), cap);
	if (p99_ns)
		*p99_ns = min_u64(hist_percentile(hist, HIST_BUCKETS, 0.99), cap);
	return hist_total(hist, HIST_BUCKETS) > 0;
}

bool sched_stats_percentiles(const struct sched_stats *s, uint64_t *p50_ns, uint64_t *p90_ns,
			     uint64_t *p99_ns)
{
	return capped_percentiles(s->runq_hist, s->runq_max_ns, p50_ns, p90_ns, p99_ns);
}

bool lat_percentiles(const struct lat_figures *l, uint64_t *p50_ns, uint64_t *p90_ns,
		     uint64_t *p99_ns)
{
	return capped_percentiles(l->hist, l->max_ns, p50_ns, p90_ns, p99_ns);
}

void lat_figures_add(struct lat_figures *sum, const struct lat_figures *t)
{
	sum->count += t->count;
	sum->errors += t->errors;
	sum->total_ns += t->total_ns;
	sum->bytes += t->bytes;
	if (t->max_ns > sum->max_ns)
		sum->max_ns = t->max_ns;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		sum->hist[i] += t->hist[i];
}

int named_count_add(struct named_count **arr, size_t *n, const char *name, uint64_t count,
		    uint64_t errors, uint64_t total_ns)
{
	struct named_count *e = NULL, *grown;
	size_t i;

	for (i = 0; i < *n && !e; i++)
		if (!strncmp((*arr)[i].name, name, NAME_LEN))
			e = &(*arr)[i];
	if (!e) {
		grown = realloc(*arr, (*n + 1) * sizeof(**arr));
		if (!grown)
			return -ENOMEM;
		*arr = grown;
		e = &grown[(*n)++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", name);
	}
	e->count += count;
	e->errors += errors;
	e->total_ns += total_ns;
	return 0;
}

int peer_add(struct peer **arr, size_t *n, int pid, const char *comm, uint64_t count,
	     uint64_t wait_ns)
{
	struct peer *e = NULL, *grown;

	for (size_t i = 0; i < *n && !e; i++)
		if ((*arr)[i].pid == pid)
			e = &(*arr)[i];
	if (!e) {
		grown = realloc(*arr, (*n + 1) * sizeof(**arr));
		if (!grown)
			return -ENOMEM;
		*arr = grown;
		e = &grown[(*n)++];
		memset(e, 0, sizeof(*e));
		e->pid = pid;
		snprintf(e->comm, sizeof(e->comm), "%s", comm);
	}
	e->count += count;
	e->wait_ns += wait_ns;
	return 0;
}

static int cmp_peer_wait(const void *a, const void *b)
{
	const struct peer *x = a, *y = b;

	if (x->wait_ns != y->wait_ns)
		return x->wait_ns < y->wait_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_peer_count(const void *a, const void *b)
{
	const struct peer *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

uint64_t sys_accepted(const struct sys_figures *f)
{
	const struct lat_figures *a = &f->cls[SC_ACCEPT];

	/* a corrupt file may say more failed than were made */
	return a->count > a->errors ? a->count - a->errors : 0;
}

int sys_figures_add(struct sys_figures *sum, const struct sys_figures *t)
{
	size_t i;
	int c, ret;

	for (c = 0; c < SC_CLASSES; c++) {
		lat_figures_add(&sum->cls[c], &t->cls[c]);
		for (i = 0; i < t->nerrnos[c]; i++) {
			ret = named_count_add(&sum->errnos[c], &sum->nerrnos[c], t->errnos[c][i].name,
					      t->errnos[c][i].count, 0, 0);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < t->ntop; i++) {
		ret = named_count_add(&sum->top, &sum->ntop, t->top[i].name, t->top[i].count,
				      t->top[i].errors, t->top[i].total_ns);
		if (ret)
			return ret;
	}
	for (c = 0; c <= SC_NONE; c++)
		sum->offcpu_ns[c] += t->offcpu_ns[c];
	for (c = 0; c <= SC_NONE; c++)
		sum->offcpu_d_ns[c] += t->offcpu_d_ns[c];
	sum->offcpu_lock_ns += t->offcpu_lock_ns;
	sum->handoff_sent += t->handoff_sent;
	sum->handoff_received += t->handoff_received;
	lat_figures_add(&sum->accept_queue, &t->accept_queue);
	if (t->backlog_max > sum->backlog_max)
		sum->backlog_max = t->backlog_max;
	lat_figures_add(&sum->handoff_delay, &t->handoff_delay);
	return 0;
}

static int cmp_named_by_time(const void *a, const void *b)
{
	const struct named_count *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_named_by_count(const void *a, const void *b)
{
	const struct named_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

void sys_figures_sort(struct sys_figures *f)
{
	if (f->ntop > 1)
		qsort(f->top, f->ntop, sizeof(*f->top), cmp_named_by_time);
	for (int c = 0; c < SC_CLASSES; c++)
		if (f->nerrnos[c] > 1)
			qsort(f->errnos[c], f->nerrnos[c], sizeof(*f->errnos[c]), cmp_named_by_count);
}

void sys_figures_free(struct sys_figures *f)
{
	for (int c = 0; c < SC_CLASSES; c++)
		free(f->errnos[c]);
	free(f->top);
	memset(f, 0, sizeof(*f));
}

void sched_stats_add(struct sched_stats *sum, const struct sched_stats *t)
{
	unsigned int i;

	sum->cpu_ns += t->cpu_ns;
	sum->cpu_kernel_ns += t->cpu_kernel_ns;
	sum->runq_wait_ns += t->runq_wait_ns;
	sum->runq_count += t->runq_count;
	if (t->runq_max_ns > sum->runq_max_ns)
		sum->runq_max_ns = t->runq_max_ns;
	sum->voluntary_switches += t->voluntary_switches;
	sum->involuntary_switches += t->involuntary_switches;
	sum->migrations += t->migrations;
	sum->wakeups += t->wakeups;
	for (i = 0; i < HIST_BUCKETS; i++)
		sum->runq_hist[i] += t->runq_hist[i];
}

static int cmp_process(const void *a, const void *b)
{
	const struct process *pa = a, *pb = b;

	return (pa->pid > pb->pid) - (pa->pid < pb->pid);
}

static int cmp_thread(const void *a, const void *b)
{
	const struct thread *ta = a, *tb = b;

	return (ta->tid > tb->tid) - (ta->tid < tb->tid);
}

static int cmp_handoff(const void *a, const void *b)
{
	const struct handoff_pair *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* A process without threads keeps the figures it has: there is nothing to recompute them from. */
int snapshot_finish(struct snapshot *s)
{
	struct process *p;
	size_t i, j;
	int ret = 0;

	for (i = 0; i < s->nprocesses; i++) {
		p = &s->processes[i];
		if (p->npreempted_by > 1)
			qsort(p->preempted_by, p->npreempted_by, sizeof(*p->preempted_by),
			      cmp_peer_wait);
		if (p->nwakers > 1)
			qsort(p->wakers, p->nwakers, sizeof(*p->wakers), cmp_peer_count);
		if (!p->nthreads) {
			p->exited = false;
			sys_figures_sort(&p->sys);
			continue;
		}
		if (p->nthreads > 1)
			qsort(p->threads, p->nthreads, sizeof(*p->threads), cmp_thread);
		memset(&p->sched, 0, sizeof(p->sched));
		sys_figures_free(&p->sys);
		p->exited = true;
		p->alive_ns = p->tcp_reads = p->tcp_writes = 0;
		for (j = 0; j < p->nthreads; j++) {
			p->alive_ns += p->threads[j].alive_ns;
			p->tcp_reads += p->threads[j].tcp_reads;
			p->tcp_writes += p->threads[j].tcp_writes;
			sched_stats_add(&p->sched, &p->threads[j].sched);
			if (!ret)
				ret = sys_figures_add(&p->sys, &p->threads[j].sys);
			sys_figures_sort(&p->threads[j].sys);
			if (!p->threads[j].exited)
				p->exited = false;
		}
		sys_figures_sort(&p->sys);
	}
	if (s->nprocesses > 1)
		qsort(s->processes, s->nprocesses, sizeof(*s->processes), cmp_process);
	if (s->nhandoffs > 1)
		qsort(s->handoffs, s->nhandoffs, sizeof(*s->handoffs), cmp_handoff);
	return ret;
}

/* Linear, so it also works on a snapshot that snapshot_finish has not sorted yet. */
struct process *snapshot_find_process(struct snapshot *s, int pid)
{
	size_t i;

	for (i = 0; i < s->nprocesses; i++)
		if (s->processes[i].pid == pid)
			return &s->processes[i];
	return NULL;
}

static const struct {
	const char *name, *text;
} drop_reasons[DROP_REASONS] = {
	[DROP_THREADS_FULL] = {"threads_full", "target threads not tracked, the thread map was full "
					       "(raise --max-threads)"},
	[DROP_EXITED_FULL] = {"exited_full", "exited threads missing from the figures, more exited "
					     "than --max-threads keeps (those with the most CPU are kept)"},
	[DROP_SYSCALLS_FULL] = {"syscalls_full", "syscall figures of threads lost, their map was "
						 "full"},
	[DROP_CONNS_FULL] = {"connections_full", "connections not timed in the listen queue, the "
						 "pending-connection map was full"},
	[DROP_UNREADABLE] = {"unreadable", "control messages or listen queues that could not be "
					   "read"},
	[DROP_PAIRS_FULL] = {"pairs_full", "wakers or preempting processes not recorded, their map "
					   "was full"},
	[DROP_ATTACH_THREADS] = {"attach_threads", "threads of processes moved into a target cgroup "
						   "not adopted, too many to walk"},
	[DROP_RECURSION] = {"recursion", "events not seen, the kernel skips a program that fires "
					 "again while it runs on that CPU (an interrupt inside it)"},
	[DROP_LISTENERS_FULL] = {"listeners_full", "listening sockets or ports of the targets not "
						   "recorded, their map was full"},
	[DROP_HANDOFFS_FULL] = {"handoffs_full", "descriptors passed between a new pair of "
						 "processes not paired, the map was full"},
	[DROP_ACCEPTED_EVICTED] = {"accepted_evicted", "accept times evicted before their handoff "
						       "was timed, too many connections open at once"},
	[DROP_IN_FLIGHT_EVICTED] = {"in_flight_evicted", "passed descriptors evicted before their "
							 "receiver was paired"},
};

const char *drop_reason_name(enum drop_reason r)
{
	return (unsigned int)r < DROP_REASONS ? drop_reasons[r].name : NULL;
}

const char *drop_reason_text(enum drop_reason r)
{
	return (unsigned int)r < DROP_REASONS ? drop_reasons[r].text : NULL;
}

uint64_t snapshot_drops(const struct snapshot *s)
{
	uint64_t n = 0;

	for (int r = 0; r < DROP_REASONS; r++)
		n += s->drops[r];
	return n;
}

static const char *const select_reason_names[SELECT_REASONS] = {
	[SELECT_NONE] = "unknown",  [SELECT_PID] = "pid",	    [SELECT_COMMAND] = "command", [SELECT_DESCENDANT] = "descendant",
	[SELECT_COMM] = "comm",	    [SELECT_CGROUP] = "cgroup",	  [SELECT_CONTAINER] = "container",
};

const char *select_reason_name(enum select_reason r)
{
	return (unsigned int)r < SELECT_REASONS ? select_reason_names[r] : NULL;
}

int select_reason_parse(const char *name)
{
	for (int r = 0; r < SELECT_REASONS; r++)
		if (select_reason_names[r] && !strcmp(select_reason_names[r], name))
			return r;
	return -1;
}

static void cgroup_totals_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->ncgroups; i++) {
		free(s->cgroups[i].path);
		free(s->cgroups[i].pids);
		free(s->cgroups[i].cpu_path);
	}
	free(s->cgroups);
	s->cgroups = NULL;
	s->ncgroups = 0;
}

static int cmp_cgroup_total(const void *a, const void *b)
{
	return strcmp(((const struct cgroup_total *)a)->path,
		      ((const struct cgroup_total *)b)->path);
}

int snapshot_group_cgroups(struct snapshot *s)
{
	struct cgroup_total *g;
	const struct process *p;
	size_t i, k;

	cgroup_totals_free(s);
	s->cgroups = calloc(s->nprocesses ? s->nprocesses : 1, sizeof(*s->cgroups));
	if (!s->cgroups)
		return -ENOMEM;
	/* processes are sorted by pid, so each group's pids come out ascending */
	for (i = 0; i < s->nprocesses; i++) {
		p = &s->processes[i];
		for (k = 0; k < s->ncgroups; k++)
			if (!strcmp(s->cgroups[k].path, p->cgroup ? p->cgroup : CGROUP_PATH_UNKNOWN))
				break;
		g = &s->cgroups[k];
		if (k == s->ncgroups) {
			g->path = strdup(p->cgroup ? p->cgroup : CGROUP_PATH_UNKNOWN);
			g->pids = calloc(s->nprocesses, sizeof(*g->pids));
			s->ncgroups++;
			if (!g->path || !g->pids)
				return -ENOMEM;
		}
		g->cpu_ns += p->sched.cpu_ns;
		g->runq_wait_ns += p->sched.runq_wait_ns;
		g->voluntary_switches += p->sched.voluntary_switches;
		g->involuntary_switches += p->sched.involuntary_switches;
		for (int c = 0; c < SC_CLASSES; c++)
			g->syscalls += p->sys.cls[c].count;
		g->pids[g->npids++] = p->pid;
	}
	if (s->ncgroups > 1)
		qsort(s->cgroups, s->ncgroups, sizeof(*s->cgroups), cmp_cgroup_total);
	return snapshot_link_cpu_limits(s);
}

/* The cpu cgroup that lists pid, or NULL. */
static const struct cpu_cgroup *cpu_cgroup_of(const struct snapshot *s, int pid)
{
	for (size_t i = 0; i < s->ncpu_cgroups; i++)
		for (size_t k = 0; k < s->cpu_cgroups[i].npids; k++)
			if (s->cpu_cgroups[i].pids[k] == pid)
				return &s->cpu_cgroups[i];
	return NULL;
}

int snapshot_link_cpu_limits(struct snapshot *s)
{
	for (size_t i = 0; i < s->ncgroups; i++) {
		struct cgroup_total *g = &s->cgroups[i];
		const struct cpu_cgroup *c = NULL, *of;
		bool several = false;

		free(g->cpu_path);
		g->cpu_path = NULL;
		memset(&g->cpu_limit, 0, sizeof(g->cpu_limit));
		for (size_t k = 0; k < g->npids && !several; k++) {
			of = cpu_cgroup_of(s, g->pids[k]);
			if (of && c && of != c)
				several = true;
			else if (of)
				c = of;
		}
		/* processes of one cgroup v2 in several v1 cpu cgroups: cpu_cgroups has each */
		if (!c || several)
			continue;
		g->cpu_path = strdup(c->path);
		if (!g->cpu_path)
			return -ENOMEM;
		g->cpu_hierarchy = c->hierarchy;
		g->cpu_limit = c->limit;
	}
	return 0;
}

const char *cgroup_hierarchy_name(enum cgroup_hierarchy h)
{
	switch (h) {
	case CGROUP_V2:
		return "v2";
	case CGROUP_V1:
		return "v1";
	}
	return NULL;
}

int cgroup_hierarchy_parse(const char *name)
{
	if (!strcmp(name, "v2"))
		return CGROUP_V2;
	if (!strcmp(name, "v1"))
		return CGROUP_V1;
	return -1;
}

static const char *const cpu_file_names[CPU_FILES] = {"cpu.max", "cpu.cfs_quota_us",
						      "cpu.cfs_period_us", "cpu.stat"};

const char *cpu_file_name(enum cpu_file f)
{
	for (int i = 0; i < CPU_FILES; i++)
		if ((unsigned int)f == 1u << i)
			return cpu_file_names[i];
	return NULL;
}

unsigned int cpu_file_parse(const char *name)
{
	for (int i = 0; i < CPU_FILES; i++)
		if (!strcmp(name, cpu_file_names[i]))
			return 1u << i;
	return 0;
}

static void cpu_cgroups_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->ncpu_cgroups; i++) {
		free(s->cpu_cgroups[i].path);
		free(s->cpu_cgroups[i].pids);
	}
	free(s->cpu_cgroups);
	s->cpu_cgroups = NULL;
	s->ncpu_cgroups = 0;
}

void snapshot_free(struct snapshot *s)
{
	size_t i;

	if (!s)
		return;
	if (s->command) {
		for (i = 0; s->command[i]; i++)
			free(s->command[i]);
		free(s->command);
	}
	for (i = 0; i < s->nprocesses; i++) {
		for (size_t j = 0; j < s->processes[i].nthreads; j++)
			sys_figures_free(&s->processes[i].threads[j].sys);
		sys_figures_free(&s->processes[i].sys);
		free(s->processes[i].threads);
		free(s->processes[i].preempted_by);
		free(s->processes[i].wakers);
		free(s->processes[i].cgroup);
	}
	free(s->processes);
	cgroup_totals_free(s);
	cpu_cgroups_free(s);
	for (i = 0; i < s->targets.ncomms; i++)
		free(s->targets.comms[i]);
	free(s->targets.comms);
	for (i = 0; i < s->targets.ncgroups; i++)
		free(s->targets.cgroups[i]);
	free(s->targets.cgroups);
	for (i = 0; i < s->targets.ncontainers; i++) {
		free(s->targets.containers[i].id);
		free(s->targets.containers[i].cgroup);
	}
	free(s->targets.containers);
	free(s->handoffs);
	for (i = 0; i < s->nintervals; i++)
		free(s->intervals[i].procs);
	free(s->intervals);
	free(s->kernel);
	free(s->program);
	free(s->targets.pids);
	free(s->targets.description);
	memset(s, 0, sizeof(*s));
}

uint64_t observer_runs(const struct observer_cost *c)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < c->nprograms && i < OBSERVER_MAX_PROGRAMS; i++)
		sum = sum + c->programs[i].runs < sum ? UINT64_MAX : sum + c->programs[i].runs;
	return sum;
}

uint64_t observer_run_ns(const struct observer_cost *c)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < c->nprograms && i < OBSERVER_MAX_PROGRAMS; i++)
		sum = sum + c->programs[i].run_ns < sum ? UINT64_MAX : sum + c->programs[i].run_ns;
	return sum;
}

const char *observer_source_name(enum observer_source s)
{
	return s == OBSERVER_BPF_STATS ? "bpf_stats" : NULL;
}
