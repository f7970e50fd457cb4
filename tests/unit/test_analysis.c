// SPDX-License-Identifier: GPL-2.0
/* Tests of the analysis: thread states, roles, imbalance and each finding, where it applies and not. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis.h"
#include "core/bottleneck.h"
#include "core/totals.h"
#include "fixture.h"
#include "suites.h"

#define MS 1000000ULL
#define S  1000000000ULL

/* A run of `seconds` on `cpus` CPUs with room for n processes of one thread each. */
static void run_init(struct snapshot *s, int cpus, uint64_t seconds, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->cpus = cpus;
	s->duration_ns = seconds * S;
	s->processes = calloc(n, sizeof(*s->processes));
	ck_assert_ptr_nonnull(s->processes);
}

/* A process with one thread alive the whole run; the caller fills the thread. */
static struct thread *add_process(struct snapshot *s, int pid, const char *comm)
{
	struct process *p = &s->processes[s->nprocesses++];

	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->nthreads = 1;
	p->threads = calloc(1, sizeof(*p->threads));
	ck_assert_ptr_nonnull(p->threads);
	p->threads[0].tid = pid;
	snprintf(p->threads[0].comm, sizeof(p->threads[0].comm), "%s", comm);
	p->threads[0].alive_ns = s->duration_ns;
	return &p->threads[0];
}

static void accepts(struct thread *t, uint64_t ok, uint64_t eagain)
{
	fixture_add_lat(&t->sys.cls[SC_ACCEPT], 10000, ok + eagain);
	t->sys.cls[SC_ACCEPT].errors = eagain;
	if (eagain)
		ck_assert_int_eq(named_count_add(&t->sys.errnos[SC_ACCEPT],
						 &t->sys.nerrnos[SC_ACCEPT], "EAGAIN", eagain, 0, 0),
				 0);
}

static const struct finding *find(const struct finding *f, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].id, id))
			return &f[i];
	return NULL;
}

static size_t findings(struct snapshot *s, struct finding *out)
{
	ck_assert_int_eq(snapshot_finish(s), 0);
	return analyze_findings(s, out, 32);
}

/* The states add up to the time alive; `other` is what the measured states leave. */
START_TEST(test_thread_states)
{
	struct thread t = { 0 };
	struct states st;
	uint64_t sum = 0;

	t.alive_ns = 10 * S;
	t.sched.cpu_ns = 4 * S;
	t.sched.runq_wait_ns = 1 * S;
	t.sys.offcpu_ns[SC_READ] = 500 * MS;
	t.sys.offcpu_ns[SC_WRITE] = 250 * MS;
	t.sys.offcpu_ns[SC_ACCEPT] = 250 * MS;
	/* 1.5 s in futex: 1 s of it waiting for a lock, the rest parked (idle) */
	t.sys.offcpu_ns[SC_FUTEX] = 1500 * MS;
	t.sys.offcpu_lock_ns = 1 * S;
	t.sys.offcpu_ns[SC_POLL] = 1500 * MS;
	/* D time in read stays I/O; in other it is uninterruptible */
	t.sys.offcpu_ns[SC_OTHER] = 500 * MS;
	t.sys.offcpu_d_ns[SC_OTHER] = 500 * MS;
	t.sys.offcpu_d_ns[SC_READ] = 100 * MS;
	thread_states(&t, &st);
	ck_assert_uint_eq(st.ns[ST_RUNNING], 4 * S);
	ck_assert_uint_eq(st.ns[ST_RUNNABLE], 1 * S);
	ck_assert_uint_eq(st.ns[ST_IDLE], 2 * S);
	ck_assert_uint_eq(st.ns[ST_IO], 1 * S);
	ck_assert_uint_eq(st.ns[ST_LOCK], 1 * S);
	ck_assert_uint_eq(st.ns[ST_UNINTERRUPTIBLE], 500 * MS);
	ck_assert_uint_eq(st.ns[ST_OTHER], 500 * MS);
	for (int k = 0; k < ST_COUNT; k++)
		sum += st.ns[k];
	ck_assert_uint_eq(sum, st.total_ns);
	ck_assert_uint_eq(st.total_ns, 10 * S);

	/* measured more than alive (clocks a little apart): other is 0 and the total grows */
	t.sched.cpu_ns = 6 * S;
	thread_states(&t, &st);
	ck_assert_uint_eq(st.ns[ST_OTHER], 0);
	ck_assert_uint_eq(st.total_ns, 11500 * MS);
	ck_assert_str_eq(state_name(ST_UNINTERRUPTIBLE), "uninterruptible");
}
END_TEST

/* A Node-cluster-like run: the master accepts all and hands each connection to a worker. */
static void cluster_run(struct snapshot *s, uint64_t per_worker[2])
{
	struct thread *m, *w;

	run_init(s, 2, 10, 3);
	m = add_process(s, 100, "node");
	accepts(m, per_worker[0] + per_worker[1], 0);
	m->sys.handoff_sent = per_worker[0] + per_worker[1];
	fixture_add_lat(&m->sys.handoff_delay, 15 * MS, m->sys.handoff_sent);
	fixture_add_lat(&m->sys.cls[SC_WRITE], 5000, m->sys.handoff_sent);
	m->sched.cpu_ns = 3 * S;
	for (int i = 0; i < 2; i++) {
		w = add_process(s, 101 + i, "node");
		s->processes[1 + i].ppid = 100;
		w->sys.handoff_received = per_worker[i];
		w->tcp_reads = w->tcp_writes = per_worker[i] * 10;
		w->sched.cpu_ns = 4 * S;
		w->sched.voluntary_switches = per_worker[i] * 10;
	}
	s->handoffs = calloc(2, sizeof(*s->handoffs));
	ck_assert_ptr_nonnull(s->handoffs);
	for (int i = 0; i < 2; i++)
		s->handoffs[s->nhandoffs++] =
			(struct handoff_pair){ .from = 100, .to = 101 + i, .count = per_worker[i] };
	/* each handoff wakes the worker */
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(peer_add(&s->processes[1 + i].wakers,
					  &s->processes[1 + i].nwakers, 100, "node", per_worker[i], 0),
				 0);
}

