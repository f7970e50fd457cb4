// SPDX-License-Identifier: GPL-2.0
/*
 * serve's figures as an exposition: Prometheus text 0.0.4 or OpenMetrics text 1.0.0. The two
 * differ in the metadata (a counter family is named without _total in OpenMetrics, info is a
 * type there, UNIT lines) and in the "# EOF" that ends OpenMetrics; the samples are the same.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/syscalls.h"
#include "render/prometheus.h"

#define LABELS_LEN 1024 /* a group's labels, escaped: a cgroup path of a few hundred bytes */

enum family_type {
	FAM_COUNTER,
	FAM_GAUGE,
	FAM_HISTOGRAM,
	FAM_INFO,
};

struct writer {
	FILE *out;
	enum prom_format fmt;
};

/* Label values escape backslash, double quote and newline (both formats). */
static void escape_value(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 3 < len; src++) {
		if (*src == '\\' || *src == '"') {
			dst[n++] = '\\';
			dst[n++] = *src;
		} else if (*src == '\n') {
			dst[n++] = '\\';
			dst[n++] = 'n';
		} else {
			dst[n++] = *src;
		}
	}
	dst[n] = '\0';
}

/*
 * The metadata of a family. base is the name without _total (counters) or _info (info): the
 * family's name in OpenMetrics; text 0.0.4 names the family as its samples are named.
 */
static void family(struct writer *w, const char *base, enum family_type type, bool seconds,
		   const char *help)
{
	static const char *const om_types[] = {"counter", "gauge", "histogram", "info"};
	static const char *const text_types[] = {"counter", "gauge", "histogram", "gauge"};
	const char *suffix = "";

	if (w->fmt == PROM_TEXT) {
		if (type == FAM_COUNTER)
			suffix = "_total";
		else if (type == FAM_INFO)
			suffix = "_info";
		fprintf(w->out, "# HELP %s%s %s\n# TYPE %s%s %s\n", base, suffix, help, base,
			suffix, text_types[type]);
		return;
	}
	fprintf(w->out, "# TYPE %s %s\n", base, om_types[type]);
	if (seconds)
		fprintf(w->out, "# UNIT %s seconds\n", base);
	fprintf(w->out, "# HELP %s %s\n", base, help);
}

/* Nanoseconds as seconds, exactly: nine decimals. */
static void seconds_value(FILE *out, uint64_t ns)
{
	fprintf(out, "%" PRIu64 ".%09" PRIu64, ns / UINT64_C(1000000000),
		ns % UINT64_C(1000000000));
}

static void labels_of_group(const struct export_totals *t, const struct export_group *g, char *buf,
			    size_t len)
{
	char cgroup[LABELS_LEN / 2], process[2 * LS_COMM_LEN + 1];
	int n;

	escape_value(cgroup, sizeof(cgroup), g->cgroup);
	escape_value(process, sizeof(process), g->process);
	n = snprintf(buf, len, "cgroup=\"%s\",container_id=\"%s\",process=\"%s\"", cgroup,
		     g->container_id, process);
	if (t->by_pid && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ",pid=\"%d\"", g->pid);
}

static void labels_of_cgroup(const struct export_cgroup *c, char *buf, size_t len)
{
	char cgroup[LABELS_LEN / 2];

	escape_value(cgroup, sizeof(cgroup), c->path);
	snprintf(buf, len, "cgroup=\"%s\",container_id=\"%s\"", cgroup, c->container_id);
}

static void sample_u64(struct writer *w, const char *name, const char *labels, const char *extra,
		       uint64_t v)
{
	fprintf(w->out, "%s{%s%s%s} %" PRIu64 "\n", name, labels, extra ? "," : "",
		extra ? extra : "", v);
}

static void sample_seconds(struct writer *w, const char *name, const char *labels,
			   const char *extra, uint64_t ns)
{
	fprintf(w->out, "%s{%s%s%s} ", name, labels, extra ? "," : "", extra ? extra : "");
	seconds_value(w->out, ns);
	fputc('\n', w->out);
}

