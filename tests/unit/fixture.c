// SPDX-License-Identifier: GPL-2.0
/* Builds the synthetic snapshot that the JSON and report tests share. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

char *fixture_strdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		ck_abort_msg("out of memory");
	return copy;
}

static void *fixture_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		ck_abort_msg("out of memory");
	return p;
}

void fixture_add_waits(struct sched_stats *st, uint64_t value_ns, uint64_t count)
{
	st->runq_hist[hist_bucket(value_ns)] += count;
	st->runq_count += count;
	st->runq_wait_ns += value_ns * count;
	if (count && value_ns > st->runq_max_ns)
		st->runq_max_ns = value_ns;
}

static void fixture_check(int ret)
{
	ck_assert_int_eq(ret, 0);
}

static void set_comm(char *comm, const char *name)
{
	memset(comm, 0, LS_COMM_LEN);
	strncpy(comm, name, LS_COMM_LEN - 1);
}

static void light_thread(struct thread *t)
{
	uint64_t d = 0;

	for (int c = 0; c <= SC_NONE; c++)
		d += t->sys.offcpu_d_ns[c];
	sys_figures_free(&t->sys);
	memset(&t->sys, 0, sizeof(t->sys));
	t->sys.offcpu_d_ns[SC_NONE] = d;
	t->tcp_reads = t->tcp_writes = 0;
	t->sched.cpu_kernel_ns = 0;
}

void fixture_light(struct snapshot *s)
{
	for (size_t i = 0; i < s->nprocesses; i++) {
		struct process *p = &s->processes[i];

		for (size_t j = 0; j < p->nthreads; j++)
			light_thread(&p->threads[j]);
		p->unaccepted = 0;
	}
	free(s->handoffs);
	s->handoffs = NULL;
	s->nhandoffs = 0;
	for (size_t i = 0; i < s->nintervals; i++)
		for (size_t k = 0; k < s->intervals[i].nprocs; k++)
			s->intervals[i].procs[k].accepts = s->intervals[i].procs[k].syscalls = 0;
	s->no_syscalls = true;
	s->cpu_split = false;
	fixture_check(snapshot_finish(s));
	fixture_check(snapshot_group_cgroups(s));
}

void fixture_snapshot(struct snapshot *s)
{
	static const char *const argv[] = {"wrk", "-t2", "-c100", "http://127.0.0.1:3000/json"};
	struct process *p;
	struct thread *t;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->kernel = fixture_strdup("6.1.0-test");
	s->cpus = 4;
	s->duration_ns = 2000000000ULL;
	s->command = fixture_calloc(5, sizeof(*s->command));
	for (i = 0; i < 4; i++)
		s->command[i] = fixture_strdup(argv[i]);
	s->command_exit = 0;
	s->program = fixture_strdup("tp_btf");
	s->cpu_split = true;
	s->targets.pids = fixture_calloc(1, sizeof(*s->targets.pids));
	s->targets.pids[0] = 4211;
	s->targets.npids = 1;
	s->targets.command = false;
	s->targets.children = true;
	s->targets.description = fixture_strdup("tree of 4211 (node)");
	s->drops[DROP_THREADS_FULL] = 3;
	s->drops[DROP_EXITED_FULL] = 0;
	s->has_lifecycle = true;
	s->lifecycle[LC_PROCESSES_STARTED] = 12;
	s->lifecycle[LC_THREADS_STARTED] = 40;
	s->lifecycle[LC_PROCESSES_EXITED] = 11;
	s->lifecycle[LC_THREADS_EXITED] = 38;

	/* Listed out of order on purpose: snapshot_finish sorts. */
	s->nprocesses = 2;
	s->processes = fixture_calloc(2, sizeof(*s->processes));

	p = &s->processes[0];
	p->pid = 4300;
	p->ppid = 4211;
	set_comm(p->comm, "sh");
	p->nthreads = 1;
	p->threads = fixture_calloc(1, sizeof(*p->threads));
	t = &p->threads[0];
	t->tid = 4300;
	set_comm(t->comm, "sh");
	t->exited = true;
	t->sched.cpu_ns = 10000000;
	t->sched.voluntary_switches = 1;
	t->sched.wakeups = 1;

	p = &s->processes[1];
	p->pid = 4211;
	p->ppid = 1;
	set_comm(p->comm, "node");
	p->nthreads = 2;
	p->threads = fixture_calloc(2, sizeof(*p->threads));
	t = &p->threads[0];
	t->tid = 4213;
	set_comm(t->comm, "node-worker");
	t->exited = true;
	t->sched.cpu_ns = 500000000;
	fixture_add_waits(&t->sched, 20000, 100);
	t->sched.voluntary_switches = 300;
	t->sched.involuntary_switches = 100;
	t->sched.migrations = 3;
	t->sched.wakeups = 250;
	t = &p->threads[1];
	t->tid = 4211;
	set_comm(t->comm, "node");
	t->exited = false;
	t->sched.cpu_ns = 1500000000;
	t->sched.cpu_kernel_ns = 400000000;
	fixture_add_waits(&t->sched, 5000, 900);
	fixture_add_waits(&t->sched, 100000, 90);
	fixture_add_waits(&t->sched, 2500000, 10);
	t->sched.voluntary_switches = 2000;
	t->sched.involuntary_switches = 400;
	t->sched.migrations = 12;
	t->sched.wakeups = 1500;

	t = &p->threads[1];
	fixture_add_lat(&t->sys.cls[SC_ACCEPT], 10000, 40);
	t->sys.cls[SC_ACCEPT].errors = 10;
	fixture_check(named_count_add(&t->sys.errnos[SC_ACCEPT], &t->sys.nerrnos[SC_ACCEPT],
				      "EAGAIN", 10, 0, 0));
	fixture_add_lat(&t->sys.cls[SC_READ], 2000, 100);
	t->sys.cls[SC_READ].bytes = 6400;
	fixture_add_lat(&t->sys.cls[SC_POLL], 1000000, 50);
	t->sys.offcpu_ns[SC_POLL] = 45000000;
	fixture_add_lat(&t->sys.cls[SC_OTHER], 10000000, 2);
	fixture_add_lat(&t->sys.cls[SC_OTHER], 4000, 1);
	t->sys.cls[SC_OTHER].errors = 1;
	fixture_check(named_count_add(&t->sys.errnos[SC_OTHER], &t->sys.nerrnos[SC_OTHER],
				      "ENOENT", 1, 0, 0));
	fixture_check(named_count_add(&t->sys.top, &t->sys.ntop, "openat", 1, 1, 4000));
	fixture_check(named_count_add(&t->sys.top, &t->sys.ntop, "nanosleep", 2, 0, 20000000));
	t->sys.handoff_sent = 7;
	fixture_add_lat(&t->sys.handoff_delay, 30000, 7);
	fixture_add_lat(&t->sys.accept_queue, 50000, 20);
	t->sys.backlog_max = 4;
	p->unaccepted = 2;

	t = &p->threads[0];
	fixture_add_lat(&t->sys.cls[SC_WRITE], 3000, 20);
	t->sys.cls[SC_WRITE].bytes = 2000;
	fixture_add_lat(&t->sys.cls[SC_READ], 1000, 10);
	t->sys.cls[SC_READ].errors = 1;
	fixture_check(named_count_add(&t->sys.errnos[SC_READ], &t->sys.nerrnos[SC_READ], "EAGAIN",
				      1, 0, 0));

	s->processes[0].threads[0].sys.handoff_received = 7;
	s->nhandoffs = 1;
	s->handoffs = fixture_calloc(1, sizeof(*s->handoffs));
	s->handoffs[0] = (struct handoff_pair){ .from = 4211, .to = 4300, .count = 7 };

	/* a time series of two 1 s intervals */
	s->interval_ns = 1000000000ULL;
	s->nintervals = 2;
	s->intervals = fixture_calloc(2, sizeof(*s->intervals));
	for (int i = 0; i < 2; i++) {
		s->intervals[i].end_ns = (i + 1) * 1000000000ULL;
		s->intervals[i].duration_ns = 1000000000ULL;
		s->intervals[i].nprocs = 1;
		s->intervals[i].procs = fixture_calloc(1, sizeof(*s->intervals[i].procs));
		s->intervals[i].procs[0] = (struct interval_proc){ .pid = 4211,
								   .cpu_ns = 750000000ULL * (i + 1),
								   .runq_wait_ns = 1000000,
								   .runq_p99_ns = 2500000,
								   .switches = 1200,
								   .accepts = 20,
								   .syscalls = 110 };
	}
	/* each interval's 4 CPU-s: the targets' part is the interval's 0.75 s, then 1.5 s */
	for (int i = 0; i < 2; i++) {
		struct cpu_budget *b = &s->intervals[i].budget;

		b->status = BUDGET_MEASURED;
		b->total_ns = 4000000000ULL;
		fixture_budget_part(b, BUDGET_TARGETS, "targets", 750000000ULL * (i + 1));
		fixture_budget_part(b, BUDGET_LOAD, "wrk", i ? 800000000ULL : 700000000ULL);
		fixture_budget_part(b, BUDGET_OTHER, BUDGET_REST_NAME,
				    i ? 100000000ULL : 50000000ULL);
		fixture_budget_part(b, BUDGET_IRQ, "irq", i ? 10000000ULL : 0);
		fixture_budget_part(b, BUDGET_SOFTIRQ, "softirq", i ? 310000000ULL : 300000000ULL);
		fixture_budget_part(b, BUDGET_STEAL, "steal", i ? 10000000ULL : 0);
		fixture_budget_part(b, BUDGET_IDLE, "idle", i ? 1270000000ULL : 2200000000ULL);
	}

	/* how each became a target, its cgroup, and the selectors besides -p */
	s->processes[0].selected_by = SELECT_DESCENDANT;
	s->processes[0].cgroup = fixture_strdup("/system.slice/app.service/worker");
	s->processes[1].selected_by = SELECT_PID;
	s->processes[1].cgroup = fixture_strdup("/system.slice/app.service");
	s->targets.ncomms = 1;
	s->targets.comms = fixture_calloc(1, sizeof(*s->targets.comms));
	s->targets.comms[0] = fixture_strdup("node");
	s->targets.ncgroups = 1;
	s->targets.cgroups = fixture_calloc(1, sizeof(*s->targets.cgroups));
	s->targets.cgroups[0] = fixture_strdup("/system.slice/app.service");
	s->targets.ncontainers = 1;
	s->targets.containers = fixture_calloc(1, sizeof(*s->targets.containers));
	s->targets.containers[0].id = fixture_strdup(FIXTURE_CONTAINER_ID);
	s->targets.containers[0].cgroup =
		fixture_strdup("/system.slice/docker-" FIXTURE_CONTAINER_ID ".scope");

	/* the machine's 8 s of CPU time; the targets' part is their 2.01 s on-CPU */
	s->cpu_budget.status = BUDGET_MEASURED;
	s->cpu_budget.total_ns = 8000000000ULL;
	fixture_budget_part(&s->cpu_budget, BUDGET_TARGETS, "targets", 2010000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_LOAD, "wrk", 1500000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_OTHER, "systemd", 210000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_OTHER, "sshd", 100000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_OTHER, BUDGET_REST_NAME, 80000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_IRQ, "irq", 10000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_SOFTIRQ, "softirq", 610000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_STEAL, "steal", 10000000ULL);
	fixture_budget_part(&s->cpu_budget, BUDGET_IDLE, "idle", 3470000000ULL);

	fixture_check(snapshot_finish(s));
	fixture_check(snapshot_group_cgroups(s));
}

