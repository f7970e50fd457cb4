// SPDX-License-Identifier: GPL-2.0
/*
 * The CSV report, for spreadsheets: one row per process (and thread), then the CPU budget's
 * parts, units in the column names.
 */
#include <string.h>

#include "core/analysis.h"
#include "core/budget.h"
#include "render/render.h"
#include "core/syscalls.h"

/*
 * One row's figures: a process, one of its threads, or a part of the CPU budget. The header is
 * written by the same code as the rows (columns() with header set), so a column cannot be named
 * without being filled.
 */
struct csv_row {
	const struct process *p;
	const struct thread *t;		/* NULL on a process row */
	const struct budget_part *part; /* a budget row: kind, comm, role, cpu_ns and cpu_pct */
	const struct observer_program *prog; /* an observer row: as a budget row, and runs */
	const struct sched_stats *sched;
	const struct sys_figures *sys;
	uint64_t alive_ns;
	uint64_t tcp_reads;
	uint64_t tcp_writes;
	enum role role;
	bool exited;
	struct states states;
};

struct csv {
	FILE *f;
	bool header; /* writing the column names, not a row's values */
	unsigned int col;
	uint64_t duration_ns;
	bool cpu_split; /* the user/kernel split was measured */
	bool traced;	/* the syscall hooks were attached (not light mode) */
	bool blank;	/* a column a budget row leaves empty */
};

static void separator(struct csv *c)
{
	if (c->col++)
		fputc(',', c->f);
}

/*
 * RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. Bytes
 * that are not UTF-8 become '?'. A text a spreadsheet would take for a formula (=, +, -, @, a tab
 * or CR first: a process can name itself "=HYPERLINK(...)") gets a leading apostrophe, as OWASP
 * advises against CSV injection.
 */
static void text_value(struct csv *c, const char *s, size_t n)
{
	bool quote = false, formula;
	size_t i, len;

	separator(c);
	if (c->blank)
		return;
	formula = n && strchr("=+-@\t\r", s[0]);
	for (i = 0; i < n; i++)
		if (strchr(",\"\r\n", s[i]) || formula)
			quote = true;
	if (quote)
		fputc('"', c->f);
	if (formula)
		fputc('\'', c->f);
	for (i = 0; i < n; i += len) {
		len = utf8_sequence_len(s + i, n - i);
		if (!len) {
			fputc('?', c->f);
			len = 1;
			continue;
		}
		if (s[i] == '"')
			fputc('"', c->f);
		fwrite(s + i, 1, len, c->f);
	}
	if (quote)
		fputc('"', c->f);
}

/* Column names are plain words: no quoting needed. */
static void name(struct csv *c, const char *prefix, const char *column)
{
	separator(c);
	fprintf(c->f, "%s%s%s", prefix, *prefix ? "_" : "", column);
}

static void u64_col(struct csv *c, const char *prefix, const char *column, uint64_t v)
{
	if (c->header)
		return name(c, prefix, column);
	separator(c);
	if (!c->blank)
		fprintf(c->f, "%llu", (unsigned long long)v);
}

/* A figure that has no value on this row (a percentile without samples): an empty field. */
static void opt_u64_col(struct csv *c, const char *prefix, const char *column, bool present,
			uint64_t v)
{
	if (c->header || present)
		return u64_col(c, prefix, column, v);
	separator(c);
}

static void pct_col(struct csv *c, const char *column, uint64_t part, uint64_t whole)
{
	if (c->header)
		return name(c, "", column);
	separator(c);
	if (!c->blank)
		fprintf(c->f, "%.2f", whole ? 100.0 * (double)part / (double)whole : 0.0);
}

static void text_col(struct csv *c, const char *column, const char *s, size_t n)
{
	if (c->header)
		return name(c, "", column);
	text_value(c, s, n);
}

/* count, p50, p90, p99 and max of a latency figure, as prefix_count, prefix_p50_ns, ... */
static void lat_cols(struct csv *c, const char *prefix, const char *count_name,
		     const struct lat_figures *l)
{
	uint64_t pct[3] = {0};
	bool timed = false;

	/* empty cells for a figure with nothing timed: no percentiles, not 0 */
	if (!c->header)
		timed = lat_percentiles(l, &pct[0], &pct[1], &pct[2]);
	u64_col(c, prefix, count_name, l->count);
	opt_u64_col(c, prefix, "p50_ns", timed, pct[0]);
	opt_u64_col(c, prefix, "p90_ns", timed, pct[1]);
	opt_u64_col(c, prefix, "p99_ns", timed, pct[2]);
	opt_u64_col(c, prefix, "max_ns", timed, l->max_ns);
}

