// SPDX-License-Identifier: GPL-2.0
/* The BPF lifecycle: check the host, open, configure, load, attach, seed targets, detach, close. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel_features.h"
#include "loader.h"
#include "procfs.h"
#include "loadscope.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct observer {
	struct loadscope_bpf *skel;
	bool raw_tp;
	uint64_t seed_drops; /* threads found in /proc that did not fit in the map */
};

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (!verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

int observer_check_host(char *err, size_t errlen)
{
	cap_t caps = cap_get_proc();
	bool ok;

	if (!caps)
		return fail(err, errlen, -errno, "cannot read own capabilities: %s", strerror(errno));
	/* CAP_BPF and CAP_PERFMON split out of CAP_SYS_ADMIN in 5.8; either set is enough */
	ok = has_cap(caps, CAP_SYS_ADMIN) || (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON));
	cap_free(caps);
	if (!ok)
		return fail(err, errlen, -EPERM,
			    "needs root (or CAP_BPF and CAP_PERFMON) to load BPF programs: "
			    "run it with sudo");
	if (access(VMLINUX_BTF, R_OK))
		return fail(err, errlen, -ENOENT,
			    "kernel BTF not found at " VMLINUX_BTF ": loadscope needs a kernel built "
			    "with CONFIG_DEBUG_INFO_BTF=y (Linux 5.5+; Debian, Ubuntu and Fedora "
			    "kernels have it)");
	return 0;
}

static void choose_programs(struct loadscope_bpf *skel, bool raw_tp)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
	{
		bool is_raw = strncmp(bpf_program__section_name(prog), "raw_tp/", 7) == 0;

		bpf_program__set_autoload(prog, is_raw == raw_tp);
	}
}

int observer_open(const struct observer_config *cfg, struct observer **out, char *err,
		  size_t errlen)
{
	struct observer *o = calloc(1, sizeof(*o));
	struct kernel_features features;
	struct btf *vmlinux = NULL;
	int ret;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	verbose_libbpf = cfg->verbose;
	libbpf_set_print(libbpf_print);

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		ret = fail(err, errlen, -errno, "cannot read kernel BTF from " VMLINUX_BTF ": %s",
			   strerror(errno));
		goto cleanup;
	}
	features_probe(vmlinux, &features);
	ret = features_check(&features, err, errlen);
	if (ret)
		goto cleanup;
	o->raw_tp = cfg->raw_tp || !features.have[FEAT_TP_BTF];

	o->skel = loadscope_bpf__open();
	if (!o->skel) {
		ret = fail(err, errlen, -errno, "cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	o->skel->rodata->self_pid = (__u32)getpid();
	o->skel->rodata->follow_children = cfg->children;
	o->skel->rodata->switch_has_prev_state = features.have[FEAT_SWITCH_PREV_STATE];
	bpf_map__set_max_entries(o->skel->maps.threads, cfg->max_threads);
	bpf_map__set_max_entries(o->skel->maps.exited, cfg->max_threads);
	choose_programs(o->skel, o->raw_tp);
	/* libbpf parses the kernel BTF again while loading: do not hold two copies at once */
	btf__free(vmlinux);
	vmlinux = NULL;

	ret = loadscope_bpf__load(o->skel);
	if (ret) {
		ret = fail(err, errlen, ret,
			   "cannot load the BPF programs into this kernel (%s): %s; "
			   "run with -v for the verifier log",
			   o->raw_tp ? "raw_tp" : "tp_btf", strerror(-ret));
		goto cleanup;
	}
	*out = o;
	o = NULL;
	ret = 0;
cleanup:
	btf__free(vmlinux);
	observer_close(o);
	return ret;
}

int observer_attach(struct observer *o, char *err, size_t errlen)
{
	int ret = loadscope_bpf__attach(o->skel);

	if (ret)
		return fail(err, errlen, ret, "cannot attach the %s programs: %s",
			    o->raw_tp ? "raw_tp" : "tp_btf", strerror(-ret));
	return 0;
}

const char *observer_program_kind(const struct observer *o)
{
	return o->raw_tp ? "raw_tp" : "tp_btf";
}

/* Make every thread of a running process a target; threads the kernel side already added stay. */
int observer_add_process(struct observer *o, int pid)
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
		if (proc_task_stat(pid, tids[i], NULL, s.comm, sizeof(s.comm)))
			continue; /* gone already */
		/* on-CPU time counts from here, also for a thread that never switches during the run */
		proc_task_schedstat(pid, tids[i], &st);
		s.sum_exec_base_ns = st.cpu_ns;
		s.runq_base_ns = st.runq_wait_ns;
		s.runq_arrivals = st.runs;
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

void observer_detach(struct observer *o)
{
	if (o && o->skel)
		loadscope_bpf__detach(o->skel);
}

static int append_thread(struct thread_stats **arr, size_t *n, size_t *cap,
			 const struct thread_stats *s)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct thread_stats *grown = realloc(*arr, ncap * sizeof(**arr));

		if (!grown)
			return -ENOMEM;
		*arr = grown;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *s;
	return 0;
}

