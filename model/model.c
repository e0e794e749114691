/*
 * model.c: the pure sequential reference model of ESE's streaming-backup state
 * machine (spec ../shared/spec/ese-backup-spec.md, cited below as §n and Rn).
 * It is the oracle the harness compares every target against: model_step()
 * applies one call to a world and says what the call returned, which
 * out-parameters it defined, and which spec rules decided that.
 *
 * It is not an engine: files are abstract (a database is a name and a page
 * count, a log is a generation number), nothing is read or written, and the
 * model never allocates, sleeps or keeps globals. A world is one flat,
 * pointer-free block whose padding is zeroed once by model_world_init() and never
 * touched again (no struct assignment anywhere), so world equality is memcmp().
 *
 * Not for concurrency: the harness linearises calls (§6.3) and asks
 * model_overlap_defined() which overlaps it may generate (R50-R55).
 *
 * Choices the spec leaves open are marked "Model choice" where they are made;
 * the profile "documented" (§7) is described in the block before
 * model__doc_cancels().
 *
 * This file holds the world's lifecycle and model_step(); OpenFile's file
 * names, the names and the read-only queries are in the files model_int.h lists.
 */
#include <assert.h>
#include <string.h>

#include "model_int.h"

/* ---------------------------------------------------------------------------
 * World management.
 * ------------------------------------------------------------------------- */

size_t model_world_size(void)
{
    return sizeof(struct model_world);
}

void model_world_init(struct model_world *w, const struct model_config *cfg)
{
    memset(w, 0, sizeof *w);
    w->next_serial = 1;
    w->mode = MODEL_MODE_NOSET;
    w->profile = MODEL_PROFILE_ESE;
    w->page_size = 4096;
    w->os_page = 4096;
    w->log_size = 65536;
    if (cfg != NULL) {
        if ((unsigned)cfg->profile < MODEL_PROFILE__COUNT)
            w->profile = (uint32_t)cfg->profile;
        if (cfg->page_size != 0)
            w->page_size = cfg->page_size;
        if (cfg->os_page != 0)
            w->os_page = cfg->os_page;
        if (cfg->log_size != 0)
            w->log_size = cfg->log_size;
    }
    w->page_mask = (w->page_size & (w->page_size - 1u)) == 0 ? w->page_size - 1u : UINT32_MAX;
}

void model_world_copy(struct model_world *dst, const struct model_world *src)
{
    memcpy(dst, src, sizeof *dst);
}

bool model_world_equal(const struct model_world *a, const struct model_world *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* ---------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------- */

/* Stages V and L (§2.3) when the handle is not a live one: the OneInst
 * fallback, or the failure with its rule. Returns the slot, or -1 with r->err
 * and rules set. */
static int model__resolve_slow(const struct model_world *w, JET_INSTANCE h,
                               struct model_result *r)
{
    /* Stage V (ESENT profile only, §0.3): 0 and nil are not checked here. */
    if (w->profile == MODEL_PROFILE_ESENT && h != 0 && h != JET_instanceNil) {
        r->err = JET_errInvalidInstance;
        model__rule(r, w->mode == MODEL_MODE_ONE ? 4 : 3); /* R3, R4 */
        return -1;
    }
    unsigned rule = 0;
    int i = model__lookup(w, h, &r->err, &rule);
    if (i < 0)
        model__rule(r, rule);
    return i;
}

/* Stages V and L (§2.3). A live handle passes V and, in either mode, resolves
 * to its own slot (in OneInst mode the only live slot is 0), so the common case
 * is a single test. */
static inline int model__resolve(const struct model_world *w, JET_INSTANCE h,
                                 struct model_result *r)
{
    int i = model__live_index(w, h);
    return i >= 0 ? i : model__resolve_slow(w, h, r);
}

/* Keep gate_shut equal to "stage G fails": call after every change of
 * service_stopped, forced or life. */
static inline void model__gate_update(struct model__inst *in)
{
    in->gate_shut = in->service_stopped || (in->forced & MODEL__FORCED_GATE) ||
                    in->life != MODEL_LIFE_RUNNING;
}

/* Stage G (§2.3, R6-R8), after the precomputed test. */
static JET_ERR model__gate_fail(const struct model__inst *in, struct model_result *r)
{
    model__rule(r, 6);
    if (in->service_stopped) {
        model__rule(r, 8);
        return JET_errClientRequestToStopJetService;
    }
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE_LOG_FULL))
        return JET_errInstanceUnavailableDueToFatalLogDiskFull;
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE))
        return JET_errInstanceUnavailable;
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_TERMINATING))
        return JET_errTermInProgress;
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_RESTORING))
        return JET_errRestoreInProgress;
    if (!(in->forced & MODEL__FORCED(BACKSTOP_STATE_INITIALISING)))
        model__rule(r, 7); /* R7: created, not initialised */
    return JET_errNotInitialized;
}

/* Keep log_low on the lowest generation on disk and the deleted set inside
 * (log_low, log_current]. */
static void model__normalise_logs(struct model__inst *in)
{
    for (;;) {
        unsigned keep = 0;
        bool low_deleted = false;
        for (unsigned i = 0; i < in->n_deleted; i++) {
            uint32_t g = in->deleted[i];
            if (g == in->log_low)
                low_deleted = true;
            else if (g > in->log_low)
                in->deleted[keep++] = g;
        }
        for (unsigned i = keep; i < in->n_deleted; i++)
            in->deleted[i] = 0;
        in->n_deleted = (uint8_t)keep;
        if (!low_deleted)
            return;
        in->log_low++;
    }
}

static void model__free_instance(struct model_world *w, int idx)
{
    memset(&w->inst[idx], 0, sizeof w->inst[idx]);
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++) {
        if (w->inst[i].handle != 0)
            return;
    }
    w->mode = MODEL_MODE_NOSET; /* §2.1: the last instance is gone */
}

static void model__new_instance(struct model_world *w, int idx, uint8_t life, uint64_t name_hash)
{
    struct model__inst *in = &w->inst[idx];
    memset(in, 0, sizeof *in);
    in->handle = MODEL__HANDLE_BASE + (w->next_serial << 8) + (uint64_t)idx;
    in->name_hash = name_hash;
    w->next_serial++;
    in->life = life;
    model__gate_update(in);
    in->backup_allowed = life == MODEL_LIFE_RUNNING;
    /* Defaults (brief, scenarios/README.md): generation 1 is current, checkpoint 1. */
    in->log_low = 1;
    in->log_current = 1;
    in->checkpoint = 1;
}

