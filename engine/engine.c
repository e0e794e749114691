/*
 * engine.c: the engine object, its instance table and run mode, handle
 * resolution (stages V and L of spec §2.3), the API-entry gate (stage G), and
 * the instance lifecycle: JetCreateInstance, JetInit, JetTerm/JetTerm2,
 * JetStopServiceInstance, JetStopBackupInstance, plus the legacy entries without
 * an instance (§2.5) and the `engine_api` table. The backup APIs themselves are
 * in backup.c, the fixture in fixture.c.
 *
 * Handles. An instance handle is (serial << 16) | 0xB500 | table slot, where the
 * serial grows for ever: a handle is never reused, so a terminated instance's
 * handle is simply not in the table (-1003, or -1115 with validate_handles).
 * Resolution never dereferences a handle value: it takes the slot from it and
 * compares the handle with the one the slot holds.
 *
 * Lifetime. The API calls resolve without a lock (resolve_pinned): the memory
 * of a slot's instance belongs to the slot until engine_destroy, so a lookup
 * may count itself into that instance's gate, then check that the slot still
 * holds its handle (`live`), and leave again if not. JetTerm removes the
 * instance (live = 0) and waits for the gate count to drain; both sides are
 * seq-cst, so a lookup that saw its handle is one the drain waits for. Only
 * then are the instance's resources freed and the slot released for reuse.
 * Stop does its one store while counted in the gate, without any lock (R50).
 * Creation, JetInit, JetTerm, the fixture and engine_inspect use table_mu.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define HANDLE_TAG 0xB5u

const char *engine_strerror(int status)
{
    switch (status) {
    case ENGINE_OK:
        return "success";
    case ENGINE_EINVAL:
        return "invalid argument or configuration";
    case ENGINE_ENOMEM:
        return "out of memory";
    case ENGINE_EIO:
        return "the file store could not be created";
    case ENGINE_ENOENT:
        return "no such instance or fault point";
    default:
        return "unknown engine status";
    }
}

const char *engine_root(const struct engine *e)
{
    return e->root;
}

void engine_set_yield_hook(struct engine *e, engine_yield_fn fn, void *ctx)
{
    e->yield_fn = fn;
    e->yield_ctx = ctx;
}

static bool page_size_ok(uint32_t ps)
{
    return ps >= 1024 && ps <= 65536 && (ps & (ps - 1)) == 0;
}

static bool log_size_ok(uint32_t cb)
{
    return cb >= 1024 && cb <= (1u << 30) && cb % ENGINE_LOG_BLOCK == 0;
}

/* ---------------------------------------------------------------------------
 * Instances
 * ------------------------------------------------------------------------- */

/* The memory of table slot `slot`, made on first use. Caller holds table_mu. */
static struct eng_inst *slot_memory(struct engine *e, unsigned slot)
{
    struct eng_inst *inst = atomic_load_explicit(&e->pool[slot], memory_order_relaxed);
    if (inst != NULL)
        return inst;
    if ((inst = calloc(1, sizeof *inst)) == NULL)
        return NULL;
    if (pthread_mutex_init(&inst->wait_mu, NULL) != 0)
        goto fail_wait_mu;
    if (pthread_cond_init(&inst->wait_cv, NULL) != 0)
        goto fail_wait_cv;
    atomic_init(&inst->gate, 0);
    atomic_init(&inst->live, 0);
    atomic_store_explicit(&e->pool[slot], inst, memory_order_release);
    return inst;

fail_wait_cv:
    pthread_mutex_destroy(&inst->wait_mu);
fail_wait_mu:
    free(inst);
    return NULL;
}

