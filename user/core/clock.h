/* SPDX-License-Identifier: GPL-2.0 */
/* The run's clock: CLOCK_MONOTONIC, the clock of the programs' bpf_ktime_get_ns(). */
#ifndef LOADSCOPE_CLOCK_H
#define LOADSCOPE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* LOADSCOPE_CLOCK_H */
