/*
 * bench_lincheck.c: `backstop bench lincheck` (bench.h), and the seeded
 * generator of linearisable-by-construction histories it checks
 * (lincheck__generate, lincheck_int.h).
 *
 * Figures: (a) 1 M events over 64 instances from 8 threads, goal <= 2 s;
 * (b) 10 k events on one instance from 8 threads, goal <= 1 s. Each figure is
 * the best of the checks that fit in --seconds (at least one). Generation is
 * not timed.
 *
 * Not for: checking real targets (stress.c records those).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "lincheck.h"
#include "lincheck_int.h"
#include "rng.h"

/* ---------------------------------------------------------------------------
 * The generator.
 * ------------------------------------------------------------------------- */

#define GEN_PAGE 4096u
#define GEN_READ_CB (16u * GEN_PAGE) /* page multiple, > 2 pages: valid for db and log */
#define GEN_MAX_GEN 65535u           /* log names prepared for generations 1..this */
#define GEN_NAME_BYTES 16u

enum gen_phase { GEN_IDLE = 0, GEN_INVOKED, GEN_LOCKED, GEN_DONE };

struct gen_life {
    uint32_t id;
    struct model_world *w;
    JET_INSTANCE h;
    bool locked;       /* JetTerm's lock window (R54) */
    bool freed;        /* JetTerm took effect */
    bool stale;        /* ... and returned: later calls carry handle_stale */
    uint32_t n_inflight;
    uint32_t db_next;  /* client: next database to copy */
    uint32_t log_next; /* client: next log generation to copy */
    bool need_end;     /* client: the backup failed or was stopped; End it */
    bool truncated;
};

struct gen_thread {
    enum gen_phase phase;
    size_t ev;               /* its event in flight */
    struct gen_life *life;   /* NULL: a no-lifetime call */
    uint32_t recreate;       /* 0, or the next step of re-creating slot `slot` */
    uint32_t slot;
    struct gen_life *fresh;  /* the lifetime being created */
};

struct gen {
    const struct lincheck__gen_config *cfg;
    struct rng rng;
    struct lincheck__gen *out;
    size_t cap;
    uint64_t clock;
    struct gen_life **lives;     /* every lifetime, by id */
    size_t n_lives, cap_lives;
    struct gen_life **slot;      /* current published lifetime of each slot, or NULL */
    struct gen_life **last;      /* last lifetime of each slot (for stale calls) */
    struct gen_thread *t;
    struct model_world *ref;     /* MultiInst reference world for no-lifetime calls */
    struct model_world *scratch;
    const char *db_names[2];
    const char *log_names;       /* GEN_MAX_GEN + 1 names of GEN_NAME_BYTES */
};

static const char *gen_log_name(const struct gen *g, uint32_t gen)
{
    if (gen > GEN_MAX_GEN)
        gen = GEN_MAX_GEN;
    return g->log_names + (size_t)gen * GEN_NAME_BYTES;
}

static bool gen_chance(struct gen *g, uint32_t per_mille)
{
    return rng_below(&g->rng, 1000) < per_mille;
}

static struct gen_life *gen_new_life(struct gen *g)
{
    if (g->n_lives == g->cap_lives) {
        size_t cap = g->cap_lives ? g->cap_lives * 2 : 64;
        struct gen_life **q = realloc(g->lives, cap * sizeof *q);
        if (q == NULL)
            return NULL;
        g->lives = q;
        g->cap_lives = cap;
    }
    struct gen_life *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->w = malloc(model_world_size());
    if (l->w == NULL) {
        free(l);
        return NULL;
    }
    model_world_init(l->w, &g->cfg->model);
    l->id = (uint32_t)g->n_lives;
    g->lives[g->n_lives++] = l;
    return l;
}

/* The setup of a lifetime, as calls (inst filled in by the caller). */
static struct model_call gen_setup_call(const struct gen *g, int k)
{
    switch (k) {
    case 0: return (struct model_call){.op = MODEL_OP_CREATE_INSTANCE};
    case 1: return (struct model_call){.op = MODEL_OP_INIT};
    case 2: return (struct model_call){.op = MODEL_OP_FX_CREATE_DB, .name = g->db_names[0], .arg = 64};
    case 3: return (struct model_call){.op = MODEL_OP_FX_CREATE_DB, .name = g->db_names[1], .arg = 16};
    default: return (struct model_call){.op = MODEL_OP_FX_ROLL_LOG, .arg = 3};
    }
}
#define GEN_N_SETUP 5

