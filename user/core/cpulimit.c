// SPDX-License-Identifier: GPL-2.0
/* CPU limits of cgroups: the cpu controller's files parsed, readings turned into deltas. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpulimit.h"

/* A whole non-negative decimal at *p, ending at a space, a newline or the end; advances *p. */
static int parse_u64(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s && *s != ' ' && *s != '\n' && *s != '\t')
		return -EINVAL;
	*out = v;
	*p = s;
	return 0;
}

/* Only whitespace left. */
static bool at_end(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return !*s;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

int cpu_parse_max(const char *text, struct cpu_sample *s)
{
	const char *p = text;
	uint64_t quota = 0, period;
	bool limited = true;

	if (!strncmp(p, "max", 3) && (p[3] == ' ' || p[3] == '\n' || !p[3])) {
		limited = false;
		p += 3;
	} else if (parse_u64(&p, &quota)) {
		return -EINVAL;
	}
	if (*p++ != ' ' || parse_u64(&p, &period) || !at_end(p) || !period)
		return -EINVAL;
	s->known &= ~(unsigned int)(CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD);
	s->known |= CPU_KNOWN_PERIOD | (limited ? CPU_KNOWN_QUOTA : 0);
	s->quota_us = limited ? quota : 0;
	s->period_us = period;
	return 0;
}

int cpu_parse_cfs_quota(const char *text, struct cpu_sample *s)
{
	const char *p = text;
	uint64_t quota;

	/* the kernel writes -1 for no limit; it takes any negative number to mean that */
	if (*p == '-') {
		p++;
		if (parse_u64(&p, &quota) || !at_end(p))
			return -EINVAL;
		s->known &= ~(unsigned int)CPU_KNOWN_QUOTA;
		s->quota_us = 0;
		return 0;
	}
	if (parse_u64(&p, &quota) || !at_end(p))
		return -EINVAL;
	s->known |= CPU_KNOWN_QUOTA;
	s->quota_us = quota;
	return 0;
}

int cpu_parse_cfs_period(const char *text, struct cpu_sample *s)
{
	const char *p = text;
	uint64_t period;

	if (parse_u64(&p, &period) || !at_end(p) || !period)
		return -EINVAL;
	s->known |= CPU_KNOWN_PERIOD;
	s->period_us = period;
	return 0;
}

int cpu_parse_stat(const char *text, struct cpu_sample *s)
{
	enum { PERIODS = 1, THROTTLED = 2, TIME = 4 };
	uint64_t periods = 0, throttled = 0, time_ns = 0, v;
	unsigned int seen = 0;
	const char *line = text;

	while (*line) {
		const char *sp = strchr(line, ' '), *nl = strchr(line, '\n'), *p;
		size_t keylen;

		if (!nl)
			nl = line + strlen(line);
		if (nl == line) {
			line++;
			continue;
		}
		if (!sp || sp > nl)
			return -EINVAL;
		keylen = (size_t)(sp - line);
		p = sp + 1;
		if (parse_u64(&p, &v) || p != nl)
			return -EINVAL;
#define KEY(k) (keylen == strlen(k) && !strncmp(line, k, keylen))
		if (KEY("nr_periods")) {
			periods = v;
			seen |= PERIODS;
		} else if (KEY("nr_throttled")) {
			throttled = v;
			seen |= THROTTLED;
		} else if (KEY("throttled_usec")) {
			time_ns = mul_sat(v, 1000); /* v2 */
			seen |= TIME;
		} else if (KEY("throttled_time")) {
			time_ns = v; /* v1: already ns */
			seen |= TIME;
		}
#undef KEY
		line = *nl ? nl + 1 : nl;
	}
	if (seen != (PERIODS | THROTTLED | TIME)) {
		s->known &= ~(unsigned int)CPU_KNOWN_THROTTLING;
		return 0;
	}
	s->known |= CPU_KNOWN_THROTTLING;
	s->periods = periods;
	s->throttled_periods = throttled;
	s->throttled_ns = time_ns;
	return 0;
}

int cpu_parse_pressure(const char *text, struct cpu_sample *s)
{
	const char *line = text, *total, *nl;
	uint64_t v;

	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "some ", 5))
			continue;
		nl = strchr(line, '\n');
		total = strstr(line, " total=");
		if (!total || (nl && total > nl))
			return -EINVAL;
		total += strlen(" total=");
		if (parse_u64(&total, &v))
			return -EINVAL;
		s->known |= CPU_KNOWN_PRESSURE;
		s->pressure_some_us = v;
		return 0;
	}
	return -EINVAL;
}

