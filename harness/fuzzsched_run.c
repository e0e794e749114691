/*
 * fuzzsched_run.c: one run of a fuzz_sched program (fuzzsched.h): the world,
 * the worker threads, the deterministic scheduler that lets exactly one of
 * them run between yield points, admission of the defined overlaps only
 * (R55), JetTerm's drain (R54), the online invariants, and the
 * linearizability check of the recorded history.
 *
 * Why not harness/schedule.c: its strategies draw decisions from a seeded rng
 * (random, PCT); here every decision is a byte of the input with a fixed rule
 * when the bytes run out, which the fuzzer mutates one decision at a time, and
 * waits (admission, drain) are predicates the scheduler re-evaluates itself.
 * The handshake is the same idea (one condition variable per thread, the
 * turn handed over under one mutex).
 *
 * Stability. libFuzzer's coverage counters must be the same for the same
 * input although threads run: (1) only the thread holding the turn executes
 * instrumented code: the handshake (fs_handoff, fs_await, the thread entry)
 * is not instrumented (FS_NOCOV), so how often a thread wakes spuriously or
 * how long it waits leaves no trace; (2) the first decision is made after
 * every thread exists; (3) nothing reads time, thread ids or addresses to
 * decide anything (the watchdog's timed wait only ends the process).
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "fuzzsched_int.h"
#include "lincheck.h"
#include "runner.h"

/* Not instrumented for coverage, and never inlined into a function that is.
 * AFL++'s own pass ignores the attribute: fuzz/fuzz_sched.afl-denylist lists
 * the same functions for AFL_LLVM_DENYLIST. */
#if defined(__clang__)
#define FS_NOCOV __attribute__((no_sanitize("coverage"), noinline))
#else
#define FS_NOCOV __attribute__((noinline))
#endif

#define FS_NONE UINT32_MAX
#define FS_OP_NONE 0xFFu
#define FS_OP_BEGIN_INC (MODEL_OP__COUNT + 1u) /* an incremental Begin, for admission */
#define FS_PATH_MAX 512
#define FS_N_PATHS (2 + 5)                     /* db1, db2, logs 1..5 */
#define FS_HIST_CAP 64                         /* events per recorder thread */

enum fs_state { FS_READY = 0, FS_ADMIT, FS_DRAIN, FS_DONE };

struct fs_slot {
    JET_INSTANCE handle;
    uint32_t lifetime;
    bool stale;                       /* its JetTerm returned 0 */
    JET_HANDLE last_hf;               /* the last handle an OpenFile on it returned */
    bool file_dirty;                  /* that file was not closed by CloseFile (D7) */
    unsigned inflight[FUZZSCHED_MAX_THREADS]; /* admission op per thread, or FS_OP_NONE */
    uint64_t starts;                  /* calls registered on it so far */
    char paths[FS_N_PATHS][FS_PATH_MAX];
};

struct fs_run;

struct fs_worker {
    struct fs_run *run;
    uint32_t tid;
    pthread_t th;
    bool created;
    uint16_t calls[FUZZSCHED_MAX_THREAD_CALLS]; /* indexes into p->calls */
    unsigned n;
    uint16_t cur_index;       /* input position of the current call: the default order */
    /* The call in flight or waiting for admission. */
    unsigned want_op;         /* admission op */
    int cur_slot;             /* -1: none (no lifetime, or stale) */
    uint32_t engine_yields;   /* yield points inside the target during this call */
    const char *point;        /* last yield point, for DEADLOCK reports */
};

struct fs_run {
    struct fuzzsched *p;
    const struct target_ops *ops;
    void *ctx;
    struct engine *engine;    /* ctx, for the in-process engine */
    void *lib;                /* a loaded library with BackstopSetYieldHook */
    JET_ERR (*set_hook)(engine_yield_fn fn, void *ctx);
    struct hist *hist;
    struct fs_slot slots[FUZZSCHED_MAX_INSTANCES];
    struct fs_worker w[FUZZSCHED_MAX_THREADS];
    double max_seconds;
    /* The scheduler (mu). */
    pthread_mutex_t mu;
    pthread_cond_t cv[FUZZSCHED_MAX_THREADS];
    uint32_t running;
    int state[FUZZSCHED_MAX_THREADS];
    bool cancel;              /* a harness error before the first decision */
    bool free_run;            /* a harness deadlock: every thread runs unscheduled to its end */
    size_t dec_i;
    uint64_t decisions, yields;
    /* Findings. */
    FILE *fnd;                /* open_memstream over fnd_buf */
    char *fnd_buf;
    size_t fnd_len;
    unsigned n_findings;
};

static _Thread_local struct fs_worker *fs_self;

/* ---- findings ------------------------------------------------------------------- */

