/*
 * lincheck.h: the linearizability checker. It decides whether a recorded
 * concurrent history (history.h) is explained by the sequential model
 * (model.h, the oracle): is there one order of the calls, consistent with
 * real time (a call that returned before another was invoked comes first),
 * in which the model gives every call the result it returned?
 *
 * How it decides (spec §6.3, R50-R55):
 *   - P-compositionality: the history is split by instance lifetime
 *     (hist_event.lifetime); each lifetime is checked on its own, in a world of
 *     its own. Events with HIST_NO_LIFETIME are checked one by one (below).
 *   - Per lifetime, a Wing-Gong/Lowe depth-first search over the calls that may
 *     come next, with memoisation of (set of calls linearised, model state) so
 *     that no configuration is explored twice. The lifetime is first cut at its
 *     quiet points (every earlier call returned before any later one was
 *     invoked): a lone call there is one model step, and only groups of
 *     overlapping calls are searched (lincheck_fast.c; the verdict is the
 *     same). Lifetimes are checked on cfg->threads threads.
 *   - JetTerm/JetTerm2 take effect at two points (R54): the "lock", after which
 *     gated calls (Begin, the streaming calls, CloseFile, End, End2 and their
 *     legacy forms) fail at the gate with -1000 without any change, and the
 *     "effect", where the model applies the call. Both lie inside the call's
 *     interval, the lock first. The lock changes nothing on an instance that is
 *     not initialised or already locked (§4.13 steps 2-3).
 *   - A Begin that failed after its claim (-560, §4.1 steps 13-15) also takes
 *     effect at two points: the claim, and the effect where the model applies
 *     it. In between, a concurrent Begin answers as with a backup in progress
 *     (-505, or -617 for a surrogate claim) and changes nothing (§6.3).
 *   - A pending call (ret == HIST_PENDING: crash, timeout, run ended) may take
 *     effect at any point after its invocation, with any result, or not at all.
 *   - An injected fault (hist_event.fault) is passed to the model with the call
 *     (model_call.fault); the model applies the spec's consequence (R36-R41).
 *
 * What the stress driver must record (the contract of the input):
 *   - Every event of a lifetime carries its `lifetime` number, including the
 *     calls that create it (JetCreateInstance, or JetInit with no instance in
 *     OneInst mode), configure it (fixture calls: database, roll-log, ...,
 *     recorded as their MODEL_OP_FX_* operations with model arguments) and
 *     end it (JetTerm), and every call made later with its stale handle
 *     (handle_stale = true). The checker ignores call.inst for such events: it
 *     substitutes the lifetime's handle in its own world.
 *   - call.name is in model terms: a database's fixture name ("db1") or a log's
 *     model name ("edb00000003.log"); it must outlive the result (static).
 *   - Alternatively, a lifetime's setup may happen outside the recorder: pass
 *     it as a struct lincheck_lifetime_setup (below). The two may be mixed:
 *     the setup's calls run first, then the recorded events.
 *   - HIST_NO_LIFETIME is for handles that never named an instance (nil, 0,
 *     never-created, garbage) and for legacy calls in a MultiInst world. Each
 *     such event must return what the model returns for it in an empty world or
 *     in a MultiInst world (the call's handle replaced by one no instance has),
 *     and must leave that world unchanged (R3, R9, R11, R15). A failed
 *     JetCreateInstance (global limits: -1214, -1086, -1080, -1011, -1003 for a
 *     NULL pointer) is recorded with HIST_NO_LIFETIME, and is accepted.
 *   - In a OneInst world every handle names the single instance (R4), so calls
 *     there carry that instance's lifetime, whatever handle they pass.
 *   - Only overlaps the spec defines may occur within one lifetime
 *     (model_overlap_defined, R55); calls with a stale handle are exempt (the
 *     instance is gone). Any other overlap is a harness error
 *     (LINCHECK_EOVERLAP: "undefined overlap generated"), not a violation.
 *   - Results are compared on err and on the out-parameters the event says it
 *     observed (hist_event.outs) that the model also defines: hf and size
 *     (MODEL_OUT_HF), cb_actual (MODEL_OUT_CB), gen_low/gen_high
 *     (MODEL_OUT_GENS). MODEL_OUT_INST and MODEL_OUT_LIST are not compared
 *     (handle values are the target's own; list contents are not recorded).
 *   - hist_event.fault names a fault that fired inside the call (set it at
 *     hist_end); call.fault is ignored. A fault armed but never reached is
 *     MODEL_FAULT_NONE.
 *   - Lifetimes must not interact: give instances distinct names (or none), and
 *     keep at most MODEL_MAX_INSTANCES alive, so that a lifetime's own
 *     JetCreateInstance always succeeds in its world of one.
 *
 * Limits: a lifetime whose search needs more than max_steps model steps is
 * UNKNOWN (reported, never a pass). Shrinking has its own budget; violations
 * that depend on state built over a long past (log generations copied by
 * earlier backups) may stay long when it runs out (the timeline then draws the
 * calls around the culprit). The "documented" profile's D3 (Stop on a
 * terminating instance returns -1003) is not applied inside JetTerm's lock
 * window: there Stop acts as in the source profiles.
 *
 * Not for: producing histories (history.c, stress.c), or the online
 * invariants of issue 4 part 3 (checked while the run goes).
 *
 * Threads: lincheck_check is reentrant (no globals); one call per thread. It
 * starts cfg->threads - 1 threads of its own and joins them before it returns.
 */
