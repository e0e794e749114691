/*
 * target_model.c: the reference model wrapped as an implementation of the Jet
 * ABI, so that the conformance suite can run against the oracle itself and so
 * that every other target can be run in lockstep with it.
 *
 * Each Jet function turns its C arguments into a struct model_call, steps the
 * world, and writes the model's out-parameters back through the caller's
 * pointers. ReadFile fills the buffer with a deterministic pattern (the model
 * has sizes, not contents). The fixture functions map onto the model's
 * fixture operations.
 *
 * Faults: BackstopFixtureArmFault(point, nth) arms a point; every call that
 * reaches the faulting step is an opportunity (found by stepping a copy of the
 * world with the fault set and looking at model_result.fault_used); the nth
 * opportunity fails.
 *
 * Threads: the model is sequential, so every call runs under the world's mutex;
 * concurrent callers (backstop stress in free mode) see atomic calls, which is a
 * linearisable implementation by construction.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "target.h"

struct tm_ctx {
    pthread_mutex_t mu;            /* serialises every call on this world */
    struct model_config cfg;
    struct model_world *w;
    struct model_world *scratch;   /* for fault opportunity probing */
    enum model_fault armed;        /* MODEL_FAULT_NONE when disarmed */
    uint32_t armed_nth;            /* opportunities to let pass before failing */
    bool world_started;            /* an instance was ever created (page size frozen) */
    struct model_result last;      /* result of the last call (for the runner's trace) */
};

static const struct {
    const char *point;
    enum model_fault fault;
} tm_points[] = {
    {"read.eio", MODEL_FAULT_READ_IO},
    {"read.verify", MODEL_FAULT_READ_VERIFY},
    {"alloc.enomem", MODEL_FAULT_NOMEM},
    {"logroll.enospc", MODEL_FAULT_LOG_ROLL},
    {"open.eio", MODEL_FAULT_OPEN_IO},
};

/* Step the world, applying an armed fault at its nth opportunity. The caller
 * holds t->mu. */
static void tm_step_locked(struct tm_ctx *t, struct model_call *c, struct model_result *r)
{
    c->fault = MODEL_FAULT_NONE;
    if (t->armed != MODEL_FAULT_NONE) {
        struct model_call fc = *c;
        fc.fault = t->armed;
        model_world_copy(t->scratch, t->w);
        model_step(t->scratch, &fc, r);
        if (r->fault_used) {
            if (t->armed_nth == 0) {
                /* This opportunity fails: keep the faulted world. */
                struct model_world *tmp = t->w;
                t->w = t->scratch;
                t->scratch = tmp;
                t->armed = MODEL_FAULT_NONE;
                t->last = *r;
                return;
            }
            t->armed_nth--;
        }
    }
    model_step(t->w, c, r);
    t->last = *r;
}

static void tm_step(struct tm_ctx *t, struct model_call *c, struct model_result *r)
{
    pthread_mutex_lock(&t->mu);
    tm_step_locked(t, c, r);
    pthread_mutex_unlock(&t->mu);
}

static JET_ERR tm_simple(void *ctx, enum model_op op, JET_INSTANCE inst, JET_GRBIT grbit)
{
    struct model_call c = {.op = op, .inst = inst, .grbit = grbit};
    struct model_result r;
    tm_step(ctx, &c, &r);
    return r.err;
}

/* ---- instance lifecycle ---------------------------------------------------- */

static JET_ERR tm_JetCreateInstance(void *ctx, JET_INSTANCE *pinst, const char *name)
{
    struct tm_ctx *t = ctx;
    struct model_call c = {.op = MODEL_OP_CREATE_INSTANCE, .name = name};
    struct model_result r;
    if (!pinst)
        c.flags |= MODEL_CALL_PINST_NULL;
    tm_step(t, &c, &r);
    if (r.err >= 0 && (r.outs & MODEL_OUT_INST) && pinst)
        *pinst = r.inst;
    t->world_started = true;
    return r.err;
}

static JET_ERR tm_JetInit(void *ctx, JET_INSTANCE *pinst)
{
    struct tm_ctx *t = ctx;
    struct model_call c = {.op = MODEL_OP_INIT, .inst = pinst ? *pinst : 0};
    struct model_result r;
    if (!pinst)
        c.flags |= MODEL_CALL_PINST_NULL;
    tm_step(t, &c, &r);
    if (r.err >= 0 && (r.outs & MODEL_OUT_INST) && pinst)
        *pinst = r.inst;
    t->world_started = true;
    return r.err;
}

