/*
 * fuzz_calls: the first bytes choose a world (profile, instances, OneInst mode,
 * databases, logs, page and log size); the rest is a stream of Jet and fixture
 * calls over it, valid and invalid handles and out-of-sequence calls alike.
 * Each call runs on the model and on the in-process engine in lockstep; a
 * divergence or a broken stop invariant aborts with the program printed as a
 * .scn case (harness/fuzzprog.h has the checks, fuzzprog.c the byte layout).
 * Nothing survives between inputs: each run makes and destroys its worlds.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzzprog *p = NULL;
    if (fuzzprog_decode(FUZZPROG_CALLS, data, size, &p) != FUZZPROG_OK)
        return 0;
    if (fuzzprog_run(p, fuzz_config()) == FUZZPROG_FINDING)
        fuzz_report(p);
    fuzzprog_free(p);
    return 0;
}
