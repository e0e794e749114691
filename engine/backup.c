/*
 * backup.c: the streaming-backup APIs of one instance (spec §4.1-§4.9): Begin,
 * GetAttachInfo, OpenFile, ReadFile, CloseFile, GetLogInfo(2),
 * GetTruncateLogInfo, TruncateLog, End(2), and cleanup. Each public function
 * enters through the gate (engine__enter: stages V, L, G), runs its body, and
 * leaves.
 *
 * Check order is the spec's, step by step; each failure is an early return that
 * changes nothing unless the spec marks it [cancels] (then engine__cleanup runs).
 * The six streaming calls share one entry test (admit): no local backup -520,
 * then `stop` -801 (R16-R18), read once (R51). CloseFile and End do not read
 * `stop` (R19, R21).
 *
 * Threads: the backup client (one at a time, §6.2). Begin's claim is the only
 * part meant to race (R52), under the backup critical section; Stop may write
 * `stop` at any moment. ReadFile holds no lock across its I/O.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define BEGIN_KNOWN_BITS (JET_bitBackupIncremental | JET_bitBackupSurrogate | JET_bitInternalCopy)

/* The entry test of the streaming calls (R16-R18, R51). */
static JET_ERR admit(struct engine *e, struct eng_inst *inst)
{
    if (ENGINE_MUTATION(admit_stop_before_no_backup) && atomic_load(&inst->bk.stop))
        return JET_errBackupAbortByServer;
    if (!atomic_load_explicit(&inst->bk.in_progress_local, memory_order_acquire))
        return JET_errNoBackup;
    if (atomic_load_explicit(&inst->bk.stop, memory_order_acquire))
        return JET_errBackupAbortByServer;
    engine__yield(e, ENGINE_YIELD_STOP_CHECK);
    return JET_errSuccess;
}

/* A handle as ESE sees it: truncated to a C int (§4.4 step 6, §4.5 step 3). */
static int64_t handle_index(JET_HANDLE hf)
{
    uint32_t lo = (uint32_t)hf;
    return lo > (uint32_t)INT32_MAX ? (int64_t)lo - ((int64_t)1 << 32) : (int64_t)lo;
}

/* Make the reusable list buffer at least n bytes. */
static bool list_reserve(struct eng_backup *bk, size_t n)
{
    if (n <= bk->list_cap)
        return true;
    size_t cap = bk->list_cap ? bk->list_cap : 256;
    while (cap < n)
        cap *= 2;
    char *p = realloc(bk->list, cap);
    if (p == NULL)
        return false;
    bk->list = p;
    bk->list_cap = cap;
    return true;
}

/* Copy a built list out with GetAttachInfo's rule (R33): *pcb = the full size. */
static void list_out_full(const char *list, size_t size, char *szz, uint32_t cbMax,
                          uint32_t *pcb)
{
    if (pcb != NULL)
        *pcb = (uint32_t)size;
    if (szz != NULL)
        memcpy(szz, list, size < cbMax ? size : cbMax);
}

/* Close the open slot, as CloseFile does (§4.5): credit a full read, reset. */
static void slot_close(struct engine *e, struct eng_inst *inst)
{
    struct eng_backup *bk = &inst->bk;
    struct eng_slot *s = &bk->slot;
    bool fully_read = s->ib == s->cb;
    if (s->is_db && s->db != NULL) {
        struct eng_db *db = s->db;
        if (fully_read)
            db->edb_backup_done = true;
        db->pgno_copy_most = 0;
        db->pgno_backup_most = 0;
        db->copied_trailer = false;
    } else {
        if (fully_read && s->is_log && s->lgen >= bk->copy_mic && s->lgen < bk->copy_mac)
            bk->gen_copy_done += s->lgen; /* the -616 heuristic's input (R47) */
        store_close(&e->store, s->file);
    }
    s->in_use = s->is_db = s->is_log = false;
    s->ib = s->cb = 0;
    s->lgen = 0;
    s->db = NULL;
    s->file = NULL;
    s->name[0] = '\0';
}

/* ---------------------------------------------------------------------------
 * Cleanup (§4.9.2)
 * ------------------------------------------------------------------------- */