static JET_ERR tm_JetTerm(void *ctx, JET_INSTANCE i) { return tm_simple(ctx, MODEL_OP_TERM, i, 0); }
static JET_ERR tm_JetTerm2(void *ctx, JET_INSTANCE i, JET_GRBIT g) { return tm_simple(ctx, MODEL_OP_TERM2, i, g); }
static JET_ERR tm_JetStopServiceInstance(void *ctx, JET_INSTANCE i)
{
    return tm_simple(ctx, MODEL_OP_STOP_SERVICE_INSTANCE, i, 0);
}
static JET_ERR tm_JetStopService(void *ctx) { return tm_simple(ctx, MODEL_OP_STOP_SERVICE, 0, 0); }
static JET_ERR tm_JetStopBackupInstance(void *ctx, JET_INSTANCE i)
{
    return tm_simple(ctx, MODEL_OP_STOP_BACKUP_INSTANCE, i, 0);
}
static JET_ERR tm_JetStopBackup(void *ctx) { return tm_simple(ctx, MODEL_OP_STOP_BACKUP, 0, 0); }

/* ---- backup calls ------------------------------------------------------------ */

static JET_ERR tm_begin(void *ctx, enum model_op op, JET_INSTANCE i, JET_GRBIT g)
{
    return tm_simple(ctx, op, i, g);
}
static JET_ERR tm_JetBeginExternalBackupInstance(void *ctx, JET_INSTANCE i, JET_GRBIT g)
{
    return tm_begin(ctx, MODEL_OP_BEGIN, i, g);
}
static JET_ERR tm_JetBeginExternalBackup(void *ctx, JET_GRBIT g)
{
    return tm_begin(ctx, MODEL_OP_BEGIN_LEGACY, 0, g);
}

static int tm_list_which(enum model_op op)
{
    switch (op) {
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
        return 0;
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        return 2;
    default:
        return 1;
    }
}

/* Any list call: GetAttachInfo, GetLogInfo(2), GetTruncateLogInfo, legacy forms. */
static JET_ERR tm_list(void *ctx, enum model_op op, JET_INSTANCE i, char *szz, uint32_t cb_max,
                       uint32_t *pcb, JET_LOGINFO *info)
{
    struct tm_ctx *t = ctx;
    struct model_call c = {.op = op, .inst = i, .cb_max = cb_max};
    struct model_result r;
    if (!szz)
        c.flags |= MODEL_CALL_BUF_NULL;
    if (!pcb)
        c.flags |= MODEL_CALL_PCB_NULL;
    pthread_mutex_lock(&t->mu);
    tm_step_locked(t, &c, &r);
    if (r.err >= 0 && szz && cb_max) {
        /* The instance the legacy form resolved to is the one the list is for;
         * in OneInst mode model_list ignores the handle value (R4). */
        model_list(t->w, i, tm_list_which(op), szz, cb_max);
    }
    pthread_mutex_unlock(&t->mu);
    if (r.err < 0)
        return r.err;
    if (pcb && (r.outs & MODEL_OUT_CB))
        *pcb = r.cb_actual;
    if (info && (r.outs & MODEL_OUT_GENS)) {
        info->ulGenLow = r.gen_low;
        info->ulGenHigh = r.gen_high;
        memcpy(info->szBaseName, "edb", 4);
    }
    return r.err;
}

static JET_ERR tm_JetGetAttachInfoInstance(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb,
                                           uint32_t *pcb)
{
    return tm_list(ctx, MODEL_OP_GET_ATTACH_INFO, i, szz, cb, pcb, NULL);
}
static JET_ERR tm_JetGetAttachInfo(void *ctx, char *szz, uint32_t cb, uint32_t *pcb)
{
    return tm_list(ctx, MODEL_OP_GET_ATTACH_INFO_LEGACY, 0, szz, cb, pcb, NULL);
}
static JET_ERR tm_JetGetLogInfoInstance(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb,
                                        uint32_t *pcb)
{
    return tm_list(ctx, MODEL_OP_GET_LOG_INFO, i, szz, cb, pcb, NULL);
}
static JET_ERR tm_JetGetLogInfoInstance2(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb,
                                         uint32_t *pcb, JET_LOGINFO *info)
{
    return tm_list(ctx, MODEL_OP_GET_LOG_INFO2, i, szz, cb, pcb, info);
}
static JET_ERR tm_JetGetLogInfo(void *ctx, char *szz, uint32_t cb, uint32_t *pcb)
{
    return tm_list(ctx, MODEL_OP_GET_LOG_INFO_LEGACY, 0, szz, cb, pcb, NULL);
}
static JET_ERR tm_JetGetTruncateLogInfoInstance(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb,
                                                uint32_t *pcb)
{
    return tm_list(ctx, MODEL_OP_GET_TRUNCATE_LOG_INFO, i, szz, cb, pcb, NULL);
}

