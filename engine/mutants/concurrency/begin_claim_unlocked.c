/*
 * begin_claim_unlocked: the named point of that id in Begin (backup.c). Begin
 * tests "a backup in progress" without the lock, yields (ENGINE_YIELD_MUTANT),
 * then claims under the lock without testing again. Alone it is the engine;
 * a second Begin in the window also wins.
 * A scheduler's yield hook reaches the engine through
 * BackstopSetYieldHook (export.c).
 */
#include "mutant.h"

MUTANT_INFO("R52: Begin's claim is check-then-set: the in-progress test is made without "
            "the lock, so two Begins can both win");

static void decorate(struct jet_api *api)
{
    (void)api; /* the engine's own functions */
}
MUTANT_DECORATOR(decorate)
