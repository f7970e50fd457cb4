/*
 * Test workload: a known split of CPU time between user space and the kernel. Each round spins
 * USER_MS in user space, then reads /dev/zero in 1 MiB calls for KERNEL_MS (the kernel clears
 * the buffer: nearly all of that time is in the syscall). At the end it reports the kernel's own
 * split for the thread, getrusage(RUSAGE_THREAD), and the time it spent in each part.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>

#include "oracle.h"

#define USAGE	 "cpusplit OUT.json ROUNDS USER_MS KERNEL_MS"
#define READ_LEN (1 << 20)

/*
 * Spins in user space for about `seconds`, reading the clock only every 2^20 iterations (about a
 * millisecond): where the vDSO cannot read the clock (an emulated guest's clock source) a read
 * is a syscall, and the user part should make as few as can be.
 */
static void spin_user(double seconds)
{
	double deadline = oracle_now_s() + seconds;
	volatile uint64_t sink = 0;

	do {
		for (uint64_t i = 0; i < (1u << 20); i++)
			sink += i;
	} while (oracle_now_s() < deadline);
}

static json_int_t timeval_ns(struct timeval tv)
{
	return (json_int_t)tv.tv_sec * 1000000000LL + (json_int_t)tv.tv_usec * 1000LL;
}

int main(int argc, char **argv)
{
	double user_s, kernel_s, in_reads = 0, t0, deadline;
	long rounds, reads = 0;
	struct rusage ru;
	json_t *root;
	char *buf;
	int fd;

	if (argc != 5)
		oracle_die("usage: %s", USAGE);
	rounds = (long)oracle_arg_positive(argv[2], USAGE);
	user_s = oracle_arg_positive(argv[3], USAGE) / 1000.0;
	kernel_s = oracle_arg_positive(argv[4], USAGE) / 1000.0;
	buf = malloc(READ_LEN);
	fd = open("/dev/zero", O_RDONLY);
	if (!buf || fd < 0)
		oracle_die("cpusplit: cannot open /dev/zero: %s", strerror(errno));
	/* the buffer's pages faulted in once, before any part is timed */
	memset(buf, 1, READ_LEN);
	for (long i = 0; i < rounds; i++) {
		spin_user(user_s);
		t0 = oracle_now_s();
		deadline = t0 + kernel_s;
		do {
			if (read(fd, buf, READ_LEN) != READ_LEN)
				oracle_die("cpusplit: read /dev/zero: %s", strerror(errno));
			reads++;
		} while (oracle_now_s() < deadline);
		in_reads += oracle_now_s() - t0;
	}
	if (getrusage(RUSAGE_THREAD, &ru))
		oracle_die("cpusplit: getrusage: %s", strerror(errno));
	root = json_pack("{s:i, s:i, s:I, s:I, s:I, s:I}", "pid", (int)getpid(), "tid",
			 (int)gettid(), "utime_ns", timeval_ns(ru.ru_utime), "stime_ns",
			 timeval_ns(ru.ru_stime), "reads", (json_int_t)reads, "in_reads_ns",
			 (json_int_t)(in_reads * 1e9));
	oracle_write(root, argv[1]);
	return 0;
}
