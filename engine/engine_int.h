/*
 * engine_int.h: what the engine's source files share and nobody else sees: the
 * engine, instance and backup-context structures, the gate (stages V, L, G of
 * spec §2.3), file formats, and the named mutation points.
 *
 * Threads (spec §6). A backup client calls the Jet functions of one instance one
 * at a time; besides it, the defined overlaps of §6.3 may run on other threads:
 * Stop (and StopService) at any time, concurrent Begins, and JetTerm against
 * gated calls. Each field below says who writes it. "client" means the thread
 * of the gated call that owns the backup (single-client contract, §6.2);
 * "fixture" means setup calls, which never overlap backup calls on the same
 * instance.
 *
 * Mutation points. A mutant (engine/mutants/) is either a decorator around
 * `engine_api` members, or a named point in engine code:
 *
 *     if (ENGINE_MUTATION(read_ignores_stop)) ... mutated behaviour ...
 *
 * ENGINE_MUTATION(id) is a constant 0 in the real engine, so the branch is
 * dead code. Building the engine sources with -DENGINE_MUTANT=<id> turns on
 * exactly the points named <id> (an integer constant comparison). Ids are plain
 * C identifiers listed once in ENGINE_MUTATION_IDS below; engine/mutants/ holds
 * the libraries built from them.
 */
#ifndef BACKSTOP_ENGINE_INT_H
#define BACKSTOP_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"
#include "fault.h"
#include "store.h"

/*
 * Every mutation point id, once. engine/mutants/ says what each one breaks (the
 * rule, in the mutant's backstop_mutant_info); a point whose id is not listed
 * here does not compile, in the real engine either.
 */
#define ENGINE_MUTATION_IDS(X)                                                   \
    /* sequential: the conformance suite must kill each */                       \
    X(admit_stop_before_no_backup)  /* R18 */                                    \
    X(read_ignores_stop)            /* R16 */                                    \
    X(truncate_ignores_stop)        /* R16 */                                    \
    X(begin_keeps_stop)             /* R13, R23 */                               \
    X(log_info_ignores_open_file)   /* R43 */                                    \
    X(log_info_rolls_every_time)    /* R44 */                                    \
    X(log_info_keeps_phase)         /* R45 */                                    \
    X(truncate_skips_copy_check)    /* R47 */                                    \
    X(open_late_db_keeps_backup)    /* R37 */                                    \
    X(missing_log_keeps_backup)     /* R38 */                                    \
    X(read_advances_short)          /* R40 */                                    \
    X(read_stale_page)              /* R40, backup client */                     \
    X(read_error_cancels)           /* R41 */                                    \
    X(failed_begin_keeps_claim)     /* R27 */                                    \
    X(end2_bad_grbit_clears_stop)   /* R24 */                                    \
    X(stop_bad_handle_hits_other)   /* R11 */                                    \
    X(nil_handle_is_slot0)          /* R2, R3 */                                 \
    X(legacy_multiinst_slot0)       /* R9, R15 */                                \
    X(failed_term_allows_backup)    /* R31 */                                    \
    X(stop_toggles)                 /* R12 */                                    \
    /* concurrency: pass the suite, killed by `backstop stress` */               \
    X(begin_claim_unlocked)         /* R52 */                                    \
    X(term_no_wait)                 /* R54 */                                    \
    X(stop_in_bitfield)             /* R16, lost update */                       \
    X(stop_blocks_on_read)          /* R50 */

/* The yield point a concurrency mutant puts in its bug window (engine.h). */
#define ENGINE_YIELD_MUTANT "mutant-window"

#define ENGINE__MUT_ENUM(id) ENGINE__MUT_##id,
enum engine__mutation { ENGINE__MUT_NONE = 0, ENGINE_MUTATION_IDS(ENGINE__MUT_ENUM) };
#undef ENGINE__MUT_ENUM

#ifdef ENGINE_MUTANT
#define ENGINE__MUT_ID_(x) ENGINE__MUT_##x
#define ENGINE__MUT_ID(x) ENGINE__MUT_ID_(x)
#define ENGINE_MUTATION(id) (ENGINE__MUT_##id == ENGINE__MUT_ID(ENGINE_MUTANT))
#else
#define ENGINE_MUTATION(id) (ENGINE__MUT_##id == ENGINE__MUT_NONE)
#endif

