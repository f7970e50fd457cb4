/*
 * Integration tests: `loadscope serve` scraped by a real Prometheus (Debian's, 1 s scrape
 * interval, storage in the test's directory). Workloads of known CPU run in a test cgroup while
 * it runs; Prometheus' HTTP API (answers parsed with jansson) must give back the workloads'
 * schedstat CPU through increase() within 5%, a run-queue quantile in the bucket of a
 * single-bucket workload's mean wait, and no counter reset across a process that exits and one
 * that starts mid-run. promtool checks a scrape. Slow and malformed clients must not hold up a
 * scrape, and a busy or unusable port fails at start with one line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"
#include "suites.h"

#define CPU_TOLERANCE                                                                              \
	0.05		   /* increase() against the workloads' schedstat CPU, as the issue asks   \
			    */
#define READY_TIMEOUT_S 30 /* serve attached and answering, Prometheus ready, on a loaded CI */
#define SERVE_INTERVAL	"0.5" /* serve's collections: a scrape lags at most this behind */
#define SETTLE_S	3.0   /* after the last workload: its final collection and 2+ scrapes */
#define SLOW_CLIENTS	4     /* slowloris connections held open during the scrapes */
#define SCRAPE_BUDGET_S 2.0   /* a scrape with those open answers well within this */

/*
 * DIR/NAME (DIR itself without a name) in memory of its own, unlike ls_path's rotating buffer:
 * a test here holds many paths at once. Freed with the forked test.
 */
static const char *tpath(const char *dir, const char *name)
{
	char *p = NULL;

	ck_assert_int_ge(name ? asprintf(&p, "%s/%s", dir, name) : asprintf(&p, "%s", dir), 0);
	return p;
}

/*
 * The test guests of make test-kernels carry curl but no Prometheus (a large Go program, slow
 * under emulation): there the parts that need it say so; the host runs them.
 */
static bool without_prometheus(const char *what)
{
	if (!getenv("LOADSCOPE_GUEST"))
		return false;
	printf("SKIP: serve: %s: the test guests have no Prometheus; the host runs it\n", what);
	fflush(stdout);
	return true;
}

