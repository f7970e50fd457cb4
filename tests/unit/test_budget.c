// SPDX-License-Identifier: GPL-2.0
/* Tests of the CPU budget: the arithmetic of a run and an interval, the /proc parsers, readers. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/budget.h"
#include "fixture.h"
#include "suites.h"
#include "targets/hoststat.h"

#define HZ	   100
#define TICK_NS	   10000000ULL /* one tick at HZ */
#define SELF_PID   600
#define LOAD_PID   500
#define TAKEN_TICK 100000 /* the start sample's time since boot */

/* Processes of a sample, by pid as host_sample_take leaves them. */
static void add_proc(struct host_sample *h, int pid, int ppid, const char *comm,
		     uint64_t start_ticks, uint64_t cpu_ticks)
{
	struct proc_ticks *p;

	h->procs = realloc(h->procs, (h->nprocs + 1) * sizeof(*h->procs));
	ck_assert_ptr_nonnull(h->procs);
	ck_assert(!h->nprocs || h->procs[h->nprocs - 1].pid < pid);
	p = &h->procs[h->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->start_ticks = start_ticks;
	p->cpu_ticks = cpu_ticks;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
}

/* A snapshot whose targets are these pids, each with that on-CPU time. */
static void targets(struct snapshot *s, const int *pids, const uint64_t *cpu_ns, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->processes = calloc(n ? n : 1, sizeof(*s->processes));
	ck_assert_ptr_nonnull(s->processes);
	for (size_t i = 0; i < n; i++) {
		s->processes[i].pid = pids[i];
		s->processes[i].sched.cpu_ns = cpu_ns[i];
	}
	s->nprocesses = n;
}

static struct budget_inputs inputs(const struct host_sample *start, const struct host_sample *end,
				   int load_pid, uint64_t load_cpu_ns)
{
	return (struct budget_inputs){
		.start = start,
		.end = end,
		.ticks_per_s = HZ,
		.self_pid = SELF_PID,
		.load_pid = load_pid,
		.load_name = "/usr/bin/wrk",
		.load_cpu_ns = load_cpu_ns,
	};
}

static uint64_t parts_sum(const struct cpu_budget *b)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < b->nparts; i++)
		sum += b->parts[i].cpu_ns;
	return sum;
}

static void assert_part(const struct cpu_budget *b, size_t i, enum budget_kind kind,
			const char *name, uint64_t cpu_ns)
{
	ck_assert_uint_lt(i, b->nparts);
	ck_assert_msg(b->parts[i].kind == kind, "part %zu is %s, not %s", i,
		      budget_kind_name(b->parts[i].kind), budget_kind_name(kind));
	ck_assert_str_eq(b->parts[i].name, name);
	ck_assert_msg(b->parts[i].cpu_ns == cpu_ns, "part %zu (%s) is %llu ns, not %llu", i, name,
		      (unsigned long long)b->parts[i].cpu_ns, (unsigned long long)cpu_ns);
}

/*
 * Between the samples: user +300, nice +20, system +100 ticks (4.2 s for tasks), idle +150,
 * iowait +10, irq +2, softirq +30, steal +1: 613 ticks, 6.13 s in all.
 */
static void machine(struct host_sample *start, struct host_sample *end)
{
	memset(start, 0, sizeof(*start));
	memset(end, 0, sizeof(*end));
	start->taken_ticks = TAKEN_TICK;
	end->taken_ticks = TAKEN_TICK + 300;
	start->cpu = (struct cpu_ticks){1000, 0, 500, 2000, 100, 10, 50, 5};
	end->cpu = (struct cpu_ticks){1300, 20, 600, 2150, 110, 12, 80, 6};
}

