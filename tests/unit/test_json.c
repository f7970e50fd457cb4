// SPDX-License-Identifier: GPL-2.0
/* Tests of the JSON writer and reader: the output contract, round trips, every rejection path. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fixture.h"
#include "render/json.h"
#include "suites.h"

static char tmp_path[64];

static char *write_to_string(const struct snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(snapshot_write_json(s, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static const char *write_temp(const char *text, size_t len)
{
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/loadscope-test-XXXXXX");
	fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return tmp_path;
}

/* Reads text as if from a file; the file is gone afterwards, its name stays in tmp_path. */
static int read_text_len(const char *text, size_t len, struct snapshot *out, char *err,
			 size_t errlen)
{
	int rc;

	rc = snapshot_read_json(write_temp(text, len), out, err, errlen);
	unlink(tmp_path);
	return rc;
}

static int read_text(const char *text, struct snapshot *out, char *err, size_t errlen)
{
	return read_text_len(text, strlen(text), out, err, errlen);
}

/* The fixture as a jansson tree, for tests that break one field at a time. */
static json_t *fixture_json(void)
{
	struct snapshot s;
	json_error_t jerr;
	json_t *root;
	char *text;

	fixture_snapshot(&s);
	text = write_to_string(&s);
	root = json_loads(text, 0, &jerr);
	ck_assert_msg(root != NULL, "writer output does not parse: %s", jerr.text);
	free(text);
	snapshot_free(&s);
	return root;
}

static json_t *path_get(json_t *root, const char *path)
{
	char buf[256], *tok, *save = NULL, *br;
	json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save)) {
		br = strchr(tok, '[');
		if (br)
			*br = '\0';
		v = json_object_get(v, tok);
		while (br && v) {
			v = json_array_get(v, strtoul(br + 1, NULL, 10));
			br = strchr(br + 1, '[');
		}
	}
	ck_assert_msg(v != NULL, "no %s in the fixture", path);
	return v;
}

/* Replaces the field at path (e.g. "processes[0].threads[1].cpu_ns") with val; NULL deletes it. */
static void path_set(json_t *root, const char *path, json_t *val)
{
	char parent[256];
	const char *dot;

	dot = strrchr(path, '.');
	if (dot) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
		root = path_get(root, parent);
		path = dot + 1;
	}
	if (val)
		ck_assert_int_eq(json_object_set_new(root, path, val), 0);
	else
		ck_assert_int_eq(json_object_del(root, path), 0);
}

/* Dumps root, reads it back, expects failure, and returns the error line without the file name. */
static const char *read_expect_error(json_t *root, int expected_rc)
{
	static char err[512];
	struct snapshot s;
	size_t name_len;
	char *text;
	int rc;

	text = json_dumps(root, JSON_INDENT(2));
	ck_assert_ptr_nonnull(text);
	json_decref(root);
	memset(&s, 0xAA, sizeof(s));
	rc = read_text(text, &s, err, sizeof(err));
	free(text);
	ck_assert_int_eq(rc, expected_rc);
	/* A failed read leaves nothing to free. */
	ck_assert_ptr_null(s.processes);
	ck_assert_ptr_null(s.kernel);
	ck_assert_uint_eq(s.nprocesses, 0);
	name_len = strlen(tmp_path);
	ck_assert_msg(!strncmp(err, tmp_path, name_len) && !strncmp(err + name_len, ": ", 2),
		      "error does not start with the file name: %s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	return err + name_len + 2;
}

/* A run without a COMMAND: the model has NULL there. */
static void drop_command(struct snapshot *s)
{
	size_t i;

	for (i = 0; s->command[i]; i++)
		free(s->command[i]);
	free(s->command);
	s->command = NULL;
}

static void assert_stats_equal(const struct sched_stats *a, const struct sched_stats *b)
{
	ck_assert_uint_eq(a->cpu_ns, b->cpu_ns);
	ck_assert_uint_eq(a->runq_wait_ns, b->runq_wait_ns);
	ck_assert_uint_eq(a->runq_count, b->runq_count);
	ck_assert_uint_eq(a->runq_max_ns, b->runq_max_ns);
	ck_assert_uint_eq(a->voluntary_switches, b->voluntary_switches);
	ck_assert_uint_eq(a->involuntary_switches, b->involuntary_switches);
	ck_assert_uint_eq(a->migrations, b->migrations);
	ck_assert_uint_eq(a->wakeups, b->wakeups);
	ck_assert_mem_eq(a->runq_hist, b->runq_hist, sizeof(a->runq_hist));
}

static void assert_lat_equal(const struct lat_figures *a, const struct lat_figures *b)
{
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_uint_eq(a->total_ns, b->total_ns);
	ck_assert_uint_eq(a->max_ns, b->max_ns);
	ck_assert_mem_eq(a->hist, b->hist, sizeof(a->hist));
}

static void assert_named_equal(const struct named_count *a, size_t na, const struct named_count *b,
			       size_t nb)
{
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++) {
		ck_assert_str_eq(a[i].name, b[i].name);
		ck_assert_uint_eq(a[i].count, b[i].count);
		ck_assert_uint_eq(a[i].errors, b[i].errors);
		ck_assert_uint_eq(a[i].total_ns, b[i].total_ns);
	}
}

static void assert_sys_equal(const struct sys_figures *a, const struct sys_figures *b)
{
	for (int c = 0; c < SC_CLASSES; c++) {
		assert_lat_equal(&a->cls[c], &b->cls[c]);
		ck_assert_uint_eq(a->cls[c].errors, b->cls[c].errors);
		ck_assert_uint_eq(a->cls[c].bytes, b->cls[c].bytes);
		assert_named_equal(a->errnos[c], a->nerrnos[c], b->errnos[c], b->nerrnos[c]);
	}
	assert_named_equal(a->top, a->ntop, b->top, b->ntop);
	ck_assert_mem_eq(a->offcpu_ns, b->offcpu_ns, sizeof(a->offcpu_ns));
	ck_assert_mem_eq(a->offcpu_d_ns, b->offcpu_d_ns, sizeof(a->offcpu_d_ns));
	ck_assert_uint_eq(a->handoff_sent, b->handoff_sent);
	ck_assert_uint_eq(a->handoff_received, b->handoff_received);
}

static void assert_cpu_limit_equal(const struct cpu_limit *a, const struct cpu_limit *b)
{
	ck_assert_uint_eq(a->known, b->known);
	ck_assert_uint_eq(a->quota_us, b->quota_us);
	ck_assert_uint_eq(a->period_us, b->period_us);
	ck_assert_uint_eq(a->periods, b->periods);
	ck_assert_uint_eq(a->throttled_periods, b->throttled_periods);
	ck_assert_uint_eq(a->throttled_ns, b->throttled_ns);
	ck_assert_uint_eq(a->pressure_some_ns, b->pressure_some_ns);
	ck_assert_int_eq(a->counters_reset, b->counters_reset);
	ck_assert_int_eq(a->end_only, b->end_only);
	ck_assert_uint_eq(a->missing, b->missing);
}

/* The cpu cgroups and their limits. */
static void assert_cpu_limits_equal(const struct snapshot *a, const struct snapshot *b)
{
	ck_assert_uint_eq(a->ncpu_cgroups, b->ncpu_cgroups);
	ck_assert_uint_eq(a->cpu_cgroups_full, b->cpu_cgroups_full);
	for (size_t i = 0; i < a->ncpu_cgroups; i++) {
		const struct cpu_cgroup *ca = &a->cpu_cgroups[i], *cb = &b->cpu_cgroups[i];

		ck_assert_str_eq(ca->path, cb->path);
		ck_assert_int_eq(ca->hierarchy, cb->hierarchy);
		ck_assert_uint_eq(ca->npids, cb->npids);
		for (size_t k = 0; k < ca->npids; k++)
			ck_assert_int_eq(ca->pids[k], cb->pids[k]);
		assert_cpu_limit_equal(&ca->limit, &cb->limit);
	}
	for (size_t i = 0; i < a->ncgroups; i++) {
		const struct cgroup_total *ga = &a->cgroups[i], *gb = &b->cgroups[i];

		if (!ga->cpu_path) {
			ck_assert_ptr_null(gb->cpu_path);
			continue;
		}
		ck_assert_str_eq(ga->cpu_path, gb->cpu_path);
		ck_assert_int_eq(ga->cpu_hierarchy, gb->cpu_hierarchy);
		assert_cpu_limit_equal(&ga->cpu_limit, &gb->cpu_limit);
	}
}

