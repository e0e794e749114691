/*
 * history_tsan.c: a plain executable (no Criterion, which cannot run under
 * ThreadSanitizer) that records from N threads at once through the history
 * recorder (harness/history.c) and checks the merged history:
 *
 *   - every stamp (invocations and responses) is unique;
 *   - each thread's events keep their order, with their arguments intact;
 *   - inv < ret for every completed call; the last call of each thread is left
 *     pending on purpose and must come out with ret == HIST_PENDING;
 *   - the merge is ordered by invocation, and a stamp taken after a barrier
 *     is larger than every stamp taken before it (the clock is one
 *     acquire-release counter);
 *   - recording toggled off records nothing; hist_hash is the same for two
 *     collections.
 *
 * Usage: history_tsan [threads] [calls per thread]. Exit 0 if every check
 * holds, 1 otherwise. Built with -fsanitize=thread (the tsan preset), a data
 * race makes the run fail.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

#define MAX_THREADS 64

static struct hist *H;
static pthread_barrier_t B;
static uint32_t N_CALLS;
static int failures;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "history_tsan: check failed: %s: ", #cond);      \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            failures++;                                                      \
        }                                                                    \
    } while (0)

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void *worker(void *arg)
{
    uint32_t t = (uint32_t)(uintptr_t)arg;
    pthread_barrier_wait(&B);
    for (uint32_t k = 0; k < N_CALLS; k++) {
        struct hist_event ev = {.lifetime = t, .call = {.op = MODEL_OP_READ_FILE, .cb_max = k}};
        long slot = hist_begin(H, t, &ev);
        if (slot < 0)
            return (void *)1;
        if (k + 1 == N_CALLS)
            break; /* the last call stays pending */
        struct hist_event resp = {.err = -(JET_ERR)t, .cb_actual = k, .outs = MODEL_OUT_CB};
        hist_end(H, t, slot, &resp);
    }
    pthread_barrier_wait(&B);
    return NULL;
}

