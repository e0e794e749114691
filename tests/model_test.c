/*
 * model_test.c: unit tests of the reference model (model/model.c) against the
 * spec, rule group by rule group: A resolution (R1-R9), B Stop (R10-R15),
 * C the stop flag's effect (R16-R27), D Begin (R28-R31), E streaming
 * (R32-R47), F End (R48-R49), G the concurrency predicate (R50-R55); then the
 * profiles (§0.3, §7), injected faults, fingerprints, fixture operations and
 * the small helpers (names, lists).
 *
 * The ordering rules (R1, R17, R28, R39) are tested by making two checks fail
 * at once and asserting that the earlier one wins.
 *
 * Not for: the harness, the engine or scenario files; concurrency itself.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* ---------------------------------------------------------------------------
 * Helpers.
 * ------------------------------------------------------------------------- */

#define PAGE 4096u
#define LOG_SIZE 65536u

static struct model_world *world_new(enum model_profile p)
{
    struct model_config cfg = {.profile = p, .page_size = PAGE, .os_page = 4096,
                               .log_size = LOG_SIZE};
    struct model_world *w = malloc(model_world_size());
    cr_assert_not_null(w);
    model_world_init(w, &cfg);
    return w;
}

static struct model_world *world_clone(const struct model_world *w)
{
    struct model_world *c = malloc(model_world_size());
    cr_assert_not_null(c);
    model_world_copy(c, w);
    return c;
}

static struct model_result step(struct model_world *w, struct model_call c)
{
    struct model_result r;
    model_step(w, &c, &r);
    return r;
}

#define DO(w, ...) step((w), (struct model_call){__VA_ARGS__})
#define ERR(w, ...) (DO(w, __VA_ARGS__).err)

static bool has_rule(const struct model_result *r, unsigned n)
{
    for (unsigned i = 0; i < r->n_rules; i++) {
        if (r->rules[i] == n)
            return true;
    }
    return false;
}

static struct model_view view(const struct model_world *w, JET_INSTANCE i)
{
    struct model_view v;
    model_view(w, i, &v);
    return v;
}

/* JetCreateInstance; JetInit unless `init` is false. */
static JET_INSTANCE instance(struct model_world *w, bool init)
{
    /* The first name of inst0, inst1, ... not in use (a name in use gives -1086,
     * F1): the same history gives the same world. */
    struct model_result r;
    char name[32];
    unsigned k = 0;
    do {
        snprintf(name, sizeof name, "inst%u", k++);
        r = DO(w, .op = MODEL_OP_CREATE_INSTANCE, .name = name);
    } while (r.err == JET_errInstanceNameInUse);
    cr_assert_eq(r.err, 0);
    cr_assert(r.outs & MODEL_OUT_INST);
    if (init)
        cr_assert_eq(ERR(w, .op = MODEL_OP_INIT, .inst = r.inst), 0);
    return r.inst;
}

static void database(struct model_world *w, JET_INSTANCE i, const char *name, uint32_t pages)
{
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = name, .arg = pages), 0);
}

/* A running instance with db1 (16 pages) and db2 (4 pages). */
static JET_INSTANCE with_dbs(struct model_world *w)
{
    JET_INSTANCE i = instance(w, true);
    database(w, i, "db1", 16);
    database(w, i, "db2", 4);
    return i;
}

/* with_dbs plus a successful Begin(grbit). */
static JET_INSTANCE begun(struct model_world *w, JET_GRBIT grbit)
{
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = grbit), 0);
    return i;
}

static void log_name(uint32_t gen, char buf[32])
{
    snprintf(buf, 32, "edb%08X.log", gen);
}

/* Open `name` and read it to the end in 16-page reads; returns bytes read. */
static uint64_t copy_file(struct model_world *w, JET_INSTANCE i, const char *name)
{
    struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = name);
    cr_assert_eq(r.err, 0, "open %s: %d", name, r.err);
    uint64_t total = 0;
    for (;;) {
        r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .hf = 0, .cb_max = 16 * PAGE);
        cr_assert_eq(r.err, 0, "read %s: %d", name, r.err);
        if (r.cb_actual == 0)
            break;
        total += r.cb_actual;
    }
    cr_assert_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
    return total;
}

/* Copy every log of the copy range (after GetLogInfo). */
static void copy_logs(struct model_world *w, JET_INSTANCE i)
{
    struct model_view v = view(w, i);
    for (uint32_t g = v.copy_mic; g < v.copy_mac; g++) {
        char name[32];
        log_name(g, name);
        cr_assert_eq(copy_file(w, i, name), LOG_SIZE);
    }
}

/* The whole client sequence of a full backup, ending normally. */
static void full_backup(struct model_world *w, JET_INSTANCE i)
{
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i, .cb_max = 4096), 0);
    copy_file(w, i, "db1");
    copy_file(w, i, "db2");
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i, .cb_max = 4096), 0);
    copy_logs(w, i);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
}

/* The six streaming APIs, and every backup API, for parameter tables. */
static const enum model_op streaming_ops[] = {
    MODEL_OP_GET_ATTACH_INFO, MODEL_OP_OPEN_FILE, MODEL_OP_READ_FILE,
    MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_TRUNCATE_LOG_INFO, MODEL_OP_TRUNCATE_LOG};
#define N_STREAMING (sizeof streaming_ops / sizeof streaming_ops[0])

static const enum model_op backup_ops[] = {
    MODEL_OP_BEGIN, MODEL_OP_GET_ATTACH_INFO, MODEL_OP_OPEN_FILE, MODEL_OP_READ_FILE,
    MODEL_OP_CLOSE_FILE, MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_LOG_INFO2,
    MODEL_OP_GET_TRUNCATE_LOG_INFO, MODEL_OP_TRUNCATE_LOG, MODEL_OP_END, MODEL_OP_END2};
#define N_BACKUP (sizeof backup_ops / sizeof backup_ops[0])

/* A well-formed call of `op` on `i` (valid arguments, so only state decides). */
static struct model_call good_call(enum model_op op, JET_INSTANCE i)
{
    struct model_call c = {.op = op, .inst = i, .cb_max = 16 * PAGE, .name = "db1"};
    if (op == MODEL_OP_END2)
        c.grbit = JET_bitBackupEndNormal;
    return c;
}

/* ===========================================================================
 * A. Handle and instance resolution (R1-R9).
 * ========================================================================= */

struct handle_case {
    char name[40];
    enum model_profile profile;
    int handle; /* 0: zero, 1: nil, 2: never-created, 3: freed */
    JET_ERR want;
    unsigned rule;
};

ParameterizedTestParameters(model, bad_handles_fail_every_backup_api_without_change)
{
    static struct handle_case cases[] = {
        {"zero, ese", MODEL_PROFILE_ESE, 0, JET_errInvalidParameter, 2},
        {"nil, ese", MODEL_PROFILE_ESE, 1, JET_errInvalidParameter, 2},
        {"never, ese", MODEL_PROFILE_ESE, 2, JET_errInvalidParameter, 3},
        {"freed, ese", MODEL_PROFILE_ESE, 3, JET_errInvalidParameter, 3},
        {"zero, esent (V skips 0)", MODEL_PROFILE_ESENT, 0, JET_errInvalidParameter, 2},
        {"nil, esent (V skips nil)", MODEL_PROFILE_ESENT, 1, JET_errInvalidParameter, 2},
        {"never, esent", MODEL_PROFILE_ESENT, 2, JET_errInvalidInstance, 3},
        {"freed, esent", MODEL_PROFILE_ESENT, 3, JET_errInvalidInstance, 3},
        {"never, documented", MODEL_PROFILE_DOCUMENTED, 2, JET_errInvalidParameter, 3},
    };
    return cr_make_param_array(struct handle_case, cases, sizeof cases / sizeof cases[0]);
}

/* R2, R3, R11, §7 D4: in MultiInst mode. */
ParameterizedTest(struct handle_case *tc, model, bad_handles_fail_every_backup_api_without_change)
{
    struct model_world *w = world_new(tc->profile);
    JET_INSTANCE live = begun(w, 0);
    JET_INSTANCE freed = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TERM, .inst = freed), 0);
    JET_INSTANCE hs[] = {0, JET_instanceNil, 0x7777777, freed};
    JET_INSTANCE h = hs[tc->handle];
    uint64_t fp = model_fingerprint(w);
    for (size_t k = 0; k < N_BACKUP; k++) {
        struct model_result r = step(w, good_call(backup_ops[k], h));
        cr_expect_eq(r.err, tc->want, "%s: %s gave %d", tc->name, model_op_name(backup_ops[k]),
                     r.err);
        cr_expect(has_rule(&r, tc->rule), "%s: %s lacks R%u", tc->name,
                  model_op_name(backup_ops[k]), tc->rule);
        cr_expect(has_rule(&r, 1), "R1 for %s", model_op_name(backup_ops[k]));
    }
    struct model_result r = DO(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = h);
    cr_expect_eq(r.err, tc->want);
    cr_expect(has_rule(&r, 11));
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM, .inst = h), tc->want);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = h, .grbit = 0x4), tc->want);
    cr_expect_eq(model_fingerprint(w), fp, "a failed call changed the world");
    cr_expect(view(w, live).in_progress_local);
    free(w);
}

/* R4: OneInst ignores the handle value; ESENT's V rejects non-live values. */
Test(model, oneinst_resolves_any_handle_to_the_single_instance)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    struct model_result r = DO(w, .op = MODEL_OP_INIT, .inst = 0);
    cr_assert_eq(r.err, 0);
    cr_assert_eq(model_mode(w), MODEL_MODE_ONE);
    cr_assert(r.outs & MODEL_OUT_INST);
    database(w, r.inst, "db1", 8);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = 0, .grbit = 0), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = 0x999999), 0);
    cr_expect(view(w, r.inst).stop);
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = JET_instanceNil), -801);
    free(w);
}

Test(model, esent_oneinst_rejects_values_other_than_zero_nil_and_live)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESENT);
    struct model_result r = DO(w, .op = MODEL_OP_INIT, .flags = MODEL_CALL_PINST_NULL);
    cr_assert_eq(r.err, 0);
    JET_INSTANCE live = r.inst;
    uint64_t fp = model_fingerprint(w);
    r = DO(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = 0x999999);
    cr_expect_eq(r.err, JET_errInvalidInstance);
    cr_expect(has_rule(&r, 4));
    cr_expect_eq(model_fingerprint(w), fp);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = 0), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = JET_instanceNil), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = live), 0);
    free(w);
}

/* R5. */
Test(model, noset_mode_fails_every_instance_api)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    uint64_t fp = model_fingerprint(w);
    for (size_t k = 0; k < N_BACKUP; k++) {
        struct model_result r = step(w, good_call(backup_ops[k], 0x10100));
        cr_expect_eq(r.err, JET_errInvalidParameter);
        cr_expect(has_rule(&r, 5));
    }
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = 0), JET_errInvalidParameter);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM, .inst = 0), JET_errInvalidParameter);
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
    w = world_new(MODEL_PROFILE_ESENT);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = 0x10100),
                 JET_errInvalidInstance);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = 0), JET_errInvalidParameter);
    free(w);
}

struct gate_case {
    char name[48];
    uint32_t forced[2]; /* enum backstop_state, 0 = none */
    bool service_stopped;
    JET_ERR want;
};

ParameterizedTestParameters(model, gate_checks_run_in_order)
{
    static struct gate_case cases[] = {
        {"service stopped beats unavailable", {BACKSTOP_STATE_UNAVAILABLE, 0}, true, -1329},
        {"service stopped beats terminating", {BACKSTOP_STATE_TERMINATING, 0}, true, -1329},
        {"unavailable beats terminating",
         {BACKSTOP_STATE_UNAVAILABLE, BACKSTOP_STATE_TERMINATING}, false, -1090},
        {"log-full unavailable", {BACKSTOP_STATE_UNAVAILABLE_LOG_FULL, 0}, false, -1092},
        {"log-full beats restoring",
         {BACKSTOP_STATE_UNAVAILABLE_LOG_FULL, BACKSTOP_STATE_RESTORING}, false, -1092},
        {"terminating beats restoring",
         {BACKSTOP_STATE_TERMINATING, BACKSTOP_STATE_RESTORING}, false, -1000},
        {"restoring beats initialising",
         {BACKSTOP_STATE_RESTORING, BACKSTOP_STATE_INITIALISING}, false, -506},
        {"initialising", {BACKSTOP_STATE_INITIALISING, 0}, false, -1029},
    };
    return cr_make_param_array(struct gate_case, cases, sizeof cases / sizeof cases[0]);
}

