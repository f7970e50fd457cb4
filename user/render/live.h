/* SPDX-License-Identifier: GPL-2.0 */
/* The -i time series as it runs: a live view on a terminal, otherwise a plain line per interval. */
#ifndef LOADSCOPE_LIVE_H
#define LOADSCOPE_LIVE_H

#include <stdio.h>

#include "core/intervals.h"

/*
 * The latest interval on a terminal, in place: a header with elapsed (and remaining, when
 * total_ns is set) time, how busy the CPUs were and who used them ("CPUs 97% busy (targets
 * 61%, load (wrk) 30%)"), then one row per process, busiest first, at most max_rows.
 */
void interval_live(const struct snapshot *s, const struct proc_sample *cur, size_t ncur,
		   uint64_t total_ns, int cpus, size_t max_rows, FILE *f);
/*
 * The latest interval as one plain line: time, totals over the targets, the busiest process;
 * then, indented on a line of its own, how busy the CPUs were and who used them.
 */
void interval_line(const struct snapshot *s, const struct proc_sample *cur, size_t ncur, int cpus,
		   FILE *f);

#endif /* LOADSCOPE_LIVE_H */
