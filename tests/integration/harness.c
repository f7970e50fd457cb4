/* Helpers for integration tests: run loadscope and workloads, read their JSON, check cleanup. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <mntent.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "harness.h"

/* A program freed when its last fd closes can stay visible until an RCU grace period ends. */
#define PROG_RELEASE_WAIT_S 2.0
/* After the process exits, how long to wait for descendants that still hold its pipes. */
#define PIPE_DRAIN_WAIT_S 1.0
/* Leftover programs listed in one failure message at most. */
#define MAX_LEFT 64

static char base_dir[256]; /* short, so every path built under it fits in PATH_MAX */
static pid_t runner_pid;   /* names the test cgroups; forked tests inherit it */

bool ls_verbose(void)
{
	const char *v = getenv("LOADSCOPE_TEST_VERBOSE");

	return v && *v && strcmp(v, "0");
}

double ls_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ls_sleep_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

const char *ls_binary(void)
{
	const char *env = getenv("LOADSCOPE");

	return env && *env ? env : "./loadscope";
}

/* Rotating static buffers: each path stays valid for the next few calls. */
static char *path_buf(void)
{
	static char bufs[16][PATH_MAX];
	static unsigned int next;

	return bufs[next++ % 16];
}

const char *ls_workload(const char *name)
{
	const char *dir = getenv("LOADSCOPE_WORKLOADS");
	char *p = path_buf();

	snprintf(p, PATH_MAX, "%s/%s", dir && *dir ? dir : "build/workloads", name);
	return p;
}

const char *ls_path(const char *dir, const char *name)
{
	char *p = path_buf();

	snprintf(p, PATH_MAX, "%s/%s", dir, name);
	return p;
}