/* R6, and R1: the gate beats every backup-specific answer (-520 here). */
ParameterizedTest(struct gate_case *tc, model, gate_checks_run_in_order)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    for (int k = 0; k < 2; k++) {
        if (tc->forced[k])
            cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = tc->forced[k]), 0);
    }
    if (tc->service_stopped)
        cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_SERVICE_INSTANCE, .inst = i), 0);
    uint64_t fp = model_fingerprint(w);
    for (size_t k = 0; k < N_BACKUP; k++) {
        struct model_result r = step(w, good_call(backup_ops[k], i));
        cr_expect_eq(r.err, tc->want, "%s: %s gave %d", tc->name, model_op_name(backup_ops[k]),
                     r.err);
        cr_expect(has_rule(&r, 6));
    }
    cr_expect_eq(model_fingerprint(w), fp);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0, "Stop has no gate");
    free(w);
}

/* R7, §7 D3 (source). */
Test(model, created_instance_fails_backup_apis_but_accepts_stop)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, false);
    for (size_t k = 0; k < N_BACKUP; k++) {
        struct model_result r = step(w, good_call(backup_ops[k], i));
        cr_expect_eq(r.err, JET_errNotInitialized, "%s", model_op_name(backup_ops[k]));
        cr_expect(has_rule(&r, 7));
    }
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect(view(w, i).stop);
    /* S19: not observable; after init, Begin clears it. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_INIT, .inst = i), 0);
    cr_expect(view(w, i).stop, "JetInit does not reset the backup context");
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_expect_not(view(w, i).stop);
    free(w);
}

/* R8, S15, S16, D17. */
Test(model, stop_service_blocks_every_backup_api_including_end)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_SERVICE_INSTANCE, .inst = i), 0);
    struct model_view before = view(w, i);
    cr_expect(before.in_progress_local);
    cr_expect_not(before.stop);
    for (size_t k = 0; k < N_BACKUP; k++) {
        struct model_result r = step(w, good_call(backup_ops[k], i));
        cr_expect_eq(r.err, JET_errClientRequestToStopJetService, "%s",
                     model_op_name(backup_ops[k]));
        cr_expect(has_rule(&r, 8));
    }
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect(view(w, i).in_progress_local, "the backup remains");
    /* Only JetTerm ends it. */
    struct model_result r = DO(w, .op = MODEL_OP_TERM, .inst = i);
    cr_expect_eq(r.err, 0);
    cr_expect(r.cancelled);
    cr_expect_not(view(w, i).found);
    free(w);
}

struct legacy_case {
    char name[40];
    enum model_op op, instance_op;
};

ParameterizedTestParameters(model, legacy_variants_check_the_mode_first)
{
    static struct legacy_case cases[] = {
        {"JetBeginExternalBackup", MODEL_OP_BEGIN_LEGACY, MODEL_OP_BEGIN},
        {"JetGetAttachInfo", MODEL_OP_GET_ATTACH_INFO_LEGACY, MODEL_OP_GET_ATTACH_INFO},
        {"JetOpenFile", MODEL_OP_OPEN_FILE_LEGACY, MODEL_OP_OPEN_FILE},
        {"JetReadFile", MODEL_OP_READ_FILE_LEGACY, MODEL_OP_READ_FILE},
        {"JetCloseFile", MODEL_OP_CLOSE_FILE_LEGACY, MODEL_OP_CLOSE_FILE},
        {"JetGetLogInfo", MODEL_OP_GET_LOG_INFO_LEGACY, MODEL_OP_GET_LOG_INFO},
        {"JetTruncateLog", MODEL_OP_TRUNCATE_LOG_LEGACY, MODEL_OP_TRUNCATE_LOG},
        {"JetEndExternalBackup", MODEL_OP_END_LEGACY, MODEL_OP_END},
        {"JetStopBackup", MODEL_OP_STOP_BACKUP, MODEL_OP_STOP_BACKUP_INSTANCE},
        {"JetStopService", MODEL_OP_STOP_SERVICE, MODEL_OP_STOP_SERVICE_INSTANCE},
    };
    return cr_make_param_array(struct legacy_case, cases, sizeof cases / sizeof cases[0]);
}

/* R9, R15, S18, D9. */
ParameterizedTest(struct legacy_case *tc, model, legacy_variants_check_the_mode_first)
{
    cr_assert(model_op_is_legacy(tc->op));
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    struct model_result r = step(w, good_call(tc->op, 0));
    cr_expect_eq(r.err, JET_errInvalidParameter, "%s in NoSet", tc->name);
    cr_expect(has_rule(&r, tc->op == MODEL_OP_STOP_BACKUP ? 15 : 9));
    JET_INSTANCE i = begun(w, 0);
    uint64_t fp = model_fingerprint(w);
    r = step(w, good_call(tc->op, 0));
    cr_expect_eq(r.err, JET_errRunningInMultiInstanceMode, "%s in MultiInst", tc->name);
    cr_expect_eq(model_fingerprint(w), fp);
    cr_expect(view(w, i).in_progress_local);
    free(w);

    /* OneInst: exactly the instance variant on the single instance. */
    struct model_world *a = world_new(MODEL_PROFILE_ESE);
    struct model_result ri = DO(a, .op = MODEL_OP_INIT, .inst = 0);
    database(a, ri.inst, "db1", 16);
    cr_assert_eq(ERR(a, .op = MODEL_OP_BEGIN, .inst = ri.inst), 0);
    struct model_world *b = world_clone(a);
    struct model_call legacy = good_call(tc->op, 0);
    struct model_call inst = legacy;
    inst.op = tc->instance_op;
    inst.inst = ri.inst;
    struct model_result ra = step(a, legacy), rb = step(b, inst);
    cr_expect_eq(ra.err, rb.err, "%s: %d vs %d", tc->name, ra.err, rb.err);
    cr_expect(model_world_equal(a, b), "%s differs from its instance variant", tc->name);
    free(a);
    free(b);
}

/* R1: instance-level errors win over backup-specific ones. */
Test(model, instance_errors_win_over_backup_errors)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    /* A bad handle beats -801 and -1003 for the buffer. */
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = 0x5555,
                               .flags = MODEL_CALL_BUF_MISALIGNED, .cb_max = 1);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect(has_rule(&r, 1));
    /* The gate beats -801. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = BACKSTOP_STATE_RESTORING),
                 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), JET_errRestoreInProgress);
    /* And -520 loses to the gate on a backup-less instance. */
    JET_INSTANCE j = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_SERVICE_INSTANCE, .inst = j), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = j), -1329);
    free(w);
}

/* ===========================================================================
 * B. JetStopBackupInstance (R10-R15).
 * ========================================================================= */

/* R10: 0, sets stop, changes nothing else. */
Test(model, stop_sets_only_the_stop_flag)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE), 0);
    struct model_view a = view(w, i);
    struct model_result r = DO(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 10));
    struct model_view b = view(w, i);
    cr_expect_not(a.stop);
    cr_expect(b.stop);
    b.stop = false;
    cr_expect_eq(memcmp(&a, &b, sizeof a), 0, "Stop changed more than the flag");
    free(w);
}

struct state_case {
    char name[40];
    int how; /* 0 created, 1 service stopped, 2 forced state `state`, 3 term failed */
    uint32_t state;
};

ParameterizedTestParameters(model, stop_succeeds_in_every_state_in_the_table)
{
    static struct state_case cases[] = {
        {"created", 0, 0},
        {"service stopped", 1, 0},
        {"unavailable", 2, BACKSTOP_STATE_UNAVAILABLE},
        {"unavailable log full", 2, BACKSTOP_STATE_UNAVAILABLE_LOG_FULL},
        {"restoring", 2, BACKSTOP_STATE_RESTORING},
        {"initialising", 2, BACKSTOP_STATE_INITIALISING},
        {"terminating", 2, BACKSTOP_STATE_TERMINATING},
        {"log write failed", 2, BACKSTOP_STATE_LOG_WRITE_FAIL},
        {"term failed", 3, 0},
    };
    return cr_make_param_array(struct state_case, cases, sizeof cases / sizeof cases[0]);
}

/* R10, §2.4, D3. */
ParameterizedTest(struct state_case *tc, model, stop_succeeds_in_every_state_in_the_table)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, tc->how != 0);
    if (tc->how == 1)
        cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_SERVICE_INSTANCE, .inst = i), 0);
    if (tc->how == 2)
        cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = tc->state), 0);
    if (tc->how == 3) {
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 1), -505);
    }
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0, "%s", tc->name);
    cr_expect(view(w, i).stop, "%s", tc->name);
    free(w);
}

/* R11, S17: a failing Stop leaves the fingerprint unchanged. */
Test(model, failed_stop_changes_no_state)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    JET_INSTANCE dead = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TERM, .inst = dead), 0);
    uint64_t fp = model_fingerprint(w), fpi = model_fingerprint_instance(w, i);
    JET_INSTANCE bad[] = {0, JET_instanceNil, dead, 0x1234567};
    for (size_t k = 0; k < 4; k++) {
        struct model_result r = DO(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = bad[k]);
        cr_expect_eq(r.err, JET_errInvalidParameter);
        cr_expect(has_rule(&r, 11));
    }
    cr_expect_eq(model_fingerprint(w), fp);
    cr_expect_eq(model_fingerprint_instance(w, i), fpi);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect_neq(model_fingerprint(w), fp, "a successful Stop changes the world");
    cr_expect_neq(model_fingerprint_instance(w, i), fpi);
    free(w);
}

/* R12, S4. */
Test(model, stop_is_idempotent)
{
    struct model_world *a = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(a, 0);
    struct model_world *b = world_clone(a);
    cr_expect_eq(ERR(a, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect_eq(ERR(b, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(b, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 12));
    cr_expect(model_world_equal(a, b));
    free(a);
    free(b);
}

/* R13, S1, S2, S3. */
Test(model, stop_without_a_backup_is_not_observable)
{
    struct model_world *a = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(a);
    struct model_world *b = world_clone(a);
    cr_assert_eq(ERR(b, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    for (size_t k = 1; k < N_BACKUP; k++) { /* all but Begin */
        struct model_call c = good_call(backup_ops[k], i);
        struct model_world *ta = world_clone(a), *tb = world_clone(b);
        cr_expect_eq(step(ta, c).err, step(tb, c).err, "%s", model_op_name(backup_ops[k]));
        free(ta);
        free(tb);
    }
    /* S2: Begin clears it, and the backup is not stopped. */
    struct model_world *t = world_clone(b);
    struct model_result r = DO(t, .op = MODEL_OP_BEGIN, .inst = i);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 13));
    cr_expect_not(view(t, i).stop);
    cr_expect_eq(ERR(t, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i), 0);
    /* S3: End with no backup returns -520 and clears it. */
    r = DO(b, .op = MODEL_OP_END, .inst = i);
    cr_expect_eq(r.err, JET_errNoBackup);
    cr_expect_not(view(b, i).stop);
    free(t);
    free(a);
    free(b);
}

/* R14, S20, §2.6. */
Test(model, instance_without_log_accepts_stop_and_refuses_begin)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, false);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_CONFIGURE, .inst = i, .arg = BACKSTOP_CFG_LOGGING_OFF),
                 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_INIT, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect(view(w, i).stop);
    struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i);
    cr_expect_eq(r.err, JET_errLoggingDisabled);
    cr_expect(has_rule(&r, 14));
    cr_expect_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE), JET_errNoBackup);

    /* The unreachable "no log object": Stop is 0 and changes nothing. */
    JET_INSTANCE j = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = j, .arg = BACKSTOP_STATE_NO_LOG), 0);
    cr_expect_not(view(w, j).has_log);
    uint64_t fp = model_fingerprint(w);
    r = DO(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = j);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 14));
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
}

/* R15 in OneInst mode: JetStopBackup acts as R10. */
Test(model, legacy_stop_backup_stops_the_single_instance)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = DO(w, .op = MODEL_OP_INIT, .inst = 0).inst;
    database(w, i, "db1", 8);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN_LEGACY, .grbit = 0), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP), 0);
    cr_expect(view(w, i).stop);
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO_LEGACY, .cb_max = 64), -801);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END_LEGACY), 0);
    free(w);
}

/* ===========================================================================
 * C. The stop flag's effect (R16-R27).
 * ========================================================================= */

