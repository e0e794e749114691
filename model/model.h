/*
 * model.h: the pure sequential reference model of ESE's instance backup state
 * machine (spec ../shared/spec/ese-backup-spec.md). It is the oracle.
 *
 * A world holds the run mode, the instance table (with a hash of each
 * instance's name), each instance's lifecycle and backup context (spec §3), and
 * abstract files (attached databases with page counts, the files of detached
 * ones, log generations, checkpoint, page size). model_step() applies one call
 * and says what it returned, its out-parameters, and which rule ids decided it.
 *
 * Contract: deterministic; no I/O, no threads, no globals, no allocation after
 * model_world_init(). A world is a plain block of model_world_size() bytes that
 * the caller owns; copy it with model_world_copy() (a memcpy: no pointers inside).
 * Not thread-safe: one world per thread, or external locking.
 *
 * Not for: concurrency. The model is sequential; the harness linearises.
 */
#ifndef BACKSTOP_MODEL_H
#define BACKSTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of a world. Calls beyond them fail with JET_errTooManyInstances (-1214)
 * or JET_errOutOfMemory (-1011) and change nothing. */
#define MODEL_MAX_INSTANCES 8
#define MODEL_MAX_DATABASES 4
#define MODEL_MAX_NAME 32 /* including the NUL */
#define MODEL_MAX_RULES 6

/* Profiles (spec §0.3, §7). */
enum model_profile {
    MODEL_PROFILE_ESE = 0,    /* retail source behaviour, -1003 for a bad handle */
    MODEL_PROFILE_ESENT,      /* source behaviour with handle validation: -1115 */
    MODEL_PROFILE_DOCUMENTED, /* where D1-D17 disagree, the docs' answer */
    MODEL_PROFILE__COUNT
};
const char *model_profile_name(enum model_profile p);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int model_profile_parse(const char *name, enum model_profile *out);

/* Every operation the model knows: the Jet API, then the fixture. */
#define MODEL_OPS(X)                                              \
    X(CREATE_INSTANCE, "JetCreateInstance")                       \
    X(INIT, "JetInit")                                            \
    X(TERM, "JetTerm")                                            \
    X(TERM2, "JetTerm2")                                          \
    X(STOP_SERVICE_INSTANCE, "JetStopServiceInstance")            \
    X(STOP_SERVICE, "JetStopService")                             \
    X(STOP_BACKUP_INSTANCE, "JetStopBackupInstance")              \
    X(STOP_BACKUP, "JetStopBackup")                               \
    X(BEGIN, "JetBeginExternalBackupInstance")                    \
    X(GET_ATTACH_INFO, "JetGetAttachInfoInstance")                \
    X(OPEN_FILE, "JetOpenFileInstance")                           \
    X(READ_FILE, "JetReadFileInstance")                           \
    X(CLOSE_FILE, "JetCloseFileInstance")                         \
    X(GET_LOG_INFO, "JetGetLogInfoInstance")                      \
    X(GET_LOG_INFO2, "JetGetLogInfoInstance2")                    \
    X(GET_TRUNCATE_LOG_INFO, "JetGetTruncateLogInfoInstance")     \
    X(TRUNCATE_LOG, "JetTruncateLogInstance")                     \
    X(END, "JetEndExternalBackupInstance")                        \
    X(END2, "JetEndExternalBackupInstance2")                      \
    X(BEGIN_LEGACY, "JetBeginExternalBackup")                     \
    X(GET_ATTACH_INFO_LEGACY, "JetGetAttachInfo")                 \
    X(OPEN_FILE_LEGACY, "JetOpenFile")                            \
    X(READ_FILE_LEGACY, "JetReadFile")                            \
    X(CLOSE_FILE_LEGACY, "JetCloseFile")                          \
    X(GET_LOG_INFO_LEGACY, "JetGetLogInfo")                       \
    X(TRUNCATE_LOG_LEGACY, "JetTruncateLog")                      \
    X(END_LEGACY, "JetEndExternalBackup")                         \
    X(FX_CONFIGURE, "configure")                                  \
    X(FX_CREATE_DB, "database")                                   \
    X(FX_DETACH_DB, "detach")                                     \
    X(FX_ROLL_LOG, "roll-log")                                    \
    X(FX_SET_CHECKPOINT, "checkpoint")                            \
    X(FX_DELETE_LOG, "delete-log")                                \
    X(FX_FORCE_STATE, "force-state")

