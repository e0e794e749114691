/*
 * lincheck_shrink.c: the counterexample of the linearizability checker
 * (lincheck.h): shrinking a violating lifetime to a small sub-history that
 * still shows the same violation, and the counterexample object itself. The
 * search is lincheck.c's (lincheck__search_run); the outputs are in
 * lincheck_report.c.
 *
 * Shrinking, in three steps, each keeping "the same violation" (not
 * linearisable, stuck on the culprit with the same answer from the model, and
 * linearisable once the culprit's result is forgotten):
 *   1. the shortest real-time prefix that is still not linearisable, found by
 *      bisection over response stamps (calls still running at its end become
 *      pending; such prefixes are monotone, so bisection is sound); the call
 *      that completes there is the culprit;
 *   2. the past before a quiet point (no call in flight) dropped, latest point
 *      first;
 *   3. delta debugging (Zeller's ddmin over complements) and neighbouring
 *      pairs, repeated until neither removes anything or the budget is spent.
 *
 * Not for: deciding linearisability (lincheck.c) or drawing (lincheck_report.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck.h"
#include "lincheck_int.h"

static inline bool lc_pending(const struct hist_event *e)
{
    return e->ret == HIST_PENDING;
}

/* ---------------------------------------------------------------------------
 * Shrinking.
 * ------------------------------------------------------------------------- */

struct lc_shrink {
    struct lincheck__search *s;
    const struct model_config *mcfg;
    const struct model_call *setup;
    size_t n_setup;
    uint64_t per_test, left; /* budgets */
    struct hist_event *work;  /* the lifetime's events, modified per test */
    const struct hist_event **list;
    size_t n;
    /* The violation being kept: the model's answer for the culprit where the
     * search gets stuck (its error code), or none. */
    bool sig_have;
    JET_ERR sig_err;
};

/* Run the search over the events kept in `keep` (work[] as it stands), with
 * `hint` (an index into work, or LINCHECK__NONE) as the call to diagnose. */
static int lc_shrink_run(struct lc_shrink *k, const bool *keep, size_t hint,
                         struct lincheck__outcome *o)
{
    size_t m = 0;
    uint32_t hint_pos = LINCHECK__NONE;
    for (size_t i = 0; i < k->n; i++) {
        if (keep[i]) {
            if (i == hint)
                hint_pos = (uint32_t)m;
            k->list[m++] = &k->work[i];
        }
    }
    uint64_t budget = k->per_test < k->left ? k->per_test : k->left;
    int rc = lincheck__search_run(k->s, k->list, m, k->mcfg, k->setup, k->n_setup, budget, false,
                           hint_pos, o);
    if (rc != 0)
        return rc;
    k->left -= o->steps < k->left ? o->steps : k->left;
    if (hint_pos != LINCHECK__NONE && o->culprit != hint_pos)
        o->have_expect = false; /* stuck elsewhere */
    return 0;
}

/* Is the kept set still the same violation: not linearisable, stuck on the
 * culprit with the same answer from the model, and linearisable once the
 * culprit's result is forgotten? Returns 1, 0, or a negative status. */
static int lc_shrink_test(struct lc_shrink *k, const bool *keep, size_t culprit)
{
    struct lincheck__outcome o;
    int rc = lc_shrink_run(k, keep, culprit, &o);
    if (rc != 0)
        return rc;
    if (o.verdict != LINCHECK_VIOLATION || o.have_expect != k->sig_have ||
        (o.have_expect && o.expect.err != k->sig_err))
        return 0;
    uint64_t ret = k->work[culprit].ret;
    k->work[culprit].ret = HIST_PENDING;
    rc = lc_shrink_run(k, keep, LINCHECK__NONE, &o);
    k->work[culprit].ret = ret;
    if (rc != 0)
        return rc;
    return o.verdict == LINCHECK_LINEARIZABLE;
}

/* Drop items[start, end) for good if the test still holds. Returns 1 if
 * dropped, 0 if not, or a negative status. */
