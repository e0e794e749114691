/*
 * fixture.c: backstop's setup extension over the engine (struct jet_fixture in
 * model/jet.h): profile and sizes, instance configuration, databases, the log,
 * forced states, faults and paths. ctx is the struct engine *.
 *
 * Fixture calls are setup: they run on one thread and never overlap backup
 * calls on the same instance (attach and detach do take the backup critical
 * section, as ESE's do, so a Begin racing them is still safe). Instances are
 * found with stages V and L only (no gate), so a fixture call works in any
 * state the instance is in, except where noted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

static JET_ERR fx_set_profile(void *ctx, const char *profile)
{
    struct engine *e = ctx;
    int v;
    if (profile == NULL)
        return JET_errInvalidParameter;
    if (strcmp(profile, "ese") == 0)
        v = 0;
    else if (strcmp(profile, "esent") == 0)
        v = 1;
    else if (strcmp(profile, "documented") == 0)
        return JET_wrnNyi; /* the engine follows the source, not the docs */
    else
        return JET_errInvalidParameter;
    pthread_mutex_lock(&e->table_mu);
    e->validate_handles = v;
    pthread_mutex_unlock(&e->table_mu);
    return JET_errSuccess;
}

/* Page and log sizes are global parameters: settable only with no instance. */
static JET_ERR fx_set_size(struct engine *e, uint32_t *field, uint32_t value, bool ok)
{
    if (!ok)
        return JET_errInvalidParameter;
    pthread_mutex_lock(&e->table_mu);
    JET_ERR err = e->n_live != 0 ? JET_errAlreadyInitialized : JET_errSuccess;
    if (err == JET_errSuccess)
        *field = value;
    pthread_mutex_unlock(&e->table_mu);
    return err;
}

static JET_ERR fx_set_page_size(void *ctx, uint32_t cb)
{
    struct engine *e = ctx;
    return fx_set_size(e, &e->page_size, cb, cb >= 1024 && cb <= 65536 && (cb & (cb - 1)) == 0);
}

static JET_ERR fx_set_log_size(void *ctx, uint32_t cb)
{
    struct engine *e = ctx;
    return fx_set_size(e, &e->log_size, cb,
                       cb >= 1024 && cb <= (1u << 30) && cb % ENGINE_LOG_BLOCK == 0);
}

static JET_ERR fx_configure_instance(void *ctx, JET_INSTANCE h, uint32_t flags)
{
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(ctx, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (flags & ~(BACKSTOP_CFG_LOGGING_OFF | BACKSTOP_CFG_CIRCULAR_LOG))
        return JET_errInvalidParameter;
    if (atomic_load(&inst->initialized))
        return JET_errAlreadyInitialized; /* before JetInit */
    inst->logging_off = flags & BACKSTOP_CFG_LOGGING_OFF;
    inst->circular = flags & BACKSTOP_CFG_CIRCULAR_LOG;
    return JET_errSuccess;
}

/* A database name: a plain file name that is not one of the engine's own. */
static bool db_name_ok(const char *name)
{
    uint32_t gen;
    return name != NULL && name[0] != '\0' && strlen(name) < 64 && strchr(name, '/') == NULL
           && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && strcmp(name, "edb.chk") != 0
           && !engine__parse_log_name(name, &gen);
}

/* The -505/-617 of attach and detach during any backup (§4.14). Caller holds crit. */
static JET_ERR backup_blocks_attach(struct eng_inst *inst)
{
    if (!atomic_load(&inst->bk.in_progress_any))
        return JET_errSuccess;
    return atomic_load(&inst->bk.in_progress_local) ? JET_errBackupInProgress
                                                    : JET_errSurrogateBackupInProgress;
}

static JET_ERR fx_create_database(void *ctx, JET_INSTANCE h, const char *name, uint32_t pages)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (!db_name_ok(name) || pages == 0 || pages > 0x7FFFFFF0u)
        return JET_errInvalidParameter;
    if (!atomic_load(&inst->initialized))
        return JET_errNotInitialized;

    pthread_mutex_lock(&inst->bk.crit);
    err = backup_blocks_attach(inst);
    for (uint32_t i = 0; err == JET_errSuccess && i < inst->n_dbs; i++)
        if (strcmp(inst->dbs[i]->name, name) == 0)
            err = JET_errInvalidParameter; /* already attached */
    if (err == JET_errSuccess && inst->n_dbs == ENGINE_MAX_DATABASES)
        err = JET_errInvalidParameter;
    struct eng_db *db = NULL;
    if (err == JET_errSuccess && (db = calloc(1, sizeof *db)) == NULL)
        err = JET_errOutOfMemory;
    if (err != JET_errSuccess)
        goto out;
    db->id = inst->next_db_id++;
    size_t n_name = strlen(name) + 1; /* < 64: db_name_ok */
    memcpy(db->name, name, n_name);
    engine__inst_path(inst, name, db->path);
    db->pgno_last = pages;
    db->hdr.page_size = inst->page_size;
    db->hdr.pgno_last = pages;
    db->hdr.signature = e->cfg.seed ^ (inst->serial << 20) ^ ((uint64_t)db->id << 8) ^ 0xDB;
    memcpy(db->hdr.name, name, n_name);
    if (ENGINE_FAULT(e, WRITE_EIO)) {
        err = JET_errDiskIO;
    } else {
        int rc = engine__db_create_file(e, inst, db);
        if (rc != STORE_OK)
            err = rc == STORE_ENOMEM ? JET_errOutOfMemory : JET_errDiskIO;
    }
    if (err != JET_errSuccess) {
        free(db);
        goto out;
    }
    inst->dbs[inst->n_dbs++] = db;
out:
    pthread_mutex_unlock(&inst->bk.crit);
    return err;
}

