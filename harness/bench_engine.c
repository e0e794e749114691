/*
 * bench_engine.c: `backstop bench engine` (see bench.h).
 *
 * 1. API calls per second, memory store, one thread: repeated backup cycles
 *    (Begin, GetAttachInfo, Open/Read.../Close, GetLogInfo2, Open/Read/Close,
 *    TruncateLog, End, plus a Stop and -801 calls) on a small database, so the
 *    figure is dominated by the per-call path, not by copying bytes; every
 *    byte is still read through the API. (The memory store makes the pages
 *    and log blocks as they are read, sealed by construction, so the engine
 *    does not checksum them again; what was stored is verified, e.g. all
 *    that the directory store reads, see engine/README.md.) Then the
 *    stop path alone, and the cost of one fuzz-like world's setup and teardown
 *    (be_world).
 * 2. Full-backup throughput, directory store: the harness's backup client copies
 *    a large database and its logs to a folder on the same disk; `cp` copies the
 *    same files in the same run. Both are measured warm (the files were just
 *    written, and cp runs once before the measurement).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup_client.h"
#include "bench.h"
#include "engine.h"
#include "target.h"

static double be_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One backup cycle over the API: a full backup of a one-page database and the
 * one log of its window, truncation, End; then a stopped backup: Begin, Stop,
 * streaming calls answered -801 (R16), End. *gen is the instance's current log
 * generation (1 after JetInit); each cycle rolls one, so the cycle first moves
 * the checkpoint (a fixture call, not counted) to it, which keeps the log window
 * to one generation and the truncation to the logs of the cycle before. The
 * log's name is taken from GetLogInfo's list, as a backup client does. Returns
 * the API calls made, or -1. */
__attribute__((noinline)) /* a callgrind --toggle-collect target */
static long be_cycle(struct engine *e, JET_INSTANCE inst, void *buf, uint32_t cb, const char *db,
                     uint32_t *gen)
{
    const struct jet_api *a = &engine_api;
    const struct jet_fixture *f = &engine_fixture;
    char list[4096];
    uint32_t act = 0, lo, hi;
    JET_HANDLE hf;
    JET_LOGINFO li;
    long n = 0;

    if (f->BackstopFixtureSetCheckpoint(e, inst, *gen))
        return -1;
    if (a->JetBeginExternalBackupInstance(e, inst, 0) != JET_errSuccess)
        return -1;
    n++;
    if (a->JetGetAttachInfoInstance(e, inst, list, sizeof list, &act) != JET_errSuccess)
        return -1;
    n++;
    if (a->JetOpenFileInstance(e, inst, db, &hf, &lo, &hi) != JET_errSuccess)
        return -1;
    n++;
    do {
        if (a->JetReadFileInstance(e, inst, hf, buf, cb, &act) != JET_errSuccess)
            return -1;
        n++;
    } while (act);
    if (a->JetCloseFileInstance(e, inst, hf) != JET_errSuccess)
        return -1;
    n++;
    if (a->JetGetLogInfoInstance2(e, inst, list, sizeof list, &act, &li) != JET_errSuccess ||
        li.ulGenLow != *gen || li.ulGenHigh != *gen)
        return -1;
    n++;
    *gen = li.ulGenHigh + 1; /* the roll made a new current log */
    if (a->JetOpenFileInstance(e, inst, list, &hf, &lo, &hi) != JET_errSuccess) /* its one log */
        return -1;
    n++;
    do {
        if (a->JetReadFileInstance(e, inst, hf, buf, cb, &act) != JET_errSuccess)
            return -1;
        n++;
    } while (act);
    if (a->JetCloseFileInstance(e, inst, hf) != JET_errSuccess || a->JetTruncateLogInstance(e, inst) ||
        a->JetEndExternalBackupInstance(e, inst) != JET_errSuccess)
        return -1;
    n += 3;
    /* A stopped backup: every streaming call answers -801 until End. */
    if (a->JetBeginExternalBackupInstance(e, inst, 0) || a->JetStopBackupInstance(e, inst))
        return -1;
    n += 2;
    for (int k = 0; k < 4; k++) {
        if (a->JetGetAttachInfoInstance(e, inst, list, sizeof list, &act) != JET_errBackupAbortByServer ||
            a->JetOpenFileInstance(e, inst, db, &hf, &lo, &hi) != JET_errBackupAbortByServer ||
            a->JetTruncateLogInstance(e, inst) != JET_errBackupAbortByServer)
            return -1;
        n += 3;
    }
    if (a->JetEndExternalBackupInstance(e, inst) != JET_errSuccess)
        return -1;
    return n + 1;
}

