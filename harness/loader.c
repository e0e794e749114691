/*
 * loader.c: turns a --target argument into a target (target_resolve). A
 * built-in name ("model", "engine", "engine-dir") gives the matching static
 * table. Anything that looks like a path is loaded at run time: a shared
 * library on POSIX (dlopen), a DLL on Windows (LoadLibrary), so that a third
 * party's .so or the real esent.dll can be put under test.
 *
 * A loaded library exports the Jet functions under their real names and
 * signatures (jet.h, JET_API_FUNCTIONS) and, optionally, the plain-C
 * BackstopFixture* functions. Both lists are resolved by name into a table of
 * raw function pointers; the jet_api / jet_fixture members the harness calls
 * are context-first shims, generated from the same X-macros, that call the raw
 * pointer kept in the library struct (the world's ctx). A missing required Jet
 * symbol is a load error naming every one that is missing; a missing optional
 * one leaves its member NULL, and the runner SKIPs the cases that need it.
 * On Windows, a library with no fixture exports is offered to the built-in
 * fixture adapters (esent_fixture.c) before it is left without a fixture.
 *
 * A loaded library's state is process-wide: there is one "world" per process,
 * and open() only resets it (BackstopFixtureReset) and applies the profile.
 * The runner's forked mode is what isolates cases from each other; in
 * --no-fork mode the reset is all there is.
 *
 * Not for: calling targets (runner.c's target_call is the one place for that).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "loader_int.h"
#include "target.h"

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <dlfcn.h>
#endif

/* ---------------------------------------------------------------------------
 * Raw function pointer types, one per export. The Jet functions use the Jet
 * calling convention (__stdcall on 32-bit Windows); the fixture functions are
 * plain C, as jet.h declares them.
 * ------------------------------------------------------------------------- */

#define RAW_TYPE(name, need, params, args) typedef JET_ERR(JET_API *raw_##name##_fn) params;
#define RAW_TYPE0(name, need) typedef JET_ERR(JET_API *raw_##name##_fn)(void);
JET_API_FUNCTIONS(RAW_TYPE, RAW_TYPE0)
#undef RAW_TYPE
#undef RAW_TYPE0

#define RAW_FX_TYPE(name, params, args) typedef JET_ERR (*raw_##name##_fn) params;
#define RAW_FX_TYPE0(name) typedef JET_ERR (*raw_##name##_fn)(void);
BACKSTOP_FIXTURE_FUNCTIONS(RAW_FX_TYPE, RAW_FX_TYPE0)
#undef RAW_FX_TYPE
#undef RAW_FX_TYPE0

#define RAW_MEMBER(name, need, params, args) raw_##name##_fn name;
#define RAW_MEMBER0(name, need) raw_##name##_fn name;
#define RAW_FX_MEMBER(name, params, args) raw_##name##_fn name;
#define RAW_FX_MEMBER0(name) raw_##name##_fn name;

/*
 * One loaded library. It is also the world ctx every shim and adapter member
 * receives. Written once by target_resolve(), then read-only until
 * target_release() (so any thread may call through it).
 */
struct loader_lib {
    struct target_ops ops; /* handed out by target_resolve(); ops.data = this */
    struct jet_api api;    /* shims, NULL where the export is missing */
    struct jet_fixture fixture;
    void *handle; /* dlopen handle or HMODULE */
    struct {
        JET_API_FUNCTIONS(RAW_MEMBER, RAW_MEMBER0)
        BACKSTOP_FIXTURE_FUNCTIONS(RAW_FX_MEMBER, RAW_FX_MEMBER0)
    } raw;
    const struct loader__adapter *adapter; /* NULL unless an adapter serves it */
    void *adapter_state;
    char path[]; /* the --target argument, for ops.name */
};

#undef RAW_MEMBER
#undef RAW_MEMBER0
#undef RAW_FX_MEMBER
#undef RAW_FX_MEMBER0

/* ---------------------------------------------------------------------------
 * The platform layer: open, look up, close. Everything else is shared.
 * ------------------------------------------------------------------------- */

