/* SPDX-License-Identifier: GPL-2.0 */
/* serve's cumulative figures as Prometheus text 0.0.4 or OpenMetrics text 1.0.0. */
#ifndef LOADSCOPE_RENDER_PROMETHEUS_H
#define LOADSCOPE_RENDER_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/exporter.h"

enum prom_format {
	PROM_TEXT,	  /* text/plain; version=0.0.4 */
	PROM_OPENMETRICS, /* application/openmetrics-text; version=1.0.0, ends in "# EOF" */
};

#define PROM_TEXT_CONTENT_TYPE	      "text/plain; version=0.0.4; charset=utf-8"
#define PROM_OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* What the exposition says about the exporter itself and the live targets. */
struct prom_meta {
	const char *version; /* build_info */
	const char *program; /* "tp_btf" or "raw_tp" */
	bool syscalls;	     /* the syscall programs are attached: syscall figures, CPU split */
	const struct export_target *targets; /* target_info, one per live process */
	size_t ntargets;
};

/*
 * The exposition of t: every family with its HELP and TYPE (and UNIT in OpenMetrics), one
 * series per group and label values escaped. 0, or -EIO when the stream failed.
 */
int render_prometheus(const struct export_totals *t, const struct prom_meta *m,
		      enum prom_format fmt, FILE *out);
/* Which format an Accept header asks for: OpenMetrics when it names it, else text 0.0.4. */
enum prom_format prom_format_for_accept(const char *accept);

/*
 * A saved run's -i intervals as timestamped OpenMetrics for a backfill (promtool tsdb
 * create-blocks-from openmetrics): per process (pid, process, cgroup), the cumulative CPU time,
 * run-queue wait and switches at the end of each interval, and the interval's run-queue p99 as a
 * gauge; timestamps from the run's start on the wall clock; "# EOF" last. 0; -EINVAL with one
 * line in err when the run has no intervals or no start time; -EIO when the stream failed.
 */
int report_openmetrics(const struct snapshot *s, FILE *out, char *err, size_t errlen);

#endif /* LOADSCOPE_RENDER_PROMETHEUS_H */
