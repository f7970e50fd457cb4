/* SPDX-License-Identifier: GPL-2.0 */
/* The maps into the model, repeatable: while the programs run (-i, serve) or after detaching. */
#ifndef LOADSCOPE_COLLECT_H
#define LOADSCOPE_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "observe/observer.h"

/*
 * Every target process's cumulative figures now, while the programs run (for -i): *out is
 * malloc'd, sorted by pid. 0 or a negative errno.
 */
int observer_sample(struct observer *o, struct proc_sample **out, size_t *n);
/*
 * Read the maps into snap (processes, threads, drops) for the run that ends at end_ns
 * (CLOCK_MONOTONIC: observer_detach()'s result, or now while attached); the maps are only
 * read, so it can be called again. 0 or a negative errno.
 */
int observer_collect(struct observer *o, uint64_t end_ns, struct snapshot *snap);

/* One map value into the model: a latency figure, and a thread's scheduler figures. */
void collect_lat_figures(struct lat_figures *f, const struct lat_stats *l);
void collect_sched_stats(struct sched_stats *st, const struct thread_stats *s);

#endif /* LOADSCOPE_COLLECT_H */