/* Limits. */
#define ENGINE_MAX_INSTANCES 256u /* table slots; more gives -1214 */
#define ENGINE_MAX_DATABASES 64u  /* per instance */
#define ENGINE_PATH_MAX 1024u     /* any path the engine builds */
#define ENGINE_ROOT_MAX 768u      /* DIR root length */
#define ENGINE_DIR_MAX (ENGINE_ROOT_MAX + 32u) /* an instance directory */
#define ENGINE_NAME_MAX 128u      /* database and instance names, with NUL */
#define ENGINE_OS_PAGE 4096u      /* ReadFile buffer alignment (§4.4 step 5) */
#define ENGINE_LOG_BLOCK 512u     /* a log file is checksummed per block */
#define ENGINE_MAX_LOG_ROLL 1000000u /* generations one RollLog may write */

/* Run mode (§2.1). */
enum engine_mode { ENGINE_MODE_NOSET = 0, ENGINE_MODE_ONEINST, ENGINE_MODE_MULTIINST };

/*
 * The gate word of an instance (m_cSessionInJetAPI): the number of gated calls in
 * flight plus the API-lock bits. A gated call increments it, then looks at the
 * lock bits (§2.3 G3); JetTerm and JetInit set a lock bit and wait for the count
 * to drain (R54).
 */
#define ENGINE_GATE_COUNT 0x00FFFFFFu
#define ENGINE_GATE_TERM 0x01000000u
#define ENGINE_GATE_RESTORE 0x02000000u
#define ENGINE_GATE_INIT 0x04000000u
#define ENGINE_GATE_LOCKS (ENGINE_GATE_TERM | ENGINE_GATE_RESTORE | ENGINE_GATE_INIT)

/* A database header as the engine keeps it (its page form is in files.c). */
struct engine__db_header {
    uint32_t page_size, pgno_last;
    uint64_t signature;
    uint32_t full_low, full_high, full_count; /* last normal local full backup */
    uint32_t inc_low, inc_high, inc_count;    /* last normal incremental backup */
    uint32_t sfull_low, sfull_high, sfull_count; /* last normal surrogate full backup */
    char name[64];
};

/* An attached database. Created and freed by the fixture under the backup
 * critical section; the §3.3 fields are the client's. */
struct eng_db {
    uint32_t id; /* attach order: GetAttachInfo lists in this order */
    char name[ENGINE_NAME_MAX];
    char path[ENGINE_PATH_MAX];
    struct store_file *file; /* open read-write while attached */
    uint32_t pgno_last;
    struct engine__db_header hdr;
    unsigned char *snapshot; /* 2 header pages, taken at OpenFile (§3.3) */
    /* §3.3, client */
    uint32_t pgno_backup_most, pgno_copy_most;
    bool copied_trailer, in_session, edb_backup_done;
};

/* The open-file slot (§3.2, crhfMax = 1). Client. */
struct eng_slot {
    bool in_use, is_db, is_log;
    uint64_t ib, cb;
    uint32_t lgen;
    struct eng_db *db;
    struct store_file *file; /* log or other file */
    char name[ENGINE_PATH_MAX];
};

/* The backup context (§3.1). */
struct eng_backup {
    pthread_mutex_t crit; /* m_critBackupInProgress: Begin's claim, attach and detach
                             tests, and the reset at the end of cleanup */
    /* Written under crit (claim, failed Begin, cleanup); read without it. */
    atomic_bool in_progress_any, in_progress_local;
    /* Written by Stop on any thread with no lock (R10, R50); cleared under crit. */
    atomic_bool stop;
    /* Client (single backup client, §6.2). */
    enum engine_phase phase;
    bool full, internal_copy, logs_truncated, began_new_log;
    uint32_t copy_mic, copy_mac, delete_mic, delete_mac;
    uint64_t gen_copy_done;
    uint32_t slots_ever_used;
    struct eng_slot slot;
    char *list; /* reusable buffer for the name lists */
    size_t list_cap;
    /* Outcome bookkeeping of cleanup (engine_inspect). */
    uint32_t n_normal, n_abnormal;
    JET_ERR last_reason;
};

