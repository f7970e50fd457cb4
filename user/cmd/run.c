// SPDX-License-Identifier: GPL-2.0
/* The run: options, targets, attach, wait for the end (duration, COMMAND, signal), collect, report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "cmd/command.h"
#include "cmd/commands.h"
#include "cmd/options.h"
#include "core/budget.h"
#include "core/clock.h"
#include "core/cpulimit.h"
#include "core/intervals.h"
#include "core/model.h"
#include "io/output.h"
#include "io/report_files.h"
#include "observe/collect.h"
#include "observe/kernel_features.h"
#include "observe/observer.h"
#include "observe/seed.h"
#include "observe/stash.h"
#include "render/json.h"
#include "render/live.h"
#include "render/render.h"
#include "targets/hoststat.h"
#include "targets/cpulimit.h"
#include "targets/procfs.h"
#include "targets/targets.h"

/* The wall clock, which timestamps a run's intervals for a backfill (report --openmetrics). */
static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void error_line(const char *msg)
{
	fprintf(stderr, "loadscope: %s\n", msg);
}

static int fill_metadata(struct snapshot *s, const struct options *o, const struct observer *obs,
			 const struct target_set *t, uint64_t duration_ns)
{
	struct utsname u;
	size_t n = 0;

	uname(&u);
	s->kernel = strdup(u.release);
	s->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	s->duration_ns = duration_ns;
	s->requests_given = o->requests;
	s->interval_ns = (uint64_t)(o->interval_s * 1e9);
	s->program = strdup(observer_program_kind(obs));
	s->command_exit = -1;
	s->targets.description = targets_describe(&o->sel, o->command, t);
	s->targets.command = !selectors_any(&o->sel);
	s->targets.children = o->sel.children;
	if (targets_record(s, &o->sel, t))
		return -ENOMEM;
	if (o->sel.npids) {
		s->targets.pids = malloc(o->sel.npids * sizeof(int));
		if (!s->targets.pids)
			return -ENOMEM;
		memcpy(s->targets.pids, o->sel.pids, o->sel.npids * sizeof(int));
		s->targets.npids = o->sel.npids;
	}
	if (o->command) {
		while (o->command[n])
			n++;
		s->command = calloc(n + 1, sizeof(char *));
		if (!s->command)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			if (!(s->command[i] = strdup(o->command[i])))
				return -ENOMEM;
	}
	return (s->kernel && s->program && s->targets.description) ? 0 : -ENOMEM;
}

/* The -i time series while the run lasts: the last sample, and where intervals are shown. */
struct series {
	struct observer *obs;
	struct snapshot *snap;
	struct proc_sample *prev;
	size_t nprev;
	struct host_sample host_prev; /* /proc/stat and the load's stat at the last tick */
	int load_pid;		      /* the COMMAND when a selector chose the targets, else 0 */
	const char *load_name;
	uint64_t start_ns, last_ns, total_ns;
	FILE *live; /* a terminal, redrawn in place; NULL: plain lines on `lines` */
	FILE *lines;
};

static void series_tick(struct series *t, uint64_t now)
{
	struct proc_sample *cur = NULL;
	struct host_sample host = {0};
	size_t ncur = 0;

	if (observer_sample(t->obs, &cur, &ncur))
		return; /* the next one will cover this interval too */
	/* two small reads, no scan of /proc: the interval's other processes are all "(rest)" */
	host_sample_take_load("/proc", t->load_pid, &host);
	if (!interval_append(t->snap, t->prev, t->nprev, cur, ncur, now - t->start_ns,
			     now - t->last_ns)) {
		struct interval *iv = &t->snap->intervals[t->snap->nintervals - 1];
		struct interval_budget_inputs in = {
			.start = &t->host_prev,
			.end = &host,
			.ticks_per_s = sysconf(_SC_CLK_TCK),
			.load_pid = t->load_pid,
			.load_name = t->load_name,
			.cpus = t->snap->cpus,
		};

		cpu_budget_interval(&in, iv, &iv->budget);
		if (t->live)
			interval_live(t->snap, cur, ncur, t->total_ns, t->snap->cpus, 20, t->live);
		else
			interval_line(t->snap, cur, ncur, t->snap->cpus, t->lines);
	}
	free(t->prev);
	t->prev = cur;
	t->nprev = ncur;
	host_sample_free(&t->host_prev);
	t->host_prev = host;
	t->last_ns = now;
}

