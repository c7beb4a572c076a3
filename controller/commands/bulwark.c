// SPDX-License-Identifier: GPL-2.0
/* bulwark: the command-line controller. A dispatch table; each command is its own file. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

const char *prog_name = "bulwark";

static const struct command commands[] = {
	{"check", check_main, "Validate policy files and report every problem"},
	{"compile", compile_main, "Compile policy files into a policy image"},
	{"show", show_main, "Print a policy image as policy YAML or JSON"},
	{"explain", explain_main, "Say what the policies decide for one operation, and why"},
	{"apply", apply_main, "Load policies into the kernel and enforce them"},
	{"unload", unload_main, "Stop enforcing: detach and remove everything loaded"},
	{"exec", exec_main, "Run a command under a policy, printing what it denies"},
	{"learn", learn_main, "Watch a workload and write the policy that allows what it did"},
	{"events", events_main, "Print the denials and audit hits the kernel reported"},
	{"status", status_main, "Show the backends and what is enforced"},
	{"version", version_main, "Show the version of bulwark and of its kernel ABI"},
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void show_usage(FILE *file)
{
	fprintf(file, "Usage: %s <cmd> [<args>]\n\nAvailable subcommands:\n", prog_name);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(file, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(file, "\nSee bulwark(8) for details.\n");
}

int main(int argc, char *argv[])
{
	const struct command *command;

	if (argc < 2) {
		show_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		show_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		char *args[] = {"version", NULL};

		return version_main(1, args);
	}
	command = command_find(argv[1]);
	if (!command) {
		fprintf(stderr, "%s: unknown command '%s'\n", prog_name, argv[1]);
		show_usage(stderr);
		return 2;
	}
	return command->main(argc - 1, argv + 1);
}
