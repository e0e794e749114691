/* attach_info_cancels: a decorator of JetGetAttachInfoInstance. */
#include "mutant.h"

MUTANT_INFO("R32: GetAttachInfo in an incremental backup returns -521 and cancels the backup");

static JET_ERR get_attach_info(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                               uint32_t *pcb)
{
    JET_ERR err = engine_api.JetGetAttachInfoInstance(ctx, h, szz, cbMax, pcb);
    if (err == JET_errInvalidBackupSequence)
        (void)engine_api.JetEndExternalBackupInstance2(ctx, h, JET_bitBackupEndAbort);
    return err;
}

static void decorate(struct jet_api *api)
{
    api->JetGetAttachInfoInstance = get_attach_info;
}
MUTANT_DECORATOR(decorate)
