/*
 * term_no_wait: the named point of that id in JetTerm (engine.c). JetTerm
 * runs its backup cleanup as soon as it holds the terminating bit and waits
 * for the gated calls in flight only afterwards. Alone it is the engine; a
 * ReadFile or OpenFile in flight finds its backup gone under it.
 * A scheduler's yield hook reaches the engine through
 * BackstopSetYieldHook (export.c).
 */
#include "mutant.h"

MUTANT_INFO("R54: JetTerm runs its backup cleanup before waiting for the calls in flight");

static void decorate(struct jet_api *api)
{
    (void)api; /* the engine's own functions */
}
MUTANT_DECORATOR(decorate)
