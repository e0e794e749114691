/*
 * esent_fixture.c: the fixture for Windows' own esent.dll, which exports the
 * Jet API but none of backstop's BackstopFixture* functions. The loader offers
 * it every library without fixture exports (loader_int.h); it accepts one that
 * also exports the general ESE functions it is built from (sessions, databases,
 * tables, transactions, system parameters), i.e. a real ESE.
 *
 * What it does with the real API:
 *   JetCreateInstance  (wrapped) gives each new instance its own directory
 *                      under %TEMP%\backstop-esent-PID\ for its checkpoint,
 *                      logs and temporary database, and remembers the instance.
 *   CreateDatabase     JetBeginSession, JetCreateDatabase (which attaches it),
 *                      one table with a long-binary column, then one committed
 *                      insert of a page's worth of bytes per requested page.
 *   DetachDatabase     JetDetachDatabase.
 *   RollLog            JetCommitTransaction2 (or JetCommitTransaction before
 *                      Windows 8) with JET_bitForceNewLog, once per generation
 *                      still missing.
 *   FilePath, LogRange the instance's JET_paramSystemPath / JET_paramLogFilePath,
 *                      JET_paramBaseName and JET_paramLegacyFileNames give the
 *                      names ESE uses; LogRange lists the log directory.
 *   DeleteLog          deletes an archived log file (see below).
 *   SetPageSize, SetLogSize, ConfigureInstance
 *                      JetSetSystemParameter (page size, log size in KiB,
 *                      JET_paramRecovery "Off", JET_paramCircularLog).
 *   SetProfile         only "esent": esent.dll is what that profile describes.
 *   Reset              JetTerm2(JET_bitTermAbrupt) on every remembered instance,
 *                      deletes their directories, restores the page and log
 *                      sizes found at load time.
 *
 * What it cannot do, and so leaves NULL (the scenario steps that need them SKIP):
 *   ForceState     ESE has no way to put an instance into the unavailable,
 *                  restoring, log-disk-full... states on demand.
 *   SetCheckpoint  ESE moves its checkpoint by itself.
 *   ArmFault       ESE has no named fault points.
 * DeleteLog exists, but only for archived generations: the current log
 * (edb.log / edb.jtx) is held open by the instance, so deleting it answers
 * JET_errFileAccessDenied. Database sizes are ESE's own, not exactly the page
 * count asked for: scenario checks of file sizes will differ.
 *
 * Prototypes and constants below were taken from the public ESE headers and
 * export list (esent.h / jethdr.w, esent.def); every function is looked up by
 * its unsuffixed export name, which esent.dll aliases to the ANSI version.
 *
 * Compiled only on Windows; elsewhere this file is empty.
 */
#ifdef _WIN32

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_int.h"

/* ---------------------------------------------------------------------------
 * ESE types and constants not in jet.h (values from the public headers).
 * ------------------------------------------------------------------------- */

typedef JET_API_PTR esent_sesid;   /* JET_SESID */
typedef JET_API_PTR esent_tableid; /* JET_TABLEID */
typedef uint32_t esent_dbid;       /* JET_DBID: unsigned long */
typedef uint32_t esent_columnid;   /* JET_COLUMNID: unsigned long */

/* JET_COLUMNDEF: every field naturally aligned, 28 bytes under any packing. */
struct esent_columndef {
    uint32_t cbStruct;
    esent_columnid columnid;
    uint32_t coltyp;
    uint16_t wCountry;
    uint16_t langid;
    uint16_t cp;
    uint16_t wCollate;
    uint32_t cbMax;
    JET_GRBIT grbit;
};

#define ESENT_paramSystemPath 0u
#define ESENT_paramTempPath 1u
#define ESENT_paramLogFilePath 2u
#define ESENT_paramBaseName 3u
#define ESENT_paramLogFileSize 11u /* in KiB */
#define ESENT_paramCircularLog 17u
#define ESENT_paramRecovery 34u /* the string "On" or "Off" */
#define ESENT_paramDatabasePageSize 64u
#define ESENT_paramLegacyFileNames 136u

