/* SPDX-License-Identifier: GPL-2.0 */
/* Each subcommand is its own file with NAME_main(argc, argv): argv[0] is the subcommand. */
#ifndef BULWARK_COMMANDS_H
#define BULWARK_COMMANDS_H

extern const char *prog_name;

int apply_main(int argc, char *argv[]);
int check_main(int argc, char *argv[]);
int events_main(int argc, char *argv[]);
int exec_main(int argc, char *argv[]);
int learn_main(int argc, char *argv[]);
int unload_main(int argc, char *argv[]);
int compile_main(int argc, char *argv[]);
int explain_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int version_main(int argc, char *argv[]);

struct command {
	const char *name;
	int (*main)(int argc, char *argv[]);
	const char *help;
};

/* The command called @name, or NULL. */
const struct command *command_find(const char *name);

#endif /* BULWARK_COMMANDS_H */