/* Wall-clock time, as Prometheus stamps its samples. */
static double now_unix_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A port free now on 127.0.0.1 (the kernel's choice). */
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

/* GET url with curl into a file; returns the HTTP status (0 when there was no answer). */
static int http_get(const char *url, const char *accept, const char *out_path, double timeout_s)
{
	char header[128], max_time[32];
	struct ls_result r;
	int status = 0;

	snprintf(header, sizeof(header), "Accept: %s", accept ? accept : "*/*");
	snprintf(max_time, sizeof(max_time), "%.1f", timeout_s);
	const char *argv[] = {"curl", "-sS",	"--max-time", max_time,	      "-H", header,
			      "-o",   out_path, "-w",	      "%{http_code}", url,  NULL};
	ls_run(argv, timeout_s + 5, &r);
	if (r.status == 0 && r.out)
		status = atoi(r.out);
	ls_result_free(&r);
	return status;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	ck_assert_int_ne(getdelim(&buf, &len, '\0', f), -1);
	fclose(f);
	return buf;
}

/* An instant query of Prometheus' HTTP API at time t (0: now); its data.result array. */
static json_t *prom_query(int port, const char *query, double t, json_t **root_out)
{
	char url[128], q[6000], at[64];
	struct ls_result r;
	json_error_t e;
	json_t *root, *data;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/query", port);
	snprintf(q, sizeof(q), "query=%s", query);
	snprintf(at, sizeof(at), "time=%.3f", t > 0 ? t : now_unix_s());
	const char *argv[] = {"curl",
			      "-sS",
			      "--max-time",
			      "10",
			      "--get",
			      "--data-urlencode",
			      q,
			      "--data-urlencode",
			      at,
			      url,
			      NULL};
	ls_run(argv, 15, &r);
	ck_assert_msg(r.status == 0, "curl %s: %s", url, r.err);
	root = json_loads(r.out, 0, &e);
	ck_assert_msg(root, "Prometheus answered %s to %s: %s", r.out, query, e.text);
	ck_assert_msg(!strcmp(ls_str(root, "status"), "success"), "query %s: %s", query, r.out);
	ls_result_free(&r);
	data = json_object_get(root, "data");
	ck_assert_ptr_nonnull(data);
	*root_out = root;
	return json_object_get(data, "result");
}

/* The one scalar value of an instant vector query's single result; NAN when empty. */
static double prom_value(int port, const char *query, double t)
{
	json_t *root, *result = prom_query(port, query, t, &root);
	double v = NAN;

	ck_assert_msg(json_array_size(result) <= 1, "query %s: %zu results", query,
		      json_array_size(result));
	if (json_array_size(result) == 1) {
		json_t *value = json_object_get(json_array_get(result, 0), "value");

		v = strtod(json_string_value(json_array_get(value, 1)), NULL);
	}
	json_decref(root);
	return v;
}

/* Prometheus on a free port scraping target every second, its storage in dir. */
static pid_t prometheus_start(const char *dir, int target_port, int *port)
{
	char config[4096], flag_config[4200], flag_storage[4200], flag_listen[64], url[96];
	FILE *f;
	pid_t pid;
	double deadline;

	*port = free_port();
	snprintf(config, sizeof(config), "%s/prometheus.yml", dir);
	f = fopen(config, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
		"scrape_configs:\n  - job_name: loadscope\n    static_configs:\n"
		"      - targets: ['127.0.0.1:%d']\n",
		target_port);
	fclose(f);
	snprintf(flag_config, sizeof(flag_config), "--config.file=%s", config);
	snprintf(flag_storage, sizeof(flag_storage), "--storage.tsdb.path=%s/tsdb", dir);
	snprintf(flag_listen, sizeof(flag_listen), "--web.listen-address=127.0.0.1:%d", *port);
	const char *argv[] = {"prometheus", flag_config, flag_storage, flag_listen, NULL};
	pid = ls_spawn(argv, tpath(dir, "prometheus.out"), tpath(dir, "prometheus.err"));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/-/ready", *port);
	for (deadline = ls_now_s() + READY_TIMEOUT_S; ls_now_s() < deadline; ls_sleep_s(0.2))
		if (http_get(url, NULL, "/dev/null", 2) == 200)
			return pid;
	ck_abort_msg("Prometheus not ready after %d s: %s", READY_TIMEOUT_S,
		     ls_file_tail(tpath(dir, "prometheus.err")));
	return -1;
}

/* loadscope serve -c cgroup on a free port, waited for until /metrics answers 200. */
static pid_t serve_start(const char *dir, const char *cgroup, int *port)
{
	char listen[64], url[96];
	struct ls_args a;
	pid_t pid;
	double deadline;

	*port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", *port);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "serve", "-c", cgroup, "--listen", listen, "-i", SERVE_INTERVAL, NULL);
	pid = ls_spawn(a.argv, tpath(dir, "serve.out"), tpath(dir, "serve.err"));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", *port);
	for (deadline = ls_now_s() + READY_TIMEOUT_S; ls_now_s() < deadline; ls_sleep_s(0.2))
		if (http_get(url, NULL, "/dev/null", 2) == 200)
			return pid;
	ck_abort_msg("loadscope serve not answering after %d s: %s", READY_TIMEOUT_S,
		     ls_file_tail(tpath(dir, "serve.err")));
	return -1;
}

/* SIGTERM: it must exit 0 and leave no program loaded. */
static void serve_stop(pid_t pid, const char *dir, uint32_t baseline)
{
	int status;

	kill(pid, SIGTERM);
	status = ls_wait(pid, 15, NULL);
	ck_assert_msg(status == 0, "loadscope serve exited %d after SIGTERM: %s", status,
		      ls_file_tail(tpath(dir, "serve.err")));
	ls_assert_no_progs(baseline);
}

/* A workload started in the cgroup at dir: a shell moves itself there, then execs it. */
static pid_t spawn_in_cgroup(const char *dir, const char *const argv[], const char *log_dir,
			     const char *name)
{
	char line[8192];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "echo $$ > '%s/cgroup.procs' && exec", dir);
	for (size_t i = 0; argv[i]; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " '%s'", argv[i]);
	const char *sh[] = {"sh", "-c", line, NULL};
	return ls_spawn(sh, NULL, tpath(log_dir, name));
}

