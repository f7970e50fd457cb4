/* SPDX-License-Identifier: GPL-2.0 */
/* Saving a snapshot as JSON and reading it back, so runs can be reported and compared offline. */
#ifndef LOADSCOPE_JSON_H
#define LOADSCOPE_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "core/model.h"

/*
 * The document: `schema` ("loadscope/1"), `version`, `kernel`, `cpus`, `duration_ns`, `command`
 * (argv, [] when none), `command_exit` (-1 when none), `program`, `targets` {`description`,
 * `pids`, `command`, `children`}, `drops` {`threads_full`, `exited_full`} and `processes`. Each
 * process has `pid`, `ppid`, `comm`, the figures below, `exited` and `threads`; each thread `tid`,
 * `comm`, `exited` and the figures. Figures: `cpu_ns`, `runq_wait_ns`, `runq_count`,
 * `runq_p50_ns`, `runq_p90_ns`, `runq_p99_ns`, `runq_max_ns`, `runq_hist` (the non-empty buckets
 * only, each {`lower_ns`, `upper_ns`, `count`}, bounds in ns, [lower, upper); `upper_ns` is null
 * for the last bucket, which has no upper bound), `voluntary_switches`, `involuntary_switches`,
 * `migrations`, `wakeups`. `cpu_budget` {`total_ns`, `parts`: [{`kind`, `name`, `cpu_ns`}]} is
 * how the machine's CPUs were shared (kind: targets, load, other, irq, softirq, steal, idle); null
 * with `cpu_budget_error` when /proc/stat could not be read; absent from runs saved before it
 * (read as unknown). Times are integers in ns. Readers should ignore fields they do not know.
 */

/* Writes s as one indented JSON document and a newline; 0 or a negative errno. */
int snapshot_write_json(const struct snapshot *s, FILE *f);

/*
 * Reads a document written by snapshot_write_json from path ("-" is stdin) into *out, which the
 * caller releases with snapshot_free; totals and order are as snapshot_finish leaves them and the
 * percentiles come from the histograms, not from the file. On failure returns a negative errno,
 * leaves *out zeroed and puts one line saying what is wrong and where into err.
 */
int snapshot_read_json(const char *path, struct snapshot *out, char *err, size_t errlen);

/*
 * The same from len bytes in memory (not NUL-terminated); name is the input as messages show
 * it. snapshot_read_json reads the file whole and calls this.
 */
int snapshot_read_json_buffer(const char *buf, size_t len, const char *name,
			      struct snapshot *out, char *err, size_t errlen);

#endif /* LOADSCOPE_JSON_H */