int ls_init_base(void)
{
	const char *tmp = getenv("TMPDIR");

	runner_pid = getpid();
	snprintf(base_dir, sizeof(base_dir), "%s/loadscope-test.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(base_dir) ? 0 : -errno;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void ls_cleanup_base(void)
{
	if (base_dir[0])
		nftw(base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	ls_cgroup_cleanup();
}

/*
 * The first mount of file system type (with mount option opt, when not NULL) into dir; false
 * when there is none or /proc/self/mounts cannot be read. It checks nothing itself, so the
 * cleanup that runs outside any test can use it.
 */
static bool find_mount(const char *type, const char *opt, char *dir, size_t len)
{
	struct mntent *m;
	bool found = false;
	FILE *f;

	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return false;
	while (!found && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, type) && (!opt || hasmntopt(m, opt))) {
			snprintf(dir, len, "%s", m->mnt_dir);
			found = true;
		}
	endmntent(f);
	return found;
}

const char *ls_cgroup2_mount(void)
{
	static char mount[PATH_MAX];

	if (!mount[0])
		ck_assert_msg(find_mount("cgroup2", NULL, mount, sizeof(mount)),
			      "no cgroup2 file system in /proc/self/mounts: the cgroup tests need one");
	return mount;
}

const char *ls_cgroup_rel(const char *name)
{
	char *p = path_buf();

	snprintf(p, PATH_MAX, "/loadscope-test-%d/%s", (int)runner_pid, name);
	return p;
}

const char *ls_cgroup_make(const char *name)
{
	char *p = path_buf(), *slash;
	size_t mount_len = strlen(ls_cgroup2_mount());

	snprintf(p, PATH_MAX, "%s/loadscope-test-%d/%s", ls_cgroup2_mount(), (int)runner_pid,
		 name);
	for (slash = p + mount_len + 1;; slash++) {
		slash = strchr(slash, '/');
		if (slash)
			*slash = '\0';
		ck_assert_msg(!mkdir(p, 0755) || errno == EEXIST, "mkdir %s: %s", p,
			      strerror(errno));
		if (!slash)
			break;
		*slash = '/';
	}
	return p;
}

void ls_cgroup_move(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	ck_assert_msg(fprintf(f, "%d\n", (int)pid) > 0 && fclose(f) == 0,
		      "cannot move %d into %s: %s", (int)pid, dir, strerror(errno));
}

void ls_cgroup_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	ck_assert_msg(f, "cannot open %s: %s", path, strerror(errno));
	ck_assert_msg(fputs(text, f) >= 0 && fclose(f) == 0, "cannot write '%s' to %s: %s", text,
		      path, strerror(errno));
}

/* Does the file at dir/file list word (cgroup.controllers, cgroup.subtree_control)? */
static bool lists_word(const char *dir, const char *file, const char *word)
{
	char path[PATH_MAX + 64], buf[1024], *save = NULL;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

/* The mount point of the cgroup v1 hierarchy with the cpu controller into dir; false if none. */
static bool cpu_v1_mount(char *dir, size_t len)
{
	return find_mount("cgroup", "cpu", dir, len);
}

static bool cgroup2_has_cpu(char *mount, size_t len)
{
	return find_mount("cgroup2", NULL, mount, len) &&
	       lists_word(mount, "cgroup.controllers", "cpu");
}

void ls_cpu_cgroup_make(const char *name, struct ls_cpu_cgroup *out)
{
	char mount[PATH_MAX], top[PATH_MAX + 64];

	memset(out, 0, sizeof(*out));
	if (cgroup2_has_cpu(mount, sizeof(mount))) {
		out->v2 = true;
		ck_assert_msg(lists_word(mount, "cgroup.subtree_control", "cpu"),
			      "the cpu controller is not enabled below the cgroup2 root: "
			      "echo +cpu > %s/cgroup.subtree_control",
			      mount);
		/* enabled on the way down; the cgroups on the way hold no process, as v2 wants */
		snprintf(top, sizeof(top), "%s", ls_cgroup_make("cpu"));
		ls_cgroup_write(dirname(strdupa(top)), "cgroup.subtree_control", "+cpu");
		ls_cgroup_write(top, "cgroup.subtree_control", "+cpu");
		snprintf(top, sizeof(top), "cpu/%s", name);
		snprintf(out->dir, sizeof(out->dir), "%s", ls_cgroup_make(top));
		snprintf(out->rel, sizeof(out->rel), "%s", ls_cgroup_rel(top));
		snprintf(top, sizeof(top), "%.*s/cpu.max", PATH_MAX - 16, out->dir);
		ck_assert_msg(!access(top, F_OK),
			      "%s has no cpu.max although cpu is enabled above it", out->dir);
		return;
	}
	ck_assert_msg(cpu_v1_mount(mount, sizeof(mount)),
		      "no cpu controller: cgroup v2 does not list cpu and no cgroup v1 hierarchy "
		      "is mounted with it");
	snprintf(top, sizeof(top), "%s/loadscope-test-%d", mount, (int)runner_pid);
	ck_assert_msg(!mkdir(top, 0755) || errno == EEXIST, "mkdir %s: %s", top, strerror(errno));
	snprintf(out->dir, sizeof(out->dir), "%s/%s", top, name);
	ck_assert_msg(!mkdir(out->dir, 0755) || errno == EEXIST, "mkdir %s: %s", out->dir,
		      strerror(errno));
	snprintf(out->rel, sizeof(out->rel), "/loadscope-test-%d/%s", (int)runner_pid, name);
}

static int remove_cgroup(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* a cgroup is removed with rmdir; its interface files go with it */
	if (flag == FTW_DP)
		rmdir(path);
	return 0;
}

void ls_cgroup_cleanup(void)
{
	char top[PATH_MAX];
	struct mntent *m;
	FILE *f;

	if (!runner_pid)
		return;
	/* not ls_cgroup2_mount(): this runs outside any test, where a failed check cannot */
	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(top, sizeof(top), "%s/loadscope-test-%d", m->mnt_dir,
				 (int)runner_pid);
			/* the processes of a failed test may take a moment to leave */
			for (int i = 0; i < 50 && !access(top, F_OK); i++) {
				nftw(top, remove_cgroup, 16, FTW_DEPTH | FTW_PHYS);
				if (!access(top, F_OK))
					ls_sleep_s(0.02);
			}
			break;
		}
	endmntent(f);
	/* the cpu cgroups of a host whose cpu controller is on cgroup v1 */
	if (cpu_v1_mount(top, sizeof(top) - 32)) {
		size_t len = strlen(top);

		snprintf(top + len, sizeof(top) - len, "/loadscope-test-%d", (int)runner_pid);
		for (int i = 0; i < 50 && !access(top, F_OK); i++) {
			nftw(top, remove_cgroup, 16, FTW_DEPTH | FTW_PHYS);
			if (!access(top, F_OK))
				ls_sleep_s(0.02);
		}
	}
}

const char *ls_tmpdir(void)
{
	char *p = path_buf();

	ck_assert_msg(base_dir[0], "ls_init_base() was not called");
	snprintf(p, PATH_MAX, "%s/test.XXXXXX", base_dir);
	ck_assert_msg(mkdtemp(p), "mkdtemp %s: %s", p, strerror(errno));
	return p;
}

void ls_args_loadscope(struct ls_args *a, bool raw_tp)
{
	memset(a, 0, sizeof(*a));
	a->argv[a->argc++] = ls_binary();
	if (raw_tp)
		a->argv[a->argc++] = "--raw-tp";
}

void ls_args_add(struct ls_args *a, ...)
{
	const char *arg;
	va_list ap;

	va_start(ap, a);
	while ((arg = va_arg(ap, const char *))) {
		ck_assert_int_lt(a->argc, LS_MAX_ARGS);
		a->argv[a->argc++] = arg;
	}
	va_end(ap);
	a->argv[a->argc] = NULL;
}

static char *args_line(const char *const argv[])
{
	size_t len = 0;
	char *line;
	int i;

	for (i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	line = calloc(1, len + 1);
	for (i = 0; line && argv[i]; i++) {
		if (i)
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	return line;
}

/* In the child after fork: die with the test process, so no workload outlives a failed test. */
static void child_setup(pid_t parent)
{
	int null_fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* its own group, so a timeout can kill what it started as well */
	setpgid(0, 0);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		close(null_fd);
	}
}

static int exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + WTERMSIG(wstatus);
}

struct capture {
	char *buf;
	size_t len;
	size_t cap;
	int fd;
};

/* Reads what is available; false at EOF or on error. */
static bool capture_read(struct capture *c)
{
	char chunk[4096];
	ssize_t n;

	n = read(c->fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->buf = realloc(c->buf, c->cap);
		ck_assert_ptr_nonnull(c->buf);
	}
	memcpy(c->buf + c->len, chunk, n);
	c->len += n;
	c->buf[c->len] = '\0';
	return true;
}

void ls_run(const char *const argv[], double timeout_s, struct ls_result *r)
{
	int out_pipe[2], err_pipe[2], wstatus, i, open_fds = 2;
	struct capture cap[2] = {{0}};
	double start, exited_at = 0;
	pid_t parent = getpid(), pid;
	bool exited = false;
	char *line;

	memset(r, 0, sizeof(*r));
	ck_assert_msg(!pipe2(out_pipe, O_CLOEXEC) && !pipe2(err_pipe, O_CLOEXEC), "pipe: %s",
		      strerror(errno));
	start = ls_now_s();
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		child_setup(parent);
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "harness: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	cap[0].fd = out_pipe[0];
	cap[1].fd = err_pipe[0];
	r->pid = pid;
	r->status = -1;

	while (open_fds > 0 || !exited) {
		struct pollfd fds[2];
		int nfds = 0, which[2];

		for (i = 0; i < 2; i++) {
			if (cap[i].fd >= 0) {
				fds[nfds].fd = cap[i].fd;
				fds[nfds].events = POLLIN;
				which[nfds++] = i;
			}
		}
		if (nfds && poll(fds, nfds, 10) < 0 && errno != EINTR)
			ck_abort_msg("poll: %s", strerror(errno));
		/* read only what is ready: a blocking read of a quiet pipe would let the other fill */
		for (int k = 0; k < nfds; k++) {
			struct capture *c = &cap[which[k]];

			if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!capture_read(c)) {
				close(c->fd);
				c->fd = -1;
				open_fds--;
			}
		}
		if (!nfds && !exited)
			ls_sleep_s(0.01);
		if (!exited && waitpid(pid, &wstatus, WNOHANG) == pid) {
			exited = true;
			exited_at = ls_now_s();
			r->elapsed_s = exited_at - start;
			r->status = exit_code(wstatus);
		}
		if (!exited && ls_now_s() - start > timeout_s) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			r->elapsed_s = ls_now_s() - start;
			r->status = -1;
			break;
		}
		/* a descendant that kept the pipes must not hold up the test */
		if (exited && ls_now_s() - exited_at > PIPE_DRAIN_WAIT_S)
			break;
	}
	for (i = 0; i < 2; i++) {
		if (cap[i].fd >= 0)
			close(cap[i].fd);
	}
	r->out = cap[0].buf ? cap[0].buf : strdup("");
	r->err = cap[1].buf ? cap[1].buf : strdup("");
	if (ls_verbose()) {
		line = args_line(argv);
		printf("# ran: %s\n#   exit %d after %.3f s; stderr: %s", line, r->status,
		       r->elapsed_s, r->err[0] ? r->err : "(empty)\n");
		free(line);
	}
}

