/* open_unknown_cancels: a decorator of JetOpenFileInstance. */
#include "mutant.h"

MUTANT_INFO("R36: OpenFile of a file that is not an attached database cancels the backup "
            "in phase Databases");

static JET_ERR open_file(void *ctx, JET_INSTANCE h, const char *name, JET_HANDLE *phf,
                         uint32_t *plow, uint32_t *phigh)
{
    JET_ERR err = engine_api.JetOpenFileInstance(ctx, h, name, phf, plow, phigh);
    if (err == JET_errDatabaseNotFound)
        (void)engine_api.JetEndExternalBackupInstance2(ctx, h, JET_bitBackupEndAbort);
    return err;
}

static void decorate(struct jet_api *api)
{
    api->JetOpenFileInstance = open_file;
}
MUTANT_DECORATOR(decorate)
