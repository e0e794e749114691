/*
 * faults_lockstep.c: the engine and the model run in lockstep behind one Jet
 * ABI (faults_int.h), for the fault sweep.
 *
 * Each function calls the engine first. If a fault fired inside that call (the
 * engine's observer names the point), the model is told: the modelled points
 * become model_call.fault (read.eio, read.verify, alloc.enomem,
 * logroll.enospc; the model applies R36-R38, R41); read.short changes no
 * outcome; and the two points the model has no fault for get their spec
 * consequence applied here:
 *   open.eio   OpenFile fails at its file open (§4.3 "failure handling"): in
 *              phase Databases the backup continues (the model is not
 *              stepped); in LogsAndPatches the backup is cancelled (the model
 *              is stepped with an OpenFile of a missing log, R38, whose only
 *              effect is that cancellation);
 *   write.eio  fixture file creation fails: CreateDatabase creates nothing (the
 *              model is not stepped); RollLog stops at the failing generation
 *              (the model rolls to the generation the engine reached).
 * Then the results are compared: the error, and the out-parameters both sides
 * define (OpenFile's handle and size, ReadFile's byte count, GetLogInfo2's
 * generations, the number of names in a list).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults_int.h"

#define LS_MAX_PAIRS 64
#define LS_TRACE 12

struct faults__ls {
    struct engine *e;
    struct model_world *w;
    struct model_world *scratch;
    struct model_config mc;
    bool world_started;                  /* an instance was created: sizes frozen */
    JET_INSTANCE eh[LS_MAX_PAIRS], mh[LS_MAX_PAIRS];
    uint32_t n_pairs;
    const char *fired;                   /* the point that fired in the current call */
    uint32_t n_fired;
    bool lockstep;
    bool allow_diverge;
    bool failed;
    char failure[4096];
    char trace[LS_TRACE][200];
    uint32_t n_trace;
};

static void ls_observer(void *ctx, const char *point, uint64_t opportunity)
{
    struct faults__ls *ls = ctx;
    (void)opportunity;
    ls->fired = point;
    ls->n_fired++;
}

int faults__ls_open(uint64_t seed, struct faults__ls **out)
{
    struct engine_config ec = {.store = ENGINE_STORE_MEM, .seed = seed};
    struct faults__ls *ls = calloc(1, sizeof *ls);
    *out = NULL;
    if (!ls)
        return -1;
    ls->w = malloc(model_world_size());
    ls->scratch = malloc(model_world_size());
    if (!ls->w || !ls->scratch || engine_create(&ec, &ls->e) != ENGINE_OK) {
        faults__ls_close(ls);
        return -1;
    }
    ls->mc.profile = MODEL_PROFILE_ESE;
    model_world_init(ls->w, &ls->mc);
    engine_set_fault_observer(ls->e, ls_observer, ls);
    ls->lockstep = true;
    *out = ls;
    return 0;
}

void faults__ls_close(struct faults__ls *ls)
{
    if (!ls)
        return;
    engine_destroy(ls->e);
    free(ls->w);
    free(ls->scratch);
    free(ls);
}

struct engine *faults__ls_engine(struct faults__ls *ls) { return ls->e; }
void faults__ls_allow_diverge(struct faults__ls *ls, bool allow) { ls->allow_diverge = allow; }
const char *faults__ls_failure(const struct faults__ls *ls) { return ls->failed ? ls->failure : NULL; }
bool faults__ls_in_lockstep(const struct faults__ls *ls) { return ls->lockstep; }
uint32_t faults__ls_fired(const struct faults__ls *ls) { return ls->n_fired; }

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void ls_fail(struct faults__ls *ls, const char *fmt, ...)
{
    va_list ap;
    size_t k;
    if (ls->failed)
        return;
    ls->failed = true;
    ls->lockstep = false;
    va_start(ap, fmt);
    vsnprintf(ls->failure, sizeof ls->failure, fmt, ap);
    va_end(ap);
    k = strlen(ls->failure);
    if (k + 32 < sizeof ls->failure) {
        k += (size_t)snprintf(ls->failure + k, sizeof ls->failure - k, "\n  calls so far (last %d):",
                              LS_TRACE);
    }
    uint32_t first = ls->n_trace > LS_TRACE ? ls->n_trace - LS_TRACE : 0;
    for (uint32_t i = first; i < ls->n_trace && k + 8 < sizeof ls->failure; i++)
        k += (size_t)snprintf(ls->failure + k, sizeof ls->failure - k, "\n    %s",
                              ls->trace[i % LS_TRACE]);
}

