/*
 * lincheck.c: the linearizability checker (lincheck.h): partitioning by
 * lifetime, the checks of no-lifetime calls and of overlaps (R55), and the
 * per-lifetime search. Shrinking a violation is lincheck_shrink.c; the reports
 * (timeline, HTML, .scn) are lincheck_report.c.
 *
 * The search. A lifetime's calls become "ops" (one linearisation point each;
 * JetTerm gives two, lock then effect), sorted by invocation. A node of the
 * search is (set of ops linearised, model world, lock flag). From a node, the
 * ops that may come next are the unlinearised ones invoked before the earliest
 * response among unlinearised completed ops (Wing & Gong; Lowe). The search is
 * depth-first with an explicit stack; trying an op copies the world, steps the
 * model, and compares the result with the recorded one. Every node reached is
 * remembered (memoisation as in Lowe's and Porcupine's checkers), so each
 * configuration is expanded once.
 *
 * Representations chosen for speed and memory, not copied from anywhere:
 *   - Worlds are interned: every distinct world reached is stored once, with
 *     its trailing zero bytes trimmed (a lifetime's world uses one table slot,
 *     so most of model_world_size() is zero). A node refers to its world by id.
 *   - The linearised set is a bitset with an incremental Zobrist hash; in the
 *     memo it is stored canonically as p (every completed op below p is
 *     linearised, op p is not) plus the few linearised ops beyond p and the
 *     linearised pending ops below p. For histories that are mostly sequential
 *     that is a handful of numbers per node.
 *   - A node's key is a 64-bit mix of the set's hash, the world's hash and the
 *     lock flag; equal keys are confirmed by comparing sets and world ids
 *     exactly, so a hash collision can never prune a live branch.
 *   - Tables and arenas belong to a reusable search context: they grow by
 *     doubling and are reset, not freed, between lifetimes; the inner loop does
 *     not allocate except when a table grows.
 *
 * Budget: a lifetime whose search needs more than max_steps model steps gets
 * the verdict UNKNOWN, never a pass.
 *
 * Equal worlds: before interning, the new world is compared with the current
 * one (failed and read-only calls change nothing), and only the bytes that may
 * be non-zero are copied.
 */
#include "lincheck.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck_int.h"

/* A handle no model instance ever has: its low byte (the table slot) is out of
 * range, so the lookup never matches (model.c's handle encoding). */
#define LC_NEVER_HANDLE ((JET_INSTANCE)0x7E57AB1EFFu)

/* ---------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------- */

const char *lincheck_strerror(int status)
{
    switch (status) {
    case LINCHECK_OK: return "ok";
    case LINCHECK_ENOMEM: return "out of memory";
    case LINCHECK_EINVAL: return "malformed history or argument";
    case LINCHECK_EOVERLAP: return "undefined overlap generated";
    case LINCHECK_EIO: return "could not write a counterexample file";
    default: return "unknown lincheck status";
    }
}

const char *lincheck_verdict_name(enum lincheck_verdict v)
{
    switch (v) {
    case LINCHECK_LINEARIZABLE: return "linearizable";
    case LINCHECK_VIOLATION: return "VIOLATION";
    case LINCHECK_UNKNOWN: return "unknown (budget exceeded)";
    }
    return "?";
}

/* Grow *p (an array of elem-byte items with capacity *cap) to hold need items. */
static int lc_reserve(void *pp, size_t *cap, size_t need, size_t elem)
{
    void **p = pp;
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem)
        return LINCHECK_ENOMEM;
    void *q = realloc(*p, n * elem);
    if (q == NULL)
        return LINCHECK_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static inline uint64_t lc_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBu;
    x ^= x >> 31;
    return x;
}

/* Hash of a trimmed world: word-wise multiply-xorshift, then the length. */
static uint64_t lc_hash_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 0x243F6A8885A308D3u ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        h = (h ^ v) * 0x9E3779B97F4A7C15u;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x100000001B3u;
    return lc_mix64(h);
}

static const unsigned char lc_zero64[64];

/* Length of w without its trailing zero bytes. */
static size_t lc_trim(const unsigned char *w, size_t n)
{
    while (n % 8 != 0) {
        if (w[n - 1] != 0)
            return n;
        n--;
    }
    while (n >= 64 && memcmp(w + n - 64, lc_zero64, 64) == 0)
        n -= 64;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, w + n - 8, 8);
        if (v != 0)
            return n;
        n -= 8;
    }
    return n;
}

/* Calls whose handle argument is the lifetime's instance. */
bool lincheck__takes_handle(const struct model_call *c)
{
    if (c->op == MODEL_OP_CREATE_INSTANCE || model_op_is_legacy(c->op))
        return false;
    if (c->op == MODEL_OP_INIT &&
        ((c->flags & MODEL_CALL_PINST_NULL) || c->inst == 0 || c->inst == JET_instanceNil))
        return false;
    return true;
}

/* The calls stage G gates (§2.3), in instance or legacy form: they fail with
 * -1000 while JetTerm holds the API lock (R54). */
static bool lc_gated(enum model_op op)
{
    switch (op) {
    case MODEL_OP_BEGIN:
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_READ_FILE:
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_END:
    case MODEL_OP_END2:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_CLOSE_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
    case MODEL_OP_END_LEGACY:
        return true;
    default:
        return false;
    }
}

static bool lc_is_term(enum model_op op)
{
    return op == MODEL_OP_TERM || op == MODEL_OP_TERM2;
}

static inline bool lc_pending(const struct hist_event *e)
{
    return e->ret == HIST_PENDING;
}

static bool lc_is_begin(enum model_op op)
{
    return op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY;
}

/* A Begin that failed after its claim (§4.1 step 15: -560; the model has no
 * other failure after step 13). From its claim until it undoes it, a
 * concurrent Begin sees a backup in progress (§6.3: -505, or -617 if the
 * claim is a surrogate one). Such a Begin takes effect at two points, the
 * claim and the effect (the model's step), both inside its interval. */
static bool lc_fails_after_claim(const struct hist_event *e)
{
    return lc_is_begin(e->call.op) && !lc_pending(e) && e->err == JET_errMissingFullBackup;
}

static bool lc_two_points(const struct hist_event *e)
{
    return lc_is_term(e->call.op) || lc_fails_after_claim(e);
}

/* Does the recorded response agree with the model's? (lincheck.h: err, and the
 * out-parameters both sides define.) */
bool lincheck__match(const struct hist_event *e, const struct model_result *r)
{
    if (r->undefined)
        return true; /* D7: the spec says "do not test"; the model's world is unchanged */
    if (e->err != r->err)
        return false;
    uint32_t both = e->outs & r->outs;
    if ((both & MODEL_OUT_HF) && (e->hf != r->hf || e->size != r->size))
        return false;
    if ((both & MODEL_OUT_CB) && e->cb_actual != r->cb_actual)
        return false;
    if ((both & MODEL_OUT_GENS) && (e->gen_low != r->gen_low || e->gen_high != r->gen_high))
        return false;
    return true;
}


