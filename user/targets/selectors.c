// SPDX-License-Identifier: GPL-2.0
/* The target selectors as given (-p, -n, -c, -C): each value checked as it is added. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/strutil.h"
#include "targets/cgroup.h"
#include "targets/selectors.h"

static int add_string(char ***arr, size_t *n, const char *s)
{
	char **grown = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!grown)
		return -ENOMEM;
	*arr = grown;
	(*arr)[(*n)++] = (char *)s;
	return 0;
}

int selectors_add_pids(struct selectors *o, const char *list, char *err, size_t errlen)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;
	long v;

	if (!copy)
		return -ENOMEM;
	if (!*list)
		ret = errmsg(err, errlen, -EINVAL, "--pid needs a PID, got an empty list");
	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		int *grown;

		if (parse_long(tok, 1, INT_MAX, &v)) {
			ret = errmsg(err, errlen, -EINVAL,
				     "invalid PID '%s' in --pid %s: PIDs are positive integers",
				     tok, list);
			break;
		}
		grown = realloc(o->pids, (o->npids + 1) * sizeof(*o->pids));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		o->pids = grown;
		o->pids[o->npids++] = (int)v;
	}
	if (!ret && list[strlen(list) - 1] == ',')
		ret = errmsg(err, errlen, -EINVAL, "invalid --pid %s: trailing comma", list);
	free(copy);
	return ret;
}

int selectors_add_comm(struct selectors *o, const char *name, char *err, size_t errlen)
{
	if (!*name)
		return errmsg(err, errlen, -EINVAL, "--comm needs a process name");
	if (strlen(name) >= LS_COMM_LEN)
		return errmsg(
			err, errlen, -EINVAL,
			"--comm %s: %zu characters, but the kernel keeps at most %d of a process "
			"name (what ps -o comm shows)",
			name, strlen(name), LS_COMM_LEN - 1);
	if (o->ncomms == LS_MAX_COMMS)
		return errmsg(err, errlen, -EINVAL, "--comm given more than %d times",
			      LS_MAX_COMMS);
	return add_string(&o->comms, &o->ncomms, name);
}

/* A container ID or a prefix of one: hex, kept lowercased, from 12 to 64 characters. */
int selectors_add_container(struct selectors *o, const char *id, char *err, size_t errlen)
{
	size_t len = strlen(id);
	char *copy;
	int ret;

	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)id[i]))
			return errmsg(
				err, errlen, -EINVAL,
				"--container %s: a container ID is hexadecimal (0-9, a-f), not "
				"'%c'",
				id, id[i]);
	if (len < CONTAINER_ID_MIN || len > CONTAINER_ID_LEN)
		return errmsg(
			err, errlen, -EINVAL,
			"--container %s: give from %d to %d hex characters of the container ID "
			"(docker ps shows %d), not %zu",
			id, CONTAINER_ID_MIN, CONTAINER_ID_LEN, CONTAINER_ID_MIN, len);
	if (o->ncgroups + o->ncontainers == LS_MAX_CGROUPS)
		return errmsg(err, errlen, -EINVAL,
			      "more than %d --cgroup and --container given together",
			      LS_MAX_CGROUPS);
	copy = strdup(id);
	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		copy[i] = (char)tolower((unsigned char)copy[i]);
	ret = add_string(&o->containers, &o->ncontainers, copy);
	if (ret)
		free(copy);
	return ret;
}

bool selectors_any(const struct selectors *o)
{
	return o->npids || o->ncomms || o->ncgroups || o->ncontainers;
}

int selectors_add_cgroup(struct selectors *o, const char *path, char *err, size_t errlen)
{
	if (!*path)
		return errmsg(err, errlen, -EINVAL, "--cgroup needs a path");
	if (o->ncgroups + o->ncontainers == LS_MAX_CGROUPS)
		return errmsg(err, errlen, -EINVAL,
			      "more than %d --cgroup and --container given together",
			      LS_MAX_CGROUPS);
	return add_string(&o->cgroups, &o->ncgroups, path);
}

void selectors_free(struct selectors *o)
{
	for (size_t i = 0; i < o->ncontainers; i++)
		free(o->containers[i]);
	free(o->pids);
	free(o->comms);
	free(o->cgroups);
	free(o->containers);
	o->pids = NULL;
	o->comms = o->cgroups = o->containers = NULL;
	o->npids = o->ncomms = o->ncgroups = o->ncontainers = 0;
}

int selectors_option(struct selectors *o, int opt, const char *arg, char *err, size_t errlen)
{
	switch (opt) {
	case 'p':
		return selectors_add_pids(o, arg, err, errlen);
	case 'n':
		return selectors_add_comm(o, arg, err, errlen);
	case 'c':
		return selectors_add_cgroup(o, arg, err, errlen);
	default:
		return selectors_add_container(o, arg, err, errlen);
	}
}
