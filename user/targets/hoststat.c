// SPDX-License-Identifier: GPL-2.0
/* The machine's CPU accounting from /proc: the "cpu" line of stat and every process's stat. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "targets/hoststat.h"

int hoststat_parse_cpu(const char *text, struct cpu_ticks *out)
{
	unsigned long long v[8] = {0};
	int n;

	/* the first line, "cpu  user nice system idle iowait irq softirq steal guest guest_nice" */
	if (strncmp(text, "cpu ", 4))
		return -EINVAL;
	n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]);
	if (n < 4) /* user, nice, system and idle are there on every kernel */
		return -EINVAL;
	*out = (struct cpu_ticks){
		.user = v[0],
		.nice = v[1],
		.system = v[2],
		.idle = v[3],
		.iowait = v[4],
		.irq = v[5],
		.softirq = v[6],
		.steal = v[7],
	};
	return 0;
}

int hoststat_parse_proc(const char *text, struct proc_ticks *out)
{
	unsigned long long utime, stime, start;
	const char *open, *close;
	size_t n;
	int pid, ppid;

	/* "pid (comm) state ppid ...": comm may hold any byte, ')' too: the last one closes it */
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open || sscanf(text, "%d", &pid) != 1 || pid <= 0)
		return -EINVAL;
	/* fields 3 (state) to 22 (starttime); utime and stime are 14 and 15 */
	if (sscanf(close + 1,
		   " %*c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %*s %*s "
		   "%llu",
		   &ppid, &utime, &stime, &start) != 4)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->pid = pid;
	out->ppid = ppid;
	out->cpu_ticks = utime + stime;
	out->start_ticks = start;
	n = (size_t)(close - open - 1);
	memcpy(out->comm, open + 1, n < LS_COMM_LEN - 1 ? n : LS_COMM_LEN - 1);
	return 0;
}

/* The first len - 1 bytes of a file, NUL-terminated; 0 or a negative errno. */
static int read_head(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;
	int err;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	err = ferror(f) ? -(errno ? errno : EIO) : 0;
	fclose(f);
	buf[n] = '\0';
	if (err)
		return err;
	return n ? 0 : -ENODATA;
}

static uint64_t boottime_ticks(void)
{
	struct timespec ts;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0)
		hz = 100;
	if (clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * (uint64_t)hz + (uint64_t)ts.tv_nsec / (1000000000ULL / hz);
}

static int cmp_pid(const void *a, const void *b)
{
	int x = ((const struct proc_ticks *)a)->pid, y = ((const struct proc_ticks *)b)->pid;

	return (x > y) - (x < y);
}

int hoststat_read_cpu(const char *proc_root, struct cpu_ticks *out)
{
	char path[PATH_MAX], line[512];
	int err;

	snprintf(path, sizeof(path), "%s/stat", proc_root);
	/* the "cpu" line comes first; the lines after it (per CPU, interrupts) are not needed */
	err = read_head(path, line, sizeof(line));
	return err ? err : hoststat_parse_cpu(line, out);
}

int hoststat_read_proc(const char *proc_root, int pid, struct proc_ticks *out)
{
	char path[PATH_MAX], buf[1024];
	int err;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, pid);
	err = read_head(path, buf, sizeof(buf));
	return err ? err : hoststat_parse_proc(buf, out);
}

static int read_procs(const char *proc_root, struct host_sample *h)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(proc_root);
	if (!d)
		return 0; /* the processes stay unnamed: their time goes to "(rest)" */
	while ((de = readdir(d))) {
		struct proc_ticks p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (hoststat_read_proc(proc_root, atoi(de->d_name), &p))
			continue;
		if (h->nprocs == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct proc_ticks *grown = realloc(h->procs, ncap * sizeof(*grown));

			if (!grown) {
				closedir(d);
				return -ENOMEM;
			}
			h->procs = grown;
			cap = ncap;
		}
		h->procs[h->nprocs++] = p;
	}
	closedir(d);
	qsort(h->procs, h->nprocs, sizeof(*h->procs), cmp_pid);
	return 0;
}

int host_sample_take(const char *proc_root, bool end, struct host_sample *h)
{
	memset(h, 0, sizeof(*h));
	h->taken_ticks = boottime_ticks();
	/* the processes' window lies inside /proc/stat's, itself as close to the run's as can be */
	if (end)
		h->error = read_procs(proc_root, h);
	if (!h->error) {
		h->stat_ns = monotonic_ns();
		h->error = hoststat_read_cpu(proc_root, &h->cpu);
	}
	if (!h->error && !end)
		h->error = read_procs(proc_root, h);
	if (h->error) {
		free(h->procs);
		h->procs = NULL;
		h->nprocs = 0;
	}
	return h->error;
}

int host_sample_take_load(const char *proc_root, int load_pid, struct host_sample *h)
{
	struct proc_ticks load;

	memset(h, 0, sizeof(*h));
	h->taken_ticks = boottime_ticks();
	h->stat_ns = monotonic_ns();
	h->error = hoststat_read_cpu(proc_root, &h->cpu);
	if (h->error || load_pid <= 0 || hoststat_read_proc(proc_root, load_pid, &load))
		return h->error;
	h->procs = malloc(sizeof(*h->procs));
	if (!h->procs)
		return h->error = -ENOMEM;
	h->procs[0] = load;
	h->nprocs = 1;
	return 0;
}