/* FNV-1a of an instance name's bytes. Model choice: instance names are kept as
 * this 64-bit hash (the world stays fixed-size whatever the name's length), so
 * two different names are taken for equal with probability 2^-64. 0 is
 * reserved for "unnamed". */
static uint64_t model__name_hash(const char *s)
{
    uint64_t h = 0xCBF29CE484222325u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001B3u;
    }
    return h != 0 ? h : 1;
}

/*
 * ErrNewInst (jetapi.cxx:3518-3543): a free table slot, else -1214; then a
 * unique name, else -1086 (JET_errInstanceNameInUse). Names compare
 * ordinally, with case (LOSStrCompareW). The stored name of an instance is
 * NULL when it was given NULL or "" (INST::FSetInstanceName keeps no empty
 * name, jetapi.cxx:2432-2445), so a NULL name clashes with every unnamed
 * instance (the OneInst one and JetInit's allocations included) and "" with
 * none. Inserts the instance and returns its slot, or -1 with r->err set.
 */
static int model__insert_instance(struct model_world *w, const char *name, uint8_t life,
                                  struct model_result *r)
{
    int idx = -1;
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++) {
        if (w->inst[i].handle == 0) {
            idx = i;
            break;
        }
    }
    if (idx < 0 || w->next_serial > MODEL__MAX_SERIAL) {
        r->err = JET_errTooManyInstances;
        return -1;
    }
    uint64_t hash = (name != NULL && name[0] != '\0') ? model__name_hash(name) : 0;
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++) {
        const struct model__inst *o = &w->inst[i];
        if (o->handle != 0 && o->name_hash == hash && (hash != 0 || name == NULL)) {
            r->err = JET_errInstanceNameInUse;
            return -1;
        }
    }
    model__new_instance(w, idx, life, hash);
    return idx;
}

/* ---------------------------------------------------------------------------
 * Cleanup (§4.9.2) and the slot.
 * ------------------------------------------------------------------------- */

/* CloseFile's effects on an open slot (§4.5): credit a fully read log in the
 * copy range (R47) or a fully read database (edb_done, backup.cxx:3058-3067),
 * then reset the slot. lgen is left as it was. */
MODEL__ALWAYS_INLINE
static inline void model__close_slot(struct model__inst *in)
{
    /* Without a branch: whether a log or a database closes is the caller's. */
    uint64_t credit = (uint64_t)((in->slot_ib == in->slot_cb) & (in->slot_is_log != 0) &
                                 (in->slot_lgen >= in->copy_mic) & (in->slot_lgen < in->copy_mac));
    in->gen_copy_done += in->slot_lgen & -credit;
    in->db[in->slot_db].edb_done |= (uint8_t)((in->slot_ib == in->slot_cb) & (in->slot_is_db != 0));
    in->slot_in_use = 0;
    in->slot_is_db = 0;
    in->slot_is_log = 0;
    in->slot_ib = 0;
    in->slot_cb = 0;
    in->slot_db = 0;
}

/*
 * §4.9.2: ends the backup. `reason` is 0 for a normal End, -800 for EndAbort,
 * or the error of a [cancels] path or of JetTerm (-801); `grbit` is End2's.
 * Returns -520 with no backup (a); otherwise 0, with *why set to the internal
 * reason (0 only for a "normal" outcome, b).
 */
static JET_ERR model__cleanup(struct model__inst *in, JET_ERR reason, JET_GRBIT grbit,
                              JET_ERR *why)
{
    if (!in->in_progress_any) {
        /* (a) R25: no backup; stop is cleared all the same. */
        in->stop = 0;
        in->phase = MODEL_PHASE_NOT_STARTED;
        *why = JET_errNoBackup;
        return JET_errNoBackup;
    }
    JET_ERR r = reason;
    if (r == 0 && ((grbit & MODEL__BK_SURROGATE) != 0) != !in->in_progress_local)
        r = in->in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
    if (r == 0 && in->stop)
        r = JET_errBackupAbortByServer; /* the one read of stop, backup.cxx:4165 */
    if (r == 0 && in->phase == MODEL_PHASE_DATABASES)
        r = errBackupAbortByCaller;
    /* (d) A normal end of a full backup updates the headers of the databases
     * in the session (§4.9.2 d-e), for R27's -560 test. A full local backup
     * credits only a database CloseFile saw read to its end (edb_done;
     * backup.cxx:4264, "the copy wasn't done" at 4292); a surrogate one every
     * database in the session (4252). A database that left the session after
     * a read or open error in phase Databases (§4.4) gets nothing. */
    if (r == 0 && in->full && !(grbit & MODEL__END_NO_DB_HEADER_UPDATE)) {
        uint8_t bit = in->in_progress_local ? MODEL__FULL_LOCAL : MODEL__FULL_SURROGATE;
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            if (in->db[i].pages != 0 && in->db[i].in_session &&
                (in->db[i].edb_done || !in->in_progress_local))
                in->db[i].full_done |= bit;
        }
    }
    /* (e) Every database leaves the session (ResetInBackupSession also clears
     * edb_done, fmp.hxx:2069). */
    for (int i = 0; i < MODEL_MAX_DATABASES; i++)
        in->db[i].in_session = in->db[i].edb_done = 0;
    /* (e) The slot is released; is_db, is_log, ib and cb stay stale (§3.2). */
    in->slot_in_use = 0;
    /* (g) R49 reset. full, the ranges and gen_copy_done are kept. */
    in->logs_truncated = 0;
    in->in_progress_any = 0;
    in->in_progress_local = 0;
    in->internal_copy = 0;
    in->stop = 0;
    in->phase = MODEL_PHASE_NOT_STARTED;
    *why = r;
    return JET_errSuccess; /* (h) */
}

/* A [cancels] error (§4.9.3): cleanup with that error as the reason. */
void model__cancel(struct model__inst *in, JET_ERR err, struct model_result *r)
{
    JET_ERR why;
    if (model__cleanup(in, err, 0, &why) == JET_errSuccess) {
        r->cancelled = true;
        model__rule(r, 49);
    }
}

