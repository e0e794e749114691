/*
 * lincheck_test.c: tests of the history recorder (harness/history.c) and the
 * linearizability checker (harness/lincheck*.c).
 *
 *   - hand-made classic histories, linearisable and not: Stop then a later
 *     ReadFile returning data (R16), ReadFile overlapping Stop (R51), two
 *     concurrent Begins (R52), Begin racing Stop (R53), JetTerm's lock window
 *     (R54), pending calls, no-lifetime calls, faults (R41), undefined overlaps
 *     (R55, a harness error), the budget (UNKNOWN, never a pass);
 *   - the counterexample: shrunk, drawn, and written as a .scn case that
 *     parses and fails when run against the model;
 *   - histories recorded with real threads from a fake implementation (the
 *     model behind a lock), correct and buggy;
 *   - generated histories (linearisable by construction), and a differential
 *     test against a brute-force checker on small perturbed histories.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "lincheck.h"
#include "lincheck_int.h"
#include "rng.h"
#include "runner.h"
#include "scn.h"
#include "target.h"

/* ---------------------------------------------------------------------------
 * Building histories by hand.
 * ------------------------------------------------------------------------- */

#define PAGE 4096u
#define DB1_PAGES 16u
#define DB1_SIZE ((DB1_PAGES + 3u) * PAGE) /* as streamed (spec §3.3) */
#define P HIST_PENDING

/* The standard lifetime: created, initialised, one database of 16 pages. */
static const struct model_call std_setup_calls[] = {
    {.op = MODEL_OP_CREATE_INSTANCE},
    {.op = MODEL_OP_INIT},
    {.op = MODEL_OP_FX_CREATE_DB, .name = "db1", .arg = DB1_PAGES},
};
static const struct lincheck_lifetime_setup std_setup[] = {
    {.lifetime = 1, .calls = std_setup_calls, .n_calls = 3},
};

struct h {
    struct hist_event ev[64];
    size_t n;
};

static struct hist_event *add(struct h *h, uint32_t thread, uint64_t inv, uint64_t ret,
                              enum model_op op, JET_ERR err)
{
    cr_assert_lt(h->n, 64);
    struct hist_event *e = &h->ev[h->n++];
    memset(e, 0, sizeof *e);
    e->thread = thread;
    e->inv = inv;
    e->ret = ret;
    e->lifetime = 1;
    e->call.op = op;
    e->call.inst = 0x1234; /* the target's handle: the checker substitutes its own */
    e->err = err;
    return e;
}

static struct hist_event *add_read(struct h *h, uint32_t thread, uint64_t inv, uint64_t ret,
                                   JET_ERR err, uint32_t cb)
{
    struct hist_event *e = add(h, thread, inv, ret, MODEL_OP_READ_FILE, err);
    e->call.cb_max = 4 * PAGE;
    if (err == 0) {
        e->outs = MODEL_OUT_CB;
        e->cb_actual = cb;
    }
    return e;
}

static struct hist_event *add_open(struct h *h, uint32_t thread, uint64_t inv, uint64_t ret,
                                   JET_ERR err)
{
    struct hist_event *e = add(h, thread, inv, ret, MODEL_OP_OPEN_FILE, err);
    e->call.name = "db1";
    if (err == 0) {
        e->outs = MODEL_OUT_HF;
        e->size = DB1_SIZE;
    }
    return e;
}

static struct lincheck_config std_cfg(void)
{
    return (struct lincheck_config){.setups = std_setup, .n_setups = 1};
}

static enum lincheck_verdict check(struct h *h, struct lincheck_result *res)
{
    struct lincheck_config cfg = std_cfg();
    int rc = lincheck_check(h->ev, h->n, &cfg, res);
    cr_assert_eq(rc, LINCHECK_OK, "lincheck_check: %s: %s", lincheck_strerror(rc), res->message);
    return res->verdict;
}

static void expect_verdict(struct h *h, enum lincheck_verdict want)
{
    struct lincheck_result res;
    enum lincheck_verdict v = check(h, &res);
    cr_expect_eq(v, want, "verdict %s, wanted %s: %s", lincheck_verdict_name(v),
                 lincheck_verdict_name(want), res.message);
    if (v != want && res.cex != NULL)
        lincheck_cex_print_timeline(res.cex, stderr);
    lincheck_result_free(&res);
}

/* Begin; Open db1 (calls 1..4). */
static void backup_open(struct h *h)
{
    add(h, 0, 1, 2, MODEL_OP_BEGIN, 0);
    add_open(h, 0, 3, 4, 0);
}

/* ---------------------------------------------------------------------------
 * Classic histories.
 * ------------------------------------------------------------------------- */

Test(lincheck, sequential_backup_is_linearizable)
{
    struct h h = {0};
    backup_open(&h);
    add_read(&h, 0, 5, 6, 0, 4 * PAGE);
    add_read(&h, 0, 7, 8, 0, 4 * PAGE);
    add(&h, 0, 9, 10, MODEL_OP_CLOSE_FILE, 0);
    add(&h, 0, 11, 12, MODEL_OP_END, 0);
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, wrong_byte_count_is_a_violation)
{
    struct h h = {0};
    backup_open(&h);
    add_read(&h, 0, 5, 6, 0, 3 * PAGE);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

/* D7: after a cleanup (End, not CloseFile) the slot is closed with stale
 * state, and ReadFile(hf 0) is undefined in the source: whatever a target
 * answers conforms, and the next calls are checked from an unchanged world. */
Test(lincheck, read_on_a_slot_a_cleanup_left_is_undefined_d7)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, 6, MODEL_OP_END, 0);
    add(&h, 1, 7, 8, MODEL_OP_BEGIN, 0);
    add_read(&h, 0, 9, 10, 0, 0);                     /* the engine's answer */
    add_read(&h, 0, 11, 12, JET_errDiskIO, 0);         /* any other answer */
    add_open(&h, 0, 13, 14, 0);                        /* the world did not change */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

/* The same read on a slot CloseFile reset is defined (§4.4 step 6): 0 bytes,
 * result 0; returning data there is still a violation. */
Test(lincheck, read_on_a_slot_closefile_reset_is_still_checked)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 0, 5, 6, MODEL_OP_CLOSE_FILE, 0);
    add_read(&h, 0, 7, 8, 0, 4 * PAGE);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, read_after_stop_returning_data_violates_r16)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add_read(&h, 0, 7, 8, 0, 4 * PAGE);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION, "%s", res.message);
    cr_assert_not_null(res.cex);
    const struct hist_event *ev;
    size_t n = lincheck_cex_events(res.cex, &ev);
    size_t c = lincheck_cex_culprit(res.cex);
    cr_assert_lt(c, n);
    cr_expect_eq(ev[c].call.op, MODEL_OP_READ_FILE);
    cr_expect(strstr(res.message, "R16") != NULL, "the model's rule is named: %s", res.message);
    cr_expect(strstr(res.message, "-801") != NULL, "%s", res.message);
    cr_expect_eq(res.lifetime, 1);
    lincheck_result_free(&res);
}