static JET_INSTANCE ls_map(const struct faults__ls *ls, JET_INSTANCE h)
{
    for (uint32_t i = 0; i < ls->n_pairs; i++)
        if (ls->eh[i] == h)
            return ls->mh[i];
    return h; /* 0, nil, never-created values name nothing on either side */
}

static void ls_pair(struct faults__ls *ls, JET_INSTANCE e, JET_INSTANCE m)
{
    for (uint32_t i = 0; i < ls->n_pairs; i++)
        if (ls->eh[i] == e) {
            ls->mh[i] = m;
            return;
        }
    if (ls->n_pairs < LS_MAX_PAIRS) {
        ls->eh[ls->n_pairs] = e;
        ls->mh[ls->n_pairs++] = m;
    }
}

static const char *ls_base(const char *name)
{
    const char *b;
    if (!name)
        return NULL;
    b = strrchr(name, '/');
    return b ? b + 1 : name;
}

static void ls_rules(const struct model_result *r, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < r->n_rules && k + 8 < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? " " : "", model_rule_name(r->rules[i]));
}

/* The engine's outputs that both sides define. */
struct ls_outs {
    bool hf_size;
    JET_HANDLE hf;
    uint64_t size;
    bool cb;
    uint32_t cb_actual;
    bool gens;
    uint32_t gen_low, gen_high;
    bool count;
    uint32_t n_entries;
};

static void ls_trace(struct faults__ls *ls, const struct model_call *c, JET_ERR e)
{
    snprintf(ls->trace[ls->n_trace % LS_TRACE], sizeof ls->trace[0], "%s(0x%" PRIxPTR "%s%s%s) = %d%s%s",
             model_op_name(c->op), (uintptr_t)c->inst, c->name ? ", \"" : "", c->name ? c->name : "",
             c->name ? "\"" : "", (int)e, ls->fired ? " fault " : "", ls->fired ? ls->fired : "");
    ls->n_trace++;
}

/*
 * Step the model with the call the engine just made (with its result e and
 * outputs eo) and compare. The fired fault, if any, is applied as described
 * at the top of the file.
 */