START_TEST(test_roles_and_handoff)
{
	uint64_t per_worker[2] = { 500, 500 };
	struct finding f[32];
	const struct finding *h;
	struct snapshot s;
	size_t n;

	cluster_run(&s, per_worker);
	n = findings(&s, f);
	ck_assert_str_eq(role_name(process_role(&s, &s.processes[0])), "dispatcher");
	ck_assert_str_eq(role_name(process_role(&s, &s.processes[1])), "worker");
	h = find(f, n, "handoff");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h->severity, SEV_WARNING);
	ck_assert_msg(strstr(h->text, "node (100) accepted 100% of connections (1000) and passed "
				      "1000 of them over a Unix socket to 2 processes"),
		      "%s", h->text);
	/* accept + write per connection; one wakeup of a worker per handoff */
	ck_assert_msg(strstr(h->text, "2.0 syscalls and 1.0 cross-process wakeups per connection"),
		      "%s", h->text);
	ck_assert_msg(strstr(h->text, "ran 30% of a CPU"), "%s", h->text);
	ck_assert_uint_gt(h->nevidence, 0);
	ck_assert_str_eq(h->evidence[0].name, "accepted");
	ck_assert_double_eq(h->evidence[0].value, 1000);
	/* evenly shared: no imbalance, no idle worker */
	ck_assert_ptr_null(find(f, n, "imbalance"));
	ck_assert_ptr_null(find(f, n, "idle_workers"));
	ck_assert_msg(strstr(h->text, ", 15ms from accept to handoff (p50; p99 15ms)"), "%s",
		      h->text);
	snapshot_free(&s);

	/* no handoff timed (connections accepted before the run): no delay, rather than 0ns */
	cluster_run(&s, per_worker);
	memset(&s.processes[0].threads[0].sys.handoff_delay, 0, sizeof(struct lat_figures));
	ck_assert_int_eq(snapshot_finish(&s), 0);
	n = findings(&s, f);
	h = find(f, n, "handoff");
	ck_assert_ptr_nonnull(h);
	ck_assert_msg(strstr(h->text, "per connection in it, no handoff timed from its accept, and "
				      "it ran 30% of a CPU"),
		      "%s", h->text);
	ck_assert_ptr_null(strstr(h->text, "0ns"));
	for (size_t i = 0; i < h->nevidence; i++)
		ck_assert_str_ne(h->evidence[i].name, "handoff_delay_p50_ns");
	snapshot_free(&s);

	/* a master busy on a whole CPU is the limit */
	cluster_run(&s, per_worker);
	s.processes[0].threads[0].sched.cpu_ns = 95 * S / 10;
	n = findings(&s, f);
	ck_assert_int_eq(find(f, n, "handoff")->severity, SEV_CRITICAL);
	ck_assert_str_eq(f[0].id, "handoff");
	snapshot_free(&s);

	/* keep-alive: 1000 connections carried 100000 requests; paid once each, it is only info */
	cluster_run(&s, per_worker);
	s.requests_given = 100000;
	n = findings(&s, f);
	h = find(f, n, "handoff");
	ck_assert_int_eq(h->severity, SEV_INFO);
	ck_assert_msg(strstr(h->text, "; 0.010 connections per request (keep-alive)"), "%s",
		      h->text);
	snapshot_free(&s);
	/* one connection per 20 requests still costs: a warning */
	cluster_run(&s, per_worker);
	s.requests_given = 20000;
	n = findings(&s, f);
	ck_assert_int_eq(find(f, n, "handoff")->severity, SEV_WARNING);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_handoff_silent_without_dispatcher)
{
	struct finding f[32];
	struct snapshot s;
	struct thread *t;
	size_t n;

	/* one process that accepts and serves: single, no handoff */
	run_init(&s, 2, 10, 1);
	t = add_process(&s, 200, "bun");
	accepts(t, 1000, 0);
	t->tcp_reads = t->tcp_writes = 1000;
	n = findings(&s, f);
	ck_assert_str_eq(role_name(process_role(&s, &s.processes[0])), "single");
	ck_assert_ptr_null(find(f, n, "handoff"));
	snapshot_free(&s);

	/* a few descriptors passed, most connections served where accepted: not a dispatcher */
	run_init(&s, 2, 10, 1);
	t = add_process(&s, 200, "bun");
	accepts(t, 1000, 0);
	t->sys.handoff_sent = 10;
	t->tcp_reads = t->tcp_writes = 1000;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "handoff"));
	snapshot_free(&s);
}
END_TEST

START_TEST(test_imbalance_and_idle_workers)
{
	uint64_t per_worker[2] = { 980, 20 };
	struct finding f[32];
	const struct finding *im, *idle;
	struct snapshot s;
	size_t n;

	cluster_run(&s, per_worker);
	n = findings(&s, f);
	im = find(f, n, "imbalance");
	ck_assert_ptr_nonnull(im);
	/* 980 of 1000: 1.96x the mean of 500 */
	ck_assert_msg(strstr(im->text, "101 has 2.0x the mean connections"), "%s", im->text);
	idle = find(f, n, "idle_workers");
	ck_assert_ptr_nonnull(idle);
	ck_assert_msg(strstr(idle->text, "1 of 2 workers served almost nothing"), "%s", idle->text);
	snapshot_free(&s);

	/* 600/400: 1.2x, under IMBALANCE_RATIO; 400 is far above the idle share */
	per_worker[0] = 600;
	per_worker[1] = 400;
	cluster_run(&s, per_worker);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "imbalance"));
	ck_assert_ptr_null(find(f, n, "idle_workers"));
	snapshot_free(&s);
}
END_TEST