#define ESENT_bitESE98FileNames 0x00000001u          /* ".log" rather than ".jtx" */
#define ESENT_bitEightDotThreeSoftCompat 0x00000002u /* 5 hex digits while they suffice */

#define ESENT_bitForceNewLog 0x00000010u /* commit grbit, alone; Windows 7 and later */
#define ESENT_bitDbOverwriteExisting 0x00000200u
#define ESENT_bitTermAbrupt 0x00000002u
#define ESENT_prepInsert 0u
#define ESENT_coltypLongBinary 11u

/* Every export this adapter needs; the unsuffixed names are esent.dll's
 * aliases of the ANSI ("A") functions. */
#define ESENT_FUNCTIONS(X)                                                                   \
    X(JetCreateInstance, (JET_INSTANCE * pinstance, const char *szInstanceName))             \
    X(JetTerm, (JET_INSTANCE instance))                                                      \
    X(JetTerm2, (JET_INSTANCE instance, JET_GRBIT grbit))                                    \
    X(JetBeginSession, (JET_INSTANCE instance, esent_sesid * psesid, const char *szUserName,  \
                        const char *szPassword))                                              \
    X(JetEndSession, (esent_sesid sesid, JET_GRBIT grbit))                                   \
    X(JetCreateDatabase, (esent_sesid sesid, const char *szFilename, const char *szConnect,  \
                          esent_dbid *pdbid, JET_GRBIT grbit))                               \
    X(JetDetachDatabase, (esent_sesid sesid, const char *szFilename))                        \
    X(JetCloseDatabase, (esent_sesid sesid, esent_dbid dbid, JET_GRBIT grbit))               \
    X(JetCreateTable, (esent_sesid sesid, esent_dbid dbid, const char *szTableName,          \
                       uint32_t lPages, uint32_t lDensity, esent_tableid *ptableid))          \
    X(JetAddColumn, (esent_sesid sesid, esent_tableid tableid, const char *szColumnName,     \
                     const struct esent_columndef *pcolumndef, const void *pvDefault,        \
                     uint32_t cbDefault, esent_columnid *pcolumnid))                         \
    X(JetCloseTable, (esent_sesid sesid, esent_tableid tableid))                             \
    X(JetBeginTransaction, (esent_sesid sesid))                                              \
    X(JetCommitTransaction, (esent_sesid sesid, JET_GRBIT grbit))                            \
    X(JetRollback, (esent_sesid sesid, JET_GRBIT grbit))                                     \
    X(JetPrepareUpdate, (esent_sesid sesid, esent_tableid tableid, uint32_t prep))           \
    X(JetSetColumn, (esent_sesid sesid, esent_tableid tableid, esent_columnid columnid,      \
                     const void *pvData, uint32_t cbData, JET_GRBIT grbit, void *psetinfo))  \
    X(JetUpdate, (esent_sesid sesid, esent_tableid tableid, void *pvBookmark,                \
                  uint32_t cbBookmark, uint32_t *pcbActual))                                 \
    X(JetGetSystemParameter, (JET_INSTANCE instance, esent_sesid sesid, uint32_t paramid,    \
                              JET_API_PTR *plParam, char *szParam, uint32_t cbMax))          \
    X(JetSetSystemParameter, (JET_INSTANCE * pinstance, esent_sesid sesid, uint32_t paramid, \
                              JET_API_PTR lParam, const char *szParam))

#define ESENT_TYPE(name, params) typedef JET_ERR(JET_API *esent_##name##_fn) params;
ESENT_FUNCTIONS(ESENT_TYPE)
#undef ESENT_TYPE

/* Windows 8 and later; the commit-id out-parameter is optional (NULL). */
typedef JET_ERR(JET_API *esent_JetCommitTransaction2_fn)(esent_sesid sesid, JET_GRBIT grbit,
                                                          uint32_t cmsecDurableCommit,
                                                          void *pCommitId);

#define ESENT_MAX_INSTANCES 64