/* R16, S5, D11: -801 from each streaming API, repeatedly, with no change. */
Test(model, stop_then_streaming_calls_return_abort_by_server)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    /* Prepare the logs so that TruncateLog is in sequence. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    uint64_t fp = model_fingerprint(w);
    for (int round = 0; round < 3; round++) {
        for (size_t k = 0; k < N_STREAMING; k++) {
            struct model_result r = step(w, good_call(streaming_ops[k], i));
            cr_expect_eq(r.err, JET_errBackupAbortByServer, "%s",
                         model_op_name(streaming_ops[k]));
            cr_expect(has_rule(&r, 16));
            cr_expect_not(has_rule(&r, 17), "%s: no other check failed",
                          model_op_name(streaming_ops[k]));
        }
    }
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
}

Test(model, stop_then_read_returns_abort_by_server)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 16 * PAGE);
    cr_expect_eq(r.err, JET_errBackupAbortByServer);
    cr_expect_eq(r.n_rules, 1);
    cr_expect_eq(r.rules[0], 16);
    cr_expect(view(w, i).slot_in_use, "the handle stays open");
    free(w);
}

struct order17_case {
    char name[48];
    enum model_op op;
    int setup; /* 0 full, 1 incremental, 2 full + file open, 3 full + logs prepared */
    uint32_t flags, cb_max;
    bool name_null;
};

ParameterizedTestParameters(model, stop_test_wins_over_later_checks)
{
    static struct order17_case cases[] = {
        {"read misaligned", MODEL_OP_READ_FILE, 2, MODEL_CALL_BUF_MISALIGNED, 16 * PAGE, false},
        {"read short buffer", MODEL_OP_READ_FILE, 2, 0, PAGE, false},
        {"read odd size", MODEL_OP_READ_FILE, 2, 0, 3 * PAGE + 1, false},
        {"log info with a file open", MODEL_OP_GET_LOG_INFO, 2, 0, 4096, false},
        {"truncate info with a file open", MODEL_OP_GET_TRUNCATE_LOG_INFO, 2, 0, 4096, false},
        {"attach info incremental", MODEL_OP_GET_ATTACH_INFO, 1, 0, 4096, false},
        {"open with a NULL name", MODEL_OP_OPEN_FILE, 0, MODEL_CALL_NAME_NULL, 0, true},
        {"open with a file open", MODEL_OP_OPEN_FILE, 2, 0, 0, false},
        {"truncate unprepared", MODEL_OP_TRUNCATE_LOG, 0, 0, 0, false},
        {"truncate with a file open", MODEL_OP_TRUNCATE_LOG, 2, 0, 0, false},
    };
    return cr_make_param_array(struct order17_case, cases, sizeof cases / sizeof cases[0]);
}

/* R17: the stop test comes right after -520 and before every other check. */
ParameterizedTest(struct order17_case *tc, model, stop_test_wins_over_later_checks)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    if (tc->setup == 1) {
        full_backup(w, i);
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), 0);
    } else {
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    }
    if (tc->setup == 2)
        cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    struct model_call c = {.op = tc->op, .inst = i, .flags = tc->flags, .cb_max = tc->cb_max,
                           .name = tc->name_null ? NULL : "db2"};
    /* Without the Stop, the later check fails. */
    struct model_world *t = world_clone(w);
    JET_ERR plain = step(t, c).err;
    cr_assert(plain != 0 && plain != JET_errBackupAbortByServer, "%s: %d", tc->name, plain);
    free(t);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    uint64_t fp = model_fingerprint(w);
    struct model_result r = step(w, c);
    cr_expect_eq(r.err, JET_errBackupAbortByServer, "%s gave %d", tc->name, r.err);
    cr_expect(has_rule(&r, 16));
    cr_expect(has_rule(&r, 17), "%s: R17 not reported", tc->name);
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
}

/* R18, S1. */
Test(model, no_backup_gives_no_backup_whatever_the_stop_flag)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    for (int stopped = 0; stopped < 2; stopped++) {
        for (size_t k = 0; k < N_STREAMING; k++) {
            struct model_result r = step(w, good_call(streaming_ops[k], i));
            cr_expect_eq(r.err, JET_errNoBackup, "%s", model_op_name(streaming_ops[k]));
            cr_expect(has_rule(&r, 18));
        }
        cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    }
    free(w);
}

/* R19, S6. */
Test(model, close_file_ignores_stop)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 19));
    cr_expect_not(view(w, i).slot_in_use);
    cr_expect(view(w, i).stop);
    free(w);
}

/* R20, S10, S12, S14. */
Test(model, stop_does_not_end_the_backup)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i);
    cr_expect_eq(r.err, JET_errBackupInProgress);
    cr_expect(has_rule(&r, 20));
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = "db3", .arg = 4), -505);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = "db1"), -505);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 0), -505);
    r = DO(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = JET_bitTermComplete);
    cr_expect_eq(r.err, -505);
    cr_expect(has_rule(&r, 20));
    cr_expect(view(w, i).found);
    cr_expect(view(w, i).stop);
    cr_expect(view(w, i).in_progress_local);
    free(w);
}

struct end_case {
    char name[32];
    enum model_op op;
    JET_GRBIT grbit;
    unsigned rule;
};

ParameterizedTestParameters(model, end_after_stop_returns_zero_and_resets)
{
    static struct end_case cases[] = {
        {"End", MODEL_OP_END, 0, 21},
        {"End2 EndNormal", MODEL_OP_END2, 0x1, 21},
        {"End2 EndAbort", MODEL_OP_END2, 0x2, 22},
        {"End2 EndNormal|0x100", MODEL_OP_END2, 0x101, 21},
    };
    return cr_make_param_array(struct end_case, cases, sizeof cases / sizeof cases[0]);
}

/* R21, R22, R23, S7, S8, S9, S11, D1, D2 (source). */
ParameterizedTest(struct end_case *tc, model, end_after_stop_returns_zero_and_resets)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = tc->op, .inst = i, .grbit = tc->grbit);
    cr_expect_eq(r.err, 0, "%s", tc->name);
    cr_expect(has_rule(&r, tc->rule));
    cr_expect(has_rule(&r, 48));
    cr_expect_not(r.cancelled, "End is not a [cancels] path");
    struct model_view v = view(w, i);
    cr_expect_not(v.in_progress_any);
    cr_expect_not(v.in_progress_local);
    cr_expect_not(v.stop);
    cr_expect_eq(v.phase, MODEL_PHASE_NOT_STARTED);
    cr_expect_not(v.logs_truncated);
    cr_expect_not(v.slot_in_use);
    r = DO(w, .op = tc->op, .inst = i, .grbit = tc->grbit);
    cr_expect_eq(r.err, JET_errNoBackup, "S9");
    /* R23, S11. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_expect_not(view(w, i).stop);
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i, .cb_max = 64), 0);
    free(w);
}

/* R24, S23: a bad End2 grbit changes nothing, with or without a backup. */
Test(model, end2_with_bad_grbit_changes_nothing)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    JET_GRBIT bad[] = {0, 3, 0x100, 0x20, 0x303};
    for (int with_backup = 0; with_backup < 2; with_backup++) {
        uint64_t fp = model_fingerprint(w);
        for (size_t k = 0; k < 5; k++) {
            struct model_result r = DO(w, .op = MODEL_OP_END2, .inst = i, .grbit = bad[k]);
            cr_expect_eq(r.err, JET_errInvalidParameter, "grbit 0x%x", bad[k]);
            cr_expect(has_rule(&r, 24));
        }
        cr_expect_eq(model_fingerprint(w), fp);
        cr_expect(view(w, i).stop, "stop is not cleared on this path");
        if (!with_backup) {
            cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
            cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
        }
    }
    cr_expect_eq(ERR(w, .op = MODEL_OP_END2, .inst = i, .grbit = 1), 0);
    free(w);
}

/* R25. */
Test(model, end_without_backup_returns_no_backup_and_clears_stop)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_END2, .inst = i, .grbit = JET_bitBackupEndAbort);
    cr_expect_eq(r.err, JET_errNoBackup);
    cr_expect(has_rule(&r, 25));
    cr_expect_not(view(w, i).stop);
    free(w);
}

struct term_case {
    char name[32];
    enum model_op op;
    JET_GRBIT grbit;
    JET_ERR want;
};

ParameterizedTestParameters(model, term_with_stop_backup_bits_aborts_and_terminates)
{
    static struct term_case cases[] = {
        {"JetTerm", MODEL_OP_TERM, 0, 0},
        {"JetTerm2 Abrupt", MODEL_OP_TERM2, 0x2, 0},
        {"JetTerm2 StopBackup", MODEL_OP_TERM2, 0x4, 0},
        {"JetTerm2 Complete|StopBackup", MODEL_OP_TERM2, 0x5, 0},
        {"JetTerm2 Abrupt|Dirty", MODEL_OP_TERM2, 0xA, JET_errDirtyShutdown},
    };
    return cr_make_param_array(struct term_case, cases, sizeof cases / sizeof cases[0]);
}

/* R26, S13. */
ParameterizedTest(struct term_case *tc, model, term_with_stop_backup_bits_aborts_and_terminates)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    JET_INSTANCE other = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = tc->op, .inst = i, .grbit = tc->grbit);
    cr_expect_eq(r.err, tc->want, "%s gave %d", tc->name, r.err);
    cr_expect(r.cancelled);
    cr_expect(has_rule(&r, 26));
    cr_expect_not(view(w, i).found);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), JET_errInvalidParameter);
    /* Without a backup: clears stop and terminates. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = other), 0);
    r = DO(w, .op = tc->op, .inst = other, .grbit = tc->grbit);
    cr_expect_eq(r.err, tc->want);
    cr_expect_not(r.cancelled);
    cr_expect_not(view(w, other).found);
    cr_expect_eq(model_mode(w), MODEL_MODE_NOSET, "the last instance is gone");
    free(w);
}

/* R27: -560 fails after the claim and clears stop with it. */
Test(model, begin_failing_after_claim_clears_stop)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1);
    cr_expect_eq(r.err, JET_errMissingFullBackup);
    cr_expect(has_rule(&r, 27));
    struct model_view v = view(w, i);
    cr_expect_not(v.stop);
    cr_expect_not(v.in_progress_any);
    cr_expect_eq(v.phase, MODEL_PHASE_NOT_STARTED);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), JET_errNoBackup);
    free(w);
}

/* ===========================================================================
 * D. Begin (R28-R31).
 * ========================================================================= */

struct begin_case {
    char name[48];
    bool not_allowed, logging_off, circular, in_progress;
    uint32_t forced[2];
    JET_GRBIT grbit;
    JET_ERR want;
};

ParameterizedTestParameters(model, begin_checks_run_in_order)
{
    static struct begin_case cases[] = {
        {"not allowed beats log write fail", true, false, false, false,
         {BACKSTOP_STATE_LOG_WRITE_FAIL, 0}, 0x2, -523},
        {"not allowed beats no log object", true, false, false, false,
         {BACKSTOP_STATE_NO_LOG, 0}, 0, -523},
        {"logging off beats log write fail", false, true, false, false,
         {BACKSTOP_STATE_LOG_WRITE_FAIL, 0}, 0, -516},
        {"no log object beats bad grbit", false, false, false, false,
         {BACKSTOP_STATE_NO_LOG, 0}, 0x2, -516},
        {"log write fail beats bad grbit", false, false, false, false,
         {BACKSTOP_STATE_LOG_WRITE_FAIL, 0}, 0x2, -510},
        {"atomic grbit", false, false, false, false, {0, 0}, 0x4, -900},
        {"snapshot grbit (D12)", false, false, false, false, {0, 0}, 0x10, -900},
        {"bad grbit beats circular incremental", false, false, true, false, {0, 0}, 0x9, -900},
        {"circular incremental beats 0x40 combination", false, false, true, false, {0, 0}, 0x41,
         -526},
        {"circular surrogate", false, false, true, false, {0, 0}, 0x20, -526},
        {"0x40 with 0x20 beats log disk full", false, false, false, false,
         {BACKSTOP_STATE_LOG_DISK_FULL, 0}, 0x60, -900},
        {"log disk full beats log sequence end", false, false, false, false,
         {BACKSTOP_STATE_LOG_DISK_FULL, BACKSTOP_STATE_LOG_SEQUENCE_END}, 0, -529},
        {"log disk full beats in progress", false, false, false, true,
         {BACKSTOP_STATE_LOG_DISK_FULL, 0}, 0, -529},
        {"log sequence end beats in progress", false, false, false, true,
         {BACKSTOP_STATE_LOG_SEQUENCE_END, 0}, 0, -519},
        {"in progress beats missing full backup", false, false, false, true, {0, 0}, 1, -505},
    };
    return cr_make_param_array(struct begin_case, cases, sizeof cases / sizeof cases[0]);
}

