/*
 * engine.h: backstop's reference engine, an independent implementation of ESE's
 * streaming-backup API (spec ese-backup-spec.md, "ese" profile; "esent" with
 * validate_handles) over real page-structured files.
 *
 * An engine is one world: a table of instances, a run mode, a file store (a
 * directory tree or memory buffers with the same layout), fault points and a
 * scheduling hook. Several engines can live in one process; nothing is global.
 * The Jet functions are reached through `engine_api` and the fixture through
 * `engine_fixture`, both with `struct engine *` as their ctx.
 *
 * Files of an instance (DIR store: <dir>/inst-<serial>/, MEM store:
 * "mem:/inst-<serial>/"):
 *   <name>               an attached database: 2 header pages, pages
 *                        1..pgnoLast, and a trailing copy of the header; every
 *                        page starts with a 4-byte checksum.
 *   edbXXXXXXXX.log      log generation X (8 upper-case hex digits), log_size
 *                        bytes in 512-byte blocks, each checksummed and stamped
 *                        with its generation.
 *   edb.chk              the checkpoint generation.
 * A database streams (spec §3.3) as 2 header pages from a snapshot made at
 * JetOpenFileInstance, pages 1..pgnoLast read from the file, and one trailer
 * page equal to header page 0 of that snapshot: (pgnoLast + 3) * page_size
 * bytes, byte-identical to the file while its header is unchanged. A log
 * streams as its file bytes.
 *
 * Threads (spec §6). The Jet functions may be called from any thread. Per
 * instance, backup calls must come one at a time (one backup client), except for
 * the overlaps of §6.3, which are safe and race-free: JetStopBackupInstance and
 * JetStopServiceInstance at any time (they never block, R50), concurrent Begins
 * (one wins, R52), and JetTerm against gated calls (it waits for them, R54).
 * Fixture calls are setup: not concurrent with backup calls on that instance.
 *
 * The engine shares only model/jet.h with the harness's model, never its logic.
 */
#ifndef BACKSTOP_ENGINE_H
#define BACKSTOP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jet.h"

