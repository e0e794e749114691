/*
 * engine_test.c: Criterion suite `engine`: the reference engine against the
 * spec, through engine_api / engine_fixture as the harness uses them. Covers a
 * real full backup over the directory store (bytes compared with the source
 * files), the stop flag, truncation deleting files, every fault point, handle
 * validation, lifecycle and legacy entries, and the defined concurrent overlaps
 * (JetTerm waiting for an in-flight ReadFile, Begin racers, Stop inside a read
 * and inside Begin's claim), ordered with handshakes, never sleeps.
 *
 * Links: backstop_engine_static, criterion, Threads.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"

#define PS 4096u
#define RD (16u * PS) /* read size of the tests' client */

/* ---------------------------------------------------------------------------
 * Fixtures
 * ------------------------------------------------------------------------- */

struct world {
    struct engine *e;
    char tmp[256]; /* DIR store: a mkdtemp dir holding the engine root */
    char root[300];
    JET_INSTANCE i;
    unsigned char *buf; /* RD bytes, 4096-aligned */
};

static struct world W;

static void world_open(int store, int validate)
{
    memset(&W, 0, sizeof W);
    struct engine_config cfg = {.store = store, .validate_handles = validate, .seed = 42};
    if (store == ENGINE_STORE_DIR) {
        const char *t = getenv("TMPDIR");
        snprintf(W.tmp, sizeof W.tmp, "%s/engine_test-XXXXXX", t && *t ? t : "/tmp");
        cr_assert_not_null(mkdtemp(W.tmp));
        snprintf(W.root, sizeof W.root, "%s/root", W.tmp);
        cfg.dir = W.root;
    }
    cr_assert_eq(engine_create(&cfg, &W.e), ENGINE_OK);
    W.buf = aligned_alloc(4096, RD);
    cr_assert_not_null(W.buf);
}

static void world_close(void)
{
    engine_destroy(W.e);
    W.e = NULL;
    free(W.buf);
    if (W.tmp[0] != '\0') {
        struct stat st;
        cr_expect_neq(stat(W.root, &st), 0, "the engine removes the root it created");
        rmdir(W.tmp);
    }
}

/* Calls. */
#define API(fn, ...) engine_api.fn(W.e, __VA_ARGS__)
#define API0(fn) engine_api.fn(W.e)
#define FX(fn, ...) engine_fixture.fn(W.e, __VA_ARGS__)

/* A running instance with one database and logs 1..3, checkpoint 2. */
static JET_INSTANCE running_instance(const char *name, uint32_t pages)
{
    JET_INSTANCE i = 0;
    cr_assert_eq(API(JetCreateInstance, &i, name), 0);
    cr_assert_eq(API(JetInit, &i), 0);
    if (pages > 0)
        cr_assert_eq(FX(BackstopFixtureCreateDatabase, i, "db1", pages), 0);
    return i;
}

static void mem_setup(void)
{
    world_open(ENGINE_STORE_MEM, 0);
    W.i = running_instance("a", 8);
}
static void dir_setup(void)
{
    world_open(ENGINE_STORE_DIR, 0);
    W.i = running_instance("a", 37);
}
static void esent_setup(void)
{
    world_open(ENGINE_STORE_MEM, 1);
    W.i = running_instance("a", 8);
}
static void bare_setup(void)
{
    world_open(ENGINE_STORE_MEM, 0);
}

static struct engine_inspect inspect(JET_INSTANCE i)
{
    struct engine_inspect s;
    cr_assert_eq(engine_inspect(W.e, i, &s), ENGINE_OK);
    return s;
}

/* Two snapshots are equal as engine.h defines it: the bytes before dir, and
 * dir as a string. */
static bool inspect_equal(const struct engine_inspect *a, const struct engine_inspect *b)
{
    return memcmp(a, b, offsetof(struct engine_inspect, dir)) == 0 && strcmp(a->dir, b->dir) == 0;
}

/* Number of names in a double-NUL-terminated list. */
static int list_count(const char *szz)
{
    int n = 0;
    for (const char *p = szz; *p; p += strlen(p) + 1)
        n++;
    return n;
}

/* Stream one file: open, read all in RD chunks into *out (malloc), close. */
static JET_ERR stream_file(JET_INSTANCE i, const char *name, unsigned char **out, uint64_t *size)
{
    JET_HANDLE hf = 99;
    uint32_t lo = 0, hi = 0, got = 0;
    JET_ERR err = API(JetOpenFileInstance, i, name, &hf, &lo, &hi);
    if (err != 0)
        return err;
    cr_assert_eq(hf, 0, "the handle is always 0 (R34)");
    *size = ((uint64_t)hi << 32) | lo;
    unsigned char *data = malloc(*size + RD);
    uint64_t at = 0;
    do {
        err = API(JetReadFileInstance, i, hf, W.buf, RD, &got);
        if (err != 0) {
            free(data);
            return err;
        }
        memcpy(data + at, W.buf, got);
        at += got;
    } while (got > 0);
    cr_assert_eq(at, *size, "ReadFile delivers exactly the size OpenFile reported");
    cr_assert_eq(API(JetCloseFileInstance, i, hf), 0);
    *out = data;
    return 0;
}

