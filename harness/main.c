/*
 * main.c: the `backstop` command line.
 *
 *   backstop run [options] PATH...     run conformance cases against a target
 *   backstop rules [PATH]              rule-coverage table
 *   backstop bench model|engine        throughput benchmarks
 *   backstop mutants [options]         run the suite against every mutant
 *
 * Exit status: 0 when every result matches its expectation, 1 otherwise, 2 on a
 * usage, parse or load error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"
#include "cli.h"
#include "expect.h"
#include "report.h"
#include "rng.h"
#include "rules.h"
#include "runner.h"
#include "scn.h"
#include "target.h"

#define EXIT_USAGE 2

static const char *const cli_commands[] = {"run",     "rules",   "bench",   "mutants",  "stress", "replay",
                                           "faults", "scn2fuzz", "fuzz2scn", "help", "version"};

static void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: backstop run [--target T] [--profile P] [--filter GLOB] [--expectations FILE]\n"
            "                    [--format text|tap|junit|json] [--out FILE] [--timeout S]\n"
            "                    [--no-fork] [--no-differential] [--seed N] PATH...\n"
            "       backstop rules [PATH]\n"
            "       backstop bench model|engine|lincheck|stress [--seconds S] [--seed N]\n"
            "       backstop mutants [--dir DIR] [--timeout S] [--seed N] [--only sequential|concurrency]\n"
            "                        [--budget S] [--baseline S] [--schedule random|pct:D]\n"
            "                        [--fuzz-dir DIR [--fuzz-seconds S] [--fuzz-corpus DIR|none]\n"
            "                        [--fuzz-dict FILE|none]] [PATH]\n"
            "       backstop stress --target T --threads N --instances M (--seconds S | --ops K)\n"
            "                       --seed X [--faults SPEC] [--schedule free|random|pct:D] [--save-dir DIR]\n"
            "       backstop replay TOKEN\n"
            "       backstop faults --sweep CASE|all [PATH]\n"
            "       backstop scn2fuzz PATH... --out DIR\n"
            "       backstop fuzz2scn FILE [--target fuzz_calls|fuzz_faults|fuzz_sched] [--out FILE]\n"
            "targets: model, engine, engine-dir, or a path to a shared library\n"
            "profiles: ese (default), esent, documented\n");
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int cli_bad(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "backstop: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    cli_usage(stderr);
    return EXIT_USAGE;
}

/* Parse an unsigned number argument; returns 0 or -1. */
static int cli_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int cli_seconds(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v < 0 || v > 86400)
        return -1;
    *out = v;
    return 0;
}

/* Load every PATH into one suite. Returns 0, or EXIT_USAGE after diagnostics. */
int cli_load_suite(int n, char **paths, struct scn_suite **suite)
{
    int bad = 0;
    *suite = NULL;
    for (int i = 0; i < n; i++) {
        int rv = scn_parse_path(paths[i], stderr, suite);
        if (rv == SCN_EIO) {
            fprintf(stderr, "%s:1:1: cannot read: %s\n", paths[i], strerror(errno));
            bad = 1;
        } else if (rv != SCN_OK) {
            bad = 1;
        }
    }
    return bad ? EXIT_USAGE : 0;
}