static int lc_try_drop(struct lc_shrink *k, bool *keep, size_t culprit, size_t *items,
                       size_t *n_items, size_t start, size_t end)
{
    for (size_t j = start; j < end; j++)
        keep[items[j]] = false;
    int rc = lc_shrink_test(k, keep, culprit);
    if (rc == 1) {
        memmove(items + start, items + end, (*n_items - end) * sizeof *items);
        *n_items -= end - start;
        return 1;
    }
    for (size_t j = start; j < end; j++)
        keep[items[j]] = true;
    return rc;
}

/* One ddmin run (complements of chunks, granularity from 2 up to 1). Returns
 * 1 if it dropped anything, 0 if not, or a negative status. */
static int lc_ddmin(struct lc_shrink *k, bool *keep, size_t culprit, size_t *items,
                    size_t *n_items)
{
    size_t gran = 2;
    int any = 0;
    while (*n_items > 0 && k->left > 0) {
        if (gran > *n_items)
            gran = *n_items;
        size_t chunk = (*n_items + gran - 1) / gran;
        int reduced = 0;
        for (size_t start = 0; start < *n_items && k->left > 0; start += chunk) {
            size_t end = start + chunk < *n_items ? start + chunk : *n_items;
            reduced = lc_try_drop(k, keep, culprit, items, n_items, start, end);
            if (reduced != 0)
                break;
        }
        if (reduced < 0)
            return reduced;
        if (reduced) {
            any = 1;
            gran = gran > 2 ? gran - 1 : 2;
            continue;
        }
        if (chunk == 1)
            break;
        gran = gran * 2 < *n_items ? gran * 2 : *n_items;
    }
    return any;
}

/* Try every pair of neighbours. Returns 1 if one was dropped, 0, or < 0. */
static int lc_drop_pairs(struct lc_shrink *k, bool *keep, size_t culprit, size_t *items,
                         size_t *n_items)
{
    int any = 0;
    for (size_t i = 0; i + 1 < *n_items && k->left > 0;) {
        int rc = lc_try_drop(k, keep, culprit, items, n_items, i, i + 2);
        if (rc < 0)
            return rc;
        if (rc == 1)
            any = 1;
        else
            i++;
    }
    return any;
}

/* Is op a lifetime's own setup (creation, fixture configuration)? */
static bool lc_setup_op(enum model_op op)
{
    return op == MODEL_OP_CREATE_INSTANCE || op == MODEL_OP_INIT || model_op_is_fixture(op);
}

#define LC_MAX_CUTS 64

/*
 * Long histories first lose their past: drop every event between the
 * lifetime's leading setup events and a quiescent point (no call in flight)
 * before the culprit, trying the latest such points first. The state the
 * dropped events built is usually not what the violation needs; when it is,
 * the test fails and an earlier point is tried. Returns 0 or a negative status.
 */
static int lc_cut_history(struct lc_shrink *k, bool *keep, size_t culprit)
{
    size_t n = k->n, first = 0;
    while (first < n && (!keep[first] || lc_setup_op(k->work[first].call.op)))
        first++;
    size_t *cuts = malloc(sizeof *cuts * (n ? n : 1));
    bool *saved = malloc(sizeof *saved * (n ? n : 1));
    if (cuts == NULL || saved == NULL) {
        free(cuts);
        free(saved);
        return LINCHECK_ENOMEM;
    }
    memcpy(saved, keep, sizeof *saved * n);
    size_t n_cuts = 0;
    uint64_t busy_until = 0; /* latest response among kept events so far */
    for (size_t i = first; i <= culprit && i < n; i++) {
        if (!keep[i])
            continue;
        if (i > first && busy_until < k->work[i].inv)
            cuts[n_cuts++] = i;
        uint64_t r = k->work[i].ret;
        if (r > busy_until)
            busy_until = r; /* a pending event keeps it busy for good */
    }
    int rc = 0;
    for (size_t t = 0; t < n_cuts && t < LC_MAX_CUTS && k->left > 0; t++) {
        size_t cut = cuts[n_cuts - 1 - t];
        for (size_t i = first; i < cut; i++)
            keep[i] = false;
        rc = lc_shrink_test(k, keep, culprit);
        if (rc != 0)
            break; /* kept (1), or an error */
        memcpy(keep + first, saved + first, sizeof *saved * (cut - first));
    }
    free(cuts);
    free(saved);
    return rc < 0 ? rc : 0;
}

