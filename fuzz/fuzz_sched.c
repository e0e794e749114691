/*
 * fuzz_sched: the first bytes choose a world and 2-4 threads with their Jet
 * calls over it; the rest are the scheduler's decisions. The threads run on
 * the in-process engine under the deterministic scheduler (one thread between
 * yield points, API entry and the engine's internal points), every call is
 * recorded, and the history is checked by the linearizability checker and
 * the online invariants (harness/fuzzsched.h). A finding aborts with the
 * explanation, the history and the run printed as a .scn case. Nothing
 * survives between inputs: each run makes and destroys its world; its threads
 * come from a pool whose reset fuzzsched_run.c argues (fresh threads for a
 * loaded library).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "fuzzsched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct fuzzprog_config *common = fuzz_config();
    struct fuzzsched_config cfg = {.target = common->target, .max_seconds = common->max_seconds};
    struct fuzzsched *p = NULL;
    if (fuzzsched_decode(data, size, &p) != FUZZSCHED_OK)
        return 0;
    if (fuzzsched_run(p, &cfg) == FUZZSCHED_FINDING) {
        fprintf(stderr, "\n==backstop== FINDING (fuzz_sched):\n%s", fuzzsched_finding(p));
        fprintf(stderr, "==backstop== history:\n");
        fuzzsched_print_history(p, stderr);
        fprintf(stderr, "==backstop== the run as a .scn case (backstop fuzz2scn prints the same):\n");
        fuzzsched_print_scn(p, NULL, stderr);
        fflush(stderr);
        abort();
    }
    fuzzsched_free(p);
    return 0;
}
