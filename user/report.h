/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers: each turns a snapshot into one report format on a stream and knows nothing of BPF. */
#ifndef LOADSCOPE_REPORT_H
#define LOADSCOPE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* Size of a buffer that holds any format_ns() result, NUL included. */
#define FORMAT_NS_LEN 24

/*
 * A duration in the largest unit (ns, us, ms, s) that keeps it at 1 or more: one decimal below
 * 10 ("6.1us", "2.1ms"), none from 10 on ("14ms", "312us"); exact below 1 us ("999ns").
 * Returns buf.
 */
char *format_ns(uint64_t ns, char *buf, size_t len);

/*
 * The text report: a header (duration, CPUs, kernel, targets, command, dropped threads), a table
 * with one row per process (and per thread when threads is true), and each process's run-queue
 * wait histogram with the p50/p90/p99 lines marked. Lines stay within 100 columns.
 */
void report_text(const struct snapshot *s, FILE *f, bool threads);

/* text in words on lines of at most 100 columns: the first after `first`, the rest indented. */
void report_wrapped(FILE *f, const char *first, const char *text, int indent);

#endif /* LOADSCOPE_REPORT_H */