/*
 * An instance. Its memory belongs to its table slot for the engine's lifetime
 * (engine.c: a slot's struct is reused by the next instance in that slot), so a
 * lock-free lookup may always touch `gate` and `live` of the struct it found:
 * those and the wait pair survive reuse; everything from `handle` on is reset.
 */
struct eng_inst {
    /* Survive reuse of the slot. */
    atomic_uint gate;            /* any thread; see ENGINE_GATE_* */
    _Atomic(JET_INSTANCE) live;  /* the handle while in the table, else 0 */
    pthread_mutex_t wait_mu;     /* with wait_cv: waiting for the gate to drain; */
    pthread_cond_t wait_cv;      /* a leaver that empties a locked gate signals */

    /* Identity: immutable while the instance is in the table. */
    JET_INSTANCE handle;
    uint64_t serial;
    unsigned slot;
    char name[ENGINE_NAME_MAX];
    char dir[ENGINE_DIR_MAX];
    size_t dir_len; /* strlen(dir) */
    uint32_t page_size, log_size;

    /* Configuration and forced states: fixture. */
    bool logging_off, circular, log_write_fail;
    JET_ERR log_state_err;       /* Begin step 10: -529 or -519 */
    atomic_int unavailable_err;  /* G2: -1090 or -1092 */
    atomic_bool has_log;         /* §2.6 */

    /* Lifecycle. */
    atomic_bool initialized;     /* JetInit / JetTerm while holding a gate lock */
    bool backup_allowed;         /* same; read by Begin inside the gate */
    atomic_bool stop_service;    /* JetStopServiceInstance, any thread */

    /* Logs and databases: fixture, JetInit, and the client (log roll, truncate). */
    uint32_t log_low; /* no log below this generation exists */
    uint32_t log_cur; /* the current generation; logs log_low..log_cur were written */
    uint32_t checkpoint;
    struct eng_db *dbs[ENGINE_MAX_DATABASES];
    uint32_t n_dbs, next_db_id;

    struct eng_backup bk;
};

struct engine {
    struct engine_config cfg; /* as created; cfg.dir points to cfg_dir */
    char cfg_dir[ENGINE_ROOT_MAX];
    struct store store;
    bool root_created;
    char root[ENGINE_ROOT_MAX]; /* DIR root, or "mem:" */

    pthread_mutex_t table_mu; /* guards everything in this block; lock-free
                                 readers use only the atomics (engine.c) */
    _Atomic int mode;         /* enum engine_mode */
    struct eng_inst *slots[ENGINE_MAX_INSTANCES]; /* the live instances */
    _Atomic(struct eng_inst *) pool[ENGINE_MAX_INSTANCES]; /* each slot's memory */
    bool dying[ENGINE_MAX_INSTANCES]; /* out of the table, not yet freed */
    unsigned slots_hi;        /* no slot at or above this was ever used */
    unsigned n_live;
    _Atomic unsigned oneinst_slot;
    uint64_t next_serial;
    atomic_int validate_handles;
    uint32_t page_size, log_size; /* for instances created from now on */

    struct engine_faults faults;

    pthread_mutex_t tmpl_mu;           /* the log templates (files.c) */
    struct engine__logtmpl *logtmpls;

    engine_yield_fn yield_fn; /* set before calls start */
    void *yield_ctx;
};

static inline void engine__yield(struct engine *e, const char *point)
{
    if (e->yield_fn != NULL)
        e->yield_fn(e->yield_ctx, point);
}

/* engine.c: resolution and the gate. */
JET_ERR engine__resolve_locked(struct engine *e, JET_INSTANCE h, struct eng_inst **out);
/* Stages V, L (under the table lock) then G. On 0 the caller holds an in-flight
 * count and must call engine__leave. */
JET_ERR engine__enter(struct engine *e, JET_INSTANCE h, struct eng_inst **out);
void engine__leave(struct eng_inst *inst);
/* Stages V and L only (fixture, Stop): the instance pointer is valid as long as
 * nobody terminates it. */