/* Append the decimal digits of v at p; returns the end. */
static char *put_decimal(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/*
 * A new, uninitialised instance in free table slot `slot`, not yet in the table
 * (live = 0). Caller holds table_mu. The slot's memory may have served an
 * earlier instance: late lookups of that one may still count themselves in and
 * out of `gate` (they find live != their handle and leave), so gate is only
 * ever changed by read-modify-writes; the stale lock bits of its end are cleared.
 */
static struct eng_inst *inst_new(struct engine *e, unsigned slot, const char *name)
{
    struct eng_inst *inst = slot_memory(e, slot);
    if (inst == NULL)
        return NULL;
    memset(&inst->handle, 0, sizeof *inst - offsetof(struct eng_inst, handle));
    if (pthread_mutex_init(&inst->bk.crit, NULL) != 0)
        return NULL;
    atomic_fetch_and(&inst->gate, ~(unsigned)ENGINE_GATE_LOCKS);
    inst->serial = ++e->next_serial;
    inst->slot = slot;
    inst->handle = (JET_INSTANCE)((inst->serial << 16) | (HANDLE_TAG << 8) | slot);
    if (name != NULL)
        memcpy(inst->name, name, strlen(name) + 1); /* checked < ENGINE_NAME_MAX */
    size_t n_root = strlen(e->root);
    memcpy(inst->dir, e->root, n_root);
    memcpy(inst->dir + n_root, "/inst-", 6);
    char *dir_end = put_decimal(inst->dir + n_root + 6, inst->serial);
    *dir_end = '\0';
    inst->dir_len = (size_t)(dir_end - inst->dir);
    inst->page_size = e->page_size;
    inst->log_size = e->log_size;
    atomic_init(&inst->unavailable_err, 0);
    atomic_init(&inst->has_log, true);
    atomic_init(&inst->initialized, false);
    atomic_init(&inst->stop_service, false);
    atomic_init(&inst->bk.in_progress_any, false);
    atomic_init(&inst->bk.in_progress_local, false);
    atomic_init(&inst->bk.stop, false);
    inst->bk.phase = ENGINE_PHASE_NOT_STARTED;
    return inst;
}

/* Caller holds table_mu. Puts a new instance into the table. */
static void table_insert(struct engine *e, struct eng_inst *inst)
{
    e->slots[inst->slot] = inst;
    if (inst->slot >= e->slots_hi)
        e->slots_hi = inst->slot + 1;
    e->n_live++;
    atomic_store(&inst->live, inst->handle);
}

/* Release what an instance out of the table, with no call in flight, holds;
 * its memory stays with its slot. */
static void inst_destroy(struct engine *e, struct eng_inst *inst)
{
    store_close(&e->store, inst->bk.slot.file);
    for (uint32_t i = 0; i < inst->n_dbs; i++)
        engine__db_free(e, inst->dbs[i]);
    store_dir_remove(&e->store, inst->dir);
    free(inst->bk.list);
    pthread_mutex_destroy(&inst->bk.crit);
}

/* Caller holds table_mu. */
static struct eng_inst *table_find(struct engine *e, JET_INSTANCE h)
{
    if (((h >> 8) & 0xFFu) != HANDLE_TAG)
        return NULL;
    unsigned slot = (unsigned)(h & 0xFFu);
    struct eng_inst *inst = slot < ENGINE_MAX_INSTANCES ? e->slots[slot] : NULL;
    return inst != NULL && inst->handle == h ? inst : NULL;
}

/* Caller holds table_mu. Takes `inst` out of the table (lookups stop finding
 * it) and keeps its slot until inst_terminate frees it; FreePinst's mode reset. */
static void table_remove(struct engine *e, struct eng_inst *inst)
{
    atomic_store(&inst->live, 0);
    e->slots[inst->slot] = NULL;
    e->dying[inst->slot] = true;
    if (--e->n_live == 0)
        e->mode = ENGINE_MODE_NOSET;
}

/*
 * Wait until no gated call is in flight. The caller has set a lock bit, so the
 * leaver that empties the gate signals (engine__leave). Seq-cst with the
 * lookups' increment-then-check of `live`: after table_remove, a lookup either
 * sees live = 0 or is counted here.
 */
static void wait_drain(struct eng_inst *inst)
{
    pthread_mutex_lock(&inst->wait_mu);
    while ((atomic_load(&inst->gate) & ENGINE_GATE_COUNT) != 0)
        pthread_cond_wait(&inst->wait_cv, &inst->wait_mu);
    pthread_mutex_unlock(&inst->wait_mu);
}

/* Remove from the table, wait out late entrants, free, release the slot. */
static void inst_terminate(struct engine *e, struct eng_inst *inst)
{
    pthread_mutex_lock(&e->table_mu);
    table_remove(e, inst);
    pthread_mutex_unlock(&e->table_mu);
    wait_drain(inst);
    inst_destroy(e, inst);
    pthread_mutex_lock(&e->table_mu);
    e->dying[inst->slot] = false;
    pthread_mutex_unlock(&e->table_mu);
}

/* ---------------------------------------------------------------------------
 * Resolution and the gate (§2.3)
 * ------------------------------------------------------------------------- */

JET_ERR engine__resolve_locked(struct engine *e, JET_INSTANCE h, struct eng_inst **out)
{
    struct eng_inst *live = table_find(e, h);
    /* Stage V: 0 and nil are not checked, so that OneInst works (R3, R4). */
    if (e->validate_handles && h != 0 && h != JET_instanceNil && live == NULL)
        return JET_errInvalidInstance;
    switch (atomic_load(&e->mode)) {
    case ENGINE_MODE_ONEINST: /* R4: the value is ignored */
        *out = e->slots[e->oneinst_slot];
        return *out != NULL ? JET_errSuccess : JET_errInvalidParameter;
    case ENGINE_MODE_MULTIINST: /* R2, R3 */
        if (ENGINE_MUTATION(nil_handle_is_slot0) && (h == 0 || h == JET_instanceNil)
            && e->slots[0] != NULL) {
            *out = e->slots[0];
            return JET_errSuccess;
        }
        if (h == 0 || h == JET_instanceNil || live == NULL)
            return JET_errInvalidParameter;
        *out = live;
        return JET_errSuccess;
    default: /* R5 */
        return JET_errInvalidParameter;
    }
}

JET_ERR engine__lookup(struct engine *e, JET_INSTANCE h, struct eng_inst **out)
{
    pthread_mutex_lock(&e->table_mu);
    JET_ERR err = engine__resolve_locked(e, h, out);
    pthread_mutex_unlock(&e->table_mu);
    return err;
}

/*
 * Leave the gate: one atomic decrement. The leaver that empties a gate holding a
 * lock bit wakes the waiter (wait_drain checks the count under wait_mu, so the
 * wake-up cannot be lost). The instance's memory outlives the wait (it belongs
 * to the slot), so signalling after the decrement is safe.
 */
void engine__leave(struct eng_inst *inst)
{
    unsigned old = atomic_fetch_sub_explicit(&inst->gate, 1, memory_order_acq_rel);
    if ((old & ENGINE_GATE_LOCKS) != 0 && (old & ENGINE_GATE_COUNT) == 1) {
        pthread_mutex_lock(&inst->wait_mu);
        pthread_cond_broadcast(&inst->wait_cv);
        pthread_mutex_unlock(&inst->wait_mu);
    }
}

/*
 * Count a call into the instance of slot `slot` if it is in the table with
 * handle h (any handle if h is 0): increment the gate, then check `live`
 * (seq-cst against table_remove, see wait_drain). Returns the instance with the
 * gate word before the increment in *old, or NULL (counted out again).
 */
static struct eng_inst *pin(struct engine *e, unsigned slot, JET_INSTANCE h, unsigned *old)
{
    struct eng_inst *inst = atomic_load_explicit(&e->pool[slot], memory_order_acquire);
    if (inst == NULL)
        return NULL;
    *old = atomic_fetch_add(&inst->gate, 1);
    JET_INSTANCE live = atomic_load(&inst->live);
    if (live != 0 && (h == 0 || live == h))
        return inst;
    engine__leave(inst);
    return NULL;
}

/*
 * Stages V and L without a lock, with the call counted in the instance's gate
 * (engine__leave when done): what engine__resolve_locked answers, at the
 * moment of pin's check. The mode is read first; it changes only when the
 * table's last instance leaves or its first one arrives.
 */
static JET_ERR resolve_pinned(struct engine *e, JET_INSTANCE h, struct eng_inst **out,
                              unsigned *old)
{
    int mode = atomic_load_explicit(&e->mode, memory_order_acquire);
    bool validate = atomic_load_explicit(&e->validate_handles, memory_order_relaxed) != 0;
    bool nil = h == 0 || h == JET_instanceNil;
    struct eng_inst *live = NULL;
    if (((h >> 8) & 0xFFu) == HANDLE_TAG && (validate || mode == ENGINE_MODE_MULTIINST))
        live = pin(e, (unsigned)(h & 0xFFu), h, old);
    if (validate && !nil && live == NULL)
        return JET_errInvalidInstance; /* stage V */
    if (mode == ENGINE_MODE_ONEINST) { /* R4: the value is ignored */
        if (live == NULL)
            live = pin(e, atomic_load_explicit(&e->oneinst_slot, memory_order_relaxed), 0, old);
        *out = live;
        return live != NULL ? JET_errSuccess : JET_errInvalidParameter;
    }
    if (mode == ENGINE_MODE_MULTIINST) { /* R2, R3 */
        if (ENGINE_MUTATION(nil_handle_is_slot0) && nil && (live = pin(e, 0, 0, old)) != NULL) {
            *out = live;
            return JET_errSuccess;
        }
        if (!nil && live != NULL) {
            *out = live;
            return JET_errSuccess;
        }
    }
    if (live != NULL) /* R5, or a nil handle */
        engine__leave(live);
    return JET_errInvalidParameter;
}

JET_ERR engine__enter(struct engine *e, JET_INSTANCE h, struct eng_inst **out)
{
    struct eng_inst *inst;
    unsigned old = 0;
    JET_ERR err = JET_errSuccess;
    /* Counted before the checks below, so JetTerm waits for this call; any
     * failing check leaves again. Equivalent to G1..G4 in order (R6). The
     * usual case first: in multi-instance mode a live instance's own handle
     * resolves to it whether or not handles are validated (what resolve_pinned
     * answers for it); anything else takes resolve_pinned, a fresh attempt. */
    if (((h >> 8) & 0xFFu) != HANDLE_TAG
        || atomic_load_explicit(&e->mode, memory_order_acquire) != ENGINE_MODE_MULTIINST
        || (inst = pin(e, (unsigned)(h & 0xFFu), h, &old)) == NULL) {
        err = resolve_pinned(e, h, &inst, &old);
        if (err != JET_errSuccess)
            return err;
    }

    if (atomic_load_explicit(&inst->stop_service, memory_order_acquire))
        err = JET_errClientRequestToStopJetService; /* G1 */
    else if ((err = atomic_load_explicit(&inst->unavailable_err, memory_order_relaxed)) != 0)
        ; /* G2: -1090 / -1092 */
    else if (old & ENGINE_GATE_TERM)
        err = JET_errTermInProgress; /* G3 */
    else if (old & ENGINE_GATE_RESTORE)
        err = JET_errRestoreInProgress;
    else if (old & ENGINE_GATE_INIT)
        err = JET_errNotInitialized;
    else if (!atomic_load_explicit(&inst->initialized, memory_order_acquire))
        err = JET_errNotInitialized; /* G4 */
    if (err != JET_errSuccess) {
        engine__leave(inst);
        return err;
    }
    *out = inst;
    return JET_errSuccess;
}

/* Set lock bit `bit` if no lock bit is set; else the error of the bit found. */
static JET_ERR gate_lock(struct eng_inst *inst, unsigned bit, JET_ERR if_init)
{
    unsigned old = atomic_load(&inst->gate);
    do {
        if (old & ENGINE_GATE_TERM)
            return JET_errTermInProgress;
        if (old & ENGINE_GATE_RESTORE)
            return JET_errRestoreInProgress;
        if (old & ENGINE_GATE_INIT)
            return if_init;
    } while (!atomic_compare_exchange_weak(&inst->gate, &old, old | bit));
    return JET_errSuccess;
}

static void gate_unlock(struct eng_inst *inst, unsigned bit)
{
    atomic_fetch_and(&inst->gate, ~bit);
}

/* ---------------------------------------------------------------------------
 * Lifecycle APIs
 * ------------------------------------------------------------------------- */

/*
 * A free table slot for a new instance called `name` (NULL: unnamed), under
 * table_mu. As ESE allocates instances (jetapi.cxx ErrNewInst; spec §1.1): a
 * full table is -1214 before any name is looked at; then a live instance with
 * the same name is -1086. An unnamed request clashes with any live unnamed
 * instance; "" is kept as unnamed but, as a request, clashes with nothing.
 */
static JET_ERR table_pick_slot_locked(struct engine *e, const char *name, unsigned *out)
{
    unsigned slot = ENGINE_MAX_INSTANCES;
    for (unsigned i = 0; i < e->slots_hi && slot == ENGINE_MAX_INSTANCES; i++)
        if (e->slots[i] == NULL && !e->dying[i])
            slot = i;
    if (slot == ENGINE_MAX_INSTANCES && e->slots_hi < ENGINE_MAX_INSTANCES)
        slot = e->slots_hi;
    if (slot == ENGINE_MAX_INSTANCES)
        return JET_errTooManyInstances;
    for (unsigned i = 0; i < e->slots_hi; i++) {
        const struct eng_inst *other = e->slots[i];
        if (other == NULL)
            continue;
        if (name == NULL ? other->name[0] == '\0'
                         : name[0] != '\0' && strcmp(other->name, name) == 0)
            return JET_errInstanceNameInUse;
    }
    *out = slot;
    return JET_errSuccess;
}

static JET_ERR api_create_instance(void *ctx, JET_INSTANCE *pinstance, const char *name)
{
    struct engine *e = ctx;
    if (pinstance == NULL)
        return JET_errInvalidParameter;
    if (name != NULL && strlen(name) >= ENGINE_NAME_MAX)
        return JET_errInvalidParameter;
    pthread_mutex_lock(&e->table_mu);
    JET_ERR err = JET_errSuccess;
    unsigned slot;
    if (e->mode == ENGINE_MODE_ONEINST) {
        err = JET_errRunningInOneInstanceMode;
        goto out;
    }
    if ((err = table_pick_slot_locked(e, name, &slot)) != JET_errSuccess)
        goto out;
    struct eng_inst *inst = inst_new(e, slot, name);
    if (inst == NULL) {
        err = JET_errOutOfMemory;
        goto out;
    }
    table_insert(e, inst);
    e->mode = ENGINE_MODE_MULTIINST;
    *pinstance = inst->handle;
out:
    pthread_mutex_unlock(&e->table_mu);
    return err;
}

/* JetInit's work on an instance that holds the INIT lock with no call in flight. */
static JET_ERR init_instance(struct engine *e, struct eng_inst *inst)
{
    JET_ERR err = engine__inst_init_files(e, inst);
    if (err != JET_errSuccess)
        return err;
    inst->backup_allowed = true;
    atomic_store_explicit(&inst->initialized, true, memory_order_release);
    return JET_errSuccess;
}

static JET_ERR api_init(void *ctx, JET_INSTANCE *pinstance)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err;

    pthread_mutex_lock(&e->table_mu);
    if (pinstance == NULL || *pinstance == 0 || *pinstance == JET_instanceNil) {
        /* JetInit that allocates its instance (ESE JetInitEx treats a NULL
         * pointer, 0 and nil alike): in NoSet mode the OneInst instance in
         * slot 0 (§2.1); in MultiInst mode a new unnamed instance when there
         * is somewhere to put its handle, else -1081; in OneInst mode -1005. */
        unsigned slot = 0;
        if (e->mode == ENGINE_MODE_MULTIINST && pinstance == NULL) {
            pthread_mutex_unlock(&e->table_mu);
            return JET_errRunningInMultiInstanceMode;
        }
        if (e->mode == ENGINE_MODE_ONEINST) {
            pthread_mutex_unlock(&e->table_mu);
            return JET_errAlreadyInitialized;
        }
        if (e->mode == ENGINE_MODE_MULTIINST &&
            (err = table_pick_slot_locked(e, NULL, &slot)) != JET_errSuccess) {
            pthread_mutex_unlock(&e->table_mu);
            return err;
        }
        inst = e->dying[slot] ? NULL : inst_new(e, slot, NULL);
        if (inst == NULL) {
            pthread_mutex_unlock(&e->table_mu);
            return JET_errOutOfMemory;
        }
        atomic_fetch_or(&inst->gate, ENGINE_GATE_INIT);
        table_insert(e, inst);
        if (e->mode != ENGINE_MODE_MULTIINST) {
            e->oneinst_slot = 0;
            e->mode = ENGINE_MODE_ONEINST;
        }
        pthread_mutex_unlock(&e->table_mu);
        err = init_instance(e, inst);
        if (err != JET_errSuccess) {
            inst_terminate(e, inst);
            return err;
        }
        gate_unlock(inst, ENGINE_GATE_INIT);
        if (pinstance != NULL)
            *pinstance = inst->handle;
        return JET_errSuccess;
    }

    err = engine__resolve_locked(e, *pinstance, &inst);
    if (err == JET_errSuccess && atomic_load(&inst->initialized))
        err = JET_errAlreadyInitialized;
    if (err == JET_errSuccess)
        err = gate_lock(inst, ENGINE_GATE_INIT, JET_errInitInProgress);
    pthread_mutex_unlock(&e->table_mu);
    if (err != JET_errSuccess)
        return err;
    wait_drain(inst);
    err = init_instance(e, inst);
    gate_unlock(inst, ENGINE_GATE_INIT);
    return err;
}

