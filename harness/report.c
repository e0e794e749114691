/*
 * report.c: writes a finished run (struct report_run) in one of four formats:
 * text for people, TAP version 14, JUnit XML and JSON for machines. Each format
 * is a const table with a write function; report_write() is the one wrapper
 * every caller goes through.
 *
 * Every string in a report comes from scenario files or from a target under
 * test, so none of it is trusted: names and messages may hold quotes, markup,
 * newlines, control characters and bytes that are not UTF-8. Each format has
 * one escaping routine that walks the string as UTF-8 (an invalid byte counts
 * as one "bad byte" and becomes U+FFFD) and writes only what that format allows.
 * The output is therefore always well formed, at the cost of being lossy for
 * bad bytes and (in XML and in TAP descriptions) for control characters.
 *
 * Not for: collecting results while a run goes on (the runner does that) or
 * deciding the exit status (report_status_failed() only answers which statuses
 * count as failures).
 */
#include "report.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Statuses and totals.
 * ------------------------------------------------------------------------- */

static const char *const status_names[REPORT__COUNT] = {
    [REPORT_PASS] = "PASS",   [REPORT_FAIL] = "FAIL",       [REPORT_SKIP] = "SKIP",
    [REPORT_XFAIL] = "XFAIL", [REPORT_XPASS] = "XPASS",     [REPORT_CRASH] = "CRASH",
    [REPORT_TIMEOUT] = "TIMEOUT", [REPORT_LOAD_ERROR] = "LOAD_ERROR",
};

const char *report_status_name(enum report_status s)
{
    if ((unsigned)s >= REPORT__COUNT)
        return "UNKNOWN";
    return status_names[s];
}

int report_status_failed(enum report_status s)
{
    switch (s) {
    case REPORT_PASS:
    case REPORT_SKIP:
    case REPORT_XFAIL:
        return 0;
    case REPORT_FAIL:
    case REPORT_XPASS:
    case REPORT_CRASH:
    case REPORT_TIMEOUT:
    case REPORT_LOAD_ERROR:
    case REPORT__COUNT:
        break;
    }
    return 1; /* an out-of-range status is a harness bug: never let it pass */
}

void report_count(const struct report_run *run, struct report_totals *out)
{
    memset(out, 0, sizeof *out);
    if (run == NULL || run->cases == NULL)
        return;
    for (size_t i = 0; i < run->n_cases; i++) {
        enum report_status s = run->cases[i].status;
        if ((unsigned)s < REPORT__COUNT)
            out->by_status[s]++;
        if (s == REPORT_SKIP)
            out->skipped++;
        else if (report_status_failed(s))
            out->failed++;
        else
            out->passed++;
    }
}

void report_print_totals(FILE *out, const struct report_totals *t)
{
    fprintf(out, "%zu passed, %zu failed, %zu skipped\n", t->passed, t->failed, t->skipped);
}

/* ---------------------------------------------------------------------------
 * UTF-8 walking, shared by every escaper.
 * ------------------------------------------------------------------------- */

/* Code point value standing for one byte that starts no valid UTF-8 sequence. */
#define BAD_BYTE 0xFFFFFFFFu
#define REPLACEMENT 0xFFFDu

