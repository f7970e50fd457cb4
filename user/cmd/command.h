/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmark command after "--": forked before attaching, released into exec once a target. */
#ifndef LOADSCOPE_COMMAND_H
#define LOADSCOPE_COMMAND_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define CHILD_TERM_GRACE_S 2 /* how long a COMMAND still running at the end gets after SIGTERM */

/* COMMAND, forked early and held at a pipe until the programs are attached and it is a target. */
struct command {
	pid_t pid;
	int go_fd;	     /* write end: one byte releases the child into exec */
	int error_fd;	     /* read end: the child's errno if exec failed, EOF when it succeeded */
	int status;	     /* wait status once reaped */
	struct rusage usage; /* once reaped: its and its reaped descendants' resource use */
	bool reaped;
};

/*
 * Fork argv, held before exec until command_release(); the child restores orig_mask. 0, or a
 * negative errno with one line in err.
 */
int command_spawn(struct command *c, char **argv, const sigset_t *orig_mask, char *err,
		  size_t errlen);

/* Let the child exec; returns 0, or the errno of a failed exec. */
int command_release(struct command *c);

/* Reaps the command if it has exited; true once it has. */
bool command_poll(struct command *c);

/* End a COMMAND still running when the run stops: SIGTERM, a grace period, then SIGKILL. */
void command_finish(struct command *c, const sigset_t *waitset);

/* Its exit status, 128 + the signal that ended it, or -1 when there was none or it is not reaped.
 */
int command_exit_code(const struct command *c);

/* User and system time of the command and the descendants it reaped; 0 until it is reaped. */
uint64_t command_cpu_ns(const struct command *c);

#endif /* LOADSCOPE_COMMAND_H */
