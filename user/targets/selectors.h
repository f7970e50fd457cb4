/* SPDX-License-Identifier: GPL-2.0 */
/* Which processes to observe, as the user gave them: what `run` and `serve` share. */
#ifndef LOADSCOPE_SELECTORS_H
#define LOADSCOPE_SELECTORS_H

#include <stdbool.h>
#include <stddef.h>

struct selectors {
	int *pids; /* -p: processes to observe, with their descendants */
	size_t npids;
	char **comms; /* -n: process names, at most 15 characters each */
	size_t ncomms;
	char **cgroups; /* -c: cgroup v2 directories, as given */
	size_t ncgroups;
	char **containers; /* -C: container ID prefixes, lowercase hex (owned copies) */
	size_t ncontainers;
	bool children; /* follow descendants; --no-children turns it off */
};

/* Each adds one value as given to an option, checked; 0, -ENOMEM, or -EINVAL with err set. */
int selectors_add_pids(struct selectors *o, const char *list, char *err, size_t errlen);
int selectors_add_comm(struct selectors *o, const char *name, char *err, size_t errlen);
int selectors_add_container(struct selectors *o, const char *id, char *err, size_t errlen);
/* The string is kept as given (not copied): argv outlives the run. */
int selectors_add_cgroup(struct selectors *o, const char *path, char *err, size_t errlen);
/*
 * The selector option opt ('p', 'n', 'c' or 'C', as every front end spells them) with its
 * argument, through the functions above; 0 or a negative errno with a reason in err.
 */
int selectors_option(struct selectors *o, int opt, const char *arg, char *err, size_t errlen);
/* Any selector given (-p, -n, -c, -C): then a COMMAND is only the load. */
bool selectors_any(const struct selectors *o);
void selectors_free(struct selectors *o);

#endif /* LOADSCOPE_SELECTORS_H */
