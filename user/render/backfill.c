// SPDX-License-Identifier: GPL-2.0
/* A saved run's intervals as timestamped OpenMetrics, for promtool's backfill. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strutil.h"
#include "render/prometheus.h"

/* The labels of an interval's process: its pid, comm and cgroup from the run's processes. */
static void proc_labels(const struct snapshot *s, int pid, char *buf, size_t len)
{
	const struct process *p = snapshot_find_process((struct snapshot *)s, pid);
	char comm[2 * LS_COMM_LEN + 1], cgroup[512];
	size_t n = 0;

	/* label values escape backslash, double quote and newline */
	const char *src = p ? p->comm : "?";

	for (; *src && n + 3 < sizeof(comm); src++) {
		if (*src == '\\' || *src == '"' || *src == '\n')
			comm[n++] = '\\';
		comm[n++] = *src == '\n' ? 'n' : *src;
	}
	comm[n] = '\0';
	n = 0;
	src = p && p->cgroup ? p->cgroup : "";
	for (; *src && n + 3 < sizeof(cgroup); src++) {
		if (*src == '\\' || *src == '"' || *src == '\n')
			cgroup[n++] = '\\';
		cgroup[n++] = *src == '\n' ? 'n' : *src;
	}
	cgroup[n] = '\0';
	snprintf(buf, len, "pid=\"%d\",process=\"%s\",cgroup=\"%s\"", pid, comm, cgroup);
}

/* The distinct pids of the intervals, ascending. */
static int *interval_pids(const struct snapshot *s, size_t *n)
{
	size_t cap = 0;
	int *v = NULL;

	*n = 0;
	for (size_t i = 0; i < s->nintervals; i++) {
		for (size_t k = 0; k < s->intervals[i].nprocs; k++) {
			int pid = s->intervals[i].procs[k].pid;
			size_t j = 0;

			while (j < *n && v[j] != pid)
				j++;
			if (j < *n)
				continue;
			if (*n == cap) {
				int *grown = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

				if (!grown) {
					free(v);
					return NULL;
				}
				v = grown;
			}
			v[(*n)++] = pid;
		}
	}
	return v ? v : calloc(1, sizeof(*v));
}

enum figure { FIG_CPU, FIG_RUNQ, FIG_SWITCHES, FIG_RUNQ_P99, FIGURES };

/* Named as serve names the same figures, so a backfilled run graphs beside a live host. */
static const struct {
	const char *family, *sample, *extra, *type, *unit, *help;
} figures[FIGURES] = {
	[FIG_CPU] = {"loadscope_cpu_seconds", "loadscope_cpu_seconds_total", "mode=\"all\"",
		     "counter", "seconds", "On-CPU time of the process's threads."},
	[FIG_RUNQ] = {"loadscope_thread_state_seconds", "loadscope_thread_state_seconds_total",
		      "state=\"runnable\"", "counter", "seconds",
		      "Thread time by state; a backfilled run has the run-queue wait only."},
	[FIG_SWITCHES] = {"loadscope_context_switches", "loadscope_context_switches_total",
			  "kind=\"all\"", "counter", NULL,
			  "Context switches of the process's threads, both kinds."},
	[FIG_RUNQ_P99] = {"loadscope_runqueue_wait_p99_seconds",
			  "loadscope_runqueue_wait_p99_seconds", NULL, "gauge", "seconds",
			  "The 99th percentile of the run-queue waits that ended in the interval."},
};

static uint64_t figure_of(const struct interval_proc *p, enum figure f)
{
	switch (f) {
	case FIG_CPU:
		return p->cpu_ns;
	case FIG_RUNQ:
		return p->runq_wait_ns;
	case FIG_SWITCHES:
		return p->switches;
	default:
		return p->runq_p99_ns;
	}
}

static const struct interval_proc *interval_proc_of(const struct interval *in, int pid)
{
	for (size_t k = 0; k < in->nprocs; k++)
		if (in->procs[k].pid == pid)
			return &in->procs[k];
	return NULL;
}

int report_openmetrics(const struct snapshot *s, FILE *out, char *err, size_t errlen)
{
	char labels[1024];
	size_t npids;
	int *pids;

	if (!s->nintervals)
		return errmsg(err, errlen, -EINVAL,
			      "the run has no intervals: record it with -i SECONDS to backfill it");
	if (!s->started_unix_ns)
		return errmsg(err, errlen, -EINVAL,
			      "the run has no start time (saved by an older loadscope): its "
			      "intervals cannot be placed in time");
	pids = interval_pids(s, &npids);
	if (!pids)
		return errmsg(err, errlen, -ENOMEM, "out of memory");
	for (int f = 0; f < FIGURES; f++) {
		fprintf(out, "# TYPE %s %s\n", figures[f].family, figures[f].type);
		if (figures[f].unit)
			fprintf(out, "# UNIT %s %s\n", figures[f].family, figures[f].unit);
		fprintf(out, "# HELP %s %s\n", figures[f].family, figures[f].help);
		for (size_t j = 0; j < npids; j++) {
			uint64_t sum = 0;

			proc_labels(s, pids[j], labels, sizeof(labels));
			for (size_t i = 0; i < s->nintervals; i++) {
				const struct interval *in = &s->intervals[i];
				const struct interval_proc *p = interval_proc_of(in, pids[j]);
				uint64_t ts_ns = s->started_unix_ns + in->end_ns, v;

				/* a process absent from an interval had not started or had ended */
				if (!p)
					continue;
				v = figure_of(p, f);
				if (f != FIG_RUNQ_P99)
					v = sum += v;
				fprintf(out, "%s{%s%s%s} ", figures[f].sample, labels,
					figures[f].extra ? "," : "",
					figures[f].extra ? figures[f].extra : "");
				if (f == FIG_SWITCHES)
					fprintf(out, "%" PRIu64, v);
				else
					fprintf(out, "%" PRIu64 ".%09" PRIu64,
						v / UINT64_C(1000000000), v % UINT64_C(1000000000));
				fprintf(out, " %" PRIu64 ".%03" PRIu64 "\n",
					ts_ns / UINT64_C(1000000000),
					ts_ns / UINT64_C(1000000) % 1000);
			}
		}
	}
	fputs("# EOF\n", out);
	free(pids);
	return ferror(out) ? errmsg(err, errlen, -EIO, "cannot write the OpenMetrics: %s",
				    strerror(EIO))
			   : 0;
}