static JET_ERR fx_detach_database(void *ctx, JET_INSTANCE h, const char *name)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (name == NULL || name[0] == '\0')
        return JET_errInvalidParameter;
    pthread_mutex_lock(&inst->bk.crit);
    err = backup_blocks_attach(inst);
    if (err == JET_errSuccess) {
        err = JET_errDatabaseNotFound;
        for (uint32_t i = 0; i < inst->n_dbs; i++) {
            if (strcmp(inst->dbs[i]->name, engine__basename(name)) != 0)
                continue;
            engine__db_free(e, inst->dbs[i]); /* the file stays, as after a detach */
            memmove(&inst->dbs[i], &inst->dbs[i + 1], (inst->n_dbs - i - 1) * sizeof inst->dbs[0]);
            inst->n_dbs--;
            err = JET_errSuccess;
            break;
        }
    }
    pthread_mutex_unlock(&inst->bk.crit);
    return err;
}

static JET_ERR fx_roll_log(void *ctx, JET_INSTANCE h, uint32_t gen)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (!atomic_load(&inst->initialized))
        return JET_errNotInitialized;
    if (gen < inst->log_cur || gen - inst->log_cur > ENGINE_MAX_LOG_ROLL)
        return JET_errInvalidParameter;
    while (inst->log_cur < gen) {
        if (ENGINE_FAULT(e, WRITE_EIO))
            return JET_errDiskIO;
        int rc = engine__log_write(e, inst, inst->log_cur + 1);
        if (rc != STORE_OK)
            return rc == STORE_ENOSPC ? JET_errLogDiskFull : JET_errDiskIO;
        inst->log_cur++;
    }
    return JET_errSuccess;
}

static JET_ERR fx_set_checkpoint(void *ctx, JET_INSTANCE h, uint32_t gen)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (!atomic_load(&inst->initialized))
        return JET_errNotInitialized;
    if (gen == 0 || gen > inst->log_cur)
        return JET_errInvalidParameter;
    if (engine__chk_write(e, inst, gen) != STORE_OK)
        return JET_errDiskIO;
    inst->checkpoint = gen;
    return JET_errSuccess;
}

static JET_ERR fx_delete_log(void *ctx, JET_INSTANCE h, uint32_t gen)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    char path[ENGINE_PATH_MAX];
    JET_ERR err = engine__lookup(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (gen == 0)
        return JET_errInvalidParameter;
    engine__log_path(inst, gen, path);
    int rc = store_unlink(&e->store, path);
    if (rc == STORE_ENOENT)
        return JET_errFileNotFound;
    return rc == STORE_OK ? JET_errSuccess : JET_errDiskIO;
}