START_TEST(test_parts_add_up)
{
	static const int pids[] = {300, 301};
	static const uint64_t cpu[] = {1000000000, 500000000};
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	targets(&s, pids, cpu, 2);
	add_proc(&start, 100, 1, "systemd", 5, 10);
	add_proc(&end, 100, 1, "systemd", 5, 30); /* 20 ticks */
	add_proc(&start, 101, 1, "sshd", 6, 5);
	add_proc(&end, 101, 1, "sshd", 6, 15); /* 10 */
	add_proc(&start, 102, 101, "sshd", 7, 0);
	add_proc(&end, 102, 101, "sshd", 7, 5); /* 5 more under the same name */
	/* targets: their own figures count, not /proc's */
	add_proc(&start, 300, 1, "server", 8, 100);
	add_proc(&end, 300, 1, "server", 8, 900);
	add_proc(&end, 301, 300, "server", 9, 400);
	/* the load and its descendants are the load part */
	add_proc(&start, LOAD_PID, SELF_PID, "loadscope", TAKEN_TICK - 1, 0);
	add_proc(&end, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 90);
	add_proc(&end, 501, LOAD_PID, "wrk", TAKEN_TICK + 10, 30);
	add_proc(&end, 502, 501, "helper", TAKEN_TICK + 20, 3);
	add_proc(&start, SELF_PID, 1, "loadscope", 50, 20);
	add_proc(&end, SELF_PID, 1, "loadscope", 50, 70);
	/* ksoftirqd's time is softirq already */
	add_proc(&start, 700, 2, "ksoftirqd/0", 1, 10);
	add_proc(&end, 700, 2, "ksoftirqd/0", 1, 40);
	/* started during the run: all of it counts */
	add_proc(&end, 800, 1, "cron", TAKEN_TICK + 5, 3);
	/* a pid used again by a process started during the run */
	add_proc(&start, 900, 1, "old", 5, 1000);
	add_proc(&end, 900, 1, "new", TAKEN_TICK + 7, 4);
	/* running at the start, but the start sample missed it: unknown, in (rest) */
	add_proc(&end, 950, 1, "missed", 11, 5000);
	/* gone by the end: in (rest) */
	add_proc(&start, 960, 1, "gone", 12, 50);

	in = inputs(&start, &end, LOAD_PID, 1200000000);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_int_eq(b.status, BUDGET_MEASURED);
	ck_assert_uint_eq(b.total_ns, 613 * TICK_NS);
	ck_assert_uint_eq(b.nparts, 11);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 1500000000);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 1200000000);
	assert_part(&b, 2, BUDGET_OTHER, "systemd", 20 * TICK_NS);
	assert_part(&b, 3, BUDGET_OTHER, "sshd", 15 * TICK_NS);
	assert_part(&b, 4, BUDGET_OTHER, "new", 4 * TICK_NS);
	assert_part(&b, 5, BUDGET_OTHER, "cron", 3 * TICK_NS);
	/* the tasks' 4.2 s less 3.12 s */
	assert_part(&b, 6, BUDGET_OTHER, BUDGET_REST_NAME, 108 * TICK_NS);
	assert_part(&b, 7, BUDGET_IRQ, "irq", 2 * TICK_NS);
	assert_part(&b, 8, BUDGET_SOFTIRQ, "softirq", 30 * TICK_NS);
	assert_part(&b, 9, BUDGET_STEAL, "steal", 1 * TICK_NS);
	assert_part(&b, 10, BUDGET_IDLE, "idle", 160 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_OTHER), (20 + 15 + 4 + 3 + 108) * TICK_NS);

	/* without a load (no COMMAND), its processes are others like any */
	in = inputs(&start, &end, 0, 0);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_int_eq(b.parts[1].kind, BUDGET_OTHER);
	assert_part(&b, 1, BUDGET_OTHER, "wrk", 120 * TICK_NS);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_LOAD), 0);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);

	host_sample_free(&start);
	host_sample_free(&end);
	snapshot_free(&s);
}
END_TEST

/* Seven other names: the five busiest are parts, equal times in name order, the rest in (rest). */
/*
 * A virtual CPU that missed busy ticks (its host ran something else): /proc/stat's fields add up
 * to 6.13 s where 2 CPUs x 4 s passed. The total is the CPUs x the wall time, idle (measured, not
 * ticked) stays as counted, and the tasks get the rest: the load's 2 s are not scaled down to
 * the ticks that were missed.
 */
