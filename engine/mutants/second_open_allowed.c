/* second_open_allowed: a decorator of JetOpenFileInstance. */
#include "mutant.h"

MUTANT_INFO("R34: a second OpenFile is allowed (it silently closes the first file instead "
            "of -1011)");

static JET_ERR open_file(void *ctx, JET_INSTANCE h, const char *name, JET_HANDLE *phf,
                         uint32_t *plow, uint32_t *phigh)
{
    struct engine_inspect st;
    if (mutant_state(ctx, h, &st) && st.in_progress_local && !st.stop && st.slot_in_use
        && name != NULL && name[0] != '\0')
        (void)engine_api.JetCloseFileInstance(ctx, h, 0);
    return engine_api.JetOpenFileInstance(ctx, h, name, phf, plow, phigh);
}

static void decorate(struct jet_api *api)
{
    api->JetOpenFileInstance = open_file;
}
MUTANT_DECORATOR(decorate)
