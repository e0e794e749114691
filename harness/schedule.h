/*
 * schedule.h: who runs next among the stress workers (module prefix sched_).
 * The file is not called sched.h: the harness directory is on the include path,
 * where that name would shadow the C library's <sched.h> (which <pthread.h>
 * includes); and the yield function is sched_point, as libc owns sched_yield.
 *
 * Three schedules:
 *   free     the workers run as real, unscheduled threads; the scheduler only
 *            keeps each thread's position for the watchdog.
 *   random   controlled: real pthreads, but only one worker runs between two
 *            yield points; at each yield point the next worker is drawn
 *            uniformly from the runnable ones.
 *   pct:D    controlled, PCT (probabilistic concurrency testing) with bug depth
 *            D: random distinct thread priorities, D-1 random priority change
 *            points; the highest-priority runnable worker runs. Runs of unknown
 *            length are cut in rounds of SCHED_PCT_ROUND decisions, each with
 *            fresh priorities and change points.
 * In controlled modes every decision comes from an rng seeded with
 * sched_config.seed, so the same seed and the same sequence of yield points
 * give the same interleaving.
 *
 * The parts are kept apart (style.md rule 8): the strategy (schedule.c: a const
 * table of functions deciding who runs next), the handshake (schedule.c: mutex and
 * one condition variable per worker; no sleeping, no spinning), the watchdog and
 * its reporter (schedule.c), and outside this module the explorer (stress.c:
 * which schedule to try, shrinking) and the history (history.h).
 *
 * Worker protocol (controlled modes; in free mode the same calls are cheap
 * bookkeeping): each worker thread calls sched_start() first, then
 * sched_point() at each yield point, sched_wait()/sched_notify() instead of
 * pthread_cond_wait/broadcast for conditions between workers, and
 * sched_finish() last. A worker must never block in any other way while it
 * holds the turn (a blocked worker stalls every other one; the watchdog then
 * reports DEADLOCK).
 *
 * Not for: deciding which calls a worker makes (stress.c) or recording them.
 */
#ifndef BACKSTOP_SCHED_H
#define BACKSTOP_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { SCHED_OK = 0, SCHED_EINVAL = -1, SCHED_ENOMEM = -2 };
const char *sched_strerror(int status);

enum sched_kind { SCHED_FREE = 0, SCHED_RANDOM, SCHED_PCT };

#define SCHED_MAX_THREADS 64
#define SCHED_MAX_DEPTH 64      /* PCT depth limit */
#define SCHED_PCT_ROUND 4096u   /* decisions per PCT round */
#define SCHED_NONE UINT32_MAX

struct sched_config {
    enum sched_kind kind;
    uint32_t n_threads;     /* workers, 1..SCHED_MAX_THREADS; tids are 0..n-1 */
    uint32_t pct_depth;     /* PCT: bug depth D >= 1 */
    uint64_t seed;          /* controlled decisions */
    double watchdog_s;      /* controlled: longest time between two decisions;
                               free: longest time without any yield; 0 = 10 s;
                               negative = no watchdog */
    /* Called by the watchdog after it printed DEADLOCK and every thread's
     * position, before the process exits with status 1 (e.g. to print the
     * replay token). May be NULL. */
    void (*on_deadlock)(void *ctx, FILE *out);
    void *deadlock_ctx;
    FILE *report;           /* DEADLOCK reports; NULL = stderr */
};

/* Parse a --schedule argument ("free", "random", "pct:D") into cfg->kind and
 * cfg->pct_depth. Returns 0, or -1 with a message in err. */
int sched_parse(const char *text, struct sched_config *cfg, char *err, size_t cb_err);
/* The canonical text of cfg's schedule ("pct:3"). */
void sched_format(const struct sched_config *cfg, char *buf, size_t n);

struct sched; /* opaque */

/* Create a scheduler (cfg is copied). Returns SCHED_OK and *out. The watchdog
 * starts with sched_watchdog_start. Thread: the run's main thread. */
int sched_create(const struct sched_config *cfg, struct sched **out);
/* Stop the watchdog and free. Every worker must have finished. */
void sched_destroy(struct sched *s);
bool sched_controlled(const struct sched *s);

/* A label for worker tid, used in DEADLOCK reports ("client/0"). The string
 * must live as long as the scheduler. Call before the workers start. */
void sched_set_label(struct sched *s, uint32_t tid, const char *label);

/* Worker side. tid is the worker's own index; each call only by that worker. */
void sched_start(struct sched *s, uint32_t tid);
void sched_point(struct sched *s, uint32_t tid, const char *point);
void sched_finish(struct sched *s, uint32_t tid);
/* Where the worker is, for reports: the call it makes (a static name) and an
 * instance lifetime or slot number. Cheap (relaxed atomics). */
void sched_note_call(struct sched *s, uint32_t tid, const char *call, uint32_t where);

/*
 * Conditions between workers. The caller holds *mu, which protects the
 * predicate it waits for, and loops: while (!pred) sched_wait(...).
 *   free:        pthread_cond_wait(cv, mu).
 *   controlled:  releases mu, gives up the turn until some worker calls
 *                sched_notify with the same key, re-acquires mu.
 * sched_notify: call with mu held. free: broadcast cv. controlled: make the
 * workers waiting on key runnable (the caller keeps the turn).
 */
void sched_wait(struct sched *s, uint32_t tid, const void *key, pthread_mutex_t *mu,
                pthread_cond_t *cv, const char *why);
void sched_notify(struct sched *s, const void *key, pthread_cond_t *cv);

/* Decisions taken so far (controlled), or yields seen (free). */
uint64_t sched_decisions(const struct sched *s);

/* The watchdog: a thread that reports DEADLOCK (every worker's label, state,
 * last call and last yield point) and exits the process with status 1 when no
 * worker reaches a yield point for watchdog_s seconds. sched_busy(s, true)
 * suspends it while the harness itself works (checking a history segment). */
int sched_watchdog_start(struct sched *s);
void sched_watchdog_stop(struct sched *s);
void sched_busy(struct sched *s, bool busy);

/* Print every worker's position (the DEADLOCK report body) to out. */
void sched_report_positions(struct sched *s, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_SCHED_H */