Test(lincheck, read_overlapping_stop_may_return_data_r51)
{
    struct h h = {0};
    backup_open(&h);
    add_read(&h, 0, 5, 8, 0, 4 * PAGE);
    add(&h, 1, 6, 7, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add_read(&h, 0, 9, 10, JET_errBackupAbortByServer, 0);
    add(&h, 0, 11, 12, MODEL_OP_CLOSE_FILE, 0); /* R19 */
    add(&h, 0, 13, 14, MODEL_OP_END, 0);        /* R21 */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, read_overlapping_stop_may_also_see_it)
{
    struct h h = {0};
    backup_open(&h);
    add_read(&h, 0, 5, 8, JET_errBackupAbortByServer, 0);
    add(&h, 1, 6, 7, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, two_concurrent_begins_both_winning_violate_r52)
{
    struct h h = {0};
    add(&h, 0, 1, 4, MODEL_OP_BEGIN, 0);
    add(&h, 1, 2, 3, MODEL_OP_BEGIN, 0);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, concurrent_begins_one_wins_r52)
{
    struct h h = {0};
    add(&h, 0, 1, 4, MODEL_OP_BEGIN, JET_errBackupInProgress);
    add(&h, 1, 2, 3, MODEL_OP_BEGIN, 0);
    add(&h, 2, 5, 6, MODEL_OP_BEGIN, JET_errBackupInProgress);
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

/* §4.1 steps 13-15, §6.3: an incremental Begin without a full backup claims,
 * then fails with -560 and undoes the claim; a Begin inside that window sees
 * a backup in progress. */
static void add_claimer(struct h *h, uint32_t thread, uint64_t inv, uint64_t ret, JET_GRBIT extra)
{
    struct hist_event *e = add(h, thread, inv, ret, MODEL_OP_BEGIN, JET_errMissingFullBackup);
    e->call.grbit = JET_bitBackupIncremental | extra;
}

Test(lincheck, begin_inside_a_failing_begins_claim_sees_it_in_progress)
{
    struct h h = {0};
    add_claimer(&h, 0, 1, 6, 0);
    add(&h, 1, 2, 3, MODEL_OP_BEGIN, JET_errBackupInProgress);
    add(&h, 1, 7, 8, MODEL_OP_BEGIN, 0); /* the claim was undone */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, begin_after_a_failed_begins_claim_cannot_see_it)
{
    struct h h = {0};
    add_claimer(&h, 0, 1, 2, 0);
    add(&h, 1, 3, 4, MODEL_OP_BEGIN, JET_errBackupInProgress);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, a_surrogate_claim_shows_as_a_surrogate_backup)
{
    struct h h = {0};
    add_claimer(&h, 0, 1, 6, JET_bitBackupSurrogate);
    add(&h, 1, 2, 3, MODEL_OP_BEGIN, JET_errBackupInProgress); /* -617 is what it would see */
    expect_verdict(&h, LINCHECK_VIOLATION);
    h.ev[1].err = JET_errSurrogateBackupInProgress;
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, overlapping_failing_begins_claim_one_at_a_time)
{
    struct h h = {0};
    add_claimer(&h, 0, 1, 6, 0);
    add_claimer(&h, 1, 2, 5, 0);
    add(&h, 2, 3, 4, MODEL_OP_BEGIN, JET_errBackupInProgress); /* inside one claim: fine */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, stop_racing_begin_may_be_lost_r53)
{
    struct h h = {0};
    add(&h, 1, 1, 4, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add(&h, 0, 2, 3, MODEL_OP_BEGIN, 0);
    add_open(&h, 0, 5, 6, 0); /* not stopped: the Stop came before the claim */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, stop_racing_begin_may_apply_to_the_new_backup_r53)
{
    struct h h = {0};
    add(&h, 1, 1, 4, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add(&h, 0, 2, 3, MODEL_OP_BEGIN, 0);
    add_open(&h, 0, 5, 6, JET_errBackupAbortByServer);
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, stop_before_begin_is_lost_but_not_after_it)
{
    /* Stop returned before Begin was invoked: it cannot stop the new backup (S2). */
    struct h h = {0};
    add(&h, 1, 1, 2, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add(&h, 0, 3, 4, MODEL_OP_BEGIN, 0);
    add_open(&h, 0, 5, 6, JET_errBackupAbortByServer);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, pending_stop_may_or_may_not_take_effect)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, P, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add_read(&h, 0, 6, 7, 0, 4 * PAGE);                   /* not yet */
    add_read(&h, 0, 8, 9, JET_errBackupAbortByServer, 0); /* now it has */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, pending_stop_takes_effect_once)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, P, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add_read(&h, 0, 6, 7, JET_errBackupAbortByServer, 0);
    add_read(&h, 0, 8, 9, 0, 4 * PAGE); /* the flag does not go away (R16) */
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, pending_call_result_is_not_checked)
{
    struct h h = {0};
    backup_open(&h);
    struct hist_event *e = add_read(&h, 0, 5, P, 0, 999);
    e->err = -12345;
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, no_lifetime_calls_are_checked_alone)
{
    struct h h = {0};
    backup_open(&h);
    struct hist_event *e = add(&h, 2, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, JET_errInvalidParameter);
    e->lifetime = HIST_NO_LIFETIME;
    e->call.inst = 0xDEAD;
    e = add(&h, 2, 7, 8, MODEL_OP_STOP_BACKUP, JET_errRunningInMultiInstanceMode); /* R15 */
    e->lifetime = HIST_NO_LIFETIME;
    e = add(&h, 3, 6, 9, MODEL_OP_BEGIN, JET_errInvalidParameter); /* nil, R2 */
    e->lifetime = HIST_NO_LIFETIME;
    e->call.inst = JET_instanceNil;
    add_read(&h, 0, 10, 11, 0, 4 * PAGE); /* the lifetime is unaffected */
    struct lincheck_result res;
    cr_expect_eq(check(&h, &res), LINCHECK_LINEARIZABLE, "%s", res.message);
    cr_expect_eq(res.n_no_lifetime, 3);
    cr_expect_eq(res.n_lifetimes, 1);
    lincheck_result_free(&res);
}

Test(lincheck, no_lifetime_call_that_succeeds_is_a_violation_r11)
{
    struct h h = {0};
    backup_open(&h);
    struct hist_event *e = add(&h, 2, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    e->lifetime = HIST_NO_LIFETIME;
    e->call.inst = 0xDEAD;
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION, "%s", res.message);
    cr_expect_eq(res.lifetime, HIST_NO_LIFETIME);
    cr_assert_not_null(res.cex);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(lincheck_cex_write_scn(res.cex, "lincheck.no_lifetime", f), LINCHECK_OK);
    fclose(f);
    cr_expect(strstr(text, "JetStopBackupInstance never -> JET_errSuccess") != NULL, "%s", text);
    free(text);
    lincheck_result_free(&res);
}

Test(lincheck, esent_profile_invalid_handle)
{
    struct h h = {0};
    struct hist_event *e = add(&h, 2, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, JET_errInvalidInstance);
    e->lifetime = HIST_NO_LIFETIME;
    e->call.inst = 0xDEAD;
    struct lincheck_config cfg = std_cfg();
    cfg.model.profile = MODEL_PROFILE_ESENT;
    struct lincheck_result res;
    cr_assert_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_OK);
    cr_expect_eq(res.verdict, LINCHECK_LINEARIZABLE, "%s", res.message);
    lincheck_result_free(&res);
    cfg.model.profile = MODEL_PROFILE_ESE; /* -1115 is not ESE's answer (R3) */
    cr_assert_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_OK);
    cr_expect_eq(res.verdict, LINCHECK_VIOLATION, "%s", res.message);
    lincheck_result_free(&res);
}

Test(lincheck, injected_read_fault_closes_the_database_handle_r41)
{
    struct h h = {0};
    backup_open(&h);
    struct hist_event *e = add_read(&h, 0, 5, 6, JET_errDiskIO, 0);
    e->fault = MODEL_FAULT_READ_IO;
    add_open(&h, 0, 9, 10, 0); /* the handle was closed; the backup goes on */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
    h.ev[2].fault = MODEL_FAULT_NONE; /* without the fault, -1022 is unexplained */
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, term_lock_window_gives_term_in_progress_r54)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, 12, MODEL_OP_TERM, 0);
    add_read(&h, 0, 6, 7, 0, 4 * PAGE); /* before the lock */
    add_read(&h, 0, 8, 9, JET_errTermInProgress, 0);
    add(&h, 2, 10, 11, MODEL_OP_STOP_BACKUP_INSTANCE, 0); /* Stop is not gated */
    struct hist_event *e = add_read(&h, 0, 13, 14, JET_errInvalidParameter, 0);
    e->handle_stale = true; /* after JetTerm returned: freed (R3) */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, term_in_progress_without_a_term_is_a_violation)
{
    struct h h = {0};
    backup_open(&h);
    add_read(&h, 0, 8, 9, JET_errTermInProgress, 0);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, lock_window_is_not_left_and_reentered)
{
    /* Once a gated call saw -1000, a later gated call cannot succeed before
     * JetTerm's effect, which frees the instance. */
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, 12, MODEL_OP_TERM, 0);
    add_read(&h, 0, 6, 7, JET_errTermInProgress, 0);
    add_read(&h, 0, 8, 9, 0, 4 * PAGE);
    expect_verdict(&h, LINCHECK_VIOLATION);
}