/*
 * Decode the sequence at s (NUL-terminated) into *cp and return its length.
 * Overlong forms, surrogates, values past U+10FFFF and truncated sequences give
 * BAD_BYTE and length 1, so the caller resynchronises on the next byte. A NUL is
 * never a continuation byte, so this never reads past the terminator.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    uint32_t c = s[0], v, min;
    size_t n;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = BAD_BYTE;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = BAD_BYTE;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = BAD_BYTE;
        return 1;
    }
    *cp = v;
    return n;
}

static void put_utf8(FILE *out, uint32_t cp)
{
    if (cp == BAD_BYTE)
        cp = REPLACEMENT;
    if (cp < 0x80) {
        putc((int)cp, out);
    } else if (cp < 0x800) {
        putc((int)(0xC0 | (cp >> 6)), out);
        putc((int)(0x80 | (cp & 0x3F)), out);
    } else if (cp < 0x10000) {
        putc((int)(0xE0 | (cp >> 12)), out);
        putc((int)(0x80 | ((cp >> 6) & 0x3F)), out);
        putc((int)(0x80 | (cp & 0x3F)), out);
    } else {
        putc((int)(0xF0 | (cp >> 18)), out);
        putc((int)(0x80 | ((cp >> 12) & 0x3F)), out);
        putc((int)(0x80 | ((cp >> 6) & 0x3F)), out);
        putc((int)(0x80 | (cp & 0x3F)), out);
    }
}

/* A C0 control or DEL: shown as \xNN where a format has no better escape. */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F;
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* The length of the first line of s, without trailing white space. */
static size_t first_line_len(const char *s)
{
    size_t n = strcspn(s, "\r\n");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* The length of s without its trailing newlines (messages often end in one). */
static size_t trimmed_len(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return n;
}

/*
 * The escapers below take (s, n): at most n bytes of s, stopping early at a
 * NUL. n is either ALL or a length no greater than strlen(s).
 */
#define ALL ((size_t)-1)

/* Decode the code point at s[i], never looking past s[n] or the NUL. */
static size_t next_cp(const char *s, size_t i, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s + i;
    if (n - i >= 4)
        return utf8_decode(p, cp);
    unsigned char tail[5] = {0};
    for (size_t k = 0; k < n - i && p[k] != '\0'; k++)
        tail[k] = p[k];
    return utf8_decode(tail, cp);
}

/* Seconds as a fixed-point decimal, written without printf's locale-dependent
 * "%f" so that the JSON and XML stay valid under any LC_NUMERIC. Durations that
 * are negative or not finite are written as 0. */
static void put_seconds(FILE *out, double seconds, int decimals)
{
    unsigned long long scale = decimals == 3 ? 1000ull : 1000000ull;
    if (!isfinite(seconds) || seconds < 0)
        seconds = 0;
    if (seconds > 1e9)
        seconds = 1e9;
    unsigned long long units = (unsigned long long)(seconds * (double)scale + 0.5);
    fprintf(out, "%llu.%0*llu", units / scale, decimals, units % scale);
}

/* ---------------------------------------------------------------------------
 * text
 * ------------------------------------------------------------------------- */

/* One line: every control character (newlines too) shown as \xNN. */
static void text_line(FILE *out, const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0, len; i < n && s[i] != '\0'; i += len) {
        len = next_cp(s, i, n, &cp);
        if (is_control(cp))
            fprintf(out, "\\x%02X", (unsigned)cp);
        else
            put_utf8(out, cp);
    }
}

/* A block: every line of s starts with `indent`; tabs kept, a CR before LF
 * dropped, other controls shown as \xNN. Ends with a newline. */