/* Three SO_REUSEPORT-like workers on 2 CPUs, half their time waiting for one. */
static void budget(struct snapshot *s, double idle_share);

START_TEST(test_cpu_oversubscription)
{
	struct finding f[32];
	const struct finding *o;
	struct snapshot s;
	struct thread *t;
	size_t n;

	run_init(&s, 2, 10, 3);
	for (int i = 0; i < 3; i++) {
		t = add_process(&s, 300 + i, "bun");
		accepts(t, 100, 0);
		t->tcp_reads = t->tcp_writes = 100;
		t->sched.cpu_ns = 6 * S;
		t->sched.runq_wait_ns = 2 * S;
	}
	ck_assert_int_eq(peer_add(&s.processes[0].preempted_by, &s.processes[0].npreempted_by, 999,
				  "wrk", 40, 2 * S),
			 0);
	n = findings(&s, f);
	o = find(f, n, "cpu_oversubscription");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->severity, SEV_WARNING);
	/* no CPU budget: the targets' own 6 s running and 2 s waiting, each, are a lower bound */
	ck_assert_msg(strstr(o->text, "waited for a CPU 20% of their time: the targets alone wanted "
				      "2.4 of the 2 CPUs on average (without a CPU budget, what else "
				      "ran is not known)"),
		      "%s", o->text);
	ck_assert_msg(strstr(o->text, "by wrk (999): bun waited 2.0s after them"), "%s", o->text);
	ck_assert_ptr_null(find(f, n, "cpu_wait_below_capacity"));
	/* with a budget: 90% of the 2 CPUs busy and 0.6 threads waiting on average */
	budget(&s, 0.10);
	n = findings(&s, f);
	o = find(f, n, "cpu_oversubscription");
	ck_assert_ptr_nonnull(o);
	ck_assert_msg(strstr(o->text, "waited for a CPU 20% of their time: 2.4 CPUs were wanted on "
				      "average (the busy ones and the targets' threads waiting) of "
				      "the 2"),
		      "%s", o->text);
	memset(&s.cpu_budget, 0, sizeof(s.cpu_budget));

	/* 30% waiting or more: critical */
	for (int i = 0; i < 3; i++)
		s.processes[i].threads[0].sched.runq_wait_ns = 3 * S;
	n = findings(&s, f);
	ck_assert_int_eq(find(f, n, "cpu_oversubscription")->severity, SEV_CRITICAL);
	snapshot_free(&s);

	/*
	 * Waiting while fewer CPUs were wanted than there are: half of the 2 CPUs idle, 3 threads
	 * each running 2 s and waiting 2 s of 10 s: 1.0 busy + 0.6 waiting = 1.6 CPUs wanted
	 */
	run_init(&s, 2, 10, 3);
	for (int i = 0; i < 3; i++) {
		t = add_process(&s, 300 + i, "bun");
		accepts(t, 100, 0);
		t->tcp_reads = t->tcp_writes = 100;
		t->sched.cpu_ns = 2 * S;
		t->sched.runq_wait_ns = 2 * S;
	}
	budget(&s, 0.50);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_oversubscription"));
	o = find(f, n, "cpu_wait_below_capacity");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->severity, SEV_WARNING);
	ck_assert_msg(strstr(o->text, "serving threads waited for a CPU 20% of their time, though "
				      "1.6 CPUs were wanted on average (the busy ones and the "
				      "targets' threads waiting) of the 2: the waits come in bursts"),
		      "%s", o->text);
	ck_assert_double_eq_tol(o->evidence[1].value, 1.6, 1e-9);
	snapshot_free(&s);

	/* 5% waiting: silent */
	run_init(&s, 2, 10, 1);
	t = add_process(&s, 300, "bun");
	t->tcp_reads = t->tcp_writes = 100;
	t->sched.cpu_ns = 5 * S;
	t->sched.runq_wait_ns = 500 * MS;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_oversubscription"));
	ck_assert_ptr_null(find(f, n, "cpu_wait_below_capacity"));
	snapshot_free(&s);
}
END_TEST