#define MODEL__OP_ENUM(id, name) MODEL_OP_##id,
enum model_op { MODEL_OPS(MODEL__OP_ENUM) MODEL_OP__COUNT };
#undef MODEL__OP_ENUM

/* The Jet name ("JetReadFileInstance") or fixture name of an operation. */
const char *model_op_name(enum model_op op);
/* Returns 0 and sets *out for an exact name, -1 otherwise. */
int model_op_parse(const char *name, enum model_op *out);
/* True for the no-instance legacy variants (spec §2.5) and JetStopBackup/Service. */
bool model_op_is_legacy(enum model_op op);
/* True for operations that go through the fixture rather than the Jet API. */
bool model_op_is_fixture(enum model_op op);

/* Faults that fired inside a call (spec §9, "errors to inject"). The model applies
 * the spec's consequence only if the call got as far as the faulting step;
 * otherwise the fault is ignored and the result's `fault_used` is false. */
enum model_fault {
    MODEL_FAULT_NONE = 0,
    MODEL_FAULT_READ_IO,     /* ReadFile I/O error: -1022, R41 */
    MODEL_FAULT_READ_VERIFY, /* ReadFile checksum error: -1018, R41 */
    MODEL_FAULT_NOMEM,       /* list building or name copy out of memory: -1011 */
    MODEL_FAULT_LOG_ROLL,    /* log preparation in GetLogInfo fails: -529, no cancel */
    MODEL_FAULT_OPEN_IO,     /* OpenFile's file open fails: -1022; phase Databases keeps
                                the backup (the database leaves the session), phase
                                LogsAndPatches cancels it (§4.3) */
    MODEL_FAULT__COUNT
};
const char *model_fault_name(enum model_fault f);

/* Bits of model_call.flags. */
#define MODEL_CALL_BUF_NULL 0x01u       /* the list/read buffer is NULL */
#define MODEL_CALL_BUF_MISALIGNED 0x02u /* ReadFile buffer not OS-page aligned */
#define MODEL_CALL_PCB_NULL 0x04u       /* pcbActual is NULL */
#define MODEL_CALL_NAME_NULL 0x08u      /* OpenFile name is NULL */
#define MODEL_CALL_PINST_NULL 0x10u     /* JetInit / JetCreateInstance with NULL pointer */

/* One call. `inst` is the handle as passed (JetInit: the value *pinstance held). */
struct model_call {
    enum model_op op;
    JET_INSTANCE inst;
    JET_GRBIT grbit;       /* Begin, End2, Term2 */
    JET_HANDLE hf;         /* ReadFile, CloseFile */
    uint32_t cb_max;       /* list or read buffer size in bytes */
    uint32_t flags;        /* MODEL_CALL_* */
    const char *name;      /* OpenFile file name; database name for fixture calls;
                              JetCreateInstance's instance name (NULL: none);
                              not retained after the call */
    uint32_t arg;          /* pages (database), gen (roll-log, checkpoint, delete-log),
                              enum backstop_state (force-state), BACKSTOP_CFG_* (configure) */
    enum model_fault fault;
};

/* Which out-parameters a result defines (model_result.outs). */
#define MODEL_OUT_INST 0x01u  /* inst: JetCreateInstance, JetInit */
#define MODEL_OUT_HF 0x02u    /* hf and size: JetOpenFile */
#define MODEL_OUT_CB 0x04u    /* cb_actual: ReadFile bytes, or list pcbActual */
#define MODEL_OUT_LIST 0x08u  /* n_entries: list calls */
#define MODEL_OUT_GENS 0x10u  /* gen_low, gen_high: GetLogInfoInstance2 */

struct model_result {
    JET_ERR err;
    uint32_t outs;        /* MODEL_OUT_* */
    JET_INSTANCE inst;
    JET_HANDLE hf;
    uint64_t size;        /* OpenFile: the file size as streamed (spec §3.3) */
    uint32_t cb_actual;
    uint32_t n_entries;   /* names in the full list */
    uint32_t gen_low, gen_high;
    bool fault_used;      /* the injected fault took effect */
    bool cancelled;       /* the call ran cleanup ([cancels], §4.9.3) */
    bool undefined;       /* the source leaves the outcome undefined (D7: ReadFile on a
                           * slot other than the open slot 0, or on a slot a cleanup
                           * left stale): err is the model's pick (-1003) and the world
                           * does not change, but any answer of a target conforms */
    uint8_t n_rules;
    uint8_t rules[MODEL_MAX_RULES]; /* rule numbers 1..55 that decided the result */
};