/* R28, R30: each check in order; a failure before the claim changes nothing. */
ParameterizedTest(struct begin_case *tc, model, begin_checks_run_in_order)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, false);
    uint32_t cfg = (tc->logging_off ? BACKSTOP_CFG_LOGGING_OFF : 0) |
                   (tc->circular ? BACKSTOP_CFG_CIRCULAR_LOG : 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_CONFIGURE, .inst = i, .arg = cfg), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_INIT, .inst = i), 0);
    database(w, i, "db1", 8);
    if (tc->not_allowed) {
        /* R31: a JetTerm that failed with a backup running leaves backup_allowed 0. */
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 1), -505);
        cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
        cr_assert_not(view(w, i).backup_allowed);
    }
    if (tc->in_progress)
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    for (int k = 0; k < 2; k++) {
        if (tc->forced[k])
            cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = tc->forced[k]), 0);
    }
    uint64_t fp = model_fingerprint(w);
    struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = tc->grbit);
    cr_expect_eq(r.err, tc->want, "%s gave %d", tc->name, r.err);
    cr_expect(has_rule(&r, 28));
    cr_expect(has_rule(&r, 30));
    cr_expect_eq(model_fingerprint(w), fp, "%s: failure before the claim changed state",
                 tc->name);
    free(w);
}

/* R28, R31: stage A comes first, here against a failed log and a bad grbit. */
Test(model, backup_not_allowed_beats_every_other_begin_check)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 0), -505);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i,
                     .arg = BACKSTOP_STATE_LOG_WRITE_FAIL), 0);
    struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0x2);
    cr_expect_eq(r.err, JET_errBackupNotAllowedYet);
    cr_expect(has_rule(&r, 31));
    free(w);
}

/* R29. */
Test(model, successful_begin_initialises_the_context)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 5), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 4), 0);
    struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 29));
    struct model_view v = view(w, i);
    cr_expect(v.in_progress_any && v.in_progress_local);
    cr_expect_not(v.stop || v.logs_truncated || v.began_new_log);
    cr_expect_eq(v.phase, MODEL_PHASE_DATABASES);
    cr_expect(v.full);
    cr_expect_eq(v.copy_mic, 4, "copy_mic is the checkpoint generation");
    cr_expect_eq(v.copy_mac, 0);
    cr_expect_eq(v.delete_mic, 0);
    cr_expect_eq(v.delete_mac, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END2, .inst = i, .grbit = 2), 0);

    full_backup(w, i);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), 0);
    v = view(w, i);
    cr_expect_eq(v.phase, MODEL_PHASE_LOGS);
    cr_expect_not(v.full);
    cr_expect_eq(v.copy_mic, 0);
    /* Surrogate: local = 0, streaming calls see no backup (§4.14). */
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0x20), 0);
    v = view(w, i);
    cr_expect(v.in_progress_any);
    cr_expect_not(v.in_progress_local);
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i), JET_errNoBackup);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), JET_errSurrogateBackupInProgress);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0, "a mismatched End aborts, returns 0");
    free(w);
}

/* R30: a failing Begin leaves the running (stopped) backup alone. */
Test(model, failed_begin_leaves_running_backup_untouched)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    uint64_t fp = model_fingerprint(w);
    JET_GRBIT gs[] = {0, 1, 0x4, 0x10, 0x41};
    for (size_t k = 0; k < 5; k++) {
        struct model_result r = DO(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = gs[k]);
        cr_expect(r.err != 0);
        cr_expect(has_rule(&r, 30));
    }
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
}

/* R31, S14, D16 (source). */
Test(model, failed_term_forbids_later_backups)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 1);
    cr_expect_eq(r.err, JET_errBackupInProgress);
    cr_expect(has_rule(&r, 31));
    cr_expect_not(view(w, i).backup_allowed);
    /* The backup goes on, still stopped. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i), -801);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    r = DO(w, .op = MODEL_OP_BEGIN, .inst = i);
    cr_expect_eq(r.err, JET_errBackupNotAllowedYet);
    cr_expect(has_rule(&r, 31));
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 0), 0, "now it terminates");
    free(w);
}

/* §4.1 step 15: incremental needs a completed full backup of every database. */
Test(model, incremental_needs_a_normal_full_backup_of_every_database)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    /* A full backup ended in phase Databases does not count. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), -560);
    /* Nor one with NoDbHeaderUpdate, nor a stopped one. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END2, .inst = i, .grbit = 0x201), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), -560);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), -560);
    /* A normal one does. */
    full_backup(w, i);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    /* A new database needs its own full backup. */
    database(w, i, "db3", 4);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), -560);
    free(w);
}

/* ===========================================================================
 * E. Streaming (R32-R47).
 * ========================================================================= */

/* R32. */
Test(model, attach_info_in_incremental_backup_is_out_of_sequence)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    full_backup(w, i);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), 0);
    struct model_result r = DO(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i, .cb_max = 64);
    cr_expect_eq(r.err, JET_errInvalidBackupSequence);
    cr_expect(has_rule(&r, 32));
    cr_expect_not(r.cancelled);
    cr_expect(view(w, i).in_progress_local);
    free(w);
}

/* R33. */
Test(model, attach_info_reports_full_size_and_changes_nothing)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    uint64_t fp = model_fingerprint(w);
    struct model_result r = DO(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i, .cb_max = 3);
    cr_expect_eq(r.err, 0);
    cr_expect(r.outs & MODEL_OUT_CB);
    cr_expect_eq(r.cb_actual, 4 + 4 + 1, "\"db1\\0db2\\0\\0\"");
    cr_expect_eq(r.n_entries, 2);
    cr_expect(has_rule(&r, 33));
    cr_expect_eq(model_fingerprint(w), fp);
    char buf[16];
    cr_expect_eq(model_list(w, i, 0, buf, sizeof buf), 9);
    cr_expect_eq(memcmp(buf, "db1\0db2\0", 9), 0);
    r = DO(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i, .flags = MODEL_CALL_PCB_NULL);
    cr_expect_eq(r.err, 0);
    cr_expect_not(r.outs & MODEL_OUT_CB);
    /* Also in LogsAndPatches of a full backup. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i), 0);
    free(w);
}

/* R34, R35. */
Test(model, open_file_has_one_slot_and_checks_the_name)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    uint64_t fp = model_fingerprint(w);
    struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = NULL);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect(has_rule(&r, 35));
    cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = ""), JET_errInvalidParameter);
    cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1",
                     .flags = MODEL_CALL_NAME_NULL), JET_errInvalidParameter);
    cr_expect_eq(model_fingerprint(w), fp);
    r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "C:\\data\\DB1");
    cr_expect_eq(r.err, 0);
    cr_expect(r.outs & MODEL_OUT_HF);
    cr_expect_eq(r.hf, 0);
    cr_expect_eq(r.size, (uint64_t)(16 + 3) * PAGE, "(pgnoLast + 3) pages");
    fp = model_fingerprint(w);
    r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db2");
    cr_expect_eq(r.err, JET_errOutOfMemory);
    cr_expect(has_rule(&r, 34));
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
}

/* R36, D15. */
Test(model, open_of_unknown_file_in_databases_phase_keeps_backup)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    const char *names[] = {"db9", "edb00000001.log", "x/y/z"};
    for (size_t k = 0; k < 3; k++) {
        struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = names[k]);
        cr_expect_eq(r.err, JET_errDatabaseNotFound, "%s", names[k]);
        cr_expect(has_rule(&r, 36));
        cr_expect_not(r.cancelled);
        cr_expect_not(view(w, i).slot_in_use);
    }
    cr_expect(view(w, i).in_progress_local);
    cr_expect_eq(view(w, i).slots_ever_used, 1);
    cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    free(w);
}

/* R37, R45. */
Test(model, open_of_database_after_databases_phase_cancels)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_expect_eq(view(w, i).phase, MODEL_PHASE_LOGS);
    struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1");
    cr_expect_eq(r.err, JET_errInvalidBackupSequence);
    cr_expect(has_rule(&r, 37));
    cr_expect(r.cancelled);
    for (size_t k = 0; k < N_STREAMING; k++)
        cr_expect_eq(step(w, good_call(streaming_ops[k], i)).err, JET_errNoBackup);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), JET_errNoBackup);

    /* Incremental: the same. */
    JET_INSTANCE j = with_dbs(w);
    full_backup(w, j);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = j, .grbit = 1), 0);
    r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = j, .name = "db2");
    cr_expect_eq(r.err, JET_errInvalidBackupSequence);
    cr_expect(r.cancelled);
    cr_expect_not(view(w, j).in_progress_any);
    free(w);
}

/* R38. */
Test(model, open_of_missing_log_cancels)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 6), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_DELETE_LOG, .inst = i, .arg = 3), 0);
    const char *names[] = {"edb00000003.log", "edb00000009.log", "notalog.txt", "edb.log",
                           "EDB00000002.LOGX"};
    for (size_t k = 0; k < 5; k++) {
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
        struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = names[k]);
        cr_expect_eq(r.err, JET_errMissingFileToBackup, "%s", names[k]);
        cr_expect(has_rule(&r, 38));
        cr_expect(r.cancelled);
        cr_expect_not(view(w, i).in_progress_any);
    }
    /* A log on disk, in any case and with a path, opens. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "/logs/EDB4.Log");
    cr_expect_eq(r.err, 0);
    cr_expect_eq(r.size, LOG_SIZE);
    cr_expect_eq(view(w, i).slot_lgen, 4);
    cr_expect(view(w, i).slot_is_log);
    free(w);
}

struct read_case {
    char name[48];
    bool log; /* a log (else a database) */
    bool advanced; /* read position > 0 */
    uint32_t cb_max;
    JET_ERR want;
};

ParameterizedTestParameters(model, read_size_rules_by_file_kind)
{
    static struct read_case cases[] = {
        {"db: 3 pages first", false, false, 3 * PAGE, 0},
        {"db: 2 pages first", false, false, 2 * PAGE, -1003},
        {"db: 1 page later", false, true, PAGE, 0},
        {"db: 0 pages later", false, true, 0, -1003},
        {"db: not a page multiple", false, false, 4 * PAGE + 512, -1003},
        {"log: 2 pages first", true, false, 2 * PAGE, 0},
        {"log: 1 page first", true, false, PAGE, -1003},
        {"log: 1 page later", true, true, PAGE, 0},
        {"log: 0 bytes later", true, true, 0, 0},
        {"log: not a page multiple", true, true, PAGE + 1, -1003},
    };
    return cr_make_param_array(struct read_case, cases, sizeof cases / sizeof cases[0]);
}

/* R39, D8 (source); a failing check keeps the handle open and changes nothing. */
ParameterizedTest(struct read_case *tc, model, read_size_rules_by_file_kind)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    const char *name = "db1";
    if (tc->log) {
        cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
        name = "edb00000001.log";
    }
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = name), 0);
    if (tc->advanced)
        cr_assert_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE), 0);
    uint64_t fp = model_fingerprint(w);
    uint64_t ib = view(w, i).slot_ib;
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = tc->cb_max);
    cr_expect_eq(r.err, tc->want, "%s gave %d", tc->name, r.err);
    if (tc->want != 0) {
        cr_expect(has_rule(&r, 39));
        cr_expect_eq(model_fingerprint(w), fp);
        cr_expect(view(w, i).slot_in_use);
    } else {
        cr_expect_eq(view(w, i).slot_ib, ib + r.cb_actual, "R40");
    }
    free(w);
}

/* R39 order, and R1/R17 around it. */
Test(model, read_checks_run_in_order)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    /* -520 beats a misaligned buffer. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .flags = MODEL_CALL_BUF_MISALIGNED),
                 JET_errNoBackup);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    /* The alignment check comes before the read: the fault never fires. */
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = PAGE,
                               .flags = MODEL_CALL_BUF_MISALIGNED, .fault = MODEL_FAULT_READ_IO);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect(has_rule(&r, 39));
    cr_expect_not(r.fault_used);
    /* So does the size check. */
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = PAGE, .fault = MODEL_FAULT_READ_IO);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect_not(r.fault_used);
    cr_expect(view(w, i).slot_in_use);
    free(w);
}

/* R40. */
Test(model, read_advances_by_bytes_returned_and_ends_with_zero)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db2"), 0);
    uint64_t size = (uint64_t)(4 + 3) * PAGE;
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE);
    cr_expect_eq(r.cb_actual, 4 * PAGE);
    cr_expect(has_rule(&r, 40));
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 16 * PAGE);
    cr_expect_eq(r.cb_actual, size - 4 * PAGE);
    cr_expect_eq(view(w, i).slot_ib, size);
    for (int k = 0; k < 2; k++) {
        r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 16 * PAGE);
        cr_expect_eq(r.err, 0);
        cr_expect_eq(r.cb_actual, 0);
    }
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 16 * PAGE,
           .flags = MODEL_CALL_PCB_NULL);
    cr_expect_eq(r.err, 0);
    cr_expect_not(r.outs & MODEL_OUT_CB);
    free(w);
}

