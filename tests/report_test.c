/*
 * report_test.c: the report formats (harness/report.c) on a run that holds
 * every status and hostile text: quotes, '<', '&', "]]>", '#', backslashes,
 * newlines, control characters, non-ASCII and bytes that are not UTF-8.
 *
 * The checks need no external tool: this file carries a strict recursive-descent
 * JSON parser, an XML 1.0 well-formedness checker for the subset of XML a report
 * may contain (prolog, elements, attributes, character and entity references,
 * comments, CDATA, processing instructions), and a TAP 14 line checker whose
 * YAML blocks are decoded back to the original strings.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* ---------------------------------------------------------------------------
 * The run under test.
 * ------------------------------------------------------------------------- */

/* A name with every character class a format must escape. */
#define NASTY_NAME "q\"uote' <lt> &amp; ]]> #hash \\back"
#define NASTY_MESSAGE                                                             \
    "expected JET_errBackupAbortByServer (-801)\n"                               \
    "actual JET_errSuccess (0)\r\n"                                              \
    "controls: \x01\x02\x1b[31m\x7f end\n"                                       \
    "cdata: <![CDATA[ x ]]> &#0; &bogus;\n"
#define UTF8_NAME "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8"
#define BAD_UTF8 "bad \xff\xfe \xc0\xaf \xed\xa0\x80 \xf5\x80\x80\x80 \xe2\x82"

static const struct report_case every_status[] = {
    {"plain pass", "scenarios/backup/basic.scn", 3, "R1 S1", REPORT_PASS, NULL, 0.0012},
    {NASTY_NAME, "./scenarios/stop/abort.scn", 10, "R21 S7 D1", REPORT_FAIL, NASTY_MESSAGE, 0.5},
    {"skip me", "scenarios/legacy.scn", 1, "", REPORT_SKIP, "target lacks JetStopService\nmore", 0},
    {UTF8_NAME, "scenarios/a/b.scn", 2, "R2", REPORT_XFAIL, "known bug #12 \\ see notes", 0},
    {BAD_UTF8, "scenarios/a/b.scn", 5, "R3", REPORT_XPASS, "expected XFAIL " BAD_UTF8, 0},
    {"crash\nnewline\ttab", "/abs/dir/c.scn", 7, "R4", REPORT_CRASH, "signal 11 (SIGSEGV)", -1},
    {"timeout", NULL, 0, NULL, REPORT_TIMEOUT, NULL, 1e300},
    {"load", "scenarios\\win\\l.scn", 0, "R5", REPORT_LOAD_ERROR,
     "missing required symbol(s): JetStopBackupInstance, JetTruncateLogInstance", 0},
};
#define N_EVERY (sizeof every_status / sizeof every_status[0])

static const struct report_run every_run = {
    .target = "lib<&>\"'.so",
    .profile = "ese",
    .seed = 18446744073709551615ull,
    .timestamp = "2024-01-01T00:00:00Z",
    .n_cases = N_EVERY,
    .cases = every_status,
};

/* Render `run` in format `name` into a NUL-terminated heap string. */
static char *render(const char *name, const struct report_run *run)
{
    const struct report_format *fmt = report_format_find(name);
    cr_assert_not_null(fmt, "format %s", name);
    char *buf = NULL;
    size_t cb = 0;
    FILE *out = open_memstream(&buf, &cb);
    cr_assert_not_null(out);
    cr_assert_eq(report_write(fmt, out, run), 0, "report_write(%s)", name);
    cr_assert_eq(fclose(out), 0);
    cr_assert_eq(strlen(buf), cb, "%s output holds a NUL byte", name);
    return buf;
}

/* ---------------------------------------------------------------------------
 * UTF-8 helpers shared by the checkers.
 * ------------------------------------------------------------------------- */

/* Decode one strictly valid UTF-8 sequence; returns its length, 0 if invalid. */
static size_t u8_decode(const unsigned char *s, const unsigned char *end, uint32_t *cp)
{
    if (s >= end)
        return 0;
    uint32_t c = s[0], v, min;
    size_t n;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if ((size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static bool u8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    uint32_t cp;
    for (size_t n; p < end; p += n)
        if ((n = u8_decode(p, end, &cp)) == 0)
            return false;
    return true;
}

static size_t u8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* ---------------------------------------------------------------------------
 * A strict JSON parser (RFC 8259). It accepts exactly one value surrounded by
 * optional white space, rejects raw control characters and invalid UTF-8 in
 * strings, lone surrogate escapes, leading zeros, and anything after the value.
 * Every string it decodes (keys and values) is appended to `strings`.
 * ------------------------------------------------------------------------- */

#define JSON_MAX_STRINGS 512
#define JSON_MAX_DEPTH 64

struct json {
    const char *p, *end;
    int depth;
    size_t n_strings;
    char *strings[JSON_MAX_STRINGS];
    const char *error;
};

static bool json_value(struct json *j);

static void json_ws(struct json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static bool json_fail(struct json *j, const char *why)
{
    if (j->error == NULL)
        j->error = why;
    return false;
}

static bool json_hex4(struct json *j, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        if (j->p >= j->end || hexval((unsigned char)*j->p) < 0)
            return json_fail(j, "bad \\u escape");
        *v = *v * 16 + (uint32_t)hexval((unsigned char)*j->p++);
    }
    return true;
}

static bool json_string(struct json *j)
{
    if (j->p >= j->end || *j->p != '"')
        return json_fail(j, "expected string");
    j->p++;
    size_t cap = (size_t)(j->end - j->p) + 1, n = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    for (;;) {
        if (j->p >= j->end) {
            free(out);
            return json_fail(j, "unterminated string");
        }
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') {
            j->p++;
            break;
        }
        if (c < 0x20) {
            free(out);
            return json_fail(j, "raw control character in string");
        }
        if (c == '\\') {
            j->p++;
            if (j->p >= j->end) {
                free(out);
                return json_fail(j, "truncated escape");
            }
            char e = *j->p++;
            uint32_t cp;
            switch (e) {
            case '"': out[n++] = '"'; continue;
            case '\\': out[n++] = '\\'; continue;
            case '/': out[n++] = '/'; continue;
            case 'b': out[n++] = '\b'; continue;
            case 'f': out[n++] = '\f'; continue;
            case 'n': out[n++] = '\n'; continue;
            case 'r': out[n++] = '\r'; continue;
            case 't': out[n++] = '\t'; continue;
            case 'u':
                if (!json_hex4(j, &cp)) {
                    free(out);
                    return false;
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    free(out);
                    return json_fail(j, "lone low surrogate");
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u') {
                        free(out);
                        return json_fail(j, "lone high surrogate");
                    }
                    j->p += 2;
                    if (!json_hex4(j, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                        free(out);
                        return json_fail(j, "bad surrogate pair");
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp == 0) {
                    free(out);
                    return json_fail(j, "\\u0000 cannot be checked as a C string");
                }
                n += u8_encode(cp, out + n);
                continue;
            default:
                free(out);
                return json_fail(j, "unknown escape");
            }
        }
        uint32_t cp;
        size_t len = u8_decode((const unsigned char *)j->p, (const unsigned char *)j->end, &cp);
        if (len == 0) {
            free(out);
            return json_fail(j, "invalid UTF-8 in string");
        }
        memcpy(out + n, j->p, len);
        n += len;
        j->p += len;
    }
    out[n] = '\0';
    if (j->n_strings < JSON_MAX_STRINGS)
        j->strings[j->n_strings++] = out;
    else
        free(out);
    return true;
}

static bool json_digits(struct json *j)
{
    const char *start = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
        j->p++;
    return j->p > start;
}

static bool json_number(struct json *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p < j->end && *j->p == '0') {
        j->p++;
    } else if (!json_digits(j)) {
        return json_fail(j, "bad number");
    }
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!json_digits(j))
            return json_fail(j, "bad fraction");
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!json_digits(j))
            return json_fail(j, "bad exponent");
    }
    return true;
}