/* The selectors besides -p, and the per-cgroup totals. */
static void assert_selection_equal(const struct snapshot *a, const struct snapshot *b)
{
	size_t i, k;

	ck_assert_uint_eq(a->targets.ncomms, b->targets.ncomms);
	for (i = 0; i < a->targets.ncomms; i++)
		ck_assert_str_eq(a->targets.comms[i], b->targets.comms[i]);
	ck_assert_uint_eq(a->targets.ncgroups, b->targets.ncgroups);
	for (i = 0; i < a->targets.ncgroups; i++)
		ck_assert_str_eq(a->targets.cgroups[i], b->targets.cgroups[i]);
	ck_assert_uint_eq(a->targets.ncontainers, b->targets.ncontainers);
	for (i = 0; i < a->targets.ncontainers; i++) {
		ck_assert_str_eq(a->targets.containers[i].id, b->targets.containers[i].id);
		ck_assert_str_eq(a->targets.containers[i].cgroup, b->targets.containers[i].cgroup);
	}
	ck_assert_uint_eq(a->ncgroups, b->ncgroups);
	for (i = 0; i < a->ncgroups; i++) {
		const struct cgroup_total *ga = &a->cgroups[i], *gb = &b->cgroups[i];

		ck_assert_str_eq(ga->path, gb->path);
		ck_assert_uint_eq(ga->cpu_ns, gb->cpu_ns);
		ck_assert_uint_eq(ga->runq_wait_ns, gb->runq_wait_ns);
		ck_assert_uint_eq(ga->voluntary_switches, gb->voluntary_switches);
		ck_assert_uint_eq(ga->involuntary_switches, gb->involuntary_switches);
		ck_assert_uint_eq(ga->syscalls, gb->syscalls);
		ck_assert_uint_eq(ga->npids, gb->npids);
		for (k = 0; k < ga->npids; k++)
			ck_assert_int_eq(ga->pids[k], gb->pids[k]);
	}
}

static void assert_budget_equal(const struct cpu_budget *a, const struct cpu_budget *b)
{
	ck_assert_int_eq(a->status, b->status);
	ck_assert_str_eq(a->error, b->error);
	ck_assert_uint_eq(a->total_ns, b->total_ns);
	ck_assert_uint_eq(a->nparts, b->nparts);
	for (size_t i = 0; i < a->nparts; i++) {
		ck_assert_int_eq(a->parts[i].kind, b->parts[i].kind);
		ck_assert_str_eq(a->parts[i].name, b->parts[i].name);
		ck_assert_uint_eq(a->parts[i].cpu_ns, b->parts[i].cpu_ns);
	}
}

static void assert_snapshots_equal(const struct snapshot *a, const struct snapshot *b)
{
	size_t i, j;

	ck_assert_str_eq(a->kernel, b->kernel);
	ck_assert_int_eq(a->cpus, b->cpus);
	ck_assert_uint_eq(a->duration_ns, b->duration_ns);
	if (!a->command) {
		ck_assert_ptr_null(b->command);
	} else {
		ck_assert_ptr_nonnull(b->command);
		for (i = 0; a->command[i]; i++)
			ck_assert_str_eq(a->command[i], b->command[i]);
		ck_assert_ptr_null(b->command[i]);
	}
	ck_assert_int_eq(a->command_exit, b->command_exit);
	ck_assert_str_eq(a->program, b->program);
	ck_assert_str_eq(a->targets.description, b->targets.description);
	ck_assert_uint_eq(a->targets.npids, b->targets.npids);
	for (i = 0; i < a->targets.npids; i++)
		ck_assert_int_eq(a->targets.pids[i], b->targets.pids[i]);
	ck_assert_int_eq(a->targets.command, b->targets.command);
	ck_assert_int_eq(a->targets.children, b->targets.children);
	for (i = 0; i < DROP_REASONS; i++)
		ck_assert_uint_eq(a->drops[i], b->drops[i]);
	ck_assert_int_eq(a->has_lifecycle, b->has_lifecycle);
	for (i = 0; i < LC_COUNTS; i++)
		ck_assert_uint_eq(a->lifecycle[i], b->lifecycle[i]);
	ck_assert_uint_eq(a->nprocesses, b->nprocesses);
	for (i = 0; i < a->nprocesses; i++) {
		const struct process *pa = &a->processes[i], *pb = &b->processes[i];

		ck_assert_int_eq(pa->pid, pb->pid);
		ck_assert_int_eq(pa->ppid, pb->ppid);
		ck_assert_str_eq(pa->comm, pb->comm);
		ck_assert_int_eq(pa->exited, pb->exited);
		ck_assert_int_eq(pa->selected_by, pb->selected_by);
		ck_assert_str_eq(pa->cgroup ? pa->cgroup : CGROUP_PATH_UNKNOWN, pb->cgroup);
		assert_stats_equal(&pa->sched, &pb->sched);
		assert_sys_equal(&pa->sys, &pb->sys);
		/* kept per process only: the connection path */
		assert_lat_equal(&pa->sys.accept_queue, &pb->sys.accept_queue);
		ck_assert_uint_eq(pa->sys.backlog_max, pb->sys.backlog_max);
		ck_assert_uint_eq(pa->unaccepted, pb->unaccepted);
		assert_lat_equal(&pa->sys.handoff_delay, &pb->sys.handoff_delay);
		ck_assert_uint_eq(pa->nthreads, pb->nthreads);
		for (j = 0; j < pa->nthreads; j++) {
			ck_assert_int_eq(pa->threads[j].tid, pb->threads[j].tid);
			ck_assert_str_eq(pa->threads[j].comm, pb->threads[j].comm);
			ck_assert_int_eq(pa->threads[j].exited, pb->threads[j].exited);
			assert_stats_equal(&pa->threads[j].sched, &pb->threads[j].sched);
			assert_sys_equal(&pa->threads[j].sys, &pb->threads[j].sys);
		}
	}
	ck_assert_uint_eq(a->interval_ns, b->interval_ns);
	ck_assert_uint_eq(a->nintervals, b->nintervals);
	for (i = 0; i < a->nintervals; i++) {
		ck_assert_uint_eq(a->intervals[i].end_ns, b->intervals[i].end_ns);
		ck_assert_uint_eq(a->intervals[i].duration_ns, b->intervals[i].duration_ns);
		ck_assert_uint_eq(a->intervals[i].nprocs, b->intervals[i].nprocs);
		ck_assert_mem_eq(a->intervals[i].procs, b->intervals[i].procs,
				 a->intervals[i].nprocs * sizeof(*a->intervals[i].procs));
		assert_budget_equal(&a->intervals[i].budget, &b->intervals[i].budget);
	}
	ck_assert_uint_eq(a->nhandoffs, b->nhandoffs);
	for (i = 0; i < a->nhandoffs; i++) {
		ck_assert_int_eq(a->handoffs[i].from, b->handoffs[i].from);
		ck_assert_int_eq(a->handoffs[i].to, b->handoffs[i].to);
		ck_assert_uint_eq(a->handoffs[i].count, b->handoffs[i].count);
	}
	assert_selection_equal(a, b);
	assert_budget_equal(&a->cpu_budget, &b->cpu_budget);
	assert_cpu_limits_equal(a, b);
}

static void round_trip(const struct snapshot *in)
{
	struct snapshot out;
	char err[512] = "";
	char *text;
	int rc;

	text = write_to_string(in);
	rc = read_text(text, &out, err, sizeof(err));
	ck_assert_msg(rc == 0, "read back failed (%d): %s", rc, err);
	assert_snapshots_equal(in, &out);
	snapshot_free(&out);
	free(text);
}

