// SPDX-License-Identifier: GPL-2.0
/* serve's cumulative figures: per-thread deltas into groups, and the Prometheus bucket bounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exporter.h"
#include "core/syscalls.h"

uint64_t prom_le_ns(unsigned int i)
{
	return 1ULL << (PROM_LE_MIN_LOG2 + i);
}

void prom_le_counts(const uint64_t *hist, uint64_t cum[PROM_LE_BOUNDS + 1])
{
	uint64_t sum = 0;
	unsigned int b = 0;

	/* the buckets in order: each bound's count is the sum of those that end at or below it */
	for (unsigned int idx = 0; idx < HIST_BUCKETS; idx++) {
		while (b < PROM_LE_BOUNDS && hist_bucket_upper(idx) > prom_le_ns(b))
			cum[b++] = sum;
		sum += hist[idx];
	}
	while (b < PROM_LE_BOUNDS)
		cum[b++] = sum;
	cum[PROM_LE_BOUNDS] = sum;
}

void prom_le_label(unsigned int i, char *buf, size_t len)
{
	uint64_t ns = prom_le_ns(i);
	int n = snprintf(buf, len, "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
			 (unsigned long long)(ns % 1000000000ULL));

	/* a power of two in ns has at most 9 decimals in seconds: trim the zeros after them */
	while (n > 2 && (size_t)n < len && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
}

/* A thread's figures as last read: what the next reading's deltas start from. */
struct export_prev {
	uint32_t tid, seq;
	struct export_group *group;
	uint64_t cpu_ns, kernel_ns, runq_wait_ns, runq_count;
	uint64_t voluntary, involuntary, migrations, wakeups, sent, received;
	uint64_t state_ns[ST_COUNT];
	uint64_t runq_hist[HIST_BUCKETS];
	struct lat_stats *lat[LAT_METRICS];
	struct export_errno *errnos;
	size_t nerrnos;
};

static void prev_free(struct export_prev *p)
{
	for (int m = 0; m < LAT_METRICS; m++)
		free(p->lat[m]);
	free(p->errnos);
	memset(p, 0, sizeof(*p));
}

/* What a counter grew by since *last, which then holds the larger of the two. */
static uint64_t grow(uint64_t cur, uint64_t *last)
{
	uint64_t d = cur > *last ? cur - *last : 0;

	if (cur > *last)
		*last = cur;
	return d;
}

/* grow() on the BPF side's counters (__u64 is unsigned long long, uint64_t unsigned long) */
static uint64_t grow64(__u64 cur, __u64 *last)
{
	uint64_t l = *last, d = grow(cur, &l);

	*last = l;
	return d;
}

static int cmp_prev(const struct export_prev *p, const struct thread_stats *s)
{
	if (p->tid != s->tid)
		return p->tid < s->tid ? -1 : 1;
	return (p->seq > s->seq) - (p->seq < s->seq);
}

/* The states of a thread's cumulative figures, `other` being blocked time in none of them. */
static void thread_state_ns(const struct thread_stats *s, struct sys_figures *scratch,
			    uint64_t out[ST_COUNT])
{
	static const struct sched_stats zero;
	struct sched_stats sched = zero;
	uint64_t blocked = 0, classified = 0;
	struct states st;

	sched.cpu_ns = s->on_cpu_ns;
	sched.runq_wait_ns = s->runq_wait_ns;
	memcpy(scratch->offcpu_ns, s->offcpu_ns, sizeof(scratch->offcpu_ns));
	memcpy(scratch->offcpu_d_ns, s->offcpu_d_ns, sizeof(scratch->offcpu_d_ns));
	scratch->offcpu_lock_ns = s->offcpu_lock_ns;
	figures_states(&sched, scratch, 0, &st);
	for (int c = 0; c <= SC_NONE; c++)
		blocked += s->offcpu_ns[c];
	for (int i = ST_IDLE; i < ST_OTHER; i++) {
		out[i] = st.ns[i];
		classified += st.ns[i];
	}
	out[ST_RUNNING] = st.ns[ST_RUNNING];
	out[ST_RUNNABLE] = st.ns[ST_RUNNABLE];
	out[ST_OTHER] = blocked > classified ? blocked - classified : 0;
}

struct export_cgroup *export_totals_cgroup(struct export_totals *t, const char *path)
{
	for (size_t i = 0; i < t->ncgroups; i++)
		if (!strcmp(t->cgroups[i]->path, path))
			return t->cgroups[i];
	return NULL;
}

static struct export_cgroup *cgroup_get(struct export_totals *t, const char *path,
					const char *container_id)
{
	struct export_cgroup *c = export_totals_cgroup(t, path), **grown;

	if (c)
		return c;
	grown = realloc(t->cgroups, (t->ncgroups + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	t->cgroups = grown;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return NULL;
	}
	snprintf(c->container_id, sizeof(c->container_id), "%s", container_id ? container_id : "");
	t->cgroups[t->ncgroups++] = c;
	return c;
}

static bool group_is(const struct export_group *g, const char *cgroup, const char *process, int pid)
{
	return g->pid == pid && !strcmp(g->process, process) && !strcmp(g->cgroup, cgroup);
}

static bool cgroup_has_name(const struct export_totals *t, const char *cgroup, const char *name)
{
	for (size_t i = 0; i < t->ngroups; i++)
		if (!strcmp(t->groups[i]->process, name) && !strcmp(t->groups[i]->cgroup, cgroup))
			return true;
	return false;
}

static struct export_group *group_new(struct export_totals *t, struct export_cgroup *c,
				      const char *process, int pid)
{
	struct export_group *g, **grown;

	grown = realloc(t->groups, (t->ngroups + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	t->groups = grown;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->cgroup = strdup(c->path))) {
		free(g);
		return NULL;
	}
	snprintf(g->container_id, sizeof(g->container_id), "%s", c->container_id);
	snprintf(g->process, sizeof(g->process), "%s", process);
	g->pid = pid;
	t->groups[t->ngroups++] = g;
	return g;
}

/* The group a thread's figures go to now; *capped when its name went to "other". */
static struct export_group *group_for(struct export_totals *t, const struct export_thread *th,
				      struct export_group *hint, bool *capped)
{
	unsigned int cap = t->max_processes ? t->max_processes : EXPORT_DEFAULT_MAX_PROCESSES;
	const char *cgroup = th->cgroup ? th->cgroup : "/";
	const char *process = th->process && th->process[0] ? th->process : th->stats->comm;
	int pid = t->by_pid ? (int)th->stats->pid : 0;
	char name[LS_COMM_LEN];
	struct export_cgroup *c;

	*capped = false;
	snprintf(name, sizeof(name), "%s", process);
	if (hint && group_is(hint, cgroup, name, pid))
		return hint;
	for (size_t i = 0; i < t->ngroups; i++)
		if (group_is(t->groups[i], cgroup, name, pid))
			return t->groups[i];
	c = cgroup_get(t, cgroup, th->container_id);
	if (!c)
		return NULL;
	if (strcmp(name, EXPORT_OTHER_PROCESS) && !cgroup_has_name(t, cgroup, name)) {
		if (c->nprocesses >= cap) {
			*capped = true;
			snprintf(name, sizeof(name), "%s", EXPORT_OTHER_PROCESS);
			if (hint && group_is(hint, cgroup, name, pid))
				return hint;
			for (size_t i = 0; i < t->ngroups; i++)
				if (group_is(t->groups[i], cgroup, name, pid))
					return t->groups[i];
		} else {
			c->nprocesses++;
		}
	}
	return group_new(t, c, name, pid);
}

static int add_lat(struct export_lat *sum, const struct lat_stats *cur, struct lat_stats **last)
{
	struct lat_stats *p = *last;

	if (!p && !(p = *last = calloc(1, sizeof(*p))))
		return -ENOMEM;
	sum->count += grow64(cur->count, &p->count);
	sum->errors += grow64(cur->errors, &p->errors);
	sum->total_ns += grow64(cur->total_ns, &p->total_ns);
	for (int b = 0; b < HIST_BUCKETS; b++) {
		sum->hist[b] += grow64(cur->hist[b], &p->hist[b]);
	}
	return 0;
}

static int add_errnos(struct export_group *g, const struct export_thread *th, struct export_prev *p)
{
	struct export_errno *copy = NULL;
	char buf[24];
	int ret;

	for (size_t i = 0; i < th->nerrnos; i++) {
		const struct export_errno *e = &th->errnos[i];
		uint64_t before = 0;
		unsigned int c = e->sys_class < SC_CLASSES ? e->sys_class : SC_OTHER;

		for (size_t j = 0; j < p->nerrnos; j++)
			if (p->errnos[j].sys_class == e->sys_class && p->errnos[j].err == e->err)
				before = p->errnos[j].count;
		if (e->count <= before)
			continue;
		ret = named_count_add(&g->errnos[c], &g->nerrnos[c],
				      errno_name(e->err, buf, sizeof(buf)), e->count - before, 0,
				      0);
		if (ret)
			return ret;
	}
	if (th->nerrnos) {
		copy = malloc(th->nerrnos * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, th->errnos, th->nerrnos * sizeof(*copy));
	}
	free(p->errnos);
	p->errnos = copy;
	p->nerrnos = th->nerrnos;
	return 0;
}

/* What th did since p was read, into g; p then holds th's figures. */
static int add_thread(struct export_group *g, const struct export_thread *th, struct export_prev *p,
		      struct sys_figures *scratch)
{
	const struct thread_stats *s = th->stats;
	uint64_t states[ST_COUNT];
	int ret;

	g->cpu_ns += grow(s->on_cpu_ns, &p->cpu_ns);
	/* as collection does: kernel time is kept within the kernel's own on-CPU count */
	g->cpu_kernel_ns +=
		grow(s->kernel_ns < s->on_cpu_ns ? s->kernel_ns : s->on_cpu_ns, &p->kernel_ns);
	g->runq_wait_ns += grow(s->runq_wait_ns, &p->runq_wait_ns);
	g->runq_count += grow(s->runq_count, &p->runq_count);
	g->voluntary_switches += grow(s->voluntary_switches, &p->voluntary);
	g->involuntary_switches += grow(s->involuntary_switches, &p->involuntary);
	g->migrations += grow(s->migrations, &p->migrations);
	g->wakeups += grow(s->wakeups, &p->wakeups);
	g->handoff_sent += grow(s->handoff_sent, &p->sent);
	g->handoff_received += grow(s->handoff_received, &p->received);
	for (int b = 0; b < HIST_BUCKETS; b++) {
		g->runq_hist[b] += grow(s->runq_hist[b], &p->runq_hist[b]);
	}
	thread_state_ns(s, scratch, states);
	for (int i = 0; i < ST_COUNT; i++)
		g->state_ns[i] += grow(states[i], &p->state_ns[i]);
	for (int m = 0; m < LAT_METRICS; m++)
		if (th->lat[m] && (ret = add_lat(&g->lat[m], th->lat[m], &p->lat[m])))
			return ret;
	return add_errnos(g, th, p);
}

static void group_free(struct export_group *g)
{
	for (int c = 0; c < SC_CLASSES; c++)
		free(g->errnos[c]);
	free(g->cgroup);
	free(g);
}

/* --by pid: the groups of processes that had no live thread at the previous collection. */
static void remove_gone_groups(struct export_totals *t)
{
	size_t k = 0;

	for (size_t i = 0; i < t->ngroups; i++) {
		if (t->groups[i]->gone)
			group_free(t->groups[i]);
		else
			t->groups[k++] = t->groups[i];
	}
	t->ngroups = k;
}

int export_totals_apply(struct export_totals *t, const struct export_thread *threads, size_t n)
{
	struct sys_figures *scratch = calloc(1, sizeof(*scratch));
	struct export_prev *next = calloc(n ? n : 1, sizeof(*next));
	size_t j = 0, nnext = 0;
	int ret = 0;

	if (!scratch || !next) {
		free(scratch);
		free(next);
		return -ENOMEM;
	}
	if (t->by_pid)
		remove_gone_groups(t);
	for (size_t i = 0; i < t->ngroups; i++)
		t->groups[i]->live_threads = 0;
	for (size_t i = 0; i < t->ncgroups; i++)
		t->cgroups[i]->live_threads = 0;
	for (size_t i = 0; i < n && !ret; i++) {
		const struct export_thread *th = &threads[i];
		struct export_prev cur = {.tid = th->stats->tid, .seq = th->stats->seq};
		struct export_group *g;
		bool capped;

		/* both lists are sorted: the thread's previous reading, if any, is at j */
		while (j < t->nprev && cmp_prev(&t->prev[j], th->stats) < 0)
			prev_free(&t->prev[j++]);
		if (j < t->nprev && !cmp_prev(&t->prev[j], th->stats)) {
			cur = t->prev[j];
			memset(&t->prev[j++], 0, sizeof(cur));
		}
		g = group_for(t, th, cur.group, &capped);
		if (!g) {
			ret = -ENOMEM;
			prev_free(&cur);
			break;
		}
		if (capped && th->stats->tid == th->stats->pid && cur.group != g) {
			struct export_cgroup *c = export_totals_cgroup(t, g->cgroup);

			if (c)
				c->processes_over_cap++;
		}
		cur.group = g;
		ret = add_thread(g, th, &cur, scratch);
		if (th->exited || ret) {
			prev_free(&cur);
			continue;
		}
		g->live_threads++;
		g->live_pid = th->stats->pid;
		next[nnext++] = cur;
	}
	while (j < t->nprev)
		prev_free(&t->prev[j++]);
	free(t->prev);
	t->prev = next;
	t->nprev = nnext;
	for (size_t i = 0; i < t->ngroups; i++) {
		struct export_cgroup *c = export_totals_cgroup(t, t->groups[i]->cgroup);

		if (c)
			c->live_threads += t->groups[i]->live_threads;
		if (t->by_pid)
			t->groups[i]->gone = !t->groups[i]->live_threads;
	}
	t->collections++;
	free(scratch);
	return ret;
}

bool export_totals_remove_cgroup(struct export_totals *t, const char *path)
{
	struct export_cgroup *c = export_totals_cgroup(t, path);
	size_t k = 0;

	if (!c || c->live_threads)
		return false;
	for (size_t i = 0; i < t->ngroups; i++) {
		if (!strcmp(t->groups[i]->cgroup, path))
			group_free(t->groups[i]);
		else
			t->groups[k++] = t->groups[i];
	}
	t->ngroups = k;
	k = 0;
	for (size_t i = 0; i < t->ncgroups; i++)
		if (t->cgroups[i] != c)
			t->cgroups[k++] = t->cgroups[i];
	t->ncgroups = k;
	free(c->path);
	free(c);
	return true;
}

void export_totals_free(struct export_totals *t)
{
	for (size_t i = 0; i < t->ngroups; i++)
		group_free(t->groups[i]);
	for (size_t i = 0; i < t->ncgroups; i++) {
		free(t->cgroups[i]->path);
		free(t->cgroups[i]);
	}
	for (size_t i = 0; i < t->nprev; i++)
		prev_free(&t->prev[i]);
	free(t->groups);
	free(t->cgroups);
	free(t->prev);
	memset(t, 0, sizeof(*t));
}