JET_ERR engine__cleanup(struct engine *e, struct eng_inst *inst, JET_ERR reason, JET_GRBIT grbit)
{
    struct eng_backup *bk = &inst->bk;

    /* a. No backup: clear stop and the phase (R25). Under crit so that an End
     * racing a Begin (undefined, §6.4) cannot undo the new backup's phase. A
     * backup seen in progress needs no lock: only this client's cleanup (or a
     * failed Begin of its own) clears in_progress_any again. */
    if (!atomic_load_explicit(&bk->in_progress_any, memory_order_acquire)) {
        pthread_mutex_lock(&bk->crit);
        if (!atomic_load_explicit(&bk->in_progress_any, memory_order_acquire)) {
            atomic_store_explicit(&bk->stop, false, memory_order_release);
            bk->phase = ENGINE_PHASE_NOT_STARTED;
            pthread_mutex_unlock(&bk->crit);
            return JET_errNoBackup;
        }
        pthread_mutex_unlock(&bk->crit);
    }
    engine__yield(e, ENGINE_YIELD_CLEANUP);

    /* b. Is the outcome "normal"? (R48) `stop` is read once, here. */
    bool normal = reason == JET_errSuccess;
    bool local = atomic_load(&bk->in_progress_local);
    if (normal && ((grbit & JET_bitBackupSurrogate) != 0) == local) {
        normal = false;
        reason = local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
    }
    if (normal && atomic_load_explicit(&bk->stop, memory_order_acquire)) {
        normal = false;
        reason = JET_errBackupAbortByServer;
    }
    if (normal && bk->phase == ENGINE_PHASE_DATABASES) {
        normal = false;
        reason = errBackupAbortByCaller;
    }

    /* c, e. Close the open slot (whatever it holds) and reset the cursors. */
    if (bk->slot.in_use)
        slot_close(e, inst);
    for (uint32_t i = 0; i < inst->n_dbs; i++) {
        struct eng_db *db = inst->dbs[i];
        db->pgno_copy_most = db->pgno_backup_most = 0;
        db->copied_trailer = false;
    }

    /* d. A normal end records the backup in the headers of the databases in the
     * session; an incremental Begin later requires a recorded full (R27, -560).
     * A full local backup credits only a database CloseFile saw read to its
     * end (edb_backup_done, §4.5; backup.cxx:4264); a surrogate or incremental
     * one, every database in the session (backup.cxx:4252, 4280). */
    if (normal && !(grbit & JET_bitBackupNoDbHeaderUpdate)) {
        uint32_t high = bk->copy_mac > 0 ? bk->copy_mac - 1 : 0;
        for (uint32_t i = 0; i < inst->n_dbs; i++) {
            struct eng_db *db = inst->dbs[i];
            if (!db->in_session)
                continue;
            if (bk->full && local) {
                if (!db->edb_backup_done)
                    continue; /* a full backup whose copy was not done */
                db->hdr.full_low = bk->copy_mic;
                db->hdr.full_high = high;
                db->hdr.full_count++;
            } else if (bk->full) { /* surrogate: a record of its own (§4.1 step 15) */
                db->hdr.sfull_low = bk->copy_mic;
                db->hdr.sfull_high = high;
                db->hdr.sfull_count++;
            } else {
                db->hdr.inc_low = bk->copy_mic;
                db->hdr.inc_high = high;
                db->hdr.inc_count++;
            }
            (void)engine__db_write_header(e, inst, db); /* errors ignored, as ESE */
        }
    }
    for (uint32_t i = 0; i < inst->n_dbs; i++)
        inst->dbs[i]->in_session = inst->dbs[i]->edb_backup_done = false; /* e */

    /* f. The "event". */
    bk->last_reason = reason;
    if (normal)
        bk->n_normal++;
    else
        bk->n_abnormal++;

    /* g. Reset (R49). ESE does this without a lock; holding crit makes the next
     * Begin's claim see every write above. */
    pthread_mutex_lock(&bk->crit);
    bk->logs_truncated = false;
    bk->internal_copy = false;
    bk->phase = ENGINE_PHASE_NOT_STARTED;
    atomic_store_explicit(&bk->stop, false, memory_order_relaxed);
    atomic_store_explicit(&bk->in_progress_local, false, memory_order_relaxed);
    atomic_store_explicit(&bk->in_progress_any, false, memory_order_release);
    pthread_mutex_unlock(&bk->crit);
    return JET_errSuccess; /* h. always 0 with a backup (R48, D1, D2) */
}

/* ---------------------------------------------------------------------------
 * Begin (§4.1)
 * ------------------------------------------------------------------------- */

