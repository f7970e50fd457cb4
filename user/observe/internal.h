/* SPDX-License-Identifier: GPL-2.0 */
/* What observe/'s files share and nothing outside it sees: the observer and its skeleton. */
#ifndef LOADSCOPE_OBSERVE_INTERNAL_H
#define LOADSCOPE_OBSERVE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/model.h"
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
	bool stats;	     /* run-time statistics: sampled, or on already for the whole run */
	bool sampling;	     /* the sampler thread runs */
	pthread_t sampler;   /* turns the statistics on for a slice of every period */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;	       /* under lock: the sampler ends */
	uint64_t sampled_ns;   /* under lock: time the statistics were on */
	uint64_t attached_ns;  /* CLOCK_MONOTONIC at attach */
	struct observer_cost cost; /* the programs' runs and run time, read at detach */
	struct exited_stash stash;
};

#endif /* LOADSCOPE_OBSERVE_INTERNAL_H */
