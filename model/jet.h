/*
 * jet.h: the vocabulary of the ESE (esent.dll) streaming-backup API as backstop
 * sees it. It holds portable ABI types, every error code and grbit of spec §1 with
 * its exact value, the prototypes of the functions in scope, and the two function
 * tables an implementation fills:
 *
 *   struct jet_api      the Jet functions themselves, context-first, so that
 *                       several independent worlds (models, in-process engines)
 *                       can live in one process without globals;
 *   struct jet_fixture  backstop's setup extension: the few things the backup API
 *                       cannot do (create and attach a database of N pages, roll
 *                       the log, delete a log, arm a fault...).
 *
 * This header is free of model logic. It compiles alone, as C11 and as C++.
 *
 * Exported symbols of a shared library under test (loaded by `backstop run
 * --target PATH.so`): the Jet functions keep their real names and signatures
 * (JET_API_FUNCTIONS below lists them, and which are required). A third-party
 * library may also export the fixture functions as plain C symbols named in
 * BACKSTOP_FIXTURE_FUNCTIONS, e.g.
 *
 *     JET_ERR BackstopFixtureCreateDatabase(JET_INSTANCE inst,
 *                                           const char *name, uint32_t pages);
 *
 * Each fixture symbol is optional; a scenario step that needs a missing one is
 * SKIPped with that reason, and the rest of the suite still runs.
 */
#ifndef BACKSTOP_JET_H
#define BACKSTOP_JET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * ABI types. On Windows, unsigned long is 32 bits; JET_INSTANCE and JET_HANDLE
 * are pointer-sized (JET_API_PTR = ULONG_PTR).
 * ------------------------------------------------------------------------- */
#if defined(_WIN32) && !defined(_WIN64)
#define JET_API __stdcall
#else
#define JET_API
#endif

typedef int32_t JET_ERR;
typedef uintptr_t JET_API_PTR;
typedef JET_API_PTR JET_INSTANCE;
typedef JET_API_PTR JET_HANDLE;
typedef uint32_t JET_GRBIT;

#define JET_instanceNil (~(JET_INSTANCE)0)
#define JET_BASE_NAME_LENGTH 3

typedef struct {
    uint32_t cbSize; /* sizeof(JET_LOGINFO) */
    uint32_t ulGenLow;
    uint32_t ulGenHigh;
    char szBaseName[JET_BASE_NAME_LENGTH + 1];
} JET_LOGINFO;

/* ---------------------------------------------------------------------------
 * Error codes (spec §1.1). JET_ERRORS(X) lists them once, for name tables.
 * ------------------------------------------------------------------------- */
