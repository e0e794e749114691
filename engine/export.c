/*
 * export.c: the exported symbols of libbackstop_engine.so: every Jet function
 * of JET_API_FUNCTIONS and every BackstopFixture* function of
 * BACKSTOP_FIXTURE_FUNCTIONS, with their real prototypes, forwarding to one
 * process-wide engine. That engine is created on first use with the directory
 * store, under $BACKSTOP_ENGINE_DIR if set, else in a fresh mkdtemp directory
 * in $TMPDIR (or /tmp), which is removed when the library is unloaded.
 * BackstopFixtureReset destroys the engine and creates a new one.
 *
 * The library is built with -fvisibility=hidden; only jet.h's prototypes are
 * given default visibility here, so these are the only exported symbols.
 *
 * Threads: the Jet functions may be called from any thread, as the engine
 * allows. BackstopFixtureReset must not overlap any other call.
 *
 * Mutants (engine/mutants/) reuse this file. A decorator mutant compiles it with
 * -DENGINE_EXPORT_API=<expr>, an expression of type const struct jet_api *
 * (e.g. a function call returning a table that copies engine_api and replaces a
 * few members); the default is &engine_api. ENGINE_EXPORT_FIXTURE likewise.
 */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif
#include "jet.h"
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

#ifndef ENGINE_EXPORT_API
#define ENGINE_EXPORT_API (&engine_api)
#endif
#ifndef ENGINE_EXPORT_FIXTURE
#define ENGINE_EXPORT_FIXTURE (&engine_fixture)
#endif

static pthread_mutex_t export_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct engine *) export_engine_ptr;
static char export_tmp[512];       /* the mkdtemp directory we own, or "" */

/* Caller holds export_mu. */
static struct engine *export_create(void)
{
    struct engine_config cfg = {.store = ENGINE_STORE_DIR, .seed = 1};
    const char *dir = getenv("BACKSTOP_ENGINE_DIR");
    if (dir == NULL || dir[0] == '\0') {
        if (export_tmp[0] == '\0') {
            const char *tmp = getenv("TMPDIR");
            snprintf(export_tmp, sizeof export_tmp, "%s/backstop-engine-XXXXXX",
                     tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
            if (mkdtemp(export_tmp) == NULL) {
                export_tmp[0] = '\0';
                return NULL;
            }
        }
        dir = export_tmp;
    }
    cfg.dir = dir;
    struct engine *e = NULL;
    if (engine_create(&cfg, &e) != ENGINE_OK)
        return NULL;
    return e;
}

static struct engine *export_engine(void)
{
    struct engine *e = atomic_load_explicit(&export_engine_ptr, memory_order_acquire);
    if (e != NULL)
        return e;
    pthread_mutex_lock(&export_mu);
    e = atomic_load_explicit(&export_engine_ptr, memory_order_relaxed);
    if (e == NULL) {
        e = export_create();
        atomic_store_explicit(&export_engine_ptr, e, memory_order_release);
    }
    pthread_mutex_unlock(&export_mu);
    return e;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((destructor))
#endif
static void export_unload(void)
{
    pthread_mutex_lock(&export_mu);
    engine_destroy(atomic_exchange(&export_engine_ptr, NULL));
    if (export_tmp[0] != '\0') {
        rmdir(export_tmp);
        export_tmp[0] = '\0';
    }
    pthread_mutex_unlock(&export_mu);
}

#define EXPORT__ARGS(...) (e, __VA_ARGS__)

#define EXPORT_JET(name, need, params, args)                  \
    JET_ERR JET_API name params                               \
    {                                                         \
        struct engine *e = export_engine();                   \
        if (e == NULL)                                        \
            return JET_errOutOfMemory;                        \
        return (ENGINE_EXPORT_API)->name EXPORT__ARGS args;   \
    }
#define EXPORT_JET0(name, need)                               \
    JET_ERR JET_API name(void)                                \
    {                                                         \
        struct engine *e = export_engine();                   \
        if (e == NULL)                                        \
            return JET_errOutOfMemory;                        \
        return (ENGINE_EXPORT_API)->name(e);                  \
    }
JET_API_FUNCTIONS(EXPORT_JET, EXPORT_JET0)
#undef EXPORT_JET
#undef EXPORT_JET0

#define EXPORT_FIXTURE(name, params, args)                    \
    JET_ERR name params                                       \
    {                                                         \
        struct engine *e = export_engine();                   \
        if (e == NULL)                                        \
            return JET_errOutOfMemory;                        \
        return (ENGINE_EXPORT_FIXTURE)->name EXPORT__ARGS args; \
    }
/* Reset is not forwarded: it replaces the whole engine. */
#define EXPORT_FIXTURE0(name)
BACKSTOP_FIXTURE_FUNCTIONS(EXPORT_FIXTURE, EXPORT_FIXTURE0)
#undef EXPORT_FIXTURE
#undef EXPORT_FIXTURE0

JET_ERR BackstopFixtureReset(void)
{
    pthread_mutex_lock(&export_mu);
    engine_destroy(atomic_exchange(&export_engine_ptr, NULL));
    struct engine *e = export_create();
    atomic_store_explicit(&export_engine_ptr, e, memory_order_release);
    pthread_mutex_unlock(&export_mu);
    return e != NULL ? JET_errSuccess : JET_errOutOfMemory;
}
