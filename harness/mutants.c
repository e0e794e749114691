/*
 * mutants.c: `backstop mutants`: runs the conformance suite against every mutant
 * library (engine/mutants/, each one deliberate bug tied to a rule) and prints
 * the kill matrix: mutant -> killed or survived, the first case that killed it,
 * and the time to kill. A mutant is killed when any case FAILs, CRASHes or
 * TIMEs OUT against it. Exit 1 if any mutant survives.
 *
 * Each mutant exports `backstop_mutant_info`, a one-line description that starts
 * with the rule id it breaks.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "runner.h"

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

/* The default mutant folder: <dir of the executable>/../engine/mutants. */
static void mut_default_dir(char *buf, size_t n)
{
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) {
        snprintf(buf, n, "engine/mutants");
        return;
    }
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(buf, n, "%.3000s/../engine/mutants", exe);
}

static void mut_info(const char *path, char *buf, size_t n)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    const char *info = h ? dlsym(h, "backstop_mutant_info") : NULL;
    snprintf(buf, n, "%s", info ? info : "(no description exported)");
    if (h)
        dlclose(h);
}

int cmd_mutants(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, 0, 'd'},
                                         {"timeout", required_argument, 0, 'T'},
                                         {0, 0, 0, 0}};
    char dir[PATH_MAX], *default_path = "scenarios";
    struct scn_suite *suite = NULL;
    char **libs = NULL;
    size_t n_libs = 0, cap = 0, killed = 0;
    double timeout = 10;
    int c, status = 2;
    DIR *d;
    struct dirent *e;

    mut_default_dir(dir, sizeof dir);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            snprintf(dir, sizeof dir, "%s", optarg);
        else if (c == 'T') {
            char *end;
            timeout = strtod(optarg, &end);
            if (*end || timeout <= 0) {
                fprintf(stderr, "backstop: --timeout: not a positive number: '%s'\n", optarg);
                return 2;
            }
        } else {
            fprintf(stderr, "backstop: mutants: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return 2;
        }
    }
    if (cli_load_suite(optind < argc ? argc - optind : 1, optind < argc ? argv + optind : &default_path,
                       &suite) != 0)
        goto done;
    d = opendir(dir);
    if (!d) {
        fprintf(stderr, "backstop: mutants: cannot open mutant folder %s\n", dir);
        goto done;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        if (n_libs == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(libs, cap * sizeof *v);
            if (!v)
                break;
            libs = v;
        }
        libs[n_libs] = malloc(strlen(dir) + len + 2);
        if (!libs[n_libs])
            break;
        sprintf(libs[n_libs], "%s/%s", dir, e->d_name);
        n_libs++;
    }
    closedir(d);
    if (n_libs == 0) {
        fprintf(stderr, "backstop: mutants: no mutant libraries in %s\n", dir);
        goto done;
    }
    qsort(libs, n_libs, sizeof *libs, mut_cmp);

    printf("%-34s %-9s %-8s %-44s %s\n", "mutant", "verdict", "time", "first killing case", "bug");
    for (size_t i = 0; i < n_libs; i++) {
        const struct target_ops *ops = NULL;
        char detail[1024] = "", info[256];
        const char *base = strrchr(libs[i], '/') ? strrchr(libs[i], '/') + 1 : libs[i];
        const char *killer = NULL;
        enum report_status how = REPORT_PASS;
        double t0 = mut_now();

        mut_info(libs[i], info, sizeof info);
        if (target_resolve(libs[i], detail, sizeof detail, &ops) != TARGET_OK) {
            printf("%-34s %-9s %-8s %-44s %s\n", base, "LOAD-ERR", "-", detail, info);
            continue;
        }
        struct runner_config cfg = {.target = ops, .profile = MODEL_PROFILE_ESE, .fork = true,
                                    .differential = true, .timeout_s = timeout, .seed = 1};
        for (size_t k = 0; k < scn_suite_count(suite) && !killer; k++) {
            struct report_case rc;
            const struct scn_case *sc = scn_suite_case(suite, k);
            if (runner_run_case(&cfg, sc, &rc) != 0)
                continue;
            if (report_status_failed(rc.status)) {
                killer = sc->name;
                how = rc.status;
            }
            free((char *)rc.message);
            free((char *)rc.rules);
        }
        target_release(ops);
        if (killer)
            killed++;
        {
            char when[32], what[160];
            snprintf(when, sizeof when, "%.2fs", mut_now() - t0);
            snprintf(what, sizeof what, "%s%s%s", killer ? killer : "-",
                     killer && how != REPORT_FAIL ? " " : "",
                     killer && how != REPORT_FAIL ? report_status_name(how) : "");
            printf("%-34s %-9s %-8s %-44s %s\n", base, killer ? "killed" : "SURVIVED", when, what, info);
            fflush(stdout);
        }
    }
    printf("%zu mutants, %zu killed, %zu survived\n", n_libs, killed, n_libs - killed);
    status = killed == n_libs ? 0 : 1;
done:
    for (size_t i = 0; i < n_libs; i++)
        free(libs[i]);
    free(libs);
    scn_suite_free(suite);
    return status;
}