static void wait_ok(pid_t pid, double timeout_s, const char *what)
{
	int status = ls_wait(pid, timeout_s, NULL);

	ck_assert_msg(status == 0, "%s exited %d", what, status);
}

/* The sum of the threads' schedstat CPU a busy workload reported. */
static uint64_t busy_cpu_ns(const char *path)
{
	json_t *root = ls_load_json(path), *threads = json_object_get(root, "threads"), *t;
	uint64_t sum = 0;
	size_t i;

	json_array_foreach(threads, i, t) sum += (uint64_t)ls_int(t, "cpu_ns");
	json_decref(root);
	return sum;
}

/*
 * The timestamps of a series' samples in Prometheus at t: the last one before since and the
 * last one of all, so a range can start and end on samples and increase() needs no
 * extrapolation.
 */
static void sample_span(int port, const char *selector, double since, double t, double *first,
			double *last)
{
	char q[5000];
	json_t *root, *result, *values, *v;
	size_t i;

	snprintf(q, sizeof(q), "%s[5m]", selector);
	result = prom_query(port, q, t, &root);
	ck_assert_msg(json_array_size(result) == 1, "%s: %zu series", q, json_array_size(result));
	values = json_object_get(json_array_get(result, 0), "values");
	*first = *last = 0;
	json_array_foreach(values, i, v)
	{
		double ts = json_number_value(json_array_get(v, 0));

		if (ts < since)
			*first = ts;
		*last = ts;
	}
	ck_assert_msg(*first > 0, "%s has no sample before the workloads started", selector);
	json_decref(root);
}

/* The counters of a cgroup's processes (resets() drops the name: one family at a time). */
static const char *const counters[] = {
	"loadscope_cpu_seconds_total",
	"loadscope_runqueue_wait_seconds_bucket",
	"loadscope_runqueue_wait_seconds_count",
	"loadscope_runqueue_wait_seconds_sum",
	"loadscope_context_switches_total",
	"loadscope_migrations_total",
	"loadscope_wakeups_total",
	"loadscope_thread_state_seconds_total",
	"loadscope_processes_over_cap_total",
};