int cpu_cgroup_parse(const char *proc_cgroup, enum cgroup_hierarchy h, char *path, size_t len)
{
	const char *line = proc_cgroup;

	/* each line is "ID:CONTROLLERS:PATH"; v2's has ID 0 and no controllers */
	for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *c1 = strchr(line, ':'), *c2, *nl = strchr(line, '\n'), *ctl;
		size_t plen;
		bool match = false;

		if (!nl)
			nl = line + strlen(line);
		if (!c1 || c1 > nl || !(c2 = strchr(c1 + 1, ':')) || c2 > nl)
			continue;
		if (h == CGROUP_V2) {
			match = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;
		} else {
			for (ctl = c1 + 1; ctl < c2 && !match;) {
				const char *end = memchr(ctl, ',', (size_t)(c2 - ctl));

				if (!end)
					end = c2;
				match = end - ctl == 3 && !strncmp(ctl, "cpu", 3);
				ctl = end + 1;
			}
		}
		if (!match)
			continue;
		plen = (size_t)(nl - (c2 + 1));
		if (!plen || c2[1] != '/')
			continue;
		if (plen >= len)
			return -ENAMETOOLONG;
		memcpy(path, c2 + 1, plen);
		path[plen] = '\0';
		return 0;
	}
	return -ENOENT;
}

/*
 * end - start for counters of one file. When any went down the file's counters restarted (the
 * cgroup made again under that name): what they counted since is their value at the end.
 */
static void deltas(const uint64_t *start, const uint64_t *end, uint64_t *out, int n, bool *reset)
{
	bool down = false;

	for (int i = 0; i < n; i++)
		down |= end[i] < start[i];
	for (int i = 0; i < n; i++)
		out[i] = down ? end[i] : end[i] - start[i];
	*reset |= down;
}

void cpu_limit_delta(const struct cpu_sample *start, const struct cpu_sample *end,
		     struct cpu_limit *out)
{
	const unsigned int quota_files = CPU_FILE_MAX | CPU_FILE_CFS_QUOTA | CPU_FILE_CFS_PERIOD;
	const struct cpu_sample *lim = end;

	memset(out, 0, sizeof(*out));
	out->missing = end->missing | (start ? start->missing : 0);
	/* a quota file the end could not read (the cgroup removed meanwhile): the start's limit */
	if (start && (end->missing & quota_files) && !(start->missing & quota_files))
		lim = start;
	out->known = lim->known & (CPU_KNOWN_QUOTA | CPU_KNOWN_PERIOD);
	out->quota_us = lim->known & CPU_KNOWN_QUOTA ? lim->quota_us : 0;
	out->period_us = lim->known & CPU_KNOWN_PERIOD ? lim->period_us : 0;
	if (!start) {
		out->end_only = true;
		return;
	}
	if (start->known & end->known & CPU_KNOWN_THROTTLING) {
		const uint64_t a[] = {start->periods, start->throttled_periods,
				      start->throttled_ns};
		const uint64_t b[] = {end->periods, end->throttled_periods, end->throttled_ns};
		uint64_t d[3];

		deltas(a, b, d, 3, &out->counters_reset);
		out->known |= CPU_KNOWN_THROTTLING;
		out->periods = d[0];
		out->throttled_periods = d[1];
		out->throttled_ns = d[2];
	}
	if (start->known & end->known & CPU_KNOWN_PRESSURE) {
		uint64_t d;

		deltas(&start->pressure_some_us, &end->pressure_some_us, &d, 1,
		       &out->counters_reset);
		out->known |= CPU_KNOWN_PRESSURE;
		out->pressure_some_ns = mul_sat(d, 1000);
	}
}

double cpu_limit_cpus(const struct cpu_limit *l)
{
	if (!(l->known & CPU_KNOWN_QUOTA) || !(l->known & CPU_KNOWN_PERIOD) || !l->period_us)
		return 0;
	return (double)l->quota_us / (double)l->period_us;
}

/* ---- the set of cgroups a run samples ---- */

static struct cpu_watch_entry *find_entry(struct cpu_watch *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].path, path))
			return &w->v[i];
	return NULL;
}

