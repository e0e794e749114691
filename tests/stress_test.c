/*
 * stress_test.c: the stress driver's pieces that need no threads to judge:
 * replay tokens, the --faults language (with the column of each error), the
 * engine-point to model-fault mapping; and short stress runs: clean against
 * the model and the engine, bit-for-bit replays under a controlled schedule,
 * and a planted bug (a Stop that does nothing) that the run must catch.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "faults.h"
#include "stress.h"

/* ---- tokens -------------------------------------------------------------------------- */

Test(stress, token_round_trips_every_parameter)
{
    static struct stress_program prog, back_prog;
    struct stress_config cfg = {.target_name = "build/libx.so;odd=name", .n_threads = 9, .n_instances = 3,
                                .ops = 12345, .seed = 987654321987ull, .schedule = SCHED_PCT,
                                .pct_depth = 4, .segment_calls = 777};
    struct stress_config back = {0};
    char token[4096], storage[512], err[128];
    uint64_t hash = 0;
    int col;
    cr_assert_eq(faults_parse("read.eio:p=0.25,alloc.enomem:countdown=40", &cfg.faults, &col, err, sizeof err), 0);
    prog.workers = 0x1A5;
    prog.has_calls = true;
    prog.n_ranges[0] = 2;
    prog.ranges[0][0] = (struct stress_keep_range){0, 5};
    prog.ranges[0][1] = (struct stress_keep_range){9, 9};
    prog.n_ranges[8] = 1;
    prog.ranges[8][0] = (struct stress_keep_range){3, 70};
    cfg.program = &prog;
    cr_assert_eq(stress_token_encode(&cfg, 555, 0xDEADBEEFCAFEull, token, sizeof token), 0);
    cr_assert_eq(strncmp(token, "bs1.", 4), 0);
    cr_assert_eq(strcspn(token, " \t\n'\"$;&|"), strlen(token), "not one shell word: %s", token);
    cr_assert_eq(stress_token_decode(token, &back, &back_prog, &hash, storage, sizeof storage, err, sizeof err), 0,
                 "%s", err);
    cr_expect_str_eq(back.target_name, cfg.target_name);
    cr_expect_eq(back.n_threads, 9);
    cr_expect_eq(back.n_instances, 3);
    cr_expect_eq(back.ops, 555);
    cr_expect_eq(back.seed, cfg.seed);
    cr_expect_eq(back.schedule, SCHED_PCT);
    cr_expect_eq(back.pct_depth, 4);
    cr_expect_eq(back.segment_calls, 777);
    cr_expect_eq(hash, 0xDEADBEEFCAFEull);
    cr_assert_eq(back.faults.n, 2);
    cr_expect_eq(back.faults.item[0].p, 0.25);
    cr_expect_eq(back.faults.item[1].policy, ENGINE_FAULT_COUNTDOWN);
    cr_expect_eq(back.faults.item[1].n, 40);
    cr_assert(back.program == &back_prog);
    cr_expect_eq(back_prog.workers, 0x1A5);
    cr_expect_eq(back_prog.n_ranges[0], 2);
    cr_expect_eq(back_prog.ranges[0][1].lo, 9);
    cr_expect_eq(back_prog.ranges[8][0].hi, 70);
}

Test(stress, malformed_tokens_are_rejected)
{
    static struct stress_program prog;
    const char *bad[] = {"", "bs1.", "bs2.abc", "bs1.!!!!", "bs1.bj0xMA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct stress_config cfg = {0};
        char storage[256], err[128] = "";
        uint64_t h;
        cr_expect_neq(stress_token_decode(bad[i], &cfg, &prog, &h, storage, sizeof storage, err, sizeof err), 0,
                      "'%s' was accepted", bad[i]);
        cr_expect_neq(err[0], 0);
    }
}

/* ---- the --faults language ----------------------------------------------------------------- */

struct fault_row {
    char name[40];
    char spec[80];
    int col; /* 0: accepted */
};

ParameterizedTestParameters(stress, faults_spec)
{
    static struct fault_row rows[] = {
        {"example_from_the_issue", "read.eio:p=0.01,logroll.enospc:nth=3,alloc.enomem:countdown=40", 0},
        {"point_alone_is_once", "read.verify", 0},
        {"explicit_once", "open.eio:once", 0},
        {"unknown_point", "read.eoi:once", 1},
        {"unknown_second_point", "read.eio,disk.full", 10},
        {"empty_item", "read.eio,,alloc.enomem", 10},
        {"trailing_comma", "read.eio,", 10},
        {"probability_above_one", "read.eio:p=2", 12},
        {"count_not_a_number", "read.eio:nth=x", 14},
        {"negative_count", "read.eio:countdown=-1", 20},
        {"unknown_policy", "read.eio:sometimes", 10},
        {"duplicate_point", "read.eio,read.eio:nth=2", 10},
        {"missing_point", ":once", 1},
        {"empty_spec", "", 1},
    };
    return cr_make_param_array(struct fault_row, rows, sizeof rows / sizeof rows[0]);
}