START_TEST(test_missed_ticks)
{
	static const int pids[] = {300};
	static const uint64_t cpu[] = {1000000000};
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	start.stat_ns = 5000000000ULL;
	end.stat_ns = 9000000000ULL;
	targets(&s, pids, cpu, 1);
	s.cpus = 2;
	in = inputs(&start, &end, LOAD_PID, 2000000000);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_uint_eq(b.total_ns, 8000000000ULL);
	/* 8 s less irq 2, softirq 30, steal 1 and idle 160 ticks: 6.07 s for the tasks */
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 1000000000);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 2000000000);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_IDLE), 160 * TICK_NS);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_OTHER), 8000000000ULL - 193 * TICK_NS -
								    3000000000ULL);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	/* a sample whose time is not known: the ticks' own sum, as before */
	end.stat_ns = 0;
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_uint_eq(b.total_ns, 613 * TICK_NS);
	host_sample_free(&start);
	host_sample_free(&end);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_top_five)
{
	static const struct {
		const char *comm;
		uint64_t ticks;
	} procs[] = {
		{"e", 5}, {"a", 9}, {"c", 7}, {"b", 7}, {"g", 1}, {"f", 2}, {"d", 7}, {"idle", 0},
	};
	static const char *const order[] = {"a", "b", "c", "d", "e"};
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	targets(&s, NULL, NULL, 0);
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
		add_proc(&start, 100 + (int)i, 1, procs[i].comm, 1, 1000);
		add_proc(&end, 100 + (int)i, 1, procs[i].comm, 1, 1000 + procs[i].ticks);
	}
	in = inputs(&start, &end, 0, 0);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 0);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(b.parts[1 + i].name, order[i]);
	ck_assert_uint_eq(b.parts[1].cpu_ns, 9 * TICK_NS);
	ck_assert_uint_eq(b.parts[5].cpu_ns, 5 * TICK_NS);
	/* f, g and what no process accounts for */
	assert_part(&b, 6, BUDGET_OTHER, BUDGET_REST_NAME, (420 - 35) * TICK_NS);
	ck_assert_int_eq(b.parts[7].kind, BUDGET_IRQ);
	ck_assert_uint_eq(b.nparts, 11);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	host_sample_free(&start);
	host_sample_free(&end);
	snapshot_free(&s);
}
END_TEST

/* A counter that went backwards counts nothing: iowait on a tickless CPU, a process's time. */
START_TEST(test_negative_deltas)
{
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	end.cpu.iowait = start.cpu.iowait - 40;
	end.cpu.steal = 0;
	targets(&s, NULL, NULL, 0);
	add_proc(&start, 100, 1, "odd", 1, 50);
	add_proc(&end, 100, 1, "odd", 1, 20);
	in = inputs(&start, &end, 0, 0);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	/* idle +150, iowait and steal nothing: 613 - 10 - 1 ticks */
	ck_assert_uint_eq(b.total_ns, 602 * TICK_NS);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_IDLE), 150 * TICK_NS);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_STEAL), 0);
	/* no part for "odd": all of the tasks' time is (rest) */
	ck_assert_uint_eq(b.nparts, 6);
	assert_part(&b, 1, BUDGET_OTHER, BUDGET_REST_NAME, 420 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	host_sample_free(&start);
	host_sample_free(&end);
	snapshot_free(&s);
}
END_TEST

/* The command is a target (no selector, or one that matched it): it has no part of its own. */
START_TEST(test_command_is_target)
{
	static const int pids[] = {LOAD_PID, 501};
	static const uint64_t cpu[] = {2000000000, 500000000};
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	targets(&s, pids, cpu, 2);
	add_proc(&start, LOAD_PID, SELF_PID, "loadscope", TAKEN_TICK - 1, 0);
	add_proc(&end, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 200);
	add_proc(&end, 501, LOAD_PID, "wrk", TAKEN_TICK + 1, 50);
	in = inputs(&start, &end, LOAD_PID, 2500000000);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_LOAD), 0);
	for (size_t i = 0; i < b.nparts; i++)
		ck_assert_int_ne(b.parts[i].kind, BUDGET_LOAD);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 2500000000);
	assert_part(&b, 1, BUDGET_OTHER, BUDGET_REST_NAME, 170 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	host_sample_free(&start);
	host_sample_free(&end);
	snapshot_free(&s);
}
END_TEST

