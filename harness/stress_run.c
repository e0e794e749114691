/*
 * stress_run.c: one stress run (stress.h): the target world and its instance
 * slots, the one call wrapper every worker call goes through, admission of
 * only the overlaps the spec defines, the online invariants, segments and
 * their linearizability check, and the worker threads.
 *
 * The wrapper, in order (stress__call):
 *   1. budget: stop at the call limit or the deadline, pause for a segment;
 *   2. yield point "api-entry";
 *   3. resolve the handle (the slot's current instance, a stale one, nil...)
 *      and admit the call: wait until it may overlap every call in flight on
 *      the same instance lifetime (model_overlap_defined, R55), register it,
 *      and note what the online invariants expect of it (R16);
 *   4. hist_begin, target_call, hist_end (with the fault that fired in it);
 *   5. unregister, check the invariants on the result (R16, R21, R22, R26,
 *      R20), wake waiters;
 *   6. yield point "api-exit".
 * In controlled schedules the engine's internal yield points (engine.h) are
 * announced through its hook; JetTerm's wait for in-flight calls (R54) is
 * mirrored by a scheduler wait, so that no worker ever blocks in the engine
 * while it holds the turn.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stress_int.h"

_Thread_local struct stress_worker *stress__self;
/* Set while this thread runs a segment boundary, holding run.mu. */
static _Thread_local bool stress__in_boundary;

#define STRESS__NEVER_HANDLE ((JET_INSTANCE)0x7BAD0BAD0ull)
#define STRESS__SEGMENT_EVENTS 1500000u /* events per segment over all threads */

const char *stress_strerror(int status)
{
    switch (status) {
    case STRESS_OK: return "success";
    case STRESS_EINVAL: return "invalid stress configuration";
    case STRESS_ENOMEM: return "out of memory";
    case STRESS_ETARGET: return "the target world could not be opened or set up";
    case STRESS_EHARNESS: return "harness failure";
    default: return "unknown stress status";
    }
}

double stress__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool stress__ending(const struct stress_run *run)
{
    return atomic_load_explicit(&run->stopping, memory_order_acquire) ||
           atomic_load_explicit(&run->seg_pending, memory_order_acquire);
}

/* ---- violations ----------------------------------------------------------------- */

void stress__first(struct stress_run *run, const char *rule, uint32_t lifetime)
{
    int expect = 0;
    if (atomic_compare_exchange_strong(&run->first_set, &expect, 1)) {
        snprintf(run->res->first_violation, sizeof run->res->first_violation, "%s", rule);
        run->res->first_violation_call = atomic_load(&run->calls);
        run->res->first_violation_lifetime = lifetime;
    }
}

void stress__violation(struct stress_worker *w, const char *rule, const char *fmt, ...)
{
    struct stress_run *run = w->run;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    atomic_fetch_add(&run->inv_violations, 1);
    stress__first(run, rule, w->last_lifetime);
    if (!run->quiet) {
        flockfile(run->out);
        fprintf(run->out, "VIOLATION %s: t%u %s: %s (seed %" PRIu64 ", call %" PRIu64 ")\n", rule,
                (unsigned)w->tid, w->label, msg, run->cfg->seed,
                (uint64_t)atomic_load(&run->calls) + w->unpublished);
        funlockfile(run->out);
    }
}

/* ---- fingerprints (R3, R10, R11) --------------------------------------------- */

bool stress__can_inspect(const struct stress_run *run) { return run->engine != NULL; }

static uint64_t stress__fp_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xFF51AFD7ED558CCDull;
}

static uint64_t stress__fingerprint(struct stress_run *run, JET_INSTANCE h)
{
    struct engine_inspect x;
    uint64_t f = 0x243F6A8885A308D3ull;
    if (engine_inspect(run->engine, h, &x) != ENGINE_OK)
        return 0;
    uint64_t v[] = {x.serial, x.initialized, x.backup_allowed, x.stop_service, x.has_log, x.stop,
                    x.in_progress_any, x.in_progress_local, x.full, x.internal_copy,
                    x.logs_truncated, x.began_new_log, (uint64_t)x.phase, x.slot_in_use,
                    x.slot_is_db, x.slot_is_log, x.slot_ib, x.slot_cb, x.slots_ever_used,
                    x.copy_mic, x.copy_mac, x.delete_mic, x.delete_mac, x.gen_copy_done, x.log_cur,
                    x.checkpoint, x.n_databases, x.n_ends_normal, x.n_ends_abnormal,
                    (uint64_t)(uint32_t)x.last_end_reason};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        f = stress__fp_mix(f, v[i]);
    return f;
}

bool stress__hold_try(struct stress_worker *w, uint32_t slot, uint64_t *fingerprint)
{
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[slot];
    JET_INSTANCE h = 0;
    bool ok;
    if (!stress__can_inspect(run))
        return false;
    pthread_mutex_lock(&s->mu);
    ok = !s->held && s->n_inflight == 0 && s->alive && !s->lifecycle;
    if (ok) {
        s->held = true;
        s->holder = w->tid;
        h = s->handle;
    }
    pthread_mutex_unlock(&s->mu);
    if (ok)
        *fingerprint = stress__fingerprint(run, h); /* nobody calls it while held */
    return ok;
}