START_TEST(test_accept_contention)
{
	struct finding f[32];
	const struct finding *a;
	struct snapshot s;
	struct thread *t;
	size_t n;

	/* four processes woken for each connection: three of four accepts find nothing */
	run_init(&s, 2, 10, 4);
	for (int i = 0; i < 4; i++) {
		t = add_process(&s, 400 + i, "node");
		accepts(t, 250, 750);
		t->tcp_reads = t->tcp_writes = 250;
	}
	n = findings(&s, f);
	a = find(f, n, "accept_contention");
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(strstr(a->text, "3000 of 4000 accept calls (75%) returned EAGAIN across 4 "
				      "threads in 4 processes, 3.0 per connection accepted (1000)"),
		      "%s", a->text);
	snapshot_free(&s);

	/*
	 * Failures other than EAGAIN accept nothing: 2 processes, each 100 accepted, 160 EAGAIN and
	 * 100 EMFILE, are 1.6 EAGAIN per connection (counting EMFILE as accepted made it 0.8)
	 */
	run_init(&s, 2, 10, 2);
	for (int i = 0; i < 2; i++) {
		t = add_process(&s, 400 + i, "node");
		accepts(t, 100, 160);
		fixture_add_lat(&t->sys.cls[SC_ACCEPT], 10000, 100);
		t->sys.cls[SC_ACCEPT].errors += 100;
		ck_assert_int_eq(named_count_add(&t->sys.errnos[SC_ACCEPT],
						 &t->sys.nerrnos[SC_ACCEPT], "EMFILE", 100, 0, 0),
				 0);
	}
	n = findings(&s, f);
	a = find(f, n, "accept_contention");
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(strstr(a->text, "320 of 720 accept calls (44%) returned EAGAIN across 2 "
				      "threads in 2 processes, 1.6 per connection accepted (200)"),
		      "%s", a->text);
	snapshot_free(&s);

	/* a herd among the 4 threads of one process, each blocked in accept on the same listener */
	run_init(&s, 2, 10, 1);
	t = add_process(&s, 400, "java");
	s.processes[0].threads = realloc(s.processes[0].threads, 4 * sizeof(struct thread));
	ck_assert_ptr_nonnull(s.processes[0].threads);
	memset(&s.processes[0].threads[1], 0, 3 * sizeof(struct thread));
	s.processes[0].nthreads = 4;
	for (int i = 0; i < 4; i++) {
		t = &s.processes[0].threads[i];
		t->tid = 400 + i;
		t->alive_ns = s.duration_ns;
		snprintf(t->comm, sizeof(t->comm), "java");
		accepts(t, 250, 750);
		t->tcp_reads = t->tcp_writes = 250;
	}
	n = findings(&s, f);
	a = find(f, n, "accept_contention");
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(strstr(a->text, "3000 of 4000 accept calls (75%) returned EAGAIN across 4 "
				      "threads in 1 process, 3.0 per connection accepted (1000)"),
		      "%s", a->text);
	snapshot_free(&s);

	/* SO_REUSEPORT workers whose accept loops end in one EAGAIN per wakeup: not a herd */
	run_init(&s, 2, 10, 2);
	for (int i = 0; i < 2; i++) {
		t = add_process(&s, 400 + i, "bun");
		accepts(t, 1000, 600);
		t->tcp_reads = t->tcp_writes = 1000;
	}
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "accept_contention"));
	snapshot_free(&s);

	/* one thread with EAGAIN (a non-blocking accept loop alone): no herd */
	run_init(&s, 2, 10, 1);
	t = add_process(&s, 400, "node");
	accepts(t, 250, 750);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "accept_contention"));
	snapshot_free(&s);
}
END_TEST

/*
 * Light mode (--no-syscalls): the findings that rest on accepts, handoffs or TCP writes stay
 * silent whatever the figures hold; those of the scheduler still fire.
 */
START_TEST(test_light_mode_findings)
{
	uint64_t per_worker[2] = { 980, 20 };
	static const char *const by_syscalls[] = { "handoff", "imbalance", "idle_workers" };
	struct finding f[32];
	struct snapshot s;
	struct thread *t;
	bool given = true;
	size_t n;

	cluster_run(&s, per_worker);
	n = findings(&s, f);
	for (size_t k = 0; k < 3; k++)
		ck_assert_msg(find(f, n, by_syscalls[k]), "%s does not fire", by_syscalls[k]);
	ck_assert_uint_eq(snapshot_requests(&s, NULL), 10000);
	s.no_syscalls = true;
	n = findings(&s, f);
	for (size_t k = 0; k < 3; k++)
		ck_assert_msg(!find(f, n, by_syscalls[k]), "%s fires in light mode",
			      by_syscalls[k]);
	/* no TCP write seen: no estimate; a count given stays */
	ck_assert_uint_eq(snapshot_requests(&s, &given), 0);
	ck_assert(!given);
	s.requests_given = 5000;
	ck_assert_uint_eq(snapshot_requests(&s, &given), 5000);
	ck_assert(given);
	snapshot_free(&s);

	/* a herd on accept, then the same in light mode */
	run_init(&s, 2, 10, 4);
	for (int i = 0; i < 4; i++) {
		t = add_process(&s, 400 + i, "node");
		accepts(t, 250, 750);
		t->tcp_reads = t->tcp_writes = 250;
	}
	n = findings(&s, f);
	ck_assert_ptr_nonnull(find(f, n, "accept_contention"));
	s.no_syscalls = true;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "accept_contention"));
	snapshot_free(&s);

	/* one thread on a CPU 95% of the run: the scheduler's finding, in light mode too */
	run_init(&s, 2, 10, 1);
	t = add_process(&s, 500, "node");
	t->sched.cpu_ns = 9500 * MS;
	s.no_syscalls = true;
	n = findings(&s, f);
	ck_assert_ptr_nonnull(find(f, n, "single_thread_saturated"));
	snapshot_free(&s);
}
END_TEST

START_TEST(test_switch_rate_and_requests)
{
	struct finding f[32];
	const struct finding *sw;
	struct snapshot s;
	struct thread *t;
	bool given;
	size_t n;

	run_init(&s, 2, 10, 1);
	t = add_process(&s, 500, "go");
	accepts(t, 10, 0);
	t->tcp_reads = t->tcp_writes = 1000;
	t->sched.voluntary_switches = 3000;
	t->sched.involuntary_switches = 1000;
	/* 250 epoll_wait returns served the 1000 requests: 4 per wakeup */
	fixture_add_lat(&t->sys.cls[SC_POLL], 1000000, 250);
	n = findings(&s, f);
	ck_assert_uint_eq(snapshot_requests(&s, &given), 1000);
	ck_assert(!given);
	{
		struct run_totals rt;

		run_totals(&s, &rt);
		ck_assert_double_eq_tol(requests_per_poll(&rt), 4.0, 1e-9);
	}
	sw = find(f, n, "switch_rate");
	ck_assert_ptr_nonnull(sw);
	ck_assert_msg(strstr(sw->text, "4.0 context switches per request (3.0 voluntary, 1.0 "
				       "involuntary) over 1000 requests (estimated from TCP writes)"),
		      "%s", sw->text);
	/* the load tool's count wins: 4000 requests, 1 switch each, under the threshold */
	s.requests_given = 4000;
	n = analyze_findings(&s, f, 32);
	ck_assert_uint_eq(snapshot_requests(&s, &given), 4000);
	ck_assert(given);
	ck_assert_ptr_null(find(f, n, "switch_rate"));
	snapshot_free(&s);
}
END_TEST