static unsigned char *slurp(const char *path, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc((size_t)n + 1);
    cr_assert_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (uint64_t)n;
    return p;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void log_path(JET_INSTANCE i, uint32_t gen, char *buf)
{
    cr_assert_eq(FX(BackstopFixtureFilePath, i, BACKSTOP_FILE_LOG, NULL, gen, buf, 1024), 0);
}

/* Begin(full); stream every database; GetLogInfo; stream every log. */
static void full_backup_until_logs(JET_INSTANCE i)
{
    char list[4096];
    uint32_t cb = 0;
    unsigned char *data;
    uint64_t size;
    cr_assert_eq(API(JetBeginExternalBackupInstance, i, 0), 0);
    cr_assert_eq(API(JetGetAttachInfoInstance, i, list, sizeof list, &cb), 0);
    for (const char *p = list; *p; p += strlen(p) + 1) {
        cr_assert_eq(stream_file(i, p, &data, &size), 0);
        free(data);
    }
    cr_assert_eq(API(JetGetLogInfoInstance, i, list, sizeof list, &cb), 0);
    for (const char *p = list; *p; p += strlen(p) + 1) {
        cr_assert_eq(stream_file(i, p, &data, &size), 0);
        free(data);
    }
}

/* ---------------------------------------------------------------------------
 * A real backup
 * ------------------------------------------------------------------------- */

Test(engine, full_backup_over_dir_store_copies_the_source_layout, .init = dir_setup,
     .fini = world_close)
{
    char list[4096], path[1024];
    uint32_t cb = 0;
    JET_LOGINFO li = {.cbSize = sizeof li};

    cr_assert_eq(FX(BackstopFixtureRollLog, W.i, 3), 0);
    cr_assert_eq(FX(BackstopFixtureSetCheckpoint, W.i, 2), 0);
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_expect_eq(inspect(W.i).copy_mic, 2, "full Begin: copy_mic = checkpoint (R29)");

    /* The attach list holds the full path of the database file. */
    cr_assert_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_assert_eq(FX(BackstopFixtureFilePath, W.i, BACKSTOP_FILE_DATABASE, "db1", 0, path,
                    sizeof path), 0);
    cr_expect_str_eq(list, path);
    cr_expect_eq(cb, strlen(path) + 2);
    cr_expect_eq(path[0], '/');

    /* Streamed database: header pages as snapshotted at open, pages 1..37, a
     * trailer page equal to header page 0; byte-identical to the file. */
    unsigned char *data, *src;
    uint64_t size, src_size;
    cr_assert_eq(stream_file(W.i, list, &data, &size), 0);
    src = slurp(path, &src_size);
    cr_expect_eq(size, (37 + 3) * (uint64_t)PS, "(pgnoLast + 3) pages (§3.3)");
    cr_expect_eq(src_size, size);
    cr_expect_eq(memcmp(data, src, size), 0, "the copy equals the file");
    cr_expect_eq(memcmp(data + 39 * PS, data, PS), 0, "the trailer is header page 0");
    for (uint32_t pg = 1; pg <= 37; pg++) {
        uint32_t stamped;
        memcpy(&stamped, data + (pg + 1) * PS + 4, 4);
        cr_expect_eq(stamped, pg, "page %u at offset (pgno + 1) pages", pg);
    }
    unsigned char *data0 = data; /* kept: the header before the backup */
    char path_db[1024];
    memcpy(path_db, path, sizeof path_db);
    free(src);

    /* A bare basename is resolved against the instance directory too. */
    cr_assert_eq(stream_file(W.i, "db1", &data, &size), 0);
    free(data);

    /* Logs: the first GetLogInfo rolls once: copy range [2, 3], current 4. */
    cr_assert_eq(API(JetGetLogInfoInstance2, W.i, list, sizeof list, &cb, &li), 0);
    cr_expect_eq(li.ulGenLow, 2);
    cr_expect_eq(li.ulGenHigh, 3);
    cr_expect_str_eq(li.szBaseName, "edb");
    cr_expect_eq(list_count(list), 2);
    cr_expect_eq(inspect(W.i).log_cur, 4);
    for (const char *p = list; *p; p += strlen(p) + 1) {
        cr_assert_eq(stream_file(W.i, p, &data, &size), 0);
        src = slurp(p, &src_size);
        cr_expect_eq(size, 65536);
        cr_expect_eq(src_size, size);
        cr_expect_eq(memcmp(data, src, size), 0, "a log streams as its file bytes");
        free(data);
        free(src);
    }
    cr_expect_str_eq(engine_root(W.e), W.root);

    /* Truncation deletes [lowest, copy_mic - 1] = log 1, really. */
    char truncate_list[1024];
    cr_assert_eq(API(JetGetTruncateLogInfoInstance, W.i, truncate_list, sizeof truncate_list,
                     &cb), 0);
    cr_expect_eq(list_count(truncate_list), 1);
    log_path(W.i, 1, path);
    cr_expect_str_eq(truncate_list, path);
    cr_assert(file_exists(path));
    cr_assert_eq(API(JetTruncateLogInstance, W.i), 0);
    cr_expect_not(file_exists(path), "TruncateLog deleted %s", path);
    log_path(W.i, 2, path);
    cr_expect(file_exists(path));
    uint32_t low = 0, high = 0;
    cr_assert_eq(FX(BackstopFixtureLogRange, W.i, &low, &high), 0);
    cr_expect_eq(low, 2);
    cr_expect_eq(high, 4);

    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    struct engine_inspect s = inspect(W.i);
    cr_expect_eq(s.n_ends_normal, 1);
    cr_expect_not(s.in_progress_any);
    /* The normal full backup was recorded: an incremental may follow. */
    /* The header update at End rewrote the file's headers; the next copy
     * carries the new header and still equals the file. */
    unsigned char *again;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(stream_file(W.i, "db1", &again, &size), 0);
    src = slurp(path_db, &src_size);
    cr_expect_eq(memcmp(again, src, size), 0);
    cr_expect_neq(memcmp(again, data0, PS), 0, "the header records the backup");
    free(again);
    free(src);
    free(data0);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0);
}

Test(engine, mem_store_lists_pseudo_paths_and_streams_the_same_layout, .init = mem_setup,
     .fini = world_close)
{
    char list[1024];
    uint32_t cb = 0;
    unsigned char *data;
    uint64_t size;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(strncmp(list, "mem:/inst-", 10), 0, "got %s", list);
    cr_expect_str_eq(list + strlen(list) - 4, "/db1");
    cr_assert_eq(stream_file(W.i, list, &data, &size), 0);
    cr_expect_eq(size, 11 * (uint64_t)PS);
    cr_expect_eq(memcmp(data, data + 10 * PS, PS), 0, "trailer = header page 0");
    free(data);
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(list_count(list), 1);
    cr_assert_eq(stream_file(W.i, list, &data, &size), 0);
    free(data);
    cr_assert_eq(API(JetTruncateLogInstance, W.i), 0);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_expect_eq(inspect(W.i).n_ends_normal, 1);
}

Test(engine, log_names_spell_the_generation_in_upper_case_hex, .init = dir_setup,
     .fini = world_close)
{
    char list[4096], want[1100];
    uint32_t cb = 0;
    unsigned char *data;
    uint64_t size;
    /* Generations 0x9 to 0x1B: digits and letters, a carry into the next digit. */
    cr_assert_eq(FX(BackstopFixtureRollLog, W.i, 0x1A), 0);
    cr_assert_eq(FX(BackstopFixtureSetCheckpoint, W.i, 0x9), 0);
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), 0);
    for (const char *p = list; *p; p += strlen(p) + 1) {
        cr_assert_eq(stream_file(W.i, p, &data, &size), 0);
        free(data);
    }
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    struct engine_inspect st = inspect(W.i);
    uint32_t gen = 0x9;
    for (const char *p = list; *p; p += strlen(p) + 1, gen++) {
        snprintf(want, sizeof want, "%s/edb%08X.log", st.dir, gen);
        cr_expect_str_eq(p, want);
        cr_expect(file_exists(p), "%s is on disk", p);
        cr_assert_eq(stream_file(W.i, p, &data, &size), 0, "%s streams and verifies", p);
        free(data);
    }
    cr_expect_eq(gen, 0x1B, "the roll made 0x1B, the current log; the list ends before it");
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
}

/* ---------------------------------------------------------------------------
 * The stop flag (§5)
 * ------------------------------------------------------------------------- */

