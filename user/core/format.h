/* SPDX-License-Identifier: GPL-2.0 */
/* Number formatting that the analysis (finding texts) and every renderer share. */
#ifndef LOADSCOPE_FORMAT_H
#define LOADSCOPE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Size of a buffer that holds any format_ns() result, NUL included. */
#define FORMAT_NS_LEN 24

/*
 * A duration in the largest unit (ns, us, ms, s) that keeps it at 1 or more: one decimal below
 * 10 ("6.1us", "2.1ms"), none from 10 on ("14ms", "312us"); exact below 1 us ("999ns").
 * Returns buf.
 */
char *format_ns(uint64_t ns, char *buf, size_t len);
/* format_ns(), or "-" when the figure was not measured (a percentile of no samples). */
char *format_ns_known(uint64_t ns, int known, char *buf, size_t len);

#endif /* LOADSCOPE_FORMAT_H */
