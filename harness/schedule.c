/*
 * schedule.c: the scheduler of schedule.h: the strategies (random, PCT), the
 * handshake that lets exactly one controlled worker run between yield points,
 * condition waits that work in both modes, and the watchdog with its DEADLOCK
 * reporter.
 *
 * Handshake. `running` names the worker that holds the turn; it is written only
 * under `mu`, by the worker that gives the turn away (handoff). Every other
 * controlled worker sleeps on its own condition variable until `running` names
 * it. Handing the turn to oneself costs no context switch.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"
#include "schedule.h"

enum sched__state { SCHED__NEW = 0, SCHED__READY, SCHED__WAITING, SCHED__DONE };

/* One worker. The atomics are written by the worker itself and read by the
 * watchdog; `cv` and `key` are used under sched.mu. Padded to a cache line so
 * that free-mode bookkeeping does not bounce lines between workers. */
struct sched__thread {
    _Alignas(64) atomic_uint_fast64_t yields;
    _Atomic(const char *) point;   /* last yield point */
    _Atomic(const char *) call;    /* last call */
    atomic_uint where;             /* its lifetime or slot */
    atomic_int state;              /* enum sched__state */
    _Atomic(const char *) why;     /* what a waiting worker waits for */
    const char *label;             /* set before start */
    const void *key;               /* under mu: the key a waiting worker waits on */
    pthread_cond_t cv;             /* under mu: "running is you now" */
    int64_t prio;                  /* PCT priority, under mu */
};

/* ---- strategies (who runs next) -------------------------------------------- */

struct sched__strategy {
    const char *name;
    /* Start of a round of decisions (PCT: priorities and change points). */
    void (*round)(struct sched *s);
    /* The next worker among the READY ones, or SCHED_NONE; `self` is the worker
     * that reached the decision point (SCHED_NONE at the very first one). */
    uint32_t (*pick)(struct sched *s, uint32_t self);
};

struct sched {
    struct sched_config cfg;
    const struct sched__strategy *strategy;
    pthread_mutex_t mu;
    atomic_uint running;     /* written under mu; read racily by the reporter */
    uint32_t n_started;      /* under mu */
    struct rng rng;          /* under mu: every controlled decision */
    uint64_t in_round;       /* under mu: decisions in the current PCT round */
    uint64_t change[SCHED_MAX_DEPTH]; /* under mu: PCT change points of this round */
    atomic_uint_fast64_t decisions;
    struct sched__thread th[SCHED_MAX_THREADS];

    /* watchdog */
    pthread_t wd;
    bool wd_started;
    pthread_mutex_t wd_mu;
    pthread_cond_t wd_cv;
    bool wd_stop;            /* under wd_mu */
    atomic_int busy;
};

static void sched__deadlock(struct sched *s, const char *what);

static uint32_t sched__pick_random(struct sched *s, uint32_t self)
{
    uint32_t ready[SCHED_MAX_THREADS], n = 0;
    (void)self;
    for (uint32_t i = 0; i < s->cfg.n_threads; i++)
        if (atomic_load_explicit(&s->th[i].state, memory_order_relaxed) == SCHED__READY)
            ready[n++] = i;
    return n ? ready[rng_below(&s->rng, n)] : SCHED_NONE;
}

static void sched__round_none(struct sched *s) { (void)s; }

/* PCT: priorities d .. d+n-1 in random order; change point i (1..d-1) lowers
 * the priority of the worker that reaches it to d-i, below every initial one. */
static void sched__round_pct(struct sched *s)
{
    uint32_t n = s->cfg.n_threads, d = s->cfg.pct_depth;
    uint32_t perm[SCHED_MAX_THREADS];
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = rng_below(&s->rng, i), t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    for (uint32_t i = 0; i < n; i++)
        s->th[i].prio = (int64_t)d + perm[i];
    for (uint32_t i = 1; i < d; i++)
        s->change[i] = rng_below(&s->rng, SCHED_PCT_ROUND);
    s->in_round = 0;
}

static uint32_t sched__pick_pct(struct sched *s, uint32_t self)
{
    uint32_t best = SCHED_NONE;
    if (self != SCHED_NONE) {
        for (uint32_t i = 1; i < s->cfg.pct_depth; i++)
            if (s->change[i] == s->in_round)
                s->th[self].prio = (int64_t)s->cfg.pct_depth - i;
    }
    if (++s->in_round >= SCHED_PCT_ROUND)
        sched__round_pct(s);
    for (uint32_t i = 0; i < s->cfg.n_threads; i++) {
        if (atomic_load_explicit(&s->th[i].state, memory_order_relaxed) != SCHED__READY)
            continue;
        if (best == SCHED_NONE || s->th[i].prio > s->th[best].prio)
            best = i;
    }
    return best;
}

