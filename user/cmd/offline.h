/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands that work on saved runs, without BPF or root: report and diff. */
#ifndef LOADSCOPE_OFFLINE_H
#define LOADSCOPE_OFFLINE_H

/* `loadscope report RUN.json [--threads] [--requests N] [-o FILE]`; returns the exit code. */
int cmd_report(int argc, char **argv);
/* `loadscope diff A.json B.json`; returns the exit code. */
int cmd_diff(int argc, char **argv);

#endif /* LOADSCOPE_OFFLINE_H */
