/* Test workload: two processes bounce a byte over pipes and report their switch counts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/wait.h>

#include "oracle.h"

#define USAGE "pingpong OUT.json ROUNDS"

static void xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		oracle_die("pingpong: write: %s", strerror(errno));
}

static void xread(int fd, void *buf, size_t len)
{
	if (read(fd, buf, len) != (ssize_t)len)
		oracle_die("pingpong: read: %s", strerror(errno));
}

static json_t *side_json(int pid, const struct task_oracle *start, const struct task_oracle *end)
{
	json_t *obj = oracle_json(end);

	json_object_set_new(obj, "pid", json_integer(pid));
	/* figures when main() began: what the process did before, e.g. while its launcher waited */
	json_object_set_new(obj, "at_start", oracle_json(start));
	return obj;
}

/* The migrations member of a figures object, or nothing when the kernel does not tell them. */
static const char *migrations(const struct task_oracle *o)
{
	static char buf[48];

	if (!o->has_migrations)
		return "";
	snprintf(buf, sizeof(buf), ",\"migrations\":%llu", (unsigned long long)o->migrations);
	return buf;
}

int main(int argc, char **argv)
{
	struct task_oracle parent_start, parent_end, child_start, child_end;
	int to_child[2], to_parent[2], result[2];
	long rounds, i;
	int status;
	char byte = 'x';
	char tail[256], *text;
	siginfo_t info;
	size_t len;
	pid_t child;
	json_t *root;
	int fd, n;

	oracle_read_self(&parent_start);
	if (argc != 3)
		oracle_die("usage: %s", USAGE);
	rounds = (long)oracle_arg_positive(argv[2], USAGE);
	if (pipe(to_child) || pipe(to_parent) || pipe(result))
		oracle_die("pingpong: pipe: %s", strerror(errno));

	child = fork();
	if (child < 0)
		oracle_die("pingpong: fork: %s", strerror(errno));
	if (child == 0) {
		struct task_oracle own;

		oracle_read_self(&own);
		for (i = 0; i < rounds; i++) {
			xread(to_child[0], &byte, 1);
			xwrite(to_parent[1], &byte, 1);
		}
		/* its final figures, exit included, are read by the parent from the zombie */
		xwrite(result[1], &own, sizeof(own));
		_exit(0);
	}

	for (i = 0; i < rounds; i++) {
		xwrite(to_child[1], &byte, 1);
		xread(to_parent[0], &byte, 1);
	}
	/* wait for the child first: blocking after our own reading would add uncounted switches */
	xread(result[0], &child_start, sizeof(child_start));
	if (waitid(P_PID, child, &info, WEXITED | WNOWAIT) || info.si_code != CLD_EXITED ||
	    info.si_status)
		oracle_die("pingpong: child failed");
	oracle_read_task(child, child, &child_end);
	if (waitpid(child, &status, 0) != child)
		oracle_die("pingpong: waitpid: %s", strerror(errno));
	/*
	 * Our own figures come last, and only a write and _exit() follow them: everything else is
	 * done before, so the exit is all the kernel counts after our reading, even on a slow CPU.
	 * The document is written with "parent" last and its final figures appended.
	 */
	root = json_pack("{s:I, s:o, s:{s:i, s:o}}", "rounds", (json_int_t)rounds, "child",
			 side_json(child, &child_start, &child_end), "parent", "pid", (int)getpid(),
			 "at_start", oracle_json(&parent_start));
	text = root ? json_dumps(root, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!text || fd < 0)
		oracle_die("pingpong: cannot create %s: %s", argv[1], strerror(errno));
	len = strlen(text) - 2; /* without the closing "}}" */
	/* a switch refreshes se.sum_exec_runtime, which a running task's own reading sees stale */
	oracle_sleep_ms(1);
	oracle_read_self(&parent_end);
	n = snprintf(tail, sizeof(tail),
		     ",\"cpu_ns\":%llu,\"runq_wait_ns\":%llu,\"runs\":%llu,\"voluntary\":%llu,"
		     "\"involuntary\":%llu%s}}\n",
		     (unsigned long long)parent_end.cpu_ns,
		     (unsigned long long)parent_end.runq_wait_ns,
		     (unsigned long long)parent_end.runs, (unsigned long long)parent_end.voluntary,
		     (unsigned long long)parent_end.involuntary, migrations(&parent_end));
	if (write(fd, text, len) != (ssize_t)len || write(fd, tail, n) != n || close(fd))
		oracle_die("pingpong: cannot write %s", argv[1]);
	_exit(0);
}
