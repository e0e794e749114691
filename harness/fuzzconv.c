/*
 * fuzzconv.c: corpus conversion between the conformance suite and the fuzz
 * targets (issue 5).
 *
 *   backstop scn2fuzz PATH... --out DIR
 *       Encodes every case of the suite as a seed input: DIR/fuzz_calls/NAME,
 *       DIR/fuzz_faults/NAME (fault steps kept) and DIR/fuzz_scenario/NAME.scn
 *       (the case printed in canonical form, includes expanded). Each encoded
 *       seed is also run once against the in-process engine; a finding is
 *       reported (and makes the exit status 1), the seed is written anyway.
 *
 *   backstop fuzz2scn FILE [--target fuzz_calls|fuzz_faults|fuzz_sched] [--engine T]
 *                          [--name NAME] [--out FILE]
 *       Decodes a fuzz input (a crash included) and prints it as a .scn case
 *       whose expectations are the model's results, so that
 *       `backstop run --target <the target that crashed> CASE` fails where the
 *       fuzzer did. The program is run against T (default: the in-process
 *       engine) only to annotate the finding. Without --target, a path that
 *       contains "fuzz_faults" is read as a fuzz_faults input, anything else
 *       as fuzz_calls. fuzz_sched inputs (a path that contains "fuzz_sched")
 *       go to fuzzsched_cmd_fuzz2scn (harness/fuzzsched_conv.c).
 *
 * Exit statuses as for `backstop run`: 0 done, 1 a finding (scn2fuzz), 2 usage
 * or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fuzzprog.h"
#include "fuzzsched.h"
#include "target.h"

static int fc_mkdir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "backstop: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

static int fc_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "backstop: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* Read a whole file; *out is malloc'ed. */
static int fc_read(const char *path, uint8_t **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    if (f == NULL) {
        fprintf(stderr, "backstop: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *out = buf;
    *n = len;
    return 0;
}

/* Encode one case for `kind`, write it, and run it once on the engine. */
static int fc_seed(enum fuzzprog_kind kind, const struct scn_case *c, const char *dir, int *findings)
{
    char path[4096];
    uint8_t *bytes = NULL;
    size_t n = 0;
    struct fuzzprog *p = NULL;
    struct fuzzprog_config cfg = {.max_seconds = 10};
    int rv = fuzzprog_encode_case(kind, c, &bytes, &n);

    if (rv != FUZZPROG_OK) {
        fprintf(stderr, "backstop: scn2fuzz: %s: %s\n", c->name, fuzzprog_strerror(rv));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s/%s", dir, fuzzprog_kind_name(kind), c->name);
    rv = fc_write(path, bytes, n);
    if (rv == 0 && fuzzprog_decode(kind, bytes, n, &p) == FUZZPROG_OK &&
        fuzzprog_run(p, &cfg) == FUZZPROG_FINDING) {
        (*findings)++;
        fprintf(stderr, "backstop: scn2fuzz: the %s seed of %s finds something:\n%s\n",
                fuzzprog_kind_name(kind), c->name, fuzzprog_finding(p));
        fuzzprog_print_scn(p, NULL, stderr);
    }
    fuzzprog_free(p);
    free(bytes);
    return rv;
}

int cmd_scn2fuzz(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {0, 0, 0, 0}};
    const char *dir = NULL;
    struct scn_suite *suite = NULL;
    char path[4096];
    int c, status = 2, findings = 0;
    size_t n_cases;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'o') {
            fprintf(stderr, "backstop: scn2fuzz: unknown or incomplete option '%s'\n"
                            "usage: backstop scn2fuzz PATH... --out DIR\n", argv[optind - 1]);
            return 2;
        }
        dir = optarg;
    }
    if (dir == NULL || optind >= argc) {
        fprintf(stderr, "usage: backstop scn2fuzz PATH... --out DIR\n");
        return 2;
    }
    if (cli_load_suite(argc - optind, argv + optind, &suite) != 0)
        goto done;
    if (fc_mkdir(dir) != 0)
        goto done;
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, k == 2 ? "fuzz_scenario" : fuzzprog_kind_name((enum fuzzprog_kind)k));
        if (fc_mkdir(path) != 0)
            goto done;
    }
    snprintf(path, sizeof path, "%s/fuzz_sched", dir);
    if (fc_mkdir(path) != 0)
        goto done;
    n_cases = scn_suite_count(suite);
    for (size_t i = 0; i < n_cases; i++) {
        const struct scn_case *sc = scn_suite_case(suite, i);
        char *text = NULL;
        size_t len = 0;
        FILE *f;
        if (fc_seed(FUZZPROG_CALLS, sc, dir, &findings) != 0 || fc_seed(FUZZPROG_FAULTS, sc, dir, &findings) != 0 ||
            fuzzsched_scn2fuzz_case(sc, dir, &findings) != 0)
            goto done;
        f = open_memstream(&text, &len);
        if (f == NULL || scn_print_case(sc, f) != 0 || fclose(f) != 0) {
            free(text);
            goto done;
        }
        snprintf(path, sizeof path, "%s/fuzz_scenario/%s.scn", dir, sc->name);
        c = fc_write(path, text, len);
        free(text);
        if (c != 0)
            goto done;
    }
    printf("backstop scn2fuzz: %zu cases -> %s/{fuzz_calls,fuzz_faults,fuzz_scenario,fuzz_sched}/; "
           "seeds with a finding: %d\n", n_cases, dir, findings);
    status = findings ? 1 : 0;