/* ---------------------------------------------------------------------------
 * The search context.
 * ------------------------------------------------------------------------- */

struct lc_op {
    uint64_t inv, ret; /* ret == HIST_PENDING: pending */
    struct model_call call;
    struct hist_event resp; /* the recorded response (a copy: the search reads it
                               often, the history is large and scattered) */
    uint32_t ev;       /* index into the search's event list */
    uint8_t kind;      /* enum lincheck__kind */
    uint8_t pending;
    uint8_t gated;
};

struct lc_state {
    uint64_t hash;
    size_t off; /* into pool */
    uint32_t len;
};

struct lc_memo {
    uint64_t key;
    uint32_t sid, p, ext_off, n_ext;
    uint8_t locked;
};

struct lc_frame {
    uint64_t scan_minret; /* earliest response among unlinearised ops scanned */
    uint64_t fail_ret;
    uint32_t op;          /* the op linearised to reach this node */
    uint32_t sid;         /* this node's world */
    uint32_t p;           /* first unlinearised completed op */
    uint32_t pend_pos;    /* next pending op below p to try */
    uint32_t scan;        /* next op of the forward scan */
    uint32_t minret_op;   /* the op giving scan_minret */
    uint32_t fail_op;     /* earliest-returning candidate the model disagreed with */
    uint32_t claim;       /* 1 + the CLAIM op whose effect is still to come, or 0 */
    uint8_t locked;
    uint8_t phase;        /* 0 pending ops below p, 1 forward scan, 2 done */
    uint8_t had_child;
    uint8_t fail_locked, hint_failed, hint_locked;
    struct model_result fail_res, hint_res;
};

struct lincheck__search {
    size_t wsize;
    unsigned char *cur, *tmp; /* the node's world, and the next one being tried */
    size_t cur_len, tmp_len;  /* every byte from here on is zero */
    JET_INSTANCE handle;

    struct lc_op *ops;
    size_t n_ops, cap_ops;
    uint64_t *zob;
    size_t cap_zob;
    uint64_t *bits;
    size_t cap_bits;
    uint32_t *pend;
    size_t n_pend, cap_pend;

    unsigned char *pool;
    size_t pool_len, pool_cap;
    struct lc_state *st;
    size_t n_st, cap_st;
    uint32_t *st_index; /* id + 1, 0 = empty */
    size_t st_index_cap;

    struct lc_memo *memo;
    size_t n_memo, cap_memo;
    uint32_t *memo_index;
    size_t memo_index_cap;
    uint32_t *ext;
    size_t n_ext, cap_ext;

    struct lc_frame *stack;
    size_t cap_stack;
};


int lincheck__search_new(struct lincheck__search **out)
{
    struct lincheck__search *s = calloc(1, sizeof *s);
    *out = NULL;
    if (s == NULL)
        return LINCHECK_ENOMEM;
    s->wsize = model_world_size();
    s->cur = malloc(s->wsize);
    s->tmp = malloc(s->wsize);
    if (s->cur == NULL || s->tmp == NULL) {
        lincheck__search_delete(s);
        return LINCHECK_ENOMEM;
    }
    *out = s;
    return 0;
}

void lincheck__search_delete(struct lincheck__search *s)
{
    if (s == NULL)
        return;
    free(s->cur);
    free(s->tmp);
    free(s->ops);
    free(s->zob);
    free(s->bits);
    free(s->pend);
    free(s->pool);
    free(s->st);
    free(s->st_index);
    free(s->memo);
    free(s->memo_index);
    free(s->ext);
    free(s->stack);
    free(s);
}

#define LC_W(p) ((struct model_world *)(void *)(p))
#define LC_CW(p) ((const struct model_world *)(const void *)(p))