static JET_ERR tm_open(void *ctx, enum model_op op, JET_INSTANCE i, const char *name,
                       JET_HANDLE *phf, uint32_t *plo, uint32_t *phi)
{
    struct model_call c = {.op = op, .inst = i, .name = name};
    struct model_result r;
    if (!name)
        c.flags |= MODEL_CALL_NAME_NULL;
    tm_step(ctx, &c, &r);
    if (r.err >= 0 && (r.outs & MODEL_OUT_HF)) {
        if (phf)
            *phf = r.hf;
        if (plo)
            *plo = (uint32_t)r.size;
        if (phi)
            *phi = (uint32_t)(r.size >> 32);
    }
    return r.err;
}
static JET_ERR tm_JetOpenFileInstance(void *ctx, JET_INSTANCE i, const char *name, JET_HANDLE *phf,
                                      uint32_t *plo, uint32_t *phi)
{
    return tm_open(ctx, MODEL_OP_OPEN_FILE, i, name, phf, plo, phi);
}
static JET_ERR tm_JetOpenFile(void *ctx, const char *name, JET_HANDLE *phf, uint32_t *plo,
                              uint32_t *phi)
{
    return tm_open(ctx, MODEL_OP_OPEN_FILE_LEGACY, 0, name, phf, plo, phi);
}

static JET_ERR tm_read(void *ctx, enum model_op op, JET_INSTANCE i, JET_HANDLE hf, void *pv,
                       uint32_t cb, uint32_t *pcb)
{
    struct tm_ctx *t = ctx;
    struct model_call c = {.op = op, .inst = i, .hf = hf, .cb_max = cb};
    struct model_result r;
    uint32_t os_page = t->cfg.os_page ? t->cfg.os_page : 4096;
    if (!pv)
        c.flags |= MODEL_CALL_BUF_NULL;
    else if ((uintptr_t)pv % os_page)
        c.flags |= MODEL_CALL_BUF_MISALIGNED;
    if (!pcb)
        c.flags |= MODEL_CALL_PCB_NULL;
    tm_step(t, &c, &r);
    if (r.err >= 0 && (r.outs & MODEL_OUT_CB)) {
        if (pv && r.cb_actual)
            memset(pv, 0xB5, r.cb_actual < cb ? r.cb_actual : cb);
        if (pcb)
            *pcb = r.cb_actual;
    }
    return r.err;
}
static JET_ERR tm_JetReadFileInstance(void *ctx, JET_INSTANCE i, JET_HANDLE hf, void *pv,
                                      uint32_t cb, uint32_t *pcb)
{
    return tm_read(ctx, MODEL_OP_READ_FILE, i, hf, pv, cb, pcb);
}
static JET_ERR tm_JetReadFile(void *ctx, JET_HANDLE hf, void *pv, uint32_t cb, uint32_t *pcb)
{
    return tm_read(ctx, MODEL_OP_READ_FILE_LEGACY, 0, hf, pv, cb, pcb);
}

static JET_ERR tm_close_file(void *ctx, enum model_op op, JET_INSTANCE i, JET_HANDLE hf)
{
    struct model_call c = {.op = op, .inst = i, .hf = hf};
    struct model_result r;
    tm_step(ctx, &c, &r);
    return r.err;
}
static JET_ERR tm_JetCloseFileInstance(void *ctx, JET_INSTANCE i, JET_HANDLE hf)
{
    return tm_close_file(ctx, MODEL_OP_CLOSE_FILE, i, hf);
}
static JET_ERR tm_JetCloseFile(void *ctx, JET_HANDLE hf)
{
    return tm_close_file(ctx, MODEL_OP_CLOSE_FILE_LEGACY, 0, hf);
}

