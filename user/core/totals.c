// SPDX-License-Identifier: GPL-2.0
/* A run summed over its target processes, overall and by role: what the reports and diff share. */
#include <string.h>

#include "core/analysis.h"
#include "core/totals.h"

void run_totals(const struct snapshot *s, struct run_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->requests = snapshot_requests(s, &t->requests_given);
	t->duration_ns = s->duration_ns;
	t->cpu_split = s->cpu_split;
	t->syscalls_traced = !s->no_syscalls;
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];
		enum role r = process_role(s, p);

		t->cpu_ns += p->sched.cpu_ns;
		t->cpu_kernel_ns += p->sched.cpu_kernel_ns;
		t->runq_wait_ns += p->sched.runq_wait_ns;
		t->switches += p->sched.voluntary_switches + p->sched.involuntary_switches;
		t->wakeups += p->sched.wakeups;
		for (int c = 0; c < SC_CLASSES; c++)
			t->syscalls += p->sys.cls[c].count;
		t->accepted += sys_accepted(&p->sys);
		t->handoffs += p->sys.handoff_sent;
		for (int k = 0; k < HIST_BUCKETS; k++)
			t->runq_hist[k] += p->sched.runq_hist[k];
		if (p->sched.runq_max_ns > t->runq_max_ns)
			t->runq_max_ns = p->sched.runq_max_ns;
		if (r == ROLE_WORKER || r == ROLE_SINGLE)
			t->serving_polls += p->sys.cls[SC_POLL].count;
		t->roles[r].processes++;
		t->roles[r].cpu_ns += p->sched.cpu_ns;
		t->roles[r].runq_wait_ns += p->sched.runq_wait_ns;
		t->roles[r].accepted += sys_accepted(&p->sys);
		t->roles[r].handoff_sent += p->sys.handoff_sent;
		t->roles[r].handoff_received += p->sys.handoff_received;
		t->roles[r].responses += p->tcp_writes;
	}
}

double requests_per_poll(const struct run_totals *t)
{
	return t->serving_polls ? (double)t->requests / (double)t->serving_polls : 0;
}
