/* end_after_stop_fails: a decorator of JetEndExternalBackupInstance. */
#include "mutant.h"

MUTANT_INFO("R21: End after Stop fails with -801 (as the docs say) and leaves the backup "
            "in progress");

static JET_ERR end(void *ctx, JET_INSTANCE h)
{
    struct engine_inspect st;
    if (mutant_state(ctx, h, &st) && st.in_progress_any && st.stop)
        return JET_errBackupAbortByServer;
    return engine_api.JetEndExternalBackupInstance(ctx, h);
}

static void decorate(struct jet_api *api)
{
    api->JetEndExternalBackupInstance = end;
}
MUTANT_DECORATOR(decorate)