Test(engine, stop_fails_streaming_calls_but_close_and_end_work, .init = mem_setup,
     .fini = world_close)
{
    char list[1024];
    uint32_t cb = 0;
    JET_HANDLE hf = 7;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
    struct engine_inspect before = inspect(W.i);
    for (int k = 0; k < 2; k++) { /* R16: repeatedly */
        cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), -801);
        cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf + 1, RD, &cb), -801, "R17");
        cr_expect_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), -801);
        cr_expect_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), -801);
        cr_expect_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), -801, "R17");
        cr_expect_eq(API(JetGetTruncateLogInfoInstance, W.i, list, sizeof list, &cb), -801);
        cr_expect_eq(API(JetTruncateLogInstance, W.i), -801);
    }
    struct engine_inspect after = inspect(W.i);
    cr_expect(after.slot_in_use && after.stop && after.in_progress_local);
    cr_expect_eq(after.phase, before.phase);
    cr_expect_eq(after.slot_ib, before.slot_ib);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, 0), -505, "R20");
    cr_expect_eq(FX(BackstopFixtureCreateDatabase, W.i, "db2", 4), -505, "R20");
    cr_expect_eq(API(JetCloseFileInstance, W.i, hf), 0, "R19");
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0, "R21, D1");
    struct engine_inspect s = inspect(W.i);
    cr_expect(!s.stop && !s.in_progress_any && !s.slot_in_use);
    cr_expect_eq(s.phase, ENGINE_PHASE_NOT_STARTED);
    cr_expect_eq(s.last_end_reason, -801, "ended as aborted by server");
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -520, "S9");
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0, "R23");
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, JET_bitBackupEndAbort), 0, "R22");
}

Test(engine, stop_without_a_backup_is_not_sticky, .init = mem_setup, .fini = world_close)
{
    uint32_t cb;
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0, "R12");
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), -520, "S1, R18");
    cr_expect_eq(API(JetCloseFileInstance, W.i, 0), -520);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0, "S2");
    cr_expect_not(inspect(W.i).stop);
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -520, "S3");
    cr_expect_not(inspect(W.i).stop, "R25: End with no backup clears stop");
}

Test(engine, end2_with_a_bad_grbit_changes_nothing, .init = mem_setup, .fini = world_close)
{
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, 0), -1003, "R24 without backup");
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, 0), -1003);
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, 3), -1003);
    struct engine_inspect s = inspect(W.i);
    cr_expect(s.stop && s.in_progress_any, "S23");
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, JET_bitBackupEndNormal), 0);
}

/* ---------------------------------------------------------------------------
 * Truncation
 * ------------------------------------------------------------------------- */

Test(engine, truncate_log_needs_every_log_copied, .init = dir_setup, .fini = world_close)
{
    char list[4096], path[1024];
    uint32_t cb;
    unsigned char *data;
    uint64_t size;
    cr_assert_eq(FX(BackstopFixtureRollLog, W.i, 5), 0);
    cr_assert_eq(FX(BackstopFixtureSetCheckpoint, W.i, 4), 0);
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_expect_eq(API(JetTruncateLogInstance, W.i), -521, "R47: logs not prepared");
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(list_count(list), 2, "copy range [4, 5]");
    cr_expect_eq(API(JetTruncateLogInstance, W.i), -616, "R47: nothing read yet");
    /* Reading log 5 once is not enough; twice passes the heuristic: 10 >= 4 + 5. */
    const char *log5 = list + strlen(list) + 1;
    cr_assert_eq(stream_file(W.i, log5, &data, &size), 0);
    free(data);
    cr_expect_eq(API(JetTruncateLogInstance, W.i), -616);
    cr_assert_eq(stream_file(W.i, log5, &data, &size), 0);
    free(data);
    for (uint32_t g = 1; g <= 3; g++) {
        log_path(W.i, g, path);
        cr_assert(file_exists(path));
    }
    cr_expect_eq(API(JetTruncateLogInstance, W.i), 0, "the sum heuristic (D14)");
    for (uint32_t g = 1; g <= 3; g++) {
        log_path(W.i, g, path);
        cr_expect_not(file_exists(path), "log %u deleted", g);
    }
    log_path(W.i, 4, path);
    cr_expect(file_exists(path));
    cr_expect(inspect(W.i).logs_truncated);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
}

/* ---------------------------------------------------------------------------
 * Fault points
 * ------------------------------------------------------------------------- */

struct observed {
    int n;
    char last[32];
};
static void observe(void *ctx, const char *point, uint64_t opportunity)
{
    struct observed *o = ctx;
    (void)opportunity;
    o->n++;
    snprintf(o->last, sizeof o->last, "%s", point);
}

/* Open db1 and read it with the fault armed at the first read. */
static JET_ERR read_db_with_fault(const char *point)
{
    JET_HANDLE hf;
    uint32_t cb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, point, 0), 0);
    return API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb);
}

Test(engine, read_eio_in_phase_databases_closes_the_handle, .init = mem_setup,
     .fini = world_close)
{
    struct observed o = {0};
    engine_set_fault_observer(W.e, observe, &o);
    cr_expect_eq(read_db_with_fault("read.eio"), -1022);
    cr_expect_eq(o.n, 1);
    cr_expect_str_eq(o.last, "read.eio");
    cr_expect_eq(API(JetCloseFileInstance, W.i, 0), -1003, "R41: handle closed");
    struct engine_inspect s = inspect(W.i);
    cr_expect(s.in_progress_local && !s.slot_in_use, "R41: backup kept");
    uint32_t cb;
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0);
}

Test(engine, read_verify_in_phase_databases_closes_the_handle, .init = mem_setup,
     .fini = world_close)
{
    cr_expect_eq(read_db_with_fault("read.verify"), -1018);
    cr_expect_not(inspect(W.i).slot_in_use);
    cr_expect(inspect(W.i).in_progress_local);
    cr_expect_eq(engine_fault_fired(W.e, "read.verify"), 1);
}

Test(engine, read_short_is_resumed_and_the_data_is_intact, .init = dir_setup,
     .fini = world_close)
{
    unsigned char *a, *b;
    uint64_t na, nb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(stream_file(W.i, "db1", &a, &na), 0);
    cr_assert_eq(engine_fault_arm(W.e, "read.short", ENGINE_FAULT_COUNTDOWN, 0, 0), ENGINE_OK);
    cr_assert_eq(stream_file(W.i, "db1", &b, &nb), 0);
    cr_expect_eq(na, nb);
    cr_expect_eq(memcmp(a, b, na), 0);
    cr_expect_geq(engine_fault_fired(W.e, "read.short"), 3);
    free(a);
    free(b);
}

Test(engine, read_eio_in_phase_logs_cancels_the_backup, .init = mem_setup, .fini = world_close)
{
    char list[1024];
    uint32_t cb;
    JET_HANDLE hf;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, list, &hf, NULL, NULL), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "read.eio", 1), 0, "the second read fails");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, 2 * PS, &cb), 0);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, 2 * PS, &cb), -1022);
    cr_expect_not(inspect(W.i).in_progress_any, "R41: cancelled");
    cr_expect_eq(API(JetStopBackupInstance, W.i), 0);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -520, "S21");
    cr_expect_not(inspect(W.i).stop);
}

