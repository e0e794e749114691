/* close_refuses_after_stop: a decorator of JetCloseFileInstance. */
#include "mutant.h"

MUTANT_INFO("R19: CloseFile refuses with -801 after Stop (the handle stays open)");

static JET_ERR close_file(void *ctx, JET_INSTANCE h, JET_HANDLE hf)
{
    struct engine_inspect st;
    if (mutant_state(ctx, h, &st) && st.in_progress_local && st.stop)
        return JET_errBackupAbortByServer;
    return engine_api.JetCloseFileInstance(ctx, h, hf);
}

static void decorate(struct jet_api *api)
{
    api->JetCloseFileInstance = close_file;
}
MUTANT_DECORATOR(decorate)