static JET_ERR begin_body(struct engine *e, struct eng_inst *inst, JET_GRBIT grbit)
{
    struct eng_backup *bk = &inst->bk;
    bool incremental = grbit & JET_bitBackupIncremental;
    bool surrogate = grbit & JET_bitBackupSurrogate;
    bool internal = grbit & JET_bitInternalCopy;
    JET_ERR err;

    /* Steps 2-10, before the claim: nothing changes on failure (R28, R30). */
    if (!inst->backup_allowed)
        return JET_errBackupNotAllowedYet;
    if (inst->logging_off || !atomic_load_explicit(&inst->has_log, memory_order_relaxed))
        return JET_errLoggingDisabled; /* R14, §2.6 */
    if (inst->log_write_fail)
        return JET_errLogWriteFail;
    /* step 5: the engine never recovers */
    if (grbit & ~BEGIN_KNOWN_BITS)
        return JET_errInvalidGrbit;
    if (incremental && inst->circular)
        return JET_errInvalidBackup;
    if (surrogate && inst->circular)
        return JET_errInvalidBackup;
    if (internal && (grbit & (JET_bitBackupIncremental | JET_bitBackupSurrogate)))
        return JET_errInvalidGrbit;
    if (inst->log_state_err != 0)
        return inst->log_state_err;

    /* Steps 11-13: test and claim under the critical section (R52). */
    bool unlocked = ENGINE_MUTATION(begin_claim_unlocked) && !atomic_load(&bk->in_progress_any);
    if (unlocked) /* tested without the lock; claimed below without testing again */
        engine__yield(e, ENGINE_YIELD_MUTANT);
    pthread_mutex_lock(&bk->crit);
    if (!unlocked && atomic_load_explicit(&bk->in_progress_any, memory_order_acquire)) {
        err = atomic_load(&bk->in_progress_local) ? JET_errBackupInProgress
                                                  : JET_errSurrogateBackupInProgress;
        pthread_mutex_unlock(&bk->crit);
        return err;
    }
    bk->copy_mic = bk->copy_mac = 0;
    bk->delete_mic = bk->delete_mac = 0;
    bk->logs_truncated = false;
    if (!ENGINE_MUTATION(begin_keeps_stop))
        atomic_store_explicit(&bk->stop, false, memory_order_relaxed); /* R13, R53 */
    atomic_store_explicit(&bk->in_progress_local, !surrogate, memory_order_relaxed);
    bk->internal_copy = internal;
    atomic_store_explicit(&bk->in_progress_any, true, memory_order_release);
    pthread_mutex_unlock(&bk->crit);
    engine__yield(e, ENGINE_YIELD_CLAIM);

    /* Step 14. An incremental or surrogate backup takes every database into
     * the session; a full local one takes a database only when OpenFile opens
     * it (backup.cxx:1776-1793, 2396). */
    bk->phase = incremental ? ENGINE_PHASE_LOGS_AND_PATCHES : ENGINE_PHASE_DATABASES;
    for (uint32_t i = 0; i < inst->n_dbs; i++) {
        struct eng_db *db = inst->dbs[i];
        db->in_session = incremental || surrogate;
        db->edb_backup_done = false;
        db->pgno_copy_most = db->pgno_backup_most = 0;
        db->copied_trailer = false;
    }
    /* Step 15: an incremental needs a recorded full backup of the same type
     * (local or surrogate) of every database. */
    if (incremental) {
        for (uint32_t i = 0; i < inst->n_dbs; i++) {
            const struct engine__db_header *hd = &inst->dbs[i]->hdr;
            if ((surrogate ? hd->sfull_count : hd->full_count) == 0) {
                err = JET_errMissingFullBackup;
                goto undo_claim;
            }
        }
    }
    /* Step 16. */
    bk->began_new_log = false;
    bk->full = !incremental;
    if (!incremental) {
        uint32_t gen = 0;
        err = engine__chk_read(e, inst, &gen);
        if (err != JET_errSuccess)
            goto undo_claim;
        bk->copy_mic = gen; /* R29 */
    }
    return JET_errSuccess;

undo_claim:
    /* A failure after the claim undoes it and clears `stop` (R27). */
    if (ENGINE_MUTATION(failed_begin_keeps_claim))
        return err;
    for (uint32_t i = 0; i < inst->n_dbs; i++)
        inst->dbs[i]->in_session = false;
    pthread_mutex_lock(&bk->crit);
    bk->phase = ENGINE_PHASE_NOT_STARTED;
    atomic_store_explicit(&bk->stop, false, memory_order_relaxed);
    atomic_store_explicit(&bk->in_progress_local, false, memory_order_relaxed);
    atomic_store_explicit(&bk->in_progress_any, false, memory_order_release);
    pthread_mutex_unlock(&bk->crit);
    return err;
}

