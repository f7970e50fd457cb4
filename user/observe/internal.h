/* SPDX-License-Identifier: GPL-2.0 */
/* What observe/'s files share and nothing outside it sees: the observer and its skeleton. */
#ifndef LOADSCOPE_OBSERVE_INTERNAL_H
#define LOADSCOPE_OBSERVE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "loadscope.h"
#include "core/model.h"
#include "loadscope.skel.h"

/* Exited threads drained from the kernel's map (stash.c): a min-heap on on_cpu_ns. */
struct exited_stash {
	struct thread_stats *threads;
	size_t n, cap;	  /* cap: --max-threads */
	uint64_t drained; /* entries moved out of the map so far */
	uint64_t dropped; /* let go beyond cap: the least CPU */
};

/* A live thread's schedstat, read right after detaching: the run's last reading of it. */
struct end_sample {
	uint32_t tid;
	bool ok; /* false: gone by then */
	uint64_t cpu_ns;
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
	bool detached;
	struct end_sample *end; /* by tid, once detached */
	size_t nend;
};

/* The sample of tid read at detach, or NULL. */
const struct end_sample *observer_end_sample(const struct observer *o, uint32_t tid);

/* The entries of a hash map whose keys begin with (tid, seq), sorted by those. */
struct map_entries {
	char *data; /* n records of key_size + value_size bytes */
	size_t n, key_size, rec_size;
};

/* Every entry of a map keyed by (tid, seq, ...) into e, sorted by (tid, seq); 0 or -ENOMEM. */
int observe_read_entries(int fd, size_t key_size, size_t value_size, struct map_entries *e);
/*
 * Every thread of the threads map (key_size 4, live: on-CPU time until now added from
 * schedstat, comm refreshed) or of the exited map, appended to *arr. 0 or -ENOMEM.
 */
int observe_read_threads(const struct observer *o, int fd, size_t key_size, bool live,
			 uint64_t end_ns, struct thread_stats **arr, size_t *n, size_t *cap);

#endif /* LOADSCOPE_OBSERVE_INTERNAL_H */
