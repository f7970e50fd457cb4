/* Reads a thread's own scheduler accounting from /proc, the oracle that test workloads report. */
#ifndef LOADSCOPE_WORKLOAD_ORACLE_H
#define LOADSCOPE_WORKLOAD_ORACLE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

/* The kernel's own figures for one thread, as the integration tests compare them. */
struct task_oracle {
	uint64_t cpu_ns;       /* schedstat field 1: se.sum_exec_runtime */
	uint64_t runq_wait_ns; /* schedstat field 2: sched_info.run_delay */
	uint64_t runs;	       /* schedstat field 3: sched_info.pcount, times switched in */
	uint64_t voluntary;    /* status: voluntary_ctxt_switches */
	uint64_t involuntary;  /* status: nonvoluntary_ctxt_switches */
	uint64_t migrations;   /* sched: se.nr_migrations, when the kernel has that file */
	bool has_migrations;
};

static inline void oracle_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline double oracle_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Stays on the CPU for a wall-clock interval. The only call out of user space is clock_gettime,
 * which the vDSO serves, so every switch the thread makes is a preemption.
 */
static inline void oracle_spin(double seconds)
{
	double deadline = oracle_now_s() + seconds;
	volatile uint64_t sink = 0;
	uint64_t i;

	do {
		for (i = 0; i < 20000; i++)
			sink += i;
	} while (oracle_now_s() < deadline);
}

static inline void oracle_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Value of the line "KEY<sep>VALUE" of a /proc file; 0 when found, -1 when not. */
static inline int oracle_read_key(const char *path, const char *key, uint64_t *value)
{
	size_t keylen = strlen(key);
	char line[256];
	int ret = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + keylen;

		if (strncmp(line, key, keylen) || (*p != ' ' && *p != '\t' && *p != ':'))
			continue;
		while (*p == ' ' || *p == '\t' || *p == ':')
			p++;
		/* /proc/<tid>/sched prints some fields as "N.NNNNNN"; this one is an integer */
		*value = strtoull(p, NULL, 10);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * The figures of thread tid of process pid, read from /proc/<pid>/task/<tid>/. They stay readable
 * while the task is a zombie, then final: its exit included.
 */
static inline void oracle_read_task(int pid, int tid, struct task_oracle *o)
{
	unsigned long long cpu_ns, runq_wait_ns, runs;
	char path[128];
	FILE *f;

	memset(o, 0, sizeof(*o));
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", pid, tid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu %llu %llu", &cpu_ns, &runq_wait_ns, &runs) != 3)
		oracle_die("cannot read %s: %s", path, strerror(errno));
	fclose(f);
	o->cpu_ns = cpu_ns;
	o->runq_wait_ns = runq_wait_ns;
	o->runs = runs;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	if (oracle_read_key(path, "voluntary_ctxt_switches", &o->voluntary) ||
	    oracle_read_key(path, "nonvoluntary_ctxt_switches", &o->involuntary))
		oracle_die("cannot read the switch counts in %s", path);

	/* /proc/<tid>/sched needs CONFIG_SCHED_DEBUG on older kernels: optional */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/sched", pid, tid);
	o->has_migrations = !oracle_read_key(path, "se.nr_migrations", &o->migrations);
}

/*
 * The calling thread's figures. se.sum_exec_runtime of a running task is updated only at a tick
 * or a switch, so its own reading can be a tick old: within LS_CPU_FLOOR_NS.
 */
static inline void oracle_read_self(struct task_oracle *o)
{
	oracle_read_task(getpid(), gettid(), o);
}

static inline bool oracle_equal(const struct task_oracle *a, const struct task_oracle *b)
{
	return a->cpu_ns == b->cpu_ns && a->runq_wait_ns == b->runq_wait_ns && a->runs == b->runs &&
	       a->voluntary == b->voluntary && a->involuntary == b->involuntary &&
	       a->migrations == b->migrations;
}

/*
 * The figures of a thread that is blocked for good, once they stop changing: exact, since a
 * task off the CPU has its se.sum_exec_runtime up to date, and unaffected by how long the
 * reading takes (a slow machine, an emulator), unlike a thread reading its own while it runs.
 */
static inline void oracle_read_blocked(int pid, int tid, struct task_oracle *o)
{
	struct task_oracle again;

	oracle_read_task(pid, tid, o);
	for (;;) {
		oracle_sleep_ms(10);
		oracle_read_task(pid, tid, &again);
		if (oracle_equal(o, &again))
			return;
		*o = again;
	}
}

static inline json_t *oracle_json(const struct task_oracle *o)
{
	json_t *obj = json_pack("{s:I, s:I, s:I, s:I, s:I}", "cpu_ns", (json_int_t)o->cpu_ns,
				"runq_wait_ns", (json_int_t)o->runq_wait_ns, "runs",
				(json_int_t)o->runs, "voluntary", (json_int_t)o->voluntary,
				"involuntary", (json_int_t)o->involuntary);

	if (obj && o->has_migrations)
		json_object_set_new(obj, "migrations", json_integer((json_int_t)o->migrations));
	return obj;
}

static inline void oracle_write(json_t *root, const char *path)
{
	if (!root || json_dump_file(root, path, JSON_INDENT(2)))
		oracle_die("cannot write %s", path);
	json_decref(root);
}

/* Positive number from the command line, or exit with the usage line. */
static inline double oracle_arg_positive(const char *arg, const char *usage)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v > 0))
		oracle_die("usage: %s", usage);
	return v;
}

#endif /* LOADSCOPE_WORKLOAD_ORACLE_H */
