/* stop_ends_backup: a decorator of JetStopBackupInstance. */
#include "mutant.h"

MUTANT_INFO("R10/R20: Stop ends the backup (as End2 with EndAbort) instead of only flagging it");

static JET_ERR stop(void *ctx, JET_INSTANCE h)
{
    JET_ERR err = engine_api.JetStopBackupInstance(ctx, h);
    if (err == JET_errSuccess)
        (void)engine_api.JetEndExternalBackupInstance2(ctx, h, JET_bitBackupEndAbort);
    return err;
}

static void decorate(struct jet_api *api)
{
    api->JetStopBackupInstance = stop;
}
MUTANT_DECORATOR(decorate)
