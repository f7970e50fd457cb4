// SPDX-License-Identifier: GPL-2.0
/*
 * loadscope serve: the programs stay attached and the targets' cumulative figures are exported
 * to Prometheus on /metrics until SIGTERM or SIGINT. Every interval the maps are read, each
 * thread's growth is added to its group, exited threads are freed, and the exposition is
 * rendered once for the HTTP thread to hand out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd/commands.h"
#include "cmd/http.h"
#include "core/clock.h"
#include "core/exporter.h"
#include "core/model.h"
#include "core/strutil.h"
#include "observe/export.h"
#include "observe/observer.h"
#include "observe/seed.h"
#include "render/prometheus.h"
#include "targets/cgroup.h"
#include "targets/cpulimit.h"
#include "targets/selectors.h"
#include "targets/targets.h"

#define SERVE_DEFAULT_INTERVAL_S 1.0 /* how stale a scrape can be: Prometheus' fastest usual */

struct serve_options {
	struct selectors sel;
	const char *listen;
	double interval_s;
	unsigned int max_processes;
	unsigned int max_threads;
	bool by_pid;
	bool syscalls;	     /* --syscalls: attach the syscall and connection programs too */
	bool all_containers; /* --all-containers: every container cgroup, as they come and go */
	bool raw_tp;
	bool verbose;
	bool help;
};

enum serve_long_only {
	SOPT_LISTEN = 0x100,
	SOPT_MAX_PROCESSES,
	SOPT_MAX_THREADS,
	SOPT_BY,
	SOPT_RAW_TP,
	SOPT_NO_CHILDREN,
	SOPT_SYSCALLS,
	SOPT_ALL_CONTAINERS,
};