/*
 * The processes' own time above what /proc/stat counted for tasks (their on-CPU time includes
 * interrupts without CONFIG_IRQ_TIME_ACCOUNTING): all scaled alike, nothing left for (rest).
 */
START_TEST(test_processes_above_tasks_time)
{
	static const int pids[] = {300};
	static const uint64_t cpu[] = {3600000000};
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	targets(&s, pids, cpu, 1);
	add_proc(&start, 100, 1, "systemd", 1, 0);
	add_proc(&end, 100, 1, "systemd", 1, 60);
	/* 3.6 + 1.8 + 0.6 = 6 s measured for the tasks' 4.2 s: each x 0.7 */
	in = inputs(&start, &end, LOAD_PID, 1800000000);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 2520000000);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 1260000000);
	assert_part(&b, 2, BUDGET_OTHER, "systemd", 420000000);
	assert_part(&b, 3, BUDGET_OTHER, BUDGET_REST_NAME, 0);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	host_sample_free(&start);
	host_sample_free(&end);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_unreadable)
{
	struct host_sample start, end;
	struct budget_inputs in;
	struct cpu_budget b;
	struct snapshot s;

	machine(&start, &end);
	targets(&s, NULL, NULL, 0);
	end.error = -EACCES;
	in = inputs(&start, &end, 0, 0);
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_int_eq(b.status, BUDGET_UNREADABLE);
	ck_assert_str_eq(b.error, strerror(EACCES));
	ck_assert_uint_eq(b.nparts, 0);
	ck_assert_uint_eq(b.total_ns, 0);
	start.error = -ENOENT;
	ck_assert_int_eq(cpu_budget_compute(&in, &s, &b), 0);
	ck_assert_str_eq(b.error, strerror(ENOENT));
	snapshot_free(&s);
}
END_TEST

/* An interval whose processes used these CPU times. */
static void interval_of(struct interval *iv, const int *pids, const uint64_t *cpu_ns, size_t n)
{
	memset(iv, 0, sizeof(*iv));
	iv->procs = calloc(n ? n : 1, sizeof(*iv->procs));
	ck_assert_ptr_nonnull(iv->procs);
	for (size_t i = 0; i < n; i++) {
		iv->procs[i].pid = pids[i];
		iv->procs[i].cpu_ns = cpu_ns[i];
	}
	iv->nprocs = n;
}

static struct interval_budget_inputs interval_inputs(const struct host_sample *start,
						     const struct host_sample *end, int load_pid)
{
	return (struct interval_budget_inputs){
		.start = start,
		.end = end,
		.ticks_per_s = HZ,
		.load_pid = load_pid,
		.load_name = "/usr/bin/wrk",
	};
}

/*
 * An interval's budget, from /proc/stat and the load's stat alone: /proc/stat's parts as the
 * run's, the targets' the interval's processes summed, the load's its ticks, the rest (rest).
 */