static uint64_t min_nonzero(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Wait for the duration, the command's exit, or SIGINT/SIGTERM; sample every -i on the way. */
/* How often the exited-thread map is checked: 10 wakeups a second, a drain only under churn. */
#define DRAIN_CHECK_NS 100000000ULL

static void run_until_stop(const struct options *o, struct command *c, const sigset_t *waitset,
			   uint64_t start_ns, struct series *t)
{
	uint64_t deadline = o->duration_s > 0 ? start_ns + (uint64_t)(o->duration_s * 1e9) : 0;
	uint64_t step = (uint64_t)(o->interval_s * 1e9), tick = step ? start_ns + step : 0;

	for (;;) {
		struct timespec ts = {.tv_sec = 1};
		uint64_t now = monotonic_ns(), next;
		siginfo_t info;
		int sig;

		if (c->pid > 0 && command_poll(c))
			return;
		if (deadline && now >= deadline)
			return;
		if (tick && now >= tick) {
			series_tick(t, now);
			/* a slow sample skips ticks rather than piling them up */
			while (tick <= now)
				tick += step;
			now = monotonic_ns();
		}
		/* exited threads out of their map before churn can fill it */
		if (observer_drain_exited(t->obs, false))
			fprintf(stderr, "loadscope: out of memory keeping exited threads\n");
		next = min_nonzero(min_nonzero(deadline, tick), now + DRAIN_CHECK_NS);
		if (next > now && next - now < 1000000000ULL) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)(next - now);
		}
		sig = sigtimedwait(waitset, &info, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			return;
	}
}

/* The COMMAND is the load when a selector chose the targets; 0 when there is none. */
static int load_pid(const struct options *o, const struct command *c)
{
	return o->command && selectors_any(&o->sel) ? c->pid : 0;
}

/* The machine's CPUs during the run, the load apart. */
static int budget(const struct options *o, const struct command *c, const struct host_sample *start,
		  const struct host_sample *end, struct snapshot *s)
{
	struct budget_inputs in = {
		.start = start,
		.end = end,
		.ticks_per_s = sysconf(_SC_CLK_TCK),
		.self_pid = getpid(),
		.load_pid = load_pid(o, c),
		.load_name = o->command ? o->command[0] : NULL,
		.load_cpu_ns = command_cpu_ns(c),
	};

	return cpu_budget_compute(&in, s, &s->cpu_budget);
}

/*
 * The cpu cgroups of the targets seeded so far, read now: the start of the CPU limits' deltas.
 * What cannot be read here is read at the end instead (cpu_limits_late), without the deltas.
 */
static void cpu_limits_begin(struct observer *obs, const struct cpu_controller *c,
			     struct cpu_watch *w)
{
	struct proc_sample *cur = NULL;
	size_t n = 0;
	int *pids;

	if (observer_sample(obs, &cur, &n))
		return;
	pids = calloc(n ? n : 1, sizeof(*pids));
	if (pids) {
		for (size_t i = 0; i < n; i++)
			pids[i] = cur[i].pid;
		cpu_limits_start(w, c, pids, n);
	}
	free(pids);
	free(cur);
}

static int write_reports(const struct snapshot *s, const struct options *o,
			 struct report_files *files, char *err, size_t errlen)
{
	report_text(s, report_files_text_stream(files), o->threads);
	fflush(stdout);
	return report_files_write(files, s, o->threads, err, errlen);
}