static JET_ERR tm_JetTruncateLogInstance(void *ctx, JET_INSTANCE i)
{
    return tm_simple(ctx, MODEL_OP_TRUNCATE_LOG, i, 0);
}
static JET_ERR tm_JetTruncateLog(void *ctx) { return tm_simple(ctx, MODEL_OP_TRUNCATE_LOG_LEGACY, 0, 0); }
static JET_ERR tm_JetEndExternalBackupInstance(void *ctx, JET_INSTANCE i)
{
    return tm_simple(ctx, MODEL_OP_END, i, 0);
}
static JET_ERR tm_JetEndExternalBackupInstance2(void *ctx, JET_INSTANCE i, JET_GRBIT g)
{
    return tm_simple(ctx, MODEL_OP_END2, i, g);
}
static JET_ERR tm_JetEndExternalBackup(void *ctx) { return tm_simple(ctx, MODEL_OP_END_LEGACY, 0, 0); }

static const struct jet_api tm_api = {
#define TM_MEMBER(name, need, params, args) .name = tm_##name,
#define TM_MEMBER0(name, need) .name = tm_##name,
    JET_API_FUNCTIONS(TM_MEMBER, TM_MEMBER0)
#undef TM_MEMBER
#undef TM_MEMBER0
};

/* ---- fixture ----------------------------------------------------------------- */

static JET_ERR tm_fx_BackstopFixtureSetProfile(void *ctx, const char *profile)
{
    struct tm_ctx *t = ctx;
    enum model_profile p;
    if (!profile || model_profile_parse(profile, &p) != 0)
        return JET_errInvalidParameter;
    if (t->world_started)
        return JET_errAlreadyInitialized;
    t->cfg.profile = p;
    model_world_init(t->w, &t->cfg);
    return JET_errSuccess;
}

static JET_ERR tm_fx_BackstopFixtureSetPageSize(void *ctx, uint32_t cb)
{
    struct tm_ctx *t = ctx;
    if (cb < 1024 || cb > 65536 || (cb & (cb - 1)))
        return JET_errInvalidParameter;
    if (t->world_started)
        return JET_errAlreadyInitialized;
    t->cfg.page_size = cb;
    model_world_init(t->w, &t->cfg);
    return JET_errSuccess;
}

static JET_ERR tm_fx_BackstopFixtureSetLogSize(void *ctx, uint32_t cb)
{
    struct tm_ctx *t = ctx;
    if (cb == 0 || cb % 512)
        return JET_errInvalidParameter;
    if (t->world_started)
        return JET_errAlreadyInitialized;
    t->cfg.log_size = cb;
    model_world_init(t->w, &t->cfg);
    return JET_errSuccess;
}

static JET_ERR tm_fx(void *ctx, enum model_op op, JET_INSTANCE i, const char *name, uint32_t arg)
{
    struct model_call c = {.op = op, .inst = i, .name = name, .arg = arg};
    struct model_result r;
    tm_step(ctx, &c, &r);
    return r.err;
}
static JET_ERR tm_fx_BackstopFixtureConfigureInstance(void *ctx, JET_INSTANCE i, uint32_t flags)
{
    return tm_fx(ctx, MODEL_OP_FX_CONFIGURE, i, NULL, flags);
}
static JET_ERR tm_fx_BackstopFixtureCreateDatabase(void *ctx, JET_INSTANCE i, const char *name, uint32_t pages)
{
    return tm_fx(ctx, MODEL_OP_FX_CREATE_DB, i, name, pages);
}
static JET_ERR tm_fx_BackstopFixtureDetachDatabase(void *ctx, JET_INSTANCE i, const char *name)
{
    return tm_fx(ctx, MODEL_OP_FX_DETACH_DB, i, name, 0);
}
static JET_ERR tm_fx_BackstopFixtureRollLog(void *ctx, JET_INSTANCE i, uint32_t gen)
{
    return tm_fx(ctx, MODEL_OP_FX_ROLL_LOG, i, NULL, gen);
}
static JET_ERR tm_fx_BackstopFixtureSetCheckpoint(void *ctx, JET_INSTANCE i, uint32_t gen)
{
    return tm_fx(ctx, MODEL_OP_FX_SET_CHECKPOINT, i, NULL, gen);
}
static JET_ERR tm_fx_BackstopFixtureDeleteLog(void *ctx, JET_INSTANCE i, uint32_t gen)
{
    return tm_fx(ctx, MODEL_OP_FX_DELETE_LOG, i, NULL, gen);
}
static JET_ERR tm_fx_BackstopFixtureForceState(void *ctx, JET_INSTANCE i, uint32_t state)
{
    return tm_fx(ctx, MODEL_OP_FX_FORCE_STATE, i, NULL, state);
}

