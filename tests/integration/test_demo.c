/* End to end: the demo server under a bounded loopback load, as the demo runs it. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

#define DEMO_WORKERS "2"

/* The server's "ready PID PORT" line, waited for; fails the test if it never comes. */
static pid_t start_server(const char *mode, const char *out, int *port, pid_t *spawned)
{
	const char *argv[] = { ls_workload("demo-server"), "0", mode, DEMO_WORKERS, NULL };

	return ls_spawn_ready(argv, out, 10, spawned, port);
}

/* loadscope -p SERVER -- wrk for 1 s, a new connection per request; returns the report. */
static json_t *observe(const char *mode, pid_t *server)
{
	const char *dir = ls_tmpdir(), *out = ls_path(dir, "out.json");
	uint32_t baseline = ls_bpf_max_prog_id();
	char pid_arg[16], url[64];
	struct ls_result r;
	struct ls_args a;
	pid_t spawned;
	json_t *report;
	int port;

	*server = start_server(mode, ls_path(dir, "server.out"), &port, &spawned);
	snprintf(pid_arg, sizeof(pid_arg), "%d", *server);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/json", port);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "-p", pid_arg, "-o", out, "--", "wrk", "-t1", "-c4", "-d1s", "-H",
		    "Connection: close", url, NULL);
	ls_run(a.argv, 60, &r);
	kill(spawned, SIGTERM);
	ls_wait(spawned, 10, NULL);
	ck_assert_msg(r.status == 0, "loadscope exited %d; stderr: %s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "requests in"), "wrk did not run: %s", r.out);
	ls_assert_no_progs(baseline);
	report = ls_load_json(out);
	ls_check_report(report);
	ls_result_free(&r);
	return report;
}

static int64_t accepted(const json_t *process)
{
	const json_t *acc = json_object_get(json_object_get(process, "syscalls"), "accept");

	return ls_int(acc, "count") - ls_int(acc, "errors");
}

static bool has_finding(const json_t *report, const char *id)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(report, "findings"), i, f)
		if (!strcmp(ls_str(f, "id"), id))
			return true;
	return false;
}

/* A master handing every connection to 2 workers: a dispatcher, and the handoff finding. */
START_TEST(test_handoff)
{
	int64_t sent, received = 0, pairs = 0;
	json_t *report, *master, *p, *h;
	pid_t server;
	size_t i;

	report = observe("handoff", &server);
	master = ls_find_process(report, server);
	ck_assert_msg(master, "the master (pid %d) is not in the report", server);
	ck_assert_str_eq(ls_str(master, "role"), "dispatcher");
	sent = ls_int(master, "handoff_sent");
	ck_assert_int_gt(sent, 0);
	/*
	 * every connection it accepted, it passed on; the accept it was blocked in when observation
	 * began returns a connection too, but a syscall already under way is not counted
	 */
	ck_assert_msg(sent - accepted(master) == 0 || sent - accepted(master) == 1,
		      "the master accepted %lld connections and passed on %lld",
		      (long long)accepted(master), (long long)sent);
	json_array_foreach(json_object_get(report, "processes"), i, p) {
		if (ls_int(p, "pid") == server)
			continue;
		ck_assert_str_eq(ls_str(p, "role"), "worker");
		ck_assert_int_eq(accepted(p), 0);
		received += ls_int(p, "handoff_received");
	}
	ck_assert_int_eq(received, sent);
	json_array_foreach(json_object_get(report, "handoffs"), i, h) {
		ck_assert_int_eq(ls_int(h, "from"), server);
		pairs += ls_int(h, "count");
	}
	ck_assert_int_eq(pairs, sent);
	ck_assert_msg(has_finding(report, "handoff"), "no handoff finding");
	json_decref(report);
}
END_TEST

/* Two SO_REUSEPORT workers: each accepts its own share, nothing is handed off. */
START_TEST(test_reuseport)
{
	json_t *report, *p;
	int64_t workers = 0;
	pid_t server;
	size_t i;

	report = observe("reuseport", &server);
	json_array_foreach(json_object_get(report, "processes"), i, p) {
		ck_assert_int_eq(ls_int(p, "handoff_sent"), 0);
		ck_assert_int_eq(ls_int(p, "handoff_received"), 0);
		if (ls_int(p, "pid") == server)
			continue; /* the parent only waits */
		workers++;
		ck_assert_str_eq(ls_str(p, "role"), "worker");
		ck_assert_msg(accepted(p) > 0, "worker %lld accepted nothing",
			      (long long)ls_int(p, "pid"));
	}
	ck_assert_int_eq(workers, atoi(DEMO_WORKERS));
	ck_assert_int_eq(json_array_size(json_object_get(report, "handoffs")), 0);
	ck_assert_msg(!has_finding(report, "handoff"), "a handoff finding without handoffs");
	json_decref(report);
}
END_TEST

Suite *ls_demo_suite(void)
{
	Suite *s = suite_create("demo");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_handoff);
	tcase_add_test(tc, test_reuseport);
	suite_add_tcase(s, tc);
	return s;
}
