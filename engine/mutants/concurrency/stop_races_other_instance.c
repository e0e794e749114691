/*
 * stop_races_other_instance: a decorator. Stop passes the handle it was given
 * through one process-wide word while it checks the instance (a "scratch"
 * shared by every thread). Alone it is the engine's Stop; two Stops on
 * different handles that overlap can swap: one instance is stopped twice, the
 * other not at all, and a Stop on an invalid handle can stop a live instance.
 */
#include <stdatomic.h>

#include "engine_int.h"
#include "mutant.h"

MUTANT_INFO("R11: concurrent Stops share one scratch word for the handle: a Stop can land "
            "on another instance");

static _Atomic JET_INSTANCE scratch;

static JET_ERR stop(void *ctx, JET_INSTANCE h)
{
    struct engine_inspect st;
    atomic_store(&scratch, h);
    (void)engine_inspect(ctx, h, &st); /* the check the scratch word is kept for */
    engine__yield(ctx, ENGINE_YIELD_MUTANT);
    return engine_api.JetStopBackupInstance(ctx, atomic_load(&scratch));
}

static void decorate(struct jet_api *api)
{
    api->JetStopBackupInstance = stop;
}
MUTANT_DECORATOR(decorate)
