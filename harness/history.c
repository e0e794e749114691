/*
 * history.c: the concurrent history recorder (history.h).
 *
 * Every worker owns one buffer of events, preallocated at hist_create() and
 * padded to its own cache lines, so recording takes no lock and writes no
 * shared line except the clock. The clock is one C11 atomic counter: each stamp
 * is a fetch_add with acquire-release order. Because every stamp is a
 * read-modify-write of the same variable, a stamp that is smaller than another
 * one read by another thread synchronises with it: "ret of A < inv of B"
 * therefore means that A's call happened before B's call, which is what the
 * linearizability checker assumes about real-time order.
 *
 * Not for: checking histories (lincheck.c) or deciding what to record (the
 * stress driver does that through its one call wrapper).
 */
#include "history.h"

#include <inttypes.h>
#include <limits.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HIST__LINE 64

/* Returned by hist_begin while recording is off: no slot is that large. */
#define HIST__NO_SLOT LONG_MAX

/* One worker's buffer. Written only by the worker that owns it (hist_begin,
 * hist_end); read by hist_collect after every worker has stopped. */
struct hist__thread {
    alignas(HIST__LINE) struct hist_event *ev;
    size_t n;
    char pad_[HIST__LINE - sizeof(struct hist_event *) - sizeof(size_t)];
};

struct hist {
    /* The logical clock: every thread increments it (fetch_add). */
    alignas(HIST__LINE) atomic_uint_fast64_t clock;
    char pad0_[HIST__LINE - sizeof(atomic_uint_fast64_t)];
    /* Set by the controlling thread, read by every worker. */
    alignas(HIST__LINE) atomic_bool enabled;
    uint32_t n_threads;
    size_t cap;
    struct hist__thread *t; /* n_threads entries, cache-line aligned */
};

const char *hist_strerror(int status)
{
    switch (status) {
    case HIST_OK: return "ok";
    case HIST_ENOMEM: return "out of memory";
    case HIST_EFULL: return "the thread's history buffer is full";
    case HIST_EINVAL: return "invalid argument";
    default: return "unknown history status";
    }
}

int hist_create(uint32_t n_threads, size_t cap_per_thread, struct hist **out)
{
    *out = NULL;
    if (n_threads == 0 || cap_per_thread == 0 ||
        cap_per_thread > SIZE_MAX / sizeof(struct hist_event) / n_threads)
        return HIST_EINVAL;
    struct hist *h = aligned_alloc(HIST__LINE, sizeof *h);
    if (h == NULL)
        return HIST_ENOMEM;
    memset(h, 0, sizeof *h);
    atomic_init(&h->clock, 1); /* stamps start at 1; 0 is never a stamp */
    atomic_init(&h->enabled, true);
    h->n_threads = n_threads;
    h->cap = cap_per_thread;
    size_t bytes = sizeof(struct hist__thread) * n_threads;
    h->t = aligned_alloc(HIST__LINE, bytes);
    if (h->t == NULL)
        goto fail;
    memset(h->t, 0, bytes);
    for (uint32_t i = 0; i < n_threads; i++) {
        h->t[i].ev = malloc(sizeof(struct hist_event) * cap_per_thread);
        if (h->t[i].ev == NULL)
            goto fail;
    }
    *out = h;
    return HIST_OK;
fail:
    hist_destroy(h);
    return HIST_ENOMEM;
}

void hist_destroy(struct hist *h)
{
    if (h == NULL)
        return;
    if (h->t != NULL) {
        for (uint32_t i = 0; i < h->n_threads; i++)
            free(h->t[i].ev);
        free(h->t);
    }
    free(h);
}

void hist_reset(struct hist *h)
{
    atomic_store(&h->clock, 1);
    for (uint32_t i = 0; i < h->n_threads; i++)
        h->t[i].n = 0;
}

void hist_set_enabled(struct hist *h, bool on)
{
    atomic_store_explicit(&h->enabled, on, memory_order_release);
}

static inline uint64_t hist__stamp(struct hist *h)
{
    return (uint64_t)atomic_fetch_add_explicit(&h->clock, 1, memory_order_acq_rel);
}