static void text_block(FILE *out, const char *s, size_t n, const char *indent)
{
    uint32_t cp;
    fputs(indent, out);
    for (size_t i = 0, len; i < n && s[i] != '\0'; i += len) {
        len = next_cp(s, i, n, &cp);
        if (cp == '\n')
            fprintf(out, "\n%s", indent);
        else if (cp == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        else if (cp == '\t')
            putc('\t', out);
        else if (is_control(cp))
            fprintf(out, "\\x%02X", (unsigned)cp);
        else
            put_utf8(out, cp);
    }
    putc('\n', out);
}

static int write_text(FILE *out, const struct report_run *run)
{
    struct report_totals t;
    report_count(run, &t);

    /* No header: the CLI prints target, profile and seed before the run starts
     * (style rule 5), and this report follows it on the same stream. */
    for (size_t k = 0; k < run->n_cases; k++) {
        const struct report_case *c = &run->cases[k];
        if (c->status == REPORT_PASS)
            continue;
        fputs(report_status_name(c->status), out);
        putc(' ', out);
        text_line(out, or_empty(c->name), ALL);
        if (c->file != NULL) {
            fputs(" (", out);
            text_line(out, c->file, ALL);
            fprintf(out, ":%d)", c->line);
        }
        if (c->rules != NULL && c->rules[0] != '\0') {
            fputs(" [", out);
            text_line(out, c->rules, ALL);
            putc(']', out);
        }
        putc('\n', out);
        if (c->message != NULL && trimmed_len(c->message) > 0)
            text_block(out, c->message, trimmed_len(c->message), "    ");
    }
    report_print_totals(out, &t);
    return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------------------
 * tap: TAP version 14. A test point's description and its directive reason
 * are one line, so there newlines and controls become spaces and '#' and '\'
 * are escaped (TAP 14 "Escaping"). The YAML diagnostic block carries the exact
 * text in double-quoted scalars, where YAML escapes every non-printable
 * character.
 *
 * PASS = "ok"; SKIP = "ok ... # SKIP reason"; XFAIL = "not ok ... # TODO
 * reason" (a TODO failure does not fail the run, as XFAIL does not). XPASS is a
 * plain "not ok": TAP would count "ok ... # TODO" as a pass, but backstop's
 * exit status counts an unexpected pass as a failure, and the two must agree.
 * ------------------------------------------------------------------------- */

static void tap_desc(FILE *out, const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0, len; i < n && s[i] != '\0'; i += len) {
        len = next_cp(s, i, n, &cp);
        if (cp == '#' || cp == '\\') {
            putc('\\', out);
            putc((int)cp, out);
        } else if (is_control(cp) || (cp >= 0x80 && cp <= 0x9F)) {
            putc(' ', out);
        } else {
            put_utf8(out, cp);
        }
    }
}

/* Printable in YAML 1.2 (§5.1), so allowed raw inside a double-quoted scalar. */
static bool yaml_printable(uint32_t cp)
{
    return (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* The inside of a YAML double-quoted scalar (the caller writes the quotes). */
static void yaml_body(FILE *out, const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0, len; i < n && s[i] != '\0'; i += len) {
        len = next_cp(s, i, n, &cp);
        if (cp == '"')
            fputs("\\\"", out);
        else if (cp == '\\')
            fputs("\\\\", out);
        else if (cp == '\n')
            fputs("\\n", out);
        else if (cp == '\r')
            fputs("\\r", out);
        else if (cp == '\t')
            fputs("\\t", out);
        else if (cp == BAD_BYTE)
            fputs("\\uFFFD", out);
        else if (yaml_printable(cp))
            put_utf8(out, cp);
        else if (cp < 0x100)
            fprintf(out, "\\x%02X", (unsigned)cp);
        else
            fprintf(out, "\\u%04X", (unsigned)cp);
    }
}

static void tap_yaml(FILE *out, const struct report_case *c)
{
    fprintf(out, "  ---\n  status: %s\n  name: \"", report_status_name(c->status));
    yaml_body(out, or_empty(c->name), ALL);
    fputs("\"\n  rules: \"", out);
    yaml_body(out, or_empty(c->rules), ALL);
    fputs("\"\n", out);
    if (c->file != NULL) {
        fputs("  at: \"", out);
        yaml_body(out, c->file, ALL);
        fprintf(out, ":%d\"\n", c->line);
    }
    fputs("  seconds: ", out);
    put_seconds(out, c->seconds, 6);
    fputs("\n  message: \"", out);
    if (c->message != NULL)
        yaml_body(out, c->message, trimmed_len(c->message));
    fputs("\"\n  ...\n", out);
}

static int write_tap(FILE *out, const struct report_run *run)
{
    struct report_totals t;
    report_count(run, &t);

    fprintf(out, "TAP version 14\n1..%zu\n", run->n_cases);
    fputs("# backstop: target ", out);
    text_line(out, or_empty(run->target), ALL);
    fputs(", profile ", out);
    text_line(out, or_empty(run->profile), ALL);
    fprintf(out, ", seed %llu\n", (unsigned long long)run->seed);

    for (size_t k = 0; k < run->n_cases; k++) {
        const struct report_case *c = &run->cases[k];
        const char *directive = NULL;
        bool ok = false;

        switch (c->status) {
        case REPORT_PASS: ok = true; break;
        case REPORT_SKIP: ok = true, directive = "SKIP"; break;
        case REPORT_XFAIL: directive = "TODO"; break;
        default: break;
        }
        fprintf(out, "%s %zu", ok ? "ok" : "not ok", k + 1);
        if (c->name != NULL && c->name[0] != '\0') {
            fputs(" - ", out);
            tap_desc(out, c->name, ALL);
        }
        if (directive != NULL) {
            fprintf(out, " # %s", directive);
            const char *why = or_empty(c->message);
            size_t n = first_line_len(why);
            if (n > 0) {
                putc(' ', out);
                tap_desc(out, why, n);
            }
        }
        putc('\n', out);
        if (c->status != REPORT_PASS)
            tap_yaml(out, c);
    }
    fprintf(out, "# %zu passed, %zu failed, %zu skipped\n", t.passed, t.failed, t.skipped);
    return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------------------
 * junit. Characters XML 1.0 forbids (C0 controls other than tab, LF and CR;
 * U+FFFE and U+FFFF), and DEL, are written as the visible text \xNN or
 * \uNNNN; bad bytes as U+FFFD. '>' is always escaped, so "]]>" never appears in text. In
 * attributes, quotes and white space are escaped as well, so attribute-value
 * normalisation keeps newlines and tabs.
 *
 * Counts: failures = FAIL + XPASS, errors = CRASH + TIMEOUT + LOAD_ERROR,
 * skipped = SKIP + XFAIL (an expected failure passes the run, and a JUnit
 * consumer must not show it red).
 * ------------------------------------------------------------------------- */

static void xml_esc(FILE *out, const char *s, size_t n, bool attr)
{
    uint32_t cp;
    for (size_t i = 0, len; i < n && s[i] != '\0'; i += len) {
        len = next_cp(s, i, n, &cp);
        switch (cp) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '\r': fputs("&#13;", out); break;
        case '"': fputs(attr ? "&quot;" : "\"", out); break;
        case '\'': fputs(attr ? "&apos;" : "'", out); break;
        case '\n': fputs(attr ? "&#10;" : "\n", out); break;
        case '\t': fputs(attr ? "&#9;" : "\t", out); break;
        case BAD_BYTE: put_utf8(out, REPLACEMENT); break;
        default:
            if (is_control(cp)) /* DEL is legal XML, but as invisible as the rest */
                fprintf(out, "\\x%02X", (unsigned)cp);
            else if (cp == 0xFFFE || cp == 0xFFFF)
                fprintf(out, "\\u%04X", (unsigned)cp);
            else
                put_utf8(out, cp);
        }
    }
}

static void xml_attr(FILE *out, const char *key, const char *value)
{
    fprintf(out, " %s=\"", key);
    xml_esc(out, or_empty(value), ALL, true);
    putc('"', out);
}

/* classname: the scenario path without "./" prefixes, leading slashes and the
 * ".scn" suffix, with each '/' or '\' turned into '.'. */
static void xml_classname(FILE *out, const char *file)
{
    const char *p = file != NULL ? file : "unknown";
    for (;;) {
        if (p[0] == '.' && (p[1] == '/' || p[1] == '\\'))
            p += 2;
        else if (p[0] == '/' || p[0] == '\\')
            p++;
        else
            break;
    }
    size_t n = strlen(p);
    if (n > 4 && strcmp(p + n - 4, ".scn") == 0)
        n -= 4;
    fputs(" classname=\"", out);
    while (n > 0) {
        size_t seg = strcspn(p, "/\\");
        if (seg > n)
            seg = n;
        xml_esc(out, p, seg, true);
        if (seg < n) {
            putc('.', out);
            seg++;
        }
        p += seg;
        n -= seg;
    }
    putc('"', out);
}

static bool is_junit_failure(enum report_status s)
{
    return s == REPORT_FAIL || s == REPORT_XPASS;
}

static bool is_junit_error(enum report_status s)
{
    return s == REPORT_CRASH || s == REPORT_TIMEOUT || s == REPORT_LOAD_ERROR ||
           (unsigned)s >= REPORT__COUNT;
}

static void junit_case(FILE *out, const struct report_case *c)
{
    const char *msg = or_empty(c->message);

    fputs("    <testcase", out);
    xml_classname(out, c->file);
    xml_attr(out, "name", c->name);
    fputs(" time=\"", out);
    put_seconds(out, c->seconds, 3);
    putc('"', out);
    if (c->file != NULL) {
        xml_attr(out, "file", c->file);
        fprintf(out, " line=\"%d\"", c->line);
    }

    if (c->status == REPORT_PASS) {
        fputs("/>\n", out);
        return;
    }
    fputs(">\n", out);
    if (c->status == REPORT_SKIP || c->status == REPORT_XFAIL) {
        fputs("      <skipped message=\"", out);
        if (c->status == REPORT_XFAIL)
            fputs("XFAIL: ", out);
        xml_esc(out, msg, trimmed_len(msg), true);
        fputs("\"/>\n", out);
    } else {
        const char *elem = is_junit_failure(c->status) ? "failure" : "error";
        fprintf(out, "      <%s message=\"", elem);
        xml_esc(out, msg, first_line_len(msg), true);
        fprintf(out, "\" type=\"%s\">", report_status_name(c->status));
        fprintf(out, "%s", report_status_name(c->status));
        if (c->rules != NULL && c->rules[0] != '\0') {
            fputs(" [", out);
            xml_esc(out, c->rules, ALL, false);
            putc(']', out);
        }
        if (c->file != NULL) {
            fputs(" at ", out);
            xml_esc(out, c->file, ALL, false);
            fprintf(out, ":%d", c->line);
        }
        putc('\n', out);
        xml_esc(out, msg, trimmed_len(msg), false);
        fprintf(out, "</%s>\n", elem);
    }
    fputs("    </testcase>\n", out);
}

static int write_junit(FILE *out, const struct report_run *run)
{
    struct report_totals t;
    size_t failures = 0, errors = 0, skipped = 0;
    double total = 0;

    report_count(run, &t);
    for (size_t k = 0; k < run->n_cases; k++) {
        const struct report_case *c = &run->cases[k];
        failures += is_junit_failure(c->status);
        errors += is_junit_error(c->status);
        skipped += c->status == REPORT_SKIP || c->status == REPORT_XFAIL;
        if (isfinite(c->seconds) && c->seconds > 0)
            total += c->seconds;
    }

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"backstop\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\""
                 " skipped=\"%zu\" time=\"", run->n_cases, failures, errors, skipped);
    put_seconds(out, total, 3);
    fputs("\">\n  <testsuite name=\"", out);
    xml_esc(out, or_empty(run->target), ALL, true);
    putc('/', out);
    xml_esc(out, or_empty(run->profile), ALL, true);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"",
            run->n_cases, failures, errors, skipped);
    put_seconds(out, total, 3);
    putc('"', out);
    if (run->timestamp != NULL)
        xml_attr(out, "timestamp", run->timestamp);
    fputs(">\n    <properties>\n", out);
    fputs("      <property name=\"target\"", out);
    xml_attr(out, "value", run->target);
    fputs("/>\n      <property name=\"profile\"", out);
    xml_attr(out, "value", run->profile);
    fprintf(out, "/>\n      <property name=\"seed\" value=\"%llu\"/>\n    </properties>\n",
            (unsigned long long)run->seed);
    for (size_t k = 0; k < run->n_cases; k++)
        junit_case(out, &run->cases[k]);
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------------------
 * json: one object, one case per line. Strings keep every valid character
 * (non-ASCII as raw UTF-8); controls are \uXXXX escapes; bad bytes \ufffd.
 * A NULL string is null. The seed is an exact integer, which a consumer that
 * reads numbers as doubles may round above 2^53.
 * ------------------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    uint32_t cp;
    putc('"', out);
    for (size_t i = 0, len; s[i] != '\0'; i += len) {
        len = next_cp(s, i, ALL, &cp);
        switch (cp) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case BAD_BYTE: fputs("\\ufffd", out); break;
        default:
            if (is_control(cp))
                fprintf(out, "\\u%04x", (unsigned)cp);
            else
                put_utf8(out, cp);
        }
    }
    putc('"', out);
}

