/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel features loadscope uses, probed at run time: which are there, and what it does without. */
#ifndef LOADSCOPE_KERNEL_FEATURES_H
#define LOADSCOPE_KERNEL_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct btf;

/* The BPF side resolves the same differences with CO-RE (bpf/core_fixes.bpf.h). */
enum kernel_feature {
	FEAT_BTF,		/* kernel BTF in sysfs */
	FEAT_PROBE_READ_KERNEL, /* the bpf_probe_read_kernel helper */
	FEAT_TP_BTF,		/* tp_btf programs on sched_switch */
	FEAT_TASK_STATE,	/* task_struct::__state */
	FEAT_THREAD_INFO_CPU,	/* thread_info::cpu */
	FEAT_SWITCH_PREV_STATE, /* sched_switch's prev_state argument */
	FEAT_SCHED_INFO,	/* task_struct::sched_info */
	FEAT_CGROUP_ANCESTORS,	/* cgroup::ancestors[] (--cgroup, --container) */
	FEAT_COUNT,
};

struct feature_info {
	const char *name;
	const char *since;   /* "Linux X.Y+", with the build option when one is needed too */
	const char *commit;  /* the kernel commit that brought it, "" when none applies */
	const char *without; /* what loadscope does without it; NULL when it cannot run */
};

struct kernel_features {
	bool have[FEAT_COUNT];
	bool known[FEAT_COUNT]; /* probed; false when it could not be (no BTF to look in) */
};

const struct feature_info *feature_info(enum kernel_feature f);
/* Probes every feature; vmlinux is the kernel's BTF, NULL when there is none. Needs CAP_BPF. */
void features_probe(const struct btf *vmlinux, struct kernel_features *kf);
/*
 * 0 when loadscope can run with these features; otherwise -ENOTSUP and, in err, one line that
 * names the first missing feature it cannot do without and the Linux version that brings it.
 */
int features_check(const struct kernel_features *kf, char *err, size_t errlen);
/* One line per feature: "NAME: yes|no|unknown (Linux X.Y+; required|without it: ...)". */
void features_print(const struct kernel_features *kf, FILE *f);
/*
 * loadscope --features: reads the kernel's BTF, probes, prints to out; then as features_check.
 * libbpf's own messages go to stderr only when verbose.
 */
int features_report(FILE *out, bool verbose, char *err, size_t errlen);

#endif /* LOADSCOPE_KERNEL_FEATURES_H */
