// SPDX-License-Identifier: GPL-2.0
/* What the figures mean: thread states, roles, worker imbalance and findings, from the model. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis.h"
#include "core/bottleneck.h"
#include "core/budget.h"
#include "core/cpulimit.h"
#include "core/format.h"

static const char *const state_names[ST_COUNT] = {
	[ST_RUNNING] = "running", [ST_RUNNABLE] = "runnable",
	[ST_IDLE] = "idle",	  [ST_IO] = "io",
	[ST_LOCK] = "lock",	  [ST_UNINTERRUPTIBLE] = "uninterruptible",
	[ST_OTHER] = "other",
};

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_DISPATCHER] = "dispatcher", [ROLE_WORKER] = "worker", [ROLE_SINGLE] = "single",
	[ROLE_IDLE] = "idle",		  [ROLE_HELPER] = "helper", [ROLE_OTHER] = "other",
};

const char *state_name(enum thread_state st)
{
	return st < ST_COUNT ? state_names[st] : "?";
}

const char *role_name(enum role r)
{
	return r < ROLE_COUNT ? role_names[r] : "?";
}

const char *severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_CRITICAL:
		return "critical";
	case SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

/*
 * The measured states come from the kernel's accounting; `other` is what remains of the time the
 * thread existed. Should the measured ones exceed that time (a thread alive the whole run whose
 * clocks disagree by a little), the total grows to their sum and other is 0: shares still add up.
 */
/* Sums of times saturate: a corrupt saved run must not wrap a total below one of its parts. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static void states_from(const struct sched_stats *sched, const struct sys_figures *sys,
			uint64_t alive_ns, struct states *out)
{
	uint64_t measured = 0, lock;

	memset(out, 0, sizeof(*out));
	out->ns[ST_RUNNING] = sched->cpu_ns;
	out->ns[ST_RUNNABLE] = sched->runq_wait_ns;
	/* uninterruptible sleep in accept, read, write, poll or futex stays in their states */
	lock = sys->offcpu_lock_ns < sys->offcpu_ns[SC_FUTEX] ? sys->offcpu_lock_ns
							       : sys->offcpu_ns[SC_FUTEX];
	/* a futex wait that is not for a lock is a thread parked until there is work: idle */
	out->ns[ST_IDLE] = add_sat(sys->offcpu_ns[SC_POLL], sys->offcpu_ns[SC_FUTEX] - lock);
	out->ns[ST_IO] = add_sat(add_sat(sys->offcpu_ns[SC_ACCEPT], sys->offcpu_ns[SC_READ]),
				 sys->offcpu_ns[SC_WRITE]);
	out->ns[ST_LOCK] = lock;
	out->ns[ST_UNINTERRUPTIBLE] =
		add_sat(add_sat(sys->offcpu_d_ns[SC_OTHER], sys->offcpu_d_ns[SC_IO_URING]),
			sys->offcpu_d_ns[SC_NONE]);
	for (int i = 0; i < ST_OTHER; i++)
		measured = add_sat(measured, out->ns[i]);
	out->ns[ST_OTHER] = alive_ns > measured ? alive_ns - measured : 0;
	out->total_ns = add_sat(measured, out->ns[ST_OTHER]);
}

void figures_states(const struct sched_stats *sched, const struct sys_figures *sys,
		    uint64_t alive_ns, struct states *out)
{
	states_from(sched, sys, alive_ns, out);
}

void thread_states(const struct thread *t, struct states *out)
{
	states_from(&t->sched, &t->sys, t->alive_ns, out);
}

bool state_known(const struct snapshot *s, enum thread_state st)
{
	return !s->no_syscalls || (st != ST_IDLE && st != ST_IO && st != ST_LOCK);
}

static const char *const kind_names[KIND_COUNT] = {
	[KIND_SERVING] = "serving",
	[KIND_HELPER] = "helper",
	[KIND_PARKED] = "parked",
};

const char *thread_kind_name(enum thread_kind k)
{
	return k < KIND_COUNT ? kind_names[k] : "?";
}

static bool thread_touches_connections(const struct thread *t)
{
	return t->tcp_reads || t->tcp_writes || sys_accepted(&t->sys) || t->sys.handoff_sent ||
	       t->sys.handoff_received;
}

/* The process totals are its threads' sums: any thread that touched a connection shows here. */
static bool process_touches_connections(const struct process *p)
{
	return p->tcp_reads || p->tcp_writes || sys_accepted(&p->sys) || p->sys.handoff_sent ||
	       p->sys.handoff_received;
}

static bool thread_parked(const struct thread *t)
{
	double alive = (double)t->alive_ns;

	return (double)t->sched.cpu_ns < THREAD_PARKED_SHARE * alive &&
	       (double)t->sched.wakeups <= THREAD_PARKED_WAKEUPS_PER_S * alive / 1e9;
}

