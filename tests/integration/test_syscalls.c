/* Integration tests: loadscope's syscall, off-CPU, accept and handoff figures against workloads. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "suites.h"

/* sysio: a thread's writes, reads, blocked writes, vforks and page faults, each wait DELAY_MS. */
#define SYSIO_WRITES	  2000
#define SYSIO_WRITE_LEN	  100
#define SYSIO_READS	  20
#define SYSIO_DELAY_MS	  20
#define SYSIO_BAD_WRITES  3
#define SYSIO_VFORKS	  5
#define SYSIO_FAULTS	  5
#define SYSIO_FULL_WRITES 5

/* handoff: a master passing CONNECTIONS accepted sockets to WORKERS, holding each HOLD_MS. */
#define HANDOFF_WORKERS	    3
#define HANDOFF_CONNECTIONS 60
#define HANDOFF_HOLD_MS	    5

/* reuseport: WORKERS processes with their own listeners on one port share CONNECTIONS. */
#define REUSEPORT_WORKERS     3
#define REUSEPORT_CONNECTIONS 60

/*
 * acceptq: EAGAINS empty accepts; WAITED accepts blocked WAIT_MS each; CONNECTIONS wait SLEEP_MS
 * in the queue (NAPS nanosleeps); UNACCEPTED left over.
 */
#define ACCEPTQ_EAGAINS	    5
#define ACCEPTQ_WAITED	    4
#define ACCEPTQ_WAIT_MS	    50
#define ACCEPTQ_CONNECTIONS 16
#define ACCEPTQ_SLEEP_MS    200
#define ACCEPTQ_NAPS	    10
/* spread by SO_REUSEPORT over the server's listener and a sibling: both get some but 2^-23 */
#define ACCEPTQ_UNACCEPTED  24
/* how long the client holds the listener after the server exits: far beyond the report's end */
#define ACCEPTQ_LINGER_MS 3000

/*
 * A p50 read from the log-linear histogram against the median the workload timed itself: the
 * histogram interpolates within a bucket 1/8 of its lower bound wide, so it is off by at most
 * 6.25% when the samples share a bucket; the rest is the few microseconds between the workload's
 * clock reads and the syscall's entry and exit.
 */
#define P50_TOLERANCE 0.10
/*
 * Share of a known blocked time that must be seen off-CPU: a wait can be cut short only when the
 * waiting thread was itself preempted between releasing its waker and blocking.
 */
#define OFFCPU_MIN_SHARE 0.9
/*
 * Waits of a batch that may go unseen altogether: this host sometimes leaves a switch out of the
 * sched_switch trace (README), and off-CPU time has no other source. Each batch of waits has more
 * than this, so a class charged nothing still fails.
 */
#define OFFCPU_UNSEEN_WAITS 1
/*
 * Time the workload timed around a batch of syscalls (clock reads in user space) against
 * loadscope's sum of the same calls (entry to exit): the user-space interval encloses the
 * syscall, so loadscope's sum can only be lower, by the transitions and any preemption between
 * a clock read and the call, at most this share.
 */
#define ENCLOSED_TIME_SHARE 0.05
/*
 * Uninterruptible sleep a thread may show outside the waits a workload causes on purpose: a
 * page fault or a lock in the exit path. Far below one DELAY_MS.
 */
#define D_SLEEP_SLACK_NS 5000000LL

static const char *const classes[] = {"accept", "read",	    "write", "poll",
				      "futex",	"io_uring", "other"};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))
static const char *const offcpu_keys[] = {"accept", "read",	"write", "poll",
					  "futex",  "io_uring", "other", "none"};
#define NOFFCPU (sizeof(offcpu_keys) / sizeof(offcpu_keys[0]))

/* Runs 0 and 1 of each test: tp_btf, then raw_tp. */
static bool raw_tp_for(int i)
{
	return i == 1;
}

static const json_t *obj_field(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	ck_assert_msg(v, "JSON field '%s' is missing", key);
	return v;
}

/* One syscall class of a process or thread. */
static const json_t *sys_class(const json_t *task, const char *cls)
{
	return obj_field(obj_field(task, "syscalls"), cls);
}

static int64_t sys_int(const json_t *task, const char *cls, const char *key)
{
	return ls_int(sys_class(task, cls), key);
}

static int64_t offcpu(const json_t *task, const char *key)
{
	return ls_int(obj_field(task, "offcpu_ns"), key);
}

/* Count of one errno name in a class, 0 when the name is absent. */
static int64_t errno_count(const json_t *task, const char *cls, const char *name)
{
	const json_t *v = json_object_get(obj_field(sys_class(task, cls), "errno"), name);

	return v ? json_integer_value(v) : 0;
}

/* The entry of other.top with this syscall name, or NULL. */
static const json_t *top_entry(const json_t *task, const char *name)
{
	const json_t *top = obj_field(sys_class(task, "other"), "top"), *e;
	size_t i;

	json_array_foreach(top, i, e)
	{
		if (!strcmp(ls_str(e, "name"), name))
			return e;
	}
	return NULL;
}

/*
 * Lower bound of the log-linear histogram bucket that holds v (8 linear buckets per power of
 * two, bpf/loadscope.h): a percentile interpolated from samples all >= v is never below it.
 */
static uint64_t hist_floor(uint64_t v)
{
	int msb = 63 - __builtin_clzll(v | 1);

	return msb < 3 ? v : v & ~((1ULL << (msb - 3)) - 1);
}

/*
 * A latency summary (a syscall class, handoff_delay, accept_queue): the histogram holds every
 * counted event, the maximum is in its top bucket, the percentiles are ordered and inside it,
 * and the total, when there is one, lies between what the bucket bounds allow.
 */