/*
 * Profile "documented" (§7): where the Microsoft Learn pages give a concrete
 * answer that differs from the source, that profile follows the pages. The
 * decisions, by row:
 *
 *   D1  End / End2(EndNormal) with a stopped backup in progress returns -801.
 *       Cleanup still runs in full (the backup ends).
 *   D2  End2(EndAbort), or an End in phase Databases (the sequence was cut
 *       short), returns -800 (JET_errBackupAbortByCaller). The page defines
 *       that code as an end "without signaling the intention with JetStopBackup",
 *       so a stopped backup gives -801 (D1) even with EndAbort. A surrogate
 *       mismatch has no documented code: 0, as the source.
 *   D3  Stop on an instance that is "not currently running" returns -1003 with
 *       no change: the states D3 itself lists as returning 0 in the source,
 *       i.e. created-but-not-initialised, initialising, service-stopped,
 *       unavailable (either kind) and terminating. Restoring and term-failed
 *       instances are not in that list and keep the source's 0.
 *   D4  -1003 for an invalid handle (no stage V, as the profile ese).
 *   D5  "On failure ... the entire backup is cancelled" for GetAttachInfo,
 *       OpenFile, ReadFile, GetLogInfo and GetTruncateLogInfo: every failure
 *       after the stop test cancels, including -521 from GetAttachInfo and
 *       GetLogInfo's preparation errors. Not cancelled: instance-level errors
 *       (the call never reached the backup), -520 (nothing to cancel) and -801
 *       (the Stop page says the backup may still be ended, D11).
 *   D6  OpenFile in phase Databases keeps the backup only for -1203.
 *       ReadFile: any failure on an open database handle closes that handle and
 *       keeps the backup ("an error occurred while reading a database file");
 *       other ReadFile failures cancel (D5).
 *   D7  No documented answer: -1003 with no change, as for the other profiles.
 *   D8  ReadFile's first call (read position 0) needs at least three pages, for
 *       logs too; the page-multiple rule is kept; alignment is not documented,
 *       so the source's check stays.
 *   D9-D12, D14, D15, D17: the pages omit a case or are silent; source kept.
 *   D13 JetTerm2 with grbit 0 is "presumed to be JET_bitTermAbrupt": it acts as
 *       JetTerm (stops the backup). 0x1 keeps the source's -505.
 *   D16 A failed JetTerm changes nothing: backup_allowed is restored, so a
 *       later Begin does not return -523.
 * (model__documented() is in model_int.h.)
 */
/* D5/D6: in the documented profile, a failure of a streaming call cancels. */
void model__doc_cancels(const struct model_world *w, struct model__inst *in, JET_ERR err,
                        struct model_result *r)
{
    if (model__documented(w) && in->in_progress_any && !r->cancelled)
        model__cancel(in, err, r);
}

/* ---------------------------------------------------------------------------
 * Lookup-only calls and lifecycle.
 * ------------------------------------------------------------------------- */

/* §4.10, R10-R14; D3 for the documented profile. */
MODEL__NOINLINE
static void model__stop_backup(struct model_world *w, struct model__inst *in,
                               struct model_result *r)
{
    if (model__documented(w) &&
        (in->life != MODEL_LIFE_RUNNING || in->service_stopped ||
         (in->forced & (MODEL__FORCED_UNAVAILABLE | MODEL__FORCED(BACKSTOP_STATE_INITIALISING) |
                        MODEL__FORCED(BACKSTOP_STATE_TERMINATING))))) {
        r->err = JET_errInvalidParameter; /* D3 */
        model__rule_first(r, 11);
        return;
    }
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_NO_LOG)) {
        model__rule_first(r, 14); /* §2.6: no log object, nothing changes */
        return;
    }
    model__rule_first(r, 10);
    if (in->stop)
        model__rule(r, 12);
    in->stop = 1;
}

/* §4.13. JetTerm is JetTerm2(Abrupt). */
MODEL__NOINLINE
static void model__term(struct model_world *w, int idx, JET_GRBIT grbit, struct model_result *r)
{
    struct model__inst *in = &w->inst[idx];
    if (in->life == MODEL_LIFE_CREATED) {
        model__free_instance(w, idx); /* step 2 */
        return;
    }
    /* Step 3: no stop-service or unavailable check; the lock bits only. */
    if (in->forced & MODEL__FORCED_LOCKED) {
        model__rule(r, 6);
        r->err = (in->forced & MODEL__FORCED(BACKSTOP_STATE_TERMINATING)) ? JET_errTermInProgress
                 : (in->forced & MODEL__FORCED(BACKSTOP_STATE_RESTORING)) ? JET_errRestoreInProgress
                                                                          : JET_errNotInitialized;
        return;
    }
    uint8_t was_allowed = in->backup_allowed;
    in->backup_allowed = 0; /* step 5 */
    if (grbit & (MODEL__TERM_ABRUPT | MODEL__TERM_STOP_BACKUP)) {
        /* Step 6, R26: the backup ends as aborted by server; stop is cleared. */
        JET_ERR why;
        if (model__cleanup(in, JET_errBackupAbortByServer, 0, &why) == JET_errSuccess)
            r->cancelled = true;
        model__rule(r, 26);
    }
    bool error_type = (in->forced & MODEL__FORCED_UNAVAILABLE) || (grbit & MODEL__TERM_DIRTY);
    if (!error_type && in->in_progress_any) {
        /* Steps 7-8, R20, R31: fails before the point of no return. */
        r->err = in->in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
        model__rule(r, 20);
        model__rule(r, 31);
        if (model__documented(w))
            in->backup_allowed = was_allowed; /* D16 */
        return;
    }
    model__free_instance(w, idx);
    /* Steps 7 and 9: the error termination type (an unavailable instance, or the
     * Dirty bit) ends as a dirty shutdown, -1116 (tm.cxx:1164-1196). */
    if (error_type)
        r->err = JET_errDirtyShutdown;
}

MODEL__NOINLINE
static void model__create_instance(struct model_world *w, const struct model_call *c,
                                   struct model_result *r)
{
    if (c->flags & MODEL_CALL_PINST_NULL) {
        r->err = JET_errInvalidParameter;
        return;
    }
    if (w->mode == MODEL_MODE_ONE) {
        r->err = JET_errRunningInOneInstanceMode; /* §2.1 */
        return;
    }
    /* JetCreateInstanceEx sets MultiInst before ErrNewInst (jetapi.cxx:21926-21938);
     * in NoSet the table is empty, so ErrNewInst cannot fail there. */
    int idx = model__insert_instance(w, c->name, MODEL_LIFE_CREATED, r);
    if (idx < 0)
        return;
    w->mode = MODEL_MODE_MULTI;
    r->inst = (JET_INSTANCE)w->inst[idx].handle;
    r->outs |= MODEL_OUT_INST;
}

