/* Test workload: two processes bounce a byte over pipes and report their switch counts. */
#define _GNU_SOURCE
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

int main(int argc, char **argv)
{
	struct task_oracle parent_start, parent_end, child_result[2];
	int to_child[2], to_parent[2], result[2];
	long rounds, i;
	int status;
	char byte = 'x';
	pid_t child;
	json_t *root;

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
		struct task_oracle own[2];

		oracle_read_self(&own[0]);
		for (i = 0; i < rounds; i++) {
			xread(to_child[0], &byte, 1);
			xwrite(to_parent[1], &byte, 1);
		}
		oracle_read_self(&own[1]);
		/* a pipe write of this size never blocks, so nothing is added after the reading */
		xwrite(result[1], own, sizeof(own));
		_exit(0);
	}

	for (i = 0; i < rounds; i++) {
		xwrite(to_child[1], &byte, 1);
		xread(to_parent[0], &byte, 1);
	}
	/* wait for the child first: blocking after our own reading would add uncounted switches */
	xread(result[0], child_result, sizeof(child_result));
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		oracle_die("pingpong: child failed");
	oracle_read_self(&parent_end);

	root = json_pack("{s:I, s:o, s:o}", "rounds", (json_int_t)rounds, "parent",
			 side_json(getpid(), &parent_start, &parent_end), "child",
			 side_json(child, &child_result[0], &child_result[1]));
	oracle_write(root, argv[1]);
	return 0;
}
