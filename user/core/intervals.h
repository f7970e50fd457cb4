/* SPDX-License-Identifier: GPL-2.0 */
/* The -i time series: intervals from successive samples (math only; render/live.h shows them). */
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

/* The sample of process pid in arr (sorted by pid); NULL when it has none. */
const struct proc_sample *proc_sample_find(const struct proc_sample *arr, size_t n, int pid);

#endif /* LOADSCOPE_INTERVALS_H */