static void gen_apply_setup(struct gen_life *l, struct model_call c)
{
    struct model_result r;
    if (c.op != MODEL_OP_CREATE_INSTANCE)
        c.inst = l->h;
    model_step(l->w, &c, &r);
    if (r.outs & MODEL_OUT_INST)
        l->h = r.inst;
}

static bool gen_gated(enum model_op op)
{
    switch (op) {
    case MODEL_OP_BEGIN: case MODEL_OP_GET_ATTACH_INFO: case MODEL_OP_OPEN_FILE:
    case MODEL_OP_READ_FILE: case MODEL_OP_CLOSE_FILE: case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2: case MODEL_OP_GET_TRUNCATE_LOG_INFO: case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_END: case MODEL_OP_END2:
        return true;
    default:
        return false;
    }
}

/* The backup client's next call on lifetime l, from the model's view. */
static struct model_call gen_client_call(struct gen *g, struct gen_life *l)
{
    struct model_view v;
    model_view(l->w, l->h, &v);
    struct model_call c = {.op = MODEL_OP_STOP_BACKUP_INSTANCE};
    if (!v.found)
        return c;
    if (!v.in_progress_local) {
        if (!v.backup_allowed && g->cfg->terms) /* after a failed JetTerm (R31) */
            return (struct model_call){.op = MODEL_OP_TERM};
        if (v.checkpoint < v.log_current && gen_chance(g, 500))
            return (struct model_call){.op = MODEL_OP_FX_SET_CHECKPOINT, .arg = v.log_current};
        c.op = MODEL_OP_BEGIN;
        c.grbit = gen_chance(g, 200) ? JET_bitBackupIncremental : 0;
        return c;
    }
    if (l->need_end || gen_chance(g, 10)) {
        c.op = gen_chance(g, 700) ? MODEL_OP_END : MODEL_OP_END2;
        c.grbit = gen_chance(g, 800) ? JET_bitBackupEndNormal : JET_bitBackupEndAbort;
        return c;
    }
    if (gen_chance(g, 15)) { /* out of sequence */
        static const enum model_op odd[] = {MODEL_OP_GET_ATTACH_INFO, MODEL_OP_CLOSE_FILE,
                                            MODEL_OP_TRUNCATE_LOG, MODEL_OP_GET_TRUNCATE_LOG_INFO};
        c.op = odd[rng_below(&g->rng, 4)];
        c.cb_max = 4096;
        c.hf = 0;
        return c;
    }
    if (v.slot_in_use) {
        if (v.slot_ib < v.slot_cb) {
            c.op = MODEL_OP_READ_FILE;
            c.hf = 0;
            c.cb_max = GEN_READ_CB;
        } else {
            c.op = MODEL_OP_CLOSE_FILE;
            c.hf = 0;
        }
        return c;
    }
    if (v.phase == MODEL_PHASE_DATABASES) {
        if (l->db_next == 0 && gen_chance(g, 300)) {
            c.op = MODEL_OP_GET_ATTACH_INFO;
            c.cb_max = 4096;
            return c;
        }
        if (l->db_next < 2) {
            c.op = MODEL_OP_OPEN_FILE;
            c.name = g->db_names[l->db_next];
            return c;
        }
        c.op = gen_chance(g, 500) ? MODEL_OP_GET_LOG_INFO2 : MODEL_OP_GET_LOG_INFO;
        c.cb_max = 4096;
        return c;
    }
    /* Logs (or an incremental backup, which starts there). */
    if (v.copy_mac == 0) {
        c.op = MODEL_OP_GET_LOG_INFO;
        c.cb_max = 4096;
        return c;
    }
    if (l->log_next < v.copy_mic)
        l->log_next = v.copy_mic;
    if (l->log_next < v.copy_mac) {
        c.op = MODEL_OP_OPEN_FILE;
        c.name = gen_log_name(g, l->log_next);
        return c;
    }
    if (!l->truncated) {
        c.op = MODEL_OP_TRUNCATE_LOG;
        return c;
    }
    c.op = MODEL_OP_END;
    return c;
}

