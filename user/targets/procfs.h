/* SPDX-License-Identifier: GPL-2.0 */
/* Reading /proc: process tree, threads, names and the kernel's own scheduler accounting. */
#ifndef LOADSCOPE_PROCFS_H
#define LOADSCOPE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1 when /proc/PID exists (a process or a zombie), else 0. */
int proc_exists(int pid);
/* Parent process and name of a thread from /proc/PID/task/TID/stat; either may be NULL. */
int proc_task_stat(int pid, int tid, int *ppid, char *comm, size_t commlen);
int proc_task_comm(int pid, int tid, char *comm, size_t commlen);
/* /proc/PID/task/TID/schedstat: the kernel's sched_info for one thread. */
struct proc_schedstat {
	uint64_t cpu_ns;       /* se.sum_exec_runtime */
	uint64_t runq_wait_ns; /* sched_info.run_delay */
	uint64_t runs;         /* sched_info.pcount: arrivals on a CPU */
};

int proc_task_schedstat(int pid, int tid, struct proc_schedstat *out);
/* The state letter of /proc/PID/task/TID/stat (R, S, D, ...). */
int proc_task_state(int pid, int tid, char *state);
/* The syscall a sleeping thread is in (/proc/PID/task/TID/syscall): -1 when in none. */
#define PROC_SYSCALL_ARGS 6
int proc_task_syscall(int pid, int tid, long *nr, unsigned long args[PROC_SYSCALL_ARGS]);
/*
 * The same files' text, parsed (what the readers above do once they have read them): a stat
 * line's ppid, comm and state letter (each may be NULL), a syscall line, a schedstat line.
 * 0, or -EINVAL when the text is not what the kernel writes.
 */
int proc_parse_stat(const char *buf, int *ppid, char *comm, size_t commlen, char *state);
int proc_parse_syscall(const char *buf, long *nr, unsigned long args[PROC_SYSCALL_ARGS]);
int proc_parse_schedstat(const char *buf, struct proc_schedstat *out);
/* Thread ids of a process; *tids is malloc'd. */
int proc_list_tasks(int pid, int **tids, size_t *ntids);
/*
 * Processes whose name (their main thread's comm) is one of names, leaving out `exclude`: *pids
 * and, for each, the index of its name in *which; both malloc'd.
 */
int proc_find_comm(const char *const *names, size_t nnames, int exclude, int **pids, int **which,
		   size_t *n);
/* roots and every process below them, leaving out `exclude` and its subtree; *out is malloc'd. */
int proc_descendants(const int *roots, size_t nroots, int exclude, int **out, size_t *nout);

#endif /* LOADSCOPE_PROCFS_H */