START_TEST(test_interval_parts)
{
	static const int pids[] = {300, 301};
	static const uint64_t cpu[] = {1000000000, 500000000};
	struct host_sample start, end;
	struct interval_budget_inputs in;
	struct interval iv;
	struct cpu_budget b;

	machine(&start, &end);
	interval_of(&iv, pids, cpu, 2);
	add_proc(&start, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 40);
	add_proc(&end, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 160); /* 120 ticks */
	in = interval_inputs(&start, &end, LOAD_PID);
	cpu_budget_interval(&in, &iv, &b);
	ck_assert_int_eq(b.status, BUDGET_MEASURED);
	ck_assert_uint_eq(b.total_ns, 613 * TICK_NS);
	ck_assert_uint_eq(b.nparts, 7);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 1500000000);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 120 * TICK_NS);
	/* the tasks' 4.2 s less 2.7 s: every other process is in (rest) */
	assert_part(&b, 2, BUDGET_OTHER, BUDGET_REST_NAME, 150 * TICK_NS);
	assert_part(&b, 3, BUDGET_IRQ, "irq", 2 * TICK_NS);
	assert_part(&b, 4, BUDGET_SOFTIRQ, "softirq", 30 * TICK_NS);
	assert_part(&b, 5, BUDGET_STEAL, "steal", 1 * TICK_NS);
	assert_part(&b, 6, BUDGET_IDLE, "idle", 160 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);

	/* without a load: targets, (rest) and /proc/stat's parts */
	in = interval_inputs(&start, &end, 0);
	cpu_budget_interval(&in, &iv, &b);
	ck_assert_uint_eq(b.nparts, 6);
	ck_assert_uint_eq(cpu_budget_kind_ns(&b, BUDGET_LOAD), 0);
	assert_part(&b, 1, BUDGET_OTHER, BUDGET_REST_NAME, 270 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);

	/* no process in the interval: the targets' part is 0 */
	free(iv.procs);
	interval_of(&iv, NULL, NULL, 0);
	in = interval_inputs(&start, &end, LOAD_PID);
	cpu_budget_interval(&in, &iv, &b);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 0);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 120 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	free(iv.procs);
	host_sample_free(&start);
	host_sample_free(&end);
}
END_TEST

/* The run's arithmetic: above the tasks' time, the targets and the load are scaled alike. */
START_TEST(test_interval_scaled)
{
	static const int pids[] = {300};
	static const uint64_t cpu[] = {3600000000};
	struct host_sample start, end;
	struct interval_budget_inputs in;
	struct interval iv;
	struct cpu_budget b;

	machine(&start, &end);
	interval_of(&iv, pids, cpu, 1);
	add_proc(&start, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 0);
	add_proc(&end, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 240);
	/* 3.6 + 2.4 = 6 s measured for the tasks' 4.2 s: each x 0.7 */
	in = interval_inputs(&start, &end, LOAD_PID);
	cpu_budget_interval(&in, &iv, &b);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 2520000000);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 1680000000);
	assert_part(&b, 2, BUDGET_OTHER, BUDGET_REST_NAME, 0);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	free(iv.procs);
	host_sample_free(&start);
	host_sample_free(&end);
}
END_TEST

/*
 * The load as a target of the interval: no part of its own. Not read at the end (reaped), or a
 * new process under its pid: its time is in (rest). A sample with an error: unreadable.
 */
START_TEST(test_interval_load_cases)
{
	static const int pids[] = {300, LOAD_PID};
	static const uint64_t cpu[] = {1000000000, 800000000};
	struct host_sample start, end;
	struct interval_budget_inputs in;
	struct interval iv;
	struct cpu_budget b;

	machine(&start, &end);
	add_proc(&start, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 0);
	add_proc(&end, LOAD_PID, SELF_PID, "wrk", TAKEN_TICK - 1, 80);
	interval_of(&iv, pids, cpu, 2);
	in = interval_inputs(&start, &end, LOAD_PID);
	cpu_budget_interval(&in, &iv, &b);
	for (size_t i = 0; i < b.nparts; i++)
		ck_assert_int_ne(b.parts[i].kind, BUDGET_LOAD);
	assert_part(&b, 0, BUDGET_TARGETS, "targets", 1800000000);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);
	free(iv.procs);

	/* gone from the end sample */
	interval_of(&iv, pids, cpu, 1);
	free(end.procs);
	end.procs = NULL;
	end.nprocs = 0;
	cpu_budget_interval(&in, &iv, &b);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 0);
	assert_part(&b, 2, BUDGET_OTHER, BUDGET_REST_NAME, 320 * TICK_NS);
	ck_assert_uint_eq(parts_sum(&b), b.total_ns);

	/* another process under its pid, started before the start sample: unknown, in (rest) */
	add_proc(&end, LOAD_PID, 1, "other", 5, 900);
	cpu_budget_interval(&in, &iv, &b);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 0);
	/* one started after it: all of its time is in the interval */
	end.procs[0].start_ticks = TAKEN_TICK + 1;
	end.procs[0].cpu_ticks = 7;
	cpu_budget_interval(&in, &iv, &b);
	assert_part(&b, 1, BUDGET_LOAD, "wrk", 7 * TICK_NS);

	end.error = -EACCES;
	cpu_budget_interval(&in, &iv, &b);
	ck_assert_int_eq(b.status, BUDGET_UNREADABLE);
	ck_assert_str_eq(b.error, strerror(EACCES));
	ck_assert_uint_eq(b.nparts, 0);
	end.error = 0;
	start.error = -ENODATA;
	cpu_budget_interval(&in, &iv, &b);
	ck_assert_int_eq(b.status, BUDGET_UNREADABLE);
	ck_assert_str_eq(b.error, strerror(ENODATA));
	free(iv.procs);
	host_sample_free(&start);
	host_sample_free(&end);
}
END_TEST

