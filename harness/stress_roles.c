/*
 * stress_roles.c: what each stress worker does between its calls.
 *
 *   client      one per instance: full and incremental backups (Begin,
 *               GetAttachInfo, Open/Read/Close of every database, GetLogInfo,
 *               Open/Read/Close of every log, TruncateLog, End), with
 *               out-of-sequence calls mixed in; checks each copied file
 *               against its source and, after a Stop, that CloseFile and End
 *               still work (R19, R21, R22) and that no log was deleted;
 *   stopper     JetStopBackupInstance at random moments of the client's
 *               progress (JetStopBackup in one-instance runs); sometimes while
 *               another instance is held still, to check that a Stop leaves
 *               it alone (R10);
 *   invalid     calls with handles that name no instance: 0, nil, a value
 *               never handed out, terminated instances' handles; every
 *               instance it can hold still must keep its fingerprint (R3, R11);
 *   racer       Begin against the client's Begin (R52, R53);
 *   terminator  JetTerm or JetTerm2 with each grbit, then a new instance.
 * Every decision comes from the worker's own rng. Calls go through
 * stress__call, which waits until an overlap is one the spec defines.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress_int.h"

static const char *const stress__role_names[] = {"client", "stopper", "invalid", "racer", "terminator"};

const char *stress_role_name(enum stress_role r)
{
    return (unsigned)r < sizeof stress__role_names / sizeof stress__role_names[0] ? stress__role_names[r]
                                                                                  : "?";
}

void stress_role_of(uint32_t n_threads, uint32_t n_instances, uint32_t worker, enum stress_role *role,
                    uint32_t *slot)
{
    static const enum stress_role extra[4] = {STRESS_STOPPER, STRESS_INVALID, STRESS_RACER,
                                              STRESS_TERMINATOR};
    (void)n_threads;
    if (worker < n_instances) {
        *role = STRESS_CLIENT;
        *slot = worker;
        return;
    }
    uint32_t k = worker - n_instances;
    *role = extra[k % 4];
    *slot = (k + k / 4) % n_instances;
}

/* ---- helpers ------------------------------------------------------------------------ */

/* A call on the worker's slot. */
static int stress__c(struct stress_worker *w, enum model_op op, JET_GRBIT grbit, JET_HANDLE hf,
                     uint32_t cb, uint32_t flags, const char *name, struct stress_outcome *oc)
{
    struct stress_call c = {.op = op, .hkind = STRESS_H_CURRENT, .slot = w->slot, .grbit = grbit,
                            .hf = hf, .cb = cb, .flags = flags, .name = name};
    c.model_name = stress__model_name(w->run, name);
    switch (op) {
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        /* The runner's own buffer for a misaligned read (it offsets it). */
        c.buf = (flags & MODEL_CALL_BUF_MISALIGNED) || cb > STRESS__READ_MAX ? NULL : w->buf;
        break;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        c.buf = cb <= STRESS__LIST_MAX ? w->list : NULL;
        break;
    default:
        break;
    }
    if (model_op_is_legacy(op))
        c.hkind = STRESS_H_NONE;
    return stress__call(w, &c, oc);
}

static bool stress__chance(struct stress_worker *w, uint32_t in)
{
    return rng_below(&w->rng, in) == 0;
}

/* A 64-bit content hash: four independent lanes over 32-byte blocks (so the
 * multiplies overlap), the tail byte-wise. Equal streams cut into chunks that
 * are multiples of 32 bytes (pages, log blocks) hash equal. */
struct stress__hash {
    uint64_t h[4];
    uint64_t n;
};

static void stress__hash_init(struct stress__hash *s)
{
    s->h[0] = 0xCBF29CE484222325ull;
    s->h[1] = 0x9E3779B97F4A7C15ull;
    s->h[2] = 0xBF58476D1CE4E5B9ull;
    s->h[3] = 0x94D049BB133111EBull;
    s->n = 0;
}

static void stress__hash_add(struct stress__hash *s, const unsigned char *p, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int k = 0; k < 4; k++) {
            uint64_t v;
            memcpy(&v, p + i + 8 * (size_t)k, 8);
            s->h[k] = (s->h[k] ^ v) * 0x100000001B3ull;
            s->h[k] ^= s->h[k] >> 29;
        }
    }
    for (; i < n; i++)
        s->h[0] = (s->h[0] ^ p[i]) * 0x100000001B3ull;
    s->n += n;
}

static uint64_t stress__hash_value(const struct stress__hash *s)
{
    uint64_t h = s->n;
    for (int k = 0; k < 4; k++) {
        h = (h ^ s->h[k]) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 33;
    }
    return h;
}

/* ---- the client ------------------------------------------------------------------------ */

