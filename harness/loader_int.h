/*
 * loader_int.h: what the run-time loader (loader.c) shares with its built-in
 * fixture adapters (esent_fixture.c). Not a public interface: only the
 * loader's own files include it; the rest of backstop sees target.h.
 *
 * A fixture adapter serves a library that exports the Jet API but none of the
 * BackstopFixture* symbols, such as the real esent.dll: it builds the fixture
 * (create a database, roll the log, ...) out of the library's own exports. Its
 * jet_fixture members receive the same world ctx as the jet_api shims (the
 * loaded library); they reach the library's other exports through
 * loader__symbol() and their own state through loader__adapter_state().
 */
#ifndef BACKSTOP_LOADER_INT_H
#define BACKSTOP_LOADER_INT_H

#include "jet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Any exported function, before it is converted to its real type. Converting
 * from this type is what every compiler accepts without a cast warning. */
typedef void (*loader__fn)(void);

/* The export `name` of the library whose world is ctx, or NULL if it has none.
 * Thread-safe (the library stays loaded until target_release()). */
loader__fn loader__symbol(void *ctx, const char *name);

/* The state the adapter's attach() created for the library whose world is ctx. */
void *loader__adapter_state(void *ctx);

struct loader__adapter {
    const char *name;
    /* Called once at load time, after the Jet symbols were resolved. Returns 0
     * and sets *state if this adapter serves the library behind ctx (it found
     * every export it needs), nonzero to decline. */
    int (*attach)(void *ctx, void **state);
    /* Frees the state at target_release(). */
    void (*detach)(void *state);
    /* The fixture; members left NULL are unsupported (their steps SKIP). */
    const struct jet_fixture *fixture;
    /* Optional wrappers: each non-NULL member replaces the loader's shim for
     * that Jet function (e.g. to give every new instance its own directory).
     * A wrapper reaches the real export through loader__symbol(). */
    const struct jet_api *api;
};

#ifdef _WIN32
/* esent_fixture.c: the fixture for Windows' esent.dll. */
extern const struct loader__adapter loader__esent_adapter;
#endif

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_LOADER_INT_H */