START_TEST(test_busy_share)
{
	struct cpu_budget b = {0};
	double share = -1;

	ck_assert(!cpu_budget_busy_share(&b, &share)); /* unknown */
	b.status = BUDGET_UNREADABLE;
	ck_assert(!cpu_budget_busy_share(&b, &share));
	b.status = BUDGET_MEASURED;
	ck_assert(!cpu_budget_busy_share(&b, &share)); /* no time counted */
	b.total_ns = 4000000000ULL;
	fixture_budget_part(&b, BUDGET_TARGETS, "targets", 2000000000ULL);
	fixture_budget_part(&b, BUDGET_IDLE, "idle", 1000000000ULL);
	fixture_budget_part(&b, BUDGET_IDLE, "idle", 200000000ULL);
	ck_assert(cpu_budget_busy_share(&b, &share));
	ck_assert_double_eq_tol(share, 0.7, 1e-12);
	/* idle above the total (a hand-made file): nothing busy, never below 0 */
	b.parts[1].cpu_ns = 5000000000ULL;
	ck_assert(cpu_budget_busy_share(&b, &share));
	ck_assert_double_eq(share, 0.0);
}
END_TEST

START_TEST(test_kind_names)
{
	for (int k = 0; k < BUDGET_KINDS; k++)
		ck_assert_int_eq(budget_kind_parse(budget_kind_name(k)), k);
	ck_assert_str_eq(budget_kind_name(BUDGET_SOFTIRQ), "softirq");
	ck_assert_ptr_null(budget_kind_name(BUDGET_KINDS));
	ck_assert_int_eq(budget_kind_parse("cpu"), -1);
	ck_assert_int_eq(budget_kind_parse(""), -1);
}
END_TEST

START_TEST(test_parse_cpu_line)
{
	struct cpu_ticks t;

	ck_assert_int_eq(hoststat_parse_cpu("cpu  61653 1 29898 95961 1043 2 4252 177 9 0\n"
					    "cpu0 27137 0 13945 52707 429 0 2123 78 0 0\n",
					    &t),
			 0);
	ck_assert_uint_eq(t.user, 61653);
	ck_assert_uint_eq(t.nice, 1);
	ck_assert_uint_eq(t.system, 29898);
	ck_assert_uint_eq(t.idle, 95961);
	ck_assert_uint_eq(t.iowait, 1043);
	ck_assert_uint_eq(t.irq, 2);
	ck_assert_uint_eq(t.softirq, 4252);
	ck_assert_uint_eq(t.steal, 177);
	/* an old kernel's four fields: the others are 0 */
	ck_assert_int_eq(hoststat_parse_cpu("cpu 1 2 3 4\n", &t), 0);
	ck_assert_uint_eq(t.idle, 4);
	ck_assert_uint_eq(t.steal, 0);
	ck_assert_int_eq(hoststat_parse_cpu("cpu 1 2 3\n", &t), -EINVAL);
	ck_assert_int_eq(hoststat_parse_cpu("cpu0 1 2 3 4\n", &t), -EINVAL);
	ck_assert_int_eq(hoststat_parse_cpu("", &t), -EINVAL);
}
END_TEST

