/*
 * Test workload: a process that is blocked when an observer attaches and again when it detaches,
 * and does known work in between, for a test that reads its schedstat while it is blocked.
 *
 * gate serve GO DONE SPIN_MS NAPS NAP_MS: prints "ready", blocks reading the FIFO GO; at a byte,
 * spins SPIN_MS, sleeps NAPS times NAP_MS (voluntary switches), writes a byte to the FIFO DONE
 * and blocks reading GO again, until it reads end of file or is killed.
 * gate trigger GO DONE PID: writes the byte to GO, waits for the byte on DONE, then until PID
 * (the server) sleeps again, in its read of GO: the load command of
 * `loadscope -p PID -- gate trigger GO DONE PID`, which starts it once the targets are seeded, so
 * the run ends with the server blocked.
 */
#define _GNU_SOURCE
#include <fcntl.h>

#include "oracle.h"

#define USAGE "gate serve GO DONE SPIN_MS NAPS NAP_MS | gate trigger GO DONE PID"

static int open_fifo(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		oracle_die("gate: %s: %s", path, strerror(errno));
	return fd;
}

static void serve(const char *go, const char *done, double spin_s, long naps, long nap_ms)
{
	/* read-write: opening does not wait for the other end, and the FIFOs never see end of file
	 */
	int go_fd = open_fifo(go, O_RDWR), done_fd = open_fifo(done, O_RDWR);
	char byte;

	printf("ready %d 0\n", (int)getpid());
	fflush(stdout);
	while (read(go_fd, &byte, 1) == 1) {
		oracle_spin(spin_s);
		for (long i = 0; i < naps; i++)
			oracle_sleep_ms(nap_ms);
		if (write(done_fd, "d", 1) != 1)
			oracle_die("gate: write: %s", strerror(errno));
	}
}

/* The state letter of /proc/PID/stat (R, S, D, ...). */
static char task_state(int pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		oracle_die("gate: %s: %s", path, strerror(errno));
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* after the comm, which may hold anything */
	return p && p[1] == ' ' ? p[2] : '?';
}

static void trigger(const char *go, const char *done, int pid)
{
	int go_fd = open_fifo(go, O_WRONLY), done_fd = open_fifo(done, O_RDONLY);
	char byte;

	if (write(go_fd, "g", 1) != 1 || read(done_fd, &byte, 1) != 1)
		oracle_die("gate: trigger: %s", strerror(errno));
	/* after its write, the server's only sleep is the read of GO: the end of its work */
	for (int i = 0; task_state(pid) != 'S'; i++) {
		if (i == 10000)
			oracle_die("gate: %d did not block again", pid);
		oracle_sleep_ms(1);
	}
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "serve")) {
		serve(argv[2], argv[3], oracle_arg_positive(argv[4], USAGE) / 1000,
		      (long)oracle_arg_positive(argv[5], USAGE),
		      (long)oracle_arg_positive(argv[6], USAGE));
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "trigger")) {
		trigger(argv[2], argv[3], (int)oracle_arg_positive(argv[4], USAGE));
		return 0;
	}
	oracle_die("usage: %s", USAGE);
	return 1;
}