#ifdef __cplusplus
extern "C" {
#endif

struct engine; /* opaque: one world */

/* Status codes of the engine_* functions (Jet calls return JET_ERR instead). */
enum {
    ENGINE_OK = 0,
    ENGINE_EINVAL = -1, /* a bad argument or configuration */
    ENGINE_ENOMEM = -2,
    ENGINE_EIO = -3,    /* the store could not be created */
    ENGINE_ENOENT = -4  /* no such instance or fault point */
};
const char *engine_strerror(int status);

#define ENGINE_STORE_MEM 0
#define ENGINE_STORE_DIR 1

#define ENGINE_DEFAULT_PAGE_SIZE 4096u
#define ENGINE_DEFAULT_LOG_SIZE 65536u

struct engine_config {
    int store;            /* ENGINE_STORE_MEM or ENGINE_STORE_DIR */
    const char *dir;      /* DIR store root; created if missing (copied) */
    int validate_handles; /* nonzero: "esent" profile, stage V gives -1115 */
    uint32_t page_size;   /* 0 = 4096; a power of two in 1024..65536 */
    uint32_t log_size;    /* 0 = 65536; a multiple of 512, at least 1024 */
    uint64_t seed;        /* file contents and probability faults */
};

/*
 * engine_create: a new, empty world (run mode NoSet). cfg is copied. Returns
 * ENGINE_OK and *out, or a negative status and *out = NULL. The configuration is
 * also what BackstopFixtureReset returns the engine to.
 * engine_destroy: frees everything, terminating live instances without API
 * semantics and removing every instance directory it created (and the DIR root
 * if it created it). No call may be in flight. NULL is allowed.
 * engine_reset: the fixture's Reset: as destroy + create with the same config,
 * keeping the object. No call may be in flight.
 * Thread: any, but not concurrently with any other call on the same engine.
 */
int engine_create(const struct engine_config *cfg, struct engine **out);
void engine_destroy(struct engine *e);
int engine_reset(struct engine *e);

/* The DIR root ("mem:" for the memory store). Valid until engine_destroy. */
const char *engine_root(const struct engine *e);

/* The function tables; ctx is a struct engine *. Every member is filled. */
extern const struct jet_api engine_api;
extern const struct jet_fixture engine_fixture;

/* ---------------------------------------------------------------------------
 * Fault control (libfiu style: the points live in the engine's code, this is
 * the control side). Points and what firing one does:
 *
 *   read.eio        JetReadFileInstance, once per call that has >= 1 byte to
 *                   read: the read fails, -1022 (R41: phase Databases closes the
 *                   handle, phase LogsAndPatches cancels the backup).
 *   read.short      same opportunity: the store returns a short count; the engine
 *                   resumes the read, so the call succeeds with the full data.
 *   read.verify     same opportunity, after the data was read: a checksum
 *                   mismatch, -1018 (consequences as read.eio).
 *   alloc.enomem    list building in GetAttachInfo / GetLogInfo /
 *                   GetTruncateLogInfo (-1011, cancels), and the name copy in
 *                   OpenFile (-1011, slot not taken, backup kept).
 *   logroll.enospc  the log roll of the first GetLogInfo / GetTruncateLogInfo of a
 *                   backup: -529, nothing changes, a retry rolls again.
 *   open.eio        JetOpenFileInstance, once per call that reaches the file
 *                   open: -1022 (phase Databases keeps the backup, phase
 *                   LogsAndPatches cancels it).
 *   write.eio       fixture file creation (CreateDatabase, each RollLog file):
 *                   -1022, the partial file is removed.
 *
 * Policies: ONCE fails the next opportunity; NTH skips n opportunities and fails
 * the next (n = 0 is ONCE); COUNTDOWN skips n and then fails every later one;
 * PROBABILITY fails each with probability p, from a PRNG seeded by cfg->seed and
 * the point. ONCE and NTH disarm themselves after firing.
 *
 * Disarmed points cost one relaxed atomic load of a per-engine flag. Counting of
 * opportunities is off until engine_fault_set_counting(e, true) or a point is
 * armed. Thread: any; fault state is per engine and locked.
 * ------------------------------------------------------------------------- */
enum engine_fault_policy {
    ENGINE_FAULT_ONCE = 0,
    ENGINE_FAULT_NTH,
    ENGINE_FAULT_COUNTDOWN,
    ENGINE_FAULT_PROBABILITY
};

/* Arm `point`; replaces an earlier arming of it and restarts its skip count.
 * ENGINE_ENOENT for an unknown point, ENGINE_EINVAL for a bad policy or p. */
int engine_fault_arm(struct engine *e, const char *point, enum engine_fault_policy policy,
                     uint32_t n, double p);
/* Disarm one point, or every point if point is NULL. */
int engine_fault_disarm(struct engine *e, const char *point);
/* Count opportunities even when nothing is armed (for sweeps). */
void engine_fault_set_counting(struct engine *e, bool on);
/* Opportunities reached and faults fired at `point` since create/reset or the
 * last engine_fault_clear_counts; 0 for an unknown point. */
uint64_t engine_fault_opportunities(struct engine *e, const char *point);
uint64_t engine_fault_fired(struct engine *e, const char *point);
void engine_fault_clear_counts(struct engine *e);
/* The names of all points, NULL-terminated, static. */
const char *const *engine_fault_points(void);

/* Called on every fired fault, on the thread that hit it, after the engine's
 * fault lock is released. `opportunity` is the 0-based count of that point's
 * opportunities (only meaningful while counting). Set before calls start. */
typedef void (*engine_fault_observer_fn)(void *ctx, const char *point, uint64_t opportunity);
void engine_set_fault_observer(struct engine *e, engine_fault_observer_fn fn, void *ctx);

/* Every fired fault passes through this empty function: a breakpoint target. */
void engine_fault_hit(const char *point);

/* ---------------------------------------------------------------------------
 * Scheduling hook: called, when set, at these internal points on the thread of
 * the call, with no engine lock held:
 *   ENGINE_YIELD_STOP_CHECK  a streaming call passed its -520/-801 entry test and
 *                            is about to do its work (R51's window);
 *   ENGINE_YIELD_CLAIM       Begin has claimed the backup and left the lock (R53);
 *   ENGINE_YIELD_CLEANUP     cleanup of a backup in progress, before it reads
 *                            `stop` (§6.3, Stop vs End);
 *   ENGINE_YIELD_TERM_WAIT   JetTerm holds the terminating bit and is about to
 *                            wait for in-flight calls (R54).
 * Set it before calls start; NULL (the default) costs one branch.
 * ------------------------------------------------------------------------- */
#define ENGINE_YIELD_STOP_CHECK "stop-check->io"
#define ENGINE_YIELD_CLAIM "claim"
#define ENGINE_YIELD_CLEANUP "cleanup"
#define ENGINE_YIELD_TERM_WAIT "term-wait"
typedef void (*engine_yield_fn)(void *ctx, const char *point);
void engine_set_yield_hook(struct engine *e, engine_yield_fn fn, void *ctx);

/* ---------------------------------------------------------------------------
 * Inspection, for tests, invariants and mutant decorators. A snapshot of one
 * instance's state; call it only when no backup call on that instance is in
 * flight (Stop may run concurrently). ENGINE_ENOENT if the handle is not live.
 * Every byte before `dir` is written (padding zeroed), so two snapshots compare
 * with memcmp over offsetof(struct engine_inspect, dir) bytes and strcmp of dir.
 * ------------------------------------------------------------------------- */
enum engine_phase {
    ENGINE_PHASE_NOT_STARTED = 0,
    ENGINE_PHASE_DATABASES,
    ENGINE_PHASE_LOGS_AND_PATCHES,
    ENGINE_PHASE_DONE
};

struct engine_inspect {
    uint64_t serial;
    bool initialized, backup_allowed, stop_service, has_log;
    bool stop, in_progress_any, in_progress_local, full, internal_copy;
    bool logs_truncated, began_new_log;
    enum engine_phase phase;
    bool slot_in_use, slot_is_db, slot_is_log;
    uint64_t slot_ib, slot_cb;
    uint32_t slots_ever_used;
    uint32_t copy_mic, copy_mac, delete_mic, delete_mac;
    uint64_t gen_copy_done;
    uint32_t log_cur, checkpoint;
    uint32_t n_databases;
    uint32_t n_inflight;        /* gated calls in flight */
    uint32_t n_ends_normal;     /* cleanups that counted as normal (R48) */
    uint32_t n_ends_abnormal;   /* cleanups that did not */
    JET_ERR last_end_reason;    /* internal reason of the last cleanup (0, -800, -801...) */
    char dir[800];              /* the instance directory, a string: bytes after its NUL are unspecified */
};
int engine_inspect(struct engine *e, JET_INSTANCE inst, struct engine_inspect *out);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_ENGINE_H */