enum thread_kind thread_kind(const struct process *p, const struct thread *t)
{
	const struct thread *busiest = NULL;
	enum thread_kind rest = thread_parked(t) ? KIND_PARKED : KIND_HELPER;

	if (thread_touches_connections(t) || p->nthreads < 2)
		return KIND_SERVING;
	if (process_touches_connections(p))
		return rest;
	/* no connection anywhere in it: the threads that do the process's work serve */
	if ((double)t->sched.cpu_ns >= THREAD_WORK_SHARE * (double)t->alive_ns)
		return KIND_SERVING;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct thread *u = &p->threads[i];

		if ((double)u->sched.cpu_ns >= THREAD_WORK_SHARE * (double)u->alive_ns)
			return rest; /* another one works */
		if (!busiest || u->sched.cpu_ns > busiest->sched.cpu_ns)
			busiest = u;
	}
	/* none reaches the share: the busiest does the work, so every process has a serving one */
	return busiest == t ? KIND_SERVING : rest;
}

static void states_add(struct states *sum, const struct states *t)
{
	for (int k = 0; k < ST_COUNT; k++)
		sum->ns[k] = add_sat(sum->ns[k], t->ns[k]);
	sum->total_ns = add_sat(sum->total_ns, t->total_ns);
}

/* States summed over p's threads whose kind is (serving) or is not (helpers) KIND_SERVING. */
static void states_of_kind(const struct process *p, bool serving, struct states *out)
{
	struct states t;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < p->nthreads; i++) {
		if ((thread_kind(p, &p->threads[i]) == KIND_SERVING) != serving)
			continue;
		thread_states(&p->threads[i], &t);
		states_add(out, &t);
	}
}

void process_states(const struct process *p, struct states *out)
{
	if (!p->nthreads) {
		states_from(&p->sched, &p->sys, p->alive_ns, out);
		return;
	}
	states_of_kind(p, true, out);
}

void process_helper_states(const struct process *p, struct states *out)
{
	states_of_kind(p, false, out);
}

void process_kind_counts(const struct process *p, size_t counts[KIND_COUNT])
{
	memset(counts, 0, KIND_COUNT * sizeof(*counts));
	for (size_t i = 0; i < p->nthreads; i++)
		counts[thread_kind(p, &p->threads[i])]++;
}

static bool serves(const struct process *p)
{
	return p->tcp_reads || p->tcp_writes;
}

static size_t serving_processes(const struct snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nprocesses; i++)
		if (serves(&s->processes[i]))
			n++;
	return n;
}

enum role process_role(const struct snapshot *s, const struct process *p)
{
	uint64_t acc = sys_accepted(&p->sys);

	if (acc && p->sys.handoff_sent && (double)p->sys.handoff_sent >= DISPATCH_SHARE * acc)
		return ROLE_DISPATCHER;
	if (serves(p)) {
		if (p->sys.handoff_received || serving_processes(s) > 1)
			return ROLE_WORKER;
		return ROLE_SINGLE;
	}
	if (!acc && (!s->duration_ns ||
		     (double)p->sched.cpu_ns < IDLE_CPU_SHARE * (double)s->duration_ns))
		return ROLE_IDLE;
	return ROLE_OTHER;
}

enum role thread_role(const struct snapshot *s, const struct process *p, const struct thread *t)
{
	enum role r = process_role(s, p);

	if (r == ROLE_IDLE || r == ROLE_OTHER || p->nthreads < 2)
		return r;
	/* in a serving process, a thread that touches no connection helps the ones that do */
	if (!thread_touches_connections(t))
		return ROLE_HELPER;
	return r;
}

uint64_t snapshot_requests(const struct snapshot *s, bool *given)
{
	uint64_t n = 0;

	if (given)
		*given = s->requests_given > 0;
	if (s->requests_given)
		return s->requests_given;
	/* light mode saw no TCP write: no estimate rather than 0 */
	if (s->no_syscalls)
		return 0;
	for (size_t i = 0; i < s->nprocesses; i++)
		n += s->processes[i].tcp_writes;
	return n;
}

static bool is_worker(const struct snapshot *s, const struct process *p)
{
	enum role r = process_role(s, p);

	return r == ROLE_WORKER;
}

/* max / mean of values[0..n); 0 when the mean is 0. */
static double max_over_mean(const double *v, size_t n, size_t *at)
{
	double sum = 0, max = 0;

	*at = 0;
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] > max) {
			max = v[i];
			*at = i;
		}
	}
	return sum > 0 ? max / (sum / (double)n) : 0;
}

