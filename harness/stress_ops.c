/*
 * stress_ops.c: what the stress driver knows about operations: their classes
 * (Stop, streaming, gated, ...), which results certainly changed nothing
 * (for the online invariants), which overlaps admission allows (R55), whether
 * a target has a function, and file names in model terms for the history.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress_int.h"

/* ---- operation classes ------------------------------------------------------ */

bool stress__is_stop(enum model_op op)
{
    return op == MODEL_OP_STOP_BACKUP_INSTANCE || op == MODEL_OP_STOP_BACKUP;
}

bool stress__is_term(enum model_op op) { return op == MODEL_OP_TERM || op == MODEL_OP_TERM2; }

bool stress__is_streaming(enum model_op op)
{
    switch (op) {
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
        return true;
    default:
        return false;
    }
}

/* The calls that enter through the API gate (spec §0.4): JetTerm waits for them. */
bool stress__is_gated(enum model_op op)
{
    return stress__is_streaming(op) || op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY ||
           op == MODEL_OP_CLOSE_FILE || op == MODEL_OP_CLOSE_FILE_LEGACY || op == MODEL_OP_END ||
           op == MODEL_OP_END2 || op == MODEL_OP_END_LEGACY;
}

bool stress__is_close(enum model_op op)
{
    return op == MODEL_OP_CLOSE_FILE || op == MODEL_OP_CLOSE_FILE_LEGACY;
}

/* Errors of stages V, L, G (§2.3): nothing changed. */
static bool stress__gate_err(JET_ERR e)
{
    switch (e) {
    case JET_errInvalidParameter:
    case JET_errInvalidInstance:
    case JET_errTermInProgress:
    case JET_errNotInitialized:
    case JET_errClientRequestToStopJetService:
    case JET_errInstanceUnavailable:
    case JET_errInstanceUnavailableDueToFatalLogDiskFull:
    case JET_errRestoreInProgress:
    case JET_errRunningInMultiInstanceMode:
        return true;
    default:
        return false;
    }
}

/* True if a call that returned err certainly changed neither "a local backup
 * is in progress" nor `stop` (spec §4: early returns; no [cancels] path). */
bool stress__no_change(enum model_op op, JET_ERR err)
{
    if (stress__gate_err(err))
        return true;
    switch (op) {
    case MODEL_OP_BEGIN:
    case MODEL_OP_BEGIN_LEGACY: /* R28, R30: failures before the claim */
        return err == JET_errBackupInProgress || err == JET_errSurrogateBackupInProgress ||
               err == JET_errBackupNotAllowedYet || err == JET_errLoggingDisabled ||
               err == JET_errLogWriteFail || err == JET_errInvalidGrbit ||
               err == JET_errInvalidBackup || err == JET_errLogDiskFull ||
               err == JET_errLogSequenceEnd;
    case MODEL_OP_END:
    case MODEL_OP_END2:
    case MODEL_OP_END_LEGACY: /* 0 and -520 both reset (R21, R25); -1003 is R24 */
        return false;
    case MODEL_OP_TERM:
    case MODEL_OP_TERM2: /* -505 (R20) leaves the backup and stop alone */
        return err != JET_errSuccess && err != JET_errDirtyShutdown;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO: /* -1011 from list building cancels */
        return err == JET_errSuccess || err == JET_errNoBackup || err == JET_errBackupAbortByServer ||
               err == JET_errInvalidBackupSequence || err == JET_errLogDiskFull ||
               err == JET_errLogSequenceEnd || err == JET_errLogWriteFail;
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY: /* -521, -569 and I/O errors may cancel (R37, R38) */
        return err == JET_errSuccess || err == JET_errNoBackup || err == JET_errBackupAbortByServer ||
               err == JET_errOutOfMemory || err == JET_errDatabaseNotFound ||
               err == JET_errInvalidPath || err == JET_errBackupNotAllowedYet;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY: /* I/O errors may cancel (R41) */
        return err == JET_errSuccess || err == JET_errNoBackup || err == JET_errBackupAbortByServer ||
               err == JET_errBackupNotAllowedYet;
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_TRUNCATE_LOG_LEGACY: /* R47: no error cancels */
        return true;
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_CLOSE_FILE_LEGACY:
        return true;
    default:
        return false;
    }
}