static inline bool lc_bit(const struct lincheck__search *s, uint32_t i)
{
    return (s->bits[i >> 6] >> (i & 63)) & 1u;
}
static inline void lc_set(struct lincheck__search *s, uint32_t i)
{
    s->bits[i >> 6] |= (uint64_t)1 << (i & 63);
}
static inline void lc_clear(struct lincheck__search *s, uint32_t i)
{
    s->bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* --- interned worlds ------------------------------------------------------ */

static int lc_index_grow(uint32_t **index, size_t *cap, size_t n_items, size_t min_cap)
{
    if (*cap != 0 && (n_items + 1) * 2 <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : min_cap;
    while ((n_items + 1) * 2 > ncap)
        ncap *= 2;
    uint32_t *q = calloc(ncap, sizeof *q);
    if (q == NULL)
        return LINCHECK_ENOMEM;
    free(*index);
    *index = q;
    *cap = ncap;
    return 1; /* rebuilt empty: the caller reinserts */
}

static int lc_state_index_rebuild(struct lincheck__search *s)
{
    int rc = lc_index_grow(&s->st_index, &s->st_index_cap, s->n_st, 1024);
    if (rc <= 0)
        return rc;
    size_t mask = s->st_index_cap - 1;
    for (size_t id = 0; id < s->n_st; id++) {
        size_t i = s->st[id].hash & mask;
        while (s->st_index[i] != 0)
            i = (i + 1) & mask;
        s->st_index[i] = (uint32_t)id + 1;
    }
    return 0;
}

/* The id of world w (all zero from byte `bound` on), adding it if new. */
static int lc_intern(struct lincheck__search *s, const unsigned char *w, size_t bound, uint32_t *sid)
{
    size_t len = lc_trim(w, bound);
    uint64_t h = lc_hash_bytes(w, len);
    size_t mask = s->st_index_cap - 1;
    size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t id = s->st_index[i];
        if (id == 0)
            break;
        const struct lc_state *e = &s->st[id - 1];
        if (e->hash == h && e->len == len && memcmp(s->pool + e->off, w, len) == 0) {
            *sid = id - 1;
            return 0;
        }
    }
    if (s->n_st >= UINT32_MAX - 1)
        return LINCHECK_ENOMEM;
    if (lc_reserve(&s->st, &s->cap_st, s->n_st + 1, sizeof *s->st) ||
        lc_reserve(&s->pool, &s->pool_cap, s->pool_len + len, 1))
        return LINCHECK_ENOMEM;
    if (len > 0)
        memcpy(s->pool + s->pool_len, w, len);
    s->st[s->n_st] = (struct lc_state){.hash = h, .off = s->pool_len, .len = (uint32_t)len};
    s->pool_len += len;
    *sid = (uint32_t)s->n_st++;
    if ((s->n_st + 1) * 2 > s->st_index_cap)
        return lc_state_index_rebuild(s);
    s->st_index[i] = *sid + 1;
    return 0;
}

/* Make s->cur the world `sid`. */
static void lc_load(struct lincheck__search *s, uint32_t sid)
{
    const struct lc_state *e = &s->st[sid];
    if (e->len > 0)
        memcpy(s->cur, s->pool + e->off, e->len);
    if (s->cur_len > e->len)
        memset(s->cur + e->len, 0, s->cur_len - e->len);
    s->cur_len = e->len;
}

/* s->tmp := s->cur, copying only the bytes that may be non-zero. */
static void lc_copy_cur(struct lincheck__search *s)
{
    memcpy(s->tmp, s->cur, s->cur_len);
    if (s->tmp_len > s->cur_len)
        memset(s->tmp + s->cur_len, 0, s->tmp_len - s->cur_len);
    s->tmp_len = s->cur_len;
}

/* --- the memo -------------------------------------------------------------- */

static uint32_t lc_pend_below(const struct lincheck__search *s, uint32_t p)
{
    uint32_t lo = 0, hi = (uint32_t)s->n_pend;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->pend[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static inline uint64_t lc_node_key(uint64_t zob, uint64_t world_hash, uint8_t locked)
{
    return zob ^ lc_mix64(world_hash + (locked ? 0xD6E8FEB86659FD93u : 0));
}

/* Is (current bits, p, sid, locked) in the memo? If not, add it. Returns 1 if it
 * was there, 0 if added, or a negative status. n_set counts every set bit. */
static int lc_memo_visit(struct lincheck__search *s, uint64_t key, uint32_t p, uint32_t sid,
                         uint8_t locked, uint32_t n_set)
{
    uint32_t below = lc_pend_below(s, p);
    uint32_t n_ext = n_set - (p - below);
    size_t mask = s->memo_index_cap - 1;
    size_t i = key & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t id = s->memo_index[i];
        if (id == 0)
            break;
        const struct lc_memo *m = &s->memo[id - 1];
        if (m->key != key || m->sid != sid || m->locked != locked || m->p != p ||
            m->n_ext != n_ext)
            continue;
        bool same = true;
        for (uint32_t k = 0; k < n_ext && same; k++)
            same = lc_bit(s, s->ext[m->ext_off + k]);
        if (same)
            return 1;
    }
    /* Add it, with its canonical set: linearised pending ops below p, then every
     * linearised op from p on. */
    if (s->n_memo >= UINT32_MAX - 1 ||
        lc_reserve(&s->memo, &s->cap_memo, s->n_memo + 1, sizeof *s->memo) ||
        lc_reserve(&s->ext, &s->cap_ext, s->n_ext + n_ext, sizeof *s->ext))
        return LINCHECK_ENOMEM;
    uint32_t off = (uint32_t)s->n_ext, k = 0;
    for (uint32_t j = 0; j < below; j++) {
        if (lc_bit(s, s->pend[j]))
            s->ext[off + k++] = s->pend[j];
    }
    for (uint32_t w = p >> 6; k < n_ext; w++) {
        uint64_t word = s->bits[w];
        if (w == p >> 6)
            word &= ~(uint64_t)0 << (p & 63);
        while (word != 0 && k < n_ext) {
            unsigned b = (unsigned)__builtin_ctzll(word);
            s->ext[off + k++] = (w << 6) | b;
            word &= word - 1;
        }
    }
    s->n_ext += n_ext;
    s->memo[s->n_memo] =
        (struct lc_memo){.key = key, .sid = sid, .p = p, .ext_off = off, .n_ext = n_ext, .locked = locked};
    s->n_memo++;
    if ((s->n_memo + 1) * 2 > s->memo_index_cap) {
        int rc = lc_index_grow(&s->memo_index, &s->memo_index_cap, s->n_memo, 1024);
        if (rc < 0)
            return rc;
        mask = s->memo_index_cap - 1;
        for (size_t id = 0; id < s->n_memo; id++) {
            size_t j = s->memo[id].key & mask;
            while (s->memo_index[j] != 0)
                j = (j + 1) & mask;
            s->memo_index[j] = (uint32_t)id + 1;
        }
        return 0;
    }
    s->memo_index[i] = (uint32_t)s->n_memo;
    return 0;
}

/* --- preparing a lifetime --------------------------------------------------- */

/* The lifetime's world before its first event: the setup calls applied to a
 * fresh world, and the handle the lifetime's instance has in it. */
JET_INSTANCE lincheck__start_world(struct model_world *w, const struct model_config *mcfg,
                                   const struct model_call *setup, size_t n_setup,
                                   const struct hist_event *const *evs, size_t n)
{
    struct model_result r;
    JET_INSTANCE h = 0;
    model_world_init(w, mcfg);
    for (size_t i = 0; i < n_setup; i++) {
        struct model_call c = setup[i];
        /* A setup's JetInit names the instance created before it, if any. */
        if (lincheck__takes_handle(&c) ||
            (c.op == MODEL_OP_INIT && h != 0 && !(c.flags & MODEL_CALL_PINST_NULL)))
            c.inst = h != 0 ? h : LC_NEVER_HANDLE;
        model_step(w, &c, &r);
        if (h == 0 && (r.outs & MODEL_OUT_INST))
            h = r.inst;
    }
    if (h != 0)
        return h;
    /* The handle the lifetime's creating event will get: model handles are
     * deterministic, so a dry run on a copy tells. */
    for (size_t i = 0; i < n; i++) {
        const struct model_call *c = &evs[i]->call;
        if (c->op == MODEL_OP_CREATE_INSTANCE || (c->op == MODEL_OP_INIT && !lincheck__takes_handle(c))) {
            struct model_world *tmp = malloc(model_world_size());
            if (tmp == NULL)
                return LC_NEVER_HANDLE;
            model_world_copy(tmp, w);
            model_step(tmp, c, &r);
            free(tmp);
            if (r.outs & MODEL_OUT_INST)
                return r.inst;
            break;
        }
    }
    return LC_NEVER_HANDLE;
}

/* Build the ops of events `evs` and reset the tables; s->cur already holds the
 * start world, in which the lifetime's instance has handle `handle`. */
static int lc_prepare(struct lincheck__search *s, const struct hist_event *const *evs, size_t n,
                      JET_INSTANCE handle, uint32_t *root_sid)
{
    s->n_ops = s->n_pend = s->n_st = s->pool_len = s->n_memo = s->n_ext = 0;
    size_t n_ops = 0;
    for (size_t i = 0; i < n; i++)
        n_ops += lc_two_points(evs[i]) ? 2 : 1;
    if (n_ops >= UINT32_MAX / 2)
        return LINCHECK_EINVAL;
    /* Reset the hash indexes; ones a much larger lifetime grew are given back
     * rather than cleared, so that many small lifetimes stay cheap. */
    size_t want = 1024;
    while (want < 4 * (n_ops + 1) && want < ((size_t)1 << 40))
        want *= 2;
    uint32_t **index[2] = {&s->st_index, &s->memo_index};
    size_t *caps[2] = {&s->st_index_cap, &s->memo_index_cap};
    for (int k = 0; k < 2; k++) {
        if (*index[k] != NULL && *caps[k] > 8 * want) {
            free(*index[k]);
            *index[k] = NULL;
            *caps[k] = 0;
        }
        if (*index[k] != NULL)
            memset(*index[k], 0, *caps[k] * sizeof **index[k]);
        else if (lc_index_grow(index[k], caps[k], 0, 1024) < 0)
            return LINCHECK_ENOMEM;
    }
    size_t words = (n_ops + 64) / 64;
    if (lc_reserve(&s->ops, &s->cap_ops, n_ops, sizeof *s->ops) ||
        lc_reserve(&s->zob, &s->cap_zob, n_ops, sizeof *s->zob) ||
        lc_reserve(&s->bits, &s->cap_bits, words, sizeof *s->bits) ||
        lc_reserve(&s->pend, &s->cap_pend, n_ops, sizeof *s->pend) ||
        lc_reserve(&s->stack, &s->cap_stack, n_ops + 1, sizeof *s->stack))
        return LINCHECK_ENOMEM;
    memset(s->bits, 0, words * sizeof *s->bits);

    s->handle = handle;
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = evs[i];
        struct lc_op o = {.inv = e->inv, .ret = e->ret, .call = e->call, .ev = (uint32_t)i,
                          .pending = lc_pending(e), .gated = lc_gated(e->call.op)};
        o.resp.err = e->err;
        o.resp.outs = e->outs;
        o.resp.hf = e->hf;
        o.resp.size = e->size;
        o.resp.cb_actual = e->cb_actual;
        o.resp.gen_low = e->gen_low;
        o.resp.gen_high = e->gen_high;
        o.call.fault = e->fault;
        if (lincheck__takes_handle(&o.call))
            o.call.inst = s->handle;
        if (lc_two_points(e)) {
            o.kind = lc_is_term(e->call.op) ? LINCHECK__LOCK : LINCHECK__CLAIM;
            s->ops[s->n_ops++] = o;
            o.kind = LINCHECK__EFFECT;
        }
        s->ops[s->n_ops++] = o;
    }
    for (uint32_t i = 0; i < s->n_ops; i++) {
        s->zob[i] = lc_mix64(0x5851F42D4C957F2Du + i * 0x9E3779B97F4A7C15u);
        if (s->ops[i].pending)
            s->pend[s->n_pend++] = i;
    }
    s->cur_len = s->tmp_len = s->wsize; /* not known yet */
    int rc = lc_intern(s, s->cur, s->wsize, root_sid);
    if (rc == 0)
        s->cur_len = s->st[*root_sid].len;
    return rc;
}

/* May op i be linearised now (apart from real-time order)? A two-point
 * call's effect only after its first point; a claim not while another Begin's
 * claim stands (that Begin would have seen it and failed with -505). */
static inline bool lc_eligible(const struct lincheck__search *s, const struct lc_frame *f, uint32_t i)
{
    uint8_t kind = s->ops[i].kind;
    if (kind == LINCHECK__EFFECT)
        return lc_bit(s, i - 1);
    return kind != LINCHECK__CLAIM || f->claim == 0;
}

/* The next candidate of frame f, or LINCHECK__NONE. Candidates come in increasing op
 * order: pending ops below p first, then the forward scan from p, which stops
 * at the first op invoked after the earliest response of an unlinearised op. */
static uint32_t lc_next(struct lincheck__search *s, struct lc_frame *f)
{
    if (f->phase == 0) {
        while (f->pend_pos < s->n_pend && s->pend[f->pend_pos] < f->p) {
            uint32_t i = s->pend[f->pend_pos++];
            if (!lc_bit(s, i) && lc_eligible(s, f, i))
                return i;
        }
        f->phase = 1;
        f->scan = f->p;
        f->scan_minret = HIST_PENDING;
        f->minret_op = LINCHECK__NONE;
    }
    if (f->phase == 1) {
        while (f->scan < s->n_ops) {
            uint32_t i = f->scan;
            const struct lc_op *o = &s->ops[i];
            if (o->inv >= f->scan_minret)
                break;
            f->scan++;
            if (lc_bit(s, i))
                continue;
            if (!o->pending && o->ret < f->scan_minret) {
                f->scan_minret = o->ret;
                f->minret_op = i;
            }
            if (lc_eligible(s, f, i))
                return i;
        }
        f->phase = 2;
    }
    return LINCHECK__NONE;
}

/* A Begin `o` inside the claim window of Begin `claimer`: its answer, into *r,
 * in a copy of the world where the claimer's claim stands (the model's own
 * claim of a full Begin with the claimer's other bits); the world itself does
 * not change (s->tmp is left equal to s->cur). False if that claim cannot be
 * made in this world (the caller then steps o as usual). */
static bool lc_in_claim_window(struct lincheck__search *s, const struct lc_op *claimer,
                               const struct lc_op *o, struct model_result *r)
{
    struct model_call claim = claimer->call;
    struct model_result cr;
    claim.grbit &= ~(JET_GRBIT)JET_bitBackupIncremental;
    claim.fault = MODEL_FAULT_NONE;
    model_step(LC_W(s->tmp), &claim, &cr);
    s->tmp_len = s->wsize;
    bool ok = cr.err == JET_errSuccess;
    if (ok)
        model_step(LC_W(s->tmp), &o->call, r);
    lc_copy_cur(s);
    return ok;
}

/* Try op i from the world in s->cur: s->tmp receives the next world. Returns
 * whether the recorded result agrees; *locked2 is the next lock flag. */
static bool lc_try(struct lincheck__search *s, uint32_t i, uint8_t locked, uint32_t claim,
                   uint8_t *locked2, struct model_result *r)
{
    const struct lc_op *o = &s->ops[i];
    lc_copy_cur(s);
    *locked2 = locked;
    if (o->kind == LINCHECK__CLAIM) {
        memset(r, 0, sizeof *r); /* no change until its effect */
        return true;
    }
    if (claim != 0 && o->kind == LINCHECK__CALL && lc_is_begin(o->call.op) &&
        lc_in_claim_window(s, &s->ops[claim - 1], o, r))
        return o->pending || lincheck__match(&o->resp, r);
    if (o->kind == LINCHECK__LOCK) {
        /* §4.13 steps 2-4: only an initialised instance that is not locked
         * already takes the terminating lock. */
        memset(r, 0, sizeof *r);
        if (!locked) {
            struct model_view v;
            model_view(LC_CW(s->cur), s->handle, &v);
            if (v.found && v.life == MODEL_LIFE_RUNNING &&
                v.forced_state != BACKSTOP_STATE_TERMINATING &&
                v.forced_state != BACKSTOP_STATE_RESTORING &&
                v.forced_state != BACKSTOP_STATE_INITIALISING)
                *locked2 = 1;
        }
        return true;
    }
    if (o->kind == LINCHECK__EFFECT) {
        *locked2 = 0;
        model_step(LC_W(s->tmp), &o->call, r);
        s->tmp_len = s->wsize;
    } else if (locked && o->gated) {
        /* R54: inside the lock window a gated call fails at the gate (-1000,
         * or an earlier gate error) and changes nothing. */
        struct model_call fc = {.op = MODEL_OP_FX_FORCE_STATE, .inst = s->handle,
                                .arg = BACKSTOP_STATE_TERMINATING};
        struct model_result fr;
        model_step(LC_W(s->tmp), &fc, &fr);
        model_step(LC_W(s->tmp), &o->call, r);
        s->tmp_len = s->wsize;
        lc_copy_cur(s);
    } else {
        model_step(LC_W(s->tmp), &o->call, r);
        s->tmp_len = s->wsize; /* the model may have written anywhere */
    }
    return o->pending || lincheck__match(&o->resp, r);
}

/*
 * The search itself. `hint` is an event index whose failures the caller wants
 * to hear about (the culprit when diagnosing), or LINCHECK__NONE. With `diagnose`,
 * out->order receives the longest linearisable prefix (malloc'ed).
 */
static int lc_search(struct lincheck__search *s, const struct hist_event *const *evs, size_t n,
                     JET_INSTANCE handle, uint64_t budget, bool diagnose, uint32_t hint,
                     lincheck__end_fn on_end, void *end_ctx, struct lincheck__outcome *out)
{
    memset(out, 0, sizeof *out);
    out->culprit = LINCHECK__NONE;
    out->blocked = LINCHECK__NONE;
    uint32_t root_sid;
    int rc = lc_prepare(s, evs, n, handle, &root_sid);
    if (rc != 0)
        return rc;
    bool found = false;

    uint32_t n_np = (uint32_t)(s->n_ops - s->n_pend);
    uint32_t n_set = 0, n_set_np = 0;
    uint64_t zob = 0, steps = 0;
    size_t best_depth = 0;
    bool have_best = false;
    size_t d = 0;

    struct lc_frame *f = &s->stack[0];
    memset(f, 0, sizeof *f);
    f->op = LINCHECK__NONE;
    f->sid = root_sid;
    f->p = 0;
    while (f->p < s->n_ops && s->ops[f->p].pending)
        f->p++;
    f->fail_op = LINCHECK__NONE;
    f->minret_op = LINCHECK__NONE;

    for (;;) {
        f = &s->stack[d];
        uint32_t i;
        if (n_set_np == n_np) {
            if (on_end == NULL) {
                out->verdict = LINCHECK_LINEARIZABLE;
                break;
            }
            /* Enumerating: report this end world, then look for others. The
             * memo makes every (set, world) node a leaf at most once, so each
             * distinct end world is reported once. */
            found = true;
            if ((rc = on_end(end_ctx, LC_CW(s->cur))) != 0) {
                out->steps = steps;
                return rc;
            }
            if (d == 0)
                break;
            goto backtrack;
        }
        i = lc_next(s, f);
        if (i == LINCHECK__NONE) {
            /* A dead end. The deepest one names the culprit. */
            if (on_end == NULL && !f->had_child && (!have_best || d > best_depth)) {
                have_best = true;
                best_depth = d;
                uint32_t blocking = f->fail_op != LINCHECK__NONE ? f->fail_op : f->minret_op;
                out->culprit = blocking != LINCHECK__NONE ? s->ops[blocking].ev : LINCHECK__NONE;
                out->have_expect = false;
                out->blocked = f->fail_op != LINCHECK__NONE ? s->ops[f->fail_op].ev : LINCHECK__NONE;
                out->have_blocked = f->fail_op != LINCHECK__NONE;
                out->blocked_res = f->fail_res;
                out->blocked_locked = f->fail_locked;
                if (f->hint_failed) {
                    out->culprit = hint;
                    out->have_expect = true;
                    out->expect = f->hint_res;
                    out->expect_locked = f->hint_locked;
                } else if (f->fail_op != LINCHECK__NONE) {
                    out->have_expect = true;
                    out->expect = f->fail_res;
                    out->expect_locked = f->fail_locked;
                }
                if (diagnose) {
                    struct lincheck__lin *ord = realloc(out->order, (d + 1) * sizeof *ord);
                    if (ord == NULL)
                        return LINCHECK_ENOMEM;
                    out->order = ord;
                    for (size_t k = 1; k <= d; k++) {
                        const struct lc_op *o = &s->ops[s->stack[k].op];
                        ord[k - 1] = (struct lincheck__lin){.ev = o->ev, .kind = o->kind};
                    }
                    out->n_order = d;
                }
            }
            if (d == 0) {
                out->verdict = found ? LINCHECK_LINEARIZABLE : LINCHECK_VIOLATION;
                break;
            }
        backtrack:;
            uint32_t back = f->op;
            lc_clear(s, back);
            zob ^= s->zob[back];
            n_set--;
            if (!s->ops[back].pending)
                n_set_np--;
            d--;
            lc_load(s, s->stack[d].sid);
            continue;
        }
        if (++steps > budget) {
            out->verdict = LINCHECK_UNKNOWN;
            break;
        }
        uint8_t locked2;
        struct model_result r;
        if (!lc_try(s, i, f->locked, f->claim, &locked2, &r)) {
            const struct lc_op *o = &s->ops[i];
            if (f->fail_op == LINCHECK__NONE || o->ret < f->fail_ret) {
                f->fail_op = i;
                f->fail_ret = o->ret;
                f->fail_res = r;
                f->fail_locked = f->locked;
            }
            if (o->ev == hint && !f->hint_failed) {
                f->hint_failed = 1;
                f->hint_res = r;
                f->hint_locked = f->locked;
            }
            continue;
        }
        /* Did the world change? (Not for failed and read-only calls.) Past
         * cur_len the current world is zero, so one comparison of that tail
         * also bounds the new world's length for interning. */
        uint32_t sid2 = f->sid;
        size_t cl = s->cur_len;
        if (s->ops[i].kind != LINCHECK__LOCK && s->ops[i].kind != LINCHECK__CLAIM) {
            size_t bound = s->wsize;
            if (memcmp(s->tmp + cl, s->cur + cl, s->wsize - cl) == 0) {
                bound = cl;
                s->tmp_len = cl;
            }
            if (bound == s->wsize || memcmp(s->tmp, s->cur, cl) != 0) {
                if ((rc = lc_intern(s, s->tmp, bound, &sid2)) != 0)
                    return rc;
            }
        }
        lc_set(s, i);
        uint32_t p2 = f->p;
        if (i == p2) {
            do
                p2++;
            while (p2 < s->n_ops && (s->ops[p2].pending || lc_bit(s, p2)));
        }
        uint64_t zob2 = zob ^ s->zob[i];
        rc = lc_memo_visit(s, lc_node_key(zob2, s->st[sid2].hash, locked2), p2, sid2, locked2,
                           n_set + 1);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            lc_clear(s, i); /* seen: nothing new below it */
            continue;
        }
        f->had_child = 1;
        zob = zob2;
        n_set++;
        if (!s->ops[i].pending)
            n_set_np++;
        d++;
        struct lc_frame *c = &s->stack[d];
        memset(c, 0, offsetof(struct lc_frame, fail_res));
        c->op = i;
        c->sid = sid2;
        c->p = p2;
        c->locked = locked2;
        c->claim = s->ops[i].kind == LINCHECK__CLAIM                    ? i + 1
                   : s->ops[i].kind == LINCHECK__EFFECT && f->claim == i ? 0
                                                                         : f->claim;
        c->fail_op = LINCHECK__NONE;
        c->minret_op = LINCHECK__NONE;
        unsigned char *t = s->cur;
        s->cur = s->tmp;
        s->tmp = t;
        s->tmp_len = cl;
        s->cur_len = s->st[sid2].len;
    }
    out->steps = steps;
    return 0;
}

