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

int observer_attach(struct observer *o, char *err, size_t errlen)
{
	int ret = loadscope_bpf__attach(o->skel);

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
	if (o && o->skel) {
		loadscope_bpf__detach(o->skel);
		o->detached = true;
		read_end_samples(o);
	}
	return monotonic_ns();
}

void observer_close(struct observer *o)
{
	if (!o)
		return;
	loadscope_bpf__destroy(o->skel);
	free(o->end);
	free(o->stash.threads);
	free(o);
}