/* §4.4 step 6, D7: handles other than slot 0, and the closed slot. */
Test(model, read_of_other_handles_is_undefined_and_changes_nothing)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    /* Slot 0 never opened: reads 0 bytes with success. */
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE);
    cr_expect_eq(r.err, 0);
    cr_expect_eq(r.cb_actual, 0);
    cr_expect_not(r.undefined, "a never-opened slot 0 is defined (§4.4 step 6)");
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    uint64_t fp = model_fingerprint(w);
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .hf = 1, .cb_max = 4 * PAGE);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect(r.undefined, "D7: any answer conforms");
    cr_expect_eq(r.n_rules, 0, "no rule decides an undefined call");
    cr_expect_eq(model_fingerprint(w), fp);
    /* After a cleanup the slot keeps a stale is_db: undefined, -1003. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_expect(view(w, i).slot_is_db);
    fp = model_fingerprint(w);
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect(r.undefined);
    cr_expect_eq(model_fingerprint(w), fp);
    free(w);
}

/* R41 and the fault list of the brief. */
Test(model, read_error_in_databases_phase_closes_handle_and_keeps_backup)
{
    enum model_fault faults[] = {MODEL_FAULT_READ_IO, MODEL_FAULT_READ_VERIFY};
    JET_ERR want[] = {JET_errDiskIO, JET_errReadVerifyFailure};
    for (int k = 0; k < 2; k++) {
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE i = begun(w, 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
        struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE,
                                   .fault = faults[k]);
        cr_expect_eq(r.err, want[k]);
        cr_expect(r.fault_used);
        cr_expect_not(r.cancelled);
        cr_expect(has_rule(&r, 41));
        struct model_view v = view(w, i);
        cr_expect_not(v.slot_in_use);
        cr_expect(v.in_progress_local);
        cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i), JET_errInvalidParameter);
        cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
        free(w);
    }
}

Test(model, read_error_in_logs_phase_cancels)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "edb00000001.log"), 0);
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE,
                               .fault = MODEL_FAULT_READ_IO);
    cr_expect_eq(r.err, JET_errDiskIO);
    cr_expect(r.fault_used);
    cr_expect(r.cancelled);
    cr_expect(has_rule(&r, 41));
    /* S21: Stop; End. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), JET_errNoBackup);
    cr_expect_not(view(w, i).stop);
    free(w);
}

/* A read fault needs the read to happen: at end of file no I/O is done. */
Test(model, read_fault_at_end_of_file_is_not_used)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db2"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 16 * PAGE), 0);
    struct model_result r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 16 * PAGE,
                               .fault = MODEL_FAULT_READ_VERIFY);
    cr_expect_eq(r.err, 0);
    cr_expect_not(r.fault_used);
    free(w);
}

/* R42. */
Test(model, close_file_rejects_bad_handles_and_truncates_to_int)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    struct model_result r = DO(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0);
    cr_expect_eq(r.err, JET_errNoBackup);
    cr_expect(has_rule(&r, 42));
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), JET_errInvalidParameter,
                 "no slot was ever used");
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    uint64_t fp = model_fingerprint(w);
    JET_HANDLE bad[] = {1, 0xFFFFFFFFu, 0x80000000u, 2};
    for (size_t k = 0; k < 4; k++) {
        r = DO(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = bad[k]);
        cr_expect_eq(r.err, JET_errInvalidParameter, "hf 0x%llx", (unsigned long long)bad[k]);
        cr_expect(has_rule(&r, 42));
    }
    cr_expect_eq(model_fingerprint(w), fp);
#if UINTPTR_MAX > 0xFFFFFFFFu
    cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = (JET_HANDLE)1 << 32), 0,
                 "2^32 truncates to slot 0");
#else
    cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
#endif
    cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), JET_errInvalidParameter,
                 "no longer open");
    free(w);
}

/* R43. */
Test(model, log_info_with_a_file_open_is_out_of_sequence)
{
    enum model_op ops[] = {MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_LOG_INFO2,
                           MODEL_OP_GET_TRUNCATE_LOG_INFO};
    for (int k = 0; k < 3; k++) {
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE i = begun(w, 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
        uint64_t fp = model_fingerprint(w);
        struct model_result r = DO(w, .op = ops[k], .inst = i);
        cr_expect_eq(r.err, JET_errInvalidBackupSequence);
        cr_expect(has_rule(&r, 43));
        cr_expect_not(r.cancelled);
        cr_expect_eq(model_fingerprint(w), fp);
        free(w);
    }
}

/* R44, R45, R46; the ranges of §3.1/§4.6 step 5 as the model computes them. */
Test(model, first_log_info_rolls_once_and_ranges_stay)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 7), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 5), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_GET_LOG_INFO2, .inst = i, .cb_max = 10);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 44) && has_rule(&r, 45) && has_rule(&r, 46));
    struct model_view v = view(w, i);
    cr_expect_eq(v.log_current, 8, "rolled once");
    cr_expect(v.began_new_log);
    cr_expect_eq(v.phase, MODEL_PHASE_LOGS);
    cr_expect_eq(v.copy_mic, 5);
    cr_expect_eq(v.copy_mac, 8);
    cr_expect_eq(v.delete_mic, 1);
    cr_expect_eq(v.delete_mac, 5, "logs older than the checkpoint");
    cr_expect(r.outs & MODEL_OUT_GENS);
    cr_expect_eq(r.gen_low, 5);
    cr_expect_eq(r.gen_high, 7);
    cr_expect_eq(r.n_entries, 3);
    cr_expect_eq(r.cb_actual, 10, "min(cbMax, size) with a buffer");
    r = DO(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i, .cb_max = 10, .flags = MODEL_CALL_BUF_NULL);
    cr_expect_eq(r.cb_actual, 3 * 16 + 1, "the size without a buffer");
    r = DO(w, .op = MODEL_OP_GET_TRUNCATE_LOG_INFO, .inst = i, .cb_max = 4096);
    cr_expect_eq(r.err, 0);
    cr_expect_eq(r.n_entries, 4);
    cr_expect_eq(r.cb_actual, 4 * 16 + 1);
    cr_expect_eq(view(w, i).log_current, 8, "no second roll");
    char buf[80];
    cr_expect_eq(model_list(w, i, 1, buf, sizeof buf), 49);
    cr_expect_eq(memcmp(buf, "edb00000005.log\0edb00000006.log\0edb00000007.log\0\0", 49), 0);
    cr_expect_eq(model_list(w, i, 2, buf, 20), 65);
    cr_expect_eq(memcmp(buf, "edb00000001.log\0edb0", 20), 0);
    free(w);
}

/* R44 for an incremental backup: the copy starts at the lowest log on disk. */
Test(model, incremental_copy_range_starts_at_lowest_log)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    full_backup(w, i);
    struct model_view v = view(w, i);
    uint32_t low = v.log_low;
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = v.log_current + 3), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = v.log_current + 2), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    v = view(w, i);
    cr_expect_eq(v.copy_mic, low);
    cr_expect_eq(v.delete_mic, low);
    cr_expect_eq(v.copy_mac, v.log_current);
    cr_expect_eq(v.delete_mac, v.checkpoint);
    copy_logs(w, i);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i), 0);
    cr_expect_eq(view(w, i).log_low, v.checkpoint);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    free(w);
}

/* R47, S22. */
Test(model, truncate_log_checks_sequence_then_copied_logs)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 4), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 3), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    struct model_result r = DO(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i);
    cr_expect_eq(r.err, JET_errInvalidBackupSequence, "logs not prepared");
    cr_expect(has_rule(&r, 47));
    cr_expect_eq(view(w, i).phase, MODEL_PHASE_DATABASES);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "edb00000003.log"), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i), JET_errInvalidBackupSequence);
    cr_assert_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i), 0, "not fully read");
    r = DO(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i);
    cr_expect_eq(r.err, JET_errLogFileNotCopied);
    cr_expect_not(r.cancelled);
    cr_expect_eq(view(w, i).phase, MODEL_PHASE_LOGS);
    /* Copy 3 and 4 (sum 7); the heuristic accepts any set with the same sum. */
    copy_logs(w, i);
    cr_expect_eq(view(w, i).gen_copy_done, 7);
    r = DO(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i);
    cr_expect_eq(r.err, 0);
    struct model_view v = view(w, i);
    cr_expect(v.logs_truncated);
    cr_expect_eq(v.log_low, 3, "gens 1-2 deleted");
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    free(w);

    /* S22: the stop check comes before the phase change. */
    w = world_new(MODEL_PROFILE_ESE);
    i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i), -801);
    cr_expect_eq(view(w, i).phase, MODEL_PHASE_DATABASES);
    free(w);
}

/* R47: the sum heuristic counts a log read twice. */
Test(model, truncate_log_sum_heuristic_accepts_a_log_copied_twice)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 3), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0); /* copy_mic = 1 */
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0); /* [1, 3] sum 6 */
    copy_file(w, i, "edb00000003.log");
    copy_file(w, i, "edb00000003.log");
    cr_expect_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i), 0);
    free(w);
}

/* ===========================================================================
 * F. End and cleanup (R48, R49).
 * ========================================================================= */

/* R48: with a backup in progress, End returns 0 whatever the outcome. */
Test(model, end_with_backup_always_returns_zero)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    JET_GRBIT gs[] = {0x1, 0x2, 0x21, 0x201, 0x101, 0x4001};
    for (size_t k = 0; k < 6; k++) {
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
        struct model_result r = DO(w, .op = MODEL_OP_END2, .inst = i, .grbit = gs[k]);
        cr_expect_eq(r.err, 0, "grbit 0x%x", gs[k]);
        cr_expect(has_rule(&r, 48));
    }
    free(w);
}

/* R49: cleanup resets some fields and leaves the others stale. */
Test(model, cleanup_resets_flags_and_keeps_ranges)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 3), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
    copy_logs(w, i);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TRUNCATE_LOG, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "edb00000002.log"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE), 0);
    struct model_view a = view(w, i);
    struct model_result r = DO(w, .op = MODEL_OP_END, .inst = i);
    cr_expect_eq(r.err, 0);
    cr_expect(has_rule(&r, 49));
    struct model_view b = view(w, i);
    cr_expect_not(b.in_progress_any || b.in_progress_local || b.stop || b.logs_truncated);
    cr_expect_eq(b.phase, MODEL_PHASE_NOT_STARTED);
    cr_expect_not(b.slot_in_use);
    cr_expect(b.full);
    cr_expect_eq(b.copy_mic, a.copy_mic);
    cr_expect_eq(b.copy_mac, a.copy_mac);
    cr_expect_eq(b.delete_mic, a.delete_mic);
    cr_expect_eq(b.delete_mac, a.delete_mac);
    cr_expect_eq(b.gen_copy_done, a.gen_copy_done);
    cr_expect(b.slot_is_log, "stale, §3.2");
    cr_expect_eq(b.slot_ib, a.slot_ib);
    free(w);
}

/* ===========================================================================
 * G. Concurrency predicate (R50-R55).
 * ========================================================================= */

struct overlap_case {
    char name[48];
    enum model_op a, b;
    bool defined;
};

ParameterizedTestParameters(model, overlap_defined_only_for_spec_pairs)
{
    static struct overlap_case cases[] = {
        {"read in flight, stop (R51)", MODEL_OP_READ_FILE, MODEL_OP_STOP_BACKUP_INSTANCE, true},
        {"stop in flight, read (R50)", MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_READ_FILE, true},
        {"begin, stop (R53)", MODEL_OP_BEGIN, MODEL_OP_STOP_BACKUP_INSTANCE, true},
        {"end, legacy stop", MODEL_OP_END, MODEL_OP_STOP_BACKUP, true},
        {"term, stop", MODEL_OP_TERM, MODEL_OP_STOP_BACKUP_INSTANCE, true},
        {"stop, stop", MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE, true},
        {"begin, begin (R52)", MODEL_OP_BEGIN, MODEL_OP_BEGIN, true},
        {"legacy begin, begin", MODEL_OP_BEGIN_LEGACY, MODEL_OP_BEGIN, true},
        {"read, term (R54)", MODEL_OP_READ_FILE, MODEL_OP_TERM, true},
        {"term2, open (R54)", MODEL_OP_TERM2, MODEL_OP_OPEN_FILE, true},
        {"end2, term2 (R54)", MODEL_OP_END2, MODEL_OP_TERM2, true},
        {"read, end (R55)", MODEL_OP_READ_FILE, MODEL_OP_END, false},
        {"read, read (R55)", MODEL_OP_READ_FILE, MODEL_OP_READ_FILE, false},
        {"open, close (R55)", MODEL_OP_OPEN_FILE, MODEL_OP_CLOSE_FILE, false},
        {"begin, end (R55)", MODEL_OP_BEGIN, MODEL_OP_END, false},
        {"term, term (R55)", MODEL_OP_TERM, MODEL_OP_TERM2, false},
        {"term, stop service", MODEL_OP_TERM, MODEL_OP_STOP_SERVICE_INSTANCE, false},
        {"read, fixture", MODEL_OP_READ_FILE, MODEL_OP_FX_CREATE_DB, false},
        {"init, term", MODEL_OP_INIT, MODEL_OP_TERM, false},
    };
    return cr_make_param_array(struct overlap_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct overlap_case *tc, model, overlap_defined_only_for_spec_pairs)
{
    cr_expect_eq(model_overlap_defined(tc->a, tc->b), tc->defined, "%s", tc->name);
}

/* R51 linearised: a read past its entry test returns normally; the next call -801. */
Test(model, stop_after_admitted_read_affects_only_the_next_call)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE), -801);
    free(w);
}

