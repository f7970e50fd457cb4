// SPDX-License-Identifier: GPL-2.0
/* The benchmark command after "--": forked before attaching, released into exec once a target. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "cmd/command.h"
#include "cmd/commands.h"
#include "core/clock.h"

int command_spawn(struct command *c, char **argv, const sigset_t *orig_mask, char *err,
		  size_t errlen)
{
	int go[2], errpipe[2];
	pid_t parent = getpid();
	char byte;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	if (pipe2(go, O_CLOEXEC) || pipe2(errpipe, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		return -errno;
	}
	if (c->pid == 0) {
		int e;

		close(go[1]);
		close(errpipe[0]);
		sigprocmask(SIG_SETMASK, orig_mask, NULL);
		/*
		 * A loadscope killed outright (SIGKILL) takes the command with it, as it would have
		 * at the end of a run: SIGTERM when it dies, checked once in case it already has.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
			_exit(EXIT_NOEXEC);
		/* wait until the parent has attached and made this process a target */
		if (read(go[0], &byte, 1) != 1)
			_exit(EXIT_NOEXEC);
		execvp(argv[0], argv);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(EXIT_NOEXEC);
		_exit(EXIT_NOEXEC);
	}
	close(go[0]);
	close(errpipe[1]);
	c->go_fd = go[1];
	c->error_fd = errpipe[0];
	return 0;
}

/* Let the child exec; returns 0, or the errno of a failed exec. */
int command_release(struct command *c)
{
	char byte = 1;
	int e = 0;
	ssize_t n;

	if (write(c->go_fd, &byte, 1) != 1)
		return errno;
	close(c->go_fd);
	c->go_fd = -1;
	n = read(c->error_fd, &e, sizeof(e));
	close(c->error_fd);
	c->error_fd = -1;
	return n == (ssize_t)sizeof(e) ? e : 0;
}

bool command_poll(struct command *c)
{
	if (c->pid > 0 && !c->reaped && wait4(c->pid, &c->status, WNOHANG, &c->usage) == c->pid)
		c->reaped = true;
	return c->reaped;
}

/* End a COMMAND still running when the run stops: SIGTERM, a grace period, then SIGKILL. */
void command_finish(struct command *c, const sigset_t *waitset)
{
	struct timespec grace = {.tv_sec = CHILD_TERM_GRACE_S};
	uint64_t deadline;

	if (c->pid <= 0 || command_poll(c))
		return;
	if (c->go_fd >= 0) {
		close(c->go_fd); /* never released: it exits on EOF */
		c->go_fd = -1;
	}
	kill(c->pid, SIGTERM);
	deadline = monotonic_ns() + (uint64_t)CHILD_TERM_GRACE_S * 1000000000ULL;
	while (!command_poll(c) && monotonic_ns() < deadline) {
		grace.tv_sec = 0;
		grace.tv_nsec = 50000000;
		sigtimedwait(waitset, NULL, &grace);
	}
	if (!command_poll(c)) {
		kill(c->pid, SIGKILL);
		wait4(c->pid, &c->status, 0, &c->usage);
		c->reaped = true;
	}
}

int command_exit_code(const struct command *c)
{
	if (c->pid <= 0 || !c->reaped)
		return -1;
	if (WIFEXITED(c->status))
		return WEXITSTATUS(c->status);
	if (WIFSIGNALED(c->status))
		return 128 + WTERMSIG(c->status);
	return -1;
}

static uint64_t timeval_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

uint64_t command_cpu_ns(const struct command *c)
{
	if (c->pid <= 0 || !c->reaped)
		return 0;
	return timeval_ns(&c->usage.ru_utime) + timeval_ns(&c->usage.ru_stime);
}
