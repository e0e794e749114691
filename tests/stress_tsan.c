/*
 * stress_tsan.c: a plain executable (no Criterion, which cannot run under
 * ThreadSanitizer) that runs short seeded `backstop stress` runs against the
 * in-process engine: free schedule (real races between workers, the part
 * ThreadSanitizer judges) and a controlled one (the scheduler's handshake),
 * and a replay of the controlled run, which must give the same history hash.
 *
 * Usage: stress_tsan [seed] [calls]. Exit 0 if no run found a violation and
 * the replay matched; 1 otherwise; 2 on a harness error. Under the tsan preset
 * a data race report fails the test (TSAN_OPTIONS halt_on_error, or the
 * report in CTest's output).
 *
 * Links: backstop_harness.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress.h"

static int stress_tsan_run(const char *what, struct stress_config *cfg, struct stress_result *r)
{
    int rv = stress_run(cfg, r);
    if (rv != STRESS_OK) {
        fprintf(stderr, "stress_tsan: %s: harness error: %s\n", what, stress_strerror(rv));
        return 2;
    }
    printf("stress_tsan: %s: %" PRIu64 " calls, %" PRIu64 " lifetimes, %" PRIu64
           " backups completed, %" PRIu64 " stopped, %" PRIu64 " violations, history %016" PRIx64 "\n",
           what, r->calls, r->lifetimes, r->backups_completed, r->backups_stopped, r->violations,
           r->history_hash);
    if (r->violations) {
        fprintf(stderr, "stress_tsan: %s: %" PRIu64 " violations (first: %s)\n", what, r->violations,
                r->first_violation);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 20240601u;
    uint64_t calls = argc > 2 ? strtoull(argv[2], NULL, 0) : 20000u;
    struct stress_result free_res, ctl_res, replay_res;
    struct stress_config cfg = {
        .target = &target_engine_ops,
        .target_name = "engine",
        .n_threads = 10,
        .n_instances = 2,
        .ops = calls,
        .seed = seed,
        .schedule = SCHED_FREE,
        .record = true,
        .check = true,
        .quiet = false,
        .segment_calls = calls / 3 + 1, /* cross segment boundaries too */
    };
    int rv, worst = 0;

    printf("stress_tsan: seed %" PRIu64 "\n", seed);
    rv = stress_tsan_run("free, 10 threads, 2 instances", &cfg, &free_res);
    worst = rv > worst ? rv : worst;

    cfg.n_threads = 6;
    cfg.n_instances = 1; /* OneInst lifetimes and JetStopBackup */
    rv = stress_tsan_run("free, 6 threads, 1 instance", &cfg, &free_res);
    worst = rv > worst ? rv : worst;

    cfg.n_threads = 9;
    cfg.n_instances = 2;
    cfg.ops = calls / 4;
    cfg.schedule = SCHED_PCT;
    cfg.pct_depth = 3;
    rv = stress_tsan_run("pct:3, 9 threads, 2 instances", &cfg, &ctl_res);
    worst = rv > worst ? rv : worst;
    rv = stress_tsan_run("replay of pct:3", &cfg, &replay_res);
    worst = rv > worst ? rv : worst;
    if (rv == 0 && replay_res.history_hash != ctl_res.history_hash) {
        fprintf(stderr, "stress_tsan: the replay gave history %016" PRIx64 ", not %016" PRIx64 "\n",
                replay_res.history_hash, ctl_res.history_hash);
        worst = worst > 1 ? worst : 1;
    }
    printf("stress_tsan: %s\n", worst ? "FAILED" : "ok");
    return worst;
}