void ls_result_free(struct ls_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

pid_t ls_spawn_ready(const char *const argv[], const char *out_path, double timeout_s,
		     pid_t *spawned, int *port)
{
	int pid = 0, p = 0;
	FILE *f;

	*spawned = ls_spawn(argv, out_path, NULL);
	for (double t0 = ls_now_s(); ls_now_s() - t0 < timeout_s; ls_sleep_s(0.05)) {
		f = fopen(out_path, "r");
		if (f && fscanf(f, "ready %d %d", &pid, &p) == 2) {
			fclose(f);
			if (port)
				*port = p;
			return pid;
		}
		if (f)
			fclose(f);
	}
	ck_abort_msg("%s did not say it was ready within %.0f s", argv[0], timeout_s);
	return 0;
}

const char *ls_file_tail(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return buf;
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > (long)sizeof(buf) - 1)
		fseek(f, -(long)(sizeof(buf) - 1), SEEK_END);
	else
		rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

pid_t ls_spawn(const char *const argv[], const char *out_path, const char *err_path)
{
	pid_t parent = getpid(), pid;
	int fd;

	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid)
		return pid;
	child_setup(parent);
	fd = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		dup2(fd, STDOUT_FILENO);
	fd = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		dup2(fd, STDERR_FILENO);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "harness: cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int ls_wait(pid_t pid, double timeout_s, double *elapsed_s)
{
	double start = ls_now_s();
	int wstatus;

	for (;;) {
		pid_t got = waitpid(pid, &wstatus, WNOHANG);

		if (got == pid) {
			if (elapsed_s)
				*elapsed_s = ls_now_s() - start;
			return exit_code(wstatus);
		}
		ck_assert_msg(got == 0, "waitpid %d: %s", pid, strerror(errno));
		if (ls_now_s() - start > timeout_s)
			break;
		ls_sleep_s(0.005);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, &wstatus, 0);
	if (elapsed_s)
		*elapsed_s = ls_now_s() - start;
	return -1;
}

bool ls_wait_threads(pid_t pid, int n, double timeout_s)
{
	double start = ls_now_s();
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	do {
		DIR *d = opendir(path);
		struct dirent *e;
		int count = 0;

		if (!d)
			return false;
		while ((e = readdir(d)))
			count += e->d_name[0] != '.';
		closedir(d);
		if (count >= n)
			return true;
		ls_sleep_s(0.005);
	} while (ls_now_s() - start < timeout_s);
	return false;
}

json_t *ls_load_json(const char *path)
{
	json_error_t error;
	json_t *root;

	root = json_load_file(path, 0, &error);
	ck_assert_msg(root, "cannot load JSON %s: %s (line %d)", path, error.text, error.line);
	return root;
}

static const json_t *field(const json_t *obj, const char *key)
{
	const json_t *v;

	ck_assert_msg(json_is_object(obj), "looking up '%s' in something that is not an object",
		      key);
	v = json_object_get(obj, key);
	ck_assert_msg(v, "JSON field '%s' is missing", key);
	return v;
}

int64_t ls_int(const json_t *obj, const char *key)
{
	const json_t *v = field(obj, key);

	ck_assert_msg(json_is_integer(v), "JSON field '%s' is not an integer", key);
	return json_integer_value(v);
}

const char *ls_str(const json_t *obj, const char *key)
{
	const json_t *v = field(obj, key);

	ck_assert_msg(json_is_string(v), "JSON field '%s' is not a string", key);
	return json_string_value(v);
}

bool ls_bool(const json_t *obj, const char *key)
{
	const json_t *v = field(obj, key);

	ck_assert_msg(json_is_boolean(v), "JSON field '%s' is not a boolean", key);
	return json_is_true(v);
}

json_t *ls_find_process(const json_t *report, int pid)
{
	const json_t *processes = field(report, "processes");
	json_t *p;
	size_t i;

	json_array_foreach(processes, i, p)
	{
		if (ls_int(p, "pid") == pid)
			return p;
	}
	return NULL;
}

json_t *ls_find_thread(const json_t *process, int tid)
{
	const json_t *threads = field(process, "threads");
	json_t *t;
	size_t i;

	json_array_foreach(threads, i, t)
	{
		if (ls_int(t, "tid") == tid)
			return t;
	}
	return NULL;
}

json_t *ls_find_thread_anywhere(const json_t *report, int tid, json_t **process)
{
	const json_t *processes = field(report, "processes");
	json_t *p, *t;
	size_t i;

	json_array_foreach(processes, i, p)
	{
		t = ls_find_thread(p, tid);
		if (t) {
			if (process)
				*process = p;
			return t;
		}
	}
	return NULL;
}

static const char *const figure_fields[] = {
	"cpu_ns",     "runq_wait_ns", "runq_count", "voluntary_switches", "involuntary_switches",
	"migrations", "wakeups",
};
#define NFIGURES (sizeof(figure_fields) / sizeof(figure_fields[0]))

/* The figures of one process or thread agree with each other and with their histogram. */
void ls_hist_sum(const json_t *hist, const char *what, struct ls_hist_sum *out)
{
	int64_t lower, upper, n;
	const json_t *b;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->first_lower = -1;
	ck_assert_msg(json_is_array(hist), "%s: the histogram is not an array", what);
	json_array_foreach(hist, i, b)
	{
		lower = ls_int(b, "lower_ns");
		upper = ls_int(b, "upper_ns");
		n = ls_int(b, "count");
		ck_assert_msg(n > 0, "%s: the histogram holds an empty bucket", what);
		ck_assert_msg(lower < upper && lower >= out->top_upper,
			      "%s: histogram buckets out of order at [%lld, %lld)", what,
			      (long long)lower, (long long)upper);
		out->top_upper = upper;
		if (out->first_lower < 0)
			out->first_lower = lower;
		out->last_lower = lower;
		out->count += n;
		out->min_ns += lower * n;
		out->max_ns += upper * n;
	}
}

static void check_figures(const json_t *obj, const char *what, int id)
{
	int64_t count, wait, max, p50, p90, p99, prev_upper, hist_count, hist_min_ns, hist_max_ns;
	int64_t first_lower, last_lower;
	const json_t *hist = field(obj, "runq_hist");
	struct ls_hist_sum sum;
	char where[96];
	size_t j;

	for (j = 0; j < NFIGURES; j++)
		ck_assert_msg(ls_int(obj, figure_fields[j]) >= 0, "%s %d: %s < 0", what, id,
			      figure_fields[j]);
	count = ls_int(obj, "runq_count");
	wait = ls_int(obj, "runq_wait_ns");
	max = ls_int(obj, "runq_max_ns");
	p50 = ls_int(obj, "runq_p50_ns");
	p90 = ls_int(obj, "runq_p90_ns");
	p99 = ls_int(obj, "runq_p99_ns");
	snprintf(where, sizeof(where), "%s %d runq_hist", what, id);
	ls_hist_sum(hist, where, &sum);
	hist_count = sum.count;
	hist_min_ns = sum.min_ns;
	hist_max_ns = sum.max_ns;
	first_lower = sum.first_lower;
	last_lower = sum.last_lower;
	prev_upper = sum.top_upper;
	ck_assert_msg(hist_count == count, "%s %d: runq_hist counts %lld waits, runq_count %lld",
		      what, id, (long long)hist_count, (long long)count);
	if (!count) {
		ck_assert_msg(!wait && !max,
			      "%s %d: no waits counted but %lld ns waited (max %lld)", what, id,
			      (long long)wait, (long long)max);
		return;
	}
	/* every wait lies in its bucket, so the total lies between the sums of the bounds */
	ck_assert_msg(wait >= hist_min_ns && wait <= hist_max_ns,
		      "%s %d: runq_wait_ns %lld outside what runq_hist allows [%lld, %lld]", what,
		      id, (long long)wait, (long long)hist_min_ns, (long long)hist_max_ns);
	ck_assert_msg(max >= last_lower && max < prev_upper,
		      "%s %d: runq_max_ns %lld not in the highest bucket [%lld, %lld)", what, id,
		      (long long)max, (long long)last_lower, (long long)prev_upper);
	ck_assert_msg(max <= wait, "%s %d: runq_max_ns %lld > runq_wait_ns %lld", what, id,
		      (long long)max, (long long)wait);
	ck_assert_msg(p50 <= p90 && p90 <= p99,
		      "%s %d: percentiles out of order p50 %lld p90 %lld p99 %lld", what, id,
		      (long long)p50, (long long)p90, (long long)p99);
	ck_assert_msg(p50 >= first_lower && p99 <= prev_upper,
		      "%s %d: percentiles p50 %lld p99 %lld outside the histogram [%lld, %lld)",
		      what, id, (long long)p50, (long long)p99, (long long)first_lower,
		      (long long)prev_upper);
}

/* Every process names its cgroup and how it was selected; the cgroups add up to the processes. */
static void check_cgroups(const json_t *report)
{
	static const char *const sums[] = {"cpu_ns", "runq_wait_ns", "voluntary_switches",
					   "involuntary_switches"};
	const json_t *processes = field(report, "processes"), *cgroups = field(report, "cgroups");
	const json_t *p, *g, *pids;
	size_t i, j, k, listed = 0;
	int64_t total;

	json_array_foreach(processes, i, p)
	{
		ck_assert_msg(strchr("/(", ls_str(p, "cgroup")[0]),
			      "process %lld: cgroup '%s' is neither a path nor a mark",
			      (long long)ls_int(p, "pid"), ls_str(p, "cgroup"));
		ls_str(p, "selected_by");
	}
	ck_assert_msg(json_is_array(cgroups), "cgroups is not an array");
	json_array_foreach(cgroups, i, g)
	{
		pids = field(g, "processes");
		listed += json_array_size(pids);
		for (k = 0; k < sizeof(sums) / sizeof(sums[0]); k++) {
			total = 0;
			json_array_foreach(pids, j, p)
			{
				const json_t *proc = ls_find_process(report, json_integer_value(p));

				ck_assert_msg(proc, "cgroup %s lists pid %lld, not a reported process",
					      ls_str(g, "path"), (long long)json_integer_value(p));
				ck_assert_str_eq(ls_str(proc, "cgroup"), ls_str(g, "path"));
				total += ls_int(proc, sums[k]);
			}
			ck_assert_msg(ls_int(g, sums[k]) == total,
				      "cgroup %s: %s %lld, its processes sum to %lld",
				      ls_str(g, "path"), sums[k], (long long)ls_int(g, sums[k]),
				      (long long)total);
		}
	}
	ck_assert_msg(listed == json_array_size(processes),
		      "cgroups list %zu processes, the report has %zu", listed,
		      json_array_size(processes));
}

void ls_check_report(const json_t *report)
{
	const json_t *processes, *drops, *command, *p, *t, *q;
	const char *program;
	size_t i, j, k;

	ck_assert_str_eq(ls_str(report, "schema"), "loadscope/1");
	ls_int(report, "version");
	ck_assert_msg(*ls_str(report, "kernel"), "empty kernel");
	ck_assert_int_gt(ls_int(report, "cpus"), 0);
	ck_assert_int_gt(ls_int(report, "duration_ns"), 0);
	command = field(report, "command");
	ck_assert_msg(json_is_array(command) || json_is_null(command),
		      "command is neither an array nor null");
	ck_assert_int_ge(ls_int(report, "command_exit"), -1);
	program = ls_str(report, "program");
	ck_assert_msg(!strcmp(program, "tp_btf") || !strcmp(program, "raw_tp"), "program is '%s'",
		      program);
	field(report, "targets");
	/* the tests stay far below the map limits: any drop is a bug */
	drops = field(report, "drops");
	ck_assert_int_eq(ls_int(drops, "threads_full"), 0);
	ck_assert_int_eq(ls_int(drops, "exited_full"), 0);

	processes = field(report, "processes");
	ck_assert_msg(json_is_array(processes), "processes is not an array");
	json_array_foreach(processes, i, p)
	{
		const json_t *threads = field(p, "threads");
		int64_t pid = ls_int(p, "pid"), sums[NFIGURES] = {0}, max = 0;

		ck_assert_int_gt(pid, 0);
		ck_assert_int_ge(ls_int(p, "ppid"), 0);
		ck_assert_msg(strlen(ls_str(p, "comm")) < 16, "process %lld: comm too long",
			      (long long)pid);
		ls_bool(p, "exited");
		check_figures(p, "process", (int)pid);
		for (k = i + 1; k < json_array_size(processes); k++) {
			q = json_array_get(processes, k);
			ck_assert_msg(ls_int(q, "pid") != pid, "process %lld reported twice",
				      (long long)pid);
		}
		ck_assert_msg(json_is_array(threads), "process %lld: threads is not an array",
			      (long long)pid);
		json_array_foreach(threads, j, t)
		{
			int64_t tid = ls_int(t, "tid");

			ck_assert_int_gt(tid, 0);
			ls_str(t, "comm");
			ls_bool(t, "exited");
			check_figures(t, "thread", (int)tid);
			for (k = 0; k < NFIGURES; k++)
				sums[k] += ls_int(t, figure_fields[k]);
			if (ls_int(t, "runq_max_ns") > max)
				max = ls_int(t, "runq_max_ns");
			for (k = j + 1; k < json_array_size(threads); k++) {
				q = json_array_get(threads, k);
				ck_assert_msg(ls_int(q, "tid") != tid,
					      "thread %lld reported twice in process %lld",
					      (long long)tid, (long long)pid);
			}
		}
		if (!json_array_size(threads))
			continue;
		/* the model defines a process's figures as the sum over its threads */
		for (k = 0; k < NFIGURES; k++)
			ck_assert_msg(ls_int(p, figure_fields[k]) == sums[k],
				      "process %lld: %s %lld but its threads sum to %lld",
				      (long long)pid, figure_fields[k],
				      (long long)ls_int(p, figure_fields[k]), (long long)sums[k]);
		ck_assert_msg(ls_int(p, "runq_max_ns") == max,
			      "process %lld: runq_max_ns %lld, its threads' max %lld",
			      (long long)pid, (long long)ls_int(p, "runq_max_ns"), (long long)max);
	}
	check_cgroups(report);
}

static void cmp_log(struct ls_cmp *c, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cmp_log(struct ls_cmp *c, bool ok, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (ls_verbose())
		printf("#   %s %s\n", ok ? "ok      " : "MISMATCH", line);
	if (ok)
		return;
	c->failures++;
	c->log = realloc(c->log, c->len + n + 3);
	ck_assert_ptr_nonnull(c->log);
	memcpy(c->log + c->len, "; ", 2);
	memcpy(c->log + c->len + 2, line, n + 1);
	c->len += n + 2;
}

/* Distance from v to the interval [lo, hi]. */
static uint64_t outside(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo - v : v > hi ? v - hi : 0;
}

void ls_cmp_time(struct ls_cmp *c, const char *what, uint64_t lo, uint64_t hi, uint64_t measured,
		 uint64_t floor_ns)
{
	uint64_t tolerance = (uint64_t)(hi * LS_TIME_TOLERANCE);
	char expected[64];

	if (tolerance < floor_ns)
		tolerance = floor_ns;
	if (lo == hi)
		snprintf(expected, sizeof(expected), "%.3f ms", hi / 1e6);
	else
		snprintf(expected, sizeof(expected), "%.3f..%.3f ms", lo / 1e6, hi / 1e6);
	cmp_log(c, outside(measured, lo, hi) <= tolerance,
		"%s: expected %s, measured %.3f ms (%+.2f%% of %.3f, allowed %.3f ms)", what,
		expected, measured / 1e6, hi ? 100.0 * ((double)measured - (double)hi) / hi : 0.0,
		hi / 1e6, tolerance / 1e6);
}

void ls_cmp_count(struct ls_cmp *c, const char *what, uint64_t lo, uint64_t hi, uint64_t measured,
		  uint64_t tolerance)
{
	char expected[64];

	if (lo == hi)
		snprintf(expected, sizeof(expected), "%llu", (unsigned long long)hi);
	else
		snprintf(expected, sizeof(expected), "%llu..%llu", (unsigned long long)lo,
			 (unsigned long long)hi);
	cmp_log(c, outside(measured, lo, hi) <= tolerance,
		"%s: expected %s, measured %llu (allowed +-%llu)", what, expected,
		(unsigned long long)measured, (unsigned long long)tolerance);
}

void ls_cmp_true(struct ls_cmp *c, bool ok, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cmp_log(c, ok, "%s", line);
}

void ls_cmp_done(struct ls_cmp *c, const char *test)
{
	int failures = c->failures;
	char *log = c->log;

	c->log = NULL;
	c->len = 0;
	c->failures = 0;
	ck_assert_msg(!failures, "%s: %d mismatch(es)%s", test, failures, log ? log : "");
	free(log);
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* Next program id above id into *next: 0, -ENOENT after the last one, or another -errno. */
static int next_prog_id(uint32_t id, uint32_t *next)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = id;
	if (sys_bpf(BPF_PROG_GET_NEXT_ID, &attr))
		return -errno;
	*next = attr.next_id;
	return 0;
}

uint32_t ls_bpf_max_prog_id(void)
{
	uint32_t id = 0, next;
	int err;

	while (!(err = next_prog_id(id, &next)))
		id = next;
	ck_assert_msg(err == -ENOENT, "BPF_PROG_GET_NEXT_ID: %s", strerror(-err));
	return id;
}

/* The ls_* programs with an id above baseline: ids and names; returns how many, or -errno. */
static int list_ls_progs(uint32_t baseline, uint32_t *ids, char (*names)[BPF_OBJ_NAME_LEN], int max)
{
	uint32_t id = baseline;
	int count = 0, err;

	while (!(err = next_prog_id(id, &id))) {
		struct bpf_prog_info info;
		union bpf_attr attr;
		int fd;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (fd < 0)
			continue; /* freed since it was listed */
		memset(&info, 0, sizeof(info));
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = fd;
		attr.info.info_len = sizeof(info);
		attr.info.info = (uint64_t)(unsigned long)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) && !strncmp(info.name, "ls_", 3) &&
		    count < max) {
			ids[count] = id;
			memcpy(names[count], info.name, BPF_OBJ_NAME_LEN);
			count++;
		}
		close(fd);
	}
	return err == -ENOENT ? count : err;
}