/* After the client's call took effect: move the client's cursors on. */
static void gen_client_saw(struct gen_life *l, const struct model_call *c, const struct model_result *r)
{
    switch (c->op) {
    case MODEL_OP_BEGIN:
        if (r->err == JET_errSuccess) {
            l->db_next = 0;
            l->log_next = 0;
            l->need_end = false;
            l->truncated = false;
        }
        break;
    case MODEL_OP_END:
    case MODEL_OP_END2:
        if (r->err == JET_errSuccess || r->err == JET_errNoBackup)
            l->need_end = false;
        break;
    case MODEL_OP_OPEN_FILE:
        if (r->err == JET_errSuccess) {
            if (l->log_next == 0 && l->db_next < 2)
                l->db_next++;
            else
                l->log_next++;
        }
        break;
    case MODEL_OP_TRUNCATE_LOG:
        l->truncated = true;
        break;
    default:
        break;
    }
    if (r->err != JET_errSuccess && c->op != MODEL_OP_BEGIN && c->op != MODEL_OP_END &&
        c->op != MODEL_OP_END2 && c->op != MODEL_OP_STOP_BACKUP_INSTANCE &&
        !model_op_is_fixture(c->op))
        l->need_end = true;
}

static bool gen_overlap_ok(const struct gen *g, const struct gen_life *l, enum model_op op)
{
    if (l->n_inflight == 0)
        return true;
    for (uint32_t k = 0; k < g->cfg->n_threads; k++) {
        const struct gen_thread *t = &g->t[k];
        if (t->phase != GEN_IDLE && t->life == l &&
            !model_overlap_defined(g->out->ev[t->ev].call.op, op))
            return false;
    }
    return true;
}

/* Start a call on thread k: an event with its invocation stamp. */
static void gen_invoke(struct gen *g, uint32_t k, struct gen_life *l, struct model_call c, bool stale)
{
    struct gen_thread *t = &g->t[k];
    struct hist_event *e = &g->out->ev[g->out->n];
    memset(e, 0, sizeof *e);
    if (g->cfg->faults && gen_chance(g, 8)) {
        if (c.op == MODEL_OP_READ_FILE)
            c.fault = gen_chance(g, 500) ? MODEL_FAULT_READ_IO : MODEL_FAULT_READ_VERIFY;
        else if (c.op == MODEL_OP_GET_LOG_INFO || c.op == MODEL_OP_GET_LOG_INFO2)
            c.fault = gen_chance(g, 500) ? MODEL_FAULT_LOG_ROLL : MODEL_FAULT_NOMEM;
        else if (c.op == MODEL_OP_GET_ATTACH_INFO)
            c.fault = MODEL_FAULT_NOMEM;
    }
    if (l != NULL && c.op != MODEL_OP_CREATE_INSTANCE && c.inst == 0)
        c.inst = l->h; /* what a driver passes; the checker substitutes its own */
    e->call = c;
    e->thread = k;
    e->lifetime = l ? l->id : HIST_NO_LIFETIME;
    e->handle_stale = stale;
    e->inv = g->clock++;
    e->ret = HIST_PENDING;
    t->ev = g->out->n++;
    t->life = l;
    t->phase = GEN_INVOKED;
    if (l != NULL)
        l->n_inflight++;
}

/* The call of thread k takes effect (or, for JetTerm, takes its lock). */
static void gen_linearise(struct gen *g, uint32_t k)
{
    struct gen_thread *t = &g->t[k];
    struct hist_event *e = &g->out->ev[t->ev];
    struct gen_life *l = t->life;
    struct model_result r;
    struct model_call c = e->call;
    if (l == NULL) {
        /* No lifetime: the MultiInst reference world answers, unchanged. */
        model_world_copy(g->scratch, g->ref);
        model_step(g->scratch, &c, &r);
    } else {
        if (c.op != MODEL_OP_CREATE_INSTANCE &&
            !(c.op == MODEL_OP_INIT && (c.inst == 0 || c.inst == JET_instanceNil)))
            c.inst = l->h;
        bool term = c.op == MODEL_OP_TERM || c.op == MODEL_OP_TERM2;
        if (term && t->phase == GEN_INVOKED) {
            struct model_view v;
            model_view(l->w, l->h, &v);
            if (!l->locked && v.found && v.life == MODEL_LIFE_RUNNING &&
                v.forced_state != BACKSTOP_STATE_TERMINATING &&
                v.forced_state != BACKSTOP_STATE_RESTORING &&
                v.forced_state != BACKSTOP_STATE_INITIALISING)
                l->locked = true;
            t->phase = GEN_LOCKED;
            return;
        }
        if (term) {
            l->locked = false;
            model_step(l->w, &c, &r);
            struct model_view v;
            model_view(l->w, l->h, &v);
            l->freed = !v.found;
        } else if (l->locked && gen_gated(c.op)) {
            struct model_call fc = {.op = MODEL_OP_FX_FORCE_STATE, .inst = l->h,
                                    .arg = BACKSTOP_STATE_TERMINATING};
            model_world_copy(g->scratch, l->w);
            model_step(g->scratch, &fc, &r);
            model_step(g->scratch, &c, &r);
        } else {
            model_step(l->w, &c, &r);
            if (c.op == MODEL_OP_CREATE_INSTANCE || c.op == MODEL_OP_INIT)
                if (r.outs & MODEL_OUT_INST)
                    l->h = r.inst;
            gen_client_saw(l, &c, &r);
        }
    }
    e->err = r.err;
    e->outs = r.outs & ~(uint32_t)(MODEL_OUT_INST | MODEL_OUT_LIST);
    e->hf = r.hf;
    e->size = r.size;
    e->cb_actual = r.cb_actual;
    e->gen_low = r.gen_low;
    e->gen_high = r.gen_high;
    e->fault = r.fault_used ? c.fault : MODEL_FAULT_NONE;
    if (!r.fault_used)
        e->call.fault = MODEL_FAULT_NONE;
    t->phase = GEN_DONE;
}