JET_ERR engine__begin(void *ctx, JET_INSTANCE h, JET_GRBIT grbit)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    err = begin_body(e, inst, grbit);
    engine__leave(inst);
    return err;
}

/* ---------------------------------------------------------------------------
 * GetAttachInfo (§4.2)
 * ------------------------------------------------------------------------- */

static JET_ERR get_attach_info_body(struct engine *e, struct eng_inst *inst, char *szz,
                                    uint32_t cbMax, uint32_t *pcb)
{
    struct eng_backup *bk = &inst->bk;
    JET_ERR err = admit(e, inst);
    if (err != JET_errSuccess)
        return err;
    if (!bk->full)
        return JET_errInvalidBackupSequence; /* R32: no cancel */

    size_t size = 1;
    for (uint32_t i = 0; i < inst->n_dbs; i++)
        size += strlen(inst->dbs[i]->path) + 1;
    if (ENGINE_FAULT(e, ALLOC_ENOMEM) || !list_reserve(bk, size)) {
        (void)engine__cleanup(e, inst, JET_errOutOfMemory, 0); /* [cancels] */
        return JET_errOutOfMemory;
    }
    char *p = bk->list;
    for (uint32_t i = 0; i < inst->n_dbs; i++) {
        size_t n = strlen(inst->dbs[i]->path) + 1;
        memcpy(p, inst->dbs[i]->path, n);
        p += n;
    }
    *p = '\0';
    list_out_full(bk->list, size, szz, cbMax, pcb);
    return JET_errSuccess;
}

JET_ERR engine__get_attach_info(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                                uint32_t *pcbActual)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    err = get_attach_info_body(e, inst, szz, cbMax, pcbActual);
    engine__leave(inst);
    return err;
}

/* ---------------------------------------------------------------------------
 * OpenFile (§4.3)
 * ------------------------------------------------------------------------- */

static struct eng_db *db_by_basename(struct eng_inst *inst, const char *base)
{
    for (uint32_t i = 0; i < inst->n_dbs; i++)
        if (strcmp(inst->dbs[i]->name, base) == 0)
            return inst->dbs[i];
    return NULL;
}

/* Read exactly n bytes at off; a short count is resumed, end of file is -1022.
 * `short_first` makes the first request a short one (fault read.short). *made
 * (if not NULL): every byte was made by the file's fill and never stored
 * (store_ops.pread), so its pages and blocks are sealed by construction. */
static JET_ERR read_exact(struct engine *e, struct store_file *f, unsigned char *buf, size_t n,
                          uint64_t off, bool short_first, bool *made)
{
    size_t done = 0;
    bool all_made = true;
    while (done < n) {
        size_t want = n - done;
        if (short_first && done == 0 && want > 1)
            want /= 2;
        size_t got = 0;
        int m = 0;
        if (store_pread_made(&e->store, f, buf + done, want, off + done, &got, &m) != STORE_OK
            || got == 0)
            return JET_errDiskIO;
        all_made = all_made && m;
        done += got;
    }
    if (made != NULL)
        *made = all_made;
    return JET_errSuccess;
}