void workers_imbalance(const struct snapshot *s, struct imbalance *out)
{
	double *conn, *cpu, *req;
	int *pids;
	size_t n = 0, at;

	memset(out, 0, sizeof(*out));
	conn = calloc(s->nprocesses + 1, sizeof(double));
	cpu = calloc(s->nprocesses + 1, sizeof(double));
	req = calloc(s->nprocesses + 1, sizeof(double));
	pids = calloc(s->nprocesses + 1, sizeof(int));
	if (!conn || !cpu || !req || !pids)
		goto out;
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		if (!is_worker(s, p))
			continue;
		conn[n] = (double)(sys_accepted(&p->sys) + p->sys.handoff_received);
		cpu[n] = (double)p->sched.cpu_ns;
		req[n] = (double)p->tcp_writes;
		pids[n++] = p->pid;
	}
	out->nworkers = n;
	if (n < 2)
		goto out;
	out->conn_max_mean = max_over_mean(conn, n, &at);
	out->conn_max_pid = pids[at];
	out->cpu_max_mean = max_over_mean(cpu, n, &at);
	out->cpu_max_pid = pids[at];
	out->req_max_mean = max_over_mean(req, n, &at);
	out->req_max_pid = pids[at];
out:
	free(conn);
	free(cpu);
	free(req);
	free(pids);
}

/* ---- findings ---- */

struct findings {
	struct finding *out;
	size_t n, max;
};

static struct finding *add_finding(struct findings *fs, const char *id, enum severity sev,
				   double score, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct finding *add_finding(struct findings *fs, const char *id, enum severity sev,
				   double score, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (fs->n >= fs->max)
		return NULL;
	f = &fs->out[fs->n++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->severity = sev;
	f->score = score;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return f;
}

static void evidence(struct finding *f, const char *name, double value)
{
	if (f && f->nevidence < FINDING_EVIDENCE) {
		f->evidence[f->nevidence].name = name;
		f->evidence[f->nevidence].value = value;
		f->nevidence++;
	}
}

static uint64_t syscalls_of(const struct sys_figures *sys)
{
	uint64_t n = 0;

	for (int c = 0; c < SC_CLASSES; c++)
		n += sys->cls[c].count;
	return n;
}

/* Wakeups of target processes other than p that p caused. */
static uint64_t wakeups_by(const struct snapshot *s, int pid)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *q = &s->processes[i];

		if (q->pid == pid)
			continue;
		for (size_t j = 0; j < q->nwakers; j++)
			if (q->wakers[j].pid == pid)
				n += q->wakers[j].count;
	}
	return n;
}

static void find_handoff(const struct snapshot *s, struct findings *fs)
{
	uint64_t total_acc = 0, p50, p99, requests = snapshot_requests(s, NULL);
	char t50[FORMAT_NS_LEN], t99[FORMAT_NS_LEN], name[LS_COMM_LEN], tail[96], timed[80];

	/* accepts, handoffs and TCP writes come from the syscall hooks */
	if (s->no_syscalls)
		return;

	for (size_t i = 0; i < s->nprocesses; i++)
		total_acc += sys_accepted(&s->processes[i].sys);
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];
		uint64_t acc = sys_accepted(&p->sys), receivers = 0;
		double share, cpu_share, per_conn_sys, per_conn_wake, per_request;
		enum severity sev = SEV_WARNING;
		struct finding *f;
		bool handoff_timed;

		if (process_role(s, p) != ROLE_DISPATCHER)
			continue;
		for (size_t j = 0; j < s->nhandoffs; j++)
			if (s->handoffs[j].from == p->pid)
				receivers++;
		share = total_acc ? (double)acc / (double)total_acc : 0;
		cpu_share = s->duration_ns ? (double)p->sched.cpu_ns / (double)s->duration_ns : 0;
		per_conn_sys = (double)syscalls_of(&p->sys) / (double)acc;
		per_conn_wake = (double)wakeups_by(s, p->pid) / (double)p->sys.handoff_sent;
		per_request = requests ? (double)p->sys.handoff_sent / (double)requests : 0;
		if (cpu_share >= HANDOFF_CPU_BOTTLENECK)
			sev = SEV_CRITICAL;
		else if (requests && per_request < HANDOFF_PER_REQUEST_INFO)
			sev = SEV_INFO;
		snprintf(name, sizeof(name), "%s", p->comm);
		handoff_timed = lat_percentiles(&p->sys.handoff_delay, &p50, NULL, &p99);
		if (handoff_timed)
			snprintf(timed, sizeof(timed), ", %s from accept to handoff (p50; p99 %s)",
				 format_ns(p50, t50, sizeof(t50)), format_ns(p99, t99, sizeof(t99)));
		else
			snprintf(timed, sizeof(timed), ", no handoff timed from its accept");
		tail[0] = '\0';
		if (sev == SEV_INFO)
			snprintf(tail, sizeof(tail),
				 "; %.3f connections per request (keep-alive), so it costs little per "
				 "request",
				 per_request);
		f = add_finding(
			fs, "handoff", sev, share * 100 + cpu_share * 100,
			"%s (%d) accepted %.0f%% of connections (%llu) and passed %llu of them over a "
			"Unix socket to %llu process%s: %.1f syscalls and %.1f cross-process wakeups "
			"per connection in it%s, and it ran %.0f%% of a CPU%s",
			name, p->pid, share * 100, (unsigned long long)acc,
			(unsigned long long)p->sys.handoff_sent, (unsigned long long)receivers,
			receivers == 1 ? "" : "es", per_conn_sys, per_conn_wake, timed,
			cpu_share * 100, tail);
		evidence(f, "accepted", (double)acc);
		evidence(f, "accept_share", share);
		evidence(f, "handoff_sent", (double)p->sys.handoff_sent);
		evidence(f, "syscalls_per_connection", per_conn_sys);
		evidence(f, "wakeups_per_connection", per_conn_wake);
		if (handoff_timed) /* an empty histogram has no p50: left out, not 0 */
			evidence(f, "handoff_delay_p50_ns", (double)p50);
		evidence(f, "cpu_share", cpu_share);
		evidence(f, "handoffs_per_request", per_request);
	}
}