struct stress__cycle {
    uint32_t lifetime;
    bool incremental;
    bool file_open;
    bool logs_listed;      /* GetLogInfo succeeded: phase LogsAndPatches */
    bool broken;           /* a call failed: the backup is not complete */
    bool ended;            /* the cycle is over (stopped path, cancelled, gone) */
    uint32_t files;
};

/* What a copy is compared with (a database by its number, a log by generation). */
static bool stress__copy_id(const char *model_name, uint32_t *kind, uint32_t *id)
{
    uint32_t g;
    if (!model_name)
        return false;
    if (strncmp(model_name, "db", 2) == 0 && model_name[2] >= '1' && model_name[2] <= '4' && !model_name[3]) {
        *kind = 0;
        *id = (uint32_t)(model_name[2] - '0');
        return true;
    }
    if (stress__parse_log_name(model_name, &g)) {
        *kind = 1;
        *id = g;
        return true;
    }
    return false;
}

/* Hash a source file as the engine streams it (spec §3.3): its bytes, and for
 * a database whose file lacks the trailer, header page 0 again. `size` is the
 * streamed size. Returns false if the file cannot be read. */
static bool stress__source_hash(const char *path, bool database, uint32_t page, uint64_t size,
                                uint64_t *out, uint64_t *got)
{
    unsigned char buf[16384], head[65536];
    struct stress__hash h;
    uint64_t off = 0;
    size_t head_n = 0;
    stress__hash_init(&h);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    for (;;) {
        /* Whole 8-byte words per chunk, as the copy's page-multiple reads. */
        ssize_t n = pread(fd, buf, sizeof buf, (off_t)off);
        if (n < 0) {
            close(fd);
            return false;
        }
        if (n == 0)
            break;
        if (head_n < page && page <= sizeof head) {
            size_t k = (size_t)n < page - head_n ? (size_t)n : page - head_n;
            memcpy(head + head_n, buf, k);
            head_n += k;
        }
        stress__hash_add(&h, buf, (size_t)n);
        off += (uint64_t)n;
    }
    close(fd);
    if (database && off + page == size && head_n == page) {
        stress__hash_add(&h, head, head_n);
        off += head_n;
    }
    *out = stress__hash_value(&h);
    *got = off;
    return true;
}

/* Every completed copy equals its source: the file itself when it is a
 * readable file (the directory store, a library's files), or every other copy
 * of the same file in this instance lifetime (the in-process memory store,
 * whose files are not reachable; databases compared without their header
 * pages, which a normal End rewrites). */
static void stress__verify_copy(struct stress_worker *w, struct stress__cycle *cy, const char *path,
                                const char *model_name, uint64_t full, uint64_t data, uint64_t size)
{
    struct stress_run *run = w->run;
    uint32_t kind, id;
    uint64_t h, n;
    if (!stress__copy_id(model_name, &kind, &id))
        return;
    /* A source that is a readable file (the directory store; a library's
     * files): compare with it. */
    if (path && path[0] == '/' && stress__source_hash(path, kind == 0, run->page_size, size, &h, &n)) {
        if (n != size || h != full)
            stress__violation(w, "copy", "the copy of %s (%llu bytes) differs from its source "
                                         "(%llu bytes) in L%u",
                              path, (unsigned long long)size, (unsigned long long)n,
                              (unsigned)cy->lifetime);
        atomic_fetch_add(&run->files_verified, 1);
        return;
    }
    /* The in-process memory store: with every other copy of the same file. A
     * directory-store file that is gone belongs to a terminated instance. */
    if (!run->engine || run->engine_dir)
        return;
    if (w->copies_lifetime != cy->lifetime) {
        w->n_copies = 0;
        w->copies_lifetime = cy->lifetime;
    }
    for (uint32_t i = 0; i < w->n_copies; i++) {
        struct stress_copy *k = &w->copies[i];
        if (k->kind != kind || k->id != id)
            continue;
        if (k->hash != data)
            stress__violation(w, "copy", "the copy of %s differs from an earlier copy of the same "
                                         "file in L%u",
                              model_name, (unsigned)cy->lifetime);
        atomic_fetch_add(&run->files_verified, 1);
        return;
    }
    if (w->n_copies < STRESS__MAX_COPIES)
        w->copies[w->n_copies++] = (struct stress_copy){.lifetime = cy->lifetime, .kind = kind,
                                                        .id = id, .hash = data};
}

/*
 * A streaming call returned -801: the backup is stopped. Check what the spec
 * promises from here on: nothing on disk is lost (no log deleted, TruncateLog
 * refused, R16), CloseFile still closes the open file (R19), End returns 0
 * (R21, R22; checked by the wrapper's tracking).
 */