static JET_ERR open_file_body(struct engine *e, struct eng_inst *inst, const char *name,
                              JET_HANDLE *phf, uint32_t *pLow, uint32_t *pHigh)
{
    struct eng_backup *bk = &inst->bk;
    struct eng_slot *s = &bk->slot;
    JET_ERR err = admit(e, inst); /* steps 2-3 */
    if (err != JET_errSuccess)
        return err;
    if (name == NULL || name[0] == '\0')
        return JET_errInvalidParameter; /* step 5, R35 */
    if (s->in_use)
        return JET_errOutOfMemory; /* step 7, R34: one slot */

    /* Step 8: complete the path; then "allocate" the name copy. */
    const char *base = engine__basename(name);
    char path[ENGINE_PATH_MAX];
    if (strchr(name, '/') != NULL) {
        if (strlen(name) >= sizeof path)
            return JET_errInvalidPath;
        memcpy(path, name, strlen(name) + 1);
    } else {
        if (inst->dir_len + 1 + strlen(name) >= sizeof path)
            return JET_errInvalidPath;
        engine__inst_path(inst, name, path);
    }
    if (ENGINE_FAULT(e, ALLOC_ENOMEM))
        return JET_errOutOfMemory; /* no slot taken, backup kept */

    /* Step 9. */
    bk->slots_ever_used = JET_crhfMax;
    s->in_use = true;
    s->ib = s->cb = 0;
    memcpy(s->name, path, strlen(path) + 1);

    struct eng_db *db = db_by_basename(inst, base);
    uint64_t ps = inst->page_size;
    if (db != NULL) {
        if (!bk->full || bk->phase != ENGINE_PHASE_DATABASES) {
            err = JET_errInvalidBackupSequence; /* R37 */
            goto fail;
        }
        if (ENGINE_FAULT(e, OPEN_EIO)) {
            err = JET_errDiskIO;
            goto fail;
        }
        if (db->snapshot == NULL && (db->snapshot = malloc(2 * ps)) == NULL) {
            err = JET_errOutOfMemory;
            goto fail;
        }
        /* The header snapshot (§3.3). */
        err = read_exact(e, db->file, db->snapshot, 2 * ps, 0, false, NULL);
        if (err != JET_errSuccess)
            goto fail;
        db->pgno_backup_most = db->pgno_last;
        db->pgno_copy_most = 0;
        db->copied_trailer = false;
        db->in_session = true;
        s->is_db = true;
        s->db = db;
        s->cb = ((uint64_t)db->pgno_last + 3) * ps;
    } else {
        if (bk->phase == ENGINE_PHASE_DATABASES) {
            err = JET_errDatabaseNotFound; /* R36, D15 */
            goto fail;
        }
        if (ENGINE_FAULT(e, OPEN_EIO)) {
            err = JET_errDiskIO;
            goto fail;
        }
        int rc = store_open(&e->store, path, STORE_RDONLY, &s->file);
        if (rc != STORE_OK) {
            s->file = NULL;
            err = rc == STORE_ENOENT ? JET_errMissingFileToBackup : JET_errDiskIO; /* R38 */
            goto fail;
        }
        uint64_t size = 0;
        if (store_size(&e->store, s->file, &size) != STORE_OK) {
            err = JET_errDiskIO;
            goto fail;
        }
        s->is_log = engine__parse_log_name(base, &s->lgen);
        s->cb = size;
    }

    /* Step 10. */
    if (phf != NULL)
        *phf = 0;
    if (pLow != NULL)
        *pLow = (uint32_t)s->cb;
    if (pHigh != NULL)
        *pHigh = (uint32_t)(s->cb >> 32);
    return JET_errSuccess;

fail:
    /* Release the slot; phase Databases keeps the backup, LogsAndPatches cancels
     * it (R36-R38, D6). */
    store_close(&e->store, s->file);
    s->file = NULL;
    s->in_use = s->is_db = s->is_log = false;
    s->db = NULL;
    if (db != NULL && bk->phase == ENGINE_PHASE_DATABASES)
        db->in_session = db->edb_backup_done = false; /* leaves the session (backup.cxx:2603) */
    if ((ENGINE_MUTATION(open_late_db_keeps_backup) && err == JET_errInvalidBackupSequence)
        || (ENGINE_MUTATION(missing_log_keeps_backup) && err == JET_errMissingFileToBackup))
        return err;
    if (bk->phase != ENGINE_PHASE_DATABASES)
        (void)engine__cleanup(e, inst, err, 0);
    return err;
}

JET_ERR engine__open_file(void *ctx, JET_INSTANCE h, const char *name, JET_HANDLE *phf,
                          uint32_t *pLow, uint32_t *pHigh)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    err = open_file_body(e, inst, name, phf, pLow, pHigh);
    engine__leave(inst);
    return err;
}

/* ---------------------------------------------------------------------------
 * ReadFile (§4.4)
 * ------------------------------------------------------------------------- */

/* n bytes of a database's stream at the slot's position, into out. */
static JET_ERR read_db(struct engine *e, struct eng_inst *inst, unsigned char *out, uint64_t n,
                       bool short_first)
{
    struct eng_slot *s = &inst->bk.slot;
    struct eng_db *db = s->db;
    uint64_t ps = inst->page_size;
    uint64_t v = s->ib / ps;
    uint64_t nv = n / ps;
    uint64_t last_data = (uint64_t)db->pgno_last + 1; /* virtual index of the last page */

    while (nv > 0 && v < JET_cpgDBReserved) { /* the header snapshot */
        memcpy(out, db->snapshot + v * ps, ps);
        out += ps;
        v++;
        nv--;
    }
    if (nv > 0 && v <= last_data) { /* pages, straight from the file */
        uint64_t k = last_data + 1 - v < nv ? last_data + 1 - v : nv;
        bool made;
        JET_ERR err = read_exact(e, db->file, out, k * ps, v * ps, short_first, &made);
        if (err != JET_errSuccess)
            return err;
        for (uint64_t i = 0; i < k && !made; i++) /* made: sealed by db_page_fill */
            if (!engine__db_page_ok(out + i * ps, ps, (uint32_t)(v + i - 1)))
                return JET_errReadVerifyFailure;
        db->pgno_copy_most = (uint32_t)(v + k - 2);
        out += k * ps;
        v += k;
        nv -= k;
    }
    if (nv > 0 && v == last_data + 1) { /* the trailer: header page 0 again */
        memcpy(out, db->snapshot, ps);
        db->copied_trailer = true;
    }
    return JET_errSuccess;
}