static const struct sched__strategy sched__random = {
    .name = "random", .round = sched__round_none, .pick = sched__pick_random};
static const struct sched__strategy sched__pct = {
    .name = "pct", .round = sched__round_pct, .pick = sched__pick_pct};

/* ---- configuration ------------------------------------------------------- */

const char *sched_strerror(int status)
{
    switch (status) {
    case SCHED_OK: return "success";
    case SCHED_EINVAL: return "invalid scheduler configuration";
    case SCHED_ENOMEM: return "out of memory";
    default: return "unknown scheduler status";
    }
}

int sched_parse(const char *text, struct sched_config *cfg, char *err, size_t cb_err)
{
    if (!text) {
        snprintf(err, cb_err, "missing schedule");
        return -1;
    }
    if (strcmp(text, "free") == 0) {
        cfg->kind = SCHED_FREE;
        cfg->pct_depth = 0;
        return 0;
    }
    if (strcmp(text, "random") == 0) {
        cfg->kind = SCHED_RANDOM;
        cfg->pct_depth = 0;
        return 0;
    }
    if (strncmp(text, "pct:", 4) == 0) {
        char *end;
        errno = 0;
        unsigned long d = strtoul(text + 4, &end, 10);
        if (errno || end == text + 4 || *end || d < 1 || d > SCHED_MAX_DEPTH - 1) {
            snprintf(err, cb_err, "pct:D needs a depth D in 1..%d, not '%s'", SCHED_MAX_DEPTH - 1,
                     text + 4);
            return -1;
        }
        cfg->kind = SCHED_PCT;
        cfg->pct_depth = (uint32_t)d;
        return 0;
    }
    snprintf(err, cb_err, "unknown schedule '%s' (free, random, pct:D)", text);
    return -1;
}

void sched_format(const struct sched_config *cfg, char *buf, size_t n)
{
    switch (cfg->kind) {
    case SCHED_FREE: snprintf(buf, n, "free"); break;
    case SCHED_RANDOM: snprintf(buf, n, "random"); break;
    case SCHED_PCT: snprintf(buf, n, "pct:%u", (unsigned)cfg->pct_depth); break;
    }
}

int sched_create(const struct sched_config *cfg, struct sched **out)
{
    struct sched *s;
    *out = NULL;
    if (!cfg || cfg->n_threads == 0 || cfg->n_threads > SCHED_MAX_THREADS)
        return SCHED_EINVAL;
    if (cfg->kind == SCHED_PCT && (cfg->pct_depth < 1 || cfg->pct_depth >= SCHED_MAX_DEPTH))
        return SCHED_EINVAL;
    s = aligned_alloc(64, (sizeof *s + 63) / 64 * 64);
    if (!s)
        return SCHED_ENOMEM;
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    if (s->cfg.watchdog_s == 0)
        s->cfg.watchdog_s = 10;
    s->strategy = cfg->kind == SCHED_PCT ? &sched__pct : &sched__random;
    atomic_init(&s->running, SCHED_NONE);
    rng_seed(&s->rng, cfg->seed ^ 0x5C4ED0A1E5ull);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->wd_mu, NULL);
    pthread_cond_init(&s->wd_cv, NULL);
    for (uint32_t i = 0; i < cfg->n_threads; i++) {
        atomic_init(&s->th[i].yields, 0);
        atomic_init(&s->th[i].point, "not started");
        atomic_init(&s->th[i].call, NULL);
        atomic_init(&s->th[i].where, 0);
        atomic_init(&s->th[i].state, SCHED__NEW);
        atomic_init(&s->th[i].why, NULL);
        pthread_cond_init(&s->th[i].cv, NULL);
    }
    atomic_init(&s->decisions, 0);
    atomic_init(&s->busy, 0);
    *out = s;
    return SCHED_OK;
}

