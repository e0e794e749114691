/*
 * fuzzsched_test.c: fuzz_sched's programs (harness/fuzzsched.h): the same
 * input gives the same history (hash) on every run although threads run; the
 * decision bytes decide the interleaving; any bytes decode and run clean on
 * the engine; a run prints as a .scn case that parses; a case encodes into an
 * input with its calls; and concurrency mutants (engine/mutants/concurrency/)
 * are caught by the committed seeds while the baseline is not.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzsched.h"
#include "target.h"

static uint8_t *read_seed(const char *name, size_t *n)
{
    char path[1024];
    FILE *f;
    uint8_t *buf = malloc(8192);
    snprintf(path, sizeof path, "%s/%s", FUZZ_SCHED_CORPUS, name);
    f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    *n = fread(buf, 1, 8192, f);
    fclose(f);
    return buf;
}

/* Run `data` `runs` times on cfg's target; every run must give `want` and the
 * same history hash, which is returned. */
static uint64_t run_same(const uint8_t *data, size_t n, const struct fuzzsched_config *cfg, int want,
                         int runs)
{
    uint64_t first = 0, decisions = 0;
    for (int i = 0; i < runs; i++) {
        struct fuzzsched *p = NULL;
        cr_assert_eq(fuzzsched_decode(data, n, &p), FUZZSCHED_OK);
        int rv = fuzzsched_run(p, cfg);
        cr_assert_eq(rv, want, "run %d: status %d, finding: %s", i, rv, fuzzsched_finding(p));
        if (i == 0) {
            first = fuzzsched_history_hash(p);
            decisions = fuzzsched_decisions(p);
        }
        cr_assert_eq(fuzzsched_history_hash(p), first, "run %d gave another history", i);
        cr_assert_eq(fuzzsched_decisions(p), decisions);
        fuzzsched_free(p);
    }
    cr_assert_neq(first, 0);
    return first;
}

Test(fuzzsched, same_input_same_history)
{
    static const char *const seeds[] = {"sched.begin_race_stop_term", "sched.stop_during_read",
                                        "sched.term_during_read", "sched.stops_on_two_instances",
                                        "concurrency.concurrent_begins"};
    struct fuzzsched_config cfg = {0};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        size_t n;
        uint8_t *data = read_seed(seeds[i], &n);
        run_same(data, n, &cfg, FUZZSCHED_OK, 20);
        free(data);
    }
}

Test(fuzzsched, decisions_change_the_interleaving)
{
    size_t n;
    uint8_t *data = read_seed("sched.begin_race_stop_term", &n);
    struct fuzzsched_config cfg = {0};
    struct fuzzsched *p = NULL;
    uint64_t with = run_same(data, n, &cfg, FUZZSCHED_OK, 2);
    /* Without decision bytes: the calls in input order, one at a time. */
    cr_assert_eq(fuzzsched_decode(data, n, &p), FUZZSCHED_OK);
    size_t calls_end = n;
    fuzzsched_free(p);
    for (size_t cut = 4; cut <= n; cut++) {
        cr_assert_eq(fuzzsched_decode(data, cut, &p), FUZZSCHED_OK);
        size_t count = fuzzsched_count(p);
        fuzzsched_free(p);
        if (count == 9) {
            calls_end = cut;
            break;
        }
    }
    cr_assert_lt(calls_end, n, "the seed has decision bytes");
    uint64_t without = run_same(data, calls_end, &cfg, FUZZSCHED_OK, 2);
    cr_assert_neq(with, without, "the decision bytes made no difference");
    free(data);
}

Test(fuzzsched, any_bytes_run_clean_on_the_engine)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    struct fuzzsched_config cfg = {0};
    uint8_t buf[160];
    for (int k = 0; k < 200; k++) {
        size_t n = (size_t)(k % (int)sizeof buf);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (uint8_t)x;
        }
        struct fuzzsched *p = NULL;
        cr_assert_eq(fuzzsched_decode(buf, n, &p), FUZZSCHED_OK);
        int rv = fuzzsched_run(p, &cfg);
        cr_assert_eq(rv, FUZZSCHED_OK, "input %d: status %d: %s", k, rv, fuzzsched_finding(p));
        cr_assert_leq(fuzzsched_count(p), FUZZSCHED_MAX_CALLS);
        fuzzsched_free(p);
    }
}

Test(fuzzsched, prints_a_case_that_parses)
{
    size_t n, len = 0;
    char *text = NULL;
    uint8_t *data = read_seed("sched.begin_race_stop_term", &n);
    struct fuzzsched *p = NULL;
    struct scn_suite *suite = NULL;
    struct fuzzsched_config cfg = {0};
    cr_assert_eq(fuzzsched_decode(data, n, &p), FUZZSCHED_OK);
    cr_assert_eq(fuzzsched_run(p, &cfg), FUZZSCHED_OK);
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(fuzzsched_print_scn(p, "fuzz.t", f), 0);
    fclose(f);
    cr_assert_eq(scn_parse_buffer("t.scn", text, len, stderr, &suite), SCN_OK, "%s", text);
    cr_assert_eq(scn_suite_count(suite), 1);
    cr_assert_not_null(strstr(text, "parallel"), "the seed's calls overlap:\n%s", text);
    scn_suite_free(suite);
    free(text);
    fuzzsched_free(p);
    free(data);
}