static JET_ERR read_file_body(struct engine *e, struct eng_inst *inst, JET_HANDLE hf, void *pv,
                              uint32_t cbMax, uint32_t *pcb)
{
    struct eng_backup *bk = &inst->bk;
    struct eng_slot *s = &bk->slot;
    uint64_t ps = inst->page_size;
    JET_ERR err = admit(e, inst); /* steps 2-3 */
    if (ENGINE_MUTATION(read_ignores_stop) && err == JET_errBackupAbortByServer)
        err = JET_errSuccess;
    if (err != JET_errSuccess)
        return err;
    bool flags_word = ENGINE_MUTATION(stop_in_bitfield) && atomic_load(&bk->stop);
    if (pv == NULL || ((uintptr_t)pv & (ENGINE_OS_PAGE - 1)) != 0)
        return JET_errInvalidParameter; /* step 5 (NULL: defensive) */
    if (handle_index(hf) != 0)
        return JET_errInvalidParameter; /* step 6: undefined in ESE (D7) */

    bool is_db = s->in_use && s->is_db;
    if (!is_db) { /* 7a: log, other file, or the closed slot (an empty file) */
        if (cbMax % ps != 0 || (cbMax < 2 * ps && s->ib == 0))
            return JET_errInvalidParameter;
    } else { /* 7b */
        if (cbMax % ps != 0 || cbMax / ps == 0
            || (cbMax / ps <= JET_cpgDBReserved && s->db->pgno_copy_most == 0))
            return JET_errInvalidParameter;
    }
    uint64_t n = s->in_use && s->cb > s->ib ? s->cb - s->ib : 0;
    if (n > cbMax)
        n = cbMax;

    if (n > 0) {
        /* One opportunity of each read fault per call that reads (engine.h). */
        if (ENGINE_FAULT(e, READ_EIO)) {
            err = JET_errDiskIO;
        } else {
            bool short_first = ENGINE_FAULT(e, READ_SHORT);
            if (is_db) {
                err = read_db(e, inst, pv, n, short_first);
            } else {
                bool made;
                err = read_exact(e, s->file, pv, (size_t)n, s->ib, short_first, &made);
                if (err == JET_errSuccess && s->is_log && !made /* made: log_unit_fill sealed it */
                    && !engine__log_blocks_ok(pv, (size_t)n, s->lgen, s->ib / ENGINE_LOG_BLOCK))
                    err = JET_errReadVerifyFailure;
            }
            if (err == JET_errSuccess && ENGINE_FAULT(e, READ_VERIFY))
                err = JET_errReadVerifyFailure;
        }
        if (err != JET_errSuccess) {
            /* R41: phase Databases closes the handle, LogsAndPatches cancels. */
            if (bk->phase == ENGINE_PHASE_DATABASES && !ENGINE_MUTATION(read_error_cancels)) {
                if (is_db)
                    s->db->in_session = s->db->edb_backup_done = false; /* backup.cxx:2925 */
                slot_close(e, inst);
            } else {
                (void)engine__cleanup(e, inst, err, 0);
            }
            return err;
        }
    }
    if (ENGINE_MUTATION(read_stale_page) && is_db && n >= 2 * ps) /* repeats a page */
        memcpy((unsigned char *)pv + n - ps, (unsigned char *)pv + n - 2 * ps, ps);
    s->ib += n; /* R40 */
    if (ENGINE_MUTATION(read_advances_short) && n > ps)
        s->ib -= ps;
    if (ENGINE_MUTATION(stop_in_bitfield)) { /* writes back the word read at entry */
        engine__yield(e, ENGINE_YIELD_MUTANT);
        atomic_store(&bk->stop, flags_word);
    }
    if (pcb != NULL)
        *pcb = (uint32_t)n;
    return JET_errSuccess;
}