struct model_config {
    enum model_profile profile;
    uint32_t page_size; /* database page size; 0 means 4096 */
    uint32_t os_page;   /* ReadFile alignment; 0 means 4096 */
    uint32_t log_size;  /* bytes per log file; 0 means 65536 */
};

struct model_world; /* opaque, fixed size, pointer-free */

size_t model_world_size(void);
/* Initialise `w` (model_world_size() bytes) as an empty NoSet world. */
void model_world_init(struct model_world *w, const struct model_config *cfg);
void model_world_copy(struct model_world *dst, const struct model_world *src);
bool model_world_equal(const struct model_world *a, const struct model_world *b);

/* Apply one call; fill *r. Never fails: every outcome is a JET_ERR in r->err. */
void model_step(struct model_world *w, const struct model_call *c, struct model_result *r);

/* State fingerprints (64-bit hash of every field). The instance fingerprint is 0
 * for a handle that names no live instance. */
uint64_t model_fingerprint(const struct model_world *w);
uint64_t model_fingerprint_instance(const struct model_world *w, JET_INSTANCE inst);
/* The instances the table holds, live in any state (JetCreateInstance and
 * JetInit return -1214 once it is MODEL_MAX_INSTANCES, jetapi.cxx ErrNewInst). */
unsigned model_instance_count(const struct model_world *w);

/* Write the szz list a successful GetAttachInfo (which=0), GetLogInfo (1) or
 * GetTruncateLogInfo (2) would return, in the model's naming: databases by their
 * fixture names, logs as "edbXXXXXXXX.log" (8 upper-case hex digits). Copies at
 * most cb bytes; returns the full size including the final extra NUL, or 0 when
 * no backup is in progress. */
uint32_t model_list(const struct model_world *w, JET_INSTANCE inst, int which, char *buf,
                    uint32_t cb);

/* R55, §6.3-6.4: may a call `a` be in flight on an instance while a call `b`
 * starts on the same instance? True only for the overlaps the spec defines:
 * Stop with anything; Begin with Begin; JetTerm with gated calls; calls on
 * different instances are always defined (the caller checks that). */
bool model_overlap_defined(enum model_op a, enum model_op b);

/* A read-only view of one instance, for tests and reports. */
enum model_phase { MODEL_PHASE_NOT_STARTED = 0, MODEL_PHASE_DATABASES, MODEL_PHASE_LOGS, MODEL_PHASE_DONE };
enum model_mode { MODEL_MODE_NOSET = 0, MODEL_MODE_ONE, MODEL_MODE_MULTI };
enum model_life {
    MODEL_LIFE_CREATED = 1, /* created, not initialised */
    MODEL_LIFE_RUNNING,
    MODEL_LIFE_TERMINATED   /* freed; handle no longer in the table */
};

struct model_view {
    bool found;             /* the handle names an instance in the table */
    enum model_life life;
    bool backup_allowed, service_stopped, logging_disabled, circular, has_log;
    uint32_t forced_state;  /* enum backstop_state or 0 */
    bool in_progress_any, in_progress_local, stop, full, logs_truncated, began_new_log;
    enum model_phase phase;
    bool slot_in_use, slot_is_db, slot_is_log;
    uint64_t slot_ib, slot_cb;
    uint32_t slot_lgen, slots_ever_used;
    uint32_t copy_mic, copy_mac, delete_mic, delete_mac, gen_copy_done;
    uint32_t log_low, log_current, checkpoint; /* log generations on disk: [low, current] */
    uint32_t n_databases;
};
enum model_mode model_mode(const struct model_world *w);
void model_view(const struct model_world *w, JET_INSTANCE inst, struct model_view *out);

/* Rule ids: "R16" etc. Returns a static string for n in 1..55, else "R?". */
const char *model_rule_name(unsigned n);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_MODEL_H */