/* JetTerm2 (§4.13). JetTerm passes JET_bitTermAbrupt. */
static JET_ERR api_term2(void *ctx, JET_INSTANCE h, JET_GRBIT grbit)
{
    struct engine *e = ctx;
    struct eng_inst *inst;

    pthread_mutex_lock(&e->table_mu);
    JET_ERR err = engine__resolve_locked(e, h, &inst); /* step 1 */
    if (err == JET_errSuccess && !atomic_load(&inst->initialized)
        && (atomic_load(&inst->gate) & ENGINE_GATE_LOCKS) == 0) {
        /* Step 2: never initialised: free it, return 0. (An instance inside
         * JetInit holds the INIT lock and gets step 3's -1029 instead.) */
        atomic_fetch_or(&inst->gate, ENGINE_GATE_TERM);
        pthread_mutex_unlock(&e->table_mu);
        inst_terminate(e, inst);
        return JET_errSuccess;
    }
    if (err == JET_errSuccess) /* step 3: -1000 / -506 / -1029 */
        err = gate_lock(inst, ENGINE_GATE_TERM, JET_errNotInitialized);
    pthread_mutex_unlock(&e->table_mu);
    if (err != JET_errSuccess)
        return err;

    /* Step 4: from here new gated calls get -1000; wait for those in flight. */
    if (!ENGINE_MUTATION(term_no_wait)) {
        engine__yield(e, ENGINE_YIELD_TERM_WAIT);
        wait_drain(inst);
    }
    inst->backup_allowed = false; /* step 5 */

    if (grbit & (JET_bitTermStopBackup | JET_bitTermAbrupt)) /* step 6, R26 */
        (void)engine__cleanup(e, inst, JET_errBackupAbortByServer, 0);
    if (ENGINE_MUTATION(term_no_wait)) { /* waits only now, after its cleanup */
        engine__yield(e, ENGINE_YIELD_TERM_WAIT);
        wait_drain(inst);
    }

    /* Step 7: the termination type. */
    bool error_type = atomic_load(&inst->unavailable_err) != 0 || (grbit & JET_bitTermDirty);
    if (!error_type && atomic_load(&inst->bk.in_progress_any)) {
        /* Step 8: fail before the point of no return; backup_allowed stays 0
         * (R31, D16), the backup goes on. */
        err = atomic_load(&inst->bk.in_progress_local) ? JET_errBackupInProgress
                                                        : JET_errSurrogateBackupInProgress;
        if (ENGINE_MUTATION(failed_term_allows_backup))
            inst->backup_allowed = true;
        gate_unlock(inst, ENGINE_GATE_TERM);
        return err;
    }
    /* Step 9 and the end of 7: terminate (a dirty or error termination discards
     * any backup context with the instance). */
    inst_terminate(e, inst);
    return error_type ? JET_errDirtyShutdown : JET_errSuccess;
}

