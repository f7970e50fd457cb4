// SPDX-License-Identifier: GPL-2.0
/* Which processes a run observes: selectors resolved, the start's targets seeded, results named. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets/procfs.h"
#include "targets/targets.h"

int targets_resolve(const struct options *o, const char *mountinfo_path, struct target_set *t,
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

/* A process to seed and why. */
struct seed {
	int pid;
	enum select_reason how;
	unsigned int selector;
};

static int seed_add(struct seed **arr, size_t *n, size_t *cap, int pid, enum select_reason how,
		    unsigned int selector)
{
	for (size_t i = 0; i < *n; i++)
		if ((*arr)[i].pid == pid)
			return 0; /* the first selector that matched names it */
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct seed *grown = realloc(*arr, ncap * sizeof(**arr));

		if (!grown)
			return -ENOMEM;
		*arr = grown;
		*cap = ncap;
	}
	(*arr)[(*n)++] = (struct seed){.pid = pid, .how = how, .selector = selector};
	return 0;
}

static int seed_one(struct observer *obs, const struct target_set *t, const struct seed *s)
{
	uint64_t id = 0;

	if (t->mount)
		cgroup_of_pid(t->mount, s->pid, &id);
	return observer_add_process(obs, s->pid, s->how, s->selector, id);
}

/* The roots: processes the selectors match now, in the order -p, --comm, --cgroup/--container. */
static int find_roots(const struct options *o, const struct target_set *t, struct seed **roots,
		      size_t *n, size_t *cap, char *err, size_t errlen)
{
	int *pids = NULL, *which = NULL, self = getpid(), ret = 0;
	size_t npids = 0;

	for (size_t i = 0; i < o->npids && !ret; i++)
		ret = seed_add(roots, n, cap, o->pids[i], SELECT_PID, 0);
	if (!ret && o->ncomms) {
		ret = proc_find_comm((const char *const *)o->comms, o->ncomms, self, &pids, &which,
				     &npids);
		for (size_t i = 0; !ret && i < npids; i++)
			ret = seed_add(roots, n, cap, pids[i], SELECT_COMM, (unsigned int)which[i]);
		free(pids);
		free(which);
		if (ret)
			snprintf(err, errlen, "cannot read the process list from /proc: %s",
				 strerror(-ret));
	}
	for (size_t c = 0; !ret && c < t->ncgroups; c++) {
		ret = cgroup_subtree_pids(t->cgroups[c].path, &pids, &npids);
		if (ret) {
			snprintf(err, errlen, "cannot list the processes of cgroup %s: %s",
				 t->cgroups[c].path, strerror(-ret));
			break;
		}
		for (size_t i = 0; !ret && i < npids; i++)
			if (pids[i] != self)
				ret = seed_add(roots, n, cap, pids[i], SELECT_CGROUP,
					       (unsigned int)c);
		free(pids);
	}
	return ret;
}

int targets_seed(struct observer *obs, const struct options *o, const struct target_set *t,
		 int command_pid, char *err, size_t errlen)
{
	struct seed *roots = NULL, cmd = {command_pid, SELECT_COMMAND, 0};
	size_t n = 0, cap = 0, nroots, ndesc = 0, seeded_pids = 0;
	int *root_pids = NULL, *desc = NULL;
	int ret;

	if (!options_select(o)) {
		ret = seed_one(obs, t, &cmd);
		if (ret)
			snprintf(err, errlen, "cannot make the command a target: %s",
				 strerror(-ret));
		return ret;
	}
	ret = find_roots(o, t, &roots, &n, &cap, err, errlen);
	if (ret)
		goto cleanup;
	nroots = n;
	if (o->children && nroots) {
		root_pids = calloc(nroots, sizeof(*root_pids));
		if (!root_pids) {
			ret = -ENOMEM;
			goto cleanup;
		}
		for (size_t i = 0; i < nroots; i++)
			root_pids[i] = roots[i].pid;
		ret = proc_descendants(root_pids, nroots, getpid(), &desc, &ndesc);
		if (ret) {
			snprintf(err, errlen, "cannot read the process tree from /proc: %s",
				 strerror(-ret));
			goto cleanup;
		}
		for (size_t i = 0; !ret && i < ndesc; i++)
			ret = seed_add(&roots, &n, &cap, desc[i], SELECT_DESCENDANT, 0);
		if (ret)
			goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		if (!seed_one(obs, t, &roots[i]) && roots[i].how == SELECT_PID)
			seeded_pids++;
	/* -n and -c may match nothing yet (processes may come later); -p names what must exist */
	if (o->npids && !seeded_pids && !o->ncomms && !t->ncgroups) {
		snprintf(err, errlen, "the target processes exited before they could be observed");
		ret = -ESRCH;
	}
cleanup:
	free(roots);
	free(root_pids);
	free(desc);
	return ret;
}

char *targets_describe(const struct options *o, const struct target_set *t)
{
	const char *sep = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (!options_select(o))
		fprintf(f, "command %s%s", o->command[0],
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

int targets_record(struct snapshot *s, const struct options *o, const struct target_set *t)
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

int targets_label(struct snapshot *s, struct target_set *t)
{
	const char *name;
	struct process *p;

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
	return snapshot_group_cgroups(s);
}

void targets_free(struct target_set *t)
{
	for (size_t i = 0; i < t->ncgroups; i++)
		cgroup_dir_free(&t->cgroups[i]);
	cgroup_names_free(&t->names);
	free(t->mount);
	memset(t, 0, sizeof(*t));
}