long hist_begin(struct hist *h, uint32_t thread, const struct hist_event *ev)
{
    if (!atomic_load_explicit(&h->enabled, memory_order_relaxed))
        return HIST__NO_SLOT;
    if (thread >= h->n_threads)
        return HIST_EINVAL;
    struct hist__thread *t = &h->t[thread];
    if (t->n >= h->cap)
        return HIST_EFULL;
    struct hist_event *e = &t->ev[t->n];
    *e = *ev;
    e->thread = thread;
    e->err = 0;
    e->outs = 0;
    e->hf = 0;
    e->size = 0;
    e->cb_actual = 0;
    e->gen_low = e->gen_high = 0;
    e->ret = HIST_PENDING;
    /* The stamp is the last thing before the call: the interval covers it. */
    e->inv = hist__stamp(h);
    return (long)t->n++;
}

void hist_end(struct hist *h, uint32_t thread, long slot, const struct hist_event *ev)
{
    if (slot < 0 || thread >= h->n_threads)
        return;
    struct hist__thread *t = &h->t[thread];
    if ((size_t)slot >= t->n) /* HIST__NO_SLOT, or a slot of a disabled call */
        return;
    /* The stamp is the first thing after the call. */
    uint64_t ret = hist__stamp(h);
    struct hist_event *e = &t->ev[slot];
    e->err = ev->err;
    e->outs = ev->outs;
    e->hf = ev->hf;
    e->size = ev->size;
    e->cb_actual = ev->cb_actual;
    e->gen_low = ev->gen_low;
    e->gen_high = ev->gen_high;
    e->fault = ev->fault;
    e->ret = ret;
}

/* ---------------------------------------------------------------------------
 * Collection: a k-way merge of the per-thread buffers (each is already in
 * invocation order, since a thread stamps its calls one after another).
 * ------------------------------------------------------------------------- */

struct hist__head {
    uint64_t inv;
    uint32_t thread;
};

static bool hist__less(const struct hist__head *a, const struct hist__head *b)
{
    return a->inv < b->inv || (a->inv == b->inv && a->thread < b->thread);
}

static void hist__sift_down(struct hist__head *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && hist__less(&heap[l], &heap[m]))
            m = l;
        if (r < n && hist__less(&heap[r], &heap[m]))
            m = r;
        if (m == i)
            return;
        struct hist__head tmp = heap[i];
        heap[i] = heap[m];
        heap[m] = tmp;
        i = m;
    }
}

size_t hist_count(const struct hist *h)
{
    size_t total = 0;
    for (uint32_t i = 0; i < h->n_threads; i++)
        total += h->t[i].n;
    return total;
}

/* The k-way merge behind both collections: for each run of one thread's
 * events that come before every other thread's next one, emit(ctx, k, first,
 * count) with k the position of the run's first event in the merged order. */
typedef void (*hist__emit_fn)(void *ctx, size_t k, const struct hist_event *first, size_t count);

static size_t hist__merge(const struct hist *h, hist__emit_fn emit, void *ctx)
{
    struct hist__head heap_small[16];
    size_t pos_small[16];
    struct hist__head *heap = heap_small;
    size_t *pos = pos_small;
    if (h->n_threads > 16) {
        heap = malloc(sizeof *heap * h->n_threads);
        pos = malloc(sizeof *pos * h->n_threads);
        if (heap == NULL || pos == NULL) {
            free(heap);
            free(pos);
            return 0;
        }
    }
    size_t n_heap = 0;
    for (uint32_t i = 0; i < h->n_threads; i++) {
        pos[i] = 0;
        if (h->t[i].n > 0)
            heap[n_heap++] = (struct hist__head){.inv = h->t[i].ev[0].inv, .thread = i};
    }
    for (size_t i = n_heap; i-- > 0;)
        hist__sift_down(heap, n_heap, i);
    size_t k = 0;
    while (n_heap > 0) {
        uint32_t th = heap[0].thread;
        const struct hist__thread *t = &h->t[th];
        /* The whole run of this thread's events that come before every other
         * thread's next one (the smaller child of the heap's root). */
        size_t start = pos[th], end = start + 1;
        if (n_heap == 1) {
            end = t->n;
        } else {
            struct hist__head lim = heap[1];
            if (n_heap > 2 && hist__less(&heap[2], &lim))
                lim = heap[2];
            struct hist__head next = {.thread = th};
            while (end < t->n && (next.inv = t->ev[end].inv, hist__less(&next, &lim)))
                end++;
        }
        emit(ctx, k, &t->ev[start], end - start);
        k += end - start;
        pos[th] = end;
        if (end < t->n)
            heap[0].inv = t->ev[end].inv;
        else
            heap[0] = heap[--n_heap];
        hist__sift_down(heap, n_heap, 0);
    }
    if (heap != heap_small) {
        free(heap);
        free(pos);
    }
    return k;
}

