/* SPDX-License-Identifier: GPL-2.0 */
/* What limited a run, in one statement with the numbers behind it: a pure function of the model. */
#ifndef LOADSCOPE_BOTTLENECK_H
#define LOADSCOPE_BOTTLENECK_H

#include <stddef.h>

#include "core/analysis.h"
#include "core/model.h"

enum bottleneck_kind {
	BN_THROTTLED,  /* a target cgroup's CPU quota: the group waited out its periods */
	BN_DISPATCHER, /* a dispatcher's serving thread on a CPU HANDOFF_CPU_BOTTLENECK of the run
			*/
	BN_SINGLE_THREAD, /* a serving thread on a CPU SINGLE_THREAD_SATURATED of the run */
	BN_CPU,		  /* the machine's CPUs CPU_SATURATED_SHARE busy */
	BN_NONE,	  /* CPUs idle, nothing saturated: the limit is outside the targets */
	BN_UNKNOWN, /* nothing saturated, and no CPU budget to tell idle CPUs from busy ones */
	BN_KINDS,
};

#define BOTTLENECK_SUBJECT_LEN 96
struct bottleneck {
	enum bottleneck_kind kind;
	char subject[BOTTLENECK_SUBJECT_LEN]; /* "thread 4211 of node (4211)", "the 2 CPUs", ... */
	char text[FINDING_TEXT_LEN];	      /* the sentence the reports open with */
	size_t nevidence;
	struct {
		const char *name;
		double value;
	} evidence[FINDING_EVIDENCE];
};

/* "throttled", "dispatcher", "single_thread", "cpu", "none", "unknown". */
const char *bottleneck_kind_name(enum bottleneck_kind k);
/*
 * The first of these that holds, in this order: a throttled target cgroup, a saturated
 * dispatcher, a saturated serving thread, saturated CPUs (saying who used them), else none (or
 * unknown without a CPU budget).
 */
void analyze_bottleneck(const struct snapshot *s, struct bottleneck *out);
/*
 * The CPU budget's parts, busiest first, as "targets 58%, load (wrk) 31%, softirq 6%" (idle
 * left out), at most max of them; "" when the budget was not measured.
 */
void budget_users(const struct cpu_budget *b, size_t max, char *buf, size_t len);

#endif /* LOADSCOPE_BOTTLENECK_H */
