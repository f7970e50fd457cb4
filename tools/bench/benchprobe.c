/*
 * Helper for the benchmarks: BPF program run statistics, attach detection, a loader's start-up
 * cost, a loop of write(2) calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>

#define POLL_NS 5000000L /* 5 ms between looks at the program and link lists */
#define MAX_IDS 4096	 /* far more programs or links than a test machine holds */

static const char usage[] = "usage: benchprobe maxid\n"
			    "       benchprobe stats BASELINE\n"
			    "       benchprobe wait PREFIX BASELINE TIMEOUT_S\n"
			    "       benchprobe launch PREFIX -- COMMAND [ARGS...]\n"
			    "       benchprobe writes COUNT\n";

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ids above baseline of programs (BPF_PROG_GET_NEXT_ID) or links (BPF_LINK_GET_NEXT_ID). */
static int list_ids(int cmd, uint32_t baseline, uint32_t *ids, int max)
{
	union bpf_attr attr;
	uint32_t id = baseline;
	int n = 0;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(cmd, &attr))
			return errno == ENOENT ? n : -errno;
		id = attr.next_id;
		if (n < max)
			ids[n++] = id;
	}
}

static int prog_info(uint32_t id, struct bpf_prog_info *info)
{
	union bpf_attr attr;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return -errno;
	memset(info, 0, sizeof(*info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = (uint64_t)(unsigned long)info;
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? -errno : 0;
	close(fd);
	return err;
}

static int link_prog_id(uint32_t id, uint32_t *prog_id)
{
	struct bpf_link_info info;
	union bpf_attr attr;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.link_id = id;
	fd = sys_bpf(BPF_LINK_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(unsigned long)&info;
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? -errno : 0;
	close(fd);
	*prog_id = info.prog_id;
	return err;
}

static uint32_t max_prog_id(void)
{
	static uint32_t ids[MAX_IDS];
	int n = list_ids(BPF_PROG_GET_NEXT_ID, 0, ids, MAX_IDS);

	return n > 0 ? ids[n - 1] : 0;
}

/* True when programs named PREFIX* above baseline exist and every one of them has a link. */
static bool all_attached(const char *prefix, uint32_t baseline)
{
	static uint32_t progs[MAX_IDS], links[MAX_IDS], linked[MAX_IDS];
	int nprogs, nlinks, nlinked = 0, mine = 0, i, j;
	struct bpf_prog_info info;

	nprogs = list_ids(BPF_PROG_GET_NEXT_ID, baseline, progs, MAX_IDS);
	nlinks = list_ids(BPF_LINK_GET_NEXT_ID, 0, links, MAX_IDS);
	for (i = 0; i < nlinks; i++) {
		if (!link_prog_id(links[i], &linked[nlinked]))
			nlinked++;
	}
	for (i = 0; i < nprogs; i++) {
		if (prog_info(progs[i], &info) || strncmp(info.name, prefix, strlen(prefix)))
			continue;
		mine++;
		for (j = 0; j < nlinked && linked[j] != progs[i]; j++)
			;
		if (j == nlinked)
			return false;
	}
	return mine > 0;
}

static void sleep_poll(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = POLL_NS};

	nanosleep(&ts, NULL);
}

static int cmd_stats(uint32_t baseline)
{
	static uint32_t ids[MAX_IDS];
	struct bpf_prog_info info;
	int n, i;

	n = list_ids(BPF_PROG_GET_NEXT_ID, baseline, ids, MAX_IDS);
	if (n < 0) {
		fprintf(stderr, "benchprobe: cannot list BPF programs: %s\n", strerror(-n));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!prog_info(ids[i], &info))
			printf("%u %s %llu %llu\n", ids[i], info.name[0] ? info.name : "-",
			       (unsigned long long)info.run_cnt,
			       (unsigned long long)info.run_time_ns);
	}
	return 0;
}

static int cmd_wait(const char *prefix, uint32_t baseline, double timeout_s)
{
	double start = now_s();

	while (!all_attached(prefix, baseline)) {
		if (now_s() - start > timeout_s)
			return 1;
		sleep_poll();
	}
	return 0;
}

/* Runs COMMAND; prints when its PREFIX* programs were all attached, its peak RSS and CPU time. */
static int cmd_launch(const char *prefix, char **argv)
{
	uint32_t baseline = max_prog_id();
	double start, attach_ms = -1;
	struct rusage ru;
	int wstatus;
	pid_t pid;

	start = now_s();
	pid = fork();
	if (pid < 0) {
		perror("benchprobe: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "benchprobe: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		pid_t got = wait4(pid, &wstatus, WNOHANG, &ru);

		if (got == pid)
			break;
		if (attach_ms < 0 && all_attached(prefix, baseline))
			attach_ms = (now_s() - start) * 1e3;
		if (attach_ms < 0)
			sleep_poll();
		else if (wait4(pid, &wstatus, 0, &ru) == pid)
			break;
	}
	printf("attach_ms=%.1f maxrss_kb=%ld user_ms=%.1f sys_ms=%.1f status=%d\n", attach_ms,
	       ru.ru_maxrss, ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
	       ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
	       WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
	return 0;
}

/*
 * COUNT write(2) calls of one byte to /dev/null; prints the loop's wall time and its own CPU
 * time (user + system, which holds the time BPF programs run in its syscalls).
 */
static int cmd_writes(long count)
{
	struct rusage before, after;
	double start, wall;
	char byte = 'w';
	long i;
	int fd;

	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || count <= 0) {
		fprintf(stderr, "benchprobe: writes: %s\n", fd < 0 ? strerror(errno) : "bad COUNT");
		return 1;
	}
	getrusage(RUSAGE_SELF, &before);
	start = now_s();
	for (i = 0; i < count; i++) {
		if (write(fd, &byte, 1) != 1) {
			perror("benchprobe: write");
			return 1;
		}
	}
	wall = now_s() - start;
	getrusage(RUSAGE_SELF, &after);
	printf("wall_ns=%.0f cpu_ns=%.0f\n", wall * 1e9,
	       (after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec -
		before.ru_stime.tv_sec) *
			       1e9 +
		       (after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec -
			before.ru_stime.tv_usec) *
			       1e3);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "maxid")) {
		printf("%u\n", max_prog_id());
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "stats"))
		return cmd_stats(strtoul(argv[2], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "wait"))
		return cmd_wait(argv[2], strtoul(argv[3], NULL, 10), atof(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "writes"))
		return cmd_writes(strtol(argv[2], NULL, 10));
	if (argc >= 5 && !strcmp(argv[1], "launch") && !strcmp(argv[3], "--"))
		return cmd_launch(argv[2], argv + 4);
	fputs(usage, stderr);
	return 2;
}