START_TEST(test_round_trip)
{
	struct snapshot s;

	fixture_snapshot(&s);
	round_trip(&s);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_round_trip_edge_values)
{
	struct snapshot s;

	fixture_snapshot(&s);
	/* No command, the last (unbounded) bucket, a tiny bucket, and the largest counter. */
	drop_command(&s);
	s.command_exit = -1;
	s.drops[DROP_EXITED_FULL] = 5;
	s.processes[1].threads[0].sched.runq_hist[HIST_BUCKETS - 1] = 2;
	s.processes[1].threads[0].sched.runq_hist[0] = 1;
	s.processes[1].threads[0].sched.runq_max_ns = (uint64_t)INT64_MAX;
	s.processes[1].threads[0].exited = false;
	snapshot_finish(&s);
	round_trip(&s);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_written_document)
{
	json_t *root, *p, *hist, *b;
	struct snapshot s;
	char *text;

	fixture_snapshot(&s);
	text = write_to_string(&s);
	/* Indented by 2, keys in the order written, one newline at the end. */
	ck_assert_msg(!strncmp(text, "{\n  \"schema\": \"loadscope/1\",\n  \"version\": 1,\n", 45),
		      "starts with: %.60s", text);
	ck_assert_str_eq(text + strlen(text) - 2, "}\n");
	free(text);
	snapshot_free(&s);

	root = fixture_json();
	ck_assert_str_eq(json_string_value(path_get(root, "schema")), "loadscope/1");
	ck_assert_int_eq(json_integer_value(path_get(root, "version")), SCHEMA_VERSION);
	ck_assert_str_eq(json_string_value(path_get(root, "kernel")), "6.1.0-test");
	ck_assert_int_eq(json_integer_value(path_get(root, "cpus")), 4);
	ck_assert_int_eq(json_integer_value(path_get(root, "duration_ns")), 2000000000LL);
	ck_assert_uint_eq(json_array_size(path_get(root, "command")), 4);
	ck_assert_str_eq(json_string_value(path_get(root, "command[3]")),
			 "http://127.0.0.1:3000/json");
	ck_assert_int_eq(json_integer_value(path_get(root, "command_exit")), 0);
	ck_assert_str_eq(json_string_value(path_get(root, "program")), "tp_btf");
	ck_assert_str_eq(json_string_value(path_get(root, "targets.description")),
			 "tree of 4211 (node)");
	ck_assert_int_eq(json_integer_value(path_get(root, "targets.pids[0]")), 4211);
	ck_assert(json_is_false(path_get(root, "targets.command")));
	ck_assert(json_is_true(path_get(root, "targets.children")));
	ck_assert_int_eq(json_integer_value(path_get(root, "drops.threads_full")), 3);
	ck_assert_int_eq(json_integer_value(path_get(root, "drops.exited_full")), 0);

	ck_assert_uint_eq(json_array_size(path_get(root, "processes")), 2);
	p = path_get(root, "processes[0]");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "pid")), 4211);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "ppid")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(p, "comm")), "node");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "cpu_ns")), 2000000000LL);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "runq_wait_ns")), 40500000);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "runq_count")), 1100);
	/* Worked out by hand: rank 550 of 900 waits in [4608, 5120); 990 and 1089 likewise. */
	ck_assert_int_eq(json_integer_value(json_object_get(p, "runq_p50_ns")), 4920);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "runq_p90_ns")), 20274);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "runq_p99_ns")), 106404);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "runq_max_ns")), 2500000);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "voluntary_switches")), 2300);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "involuntary_switches")), 500);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "migrations")), 15);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "wakeups")), 1750);
	ck_assert(json_is_false(json_object_get(p, "exited")));

	/* Only the four non-empty buckets, lowest first. */
	hist = json_object_get(p, "runq_hist");
	ck_assert_uint_eq(json_array_size(hist), 4);
	b = json_array_get(hist, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "lower_ns")), 4608);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "upper_ns")), 5120);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "count")), 900);
	b = json_array_get(hist, 3);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "lower_ns")),
			 hist_bucket_lower(hist_bucket(2500000)));
	ck_assert_int_eq(json_integer_value(json_object_get(b, "count")), 10);

	ck_assert_uint_eq(json_array_size(json_object_get(p, "threads")), 2);
	ck_assert_int_eq(json_integer_value(path_get(root, "processes[0].threads[1].tid")), 4213);
	ck_assert_str_eq(json_string_value(path_get(root, "processes[0].threads[1].comm")),
			 "node-worker");
	ck_assert(json_is_true(path_get(root, "processes[0].threads[1].exited")));
	ck_assert_int_eq(json_integer_value(path_get(root, "processes[0].threads[1].runq_p50_ns")),
			 19456);
	ck_assert_uint_eq(json_array_size(path_get(root, "processes[0].threads[1].runq_hist")), 1);
	ck_assert(json_is_true(path_get(root, "processes[1].exited")));
	ck_assert_uint_eq(json_array_size(path_get(root, "processes[1].runq_hist")), 0);
	ck_assert_int_eq(json_integer_value(path_get(root, "processes[1].runq_p99_ns")), 0);
	json_decref(root);
}
END_TEST

START_TEST(test_written_edge_cases)
{
	struct snapshot s, back;
	char err[256], *text;
	json_t *root, *b;
	json_error_t jerr;

	fixture_snapshot(&s);
	drop_command(&s);
	s.command_exit = -1;
	s.processes[1].threads[0].sched.runq_hist[HIST_BUCKETS - 1] = 1;
	/* comm is raw bytes; JSON needs UTF-8. */
	memcpy(s.processes[1].comm, "caf\xe9", 5);
	memcpy(s.processes[1].threads[0].comm, "caf\xe9", 5);
	snapshot_finish(&s);
	text = write_to_string(&s);
	root = json_loads(text, 0, &jerr);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_array_size(path_get(root, "command")), 0);
	ck_assert_int_eq(json_integer_value(path_get(root, "command_exit")), -1);
	ck_assert_str_eq(json_string_value(path_get(root, "processes[1].comm")), "caf?");
	b = json_array_get(path_get(root, "processes[1].runq_hist"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "lower_ns")), 15LL << 36);
	ck_assert(json_is_null(json_object_get(b, "upper_ns")));
	json_decref(root);

	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	ck_assert_ptr_null(back.command);
	ck_assert_int_eq(back.command_exit, -1);
	ck_assert_str_eq(back.processes[1].comm, "caf?");
	ck_assert_uint_eq(back.processes[1].sched.runq_hist[HIST_BUCKETS - 1], 1);
	snapshot_free(&back);
	free(text);
	snapshot_free(&s);
}
END_TEST

/*
 * The CPU split, lock waits and thread kinds: written, read back; a run saved before them reads
 * with its split unknown (null when written again) and every futex wait as a lock wait, as it
 * was reported then.
 */
START_TEST(test_cpu_split_and_kinds)
{
	struct snapshot s, back;
	char err[256], *text;
	const struct thread *t;
	json_t *root, *thread;
	size_t i;

	fixture_snapshot(&s);
	s.processes[0].threads[0].sys.offcpu_ns[SC_FUTEX] = 30000000;
	s.processes[0].threads[0].sys.offcpu_lock_ns = 10000000;
	snapshot_finish(&s);
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	thread = path_get(root, "processes[0].threads[0]");
	ck_assert_int_eq(json_integer_value(json_object_get(thread, "cpu_kernel_ns")), 400000000);
	ck_assert_int_eq(json_integer_value(json_object_get(thread, "cpu_user_ns")), 1100000000);
	ck_assert_int_eq(json_integer_value(json_object_get(thread, "offcpu_lock_ns")), 10000000);
	ck_assert_str_eq(json_string_value(json_object_get(thread, "kind")), "serving");
	ck_assert_int_eq(json_integer_value(path_get(root, "processes[0].cpu_kernel_ns")),
			 400000000);
	ck_assert(json_is_object(path_get(root, "processes[0].helper_states")));
	/* the fixture's CPUs were 43% idle and nothing saturated */
	ck_assert_str_eq(json_string_value(path_get(root, "bottleneck.kind")), "none");
	ck_assert_str_eq(json_string_value(path_get(root, "bottleneck.subject")), "the 4 CPUs");
	ck_assert(json_is_number(path_get(root, "bottleneck.evidence.busy_share")));
	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	free(text);
	ck_assert(back.cpu_split);
	t = &back.processes[0].threads[0];
	ck_assert_uint_eq(t->sched.cpu_kernel_ns, 400000000);
	ck_assert_uint_eq(t->sys.offcpu_lock_ns, 10000000);
	snapshot_free(&back);

	/* a run saved before: neither field anywhere */
	json_array_foreach(path_get(root, "processes"), i, thread)
	{
		json_t *th;
		size_t k;

		json_object_del(thread, "cpu_kernel_ns");
		json_object_del(thread, "offcpu_lock_ns");
		json_array_foreach(json_object_get(thread, "threads"), k, th)
		{
			json_object_del(th, "cpu_kernel_ns");
			json_object_del(th, "offcpu_lock_ns");
		}
	}
	text = json_dumps(root, 0);
	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	free(text);
	ck_assert(!back.cpu_split);
	t = &back.processes[0].threads[0];
	ck_assert_uint_eq(t->sys.offcpu_lock_ns, 30000000);
	json_decref(root);
	text = write_to_string(&back);
	root = json_loads(text, 0, NULL);
	ck_assert(json_is_null(path_get(root, "processes[0].threads[0].cpu_kernel_ns")));
	ck_assert(json_is_null(path_get(root, "processes[0].cpu_user_ns")));
	free(text);
	json_decref(root);
	snapshot_free(&back);

	/* a corrupt file: more kernel than CPU, more lock than futex time, is kept within them */
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	free(text);
	path_set(root, "processes[0].threads[0].cpu_kernel_ns", json_integer(9000000000LL));
	path_set(root, "processes[0].threads[0].offcpu_lock_ns", json_integer(9000000000LL));
	text = json_dumps(root, 0);
	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	t = &back.processes[0].threads[0];
	ck_assert_uint_eq(t->sched.cpu_kernel_ns, t->sched.cpu_ns);
	ck_assert_uint_eq(t->sys.offcpu_lock_ns, 30000000);
	free(text);
	json_decref(root);
	snapshot_free(&back);
	snapshot_free(&s);
}
END_TEST

