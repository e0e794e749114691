/* close_any_handle: a decorator of JetCloseFileInstance. */
#include "mutant.h"

MUTANT_INFO("R42: CloseFile with any handle closes the open file (no -1003 for a bad handle)");

static JET_ERR close_file(void *ctx, JET_INSTANCE h, JET_HANDLE hf)
{
    (void)hf;
    return engine_api.JetCloseFileInstance(ctx, h, 0);
}

static void decorate(struct jet_api *api)
{
    api->JetCloseFileInstance = close_file;
}
MUTANT_DECORATOR(decorate)