int ls_count_progs(uint32_t baseline, char *buf, size_t len)
{
	char names[MAX_LEFT][BPF_OBJ_NAME_LEN];
	uint32_t ids[MAX_LEFT];
	size_t used = 0;
	int n, i;

	n = list_ls_progs(baseline, ids, names, MAX_LEFT);
	if (len)
		buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		snprintf(buf + used, len - used, "%s%.*s (id %u)", i ? ", " : "", BPF_OBJ_NAME_LEN,
			 names[i], ids[i]);
		used = strlen(buf);
	}
	return n;
}

/* Parent of pid from /proc, 0 when gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* the comm field may hold spaces and parentheses: the fields resume after the last ')' */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

static bool in_test_tree(pid_t pid)
{
	pid_t self = getpid();

	while (pid > 1) {
		if (pid == self)
			return true;
		pid = parent_of(pid);
	}
	return false;
}

/*
 * Whether a live process outside this test holds program id, as a program or link fd: then it
 * belongs to another loadscope on the machine (e.g. a developer's), not to the run under test.
 * A program nobody holds, or one held by a process this test started, is the run's leftover.
 */
static bool held_elsewhere(uint32_t id)
{
	bool elsewhere = false, ours = false;
	DIR *proc = opendir("/proc");
	struct dirent *pe, *fe;
	char path[300], line[128];

	if (!proc)
		return false;
	while ((pe = readdir(proc))) {
		pid_t pid = atoi(pe->d_name);
		bool holds = false;
		DIR *fdinfo;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
		fdinfo = opendir(path);
		if (!fdinfo)
			continue;
		while (!holds && (fe = readdir(fdinfo))) {
			unsigned int prog_id;
			FILE *f;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fe->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f)) {
				if (sscanf(line, "prog_id: %u", &prog_id) == 1 && prog_id == id) {
					holds = true;
					break;
				}
			}
			fclose(f);
		}
		closedir(fdinfo);
		if (holds) {
			if (in_test_tree(pid))
				ours = true;
			else
				elsewhere = true;
		}
	}
	closedir(proc);
	return elsewhere && !ours;
}