START_TEST(test_serve_against_prometheus)
{
	if (without_prometheus("queries of a real Prometheus"))
		return;
	uint32_t baseline = ls_bpf_max_prog_id();
	const char *dir = tpath(ls_tmpdir(), NULL);
	char cgdir[4096], rel[4096], sel[4600], q[5200];
	int serve_port, prom_port;
	pid_t serve, prom, a, b, w;
	double t0, first, last, cpu_s, resets, quantile, mean_ns, lo_s, hi_s;
	uint64_t oracle_ns;
	json_t *rq;

	snprintf(cgdir, sizeof(cgdir), "%s", ls_cgroup_make("serve"));
	snprintf(rel, sizeof(rel), "%s", ls_cgroup_rel("serve"));
	serve = serve_start(dir, rel, &serve_port);
	prom = prometheus_start(dir, serve_port, &prom_port);

	/* a first short run gives the busy series a sample before the measured ones start */
	const char *warm[] = {ls_workload("busy"), tpath(dir, "warm.json"), "1", "0.05", NULL};
	wait_ok(spawn_in_cgroup(cgdir, warm, dir, "warm.err"), 30, "busy (warm-up)");
	snprintf(sel, sizeof(sel), "loadscope_cpu_seconds_total{cgroup=\"%s\",process=\"busy\"}",
		 rel);
	for (double deadline = ls_now_s() + READY_TIMEOUT_S;; ls_sleep_s(0.5)) {
		if (!isnan(prom_value(prom_port, sel, 0)))
			break;
		ck_assert_msg(ls_now_s() < deadline, "Prometheus never saw %s", sel);
	}
	ls_sleep_s(2.5);

	/* a process that exits, one that starts while it runs, then the single-bucket waits */
	t0 = now_unix_s();
	const char *busy_a[] = {ls_workload("busy"), tpath(dir, "a.json"), "2", "1.5", NULL};
	const char *busy_b[] = {ls_workload("busy"), tpath(dir, "b.json"), "1", "1", NULL};
	const char *rqwait[] = {ls_workload("rqwait"), tpath(dir, "rq.json"), "300", "3", NULL};
	a = spawn_in_cgroup(cgdir, busy_a, dir, "a.err");
	ls_sleep_s(0.7);
	b = spawn_in_cgroup(cgdir, busy_b, dir, "b.err");
	wait_ok(a, 60, "busy a");
	wait_ok(b, 60, "busy b");
	w = spawn_in_cgroup(cgdir, rqwait, dir, "rq.err");
	wait_ok(w, 60, "rqwait");
	ls_sleep_s(SETTLE_S);

	sample_span(prom_port, sel, t0, now_unix_s(), &first, &last);
	/* the range from the last sample before the workloads to the last one: no extrapolation */
	snprintf(q, sizeof(q), "sum(increase(%s[%.0fms]))", sel, (last - first) * 1000);
	cpu_s = prom_value(prom_port, q, last);
	oracle_ns = busy_cpu_ns(tpath(dir, "a.json")) + busy_cpu_ns(tpath(dir, "b.json"));
	if (ls_verbose())
		printf("serve: increase() %.6f s, schedstat %.6f s\n", cpu_s, oracle_ns / 1e9);
	ck_assert_msg(fabs(cpu_s * 1e9 - (double)oracle_ns) <= CPU_TOLERANCE * (double)oracle_ns,
		      "%s = %.6f s, the workloads' schedstat CPU %.6f s (tolerance %.0f%%)", q,
		      cpu_s, oracle_ns / 1e9, CPU_TOLERANCE * 100);

	/* no counter of the cgroup went backwards: not at the exit, not at the new process */
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(q, sizeof(q), "sum(resets(%s{cgroup=\"%s\"}[%.0fms]))", counters[i], rel,
			 (last - first) * 1000);
		resets = prom_value(prom_port, q, last);
		/* and the test can fail: the series it looks at are there */
		ck_assert_msg(!isnan(resets), "%s: no series", q);
		ck_assert_msg(resets == 0, "%s = %g", q, resets);
	}

	/* the median of the single-bucket waits lies in the bucket of their schedstat mean */
	rq = ls_load_json(tpath(dir, "rq.json"));
	mean_ns = json_number_value(json_object_get(rq, "mean_wait_ns"));
	json_decref(rq);
	lo_s = ldexp(1.0, (int)floor(log2(mean_ns))) / 1e9;
	hi_s = 2 * lo_s;
	snprintf(q, sizeof(q),
		 "histogram_quantile(0.5, sum by (le) (loadscope_runqueue_wait_seconds_bucket{"
		 "cgroup=\"%s\",process=\"rqwait\"}))",
		 rel);
	quantile = prom_value(prom_port, q, last);
	if (ls_verbose())
		printf("serve: run-queue median %.6f s, schedstat mean %.6f s, bucket [%.6f, "
		       "%.6f]\n",
		       quantile, mean_ns / 1e9, lo_s, hi_s);
	ck_assert_msg(quantile >= lo_s && quantile <= hi_s,
		      "%s = %.6f s, outside [%.6f, %.6f] s, the bucket of the mean wait %.6f s", q,
		      quantile, lo_s, hi_s, mean_ns / 1e9);

	kill(prom, SIGTERM);
	ls_wait(prom, 20, NULL);
	serve_stop(serve, dir, baseline);
}
END_TEST