static bool serves_connections(enum role r)
{
	return r == ROLE_WORKER || r == ROLE_SINGLE || r == ROLE_DISPATCHER;
}

bool serving_runnable_share(const struct snapshot *s, double *share)
{
	uint64_t runnable = 0, alive = 0;
	struct states st;

	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		if (!serves_connections(process_role(s, p)))
			continue;
		/* of the serving threads only: parked helpers would dilute the share */
		process_states(p, &st);
		runnable += st.ns[ST_RUNNABLE];
		alive += st.total_ns;
	}
	if (!alive)
		return false;
	*share = (double)runnable / (double)alive;
	return true;
}

double cpus_wanted(const struct snapshot *s, bool *measured)
{
	uint64_t waiting_ns = 0, own_ns = 0;
	double busy;

	if (!s->duration_ns)
		return *measured = false, 0;
	for (size_t i = 0; i < s->nprocesses; i++) {
		waiting_ns += s->processes[i].sched.runq_wait_ns;
		own_ns += s->processes[i].sched.cpu_ns + s->processes[i].sched.runq_wait_ns;
	}
	*measured = cpu_budget_busy_share(&s->cpu_budget, &busy);
	if (!*measured)
		return (double)own_ns / (double)s->duration_ns;
	return busy * s->cpus + (double)waiting_ns / (double)s->duration_ns;
}

/*
 * Serving threads that waited for a CPU: cpu_oversubscription when more CPUs were wanted than
 * there are; cpu_wait_below_capacity when fewer were, so the waits come from bursts, wakeup
 * placement or affinity rather than from too few CPUs.
 */
static void find_oversubscription(const struct snapshot *s, struct findings *fs)
{
	const struct process *victim = NULL;
	const struct peer *top = NULL;
	char taker[LS_COMM_LEN] = "", tail[160] = "", wanted[160];
	double share, demand;
	struct finding *f;
	bool measured, over;

	if (!s->duration_ns || !s->cpus || !serving_runnable_share(s, &share))
		return;
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		if (!serves_connections(process_role(s, p)))
			continue;
		for (size_t j = 0; j < p->npreempted_by; j++)
			if (!top || p->preempted_by[j].wait_ns > top->wait_ns) {
				top = &p->preempted_by[j];
				victim = p;
			}
	}
	if (share < OVERSUB_RUNNABLE_SHARE)
		return;
	demand = cpus_wanted(s, &measured);
	over = demand >= s->cpus;
	if (top) {
		char w[FORMAT_NS_LEN], name[LS_COMM_LEN];

		snprintf(name, sizeof(name), "%s", victim->comm);
		snprintf(taker, sizeof(taker), "%s", top->comm);
		snprintf(tail, sizeof(tail),
			 "; the preemptions that cost the most waiting were by %s (%d): %s waited "
			 "%s after them",
			 taker, top->pid, name, format_ns(top->wait_ns, w, sizeof(w)));
	}
	if (measured)
		snprintf(wanted, sizeof(wanted),
			 "%.1f CPUs were wanted on average (the busy ones and the targets' threads "
			 "waiting) of the %d",
			 demand, s->cpus);
	else
		snprintf(wanted, sizeof(wanted),
			 "the targets alone wanted %.1f of the %d CPUs on average (without a CPU "
			 "budget, what else ran is not known)",
			 demand, s->cpus);
	if (over)
		f = add_finding(fs, "cpu_oversubscription",
				share >= OVERSUB_CRITICAL_SHARE ? SEV_CRITICAL : SEV_WARNING,
				share * 100,
				"serving threads waited for a CPU %.0f%% of their time: %s%s",
				share * 100, wanted, tail);
	else
		f = add_finding(fs, "cpu_wait_below_capacity",
				share >= OVERSUB_CRITICAL_SHARE ? SEV_CRITICAL : SEV_WARNING,
				share * 100,
				"serving threads waited for a CPU %.0f%% of their time, though %s: the "
				"waits come in bursts, from where wakeups place threads or from CPU "
				"affinity, not from too few CPUs%s",
				share * 100, wanted, tail);
	evidence(f, "runnable_share", share);
	evidence(f, "cpus_wanted", demand);
	evidence(f, "cpus", s->cpus);
	if (top) {
		evidence(f, "top_preempter_pid", top->pid);
		evidence(f, "top_preempter_wait_ns", (double)top->wait_ns);
	}
}

