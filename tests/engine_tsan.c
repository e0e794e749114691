/*
 * engine_tsan.c: a plain executable (no Criterion, which cannot run under
 * ThreadSanitizer) that drives the engine through the overlaps spec §6.3
 * defines, and checks the rules that govern them:
 *
 *   phase 1  rounds: N racers start Begin together (barrier); exactly one wins,
 *            the rest get -505 (R52). The winner runs a full backup while a
 *            stopper thread calls JetStopBackupInstance at random moments; once
 *            a streaming call returns -801 every later one does (R16), CloseFile
 *            still closes (R19) and End returns 0 (R21).
 *   phase 2  free running: every racer loops Begin; a winner must be the only
 *            owner at that moment (R52), runs the backup, Ends.
 *   phase 3  JetTerm against a client looping gated calls and the stopper:
 *            JetTerm returns 0; after the client sees -1000 or -1003 it never
 *            sees anything else, and -1003 is final (R54); Stop returns 0 or
 *            -1003 and never blocks (R50).
 *
 * Usage: engine_tsan [mem|dir] [seed] [rounds]. Exit 0 if no rule was violated,
 * 1 on a violation, 2 on a harness error. Build with -fsanitize=thread; a data
 * race report makes the run fail (halt_on_error in TSAN_OPTIONS, or the report
 * count in CTest's output check).
 *
 * Links: backstop_engine_static, Threads.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

#define N_RACERS 4
#define READ_CB (16u * 4096u)

static struct engine *E;
static JET_INSTANCE I;
static atomic_int violations;
static atomic_bool stopper_done;
static atomic_uint_fast64_t n_stops, n_stopped_backups, n_backups;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static void violation(const char *fmt, ...)
{
    if (atomic_fetch_add(&violations, 1) < 20) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "VIOLATION: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A backup client's streaming-call checker: -801 is sticky (R16). */
struct client {
    bool stopped;
    unsigned char *buf;
};

/* Check a streaming call's result; true if the client should carry on. */
static bool streaming_ok(struct client *c, JET_ERR err, const char *what)
{
    if (err == JET_errBackupAbortByServer) {
        c->stopped = true;
        return false;
    }
    if (c->stopped)
        violation("R16: %s returned %d after a -801", what, (int)err);
    else if (err != 0)
        violation("%s: unexpected %d", what, (int)err);
    return err == 0;
}

/* Stream one file; false if stopped (or failed). CloseFile always works. */
static bool copy_file(struct client *c, const char *name)
{
    JET_HANDLE hf;
    uint32_t got = 0;
    if (!streaming_ok(c, engine_api.JetOpenFileInstance(E, I, name, &hf, NULL, NULL), "OpenFile"))
        return false;
    bool ok = true;
    do {
        ok = streaming_ok(c, engine_api.JetReadFileInstance(E, I, hf, c->buf, READ_CB, &got),
                          "ReadFile");
    } while (ok && got > 0);
    JET_ERR err = engine_api.JetCloseFileInstance(E, I, hf);
    if (err != 0)
        violation("R19: CloseFile returned %d (stopped=%d)", (int)err, c->stopped);
    return ok;
}

/* A name list, sized first (a NULL buffer gives the size). NULL if stopped. */
typedef JET_ERR (*list_fn)(void *ctx, JET_INSTANCE, char *, uint32_t, uint32_t *);
static char *get_list(struct client *c, list_fn fn, const char *what)
{
    uint32_t size = 0, got = 0;
    if (!streaming_ok(c, fn(E, I, NULL, 0, &size), what))
        return NULL;
    char *list = calloc(1, (size_t)size + 2);
    if (list != NULL && !streaming_ok(c, fn(E, I, list, size, &got), what)) {
        free(list);
        return NULL;
    }
    return list;
}

