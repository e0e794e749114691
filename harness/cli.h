/*
 * cli.h: pieces of the command line shared between main.c and the commands
 * that live in their own files (mutants.c).
 */
#ifndef BACKSTOP_CLI_H
#define BACKSTOP_CLI_H

#include "scn.h"

/* Load every PATH into one suite; 0, or 2 (usage) after file:line:col diagnostics. */
int cli_load_suite(int n, char **paths, struct scn_suite **suite);

/* `backstop mutants [--dir DIR] [--timeout S] [PATH]`. Returns the exit status. */
int cmd_mutants(int argc, char **argv);

#endif /* BACKSTOP_CLI_H */