static void ls_step(struct faults__ls *ls, struct model_call *c, JET_ERR e, const struct ls_outs *eo)
{
    struct model_result r;
    const char *fired = ls->fired;
    bool modelled = true;
    char rules[64];

    ls->fired = NULL;
    ls_trace(ls, c, e);
    if (!ls->lockstep)
        return;
    c->fault = fired ? faults_model_fault(fired, &modelled) : MODEL_FAULT_NONE;
    if (fired && !modelled) {
        if (strcmp(fired, "write.eio") == 0) {
            if (e != JET_errDiskIO) {
                ls_fail(ls, "%s: write.eio fired, but the engine returned %d, not -1022",
                        model_op_name(c->op), (int)e);
                return;
            }
            if (c->op == MODEL_OP_FX_ROLL_LOG) {
                struct engine_inspect x;
                JET_INSTANCE eh = 0;
                for (uint32_t i = 0; i < ls->n_pairs; i++)
                    if (ls->mh[i] == c->inst)
                        eh = ls->eh[i];
                if (engine_inspect(ls->e, eh, &x) == ENGINE_OK) {
                    struct model_call roll = *c;
                    roll.arg = x.log_cur;
                    roll.fault = MODEL_FAULT_NONE;
                    model_step(ls->w, &roll, &r);
                }
            }
            return;
        }
    }
    /* D7: ReadFile of a handle that is not the open slot is undefined (§4.4
     * step 6); a fault can leave a case's later ReadFile without its file. */
    bool undefined = false;
    if (c->op == MODEL_OP_READ_FILE || c->op == MODEL_OP_READ_FILE_LEGACY) {
        struct model_view v;
        model_view(ls->w, c->inst, &v);
        undefined = v.found && v.in_progress_local && !v.stop && !v.slot_in_use;
    }
    model_step(ls->w, c, &r);
    if (fired && c->fault != MODEL_FAULT_NONE && !r.fault_used) {
        ls_fail(ls, "%s: the engine fired %s, but in the model the call does not reach that step "
                    "(model result %d)",
                model_op_name(c->op), fired, (int)r.err);
        return;
    }
    ls_rules(&r, rules, sizeof rules);
    const char *what = NULL;
    uint64_t a = 0, b = 0;
    if (r.err != e) {
        what = "result";
        a = (uint64_t)(int64_t)e;
        b = (uint64_t)(int64_t)r.err;
    } else if (e == JET_errSuccess && eo) {
        if (eo->hf_size && (r.outs & MODEL_OUT_HF) && (eo->size != r.size || eo->hf != r.hf)) {
            what = "file size";
            a = eo->size;
            b = r.size;
        } else if (eo->cb && (r.outs & MODEL_OUT_CB) && eo->cb_actual != r.cb_actual) {
            what = "bytes read";
            a = eo->cb_actual;
            b = r.cb_actual;
        } else if (eo->gens && (r.outs & MODEL_OUT_GENS) &&
                   (eo->gen_low != r.gen_low || eo->gen_high != r.gen_high)) {
            what = "log generations (low<<32|high)";
            a = (uint64_t)eo->gen_low << 32 | eo->gen_high;
            b = (uint64_t)r.gen_low << 32 | r.gen_high;
        } else if (eo->count && (r.outs & MODEL_OUT_LIST) && eo->n_entries != r.n_entries) {
            what = "names in the list";
            a = eo->n_entries;
            b = r.n_entries;
        }
    }
    if (!what)
        return;
    if (ls->allow_diverge || undefined) {
        ls->lockstep = false; /* the spec allows both: the worlds may differ from here */
        return;
    }
    if (strcmp(what, "result") == 0)
        ls_fail(ls, "%s: engine returned %d, model %d (model rules: %s)%s%s", model_op_name(c->op),
                (int)(int64_t)a, (int)(int64_t)b, rules[0] ? rules : "none",
                fired ? "; fault fired: " : "", fired ? fired : "");
    else
        ls_fail(ls, "%s: %s differ: engine %" PRIu64 ", model %" PRIu64 " (model rules: %s)%s%s",
                model_op_name(c->op), what, a, b, rules[0] ? rules : "none",
                fired ? "; fault fired: " : "", fired ? fired : "");
}

/* ---- the Jet functions --------------------------------------------------------------- */

static JET_ERR ls_simple(struct faults__ls *ls, enum model_op op, JET_INSTANCE i, JET_GRBIT g, JET_ERR e)
{
    struct model_call c = {.op = op, .inst = ls_map(ls, i), .grbit = g};
    ls_step(ls, &c, e, NULL);
    return e;
}

static JET_ERR ls_create(void *ctx, JET_INSTANCE *pinst, const char *name)
{
    struct faults__ls *ls = ctx;
    struct model_call c = {.op = MODEL_OP_CREATE_INSTANCE, .name = name};
    struct model_result r;
    JET_ERR e = engine_api.JetCreateInstance(ls->e, pinst, name);
    ls->world_started = true;
    if (!pinst)
        c.flags |= MODEL_CALL_PINST_NULL;
    ls->fired = NULL;
    ls_trace(ls, &c, e);
    if (!ls->lockstep)
        return e;
    model_step(ls->w, &c, &r);
    if (r.err != e) {
        ls_fail(ls, "JetCreateInstance: engine returned %d, model %d", (int)e, (int)r.err);
        return e;
    }
    if (e == JET_errSuccess && pinst)
        ls_pair(ls, *pinst, r.inst);
    return e;
}

