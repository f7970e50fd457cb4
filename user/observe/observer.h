/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF lifecycle: check the host, open, configure, load, attach, detach, close. */
#ifndef LOADSCOPE_OBSERVER_H
#define LOADSCOPE_OBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

struct observer_config {
	bool raw_tp;   /* use the raw_tp programs even where tp_btf works */
	/*
	 * light mode: attach no sys_enter/sys_exit programs, nor the TCP state program that only
	 * the accept path reads; scheduler figures, the CPU budget and limits remain
	 */
	bool no_syscalls;
	bool verbose;  /* pass libbpf's messages to stderr */
	bool children; /* follow forked processes */
	unsigned int max_threads;
	const char *const *comms; /* --comm: tasks that exec with one of these names become targets */
	size_t ncomms;            /* at most LS_MAX_COMMS */
	const uint64_t *cgroup_ids; /* tasks in these cgroup v2 subtrees are targets */
	size_t ncgroups;            /* at most LS_MAX_CGROUPS */
};

struct observer;

/* Privileges, the host pid namespace and kernel BTF; returns 0 or a negative errno with a one-line reason in err. */
int observer_check_host(char *err, size_t errlen);
/* Open, configure and load the programs (not attached yet). */
int observer_open(const struct observer_config *cfg, struct observer **out, char *err,
		  size_t errlen);
int observer_attach(struct observer *o, char *err, size_t errlen);
const char *observer_program_kind(const struct observer *o);
/* Runs the kernel skipped for recursion, summed over the loaded programs (DROP_RECURSION). */
uint64_t observer_recursion_misses(const struct observer *o);
/* Every program detached; returns the time it happened (CLOCK_MONOTONIC), the run's end. */
uint64_t observer_detach(struct observer *o);
void observer_close(struct observer *o);

#endif /* LOADSCOPE_OBSERVER_H */
