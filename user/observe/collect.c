// SPDX-License-Identifier: GPL-2.0
/* The maps into the model: every target's figures, while the programs run or after detaching. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/syscalls.h"
#include "observe/collect.h"
#include "observe/internal.h"
#include "observe/stash.h"
#include "targets/procfs.h"

static int append_thread(struct thread_stats **arr, size_t *n, size_t *cap,
			 const struct thread_stats *s)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct thread_stats *grown = realloc(*arr, ncap * sizeof(**arr));

		if (!grown)
			return -ENOMEM;
		*arr = grown;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *s;
	return 0;
}

static int cmp_thread_stats(const void *a, const void *b)
{
	const struct thread_stats *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->exit_ns > y->exit_ns) - (x->exit_ns < y->exit_ns);
}

/*
 * A live thread still on a CPU when the run ended has run since its last switch-in; add that
 * from the same counter (schedstat field 1), so a thread that never switched is not reported idle.
 */
static bool finish_live_thread(const struct observer *o, struct thread_stats *s,
			       uint64_t end_ns)
{
	const struct end_sample *e = o->detached ? observer_end_sample(o, s->tid) : NULL;
	struct proc_schedstat st = {0};
	bool gone;

	/* detached: the reading taken then, inside the run; attached (-i): now */
	if (e) {
		gone = !e->ok;
		st.cpu_ns = e->cpu_ns;
	} else {
		gone = proc_task_schedstat((int)s->pid, (int)s->tid, &st) != 0;
	}
	if (gone) {
		/* gone: seeded just as it exited, or exited after the programs were detached */
		return s->on_cpu_ns || s->voluntary_switches || s->involuntary_switches ||
		       (s->flags & THREAD_EXITED);
	}
	if (st.cpu_ns > s->sum_exec_base_ns)
		s->on_cpu_ns += st.cpu_ns - s->sum_exec_base_ns;
	/* still blocked at the end: its time so far counts, as a wakeup would have counted it */
	if (s->blocked_since_ns && end_ns > s->blocked_since_ns && s->blocked_class <= SC_NONE) {
		s->offcpu_ns[s->blocked_class] += end_ns - s->blocked_since_ns;
		if (s->blocked_d)
			s->offcpu_d_ns[s->blocked_class] += end_ns - s->blocked_since_ns;
		if (s->blocked_lock)
			s->offcpu_lock_ns += end_ns - s->blocked_since_ns;
		s->blocked_since_ns = 0;
	}
	proc_task_comm((int)s->pid, (int)s->tid, s->comm, sizeof(s->comm));
	return true;
}

int observe_read_threads(const struct observer *o, int fd, size_t key_size, bool live,
			 uint64_t end_ns, struct thread_stats **arr, size_t *n, size_t *cap)
{
	char key[32], next[32];
	struct thread_stats s;
	void *prev = NULL;
	int ret;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, &s))
			continue;
		if (live && !finish_live_thread(o, &s, end_ns))
			continue;
		if ((ret = append_thread(arr, n, cap, &s)))
			return ret;
	}
	return 0;
}

static int cmp_tid_seq(const void *a, const void *b)
{
	const __u32 *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

int observe_read_entries(int fd, size_t key_size, size_t value_size, struct map_entries *e)
{
	char key[64], next[64];
	void *prev = NULL, *grown;
	size_t cap = 0;

	e->key_size = key_size;
	e->rec_size = key_size + value_size;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (e->n == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(e->data, cap * e->rec_size);
			if (!grown)
				return -ENOMEM;
			e->data = grown;
		}
		memcpy(e->data + e->n * e->rec_size, key, key_size);
		if (bpf_map_lookup_elem(fd, key, e->data + e->n * e->rec_size + key_size))
			continue;
		e->n++;
	}
	if (e->n > 1)
		qsort(e->data, e->n, e->rec_size, cmp_tid_seq);
	return 0;
}