Test(engine, corrupted_page_on_disk_gives_read_verify_failure, .init = dir_setup,
     .fini = world_close)
{
    char path[1024];
    JET_HANDLE hf;
    uint32_t cb;
    cr_assert_eq(FX(BackstopFixtureFilePath, W.i, BACKSTOP_FILE_DATABASE, "db1", 0, path,
                    sizeof path), 0);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, 20 * PS + 100, SEEK_SET); /* page 19 */
    int byte = fgetc(f);
    fseek(f, 20 * PS + 100, SEEK_SET);
    fputc(byte ^ 0xFF, f);
    fclose(f);
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, path, &hf, NULL, NULL), 0);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), 0, "pages 1..14");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), -1018, "pages 15..30");
    cr_expect_not(inspect(W.i).slot_in_use);
}

Test(engine, alloc_enomem_in_list_building_cancels, .init = mem_setup, .fini = world_close)
{
    char list[1024];
    uint32_t cb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "alloc.enomem", 0), 0);
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), -1011);
    cr_expect_not(inspect(W.i).in_progress_any, "[cancels]");
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -520);

    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "alloc.enomem", 0), 0);
    cr_expect_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), -1011);
    cr_expect_not(inspect(W.i).in_progress_any, "[cancels]");
}

Test(engine, alloc_enomem_in_open_keeps_the_backup, .init = mem_setup, .fini = world_close)
{
    JET_HANDLE hf;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "alloc.enomem", 0), 0);
    cr_expect_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), -1011);
    struct engine_inspect s = inspect(W.i);
    cr_expect(s.in_progress_any && !s.slot_in_use);
    cr_expect_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
}

Test(engine, logroll_enospc_returns_log_disk_full_and_a_retry_rolls, .init = mem_setup,
     .fini = world_close)
{
    char list[1024];
    uint32_t cb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "logroll.enospc", 0), 0);
    cr_expect_eq(API(JetGetTruncateLogInfoInstance, W.i, list, sizeof list, &cb), -529);
    struct engine_inspect s = inspect(W.i);
    cr_expect(s.in_progress_any && !s.began_new_log, "no cancel (§4.6 step 5)");
    cr_expect_eq(s.log_cur, 1);
    cr_expect_eq(s.phase, ENGINE_PHASE_DATABASES);
    cr_expect_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(inspect(W.i).log_cur, 2);
    cr_expect_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(inspect(W.i).log_cur, 2, "R44: rolls once");
}

Test(engine, open_eio_keeps_in_databases_and_cancels_in_logs, .init = mem_setup,
     .fini = world_close)
{
    char list[1024];
    uint32_t cb;
    JET_HANDLE hf;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "open.eio", 0), 0);
    cr_expect_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), -1022);
    cr_expect(inspect(W.i).in_progress_any, "D6");
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_assert_eq(FX(BackstopFixtureArmFault, "open.eio", 0), 0);
    cr_expect_eq(API(JetOpenFileInstance, W.i, list, &hf, NULL, NULL), -1022);
    cr_expect_not(inspect(W.i).in_progress_any);
}

Test(engine, write_eio_fails_fixture_file_creation, .init = mem_setup, .fini = world_close)
{
    cr_assert_eq(FX(BackstopFixtureArmFault, "write.eio", 0), 0);
    cr_expect_eq(FX(BackstopFixtureCreateDatabase, W.i, "db2", 4), -1022);
    cr_expect_eq(inspect(W.i).n_databases, 1);
    cr_assert_eq(FX(BackstopFixtureArmFault, "write.eio", 1), 0);
    cr_expect_eq(FX(BackstopFixtureRollLog, W.i, 5), -1022);
    cr_expect_eq(inspect(W.i).log_cur, 2, "one log written before the fault");
    cr_expect_eq(FX(BackstopFixtureArmFault, "no.such.point", 0), -1003);
}

Test(engine, fault_policies_and_counting, .init = mem_setup, .fini = world_close)
{
    uint32_t cb;
    JET_HANDLE hf;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    engine_fault_set_counting(W.e, true);
    cr_assert_eq(API(JetReadFileInstance, W.i, hf, W.buf, 4 * PS, &cb), 0);
    cr_expect_eq(engine_fault_opportunities(W.e, "read.eio"), 1);
    cr_expect_eq(engine_fault_opportunities(W.e, "read.verify"), 1);
    cr_assert_eq(engine_fault_arm(W.e, "read.verify", ENGINE_FAULT_PROBABILITY, 0, 0.0), 0);
    cr_assert_eq(API(JetReadFileInstance, W.i, hf, W.buf, PS, &cb), 0, "p = 0 never fires");
    cr_assert_eq(engine_fault_arm(W.e, "read.verify", ENGINE_FAULT_COUNTDOWN, 1, 0), 0);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, PS, &cb), 0, "skipped");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, PS, &cb), -1018);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), -1018, "still firing");
    cr_assert_eq(engine_fault_disarm(W.e, NULL), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), 0);
    cr_expect_eq(engine_fault_fired(W.e, "read.verify"), 2);
    cr_expect_eq(engine_fault_arm(W.e, "read.eio", ENGINE_FAULT_PROBABILITY, 0, 2.0),
                 ENGINE_EINVAL);
    cr_expect_eq(engine_fault_arm(W.e, "nope", ENGINE_FAULT_ONCE, 0, 0), ENGINE_ENOENT);
    const char *const *names = engine_fault_points();
    int n = 0;
    while (names[n] != NULL)
        n++;
    cr_expect_eq(n, 7);
}

/* ---------------------------------------------------------------------------
 * Handles and lifecycle (§2)
 * ------------------------------------------------------------------------- */

Test(engine, invalid_handles_give_1003_and_change_nothing, .init = mem_setup,
     .fini = world_close)
{
    JET_INSTANCE bad[] = {0, JET_instanceNil, 0x1234, W.i + 1, W.i ^ ((JET_INSTANCE)1 << 20)};
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    struct engine_inspect before = inspect(W.i);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cr_expect_eq(API(JetStopBackupInstance, bad[k]), -1003, "R2, R3");
        cr_expect_eq(API(JetEndExternalBackupInstance, bad[k]), -1003);
        cr_expect_eq(API(JetBeginExternalBackupInstance, bad[k], 0), -1003);
        cr_expect_eq(API(JetTerm, bad[k]), -1003);
    }
    struct engine_inspect after = inspect(W.i);
    cr_expect(!after.stop && after.in_progress_any, "R11");
    cr_expect(inspect_equal(&before, &after));
}

Test(engine, esent_profile_gives_1115_for_garbage_handles, .init = esent_setup,
     .fini = world_close)
{
    cr_expect_eq(API(JetStopBackupInstance, 0x1234), -1115, "R3, D4");
    cr_expect_eq(API(JetStopBackupInstance, 0), -1003, "0 is not validated");
    cr_expect_eq(API(JetStopBackupInstance, JET_instanceNil), -1003);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i + 256, 0), -1115);
    cr_expect_not(inspect(W.i).stop);
    cr_expect_eq(FX(BackstopFixtureSetProfile, "ese"), 0);
    cr_expect_eq(API(JetStopBackupInstance, 0x1234), -1003);
    cr_expect_eq(FX(BackstopFixtureSetProfile, "documented"), JET_wrnNyi);
}