/* The owner's full backup after a successful Begin; always Ends. */
static void run_backup(struct client *c)
{
    c->stopped = false;
    bool ok = true;
    char *list = get_list(c, engine_api.JetGetAttachInfoInstance, "GetAttachInfo");
    ok = list != NULL;
    for (const char *p = list; ok && *p; p += strlen(p) + 1)
        ok = copy_file(c, p);
    free(list);
    list = NULL;
    if (ok)
        ok = (list = get_list(c, engine_api.JetGetLogInfoInstance, "GetLogInfo")) != NULL;
    for (const char *p = list; ok && *p; p += strlen(p) + 1)
        ok = copy_file(c, p);
    free(list);
    if (ok)
        ok = streaming_ok(c, engine_api.JetTruncateLogInstance(E, I), "TruncateLog");
    if (c->stopped) {
        /* R16: stays -801. */
        uint32_t cb;
        JET_ERR err = engine_api.JetGetAttachInfoInstance(E, I, NULL, 0, &cb);
        if (err != JET_errBackupAbortByServer)
            violation("R16: GetAttachInfo after -801 returned %d", (int)err);
        atomic_fetch_add(&n_stopped_backups, 1);
    }
    JET_ERR err = engine_api.JetEndExternalBackupInstance(E, I);
    if (err != 0)
        violation("R21: End returned %d (stopped=%d)", (int)err, c->stopped);
    atomic_fetch_add(&n_backups, 1);
}

static void *stopper(void *arg)
{
    uint64_t s = (uint64_t)(uintptr_t)arg;
    while (!atomic_load(&stopper_done)) {
        unsigned spin = (unsigned)(rng_next(&s) % 2000);
        for (unsigned k = 0; k < spin && !atomic_load(&stopper_done); k++)
            sched_yield();
        JET_ERR err = engine_api.JetStopBackupInstance(E, I);
        if (err != 0 && err != JET_errInvalidParameter)
            violation("R10: Stop returned %d", (int)err);
        atomic_fetch_add(&n_stops, 1);
    }
    return NULL;
}

/* Phase 1 and 2. */
static pthread_barrier_t b_start, b_begun, b_done;
static JET_ERR begin_results[N_RACERS];
static int rounds;
static atomic_int owners, phase2_backups;
static atomic_uint_fast64_t phase2_losses;

static void *racer(void *arg)
{
    int me = (int)(intptr_t)arg;
    struct client c = {.buf = aligned_alloc(4096, READ_CB)};
    for (int r = 0; r < rounds; r++) {
        pthread_barrier_wait(&b_start);
        begin_results[me] = engine_api.JetBeginExternalBackupInstance(E, I, 0);
        pthread_barrier_wait(&b_begun); /* nobody Ends before every Begin is in */
        if (begin_results[me] == 0)
            run_backup(&c);
        pthread_barrier_wait(&b_done);
    }
    /* Phase 2: free running; losers keep contending while the owner streams. */
    while (atomic_load(&phase2_backups) < rounds) {
        JET_ERR err = engine_api.JetBeginExternalBackupInstance(E, I, 0);
        if (err == 0) {
            if (atomic_fetch_add(&owners, 1) != 0)
                violation("R52: two owners at once");
            atomic_fetch_sub(&owners, 1); /* before End: nobody can win until End */
            run_backup(&c);
            atomic_fetch_add(&phase2_backups, 1);
        } else if (err != JET_errBackupInProgress) {
            violation("R52: a losing Begin returned %d", (int)err);
        } else {
            atomic_fetch_add(&phase2_losses, 1);
            sched_yield();
        }
    }
    free(c.buf);
    return NULL;
}

/* Phase 3. */
static atomic_bool term_started;
static void *term_client(void *arg)
{
    (void)arg;
    struct client c = {.buf = aligned_alloc(4096, READ_CB)};
    int final = 0; /* 0, then -1000 or -1003 once seen */
    for (int k = 0; k < 100000; k++) {
        uint32_t cb;
        JET_ERR e1 = engine_api.JetBeginExternalBackupInstance(E, I, 0);
        JET_ERR e2 = engine_api.JetGetAttachInfoInstance(E, I, NULL, 0, &cb);
        JET_ERR e3 = engine_api.JetEndExternalBackupInstance(E, I);
        JET_ERR es[3] = {e1, e2, e3};
        for (int j = 0; j < 3; j++) {
            JET_ERR err = es[j];
            bool gone = err == JET_errTermInProgress || err == JET_errInvalidParameter;
            if (final == JET_errInvalidParameter && err != JET_errInvalidParameter)
                violation("R54: %d after -1003 (call %d)", (int)err, j);
            else if (final != 0 && !gone)
                violation("R54: %d after the instance went away (call %d)", (int)err, j);
            if (gone)
                final = err;
        }
        if (final == JET_errInvalidParameter)
            break;
        if (k == 50)
            atomic_store(&term_started, true);
    }
    if (final != JET_errInvalidParameter)
        violation("R54: the client never saw the instance go (%d)", final);
    free(c.buf);
    return NULL;
}