int lincheck__search_run(struct lincheck__search *s, const struct hist_event *const *evs, size_t n,
                         const struct model_config *mcfg, const struct model_call *setup,
                         size_t n_setup, uint64_t budget, bool diagnose, uint32_t hint,
                         struct lincheck__outcome *out)
{
    JET_INSTANCE h = lincheck__start_world(LC_W(s->cur), mcfg, setup, n_setup, evs, n);
    return lc_search(s, evs, n, h, budget, diagnose, hint, NULL, NULL, out);
}

int lincheck__search_from(struct lincheck__search *s, const struct hist_event *const *evs, size_t n,
                          const struct model_world *start, JET_INSTANCE handle, uint64_t budget,
                          lincheck__end_fn on_end, void *end_ctx, struct lincheck__outcome *out)
{
    memcpy(s->cur, start, s->wsize);
    return lc_search(s, evs, n, handle, budget, false, LINCHECK__NONE, on_end, end_ctx, out);
}

/* ---------------------------------------------------------------------------
 * No-lifetime calls (lincheck.h): explained by an empty world or a MultiInst
 * world, unchanged by the call.
 * ------------------------------------------------------------------------- */

struct lc_refworlds {
    struct model_world *w[2]; /* empty (NoSet); MultiInst with one running instance */
    struct model_world *tmp;
};