struct esent_state {
    struct {
#define ESENT_MEMBER(name, params) esent_##name##_fn name;
        ESENT_FUNCTIONS(ESENT_MEMBER)
#undef ESENT_MEMBER
    } fn;
    esent_JetCommitTransaction2_fn commit2; /* NULL before Windows 8 */
    char base[MAX_PATH];                    /* %TEMP%\backstop-esent-PID\ */
    JET_API_PTR default_page_size;          /* as found at load time; 0 = unknown */
    JET_API_PTR default_log_size;

    CRITICAL_SECTION lock; /* guards the fields below (instances may be created
                              from the threads of a parallel block) */
    unsigned n_dirs;       /* instance directories handed out so far */
    size_t n_instances;
    JET_INSTANCE instances[ESENT_MAX_INSTANCES];
};

static struct esent_state *state_of(void *ctx)
{
    return loader__adapter_state(ctx);
}

/* ---------------------------------------------------------------------------
 * Paths and names.
 * ------------------------------------------------------------------------- */

/* Copy with a bound: JET_errBufferTooSmall if it does not fit. */
static JET_ERR join(char *buf, size_t cb, const char *a, const char *b, const char *c)
{
    int n = snprintf(buf, cb, "%s%s%s", a, b != NULL ? b : "", c != NULL ? c : "");
    return n >= 0 && (size_t)n < cb ? JET_errSuccess : JET_errBufferTooSmall;
}

/* A directory parameter of the instance, ending in a backslash. */
static JET_ERR dir_param(struct esent_state *s, JET_INSTANCE inst, uint32_t paramid, char *buf,
                         size_t cb)
{
    JET_ERR err = s->fn.JetGetSystemParameter(inst, 0, paramid, NULL, buf, (uint32_t)cb - 1);
    if (err < 0)
        return err;
    buf[cb - 2] = '\0';
    size_t n = strlen(buf);
    if (n == 0)
        return join(buf, cb, ".\\", NULL, NULL);
    if (buf[n - 1] != '\\' && buf[n - 1] != '/') {
        buf[n] = '\\';
        buf[n + 1] = '\0';
    }
    return JET_errSuccess;
}

/* How this instance names its logs. */
struct log_naming {
    char dir[MAX_PATH];
    char base[8]; /* JET_BASE_NAME_LENGTH characters, e.g. "edb" */
    const char *ext;
    int digits; /* 5 (8.3 names while they fit) or 8 */
};

static JET_ERR log_naming(struct esent_state *s, JET_INSTANCE inst, struct log_naming *ln)
{
    JET_API_PTR legacy = 0;
    JET_ERR err = dir_param(s, inst, ESENT_paramLogFilePath, ln->dir, sizeof ln->dir);
    if (err < 0)
        return err;
    err = s->fn.JetGetSystemParameter(inst, 0, ESENT_paramBaseName, NULL, ln->base,
                                      (uint32_t)sizeof ln->base);
    if (err < 0)
        return err;
    ln->base[sizeof ln->base - 1] = '\0';
    err = s->fn.JetGetSystemParameter(inst, 0, ESENT_paramLegacyFileNames, &legacy, NULL, 0);
    if (err < 0)
        return err;
    ln->ext = (legacy & ESENT_bitESE98FileNames) ? ".log" : ".jtx";
    ln->digits = (legacy & ESENT_bitEightDotThreeSoftCompat) ? 5 : 8;
    return JET_errSuccess;
}

/* The archived log of generation gen: base, upper-case hex digits, extension.
 * 8.3 names switch to 8 digits past 0xFFFFF, as ESE does. */
static JET_ERR log_file_name(const struct log_naming *ln, uint32_t gen, char *buf, size_t cb)
{
    int digits = ln->digits == 5 && gen > 0xFFFFFu ? 8 : ln->digits;
    int n = snprintf(buf, cb, "%s%s%0*lX%s", ln->dir, ln->base, digits, (unsigned long)gen,
                     ln->ext);
    return n >= 0 && (size_t)n < cb ? JET_errSuccess : JET_errBufferTooSmall;
}