static void check_latency(const json_t *obj, const char *what, bool has_total, bool has_p90)
{
	int64_t count = ls_int(obj, "count"), max = ls_int(obj, "max_ns"), p50 = 0, p90 = 0, p99 = 0;
	int64_t total = 0;
	int64_t prev_upper, first_lower, last_lower, hist_count, hist_min_ns, hist_max_ns;
	const json_t *hist = obj_field(obj, "hist");
	struct ls_hist_sum sum;

	/* nothing timed, no percentiles: null, not 0 */
	if (!count) {
		ck_assert_msg(json_is_null(json_object_get(obj, "p50_ns")) &&
				      json_is_null(json_object_get(obj, "p99_ns")) &&
				      (!has_p90 || json_is_null(json_object_get(obj, "p90_ns"))),
			      "%s: nothing counted, yet percentiles that are not null", what);
	} else {
		p50 = ls_int(obj, "p50_ns");
		p99 = ls_int(obj, "p99_ns");
		p90 = has_p90 ? ls_int(obj, "p90_ns") : p50;
	}
	ck_assert_msg(count >= 0 && max >= 0 && p50 >= 0, "%s: negative figures", what);
	if (has_total)
		total = ls_int(obj, "total_ns");
	ls_hist_sum(hist, what, &sum);
	hist_count = sum.count;
	hist_min_ns = sum.min_ns;
	hist_max_ns = sum.max_ns;
	first_lower = sum.first_lower;
	last_lower = sum.last_lower;
	prev_upper = sum.top_upper;
	ck_assert_msg(hist_count == count, "%s: hist holds %lld, count is %lld", what,
		      (long long)hist_count, (long long)count);
	if (!count) {
		ck_assert_msg(!max && !p50 && !p90 && !p99 && !total,
			      "%s: nothing counted but max %lld, p50 %lld, total %lld", what,
			      (long long)max, (long long)p50, (long long)total);
		return;
	}
	ck_assert_msg(max >= last_lower && max < prev_upper,
		      "%s: max_ns %lld not in the top bucket [%lld, %lld)", what, (long long)max,
		      (long long)last_lower, (long long)prev_upper);
	/* p99 <= max is not checked: the percentiles are capped at the maximum by construction */
	ck_assert_msg(p50 <= p90 && p90 <= p99, "%s: p50 %lld, p90 %lld, p99 %lld out of order",
		      what, (long long)p50, (long long)p90, (long long)p99);
	ck_assert_msg(p50 >= first_lower, "%s: p50 %lld below the lowest bucket %lld", what,
		      (long long)p50, (long long)first_lower);
	if (has_total)
		ck_assert_msg(total >= hist_min_ns && total <= hist_max_ns && total >= max,
			      "%s: total_ns %lld outside what hist allows [%lld, %lld] or below "
			      "max_ns %lld",
			      what, (long long)total, (long long)hist_min_ns,
			      (long long)hist_max_ns, (long long)max);
}

/* One syscall class: counts, errno names, bytes, latency; the other class's top list. */
static void check_class(const json_t *c, const char *cls, const char *who)
{
	int64_t count, errors, errno_sum = 0, prev_total = INT64_MAX, top_count = 0, top_ns = 0;
	const json_t *errnos, *top, *e, *v;
	const char *name;
	char what[128];
	size_t i, j;

	snprintf(what, sizeof(what), "%s syscalls.%s", who, cls);
	ck_assert_msg(json_is_object(c), "%s is not an object", what);
	check_latency(c, what, true, true);
	count = ls_int(c, "count");
	errors = ls_int(c, "errors");
	ck_assert_msg(errors >= 0 && errors <= count, "%s: %lld errors in %lld calls", what,
		      (long long)errors, (long long)count);
	errnos = obj_field(c, "errno");
	ck_assert_msg(json_is_object(errnos), "%s: errno is not an object", what);
	json_object_foreach((json_t *)errnos, name, v)
	{
		ck_assert_msg(name[0] == 'E' && name[1], "%s: errno name '%s'", what, name);
		ck_assert_msg(json_is_integer(v) && json_integer_value(v) > 0,
			      "%s: errno %s is not a positive count", what, name);
		errno_sum += json_integer_value(v);
	}
	ck_assert_msg(errno_sum == errors, "%s: errno counts sum to %lld, errors %lld", what,
		      (long long)errno_sum, (long long)errors);
	if (strcmp(cls, "read") && strcmp(cls, "write"))
		ck_assert_msg(ls_int(c, "bytes") == 0, "%s: bytes %lld outside read/write", what,
			      (long long)ls_int(c, "bytes"));
	else
		ck_assert_msg(ls_int(c, "bytes") >= 0, "%s: negative bytes", what);
	if (strcmp(cls, "other"))
		return;

	top = obj_field(c, "top");
	ck_assert_msg(json_is_array(top), "%s: top is not an array", what);
	json_array_foreach(top, i, e)
	{
		int64_t n = ls_int(e, "count"), ns = ls_int(e, "total_ns"),
			err = ls_int(e, "errors");

		name = ls_str(e, "name");
		ck_assert_msg(*name, "%s: top entry %zu has no name", what, i);
		ck_assert_msg(n > 0 && err >= 0 && err <= n && ns >= 0,
			      "%s: top entry %s: count %lld, errors %lld, total_ns %lld", what,
			      name, (long long)n, (long long)err, (long long)ns);
		ck_assert_msg(ns <= prev_total, "%s: top not sorted by total_ns at %s", what, name);
		prev_total = ns;
		for (j = i + 1; j < json_array_size(top); j++)
			ck_assert_msg(strcmp(name, ls_str(json_array_get(top, j), "name")),
				      "%s: %s listed twice in top", what, name);
		top_count += n;
		top_ns += ns;
	}
	ck_assert_msg(top_count <= count && top_ns <= ls_int(c, "total_ns"),
		      "%s: top sums to %lld calls, %lld ns; the class has %lld, %lld", what,
		      (long long)top_count, (long long)top_ns, (long long)count,
		      (long long)ls_int(c, "total_ns"));
}

