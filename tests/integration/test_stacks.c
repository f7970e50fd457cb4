/*
 * Integration tests on the servers users run: a Node cluster, one Node process, Bun with
 * reusePort and Go's net/http (tools/demo/stacks/), each under wrk on the same 2 CPUs, observed
 * by loadscope. What the analysis must say of each, and what it must not.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "suites.h"

#define STACK_WORKERS 2
#define STACK_SECONDS "3s"
#define STACK_READY_S 20.0 /* Bun and Node start in well under a second; a busy host is slower */
/* A state of the serving threads a runtime's parked helpers must not put there: 5% at most. */
#define STACK_LOCK_MAX 0.05
/* Under load on 2 CPUs shared with wrk, the serving threads wait for a CPU at least this much. */
#define STACK_RUNQ_MIN 0.30

struct stack {
	const char *name;
	pid_t pids[STACK_WORKERS]; /* the servers loadscope observes (Node's primary, each Bun) */
	pid_t spawned[STACK_WORKERS];
	size_t n;
};

/* Where make builds the stacks (build/stacks: bun, go-json); LOADSCOPE_STACKS elsewhere. */
static const char *stacks_dir(void)
{
	const char *dir = getenv("LOADSCOPE_STACKS");

	return dir && *dir ? dir : "build/stacks";
}

/* The test guests of make test-kernels carry no Node, Bun or Go: there these tests say so. */
static bool skipped_in_guest(void)
{
	if (!getenv("LOADSCOPE_GUEST"))
		return false;
	printf("SKIP: stacks: the test guests have no Node.js, Bun or Go; the host runs these\n");
	return true;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void stack_start(struct stack *st, const char *name, int port)
{
	const char *dir = ls_tmpdir();
	char port_arg[16], workers[8], out[64], bun[512], go[512];
	const char *argv[5] = {NULL};

	memset(st, 0, sizeof(*st));
	st->name = name;
	snprintf(port_arg, sizeof(port_arg), "%d", port);
	snprintf(workers, sizeof(workers), "%d", STACK_WORKERS);
	snprintf(bun, sizeof(bun), "%s/bun", stacks_dir());
	snprintf(go, sizeof(go), "%s/go-json", stacks_dir());
	ck_assert_msg(access(bun, X_OK) == 0 && access(go, X_OK) == 0,
		      "%s and %s are missing: make test builds them (make build/stacks/.ok)", bun,
		      go);
	for (size_t i = 0; i < (strcmp(name, "bun") ? 1 : STACK_WORKERS); i++) {
		if (!strcmp(name, "node-cluster")) {
			argv[0] = "node";
			argv[1] = "tools/demo/stacks/node-cluster.js";
			argv[2] = port_arg;
			argv[3] = workers;
		} else if (!strcmp(name, "node-single")) {
			argv[0] = "node";
			argv[1] = "tools/demo/stacks/node-single.js";
			argv[2] = port_arg;
		} else if (!strcmp(name, "bun")) {
			argv[0] = bun;
			argv[1] = "tools/demo/stacks/bun-server.js";
			argv[2] = port_arg;
		} else {
			argv[0] = go;
			argv[1] = port_arg;
		}
		snprintf(out, sizeof(out), "%s.%zu.out", name, i);
		st->pids[i] = ls_spawn_ready(argv, ls_path(dir, out), STACK_READY_S,
					     &st->spawned[i], NULL);
		st->n++;
	}
}

static void stack_stop(struct stack *st)
{
	for (size_t i = 0; i < st->n; i++)
		kill(st->spawned[i], SIGTERM);
	for (size_t i = 0; i < st->n; i++)
		ck_assert_msg(ls_wait(st->spawned[i], 10, NULL) >= 0, "%s did not stop", st->name);
}

/* loadscope -p SERVERS -- wrk ...: the report, checked for consistency. */
static json_t *observe(const char *name, int wrk_threads, bool close)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	uint32_t baseline = ls_bpf_max_prog_id();
	char pids[64] = "", url[64], threads[8];
	int port = free_port();
	struct ls_result r;
	struct stack st;
	struct ls_args a;
	json_t *report;

	stack_start(&st, name, port);
	for (size_t i = 0; i < st.n; i++)
		snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), "%s%d", i ? "," : "",
			 st.pids[i]);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/json", port);
	snprintf(threads, sizeof(threads), "-t%d", wrk_threads);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-p", pids, "-o", out, "--", "wrk", threads, close ? "-c50" : "-c200",
		    "-d" STACK_SECONDS, NULL);
	if (close)
		ls_args_add(&a, "-H", "Connection: close", NULL);
	ls_args_add(&a, url, NULL);
	ls_run(a.argv, 60, &r);
	stack_stop(&st);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "requests in"), "wrk did not run: %s", r.out);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	if (ls_verbose())
		printf("# %s %s: %s\n", name, close ? "close" : "keep-alive", r.out);
	ls_result_free(&r);
	return report;
}

static const json_t *finding(const json_t *report, const char *id)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(report, "findings"), i,
			   f) if (!strcmp(ls_str(f, "id"), id)) return f;
	return NULL;
}

static const char *bottleneck(const json_t *report)
{
	return ls_str(json_object_get(report, "bottleneck"), "kind");
}

static const char *first_finding(const json_t *report)
{
	const json_t *f = json_array_get(json_object_get(report, "findings"), 0);

	return f ? ls_str(f, "id") : "(none)";
}