#define JET_ERRORS(X)                                      \
    X(JET_errSuccess, 0)                                   \
    X(JET_wrnNyi, -1)                                      \
    X(JET_errInternalError, -107)                          \
    X(JET_errBackupDirectoryNotEmpty, -504)                \
    X(JET_errBackupInProgress, -505)                       \
    X(JET_errRestoreInProgress, -506)                      \
    X(JET_errLogWriteFail, -510)                           \
    X(JET_errInvalidLogSequence, -515)                     \
    X(JET_errLoggingDisabled, -516)                        \
    X(JET_errLogSequenceEnd, -519)                         \
    X(JET_errNoBackup, -520)                               \
    X(JET_errInvalidBackupSequence, -521)                  \
    X(JET_errBackupNotAllowedYet, -523)                    \
    X(JET_errInvalidBackup, -526)                          \
    X(JET_errLogDiskFull, -529)                            \
    X(JET_errCheckpointCorrupt, -533)                      \
    X(JET_errCheckpointFileNotFound, -542)                 \
    X(JET_errRequiredLogFilesMissing, -543)                \
    X(JET_errMissingFullBackup, -560)                      \
    X(JET_errMissingFileToBackup, -569)                    \
    X(JET_errLogReadVerifyFailure, -612)                   \
    X(JET_errLogFileNotCopied, -616)                       \
    X(JET_errSurrogateBackupInProgress, -617)              \
    X(errBackupAbortByCaller, -800)                        \
    X(JET_errBackupAbortByServer, -801)                    \
    X(JET_errInvalidGrbit, -900)                           \
    X(JET_errTermInProgress, -1000)                        \
    X(JET_errInvalidParameter, -1003)                      \
    X(JET_errOutOfMemory, -1011)                           \
    X(JET_errReadVerifyFailure, -1018)                     \
    X(JET_errDiskIO, -1022)                                \
    X(JET_errInvalidPath, -1023)                           \
    X(JET_errNotInitialized, -1029)                        \
    X(JET_errAlreadyInitialized, -1030)                    \
    X(JET_errInitInProgress, -1031)                        \
    X(JET_errFileAccessDenied, -1032)                      \
    X(JET_errBufferTooSmall, -1038)                        \
    X(JET_errRunningInOneInstanceMode, -1080)              \
    X(JET_errRunningInMultiInstanceMode, -1081)            \
    X(JET_errInstanceNameInUse, -1086)                     \
    X(JET_errInstanceUnavailable, -1090)                   \
    X(JET_errInstanceUnavailableDueToFatalLogDiskFull, -1092) \
    X(JET_errInvalidInstance, -1115)                       \
    X(JET_errDirtyShutdown, -1116)                         \
    X(JET_errDatabaseNotFound, -1203)                      \
    X(JET_errTooManyInstances, -1214)                      \
    X(JET_errDatabaseAttachedForRecovery, -1231)           \
    X(JET_errClientRequestToStopJetService, -1329)         \
    X(JET_errFileNotFound, -1811)                          \
    X(JET_wrnFileOpenReadOnly, 1813)                       \
    X(JET_errRollbackError, -1917)                         \
    X(JET_errOSSnapshotNotAllowed, -2403)

#define JET__ERR_ENUM(name, value) name = (value),
enum { JET_ERRORS(JET__ERR_ENUM) JET__ERR_ENUM_END = 0 };
#undef JET__ERR_ENUM

/* ---------------------------------------------------------------------------
 * grbits and constants (spec §1.2). JET_GRBITS(X) lists them for name tables.
 * ------------------------------------------------------------------------- */
#define JET_GRBITS(X)                                   \
    X(JET_bitBackupIncremental, 0x00000001u)            \
    X(JET_bitKeepOldLogs, 0x00000002u)                  \
    X(JET_bitBackupAtomic, 0x00000004u)                 \
    X(JET_bitBackupFullWithAllLogs, 0x00000008u)        \
    X(JET_bitBackupSnapshot, 0x00000010u)               \
    X(JET_bitBackupSurrogate, 0x00000020u)              \
    X(JET_bitInternalCopy, 0x00000040u)                 \
    X(JET_bitBackupEndNormal, 0x0001u)                  \
    X(JET_bitBackupEndAbort, 0x0002u)                   \
    X(JET_bitBackupTruncateDone, 0x0100u)               \
    X(JET_bitBackupNoDbHeaderUpdate, 0x0200u)           \
    X(JET_bitTermComplete, 0x00000001u)                 \
    X(JET_bitTermAbrupt, 0x00000002u)                   \
    X(JET_bitTermStopBackup, 0x00000004u)               \
    X(JET_bitTermDirty, 0x00000008u)                    \
    X(JET_bitStopServiceAll, 0x00000000u)               \
    X(JET_bitStopServiceBackgroundUserTasks, 0x00000002u) \
    X(JET_bitStopServiceQuiesceCaches, 0x00000004u)     \
    X(JET_bitStopServiceStopAndEmitLog, 0x00000008u)    \
    X(JET_bitStopServiceResume, 0x80000000u)

#define JET__GRBIT_DEFINE(name, value) static const JET_GRBIT name = (value);
JET_GRBITS(JET__GRBIT_DEFINE)
#undef JET__GRBIT_DEFINE

#define JET_cpgDBReserved 2 /* header pages before page 1 (io.hxx:26) */
#define JET_crhfMax 1       /* open-file slots per backup context */