/* First record of thread (tid, seq), or n when it has none. */
static size_t entries_find(const struct map_entries *e, __u32 tid, __u32 seq)
{
	__u32 want[2] = { tid, seq };
	size_t lo = 0, hi = e->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_tid_seq(e->data + mid * e->rec_size, want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->n && !cmp_tid_seq(e->data + lo * e->rec_size, want) ? lo : e->n;
}

struct sys_maps {
	struct map_entries lat, others, errnos;
};

void collect_lat_figures(struct lat_figures *f, const struct lat_stats *l)
{
	f->count = l->count;
	f->errors = l->errors;
	f->total_ns = l->total_ns;
	f->bytes = l->bytes;
	f->max_ns = l->max_ns;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		f->hist[i] = l->hist[i];
}

static int fill_sys(struct sys_figures *f, const struct thread_stats *s, const struct sys_maps *m)
{
	char name[32], buf[24];
	size_t i;
	int c, ret;

	for (i = entries_find(&m->lat, s->tid, s->seq); i < m->lat.n; i++) {
		const struct lat_key *k = (const void *)(m->lat.data + i * m->lat.rec_size);
		const struct lat_stats *l = (const void *)((const char *)k + m->lat.key_size);

		if (k->tid != s->tid || k->seq != s->seq)
			break;
		if (k->metric < SC_CLASSES)
			collect_lat_figures(&f->cls[k->metric], l);
		else if (k->metric == LAT_ACCEPT_QUEUE) {
			collect_lat_figures(&f->accept_queue, l);
			f->backlog_max = l->extra_max;
		} else if (k->metric == LAT_HANDOFF_DELAY)
			collect_lat_figures(&f->handoff_delay, l);
	}
	for (i = entries_find(&m->others, s->tid, s->seq); i < m->others.n; i++) {
		const struct other_key *k = (const void *)(m->others.data + i * m->others.rec_size);
		const struct other_stats *o = (const void *)((const char *)k + m->others.key_size);
		const char *sc;

		if (k->tid != s->tid || k->seq != s->seq)
			break;
		sc = syscall_name(k->nr);
		if (!sc) {
			snprintf(name, sizeof(name), "syscall_%u", k->nr);
			sc = name;
		}
		ret = named_count_add(&f->top, &f->ntop, sc, o->count, o->errors, o->total_ns);
		if (ret)
			return ret;
	}
	for (i = entries_find(&m->errnos, s->tid, s->seq); i < m->errnos.n; i++) {
		const struct errno_key *k = (const void *)(m->errnos.data + i * m->errnos.rec_size);
		const __u64 *n = (const void *)((const char *)k + m->errnos.key_size);

		if (k->tid != s->tid || k->seq != s->seq)
			break;
		c = k->sys_class < SC_CLASSES ? k->sys_class : SC_OTHER;
		ret = named_count_add(&f->errnos[c], &f->nerrnos[c],
				      errno_name(k->err, buf, sizeof(buf)), *n, 0, 0);
		if (ret)
			return ret;
	}
	for (c = 0; c <= SC_NONE; c++)
		f->offcpu_ns[c] = s->offcpu_ns[c];
	for (c = 0; c <= SC_NONE; c++)
		f->offcpu_d_ns[c] = s->offcpu_d_ns[c];
	f->offcpu_lock_ns = s->offcpu_lock_ns;
	f->handoff_sent = s->handoff_sent;
	f->handoff_received = s->handoff_received;
	return 0;
}

/* The run as bpf_ktime_get_ns() sees it: [start, end). */
struct run_window {
	uint64_t start_ns, end_ns;
};

void collect_sched_stats(struct sched_stats *st, const struct thread_stats *s)
{
	st->cpu_ns = s->on_cpu_ns;
	/* kernel time is wall time less off-CPU time: kept within the kernel's own on-CPU count */
	st->cpu_kernel_ns = s->kernel_ns < s->on_cpu_ns ? s->kernel_ns : s->on_cpu_ns;
	st->runq_wait_ns = s->runq_wait_ns;
	st->runq_count = s->runq_count;
	st->runq_max_ns = s->runq_max_ns;
	st->voluntary_switches = s->voluntary_switches;
	st->involuntary_switches = s->involuntary_switches;
	st->migrations = s->migrations;
	st->wakeups = s->wakeups;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		st->runq_hist[i] = s->runq_hist[i];
}

static void fill_thread(struct thread *t, const struct thread_stats *s, const struct run_window *w)
{
	uint64_t from = s->first_ns > w->start_ns ? s->first_ns : w->start_ns;
	uint64_t to = s->exit_ns && s->exit_ns < w->end_ns ? s->exit_ns : w->end_ns;

	t->alive_ns = to > from ? to - from : 0;
	t->tcp_reads = s->tcp_reads;
	t->tcp_writes = s->tcp_writes;
	t->tid = (int)s->tid;
	memcpy(t->comm, s->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
	t->exited = s->flags & THREAD_EXITED;
	collect_sched_stats(&t->sched, s);
}

/* Group the thread records by process into the snapshot. */
static int build_processes(struct snapshot *snap, struct thread_stats *arr, size_t n,
			   const struct sys_maps *m, const struct run_window *w)
{
	int ret;

	size_t i = 0;

	qsort(arr, n, sizeof(*arr), cmp_thread_stats);
	snap->processes = calloc(n ? n : 1, sizeof(*snap->processes));
	if (!snap->processes)
		return -ENOMEM;
	while (i < n) {
		struct process *p = &snap->processes[snap->nprocesses++];
		size_t j = i;

		while (j < n && arr[j].pid == arr[i].pid)
			j++;
		p->pid = (int)arr[i].pid;
		p->ppid = (int)arr[i].ppid;
		p->threads = calloc(j - i, sizeof(*p->threads));
		if (!p->threads)
			return -ENOMEM;
		for (size_t k = i; k < j; k++) {
			fill_thread(&p->threads[p->nthreads++], &arr[k], w);
			ret = fill_sys(&p->threads[p->nthreads - 1].sys, &arr[k], m);
			if (ret)
				return ret;
			/* the process is named after its main thread */
			if (arr[k].tid == arr[k].pid || k == i) {
				memcpy(p->comm, p->threads[p->nthreads - 1].comm, sizeof(p->comm));
				p->ppid = (int)arr[k].ppid;
				p->selected_by = arr[k].selected_by;
				p->selector = arr[k].selector;
				p->cgroup_id = arr[k].cgroup_id;
			}
		}
		i = j;
	}
	return 0;
}

static int collect_handoffs(struct observer *o, struct snapshot *snap)
{
	struct map_entries e = { 0 };
	int ret;

	ret = observe_read_entries(bpf_map__fd(o->skel->maps.handoffs),
				   sizeof(struct handoff_key), sizeof(__u64), &e);
	if (!ret && e.n) {
		snap->handoffs = calloc(e.n, sizeof(*snap->handoffs));
		if (!snap->handoffs)
			ret = -ENOMEM;
	}
	for (size_t i = 0; !ret && i < e.n; i++) {
		const struct handoff_key *k = (const void *)(e.data + i * e.rec_size);
		const __u64 *n = (const void *)((const char *)k + e.key_size);

		snap->handoffs[snap->nhandoffs++] =
			(struct handoff_pair){ .from = (int)k->from, .to = (int)k->to, .count = *n };
	}
	free(e.data);
	return ret;
}

/* preempted_by or wakers, into the lists of the target processes. */
static int collect_peers(int fd, struct snapshot *snap, bool preempted)
{
	struct map_entries e = { 0 };
	struct process *p;
	char comm[LS_COMM_LEN];
	int ret;

	ret = observe_read_entries(fd, sizeof(struct pair_key), sizeof(struct pair_stats), &e);
	for (size_t i = 0; !ret && i < e.n; i++) {
		const struct pair_key *k = (const void *)(e.data + i * e.rec_size);
		const struct pair_stats *v = (const void *)((const char *)k + e.key_size);

		p = snapshot_find_process(snap, (int)k->target);
		if (!p)
			continue;
		memcpy(comm, v->comm, sizeof(comm));
		comm[sizeof(comm) - 1] = '\0';
		if (!k->other)
			snprintf(comm, sizeof(comm), "%s", "(idle)");
		if (preempted)
			ret = peer_add(&p->preempted_by, &p->npreempted_by, (int)k->other, comm,
				       v->count, v->wait_ns);
		else
			ret = peer_add(&p->wakers, &p->nwakers, (int)k->other, comm, v->count, 0);
	}
	free(e.data);
	return ret;
}

/*
 * Connections never accepted: the accept queue of each listening socket a target accepted on,
 * read by the kernel's own count (sk_ack_backlog) through ls_listener_queue, one run per listener.
 * A SO_REUSEPORT sibling or another namespace's listener on the same port is not among them.
 */
static void collect_unaccepted(struct observer *o, struct snapshot *snap)
{
	int listeners = bpf_map__fd(o->skel->maps.listeners);
	int prog = bpf_program__fd(o->skel->progs.ls_listener_queue);
	__u64 key, next, *prev = NULL, args[1];
	struct process *p;
	__u32 pid;

	while (bpf_map_get_next_key(listeners, prev, &next) == 0) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = args, .ctx_size_in = sizeof(args));

		key = next;
		prev = &key;
		args[0] = key;
		if (bpf_map_lookup_elem(listeners, &key, &pid))
			continue; /* closed meanwhile: its queue went with it */
		if (bpf_prog_test_run_opts(prog, &run)) {
			snap->drops[DROP_UNREADABLE]++;
			continue;
		}
		if (run.retval == (__u32)-1)
			continue; /* closed meanwhile */
		p = snapshot_find_process(snap, (int)pid);
		if (p)
			p->unaccepted += run.retval;
	}
}

