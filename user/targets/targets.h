/* SPDX-License-Identifier: GPL-2.0 */
/* Which processes a run observes: selectors resolved to cgroup ids, and the results named. */
#ifndef LOADSCOPE_TARGETS_H
#define LOADSCOPE_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "targets/cgroup.h"
#include "targets/selectors.h"

/* The selectors of a run, resolved to what the kernel compares: cgroup ids. */
struct target_set {
	char *mount; /* the cgroup2 mount; NULL when there is none */
	/* --cgroup in the order given, then --container: the BPF side's cgroup table */
	struct cgroup_dir cgroups[LS_MAX_CGROUPS];
	char container_ids[LS_MAX_CGROUPS][CONTAINER_ID_LEN + 1]; /* "" for a --cgroup */
	uint64_t ids[LS_MAX_CGROUPS];
	size_t ncgroups;
	struct cgroup_names names; /* every cgroup's path, seen at start and at the end */
};

/*
 * Find the cgroup2 mount in mountinfo_path and resolve every --cgroup and --container. The
 * mount is required only when one is given. 0, or a negative errno with one line in err.
 */
int targets_resolve(const struct selectors *o, const char *mountinfo_path, struct target_set *t,
		    char *err, size_t errlen);
/* The report header's line: "tree of 4211 (node); cgroup /system.slice/x"; malloc'd. */
char *targets_describe(const struct selectors *o, char *const *command,
		       const struct target_set *t);
/* The selectors into s->targets (comms, cgroups, containers). 0 or -ENOMEM. */
int targets_record(struct snapshot *s, const struct selectors *o, const struct target_set *t);
/*
 * After collection: each process's cgroup path and, for a --container match, its reason; then
 * the per-cgroup totals. 0 or -ENOMEM.
 */
int targets_label(struct snapshot *s, struct target_set *t);
void targets_free(struct target_set *t);

#endif /* LOADSCOPE_TARGETS_H */