/* A histogram's series: cumulative buckets at the le bounds, +Inf, _count and _sum. */
static void histogram(struct writer *w, const char *base, const char *labels, const char *extra,
		      const uint64_t *hist, uint64_t sum_ns)
{
	uint64_t cum[PROM_LE_BOUNDS + 1];
	char le[32];
	const char *sep = extra ? "," : "";

	if (!extra)
		extra = "";
	prom_le_counts(hist, cum);
	for (unsigned int i = 0; i < PROM_LE_BOUNDS; i++) {
		prom_le_label(i, le, sizeof(le));
		fprintf(w->out, "%s_bucket{%s%s%s,le=\"%s\"} %" PRIu64 "\n", base, labels, sep,
			extra, le, cum[i]);
	}
	fprintf(w->out, "%s_bucket{%s%s%s,le=\"+Inf\"} %" PRIu64 "\n", base, labels, sep, extra,
		cum[PROM_LE_BOUNDS]);
	/* the count is the buckets' total, so +Inf and _count can never disagree */
	fprintf(w->out, "%s_count{%s%s%s} %" PRIu64 "\n", base, labels, sep, extra,
		cum[PROM_LE_BOUNDS]);
	fprintf(w->out, "%s_sum{%s%s%s} ", base, labels, sep, extra);
	seconds_value(w->out, sum_ns);
	fputc('\n', w->out);
}

static void info_families(struct writer *w, const struct prom_meta *m)
{
	char comm[2 * LS_COMM_LEN + 1], cgroup[LABELS_LEN / 2];

	family(w, "loadscope_build", FAM_INFO, false,
	       "loadscope's version, the kind of programs attached and whether the syscall "
	       "programs are.");
	fprintf(w->out, "loadscope_build_info{version=\"%s\",program=\"%s\",syscalls=\"%s\"} 1\n",
		m->version ? m->version : "", m->program ? m->program : "",
		m->syscalls ? "true" : "false");
	family(w, "loadscope_target", FAM_INFO, false,
	       "A live target process: its pid, comm, cgroup and container ID.");
	for (size_t i = 0; i < m->ntargets; i++) {
		const struct export_target *x = &m->targets[i];

		escape_value(comm, sizeof(comm), x->comm);
		escape_value(cgroup, sizeof(cgroup), x->cgroup ? x->cgroup : "/");
		fprintf(w->out,
			"loadscope_target_info{pid=\"%d\",comm=\"%s\",cgroup=\"%s\","
			"container_id=\"%s\"} 1\n",
			x->pid, comm, cgroup, x->container_id ? x->container_id : "");
	}
}

/* Every group's labels, computed once. */
struct group_labels {
	char v[LABELS_LEN];
};

static void sched_families(struct writer *w, const struct export_totals *t,
			   const struct group_labels *l, bool split)
{
	char extra[64];

	family(w, "loadscope_cpu_seconds", FAM_COUNTER, true,
	       split ? "On-CPU time of the targets' threads, in user space and in the kernel "
		       "(inside syscalls)."
		     : "On-CPU time of the targets' threads (mode=\"all\": without --syscalls the "
		       "user/kernel split is not measured).");
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct export_group *g = t->groups[i];

		if (!split) {
			sample_seconds(w, "loadscope_cpu_seconds_total", l[i].v, "mode=\"all\"",
				       g->cpu_ns);
			continue;
		}
		sample_seconds(w, "loadscope_cpu_seconds_total", l[i].v, "mode=\"user\"",
			       g->cpu_ns - g->cpu_kernel_ns);
		sample_seconds(w, "loadscope_cpu_seconds_total", l[i].v, "mode=\"kernel\"",
			       g->cpu_kernel_ns);
	}
	family(w, "loadscope_runqueue_wait_seconds", FAM_HISTOGRAM, true,
	       "Time the targets' threads waited runnable for a CPU, per wait (schedstat's "
	       "run_delay).");
	for (size_t i = 0; i < t->ngroups; i++)
		histogram(w, "loadscope_runqueue_wait_seconds", l[i].v, NULL,
			  t->groups[i]->runq_hist, t->groups[i]->runq_wait_ns);
	family(w, "loadscope_context_switches", FAM_COUNTER, false,
	       "Context switches of the targets' threads: voluntary (blocked) or involuntary "
	       "(preempted).");
	for (size_t i = 0; i < t->ngroups; i++) {
		sample_u64(w, "loadscope_context_switches_total", l[i].v, "kind=\"voluntary\"",
			   t->groups[i]->voluntary_switches);
		sample_u64(w, "loadscope_context_switches_total", l[i].v, "kind=\"involuntary\"",
			   t->groups[i]->involuntary_switches);
	}
	family(w, "loadscope_migrations", FAM_COUNTER, false,
	       "Moves of the targets' threads from one CPU to another.");
	for (size_t i = 0; i < t->ngroups; i++)
		sample_u64(w, "loadscope_migrations_total", l[i].v, NULL, t->groups[i]->migrations);
	family(w, "loadscope_wakeups", FAM_COUNTER, false, "Wakeups of the targets' threads.");
	for (size_t i = 0; i < t->ngroups; i++)
		sample_u64(w, "loadscope_wakeups_total", l[i].v, NULL, t->groups[i]->wakeups);
	family(w, "loadscope_thread_state_seconds", FAM_COUNTER, true,
	       split ? "Thread time by state: running, runnable (waiting for a CPU), and blocked: "
		       "idle (poll, futex waits for work), io (accept, read, write), lock (futex "
		       "waits for a lock), uninterruptible, other."
		     : "Thread time by state: running, runnable (waiting for a CPU), and blocked: "
		       "uninterruptible, other (without --syscalls, idle, io and lock waits are "
		       "not told apart).");
	for (size_t i = 0; i < t->ngroups; i++) {
		for (int s = 0; s < ST_COUNT; s++) {
			if (!split && (s == ST_IDLE || s == ST_IO || s == ST_LOCK))
				continue;
			snprintf(extra, sizeof(extra), "state=\"%s\"", state_name(s));
			sample_seconds(w, "loadscope_thread_state_seconds_total", l[i].v, extra,
				       t->groups[i]->state_ns[s]);
		}
	}
}