/*
 * One world as fuzz_calls builds one per input (memory store): an engine, page
 * and log size 8 KiB, three instances, each initialised, with two databases (4
 * and 16 pages), logs rolled to generation 6 and the checkpoint at 4; then the
 * whole world destroyed. Returns 0, or -1 if a step failed.
 */
__attribute__((noinline)) /* a callgrind --toggle-collect target */
static int be_world(uint64_t seed)
{
    static const char *const names[3] = {"i0", "i1", "i2"};
    struct engine_config ec = {.store = ENGINE_STORE_MEM, .seed = seed};
    const struct jet_fixture *f = &engine_fixture;
    struct engine *e = NULL;
    int rv = -1;

    if (engine_create(&ec, &e) != ENGINE_OK)
        return -1;
    if (f->BackstopFixtureSetPageSize(e, 8192) || f->BackstopFixtureSetLogSize(e, 8192))
        goto done;
    for (int i = 0; i < 3; i++) {
        JET_INSTANCE inst = 0;
        if (engine_api.JetCreateInstance(e, &inst, names[i]) || engine_api.JetInit(e, &inst) ||
            f->BackstopFixtureCreateDatabase(e, inst, "db1", 4) ||
            f->BackstopFixtureCreateDatabase(e, inst, "db2", 16) ||
            f->BackstopFixtureRollLog(e, inst, 6) || f->BackstopFixtureSetCheckpoint(e, inst, 4))
            goto done;
    }
    rv = 0;
done:
    engine_destroy(e);
    return rv;
}

static int be_calls(const struct bench_config *cfg, FILE *out)
{
    struct engine_config ec = {.store = ENGINE_STORE_MEM, .seed = cfg->seed, .log_size = 8192};
    struct engine *e = NULL;
    JET_INSTANCE inst = 0;
    char db[512];
    void *buf = NULL;
    long calls = 0, stops = 0, worlds = 0;
    uint32_t gen = 1;
    double t0, t1;
    int rv = -1;

    if (engine_create(&ec, &e) != ENGINE_OK || posix_memalign(&buf, 4096, 4 * 4096) != 0)
        goto done;
    if (engine_api.JetCreateInstance(e, &inst, "bench") || engine_api.JetInit(e, &inst) ||
        engine_fixture.BackstopFixtureCreateDatabase(e, inst, "db1", 1) ||
        engine_fixture.BackstopFixtureFilePath(e, inst, BACKSTOP_FILE_DATABASE, "db1", 0, db, sizeof db))
        goto done;
    t0 = be_now();
    do {
        for (int k = 0; k < 256; k++) {
            long n = be_cycle(e, inst, buf, 4 * 4096, db, &gen);
            if (n < 0) {
                fprintf(out, "bench engine: a backup cycle failed\n");
                goto done;
            }
            calls += n;
        }
        t1 = be_now();
    } while (t1 - t0 < cfg->seconds);
    fprintf(out, "bench engine calls: %ld API calls in %.2f s = %.2f M calls/s (memory store, one thread; "
                 "backup cycles of a 1-page database and one 8 KiB log, plus stopped backups)\n",
            calls, t1 - t0, calls / (t1 - t0) / 1e6);
    /* The call path alone: Stop and the -801 answers of a stopped backup. */
    if (engine_api.JetBeginExternalBackupInstance(e, inst, 0) != JET_errSuccess)
        goto done;
    t0 = be_now();
    do {
        for (int k = 0; k < 65536; k++) {
            uint32_t act;
            char list[64];
            engine_api.JetStopBackupInstance(e, inst);
            if (engine_api.JetGetAttachInfoInstance(e, inst, list, sizeof list, &act) != JET_errBackupAbortByServer)
                goto done;
        }
        stops += 2 * 65536;
        t1 = be_now();
    } while (t1 - t0 < cfg->seconds);
    engine_api.JetEndExternalBackupInstance(e, inst);
    fprintf(out, "bench engine stop path: %ld calls in %.2f s = %.2f M calls/s (Stop + a -801 answer, "
                 "memory store, one thread)\n",
            stops, t1 - t0, stops / (t1 - t0) / 1e6);
    /* World setup and teardown, as fuzz_calls pays once per input. */
    t0 = be_now();
    do {
        for (int k = 0; k < 256; k++) {
            if (be_world(cfg->seed + (uint64_t)worlds) != 0) {
                fprintf(out, "bench engine: a world setup failed\n");
                goto done;
            }
            worlds++;
        }
        t1 = be_now();
    } while (t1 - t0 < cfg->seconds);
    fprintf(out, "bench engine world setup+teardown: %.2f us per world (%ld worlds; memory store, "
                 "3 instances, 2 databases of 4 and 16 pages of 8 KiB each, logs to generation 6)\n",
            (t1 - t0) / worlds * 1e6, worlds);
    rv = 0;
done:
    free(buf);
    engine_destroy(e);
    return rv;
}

