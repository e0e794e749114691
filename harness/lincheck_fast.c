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
 * (the last group only needs one linearisation). If the worlds grow beyond
 * LF_MAX_WORLDS or a group's enumeration beyond its step allowance, the whole
 * lifetime goes to the plain search with the budget left, so the verdict never
 * depends on these limits. Model steps count against the lifetime's budget as
 * in the plain search.
 */
#include <stdlib.h>
#include <string.h>

#include "lincheck_int.h"

#define LF_MAX_WORLDS 32u
/* Steps a group's enumeration may take before the lifetime goes to the plain
 * search: generous for the small groups stress produces (a Stop across a read:
 * a handful of steps), small against a search of the whole lifetime. */
#define LF_ENUM_STEPS(k) (4096u + 64u * (uint64_t)(k))

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

int lincheck__check_lifetime(struct lincheck__search *s, const struct hist_event *const *evs,
                             size_t n, const struct model_config *mcfg,
                             const struct model_call *setup, size_t n_setup, uint64_t budget,
                             struct lincheck__outcome *out)
{
    size_t wsize = model_world_size();
    struct lf_set set[2] = {{.wsize = wsize}, {.wsize = wsize}};
    struct lf_set *cur = &set[0], *next = &set[1];
    uint64_t steps = 0;
    int rc = LINCHECK_ENOMEM;
    bool fallback = false;

    memset(out, 0, sizeof *out);
    out->culprit = out->blocked = LINCHECK__NONE;
    set[0].w = malloc(wsize);
    if (set[0].w == NULL)
        goto done;
    set[0].cap = 1;
    JET_INSTANCE handle =
        lincheck__start_world((struct model_world *)(void *)cur->w, mcfg, setup, n_setup, evs, n);
    cur->n = 1;

    out->verdict = LINCHECK_LINEARIZABLE;
    for (size_t a = 0; a < n && !fallback;) {
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
        } else {
            /* A group of overlapping calls, or the last group with a pending
             * call: search it from every world. */
            bool last = b == n;
            next->n = 0;
            next->overflow = false;
            bool any = false;
            for (size_t i = 0; i < cur->n && !fallback; i++) {
                if (steps >= budget) {
                    out->verdict = LINCHECK_UNKNOWN;
                    goto verdict;
                }
                uint64_t allow = budget - steps;
                if (!last && allow > LF_ENUM_STEPS(b - a))
                    allow = LF_ENUM_STEPS(b - a);
                struct lincheck__outcome o;
                rc = lincheck__search_from(s, evs + a, b - a,
                                           (const struct model_world *)(void *)lf_at(cur, i), handle,
                                           allow, last ? NULL : lf_add, next, &o);
                steps += o.steps;
                if (next->enomem) {
                    rc = LINCHECK_ENOMEM;
                    goto done;
                }
                if (rc != 0 && !(rc == 1 && next->overflow))
                    goto done;
                rc = 0;
                if (next->overflow || (o.verdict == LINCHECK_UNKNOWN && !last)) {
                    fallback = true;
                } else if (o.verdict == LINCHECK_UNKNOWN) {
                    out->verdict = LINCHECK_UNKNOWN;
                    goto verdict;
                } else if (o.verdict == LINCHECK_LINEARIZABLE) {
                    any = true;
                    if (last)
                        break;
                }
            }
            if (fallback)
                break;
            if (last) {
                if (!any)
                    out->verdict = LINCHECK_VIOLATION;
                goto verdict;
            }
            struct lf_set *t = cur;
            cur = next;
            next = t;
        }
        if (cur->n == 0) {
            out->verdict = LINCHECK_VIOLATION;
            goto verdict;
        }
        if (steps > budget) {
            out->verdict = LINCHECK_UNKNOWN;
            goto verdict;
        }
        a = b;
    }
    if (fallback) {
        struct lincheck__outcome o;
        uint64_t left = budget > steps ? budget - steps : 0;
        rc = lincheck__search_run(s, evs, n, mcfg, setup, n_setup, left, false, LINCHECK__NONE, &o);
        if (rc != 0)
            goto done;
        out->verdict = o.verdict;
        steps += o.steps;
    }
verdict:
    out->steps = steps;
    rc = 0;
done:
    free(set[0].w);
    free(set[1].w);
    return rc;
}