/* ---------------------------------------------------------------------------
 * The functions in scope. One list, used for the prototypes, the context-first
 * table and the loaders' shims:
 *
 *   X(name, need, (params), (args))   a function with parameters
 *   X0(name, need)                    a function taking no parameters
 *
 * need is JET_REQUIRED (a loader reports LOAD-ERROR if it is missing) or
 * JET_OPTIONAL (the cases that use it SKIP).
 * ------------------------------------------------------------------------- */
#define JET_REQUIRED 1
#define JET_OPTIONAL 0

#define JET_API_FUNCTIONS(X, X0)                                                            \
    X(JetCreateInstance, JET_REQUIRED, (JET_INSTANCE * pinstance, const char *szInstanceName), \
      (pinstance, szInstanceName))                                                          \
    X(JetInit, JET_REQUIRED, (JET_INSTANCE * pinstance), (pinstance))                       \
    X(JetTerm, JET_REQUIRED, (JET_INSTANCE instance), (instance))                           \
    X(JetTerm2, JET_OPTIONAL, (JET_INSTANCE instance, JET_GRBIT grbit), (instance, grbit))  \
    X(JetStopServiceInstance, JET_OPTIONAL, (JET_INSTANCE instance), (instance))            \
    X0(JetStopService, JET_OPTIONAL)                                                        \
    X(JetStopBackupInstance, JET_REQUIRED, (JET_INSTANCE instance), (instance))             \
    X0(JetStopBackup, JET_OPTIONAL)                                                         \
    X(JetBeginExternalBackupInstance, JET_REQUIRED, (JET_INSTANCE instance, JET_GRBIT grbit), \
      (instance, grbit))                                                                    \
    X(JetGetAttachInfoInstance, JET_REQUIRED,                                               \
      (JET_INSTANCE instance, char *szzDatabases, uint32_t cbMax, uint32_t *pcbActual),     \
      (instance, szzDatabases, cbMax, pcbActual))                                           \
    X(JetOpenFileInstance, JET_REQUIRED,                                                    \
      (JET_INSTANCE instance, const char *szFileName, JET_HANDLE *phfFile,                  \
       uint32_t *pulFileSizeLow, uint32_t *pulFileSizeHigh),                                \
      (instance, szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh))                     \
    X(JetReadFileInstance, JET_REQUIRED,                                                    \
      (JET_INSTANCE instance, JET_HANDLE hfFile, void *pv, uint32_t cb, uint32_t *pcbActual), \
      (instance, hfFile, pv, cb, pcbActual))                                                \
    X(JetCloseFileInstance, JET_REQUIRED, (JET_INSTANCE instance, JET_HANDLE hfFile),       \
      (instance, hfFile))                                                                   \
    X(JetGetLogInfoInstance, JET_REQUIRED,                                                  \
      (JET_INSTANCE instance, char *szzLogs, uint32_t cbMax, uint32_t *pcbActual),          \
      (instance, szzLogs, cbMax, pcbActual))                                                \
    X(JetGetLogInfoInstance2, JET_OPTIONAL,                                                 \
      (JET_INSTANCE instance, char *szzLogs, uint32_t cbMax, uint32_t *pcbActual,           \
       JET_LOGINFO *pLogInfo),                                                              \
      (instance, szzLogs, cbMax, pcbActual, pLogInfo))                                      \
    X(JetGetTruncateLogInfoInstance, JET_OPTIONAL,                                          \
      (JET_INSTANCE instance, char *szzLogs, uint32_t cbMax, uint32_t *pcbActual),          \
      (instance, szzLogs, cbMax, pcbActual))                                                \
    X(JetTruncateLogInstance, JET_REQUIRED, (JET_INSTANCE instance), (instance))            \
    X(JetEndExternalBackupInstance, JET_REQUIRED, (JET_INSTANCE instance), (instance))      \
    X(JetEndExternalBackupInstance2, JET_OPTIONAL, (JET_INSTANCE instance, JET_GRBIT grbit), \
      (instance, grbit))                                                                    \
    X(JetBeginExternalBackup, JET_OPTIONAL, (JET_GRBIT grbit), (grbit))                     \
    X(JetGetAttachInfo, JET_OPTIONAL, (char *szzDatabases, uint32_t cbMax, uint32_t *pcbActual), \
      (szzDatabases, cbMax, pcbActual))                                                     \
    X(JetOpenFile, JET_OPTIONAL,                                                            \
      (const char *szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,               \
       uint32_t *pulFileSizeHigh),                                                          \
      (szFileName, phfFile, pulFileSizeLow, pulFileSizeHigh))                               \
    X(JetReadFile, JET_OPTIONAL, (JET_HANDLE hfFile, void *pv, uint32_t cb, uint32_t *pcbActual), \
      (hfFile, pv, cb, pcbActual))                                                          \
    X(JetCloseFile, JET_OPTIONAL, (JET_HANDLE hfFile), (hfFile))                            \
    X(JetGetLogInfo, JET_OPTIONAL, (char *szzLogs, uint32_t cbMax, uint32_t *pcbActual),    \
      (szzLogs, cbMax, pcbActual))                                                          \
    X0(JetTruncateLog, JET_OPTIONAL)                                                        \
    X0(JetEndExternalBackup, JET_OPTIONAL)

