/*
 * stop_blocks_on_read: the named point of that id in ReadFile (backup.c) and
 * Stop (engine.c). ReadFile holds the instance's wait_mu across its body,
 * yield points included, and Stop takes it. Alone it is the engine; a Stop
 * during a read waits for it, and under a controlled schedule it blocks while
 * holding the turn: DEADLOCK.
 * A scheduler's yield hook reaches the engine through
 * BackstopSetYieldHook (export.c).
 */
#include "mutant.h"

MUTANT_INFO("R50: Stop takes a lock that ReadFile holds across its I/O, so Stop blocks");

static void decorate(struct jet_api *api)
{
    (void)api; /* the engine's own functions */
}
MUTANT_DECORATOR(decorate)