/*
 * JetInit(*pinstance), after JetInitEx (jetapi.cxx:21354-21434). A NULL
 * pointer, 0 and nil ask JetInit to allocate the instance (FINSTInvalid,
 * jetapi.cxx:2996-2999, 21360), in that order of checks:
 *   MultiInst, NULL pointer: -1081 (21388-21392);
 *   OneInst: -1005, one instance already started (21394-21398);
 *   NoSet: OneInst mode, a new unnamed instance in slot 0 (21409-21423);
 *   MultiInst, *pinstance 0 or nil: ErrNewInst with no name (21417-21422), so a
 *   new unnamed, initialised instance: -1214 with a full table, -1086 while
 *   another unnamed instance lives (model__insert_instance).
 * The new handle is returned in r->inst even when the pointer is NULL (nothing
 * is written then; OneInst calls ignore the handle). Nothing resets the backup
 * context (§3). Forced states do not affect JetInit.
 */
MODEL__NOINLINE
static void model__init(struct model_world *w, const struct model_call *c, struct model_result *r)
{
    JET_INSTANCE h = c->inst;
    bool pinst_null = (c->flags & MODEL_CALL_PINST_NULL) != 0;
    if (pinst_null || h == 0 || h == JET_instanceNil) {
        if (w->mode == MODEL_MODE_MULTI) {
            if (pinst_null) {
                r->err = JET_errRunningInMultiInstanceMode;
                return;
            }
            int idx = model__insert_instance(w, NULL, MODEL_LIFE_RUNNING, r);
            if (idx < 0)
                return;
            r->inst = (JET_INSTANCE)w->inst[idx].handle;
            r->outs |= MODEL_OUT_INST;
            return;
        }
        if (w->mode == MODEL_MODE_ONE) {
            r->err = JET_errAlreadyInitialized;
            return;
        }
        if (w->next_serial > MODEL__MAX_SERIAL) {
            r->err = JET_errTooManyInstances;
            return;
        }
        model__new_instance(w, 0, MODEL_LIFE_RUNNING, 0); /* §2.1: OneInst uses slot 0 */
        w->mode = MODEL_MODE_ONE;
        r->inst = (JET_INSTANCE)w->inst[0].handle;
        r->outs |= MODEL_OUT_INST;
        return;
    }
    int idx = model__resolve(w, h, r);
    if (idx < 0)
        return;
    struct model__inst *in = &w->inst[idx];
    if (in->life != MODEL_LIFE_CREATED) {
        r->err = JET_errAlreadyInitialized;
        return;
    }
    in->life = MODEL_LIFE_RUNNING;
    model__gate_update(in);
    in->backup_allowed = 1; /* §2.2 */
    r->inst = (JET_INSTANCE)in->handle;
    r->outs |= MODEL_OUT_INST;
}

/* ---------------------------------------------------------------------------
 * Begin (§4.1, R27-R31).
 * ------------------------------------------------------------------------- */

/* The checks of §4.1 steps 2-12 (R28), in order. Returns the first failure, or 0. */
static JET_ERR model__begin_check(const struct model__inst *in, JET_GRBIT g)
{
    if (!in->backup_allowed)
        return JET_errBackupNotAllowedYet; /* stage A, R31 */
    if (in->logging_disabled || (in->forced & MODEL__FORCED(BACKSTOP_STATE_NO_LOG)))
        return JET_errLoggingDisabled; /* step 3; §2.6 for no log object */
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_LOG_WRITE_FAIL))
        return JET_errLogWriteFail; /* step 4 */
    /* Step 5 (recovering) never applies: the model never recovers (§4.14). */
    if (g & ~(JET_GRBIT)(MODEL__BK_INCREMENTAL | MODEL__BK_SURROGATE | MODEL__BK_INTERNAL_COPY))
        return JET_errInvalidGrbit; /* step 6, D12 */
    if ((g & MODEL__BK_INCREMENTAL) && in->circular)
        return JET_errInvalidBackup; /* step 7 */
    if ((g & MODEL__BK_SURROGATE) && in->circular)
        return JET_errInvalidBackup; /* step 8 */
    if ((g & MODEL__BK_INTERNAL_COPY) && (g & (MODEL__BK_INCREMENTAL | MODEL__BK_SURROGATE)))
        return JET_errInvalidGrbit; /* step 9 */
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_LOG_DISK_FULL))
        return JET_errLogDiskFull; /* step 10 */
    if ((in->forced & MODEL__FORCED(BACKSTOP_STATE_LOG_SEQUENCE_END)) ||
        in->log_current >= MODEL__GEN_MAX)
        return JET_errLogSequenceEnd;
    if (in->in_progress_any) /* step 11: a stopped backup still blocks (R20) */
        return in->in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
    return JET_errSuccess; /* step 12 (suspended) never applies */
}

MODEL__NOINLINE
static void model__begin(struct model__inst *in, JET_GRBIT g, struct model_result *r)
{
    JET_ERR err = model__begin_check(in, g);
    if (err != JET_errSuccess) {
        /* R30: a failure before the claim changes nothing. */
        r->err = err;
        model__rule_first(r, 28);
        model__rule(r, 30);
        if (err == JET_errBackupNotAllowedYet)
            model__rule(r, 31);
        else if (err == JET_errLoggingDisabled)
            model__rule(r, 14);
        else if (err == JET_errBackupInProgress && in->stop)
            model__rule(r, 20);
        return;
    }
    /* Step 13: the claim. */
    uint8_t had_stop = in->stop;
    in->copy_mic = in->copy_mac = in->delete_mic = in->delete_mac = 0;
    in->logs_truncated = 0;
    in->stop = 0;
    in->in_progress_any = 1;
    in->in_progress_local = !(g & MODEL__BK_SURROGATE);
    in->internal_copy = (g & MODEL__BK_INTERNAL_COPY) != 0;
    /* Step 14. */
    bool incremental = (g & MODEL__BK_INCREMENTAL) != 0;
    in->phase = incremental ? MODEL_PHASE_LOGS : MODEL_PHASE_DATABASES;
    if (incremental) {
        /* Step 15: each attached database needs a full backup of this kind,
         * else -560 after the claim (R27: the claim and stop are undone; full,
         * began_new_log and internal_copy keep their values). */
        uint8_t need = in->in_progress_local ? MODEL__FULL_LOCAL : MODEL__FULL_SURROGATE;
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            if (in->db[i].pages != 0 && !(in->db[i].full_done & need)) {
                in->in_progress_any = 0;
                in->in_progress_local = 0;
                in->stop = 0;
                in->phase = MODEL_PHASE_NOT_STARTED;
                r->err = JET_errMissingFullBackup;
                model__rule(r, 27);
                return;
            }
        }
    }
    /* Step 14: an incremental or surrogate backup takes every attached
     * database into the session; a full local one none: OpenFile takes a
     * database in (backup.cxx:1776-1793, 2396). */
    for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
        in->db[i].in_session = in->db[i].pages != 0 && (incremental || !in->in_progress_local);
        in->db[i].edb_done = 0;
    }
    /* Step 16, R29. */
    in->began_new_log = 0;
    in->full = !incremental;
    if (!incremental)
        in->copy_mic = in->checkpoint;
    model__rule_first(r, 29);
    if (had_stop)
        model__rule(r, 13); /* a Stop before Begin is not sticky (S2) */
}

