/*
 * target.h: an implementation of the Jet ABI under test. A target is a const
 * table of operations (how to make a fresh world and tear it down) plus the two
 * function tables of jet.h: `struct jet_api` and `struct jet_fixture`.
 *
 * Built-in targets: "model" (the reference model behind the ABI), "engine" (the
 * in-process reference engine, memory store), "engine-dir" (directory store).
 * A path ending in .so (or .dll on Windows) is loaded at run time (loader.c).
 *
 * Every call into a target goes through target_call() (runner.c), the one place
 * where calls are traced.
 */
#ifndef BACKSTOP_TARGET_H
#define BACKSTOP_TARGET_H

#include <stdbool.h>
#include <stdio.h>

#include "jet.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of target operations (harness errors, not Jet results). */
enum {
    TARGET_OK = 0,
    TARGET_EUNKNOWN = -1,  /* no such built-in target */
    TARGET_ELOAD = -2,     /* a shared library could not be loaded or lacks a symbol */
    TARGET_ENOMEM = -3,
    TARGET_EPROFILE = -4,  /* the target cannot act as the requested profile */
    TARGET_EIO = -5
};
const char *target_strerror(int status);

struct target_config {
    enum model_profile profile;
    const char *work_dir; /* scratch directory for targets with files; NULL = a temp dir */
    uint64_t seed;
};

/*
 * struct target_ops: one kind of implementation.
 *   open   make a fresh, empty world for one case; *ctx receives it.
 *   close  destroy it (every instance, file and allocation).
 * The world's ctx is passed to every jet_api / jet_fixture member.
 */
struct target_ops {
    const char *name;
    int (*open)(const struct target_ops *ops, const struct target_config *cfg, void **ctx);
    void (*close)(void *ctx);
    const struct jet_api *api;
    const struct jet_fixture *fixture;
    void *data; /* loader-private (the resolved library), NULL for built-ins */
};

/* Resolve a --target argument: a built-in name or a library path. On a load error,
 * `detail` (if non-NULL) receives a message naming every missing symbol; the
 * result is TARGET_ELOAD. The returned ops live until target_release(). */
int target_resolve(const char *spec, char *detail, size_t cb_detail,
                   const struct target_ops **out);
void target_release(const struct target_ops *ops);

/* The built-in model target (target_model.c). */
extern const struct target_ops target_model_ops;

/* The built-in engine targets (target_engine.c): memory store, directory store. */
extern const struct target_ops target_engine_ops;
extern const struct target_ops target_engine_dir_ops;

/* The model's full result (rule ids, cancel flag) of the last call made on a
 * model-target world `ctx`. */
const struct model_result *target_model_last(void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_TARGET_H */
