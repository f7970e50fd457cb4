/* SPDX-License-Identifier: GPL-2.0 */
/* A synthetic snapshot with known figures, shared by the JSON and report tests. */
#ifndef LOADSCOPE_TEST_FIXTURE_H
#define LOADSCOPE_TEST_FIXTURE_H

#include "core/model.h"

/*
 * 2 s on 4 CPUs; command "wrk -t2 -c100 http://127.0.0.1:3000/json", exit status 0; 3 threads
 * dropped because the thread map was full. Processes, after snapshot_finish:
 *   4211 node (ppid 1), alive: threads 4211 node (alive) and 4213 node-worker (exited)
 *   4300 sh (ppid 4211), exited: thread 4300 sh (exited), no run-queue waits
 * Thread 4211: cpu 1.5 s; waits 900 x 5 us, 90 x 100 us, 10 x 2.5 ms; vcsw 2000, icsw 400,
 *              migrations 12, wakeups 1500.
 * Thread 4213: cpu 0.5 s; waits 100 x 20 us; vcsw 300, icsw 100, migrations 3, wakeups 250.
 * Thread 4300: cpu 10 ms; no waits; vcsw 1, icsw 0, migrations 0, wakeups 1.
 * Syscalls: thread 4211 accepts 40 (10 of them EAGAIN) at 10 us, reads 100 x 2 us (6400 bytes),
 *   polls 50 x 1 ms (blocked 45 ms in poll), 3 other (2 nanosleep of 10 ms, 1 openat of 4 us
 *   that failed ENOENT); passes 7 descriptors on (accept -> handoff 30 us each); its
 *   connections waited 20 x 50 us in the listen queue, backlog up to 4; 2 never accepted.
 *   Thread 4213 writes 20 x 3 us (2000 bytes) and reads 10 x 1 us (one EAGAIN).
 *   Thread 4300 receives the 7 descriptors: handoff 4211 -> 4300, 7.
 * Selection: 4211 by pid in cgroup /system.slice/app.service, 4300 as its descendant in
 *   /system.slice/app.service/worker (so two cgroup totals); the targets also list --comm node,
 *   --cgroup /system.slice/app.service and container FIXTURE_CONTAINER_ID.
 * CPU budget: 8 s (4 CPUs x 2 s): targets 2.01 s, load wrk 1.5 s, other systemd 210 ms, sshd
 *   100 ms and (rest) 80 ms, irq 10 ms, softirq 610 ms, steal 10 ms, idle 3.47 s.
 * -i series: two 1 s intervals, 4211 on a CPU 0.75 s then 1.5 s; their budgets of 4 s: targets
 *   0.75 s / 1.5 s, load wrk 0.7 / 0.8 s, (rest) 50 / 100 ms, irq 0 / 10 ms, softirq 300 /
 *   310 ms, steal 0 / 10 ms, idle 2.2 / 1.27 s.
 * Everything is heap-allocated, so snapshot_free releases it.
 */
#define FIXTURE_CONTAINER_ID "3f2a9c1b7e44d5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0"

void fixture_snapshot(struct snapshot *s);

/*
 * CPU limits for the fixture, on cgroup v2 (then the cgroup totals again, which take them):
 *   /system.slice                      ancestor, no quota (max 100000), PSI some 5 s
 *   /system.slice/app.service          4211: 20ms per 100ms (0.20 CPUs), throttled in 15 of 20
 *                                      periods for 1.2 s, PSI some 1.3 s
 *   /system.slice/app.service/worker   4300: no quota, cpu.stat unreadable
 * and one more cpu cgroup left out (cpu_cgroups_full 1).
 */
void fixture_cpu_limits(struct snapshot *s);

/*
 * The fixture as light mode (--no-syscalls) collects it: no_syscalls set, the user/kernel split
 * unknown, every figure of the syscall hooks 0 (syscalls, the connection path, TCP reads and
 * writes, handoffs, the off-CPU split by class), each thread's uninterruptible sleep in the
 * SC_NONE slot, as the scheduler programs leave it; process totals made again.
 */
void fixture_light(struct snapshot *s);

/* Records count events of value_ns each into a latency figure. */
void fixture_add_lat(struct lat_figures *l, uint64_t value_ns, uint64_t count);

/* Records count run-queue waits of value_ns each, as the kernel side would. */
void fixture_add_waits(struct sched_stats *st, uint64_t value_ns, uint64_t count);

/* Appends a part to a budget (the caller sets its status and total). */
void fixture_budget_part(struct cpu_budget *b, enum budget_kind kind, const char *name,
			 uint64_t cpu_ns);

/* strdup that fails the running test instead of returning NULL. */
char *fixture_strdup(const char *s);

/* A directory tree the tests made, removed with everything in it. */
void fixture_remove_tree(const char *root);

#endif /* LOADSCOPE_TEST_FIXTURE_H */
