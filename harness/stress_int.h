/*
 * stress_int.h: what the stress driver's files share and nobody else sees:
 * the run, its instance slots, the workers, and the one call wrapper.
 *
 *   stress_run.c    the run: world setup, the call wrapper (yield points,
 *                   admission of only defined overlaps, recording, online
 *                   invariants), segments, the checker, workers and threads;
 *   stress_roles.c  what each worker role does between calls;
 *   stress.c        the command line, tokens, replay, shrinking.
 *
 * Locking. Each slot has a mutex `mu` guarding everything in the slot; a
 * worker never holds two slot mutexes at once, and never holds one across a
 * target call. The run's mutex `mu` guards the segment barrier. Order when
 * both are needed: run.mu is never taken while a slot mutex is held.
 */
#ifndef BACKSTOP_STRESS_INT_H
#define BACKSTOP_STRESS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "history.h"
#include "lincheck.h"
#include "rng.h"
#include "runner.h"
#include "schedule.h"
#include "stress.h"

_Static_assert(STRESS_MAX_THREADS <= 32, "a slot's in-flight mask is 32 bits");

/* Wrapper outcomes besides "the call was made" (0). */
#define STRESS__STOP (-1)   /* not made: the run ends or a segment ends; unwind */
#define STRESS__SKIP (-2)   /* not made: a shrunk program leaves it out */
#define STRESS__BUSY (-3)   /* not made: nowait admission found the slot busy */

/* The error a skipped call reports to role code (no JET error has it). */
#define STRESS__ERR_SKIPPED ((JET_ERR)-99999)

/* A pseudo-operation for admission only: the fixture's LogRange query, which
 * must not overlap backup calls on its instance (fixture.c). */
#define STRESS__OP_LOGRANGE ((enum model_op)(MODEL_OP__COUNT + 1))
#define STRESS__OP_NONE ((enum model_op)(MODEL_OP__COUNT + 2))
/* An incremental Begin, for admission (stress_ops.c explains). */
#define STRESS__OP_BEGIN_INC ((enum model_op)(MODEL_OP__COUNT + 3))

#define STRESS__MAX_STALE 16    /* stale handles remembered per slot */
#define STRESS__READ_MAX (64u << 10)
#define STRESS__LIST_MAX (64u << 10)
#define STRESS__LOG_SIZE 16384u

/* How a call names its instance. */
enum stress_hkind {
    STRESS_H_CURRENT = 0, /* the slot's current instance */
    STRESS_H_ZERO,        /* 0 */
    STRESS_H_NIL,         /* JET_instanceNil, all bits set */
    STRESS_H_NEVER,       /* a value no instance ever had */
    STRESS_H_STALE,       /* a terminated instance of the slot */
    STRESS_H_NONE,        /* a legacy call without an instance */
    STRESS_H_NEW          /* setup of the slot's next, unpublished lifetime */
};

/* Online-invariant knowledge about the slot's current lifetime (R16, R19,
 * R21, R22, R26). Facts are only ever under-approximated: a call that may have
 * changed the backup or `stop` clears them until it is known not to have. */
struct stress_track {
    bool live;              /* a local backup is certainly in progress */
    bool stopped;           /* ... and `stop` is certainly set */
    uint32_t n_clearers;    /* calls in flight that may change live/stop */
    uint64_t changes;       /* calls that did change them (or may have) */
    bool deferred;          /* a Stop returned 0 while clearers ran */
    uint64_t deferred_at;
};

/* Per-call bookkeeping between invocation and response (on the caller's stack). */
struct stress_ticket {
    bool registered;        /* in the slot's in-flight table */
    bool tracked;           /* on the slot's current lifetime: track it */
    bool clearer;
    bool expect801;         /* R16 */
    bool saved_live, saved_stopped;
    uint64_t changes_at;
    uint32_t stops_at;
};

struct stress_slot {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* every change below; sched_notify key: the slot */
    uint32_t index;
    /* The current instance. Written under mu by its lifecycle owner. */
    JET_INSTANCE handle;
    uint32_t lifetime;
    bool alive;                 /* in the table (created, not yet freed) */
    bool oneinst;               /* created by JetInit with no instance (R4) */
    bool lifecycle;             /* a setup is creating the next lifetime */
    uint32_t lifecycle_owner;
    JET_INSTANCE stale[STRESS__MAX_STALE];
    uint32_t stale_lifetime[STRESS__MAX_STALE];
    uint32_t n_stale;
    /* Admission: the call each worker has in flight on this slot. */
    enum model_op inflight_op[STRESS_MAX_THREADS];
    uint32_t inflight_lifetime[STRESS_MAX_THREADS];
    uint32_t n_inflight;
    uint32_t inflight_mask;     /* bit t: inflight_op[t] is set (STRESS_MAX_THREADS <= 32) */
    bool held;                  /* quiesced for a fingerprint check */
    /* Free runs with stoppers: ReadFiles on this slot between their invocation
     * stamp and their response stamp (no lock: stoppers poll it, R50). */
    atomic_uint reading;
    uint32_t holder;
    struct stress_track tr;
    /* Progress of the slot's client, for pacing the other roles. */
    uint64_t client_calls;
    bool client_active;         /* a client runs on this slot */
};