Test(engine, terminated_handles_are_never_reused, .init = bare_setup, .fini = world_close)
{
    JET_INSTANCE a = 0, b = 0;
    cr_assert_eq(API(JetCreateInstance, &a, "x"), 0);
    cr_assert_eq(API(JetCreateInstance, &b, "x"), -1086);
    cr_assert_eq(API(JetTerm, a), 0, "never initialised: freed (§4.13 step 2)");
    cr_assert_eq(API(JetCreateInstance, &b, "x"), 0);
    cr_expect_neq(a, b);
    cr_expect_eq(API(JetStopBackupInstance, a), -1003, "S17");
    cr_expect_eq(API(JetInit, &a), -1003);
    cr_expect_eq(API(JetStopBackupInstance, b), 0, "R7: created instance, flag set");
    cr_expect_eq(API(JetBeginExternalBackupInstance, b, 0), -1029, "R7");
    cr_expect(inspect(b).stop);
    cr_assert_eq(API(JetInit, &b), 0);
    cr_expect_eq(API(JetInit, &b), -1030);
    cr_expect_eq(API(JetBeginExternalBackupInstance, b, 0), 0, "S19: Begin clears the flag");
    cr_expect_not(inspect(b).stop);
    cr_expect_eq(API(JetTerm, b), 0, "R26: JetTerm aborts the backup");
    cr_expect_eq(API(JetStopBackupInstance, b), -1003, "R5: NoSet");
    cr_expect_eq(API0(JetStopBackup), -1003, "R15: NoSet");
}

Test(engine, oneinst_mode_and_legacy_entries, .init = bare_setup, .fini = world_close)
{
    JET_INSTANCE one = 0, other = 0;
    char list[512];
    uint32_t cb;
    cr_assert_eq(API(JetInit, &one), 0);
    cr_assert_neq(one, 0);
    cr_expect_eq(API(JetCreateInstance, &other, "m"), -1080);
    cr_expect_eq(API(JetInit, NULL), -1030);
    cr_assert_eq(FX(BackstopFixtureCreateDatabase, one, "db1", 4), 0);
    /* R4: any handle resolves to the single instance. */
    cr_expect_eq(API(JetBeginExternalBackupInstance, 0x777, 0), 0);
    cr_expect_eq(API(JetStopBackupInstance, JET_instanceNil), 0);
    cr_expect_eq(API(JetGetAttachInfo, list, sizeof list, &cb), -801, "R9 forwarded");
    cr_expect_eq(API0(JetEndExternalBackup), 0);
    cr_expect_eq(API(JetBeginExternalBackup, 0), 0);
    cr_expect_eq(API(JetGetAttachInfo, list, sizeof list, &cb), 0);
    JET_HANDLE hf;
    cr_expect_eq(API(JetOpenFile, list, &hf, NULL, NULL), 0);
    cr_expect_eq(API(JetReadFile, hf, W.buf, RD, &cb), 0);
    cr_expect_eq(API(JetCloseFile, hf), 0);
    cr_expect_eq(API(JetGetLogInfo, list, sizeof list, &cb), 0);
    cr_expect_eq(API0(JetTruncateLog), -616);
    cr_expect_eq(API0(JetStopBackup), 0);
    cr_expect_eq(API0(JetEndExternalBackup), 0);
    cr_expect_eq(API0(JetStopService), 0);
    cr_expect_eq(API(JetBeginExternalBackup, 0), -1329);
    cr_expect_eq(API(JetTerm, 0), 0);
    cr_expect_eq(API(JetBeginExternalBackup, 0), -1003, "NoSet again");
    cr_assert_eq(API(JetCreateInstance, &other, "m"), 0);
    cr_expect_eq(API(JetBeginExternalBackup, 0), -1081, "R9");
    cr_expect_eq(API0(JetStopBackup), -1081, "R15");
    cr_expect_eq(API(JetInit, NULL), -1081);
}

Test(engine, failed_term_keeps_the_backup_and_forbids_the_next, .init = mem_setup,
     .fini = world_close)
{
    uint32_t cb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
    cr_expect_eq(API(JetTerm2, W.i, 0), -505, "R20, D13");
    cr_expect_eq(API(JetTerm2, W.i, JET_bitTermComplete), -505);
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), -801, "S14");
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, 0), -523, "R31, D16");
    cr_expect_eq(API(JetTerm2, W.i, 0), 0);
    cr_expect_eq(API(JetStopBackupInstance, W.i), -1003);
}

Test(engine, term_stop_backup_and_dirty, .init = mem_setup, .fini = world_close)
{
    JET_INSTANCE j = running_instance("b", 2);
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetBeginExternalBackupInstance, j, 0), 0);
    cr_expect_eq(API(JetTerm2, W.i, JET_bitTermStopBackup), 0, "R26");
    cr_expect_eq(API(JetTerm2, j, JET_bitTermDirty), -1116, "§4.13 step 9");
    cr_expect_eq(API(JetTerm, j), -1003);
}

Test(engine, stop_service_blocks_every_gated_call_but_stop, .init = mem_setup,
     .fini = world_close)
{
    uint32_t cb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetStopServiceInstance, W.i), 0);
    cr_expect_eq(API(JetStopBackupInstance, W.i), 0, "R8");
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), -1329);
    cr_expect_eq(API(JetCloseFileInstance, W.i, 0), -1329);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -1329, "S16, D17");
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, 0), -1329);
    cr_expect(inspect(W.i).in_progress_any);
    cr_expect_eq(API(JetTerm, W.i), 0, "S15: only JetTerm ends it");
}

/* R6: the gate's order, one forced state at a time and in combination. */
struct gate_case {
    const char *name;
    uint32_t states[3];
    JET_ERR expect;
};
ParameterizedTestParameters(engine, forced_states_follow_the_gate_order)
{
    static struct gate_case cases[] = {
        {"unavailable", {BACKSTOP_STATE_UNAVAILABLE}, -1090},
        {"unavailable-log-full", {BACKSTOP_STATE_UNAVAILABLE_LOG_FULL}, -1092},
        {"restoring", {BACKSTOP_STATE_RESTORING}, -506},
        {"initialising", {BACKSTOP_STATE_INITIALISING}, -1029},
        {"terminating", {BACKSTOP_STATE_TERMINATING}, -1000},
        {"term-before-restore", {BACKSTOP_STATE_RESTORING, BACKSTOP_STATE_TERMINATING}, -1000},
        {"unavailable-before-lock", {BACKSTOP_STATE_TERMINATING, BACKSTOP_STATE_UNAVAILABLE}, -1090},
        {"log-write-fail", {BACKSTOP_STATE_LOG_WRITE_FAIL}, -510},
        {"log-disk-full", {BACKSTOP_STATE_LOG_DISK_FULL}, -529},
        {"log-sequence-end", {BACKSTOP_STATE_LOG_SEQUENCE_END}, -519},
        {"write-fail-before-disk-full", {BACKSTOP_STATE_LOG_DISK_FULL, BACKSTOP_STATE_LOG_WRITE_FAIL}, -510},
        {"no-log", {BACKSTOP_STATE_NO_LOG}, -516},
    };
    return cr_make_param_array(struct gate_case, cases, sizeof cases / sizeof cases[0]);
}
ParameterizedTest(struct gate_case *c, engine, forced_states_follow_the_gate_order,
                  .init = mem_setup, .fini = world_close)
{
    for (int k = 0; k < 3 && c->states[k] != 0; k++)
        cr_assert_eq(FX(BackstopFixtureForceState, W.i, c->states[k]), 0);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, 0), c->expect, "%s", c->name);
    cr_expect_eq(API(JetStopBackupInstance, W.i), 0, "%s: Stop still works (D3)", c->name);
    if (c->expect != -510 && c->expect != -529 && c->expect != -519 && c->expect != -516) {
        cr_expect_eq(API(JetEndExternalBackupInstance, W.i), c->expect, "%s", c->name);
    }
    cr_expect_eq(FX(BackstopFixtureForceState, W.i, 999), -1003);
}