static bool json_literal(struct json *j, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return json_fail(j, "bad literal");
    j->p += n;
    return true;
}

/* object or array: `open` items separated by ',' then `close`. */
static bool json_container(struct json *j, char close, bool object)
{
    if (++j->depth > JSON_MAX_DEPTH)
        return json_fail(j, "too deep");
    j->p++;
    json_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        json_ws(j);
        if (object) {
            if (!json_string(j))
                return false;
            json_ws(j);
            if (j->p >= j->end || *j->p != ':')
                return json_fail(j, "expected ':'");
            j->p++;
            json_ws(j);
        }
        if (!json_value(j))
            return false;
        json_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            j->depth--;
            return true;
        }
        return json_fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool json_value(struct json *j)
{
    json_ws(j);
    if (j->p >= j->end)
        return json_fail(j, "expected a value");
    switch (*j->p) {
    case '{': return json_container(j, '}', true);
    case '[': return json_container(j, ']', false);
    case '"': return json_string(j);
    case 't': return json_literal(j, "true");
    case 'f': return json_literal(j, "false");
    case 'n': return json_literal(j, "null");
    default:
        if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
            return json_number(j);
        return json_fail(j, "unexpected character");
    }
}

/* Parse `text` as one JSON document into *j (strings kept); true if valid. */
static bool json_parse(const char *text, struct json *j)
{
    memset(j, 0, sizeof *j);
    j->p = text;
    j->end = text + strlen(text);
    if (!json_value(j))
        return false;
    json_ws(j);
    if (j->p != j->end)
        return json_fail(j, "trailing data");
    return true;
}

static void json_free(struct json *j)
{
    for (size_t i = 0; i < j->n_strings; i++)
        free(j->strings[i]);
    j->n_strings = 0;
}

static bool json_has_string(const struct json *j, const char *s)
{
    for (size_t i = 0; i < j->n_strings; i++)
        if (strcmp(j->strings[i], s) == 0)
            return true;
    return false;
}

static bool json_ok(const char *text)
{
    struct json j;
    bool ok = json_parse(text, &j);
    json_free(&j);
    return ok;
}

/* ---------------------------------------------------------------------------
 * An XML 1.0 well-formedness checker. It records each element's name and its
 * decoded attributes so the tests can look at the structure.
 * ------------------------------------------------------------------------- */

#define XML_MAX_ELEMS 256
#define XML_MAX_ATTRS 12
#define XML_MAX_DEPTH 32

struct xml_attr {
    char name[32];
    char *value;
};

struct xml_elem {
    char name[32];
    size_t n_attrs;
    struct xml_attr attrs[XML_MAX_ATTRS];
    char *text; /* decoded character data directly inside (concatenated) */
};

struct xml {
    const char *p, *end;
    size_t n_elems;
    struct xml_elem elems[XML_MAX_ELEMS];
    const char *error;
};

static bool xml_fail(struct xml *x, const char *why)
{
    if (x->error == NULL)
        x->error = why;
    return false;
}