/* The real-time prefix at stamp t: calls invoked at or before t; those that had
 * not returned by t become pending. */
static void lc_prefix(struct lc_shrink *k, const struct hist_event *const *orig, uint64_t t,
                      bool *keep)
{
    for (size_t i = 0; i < k->n; i++) {
        k->work[i] = *orig[i];
        keep[i] = orig[i]->inv <= t;
        if (!lc_pending(orig[i]) && orig[i]->ret > t)
            k->work[i].ret = HIST_PENDING;
    }
}

static int lc_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * Shrink the violating lifetime `orig` (n events). On return keep[] marks the
 * events of the counterexample, k->work holds them (with pending conversions),
 * *culprit is the culprit's index, *complete says whether the budget sufficed.
 */
static int lc_shrink_lifetime(struct lc_shrink *k, const struct hist_event *const *orig,
                              bool *keep, size_t *culprit, bool *complete)
{
    size_t n = k->n;
    *complete = false;
    *culprit = LINCHECK__NONE;
    /* 1. Bisect the shortest violating real-time prefix over response stamps. */
    uint64_t *rets = malloc(sizeof *rets * (n ? n : 1));
    if (rets == NULL)
        return LINCHECK_ENOMEM;
    size_t n_rets = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lc_pending(orig[i]))
            rets[n_rets++] = orig[i]->ret;
    }
    if (n_rets > 1)
        qsort(rets, n_rets, sizeof *rets, lc_cmp_u64);
    size_t lo = 0, hi = n_rets; /* answer in [lo, hi); hi = "whole history" */
    while (lo < hi && k->left > 0) {
        size_t mid = lo + (hi - lo) / 2;
        lc_prefix(k, orig, rets[mid], keep);
        struct lincheck__outcome o;
        int rc = lc_shrink_run(k, keep, LINCHECK__NONE, &o);
        if (rc != 0) {
            free(rets);
            return rc;
        }
        if (o.verdict == LINCHECK_VIOLATION)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (hi < n_rets) {
        uint64_t t = rets[hi];
        lc_prefix(k, orig, t, keep);
        for (size_t i = 0; i < n; i++) {
            if (orig[i]->ret == t)
                *culprit = i;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            k->work[i] = *orig[i];
            keep[i] = true;
        }
    }
    free(rets);
    if (*culprit == LINCHECK__NONE)
        return 0; /* no single call to blame: report the whole lifetime */
    struct lincheck__outcome o;
    int rc = lc_shrink_run(k, keep, *culprit, &o);
    if (rc != 0)
        return rc;
    k->sig_have = o.have_expect;
    k->sig_err = o.expect.err;
    rc = lc_shrink_test(k, keep, *culprit);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return 0; /* the prefix alone does not isolate it: keep it whole */
    rc = lc_cut_history(k, keep, *culprit);
    if (rc < 0)
        return rc;

    /* 3. ddmin: drop chunks of the other events while the test holds; then try
     * adjacent pairs (a Begin and its End go together), and again. */
    size_t *items = malloc(sizeof *items * (n ? n : 1));
    if (items == NULL)
        return LINCHECK_ENOMEM;
    size_t n_items = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep[i] && i != *culprit)
            items[n_items++] = i;
    }
    for (;;) {
        rc = lc_ddmin(k, keep, *culprit, items, &n_items);
        if (rc < 0)
            break;
        rc = lc_drop_pairs(k, keep, *culprit, items, &n_items);
        if (rc <= 0)
            break;
    }
    free(items);
    if (rc < 0)
        return rc;
    *complete = k->left > 0;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Counterexamples.
 * ------------------------------------------------------------------------- */

void lincheck__cex_free(struct lincheck_cex *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_names; i++)
        free(c->names[i]);
    free(c->names);
    free(c->setup);
    free(c->ev);
    free(c->order);
    free(c);
}