/*
 * An incremental Begin, for admission. Begin against Begin is a defined
 * overlap (R52). A Begin that fails after its claim (-560: incremental
 * without a full backup, §4.1 step 15) shows its claim to a concurrent Begin
 * (-505) and then undoes it; the checker gives such a Begin a claim point and
 * an effect point (lincheck.c), so incremental Begins race like full ones.
 * The distinct admission operation remains for JetTerm's drain (it waits for
 * every Begin in flight).
 */
enum model_op stress__admission_op(const struct stress_call *c)
{
    if ((c->op == MODEL_OP_BEGIN || c->op == MODEL_OP_BEGIN_LEGACY) && (c->grbit & JET_bitBackupIncremental))
        return STRESS__OP_BEGIN_INC;
    return c->op;
}

bool stress__overlap_ok(enum model_op a, enum model_op b)
{
    a = a == STRESS__OP_BEGIN_INC ? MODEL_OP_BEGIN : a;
    b = b == STRESS__OP_BEGIN_INC ? MODEL_OP_BEGIN : b;
    if ((unsigned)a >= MODEL_OP__COUNT || (unsigned)b >= MODEL_OP__COUNT)
        return false; /* harness pseudo-operations overlap nothing */
    return model_overlap_defined(a, b) && model_overlap_defined(b, a);
}

bool stress__has(const struct target_ops *ops, enum model_op op)
{
    const struct jet_api *a = ops->api;
    const struct jet_fixture *f = ops->fixture;
    switch (op) {
    case MODEL_OP_CREATE_INSTANCE: return a->JetCreateInstance != NULL;
    case MODEL_OP_INIT: return a->JetInit != NULL;
    case MODEL_OP_TERM: return a->JetTerm != NULL;
    case MODEL_OP_TERM2: return a->JetTerm2 != NULL;
    case MODEL_OP_STOP_SERVICE_INSTANCE: return a->JetStopServiceInstance != NULL;
    case MODEL_OP_STOP_SERVICE: return a->JetStopService != NULL;
    case MODEL_OP_STOP_BACKUP_INSTANCE: return a->JetStopBackupInstance != NULL;
    case MODEL_OP_STOP_BACKUP: return a->JetStopBackup != NULL;
    case MODEL_OP_BEGIN: return a->JetBeginExternalBackupInstance != NULL;
    case MODEL_OP_GET_ATTACH_INFO: return a->JetGetAttachInfoInstance != NULL;
    case MODEL_OP_OPEN_FILE: return a->JetOpenFileInstance != NULL;
    case MODEL_OP_READ_FILE: return a->JetReadFileInstance != NULL;
    case MODEL_OP_CLOSE_FILE: return a->JetCloseFileInstance != NULL;
    case MODEL_OP_GET_LOG_INFO: return a->JetGetLogInfoInstance != NULL;
    case MODEL_OP_GET_LOG_INFO2: return a->JetGetLogInfoInstance2 != NULL;
    case MODEL_OP_GET_TRUNCATE_LOG_INFO: return a->JetGetTruncateLogInfoInstance != NULL;
    case MODEL_OP_TRUNCATE_LOG: return a->JetTruncateLogInstance != NULL;
    case MODEL_OP_END: return a->JetEndExternalBackupInstance != NULL;
    case MODEL_OP_END2: return a->JetEndExternalBackupInstance2 != NULL;
    case MODEL_OP_BEGIN_LEGACY: return a->JetBeginExternalBackup != NULL;
    case MODEL_OP_GET_ATTACH_INFO_LEGACY: return a->JetGetAttachInfo != NULL;
    case MODEL_OP_OPEN_FILE_LEGACY: return a->JetOpenFile != NULL;
    case MODEL_OP_READ_FILE_LEGACY: return a->JetReadFile != NULL;
    case MODEL_OP_CLOSE_FILE_LEGACY: return a->JetCloseFile != NULL;
    case MODEL_OP_GET_LOG_INFO_LEGACY: return a->JetGetLogInfo != NULL;
    case MODEL_OP_TRUNCATE_LOG_LEGACY: return a->JetTruncateLog != NULL;
    case MODEL_OP_END_LEGACY: return a->JetEndExternalBackup != NULL;
    case MODEL_OP_FX_CONFIGURE: return f && f->BackstopFixtureConfigureInstance;
    case MODEL_OP_FX_CREATE_DB: return f && f->BackstopFixtureCreateDatabase;
    case MODEL_OP_FX_DETACH_DB: return f && f->BackstopFixtureDetachDatabase;
    case MODEL_OP_FX_ROLL_LOG: return f && f->BackstopFixtureRollLog;
    case MODEL_OP_FX_SET_CHECKPOINT: return f && f->BackstopFixtureSetCheckpoint;
    case MODEL_OP_FX_DELETE_LOG: return f && f->BackstopFixtureDeleteLog;
    case MODEL_OP_FX_FORCE_STATE: return f && f->BackstopFixtureForceState;
    default: return false;
    }
}