/* Entries left in an LRU map (a hash map's keys, walked). */
static uint64_t map_entries(int fd, size_t key_size)
{
	char key[16], next[16];
	uint64_t n = 0;
	void *prev = NULL;

	if (key_size > sizeof(key))
		return 0;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/*
 * Entries the LRU maps evicted: added less removed (passed on, received, closed) less those left.
 * An eviction under a race of two CPUs adding the same key counts one less; never below 0.
 */
static void collect_evictions(struct observer *o, struct snapshot *snap, __u64 *percpu, int ncpus)
{
	uint64_t ops[LRU_OPS] = { 0 }, left, gone;

	for (__u32 op = 0; op < LRU_OPS; op++) {
		if (bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.lru_ops), &op, percpu))
			continue;
		for (int c = 0; c < ncpus; c++)
			ops[op] += percpu[c];
	}
	left = map_entries(bpf_map__fd(o->skel->maps.accepted_at), sizeof(__u64));
	gone = ops[LRU_ACCEPTED_REMOVED] + left;
	snap->drops[DROP_ACCEPTED_EVICTED] =
		ops[LRU_ACCEPTED_ADDED] > gone ? ops[LRU_ACCEPTED_ADDED] - gone : 0;
	left = map_entries(bpf_map__fd(o->skel->maps.in_flight), sizeof(__u64));
	gone = ops[LRU_IN_FLIGHT_REMOVED] + left;
	snap->drops[DROP_IN_FLIGHT_EVICTED] =
		ops[LRU_IN_FLIGHT_ADDED] > gone ? ops[LRU_IN_FLIGHT_ADDED] - gone : 0;
}