void ls_assert_no_progs(uint32_t baseline)
{
	char names[MAX_LEFT][BPF_OBJ_NAME_LEN], list[1024] = "";
	uint32_t ids[MAX_LEFT];
	double start = ls_now_s();
	int n, i, left;

	for (;;) {
		n = list_ls_progs(baseline, ids, names, MAX_LEFT);
		ck_assert_msg(n >= 0, "cannot list BPF programs: %s", strerror(-n));
		for (i = left = 0; i < n; i++) {
			size_t used = strlen(list);

			if (held_elsewhere(ids[i])) {
				if (ls_verbose())
					printf("#   ignored %s (id %u): held by a process outside "
					       "this test\n",
					       names[i], ids[i]);
				continue;
			}
			if (used < sizeof(list))
				snprintf(list + used, sizeof(list) - used, "%s%.*s (id %u)",
					 left ? ", " : "", BPF_OBJ_NAME_LEN, names[i], ids[i]);
			left++;
		}
		if (!left || ls_now_s() - start > PROG_RELEASE_WAIT_S)
			break;
		list[0] = '\0';
		ls_sleep_s(0.02);
	}
	ck_assert_msg(!left, "%d BPF program(s) still loaded after loadscope exited: %s", left,
		      list);
}

/*
 * The oracle's figure for one field: the value at the workload's last reading, and the least
 * loadscope may have seen. A process loadscope started existed before the programs were attached
 * (it was forked, then released once they were); what it did before main() is in "at_start", and
 * loadscope counted from some moment in between, so its figure lies in [end - start, end].
 */