static int be_run_cp(const char *from, const char *to, double *secs)
{
    char cmd[4096];
    double t0 = be_now();
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    if (system(cmd) != 0)
        return -1;
    *secs = be_now() - t0;
    return 0;
}

static int be_throughput(const struct bench_config *cfg, FILE *out)
{
    const uint32_t pages = 65536; /* 256 MiB at 4 KiB pages */
    struct engine_config ec = {.store = ENGINE_STORE_DIR, .seed = cfg->seed};
    struct engine *e = NULL;
    JET_INSTANCE inst = 0;
    char root[512], dbpath[1024], cpdst[1100];
    const char *tmp = getenv("TMPDIR");
    struct target_config tcfg = {0};
    double best_client = 1e9, best_cp = 1e9, secs;
    uint64_t bytes = 0, db_bytes = (uint64_t)(pages + 2) * 4096;
    int rv = -1;

    (void)tcfg;
    snprintf(root, sizeof root, "%s/backstop-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return -1;
    ec.dir = root;
    if (engine_create(&ec, &e) != ENGINE_OK)
        goto done;
    if (engine_api.JetCreateInstance(e, &inst, "bench") || engine_api.JetInit(e, &inst) ||
        engine_fixture.BackstopFixtureCreateDatabase(e, inst, "big.edb", pages) ||
        engine_fixture.BackstopFixtureRollLog(e, inst, 4) ||
        engine_fixture.BackstopFixtureFilePath(e, inst, BACKSTOP_FILE_DATABASE, "big.edb", 0, dbpath,
                                               sizeof dbpath))
        goto done;
    snprintf(cpdst, sizeof cpdst, "%s/cp-copy.edb", root);
    if (be_run_cp(dbpath, cpdst, &secs) != 0) /* warm-up */
        goto done;
    for (int round = 0; round < 4; round++) {
        /* Round 0 verifies the copy byte for byte; the timed rounds do not. */
        struct backup_client_config bc = {.ops = &target_engine_dir_ops, .ctx = e, .inst = inst,
                                          .page_size = 4096, .read_pages = 256,
                                          .work_dir = root, .no_verify = round > 0};
        struct backup_client_result res;
        double t0 = be_now();
        if (backup_client_run(&bc, &res) != BACKUP_CLIENT_OK) {
            fprintf(out, "bench engine: backup client failed: %s\n", res.detail);
            goto done;
        }
        secs = be_now() - t0;
        bytes = res.bytes;
        if (round == 0)
            continue;
        if (secs < best_client)
            best_client = secs;
        unlink(cpdst);
        if (be_run_cp(dbpath, cpdst, &secs) != 0)
            goto done;
        if (secs < best_cp)
            best_cp = secs;
    }
    fprintf(out,
            "bench engine backup: full backup of %.0f MiB (database + logs) in %.3f s = %.0f MB/s; "
            "cp of the %.0f MiB database: %.3f s = %.0f MB/s; ratio %.0f%% (directory store, best of 3)\n",
            bytes / 1048576.0, best_client, bytes / best_client / 1e6, db_bytes / 1048576.0, best_cp,
            db_bytes / best_cp / 1e6, 100.0 * (bytes / best_client) / (db_bytes / best_cp));
    rv = 0;
done:
    unlink(cpdst);
    engine_destroy(e);
    rmdir(root);
    return rv;
}

int bench_engine(const struct bench_config *cfg, FILE *out)
{
    if (be_calls(cfg, out) != 0)
        return -1;
    return be_throughput(cfg, out);
}
