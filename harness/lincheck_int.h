/*
 * lincheck_int.h: what lincheck.c (the search, partitioning and shrinking) and
 * lincheck_report.c (timeline, HTML, .scn) share. Not a public interface.
 */
#ifndef BACKSTOP_LINCHECK_INT_H
#define BACKSTOP_LINCHECK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "lincheck.h"
#include "model.h"

/* How a call's linearisation point is used: most calls have one; JetTerm has
 * a lock point and an effect point (lincheck.h, R54); a Begin that failed
 * after its claim (-560) has a claim point and an effect point (§4.1 steps
 * 13-15, §6.3). */
enum lincheck__kind { LINCHECK__CALL = 0, LINCHECK__LOCK, LINCHECK__EFFECT, LINCHECK__CLAIM };

/* One step of the longest linearisable prefix found. */
struct lincheck__lin {
    uint32_t ev; /* index into the cex's events */
    uint8_t kind; /* enum lincheck__kind */
};

struct lincheck_cex {
    struct model_config model;
    uint32_t lifetime;       /* HIST_NO_LIFETIME: a single no-lifetime call */
    struct model_call *setup; /* the lifetime's setup calls (copied) */
    size_t n_setup;
    struct hist_event *ev;   /* the shrunk sub-history, invocation order */
    size_t n_ev;
    size_t culprit;          /* index into ev */
    bool have_expect;        /* expect holds the model's answer for the culprit */
    bool expect_locked;      /* ... given inside a JetTerm lock window */
    struct model_result expect;
    bool have_blocked;       /* the culprit's answer is unknown, but another call */
    bool blocked_locked;     /* blocked the search: its index and the model's answer */
    size_t blocked;
    struct model_result blocked_res;
    struct lincheck__lin *order; /* longest linearisable prefix of the shrunk history */
    size_t n_order;
    size_t n_original;       /* events of the lifetime before shrinking */
    bool shrink_complete;    /* false: the shrink budget ran out first */
    char **names;            /* copies of every call.name the cex points to */
    size_t n_names;
    char message[768];
};

/* ---------------------------------------------------------------------------
 * The search (lincheck.c), used by the shrinker (lincheck_shrink.c).
 * ------------------------------------------------------------------------- */

#define LINCHECK__NONE UINT32_MAX

struct lincheck__search; /* reusable tables and arenas of the search */
int lincheck__search_new(struct lincheck__search **out);
void lincheck__search_delete(struct lincheck__search *s);

/* What one search found. */
struct lincheck__outcome {
    enum lincheck_verdict verdict;
    uint64_t steps;
    uint32_t culprit;       /* event index of the blocking call, LC_NONE if none */
    bool have_expect, expect_locked;
    struct model_result expect;
    /* At the deepest dead end: the earliest-returning call the model disagreed
     * with there, and its answer (whether or not it is the hint). */
    uint32_t blocked;
    bool have_blocked, blocked_locked;
    struct model_result blocked_res;
    struct lincheck__lin *order; /* diagnose mode only: malloc'ed */
    size_t n_order;
};

/*
 * Search one lifetime: events `evs` (invocation order) after the setup calls.
 * `hint` is an event index whose failures the caller wants to hear about (the
 * culprit when shrinking), or LINCHECK__NONE. With `diagnose`, out->order gets
 * the longest linearisable prefix (malloc'ed; the caller frees). Returns 0 or
 * a negative status; the verdict is in out.
 */
int lincheck__search_run(struct lincheck__search *s, const struct hist_event *const *evs, size_t n,
                         const struct model_config *mcfg, const struct model_call *setup,
                         size_t n_setup, uint64_t budget, bool diagnose, uint32_t hint,
                         struct lincheck__outcome *out);

/* Called with every distinct world in which a search in enumeration mode
 * linearised every call; non-zero stops the search and is returned. */
typedef int (*lincheck__end_fn)(void *ctx, const struct model_world *w);

/*
 * Search events `evs` (invocation order, all of one lifetime) from world
 * `start` (model_world_size() bytes, copied), in which the lifetime's
 * instance has handle `handle`. With on_end NULL, as lincheck__search_run
 * without diagnosis. With on_end, enumeration: every complete linearisation's
 * end world is reported (once per distinct world), and the verdict is
 * LINEARIZABLE if there was at least one. The outcome's culprit fields are not
 * filled in either mode.
 */
int lincheck__search_from(struct lincheck__search *s, const struct hist_event *const *evs, size_t n,
                          const struct model_world *start, JET_INSTANCE handle, uint64_t budget,
                          lincheck__end_fn on_end, void *end_ctx, struct lincheck__outcome *out);