static bool ascii_prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++) {
        char a = *s, b = *prefix;
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* The logs on disk: the lowest archived generation, the current one, and
 * whether the current (unnumbered) log file exists. All 0 if there are none. */
struct log_scan {
    uint32_t low, high;
    bool have_current;
};

static JET_ERR scan_logs(const struct log_naming *ln, struct log_scan *out)
{
    char pattern[MAX_PATH];
    WIN32_FIND_DATAA fd;
    uint32_t min_gen = UINT32_MAX, max_gen = 0;
    size_t base_len = strlen(ln->base), ext_len = strlen(ln->ext);

    memset(out, 0, sizeof *out);
    if (join(pattern, sizeof pattern, ln->dir, ln->base, "*") < 0)
        return JET_errBufferTooSmall;
    HANDLE h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD code = GetLastError();
        return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND ? JET_errSuccess
                                                                            : JET_errDiskIO;
    }
    do {
        const char *name = fd.cFileName;
        size_t n = strlen(name);
        if ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || n < base_len + ext_len ||
            !ascii_prefix_nocase(name, ln->base) ||
            !ascii_prefix_nocase(name + n - ext_len, ln->ext))
            continue;
        size_t n_digits = n - base_len - ext_len;
        if (n_digits == 0) {
            out->have_current = true;
            continue;
        }
        if (n_digits != 5 && n_digits != 8)
            continue; /* edbtmp.log, edbres00001.jrs and the like */
        uint32_t gen = 0;
        bool hex = true;
        for (size_t i = 0; i < n_digits && hex; i++) {
            char c = name[base_len + i];
            int d = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            hex = d >= 0;
            gen = gen * 16 + (uint32_t)(d >= 0 ? d : 0);
        }
        if (!hex || gen == 0)
            continue;
        if (gen < min_gen)
            min_gen = gen;
        if (gen > max_gen)
            max_gen = gen;
    } while (FindNextFileA(h, &fd));
    FindClose(h);

    if (max_gen == 0 && !out->have_current)
        return JET_errSuccess;
    /* The current log is the generation after the newest archived one. */
    out->high = out->have_current ? max_gen + 1 : max_gen;
    out->low = max_gen > 0 ? min_gen : out->high;
    return JET_errSuccess;
}

/* Where database `name` of this instance lives: an absolute name as given,
 * anything else relative to the instance's system path. */
static JET_ERR database_path(struct esent_state *s, JET_INSTANCE inst, const char *name,
                             char *buf, size_t cb)
{
    char dir[MAX_PATH];
    if (name == NULL || name[0] == '\0')
        return JET_errInvalidParameter;
    if (name[0] == '\\' || name[0] == '/' || (name[0] != '\0' && name[1] == ':'))
        return join(buf, cb, name, NULL, NULL);
    JET_ERR err = dir_param(s, inst, ESENT_paramSystemPath, dir, sizeof dir);
    return err < 0 ? err : join(buf, cb, dir, name, NULL);
}

/* Delete everything under dir (which ends in a backslash), not following
 * junctions. Best effort: a file still open stays. */
