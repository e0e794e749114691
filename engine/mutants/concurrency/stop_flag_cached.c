/*
 * stop_flag_cached: a decorator. The stop flag is published late: a Stop on a
 * live instance is only remembered by the calling thread and written to the
 * instance when that thread makes its next Jet call. A backup client on the
 * same thread (every sequential case) never notices; a client on another
 * thread keeps streaming after Stop returned 0, until the stopper calls again.
 */
#include "mutant.h"

MUTANT_INFO("R16: Stop is published late (kept per thread until that thread's next call): "
            "other threads miss it");

struct pending {
    void *ctx;
    JET_INSTANCE h;
};
static _Thread_local struct pending pending; /* the caller's unpublished Stop */

static void publish(void *ctx)
{
    struct pending p = pending;
    pending.ctx = NULL;
    if (p.ctx == ctx)
        (void)engine_api.JetStopBackupInstance(ctx, p.h);
}

/* Every Jet function publishes the caller's pending Stop first. */
#define MUT_ARGS(...) (ctx, __VA_ARGS__)
#define MUT_PUBLISHING(name, need, params, args)           \
    static JET_ERR publishing_##name JET__WITH_CTX params  \
    {                                                      \
        publish(ctx);                                      \
        return engine_api.name MUT_ARGS args;              \
    }
#define MUT_PUBLISHING0(name, need)                        \
    static JET_ERR publishing_##name(void *ctx)            \
    {                                                      \
        publish(ctx);                                      \
        return engine_api.name(ctx);                       \
    }
JET_API_FUNCTIONS(MUT_PUBLISHING, MUT_PUBLISHING0)

static JET_ERR stop(void *ctx, JET_INSTANCE h)
{
    struct engine_inspect st;
    publish(ctx);
    if (engine_inspect(ctx, h, &st) != ENGINE_OK)
        return engine_api.JetStopBackupInstance(ctx, h); /* its error, or OneInst */
    pending.ctx = ctx;
    pending.h = h;
    return JET_errSuccess;
}

static void decorate(struct jet_api *api)
{
#define MUT_SET(name, need, params, args) api->name = publishing_##name;
#define MUT_SET0(name, need) api->name = publishing_##name;
    JET_API_FUNCTIONS(MUT_SET, MUT_SET0)
    api->JetStopBackupInstance = stop;
}
MUTANT_DECORATOR(decorate)
