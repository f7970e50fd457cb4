// SPDX-License-Identifier: GPL-2.0
/* The -i time series: intervals from successive samples (the math; render/live.c shows them). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/intervals.h"

const struct proc_sample *proc_sample_find(const struct proc_sample *arr, size_t n, int pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (arr[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && arr[lo].pid == pid ? &arr[lo] : NULL;
}

static uint64_t grew(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

int interval_append(struct snapshot *s, const struct proc_sample *prev, size_t nprev,
		    const struct proc_sample *cur, size_t ncur, uint64_t end_ns,
		    uint64_t duration_ns)
{
	static const struct proc_sample none;
	struct interval *grown, *iv;
	uint64_t hist[HIST_BUCKETS];

	grown = realloc(s->intervals, (s->nintervals + 1) * sizeof(*s->intervals));
	if (!grown)
		return -ENOMEM;
	s->intervals = grown;
	iv = &grown[s->nintervals];
	memset(iv, 0, sizeof(*iv));
	iv->end_ns = end_ns;
	iv->duration_ns = duration_ns;
	iv->procs = calloc(ncur ? ncur : 1, sizeof(*iv->procs));
	if (!iv->procs)
		return -ENOMEM;
	for (size_t i = 0; i < ncur; i++) {
		const struct proc_sample *c = &cur[i], *p = proc_sample_find(prev, nprev, c->pid);
		struct interval_proc *ip = &iv->procs[iv->nprocs++];
		uint64_t max = 0;

		if (!p)
			p = &none;
		ip->pid = c->pid;
		ip->cpu_ns = grew(c->cpu_ns, p->cpu_ns);
		ip->runq_wait_ns = grew(c->runq_wait_ns, p->runq_wait_ns);
		ip->switches = grew(c->switches, p->switches);
		ip->accepts = grew(c->accepts, p->accepts);
		ip->syscalls = grew(c->syscalls, p->syscalls);
		for (int k = 0; k < HIST_BUCKETS; k++) {
			hist[k] = grew(c->runq_hist[k], p->runq_hist[k]);
			if (hist[k])
				max = hist_bucket_upper(k) == UINT64_MAX ? hist_bucket_lower(k)
									  : hist_bucket_upper(k) - 1;
		}
		ip->runq_timed = hist_total(hist, HIST_BUCKETS) > 0;
		ip->runq_p99_ns = hist_percentile(hist, HIST_BUCKETS, 0.99);
		if (max && ip->runq_p99_ns > max)
			ip->runq_p99_ns = max;
	}
	s->nintervals++;
	return 0;
}
