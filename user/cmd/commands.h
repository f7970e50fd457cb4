/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands main()'s table dispatches to, and the exit codes they share. */
#ifndef LOADSCOPE_COMMANDS_H
#define LOADSCOPE_COMMANDS_H

#define LOADSCOPE_VERSION "0.1.0"

#define EXIT_FAILED 1	/* the run or the command could not be done; one line says why */
#define EXIT_USAGE  2	/* malformed options */
#define EXIT_NOEXEC 127 /* COMMAND cannot be executed */
#define EXIT_TRUNCATED 3 /* --strict: the report is complete, but a drop counter is not 0 */

/* loadscope [OPTIONS] [-- COMMAND]: observe, then report (root, BPF) */
int cmd_run(int argc, char **argv);
/* loadscope report RUN.json ...: a saved run's report again (no root, no BPF) */
int cmd_report(int argc, char **argv);
/* loadscope diff A.json B.json: two saved runs side by side */
int cmd_diff(int argc, char **argv);
/* loadscope serve [TARGETS]: a Prometheus target until SIGTERM or SIGINT (root, BPF) */
int cmd_serve(int argc, char **argv);

#endif /* LOADSCOPE_COMMANDS_H */