static const struct option serve_long_options[] = {
	{"pid", required_argument, NULL, 'p'},
	{"comm", required_argument, NULL, 'n'},
	{"cgroup", required_argument, NULL, 'c'},
	{"container", required_argument, NULL, 'C'},
	{"no-children", no_argument, NULL, SOPT_NO_CHILDREN},
	{"listen", required_argument, NULL, SOPT_LISTEN},
	{"interval", required_argument, NULL, 'i'},
	{"max-processes", required_argument, NULL, SOPT_MAX_PROCESSES},
	{"max-threads", required_argument, NULL, SOPT_MAX_THREADS},
	{"by", required_argument, NULL, SOPT_BY},
	{"syscalls", no_argument, NULL, SOPT_SYSCALLS},
	{"all-containers", no_argument, NULL, SOPT_ALL_CONTAINERS},
	{"raw-tp", no_argument, NULL, SOPT_RAW_TP},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void serve_usage(FILE *f)
{
	fprintf(f,
		"Usage: loadscope serve [TARGETS] [--listen ADDR:PORT] [OPTIONS]\n"
		"Keep the programs attached and export the targets' figures to Prometheus on\n"
		"GET /metrics (OpenMetrics 1.0.0 when asked for, else text 0.0.4) until SIGTERM\n"
		"or SIGINT. Series are per cgroup and process name; GET / names the targets.\n"
		"\n"
		"Targets (as for a run; -n, -c and -C may be repeated):\n"
		"  -p, --pid PID[,PID...]   these processes and their descendants\n"
		"  -n, --comm NAME          processes named NAME, running or exec'd later\n"
		"  -c, --cgroup PATH        every process in cgroup v2 directory PATH and below\n"
		"  -C, --container ID       the processes of a container: its ID or a 12+ prefix\n"
		"      --no-children        do not follow the descendants of targets\n"
		"      --all-containers     every container's processes (Docker, containerd,\n"
		"                           Kubernetes, CRI-O, Podman cgroup names), containers\n"
		"                           found as they start, each interval\n"
		"Serving:\n"
		"      --listen ADDR:PORT   where to serve (default %s; [::1]:PORT for IPv6)\n"
		"  -i, --interval SECONDS   read the maps every SECONDS (default %.0f): the most "
		"a\n"
		"                           scrape lags behind\n"
		"      --max-processes N    process names per cgroup, the rest as "
		"process=\"other\"\n"
		"                           (default %d)\n"
		"      --by pid             a series per process (a pid label) as well\n"
		"      --syscalls           attach the syscall programs too: syscall classes and\n"
		"                           errors, the user/kernel CPU split, thread states by\n"
		"                           syscall, the accept queue and handoffs. They slow "
		"every\n"
		"                           syscall on the host, so they are off by default\n"
		"Tuning:\n"
		"      --max-threads N      live target threads tracked at once (default %d)\n"
		"      --raw-tp             use raw_tp programs instead of tp_btf\n"
		"  -v, --verbose            show libbpf's messages\n"
		"  -h, --help               this help\n",
		HTTP_DEFAULT_LISTEN, SERVE_DEFAULT_INTERVAL_S, EXPORT_DEFAULT_MAX_PROCESSES,
		DEFAULT_MAX_THREADS);
}

static int serve_parse(int argc, char **argv, struct serve_options *o, char *err, size_t errlen)
{
	char *end;
	long v;
	int c, ret = 0;

	memset(o, 0, sizeof(*o));
	o->sel.children = true;
	o->listen = HTTP_DEFAULT_LISTEN;
	o->interval_s = SERVE_DEFAULT_INTERVAL_S;
	o->max_processes = EXPORT_DEFAULT_MAX_PROCESSES;
	o->max_threads = DEFAULT_MAX_THREADS;
	optind = 0; /* as options_parse: a previous parse forgotten */
	opterr = 0;
	while (!ret &&
	       (c = getopt_long(argc, argv, ":p:n:c:C:i:vh", serve_long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'n':
		case 'c':
		case 'C':
			ret = selectors_option(&o->sel, c, optarg, err, errlen);
			break;
		case SOPT_NO_CHILDREN:
			o->sel.children = false;
			break;
		case SOPT_LISTEN:
			o->listen = optarg;
			break;
		case 'i':
			errno = 0;
			o->interval_s = strtod(optarg, &end);
			if (!*optarg || *end || errno || !isfinite(o->interval_s) ||
			    o->interval_s < 0.1 || o->interval_s > 3600)
				ret = errmsg(err, errlen, -EINVAL,
					     "--interval must be 0.1 to 3600 seconds, got '%s'",
					     optarg);
			break;
		case SOPT_MAX_PROCESSES:
			if (parse_long(optarg, 1, EXPORT_MAX_PROCESSES_LIMIT, &v))
				ret = errmsg(err, errlen, -EINVAL,
					     "--max-processes must be between 1 and %d, got '%s'",
					     EXPORT_MAX_PROCESSES_LIMIT, optarg);
			else
				o->max_processes = (unsigned int)v;
			break;
		case SOPT_MAX_THREADS:
			if (parse_long(optarg, 1, 1 << 22, &v))
				ret = errmsg(err, errlen, -EINVAL,
					     "--max-threads must be between 1 and %d, got '%s'",
					     1 << 22, optarg);
			else
				o->max_threads = (unsigned int)v;
			break;
		case SOPT_BY:
			if (strcmp(optarg, "pid"))
				ret = errmsg(err, errlen, -EINVAL,
					     "--by takes only 'pid', got '%s'", optarg);
			o->by_pid = true;
			break;
		case SOPT_SYSCALLS:
			o->syscalls = true;
			break;
		case SOPT_ALL_CONTAINERS:
			o->all_containers = true;
			break;
		case SOPT_RAW_TP:
			o->raw_tp = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			ret = errmsg(err, errlen, -EINVAL, "option %s needs a value",
				     argv[optind - 1]);
			break;
		default:
			ret = errmsg(err, errlen, -EINVAL,
				     "unknown option '%s' (see loadscope serve --help)",
				     argv[optind - 1]);
			break;
		}
	}
	if (!ret && optind < argc)
		ret = errmsg(err, errlen, -EINVAL,
			     "unexpected argument '%s' (see loadscope serve "
			     "--help)",
			     argv[optind]);
	if (!ret && !selectors_any(&o->sel) && !o->all_containers)
		ret = errmsg(err, errlen, -EINVAL,
			     "no targets: give -p PID, -n NAME, -c CGROUP, -C CONTAINER or "
			     "--all-containers (see loadscope serve --help)");
	if (ret)
		selectors_free(&o->sel);
	return ret;
}

/* What the loop keeps between collections. */
struct serve_state {
	struct observer *obs;
	struct http_server *http;
	struct export_totals totals;
	struct cgroup_names names;
	char *mount; /* the cgroup2 mount, NULL without one */
	struct cpu_controller cpu;
	bool have_cpu; /* the cpu controller on cgroup v2: cpu.stat and cpu.pressure per cgroup */
	char *description;
	bool verbose;
	bool syscalls;
	bool all_containers;
};

struct thread_labels {
	char container_id[CONTAINER_ID_LEN + 1];
};

static int cmp_u32(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/* The comm of each thread's leader: threads are sorted by tid, and a leader's tid is its pid. */
static const char *leader_comm(const struct export_thread *th, size_t n, uint32_t pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_u32(&th[mid].stats->tid, &pid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && th[lo].stats->tid == pid; lo++)
		if (th[lo].stats->pid == pid)
			return th[lo].stats->comm;
	return NULL;
}

/* Each thread's cgroup path, container ID and process name; the names rescanned at most once. */
static int label_threads(struct serve_state *st, struct export_thread *th, size_t n,
			 struct thread_labels *labels)
{
	bool rescanned = false;

	for (size_t i = 0; st->mount && i < n && !rescanned; i++) {
		if (th[i].stats->cgroup_id &&
		    !cgroup_names_find(&st->names, th[i].stats->cgroup_id)) {
			int ret = cgroup_names_scan(&st->names, st->mount);

			if (ret == -ENOMEM)
				return ret;
			rescanned = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *path = st->mount && th[i].stats->cgroup_id
					   ? cgroup_names_find(&st->names, th[i].stats->cgroup_id)
					   : NULL;
		const char *leader = leader_comm(th, n, th[i].stats->pid);

		th[i].cgroup = path ? path : CGROUP_PATH_UNKNOWN;
		cgroup_container_id(th[i].cgroup, labels[i].container_id);
		th[i].container_id = labels[i].container_id;
		th[i].process = leader ? leader : th[i].stats->comm;
	}
	return 0;
}

/* The cgroups' cpu.stat and cpu.pressure, and those that are gone removed. */
static void update_cgroups(struct serve_state *st)
{
	char path[4096];
	struct stat sb;

	for (size_t i = 0; i < st->totals.ncgroups;) {
		struct export_cgroup *c = st->totals.cgroups[i];
		struct cpu_sample s = {0};

		if (st->mount && strcmp(c->path, CGROUP_PATH_UNKNOWN)) {
			snprintf(path, sizeof(path), "%s%s", st->mount, c->path);
			if (stat(path, &sb) && errno == ENOENT &&
			    export_totals_remove_cgroup(&st->totals, c->path))
				continue;
		}
		i++;
		if (!st->have_cpu || !strcmp(c->path, CGROUP_PATH_UNKNOWN))
			continue;
		cpu_sample_read(&st->cpu, c->path, &s);
		c->have_throttling = s.known & CPU_KNOWN_THROTTLING;
		c->periods = s.periods;
		c->throttled_periods = s.throttled_periods;
		c->throttled_ns = s.throttled_ns;
		c->have_pressure = s.known & CPU_KNOWN_PRESSURE;
		c->pressure_some_ns = s.pressure_some_us * 1000;
	}
}

static void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void write_page(const struct serve_state *st, const struct export_target *targets, size_t n,
		       FILE *f)
{
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>loadscope serve</title>"
	      "</head>\n<body><h1>loadscope serve</h1>\n<p>Targets: ",
	      f);
	html_escape(f, st->description ? st->description : "");
	fprintf(f,
		"</p>\n<p><a href=\"/metrics\">/metrics</a>: %zu series groups, %zu live "
		"processes.</p>\n<table>\n<tr><th>pid</th><th>comm</th><th>cgroup</th>"
		"<th>container</th></tr>\n",
		st->totals.ngroups, n);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "<tr><td>%d</td><td>", targets[i].pid);
		html_escape(f, targets[i].comm);
		fputs("</td><td>", f);
		html_escape(f, targets[i].cgroup);
		fprintf(f, "</td><td>%.12s</td></tr>\n", targets[i].container_id);
	}
	fputs("</table>\n</body></html>\n", f);
}

/* The live target processes: one per thread-group leader read and not exited. */
static struct export_target *live_targets(const struct export_thread *th, size_t n, size_t *out)
{
	struct export_target *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (th[i].exited || th[i].stats->tid != th[i].stats->pid)
			continue;
		v[k].pid = (int)th[i].stats->pid;
		memcpy(v[k].comm, th[i].stats->comm, sizeof(v[k].comm));
		v[k].comm[sizeof(v[k].comm) - 1] = '\0';
		v[k].cgroup = th[i].cgroup;
		v[k].container_id = th[i].container_id;
		k++;
	}
	*out = k;
	return v;
}

