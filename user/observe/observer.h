/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF lifecycle: check the host, open, configure, load, attach, seed targets, detach, close. */
#ifndef LOADSCOPE_LOADER_H
#define LOADSCOPE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

struct observer_config {
	bool raw_tp;   /* use the raw_tp programs even where tp_btf works */
	bool verbose;  /* pass libbpf's messages to stderr */
	bool children; /* follow forked processes */
	unsigned int max_threads;
	const char *const *comms; /* --comm: tasks that exec with one of these names become targets */
	size_t ncomms;            /* at most LS_MAX_COMMS */
	const uint64_t *cgroup_ids; /* tasks in these cgroup v2 subtrees are targets */
	size_t ncgroups;            /* at most LS_MAX_CGROUPS */
};

struct observer;

/* Privileges and kernel BTF; returns 0 or a negative errno with a one-line reason in err. */
int observer_check_host(char *err, size_t errlen);
/* Open, configure and load the programs (not attached yet). */
int observer_open(const struct observer_config *cfg, struct observer **out, char *err,
		  size_t errlen);
int observer_attach(struct observer *o, char *err, size_t errlen);
/*
 * Make every current thread of process pid a target, selected by `how` (enum select_reason;
 * selector: which --comm or cgroup), in cgroup cgroup_id (0: unknown); call after attaching so
 * no fork is missed. A thread that is a target already keeps its entry.
 */
int observer_add_process(struct observer *o, int pid, enum select_reason how,
			 unsigned int selector, uint64_t cgroup_id);
const char *observer_program_kind(const struct observer *o);
/*
 * Every target process's cumulative figures now, while the programs run (for -i): *out is
 * malloc'd, sorted by pid. 0 or a negative errno.
 */
int observer_sample(struct observer *o, struct proc_sample **out, size_t *n);
void observer_detach(struct observer *o);
/* Read the maps into snap (processes, threads, drops); call after detaching. */
int observer_collect(struct observer *o, struct snapshot *snap);
void observer_close(struct observer *o);

#endif /* LOADSCOPE_LOADER_H */