static void cli_timestamp(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, 0, 't'},  {"profile", required_argument, 0, 'p'},
        {"filter", required_argument, 0, 'f'},  {"expectations", required_argument, 0, 'e'},
        {"format", required_argument, 0, 'F'},  {"out", required_argument, 0, 'o'},
        {"timeout", required_argument, 0, 'T'}, {"no-fork", no_argument, 0, 'n'},
        {"no-differential", no_argument, 0, 'd'}, {"seed", required_argument, 0, 's'},
        {"work-dir", required_argument, 0, 'w'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *target = "model", *profile = "ese", *format = "text", *outpath = NULL;
    const char *expectations = NULL;
    struct runner_config cfg = {.fork = true, .differential = true, .timeout_s = 20};
    const struct report_format *fmt;
    const struct target_ops *ops = NULL;
    struct expect_set *exp = NULL;
    struct scn_suite *suite = NULL;
    struct report_case *results = NULL;
    size_t n_results = 0;
    char detail[2048] = "", stamp[32];
    bool seeded = false;
    int c, rv, status = EXIT_USAGE;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': target = optarg; break;
        case 'p': profile = optarg; break;
        case 'f': cfg.filter = optarg; break;
        case 'e': expectations = optarg; break;
        case 'F': format = optarg; break;
        case 'o': outpath = optarg; break;
        case 'n': cfg.fork = false; break;
        case 'd': cfg.differential = false; break;
        case 'w': cfg.work_dir = optarg; break;
        case 'T':
            if (cli_seconds(optarg, &cfg.timeout_s) != 0)
                return cli_bad("--timeout: not a number of seconds: '%s'", optarg);
            break;
        case 's':
            if (cli_u64(optarg, &cfg.seed) != 0)
                return cli_bad("--seed: not an unsigned number: '%s'", optarg);
            seeded = true;
            break;
        case 'h': cli_usage(stdout); return 0;
        default:
            return cli_bad("run: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_bad("run: no scenario PATH given");
    if (model_profile_parse(profile, &cfg.profile) != 0)
        return cli_bad("--profile: unknown profile '%s' (ese, esent, documented)", profile);
    fmt = report_format_find(format);
    if (!fmt)
        return cli_bad("--format: unknown format '%s' (text, tap, junit, json)", format);
    if (!seeded)
        cfg.seed = rng_fresh_seed();
    /* The seed comes first; on stderr when stdout carries a machine-readable report. */
    fprintf(outpath || strcmp(format, "text") == 0 ? stdout : stderr,
            "backstop run: target %s, profile %s, seed %llu\n", target, profile,
            (unsigned long long)cfg.seed);
    fflush(stdout);

    if (expectations && expect_load(expectations, stderr, &exp) != 0)
        return EXIT_USAGE;
    if (cli_load_suite(argc - optind, argv + optind, &suite) != 0)
        goto done;
    rv = target_resolve(target, detail, sizeof detail, &ops);
    cli_timestamp(stamp, sizeof stamp);
    if (rv != TARGET_OK) {
        /* LOAD-ERROR: the report is still written, with one result saying why. */
        struct report_case lc = {.name = "load", .file = target, .rules = "",
                                 .status = REPORT_LOAD_ERROR, .message = detail};
        struct report_run run = {.target = target, .profile = profile, .seed = cfg.seed,
                                 .timestamp = stamp, .n_cases = 1, .cases = &lc};
        fprintf(stderr, "backstop: LOAD-ERROR: %s: %s\n", target, detail[0] ? detail : target_strerror(rv));
        if (outpath) {
            FILE *f = fopen(outpath, "w");
            if (f) {
                report_write(fmt, f, &run);
                fclose(f);
            }
        }
        status = EXIT_USAGE;
        goto done;
    }
    cfg.target = ops;
    cfg.expectations = exp;
    if (runner_run_suite(&cfg, suite, &results, &n_results) != 0) {
        fprintf(stderr, "backstop: out of memory\n");
        goto done;
    }
    {
        struct report_run run = {.target = target, .profile = profile, .seed = cfg.seed,
                                 .timestamp = stamp, .n_cases = n_results, .cases = results};
        struct report_totals tot;
        report_count(&run, &tot);
        if (outpath) {
            FILE *f = fopen(outpath, "w");
            if (!f || report_write(fmt, f, &run) != 0) {
                fprintf(stderr, "backstop: cannot write %s: %s\n", outpath, strerror(errno));
                if (f)
                    fclose(f);
                goto done;
            }
            fclose(f);
            report_write(report_format_find("text"), stdout, &run);
        } else {
            report_write(fmt, stdout, &run);
            if (strcmp(format, "text") != 0)
                report_print_totals(stderr, &tot);
        }
        status = tot.failed ? 1 : 0;
    }
done:
    runner_free_results(results, n_results);
    scn_suite_free(suite);
    expect_free(exp);
    if (ops)
        target_release(ops);
    return status;
}

static int cmd_rules(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "scenarios";
    struct scn_suite *suite = NULL;
    char untestable[1024];
    struct stat st;
    int rv;

    if (argc > 2)
        return cli_bad("rules: at most one PATH");
    if (cli_load_suite(1, (char **)&path, &suite) != 0) {
        scn_suite_free(suite);
        return EXIT_USAGE;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(untestable, sizeof untestable, "%s/untestable.txt", path);
    else
        untestable[0] = 0;
    rv = rules_print(suite, untestable[0] ? untestable : NULL, stdout, stderr);
    scn_suite_free(suite);
    if (rv < 0)
        return EXIT_USAGE;
    return rv ? 1 : 0;
}

static int cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {{"seconds", required_argument, 0, 'S'},
                                         {"seed", required_argument, 0, 's'},
                                         {0, 0, 0, 0}};
    struct bench_config cfg = {.seconds = 3, .seed = 1};
    bool seeded = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            if (cli_seconds(optarg, &cfg.seconds) != 0 || cfg.seconds <= 0)
                return cli_bad("--seconds: not a positive number: '%s'", optarg);
            break;
        case 's':
            if (cli_u64(optarg, &cfg.seed) != 0)
                return cli_bad("--seed: not an unsigned number: '%s'", optarg);
            seeded = true;
            break;
        default:
            return cli_bad("bench: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_bad("bench: name one benchmark: model, engine, lincheck or stress");
    if (!seeded)
        cfg.seed = rng_fresh_seed();
    printf("backstop bench %s: seed %llu\n", argv[optind], (unsigned long long)cfg.seed);
    bench_print_machine(stdout);
    if (strcmp(argv[optind], "model") == 0)
        return bench_model(&cfg, stdout) == 0 ? 0 : 1;
    if (strcmp(argv[optind], "engine") == 0)
        return bench_engine(&cfg, stdout) == 0 ? 0 : 1;
    if (strcmp(argv[optind], "lincheck") == 0)
        return bench_lincheck(&cfg, stdout) == 0 ? 0 : 1;
    if (strcmp(argv[optind], "stress") == 0)
        return bench_stress(&cfg, stdout) == 0 ? 0 : 1;
    return cli_bad("bench: unknown benchmark '%s' (model, engine, lincheck, stress)", argv[optind]);
}

int main(int argc, char **argv)
{
    const char *cmd;
    if (argc < 2) {
        cli_usage(stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "mutants") == 0)
        return cmd_mutants(argc - 1, argv + 1);
    if (strcmp(cmd, "stress") == 0)
        return cmd_stress(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "faults") == 0)
        return cmd_faults(argc - 1, argv + 1);
    if (strcmp(cmd, "scn2fuzz") == 0)
        return cmd_scn2fuzz(argc - 1, argv + 1);
    if (strcmp(cmd, "fuzz2scn") == 0)
        return cmd_fuzz2scn(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("backstop 0.1.0\n");
        return 0;
    }
    {
        const char *near = scn_nearest(cmd, cli_commands, sizeof cli_commands / sizeof cli_commands[0]);
        fprintf(stderr, "backstop: unknown command '%s'%s%s%s\n", cmd, near ? " (did you mean '" : "",
                near ? near : "", near ? "'?)" : "");
    }
    cli_usage(stderr);
    return EXIT_USAGE;
}
