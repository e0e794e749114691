/*
 * mutant.h: what the mutant libraries of engine/mutants/ share.
 *
 * A mutant is the engine with one deliberate bug tied to one rule of the spec,
 * built as a loadable library with the real Jet* exports (export.c). It
 * exports `backstop_mutant_info`, one line starting with the rule id, which
 * `backstop mutants` prints in its kill matrix.
 *
 * Two ways to plant the bug:
 *   - a named point in the engine's code, `if (ENGINE_MUTATION(id)) ...`
 *     (engine_int.h lists every id; dead code in the real engine); the mutant's
 *     source then holds only MUTANT_INFO;
 *   - a decorator: the library forwards to a copy of `engine_api` with a few
 *     members replaced by wrappers written here, around the untouched engine.
 *     export.c is compiled with ENGINE_EXPORT_API=mutant_api(e) and
 *     mutant_api.h pre-included; the mutant's source says
 *     MUTANT_DECORATOR(fn), where fn(struct jet_api *) replaces members.
 *     Wrappers reach the engine through `engine_api` and look at state with
 *     engine_inspect() (engine.h).
 *
 * Every library built from export.c (the real engine's and every mutant's)
 * exports BackstopSetYieldHook, so that a controlled scheduler can stop a
 * thread inside the engine at its yield points (engine.h), including
 * ENGINE_YIELD_MUTANT (engine_int.h), which a concurrency mutant puts in its
 * bug window.
 */
#ifndef BACKSTOP_MUTANT_H
#define BACKSTOP_MUTANT_H

#include <pthread.h>

#include "engine.h"

#if defined(__GNUC__) || defined(__clang__)
#define MUTANT_EXPORT __attribute__((visibility("default")))
#else
#define MUTANT_EXPORT
#endif

/* The one-line description: "R16: ReadFile ignores the stop flag". */
MUTANT_EXPORT extern const char backstop_mutant_info[];
#define MUTANT_INFO(text) MUTANT_EXPORT const char backstop_mutant_info[] = text

#include "mutant_api.h" /* mutant_api(e): the table export.c forwards every Jet
                          call to, called with the library's current engine */

/*
 * MUTANT_DECORATOR(decorate): defines mutant_api(), which builds the table once
 * (engine_api with decorate() applied).
 */
#define MUTANT_DECORATOR(decorate)                                                 \
    static struct jet_api mutant__table;                                           \
    static pthread_once_t mutant__once = PTHREAD_ONCE_INIT;                        \
    static void mutant__init(void)                                                 \
    {                                                                              \
        mutant__table = engine_api;                                                \
        decorate(&mutant__table);                                                  \
    }                                                                              \
    const struct jet_api *mutant_api(struct engine *e)                             \
    {                                                                              \
        (void)e;                                                                   \
        pthread_once(&mutant__once, mutant__init);                                 \
        return &mutant__table;                                                     \
    }

/*
 * mutant_state: a snapshot of the instance behind h if it is live, with the
 * backup APIs' gate open (initialised, service not stopped): the state in which
 * a backup call reaches its body. False otherwise (the wrapper then just
 * forwards, so the gate's results stay the engine's).
 */
static inline int mutant_state(void *ctx, JET_INSTANCE h, struct engine_inspect *st)
{
    return engine_inspect(ctx, h, st) == ENGINE_OK && st->initialized && !st->stop_service;
}

#endif /* BACKSTOP_MUTANT_H */