/* ---------------------------------------------------------------------------
 * Streaming calls (§4.2-§4.8). Each starts after V, L and G.
 * ------------------------------------------------------------------------- */

/* §4.2. */
MODEL__NOINLINE
static void model__get_attach_info(struct model_world *w, struct model__inst *in,
                                   const struct model_call *c, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup; /* R18 */
        model__rule_first(r, 18);
        return;
    }
    if (in->stop) {
        r->err = JET_errBackupAbortByServer; /* R16 */
        model__rule_first(r, 16);
        if (!in->full)
            model__rule(r, 17); /* R17: stop wins over -521 */
        return;
    }
    if (!in->full) {
        r->err = JET_errInvalidBackupSequence; /* R32: no cancel */
        model__rule(r, 32);
        model__doc_cancels(w, in, r->err, r);
        return;
    }
    if (c->fault == MODEL_FAULT_NOMEM) {
        r->fault_used = true; /* step 5 [cancels] */
        r->err = JET_errOutOfMemory;
        model__cancel(in, r->err, r);
        return;
    }
    /* R33: the full size; a short buffer is not an error; no state change. */
    uint32_t size = 1;
    for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
        if (in->db[i].pages != 0)
            size += (uint32_t)in->db[i].name_len + 1u;
    }
    if (!(c->flags & MODEL_CALL_PCB_NULL)) {
        r->cb_actual = size;
        r->outs |= MODEL_OUT_CB;
    }
    r->n_entries = in->n_databases;
    r->outs |= MODEL_OUT_LIST;
    model__rule(r, 33);
}

/* R39 / §4.4 step 7: is cb_max a bad read size for the slot as it stands? */
static inline bool model__read_size_bad(const struct model_world *w, const struct model__inst *in,
                                 uint32_t cb_max)
{
    if (cb_max % w->page_size != 0)
        return true;
    uint32_t pages = cb_max / w->page_size;
    if (model__documented(w))
        return in->slot_ib == 0 && pages < 3; /* D8 */
    if (in->slot_is_db)
        return pages == 0 || (in->slot_ib == 0 && pages <= 2);
    return in->slot_ib == 0 && pages < 2;
}

/* ReadFile's documented-profile failure handling (D5, D6). */
static void model__doc_read_failed(const struct model_world *w, struct model__inst *in,
                                   JET_ERR err, struct model_result *r)
{
    if (!model__documented(w))
        return;
    if (in->slot_in_use && in->slot_is_db)
        model__close_slot(in);
    else
        model__doc_cancels(w, in, err, r);
}

/* R40: a read of n bytes; the position advances by the bytes returned. */
static inline void model__read_advance(struct model__inst *in, uint32_t flags, uint32_t n,
                                       struct model_result *r)
{
    in->slot_ib += n;
    if (!(flags & MODEL_CALL_PCB_NULL)) {
        r->cb_actual = n;
        r->outs |= MODEL_OUT_CB;
    }
    model__rule_first(r, 40); /* every check before it returned */
}

/*
 * ReadFile's usual call, without the checks' branches one by one: the gate
 * open, a local backup in progress and not stopped, slot 0 open, no flag and no
 * fault, and a size of at least 3 pages that is a page multiple (so
 * model__read_size_bad holds in no profile). Then every check of model__read_file passes and the
 * read is R40's. Returns false, with nothing changed, for any other call.
 */
static inline bool model__read_fast(const struct model_world *w, struct model__inst *in,
                                    const struct model_call *c, struct model_result *r)
{
    uint32_t cb = c->cb_max, flags = c->flags;
    if (model__hot(in) != MODEL__HOT(0, 1, 0, 1) ||
        ((uint32_t)c->hf | flags | (uint32_t)c->fault | (cb & w->page_mask)) != 0 ||
        cb < 3ull * w->page_size)
        return false;
    uint64_t left = in->slot_cb - in->slot_ib;
    model__read_advance(in, flags, left < cb ? (uint32_t)left : cb, r);
    return true;
}

/* §4.4. */
MODEL__NOINLINE
static void model__read_file(struct model_world *w, struct model__inst *in,
                             const struct model_call *c, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    /* Step 6: the handle is truncated to an int. */
    int32_t idx = (int32_t)(uint32_t)c->hf;
    /* Model choice: a NULL buffer fails with the misaligned one (reading into it
     * is undefined in the source). */
    bool misaligned = (c->flags & (MODEL_CALL_BUF_MISALIGNED | MODEL_CALL_BUF_NULL)) != 0;
    if (in->stop) {
        r->err = JET_errBackupAbortByServer;
        model__rule_first(r, 16);
        if (misaligned || idx != 0 || model__read_size_bad(w, in, c->cb_max))
            model__rule(r, 17);
        return;
    }
    if (misaligned) {
        r->err = JET_errInvalidParameter; /* step 5, R39 */
        model__rule(r, 39);
        model__doc_read_failed(w, in, r->err, r);
        return;
    }
    if (idx != 0 || (!in->slot_in_use && (in->slot_is_db || in->slot_is_log))) {
        /* D7: another slot, or a closed slot with stale state after a cleanup:
         * undefined in the source. -1003, no change, and no rule decides it. */
        r->err = JET_errInvalidParameter;
        r->undefined = true;
        return;
    }
    if (model__read_size_bad(w, in, c->cb_max)) {
        r->err = JET_errInvalidParameter; /* step 7, R39, D8 */
        model__rule(r, 39);
        model__doc_read_failed(w, in, r->err, r);
        return;
    }
    uint64_t left = in->slot_cb - in->slot_ib;
    uint32_t n = left < c->cb_max ? (uint32_t)left : c->cb_max;
    /* Model choice: a read of 0 bytes does no I/O, so no read fault can fire. */
    if (n != 0 && (c->fault == MODEL_FAULT_READ_IO || c->fault == MODEL_FAULT_READ_VERIFY)) {
        r->fault_used = true;
        r->err = c->fault == MODEL_FAULT_READ_IO ? JET_errDiskIO : JET_errReadVerifyFailure;
        model__rule(r, 41);
        if (in->phase == MODEL_PHASE_DATABASES) {
            /* R41: the database leaves the session, the handle closes, the
             * backup goes on (§4.4). */
            if (in->slot_is_db)
                in->db[in->slot_db].in_session = in->db[in->slot_db].edb_done = 0;
            model__close_slot(in);
        }
        else
            model__cancel(in, r->err, r); /* R41: LogsAndPatches cancels */
        return;
    }
    model__read_advance(in, c->flags, n, r);
}