ParameterizedTest(struct fault_row *row, stress, faults_spec)
{
    struct faults_spec spec, again;
    char msg[256] = "", text[512];
    int col = 0, col2;
    int rv = faults_parse(row->spec, &spec, &col, msg, sizeof msg);
    if (row->col == 0) {
        cr_assert_eq(rv, 0, "%s: %s at %d", row->name, msg, col);
        faults_format(&spec, text, sizeof text);
        cr_assert_eq(faults_parse(text, &again, &col2, msg, sizeof msg), 0, "%s: '%s'", row->name, text);
        cr_expect(memcmp(&spec, &again, sizeof spec) == 0, "%s: format does not round-trip", row->name);
        return;
    }
    cr_expect_neq(rv, 0, "%s accepted", row->name);
    cr_expect_eq(col, row->col, "%s: column %d, want %d (%s)", row->name, col, row->col, msg);
    cr_expect_neq(msg[0], 0);
}

Test(stress, engine_points_map_to_model_faults)
{
    bool modelled;
    cr_expect_eq(faults_model_fault("read.eio", &modelled), MODEL_FAULT_READ_IO);
    cr_expect(modelled);
    cr_expect_eq(faults_model_fault("read.verify", &modelled), MODEL_FAULT_READ_VERIFY);
    cr_expect_eq(faults_model_fault("alloc.enomem", &modelled), MODEL_FAULT_NOMEM);
    cr_expect_eq(faults_model_fault("logroll.enospc", &modelled), MODEL_FAULT_LOG_ROLL);
    cr_expect_eq(faults_model_fault("read.short", &modelled), MODEL_FAULT_NONE);
    cr_expect(modelled, "read.short changes no outcome");
    cr_expect_eq(faults_model_fault("open.eio", &modelled), MODEL_FAULT_OPEN_IO);
    cr_expect(modelled, "open.eio is the model's MODEL_FAULT_OPEN_IO (§4.3)");
    faults_model_fault("write.eio", &modelled);
    cr_expect(!modelled);
}

/* ---- runs ------------------------------------------------------------------------------------ */

static struct stress_config base(const struct target_ops *t, enum sched_kind k, uint64_t ops)
{
    struct stress_config c = {.target = t, .target_name = t->name, .n_threads = 8, .n_instances = 2,
                              .ops = ops, .seed = 11, .schedule = k, .pct_depth = 2, .record = true,
                              .check = true, .quiet = true};
    return c;
}

Test(stress, a_short_free_run_against_the_model_is_clean, .timeout = 120)
{
    struct stress_config c = base(&target_model_ops, SCHED_FREE, 5000);
    struct stress_result r;
    cr_assert_eq(stress_run(&c, &r), STRESS_OK);
    cr_expect_eq(r.violations, 0, "first: %s", r.first_violation);
    cr_expect_geq(r.calls, 5000);
    cr_expect(r.fingerprints_skipped, "the model target has no inspection");
}

Test(stress, a_controlled_run_against_the_engine_replays_bit_for_bit, .timeout = 120)
{
    struct stress_config c = base(&target_engine_ops, SCHED_PCT, 6000);
    struct stress_result a, b;
    c.n_instances = 1;
    c.n_threads = 6;
    cr_assert_eq(stress_run(&c, &a), STRESS_OK);
    cr_assert_eq(stress_run(&c, &b), STRESS_OK);
    cr_expect_eq(a.violations, 0, "first: %s", a.first_violation);
    cr_expect_eq(a.calls, 6000);
    cr_expect_neq(a.history_hash, 0);
    cr_expect_eq(a.history_hash, b.history_hash);
    cr_expect_gt(a.fingerprint_checks + a.backups_completed, 0);
}

Test(stress, invalid_configurations_are_refused)
{
    struct stress_config c = base(&target_engine_ops, SCHED_FREE, 100);
    struct stress_result r;
    c.n_threads = 1;
    cr_expect_eq(stress_run(&c, &r), STRESS_EINVAL, "fewer threads than instances");
    c = base(&target_engine_ops, SCHED_FREE, 0);
    cr_expect_eq(stress_run(&c, &r), STRESS_EINVAL, "neither calls nor seconds");
}

/* A planted bug: JetStopBackupInstance returns 0 but sets nothing. */
static JET_ERR lazy_stop(void *ctx, JET_INSTANCE inst)
{
    struct engine_inspect x;
    return engine_inspect(ctx, inst, &x) == ENGINE_OK ? JET_errSuccess : JET_errInvalidParameter;
}

static struct jet_api lazy_api;

static int lazy_open(const struct target_ops *ops, const struct target_config *cfg, void **ctx)
{
    (void)ops;
    return target_engine_ops.open(&target_engine_ops, cfg, ctx);
}

Test(stress, a_stop_that_does_nothing_is_caught, .timeout = 120)
{
    static struct target_ops lazy;
    struct stress_result r;
    lazy_api = engine_api;
    lazy_api.JetStopBackupInstance = lazy_stop;
    lazy = target_engine_ops;
    lazy.name = "lazy-stop";
    lazy.open = lazy_open;
    lazy.api = &lazy_api;
    struct stress_config c = base(&lazy, SCHED_RANDOM, 20000);
    cr_assert_eq(stress_run(&c, &r), STRESS_OK);
    cr_expect_gt(r.violations, 0, "a Stop with no effect went unnoticed");
}
