// SPDX-License-Identifier: GPL-2.0
/* loadscope's one BPF object: the headers below hold its maps and programs, one per concern. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "loadscope.h"
#include "core_fixes.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#include "common.bpf.h"
#include "sched.bpf.h"
#include "lifecycle.bpf.h"
#include "conn.bpf.h"
#include "syscalls.bpf.h"