/* An idle run says nothing; findings are ordered most severe first. */
START_TEST(test_quiet_run_and_order)
{
	uint64_t per_worker[2] = { 950, 50 };
	struct finding f[32];
	struct snapshot s;
	size_t n;

	run_init(&s, 2, 10, 1);
	add_process(&s, 600, "sleep");
	n = findings(&s, f);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(role_name(process_role(&s, &s.processes[0])), "idle");
	snapshot_free(&s);

	cluster_run(&s, per_worker);
	s.processes[0].threads[0].sched.cpu_ns = 95 * S / 10;
	n = findings(&s, f);
	ck_assert_uint_ge(n, 2);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_ge(f[i - 1].severity, f[i].severity);
	snapshot_free(&s);
}
END_TEST

/* In a serving process, threads that touch no connection are helpers. */
START_TEST(test_helper_threads)
{
	struct snapshot s;
	struct process *p;

	run_init(&s, 2, 10, 1);
	add_process(&s, 700, "node");
	p = &s.processes[0];
	p->threads = realloc(p->threads, 2 * sizeof(*p->threads));
	ck_assert_ptr_nonnull(p->threads);
	memset(&p->threads[1], 0, sizeof(p->threads[1]));
	p->nthreads = 2;
	p->threads[0].tcp_reads = p->threads[0].tcp_writes = 100;
	accepts(&p->threads[0], 100, 0);
	p->threads[1].tid = 701;
	p->threads[1].sched.cpu_ns = S;
	ck_assert_int_eq(snapshot_finish(&s), 0);
	ck_assert_str_eq(role_name(thread_role(&s, p, &p->threads[0])), "single");
	ck_assert_str_eq(role_name(thread_role(&s, p, &p->threads[1])), "helper");
	snapshot_free(&s);
}
END_TEST

/* Room for n more threads in process p, zeroed, each alive the whole run; returns the first. */
static struct thread *add_threads(const struct snapshot *s, struct process *p, size_t n)
{
	struct thread *t;

	p->threads = realloc(p->threads, (p->nthreads + n) * sizeof(*p->threads));
	ck_assert_ptr_nonnull(p->threads);
	t = &p->threads[p->nthreads];
	memset(t, 0, n * sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		t[i].tid = p->pid + (int)(p->nthreads + i);
		t[i].alive_ns = s->duration_ns;
	}
	p->nthreads += n;
	return t;
}

/*
 * A Bun process under keep-alive load, as measured: its event loop serves every connection and
 * waits for a CPU 42% of the run; JavaScriptCore's helpers sleep in futex (not for a lock) all
 * run, one of them without a single wakeup. Their sleep must not dilute the loop's shares.
 */
static void bun_run(struct snapshot *s, int pid, struct process **out)
{
	struct thread *loop, *h;
	struct process *p;

	loop = add_process(s, pid, "bun");
	p = &s->processes[s->nprocesses - 1];
	loop->tcp_reads = loop->tcp_writes = 200000;
	loop->sched.cpu_ns = 2800 * MS;
	loop->sched.runq_wait_ns = 2100 * MS;
	loop->sys.offcpu_ns[SC_POLL] = 100 * MS;
	h = add_threads(s, p, 3);
	/* HeapHelper: 0.1% of a CPU, woken 53 times a second */
	h[0].sched.cpu_ns = 5 * MS;
	h[0].sched.wakeups = 265;
	h[0].sys.offcpu_ns[SC_FUTEX] = 4990 * MS;
	/* mi-scavenger: 0.5%, 40 wakeups a second */
	h[1].sched.cpu_ns = 25 * MS;
	h[1].sched.wakeups = 203;
	h[1].sys.offcpu_ns[SC_FUTEX] = 4950 * MS;
	/* a thread parked the whole run */
	h[2].sys.offcpu_ns[SC_FUTEX] = 5 * S;
	*out = p;
}

START_TEST(test_thread_kinds)
{
	struct states st, helpers;
	struct finding f[32];
	const struct finding *o;
	size_t counts[KIND_COUNT], n;
	struct process *p;
	struct snapshot s;

	run_init(&s, 2, 5, 1);
	bun_run(&s, 900, &p);
	n = findings(&s, f);
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[0])), "serving");
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[1])), "helper");
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[2])), "helper");
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[3])), "parked");
	process_kind_counts(p, counts);
	ck_assert_uint_eq(counts[KIND_SERVING], 1);
	ck_assert_uint_eq(counts[KIND_HELPER], 2);
	ck_assert_uint_eq(counts[KIND_PARKED], 1);
	/* the process's states are its loop's: 42% waiting for a CPU, no futex time at all */
	process_states(p, &st);
	ck_assert_uint_eq(st.total_ns, 5 * S);
	ck_assert_uint_eq(st.ns[ST_RUNNABLE], 2100 * MS);
	ck_assert_uint_eq(st.ns[ST_LOCK], 0);
	/* the helpers' apart: parked in futex, which is idle, not a lock */
	process_helper_states(p, &helpers);
	ck_assert_uint_eq(helpers.total_ns, 15 * S);
	ck_assert_uint_eq(helpers.ns[ST_LOCK], 0);
	ck_assert_uint_eq(helpers.ns[ST_IDLE], 14940 * MS);
	/*
	 * so the wait for a CPU is found: 42% of the serving thread's time, critical; without a
	 * budget, and the targets alone wanting fewer than the 2 CPUs, it is not called
	 * oversubscription
	 */
	ck_assert_ptr_null(find(f, n, "cpu_oversubscription"));
	o = find(f, n, "cpu_wait_below_capacity");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->severity, SEV_CRITICAL);
	ck_assert_str_eq(o->evidence[0].name, "runnable_share");
	ck_assert_double_eq_tol(o->evidence[0].value, 0.42, 1e-9);
	snapshot_free(&s);

	/* over all threads the share would be 2.1 s of 20 s: the dilution the kinds avoid */
	run_init(&s, 2, 5, 1);
	bun_run(&s, 900, &p);
	p->threads[0].tcp_reads = p->threads[0].tcp_writes = 0;
	ck_assert_int_eq(snapshot_finish(&s), 0);
	/* no connection in it: the thread doing the work (over 5% of a CPU) serves, alone */
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[0])), "serving");
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[1])), "helper");
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[3])), "parked");
	/* and when none reaches the share, the busiest does */
	p->threads[0].sched.cpu_ns = 10 * MS;
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[0])), "helper");
	ck_assert_str_eq(thread_kind_name(thread_kind(p, &p->threads[2])), "serving");
	snapshot_free(&s);
}
END_TEST

