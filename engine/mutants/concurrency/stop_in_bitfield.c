/*
 * stop_in_bitfield: the named point of that id in ReadFile (backup.c). As if
 * `stop` were a bit in a flags word that ReadFile rewrites after its I/O: it
 * reads the word after its entry test and writes it back at the end, after a
 * yield (ENGINE_YIELD_MUTANT). Alone it is the engine; a Stop in between is
 * lost.
 * A scheduler's yield hook reaches the engine through
 * BackstopSetYieldHook (export.c).
 */
#include "mutant.h"

MUTANT_INFO("R16: the stop flag shares a word that ReadFile rewrites non-atomically; a "
            "Stop during the read is lost");

static void decorate(struct jet_api *api)
{
    (void)api; /* the engine's own functions */
}
MUTANT_DECORATOR(decorate)
