/*
 * Test workload for CPU quotas: a thread that spins on command, for a cgroup with a quota to
 * throttle, and reports its own scheduler accounting as JSON.
 *
 *   throttled OUT.json SECONDS READY   blocks until SIGUSR1 (READY is created once it waits),
 *                                      spins one thread SECONDS, writes OUT.json, exits
 *   throttled --go PID                 sends PID the SIGUSR1, waits for it to exit, then idles
 *
 * The second form is the load of `loadscope -p PID -- throttled --go PID`: the spinning starts
 * after loadscope has attached and ends before it detaches, so the cgroup's counters move only
 * inside the run, and a test's reading of cpu.stat before and after it is loadscope's oracle.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

#include "oracle.h"

#define USAGE "throttled OUT.json SECONDS READY | throttled --go PID"
/*
 * --go idles this long after the target exited: the cgroup's period timer, restarted by the
 * target's last steps, ticks on (counting periods) until a period passes in which the group
 * used nothing, about 2 periods; so its last counts land inside loadscope's run.
 */
#define IDLE_TAIL_MS 300
/* The spinner sleeps this long once it has spun: 2.5 periods of 100 ms, its quota back. */
#define SETTLE_MS 250

struct spinner {
	pthread_t thread;
	double seconds;
	int tid;
	int release[2]; /* a pipe: the spinner, done, blocks reading it until main writes */
	int done[2];	/* the spinner writes a byte here once it has spun */
};

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	char byte;

	s->tid = gettid();
	oracle_spin(s->seconds);
	/*
	 * its group may still be throttled: were it woken so, it would wait out the period after
	 * the oracle is read; asleep a few periods, the group gets its quota back first
	 */
	oracle_sleep_ms(SETTLE_MS);
	if (write(s->done[1], "x", 1) != 1 || read(s->release[0], &byte, 1) != 1)
		oracle_die("throttled: pipe: %s", strerror(errno));
	return NULL;
}

/* The load: start the target, then wait until it has exited (a zombie of its parent's). */
static int go(const char *arg)
{
	struct pollfd p = {.events = POLLIN};
	int pid = atoi(arg);

	if (pid <= 0)
		oracle_die("usage: %s", USAGE);
	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd < 0)
		oracle_die("throttled: pidfd_open %d: %s", pid, strerror(errno));
	if (kill(pid, SIGUSR1))
		oracle_die("throttled: kill %d: %s", pid, strerror(errno));
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			oracle_die("throttled: poll: %s", strerror(errno));
	oracle_sleep_ms(IDLE_TAIL_MS);
	return 0;
}

int main(int argc, char **argv)
{
	struct spinner s = {0};
	struct task_oracle o;
	sigset_t usr1;
	json_t *root;
	char byte;
	int sig, fd;

	if (argc == 3 && !strcmp(argv[1], "--go"))
		return go(argv[2]);
	if (argc != 4)
		oracle_die("usage: %s", USAGE);
	/* blocked before READY exists, so the signal can only be waited for, never kill */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL))
		oracle_die("throttled: sigprocmask: %s", strerror(errno));
	s.seconds = oracle_arg_positive(argv[2], USAGE);
	fd = open(argv[3], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		oracle_die("throttled: create %s: %s", argv[3], strerror(errno));
	close(fd);
	if (sigwait(&usr1, &sig))
		oracle_die("throttled: sigwait failed");

	/* the spinner is created now: in whatever cgroup the test has moved this process to */
	if (pipe(s.release) || pipe(s.done))
		oracle_die("throttled: pipe: %s", strerror(errno));
	if ((errno = pthread_create(&s.thread, NULL, spinner_main, &s)))
		oracle_die("throttled: pthread_create: %s", strerror(errno));
	if (read(s.done[0], &byte, 1) != 1)
		oracle_die("throttled: read: %s", strerror(errno));
	oracle_read_blocked(getpid(), s.tid, &o);
	if (write(s.release[1], "x", 1) != 1)
		oracle_die("throttled: write: %s", strerror(errno));
	pthread_join(s.thread, NULL);

	root = json_pack("{s:i, s:i, s:f, s:o}", "pid", (int)getpid(), "tid", s.tid, "seconds",
			 s.seconds, "spinner", oracle_json(&o));
	oracle_write(root, argv[1]);
	return 0;
}
