/* SPDX-License-Identifier: GPL-2.0 */
/* The cpu controller's files of the targets' cgroups, read at the start and at the end of a run. */
#ifndef LOADSCOPE_TARGETS_CPULIMIT_H
#define LOADSCOPE_TARGETS_CPULIMIT_H

#include <stddef.h>

#include "core/cpulimit.h"
#include "core/model.h"

/* Where the cpu controller is: its hierarchy, and that hierarchy's mount. */
struct cpu_controller {
	enum cgroup_hierarchy hierarchy;
	char *mount; /* the directory of the hierarchy's root cgroup */
	char *root;  /* the cgroup the mount shows (a bind mount's), "/" for the whole hierarchy */
};

/*
 * Find the cpu controller in a mountinfo file, with libmount: cgroup v2 when its root's
 * cgroup.controllers lists cpu, else a cgroup v1 hierarchy mounted with the cpu option (alone
 * or with others, as cpu,cpuacct). 0, or -ENOENT when neither has it (no limits to read then).
 */
int cpu_controller_find(const char *mountinfo_path, struct cpu_controller *out);
void cpu_controller_free(struct cpu_controller *c);

/* The cpu cgroup of process pid, from /proc/PID/cgroup, into path; 0 or a negative errno. */
int cpu_cgroup_of_pid(const struct cpu_controller *c, int pid, char *path, size_t len);
/*
 * Read the files of the cgroup at path (as /proc/PID/cgroup names it) into s. A file the
 * cgroup does not have is not an error: v2 has cpu.max only where the controller is enabled
 * (no limit elsewhere) and cpu.pressure only with PSI. Files it should have but that cannot be
 * read are set in s->missing.
 */
void cpu_sample_read(const struct cpu_controller *c, const char *path, struct cpu_sample *s);

/*
 * At the start: the cpu cgroups of the processes pids (and their ancestors) into w, each read
 * once. A process that is gone already is left out. 0 or -ENOMEM.
 */
int cpu_limits_start(struct cpu_watch *w, const struct cpu_controller *c, const int *pids,
		     size_t n);
/* At the end: every cgroup read at the start is read again. */
void cpu_limits_end(struct cpu_watch *w, const struct cpu_controller *c);
/*
 * After collection: processes of s not seen at the start (forked during the run) are placed in
 * their cpu cgroup now; a cgroup that is new then is read only now (end_only). 0 or -ENOMEM.
 */
int cpu_limits_late(struct cpu_watch *w, const struct cpu_controller *c, const struct snapshot *s);

#endif /* LOADSCOPE_TARGETS_CPULIMIT_H */
