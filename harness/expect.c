/*
 * expect.c: expectation files (see expect.h for the format).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

struct expect_entry {
    enum expect_kind kind;
    char *pattern;
    char *reason;
};

struct expect_set {
    size_t n, cap;
    struct expect_entry *v;
};

static char *expect__dup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

void expect_free(struct expect_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].pattern);
        free(set->v[i].reason);
    }
    free(set->v);
    free(set);
}

int expect_load(const char *path, FILE *diag, struct expect_set **out)
{
    FILE *f = fopen(path, "r");
    struct expect_set *set;
    char line[4096];
    int lineno = 0, bad = 0;

    *out = NULL;
    if (!f) {
        if (diag)
            fprintf(diag, "%s:1:1: cannot open expectations file\n", path);
        return -1;
    }
    set = calloc(1, sizeof *set);
    if (!set) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *p = line, *word, *end;
        enum expect_kind kind;
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            if (diag)
                fprintf(diag, "%s:%d:1: line too long\n", path, lineno);
            bad = 1;
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            continue;
        }
        line[strcspn(line, "\r\n")] = 0;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == 0 || *p == '#')
            continue;
        word = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if ((size_t)(p - word) == 5 && strncmp(word, "XFAIL", 5) == 0)
            kind = EXPECT_XFAIL;
        else if ((size_t)(p - word) == 4 && strncmp(word, "SKIP", 4) == 0)
            kind = EXPECT_SKIP;
        else {
            if (diag)
                fprintf(diag, "%s:%d:%d: expected XFAIL or SKIP\n", path, lineno,
                        (int)(word - line) + 1);
            bad = 1;
            continue;
        }
        while (isspace((unsigned char)*p))
            p++;
        if (*p == 0) {
            if (diag)
                fprintf(diag, "%s:%d:%d: expected a case name or glob\n", path, lineno,
                        (int)(p - line) + 1);
            bad = 1;
            continue;
        }
        word = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        end = p;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == 0) {
            if (diag)
                fprintf(diag, "%s:%d:%d: a reason is required\n", path, lineno,
                        (int)(p - line) + 1);
            bad = 1;
            continue;
        }
        if (set->n == set->cap) {
            size_t cap = set->cap ? set->cap * 2 : 16;
            struct expect_entry *v = realloc(set->v, cap * sizeof *v);
            if (!v) {
                bad = 1;
                break;
            }
            set->v = v;
            set->cap = cap;
        }
        set->v[set->n].kind = kind;
        set->v[set->n].pattern = expect__dup(word, (size_t)(end - word));
        set->v[set->n].reason = expect__dup(p, strlen(p));
        if (!set->v[set->n].pattern || !set->v[set->n].reason) {
            free(set->v[set->n].pattern);
            free(set->v[set->n].reason);
            bad = 1;
            break;
        }
        set->n++;
    }
    fclose(f);
    if (bad) {
        expect_free(set);
        return -1;
    }
    *out = set;
    return 0;
}

enum expect_kind expect_lookup(const struct expect_set *set, const char *case_name,
                               const char **reason)
{
    if (!set)
        return EXPECT_NONE;
    for (size_t i = 0; i < set->n; i++) {
        if (fnmatch(set->v[i].pattern, case_name, 0) == 0) {
            if (reason)
                *reason = set->v[i].reason;
            return set->v[i].kind;
        }
    }
    return EXPECT_NONE;
}