static void gen_return(struct gen *g, uint32_t k)
{
    struct gen_thread *t = &g->t[k];
    struct hist_event *e = &g->out->ev[t->ev];
    struct gen_life *l = t->life;
    e->ret = g->clock++;
    t->phase = GEN_IDLE;
    if (l == NULL)
        return;
    l->n_inflight--;
    bool term = e->call.op == MODEL_OP_TERM || e->call.op == MODEL_OP_TERM2;
    if (term && l->freed && !l->stale) {
        l->stale = true;
        /* Re-create the slot's instance: this thread records the setup. */
        for (uint32_t s = 0; s < g->cfg->n_instances; s++) {
            if (g->slot[s] == l) {
                g->slot[s] = NULL;
                t->recreate = 1;
                t->slot = s;
                t->fresh = NULL;
            }
        }
    }
    if (t->recreate > 0 && l == t->fresh) {
        if (t->recreate > GEN_N_SETUP) {
            g->slot[t->slot] = l;
            g->last[t->slot] = l;
            t->recreate = 0;
            t->fresh = NULL;
        }
    }
}

/* Thread k is idle: choose and start its next call, or stay idle. */
static int gen_start(struct gen *g, uint32_t k)
{
    struct gen_thread *t = &g->t[k];
    if (t->recreate > 0) {
        if (t->fresh == NULL) {
            t->fresh = gen_new_life(g);
            if (t->fresh == NULL)
                return -1;
        }
        struct model_call c = gen_setup_call(g, (int)t->recreate - 1);
        if (c.op != MODEL_OP_CREATE_INSTANCE)
            c.inst = t->fresh->h; /* as a driver passes the handle it got */
        t->recreate++;
        gen_invoke(g, k, t->fresh, c, false);
        return 0;
    }
    uint32_t s = rng_below(&g->rng, g->cfg->n_instances);
    struct gen_life *l = g->slot[s];
    uint32_t dice = rng_below(&g->rng, 10000);
    if (dice < 100) {
        /* Invalid handles: none of these may change anything (R3, R9, R11). */
        static const enum model_op ops[] = {MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_BEGIN,
                                            MODEL_OP_READ_FILE, MODEL_OP_END, MODEL_OP_TERM,
                                            MODEL_OP_STOP_BACKUP, MODEL_OP_BEGIN_LEGACY,
                                            MODEL_OP_INIT};
        static const JET_INSTANCE handles[] = {0, JET_instanceNil, (JET_INSTANCE)0xBAD5EEDFFu};
        struct model_call c = {.op = ops[rng_below(&g->rng, 8)],
                               .inst = handles[rng_below(&g->rng, 3)], .cb_max = GEN_READ_CB};
        if (c.op == MODEL_OP_INIT)
            c.inst = JET_instanceNil;
        gen_invoke(g, k, NULL, c, false);
        return 0;
    }
    if (l == NULL && gen_chance(g, 800))
        return 0; /* the slot is being re-created: mostly wait */
    if (l == NULL || (dice < 200 && g->last[s] != NULL && g->last[s]->stale)) {
        /* A stale-handle caller. */
        struct gen_life *old = g->last[s];
        if (l == NULL) {
            for (size_t i = g->n_lives; i-- > 0;) {
                if (g->lives[i]->stale) {
                    old = g->lives[i];
                    break;
                }
            }
        }
        if (old == NULL || !old->stale)
            return 0;
        struct model_call c = {.op = gen_chance(g, 500) ? MODEL_OP_STOP_BACKUP_INSTANCE
                                                        : MODEL_OP_GET_ATTACH_INFO,
                               .cb_max = 4096};
        gen_invoke(g, k, old, c, true);
        return 0;
    }
    struct model_call c;
    if (g->cfg->terms && dice >= 200 && dice < 205) {
        static const JET_GRBIT grbits[] = {0, 0x1, 0x2, 0x4, 0x8};
        c = (struct model_call){.op = gen_chance(g, 500) ? MODEL_OP_TERM : MODEL_OP_TERM2,
                                .grbit = grbits[rng_below(&g->rng, 5)]};
    } else if (dice >= 200 && dice < 500) {
        c = (struct model_call){.op = MODEL_OP_STOP_BACKUP_INSTANCE};
    } else if (dice >= 200 && dice < 650) {
        c = (struct model_call){.op = MODEL_OP_BEGIN};
    } else {
        c = gen_client_call(g, l);
    }
    if (!gen_overlap_ok(g, l, c.op))
        return 0; /* R55: it would overlap a call it may not; wait */
    gen_invoke(g, k, l, c, false);
    return 0;
}

