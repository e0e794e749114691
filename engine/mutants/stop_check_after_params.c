/* stop_check_after_params: a decorator of JetReadFileInstance. */
#include <stdint.h>

#include "mutant.h"

MUTANT_INFO("R17: ReadFile checks its buffer before the stop flag (-1003 instead of -801 "
            "after Stop)");

static JET_ERR read_file(void *ctx, JET_INSTANCE h, JET_HANDLE hf, void *pv, uint32_t cb,
                         uint32_t *pcb)
{
    struct engine_inspect st;
    if ((pv == NULL || ((uintptr_t)pv & 4095u) != 0) && mutant_state(ctx, h, &st)
        && st.in_progress_local)
        return JET_errInvalidParameter;
    return engine_api.JetReadFileInstance(ctx, h, hf, pv, cb, pcb);
}

static void decorate(struct jet_api *api)
{
    api->JetReadFileInstance = read_file;
}
MUTANT_DECORATOR(decorate)
