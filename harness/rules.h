/*
 * rules.h: the rule-coverage table (`backstop rules`): for each rule R1-R55 the
 * cases that cover it, or the reason it cannot be tested (from untestable.txt);
 * likewise scenarios S1-S23 and disagreements D1-D17.
 */
#ifndef BACKSTOP_RULES_H
#define BACKSTOP_RULES_H

#include <stdio.h>

#include "scn.h"

/* Print the table. `untestable` may be NULL (no file). Returns the number of
 * rules and scenarios neither covered nor listed as untestable, or -1 if the
 * untestable file is malformed (diagnostics on diag). */
int rules_print(const struct scn_suite *suite, const char *untestable, FILE *out, FILE *diag);

#endif /* BACKSTOP_RULES_H */