void lincheck__generate_free(struct lincheck__gen *g)
{
    if (g == NULL)
        return;
    free(g->ev);
    free(g->setups);
    free(g->setup_calls);
    free(g->names);
    memset(g, 0, sizeof *g);
}

int lincheck__generate(const struct lincheck__gen_config *cfg, struct lincheck__gen *out)
{
    memset(out, 0, sizeof *out);
    if (cfg->n_threads == 0 || cfg->n_instances == 0 || cfg->n_events == 0)
        return LINCHECK_EINVAL;
    struct gen g = {.cfg = cfg, .out = out, .cap = cfg->n_events + 8, .clock = 1};
    int rc = LINCHECK_ENOMEM;
    rng_seed(&g.rng, cfg->seed);
    out->ev = malloc(sizeof *out->ev * g.cap);
    out->names = malloc((size_t)(GEN_MAX_GEN + 1) * GEN_NAME_BYTES + 16);
    out->setup_calls = malloc(sizeof *out->setup_calls * GEN_N_SETUP);
    out->setups = malloc(sizeof *out->setups * cfg->n_instances);
    g.slot = calloc(cfg->n_instances, sizeof *g.slot);
    g.last = calloc(cfg->n_instances, sizeof *g.last);
    g.t = calloc(cfg->n_threads, sizeof *g.t);
    g.ref = malloc(model_world_size());
    g.scratch = malloc(model_world_size());
    if (!out->ev || !out->names || !out->setup_calls || !out->setups || !g.slot || !g.last || !g.t ||
        !g.ref || !g.scratch)
        goto done;
    for (uint32_t gen = 0; gen <= GEN_MAX_GEN; gen++)
        snprintf(out->names + (size_t)gen * GEN_NAME_BYTES, GEN_NAME_BYTES, "edb%08" PRIX32 ".log", gen);
    char *db = out->names + (size_t)(GEN_MAX_GEN + 1) * GEN_NAME_BYTES;
    memcpy(db, "db1\0db2", 8);
    g.db_names[0] = db;
    g.db_names[1] = db + 4;
    g.log_names = out->names;

    /* The reference world of no-lifetime calls. */
    struct model_result r;
    model_world_init(g.ref, &cfg->model);
    struct model_call c = {.op = MODEL_OP_CREATE_INSTANCE};
    model_step(g.ref, &c, &r);
    c = (struct model_call){.op = MODEL_OP_INIT, .inst = r.inst};
    model_step(g.ref, &c, &r);

    /* The first lifetimes, set up outside the history. */
    for (int k = 0; k < GEN_N_SETUP; k++)
        out->setup_calls[k] = gen_setup_call(&g, k);
    for (uint32_t s = 0; s < cfg->n_instances; s++) {
        struct gen_life *l = gen_new_life(&g);
        if (l == NULL)
            goto done;
        for (int k = 0; k < GEN_N_SETUP; k++)
            gen_apply_setup(l, out->setup_calls[k]);
        g.slot[s] = g.last[s] = l;
        out->setups[s] = (struct lincheck_lifetime_setup){
            .lifetime = l->id, .calls = out->setup_calls, .n_calls = GEN_N_SETUP};
    }
    out->n_setups = cfg->n_instances;

    /* The scheduler: a random thread advances by one point per tick. */
    for (;;) {
        bool starting = out->n < cfg->n_events;
        bool busy = false;
        for (uint32_t k = 0; k < cfg->n_threads && !busy; k++)
            busy = g.t[k].phase != GEN_IDLE;
        if (!starting && (!busy || cfg->pending))
            break;
        uint32_t k = rng_below(&g.rng, cfg->n_threads);
        struct gen_thread *t = &g.t[k];
        switch (t->phase) {
        case GEN_IDLE:
            if (starting && gen_start(&g, k) != 0)
                goto done;
            break;
        case GEN_INVOKED:
        case GEN_LOCKED:
            gen_linearise(&g, k);
            break;
        case GEN_DONE:
            gen_return(&g, k);
            break;
        }
    }
    out->n_lifetimes = g.n_lives;
    rc = 0;
done:
    for (size_t i = 0; i < g.n_lives; i++) {
        free(g.lives[i]->w);
        free(g.lives[i]);
    }
    free(g.lives);
    free(g.slot);
    free(g.last);
    free(g.t);
    free(g.ref);
    free(g.scratch);
    if (rc != 0)
        lincheck__generate_free(out);
    return rc;
}