/* The rule ids as an array of strings (the field is space-separated). */
static void json_rules(FILE *out, const char *rules)
{
    const char *p = or_empty(rules);
    bool first = true;
    putc('[', out);
    for (;;) {
        p += strspn(p, " \t");
        size_t n = strcspn(p, " \t");
        if (n == 0)
            break;
        char id[64];
        if (n >= sizeof id)
            n = sizeof id - 1; /* rule ids are a few characters; never overrun */
        memcpy(id, p, n);
        id[n] = '\0';
        if (!first)
            putc(',', out);
        json_str(out, id);
        first = false;
        p += strcspn(p, " \t");
    }
    putc(']', out);
}

static int write_json(FILE *out, const struct report_run *run)
{
    struct report_totals t;
    report_count(run, &t);

    fputs("{\"target\":", out);
    json_str(out, run->target);
    fputs(",\"profile\":", out);
    json_str(out, run->profile);
    fprintf(out, ",\"seed\":%llu,\"timestamp\":", (unsigned long long)run->seed);
    json_str(out, run->timestamp);
    fputs(",\"cases\":[", out);
    for (size_t k = 0; k < run->n_cases; k++) {
        const struct report_case *c = &run->cases[k];
        fputs(k == 0 ? "\n" : ",\n", out);
        fputs("{\"name\":", out);
        json_str(out, c->name);
        fputs(",\"file\":", out);
        json_str(out, c->file);
        fprintf(out, ",\"line\":%d,\"rules\":", c->line);
        json_rules(out, c->rules);
        fputs(",\"status\":", out);
        json_str(out, report_status_name(c->status));
        fputs(",\"message\":", out);
        json_str(out, c->message);
        fputs(",\"seconds\":", out);
        put_seconds(out, c->seconds, 6);
        putc('}', out);
    }
    fprintf(out, "\n],\"totals\":{\"passed\":%zu,\"failed\":%zu,\"skipped\":%zu,\"by_status\":{",
            t.passed, t.failed, t.skipped);
    for (int s = 0; s < REPORT__COUNT; s++)
        fprintf(out, "%s\"%s\":%zu", s == 0 ? "" : ",", status_names[s], t.by_status[s]);
    fputs("}}}\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------------------
 * The format tables and the wrapper.
 * ------------------------------------------------------------------------- */

static const struct report_format format_text = {.name = "text", .write = write_text};
static const struct report_format format_tap = {.name = "tap", .write = write_tap};
static const struct report_format format_junit = {.name = "junit", .write = write_junit};
static const struct report_format format_json = {.name = "json", .write = write_json};

static const struct report_format *const formats[] = {
    &format_text,
    &format_tap,
    &format_junit,
    &format_json,
};

const struct report_format *report_format_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

int report_write(const struct report_format *fmt, FILE *out, const struct report_run *run)
{
    if (fmt == NULL || fmt->write == NULL || out == NULL || run == NULL ||
        (run->n_cases > 0 && run->cases == NULL))
        return -1;
    if (fmt->write(out, run) != 0)
        return -1;
    if (fflush(out) != 0 || ferror(out))
        return -1;
    return 0;
}