/* XML 1.0 Char (§2.2). */
static bool xml_char(uint32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* NameStartChar / NameChar, restricted to what a report needs plus non-ASCII. */
static bool xml_name_start(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0xC0;
}

static bool xml_name_char(uint32_t c)
{
    return xml_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == 0xB7;
}

/* The next character, checked to be valid UTF-8 and an XML Char. */
static bool xml_next(struct xml *x, uint32_t *c, size_t *len)
{
    *len = u8_decode((const unsigned char *)x->p, (const unsigned char *)x->end, c);
    if (*len == 0)
        return xml_fail(x, "invalid UTF-8");
    if (!xml_char(*c))
        return xml_fail(x, "character not allowed in XML 1.0");
    return true;
}

static bool xml_starts(const struct xml *x, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

static void xml_ws(struct xml *x)
{
    while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
        x->p++;
}

static bool xml_name(struct xml *x, char *out, size_t cb)
{
    uint32_t c;
    size_t len, n = 0;
    if (!xml_next(x, &c, &len) || !xml_name_start(c))
        return xml_fail(x, "expected a name");
    while (x->p < x->end) {
        if (!xml_next(x, &c, &len))
            return false;
        if (!xml_name_char(c))
            break;
        if (n + len < cb) {
            memcpy(out + n, x->p, len);
            n += len;
        }
        x->p += len;
    }
    out[n] = '\0';
    return true;
}

/* A reference after '&': appends its UTF-8 to out (cap checked by caller). */
static bool xml_reference(struct xml *x, char *out, size_t *n)
{
    static const struct {
        const char *name, *value;
    } entities[] = {{"amp;", "&"}, {"lt;", "<"}, {"gt;", ">"}, {"quot;", "\""}, {"apos;", "'"}};
    x->p++; /* '&' */
    if (x->p < x->end && *x->p == '#') {
        uint32_t v = 0;
        int base = 10, digits = 0;
        x->p++;
        if (x->p < x->end && *x->p == 'x') {
            base = 16;
            x->p++;
        }
        while (x->p < x->end && *x->p != ';') {
            int d = hexval((unsigned char)*x->p);
            if (d < 0 || d >= base || v > 0x10FFFF)
                return xml_fail(x, "bad character reference");
            v = v * (uint32_t)base + (uint32_t)d;
            x->p++, digits++;
        }
        if (x->p >= x->end || digits == 0 || !xml_char(v))
            return xml_fail(x, "character reference to a non-Char");
        x->p++;
        *n += u8_encode(v, out + *n);
        return true;
    }
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        if (xml_starts(x, entities[i].name)) {
            x->p += strlen(entities[i].name);
            out[(*n)++] = entities[i].value[0];
            return true;
        }
    }
    return xml_fail(x, "undeclared entity");
}

static bool xml_attribute_value(struct xml *x, char **value)
{
    if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
        return xml_fail(x, "expected a quoted attribute value");
    char quote = *x->p++;
    size_t cap = (size_t)(x->end - x->p) + 1, n = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    for (;;) {
        uint32_t c;
        size_t len;
        if (x->p >= x->end) {
            free(out);
            return xml_fail(x, "unterminated attribute value");
        }
        if (*x->p == quote) {
            x->p++;
            break;
        }
        if (*x->p == '<') {
            free(out);
            return xml_fail(x, "'<' in attribute value");
        }
        if (*x->p == '&') {
            if (!xml_reference(x, out, &n)) {
                free(out);
                return false;
            }
            continue;
        }
        if (!xml_next(x, &c, &len)) {
            free(out);
            return false;
        }
        /* Attribute-value normalisation: literal white space becomes a space. */
        if (c == '\n' || c == '\t' || c == '\r')
            out[n++] = ' ';
        else
            memcpy(out + n, x->p, len), n += len;
        x->p += len;
    }
    out[n] = '\0';
    *value = out;
    return true;
}

static bool xml_skip_until(struct xml *x, const char *terminator, const char *why)
{
    while (x->p < x->end && !xml_starts(x, terminator)) {
        uint32_t c;
        size_t len;
        if (!xml_next(x, &c, &len))
            return false;
        x->p += len;
    }
    if (x->p >= x->end)
        return xml_fail(x, why);
    x->p += strlen(terminator);
    return true;
}

/* Comments, PIs: allowed anywhere between elements. */
static bool xml_misc(struct xml *x, bool *any)
{
    *any = true;
    if (xml_starts(x, "<!--")) {
        x->p += 4;
        const char *start = x->p;
        if (!xml_skip_until(x, "-->", "unterminated comment"))
            return false;
        for (const char *q = start; q + 1 < x->p - 3; q++)
            if (q[0] == '-' && q[1] == '-')
                return xml_fail(x, "'--' inside a comment");
        return true;
    }
    if (xml_starts(x, "<?")) {
        x->p += 2;
        return xml_skip_until(x, "?>", "unterminated processing instruction");
    }
    *any = false;
    return true;
}

static void xml_text_append(struct xml_elem *e, const char *s, size_t n)
{
    size_t old = e->text != NULL ? strlen(e->text) : 0;
    e->text = realloc(e->text, old + n + 1);
    cr_assert_not_null(e->text);
    memcpy(e->text + old, s, n);
    e->text[old + n] = '\0';
}

static bool xml_element(struct xml *x, int depth);

/* Content of an element up to and including its end tag. */
static bool xml_content(struct xml *x, struct xml_elem *e, int depth)
{
    for (;;) {
        if (x->p >= x->end)
            return xml_fail(x, "unclosed element");
        if (xml_starts(x, "</")) {
            char name[32];
            x->p += 2;
            if (!xml_name(x, name, sizeof name))
                return false;
            if (strcmp(name, e->name) != 0)
                return xml_fail(x, "mismatched end tag");
            xml_ws(x);
            if (x->p >= x->end || *x->p != '>')
                return xml_fail(x, "expected '>' after end tag");
            x->p++;
            return true;
        }
        if (xml_starts(x, "<![CDATA[")) {
            x->p += 9;
            const char *start = x->p;
            if (!xml_skip_until(x, "]]>", "unterminated CDATA"))
                return false;
            xml_text_append(e, start, (size_t)(x->p - 3 - start));
            continue;
        }
        bool any;
        if (!xml_misc(x, &any))
            return false;
        if (any)
            continue;
        if (*x->p == '<') {
            if (!xml_element(x, depth + 1))
                return false;
            continue;
        }
        if (*x->p == '&') {
            char buf[8];
            size_t n = 0;
            if (!xml_reference(x, buf, &n))
                return false;
            xml_text_append(e, buf, n);
            continue;
        }
        if (xml_starts(x, "]]>"))
            return xml_fail(x, "']]>' in character data");
        uint32_t c;
        size_t len;
        if (!xml_next(x, &c, &len))
            return false;
        xml_text_append(e, x->p, len);
        x->p += len;
    }
}

static bool xml_element(struct xml *x, int depth)
{
    if (depth > XML_MAX_DEPTH)
        return xml_fail(x, "too deep");
    if (x->n_elems >= XML_MAX_ELEMS)
        return xml_fail(x, "too many elements for the checker");
    struct xml_elem *e = &x->elems[x->n_elems++];
    x->p++; /* '<' */
    if (!xml_name(x, e->name, sizeof e->name))
        return false;
    for (;;) {
        const char *before = x->p;
        xml_ws(x);
        if (x->p >= x->end)
            return xml_fail(x, "unterminated start tag");
        if (xml_starts(x, "/>")) {
            x->p += 2;
            return true;
        }
        if (*x->p == '>') {
            x->p++;
            return xml_content(x, e, depth);
        }
        if (x->p == before)
            return xml_fail(x, "attributes must be separated by white space");
        if (e->n_attrs >= XML_MAX_ATTRS)
            return xml_fail(x, "too many attributes for the checker");
        struct xml_attr *a = &e->attrs[e->n_attrs];
        if (!xml_name(x, a->name, sizeof a->name))
            return false;
        for (size_t i = 0; i < e->n_attrs; i++)
            if (strcmp(e->attrs[i].name, a->name) == 0)
                return xml_fail(x, "duplicate attribute");
        xml_ws(x);
        if (x->p >= x->end || *x->p != '=')
            return xml_fail(x, "expected '='");
        x->p++;
        xml_ws(x);
        if (!xml_attribute_value(x, &a->value))
            return false;
        e->n_attrs++;
    }
}

static bool xml_parse(const char *text, struct xml *x)
{
    memset(x, 0, sizeof *x);
    x->p = text;
    x->end = text + strlen(text);
    if (xml_starts(x, "<?xml")) {
        if (!xml_skip_until(x, "?>", "unterminated XML declaration"))
            return false;
    }
    bool root = false, any;
    for (;;) {
        xml_ws(x);
        if (x->p >= x->end)
            break;
        if (!xml_misc(x, &any))
            return false;
        if (any)
            continue;
        if (*x->p != '<' || root)
            return xml_fail(x, root ? "content after the root element" : "text before the root");
        if (!xml_element(x, 0))
            return false;
        root = true;
    }
    if (!root)
        return xml_fail(x, "no root element");
    return true;
}

static void xml_free(struct xml *x)
{
    for (size_t i = 0; i < x->n_elems; i++) {
        for (size_t k = 0; k < x->elems[i].n_attrs; k++)
            free(x->elems[i].attrs[k].value);
        free(x->elems[i].text);
    }
}

static const char *xml_get(const struct xml_elem *e, const char *name)
{
    for (size_t i = 0; i < e->n_attrs; i++)
        if (strcmp(e->attrs[i].name, name) == 0)
            return e->attrs[i].value;
    return NULL;
}

static size_t xml_count(const struct xml *x, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < x->n_elems; i++)
        n += strcmp(x->elems[i].name, name) == 0;
    return n;
}