Test(lincheck, failed_term_releases_the_lock)
{
    struct h h = {0};
    backup_open(&h);
    struct hist_event *e = add(&h, 1, 5, 10, MODEL_OP_TERM2, JET_errBackupInProgress);
    e->call.grbit = 0; /* R20: a running backup makes it fail */
    add_read(&h, 0, 6, 7, JET_errTermInProgress, 0);
    add_read(&h, 0, 11, 12, 0, 4 * PAGE); /* the backup goes on (R31) */
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, undefined_overlap_is_a_harness_error_r55)
{
    struct h h = {0};
    backup_open(&h);
    add_read(&h, 0, 5, 8, 0, 4 * PAGE);
    add(&h, 1, 6, 7, MODEL_OP_END, 0);
    struct lincheck_config cfg = std_cfg();
    struct lincheck_result res;
    int rc = lincheck_check(h.ev, h.n, &cfg, &res);
    cr_expect_eq(rc, LINCHECK_EOVERLAP);
    cr_expect(strstr(res.message, "undefined overlap generated") != NULL, "%s", res.message);
    cr_expect(strstr(res.message, "JetEndExternalBackupInstance") != NULL, "%s", res.message);
    lincheck_result_free(&res);
}

Test(lincheck, stale_calls_may_overlap_anything)
{
    struct h h = {0};
    add(&h, 0, 1, 2, MODEL_OP_TERM, 0);
    struct hist_event *e = add(&h, 0, 3, 6, MODEL_OP_END, JET_errInvalidParameter);
    e->handle_stale = true;
    e = add(&h, 1, 4, 5, MODEL_OP_BEGIN, JET_errInvalidParameter);
    e->handle_stale = true;
    expect_verdict(&h, LINCHECK_LINEARIZABLE);
}

Test(lincheck, malformed_history_is_rejected)
{
    struct h h = {0};
    add(&h, 0, 5, 5, MODEL_OP_BEGIN, 0);
    struct lincheck_config cfg = std_cfg();
    struct lincheck_result res;
    cr_expect_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_EINVAL);
    lincheck_result_free(&res);
}

Test(lincheck, lifetimes_are_checked_apart)
{
    /* Two lifetimes, each with its own Begin: no interference (P-compositionality). */
    static const struct lincheck_lifetime_setup two[] = {
        {.lifetime = 1, .calls = std_setup_calls, .n_calls = 3},
        {.lifetime = 2, .calls = std_setup_calls, .n_calls = 3},
    };
    struct h h = {0};
    add(&h, 0, 1, 4, MODEL_OP_BEGIN, 0);
    struct hist_event *e = add(&h, 1, 2, 3, MODEL_OP_BEGIN, 0);
    e->lifetime = 2;
    e = add(&h, 1, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    e->lifetime = 2;
    add_open(&h, 0, 7, 8, 0); /* Stop on lifetime 2 does not reach lifetime 1 */
    struct lincheck_config cfg = {.setups = two, .n_setups = 2};
    struct lincheck_result res;
    cr_assert_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_OK);
    cr_expect_eq(res.verdict, LINCHECK_LINEARIZABLE, "%s", res.message);
    cr_expect_eq(res.n_lifetimes, 2);
    lincheck_result_free(&res);
}

Test(lincheck, recorded_creation_instead_of_a_setup)
{
    struct h h = {0};
    add(&h, 0, 1, 2, MODEL_OP_CREATE_INSTANCE, 0);
    add(&h, 0, 3, 4, MODEL_OP_INIT, 0);
    struct hist_event *e = add(&h, 0, 5, 6, MODEL_OP_FX_CREATE_DB, 0);
    e->call.name = "db1";
    e->call.arg = DB1_PAGES;
    add(&h, 0, 7, 8, MODEL_OP_BEGIN, 0);
    add_open(&h, 0, 9, 10, 0);
    struct lincheck_config cfg = {0};
    struct lincheck_result res;
    cr_assert_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_OK);
    cr_expect_eq(res.verdict, LINCHECK_LINEARIZABLE, "%s", res.message);
    lincheck_result_free(&res);
}

Test(lincheck, oneinst_lifetime)
{
    struct h h = {0};
    struct hist_event *e = add(&h, 0, 1, 2, MODEL_OP_INIT, 0);
    e->call.inst = 0; /* JetInit with no instance: OneInst mode */
    add(&h, 0, 3, 4, MODEL_OP_BEGIN, 0);
    add(&h, 1, 5, 6, MODEL_OP_STOP_BACKUP, 0); /* R15: legacy Stop works in OneInst */
    e = add(&h, 0, 7, 8, MODEL_OP_GET_ATTACH_INFO_LEGACY, JET_errBackupAbortByServer);
    e->call.cb_max = 4096;
    struct lincheck_config cfg = {0};
    struct lincheck_result res;
    cr_assert_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_OK);
    cr_expect_eq(res.verdict, LINCHECK_LINEARIZABLE, "%s", res.message);
    lincheck_result_free(&res);
}

