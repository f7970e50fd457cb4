/* SPDX-License-Identifier: GPL-2.0 */
/* The targets at the start, seeded from /proc after attaching, so that no fork is missed. */
#ifndef LOADSCOPE_SEED_H
#define LOADSCOPE_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "observe/observer.h"
#include "targets/targets.h"

/*
 * Make every current thread of process pid a target, selected by `how` (enum select_reason;
 * selector: which --comm or cgroup), in cgroup cgroup_id (0: unknown); call after attaching so
 * no fork is missed. A thread that is a target already keeps its entry.
 */
int observer_add_process(struct observer *o, int pid, enum select_reason how, unsigned int selector,
			 uint64_t cgroup_id);
/*
 * Make the processes the selectors match now targets (their descendants too unless
 * --no-children); command_pid is COMMAND's, which is the target when no selector is given.
 * Call after attaching. 0, or a negative errno with one line in err.
 */
int observer_seed_targets(struct observer *obs, const struct selectors *o,
			  const struct target_set *t, int command_pid, char *err, size_t errlen);

#endif /* LOADSCOPE_SEED_H */