/* The k-th element named `name`, or NULL. */
static const struct xml_elem *xml_nth(const struct xml *x, const char *name, size_t k)
{
    for (size_t i = 0; i < x->n_elems; i++)
        if (strcmp(x->elems[i].name, name) == 0 && k-- == 0)
            return &x->elems[i];
    return NULL;
}

/* ---------------------------------------------------------------------------
 * TAP 14. check_tap() walks the lines: version, plan, then test points, each
 * optionally followed by a YAML block, and comments. It returns the test
 * points it saw so the caller can compare them with the run.
 * ------------------------------------------------------------------------- */

struct tap_point {
    bool ok;
    unsigned number;
    char directive[8]; /* "", "SKIP" or "TODO" */
    bool has_yaml;
    char *yaml_name;   /* decoded `name:` scalar of the YAML block */
    char *yaml_status;
};

/* Decode a YAML double-quoted scalar that fills the rest of the line. */
static char *yaml_dq_decode(const char *s)
{
    size_t len = strlen(s);
    cr_assert(len >= 2 && s[0] == '"' && s[len - 1] == '"', "not a quoted scalar: %s", s);
    char *out = malloc(len * 2 + 1);
    cr_assert_not_null(out);
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s + 1, *end = (const unsigned char *)s + len - 1;
    while (p < end) {
        uint32_t cp;
        if (*p == '"')
            cr_assert_fail("unescaped quote inside a YAML scalar: %s", s);
        if (*p == '\\') {
            p++;
            cr_assert(p < end, "escape at the end: %s", s);
            int digits = 0;
            switch (*p++) {
            case '"': out[n++] = '"'; continue;
            case '\\': out[n++] = '\\'; continue;
            case 'n': out[n++] = '\n'; continue;
            case 'r': out[n++] = '\r'; continue;
            case 't': out[n++] = '\t'; continue;
            case 'x': digits = 2; break;
            case 'u': digits = 4; break;
            default: cr_assert_fail("unknown YAML escape in %s", s);
            }
            cp = 0;
            for (int i = 0; i < digits; i++, p++) {
                cr_assert(p < end && hexval(*p) >= 0, "bad hex escape in %s", s);
                cp = cp * 16 + (uint32_t)hexval(*p);
            }
            n += u8_encode(cp, out + n);
            continue;
        }
        size_t k = u8_decode(p, end, &cp);
        cr_assert(k > 0, "invalid UTF-8 inside a YAML scalar");
        /* YAML 1.2 printable set: nothing else may appear raw. */
        cr_assert((cp >= 0x20 && cp <= 0x7E) || cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF) ||
                      (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || cp >= 0x10000,
                  "non-printable U+%04X raw in YAML", (unsigned)cp);
        memcpy(out + n, p, k);
        n += k, p += k;
    }
    out[n] = '\0';
    return out;
}

/* Is the description / reason a valid one-line TAP text (no unescaped '#')? */
static bool tap_text_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return false;
        if (c == '\\') {
            if (i + 1 >= n)
                return false;
            i++;
            continue;
        }
        if (c == '#')
            return false;
    }
    return true;
}