/* ---------------------------------------------------------------------------
 * Begin and the streaming calls: check orders
 * ------------------------------------------------------------------------- */

Test(engine, begin_checks_in_order, .init = bare_setup, .fini = world_close)
{
    JET_INSTANCE c = 0, l = 0;
    cr_assert_eq(API(JetCreateInstance, &c, "circ"), 0);
    cr_assert_eq(FX(BackstopFixtureConfigureInstance, c, BACKSTOP_CFG_CIRCULAR_LOG), 0);
    cr_assert_eq(API(JetInit, &c), 0);
    cr_expect_eq(FX(BackstopFixtureConfigureInstance, c, 0), -1030);
    cr_expect_eq(API(JetBeginExternalBackupInstance, c, 0x10), -900, "D12");
    cr_expect_eq(API(JetBeginExternalBackupInstance, c, 0x4), -900);
    cr_expect_eq(API(JetBeginExternalBackupInstance, c, JET_bitBackupIncremental), -526);
    cr_expect_eq(API(JetBeginExternalBackupInstance, c, JET_bitBackupSurrogate), -526);
    cr_expect_eq(API(JetBeginExternalBackupInstance, c, 0x41), -526, "-526 before 0x40 combos");
    cr_expect_eq(API(JetBeginExternalBackupInstance, c, 0), 0);
    cr_assert_eq(API(JetCreateInstance, &l, "nolog"), 0);
    cr_assert_eq(FX(BackstopFixtureConfigureInstance, l, BACKSTOP_CFG_LOGGING_OFF), 0);
    cr_assert_eq(API(JetInit, &l), 0);
    cr_expect_eq(API(JetStopBackupInstance, l), 0, "S20");
    cr_expect_eq(API(JetBeginExternalBackupInstance, l, 0x10), -516, "-516 before -900");
    cr_expect_eq(API(JetEndExternalBackupInstance, l), -520);
}

Test(engine, incremental_needs_a_full_backup_and_failure_clears_stop, .init = mem_setup,
     .fini = world_close)
{
    char list[1024];
    uint32_t cb;
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), -560);
    cr_expect_not(inspect(W.i).in_progress_any, "R27");
    /* A full backup ended before the logs is not normal: still -560. */
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_expect_eq(inspect(W.i).last_end_reason, -800, "phase Databases (R48)");
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), -560);
    full_backup_until_logs(W.i);
    cr_assert_eq(API(JetTruncateLogInstance, W.i), 0);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_assert_eq(inspect(W.i).n_ends_normal, 1);
    /* Incremental: phase LogsAndPatches, no database allowed. */
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), 0);
    struct engine_inspect s = inspect(W.i);
    cr_expect(!s.full && s.copy_mic == 0 && s.phase == ENGINE_PHASE_LOGS_AND_PATCHES, "R29");
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), -521, "R32");
    cr_expect(inspect(W.i).in_progress_any);
    JET_HANDLE hf;
    cr_expect_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), -521, "R37");
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -520, "R37: cancelled");
    /* A database attached after the full backup has none: -560, and the Stop
     * that landed before is lost with the failed claim (R27). */
    cr_assert_eq(FX(BackstopFixtureCreateDatabase, W.i, "db2", 2), 0);
    cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), -560);
    cr_expect_not(inspect(W.i).stop);
}

Test(engine, read_file_parameter_checks, .init = mem_setup, .fini = world_close)
{
    uint32_t cb = 12345;
    JET_HANDLE hf;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    /* Closed slot, hf 0: an empty file (§4.4 step 6). */
    cr_expect_eq(API(JetReadFileInstance, W.i, 0, W.buf, 2 * PS, &cb), 0);
    cr_expect_eq(cb, 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf + 8, RD, &cb), -1003, "alignment");
    cr_expect_eq(API(JetReadFileInstance, W.i, 1, W.buf, RD, &cb), -1003, "D7");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD - 1, &cb), -1003, "page multiple");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, 2 * PS, &cb), -1003, "> 2 pages first");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, 0, &cb), -1003);
    cr_expect(inspect(W.i).slot_in_use, "R39: handle stays open");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, 3 * PS, &cb), 0);
    cr_expect_eq(cb, 3 * PS);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, PS, &cb), 0, "then 1 page is fine");
    cr_expect_eq(inspect(W.i).slot_ib, 4 * PS, "R40");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), 0);
    cr_expect_eq(cb, 7 * PS, "the rest: 11 - 4 pages");
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, NULL), 0, "past the end");
    cr_expect_eq(API(JetCloseFileInstance, W.i, ((JET_HANDLE)1 << 32)), 0, "truncated to 0");
    cr_expect_eq(API(JetCloseFileInstance, W.i, 0), -1003, "R42: not open");
    cr_expect_eq(API(JetCloseFileInstance, W.i, 0xFFFFFFFFu), -1003, "negative");
    cr_expect_eq(API(JetCloseFileInstance, W.i, 1), -1003);
}

Test(engine, open_file_checks, .init = mem_setup, .fini = world_close)
{
    char list[1024];
    uint32_t cb, lo = 0, hi = 9;
    JET_HANDLE hf;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_expect_eq(API(JetOpenFileInstance, W.i, NULL, &hf, &lo, &hi), -1003, "R35");
    cr_expect_eq(API(JetOpenFileInstance, W.i, "", &hf, &lo, &hi), -1003);
    cr_expect_eq(API(JetOpenFileInstance, W.i, "nope.edb", &hf, &lo, &hi), -1203, "R36");
    cr_expect(inspect(W.i).in_progress_any);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, &lo, &hi), 0);
    cr_expect_eq(lo, 11 * PS);
    cr_expect_eq(hi, 0);
    cr_expect_eq(inspect(W.i).slots_ever_used, 1);
    cr_expect_eq(API(JetOpenFileInstance, W.i, "db1", &hf, &lo, &hi), -1011, "R34");
    cr_expect_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), -521, "R43");
    cr_expect_eq(API(JetTruncateLogInstance, W.i), -521);
    cr_expect(inspect(W.i).in_progress_any);
    cr_assert_eq(API(JetCloseFileInstance, W.i, hf), 0);
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(inspect(W.i).phase, ENGINE_PHASE_LOGS_AND_PATCHES, "R45");
    cr_expect_eq(API(JetOpenFileInstance, W.i, "edb0000000A.log", &hf, &lo, &hi), -569, "R38");
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), -520, "cancelled");
}