static void fs_finding(struct fs_run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void fs_finding(struct fs_run *r, const char *fmt, ...)
{
    va_list ap;
    r->n_findings++;
    if (r->fnd == NULL)
        return;
    va_start(ap, fmt);
    vfprintf(r->fnd, fmt, ap);
    va_end(ap);
    fputc('\n', r->fnd);
}

/* ---- operations ----------------------------------------------------------------- */

static bool fs_is_streaming(enum model_op op)
{
    return op == MODEL_OP_GET_ATTACH_INFO || op == MODEL_OP_OPEN_FILE || op == MODEL_OP_READ_FILE ||
           op == MODEL_OP_GET_LOG_INFO || op == MODEL_OP_GET_LOG_INFO2 ||
           op == MODEL_OP_GET_TRUNCATE_LOG_INFO || op == MODEL_OP_TRUNCATE_LOG;
}

/* The calls that pass the API gate (spec §0.4), which JetTerm drains (R54). */
static bool fs_is_gated(unsigned op)
{
    return op == FS_OP_BEGIN_INC || op == MODEL_OP_BEGIN || op == MODEL_OP_CLOSE_FILE ||
           op == MODEL_OP_END || op == MODEL_OP_END2 || fs_is_streaming((enum model_op)op);
}

/* R55 (model_overlap_defined), both ways. A failing incremental Begin shows
 * its claim to a concurrent Begin and then undoes it, which the checker
 * cannot explain: incremental Begins never overlap another Begin (as in
 * stress_ops.c). */
static bool fs_overlap_ok(unsigned a, unsigned b)
{
    bool inc_a = a == FS_OP_BEGIN_INC, inc_b = b == FS_OP_BEGIN_INC;
    if (inc_a || inc_b) {
        if ((inc_a || a == MODEL_OP_BEGIN) && (inc_b || b == MODEL_OP_BEGIN))
            return false;
        a = inc_a ? MODEL_OP_BEGIN : a;
        b = inc_b ? MODEL_OP_BEGIN : b;
    }
    return model_overlap_defined((enum model_op)a, (enum model_op)b) &&
           model_overlap_defined((enum model_op)b, (enum model_op)a);
}

static bool fs_admissible(const struct fs_run *r, const struct fs_worker *w)
{
    const struct fs_slot *s;
    if (w->cur_slot < 0)
        return true;
    s = &r->slots[w->cur_slot];
    if (s->stale)
        return true; /* the instance is gone: nothing to overlap */
    for (uint32_t t = 0; t < r->p->n_threads; t++)
        if (t != w->tid && s->inflight[t] != FS_OP_NONE && !fs_overlap_ok(s->inflight[t], w->want_op))
            return false;
    return true;
}

static bool fs_drain_busy(const struct fs_run *r, const struct fs_worker *w)
{
    const struct fs_slot *s;
    if (w->cur_slot < 0)
        return false;
    s = &r->slots[w->cur_slot];
    for (uint32_t t = 0; t < r->p->n_threads; t++)
        if (t != w->tid && s->inflight[t] != FS_OP_NONE && fs_is_gated(s->inflight[t]))
            return true;
    return false;
}

/* ---- the scheduler ------------------------------------------------------------- */

static bool fs_runnable(const struct fs_run *r, uint32_t t)
{
    switch (r->state[t]) {
    case FS_READY: return true;
    case FS_ADMIT: return fs_admissible(r, &r->w[t]);
    case FS_DRAIN: return !fs_drain_busy(r, &r->w[t]);
    default: return false;
    }
}

/* The next thread: the runnable ones in the order of their current call's
 * input position; a decision byte picks one when there is a choice. */
static uint32_t fs_pick(struct fs_run *r)
{
    uint32_t cand[FUZZSCHED_MAX_THREADS], n = 0;
    for (uint32_t t = 0; t < r->p->n_threads; t++) {
        if (!fs_runnable(r, t))
            continue;
        uint32_t k = n++;
        while (k > 0 && r->w[cand[k - 1]].cur_index > r->w[t].cur_index) {
            cand[k] = cand[k - 1];
            k--;
        }
        cand[k] = t;
    }
    if (n == 0)
        return FS_NONE;
    if (n == 1)
        return cand[0];
    r->decisions++;
    uint8_t d = r->dec_i < r->p->n_dec ? r->p->dec[r->dec_i++] : 0;
    return cand[d % n];
}

/* A thread held the turn for max_seconds without reaching a yield point: it
 * is blocked inside the target (a lock held across a yield point, or a wait
 * the scheduler cannot see). The process cannot unwind it: report and abort. */
FS_NOCOV static void fs_deadlock(struct fs_run *r)
{
    fflush(stdout);
    fprintf(stderr, "\n==backstop== FINDING: DEADLOCK: thread t%u held the turn for %.1f s without "
                    "reaching a yield point (R50: a call blocks inside the target)\n",
            (unsigned)r->running, r->max_seconds);
    for (uint32_t t = 0; t < r->p->n_threads; t++) {
        const struct fs_worker *w = &r->w[t];
        const struct fs_call *c = w->cur_index < r->p->n_calls ? &r->p->calls[w->cur_index] : NULL;
        fprintf(stderr, "  t%u %s; call #%u %s; last yield point %s\n", (unsigned)t,
                r->state[t] == FS_DONE ? "finished" : t == r->running ? "running" : "waiting",
                (unsigned)w->cur_index, c ? model_op_name((enum model_op)c->op) : "-",
                w->point ? w->point : "start");
    }
    fprintf(stderr, "==backstop== %" PRIu64 " decisions so far; input hash %016" PRIx64 "\n",
            r->decisions, r->p->hash);
    fflush(stderr);
    abort();
}

/* Wait for the turn (mu held). */
FS_NOCOV static void fs_await(struct fs_run *r, uint32_t self)
{
    while (r->running != self && !r->free_run && !r->cancel) {
        uint64_t seen = r->yields;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)r->max_seconds;
        int rc = pthread_cond_timedwait(&r->cv[self], &r->mu, &ts);
        if (rc == ETIMEDOUT && r->yields == seen && r->running != self && !r->free_run &&
            r->running != FS_NONE)
            fs_deadlock(r);
    }
}

