/*
 * fuzzprog_run.c: runs a decoded fuzz program on the reference model and on a
 * target in lockstep, and checks every step (fuzzprog.h lists the checks).
 *
 * The target is called through target_call(), the harness's one wrapper, with
 * the same arguments `backstop run` would pass for the printed .scn step (the
 * same handle names, file paths from the fixture, buffers and flags), so that a
 * printed finding replays the same calls. The model is the oracle, not a
 * target: its world is stepped directly with model_step(), which lets a fault
 * the engine fired be handed to the model on that very call (model_call.fault)
 * and lets the checks read model_view() and the fingerprints.
 *
 * Steps the printed case could not replay faithfully are skipped on both sides
 * and left out of the record: a literal handle equal to a live handle, a
 * buffer over FUZZPROG_MAX_CB, a file name the fixture cannot build, a fixture
 * step without a bound instance, more instances or deleted logs than the
 * model's limits, `oneinst` outside NoSet mode, a second fault point armed
 * while one is pending (the model target arms one point at a time), and
 * JetCreateInstance with the name of a live instance (instance names are
 * outside the spec and the model).
 *
 * Not for: threads. One run is single-threaded; the engine's fault observer is
 * called on this thread.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "fuzzprog_int.h"
#include "runner.h"

#define FP_MAX_DELETES 6 /* delete-log steps per instance (model: 8 deleted logs) */

enum { FP_DONE = 0, FP_SKIP, FP_FOUND };

struct fp_var {
    JET_INSTANCE tv, mv; /* the target's and the model's value of the name */
    bool bound;
    uint8_t n_deleted;
    uint16_t forced;     /* 1 << state for each force-state done on the instance */
    uint8_t created, attached; /* 1 << database name: ever created, attached now */
};

struct fp_run {
    struct fuzzprog *p;
    const struct fuzzprog_config *cfg;
    const struct target_ops *t;
    void *tctx;
    struct engine *eng; /* the in-process engine, or NULL */
    struct model_world *w, *scratch, *before;
    struct fp_var vars[FUZZPROG_MAX_VARS];
    struct fp_var h;    /* the file handle name */
    int last_var;       /* the runner's last_inst_var */
    bool one;           /* one_t/one_m hold the OneInst instance's handle */
    JET_INSTANCE one_t, one_m; /* as the last successful JetInit in OneInst mode returned it */
    int armed;          /* fault point armed and not fired yet, or -1 */
    bool left_session;  /* a read fault made a database leave a full backup's session */
    int n_fired;
    uint8_t fired;      /* 1 + the point of the first fault fired in this call */
    size_t step;
    double deadline;
    unsigned char *rbuf; /* ReadFile buffer, reused by the run's reads (OS-page aligned) */
    size_t rcap;
    unsigned char *lbuf; /* list buffer, reused by the run's list calls (fp_list_buf) */
    size_t lcap;
    size_t ldirty;       /* lbuf[ldirty..lcap) holds only FP_FILL */
    bool eprint_ok;      /* eprint is fp_engine_print of the engine as it is now */
    bool before_ok;      /* *before equals *w (fp_model_step forgets it) */
    bool view_ok;        /* view is model_view(w, view_h) (fp_model_step forgets it) */
    JET_INSTANCE view_h;
    struct model_view view;
    uint64_t eprint;
};

/* model_view of the run's world. The checks look at the same instance several
 * times between two steps of the world (before a call, after it, before the
 * next one); a view is a function of the world and the handle, so the last
 * one is reused until fp_model_step changes the world. */
static const struct model_view *fp_view(struct fp_run *x, JET_INSTANCE h)
{
    if (!x->view_ok || x->view_h != h) {
        model_view(x->w, h, &x->view);
        x->view_h = h;
        x->view_ok = true;
    }
    return &x->view; /* valid until the next fp_view or step: copy it to keep it */
}

/*
 * Whether the model's instance table (MODEL_MAX_INSTANCES) is full. A target's
 * table may be larger (ESE's and the engine's are), so a call that would
 * allocate an instance then is skipped: its -1214 is the model's capacity, not
 * a behaviour. The model counts every instance its table holds, those no name
 * of the program reaches any more included.
 */
static bool fp_table_full(const struct fp_run *x)
{
    return model_instance_count(x->w) >= MODEL_MAX_INSTANCES;
}

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

static double fp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fp_err_text(JET_ERR e, char *buf, size_t n)
{
    const char *name = scn_err_name(e);
    if (name)
        snprintf(buf, n, "%s (%d)", name, (int)e);
    else
        snprintf(buf, n, "%d", (int)e);
}

