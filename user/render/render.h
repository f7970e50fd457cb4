/* SPDX-License-Identifier: GPL-2.0 */
/* Renderers: each turns a snapshot into one report format on a stream and knows nothing of BPF. */
#ifndef LOADSCOPE_REPORT_H
#define LOADSCOPE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/format.h"
#include "core/model.h"

/*
 * The text report: a header (duration, CPUs, kernel, targets, command, dropped threads), a table
 * with one row per process (and per thread when threads is true), and each process's run-queue
 * wait histogram with the p50/p90/p99 lines marked. Lines stay within 100 columns.
 */
void report_text(const struct snapshot *s, FILE *f, bool threads);

/* Histogram lines as the reports draw them: one for the value 0, then one per power of two. */
#define HIST_LINES (HIST_MAX_LOG2 + 1)

/* Line of the histogram holding bucket idx: 0 for the value 0, k for [2^(k-1), 2^k). */
unsigned int hist_line(unsigned int idx);
/*
 * hist folded into lines[HIST_LINES] (sums saturate); *first and *last: the lowest and highest
 * line with a count. Returns the largest line's count, 0 when hist is empty.
 */
uint64_t hist_fold_lines(const uint64_t *hist, uint64_t *lines, unsigned int *first,
			 unsigned int *last);

/* What a cgroup removed during the run means for its figures, after its path. */
#define CGROUP_REMOVED_NOTE " was removed during the run: its figures are what was seen until then"

/*
 * The header's line of target tasks started and exited during the run, into buf (no newline);
 * false when there is none to say (none started, or not counted).
 */
bool lifecycle_line(const struct snapshot *s, char *buf, size_t len);

/* What light mode (--no-syscalls) leaves out, as the text and HTML reports say it. */
#define LIGHT_MODE_LEAVES_OUT                                                                   \
	"--no-syscalls attached no syscall hook, so the syscall classes and their latency, the "   \
	"accept queue, descriptor handoffs, TCP reads and writes (and with them the roles and "   \
	"the request estimate), idle, I/O and lock waits, and the user/kernel CPU split are not "  \
	"measured (– here, null in the JSON). The scheduler figures, the thread states the "       \
	"scheduler tells, the CPU budget and the CPU limits are."

/* text in words on lines of at most 100 columns: the first after `first`, the rest indented. */
void report_wrapped(FILE *f, const char *first, const char *text, int indent);

/*
 * The CSV report (RFC 4180: CRLF line ends, quoted text): a header row naming each column with
 * its unit, then one row per process, each followed by its threads' rows when threads is true.
 */
void report_csv(const struct snapshot *s, FILE *f, bool threads);

/*
 * The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched) with
 * the findings, a table per process and charts: run-queue wait histograms with p50/p90/p99
 * marked, thread-state bars, the wakeup and handoff graph between processes, syscall latency by
 * class. Every text from the run is escaped.
 */
void report_html(const struct snapshot *s, FILE *f);

/*
 * Length of the UTF-8 sequence at s (n bytes available), 1 to 4; 0 when the bytes there are not
 * well-formed UTF-8. comm and argv are whatever bytes a program chose.
 */
size_t utf8_sequence_len(const char *s, size_t n);

/*
 * The comparison: per-request figures and totals with B/A ratios, the largest differences first;
 * the same by role; then the findings only one run has, and those both have.
 */
void report_diff(const struct snapshot *a, const char *name_a, const struct snapshot *b,
		 const char *name_b, FILE *f);

#endif /* LOADSCOPE_REPORT_H */