/* A lone thread is its process's serving thread, whatever it did. */
START_TEST(test_thread_kind_single)
{
	struct snapshot s;
	struct thread *t;

	run_init(&s, 2, 5, 1);
	t = add_process(&s, 910, "sleeper");
	t->sys.offcpu_ns[SC_FUTEX] = 5 * S;
	ck_assert_int_eq(snapshot_finish(&s), 0);
	ck_assert_str_eq(thread_kind_name(thread_kind(&s.processes[0], t)), "serving");
	ck_assert_str_eq(thread_kind_name(KIND_COUNT), "?");
	snapshot_free(&s);
}
END_TEST

/* Go's Ms park in futex with nothing to run: idle. Only waits for a lock are lock time. */
START_TEST(test_futex_lock_time)
{
	struct states st;
	struct thread t = {0};

	t.alive_ns = 5 * S;
	t.sched.cpu_ns = 1 * S;
	t.sys.offcpu_ns[SC_FUTEX] = 4 * S;
	thread_states(&t, &st);
	ck_assert_uint_eq(st.ns[ST_LOCK], 0);
	ck_assert_uint_eq(st.ns[ST_IDLE], 4 * S);
	t.sys.offcpu_lock_ns = 3 * S;
	thread_states(&t, &st);
	ck_assert_uint_eq(st.ns[ST_LOCK], 3 * S);
	ck_assert_uint_eq(st.ns[ST_IDLE], 1 * S);
	/* a corrupt file's lock time beyond its futex time stays within it */
	t.sys.offcpu_lock_ns = 9 * S;
	thread_states(&t, &st);
	ck_assert_uint_eq(st.ns[ST_LOCK], 4 * S);
	ck_assert_uint_eq(st.total_ns, 5 * S);
}
END_TEST

/* One Node process under Connection: close: its loop on a CPU 94% of the run. */
START_TEST(test_single_thread_saturated)
{
	const struct finding *w;
	struct process *p;
	struct finding f[32];
	struct snapshot s;
	struct thread *t;
	size_t n;

	run_init(&s, 2, 5, 1);
	t = add_process(&s, 920, "node");
	t->tcp_reads = t->tcp_writes = 41598;
	accepts(t, 41598, 0);
	t->sched.cpu_ns = 4700 * MS;
	t->sched.runq_wait_ns = 250 * MS;
	n = findings(&s, f);
	w = find(f, n, "single_thread_saturated");
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->severity, SEV_CRITICAL);
	ck_assert_msg(strstr(w->text, "thread 920 of node (920) was on a CPU 94% of the run"), "%s",
		      w->text);
	ck_assert_str_eq(w->evidence[2].name, "cpu_share");
	ck_assert_double_eq_tol(w->evidence[2].value, 0.94, 1e-9);
	ck_assert_str_eq(f[0].id, "single_thread_saturated");
	snapshot_free(&s);

	/* 85% of the run: busy, not at the wall */
	run_init(&s, 2, 5, 1);
	t = add_process(&s, 920, "node");
	t->tcp_reads = t->tcp_writes = 41598;
	t->sched.cpu_ns = 4250 * MS;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "single_thread_saturated"));
	snapshot_free(&s);

	/* a helper at 95% (a GC thread spinning) is not the serving thread's wall */
	run_init(&s, 2, 5, 1);
	bun_run(&s, 930, &p);
	s.processes[0].threads[1].sched.cpu_ns = 4750 * MS;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "single_thread_saturated"));
	snapshot_free(&s);
}
END_TEST

/*
 * A 10 s run of one busy process (pid 700, waiting for a CPU runq_ns) in the v1 cpu cgroup /quota
 * below the ancestor /, with the quota and counters given (quota_us 0: no quota).
 */
static void throttled_run(struct snapshot *s, uint64_t quota_us, uint64_t periods,
			  uint64_t throttled, uint64_t throttled_ns, uint64_t runq_ns)
{
	struct thread *t;

	run_init(s, 2, 10, 1);
	t = add_process(s, 700, "busy");
	t->sched.cpu_ns = 2 * S;
	t->sched.runq_wait_ns = runq_ns;
	s->cpu_cgroups = calloc(2, sizeof(*s->cpu_cgroups));
	ck_assert_ptr_nonnull(s->cpu_cgroups);
	s->ncpu_cgroups = 2;
	s->cpu_cgroups[0].path = strdup("/");
	s->cpu_cgroups[1].path = strdup("/quota");
	s->cpu_cgroups[1].pids = calloc(1, sizeof(int));
	ck_assert(s->cpu_cgroups[0].path && s->cpu_cgroups[1].path && s->cpu_cgroups[1].pids);
	s->cpu_cgroups[0].hierarchy = s->cpu_cgroups[1].hierarchy = CGROUP_V1;
	s->cpu_cgroups[1].pids[0] = 700;
	s->cpu_cgroups[1].npids = 1;
	s->cpu_cgroups[0].limit = (struct cpu_limit){
		.known = CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING, .period_us = 100000};
	s->cpu_cgroups[1].limit = (struct cpu_limit){
		.known = CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING | (quota_us ? CPU_KNOWN_QUOTA : 0),
		.quota_us = quota_us,
		.period_us = 100000,
		.periods = periods,
		.throttled_periods = throttled,
		.throttled_ns = throttled_ns};
}