static void find_single_thread(const struct snapshot *s, struct findings *fs)
{
	char name[LS_COMM_LEN], w[FORMAT_NS_LEN];

	if (!s->duration_ns)
		return;
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		for (size_t j = 0; j < p->nthreads; j++) {
			const struct thread *t = &p->threads[j];
			double share = (double)t->sched.cpu_ns / (double)s->duration_ns;
			double runq = (double)t->sched.runq_wait_ns / (double)s->duration_ns;
			struct finding *f;

			if (share < SINGLE_THREAD_SATURATED || thread_kind(p, t) != KIND_SERVING)
				continue;
			snprintf(name, sizeof(name), "%s", p->comm);
			f = add_finding(fs, "single_thread_saturated", SEV_CRITICAL, share * 100,
					"thread %d of %s (%d) was on a CPU %.0f%% of the run, and waited "
					"for one %.0f%% (%s): one thread at its limit, the "
					"single-threaded wall; %s can use no more than one of the %d "
					"CPUs this way",
					t->tid, name, p->pid, share * 100, runq * 100,
					format_ns(t->sched.runq_wait_ns, w, sizeof(w)), name, s->cpus);
			evidence(f, "pid", p->pid);
			evidence(f, "tid", t->tid);
			evidence(f, "cpu_share", share);
			evidence(f, "runnable_share", runq);
		}
	}
}

/* The machine's CPUs busy, from the CPU budget: who used them. */
static void find_cpu_saturated(const struct snapshot *s, struct findings *fs)
{
	const struct cpu_budget *b = &s->cpu_budget;
	char users[160];
	struct finding *f;
	double busy;

	if (!cpu_budget_busy_share(b, &busy) || busy < CPU_SATURATED_SHARE)
		return;
	budget_users(b, 4, users, sizeof(users));
	f = add_finding(fs, "cpu_saturated", SEV_WARNING, busy * 100,
			"the %d CPU%s were %.0f%% busy during the run: %s", s->cpus,
			s->cpus == 1 ? "" : "s", busy * 100, users);
	evidence(f, "busy_share", busy);
	evidence(f, "targets_share",
		 (double)cpu_budget_kind_ns(b, BUDGET_TARGETS) / (double)b->total_ns);
	evidence(f, "load_share", (double)cpu_budget_kind_ns(b, BUDGET_LOAD) / (double)b->total_ns);
	evidence(f, "softirq_share",
		 (double)cpu_budget_kind_ns(b, BUDGET_SOFTIRQ) / (double)b->total_ns);
}

static void find_imbalance(const struct snapshot *s, struct findings *fs)
{
	struct imbalance im;
	struct finding *f;
	double worst;
	const char *what;
	int pid;

	/* accepts, handoffs and TCP writes come from the syscall hooks */
	if (s->no_syscalls)
		return;

	workers_imbalance(s, &im);
	if (im.nworkers < 2)
		return;
	worst = im.conn_max_mean;
	what = "connections";
	pid = im.conn_max_pid;
	if (im.cpu_max_mean > worst) {
		worst = im.cpu_max_mean;
		what = "CPU time";
		pid = im.cpu_max_pid;
	}
	if (im.req_max_mean > worst) {
		worst = im.req_max_mean;
		what = "requests";
		pid = im.req_max_pid;
	}
	if (worst < IMBALANCE_RATIO)
		return;
	f = add_finding(fs, "imbalance", SEV_WARNING, worst * 10,
			"the %zu workers share the load unevenly: %d has %.1fx the mean %s "
			"(connections %.1fx, CPU %.1fx, requests %.1fx max/mean)",
			im.nworkers, pid, worst, what, im.conn_max_mean, im.cpu_max_mean,
			im.req_max_mean);
	evidence(f, "workers", (double)im.nworkers);
	evidence(f, "connections_max_mean", im.conn_max_mean);
	evidence(f, "cpu_max_mean", im.cpu_max_mean);
	evidence(f, "requests_max_mean", im.req_max_mean);
}