static void hist__emit_copy(void *ctx, size_t k, const struct hist_event *first, size_t count)
{
    memcpy((struct hist_event *)ctx + k, first, sizeof *first * count);
}

static void hist__emit_ptrs(void *ctx, size_t k, const struct hist_event *first, size_t count)
{
    const struct hist_event **dst = (const struct hist_event **)ctx + k;
    for (size_t i = 0; i < count; i++)
        dst[i] = first + i;
}

size_t hist_collect_into(const struct hist *h, struct hist_event *all)
{
    return hist__merge(h, hist__emit_copy, all);
}

size_t hist_collect_ptrs(const struct hist *h, const struct hist_event **dst)
{
    return hist__merge(h, hist__emit_ptrs, (void *)dst);
}

size_t hist_thread_events(const struct hist *h, uint32_t thread, const struct hist_event **out)
{
    if (thread >= h->n_threads) {
        *out = NULL;
        return 0;
    }
    *out = h->t[thread].ev;
    return h->t[thread].n;
}

uint32_t hist_n_threads(const struct hist *h)
{
    return h->n_threads;
}

size_t hist_collect(const struct hist *h, struct hist_event **out)
{
    *out = NULL;
    size_t total = hist_count(h);
    if (total == 0)
        return 0;
    struct hist_event *all = malloc(sizeof *all * total);
    if (all == NULL)
        return 0;
    *out = all;
    return hist_collect_into(h, all);
}

/* ---------------------------------------------------------------------------
 * Hashing: a word-at-a-time multiply-xorshift over 64-bit words (each field
 * widened to 64 bits, so the hash does not depend on struct layout or
 * padding), with a final avalanche. One multiply per word: the hash runs over
 * every recorded event at each segment end, so its cost is recording overhead.
 * call.name is hashed by its content (8 bytes at a time), never by its address.
 * ------------------------------------------------------------------------- */

#define HIST__SEED 0xCBF29CE484222325u
#define HIST__MUL 0x9E3779B97F4A7C15u

static inline uint64_t hist__mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * HIST__MUL;
    return h ^ (h >> 29);
}

static uint64_t hist__mix_str(uint64_t h, const char *s)
{
    if (s == NULL)
        return hist__mix(h, 0xFFFFFFFFFFFFFFFFu); /* NULL differs from "" */
    size_t n = strlen(s), i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        h = hist__mix(h, v);
    }
    uint64_t v = 0;
    memcpy(&v, s + i, n - i);
    /* The length, so that "ab"+"c" differs from "a"+"bc" and trailing NULs count. */
    return hist__mix(hist__mix(h, v), (uint64_t)n);
}

uint64_t hist_hash(const struct hist_event *ev, size_t n)
{
    uint64_t h = HIST__SEED;
    h = hist__mix(h, (uint64_t)n);
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = &ev[i];
        h = hist__mix(h, e->inv);
        h = hist__mix(h, e->ret);
        h = hist__mix(h, (uint64_t)e->thread << 32 | e->lifetime);
        h = hist__mix(h, (uint64_t)e->handle_stale << 32 | (uint32_t)e->call.op);
        h = hist__mix(h, (uint64_t)e->call.inst);
        h = hist__mix(h, (uint64_t)e->call.grbit << 32 | e->call.cb_max);
        h = hist__mix(h, (uint64_t)e->call.hf);
        h = hist__mix(h, (uint64_t)e->call.flags << 32 | e->call.arg);
        h = hist__mix(h, (uint64_t)(uint32_t)e->call.fault << 32 | (uint32_t)e->fault);
        h = hist__mix_str(h, e->call.name);
        h = hist__mix(h, (uint64_t)(uint32_t)e->err << 32 | e->outs);
        h = hist__mix(h, (uint64_t)e->hf);
        h = hist__mix(h, e->size);
        h = hist__mix(h, (uint64_t)e->cb_actual);
        h = hist__mix(h, (uint64_t)e->gen_low << 32 | e->gen_high);
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDu;
    h ^= h >> 33;
    return h;
}