/* Light mode: every figure of the syscall hooks null, never 0; read back as light again. */
START_TEST(test_light_mode)
{
	static const char *const absent[] = {
		"syscalls",	    "offcpu_ns",  "offcpu_d_by_class", "offcpu_lock_ns",
		"handoff_sent",	    "handoff_received", "accept_queue", "handoff_delay",
		"tcp_reads",	    "tcp_writes", "role",	       "cpu_kernel_ns",
		"cpu_user_ns",
	};
	static const char *const objs[] = {"processes[0]", "processes[0].threads[0]",
					   "processes[1].threads[0]"};
	struct snapshot s, back;
	char err[256], key[96], *text;
	json_t *root;

	fixture_snapshot(&s);
	fixture_light(&s);
	s.processes[0].threads[0].sys.offcpu_d_ns[SC_NONE] = 7000000;
	ck_assert_int_eq(snapshot_finish(&s), 0);
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_is_false(path_get(root, "syscalls_traced")));
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		for (size_t k = 0; k < sizeof(absent) / sizeof(absent[0]); k++) {
			snprintf(key, sizeof(key), "%s.%s", objs[i], absent[k]);
			ck_assert_msg(json_is_null(path_get(root, key)), "%s is not null", key);
		}
		snprintf(key, sizeof(key), "%s.states.io_ns", objs[i]);
		ck_assert_msg(json_is_null(path_get(root, key)), "%s is not null", key);
		snprintf(key, sizeof(key), "%s.states.running_ns", objs[i]);
		ck_assert_msg(json_is_integer(path_get(root, key)), "%s is not a number", key);
	}
	/* the scheduler's uninterruptible sleep stays a figure */
	ck_assert_int_eq(json_integer_value(path_get(root, "processes[0].threads[0].offcpu_d_ns")),
			 7000000);
	ck_assert(json_is_null(path_get(root, "requests.count")));
	ck_assert(json_is_null(path_get(root, "cgroups[0].syscalls")));
	ck_assert(json_is_null(path_get(root, "intervals[0].processes[0].syscalls")));
	ck_assert(json_is_null(path_get(root, "intervals[0].processes[0].accepts")));
	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	ck_assert(back.no_syscalls);
	ck_assert(!back.cpu_split);
	assert_snapshots_equal(&s, &back);
	snapshot_free(&back);
	free(text);

	/* a run saved before light mode existed has no syscalls_traced: it traced them */
	fixture_snapshot(&back);
	text = write_to_string(&back);
	snapshot_free(&back);
	json_decref(root);
	root = json_loads(text, 0, NULL);
	free(text);
	ck_assert(json_is_true(path_get(root, "syscalls_traced")));
	path_set(root, "syscalls_traced", NULL);
	text = json_dumps(root, 0);
	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	ck_assert(!back.no_syscalls);
	snapshot_free(&back);
	free(text);
	json_decref(root);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_cpu_limits_round_trip)
{
	struct snapshot s;

	fixture_snapshot(&s);
	fixture_cpu_limits(&s);
	round_trip(&s);
	/* v1, a cgroup first seen at the end, counters reset */
	s.cpu_cgroups[1].hierarchy = CGROUP_V1;
	s.cpu_cgroups[1].limit.counters_reset = true;
	s.cpu_cgroups[2].limit.end_only = true;
	s.cpu_cgroups[2].limit.missing = CPU_FILE_CFS_QUOTA | CPU_FILE_CFS_PERIOD | CPU_FILE_STAT;
	ck_assert_int_eq(snapshot_group_cgroups(&s), 0);
	round_trip(&s);
	snapshot_free(&s);
}
END_TEST

/* The contract: cgroups[].cpu_cgroup and cpu_limit, the top-level cpu_limits; null when unknown. */
START_TEST(test_cpu_limits_written)
{
	struct snapshot s;
	json_t *root, *l;
	char *text;

	fixture_snapshot(&s);
	fixture_cpu_limits(&s);
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	free(text);
	/* cgroups by path: app.service, then its worker */
	ck_assert_str_eq(json_string_value(path_get(root, "cgroups[0].path")),
			 "/system.slice/app.service");
	ck_assert_str_eq(json_string_value(path_get(root, "cgroups[0].cpu_cgroup.path")),
			 "/system.slice/app.service");
	ck_assert_str_eq(json_string_value(path_get(root, "cgroups[0].cpu_cgroup.hierarchy")),
			 "v2");
	l = path_get(root, "cgroups[0].cpu_limit");
	ck_assert_int_eq(json_integer_value(json_object_get(l, "quota_us")), 20000);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "period_us")), 100000);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "periods")), 20);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "throttled_periods")), 15);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "throttled_ns")), 1200000000);
	ck_assert_int_eq(json_integer_value(json_object_get(l, "pressure_some_ns")), 1300000000);
	ck_assert(json_is_false(json_object_get(l, "counters_reset")));
	ck_assert(json_is_false(json_object_get(l, "end_only")));
	ck_assert_uint_eq(json_array_size(json_object_get(l, "missing")), 0);
	/* no quota and cpu.stat unreadable: nulls, and the file named */
	l = path_get(root, "cgroups[1].cpu_limit");
	ck_assert(json_is_null(json_object_get(l, "quota_us")));
	ck_assert(json_is_null(json_object_get(l, "periods")));
	ck_assert(json_is_null(json_object_get(l, "throttled_periods")));
	ck_assert(json_is_null(json_object_get(l, "throttled_ns")));
	ck_assert_str_eq(json_string_value(path_get(root, "cgroups[1].cpu_limit.missing[0]")),
			 "cpu.stat");
	/* every cpu cgroup read, the ancestor with no processes of its own */
	ck_assert_uint_eq(json_array_size(path_get(root, "cpu_limits")), 3);
	ck_assert_str_eq(json_string_value(path_get(root, "cpu_limits[0].path")), "/system.slice");
	ck_assert_str_eq(json_string_value(path_get(root, "cpu_limits[0].hierarchy")), "v2");
	ck_assert_uint_eq(json_array_size(path_get(root, "cpu_limits[0].processes")), 0);
	ck_assert(json_is_null(path_get(root, "cpu_limits[0].cpu_limit.quota_us")));
	ck_assert_int_eq(json_integer_value(path_get(root, "cpu_limits[1].processes[0]")), 4211);
	ck_assert_int_eq(json_integer_value(path_get(root, "cpu_limits_full")), 1);
	json_decref(root);

	/* without any cpu cgroup (no cpu controller): nulls and an empty list */
	fixture_snapshot(&s);
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	free(text);
	ck_assert(json_is_null(path_get(root, "cgroups[0].cpu_cgroup")));
	ck_assert(json_is_null(path_get(root, "cgroups[0].cpu_limit")));
	ck_assert_uint_eq(json_array_size(path_get(root, "cpu_limits")), 0);
	json_decref(root);
	snapshot_free(&s);
}
END_TEST

