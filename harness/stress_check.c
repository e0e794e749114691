/*
 * stress_check.c: the end of a stress segment: its history is hashed (the
 * run's history hash chains the segments' hashes; a segment's hash chains
 * those of the recorder threads' own event sequences), collected in
 * invocation order by pointer, checked for R50 in free runs, and checked for
 * linearizability against the model (lincheck.h).
 *
 * The check is P-compositional (one instance lifetime at a time): lincheck
 * checks the lifetimes on as many threads as there are processors while the
 * workers are parked, and its result does not depend on the threads' timing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress_int.h"

#define STRESS__CHECK_PARALLEL_MIN 20000u /* events; below, one thread */
#define STRESS__CHECK_MAX_GROUPS 4

static uint64_t stress__chain(uint64_t h, uint64_t seg, uint64_t k)
{
    if (k == 0)
        return seg;
    uint64_t z = h ^ (seg + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Report the check's result. Returns a STRESS_* status. */
static int stress__report(struct stress_run *run, int rv, struct lincheck_result *lr)
{
    if (rv != LINCHECK_OK) {
        fprintf(stderr, "backstop: stress: harness error in the checker: %s: %s\n", lincheck_strerror(rv),
                lr->message);
        fflush(stderr);
        return STRESS_EHARNESS;
    }
    if (lr->verdict == LINCHECK_LINEARIZABLE)
        return STRESS_OK;
    atomic_fetch_add(&run->lin_violations,
                     lr->n_violations + lr->n_unknown ? lr->n_violations + lr->n_unknown : 1);
    stress__first(run, lr->verdict == LINCHECK_VIOLATION ? "linearizability" : "lincheck-unknown",
                  lr->lifetime);
    if (!run->quiet) {
        flockfile(run->out);
        fprintf(run->out, "%s (segment %" PRIu64 ", seed %" PRIu64 "): %s\n",
                lr->verdict == LINCHECK_VIOLATION ? "LINEARIZABILITY VIOLATION" : "LINEARIZABILITY UNKNOWN",
                run->res->segments, run->cfg->seed, lr->message);
        if (lr->cex)
            lincheck_cex_print_timeline(lr->cex, run->out);
        funlockfile(run->out);
    }
    if (lr->cex && run->cfg->save_dir) {
        char stem[96];
        snprintf(stem, sizeof stem, "lin-%" PRIu64 "-%" PRIu64 "-L%" PRIu32, run->cfg->seed,
                 run->res->segments, lr->lifetime);
        if (lincheck_cex_save(lr->cex, run->cfg->save_dir, stem) == LINCHECK_OK && !run->quiet)
            fprintf(run->out, "counterexample saved: %s/%s.{txt,html,scn}\n", run->cfg->save_dir, stem);
    }
    return STRESS_OK;
}

/* The check is P-compositional: lincheck checks the lifetimes on as many
 * threads as there are processors (while the workers are parked), and its
 * result does not depend on the threads' timing. */
static int stress__lincheck(struct stress_run *run, const struct hist_event *const *ev, size_t n)
{
    struct lincheck_config lc = {
        .model = {.profile = MODEL_PROFILE_ESE, .page_size = run->page_size, .log_size = run->log_size}};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    struct lincheck_result lr;

    lc.threads = n >= STRESS__CHECK_PARALLEL_MIN && cpus > 1 ? (uint32_t)cpus : 1;
    if (lc.threads > STRESS__CHECK_MAX_GROUPS)
        lc.threads = STRESS__CHECK_MAX_GROUPS;
    int rv = lincheck_check_ptrs(ev, n, &lc, &lr);
    int status = stress__report(run, rv, &lr);
    lincheck_result_free(&lr);
    return status;
}

/* The segment's hash: hist_hash of each recorder thread's own events (its
 * sequence in its own buffer, read as it lies, so that the passes stream
 * through memory), the threads hashed in parallel and chained in thread order.
 * Equal histories have equal per-thread sequences, hence equal hashes. */
struct stress__hasher {
    const struct hist *h;
    uint32_t first, step;
    uint64_t *out;
};

static void *stress__hash_threads(void *arg)
{
    struct stress__hasher *hs = arg;
    uint32_t n = hist_n_threads(hs->h);
    for (uint32_t t = hs->first; t < n; t += hs->step) {
        const struct hist_event *ev;
        size_t k = hist_thread_events(hs->h, t, &ev);
        hs->out[t] = hist_hash(ev, k);
    }
    return NULL;
}

static uint64_t stress__segment_hash(const struct hist *h)
{
    uint32_t n = hist_n_threads(h);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t k = cpus > 1 ? (uint32_t)cpus : 1;
    uint64_t out_small[STRESS_MAX_THREADS + 1], *out = out_small, hash = 0;
    struct stress__hasher hs[STRESS__CHECK_MAX_GROUPS];
    pthread_t th[STRESS__CHECK_MAX_GROUPS];
    bool started[STRESS__CHECK_MAX_GROUPS] = {0};

    if (n > STRESS_MAX_THREADS + 1 && (out = calloc(n, sizeof *out)) == NULL)
        return 0;
    if (k > STRESS__CHECK_MAX_GROUPS)
        k = STRESS__CHECK_MAX_GROUPS;
    if (k > n)
        k = n;
    for (uint32_t i = 0; i < k; i++)
        hs[i] = (struct stress__hasher){.h = h, .first = i, .step = k, .out = out};
    for (uint32_t i = 1; i < k; i++)
        started[i] = pthread_create(&th[i], NULL, stress__hash_threads, &hs[i]) == 0;
    stress__hash_threads(&hs[0]);
    for (uint32_t i = 1; i < k; i++) {
        if (started[i])
            pthread_join(th[i], NULL);
        else
            stress__hash_threads(&hs[i]);
    }
    for (uint32_t t = 0; t < n; t++)
        hash = stress__chain(hash, out[t], t);
    if (out != out_small)
        free(out);
    return hash;
}

/*
 * R50 (Stop never blocks, never waits for an in-flight backup call), in free
 * runs. A sample is a completed Stop invoked while a completed ReadFile was in
 * flight on the same lifetime (neither with a stale handle); it "waited" if it
 * returned after the earliest-returning such read did. The bound is relative
 * to the read, not a time: no time bound is safe, since a descheduled thread
 * on a loaded machine exceeds any of them.
 *
 * A Stop that does not block waits only if it was invoked in the read's last
 * moments or its thread was descheduled between its two stamps: measured on
 * the 2-core VM at load average 6-7, 141 of 1534 samples (9 %) of the engine.
 * A Stop that blocks on the read waits unless it gets the lock in the instant
 * between the read's end and the read's response stamp: 54 of 57 (95 %) for
 * the stop_blocks_on_read mutant. So one Stop that outlasts a read proves
 * nothing, and the check reports only when at least STRESS__R50_MIN samples
 * over the whole run were taken and at least 3/4 of them waited. For a Stop
 * that does not block, even if a quarter of samples waited (three times the
 * loaded figure above), the chance that 24 of 32 independent samples wait is
 * below 1e-8. The history's stamps are a real-time order, which is all the
 * check uses. Stoppers aim at reads in free runs (stress_roles.c) so that
 * samples come often. Controlled schedules never run two calls at once, so
 * there a blocking Stop shows as a DEADLOCK instead.
 */
#define STRESS__R50_MIN 32u

static bool stress__is_read(enum model_op op)
{
    return op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY;
}

static void stress__r50_scan(struct stress_run *run, const struct hist_event *const *ev, size_t n)
{
    enum { MAX_READS = 2 * STRESS_MAX_THREADS };
    const struct hist_event *reads[MAX_READS];
    size_t n_reads = 0;
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = ev[i];
        size_t k = 0;
        for (size_t j = 0; j < n_reads; j++) {
            if (reads[j]->ret > e->inv)
                reads[k++] = reads[j];
        }
        n_reads = k;
        if (e->ret == HIST_PENDING || e->handle_stale || e->lifetime == HIST_NO_LIFETIME)
            continue;
        if (stress__is_read(e->call.op)) {
            if (n_reads < MAX_READS)
                reads[n_reads++] = e;
        } else if (stress__is_stop(e->call.op)) {
            uint64_t first_ret = HIST_PENDING;
            for (size_t j = 0; j < n_reads; j++) {
                if (reads[j]->lifetime == e->lifetime && reads[j]->ret < first_ret)
                    first_ret = reads[j]->ret;
            }
            if (first_ret != HIST_PENDING) {
                run->r50_samples++;
                run->r50_waited += e->ret > first_ret;
            }
        }
    }
    if (!run->r50_reported && run->r50_samples >= STRESS__R50_MIN && 4 * run->r50_waited >= 3 * run->r50_samples) {
        run->r50_reported = true;
        atomic_fetch_add(&run->inv_violations, 1);
        stress__first(run, "R50", HIST_NO_LIFETIME);
        if (!run->quiet) {
            flockfile(run->out);
            fprintf(run->out,
                    "VIOLATION R50: Stop waits for ReadFile: %" PRIu64 " of the %" PRIu64
                    " Stops invoked while a ReadFile ran on their instance returned only after that "
                    "read returned (a Stop that does not block outlasts a read only now and then) "
                    "(seed %" PRIu64 ", segment %" PRIu64 ")\n",
                    run->r50_waited, run->r50_samples, run->cfg->seed, run->res->segments);
            funlockfile(run->out);
        }
    }
}

int stress__check(struct stress_run *run, bool final)
{
    size_t n;
    double t0 = stress__now();
    int status = STRESS_OK;

    if (!run->hist)
        return STRESS_OK;
    run->hash_chain = stress__chain(run->hash_chain, stress__segment_hash(run->hist), run->res->segments);
    /* The events in invocation order, by pointer: one array of pointers for
     * every segment (its pages are touched once), no event copied. */
    n = hist_count(run->hist);
    if (n > run->seg_cap) {
        const struct hist_event **q = realloc(run->seg_ptrs, sizeof *q * n);
        if (q == NULL) {
            fprintf(stderr, "backstop: stress: cannot allocate the segment's history\n");
            return STRESS_ENOMEM;
        }
        run->seg_ptrs = q;
        run->seg_cap = n;
    }
    n = hist_collect_ptrs(run->hist, run->seg_ptrs);
    if (!sched_controlled(run->sched))
        stress__r50_scan(run, run->seg_ptrs, n);
    run->res->segments++;
    if (run->cfg->check && n > 0)
        status = stress__lincheck(run, run->seg_ptrs, n);
    if (run->cfg->history_out && final) {
        struct hist_event *copy = malloc(sizeof *copy * (n ? n : 1));
        if (copy == NULL) {
            fprintf(stderr, "backstop: stress: cannot allocate the history\n");
            status = STRESS_ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++)
                copy[i] = *run->seg_ptrs[i];
            *run->cfg->history_out = copy;
            *run->cfg->n_history_out = n;
        }
    }
    run->res->check_seconds += stress__now() - t0;
    return status;
}