JET_ERR engine__read_file(void *ctx, JET_INSTANCE h, JET_HANDLE hf, void *pv, uint32_t cb,
                          uint32_t *pcbActual)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (ENGINE_MUTATION(stop_blocks_on_read)) /* held across the I/O; Stop takes it */
        pthread_mutex_lock(&inst->wait_mu);
    err = read_file_body(e, inst, hf, pv, cb, pcbActual);
    if (ENGINE_MUTATION(stop_blocks_on_read))
        pthread_mutex_unlock(&inst->wait_mu);
    engine__leave(inst);
    return err;
}

/* ---------------------------------------------------------------------------
 * CloseFile (§4.5): no stop check (R19).
 * ------------------------------------------------------------------------- */

JET_ERR engine__close_file(void *ctx, JET_INSTANCE h, JET_HANDLE hf)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    struct eng_backup *bk = &inst->bk;
    int64_t i = handle_index(hf);
    if (!atomic_load_explicit(&bk->in_progress_local, memory_order_acquire))
        err = JET_errNoBackup;
    else if (i < 0 || i >= (int64_t)bk->slots_ever_used || !bk->slot.in_use)
        err = JET_errInvalidParameter; /* R42 */
    else
        slot_close(e, inst);
    engine__leave(inst);
    return err;
}

/* ---------------------------------------------------------------------------
 * GetLogInfo, GetTruncateLogInfo (§4.6, §4.7), TruncateLog (§4.8)
 * ------------------------------------------------------------------------- */

/* Step 5: roll the log once per backup and fix the ranges (R44). Errors return
 * without cancelling and leave began_new_log = 0, so a retry rolls again. */
static JET_ERR prepare_logs(struct engine *e, struct eng_inst *inst)
{
    struct eng_backup *bk = &inst->bk;
    if (ENGINE_FAULT(e, LOGROLL_ENOSPC))
        return JET_errLogDiskFull;
    int rc = engine__log_write(e, inst, inst->log_cur + 1);
    if (rc != STORE_OK)
        return rc == STORE_ENOSPC ? JET_errLogDiskFull : JET_errLogWriteFail;
    inst->log_cur++;
    bk->began_new_log = true;
    bk->copy_mac = inst->log_cur;
    bk->gen_copy_done = 0;
    /*
     * Truncation range [delete_mic, delete_mac - 1]: from the lowest log on disk
     * up to, not including, the log the backup starts from: copy_mic (the
     * checkpoint at Begin) for a full backup, the current checkpoint for an
     * incremental one, which then copies everything from the lowest log on
     * (copy_mic := delete_mic, §3.1).
     */
    uint32_t lowest = engine__log_lowest(e, inst);
    if (lowest == 0)
        lowest = inst->log_cur;
    uint32_t mac = bk->full ? bk->copy_mic : inst->checkpoint;
    bk->delete_mic = lowest;
    bk->delete_mac = mac > lowest ? mac : lowest;
    if (!bk->full)
        bk->copy_mic = bk->delete_mic;
    return JET_errSuccess;
}

static JET_ERR log_info_body(struct engine *e, struct eng_inst *inst, char *szz, uint32_t cbMax,
                             uint32_t *pcb, JET_LOGINFO *pli, bool truncate_list)
{
    struct eng_backup *bk = &inst->bk;
    JET_ERR err = admit(e, inst);
    if (err != JET_errSuccess)
        return err;
    if (bk->slot.in_use && !ENGINE_MUTATION(log_info_ignores_open_file))
        return JET_errInvalidBackupSequence; /* R43 */
    if ((!bk->began_new_log || ENGINE_MUTATION(log_info_rolls_every_time))
        && (err = prepare_logs(e, inst)) != JET_errSuccess)
        return err;

    uint32_t lo = truncate_list ? bk->delete_mic : bk->copy_mic;
    uint32_t hi = truncate_list ? bk->delete_mac : bk->copy_mac; /* exclusive */
    size_t n_dir = inst->dir_len;
    size_t one = n_dir + sizeof "/edbXXXXXXXX.log"; /* with its NUL */
    size_t size = 1 + (hi > lo ? (size_t)(hi - lo) * one : 0);
    if (ENGINE_FAULT(e, ALLOC_ENOMEM) || !list_reserve(bk, size)) {
        (void)engine__cleanup(e, inst, JET_errOutOfMemory, 0); /* [cancels] */
        return JET_errOutOfMemory;
    }
    /* "<dir>/edbXXXXXXXX.log" per generation, as engine__log_path spells it. */
    char *p = bk->list;
    for (uint32_t g = lo; g < hi; g++) {
        memcpy(p, inst->dir, n_dir);
        p[n_dir] = '/';
        engine__log_name(g, p + n_dir + 1);
        p += one;
    }
    *p = '\0';

    if (!ENGINE_MUTATION(log_info_keeps_phase))
        bk->phase = ENGINE_PHASE_LOGS_AND_PATCHES; /* R45 */
    if (szz != NULL) { /* R46: *pcb = what was copied */
        size_t k = size < cbMax ? size : cbMax;
        memcpy(szz, bk->list, k);
        if (pcb != NULL)
            *pcb = (uint32_t)k;
    } else if (pcb != NULL) {
        *pcb = (uint32_t)size;
    }
    if (pli != NULL) {
        pli->ulGenLow = bk->copy_mic;
        pli->ulGenHigh = bk->copy_mac - 1;
        memcpy(pli->szBaseName, "edb", 4);
    }
    return JET_errSuccess;
}