static int stress__stopped_path(struct stress_worker *w, struct stress__cycle *cy)
{
    struct stress_outcome oc = {0};
    uint32_t low0 = 0, high0 = 0, low1 = 0, high1 = 0;
    int rc, have;

    atomic_fetch_add(&w->run->backups_stopped, 1);
    cy->ended = true;
    have = stress__log_range(w, w->slot, cy->lifetime, &low0, &high0);
    if (have == STRESS__STOP)
        return STRESS__STOP;
    if (stress__chance(w, 2)) {
        rc = stress__c(w, MODEL_OP_TRUNCATE_LOG, 0, 0, 0, 0, NULL, &oc);
        if (rc == STRESS__STOP)
            return rc;
    }
    if (cy->file_open) {
        rc = stress__c(w, MODEL_OP_CLOSE_FILE, 0, 0, 0, 0, NULL, &oc);
        if (rc == STRESS__STOP)
            return rc;
        if (rc == 0 && oc.lifetime == cy->lifetime && oc.stopped_at_inv && oc.undisturbed &&
            oc.o.err != JET_errSuccess)
            stress__violation(w, "R19", "JetCloseFileInstance of the open file after Stop on L%u "
                                        "returned %d, not 0",
                              (unsigned)cy->lifetime, (int)oc.o.err);
        cy->file_open = false;
    }
    if (have == 0) {
        rc = stress__log_range(w, w->slot, cy->lifetime, &low1, &high1);
        if (rc == STRESS__STOP)
            return rc;
        if (rc == 0 && low1 != low0)
            stress__violation(w, "R16", "a log file was deleted during a stopped backup on L%u: "
                                        "lowest generation on disk %u, then %u",
                              (unsigned)cy->lifetime, (unsigned)low0, (unsigned)low1);
    }
    switch (rng_below(&w->rng, 4)) {
    case 0:
        rc = stress__c(w, MODEL_OP_END2, JET_bitBackupEndAbort, 0, 0, 0, NULL, &oc); /* R22 */
        break;
    case 1:
        rc = stress__c(w, MODEL_OP_END2, JET_bitBackupEndNormal, 0, 0, 0, NULL, &oc); /* R21 */
        break;
    default:
        rc = stress__c(w, MODEL_OP_END, 0, 0, 0, 0, NULL, &oc); /* R21 */
        break;
    }
    return rc == STRESS__STOP ? rc : 0;
}

/* React to a result that is not the one the cycle hoped for. Returns
 * STRESS__STOP to unwind, 1 if the cycle is over, 0 to go on. */
static int stress__client_trouble(struct stress_worker *w, struct stress__cycle *cy, int rc,
                                  const struct stress_outcome *oc)
{
    struct stress_outcome o2;
    if (rc == STRESS__STOP)
        return STRESS__STOP;
    if (rc == STRESS__SKIP) {
        cy->broken = true;
        return 0;
    }
    if (oc->stale || oc->lifetime != cy->lifetime) {
        cy->ended = true; /* the instance is gone */
        return 1;
    }
    switch (oc->o.err) {
    case JET_errBackupAbortByServer:
        rc = stress__stopped_path(w, cy);
        return rc == STRESS__STOP ? rc : 1;
    case JET_errNoBackup: /* cancelled ([cancels], a fault): End clears `stop` (R25) */
        cy->ended = true;
        rc = stress__c(w, MODEL_OP_END, 0, 0, 0, 0, NULL, &o2);
        return rc == STRESS__STOP ? rc : 1;
    case JET_errTermInProgress:
    case JET_errInvalidParameter:
    case JET_errNotInitialized:
        cy->ended = true;
        return 1;
    default:
        cy->broken = true;
        return 0;
    }
}