/* Give every name pointer in the cex its own copy. */
static int lc_cex_own_name(struct lincheck_cex *c, const char **name)
{
    if (*name == NULL)
        return 0;
    char **names = realloc(c->names, (c->n_names + 1) * sizeof *names);
    if (names == NULL)
        return LINCHECK_ENOMEM;
    c->names = names;
    size_t len = strlen(*name);
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return LINCHECK_ENOMEM;
    memcpy(copy, *name, len + 1);
    c->names[c->n_names++] = copy;
    *name = copy;
    return 0;
}

static int lc_cex_alloc(struct lincheck_cex **out, const struct model_config *mcfg, uint32_t lifetime,
                        const struct model_call *setup, size_t n_setup, size_t n_ev)
{
    struct lincheck_cex *c = calloc(1, sizeof *c);
    if (c == NULL)
        return LINCHECK_ENOMEM;
    c->model = *mcfg;
    c->lifetime = lifetime;
    c->ev = calloc(n_ev ? n_ev : 1, sizeof *c->ev);
    c->setup = calloc(n_setup ? n_setup : 1, sizeof *c->setup);
    if (c->ev == NULL || c->setup == NULL)
        goto fail;
    c->n_setup = n_setup;
    for (size_t i = 0; i < n_setup; i++) {
        c->setup[i] = setup[i];
        if (lc_cex_own_name(c, &c->setup[i].name))
            goto fail;
    }
    *out = c;
    return 0;
fail:
    lincheck__cex_free(c);
    return LINCHECK_ENOMEM;
}

static int lc_cex_add_event(struct lincheck_cex *c, const struct hist_event *e)
{
    c->ev[c->n_ev] = *e;
    return lc_cex_own_name(c, &c->ev[c->n_ev++].call.name);
}

/* The explanation line of a cex, from its culprit and the model's answer. */
static void lc_cex_message(struct lincheck_cex *c)
{
    char d[256], e1[96], rules[96];
    const struct hist_event *e = &c->ev[c->culprit];
    lincheck__describe(e, d, sizeof d);
    if (c->lifetime == HIST_NO_LIFETIME) {
        snprintf(c->message, sizeof c->message,
                 "no-lifetime call %s is not what a call with a handle that names no instance "
                 "returns (the model: %s), or it changed state (R3, R9, R11, R15)",
                 d, lincheck__err_text(c->expect.err, e1, sizeof e1));
        return;
    }
    int k = snprintf(c->message, sizeof c->message,
                     "lifetime %" PRIu32 ": %s is explained by no order of the calls", c->lifetime,
                     d);
    if (k <= 0 || (size_t)k >= sizeof c->message)
        return;
    if (c->have_expect) {
        lincheck__rules_text(&c->expect, rules, sizeof rules);
        snprintf(c->message + k, sizeof c->message - (size_t)k,
                 "; at the furthest point the search reached, the model answers %s%s%s%s",
                 lincheck__err_text(c->expect.err, e1, sizeof e1), rules[0] ? " by " : "", rules,
                 c->expect_locked ? " (inside JetTerm's lock window, R54)" : "");
    } else if (c->have_blocked && c->blocked < c->n_ev) {
        const struct hist_event *b = &c->ev[c->blocked];
        lincheck__rules_text(&c->blocked_res, rules, sizeof rules);
        snprintf(c->message + k, sizeof c->message - (size_t)k,
                 "; at the furthest point the search reached, t%" PRIu32
                 " %s (call #%zu, returned %" PRId32 ") gets %s from the model%s%s%s",
                 b->thread, model_op_name(b->call.op), c->blocked + 1, (int32_t)b->err,
                 lincheck__err_text(c->blocked_res.err, e1, sizeof e1), rules[0] ? " by " : "",
                 rules, c->blocked_locked ? " (inside JetTerm's lock window, R54)" : "");
    }
}