/* Give the turn to the next thread and wait for it to come back (mu held).
 * `self` is FS_NONE for the first decision (the main thread). */
FS_NOCOV static void fs_handoff(struct fs_run *r, uint32_t self)
{
    uint32_t next;
    r->yields++;
    if (r->free_run)
        return;
    next = fs_pick(r);
    if (next == FS_NONE) {
        bool all_done = true;
        for (uint32_t t = 0; t < r->p->n_threads; t++)
            all_done = all_done && r->state[t] == FS_DONE;
        if (!all_done) {
            fs_finding(r, "HARNESS DEADLOCK: no thread can run (every unfinished thread waits for "
                          "admission or JetTerm's drain); the rest runs unscheduled");
            r->free_run = true;
            for (uint32_t t = 0; t < r->p->n_threads; t++)
                pthread_cond_signal(&r->cv[t]);
        }
        r->running = FS_NONE;
        return;
    }
    r->running = next;
    if (next != self)
        pthread_cond_signal(&r->cv[next]);
    if (self != FS_NONE && r->state[self] != FS_DONE)
        fs_await(r, self);
}

/* A yield point of the worker (its state READY). */
FS_NOCOV static void fs_yield(struct fs_worker *w, const char *point)
{
    struct fs_run *r = w->run;
    pthread_mutex_lock(&r->mu);
    w->point = point;
    fs_handoff(r, w->tid);
    pthread_mutex_unlock(&r->mu);
}

/* Wait, as a scheduler decision, until the worker's predicate holds. */
FS_NOCOV static void fs_block(struct fs_worker *w, enum fs_state why, const char *point)
{
    struct fs_run *r = w->run;
    pthread_mutex_lock(&r->mu);
    w->point = point;
    r->state[w->tid] = why;
    while (!r->free_run && fs_runnable(r, w->tid) == false)
        fs_handoff(r, w->tid);
    r->state[w->tid] = FS_READY;
    pthread_mutex_unlock(&r->mu);
}

/* The engine's internal yield points (engine.h), and JetTerm's drain. */
static void fs_hook(void *ctx, const char *point)
{
    struct fs_worker *w = fs_self;
    if (w == NULL || w->run != ctx)
        return;
    w->engine_yields++;
    fs_yield(w, point);
    if (strcmp(point, ENGINE_YIELD_TERM_WAIT) == 0 && fs_drain_busy(w->run, w))
        fs_block(w, FS_DRAIN, "JetTerm's drain");
}

/* ---- fingerprints (online invariants, in-process engine) ------------------------ */

static uint64_t fs_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xFF51AFD7ED558CCDull;
}

static bool fs_fingerprint(struct fs_run *r, JET_INSTANCE h, uint64_t *out)
{
    struct engine_inspect x;
    uint64_t f = 0x243F6A8885A308D3ull;
    if (engine_inspect(r->engine, h, &x) != ENGINE_OK)
        return false;
    const uint64_t v[] = {x.serial, x.initialized, x.backup_allowed, x.stop_service, x.stop,
                          x.in_progress_any, x.in_progress_local, x.full, x.logs_truncated,
                          (uint64_t)x.phase, x.slot_in_use, x.slot_ib, x.slot_cb, x.log_cur,
                          x.checkpoint, x.n_ends_normal, x.n_ends_abnormal};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        f = fs_mix(f, v[i]);
    *out = f;
    return true;
}

static bool fs_slot_quiet(const struct fs_run *r, uint32_t s)
{
    for (uint32_t t = 0; t < r->p->n_threads; t++)
        if (r->slots[s].inflight[t] != FS_OP_NONE)
            return false;
    return !r->slots[s].stale;
}

/* ---- one call ------------------------------------------------------------------- */

struct fs_pre {
    bool no_instance;           /* names no live instance: R3/R9/R11 check */
    bool have[FUZZSCHED_MAX_INSTANCES];
    uint64_t fp[FUZZSCHED_MAX_INSTANCES];
    bool expect801;             /* R16/R17 check */
    uint64_t fp_self, starts_at;
};