#ifndef BACKSTOP_LINCHECK_H
#define BACKSTOP_LINCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "history.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes (harness errors; a violation is a verdict, not a status). */
enum {
    LINCHECK_OK = 0,
    LINCHECK_ENOMEM = -1,
    LINCHECK_EINVAL = -2,   /* malformed history: ret <= inv, unknown op, NULL args */
    LINCHECK_EOVERLAP = -3, /* undefined overlap generated (R55): the driver's fault */
    LINCHECK_EIO = -4       /* a counterexample file could not be written */
};
const char *lincheck_strerror(int status);

enum lincheck_verdict {
    LINCHECK_LINEARIZABLE = 0, /* every lifetime and every no-lifetime call explained */
    LINCHECK_VIOLATION,        /* at least one is not: see message and cex */
    LINCHECK_UNKNOWN           /* no violation found, but some lifetime exceeded the
                                  search budget: never reported as a pass */
};
const char *lincheck_verdict_name(enum lincheck_verdict v);

/* Default per-lifetime search budget, in model steps. */
#define LINCHECK_DEFAULT_MAX_STEPS 20000000u
/* Default budget of the counterexample shrinker, in model steps overall. */
#define LINCHECK_DEFAULT_MAX_SHRINK_STEPS 5000000u

/*
 * The beginning of one lifetime, when it is not (entirely) recorded: `calls`
 * are applied in order to a fresh world (model_world_init with cfg->model)
 * before the lifetime's events. Typically JetCreateInstance, JetInit, then
 * fixture calls (MODEL_OP_FX_CREATE_DB "db1" pages, MODEL_OP_FX_ROLL_LOG gen).
 * The handle is learnt from the first call that returns one (MODEL_OUT_INST);
 * every later call's `inst` is replaced by it, JetInit's included (so
 * {JetCreateInstance}, {JetInit} initialises the created instance). Before a
 * handle is known, a JetInit with inst 0 or nil takes the OneInst path
 * ({JetInit} alone: a OneInst lifetime). Results are not checked.
 * The arrays are only read during lincheck_check.
 */
struct lincheck_lifetime_setup {
    uint32_t lifetime;
    const struct model_call *calls;
    size_t n_calls;
};