static JET_ERR api_term(void *ctx, JET_INSTANCE h)
{
    return api_term2(ctx, h, JET_bitTermAbrupt);
}

/* Lookup-only (§4.12): no gate checks; sets the flag that G1 tests. The
 * gate count only keeps the instance in the table across the store. */
static JET_ERR api_stop_service_instance(void *ctx, JET_INSTANCE h)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    unsigned old;
    JET_ERR err = resolve_pinned(e, h, &inst, &old);
    if (err != JET_errSuccess)
        return err;
    atomic_store_explicit(&inst->stop_service, true, memory_order_release);
    engine__leave(inst);
    return JET_errSuccess;
}

/*
 * JetStopBackupInstance (§4.10): V and L, then one store to `stop` with no
 * backup lock, no gate test and no wait (R10, R50): lock-free. It succeeds in
 * every state in which the instance is still in the table (D3). Being counted
 * in the gate only keeps JetTerm from freeing the instance across the store.
 */
static JET_ERR api_stop_backup_instance(void *ctx, JET_INSTANCE h)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    unsigned old;
    JET_ERR err = resolve_pinned(e, h, &inst, &old);
    if (err != JET_errSuccess) {
        if (ENGINE_MUTATION(stop_bad_handle_hits_other)) {
            pthread_mutex_lock(&e->table_mu);
            if (e->slots[0] != NULL)
                atomic_store(&e->slots[0]->bk.stop, true);
            pthread_mutex_unlock(&e->table_mu);
        }
        return err;
    }
    if (ENGINE_MUTATION(stop_blocks_on_read))
        pthread_mutex_lock(&inst->wait_mu); /* waits for a ReadFile in flight */
    if (atomic_load_explicit(&inst->has_log, memory_order_relaxed))
        atomic_store_explicit(&inst->bk.stop,
                              ENGINE_MUTATION(stop_toggles) ? !atomic_load(&inst->bk.stop) : true,
                              memory_order_release); /* R14: no log, no-op */
    if (ENGINE_MUTATION(stop_blocks_on_read))
        pthread_mutex_unlock(&inst->wait_mu);
    engine__leave(inst);
    return JET_errSuccess;
}

