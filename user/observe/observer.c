// SPDX-License-Identifier: GPL-2.0
/* The BPF lifecycle: check the host, open, configure, load, attach, detach, close. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "observe/kernel_features.h"
#include "core/strutil.h"
#include "observe/internal.h"
#include "observe/observer.h"
#include "targets/procfs.h"
#include "core/syscalls.h"
#include "loadscope.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (!verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

#define LS_PID_INIT_INO 0xEFFFFFFCU

int observer_check_host(char *err, size_t errlen)
{
	cap_t caps = cap_get_proc();
	struct stat ns;
	bool ok;

	if (!caps)
		return errmsg(err, errlen, -errno, "cannot read own capabilities: %s", strerror(errno));
	/* CAP_BPF and CAP_PERFMON split out of CAP_SYS_ADMIN in 5.8; either set is enough */
	ok = has_cap(caps, CAP_SYS_ADMIN) || (has_cap(caps, CAP_BPF) && has_cap(caps, CAP_PERFMON));
	cap_free(caps);
	if (!ok)
		return errmsg(err, errlen, -EPERM,
			    "needs root (or CAP_BPF and CAP_PERFMON) to load BPF programs: "
			    "run it with sudo");
	/* pid:[0xEFFFFFFC], PROC_PID_INIT_INO (include/linux/proc_ns.h): the host's, since 3.8 */
	if (!stat("/proc/self/ns/pid", &ns) && ns.st_ino != LS_PID_INIT_INO)
		return errmsg(err, errlen, -EPERM,
			      "runs in a child pid namespace (pid:[%llu]), where pids are not the "
			      "kernel's that its programs see: run it in the host pid namespace "
			      "(docker run --pid=host, hostPID: true in Kubernetes)",
			      (unsigned long long)ns.st_ino);
	if (access(VMLINUX_BTF, R_OK))
		return errmsg(err, errlen, -ENOENT,
			    "kernel BTF not found at " VMLINUX_BTF ": loadscope needs a kernel built "
			    "with CONFIG_DEBUG_INFO_BTF=y (Linux 5.5+; Debian, Ubuntu and Fedora "
			    "kernels have it)");
	return 0;
}

/* The hooks light mode leaves out: the syscalls, and TCP states only the accept path reads. */
static bool needs_syscalls(const char *section)
{
	const char *hook = strchr(section, '/');

	hook = hook ? hook + 1 : section;
	return !strcmp(hook, "sys_enter") || !strcmp(hook, "sys_exit") ||
	       !strcmp(hook, "inet_sock_set_state");
}

static void choose_programs(struct loadscope_bpf *skel, bool raw_tp, bool no_syscalls)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
	{
		const char *section = bpf_program__section_name(prog);
		bool is_raw = strncmp(section, "raw_tp/", 7) == 0;

		bpf_program__set_autoload(prog, is_raw == raw_tp &&
							!(no_syscalls && needs_syscalls(section)));
	}
	/* run by user space (BPF_PROG_TEST_RUN), never attached: loaded whichever set is */
	bpf_program__set_autoload(skel->progs.ls_listener_queue, true);
	bpf_program__set_autoattach(skel->progs.ls_listener_queue, false);
}