struct tid_pid {
	__u32 tid, seq, pid, pad;
};

static int cmp_tid_pid(const void *a, const void *b)
{
	return cmp_tid_seq(a, b);
}

static int cmp_sample_pid(const void *a, const void *b)
{
	const struct proc_sample *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct proc_sample *sample_of(struct proc_sample **arr, size_t *n, size_t *cap, int pid)
{
	struct proc_sample *grown;

	/* threads arrive grouped by process more often than not: look at the last one first */
	if (*n && (*arr)[*n - 1].pid == pid)
		return &(*arr)[*n - 1];
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i].pid == pid)
			return &(*arr)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		grown = realloc(*arr, *cap * sizeof(**arr));
		if (!grown)
			return NULL;
		*arr = grown;
	}
	memset(&(*arr)[*n], 0, sizeof(**arr));
	(*arr)[*n].pid = pid;
	return &(*arr)[(*n)++];
}

int observer_sample(struct observer *o, struct proc_sample **out, size_t *nout)
{
	struct thread_stats *arr = NULL;
	struct map_entries lat = { 0 };
	struct proc_sample *samples = NULL, *p;
	struct tid_pid *ids = NULL;
	size_t n = 0, cap = 0, ns = 0, scap = 0;
	int ret;

	*out = NULL;
	*nout = 0;
	ret = observe_read_threads(o, bpf_map__fd(o->skel->maps.threads), sizeof(__u32), true,
				   monotonic_ns(), &arr, &n, &cap);
	if (!ret)
		ret = observe_read_threads(o, bpf_map__fd(o->skel->maps.exited),
					   sizeof(struct exited_key), false, 0, &arr, &n, &cap);
	for (size_t i = 0; !ret && i < o->stash.n; i++)
		ret = append_thread(&arr, &n, &cap, &o->stash.threads[i]);
	if (!ret)
		ret = observe_read_entries(bpf_map__fd(o->skel->maps.lat), sizeof(struct lat_key),
					   sizeof(struct lat_stats), &lat);
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ret && !ids)
		ret = -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++) {
		const struct thread_stats *s = &arr[i];

		p = sample_of(&samples, &ns, &scap, (int)s->pid);
		if (!p) {
			ret = -ENOMEM;
			break;
		}
		if (!p->comm[0] || s->tid == s->pid)
			memcpy(p->comm, s->comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = '\0';
		p->cpu_ns += s->on_cpu_ns;
		p->runq_wait_ns += s->runq_wait_ns;
		p->switches += s->voluntary_switches + s->involuntary_switches;
		for (int k = 0; k < HIST_BUCKETS; k++)
			p->runq_hist[k] += s->runq_hist[k];
		ids[i] = (struct tid_pid){ .tid = s->tid, .seq = s->seq, .pid = s->pid };
	}
	if (!ret && n > 1)
		qsort(ids, n, sizeof(*ids), cmp_tid_pid);
	for (size_t i = 0; !ret && i < lat.n; i++) {
		const struct lat_key *k = (const void *)(lat.data + i * lat.rec_size);
		const struct lat_stats *l = (const void *)((const char *)k + lat.key_size);
		const struct tid_pid *id = bsearch(k, ids, n, sizeof(*ids), cmp_tid_pid);

		if (!id || k->metric >= SC_CLASSES)
			continue;
		p = sample_of(&samples, &ns, &scap, (int)id->pid);
		if (!p) {
			ret = -ENOMEM;
			break;
		}
		p->syscalls += l->count;
		if (k->metric == SC_ACCEPT)
			p->accepts += l->count - l->errors;
	}
	if (!ret) {
		if (ns > 1)
			qsort(samples, ns, sizeof(*samples), cmp_sample_pid);
		*out = samples;
		*nout = ns;
		samples = NULL;
	}
	free(samples);
	free(ids);
	free(lat.data);
	free(arr);
	return ret;
}

