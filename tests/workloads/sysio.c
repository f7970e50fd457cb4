/* Test workload: a thread making known reads and writes, and known waits in and out of syscalls. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <semaphore.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "oracle.h"

#define USAGE                                                                                      \
	"sysio OUT.json WRITES WRITE_BYTES READS DELAY_MS BAD_WRITES VFORKS FAULTS FULL_WRITES"

/* What the writer thread writes into the pipe per read: one pipe write, so one read returns it. */
#define READ_CHUNK_BYTES 1000
#define READ_BUF_BYTES	 4096 /* more than a chunk, so a read never returns part of one */
#define MAX_WRITE_BYTES	 65536
#define MAX_ROUNDS	 100000 /* bounds the oracle's per-read array */
#define FULL_PIPE_BYTES	 65536	/* a pipe's default capacity: 16 pages */

/*
 * Phases of the measuring thread, each waiting on a helper for DELAY_MS per call:
 *   writes:  WRITES write(2) calls of WRITE_BYTES to /dev/null, then BAD_WRITES write(2) calls on
 *            fd -1 (EBADF);
 *   full:    FULL_WRITES rounds of two write(2) calls on a second pipe: FULL_PIPE_BYTES, which
 *            fill it, then one byte, blocked until the writer thread, released by the
 *            semaphore, has slept DELAY_MS and read the pipe empty (two read(2) calls);
 *   reads:   READS read(2) calls on a pipe, each blocked until the writer thread, released by a
 *            semaphore (futex), has slept DELAY_MS (nanosleep) and written READ_CHUNK_BYTES;
 *   vforks:  VFORKS clone(CLONE_VFORK) calls, each blocked uninterruptibly until the child has
 *            slept DELAY_MS and exited;
 *   faults:  FAULTS first touches of userfaultfd-registered pages, each blocked outside any
 *            syscall until the writer thread has read the fault (read(2)), slept DELAY_MS and
 *            filled the page.
 * Nothing else the measuring thread calls is in the read or write classes.
 */
