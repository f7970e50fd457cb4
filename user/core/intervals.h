/* SPDX-License-Identifier: GPL-2.0 */
/* The -i time series: intervals from successive samples, and how they are shown while running. */
#ifndef LOADSCOPE_INTERVALS_H
#define LOADSCOPE_INTERVALS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/model.h"

/*
 * The interval between two samples (each sorted by pid): per process, what grew. A process new
 * in `cur` counts from zero; one gone from `cur` (all its threads' figures went with it) is left
 * out. Appends it to s->intervals; 0 or -ENOMEM.
 */
int interval_append(struct snapshot *s, const struct proc_sample *prev, size_t nprev,
		    const struct proc_sample *cur, size_t ncur, uint64_t end_ns,
		    uint64_t duration_ns);

/*
 * The latest interval on a terminal, in place: a header with elapsed (and remaining, when
 * total_ns is set) time, then one row per process, busiest first, at most max_rows.
 */
void interval_live(const struct snapshot *s, const struct proc_sample *cur, size_t ncur,
		   uint64_t total_ns, int cpus, size_t max_rows, FILE *f);
/* The latest interval as one plain line: time, totals over the targets, the busiest process. */
void interval_line(const struct snapshot *s, const struct proc_sample *cur, size_t ncur, int cpus,
		   FILE *f);

#endif /* LOADSCOPE_INTERVALS_H */