static void fs_pre_checks(struct fs_run *r, struct fs_worker *w, const struct fs_call *c,
                          struct fs_pre *pre)
{
    memset(pre, 0, sizeof *pre);
    if (r->engine == NULL)
        return;
    if (w->cur_slot < 0) {
        pre->no_instance = true;
        for (uint32_t s = 0; s < r->p->n_inst; s++)
            if (fs_slot_quiet(r, s))
                pre->have[s] = fs_fingerprint(r, r->slots[s].handle, &pre->fp[s]);
        return;
    }
    struct fs_slot *sl = &r->slots[w->cur_slot];
    struct engine_inspect x;
    bool alone = true;
    for (uint32_t t = 0; t < r->p->n_threads; t++)
        alone = alone && (t == w->tid || sl->inflight[t] == FS_OP_NONE);
    if (fs_is_streaming((enum model_op)c->op) && alone &&
        engine_inspect(r->engine, sl->handle, &x) == ENGINE_OK && x.initialized && !x.stop_service &&
        x.stop && x.in_progress_local) {
        /* The gate (service stopped: -1329) comes before the stop test. */
        pre->expect801 = fs_fingerprint(r, sl->handle, &pre->fp_self);
        pre->starts_at = sl->starts;
    }
}

static void fs_post_checks(struct fs_run *r, struct fs_worker *w, const struct fs_call *c,
                           const struct fs_pre *pre, JET_ERR err)
{
    uint64_t fp;
    if (pre->no_instance && w->engine_yields == 0) {
        for (uint32_t s = 0; s < r->p->n_inst; s++)
            if (pre->have[s] && fs_slot_quiet(r, s) && fs_fingerprint(r, r->slots[s].handle, &fp) &&
                fp != pre->fp[s])
                fs_finding(r, "VIOLATION R3/R11: t%u call #%u %s names no live instance (returned %d) "
                              "but changed instance i%u",
                           (unsigned)w->tid, (unsigned)c->index, model_op_name((enum model_op)c->op),
                           (int)err, (unsigned)s);
    }
    if (pre->expect801) {
        struct fs_slot *sl = &r->slots[w->cur_slot];
        if (err != JET_errBackupAbortByServer)
            fs_finding(r, "VIOLATION R16: t%u call #%u %s on i%u, with `stop` set on a backup in "
                          "progress and no other call in flight, returned %d, not -801",
                       (unsigned)w->tid, (unsigned)c->index, model_op_name((enum model_op)c->op),
                       (unsigned)w->cur_slot, (int)err);
        else if (sl->starts == pre->starts_at + 1 && fs_slot_quiet(r, (uint32_t)w->cur_slot) &&
                 fs_fingerprint(r, sl->handle, &fp) && fp != pre->fp_self)
            fs_finding(r, "VIOLATION R17: t%u call #%u %s on i%u returned -801 but changed the "
                          "instance's backup state",
                       (unsigned)w->tid, (unsigned)c->index, model_op_name((enum model_op)c->op),
                       (unsigned)w->cur_slot);
    }
}

/* The target arguments and the history event of call c (slot resolved). */
static void fs_prepare(struct fs_run *r, struct fs_worker *w, const struct fs_call *c,
                       struct target_call_args *a, struct hist_event *ev)
{
    struct fuzzsched *p = r->p;
    const struct fs_slot *sl = c->ref == FS_REF_SLOT ? &r->slots[c->slot] : &r->slots[0];
    const struct fs_inst *in = c->ref == FS_REF_SLOT ? &p->inst[c->slot] : &p->inst[0];
    enum model_op op = (enum model_op)c->op;
    uint32_t which;

    memset(a, 0, sizeof *a);
    memset(ev, 0, sizeof *ev);
    a->op = op;
    a->inst = c->ref == FS_REF_SLOT ? sl->handle : fuzzsched__ref_value((enum fs_ref)c->ref);
    ev->lifetime = c->ref == FS_REF_SLOT ? sl->lifetime : HIST_NO_LIFETIME;
    ev->handle_stale = c->ref == FS_REF_SLOT && sl->stale;
    switch (op) {
    case MODEL_OP_BEGIN: a->grbit = fuzzsched__begin_bits[c->arg]; break;
    case MODEL_OP_END2: a->grbit = fuzzsched__end2_bits[c->arg]; break;
    case MODEL_OP_TERM2: a->grbit = fuzzsched__term2_bits[c->arg]; break;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        a->cb = fuzzsched__list_cb[c->arg];
        break;
    case MODEL_OP_READ_FILE:
        a->cb = fuzzsched__read_cb[c->arg];
        a->hf = sl->last_hf;
        break;
    case MODEL_OP_CLOSE_FILE: {
        JET_HANDLE lit;
        a->hf = fuzzsched__close_hf_of(c->arg, &lit) ? sl->last_hf : lit;
        break;
    }
    case MODEL_OP_OPEN_FILE:
        switch (fuzzsched__file_of(in, c->arg, &which)) {
        case FS_FILE_DB:
            a->name = sl->paths[which];
            ev->call.name = which ? "db2" : "db1";
            break;
        case FS_FILE_LOG:
            a->name = sl->paths[1 + which];
            ev->call.name = p->log_names[which];
            break;
        case FS_FILE_BOGUS: a->name = ev->call.name = FS_BOGUS_NAME; break;
        case FS_FILE_EMPTY: a->name = ev->call.name = ""; break;
        }
        break;
    default:
        break;
    }
    ev->thread = w->tid;
    ev->call.op = op;
    ev->call.inst = a->inst;
    ev->call.grbit = a->grbit;
    ev->call.hf = a->hf;
    ev->call.cb_max = a->cb;
}