static int lc_ref_init(struct lc_refworlds *rw, const struct model_config *mcfg)
{
    struct model_result r;
    for (int k = 0; k < 2; k++) {
        rw->w[k] = malloc(model_world_size());
        if (rw->w[k] == NULL)
            return LINCHECK_ENOMEM;
        model_world_init(rw->w[k], mcfg);
    }
    rw->tmp = malloc(model_world_size());
    if (rw->tmp == NULL)
        return LINCHECK_ENOMEM;
    struct model_call c = {.op = MODEL_OP_CREATE_INSTANCE};
    model_step(rw->w[1], &c, &r);
    c = (struct model_call){.op = MODEL_OP_INIT, .inst = r.inst};
    model_step(rw->w[1], &c, &r);
    return 0;
}

static void lc_ref_free(struct lc_refworlds *rw)
{
    free(rw->w[0]);
    free(rw->w[1]);
    free(rw->tmp);
}

static struct model_call lc_ref_call(const struct hist_event *e)
{
    struct model_call c = e->call;
    c.fault = e->fault;
    if (lincheck__takes_handle(&c) && c.inst != 0 && c.inst != JET_instanceNil)
        c.inst = LC_NEVER_HANDLE;
    return c;
}

/* Is no-lifetime event e explained? *r gets the MultiInst world's answer. */
static bool lc_ref_ok(struct lc_refworlds *rw, const struct hist_event *e, struct model_result *r)
{
    if (e->call.op == MODEL_OP_CREATE_INSTANCE) {
        /* A creation that failed for a global reason (lincheck.h). */
        memset(r, 0, sizeof *r);
        r->err = JET_errTooManyInstances;
        if (lc_pending(e))
            return true;
        return e->err == JET_errTooManyInstances || e->err == JET_errInstanceNameInUse ||
               e->err == JET_errRunningInOneInstanceMode || e->err == JET_errOutOfMemory ||
               (e->err == JET_errInvalidParameter && (e->call.flags & MODEL_CALL_PINST_NULL));
    }
    struct model_call c = lc_ref_call(e);
    bool ok = false;
    for (int k = 1; k >= 0; k--) {
        struct model_result rk;
        model_world_copy(rw->tmp, rw->w[k]);
        model_step(rw->tmp, &c, &rk);
        if (k == 1)
            *r = rk;
        if ((lc_pending(e) || lincheck__match(e, &rk)) && model_world_equal(rw->tmp, rw->w[k]))
            ok = true;
    }
    return ok;
}