static int cmp_thread_stats(const void *a, const void *b)
{
	const struct thread_stats *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->exit_ns > y->exit_ns) - (x->exit_ns < y->exit_ns);
}

/*
 * A live thread still on a CPU when the run ended has run since its last switch-in; add that
 * from the same counter (schedstat field 1), so a thread that never switched is not reported idle.
 */
static bool finish_live_thread(struct thread_stats *s)
{
	struct proc_schedstat st;

	if (proc_task_schedstat((int)s->pid, (int)s->tid, &st)) {
		/* gone: seeded just as it exited, or exited after the programs were detached */
		return s->on_cpu_ns || s->voluntary_switches || s->involuntary_switches ||
		       (s->flags & THREAD_EXITED);
	}
	if (st.cpu_ns > s->sum_exec_base_ns)
		s->on_cpu_ns += st.cpu_ns - s->sum_exec_base_ns;
	proc_task_comm((int)s->pid, (int)s->tid, s->comm, sizeof(s->comm));
	return true;
}

static int read_threads(int fd, size_t key_size, bool live, struct thread_stats **arr, size_t *n,
			size_t *cap)
{
	char key[32], next[32];
	struct thread_stats s;
	void *prev = NULL;
	int ret;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, &s))
			continue;
		if (live && !finish_live_thread(&s))
			continue;
		if ((ret = append_thread(arr, n, cap, &s)))
			return ret;
	}
	return 0;
}

static void fill_thread(struct thread *t, const struct thread_stats *s)
{
	t->tid = (int)s->tid;
	memcpy(t->comm, s->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = '\0';
	t->exited = s->flags & THREAD_EXITED;
	t->sched.cpu_ns = s->on_cpu_ns;
	t->sched.runq_wait_ns = s->runq_wait_ns;
	t->sched.runq_count = s->runq_count;
	t->sched.runq_max_ns = s->runq_max_ns;
	t->sched.voluntary_switches = s->voluntary_switches;
	t->sched.involuntary_switches = s->involuntary_switches;
	t->sched.migrations = s->migrations;
	t->sched.wakeups = s->wakeups;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		t->sched.runq_hist[i] = s->runq_hist[i];
}

/* Group the thread records by process into the snapshot. */
static int build_processes(struct snapshot *snap, struct thread_stats *arr, size_t n)
{
	size_t i = 0;

	qsort(arr, n, sizeof(*arr), cmp_thread_stats);
	snap->processes = calloc(n ? n : 1, sizeof(*snap->processes));
	if (!snap->processes)
		return -ENOMEM;
	while (i < n) {
		struct process *p = &snap->processes[snap->nprocesses++];
		size_t j = i;

		while (j < n && arr[j].pid == arr[i].pid)
			j++;
		p->pid = (int)arr[i].pid;
		p->ppid = (int)arr[i].ppid;
		p->threads = calloc(j - i, sizeof(*p->threads));
		if (!p->threads)
			return -ENOMEM;
		for (size_t k = i; k < j; k++) {
			fill_thread(&p->threads[p->nthreads++], &arr[k]);
			/* the process is named after its main thread */
			if (arr[k].tid == arr[k].pid || k == i) {
				memcpy(p->comm, p->threads[p->nthreads - 1].comm, sizeof(p->comm));
				p->ppid = (int)arr[k].ppid;
			}
		}
		i = j;
	}
	return 0;
}

int observer_collect(struct observer *o, struct snapshot *snap)
{
	struct thread_stats *arr = NULL;
	size_t n = 0, cap = 0;
	int ncpus = libbpf_num_possible_cpus();
	__u64 *percpu = NULL;
	int ret;

	ret = read_threads(bpf_map__fd(o->skel->maps.threads), sizeof(__u32), true, &arr, &n, &cap);
	if (!ret)
		ret = read_threads(bpf_map__fd(o->skel->maps.exited), sizeof(struct exited_key), false,
				   &arr, &n, &cap);
	if (ret)
		goto cleanup;

	percpu = calloc(ncpus > 0 ? ncpus : 1, sizeof(*percpu));
	if (!percpu) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (__u32 r = 0; r < DROP_REASONS; r++) {
		if (bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.drops), &r, percpu))
			continue;
		for (int c = 0; c < ncpus; c++)
			snap->drops[r] += percpu[c];
	}
	snap->drops[DROP_THREADS_FULL] += o->seed_drops;
	ret = build_processes(snap, arr, n);
	if (!ret)
		snapshot_finish(snap);
cleanup:
	free(percpu);
	free(arr);
	return ret;
}

void observer_close(struct observer *o)
{
	if (!o)
		return;
	loadscope_bpf__destroy(o->skel);
	free(o);
}