/* Class and flags of every syscall number this architecture names; the rest stay `other`. */
static int fill_sys_table(struct observer *o)
{
	int fd = bpf_map__fd(o->skel->maps.sys_table);
	unsigned int flags;
	const char *name;
	__u32 val;

	for (__u32 nr = 0; nr < SYS_TABLE_SIZE; nr++) {
		name = syscall_name(nr);
		val = SC_OTHER;
		if (name)
			val = syscall_class(name, &flags) | flags << 8;
		/* every slot: an array starts zeroed, and 0 is SC_ACCEPT */
		if (bpf_map_update_elem(fd, &nr, &val, BPF_ANY))
			return -errno;
	}
	return 0;
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
		ret = errmsg(err, errlen, -errno, "cannot read kernel BTF from " VMLINUX_BTF ": %s",
			   strerror(errno));
		goto cleanup;
	}
	features_probe(vmlinux, &features);
	ret = features_check(&features, err, errlen);
	if (ret)
		goto cleanup;
	o->raw_tp = cfg->raw_tp || !features.have[FEAT_TP_BTF];
	o->no_syscalls = cfg->no_syscalls;

	o->skel = loadscope_bpf__open();
	if (!o->skel) {
		ret = errmsg(err, errlen, -errno, "cannot open the BPF object: %s", strerror(errno));
		goto cleanup;
	}
	o->skel->rodata->self_pid = (__u32)getpid();
	o->skel->rodata->follow_children = cfg->children;
	o->skel->rodata->switch_has_prev_state = features.have[FEAT_SWITCH_PREV_STATE];
	/* names NUL-padded to the full length: the programs compare them as two words */
	for (size_t i = 0; i < cfg->ncomms && i < LS_MAX_COMMS; i++)
		strncpy((char *)o->skel->rodata->target_comms[i], cfg->comms[i], LS_COMM_LEN - 1);
	o->skel->rodata->n_target_comms = cfg->ncomms < LS_MAX_COMMS ? cfg->ncomms : LS_MAX_COMMS;
	for (size_t i = 0; i < cfg->ncgroups && i < LS_MAX_CGROUPS; i++)
		o->skel->rodata->target_cgroups[i] = cfg->cgroup_ids[i];
	o->skel->rodata->n_target_cgroups =
		cfg->ncgroups < LS_MAX_CGROUPS ? cfg->ncgroups : LS_MAX_CGROUPS;
	bpf_map__set_max_entries(o->skel->maps.threads, cfg->max_threads);
	bpf_map__set_max_entries(o->skel->maps.exited, cfg->max_threads);
	o->stash.cap = cfg->max_threads;
	/* allocated as used: a few classes per thread, a few `other` syscalls, fewer errnos */
	bpf_map__set_max_entries(o->skel->maps.lat, LAT_PER_THREAD * cfg->max_threads);
	bpf_map__set_max_entries(o->skel->maps.others, OTHERS_PER_THREAD * cfg->max_threads);
	bpf_map__set_max_entries(o->skel->maps.errnos, cfg->max_threads);
	choose_programs(o->skel, o->raw_tp, o->no_syscalls);
	/* libbpf parses the kernel BTF again while loading: do not hold two copies at once */
	btf__free(vmlinux);
	vmlinux = NULL;

	ret = loadscope_bpf__load(o->skel);
	if (ret) {
		ret = errmsg(err, errlen, ret,
			   "cannot load the BPF programs into this kernel (%s): %s; "
			   "run with -v for the verifier log",
			   o->raw_tp ? "raw_tp" : "tp_btf", strerror(-ret));
		goto cleanup;
	}
	ret = fill_sys_table(o);
	if (ret) {
		ret = errmsg(err, errlen, ret, "cannot fill the syscall table: %s", strerror(-ret));
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

/*
 * The programs' own cost comes from the kernel's per-program run-time statistics. Keeping them
 * on costs every program run two clock reads (about a tenth of a server's requests/s on a 2-CPU
 * machine under wrk), so they are on for STATS_ON_MS of every STATS_PERIOD_MS, from the attach
 * on, and the counts are scaled up by the share of the run they were on for.
 */
#define STATS_ON_MS	50
#define STATS_PERIOD_MS 1000

/* kernel.bpf_stats_enabled is on already (another tool, or the administrator). */
static bool stats_already_on(void)
{
	char buf[8] = "";
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] == '1';
}

/* Waits ms or until stop; returns stop. Called with o->lock held. */
static bool sampler_wait(struct observer *o, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!o->stop && pthread_cond_timedwait(&o->wake, &o->lock, &ts) == 0)
		;
	return o->stop;
}