static JET_ERR ls_init(void *ctx, JET_INSTANCE *pinst)
{
    struct faults__ls *ls = ctx;
    JET_INSTANCE before = pinst ? *pinst : 0;
    struct model_call c = {.op = MODEL_OP_INIT, .inst = before ? ls_map(ls, before) : 0};
    struct model_result r;
    JET_ERR e = engine_api.JetInit(ls->e, pinst);
    ls->world_started = true;
    if (!pinst)
        c.flags |= MODEL_CALL_PINST_NULL;
    ls->fired = NULL;
    ls_trace(ls, &c, e);
    if (!ls->lockstep)
        return e;
    model_step(ls->w, &c, &r);
    if (r.err != e) {
        ls_fail(ls, "JetInit: engine returned %d, model %d", (int)e, (int)r.err);
        return e;
    }
    if (e == JET_errSuccess && pinst && (r.outs & MODEL_OUT_INST))
        ls_pair(ls, *pinst, r.inst);
    return e;
}

static JET_ERR ls_term(void *ctx, JET_INSTANCE i)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_TERM, i, 0, engine_api.JetTerm(ls->e, i));
}
static JET_ERR ls_term2(void *ctx, JET_INSTANCE i, JET_GRBIT g)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_TERM2, i, g, engine_api.JetTerm2(ls->e, i, g));
}
static JET_ERR ls_stop_service_instance(void *ctx, JET_INSTANCE i)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_STOP_SERVICE_INSTANCE, i, 0, engine_api.JetStopServiceInstance(ls->e, i));
}
static JET_ERR ls_stop_service(void *ctx)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_STOP_SERVICE, 0, 0, engine_api.JetStopService(ls->e));
}
static JET_ERR ls_stop_backup_instance(void *ctx, JET_INSTANCE i)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_STOP_BACKUP_INSTANCE, i, 0, engine_api.JetStopBackupInstance(ls->e, i));
}
static JET_ERR ls_stop_backup(void *ctx)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_STOP_BACKUP, 0, 0, engine_api.JetStopBackup(ls->e));
}
static JET_ERR ls_begin(void *ctx, JET_INSTANCE i, JET_GRBIT g)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_BEGIN, i, g, engine_api.JetBeginExternalBackupInstance(ls->e, i, g));
}
static JET_ERR ls_begin_legacy(void *ctx, JET_GRBIT g)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_BEGIN_LEGACY, 0, g, engine_api.JetBeginExternalBackup(ls->e, g));
}
static JET_ERR ls_truncate(void *ctx, JET_INSTANCE i)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_TRUNCATE_LOG, i, 0, engine_api.JetTruncateLogInstance(ls->e, i));
}
static JET_ERR ls_truncate_legacy(void *ctx)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_TRUNCATE_LOG_LEGACY, 0, 0, engine_api.JetTruncateLog(ls->e));
}
static JET_ERR ls_end(void *ctx, JET_INSTANCE i)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_END, i, 0, engine_api.JetEndExternalBackupInstance(ls->e, i));
}
static JET_ERR ls_end2(void *ctx, JET_INSTANCE i, JET_GRBIT g)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_END2, i, g, engine_api.JetEndExternalBackupInstance2(ls->e, i, g));
}
static JET_ERR ls_end_legacy(void *ctx)
{
    struct faults__ls *ls = ctx;
    return ls_simple(ls, MODEL_OP_END_LEGACY, 0, 0, engine_api.JetEndExternalBackup(ls->e));
}

/* Names in a szz list that fit in the buffer (UINT32_MAX if cut off). */
static uint32_t ls_count(const char *buf, uint32_t len)
{
    uint32_t n = 0, i = 0;
    while (i < len) {
        if (buf[i] == 0)
            return n;
        n++;
        while (i < len && buf[i])
            i++;
        i++;
    }
    return UINT32_MAX;
}

static JET_ERR ls_list(struct faults__ls *ls, enum model_op op, JET_INSTANCE i, char *szz, uint32_t cbMax,
                       uint32_t *pcb, JET_LOGINFO *pli, JET_ERR e)
{
    struct model_call c = {.op = op, .inst = ls_map(ls, i), .cb_max = cbMax};
    struct ls_outs eo = {0};
    if (!szz)
        c.flags |= MODEL_CALL_BUF_NULL;
    if (!pcb)
        c.flags |= MODEL_CALL_PCB_NULL;
    if (e == JET_errSuccess && szz) {
        uint32_t n = ls_count(szz, cbMax);
        if (n != UINT32_MAX) {
            eo.count = true;
            eo.n_entries = n;
        }
    }
    if (e == JET_errSuccess && pli) {
        eo.gens = true;
        eo.gen_low = pli->ulGenLow;
        eo.gen_high = pli->ulGenHigh;
    }
    ls_step(ls, &c, e, &eo);
    return e;
}