static JET_ERR tm_fx_BackstopFixtureArmFault(void *ctx, const char *point, uint32_t nth)
{
    struct tm_ctx *t = ctx;
    if (!point)
        return JET_errInvalidParameter;
    for (size_t k = 0; k < sizeof tm_points / sizeof tm_points[0]; k++) {
        if (strcmp(point, tm_points[k].point) == 0) {
            t->armed = tm_points[k].fault;
            t->armed_nth = nth;
            return JET_errSuccess;
        }
    }
    return JET_errInvalidParameter;
}

static JET_ERR tm_fx_BackstopFixtureFilePath(void *ctx, JET_INSTANCE i, uint32_t kind, const char *name, uint32_t gen,
                              char *buf, uint32_t cb)
{
    (void)ctx;
    (void)i;
    int n;
    if (!buf || cb == 0)
        return JET_errInvalidParameter;
    if (kind == BACKSTOP_FILE_DATABASE) {
        if (!name)
            return JET_errInvalidParameter;
        n = snprintf(buf, cb, "%s", name);
    } else if (kind == BACKSTOP_FILE_LOG) {
        n = snprintf(buf, cb, "edb%08X.log", (unsigned)gen);
    } else {
        return JET_errInvalidParameter;
    }
    return (n < 0 || (uint32_t)n >= cb) ? JET_errBufferTooSmall : JET_errSuccess;
}

static JET_ERR tm_fx_BackstopFixtureLogRange(void *ctx, JET_INSTANCE i, uint32_t *plow, uint32_t *phigh)
{
    struct tm_ctx *t = ctx;
    struct model_view v;
    pthread_mutex_lock(&t->mu);
    model_view(t->w, i, &v);
    pthread_mutex_unlock(&t->mu);
    if (!v.found)
        return JET_errInvalidParameter;
    /* The contract: (0, 0) when no log is on disk (every one deleted). */
    bool none = v.log_low > v.log_current || v.log_current == 0;
    if (plow)
        *plow = none ? 0 : v.log_low;
    if (phigh)
        *phigh = none ? 0 : v.log_current;
    return JET_errSuccess;
}

static JET_ERR tm_fx_BackstopFixtureReset(void *ctx)
{
    struct tm_ctx *t = ctx;
    model_world_init(t->w, &t->cfg);
    t->armed = MODEL_FAULT_NONE;
    t->world_started = false;
    return JET_errSuccess;
}

static const struct jet_fixture tm_fixture = {
#define TM_FX(name, params, args) .name = tm_fx_##name,
#define TM_FX0(name) .name = tm_fx_##name,
    BACKSTOP_FIXTURE_FUNCTIONS(TM_FX, TM_FX0)
#undef TM_FX
#undef TM_FX0
};

/* ---- target ops ---------------------------------------------------------------- */

static int tm_open_world(const struct target_ops *ops, const struct target_config *cfg, void **out)
{
    (void)ops;
    struct tm_ctx *t = calloc(1, sizeof *t);
    if (!t)
        return TARGET_ENOMEM;
    t->w = malloc(model_world_size());
    t->scratch = malloc(model_world_size());
    if (!t->w || !t->scratch) {
        free(t->w);
        free(t->scratch);
        free(t);
        return TARGET_ENOMEM;
    }
    if (pthread_mutex_init(&t->mu, NULL) != 0) {
        free(t->w);
        free(t->scratch);
        free(t);
        return TARGET_ENOMEM;
    }
    t->cfg.profile = cfg ? cfg->profile : MODEL_PROFILE_ESE;
    model_world_init(t->w, &t->cfg);
    *out = t;
    return TARGET_OK;
}

static void tm_close_world(void *ctx)
{
    struct tm_ctx *t = ctx;
    if (!t)
        return;
    pthread_mutex_destroy(&t->mu);
    free(t->w);
    free(t->scratch);
    free(t);
}

const struct target_ops target_model_ops = {
    .name = "model",
    .open = tm_open_world,
    .close = tm_close_world,
    .api = &tm_api,
    .fixture = &tm_fixture,
};

/* The rule ids behind the model target's last result (for traces). */
const struct model_result *target_model_last(void *ctx)
{
    return &((struct tm_ctx *)ctx)->last;
}
