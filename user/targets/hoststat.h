/* SPDX-License-Identifier: GPL-2.0 */
/* The machine's CPU accounting from /proc: the "cpu" line of stat and every process's stat. */
#ifndef LOADSCOPE_HOSTSTAT_H
#define LOADSCOPE_HOSTSTAT_H

#include <stdbool.h>

#include "core/budget.h"

/* The "cpu" line of /proc/stat's text; 0 or -EINVAL. Fields a kernel does not have read as 0. */
int hoststat_parse_cpu(const char *text, struct cpu_ticks *out);
/* /proc/PID/stat's text: pid, comm, ppid, utime + stime and starttime; 0 or -EINVAL. */
int hoststat_parse_proc(const char *text, struct proc_ticks *out);

/* The "cpu" line of proc_root's stat ("/proc/stat"); 0 or a negative errno. */
int hoststat_read_cpu(const char *proc_root, struct cpu_ticks *out);
/* Process pid's stat under proc_root; 0 or a negative errno (-ENOENT once it is reaped). */
int hoststat_read_proc(const char *proc_root, int pid, struct proc_ticks *out);

/*
 * The machine now, from proc_root ("/proc"): its stat, then every process's, or at the run's end
 * the other way round. When stat cannot be read, h->error says why and no process is kept; a
 * process that is gone by the time its file is opened is left out. Returns h->error (-ENOMEM
 * when the list could not be kept).
 */
int host_sample_take(const char *proc_root, bool end, struct host_sample *h);

/*
 * The machine at an -i tick, cheaply: two small reads, its stat and the stat of process load_pid
 * (none when it is 0). h->error says why stat could not be read; a load that cannot be read is
 * left out. Returns h->error (-ENOMEM when the load could not be kept).
 */
int host_sample_take_load(const char *proc_root, int load_pid, struct host_sample *h);

#endif /* LOADSCOPE_HOSTSTAT_H */