struct sysio {
	long writes, write_bytes, reads, delay_ms, bad_writes, vforks, faults;
	long full_writes;
	int null_fd, pipe_rd, pipe_wr, full_rd, full_wr, uffd;
	char *fault_area; /* FAULTS pages registered with the userfaultfd */
	char *fill_page;  /* what the writer copies into each of them */
	long page_bytes;
	sem_t go;
	int measure_tid, writer_tid;
	uint64_t *read_ns; /* duration of each read, as the measuring thread timed it */
	uint64_t bytes_read, vfork_ns, fault_ns, full_write_ns;
	long writer_reads, writer_read_bytes; /* the writer thread's read(2) calls */
	int faults_available;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* nanosleep by its own number: glibc's nanosleep() calls clock_nanosleep, this names the call. */
static void sleep_delay(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (syscall(SYS_nanosleep, &ts, &ts) && errno == EINTR)
		;
}

static void *writer_main(void *arg)
{
	struct sysio *s = arg;
	char chunk[READ_CHUNK_BYTES];
	struct uffd_msg msg;
	long i;

	s->writer_tid = gettid();
	memset(chunk, 'w', sizeof(chunk));
	for (i = 0; i < s->full_writes; i++) {
		static char drain[FULL_PIPE_BYTES];
		ssize_t n;

		while (sem_wait(&s->go))
			;
		sleep_delay(s->delay_ms);
		/* the full pipe, then the byte its blocked writer adds once there is room */
		n = read(s->full_rd, drain, sizeof(drain));
		s->writer_reads++;
		s->writer_read_bytes += n > 0 ? n : 0;
		if (n != FULL_PIPE_BYTES || read(s->full_rd, drain, 1) != 1)
			oracle_die("sysio: full pipe read: %s", strerror(errno));
		s->writer_reads++;
		s->writer_read_bytes++;
	}
	for (i = 0; i < s->reads; i++) {
		/* released only once the reader is about to block, so each read waits DELAY_MS */
		while (sem_wait(&s->go))
			;
		sleep_delay(s->delay_ms);
		if (write(s->pipe_wr, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			oracle_die("sysio: pipe write: %s", strerror(errno));
	}
	for (i = 0; i < s->faults && s->faults_available; i++) {
		struct uffdio_copy copy;

		if (read(s->uffd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			oracle_die("sysio: userfaultfd read: %s", strerror(errno));
		s->writer_reads++;
		s->writer_read_bytes += sizeof(msg);
		sleep_delay(s->delay_ms);
		memset(&copy, 0, sizeof(copy));
		copy.dst = msg.arg.pagefault.address & ~((uint64_t)s->page_bytes - 1);
		copy.src = (uint64_t)(uintptr_t)s->fill_page;
		copy.len = s->page_bytes;
		if (ioctl(s->uffd, UFFDIO_COPY, &copy))
			oracle_die("sysio: UFFDIO_COPY: %s", strerror(errno));
	}
	return NULL;
}

static void *measure_main(void *arg)
{
	struct sysio *s = arg;
	static char buf[FULL_PIPE_BYTES]; /* at least READ_BUF_BYTES and MAX_WRITE_BYTES */
	volatile char sink;
	uint64_t t0;
	ssize_t n;
	long i;

	s->measure_tid = gettid();
	for (i = 0; i < s->writes; i++) {
		if (write(s->null_fd, buf, s->write_bytes) != s->write_bytes)
			oracle_die("sysio: write to /dev/null: %s", strerror(errno));
	}
	for (i = 0; i < s->bad_writes; i++) {
		if (write(-1, buf, 1) != -1 || errno != EBADF)
			oracle_die("sysio: write on fd -1 did not fail with EBADF");
	}

	/* each timing starts before the helper is released: it encloses the whole wait */
	for (i = 0; i < s->full_writes; i++) {
		t0 = now_ns();
		sem_post(&s->go);
		if (write(s->full_wr, buf, FULL_PIPE_BYTES) != FULL_PIPE_BYTES ||
		    write(s->full_wr, buf, 1) != 1)
			oracle_die("sysio: full pipe write: %s", strerror(errno));
		s->full_write_ns += now_ns() - t0;
	}

	for (i = 0; i < s->reads; i++) {
		t0 = now_ns();
		sem_post(&s->go);
		n = read(s->pipe_rd, buf, READ_BUF_BYTES);
		s->read_ns[i] = now_ns() - t0;
		if (n != READ_CHUNK_BYTES)
			oracle_die("sysio: pipe read returned %zd: %s", n, strerror(errno));
		s->bytes_read += n;
	}

	for (i = 0; i < s->vforks; i++) {
		long child;
		int status;

		t0 = now_ns();
		/* no CLONE_VM: the child is a plain copy that may sleep; we wait for its exit */
		child = syscall(SYS_clone, CLONE_VFORK | SIGCHLD, 0, NULL, NULL, 0);
		if (child == 0) {
			sleep_delay(s->delay_ms);
			_exit(0);
		}
		s->vfork_ns += now_ns() - t0;
		if (child < 0)
			oracle_die("sysio: clone(CLONE_VFORK): %s", strerror(errno));
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
			oracle_die("sysio: vfork child failed");
	}

	for (i = 0; i < s->faults && s->faults_available; i++) {
		t0 = now_ns();
		sink = s->fault_area[i * s->page_bytes];
		s->fault_ns += now_ns() - t0;
	}
	(void)sink;
	return NULL;
}

/* Registers FAULTS fresh pages with a userfaultfd; 0 when the kernel has no userfaultfd. */
static int setup_faults(struct sysio *s)
{
	struct uffdio_register reg;
	struct uffdio_api api;
	size_t len;

	s->page_bytes = sysconf(_SC_PAGESIZE);
	if (!s->faults)
		return 0;
	s->uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (s->uffd < 0)
		return 0;
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	if (ioctl(s->uffd, UFFDIO_API, &api))
		oracle_die("sysio: UFFDIO_API: %s", strerror(errno));
	len = s->faults * s->page_bytes;
	s->fault_area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->fill_page = mmap(NULL, s->page_bytes, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->fault_area == MAP_FAILED || s->fill_page == MAP_FAILED)
		oracle_die("sysio: mmap: %s", strerror(errno));
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uint64_t)(uintptr_t)s->fault_area;
	reg.range.len = len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		oracle_die("sysio: UFFDIO_REGISTER: %s", strerror(errno));
	return 1;
}

static long arg_count(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0 || v > MAX_ROUNDS)
		oracle_die("usage: %s (counts 0..%d)", USAGE, MAX_ROUNDS);
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct sysio s = {.uffd = -1};
	pthread_t measure, writer;
	uint64_t read_total_ns = 0;
	json_t *root, *reads;
	int pipe_fds[2], full_fds[2], err;
	long i;

	if (argc != 10)
		oracle_die("usage: %s", USAGE);
	s.writes = arg_count(argv[2]);
	s.write_bytes = arg_count(argv[3]);
	s.reads = arg_count(argv[4]);
	s.delay_ms = arg_count(argv[5]);
	s.bad_writes = arg_count(argv[6]);
	s.vforks = arg_count(argv[7]);
	s.faults = arg_count(argv[8]);
	s.full_writes = arg_count(argv[9]);
	if (s.write_bytes < 1 || s.write_bytes > MAX_WRITE_BYTES || s.delay_ms < 1)
		oracle_die("sysio: WRITE_BYTES must be 1..%d and DELAY_MS at least 1",
			   MAX_WRITE_BYTES);

	s.read_ns = calloc(s.reads + 1, sizeof(*s.read_ns));
	s.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (!s.read_ns || s.null_fd < 0 || pipe2(pipe_fds, O_CLOEXEC) ||
	    pipe2(full_fds, O_CLOEXEC) || sem_init(&s.go, 0, 0) ||
	    fcntl(full_fds[1], F_SETPIPE_SZ, FULL_PIPE_BYTES) != FULL_PIPE_BYTES)
		oracle_die("sysio: setup: %s", strerror(errno));
	s.full_rd = full_fds[0];
	s.full_wr = full_fds[1];
	s.pipe_rd = pipe_fds[0];
	s.pipe_wr = pipe_fds[1];
	s.faults_available = setup_faults(&s);

	/* both threads start after exec: an observer that started this process sees all they do */
	err = pthread_create(&writer, NULL, writer_main, &s);
	if (!err)
		err = pthread_create(&measure, NULL, measure_main, &s);
	if (err)
		oracle_die("sysio: pthread_create: %s", strerror(err));
	pthread_join(measure, NULL);
	pthread_join(writer, NULL);

	reads = json_array();
	for (i = 0; i < s.reads; i++) {
		json_array_append_new(reads, json_integer((json_int_t)s.read_ns[i]));
		read_total_ns += s.read_ns[i];
	}
	qsort(s.read_ns, s.reads, sizeof(*s.read_ns), cmp_u64);
	root = json_pack("{s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pid",
			 (int)getpid(), "measure_tid", s.measure_tid, "writer_tid", s.writer_tid,
			 "writes", (json_int_t)s.writes, "write_bytes", (json_int_t)s.write_bytes,
			 "bad_writes", (json_int_t)s.bad_writes, "reads", (json_int_t)s.reads,
			 "read_chunk_bytes", (json_int_t)READ_CHUNK_BYTES, "delay_ms",
			 (json_int_t)s.delay_ms, "bytes_read", (json_int_t)s.bytes_read, "vforks",
			 (json_int_t)s.vforks);
	json_object_set_new(root, "read_ns", reads);
	json_object_set_new(root, "read_total_ns", json_integer((json_int_t)read_total_ns));
	json_object_set_new(root, "read_median_ns",
			    json_integer(s.reads ? (json_int_t)s.read_ns[(s.reads - 1) / 2] : 0));
	json_object_set_new(root, "vfork_ns", json_integer((json_int_t)s.vfork_ns));
	/* 0 when the kernel has no userfaultfd: the fault phase was then not run */
	json_object_set_new(root, "faults",
			    json_integer(s.faults_available ? (json_int_t)s.faults : 0));
	json_object_set_new(root, "fault_ns", json_integer((json_int_t)s.fault_ns));
	json_object_set_new(root, "full_writes", json_integer((json_int_t)s.full_writes));
	json_object_set_new(root, "full_pipe_bytes", json_integer(FULL_PIPE_BYTES));
	json_object_set_new(root, "full_write_ns", json_integer((json_int_t)s.full_write_ns));
	/* the measuring thread's write(2) calls and bytes, all phases */
	json_object_set_new(
		root, "write_calls",
		json_integer((json_int_t)(s.writes + s.bad_writes + 2 * s.full_writes)));
	json_object_set_new(root, "write_bytes_total",
			    json_integer((json_int_t)(s.writes * s.write_bytes +
						      s.full_writes * (FULL_PIPE_BYTES + 1))));
	json_object_set_new(root, "writer_reads", json_integer((json_int_t)s.writer_reads));
	json_object_set_new(root, "writer_read_bytes",
			    json_integer((json_int_t)s.writer_read_bytes));
	oracle_write(root, argv[1]);
	return 0;
}
