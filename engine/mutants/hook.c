/*
 * hook.c: the engine's scheduling hook (engine_set_yield_hook) for a mutant
 * library, whose engine lives behind export.c. A scheduler that loads the
 * library finds the optional export
 *
 *     JET_ERR BackstopSetYieldHook(void (*fn)(void *ctx, const char *point), void *ctx);
 *
 * and calls it before it starts its workers; every engine the library makes
 * from then on (BackstopFixtureReset makes a new one) gets the hook at its first
 * call. fn is called on the calling thread at each yield point, with no engine
 * lock held (engine.h); NULL removes the hook. Returns 0.
 *
 * Threads: set the hook while no call is in flight. The first call on a new
 * engine installs it; the harness makes that call (the world's setup) before
 * its workers start.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "engine_int.h"
#include "mutant.h"

static pthread_mutex_t hook_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(engine_yield_fn) hook_fn;
static void *_Atomic hook_ctx;

MUTANT_EXPORT JET_ERR BackstopSetYieldHook(engine_yield_fn fn, void *ctx);
MUTANT_EXPORT JET_ERR BackstopSetYieldHook(engine_yield_fn fn, void *ctx)
{
    pthread_mutex_lock(&hook_mu);
    atomic_store(&hook_ctx, ctx);
    atomic_store(&hook_fn, fn);
    pthread_mutex_unlock(&hook_mu);
    return JET_errSuccess;
}

void mutant_hook_apply(struct engine *e)
{
    engine_yield_fn fn = atomic_load_explicit(&hook_fn, memory_order_acquire);
    if (e->yield_fn == fn && (fn == NULL || e->yield_ctx == atomic_load(&hook_ctx)))
        return;
    pthread_mutex_lock(&hook_mu);
    engine_set_yield_hook(e, atomic_load(&hook_fn), atomic_load(&hook_ctx));
    pthread_mutex_unlock(&hook_mu);
}
