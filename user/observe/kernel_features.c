// SPDX-License-Identifier: GPL-2.0
/* Run-time probes of the kernel features loadscope uses, and the one-line verdict on them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "observe/kernel_features.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static const struct feature_info features[FEAT_COUNT] = {
	[FEAT_BTF] = {"BTF at " VMLINUX_BTF, "Linux 5.4+ with CONFIG_DEBUG_INFO_BTF=y",
		      "341dfcf8d78e (\"btf: expose BTF info through sysfs\")", NULL},
	[FEAT_PROBE_READ_KERNEL] = {"bpf_probe_read_kernel", "Linux 5.5+",
				    "6ae08ae3dea2 (\"bpf: Add probe_read_{user, kernel} and "
				    "probe_read_{user, kernel}_str helpers\")",
				    NULL},
	[FEAT_TP_BTF] = {"tp_btf", "Linux 5.5+",
			 "9e15db66136a (\"bpf: Implement accurate raw_tp context access via BTF\")",
			 "raw_tp programs"},
	[FEAT_TASK_STATE] = {"task_struct.__state", "Linux 5.14+",
			     "2f064a59a11f (\"sched: Change task_struct::state\")",
			     "task_struct.state"},
	[FEAT_THREAD_INFO_CPU] = {"thread_info.cpu", "Linux 5.16+",
				  "bcf9033e5449 (\"sched: move CPU field back into thread_info if "
				  "THREAD_INFO_IN_TASK=y\")",
				  "task_struct.cpu"},
	[FEAT_SWITCH_PREV_STATE] = {"sched_switch prev_state", "Linux 5.18+",
				    "fa2c3254d7cf (\"sched/tracing: Don't re-read p->state when "
				    "emitting sched_switch event\")",
				    "the task state read at the switch"},
	[FEAT_SCHED_INFO] = {"task_struct.sched_info", "CONFIG_SCHED_INFO=y", "",
			     "run-queue waits timed from wakeups and preemptions"},
	[FEAT_CGROUP_ANCESTORS] = {"cgroup.ancestors", "Linux 6.1+",
				   "7f203bc89eb6 (\"cgroup: Replace cgroup->ancestor_ids[] with "
				   "->ancestors[]\")",
				   "cgroup.ancestor_ids"},
};

const struct feature_info *feature_info(enum kernel_feature f)
{
	return f < FEAT_COUNT ? &features[f] : NULL;
}

/* Whether the kernel's enum `type` has the value `name` (a helper or map type it knows). */
static bool btf_enum_has(const struct btf *btf, const char *type, const char *name)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);

	if (id < 0 || !(t = btf__type_by_id(btf, id)))
		return false;
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++) {
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return true;
	}
	return false;
}

/* Whether struct `id` has a member `name`, also inside its anonymous unions and structs. */
static bool btf_id_has_member(const struct btf *btf, int id, const char *name, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;

	if (!t || !btf_is_composite(t) || depth > 4)
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *member = btf__name_by_offset(btf, m->name_off);

		if (member && !strcmp(member, name))
			return true;
		if ((!member || !*member) &&
		    btf_id_has_member(btf, btf__resolve_type(btf, m->type), name, depth + 1))
			return true;
	}
	return false;
}

static bool btf_struct_has(const struct btf *btf, const char *type, const char *member)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	return id >= 0 && btf_id_has_member(btf, id, member, 0);
}

/* Does tp_btf work here? Load and attach an empty program on sched_switch (runqlat does the same).
 */
static bool probe_tp_btf(const struct btf *vmlinux)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	int id, prog_fd, link_fd;

	id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
	if (id < 0)
		return false;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = id);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "ls_probe", "GPL", insns, 2, &opts);
	if (prog_fd < 0)
		return false;
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return link_fd >= 0;
}

/* sched_switch gained its prev_state argument in 5.18: count the tracepoint's parameters. */
static bool switch_has_prev_state(const struct btf *vmlinux)
{
	const struct btf_type *t;
	int id;

	id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
	if (id < 0)
		return false;
	t = btf__type_by_id(vmlinux, id);
	t = t ? btf__type_by_id(vmlinux, t->type) : NULL; /* pointer */
	t = t ? btf__type_by_id(vmlinux, t->type) : NULL; /* function prototype */
	/* void *__data, bool preempt, prev, next, prev_state */
	return t && btf_is_func_proto(t) && btf_vlen(t) >= 5;
}

void features_probe(const struct btf *vmlinux, struct kernel_features *kf)
{
	memset(kf, 0, sizeof(*kf));
	kf->known[FEAT_BTF] = true;
	kf->have[FEAT_BTF] = vmlinux && !access(VMLINUX_BTF, R_OK);
	if (!vmlinux)
		return;
	for (int f = 0; f < FEAT_COUNT; f++)
		kf->known[f] = true;
	kf->have[FEAT_PROBE_READ_KERNEL] =
		btf_enum_has(vmlinux, "bpf_func_id", "BPF_FUNC_probe_read_kernel");
	kf->have[FEAT_TP_BTF] = probe_tp_btf(vmlinux);
	kf->have[FEAT_TASK_STATE] = btf_struct_has(vmlinux, "task_struct", "__state");
	kf->have[FEAT_THREAD_INFO_CPU] = btf_struct_has(vmlinux, "thread_info", "cpu");
	kf->have[FEAT_SWITCH_PREV_STATE] = switch_has_prev_state(vmlinux);
	kf->have[FEAT_CGROUP_ANCESTORS] = btf_struct_has(vmlinux, "cgroup", "ancestors");
	kf->have[FEAT_SCHED_INFO] = btf_struct_has(vmlinux, "task_struct", "sched_info") &&
				    btf_struct_has(vmlinux, "sched_info", "run_delay");
}

int features_check(const struct kernel_features *kf, char *err, size_t errlen)
{
	for (int f = 0; f < FEAT_COUNT; f++) {
		const struct feature_info *fi = &features[f];

		if (fi->without || !kf->known[f] || kf->have[f])
			continue;
		snprintf(err, errlen,
			 "this kernel lacks %s, which loadscope cannot do without: it needs %s, "
			 "commit %s",
			 fi->name, fi->since, fi->commit);
		return -ENOTSUP;
	}
	return 0;
}

void features_print(const struct kernel_features *kf, FILE *f)
{
	for (int i = 0; i < FEAT_COUNT; i++) {
		const struct feature_info *fi = &features[i];

		fprintf(f, "%s: %s (%s; ", fi->name,
			!kf->known[i] ? "unknown"
			: kf->have[i] ? "yes"
				      : "no",
			fi->since);
		if (fi->without)
			fprintf(f, "without it: %s)\n", fi->without);
		else
			fprintf(f, "required)\n");
	}
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

int features_report(FILE *out, bool verbose, char *err, size_t errlen)
{
	struct kernel_features kf;
	struct btf *vmlinux = NULL;
	int ret;

	if (!verbose)
		libbpf_set_print(quiet_print);
	if (!access(VMLINUX_BTF, R_OK))
		vmlinux = btf__load_vmlinux_btf();
	features_probe(vmlinux, &kf);
	btf__free(vmlinux);
	features_print(&kf, out);
	fflush(out);
	ret = features_check(&kf, err, errlen);
	if (!ret && !vmlinux) {
		snprintf(err, errlen, "cannot read the kernel BTF at " VMLINUX_BTF);
		ret = -EIO;
	}
	return ret;
}
