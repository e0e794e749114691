/* end_no_backup_succeeds: a decorator of JetEndExternalBackupInstance. */
#include "mutant.h"

MUTANT_INFO("R25: End with no backup in progress returns 0 instead of -520");

static JET_ERR end(void *ctx, JET_INSTANCE h)
{
    JET_ERR err = engine_api.JetEndExternalBackupInstance(ctx, h);
    return err == JET_errNoBackup ? JET_errSuccess : err;
}

static void decorate(struct jet_api *api)
{
    api->JetEndExternalBackupInstance = end;
}
MUTANT_DECORATOR(decorate)
