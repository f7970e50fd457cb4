// SPDX-License-Identifier: GPL-2.0
/* loadscope's entry point: the table of subcommands, as bpftool's cmds[]; no subcommand is a run.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{"report", cmd_report, "print a saved run's report again; write it as JSON, CSV or HTML"},
	{"diff", cmd_diff, "compare two saved runs: per request, by role, findings"},
	{"serve", cmd_serve, "export the targets' figures to Prometheus on /metrics until stopped"},
	{"help", cmd_help, "list these commands"},
};

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Usage: loadscope [OPTIONS] [-- COMMAND [ARGS...]]   observe, then report (see "
	       "--help)\n"
	       "       loadscope COMMAND ...\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-8s %s\n", cmds[i].name, cmds[i].help);
	printf("\nA program with one of these names is observed as loadscope -- NAME.\n");
	return 0;
}

int main(int argc, char **argv)
{
	/* only the first word names a subcommand; "loadscope -- report" runs a program so named */
	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	return cmd_run(argc, argv);
}