/* §4.5. CloseFile ignores stop (R19). */
MODEL__NOINLINE
static void model__close_file(struct model__inst *in, const struct model_call *c,
                              struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 42);
        return;
    }
    int32_t idx = (int32_t)(uint32_t)c->hf;
    if (idx < 0 || (uint32_t)idx >= in->slots_ever_used || !in->slot_in_use) {
        r->err = JET_errInvalidParameter; /* R42 */
        model__rule(r, 42);
        return;
    }
    model__rule_first(r, in->stop ? 19 : 42);
    model__close_slot(in);
}

/*
 * §4.6 step 5, R44: prepare the logs once per backup. Roll the log; the copy
 * range becomes [copy_mic, copy_mac - 1] with copy_mac the new current
 * generation, so it ends at the last complete log.
 *
 * Model choice for the truncation range (§3.1, §4.6 step 5): it starts at the
 * lowest log on disk and stops before the checkpoint generation, which recovery
 * still needs. A full backup also keeps every log from copy_mic on (they are in
 * the copy); an incremental backup copies from the lowest log on disk
 * (copy_mic := delete_mic). An empty range has delete_mic = delete_mac.
 */
static void model__prepare_logs(struct model__inst *in)
{
    in->log_current++;
    model__normalise_logs(in);
    in->began_new_log = 1;
    in->copy_mac = in->log_current;
    in->gen_copy_done = 0;
    uint32_t low = in->log_low;
    uint32_t mac = in->checkpoint;
    if (in->full && in->copy_mic < mac)
        mac = in->copy_mic;
    if (mac < low)
        mac = low;
    in->delete_mic = low;
    in->delete_mac = mac;
    if (!in->full)
        in->copy_mic = in->delete_mic;
}

/* §4.6 (which = 1, and GetLogInfoInstance2 with `gens`) and §4.7 (which = 2).
 * Inlined into one function per operation below, so that `which` and `gens`
 * are constants and each operation's branches are its own. */
MODEL__ALWAYS_INLINE
static inline void model__get_log_info(struct model_world *w, struct model__inst *in,
                                const struct model_call *c, int which, bool gens,
                                struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    if (in->stop) {
        r->err = JET_errBackupAbortByServer;
        model__rule_first(r, 16);
        if (in->slot_in_use)
            model__rule(r, 17); /* R17: stop wins over -521 */
        return;
    }
    if (in->slot_in_use) {
        r->err = JET_errInvalidBackupSequence; /* R43: no cancel */
        model__rule(r, 43);
        model__doc_cancels(w, in, r->err, r);
        return;
    }
    if (!in->began_new_log) {
        /* Preparation errors are returned without cancelling (§4.6 step 5). */
        if (c->fault == MODEL_FAULT_LOG_ROLL) {
            r->fault_used = true;
            r->err = JET_errLogDiskFull;
            model__rule(r, 44);
            model__doc_cancels(w, in, r->err, r);
            return;
        }
        if (in->log_current >= MODEL__GEN_MAX) {
            r->err = JET_errLogSequenceEnd;
            model__rule(r, 44);
            model__doc_cancels(w, in, r->err, r);
            return;
        }
        model__prepare_logs(in);
    }
    uint32_t mic = which == 1 ? in->copy_mic : in->delete_mic;
    uint32_t mac = which == 1 ? in->copy_mac : in->delete_mac;
    uint32_t n = mac > mic ? mac - mic : 0;
    uint64_t size = (uint64_t)n * MODEL__LOG_NAME_BYTES + 1u;
    if (c->fault == MODEL_FAULT_NOMEM || size > UINT32_MAX) {
        /* Step 6 [cancels]; an unrepresentable list is out of memory too. */
        r->fault_used = c->fault == MODEL_FAULT_NOMEM;
        r->err = JET_errOutOfMemory;
        model__cancel(in, r->err, r);
        return;
    }
    in->phase = MODEL_PHASE_LOGS; /* R45 */
    if (!(c->flags & MODEL_CALL_PCB_NULL)) {
        /* R46: min(cbMax, size) with a buffer, the size without one. */
        r->cb_actual = (c->flags & MODEL_CALL_BUF_NULL) || size <= c->cb_max ? (uint32_t)size
                                                                              : c->cb_max;
        r->outs |= MODEL_OUT_CB;
    }
    r->n_entries = n;
    r->outs |= MODEL_OUT_LIST;
    if (gens) {
        r->gen_low = in->copy_mic;
        r->gen_high = in->copy_mac - 1u;
        r->outs |= MODEL_OUT_GENS;
    }
    model__rule(r, 44);
    model__rule(r, 45);
    if (which == 1)
        model__rule(r, 46);
}

MODEL__NOINLINE
static void model__get_log_info1(struct model_world *w, struct model__inst *in,
                                 const struct model_call *c, struct model_result *r)
{
    model__get_log_info(w, in, c, 1, false, r);
}

MODEL__NOINLINE
static void model__get_log_info2(struct model_world *w, struct model__inst *in,
                                 const struct model_call *c, struct model_result *r)
{
    model__get_log_info(w, in, c, 1, true, r);
}

MODEL__NOINLINE
static void model__get_truncate_log_info(struct model_world *w, struct model__inst *in,
                                         const struct model_call *c, struct model_result *r)
{
    model__get_log_info(w, in, c, 2, false, r);
}

