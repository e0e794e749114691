/*
 * bench_stress.c: `backstop bench stress`: recorded-and-checked calls per
 * second of a free-schedule stress run against the reference engine (memory
 * store, 2 workers), against the same workload with recording off, in one
 * run, and recorded without the check. "Checked" means the wall time includes
 * the linearizability check of every segment's history. Recording overhead is
 * 1 - recorded / unrecorded.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "bench.h"
#include "stress.h"

#define BENCH_STRESS_GOAL 1000000.0
#define BENCH_STRESS_MAX_OVERHEAD 0.30

static double bench_stress__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One run; *rate receives calls per second of wall time, checking included. */
static int bench_stress__one(const struct bench_config *cfg, bool record, bool check, struct stress_result *r,
                             double *rate)
{
    struct stress_config sc = {
        .target = &target_engine_ops,
        .target_name = "engine",
        .n_threads = 2,
        .n_instances = 2,
        .seconds = cfg->seconds,
        .seed = cfg->seed,
        .schedule = SCHED_FREE,
        .record = record,
        .check = check,
        .quiet = true,
        /* Small pages and logs: a workload of many calls, few bytes each. */
        .page_size = 1024,
        .log_size = 1024,
    };
    double t0 = bench_stress__now();
    int rv = stress_run(&sc, r);
    double t = bench_stress__now() - t0;
    *rate = t > 0 ? (double)r->calls / t : 0;
    return rv;
}

int bench_stress(const struct bench_config *cfg, FILE *out)
{
    struct stress_result off, rec, on;
    double rate_off, rate_rec, rate_on;

    fprintf(out, "workload: 2 workers (a backup client on each of 2 instances), engine memory store, "
                 "1 KiB pages and log files, free schedule, %.1f s per figure\n",
            cfg->seconds);
    if (bench_stress__one(cfg, false, false, &off, &rate_off) != STRESS_OK ||
        bench_stress__one(cfg, true, false, &rec, &rate_rec) != STRESS_OK ||
        bench_stress__one(cfg, true, true, &on, &rate_on) != STRESS_OK) {
        fprintf(out, "bench stress: the stress run failed\n");
        return -1;
    }
    fprintf(out, "recording off:        %.0f calls/s (%" PRIu64 " calls)\n", rate_off, off.calls);
    fprintf(out, "recorded:             %.0f calls/s (%" PRIu64 " calls; recording overhead %.1f%%)\n",
            rate_rec, rec.calls, rate_off > 0 ? (1.0 - rate_rec / rate_off) * 100 : 0.0);
    fprintf(out, "recorded and checked: %.0f calls/s (%" PRIu64 " calls, %.2f s of it checking, "
                 "%" PRIu64 " violations)\n",
            rate_on, on.calls, on.check_seconds, on.violations);
    fprintf(out, "overhead (checked vs off): %.1f%%\n", rate_off > 0 ? (1.0 - rate_on / rate_off) * 100 : 0.0);
    fprintf(out, "goal: >= %.0f checked calls/s and recording overhead < %.0f%%: %s\n", BENCH_STRESS_GOAL,
            BENCH_STRESS_MAX_OVERHEAD * 100,
            rate_on >= BENCH_STRESS_GOAL && rate_off > 0 && 1.0 - rate_rec / rate_off < BENCH_STRESS_MAX_OVERHEAD
                ? "met"
                : "NOT met");
    return on.violations ? -1 : 0;
}