void sched_destroy(struct sched *s)
{
    if (!s)
        return;
    sched_watchdog_stop(s);
    for (uint32_t i = 0; i < s->cfg.n_threads; i++)
        pthread_cond_destroy(&s->th[i].cv);
    pthread_cond_destroy(&s->wd_cv);
    pthread_mutex_destroy(&s->wd_mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

bool sched_controlled(const struct sched *s) { return s->cfg.kind != SCHED_FREE; }

void sched_set_label(struct sched *s, uint32_t tid, const char *label)
{
    if (tid < s->cfg.n_threads)
        s->th[tid].label = label;
}

uint64_t sched_decisions(const struct sched *s)
{
    uint64_t n = atomic_load_explicit(&s->decisions, memory_order_relaxed);
    if (s->cfg.kind == SCHED_FREE)
        for (uint32_t i = 0; i < s->cfg.n_threads; i++)
            n += atomic_load_explicit(&s->th[i].yields, memory_order_relaxed);
    return n;
}

/* ---- the handshake --------------------------------------------------------- */

/* Give the turn to the next worker. Caller holds mu; `self` just reached a
 * decision point (its state says whether it may be picked again). */
static void sched__handoff(struct sched *s, uint32_t self)
{
    uint32_t next = s->strategy->pick(s, self);
    atomic_fetch_add_explicit(&s->decisions, 1, memory_order_relaxed);
    if (next == SCHED_NONE) {
        for (uint32_t i = 0; i < s->cfg.n_threads; i++)
            if (atomic_load_explicit(&s->th[i].state, memory_order_relaxed) == SCHED__WAITING)
                sched__deadlock(s, "every unfinished worker is waiting for another");
        atomic_store_explicit(&s->running, SCHED_NONE, memory_order_relaxed);
        return;
    }
    atomic_store_explicit(&s->running, next, memory_order_relaxed);
    if (next != self)
        pthread_cond_signal(&s->th[next].cv);
}

static void sched__await_turn(struct sched *s, uint32_t self)
{
    while (atomic_load_explicit(&s->running, memory_order_relaxed) != self)
        pthread_cond_wait(&s->th[self].cv, &s->mu);
}

void sched_start(struct sched *s, uint32_t tid)
{
    atomic_store_explicit(&s->th[tid].point, "start", memory_order_relaxed);
    if (s->cfg.kind == SCHED_FREE) {
        atomic_store_explicit(&s->th[tid].state, SCHED__READY, memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&s->mu);
    atomic_store_explicit(&s->th[tid].state, SCHED__READY, memory_order_relaxed);
    /* The first decision waits for every worker, so that thread creation
     * timing cannot change the schedule. */
    if (++s->n_started == s->cfg.n_threads) {
        s->strategy->round(s);
        sched__handoff(s, SCHED_NONE);
    }
    sched__await_turn(s, tid);
    pthread_mutex_unlock(&s->mu);
}

void sched_point(struct sched *s, uint32_t tid, const char *point)
{
    struct sched__thread *t = &s->th[tid];
    atomic_store_explicit(&t->point, point, memory_order_relaxed);
    if (s->cfg.kind == SCHED_FREE) {
        atomic_store_explicit(&t->yields, atomic_load_explicit(&t->yields, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&s->mu);
    sched__handoff(s, tid);
    sched__await_turn(s, tid);
    pthread_mutex_unlock(&s->mu);
}

void sched_finish(struct sched *s, uint32_t tid)
{
    atomic_store_explicit(&s->th[tid].point, "finished", memory_order_relaxed);
    if (s->cfg.kind == SCHED_FREE) {
        atomic_store_explicit(&s->th[tid].state, SCHED__DONE, memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&s->mu);
    atomic_store_explicit(&s->th[tid].state, SCHED__DONE, memory_order_relaxed);
    sched__handoff(s, tid);
    pthread_mutex_unlock(&s->mu);
}

void sched_note_call(struct sched *s, uint32_t tid, const char *call, uint32_t where)
{
    atomic_store_explicit(&s->th[tid].call, call, memory_order_relaxed);
    atomic_store_explicit(&s->th[tid].where, where, memory_order_relaxed);
}

void sched_wait(struct sched *s, uint32_t tid, const void *key, pthread_mutex_t *mu,
                pthread_cond_t *cv, const char *why)
{
    struct sched__thread *t = &s->th[tid];
    atomic_store_explicit(&t->why, why, memory_order_relaxed);
    if (s->cfg.kind == SCHED_FREE) {
        atomic_store_explicit(&t->state, SCHED__WAITING, memory_order_relaxed);
        pthread_cond_wait(cv, mu);
        atomic_store_explicit(&t->state, SCHED__READY, memory_order_relaxed);
        atomic_store_explicit(&t->yields, atomic_load_explicit(&t->yields, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return;
    }
    /* Only this worker runs, so nobody can change the predicate between the
     * unlock and the handoff. */
    pthread_mutex_unlock(mu);
    pthread_mutex_lock(&s->mu);
    atomic_store_explicit(&t->state, SCHED__WAITING, memory_order_relaxed);
    t->key = key;
    sched__handoff(s, tid);
    sched__await_turn(s, tid);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(mu);
}

void sched_notify(struct sched *s, const void *key, pthread_cond_t *cv)
{
    if (s->cfg.kind == SCHED_FREE) {
        pthread_cond_broadcast(cv);
        return;
    }
    pthread_mutex_lock(&s->mu);
    for (uint32_t i = 0; i < s->cfg.n_threads; i++) {
        struct sched__thread *t = &s->th[i];
        if (atomic_load_explicit(&t->state, memory_order_relaxed) == SCHED__WAITING && t->key == key) {
            t->key = NULL;
            atomic_store_explicit(&t->state, SCHED__READY, memory_order_relaxed);
        }
    }
    pthread_mutex_unlock(&s->mu);
}

/* ---- watchdog and reporter ------------------------------------------------- */

void sched_report_positions(struct sched *s, FILE *out)
{
    static const char *const names[] = {"not started", "runnable", "waiting", "finished"};
    for (uint32_t i = 0; i < s->cfg.n_threads; i++) {
        struct sched__thread *t = &s->th[i];
        int st = atomic_load_explicit(&t->state, memory_order_relaxed);
        const char *call = atomic_load_explicit(&t->call, memory_order_relaxed);
        const char *why = atomic_load_explicit(&t->why, memory_order_relaxed);
        const char *state = st >= 0 && st <= SCHED__DONE ? names[st] : "?";
        /* In controlled modes the runnable worker that holds the turn is the
         * one that did not come back to a yield point. */
        if (s->cfg.kind != SCHED_FREE && st == SCHED__READY
            && atomic_load_explicit(&s->running, memory_order_relaxed) == i)
            state = "running (did not reach its next yield point)";
        fprintf(out, "  t%u %-12s %s%s%s; last call %s (L%u); last yield point %s\n", (unsigned)i,
                t->label ? t->label : "?", state, st == SCHED__WAITING && why ? " for " : "",
                st == SCHED__WAITING && why ? why : "", call ? call : "(none)",
                (unsigned)atomic_load_explicit(&t->where, memory_order_relaxed),
                atomic_load_explicit(&t->point, memory_order_relaxed));
    }
}

static void sched__deadlock(struct sched *s, const char *what)
{
    FILE *out = s->cfg.report ? s->cfg.report : stderr;
    char sch[32];
    sched_format(&s->cfg, sch, sizeof sch);
    fflush(stdout);
    fprintf(out, "DEADLOCK: %s (schedule %s, %llu decisions)\n", what, sch,
            (unsigned long long)sched_decisions(s));
    sched_report_positions(s, out);
    if (s->cfg.on_deadlock)
        s->cfg.on_deadlock(s->cfg.deadlock_ctx, out);
    fflush(NULL);
    _exit(1);
}

static double sched__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Ticks four times a second (a timed wait on the watchdog's own condition
 * variable, which sched_watchdog_stop signals); never orders workers. */
static void *sched__watchdog(void *arg)
{
    struct sched *s = arg;
    uint64_t last = sched_decisions(s);
    double since = sched__now();
    pthread_mutex_lock(&s->wd_mu);
    while (!s->wd_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->wd_cv, &s->wd_mu, &ts);
        if (s->wd_stop)
            break;
        uint64_t now_dec = sched_decisions(s);
        double now = sched__now();
        if (now_dec != last || atomic_load(&s->busy)) {
            last = now_dec;
            since = now;
            continue;
        }
        if (now - since > s->cfg.watchdog_s) {
            char what[128];
            snprintf(what, sizeof what, "no worker reached a yield point for %.1f s",
                     s->cfg.watchdog_s);
            pthread_mutex_unlock(&s->wd_mu);
            sched__deadlock(s, what);
        }
    }
    pthread_mutex_unlock(&s->wd_mu);
    return NULL;
}

int sched_watchdog_start(struct sched *s)
{
    if (s->cfg.watchdog_s < 0 || s->wd_started)
        return SCHED_OK;
    s->wd_stop = false;
    if (pthread_create(&s->wd, NULL, sched__watchdog, s) != 0)
        return SCHED_ENOMEM;
    s->wd_started = true;
    return SCHED_OK;
}

void sched_watchdog_stop(struct sched *s)
{
    if (!s->wd_started)
        return;
    pthread_mutex_lock(&s->wd_mu);
    s->wd_stop = true;
    pthread_cond_signal(&s->wd_cv);
    pthread_mutex_unlock(&s->wd_mu);
    pthread_join(s->wd, NULL);
    s->wd_started = false;
}

void sched_busy(struct sched *s, bool busy)
{
    atomic_store(&s->busy, busy ? 1 : 0);
}
