/*
 * rules.c: rule-coverage table (see rules.h).
 *
 * untestable.txt format: one rule per line, "R<n> reason...", '#' comments.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "sbuf.h"

#define RULES_R 55
#define RULES_S 23
#define RULES_D 17

struct rules_row {
    struct sbuf cases;
    int n_cases;
    char *why; /* untestable reason */
};

static int rules__load(const char *path, struct rules_row *rows, FILE *diag)
{
    FILE *f;
    char line[1024];
    int lineno = 0, bad = 0;
    if (!path)
        return 0;
    f = fopen(path, "r");
    if (!f)
        return 0; /* no file: nothing is untestable */
    while (fgets(line, sizeof line, f)) {
        char *p = line, *end;
        long n;
        lineno++;
        line[strcspn(line, "\r\n")] = 0;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            continue;
        if (*p != 'R' || !isdigit((unsigned char)p[1])) {
            fprintf(diag, "%s:%d:%d: expected a rule id R1..R%d\n", path, lineno, (int)(p - line) + 1, RULES_R);
            bad = 1;
            continue;
        }
        n = strtol(p + 1, &end, 10);
        if (n < 1 || n > RULES_R || (*end && !isspace((unsigned char)*end))) {
            fprintf(diag, "%s:%d:%d: no such rule\n", path, lineno, (int)(p - line) + 1);
            bad = 1;
            continue;
        }
        while (isspace((unsigned char)*end))
            end++;
        if (!*end) {
            fprintf(diag, "%s:%d:%d: a reason is required\n", path, lineno, (int)(end - line) + 1);
            bad = 1;
            continue;
        }
        free(rows[n - 1].why);
        rows[n - 1].why = strdup(end);
    }
    fclose(f);
    return bad ? -1 : 0;
}

int rules_print(const struct scn_suite *suite, const char *untestable, FILE *out, FILE *diag)
{
    struct rules_row rows[RULES_R + RULES_S + RULES_D];
    int missing = 0, covered = 0, unt = 0;
    size_t n = suite ? scn_suite_count(suite) : 0;

    memset(rows, 0, sizeof rows);
    if (rules__load(untestable, rows, diag) != 0) {
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            free(rows[i].why);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct scn_case *c = scn_suite_case(suite, i);
        for (int k = 0; k < c->n_rules; k++) {
            const char *id = c->rules[k];
            long num = strtol(id + 1, NULL, 10);
            int base = id[0] == 'R' ? 0 : id[0] == 'S' ? RULES_R : RULES_R + RULES_S;
            int max = id[0] == 'R' ? RULES_R : id[0] == 'S' ? RULES_S : RULES_D;
            if (num < 1 || num > max)
                continue;
            struct rules_row *r = &rows[base + num - 1];
            sbuf_printf(&r->cases, "%s%s", r->n_cases ? ", " : "", c->name);
            r->n_cases++;
        }
    }
    fprintf(out, "%-5s %-6s %s\n", "id", "cases", "covered by / reason");
    for (int i = 0; i < RULES_R + RULES_S + RULES_D; i++) {
        char id[8];
        struct rules_row *r = &rows[i];
        if (i < RULES_R)
            snprintf(id, sizeof id, "R%d", i + 1);
        else if (i < RULES_R + RULES_S)
            snprintf(id, sizeof id, "S%d", i - RULES_R + 1);
        else
            snprintf(id, sizeof id, "D%d", i - RULES_R - RULES_S + 1);
        if (i == RULES_R || i == RULES_R + RULES_S)
            fprintf(out, "\n");
        if (r->n_cases) {
            fprintf(out, "%-5s %-6d %s\n", id, r->n_cases, sbuf_str(&r->cases));
            if (i < RULES_R)
                covered++;
        } else if (r->why) {
            fprintf(out, "%-5s %-6s untestable: %s\n", id, "-", r->why);
            unt++;
        } else if (i < RULES_R + RULES_S) {
            fprintf(out, "%-5s %-6s NOT COVERED\n", id, "-");
            missing++;
        } else {
            fprintf(out, "%-5s %-6s (no case names this disagreement)\n", id, "-");
        }
        sbuf_free(&r->cases);
        free(r->why);
    }
    fprintf(out, "\n%d rules: %d covered by cases, %d untestable (with reasons), %d not accounted for\n",
            RULES_R, covered, unt, missing);
    return missing;
}
