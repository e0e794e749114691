/*
 * fuzzsched_conv.c: fuzz_sched's part of `backstop scn2fuzz` and `backstop
 * fuzz2scn` (harness/fuzzconv.c dispatches here), kept apart so that the
 * converter of the sequential targets stays as it is.
 *
 *   scn2fuzz: every case of the suite that has Jet calls on an instance
 *             becomes DIR/fuzz_sched/NAME (fuzzsched_encode_case), run once on
 *             the in-process engine; a finding is reported.
 *   fuzz2scn: decodes a fuzz_sched input (a crash included), runs it (on the
 *             in-process engine, or --engine T), prints the history and any
 *             finding on stderr and the run as a .scn case (checked to parse).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzsched.h"

int fuzzsched_scn2fuzz_case(const struct scn_case *c, const char *dir, int *findings)
{
    char path[4096];
    uint8_t *bytes = NULL;
    size_t n = 0;
    struct fuzzsched *p = NULL;
    struct fuzzsched_config cfg = {.max_seconds = 10};
    FILE *f;
    int rv = fuzzsched_encode_case(c, &bytes, &n);

    if (rv == FUZZSCHED_ENCODE)
        return 0; /* no Jet call on an instance: nothing to seed */
    if (rv != FUZZSCHED_OK) {
        fprintf(stderr, "backstop: scn2fuzz: %s: %s\n", c->name, fuzzsched_strerror(rv));
        return -1;
    }
    snprintf(path, sizeof path, "%s/fuzz_sched/%s", dir, c->name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "backstop: cannot write %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        free(bytes);
        return -1;
    }
    if (fuzzsched_decode(bytes, n, &p) == FUZZSCHED_OK && fuzzsched_run(p, &cfg) == FUZZSCHED_FINDING) {
        (*findings)++;
        fprintf(stderr, "backstop: scn2fuzz: the fuzz_sched seed of %s finds something:\n%s\n", c->name,
                fuzzsched_finding(p));
    }
    fuzzsched_free(p);
    free(bytes);
    return 0;
}

/* The whole file, malloc'ed (*n bytes). */
static uint8_t *fs_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
        (buf = malloc((size_t)len + 1)) == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fprintf(stderr, "backstop: cannot read %s: %s\n", path, strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

int fuzzsched_cmd_fuzz2scn(const char *path, const char *engine, const char *name, const char *outpath)
{
    const struct target_ops *ops = NULL;
    struct fuzzsched_config cfg = {.max_seconds = 60};
    struct fuzzsched *p = NULL;
    struct scn_suite *check = NULL;
    char *text = NULL, detail[1024] = "";
    size_t n = 0, len = 0;
    uint8_t *data;
    FILE *mem;
    int rv, status = 2;

    if (engine) {
        if (target_resolve(engine, detail, sizeof detail, &ops) != TARGET_OK) {
            fprintf(stderr, "backstop: fuzz2scn: --engine %s: %s\n", engine, detail);
            return 2;
        }
        cfg.target = ops;
    }
    data = fs_slurp(path, &n);
    if (data == NULL)
        goto done;
    if ((rv = fuzzsched_decode(data, n, &p)) != FUZZSCHED_OK || (rv = fuzzsched_run(p, &cfg)) < 0) {
        fprintf(stderr, "backstop: fuzz2scn: %s\n", fuzzsched_strerror(rv));
        goto done;
    }
    fprintf(stderr,
            "backstop fuzz2scn: fuzz_sched input, %zu bytes, %u threads, %zu calls, %llu decisions; %s\n",
            n, fuzzsched_threads(p), fuzzsched_count(p), (unsigned long long)fuzzsched_decisions(p),
            rv == FUZZSCHED_FINDING ? "finding:" : "no finding");
    if (rv == FUZZSCHED_FINDING)
        fprintf(stderr, "%s", fuzzsched_finding(p));
    fprintf(stderr, "history (hash %016llx):\n", (unsigned long long)fuzzsched_history_hash(p));
    fuzzsched_print_history(p, stderr);
    mem = open_memstream(&text, &len);
    if (mem == NULL || fuzzsched_print_scn(p, name, mem) != 0 || fclose(mem) != 0)
        goto done;
    if (scn_parse_buffer(outpath ? outpath : "fuzz2scn.scn", text, len, stderr, &check) != SCN_OK) {
        fprintf(stderr, "backstop: fuzz2scn: internal error: the printed case does not parse\n%s", text);
        goto done;
    }
    if (outpath) {
        FILE *f = fopen(outpath, "w");
        if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "backstop: cannot write %s: %s\n", outpath, strerror(errno));
            goto done;
        }
    } else if (fwrite(text, 1, len, stdout) != len) {
        goto done;
    }
    status = 0;
done:
    scn_suite_free(check);
    free(text);
    free(data);
    fuzzsched_free(p);
    if (ops)
        target_release(ops);
    return status;
}