Test(fuzzsched, encodes_a_case)
{
    static const char text[] =
        "case t.x\n  intent x\n  rules R52\n  instance i\n  database i db1 pages=3\n"
        "  JetBeginExternalBackupInstance i 0 -> 0\n"
        "  parallel\n    a: JetStopBackupInstance i -> 0\n    b: JetReadFileInstance i 0 4096 -> *\n  end\n"
        "  JetEndExternalBackupInstance i -> 0\nend\n";
    struct scn_suite *suite = NULL;
    struct fuzzsched *p = NULL;
    uint8_t *bytes = NULL;
    size_t n = 0;
    cr_assert_eq(scn_parse_buffer("t.scn", text, sizeof text - 1, stderr, &suite), SCN_OK);
    cr_assert_eq(fuzzsched_encode_case(scn_suite_case(suite, 0), &bytes, &n), FUZZSCHED_OK);
    cr_assert_eq(fuzzsched_decode(bytes, n, &p), FUZZSCHED_OK);
    cr_assert_eq(fuzzsched_count(p), 4);
    cr_assert_eq(fuzzsched_threads(p), 4);
    struct fuzzsched_config cfg = {0};
    cr_assert_eq(fuzzsched_run(p, &cfg), FUZZSCHED_OK, "%s", fuzzsched_finding(p));
    fuzzsched_free(p);
    free(bytes);
    scn_suite_free(suite);
}

#ifdef MUTANT_DIR
static void against(const char *lib, const char *seed, int want, const char *needle)
{
    const struct target_ops *ops = NULL;
    char detail[512] = "", path[1024];
    size_t n;
    uint8_t *data = read_seed(seed, &n);
    struct fuzzsched *p = NULL;
    snprintf(path, sizeof path, "%s/%s", MUTANT_DIR, lib);
    cr_assert_eq(target_resolve(path, detail, sizeof detail, &ops), TARGET_OK, "%s", detail);
    struct fuzzsched_config cfg = {.target = ops};
    cr_assert_eq(fuzzsched_decode(data, n, &p), FUZZSCHED_OK);
    int rv = fuzzsched_run(p, &cfg);
    cr_assert_eq(rv, want, "%s on %s: status %d: %s", seed, lib, rv, fuzzsched_finding(p));
    if (needle)
        cr_assert_not_null(strstr(fuzzsched_finding(p), needle), "%s", fuzzsched_finding(p));
    fuzzsched_free(p);
    target_release(ops);
    free(data);
}

Test(fuzzsched, concurrency_mutants_are_caught)
{
    against("concurrency/libbegin_claim_unlocked.so", "sched.begin_race_stop_term", FUZZSCHED_FINDING,
            "linearizability");
    against("concurrency/libstop_flag_cached.so", "sched.begin_race_stop_term", FUZZSCHED_FINDING,
            "linearizability");
    against("concurrency/libstop_in_bitfield.so", "sched.stop_during_read", FUZZSCHED_FINDING,
            "linearizability");
    against("concurrency/libterm_no_wait.so", "sched.term_during_read", FUZZSCHED_FINDING,
            "linearizability");
    against("concurrency/libstop_races_other_instance.so", "sched.stops_on_two_instances",
            FUZZSCHED_FINDING, "linearizability");
}

Test(fuzzsched, baseline_survives_the_seeds)
{
    static const char *const seeds[] = {"sched.begin_race_stop_term", "sched.stop_during_read",
                                        "sched.term_during_read", "sched.stops_on_two_instances",
                                        "sched.stop_blocked_by_read"};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
        against("baseline/libbaseline.so", seeds[i], FUZZSCHED_OK, NULL);
}

/* stop_blocks_on_read blocks inside Stop while holding the turn: the process
 * reports DEADLOCK and aborts (fuzzsched.h). */
Test(fuzzsched, blocking_mutant_is_a_deadlock, .signal = SIGABRT)
{
    const struct target_ops *ops = NULL;
    char detail[512] = "", path[1024];
    size_t n;
    uint8_t *data = read_seed("sched.stop_blocked_by_read", &n);
    struct fuzzsched *p = NULL;
    snprintf(path, sizeof path, "%s/concurrency/libstop_blocks_on_read.so", MUTANT_DIR);
    cr_assert_eq(target_resolve(path, detail, sizeof detail, &ops), TARGET_OK, "%s", detail);
    struct fuzzsched_config cfg = {.target = ops, .max_seconds = 1};
    cr_assert_eq(fuzzsched_decode(data, n, &p), FUZZSCHED_OK);
    (void)fuzzsched_run(p, &cfg);
}
#endif
