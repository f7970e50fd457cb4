/* SPDX-License-Identifier: GPL-2.0 */
/* Exited threads drained from the kernel's map during a run, the most CPU kept (stash.c). */
#ifndef LOADSCOPE_OBSERVE_STASH_H
#define LOADSCOPE_OBSERVE_STASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loadscope.h"

struct observer;

/*
 * Move the exited-thread map's entries into the stash: when the exits counted since the last
 * drain could fill a quarter of it, or always with all (at the end of a run). 0 or -ENOMEM.
 */
int observer_drain_exited(struct observer *o, bool all);
/* The exited threads kept (in no order), and how many were let go as the least CPU. */
size_t observer_stash_threads(const struct observer *o, const struct thread_stats **out);
uint64_t observer_stash_dropped(const struct observer *o);

#endif /* LOADSCOPE_OBSERVE_STASH_H */