/* ---------------------------------------------------------------------------
 * The bench.
 * ------------------------------------------------------------------------- */

static double bl_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bl_figure(const struct bench_config *cfg, FILE *out, const char *tag, size_t n_events,
                     uint32_t n_instances, bool terms, double goal)
{
    struct lincheck__gen_config gc = {.seed = cfg->seed, .n_threads = 8, .n_instances = n_instances,
                                      .n_events = n_events, .terms = terms, .faults = true,
                                      .pending = true};
    struct lincheck__gen g;
    int rc = lincheck__generate(&gc, &g);
    if (rc != 0) {
        fprintf(out, "bench lincheck %s: could not generate the history: %s\n", tag,
                lincheck_strerror(rc));
        return -1;
    }
    struct lincheck_config lc = {.setups = g.setups, .n_setups = g.n_setups};
    double best = 0, best_cpu = 0, total = 0;
    int runs = 0;
    struct lincheck_result res;
    do {
        double t0 = bl_clock(CLOCK_MONOTONIC), c0 = bl_clock(CLOCK_PROCESS_CPUTIME_ID);
        rc = lincheck_check(g.ev, g.n, &lc, &res);
        double dt = bl_clock(CLOCK_MONOTONIC) - t0, dc = bl_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
        total += dt;
        if (runs == 0 || dt < best) {
            best = dt;
            best_cpu = dc;
        }
        runs++;
        if (rc != 0 || res.verdict != LINCHECK_LINEARIZABLE) {
            fprintf(out, "bench lincheck %s: seed %" PRIu64 ": expected linearizable, got %s: %s\n",
                    tag, cfg->seed, rc ? lincheck_strerror(rc) : lincheck_verdict_name(res.verdict),
                    res.message);
            if (res.cex != NULL)
                lincheck_cex_print_timeline(res.cex, out);
            lincheck_result_free(&res);
            lincheck__generate_free(&g);
            return -1;
        }
        if (total < cfg->seconds)
            lincheck_result_free(&res);
    } while (total < cfg->seconds);
    fprintf(out,
            "lincheck %s: %zu events, %" PRIu32 " instance%s (%zu lifetimes), 8 threads, seed %" PRIu64
            ": linearizable in %.3f s (cpu %.3f s), best of %d (%.2f M events/s, %" PRIu64
            " model steps); goal <= %.0f s: %s\n",
            tag, g.n, n_instances, n_instances == 1 ? "" : "s", g.n_lifetimes, cfg->seed, best,
            best_cpu, runs, (double)g.n / best / 1e6, res.steps, goal,
            best <= goal ? "met" : "MISSED");
    lincheck_result_free(&res);
    lincheck__generate_free(&g);
    return 0;
}

int bench_lincheck(const struct bench_config *cfg, FILE *out)
{
    /* (a) with terminators (instances re-created: many lifetimes); (b) without,
     * so that all 10 k events are one lifetime, the hardest single search. */
    int rc = bl_figure(cfg, out, "(a)", 1000000, 64, true, 2.0);
    if (rc == 0)
        rc = bl_figure(cfg, out, "(b)", 10000, 1, false, 1.0);
    return rc;
}