static JET_ERR ls_get_attach_info(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_list(ls, MODEL_OP_GET_ATTACH_INFO, i, szz, cb, pcb, NULL,
                   engine_api.JetGetAttachInfoInstance(ls->e, i, szz, cb, pcb));
}
static JET_ERR ls_get_attach_info_legacy(void *ctx, char *szz, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_list(ls, MODEL_OP_GET_ATTACH_INFO_LEGACY, 0, szz, cb, pcb, NULL,
                   engine_api.JetGetAttachInfo(ls->e, szz, cb, pcb));
}
static JET_ERR ls_get_log_info(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_list(ls, MODEL_OP_GET_LOG_INFO, i, szz, cb, pcb, NULL,
                   engine_api.JetGetLogInfoInstance(ls->e, i, szz, cb, pcb));
}
static JET_ERR ls_get_log_info2(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb, uint32_t *pcb,
                                JET_LOGINFO *pli)
{
    struct faults__ls *ls = ctx;
    return ls_list(ls, MODEL_OP_GET_LOG_INFO2, i, szz, cb, pcb, pli,
                   engine_api.JetGetLogInfoInstance2(ls->e, i, szz, cb, pcb, pli));
}
static JET_ERR ls_get_log_info_legacy(void *ctx, char *szz, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_list(ls, MODEL_OP_GET_LOG_INFO_LEGACY, 0, szz, cb, pcb, NULL,
                   engine_api.JetGetLogInfo(ls->e, szz, cb, pcb));
}
static JET_ERR ls_get_truncate_log_info(void *ctx, JET_INSTANCE i, char *szz, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_list(ls, MODEL_OP_GET_TRUNCATE_LOG_INFO, i, szz, cb, pcb, NULL,
                   engine_api.JetGetTruncateLogInfoInstance(ls->e, i, szz, cb, pcb));
}

static JET_ERR ls_open_common(struct faults__ls *ls, enum model_op op, JET_INSTANCE i, const char *name,
                              JET_HANDLE *phf, uint32_t *plo, uint32_t *phi, JET_ERR e)
{
    struct model_call c = {.op = op, .inst = ls_map(ls, i), .name = ls_base(name)};
    struct ls_outs eo = {0};
    if (!name)
        c.flags |= MODEL_CALL_NAME_NULL;
    if (e == JET_errSuccess && phf && plo && phi) {
        eo.hf_size = true;
        eo.hf = *phf;
        eo.size = (uint64_t)*phi << 32 | *plo;
    }
    ls_step(ls, &c, e, &eo);
    return e;
}

static JET_ERR ls_open(void *ctx, JET_INSTANCE i, const char *name, JET_HANDLE *phf, uint32_t *plo,
                       uint32_t *phi)
{
    struct faults__ls *ls = ctx;
    return ls_open_common(ls, MODEL_OP_OPEN_FILE, i, name, phf, plo, phi,
                          engine_api.JetOpenFileInstance(ls->e, i, name, phf, plo, phi));
}
static JET_ERR ls_open_legacy(void *ctx, const char *name, JET_HANDLE *phf, uint32_t *plo, uint32_t *phi)
{
    struct faults__ls *ls = ctx;
    return ls_open_common(ls, MODEL_OP_OPEN_FILE_LEGACY, 0, name, phf, plo, phi,
                          engine_api.JetOpenFile(ls->e, name, phf, plo, phi));
}