/* ===========================================================================
 * Profiles (§0.3, §7).
 * ========================================================================= */

Test(model, esent_profile_reports_invalid_instance_for_garbage_and_freed_handles)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESENT);
    JET_INSTANCE i = begun(w, 0);
    JET_INSTANCE dead = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TERM, .inst = dead), 0);
    uint64_t fp = model_fingerprint(w);
    enum model_op ops[] = {MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_SERVICE_INSTANCE,
                           MODEL_OP_TERM, MODEL_OP_TERM2, MODEL_OP_INIT};
    for (size_t k = 0; k < 5; k++) {
        cr_expect_eq(ERR(w, .op = ops[k], .inst = dead), JET_errInvalidInstance, "%s",
                     model_op_name(ops[k]));
        cr_expect_eq(ERR(w, .op = ops[k], .inst = 0xDEAD00), JET_errInvalidInstance);
    }
    cr_expect_eq(model_fingerprint(w), fp);
    /* Fixture calls are backstop's own: -1003. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = dead, .arg = 9),
                 JET_errInvalidParameter);
    cr_expect(view(w, i).in_progress_local);
    free(w);
}

struct doc_end_case {
    char name[48];
    bool stop, logs_read;
    enum model_op op;
    JET_GRBIT grbit;
    JET_ERR want_doc;
};

ParameterizedTestParameters(model, documented_end_returns_the_documented_reason)
{
    static struct doc_end_case cases[] = {
        {"End after Stop (D1)", true, true, MODEL_OP_END, 0, -801},
        {"End2 Normal after Stop (D1)", true, false, MODEL_OP_END2, 1, -801},
        {"End2 Abort after Stop (D1 wins)", true, true, MODEL_OP_END2, 2, -801},
        {"End2 Abort (D2)", false, true, MODEL_OP_END2, 2, -800},
        {"End before the logs (D2)", false, false, MODEL_OP_END, 0, -800},
        {"normal End", false, true, MODEL_OP_END, 0, 0},
        {"surrogate mismatch (no doc answer)", false, true, MODEL_OP_END2, 0x21, 0},
    };
    return cr_make_param_array(struct doc_end_case, cases, sizeof cases / sizeof cases[0]);
}

/* D1, D2: the documented profile returns them; ese returns 0; both end the backup. */
ParameterizedTest(struct doc_end_case *tc, model, documented_end_returns_the_documented_reason)
{
    for (int p = 0; p < 2; p++) {
        struct model_world *w = world_new(p ? MODEL_PROFILE_DOCUMENTED : MODEL_PROFILE_ESE);
        JET_INSTANCE i = begun(w, 0);
        if (tc->logs_read)
            cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
        if (tc->stop)
            cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
        JET_ERR err = ERR(w, .op = tc->op, .inst = i, .grbit = tc->grbit);
        cr_expect_eq(err, p ? tc->want_doc : 0, "%s, %s: %d", tc->name, p ? "documented" : "ese",
                     err);
        cr_expect_not(view(w, i).in_progress_any);
        cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), JET_errNoBackup);
        free(w);
    }
}

/* D3. */
Test(model, documented_stop_on_instance_not_running_is_invalid_parameter)
{
    struct model_world *w = world_new(MODEL_PROFILE_DOCUMENTED);
    JET_INSTANCE created = instance(w, false);
    uint64_t fp = model_fingerprint(w);
    struct model_result r = DO(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = created);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect_eq(model_fingerprint(w), fp);
    JET_INSTANCE term = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = term,
                     .arg = BACKSTOP_STATE_TERMINATING), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = term),
                 JET_errInvalidParameter);
    JET_INSTANCE svc = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_SERVICE_INSTANCE, .inst = svc), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = svc), JET_errInvalidParameter);
    JET_INSTANCE gone = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = gone,
                     .arg = BACKSTOP_STATE_UNAVAILABLE_LOG_FULL), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = gone),
                 JET_errInvalidParameter);
    /* Not in D3's list: restoring and term-failed instances keep the source's 0. */
    JET_INSTANCE rest = instance(w, true);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = rest,
                     .arg = BACKSTOP_STATE_RESTORING), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = rest), 0);
    JET_INSTANCE failed = begun(w, 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = failed, .grbit = 1), -505);
    cr_expect_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = failed), 0);
    free(w);
}

/* D5, D6: failures cancel, except -1203 in phase Databases, -520 and -801. */
Test(model, documented_streaming_failures_cancel_the_backup)
{
    struct model_world *w = world_new(MODEL_PROFILE_DOCUMENTED);
    JET_INSTANCE i = with_dbs(w);
    full_backup(w, i);
    /* GetAttachInfo -521 cancels (source: it does not, R32). */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 1), 0);
    struct model_result r = DO(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i);
    cr_expect_eq(r.err, JET_errInvalidBackupSequence);
    cr_expect(r.cancelled);
    /* OpenFile -1203 keeps, -1003 cancels. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "nosuch");
    cr_expect_eq(r.err, JET_errDatabaseNotFound);
    cr_expect_not(r.cancelled);
    r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "");
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect(r.cancelled);
    /* -801 does not cancel: End is still allowed. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = i), 0);
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = PAGE);
    cr_expect_eq(r.err, -801);
    cr_expect_not(r.cancelled);
    cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), -801);
    /* GetLogInfo preparation errors cancel (source: they do not). */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    r = DO(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i, .fault = MODEL_FAULT_LOG_ROLL);
    cr_expect_eq(r.err, JET_errLogDiskFull);
    cr_expect(r.cancelled);
    /* ReadFile on a database: the handle closes, the backup stays (D6). */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = PAGE);
    cr_expect_eq(r.err, JET_errInvalidParameter);
    cr_expect_not(r.cancelled);
    cr_expect_not(view(w, i).slot_in_use);
    cr_expect(view(w, i).in_progress_local);
    free(w);
}

/* D8. */
Test(model, documented_first_read_needs_three_pages_for_logs_too)
{
    for (int p = 0; p < 2; p++) {
        struct model_world *w = world_new(p ? MODEL_PROFILE_DOCUMENTED : MODEL_PROFILE_ESE);
        JET_INSTANCE i = begun(w, 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i), 0);
        cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "edb00000001.log"), 0);
        JET_ERR err = ERR(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 2 * PAGE);
        cr_expect_eq(err, p ? JET_errInvalidParameter : 0);
        free(w);
    }
}

/* D13, D16. */
Test(model, documented_term2_zero_is_abrupt_and_failed_term_changes_nothing)
{
    struct model_world *w = world_new(MODEL_PROFILE_DOCUMENTED);
    JET_INSTANCE i = begun(w, 0);
    struct model_result r = DO(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = 0);
    cr_expect_eq(r.err, 0);
    cr_expect(r.cancelled);
    cr_expect_not(view(w, i).found);
    JET_INSTANCE j = begun(w, 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = j, .grbit = 1), -505);
    cr_expect(view(w, j).backup_allowed, "D16: nothing changes");
    cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = j), -800);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = j), 0);
    free(w);
}

/* ===========================================================================
 * Faults.
 * ========================================================================= */

Test(model, out_of_memory_in_attach_info_cancels)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    struct model_result r = DO(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i,
                               .fault = MODEL_FAULT_NOMEM);
    cr_expect_eq(r.err, JET_errOutOfMemory);
    cr_expect(r.fault_used);
    cr_expect(r.cancelled);
    cr_expect(has_rule(&r, 49));
    cr_expect_not(view(w, i).in_progress_any);
    /* Not reached: no backup, so no fault. */
    r = DO(w, .op = MODEL_OP_GET_ATTACH_INFO, .inst = i, .fault = MODEL_FAULT_NOMEM);
    cr_expect_eq(r.err, JET_errNoBackup);
    cr_expect_not(r.fault_used);
    free(w);
}

Test(model, out_of_memory_in_log_lists_cancels)
{
    enum model_op ops[] = {MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_LOG_INFO2,
                           MODEL_OP_GET_TRUNCATE_LOG_INFO};
    for (int k = 0; k < 3; k++) {
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE i = begun(w, 0);
        struct model_result r = DO(w, .op = ops[k], .inst = i, .fault = MODEL_FAULT_NOMEM);
        cr_expect_eq(r.err, JET_errOutOfMemory);
        cr_expect(r.fault_used);
        cr_expect(r.cancelled);
        cr_expect_eq(ERR(w, .op = MODEL_OP_END, .inst = i), JET_errNoBackup);
        free(w);
    }
}

Test(model, out_of_memory_in_open_file_releases_slot_without_cancel)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1",
                               .fault = MODEL_FAULT_NOMEM);
    cr_expect_eq(r.err, JET_errOutOfMemory);
    cr_expect(r.fault_used);
    cr_expect_not(r.cancelled);
    struct model_view v = view(w, i);
    cr_expect_not(v.slot_in_use);
    cr_expect(v.in_progress_local);
    cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
    free(w);
}

Test(model, log_roll_failure_returns_error_without_cancel)
{
    enum model_op ops[] = {MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_TRUNCATE_LOG_INFO};
    for (int k = 0; k < 2; k++) {
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE i = begun(w, 0);
        uint64_t fp = model_fingerprint(w);
        struct model_result r = DO(w, .op = ops[k], .inst = i, .fault = MODEL_FAULT_LOG_ROLL);
        cr_expect_eq(r.err, JET_errLogDiskFull);
        cr_expect(r.fault_used);
        cr_expect_not(r.cancelled);
        cr_expect_not(view(w, i).began_new_log);
        cr_expect_eq(model_fingerprint(w), fp);
        /* The retry prepares the logs; once prepared, the fault is not reached. */
        cr_expect_eq(ERR(w, .op = ops[k], .inst = i), 0);
        r = DO(w, .op = ops[k], .inst = i, .fault = MODEL_FAULT_LOG_ROLL);
        cr_expect_eq(r.err, 0);
        cr_expect_not(r.fault_used);
        free(w);
    }
}

/* ===========================================================================
 * Lifecycle, fixture, fingerprints and helpers.
 * ========================================================================= */

Test(model, lifecycle_modes_and_handles)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    cr_expect_eq(model_mode(w), MODEL_MODE_NOSET);
    JET_INSTANCE a = instance(w, false);
    cr_expect_eq(model_mode(w), MODEL_MODE_MULTI);
    cr_expect_eq(view(w, a).life, MODEL_LIFE_CREATED);
    cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .flags = MODEL_CALL_PINST_NULL),
                 JET_errRunningInMultiInstanceMode);
    cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .inst = a), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .inst = a), JET_errAlreadyInitialized);
    JET_INSTANCE seen[MODEL_MAX_INSTANCES];
    seen[0] = a;
    cr_expect_eq(model_instance_count(w), 1u);
    for (int k = 1; k < MODEL_MAX_INSTANCES; k++)
        seen[k] = instance(w, false);
    cr_expect_eq(model_instance_count(w), (unsigned)MODEL_MAX_INSTANCES);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE, .name = "x"), JET_errTooManyInstances);
    /* Term of a created instance frees it; the handle is never reused. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM, .inst = seen[3]), 0);
    cr_expect_eq(model_instance_count(w), (unsigned)MODEL_MAX_INSTANCES - 1);
    JET_INSTANCE again = instance(w, false);
    for (int k = 0; k < MODEL_MAX_INSTANCES; k++)
        cr_expect_neq(again, seen[k]);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = seen[3]), JET_errInvalidParameter);
    for (int k = 0; k < MODEL_MAX_INSTANCES; k++) {
        if (k != 3)
            cr_expect_eq(ERR(w, .op = MODEL_OP_TERM, .inst = seen[k]), 0);
    }
    cr_expect_eq(model_mode(w), MODEL_MODE_MULTI);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = again, .grbit = 0x8), 0,
                 "a created instance is just freed");
    cr_expect_eq(model_mode(w), MODEL_MODE_NOSET);
    /* OneInst. */
    struct model_result r = DO(w, .op = MODEL_OP_INIT, .flags = MODEL_CALL_PINST_NULL);
    cr_expect_eq(r.err, 0);
    cr_expect_eq(model_mode(w), MODEL_MODE_ONE);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE), JET_errRunningInOneInstanceMode);
    cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .inst = 0), JET_errAlreadyInitialized);
    r = DO(w, .op = MODEL_OP_TERM2, .inst = 0, .grbit = JET_bitTermDirty);
    cr_expect_eq(r.err, JET_errDirtyShutdown);
    cr_expect_eq(model_mode(w), MODEL_MODE_NOSET);
    free(w);
}