struct lincheck_config {
    struct model_config model;                    /* profile, page/log sizes */
    const struct lincheck_lifetime_setup *setups; /* may be NULL */
    size_t n_setups;
    uint64_t max_steps;        /* per lifetime; 0 = LINCHECK_DEFAULT_MAX_STEPS */
    uint64_t max_shrink_steps; /* 0 = LINCHECK_DEFAULT_MAX_SHRINK_STEPS */
    bool no_shrink;            /* report the whole failing lifetime */
    uint32_t threads;          /* lifetimes checked on this many threads at once
                                  (the caller's included); 0 or 1: the caller's only.
                                  The result does not depend on it. */
};

struct lincheck_cex; /* a counterexample: opaque, owned by the result */

struct lincheck_result {
    enum lincheck_verdict verdict;
    size_t n_events;       /* events checked */
    size_t n_lifetimes;    /* partitions */
    size_t n_no_lifetime;  /* HIST_NO_LIFETIME events */
    size_t n_violations;   /* failing lifetimes plus failing no-lifetime events */
    size_t n_unknown;      /* lifetimes over budget */
    uint64_t steps;        /* model steps of the search (shrinking excluded) */
    uint32_t lifetime;     /* of the first violation, or of the first unknown
                              lifetime; HIST_NO_LIFETIME if a no-lifetime event */
    char message[768];     /* one paragraph: the verdict, or the harness error */
    struct lincheck_cex *cex; /* the first violation, shrunk; NULL otherwise */
};

/*
 * Check `n` events (any order; hist_collect's order is fastest). Returns
 * LINCHECK_OK and fills *out (verdict, counts, message, cex), or a negative
 * status with out->message saying why (for LINCHECK_EOVERLAP: which two calls,
 * stamps and threads). Always call lincheck_result_free(out) afterwards.
 */
int lincheck_check(const struct hist_event *ev, size_t n, const struct lincheck_config *cfg,
                   struct lincheck_result *out);
/* The same, on events given by pointer (hist_collect_ptrs: no copy of the
 * events; they are only read during the call). */
int lincheck_check_ptrs(const struct hist_event *const *ev, size_t n,
                        const struct lincheck_config *cfg, struct lincheck_result *out);
void lincheck_result_free(struct lincheck_result *r);

/*
 * The counterexample: a sub-history of one lifetime that is still not
 * linearisable, with the culprit call (the one no order explains) and the
 * model's answer at the furthest point the search reached. Shrinking: the
 * shortest real-time prefix that fails (calls still running at its end become
 * pending), then the past before a quiet point dropped, then delta debugging
 * (events dropped, invocation order kept) while the rest stays not
 * linearisable, stuck on the culprit with the same answer from the model, and
 * linearisable once the culprit's result is forgotten.
 */
/* Its events in invocation order (owned by the cex); returns the count. */
size_t lincheck_cex_events(const struct lincheck_cex *cex, const struct hist_event **out);
/* Index in those events of the culprit call. */
size_t lincheck_cex_culprit(const struct lincheck_cex *cex);
/* ASCII timeline: one row per thread, a bar from invocation to response with the
 * call and its result, then the explanation. */
void lincheck_cex_print_timeline(const struct lincheck_cex *cex, FILE *out);
/* A self-contained HTML page with an inline SVG timeline (no external resource). */
int lincheck_cex_write_html(const struct lincheck_cex *cex, FILE *out);
/* A .scn case named `case_name` (NULL: "lincheck.counterexample") that replays
 * the calls with their observed results as expectations: sequential steps, and
 * `parallel` blocks for calls that overlapped. Running it against the model
 * fails, showing the violation. The text is checked with scn_parse_buffer
 * first: LINCHECK_EINVAL (and nothing written) if it would not parse; else
 * LINCHECK_OK or LINCHECK_EIO. Calls the language cannot write (a fixture
 * configure outside `instance`) become comments. */
int lincheck_cex_write_scn(const struct lincheck_cex *cex, const char *case_name, FILE *out);
/* Write DIR/STEM.txt (timeline), DIR/STEM.html and DIR/STEM.scn (case name
 * "lincheck.STEM"; STEM must be a valid case-name word). */
int lincheck_cex_save(const struct lincheck_cex *cex, const char *dir, const char *stem);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_LINCHECK_H */