static JET_ERR fx_force_state(void *ctx, JET_INSTANCE h, uint32_t state)
{
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(ctx, h, &inst);
    if (err != JET_errSuccess)
        return err;
    switch ((enum backstop_state)state) {
    case BACKSTOP_STATE_UNAVAILABLE:
        atomic_store(&inst->unavailable_err, JET_errInstanceUnavailable);
        break;
    case BACKSTOP_STATE_UNAVAILABLE_LOG_FULL:
        atomic_store(&inst->unavailable_err, JET_errInstanceUnavailableDueToFatalLogDiskFull);
        break;
    case BACKSTOP_STATE_RESTORING:
        atomic_fetch_or(&inst->gate, ENGINE_GATE_RESTORE);
        break;
    case BACKSTOP_STATE_INITIALISING:
        atomic_fetch_or(&inst->gate, ENGINE_GATE_INIT);
        break;
    case BACKSTOP_STATE_TERMINATING:
        atomic_fetch_or(&inst->gate, ENGINE_GATE_TERM);
        break;
    case BACKSTOP_STATE_LOG_WRITE_FAIL:
        inst->log_write_fail = true;
        break;
    case BACKSTOP_STATE_LOG_DISK_FULL:
        inst->log_state_err = JET_errLogDiskFull;
        break;
    case BACKSTOP_STATE_LOG_SEQUENCE_END:
        inst->log_state_err = JET_errLogSequenceEnd;
        break;
    case BACKSTOP_STATE_NO_LOG:
        atomic_store(&inst->has_log, false);
        break;
    default:
        return JET_errInvalidParameter;
    }
    return JET_errSuccess;
}

static JET_ERR fx_arm_fault(void *ctx, const char *point, uint32_t nth)
{
    int rc = engine_fault_arm(ctx, point, ENGINE_FAULT_NTH, nth, 0.0);
    return rc == ENGINE_OK ? JET_errSuccess : JET_errInvalidParameter;
}

static JET_ERR fx_file_path(void *ctx, JET_INSTANCE h, uint32_t kind, const char *name,
                            uint32_t gen, char *buf, uint32_t cbBuf)
{
    struct eng_inst *inst;
    char path[ENGINE_PATH_MAX];
    JET_ERR err = engine__lookup(ctx, h, &inst);
    if (err != JET_errSuccess)
        return err;
    if (buf == NULL)
        return JET_errInvalidParameter;
    if (kind == BACKSTOP_FILE_DATABASE && db_name_ok(name))
        engine__inst_path(inst, name, path);
    else if (kind == BACKSTOP_FILE_LOG && gen != 0)
        engine__log_path(inst, gen, path);
    else
        return JET_errInvalidParameter;
    size_t n = strlen(path) + 1;
    if (n > cbBuf)
        return JET_errBufferTooSmall;
    memcpy(buf, path, n);
    return JET_errSuccess;
}

static JET_ERR fx_log_range(void *ctx, JET_INSTANCE h, uint32_t *plow, uint32_t *phigh)
{
    struct engine *e = ctx;
    struct eng_inst *inst;
    JET_ERR err = engine__lookup(e, h, &inst);
    if (err != JET_errSuccess)
        return err;
    uint32_t low = engine__log_lowest(e, inst);
    uint32_t high = low != 0 ? engine__log_highest(e, inst) : 0;
    if (plow != NULL)
        *plow = low;
    if (phigh != NULL)
        *phigh = high;
    return JET_errSuccess;
}

static JET_ERR fx_reset(void *ctx)
{
    return engine_reset(ctx) == ENGINE_OK ? JET_errSuccess : JET_errInternalError;
}

const struct jet_fixture engine_fixture = {
    .BackstopFixtureSetProfile = fx_set_profile,
    .BackstopFixtureSetPageSize = fx_set_page_size,
    .BackstopFixtureSetLogSize = fx_set_log_size,
    .BackstopFixtureConfigureInstance = fx_configure_instance,
    .BackstopFixtureCreateDatabase = fx_create_database,
    .BackstopFixtureDetachDatabase = fx_detach_database,
    .BackstopFixtureRollLog = fx_roll_log,
    .BackstopFixtureSetCheckpoint = fx_set_checkpoint,
    .BackstopFixtureDeleteLog = fx_delete_log,
    .BackstopFixtureForceState = fx_force_state,
    .BackstopFixtureArmFault = fx_arm_fault,
    .BackstopFixtureFilePath = fx_file_path,
    .BackstopFixtureLogRange = fx_log_range,
    .BackstopFixtureReset = fx_reset,
};
