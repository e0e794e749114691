/* log_info_actual_full: a decorator of JetGetLogInfoInstance. */
#include "mutant.h"

MUTANT_INFO("R46: GetLogInfo with a short buffer reports the full size, not the bytes copied");

static JET_ERR get_log_info(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax, uint32_t *pcb)
{
    JET_ERR err = engine_api.JetGetLogInfoInstance(ctx, h, szz, cbMax, pcb);
    uint32_t full = 0;
    if (err == JET_errSuccess && szz != NULL && pcb != NULL && *pcb == cbMax
        && engine_api.JetGetLogInfoInstance(ctx, h, NULL, 0, &full) == JET_errSuccess)
        *pcb = full;
    return err;
}

static void decorate(struct jet_api *api)
{
    api->JetGetLogInfoInstance = get_log_info;
}
MUTANT_DECORATOR(decorate)
