/*
 * fault.h: the engine's named fault points, the side that lives in the code
 * under test. The control side (arming, counting, observing) is public, in
 * engine.h. A point is written
 *
 *     if (ENGINE_FAULT(e, READ_EIO))
 *         return JET_errDiskIO;
 *
 * and costs one relaxed atomic load while the engine has nothing armed and is
 * not counting. The slow path (engine__fault_slow) counts the opportunity,
 * applies the point's policy under the fault lock, and for a fired fault calls
 * engine_fault_hit() and the observer with the lock released.
 *
 * Not for: the harness's scenario faults, which go through the fixture
 * (BackstopFixtureArmFault -> engine_fault_arm with policy NTH).
 */
#ifndef BACKSTOP_ENGINE_FAULT_H
#define BACKSTOP_ENGINE_FAULT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

/* Every point, once: X(ID, "name"). The order is the order of
 * engine_fault_points(). */
#define ENGINE_FAULT_POINTS(X)            \
    X(READ_EIO, "read.eio")               \
    X(READ_SHORT, "read.short")           \
    X(READ_VERIFY, "read.verify")         \
    X(ALLOC_ENOMEM, "alloc.enomem")       \
    X(LOGROLL_ENOSPC, "logroll.enospc")   \
    X(OPEN_EIO, "open.eio")               \
    X(WRITE_EIO, "write.eio")

#define ENGINE__FP_ENUM(id, name) ENGINE_FP_##id,
enum engine_fp { ENGINE_FAULT_POINTS(ENGINE__FP_ENUM) ENGINE_FP__COUNT };
#undef ENGINE__FP_ENUM

struct engine_fault_point {
    bool armed;
    enum engine_fault_policy policy;
    uint32_t skip;        /* opportunities still to let pass (NTH, COUNTDOWN) */
    double p;             /* PROBABILITY */
    uint64_t rng;         /* PROBABILITY: splitmix64 state */
    uint64_t opportunities;
    uint64_t fired;
};

/* Per-engine fault state. `active` is read lock-free by every point; everything
 * else is under `mu`. Writers: the control functions (any thread) and the slow
 * path (the calling thread). */
struct engine_faults {
    atomic_int active; /* nonzero while a point is armed or counting is on */
    pthread_mutex_t mu;
    bool counting;
    uint64_t seed;
    struct engine_fault_point pt[ENGINE_FP__COUNT];
    engine_fault_observer_fn observer; /* set before calls start */
    void *observer_ctx;
};

#if defined(__GNUC__) || defined(__clang__)
#define ENGINE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ENGINE_UNLIKELY(x) (x)
#endif

/* A fault point in engine code; e is a struct engine *. True means "fail here". */
#define ENGINE_FAULT(e, ID)                                                          \
    (ENGINE_UNLIKELY(atomic_load_explicit(&(e)->faults.active, memory_order_relaxed)) \
     && engine__fault_slow(&(e)->faults, ENGINE_FP_##ID))

int engine__faults_init(struct engine_faults *f, uint64_t seed);
void engine__faults_fini(struct engine_faults *f);
/* Disarm everything, stop counting, zero the counters (keeps the observer). */
void engine__faults_reset(struct engine_faults *f);
bool engine__fault_slow(struct engine_faults *f, enum engine_fp id);
/* The index of a point name, or -1. */
int engine__fault_lookup(const char *name);

#endif /* BACKSTOP_ENGINE_FAULT_H */