static size_t check_tap(char *text, struct tap_point *points, size_t max_points,
                        unsigned *plan)
{
    size_t n_points = 0;
    int line_no = 0;
    bool in_yaml = false;
    struct tap_point *last = NULL;

    cr_assert(u8_valid(text), "TAP output is not UTF-8");
    *plan = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        line_no++;
        if (line_no == 1) {
            cr_assert_str_eq(line, "TAP version 14");
            continue;
        }
        if (line_no == 2) {
            cr_assert(sscanf(line, "1..%u", plan) == 1, "plan line: %s", line);
            char expect[32];
            snprintf(expect, sizeof expect, "1..%u", *plan);
            cr_assert_str_eq(line, expect);
            continue;
        }
        if (in_yaml) {
            if (strcmp(line, "  ...") == 0) {
                in_yaml = false;
                continue;
            }
            cr_assert(strncmp(line, "  ", 2) == 0 && line[2] != ' ', "YAML line: %s", line);
            char *colon = strstr(line, ": ");
            cr_assert_not_null(colon, "YAML line without key: %s", line);
            *colon = '\0';
            const char *key = line + 2, *value = colon + 2;
            for (const char *k = key; *k; k++)
                cr_assert((*k >= 'a' && *k <= 'z') || *k == '_', "YAML key: %s", key);
            if (value[0] == '"') {
                char *decoded = yaml_dq_decode(value);
                if (strcmp(key, "name") == 0 && last->yaml_name == NULL)
                    last->yaml_name = decoded;
                else
                    free(decoded);
            } else {
                for (const char *v = value; *v; v++)
                    cr_assert((*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
                                  *v == '_' || *v == '.',
                              "plain YAML scalar: %s", value);
                if (strcmp(key, "status") == 0)
                    last->yaml_status = strdup(value);
            }
            continue;
        }
        if (line[0] == '#')
            continue;
        if (strcmp(line, "  ---") == 0) {
            cr_assert_not_null(last, "YAML block before any test point");
            cr_assert(!last->has_yaml, "two YAML blocks for one test point");
            last->has_yaml = in_yaml = true;
            continue;
        }
        /* A test point: ("ok" | "not ok") SP number [" - " desc] [" # " directive]. */
        cr_assert(n_points < max_points, "more test points than expected");
        struct tap_point *t = &points[n_points++];
        memset(t, 0, sizeof *t);
        const char *p = line;
        if (strncmp(p, "ok ", 3) == 0) {
            t->ok = true, p += 3;
        } else {
            cr_assert(strncmp(p, "not ok ", 7) == 0, "not a TAP line: %s", line);
            p += 7;
        }
        char *num_end;
        unsigned long num = strtoul(p, &num_end, 10);
        cr_assert(num_end > p && (*num_end == '\0' || *num_end == ' '), "number: %s", line);
        t->number = (unsigned)num;
        p = num_end;
        const char *hash = NULL;
        for (const char *q = p; *q; q++) {
            if (*q == '\\' && q[1] != '\0') {
                q++;
                continue;
            }
            if (*q == '#') {
                hash = q;
                break;
            }
        }
        size_t desc_len = hash != NULL ? (size_t)(hash - p) : strlen(p);
        if (hash != NULL) {
            cr_assert(desc_len > 0 && p[desc_len - 1] == ' ', "space before '#': %s", line);
            desc_len--;
        }
        if (desc_len > 0) {
            cr_assert(desc_len > 3 && strncmp(p, " - ", 3) == 0, "description: %s", line);
            cr_assert(tap_text_ok(p + 3, desc_len - 3), "description: %s", line);
        }
        if (hash != NULL) {
            const char *d = hash + 1;
            cr_assert(*d == ' ', "directive: %s", line);
            d++;
            cr_assert(strncmp(d, "SKIP", 4) == 0 || strncmp(d, "TODO", 4) == 0,
                      "directive: %s", line);
            memcpy(t->directive, d, 4);
            d += 4;
            cr_assert(*d == '\0' || (*d == ' ' && tap_text_ok(d + 1, strlen(d + 1))),
                      "directive reason: %s", line);
        }
        last = t;
    }
    cr_assert(!in_yaml, "unterminated YAML block");
    return n_points;
}

static void tap_points_free(struct tap_point *points, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(points[i].yaml_name);
        free(points[i].yaml_status);
    }
}

/* ---------------------------------------------------------------------------
 * Statuses and totals.
 * ------------------------------------------------------------------------- */

