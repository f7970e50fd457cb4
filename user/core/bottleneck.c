// SPDX-License-Identifier: GPL-2.0
/* What limited a run: the first of the saturations that holds, with its figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bottleneck.h"
#include "core/budget.h"
#include "core/cpulimit.h"
#include "core/format.h"

static const char *const kind_names[BN_KINDS] = {
	[BN_THROTTLED] = "throttled",
	[BN_DISPATCHER] = "dispatcher",
	[BN_SINGLE_THREAD] = "single_thread",
	[BN_CPU] = "cpu",
	[BN_NONE] = "none",
	[BN_UNKNOWN] = "unknown",
};

const char *bottleneck_kind_name(enum bottleneck_kind k)
{
	return k < BN_KINDS ? kind_names[k] : "?";
}

static void evidence(struct bottleneck *b, const char *name, double value)
{
	if (b->nevidence < FINDING_EVIDENCE) {
		b->evidence[b->nevidence].name = name;
		b->evidence[b->nevidence].value = value;
		b->nevidence++;
	}
}

struct user_part {
	char label[NAME_LEN + 16];
	uint64_t ns;
};

static int cmp_user_part(const void *a, const void *b)
{
	const struct user_part *x = a, *y = b;

	return (x->ns < y->ns) - (x->ns > y->ns);
}

void budget_users(const struct cpu_budget *b, size_t max, char *buf, size_t len)
{
	static const enum budget_kind kinds[] = {BUDGET_TARGETS, BUDGET_LOAD,	 BUDGET_OTHER,
						 BUDGET_IRQ,	 BUDGET_SOFTIRQ, BUDGET_STEAL};
	struct user_part parts[sizeof(kinds) / sizeof(kinds[0])];
	size_t n = 0, at = 0;

	buf[0] = '\0';
	if (b->status != BUDGET_MEASURED || !b->total_ns)
		return;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct user_part *p = &parts[n];

		p->ns = cpu_budget_kind_ns(b, kinds[k]);
		if (!p->ns)
			continue;
		snprintf(p->label, sizeof(p->label), "%s", budget_kind_name(kinds[k]));
		/* the load by its name: "load (wrk)" */
		for (size_t i = 0; kinds[k] == BUDGET_LOAD && i < b->nparts; i++)
			if (b->parts[i].kind == BUDGET_LOAD && b->parts[i].name[0])
				snprintf(p->label, sizeof(p->label), "load (%.*s)", LS_COMM_LEN - 1,
					 b->parts[i].name);
		n++;
	}
	qsort(parts, n, sizeof(parts[0]), cmp_user_part);
	for (size_t i = 0; i < n && i < max && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s %.0f%%", i ? ", " : "",
				       parts[i].label,
				       100.0 * (double)parts[i].ns / (double)b->total_ns);
}

/* The serving thread with the most on-CPU time among processes of role `dispatcher` or not. */
static const struct thread *busiest_serving(const struct snapshot *s, bool dispatchers,
					    const struct process **of)
{
	const struct thread *best = NULL;

	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		if ((process_role(s, p) == ROLE_DISPATCHER) != dispatchers)
			continue;
		for (size_t j = 0; j < p->nthreads; j++) {
			const struct thread *t = &p->threads[j];

			if (thread_kind(p, t) != KIND_SERVING)
				continue;
			if (!best || t->sched.cpu_ns > best->sched.cpu_ns) {
				best = t;
				*of = p;
			}
		}
	}
	return best;
}

static bool saturated_thread(const struct snapshot *s, bool dispatchers, double threshold,
			     struct bottleneck *out)
{
	const struct process *p = NULL;
	const struct thread *t = busiest_serving(s, dispatchers, &p);
	char name[LS_COMM_LEN], w[FORMAT_NS_LEN];
	double share;

	if (!t || !s->duration_ns)
		return false;
	share = (double)t->sched.cpu_ns / (double)s->duration_ns;
	if (share < threshold)
		return false;
	snprintf(name, sizeof(name), "%s", p->comm);
	snprintf(out->subject, sizeof(out->subject), "thread %d of %s (%d)", t->tid, name, p->pid);
	if (dispatchers)
		snprintf(out->text, sizeof(out->text),
			 "the dispatcher %s (%d), which accepts the connections and hands them to "
			 "the workers, was on a CPU %.0f%% of the run (thread %d): the workers can "
			 "serve no faster than it passes connections on",
			 name, p->pid, share * 100, t->tid);
	else
		snprintf(out->text, sizeof(out->text),
			 "thread %d of %s (%d) was on a CPU %.0f%% of the run and waited for one "
			 "%s: a single thread at its limit (the single-threaded wall)",
			 t->tid, name, p->pid, share * 100,
			 format_ns(t->sched.runq_wait_ns, w, sizeof(w)));
	evidence(out, "pid", p->pid);
	evidence(out, "tid", t->tid);
	evidence(out, "cpu_share", share);
	return true;
}