static void fs_response(struct hist_event *ev, const struct target_call_out *o)
{
    ev->err = o->err;
    if (o->err != JET_errSuccess)
        return;
    switch (ev->call.op) {
    case MODEL_OP_OPEN_FILE:
        ev->outs |= MODEL_OUT_HF;
        ev->hf = o->hf;
        ev->size = o->size;
        break;
    case MODEL_OP_READ_FILE:
        ev->outs |= MODEL_OUT_CB;
        ev->cb_actual = o->actual;
        break;
    case MODEL_OP_GET_LOG_INFO2:
        ev->outs |= MODEL_OUT_GENS;
        ev->gen_low = o->genlow;
        ev->gen_high = o->genhigh;
        break;
    default:
        break;
    }
}

/* §4.4 step 6 (D7): ReadFile(hf 0) while the slot is closed but keeps the
 * fields of a file a cleanup (End, JetTerm, a cancelling error) closed is
 * undefined in the source; the model answers -1003 without a rule, the engine
 * reads an empty file. Not made, as fuzz_calls steps around it
 * (fuzzprog_run.c): the engine shows no open file, and the slot's last opened
 * file was not closed by CloseFile (the engine's Begin forgets the stale
 * fields the model keeps, so they cannot be read from the engine). In-process
 * engine only; for other targets lincheck accepts any answer (D7). Deterministic: the
 * state alone decides. */
static bool fs_undefined_now(struct fs_run *r, const struct fs_worker *w, const struct target_call_args *a)
{
    struct engine_inspect x;
    if (r->engine == NULL || a->op != MODEL_OP_READ_FILE || w->cur_slot < 0 || (int32_t)a->hf != 0 ||
        engine_inspect(r->engine, a->inst, &x) != ENGINE_OK)
        return false;
    return r->slots[w->cur_slot].file_dirty && x.in_progress_local && !x.stop && !x.slot_in_use;
}

static void fs_one_call(struct fs_worker *w, const struct fs_call *c)
{
    struct fs_run *r = w->run;
    struct target_call_args a;
    struct target_call_out o;
    struct hist_event ev;
    struct fs_pre pre;
    long hs;

    w->want_op = c->op == MODEL_OP_BEGIN && (fuzzsched__begin_bits[c->arg] & JET_bitBackupIncremental)
                     ? FS_OP_BEGIN_INC
                     : c->op;
    w->cur_slot = c->ref == FS_REF_SLOT && !r->slots[c->slot].stale ? c->slot : -1;
    if (!fs_admissible(r, w)) {
        fs_block(w, FS_ADMIT, "admission (R55)");
        /* The instance may have been terminated meanwhile. */
        w->cur_slot = c->ref == FS_REF_SLOT && !r->slots[c->slot].stale ? c->slot : -1;
    }
    fs_prepare(r, w, c, &a, &ev);
    if (fs_undefined_now(r, w, &a)) {
        w->cur_slot = -1;
        return;
    }
    if (w->cur_slot >= 0) {
        r->slots[w->cur_slot].inflight[w->tid] = w->want_op;
        r->slots[w->cur_slot].starts++;
    }
    fs_pre_checks(r, w, c, &pre);
    hs = hist_begin(r->hist, w->tid, &ev);
    w->engine_yields = 0;
    memset(&o, 0, sizeof o);
    if (target_call(r->ops, r->ctx, &a, &o) != 0)
        o.err = JET_errInvalidParameter; /* never: every op here is required */
    fs_response(&ev, &o);
    if (hs >= 0)
        hist_end(r->hist, w->tid, hs, &ev);
    if (w->cur_slot >= 0) {
        struct fs_slot *sl = &r->slots[w->cur_slot];
        sl->inflight[w->tid] = FS_OP_NONE;
        if ((c->op == MODEL_OP_TERM || c->op == MODEL_OP_TERM2) && o.err == JET_errSuccess)
            sl->stale = true;
    }
    if (c->ref == FS_REF_SLOT && c->op == MODEL_OP_OPEN_FILE && o.err == JET_errSuccess) {
        r->slots[c->slot].last_hf = o.hf;
        r->slots[c->slot].file_dirty = true;
    }
    if (c->ref == FS_REF_SLOT && c->op == MODEL_OP_CLOSE_FILE && o.err == JET_errSuccess)
        r->slots[c->slot].file_dirty = false;
    fs_post_checks(r, w, c, &pre, o.err);
    w->cur_slot = -1;
}

/* The worker's calls, each behind a yield point. Runs only with the turn. */
static void fs_worker_calls(struct fs_worker *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        const struct fs_call *c = &w->run->p->calls[w->calls[i]];
        w->cur_index = c->index;
        fs_yield(w, "api-entry");
        fs_one_call(w, c);
    }
}