/* ---- model-terms names ------------------------------------------------------ */

static const char *const stress__static_names[] = {"db1", "db2", "db3", "db4", "nosuch.db", "", NULL};

static const char *stress__log_name(struct stress_run *run, uint32_t gen)
{
    uint32_t b = gen / STRESS__NAMES_PER_BLOCK, i = gen % STRESS__NAMES_PER_BLOCK;
    const char *name = NULL;
    struct stress_names *nm = run->names;
    pthread_mutex_lock(&run->names_mu);
    if (b >= nm->n_blocks) {
        uint32_t n = b + 1;
        char **nb = realloc(nm->blocks, sizeof *nb * n);
        if (nb) {
            for (uint32_t k = nm->n_blocks; k < n; k++)
                nb[k] = NULL;
            nm->blocks = nb;
            nm->n_blocks = n;
        }
    }
    if (b < nm->n_blocks && !nm->blocks[b])
        nm->blocks[b] = calloc(STRESS__NAMES_PER_BLOCK, 16);
    if (b < nm->n_blocks && nm->blocks[b]) {
        char *p = nm->blocks[b] + (size_t)i * 16;
        if (!p[0])
            snprintf(p, 16, "edb%08" PRIX32 ".log", gen);
        name = p;
    }
    pthread_mutex_unlock(&run->names_mu);
    return name ? name : "edb?.log";
}

bool stress__parse_log_name(const char *base, uint32_t *gen)
{
    uint32_t g = 0;
    if (strncmp(base, "edb", 3) != 0 || strcmp(base + 11, ".log") != 0 || strlen(base) != 15)
        return false;
    for (int i = 3; i < 11; i++) {
        char c = base[i];
        uint32_t d = c >= '0' && c <= '9' ? (uint32_t)(c - '0') : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10) : 16;
        if (d == 16)
            return false;
        g = g << 4 | d;
    }
    *gen = g;
    return true;
}

const char *stress__model_name(struct stress_run *run, const char *path)
{
    const char *base;
    uint32_t gen;
    if (!path)
        return NULL;
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (int i = 0; stress__static_names[i]; i++)
        if (strcmp(base, stress__static_names[i]) == 0)
            return stress__static_names[i];
    if (stress__parse_log_name(base, &gen))
        return stress__log_name(run, gen);
    return "unknown.file";
}

void stress_names_free(struct stress_names *names)
{
    if (!names)
        return;
    for (uint32_t i = 0; i < names->n_blocks; i++)
        free(names->blocks[i]);
    free(names->blocks);
    free(names);
}

