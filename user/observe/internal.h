/* SPDX-License-Identifier: GPL-2.0 */
/* What observe/'s files share and nothing outside it sees: the observer and its skeleton. */
#ifndef LOADSCOPE_OBSERVE_INTERNAL_H
#define LOADSCOPE_OBSERVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "loadscope.skel.h"

struct observer {
	struct loadscope_bpf *skel;
	bool raw_tp;
	uint64_t seed_drops; /* threads found in /proc that did not fit in the map */
};

/* CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns() */
static inline uint64_t observer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* LOADSCOPE_OBSERVE_INTERNAL_H */