/* Out-of-sequence calls, now and then (their results are the checker's). */
static int stress__client_oos(struct stress_worker *w, struct stress__cycle *cy)
{
    struct stress_run *run = w->run;
    struct stress_outcome oc = {0};
    uint32_t ps = run->page_size;
    int rc = STRESS__SKIP; /* no call made (yet) */
    if (!stress__chance(w, 12))
        return 0;
    switch (rng_below(&w->rng, 10)) {
    case 0: /* R39: misaligned buffer -> -1003 */
        if (cy->file_open)
            rc = stress__c(w, MODEL_OP_READ_FILE, 0, 0, 8 * ps, MODEL_CALL_BUF_MISALIGNED, NULL, &oc);
        break;
    case 1: /* R42: a handle never handed out -> -1003 */
        rc = stress__c(w, MODEL_OP_CLOSE_FILE, 0, 1, 0, 0, NULL, &oc);
        break;
    case 2: /* R35: empty name -> -1003 */
        rc = stress__c(w, MODEL_OP_OPEN_FILE, 0, 0, 0, 0, "", &oc);
        break;
    case 3: /* R24: End2 with a bad grbit -> -1003, nothing changes */
        rc = stress__c(w, MODEL_OP_END2, rng_below(&w->rng, 2) ? 0 : 3, 0, 0, 0, NULL, &oc);
        break;
    case 4: /* R20, R30: Begin during a backup -> -505 */
        rc = stress__c(w, MODEL_OP_BEGIN, 0, 0, 0, 0, NULL, &oc);
        break;
    case 5: /* R32 (incremental) or R33 (short buffer) */
        rc = stress__c(w, MODEL_OP_GET_ATTACH_INFO, 0, 0, cy->incremental ? STRESS__LIST_MAX : 8, 0,
                       NULL, &oc);
        break;
    case 6: /* R43: log lists with a file open -> -521 */
        if (cy->file_open)
            rc = stress__c(w, MODEL_OP_GET_LOG_INFO, 0, 0, STRESS__LIST_MAX, 0, NULL, &oc);
        break;
    case 7: /* R47: TruncateLog before the logs were listed -> -521 */
        if (!cy->logs_listed && !cy->file_open)
            rc = stress__c(w, MODEL_OP_TRUNCATE_LOG, 0, 0, 0, 0, NULL, &oc);
        break;
    case 8: /* R36: an unknown file in phase Databases -> -1203, backup kept */
        if (!cy->incremental && !cy->logs_listed && !cy->file_open)
            rc = stress__c(w, MODEL_OP_OPEN_FILE, 0, 0, 0, 0, "nosuch.db", &oc);
        break;
    case 9: /* R34: a second open -> -1011 */
        if (cy->file_open)
            rc = stress__c(w, MODEL_OP_OPEN_FILE, 0, 0, 0, 0, "db1", &oc);
        break;
    }
    if (rc == STRESS__STOP)
        return rc;
    if (rc == 0 && oc.lifetime != cy->lifetime) {
        cy->ended = true;
        return 1;
    }
    if (rc == 0 && oc.o.err == JET_errBackupAbortByServer) {
        rc = stress__stopped_path(w, cy);
        return rc == STRESS__STOP ? rc : 1;
    }
    if (rc == 0 && (oc.stale || oc.o.err == JET_errTermInProgress || oc.o.err == JET_errNoBackup)) {
        cy->ended = true;
        return 1;
    }
    return 0;
}

/* Open, read to the end, close, verify one file. Returns STRESS__STOP, 1 when
 * the cycle is over, 0 to go on. */
static int stress__copy_file(struct stress_worker *w, struct stress__cycle *cy, const char *path)
{
    struct stress_run *run = w->run;
    struct stress_outcome oc = {0};
    uint32_t ps = run->page_size;
    const char *model_name = stress__model_name(run, path);
    uint64_t size, got = 0;
    struct stress__hash full, data;
    bool db = strncmp(model_name, "db", 2) == 0, eof = false, read_ok = true;
    int rc;

    stress__hash_init(&full);
    stress__hash_init(&data);
    if ((rc = stress__client_oos(w, cy)) != 0)
        return rc;
    rc = stress__c(w, MODEL_OP_OPEN_FILE, 0, 0, 0, 0, path, &oc);
    if (rc != 0 || oc.o.err != JET_errSuccess || oc.lifetime != cy->lifetime) {
        rc = stress__client_trouble(w, cy, rc, &oc);
        return rc;
    }
    cy->file_open = true;
    size = oc.o.size;
    while (!eof) {
        static const uint32_t pages[] = {4, 8, 16};
        uint32_t cb = pages[rng_below(&w->rng, 3)] * ps;
        if (cb > STRESS__READ_MAX)
            cb = STRESS__READ_MAX / ps * ps;
        if ((rc = stress__client_oos(w, cy)) != 0)
            return rc;
        rc = stress__c(w, MODEL_OP_READ_FILE, 0, 0, cb, 0, NULL, &oc);
        if (rc != 0 || oc.o.err != JET_errSuccess || oc.lifetime != cy->lifetime) {
            if (rc == 0 && (oc.o.err == JET_errDiskIO || oc.o.err == JET_errReadVerifyFailure)) {
                /* R41: the handle is closed (Databases) or the backup cancelled. */
                cy->file_open = false;
                cy->broken = true;
                read_ok = false;
                break;
            }
            rc = stress__client_trouble(w, cy, rc, &oc);
            if (rc != 0)
                return rc;
            read_ok = false;
            break;
        }
        uint32_t n = oc.o.actual;
        if (n > cb) {
            stress__violation(w, "R40", "JetReadFileInstance returned %u bytes for a %u-byte buffer",
                              (unsigned)n, (unsigned)cb);
            n = cb;
        }
        stress__hash_add(&full, w->buf, n);
        /* A database without its header pages and trailer (§3.3). */
        if (db && n > 0) {
            uint64_t lo = got > 2ull * ps ? got : 2ull * ps, hi = got + n < size - ps ? got + n : size - ps;
            if (size >= ps && lo < hi)
                stress__hash_add(&data, w->buf + (lo - got), (size_t)(hi - lo));
        }
        got += n;
        eof = n == 0 || (got >= size && !stress__chance(w, 3));
    }
    if (!db)
        data = full;
    uint64_t full_h = stress__hash_value(&full), data_h = stress__hash_value(&data);
    if (cy->file_open) {
        rc = stress__c(w, MODEL_OP_CLOSE_FILE, 0, 0, 0, 0, NULL, &oc);
        if (rc != 0 || oc.o.err != JET_errSuccess || oc.lifetime != cy->lifetime) {
            rc = stress__client_trouble(w, cy, rc, &oc);
            if (rc != 0)
                return rc;
        }
        cy->file_open = false;
    }
    if (read_ok) {
        if (got != size)
            stress__violation(w, "R40", "copied %llu bytes of %s, but JetOpenFileInstance reported %llu",
                              (unsigned long long)got, model_name, (unsigned long long)size);
        else
            stress__verify_copy(w, cy, path, model_name, full_h, data_h, size);
        cy->files++;
    }
    return 0;
}

