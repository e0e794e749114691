/*
 * target_engine.c: the reference engine (engine/) as in-process targets:
 * "engine" uses the memory store, "engine-dir" real files under the run's work
 * directory (or $TMPDIR). Each case gets a fresh engine. The engine acts as the
 * ese profile, or esent with handle validation; it has no documented profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine.h"
#include "target.h"

static int te_open(const struct target_ops *ops, const struct target_config *cfg, void **ctx)
{
    struct engine_config ec = {0};
    struct engine *e = NULL;
    char root[512];
    int rv;

    if (cfg && cfg->profile == MODEL_PROFILE_DOCUMENTED)
        return TARGET_EPROFILE;
    ec.store = ops == &target_engine_dir_ops ? ENGINE_STORE_DIR : ENGINE_STORE_MEM;
    if (ec.store == ENGINE_STORE_DIR) {
        /* A fresh, unique root that the engine creates, and so removes again in
         * engine_destroy: mkdtemp reserves the name, rmdir hands it over. */
        const char *base = cfg && cfg->work_dir ? cfg->work_dir : getenv("TMPDIR");
        snprintf(root, sizeof root, "%s/backstop-engine-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(root) || rmdir(root) != 0)
            return TARGET_EIO;
        ec.dir = root;
    }
    ec.validate_handles = cfg && cfg->profile == MODEL_PROFILE_ESENT;
    ec.seed = cfg ? cfg->seed : 0;
    rv = engine_create(&ec, &e);
    if (rv == ENGINE_ENOMEM)
        return TARGET_ENOMEM;
    if (rv != ENGINE_OK)
        return TARGET_EIO;
    *ctx = e;
    return TARGET_OK;
}

static void te_close(void *ctx) { engine_destroy(ctx); }

const struct target_ops target_engine_ops = {
    .name = "engine",
    .open = te_open,
    .close = te_close,
    .api = &engine_api,
    .fixture = &engine_fixture,
};

const struct target_ops target_engine_dir_ops = {
    .name = "engine-dir",
    .open = te_open,
    .close = te_close,
    .api = &engine_api,
    .fixture = &engine_fixture,
};
