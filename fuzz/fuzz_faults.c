/*
 * fuzz_faults: fuzz_calls plus `fault POINT nth=N` steps, so that the input
 * chooses which fault opportunities fail (read.eio, read.verify, alloc.enomem,
 * logroll.enospc, open.eio, and the engine-only read.short). When the engine fires a
 * fault, the model is told on that call (model_call.fault); engine and model
 * must agree on which calls are opportunities and on the outcome (spec §9,
 * R41). Needs the in-process engine.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzzprog *p = NULL;
    if (fuzzprog_decode(FUZZPROG_FAULTS, data, size, &p) != FUZZPROG_OK)
        return 0;
    if (fuzzprog_run(p, fuzz_config()) == FUZZPROG_FINDING)
        fuzz_report(p);
    fuzzprog_free(p);
    return 0;
}