/* Accept calls of a thread that failed with EAGAIN: the queue was empty when it looked. */
static uint64_t accept_eagain(const struct sys_figures *sys)
{
	uint64_t n = 0;

	for (size_t j = 0; j < sys->nerrnos[SC_ACCEPT]; j++)
		if (!strcmp(sys->errnos[SC_ACCEPT][j].name, "EAGAIN"))
			n += sys->errnos[SC_ACCEPT][j].count;
	return n;
}

/*
 * Threads woken together for each connection, of one process or several: EAGAIN per connection
 * accepted. Accepted are the calls that did not fail (sys_accepted), so ECONNABORTED, EMFILE or
 * an interrupted call count as neither.
 */
static void find_accept_contention(const struct snapshot *s, struct findings *fs)
{
	uint64_t calls = 0, eagain = 0, ok = 0;
	size_t procs = 0, threads = 0;
	struct finding *f;
	double share, per_accept;

	/* accepts, handoffs and TCP writes come from the syscall hooks */
	if (s->no_syscalls)
		return;

	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];
		size_t mine = 0;

		for (size_t k = 0; k < p->nthreads; k++) {
			uint64_t e = accept_eagain(&p->threads[k].sys);

			eagain += e;
			if (e)
				mine++;
		}
		calls += p->sys.cls[SC_ACCEPT].count;
		ok += sys_accepted(&p->sys);
		threads += mine;
		if (mine)
			procs++;
	}
	if (!calls || threads < 2)
		return;
	share = (double)eagain / (double)calls;
	per_accept = ok ? (double)eagain / (double)ok : (double)eagain;
	if (per_accept < ACCEPT_EAGAIN_PER_ACCEPT)
		return;
	f = add_finding(fs, "accept_contention", SEV_WARNING, per_accept * 10,
			"%llu of %llu accept calls (%.0f%%) returned EAGAIN across %zu threads in %zu "
			"process%s, %.1f per connection accepted (%llu): several wake for each "
			"connection and all but one find nothing (a thundering herd)",
			(unsigned long long)eagain, (unsigned long long)calls, share * 100, threads,
			procs, procs == 1 ? "" : "es", per_accept, (unsigned long long)ok);
	evidence(f, "accept_calls", (double)calls);
	evidence(f, "accept_eagain", (double)eagain);
	evidence(f, "accepted", (double)ok);
	evidence(f, "eagain_per_accept", per_accept);
	evidence(f, "threads", (double)threads);
	evidence(f, "processes", (double)procs);
}

static void find_switch_rate(const struct snapshot *s, struct findings *fs)
{
	uint64_t vol = 0, invol = 0, req;
	struct finding *f;
	double per;
	bool given;

	req = snapshot_requests(s, &given);
	if (!req)
		return;
	for (size_t i = 0; i < s->nprocesses; i++) {
		vol += s->processes[i].sched.voluntary_switches;
		invol += s->processes[i].sched.involuntary_switches;
	}
	per = (double)(vol + invol) / (double)req;
	if (per < SWITCHES_PER_REQUEST)
		return;
	f = add_finding(fs, "switch_rate", SEV_INFO, per,
			"%.1f context switches per request (%.1f voluntary, %.1f involuntary) over "
			"%llu requests (%s)",
			per, (double)vol / (double)req, (double)invol / (double)req,
			(unsigned long long)req, given ? "as given" : "estimated from TCP writes");
	evidence(f, "switches_per_request", per);
	evidence(f, "requests", (double)req);
}

static void find_idle_workers(const struct snapshot *s, struct findings *fs)
{
	uint64_t total = 0;
	size_t n = 0, idle = 0;
	struct finding *f;
	double mean;

	/* accepts, handoffs and TCP writes come from the syscall hooks */
	if (s->no_syscalls)
		return;

	for (size_t i = 0; i < s->nprocesses; i++)
		if (is_worker(s, &s->processes[i])) {
			total += s->processes[i].tcp_writes;
			n++;
		}
	if (n < 2 || !total)
		return;
	mean = (double)total / (double)n;
	for (size_t i = 0; i < s->nprocesses; i++)
		if (is_worker(s, &s->processes[i]) &&
		    (double)s->processes[i].tcp_writes < IDLE_WORKER_SHARE * mean)
			idle++;
	if (!idle)
		return;
	f = add_finding(fs, "idle_workers", SEV_WARNING, (double)idle / (double)n * 100,
			"%zu of %zu workers served almost nothing (under %.0f%% of the mean of %.0f "
			"responses)",
			idle, n, IDLE_WORKER_SHARE * 100, mean);
	evidence(f, "idle_workers", (double)idle);
	evidence(f, "workers", (double)n);
}

