/* attach_info_actual_copied: a decorator of JetGetAttachInfoInstance. */
#include "mutant.h"

MUTANT_INFO("R33: GetAttachInfo with a short buffer reports the bytes copied, not the full size");

static JET_ERR get_attach_info(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                               uint32_t *pcb)
{
    JET_ERR err = engine_api.JetGetAttachInfoInstance(ctx, h, szz, cbMax, pcb);
    if (err == JET_errSuccess && szz != NULL && pcb != NULL && *pcb > cbMax)
        *pcb = cbMax;
    return err;
}

static void decorate(struct jet_api *api)
{
    api->JetGetAttachInfoInstance = get_attach_info;
}
MUTANT_DECORATOR(decorate)
