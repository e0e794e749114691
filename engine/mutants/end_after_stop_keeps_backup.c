/* end_after_stop_keeps_backup: a decorator of JetEndExternalBackupInstance2. */
#include "mutant.h"

MUTANT_INFO("R21/R22: End2 after Stop returns 0 but does not reset: the backup stays in progress");

static JET_ERR end2(void *ctx, JET_INSTANCE h, JET_GRBIT grbit)
{
    struct engine_inspect st;
    JET_GRBIT how = grbit & (JET_bitBackupEndNormal | JET_bitBackupEndAbort);
    bool valid = how == JET_bitBackupEndNormal || how == JET_bitBackupEndAbort;
    if (valid && mutant_state(ctx, h, &st) && st.in_progress_any && st.stop)
        return JET_errSuccess;
    return engine_api.JetEndExternalBackupInstance2(ctx, h, grbit);
}

static void decorate(struct jet_api *api)
{
    api->JetEndExternalBackupInstance2 = end2;
}
MUTANT_DECORATOR(decorate)