/* The lifetime's world before its first event: the setup calls applied to a
 * fresh world `w`. Returns the handle the lifetime's instance has (or will get
 * from its creating event among `evs`) in that world. */
JET_INSTANCE lincheck__start_world(struct model_world *w, const struct model_config *mcfg,
                                   const struct model_call *setup, size_t n_setup,
                                   const struct hist_event *const *evs, size_t n);
/* Calls whose handle argument is the lifetime's instance (the checker puts the
 * lifetime's handle in its own world there). */
bool lincheck__takes_handle(const struct model_call *c);
/* Does the recorded response agree with the model's (err, and the
 * out-parameters both define)? */
bool lincheck__match(const struct hist_event *e, const struct model_result *r);

/*
 * The verdict on one lifetime (lincheck_fast.c), as lincheck__search_run gives
 * it, but fast for the histories stress records: the lifetime is cut at its
 * quiet points (every call before returned before any call after is invoked;
 * every linearisation passes there with all earlier calls linearised and no
 * JetTerm lock held). A call alone between quiet points is one model step; a
 * group of overlapping calls is searched (lincheck__search_from) from each
 * world the past may have left, for every world it may leave, or, when that
 * takes more than `group_steps` steps (0: a default by the group's size),
 * for one; a dead end after such a group sends the lifetime to the plain
 * search. Only the verdict and steps of *out are filled in.
 */
int lincheck__check_lifetime(struct lincheck__search *s, const struct hist_event *const *evs,
                             size_t n, const struct model_config *mcfg,
                             const struct model_call *setup, size_t n_setup, uint64_t budget,
                             uint64_t group_steps, struct lincheck__outcome *out);

/* The counterexample of violating lifetime `evs` (lincheck_shrink.c). */
int lincheck__make_cex(struct lincheck__search *s, const struct lincheck_config *cfg,
                       uint32_t lifetime, const struct hist_event *const *evs, size_t n,
                       const struct model_call *setup, size_t n_setup, uint64_t max_steps,
                       struct lincheck_cex **out);
/* The counterexample of one failing no-lifetime call; r is the model's answer. */
int lincheck__make_ref_cex(const struct lincheck_config *cfg, const struct hist_event *e,
                           const struct model_result *r, struct lincheck_cex **out);
void lincheck__cex_free(struct lincheck_cex *c);

/* "t3 JetReadFileInstance [12,19] = 0 cb=4096" (full) into buf. */
void lincheck__describe(const struct hist_event *e, char *buf, size_t cb);
/* "JET_errBackupAbortByServer (-801)" or "-12345" into buf. */
const char *lincheck__err_text(JET_ERR err, char *buf, size_t cb);
/* "R16 R51" from a model result's rule list into buf ("" if none). */
void lincheck__rules_text(const struct model_result *r, char *buf, size_t cb);

/*
 * Seeded generator of histories that are linearisable by construction
 * (bench_lincheck.c; also used by tests/lincheck_test.c). It simulates
 * n_threads workers against the model itself: each call is invoked, takes
 * effect at one point (JetTerm: a lock point, then its effect point, R54), and
 * returns, and a random scheduler interleaves those points. A call starts only
 * if its overlaps with the calls in flight on its lifetime are ones the spec
 * defines (model_overlap_defined). Roles: a backup client per instance (full
 * and incremental cycles), stoppers, Begin racers, invalid-handle callers
 * (HIST_NO_LIFETIME), stale-handle callers, and optionally terminators that
 * re-create the instance (the new lifetime's setup is recorded as events; the
 * first lifetimes' setup is given as struct lincheck_lifetime_setup).
 */
struct lincheck__gen_config {
    uint64_t seed;
    uint32_t n_threads, n_instances;
    size_t n_events;         /* events to record */
    struct model_config model;
    bool terms;              /* terminators */
    bool faults;             /* injected read/alloc/log-roll faults */
    bool pending;            /* leave the calls in flight at the end pending */
};

struct lincheck__gen {
    struct hist_event *ev;   /* invocation order */
    size_t n;
    struct lincheck_lifetime_setup *setups;
    size_t n_setups;
    size_t n_lifetimes;
    struct model_call *setup_calls; /* shared by every setup */
    char *names;             /* storage of every call.name */
};

int lincheck__generate(const struct lincheck__gen_config *cfg, struct lincheck__gen *out);
void lincheck__generate_free(struct lincheck__gen *g);

#endif /* BACKSTOP_LINCHECK_INT_H */