/* ---------------------------------------------------------------------------
 * Legacy entries without an instance (§2.5, R9, R15)
 * ------------------------------------------------------------------------- */

/* NoSet -> -1003, MultiInst -> -1081, OneInst -> the handle of slot 0. */
static JET_ERR legacy_instance(struct engine *e, JET_INSTANCE *h)
{
    JET_ERR err = JET_errSuccess;
    pthread_mutex_lock(&e->table_mu);
    if (e->mode == ENGINE_MODE_NOSET)
        err = JET_errInvalidParameter;
    else if (e->mode == ENGINE_MODE_MULTIINST && !ENGINE_MUTATION(legacy_multiinst_slot0))
        err = JET_errRunningInMultiInstanceMode;
    else
        *h = e->slots[e->oneinst_slot] ? e->slots[e->oneinst_slot]->handle : 0;
    pthread_mutex_unlock(&e->table_mu);
    return err;
}

#define LEGACY_PROLOGUE                              \
    struct engine *e = ctx;                          \
    JET_INSTANCE h = 0;                              \
    JET_ERR err = legacy_instance(e, &h);            \
    if (err != JET_errSuccess)                       \
        return err

static JET_ERR api_stop_service(void *ctx)
{
    LEGACY_PROLOGUE;
    return api_stop_service_instance(e, h);
}
static JET_ERR api_stop_backup(void *ctx)
{
    LEGACY_PROLOGUE;
    return api_stop_backup_instance(e, h);
}
static JET_ERR api_begin_legacy(void *ctx, JET_GRBIT grbit)
{
    LEGACY_PROLOGUE;
    return engine__begin(e, h, grbit);
}
static JET_ERR api_get_attach_info_legacy(void *ctx, char *szz, uint32_t cbMax, uint32_t *pcb)
{
    LEGACY_PROLOGUE;
    return engine__get_attach_info(e, h, szz, cbMax, pcb);
}
static JET_ERR api_open_file_legacy(void *ctx, const char *name, JET_HANDLE *phf, uint32_t *plow,
                                    uint32_t *phigh)
{
    LEGACY_PROLOGUE;
    return engine__open_file(e, h, name, phf, plow, phigh);
}
static JET_ERR api_read_file_legacy(void *ctx, JET_HANDLE hf, void *pv, uint32_t cb,
                                    uint32_t *pcb)
{
    LEGACY_PROLOGUE;
    return engine__read_file(e, h, hf, pv, cb, pcb);
}
static JET_ERR api_close_file_legacy(void *ctx, JET_HANDLE hf)
{
    LEGACY_PROLOGUE;
    return engine__close_file(e, h, hf);
}
static JET_ERR api_get_log_info_legacy(void *ctx, char *szz, uint32_t cbMax, uint32_t *pcb)
{
    LEGACY_PROLOGUE;
    return engine__get_log_info(e, h, szz, cbMax, pcb);
}
static JET_ERR api_truncate_log_legacy(void *ctx)
{
    LEGACY_PROLOGUE;
    return engine__truncate_log(e, h);
}
static JET_ERR api_end_legacy(void *ctx)
{
    LEGACY_PROLOGUE;
    return engine__end(e, h);
}