/* §4.8, R47. No error here cancels, in any profile. */
MODEL__NOINLINE
static void model__truncate_log(struct model__inst *in, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    bool unprepared = in->copy_mic == 0 || in->copy_mac == 0;
    if (in->stop) {
        r->err = JET_errBackupAbortByServer; /* S22: before the phase change */
        model__rule_first(r, 16);
        if (in->slot_in_use || unprepared)
            model__rule(r, 17);
        return;
    }
    model__rule(r, 47);
    if (in->slot_in_use || unprepared) {
        r->err = JET_errInvalidBackupSequence;
        return;
    }
    in->phase = MODEL_PHASE_LOGS; /* step 6, even if step 7 fails */
    uint64_t need = 0;
    if (in->copy_mac > in->copy_mic) {
        uint64_t lo = in->copy_mic, hi = (uint64_t)in->copy_mac - 1u;
        need = (lo + hi) * (hi - lo + 1u) / 2u;
    }
    if (in->gen_copy_done < need) {
        r->err = JET_errLogFileNotCopied; /* step 7, D14 */
        return;
    }
    in->logs_truncated = 1;
    if (in->delete_mac > in->log_low) {
        in->log_low = in->delete_mac; /* the range starts at or below log_low */
        model__normalise_logs(in);
    }
}

/* §4.9: End (grbit EndNormal) and End2. */
MODEL__NOINLINE
static void model__end(struct model_world *w, struct model__inst *in, JET_GRBIT g,
                       struct model_result *r)
{
    bool normal = (g & MODEL__END_NORMAL) != 0, abort_ = (g & MODEL__END_ABORT) != 0;
    if (normal == abort_) {
        r->err = JET_errInvalidParameter; /* R24: stop and the backup untouched */
        model__rule_first(r, 24);
        return;
    }
    uint8_t had_stop = in->stop;
    JET_ERR why;
    if (model__cleanup(in, abort_ ? errBackupAbortByCaller : 0, g, &why) != JET_errSuccess) {
        r->err = JET_errNoBackup; /* R25 */
        model__rule_first(r, 25);
        return;
    }
    model__rule_first(r, 48);
    model__rule(r, 49);
    if (had_stop)
        model__rule(r, abort_ ? 22 : 21);
    if (model__documented(w)) {
        if (had_stop)
            r->err = JET_errBackupAbortByServer; /* D1 */
        else if (why == errBackupAbortByCaller)
            r->err = errBackupAbortByCaller; /* D2 */
    }
}

/* ---------------------------------------------------------------------------
 * Fixture operations. A handle that names no instance gives -1003 in every
 * profile (no stage V: the fixture is backstop's, not ESE's).
 * ------------------------------------------------------------------------- */

MODEL__NOINLINE
static void model__fixture(struct model__inst *in, const struct model_call *c,
                           struct model_result *r)
{
    switch (c->op) {
    case MODEL_OP_FX_CONFIGURE:
        if (in->life != MODEL_LIFE_CREATED ||
            (c->arg & ~(BACKSTOP_CFG_LOGGING_OFF | BACKSTOP_CFG_CIRCULAR_LOG))) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->logging_disabled = (c->arg & BACKSTOP_CFG_LOGGING_OFF) != 0;
        in->circular = (c->arg & BACKSTOP_CFG_CIRCULAR_LOG) != 0;
        return;
    case MODEL_OP_FX_CREATE_DB: {
        size_t len = 0;
        if (c->name == NULL || model__basename(c->name, &len) != c->name || len == 0 ||
            len >= MODEL_MAX_NAME || c->arg == 0) {
            r->err = JET_errInvalidParameter;
            return;
        }
        if (in->in_progress_any) {
            /* §4.14: attach during any backup, a stopped one included (S12). */
            r->err = in->in_progress_local ? JET_errBackupInProgress
                                           : JET_errSurrogateBackupInProgress;
            model__rule(r, 20);
            return;
        }
        if (model__match_db(in, c->name, len) >= 0) {
            r->err = JET_errInvalidParameter;
            return;
        }
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            struct model__db *d = &in->db[i];
            if (d->pages == 0) {
                memset(d, 0, sizeof *d);
                memcpy(d->name, c->name, len);
                d->name_len = (uint8_t)len;
                d->pages = c->arg;
                model__db_tag_update(in, i);
                in->n_databases++;
                /* The new file replaces a detached one of that name. */
                int f = model__find_file(in->detached, MODEL__MAX_DETACHED, c->name, len);
                if (f >= 0) {
                    memset(&in->detached[f], 0, sizeof in->detached[f]);
                    in->n_detached--;
                }
                return;
            }
        }
        r->err = JET_errOutOfMemory;
        return;
    }
    case MODEL_OP_FX_DETACH_DB: {
        if (c->name == NULL || c->name[0] == '\0') {
            r->err = JET_errInvalidParameter;
            return;
        }
        if (in->in_progress_any) {
            r->err = in->in_progress_local ? JET_errBackupInProgress
                                           : JET_errSurrogateBackupInProgress;
            model__rule(r, 20);
            return;
        }
        size_t len;
        const char *base = model__basename(c->name, &len);
        int i = model__match_db(in, base, len);
        if (i < 0) {
            r->err = JET_errDatabaseNotFound;
            return;
        }
        /* A detach removes no file (§4.3 step 9): remember it as a plain file.
         * Its name is not in detached[] (an attach removes it from there). */
        int f = 0;
        while (f < MODEL__MAX_DETACHED && in->detached[f].pages != 0)
            f++;
        if (f == MODEL__MAX_DETACHED) {
            r->err = JET_errOutOfMemory; /* a model limit (model.h) */
            return;
        }
        memset(&in->detached[f], 0, sizeof in->detached[f]);
        memcpy(in->detached[f].name, in->db[i].name, sizeof in->db[i].name);
        in->detached[f].name_len = in->db[i].name_len;
        in->detached[f].pages = in->db[i].pages;
        in->n_detached++;
        memset(&in->db[i], 0, sizeof in->db[i]);
        model__db_tag_update(in, i);
        in->n_databases--;
        return;
    }
    case MODEL_OP_FX_ROLL_LOG:
        if (c->arg <= in->log_current || c->arg > MODEL__GEN_MAX) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->log_current = c->arg;
        return;
    case MODEL_OP_FX_SET_CHECKPOINT:
        if (c->arg < in->log_low || c->arg > in->log_current) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->checkpoint = c->arg;
        return;
    case MODEL_OP_FX_DELETE_LOG:
        if (!model__log_on_disk(in, c->arg)) {
            r->err = JET_errFileNotFound;
            return;
        }
        if (c->arg == in->log_low) {
            in->log_low++;
        } else {
            if (in->n_deleted >= MODEL__MAX_DELETED) {
                r->err = JET_errOutOfMemory;
                return;
            }
            in->deleted[in->n_deleted++] = c->arg;
        }
        model__normalise_logs(in);
        return;
    case MODEL_OP_FX_FORCE_STATE:
        /* Forced states accumulate; 0 clears them all (model choice). */
        if (c->arg == 0) {
            in->forced = 0;
            model__gate_update(in);
            return;
        }
        if (c->arg >= BACKSTOP_STATE__COUNT) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->forced |= MODEL__FORCED(c->arg);
        model__gate_update(in);
        return;
    default:
        r->err = JET_errInvalidParameter;
        return;
    }
}

