// SPDX-License-Identifier: GPL-2.0
/* Reading /proc: process tree, threads, names and the kernel's own scheduler accounting. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets/procfs.h"

static int read_small_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n ? 0 : -ENODATA;
}

int proc_exists(int pid)
{
	char path[64];
	char buf[256];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	return read_small_file(path, buf, sizeof(buf)) == 0;
}

/* "tid (comm) state ppid ...": comm may hold any byte, ')' included: the last one closes it. */
static int split_stat(const char *buf, const char **open, const char **close)
{
	*open = strchr(buf, '(');
	*close = strrchr(buf, ')');
	if (!*open || !*close || *close < *open || (*close)[1] != ' ' || !(*close)[2])
		return -EINVAL;
	return 0;
}

int proc_parse_stat(const char *buf, int *ppid, char *comm, size_t commlen, char *state)
{
	const char *open, *close;
	int ret = split_stat(buf, &open, &close);

	if (ret)
		return ret;
	if (comm && commlen) {
		size_t n = (size_t)(close - open - 1);

		if (n >= commlen)
			n = commlen - 1;
		memcpy(comm, open + 1, n);
		comm[n] = '\0';
	}
	if (state)
		*state = close[2];
	if (ppid && sscanf(close + 2, "%*c %d", ppid) != 1)
		return -EINVAL;
	return 0;
}

int proc_parse_syscall(const char *buf, long *nr, unsigned long args[PROC_SYSCALL_ARGS])
{
	char *end;
	const char *at;

	/* "running" while on a CPU; else the number (-1: not in a syscall) and the arguments */
	errno = 0;
	*nr = strtol(buf, &end, 10);
	if (end == buf || errno)
		return -EINVAL;
	for (int i = 0; args && i < PROC_SYSCALL_ARGS; i++) {
		/* each argument in hexadecimal, "0x..."; none after -1 */
		at = end;
		args[i] = *nr >= 0 ? strtoul(at, &end, 16) : 0;
		if (*nr >= 0 && (end == at || errno))
			return -EINVAL;
	}
	return 0;
}

int proc_parse_schedstat(const char *buf, struct proc_schedstat *out)
{
	unsigned long long cpu, wait, runs;

	if (sscanf(buf, "%llu %llu %llu", &cpu, &wait, &runs) != 3)
		return -EINVAL;
	out->cpu_ns = cpu;
	out->runq_wait_ns = wait;
	out->runs = runs;
	return 0;
}

static int read_task_file(int pid, int tid, const char *name, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid, name);
	return read_small_file(path, buf, len);
}

int proc_task_stat(int pid, int tid, int *ppid, char *comm, size_t commlen)
{
	char buf[1024];
	int ret = read_task_file(pid, tid, "stat", buf, sizeof(buf));

	return ret ? ret : proc_parse_stat(buf, ppid, comm, commlen, NULL);
}

int proc_task_state(int pid, int tid, char *state)
{
	char buf[1024];
	int ret = read_task_file(pid, tid, "stat", buf, sizeof(buf));

	return ret ? ret : proc_parse_stat(buf, NULL, NULL, 0, state);
}

int proc_task_syscall(int pid, int tid, long *nr, unsigned long args[PROC_SYSCALL_ARGS])
{
	char buf[256];
	int ret = read_task_file(pid, tid, "syscall", buf, sizeof(buf));

	return ret ? ret : proc_parse_syscall(buf, nr, args);
}

int proc_task_comm(int pid, int tid, char *comm, size_t commlen)
{
	int ret = read_task_file(pid, tid, "comm", comm, commlen);

	if (!ret)
		comm[strcspn(comm, "\n")] = '\0';
	return ret;
}

int proc_task_schedstat(int pid, int tid, struct proc_schedstat *out)
{
	char buf[128];
	int ret = read_task_file(pid, tid, "schedstat", buf, sizeof(buf));

	return ret ? ret : proc_parse_schedstat(buf, out);
}

static int parse_pid_name(const char *name)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)name[0]))
		return -1;
	v = strtol(name, &end, 10);
	return (*end || v <= 0 || v > 0x7fffffff) ? -1 : (int)v;
}

static int append_int(int **arr, size_t *n, size_t *cap, int v)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		int *grown = realloc(*arr, ncap * sizeof(**arr));

		if (!grown)
			return -ENOMEM;
		*arr = grown;
		*cap = ncap;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

int proc_list_tasks(int pid, int **tids, size_t *ntids)
{
	size_t cap = 0;
	struct dirent *de;
	char path[64];
	DIR *d;
	int ret = 0;

	*tids = NULL;
	*ntids = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int tid = parse_pid_name(de->d_name);

		if (tid > 0 && (ret = append_int(tids, ntids, &cap, tid)))
			break;
	}
	closedir(d);
	return ret;
}

int proc_find_comm(const char *const *names, size_t nnames, int exclude, int **pids, int **which,
		   size_t *n)
{
	size_t cap = 0, wcap = 0, nw = 0;
	char comm[32];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	*pids = *which = NULL;
	*n = 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int pid = parse_pid_name(de->d_name);

		if (pid <= 0 || pid == exclude || proc_task_stat(pid, pid, NULL, comm, sizeof(comm)))
			continue;
		for (size_t i = 0; i < nnames; i++) {
			if (strcmp(comm, names[i]))
				continue;
			if ((ret = append_int(pids, n, &cap, pid)) ||
			    (ret = append_int(which, &nw, &wcap, (int)i)))
				goto cleanup;
			break;
		}
	}
cleanup:
	closedir(d);
	if (ret) {
		free(*pids);
		free(*which);
		*pids = *which = NULL;
		*n = 0;
	}
	return ret;
}

static bool contains(const int *arr, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (arr[i] == v)
			return true;
	return false;
}

int proc_descendants(const int *roots, size_t nroots, int exclude, int **out, size_t *nout)
{
	int *pids = NULL, *ppids = NULL;
	size_t n = 0, cap = 0, pcap = 0, np = 0, ocap = 0;
	struct dirent *de;
	bool grew = true;
	DIR *d;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int pid = parse_pid_name(de->d_name), ppid;

		if (pid <= 0 || proc_task_stat(pid, pid, &ppid, NULL, 0))
			continue;
		if ((ret = append_int(&pids, &n, &cap, pid)) ||
		    (ret = append_int(&ppids, &np, &pcap, ppid)))
			goto cleanup;
	}
	for (size_t i = 0; i < nroots; i++)
		if (roots[i] != exclude && !contains(*out, *nout, roots[i]) &&
		    (ret = append_int(out, nout, &ocap, roots[i])))
			goto cleanup;
	/* repeat until closed: the tree is small next to /proc, and each pass is linear */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (pids[i] == exclude || contains(*out, *nout, pids[i]) ||
			    !contains(*out, *nout, ppids[i]))
				continue;
			if ((ret = append_int(out, nout, &ocap, pids[i])))
				goto cleanup;
			grew = true;
		}
	}
cleanup:
	closedir(d);
	free(pids);
	free(ppids);
	if (ret) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	return ret;
}