Test(engine, list_sizing_rules, .init = mem_setup, .fini = world_close)
{
    char list[1024];
    uint32_t cb = 0, full;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &full), 0);
    cr_assert_eq(API(JetGetAttachInfoInstance, W.i, list, 5, &cb), 0, "R33: no error");
    cr_expect_eq(cb, full, "R33: the full size");
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, NULL, 0, &full), 0);
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, 5, &cb), 0);
    cr_expect_eq(cb, 5, "R46: min(cbMax, size)");
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
    cr_expect_eq(cb, full);
    cr_assert_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), 0,
                 "GetAttachInfo has no phase check");
}

Test(engine, fixture_attach_paths_and_reset, .init = mem_setup, .fini = world_close)
{
    char path[64];
    uint32_t low, high;
    cr_expect_eq(FX(BackstopFixtureCreateDatabase, W.i, "db1", 4), -1003, "duplicate");
    cr_expect_eq(FX(BackstopFixtureCreateDatabase, W.i, "a/b", 4), -1003);
    cr_expect_eq(FX(BackstopFixtureCreateDatabase, W.i, "edb.chk", 4), -1003);
    cr_expect_eq(FX(BackstopFixtureFilePath, W.i, BACKSTOP_FILE_LOG, NULL, 7, path, 4), -1038);
    cr_expect_eq(FX(BackstopFixtureFilePath, W.i, BACKSTOP_FILE_LOG, NULL, 7, path, sizeof path), 0);
    cr_expect_str_eq(strrchr(path, '/') + 1, "edb00000007.log");
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_expect_eq(FX(BackstopFixtureDetachDatabase, W.i, "db1"), -505);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_expect_eq(FX(BackstopFixtureDetachDatabase, W.i, "db9"), -1203);
    cr_expect_eq(FX(BackstopFixtureDetachDatabase, W.i, "db1"), 0);
    cr_assert_eq(FX(BackstopFixtureRollLog, W.i, 4), 0);
    cr_assert_eq(FX(BackstopFixtureDeleteLog, W.i, 1), 0);
    cr_expect_eq(FX(BackstopFixtureDeleteLog, W.i, 1), -1811);
    cr_assert_eq(FX(BackstopFixtureLogRange, W.i, &low, &high), 0);
    cr_expect_eq(low, 2);
    cr_expect_eq(high, 4);
    cr_expect_eq(FX(BackstopFixtureSetCheckpoint, W.i, 5), -1003);
    cr_expect_eq(FX(BackstopFixtureSetPageSize, 8192), -1030, "instances exist");
    cr_assert_eq(API0(JetStopBackup), -1081);
    cr_assert_eq(engine_fixture.BackstopFixtureReset(W.e), 0);
    cr_expect_eq(API(JetStopBackupInstance, W.i), -1003);
    cr_expect_eq(API0(JetStopBackup), -1003, "NoSet after Reset");
    cr_expect_eq(FX(BackstopFixtureSetPageSize, 3000), -1003);
    cr_expect_eq(FX(BackstopFixtureSetPageSize, 8192), 0);
    JET_INSTANCE j = running_instance("c", 3);
    JET_HANDLE hf;
    uint32_t lo, hi;
    cr_assert_eq(API(JetBeginExternalBackupInstance, j, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, j, "db1", &hf, &lo, &hi), 0);
    cr_expect_eq(lo, 6 * 8192u);
}

/* ---------------------------------------------------------------------------
 * Concurrency (§6.3), with handshakes
 * ------------------------------------------------------------------------- */

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int reader_in, go, term_waiting, term_done;
};
static struct gate G = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0};

static void gate_set(int *flag)
{
    pthread_mutex_lock(&G.mu);
    *flag = 1;
    pthread_cond_broadcast(&G.cv);
    pthread_mutex_unlock(&G.mu);
}
static void gate_wait(int *flag)
{
    pthread_mutex_lock(&G.mu);
    while (!*flag)
        pthread_cond_wait(&G.cv, &G.mu);
    pthread_mutex_unlock(&G.mu);
}

/* Hold the first ReadFile after its stop check until `go`. */
static void hold_reader(void *ctx, const char *point)
{
    (void)ctx;
    if (strcmp(point, ENGINE_YIELD_STOP_CHECK) == 0) {
        pthread_mutex_lock(&G.mu);
        int first = !G.reader_in;
        pthread_mutex_unlock(&G.mu);
        if (!first)
            return;
        gate_set(&G.reader_in);
        gate_wait(&G.go);
    } else if (strcmp(point, ENGINE_YIELD_TERM_WAIT) == 0) {
        gate_set(&G.term_waiting);
    }
}

struct read_args {
    JET_HANDLE hf;
    uint32_t cb;
    JET_ERR err;
};
static void *reader_thread(void *p)
{
    struct read_args *a = p;
    a->err = API(JetReadFileInstance, W.i, a->hf, W.buf, RD, &a->cb);
    return NULL;
}
static void *term_thread(void *p)
{
    JET_ERR *err = p;
    *err = API(JetTerm, W.i);
    gate_set(&G.term_done);
    return NULL;
}

Test(engine, term_waits_for_an_in_flight_read, .init = mem_setup, .fini = world_close,
     .timeout = 20)
{
    struct read_args a = {0};
    JET_ERR term_err = 1;
    pthread_t r, t;
    uint32_t cb;
    G.reader_in = G.go = G.term_waiting = G.term_done = 0;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &a.hf, NULL, NULL), 0);
    engine_set_yield_hook(W.e, hold_reader, NULL);
    pthread_create(&r, NULL, reader_thread, &a);
    gate_wait(&G.reader_in);
    pthread_create(&t, NULL, term_thread, &term_err);
    gate_wait(&G.term_waiting);
    /* JetTerm holds the lock: later gated calls get -1000 (R54), Stop still 0. */
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), -1000);
    cr_expect_eq(API(JetTerm, W.i), -1000);
    cr_expect_eq(API(JetStopBackupInstance, W.i), 0, "R50");
    pthread_mutex_lock(&G.mu);
    int done_early = G.term_done;
    pthread_mutex_unlock(&G.mu);
    cr_expect_eq(done_early, 0, "JetTerm waits for the read");
    gate_set(&G.go);
    pthread_join(r, NULL);
    pthread_join(t, NULL);
    engine_set_yield_hook(W.e, NULL, NULL);
    cr_expect_eq(a.err, 0, "the read completes normally (R51)");
    cr_expect_eq(a.cb, 11 * PS, "the whole database");
    cr_expect_eq(term_err, 0);
    cr_expect_eq(API(JetStopBackupInstance, W.i), -1003);
}

/* Stop landing inside a ReadFile (after its check) and inside Begin's claim. */
static void stop_in_hook(void *ctx, const char *point)
{
    const char *want = ctx;
    if (strcmp(point, want) == 0)
        cr_assert_eq(API(JetStopBackupInstance, W.i), 0);
}