/* Run-queue wait of the targets in the cgroup at path or below it; *found: any such target. */
static uint64_t runq_wait_under(const struct snapshot *s, const struct cpu_cgroup *top, bool *found)
{
	size_t len = strlen(top->path);
	uint64_t sum = 0;

	*found = false;
	for (size_t i = 0; i < s->ncpu_cgroups; i++) {
		const struct cpu_cgroup *c = &s->cpu_cgroups[i];

		if (c->hierarchy != top->hierarchy || strncmp(c->path, top->path, len) ||
		    (c->path[len] && c->path[len] != '/' && strcmp(top->path, "/")))
			continue;
		for (size_t k = 0; k < c->npids; k++) {
			const struct process *p =
				snapshot_find_process((struct snapshot *)s, c->pids[k]);

			if (p) {
				sum = add_sat(sum, p->sched.runq_wait_ns);
				*found = true;
			}
		}
	}
	return sum;
}

/* What the targets' run-queue wait says of the throttled time, by their ratio. */
#define RUNQ_HOLDS                                                                                 \
	"; its targets waited %s for a CPU (%.1fx the throttled time): a throttled task stays "    \
	"runnable, so waiting out the period counts as run-queue wait, not as a lack of CPUs"
#define RUNQ_LACKS                                                                                 \
	"; its targets waited %s for a CPU (%.1fx the throttled time): most of the throttled "     \
	"time is not in their run-queue wait"

/*
 * A cgroup's throttled share of its periods and of the run, when it was throttled enough to
 * count (THROTTLED_MIN_PERIODS, THROTTLED_PERIOD_SHARE or THROTTLED_TIME_SHARE).
 */
static bool throttled_shares(const struct snapshot *s, const struct cpu_limit *l,
			     double *period_share, double *time_share)
{
	if (!(l->known & CPU_KNOWN_THROTTLING) || l->end_only || !l->periods ||
	    l->throttled_periods < THROTTLED_MIN_PERIODS)
		return false;
	*period_share = (double)l->throttled_periods / (double)l->periods;
	*time_share = s->duration_ns ? (double)l->throttled_ns / (double)s->duration_ns : 0;
	return *period_share >= THROTTLED_PERIOD_SHARE || *time_share >= THROTTLED_TIME_SHARE;
}

const struct cpu_cgroup *most_throttled(const struct snapshot *s, double *worst)
{
	const struct cpu_cgroup *most = NULL;
	double ps, ts;

	*worst = 0;
	for (size_t i = 0; i < s->ncpu_cgroups; i++) {
		if (!throttled_shares(s, &s->cpu_cgroups[i].limit, &ps, &ts))
			continue;
		if ((ps > ts ? ps : ts) > *worst) {
			*worst = ps > ts ? ps : ts;
			most = &s->cpu_cgroups[i];
		}
	}
	return most;
}

