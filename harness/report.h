/*
 * report.h: run reports. The runner collects one report_case per case and hands
 * the whole run to a format at the end (so a crash or timeout in a target, which
 * the forked runner turns into a CRASH or TIMEOUT result, never loses a report).
 *
 * Formats are const tables (struct report_format), chosen by name:
 *   text   the human summary (failures in full, then the totals line)
 *   tap    TAP version 14
 *   junit  JUnit XML (testsuites/testsuite/testcase, classname = the case's
 *          file path with '/' -> '.', minus ".scn")
 *   json   one JSON object: {"target":..,"profile":..,"seed":..,"cases":[..],"totals":{..}}
 */
#ifndef BACKSTOP_REPORT_H
#define BACKSTOP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum report_status {
    REPORT_PASS = 0,
    REPORT_FAIL,       /* a result differed from its expectation */
    REPORT_SKIP,       /* not for this profile, or the target lacks a function */
    REPORT_XFAIL,      /* failed, as the expectations file says it will */
    REPORT_XPASS,      /* passed although the expectations file says XFAIL */
    REPORT_CRASH,      /* the target killed the case's process (signal) */
    REPORT_TIMEOUT,    /* the case ran past --timeout */
    REPORT_LOAD_ERROR, /* the target could not be loaded */
    REPORT__COUNT
};
const char *report_status_name(enum report_status s); /* "PASS", "XFAIL", ... */

/* Does this status count as failed (exit 1)? FAIL, XPASS, CRASH, TIMEOUT, LOAD_ERROR. */
int report_status_failed(enum report_status s);

struct report_case {
    const char *name;    /* case name */
    const char *file;    /* scenario file path */
    int line;
    const char *rules;   /* space-separated rule ids, e.g. "R21 S7 D1" */
    enum report_status status;
    const char *message; /* multi-line detail: call trace, expected vs actual, rule ids;
                            the skip or xfail reason; NULL or "" for a plain pass */
    double seconds;
};

struct report_run {
    const char *target;
    const char *profile;
    uint64_t seed;
    const char *timestamp; /* ISO 8601, UTC */
    size_t n_cases;
    const struct report_case *cases;
};

/* Totals: passed = PASS + XFAIL; failed = FAIL + XPASS + CRASH + TIMEOUT +
 * LOAD_ERROR; skipped = SKIP. */
struct report_totals {
    size_t passed, failed, skipped;
    size_t by_status[REPORT__COUNT];
};
void report_count(const struct report_run *run, struct report_totals *out);

struct report_format {
    const char *name;
    /* Write the whole report to out. Returns 0, or -1 on a write error. */
    int (*write)(FILE *out, const struct report_run *run);
};

/* The format named `name`, or NULL. */
const struct report_format *report_format_find(const char *name);
/* The one wrapper through which reports are written. */
int report_write(const struct report_format *fmt, FILE *out, const struct report_run *run);

/* The closing line every text run ends with: "N passed, N failed, N skipped". */
void report_print_totals(FILE *out, const struct report_totals *t);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_REPORT_H */