START_TEST(test_cpu_throttled)
{
	const struct finding *w;
	struct finding f[32];
	struct snapshot s;
	size_t n;

	/* 0.2 CPUs wanted by a busy thread: throttled nearly every period, and it waited */
	throttled_run(&s, 20000, 100, 98, 7800 * MS, 7900 * MS);
	n = findings(&s, f);
	w = find(f, n, "cpu_throttled");
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->severity, SEV_CRITICAL);
	ck_assert_str_eq(
		w->text,
		"cgroup /quota (v1) ran out of its quota of 20ms per 100ms (0.20 CPUs) in "
		"98 of 100 periods (98%) and was throttled 7.8s, 78% of the run; its "
		"targets waited 7.9s for a CPU (1.0x the throttled time): a throttled task "
		"stays runnable, so waiting out the period counts as run-queue wait, not as a "
		"lack of CPUs");
	ck_assert_str_eq(w->evidence[0].name, "throttled_periods");
	ck_assert_double_eq(w->evidence[0].value, 98);
	ck_assert_str_eq(w->evidence[2].name, "throttled_period_share");
	ck_assert_double_eq_tol(w->evidence[2].value, 0.98, 1e-9);
	ck_assert_str_eq(w->evidence[5].name, "quota_cpus");
	ck_assert_double_eq_tol(w->evidence[5].value, 0.2, 1e-9);
	ck_assert_str_eq(w->evidence[7].name, "runq_wait_over_throttled");
	snapshot_free(&s);

	/* 6 of 100 periods, 240 ms: a warning; the run-queue wait does not hold the time */
	throttled_run(&s, 400000, 100, 6, 240 * MS, 10 * MS);
	n = findings(&s, f);
	w = find(f, n, "cpu_throttled");
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->severity, SEV_WARNING);
	ck_assert_msg(strstr(w->text,
			     "quota of 400ms per 100ms (4.00 CPUs) in 6 of 100 periods "
			     "(6%) and was throttled 240ms, 2% of the run; its targets "
			     "waited 10ms for a CPU (0.0x the throttled time): most of the "
			     "throttled time is not in their run-queue wait"),
		      "%s", w->text);
	snapshot_free(&s);

	/* few periods throttled, but long: 5% of the run is enough */
	throttled_run(&s, 20000, 200, 4, 600 * MS, 600 * MS);
	n = findings(&s, f);
	ck_assert_ptr_nonnull(find(f, n, "cpu_throttled"));
	snapshot_free(&s);

	/* an ancestor's quota: the targets below it are its targets */
	throttled_run(&s, 0, 0, 0, 0, 3 * S);
	s.cpu_cgroups[0].limit = (struct cpu_limit){.known = CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD |
							     CPU_KNOWN_THROTTLING,
						    .quota_us = 50000,
						    .period_us = 100000,
						    .periods = 100,
						    .throttled_periods = 30,
						    .throttled_ns = 3 * S};
	n = findings(&s, f);
	w = find(f, n, "cpu_throttled");
	ck_assert_ptr_nonnull(w);
	ck_assert_msg(strstr(w->text, "cgroup / (v1) ran out of its quota of 50ms per 100ms"), "%s",
		      w->text);
	ck_assert_msg(strstr(w->text, "its targets waited 3.0s for a CPU"), "%s", w->text);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_cpu_throttled_silent)
{
	struct finding f[32];
	struct snapshot s;
	size_t n;

	/* a quota never reached: periods counted, none throttled */
	throttled_run(&s, 20000, 100, 0, 0, 0);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_throttled"));
	snapshot_free(&s);

	/* no quota: the counters stand still */
	throttled_run(&s, 0, 0, 0, 0, 5 * S);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_throttled"));
	snapshot_free(&s);

	/* under both shares: 4 of 100 periods, 200 ms of a 10 s run */
	throttled_run(&s, 20000, 100, 4, 200 * MS, 200 * MS);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_throttled"));
	snapshot_free(&s);

	/* one throttled period of a short run is no pattern */
	throttled_run(&s, 20000, 3, 1, 80 * MS, 80 * MS);
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_throttled"));
	snapshot_free(&s);

	/* seen only at the end: no deltas to judge */
	throttled_run(&s, 20000, 100, 90, 7 * S, 7 * S);
	s.cpu_cgroups[1].limit.end_only = true;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_throttled"));
	snapshot_free(&s);

	/* cpu.stat unreadable: throttling unknown, nothing said */
	throttled_run(&s, 20000, 100, 90, 7 * S, 7 * S);
	s.cpu_cgroups[1].limit.known &= ~(unsigned int)CPU_KNOWN_THROTTLING;
	s.cpu_cgroups[1].limit.missing = CPU_FILE_STAT;
	n = findings(&s, f);
	ck_assert_ptr_null(find(f, n, "cpu_throttled"));
	snapshot_free(&s);
}
END_TEST

/* A measured CPU budget of the run: idle_share of its CPUs x wall idle, the rest the targets'. */
static void budget(struct snapshot *s, double idle_share)
{
	uint64_t total = (uint64_t)s->cpus * s->duration_ns;
	uint64_t idle = (uint64_t)(idle_share * (double)total);

	memset(&s->cpu_budget, 0, sizeof(s->cpu_budget));
	s->cpu_budget.status = BUDGET_MEASURED;
	s->cpu_budget.total_ns = total;
	fixture_budget_part(&s->cpu_budget, BUDGET_TARGETS, "targets", (total - idle) * 6 / 10);
	fixture_budget_part(&s->cpu_budget, BUDGET_LOAD, "wrk", (total - idle) * 4 / 10);
	fixture_budget_part(&s->cpu_budget, BUDGET_IDLE, "idle", idle);
}