static void fp_rules_text(const struct model_result *r, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (uint8_t i = 0; r && i < r->n_rules && k < n; i++) {
        int w = snprintf(buf + k, n - k, "%s%s", i ? " " : "", model_rule_name(r->rules[i]));
        if (w < 0)
            break;
        k += (size_t)w;
    }
    if (buf[0] == '\0')
        snprintf(buf, n, "(none)");
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fp_found(struct fp_run *x, const char *fmt, ...)
{
    struct fuzzprog *p = x->p;
    const struct fp_step *s = &p->steps[x->step];
    const char *what = s->kind == FP_API || s->kind == FP_FIXTURE ? model_op_name((enum model_op)s->op)
                       : s->kind == FP_INSTANCE                  ? "instance"
                       : s->kind == FP_ONEINST                   ? "oneinst"
                       : s->kind == FP_LOGS                      ? "logs-on-disk"
                                                                 : "fault";
    int k = snprintf(p->finding, sizeof p->finding, "step %zu (%s): ", x->step, what);
    va_list ap;
    va_start(ap, fmt);
    if (k > 0 && (size_t)k < sizeof p->finding)
        vsnprintf(p->finding + k, sizeof p->finding - (size_t)k, fmt, ap);
    va_end(ap);
    p->finding_step = (long)x->step;
    return FP_FOUND;
}

static void fp_observe(void *ctx, const char *point, uint64_t opportunity)
{
    struct fp_run *x = ctx;
    (void)opportunity;
    for (uint8_t k = 0; k < FP_N_POINTS; k++) {
        if (strcmp(point, fuzzprog__points[k].name) == 0) {
            if (x->n_fired++ == 0)
                x->fired = (uint8_t)(k + 1);
            return;
        }
    }
    x->n_fired++; /* a point this program never arms */
}

/* State captured before a call for the invariants. */
struct fp_pre {
    struct model_view v;
    enum model_mode mode;
    bool invalid;       /* the call names no instance: nothing may change */
    bool stopped;       /* a local backup in progress with stop set */
    uint64_t eprint, minst; /* (the model's whole world is copied to x->before) */
    bool have_ei;
    struct engine_inspect ei; /* last: fp_pre_clear leaves it, read only with have_ei */
};

static void fp_pre_clear(struct fp_pre *pre)
{
    memset(pre, 0, offsetof(struct fp_pre, ei));
}

static const struct {
    const char *name;
    unsigned bit;
} fp_skips[] = {
    {"term-unavailable", FUZZPROG_SKIP_TERM_UNAVAILABLE},
    {"init-nil", FUZZPROG_SKIP_INIT_NIL},
    {"detached-file", FUZZPROG_SKIP_DETACHED_FILE},
    {"surrogate-incremental", FUZZPROG_SKIP_SURROGATE_INCREMENTAL},
    {"session-header", FUZZPROG_SKIP_SESSION_HEADER},
    {"all", FUZZPROG_SKIP_ALL},
};

int fuzzprog_skip_parse(const char *list, unsigned *out)
{
    while (list && *list) {
        size_t len = strcspn(list, ","), k;
        for (k = 0; k < sizeof fp_skips / sizeof fp_skips[0]; k++)
            if (strlen(fp_skips[k].name) == len && strncmp(list, fp_skips[k].name, len) == 0)
                break;
        if (k == sizeof fp_skips / sizeof fp_skips[0])
            return -1;
        *out |= fp_skips[k].bit;
        list += len + (list[len] == ',');
    }
    return 0;
}

/* A step shape of a known disagreement the configuration asks to step around. */
static bool fp_known(const struct fp_run *x, const struct fp_step *s, const struct model_call *mc,
                     const struct fp_pre *pre)
{
    unsigned skip = x->cfg->skip;
    enum model_op op = mc->op;
    if ((skip & FUZZPROG_SKIP_TERM_UNAVAILABLE) && (op == MODEL_OP_TERM || op == MODEL_OP_TERM2) &&
        pre->v.found && (pre->v.forced_state == BACKSTOP_STATE_UNAVAILABLE ||
                         pre->v.forced_state == BACKSTOP_STATE_UNAVAILABLE_LOG_FULL))
        return true;
    if ((skip & FUZZPROG_SKIP_INIT_NIL) && op == MODEL_OP_INIT && mc->inst == JET_instanceNil)
        return true;
    if ((skip & FUZZPROG_SKIP_SESSION_HEADER) && x->left_session &&
        (op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY) && (mc->grbit & 0x1u))
        return true;
    if ((skip & FUZZPROG_SKIP_SURROGATE_INCREMENTAL) &&
        (op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY) && (mc->grbit & 0x21u) == 0x21u)
        return true;
    if ((skip & FUZZPROG_SKIP_DETACHED_FILE) &&
        (op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) && s->file == FP_FILE_DB) {
        for (int i = 0; i < FUZZPROG_MAX_VARS; i++)
            if (x->vars[i].bound && (x->vars[i].created & ~x->vars[i].attached & (1u << s->db)))
                return true;
    }
    return false;
}

/* The model's and the target's value of an instance argument. Returns -1 when
 * the step must be skipped (a literal equal to a live handle). */
static int fp_resolve(struct fp_run *x, const struct fp_step *s, JET_INSTANCE *tv, JET_INSTANCE *mv)
{
    switch (s->ref) {
    case FP_REF_VAR:
        if (s->var < FUZZPROG_MAX_VARS && x->vars[s->var].bound) {
            *tv = x->vars[s->var].tv;
            *mv = x->vars[s->var].mv;
        } else {
            *tv = *mv = 0;
        }
        return 0;
    case FP_REF_NIL:
        *tv = *mv = JET_instanceNil;
        return 0;
    case FP_REF_NEVER:
        *tv = *mv = FP_NEVER_HANDLE;
        return 0;
    case FP_REF_LIT:
        for (int i = 0; i < FUZZPROG_MAX_VARS; i++)
            if (x->vars[i].bound && (x->vars[i].tv == s->lit || x->vars[i].mv == s->lit))
                return -1;
        *tv = *mv = (JET_INSTANCE)s->lit;
        return 0;
    default:
        *tv = *mv = 0;
        return 0;
    }
}

/* One 64-bit print of every live instance of the in-process engine that a
 * name holds (R3, R11), each instance once. */
static uint64_t fp_engine_print(struct fp_run *x)
{
    uint64_t h = 0xcbf29ce484222325ull;
    struct engine_inspect ei;
    for (int i = 0; i < FUZZPROG_MAX_VARS; i++) {
        bool seen = false;
        if (!x->vars[i].bound)
            continue;
        for (int j = 0; j < i && !seen; j++)
            seen = x->vars[j].bound && x->vars[j].tv == x->vars[i].tv;
        if (seen || engine_inspect(x->eng, x->vars[i].tv, &ei) != ENGINE_OK)
            continue;
        /* Every field but the directory name, which is fixed at creation;
         * engine_inspect zeroes the padding. */
        const unsigned char *b = (const unsigned char *)&ei;
        for (size_t k = 0; k + 8 <= offsetof(struct engine_inspect, dir); k += 8) {
            uint64_t word;
            memcpy(&word, b + k, 8);
            h = (h ^ word) * 0x100000001b3ull;
            h ^= h >> 29;
        }
    }
    return h;
}

/*
 * The print before a call that names no instance. Between two such calls with
 * no other target call in between the engine cannot change (one thread, the
 * in-process engine changes only inside its API and fixture calls), so the
 * print the previous check took after its call is the print now: the check
 * compares the same two states as if it had inspected every instance again.
 * fp_target_call forgets it before any other call reaches the target.
 */
static uint64_t fp_engine_print_now(struct fp_run *x)
{
    return x->eprint_ok ? x->eprint : fp_engine_print(x);
}

/* model_step on the run's world. *before, once equal to the world, stays so
 * until the world steps: a call that names no instance copies it only then. */
static void fp_model_step(struct fp_run *x, const struct model_call *mc, struct model_result *mr)
{
    x->before_ok = false;
    x->view_ok = false;
    model_step(x->w, mc, mr);
}

/* target_call, forgetting the engine print (fp_engine_print_now). */
static int fp_target_call(struct fp_run *x, const struct target_call_args *a, struct target_call_out *o)
{
    x->eprint_ok = false;
    return target_call(x->t, x->tctx, a, o);
}

static bool fp_streaming(enum model_op op)
{
    switch (op) {
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
        return true;
    default:
        return false;
    }
}

static bool fp_list(enum model_op op, int *which)
{
    switch (op) {
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
        *which = 0;
        return true;
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
        *which = 1;
        return true;
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        *which = 2;
        return true;
    default:
        return false;
    }
}

/* Instance-level results that win over everything a backup API checks (R1, R6). */
static bool fp_instance_level(JET_ERR e)
{
    switch (e) {
    case JET_errInvalidParameter:
    case JET_errInvalidInstance:
    case JET_errClientRequestToStopJetService:
    case JET_errInstanceUnavailable:
    case JET_errInstanceUnavailableDueToFatalLogDiskFull:
    case JET_errTermInProgress:
    case JET_errRestoreInProgress:
    case JET_errNotInitialized:
        return true;
    default:
        return false;
    }
}

/*
 * Model-state coverage: one counter per (abstract state, operation, result)
 * transition. The abstract state is what the backup rules branch on, kept
 * small so that a feature means a new transition, not a new combination of
 * incidental fields (generations, offsets, which databases):
 *   mode (NoSet, OneInst, Multi)                          3
 *   instance: none, created, running, running and forced  4
 *     unavailable/restoring/... (gated, R1, R6)
 *   JetStopService done on it (R11)                        2
 *   backup: none, another instance's, or this one's in    6
 *     phase not-started / databases / logs / done (§3.1)
 *   full or incremental (this one's)                       2
 *   stop flag (R16-R22)                                    2
 *   file slot: closed, a log, a database (§3.2)            3
 * The operation, its result and a fault fired in the call complete the key.
 * A result that refuses the call at the instance level (R1, R6: invalid
 * instance, unavailable, restoring, not initialised, terminating, service
 * stopped) is decided before any backup state is looked at, so its key keeps
 * only the mode and the instance fields: the backup fields would multiply one
 * refusal into dozens of features. JET_errInvalidParameter is not collapsed:
 * some of its rules depend on the backup state.
 * Each counter is set to 1, never incremented: libFuzzer turns hit counts
 * into several features per counter (1, 2, 3, 4-7, ... hits), which would
 * reward repeating a transition instead of reaching a new one.
 */
static void fp_count(struct fp_run *x, const struct model_view *v, enum model_mode mode,
                     enum model_op op, JET_ERR err)
{
    if (x->cfg->counters == NULL || x->cfg->n_counters == 0)
        return;
    unsigned inst = !v->found ? 0u : v->life != MODEL_LIFE_RUNNING ? 1u : v->forced_state ? 3u : 2u;
    unsigned backup = v->in_progress_local ? 2u + ((unsigned)v->phase & 3u) : v->in_progress_any ? 1u : 0u;
    unsigned slot = !v->slot_in_use ? 0u : v->slot_is_db ? 2u : 1u;
    uint32_t st = (uint32_t)mode | inst << 2 | (uint32_t)v->service_stopped << 4;
    if (!fp_instance_level(err) || err == JET_errInvalidParameter)
        st |= backup << 5 | (uint32_t)(v->in_progress_local && v->full) << 8 | (uint32_t)v->stop << 9 |
              slot << 10;
    uint64_t k = ((uint64_t)st << 16 | (uint64_t)op << 8 | x->fired) * 0x9E3779B97F4A7C15ull ^
                 (uint64_t)(uint32_t)err * 0xC2B2AE3D27D4EB4Full;
    k ^= k >> 31;
    k *= 0xBF58476D1CE4E5B9ull;
    k ^= k >> 29;
    x->cfg->counters[k & (x->cfg->n_counters - 1)] = 1;
}

/* After a step on a bound name: the engine's abstract backup state must be the
 * model's (§3.1), and no gated call may be left counted in flight. */
static int fp_state_check(struct fp_run *x, int var)
{
    struct engine_inspect ei;
    JET_INSTANCE mh, th;
    if (x->eng == NULL)
        return FP_DONE;
    if (model_mode(x->w) == MODEL_MODE_ONE) {
        mh = th = 0; /* R4: the single instance, whatever the name holds */
    } else {
        if (var < 0 || var >= FUZZPROG_MAX_VARS || !x->vars[var].bound)
            return FP_DONE;
        mh = x->vars[var].mv;
        th = x->vars[var].tv;
    }
    const struct model_view *v = fp_view(x, mh);
    bool found = engine_inspect(x->eng, th, &ei) == ENGINE_OK;
    if (found != v->found)
        return fp_found(x, "state divergence: the instance is %s in the engine but %s in the model",
                        found ? "live" : "gone", v->found ? "live" : "gone");
    if (!found)
        return FP_DONE;
    if (ei.n_inflight != 0)
        return fp_found(x, "the engine still counts %u gated call(s) in flight after the call returned",
                        (unsigned)ei.n_inflight);
    if (ei.in_progress_any != v->in_progress_any || ei.in_progress_local != v->in_progress_local ||
        ei.stop != v->stop || (unsigned)ei.phase != (unsigned)v->phase ||
        ei.slot_in_use != v->slot_in_use || ei.stop_service != v->service_stopped ||
        (ei.slot_in_use && (ei.slot_ib != v->slot_ib || ei.slot_cb != v->slot_cb)))
        return fp_found(x,
                        "state divergence (spec §3.1, §3.2) after the call:\n"
                        "  engine: in_progress_any=%d local=%d stop=%d phase=%d slot_in_use=%d "
                        "service_stopped=%d slot ib/cb=%" PRIu64 "/%" PRIu64 "\n"
                        "  model:  in_progress_any=%d local=%d stop=%d phase=%d slot_in_use=%d "
                        "service_stopped=%d slot ib/cb=%" PRIu64 "/%" PRIu64,
                        ei.in_progress_any, ei.in_progress_local, ei.stop, (int)ei.phase, ei.slot_in_use,
                        ei.stop_service, ei.slot_ib, ei.slot_cb, v->in_progress_any, v->in_progress_local, v->stop,
                        (int)v->phase, v->slot_in_use, v->service_stopped, v->slot_ib, v->slot_cb);
    return FP_DONE;
}

/* ---------------------------------------------------------------------------
 * One Jet call on both sides
 * ------------------------------------------------------------------------- */

/* What `backstop run` would see of the model's out-parameters (target_model.c). */
struct fp_mout {
    JET_HANDLE hf;
    uint64_t size;
    uint32_t actual, count, genlow, genhigh;
};

static void fp_model_outs(const struct fp_run *x, enum model_op op, JET_INSTANCE hm, uint32_t cb,
                          uint32_t flags, const struct model_result *r, struct fp_mout *o)
{
    int which;
    memset(o, 0, sizeof *o);
    o->count = UINT32_MAX;
    if (r->err < 0)
        return;
    if ((op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) && (r->outs & MODEL_OUT_HF)) {
        o->hf = r->hf;
        o->size = r->size;
    }
    if ((op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) && (r->outs & MODEL_OUT_CB) &&
        !(flags & MODEL_CALL_PCB_NULL))
        o->actual = r->cb_actual;
    if (fp_list(op, &which)) {
        if (!(flags & MODEL_CALL_PCB_NULL) && (r->outs & MODEL_OUT_CB))
            o->actual = r->cb_actual;
        if (op == MODEL_OP_GET_LOG_INFO2 && (r->outs & MODEL_OUT_GENS)) {
            o->genlow = r->gen_low;
            o->genhigh = r->gen_high;
        }
        if (r->err == JET_errSuccess && !(flags & MODEL_CALL_BUF_NULL)) {
            uint32_t full = model_list(x->w, hm, which, NULL, 0);
            if (full > 0 && cb >= full)
                o->count = r->n_entries;
        }
    }
}

/* The runner's lockstep comparison (runner.c, "Lockstep with the model"). */
static int fp_compare(struct fp_run *x, enum model_op op, uint32_t flags, uint32_t cb,
                      const struct target_call_out *to, const struct model_result *mr,
                      const struct fp_mout *mo)
{
    char e1[96], e2[96], rules[128];
    const char *what = NULL;
    uint64_t a = 0, b = 0;

    if (to->overrun)
        return fp_found(x, "the target wrote past the %" PRIu32 "-byte buffer it was given", cb);
    if (to->err != mr->err) {
        fp_err_text(to->err, e1, sizeof e1);
        fp_err_text(mr->err, e2, sizeof e2);
        fp_rules_text(mr, rules, sizeof rules);
        return fp_found(x, "divergence: the target returned %s, the model %s (model rules: %s)", e1, e2, rules);
    }
    if (to->err != JET_errSuccess)
        return FP_DONE;
    switch (op) {
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
        if (to->size != mo->size) {
            what = "file size";
            a = to->size;
            b = mo->size;
        } else if (to->hf != mo->hf) {
            what = "file handle";
            a = to->hf;
            b = mo->hf;
        }
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        if (!(flags & MODEL_CALL_PCB_NULL) && to->actual != mo->actual) {
            what = "bytes read";
            a = to->actual;
            b = mo->actual;
        }
        break;
    case MODEL_OP_GET_LOG_INFO2:
        if (to->genlow != mo->genlow || to->genhigh != mo->genhigh) {
            what = "log generations (low<<32|high)";
            a = (uint64_t)to->genlow << 32 | to->genhigh;
            b = (uint64_t)mo->genlow << 32 | mo->genhigh;
        }
        break;
    default:
        break;
    }
    if (!what && to->count != UINT32_MAX && mo->count != UINT32_MAX && to->count != mo->count) {
        what = "names in the list";
        a = to->count;
        b = mo->count;
    }
    if (what)
        return fp_found(x, "divergence in %s: target %" PRIu64 ", model %" PRIu64, what, a, b);
    return FP_DONE;
}


#define FP_GUARD 64
#define FP_FILL 0xA5

/* What FP_GUARD untouched bytes after a buffer hold. */
static const unsigned char fp_guard_bytes[FP_GUARD] = {
#define FP_G8 FP_FILL, FP_FILL, FP_FILL, FP_FILL, FP_FILL, FP_FILL, FP_FILL, FP_FILL
    FP_G8, FP_G8, FP_G8, FP_G8, FP_G8, FP_G8, FP_G8, FP_G8,
#undef FP_G8
};

/*
 * The buffer of a list call (GetAttachInfo, GetLogInfo*, GetTruncateLogInfo):
 * what target_call would pass, without its allocation and fill per call. The
 * runner fills a fresh buffer with FP_FILL so that a target claiming bytes it
 * did not write reads as no list (runner__count_names finds no final empty
 * string); here one buffer serves the run, and before each call the bytes
 * [0, cb + FP_GUARD) are FP_FILL again, exactly the runner's buffer: only the
 * part an earlier call may have written (ldirty, the largest cb + FP_GUARD
 * since) is filled again, so a run of small lists after a 1 MiB one costs the
 * 1 MiB once. The guard is checked after the call as target_call checks its
 * own (runner__list checks only buffers it allocated).
 */
static unsigned char *fp_list_buf(struct fp_run *x, uint32_t cb)
{
    size_t need = (size_t)cb + FP_GUARD;
    if (need > x->lcap) {
        size_t cap = (need + 4095) & ~(size_t)4095;
        free(x->lbuf);
        x->lcap = x->ldirty = 0;
        x->lbuf = malloc(cap);
        if (x->lbuf == NULL)
            return NULL;
        memset(x->lbuf, FP_FILL, cap);
        x->lcap = cap;
    }
    memset(x->lbuf, FP_FILL, x->ldirty < need ? x->ldirty : need);
    if (need > x->ldirty)
        x->ldirty = need;
    return x->lbuf;
}

/*
 * Checks that need the in-process engine's conventions (engine/README.md):
 *  - list sizes (R33, R46): the engine names a database or log by its path,
 *    "<instance dir>/<name>", the model by its name alone, so the full list
 *    size maps as model size + names * (strlen(dir) + 1); *pcbActual must then
 *    follow the rule of its function;
 *  - database contents (R40, §3.3): each page of a database stream between the
 *    two header pages and the trailer is page pgno = stream page - 1, and every
 *    page starts with its checksum and its page number.
 */
static int fp_engine_outs(struct fp_run *x, enum model_op op, JET_INSTANCE ht, JET_INSTANCE hm,
                          uint32_t cb, uint32_t flags, const struct target_call_out *to,
                          const struct model_result *mr, const struct model_view *pre,
                          const unsigned char *data)
{
    struct engine_inspect ei;
    int which;
    if (x->eng == NULL || to->err != JET_errSuccess)
        return FP_DONE;
    if (fp_list(op, &which) && !(flags & MODEL_CALL_PCB_NULL) &&
        engine_inspect(x->eng, ht, &ei) == ENGINE_OK) {
        uint64_t full = model_list(x->w, hm, which, NULL, 0);
        full += (uint64_t)mr->n_entries * (strlen(ei.dir) + 1);
        uint64_t want = full;
        if (which != 0 && !(flags & MODEL_CALL_BUF_NULL) && cb < full)
            want = cb; /* R46: with a buffer, what was copied */
        if (to->actual != want)
            return fp_found(x, "*pcbActual is %" PRIu32 ", the rule of %s (%s) says %" PRIu64
                               " for a %" PRIu64 "-byte list and cbMax %" PRIu32,
                            to->actual, model_op_name(op), which ? "R46" : "R33", want, full, cb);
    }
    if (data && (op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) && pre->slot_in_use &&
        pre->slot_is_db) {
        uint32_t ps = x->p->page_size;
        uint64_t last = pre->slot_cb / ps >= 3 ? pre->slot_cb / ps - 3 : 0; /* pgnoLast */
        uint32_t n = to->actual;
        for (uint64_t off = 0; off + ps <= n; off += ps) {
            uint64_t k = (pre->slot_ib + off) / ps;
            uint32_t pgno;
            if ((pre->slot_ib + off) % ps != 0 || k < 2 || k > last + 1)
                continue;
            memcpy(&pgno, data + off + 4, 4);
            if (pgno != k - 1)
                return fp_found(x, "R40/§3.3: stream page %" PRIu64 " carries page number %" PRIu32
                                   ", not %" PRIu64, k, pgno, k - 1);
        }
    }
    return FP_DONE;
}

static bool fp_end_grbit_valid(JET_GRBIT g)
{
    return ((g & 0x1u) != 0) != ((g & 0x2u) != 0); /* R24 */
}

/* The invariants of the stop issue, checked on the model's result (which the
 * target's equals by now) and on both worlds' state. */
static int fp_invariants(struct fp_run *x, const struct fp_step *s, JET_INSTANCE hm, JET_INSTANCE ht,
                         const struct fp_pre *pre, const struct model_result *mr, struct fp_rec *rc)
{
    enum model_op op = (enum model_op)s->op;
    char e1[96];
    struct engine_inspect ei;

    if (pre->invalid) {
        if (!model_world_equal(x->w, x->before))
            return fp_found(x, "R3/R9/R11: the call named no instance but the model's world changed");
        x->before_ok = true; /* the next such call needs no copy (fp_model_step) */
        if (x->eng) {
            if (fp_engine_print(x) != pre->eprint)
                return fp_found(x, "R3/R9/R11: the call named no instance but an engine instance changed");
            x->eprint = pre->eprint; /* unchanged: the next such call starts from it */
            x->eprint_ok = true;
        }
        return FP_DONE;
    }
    if (!pre->stopped)
        return FP_DONE;
    if (fp_streaming(op)) {
        /* R16, R17: -801 unless an instance-level error wins (R1). */
        if (mr->err != JET_errBackupAbortByServer && !fp_instance_level(mr->err)) {
            rc->has_req = true;
            rc->req = JET_errBackupAbortByServer;
            fp_err_text(mr->err, e1, sizeof e1);
            return fp_found(x, "R16/R17: a streaming call after Stop returned %s instead of "
                               "JET_errBackupAbortByServer (-801); both sides agree", e1);
        }
        if (mr->err == JET_errBackupAbortByServer) {
            if (model_fingerprint_instance(x->w, hm) != pre->minst)
                return fp_found(x, "R16: the model changed the instance while refusing a call with -801");
            if (pre->have_ei && (engine_inspect(x->eng, ht, &ei) != ENGINE_OK ||
                                 memcmp(&ei, &pre->ei, offsetof(struct engine_inspect, dir)) != 0 ||
                                 strcmp(ei.dir, pre->ei.dir) != 0))
                return fp_found(x, "R16: the engine changed the instance while refusing a call with -801");
        }
        return FP_DONE;
    }
    bool end = op == MODEL_OP_END || op == MODEL_OP_END_LEGACY ||
               (op == MODEL_OP_END2 && fp_end_grbit_valid(s->grbit));
    bool term = op == MODEL_OP_TERM || (op == MODEL_OP_TERM2 && (s->grbit & 0x6u));
    if (end) {
        /* R21, R22: backup termination is still allowed after Stop. */
        if (mr->err != JET_errSuccess && !fp_instance_level(mr->err)) {
            rc->has_req = true;
            rc->req = JET_errSuccess;
            fp_err_text(mr->err, e1, sizeof e1);
            return fp_found(x, "R21/R22: End after Stop returned %s instead of 0; both sides agree", e1);
        }
        if (mr->err == JET_errSuccess) {
            const struct model_view *v = fp_view(x, hm);
            if (v->in_progress_any || v->stop)
                return fp_found(x, "R21/R49: after End the model still has a backup or the stop flag");
            if (pre->have_ei && engine_inspect(x->eng, ht, &ei) == ENGINE_OK) {
                if (ei.in_progress_any || ei.stop)
                    return fp_found(x, "R21/R49: after End the engine still has a backup or the stop flag");
                /* R48: a stopped backup never ends normally; with EndNormal and a
                 * matching destination the recorded reason is -801. */
                bool normal_bit = op != MODEL_OP_END2 || ((s->grbit & 0x1u) && !(s->grbit & 0x20u));
                if (ei.n_ends_abnormal != pre->ei.n_ends_abnormal + 1 || ei.n_ends_normal != pre->ei.n_ends_normal)
                    return fp_found(x, "R48: End after Stop did not count as an abnormal end in the engine");
                if (normal_bit && ei.last_end_reason != JET_errBackupAbortByServer)
                    return fp_found(x, "R48: End after Stop recorded reason %d, not -801", (int)ei.last_end_reason);
            }
        }
        return FP_DONE;
    }
    if (term) {
        /* R26: JetTerm (abrupt) and JetTerm2 with StopBackup still terminate. */
        bool gone_ok = mr->err == JET_errSuccess || mr->err == JET_errDirtyShutdown;
        if (!gone_ok && !fp_instance_level(mr->err)) {
            rc->has_req = true;
            rc->req = JET_errSuccess;
            fp_err_text(mr->err, e1, sizeof e1);
            return fp_found(x, "R26: JetTerm after Stop returned %s; both sides agree", e1);
        }
        if (gone_ok) {
            const char *res = mr->err == JET_errSuccess ? "0" : "JET_errDirtyShutdown";
            const struct model_view *v = fp_view(x, hm);
            if (v->found && pre->mode != MODEL_MODE_ONE)
                return fp_found(x, "R26: the model kept the instance after JetTerm returned %s", res);
            if (pre->have_ei && engine_inspect(x->eng, ht, &ei) == ENGINE_OK && ei.serial == pre->ei.serial)
                return fp_found(x, "R26: the engine kept the instance after JetTerm returned %s", res);
        }
    }
    return FP_DONE;
}

/* Run one Jet call (s->kind is FP_API, or a sub-call of `instance`/`oneinst`). */
static int fp_call(struct fp_run *x, const struct fp_step *s, struct fp_rec *rc)
{
    struct fuzzprog *p = x->p;
    enum model_op op = (enum model_op)s->op;
    bool legacy = model_op_is_legacy(op);
    struct target_call_args ta = {0};
    struct target_call_out to;
    struct model_call mc = {0};
    struct model_result mr, probe;
    struct fp_mout mo;
    struct fp_pre pre;
    JET_INSTANCE tinst = 0, minst = 0, ttmp = 0, mtmp = 0, hm, ht;
    char tpath[1024], mname[FP_MAX_STR + 16], iname[16];
    uint32_t flags = s->flags, cb = s->cb;
    bool probing = false, probe_opp = false;
    uint64_t opp_before = 0;
    unsigned char *rdata = NULL, *ldata = NULL;
    int rv, which;

    if (s->cb_pages) {
        if (cb > FUZZPROG_MAX_CB / p->page_size)
            return FP_SKIP;
        cb *= p->page_size;
    }
    if ((fp_list(op, &which) || op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) &&
        cb > FUZZPROG_MAX_CB)
        return FP_SKIP;
    if (op != MODEL_OP_CREATE_INSTANCE && !legacy && fp_resolve(x, s, &tinst, &minst) < 0)
        return FP_SKIP;
    hm = legacy ? 0 : minst;
    ht = legacy ? 0 : tinst;

    ta.op = mc.op = op;
    ta.inst = tinst;
    mc.inst = minst;
    ta.grbit = mc.grbit = s->grbit;
    ta.cb = mc.cb_max = cb;
    if (s->hf_ref == FP_HF_VAR) {
        ta.hf = x->h.bound ? x->h.tv : 0;
        mc.hf = x->h.bound ? x->h.mv : 0;
    } else {
        ta.hf = mc.hf = (JET_HANDLE)s->hf_lit;
    }

    if (op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) {
        if (s->file == FP_FILE_DB || s->file == FP_FILE_LOG) {
            const struct jet_fixture *fx = x->t->fixture;
            JET_INSTANCE pi = !legacy ? tinst : x->last_var >= 0 ? x->vars[x->last_var].tv : 0;
            bool db = s->file == FP_FILE_DB;
            if (fx == NULL || fx->BackstopFixtureFilePath == NULL ||
                fx->BackstopFixtureFilePath(x->tctx, pi, db ? BACKSTOP_FILE_DATABASE : BACKSTOP_FILE_LOG,
                                            db ? fuzzprog__dbnames[s->db] : NULL, s->gen, tpath,
                                            (uint32_t)sizeof tpath) != JET_errSuccess)
                return FP_SKIP;
            ta.name = tpath;
            if (db) {
                mc.name = fuzzprog__dbnames[s->db];
            } else {
                fuzzprog__log_name(s->gen, mname, sizeof mname);
                mc.name = mname;
            }
        } else if (s->file == FP_FILE_STR) {
            ta.name = mc.name = s->str;
        } else {
            flags |= MODEL_CALL_NAME_NULL;
        }
    }
    ta.flags = mc.flags = flags;

    if (op == MODEL_OP_CREATE_INSTANCE) {
        if (model_mode(x->w) != MODEL_MODE_ONE && fp_table_full(x))
            return FP_SKIP;
        iname[0] = 'i'; /* "i<var>", as the printed case names it */
        if (s->var >= 10) {
            iname[1] = (char)('0' + s->var / 10);
            iname[2] = (char)('0' + s->var % 10);
            iname[3] = '\0';
        } else {
            iname[1] = (char)('0' + s->var);
            iname[2] = '\0';
        }
        ta.name = mc.name = iname;
        ta.pinst = &x->vars[s->var].tv;
        mc.inst = 0;
    } else if (op == MODEL_OP_INIT) {
        if (s->ref == FP_REF_VAR && x->vars[s->var].bound) {
            ta.pinst = &x->vars[s->var].tv;
            mc.inst = x->vars[s->var].mv;
        } else {
            ttmp = tinst;
            mtmp = minst;
            ta.pinst = &ttmp;
            mc.inst = mtmp;
        }
        ta.name = "backstop";
        /* JetInit that allocates a new instance in MultiInst mode: as for
         * JetCreateInstance, the table's size is the target's own. */
        if (model_mode(x->w) == MODEL_MODE_MULTI && !(flags & MODEL_CALL_PINST_NULL) &&
            (mc.inst == 0 || mc.inst == JET_instanceNil) && fp_table_full(x))
            return FP_SKIP;
    }

    /* Before: the state the invariants compare against. */
    fp_pre_clear(&pre);
    pre.mode = model_mode(x->w);
    pre.v = *fp_view(x, hm);
    if (fp_known(x, s, &mc, &pre))
        return FP_SKIP;
    /* §4.4 step 6: ReadFile(0) with the slot closed is defined only on a slot
     * that CloseFile reset; after a cleanup the slot's stale fields make it
     * undefined (D7), and the model and the engine answer differently. */
    if ((op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) && pre.v.found &&
        pre.v.in_progress_local && !pre.v.stop && !pre.v.slot_in_use && (int)mc.hf == 0 &&
        (pre.v.slot_is_db || pre.v.slot_is_log || pre.v.slot_ib || pre.v.slot_cb))
        return FP_SKIP;
    /* §4.3 step 9 opens a log or patch file by the path given: whether a path
     * in some other directory exists is outside the model, whose files are
     * the instance's own (it takes any directory part for the instance's).
     * The fixture's paths (FP_FILE_DB, FP_FILE_LOG) and bare names are
     * compared; a decoded string with a directory part is not, after the
     * databases phase, where it is opened as a file. */
    if ((op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) && s->file == FP_FILE_STR &&
        strpbrk(s->str, "/\\") != NULL && pre.v.found && pre.v.in_progress_local &&
        pre.v.phase != MODEL_PHASE_DATABASES)
        return FP_SKIP;
    if (op != MODEL_OP_CREATE_INSTANCE && op != MODEL_OP_INIT && !pre.v.found) {
        pre.invalid = true;
        if (!x->before_ok)
            model_world_copy(x->before, x->w);
        if (x->eng)
            pre.eprint = fp_engine_print_now(x);
    } else if (pre.v.found && pre.v.in_progress_local && pre.v.stop) {
        pre.stopped = true;
        pre.minst = model_fingerprint_instance(x->w, hm);
        pre.have_ei = x->eng && engine_inspect(x->eng, ht, &pre.ei) == ENGINE_OK;
    }
    if (x->armed >= 0 && fuzzprog__points[x->armed].fault != MODEL_FAULT_NONE && x->eng) {
        struct model_call fc = mc;
        fc.fault = fuzzprog__points[x->armed].fault;
        model_world_copy(x->scratch, x->w);
        model_step(x->scratch, &fc, &probe);
        probing = true;
        probe_opp = probe.fault_used;
        opp_before = engine_fault_opportunities(x->eng, fuzzprog__points[x->armed].name);
    }

    /* A ReadFile on the in-process engine gets our own buffer (OS-page
     * aligned, guarded as target_call guards its own) so that fp_engine_outs
     * can look at the pages. */
    if (x->eng && (op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) &&
        !(flags & MODEL_CALL_BUF_NULL)) {
        /* One buffer for the run, grown to the largest read: a fresh
         * allocation per call (up to 24 pages of 8 KiB) cost an mmap, its
         * page faults and, under ASan, its shadow poisoning, every call. */
        size_t need = (size_t)cb + 4096 + FP_GUARD;
        if (need > x->rcap) {
            free(x->rbuf);
            x->rcap = 0;
            if (posix_memalign((void **)&x->rbuf, 4096, need) != 0) {
                x->rbuf = NULL;
                return FP_SKIP;
            }
            x->rcap = need;
        }
        rdata = x->rbuf + ((flags & MODEL_CALL_BUF_MISALIGNED) ? 16 : 0);
        memset(rdata + cb, FP_FILL, FP_GUARD);
        ta.buf = rdata;
    } else if (fp_list(op, &which) && !(flags & MODEL_CALL_BUF_NULL)) {
        if ((ldata = fp_list_buf(x, cb)) == NULL)
            return FP_SKIP;
        ta.buf = ldata;
    }

    /* The target, then the model (told about a fault the target fired). */
    x->n_fired = 0;
    x->fired = 0;
    rv = fp_target_call(x, &ta, &to);
    if (rv != 0)
        return FP_SKIP; /* the target lacks the function, or no buffer */
    if ((rdata && memcmp(rdata + cb, fp_guard_bytes, FP_GUARD) != 0) ||
        (ldata && memcmp(ldata + cb, fp_guard_bytes, FP_GUARD) != 0))
        to.overrun = true;
    if (x->n_fired > 1)
        return fp_found(x, "%d faults fired in one call", x->n_fired);
    if (x->fired)
        mc.fault = fuzzprog__points[x->fired - 1].fault;
    fp_model_step(x, &mc, &mr);
    if (op == MODEL_OP_CREATE_INSTANCE || op == MODEL_OP_INIT) {
        JET_INSTANCE *mp = op == MODEL_OP_CREATE_INSTANCE ? &x->vars[s->var].mv
                           : ta.pinst == &ttmp            ? &mtmp
                                                          : &x->vars[s->var].mv;
        if (mr.err >= 0 && (mr.outs & MODEL_OUT_INST))
            *mp = mr.inst;
        if (op == MODEL_OP_INIT && mr.err == JET_errSuccess && model_mode(x->w) == MODEL_MODE_ONE) {
            x->one = true;
            x->one_m = *mp;
            x->one_t = *ta.pinst;
        }
        if (mr.err == JET_errSuccess && (op == MODEL_OP_CREATE_INSTANCE || pre.mode == MODEL_MODE_NOSET) &&
            mp != &mtmp)
            x->vars[s->var].forced = x->vars[s->var].created = x->vars[s->var].attached = 0;
    }
    fp_model_outs(x, op, hm, cb, flags, &mr, &mo);

    rc->done = 1;
    rc->merr = mr.err;
    rc->fired = x->fired;
    rc->n_rules = mr.n_rules;
    memcpy(rc->rules, mr.rules, sizeof rc->rules);
    if (mr.err == JET_errSuccess) {
        if (op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) {
            rc->checks |= FP_CHECK_SIZE;
            rc->size = mo.size;
        } else if ((op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) &&
                   !(flags & MODEL_CALL_PCB_NULL)) {
            rc->checks |= FP_CHECK_ACTUAL;
            rc->actual = mo.actual;
        } else if (op == MODEL_OP_GET_LOG_INFO2 && (mr.outs & MODEL_OUT_GENS)) {
            rc->checks |= FP_CHECK_GENS;
            rc->genlow = mo.genlow;
            rc->genhigh = mo.genhigh;
        }
    }

    /* The runner's bookkeeping of names. */
    if (op == MODEL_OP_CREATE_INSTANCE) {
        x->vars[s->var].bound = true;
        x->last_var = s->var;
    }
    if (op == MODEL_OP_INIT && s->ref == FP_REF_VAR && x->vars[s->var].bound)
        x->last_var = s->var;
    if (op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) {
        x->h.bound = true;
        if (to.err == JET_errSuccess) {
            x->h.tv = to.hf;
            x->h.mv = mo.hf;
        }
    }
    fp_count(x, &pre.v, pre.mode, op, mr.err);

    rv = fp_compare(x, op, flags, cb, &to, &mr, &mo);
    if (rv == FP_DONE)
        rv = fp_engine_outs(x, op, ht, hm, cb, flags, &to, &mr, &pre.v, rdata);
    if (rv != FP_DONE)
        return rv;
    if (x->fired && fuzzprog__points[x->fired - 1].fault != MODEL_FAULT_NONE && !mr.fault_used)
        return fp_found(x, "the engine fired fault %s, but the model says the call never reached that step",
                        fuzzprog__points[x->fired - 1].name);
    if (probing) {
        bool engine_opp = engine_fault_opportunities(x->eng, fuzzprog__points[x->armed].name) != opp_before;
        if (engine_opp != probe_opp)
            return fp_found(x, "fault point %s: the %s counts this call as an opportunity, the %s does not",
                            fuzzprog__points[x->armed].name, engine_opp ? "engine" : "model",
                            engine_opp ? "model" : "engine");
    }
    if (x->fired && (int)x->fired - 1 == x->armed)
        x->armed = -1;
    if (x->fired && (op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) &&
        pre.v.phase == MODEL_PHASE_DATABASES && pre.v.slot_is_db)
        x->left_session = true;
    if ((rv = fp_invariants(x, s, hm, ht, &pre, &mr, rc)) != FP_DONE)
        return rv;
    if (op == MODEL_OP_CREATE_INSTANCE || s->ref == FP_REF_VAR)
        return fp_state_check(x, s->var);
    if (legacy)
        return fp_state_check(x, -1);
    return FP_DONE;
}

/* ---------------------------------------------------------------------------
 * Fixture, instance, logs and fault steps
 * ------------------------------------------------------------------------- */

/* The name a fixture or logs-on-disk step may use: bound to a live instance
 * that is running (configure: created, not initialised), and in OneInst mode
 * the single instance itself (the engine's fixture looks the handle up exactly,
 * the model's lookup ignores it, R4). Fixture steps are setup (jet.h), and the
 * model and the engine do not define them on instances in other states alike:
 * the engine refuses CreateDatabase before JetInit (-1029), the model does not. */
static int fp_fixture_var(struct fp_run *x, const struct fp_step *s)
{
    if (s->ref != FP_REF_VAR || !x->vars[s->var].bound)
        return -1;
    if (model_mode(x->w) == MODEL_MODE_ONE &&
        (!x->one || x->vars[s->var].mv != x->one_m || x->vars[s->var].tv != x->one_t))
        return -1;
    const struct model_view *v = fp_view(x, x->vars[s->var].mv);
    if (!v->found ||
        v->life != (s->op == MODEL_OP_FX_CONFIGURE ? MODEL_LIFE_CREATED : MODEL_LIFE_RUNNING))
        return -1;
    return s->var;
}

static int fp_fixture(struct fp_run *x, const struct fp_step *s, struct fp_rec *rc)
{
    enum model_op op = (enum model_op)s->op;
    int var = fp_fixture_var(x, s);
    struct target_call_args ta = {0};
    struct target_call_out to;
    struct model_call mc = {0};
    struct model_result mr;
    struct fp_pre pre;
    char e1[96], e2[96];
    int rv;

    if (var < 0)
        return FP_SKIP;
    if (op == MODEL_OP_FX_DELETE_LOG && x->vars[var].n_deleted >= FP_MAX_DELETES)
        return FP_SKIP;
    /* Only where the fixture contract (jet.h) is the same on both sides: the
     * engine also accepts rolling to the current generation and a checkpoint
     * below the lowest log on disk, the model refuses both (-1003). And the
     * checkpoint only moves forward, as in ESE: with a checkpoint moved back
     * during a full backup, the spec leaves the truncation range open and the
     * two sides choose differently (model: below min(checkpoint, copy_mic);
     * engine: below copy_mic). The log being written is never deleted: the
     * model still reports it as the highest log on disk, the engine does not. */
    pre.v = *fp_view(x, x->vars[var].mv);
    /* The engine keeps one unavailable reason and one log state, the last one
     * forced; the model accumulates them and lets the first in enum order win. */
    uint16_t unavail = 1u << BACKSTOP_STATE_UNAVAILABLE | 1u << BACKSTOP_STATE_UNAVAILABLE_LOG_FULL;
    uint16_t logstate = 1u << BACKSTOP_STATE_LOG_DISK_FULL | 1u << BACKSTOP_STATE_LOG_SEQUENCE_END;
    if (op == MODEL_OP_FX_FORCE_STATE && s->arg < 16 &&
        ((((1u << s->arg) & unavail) && (x->vars[var].forced & unavail)) ||
         (((1u << s->arg) & logstate) && (x->vars[var].forced & logstate))))
        return FP_SKIP;
    if ((op == MODEL_OP_FX_ROLL_LOG && s->arg <= pre.v.log_current) ||
        (op == MODEL_OP_FX_SET_CHECKPOINT &&
         (s->arg < pre.v.log_low || s->arg < pre.v.checkpoint || s->arg > pre.v.log_current)) ||
        (op == MODEL_OP_FX_DELETE_LOG && (s->arg == 0 || s->arg >= pre.v.log_current)))
        return FP_SKIP;
    ta.op = mc.op = op;
    ta.inst = x->vars[var].tv;
    mc.inst = x->vars[var].mv;
    ta.cb = mc.arg = s->arg;
    if (op == MODEL_OP_FX_CREATE_DB || op == MODEL_OP_FX_DETACH_DB)
        ta.name = mc.name = fuzzprog__dbnames[s->db];

    fp_pre_clear(&pre);
    pre.mode = model_mode(x->w);
    pre.v = *fp_view(x, mc.inst);
    if (!pre.v.found) {
        pre.invalid = true;
        if (!x->before_ok)
            model_world_copy(x->before, x->w);
        if (x->eng)
            pre.eprint = fp_engine_print_now(x);
    }
    x->n_fired = 0;
    x->fired = 0;
    if (fp_target_call(x, &ta, &to) != 0)
        return FP_SKIP;
    fp_model_step(x, &mc, &mr);
    rc->done = 1;
    rc->merr = mr.err;
    rc->n_rules = mr.n_rules;
    memcpy(rc->rules, mr.rules, sizeof rc->rules);
    if (op == MODEL_OP_FX_DELETE_LOG)
        x->vars[var].n_deleted++;
    if (op == MODEL_OP_FX_FORCE_STATE && mr.err == JET_errSuccess && s->arg < 16)
        x->vars[var].forced |= (uint16_t)(1u << s->arg);
    if (op == MODEL_OP_FX_CREATE_DB && mr.err == JET_errSuccess) {
        x->vars[var].created |= (uint8_t)(1u << s->db);
        x->vars[var].attached |= (uint8_t)(1u << s->db);
    }
    if (op == MODEL_OP_FX_DETACH_DB && mr.err == JET_errSuccess)
        x->vars[var].attached &= (uint8_t)~(1u << s->db);
    fp_count(x, &pre.v, pre.mode, op, mr.err);
    if (x->n_fired)
        return fp_found(x, "a fault fired during a fixture step");
    if (to.err != mr.err) {
        fp_err_text(to.err, e1, sizeof e1);
        fp_err_text(mr.err, e2, sizeof e2);
        return fp_found(x, "fixture divergence: the target returned %s, the model %s", e1, e2);
    }
    if ((rv = fp_invariants(x, s, mc.inst, ta.inst, &pre, &mr, rc)) != FP_DONE)
        return rv;
    return fp_state_check(x, var);
}

static int fp_instance(struct fp_run *x, const struct fp_step *s, struct fp_rec *rc)
{
    struct fp_step sub = {.kind = FP_API, .op = MODEL_OP_CREATE_INSTANCE, .var = s->var, .ref = FP_REF_NONE};
    struct fp_rec r = {0};
    int rv = fp_call(x, &sub, &r);
    if (rv == FP_SKIP)
        return FP_SKIP;
    rc->done = 1;
    rc->n_sub = 1;
    rc->sub[0] = rc->merr = r.merr;
    if (rv != FP_DONE || r.merr != JET_errSuccess)
        return rv;
    if (s->arg & (FP_INST_LOGGING_OFF | FP_INST_CIRCULAR)) {
        struct fp_step cfg = {.kind = FP_FIXTURE, .op = MODEL_OP_FX_CONFIGURE, .ref = FP_REF_VAR, .var = s->var};
        cfg.arg = ((s->arg & FP_INST_LOGGING_OFF) ? BACKSTOP_CFG_LOGGING_OFF : 0) |
                  ((s->arg & FP_INST_CIRCULAR) ? BACKSTOP_CFG_CIRCULAR_LOG : 0);
        memset(&r, 0, sizeof r);
        rv = fp_fixture(x, &cfg, &r);
        rc->n_sub = 2;
        rc->sub[1] = rc->merr = r.merr;
        if (rv != FP_DONE || r.merr != JET_errSuccess)
            return rv == FP_SKIP ? FP_DONE : rv;
    }
    if (!(s->arg & FP_INST_INIT_NO)) {
        struct fp_step init = {.kind = FP_API, .op = MODEL_OP_INIT, .ref = FP_REF_VAR, .var = s->var};
        memset(&r, 0, sizeof r);
        rv = fp_call(x, &init, &r);
        rc->n_sub = 3;
        rc->sub[2] = rc->merr = r.merr;
        rc->n_rules = r.n_rules;
        memcpy(rc->rules, r.rules, sizeof rc->rules);
        if (rv == FP_SKIP)
            rv = FP_DONE;
    }
    x->last_var = s->var;
    return rv;
}

static int fp_oneinst(struct fp_run *x, const struct fp_step *s, struct fp_rec *rc)
{
    struct fp_step init = {.kind = FP_API, .op = MODEL_OP_INIT, .ref = FP_REF_VAR, .var = s->var};
    struct fp_var saved = x->vars[s->var];
    int rv;
    if (model_mode(x->w) != MODEL_MODE_NOSET)
        return FP_SKIP;
    x->eprint_ok = false; /* the names change */
    x->vars[s->var].tv = x->vars[s->var].mv = 0;
    x->vars[s->var].forced = x->vars[s->var].created = x->vars[s->var].attached = 0;
    x->vars[s->var].bound = true;
    rv = fp_call(x, &init, rc);
    if (rv == FP_SKIP) {
        x->vars[s->var] = saved;
        return FP_SKIP;
    }
    x->last_var = s->var;
    return rv;
}

static int fp_logs(struct fp_run *x, const struct fp_step *s, struct fp_rec *rc)
{
    int var = fp_fixture_var(x, s);
    const struct jet_fixture *fx = x->t->fixture;
    uint32_t lo = 0, hi = 0;
    JET_ERR e;
    if (var < 0 || fx == NULL || fx->BackstopFixtureLogRange == NULL)
        return FP_SKIP;
    const struct model_view *v = fp_view(x, x->vars[var].mv);
    if (!v->found)
        return FP_SKIP;
    x->eprint_ok = false;
    e = fx->BackstopFixtureLogRange(x->tctx, x->vars[var].tv, &lo, &hi);
    rc->done = 1;
    rc->low = v->log_low;
    rc->high = v->log_current;
    if (e != JET_errSuccess)
        return fp_found(x, "the target's BackstopFixtureLogRange failed (%d) on a live instance", (int)e);
    if (lo != v->log_low || hi != v->log_current)
        return fp_found(x, "logs on disk: target %" PRIu32 "..%" PRIu32 ", model %" PRIu32 "..%" PRIu32, lo, hi,
                        v->log_low, v->log_current);
    return FP_DONE;
}

static int fp_fault(struct fp_run *x, const struct fp_step *s, struct fp_rec *rc)
{
    if (x->eng == NULL || x->armed >= 0)
        return FP_SKIP;
    x->eprint_ok = false;
    if (engine_fault_arm(x->eng, fuzzprog__points[s->point].name, ENGINE_FAULT_NTH, s->arg, 0.0) !=
        ENGINE_OK)
        return FP_SKIP;
    x->armed = s->point;
    rc->done = 1;
    return FP_DONE;
}

/* ---------------------------------------------------------------------------
 * The run
 * ------------------------------------------------------------------------- */

int fuzzprog_run(struct fuzzprog *p, const struct fuzzprog_config *cfg)
{
    static const struct fuzzprog_config no_cfg;
    struct fp_run x = {.p = p, .cfg = cfg ? cfg : &no_cfg, .last_var = -1, .armed = -1};
    struct target_config tc = {0};
    struct model_config mcfg = {0};
    const struct jet_fixture *fx;
    struct target_ops decorated;
    int status = FUZZPROG_OK;

    if (p == NULL)
        return FUZZPROG_EINVAL;
    x.t = x.cfg->target ? x.cfg->target : &target_engine_ops;
    if (p->kind == FUZZPROG_FAULTS && x.t != &target_engine_ops)
        return FUZZPROG_EINVAL;
    /* The three worlds in one block (each allocation costs a fuzzing build
     * its sanitizer's and libFuzzer's malloc hooks); a world's size is a
     * multiple of its alignment, which malloc's covers. */
    size_t wsz = model_world_size();
    x.w = malloc(3 * wsz);
    x.scratch = x.w ? (struct model_world *)((char *)x.w + wsz) : NULL;
    x.before = x.w ? (struct model_world *)((char *)x.w + 2 * wsz) : NULL;
    if (x.w == NULL) {
        status = FUZZPROG_ENOMEM;
        goto out;
    }
    mcfg.profile = p->profile;
    mcfg.page_size = p->page_size;
    mcfg.os_page = 4096;
    mcfg.log_size = p->log_size;
    model_world_init(x.w, &mcfg);
    tc.profile = p->profile;
    if (x.t->open(x.t, &tc, &x.tctx) != TARGET_OK) {
        x.tctx = NULL;
        status = FUZZPROG_ETARGET;
        goto out;
    }
    fx = x.t->fixture;
    if (fx == NULL || fx->BackstopFixtureSetPageSize == NULL || fx->BackstopFixtureSetLogSize == NULL ||
        fx->BackstopFixtureSetPageSize(x.tctx, p->page_size) != JET_errSuccess ||
        fx->BackstopFixtureSetLogSize(x.tctx, p->log_size) != JET_errSuccess) {
        status = FUZZPROG_ETARGET;
        goto out;
    }
    if (x.t == &target_engine_ops) {
        x.eng = x.tctx;
        if (x.cfg->engine_api) {
            decorated = target_engine_ops;
            decorated.api = x.cfg->engine_api(x.eng);
            x.t = &decorated;
        }
        engine_set_fault_observer(x.eng, fp_observe, &x);
        if (p->kind == FUZZPROG_FAULTS)
            engine_fault_set_counting(x.eng, true);
    }
    x.deadline = x.cfg->max_seconds > 0 ? fp_now() + x.cfg->max_seconds : 0;
    memset(p->rec, 0, p->n * sizeof p->rec[0]);
    p->finding_step = -1;
    p->finding[0] = '\0';
    p->ran = true;

    for (x.step = 0; x.step < p->n; x.step++) {
        const struct fp_step *s = &p->steps[x.step];
        struct fp_rec *rc = &p->rec[x.step];
        int rv = FP_SKIP;
        if (x.deadline > 0 && (x.step & 15) == 0 && fp_now() > x.deadline)
            break;
        switch (s->kind) {
        case FP_API: rv = fp_call(&x, s, rc); break;
        case FP_FIXTURE: rv = fp_fixture(&x, s, rc); break;
        case FP_INSTANCE: rv = fp_instance(&x, s, rc); break;
        case FP_ONEINST: rv = fp_oneinst(&x, s, rc); break;
        case FP_LOGS: rv = fp_logs(&x, s, rc); break;
        case FP_FAULT: rv = fp_fault(&x, s, rc); break;
        }
        if (rv == FP_FOUND) {
            status = FUZZPROG_FINDING;
            break;
        }
    }
out:
    if (x.tctx)
        x.t->close(x.tctx); /* the decorated copy closes as target_engine_ops */
    free(x.w); /* and scratch, before */
    free(x.rbuf);
    free(x.lbuf);
    return status;
}
