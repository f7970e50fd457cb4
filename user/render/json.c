// SPDX-License-Identifier: GPL-2.0
/* The JSON form of a snapshot: writing it with jansson and reading it back with full validation. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/analysis.h"
#include "core/bottleneck.h"
#include "core/budget.h"
#include "core/totals.h"
#include "render/json.h"
#include "core/syscalls.h"

/* PID_MAX_LIMIT on 64-bit kernels: no pid, tid or count of them can exceed it. */
#define LS_PID_MAX 4194304
/* Longest COMMAND argv read from a file: far beyond what a shell passes, cheap to allocate. */
#define LS_ARGV_MAX 65536
/* A saved run is a few MB per thousand threads; larger input is not one of ours. */
#define LS_JSON_MAX_BYTES (1ULL << 30)
/* Longest cpus value accepted: CONFIG_NR_CPUS tops out far below it. */
#define LS_CPUS_MAX 1048576

static const char *const lifecycle_names[LC_COUNTS] = {
	[LC_PROCESSES_STARTED] = "processes_started",
	[LC_THREADS_STARTED] = "threads_started",
	[LC_PROCESSES_EXITED] = "processes_exited",
	[LC_THREADS_EXITED] = "threads_exited",
};

/* ---- writing ---- */

/* Counters cannot reach 2^63 in a run; saturate rather than wrap should one ever be corrupt. */
static json_t *json_u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* jansson only takes valid UTF-8; comm and argv are arbitrary bytes, so replace what it refuses. */
static json_t *json_text(const char *s, size_t len)
{
	json_t *v;
	char *copy;
	size_t i;

	if (!s)
		return json_string("");
	v = json_stringn(s, len);
	if (v)
		return v;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	for (i = 0; i < len; i++)
		copy[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	copy[len] = '\0';
	v = json_stringn(copy, len);
	free(copy);
	return v;
}

static json_t *json_str(const char *s)
{
	return json_text(s, s ? strlen(s) : 0);
}

static json_t *json_comm(const char *comm)
{
	return json_text(comm, strnlen(comm, LS_COMM_LEN));
}

/* Takes ownership of val, NULL included, so calls chain with || and nothing leaks on failure. */
static int set(json_t *obj, const char *key, json_t *val)
{
	return json_object_set_new(obj, key, val) ? -ENOMEM : 0;
}

static json_t *hist_to_json(const uint64_t *hist)
{
	json_t *arr, *bucket;
	uint64_t upper;
	unsigned int i;

	arr = json_array();
	if (!arr)
		return NULL;
	for (i = 0; i < HIST_BUCKETS; i++) {
		if (!hist[i])
			continue;
		bucket = json_object();
		upper = hist_bucket_upper(i);
		if (json_array_append_new(arr, bucket) ||
		    set(bucket, "lower_ns", json_u64(hist_bucket_lower(i))) ||
		    set(bucket, "upper_ns", upper == UINT64_MAX ? json_null() : json_u64(upper)) ||
		    set(bucket, "count", json_u64(hist[i]))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* A figure the run did not measure (a run saved before it was) is null, not 0. */
static json_t *json_u64_known(uint64_t v, bool known)
{
	return known ? json_u64(v) : json_null();
}

static int sched_to_json(json_t *obj, const struct sched_stats *st, bool cpu_split)
{
	uint64_t p50, p90, p99;
	bool timed;

	/* percentiles of no waits are null, not 0 (a wait of 0 ns is real) */
	timed = sched_stats_percentiles(st, &p50, &p90, &p99);
	if (set(obj, "cpu_ns", json_u64(st->cpu_ns)) ||
	    set(obj, "cpu_user_ns", json_u64_known(st->cpu_ns - st->cpu_kernel_ns, cpu_split)) ||
	    set(obj, "cpu_kernel_ns", json_u64_known(st->cpu_kernel_ns, cpu_split)) ||
	    set(obj, "runq_wait_ns", json_u64(st->runq_wait_ns)) ||
	    set(obj, "runq_count", json_u64(st->runq_count)) ||
	    set(obj, "runq_p50_ns", json_u64_known(p50, timed)) ||
	    set(obj, "runq_p90_ns", json_u64_known(p90, timed)) ||
	    set(obj, "runq_p99_ns", json_u64_known(p99, timed)) ||
	    set(obj, "runq_max_ns", json_u64(st->runq_max_ns)) ||
	    set(obj, "runq_hist", hist_to_json(st->runq_hist)) ||
	    set(obj, "voluntary_switches", json_u64(st->voluntary_switches)) ||
	    set(obj, "involuntary_switches", json_u64(st->involuntary_switches)) ||
	    set(obj, "migrations", json_u64(st->migrations)) ||
	    set(obj, "wakeups", json_u64(st->wakeups)))
		return -ENOMEM;
	return 0;
}

/* count, percentiles, max and histogram: the part every latency figure has. */
static int lat_to_json(json_t *obj, const struct lat_figures *l)
{
	uint64_t p50, p90, p99;
	bool timed;

	/* a figure with nothing timed has no percentiles: null */
	timed = lat_percentiles(l, &p50, &p90, &p99);
	if (set(obj, "count", json_u64(l->count)) || set(obj, "total_ns", json_u64(l->total_ns)) ||
	    set(obj, "p50_ns", json_u64_known(p50, timed)) ||
	    set(obj, "p90_ns", json_u64_known(p90, timed)) ||
	    set(obj, "p99_ns", json_u64_known(p99, timed)) ||
	    set(obj, "max_ns", json_u64(l->max_ns)) ||
	    set(obj, "hist", hist_to_json(l->hist)))
		return -ENOMEM;
	return 0;
}

static json_t *named_to_json(const struct named_count *arr, size_t n, bool full)
{
	json_t *out = full ? json_array() : json_object(), *e;

	for (size_t i = 0; out && i < n; i++) {
		if (!full) {
			if (set(out, arr[i].name, json_u64(arr[i].count)))
				goto fail;
			continue;
		}
		e = json_object();
		if (json_array_append_new(out, e) || set(e, "name", json_str(arr[i].name)) ||
		    set(e, "count", json_u64(arr[i].count)) ||
		    set(e, "errors", json_u64(arr[i].errors)) ||
		    set(e, "total_ns", json_u64(arr[i].total_ns)))
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

static int sys_to_json(json_t *obj, const struct sys_figures *f, bool traced)
{
	json_t *syscalls, *offcpu, *d, *c;
	uint64_t d_total = 0;

	for (int i = 0; i <= SC_NONE; i++)
		d_total += f->offcpu_d_ns[i];
	/* light mode: the uninterruptible sleep is the scheduler's; the rest needs the syscalls */
	if (!traced)
		return set(obj, "syscalls", json_null()) || set(obj, "offcpu_ns", json_null()) ||
		       set(obj, "offcpu_d_ns", json_u64(d_total)) ||
		       set(obj, "offcpu_d_by_class", json_null()) ||
		       set(obj, "offcpu_lock_ns", json_null()) ||
		       set(obj, "handoff_sent", json_null()) ||
		       set(obj, "handoff_received", json_null());
	syscalls = json_object();
	offcpu = json_object();
	d = json_object();
	if (set(obj, "syscalls", syscalls) || set(obj, "offcpu_ns", offcpu) ||
	    set(obj, "offcpu_d_ns", json_u64(d_total)) || set(obj, "offcpu_d_by_class", d) ||
	    set(obj, "offcpu_lock_ns", json_u64(f->offcpu_lock_ns)) ||
	    set(obj, "handoff_sent", json_u64(f->handoff_sent)) ||
	    set(obj, "handoff_received", json_u64(f->handoff_received)))
		return -ENOMEM;
	for (int i = 0; i < SC_CLASSES; i++) {
		c = json_object();
		if (set(syscalls, sys_class_name(i), c) || lat_to_json(c, &f->cls[i]) ||
		    set(c, "errors", json_u64(f->cls[i].errors)) ||
		    set(c, "errno", named_to_json(f->errnos[i], f->nerrnos[i], false)) ||
		    set(c, "bytes", json_u64(f->cls[i].bytes)) ||
		    (i == SC_OTHER && set(c, "top", named_to_json(f->top, f->ntop, true))))
			return -ENOMEM;
	}
	for (int i = 0; i <= SC_NONE; i++)
		if (set(offcpu, sys_class_name(i), json_u64(f->offcpu_ns[i])) ||
		    set(d, sys_class_name(i), json_u64(f->offcpu_d_ns[i])))
			return -ENOMEM;
	return 0;
}

/* The connection path: accepted connections and descriptors passed on. */
static int conn_to_json(json_t *obj, const struct sys_figures *f, bool traced)
{
	json_t *aq, *hd;

	if (!traced)
		return set(obj, "accept_queue", json_null()) ||
		       set(obj, "handoff_delay", json_null());
	aq = json_object();
	hd = json_object();
	if (set(obj, "accept_queue", aq) || lat_to_json(aq, &f->accept_queue) ||
	    set(aq, "backlog_max", json_u64(f->backlog_max)) || set(obj, "handoff_delay", hd) ||
	    lat_to_json(hd, &f->handoff_delay))
		return -ENOMEM;
	return 0;
}

static json_t *states_to_json(const struct snapshot *s, const struct states *st)
{
	json_t *obj = json_object();
	char key[32];

	for (int i = 0; obj && i < ST_COUNT; i++) {
		snprintf(key, sizeof(key), "%s_ns", state_name(i));
		if (set(obj, key, json_u64_known(st->ns[i], state_known(s, i)))) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *peers_to_json(const struct peer *arr, size_t n, bool wait)
{
	json_t *out = json_array(), *e;

	for (size_t i = 0; out && i < n; i++) {
		e = json_object();
		if (json_array_append_new(out, e) || set(e, "pid", json_integer(arr[i].pid)) ||
		    set(e, "comm", json_comm(arr[i].comm)) ||
		    set(e, "count", json_u64(arr[i].count)) ||
		    (wait && set(e, "wait_ns", json_u64(arr[i].wait_ns)))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* What a thread or process did beside the scheduler figures, and what the analysis makes of it. */
static int activity_to_json(json_t *obj, const struct snapshot *s, uint64_t alive_ns,
			    uint64_t tcp_reads, uint64_t tcp_writes, enum role role,
			    const struct states *st)
{
	bool traced = !s->no_syscalls;

	if (set(obj, "alive_ns", json_u64(alive_ns)) ||
	    set(obj, "tcp_reads", json_u64_known(tcp_reads, traced)) ||
	    set(obj, "tcp_writes", json_u64_known(tcp_writes, traced)) ||
	    set(obj, "role", traced ? json_string(role_name(role)) : json_null()) ||
	    set(obj, "states", states_to_json(s, st)))
		return -ENOMEM;
	return 0;
}

static json_t *thread_to_json(const struct snapshot *s, const struct process *p,
			      const struct thread *t)
{
	json_t *obj = json_object();
	bool traced = !s->no_syscalls;
	struct states st;

	if (!obj)
		return NULL;
	thread_states(t, &st);
	if (activity_to_json(obj, s, t->alive_ns, t->tcp_reads, t->tcp_writes,
			     thread_role(s, p, t), &st) ||
	    set(obj, "kind", json_string(thread_kind_name(thread_kind(p, t)))) ||
	    set(obj, "tid", json_integer(t->tid)) || set(obj, "comm", json_comm(t->comm)) ||
	    sched_to_json(obj, &t->sched, s->cpu_split) || sys_to_json(obj, &t->sys, traced) ||
	    conn_to_json(obj, &t->sys, traced) || set(obj, "exited", json_boolean(t->exited))) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* How a process became a target, and its cgroup. */
static int selection_to_json(json_t *obj, const struct process *p)
{
	const char *reason = select_reason_name(p->selected_by);

	if (set(obj, "selected_by", json_string(reason ? reason : "unknown")) ||
	    set(obj, "cgroup", json_str(p->cgroup ? p->cgroup : CGROUP_PATH_UNKNOWN)))
		return -ENOMEM;
	return 0;
}

static json_t *process_to_json(const struct snapshot *s, const struct process *p)
{
	json_t *obj, *threads;
	struct states st, helpers;
	bool traced = !s->no_syscalls;
	size_t i;

	obj = json_object();
	if (!obj)
		return NULL;
	threads = json_array();
	process_states(p, &st);
	process_helper_states(p, &helpers);
	if (activity_to_json(obj, s, p->alive_ns, p->tcp_reads, p->tcp_writes, process_role(s, p),
			     &st) ||
	    set(obj, "helper_states", states_to_json(s, &helpers)) ||
	    set(obj, "preempted_by", peers_to_json(p->preempted_by, p->npreempted_by, true)) ||
	    set(obj, "wakers", peers_to_json(p->wakers, p->nwakers, false)))
		goto fail;
	if (set(obj, "pid", json_integer(p->pid)) || set(obj, "ppid", json_integer(p->ppid)) ||
	    set(obj, "comm", json_comm(p->comm)) || sched_to_json(obj, &p->sched, s->cpu_split) ||
	    sys_to_json(obj, &p->sys, traced) || conn_to_json(obj, &p->sys, traced) ||
	    (traced &&
	     set(json_object_get(obj, "accept_queue"), "unaccepted", json_u64(p->unaccepted))) ||
	    set(obj, "exited", json_boolean(p->exited)) || selection_to_json(obj, p) ||
	    set(obj, "threads", threads))
		goto fail;
	for (i = 0; i < p->nthreads; i++)
		if (json_array_append_new(threads, thread_to_json(s, p, &p->threads[i])))
			goto fail;
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

/*
 * cpu_budget of a run or an interval, on obj: {total_ns, parts: [{kind, name, cpu_ns}]}; null,
 * with cpu_budget_error, when /proc/stat could not be read; left out when not known (a run read
 * from an older file).
 */
static int budget_to_json(json_t *obj, const struct cpu_budget *b)
{
	json_t *budget, *parts, *p;

	if (b->status == BUDGET_UNKNOWN)
		return 0;
	if (b->status == BUDGET_UNREADABLE)
		return set(obj, "cpu_budget", json_null()) ||
		       set(obj, "cpu_budget_error", json_str(b->error));
	budget = json_object();
	parts = json_array();
	if (set(obj, "cpu_budget", budget) || set(budget, "total_ns", json_u64(b->total_ns)) ||
	    set(budget, "parts", parts))
		return -ENOMEM;
	for (size_t i = 0; i < b->nparts && i < BUDGET_MAX_PARTS; i++) {
		const struct budget_part *bp = &b->parts[i];

		p = json_object();
		if (json_array_append_new(parts, p) ||
		    set(p, "kind", json_str(budget_kind_name(bp->kind))) ||
		    set(p, "name", json_text(bp->name, strnlen(bp->name, sizeof(bp->name)))) ||
		    set(p, "cpu_ns", json_u64(bp->cpu_ns)))
			return -ENOMEM;
	}
	return 0;
}

static int intervals_to_json(json_t *root, const struct snapshot *s)
{
	json_t *arr = json_array(), *iv, *procs, *p;

	if (set(root, "interval_ns", json_u64(s->interval_ns)) ||
	    set(root, "started_unix_ns",
		s->started_unix_ns ? json_u64(s->started_unix_ns) : json_null()) ||
	    set(root, "intervals", arr))
		return -ENOMEM;
	for (size_t i = 0; i < s->nintervals; i++) {
		const struct interval *in = &s->intervals[i];

		iv = json_object();
		procs = json_array();
		if (json_array_append_new(arr, iv) || set(iv, "end_ns", json_u64(in->end_ns)) ||
		    set(iv, "duration_ns", json_u64(in->duration_ns)) ||
		    budget_to_json(iv, &in->budget) || set(iv, "processes", procs))
			return -ENOMEM;
		for (size_t k = 0; k < in->nprocs; k++) {
			const struct interval_proc *ip = &in->procs[k];

			p = json_object();
			if (json_array_append_new(procs, p) || set(p, "pid", json_integer(ip->pid)) ||
			    set(p, "cpu_ns", json_u64(ip->cpu_ns)) ||
			    set(p, "runq_wait_ns", json_u64(ip->runq_wait_ns)) ||
			    set(p, "runq_p99_ns", json_u64_known(ip->runq_p99_ns, ip->runq_timed)) ||
			    set(p, "switches", json_u64(ip->switches)) ||
			    set(p, "accepts", json_u64_known(ip->accepts, !s->no_syscalls)) ||
			    set(p, "syscalls", json_u64_known(ip->syscalls, !s->no_syscalls)))
				return -ENOMEM;
		}
	}
	return 0;
}

/* What limited the run: kind, subject, the sentence and the figures it rests on. */
static int bottleneck_to_json(json_t *root, const struct snapshot *s)
{
	json_t *obj = json_object(), *ev = json_object();
	struct bottleneck b;

	analyze_bottleneck(s, &b);
	if (set(root, "bottleneck", obj) ||
	    set(obj, "kind", json_string(bottleneck_kind_name(b.kind))) ||
	    set(obj, "subject", json_str(b.subject)) || set(obj, "text", json_str(b.text)) ||
	    set(obj, "evidence", ev))
		return -ENOMEM;
	for (size_t k = 0; k < b.nevidence; k++)
		if (set(ev, b.evidence[k].name, json_real(b.evidence[k].value)))
			return -ENOMEM;
	return 0;
}

static int findings_to_json(json_t *root, const struct snapshot *s)
{
	struct finding found[32];
	json_t *arr = json_array(), *req = json_object(), *f, *ev;
	size_t n = analyze_findings(s, found, sizeof(found) / sizeof(found[0]));
	bool given;
	uint64_t requests = snapshot_requests(s, &given);

	struct run_totals t;
	json_t *per = json_object();

	run_totals(s, &t);
	if (set(root, "per_request", per) ||
	    (t.requests && (set(per, "cpu_ns", json_real((double)t.cpu_ns / (double)t.requests)) ||
			    set(per, "cpu_user_ns",
				t.cpu_split ? json_real((double)(t.cpu_ns - t.cpu_kernel_ns) /
							(double)t.requests)
					    : json_null()) ||
			    set(per, "cpu_kernel_ns",
				t.cpu_split ? json_real((double)t.cpu_kernel_ns / (double)t.requests)
					    : json_null()) ||
			    set(per, "syscalls",
				t.syscalls_traced
					? json_real((double)t.syscalls / (double)t.requests)
					: json_null()) ||
			    set(per, "switches", json_real((double)t.switches / (double)t.requests)) ||
			    set(per, "wakeups", json_real((double)t.wakeups / (double)t.requests)) ||
			    set(per, "requests_per_poll",
				t.syscalls_traced ? json_real(requests_per_poll(&t))
						  : json_null()))))
		return -ENOMEM;
	if (set(root, "requests", req) ||
	    set(req, "count", json_u64_known(requests, given || !s->no_syscalls)) ||
	    set(req, "given", json_boolean(given)) || set(root, "findings", arr))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		f = json_object();
		ev = json_object();
		if (json_array_append_new(arr, f) || set(f, "id", json_string(found[i].id)) ||
		    set(f, "severity", json_string(severity_name(found[i].severity))) ||
		    set(f, "text", json_str(found[i].text)) || set(f, "evidence", ev))
			return -ENOMEM;
		for (size_t k = 0; k < found[i].nevidence; k++)
			if (set(ev, found[i].evidence[k].name, json_real(found[i].evidence[k].value)))
				return -ENOMEM;
	}
	return 0;
}

/* The selectors besides -p: names, cgroups, containers with the cgroup each resolved to. */
static int selectors_to_json(json_t *targets, const struct targets *t)
{
	json_t *comms = json_array(), *cgroups = json_array(), *containers = json_array(), *c;

	if (set(targets, "comms", comms) || set(targets, "cgroups", cgroups) ||
	    set(targets, "containers", containers))
		return -ENOMEM;
	for (size_t i = 0; i < t->ncomms; i++)
		if (json_array_append_new(comms, json_comm(t->comms[i])))
			return -ENOMEM;
	for (size_t i = 0; i < t->ncgroups; i++)
		if (json_array_append_new(cgroups, json_str(t->cgroups[i])))
			return -ENOMEM;
	for (size_t i = 0; i < t->ncontainers; i++) {
		c = json_object();
		if (json_array_append_new(containers, c) ||
		    set(c, "id", json_str(t->containers[i].id)) ||
		    set(c, "cgroup", json_str(t->containers[i].cgroup)))
			return -ENOMEM;
	}
	return 0;
}

/* A CPU limit and its throttling over the run; what is not known is null. */
static json_t *cpu_limit_to_json(const struct cpu_limit *l)
{
	json_t *o, *missing = json_array();

	for (int i = 0; missing && i < CPU_FILES; i++)
		if ((l->missing & (1u << i)) &&
		    json_array_append_new(missing, json_str(cpu_file_name(1u << i)))) {
			json_decref(missing);
			return NULL;
		}
	o = missing ? json_object() : NULL;
	if (!o) {
		json_decref(missing);
		return NULL;
	}
	if (set(o, "quota_us", json_u64_known(l->quota_us, l->known & CPU_KNOWN_QUOTA)) ||
	    set(o, "period_us", json_u64_known(l->period_us, l->known & CPU_KNOWN_PERIOD)) ||
	    set(o, "periods", json_u64_known(l->periods, l->known & CPU_KNOWN_THROTTLING)) ||
	    set(o, "throttled_periods",
		json_u64_known(l->throttled_periods, l->known & CPU_KNOWN_THROTTLING)) ||
	    set(o, "throttled_ns",
		json_u64_known(l->throttled_ns, l->known & CPU_KNOWN_THROTTLING)) ||
	    set(o, "pressure_some_ns",
		json_u64_known(l->pressure_some_ns, l->known & CPU_KNOWN_PRESSURE)) ||
	    set(o, "counters_reset", json_boolean(l->counters_reset)) ||
	    set(o, "end_only", json_boolean(l->end_only))) {
		json_decref(missing);
		json_decref(o);
		return NULL;
	}
	if (set(o, "missing", missing)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *pids_to_json(const int *pids, size_t n)
{
	json_t *arr = json_array();

	for (size_t k = 0; arr && k < n; k++)
		if (json_array_append_new(arr, json_integer(pids[k]))) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* The cpu cgroups sampled: the targets' own and their ancestors, each with its limit. */
static json_t *cpu_limits_to_json(const struct snapshot *s)
{
	json_t *arr = json_array(), *c;

	for (size_t i = 0; arr && i < s->ncpu_cgroups; i++) {
		const struct cpu_cgroup *g = &s->cpu_cgroups[i];

		c = json_object();
		if (json_array_append_new(arr, c) || set(c, "path", json_str(g->path)) ||
		    set(c, "hierarchy", json_str(cgroup_hierarchy_name(g->hierarchy))) ||
		    set(c, "processes", pids_to_json(g->pids, g->npids)) ||
		    set(c, "cpu_limit", cpu_limit_to_json(&g->limit))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The targets grouped by cgroup, with totals. */
static json_t *cgroups_to_json(const struct snapshot *s)
{
	json_t *arr = json_array(), *g, *pids, *cpu;

	for (size_t i = 0; arr && i < s->ncgroups; i++) {
		const struct cgroup_total *c = &s->cgroups[i];

		g = json_object();
		pids = json_array();
		if (json_array_append_new(arr, g) || set(g, "path", json_str(c->path)) ||
		    set(g, "cpu_ns", json_u64(c->cpu_ns)) ||
		    set(g, "runq_wait_ns", json_u64(c->runq_wait_ns)) ||
		    set(g, "voluntary_switches", json_u64(c->voluntary_switches)) ||
		    set(g, "involuntary_switches", json_u64(c->involuntary_switches)) ||
		    set(g, "syscalls", json_u64_known(c->syscalls, !s->no_syscalls)) ||
		    set(g, "removed", json_boolean(c->removed)) || set(g, "processes", pids))
			goto fail;
		for (size_t k = 0; k < c->npids; k++)
			if (json_array_append_new(pids, json_integer(c->pids[k])))
				goto fail;
		/* the cpu cgroup its processes are in: itself on v2, the cpu hierarchy's on v1 */
		cpu = c->cpu_path ? json_object() : json_null();
		if (set(g, "cpu_cgroup", cpu) ||
		    (c->cpu_path &&
		     (set(cpu, "path", json_str(c->cpu_path)) ||
		      set(cpu, "hierarchy", json_str(cgroup_hierarchy_name(c->cpu_hierarchy))))) ||
		    set(g, "cpu_limit",
			c->cpu_path ? cpu_limit_to_json(&c->cpu_limit) : json_null()))
			goto fail;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

/* loadscope's own programs: null when their cost was not measured. */
static json_t *observer_to_json(const struct observer_cost *c)
{
	json_t *o, *arr, *e;

	if (c->source == OBSERVER_UNKNOWN)
		return json_null();
	o = json_object();
	arr = json_array();
	if (!o || !arr || set(o, "source", json_string(observer_source_name(c->source))) ||
	    set(o, "sampled_share", json_real(c->sampled_share)) ||
	    set(o, "runs", json_u64(observer_runs(c))) ||
	    set(o, "run_ns", json_u64(observer_run_ns(c))) || set(o, "programs", arr)) {
		json_decref(o);
		return NULL;
	}
	for (size_t i = 0; i < c->nprograms && i < OBSERVER_MAX_PROGRAMS; i++) {
		e = json_object();
		if (json_array_append_new(arr, e) ||
		    set(e, "name", json_text(c->programs[i].name,
					     strnlen(c->programs[i].name, NAME_LEN))) ||
		    set(e, "runs", json_u64(c->programs[i].runs)) ||
		    set(e, "run_ns", json_u64(c->programs[i].run_ns))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Target processes and threads started and exited during the run; null when not counted. */
static json_t *lifecycle_to_json(const struct snapshot *s)
{
	json_t *lc;

	if (!s->has_lifecycle)
		return json_null();
	lc = json_object();
	for (int i = 0; lc && i < LC_COUNTS; i++)
		if (set(lc, lifecycle_names[i], json_u64(s->lifecycle[i]))) {
			json_decref(lc);
			return NULL;
		}
	return lc;
}

static json_t *snapshot_to_json(const struct snapshot *s)
{
	json_t *root, *command, *targets, *pids, *drops, *processes, *handoffs, *h;
	size_t i;

	root = json_object();
	if (!root)
		return NULL;
	command = json_array();
	targets = json_object();
	pids = json_array();
	drops = json_object();
	processes = json_array();
	handoffs = json_array();
	/* Each container joins the tree before it is filled, so one decref of root frees all. */
	if (set(root, "schema", json_string(SCHEMA_NAME)) ||
	    set(root, "version", json_integer(SCHEMA_VERSION)) ||
	    set(root, "kernel", json_str(s->kernel)) || set(root, "cpus", json_integer(s->cpus)) ||
	    set(root, "duration_ns", json_u64(s->duration_ns)) || set(root, "command", command) ||
	    set(root, "command_exit", json_integer(s->command_exit)) ||
	    set(root, "program", json_str(s->program)) ||
	    set(root, "syscalls_traced", json_boolean(!s->no_syscalls)) ||
	    set(root, "targets", targets) ||
	    set(targets, "description", json_str(s->targets.description)) ||
	    set(targets, "pids", pids) ||
	    set(targets, "command", json_boolean(s->targets.command)) ||
	    set(targets, "children", json_boolean(s->targets.children)) ||
	    selectors_to_json(targets, &s->targets) || set(root, "drops", drops) ||
	    set(root, "lifecycle", lifecycle_to_json(s)) ||
	    set(root, "processes", processes) || set(root, "handoffs", handoffs) ||
	    set(root, "cgroups", cgroups_to_json(s)) ||
	    set(root, "cpu_limits", cpu_limits_to_json(s)) ||
	    set(root, "cpu_limits_full", json_u64(s->cpu_cgroups_full)) ||
	    budget_to_json(root, &s->cpu_budget) ||
	    set(root, "observer", observer_to_json(&s->observer)))
		goto fail;
	for (i = 0; i < s->nhandoffs; i++) {
		h = json_object();
		if (json_array_append_new(handoffs, h) ||
		    set(h, "from", json_integer(s->handoffs[i].from)) ||
		    set(h, "to", json_integer(s->handoffs[i].to)) ||
		    set(h, "count", json_u64(s->handoffs[i].count)))
			goto fail;
	}
	for (i = 0; s->command && s->command[i]; i++)
		if (json_array_append_new(command, json_str(s->command[i])))
			goto fail;
	for (i = 0; i < s->targets.npids; i++)
		if (json_array_append_new(pids, json_integer(s->targets.pids[i])))
			goto fail;
	for (i = 0; i < DROP_REASONS; i++)
		if (set(drops, drop_reason_name(i), json_u64(s->drops[i])))
			goto fail;
	for (i = 0; i < s->nprocesses; i++)
		if (json_array_append_new(processes, process_to_json(s, &s->processes[i])))
			goto fail;
	if (bottleneck_to_json(root, s) || findings_to_json(root, s) || intervals_to_json(root, s))
		goto fail;
	return root;
fail:
	json_decref(root);
	return NULL;
}

int snapshot_write_json(const struct snapshot *s, FILE *f)
{
	json_t *root;
	int err = 0;

	root = snapshot_to_json(s);
	if (!root)
		return -ENOMEM;
	errno = 0;
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', f) == EOF ||
	    ferror(f))
		err = errno ? -errno : -EIO;
	json_decref(root);
	return err;
}

/* ---- reading ---- */

struct reader {
	const char *name; /* the file, as messages show it */
	char *err;
	size_t errlen;
	bool cpu_split_missing; /* a thread or process without cpu_kernel_ns: an older run */
	bool no_syscalls;	/* syscalls_traced false: the syscall figures are null, not read */
};

static int __attribute__((format(printf, 3, 4)))
fail(struct reader *r, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->errlen)
		return rc;
	n = snprintf(r->err, r->errlen, "%s: ", r->name);
	if (n < 0 || (size_t)n >= r->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return rc;
}

/* "processes[2].threads[0]" + "cpu_ns": where a field is, for messages. */
static const char *field(char *buf, size_t len, const char *where, const char *key)
{
	snprintf(buf, len, "%s%s%s", where, *where ? "." : "", key);
	return buf;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a decimal number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* What was found instead of what was expected: the value itself when it is a number. */
static int wrong(struct reader *r, const char *where, const char *key, const char *expected,
		 const json_t *v)
{
	char name[128];

	field(name, sizeof(name), where, key);
	if (json_is_integer(v))
		return fail(r, -EINVAL, "field %s should be %s, not %lld", name, expected,
			    (long long)json_integer_value(v));
	return fail(r, -EINVAL, "field %s should be %s, not %s", name, expected, type_name(v));
}

static json_t *need(struct reader *r, const json_t *obj, const char *where, const char *key,
		    int *rc)
{
	char name[128];
	json_t *v;

	v = json_object_get(obj, key);
	if (!v)
		*rc = fail(r, -EINVAL, "missing field %s", field(name, sizeof(name), where, key));
	return v;
}

static int get_u64(struct reader *r, const json_t *obj, const char *where, const char *key,
		   uint64_t *out)
{
	int rc = 0;
	json_t *v;

	v = need(r, obj, where, key, &rc);
	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return wrong(r, where, key, "a non-negative integer", v);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* A field newer runs have: absent or null leaves *out and says so in *present. */
static int get_u64_opt(struct reader *r, const json_t *obj, const char *where, const char *key,
		       uint64_t *out, bool *present)
{
	json_t *v = json_object_get(obj, key);

	*present = v && !json_is_null(v);
	if (!*present)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return wrong(r, where, key, "a non-negative integer or null", v);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* A figure of the syscall hooks: null in light mode, and not read there. */
static int get_traced(struct reader *r, const json_t *obj, const char *where, const char *key,
		      uint64_t *out)
{
	if (r->no_syscalls)
		return 0;
	return get_u64(r, obj, where, key, out);
}

static int get_int(struct reader *r, const json_t *obj, const char *where, const char *key, int min,
		   int max, int *out)
{
	char expected[64];
	int rc = 0;
	json_t *v;

	v = need(r, obj, where, key, &rc);
	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(expected, sizeof(expected), "an integer from %d to %d", min, max);
		return wrong(r, where, key, expected, v);
	}
	*out = (int)json_integer_value(v);
	return 0;
}

static int get_bool(struct reader *r, const json_t *obj, const char *where, const char *key,
		    bool *out)
{
	int rc = 0;
	json_t *v;

	v = need(r, obj, where, key, &rc);
	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return wrong(r, where, key, "true or false", v);
	*out = json_is_true(v);
	return 0;
}

static int get_string(struct reader *r, const json_t *obj, const char *where, const char *key,
		      char **out)
{
	int rc = 0;
	json_t *v;

	v = need(r, obj, where, key, &rc);
	if (!v)
		return rc;
	if (!json_is_string(v))
		return wrong(r, where, key, "a string", v);
	*out = strdup(json_string_value(v));
	return *out ? 0 : fail(r, -ENOMEM, "out of memory");
}

/* A field newer runs have: absent or null leaves *out. */
static int get_bool_opt(struct reader *r, const json_t *obj, const char *where, const char *key,
			bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return wrong(r, where, key, "true, false or null", v);
	*out = json_is_true(v);
	return 0;
}

/* A longer name than the kernel keeps is cut, as the kernel would have. */
static int get_comm(struct reader *r, const json_t *obj, const char *where, char *comm)
{
	int rc = 0;
	json_t *v;

	v = need(r, obj, where, "comm", &rc);
	if (!v)
		return rc;
	if (!json_is_string(v))
		return wrong(r, where, "comm", "a string", v);
	memset(comm, 0, LS_COMM_LEN);
	strncpy(comm, json_string_value(v), LS_COMM_LEN - 1);
	return 0;
}

static json_t *get_typed(struct reader *r, const json_t *obj, const char *where, const char *key,
			 json_type type, size_t max_len, int *rc)
{
	char name[128];
	json_t *v;

	v = need(r, obj, where, key, rc);
	if (!v)
		return NULL;
	if (json_typeof(v) != type) {
		*rc = wrong(r, where, key, type == JSON_ARRAY ? "an array" : "an object", v);
		return NULL;
	}
	if (type == JSON_ARRAY && json_array_size(v) > max_len) {
		*rc = fail(r, -EINVAL, "field %s has %zu entries, more than the %zu possible",
			   field(name, sizeof(name), where, key), json_array_size(v), max_len);
		return NULL;
	}
	return v;
}

static int read_hist(struct reader *r, const json_t *obj, const char *where, const char *key,
		     uint64_t *hist)
{
	char at[160], name[192];
	uint64_t lower, count;
	bool seen[HIST_BUCKETS] = {false};
	json_t *arr, *bucket, *upper;
	unsigned int idx;
	size_t i;
	int rc = 0;

	arr = get_typed(r, obj, where, key, JSON_ARRAY, HIST_BUCKETS, &rc);
	if (!arr)
		return rc;
	for (i = 0; i < json_array_size(arr); i++) {
		bucket = json_array_get(arr, i);
		snprintf(at, sizeof(at), "%s%s%s[%zu]", where, *where ? "." : "", key, i);
		if (!json_is_object(bucket))
			return fail(r, -EINVAL, "%s should be an object, not %s", at,
				    type_name(bucket));
		rc = get_u64(r, bucket, at, "lower_ns", &lower);
		if (!rc)
			rc = get_u64(r, bucket, at, "count", &count);
		if (rc)
			return rc;
		idx = hist_bucket(lower);
		field(name, sizeof(name), at, "lower_ns");
		if (hist_bucket_lower(idx) != lower)
			return fail(r, -EINVAL,
				    "field %s is %llu, not a bucket bound of this histogram (the "
				    "bucket holding it starts at %llu)",
				    name, (unsigned long long)lower,
				    (unsigned long long)hist_bucket_lower(idx));
		if (seen[idx])
			return fail(r, -EINVAL, "field %s: bucket %llu is listed twice", name,
				    (unsigned long long)lower);
		seen[idx] = true;
		/* An upper bound that disagrees means another bucket layout: reject, not guess. */
		upper = json_object_get(bucket, "upper_ns");
		if (upper && hist_bucket_upper(idx) == UINT64_MAX && !json_is_null(upper))
			return wrong(r, at, "upper_ns", "null (the last bucket has no upper bound)",
				     upper);
		if (upper && hist_bucket_upper(idx) != UINT64_MAX &&
		    (!json_is_integer(upper) ||
		     (uint64_t)json_integer_value(upper) != hist_bucket_upper(idx))) {
			char expected[64];

			snprintf(expected, sizeof(expected), "%llu",
				 (unsigned long long)hist_bucket_upper(idx));
			return wrong(r, at, "upper_ns", expected, upper);
		}
		hist[idx] = count;
	}
	return 0;
}

static int read_sched(struct reader *r, const json_t *obj, const char *where,
		      struct sched_stats *st)
{
	bool present;
	int rc;

	if ((rc = get_u64(r, obj, where, "cpu_ns", &st->cpu_ns)) ||
	    (rc = get_u64(r, obj, where, "runq_wait_ns", &st->runq_wait_ns)) ||
	    (rc = get_u64(r, obj, where, "runq_count", &st->runq_count)) ||
	    (rc = get_u64(r, obj, where, "runq_max_ns", &st->runq_max_ns)) ||
	    (rc = read_hist(r, obj, where, "runq_hist", st->runq_hist)) ||
	    (rc = get_u64(r, obj, where, "voluntary_switches", &st->voluntary_switches)) ||
	    (rc = get_u64(r, obj, where, "involuntary_switches", &st->involuntary_switches)) ||
	    (rc = get_u64(r, obj, where, "migrations", &st->migrations)) ||
	    (rc = get_u64(r, obj, where, "wakeups", &st->wakeups)) ||
	    (rc = get_u64_opt(r, obj, where, "cpu_kernel_ns", &st->cpu_kernel_ns, &present)))
		return rc;
	if (!present)
		r->cpu_split_missing = true;
	/* part of cpu_ns, whatever a file says: the user time must not wrap */
	if (st->cpu_kernel_ns > st->cpu_ns)
		st->cpu_kernel_ns = st->cpu_ns;
	return 0;
}

/*
 * Room for element n of an array, zeroed; returns the array, moved or not, or NULL. Arrays grow as
 * their elements validate instead of being sized from the file's count, so a long array of junk
 * costs no more memory than its own text did.
 */
static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
	size_t new_cap;
	char *p;

	if (n < *cap)
		return arr;
	new_cap = *cap ? *cap * 2 : 16;
	p = realloc(arr, new_cap * size);
	if (!p)
		return NULL;
	memset(p + *cap * size, 0, (new_cap - *cap) * size);
	*cap = new_cap;
	return p;
}

static int read_lat(struct reader *r, const json_t *obj, const char *where, const char *key,
		    struct lat_figures *l, json_t **out)
{
	char at[192];
	json_t *o;
	int rc = 0;

	o = get_typed(r, obj, where, key, JSON_OBJECT, 0, &rc);
	if (!o)
		return rc;
	field(at, sizeof(at), where, key);
	if ((rc = get_u64(r, o, at, "count", &l->count)) ||
	    (rc = get_u64(r, o, at, "total_ns", &l->total_ns)) ||
	    (rc = get_u64(r, o, at, "max_ns", &l->max_ns)) ||
	    (rc = read_hist(r, o, at, "hist", l->hist)))
		return rc;
	if (out)
		*out = o;
	return 0;
}

/* errno: {"EAGAIN": 3}; top: [{"name", "count", "errors", "total_ns"}]. */
static int read_named(struct reader *r, const json_t *obj, const char *where, const char *key,
		      bool full, struct named_count **arr, size_t *n)
{
	char at[224], name[256];
	const char *k;
	uint64_t count, errors, total;
	json_t *o, *v;
	size_t i;
	int rc = 0;

	o = get_typed(r, obj, where, key, full ? JSON_ARRAY : JSON_OBJECT, 4096, &rc);
	if (!o)
		return rc;
	field(at, sizeof(at), where, key);
	if (!full) {
		json_object_foreach(o, k, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return wrong(r, at, k, "a non-negative integer", v);
			if (named_count_add(arr, n, k, (uint64_t)json_integer_value(v), 0, 0))
				return fail(r, -ENOMEM, "out of memory");
		}
		return 0;
	}
	json_array_foreach(o, i, v) {
		char *s = NULL;

		snprintf(name, sizeof(name), "%s[%zu]", at, i);
		if (!json_is_object(v))
			return fail(r, -EINVAL, "%s should be an object, not %s", name, type_name(v));
		if ((rc = get_string(r, v, name, "name", &s)) ||
		    (rc = get_u64(r, v, name, "count", &count)) ||
		    (rc = get_u64(r, v, name, "errors", &errors)) ||
		    (rc = get_u64(r, v, name, "total_ns", &total))) {
			free(s);
			return rc;
		}
		rc = named_count_add(arr, n, s, count, errors, total);
		free(s);
		if (rc)
			return fail(r, -ENOMEM, "out of memory");
	}
	return 0;
}

static int read_sys(struct reader *r, const json_t *obj, const char *where, struct sys_figures *f)
{
	char at[192], cat[224];
	json_t *syscalls, *offcpu, *c;
	bool present;
	int rc = 0;

	/* light mode: only the uninterruptible sleep, which is not by class, is a figure */
	if (r->no_syscalls)
		return get_u64(r, obj, where, "offcpu_d_ns", &f->offcpu_d_ns[SC_NONE]);
	syscalls = get_typed(r, obj, where, "syscalls", JSON_OBJECT, 0, &rc);
	if (!syscalls)
		return rc;
	field(at, sizeof(at), where, "syscalls");
	for (int i = 0; i < SC_CLASSES; i++) {
		c = NULL;
		field(cat, sizeof(cat), at, sys_class_name(i));
		if ((rc = read_lat(r, syscalls, at, sys_class_name(i), &f->cls[i], &c)) ||
		    (rc = get_u64(r, c, cat, "errors", &f->cls[i].errors)) ||
		    (rc = get_u64(r, c, cat, "bytes", &f->cls[i].bytes)) ||
		    (rc = read_named(r, c, cat, "errno", false, &f->errnos[i], &f->nerrnos[i])) ||
		    (i == SC_OTHER && (rc = read_named(r, c, cat, "top", true, &f->top, &f->ntop))))
			return rc;
	}
	offcpu = get_typed(r, obj, where, "offcpu_ns", JSON_OBJECT, 0, &rc);
	if (!offcpu)
		return rc;
	field(at, sizeof(at), where, "offcpu_ns");
	for (int i = 0; i <= SC_NONE; i++)
		if ((rc = get_u64(r, offcpu, at, sys_class_name(i), &f->offcpu_ns[i])))
			return rc;
	offcpu = get_typed(r, obj, where, "offcpu_d_by_class", JSON_OBJECT, 0, &rc);
	if (!offcpu)
		return rc;
	field(at, sizeof(at), where, "offcpu_d_by_class");
	for (int i = 0; i <= SC_NONE; i++)
		if ((rc = get_u64(r, offcpu, at, sys_class_name(i), &f->offcpu_d_ns[i])))
			return rc;
	if ((rc = get_u64(r, obj, where, "handoff_sent", &f->handoff_sent)) ||
	    (rc = get_u64(r, obj, where, "handoff_received", &f->handoff_received)) ||
	    (rc = get_u64_opt(r, obj, where, "offcpu_lock_ns", &f->offcpu_lock_ns, &present)))
		return rc;
	/* a run saved before lock waits were told apart counted every futex wait as one; and no
	 * more lock time than futex time, whatever a file says */
	if (!present || f->offcpu_lock_ns > f->offcpu_ns[SC_FUTEX])
		f->offcpu_lock_ns = f->offcpu_ns[SC_FUTEX];
	return 0;
}

/* The accept queue and handoff delay; a process's queue also counts connections never accepted. */
static int read_conn(struct reader *r, const json_t *obj, const char *where, struct sys_figures *f,
		     uint64_t *unaccepted)
{
	char at[192];
	json_t *aq = NULL;
	int rc;

	if (r->no_syscalls)
		return 0;
	field(at, sizeof(at), where, "accept_queue");
	if ((rc = read_lat(r, obj, where, "accept_queue", &f->accept_queue, &aq)) ||
	    (rc = get_u64(r, aq, at, "backlog_max", &f->backlog_max)) ||
	    (unaccepted && (rc = get_u64(r, aq, at, "unaccepted", unaccepted))) ||
	    (rc = read_lat(r, obj, where, "handoff_delay", &f->handoff_delay, NULL)))
		return rc;
	return 0;
}

static int read_peers(struct reader *r, const json_t *obj, const char *where, const char *key,
		      struct peer **arr, size_t *n)
{
	char at[192], name[224];
	uint64_t count, wait = 0;
	char comm[LS_COMM_LEN];
	json_t *o, *v;
	size_t i;
	int rc = 0, pid;

	o = get_typed(r, obj, where, key, JSON_ARRAY, LS_PID_MAX, &rc);
	if (!o)
		return rc;
	field(at, sizeof(at), where, key);
	json_array_foreach(o, i, v) {
		snprintf(name, sizeof(name), "%s[%zu]", at, i);
		if (!json_is_object(v))
			return fail(r, -EINVAL, "%s should be an object, not %s", name, type_name(v));
		if ((rc = get_int(r, v, name, "pid", 0, LS_PID_MAX, &pid)) ||
		    (rc = get_comm(r, v, name, comm)) ||
		    (rc = get_u64(r, v, name, "count", &count)) ||
		    (!strcmp(key, "preempted_by") && (rc = get_u64(r, v, name, "wait_ns", &wait))))
			return rc;
		if (peer_add(arr, n, pid, comm, count, wait))
			return fail(r, -ENOMEM, "out of memory");
	}
	return 0;
}

static int read_thread(struct reader *r, const json_t *obj, const char *where, struct thread *t)
{
	int rc;

	if (!json_is_object(obj))
		return fail(r, -EINVAL, "%s should be an object, not %s", where, type_name(obj));
	if ((rc = get_int(r, obj, where, "tid", 1, LS_PID_MAX, &t->tid)) ||
	    (rc = get_u64(r, obj, where, "alive_ns", &t->alive_ns)) ||
	    (rc = get_traced(r, obj, where, "tcp_reads", &t->tcp_reads)) ||
	    (rc = get_traced(r, obj, where, "tcp_writes", &t->tcp_writes)) ||
	    (rc = get_comm(r, obj, where, t->comm)) ||
	    (rc = get_bool(r, obj, where, "exited", &t->exited)) ||
	    (rc = read_sched(r, obj, where, &t->sched)) || (rc = read_sys(r, obj, where, &t->sys)) ||
	    (rc = read_conn(r, obj, where, &t->sys, NULL)))
		return rc;
	return 0;
}

static int read_selection(struct reader *r, const json_t *obj, const char *where,
			  struct process *p)
{
	char *reason = NULL;
	int rc, v;

	if ((rc = get_string(r, obj, where, "selected_by", &reason)))
		return rc;
	v = select_reason_parse(reason);
	free(reason);
	if (v < 0)
		return wrong(r, where, "selected_by",
			     "one of pid, command, descendant, comm, cgroup, container, unknown",
			     json_object_get(obj, "selected_by"));
	p->selected_by = (enum select_reason)v;
	return get_string(r, obj, where, "cgroup", &p->cgroup);
}

static int read_process(struct reader *r, const json_t *obj, const char *where, struct process *p)
{
	json_t *threads, *t;
	size_t i, cap = 0;
	char at[96];
	void *more;
	int rc = 0;

	if (!json_is_object(obj))
		return fail(r, -EINVAL, "%s should be an object, not %s", where, type_name(obj));
	if ((rc = get_int(r, obj, where, "pid", 1, LS_PID_MAX, &p->pid)) ||
	    (rc = get_int(r, obj, where, "ppid", 0, LS_PID_MAX, &p->ppid)) ||
	    (rc = get_comm(r, obj, where, p->comm)) ||
	    (rc = get_bool(r, obj, where, "exited", &p->exited)) ||
	    (rc = read_sched(r, obj, where, &p->sched)) || (rc = read_sys(r, obj, where, &p->sys)) ||
	    (rc = read_conn(r, obj, where, &p->sys, &p->unaccepted)) ||
	    (rc = get_u64(r, obj, where, "alive_ns", &p->alive_ns)) ||
	    (rc = get_traced(r, obj, where, "tcp_reads", &p->tcp_reads)) ||
	    (rc = get_traced(r, obj, where, "tcp_writes", &p->tcp_writes)) ||
	    (rc = read_peers(r, obj, where, "preempted_by", &p->preempted_by, &p->npreempted_by)) ||
	    (rc = read_peers(r, obj, where, "wakers", &p->wakers, &p->nwakers)) ||
	    (rc = read_selection(r, obj, where, p)))
		return rc;
	threads = get_typed(r, obj, where, "threads", JSON_ARRAY, LS_PID_MAX, &rc);
	if (!threads)
		return rc;
	for (i = 0; i < json_array_size(threads); i++) {
		t = json_array_get(threads, i);
		more = grow(p->threads, &cap, i, sizeof(*p->threads));
		if (!more)
			return fail(r, -ENOMEM, "out of memory for the threads of %s", where);
		p->threads = more;
		p->nthreads = i + 1;
		snprintf(at, sizeof(at), "%s.threads[%zu]", where, i);
		rc = read_thread(r, t, at, &p->threads[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int read_command(struct reader *r, const json_t *root, struct snapshot *s)
{
	json_t *arr, *arg;
	size_t i;
	int rc = 0;

	arr = get_typed(r, root, "", "command", JSON_ARRAY, LS_ARGV_MAX, &rc);
	if (!arr)
		return rc;
	if (!json_array_size(arr))
		return 0; /* the model says NULL when there was no command */
	s->command = calloc(json_array_size(arr) + 1, sizeof(*s->command));
	if (!s->command)
		return fail(r, -ENOMEM, "out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		arg = json_array_get(arr, i);
		if (!json_is_string(arg))
			return fail(r, -EINVAL, "command[%zu] should be a string, not %s", i,
				    type_name(arg));
		s->command[i] = strdup(json_string_value(arg));
		if (!s->command[i])
			return fail(r, -ENOMEM, "out of memory");
	}
	return 0;
}

static int read_targets(struct reader *r, const json_t *root, struct snapshot *s)
{
	json_t *targets, *pids, *pid;
	size_t i;
	int rc = 0;

	targets = get_typed(r, root, "", "targets", JSON_OBJECT, 0, &rc);
	if (!targets)
		return rc;
	if ((rc = get_string(r, targets, "targets", "description", &s->targets.description)) ||
	    (rc = get_bool(r, targets, "targets", "command", &s->targets.command)) ||
	    (rc = get_bool(r, targets, "targets", "children", &s->targets.children)))
		return rc;
	pids = get_typed(r, targets, "targets", "pids", JSON_ARRAY, LS_PID_MAX, &rc);
	if (!pids)
		return rc;
	if (!json_array_size(pids))
		return 0;
	s->targets.pids = calloc(json_array_size(pids), sizeof(*s->targets.pids));
	if (!s->targets.pids)
		return fail(r, -ENOMEM, "out of memory");
	s->targets.npids = json_array_size(pids);
	for (i = 0; i < json_array_size(pids); i++) {
		pid = json_array_get(pids, i);
		if (!json_is_integer(pid) || json_integer_value(pid) < 1 ||
		    json_integer_value(pid) > LS_PID_MAX) {
			char at[48];

			snprintf(at, sizeof(at), "pids[%zu]", i);
			return wrong(r, "targets", at, "a pid (an integer from 1 to 4194304)", pid);
		}
		s->targets.pids[i] = (int)json_integer_value(pid);
	}
	return 0;
}

/* An array of at most max strings, each shorter than maxlen, into a malloc'd list. */
static int read_strings(struct reader *r, const json_t *obj, const char *where, const char *key,
			size_t max, size_t maxlen, char ***out, size_t *n)
{
	char at[96];
	json_t *arr, *v;
	size_t i;
	int rc = 0;

	arr = get_typed(r, obj, where, key, JSON_ARRAY, max, &rc);
	if (!arr)
		return rc;
	*out = calloc(json_array_size(arr) + 1, sizeof(**out));
	if (!*out)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, v) {
		snprintf(at, sizeof(at), "%s[%zu]", key, i);
		if (!json_is_string(v) || strlen(json_string_value(v)) >= maxlen) {
			char expected[64];

			snprintf(expected, sizeof(expected), "a string of at most %zu characters",
				 maxlen - 1);
			return wrong(r, where, at, expected, v);
		}
		(*out)[i] = strdup(json_string_value(v));
		if (!(*out)[i])
			return fail(r, -ENOMEM, "out of memory");
		*n = i + 1;
	}
	return 0;
}

/* targets.comms, targets.cgroups and targets.containers: the selectors besides -p. */
static int read_selectors(struct reader *r, const json_t *root, struct snapshot *s)
{
	struct targets *t = &s->targets;
	json_t *targets, *arr, *c;
	char at[64];
	size_t i;
	int rc = 0;

	targets = get_typed(r, root, "", "targets", JSON_OBJECT, 0, &rc);
	if (!targets)
		return rc;
	if ((rc = read_strings(r, targets, "targets", "comms", LS_MAX_COMMS, LS_COMM_LEN, &t->comms,
			       &t->ncomms)) ||
	    (rc = read_strings(r, targets, "targets", "cgroups", LS_MAX_CGROUPS, PATH_MAX,
			       &t->cgroups, &t->ncgroups)))
		return rc;
	arr = get_typed(r, targets, "targets", "containers", JSON_ARRAY, LS_MAX_CGROUPS, &rc);
	if (!arr)
		return rc;
	t->containers = calloc(json_array_size(arr) + 1, sizeof(*t->containers));
	if (!t->containers)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, c) {
		snprintf(at, sizeof(at), "targets.containers[%zu]", i);
		if (!json_is_object(c))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(c));
		t->ncontainers = i + 1;
		if ((rc = get_string(r, c, at, "id", &t->containers[i].id)) ||
		    (rc = get_string(r, c, at, "cgroup", &t->containers[i].cgroup)))
			return rc;
	}
	return 0;
}

/* An array of pids into a malloc'd list. */
static int read_pids(struct reader *r, const json_t *obj, const char *where, const char *key,
		     int **out, size_t *n)
{
	json_t *pids, *pid;
	int rc = 0;
	size_t k;

	pids = get_typed(r, obj, where, key, JSON_ARRAY, LS_PID_MAX, &rc);
	if (!pids)
		return rc;
	*out = calloc(json_array_size(pids) + 1, sizeof(**out));
	if (!*out)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(pids, k, pid)
	{
		if (!json_is_integer(pid) || json_integer_value(pid) < 1 ||
		    json_integer_value(pid) > LS_PID_MAX) {
			char name[48];

			snprintf(name, sizeof(name), "%s[%zu]", key, k);
			return wrong(r, where, name, "a pid (an integer from 1 to 4194304)", pid);
		}
		(*out)[(*n)++] = (int)json_integer_value(pid);
	}
	return 0;
}

/* "v1" or "v2". */
static int get_hierarchy(struct reader *r, const json_t *obj, const char *where,
			 enum cgroup_hierarchy *out)
{
	int rc = 0, h;
	json_t *v;

	v = need(r, obj, where, "hierarchy", &rc);
	if (!v)
		return rc;
	if (!json_is_string(v))
		return wrong(r, where, "hierarchy", "\"v1\" or \"v2\"", v);
	h = cgroup_hierarchy_parse(json_string_value(v));
	if (h < 0) {
		char name[128];

		return fail(r, -EINVAL, "field %s should be \"v1\" or \"v2\", not \"%.16s\"",
			    field(name, sizeof(name), where, "hierarchy"), json_string_value(v));
	}
	*out = (enum cgroup_hierarchy)h;
	return 0;
}

/* A cpu_limit object: each figure may be null (not known); the flags are optional. */
static int read_cpu_limit(struct reader *r, const json_t *obj, const char *where,
			  struct cpu_limit *l)
{
	static const struct {
		const char *key;
		unsigned int bit;
		size_t offset;
	} figures[] = {
		{"quota_us", CPU_KNOWN_QUOTA, offsetof(struct cpu_limit, quota_us)},
		{"period_us", CPU_KNOWN_PERIOD, offsetof(struct cpu_limit, period_us)},
		{"periods", CPU_KNOWN_THROTTLING, offsetof(struct cpu_limit, periods)},
		{"throttled_periods", CPU_KNOWN_THROTTLING,
		 offsetof(struct cpu_limit, throttled_periods)},
		{"throttled_ns", CPU_KNOWN_THROTTLING, offsetof(struct cpu_limit, throttled_ns)},
		{"pressure_some_ns", CPU_KNOWN_PRESSURE,
		 offsetof(struct cpu_limit, pressure_some_ns)},
	};
	unsigned int known = 0, throttling = 0;
	char at[96], name[128];
	json_t *o, *missing, *v;
	bool present;
	size_t i;
	int rc = 0;

	memset(l, 0, sizeof(*l));
	o = get_typed(r, obj, where, "cpu_limit", JSON_OBJECT, 0, &rc);
	if (!o)
		return rc;
	field(at, sizeof(at), where, "cpu_limit");
	for (i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
		uint64_t *dst = (uint64_t *)((char *)l + figures[i].offset);

		if ((rc = get_u64_opt(r, o, at, figures[i].key, dst, &present)))
			return rc;
		if (present && figures[i].bit == CPU_KNOWN_THROTTLING)
			throttling++;
		else if (present)
			known |= figures[i].bit;
	}
	/* the three throttling figures come from one file: all of them or none */
	if (throttling == 3)
		known |= CPU_KNOWN_THROTTLING;
	else if (throttling)
		return fail(r, -EINVAL,
			    "%s: periods, throttled_periods and throttled_ns should be all numbers "
			    "or all null",
			    at);
	l->known = known;
	if ((rc = get_bool_opt(r, o, at, "counters_reset", &l->counters_reset)) ||
	    (rc = get_bool_opt(r, o, at, "end_only", &l->end_only)))
		return rc;
	missing = json_object_get(o, "missing");
	if (!missing || json_is_null(missing))
		return 0;
	if (!json_is_array(missing) || json_array_size(missing) > CPU_FILES)
		return wrong(r, at, "missing", "an array of cpu file names", missing);
	json_array_foreach(missing, i, v)
	{
		unsigned int bit = json_is_string(v) ? cpu_file_parse(json_string_value(v)) : 0;

		snprintf(name, sizeof(name), "missing[%zu]", i);
		if (!bit)
			return wrong(
				r, at, name,
				"one of cpu.max, cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat", v);
		l->missing |= bit;
	}
	return 0;
}

/* The cpu cgroups sampled (absent in runs saved before they were). */
static int read_cpu_limits(struct reader *r, const json_t *root, struct snapshot *s)
{
	bool present;
	json_t *arr, *c;
	char at[48];
	size_t i;
	int rc = 0;

	if ((rc = get_u64_opt(r, root, "", "cpu_limits_full", &s->cpu_cgroups_full, &present)))
		return rc;
	arr = json_object_get(root, "cpu_limits");
	if (!arr || json_is_null(arr))
		return 0;
	arr = get_typed(r, root, "", "cpu_limits", JSON_ARRAY, LS_MAX_CPU_CGROUPS, &rc);
	if (!arr)
		return rc;
	s->cpu_cgroups = calloc(json_array_size(arr) + 1, sizeof(*s->cpu_cgroups));
	if (!s->cpu_cgroups)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, c)
	{
		struct cpu_cgroup *g = &s->cpu_cgroups[i];

		snprintf(at, sizeof(at), "cpu_limits[%zu]", i);
		if (!json_is_object(c))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(c));
		s->ncpu_cgroups = i + 1;
		if ((rc = get_string(r, c, at, "path", &g->path)) ||
		    (rc = get_hierarchy(r, c, at, &g->hierarchy)) ||
		    (rc = read_pids(r, c, at, "processes", &g->pids, &g->npids)) ||
		    (rc = read_cpu_limit(r, c, at, &g->limit)))
			return rc;
	}
	return 0;
}

/* A cgroup total's cpu cgroup and its limit (absent in runs saved before they were). */
static int read_cgroup_cpu(struct reader *r, const json_t *g, const char *where,
			   struct cgroup_total *c)
{
	json_t *cpu = json_object_get(g, "cpu_cgroup");
	char at[96];
	int rc;

	if (!cpu || json_is_null(cpu))
		return 0;
	if (!json_is_object(cpu))
		return wrong(r, where, "cpu_cgroup", "an object or null", cpu);
	field(at, sizeof(at), where, "cpu_cgroup");
	if ((rc = get_string(r, cpu, at, "path", &c->cpu_path)) ||
	    (rc = get_hierarchy(r, cpu, at, &c->cpu_hierarchy)))
		return rc;
	return read_cpu_limit(r, g, where, &c->cpu_limit);
}

/* The per-cgroup totals, as written: a run read back reports what the run reported. */
static int read_cgroups(struct reader *r, const json_t *root, struct snapshot *s)
{
	json_t *arr, *g;
	char at[48];
	size_t i;
	int rc = 0;

	arr = get_typed(r, root, "", "cgroups", JSON_ARRAY, LS_PID_MAX, &rc);
	if (!arr)
		return rc;
	s->cgroups = calloc(json_array_size(arr) + 1, sizeof(*s->cgroups));
	if (!s->cgroups)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, g) {
		struct cgroup_total *c = &s->cgroups[i];

		snprintf(at, sizeof(at), "cgroups[%zu]", i);
		if (!json_is_object(g))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(g));
		s->ncgroups = i + 1;
		if ((rc = get_string(r, g, at, "path", &c->path)) ||
		    (rc = get_u64(r, g, at, "cpu_ns", &c->cpu_ns)) ||
		    (rc = get_u64(r, g, at, "runq_wait_ns", &c->runq_wait_ns)) ||
		    (rc = get_u64(r, g, at, "voluntary_switches", &c->voluntary_switches)) ||
		    (rc = get_u64(r, g, at, "involuntary_switches", &c->involuntary_switches)) ||
		    (rc = get_traced(r, g, at, "syscalls", &c->syscalls)) ||
		    (rc = get_bool_opt(r, g, at, "removed", &c->removed)) ||
		    (rc = read_pids(r, g, at, "processes", &c->pids, &c->npids)) ||
		    (rc = read_cgroup_cpu(r, g, at, c)))
			return rc;
	}
	return 0;
}

/* The lifecycle counts (absent or null in runs saved before they were counted). */
static int read_lifecycle(struct reader *r, const json_t *root, struct snapshot *s)
{
	const json_t *lc = json_object_get(root, "lifecycle");
	int rc;

	if (!lc || json_is_null(lc))
		return 0;
	if (!json_is_object(lc))
		return wrong(r, "", "lifecycle", "an object or null", lc);
	for (int i = 0; i < LC_COUNTS; i++)
		if ((rc = get_u64(r, lc, "lifecycle", lifecycle_names[i], &s->lifecycle[i])))
			return rc;
	s->has_lifecycle = true;
	return 0;
}

static int read_processes(struct reader *r, const json_t *root, struct snapshot *s)
{
	size_t i, j, cap = 0;
	json_t *arr, *p;
	char at[48];
	void *more;
	int rc = 0;

	arr = get_typed(r, root, "", "processes", JSON_ARRAY, LS_PID_MAX, &rc);
	if (!arr)
		return rc;
	for (i = 0; i < json_array_size(arr); i++) {
		p = json_array_get(arr, i);
		more = grow(s->processes, &cap, i, sizeof(*s->processes));
		if (!more)
			return fail(r, -ENOMEM, "out of memory for %zu processes", i + 1);
		s->processes = more;
		s->nprocesses = i + 1;
		snprintf(at, sizeof(at), "processes[%zu]", i);
		rc = read_process(r, p, at, &s->processes[i]);
		if (rc)
			return rc;
	}

	/* Sorted now, so a pid or tid given twice sits next to its double. */
	if (snapshot_finish(s))
		return fail(r, -ENOMEM, "out of memory");
	for (i = 0; i < s->nprocesses; i++) {
		if (i && s->processes[i].pid == s->processes[i - 1].pid)
			return fail(r, -EINVAL, "process %d is listed twice", s->processes[i].pid);
		for (j = 1; j < s->processes[i].nthreads; j++)
			if (s->processes[i].threads[j].tid == s->processes[i].threads[j - 1].tid)
				return fail(r, -EINVAL, "thread %d of process %d is listed twice",
					    s->processes[i].threads[j].tid, s->processes[i].pid);
	}
	return 0;
}

/*
 * cpu_budget on obj (the run, or intervals[i] as where says), which files saved before it was
 * measured do not have: then it is unknown.
 */
static int read_budget(struct reader *r, const json_t *obj, const char *where,
		       struct cpu_budget *b)
{
	json_t *v, *parts, *p, *e;
	char base[64], at[96];
	size_t i;
	int rc = 0, kind;

	memset(b, 0, sizeof(*b));
	field(base, sizeof(base), where, "cpu_budget");
	v = json_object_get(obj, "cpu_budget");
	if (!v)
		return 0;
	if (json_is_null(v)) {
		b->status = BUDGET_UNREADABLE;
		e = json_object_get(obj, "cpu_budget_error");
		if (e && !json_is_string(e))
			return wrong(r, where, "cpu_budget_error", "a string", e);
		if (e)
			snprintf(b->error, sizeof(b->error), "%s", json_string_value(e));
		return 0;
	}
	if (!json_is_object(v))
		return wrong(r, where, "cpu_budget", "an object or null", v);
	if ((rc = get_u64(r, v, base, "total_ns", &b->total_ns)))
		return rc;
	parts = get_typed(r, v, base, "parts", JSON_ARRAY, BUDGET_MAX_PARTS, &rc);
	if (!parts)
		return rc;
	json_array_foreach(parts, i, p)
	{
		struct budget_part *bp = &b->parts[i];
		const json_t *k;

		snprintf(at, sizeof(at), "%s.parts[%zu]", base, i);
		if (!json_is_object(p))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(p));
		k = need(r, p, at, "kind", &rc);
		if (!k)
			return rc;
		kind = json_is_string(k) ? budget_kind_parse(json_string_value(k)) : -1;
		if (kind < 0)
			return wrong(r, at, "kind",
				     "one of targets, load, other, irq, softirq, steal, idle", k);
		bp->kind = (enum budget_kind)kind;
		e = need(r, p, at, "name", &rc);
		if (!e)
			return rc;
		if (!json_is_string(e))
			return wrong(r, at, "name", "a string", e);
		/* a longer name is cut, as the writer's buffer would have */
		snprintf(bp->name, sizeof(bp->name), "%s", json_string_value(e));
		if ((rc = get_u64(r, p, at, "cpu_ns", &bp->cpu_ns)))
			return rc;
		b->nparts = i + 1;
	}
	b->status = BUDGET_MEASURED;
	return 0;
}

static int read_intervals(struct reader *r, const json_t *root, struct snapshot *s)
{
	char at[64], pat[96];
	json_t *arr, *iv, *procs, *p;
	size_t i, k;
	bool started;
	int rc = 0;

	if ((rc = get_u64(r, root, "", "interval_ns", &s->interval_ns)))
		return rc;
	/* runs saved before it was recorded have none */
	if ((rc = get_u64_opt(r, root, "", "started_unix_ns", &s->started_unix_ns, &started)))
		return rc;
	arr = get_typed(r, root, "", "intervals", JSON_ARRAY, 1u << 24, &rc);
	if (!arr)
		return rc;
	if (!json_array_size(arr))
		return 0;
	s->intervals = calloc(json_array_size(arr), sizeof(*s->intervals));
	if (!s->intervals)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, iv) {
		struct interval *in = &s->intervals[i];

		snprintf(at, sizeof(at), "intervals[%zu]", i);
		if (!json_is_object(iv))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(iv));
		s->nintervals = i + 1;
		if ((rc = get_u64(r, iv, at, "end_ns", &in->end_ns)) ||
		    (rc = get_u64(r, iv, at, "duration_ns", &in->duration_ns)) ||
		    (rc = read_budget(r, iv, at, &in->budget)))
			return rc;
		procs = get_typed(r, iv, at, "processes", JSON_ARRAY, LS_PID_MAX, &rc);
		if (!procs)
			return rc;
		in->procs = calloc(json_array_size(procs) + 1, sizeof(*in->procs));
		if (!in->procs)
			return fail(r, -ENOMEM, "out of memory");
		json_array_foreach(procs, k, p) {
			struct interval_proc *ip = &in->procs[k];

			snprintf(pat, sizeof(pat), "%s.processes[%zu]", at, k);
			if (!json_is_object(p))
				return fail(r, -EINVAL, "%s should be an object, not %s", pat,
					    type_name(p));
			in->nprocs = k + 1;
			if ((rc = get_int(r, p, pat, "pid", 1, LS_PID_MAX, &ip->pid)) ||
			    (rc = get_u64(r, p, pat, "cpu_ns", &ip->cpu_ns)) ||
			    (rc = get_u64(r, p, pat, "runq_wait_ns", &ip->runq_wait_ns)) ||
			    (rc = get_u64_opt(r, p, pat, "runq_p99_ns", &ip->runq_p99_ns,
					      &ip->runq_timed)) ||
			    (rc = get_u64(r, p, pat, "switches", &ip->switches)) ||
			    (rc = get_traced(r, p, pat, "accepts", &ip->accepts)) ||
			    (rc = get_traced(r, p, pat, "syscalls", &ip->syscalls)))
				return rc;
		}
	}
	return 0;
}

/* observer: null or absent (not measured, or a run saved before) leaves it unknown. */
static int read_observer(struct reader *r, const json_t *root, struct snapshot *s)
{
	struct observer_cost *c = &s->observer;
	json_t *o = json_object_get(root, "observer"), *arr, *e, *name;
	char at[64];
	size_t i;
	int rc = 0;

	if (!o || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return wrong(r, "", "observer", "an object or null", o);
	e = need(r, o, "observer", "source", &rc);
	if (!e)
		return rc;
	if (!json_is_string(e) || strcmp(json_string_value(e), "bpf_stats"))
		return wrong(r, "observer", "source", "\"bpf_stats\"", e);
	e = need(r, o, "observer", "sampled_share", &rc);
	if (!e)
		return rc;
	if (!json_is_number(e) || json_number_value(e) <= 0 || json_number_value(e) > 1)
		return wrong(r, "observer", "sampled_share", "a number above 0, at most 1", e);
	c->sampled_share = json_number_value(e);
	arr = get_typed(r, o, "observer", "programs", JSON_ARRAY, OBSERVER_MAX_PROGRAMS, &rc);
	if (!arr)
		return rc;
	json_array_foreach(arr, i, e) {
		struct observer_program *p = &c->programs[i];

		snprintf(at, sizeof(at), "observer.programs[%zu]", i);
		if (!json_is_object(e))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(e));
		name = need(r, e, at, "name", &rc);
		if (!name)
			return rc;
		if (!json_is_string(name) || strlen(json_string_value(name)) >= NAME_LEN)
			return wrong(r, at, "name", "a string of at most 31 characters", name);
		snprintf(p->name, sizeof(p->name), "%s", json_string_value(name));
		if ((rc = get_u64(r, e, at, "runs", &p->runs)) ||
		    (rc = get_u64(r, e, at, "run_ns", &p->run_ns)))
			return rc;
		c->nprograms = i + 1;
	}
	c->source = OBSERVER_BPF_STATS;
	return 0;
}

/* The count the user gave is kept; an estimate is the analysis's to make again. */
static int read_requests(struct reader *r, const json_t *root, struct snapshot *s)
{
	uint64_t count;
	json_t *req;
	bool given;
	int rc = 0;

	req = get_typed(r, root, "", "requests", JSON_OBJECT, 0, &rc);
	if (!req)
		return rc;
	if ((rc = get_bool(r, req, "requests", "given", &given)))
		return rc;
	/* light mode has no estimate to save: null unless given */
	if (!given && r->no_syscalls)
		return 0;
	if ((rc = get_u64(r, req, "requests", "count", &count)))
		return rc;
	s->requests_given = given ? count : 0;
	return 0;
}

static int read_handoffs(struct reader *r, const json_t *root, struct snapshot *s)
{
	json_t *arr, *h;
	char at[48];
	size_t i;
	int rc = 0;

	arr = get_typed(r, root, "", "handoffs", JSON_ARRAY, LS_PID_MAX, &rc);
	if (!arr)
		return rc;
	if (!json_array_size(arr))
		return 0;
	s->handoffs = calloc(json_array_size(arr), sizeof(*s->handoffs));
	if (!s->handoffs)
		return fail(r, -ENOMEM, "out of memory");
	json_array_foreach(arr, i, h) {
		struct handoff_pair *pair = &s->handoffs[i];

		snprintf(at, sizeof(at), "handoffs[%zu]", i);
		if (!json_is_object(h))
			return fail(r, -EINVAL, "%s should be an object, not %s", at, type_name(h));
		s->nhandoffs = i + 1;
		if ((rc = get_int(r, h, at, "from", 1, LS_PID_MAX, &pair->from)) ||
		    (rc = get_int(r, h, at, "to", 1, LS_PID_MAX, &pair->to)) ||
		    (rc = get_u64(r, h, at, "count", &pair->count)))
			return rc;
	}
	if (snapshot_finish(s))
		return fail(r, -ENOMEM, "out of memory");
	return 0;
}


/* The schema is checked before anything else, so another tool's JSON gets that message. */
static int read_header(struct reader *r, const json_t *root)
{
	const char *schema;
	json_t *v;
	int rc = 0;

	if (!json_is_object(root))
		return fail(r, -EINVAL, "not a loadscope run (the top level is %s, not an object)",
			    type_name(root));
	v = json_object_get(root, "schema");
	if (!v)
		return fail(r, -EINVAL, "not a loadscope run (schema field missing)");
	if (!json_is_string(v))
		return fail(r, -EINVAL, "not a loadscope run (schema is %s, not a string)",
			    type_name(v));
	schema = json_string_value(v);
	if (strncmp(schema, "loadscope/", strlen("loadscope/")))
		return fail(r, -EINVAL, "not a loadscope run (schema \"%.40s\", expected \"%s\")",
			    schema, SCHEMA_NAME);
	v = need(r, root, "", "version", &rc);
	if (!v)
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return wrong(r, "", "version", "a positive integer", v);
	if (json_integer_value(v) > SCHEMA_VERSION)
		return fail(r, -EPROTONOSUPPORT,
			    "written by a newer loadscope (schema version %lld); this one reads "
			    "version %d: upgrade loadscope to read it",
			    (long long)json_integer_value(v), SCHEMA_VERSION);
	if (strcmp(schema, SCHEMA_NAME))
		return fail(r, -EINVAL, "not a loadscope run (schema \"%.40s\", expected \"%s\")",
			    schema, SCHEMA_NAME);
	return 0;
}

static int read_document(struct reader *r, const json_t *root, struct snapshot *s)
{
	bool traced = true;
	json_t *drops;
	size_t i;
	int rc = 0;

	if ((rc = read_header(r, root)) || (rc = get_string(r, root, "", "kernel", &s->kernel)) ||
	    (rc = get_int(r, root, "", "cpus", 1, LS_CPUS_MAX, &s->cpus)) ||
	    (rc = get_u64(r, root, "", "duration_ns", &s->duration_ns)) ||
	    (rc = read_command(r, root, s)) ||
	    (rc = get_int(r, root, "", "command_exit", -1, 255, &s->command_exit)) ||
	    (rc = get_string(r, root, "", "program", &s->program)) ||
	    (rc = get_bool_opt(r, root, "", "syscalls_traced", &traced)) ||
	    (rc = read_targets(r, root, s)) || (rc = read_selectors(r, root, s)))
		return rc;
	/* a run saved before light mode traced the syscalls */
	s->no_syscalls = r->no_syscalls = !traced;
	drops = get_typed(r, root, "", "drops", JSON_OBJECT, 0, &rc);
	if (!drops)
		return rc;
	for (i = 0; i < DROP_REASONS; i++) {
		bool present;

		/* counters newer than the schema's first runs (recursion and those after it):
		 * absent in runs saved before them, so 0 */
		if (i >= DROP_FIRST_OPTIONAL)
			rc = get_u64_opt(r, drops, "drops", drop_reason_name(i), &s->drops[i],
					 &present);
		else
			rc = get_u64(r, drops, "drops", drop_reason_name(i), &s->drops[i]);
		if (rc)
			return rc;
	}
	if ((rc = read_lifecycle(r, root, s)) || (rc = read_budget(r, root, "", &s->cpu_budget)) ||
	    (rc = read_observer(r, root, s)) ||
	    (rc = read_requests(r, root, s)) ||
	    (rc = read_intervals(r, root, s)) || (rc = read_processes(r, root, s)))
		return rc;
	s->cpu_split = !r->cpu_split_missing;
	if ((rc = read_handoffs(r, root, s)) || (rc = read_cpu_limits(r, root, s)))
		return rc;
	return read_cgroups(r, root, s);
}

/* The whole input, so stdin and files are read alike and an empty one gets its own message. */
static int slurp(struct reader *r, FILE *f, char **buf, size_t *len)
{
	size_t cap = 0, n;
	char *p;

	*buf = NULL;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			if (cap >= LS_JSON_MAX_BYTES)
				return fail(r, -EFBIG,
					    "larger than %llu bytes: not a loadscope run",
					    LS_JSON_MAX_BYTES);
			cap = cap ? cap * 2 : 65536;
			p = realloc(*buf, cap);
			if (!p)
				return fail(r, -ENOMEM, "out of memory reading it");
			*buf = p;
		}
		n = fread(*buf + *len, 1, cap - *len, f);
		*len += n;
		if (n)
			continue;
		if (ferror(f))
			return fail(r, errno ? -errno : -EIO, "cannot read: %s",
				    strerror(errno ? errno : EIO));
		return 0;
	}
}

/*
 * Messages quote the file (a schema, an errno name): control characters in them become '?', so
 * the message stays one line and a file cannot send escape sequences to the terminal.
 */
static void one_line(char *err, size_t errlen)
{
	for (size_t i = 0; i < errlen && err[i]; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			err[i] = '?';
}

static int read_buffer(const char *buf, size_t len, const char *name, struct snapshot *out,
		       char *err, size_t errlen)
{
	struct reader r = {
		.name = name,
		.err = err,
		.errlen = errlen,
	};
	struct snapshot s = {0};
	json_error_t jerr;
	json_t *root = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	for (i = 0; i < len && buf[i] && strchr(" \t\r\n", buf[i]); i++)
		;
	if (i == len)
		return fail(&r, -EINVAL, "empty file: not a loadscope run");
	if (len > LS_JSON_MAX_BYTES)
		return fail(&r, -EFBIG, "larger than %llu bytes: not a loadscope run",
			    LS_JSON_MAX_BYTES);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* The file name leads, compiler style, so editors can jump to line:column. */
		if (errlen)
			snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", r.name, jerr.line,
				 jerr.column, jerr.text);
		return -EINVAL;
	}
	rc = read_document(&r, root, &s);
	if (!rc) {
		*out = s;
		memset(&s, 0, sizeof(s));
	}
	snapshot_free(&s);
	json_decref(root);
	return rc;
}

int snapshot_read_json_buffer(const char *buf, size_t len, const char *name,
			      struct snapshot *out, char *err, size_t errlen)
{
	int rc = read_buffer(buf, len, name, out, err, errlen);

	one_line(err, errlen);
	return rc;
}

int snapshot_read_json(const char *path, struct snapshot *out, char *err, size_t errlen)
{
	struct reader r = {
		.name = strcmp(path, "-") ? path : "<stdin>",
		.err = err,
		.errlen = errlen,
	};
	char *buf = NULL;
	FILE *f = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (!strcmp(path, "-")) {
		f = stdin;
	} else {
		f = fopen(path, "r");
		if (!f) {
			rc = fail(&r, -errno, "cannot open: %s", strerror(errno));
			one_line(err, errlen);
			goto cleanup;
		}
	}
	errno = 0;
	rc = slurp(&r, f, &buf, &len);
	if (rc)
		one_line(err, errlen);
	else
		rc = snapshot_read_json_buffer(buf, len, r.name, out, err, errlen);
cleanup:
	free(buf);
	if (f && f != stdin)
		fclose(f);
	return rc;
}