static int add_pid(struct cpu_watch_entry *e, int pid)
{
	for (size_t i = 0; i < e->npids; i++)
		if (e->pids[i] == pid)
			return 0;
	if (e->npids == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		int *grown = realloc(e->pids, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		e->pids = grown;
		e->cap = cap;
	}
	e->pids[e->npids++] = pid;
	return 0;
}

/* A cgroup that did not fit, remembered once so that it is counted once. */
static int leave_out(struct cpu_watch *w, const char *path)
{
	char **grown, *copy;

	for (size_t i = 0; i < w->nleft_out; i++)
		if (!strcmp(w->left_out[i], path))
			return -ENOSPC;
	copy = strdup(path);
	grown = realloc(w->left_out, (w->nleft_out + 1) * sizeof(*grown));
	if (!copy || !grown) {
		free(copy);
		if (grown)
			w->left_out = grown;
		return -ENOMEM;
	}
	w->left_out = grown;
	w->left_out[w->nleft_out++] = copy;
	return -ENOSPC;
}

/* The entry of path, made when new; NULL with *ret set when it does not fit or on ENOMEM. */
static struct cpu_watch_entry *entry_of(struct cpu_watch *w, const char *path, int *ret)
{
	struct cpu_watch_entry *e = find_entry(w, path);

	if (e)
		return e;
	if (w->n == LS_MAX_CPU_CGROUPS) {
		*ret = leave_out(w, path);
		return NULL;
	}
	e = &w->v[w->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path) {
		*ret = -ENOMEM;
		return NULL;
	}
	w->n++;
	return e;
}

int cpu_watch_add(struct cpu_watch *w, const char *path, int pid)
{
	struct cpu_watch_entry *e;
	char *up, *slash;
	int ret = 0;

	/* the target's own cgroup first: when space runs out, it matters more than its ancestors */
	e = entry_of(w, path, &ret);
	if (!e)
		return ret;
	if (pid > 0 && (ret = add_pid(e, pid)))
		return ret;
	up = strdup(path);
	if (!up)
		return -ENOMEM;
	while ((slash = strrchr(up, '/')) && slash != up) {
		*slash = '\0';
		if (!entry_of(w, up, &ret) && ret == -ENOMEM)
			break;
		ret = 0; /* an ancestor that does not fit is counted, the target's cgroup is in */
	}
	free(up);
	return ret;
}

bool cpu_watch_has_pid(const struct cpu_watch *w, int pid)
{
	for (size_t i = 0; i < w->n; i++)
		for (size_t k = 0; k < w->v[i].npids; k++)
			if (w->v[i].pids[k] == pid)
				return true;
	return false;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_cpu_cgroup(const void *a, const void *b)
{
	return strcmp(((const struct cpu_cgroup *)a)->path, ((const struct cpu_cgroup *)b)->path);
}

int cpu_watch_record(const struct cpu_watch *w, struct snapshot *s)
{
	struct cpu_cgroup *arr;
	size_t n = 0;

	arr = calloc(w->n ? w->n : 1, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < w->n; i++) {
		const struct cpu_watch_entry *e = &w->v[i];
		struct cpu_cgroup *c = &arr[n];

		/* a cgroup read neither at the start nor at the end (not reached): nothing to say
		 */
		if (!e->ended)
			continue;
		c->path = strdup(e->path);
		c->pids = calloc(e->npids ? e->npids : 1, sizeof(*c->pids));
		n++;
		if (!c->path || !c->pids)
			goto fail;
		memcpy(c->pids, e->pids, e->npids * sizeof(*c->pids));
		c->npids = e->npids;
		qsort(c->pids, c->npids, sizeof(*c->pids), cmp_int);
		c->hierarchy = w->hierarchy;
		cpu_limit_delta(e->started ? &e->start : NULL, &e->end, &c->limit);
	}
	qsort(arr, n, sizeof(*arr), cmp_cpu_cgroup);
	s->cpu_cgroups = arr;
	s->ncpu_cgroups = n;
	s->cpu_cgroups_full = w->nleft_out;
	return 0;
fail:
	for (size_t i = 0; i < n; i++) {
		free(arr[i].path);
		free(arr[i].pids);
	}
	free(arr);
	return -ENOMEM;
}

void cpu_watch_free(struct cpu_watch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].path);
		free(w->v[i].pids);
	}
	for (size_t i = 0; i < w->nleft_out; i++)
		free(w->left_out[i]);
	free(w->left_out);
	memset(w, 0, sizeof(*w));
}
