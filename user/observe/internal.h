/* SPDX-License-Identifier: GPL-2.0 */
/* What observe/'s files share and nothing outside it sees: the observer and its skeleton. */
#ifndef LOADSCOPE_OBSERVE_INTERNAL_H
#define LOADSCOPE_OBSERVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "loadscope.skel.h"

/* Exited threads drained from the kernel's map (stash.c): a min-heap on on_cpu_ns. */
struct exited_stash {
	struct thread_stats *threads;
	size_t n, cap;	  /* cap: --max-threads */
	uint64_t drained; /* entries moved out of the map so far */
	uint64_t dropped; /* let go beyond cap: the least CPU */
};

struct observer {
	struct loadscope_bpf *skel;
	bool raw_tp;
	bool no_syscalls; /* observer_config.no_syscalls */
	uint64_t seed_drops; /* threads found in /proc that did not fit in the map */
	struct exited_stash stash;
};

#endif /* LOADSCOPE_OBSERVE_INTERNAL_H */
