/*
 * lincheck_fast.c: the verdict on one lifetime, cut at its quiet points
 * (lincheck_int.h, lincheck__check_lifetime). Split from lincheck.c, which
 * holds the search itself, because this is a driver around that search with
 * its own state (the set of worlds the past may have left).
 *
 * Why it is exact. Events are in invocation order. A quiet point is an index
 * b such that every event before b returned no later than event b (and so
 * every later event) was invoked. The search linearises a call only while it
 * was invoked before the earliest response of the calls not yet linearised
 * (Wing & Gong), so every linearisation of the lifetime linearises all calls
 * before b first: they are completed calls, which may not be skipped. When
 * they are all linearised, every JetTerm among them has had its effect after
 * its lock, so no lock is held (R54). The search's node at that point is thus
 * fully described by the world, and the lifetime is linearisable iff some
 * world reachable by linearising the first group leads to a linearisation of
 * the rest. A pending call returns never: the group holding it runs to the
 * end of the lifetime.
 *
 * So: the set of worlds (usually one) is carried from quiet point to quiet
 * point. A group of one completed call is one model step per world, compared
 * with the recorded result (a JetTerm alone: its lock changes no world and its
 * effect follows at once, which is the plain step). A larger group is searched
 * from each world, enumerating the distinct worlds its linearisations end in
 * (the last group only needs one linearisation).
 *
 * Enumeration can be exponential where first-success search is not (k calls
 * that change nothing: 2^k sets, one world). If a group's enumeration takes
 * more than LF_ENUM_STEPS or ends in more than LF_MAX_WORLDS worlds, the
 * group is searched optimistically instead: the first end world found is
 * carried on alone. A linearisation found that way is still a witness (the
 * groups' linearisations put end to end), so LINEARIZABLE stays exact; but a
 * dead end after an optimistic group is no verdict, and the whole lifetime
 * then goes to the plain search with the budget left. So the verdict never
 * depends on these limits. Model steps count against the lifetime's budget as
 * in the plain search.
 */
#include <stdlib.h>
#include <string.h>

#include "lincheck_int.h"

#define LF_MAX_WORLDS 32u
/* Steps a group's enumeration may take before the group is searched
 * optimistically: ample for the small groups stress produces (a Stop across a
 * read: a handful of steps), small against a first-success search. */
#define LF_ENUM_STEPS(k) (64u + 16u * (uint64_t)(k))

/* A set of distinct worlds, each model_world_size() bytes. */
struct lf_set {
    unsigned char *w;
    size_t n, cap, wsize;
    bool overflow, enomem;
};

static unsigned char *lf_at(const struct lf_set *s, size_t i)
{
    return s->w + i * s->wsize;
}

static int lf_add(void *ctx, const struct model_world *w)
{
    struct lf_set *s = ctx;
    for (size_t i = 0; i < s->n; i++) {
        if (memcmp(lf_at(s, i), w, s->wsize) == 0)
            return 0;
    }
    if (s->n == LF_MAX_WORLDS) {
        s->overflow = true;
        return 1; /* stops the enumeration; the caller falls back */
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 2;
        unsigned char *q = realloc(s->w, cap * s->wsize);
        if (q == NULL) {
            s->enomem = true;
            return 1;
        }
        s->w = q;
        s->cap = cap;
    }
    memcpy(lf_at(s, s->n++), w, s->wsize);
    return 0;
}

/* Drop duplicates (steps may make different worlds equal). */
static void lf_dedupe(struct lf_set *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = memcmp(lf_at(s, j), lf_at(s, i), s->wsize) == 0;
        if (!dup && k != i)
            memcpy(lf_at(s, k), lf_at(s, i), s->wsize);
        k += !dup;
    }
    s->n = k;
}

/* One completed call alone between quiet points: step every world, keep those
 * whose answer matches the recorded one. */
static void lf_step(struct lf_set *cur, const struct hist_event *e, JET_INSTANCE handle)
{
    struct model_call c = e->call;
    struct model_result r;
    c.fault = e->fault;
    if (lincheck__takes_handle(&c))
        c.inst = handle;
    size_t k = 0;
    for (size_t i = 0; i < cur->n; i++) {
        unsigned char *w = lf_at(cur, i);
        model_step((struct model_world *)(void *)w, &c, &r);
        if (!lincheck__match(e, &r))
            continue;
        if (k != i)
            memcpy(lf_at(cur, k), w, cur->wsize);
        k++;
    }
    cur->n = k;
    if (k > 1)
        lf_dedupe(cur);
}

/* Stop an enumeration at its first end world (the optimistic mode). */
static int lf_first(void *ctx, const struct model_world *w)
{
    int rc = lf_add(ctx, w);
    return rc != 0 ? rc : 1;
}

/* What a group left. */
enum lf_res { LF_NEXT = 0, LF_DEAD, LF_OVER_BUDGET, LF_LAST_OK };

/*
 * Group evs[0..k) (overlapping calls between two quiet points, or the last
 * group) from every world of cur. Exact: next receives every world some
 * linearisation ends in. If that takes more than the group's allowance (or
 * more worlds than LF_MAX_WORLDS), optimistic: next receives the first end
 * world found, and *approx is set (a dead end later is then not a verdict).
 */
