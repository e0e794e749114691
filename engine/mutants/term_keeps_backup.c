/* term_keeps_backup: a decorator of JetTerm. */
#include "mutant.h"

MUTANT_INFO("R26: JetTerm with a running backup does not abort it (it acts as "
            "JetTerm2(Complete): -505)");

static JET_ERR term(void *ctx, JET_INSTANCE h)
{
    return engine_api.JetTerm2(ctx, h, JET_bitTermComplete);
}

static void decorate(struct jet_api *api)
{
    api->JetTerm = term;
}
MUTANT_DECORATOR(decorate)