FS_NOCOV static void *fs_worker_main(void *arg)
{
    struct fs_worker *w = arg;
    struct fs_run *r = w->run;
    fs_self = w;
    pthread_mutex_lock(&r->mu);
    fs_await(r, w->tid);
    bool cancel = r->cancel;
    pthread_mutex_unlock(&r->mu);
    if (!cancel)
        fs_worker_calls(w);
    pthread_mutex_lock(&r->mu);
    r->state[w->tid] = FS_DONE;
    w->point = "finished";
    if (!cancel)
        fs_handoff(r, w->tid);
    pthread_mutex_unlock(&r->mu);
    fs_self = NULL;
    return NULL;
}

/* ---- the thread pool ------------------------------------------------------------ */

/*
 * Creating and joining threads costs more than the rest of an input under
 * ASan (about 0.3 ms a thread), so runs on the in-process engine borrow
 * FUZZSCHED_MAX_THREADS threads that live for the process. Why that is a
 * reset: a pool thread runs one fs_worker_main per run, which starts from
 * the run's own fs_worker (calloc'ed per run, freed after it) and clears the
 * only thread-local state it sets (fs_self); neither the engine, the model
 * nor the harness code a run calls has other thread-local state (no
 * _Thread_local or __thread in engine/, model/, target_engine.c, runner.c).
 * Loaded libraries may keep thread-local state (the stop_flag_cached mutant
 * does), so they get fresh threads per run. One run uses the pool at a
 * time (another concurrent run gets fresh threads); a forked child, which
 * inherits the pool's state but not its threads, builds its own.
 */
struct fs_pool {
    pthread_mutex_t run_mu;   /* held by the run that uses the pool */
    pthread_mutex_t mu;
    pthread_cond_t cv_job[FUZZSCHED_MAX_THREADS], cv_done;
    struct fs_worker *job[FUZZSCHED_MAX_THREADS];
    unsigned n_busy;
    bool ready;
    pid_t pid;                /* the process whose threads these are */
};
static struct fs_pool fs_pool = {.run_mu = PTHREAD_MUTEX_INITIALIZER, .mu = PTHREAD_MUTEX_INITIALIZER};

static void *fs_worker_main(void *arg);

FS_NOCOV static void *fs_pool_main(void *arg)
{
    unsigned k = (unsigned)(uintptr_t)arg;
    pthread_mutex_lock(&fs_pool.mu);
    for (;;) {
        while (fs_pool.job[k] == NULL)
            pthread_cond_wait(&fs_pool.cv_job[k], &fs_pool.mu);
        struct fs_worker *w = fs_pool.job[k];
        pthread_mutex_unlock(&fs_pool.mu);
        fs_worker_main(w);
        pthread_mutex_lock(&fs_pool.mu);
        fs_pool.job[k] = NULL;
        if (--fs_pool.n_busy == 0)
            pthread_cond_signal(&fs_pool.cv_done);
    }
    return NULL;
}

/* Take the pool for one run (its threads created on first use). False: use
 * fresh threads. */
FS_NOCOV static bool fs_pool_acquire(void)
{
    if (pthread_mutex_trylock(&fs_pool.run_mu) != 0)
        return false;
    if (fs_pool.ready && fs_pool.pid == getpid())
        return true;
    fs_pool.ready = false;
    fs_pool.n_busy = 0;
    pthread_cond_init(&fs_pool.cv_done, NULL);
    for (unsigned k = 0; k < FUZZSCHED_MAX_THREADS; k++) {
        pthread_t th;
        fs_pool.job[k] = NULL;
        pthread_cond_init(&fs_pool.cv_job[k], NULL);
        if (pthread_create(&th, NULL, fs_pool_main, (void *)(uintptr_t)k) != 0) {
            /* The threads made so far wait for jobs that never come. */
            pthread_mutex_unlock(&fs_pool.run_mu);
            return false;
        }
        pthread_detach(th);
    }
    fs_pool.pid = getpid();
    fs_pool.ready = true;
    return true;
}

FS_NOCOV static void fs_pool_start(struct fs_worker *w)
{
    pthread_mutex_lock(&fs_pool.mu);
    fs_pool.n_busy++;
    fs_pool.job[w->tid] = w;
    pthread_cond_signal(&fs_pool.cv_job[w->tid]);
    pthread_mutex_unlock(&fs_pool.mu);
}

/* Wait until every job of the run is done, and give the pool back. */
FS_NOCOV static void fs_pool_release(void)
{
    pthread_mutex_lock(&fs_pool.mu);
    while (fs_pool.n_busy > 0)
        pthread_cond_wait(&fs_pool.cv_done, &fs_pool.mu);
    pthread_mutex_unlock(&fs_pool.mu);
    pthread_mutex_unlock(&fs_pool.run_mu);
}

/* ---- the world -------------------------------------------------------------------- */

static const char *const fs_inst_names[FUZZSCHED_MAX_INSTANCES] = {"fsched0", "fsched1", "fsched2"};
static const char *const fs_db_model[2] = {"db1", "db2"};