static JET_ERR ls_read_common(struct faults__ls *ls, enum model_op op, JET_INSTANCE i, JET_HANDLE hf,
                              void *pv, uint32_t cb, uint32_t *pcb, JET_ERR e)
{
    struct model_call c = {.op = op, .inst = ls_map(ls, i), .hf = hf, .cb_max = cb};
    struct ls_outs eo = {0};
    if (!pv)
        c.flags |= MODEL_CALL_BUF_NULL;
    else if (((uintptr_t)pv & 4095u) != 0)
        c.flags |= MODEL_CALL_BUF_MISALIGNED;
    if (!pcb)
        c.flags |= MODEL_CALL_PCB_NULL;
    else if (e == JET_errSuccess) {
        eo.cb = true;
        eo.cb_actual = *pcb;
    }
    ls_step(ls, &c, e, &eo);
    return e;
}

static JET_ERR ls_read(void *ctx, JET_INSTANCE i, JET_HANDLE hf, void *pv, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_read_common(ls, MODEL_OP_READ_FILE, i, hf, pv, cb, pcb,
                          engine_api.JetReadFileInstance(ls->e, i, hf, pv, cb, pcb));
}
static JET_ERR ls_read_legacy(void *ctx, JET_HANDLE hf, void *pv, uint32_t cb, uint32_t *pcb)
{
    struct faults__ls *ls = ctx;
    return ls_read_common(ls, MODEL_OP_READ_FILE_LEGACY, 0, hf, pv, cb, pcb,
                          engine_api.JetReadFile(ls->e, hf, pv, cb, pcb));
}

static JET_ERR ls_close(void *ctx, JET_INSTANCE i, JET_HANDLE hf)
{
    struct faults__ls *ls = ctx;
    struct model_call c = {.op = MODEL_OP_CLOSE_FILE, .inst = ls_map(ls, i), .hf = hf};
    JET_ERR e = engine_api.JetCloseFileInstance(ls->e, i, hf);
    ls_step(ls, &c, e, NULL);
    return e;
}
static JET_ERR ls_close_legacy(void *ctx, JET_HANDLE hf)
{
    struct faults__ls *ls = ctx;
    struct model_call c = {.op = MODEL_OP_CLOSE_FILE_LEGACY, .hf = hf};
    JET_ERR e = engine_api.JetCloseFile(ls->e, hf);
    ls_step(ls, &c, e, NULL);
    return e;
}

static const struct jet_api ls_api = {
    .JetCreateInstance = ls_create,
    .JetInit = ls_init,
    .JetTerm = ls_term,
    .JetTerm2 = ls_term2,
    .JetStopServiceInstance = ls_stop_service_instance,
    .JetStopService = ls_stop_service,
    .JetStopBackupInstance = ls_stop_backup_instance,
    .JetStopBackup = ls_stop_backup,
    .JetBeginExternalBackupInstance = ls_begin,
    .JetGetAttachInfoInstance = ls_get_attach_info,
    .JetOpenFileInstance = ls_open,
    .JetReadFileInstance = ls_read,
    .JetCloseFileInstance = ls_close,
    .JetGetLogInfoInstance = ls_get_log_info,
    .JetGetLogInfoInstance2 = ls_get_log_info2,
    .JetGetTruncateLogInfoInstance = ls_get_truncate_log_info,
    .JetTruncateLogInstance = ls_truncate,
    .JetEndExternalBackupInstance = ls_end,
    .JetEndExternalBackupInstance2 = ls_end2,
    .JetBeginExternalBackup = ls_begin_legacy,
    .JetGetAttachInfo = ls_get_attach_info_legacy,
    .JetOpenFile = ls_open_legacy,
    .JetReadFile = ls_read_legacy,
    .JetCloseFile = ls_close_legacy,
    .JetGetLogInfo = ls_get_log_info_legacy,
    .JetTruncateLog = ls_truncate_legacy,
    .JetEndExternalBackup = ls_end_legacy,
};

/* ---- the fixture ----------------------------------------------------------------------- */

static JET_ERR ls_fx(struct faults__ls *ls, enum model_op op, JET_INSTANCE i, const char *name, uint32_t arg,
                     JET_ERR e)
{
    struct model_call c = {.op = op, .inst = ls_map(ls, i), .name = name, .arg = arg};
    ls_step(ls, &c, e, NULL);
    return e;
}