/* ---------------------------------------------------------------------------
 * Overlaps (R55).
 * ------------------------------------------------------------------------- */

static int lc_check_overlaps(const struct hist_event *const *evs, size_t n, uint32_t lifetime,
                             struct lincheck_result *out)
{
    const struct hist_event **active = NULL;
    size_t n_active = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *b = evs[i];
        size_t k = 0;
        for (size_t j = 0; j < n_active; j++) {
            if (active[j]->ret > b->inv)
                active[k++] = active[j];
        }
        n_active = k;
        for (size_t j = 0; j < n_active && !b->handle_stale; j++) {
            const struct hist_event *a = active[j];
            if (a->handle_stale || model_overlap_defined(a->call.op, b->call.op))
                continue;
            char da[200], db[200];
            lincheck__describe(a, da, sizeof da);
            lincheck__describe(b, db, sizeof db);
            snprintf(out->message, sizeof out->message,
                     "undefined overlap generated (R55, spec 6.4) in lifetime %" PRIu32
                     ": %s was in flight when %s started; the driver must not generate it",
                     lifetime, da, db);
            rc = LINCHECK_EOVERLAP;
            goto done;
        }
        if (lc_reserve(&active, &cap, n_active + 1, sizeof *active)) {
            rc = LINCHECK_ENOMEM;
            goto done;
        }
        active[n_active++] = b;
    }
done:
    free(active);
    return rc;
}

/* ---------------------------------------------------------------------------
 * lincheck_check: partition, check, report.
 * ------------------------------------------------------------------------- */

struct lc_part {
    uint32_t lifetime;
    size_t off, n;
};

static int lc_cmp_part(const void *a, const void *b)
{
    uint32_t x = ((const struct lc_part *)a)->lifetime, y = ((const struct lc_part *)b)->lifetime;
    return x < y ? -1 : x > y;
}

static int lc_cmp_ev(const void *a, const void *b)
{
    const struct hist_event *x = *(const struct hist_event *const *)a;
    const struct hist_event *y = *(const struct hist_event *const *)b;
    if (x->inv != y->inv)
        return x->inv < y->inv ? -1 : 1;
    return x->thread < y->thread ? -1 : x->thread > y->thread;
}

static const struct lincheck_lifetime_setup *lc_find_setup(const struct lincheck_config *cfg,
                                                           uint32_t lifetime)
{
    for (size_t i = 0; i < cfg->n_setups; i++) {
        if (cfg->setups[i].lifetime == lifetime)
            return &cfg->setups[i];
    }
    return NULL;
}