Test(lincheck, budget_exceeded_is_unknown_never_a_pass)
{
    struct lincheck__gen_config gc = {.seed = 7, .n_threads = 8, .n_instances = 1,
                                      .n_events = 3000, .pending = true};
    struct lincheck__gen g;
    cr_assert_eq(lincheck__generate(&gc, &g), 0);
    struct lincheck_config cfg = {.setups = g.setups, .n_setups = g.n_setups, .max_steps = 100};
    struct lincheck_result res;
    cr_assert_eq(lincheck_check(g.ev, g.n, &cfg, &res), LINCHECK_OK);
    cr_expect_eq(res.verdict, LINCHECK_UNKNOWN, "%s", res.message);
    cr_expect_eq(res.n_unknown, 1);
    cr_expect(strstr(res.message, "unknown (budget exceeded)") != NULL, "%s", res.message);
    lincheck_result_free(&res);
    lincheck__generate_free(&g);
}

/* ---------------------------------------------------------------------------
 * Counterexamples: shrinking and the three outputs.
 * ------------------------------------------------------------------------- */

/* A long history: n complete backup cycles, then Stop and a read that ignores it. */
static void long_r16_history(struct h *h, int cycles)
{
    uint64_t t = 1;
    for (int c = 0; c < cycles; c++) {
        add(h, 0, t, t + 1, MODEL_OP_BEGIN, 0), t += 2;
        add_open(h, 0, t, t + 1, 0), t += 2;
        add_read(h, 0, t, t + 1, 0, 4 * PAGE), t += 2;
        add(h, 2, t, t + 3, MODEL_OP_STOP_BACKUP_INSTANCE, 0); /* overlaps the next read */
        add_read(h, 0, t + 1, t + 2, 0, 4 * PAGE), t += 4;
        add_read(h, 0, t, t + 1, JET_errBackupAbortByServer, 0), t += 2;
        add(h, 0, t, t + 1, MODEL_OP_END, 0), t += 2;
    }
    add(h, 0, t, t + 1, MODEL_OP_BEGIN, 0), t += 2;
    add_open(h, 0, t, t + 1, 0), t += 2;
    add_read(h, 0, t, t + 1, 0, 4 * PAGE), t += 2;
    add(h, 1, t, t + 1, MODEL_OP_STOP_BACKUP_INSTANCE, 0), t += 2;
    add_read(h, 0, t, t + 1, 0, 4 * PAGE), t += 2; /* R16 violated */
    add_read(h, 0, t, t + 1, 0, 4 * PAGE);
}

Test(lincheck, counterexample_is_shrunk)
{
    struct h h = {0};
    long_r16_history(&h, 6);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION, "%s", res.message);
    const struct hist_event *ev;
    size_t n = lincheck_cex_events(res.cex, &ev);
    /* Begin, Open, Stop and the read are needed; nothing else. */
    cr_expect_leq(n, 4, "shrunk to %zu events", n);
    if (n > 4)
        lincheck_cex_print_timeline(res.cex, stderr);
    cr_expect_eq(ev[lincheck_cex_culprit(res.cex)].call.op, MODEL_OP_READ_FILE);
    lincheck_result_free(&res);
}

static char *capture_timeline(const struct lincheck_cex *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    lincheck_cex_print_timeline(c, f);
    fclose(f);
    return text;
}

Test(lincheck, timeline_has_a_row_per_thread)
{
    struct h h = {0};
    add(&h, 0, 1, 4, MODEL_OP_BEGIN, 0);
    add(&h, 3, 2, 3, MODEL_OP_BEGIN, 0);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION);
    char *text = capture_timeline(res.cex);
    cr_expect(strstr(text, "\n  t0  [") != NULL, "%s", text);
    cr_expect(strstr(text, "\n  t3  ") != NULL, "%s", text);
    cr_expect(strstr(text, "Begin(0x0)=0") != NULL, "%s", text);
    cr_expect(strstr(text, "!#") != NULL, "the culprit is marked: %s", text);
    free(text);
    lincheck_result_free(&res);
}

Test(lincheck, html_is_self_contained)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add_read(&h, 0, 7, 8, 0, 4 * PAGE);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(lincheck_cex_write_html(res.cex, f), LINCHECK_OK);
    fclose(f);
    cr_expect(strstr(text, "<svg") != NULL);
    cr_expect(strstr(text, "</html>") != NULL);
    cr_expect(strstr(text, "JetReadFileInstance") != NULL);
    cr_expect(strstr(text, "src=") == NULL, "no external resource");
    cr_expect(strstr(text, "<link") == NULL, "no external resource");
    cr_expect(strstr(text, "<script") == NULL);
    free(text);
    lincheck_result_free(&res);
}

/* Write the cex as .scn, parse it, and run it against the model: it must fail. */
static void scn_fails_on_model(const struct lincheck_cex *cex, const char *must_contain)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_eq(lincheck_cex_write_scn(cex, "lincheck.test_case", f), LINCHECK_OK);
    fclose(f);
    if (must_contain != NULL)
        cr_expect(strstr(text, must_contain) != NULL, "'%s' not in:\n%s", must_contain, text);
    struct scn_suite *suite = NULL;
    cr_assert_eq(scn_parse_buffer("cex.scn", text, len, stderr, &suite), SCN_OK, "%s", text);
    cr_assert_eq(scn_suite_count(suite), 1);
    struct runner_config rc = {.target = &target_model_ops, .profile = MODEL_PROFILE_ESE};
    struct report_case out;
    cr_assert_eq(runner_run_case(&rc, scn_suite_case(suite, 0), &out), 0);
    cr_expect_eq(out.status, REPORT_FAIL, "the case must fail on the model:\n%s\n%s", text,
                 out.message ? out.message : "");
    free((void *)out.message);
    free((void *)out.rules);
    scn_suite_free(suite);
    free(text);
}

Test(lincheck, scn_of_a_sequential_violation_fails_on_the_model)
{
    struct h h = {0};
    backup_open(&h);
    add(&h, 1, 5, 6, MODEL_OP_STOP_BACKUP_INSTANCE, 0);
    add_read(&h, 0, 7, 8, 0, 4 * PAGE);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION);
    /* The Open is not needed: the stop test comes first (R17). */
    scn_fails_on_model(res.cex, "JetReadFileInstance i 0 16384 -> JET_errSuccess actual=16384");
    lincheck_result_free(&res);
}

Test(lincheck, scn_of_a_parallel_violation_fails_on_the_model)
{
    struct h h = {0};
    add(&h, 0, 1, 4, MODEL_OP_BEGIN, 0);
    add(&h, 1, 2, 3, MODEL_OP_BEGIN, 0);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION);
    scn_fails_on_model(res.cex, "parallel");
    lincheck_result_free(&res);
}