/* The syscall and connection fields of a process or thread: each class and off-CPU key. */
static void check_task(const json_t *task, const char *who)
{
	const json_t *sys = obj_field(task, "syscalls"), *off = obj_field(task, "offcpu_ns");
	int64_t offcpu_sum = 0;
	size_t k;

	ck_assert_msg(json_is_object(sys) && json_is_object(off),
		      "%s: syscalls or offcpu_ns is not an object", who);
	for (k = 0; k < NCLASSES; k++)
		check_class(obj_field(sys, classes[k]), classes[k], who);
	ck_assert_msg(json_object_size(sys) == NCLASSES, "%s: syscalls has %zu keys, expected %zu",
		      who, json_object_size(sys), NCLASSES);
	for (k = 0; k < NOFFCPU; k++) {
		ck_assert_msg(ls_int(off, offcpu_keys[k]) >= 0, "%s: offcpu_ns.%s < 0", who,
			      offcpu_keys[k]);
		offcpu_sum += ls_int(off, offcpu_keys[k]);
	}
	ck_assert_msg(json_object_size(off) == NOFFCPU, "%s: offcpu_ns has %zu keys, expected %zu",
		      who, json_object_size(off), NOFFCPU);
	ck_assert_msg(ls_int(task, "offcpu_d_ns") >= 0 && ls_int(task, "offcpu_d_ns") <= offcpu_sum,
		      "%s: offcpu_d_ns %lld outside [0, all off-CPU time %lld]", who,
		      (long long)ls_int(task, "offcpu_d_ns"), (long long)offcpu_sum);
	ck_assert_msg(ls_int(task, "handoff_sent") >= 0 && ls_int(task, "handoff_received") >= 0,
		      "%s: negative handoff counts", who);
}

/* What is summed over a process's threads: per class, then off-CPU and handoffs. */
static const char *const class_sums[] = {"count", "errors", "bytes", "total_ns"};
#define NCLASS_SUMS (sizeof(class_sums) / sizeof(class_sums[0]))

/* Summed too: the off-CPU keys (figure k < NOFFCPU), then these. */
static const char *const task_sums[] = {"offcpu_d_ns", "handoff_sent", "handoff_received"};
#define NTASK_SUMS (sizeof(task_sums) / sizeof(task_sums[0]))

static int64_t task_figure(const json_t *task, size_t k)
{
	return k < NOFFCPU ? offcpu(task, offcpu_keys[k]) : ls_int(task, task_sums[k - NOFFCPU]);
}

static void check_process_sums(const json_t *p, const char *who)
{
	const json_t *threads = obj_field(p, "threads"), *t;
	size_t i, k, f;

	if (!json_array_size(threads))
		return;
	for (k = 0; k < NCLASSES; k++) {
		int64_t sums[NCLASS_SUMS] = {0}, max = 0;

		json_array_foreach(threads, i, t)
		{
			for (f = 0; f < NCLASS_SUMS; f++)
				sums[f] += sys_int(t, classes[k], class_sums[f]);
			if (sys_int(t, classes[k], "max_ns") > max)
				max = sys_int(t, classes[k], "max_ns");
		}
		for (f = 0; f < NCLASS_SUMS; f++)
			ck_assert_msg(sys_int(p, classes[k], class_sums[f]) == sums[f],
				      "%s: syscalls.%s.%s %lld, its threads sum to %lld", who,
				      classes[k], class_sums[f],
				      (long long)sys_int(p, classes[k], class_sums[f]),
				      (long long)sums[f]);
		ck_assert_msg(sys_int(p, classes[k], "max_ns") == max,
			      "%s: syscalls.%s.max_ns %lld, its threads' max %lld", who, classes[k],
			      (long long)sys_int(p, classes[k], "max_ns"), (long long)max);
	}
	for (k = 0; k < NOFFCPU + NTASK_SUMS; k++) {
		int64_t sum = 0;

		json_array_foreach(threads, i, t)
		{
			sum += task_figure(t, k);
		}
		ck_assert_msg(task_figure(p, k) == sum, "%s: %s %lld, its threads sum to %lld", who,
			      k < NOFFCPU ? offcpu_keys[k] : task_sums[k - NOFFCPU],
			      (long long)task_figure(p, k), (long long)sum);
	}
}

/*
 * The shape of the syscall report: every class and off-CPU key on every process and thread,
 * internally consistent; accept and handoff summaries; handoff pairs that the senders' and
 * receivers' own counts can hold.
 */