/* Per-role state (stress_roles.c); here so the run can reset it. */
#define STRESS__MAX_COPIES 64
struct stress_copy {
    uint32_t lifetime, kind, id; /* kind 0 database (id = its number), 1 log (id = gen) */
    uint64_t hash;
};

struct stress_run;

struct stress_worker {
    struct stress_run *run;
    uint32_t tid;
    enum stress_role role;
    uint32_t slot;
    struct rng rng;
    char label[32];
    bool active;              /* runs in this program */
    uint32_t stid;            /* its scheduler tid (dense over active workers) */
    bool program_done;        /* its kept calls are all made */
    uint64_t unpublished;     /* free runs: calls not yet added to run.calls */
    /* The call in flight (for the engine's yield hook: JetTerm's drain). */
    int32_t cur_slot;
    uint32_t cur_lifetime;
    uint32_t last_lifetime;   /* of the worker's last call (violation reports) */
    uint64_t attempts;        /* call attempts: a program's indices */
    uint32_t range_pos;       /* program: current keep range */
    /* Set by the fault observer on this worker's thread during a call. */
    enum model_fault fault;
    bool fault_fired;
    /* Buffers (4096-aligned), owned. */
    unsigned char *buf;
    char *list;
    char *names;              /* a copy of the last list, while its files are copied */
    /* Client: known copies (mem store: cross-backup identity). */
    struct stress_copy copies[STRESS__MAX_COPIES];
    uint32_t n_copies;
    uint32_t copies_lifetime;
    /* Client: the highest log generation of its last backup (a checkpoint to
     * move to, so that full backups stay short), and its lifetime. */
    uint32_t ckpt_gen, ckpt_lifetime;
};

struct stress_run {
    const struct stress_config *cfg;
    struct stress_result *res;
    FILE *out;
    bool quiet;
    const struct target_ops *ops;
    void *ctx;                  /* the current world */
    struct engine *engine;      /* ctx, for the in-process engine targets */
    bool engine_dir;            /* its store is real files */
    uint32_t page_size, log_size;
    struct sched *sched;
    struct hist *hist;          /* the recorder (reset at each segment), or NULL */
    bool aim_stops;             /* free run with stoppers: slots count their reads */
    const struct hist_event **seg_ptrs; /* the segment's events in order (reused) */
    size_t seg_cap;
    uint32_t n_workers;         /* == cfg->n_threads; the main thread records as n_workers */
    uint32_t n_slots;
    struct stress_slot slots[STRESS_MAX_INSTANCES];
    struct stress_worker workers[STRESS_MAX_THREADS];
    struct rng rng;             /* the main thread's (setup of the first lifetimes) */

    /* Budget and stopping. */
    atomic_uint_fast64_t calls;    /* calls made */
    atomic_uint_fast64_t limit;    /* stop when calls reach it */
    atomic_int stopping;
    double t_start, deadline;      /* deadline 0: none */

    /* Segments (run.mu). */
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* sched_notify key: &run->mu */
    uint64_t segment_calls;
    atomic_uint_fast64_t seg_end;  /* calls at which the segment ends */
    atomic_int seg_pending;
    uint32_t n_active, n_parked;   /* under mu */
    uint64_t generation;           /* under mu */
    atomic_int harness_status;     /* a STRESS_E* status that ended the run */

    atomic_uint_fast32_t next_lifetime;
    atomic_uint_fast64_t inv_violations, lin_violations, faults_fired, fingerprint_checks;
    atomic_uint_fast64_t backups_completed, backups_stopped, files_verified;
    atomic_int first_set;
    uint64_t hash_chain;
    /* R50 in free runs (stress_check.c): Stops invoked while a ReadFile ran on
     * their lifetime, and how many of them returned after that read did. */
    uint64_t r50_samples, r50_waited;
    bool r50_reported;

    /* Model-terms names of log files (static for the history's lifetime). */
    pthread_mutex_t names_mu;
    struct stress_names *names;
};

struct stress_names {
    char **blocks;          /* blocks of STRESS__NAMES_PER_BLOCK names of 16 bytes */
    uint32_t n_blocks;
};
#define STRESS__NAMES_PER_BLOCK 4096u

