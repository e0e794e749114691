/*
 * fault.c: named fault points of the engine: the slow path that a point takes
 * while anything is armed or counted, and the public control API of engine.h
 * (arm, disarm, count, observe). State is per engine, under one mutex; the
 * only lock-free part is the `active` flag the points test.
 */
#include <string.h>

#include "engine_int.h"

#define ENGINE__FP_NAME(id, name) name,
static const char *const fault_names[] = {ENGINE_FAULT_POINTS(ENGINE__FP_NAME) NULL};
#undef ENGINE__FP_NAME

/* The breakpoint target. noinline and an empty asm keep the call in place. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
void engine_fault_hit(const char *point)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__ volatile("" : : "r"(point) : "memory");
#else
    (void)point;
#endif
}

const char *const *engine_fault_points(void)
{
    return fault_names;
}

int engine__fault_lookup(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < ENGINE_FP__COUNT; i++)
        if (strcmp(name, fault_names[i]) == 0)
            return i;
    return -1;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Caller holds f->mu. */
static void faults_update_active(struct engine_faults *f)
{
    int any = f->counting;
    for (int i = 0; i < ENGINE_FP__COUNT && !any; i++)
        any = f->pt[i].armed;
    atomic_store_explicit(&f->active, any, memory_order_relaxed);
}

int engine__faults_init(struct engine_faults *f, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    atomic_init(&f->active, 0);
    f->seed = seed;
    if (pthread_mutex_init(&f->mu, NULL) != 0)
        return ENGINE_ENOMEM;
    return ENGINE_OK;
}

void engine__faults_fini(struct engine_faults *f)
{
    pthread_mutex_destroy(&f->mu);
}

void engine__faults_reset(struct engine_faults *f)
{
    pthread_mutex_lock(&f->mu);
    memset(f->pt, 0, sizeof f->pt);
    f->counting = false;
    faults_update_active(f);
    pthread_mutex_unlock(&f->mu);
}

bool engine__fault_slow(struct engine_faults *f, enum engine_fp id)
{
    struct engine_fault_point *pt = &f->pt[id];
    bool fire = false;
    uint64_t opportunity;

    pthread_mutex_lock(&f->mu);
    opportunity = pt->opportunities++;
    if (pt->armed) {
        switch (pt->policy) {
        case ENGINE_FAULT_ONCE:
        case ENGINE_FAULT_NTH:
            if (pt->skip > 0) {
                pt->skip--;
            } else {
                fire = true;
                pt->armed = false;
                faults_update_active(f);
            }
            break;
        case ENGINE_FAULT_COUNTDOWN:
            if (pt->skip > 0)
                pt->skip--;
            else
                fire = true;
            break;
        case ENGINE_FAULT_PROBABILITY:
            /* 53 random bits -> [0, 1). */
            fire = (double)(splitmix64(&pt->rng) >> 11) * 0x1.0p-53 < pt->p;
            break;
        }
    }
    if (fire)
        pt->fired++;
    engine_fault_observer_fn observer = f->observer;
    void *observer_ctx = f->observer_ctx;
    pthread_mutex_unlock(&f->mu);

    if (fire) {
        engine_fault_hit(fault_names[id]);
        if (observer != NULL)
            observer(observer_ctx, fault_names[id], opportunity);
    }
    return fire;
}

int engine_fault_arm(struct engine *e, const char *point, enum engine_fault_policy policy,
                     uint32_t n, double p)
{
    int id = engine__fault_lookup(point);
    if (e == NULL)
        return ENGINE_EINVAL;
    if (id < 0)
        return ENGINE_ENOENT;
    if ((int)policy < ENGINE_FAULT_ONCE || policy > ENGINE_FAULT_PROBABILITY)
        return ENGINE_EINVAL;
    if (policy == ENGINE_FAULT_PROBABILITY && !(p >= 0.0 && p <= 1.0))
        return ENGINE_EINVAL;

    struct engine_faults *f = &e->faults;
    pthread_mutex_lock(&f->mu);
    struct engine_fault_point *pt = &f->pt[id];
    pt->armed = true;
    pt->policy = policy;
    pt->skip = policy == ENGINE_FAULT_ONCE ? 0 : n;
    pt->p = p;
    /* A distinct, reproducible stream per point. */
    pt->rng = f->seed ^ (0xD1B54A32D192ED03ull * (uint64_t)(id + 1));
    faults_update_active(f);
    pthread_mutex_unlock(&f->mu);
    return ENGINE_OK;
}

int engine_fault_disarm(struct engine *e, const char *point)
{
    if (e == NULL)
        return ENGINE_EINVAL;
    int id = -1;
    if (point != NULL && (id = engine__fault_lookup(point)) < 0)
        return ENGINE_ENOENT;
    struct engine_faults *f = &e->faults;
    pthread_mutex_lock(&f->mu);
    for (int i = 0; i < ENGINE_FP__COUNT; i++)
        if (id < 0 || i == id)
            f->pt[i].armed = false;
    faults_update_active(f);
    pthread_mutex_unlock(&f->mu);
    return ENGINE_OK;
}

void engine_fault_set_counting(struct engine *e, bool on)
{
    struct engine_faults *f = &e->faults;
    pthread_mutex_lock(&f->mu);
    f->counting = on;
    faults_update_active(f);
    pthread_mutex_unlock(&f->mu);
}

static uint64_t fault_counter(struct engine *e, const char *point, bool fired)
{
    int id = engine__fault_lookup(point);
    if (e == NULL || id < 0)
        return 0;
    pthread_mutex_lock(&e->faults.mu);
    uint64_t v = fired ? e->faults.pt[id].fired : e->faults.pt[id].opportunities;
    pthread_mutex_unlock(&e->faults.mu);
    return v;
}

uint64_t engine_fault_opportunities(struct engine *e, const char *point)
{
    return fault_counter(e, point, false);
}

uint64_t engine_fault_fired(struct engine *e, const char *point)
{
    return fault_counter(e, point, true);
}

void engine_fault_clear_counts(struct engine *e)
{
    pthread_mutex_lock(&e->faults.mu);
    for (int i = 0; i < ENGINE_FP__COUNT; i++)
        e->faults.pt[i].opportunities = e->faults.pt[i].fired = 0;
    pthread_mutex_unlock(&e->faults.mu);
}

void engine_set_fault_observer(struct engine *e, engine_fault_observer_fn fn, void *ctx)
{
    pthread_mutex_lock(&e->faults.mu);
    e->faults.observer = fn;
    e->faults.observer_ctx = ctx;
    pthread_mutex_unlock(&e->faults.mu);
}