static int setup_instance(void)
{
    JET_INSTANCE i = 0;
    if (engine_api.JetCreateInstance(E, &i, "tsan") != 0 || engine_api.JetInit(E, &i) != 0)
        return -1;
    if (engine_fixture.BackstopFixtureCreateDatabase(E, i, "db1", 40) != 0
        || engine_fixture.BackstopFixtureCreateDatabase(E, i, "db2", 7) != 0)
        return -1;
    I = i;
    return 0;
}

int main(int argc, char **argv)
{
    const char *store = argc > 1 ? argv[1] : "mem";
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    rounds = argc > 3 ? atoi(argv[3]) : 60;
    char tmp[256] = "";
    struct engine_config cfg = {.store = ENGINE_STORE_MEM, .seed = seed};
    printf("engine_tsan: store=%s seed=%llu rounds=%d\n", store, (unsigned long long)seed, rounds);
    if (strcmp(store, "dir") == 0) {
        const char *t = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/engine_tsan-XXXXXX", t && *t ? t : "/tmp");
        if (mkdtemp(tmp) == NULL)
            return 2;
        cfg.store = ENGINE_STORE_DIR;
        cfg.dir = tmp;
    }
    if (engine_create(&cfg, &E) != ENGINE_OK || setup_instance() != 0) {
        fprintf(stderr, "engine_tsan: setup failed\n");
        return 2;
    }

    /* Phases 1 and 2. */
    pthread_t th[N_RACERS], st;
    pthread_barrier_init(&b_start, NULL, N_RACERS);
    pthread_barrier_init(&b_begun, NULL, N_RACERS + 1);
    pthread_barrier_init(&b_done, NULL, N_RACERS + 1);
    pthread_create(&st, NULL, stopper, (void *)(uintptr_t)(seed * 7 + 1));
    for (int k = 0; k < N_RACERS; k++)
        pthread_create(&th[k], NULL, racer, (void *)(intptr_t)k);
    for (int r = 0; r < rounds; r++) {
        pthread_barrier_wait(&b_begun);
        int winners = 0;
        for (int k = 0; k < N_RACERS; k++) {
            if (begin_results[k] == 0)
                winners++;
            else if (begin_results[k] != JET_errBackupInProgress)
                violation("R52: a losing Begin returned %d (round %d)", (int)begin_results[k], r);
        }
        if (winners != 1)
            violation("R52: %d winners in round %d", winners, r);
        pthread_barrier_wait(&b_done); /* results are rewritten after this */
    }
    for (int k = 0; k < N_RACERS; k++)
        pthread_join(th[k], NULL);

    /* Phase 3: JetTerm against a looping client and the still-running stopper. */
    pthread_t tc;
    pthread_create(&tc, NULL, term_client, NULL);
    while (!atomic_load(&term_started))
        sched_yield();
    JET_ERR err = engine_api.JetTerm(E, I);
    if (err != 0)
        violation("JetTerm returned %d", (int)err);
    pthread_join(tc, NULL);
    atomic_store(&stopper_done, true);
    pthread_join(st, NULL);
    err = engine_api.JetStopBackupInstance(E, I);
    if (err != JET_errInvalidParameter)
        violation("Stop after JetTerm returned %d", (int)err);

    pthread_barrier_destroy(&b_start);
    pthread_barrier_destroy(&b_begun);
    pthread_barrier_destroy(&b_done);
    engine_destroy(E);
    if (tmp[0] != '\0')
        rmdir(tmp);
    printf("engine_tsan: %llu backups (%llu stopped), %llu losing Begins in phase 2, "
           "%llu stops, %d violations\n",
           (unsigned long long)atomic_load(&n_backups),
           (unsigned long long)atomic_load(&n_stopped_backups),
           (unsigned long long)atomic_load(&phase2_losses),
           (unsigned long long)atomic_load(&n_stops), atomic_load(&violations));
    return atomic_load(&violations) == 0 ? 0 : 1;
}
