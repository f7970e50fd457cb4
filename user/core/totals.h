/* SPDX-License-Identifier: GPL-2.0 */
/* A run summed over its target processes, overall and by role: pure functions over a snapshot. */
#ifndef LOADSCOPE_TOTALS_H
#define LOADSCOPE_TOTALS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/analysis.h"
#include "core/model.h"

struct role_totals {
	size_t processes;
	uint64_t cpu_ns;
	uint64_t runq_wait_ns;
	uint64_t accepted;
	uint64_t handoff_sent;
	uint64_t handoff_received;
	uint64_t responses; /* TCP writes on served connections */
};

/* A run summed over its target processes. */
struct run_totals {
	uint64_t requests;
	bool requests_given;
	uint64_t duration_ns;
	uint64_t cpu_ns;
	uint64_t cpu_kernel_ns; /* the part of cpu_ns inside syscalls; cpu_split says if known */
	bool cpu_split;
	uint64_t runq_wait_ns;
	uint64_t runq_max_ns;
	uint64_t switches;
	uint64_t wakeups;
	uint64_t syscalls;
	bool syscalls_traced; /* false in light mode: syscalls, serving_polls, accepted unknown */
	uint64_t serving_polls; /* poll-class calls of the processes that serve: their wakeups */
	uint64_t accepted;
	uint64_t handoffs;
	uint64_t runq_hist[HIST_BUCKETS];
	struct role_totals roles[ROLE_COUNT];
};

void run_totals(const struct snapshot *s, struct run_totals *t);
/* Requests per poll wakeup of the serving processes (batching); 0 when none was seen. */
double requests_per_poll(const struct run_totals *t);

#endif /* LOADSCOPE_TOTALS_H */