static void check_syscall_report(const json_t *report)
{
	const json_t *processes = obj_field(report, "processes"), *handoffs, *p, *t, *h, *q;
	const json_t *drops = obj_field(report, "drops"), *v;
	const char *key;
	char who[64];
	size_t i, j;

	/* the workloads stay far below every map limit, the new ones included: any drop is a bug */
	json_object_foreach((json_t *)drops, key, v)
	{
		ck_assert_msg(json_is_integer(v) && !json_integer_value(v), "drops.%s is %lld", key,
			      (long long)json_integer_value(v));
	}
	json_array_foreach(processes, i, p)
	{
		int pid = ls_int(p, "pid");
		const json_t *delay = obj_field(p, "handoff_delay");
		const json_t *queue = obj_field(p, "accept_queue");

		snprintf(who, sizeof(who), "process %d", pid);
		check_task(p, who);
		json_array_foreach(obj_field(p, "threads"), j, t)
		{
			snprintf(who, sizeof(who), "thread %lld of %d", (long long)ls_int(t, "tid"),
				 pid);
			check_task(t, who);
		}
		snprintf(who, sizeof(who), "process %d", pid);
		check_process_sums(p, who);

		snprintf(who, sizeof(who), "process %d handoff_delay", pid);
		check_latency(delay, who, false, false);
		/* only a descriptor the process accepted and then passed on has a delay */
		ck_assert_msg(ls_int(delay, "count") <= ls_int(p, "handoff_sent"),
			      "%s: count %lld above handoff_sent %lld", who,
			      (long long)ls_int(delay, "count"),
			      (long long)ls_int(p, "handoff_sent"));
		snprintf(who, sizeof(who), "process %d accept_queue", pid);
		check_latency(queue, who, false, false);
		ck_assert_msg(ls_int(queue, "backlog_max") >= 0 && ls_int(queue, "unaccepted") >= 0,
			      "%s: negative backlog_max or unaccepted", who);
		/* each timed connection was returned by one of the process's accepts */
		ck_assert_msg(ls_int(queue, "count") <= sys_int(p, "accept", "count") -
								sys_int(p, "accept", "errors"),
			      "%s: %lld connections timed, %lld accepts succeeded", who,
			      (long long)ls_int(queue, "count"),
			      (long long)(sys_int(p, "accept", "count") -
					  sys_int(p, "accept", "errors")));
	}

	handoffs = obj_field(report, "handoffs");
	ck_assert_msg(json_is_array(handoffs), "handoffs is not an array");
	json_array_foreach(handoffs, i, h)
	{
		int64_t from = ls_int(h, "from"), to = ls_int(h, "to"), sent = 0, received = 0;

		ck_assert_msg(from > 0 && to > 0 && from != to && ls_int(h, "count") > 0,
			      "handoffs[%zu]: from %lld to %lld count %lld", i, (long long)from,
			      (long long)to, (long long)ls_int(h, "count"));
		json_array_foreach(handoffs, j, q)
		{
			if (j > i)
				ck_assert_msg(ls_int(q, "from") != from || ls_int(q, "to") != to,
					      "handoffs: %lld -> %lld listed twice",
					      (long long)from, (long long)to);
			if (ls_int(q, "from") == from)
				sent += ls_int(q, "count");
			if (ls_int(q, "to") == to)
				received += ls_int(q, "count");
		}
		/* a pair is known only when both ends are observed: pairs hold at most all */
		p = ls_find_process(report, from);
		q = ls_find_process(report, to);
		ck_assert_msg(p && q, "handoffs: %lld -> %lld, not both in processes",
			      (long long)from, (long long)to);
		ck_assert_msg(sent <= ls_int(p, "handoff_sent") &&
				      received <= ls_int(q, "handoff_received"),
			      "handoffs: %lld sent %lld in pairs, handoff_sent %lld; %lld received "
			      "%lld, handoff_received %lld",
			      (long long)from, (long long)sent,
			      (long long)ls_int(p, "handoff_sent"), (long long)to,
			      (long long)received, (long long)ls_int(q, "handoff_received"));
	}
}

/* loadscope on a workload, the report checked for shape; the workload's oracle beside it. */
static json_t *run_workload(bool raw_tp, const char *dir, const char *const command[],
			    json_t **oracle, struct ls_result *r)
{
	const char *out = ls_path(dir, "out.json");
	json_t *report;

	report = ls_run_report(raw_tp, out, command, 60, r);
	check_syscall_report(report);
	*oracle = ls_load_json(command[1]);
	if (ls_verbose())
		printf("# %s, %s:\n", command[0], raw_tp ? "raw_tp" : "tp_btf");
	return report;
}

static json_t *find_process(const json_t *report, int pid, const char *role)
{
	json_t *p = ls_find_process(report, pid);

	ck_assert_msg(p, "%s (pid %d) is not in the report", role, pid);
	return p;
}

static void cmp_exact(struct ls_cmp *c, const char *what, int64_t expected, int64_t measured)
{
	ls_cmp_true(c, measured == expected, "%s: expected %lld, measured %lld", what,
		    (long long)expected, (long long)measured);
}

/* Accepts that returned a connection: the accept class's calls less its errors. */
static void cmp_accepts(struct ls_cmp *c, const char *who, const json_t *p, int64_t accepts)
{
	char what[128];

	snprintf(what, sizeof(what), "%s accepts (count - errors)", who);
	cmp_exact(c, what, accepts, sys_int(p, "accept", "count") - sys_int(p, "accept", "errors"));
}

/* The least off-CPU time N waits of wait_ns each must show. */
static double offcpu_floor(int64_t n, int64_t wait_ns)
{
	ck_assert_msg(n > OFFCPU_UNSEEN_WAITS, "a batch of %lld waits proves nothing",
		      (long long)n);
	return OFFCPU_MIN_SHARE * (n - OFFCPU_UNSEEN_WAITS) * wait_ns;
}

/* A time in [lo, hi], both in ns; why says where the bounds come from. */
static void cmp_ns(struct ls_cmp *c, const char *what, int64_t got, double lo, double hi,
		   const char *why)
{
	ls_cmp_true(c, got >= lo && got <= hi, "%s %.3f ms in [%.3f, %.3f] ms (%s)", what,
		    got / 1e6, lo / 1e6, hi / 1e6, why);
}

/*
 * An off-CPU figure of a task (KEY of offcpu_ns, or "d" for offcpu_d_ns) in [lo, hi]; a mismatch
 * shows all of the task's off-CPU figures and switches, to tell a wait charged to the wrong
 * class from one not seen at all.
 */
static void cmp_offcpu(struct ls_cmp *c, const char *who, const json_t *task, const char *key,
		       double lo, double hi, const char *why)
{
	int64_t got = strcmp(key, "d") ? offcpu(task, key) : ls_int(task, "offcpu_d_ns");
	char detail[512];
	size_t k, used = 0;

	for (k = 0; k < NOFFCPU && used < sizeof(detail); k++) {
		snprintf(detail + used, sizeof(detail) - used, "%s%s %.1f", k ? ", " : "",
			 offcpu_keys[k], offcpu(task, offcpu_keys[k]) / 1e6);
		used = strlen(detail);
	}
	ls_cmp_true(c, got >= lo && got <= hi,
		    "%s %s %.3f ms in [%.3f, %.3f] ms (%s); offcpu_ns ms: %s, d %.1f; "
		    "voluntary switches %lld, wakeups %lld",
		    who, strcmp(key, "d") ? key : "offcpu_d_ns", got / 1e6, lo / 1e6, hi / 1e6, why,
		    detail, ls_int(task, "offcpu_d_ns") / 1e6,
		    (long long)ls_int(task, "voluntary_switches"),
		    (long long)ls_int(task, "wakeups"));
}