/* Write a message into the caller's detail buffer, if it gave one. */
static void detail_put(char *detail, size_t cb, const char *a, const char *b, const char *c)
{
    if (detail != NULL && cb > 0)
        snprintf(detail, cb, "%s%s%s", a, b != NULL ? b : "", c != NULL ? c : "");
}

#ifdef _WIN32

/* LoadLibraryA wants backslashes in a path; --target may be written with '/'. */
static void *plat_open(const char *path, char *detail, size_t cb)
{
    size_t n = strlen(path);
    char *fixed = malloc(n + 1);
    if (fixed == NULL) {
        detail_put(detail, cb, "out of memory", NULL, NULL);
        return NULL;
    }
    for (size_t i = 0; i <= n; i++)
        fixed[i] = path[i] == '/' ? '\\' : path[i];
    HMODULE h = LoadLibraryA(fixed);
    DWORD code = h == NULL ? GetLastError() : 0;
    free(fixed);
    if (h == NULL) {
        char msg[512];
        DWORD len = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                                   NULL, code, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), msg,
                                   (DWORD)sizeof msg, NULL);
        while (len > 0 && (msg[len - 1] == '\r' || msg[len - 1] == '\n' || msg[len - 1] == ' '))
            msg[--len] = '\0';
        if (detail != NULL && cb > 0)
            snprintf(detail, cb, "%s: %s (Windows error %lu)", path,
                     len > 0 ? msg : "LoadLibrary failed", (unsigned long)code);
        return NULL;
    }
    return (void *)h;
}

static loader__fn plat_symbol(void *handle, const char *name)
{
    /* FARPROC to void (*)(void): a function pointer conversion, no warning. */
    return (loader__fn)GetProcAddress((HMODULE)handle, name);
}

static void plat_close(void *handle)
{
    FreeLibrary((HMODULE)handle);
}

#else /* POSIX */

static void *plat_open(const char *path, char *detail, size_t cb)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *why = dlerror();
        detail_put(detail, cb, why != NULL ? why : "dlopen failed", NULL, NULL);
    }
    return h;
}

static loader__fn plat_symbol(void *handle, const char *name)
{
    /* POSIX (dlsym) guarantees that the object pointer converts to a function
     * pointer; ISO C does not, so copy the bits rather than cast. */
    _Static_assert(sizeof(void *) == sizeof(loader__fn), "dlsym needs pointer-sized functions");
    void *p = dlsym(handle, name);
    loader__fn fn;
    memcpy(&fn, &p, sizeof fn);
    return fn;
}

static void plat_close(void *handle)
{
    dlclose(handle);
}

#endif

/* ---------------------------------------------------------------------------
 * Shims: context-first members that call the library's raw export.
 * ------------------------------------------------------------------------- */

static struct loader_lib *lib_of(void *ctx)
{
    return ctx;
}

#define SHIM(name, need, params, args) \
    static JET_ERR shim_##name JET__WITH_CTX params { return lib_of(ctx)->raw.name args; }
#define SHIM0(name, need) \
    static JET_ERR shim_##name(void *ctx) { return lib_of(ctx)->raw.name(); }
JET_API_FUNCTIONS(SHIM, SHIM0)
#undef SHIM
#undef SHIM0

#define FX_SHIM(name, params, args) \
    static JET_ERR shim_##name JET__WITH_CTX params { return lib_of(ctx)->raw.name args; }
#define FX_SHIM0(name) \
    static JET_ERR shim_##name(void *ctx) { return lib_of(ctx)->raw.name(); }
BACKSTOP_FIXTURE_FUNCTIONS(FX_SHIM, FX_SHIM0)
#undef FX_SHIM
#undef FX_SHIM0

loader__fn loader__symbol(void *ctx, const char *name)
{
    return plat_symbol(lib_of(ctx)->handle, name);
}

void *loader__adapter_state(void *ctx)
{
    return lib_of(ctx)->adapter_state;
}

/* The built-in fixture adapters, tried in order for a library without fixture
 * exports. NULL-terminated (and so never empty). */
static const struct loader__adapter *const adapters[] = {
#ifdef _WIN32
    &loader__esent_adapter,
#endif
    NULL,
};