void fixture_budget_part(struct cpu_budget *b, enum budget_kind kind, const char *name,
			 uint64_t cpu_ns)
{
	struct budget_part *p;

	ck_assert_uint_lt(b->nparts, BUDGET_MAX_PARTS);
	p = &b->parts[b->nparts++];
	p->kind = kind;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->cpu_ns = cpu_ns;
}

static void cpu_cgroup(struct cpu_cgroup *c, const char *path, int pid, struct cpu_limit limit)
{
	c->path = fixture_strdup(path);
	c->hierarchy = CGROUP_V2;
	c->pids = fixture_calloc(1, sizeof(*c->pids));
	if (pid)
		c->pids[c->npids++] = pid;
	c->limit = limit;
}

void fixture_cpu_limits(struct snapshot *s)
{
	const unsigned int counted = CPU_KNOWN_PERIOD | CPU_KNOWN_THROTTLING | CPU_KNOWN_PRESSURE;

	s->ncpu_cgroups = 3;
	s->cpu_cgroups = fixture_calloc(3, sizeof(*s->cpu_cgroups));
	cpu_cgroup(&s->cpu_cgroups[0], "/system.slice", 0,
		   (struct cpu_limit){.known = counted,
				      .period_us = 100000,
				      .pressure_some_ns = 5000000000ULL});
	cpu_cgroup(&s->cpu_cgroups[1], "/system.slice/app.service", 4211,
		   (struct cpu_limit){.known = counted | CPU_KNOWN_QUOTA,
				      .quota_us = 20000,
				      .period_us = 100000,
				      .periods = 20,
				      .throttled_periods = 15,
				      .throttled_ns = 1200000000ULL,
				      .pressure_some_ns = 1300000000ULL});
	cpu_cgroup(&s->cpu_cgroups[2], "/system.slice/app.service/worker", 4300,
		   (struct cpu_limit){.known = CPU_KNOWN_PERIOD | CPU_KNOWN_PRESSURE,
				      .period_us = 100000,
				      .missing = CPU_FILE_STAT});
	s->cpu_cgroups_full = 1;
	fixture_check(snapshot_group_cgroups(s));
}

void fixture_add_lat(struct lat_figures *l, uint64_t value_ns, uint64_t count)
{
	l->count += count;
	l->total_ns += value_ns * count;
	if (value_ns > l->max_ns)
		l->max_ns = value_ns;
	l->hist[hist_bucket(value_ns)] += count;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fixture_remove_tree(const char *root)
{
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