/* --- checking the lifetimes, in parallel ------------------------------------ */

struct lc_verdict {
    uint64_t steps;
    enum lincheck_verdict verdict;
};

struct lc_job {
    const struct lincheck_config *cfg;
    const struct hist_event *const *ptrs;
    const struct lc_part *parts;
    const uint32_t *order; /* partition indexes, largest first */
    size_t n_parts;
    uint64_t max_steps;
    struct lc_verdict *res; /* per partition */
    atomic_size_t next;     /* the next entry of order to take */
    atomic_int rc;          /* the first error */
};

struct lc_worker {
    struct lc_job *job;
    struct lincheck__search *s;
};

static void *lc_worker_main(void *arg)
{
    struct lc_worker *w = arg;
    struct lc_job *j = w->job;
    for (;;) {
        size_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->n_parts || atomic_load(&j->rc) != 0)
            break;
        const struct lc_part *pp = &j->parts[j->order[k]];
        const struct lincheck_lifetime_setup *su = lc_find_setup(j->cfg, pp->lifetime);
        struct lincheck__outcome o;
        int rc = lincheck__check_lifetime(w->s, j->ptrs + pp->off, pp->n, &j->cfg->model,
                                          su ? su->calls : NULL, su ? su->n_calls : 0, j->max_steps,
                                          0, &o);
        if (rc != 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&j->rc, &zero, rc);
            break;
        }
        j->res[j->order[k]] = (struct lc_verdict){.steps = o.steps, .verdict = o.verdict};
    }
    return NULL;
}

struct lc_sized {
    size_t n;
    uint32_t p;
};