static void columns(struct csv *c, const struct csv_row *r)
{
	const struct sched_stats *st = r->sched;
	const struct sys_figures *sys = r->sys;
	const char *kind = r->prog ? "observer" : r->part ? "budget" : r->t ? "thread" : "process";
	const char *role = r->prog   ? ""
			   : r->part ? budget_kind_name(r->part->kind)
				     : role_name(r->role);
	uint64_t pct[3] = {0}, d_ns = 0, waits;
	char state_col[40];

	/*
	 * a budget row fills only what it is (kind, comm, role) and its CPU time (cpu_ns, cpu_pct);
	 * c->blank empties the other columns
	 */
	c->col = 0;
	c->blank = false;
	text_col(c, "kind", kind, strlen(kind));
	c->blank = r->part != NULL;
	u64_col(c, "", "pid", r->p->pid);
	opt_u64_col(c, "", "tid", r->t, r->t ? r->t->tid : 0);
	u64_col(c, "", "ppid", r->p->ppid);
	c->blank = false;
	if (c->header) {
		name(c, "", "comm");
	} else if (r->prog) {
		text_value(c, r->prog->name, strnlen(r->prog->name, sizeof(r->prog->name)));
	} else if (r->part) {
		text_value(c, r->part->name, strnlen(r->part->name, sizeof(r->part->name)));
	} else {
		const char *comm = r->t ? r->t->comm : r->p->comm;

		text_value(c, comm, strnlen(comm, LS_COMM_LEN));
	}
	/* light mode: a role needs the connections the syscall hooks see */
	c->blank = !r->part && !c->traced;
	text_col(c, "role", role ? role : "", role ? strlen(role) : 0);
	c->blank = false;
	c->blank = r->part != NULL;
	/* serving, helper or parked: threads only (a process's figures are its serving threads') */
	if (c->header || r->t) {
		const char *kind = r->t ? thread_kind_name(thread_kind(r->p, r->t)) : "";

		text_col(c, "thread_kind", kind, strlen(kind));
	} else {
		text_value(c, "", 0);
	}
	/* how the process became a target, and its cgroup: a thread row repeats its process's */
	if (c->header) {
		name(c, "", "selected_by");
		name(c, "", "cgroup");
	} else {
		const char *why = select_reason_name(r->p->selected_by);

		text_value(c, why ? why : "unknown", strlen(why ? why : "unknown"));
		text_value(c, r->p->cgroup ? r->p->cgroup : "",
			   r->p->cgroup ? strlen(r->p->cgroup) : 0);
	}
	u64_col(c, "", "exited", r->exited);
	u64_col(c, "", "duration_ns", c->duration_ns);
	u64_col(c, "", "alive_ns", r->alive_ns);

	c->blank = false;
	u64_col(c, "", "cpu_ns", st->cpu_ns);
	pct_col(c, "cpu_pct", st->cpu_ns, c->duration_ns);
	c->blank = r->part != NULL;
	opt_u64_col(c, "", "cpu_user_ns", c->cpu_split, st->cpu_ns - st->cpu_kernel_ns);
	opt_u64_col(c, "", "cpu_kernel_ns", c->cpu_split, st->cpu_kernel_ns);
	u64_col(c, "", "runq_wait_ns", st->runq_wait_ns);
	pct_col(c, "runq_pct", st->runq_wait_ns, c->duration_ns);
	u64_col(c, "", "runq_count", st->runq_count);
	waits = c->header ? 0 : hist_total(st->runq_hist, HIST_BUCKETS);
	if (waits)
		sched_stats_percentiles(st, &pct[0], &pct[1], &pct[2]);
	opt_u64_col(c, "", "runq_p50_ns", waits, pct[0]);
	opt_u64_col(c, "", "runq_p90_ns", waits, pct[1]);
	opt_u64_col(c, "", "runq_p99_ns", waits, pct[2]);
	u64_col(c, "", "runq_max_ns", st->runq_max_ns);
	u64_col(c, "", "voluntary_switches", st->voluntary_switches);
	u64_col(c, "", "involuntary_switches", st->involuntary_switches);
	u64_col(c, "", "migrations", st->migrations);
	u64_col(c, "", "wakeups", st->wakeups);

	/* shares of the time the row's threads existed, as the text report's state bars */
	for (int k = 0; k < ST_COUNT; k++) {
		snprintf(state_col, sizeof(state_col), "%s_pct", state_name(k));
		c->blank = r->part || (!c->traced && k != ST_RUNNING && k != ST_RUNNABLE &&
				       k != ST_UNINTERRUPTIBLE && k != ST_OTHER);
		pct_col(c, state_col, r->states.ns[k], r->states.total_ns);
	}
	/* light mode: every figure of the syscall hooks empty, never 0 */
	c->blank = r->part || !c->traced;

	for (int k = 0; k < SC_CLASSES; k++) {
		const char *cls = sys_class_name(k);

		lat_cols(c, cls, "calls", &sys->cls[k]);
		u64_col(c, cls, "errors", sys->cls[k].errors);
		u64_col(c, cls, "total_ns", sys->cls[k].total_ns);
		u64_col(c, cls, "blocked_ns", sys->offcpu_ns[k]);
		if (k == SC_READ || k == SC_WRITE)
			u64_col(c, cls, "bytes", sys->cls[k].bytes);
	}
	for (int k = 0; k <= SC_NONE; k++)
		d_ns += sys->offcpu_d_ns[k];
	u64_col(c, "", "blocked_outside_syscalls_ns", sys->offcpu_ns[SC_NONE]);
	c->blank = r->part != NULL;
	u64_col(c, "", "uninterruptible_ns", d_ns);
	c->blank = r->part || !c->traced;

	u64_col(c, "", "tcp_reads", r->tcp_reads);
	u64_col(c, "", "tcp_writes", r->tcp_writes);
	u64_col(c, "", "handoff_sent", sys->handoff_sent);
	u64_col(c, "", "handoff_received", sys->handoff_received);
	lat_cols(c, "accept_queue", "count", &sys->accept_queue);
	u64_col(c, "", "backlog_max", sys->backlog_max);
	/* connections never accepted are counted per listener, so per process only */
	opt_u64_col(c, "", "unaccepted", !r->t, r->p->unaccepted);
	lat_cols(c, "handoff_delay", "count", &sys->handoff_delay);
	/* an observer row's program runs; empty on the others */
	c->blank = false;
	opt_u64_col(c, "", "runs", r->prog != NULL, r->prog ? r->prog->runs : 0);
	fputs("\r\n", c->f);
}