static int render_all(struct serve_state *st, const struct export_target *targets, size_t n)
{
	struct prom_meta meta = {
		.version = LOADSCOPE_VERSION,
		.program = observer_program_kind(st->obs),
		.syscalls = st->syscalls,
		.targets = targets,
		.ntargets = n,
	};
	char *text = NULL, *om = NULL, *page = NULL;
	size_t text_len = 0, om_len = 0, page_len = 0;
	FILE *ft = open_memstream(&text, &text_len), *fo = open_memstream(&om, &om_len),
	     *fp = open_memstream(&page, &page_len);
	int ret = -ENOMEM;

	if (ft && fo && fp) {
		ret = render_prometheus(&st->totals, &meta, PROM_TEXT, ft);
		if (!ret)
			ret = render_prometheus(&st->totals, &meta, PROM_OPENMETRICS, fo);
		write_page(st, targets, n, fp);
	}
	if (ft)
		fclose(ft);
	if (fo)
		fclose(fo);
	if (fp)
		fclose(fp);
	if (!ret)
		ret = http_publish(st->http, text, text_len, om, om_len, page, page_len);
	free(text);
	free(om);
	free(page);
	return ret;
}

static int cmp_int(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/*
 * --all-containers: the processes of every container cgroup under the mount that are not
 * targets yet become targets (their children are followed from then on). A container started
 * since the last collection is found now; what it ran before that is not seen.
 */
static void adopt_containers(struct serve_state *st, const struct export_thread *th, size_t n)
{
	struct container *list = NULL;
	size_t nlist = 0, nknown = 0;
	int *known = calloc(n ? n : 1, sizeof(*known));

	if (!known || !st->mount || container_list(st->mount, &list, &nlist)) {
		free(known);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!th[i].exited)
			known[nknown++] = (int)th[i].stats->pid;
	qsort(known, nknown, sizeof(*known), cmp_int);
	for (size_t c = 0; c < nlist; c++) {
		int *pids = NULL;
		size_t npids = 0;

		if (cgroup_subtree_pids(list[c].path, &pids, &npids))
			continue;
		for (size_t i = 0; i < npids; i++) {
			uint64_t id = 0;

			if (bsearch(&pids[i], known, nknown, sizeof(*known), cmp_int) ||
			    pids[i] == getpid())
				continue;
			cgroup_of_pid(st->mount, pids[i], &id);
			observer_add_process(st->obs, pids[i], SELECT_CGROUP, 0, id);
		}
		free(pids);
	}
	container_list_free(list, nlist);
	free(known);
}

/*
 * One collection: read, label, fold into the totals, free the exited threads (only once their
 * figures are in), then publish. A failure keeps the previous exposition.
 */
static int collect(struct serve_state *st)
{
	struct export_reading *r = NULL;
	struct export_thread *th;
	struct thread_labels *labels = NULL;
	struct export_target *targets = NULL;
	size_t n, ntargets = 0;
	int ret;

	ret = observer_export_read(st->obs, &r);
	if (ret)
		return ret;
	n = export_reading_threads(r, &th);
	labels = calloc(n ? n : 1, sizeof(*labels));
	ret = labels ? label_threads(st, th, n, labels) : -ENOMEM;
	if (!ret)
		ret = export_totals_apply(&st->totals, th, n);
	if (!ret) {
		observer_export_release(st->obs, r);
		export_reading_drops(r, st->totals.drops);
		update_cgroups(st);
		if (st->all_containers)
			adopt_containers(st, th, n);
		targets = live_targets(th, n, &ntargets);
		ret = targets ? render_all(st, targets, ntargets) : -ENOMEM;
	}
	free(targets);
	free(labels);
	export_reading_free(r);
	return ret;
}

static void error_line(const char *msg)
{
	fprintf(stderr, "loadscope: %s\n", msg);
}

int cmd_serve(int argc, char **argv)
{
	struct observer_config cfg = {0};
	struct serve_state st = {0};
	struct target_set targets = {0};
	struct serve_options o;
	sigset_t waitset, orig_mask;
	char err[512];
	int exit_code = EXIT_FAILED, ret;

	signal(SIGPIPE, SIG_IGN);
	if (serve_parse(argc, argv, &o, err, sizeof(err))) {
		error_line(err);
		return EXIT_USAGE;
	}
	if (o.help) {
		serve_usage(stdout);
		selectors_free(&o.sel);
		return 0;
	}
	for (size_t i = 0; i < o.sel.npids; i++) {
		if (o.sel.pids[i] == getpid() || (kill(o.sel.pids[i], 0) && errno == ESRCH)) {
			snprintf(err, sizeof(err), "no such process: %d", o.sel.pids[i]);
			goto fail;
		}
	}
	if (targets_resolve(&o.sel, "/proc/self/mountinfo", &targets, err, sizeof(err)))
		goto fail;
	if (observer_check_host(err, sizeof(err)))
		goto fail;
	/* the labels need the cgroup2 mount; without it every cgroup is "(unknown)" */
	if (targets.mount)
		st.mount = strdup(targets.mount);
	else
		cgroup2_find_mount("/proc/self/mountinfo", &st.mount, err, sizeof(err));
	if (o.all_containers && !st.mount) {
		snprintf(err, sizeof(err), "--all-containers needs the cgroup2 file system mounted");
		goto fail;
	}
	st.have_cpu = !cpu_controller_find("/proc/self/mountinfo", &st.cpu) &&
		      st.cpu.hierarchy == CGROUP_V2;
	st.description = selectors_any(&o.sel) ? targets_describe(&o.sel, NULL, &targets) : NULL;
	if (o.all_containers) {
		char *all = NULL;

		if (asprintf(&all, "%s%severy container", st.description ? st.description : "",
			     st.description ? "; " : "") < 0)
			all = NULL;
		free(st.description);
		st.description = all;
	}
	st.verbose = o.verbose;
	st.syscalls = o.syscalls;
	st.all_containers = o.all_containers;
	st.totals.max_processes = o.max_processes;
	st.totals.by_pid = o.by_pid;

	/* the signals wait for sigtimedwait; the HTTP thread, started after, inherits the mask */
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGHUP);
	sigprocmask(SIG_BLOCK, &waitset, &orig_mask);
	/* a busy port fails before anything is loaded */
	if (http_start(o.listen, &st.http, err, sizeof(err)))
		goto fail;

	cfg.raw_tp = o.raw_tp;
	cfg.verbose = o.verbose;
	cfg.no_syscalls = !o.syscalls;
	cfg.children = o.sel.children;
	cfg.max_threads = o.max_threads;
	cfg.comms = (const char *const *)o.sel.comms;
	cfg.ncomms = o.sel.ncomms;
	cfg.cgroup_ids = targets.ids;
	cfg.ncgroups = targets.ncgroups;
	if (observer_open(&cfg, &st.obs, err, sizeof(err)) ||
	    observer_attach(st.obs, err, sizeof(err)))
		goto fail;
	if (selectors_any(&o.sel) &&
	    observer_seed_targets(st.obs, &o.sel, &targets, 0, err, sizeof(err)))
		goto fail;
	if (st.mount)
		cgroup_names_scan(&st.names, st.mount);
	if (o.verbose)
		fprintf(stderr, "loadscope: serving %s on http://%s/metrics\n",
			observer_program_kind(st.obs), o.listen);
	for (;;) {
		uint64_t start = monotonic_ns(), step = (uint64_t)(o.interval_s * 1e9), spent;
		struct timespec ts;
		int sig;

		ret = collect(&st);
		if (ret && o.verbose)
			fprintf(stderr, "loadscope: collection failed: %s\n", strerror(-ret));
		spent = monotonic_ns() - start;
		/* a slow collection shortens the wait, never below a millisecond */
		spent = spent < step ? step - spent : 1000000;
		ts.tv_sec = (time_t)(spent / 1000000000ULL);
		ts.tv_nsec = (long)(spent % 1000000000ULL);
		sig = sigtimedwait(&waitset, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			break;
	}
	exit_code = 0;
	goto cleanup;
fail:
	error_line(err);
cleanup:
	http_stop(st.http);
	observer_detach(st.obs);
	observer_close(st.obs);
	export_totals_free(&st.totals);
	cgroup_names_free(&st.names);
	cpu_controller_free(&st.cpu);
	free(st.mount);
	free(st.description);
	targets_free(&targets);
	selectors_free(&o.sel);
	return exit_code;
}