static double share(const json_t *states, const char *state)
{
	int64_t total = 0;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)states, key, v) total += json_integer_value(v);
	return total ? (double)ls_int(states, state) / (double)total : 0;
}

/* No process's serving threads, nor its helpers, show lock time: their futex waits are parking. */
static void assert_no_lock_from_parking(const json_t *report, const char *name)
{
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(report, "processes"), i, p)
	{
		double serving = share(json_object_get(p, "states"), "lock_ns");
		double helpers = share(json_object_get(p, "helper_states"), "lock_ns");

		ck_assert_msg(serving <= STACK_LOCK_MAX && helpers <= STACK_LOCK_MAX,
			      "%s %lld: lock %.3f of its serving threads' time, %.3f of its "
			      "helpers'",
			      name, (long long)ls_int(p, "pid"), serving, helpers);
	}
}

/* Bun, 2 reusePort processes, keep-alive: event loops starved of CPU, helpers only parked. */
START_TEST(test_bun_keepalive)
{
	json_t *report, *p;
	size_t i;

	if (skipped_in_guest())
		return;
	report = observe("bun", 2, false);
	ck_assert_str_eq(bottleneck(report), "cpu");
	ck_assert_msg(finding(report, "cpu_oversubscription") || finding(report, "cpu_saturated"),
		      "no cpu_oversubscription, no cpu_saturated; first: %s",
		      first_finding(report));
	json_array_foreach(json_object_get(report, "processes"), i, p)
	{
		double runq = share(json_object_get(p, "states"), "runnable_ns");

		ck_assert_msg(runq >= STACK_RUNQ_MIN,
			      "bun %lld: its serving threads waited for a CPU %.3f of their time",
			      (long long)ls_int(p, "pid"), runq);
	}
	assert_no_lock_from_parking(report, "bun");
	ck_assert_msg(!finding(report, "handoff"), "a handoff finding on SO_REUSEPORT servers");
	ck_assert_msg(!finding(report, "single_thread_saturated"),
		      "single_thread_saturated on two event loops sharing two CPUs with wrk");
	json_decref(report);
}
END_TEST

/* A Node cluster of 2, keep-alive: the workers wait for the CPUs; 201 handoffs do not matter. */
START_TEST(test_node_cluster_keepalive)
{
	json_t *report;

	if (skipped_in_guest())
		return;
	report = observe("node-cluster", 2, false);
	ck_assert_str_eq(bottleneck(report), "cpu");
	ck_assert_msg(finding(report, "cpu_oversubscription"), "no cpu_oversubscription; first: %s",
		      first_finding(report));
	ck_assert_msg(strcmp(first_finding(report), "handoff"),
		      "handoff is the first finding of a keep-alive run");
	assert_no_lock_from_parking(report, "node");
	json_decref(report);
}
END_TEST

/* A Node cluster of 2, Connection: close: the primary's handoff of every connection. */
START_TEST(test_node_cluster_close)
{
	const json_t *h, *ev;
	json_t *report;

	if (skipped_in_guest())
		return;
	report = observe("node-cluster", 2, true);
	ck_assert_msg(!strcmp(bottleneck(report), "dispatcher") ||
			      !strcmp(bottleneck(report), "cpu"),
		      "bottleneck %s", bottleneck(report));
	h = finding(report, "handoff");
	ck_assert_msg(h, "no handoff finding; first: %s", first_finding(report));
	ck_assert_str_ne(ls_str(h, "severity"), "info");
	ev = json_object_get(h, "evidence");
	ck_assert_msg(
		json_is_number(json_object_get(ev, "cpu_share")) &&
			json_is_number(json_object_get(ev, "syscalls_per_connection")),
		"the handoff finding does not give the primary's CPU and cost per connection");
	ck_assert_msg(strstr(ls_str(h, "text"), "% of a CPU"), "%s", ls_str(h, "text"));
	json_decref(report);
}
END_TEST

/* One Node process, Connection: close, wrk on the other CPU: the single-threaded wall. */
START_TEST(test_node_single_close)
{
	json_t *report;

	if (skipped_in_guest())
		return;
	report = observe("node-single", 1, true);
	ck_assert_str_eq(bottleneck(report), "single_thread");
	ck_assert_msg(finding(report, "single_thread_saturated"),
		      "no single_thread_saturated; first: %s", first_finding(report));
	ck_assert_msg(!finding(report, "handoff"), "a handoff finding on one process");
	json_decref(report);
}
END_TEST

/* Go's net/http, keep-alive: idle Ms park in futex, which is no lock contention. */
START_TEST(test_go_keepalive)
{
	json_t *report;

	if (skipped_in_guest())
		return;
	report = observe("go", 2, false);
	ck_assert_str_eq(bottleneck(report), "cpu");
	assert_no_lock_from_parking(report, "go-json");
	ck_assert_msg(!finding(report, "handoff"), "a handoff finding on one Go process");
	json_decref(report);
}
END_TEST

Suite *ls_stacks_suite(void)
{
	Suite *s = suite_create("stacks");
	TCase *tc = tcase_create("servers");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_bun_keepalive);
	tcase_add_test(tc, test_node_cluster_keepalive);
	tcase_add_test(tc, test_node_cluster_close);
	tcase_add_test(tc, test_node_single_close);
	tcase_add_test(tc, test_go_keepalive);
	suite_add_tcase(s, tc);
	return s;
}