/* ---------------------------------------------------------------------------
 * model_step.
 * ------------------------------------------------------------------------- */

/* V, L and G for a gated call (R1: before anything backup-specific). Returns
 * the instance, or NULL with r->err set. */
static inline struct model__inst *model__enter(struct model_world *w, JET_INSTANCE h,
                                               struct model_result *r)
{
    /* model__live_index, keeping the pointer. */
    uint64_t v = (uint64_t)h;
    struct model__inst *in = &w->inst[v & (MODEL_MAX_INSTANCES - 1u)];
    if (in->handle != v || v == 0) {
        int idx = model__resolve_slow(w, h, r);
        if (idx < 0) {
            model__rule(r, 1);
            return NULL;
        }
        in = &w->inst[idx];
    }
    if (in->gate_shut) {
        r->err = model__gate_fail(in, r);
        return NULL;
    }
    return in;
}

/* §2.5, R9, R15: a legacy call's mode check. Returns false with r->err set. */
static bool model__legacy_mode(const struct model_world *w, enum model_op op,
                               struct model_result *r)
{
    if (w->mode == MODEL_MODE_ONE)
        return true;
    r->err = w->mode == MODEL_MODE_MULTI ? JET_errRunningInMultiInstanceMode
                                         : JET_errInvalidParameter;
    model__rule(r, op == MODEL_OP_STOP_BACKUP ? 15 : 9);
    return false;
}

/*
 * One switch on the operation, one case per operation, so that a step costs a
 * single indirect jump; legacy calls pass their mode check and come back in as
 * their instance variant on table slot 0.
 */
void model_step(struct model_world *w, const struct model_call *c, struct model_result *r)
{
    memset(r, 0, sizeof *r);
    enum model_op op = c->op;
    JET_INSTANCE h = c->inst;
    struct model__inst *in;

again:
    switch (op) {
    case MODEL_OP_CREATE_INSTANCE:
        model__create_instance(w, c, r);
        return;
    case MODEL_OP_INIT:
        model__init(w, c, r);
        return;
    case MODEL_OP_TERM:
    case MODEL_OP_TERM2: {
        int idx = model__resolve(w, h, r);
        if (idx < 0)
            return;
        JET_GRBIT g = op == MODEL_OP_TERM ? MODEL__TERM_ABRUPT : c->grbit;
        if (op == MODEL_OP_TERM2 && g == 0 && model__documented(w))
            g = MODEL__TERM_ABRUPT; /* D13 */
        model__term(w, idx, g, r);
        return;
    }
    case MODEL_OP_STOP_SERVICE_INSTANCE: {
        int idx = model__resolve(w, h, r);
        if (idx < 0)
            return;
        w->inst[idx].service_stopped = 1; /* §4.12: no effect on the backup */
        model__gate_update(&w->inst[idx]);
        model__rule(r, 8);
        return;
    }
    case MODEL_OP_STOP_BACKUP_INSTANCE: {
        int idx = model__resolve(w, h, r);
        if (idx < 0) {
            model__rule(r, 11);
            return;
        }
        model__stop_backup(w, &w->inst[idx], r);
        return;
    }
    case MODEL_OP_BEGIN:
        if ((in = model__enter(w, h, r)) != NULL)
            model__begin(in, c->grbit, r);
        return;
    case MODEL_OP_GET_ATTACH_INFO:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_attach_info(w, in, c, r);
        return;
    case MODEL_OP_OPEN_FILE:
        if ((in = model__enter(w, h, r)) != NULL)
            model__open_file(w, in, c, r);
        return;
    case MODEL_OP_READ_FILE:
        if ((in = model__enter(w, h, r)) != NULL && !model__read_fast(w, in, c, r))
            model__read_file(w, in, c, r);
        return;
    case MODEL_OP_CLOSE_FILE:
        if ((in = model__enter(w, h, r)) != NULL)
            model__close_file(in, c, r);
        return;
    case MODEL_OP_GET_LOG_INFO:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_log_info1(w, in, c, r);
        return;
    case MODEL_OP_GET_LOG_INFO2:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_log_info2(w, in, c, r);
        return;
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_truncate_log_info(w, in, c, r);
        return;
    case MODEL_OP_TRUNCATE_LOG:
        if ((in = model__enter(w, h, r)) != NULL)
            model__truncate_log(in, r);
        return;
    case MODEL_OP_END:
        if ((in = model__enter(w, h, r)) != NULL)
            model__end(w, in, MODEL__END_NORMAL, r);
        return;
    case MODEL_OP_END2:
        if ((in = model__enter(w, h, r)) != NULL)
            model__end(w, in, c->grbit, r);
        return;
    case MODEL_OP_STOP_SERVICE:
    case MODEL_OP_STOP_BACKUP:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_CLOSE_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
    case MODEL_OP_END_LEGACY:
        if (!model__legacy_mode(w, op, r))
            return;
        op = model__instance_variant(op);
        h = (JET_INSTANCE)w->inst[0].handle;
        goto again;
    case MODEL_OP_FX_CONFIGURE:
    case MODEL_OP_FX_CREATE_DB:
    case MODEL_OP_FX_DETACH_DB:
    case MODEL_OP_FX_ROLL_LOG:
    case MODEL_OP_FX_SET_CHECKPOINT:
    case MODEL_OP_FX_DELETE_LOG:
    case MODEL_OP_FX_FORCE_STATE: {
        JET_ERR err;
        unsigned rule;
        int idx = model__lookup(w, h, &err, &rule);
        if (idx < 0) {
            r->err = JET_errInvalidParameter;
            return;
        }
        model__fixture(&w->inst[idx], c, r);
        return;
    }
    default:
        r->err = JET_errInvalidParameter; /* not an operation */
        return;
    }
}