void stress__hold_release(struct stress_worker *w, uint32_t slot, uint64_t before, const char *rule,
                          const char *what)
{
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[slot];
    uint64_t after = stress__fingerprint(run, s->handle);
    if (after != before)
        stress__violation(w, rule, "%s changed the state of another instance (slot %u, L%u)", what,
                          (unsigned)slot, (unsigned)s->lifetime);
    atomic_fetch_add(&run->fingerprint_checks, 1);
    pthread_mutex_lock(&s->mu);
    s->held = false;
    sched_notify(run->sched, s, &s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- budget and waiting ----------------------------------------------------------- */

static void stress__wake_all(struct stress_run *run)
{
    for (uint32_t i = 0; i < run->n_slots; i++) {
        struct stress_slot *s = &run->slots[i];
        pthread_mutex_lock(&s->mu);
        sched_notify(run->sched, s, &s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    if (stress__in_boundary) { /* this thread holds run.mu already */
        sched_notify(run->sched, &run->mu, &run->cv);
        return;
    }
    pthread_mutex_lock(&run->mu);
    sched_notify(run->sched, &run->mu, &run->cv);
    pthread_mutex_unlock(&run->mu);
}

static void stress__stop(struct stress_run *run)
{
    if (atomic_exchange(&run->stopping, 1) == 0)
        stress__wake_all(run);
}

/* Step 1 of the wrapper. */
static int stress__budget(struct stress_worker *w)
{
    struct stress_run *run = w->run;
    uint64_t k;
    if (stress__ending(run))
        return STRESS__STOP;
    k = atomic_load_explicit(&run->calls, memory_order_relaxed);
    if (k >= atomic_load_explicit(&run->limit, memory_order_relaxed)) {
        stress__stop(run);
        return STRESS__STOP;
    }
    if (run->deadline > 0 && (sched_controlled(run->sched) || (w->attempts & 31) == 0) &&
        stress__now() >= run->deadline) {
        /* The token records this count: a replay stops at the same call. */
        atomic_store(&run->limit, k);
        stress__stop(run);
        return STRESS__STOP;
    }
    return 0;
}

/* Programs (shrinking): is attempt number `a` of worker w kept? */
static int stress__program(struct stress_worker *w)
{
    const struct stress_program *p = w->run->cfg->program;
    uint64_t a = w->attempts++;
    if (!p || !p->has_calls)
        return 0;
    uint32_t n = p->n_ranges[w->tid];
    while (w->range_pos < n && p->ranges[w->tid][w->range_pos].hi < a)
        w->range_pos++;
    if (w->range_pos >= n) {
        w->program_done = true;
        return STRESS__STOP;
    }
    return a >= p->ranges[w->tid][w->range_pos].lo ? 0 : STRESS__SKIP;
}

int stress__pace(struct stress_worker *w, uint32_t slot, uint64_t calls)
{
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[slot];
    pthread_mutex_lock(&s->mu);
    uint64_t target = s->client_calls + calls;
    uint32_t life = s->lifetime;
    while (s->client_active && s->client_calls < target && s->alive && s->lifetime == life &&
           !stress__ending(run))
        sched_wait(run->sched, w->stid, s, &s->mu, &s->cv, "client progress");
    pthread_mutex_unlock(&s->mu);
    return stress__ending(run) ? STRESS__STOP : 0;
}

int stress__await_alive(struct stress_worker *w, uint32_t slot)
{
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[slot];
    pthread_mutex_lock(&s->mu);
    while (!s->alive && !stress__ending(run))
        sched_wait(run->sched, w->stid, s, &s->mu, &s->cv, "a new instance");
    pthread_mutex_unlock(&s->mu);
    return stress__ending(run) ? STRESS__STOP : 0;
}

/* ---- admission and the online invariants ------------------------------------------ */

static bool stress__admissible(const struct stress_slot *s, uint32_t tid, enum model_op op,
                               uint32_t life, bool stale)
{
    if (s->held && s->holder != tid)
        return false;
    if (s->lifecycle && s->lifecycle_owner != tid)
        return false;
    if (stale || life == HIST_NO_LIFETIME)
        return true;
    for (uint32_t m = s->inflight_mask & ~(1u << tid); m != 0; m &= m - 1) {
        uint32_t t = (uint32_t)__builtin_ctz(m);
        if (s->inflight_lifetime[t] != life)
            continue;
        if (!stress__overlap_ok(s->inflight_op[t], op))
            return false;
    }
    return true;
}

static JET_INSTANCE stress__value(enum stress_hkind k)
{
    switch (k) {
    case STRESS_H_ZERO: return 0;
    case STRESS_H_NIL: return JET_instanceNil;
    case STRESS_H_NEVER: return STRESS__NEVER_HANDLE;
    default: return 0;
    }
}

/* R16 bookkeeping at invocation (slot mutex held). */
static void stress__track_invoke(struct stress_slot *s, enum model_op op, struct stress_ticket *tk,
                                 struct stress_outcome *oc)
{
    struct stress_track *tr = &s->tr;
    tk->changes_at = tr->changes;
    oc->stopped_at_inv = tr->stopped;
    if (stress__is_stop(op) || stress__is_close(op))
        return; /* never clear `stop` (R10, R19) */
    if (stress__is_streaming(op) && tr->stopped) {
        tk->expect801 = true; /* R16: returns -801, changes nothing */
        return;
    }
    tk->clearer = true;
    tk->saved_live = tr->live;
    tk->saved_stopped = tr->stopped;
    tr->n_clearers++;
    tr->live = false;
    tr->stopped = false;
}

/* The invariants at the response (slot mutex held). */
static void stress__track_response(struct stress_worker *w, struct stress_slot *s,
                                   const struct stress_call *c, struct stress_ticket *tk,
                                   struct stress_outcome *oc)
{
    struct stress_track *tr = &s->tr;
    JET_ERR err = oc->o.err;
    enum model_op op = c->op;

    oc->undisturbed = tr->changes == tk->changes_at && tr->n_clearers == (tk->clearer ? 1u : 0u);
    if (stress__is_stop(op)) {
        /* L-Stop: the flag is certainly set if the backup was certainly live
         * throughout and nothing that may clear it ran meanwhile. */
        if (err == JET_errSuccess && tr->changes == tk->changes_at) {
            if (tr->n_clearers == 0 && tr->live) {
                tr->stopped = true;
            } else if (tr->n_clearers > 0) {
                if (!tr->deferred || tk->changes_at > tr->deferred_at)
                    tr->deferred_at = tk->changes_at;
                tr->deferred = true;
            }
        }
        return;
    }
    if (tk->expect801) {
        if (err != JET_errBackupAbortByServer) {
            bool term_meanwhile = tr->changes != tk->changes_at || tr->n_clearers > 0;
            if (!(term_meanwhile && (err == JET_errTermInProgress || err == JET_errInvalidParameter)))
                stress__violation(w, "R16",
                                  "%s invoked after JetStopBackupInstance returned 0 on L%u "
                                  "(backup in progress, not ended) returned %d, not -801",
                                  model_op_name(op), (unsigned)oc->lifetime, (int)err);
            tr->changes++;
            tr->live = tr->stopped = tr->deferred = false;
        }
        return;
    }
    if (!tk->clearer)
        return;
    tr->n_clearers--;
    bool quiet = tr->changes == tk->changes_at && tr->n_clearers == 0;
    if (tk->saved_stopped && quiet) {
        bool is_end = op == MODEL_OP_END || op == MODEL_OP_END_LEGACY ||
                      (op == MODEL_OP_END2 && ((c->grbit & 3u) == JET_bitBackupEndNormal ||
                                               (c->grbit & 3u) == JET_bitBackupEndAbort));
        if (is_end && err != JET_errSuccess)
            stress__violation(w, op == MODEL_OP_END2 && (c->grbit & 3u) == JET_bitBackupEndAbort ? "R22" : "R21",
                              "%s(grbit 0x%x) after Stop on L%u returned %d, not 0",
                              model_op_name(op), (unsigned)c->grbit, (unsigned)oc->lifetime, (int)err);
        if (stress__is_term(op)) {
            JET_GRBIT g = op == MODEL_OP_TERM ? JET_bitTermAbrupt : c->grbit;
            /* R26: 0x2/0x4 end the stopped backup and terminate; a dirty
             * termination (0x8) reports -1116 (§4.13 steps 7, 9); otherwise the
             * backup blocks the termination (R20, S14). */
            JET_ERR want = (g & JET_bitTermDirty) ? JET_errDirtyShutdown
                           : (g & (JET_bitTermAbrupt | JET_bitTermStopBackup)) ? JET_errSuccess
                                                                             : JET_errBackupInProgress;
            if (err != want)
                stress__violation(w, want == JET_errBackupInProgress ? "R20" : "R26",
                                  "%s(grbit 0x%x) on stopped L%u returned %d, not %d",
                                  model_op_name(op), (unsigned)g, (unsigned)oc->lifetime, (int)err,
                                  (int)want);
        }
    }
    if (stress__no_change(op, err)) {
        if (quiet) {
            tr->live = tk->saved_live;
            tr->stopped = tk->saved_stopped;
            if (tr->deferred && tr->deferred_at == tr->changes && tr->live)
                tr->stopped = true;
            tr->deferred = false;
            /* -801 says so itself (R16-R18): a local backup, stopped. If it is
             * wrong, the checker says so; here it only enables later checks. */
            if (stress__is_streaming(op) && err == JET_errBackupAbortByServer)
                tr->live = tr->stopped = true;
        }
    } else {
        tr->changes++;
        tr->deferred = false;
        tr->stopped = false;
        tr->live = (op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY) && err == JET_errSuccess &&
                   quiet;
    }
}

/* Step 3: resolve the handle and admit the call. */
static int stress__admit(struct stress_worker *w, const struct stress_call *c,
                         struct stress_ticket *tk, struct stress_outcome *oc)
{
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[c->slot];
    bool one_slot = run->n_slots == 1;
    int stale_pick = -1;

    oc->lifetime = HIST_NO_LIFETIME;
    if (c->hkind == STRESS_H_NEW) {
        oc->inst = c->pinst ? *c->pinst : 0;
        oc->lifetime = c->new_lifetime;
        return 0;
    }
    if (!one_slot && c->hkind != STRESS_H_CURRENT && c->hkind != STRESS_H_STALE) {
        oc->inst = stress__value(c->hkind); /* names no instance: nothing to admit */
        return 0;
    }
    pthread_mutex_lock(&s->mu);
    if (c->hkind == STRESS_H_STALE && s->n_stale > 0)
        stale_pick = (int)rng_below(&w->rng, s->n_stale);
    for (;;) {
        bool stale = false;
        uint32_t life = HIST_NO_LIFETIME;
        JET_INSTANCE inst;
        if (c->hkind == STRESS_H_CURRENT) {
            if (s->alive) {
                inst = s->handle;
                life = s->lifetime;
            } else if (s->n_stale > 0) {
                inst = s->stale[s->n_stale - 1];
                life = s->stale_lifetime[s->n_stale - 1];
                stale = true;
            } else {
                inst = STRESS__NEVER_HANDLE;
            }
        } else if (c->hkind == STRESS_H_STALE) {
            if (stale_pick >= 0) {
                inst = s->stale[stale_pick];
                life = s->stale_lifetime[stale_pick];
                stale = true;
            } else {
                inst = STRESS__NEVER_HANDLE;
            }
        } else {
            inst = stress__value(c->hkind);
        }
        if (one_slot && s->alive && s->oneinst) {
            /* R4: in OneInst mode every handle names the single instance. */
            life = s->lifetime;
            stale = false;
        } else if (c->hkind == STRESS_H_NONE || c->hkind == STRESS_H_ZERO || c->hkind == STRESS_H_NIL ||
                   c->hkind == STRESS_H_NEVER) {
            life = HIST_NO_LIFETIME;
        }
        if ((stale || life == HIST_NO_LIFETIME) && !one_slot) {
            /* Names no live instance: nothing to admit (stale handles are
             * exempt from R55; with several slots no handle is ignored). */
            pthread_mutex_unlock(&s->mu);
            oc->inst = inst;
            oc->lifetime = life;
            oc->stale = stale;
            return 0;
        }
        if (stress__ending(run)) {
            pthread_mutex_unlock(&s->mu);
            return STRESS__STOP;
        }
        if (stress__admissible(s, w->tid, stress__admission_op(c), life, stale)) {
            oc->inst = inst;
            oc->lifetime = life;
            oc->stale = stale;
            break;
        }
        if (c->nowait) {
            pthread_mutex_unlock(&s->mu);
            return STRESS__BUSY;
        }
        sched_wait(run->sched, w->stid, s, &s->mu, &s->cv, "admission");
    }
    s->inflight_op[w->tid] = stress__admission_op(c);
    s->inflight_mask |= 1u << w->tid;
    s->inflight_lifetime[w->tid] = oc->stale ? HIST_NO_LIFETIME - 1 : oc->lifetime;
    s->n_inflight++;
    tk->registered = true;
    if (!oc->stale && s->alive && oc->lifetime == s->lifetime && (unsigned)c->op < MODEL_OP__COUNT) {
        tk->tracked = true;
        stress__track_invoke(s, c->op, tk, oc);
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

/* Step 5. */
static void stress__release(struct stress_worker *w, const struct stress_call *c,
                            struct stress_ticket *tk, struct stress_outcome *oc)
{
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[c->slot];
    bool client = w->role == STRESS_CLIENT && c->slot == w->slot;
    if (!tk->registered && !client && !stress__is_term(c->op))
        return;
    pthread_mutex_lock(&s->mu);
    if (tk->registered) {
        s->inflight_op[w->tid] = STRESS__OP_NONE;
        s->inflight_mask &= ~(1u << w->tid);
        s->n_inflight--;
    }
    if (tk->tracked && s->alive && s->lifetime == oc->lifetime)
        stress__track_response(w, s, c, tk, oc);
    /* JetTerm that freed the instance ends its lifetime (§4.13 step 7). */
    if (stress__is_term(c->op) && tk->registered && !oc->stale && s->alive &&
        s->lifetime == oc->lifetime &&
        (oc->o.err == JET_errSuccess || oc->o.err == JET_errDirtyShutdown)) {
        s->alive = false;
        if (s->n_stale == STRESS__MAX_STALE) {
            memmove(&s->stale[0], &s->stale[1], sizeof s->stale[0] * (STRESS__MAX_STALE - 1));
            memmove(&s->stale_lifetime[0], &s->stale_lifetime[1],
                    sizeof s->stale_lifetime[0] * (STRESS__MAX_STALE - 1));
            s->n_stale--;
        }
        s->stale[s->n_stale] = s->handle;
        s->stale_lifetime[s->n_stale++] = s->lifetime;
    }
    if (client)
        s->client_calls++;
    sched_notify(run->sched, s, &s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- the wrapper ------------------------------------------------------------------ */

static void stress__event(struct stress_run *run, const struct stress_call *c,
                          const struct stress_outcome *oc, struct hist_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->lifetime = oc->lifetime;
    ev->handle_stale = oc->stale;
    ev->call.op = c->op;
    ev->call.inst = oc->inst;
    ev->call.grbit = c->grbit;
    ev->call.hf = c->hf;
    ev->call.flags = c->flags;
    ev->call.name = c->model_name;
    if (model_op_is_fixture(c->op))
        ev->call.arg = c->cb;
    else
        ev->call.cb_max = c->cb;
    if (c->op == MODEL_OP_INIT && c->pinst == NULL)
        ev->call.flags |= MODEL_CALL_PINST_NULL;
    (void)run;
}

static void stress__response(struct stress_worker *w, const struct stress_call *c,
                             const struct stress_outcome *oc, struct hist_event *ev)
{
    const struct target_call_out *o = &oc->o;
    ev->err = o->err;
    ev->fault = w->fault;
    if (o->err != JET_errSuccess)
        return;
    switch (c->op) {
    case MODEL_OP_CREATE_INSTANCE:
    case MODEL_OP_INIT:
        ev->outs |= MODEL_OUT_INST;
        break;
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
        ev->outs |= MODEL_OUT_HF;
        ev->hf = o->hf;
        ev->size = o->size;
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        if (!(c->flags & MODEL_CALL_PCB_NULL)) {
            ev->outs |= MODEL_OUT_CB;
            ev->cb_actual = o->actual;
        }
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

/* The call without the scheduler or admission: setup by the thread that owns
 * the world (before the workers start, or at a segment boundary). */
static int stress__raw_call(struct stress_run *run, uint32_t hist_tid, const struct stress_call *c,
                            struct stress_outcome *oc)
{
    struct target_call_args a = {0};
    struct hist_event ev;
    long hs = -1;
    int rv;
    memset(oc, 0, sizeof *oc);
    oc->inst = c->pinst ? *c->pinst : 0;
    oc->lifetime = c->new_lifetime;
    a.op = c->op;
    a.inst = oc->inst;
    a.cb = c->cb;
    a.name = c->name;
    a.pinst = c->pinst;
    stress__event(run, c, oc, &ev);
    if (run->hist)
        hs = hist_begin(run->hist, hist_tid, &ev);
    rv = target_call(run->ops, run->ctx, &a, &oc->o);
    if (rv != 0)
        oc->o.err = STRESS__ERR_SKIPPED;
    ev.err = oc->o.err;
    if (oc->o.err == JET_errSuccess && (c->op == MODEL_OP_CREATE_INSTANCE || c->op == MODEL_OP_INIT))
        ev.outs = MODEL_OUT_INST;
    if (run->hist)
        hist_end(run->hist, hist_tid, hs, &ev);
    return rv;
}

/* Count a call made. Controlled schedules count every call at once (the
 * budget and segment ends must fall on the same call in a replay); a free run
 * publishes its workers' counts in batches, so that the workers do not all
 * write one cache line per call (a free run stops a few calls late). */
#define STRESS__COUNT_BATCH 64u

static void stress__publish(struct stress_run *run, uint64_t n)
{
    uint64_t k = atomic_fetch_add_explicit(&run->calls, n, memory_order_relaxed) + n;
    if (k >= atomic_load_explicit(&run->seg_end, memory_order_relaxed) &&
        atomic_exchange(&run->seg_pending, 1) == 0)
        stress__wake_all(run);
}

static void stress__after_call(struct stress_worker *w)
{
    if (sched_controlled(w->run->sched)) {
        stress__publish(w->run, 1);
    } else if (++w->unpublished >= STRESS__COUNT_BATCH) {
        stress__publish(w->run, w->unpublished);
        w->unpublished = 0;
    }
}

static void stress__flush_count(struct stress_worker *w)
{
    if (w->unpublished) {
        stress__publish(w->run, w->unpublished);
        w->unpublished = 0;
    }
}

int stress__call(struct stress_worker *w, const struct stress_call *c, struct stress_outcome *oc)
{
    struct stress_run *run = w->run;
    struct stress_ticket tk = {0};
    struct target_call_args a = {0};
    struct hist_event ev;
    long hs = -1;
    int rv;

    memset(oc, 0, sizeof *oc);
    oc->o.err = STRESS__ERR_SKIPPED;
    if ((rv = stress__budget(w)) != 0)
        return rv;
    if (c->hkind != STRESS_H_NEW && (rv = stress__program(w)) != 0)
        return rv;
    if (!stress__has(run->ops, c->op))
        return STRESS__SKIP;
    sched_point(run->sched, w->stid, "api-entry");
    if (stress__ending(run))
        return STRESS__STOP;
    if ((rv = stress__admit(w, c, &tk, oc)) != 0) {
        oc->o.err = STRESS__ERR_SKIPPED;
        return rv;
    }

    a.op = c->op;
    a.inst = oc->inst;
    a.grbit = c->grbit;
    a.hf = c->hf;
    a.cb = c->cb;
    a.flags = c->flags;
    a.name = c->name;
    a.pinst = c->pinst;
    a.buf = c->buf;
    stress__event(run, c, oc, &ev);
    w->fault = MODEL_FAULT_NONE;
    w->fault_fired = false;
    w->cur_slot = (int32_t)c->slot;
    w->cur_lifetime = oc->stale ? HIST_NO_LIFETIME : oc->lifetime;
    sched_note_call(run->sched, w->stid, model_op_name(c->op), oc->lifetime);
    bool reading = run->aim_stops && (c->op == MODEL_OP_READ_FILE || c->op == MODEL_OP_READ_FILE_LEGACY);
    if (run->hist)
        hs = hist_begin(run->hist, w->tid, &ev);
    if (reading)
        atomic_fetch_add_explicit(&run->slots[c->slot].reading, 1, memory_order_release);
    rv = target_call(run->ops, run->ctx, &a, &oc->o);
    if (reading)
        atomic_fetch_sub_explicit(&run->slots[c->slot].reading, 1, memory_order_relaxed);
    if (rv != 0)
        oc->o.err = STRESS__ERR_SKIPPED; /* no buffer: never with our own buffers */
    stress__response(w, c, oc, &ev);
    if (run->hist)
        hist_end(run->hist, w->tid, hs, &ev);
    w->cur_slot = -1;
    w->last_lifetime = oc->lifetime;
    stress__after_call(w);
    stress__release(w, c, &tk, oc);
    sched_point(run->sched, w->stid, "api-exit");
    return 0;
}

/* ---- the engine's hooks ---------------------------------------------------------- */

/* JetTerm holds the terminating bit and is about to wait for in-flight gated
 * calls (R54). Under a controlled schedule those calls are paused at yield
 * points, so give up the turn until none is left on this lifetime. */
static void stress__term_drain(struct stress_worker *w)
{
    struct stress_run *run = w->run;
    struct stress_slot *s;
    if (w->cur_slot < 0 || w->cur_lifetime == HIST_NO_LIFETIME)
        return;
    s = &run->slots[w->cur_slot];
    pthread_mutex_lock(&s->mu);
    for (;;) {
        bool busy = false;
        for (uint32_t t = 0; t < STRESS_MAX_THREADS && !busy; t++)
            busy = t != w->tid && s->inflight_op[t] != STRESS__OP_NONE &&
                   s->inflight_lifetime[t] == w->cur_lifetime &&
                   (stress__is_gated(s->inflight_op[t]) || s->inflight_op[t] == STRESS__OP_BEGIN_INC);
        if (!busy)
            break;
        sched_wait(run->sched, w->stid, s, &s->mu, &s->cv, "JetTerm's drain");
    }
    pthread_mutex_unlock(&s->mu);
}

static void stress__yield_hook(void *ctx, const char *point)
{
    struct stress_worker *w = stress__self;
    if (!w || w->run != ctx)
        return;
    sched_point(w->run->sched, w->stid, point);
    if (strcmp(point, ENGINE_YIELD_TERM_WAIT) == 0)
        stress__term_drain(w);
}

static void stress__fault_observer(void *ctx, const char *point, uint64_t opportunity)
{
    struct stress_worker *w = stress__self;
    struct stress_run *run = ctx;
    bool modelled;
    enum model_fault f = faults_model_fault(point, &modelled);
    (void)opportunity;
    atomic_fetch_add(&run->faults_fired, 1);
    if (w && w->run == run) {
        w->fault_fired = true;
        if (f != MODEL_FAULT_NONE)
            w->fault = f;
    }
}

/* ---- world and lifetimes ---------------------------------------------------------- */

/*
 * A loaded library may announce its own internal yield points through the
 * optional export BackstopSetYieldHook(fn, ctx) (the concurrency mutants do,
 * engine/export.c); without it a library is scheduled at API boundaries
 * only. Set under a controlled schedule when a world opens, cleared when it
 * closes.
 */
static void stress__library_yield_hook(struct stress_run *run, bool on)
{
    void *lib = dlopen(run->cfg->target_name, RTLD_NOW | RTLD_LOCAL);
    void *sym = lib ? dlsym(lib, "BackstopSetYieldHook") : NULL;
    if (sym) {
        JET_ERR (*set)(engine_yield_fn fn, void *ctx);
        memcpy(&set, &sym, sizeof set); /* object to function pointer, as dlsym needs */
        set(on ? stress__yield_hook : NULL, on ? run : NULL);
    }
    if (lib)
        dlclose(lib);
}

static int stress__world_open(struct stress_run *run)
{
    struct target_config tc = {.profile = MODEL_PROFILE_ESE, .seed = run->cfg->seed};
    const struct jet_fixture *fx = run->ops->fixture;
    char msg[256];
    int rv = run->ops->open(run->ops, &tc, &run->ctx);
    if (rv != TARGET_OK) {
        fprintf(stderr, "backstop: stress: cannot open a %s world: %s\n", run->ops->name,
                target_strerror(rv));
        return STRESS_ETARGET;
    }
    run->engine = NULL;
    if (run->ops == &target_engine_ops || run->ops == &target_engine_dir_ops) {
        run->engine = run->ctx;
        run->engine_dir = run->ops == &target_engine_dir_ops;
        engine_set_fault_observer(run->engine, stress__fault_observer, run);
        if (sched_controlled(run->sched))
            engine_set_yield_hook(run->engine, stress__yield_hook, run);
        if (faults_arm(run->engine, &run->cfg->faults, msg, sizeof msg) != 0) {
            fprintf(stderr, "backstop: stress: --faults: %s\n", msg);
            return STRESS_EINVAL;
        }
    } else if (sched_controlled(run->sched)) {
        stress__library_yield_hook(run, true);
    }
    run->page_size = ENGINE_DEFAULT_PAGE_SIZE;
    run->log_size = ENGINE_DEFAULT_LOG_SIZE;
    uint32_t ps = run->cfg->page_size, ls = run->cfg->log_size ? run->cfg->log_size : STRESS__LOG_SIZE;
    if (ps && fx && fx->BackstopFixtureSetPageSize &&
        fx->BackstopFixtureSetPageSize(run->ctx, ps) == JET_errSuccess)
        run->page_size = ps;
    if (fx && fx->BackstopFixtureSetLogSize && fx->BackstopFixtureSetLogSize(run->ctx, ls) == JET_errSuccess)
        run->log_size = ls;
    return STRESS_OK;
}

static void stress__world_close(struct stress_run *run)
{
    if (run->ctx && !run->engine && sched_controlled(run->sched))
        stress__library_yield_hook(run, false);
    if (run->ctx)
        run->ops->close(run->ctx);
    run->ctx = NULL;
    run->engine = NULL;
}

static const char *const stress__inst_names[STRESS_MAX_INSTANCES] = {"stress0", "stress1", "stress2",
                                                                   "stress3", "stress4", "stress5",
                                                                   "stress6", "stress7"};
static const char *const stress__db_names[2] = {"db1", "db2"};

/* A harness failure during the run: stop it; stress_run returns `status`. */
static void stress__harness_fail(struct stress_run *run, int status)
{
    int expect = 0;
    atomic_compare_exchange_strong(&run->harness_status, &expect, status);
    stress__stop(run);
}

/* One setup call, through the wrapper (a worker) or directly (the owner). */
static int stress__setup_call(struct stress_run *run, struct stress_worker *w, struct stress_call *c,
                              struct stress_outcome *oc)
{
    struct stress_worker *self = stress__self;
    int rv;
    if (w)
        return stress__call(w, c, oc);
    stress__self = NULL; /* setup by the world's owner: no yield points */
    rv = stress__raw_call(run, run->n_workers, c, oc) == 0 ? 0 : STRESS__SKIP;
    stress__self = self;
    return rv;
}

int stress__new_lifetime(struct stress_run *run, struct stress_worker *w, uint32_t slot,
                         struct rng *rng)
{
    struct stress_slot *s = &run->slots[slot];
    uint32_t owner = w ? w->tid : run->n_workers;
    struct stress_call c = {.slot = slot, .hkind = STRESS_H_NEW};
    struct stress_outcome oc;
    JET_INSTANCE h = 0;
    uint32_t life;
    bool oneinst;
    int rv = 0;

    pthread_mutex_lock(&s->mu);
    /* No call may still be in flight on the slot: in OneInst mode any handle
     * would name the new instance (R4). The owner thread (w NULL) sets up a
     * world nobody else uses yet. */
    while (w && (s->lifecycle || s->n_inflight > 0) && !stress__ending(run))
        sched_wait(run->sched, w->stid, s, &s->mu, &s->cv, "the slot to drain");
    s->lifecycle = true;
    s->lifecycle_owner = owner;
    bool done = w && s->alive; /* another terminator of the slot was first */
    pthread_mutex_unlock(&s->mu);
    if (w && stress__ending(run)) {
        rv = STRESS__STOP;
        goto out;
    }
    if (done)
        goto out;

    life = (uint32_t)atomic_fetch_add(&run->next_lifetime, 1);
    oneinst = run->n_slots == 1 && stress__has(run->ops, MODEL_OP_STOP_BACKUP) && rng_below(rng, 2);
    c.new_lifetime = life;
    c.pinst = &h;
    if (!oneinst) {
        c.op = MODEL_OP_CREATE_INSTANCE;
        c.name = c.model_name = stress__inst_names[slot];
        if ((rv = stress__setup_call(run, w, &c, &oc)) != 0)
            goto out;
        if (oc.o.err != JET_errSuccess) {
            fprintf(stderr, "backstop: stress: JetCreateInstance failed: %d\n", (int)oc.o.err);
            rv = STRESS__SKIP;
            goto out;
        }
        c.name = c.model_name = NULL;
    }
    c.op = MODEL_OP_INIT;
    if ((rv = stress__setup_call(run, w, &c, &oc)) != 0)
        goto out;
    if (oc.o.err != JET_errSuccess) {
        fprintf(stderr, "backstop: stress: JetInit failed: %d\n", (int)oc.o.err);
        rv = STRESS__SKIP;
        goto out;
    }
    c.pinst = NULL;
    /* Fixture setup: the history carries it, so the checker's world matches. */
    {
        uint32_t n_db = 1 + rng_below(rng, 2), gen = 2 + rng_below(rng, 4);
        struct stress__fx { enum model_op op; const char *name; uint32_t arg; } fx[4];
        uint32_t n_fx = 0;
        for (uint32_t i = 0; i < n_db; i++)
            fx[n_fx++] = (struct stress__fx){MODEL_OP_FX_CREATE_DB, stress__db_names[i], 3 + rng_below(rng, 10)};
        fx[n_fx++] = (struct stress__fx){MODEL_OP_FX_ROLL_LOG, NULL, gen};
        fx[n_fx++] = (struct stress__fx){MODEL_OP_FX_SET_CHECKPOINT, NULL, 1 + rng_below(rng, gen)};
        for (uint32_t i = 0; i < n_fx; i++) {
            struct stress_call f = {.op = fx[i].op, .slot = slot, .hkind = STRESS_H_NEW,
                                    .new_lifetime = life, .name = fx[i].name,
                                    .model_name = fx[i].name, .cb = fx[i].arg};
            JET_INSTANCE hh = h;
            f.pinst = &hh; /* the handle to use (STRESS_H_NEW) */
            if (!stress__has(run->ops, f.op))
                continue;
            if ((rv = stress__setup_call(run, w, &f, &oc)) != 0)
                goto out;
            if (oc.o.err != JET_errSuccess) {
                fprintf(stderr, "backstop: stress: fixture %s failed: %d\n", model_op_name(f.op),
                        (int)oc.o.err);
                rv = STRESS__SKIP;
                goto out;
            }
        }
    }
    pthread_mutex_lock(&s->mu);
    s->handle = h;
    s->lifetime = life;
    s->alive = true;
    s->oneinst = oneinst;
    memset(&s->tr, 0, sizeof s->tr);
    pthread_mutex_unlock(&s->mu);
out:
    if (rv == STRESS__SKIP)
        stress__harness_fail(run, STRESS_ETARGET);
    pthread_mutex_lock(&s->mu);
    s->lifecycle = false;
    sched_notify(run->sched, s, &s->cv);
    pthread_mutex_unlock(&s->mu);
    return rv;
}

int stress__log_range(struct stress_worker *w, uint32_t slot, uint32_t lifetime, uint32_t *low,
                      uint32_t *high)
{
    struct stress_run *run = w->run;
    const struct jet_fixture *fx = run->ops->fixture;
    struct stress_call c = {.op = STRESS__OP_LOGRANGE, .slot = slot, .hkind = STRESS_H_CURRENT};
    struct stress_ticket tk = {0};
    struct stress_outcome oc = {0};
    JET_ERR e;
    int rv;
    if (!fx || !fx->BackstopFixtureLogRange)
        return 1;
    if (stress__ending(run))
        return STRESS__STOP;
    sched_point(run->sched, w->stid, "fixture-entry");
    if ((rv = stress__admit(w, &c, &tk, &oc)) != 0)
        return rv;
    /* Not a Jet call, not recorded: the one fixture query target_call lacks. */
    e = oc.stale || oc.lifetime != lifetime ? JET_errInvalidParameter
                                            : fx->BackstopFixtureLogRange(run->ctx, oc.inst, low, high);
    oc.o.err = e;
    stress__release(w, &c, &tk, &oc);
    sched_point(run->sched, w->stid, "fixture-exit");
    return e == JET_errSuccess ? 0 : 1;
}

/* ---- segments ------------------------------------------------------------------------ */

static void stress__slots_reset(struct stress_run *run)
{
    for (uint32_t i = 0; i < run->n_slots; i++) {
        struct stress_slot *s = &run->slots[i];
        pthread_mutex_lock(&s->mu);
        s->alive = s->oneinst = s->lifecycle = s->held = false;
        s->n_stale = 0;
        s->n_inflight = 0;
        s->inflight_mask = 0;
        for (uint32_t t = 0; t < STRESS_MAX_THREADS; t++)
            s->inflight_op[t] = STRESS__OP_NONE;
        memset(&s->tr, 0, sizeof s->tr);
        pthread_mutex_unlock(&s->mu);
    }
}

/* A fresh world with a first lifetime in every slot, and a fresh recorder. */
static int stress__world_start(struct stress_run *run)
{
    int rv = stress__world_open(run);
    if (rv != STRESS_OK)
        return rv;
    if (run->hist != NULL) {
        hist_reset(run->hist); /* keeps the pages the last segment touched */
    } else if (run->cfg->record) {
        uint64_t cap = run->segment_calls + 4096;
        if (hist_create(run->n_workers + 1, (size_t)cap, &run->hist) != HIST_OK) {
            fprintf(stderr, "backstop: stress: cannot allocate the history recorder\n");
            return STRESS_ENOMEM;
        }
    }
    stress__slots_reset(run);
    for (uint32_t i = 0; i < run->n_slots; i++)
        if (stress__new_lifetime(run, NULL, i, &run->rng) != 0)
            return STRESS_ETARGET;
    return STRESS_OK;
}

static void stress__world_stop(struct stress_run *run)
{
    stress__world_close(run);
}

/* The segment boundary, by the last worker to arrive (run.mu held). */
static void stress__boundary(struct stress_run *run)
{
    int rv;
    stress__in_boundary = true;
    sched_busy(run->sched, true);
    rv = stress__check(run, false);
    stress__world_stop(run);
    if (rv == STRESS_OK)
        rv = stress__world_start(run);
    if (rv != STRESS_OK)
        stress__harness_fail(run, rv);
    atomic_fetch_add(&run->seg_end, run->segment_calls);
    run->generation++;
    run->n_parked = 0;
    atomic_store(&run->seg_pending, 0);
    sched_busy(run->sched, false);
    sched_notify(run->sched, &run->mu, &run->cv);
    stress__in_boundary = false;
}

static int stress__barrier(struct stress_worker *w)
{
    struct stress_run *run = w->run;
    int rv;
    stress__flush_count(w);
    pthread_mutex_lock(&run->mu);
    if (!atomic_load(&run->stopping)) {
        if (++run->n_parked == run->n_active) {
            stress__boundary(run);
        } else {
            uint64_t gen = run->generation;
            while (run->generation == gen && !atomic_load(&run->stopping))
                sched_wait(run->sched, w->stid, &run->mu, &run->mu, &run->cv, "segment barrier");
        }
    }
    rv = atomic_load(&run->stopping) ? -1 : 0;
    pthread_mutex_unlock(&run->mu);
    return rv;
}

static void stress__leave(struct stress_worker *w)
{
    struct stress_run *run = w->run;
    stress__flush_count(w);
    if (w->role == STRESS_CLIENT) {
        struct stress_slot *s = &run->slots[w->slot];
        pthread_mutex_lock(&s->mu);
        s->client_active = false;
        sched_notify(run->sched, s, &s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_lock(&run->mu);
    run->n_active--;
    if (atomic_load(&run->seg_pending) && !atomic_load(&run->stopping) && run->n_active > 0 &&
        run->n_parked == run->n_active)
        stress__boundary(run);
    pthread_mutex_unlock(&run->mu);
}

static void *stress__worker_main(void *arg)
{
    struct stress_worker *w = arg;
    struct stress_run *run = w->run;
    stress__self = w;
    sched_start(run->sched, w->stid);
    for (;;) {
        if (atomic_load(&run->stopping) || w->program_done)
            break;
        if (atomic_load(&run->seg_pending)) {
            if (stress__barrier(w) != 0)
                break;
            stress__role_reset(w);
            continue;
        }
        (void)stress__role_step(w);
    }
    stress__leave(w);
    sched_finish(run->sched, w->stid);
    stress__self = NULL;
    return NULL;
}

/* ---- the run ------------------------------------------------------------------------- */

static void stress__on_deadlock(void *ctx, FILE *out)
{
    struct stress_run *run = ctx;
    char token[2048];
    /* One call more than were made: at the limit the run starts stopping, which
     * would let the replay escape the deadlock before it forms. */
    if (stress_token_encode(run->cfg, atomic_load(&run->calls) + 1, 0, token, sizeof token) == 0)
        fprintf(out, "seed: %" PRIu64 "\nreplay token: %s\n", run->cfg->seed, token);
}

static void stress__progress(struct stress_run *run, bool last)
{
    double t = stress__now() - run->t_start;
    uint64_t k = atomic_load(&run->calls);
    uint64_t v = atomic_load(&run->inv_violations) + atomic_load(&run->lin_violations);
    fprintf(run->out, "\rcalls %" PRIu64 ", violations %" PRIu64 ", %.0f calls/s   %s", k, v,
            t > 0 ? (double)k / t : 0.0, last ? "\n" : "");
    fflush(run->out);
}

int stress_run(const struct stress_config *cfg, struct stress_result *res)
{
    struct stress_run *run;
    struct sched_config sc = {0};
    pthread_t th[STRESS_MAX_THREADS];
    bool started[STRESS_MAX_THREADS] = {0};
    uint32_t n_active = 0;
    int status = STRESS_OK;
    bool tty;

    memset(res, 0, sizeof *res);
    res->first_violation_lifetime = HIST_NO_LIFETIME;
    if (cfg && cfg->history_out) {
        *cfg->history_out = NULL;
        *cfg->n_history_out = 0;
    }
    if (cfg && cfg->names_out)
        *cfg->names_out = NULL;
    if (!cfg || !cfg->target || cfg->n_instances < 1 || cfg->n_instances > STRESS_MAX_INSTANCES ||
        cfg->n_threads < cfg->n_instances || cfg->n_threads > STRESS_MAX_THREADS ||
        (cfg->ops == 0 && cfg->seconds <= 0))
        return STRESS_EINVAL;
    run = calloc(1, sizeof *run);
    if (!run)
        return STRESS_ENOMEM;
    run->cfg = cfg;
    run->res = res;
    run->out = cfg->out ? cfg->out : stdout;
    run->quiet = cfg->quiet;
    run->ops = cfg->target;
    run->n_workers = cfg->n_threads;
    run->n_slots = cfg->n_instances;
    pthread_mutex_init(&run->mu, NULL);
    pthread_cond_init(&run->cv, NULL);
    pthread_mutex_init(&run->names_mu, NULL);
    run->names = calloc(1, sizeof *run->names);
    if (!run->names) {
        free(run);
        return STRESS_ENOMEM;
    }
    atomic_init(&run->calls, 0);
    atomic_init(&run->limit, cfg->ops ? cfg->ops : UINT64_MAX);
    atomic_init(&run->stopping, 0);
    atomic_init(&run->seg_pending, 0);
    atomic_init(&run->next_lifetime, 1);
    rng_seed(&run->rng, cfg->seed);
    for (uint32_t i = 0; i < run->n_slots; i++) {
        struct stress_slot *s = &run->slots[i];
        pthread_mutex_init(&s->mu, NULL);
        pthread_cond_init(&s->cv, NULL);
        s->index = i;
        for (uint32_t t = 0; t < STRESS_MAX_THREADS; t++)
            s->inflight_op[t] = STRESS__OP_NONE;
        atomic_init(&s->reading, 0);
    }
    for (uint32_t i = 0; i < run->n_workers; i++) {
        struct stress_worker *w = &run->workers[i];
        w->run = run;
        w->tid = i;
        w->cur_slot = -1;
        stress_role_of(cfg->n_threads, cfg->n_instances, i, &w->role, &w->slot);
        rng_split(&run->rng, &w->rng); /* every worker's stream, kept or not */
        w->active = !cfg->program || (cfg->program->workers >> i & 1u);
        snprintf(w->label, sizeof w->label, "%s/%u", stress_role_name(w->role), (unsigned)w->slot);
        if (w->active) {
            w->stid = n_active++;
            w->buf = aligned_alloc(4096, STRESS__READ_MAX);
            w->list = aligned_alloc(4096, STRESS__LIST_MAX);
            w->names = malloc(STRESS__LIST_MAX);
            if (!w->buf || !w->list || !w->names) {
                status = STRESS_ENOMEM;
                goto out;
            }
            if (w->role == STRESS_CLIENT)
                run->slots[w->slot].client_active = true;
        }
    }
    if (n_active == 0) {
        status = STRESS_EINVAL;
        goto out;
    }
    for (uint32_t i = 0; i < run->n_workers; i++)
        run->aim_stops |= cfg->schedule == SCHED_FREE && cfg->record && run->workers[i].active &&
                          run->workers[i].role == STRESS_STOPPER;
    sc.kind = cfg->schedule;
    sc.pct_depth = cfg->pct_depth;
    sc.n_threads = n_active;
    sc.seed = cfg->seed;
    sc.watchdog_s = cfg->no_watchdog ? -1 : (cfg->schedule == SCHED_FREE ? 10 : 5);
    sc.on_deadlock = stress__on_deadlock;
    sc.deadlock_ctx = run;
    sc.report = run->out;
    if (sched_create(&sc, &run->sched) != SCHED_OK) {
        status = STRESS_EINVAL;
        goto out;
    }
    for (uint32_t i = 0; i < run->n_workers; i++)
        if (run->workers[i].active)
            sched_set_label(run->sched, run->workers[i].stid, run->workers[i].label);
    run->segment_calls = cfg->segment_calls ? cfg->segment_calls
                                            : STRESS__SEGMENT_EVENTS / (run->n_workers + 1);
    atomic_init(&run->seg_end, run->segment_calls);
    if ((status = stress__world_start(run)) != STRESS_OK)
        goto out;

    run->n_active = n_active;
    run->t_start = stress__now();
    run->deadline = cfg->ops == 0 ? run->t_start + cfg->seconds : 0;
    if (sched_watchdog_start(run->sched) != SCHED_OK) {
        status = STRESS_EHARNESS;
        goto out;
    }
    for (uint32_t i = 0; i < run->n_workers; i++) {
        if (!run->workers[i].active)
            continue;
        if (pthread_create(&th[i], NULL, stress__worker_main, &run->workers[i]) != 0) {
            fprintf(stderr, "backstop: stress: cannot create worker threads\n");
            /* The scheduler waits for every worker to start: it cannot go on. */
            fflush(NULL);
            _exit(2);
        }
        started[i] = true;
    }
    tty = !run->quiet && isatty(fileno(run->out));
    if (tty) {
        /* Progress on a terminal only: a timed wait on the run's condition
         * variable, which orders nothing. */
        pthread_mutex_lock(&run->mu);
        while (run->n_active > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 500 * 1000 * 1000;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&run->cv, &run->mu, &ts);
            pthread_mutex_unlock(&run->mu);
            stress__progress(run, false);
            pthread_mutex_lock(&run->mu);
        }
        pthread_mutex_unlock(&run->mu);
    }
    for (uint32_t i = 0; i < run->n_workers; i++)
        if (started[i])
            pthread_join(th[i], NULL);
    res->seconds = stress__now() - run->t_start;
    sched_watchdog_stop(run->sched);
    if (tty)
        stress__progress(run, true);
    if (stress__check(run, true) != STRESS_OK)
        status = STRESS_EHARNESS;
    if (atomic_load(&run->harness_status) != 0)
        status = atomic_load(&run->harness_status);

out:
    res->calls = atomic_load(&run->calls);
    res->stop_at = atomic_load(&run->limit);
    if (res->stop_at == UINT64_MAX)
        res->stop_at = res->calls; /* stopped by a harness error */
    res->inv_violations = atomic_load(&run->inv_violations);
    res->lin_violations = atomic_load(&run->lin_violations);
    res->violations = res->inv_violations + res->lin_violations;
    res->history_hash = run->cfg->record ? run->hash_chain : 0;
    res->lifetimes = atomic_load(&run->next_lifetime) - 1;
    res->faults_fired = atomic_load(&run->faults_fired);
    res->r50_samples = run->r50_samples;
    res->r50_waited = run->r50_waited;
    res->fingerprint_checks = atomic_load(&run->fingerprint_checks);
    res->fingerprints_skipped = run->ops != &target_engine_ops && run->ops != &target_engine_dir_ops;
    res->backups_completed = atomic_load(&run->backups_completed);
    res->backups_stopped = atomic_load(&run->backups_stopped);
    res->files_verified = atomic_load(&run->files_verified);
    stress__world_stop(run);
    hist_destroy(run->hist);
    free(run->seg_ptrs);
    sched_destroy(run->sched);
    for (uint32_t i = 0; i < run->n_workers; i++) {
        free(run->workers[i].buf);
        free(run->workers[i].list);
        free(run->workers[i].names);
    }
    for (uint32_t i = 0; i < run->n_slots; i++) {
        pthread_mutex_destroy(&run->slots[i].mu);
        pthread_cond_destroy(&run->slots[i].cv);
    }
    if (cfg->names_out)
        *cfg->names_out = run->names;
    else
        stress_names_free(run->names);
    pthread_mutex_destroy(&run->names_mu);
    pthread_cond_destroy(&run->cv);
    pthread_mutex_destroy(&run->mu);
    free(run);
    return status;
}