/* Build the counterexample of violating lifetime `evs`. */
int lincheck__make_cex(struct lincheck__search *s, const struct lincheck_config *cfg, uint32_t lifetime,
                       const struct hist_event *const *evs, size_t n, const struct model_call *setup,
                       size_t n_setup, uint64_t max_steps, struct lincheck_cex **out)
{
    *out = NULL;
    struct lc_shrink k = {.s = s, .mcfg = &cfg->model, .setup = setup, .n_setup = n_setup,
                          .per_test = max_steps, .n = n};
    k.left = cfg->no_shrink ? 0
             : cfg->max_shrink_steps ? cfg->max_shrink_steps
                                     : LINCHECK_DEFAULT_MAX_SHRINK_STEPS;
    k.work = malloc(sizeof *k.work * (n ? n : 1));
    k.list = malloc(sizeof *k.list * (n ? n : 1));
    bool *keep = malloc(sizeof *keep * (n ? n : 1));
    struct lincheck_cex *c = NULL;
    struct lincheck__outcome o = {0};
    int rc = LINCHECK_ENOMEM;
    if (k.work == NULL || k.list == NULL || keep == NULL)
        goto done;
    size_t culprit = LINCHECK__NONE;
    bool complete = false;
    if (k.left > 0) {
        rc = lc_shrink_lifetime(&k, evs, keep, &culprit, &complete);
        if (rc != 0)
            goto done;
    } else {
        for (size_t i = 0; i < n; i++) {
            k.work[i] = *evs[i];
            keep[i] = true;
        }
    }
    /* The final diagnosis: the longest linearisable prefix and the model's
     * answer for the culprit there. */
    size_t m = 0, culprit_pos = LINCHECK__NONE;
    for (size_t i = 0; i < n; i++) {
        if (keep[i]) {
            if (i == culprit)
                culprit_pos = m;
            k.list[m++] = &k.work[i];
        }
    }
    rc = lincheck__search_run(s, k.list, m, &cfg->model, setup, n_setup, max_steps, true,
                       culprit_pos == LINCHECK__NONE ? LINCHECK__NONE : (uint32_t)culprit_pos, &o);
    if (rc != 0)
        goto done;
    rc = lc_cex_alloc(&c, &cfg->model, lifetime, setup, n_setup, m);
    if (rc != 0)
        goto done;
    for (size_t i = 0; i < m; i++) {
        if ((rc = lc_cex_add_event(c, k.list[i])) != 0)
            goto done;
    }
    c->culprit = culprit_pos != LINCHECK__NONE ? culprit_pos : o.culprit != LINCHECK__NONE ? o.culprit : 0;
    c->have_expect = o.have_expect && (o.culprit == c->culprit);
    c->expect = o.expect;
    c->expect_locked = o.expect_locked;
    c->have_blocked = o.have_blocked;
    c->blocked = o.blocked;
    c->blocked_res = o.blocked_res;
    c->blocked_locked = o.blocked_locked;
    c->order = o.order;
    c->n_order = o.n_order;
    o.order = NULL;
    c->n_original = n;
    c->shrink_complete = complete;
    lc_cex_message(c);
    *out = c;
    c = NULL;
    rc = 0;
done:
    free(o.order);
    lincheck__cex_free(c);
    free(k.work);
    free(k.list);
    free(keep);
    return rc;
}

int lincheck__make_ref_cex(const struct lincheck_config *cfg, const struct hist_event *e,
                           const struct model_result *r, struct lincheck_cex **out)
{
    struct lincheck_cex *c;
    int rc = lc_cex_alloc(&c, &cfg->model, HIST_NO_LIFETIME, NULL, 0, 1);
    if (rc != 0)
        return rc;
    if ((rc = lc_cex_add_event(c, e)) != 0) {
        lincheck__cex_free(c);
        return rc;
    }
    c->culprit = 0;
    c->have_expect = true;
    c->expect = *r;
    c->n_original = 1;
    c->shrink_complete = true;
    lc_cex_message(c);
    *out = c;
    return 0;
}

size_t lincheck_cex_events(const struct lincheck_cex *cex, const struct hist_event **out)
{
    *out = cex->ev;
    return cex->n_ev;
}

size_t lincheck_cex_culprit(const struct lincheck_cex *cex)
{
    return cex->culprit;
}

