/* begin_check_order: a decorator of JetBeginExternalBackupInstance. */
#include "mutant.h"

MUTANT_INFO("R28: Begin tests for a backup in progress (-505) before its grbit and log checks");

static JET_ERR begin(void *ctx, JET_INSTANCE h, JET_GRBIT grbit)
{
    struct engine_inspect st;
    if (mutant_state(ctx, h, &st) && st.in_progress_any)
        return st.in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
    return engine_api.JetBeginExternalBackupInstance(ctx, h, grbit);
}

static void decorate(struct jet_api *api)
{
    api->JetBeginExternalBackupInstance = begin;
}
MUTANT_DECORATOR(decorate)
