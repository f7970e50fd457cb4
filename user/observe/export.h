/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps as serve reads them, again and again while attached: every thread once (an exiting
 * one from the exited map only), with its latency figures and errnos; then, once its last figures
 * are folded into the totals, every exited thread's entries freed so the maps stay bounded.
 */
#ifndef LOADSCOPE_OBSERVE_EXPORT_H
#define LOADSCOPE_OBSERVE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/exporter.h"
#include "observe/observer.h"

struct export_reading;

/* Read the maps now. 0 or a negative errno; *out is freed with export_reading_free. */
int observer_export_read(struct observer *o, struct export_reading **out);
/*
 * The threads read, sorted by (tid, seq): stats, lat, errnos and exited filled in, the labels
 * (cgroup, container_id, process) NULL for the caller to set. Owned by r.
 */
size_t export_reading_threads(struct export_reading *r, struct export_thread **threads);
/* The drop counters, summed over the CPUs, with the threads seeding could not add. */
void export_reading_drops(const struct export_reading *r, uint64_t drops[DROP_REASONS]);
/*
 * Free the map entries of the exited threads r read (exited, lat, others, errnos). Call only
 * after their figures are in the totals. Returns how many threads were freed.
 */
size_t observer_export_release(struct observer *o, const struct export_reading *r);
void export_reading_free(struct export_reading *r);

#endif /* LOADSCOPE_OBSERVE_EXPORT_H */