/* Copy the names of a list (szz) out of the list buffer; returns their count. */
static uint32_t stress__names(struct stress_worker *w, uint32_t cb, const char **names, uint32_t max)
{
    uint32_t n = 0, i = 0;
    if (cb > STRESS__LIST_MAX)
        cb = STRESS__LIST_MAX;
    memcpy(w->names, w->list, cb);
    while (i < cb && w->names[i] && n < max) {
        names[n++] = &w->names[i];
        while (i < cb && w->names[i])
            i++;
        i++;
    }
    if (i > cb && n > 0)
        n--; /* the last name was cut off */
    return n;
}

static int stress__client_cycle(struct stress_worker *w)
{
    struct stress_run *run = w->run;
    struct stress__cycle cy = {0};
    struct stress_outcome oc = {0};
    const char *names[256];
    uint32_t n;
    int rc;

    /* Move the checkpoint up to the last backup's logs now and then, as the
     * engine's log writer would: full backups then copy a few logs, not every
     * log since the instance began. A fixture call, admitted like the rest. */
    if (w->ckpt_gen != 0 && stress__chance(w, 2)) {
        struct stress_call c = {.op = MODEL_OP_FX_SET_CHECKPOINT, .hkind = STRESS_H_CURRENT,
                                .slot = w->slot, .cb = w->ckpt_gen};
        uint32_t life = w->ckpt_lifetime;
        w->ckpt_gen = 0;
        rc = stress__call(w, &c, &oc);
        if (rc == STRESS__STOP)
            return rc;
        if (rc == 0 && !oc.stale && oc.lifetime == life && oc.o.err != JET_errSuccess)
            stress__violation(w, "fixture", "BackstopFixtureSetCheckpoint to a generation on disk "
                                            "returned %d on L%u",
                              (int)oc.o.err, (unsigned)life);
    }
    cy.incremental = stress__chance(w, 4);
    rc = stress__c(w, MODEL_OP_BEGIN, cy.incremental ? JET_bitBackupIncremental : 0, 0, 0, 0, NULL, &oc);
    if (rc == STRESS__STOP)
        return rc;
    if (rc != 0)
        return 0;
    if (oc.stale || oc.lifetime == HIST_NO_LIFETIME)
        return stress__await_alive(w, w->slot);
    cy.lifetime = oc.lifetime;
    switch (oc.o.err) {
    case JET_errSuccess:
        break;
    case JET_errBackupInProgress:
        /* A stopped backup, or a racer's: end it (End works after Stop, R21). */
        rc = stress__c(w, MODEL_OP_END, 0, 0, 0, 0, NULL, &oc);
        return rc == STRESS__STOP ? rc : 0;
    default: /* -560 (no full backup yet), -523 (after a failed JetTerm), gate errors */
        return 0;
    }

    if (!cy.incremental) {
        if ((rc = stress__client_oos(w, &cy)) != 0)
            return rc == STRESS__STOP ? rc : 0;
        rc = stress__c(w, MODEL_OP_GET_ATTACH_INFO, 0, 0, STRESS__LIST_MAX, 0, NULL, &oc);
        if (rc != 0 || oc.o.err != JET_errSuccess || oc.lifetime != cy.lifetime) {
            rc = stress__client_trouble(w, &cy, rc, &oc);
            if (rc != 0)
                return rc == STRESS__STOP ? rc : 0;
        } else {
            n = stress__names(w, STRESS__LIST_MAX, names, 8);
            for (uint32_t i = 0; i < n && !cy.ended; i++)
                if ((rc = stress__copy_file(w, &cy, names[i])) != 0)
                    return rc == STRESS__STOP ? rc : 0;
        }
    }
    if (cy.ended)
        return 0;

    if ((rc = stress__client_oos(w, &cy)) != 0)
        return rc == STRESS__STOP ? rc : 0;
    if (stress__chance(w, 5)) {
        rc = stress__c(w, MODEL_OP_GET_TRUNCATE_LOG_INFO, 0, 0, STRESS__LIST_MAX, 0, NULL, &oc);
        if (rc != 0 || oc.o.err != JET_errSuccess || oc.lifetime != cy.lifetime) {
            rc = stress__client_trouble(w, &cy, rc, &oc);
            if (rc != 0)
                return rc == STRESS__STOP ? rc : 0;
        }
    }
    {
        bool legacy = run->n_slots == 1 && stress__chance(w, 4); /* in OneInst: the instance's */
        enum model_op op = legacy ? MODEL_OP_GET_LOG_INFO_LEGACY
                           : stress__chance(w, 3) ? MODEL_OP_GET_LOG_INFO : MODEL_OP_GET_LOG_INFO2;
        rc = stress__c(w, op, 0, 0, STRESS__LIST_MAX, 0, NULL, &oc);
    }
    if (rc != 0 || oc.o.err != JET_errSuccess || oc.lifetime != cy.lifetime) {
        rc = stress__client_trouble(w, &cy, rc, &oc);
        if (rc != 0 || cy.broken)
            return rc == STRESS__STOP ? rc : 0;
    } else {
        cy.logs_listed = true;
        if (oc.o.genhigh != 0 && (oc.o.genlow != 0 || oc.o.genhigh != 0)) {
            w->ckpt_gen = oc.o.genhigh;
            w->ckpt_lifetime = cy.lifetime;
        }
        n = stress__names(w, STRESS__LIST_MAX, names, 256);
        for (uint32_t i = 0; i < n && !cy.ended; i++)
            if ((rc = stress__copy_file(w, &cy, names[i])) != 0)
                return rc == STRESS__STOP ? rc : 0;
    }
    if (cy.ended)
        return 0;
    if (stress__chance(w, 2)) {
        bool legacy = run->n_slots == 1 && stress__chance(w, 4);
        rc = stress__c(w, legacy ? MODEL_OP_TRUNCATE_LOG_LEGACY : MODEL_OP_TRUNCATE_LOG, 0, 0, 0, 0,
                       NULL, &oc);
        if (rc != 0 || (oc.o.err != JET_errSuccess && oc.o.err != JET_errLogFileNotCopied) ||
            oc.lifetime != cy.lifetime) {
            rc = stress__client_trouble(w, &cy, rc, &oc);
            if (rc != 0)
                return rc == STRESS__STOP ? rc : 0;
        }
    }
    if ((rc = stress__client_oos(w, &cy)) != 0)
        return rc == STRESS__STOP ? rc : 0;
    switch (rng_below(&w->rng, 10)) {
    case 0:
        rc = stress__c(w, MODEL_OP_END2, JET_bitBackupEndAbort, 0, 0, 0, NULL, &oc);
        break;
    case 1:
    case 2:
        rc = stress__c(w, MODEL_OP_END2, JET_bitBackupEndNormal, 0, 0, 0, NULL, &oc);
        break;
    case 3:
        if (run->n_slots == 1) {
            rc = stress__c(w, MODEL_OP_END_LEGACY, 0, 0, 0, 0, NULL, &oc);
            break;
        }
        /* fall through */
    default:
        rc = stress__c(w, MODEL_OP_END, 0, 0, 0, 0, NULL, &oc);
        break;
    }
    if (rc == STRESS__STOP)
        return rc;
    if (rc == 0 && oc.o.err == JET_errSuccess && !cy.broken && cy.files > 0)
        atomic_fetch_add(&run->backups_completed, 1);
    return 0;
}

