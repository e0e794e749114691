/*
 * export.c: the exported symbols of libbackstop_engine.so: every Jet function
 * of JET_API_FUNCTIONS and every BackstopFixture* function of
 * BACKSTOP_FIXTURE_FUNCTIONS, with their real prototypes, forwarding to one
 * process-wide engine. That engine is created on first use with the directory
 * store. All engines of this library live under one root, a mkdtemp directory
 * made when the library is loaded, under $BACKSTOP_ENGINE_DIR (else $TMPDIR,
 * else /tmp); each process's engine uses its own subdirectory p<pid>, so the
 * children of a forking test runner never share files. BackstopFixtureReset
 * destroys the engine and creates a new one in the same subdirectory. When the
 * library is unloaded in the process that made the root, the whole root is
 * removed, including what children left behind (they often leave by _exit,
 * which runs no destructor).
 *
 * The library is built with -fvisibility=hidden; only jet.h's prototypes are
 * given default visibility here, so these are the only exported symbols.
 *
 * Threads: the Jet functions may be called from any thread, as the engine
 * allows. BackstopFixtureReset must not overlap any other call.
 *
 * Scheduling hook. Besides jet.h's functions the library exports the optional
 *
 *     JET_ERR BackstopSetYieldHook(void (*fn)(void *ctx, const char *point), void *ctx);
 *
 * which `backstop stress` looks up (harness/stress_run.c) to stop a thread at
 * the engine's internal yield points (engine.h) under a controlled schedule. It
 * gives the current engine the hook and every engine made later
 * (BackstopFixtureReset, a fork child); NULL removes it; it returns 0. Set it
 * while no call is in flight (engine_set_yield_hook's contract).
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

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
static engine_yield_fn export_hook_fn; /* under export_mu; given to every new engine */
static void *export_hook_ctx;
static char export_root[512]; /* the mkdtemp root, or "" */
static pid_t export_root_owner;  /* the process that made it */

/* Make the root if there is none. Caller holds export_mu (or is the loader). */
static int export_make_root(void)
{
    if (export_root[0] != '\0')
        return 0;
    const char *base = getenv("BACKSTOP_ENGINE_DIR");
    if (base == NULL || base[0] == '\0')
        base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    (void)mkdir(base, 0700); /* $BACKSTOP_ENGINE_DIR may not exist yet */
    snprintf(export_root, sizeof export_root, "%s/backstop-engine-XXXXXX", base);
    if (mkdtemp(export_root) == NULL) {
        export_root[0] = '\0';
        return -1;
    }
    export_root_owner = getpid();
    return 0;
}

/* rm -r of a tree the library made (depth-limited: root/p<pid>/inst-N/file). */
static void export_remove_tree(int dirfd_parent, const char *name, int depth)
{
    int fd = openat(dirfd_parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return;
    }
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (fstatat(fd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth > 0)
                export_remove_tree(fd, ent->d_name, depth - 1);
        } else {
            unlinkat(fd, ent->d_name, 0);
        }
    }
    closedir(d);
    unlinkat(dirfd_parent, name, AT_REMOVEDIR);
}

/* Caller holds export_mu. */
static struct engine *export_create(void)
{
    char dir[600];
    if (export_make_root() != 0)
        return NULL;
    snprintf(dir, sizeof dir, "%s/p%ld", export_root, (long)getpid());
    struct engine_config cfg = {.store = ENGINE_STORE_DIR, .dir = dir, .seed = 1};
    struct engine *e = NULL;
    if (engine_create(&cfg, &e) != ENGINE_OK)
        return NULL;
    engine_set_yield_hook(e, export_hook_fn, export_hook_ctx);
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

/* In a fork child: forget the parent's engine (its files are the parent's); the
 * child makes its own, in its own subdirectory of the same root. */
static void export_atfork_child(void)
{
    pthread_mutex_init(&export_mu, NULL);
    atomic_store(&export_engine_ptr, NULL);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((constructor))
#endif
static void export_load(void)
{
    pthread_atfork(NULL, NULL, export_atfork_child);
    (void)export_make_root(); /* now, in the loading process, not in each child */
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((destructor))
#endif
static void export_unload(void)
{
    pthread_mutex_lock(&export_mu);
    engine_destroy(atomic_exchange(&export_engine_ptr, NULL));
    if (export_root[0] != '\0' && export_root_owner == getpid()) {
        export_remove_tree(AT_FDCWD, export_root, 3);
        export_root[0] = '\0';
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

#if defined(__GNUC__) || defined(__clang__)
#define EXPORT_VISIBLE __attribute__((visibility("default")))
#else
#define EXPORT_VISIBLE
#endif

EXPORT_VISIBLE JET_ERR BackstopSetYieldHook(engine_yield_fn fn, void *ctx);
EXPORT_VISIBLE JET_ERR BackstopSetYieldHook(engine_yield_fn fn, void *ctx)
{
    pthread_mutex_lock(&export_mu);
    export_hook_fn = fn;
    export_hook_ctx = fn != NULL ? ctx : NULL;
    struct engine *e = atomic_load_explicit(&export_engine_ptr, memory_order_relaxed);
    if (e != NULL)
        engine_set_yield_hook(e, export_hook_fn, export_hook_ctx);
    pthread_mutex_unlock(&export_mu);
    return JET_errSuccess;
}

JET_ERR BackstopFixtureReset(void)
{
    pthread_mutex_lock(&export_mu);
    engine_destroy(atomic_exchange(&export_engine_ptr, NULL));
    struct engine *e = export_create();
    atomic_store_explicit(&export_engine_ptr, e, memory_order_release);
    pthread_mutex_unlock(&export_mu);
    return e != NULL ? JET_errSuccess : JET_errOutOfMemory;
}