const struct jet_api engine_api = {
    .JetCreateInstance = api_create_instance,
    .JetInit = api_init,
    .JetTerm = api_term,
    .JetTerm2 = api_term2,
    .JetStopServiceInstance = api_stop_service_instance,
    .JetStopService = api_stop_service,
    .JetStopBackupInstance = api_stop_backup_instance,
    .JetStopBackup = api_stop_backup,
    .JetBeginExternalBackupInstance = engine__begin,
    .JetGetAttachInfoInstance = engine__get_attach_info,
    .JetOpenFileInstance = engine__open_file,
    .JetReadFileInstance = engine__read_file,
    .JetCloseFileInstance = engine__close_file,
    .JetGetLogInfoInstance = engine__get_log_info,
    .JetGetLogInfoInstance2 = engine__get_log_info2,
    .JetGetTruncateLogInfoInstance = engine__get_truncate_log_info,
    .JetTruncateLogInstance = engine__truncate_log,
    .JetEndExternalBackupInstance = engine__end,
    .JetEndExternalBackupInstance2 = engine__end2,
    .JetBeginExternalBackup = api_begin_legacy,
    .JetGetAttachInfo = api_get_attach_info_legacy,
    .JetOpenFile = api_open_file_legacy,
    .JetReadFile = api_read_file_legacy,
    .JetCloseFile = api_close_file_legacy,
    .JetGetLogInfo = api_get_log_info_legacy,
    .JetTruncateLog = api_truncate_log_legacy,
    .JetEndExternalBackup = api_end_legacy,
};