int observer_collect(struct observer *o, uint64_t end_ns, struct snapshot *snap)
{
	struct sys_maps m = { 0 };
	struct run_window w = {
		.end_ns = end_ns,
		.start_ns = end_ns > snap->duration_ns ? end_ns - snap->duration_ns : 0,
	};
	struct thread_stats *arr = NULL;
	size_t n = 0, cap = 0;
	int ncpus = libbpf_num_possible_cpus();
	__u64 *percpu = NULL;
	int ret;

	snap->cpu_split = !o->no_syscalls;
	snap->observer = o->cost;
	snap->no_syscalls = o->no_syscalls;
	ret = observe_read_threads(o, bpf_map__fd(o->skel->maps.threads), sizeof(__u32), true,
				   end_ns, &arr, &n, &cap);
	/* the exited threads: what the map holds, through the stash's choice of the most CPU */
	if (!ret)
		ret = observer_drain_exited(o, true);
	for (size_t i = 0; !ret && i < o->stash.n; i++)
		ret = append_thread(&arr, &n, &cap, &o->stash.threads[i]);
	if (ret)
		goto cleanup;

	percpu = calloc(ncpus > 0 ? ncpus : 1, sizeof(*percpu));
	if (!percpu) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (__u32 r = 0; r < DROP_REASONS; r++) {
		if (bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.drops), &r, percpu))
			continue;
		for (int c = 0; c < ncpus; c++)
			snap->drops[r] += percpu[c];
	}
	snap->drops[DROP_THREADS_FULL] += o->seed_drops;
	collect_evictions(o, snap, percpu, ncpus);
	snap->drops[DROP_EXITED_FULL] += o->stash.dropped;
	snap->drops[DROP_RECURSION] += observer_recursion_misses(o);
	for (__u32 k = 0; k < LC_COUNTS; k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.lifecycle_counts), &k, percpu))
			continue;
		snap->lifecycle[k] = 0;
		for (int c = 0; c < ncpus; c++)
			snap->lifecycle[k] += percpu[c];
	}
	snap->has_lifecycle = true;
	ret = observe_read_entries(bpf_map__fd(o->skel->maps.lat), sizeof(struct lat_key),
				   sizeof(struct lat_stats), &m.lat);
	if (!ret)
		ret = observe_read_entries(bpf_map__fd(o->skel->maps.others),
					   sizeof(struct other_key), sizeof(struct other_stats),
					   &m.others);
	if (!ret)
		ret = observe_read_entries(bpf_map__fd(o->skel->maps.errnos),
					   sizeof(struct errno_key), sizeof(__u64), &m.errnos);
	if (!ret)
		ret = build_processes(snap, arr, n, &m, &w);
	if (!ret)
		ret = collect_handoffs(o, snap);
	if (!ret)
		ret = collect_peers(bpf_map__fd(o->skel->maps.preempted_by), snap, true);
	if (!ret)
		ret = collect_peers(bpf_map__fd(o->skel->maps.wakers), snap, false);
	if (!ret) {
		collect_unaccepted(o, snap);
		ret = snapshot_finish(snap);
	}
cleanup:
	free(m.lat.data);
	free(m.others.data);
	free(m.errnos.data);
	free(percpu);
	free(arr);
	return ret;
}