static void *sampler_main(void *arg)
{
	struct observer *o = arg;
	uint64_t on;
	int fd;

	pthread_mutex_lock(&o->lock);
	for (;;) {
		/* on: the descriptor holds the statistics on until it is closed */
		fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		on = monotonic_ns();
		sampler_wait(o, STATS_ON_MS);
		if (fd >= 0) {
			close(fd);
			o->sampled_ns += monotonic_ns() - on;
		}
		if (o->stop || sampler_wait(o, STATS_PERIOD_MS - STATS_ON_MS))
			break;
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

int observer_attach(struct observer *o, char *err, size_t errlen)
{
	int fd, ret;

	/* statistics on already: for the whole run; else sampled, if this kernel has them (5.8) */
	o->attached_ns = monotonic_ns();
	if (stats_already_on()) {
		o->stats = true;
	} else if ((fd = bpf_enable_stats(BPF_STATS_RUN_TIME)) >= 0) {
		close(fd);
		pthread_mutex_init(&o->lock, NULL);
		pthread_cond_init(&o->wake, NULL);
		o->stats = o->sampling = !pthread_create(&o->sampler, NULL, sampler_main, o);
	}
	ret = loadscope_bpf__attach(o->skel);

	if (ret)
		return errmsg(err, errlen, ret, "cannot attach the %s programs: %s",
			    o->raw_tp ? "raw_tp" : "tp_btf", strerror(-ret));
	return 0;
}

const char *observer_program_kind(const struct observer *o)
{
	return o->raw_tp ? "raw_tp" : "tp_btf";
}

static int cmp_end_sample(const void *a, const void *b)
{
	const struct end_sample *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * The on-CPU time of every live target thread, read once the programs stopped counting and
 * before the run's end is taken: so a thread still running adds only time inside the run.
 */
static void read_end_samples(struct observer *o)
{
	int fd = bpf_map__fd(o->skel->maps.threads);
	struct proc_schedstat st;
	struct thread_stats ts;
	__u32 key, next, *prev = NULL;
	size_t cap = 0;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &ts))
			continue;
		if (o->nend == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct end_sample *grown = realloc(o->end, ncap * sizeof(*o->end));

			if (!grown)
				break; /* the rest read later, as while attached */
			o->end = grown;
			cap = ncap;
		}
		o->end[o->nend].tid = ts.tid;
		o->end[o->nend].ok = !proc_task_schedstat((int)ts.pid, (int)ts.tid, &st);
		o->end[o->nend].cpu_ns = o->end[o->nend].ok ? st.cpu_ns : 0;
		o->nend++;
	}
	if (o->nend > 1)
		qsort(o->end, o->nend, sizeof(*o->end), cmp_end_sample);
}

const struct end_sample *observer_end_sample(const struct observer *o, uint32_t tid)
{
	struct end_sample key = {.tid = tid};

	if (!o->nend)
		return NULL;
	return bsearch(&key, o->end, o->nend, sizeof(*o->end), cmp_end_sample);
}

static int cmp_program(const void *a, const void *b)
{
	const struct observer_program *x = a, *y = b;

	if (x->run_ns != y->run_ns)
		return x->run_ns < y->run_ns ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void stop_sampler(struct observer *o)
{
	if (!o->sampling)
		return;
	pthread_mutex_lock(&o->lock);
	o->stop = true;
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	pthread_join(o->sampler, NULL);
	o->sampling = false;
}

/* Each loaded program's run count and run time, scaled from the share of the run sampled. */
static void read_costs(struct observer *o, uint64_t end_ns)
{
	struct observer_cost *c = &o->cost;
	uint64_t run = end_ns > o->attached_ns ? end_ns - o->attached_ns : 0;
	double share = 1.0, scale;
	struct bpf_program *prog;

	memset(c, 0, sizeof(*c));
	if (!o->stats)
		return;
	/* sampled: the statistics were on for sampled_ns of the run */
	if (o->sampled_ns && run) {
		share = (double)o->sampled_ns / (double)run;
		if (share > 1)
			share = 1;
	} else if (!stats_already_on()) {
		return;
	}
	scale = 1.0 / share;
	bpf_object__for_each_program(prog, o->skel->obj)
	{
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);
		struct observer_program *p = &c->programs[c->nprograms];

		memset(&info, 0, sizeof(info));
		if (fd < 0 || c->nprograms >= OBSERVER_MAX_PROGRAMS ||
		    bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		snprintf(p->name, NAME_LEN, "%s", bpf_program__name(prog));
		p->runs = (uint64_t)((double)info.run_cnt * scale + 0.5);
		p->run_ns = (uint64_t)((double)info.run_time_ns * scale + 0.5);
		c->nprograms++;
	}
	if (c->nprograms) {
		c->source = OBSERVER_BPF_STATS;
		c->sampled_share = share;
		qsort(c->programs, c->nprograms, sizeof(c->programs[0]), cmp_program);
	}
}

uint64_t observer_recursion_misses(const struct observer *o)
{
	struct bpf_program *prog;
	uint64_t n = 0;

	bpf_object__for_each_program(prog, o->skel->obj)
	{
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		memset(&info, 0, sizeof(info));
		/* a kernel older than the field (5.12) leaves it 0 */
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
}

uint64_t observer_detach(struct observer *o)
{
	uint64_t now;

	if (o && o->skel) {
		loadscope_bpf__detach(o->skel);
		o->detached = true;
		read_end_samples(o);
	}
	now = monotonic_ns();
	if (o && o->skel) {
		/* detached: nothing runs any more, so the counts stop where the run did */
		stop_sampler(o);
		read_costs(o, now);
	}
	return now;
}

void observer_close(struct observer *o)
{
	if (!o)
		return;
	stop_sampler(o);
	loadscope_bpf__destroy(o->skel);
	free(o->end);
	free(o->stash.threads);
	free(o);
}