/* ---- the other roles ---------------------------------------------------------------------- */

/* Free runs: wait a little, without sleeping, for a ReadFile on the slot to
 * be under way, so that the Stop that follows lands inside it (the samples of
 * the R50 check, stress_check.c). Gives up after STRESS__AIM_POLLS polls (a
 * few microseconds): the Stop then lands wherever it lands. Never under a
 * controlled schedule, where the reader cannot run while this thread polls. */
#define STRESS__AIM_POLLS 4096u

static void stress__aim_at_read(struct stress_worker *w)
{
    struct stress_slot *s = &w->run->slots[w->slot];
    for (uint32_t i = 0; i < STRESS__AIM_POLLS; i++) {
        if (atomic_load_explicit(&s->reading, memory_order_acquire) != 0)
            return;
    }
}

static int stress__stopper_step(struct stress_worker *w)
{
    struct stress_run *run = w->run;
    struct stress_outcome oc = {0};
    uint64_t fp;
    int rc = stress__pace(w, w->slot, 1 + rng_below(&w->rng, 40));
    uint32_t r = rng_below(&w->rng, 10);
    if (rc != 0)
        return rc;
    if (run->n_slots == 1 && r < 3) /* JetStopBackup (R15): OneInst stops, MultiInst -1081 */
        return stress__c(w, MODEL_OP_STOP_BACKUP, 0, 0, 0, 0, NULL, &oc) == STRESS__STOP ? STRESS__STOP : 0;
    if (run->n_slots > 1 && r < 3 && stress__can_inspect(run)) {
        uint32_t other = (w->slot + 1 + rng_below(&w->rng, run->n_slots - 1)) % run->n_slots;
        if (stress__hold_try(w, other, &fp)) {
            struct stress_call c = {.op = MODEL_OP_STOP_BACKUP_INSTANCE, .hkind = STRESS_H_CURRENT,
                                    .slot = w->slot, .nowait = true};
            rc = stress__call(w, &c, &oc);
            stress__hold_release(w, other, fp, "R10", "JetStopBackupInstance on another instance");
            if (rc != STRESS__BUSY)
                return rc == STRESS__STOP ? rc : 0;
        }
    }
    if (run->aim_stops && r >= 5) {
        if (stress__await_alive(w, w->slot) != 0)
            return STRESS__STOP;
        stress__aim_at_read(w);
    }
    rc = stress__c(w, MODEL_OP_STOP_BACKUP_INSTANCE, 0, 0, 0, 0, NULL, &oc);
    if (rc == 0 && r == 9) /* R12: a second Stop is the same as one */
        rc = stress__c(w, MODEL_OP_STOP_BACKUP_INSTANCE, 0, 0, 0, 0, NULL, &oc);
    return rc == STRESS__STOP ? rc : 0;
}