/* One call, in harness terms. */
struct stress_call {
    enum model_op op;
    enum stress_hkind hkind;
    uint32_t slot;
    JET_GRBIT grbit;
    JET_HANDLE hf;
    uint32_t cb;            /* cbMax; pages; gen */
    uint32_t flags;         /* MODEL_CALL_* */
    const char *name;       /* the name passed to the target */
    const char *model_name; /* the same in model terms, static ("db1", "edb...log") */
    void *buf;
    bool nowait;            /* do not wait for admission: STRESS__BUSY instead */
    /* STRESS_H_NEW: the lifetime being set up, and its handle (in-out). */
    uint32_t new_lifetime;
    JET_INSTANCE *pinst;
};

struct stress_outcome {
    struct target_call_out o;
    uint32_t lifetime;      /* as recorded */
    bool stale;
    JET_INSTANCE inst;      /* the handle passed */
    bool stopped_at_inv;    /* the lifetime was certainly stopped at invocation */
    bool undisturbed;       /* no call that may change the backup ran meanwhile */
};

/* stress_ops.c */
bool stress__is_stop(enum model_op op);
bool stress__is_term(enum model_op op);
bool stress__is_streaming(enum model_op op);
/* The calls that enter through the API gate (spec §0.4): JetTerm waits for them. */
bool stress__is_gated(enum model_op op);
bool stress__is_close(enum model_op op);
/* A call that returned err certainly changed neither "a local backup is in
 * progress" nor `stop`. */
bool stress__no_change(enum model_op op, JET_ERR err);
/* The operation a call registers for admission (incremental Begins apart). */
enum model_op stress__admission_op(const struct stress_call *c);
/* May a and b be in flight together on one lifetime (R55)? */
bool stress__overlap_ok(enum model_op a, enum model_op b);
/* Does the target have this function? */
bool stress__has(const struct target_ops *ops, enum model_op op);

/* stress_run.c */
extern _Thread_local struct stress_worker *stress__self;
int stress__call(struct stress_worker *w, const struct stress_call *c, struct stress_outcome *oc);
/* The first violation's signature (the rule), kept for shrinking. */
void stress__first(struct stress_run *run, const char *rule, uint32_t lifetime);
/* Record an online-invariant violation: count it and print it (unless quiet). */
void stress__violation(struct stress_worker *w, const char *rule, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Wait until the slot's client made `calls` calls, its instance changed, or the
 * run/segment ends. Returns 0, or STRESS__STOP. */
int stress__pace(struct stress_worker *w, uint32_t slot, uint64_t calls);
/* Wait until the slot has a live instance (or the run/segment ends). */
int stress__await_alive(struct stress_worker *w, uint32_t slot);
/* Set up the slot's next lifetime (create, init, databases, logs) and publish
 * it. Caller: the main thread (w NULL) or the slot's terminator. */
int stress__new_lifetime(struct stress_run *run, struct stress_worker *w, uint32_t slot,
                         struct rng *rng);
/* Fingerprint holds (R3, R10, R11): quiesce a slot if no call is in flight. */
bool stress__hold_try(struct stress_worker *w, uint32_t slot, uint64_t *fingerprint);
/* Re-fingerprint and release; reports a violation naming `rule` on change. */
void stress__hold_release(struct stress_worker *w, uint32_t slot, uint64_t before, const char *rule,
                          const char *what);
bool stress__can_inspect(const struct stress_run *run);
/* The log range on disk of the slot's current instance (fixture LogRange), if
 * that is still lifetime `lifetime`. Returns 0, STRESS__STOP, or 1 if
 * unavailable. */
int stress__log_range(struct stress_worker *w, uint32_t slot, uint32_t lifetime, uint32_t *low,
                      uint32_t *high);
/* "edbXXXXXXXX.log" (8 upper-case hex digits): its generation. */
bool stress__parse_log_name(const char *base, uint32_t *gen);
/* Model-terms name of a target file name (a path from a list). */
const char *stress__model_name(struct stress_run *run, const char *path);
bool stress__ending(const struct stress_run *run);

/* stress_check.c: collect, hash and check the current segment's history.
 * final: the run's last segment (its history may go to cfg->history_out).
 * Caller: the thread that owns the world (every worker parked or gone). */
int stress__check(struct stress_run *run, bool final);
double stress__now(void);

/* stress_roles.c */
/* One unit of the worker's role (a backup cycle, a stop, ...). Returns 0 or
 * STRESS__STOP. */
int stress__role_step(struct stress_worker *w);
/* Forget role state (a new segment starts with a fresh world). */
void stress__role_reset(struct stress_worker *w);

#endif /* BACKSTOP_STRESS_INT_H */