/* promtool accepts a scrape; OpenMetrics is served when asked for and ends in # EOF. */
START_TEST(test_serve_exposition_formats)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	const char *dir = tpath(ls_tmpdir(), NULL);
	char cgdir[4096], rel[4096], url[96], line[4400];
	const char *scrape = tpath(dir, "scrape.txt");
	struct ls_result r;
	int port;
	pid_t serve;
	char *om;
	size_t len;

	snprintf(cgdir, sizeof(cgdir), "%s", ls_cgroup_make("serve-formats"));
	snprintf(rel, sizeof(rel), "%s", ls_cgroup_rel("serve-formats"));
	serve = serve_start(dir, rel, &port);
	const char *busy[] = {ls_workload("busy"), tpath(dir, "busy.json"), "1", "0.2", NULL};
	wait_ok(spawn_in_cgroup(cgdir, busy, dir, "busy.err"), 30, "busy");
	ls_sleep_s(1.5);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	ck_assert_int_eq(http_get(url, NULL, scrape, 5), 200);
	if (!without_prometheus("promtool check metrics")) {
		snprintf(line, sizeof(line), "promtool check metrics < '%s'", scrape);
		const char *check[] = {"sh", "-c", line, NULL};
		ls_run(check, 30, &r);
		ck_assert_msg(r.status == 0, "promtool check metrics: %s%s", r.out, r.err);
		ls_result_free(&r);
	}
	om = read_file(scrape);
	ck_assert_msg(strstr(om, "process=\"busy\""), "no busy series in the scrape");
	ck_assert_ptr_null(strstr(om, "# EOF"));
	free(om);
	ck_assert_int_eq(http_get(url,
				  "application/openmetrics-text;version=1.0.0,text/plain;"
				  "version=0.0.4;q=0.5",
				  scrape, 5),
			 200);
	om = read_file(scrape);
	len = strlen(om);
	ck_assert_msg(len > 6 && !strcmp(om + len - 6, "# EOF\n"), "OpenMetrics without # EOF");
	ck_assert_ptr_nonnull(strstr(om, "# TYPE loadscope_cpu_seconds counter\n"));
	free(om);
	serve_stop(serve, dir, baseline);
}
END_TEST

static int connect_port(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(!connect(fd, (struct sockaddr *)&a, sizeof(a)), "connect: %s",
		      strerror(errno));
	return fd;
}

/* What the server sends back within timeout_s, NUL-terminated; "" when it closes silently. */
static void read_answer(int fd, char *buf, size_t len, double timeout_s)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t n = 0;
	ssize_t got;

	while (n + 1 < len && poll(&p, 1, (int)(timeout_s * 1000)) == 1) {
		got = read(fd, buf + n, len - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
}

START_TEST(test_serve_slow_and_malformed_clients)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	const char *dir = tpath(ls_tmpdir(), NULL);
	char cgdir[4096], rel[4096], url[96], answer[4096], *big, *body;
	int port, slow[SLOW_CLIENTS], fd;
	double start, took;
	pid_t serve;

	snprintf(cgdir, sizeof(cgdir), "%s", ls_cgroup_make("serve-clients"));
	snprintf(rel, sizeof(rel), "%s", ls_cgroup_rel("serve-clients"));
	serve = serve_start(dir, rel, &port);
	/* slowloris: request lines begun and never finished */
	for (int i = 0; i < SLOW_CLIENTS; i++) {
		slow[i] = connect_port(port);
		ck_assert_int_gt(write(slow[i], "GET /metrics HTTP/1.1\r\nHost: x\r\nX-a: ", 37),
				 0);
	}
	/* a malformed request gets an error, not a hang */
	fd = connect_port(port);
	ck_assert_int_gt(write(fd, "\x01\x02 nonsense\r\n\r\n", 15), 0);
	read_answer(fd, answer, sizeof(answer), 5);
	ck_assert_msg(!answer[0] || !strncmp(answer, "HTTP/1.1 4", 10),
		      "malformed request answered: %.80s", answer);
	close(fd);
	/* headers beyond the memory limit: refused */
	big = malloc(128 * 1024);
	memset(big, 'a', 128 * 1024);
	memcpy(big, "GET /metrics HTTP/1.1\r\nX-big: ", 30);
	fd = connect_port(port);
	ck_assert_int_gt(write(fd, big, 128 * 1024), 0);
	read_answer(fd, answer, sizeof(answer), 5);
	ck_assert_msg(!answer[0] || !strncmp(answer, "HTTP/1.1 4", 10),
		      "oversized request answered: %.80s", answer);
	close(fd);
	free(big);

	/* with all of that going on, scrapes answer at once and the collection goes on */
	const char *busy[] = {ls_workload("busy"), tpath(dir, "busy.json"), "1", "0.3", NULL};
	wait_ok(spawn_in_cgroup(cgdir, busy, dir, "busy.err"), 30, "busy");
	ls_sleep_s(1.5);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	start = ls_now_s();
	ck_assert_int_eq(http_get(url, NULL, tpath(dir, "m.txt"), SCRAPE_BUDGET_S), 200);
	took = ls_now_s() - start;
	ck_assert_msg(took < SCRAPE_BUDGET_S, "a scrape took %.2f s with slow clients open", took);
	body = read_file(tpath(dir, "m.txt"));
	ck_assert_msg(strstr(body, "process=\"busy\",mode=\"all\"}"),
		      "the busy workload that ran during the slow clients is not in the scrape");
	free(body);
	/* only GET of / and /metrics */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	ck_assert_int_eq(http_get(url, NULL, tpath(dir, "index.html"), 5), 200);
	body = read_file(tpath(dir, "index.html"));
	ck_assert_ptr_nonnull(strstr(body, "<a href=\"/metrics\">"));
	ck_assert_ptr_nonnull(strstr(body, rel));
	free(body);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/nothing", port);
	ck_assert_int_eq(http_get(url, NULL, "/dev/null", 5), 404);
	{
		struct ls_result r;
		char metrics[96];

		snprintf(metrics, sizeof(metrics), "http://127.0.0.1:%d/metrics", port);
		const char *post[] = {"curl", "-sS",  "-o", "/dev/null", "-w",	  "%{http_code}",
				      "-X",   "POST", "-d", "x",	 metrics, NULL};
		ls_run(post, 10, &r);
		ck_assert_msg(r.out && atoi(r.out) == 405, "POST /metrics: %s", r.out);
		ls_result_free(&r);
	}
	for (int i = 0; i < SLOW_CLIENTS; i++)
		close(slow[i]);
	serve_stop(serve, dir, baseline);
}
END_TEST

