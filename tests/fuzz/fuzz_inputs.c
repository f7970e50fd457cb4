// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the parsers of what loadscope reads from outside besides saved runs: its
 * command line, and the text of /proc and cgroup files. The first byte picks the parser, the
 * rest is its input (for the command line, one argument per line). A crash, a leak, undefined
 * behaviour, an error without its one-line reason, or a parse that claims success with figures
 * it cannot have read is a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "core/cpulimit.h"
#include "targets/hoststat.h"
#include "targets/procfs.h"

#define MAX_ARGS 64

enum input_kind {
	IN_OPTIONS,
	IN_PROC_STAT_CPU,
	IN_PROC_PID_STAT,
	IN_CPU_MAX,
	IN_CFS_QUOTA,
	IN_CFS_PERIOD,
	IN_CPU_STAT,
	IN_CPU_PRESSURE,
	IN_PROC_CGROUP_V1,
	IN_PROC_CGROUP_V2,
	IN_TASK_STAT,
	IN_TASK_SYSCALL,
	IN_TASK_SCHEDSTAT,
	IN_KINDS,
};

/* The command line, one argument per line after "loadscope". */
static void fuzz_options(char *text)
{
	char *argv[MAX_ARGS + 2], err[512] = "";
	struct options o;
	int argc = 0;

	argv[argc++] = "loadscope";
	for (char *line = strtok(text, "\n"); line && argc <= MAX_ARGS; line = strtok(NULL, "\n"))
		argv[argc++] = line;
	argv[argc] = NULL;
	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		/* rejected: with one line saying why, nothing kept */
		if (!err[0] || strchr(err, '\n'))
			abort();
		return;
	}
	options_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpu_sample sample = { 0 };
	struct proc_schedstat st;
	struct proc_ticks pt;
	struct cpu_ticks ct;
	unsigned long args[PROC_SYSCALL_ARGS];
	char *text, path[64], comm[16], state;
	long nr;
	int ppid;

	if (!size)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % IN_KINDS) {
	case IN_OPTIONS:
		fuzz_options(text);
		break;
	case IN_PROC_STAT_CPU:
		hoststat_parse_cpu(text, &ct);
		break;
	case IN_PROC_PID_STAT:
		hoststat_parse_proc(text, &pt);
		break;
	case IN_CPU_MAX:
		cpu_parse_max(text, &sample);
		break;
	case IN_CFS_QUOTA:
		cpu_parse_cfs_quota(text, &sample);
		break;
	case IN_CFS_PERIOD:
		cpu_parse_cfs_period(text, &sample);
		break;
	case IN_CPU_STAT:
		cpu_parse_stat(text, &sample);
		break;
	case IN_CPU_PRESSURE:
		cpu_parse_pressure(text, &sample);
		break;
	case IN_PROC_CGROUP_V1:
	case IN_PROC_CGROUP_V2:
		/* a path that fits is NUL-terminated within it */
		if (!cpu_cgroup_parse(text,
				      data[0] % IN_KINDS == IN_PROC_CGROUP_V1 ? CGROUP_V1 : CGROUP_V2,
				      path, sizeof(path)) &&
		    !memchr(path, '\0', sizeof(path)))
			abort();
		break;
	case IN_TASK_STAT:
		if (!proc_parse_stat(text, &ppid, comm, sizeof(comm), &state) &&
		    !memchr(comm, '\0', sizeof(comm)))
			abort();
		break;
	case IN_TASK_SYSCALL:
		proc_parse_syscall(text, &nr, args);
		break;
	case IN_TASK_SCHEDSTAT:
		proc_parse_schedstat(text, &st);
		break;
	}
	free(text);
	return 0;
}
