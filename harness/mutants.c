/*
 * mutants.c: `backstop mutants`: the kill matrix of the mutant libraries built
 * from engine/mutants/ (each one the engine with one deliberate bug tied to a
 * rule; its exported `backstop_mutant_info` says which).
 *
 * Sequential mutants (every lib*.so in <dir>, by default <build>/engine/mutants):
 * the conformance suite runs against each, in suite order, until a case FAILs,
 * CRASHes or TIMEs OUT: the mutant is killed, by that case, after that time. A
 * survivor shows a gap in the suite.
 *
 * Concurrency mutants (<dir>/concurrency/): their bug cannot show in a
 * sequential run, so the suite must PASS against each (else it is not a
 * concurrency mutant); `backstop stress` then runs against each, in the free
 * schedule and in a controlled one (--schedule, default random), in forked
 * children (a DEADLOCK or a crash ends the child, not this command). Runs grow
 * (free: 0.5 s, 1 s, 2 s, ...; controlled: 5000 calls, 10000, ...) with fresh
 * seeds until one finds a violation, a DEADLOCK or a crash, or the budget
 * (--budget, 30 s) is spent. A controlled kill is then replayed from its
 * token (`backstop replay`) and must give the same history hash (the same
 * DEADLOCK, for a deadlock). First, as a control,
 * the same stress runs against <dir>/baseline/ (the engine with the mutants'
 * yield hook and no bug; --baseline seconds per schedule): any violation
 * there is the harness's own, and fails the command.
 *
 * The mutant libraries keep their worlds in directories (export.c); unless
 * BACKSTOP_ENGINE_DIR says where, they go to a scratch directory made for the
 * run, in /dev/shm when it exists (hundreds of short-lived worlds on a busy
 * disk cost far more than the cases), removed at the end with whatever
 * crashed or deadlocked children left in it.
 *
 * The fuzz column (--fuzz-dir DIR, issue 5): each sequential mutant is also
 * linked into a fuzz target, DIR/fuzz_mutant_<name> (a build configured with
 * -DBACKSTOP_FUZZ_MUTANTS=ON: the fuzz_faults dialect in process with the
 * mutant, fuzz/CMakeLists.txt), which runs in a child for at most
 * --fuzz-seconds (60) from the seed corpus (--fuzz-corpus, read only: new
 * inputs and crash files go to a scratch directory removed afterwards), with
 * the known model/engine disagreements stepped around (BACKSTOP_FUZZ_SKIP=all
 * unless the environment sets it). The column is the time until its first
 * crash; a mutant fuzzing does not kill, or whose binary is MISSING, fails the
 * command. DIR/fuzz_mutant_baseline, the engine without a bug, is the control:
 * it must survive.
 *
 * The summary line is `N mutants, N killed, N survived` over both kinds; the
 * exit status is 1 if any mutant survives, a concurrency mutant fails the
 * suite, a replay differs, the baseline is "killed", or (with --fuzz-dir) a
 * sequential mutant is not killed by fuzzing; 2 on a usage or harness error.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rng.h"
#include "runner.h"

#define MUT_THREADS "10"     /* stress workers: two of each role on two instances */
#define MUT_INSTANCES "2"
#define MUT_FIRST_RUN_S 0.5  /* the first free stress run; each next one doubles */
#define MUT_FIRST_RUN_OPS 5000u /* the first controlled run, in calls; likewise */
#define MUT_CHILD_SLACK_S 60 /* a stress child's time beyond its run: checker, watchdog */
#define MUT_OUT_MAX (8u << 20)

struct mut_opts {
    char dir[PATH_MAX];
    double timeout;   /* per conformance case */
    double budget;    /* per concurrency mutant and schedule */
    double baseline;  /* per schedule, for the baseline; 0 = none */
    uint64_t seed;
    const char *schedule; /* the controlled schedule */
    bool sequential, concurrency;
    const char *fuzz_dir;    /* the fuzz column: fuzz_mutant_<name> binaries, or NULL */
    double fuzz_seconds;     /* per mutant */
    const char *fuzz_corpus; /* seed corpus (read only), or NULL */
    const char *fuzz_dict;   /* libFuzzer dictionary, or NULL */
};

static double mut_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int mut_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The default mutant folder: <build>/engine/mutants, the executable being
 * <build>/harness/backstop (an absolute path: replay tokens carry it). */
static void mut_default_dir(char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    if (k <= 0) {
        snprintf(buf, n, "engine/mutants");
        return;
    }
    exe[k] = 0;
    for (int up = 0; up < 2; up++)
        if ((slash = strrchr(exe, '/')) != NULL)
            *slash = 0;
    snprintf(buf, n, "%.3000s/engine/mutants", exe);
}

static void mut_info(const char *path, char *buf, size_t n)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const char *info = h ? dlsym(h, "backstop_mutant_info") : NULL;
    snprintf(buf, n, "%s", info ? info : "(no description exported)");
    if (h)
        dlclose(h);
}

