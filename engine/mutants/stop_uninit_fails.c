/* stop_uninit_fails: a decorator of JetStopBackupInstance. */
#include "mutant.h"

MUTANT_INFO("R7: Stop on a created but not initialised instance fails with -1029");

static JET_ERR stop(void *ctx, JET_INSTANCE h)
{
    struct engine_inspect st;
    if (engine_inspect(ctx, h, &st) == ENGINE_OK && !st.initialized)
        return JET_errNotInitialized;
    return engine_api.JetStopBackupInstance(ctx, h);
}

static void decorate(struct jet_api *api)
{
    api->JetStopBackupInstance = stop;
}
MUTANT_DECORATOR(decorate)