void analyze_bottleneck(const struct snapshot *s, struct bottleneck *out)
{
	const struct cpu_budget *b = &s->cpu_budget;
	const struct cpu_cgroup *throttled;
	char users[160], w[FORMAT_NS_LEN];
	double busy = 0, runq, worst, demand;
	bool known, measured;

	memset(out, 0, sizeof(*out));
	throttled = most_throttled(s, &worst);
	if (throttled && worst >= THROTTLED_CRITICAL_SHARE) {
		const struct cpu_limit *l = &throttled->limit;

		out->kind = BN_THROTTLED;
		snprintf(out->subject, sizeof(out->subject), "cgroup %.80s", throttled->path);
		snprintf(out->text, sizeof(out->text),
			 "cgroup %.80s (%s) used up its CPU quota (%.2f CPUs) in %llu of %llu periods "
			 "and waited out the rest of each: throttled %s, %.0f%% of the run",
			 throttled->path, cgroup_hierarchy_name(throttled->hierarchy),
			 cpu_limit_cpus(l), (unsigned long long)l->throttled_periods,
			 (unsigned long long)l->periods, format_ns(l->throttled_ns, w, sizeof(w)),
			 s->duration_ns ? 100.0 * (double)l->throttled_ns / (double)s->duration_ns : 0);
		evidence(out, "throttled_share", worst);
		evidence(out, "throttled_ns", (double)l->throttled_ns);
		evidence(out, "quota_cpus", cpu_limit_cpus(l));
		return;
	}
	if (saturated_thread(s, true, HANDOFF_CPU_BOTTLENECK, out)) {
		out->kind = BN_DISPATCHER;
		return;
	}
	if (saturated_thread(s, false, SINGLE_THREAD_SATURATED, out)) {
		out->kind = BN_SINGLE_THREAD;
		return;
	}
	known = cpu_budget_busy_share(b, &busy);
	if (!serving_runnable_share(s, &runq))
		runq = 0;
	/* CPUs wanted on average: those busy, and the targets' threads waiting for one */
	demand = cpus_wanted(s, &measured);
	budget_users(b, 4, users, sizeof(users));
	snprintf(out->subject, sizeof(out->subject), "the %d CPU%s", s->cpus,
		 s->cpus == 1 ? "" : "s");
	if (known && (busy >= CPU_SATURATED_SHARE ||
		      (busy >= CPU_CONTENDED_SHARE &&
		       (runq >= OVERSUB_CRITICAL_SHARE || demand >= s->cpus)))) {
		out->kind = BN_CPU;
		snprintf(out->text, sizeof(out->text),
			 "the %d CPU%s were %.0f%% busy (%s), %.1f CPUs were wanted on average and "
			 "the serving threads waited for one %.0f%% of their time",
			 s->cpus, s->cpus == 1 ? "" : "s", busy * 100, users, demand, runq * 100);
		evidence(out, "busy_share", busy);
		evidence(out, "serving_runnable_share", runq);
		evidence(out, "cpus_wanted", demand);
		evidence(out, "targets_share",
			 (double)cpu_budget_kind_ns(b, BUDGET_TARGETS) / (double)b->total_ns);
		evidence(out, "load_share",
			 (double)cpu_budget_kind_ns(b, BUDGET_LOAD) / (double)b->total_ns);
		return;
	}
	if (!known) {
		out->kind = BN_UNKNOWN;
		snprintf(out->text, sizeof(out->text),
			 "no serving thread was on a CPU %.0f%% of the run; whether the CPUs were "
			 "saturated is not known: %s",
			 SINGLE_THREAD_SATURATED * 100,
			 b->status == BUDGET_UNREADABLE ? "/proc/stat was unreadable"
							: "the run was saved without a CPU budget");
		return;
	}
	out->kind = BN_NONE;
	snprintf(out->text, sizeof(out->text),
		 "the %d CPU%s were %.0f%% idle and no serving thread was on a CPU %.0f%% of the "
		 "run: the limit is outside the targets (the load generator, the network, the "
		 "offered rate)%s%s",
		 s->cpus, s->cpus == 1 ? "" : "s", (1 - busy) * 100, SINGLE_THREAD_SATURATED * 100,
		 users[0] ? "; busy: " : "", users);
	evidence(out, "busy_share", busy);
}