static void oracle_range(const json_t *oracle, const char *key, uint64_t *lo, uint64_t *hi)
{
	const json_t *start = json_object_get(oracle, "at_start");

	*hi = ls_int(oracle, key);
	*lo = start ? *hi - ls_int(start, key) : *hi;
}

/* Compares a thread's or process's figures with the oracle the workload wrote for it. */
void ls_compare_task(struct ls_cmp *c, const char *who, const json_t *oracle,
		     const json_t *measured)
{
	static const struct {
		const char *oracle_key, *report_key;
		uint64_t floor_ns; /* 0 for counts */
	} fields[] = {
		{"cpu_ns", "cpu_ns", LS_CPU_FLOOR_NS},
		{"runq_wait_ns", "runq_wait_ns", LS_RUNQ_FLOOR_NS},
		/* every switch-in ends one wait, and schedstat's pcount counts switch-ins */
		{"runs", "runq_count", 0},
		{"voluntary", "voluntary_switches", 0},
		{"involuntary", "involuntary_switches", 0},
		{"migrations", "migrations", 0},
	};
	uint64_t lo, hi, got;
	char what[96];
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		/* /proc/<tid>/sched, where migrations come from, is optional */
		if (!json_object_get(oracle, fields[i].oracle_key))
			continue;
		oracle_range(oracle, fields[i].oracle_key, &lo, &hi);
		got = ls_int(measured, fields[i].report_key);
		snprintf(what, sizeof(what), "%s %s", who, fields[i].report_key);
		if (fields[i].floor_ns)
			ls_cmp_time(c, what, lo, hi, got, fields[i].floor_ns);
		else
			ls_cmp_count(c, what, lo, hi, got, LS_COUNT_TOLERANCE);
	}
}

/*
 * loadscope (run with -v) in the background, returned once it has attached its programs and
 * seeded the targets found at the start: what happens next can only be seen by the programs.
 */
pid_t ls_start_observer(const struct ls_args *a, const char *err_path)
{
	pid_t ls = ls_spawn(a->argv, NULL, err_path);

	for (double t0 = ls_now_s(); ls_now_s() - t0 < 60; ls_sleep_s(0.01)) {
		if (strstr(ls_file_tail(err_path), "; observing\n"))
			return ls;
		ck_assert_msg(waitpid(ls, NULL, WNOHANG) == 0, "loadscope exited at start: %s",
			      ls_file_tail(err_path));
	}
	ck_abort_msg("loadscope did not start observing within 60 s: %s", ls_file_tail(err_path));
	return -1;
}