Test(engine, stop_during_a_read_affects_only_the_next_call, .init = mem_setup,
     .fini = world_close)
{
    JET_HANDLE hf;
    uint32_t cb;
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetOpenFileInstance, W.i, "db1", &hf, NULL, NULL), 0);
    engine_set_yield_hook(W.e, stop_in_hook, (void *)ENGINE_YIELD_STOP_CHECK);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), 0, "R51");
    cr_expect_eq(cb, 11 * PS);
    engine_set_yield_hook(W.e, NULL, NULL);
    cr_expect_eq(API(JetReadFileInstance, W.i, hf, W.buf, RD, &cb), -801);
}

Test(engine, stop_after_the_claim_applies_to_the_new_backup, .init = mem_setup,
     .fini = world_close)
{
    uint32_t cb;
    engine_set_yield_hook(W.e, stop_in_hook, (void *)ENGINE_YIELD_CLAIM);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0, "R53");
    engine_set_yield_hook(W.e, NULL, NULL);
    cr_expect_eq(API(JetGetAttachInfoInstance, W.i, NULL, 0, &cb), -801);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0);
    /* A backup that would end normally, with a Stop landing inside End before
     * cleanup reads the flag: aborted by server, End still 0 (§6.3). */
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), -560);
    cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
    cr_assert_eq(API(JetGetLogInfoInstance, W.i, NULL, 0, &cb), 0);
    engine_set_yield_hook(W.e, stop_in_hook, (void *)ENGINE_YIELD_CLEANUP);
    cr_expect_eq(API(JetEndExternalBackupInstance, W.i), 0);
    engine_set_yield_hook(W.e, NULL, NULL);
    cr_expect_eq(inspect(W.i).last_end_reason, -801);
    cr_expect_eq(inspect(W.i).n_ends_normal, 0);
}

#define N_RACERS 6
struct race {
    pthread_barrier_t start;
    JET_ERR results[N_RACERS];
};
static struct race R;
static void *begin_racer(void *p)
{
    int k = (int)(intptr_t)p;
    pthread_barrier_wait(&R.start);
    R.results[k] = API(JetBeginExternalBackupInstance, W.i, 0);
    return NULL;
}

Test(engine, concurrent_begins_have_exactly_one_winner, .init = mem_setup, .fini = world_close,
     .timeout = 30)
{
    for (int round = 0; round < 50; round++) {
        pthread_t th[N_RACERS];
        pthread_barrier_init(&R.start, NULL, N_RACERS);
        for (int k = 0; k < N_RACERS; k++)
            pthread_create(&th[k], NULL, begin_racer, (void *)(intptr_t)k);
        for (int k = 0; k < N_RACERS; k++)
            pthread_join(th[k], NULL);
        pthread_barrier_destroy(&R.start);
        int winners = 0;
        for (int k = 0; k < N_RACERS; k++) {
            if (R.results[k] == 0)
                winners++;
            else
                cr_expect_eq(R.results[k], -505, "R52");
        }
        cr_assert_eq(winners, 1, "round %d: R52 exactly one winner", round);
        cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    }
}

/* ---------------------------------------------------------------------------
 * Generated files and surrogate records
 * ------------------------------------------------------------------------- */

/* Append the stream of every file in list to *all (size *n). */
static void stream_list(const char *list, unsigned char **all, size_t *n)
{
    for (const char *p = list; *p; p += strlen(p) + 1) {
        unsigned char *data;
        uint64_t size;
        cr_assert_eq(stream_file(W.i, p, &data, &size), 0, "%s", p);
        *all = realloc(*all, *n + size);
        cr_assert_not_null(*all);
        memcpy(*all + *n, data, size);
        *n += size;
        free(data);
    }
}

/* A world made the same way in `store`, with two normal full backups (the
 * second after the first's header update): every byte streamed, concatenated.
 * Leaves the world open (world_close). */
static unsigned char *two_backups_bytes(int store, size_t *n)
{
    world_open(store, 0);
    cr_assert_eq(FX(BackstopFixtureSetPageSize, 2048), 0);
    cr_assert_eq(FX(BackstopFixtureSetLogSize, 2048), 0);
    W.i = running_instance("a", 5);
    cr_assert_eq(FX(BackstopFixtureRollLog, W.i, 3), 0);
    cr_assert_eq(FX(BackstopFixtureSetCheckpoint, W.i, 2), 0);
    unsigned char *all = NULL;
    *n = 0;
    for (int round = 0; round < 2; round++) {
        char list[4096];
        uint32_t cb = 0;
        cr_assert_eq(API(JetBeginExternalBackupInstance, W.i, 0), 0);
        cr_assert_eq(API(JetGetAttachInfoInstance, W.i, list, sizeof list, &cb), 0);
        stream_list(list, &all, n);
        cr_assert_eq(API(JetGetLogInfoInstance, W.i, list, sizeof list, &cb), 0);
        cr_assert_eq(list_count(list), round == 0 ? 2 : 3, "logs 2..3, then 2..4");
        stream_list(list, &all, n);
        cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
        cr_assert_eq(inspect(W.i).n_ends_normal, (uint32_t)round + 1);
    }
    return all;
}

/* The memory store keeps new databases and logs as descriptions and makes
 * their bytes on read; the directory store writes them out. A backup must see
 * the same bytes from both, including the rewritten headers. */
Test(engine, memory_store_streams_what_the_directory_store_wrote)
{
    size_t n_mem, n_dir;
    unsigned char *mem = two_backups_bytes(ENGINE_STORE_MEM, &n_mem);
    world_close();
    unsigned char *dir = two_backups_bytes(ENGINE_STORE_DIR, &n_dir);
    world_close();
    /* 2 x (5 + 3 pages of 2 KiB), logs 2-3 then 2-4 of 2 KiB. */
    cr_assert_eq(n_mem, 2 * 8 * 2048 + 5 * 2048);
    cr_assert_eq(n_dir, n_mem);
    cr_expect_eq(memcmp(mem, dir, n_mem), 0, "the stores stream different bytes");
    /* The second backup's header records the first (full_count 1): it differs. */
    cr_expect_neq(memcmp(mem, mem + 8 * 2048 + 2 * 2048, 2048), 0);
    free(mem);
    free(dir);
}

/* §4.1 step 15 (fuzz finding F8): an incremental needs a full backup of its own
 * type; a local full backup does not count for a surrogate incremental. */
Test(engine, surrogate_incremental_needs_a_surrogate_full_backup, .init = mem_setup,
     .fini = world_close)
{
    full_backup_until_logs(W.i);
    cr_assert_eq(API(JetEndExternalBackupInstance, W.i), 0);
    cr_assert_eq(inspect(W.i).n_ends_normal, 1);
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i,
                     JET_bitBackupIncremental | JET_bitBackupSurrogate), -560);
    cr_expect_not(inspect(W.i).in_progress_any, "the claim is undone (R27)");
    cr_expect_eq(API(JetBeginExternalBackupInstance, W.i, JET_bitBackupIncremental), 0,
                 "the local full counts for a local incremental");
    cr_expect_eq(API(JetEndExternalBackupInstance2, W.i, JET_bitBackupEndAbort), 0);
}