/* A run saved before the CPU limits were: none of their fields, or nulls, still reads. */
START_TEST(test_cpu_limits_older_run)
{
	struct snapshot s, back;
	char err[256] = "", *text;
	json_t *root, *g;
	size_t i;

	fixture_snapshot(&s);
	fixture_cpu_limits(&s);
	text = write_to_string(&s);
	snapshot_free(&s);
	root = json_loads(text, 0, NULL);
	free(text);
	json_object_del(root, "cpu_limits");
	json_object_del(root, "cpu_limits_full");
	json_array_foreach(json_object_get(root, "cgroups"), i, g)
	{
		json_object_del(g, "cpu_cgroup");
		json_object_del(g, "cpu_limit");
	}
	text = json_dumps(root, 0);
	ck_assert_msg(read_text(text, &back, err, sizeof(err)) == 0, "%s", err);
	free(text);
	ck_assert_uint_eq(back.ncpu_cgroups, 0);
	ck_assert_uint_eq(back.cpu_cgroups_full, 0);
	ck_assert_uint_eq(back.ncgroups, 2);
	ck_assert_ptr_null(back.cgroups[0].cpu_path);
	snapshot_free(&back);

	/* nulls where a writer had nothing to say */
	path_set(root, "cpu_limits", json_null());
	path_set(root, "cgroups[0].cpu_cgroup", json_null());
	text = json_dumps(root, 0);
	ck_assert_msg(read_text(text, &back, err, sizeof(err)) == 0, "%s", err);
	free(text);
	ck_assert_uint_eq(back.ncpu_cgroups, 0);
	snapshot_free(&back);
	json_decref(root);
}
END_TEST

static json_t *cpu_limits_json(void)
{
	struct snapshot s;
	json_t *root;
	char *text;

	fixture_snapshot(&s);
	fixture_cpu_limits(&s);
	text = write_to_string(&s);
	snapshot_free(&s);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	free(text);
	return root;
}