/* A setup call by the main thread, recorded as thread n_threads. */
static int fs_setup_call(struct fs_run *r, uint32_t slot, enum model_op op, const char *name,
                         uint32_t arg, JET_INSTANCE *h)
{
    struct target_call_args a = {.op = op, .inst = *h, .name = name, .cb = arg};
    struct target_call_out o = {0};
    struct hist_event ev = {0};
    long hs;
    if (op == MODEL_OP_CREATE_INSTANCE || op == MODEL_OP_INIT)
        a.pinst = h;
    ev.thread = r->p->n_threads;
    ev.lifetime = slot;
    ev.call.op = op;
    ev.call.inst = *h;
    ev.call.name = name;
    ev.call.arg = arg;
    hs = hist_begin(r->hist, r->p->n_threads, &ev);
    if (target_call(r->ops, r->ctx, &a, &o) != 0)
        return -1;
    ev.err = o.err;
    if (o.err == JET_errSuccess && a.pinst)
        ev.outs = MODEL_OUT_INST;
    if (hs >= 0)
        hist_end(r->hist, r->p->n_threads, hs, &ev);
    return o.err == JET_errSuccess ? 0 : -1;
}

static int fs_world_open(struct fs_run *r, const struct fuzzsched_config *cfg)
{
    struct fuzzsched *p = r->p;
    struct target_config tc = {.profile = p->profile};
    const struct jet_fixture *fx;

    r->ops = cfg && cfg->target ? cfg->target : &target_engine_ops;
    if (r->ops != &target_engine_ops) {
        r->lib = dlopen(r->ops->name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
        void *sym = r->lib ? dlsym(r->lib, "BackstopSetYieldHook") : NULL;
        if (sym) {
            memcpy(&r->set_hook, &sym, sizeof r->set_hook); /* object to function pointer */
            r->set_hook(fs_hook, r);
        }
    }
    if (r->ops->open(r->ops, &tc, &r->ctx) != TARGET_OK)
        return FUZZSCHED_ETARGET;
    if (r->ops == &target_engine_ops) {
        r->engine = r->ctx;
        engine_set_yield_hook(r->engine, fs_hook, r);
    }
    fx = r->ops->fixture;
    if (fx == NULL || fx->BackstopFixtureSetPageSize == NULL || fx->BackstopFixtureSetLogSize == NULL ||
        fx->BackstopFixtureCreateDatabase == NULL || fx->BackstopFixtureRollLog == NULL ||
        fx->BackstopFixtureFilePath == NULL ||
        fx->BackstopFixtureSetPageSize(r->ctx, p->page_size) != JET_errSuccess ||
        fx->BackstopFixtureSetLogSize(r->ctx, p->log_size) != JET_errSuccess)
        return FUZZSCHED_ETARGET;
    for (uint32_t s = 0; s < p->n_inst; s++) {
        struct fs_slot *sl = &r->slots[s];
        const struct fs_inst *in = &p->inst[s];
        JET_INSTANCE h = 0;
        sl->lifetime = s;
        for (uint32_t t = 0; t < FUZZSCHED_MAX_THREADS; t++)
            sl->inflight[t] = FS_OP_NONE;
        if (fs_setup_call(r, s, MODEL_OP_CREATE_INSTANCE, fs_inst_names[s], 0, &h) != 0 ||
            fs_setup_call(r, s, MODEL_OP_INIT, NULL, 0, &h) != 0)
            return FUZZSCHED_ETARGET;
        for (uint32_t d = 0; d < in->n_db; d++)
            if (fs_setup_call(r, s, MODEL_OP_FX_CREATE_DB, fs_db_model[d], in->pages[d], &h) != 0)
                return FUZZSCHED_ETARGET;
        if (fs_setup_call(r, s, MODEL_OP_FX_ROLL_LOG, NULL, in->gen, &h) != 0)
            return FUZZSCHED_ETARGET;
        sl->handle = h;
        p->handles[s] = h;
        for (uint32_t k = 0; k < FS_N_PATHS; k++) {
            bool db = k < 2;
            if (fx->BackstopFixtureFilePath(r->ctx, h, db ? BACKSTOP_FILE_DATABASE : BACKSTOP_FILE_LOG,
                                            db ? fs_db_model[k] : NULL, db ? 0 : k - 1, sl->paths[k],
                                            FS_PATH_MAX) != JET_errSuccess)
                snprintf(sl->paths[k], FS_PATH_MAX, "%s", db ? fs_db_model[k] : p->log_names[k - 1]);
        }
    }
    return FUZZSCHED_OK;
}

static void fs_world_close(struct fs_run *r)
{
    if (r->ctx)
        r->ops->close(r->ctx);
    r->ctx = NULL;
    r->engine = NULL;
    if (r->set_hook)
        r->set_hook(NULL, NULL);
    if (r->lib)
        dlclose(r->lib);
    r->lib = NULL;
}

/* ---- threads ------------------------------------------------------------------------ */

static int fs_threads_run(struct fs_run *r)
{
    struct fuzzsched *p = r->p;
    pthread_condattr_t ca;
    int status = FUZZSCHED_OK;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&r->mu, NULL);
    for (uint32_t t = 0; t < p->n_threads; t++) {
        pthread_cond_init(&r->cv[t], &ca);
        r->w[t].run = r;
        r->w[t].tid = t;
        r->w[t].cur_slot = -1;
    }
    pthread_condattr_destroy(&ca);
    for (size_t i = 0; i < p->n_calls; i++) {
        struct fs_worker *w = &r->w[p->calls[i].thread];
        if (w->n == 0)
            w->cur_index = (uint16_t)i;
        w->calls[w->n++] = (uint16_t)i;
    }
    r->running = FS_NONE;
    for (uint32_t t = 0; t < p->n_threads; t++)
        r->state[t] = r->w[t].n ? FS_READY : FS_DONE;
    bool pooled = r->engine != NULL && fs_pool_acquire();
    for (uint32_t t = 0; t < p->n_threads && status == FUZZSCHED_OK; t++) {
        if (r->w[t].n == 0)
            continue;
        if (pooled)
            fs_pool_start(&r->w[t]);
        else if (pthread_create(&r->w[t].th, NULL, fs_worker_main, &r->w[t]) != 0)
            status = FUZZSCHED_EHARNESS;
        else
            r->w[t].created = true;
    }
    pthread_mutex_lock(&r->mu);
    if (status == FUZZSCHED_OK) {
        fs_handoff(r, FS_NONE); /* the first decision, once every thread exists */
    } else {
        r->cancel = true;
        for (uint32_t t = 0; t < p->n_threads; t++)
            pthread_cond_signal(&r->cv[t]);
    }
    pthread_mutex_unlock(&r->mu);
    if (pooled)
        fs_pool_release();
    for (uint32_t t = 0; t < p->n_threads; t++)
        if (r->w[t].created)
            pthread_join(r->w[t].th, NULL);
    for (uint32_t t = 0; t < p->n_threads; t++)
        pthread_cond_destroy(&r->cv[t]);
    pthread_mutex_destroy(&r->mu);
    return status;
}

