/*
 * fuzz_common.h: what the libFuzzer targets share, so that each target stays a
 * few lines: the run configuration (read once from the environment by
 * LLVMFuzzerInitialize), the model-state counters published to libFuzzer, and
 * the report of a finding.
 *
 * Environment (all optional):
 *   BACKSTOP_FUZZ_TARGET          run fuzz_calls against this target instead of
 *                                 the in-process engine: a built-in name or a
 *                                 shared library (e.g. a mutant .so)
 *   BACKSTOP_FUZZ_STATE_COUNTERS  0 turns the model-state counters off
 *   BACKSTOP_FUZZ_MAX_SECONDS     wall-clock limit of one input (default 5)
 *   BACKSTOP_FUZZ_SKIP            known disagreements to step around, e.g.
 *                                 "term-unavailable" (fuzzprog_skip_parse)
 */
#ifndef BACKSTOP_FUZZ_COMMON_H
#define BACKSTOP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "fuzzprog.h"

/* libFuzzer's entry points (also called by replay_main.c and AFL++'s driver). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The configuration every run uses. Valid after LLVMFuzzerInitialize. */
const struct fuzzprog_config *fuzz_config(void);

/* The number of model-state counters set so far (the replay never clears
 * them, so after a corpus it is the number of distinct (state, operation,
 * result) transitions the corpus reaches, up to hash collisions). */
size_t fuzz_state_coverage(void);

/* Print the finding and the program as a .scn case on stderr, then abort(). */
void fuzz_report(const struct fuzzprog *p);

#endif /* BACKSTOP_FUZZ_COMMON_H */
