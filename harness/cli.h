/*
 * cli.h: pieces of the command line shared between main.c and the commands
 * that live in their own files (mutants.c).
 */
#ifndef BACKSTOP_CLI_H
#define BACKSTOP_CLI_H

#include "scn.h"

/* Load every PATH into one suite; 0, or 2 (usage) after file:line:col diagnostics. */
int cli_load_suite(int n, char **paths, struct scn_suite **suite);

/* `backstop mutants [--dir DIR] [--timeout S] [--seed N] [--only sequential|concurrency]
 * [--budget S] [--baseline S] [--schedule random|pct:D] [PATH]` (mutants.c). Returns the
 * exit status. */
int cmd_mutants(int argc, char **argv);

/* Issue 4 (stress.c, replay in stress.c, faults.c): exit statuses as for run. */
int cmd_stress(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_faults(int argc, char **argv);

/* Issue 5 (fuzzconv.c): corpus conversion both ways. */
int cmd_scn2fuzz(int argc, char **argv);
int cmd_fuzz2scn(int argc, char **argv);

#endif /* BACKSTOP_CLI_H */