int cmd_run(int argc, char **argv)
{
	struct observer_config cfg = {0};
	struct command cmd = {.pid = -1, .go_fd = -1, .error_fd = -1};
	struct snapshot snap = {0};
	struct report_files files = {0};
	struct target_set targets = {0};
	struct series series = {0};
	struct host_sample host_start = {0}, host_end = {0};
	struct cpu_controller cpu = {0};
	struct cpu_watch limits = {0};
	bool have_cpu = false;
	struct observer *obs = NULL;
	sigset_t waitset, orig_mask;
	struct options o;
	uint64_t start_ns, end_ns;
	char err[512];
	int ret, exit_code = EXIT_FAILED, exec_errno;

	/* a closed stdout (| head) ends the text, not the run: the JSON is still written */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&waitset);
	sigaddset(&waitset, SIGINT);
	sigaddset(&waitset, SIGTERM);
	sigaddset(&waitset, SIGHUP);
	sigaddset(&waitset, SIGCHLD);
	if (options_parse(argc, argv, &o, err, sizeof(err))) {
		error_line(err);
		return EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			options_usage(stdout);
		else
			printf("loadscope %s\n", LOADSCOPE_VERSION);
		options_free(&o);
		return 0;
	}
	if (o.features) {
		/* without root nothing can be probed; without BTF, features_report says so */
		if (observer_check_host(err, sizeof(err)) == -EPERM ||
		    features_report(stdout, o.verbose, err, sizeof(err))) {
			error_line(err);
			exit_code = EXIT_FAILED;
		} else {
			exit_code = 0;
		}
		options_free(&o);
		return exit_code;
	}
	for (size_t i = 0; i < o.sel.npids; i++) {
		if (o.sel.pids[i] == getpid() || !proc_exists(o.sel.pids[i])) {
			snprintf(err, sizeof(err), "no such process: %d", o.sel.pids[i]);
			goto fail;
		}
	}
	/* a --cgroup or --container that names nothing fails before anything is loaded */
	if (targets_resolve(&o.sel, "/proc/self/mountinfo", &targets, err, sizeof(err)))
		goto fail;
	if (observer_check_host(err, sizeof(err)))
		goto fail;
	/* no cpu controller anywhere: no limits to report, which is no reason to stop */
	have_cpu = !cpu_controller_find("/proc/self/mountinfo", &cpu);
	/* an unwritable output fails now, not after the run */
	if (report_files_open(&files, o.json_path, o.csv_path, o.html_path, err, sizeof(err)))
		goto fail;

	sigprocmask(SIG_BLOCK, &waitset, &orig_mask);

	if (o.command && command_spawn(&cmd, o.command, &orig_mask, err, sizeof(err)))
		goto fail;

	cfg.raw_tp = o.raw_tp;
	cfg.no_syscalls = o.no_syscalls;
	cfg.verbose = o.verbose;
	cfg.children = o.sel.children;
	cfg.max_threads = o.max_threads;
	cfg.comms = (const char *const *)o.sel.comms;
	cfg.ncomms = o.sel.ncomms;
	cfg.cgroup_ids = targets.ids;
	cfg.ncgroups = targets.ncgroups;
	if (observer_open(&cfg, &obs, err, sizeof(err)) || observer_attach(obs, err, sizeof(err)))
		goto fail;
	/* the run starts before seeding: each thread's first reading lies inside it */
	start_ns = monotonic_ns();
	snap.started_unix_ns = realtime_ns();
	series.load_pid = load_pid(&o, &cmd);
	series.load_name = o.command ? o.command[0] : NULL;
	/* the first interval's budget spans the same time as the interval: from the run's start */
	if (o.interval_s > 0)
		host_sample_take_load("/proc", series.load_pid, &series.host_prev);
	if (observer_seed_targets(obs, &o.sel, &targets, cmd.pid, err, sizeof(err)))
		goto fail;
	/* before the command runs: all of its time is inside the budget's window */
	host_sample_take("/proc", false, &host_start);
	if (have_cpu)
		cpu_limits_begin(obs, &cpu, &limits);
	if (o.verbose)
		fprintf(stderr, "loadscope: attached the %s programs; observing\n",
			observer_program_kind(obs));
	if (o.command && (exec_errno = command_release(&cmd))) {
		snprintf(err, sizeof(err), "cannot run %s: %s", o.command[0], strerror(exec_errno));
		exit_code = EXIT_NOEXEC;
		goto fail;
	}

	series.obs = obs;
	series.snap = &snap;
	series.start_ns = series.last_ns = start_ns;
	series.total_ns = (uint64_t)(o.duration_s * 1e9);
	/* live on a terminal that is not also where a report goes; else a line per interval */
	series.lines = report_files_text_stream(&files);
	series.live = isatty(fileno(series.lines)) ? series.lines : NULL;
	snap.cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	run_until_stop(&o, &cmd, &waitset, start_ns, &series);
	free(series.prev);
	end_ns = observer_detach(obs);
	host_sample_take("/proc", true, &host_end);
	if (have_cpu)
		cpu_limits_end(&limits, &cpu);
	/* the run ends at detaching, after the last reading of the threads still alive */
	ret = fill_metadata(&snap, &o, obs, &targets, end_ns - start_ns);
	if (!ret)
		ret = observer_collect(obs, end_ns, &snap);
	/* before the cgroup totals, which take the limits of their processes' cpu cgroups */
	if (!ret && have_cpu && !(ret = cpu_limits_late(&limits, &cpu, &snap)))
		ret = cpu_watch_record(&limits, &snap);
	if (!ret)
		ret = targets_label(&snap, &targets);
	observer_close(obs);
	obs = NULL;
	command_finish(&cmd, &waitset);
	snap.command_exit = command_exit_code(&cmd);
	if (ret) {
		snprintf(err, sizeof(err), "cannot read the BPF maps: %s", strerror(-ret));
		goto fail;
	}
	if (budget(&o, &cmd, &host_start, &host_end, &snap)) {
		snprintf(err, sizeof(err), "cannot compute the CPU budget: %s", strerror(ENOMEM));
		goto fail;
	}
	if (write_reports(&snap, &o, &files, err, sizeof(err)))
		goto fail;
	exit_code = 0;
	/* every report written, warnings included; the status says the figures are short */
	if (o.strict && snapshot_drops(&snap)) {
		fprintf(stderr,
			"loadscope: --strict: %llu events were not recorded (see the report's "
			"warnings): its figures are truncated\n",
			(unsigned long long)snapshot_drops(&snap));
		exit_code = EXIT_TRUNCATED;
	}
	goto cleanup;
fail:
	error_line(err);
	observer_close(obs);
	command_finish(&cmd, &waitset);
	report_files_abort(&files);
cleanup:
	host_sample_free(&host_start);
	host_sample_free(&host_end);
	host_sample_free(&series.host_prev);
	snapshot_free(&snap);
	cpu_watch_free(&limits);
	cpu_controller_free(&cpu);
	targets_free(&targets);
	options_free(&o);
	return exit_code;
}