static int lc_cmp_size_desc(const void *a, const void *b)
{
    const struct lc_sized *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

/* The verdict on every partition into *res (malloc'ed, partition order). The
 * caller's search context s serves the caller's thread; each other thread
 * has its own. */
static int lc_check_parts(const struct lincheck_config *cfg, const struct hist_event *const *ptrs,
                          const struct lc_part *parts, size_t n_parts, uint64_t max_steps,
                          struct lincheck__search *s, struct lc_verdict **res)
{
    enum { LC_MAX_THREADS = 64 };
    struct lc_job j = {.cfg = cfg, .ptrs = ptrs, .parts = parts, .n_parts = n_parts,
                       .max_steps = max_steps};
    struct lc_worker w[LC_MAX_THREADS];
    pthread_t th[LC_MAX_THREADS];
    bool started[LC_MAX_THREADS] = {0};
    uint32_t *order = malloc(sizeof *order * (n_parts ? n_parts : 1));
    *res = calloc(n_parts ? n_parts : 1, sizeof **res);
    if (order == NULL || *res == NULL) {
        free(order);
        return LINCHECK_ENOMEM;
    }
    for (size_t p = 0; p < n_parts; p++)
        order[p] = (uint32_t)p;
    size_t k = cfg->threads > 1 ? cfg->threads : 1;
    if (k > LC_MAX_THREADS)
        k = LC_MAX_THREADS;
    if (k > n_parts)
        k = n_parts ? n_parts : 1;
    if (k > 1) {
        struct lc_sized *sz = malloc(sizeof *sz * n_parts);
        if (sz != NULL) {
            for (size_t p = 0; p < n_parts; p++)
                sz[p] = (struct lc_sized){.n = parts[p].n, .p = (uint32_t)p};
            qsort(sz, n_parts, sizeof *sz, lc_cmp_size_desc);
            for (size_t p = 0; p < n_parts; p++)
                order[p] = sz[p].p;
            free(sz);
        }
    }
    j.order = order;
    j.res = *res;
    atomic_init(&j.next, 0);
    atomic_init(&j.rc, 0);
    for (size_t i = 0; i < k; i++)
        w[i] = (struct lc_worker){.job = &j, .s = i == 0 ? s : NULL};
    for (size_t i = 1; i < k; i++) {
        if (lincheck__search_new(&w[i].s) != 0)
            break; /* fewer threads: the others take the work */
        started[i] = pthread_create(&th[i], NULL, lc_worker_main, &w[i]) == 0;
    }
    lc_worker_main(&w[0]);
    for (size_t i = 1; i < k; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        lincheck__search_delete(w[i].s);
    }
    free(order);
    return atomic_load(&j.rc);
}

void lincheck_result_free(struct lincheck_result *r)
{
    if (r == NULL)
        return;
    lincheck__cex_free(r->cex);
    r->cex = NULL;
}

int lincheck_check_ptrs(const struct hist_event *const *evp, size_t n,
                        const struct lincheck_config *cfg, struct lincheck_result *out)
{
    if (out == NULL)
        return LINCHECK_EINVAL;
    memset(out, 0, sizeof *out);
    out->lifetime = HIST_NO_LIFETIME;
    if (cfg == NULL || (evp == NULL && n > 0) || (cfg->setups == NULL && cfg->n_setups > 0)) {
        snprintf(out->message, sizeof out->message, "lincheck_check: NULL argument");
        return LINCHECK_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = evp[i];
        if (e == NULL || (unsigned)e->call.op >= MODEL_OP__COUNT || (unsigned)e->fault >= MODEL_FAULT__COUNT ||
            (!lc_pending(e) && e->ret <= e->inv)) {
            snprintf(out->message, sizeof out->message,
                     "malformed event %zu (thread %" PRIu32 ", stamps %" PRIu64 ",%" PRIu64
                     "): unknown operation or fault, or a response not after its invocation",
                     i, e->thread, e->inv, e->ret);
            return LINCHECK_EINVAL;
        }
    }
    uint64_t max_steps = cfg->max_steps ? cfg->max_steps : LINCHECK_DEFAULT_MAX_STEPS;
    out->n_events = n;

    int rc = LINCHECK_ENOMEM;
    const struct hist_event **ptrs = malloc(sizeof *ptrs * (n ? n : 1));
    struct lc_part *parts = NULL;
    size_t n_parts = 0, cap_parts = 0;
    uint32_t *map = NULL; /* lifetime hash -> part index + 1 */
    size_t map_cap = 16;
    struct lincheck__search *s = NULL;
    struct lc_refworlds rw = {0};
    struct lc_verdict *verdicts = NULL;
    if (ptrs == NULL)
        goto done;
    while (map_cap < 2 * (n + 1))
        map_cap *= 2;
    map = calloc(map_cap, sizeof *map);
    if (map == NULL)
        goto done;

    /* Partition: count per lifetime, then scatter (stable: keeps input order). */
    uint32_t *pid = malloc(sizeof *pid * (n ? n : 1));
    if (pid == NULL)
        goto done;
    uint32_t last_lt = HIST_NO_LIFETIME, last_pid = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t lt = evp[i]->lifetime;
        if (lt == HIST_NO_LIFETIME) {
            pid[i] = UINT32_MAX;
            out->n_no_lifetime++;
            continue;
        }
        if (lt == last_lt) { /* runs of one lifetime are common */
            pid[i] = last_pid;
            parts[last_pid].n++;
            continue;
        }
        size_t h = lc_mix64(lt) & (map_cap - 1);
        while (map[h] != 0 && parts[map[h] - 1].lifetime != lt)
            h = (h + 1) & (map_cap - 1);
        if (map[h] == 0) {
            if (lc_reserve(&parts, &cap_parts, n_parts + 1, sizeof *parts)) {
                free(pid);
                goto done;
            }
            parts[n_parts] = (struct lc_part){.lifetime = lt};
            map[h] = (uint32_t)++n_parts;
        }
        pid[i] = map[h] - 1;
        parts[pid[i]].n++;
        last_lt = lt;
        last_pid = pid[i];
    }
    size_t off = 0;
    for (size_t p = 0; p < n_parts; p++) {
        parts[p].off = off;
        off += parts[p].n;
        parts[p].n = 0;
    }
    size_t n_ref = off; /* no-lifetime events go after the partitions */
    for (size_t i = 0; i < n; i++) {
        if (pid[i] == UINT32_MAX) {
            ptrs[n_ref++] = evp[i];
        } else {
            struct lc_part *pp = &parts[pid[i]];
            ptrs[pp->off + pp->n++] = evp[i];
        }
    }
    free(pid);
    out->n_lifetimes = n_parts;
    for (size_t p = 0; p < n_parts; p++) {
        const struct hist_event **pe = ptrs + parts[p].off;
        for (size_t i = 1; i < parts[p].n; i++) {
            if (lc_cmp_ev(&pe[i - 1], &pe[i]) > 0) {
                qsort(pe, parts[p].n, sizeof *pe, lc_cmp_ev);
                break;
            }
        }
    }
    if (n_parts > 1)
        qsort(parts, n_parts, sizeof *parts, lc_cmp_part);

    /* Overlaps first: an undefined one is a harness error, whatever else. */
    for (size_t p = 0; p < n_parts; p++) {
        rc = lc_check_overlaps(ptrs + parts[p].off, parts[p].n, parts[p].lifetime, out);
        if (rc != 0) {
            if (rc == LINCHECK_EOVERLAP)
                out->lifetime = parts[p].lifetime;
            goto done;
        }
    }

    /* No-lifetime calls. */
    rc = LINCHECK_ENOMEM;
    if (lc_ref_init(&rw, &cfg->model) != 0)
        goto done;
    const struct hist_event *bad_ref = NULL;
    struct model_result bad_res = {0};
    for (size_t i = off; i < n; i++) {
        struct model_result r;
        if (!lc_ref_ok(&rw, ptrs[i], &r)) {
            out->n_violations++;
            if (bad_ref == NULL) {
                bad_ref = ptrs[i];
                bad_res = r;
            }
        }
    }

    /* The lifetimes, on cfg->threads threads; verdicts are read in lifetime
     * order, so the result does not depend on the threads' timing. */
    if (lincheck__search_new(&s) != 0)
        goto done;
    rc = lc_check_parts(cfg, ptrs, parts, n_parts, max_steps, s, &verdicts);
    if (rc != 0)
        goto done;
    size_t first_bad = SIZE_MAX, first_unknown = SIZE_MAX;
    for (size_t p = 0; p < n_parts; p++) {
        const struct lc_verdict *o = &verdicts[p];
        out->steps += o->steps;
        if (o->verdict == LINCHECK_VIOLATION) {
            out->n_violations++;
            if (first_bad == SIZE_MAX)
                first_bad = p;
        } else if (o->verdict == LINCHECK_UNKNOWN) {
            out->n_unknown++;
            if (first_unknown == SIZE_MAX)
                first_unknown = p;
        }
    }

    if (first_bad != SIZE_MAX) {
        const struct lc_part *pp = &parts[first_bad];
        const struct lincheck_lifetime_setup *su = lc_find_setup(cfg, pp->lifetime);
        out->verdict = LINCHECK_VIOLATION;
        out->lifetime = pp->lifetime;
        rc = lincheck__make_cex(s, cfg, pp->lifetime, ptrs + pp->off, pp->n, su ? su->calls : NULL,
                         su ? su->n_calls : 0, max_steps, &out->cex);
    } else if (bad_ref != NULL) {
        out->verdict = LINCHECK_VIOLATION;
        out->lifetime = HIST_NO_LIFETIME;
        rc = lincheck__make_ref_cex(cfg, bad_ref, &bad_res, &out->cex);
    } else if (first_unknown != SIZE_MAX) {
        out->verdict = LINCHECK_UNKNOWN;
        out->lifetime = parts[first_unknown].lifetime;
        rc = 0;
    } else {
        out->verdict = LINCHECK_LINEARIZABLE;
        rc = 0;
    }
    if (rc != 0)
        goto done;

    switch (out->verdict) {
    case LINCHECK_LINEARIZABLE:
        snprintf(out->message, sizeof out->message,
                 "linearizable: %zu events, %zu lifetimes, %zu no-lifetime calls, %" PRIu64
                 " model steps",
                 out->n_events, out->n_lifetimes, out->n_no_lifetime, out->steps);
        break;
    case LINCHECK_UNKNOWN:
        snprintf(out->message, sizeof out->message,
                 "unknown (budget exceeded): lifetime %" PRIu32 " (%zu events) needed more than %" PRIu64
                 " model steps; %zu of %zu lifetimes unknown, none violated. Not a pass",
                 out->lifetime, parts[first_unknown].n, max_steps, out->n_unknown, out->n_lifetimes);
        break;
    case LINCHECK_VIOLATION:
        snprintf(out->message, sizeof out->message, "VIOLATION (%zu in all%s): %.640s",
                 out->n_violations, out->n_unknown ? ", some lifetimes unknown" : "",
                 out->cex->message);
        break;
    }
done:
    free(verdicts);
    lincheck__search_delete(s);
    lc_ref_free(&rw);
    free(map);
    free(parts);
    free(ptrs);
    if (rc == LINCHECK_ENOMEM)
        snprintf(out->message, sizeof out->message, "lincheck: out of memory");
    return rc;
}

int lincheck_check(const struct hist_event *ev, size_t n, const struct lincheck_config *cfg,
                   struct lincheck_result *out)
{
    if (out != NULL && ev == NULL && n > 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->message, sizeof out->message, "lincheck_check: NULL argument");
        return LINCHECK_EINVAL;
    }
    const struct hist_event **p = malloc(sizeof *p * (n ? n : 1));
    if (p == NULL) {
        if (out != NULL) {
            memset(out, 0, sizeof *out);
            snprintf(out->message, sizeof out->message, "lincheck: out of memory");
        }
        return LINCHECK_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = &ev[i];
    int rc = lincheck_check_ptrs(p, n, cfg, out);
    free(p);
    return rc;
}