/* ---------------------------------------------------------------------------
 * The engine object
 * ------------------------------------------------------------------------- */

/* Drop every instance; restore the creation configuration. No call in flight. */
static void engine_clear(struct engine *e)
{
    pthread_mutex_lock(&e->table_mu);
    for (unsigned i = 0; i < e->slots_hi; i++) {
        if (e->slots[i] != NULL) {
            atomic_store(&e->slots[i]->live, 0);
            inst_destroy(e, e->slots[i]);
            e->slots[i] = NULL;
        }
    }
    e->n_live = 0;
    e->mode = ENGINE_MODE_NOSET;
    e->oneinst_slot = 0;
    e->validate_handles = e->cfg.validate_handles != 0;
    e->page_size = e->cfg.page_size;
    e->log_size = e->cfg.log_size;
    pthread_mutex_unlock(&e->table_mu);
    engine__faults_reset(&e->faults);
}

int engine_create(const struct engine_config *cfg, struct engine **out)
{
    if (out == NULL)
        return ENGINE_EINVAL;
    *out = NULL;
    if (cfg == NULL)
        return ENGINE_EINVAL;
    struct engine_config c = *cfg;
    if (c.page_size == 0)
        c.page_size = ENGINE_DEFAULT_PAGE_SIZE;
    if (c.log_size == 0)
        c.log_size = ENGINE_DEFAULT_LOG_SIZE;
    if (!page_size_ok(c.page_size) || !log_size_ok(c.log_size))
        return ENGINE_EINVAL;
    if (c.store != ENGINE_STORE_MEM && c.store != ENGINE_STORE_DIR)
        return ENGINE_EINVAL;
    if (c.store == ENGINE_STORE_DIR && (c.dir == NULL || c.dir[0] == '\0'
                                        || strlen(c.dir) >= ENGINE_ROOT_MAX - 32))
        return ENGINE_EINVAL;

    struct engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return ENGINE_ENOMEM;
    if (pthread_mutex_init(&e->table_mu, NULL) != 0) {
        free(e);
        return ENGINE_ENOMEM;
    }
    if (pthread_mutex_init(&e->tmpl_mu, NULL) != 0) {
        pthread_mutex_destroy(&e->table_mu);
        free(e);
        return ENGINE_ENOMEM;
    }
    if (engine__faults_init(&e->faults, c.seed) != ENGINE_OK) {
        pthread_mutex_destroy(&e->tmpl_mu);
        pthread_mutex_destroy(&e->table_mu);
        free(e);
        return ENGINE_ENOMEM;
    }
    int rc;
    if (c.store == ENGINE_STORE_DIR) {
        int created = 0;
        snprintf(e->cfg_dir, sizeof e->cfg_dir, "%s", c.dir);
        /* Strip trailing slashes so built paths stay canonical. */
        for (size_t n = strlen(e->cfg_dir); n > 1 && e->cfg_dir[n - 1] == '/'; n--)
            e->cfg_dir[n - 1] = '\0';
        c.dir = e->cfg_dir;
        snprintf(e->root, sizeof e->root, "%s", e->cfg_dir);
        rc = engine__store_dir_create(e->root, &e->store, &created);
        e->root_created = created != 0;
    } else {
        c.dir = NULL;
        memcpy(e->root, "mem:", sizeof "mem:");
        rc = engine__store_mem_create(&e->store);
    }
    if (rc != STORE_OK) {
        engine__faults_fini(&e->faults);
        pthread_mutex_destroy(&e->tmpl_mu);
        pthread_mutex_destroy(&e->table_mu);
        free(e);
        return rc == STORE_ENOMEM ? ENGINE_ENOMEM : ENGINE_EIO;
    }
    e->cfg = c;
    e->validate_handles = c.validate_handles != 0;
    e->page_size = c.page_size;
    e->log_size = c.log_size;
    e->mode = ENGINE_MODE_NOSET;
    *out = e;
    return ENGINE_OK;
}