done:
    scn_suite_free(suite);
    return status;
}

int cmd_fuzz2scn(int argc, char **argv)
{
    static const struct option opts[] = {{"target", required_argument, 0, 't'},
                                         {"engine", required_argument, 0, 'e'},
                                         {"name", required_argument, 0, 'n'},
                                         {"out", required_argument, 0, 'o'},
                                         {0, 0, 0, 0}};
    const char *kind_name = NULL, *engine = NULL, *name = NULL, *outpath = NULL;
    const struct target_ops *ops = NULL;
    enum fuzzprog_kind kind = FUZZPROG_CALLS;
    struct fuzzprog *p = NULL;
    struct fuzzprog_config cfg = {.max_seconds = 60};
    struct scn_suite *check = NULL;
    uint8_t *data = NULL;
    char *text = NULL, detail[1024] = "";
    size_t n = 0, len = 0;
    FILE *mem;
    int c, rv, status = 2;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': kind_name = optarg; break;
        case 'e': engine = optarg; break;
        case 'n': name = optarg; break;
        case 'o': outpath = optarg; break;
        default:
            fprintf(stderr, "backstop: fuzz2scn: unknown or incomplete option '%s'\n", argv[optind - 1]);
            goto usage;
        }
    }
    if (optind + 1 != argc)
        goto usage;
    if (kind_name ? strcmp(kind_name, "fuzz_sched") == 0 : strstr(argv[optind], "fuzz_sched") != NULL)
        return fuzzsched_cmd_fuzz2scn(argv[optind], engine, name, outpath);
    if (kind_name) {
        if (fuzzprog_kind_parse(kind_name, &kind) != 0 || kind == FUZZPROG_SCHED) {
            fprintf(stderr, "backstop: fuzz2scn: --target: '%s' is not fuzz_calls, fuzz_faults or fuzz_sched%s\n",
                    kind_name, strcmp(kind_name, "fuzz_scenario") == 0 ? " (its inputs are .scn text already)" : "");
            return 2;
        }
    } else if (strstr(argv[optind], "fuzz_faults") != NULL) {
        kind = FUZZPROG_FAULTS;
    }
    if (engine) {
        if (kind == FUZZPROG_FAULTS) {
            fprintf(stderr, "backstop: fuzz2scn: --engine: fuzz_faults inputs need the in-process engine\n");
            return 2;
        }
        if (target_resolve(engine, detail, sizeof detail, &ops) != TARGET_OK) {
            fprintf(stderr, "backstop: fuzz2scn: --engine %s: %s\n", engine, detail);
            return 2;
        }
        cfg.target = ops;
    }
    if (fc_read(argv[optind], &data, &n) != 0)
        goto done;
    rv = fuzzprog_decode(kind, data, n, &p);
    if (rv != FUZZPROG_OK) {
        fprintf(stderr, "backstop: fuzz2scn: %s\n", fuzzprog_strerror(rv));
        goto done;
    }
    rv = fuzzprog_run(p, &cfg);
    if (rv < 0) {
        fprintf(stderr, "backstop: fuzz2scn: %s\n", fuzzprog_strerror(rv));
        goto done;
    }
    fprintf(stderr, "backstop fuzz2scn: %s input, %zu bytes, %zu steps; %s\n", fuzzprog_kind_name(kind), n,
            fuzzprog_count(p), rv == FUZZPROG_FINDING ? "finding:" : "no finding against the engine");
    if (rv == FUZZPROG_FINDING)
        fprintf(stderr, "%s\n", fuzzprog_finding(p));

    /* Print into memory, check that it parses, then write it out. */
    mem = open_memstream(&text, &len);
    if (mem == NULL || fuzzprog_print_scn(p, name, mem) != 0 || fclose(mem) != 0)
        goto done;
    if (scn_parse_buffer(outpath ? outpath : "fuzz2scn.scn", text, len, stderr, &check) != SCN_OK) {
        fprintf(stderr, "backstop: fuzz2scn: internal error: the printed case does not parse\n%s", text);
        goto done;
    }
    if (outpath ? fc_write(outpath, text, len) != 0 : fwrite(text, 1, len, stdout) != len)
        goto done;
    status = 0;
done:
    scn_suite_free(check);
    free(text);
    free(data);
    fuzzprog_free(p);
    if (ops)
        target_release(ops);
    return status;
usage:
    fprintf(stderr, "usage: backstop fuzz2scn FILE [--target fuzz_calls|fuzz_faults|fuzz_sched] [--engine T] "
                    "[--name NAME] [--out FILE]\n");
    return 2;
}