/* A busy port, an address not on this host and a malformed one: one line each, nothing loaded. */
START_TEST(test_serve_bad_listen)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	char listen_arg[64];
	struct ls_result r;
	struct ls_args a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%d", ntohs(sa.sin_port));
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "serve", "-p", "1", "--listen", listen_arg, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "cannot listen on") && strstr(r.err, "Address already in use"),
		      "stderr: %s", r.err);
	ck_assert_msg(strchr(r.err, '\n') == r.err + strlen(r.err) - 1, "more than a line: %s",
		      r.err);
	ls_result_free(&r);
	close(fd);

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "serve", "-p", "1", "--listen", "192.0.2.1:9477", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "Cannot assign requested address"), "stderr: %s", r.err);
	ls_result_free(&r);

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "serve", "-p", "1", "--listen", "localhost", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "--listen must be ADDR:PORT"), "stderr: %s", r.err);
	ls_result_free(&r);

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "serve", NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "no targets"), "stderr: %s", r.err);
	ls_result_free(&r);
	ls_assert_no_progs(baseline);
}
END_TEST

/*
 * --all-containers: a cgroup named as Docker names a container, made after serve started, is
 * found and labelled with its ID; once removed, its series are no longer exported.
 */
START_TEST(test_serve_all_containers)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	const char *dir = tpath(ls_tmpdir(), NULL),
		   *id = "5e71ce5e0000111122223333444455556666777788889999aaaabbbbccccdddd";
	char name[128], cgdir[4096], listen_arg[64], url[96], want[256], *body;
	struct ls_args a;
	double deadline;
	int port = free_port();
	uint64_t oracle_ns;
	pid_t serve;

	snprintf(listen_arg, sizeof(listen_arg), "127.0.0.1:%d", port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "serve", "--all-containers", "--listen", listen_arg, "-i", SERVE_INTERVAL,
		    NULL);
	serve = ls_spawn(a.argv, tpath(dir, "serve.out"), tpath(dir, "serve.err"));
	for (deadline = ls_now_s() + READY_TIMEOUT_S;; ls_sleep_s(0.2)) {
		if (http_get(url, NULL, "/dev/null", 2) == 200)
			break;
		ck_assert_msg(ls_now_s() < deadline, "serve --all-containers not answering: %s",
			      ls_file_tail(tpath(dir, "serve.err")));
	}
	snprintf(name, sizeof(name), "docker-%s.scope", id);
	snprintf(cgdir, sizeof(cgdir), "%s", ls_cgroup_make(name));
	const char *busy[] = {ls_workload("busy"), tpath(dir, "busy.json"), "1", "1.5", NULL};
	wait_ok(spawn_in_cgroup(cgdir, busy, dir, "busy.err"), 30, "busy");
	ls_sleep_s(1.5);
	ck_assert_int_eq(http_get(url, NULL, tpath(dir, "m.txt"), 5), 200);
	body = read_file(tpath(dir, "m.txt"));
	snprintf(want, sizeof(want), "container_id=\"%s\",process=\"busy\",mode=\"all\"} ", id);
	ck_assert_msg(strstr(body, want), "no series %s in the scrape", want);
	/* found within an interval of its start: most of its CPU, never more */
	oracle_ns = busy_cpu_ns(tpath(dir, "busy.json"));
	{
		double cpu_s = strtod(strstr(body, want) + strlen(want), NULL);

		ck_assert_msg(cpu_s * 1e9 > 0.5 * (double)oracle_ns &&
				      cpu_s * 1e9 < 1.05 * (double)oracle_ns + 5e6,
			      "container CPU %.6f s, schedstat %.6f s", cpu_s, oracle_ns / 1e9);
	}
	free(body);
	ck_assert_msg(!rmdir(cgdir), "rmdir %s: %s", cgdir, strerror(errno));
	ls_sleep_s(1.5);
	ck_assert_int_eq(http_get(url, NULL, tpath(dir, "m2.txt"), 5), 200);
	body = read_file(tpath(dir, "m2.txt"));
	ck_assert_msg(!strstr(body, id), "the removed container is still exported");
	free(body);
	serve_stop(serve, dir, baseline);
}
END_TEST