static JET_ERR ls_set_profile(void *ctx, const char *profile)
{
    struct faults__ls *ls = ctx;
    if (!profile || strcmp(profile, "ese") != 0)
        return JET_wrnNyi; /* the sweep runs the ese profile */
    return engine_fixture.BackstopFixtureSetProfile(ls->e, profile);
}

static JET_ERR ls_set_size(struct faults__ls *ls, bool page, uint32_t cb)
{
    JET_ERR e = page ? engine_fixture.BackstopFixtureSetPageSize(ls->e, cb)
                     : engine_fixture.BackstopFixtureSetLogSize(ls->e, cb);
    if (e == JET_errSuccess && ls->lockstep) {
        if (ls->world_started) {
            ls_fail(ls, "the engine accepted a %s size after an instance was created",
                    page ? "page" : "log");
            return e;
        }
        if (page)
            ls->mc.page_size = cb;
        else
            ls->mc.log_size = cb;
        model_world_init(ls->w, &ls->mc);
    }
    return e;
}
static JET_ERR ls_set_page_size(void *ctx, uint32_t cb) { return ls_set_size(ctx, true, cb); }
static JET_ERR ls_set_log_size(void *ctx, uint32_t cb) { return ls_set_size(ctx, false, cb); }

static JET_ERR ls_configure(void *ctx, JET_INSTANCE i, uint32_t flags)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_CONFIGURE, i, NULL, flags,
                 engine_fixture.BackstopFixtureConfigureInstance(ls->e, i, flags));
}
static JET_ERR ls_create_db(void *ctx, JET_INSTANCE i, const char *name, uint32_t pages)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_CREATE_DB, i, name, pages,
                 engine_fixture.BackstopFixtureCreateDatabase(ls->e, i, name, pages));
}
static JET_ERR ls_detach_db(void *ctx, JET_INSTANCE i, const char *name)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_DETACH_DB, i, ls_base(name), 0,
                 engine_fixture.BackstopFixtureDetachDatabase(ls->e, i, name));
}
static JET_ERR ls_roll_log(void *ctx, JET_INSTANCE i, uint32_t gen)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_ROLL_LOG, i, NULL, gen, engine_fixture.BackstopFixtureRollLog(ls->e, i, gen));
}
static JET_ERR ls_set_checkpoint(void *ctx, JET_INSTANCE i, uint32_t gen)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_SET_CHECKPOINT, i, NULL, gen,
                 engine_fixture.BackstopFixtureSetCheckpoint(ls->e, i, gen));
}
static JET_ERR ls_delete_log(void *ctx, JET_INSTANCE i, uint32_t gen)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_DELETE_LOG, i, NULL, gen,
                 engine_fixture.BackstopFixtureDeleteLog(ls->e, i, gen));
}
static JET_ERR ls_force_state(void *ctx, JET_INSTANCE i, uint32_t state)
{
    struct faults__ls *ls = ctx;
    return ls_fx(ls, MODEL_OP_FX_FORCE_STATE, i, NULL, state,
                 engine_fixture.BackstopFixtureForceState(ls->e, i, state));
}
static JET_ERR ls_arm_fault(void *ctx, const char *point, uint32_t nth)
{
    struct faults__ls *ls = ctx;
    /* The engine's point fires; its observer tells the model at that call. */
    return engine_fixture.BackstopFixtureArmFault(ls->e, point, nth);
}
static JET_ERR ls_file_path(void *ctx, JET_INSTANCE i, uint32_t kind, const char *name, uint32_t gen,
                            char *buf, uint32_t cb)
{
    struct faults__ls *ls = ctx;
    return engine_fixture.BackstopFixtureFilePath(ls->e, i, kind, name, gen, buf, cb);
}
static JET_ERR ls_log_range(void *ctx, JET_INSTANCE i, uint32_t *plow, uint32_t *phigh)
{
    struct faults__ls *ls = ctx;
    return engine_fixture.BackstopFixtureLogRange(ls->e, i, plow, phigh);
}
static JET_ERR ls_reset(void *ctx)
{
    struct faults__ls *ls = ctx;
    JET_ERR e = engine_fixture.BackstopFixtureReset(ls->e);
    engine_set_fault_observer(ls->e, ls_observer, ls);
    ls->mc.page_size = ls->mc.log_size = 0;
    model_world_init(ls->w, &ls->mc);
    ls->n_pairs = 0;
    ls->world_started = false;
    return e;
}