Test(lincheck, scn_of_recorded_setup_and_fault)
{
    struct h h = {0};
    add(&h, 0, 1, 2, MODEL_OP_CREATE_INSTANCE, 0);
    add(&h, 0, 3, 4, MODEL_OP_INIT, 0);
    struct hist_event *e = add(&h, 0, 5, 6, MODEL_OP_FX_CREATE_DB, 0);
    e->call.name = "db1";
    e->call.arg = DB1_PAGES;
    add(&h, 0, 7, 8, MODEL_OP_BEGIN, 0);
    add_open(&h, 0, 9, 10, 0);
    e = add_read(&h, 0, 11, 12, JET_errDiskIO, 0);
    e->fault = MODEL_FAULT_READ_IO;
    add_open(&h, 0, 13, 14, JET_errOutOfMemory); /* bug: the fault left the handle open (R41) */
    /* Not shrunk: shrinking would find the smaller "Open returns -1011 with no
     * file open" and drop the fault. */
    struct lincheck_config cfg = {.no_shrink = true};
    struct lincheck_result res;
    cr_assert_eq(lincheck_check(h.ev, h.n, &cfg, &res), LINCHECK_OK);
    cr_assert_eq(res.verdict, LINCHECK_VIOLATION, "%s", res.message);
    const struct hist_event *ev;
    cr_expect_eq(lincheck_cex_events(res.cex, &ev), 7);
    scn_fails_on_model(res.cex, "  instance i\n  database i db1 pages=16\n");
    scn_fails_on_model(res.cex, "  fault read.eio\n  JetReadFileInstance i h 16384 -> JET_errDiskIO\n");
    lincheck_result_free(&res);
}

Test(lincheck, cex_save_writes_three_files)
{
    struct h h = {0};
    add(&h, 0, 1, 4, MODEL_OP_BEGIN, 0);
    add(&h, 1, 2, 3, MODEL_OP_BEGIN, 0);
    struct lincheck_result res;
    cr_assert_eq(check(&h, &res), LINCHECK_VIOLATION);
    char dir[] = "/tmp/lincheck_test_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(lincheck_cex_save(res.cex, dir, "begins"), LINCHECK_OK);
    const char *ext[] = {"txt", "html", "scn"};
    for (int k = 0; k < 3; k++) {
        char path[256];
        snprintf(path, sizeof path, "%s/begins.%s", dir, ext[k]);
        FILE *f = fopen(path, "r");
        cr_expect_not_null(f, "%s", path);
        if (f != NULL)
            fclose(f);
        remove(path);
    }
    rmdir(dir);
    lincheck_result_free(&res);
}

/* ---------------------------------------------------------------------------
 * Recorded histories: a fake implementation (the model behind a mutex, which is
 * linearisable by construction) driven by real threads through the recorder.
 * The buggy variant loses Stops that land while a read holds the lock.
 * ------------------------------------------------------------------------- */

struct fake {
    pthread_mutex_t mu;
    struct model_world *w;
    JET_INSTANCE h;
    bool lose_stop;  /* the bug */
    struct hist *hist;
    pthread_barrier_t bar;
};

static JET_ERR fake_call(struct fake *f, uint32_t thread, struct model_call c,
                         struct hist_event *resp)
{
    struct hist_event ev = {.call = c, .lifetime = 1};
    long slot = hist_begin(f->hist, thread, &ev);
    struct model_result r;
    pthread_mutex_lock(&f->mu);
    c.inst = f->h;
    if (f->lose_stop && c.op == MODEL_OP_STOP_BACKUP_INSTANCE)
        memset(&r, 0, sizeof r); /* returns 0, sets nothing */
    else
        model_step(f->w, &c, &r);
    pthread_mutex_unlock(&f->mu);
    memset(resp, 0, sizeof *resp);
    resp->err = r.err;
    resp->outs = r.outs & ~(uint32_t)(MODEL_OUT_INST | MODEL_OUT_LIST);
    resp->hf = r.hf;
    resp->size = r.size;
    resp->cb_actual = r.cb_actual;
    resp->gen_low = r.gen_low;
    resp->gen_high = r.gen_high;
    hist_end(f->hist, thread, slot, resp);
    return r.err;
}

