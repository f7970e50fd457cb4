// SPDX-License-Identifier: GPL-2.0
/* Which processes a run observes: selectors resolved, the start's targets seeded, results named. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "targets/procfs.h"
#include "targets/targets.h"

int targets_resolve(const struct selectors *o, const char *mountinfo_path, struct target_set *t,
		    char *err, size_t errlen)
{
	bool needed = o->ncgroups || o->ncontainers;
	struct cgroup_dir *d;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = cgroup2_find_mount(mountinfo_path, &t->mount, err, errlen);
	if (ret && needed)
		return ret;
	/* without cgroup selectors the mount only names cgroups in the report */
	if (ret)
		return 0;
	for (size_t i = 0; i < o->ncgroups; i++) {
		d = &t->cgroups[t->ncgroups];
		ret = cgroup_resolve(t->mount, o->cgroups[i], d, err, errlen);
		if (!ret && (ret = cgroup_check_fs(d->path, o->cgroups[i], err, errlen)))
			cgroup_dir_free(d);
		if (ret)
			return ret;
		t->ids[t->ncgroups++] = d->id;
	}
	for (size_t i = 0; i < o->ncontainers; i++) {
		d = &t->cgroups[t->ncgroups];
		ret = container_resolve(t->mount, o->containers[i], d,
					t->container_ids[t->ncgroups], err, errlen);
		if (ret)
			return ret;
		t->ids[t->ncgroups++] = d->id;
	}
	/* names of cgroups that may be gone by the end (a stopped container's) */
	ret = cgroup_names_scan(&t->names, t->mount);
	if (ret == -ENOMEM)
		return ret;
	return 0;
}

char *targets_describe(const struct selectors *o, char *const *command, const struct target_set *t)
{
	const char *sep = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (!selectors_any(o))
		fprintf(f, "command %s%s", command[0],
			o->children ? " and its descendants" : "");
	if (o->npids) {
		fprintf(f, "%s", o->children ? "tree of " : "pid ");
		for (size_t i = 0; i < o->npids; i++) {
			char comm[LS_COMM_LEN] = "?";

			proc_task_stat(o->pids[i], o->pids[i], NULL, comm, sizeof(comm));
			fprintf(f, "%s%d (%s)", i ? ", " : "", o->pids[i], comm);
		}
		sep = "; ";
	}
	if (o->ncomms) {
		fprintf(f, "%sprocesses named ", sep);
		for (size_t i = 0; i < o->ncomms; i++)
			fprintf(f, "%s%s", i ? ", " : "", o->comms[i]);
		sep = "; ";
	}
	for (size_t i = 0; i < t->ncgroups; i++) {
		if (t->container_ids[i][0])
			fprintf(f, "%scontainer %.12s (%s)", sep, t->container_ids[i],
				t->cgroups[i].rel);
		else
			fprintf(f, "%scgroup %s", sep, t->cgroups[i].rel);
		sep = "; ";
	}
	if (o->ncomms || t->ncgroups)
		fprintf(f, "; %s",
			o->children ? "with their descendants" : "no descendants followed");
	fclose(f);
	return buf;
}

static int strdup_into(char **dst, const char *src)
{
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int targets_record(struct snapshot *s, const struct selectors *o, const struct target_set *t)
{
	struct targets *tg = &s->targets;
	size_t ncontainers = 0;

	for (size_t i = 0; i < t->ncgroups; i++)
		ncontainers += t->container_ids[i][0] != '\0';
	tg->comms = calloc(o->ncomms ? o->ncomms : 1, sizeof(*tg->comms));
	tg->cgroups = calloc(t->ncgroups ? t->ncgroups : 1, sizeof(*tg->cgroups));
	tg->containers = calloc(ncontainers ? ncontainers : 1, sizeof(*tg->containers));
	if (!tg->comms || !tg->cgroups || !tg->containers)
		return -ENOMEM;
	for (size_t i = 0; i < o->ncomms; i++)
		if (strdup_into(&tg->comms[tg->ncomms++], o->comms[i]))
			return -ENOMEM;
	for (size_t i = 0; i < t->ncgroups; i++) {
		if (!t->container_ids[i][0]) {
			if (strdup_into(&tg->cgroups[tg->ncgroups++], t->cgroups[i].rel))
				return -ENOMEM;
			continue;
		}
		tg->ncontainers++;
		if (strdup_into(&tg->containers[tg->ncontainers - 1].id, t->container_ids[i]) ||
		    strdup_into(&tg->containers[tg->ncontainers - 1].cgroup, t->cgroups[i].rel))
			return -ENOMEM;
	}
	return 0;
}

/*
 * A cgroup whose directory is gone at the end, or is another cgroup of the same name (a new
 * inode): removed during the run, its processes' figures being what was seen before.
 */
static void mark_removed(struct snapshot *s, const char *mount)
{
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < s->ncgroups; i++) {
		struct cgroup_total *g = &s->cgroups[i];
		const struct process *p = g->npids ? snapshot_find_process(s, g->pids[0]) : NULL;

		if (!g->path || g->path[0] != '/' || !p || !p->cgroup_id)
			continue;
		if (snprintf(path, sizeof(path), "%s%s", mount, g->path) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) ? errno == ENOENT : st.st_ino != p->cgroup_id)
			g->removed = true;
	}
}

int targets_label(struct snapshot *s, struct target_set *t)
{
	const char *name;
	struct process *p;
	int ret;

	/* cgroups made during the run; one removed since the start keeps the name it had */
	if (t->mount && cgroup_names_scan(&t->names, t->mount) == -ENOMEM)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocesses; i++) {
		p = &s->processes[i];
		if (p->selected_by == SELECT_CGROUP && p->selector < t->ncgroups &&
		    t->container_ids[p->selector][0])
			p->selected_by = SELECT_CONTAINER;
		name = p->cgroup_id ? cgroup_names_find(&t->names, p->cgroup_id) : NULL;
		if (!name && t->mount && p->cgroup_id)
			name = CGROUP_PATH_REMOVED;
		/* with no mount to read, only the root's id is known: 1, the first kernfs node */
		if (!name)
			name = p->cgroup_id == 1 ? "/" : CGROUP_PATH_UNKNOWN;
		free(p->cgroup);
		p->cgroup = strdup(name);
		if (!p->cgroup)
			return -ENOMEM;
	}
	ret = snapshot_group_cgroups(s);
	if (!ret && t->mount)
		mark_removed(s, t->mount);
	return ret;
}

void targets_free(struct target_set *t)
{
	for (size_t i = 0; i < t->ncgroups; i++)
		cgroup_dir_free(&t->cgroups[i]);
	cgroup_names_free(&t->names);
	free(t->mount);
	memset(t, 0, sizeof(*t));
}