Test(model, dirty_term_discards_a_running_backup)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = begun(w, 0);
    struct model_result r = DO(w, .op = MODEL_OP_TERM2, .inst = i, .grbit = JET_bitTermDirty);
    cr_expect_eq(r.err, JET_errDirtyShutdown);
    cr_expect_not(r.cancelled, "no cleanup on this path");
    cr_expect_not(view(w, i).found);
    /* Unavailable: the error-type termination skips the backup check too, and
     * ends as a dirty shutdown like the Dirty bit (§4.13 steps 7 and 9). */
    JET_INSTANCE j = begun(w, 0);
    cr_assert_eq(
        ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = j, .arg = BACKSTOP_STATE_UNAVAILABLE), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM2, .inst = j, .grbit = 0), JET_errDirtyShutdown);
    cr_expect_not(view(w, j).found);
    /* The term lock states refuse JetTerm. */
    JET_INSTANCE k = with_dbs(w);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = k, .arg = BACKSTOP_STATE_RESTORING),
                 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM, .inst = k), JET_errRestoreInProgress);
    free(w);
}

/* OpenFile resolves the file name after the last '/' or '\\', without case;
 * paths around the 8-byte boundaries of model__basename's word test. */
Test(model, open_file_names_resolve_by_basename_without_case)
{
    static const char *const db_ok[] = {"db12345", "/db12345", "x/db12345", "a\\DB12345",
                                        "dir/sub\\Db12345", "0123456/db12345",
                                        "01234567/db12345", "012345678\\db12345"};
    static const char *const db_bad[] = {"db12345/", "db1234", "db123456", "x/db12345x",
                                         "db12345\\y"};
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, true);
    database(w, i, "db12345", 2);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 3), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    for (size_t k = 0; k < sizeof db_ok / sizeof db_ok[0]; k++) {
        struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = db_ok[k]);
        cr_expect_eq(r.err, 0, "%s", db_ok[k]);
        cr_expect_eq(r.size, 5u * PAGE, "%s", db_ok[k]);
        cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
    }
    for (size_t k = 0; k < sizeof db_bad / sizeof db_bad[0]; k++)
        cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = db_bad[k]),
                     JET_errDatabaseNotFound, "%s", db_bad[k]);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i, .cb_max = 4096), 0);
    static const char *const log_ok[] = {"edb1.log", "EDB00000001.LOG", "logs/edb00000002.Log",
                                         "c:\\l\\eDb3.lOg", "edb0000003.log"};
    for (size_t k = 0; k < sizeof log_ok / sizeof log_ok[0]; k++) {
        struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = log_ok[k]);
        cr_expect_eq(r.err, 0, "%s", log_ok[k]);
        cr_expect_eq(r.size, LOG_SIZE, "%s", log_ok[k]);
        cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
    }
    /* Not log names: each is a missing file, which cancels the backup (R38). */
    static const char *const log_bad[] = {"edb000000001.log", "edb.log", "edb1.log.bak", "edbg.log",
                                          "fdb1.log", "edb1,log", "edb1\x0elog"};
    for (size_t k = 0; k < sizeof log_bad / sizeof log_bad[0]; k++) {
        struct model_world *t = world_clone(w);
        cr_expect_eq(ERR(t, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = log_bad[k]),
                     JET_errMissingFileToBackup, "%s", log_bad[k]);
        free(t);
    }
    free(w);
}

/* The byte-by-byte reading of OpenFile's name that the model's word-at-a-time
 * lookup must agree with: the base name after the last '/' or '\\', compared
 * to each database name with ASCII case folded (and only ASCII). */
static int ref_db_index(char names[][32], int n, const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++) {
        if (*p == '/' || *p == '\\')
            base = p + 1;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (strlen(base) != len)
            continue;
        size_t k = 0;
        while (k < len) {
            unsigned char a = (unsigned char)base[k], b = (unsigned char)names[i][k];
            if (a >= 'A' && a <= 'Z')
                a += 32;
            if (b >= 'A' && b <= 'Z')
                b += 32;
            if (a != b)
                break;
            k++;
        }
        if (k == len)
            return i;
    }
    return -1;
}

/* Databases of every name length, with names that share the length and the
 * last byte (one lookup, several candidates), mixed case and bytes above 0x7F;
 * each is opened as it is, in other cases, with one byte changed, shortened,
 * lengthened and behind a directory, and the model must agree with
 * ref_db_index. */
Test(model, open_file_database_names_agree_with_a_bytewise_reference)
{
    static const char alphabet[] = "aBcDeF019._-zZ\xC1\xE1";
    for (size_t len = 1; len < MODEL_MAX_NAME - 1; len++) {
        char names[4][32];
        uint32_t pages[4] = {5, 6, 7, 8};
        /* names[0]; [1] differs in its first byte only (for len > 1 the same
         * length and last byte); [2] in its last byte only; [3] is longer. */
        for (size_t k = 0; k <= len; k++)
            names[0][k] = alphabet[(k * 7 + len) % (sizeof alphabet - 1)];
        names[0][len] = '\0';
        memcpy(names[1], names[0], 32);
        memcpy(names[2], names[0], 32);
        names[1][0] = (names[0][0] | 0x20) == 'q' ? 'r' : 'q';
        names[2][len - 1] = (names[0][len - 1] | 0x20) == '7' ? '8' : '7';
        if (len == 1 && names[2][0] == names[1][0])
            names[2][0] = 's';
        memcpy(names[3], names[0], 32);
        names[3][len] = 'Q';
        names[3][len + 1] = '\0';
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE i = instance(w, true);
        for (int d = 0; d < 4; d++)
            database(w, i, names[d], pages[d]);
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
        for (int d = 0; d < 4; d++) {
            size_t n = strlen(names[d]);
            for (int variant = 0; variant < 6 + 3 * (int)n; variant++) {
                char q[80];
                snprintf(q, sizeof q, "%s", names[d]);
                if (variant == 1 || variant == 2) { /* upper / lower case (ASCII) */
                    for (size_t k = 0; k < n; k++) {
                        unsigned char ch = (unsigned char)q[k];
                        if (variant == 1 && ch >= 'a' && ch <= 'z')
                            q[k] = (char)(ch - 32);
                        if (variant == 2 && ch >= 'A' && ch <= 'Z')
                            q[k] = (char)(ch + 32);
                    }
                } else if (variant == 3) {
                    q[n - 1] = '\0';
                } else if (variant == 4) {
                    snprintf(q, sizeof q, "%sx", names[d]);
                } else if (variant == 5) {
                    snprintf(q, sizeof q, "%s%s", d & 1 ? "a\\b/" : "dir/", names[d]);
                } else if (variant >= 6) { /* byte k: +1, case flip by 0x20, or 0x80 */
                    size_t k = (size_t)(variant - 6) / 3;
                    int how = (variant - 6) % 3;
                    q[k] = (char)(how == 0 ? q[k] + 1 : how == 1 ? q[k] ^ 0x20 : q[k] ^ 0x80);
                    if (q[k] == '\0' || q[k] == '/' || q[k] == '\\')
                        q[k] = '#';
                }
                if (q[0] == '\0')
                    continue;
                int want = ref_db_index(names, 4, q);
                struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = q);
                if (want < 0) {
                    cr_expect_eq(r.err, JET_errDatabaseNotFound, "len %zu: \"%s\"", len, q);
                    continue;
                }
                cr_expect_eq(r.err, 0, "len %zu: \"%s\" is %s", len, q, names[want]);
                cr_expect_eq(r.size, (pages[want] + 3u) * PAGE, "len %zu: \"%s\"", len, q);
                cr_assert_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
            }
        }
        free(w);
    }
}

/* 15-byte names around the usual log name "edbXXXXXXXX.log" (read as two
 * words): each byte spoiled in turn is no log name (R38 cancels), case and a
 * directory do not matter. */
Test(model, fifteen_byte_log_names_parse_exactly)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, true);
    database(w, i, "db1", 2);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 0x1A), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 0x1A), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i, .cb_max = 4096), 0);
    static const char *const ok[] = {"edb0000001A.log", "EDB0000001a.LOG", "eDb0000001A.lOg",
                                     "x/edb0000001A.log", "c:\\l\\edb0000001b.log"};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = ok[k]);
        cr_expect_eq(r.err, 0, "%s", ok[k]);
        cr_expect_eq(r.size, LOG_SIZE, "%s", ok[k]);
        cr_assert_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
    }
    /* Each byte of "edb0000001A.log" replaced by characters that are no longer
     * right there (a non-hex letter, a dot, a separator, a high byte). */
    static const char bad[] = {'g', '.', '/', '\x81', 'x', '0'};
    for (size_t pos = 0; pos < 15; pos++) {
        for (size_t b = 0; b < sizeof bad; b++) {
            char q[16];
            memcpy(q, "edb0000001A.log", 16);
            if (q[pos] == bad[b] || (pos >= 3 && pos < 11 && bad[b] == '0'))
                continue; /* unchanged, or still a hex digit */
            q[pos] = bad[b];
            /* With a separator, the base name after it is no log name either. */
            struct model_world *t = world_clone(w);
            JET_ERR err = ERR(t, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = q);
            cr_expect_eq(err, JET_errMissingFileToBackup, "\"%s\"", q);
            free(t);
        }
    }
    free(w);
}

/* F1: ErrNewInst's unique-name check (jetapi.cxx:3518-3543). */
Test(model, instance_names_in_use_give_instance_name_in_use)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    struct model_result r = DO(w, .op = MODEL_OP_CREATE_INSTANCE, .name = "a");
    cr_assert_eq(r.err, 0);
    JET_INSTANCE a = r.inst;
    struct model_world *before = world_clone(w);
    r = DO(w, .op = MODEL_OP_CREATE_INSTANCE, .name = "a");
    cr_expect_eq(r.err, JET_errInstanceNameInUse);
    cr_expect_eq(r.outs & MODEL_OUT_INST, 0);
    cr_expect(model_world_equal(w, before), "a refused creation changes nothing");
    /* Ordinal comparison: case matters. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE, .name = "A"), 0);
    /* NULL clashes with another unnamed instance; "" is stored as no name but
     * never clashes itself. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE), JET_errInstanceNameInUse);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE, .name = ""), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE, .name = ""), 0);
    /* A terminated instance frees its name. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_TERM, .inst = a), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE, .name = "a"), 0);
    /* A full table is checked before the names. */
    for (int k = 0; k < MODEL_MAX_INSTANCES; k++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", k);
        (void)DO(w, .op = MODEL_OP_CREATE_INSTANCE, .name = name);
    }
    cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE, .name = "a"), JET_errTooManyInstances);
    free(before);
    free(w);
}

/* F3: JetInit with *pinstance 0 or nil asks for an allocation in every mode
 * (FINSTInvalid, jetapi.cxx:21360-21423). */
Test(model, init_with_zero_or_nil_allocates_by_mode)
{
    static const JET_INSTANCE none[] = {0, JET_instanceNil};
    for (int k = 0; k < 2; k++) {
        /* NoSet: OneInst mode, then -1005. */
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        struct model_result r = DO(w, .op = MODEL_OP_INIT, .inst = none[k]);
        cr_expect_eq(r.err, 0);
        cr_expect(r.outs & MODEL_OUT_INST);
        cr_expect_eq(model_mode(w), MODEL_MODE_ONE);
        cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .inst = none[k]), JET_errAlreadyInitialized);
        free(w);
        /* MultiInst: a new unnamed running instance; a second one clashes. */
        w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE a = instance(w, true);
        r = DO(w, .op = MODEL_OP_INIT, .inst = none[k]);
        cr_expect_eq(r.err, 0);
        cr_assert(r.outs & MODEL_OUT_INST);
        cr_expect_neq(r.inst, a);
        struct model_view v = view(w, r.inst);
        cr_expect(v.found);
        cr_expect_eq(v.life, MODEL_LIFE_RUNNING);
        cr_expect(v.backup_allowed);
        cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = r.inst), 0);
        struct model_world *before = world_clone(w);
        cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .inst = none[1 - k]), JET_errInstanceNameInUse);
        cr_expect_eq(ERR(w, .op = MODEL_OP_CREATE_INSTANCE), JET_errInstanceNameInUse);
        cr_expect_eq(ERR(w, .op = MODEL_OP_INIT, .flags = MODEL_CALL_PINST_NULL),
                     JET_errRunningInMultiInstanceMode);
        cr_expect(model_world_equal(w, before));
        free(before);
        free(w);
    }
}