/* "…/libread_ignores_stop.so" -> "read_ignores_stop". */
static void mut_name(const char *path, char *buf, size_t n)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(base);
    if (strncmp(base, "lib", 3) == 0) {
        base += 3;
        len -= 3;
    }
    if (len > 3 && strcmp(base + len - 3, ".so") == 0)
        len -= 3;
    snprintf(buf, n, "%.*s", (int)len, base);
}

/* Every *.so in dir, sorted; *out is malloc'ed (free with mut_list_free). A
 * missing folder is an empty list. Returns 0, or -1 out of memory. */
static int mut_list(const char *dir, char ***out, size_t *n_out)
{
    char **libs = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *d = opendir(dir);
    *out = NULL;
    *n_out = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(libs, cap * sizeof *v);
            if (!v)
                goto fail;
            libs = v;
        }
        if (!(libs[n] = malloc(strlen(dir) + len + 2)))
            goto fail;
        sprintf(libs[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(libs, n, sizeof *libs, mut_cmp);
    *out = libs;
    *n_out = n;
    return 0;
fail:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(libs[i]);
    free(libs);
    return -1;
}

static void mut_list_free(char **libs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(libs[i]);
    free(libs);
}

/* ---- the suite against one library ---------------------------------------------------- */

struct mut_suite_verdict {
    bool load_error;
    char killer[160]; /* the first failing case ("" if none), with its status if not FAIL */
    char detail[1024];
    double seconds;
};

/* Run the suite against lib until the first failing case. Returns 0, or -1 on a
 * harness error (printed). */
static int mut_suite(const char *lib, const struct scn_suite *suite, double timeout,
                     struct mut_suite_verdict *v)
{
    const struct target_ops *ops = NULL;
    double t0 = mut_now();
    memset(v, 0, sizeof *v);
    if (target_resolve(lib, v->detail, sizeof v->detail, &ops) != TARGET_OK) {
        v->load_error = true;
        return 0;
    }
    struct runner_config cfg = {.target = ops, .profile = MODEL_PROFILE_ESE, .fork = true,
                                .differential = true, .timeout_s = timeout, .seed = 1};
    for (size_t k = 0; k < scn_suite_count(suite) && !v->killer[0]; k++) {
        struct report_case rc;
        const struct scn_case *sc = scn_suite_case(suite, k);
        if (runner_run_case(&cfg, sc, &rc) != 0) {
            fprintf(stderr, "backstop: mutants: %s: the runner failed on case %s\n", lib, sc->name);
            target_release(ops);
            return -1;
        }
        if (report_status_failed(rc.status))
            snprintf(v->killer, sizeof v->killer, "%s%s%s", sc->name, rc.status != REPORT_FAIL ? " " : "",
                     rc.status != REPORT_FAIL ? report_status_name(rc.status) : "");
        free((char *)rc.message);
        free((char *)rc.rules);
    }
    target_release(ops);
    v->seconds = mut_now() - t0;
    return 0;
}

/* ---- commands in forked children ------------------------------------------------------ */

struct mut_child {
    int status;        /* waitpid status */
    bool timed_out;    /* killed after its time */
    char *out;         /* stdout and stderr (the tail if it was longer than MUT_OUT_MAX) */
    size_t n;
};

/* Run fn(argc, argv) (a backstop command) in a child with its stdout and stderr
 * captured; kill it after `limit` seconds. Returns 0, or -1 (printed). */
static int mut_child_run(int (*fn)(int, char **), int argc, char **argv, double limit,
                         struct mut_child *c)
{
    int fd[2];
    pid_t pid;
    size_t cap = 1 << 16;
    double deadline = mut_now() + limit;
    memset(c, 0, sizeof *c);
    if (!(c->out = malloc(cap)))
        return -1;
    if (pipe(fd) != 0) {
        fprintf(stderr, "backstop: mutants: pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "backstop: mutants: fork: %s\n", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDOUT_FILENO);
        dup2(fd[1], STDERR_FILENO);
        close(fd[1]);
        setvbuf(stdout, NULL, _IOLBF, 0);
        /* exit, not _exit: the libraries' destructors remove their worlds. */
        exit(fn(argc, argv) & 0xff);
    }
    close(fd[1]);
    for (;;) {
        double left = deadline - mut_now();
        struct pollfd p = {.fd = fd[0], .events = POLLIN};
        if (left <= 0) {
            kill(pid, SIGKILL);
            c->timed_out = true;
            break;
        }
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue; /* the deadline check above ends it */
        if (c->n + 4096 > cap) {
            if (cap < MUT_OUT_MAX) {
                char *o = realloc(c->out, cap * 2);
                if (o) {
                    c->out = o;
                    cap *= 2;
                }
            }
            if (c->n + 4096 > cap) { /* keep the tail: the summary and the token are last */
                memmove(c->out, c->out + cap / 2, c->n - cap / 2);
                c->n -= cap / 2;
            }
        }
        ssize_t k = read(fd[0], c->out + c->n, cap - c->n - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        c->n += (size_t)k;
    }
    close(fd[0]);
    c->out[c->n] = 0;
    while (waitpid(pid, &c->status, 0) < 0 && errno == EINTR)
        ;
    return 0;
}

/* The text after the last (or the first) line that starts with `key`, up to
 * the end of that line, into buf; false if there is none. */
static bool mut_line_value(const char *out, const char *key, bool first, char *buf, size_t n)
{
    const char *found = NULL, *p = out;
    size_t k = strlen(key);
    while (p && *p && !(first && found)) {
        if (strncmp(p, key, k) == 0)
            found = p + k;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!found)
        return false;
    size_t len = strcspn(found, "\r\n");
    snprintf(buf, n, "%.*s", (int)len, found);
    return true;
}

/* ---- stress against one concurrency mutant ------------------------------------------- */

enum mut_kill { MUT_SURVIVED = 0, MUT_VIOLATION, MUT_DEADLOCK, MUT_CRASH, MUT_HANG, MUT_ERROR };

static const char *mut_kill_name(enum mut_kill k)
{
    static const char *const names[] = {"SURVIVED", "killed", "DEADLOCK", "CRASH", "HANG", "ERROR"};
    return names[k];
}

struct mut_stress_verdict {
    enum mut_kill kill;
    double seconds;      /* until the killing run ended (or the budget) */
    uint64_t runs, seed; /* runs made; the killing run's seed */
    char what[160];      /* first violation, signal, or the error */
    char token[4096];    /* the killing run's replay token */
    char hash[160];      /* its history hash, or its DEADLOCK line */
    int replay;          /* controlled kills: 1 same history, -1 differs, 0 not tried */
};

/* The classification of one finished stress child. */
static enum mut_kill mut_classify(const struct mut_child *c, char *what, size_t n)
{
    if (c->timed_out) {
        snprintf(what, n, "no answer");
        return MUT_HANG;
    }
    if (WIFSIGNALED(c->status)) {
        snprintf(what, n, "signal %d", WTERMSIG(c->status));
        return MUT_CRASH;
    }
    int rc = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 2;
    if (rc == 0)
        return MUT_SURVIVED;
    if (mut_line_value(c->out, "DEADLOCK: ", false, what, n))
        return MUT_DEADLOCK;
    char count[64], first[256] = "";
    if (rc == 1 && mut_line_value(c->out, "violations: ", false, count, sizeof count)) {
        if (!mut_line_value(c->out, "VIOLATION ", true, first, sizeof first))
            mut_line_value(c->out, "LINEARIZABILITY VIOLATION ", true, first, sizeof first);
        const char *at = strstr(first, "in all): "); /* a linearizability report */
        snprintf(what, n, "%.*s violations, first %.110s", (int)strcspn(count, " "), count,
                 at ? at + strlen("in all): ") : first);
        return MUT_VIOLATION;
    }
    snprintf(what, n, "exit %d", rc);
    return MUT_ERROR;
}

/* Replay a controlled kill from its token: the same hash (or the same DEADLOCK). */
static int mut_replay(const struct mut_stress_verdict *v, double limit)
{
    char *argv[] = {"replay", (char *)v->token, NULL};
    struct mut_child c;
    char line[256] = "";
    int same = -1;
    if (mut_child_run(cmd_replay, 2, argv, limit, &c) != 0) {
        free(c.out);
        return -1;
    }
    if (v->kill == MUT_DEADLOCK)
        same = mut_line_value(c.out, "DEADLOCK: ", false, line, sizeof line) && strcmp(line, v->hash) == 0
                   ? 1
                   : -1;
    else
        same = strstr(c.out, "replay: the same history") != NULL
                       && mut_line_value(c.out, "history hash: ", false, line, sizeof line)
                       && strcmp(line, v->hash) == 0
                   ? 1
                   : -1;
    free(c.out);
    return same;
}

/*
 * Stress lib under `schedule` with growing runs and fresh seeds until a kill or
 * the budget. Free runs are bounded by time. Controlled runs are bounded by a
 * call count fixed before they start, so that a run stops at the very call its
 * replay stops at; each next one doubles, within what the rate seen so far
 * fits in the budget left.
 */
static int mut_stress(const char *lib, const char *schedule, double budget, uint64_t seed0,
                      struct mut_stress_verdict *v)
{
    bool controlled = strcmp(schedule, "free") != 0;
    double t0 = mut_now(), run_s = MUT_FIRST_RUN_S, rate = 0;
    uint64_t ops = MUT_FIRST_RUN_OPS;
    memset(v, 0, sizeof *v);
    for (uint64_t i = 0;; i++) {
        double left = budget - (mut_now() - t0), limit;
        char bound[32], seed[32];
        if (left <= 0.05)
            break;
        if (controlled) {
            if (rate > 0 && (double)ops > rate * left)
                ops = (uint64_t)(rate * left);
            if (ops < MUT_FIRST_RUN_OPS / 10)
                break;
            snprintf(bound, sizeof bound, "%" PRIu64, ops);
            limit = left + MUT_CHILD_SLACK_S;
        } else {
            snprintf(bound, sizeof bound, "%.2f", run_s < left ? run_s : left);
            limit = atof(bound) + MUT_CHILD_SLACK_S;
        }
        snprintf(seed, sizeof seed, "%" PRIu64, seed0 + i);
        char *argv[] = {"stress",    "--target",    (char *)lib, "--threads",
                        MUT_THREADS, "--instances", MUT_INSTANCES, controlled ? "--ops" : "--seconds",
                        bound,       "--seed",      seed,        "--schedule",
                        (char *)schedule, "--no-shrink", NULL};
        struct mut_child c;
        double t1 = mut_now();
        if (mut_child_run(cmd_stress, (int)(sizeof argv / sizeof *argv) - 1, argv, limit, &c) != 0) {
            free(c.out);
            return -1;
        }
        v->runs = i + 1;
        v->kill = mut_classify(&c, v->what, sizeof v->what);
        if (v->kill != MUT_SURVIVED) {
            v->seed = seed0 + i;
            mut_line_value(c.out, "replay token: ", false, v->token, sizeof v->token);
            if (v->kill == MUT_DEADLOCK)
                snprintf(v->hash, sizeof v->hash, "%s", v->what);
            else
                mut_line_value(c.out, "history hash: ", false, v->hash, sizeof v->hash);
            if (v->kill == MUT_ERROR)
                fprintf(stderr, "backstop: mutants: stress against %s failed:\n%s\n", lib, c.out);
            free(c.out);
            break;
        }
        free(c.out);
        rate = (double)ops / (mut_now() - t1 + 1e-3);
        ops *= 2;
        run_s *= 2;
    }
    v->seconds = mut_now() - t0;
    return 0;
}

/* ---- the fuzz column ------------------------------------------------------------------------ */

static void mut_remove_tree(int parent, const char *name, int depth);

enum mut_fuzz { MUT_FUZZ_MISSING = 0, MUT_FUZZ_KILLED, MUT_FUZZ_SURVIVED, MUT_FUZZ_ERROR };

struct mut_fuzz_verdict {
    enum mut_fuzz kind;
    double seconds;  /* until the child ended: the first crash, or the time limit */
    char what[256];  /* the finding (or the error) */
};

/* In the forked child: exec the fuzz binary argv[0] with argv. */
static int mut_exec(int argc, char **argv)
{
    (void)argc;
    setenv("BACKSTOP_FUZZ_SKIP", "all", 0);
    execv(argv[0], argv);
    fprintf(stderr, "backstop: mutants: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127); /* not exit(): nothing of this process's state is the child's to clean up */
}

/* What ends a fuzz run with a finding: the harness's own report (fuzz_report),
 * a sanitizer's, or libFuzzer's (deadly signal, timeout, out of memory). */
static const char *const mut_fuzz_marks[] = {"==backstop== FINDING: ", "ERROR: AddressSanitizer",
                                             "runtime error: ", "ERROR: libFuzzer: "};

/* Run exe for o->fuzz_seconds. Returns 0, or -1 on a harness error (printed). */
static int mut_fuzz(const struct mut_opts *o, const char *exe, struct mut_fuzz_verdict *v)
{
    char tmpl[PATH_MAX], corpus[PATH_MAX + 16], art[PATH_MAX + 32], secs[48], seed[48], dict[PATH_MAX + 8];
    const char *tmp = getenv("TMPDIR");
    char *argv[12];
    int argc = 0;
    struct mut_child c;
    double t0;

    memset(v, 0, sizeof *v);
    if (access(exe, X_OK) != 0) {
        v->kind = MUT_FUZZ_MISSING;
        snprintf(v->what, sizeof v->what, "no fuzz binary %s", exe);
        return 0;
    }
    snprintf(tmpl, sizeof tmpl, "%s/backstop-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "backstop: mutants: mkdtemp %s: %s\n", tmpl, strerror(errno));
        return -1;
    }
    snprintf(corpus, sizeof corpus, "%s/corpus", tmpl);
    if (mkdir(corpus, 0700) != 0) {
        fprintf(stderr, "backstop: mutants: mkdir %s: %s\n", corpus, strerror(errno));
        mut_remove_tree(AT_FDCWD, tmpl, 2);
        return -1;
    }
    snprintf(art, sizeof art, "-artifact_prefix=%s/", tmpl);
    long whole = (long)o->fuzz_seconds; /* libFuzzer takes whole seconds: round up */
    snprintf(secs, sizeof secs, "-max_total_time=%ld", whole + ((double)whole < o->fuzz_seconds));
    /* libFuzzer's seed is an unsigned int, 0 meaning "pick one". */
    snprintf(seed, sizeof seed, "-seed=%" PRIu64, o->seed % 4294967295u + 1u);
    argv[argc++] = (char *)exe;
    argv[argc++] = seed;
    argv[argc++] = secs;
    argv[argc++] = "-timeout=10";
    argv[argc++] = "-rss_limit_mb=2048";
    argv[argc++] = art;
    if (o->fuzz_dict) {
        snprintf(dict, sizeof dict, "-dict=%s", o->fuzz_dict);
        argv[argc++] = dict;
    }
    argv[argc++] = corpus; /* the first directory: libFuzzer writes new inputs there only */
    if (o->fuzz_corpus)
        argv[argc++] = (char *)o->fuzz_corpus;
    argv[argc] = NULL;

    t0 = mut_now();
    if (mut_child_run(mut_exec, argc, argv, o->fuzz_seconds + MUT_CHILD_SLACK_S, &c) != 0) {
        free(c.out);
        mut_remove_tree(AT_FDCWD, tmpl, 2);
        return -1;
    }
    v->seconds = mut_now() - t0;
    mut_remove_tree(AT_FDCWD, tmpl, 2);
    int rc = WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
    if (!c.timed_out && rc == 0) {
        v->kind = MUT_FUZZ_SURVIVED;
    } else {
        v->kind = MUT_FUZZ_ERROR;
        for (size_t k = 0; k < sizeof mut_fuzz_marks / sizeof *mut_fuzz_marks; k++) {
            const char *at = strstr(c.out, mut_fuzz_marks[k]);
            if (at) {
                v->kind = MUT_FUZZ_KILLED;
                snprintf(v->what, sizeof v->what, "%.*s", (int)strcspn(at, "\r\n"), at);
                break;
            }
        }
        if (v->kind == MUT_FUZZ_ERROR) {
            if (c.timed_out)
                snprintf(v->what, sizeof v->what, "no answer after %.0f s", v->seconds);
            else if (WIFSIGNALED(c.status))
                snprintf(v->what, sizeof v->what, "signal %d", WTERMSIG(c.status));
            else
                snprintf(v->what, sizeof v->what, "exit %d: %.200s", rc, c.out);
        }
    }
    free(c.out);
    return 0;
}

static const char *mut_fuzz_name(enum mut_fuzz k)
{
    static const char *const names[] = {"MISSING", "killed", "SURVIVED", "ERROR"};
    return names[k];
}

/* The fuzz column of one row ("killed   0.84s"), and the finding under it. */
static void mut_fuzz_cell(const struct mut_fuzz_verdict *v, char *buf, size_t n)
{
    char when[32] = "-";
    if (v->kind != MUT_FUZZ_MISSING)
        snprintf(when, sizeof when, "%.2fs", v->seconds);
    snprintf(buf, n, "%-9s %-8s", mut_fuzz_name(v->kind), when);
}

static void mut_fuzz_note(const struct mut_fuzz_verdict *v)
{
    if (v->what[0])
        printf("    fuzz: %s\n", v->what);
}

struct mut_fuzz_totals {
    size_t killed, missing, other; /* other: survived or error */
    bool baseline_bad;             /* the control was "killed" (or failed) */
    bool baseline_missing;
};

/* The control: fuzz_mutant_baseline must survive its run. */
static int mut_fuzz_baseline(const struct mut_opts *o, struct mut_fuzz_totals *t)
{
    char exe[PATH_MAX + 32], cell[64];
    struct mut_fuzz_verdict v;
    snprintf(exe, sizeof exe, "%s/fuzz_mutant_baseline", o->fuzz_dir);
    if (mut_fuzz(o, exe, &v) != 0)
        return -1;
    mut_fuzz_cell(&v, cell, sizeof cell);
    printf("%-30s %-9s %-8s %-48s %s %s\n", "baseline (fuzz control)", "-", "-", "-", cell,
           "the engine without a bug: fuzzing must not kill it");
    mut_fuzz_note(&v);
    t->baseline_missing = v.kind == MUT_FUZZ_MISSING;
    t->baseline_bad = v.kind == MUT_FUZZ_KILLED || v.kind == MUT_FUZZ_ERROR;
    fflush(stdout);
    return 0;
}

/* ---- the matrices ----------------------------------------------------------------------- */

/* Returns the number killed (by the suite), or -1 on a harness error. With
 * o->fuzz_dir, also the fuzz column, counted in *ft. */
static long mut_sequential(const struct mut_opts *o, const struct scn_suite *suite, size_t *n_out,
                           struct mut_fuzz_totals *ft)
{
    char **libs;
    size_t n, killed = 0;
    double t0 = mut_now();
    if (mut_list(o->dir, &libs, &n) != 0)
        return -1;
    *n_out = n;
    if (n == 0) {
        fprintf(stderr, "backstop: mutants: no mutant libraries in %s\n", o->dir);
        return -1;
    }
    if (o->fuzz_dir)
        printf("%-30s %-9s %-8s %-48s %-9s %-8s %s\n", "mutant", "verdict", "time", "first killing case",
               "fuzz", "time", "bug");
    else
        printf("%-30s %-9s %-8s %-48s %s\n", "mutant", "verdict", "time", "first killing case", "bug");
    if (o->fuzz_dir && mut_fuzz_baseline(o, ft) != 0) {
        mut_list_free(libs, n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct mut_suite_verdict v;
        struct mut_fuzz_verdict fv;
        char name[128], info[256], when[32], cell[64] = "", exe[PATH_MAX + 160];
        mut_name(libs[i], name, sizeof name);
        mut_info(libs[i], info, sizeof info);
        if (mut_suite(libs[i], suite, o->timeout, &v) != 0) {
            mut_list_free(libs, n);
            return -1;
        }
        if (o->fuzz_dir) {
            snprintf(exe, sizeof exe, "%s/fuzz_mutant_%s", o->fuzz_dir, name);
            if (mut_fuzz(o, exe, &fv) != 0) {
                mut_list_free(libs, n);
                return -1;
            }
            mut_fuzz_cell(&fv, cell, sizeof cell);
            strcat(cell, " ");
            ft->killed += fv.kind == MUT_FUZZ_KILLED;
            ft->missing += fv.kind == MUT_FUZZ_MISSING;
            ft->other += fv.kind == MUT_FUZZ_SURVIVED || fv.kind == MUT_FUZZ_ERROR;
        }
        snprintf(when, sizeof when, "%.2fs", v.seconds);
        if (v.load_error)
            printf("%-30s %-9s %-8s %-48s %s%s\n", name, "LOAD-ERR", "-", v.detail, cell, info);
        else
            printf("%-30s %-9s %-8s %-48s %s%s\n", name, v.killer[0] ? "killed" : "SURVIVED", when,
                   v.killer[0] ? v.killer : "-", cell, info);
        if (o->fuzz_dir)
            mut_fuzz_note(&fv);
        fflush(stdout);
        killed += v.killer[0] != 0;
    }
    printf("sequential: %zu mutants, %zu killed, %zu survived in %.2f s\n", n, killed, n - killed,
           mut_now() - t0);
    if (o->fuzz_dir)
        printf("fuzz (%.0f s each, %s): %zu killed, %zu not killed, %zu missing; baseline %s\n",
               o->fuzz_seconds, o->fuzz_dir, ft->killed, ft->other, ft->missing,
               ft->baseline_missing ? "MISSING" : ft->baseline_bad ? "KILLED (the harness's own finding)"
                                                                    : "survived");
    mut_list_free(libs, n);
    return (long)killed;
}

static void mut_print_stress(const char *label, const struct mut_stress_verdict *v)
{
    printf("    %-22s %-9s %6.2fs  %" PRIu64 " run%s", label, mut_kill_name(v->kill), v->seconds, v->runs,
           v->runs == 1 ? "" : "s");
    if (v->kill != MUT_SURVIVED)
        printf(", seed %" PRIu64 ": %s", v->seed, v->what);
    if (v->replay)
        printf("; replay: %s", v->replay > 0 ? "same history" : "DIFFERENT");
    printf("\n");
    if (v->replay) /* a free run's token replays the workload, not the interleaving */
        printf("      token %s\n", v->token);
}

struct mut_conc_totals {
    size_t n, killed, not_concurrent, replay_bad;
    bool baseline_bad; /* the harness reported violations against the engine itself */
};

/* The control: the same stress against <dir>/baseline/libbaseline.so, the
 * engine with the mutants' yield hook and no bug. It must survive. */
static int mut_baseline(const struct mut_opts *o, struct mut_conc_totals *t)
{
    char lib[PATH_MAX + 32], info[256], label[64];
    struct mut_stress_verdict fv, cv;
    snprintf(lib, sizeof lib, "%s/baseline/libbaseline.so", o->dir);
    if (o->baseline <= 0 || access(lib, R_OK) != 0) {
        printf("%-30s (none: %s)\n", "baseline", o->baseline <= 0 ? "--baseline 0" : "no library");
        return 0;
    }
    mut_info(lib, info, sizeof info);
    printf("%-30s %s\n", "baseline", info);
    fflush(stdout);
    if (mut_stress(lib, "free", o->baseline, o->seed + 999983u, &fv) != 0)
        return -1;
    mut_print_stress("stress free", &fv);
    if (mut_stress(lib, o->schedule, o->baseline, o->seed + 1999966u, &cv) != 0)
        return -1;
    snprintf(label, sizeof label, "stress %s", o->schedule);
    mut_print_stress(label, &cv);
    t->baseline_bad = fv.kill != MUT_SURVIVED || cv.kill != MUT_SURVIVED;
    if (t->baseline_bad)
        printf("    the harness reports violations against the engine itself: the kills below "
               "prove nothing\n");
    fflush(stdout);
    return 0;
}

static int mut_concurrency(const struct mut_opts *o, const struct scn_suite *suite,
                           struct mut_conc_totals *t)
{
    char dir[PATH_MAX + 16], **libs;
    size_t n;
    double t0 = mut_now();
    snprintf(dir, sizeof dir, "%s/concurrency", o->dir);
    if (mut_list(dir, &libs, &n) != 0)
        return -1;
    t->n = n;
    if (n == 0) {
        fprintf(stderr, "backstop: mutants: no concurrency mutants in %s\n", dir);
        return -1;
    }
    printf("concurrency mutants (%s): the suite must pass; stress %s threads on %s instances, free "
           "and %s, %.0f s each\n",
           dir, MUT_THREADS, MUT_INSTANCES, o->schedule, o->budget);
    if (mut_baseline(o, t) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        struct mut_suite_verdict sv;
        struct mut_stress_verdict fv, cv;
        char name[128], info[256], label[64];
        mut_name(libs[i], name, sizeof name);
        mut_info(libs[i], info, sizeof info);
        printf("%-30s %s\n", name, info);
        fflush(stdout);
        if (mut_suite(libs[i], suite, o->timeout, &sv) != 0)
            goto fail;
        if (sv.load_error || sv.killer[0]) {
            printf("    suite                  FAILS: %s: not a concurrency mutant\n",
                   sv.load_error ? sv.detail : sv.killer);
            t->not_concurrent++;
            t->killed += !sv.load_error;
            continue;
        }
        printf("    suite                  passes  %6.2fs\n", sv.seconds);
        fflush(stdout);
        /* Each mutant and schedule gets its own seeds, derived from the run's. */
        uint64_t seed = o->seed + i * 1000003u;
        if (mut_stress(libs[i], "free", o->budget, seed, &fv) != 0)
            goto fail;
        mut_print_stress("stress free", &fv);
        fflush(stdout);
        if (mut_stress(libs[i], o->schedule, o->budget, seed + 500000u, &cv) != 0)
            goto fail;
        if (cv.kill != MUT_SURVIVED && cv.kill != MUT_ERROR && cv.kill != MUT_CRASH && cv.token[0])
            cv.replay = mut_replay(&cv, o->budget + MUT_CHILD_SLACK_S);
        snprintf(label, sizeof label, "stress %s", o->schedule);
        mut_print_stress(label, &cv);
        fflush(stdout);
        bool fk = fv.kill != MUT_SURVIVED && fv.kill != MUT_ERROR;
        bool ck = cv.kill != MUT_SURVIVED && cv.kill != MUT_ERROR;
        t->killed += fk || ck;
        t->replay_bad += cv.replay < 0;
    }
    printf("concurrency: %zu mutants, %zu killed, %zu survived in %.2f s; %zu killed by the suite "
           "(not concurrency mutants), %zu replays differ%s\n",
           t->n, t->killed, t->n - t->killed, mut_now() - t0, t->not_concurrent, t->replay_bad,
           t->baseline_bad ? "; the baseline was \"killed\" too" : "");
    mut_list_free(libs, n);
    return 0;
fail:
    mut_list_free(libs, n);
    return -1;
}

/* rm -r of the scratch tree the run made (its root, the libraries' roots, their
 * per-process folders, instance folders, files). */
static void mut_remove_tree(int parent, const char *name, int depth)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    if (!d) {
        if (fd >= 0)
            close(fd);
        unlinkat(parent, name, 0);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(fd, e->d_name, 0) != 0 && depth > 0)
            mut_remove_tree(fd, e->d_name, depth - 1);
    }
    closedir(d);
    unlinkat(parent, name, AT_REMOVEDIR);
}

/* A usage error: the message, then the usage line; exit status 2. */
static int mut_bad(const char *msg, const char *arg)
{
    fprintf(stderr, "backstop: mutants: %s%s\n"
                    "usage: backstop mutants [--dir DIR] [--timeout S] [--seed N] "
                    "[--only sequential|concurrency] [--budget S] [--baseline S]\n"
                    "                        [--schedule random|pct:D] [--fuzz-dir DIR [--fuzz-seconds S]\n"
                    "                        [--fuzz-corpus DIR|none] [--fuzz-dict FILE|none]] [PATH]\n",
            msg, arg);
    return 2;
}

int cmd_mutants(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, 0, 'd'},
                                         {"timeout", required_argument, 0, 'T'},
                                         {"seed", required_argument, 0, 's'},
                                         {"only", required_argument, 0, 'o'},
                                         {"budget", required_argument, 0, 'b'},
                                         {"baseline", required_argument, 0, 'B'},
                                         {"schedule", required_argument, 0, 'c'},
                                         {"fuzz-dir", required_argument, 0, 'F'},
                                         {"fuzz-seconds", required_argument, 0, 'S'},
                                         {"fuzz-corpus", required_argument, 0, 'C'},
                                         {"fuzz-dict", required_argument, 0, 'D'},
                                         {0, 0, 0, 0}};
    struct mut_opts o = {.timeout = 10, .budget = 30, .baseline = 10, .schedule = "random",
                         .sequential = true, .concurrency = true, .fuzz_seconds = 60,
                         .fuzz_corpus = "fuzz/corpus/fuzz_faults", .fuzz_dict = "fuzz/fuzz_faults.dict"};
    bool corpus_given = false, dict_given = false;
    struct mut_fuzz_totals ft = {0};
    char *default_path = "scenarios", *end, scratch[PATH_MAX] = "";
    struct scn_suite *suite = NULL;
    struct mut_conc_totals ct = {0};
    size_t n_seq = 0;
    long seq_killed = 0;
    bool seeded = false;
    int c, status = 2;
    double t0 = mut_now();

    mut_default_dir(o.dir, sizeof o.dir);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            snprintf(o.dir, sizeof o.dir, "%s", optarg);
            break;
        case 'T':
        case 'b':
        case 'B':
        case 'S': {
            double d = strtod(optarg, &end);
            if (*end || !(d > 0 || (c == 'B' && d == 0)))
                return mut_bad("--timeout, --budget, --baseline and --fuzz-seconds take a number of seconds, not ",
                               optarg);
            *(c == 'T' ? &o.timeout : c == 'b' ? &o.budget : c == 'B' ? &o.baseline : &o.fuzz_seconds) = d;
            break;
        }
        case 'F':
            o.fuzz_dir = optarg;
            break;
        case 'C':
            o.fuzz_corpus = strcmp(optarg, "none") == 0 ? NULL : optarg;
            corpus_given = true;
            break;
        case 'D':
            o.fuzz_dict = strcmp(optarg, "none") == 0 ? NULL : optarg;
            dict_given = true;
            break;
        case 's':
            errno = 0;
            o.seed = strtoull(optarg, &end, 0);
            if (errno || *end || optarg[0] == '-')
                return mut_bad("--seed takes an unsigned number, not ", optarg);
            seeded = true;
            break;
        case 'o':
            if (strcmp(optarg, "sequential") != 0 && strcmp(optarg, "concurrency") != 0)
                return mut_bad("--only takes sequential or concurrency, not ", optarg);
            o.sequential = optarg[0] == 's';
            o.concurrency = !o.sequential;
            break;
        case 'c':
            if (strcmp(optarg, "free") == 0)
                return mut_bad("--schedule takes a controlled schedule (random, pct:D; free always runs), not ",
                               optarg);
            o.schedule = optarg;
            break;
        default:
            return mut_bad("unknown or incomplete option ", argv[optind - 1]);
        }
    }
    if (o.fuzz_dir) {
        struct stat st;
        if (stat(o.fuzz_dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return mut_bad("--fuzz-dir: no such directory: ", o.fuzz_dir);
        /* The defaults are the source tree's, relative to the working directory
         * as the default PATH (scenarios) is; a missing seed corpus is an error
         * unless it is given as none, a missing default dictionary is none. */
        if (o.fuzz_corpus && (stat(o.fuzz_corpus, &st) != 0 || !S_ISDIR(st.st_mode)))
            return mut_bad(corpus_given ? "--fuzz-corpus: no such directory: "
                                        : "no seed corpus (give --fuzz-corpus DIR or none): ",
                           o.fuzz_corpus);
        if (o.fuzz_dict && access(o.fuzz_dict, R_OK) != 0) {
            if (dict_given)
                return mut_bad("--fuzz-dict: cannot read ", o.fuzz_dict);
            o.fuzz_dict = NULL;
        }
    }
    if (!seeded)
        o.seed = rng_fresh_seed();
    printf("backstop mutants: seed %" PRIu64 "\n", o.seed);
    if (!getenv("BACKSTOP_ENGINE_DIR")) {
        const char *tmp = getenv("TMPDIR");
        snprintf(scratch, sizeof scratch, "%s/backstop-mutants-XXXXXX",
                 access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(scratch))
            setenv("BACKSTOP_ENGINE_DIR", scratch, 1);
        else
            scratch[0] = 0;
    }
    if (cli_load_suite(optind < argc ? argc - optind : 1, optind < argc ? argv + optind : &default_path,
                       &suite) != 0)
        goto done;
    if (o.sequential && (seq_killed = mut_sequential(&o, suite, &n_seq, &ft)) < 0)
        goto done;
    if (o.concurrency && mut_concurrency(&o, suite, &ct) != 0)
        goto done;
    size_t n = n_seq + ct.n, killed = (size_t)seq_killed + ct.killed;
    printf("total time %.1f s\n%zu mutants, %zu killed, %zu survived", mut_now() - t0, n, killed, n - killed);
    if (o.fuzz_dir && o.sequential)
        printf("; fuzzing alone killed %zu of %zu sequential mutants%s", ft.killed, n_seq,
               ft.baseline_bad ? " and the baseline" : "");
    printf("\n");
    status = killed == n && ct.replay_bad == 0 && ct.not_concurrent == 0 && !ct.baseline_bad ? 0 : 1;
    if (o.fuzz_dir && o.sequential && (ft.killed != n_seq || ft.baseline_bad))
        status = 1; /* issue 5: every sequential mutant killed by fuzzing alone */
done:
    scn_suite_free(suite);
    if (scratch[0])
        mut_remove_tree(AT_FDCWD, scratch, 4);
    return status;
}