static void fake_init(struct fake *f, bool bug)
{
    memset(f, 0, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    f->w = malloc(model_world_size());
    cr_assert_not_null(f->w);
    model_world_init(f->w, NULL);
    struct model_result r;
    for (size_t i = 0; i < 3; i++) {
        struct model_call c = std_setup_calls[i];
        if (i > 0)
            c.inst = f->h;
        model_step(f->w, &c, &r);
        if (i == 0)
            f->h = r.inst;
    }
    f->lose_stop = bug;
    cr_assert_eq(hist_create(2, 4096, &f->hist), HIST_OK);
    pthread_barrier_init(&f->bar, NULL, 2);
}

static void fake_fini(struct fake *f)
{
    hist_destroy(f->hist);
    free(f->w);
    pthread_mutex_destroy(&f->mu);
    pthread_barrier_destroy(&f->bar);
}

/* Thread 0: backup cycles; between them it waits for the stopper (barrier). */
static void *fake_client(void *arg)
{
    struct fake *f = arg;
    struct hist_event resp;
    for (int cycle = 0; cycle < 50; cycle++) {
        fake_call(f, 0, (struct model_call){.op = MODEL_OP_BEGIN}, &resp);
        fake_call(f, 0, (struct model_call){.op = MODEL_OP_OPEN_FILE, .name = "db1"}, &resp);
        fake_call(f, 0, (struct model_call){.op = MODEL_OP_READ_FILE, .cb_max = 4 * PAGE}, &resp);
        pthread_barrier_wait(&f->bar); /* the stopper stops now */
        pthread_barrier_wait(&f->bar); /* ... and has returned */
        for (int k = 0; k < 3; k++)
            fake_call(f, 0, (struct model_call){.op = MODEL_OP_READ_FILE, .cb_max = 4 * PAGE}, &resp);
        fake_call(f, 0, (struct model_call){.op = MODEL_OP_CLOSE_FILE}, &resp);
        fake_call(f, 0, (struct model_call){.op = MODEL_OP_END}, &resp);
    }
    return NULL;
}

static void *fake_stopper(void *arg)
{
    struct fake *f = arg;
    struct hist_event resp;
    for (int cycle = 0; cycle < 50; cycle++) {
        pthread_barrier_wait(&f->bar);
        if (cycle % 2 == 1)
            fake_call(f, 1, (struct model_call){.op = MODEL_OP_STOP_BACKUP_INSTANCE}, &resp);
        pthread_barrier_wait(&f->bar);
        /* A few Stops that race the client's calls (defined overlaps, R50). */
        for (int k = 0; k < 3; k++)
            fake_call(f, 1, (struct model_call){.op = MODEL_OP_STOP_BACKUP_INSTANCE}, &resp);
    }
    return NULL;
}

static enum lincheck_verdict run_fake(bool bug, struct lincheck_result *res)
{
    struct fake f;
    fake_init(&f, bug);
    pthread_t a, b;
    pthread_create(&a, NULL, fake_client, &f);
    pthread_create(&b, NULL, fake_stopper, &f);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    struct hist_event *ev;
    size_t n = hist_collect(f.hist, &ev);
    cr_assert_gt(n, 0);
    struct lincheck_config cfg = std_cfg();
    cr_assert_eq(lincheck_check(ev, n, &cfg, res), LINCHECK_OK, "%s", res->message);
    free(ev);
    fake_fini(&f);
    return res->verdict;
}

Test(lincheck, recorded_history_of_a_correct_fake_is_linearizable, .timeout = 60)
{
    struct lincheck_result res;
    cr_expect_eq(run_fake(false, &res), LINCHECK_LINEARIZABLE, "%s", res.message);
    lincheck_result_free(&res);
}

Test(lincheck, recorded_history_of_a_buggy_fake_is_a_violation, .timeout = 60)
{
    struct lincheck_result res;
    cr_expect_eq(run_fake(true, &res), LINCHECK_VIOLATION, "%s", res.message);
    if (res.cex != NULL) {
        const struct hist_event *ev;
        size_t n = lincheck_cex_events(res.cex, &ev);
        cr_expect_leq(n, 6, "shrunk to %zu events", n);
        cr_expect(strstr(res.message, "R16") != NULL, "%s", res.message);
    }
    lincheck_result_free(&res);
}

/* ---------------------------------------------------------------------------
 * The recorder.
 * ------------------------------------------------------------------------- */

Test(lincheck, hist_hash_covers_fields_and_name_contents)
{
    struct h a = {0}, b = {0};
    backup_open(&a);
    backup_open(&b);
    cr_expect_eq(hist_hash(a.ev, a.n), hist_hash(b.ev, b.n));
    char name[] = "db1"; /* same content, other pointer */
    b.ev[1].call.name = name;
    cr_expect_eq(hist_hash(a.ev, a.n), hist_hash(b.ev, b.n));
    b.ev[1].size++;
    cr_expect_neq(hist_hash(a.ev, a.n), hist_hash(b.ev, b.n));
    b.ev[1].size--;
    name[2] = '2';
    cr_expect_neq(hist_hash(a.ev, a.n), hist_hash(b.ev, b.n));
}

Test(lincheck, hist_records_and_collects_in_invocation_order)
{
    struct hist *h;
    cr_assert_eq(hist_create(3, 4, &h), HIST_OK);
    struct hist_event ev = {.call = {.op = MODEL_OP_BEGIN}, .lifetime = 1};
    struct hist_event resp = {.err = -505, .outs = 0};
    long s0 = hist_begin(h, 0, &ev);
    long s1 = hist_begin(h, 2, &ev);
    hist_end(h, 2, s1, &resp);
    long s2 = hist_begin(h, 1, &ev); /* left pending */
    hist_end(h, 0, s0, &resp);
    cr_assert_geq(s0, 0);
    cr_assert_geq(s2, 0);
    for (int k = 0; k < 3; k++) /* fills thread 1's four slots */
        hist_begin(h, 1, &ev);
    cr_expect_eq(hist_begin(h, 1, &ev), HIST_EFULL);
    hist_set_enabled(h, false);
    long off = hist_begin(h, 0, &ev);
    hist_end(h, 0, off, &resp);
    hist_set_enabled(h, true);
    struct hist_event *all;
    size_t n = hist_collect(h, &all);
    cr_assert_eq(n, 6);
    for (size_t i = 1; i < n; i++)
        cr_expect_lt(all[i - 1].inv, all[i].inv);
    cr_expect_eq(all[0].thread, 0);
    cr_expect_eq(all[0].err, -505);
    cr_expect_gt(all[0].ret, all[1].ret);
    cr_expect_eq(all[2].ret, HIST_PENDING);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    hist_print(all, n, f);
    fclose(f);
    cr_expect(strstr(text, "t2 L1 JetBeginExternalBackupInstance(") != NULL, "%s", text);
    cr_expect(strstr(text, "= pending") != NULL, "%s", text);
    free(text);
    free(all);
    hist_destroy(h);
}

/* ---------------------------------------------------------------------------
 * Generated histories, and a brute-force cross-check.
 * ------------------------------------------------------------------------- */

Test(lincheck, generated_histories_are_linearizable)
{
    for (uint64_t seed = 1; seed <= 12; seed++) {
        struct lincheck__gen_config gc = {.seed = seed, .n_threads = 2 + (uint32_t)(seed % 7),
                                          .n_instances = 1 + (uint32_t)(seed % 4),
                                          .n_events = 4000, .terms = seed % 2 == 0,
                                          .faults = seed % 3 != 0, .pending = true};
        gc.model.profile = (enum model_profile)(seed % MODEL_PROFILE__COUNT);
        struct lincheck__gen g;
        cr_assert_eq(lincheck__generate(&gc, &g), 0);
        struct lincheck_config cfg = {.model = gc.model, .setups = g.setups, .n_setups = g.n_setups};
        struct lincheck_result res;
        cr_assert_eq(lincheck_check(g.ev, g.n, &cfg, &res), LINCHECK_OK, "seed %llu: %s",
                     (unsigned long long)seed, res.message);
        cr_expect_eq(res.verdict, LINCHECK_LINEARIZABLE, "seed %llu: %s", (unsigned long long)seed,
                     res.message);
        if (res.verdict != LINCHECK_LINEARIZABLE && res.cex != NULL)
            lincheck_cex_print_timeline(res.cex, stderr);
        lincheck_result_free(&res);
        lincheck__generate_free(&g);
    }
}

/* A brute-force checker with the same semantics (lincheck.h) and no search
 * tricks: every order consistent with real time, JetTerm as lock then effect. */
struct bf {
    const struct hist_event *ev;
    size_t n;
    JET_INSTANCE h;
    size_t wsize;
};

static bool bf_takes_handle(const struct model_call *c)
{
    if (c->op == MODEL_OP_CREATE_INSTANCE || model_op_is_legacy(c->op))
        return false;
    return !(c->op == MODEL_OP_INIT && (c->inst == 0 || c->inst == JET_instanceNil));
}

static bool bf_gated(enum model_op op)
{
    return op == MODEL_OP_BEGIN || op == MODEL_OP_GET_ATTACH_INFO || op == MODEL_OP_OPEN_FILE ||
           op == MODEL_OP_READ_FILE || op == MODEL_OP_CLOSE_FILE || op == MODEL_OP_GET_LOG_INFO ||
           op == MODEL_OP_GET_LOG_INFO2 || op == MODEL_OP_GET_TRUNCATE_LOG_INFO ||
           op == MODEL_OP_TRUNCATE_LOG || op == MODEL_OP_END || op == MODEL_OP_END2;
}

static bool bf_match(const struct hist_event *e, const struct model_result *r)
{
    if (e->ret == HIST_PENDING)
        return true;
    uint32_t both = e->outs & r->outs;
    return e->err == r->err && (!(both & MODEL_OUT_HF) || (e->hf == r->hf && e->size == r->size)) &&
           (!(both & MODEL_OUT_CB) || e->cb_actual == r->cb_actual) &&
           (!(both & MODEL_OUT_GENS) || (e->gen_low == r->gen_low && e->gen_high == r->gen_high));
}

static bool bf_claims(const struct hist_event *e)
{
    return (e->call.op == MODEL_OP_BEGIN || e->call.op == MODEL_OP_BEGIN_LEGACY) &&
           e->ret != HIST_PENDING && e->err == JET_errMissingFullBackup;
}

/* done[i]: 0 not started, 1 locked (Term) or claimed (a Begin that fails after
 * its claim), 2 done. claim: the event whose claim stands, or -1. */
static bool bf_search(const struct bf *b, const struct model_world *w, bool locked, int claim,
                      uint8_t *done)
{
    bool all = true;
    uint64_t minret = HIST_PENDING;
    for (size_t i = 0; i < b->n; i++) {
        if (done[i] != 2 && b->ev[i].ret != HIST_PENDING) {
            all = false;
            if (b->ev[i].ret < minret)
                minret = b->ev[i].ret;
        }
    }
    if (all)
        return true;
    struct model_world *w2 = malloc(b->wsize);
    cr_assert_not_null(w2);
    bool found = false;
    for (size_t i = 0; i < b->n && !found; i++) {
        const struct hist_event *e = &b->ev[i];
        if (done[i] == 2 || e->inv >= minret)
            continue;
        struct model_call c = e->call;
        c.fault = e->fault;
        if (bf_takes_handle(&c))
            c.inst = b->h;
        bool term = c.op == MODEL_OP_TERM || c.op == MODEL_OP_TERM2;
        bool begin = c.op == MODEL_OP_BEGIN || c.op == MODEL_OP_BEGIN_LEGACY;
        model_world_copy(w2, w);
        if (bf_claims(e) && done[i] == 0) {
            if (claim >= 0)
                continue; /* it would have seen the other claim */
            done[i] = 1;
            found = bf_search(b, w2, locked, (int)i, done);
            done[i] = 0;
            continue;
        }
        if (claim >= 0 && begin && done[i] == 0 && !bf_claims(e)) {
            /* Inside the claim window: answered as with a backup in progress
             * (the claimer's claim made by a full Begin), nothing changes. */
            struct model_call cc = b->ev[claim].call;
            struct model_result r;
            cc.inst = b->h;
            cc.grbit &= ~(JET_GRBIT)JET_bitBackupIncremental;
            model_step(w2, &cc, &r);
            if (r.err == JET_errSuccess) {
                model_step(w2, &c, &r);
                model_world_copy(w2, w);
                if (!bf_match(e, &r))
                    continue;
                done[i] = 2;
                found = bf_search(b, w2, locked, claim, done);
                done[i] = 0;
                continue;
            }
            model_world_copy(w2, w);
        }
        if (term && done[i] == 0) {
            struct model_view v;
            model_view(w, b->h, &v);
            bool lk = locked || (v.found && v.life == MODEL_LIFE_RUNNING &&
                                 v.forced_state != BACKSTOP_STATE_TERMINATING &&
                                 v.forced_state != BACKSTOP_STATE_RESTORING &&
                                 v.forced_state != BACKSTOP_STATE_INITIALISING);
            done[i] = 1;
            found = bf_search(b, w2, lk, claim, done);
            done[i] = 0;
            continue;
        }
        struct model_result r;
        bool lk = locked;
        int claim2 = bf_claims(e) ? -1 : claim; /* a claimer's effect undoes its claim */
        if (term) {
            lk = false;
            model_step(w2, &c, &r);
        } else if (locked && bf_gated(c.op)) {
            struct model_call fc = {.op = MODEL_OP_FX_FORCE_STATE, .inst = b->h,
                                    .arg = BACKSTOP_STATE_TERMINATING};
            model_step(w2, &fc, &r);
            model_step(w2, &c, &r);
            model_world_copy(w2, w);
        } else {
            model_step(w2, &c, &r);
        }
        if (!bf_match(e, &r))
            continue;
        uint8_t was = done[i];
        done[i] = 2;
        found = bf_search(b, w2, lk, claim2, done);
        done[i] = was;
    }
    free(w2);
    return found;
}

Test(lincheck, agrees_with_brute_force_on_small_perturbed_histories)
{
    struct rng rng;
    rng_seed(&rng, 42);
    int n_lin = 0, n_viol = 0;
    static const JET_ERR errs[] = {0, -801, -505, -1003, -1000, -520, -521, -560};
    for (int iter = 0; iter < 600; iter++) {
        struct lincheck__gen_config gc = {.seed = 1000 + (uint64_t)iter,
                                          .n_threads = 2 + (uint32_t)iter % 3, .n_instances = 1,
                                          .n_events = 5 + (size_t)iter % 6,
                                          .terms = iter % 3 == 0, .faults = iter % 5 == 0,
                                          .pending = true};
        struct lincheck__gen g;
        cr_assert_eq(lincheck__generate(&gc, &g), 0);
        /* Keep the lifetime's events (the generator may add no-lifetime ones). */
        size_t m = 0;
        for (size_t i = 0; i < g.n; i++) {
            if (g.ev[i].lifetime == 0)
                g.ev[m++] = g.ev[i];
        }
        g.n = m;
        for (size_t i = 0; i < g.n; i++) {
            if (rng_below(&rng, 100) < 15 && g.ev[i].ret != HIST_PENDING) {
                g.ev[i].err = errs[rng_below(&rng, 8)];
                if (rng_below(&rng, 2))
                    g.ev[i].cb_actual += PAGE;
            }
        }
        struct lincheck_config cfg = {.setups = g.setups, .n_setups = 1, .no_shrink = iter % 2};
        struct lincheck_result res;
        int rc = lincheck_check(g.ev, g.n, &cfg, &res);
        if (rc == LINCHECK_EOVERLAP) { /* perturbation cannot cause this */
            cr_assert_fail("iter %d: %s", iter, res.message);
        }
        cr_assert_eq(rc, LINCHECK_OK, "%s", res.message);
        /* The brute force, from the same start. */
        struct bf b = {.ev = g.ev, .n = g.n, .wsize = model_world_size()};
        struct model_world *w = malloc(b.wsize);
        model_world_init(w, NULL);
        for (size_t k = 0; k < g.setups[0].n_calls; k++) {
            struct model_call c = g.setups[0].calls[k];
            struct model_result r;
            if (k > 0)
                c.inst = b.h;
            model_step(w, &c, &r);
            if (k == 0)
                b.h = r.inst;
        }
        uint8_t done[64] = {0};
        bool lin = bf_search(&b, w, false, -1, done);
        free(w);
        cr_expect_eq(res.verdict, lin ? LINCHECK_LINEARIZABLE : LINCHECK_VIOLATION,
                     "iter %d: lincheck %s, brute force %s", iter,
                     lincheck_verdict_name(res.verdict), lin ? "linearizable" : "violation");
        if (res.verdict == LINCHECK_VIOLATION) {
            n_viol++;
            /* Every counterexample is itself a violation the writers can show. */
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            lincheck_cex_print_timeline(res.cex, f);
            cr_expect_eq(lincheck_cex_write_html(res.cex, f), LINCHECK_OK);
            int src = lincheck_cex_write_scn(res.cex, NULL, f);
            cr_expect_eq(src, LINCHECK_OK, "iter %d: the .scn does not parse", iter);
            fclose(f);
            free(text);
        } else {
            n_lin++;
        }
        lincheck_result_free(&res);
        lincheck__generate_free(&g);
    }
    cr_expect_gt(n_lin, 120, "%d linearizable", n_lin);
    cr_expect_gt(n_viol, 120, "%d violations", n_viol);
}

/* The quiet-point driver (lincheck_fast.c) against the plain whole-lifetime
 * search, lifetime by lifetime, on generated histories with perturbed results
 * and stamps: both must give the same verdict. The histories are counted for
 * groups of overlapping calls that are not the lifetime's last (the part of
 * the driver that carries several worlds), so the test shows it ran there. */
static size_t inner_groups(const struct hist_event *const *evs, size_t n)
{
    size_t k = 0;
    for (size_t a = 0; a < n;) {
        uint64_t maxret = evs[a]->ret;
        size_t b = a + 1;
        while (b < n && evs[b]->inv < maxret) {
            if (evs[b]->ret > maxret)
                maxret = evs[b]->ret;
            b++;
        }
        k += b > a + 1 && b < n;
        a = b;
    }
    return k;
}

Test(lincheck, quiet_point_driver_agrees_with_the_plain_search)
{
    struct rng rng;
    rng_seed(&rng, 4242);
    static const JET_ERR errs[] = {0, -801, -505, -1003, -1000, -520, -521, -560};
    struct lincheck__search *s;
    cr_assert_eq(lincheck__search_new(&s), 0);
    size_t n_checked = 0, n_viol = 0, n_inner = 0;
    for (int iter = 0; iter < 300; iter++) {
        struct lincheck__gen_config gc = {.seed = 5000 + (uint64_t)iter,
                                          .n_threads = 2 + (uint32_t)iter % 4,
                                          .n_instances = 1 + (uint32_t)iter % 2,
                                          .n_events = 30 + (size_t)iter % 200,
                                          .terms = iter % 3 == 0, .faults = iter % 4 == 0,
                                          .pending = iter % 2 == 0};
        gc.model.profile = (enum model_profile)(iter % MODEL_PROFILE__COUNT);
        struct lincheck__gen g;
        cr_assert_eq(lincheck__generate(&gc, &g), 0);
        /* Perturb: results (a few), and sometimes a response moved later, which
         * makes a call overlap more of its successors. */
        int mode = iter % 3;
        for (size_t i = 0; i < g.n; i++) {
            if (g.ev[i].ret == HIST_PENDING)
                continue;
            if (mode == 1 && rng_below(&rng, 1000) < 8) {
                g.ev[i].err = errs[rng_below(&rng, 8)];
                if (rng_below(&rng, 2))
                    g.ev[i].cb_actual += PAGE;
            }
        }
        for (uint32_t lt = 0; lt < g.n_lifetimes; lt++) {
            const struct hist_event **evs = malloc(sizeof *evs * (g.n ? g.n : 1));
            cr_assert_not_null(evs);
            size_t m = 0;
            for (size_t i = 0; i < g.n; i++) {
                if (g.ev[i].lifetime == lt)
                    evs[m++] = &g.ev[i];
            }
            if (mode == 2 && m > 2) {
                /* Widen one call's interval up to a later call's response
                 * (still before any later call of its own thread). */
                size_t i = rng_below(&rng, (uint32_t)m - 1);
                struct hist_event *e = (struct hist_event *)evs[i];
                for (size_t j = i + 1; j < m; j++) {
                    if (evs[j]->thread == e->thread)
                        break;
                    if (evs[j]->ret != HIST_PENDING && evs[j]->ret > e->ret &&
                        model_overlap_defined(e->call.op, evs[j]->call.op) &&
                        model_overlap_defined(evs[j]->call.op, e->call.op))
                        e->ret = evs[j]->ret + 1; /* past its response */
                    else
                        break;
                }
            }
            const struct model_call *setup = NULL;
            size_t n_setup = 0;
            for (size_t k = 0; k < g.n_setups; k++) {
                if (g.setups[k].lifetime == lt) {
                    setup = g.setups[k].calls;
                    n_setup = g.setups[k].n_calls;
                }
            }
            if (m == 0) {
                free(evs);
                continue;
            }
            struct lincheck__outcome fast, eager, plain;
            cr_assert_eq(lincheck__check_lifetime(s, evs, m, &gc.model, setup, n_setup, 5000000, 0,
                                                  &fast), 0);
            /* Groups allowed one step of enumeration: every group of
             * overlapping calls is searched optimistically. */
            cr_assert_eq(lincheck__check_lifetime(s, evs, m, &gc.model, setup, n_setup, 5000000, 1,
                                                  &eager), 0);
            cr_assert_eq(lincheck__search_run(s, evs, m, &gc.model, setup, n_setup, 5000000, false,
                                              LINCHECK__NONE, &plain), 0);
            cr_expect_eq(fast.verdict, plain.verdict, "iter %d lifetime %u (%zu events): fast %s, plain %s",
                         iter, lt, m, lincheck_verdict_name(fast.verdict),
                         lincheck_verdict_name(plain.verdict));
            cr_expect_eq(eager.verdict, plain.verdict,
                         "iter %d lifetime %u (%zu events): optimistic %s, plain %s", iter, lt, m,
                         lincheck_verdict_name(eager.verdict), lincheck_verdict_name(plain.verdict));
            n_checked++;
            n_viol += plain.verdict == LINCHECK_VIOLATION;
            n_inner += inner_groups(evs, m) > 0;
            free(evs);
        }
        lincheck__generate_free(&g);
    }
    lincheck__search_delete(s);
    cr_expect_gt(n_viol, 20, "%zu violations of %zu", n_viol, n_checked);
    cr_expect_gt(n_inner, 100, "%zu lifetimes with inner overlap groups of %zu", n_inner, n_checked);
}

/* Lifetimes checked on several threads give the very result of one thread:
 * verdict, first violating lifetime, counts, steps and message. */
Test(lincheck, threads_do_not_change_the_result)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct lincheck__gen_config gc = {.seed = 700 + seed, .n_threads = 6, .n_instances = 4,
                                          .n_events = 6000, .terms = true, .faults = true,
                                          .pending = true};
        struct lincheck__gen g;
        cr_assert_eq(lincheck__generate(&gc, &g), 0);
        if (seed % 2 == 0) { /* a few wrong results: violations in some lifetimes */
            for (size_t i = 100; i < g.n; i += 997) {
                if (g.ev[i].ret != HIST_PENDING)
                    g.ev[i].err = g.ev[i].err == 0 ? JET_errBackupAbortByServer : 0;
            }
        }
        struct lincheck_config one = {.setups = g.setups, .n_setups = g.n_setups, .no_shrink = true};
        struct lincheck_config many = one;
        many.threads = 3;
        struct lincheck_result r1, r3;
        cr_assert_eq(lincheck_check(g.ev, g.n, &one, &r1), LINCHECK_OK, "%s", r1.message);
        cr_assert_eq(lincheck_check(g.ev, g.n, &many, &r3), LINCHECK_OK, "%s", r3.message);
        cr_expect_gt(r1.n_lifetimes, 4, "seed %llu: %zu lifetimes", (unsigned long long)seed,
                     r1.n_lifetimes);
        if (seed % 2 == 0)
            cr_expect_eq(r1.verdict, LINCHECK_VIOLATION, "seed %llu: %s", (unsigned long long)seed,
                         r1.message);
        cr_expect_eq(r1.verdict, r3.verdict);
        cr_expect_eq(r1.lifetime, r3.lifetime);
        cr_expect_eq(r1.n_violations, r3.n_violations);
        cr_expect_eq(r1.n_unknown, r3.n_unknown);
        cr_expect_eq(r1.steps, r3.steps);
        cr_expect_str_eq(r1.message, r3.message);
        lincheck_result_free(&r1);
        lincheck_result_free(&r3);
        lincheck__generate_free(&g);
    }
}