static int stress__invalid_step(struct stress_worker *w)
{
    static const enum stress_hkind kinds[] = {STRESS_H_ZERO, STRESS_H_NIL, STRESS_H_NEVER,
                                              STRESS_H_STALE, STRESS_H_STALE};
    static const enum model_op ops[] = {
        MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE,
        MODEL_OP_BEGIN, MODEL_OP_GET_ATTACH_INFO, MODEL_OP_OPEN_FILE, MODEL_OP_READ_FILE,
        MODEL_OP_CLOSE_FILE, MODEL_OP_GET_LOG_INFO2, MODEL_OP_GET_TRUNCATE_LOG_INFO,
        MODEL_OP_TRUNCATE_LOG, MODEL_OP_END, MODEL_OP_END2, MODEL_OP_TERM, MODEL_OP_TERM2};
    struct stress_run *run = w->run;
    struct stress_outcome oc = {0};
    uint64_t fp[STRESS_MAX_INSTANCES];
    bool held[STRESS_MAX_INSTANCES] = {0};
    int rc = stress__pace(w, w->slot, 1 + rng_below(&w->rng, 20));
    if (rc != 0)
        return rc;
    enum stress_hkind kind = kinds[rng_below(&w->rng, sizeof kinds / sizeof kinds[0])];
    enum model_op op = ops[rng_below(&w->rng, sizeof ops / sizeof ops[0])];
    JET_GRBIT grbit = op == MODEL_OP_TERM2 ? (JET_GRBIT)rng_below(&w->rng, 16)
                      : op == MODEL_OP_END2 ? JET_bitBackupEndNormal
                                            : 0;
    if (run->n_slots == 1) {
        /* In OneInst mode any handle names the single instance (R4): only
         * Stops, which every instance state accepts, are harmless there. */
        op = stress__chance(w, 2) ? MODEL_OP_STOP_BACKUP : MODEL_OP_STOP_BACKUP_INSTANCE;
        grbit = 0;
    } else {
        for (uint32_t i = 0; i < run->n_slots; i++)
            held[i] = stress__hold_try(w, i, &fp[i]);
    }
    /* A worker that holds slots still never waits for admission. */
    struct stress_call c = {.op = op, .hkind = op == MODEL_OP_STOP_BACKUP ? STRESS_H_NONE : kind,
                            .slot = w->slot, .grbit = grbit, .cb = 8 * w->run->page_size,
                            .nowait = true};
    if (op == MODEL_OP_OPEN_FILE)
        c.name = c.model_name = "db1";
    if (op == MODEL_OP_READ_FILE)
        c.buf = w->buf;
    if (op == MODEL_OP_GET_ATTACH_INFO || op == MODEL_OP_GET_LOG_INFO2 ||
        op == MODEL_OP_GET_TRUNCATE_LOG_INFO) {
        c.cb = STRESS__LIST_MAX;
        c.buf = w->list;
    }
    rc = stress__call(w, &c, &oc);
    if (rc == 0 && (oc.stale || oc.lifetime == HIST_NO_LIFETIME) && op != MODEL_OP_STOP_BACKUP &&
        oc.o.err != JET_errInvalidParameter)
        stress__violation(w, op == MODEL_OP_STOP_BACKUP_INSTANCE ? "R11" : "R3",
                          "%s with a handle that names no instance (0x%llx) returned %d, not -1003",
                          model_op_name(op), (unsigned long long)oc.inst, (int)oc.o.err);
    for (uint32_t i = 0; i < run->n_slots; i++)
        if (held[i])
            stress__hold_release(w, i, fp[i], op == MODEL_OP_STOP_BACKUP_INSTANCE ? "R11" : "R3",
                                 model_op_name(op));
    return rc == STRESS__STOP ? rc : 0;
}