/* The real prototypes (what esent.dll and libbackstop_engine.so export). */
#define JET__PROTO(name, need, params, args) JET_ERR JET_API name params;
#define JET__PROTO0(name, need) JET_ERR JET_API name(void);
JET_API_FUNCTIONS(JET__PROTO, JET__PROTO0)
#undef JET__PROTO
#undef JET__PROTO0

/* Prepend the context parameter to a parenthesised parameter list. */
#define JET__WITH_CTX(...) (void *ctx, __VA_ARGS__)

/*
 * struct jet_api: the Jet functions, each taking the implementation's context
 * first. An implementation fills every member it has and leaves the rest NULL.
 * Callers never call through it directly: the harness has one wrapper per call
 * (target_call), where calls are recorded and checked.
 */
#define JET__MEMBER(name, need, params, args) JET_ERR(*name) JET__WITH_CTX params;
#define JET__MEMBER0(name, need) JET_ERR (*name)(void *ctx);
struct jet_api {
    JET_API_FUNCTIONS(JET__MEMBER, JET__MEMBER0)
};
#undef JET__MEMBER
#undef JET__MEMBER0

/* ---------------------------------------------------------------------------
 * backstop's fixture extension (not part of ESE).
 *
 * Contracts (all return JET_errSuccess or a JET error; -1003 for a bad argument):
 *   BackstopFixtureSetProfile(profile)      "ese", "esent" or "documented"; an
 *                                           implementation that cannot act as the
 *                                           profile returns JET_wrnNyi.
 *   BackstopFixtureSetPageSize(cb)          database page size, before any instance.
 *   BackstopFixtureSetLogSize(cb)           bytes per log file, before any instance.
 *   BackstopFixtureConfigureInstance(i, f)  BACKSTOP_CFG_* flags, before JetInit.
 *   BackstopFixtureCreateDatabase(i, n, p)  create database n with pages 1..p and
 *                                           attach it; -505 while any backup is in
 *                                           progress (spec §4.14).
 *   BackstopFixtureDetachDatabase(i, n)     detach; -505 while a backup is in progress.
 *   BackstopFixtureRollLog(i, gen)          write log generations up to gen; gen
 *                                           becomes the current generation.
 *   BackstopFixtureSetCheckpoint(i, gen)    the checkpoint generation.
 *   BackstopFixtureDeleteLog(i, gen)        remove one log file (a "missing log").
 *   BackstopFixtureForceState(i, state)     BACKSTOP_STATE_*: states the API cannot
 *                                           reach (unavailable, restoring...).
 *   BackstopFixtureArmFault(point, nth)     fail the nth (0-based) later
 *                                           opportunity of a named fault point:
 *                                           "read.eio", "read.verify",
 *                                           "alloc.enomem", "logroll.enospc".
 *   BackstopFixtureFilePath(i, kind, n, gen, buf, cb)
 *                                           the name to pass to JetOpenFile for
 *                                           database n (kind 0) or log gen (kind 1).
 *   BackstopFixtureLogRange(i, plow, phigh) lowest and highest log generation on
 *                                           disk (0, 0 if none).
 *   BackstopFixtureReset()                  drop every instance and file.
 * ------------------------------------------------------------------------- */