int engine_reset(struct engine *e)
{
    if (e == NULL)
        return ENGINE_EINVAL;
    engine_clear(e);
    return ENGINE_OK;
}

void engine_destroy(struct engine *e)
{
    if (e == NULL)
        return;
    engine_clear(e);
    for (unsigned i = 0; i < e->slots_hi; i++) {
        struct eng_inst *inst = atomic_load(&e->pool[i]);
        if (inst != NULL) {
            pthread_cond_destroy(&inst->wait_cv);
            pthread_mutex_destroy(&inst->wait_mu);
            free(inst);
        }
    }
    if (e->root_created)
        store_dir_remove(&e->store, e->root);
    store_destroy(&e->store);
    engine__logtmpl_free_all(e);
    engine__faults_fini(&e->faults);
    pthread_mutex_destroy(&e->tmpl_mu);
    pthread_mutex_destroy(&e->table_mu);
    free(e);
}

int engine_inspect(struct engine *e, JET_INSTANCE h, struct engine_inspect *out)
{
    struct eng_inst *inst;
    if (e == NULL || out == NULL)
        return ENGINE_EINVAL;
    pthread_mutex_lock(&e->table_mu);
    struct eng_inst *live = table_find(e, h);
    if (live == NULL && e->mode == ENGINE_MODE_ONEINST && (h == 0 || h == JET_instanceNil))
        live = e->slots[e->oneinst_slot];
    inst = live;
    if (inst == NULL) {
        pthread_mutex_unlock(&e->table_mu);
        return ENGINE_ENOENT;
    }
    memset(out, 0, offsetof(struct engine_inspect, dir)); /* padding too: callers compare bytes */
    const struct eng_backup *bk = &inst->bk;
    out->serial = inst->serial;
    out->initialized = atomic_load(&inst->initialized);
    out->backup_allowed = inst->backup_allowed;
    out->stop_service = atomic_load(&inst->stop_service);
    out->has_log = atomic_load(&inst->has_log);
    out->stop = atomic_load(&bk->stop);
    out->in_progress_any = atomic_load(&bk->in_progress_any);
    out->in_progress_local = atomic_load(&bk->in_progress_local);
    out->full = bk->full;
    out->internal_copy = bk->internal_copy;
    out->logs_truncated = bk->logs_truncated;
    out->began_new_log = bk->began_new_log;
    out->phase = bk->phase;
    out->slot_in_use = bk->slot.in_use;
    out->slot_is_db = bk->slot.is_db;
    out->slot_is_log = bk->slot.is_log;
    out->slot_ib = bk->slot.ib;
    out->slot_cb = bk->slot.cb;
    out->slots_ever_used = bk->slots_ever_used;
    out->copy_mic = bk->copy_mic;
    out->copy_mac = bk->copy_mac;
    out->delete_mic = bk->delete_mic;
    out->delete_mac = bk->delete_mac;
    out->gen_copy_done = bk->gen_copy_done;
    out->log_cur = inst->log_cur;
    out->checkpoint = inst->checkpoint;
    out->n_databases = inst->n_dbs;
    out->n_inflight = atomic_load(&inst->gate) & ENGINE_GATE_COUNT;
    out->n_ends_normal = bk->n_normal;
    out->n_ends_abnormal = bk->n_abnormal;
    out->last_end_reason = bk->last_reason;
    size_t n = strnlen(inst->dir, sizeof inst->dir - 1);
    memcpy(out->dir, inst->dir, n);
    out->dir[n] = '\0';
    pthread_mutex_unlock(&e->table_mu);
    return ENGINE_OK;
}

_Static_assert(sizeof(((struct engine_inspect *)0)->dir) >= ENGINE_DIR_MAX,
               "engine_inspect.dir must hold an instance directory");