START_TEST(test_parse_proc_stat)
{
	struct proc_ticks p;

	ck_assert_int_eq(hoststat_parse_proc("4211 (node) S 1 4211 4211 0 -1 4194560 1200 0 3 0 "
					     "150 40 7 2 20 0 11 0 98765 1000000 2000 ...\n",
					     &p),
			 0);
	ck_assert_int_eq(p.pid, 4211);
	ck_assert_int_eq(p.ppid, 1);
	ck_assert_str_eq(p.comm, "node");
	ck_assert_uint_eq(p.cpu_ticks, 190);
	ck_assert_uint_eq(p.start_ticks, 98765);
	/* a name with spaces and parentheses; the last ')' closes it; cut at 15 bytes */
	ck_assert_int_eq(hoststat_parse_proc("77 (a) b (c)) R 5 0 0 0 -1 0 0 0 0 0 1 2 0 0 -2 0 "
					     "1 0 42\n",
					     &p),
			 0);
	ck_assert_str_eq(p.comm, "a) b (c)");
	ck_assert_int_eq(p.ppid, 5);
	ck_assert_uint_eq(p.cpu_ticks, 3);
	ck_assert_uint_eq(p.start_ticks, 42);
	ck_assert_int_eq(hoststat_parse_proc("8 (abcdefghijklmnopq) S 1 0 0 0 0 0 0 0 0 0 0 0 0 "
					     "0 0 0 1 0 5\n",
					     &p),
			 0);
	ck_assert_str_eq(p.comm, "abcdefghijklmno");
	ck_assert_int_eq(hoststat_parse_proc("9 (short) S 1 0 0\n", &p), -EINVAL);
	ck_assert_int_eq(hoststat_parse_proc("x (y) S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 5", &p),
			 -EINVAL);
	ck_assert_int_eq(hoststat_parse_proc("no parentheses", &p), -EINVAL);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A /proc of its own: stat, two processes, one unreadable, and directories that are not pids. */
START_TEST(test_sample_take)
{
	char root[] = "/tmp/loadscope-proc-XXXXXX", path[256];
	struct host_sample h;
	static const char *const dirs[] = {"42", "7", "13", "self", "sys"};

	ck_assert_ptr_nonnull(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		ck_assert_int_eq(mkdir(path, 0700), 0);
	}
	write_file(root, "stat", "cpu  10 0 5 100 1 0 2 0 0 0\ncpu0 10 0 5 100 1 0 2 0 0 0\n");
	write_file(root, "42/stat", "42 (worker) S 7 0 0 0 -1 0 0 0 0 0 30 12 0 0 20 0 1 0 500\n");
	write_file(root, "7/stat", "7 (init) S 0 0 0 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 2\n");
	write_file(root, "13/stat", "garbage\n");
	write_file(root, "self/stat", "99 (me) S 1 0 0 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 2\n");

	ck_assert_int_eq(host_sample_take(root, false, &h), 0);
	ck_assert_int_eq(h.error, 0);
	ck_assert_uint_eq(h.cpu.user, 10);
	ck_assert_uint_eq(h.cpu.softirq, 2);
	ck_assert_uint_gt(h.taken_ticks, 0);
	ck_assert_uint_eq(h.nprocs, 2);
	ck_assert_int_eq(h.procs[0].pid, 7);
	ck_assert_int_eq(h.procs[1].pid, 42);
	ck_assert_str_eq(h.procs[1].comm, "worker");
	ck_assert_uint_eq(h.procs[1].cpu_ticks, 42);
	ck_assert_int_eq(h.procs[1].ppid, 7);
	host_sample_free(&h);
	/* the end's sample reads the same, processes first */
	ck_assert_int_eq(host_sample_take(root, true, &h), 0);
	ck_assert_uint_eq(h.cpu.idle, 100);
	ck_assert_uint_eq(h.nprocs, 2);
	host_sample_free(&h);

	/* at an -i tick: stat and the load's alone */
	ck_assert_int_eq(host_sample_take_load(root, 42, &h), 0);
	ck_assert_uint_eq(h.cpu.system, 5);
	ck_assert_uint_gt(h.taken_ticks, 0);
	ck_assert_uint_eq(h.nprocs, 1);
	ck_assert_int_eq(h.procs[0].pid, 42);
	ck_assert_uint_eq(h.procs[0].cpu_ticks, 42);
	ck_assert_uint_eq(h.procs[0].start_ticks, 500);
	host_sample_free(&h);
	/* no load, or one that cannot be read: stat alone */
	ck_assert_int_eq(host_sample_take_load(root, 0, &h), 0);
	ck_assert_uint_eq(h.nprocs, 0);
	ck_assert_int_eq(host_sample_take_load(root, 13, &h), 0);
	ck_assert_uint_eq(h.nprocs, 0);
	ck_assert_int_eq(host_sample_take_load(root, 99999, &h), 0);
	ck_assert_uint_eq(h.nprocs, 0);
	ck_assert_ptr_null(h.procs);
	host_sample_free(&h);
	{
		struct proc_ticks p;
		struct cpu_ticks c;

		ck_assert_int_eq(hoststat_read_proc(root, 7, &p), 0);
		ck_assert_str_eq(p.comm, "init");
		ck_assert_int_eq(hoststat_read_proc(root, 13, &p), -EINVAL);
		ck_assert_int_eq(hoststat_read_proc(root, 99999, &p), -ENOENT);
		ck_assert_int_eq(hoststat_read_cpu(root, &c), 0);
		ck_assert_uint_eq(c.idle, 100);
	}

	/* an empty stat, then none at all: the error says why, and no process is kept */
	write_file(root, "stat", "");
	ck_assert_int_eq(host_sample_take(root, false, &h), -ENODATA);
	ck_assert_uint_eq(h.nprocs, 0);
	ck_assert_ptr_null(h.procs);
	snprintf(path, sizeof(path), "%s/stat", root);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(host_sample_take(root, false, &h), -ENOENT);
	ck_assert_int_eq(h.error, -ENOENT);
	host_sample_free(&h);
	ck_assert_int_eq(host_sample_take_load(root, 42, &h), -ENOENT);
	ck_assert_int_eq(h.error, -ENOENT);
	ck_assert_uint_eq(h.nprocs, 0);
	ck_assert_ptr_null(h.procs);
	host_sample_free(&h);
	ck_assert_int_eq(host_sample_take(root, true, &h), -ENOENT);
	ck_assert_uint_eq(h.nprocs, 0);
	ck_assert_ptr_null(h.procs);
	host_sample_free(&h);

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/stat", root, dirs[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		ck_assert_int_eq(rmdir(path), 0);
	}
	ck_assert_int_eq(rmdir(root), 0);
}
END_TEST

Suite *budget_suite(void)
{
	Suite *s = suite_create("budget");
	TCase *tc = tcase_create("arithmetic");

	tcase_add_test(tc, test_parts_add_up);
	tcase_add_test(tc, test_missed_ticks);
	tcase_add_test(tc, test_top_five);
	tcase_add_test(tc, test_negative_deltas);
	tcase_add_test(tc, test_command_is_target);
	tcase_add_test(tc, test_processes_above_tasks_time);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_interval_parts);
	tcase_add_test(tc, test_interval_scaled);
	tcase_add_test(tc, test_interval_load_cases);
	tcase_add_test(tc, test_busy_share);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("proc");
	tcase_add_test(tc, test_parse_cpu_line);
	tcase_add_test(tc, test_parse_proc_stat);
	tcase_add_test(tc, test_sample_take);
	suite_add_tcase(s, tc);
	return s;
}