static JET_ERR log_info_entry(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                              uint32_t *pcb, JET_LOGINFO *pli, bool truncate_list)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    err = log_info_body(e, inst, szz, cbMax, pcb, pli, truncate_list);
    engine__leave(inst);
    return err;
}

JET_ERR engine__get_log_info(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                             uint32_t *pcbActual)
{
    return log_info_entry(ctx, h, szz, cbMax, pcbActual, NULL, false);
}

JET_ERR engine__get_log_info2(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                              uint32_t *pcbActual, JET_LOGINFO *pLogInfo)
{
    return log_info_entry(ctx, h, szz, cbMax, pcbActual, pLogInfo, false);
}

JET_ERR engine__get_truncate_log_info(void *ctx, JET_INSTANCE h, char *szz, uint32_t cbMax,
                                      uint32_t *pcbActual)
{
    return log_info_entry(ctx, h, szz, cbMax, pcbActual, NULL, true);
}

static JET_ERR truncate_body(struct engine *e, struct eng_inst *inst)
{
    struct eng_backup *bk = &inst->bk;
    JET_ERR err = admit(e, inst);
    if (ENGINE_MUTATION(truncate_ignores_stop) && err == JET_errBackupAbortByServer)
        err = JET_errSuccess;
    if (err != JET_errSuccess)
        return err;
    if (bk->slot.in_use)
        return JET_errInvalidBackupSequence;
    if (bk->copy_mic == 0 || bk->copy_mac == 0)
        return JET_errInvalidBackupSequence;
    bk->phase = ENGINE_PHASE_LOGS_AND_PATCHES; /* even if a later step fails (R47) */

    /* The sum-of-generations heuristic (R47, D14). */
    uint64_t want = 0;
    for (uint64_t g = bk->copy_mic; g < bk->copy_mac; g++)
        want += g;
    if (bk->gen_copy_done < want && !ENGINE_MUTATION(truncate_skips_copy_check))
        return JET_errLogFileNotCopied;

    bk->logs_truncated = true;
    char path[ENGINE_PATH_MAX];
    for (uint32_t g = bk->delete_mic; g < bk->delete_mac; g++) {
        engine__log_path(inst, g, path);
        int rc = store_unlink(&e->store, path);
        if (rc != STORE_OK && rc != STORE_ENOENT)
            err = JET_errDiskIO;
    }
    (void)engine__log_lowest(e, inst); /* move log_low past the deleted logs */
    return err;
}

JET_ERR engine__truncate_log(void *ctx, JET_INSTANCE h)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    err = truncate_body(e, inst);
    engine__leave(inst);
    return err;
}

/* ---------------------------------------------------------------------------
 * End (§4.9)
 * ------------------------------------------------------------------------- */

JET_ERR engine__end2(void *ctx, JET_INSTANCE h, JET_GRBIT grbit)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__enter(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    JET_GRBIT how = grbit & (JET_bitBackupEndNormal | JET_bitBackupEndAbort);
    if (how == 0 || how == (JET_bitBackupEndNormal | JET_bitBackupEndAbort))
        err = JET_errInvalidParameter; /* R24: before the in-progress test, stop kept */
    else
        err = engine__cleanup(e, inst,
                              how == JET_bitBackupEndAbort ? errBackupAbortByCaller : 0, grbit);
    if (ENGINE_MUTATION(end2_bad_grbit_clears_stop) && err == JET_errInvalidParameter)
        atomic_store(&inst->bk.stop, false);
    engine__leave(inst);
    return err;
}

JET_ERR engine__end(void *ctx, JET_INSTANCE h)
{
    return engine__end2(ctx, h, JET_bitBackupEndNormal);
}