static void process_row(struct csv *c, const struct snapshot *s, const struct process *p)
{
	struct csv_row r = {
		.p = p,
		.sched = &p->sched,
		.sys = &p->sys,
		.alive_ns = p->alive_ns,
		.tcp_reads = p->tcp_reads,
		.tcp_writes = p->tcp_writes,
		.role = process_role(s, p),
		.exited = p->exited,
	};

	process_states(p, &r.states);
	columns(c, &r);
}

static void thread_row(struct csv *c, const struct snapshot *s, const struct process *p,
		       const struct thread *t)
{
	struct csv_row r = {
		.p = p,
		.t = t,
		.sched = &t->sched,
		.sys = &t->sys,
		.alive_ns = t->alive_ns,
		.tcp_reads = t->tcp_reads,
		.tcp_writes = t->tcp_writes,
		.role = thread_role(s, p, t),
		.exited = t->exited,
	};

	thread_states(t, &r.states);
	columns(c, &r);
}

/* A part of the CPU budget: its name, its kind and its CPU time; nothing else applies. */
static void budget_row(struct csv *c, const struct budget_part *part)
{
	static const struct process no_process;
	const struct sched_stats sched = {.cpu_ns = part->cpu_ns};
	struct csv_row r = {
		.p = &no_process,
		.part = part,
		.sched = &sched,
		.sys = &no_process.sys,
	};

	columns(c, &r);
}

/* One of loadscope's programs: its name, its run time as cpu_ns and how often it ran. */
static void observer_row(struct csv *c, const struct observer_program *prog)
{
	static const struct process no_process;
	const struct budget_part part = {.kind = BUDGET_OTHER, .cpu_ns = prog->run_ns};
	const struct sched_stats sched = {.cpu_ns = prog->run_ns};
	struct csv_row r = {
		.p = &no_process,
		.part = &part,
		.prog = prog,
		.sched = &sched,
		.sys = &no_process.sys,
	};

	columns(c, &r);
}

void report_csv(const struct snapshot *s, FILE *f, bool threads)
{
	static const struct process no_process;
	static const struct csv_row header_row = {
		.p = &no_process,
		.sched = &no_process.sched,
		.sys = &no_process.sys,
	};
	struct csv c = {
		.f = f,
		.header = true,
		.duration_ns = s->duration_ns,
		.cpu_split = s->cpu_split,
		.traced = !s->no_syscalls,
	};

	columns(&c, &header_row);
	c.header = false;
	for (size_t i = 0; i < s->nprocesses; i++) {
		const struct process *p = &s->processes[i];

		process_row(&c, s, p);
		for (size_t j = 0; threads && j < p->nthreads; j++)
			thread_row(&c, s, p, &p->threads[j]);
	}
	/* the machine's CPUs: a row per part, after the processes */
	for (size_t i = 0; s->cpu_budget.status == BUDGET_MEASURED && i < s->cpu_budget.nparts &&
			   i < BUDGET_MAX_PARTS;
	     i++)
		budget_row(&c, &s->cpu_budget.parts[i]);
	/* loadscope's own programs, a row each, when their cost was measured */
	for (size_t i = 0; s->observer.source != OBSERVER_UNKNOWN && i < s->observer.nprograms &&
			   i < OBSERVER_MAX_PROGRAMS;
	     i++)
		observer_row(&c, &s->observer.programs[i]);
}