/* F4: a detach removes no file; phase LogsAndPatches opens it as a plain file. */
Test(model, detached_database_file_opens_as_plain_file)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = instance(w, true);
    database(w, i, "db1", 5);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = "db1"), 0);
    cr_expect_eq(view(w, i).n_databases, 0);
    /* Phase Databases looks at attached databases only: -1203, the backup goes on. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), JET_errDatabaseNotFound);
    cr_expect(view(w, i).in_progress_any);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END2, .inst = i, .grbit = 0x2), 0);
    /* Incremental (no attached database needs a full backup): a plain file. */
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0x1), 0);
    struct model_result r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "DB1");
    cr_expect_eq(r.err, 0);
    cr_expect_eq(r.size, (5u + 3u) * PAGE);
    struct model_view v = view(w, i);
    cr_expect(v.slot_in_use);
    cr_expect_not(v.slot_is_db);
    cr_expect_not(v.slot_is_log);
    cr_expect_eq(ERR(w, .op = MODEL_OP_CLOSE_FILE, .inst = i, .hf = 0), 0);
    cr_expect_eq(copy_file(w, i, "db1"), (5u + 3u) * PAGE);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END2, .inst = i, .grbit = 0x2), 0);
    /* Attaching the name again replaces the file; detaching it keeps the new size. */
    database(w, i, "db1", 2);
    cr_expect_eq(view(w, i).n_databases, 1);
    cr_assert_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = "db1"), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0x1), 0);
    r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1");
    cr_expect_eq(r.err, 0);
    cr_expect_eq(r.size, (2u + 3u) * PAGE);
    cr_assert_eq(ERR(w, .op = MODEL_OP_END2, .inst = i, .grbit = 0x2), 0);
    /* The model keeps MODEL_MAX_DATABASES detached files: one more is -1011. */
    for (int k = 2; k <= MODEL_MAX_DATABASES; k++) {
        char name[16];
        snprintf(name, sizeof name, "db%d", k);
        database(w, i, name, 1);
        cr_assert_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = name), 0);
    }
    database(w, i, "dbx", 1);
    struct model_world *before = world_clone(w);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = "dbx"), JET_errOutOfMemory);
    cr_expect(model_world_equal(w, before));
    free(before);
    free(w);
}

Test(model, fixture_operations_validate_their_arguments)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = 0, .arg = 2), JET_errInvalidParameter);
    JET_INSTANCE i = instance(w, false);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CONFIGURE, .inst = i, .arg = 0x4),
                 JET_errInvalidParameter);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CONFIGURE, .inst = i, .arg = BACKSTOP_CFG_CIRCULAR_LOG),
                 0);
    cr_expect(view(w, i).circular);
    cr_assert_eq(ERR(w, .op = MODEL_OP_INIT, .inst = i), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CONFIGURE, .inst = i, .arg = 0), JET_errInvalidParameter,
                 "only before JetInit");
    /* Databases. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = "a", .arg = 0), -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = NULL, .arg = 1), -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = "a/b", .arg = 1), -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i,
                     .name = "a-name-that-is-far-too-long-for-the-model", .arg = 1), -1003);
    char name[16];
    for (int k = 0; k < MODEL_MAX_DATABASES; k++) {
        snprintf(name, sizeof name, "d%d", k);
        database(w, i, name, 2);
    }
    cr_expect_eq(view(w, i).n_databases, MODEL_MAX_DATABASES);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = "D0", .arg = 1), -1003,
                 "duplicate (names compare without case)");
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_CREATE_DB, .inst = i, .name = "x", .arg = 1), -1011);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = "zz"), -1203);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DETACH_DB, .inst = i, .name = "d1"), 0);
    cr_expect_eq(view(w, i).n_databases, MODEL_MAX_DATABASES - 1);
    /* Logs. */
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 1), -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_ROLL_LOG, .inst = i, .arg = 10), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 11), -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 0), -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_SET_CHECKPOINT, .inst = i, .arg = 10), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DELETE_LOG, .inst = i, .arg = 11), -1811);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DELETE_LOG, .inst = i, .arg = 2), 0);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DELETE_LOG, .inst = i, .arg = 2), -1811);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_DELETE_LOG, .inst = i, .arg = 1), 0);
    cr_expect_eq(view(w, i).log_low, 3, "1 and 2 gone: the lowest on disk is 3");
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = BACKSTOP_STATE__COUNT),
                 -1003);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = BACKSTOP_STATE_RESTORING),
                 0);
    cr_expect_eq(view(w, i).forced_state, BACKSTOP_STATE_RESTORING);
    cr_expect_eq(ERR(w, .op = MODEL_OP_FX_FORCE_STATE, .inst = i, .arg = 0), 0);
    cr_expect_eq(view(w, i).forced_state, 0);
    free(w);
}

Test(model, worlds_copy_compare_and_fingerprint)
{
    struct model_world *a = world_new(MODEL_PROFILE_ESE);
    struct model_world *b = world_new(MODEL_PROFILE_ESE);
    cr_expect(model_world_equal(a, b));
    cr_expect_eq(model_fingerprint(a), model_fingerprint(b));
    JET_INSTANCE i = begun(a, 0);
    cr_expect_not(model_world_equal(a, b));
    model_world_copy(b, a);
    cr_expect(model_world_equal(a, b));
    cr_expect_eq(model_fingerprint_instance(a, 0x4242), 0);
    cr_expect_neq(model_fingerprint_instance(a, i), 0);
    /* The same history gives the same world. */
    struct model_world *c = world_new(MODEL_PROFILE_ESE);
    cr_expect_eq(begun(c, 0), i);
    cr_expect(model_world_equal(a, c));
    /* The profile is part of the world. */
    struct model_world *d = world_new(MODEL_PROFILE_ESENT);
    struct model_world *e = world_new(MODEL_PROFILE_ESE);
    cr_expect_neq(model_fingerprint(d), model_fingerprint(e));
    free(e);
    free(a);
    free(b);
    free(c);
    free(d);
}

Test(model, names_parse_and_print)
{
    for (int op = 0; op < MODEL_OP__COUNT; op++) {
        enum model_op out;
        cr_expect_eq(model_op_parse(model_op_name((enum model_op)op), &out), 0);
        cr_expect_eq(out, (enum model_op)op);
    }
    enum model_op out;
    cr_expect_eq(model_op_parse("JetNoSuchThing", &out), -1);
    cr_expect_str_eq(model_op_name(MODEL_OP_READ_FILE), "JetReadFileInstance");
    cr_expect(model_op_is_fixture(MODEL_OP_FX_DELETE_LOG));
    cr_expect_not(model_op_is_fixture(MODEL_OP_END2));
    cr_expect_not(model_op_is_legacy(MODEL_OP_STOP_BACKUP_INSTANCE));
    for (int p = 0; p < MODEL_PROFILE__COUNT; p++) {
        enum model_profile pp;
        cr_expect_eq(model_profile_parse(model_profile_name((enum model_profile)p), &pp), 0);
        cr_expect_eq(pp, (enum model_profile)p);
    }
    enum model_profile pp;
    cr_expect_eq(model_profile_parse("esent.dll", &pp), -1);
    cr_expect_str_eq(model_fault_name(MODEL_FAULT_READ_IO), "read.eio");
    cr_expect_str_eq(model_fault_name(MODEL_FAULT_LOG_ROLL), "logroll.enospc");
    cr_expect_str_eq(model_rule_name(1), "R1");
    cr_expect_str_eq(model_rule_name(16), "R16");
    cr_expect_str_eq(model_rule_name(55), "R55");
    cr_expect_str_eq(model_rule_name(0), "R?");
    cr_expect_str_eq(model_rule_name(56), "R?");
}

Test(model, list_is_empty_without_a_backup)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    char buf[8];
    cr_expect_eq(model_list(w, i, 0, buf, sizeof buf), 0);
    cr_expect_eq(model_list(w, 0x4242, 0, buf, sizeof buf), 0);
    cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i), 0);
    cr_expect_eq(model_list(w, i, 1, NULL, 0), 1, "no logs prepared: just the final NUL");
    cr_expect_eq(model_list(w, i, 0, NULL, 0), 9);
    free(w);
}

/* A long random walk never breaks the model's own invariants. */
Test(model, random_walk_keeps_invariants)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    uint64_t s = 0x2545F4914F6CDD1Du;
    JET_INSTANCE hs[6] = {0, JET_instanceNil, 0x4242, 0, 0, 0};
    const char *names[] = {"db1", "db2", "edb00000001.log", "edb00000002.log", "edb00000003.log",
                           "x", "", NULL};
    for (int n = 0; n < 200000; n++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        struct model_call c = {
            .op = (enum model_op)(s % MODEL_OP__COUNT),
            .inst = hs[(s >> 8) % 6],
            .grbit = (JET_GRBIT)((s >> 12) % 4 == 0 ? (s >> 16) & 0x7F : (s >> 16) & 3),
            .hf = (s >> 24) % 8 == 0,
            .cb_max = (uint32_t)(((s >> 28) % 6) * PAGE),
            .flags = (uint32_t)((s >> 32) % 16 == 0 ? (s >> 36) & 0x1F : 0),
            .name = names[(s >> 40) % 8],
            .arg = (uint32_t)((s >> 44) % 6),
            .fault = (enum model_fault)((s >> 50) % 16 < 3 ? (s >> 54) % MODEL_FAULT__COUNT : 0),
        };
        if (c.op == MODEL_OP_FX_FORCE_STATE && (s >> 60) % 4 != 0)
            c.arg = 0;
        struct model_result r;
        model_step(w, &c, &r);
        if (r.outs & MODEL_OUT_INST)
            hs[3 + (s >> 58) % 3] = r.inst;
        cr_assert(r.n_rules <= MODEL_MAX_RULES);
        for (unsigned k = 0; k < r.n_rules; k++)
            cr_assert(r.rules[k] >= 1 && r.rules[k] <= 55);
        for (int k = 0; k < 6; k++) {
            struct model_view v = view(w, hs[k]);
            if (!v.found)
                continue;
            cr_assert(!v.in_progress_local || v.in_progress_any);
            cr_assert(!v.slot_in_use || v.in_progress_local);
            cr_assert(!v.slot_in_use || v.slot_is_db != v.slot_is_log);
            cr_assert(v.slot_ib <= v.slot_cb);
            cr_assert(v.in_progress_any || v.phase == MODEL_PHASE_NOT_STARTED);
            cr_assert(!v.in_progress_any || v.phase != MODEL_PHASE_NOT_STARTED);
        }
    }
    free(w);
}

/* §4.3/§4.4, §4.9.2 d-e: a database that leaves the session after a read or open
 * error in phase Databases gets no full-backup credit at the next normal End, so a
 * later incremental Begin needs a new full backup (R28's -560). */
Test(model, database_that_left_session_gets_no_full_backup_credit)
{
    enum model_fault faults[] = {MODEL_FAULT_READ_IO, MODEL_FAULT_OPEN_IO};
    for (int k = 0; k < 2; k++) {
        struct model_world *w = world_new(MODEL_PROFILE_ESE);
        JET_INSTANCE i = with_dbs(w);
        cr_assert_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = 0), 0);
        struct model_result r;
        if (faults[k] == MODEL_FAULT_READ_IO) {
            cr_assert_eq(ERR(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1"), 0);
            r = DO(w, .op = MODEL_OP_READ_FILE, .inst = i, .cb_max = 4 * PAGE, .fault = faults[k]);
        } else {
            r = DO(w, .op = MODEL_OP_OPEN_FILE, .inst = i, .name = "db1", .fault = faults[k]);
        }
        cr_expect_eq(r.err, JET_errDiskIO);
        cr_expect(r.fault_used);
        cr_expect_not(r.cancelled);
        copy_file(w, i, "db2");
        cr_assert_eq(ERR(w, .op = MODEL_OP_GET_LOG_INFO, .inst = i, .cb_max = 4096), 0);
        copy_logs(w, i);
        cr_assert_eq(ERR(w, .op = MODEL_OP_END, .inst = i), 0);
        cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = JET_bitBackupIncremental),
                     JET_errMissingFullBackup, "fault %d", (int)faults[k]);
        free(w);
    }
}

/* The same backup without the fault credits both databases. */
Test(model, complete_full_backup_credits_every_database)
{
    struct model_world *w = world_new(MODEL_PROFILE_ESE);
    JET_INSTANCE i = with_dbs(w);
    full_backup(w, i);
    cr_expect_eq(ERR(w, .op = MODEL_OP_BEGIN, .inst = i, .grbit = JET_bitBackupIncremental), 0);
    free(w);
}