START_TEST(test_cpu_limits_rejected)
{
	json_t *root;

	root = cpu_limits_json();
	path_set(root, "cpu_limits[1].hierarchy", json_string("v3"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_limits[1].hierarchy should be \"v1\" or \"v2\", not \"v3\"");

	root = cpu_limits_json();
	path_set(root, "cgroups[0].cpu_cgroup.hierarchy", json_integer(2));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cgroups[0].cpu_cgroup.hierarchy should be \"v1\" or \"v2\", not 2");

	root = cpu_limits_json();
	path_set(root, "cpu_limits[1].cpu_limit.quota_us", json_integer(-1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_limits[1].cpu_limit.quota_us should be a non-negative integer "
			 "or null, not -1");

	root = cpu_limits_json();
	path_set(root, "cgroups[0].cpu_limit.periods", json_null());
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "cgroups[0].cpu_limit: periods, throttled_periods and throttled_ns "
			 "should be all numbers or all null");

	root = cpu_limits_json();
	ck_assert_int_eq(json_array_append_new(path_get(root, "cpu_limits[2].cpu_limit.missing"),
					       json_string("cpu.weight")),
			 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_limits[2].cpu_limit.missing[1] should be one of cpu.max, "
			 "cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat, not a string");

	root = cpu_limits_json();
	path_set(root, "cpu_limits[0].cpu_limit.end_only", json_string("no"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_limits[0].cpu_limit.end_only should be true, false or null, "
			 "not a string");

	root = cpu_limits_json();
	path_set(root, "cpu_limits[0].cpu_limit", NULL);
	ck_assert_str_eq(read_expect_error(root, -EINVAL), "missing field cpu_limits[0].cpu_limit");

	root = cpu_limits_json();
	path_set(root, "cgroups[0].cpu_cgroup", json_string("/x"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cgroups[0].cpu_cgroup should be an object or null, not a string");

	root = cpu_limits_json();
	for (int i = 0; i < LS_MAX_CPU_CGROUPS; i++)
		json_array_append(path_get(root, "cpu_limits"), path_get(root, "cpu_limits[0]"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_limits has 67 entries, more than the 64 possible");
}
END_TEST

START_TEST(test_reader_recomputes_and_sorts)
{
	struct snapshot s;
	char err[256], *text;
	json_t *root;

	/* Totals and percentiles in the file are ignored in favour of the threads' figures. */
	root = fixture_json();
	path_set(root, "processes[0].cpu_ns", json_integer(1));
	path_set(root, "processes[0].runq_p50_ns", json_integer(123456789));
	path_set(root, "processes[0].exited", json_true());
	ck_assert_int_eq(json_array_insert_new(path_get(root, "processes"), 0,
					       json_deep_copy(path_get(root, "processes[1]"))),
			 0);
	ck_assert_int_eq(json_array_remove(path_get(root, "processes"), 2), 0);
	text = json_dumps(root, 0);
	json_decref(root);
	ck_assert_int_eq(read_text(text, &s, err, sizeof(err)), 0);
	free(text);
	ck_assert_int_eq(s.processes[0].pid, 4211);
	ck_assert_int_eq(s.processes[1].pid, 4300);
	ck_assert_uint_eq(s.processes[0].sched.cpu_ns, 2000000000ULL);
	ck_assert(!s.processes[0].exited);
	snapshot_free(&s);
}
END_TEST

START_TEST(test_read_stdin)
{
	struct snapshot s, in;
	char err[256];
	char *text;

	fixture_snapshot(&in);
	text = write_to_string(&in);
	ck_assert_ptr_nonnull(freopen(write_temp(text, strlen(text)), "r", stdin));
	unlink(tmp_path);
	ck_assert_int_eq(snapshot_read_json("-", &s, err, sizeof(err)), 0);
	assert_snapshots_equal(&in, &s);
	snapshot_free(&s);
	snapshot_free(&in);
	free(text);

	/* Errors from stdin are named so, not "-". */
	ck_assert_ptr_nonnull(freopen(write_temp("[]", 2), "r", stdin));
	unlink(tmp_path);
	ck_assert_int_eq(snapshot_read_json("-", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err,
			 "<stdin>: not a loadscope run (the top level is an array, not an object)");
}
END_TEST

START_TEST(test_missing_file)
{
	struct snapshot s;
	char err[256];

	ck_assert_int_eq(snapshot_read_json("/nonexistent/run.json", &s, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/run.json: cannot open: No such file or directory");
	ck_assert_int_eq(snapshot_read_json("/tmp", &s, err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/tmp: cannot read: Is a directory");
}
END_TEST

START_TEST(test_empty_file)
{
	struct snapshot s;
	char err[256], expected[256];

	ck_assert_int_eq(read_text("", &s, err, sizeof(err)), -EINVAL);
	snprintf(expected, sizeof(expected), "%s: empty file: not a loadscope run", tmp_path);
	ck_assert_str_eq(err, expected);
	ck_assert_int_eq(read_text(" \n\t\n", &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ": empty file"));
}
END_TEST

START_TEST(test_syntax_errors_give_line_and_column)
{
	char err[256], expected[256], *deep;
	struct snapshot s;

	/* Cut inside a string on line 4. */
	ck_assert_int_eq(read_text("{\n  \"schema\": \"loadscope/1\",\n  \"version\": 1,\n"
				   "  \"kernel\": \"6.",
				   &s, err, sizeof(err)),
			 -EINVAL);
	snprintf(expected, sizeof(expected), "%s:4:15: invalid JSON: ", tmp_path);
	ck_assert_msg(!strncmp(err, expected, strlen(expected)), "got: %s", err);
	ck_assert_ptr_nonnull(strstr(err, "premature end of input"));

	/* A stray comma on line 3; jansson points just past it. */
	ck_assert_int_eq(read_text("{\n  \"schema\": \"loadscope/1\",\n  \"version\": 1,,\n}\n", &s,
				   err, sizeof(err)),
			 -EINVAL);
	snprintf(expected, sizeof(expected), "%s:3:16: invalid JSON: ", tmp_path);
	ck_assert_msg(!strncmp(err, expected, strlen(expected)), "got: %s", err);

	ck_assert_int_eq(read_text("\x7f"
				   "ELF\x02\x01\x01 garbage",
				   &s, err, sizeof(err)),
			 -EINVAL);
	snprintf(expected, sizeof(expected), "%s:1:1: invalid JSON: ", tmp_path);
	ck_assert_msg(!strncmp(err, expected, strlen(expected)), "got: %s", err);

	/* Nesting deep enough to exhaust a recursive parser's stack. */
	deep = malloc(200001);
	ck_assert_ptr_nonnull(deep);
	memset(deep, '[', 200000);
	deep[200000] = '\0';
	ck_assert_int_eq(read_text(deep, &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
	free(deep);

	/* Integers beyond 64 bits. */
	ck_assert_int_eq(read_text("{\"schema\": \"loadscope/1\", \"version\": 1, \"cpus\": "
				   "99999999999999999999}",
				   &s, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too big"));

	/* A second document after the first is not a saved run either. */
	ck_assert_int_eq(read_text("{} {}", &s, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
}
END_TEST

START_TEST(test_every_truncation_fails_cleanly)
{
	struct snapshot s, full;
	char err[512], *text;
	size_t len, cut;
	int rc;

	fixture_snapshot(&full);
	text = write_to_string(&full);
	snapshot_free(&full);
	len = strlen(text);
	/* Every proper prefix, except the one that only drops the trailing newline. */
	for (cut = 0; cut < len - 1; cut++) {
		err[0] = '\0';
		rc = read_text_len(text, cut, &s, err, sizeof(err));
		ck_assert_msg(rc < 0, "prefix of %zu bytes was accepted", cut);
		ck_assert_msg(err[0] != '\0', "prefix of %zu bytes: no message", cut);
		ck_assert_ptr_null(s.processes);
	}
	ck_assert_int_eq(read_text_len(text, len - 1, &s, err, sizeof(err)), 0);
	snapshot_free(&s);
	free(text);
}
END_TEST

START_TEST(test_corrupted_bytes_never_crash)
{
	struct snapshot s, full;
	uint64_t state = 99;
	char err[512], *text, *copy;
	unsigned int i, rejected = 0;
	size_t len;
	int rc;

	fixture_snapshot(&full);
	text = write_to_string(&full);
	snapshot_free(&full);
	len = strlen(text);
	copy = malloc(len + 1);
	ck_assert_ptr_nonnull(copy);
	for (i = 0; i < 2000; i++) {
		memcpy(copy, text, len + 1);
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		copy[(state >> 20) % len] =
			(char)"0123456789-\"{}[],:x \x01\xff"[(state >> 50) % 22];
		err[0] = '\0';
		rc = read_text_len(copy, len, &s, err, sizeof(err));
		if (rc) {
			rejected++;
			ck_assert_msg(err[0] != '\0', "rejected without a message");
		} else {
			/* A change that still validates (a count, say) gives a usable snapshot. */
			ck_assert_uint_eq(s.nprocesses, 2);
			snapshot_free(&s);
		}
	}
	/* Most changes break the document; some (a digit in a count) leave a valid one. */
	ck_assert_uint_gt(rejected, 1000);
	ck_assert_uint_lt(rejected, 2000);
	free(copy);
	free(text);
}
END_TEST

START_TEST(test_not_a_loadscope_run)
{
	json_t *root;

	root = fixture_json();
	path_set(root, "schema", json_string("otherprof/3"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "not a loadscope run (schema \"otherprof/3\", expected \"loadscope/1\")");

	root = fixture_json();
	path_set(root, "schema", NULL);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "not a loadscope run (schema field missing)");

	root = fixture_json();
	path_set(root, "schema", json_integer(1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "not a loadscope run (schema is an integer, not a string)");

	ck_assert_str_eq(read_expect_error(json_pack("[i,i]", 1, 2), -EINVAL),
			 "not a loadscope run (the top level is an array, not an object)");
	ck_assert_str_eq(read_expect_error(json_pack("{s:s}", "name", "x"), -EINVAL),
			 "not a loadscope run (schema field missing)");
}
END_TEST

START_TEST(test_newer_version)
{
	json_t *root;

	root = fixture_json();
	path_set(root, "schema", json_string("loadscope/2"));
	path_set(root, "version", json_integer(2));
	ck_assert_str_eq(read_expect_error(root, -EPROTONOSUPPORT),
			 "written by a newer loadscope (schema version 2); this one reads version "
			 "1: upgrade loadscope to read it");

	root = fixture_json();
	path_set(root, "version", json_integer(0));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field version should be a positive integer, not 0");
}
END_TEST

START_TEST(test_missing_fields)
{
	static const char *const fields[] = {
		"kernel",
		"cpus",
		"duration_ns",
		"command",
		"command_exit",
		"program",
		"targets",
		"targets.description",
		"targets.pids",
		"targets.children",
		"drops",
		"drops.exited_full",
		"processes",
		"processes[1].pid",
		"processes[1].comm",
		"processes[0].runq_hist",
		"processes[0].threads",
		"processes[0].threads[1].tid",
		"processes[0].threads[1].wakeups",
		"processes[0].threads[0].exited",
	};
	char expected[128];
	unsigned int i;
	json_t *root;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		root = fixture_json();
		path_set(root, fields[i], NULL);
		snprintf(expected, sizeof(expected), "missing field %s", fields[i]);
		ck_assert_str_eq(read_expect_error(root, -EINVAL), expected);
	}
}
END_TEST

START_TEST(test_wrong_types_and_ranges)
{
	json_t *root;

	root = fixture_json();
	path_set(root, "processes[0].threads[1].cpu_ns", json_string("12"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].threads[1].cpu_ns should be a non-negative integer, "
			 "not a string");

	root = fixture_json();
	path_set(root, "processes[1].pid", json_integer(-5));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[1].pid should be an integer from 1 to 4194304, not -5");

	root = fixture_json();
	path_set(root, "duration_ns", json_integer(-1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field duration_ns should be a non-negative integer, not -1");

	root = fixture_json();
	path_set(root, "cpus", json_real(2.5));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpus should be an integer from 1 to 1048576, not a decimal number");

	root = fixture_json();
	path_set(root, "targets.children", json_string("yes"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field targets.children should be true or false, not a string");

	root = fixture_json();
	path_set(root, "kernel", json_null());
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field kernel should be a string, not null");

	root = fixture_json();
	path_set(root, "processes", json_object());
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes should be an array, not an object");

	root = fixture_json();
	ck_assert_int_eq(json_array_set_new(path_get(root, "command"), 1, json_integer(2)), 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "command[1] should be a string, not an integer");

	root = fixture_json();
	ck_assert_int_eq(json_array_set_new(path_get(root, "targets.pids"), 0, json_integer(0)), 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field targets.pids[0] should be a pid (an integer from 1 to 4194304), "
			 "not 0");

	root = fixture_json();
	ck_assert_int_eq(json_array_set_new(path_get(root, "processes"), 1, json_string("x")), 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "processes[1] should be an object, not a string");

	root = fixture_json();
	path_set(root, "command_exit", json_integer(256));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field command_exit should be an integer from -1 to 255, not 256");
}
END_TEST

START_TEST(test_written_budget)
{
	static const char *const kinds[] = {"targets", "load",	  "other", "other", "other",
					    "irq",     "softirq", "steal", "idle"};
	json_t *root, *parts;

	root = fixture_json();
	ck_assert_int_eq(json_integer_value(path_get(root, "cpu_budget.total_ns")), 8000000000LL);
	parts = path_get(root, "cpu_budget.parts");
	ck_assert_uint_eq(json_array_size(parts), 9);
	for (size_t i = 0; i < 9; i++)
		ck_assert_str_eq(
			json_string_value(json_object_get(json_array_get(parts, i), "kind")),
			kinds[i]);
	ck_assert_str_eq(json_string_value(path_get(root, "cpu_budget.parts[1].name")), "wrk");
	ck_assert_int_eq(json_integer_value(path_get(root, "cpu_budget.parts[1].cpu_ns")),
			 1500000000);
	ck_assert_str_eq(json_string_value(path_get(root, "cpu_budget.parts[4].name")), "(rest)");
	ck_assert_ptr_null(json_object_get(root, "cpu_budget_error"));
	json_decref(root);
}
END_TEST

/* A run saved before budgets reads as unknown and is written back without one; null: unreadable. */
START_TEST(test_budget_unknown_or_unreadable)
{
	struct snapshot s, back;
	char err[256], *text;
	json_t *root;

	root = fixture_json();
	path_set(root, "cpu_budget", NULL);
	path_set(root, "intervals[0].cpu_budget", NULL);
	path_set(root, "intervals[1].cpu_budget", NULL);
	text = json_dumps(root, 0);
	json_decref(root);
	ck_assert_int_eq(read_text(text, &s, err, sizeof(err)), 0);
	free(text);
	ck_assert_int_eq(s.cpu_budget.status, BUDGET_UNKNOWN);
	ck_assert_uint_eq(s.cpu_budget.nparts, 0);
	ck_assert_int_eq(s.intervals[1].budget.status, BUDGET_UNKNOWN);
	text = write_to_string(&s);
	ck_assert_ptr_null(strstr(text, "cpu_budget"));
	free(text);
	round_trip(&s);
	snapshot_free(&s);

	/* /proc/stat could not be read: null, and the reason beside it */
	fixture_snapshot(&s);
	memset(&s.cpu_budget, 0, sizeof(s.cpu_budget));
	s.cpu_budget.status = BUDGET_UNREADABLE;
	snprintf(s.cpu_budget.error, sizeof(s.cpu_budget.error), "%s", strerror(EACCES));
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_is_null(json_object_get(root, "cpu_budget")));
	ck_assert_str_eq(json_string_value(json_object_get(root, "cpu_budget_error")),
			 "Permission denied");
	round_trip(&s);
	free(text);

	/* null without a reason: unreadable, no reason known */
	path_set(root, "cpu_budget_error", NULL);
	text = json_dumps(root, 0);
	json_decref(root);
	ck_assert_int_eq(read_text(text, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(back.cpu_budget.status, BUDGET_UNREADABLE);
	ck_assert_str_eq(back.cpu_budget.error, "");
	snapshot_free(&back);
	free(text);
	snapshot_free(&s);
}
END_TEST

/* Each interval's budget, of the run's shape; a file without it reads as unknown. */
START_TEST(test_interval_budgets)
{
	struct snapshot s;
	char err[256], *text;
	json_t *root;

	root = fixture_json();
	ck_assert_int_eq(json_integer_value(path_get(root, "intervals[1].cpu_budget.total_ns")),
			 4000000000LL);
	ck_assert_uint_eq(json_array_size(path_get(root, "intervals[0].cpu_budget.parts")), 7);
	ck_assert_str_eq(json_string_value(path_get(root, "intervals[0].cpu_budget.parts[1].kind")),
			 "load");
	ck_assert_str_eq(json_string_value(path_get(root, "intervals[0].cpu_budget.parts[1].name")),
			 "wrk");
	ck_assert_int_eq(json_integer_value(path_get(root, "intervals[1].cpu_budget.parts[0].cpu_ns")),
			 1500000000LL);
	ck_assert_ptr_null(json_object_get(path_get(root, "intervals[0]"), "cpu_budget_error"));

	/* saved before intervals had one: unknown, and written back without it */
	path_set(root, "intervals[0].cpu_budget", NULL);
	text = json_dumps(root, 0);
	ck_assert_int_eq(read_text(text, &s, err, sizeof(err)), 0);
	free(text);
	ck_assert_int_eq(s.intervals[0].budget.status, BUDGET_UNKNOWN);
	ck_assert_int_eq(s.intervals[1].budget.status, BUDGET_MEASURED);
	ck_assert_int_eq(s.cpu_budget.status, BUDGET_MEASURED);
	round_trip(&s);
	text = write_to_string(&s);
	json_decref(root);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert_ptr_null(json_object_get(path_get(root, "intervals[0]"), "cpu_budget"));
	free(text);
	json_decref(root);

	/* /proc/stat unreadable at a tick: null, and the reason beside it */
	memset(&s.intervals[1].budget, 0, sizeof(s.intervals[1].budget));
	s.intervals[1].budget.status = BUDGET_UNREADABLE;
	snprintf(s.intervals[1].budget.error, sizeof(s.intervals[1].budget.error), "%s",
		 strerror(ENOENT));
	text = write_to_string(&s);
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_is_null(path_get(root, "intervals[1].cpu_budget")));
	ck_assert_str_eq(json_string_value(path_get(root, "intervals[1].cpu_budget_error")),
			 "No such file or directory");
	round_trip(&s);
	free(text);
	json_decref(root);
	snapshot_free(&s);

	/* checked as the run's, and said where */
	root = fixture_json();
	path_set(root, "intervals[1].cpu_budget.parts[2].kind", json_string("gpu"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field intervals[1].cpu_budget.parts[2].kind should be one of targets, "
			 "load, other, irq, softirq, steal, idle, not a string");
	root = fixture_json();
	path_set(root, "intervals[0].cpu_budget.total_ns", json_integer(-1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field intervals[0].cpu_budget.total_ns should be a non-negative "
			 "integer, not -1");
	root = fixture_json();
	path_set(root, "intervals[0].cpu_budget", json_array());
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field intervals[0].cpu_budget should be an object or null, not an array");
	root = fixture_json();
	path_set(root, "intervals[1].cpu_budget", json_null());
	path_set(root, "intervals[1].cpu_budget_error", json_false());
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field intervals[1].cpu_budget_error should be a string, not a boolean");
}
END_TEST

START_TEST(test_bad_budgets)
{
	json_t *root, *parts;

	root = fixture_json();
	path_set(root, "cpu_budget", json_string("none"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_budget should be an object or null, not a string");

	root = fixture_json();
	path_set(root, "cpu_budget.total_ns", NULL);
	ck_assert_str_eq(read_expect_error(root, -EINVAL), "missing field cpu_budget.total_ns");

	root = fixture_json();
	path_set(root, "cpu_budget.parts[2].kind", json_string("gpu"));
	ck_assert_str_eq(
		read_expect_error(root, -EINVAL),
		"field cpu_budget.parts[2].kind should be one of targets, load, other, irq, "
		"softirq, steal, idle, not a string");

	root = fixture_json();
	path_set(root, "cpu_budget.parts[0].kind", json_integer(0));
	ck_assert_str_eq(
		read_expect_error(root, -EINVAL),
		"field cpu_budget.parts[0].kind should be one of targets, load, other, irq, "
		"softirq, steal, idle, not 0");

	root = fixture_json();
	path_set(root, "cpu_budget.parts[1].name", NULL);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "missing field cpu_budget.parts[1].name");

	root = fixture_json();
	path_set(root, "cpu_budget.parts[8].cpu_ns", json_integer(-3));
	ck_assert_str_eq(
		read_expect_error(root, -EINVAL),
		"field cpu_budget.parts[8].cpu_ns should be a non-negative integer, not -3");

	root = fixture_json();
	ck_assert_int_eq(json_array_set_new(path_get(root, "cpu_budget.parts"), 3, json_true()), 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "cpu_budget.parts[3] should be an object, not a boolean");

	root = fixture_json();
	parts = path_get(root, "cpu_budget.parts");
	while (json_array_size(parts) <= BUDGET_MAX_PARTS)
		json_array_append(parts, json_array_get(parts, 2));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_budget.parts has 13 entries, more than the 12 possible");

	root = fixture_json();
	path_set(root, "cpu_budget", json_null());
	path_set(root, "cpu_budget_error", json_integer(13));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cpu_budget_error should be a string, not 13");
}
END_TEST

START_TEST(test_bad_histograms)
{
	json_t *root, *hist;

	root = fixture_json();
	path_set(root, "processes[0].runq_hist[0].lower_ns", json_integer(4609));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].runq_hist[0].lower_ns is 4609, not a bucket bound of "
			 "this histogram (the bucket holding it starts at 4608)");

	root = fixture_json();
	path_set(root, "processes[0].threads[0].runq_hist[1].upper_ns", json_integer(1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].threads[0].runq_hist[1].upper_ns should be 106496, "
			 "not 1");

	root = fixture_json();
	path_set(root, "processes[0].runq_hist[2].count", json_integer(-3));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].runq_hist[2].count should be a non-negative integer, "
			 "not -3");

	root = fixture_json();
	hist = path_get(root, "processes[0].runq_hist");
	ck_assert_int_eq(json_array_append_new(hist, json_deep_copy(json_array_get(hist, 0))), 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].runq_hist[4].lower_ns: bucket 4608 is listed twice");

	root = fixture_json();
	ck_assert_int_eq(
		json_array_set_new(path_get(root, "processes[0].runq_hist"), 0, json_integer(7)),
		0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "processes[0].runq_hist[0] should be an object, not an integer");
}
END_TEST

START_TEST(test_duplicates)
{
	json_t *root, *procs;

	root = fixture_json();
	procs = path_get(root, "processes");
	ck_assert_int_eq(json_array_append_new(procs, json_deep_copy(json_array_get(procs, 1))), 0);
	ck_assert_str_eq(read_expect_error(root, -EINVAL), "process 4300 is listed twice");

	root = fixture_json();
	path_set(root, "processes[0].threads[1].tid", json_integer(4211));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "thread 4211 of process 4211 is listed twice");
}
END_TEST

START_TEST(test_huge_arrays)
{
	json_t *root, *arr;
	unsigned int i;

	/* A million entries: rejected at the first, without sizing anything from the count. */
	root = fixture_json();
	arr = json_array();
	for (i = 0; i < 1000000; i++)
		json_array_append_new(arr, json_integer(0));
	path_set(root, "processes", arr);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "processes[0] should be an object, not an integer");

	root = fixture_json();
	arr = json_array();
	for (i = 0; i < 100000; i++)
		json_array_append_new(arr, json_object());
	path_set(root, "processes[1].threads", arr);
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "missing field processes[1].threads[0].tid");

	root = fixture_json();
	arr = json_array();
	for (i = 0; i < HIST_BUCKETS + 1; i++)
		json_array_append_new(arr, json_pack("{s:I,s:i}", "lower_ns",
						     (json_int_t)hist_bucket_lower(i), "count", 1));
	path_set(root, "processes[0].runq_hist", arr);
	ck_assert_str_eq(
		read_expect_error(root, -EINVAL),
		"field processes[0].runq_hist has 305 entries, more than the 304 possible");
}
END_TEST

START_TEST(test_unknown_fields_are_ignored)
{
	struct snapshot s;
	char err[256], *text;
	json_t *root;

	root = fixture_json();
	path_set(root, "future_section", json_pack("{s:i}", "x", 1));
	path_set(root, "processes[0].threads[0].future_field", json_array());
	text = json_dumps(root, 0);
	json_decref(root);
	ck_assert_int_eq(read_text(text, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.processes[0].nthreads, 2);
	snapshot_free(&s);
	free(text);
}
END_TEST

START_TEST(test_small_error_buffer)
{
	struct snapshot s;
	char err[8];

	memset(err, 'x', sizeof(err));
	ck_assert_int_lt(read_text("nonsense", &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_int_lt(read_text("nonsense", &s, NULL, 0), 0);
}
END_TEST

/* Messages quote the file; what they quote cannot break the line or reach the terminal raw. */
START_TEST(test_messages_stay_one_line)
{
	static const char *const docs[] = {
		"{\"schema\": \"other\\n\\u001b[2Jtool/1\", \"version\": 1}",
		"{\"schema\": \"x\\u007f\\r\", \"version\": 1}",
		"{\n\"schema\": \"loadscope/1\",\n\"version\": \x01}",
	};
	struct snapshot s;
	char err[512];
	json_t *root;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		ck_assert_int_lt(read_text(docs[i], &s, err, sizeof(err)), 0);
		for (const char *c = err; *c; c++)
			ck_assert_msg((unsigned char)*c >= 0x20 && *c != 0x7f,
				      "control character in: %s", err);
	}
	root = fixture_json();
	path_set(root, "processes[0].syscalls.accept.errno", json_pack("{s:i}", "E\nX\033[31m", -1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].syscalls.accept.errno.E?X?[31m should be a "
			 "non-negative integer, not -1");
}
END_TEST

/* The same reader from memory, as the fuzzer calls it. */
START_TEST(test_read_buffer)
{
	struct snapshot s, in;
	char err[256], *text;

	fixture_snapshot(&in);
	text = write_to_string(&in);
	ck_assert_int_eq(snapshot_read_json_buffer(text, strlen(text), "mem", &s, err, sizeof(err)),
			 0);
	assert_snapshots_equal(&in, &s);
	snapshot_free(&s);
	/* not NUL-terminated: only len bytes are read */
	ck_assert_int_eq(snapshot_read_json_buffer(text, 20, "mem", &s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(!strncmp(err, "mem:", 4) && strstr(err, "invalid JSON"), "got: %s", err);
	ck_assert_int_eq(snapshot_read_json_buffer(text, 0, "mem", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "mem: empty file: not a loadscope run");
	snapshot_free(&in);
	free(text);
}
END_TEST

/* How each process was selected, its cgroup, the selectors and the per-cgroup totals. */
START_TEST(test_written_selection)
{
	json_t *root = fixture_json(), *g;

	ck_assert_str_eq(json_string_value(path_get(root, "processes[0].selected_by")), "pid");
	ck_assert_str_eq(json_string_value(path_get(root, "processes[0].cgroup")),
			 "/system.slice/app.service");
	ck_assert_str_eq(json_string_value(path_get(root, "processes[1].selected_by")),
			 "descendant");
	ck_assert_str_eq(json_string_value(path_get(root, "targets.comms[0]")), "node");
	ck_assert_str_eq(json_string_value(path_get(root, "targets.cgroups[0]")),
			 "/system.slice/app.service");
	ck_assert_str_eq(json_string_value(path_get(root, "targets.containers[0].id")),
			 FIXTURE_CONTAINER_ID);
	ck_assert_int_eq(json_integer_value(path_get(root, "drops.attach_threads")), 0);
	/* by path: the service, then its worker's cgroup below it */
	ck_assert_uint_eq(json_array_size(path_get(root, "cgroups")), 2);
	g = path_get(root, "cgroups[0]");
	ck_assert_str_eq(json_string_value(json_object_get(g, "path")), "/system.slice/app.service");
	ck_assert_int_eq(json_integer_value(json_object_get(g, "cpu_ns")), 2000000000LL);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "runq_wait_ns")), 40500000);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "voluntary_switches")), 2300);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "involuntary_switches")), 500);
	/* 40 accepts, 110 reads, 20 writes, 50 polls, 3 other */
	ck_assert_int_eq(json_integer_value(json_object_get(g, "syscalls")), 223);
	ck_assert_int_eq(json_integer_value(path_get(root, "cgroups[0].processes[0]")), 4211);
	ck_assert_str_eq(json_string_value(path_get(root, "cgroups[1].path")),
			 "/system.slice/app.service/worker");
	ck_assert_int_eq(json_integer_value(path_get(root, "cgroups[1].cpu_ns")), 10000000);
	json_decref(root);
}
END_TEST

START_TEST(test_selection_fields_required)
{
	static const char *const fields[] = {
		"targets.comms",	 "targets.cgroups",	"targets.containers",
		"targets.containers[0].cgroup", "processes[1].selected_by", "processes[0].cgroup",
		"drops.attach_threads",	 "cgroups",		"cgroups[1].path",
		"cgroups[0].syscalls",	 "cgroups[0].processes",
	};
	char expected[128];
	json_t *root;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		root = fixture_json();
		path_set(root, fields[i], NULL);
		snprintf(expected, sizeof(expected), "missing field %s", fields[i]);
		ck_assert_str_eq(read_expect_error(root, -EINVAL), expected);
	}
	root = fixture_json();
	path_set(root, "processes[0].selected_by", json_string("magic"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field processes[0].selected_by should be one of pid, command, descendant, "
			 "comm, cgroup, container, unknown, not a string");
	root = fixture_json();
	json_array_set_new(path_get(root, "targets.comms"), 0, json_string("a-name-too-long-x"));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field targets.comms[0] should be a string of at most 15 characters, not a "
			 "string");
	root = fixture_json();
	json_array_set_new(path_get(root, "cgroups[0].processes"), 0, json_integer(0));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cgroups[0].processes[0] should be a pid (an integer from 1 to "
			 "4194304), not 0");
	root = fixture_json();
	path_set(root, "cgroups[0].cpu_ns", json_integer(-1));
	ck_assert_str_eq(read_expect_error(root, -EINVAL),
			 "field cgroups[0].cpu_ns should be a non-negative integer, not -1");
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("write");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_edge_values);
	tcase_add_test(tc, test_written_document);
	tcase_add_test(tc, test_written_edge_cases);
	tcase_add_test(tc, test_written_selection);
	tcase_add_test(tc, test_written_budget);
	tcase_add_test(tc, test_budget_unknown_or_unreadable);
	tcase_add_test(tc, test_interval_budgets);
	tcase_add_test(tc, test_reader_recomputes_and_sorts);
	tcase_add_test(tc, test_cpu_split_and_kinds);
	tcase_add_test(tc, test_light_mode);
	tcase_add_test(tc, test_cpu_limits_round_trip);
	tcase_add_test(tc, test_cpu_limits_written);
	tcase_add_test(tc, test_cpu_limits_older_run);
	tcase_add_test(tc, test_read_stdin);
	tcase_add_test(tc, test_unknown_fields_are_ignored);
	tcase_add_test(tc, test_read_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	/* Every prefix and 2000 mutations of the document: generous under valgrind or ASan. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_syntax_errors_give_line_and_column);
	tcase_add_test(tc, test_every_truncation_fails_cleanly);
	tcase_add_test(tc, test_corrupted_bytes_never_crash);
	tcase_add_test(tc, test_not_a_loadscope_run);
	tcase_add_test(tc, test_newer_version);
	tcase_add_test(tc, test_missing_fields);
	tcase_add_test(tc, test_selection_fields_required);
	tcase_add_test(tc, test_wrong_types_and_ranges);
	tcase_add_test(tc, test_cpu_limits_rejected);
	tcase_add_test(tc, test_bad_histograms);
	tcase_add_test(tc, test_bad_budgets);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_huge_arrays);
	tcase_add_test(tc, test_small_error_buffer);
	tcase_add_test(tc, test_messages_stay_one_line);
	suite_add_tcase(s, tc);
	return s;
}