START_TEST(test_bottleneck)
{
	struct finding f[32];
	struct bottleneck b;
	struct process *p;
	struct snapshot s;
	struct thread *t;
	size_t n;

	/* Bun starved of CPU on busy CPUs: cpu, with who used them */
	run_init(&s, 2, 5, 1);
	bun_run(&s, 900, &p);
	budget(&s, 0.01);
	n = findings(&s, f);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "cpu");
	ck_assert_str_eq(b.subject, "the 2 CPUs");
	ck_assert_msg(strstr(b.text, "the 2 CPUs were 99% busy (targets 59%, load (wrk) 40%), 2.4 CPUs "
				     "were wanted on average and the serving threads waited for one "
				     "42% of their time"),
		      "%s", b.text);
	ck_assert_str_eq(b.evidence[0].name, "busy_share");
	ck_assert_double_eq_tol(b.evidence[0].value, 0.99, 1e-9);
	ck_assert_ptr_nonnull(find(f, n, "cpu_saturated"));
	ck_assert_int_eq(find(f, n, "cpu_saturated")->severity, SEV_WARNING);
	/* 90% busy, the loops waiting 42% for a CPU: the idle rest is gaps, the CPUs still limit */
	budget(&s, 0.10);
	n = findings(&s, f);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "cpu");
	ck_assert_ptr_null(find(f, n, "cpu_saturated"));
	/* 70% busy: not the CPUs */
	budget(&s, 0.30);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "none");
	ck_assert_msg(strstr(b.text, "the 2 CPUs were 30% idle"), "%s", b.text);
	/* 90% busy, the loops waiting 20% (under 30%), but 2.0 CPUs wanted: still the CPUs */
	s.processes[0].threads[0].sched.runq_wait_ns = 1000 * MS;
	ck_assert_int_eq(snapshot_finish(&s), 0);
	budget(&s, 0.10);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "cpu");
	ck_assert_msg(strstr(b.text, "2.0 CPUs were wanted"), "%s", b.text);
	/* 94% busy, the loops hardly waiting: 1.9 CPUs wanted of 2: none, and no cpu_saturated */
	s.processes[0].threads[0].sched.runq_wait_ns = 100 * MS;
	budget(&s, 0.06);
	n = findings(&s, f);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "none");
	ck_assert_ptr_null(find(f, n, "cpu_saturated"));
	/* no budget: unknown, not none */
	memset(&s.cpu_budget, 0, sizeof(s.cpu_budget));
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "unknown");
	ck_assert_msg(strstr(b.text, "saved without a CPU budget"), "%s", b.text);
	snapshot_free(&s);

	/* one Node process at 94% of a CPU: single_thread, even with the CPUs saturated too */
	run_init(&s, 2, 5, 1);
	t = add_process(&s, 920, "node");
	t->tcp_reads = t->tcp_writes = 41598;
	t->sched.cpu_ns = 4700 * MS;
	budget(&s, 0.01);
	ck_assert_int_eq(snapshot_finish(&s), 0);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "single_thread");
	ck_assert_str_eq(b.subject, "thread 920 of node (920)");
	snapshot_free(&s);

	/* a cluster master on a whole CPU: the dispatcher comes first */
	cluster_run(&s, (uint64_t[2]){500, 500});
	s.processes[0].threads[0].sched.cpu_ns = 95 * S / 10;
	s.processes[1].threads[0].sched.cpu_ns = 95 * S / 10;
	budget(&s, 0.0);
	ck_assert_int_eq(snapshot_finish(&s), 0);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "dispatcher");
	ck_assert_str_eq(b.subject, "thread 100 of node (100)");
	ck_assert_msg(strstr(b.text, "was on a CPU 95% of the run"), "%s", b.text);
	snapshot_free(&s);

	/* a quota that throttled 98% of the periods: throttled first, whatever else holds */
	throttled_run(&s, 20000, 100, 98, 7800 * MS, 7900 * MS);
	budget(&s, 0.0);
	ck_assert_int_eq(snapshot_finish(&s), 0);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "throttled");
	ck_assert_str_eq(b.subject, "cgroup /quota");
	ck_assert_msg(strstr(b.text, "cgroup /quota (v1) used up its CPU quota (0.20 CPUs) in 98 of "
				     "100 periods"),
		      "%s", b.text);
	snapshot_free(&s);
	/* throttled in 10% of them: cpu_throttled's warning, not what limited the run */
	throttled_run(&s, 20000, 100, 10, 800 * MS, 800 * MS);
	budget(&s, 0.5);
	ck_assert_int_eq(snapshot_finish(&s), 0);
	analyze_bottleneck(&s, &b);
	ck_assert_str_eq(bottleneck_kind_name(b.kind), "none");
	ck_assert_str_eq(bottleneck_kind_name(BN_KINDS), "?");
	snapshot_free(&s);
}
END_TEST

Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_thread_states);
	tcase_add_test(tc, test_roles_and_handoff);
	tcase_add_test(tc, test_handoff_silent_without_dispatcher);
	tcase_add_test(tc, test_imbalance_and_idle_workers);
	tcase_add_test(tc, test_cpu_oversubscription);
	tcase_add_test(tc, test_accept_contention);
	tcase_add_test(tc, test_light_mode_findings);
	tcase_add_test(tc, test_switch_rate_and_requests);
	tcase_add_test(tc, test_quiet_run_and_order);
	tcase_add_test(tc, test_helper_threads);
	tcase_add_test(tc, test_thread_kinds);
	tcase_add_test(tc, test_thread_kind_single);
	tcase_add_test(tc, test_futex_lock_time);
	tcase_add_test(tc, test_single_thread_saturated);
	tcase_add_test(tc, test_bottleneck);
	tcase_add_test(tc, test_cpu_throttled);
	tcase_add_test(tc, test_cpu_throttled_silent);
	suite_add_tcase(s, tc);
	return s;
}