/* ---------------------------------------------------------------------------
 * The target_ops of a loaded library.
 * ------------------------------------------------------------------------- */

/*
 * The world is the library itself (process-wide). Reset it so that a case in
 * --no-fork mode starts clean, then ask for the profile: a library that
 * answers JET_wrnNyi (or any error) cannot act as it, and the runner SKIPs.
 */
static int lib_open(const struct target_ops *ops, const struct target_config *cfg, void **ctx)
{
    struct loader_lib *lib = ops->data;
    const struct jet_fixture *fx = ops->fixture;

    if (fx->BackstopFixtureReset != NULL && fx->BackstopFixtureReset(lib) < 0)
        return TARGET_EIO;
    if (cfg != NULL && fx->BackstopFixtureSetProfile != NULL) {
        JET_ERR err = fx->BackstopFixtureSetProfile(lib, model_profile_name(cfg->profile));
        if (err == JET_wrnNyi || err < 0)
            return TARGET_EPROFILE;
    }
    *ctx = lib;
    return TARGET_OK;
}

/* Nothing to destroy: the next open() resets the process-wide world. */
static void lib_close(void *ctx)
{
    (void)ctx;
}

/* Collects the names of missing required symbols into the detail buffer. */
struct missing {
    char *buf;
    size_t cb, len, count;
};

static void missing_add(struct missing *m, const char *name)
{
    m->count++;
    if (m->buf == NULL || m->cb == 0 || m->len + 1 >= m->cb)
        return;
    int n = snprintf(m->buf + m->len, m->cb - m->len, "%s%s",
                     m->count == 1 ? "missing required symbol(s): " : ", ", name);
    if (n > 0)
        m->len += (size_t)n < m->cb - m->len ? (size_t)n : m->cb - m->len - 1;
}

static void lib_free(struct loader_lib *lib)
{
    if (lib->adapter != NULL && lib->adapter->detach != NULL)
        lib->adapter->detach(lib->adapter_state);
    if (lib->handle != NULL)
        plat_close(lib->handle);
    free(lib);
}