/*
 * A thread's known reads and writes; its waits blocked in read, in write, uninterruptibly in
 * vfork and outside any syscall on page faults; its helper thread's known calls and sleeps.
 */
START_TEST(test_sysio)
{
	const char *dir = ls_tmpdir(), *oracle_path = ls_path(dir, "oracle.json");
	char args[8][16];
	const char *command[] = {ls_workload("sysio"),
				 oracle_path,
				 args[0],
				 args[1],
				 args[2],
				 args[3],
				 args[4],
				 args[5],
				 args[6],
				 args[7],
				 NULL};
	const int values[] = {SYSIO_WRITES,	SYSIO_WRITE_LEN, SYSIO_READS,  SYSIO_DELAY_MS,
			      SYSIO_BAD_WRITES, SYSIO_VFORKS,	 SYSIO_FAULTS, SYSIO_FULL_WRITES};
	int64_t n_reads, n_bad, n_vforks, n_faults, n_full, delay_ns, timed;
	const json_t *process, *measure, *writer, *e;
	json_t *report, *oracle;
	struct ls_cmp c = {0};
	struct ls_result r;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		snprintf(args[i], sizeof(args[i]), "%d", values[i]);
	report = run_workload(raw_tp_for(_i), dir, command, &oracle, &r);

	process = find_process(report, ls_int(oracle, "pid"), "sysio");
	measure = ls_find_thread(process, ls_int(oracle, "measure_tid"));
	writer = ls_find_thread(process, ls_int(oracle, "writer_tid"));
	ck_assert_msg(measure && writer, "sysio's measuring thread %lld or writer %lld is missing",
		      (long long)ls_int(oracle, "measure_tid"),
		      (long long)ls_int(oracle, "writer_tid"));
	n_reads = ls_int(oracle, "reads");
	n_bad = ls_int(oracle, "bad_writes");
	n_vforks = ls_int(oracle, "vforks");
	n_faults = ls_int(oracle, "faults");
	n_full = ls_int(oracle, "full_writes");
	delay_ns = ls_int(oracle, "delay_ms") * 1000000LL;
	ck_assert_msg(n_faults > 0, "this kernel has no userfaultfd: the fault phase cannot run");

	/* writes: exact counts, the failed ones with their errno, bytes of the good ones only */
	cmp_exact(&c, "measure write.count", ls_int(oracle, "write_calls"),
		  sys_int(measure, "write", "count"));
	cmp_exact(&c, "measure write.errors", n_bad, sys_int(measure, "write", "errors"));
	cmp_exact(&c, "measure write.errno.EBADF", n_bad, errno_count(measure, "write", "EBADF"));
	cmp_exact(&c, "measure write.bytes", ls_int(oracle, "write_bytes_total"),
		  sys_int(measure, "write", "bytes"));
	/* the only writes that wait are the ones on the full pipe */
	cmp_offcpu(&c, "measure", measure, "write", offcpu_floor(n_full, delay_ns),
		   ls_int(oracle, "full_write_ns"), "FULL_WRITES x DELAY_MS, the writes as timed");

	/* reads: exact counts and bytes; their latency as the workload timed it */
	cmp_exact(&c, "measure read.count", n_reads, sys_int(measure, "read", "count"));
	cmp_exact(&c, "measure read.errors", 0, sys_int(measure, "read", "errors"));
	cmp_exact(&c, "measure read.bytes", ls_int(oracle, "bytes_read"),
		  sys_int(measure, "read", "bytes"));
	timed = ls_int(oracle, "read_median_ns");
	cmp_ns(&c, "measure read.p50_ns", sys_int(measure, "read", "p50_ns"),
	       (1 - P50_TOLERANCE) * timed, (1 + P50_TOLERANCE) * timed,
	       "the timed median, DELAY_MS and a wakeup");
	timed = ls_int(oracle, "read_total_ns");
	cmp_ns(&c, "measure read.total_ns", sys_int(measure, "read", "total_ns"),
	       (1 - ENCLOSED_TIME_SHARE) * timed, timed, "the reads as timed");
	cmp_offcpu(&c, "measure", measure, "read", offcpu_floor(n_reads, delay_ns),
		   sys_int(measure, "read", "total_ns"), "READS x DELAY_MS, read.total_ns");

	/* vfork: the parent waits uninterruptibly in clone, a syscall of the other class */
	timed = ls_int(oracle, "vfork_ns");
	e = top_entry(measure, "clone");
	ls_cmp_true(&c, e, "measure other.top lists clone");
	if (e) {
		cmp_exact(&c, "measure other.top clone count", n_vforks, ls_int(e, "count"));
		cmp_ns(&c, "measure other.top clone total_ns", ls_int(e, "total_ns"),
		       n_vforks * delay_ns, timed, "VFORKS x DELAY_MS, the vforks as timed");
	}
	cmp_offcpu(&c, "measure", measure, "other", offcpu_floor(n_vforks, delay_ns),
		   timed + D_SLEEP_SLACK_NS, "VFORKS x DELAY_MS, the vforks as timed + slack");
	cmp_offcpu(&c, "measure", measure, "d", offcpu_floor(n_vforks, delay_ns),
		   timed + D_SLEEP_SLACK_NS, "the vforks only: the other waits are interruptible");

	/* userfaultfd faults: blocked outside any syscall */
	cmp_offcpu(&c, "measure", measure, "none", offcpu_floor(n_faults, delay_ns),
		   ls_int(oracle, "fault_ns") + D_SLEEP_SLACK_NS,
		   "FAULTS x DELAY_MS, the faults as timed + slack");

	/*
	 * The writer: a pipe write per read; reads draining the full pipe and one per fault; a
	 * nanosleep before each round of every phase.
	 */
	cmp_exact(&c, "writer write.count", n_reads, sys_int(writer, "write", "count"));
	cmp_exact(&c, "writer write.bytes", n_reads * ls_int(oracle, "read_chunk_bytes"),
		  sys_int(writer, "write", "bytes"));
	cmp_exact(&c, "writer read.count", ls_int(oracle, "writer_reads"),
		  sys_int(writer, "read", "count"));
	cmp_exact(&c, "writer read.bytes", ls_int(oracle, "writer_read_bytes"),
		  sys_int(writer, "read", "bytes"));
	e = top_entry(writer, "nanosleep");
	ls_cmp_true(&c, e, "writer other.top lists nanosleep");
	if (e) {
		cmp_exact(&c, "writer other.top nanosleep count", n_full + n_reads + n_faults,
			  ls_int(e, "count"));
		cmp_exact(&c, "writer other.top nanosleep errors", 0, ls_int(e, "errors"));
	}
	cmp_offcpu(&c, "writer", writer, "other",
		   offcpu_floor(n_full + n_reads + n_faults, delay_ns),
		   sys_int(writer, "other", "total_ns"), "its nanosleeps, other.total_ns");
	cmp_offcpu(&c, "writer", writer, "d", 0, D_SLEEP_SLACK_NS, "nanosleep is interruptible");

	ls_cmp_done(&c, "sysio");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* handoff runs: program and descriptors per sendmsg. */
static const struct {
	bool raw_tp;
	int fds_per_msg;
} handoff_runs[] = {{false, 1}, {true, 1}, {false, 2}};

/* A master passing every accepted connection to a worker: counts, pairs, delays. */
START_TEST(test_handoff)
{
	const char *dir = ls_tmpdir(), *oracle_path = ls_path(dir, "oracle.json");
	char workers[16], connections[16], hold[16], per_msg[16];
	const char *command[] = {
		ls_workload("handoff"), oracle_path, workers, connections, hold, per_msg, NULL};
	int64_t k, master_pid, sum = 0, timed, pairs_from_master = 0;
	const json_t *master, *client, *delay, *ow, *h;
	json_t *report, *oracle;
	struct ls_cmp c = {0};
	struct ls_result r;
	char what[128];
	size_t i, j;

	snprintf(workers, sizeof(workers), "%d", HANDOFF_WORKERS);
	snprintf(connections, sizeof(connections), "%d", HANDOFF_CONNECTIONS);
	snprintf(hold, sizeof(hold), "%d", HANDOFF_HOLD_MS);
	snprintf(per_msg, sizeof(per_msg), "%d", handoff_runs[_i].fds_per_msg);
	report = run_workload(handoff_runs[_i].raw_tp, dir, command, &oracle, &r);
	if (ls_verbose())
		printf("#   %d descriptor(s) per message\n", handoff_runs[_i].fds_per_msg);

	k = ls_int(oracle, "connections");
	master_pid = ls_int(oracle, "master_pid");
	master = find_process(report, master_pid, "handoff master");
	client = find_process(report, ls_int(oracle, "client_pid"), "handoff client");

	cmp_accepts(&c, "master", master, k);
	cmp_exact(&c, "master handoff_sent", k, ls_int(master, "handoff_sent"));
	cmp_exact(&c, "master handoff_received", 0, ls_int(master, "handoff_received"));
	cmp_exact(&c, "master accept_queue.count", k,
		  ls_int(obj_field(master, "accept_queue"), "count"));
	cmp_exact(&c, "master accept_queue.unaccepted", 0,
		  ls_int(obj_field(master, "accept_queue"), "unaccepted"));

	/* from accept's return to the sendmsg: what the master's own clock saw, or a bit more */
	delay = obj_field(master, "handoff_delay");
	cmp_exact(&c, "master handoff_delay.count", k, ls_int(delay, "count"));
	timed = ls_int(oracle, "handoff_median_ns");
	cmp_ns(&c, "master handoff_delay.p50_ns", ls_int(delay, "p50_ns"),
	       (1 - P50_TOLERANCE) * timed, (1 + P50_TOLERANCE) * timed,
	       "the timed median, HOLD_MS and the calls around it");
	ls_cmp_true(&c, ls_int(delay, "max_ns") >= ls_int(oracle, "handoff_max_ns"),
		    "master handoff_delay.max_ns %.3f ms >= the timed maximum %.3f ms",
		    ls_int(delay, "max_ns") / 1e6, ls_int(oracle, "handoff_max_ns") / 1e6);

	cmp_accepts(&c, "client", client, 0);
	cmp_exact(&c, "client handoff_sent", 0, ls_int(client, "handoff_sent"));
	cmp_exact(&c, "client handoff_received", 0, ls_int(client, "handoff_received"));

	json_array_foreach(json_object_get(oracle, "workers"), i, ow)
	{
		int64_t pid = ls_int(ow, "pid"), received = ls_int(ow, "received"), pair = -1;
		const json_t *w = find_process(report, pid, "handoff worker");

		snprintf(what, sizeof(what), "worker %lld handoff_received", (long long)pid);
		cmp_exact(&c, what, received, ls_int(w, "handoff_received"));
		snprintf(what, sizeof(what), "worker %lld handoff_sent", (long long)pid);
		cmp_exact(&c, what, 0, ls_int(w, "handoff_sent"));
		/* recvmsg is a read: the fds' messages, the EOF, then each request's reads */
		snprintf(what, sizeof(what), "worker %lld read.count", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "read_calls"), sys_int(w, "read", "count"));
		snprintf(what, sizeof(what), "worker %lld read.bytes", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "read_bytes"), sys_int(w, "read", "bytes"));
		snprintf(what, sizeof(what), "worker %lld write.count", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "write_calls"), sys_int(w, "write", "count"));
		snprintf(what, sizeof(what), "worker %lld write.bytes", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "write_bytes"), sys_int(w, "write", "bytes"));
		json_array_foreach(json_object_get(report, "handoffs"), j, h)
		{
			if (ls_int(h, "from") == master_pid && ls_int(h, "to") == pid)
				pair = ls_int(h, "count");
		}
		snprintf(what, sizeof(what), "handoffs master %lld -> worker %lld count",
			 (long long)master_pid, (long long)pid);
		cmp_exact(&c, what, received, pair);
		sum += received;
	}
	cmp_exact(&c, "descriptors the workers received", k, sum);
	json_array_foreach(json_object_get(report, "handoffs"), j, h)
	{
		ls_cmp_true(&c, ls_int(h, "from") == master_pid,
			    "handoffs: only the master sends (found %lld -> %lld)",
			    (long long)ls_int(h, "from"), (long long)ls_int(h, "to"));
		pairs_from_master += ls_int(h, "from") == master_pid;
	}
	cmp_exact(&c, "handoffs pairs from the master", HANDOFF_WORKERS, pairs_from_master);

	ls_cmp_done(&c, "handoff");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/* Workers with their own listeners on one port: each one's accepts, no handoffs anywhere. */