static int lf_group(struct lincheck__search *s, const struct hist_event *const *evs, size_t k,
                    bool last, JET_INSTANCE handle, const struct lf_set *cur, struct lf_set *next,
                    uint64_t budget, uint64_t group_steps, uint64_t *steps, bool *approx,
                    enum lf_res *res)
{
    struct lincheck__outcome o;
    int rc;
    for (int exact = last ? 0 : 1; exact >= 0; exact--) {
        next->n = 0;
        next->overflow = next->enomem = false;
        bool capped = false;
        for (size_t i = 0; i < cur->n && !capped; i++) {
            if (*steps >= budget) {
                *res = LF_OVER_BUDGET;
                return 0;
            }
            uint64_t left = budget - *steps, allow = left;
            uint64_t cap = group_steps ? group_steps : LF_ENUM_STEPS(k);
            if (exact && allow > cap)
                allow = cap;
            const struct model_world *w = (const struct model_world *)(void *)lf_at(cur, i);
            rc = lincheck__search_from(s, evs, k, w, handle, allow,
                                       last ? NULL : exact ? lf_add : lf_first, next, &o);
            *steps += o.steps;
            if (next->enomem)
                return LINCHECK_ENOMEM;
            if (rc < 0)
                return rc;
            if (o.verdict == LINCHECK_UNKNOWN && allow == left) {
                *res = LF_OVER_BUDGET;
                return 0;
            }
            capped = next->overflow || o.verdict == LINCHECK_UNKNOWN;
            if (last && o.verdict == LINCHECK_LINEARIZABLE) {
                *res = LF_LAST_OK;
                return 0;
            }
            if (!exact && next->n > 0)
                break; /* rc == 1: lf_first stopped it */
        }
        if (!capped) {
            if (!exact && next->n > 0)
                *approx = true; /* other worlds may have been possible */
            *res = next->n > 0 ? LF_NEXT : LF_DEAD;
            return 0;
        }
    }
    *res = LF_DEAD; /* not reached: the optimistic pass is never capped but by the budget */
    return 0;
}

int lincheck__check_lifetime(struct lincheck__search *s, const struct hist_event *const *evs,
                             size_t n, const struct model_config *mcfg,
                             const struct model_call *setup, size_t n_setup, uint64_t budget,
                             uint64_t group_steps, struct lincheck__outcome *out)
{
    size_t wsize = model_world_size();
    struct lf_set set[2] = {{.wsize = wsize}, {.wsize = wsize}};
    struct lf_set *cur = &set[0], *next = &set[1];
    uint64_t steps = 0;
    int rc = LINCHECK_ENOMEM;
    bool approx = false;
    enum lf_res res = LF_NEXT;

    memset(out, 0, sizeof *out);
    out->culprit = out->blocked = LINCHECK__NONE;
    set[0].w = malloc(wsize);
    if (set[0].w == NULL)
        goto done;
    set[0].cap = 1;
    JET_INSTANCE handle =
        lincheck__start_world((struct model_world *)(void *)cur->w, mcfg, setup, n_setup, evs, n);
    cur->n = 1;

    for (size_t a = 0; a < n && res == LF_NEXT;) {
        uint64_t maxret = evs[a]->ret; /* HIST_PENDING: never returned */
        size_t b = a + 1;
        while (b < n && evs[b]->inv < maxret) {
            if (evs[b]->ret > maxret)
                maxret = evs[b]->ret;
            b++;
        }
        if (b == a + 1 && evs[a]->ret != HIST_PENDING) {
            steps += cur->n;
            lf_step(cur, evs[a], handle);
            res = cur->n == 0 ? LF_DEAD : steps > budget ? LF_OVER_BUDGET : LF_NEXT;
        } else {
            rc = lf_group(s, evs + a, b - a, b == n, handle, cur, next, budget, group_steps, &steps,
                          &approx, &res);
            if (rc != 0)
                goto done;
            struct lf_set *t = cur;
            cur = next;
            next = t;
        }
        a = b;
    }
    switch (res) {
    case LF_NEXT:
    case LF_LAST_OK:
        out->verdict = LINCHECK_LINEARIZABLE; /* a linearisation was found */
        break;
    case LF_OVER_BUDGET:
        out->verdict = LINCHECK_UNKNOWN;
        break;
    case LF_DEAD:
        if (!approx) {
            out->verdict = LINCHECK_VIOLATION; /* every world was followed */
            break;
        }
        /* A world was dropped on the way: only the plain search may say. */
        struct lincheck__outcome o;
        rc = lincheck__search_run(s, evs, n, mcfg, setup, n_setup, budget > steps ? budget - steps : 0,
                                  false, LINCHECK__NONE, &o);
        if (rc != 0)
            goto done;
        out->verdict = o.verdict;
        steps += o.steps;
        break;
    }
    out->steps = steps;
    rc = 0;
done:
    free(set[0].w);
    free(set[1].w);
    return rc;
}