static void syscall_families(struct writer *w, const struct export_totals *t,
			     const struct group_labels *l)
{
	char extra[96];

	family(w, "loadscope_syscall_duration_seconds", FAM_HISTOGRAM, true,
	       "Wall time of the targets' syscalls by class, entry to exit.");
	for (size_t i = 0; i < t->ngroups; i++) {
		for (int c = 0; c < SC_CLASSES; c++) {
			const struct export_lat *x = &t->groups[i]->lat[c];

			if (!x->count)
				continue;
			snprintf(extra, sizeof(extra), "class=\"%s\"", sys_class_name(c));
			histogram(w, "loadscope_syscall_duration_seconds", l[i].v, extra, x->hist,
				  x->total_ns);
		}
	}
	family(w, "loadscope_syscall_errors", FAM_COUNTER, false,
	       "Failed syscalls of the targets by class and errno.");
	for (size_t i = 0; i < t->ngroups; i++) {
		for (int c = 0; c < SC_CLASSES; c++) {
			for (size_t e = 0; e < t->groups[i]->nerrnos[c]; e++) {
				const struct named_count *n = &t->groups[i]->errnos[c][e];

				snprintf(extra, sizeof(extra), "class=\"%s\",errno=\"%s\"",
					 sys_class_name(c), n->name);
				sample_u64(w, "loadscope_syscall_errors_total", l[i].v, extra,
					   n->count);
			}
		}
	}
	family(w, "loadscope_accept_queue_wait_seconds", FAM_HISTOGRAM, true,
	       "Time accepted connections waited in the listen queue: established to accept().");
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct export_lat *x = &t->groups[i]->lat[LAT_ACCEPT_QUEUE];

		if (x->count)
			histogram(w, "loadscope_accept_queue_wait_seconds", l[i].v, NULL, x->hist,
				  x->total_ns);
	}
	family(w, "loadscope_socket_handoffs", FAM_COUNTER, false,
	       "Descriptors the targets passed to another process with SCM_RIGHTS, or received.");
	for (size_t i = 0; i < t->ngroups; i++) {
		const struct export_group *g = t->groups[i];

		if (!g->handoff_sent && !g->handoff_received)
			continue;
		sample_u64(w, "loadscope_socket_handoffs_total", l[i].v, "direction=\"sent\"",
			   g->handoff_sent);
		sample_u64(w, "loadscope_socket_handoffs_total", l[i].v, "direction=\"received\"",
			   g->handoff_received);
	}
}