JET_ERR engine__lookup(struct engine *e, JET_INSTANCE h, struct eng_inst **out);

/* backup.c: the backup APIs (context-first, as in struct jet_api). */
JET_ERR engine__begin(void *ctx, JET_INSTANCE instance, JET_GRBIT grbit);
JET_ERR engine__get_attach_info(void *ctx, JET_INSTANCE instance, char *szz, uint32_t cbMax,
                                uint32_t *pcbActual);
JET_ERR engine__open_file(void *ctx, JET_INSTANCE instance, const char *name, JET_HANDLE *phf,
                          uint32_t *pLow, uint32_t *pHigh);
JET_ERR engine__read_file(void *ctx, JET_INSTANCE instance, JET_HANDLE hf, void *pv, uint32_t cb,
                          uint32_t *pcbActual);
JET_ERR engine__close_file(void *ctx, JET_INSTANCE instance, JET_HANDLE hf);
JET_ERR engine__get_log_info(void *ctx, JET_INSTANCE instance, char *szz, uint32_t cbMax,
                             uint32_t *pcbActual);
JET_ERR engine__get_log_info2(void *ctx, JET_INSTANCE instance, char *szz, uint32_t cbMax,
                              uint32_t *pcbActual, JET_LOGINFO *pLogInfo);
JET_ERR engine__get_truncate_log_info(void *ctx, JET_INSTANCE instance, char *szz,
                                      uint32_t cbMax, uint32_t *pcbActual);
JET_ERR engine__truncate_log(void *ctx, JET_INSTANCE instance);
JET_ERR engine__end(void *ctx, JET_INSTANCE instance);
JET_ERR engine__end2(void *ctx, JET_INSTANCE instance, JET_GRBIT grbit);
/* Cleanup (§4.9.2), by End, [cancels] errors and JetTerm. Client, or JetTerm after
 * the gate drained. */
JET_ERR engine__cleanup(struct engine *e, struct eng_inst *inst, JET_ERR reason, JET_GRBIT grbit);

/* files.c: file formats and the instance's files. Store errors are mapped to
 * JET errors by each caller. */
void engine__inst_path(const struct eng_inst *inst, const char *base, char *buf);
void engine__log_name(uint32_t gen, char *buf); /* "edbXXXXXXXX.log", 16 bytes */
void engine__log_path(const struct eng_inst *inst, uint32_t gen, char *buf);
bool engine__parse_log_name(const char *base, uint32_t *gen);
const char *engine__basename(const char *path);
uint32_t engine__checksum(const unsigned char *page, size_t n);
void engine__db_header_encode(const struct engine__db_header *h, unsigned char *page, size_t ps);
bool engine__db_page_ok(const unsigned char *page, size_t ps, uint32_t pgno);
bool engine__log_blocks_ok(const unsigned char *buf, size_t n, uint32_t gen, uint64_t block0);
int engine__db_create_file(struct engine *e, struct eng_inst *inst, struct eng_db *db);
int engine__db_write_header(struct engine *e, struct eng_inst *inst, struct eng_db *db);
int engine__log_write(struct engine *e, struct eng_inst *inst, uint32_t gen);
int engine__chk_write(struct engine *e, struct eng_inst *inst, uint32_t gen);
JET_ERR engine__chk_read(struct engine *e, struct eng_inst *inst, uint32_t *gen);
/* The lowest generation on disk in [log_low, log_cur], or 0; advances log_low. */
uint32_t engine__log_lowest(struct engine *e, struct eng_inst *inst);
uint32_t engine__log_highest(struct engine *e, struct eng_inst *inst);
/* JetInit's files: the directory (emptied), log 1 and checkpoint 1. */
JET_ERR engine__inst_init_files(struct engine *e, struct eng_inst *inst);
void engine__db_free(struct engine *e, struct eng_db *db);
/* engine_destroy, after the store: the log templates of generated logs. */
void engine__logtmpl_free_all(struct engine *e);


#endif /* BACKSTOP_ENGINE_INT_H */