START_TEST(test_reuseport)
{
	const char *dir = ls_tmpdir(), *oracle_path = ls_path(dir, "oracle.json");
	char workers[16], connections[16];
	const char *command[] = {ls_workload("reuseport"), oracle_path, workers, connections, NULL};
	const json_t *parent, *ow, *p;
	json_t *report, *oracle;
	struct ls_cmp c = {0};
	struct ls_result r;
	int64_t sum = 0, measured_sum = 0;
	char what[128];
	size_t i;

	snprintf(workers, sizeof(workers), "%d", REUSEPORT_WORKERS);
	snprintf(connections, sizeof(connections), "%d", REUSEPORT_CONNECTIONS);
	report = run_workload(raw_tp_for(_i), dir, command, &oracle, &r);

	parent = find_process(report, ls_int(oracle, "pid"), "reuseport parent (the client)");
	cmp_accepts(&c, "parent", parent, 0);
	json_array_foreach(json_object_get(oracle, "workers"), i, ow)
	{
		int64_t pid = ls_int(ow, "pid"), accepts = ls_int(ow, "accepts");
		const json_t *w = find_process(report, pid, "reuseport worker");

		snprintf(what, sizeof(what), "worker %lld", (long long)pid);
		cmp_accepts(&c, what, w, accepts);
		snprintf(what, sizeof(what), "worker %lld accept.errors", (long long)pid);
		cmp_exact(&c, what, 0, sys_int(w, "accept", "errors"));
		snprintf(what, sizeof(what), "worker %lld accept_queue.count", (long long)pid);
		cmp_exact(&c, what, accepts, ls_int(obj_field(w, "accept_queue"), "count"));
		snprintf(what, sizeof(what), "worker %lld accept_queue.unaccepted", (long long)pid);
		cmp_exact(&c, what, 0, ls_int(obj_field(w, "accept_queue"), "unaccepted"));
		snprintf(what, sizeof(what), "worker %lld poll.count", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "polls"), sys_int(w, "poll", "count"));
		snprintf(what, sizeof(what), "worker %lld read.count", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "read_calls"), sys_int(w, "read", "count"));
		snprintf(what, sizeof(what), "worker %lld read.bytes", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "read_bytes"), sys_int(w, "read", "bytes"));
		snprintf(what, sizeof(what), "worker %lld write.count", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "write_calls"), sys_int(w, "write", "count"));
		snprintf(what, sizeof(what), "worker %lld write.bytes", (long long)pid);
		cmp_exact(&c, what, ls_int(ow, "write_bytes"), sys_int(w, "write", "bytes"));
		/* every worker waits in poll at least for the stop at the end */
		ls_cmp_true(&c, offcpu(w, "poll") > 0, "worker %lld offcpu_ns.poll %lld > 0",
			    (long long)pid, (long long)offcpu(w, "poll"));
		sum += accepts;
		measured_sum += sys_int(w, "accept", "count") - sys_int(w, "accept", "errors");
	}
	cmp_exact(&c, "accepts the workers counted", ls_int(oracle, "connections"), sum);
	cmp_exact(&c, "accepts loadscope counted in the workers", ls_int(oracle, "connections"),
		  measured_sum);
	json_array_foreach(json_object_get(report, "processes"), i, p)
	{
		ls_cmp_true(&c, !ls_int(p, "handoff_sent") && !ls_int(p, "handoff_received"),
			    "process %lld: no handoff (sent %lld, received %lld)",
			    (long long)ls_int(p, "pid"), (long long)ls_int(p, "handoff_sent"),
			    (long long)ls_int(p, "handoff_received"));
	}
	cmp_exact(&c, "handoffs pairs", 0, json_array_size(json_object_get(report, "handoffs")));

	ls_cmp_done(&c, "reuseport");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

