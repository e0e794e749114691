/*
 * fuzz_common.c: the shared part of the libFuzzer targets (fuzz_common.h).
 *
 * Model-state coverage: fuzz_counters lives in the section libFuzzer scans for
 * extra counters (__libfuzzer_extra_counters); fuzzprog_run sets one counter
 * per (abstract model state, operation, result) transition (fp_count in
 * harness/fuzzprog_run.c defines the abstract state), so a new state
 * transition is a new feature even when it runs no new engine code. libFuzzer
 * clears the section before each input. Under other drivers (replay, AFL++)
 * the section is ordinary memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "target.h"

/* The transition space of fuzz_calls as fuzzprog_run counts it: about 2.7 k
 * transitions reached by a 6 k-input corpus (more with fuzz_faults' fired
 * points); 16 k counters keep hash collisions under ~10 %, and libFuzzer
 * scans the array in 8-byte words, ~2 k words per input. */
#define FUZZ_N_COUNTERS (1u << 14)

#if defined(__ELF__)
__attribute__((section("__libfuzzer_extra_counters"), used))
#endif
static uint8_t fuzz_counters[FUZZ_N_COUNTERS];

static struct fuzzprog_config fuzz_cfg = {
    .counters = fuzz_counters,
    .n_counters = FUZZ_N_COUNTERS,
    .max_seconds = 5,
};
static int fuzz_ready;

#ifdef BACKSTOP_FUZZ_API
/* A fuzz_calls variant linked with a decorator mutant (fuzz/CMakeLists.txt,
 * backstop_fuzz_calls_mutant): the function that gives the mutant's API table
 * for an engine (mutant_api of engine/mutants/mutant.h). */
const struct jet_api *BACKSTOP_FUZZ_API(struct engine *e);
#define FUZZ_ENGINE_API BACKSTOP_FUZZ_API
#else
#define FUZZ_ENGINE_API NULL
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *spec = getenv("BACKSTOP_FUZZ_TARGET");
    const char *counters = getenv("BACKSTOP_FUZZ_STATE_COUNTERS");
    const char *secs = getenv("BACKSTOP_FUZZ_MAX_SECONDS");
    const char *skip = getenv("BACKSTOP_FUZZ_SKIP");
    (void)argc;
    (void)argv;
    if (fuzz_ready)
        return 0;
    fuzz_ready = 1;
    fuzz_cfg.engine_api = FUZZ_ENGINE_API;
    if (counters && strcmp(counters, "0") == 0) {
        fuzz_cfg.counters = NULL;
        fuzz_cfg.n_counters = 0;
    }
    if (secs && atof(secs) > 0)
        fuzz_cfg.max_seconds = atof(secs);
    if (skip && fuzzprog_skip_parse(skip, &fuzz_cfg.skip) != 0) {
        fprintf(stderr, "backstop fuzz: BACKSTOP_FUZZ_SKIP=%s: unknown name\n", skip);
        exit(2);
    }
    if (spec && *spec) {
        char detail[1024] = "";
        const struct target_ops *ops = NULL;
        if (target_resolve(spec, detail, sizeof detail, &ops) != TARGET_OK) {
            fprintf(stderr, "backstop fuzz: BACKSTOP_FUZZ_TARGET=%s: %s\n", spec, detail);
            exit(2);
        }
        fuzz_cfg.target = ops; /* kept for the life of the process */
        fprintf(stderr, "backstop fuzz: target %s\n", spec);
    }
    return 0;
}

const struct fuzzprog_config *fuzz_config(void)
{
    if (!fuzz_ready)
        LLVMFuzzerInitialize(NULL, NULL);
    return &fuzz_cfg;
}

size_t fuzz_state_coverage(void)
{
    size_t n = 0;
    for (size_t i = 0; i < FUZZ_N_COUNTERS; i++)
        n += fuzz_counters[i] != 0;
    return n;
}

void fuzz_report(const struct fuzzprog *p)
{
    fprintf(stderr, "\n==backstop== FINDING: %s\n", fuzzprog_finding(p));
    fprintf(stderr, "==backstop== the input as a .scn case (backstop fuzz2scn prints the same):\n");
    fuzzprog_print_scn(p, NULL, stderr);
    fflush(stderr);
    abort();
}