static void remove_tree(const char *dir, int depth)
{
    char pattern[MAX_PATH], path[MAX_PATH];
    WIN32_FIND_DATAA fd;

    if (depth > 4 || join(pattern, sizeof pattern, dir, "*", NULL) < 0)
        return;
    HANDLE h = FindFirstFileA(pattern, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return;
    do {
        if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
            continue;
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
            if ((fd.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
                join(path, sizeof path, dir, fd.cFileName, "\\") < 0)
                continue;
            remove_tree(path, depth + 1);
            RemoveDirectoryA(path);
        } else if (join(path, sizeof path, dir, fd.cFileName, NULL) == JET_errSuccess) {
            DeleteFileA(path);
        }
    } while (FindNextFileA(h, &fd));
    FindClose(h);
}

/* ---------------------------------------------------------------------------
 * Instance bookkeeping: wrappers of JetCreateInstance, JetTerm, JetTerm2.
 * ------------------------------------------------------------------------- */

static void forget_instance(struct esent_state *s, JET_INSTANCE inst)
{
    EnterCriticalSection(&s->lock);
    for (size_t i = 0; i < s->n_instances; i++) {
        if (s->instances[i] == inst) {
            s->instances[i] = s->instances[--s->n_instances];
            break;
        }
    }
    LeaveCriticalSection(&s->lock);
}

static JET_ERR esent_create_instance(void *ctx, JET_INSTANCE *pinstance, const char *szInstanceName)
{
    struct esent_state *s = state_of(ctx);
    char dir[MAX_PATH];
    unsigned k;

    JET_ERR err = s->fn.JetCreateInstance(pinstance, szInstanceName);
    if (err < 0 || pinstance == NULL)
        return err;

    EnterCriticalSection(&s->lock);
    k = s->n_dirs++;
    LeaveCriticalSection(&s->lock);
    if (snprintf(dir, sizeof dir, "%si%u\\", s->base, k) >= (int)sizeof dir ||
        (!CreateDirectoryA(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)) {
        s->fn.JetTerm2(*pinstance, ESENT_bitTermAbrupt);
        return JET_errInvalidPath;
    }
    static const uint32_t paths[] = {ESENT_paramSystemPath, ESENT_paramLogFilePath,
                                     ESENT_paramTempPath};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        JET_ERR e = s->fn.JetSetSystemParameter(pinstance, 0, paths[i], 0, dir);
        if (e < 0) {
            s->fn.JetTerm2(*pinstance, ESENT_bitTermAbrupt);
            return e;
        }
    }

    EnterCriticalSection(&s->lock);
    if (s->n_instances < ESENT_MAX_INSTANCES)
        s->instances[s->n_instances++] = *pinstance;
    LeaveCriticalSection(&s->lock);
    return err;
}

static JET_ERR esent_term(void *ctx, JET_INSTANCE instance)
{
    struct esent_state *s = state_of(ctx);
    JET_ERR err = s->fn.JetTerm(instance);
    if (err >= 0)
        forget_instance(s, instance);
    return err;
}

static JET_ERR esent_term2(void *ctx, JET_INSTANCE instance, JET_GRBIT grbit)
{
    struct esent_state *s = state_of(ctx);
    JET_ERR err = s->fn.JetTerm2(instance, grbit);
    if (err >= 0)
        forget_instance(s, instance);
    return err;
}

/* ---------------------------------------------------------------------------
 * The fixture.
 * ------------------------------------------------------------------------- */

static JET_ERR fx_set_profile(void *ctx, const char *profile)
{
    (void)ctx;
    if (profile == NULL)
        return JET_errInvalidParameter;
    return strcmp(profile, "esent") == 0 ? JET_errSuccess : JET_wrnNyi;
}

static JET_ERR fx_set_page_size(void *ctx, uint32_t cbPage)
{
    return state_of(ctx)->fn.JetSetSystemParameter(NULL, 0, ESENT_paramDatabasePageSize, cbPage,
                                                   NULL);
}

static JET_ERR fx_set_log_size(void *ctx, uint32_t cbLog)
{
    if (cbLog == 0 || cbLog % 1024 != 0)
        return JET_errInvalidParameter;
    return state_of(ctx)->fn.JetSetSystemParameter(NULL, 0, ESENT_paramLogFileSize, cbLog / 1024,
                                                   NULL);
}

static JET_ERR fx_configure_instance(void *ctx, JET_INSTANCE instance, uint32_t flags)
{
    struct esent_state *s = state_of(ctx);
    JET_ERR err = JET_errSuccess;

    if (flags & ~(BACKSTOP_CFG_LOGGING_OFF | BACKSTOP_CFG_CIRCULAR_LOG))
        return JET_errInvalidParameter;
    if (flags & BACKSTOP_CFG_LOGGING_OFF)
        err = s->fn.JetSetSystemParameter(&instance, 0, ESENT_paramRecovery, 0, "Off");
    if (err >= 0 && (flags & BACKSTOP_CFG_CIRCULAR_LOG))
        err = s->fn.JetSetSystemParameter(&instance, 0, ESENT_paramCircularLog, 1, NULL);
    return err;
}

static JET_ERR fx_create_database(void *ctx, JET_INSTANCE instance, const char *name,
                                  uint32_t pages)
{
    struct esent_state *s = state_of(ctx);
    char path[MAX_PATH];
    esent_sesid sesid = 0;
    esent_dbid dbid = 0;
    esent_tableid tableid = 0;
    esent_columnid columnid = 0;
    JET_API_PTR cb_page = 0;
    unsigned char *row = NULL;
    bool have_session = false, have_db = false, have_table = false, in_trx = false;
    JET_ERR err;

    err = database_path(s, instance, name, path, sizeof path);
    if (err < 0)
        return err;
    err = s->fn.JetBeginSession(instance, &sesid, NULL, NULL);
    if (err < 0)
        goto fail;
    have_session = true;
    err = s->fn.JetCreateDatabase(sesid, path, NULL, &dbid, ESENT_bitDbOverwriteExisting);
    if (err < 0)
        goto fail;
    have_db = true;

    err = s->fn.JetBeginTransaction(sesid);
    if (err < 0)
        goto fail;
    in_trx = true;
    err = s->fn.JetCreateTable(sesid, dbid, "backstop", pages, 0, &tableid);
    if (err < 0)
        goto fail;
    have_table = true;
    {
        struct esent_columndef def = {.cbStruct = (uint32_t)sizeof def,
                                      .coltyp = ESENT_coltypLongBinary};
        err = s->fn.JetAddColumn(sesid, tableid, "data", &def, NULL, 0, &columnid);
        if (err < 0)
            goto fail;
    }
    err = s->fn.JetCommitTransaction(sesid, 0);
    if (err < 0)
        goto fail;
    in_trx = false;

    /* One committed row of a page's worth of bytes per requested page. */
    err = s->fn.JetGetSystemParameter(instance, 0, ESENT_paramDatabasePageSize, &cb_page, NULL,
                                      0);
    if (err < 0)
        goto fail;
    if (cb_page == 0 || cb_page > (1u << 20)) {
        err = JET_errInternalError;
        goto fail;
    }
    row = malloc((size_t)cb_page);
    if (row == NULL) {
        err = JET_errOutOfMemory;
        goto fail;
    }
    for (uint32_t p = 0; p < pages; p++) {
        for (size_t i = 0; i < (size_t)cb_page; i++)
            row[i] = (unsigned char)(p * 31u + i);
        err = s->fn.JetBeginTransaction(sesid);
        if (err < 0)
            goto fail;
        in_trx = true;
        err = s->fn.JetPrepareUpdate(sesid, tableid, ESENT_prepInsert);
        if (err >= 0)
            err = s->fn.JetSetColumn(sesid, tableid, columnid, row, (uint32_t)cb_page, 0, NULL);
        if (err >= 0)
            err = s->fn.JetUpdate(sesid, tableid, NULL, 0, NULL);
        if (err >= 0)
            err = s->fn.JetCommitTransaction(sesid, 0);
        if (err < 0)
            goto fail;
        in_trx = false;
    }
    err = JET_errSuccess;

fail:
    if (in_trx)
        s->fn.JetRollback(sesid, 0);
    if (have_table)
        s->fn.JetCloseTable(sesid, tableid);
    if (have_db)
        s->fn.JetCloseDatabase(sesid, dbid, 0); /* closes; the database stays attached */
    if (have_session)
        s->fn.JetEndSession(sesid, 0);
    free(row);
    return err;
}

static JET_ERR fx_detach_database(void *ctx, JET_INSTANCE instance, const char *name)
{
    struct esent_state *s = state_of(ctx);
    char path[MAX_PATH];
    esent_sesid sesid = 0;

    JET_ERR err = database_path(s, instance, name, path, sizeof path);
    if (err < 0)
        return err;
    err = s->fn.JetBeginSession(instance, &sesid, NULL, NULL);
    if (err < 0)
        return err;
    err = s->fn.JetDetachDatabase(sesid, path);
    s->fn.JetEndSession(sesid, 0);
    return err;
}

static JET_ERR fx_log_range(void *ctx, JET_INSTANCE instance, uint32_t *pgenLow,
                            uint32_t *pgenHigh)
{
    struct log_naming ln;
    struct log_scan scan;
    if (pgenLow == NULL || pgenHigh == NULL)
        return JET_errInvalidParameter;
    JET_ERR err = log_naming(state_of(ctx), instance, &ln);
    if (err >= 0)
        err = scan_logs(&ln, &scan);
    if (err < 0)
        return err;
    *pgenLow = scan.low;
    *pgenHigh = scan.high;
    return JET_errSuccess;
}

/* Roll exactly as many times as generations are missing: the new log may not
 * be visible in the directory at once, so never roll "until it shows". */
static JET_ERR fx_roll_log(void *ctx, JET_INSTANCE instance, uint32_t gen)
{
    struct esent_state *s = state_of(ctx);
    struct log_naming ln;
    struct log_scan scan;
    esent_sesid sesid = 0;

    JET_ERR err = log_naming(s, instance, &ln);
    if (err >= 0)
        err = scan_logs(&ln, &scan);
    if (err < 0)
        return err;
    if (gen < scan.high)
        return JET_errInvalidParameter; /* a log cannot go back */
    if (gen == scan.high)
        return JET_errSuccess;
    err = s->fn.JetBeginSession(instance, &sesid, NULL, NULL);
    if (err < 0)
        return err;
    for (uint32_t g = scan.high; g < gen && err >= 0; g++)
        err = s->commit2 != NULL ? s->commit2(sesid, ESENT_bitForceNewLog, 0, NULL)
                                 : s->fn.JetCommitTransaction(sesid, ESENT_bitForceNewLog);
    s->fn.JetEndSession(sesid, 0);
    return err < 0 ? err : JET_errSuccess;
}

static JET_ERR fx_delete_log(void *ctx, JET_INSTANCE instance, uint32_t gen)
{
    struct log_naming ln;
    struct log_scan scan;
    char path[MAX_PATH];

    JET_ERR err = log_naming(state_of(ctx), instance, &ln);
    if (err >= 0)
        err = scan_logs(&ln, &scan);
    if (err < 0)
        return err;
    if (scan.have_current && gen == scan.high)
        return JET_errFileAccessDenied; /* the instance holds the current log open */
    err = log_file_name(&ln, gen, path, sizeof path);
    if (err < 0)
        return err;
    if (!DeleteFileA(path))
        return GetLastError() == ERROR_FILE_NOT_FOUND ? JET_errFileNotFound
                                                      : JET_errFileAccessDenied;
    return JET_errSuccess;
}

static JET_ERR fx_file_path(void *ctx, JET_INSTANCE instance, uint32_t kind, const char *name,
                            uint32_t gen, char *buf, uint32_t cbBuf)
{
    struct esent_state *s = state_of(ctx);
    struct log_naming ln;
    struct log_scan scan;
    JET_ERR err;

    if (buf == NULL || cbBuf == 0)
        return JET_errInvalidParameter;
    if (kind == BACKSTOP_FILE_DATABASE)
        return database_path(s, instance, name, buf, cbBuf);
    if (kind != BACKSTOP_FILE_LOG)
        return JET_errInvalidParameter;
    err = log_naming(s, instance, &ln);
    if (err >= 0)
        err = scan_logs(&ln, &scan);
    if (err < 0)
        return err;
    if (scan.have_current && gen == scan.high)
        return join(buf, cbBuf, ln.dir, ln.base, ln.ext);
    return log_file_name(&ln, gen, buf, cbBuf);
}

/* Terminate every instance made through the wrapper, delete their files and
 * restore the global sizes. Shared by Reset and detach. */
static void reset_state(struct esent_state *s)
{
    JET_INSTANCE doomed[ESENT_MAX_INSTANCES];
    size_t n;

    EnterCriticalSection(&s->lock);
    n = s->n_instances;
    memcpy(doomed, s->instances, n * sizeof doomed[0]);
    s->n_instances = 0;
    LeaveCriticalSection(&s->lock);

    for (size_t i = 0; i < n; i++)
        s->fn.JetTerm2(doomed[i], ESENT_bitTermAbrupt);
    remove_tree(s->base, 0);
    if (s->default_page_size != 0)
        s->fn.JetSetSystemParameter(NULL, 0, ESENT_paramDatabasePageSize, s->default_page_size,
                                    NULL);
    if (s->default_log_size != 0)
        s->fn.JetSetSystemParameter(NULL, 0, ESENT_paramLogFileSize, s->default_log_size, NULL);
}

static JET_ERR fx_reset(void *ctx)
{
    reset_state(state_of(ctx));
    return JET_errSuccess;
}

/* ---------------------------------------------------------------------------
 * The adapter.
 * ------------------------------------------------------------------------- */

static int esent_attach(void *ctx, void **state)
{
    struct esent_state *s = calloc(1, sizeof *s);
    char tmp[MAX_PATH];
    bool complete = true;

    if (s == NULL)
        return -1;
#define ESENT_RESOLVE(name, params)                                        \
    s->fn.name = (esent_##name##_fn)loader__symbol(ctx, #name);           \
    complete = complete && s->fn.name != NULL;
    ESENT_FUNCTIONS(ESENT_RESOLVE)
#undef ESENT_RESOLVE
    s->commit2 = (esent_JetCommitTransaction2_fn)loader__symbol(ctx, "JetCommitTransaction2");

    DWORD n = GetTempPathA((DWORD)sizeof tmp, tmp);
    if (!complete || n == 0 || n >= sizeof tmp ||
        snprintf(s->base, sizeof s->base, "%sbackstop-esent-%lu\\", tmp,
                 (unsigned long)GetCurrentProcessId()) >= (int)sizeof s->base ||
        (!CreateDirectoryA(s->base, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)) {
        free(s);
        return -1;
    }
    /* Instance 0 and session 0 read the global values. */
    if (s->fn.JetGetSystemParameter(0, 0, ESENT_paramDatabasePageSize, &s->default_page_size,
                                    NULL, 0) < 0)
        s->default_page_size = 0;
    if (s->fn.JetGetSystemParameter(0, 0, ESENT_paramLogFileSize, &s->default_log_size, NULL,
                                    0) < 0)
        s->default_log_size = 0;
    InitializeCriticalSection(&s->lock);
    *state = s;
    return 0;
}

static void esent_detach(void *state)
{
    struct esent_state *s = state;
    if (s == NULL)
        return;
    reset_state(s);
    RemoveDirectoryA(s->base);
    DeleteCriticalSection(&s->lock);
    free(s);
}

static const struct jet_fixture esent_fixture = {
    .BackstopFixtureSetProfile = fx_set_profile,
    .BackstopFixtureSetPageSize = fx_set_page_size,
    .BackstopFixtureSetLogSize = fx_set_log_size,
    .BackstopFixtureConfigureInstance = fx_configure_instance,
    .BackstopFixtureCreateDatabase = fx_create_database,
    .BackstopFixtureDetachDatabase = fx_detach_database,
    .BackstopFixtureRollLog = fx_roll_log,
    .BackstopFixtureSetCheckpoint = NULL, /* ESE moves its checkpoint itself */
    .BackstopFixtureDeleteLog = fx_delete_log,
    .BackstopFixtureForceState = NULL, /* no way to force ESE's states */
    .BackstopFixtureArmFault = NULL,   /* no named fault points in ESE */
    .BackstopFixtureFilePath = fx_file_path,
    .BackstopFixtureLogRange = fx_log_range,
    .BackstopFixtureReset = fx_reset,
};

static const struct jet_api esent_wrappers = {
    .JetCreateInstance = esent_create_instance,
    .JetTerm = esent_term,
    .JetTerm2 = esent_term2,
};

const struct loader__adapter loader__esent_adapter = {
    .name = "esent",
    .attach = esent_attach,
    .detach = esent_detach,
    .fixture = &esent_fixture,
    .api = &esent_wrappers,
};

#else
/* ISO C wants at least one declaration in a translation unit. */
typedef int esent_fixture__not_windows;
#endif /* _WIN32 */
