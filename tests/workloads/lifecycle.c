/* Test workload: a late thread, a child with an exec'ing grandchild and a short-lived child. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "oracle.h"

#define USAGE		 "lifecycle OUT.json [DELAY_MS]"
#define COMM_LEN	 16  /* the kernel's comm length, NUL included */
#define DEFAULT_DELAY_MS 200 /* time for an observer that started us to finish attaching */
#define EXEC_PATH	 "/bin/true"
#define EXEC_COMM	 "true" /* the comm the kernel gives a task that execs EXEC_PATH */

/* Written by the children, read by the parent after it has reaped them. */
struct shared {
	int grandchild_pid;
	int grandchild_status;
};

static void *thread_main(void *arg)
{
	*(int *)arg = gettid();
	oracle_spin(0.1);
	return NULL;
}

/*
 * A process as {pid, ppid, comm, exit}, or a thread as {tid, pid, comm} when status is -1; with
 * max_cpu_ns when not 0: the most on-CPU time the task can have had, its whole life included.
 */
static json_t *task_json(int id, int parent, const char *comm, int status, uint64_t max_cpu_ns)
{
	json_t *obj = json_pack("{s:i, s:i, s:s}", status < 0 ? "tid" : "pid", id,
				status < 0 ? "pid" : "ppid", parent, "comm", comm);

	if (status >= 0)
		json_object_set_new(obj, "exit", json_integer(status));
	if (max_cpu_ns)
		json_object_set_new(obj, "max_cpu_ns", json_integer((json_int_t)max_cpu_ns));
	return obj;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int thread_tid = 0, child_status, early_status, err;
	struct task_oracle child_end;
	double thread_start, thread_life_s;
	siginfo_t info;
	char comm[COMM_LEN] = "";
	pid_t child, early, self = getpid();
	long delay_ms = DEFAULT_DELAY_MS;
	struct shared *shared;
	pthread_t thread;
	json_t *root;
	FILE *f;

	if (argc != 2 && argc != 3)
		oracle_die("usage: %s", USAGE);
	if (argc == 3)
		delay_ms = (long)oracle_arg_positive(argv[2], USAGE);
	f = fopen("/proc/self/comm", "r");
	if (!f || !fgets(comm, sizeof(comm), f))
		oracle_die("lifecycle: cannot read /proc/self/comm");
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (shared == MAP_FAILED)
		oracle_die("lifecycle: mmap: %s", strerror(errno));

	oracle_sleep_ms(delay_ms);

	/* the thread's whole life lies between these two stamps: a bound of its on-CPU time */
	thread_start = oracle_now_s();
	err = pthread_create(&thread, NULL, thread_main, &thread_tid);
	if (err)
		oracle_die("lifecycle: pthread_create: %s", strerror(err));

	child = fork();
	if (child < 0)
		oracle_die("lifecycle: fork: %s", strerror(errno));
	if (child == 0) {
		pid_t grandchild = fork();
		int status;

		if (grandchild < 0)
			_exit(1);
		if (grandchild == 0) {
			execl(EXEC_PATH, EXEC_PATH, (char *)NULL);
			_exit(127);
		}
		shared->grandchild_pid = grandchild;
		oracle_spin(0.1);
		if (waitpid(grandchild, &status, 0) != grandchild)
			_exit(1);
		shared->grandchild_status = exit_code(status);
		_exit(0);
	}

	early = fork();
	if (early < 0)
		oracle_die("lifecycle: fork: %s", strerror(errno));
	if (early == 0)
		_exit(0);

	pthread_join(thread, NULL);
	thread_life_s = oracle_now_s() - thread_start;
	/* outlive everything created above, so an observer following us sees each of them end */
	oracle_sleep_ms(300);
	/* the child's final figures, its exit included, from the zombie */
	if (waitid(P_PID, child, &info, WEXITED | WNOWAIT))
		oracle_die("lifecycle: waitid: %s", strerror(errno));
	oracle_read_task(child, child, &child_end);
	if (waitpid(child, &child_status, 0) != child || waitpid(early, &early_status, 0) != early)
		oracle_die("lifecycle: waitpid: %s", strerror(errno));

	root = json_pack(
		"{s:i, s:i, s:s, s:o, s:o, s:o, s:o}", "pid", (int)self, "ppid", (int)getppid(),
		"comm", comm, "thread",
		task_json(thread_tid, self, comm, -1, (uint64_t)(thread_life_s * 1e9)), "child",
		task_json(child, self, comm, exit_code(child_status), child_end.cpu_ns),
		"grandchild",
		task_json(shared->grandchild_pid, child, EXEC_COMM, shared->grandchild_status, 0),
		"early_child", task_json(early, self, comm, exit_code(early_status), 0));
	oracle_write(root, argv[1]);
	return exit_code(child_status) || shared->grandchild_status || exit_code(early_status);
}