/* ---------------------------------------------------------------------------
 * Printing.
 * ------------------------------------------------------------------------- */

static void hist__print_args(const struct hist_event *e, FILE *out)
{
    const struct model_call *c = &e->call;
    bool first = true;
#define HIST__SEP() (first ? (first = false, "") : ", ")
    if (!model_op_is_legacy(c->op) && c->op != MODEL_OP_CREATE_INSTANCE)
        fprintf(out, "%s0x%" PRIxPTR "%s", HIST__SEP(), (uintptr_t)c->inst,
                e->handle_stale ? " stale" : "");
    switch (c->op) {
    case MODEL_OP_BEGIN:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_END2:
    case MODEL_OP_TERM2:
        fprintf(out, "%sgrbit 0x%" PRIx32, HIST__SEP(), (uint32_t)c->grbit);
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        fprintf(out, "%shf %" PRIuPTR ", cb %" PRIu32, HIST__SEP(), (uintptr_t)c->hf, c->cb_max);
        break;
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_CLOSE_FILE_LEGACY:
        fprintf(out, "%shf %" PRIuPTR, HIST__SEP(), (uintptr_t)c->hf);
        break;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        fprintf(out, "%scb %" PRIu32, HIST__SEP(), c->cb_max);
        break;
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
        if (c->name != NULL)
            fprintf(out, "%s\"%s\"", HIST__SEP(), c->name);
        else
            fprintf(out, "%sNULL", HIST__SEP());
        break;
    case MODEL_OP_FX_CREATE_DB:
    case MODEL_OP_FX_DETACH_DB:
        fprintf(out, "%s\"%s\", %" PRIu32, HIST__SEP(), c->name ? c->name : "(null)", c->arg);
        break;
    case MODEL_OP_FX_CONFIGURE:
    case MODEL_OP_FX_ROLL_LOG:
    case MODEL_OP_FX_SET_CHECKPOINT:
    case MODEL_OP_FX_DELETE_LOG:
    case MODEL_OP_FX_FORCE_STATE:
        fprintf(out, "%s%" PRIu32, HIST__SEP(), c->arg);
        break;
    default:
        break;
    }
    if (c->flags != 0)
        fprintf(out, "%sflags 0x%" PRIx32, HIST__SEP(), c->flags);
#undef HIST__SEP
}

void hist_print(const struct hist_event *ev, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = &ev[i];
        if (e->ret == HIST_PENDING)
            fprintf(out, "[%" PRIu64 ",-] t%" PRIu32, e->inv, e->thread);
        else
            fprintf(out, "[%" PRIu64 ",%" PRIu64 "] t%" PRIu32, e->inv, e->ret, e->thread);
        if (e->lifetime == HIST_NO_LIFETIME)
            fputs(" L-", out);
        else
            fprintf(out, " L%" PRIu32, e->lifetime);
        fprintf(out, " %s(", model_op_name(e->call.op));
        hist__print_args(e, out);
        fputc(')', out);
        if (e->ret == HIST_PENDING) {
            fputs(" = pending", out);
        } else {
            fprintf(out, " = %" PRId32, (int32_t)e->err);
            if (e->outs & MODEL_OUT_HF)
                fprintf(out, " hf=%" PRIuPTR " size=%" PRIu64, (uintptr_t)e->hf, e->size);
            if (e->outs & MODEL_OUT_CB)
                fprintf(out, " cb=%" PRIu32, e->cb_actual);
            if (e->outs & MODEL_OUT_GENS)
                fprintf(out, " gens=%" PRIu32 "..%" PRIu32, e->gen_low, e->gen_high);
        }
        if (e->fault != MODEL_FAULT_NONE)
            fprintf(out, " fault=%s", model_fault_name(e->fault));
        fputc('\n', out);
    }
}