static void cgroup_families(struct writer *w, const struct export_totals *t)
{
	char labels[LABELS_LEN];

	family(w, "loadscope_cgroup_cpu_periods", FAM_COUNTER, false,
	       "cpu.stat nr_periods of the targets' cgroups: enforcement periods with runnable "
	       "tasks.");
	for (size_t i = 0; i < t->ncgroups; i++) {
		if (!t->cgroups[i]->have_throttling)
			continue;
		labels_of_cgroup(t->cgroups[i], labels, sizeof(labels));
		sample_u64(w, "loadscope_cgroup_cpu_periods_total", labels, NULL,
			   t->cgroups[i]->periods);
	}
	family(w, "loadscope_cgroup_cpu_throttled_periods", FAM_COUNTER, false,
	       "cpu.stat nr_throttled: periods that ended with the cgroup's quota used up.");
	for (size_t i = 0; i < t->ncgroups; i++) {
		if (!t->cgroups[i]->have_throttling)
			continue;
		labels_of_cgroup(t->cgroups[i], labels, sizeof(labels));
		sample_u64(w, "loadscope_cgroup_cpu_throttled_periods_total", labels, NULL,
			   t->cgroups[i]->throttled_periods);
	}
	family(w, "loadscope_cgroup_cpu_throttled_seconds", FAM_COUNTER, true,
	       "cpu.stat throttled_usec: time the cgroup's tasks were throttled.");
	for (size_t i = 0; i < t->ncgroups; i++) {
		if (!t->cgroups[i]->have_throttling)
			continue;
		labels_of_cgroup(t->cgroups[i], labels, sizeof(labels));
		sample_seconds(w, "loadscope_cgroup_cpu_throttled_seconds_total", labels, NULL,
			       t->cgroups[i]->throttled_ns);
	}
	family(w, "loadscope_cgroup_cpu_pressure_some_seconds", FAM_COUNTER, true,
	       "cpu.pressure some total: time some of the cgroup's tasks waited for a CPU (PSI).");
	for (size_t i = 0; i < t->ncgroups; i++) {
		if (!t->cgroups[i]->have_pressure)
			continue;
		labels_of_cgroup(t->cgroups[i], labels, sizeof(labels));
		sample_seconds(w, "loadscope_cgroup_cpu_pressure_some_seconds_total", labels, NULL,
			       t->cgroups[i]->pressure_some_ns);
	}
	family(w, "loadscope_processes_over_cap", FAM_COUNTER, false,
	       "Processes counted as process=\"other\" because their cgroup had --max-processes "
	       "process names already.");
	for (size_t i = 0; i < t->ncgroups; i++) {
		labels_of_cgroup(t->cgroups[i], labels, sizeof(labels));
		sample_u64(w, "loadscope_processes_over_cap_total", labels, NULL,
			   t->cgroups[i]->processes_over_cap);
	}
}

int render_prometheus(const struct export_totals *t, const struct prom_meta *m,
		      enum prom_format fmt, FILE *out)
{
	struct writer w = {.out = out, .fmt = fmt};
	struct group_labels *labels = calloc(t->ngroups ? t->ngroups : 1, sizeof(*labels));
	char extra[64];

	if (!labels)
		return -ENOMEM;
	for (size_t i = 0; i < t->ngroups; i++)
		labels_of_group(t, t->groups[i], labels[i].v, sizeof(labels[i].v));
	info_families(&w, m);
	sched_families(&w, t, labels, m->syscalls);
	if (m->syscalls)
		syscall_families(&w, t, labels);
	cgroup_families(&w, t);
	family(&w, "loadscope_dropped_events", FAM_COUNTER, false,
	       "Events not recorded because a BPF map was full or memory unreadable, by reason.");
	for (unsigned int r = 0; r < DROP_REASONS; r++) {
		snprintf(extra, sizeof(extra), "reason=\"%s\"", drop_reason_name(r));
		fprintf(out, "loadscope_dropped_events_total{%s} %" PRIu64 "\n", extra,
			t->drops[r]);
	}
	if (fmt == PROM_OPENMETRICS)
		fputs("# EOF\n", out);
	free(labels);
	return ferror(out) ? -EIO : 0;
}

enum prom_format prom_format_for_accept(const char *accept)
{
	return accept && strstr(accept, "application/openmetrics-text") ? PROM_OPENMETRICS
									: PROM_TEXT;
}