#define BACKSTOP_CFG_LOGGING_OFF 0x1u
#define BACKSTOP_CFG_CIRCULAR_LOG 0x2u

enum backstop_state {
    BACKSTOP_STATE_UNAVAILABLE = 1,      /* gated calls: -1090 */
    BACKSTOP_STATE_UNAVAILABLE_LOG_FULL, /* gated calls: -1092 */
    BACKSTOP_STATE_RESTORING,            /* gated calls: -506 */
    BACKSTOP_STATE_INITIALISING,         /* gated calls: -1029 */
    BACKSTOP_STATE_TERMINATING,          /* gated calls: -1000 */
    BACKSTOP_STATE_LOG_WRITE_FAIL,       /* Begin: -510 */
    BACKSTOP_STATE_LOG_DISK_FULL,        /* Begin: -529 */
    BACKSTOP_STATE_LOG_SEQUENCE_END,     /* Begin: -519 */
    BACKSTOP_STATE_NO_LOG,               /* the unreachable "no log object" (§2.6) */
    BACKSTOP_STATE__COUNT
};

#define BACKSTOP_FILE_DATABASE 0u
#define BACKSTOP_FILE_LOG 1u

#define BACKSTOP_FIXTURE_FUNCTIONS(X, X0)                                                   \
    X(BackstopFixtureSetProfile, (const char *profile), (profile))                          \
    X(BackstopFixtureSetPageSize, (uint32_t cbPage), (cbPage))                              \
    X(BackstopFixtureSetLogSize, (uint32_t cbLog), (cbLog))                                 \
    X(BackstopFixtureConfigureInstance, (JET_INSTANCE instance, uint32_t flags),            \
      (instance, flags))                                                                    \
    X(BackstopFixtureCreateDatabase, (JET_INSTANCE instance, const char *name, uint32_t pages), \
      (instance, name, pages))                                                              \
    X(BackstopFixtureDetachDatabase, (JET_INSTANCE instance, const char *name),             \
      (instance, name))                                                                     \
    X(BackstopFixtureRollLog, (JET_INSTANCE instance, uint32_t gen), (instance, gen))       \
    X(BackstopFixtureSetCheckpoint, (JET_INSTANCE instance, uint32_t gen), (instance, gen)) \
    X(BackstopFixtureDeleteLog, (JET_INSTANCE instance, uint32_t gen), (instance, gen))     \
    X(BackstopFixtureForceState, (JET_INSTANCE instance, uint32_t state), (instance, state)) \
    X(BackstopFixtureArmFault, (const char *point, uint32_t nth), (point, nth))             \
    X(BackstopFixtureFilePath,                                                              \
      (JET_INSTANCE instance, uint32_t kind, const char *name, uint32_t gen, char *buf,     \
       uint32_t cbBuf),                                                                     \
      (instance, kind, name, gen, buf, cbBuf))                                              \
    X(BackstopFixtureLogRange, (JET_INSTANCE instance, uint32_t *pgenLow, uint32_t *pgenHigh), \
      (instance, pgenLow, pgenHigh))                                                        \
    X0(BackstopFixtureReset)

#define JET__FXPROTO(name, params, args) JET_ERR name params;
#define JET__FXPROTO0(name) JET_ERR name(void);
BACKSTOP_FIXTURE_FUNCTIONS(JET__FXPROTO, JET__FXPROTO0)
#undef JET__FXPROTO
#undef JET__FXPROTO0

/* struct jet_fixture: the fixture functions, context-first; NULL = unsupported. */
#define JET__FXMEMBER(name, params, args) JET_ERR(*name) JET__WITH_CTX params;
#define JET__FXMEMBER0(name) JET_ERR (*name)(void *ctx);
struct jet_fixture {
    BACKSTOP_FIXTURE_FUNCTIONS(JET__FXMEMBER, JET__FXMEMBER0)
};
#undef JET__FXMEMBER
#undef JET__FXMEMBER0

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_JET_H */