static const struct jet_fixture ls_fixture = {
    .BackstopFixtureSetProfile = ls_set_profile,
    .BackstopFixtureSetPageSize = ls_set_page_size,
    .BackstopFixtureSetLogSize = ls_set_log_size,
    .BackstopFixtureConfigureInstance = ls_configure,
    .BackstopFixtureCreateDatabase = ls_create_db,
    .BackstopFixtureDetachDatabase = ls_detach_db,
    .BackstopFixtureRollLog = ls_roll_log,
    .BackstopFixtureSetCheckpoint = ls_set_checkpoint,
    .BackstopFixtureDeleteLog = ls_delete_log,
    .BackstopFixtureForceState = ls_force_state,
    .BackstopFixtureArmFault = ls_arm_fault,
    .BackstopFixtureFilePath = ls_file_path,
    .BackstopFixtureLogRange = ls_log_range,
    .BackstopFixtureReset = ls_reset,
};

const struct target_ops faults__ls_ops = {
    .name = "engine+model",
    .api = &ls_api,
    .fixture = &ls_fixture,
};

/* ---- state agreement ------------------------------------------------------------------- */

void faults__ls_check_state(struct faults__ls *ls, const char *where)
{
    static const enum model_phase phase_of[] = {MODEL_PHASE_NOT_STARTED, MODEL_PHASE_DATABASES,
                                                MODEL_PHASE_LOGS, MODEL_PHASE_DONE};
    if (!ls->lockstep)
        return;
    for (uint32_t i = 0; i < ls->n_pairs; i++) {
        struct engine_inspect x;
        struct model_view v;
        uint32_t low = 0, high = 0;
        model_view(ls->w, ls->mh[i], &v);
        bool live = engine_inspect(ls->e, ls->eh[i], &x) == ENGINE_OK;
        if (live != v.found) {
            ls_fail(ls, "after %s: instance 0x%" PRIxPTR " is %s in the engine but %s in the model", where,
                    (uintptr_t)ls->eh[i], live ? "live" : "gone", v.found ? "live" : "gone");
            return;
        }
        if (!live || v.life != MODEL_LIFE_RUNNING)
            continue;
        const char *what = NULL;
        uint64_t a = 0, b = 0;
#define LS_CMP(name, ea, mb)         \
    else if ((uint64_t)(ea) != (uint64_t)(mb)) \
    {                                \
        what = name;                 \
        a = (uint64_t)(ea);          \
        b = (uint64_t)(mb);          \
    }
        if (0) {
        }
        LS_CMP("in_progress_any", x.in_progress_any, v.in_progress_any)
        LS_CMP("in_progress_local", x.in_progress_local, v.in_progress_local)
        LS_CMP("stop", x.stop, v.stop)
        LS_CMP("phase", (unsigned)x.phase < 4 ? phase_of[x.phase] : 99, v.phase)
        LS_CMP("open slot", x.slot_in_use, v.slot_in_use)
        LS_CMP("backup_allowed", x.backup_allowed, v.backup_allowed)
        LS_CMP("logs_truncated", x.logs_truncated, v.logs_truncated)
        LS_CMP("databases", x.n_databases, v.n_databases)
        LS_CMP("current log generation", x.log_cur, v.log_current)
        LS_CMP("checkpoint", x.checkpoint, v.checkpoint)
#undef LS_CMP
        if (what) {
            ls_fail(ls, "after %s: %s differs: engine %" PRIu64 ", model %" PRIu64, where, what, a, b);
            return;
        }
        /* Nothing lost: the logs on disk are the ones the model still has. */
        if (engine_fixture.BackstopFixtureLogRange(ls->e, ls->eh[i], &low, &high) == JET_errSuccess &&
            low != v.log_low && !(low == 0 && v.log_low > v.log_current)) {
            ls_fail(ls, "after %s: %s: lowest log on disk %u in the engine, %u in the model", where,
                    low > v.log_low ? "a log file was lost" : "logs differ", (unsigned)low,
                    (unsigned)v.log_low);
            return;
        }
    }
}