int main(int argc, char **argv)
{
    uint32_t n_threads = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 8;
    N_CALLS = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 20000;
    if (n_threads == 0 || n_threads > MAX_THREADS || N_CALLS == 0) {
        fprintf(stderr, "usage: history_tsan [threads 1..%d] [calls >= 1]\n", MAX_THREADS);
        return 1;
    }
    /* One more recorder thread: main, which stamps after the workers. */
    if (hist_create(n_threads + 1, N_CALLS, &H) != HIST_OK) {
        fprintf(stderr, "history_tsan: hist_create failed\n");
        return 1;
    }
    pthread_barrier_init(&B, NULL, n_threads + 1);
    pthread_t th[MAX_THREADS];
    for (uint32_t t = 0; t < n_threads; t++)
        pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t);
    pthread_barrier_wait(&B); /* start together */
    pthread_barrier_wait(&B); /* all have recorded */
    /* A stamp taken now comes after every stamp of every worker. */
    struct hist_event late = {.lifetime = n_threads, .call = {.op = MODEL_OP_END}};
    long late_slot = hist_begin(H, n_threads, &late);
    CHECK(late_slot == 0, "main records in its own buffer");
    for (uint32_t t = 0; t < n_threads; t++) {
        void *rv;
        pthread_join(th[t], &rv);
        CHECK(rv == NULL, "thread %" PRIu32 " could not record", t);
    }
    struct hist_event *ev;
    size_t n = hist_collect(H, &ev);
    CHECK(n == (size_t)n_threads * N_CALLS + 1, "collected %zu events", n);
    CHECK(n > 0 && ev[n - 1].thread == n_threads, "main's call is the last invoked");

    /* Uniqueness of stamps: collect all, sort, compare neighbours. */
    uint64_t *stamps = malloc(sizeof *stamps * 2 * (n ? n : 1));
    size_t ns = 0;
    uint64_t max_stamp = 0, max_before = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].thread < n_threads) {
            uint64_t m = ev[i].ret != HIST_PENDING ? ev[i].ret : ev[i].inv;
            if (m > max_before)
                max_before = m;
        }
        stamps[ns++] = ev[i].inv;
        if (ev[i].ret != HIST_PENDING)
            stamps[ns++] = ev[i].ret;
        if (ev[i].inv > max_stamp)
            max_stamp = ev[i].inv;
        if (ev[i].ret != HIST_PENDING && ev[i].ret > max_stamp)
            max_stamp = ev[i].ret;
    }
    qsort(stamps, ns, sizeof *stamps, cmp_u64);
    for (size_t i = 1; i < ns; i++)
        CHECK(stamps[i] != stamps[i - 1], "stamp %" PRIu64 " used twice", stamps[i]);
    free(stamps);

    /* Per-thread order and contents. */
    uint32_t next[MAX_THREADS] = {0};
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = &ev[i];
        if (i > 0)
            CHECK(ev[i - 1].inv < e->inv, "merge out of order at %zu", i);
        CHECK(e->thread <= n_threads, "thread %" PRIu32, e->thread);
        if (e->thread >= n_threads) {
            CHECK(e->inv > max_before, "main's stamp %" PRIu64 " after every worker stamp", e->inv);
            continue;
        }
        uint32_t k = next[e->thread]++;
        CHECK(e->call.cb_max == k, "thread %" PRIu32 ": call %" PRIu32 " came as %" PRIu32, e->thread,
              k, e->call.cb_max);
        CHECK(e->lifetime == e->thread, "arguments kept");
        if (k + 1 == N_CALLS) {
            CHECK(e->ret == HIST_PENDING, "the last call of thread %" PRIu32 " is pending", e->thread);
        } else {
            CHECK(e->ret != HIST_PENDING && e->inv < e->ret, "inv %" PRIu64 " < ret %" PRIu64,
                  e->inv, e->ret);
            CHECK(e->err == -(JET_ERR)e->thread && e->cb_actual == k, "response kept");
        }
    }
    long s = hist_begin(H, 0, &late);
    CHECK(s == HIST_EFULL, "the buffer of thread 0 is full");
    struct hist *h2;
    if (hist_create(1, 2, &h2) == HIST_OK) {
        hist_set_enabled(h2, false);
        long off = hist_begin(h2, 0, &late);
        hist_end(h2, 0, off, &late);
        struct hist_event *none;
        CHECK(hist_collect(h2, &none) == 0, "disabled recording records nothing");
        free(none);
        hist_destroy(h2);
    }
    struct hist_event *again;
    size_t n2 = hist_collect(H, &again);
    CHECK(n2 == n && hist_hash(ev, n) == hist_hash(again, n2), "hash of the same history");
    free(again);
    /* By pointer: the same order, pointing into the threads' own buffers. */
    const struct hist_event **ptrs = malloc(sizeof *ptrs * (n ? n : 1));
    CHECK(ptrs != NULL && hist_count(H) == n, "hist_count");
    if (ptrs != NULL) {
        size_t n3 = hist_collect_ptrs(H, ptrs);
        CHECK(n3 == n, "collected %zu pointers", n3);
        for (size_t i = 0; i < n3 && i < n; i++) {
            const struct hist_event *own;
            size_t k = hist_thread_events(H, ptrs[i]->thread, &own);
            CHECK(memcmp(ptrs[i], &ev[i], sizeof ev[i]) == 0, "pointer %zu is event %zu", i, i);
            CHECK(ptrs[i] >= own && ptrs[i] < own + k, "pointer %zu into its thread's buffer", i);
        }
        free(ptrs);
    }
    /* Reset: empty, the clock restarts, recording goes on in the same buffers. */
    hist_reset(H);
    CHECK(hist_count(H) == 0, "empty after reset");
    long r = hist_begin(H, 0, &late);
    hist_end(H, 0, r, &late);
    struct hist_event *after;
    CHECK(hist_collect(H, &after) == 1 && after[0].inv == 1 && after[0].ret == 2,
          "one event, stamps from 1, after reset");
    free(after);
    free(ev);
    hist_destroy(H);
    pthread_barrier_destroy(&B);
    if (failures == 0)
        printf("history_tsan: %" PRIu32 " threads x %" PRIu32 " calls: ok (max stamp %" PRIu64 ")\n",
               n_threads, N_CALLS, max_stamp);
    return failures == 0 ? 0 : 1;
}
