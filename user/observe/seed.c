// SPDX-License-Identifier: GPL-2.0
/* The targets at the start, from /proc: each thread's entry seeded with its counters so far. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/syscalls.h"
#include "observe/internal.h"
#include "observe/seed.h"
#include "targets/procfs.h"

/*
 * A thread found asleep is blocked from now until its wakeup, in the class of the syscall it
 * sleeps in (a server idle in epoll_wait, a master blocked in accept): without this, that time
 * would count as `other` until its first switch.
 */
static void seed_blocked(int pid, int tid, bool by_syscall, struct thread_stats *s)
{
	unsigned long args[PROC_SYSCALL_ARGS] = {0};
	unsigned int flags;
	const char *name;
	char state = 0;
	long nr = -1;

	if (proc_task_state(pid, tid, &state) || (state != 'S' && state != 'D'))
		return;
	/* light mode: the programs class no blocked time by syscall, so neither does the seed */
	if (!by_syscall || proc_task_syscall(pid, tid, &nr, args))
		nr = -1;
	name = nr >= 0 ? syscall_name(nr) : NULL;
	s->blocked_since_ns = monotonic_ns();
	s->blocked_class = nr < 0 ? SC_NONE : name ? syscall_class(name, &flags) : SC_OTHER;
	s->blocked_d = state == 'D';
	s->blocked_lock = s->blocked_class == SC_FUTEX && futex_lock_wait(args[1], args[2]);
}

/* Make every thread of a running process a target; threads the kernel side already added stay. */
int observer_add_process(struct observer *o, int pid, enum select_reason how,
			 unsigned int selector, uint64_t cgroup_id)
{
	int fd = bpf_map__fd(o->skel->maps.threads);
	size_t ntids = 0;
	int *tids = NULL;
	int ret, ppid = 0;

	ret = proc_list_tasks(pid, &tids, &ntids);
	if (ret)
		return ret;
	proc_task_stat(pid, pid, &ppid, NULL, 0);
	for (size_t i = 0; i < ntids; i++) {
		struct proc_schedstat st = {0};
		struct thread_stats s;

		memset(&s, 0, sizeof(s));
		s.tid = (__u32)tids[i];
		s.pid = (__u32)pid;
		s.ppid = (__u32)ppid;
		s.flags = THREAD_SEEDED;
		s.selected_by = how;
		s.selector = selector;
		s.cgroup_id = cgroup_id;
		if (proc_task_stat(pid, tids[i], NULL, s.comm, sizeof(s.comm)))
			continue; /* gone already */
		/* on-CPU time counts from here, also for a thread that never switches during the run */
		proc_task_schedstat(pid, tids[i], &st);
		s.sum_exec_base_ns = st.cpu_ns;
		s.runq_base_ns = st.runq_wait_ns;
		s.runq_arrivals = st.runs;
		seed_blocked(pid, tids[i], !o->no_syscalls, &s);
		/* the filter first: the programs skip a thread whose byte is clear */
		o->skel->bss->tid_filter[s.tid & (TID_FILTER_SIZE - 1)] = 1;
		if (!bpf_map_update_elem(fd, &s.tid, &s, BPF_NOEXIST) || errno == EEXIST)
			continue;
		if (errno != E2BIG) {
			ret = -errno;
			break;
		}
		o->seed_drops++;
	}
	free(tids);
	return ret;
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
static int find_roots(const struct selectors *o, const struct target_set *t, struct seed **roots,
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

int observer_seed_targets(struct observer *obs, const struct selectors *o, const struct target_set *t,
		 int command_pid, char *err, size_t errlen)
{
	struct seed *roots = NULL, cmd = {command_pid, SELECT_COMMAND, 0};
	size_t n = 0, cap = 0, nroots, ndesc = 0, seeded_pids = 0;
	int *root_pids = NULL, *desc = NULL;
	int ret;

	if (!selectors_any(o)) {
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