static void find_cpu_throttled(const struct snapshot *s, struct findings *fs)
{
	char quota[128], tq[FORMAT_NS_LEN], tp[FORMAT_NS_LEN], tt[FORMAT_NS_LEN], tw[FORMAT_NS_LEN];
	char tail[200], path[200];

	for (size_t i = 0; i < s->ncpu_cgroups; i++) {
		const struct cpu_cgroup *c = &s->cpu_cgroups[i];
		const struct cpu_limit *l = &c->limit;
		double period_share, time_share, worst, runq_ratio = 0;
		uint64_t runq;
		struct finding *f;
		bool found;

		if (!throttled_shares(s, l, &period_share, &time_share))
			continue;
		worst = period_share > time_share ? period_share : time_share;
		if ((l->known & CPU_KNOWN_QUOTA) && (l->known & CPU_KNOWN_PERIOD))
			snprintf(quota, sizeof(quota), "its quota of %s per %s (%.2f CPUs)",
				 format_ns(l->quota_us * 1000, tq, sizeof(tq)),
				 format_ns(l->period_us * 1000, tp, sizeof(tp)), cpu_limit_cpus(l));
		else
			snprintf(quota, sizeof(quota), "a quota no longer set at the end");
		/* a cgroup's name is any bytes its creator chose: no control characters */
		snprintf(path, sizeof(path), "%s", c->path);
		for (char *p = path; *p; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f)
				*p = '?';
		runq = runq_wait_under(s, c, &found);
		tail[0] = '\0';
		if (found && l->throttled_ns) {
			runq_ratio = (double)runq / (double)l->throttled_ns;
			snprintf(tail, sizeof(tail),
				 runq_ratio >= THROTTLED_RUNQ_SHARE ? RUNQ_HOLDS : RUNQ_LACKS,
				 format_ns(runq, tw, sizeof(tw)), runq_ratio);
		}
		f = add_finding(fs, "cpu_throttled",
				worst >= THROTTLED_CRITICAL_SHARE ? SEV_CRITICAL : SEV_WARNING,
				worst * 100,
				"cgroup %s (%s) ran out of %s in %llu of %llu periods (%.0f%%) and "
				"was throttled %s, %.0f%% of the run%s",
				path, cgroup_hierarchy_name(c->hierarchy), quota,
				(unsigned long long)l->throttled_periods,
				(unsigned long long)l->periods, period_share * 100,
				format_ns(l->throttled_ns, tt, sizeof(tt)), time_share * 100, tail);
		evidence(f, "throttled_periods", (double)l->throttled_periods);
		evidence(f, "periods", (double)l->periods);
		evidence(f, "throttled_period_share", period_share);
		evidence(f, "throttled_ns", (double)l->throttled_ns);
		evidence(f, "throttled_run_share", time_share);
		evidence(f, "quota_cpus", cpu_limit_cpus(l));
		if (found) {
			evidence(f, "targets_runq_wait_ns", (double)runq);
			evidence(f, "runq_wait_over_throttled", runq_ratio);
		}
	}
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->severity != y->severity)
		return x->severity < y->severity ? 1 : -1;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* The observer's own programs, from the kernel's run-time statistics. */
static void find_observer_cost(const struct snapshot *s, struct findings *fs)
{
	const struct observer_cost *c = &s->observer;
	char hooks[192] = "", item[64], t[FORMAT_NS_LEN];
	uint64_t run_ns = observer_run_ns(c), total;
	double share, seconds = (double)s->duration_ns / 1e9;
	struct finding *f;
	size_t at = 0, named = 0;

	if (c->source == OBSERVER_UNKNOWN || !s->duration_ns || s->cpus <= 0)
		return;
	total = s->cpu_budget.status == BUDGET_MEASURED && s->cpu_budget.total_ns
			? s->cpu_budget.total_ns
			: (uint64_t)s->cpus * s->duration_ns;
	share = (double)run_ns / (double)total;
	if (share < OBSERVER_COST_SHARE)
		return;
	/* the costliest hooks (programs are kept most run time first), up to three */
	for (size_t i = 0; i < c->nprograms && named < 3; i++) {
		const struct observer_program *p = &c->programs[i];

		/* the hooks that matter: a twentieth of the programs' time or more */
		if (!p->runs || p->run_ns * 20 < run_ns)
			continue;
		snprintf(item, sizeof(item), "%s%.*s %.1f%% of a CPU (%.0f ns a run)",
			 named ? ", " : "", NAME_LEN, p->name, (double)p->run_ns / 1e7 / seconds,
			 (double)p->run_ns / (double)p->runs);
		if (at + strlen(item) >= sizeof(hooks))
			break;
		at += (size_t)snprintf(hooks + at, sizeof(hooks) - at, "%s", item);
		named++;
	}
	f = add_finding(fs, "observer_cost", SEV_WARNING, share * 100,
			"loadscope's own programs used %.1f%% of the CPUs' time (%s, %.0f runs a "
			"second): %s; they run inside the targets' syscalls and switches, so the "
			"targets' figures include that cost%s",
			share * 100, format_ns(run_ns, t, sizeof(t)),
			(double)observer_runs(c) / seconds, hooks,
			s->no_syscalls ? "" : " (--no-syscalls attaches no syscall program)");
	evidence(f, "observer_share", share);
	evidence(f, "observer_run_ns", (double)run_ns);
	evidence(f, "observer_runs_per_s", (double)observer_runs(c) / seconds);
}

size_t analyze_findings(const struct snapshot *s, struct finding *out, size_t max)
{
	struct findings fs = { .out = out, .max = max };

	find_handoff(s, &fs);
	find_oversubscription(s, &fs);
	find_single_thread(s, &fs);
	find_cpu_saturated(s, &fs);
	find_imbalance(s, &fs);
	find_accept_contention(s, &fs);
	find_switch_rate(s, &fs);
	find_idle_workers(s, &fs);
	find_cpu_throttled(s, &fs);
	find_observer_cost(s, &fs);
	if (fs.n > 1)
		qsort(out, fs.n, sizeof(*out), cmp_finding);
	return fs.n;
}