/*
 * An accept blocked until a connection came; connections queued for a known time; failed
 * non-blocking accepts; connections never accepted.
 */
START_TEST(test_acceptq)
{
	const char *dir = ls_tmpdir(), *oracle_path = ls_path(dir, "oracle.json");
	char args[9][16];
	const char *command[] = {ls_workload("acceptq"),
				 oracle_path,
				 args[0],
				 args[1],
				 args[2],
				 args[3],
				 args[4],
				 args[5],
				 args[6],
				 args[7],
				 args[8],
				 NULL};
	/* the last: a SO_REUSEPORT sibling listener on the server's port that no one accepts on */
	const int values[] = {ACCEPTQ_CONNECTIONS, ACCEPTQ_SLEEP_MS,   ACCEPTQ_NAPS,
			      ACCEPTQ_EAGAINS,	   ACCEPTQ_UNACCEPTED, ACCEPTQ_LINGER_MS,
			      ACCEPTQ_WAITED,	   ACCEPTQ_WAIT_MS,    1};
	int64_t conns, batch, n_eagain, n_waited, sleep_ns, bound_ns, vol;
	const json_t *server, *client, *queue;
	json_t *report, *oracle;
	char why[160];
	struct ls_cmp c = {0};
	struct ls_result r;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		snprintf(args[i], sizeof(args[i]), "%d", values[i]);
	report = run_workload(raw_tp_for(_i), dir, command, &oracle, &r);

	/* the waited connections, then CONNECTIONS queued during the sleep */
	n_waited = ls_int(oracle, "waited");
	batch = ls_int(oracle, "connections");
	conns = n_waited + batch;
	n_eagain = ls_int(oracle, "eagains");
	sleep_ns = ls_int(oracle, "sleep_ms") * 1000000LL;
	/* no connection waited longer than from the batch's first connect to the last accept */
	bound_ns = ls_int(oracle, "last_accept_ns") - ls_int(oracle, "connect_start_ns");
	server = find_process(report, ls_int(oracle, "pid"), "acceptq server");
	client = find_process(report, ls_int(oracle, "client_pid"), "acceptq client");
	queue = obj_field(server, "accept_queue");

	cmp_exact(&c, "server accept.count", n_eagain + conns, sys_int(server, "accept", "count"));
	cmp_exact(&c, "server accept.errors", n_eagain, sys_int(server, "accept", "errors"));
	cmp_exact(&c, "server accept.errno.EAGAIN", n_eagain,
		  errno_count(server, "accept", "EAGAIN"));
	cmp_accepts(&c, "server", server, conns);
	/*
	 * Only the waited accepts block: the others find their connection queued. The kernel's
	 * switch count tells, on a mismatch, a wait not seen from one charged elsewhere.
	 */
	vol = ls_int(obj_field(oracle, "server"), "voluntary") -
	      ls_int(obj_field(oracle, "server_at_start"), "voluntary");
	snprintf(why, sizeof(why),
		 "WAITED x WAIT_MS, the waited accepts as timed; /proc: %lld voluntary switches "
		 "in main()",
		 (long long)vol);
	cmp_offcpu(&c, "server", server, "accept",
		   offcpu_floor(n_waited, ls_int(oracle, "wait_ms") * 1000000LL),
		   ls_int(oracle, "waited_ns"), why);
	snprintf(why, sizeof(why),
		 "SLEEP_MS in clock_nanosleep, other.total_ns; /proc: %lld voluntary switches in "
		 "main()",
		 (long long)vol);
	cmp_offcpu(&c, "server", server, "other",
		   offcpu_floor(ls_int(oracle, "naps"), sleep_ns / ls_int(oracle, "naps")),
		   sys_int(server, "other", "total_ns"), why);

	cmp_exact(&c, "server accept_queue.count", conns, ls_int(queue, "count"));
	/* each of the batch was established before the sleep began and accepted after it ended */
	cmp_ns(&c, "server accept_queue.max_ns", ls_int(queue, "max_ns"), sleep_ns, bound_ns,
	       "SLEEP_MS, first connect to last accept");
	cmp_ns(&c, "server accept_queue.p50_ns", ls_int(queue, "p50_ns"), hist_floor(sleep_ns),
	       bound_ns, "the histogram bucket of SLEEP_MS, first connect to last accept");
	/* all of the batch queued at its first accept: it sees them all, or all but its own */
	ls_cmp_true(
		&c,
		ls_int(queue, "backlog_max") >= batch - 1 && ls_int(queue, "backlog_max") <= batch,
		"server accept_queue.backlog_max %lld in [%lld, %lld]",
		(long long)ls_int(queue, "backlog_max"), (long long)(batch - 1), (long long)batch);
	/*
	 * Never accepted: what the server's own listener still queues (TCP_INFO), not what queues
	 * on the sibling sharing its port; both got some of the last connections.
	 */
	ls_cmp_true(&c,
		    ls_int(oracle, "queued") > 0 && ls_int(oracle, "sibling_queued") > 0 &&
			    ls_int(oracle, "queued") + ls_int(oracle, "sibling_queued") ==
				    ls_int(oracle, "unaccepted"),
		    "oracle: %lld and %lld queued on the listener and its sibling, of %lld made",
		    (long long)ls_int(oracle, "queued"), (long long)ls_int(oracle, "sibling_queued"),
		    (long long)ls_int(oracle, "unaccepted"));
	cmp_exact(&c, "server accept_queue.unaccepted (its listener's queue)",
		  ls_int(oracle, "queued"), ls_int(queue, "unaccepted"));

	/* the client only connects: it accepted on no port, so nothing is unaccepted for it */
	cmp_exact(&c, "client accept.count", 0, sys_int(client, "accept", "count"));
	cmp_exact(&c, "client accept_queue.count", 0,
		  ls_int(obj_field(client, "accept_queue"), "count"));
	cmp_exact(&c, "client accept_queue.unaccepted", 0,
		  ls_int(obj_field(client, "accept_queue"), "unaccepted"));
	cmp_exact(&c, "handoffs pairs", 0, json_array_size(json_object_get(report, "handoffs")));

	ls_cmp_done(&c, "acceptq");
	json_decref(oracle);
	json_decref(report);
	ls_result_free(&r);
}
END_TEST

Suite *ls_syscalls_suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *tc;

	tc = tcase_create("sysio");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_sysio, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("handoff");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_handoff, 0, sizeof(handoff_runs) / sizeof(handoff_runs[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("reuseport");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_reuseport, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("acceptq");
	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_loop_test(tc, test_acceptq, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