static int stress__racer_step(struct stress_worker *w)
{
    struct stress_outcome oc = {0};
    int rc = stress__pace(w, w->slot, 3 + rng_below(&w->rng, 60));
    if (rc != 0)
        return rc;
    rc = stress__c(w, MODEL_OP_BEGIN, stress__chance(w, 3) ? JET_bitBackupIncremental : 0, 0, 0, 0,
                   NULL, &oc);
    if (rc != 0 || oc.o.err != JET_errSuccess || oc.stale)
        return rc == STRESS__STOP ? rc : 0;
    /* It won (R52): end its backup again, normally or not. */
    if (stress__chance(w, 2)) {
        rc = stress__c(w, MODEL_OP_GET_LOG_INFO2, 0, 0, STRESS__LIST_MAX, 0, NULL, &oc);
        if (rc == STRESS__STOP)
            return rc;
    }
    rc = stress__c(w, MODEL_OP_END2, stress__chance(w, 2) ? JET_bitBackupEndAbort : JET_bitBackupEndNormal,
                   0, 0, 0, NULL, &oc);
    return rc == STRESS__STOP ? rc : 0;
}

static int stress__terminator_step(struct stress_worker *w)
{
    static const JET_GRBIT grbits[] = {0, 1, 2, 4, 8, 6, 0xA, 0xC};
    struct stress_run *run = w->run;
    struct stress_slot *s = &run->slots[w->slot];
    struct stress_outcome oc = {0};
    bool alive;
    int rc = stress__pace(w, w->slot, 40 + rng_below(&w->rng, 400));
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&s->mu);
    alive = s->alive;
    pthread_mutex_unlock(&s->mu);
    if (alive) {
        uint32_t pick = rng_below(&w->rng, 1 + sizeof grbits / sizeof grbits[0]);
        if (pick == 0)
            rc = stress__c(w, MODEL_OP_TERM, 0, 0, 0, 0, NULL, &oc);
        else
            rc = stress__c(w, MODEL_OP_TERM2, grbits[pick - 1], 0, 0, 0, NULL, &oc);
        if (rc == STRESS__STOP)
            return rc;
        if (rc != 0 || (oc.o.err != JET_errSuccess && oc.o.err != JET_errDirtyShutdown && !oc.stale))
            return 0; /* -505 (R20, R31): the instance stays; a later JetTerm ends it */
    }
    rc = stress__new_lifetime(run, w, w->slot, &w->rng);
    return rc == STRESS__STOP ? rc : 0;
}

int stress__role_step(struct stress_worker *w)
{
    switch (w->role) {
    case STRESS_CLIENT: return stress__client_cycle(w);
    case STRESS_STOPPER: return stress__stopper_step(w);
    case STRESS_INVALID: return stress__invalid_step(w);
    case STRESS_RACER: return stress__racer_step(w);
    case STRESS_TERMINATOR: return stress__terminator_step(w);
    }
    return 0;
}

void stress__role_reset(struct stress_worker *w)
{
    w->n_copies = 0;
    w->copies_lifetime = 0;
    w->ckpt_gen = 0;
}