/* ---- the run -------------------------------------------------------------------- */

/* The history against the model, shrunk for the report on a violation.
 * lincheck itself accepts any answer to a call the source leaves undefined
 * (D7: model_result.undefined), so a loaded library's ReadFile on a slot a
 * cleanup left stale is no finding. */
static int fs_check(struct fs_run *r)
{
    struct fuzzsched *p = r->p;
    struct lincheck_config lc = {.model = {.profile = p->profile, .page_size = p->page_size,
                                           .log_size = p->log_size},
                                 .max_shrink_steps = 200000};
    struct lincheck_result res;
    int rv = lincheck_check(p->hist, p->n_hist, &lc, &res);
    if (rv != LINCHECK_OK) {
        fs_finding(r, "HARNESS: lincheck: %s: %s", lincheck_strerror(rv), res.message);
        lincheck_result_free(&res);
        return rv == LINCHECK_EOVERLAP ? FUZZSCHED_OK : FUZZSCHED_EHARNESS;
    }
    if (res.verdict == LINCHECK_UNKNOWN || res.verdict == LINCHECK_VIOLATION) {
        fs_finding(r, "%s: %s", res.verdict == LINCHECK_VIOLATION ? "VIOLATION (linearizability)"
                                                                   : "UNKNOWN (lincheck budget)",
                   res.message);
        if (res.cex && r->fnd)
            lincheck_cex_print_timeline(res.cex, r->fnd);
    }
    lincheck_result_free(&res);
    return FUZZSCHED_OK;
}

int fuzzsched_run(struct fuzzsched *p, const struct fuzzsched_config *cfg)
{
    struct fs_run *r;
    int status;

    if (p == NULL)
        return FUZZSCHED_EINVAL;
    free(p->hist);
    p->hist = NULL;
    p->n_hist = 0;
    p->finding[0] = '\0';
    p->hist_hash = p->decisions = 0;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return FUZZSCHED_ENOMEM;
    r->p = p;
    r->max_seconds = cfg && cfg->max_seconds > 0 ? cfg->max_seconds : 5;
    r->fnd = open_memstream(&r->fnd_buf, &r->fnd_len);
    if (r->fnd == NULL || hist_create(p->n_threads + 1, FS_HIST_CAP, &r->hist) != HIST_OK) {
        status = FUZZSCHED_ENOMEM;
        goto out;
    }
    status = fs_world_open(r, cfg);
    if (status == FUZZSCHED_OK)
        status = fs_threads_run(r);
    fs_world_close(r);
    if (status != FUZZSCHED_OK)
        goto out;
    p->n_hist = hist_collect(r->hist, &p->hist);
    p->hist_hash = hist_hash(p->hist, p->n_hist);
    p->decisions = r->decisions;
    p->ran = true;
    status = fs_check(r);
    if (status == FUZZSCHED_OK && r->n_findings > 0)
        status = FUZZSCHED_FINDING;
out:
    if (r->fnd) {
        fclose(r->fnd);
        if (r->fnd_buf)
            snprintf(p->finding, sizeof p->finding, "%s", r->fnd_buf);
        free(r->fnd_buf);
    }
    hist_destroy(r->hist);
    free(r);
    return status;
}