/* A run with -i, written as OpenMetrics by report, is accepted by promtool's backfill. */
START_TEST(test_report_openmetrics_backfill)
{
	uint32_t baseline = ls_bpf_max_prog_id();
	const char *dir = tpath(ls_tmpdir(), NULL), *run = tpath(dir, "run.json"),
		   *om = tpath(dir, "run.om");
	struct ls_result r;
	struct ls_args a;
	char *text;

	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--no-syscalls", "-i", "0.3", "-o", run, "--", ls_workload("busy"),
		    tpath(dir, "busy.json"), "1", "1.2", NULL);
	ls_run(a.argv, 60, &r);
	ck_assert_msg(r.status == 0, "loadscope -i: %s", r.err);
	ls_result_free(&r);
	ls_assert_no_progs(baseline);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "report", run, "--openmetrics", om, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_msg(r.status == 0, "report --openmetrics: %s", r.err);
	ls_result_free(&r);
	text = read_file(om);
	ck_assert_ptr_nonnull(strstr(text, "process=\"busy\""));
	free(text);
	if (!without_prometheus("promtool tsdb create-blocks-from openmetrics")) {
		const char *blocks[] = {"promtool",    "tsdb", "create-blocks-from",
					"openmetrics", om,     tpath(dir, "blocks"),
					NULL};
		ls_run(blocks, 60, &r);
		ck_assert_msg(r.status == 0, "promtool tsdb create-blocks-from openmetrics: %s%s",
			      r.out, r.err);
		/* it made a block of the run's series */
		ck_assert_msg(strstr(r.out, "BLOCK ULID"), "promtool made no block: %s", r.out);
		ls_result_free(&r);
	}
	/* a run without intervals cannot be backfilled: one line, no file */
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "--no-syscalls", "-o", run, "--", "true", NULL);
	ls_run(a.argv, 60, &r);
	ck_assert_int_eq(r.status, 0);
	ls_result_free(&r);
	unlink(om);
	ls_args_loadscope(&a, false);
	ls_args_add(&a, "report", run, "--openmetrics", om, NULL);
	ls_run(a.argv, 30, &r);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "no intervals"), "stderr: %s", r.err);
	ck_assert_int_ne(access(om, F_OK), 0);
	ls_result_free(&r);
}
END_TEST

Suite *ls_serve_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("prometheus");

	tcase_set_timeout(tc, LS_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_serve_bad_listen);
	tcase_add_test(tc, test_serve_exposition_formats);
	tcase_add_test(tc, test_serve_slow_and_malformed_clients);
	tcase_add_test(tc, test_serve_against_prometheus);
	tcase_add_test(tc, test_report_openmetrics_backfill);
	tcase_add_test(tc, test_serve_all_containers);
	suite_add_tcase(s, tc);
	return s;
}
