/*
 * stress.h: `backstop stress`: drive one target world from many worker threads
 * (one backup client per instance, stoppers, invalid-handle callers, Begin
 * racers, terminators), record every call in a history, check online
 * invariants while the run goes and the whole history for linearizability
 * against the model afterwards, and make every run replayable from a token.
 *
 * Only the overlaps the spec defines are generated (spec §6.3, R55,
 * model_overlap_defined): per instance, a worker admits a call only if it may
 * overlap every call already in flight on that instance.
 *
 * A run is cut in segments of at most stress_config.segment_calls calls; at a
 * segment boundary every worker pauses, the segment's history is checked, and
 * the world starts afresh. This bounds memory for long runs. The history hash
 * chains the segments' hashes.
 *
 * Not for: the conformance cases (runner.h) or single-threaded fault sweeps
 * (faults.c).
 */
#ifndef BACKSTOP_STRESS_H
#define BACKSTOP_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faults.h"
#include "history.h"
#include "schedule.h"
#include "target.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    STRESS_OK = 0,
    STRESS_EINVAL = -1,   /* a bad configuration */
    STRESS_ENOMEM = -2,
    STRESS_ETARGET = -3,  /* the target world could not be opened or set up */
    STRESS_EHARNESS = -4  /* a harness failure (thread creation, recorder) */
};
const char *stress_strerror(int status);

#define STRESS_MAX_THREADS 32
#define STRESS_MAX_INSTANCES 8
#define STRESS_MAX_KEEP 64   /* kept-call ranges per worker in a shrunk program */

/* Worker roles; worker w's role and slot follow from (n_threads, n_instances)
 * alone (stress_role_of), so that dropping a worker keeps the others'. */
enum stress_role { STRESS_CLIENT = 0, STRESS_STOPPER, STRESS_INVALID, STRESS_RACER, STRESS_TERMINATOR };
const char *stress_role_name(enum stress_role r);
void stress_role_of(uint32_t n_threads, uint32_t n_instances, uint32_t worker, enum stress_role *role,
                    uint32_t *slot);

/* A shrunk program: which workers run and which of their call attempts they
 * make (attempt numbers count per worker from 0). Absent = everything. */
struct stress_keep_range {
    uint32_t lo, hi; /* inclusive */
};
struct stress_program {
    uint64_t workers;               /* bit w: worker w runs */
    bool has_calls;                 /* the ranges below restrict the attempts */
    uint32_t n_ranges[STRESS_MAX_THREADS];
    struct stress_keep_range ranges[STRESS_MAX_THREADS][STRESS_MAX_KEEP];
};

struct stress_config {
    const struct target_ops *target;
    const char *target_name;     /* as given on the command line (for the token) */
    uint32_t n_threads;          /* >= n_instances */
    uint32_t n_instances;        /* 1..STRESS_MAX_INSTANCES */
    uint64_t ops;                /* stop after this many calls; 0 = use seconds */
    double seconds;              /* stop after this long; 0 = use ops */
    uint64_t seed;
    enum sched_kind schedule;
    uint32_t pct_depth;
    struct faults_spec faults;   /* n == 0: none */
    const struct stress_program *program; /* NULL: every worker, every call */
    bool record;                 /* record the history (bench: off for the baseline) */
    bool check;                  /* run the linearizability checker on it */
    bool quiet;                  /* no progress line, no per-violation text */
    bool no_watchdog;
    uint64_t segment_calls;      /* 0 = a default sized by the thread count */
    uint32_t page_size;          /* database page size; 0 = the target's default (4096) */
    uint32_t log_size;           /* bytes per log file; 0 = 16384 */
    const char *save_dir;        /* counterexamples (lincheck) go here; may be NULL */
    FILE *out;                   /* messages; NULL = stdout */
    /* If non-NULL, receives the last segment's history (malloc'ed, the caller
     * frees; event names point to static strings or into *names_out) and its
     * size. *names_out (if names_out is non-NULL) keeps the strings alive:
     * free it with stress_names_free. */
    struct hist_event **history_out;
    size_t *n_history_out;
    struct stress_names **names_out;
};

struct stress_result {
    uint64_t calls;              /* calls made (calls in flight when it stopped included) */
    uint64_t stop_at;            /* the call count at which no new call was started: the
                                    token's ops, so that a replay stops at the same call */
    uint64_t violations;         /* online invariants + linearizability */
    uint64_t inv_violations;
    uint64_t lin_violations;
    uint64_t history_hash;       /* chained over segments; 0 if not recorded */
    double seconds;              /* wall time of the workers */
    double check_seconds;        /* time spent in the checker */
    uint64_t segments;
    uint64_t lifetimes;
    uint64_t backups_completed;  /* End returned 0 after every file was copied */
    uint64_t backups_stopped;    /* the client saw -801 */
    uint64_t files_verified;     /* copies compared with their source */
    uint64_t faults_fired;
    uint64_t r50_samples;        /* free runs: Stops invoked during a ReadFile on their */
    uint64_t r50_waited;         /* instance, and those that returned after it (R50) */
    uint64_t fingerprint_checks;
    bool fingerprints_skipped;   /* the target has no inspection */
    char first_violation[160];   /* "R16" etc.: the signature shrinking keeps */
    uint64_t first_violation_call; /* the call count when it was found */
    uint32_t first_violation_lifetime; /* its instance lifetime (HIST_NO_LIFETIME if none) */
};

struct stress_names; /* the model-terms file names a history points to */
void stress_names_free(struct stress_names *names);

/* Run one stress run. Returns STRESS_OK (violations are in *res, not errors), or
 * a negative status after printing why. Thread: the caller's; it starts and
 * joins its own workers. A DEADLOCK exits the process with status 1 after the
 * report (schedule.h). */
int stress_run(const struct stress_config *cfg, struct stress_result *res);

/* Replay tokens: every parameter that decides a run, plus its history hash.
 * stress_token_encode writes a single shell word into buf; the program (if any)
 * is included. stress_token_decode fills *cfg (target_name points into
 * `storage`, which must outlive cfg) and *program; returns 0 or -1 with a
 * message in err. */
int stress_token_encode(const struct stress_config *cfg, uint64_t ops, uint64_t hash, char *buf,
                        size_t n);
int stress_token_decode(const char *token, struct stress_config *cfg, struct stress_program *program,
                        uint64_t *hash, char *storage, size_t cb_storage, char *err, size_t cb_err);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_STRESS_H */