Test(report, status_names_and_failed_statuses)
{
    static const struct {
        enum report_status s;
        const char *name;
        int failed;
    } rows[] = {
        {REPORT_PASS, "PASS", 0},        {REPORT_FAIL, "FAIL", 1},
        {REPORT_SKIP, "SKIP", 0},        {REPORT_XFAIL, "XFAIL", 0},
        {REPORT_XPASS, "XPASS", 1},      {REPORT_CRASH, "CRASH", 1},
        {REPORT_TIMEOUT, "TIMEOUT", 1},  {REPORT_LOAD_ERROR, "LOAD_ERROR", 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        cr_expect_str_eq(report_status_name(rows[i].s), rows[i].name);
        cr_expect_eq(report_status_failed(rows[i].s), rows[i].failed, "%s", rows[i].name);
    }
    cr_expect_eq(report_status_failed(REPORT__COUNT), 1);
}

Test(report, count_folds_statuses_into_three_totals)
{
    struct report_totals t;
    report_count(&every_run, &t);
    cr_expect_eq(t.passed, 2);  /* PASS + XFAIL */
    cr_expect_eq(t.failed, 5);  /* FAIL + XPASS + CRASH + TIMEOUT + LOAD_ERROR */
    cr_expect_eq(t.skipped, 1); /* SKIP */
    for (int s = 0; s < REPORT__COUNT; s++)
        cr_expect_eq(t.by_status[s], 1, "%s", report_status_name((enum report_status)s));
}

Test(report, print_totals_is_exact)
{
    struct report_totals t = {.passed = 12, .failed = 0, .skipped = 3};
    char *buf = NULL;
    size_t cb = 0;
    FILE *out = open_memstream(&buf, &cb);
    cr_assert_not_null(out);
    report_print_totals(out, &t);
    fclose(out);
    cr_expect_str_eq(buf, "12 passed, 0 failed, 3 skipped\n");
    free(buf);
}

Test(report, find_knows_the_four_formats_only)
{
    const char *names[] = {"text", "tap", "junit", "json"};
    for (size_t i = 0; i < 4; i++) {
        const struct report_format *f = report_format_find(names[i]);
        cr_assert_not_null(f, "%s", names[i]);
        cr_expect_str_eq(f->name, names[i]);
    }
    cr_expect_null(report_format_find("xml"));
    cr_expect_null(report_format_find("JSON"));
    cr_expect_null(report_format_find(""));
    cr_expect_null(report_format_find(NULL));
}

Test(report, write_rejects_bad_arguments_and_write_errors)
{
    const struct report_format *fmt = report_format_find("json");
    struct report_run broken = every_run;
    broken.cases = NULL;
    cr_expect_eq(report_write(NULL, stdout, &every_run), -1);
    cr_expect_eq(report_write(fmt, NULL, &every_run), -1);
    cr_expect_eq(report_write(fmt, stdout, NULL), -1);
    cr_expect_eq(report_write(fmt, stdout, &broken), -1);

    /* A stream opened for reading fails every write. */
    FILE *ro = fopen("/dev/null", "r");
    cr_assert_not_null(ro);
    for (size_t i = 0; i < 4; i++) {
        const char *names[] = {"text", "tap", "junit", "json"};
        clearerr(ro);
        cr_expect_eq(report_write(report_format_find(names[i]), ro, &every_run), -1, "%s",
                     names[i]);
    }
    fclose(ro);
}

/* ---------------------------------------------------------------------------
 * text
 * ------------------------------------------------------------------------- */

Test(report, text_lists_non_passes_then_ends_with_totals)
{
    static const struct report_case cases[] = {
        {"ok case", "s/a.scn", 1, "R1", REPORT_PASS, NULL, 0},
        {"stop aborts read", "s/stop.scn", 12, "R21 S7", REPORT_FAIL,
         "JetReadFileInstance returned 0\nexpected -801\n", 0},
        {"legacy", "s/legacy.scn", 3, "", REPORT_SKIP, "target lacks JetStopService", 0},
    };
    struct report_run run = {"model", "ese", 42, NULL, 3, cases};
    char *out = render("text", &run);
    cr_expect_str_eq(out, "FAIL stop aborts read (s/stop.scn:12) [R21 S7]\n"
                          "    JetReadFileInstance returned 0\n"
                          "    expected -801\n"
                          "SKIP legacy (s/legacy.scn:3)\n"
                          "    target lacks JetStopService\n"
                          "1 passed, 1 failed, 1 skipped\n");
    free(out);
}

Test(report, text_shows_controls_and_keeps_utf8_valid)
{
    char *out = render("text", &every_run);
    cr_expect(u8_valid(out), "text output is not UTF-8");
    for (const char *p = out; *p; p++)
        cr_expect((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t',
                  "raw control 0x%02x in text output", (unsigned char)*p);
    cr_expect_not_null(strstr(out, "CRASH crash\\x0Anewline\\x09tab (/abs/dir/c.scn:7) [R4]\n"));
    cr_expect_not_null(strstr(out, "    controls: \\x01\\x02\\x1B[31m\\x7F end\n"));
    cr_expect_not_null(strstr(out, "XFAIL " UTF8_NAME " (scenarios/a/b.scn:2) [R2]\n"));
    cr_expect_null(strstr(out, "plain pass"), "a PASS is not listed");
    /* The totals line is the last line. */
    const char *totals = "2 passed, 5 failed, 1 skipped\n";
    size_t n = strlen(out), k = strlen(totals);
    cr_assert(n >= k);
    cr_expect_str_eq(out + n - k, totals);
    cr_expect(n == k || out[n - k - 1] == '\n');
    free(out);
}

/* ---------------------------------------------------------------------------
 * tap
 * ------------------------------------------------------------------------- */

Test(report, tap_is_valid_tap14_with_one_point_per_case)
{
    char *out = render("tap", &every_run);
    struct tap_point points[16];
    unsigned plan;
    size_t n = check_tap(out, points, 16, &plan);

    cr_assert_eq(plan, N_EVERY);
    cr_assert_eq(n, N_EVERY);
    for (size_t i = 0; i < n; i++) {
        const struct report_case *c = &every_status[i];
        const struct tap_point *t = &points[i];
        cr_expect_eq(t->number, i + 1, "numbering");
        /* A consumer's verdict must match backstop's: TODO on XFAIL only. */
        bool counts_as_pass = t->ok || strcmp(t->directive, "TODO") == 0;
        cr_expect_eq(counts_as_pass, !report_status_failed(c->status), "%s",
                     report_status_name(c->status));
        cr_expect_eq(t->has_yaml, c->status != REPORT_PASS);
        if (c->status != REPORT_PASS) {
            cr_assert_not_null(t->yaml_status);
            cr_expect_str_eq(t->yaml_status, report_status_name(c->status));
            cr_assert_not_null(t->yaml_name);
            if (u8_valid(c->name))
                cr_expect_str_eq(t->yaml_name, c->name, "exact name in YAML");
        }
    }
    cr_expect_str_eq(points[0].directive, "");
    cr_expect(points[0].ok);
    cr_expect(!points[1].ok);
    cr_expect_str_eq(points[2].directive, "SKIP");
    cr_expect(points[2].ok);
    cr_expect_str_eq(points[3].directive, "TODO");
    cr_expect(!points[3].ok);
    cr_expect_str_eq(points[4].directive, "", "XPASS is a plain not ok");
    cr_expect(!points[4].ok);
    tap_points_free(points, n);
    free(out);
}

Test(report, tap_escapes_descriptions_and_gives_reasons)
{
    char *out = render("tap", &every_run);
    cr_expect_not_null(strstr(out, "not ok 2 - q\"uote' <lt> &amp; ]]> \\#hash \\\\back\n"));
    cr_expect_not_null(strstr(out, "ok 3 - skip me # SKIP target lacks JetStopService\n"));
    cr_expect_not_null(strstr(out, "not ok 4 - " UTF8_NAME " # TODO known bug \\#12 \\\\ see notes\n"));
    cr_expect_not_null(strstr(out, "not ok 6 - crash newline tab\n"));
    cr_expect_not_null(strstr(out, "  message: \"expected JET_errBackupAbortByServer (-801)\\n"
                                   "actual JET_errSuccess (0)\\r\\ncontrols: \\x01\\x02\\x1B[31m\\x7F end"));
    cr_expect_not_null(strstr(out, "  at: \"./scenarios/stop/abort.scn:10\"\n"));
    cr_expect_not_null(strstr(out, "  rules: \"R21 S7 D1\"\n"));
    cr_expect_not_null(strstr(out, "\n# 2 passed, 5 failed, 1 skipped\n"));
    free(out);
}

Test(report, tap_empty_run_has_plan_zero)
{
    struct report_run run = {"model", "ese", 1, NULL, 0, NULL};
    char *out = render("tap", &run);
    struct tap_point points[1];
    unsigned plan;
    size_t n = check_tap(out, points, 1, &plan);
    cr_expect_eq(plan, 0);
    cr_expect_eq(n, 0);
    free(out);
}

/* ---------------------------------------------------------------------------
 * junit
 * ------------------------------------------------------------------------- */

Test(report, junit_is_well_formed_xml)
{
    char *out = render("junit", &every_run);
    struct xml x;
    bool ok = xml_parse(out, &x);
    cr_assert(ok, "not well-formed: %s at offset %td", x.error, x.p - out);
    cr_expect_eq(xml_count(&x, "testsuites"), 1);
    cr_expect_eq(xml_count(&x, "testsuite"), 1);
    cr_expect_eq(xml_count(&x, "testcase"), N_EVERY);
    cr_expect_eq(xml_count(&x, "failure"), 2); /* FAIL, XPASS */
    cr_expect_eq(xml_count(&x, "error"), 3);   /* CRASH, TIMEOUT, LOAD_ERROR */
    cr_expect_eq(xml_count(&x, "skipped"), 2); /* SKIP, XFAIL */

    const struct xml_elem *root = xml_nth(&x, "testsuites", 0);
    cr_assert_not_null(root);
    cr_expect_str_eq(xml_get(root, "tests"), "8");
    cr_expect_str_eq(xml_get(root, "failures"), "2");
    cr_expect_str_eq(xml_get(root, "errors"), "3");
    cr_expect_str_eq(xml_get(root, "skipped"), "2");
    const struct xml_elem *suite = xml_nth(&x, "testsuite", 0);
    cr_expect_str_eq(xml_get(suite, "name"), "lib<&>\"'.so/ese");
    cr_expect_str_eq(xml_get(suite, "tests"), "8");
    cr_expect_str_eq(xml_get(suite, "timestamp"), "2024-01-01T00:00:00Z");
    xml_free(&x);
    free(out);
}

Test(report, junit_testcases_keep_names_paths_and_messages)
{
    char *out = render("junit", &every_run);
    struct xml x;
    cr_assert(xml_parse(out, &x), "not well-formed: %s", x.error);

    const struct xml_elem *c0 = xml_nth(&x, "testcase", 0);
    cr_expect_str_eq(xml_get(c0, "classname"), "scenarios.backup.basic");
    cr_expect_str_eq(xml_get(c0, "name"), "plain pass");
    cr_expect_str_eq(xml_get(c0, "file"), "scenarios/backup/basic.scn");
    cr_expect_str_eq(xml_get(c0, "line"), "3");
    cr_expect_str_eq(xml_get(c0, "time"), "0.001");

    const struct xml_elem *c1 = xml_nth(&x, "testcase", 1);
    cr_expect_str_eq(xml_get(c1, "classname"), "scenarios.stop.abort");
    cr_expect_str_eq(xml_get(c1, "name"), NASTY_NAME);
    const struct xml_elem *f = xml_nth(&x, "failure", 0);
    cr_expect_str_eq(xml_get(f, "type"), "FAIL");
    cr_expect_str_eq(xml_get(f, "message"), "expected JET_errBackupAbortByServer (-801)");
    cr_assert_not_null(f->text);
    cr_expect_not_null(strstr(f->text, "FAIL [R21 S7 D1] at ./scenarios/stop/abort.scn:10\n"));
    cr_expect_not_null(strstr(f->text, "actual JET_errSuccess (0)\r\n"), "CR kept as &#13;");
    cr_expect_not_null(strstr(f->text, "controls: \\x01\\x02\\x1B[31m\\x7F end"));
    cr_expect_not_null(strstr(f->text, "cdata: <![CDATA[ x ]]> &#0; &bogus;"));

    const struct xml_elem *xpass = xml_nth(&x, "failure", 1);
    cr_expect_str_eq(xml_get(xpass, "type"), "XPASS");
    const struct xml_elem *skip = xml_nth(&x, "skipped", 0);
    cr_expect_str_eq(xml_get(skip, "message"), "target lacks JetStopService\nmore",
                     "newline kept as &#10;");
    const struct xml_elem *xfail = xml_nth(&x, "skipped", 1);
    cr_expect_str_eq(xml_get(xfail, "message"), "XFAIL: known bug #12 \\ see notes");

    const struct xml_elem *c3 = xml_nth(&x, "testcase", 3);
    cr_expect_str_eq(xml_get(c3, "name"), UTF8_NAME);
    const struct xml_elem *c5 = xml_nth(&x, "testcase", 5);
    cr_expect_str_eq(xml_get(c5, "classname"), "abs.dir.c");
    cr_expect_str_eq(xml_get(c5, "name"), "crash\nnewline\ttab");
    const struct xml_elem *c6 = xml_nth(&x, "testcase", 6);
    cr_expect_null(xml_get(c6, "file"), "no file, no file attribute");
    cr_expect_str_eq(xml_get(c6, "time"), "1000000000.000", "durations are clamped");
    const struct xml_elem *c7 = xml_nth(&x, "testcase", 7);
    cr_expect_str_eq(xml_get(c7, "classname"), "scenarios.win.l");
    const struct xml_elem *load = xml_nth(&x, "error", 2);
    cr_expect_str_eq(xml_get(load, "type"), "LOAD_ERROR");
    xml_free(&x);
    free(out);
}

Test(report, junit_output_passes_xmllint_if_installed)
{
    /* The in-file checker is the test; xmllint, where present, is a second
     * opinion. Its absence is not a failure. */
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        cr_skip_test("xmllint is not installed (package libxml2-utils)");
    char path[] = "/tmp/backstop_report_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(report_write(report_format_find("junit"), f, &every_run), 0);
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    int rc = system(cmd);
    unlink(path);
    cr_expect_eq(rc, 0, "xmllint rejected the JUnit report");
}

/* ---------------------------------------------------------------------------
 * json
 * ------------------------------------------------------------------------- */

Test(report, json_checker_rejects_what_it_must)
{
    const char *bad[] = {
        "",  "{", "{\"a\":1,}", "[1 2]", "\"raw\ncontrol\"", "\"\xff\"", "\"\\ud800\"",
        "01", "1.", "-", "{\"a\" 1}", "[1]x", "'single'", "\"\\q\"", "nul",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(!json_ok(bad[i]), "accepted: %s", bad[i]);
    const char *good[] = {"{}", "[]", "0", "-1.5e+3", "\"\\ud83d\\ude00\"", " {\"a\":[null,true]} "};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_expect(json_ok(good[i]), "rejected: %s", good[i]);
}

Test(report, xml_checker_rejects_what_it_must)
{
    const char *bad[] = {
        "",          "<a>",           "<a></b>",      "<a x='1' x='2'/>", "<a>&bogus;</a>",
        "<a>]]></a>", "<a>\x01</a>",  "<a>&#0;</a>",  "<a b=\"<\"/>",     "<a/><b/>",
        "<a>\xff</a>", "<a b='1'c='2'/>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct xml x;
        cr_expect(!xml_parse(bad[i], &x), "accepted: %s", bad[i]);
        xml_free(&x);
    }
    struct xml x;
    cr_expect(xml_parse("<?xml version=\"1.0\"?>\n<a b='&lt;&#x41;'><!-- c --><![CDATA[<]]></a>",
                        &x));
    cr_expect_str_eq(xml_get(&x.elems[0], "b"), "<A");
    xml_free(&x);
}

Test(report, json_is_strictly_valid_and_round_trips_strings)
{
    char *out = render("json", &every_run);
    struct json j;
    bool ok = json_parse(out, &j);
    cr_assert(ok, "invalid JSON: %s at offset %td", j.error, j.p - out);

    for (size_t i = 0; i < N_EVERY; i++) {
        const struct report_case *c = &every_status[i];
        if (u8_valid(c->name))
            cr_expect(json_has_string(&j, c->name), "name %zu lost", i);
        if (c->message != NULL && u8_valid(c->message))
            cr_expect(json_has_string(&j, c->message), "message %zu lost", i);
        cr_expect(json_has_string(&j, report_status_name(c->status)));
    }
    cr_expect(json_has_string(&j, "lib<&>\"'.so"));
    cr_expect(json_has_string(&j, "R21"));
    cr_expect(json_has_string(&j, "D1"));
    /* Invalid UTF-8 becomes U+FFFD, one per bad byte. */
    cr_expect(json_has_string(&j, "bad \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
                                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                                  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                                  "\xef\xbf\xbd\xef\xbf\xbd"));
    json_free(&j);

    cr_expect_not_null(strstr(out, "\"seed\":18446744073709551615,"));
    cr_expect_not_null(strstr(out, "\\u0001\\u0002\\u001b[31m\\u007f"));
    cr_expect_not_null(strstr(out, "\"rules\":[\"R21\",\"S7\",\"D1\"]"));
    cr_expect_not_null(strstr(out, "\"file\":null,\"line\":0,\"rules\":[],\"status\":\"TIMEOUT\","
                                   "\"message\":null,\"seconds\":1000000000.000000}"));
    cr_expect_not_null(strstr(out, "\"totals\":{\"passed\":2,\"failed\":5,\"skipped\":1,"
                                   "\"by_status\":{\"PASS\":1,\"FAIL\":1,\"SKIP\":1,\"XFAIL\":1,"
                                   "\"XPASS\":1,\"CRASH\":1,\"TIMEOUT\":1,\"LOAD_ERROR\":1}}}\n"));
    free(out);
}

/* ---------------------------------------------------------------------------
 * Every format on edge-shaped runs.
 * ------------------------------------------------------------------------- */

struct edge_row {
    char name[32];
    int run; /* 0 empty, 1 all-NULL strings, 2 a 64 KiB message */
};

ParameterizedTestParameters(report, every_format_survives_edge_runs)
{
    static struct edge_row rows[] = {
        {"empty run", 0},
        {"NULL strings", 1},
        {"huge message", 2},
    };
    return cr_make_param_array(struct edge_row, rows, sizeof rows / sizeof rows[0]);
}

ParameterizedTest(struct edge_row *row, report, every_format_survives_edge_runs)
{
    static char huge[65536];
    memset(huge, 'a', sizeof huge - 1);
    for (size_t i = 0; i < sizeof huge - 1; i += 61)
        huge[i] = (char)(i % 3 == 0 ? '\n' : i % 3 == 1 ? '<' : '"');
    huge[sizeof huge - 1] = '\0';
    struct report_case one[] = {
        {NULL, NULL, 0, NULL, REPORT_FAIL, NULL, 0},
        {NULL, NULL, 0, NULL, REPORT_SKIP, NULL, 0},
    };
    struct report_case big[] = {{"big", "big.scn", 1, "R1", REPORT_FAIL, huge, 0}};
    struct report_run run = {NULL, NULL, 0, NULL, 0, NULL};
    if (row->run == 1)
        run.n_cases = 2, run.cases = one;
    if (row->run == 2)
        run.target = "t", run.profile = "p", run.n_cases = 1, run.cases = big;

    char *out = render("json", &run);
    cr_expect(json_ok(out), "%s: JSON", row->name);
    free(out);

    out = render("junit", &run);
    struct xml x;
    cr_expect(xml_parse(out, &x), "%s: XML: %s", row->name, x.error);
    xml_free(&x);
    free(out);

    out = render("tap", &run);
    struct tap_point points[4];
    unsigned plan;
    size_t n = check_tap(out, points, 4, &plan);
    cr_expect_eq(n, run.n_cases, "%s: TAP points", row->name);
    cr_expect_eq(plan, run.n_cases, "%s: TAP plan", row->name);
    tap_points_free(points, n);
    free(out);

    out = render("text", &run);
    struct report_totals t;
    report_count(&run, &t);
    char totals[64];
    snprintf(totals, sizeof totals, "%zu passed, %zu failed, %zu skipped\n", t.passed, t.failed,
             t.skipped);
    size_t len = strlen(out);
    cr_expect(len >= strlen(totals) && strcmp(out + len - strlen(totals), totals) == 0,
              "%s: text ends with the totals", row->name);
    free(out);
}