static int load_library(const char *path, char *detail, size_t cb_detail,
                        const struct target_ops **out)
{
    size_t n = strlen(path);
    struct loader_lib *lib = calloc(1, sizeof *lib + n + 1);
    struct missing miss = {.buf = detail, .cb = detail != NULL ? cb_detail : 0};
    bool any_fixture = false;

    if (lib == NULL) {
        detail_put(detail, cb_detail, "out of memory", NULL, NULL);
        return TARGET_ENOMEM;
    }
    memcpy(lib->path, path, n + 1);
    lib->handle = plat_open(path, detail, cb_detail);
    if (lib->handle == NULL) {
        free(lib);
        return TARGET_ELOAD;
    }

    /* Resolve every export; install a shim only where the export exists. */
#define RESOLVE(name, need, params, args)                                  \
    lib->raw.name = (raw_##name##_fn)plat_symbol(lib->handle, #name);     \
    lib->api.name = lib->raw.name != NULL ? shim_##name : NULL;           \
    if (lib->raw.name == NULL && (need) == JET_REQUIRED)                  \
        missing_add(&miss, #name);
#define RESOLVE0(name, need) RESOLVE(name, need, (), ())
    JET_API_FUNCTIONS(RESOLVE, RESOLVE0)
#undef RESOLVE
#undef RESOLVE0

#define FX_RESOLVE(name, params, args)                                     \
    lib->raw.name = (raw_##name##_fn)plat_symbol(lib->handle, #name);     \
    lib->fixture.name = lib->raw.name != NULL ? shim_##name : NULL;       \
    any_fixture = any_fixture || lib->raw.name != NULL;
#define FX_RESOLVE0(name) FX_RESOLVE(name, (), ())
    BACKSTOP_FIXTURE_FUNCTIONS(FX_RESOLVE, FX_RESOLVE0)
#undef FX_RESOLVE
#undef FX_RESOLVE0

    if (miss.count > 0) {
        lib_free(lib);
        return TARGET_ELOAD;
    }

    lib->ops.name = lib->path;
    lib->ops.open = lib_open;
    lib->ops.close = lib_close;
    lib->ops.api = &lib->api;
    lib->ops.fixture = &lib->fixture;
    lib->ops.data = lib;

    /* A library that brings no fixture of its own may be one an adapter knows. */
    for (size_t i = 0; !any_fixture && adapters[i] != NULL; i++) {
        void *state = NULL;
        if (adapters[i]->attach(lib, &state) == 0) {
            const struct jet_api *wrap = adapters[i]->api;
            lib->adapter = adapters[i];
            lib->adapter_state = state;
            lib->ops.fixture = adapters[i]->fixture;
#define WRAP(name, need, params, args)              \
    if (wrap != NULL && wrap->name != NULL)         \
        lib->api.name = wrap->name;
#define WRAP0(name, need) WRAP(name, need, (), ())
            JET_API_FUNCTIONS(WRAP, WRAP0)
#undef WRAP
#undef WRAP0
            break;
        }
    }

    *out = &lib->ops;
    return TARGET_OK;
}

/* ---------------------------------------------------------------------------
 * Built-in names and target_resolve.
 * ------------------------------------------------------------------------- */

static const struct {
    const char *name;
    const struct target_ops *ops;
} builtins[] = {
    {"model", &target_model_ops},
    {"engine", &target_engine_ops},
    {"engine-dir", &target_engine_dir_ops},
};
#define N_BUILTINS (sizeof builtins / sizeof builtins[0])

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool looks_like_path(const char *spec)
{
#ifdef _WIN32
    if (strchr(spec, '\\') != NULL)
        return true;
#endif
    return strchr(spec, '/') != NULL || ends_with(spec, ".so") || ends_with(spec, ".dll");
}

/* Edit distance between a and b (b is a short built-in name). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t nb = strlen(b), row[32];
    if (nb >= sizeof row / sizeof row[0])
        nb = sizeof row / sizeof row[0] - 1;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1] != '\0'; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

int target_resolve(const char *spec, char *detail, size_t cb_detail,
                   const struct target_ops **out)
{
    if (detail != NULL && cb_detail > 0)
        detail[0] = '\0';
    if (out == NULL)
        return TARGET_EUNKNOWN;
    *out = NULL;
    if (spec == NULL || spec[0] == '\0') {
        detail_put(detail, cb_detail, "empty target; valid targets: model, engine, engine-dir, "
                   "or a path to a shared library", NULL, NULL);
        return TARGET_EUNKNOWN;
    }

    for (size_t i = 0; i < N_BUILTINS; i++) {
        if (strcmp(spec, builtins[i].name) == 0) {
            *out = builtins[i].ops;
            return TARGET_OK;
        }
    }
    if (looks_like_path(spec))
        return load_library(spec, detail, cb_detail, out);

    size_t best = 0;
    for (size_t i = 1; i < N_BUILTINS; i++)
        if (edit_distance(spec, builtins[i].name) < edit_distance(spec, builtins[best].name))
            best = i;
    if (detail != NULL && cb_detail > 0)
        snprintf(detail, cb_detail,
                 "unknown target '%s' (nearest: '%s'); valid targets: model, engine, "
                 "engine-dir, or a path to a shared library (containing '/' or ending in "
                 ".so or .dll)",
                 spec, builtins[best].name);
    return TARGET_EUNKNOWN;
}

void target_release(const struct target_ops *ops)
{
    /* Built-in tables are static; only loaded libraries own memory. */
    if (ops == NULL || ops->open != lib_open)
        return;
    lib_free(ops->data);
}

const char *target_strerror(int status)
{
    switch (status) {
    case TARGET_OK: return "success";
    case TARGET_EUNKNOWN: return "no such built-in target";
    case TARGET_ELOAD: return "the target library could not be loaded or lacks a required symbol";
    case TARGET_ENOMEM: return "out of memory";
    case TARGET_EPROFILE: return "the target cannot act as the requested profile";
    case TARGET_EIO: return "the target could not reset or set up its world";
    default: return "unknown target status";
    }
}
