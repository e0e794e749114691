/*
 * scn.c: the parser of the conformance scenario language (.scn). It reads files,
 * directories of files, or a memory buffer, expands includes, and turns each
 * `case ... end` into a struct scn_case the runner executes (scn.h). The format
 * is scenarios/README.md.
 *
 * The parser is line-oriented. Each line is checked (length, NUL and control
 * bytes), split into words, and handled as a directive or a step. The first
 * error on a line gives one diagnostic "file:line:col: message" and the rest of
 * the line is skipped; parsing goes on so that one run reports every bad line. A
 * case with any error is not added to the suite.
 *
 * Memory: everything a suite points to lives in its arena (scn_suite_free drops
 * it in one go). The parser's own state (the line buffers, the steps of the case
 * being read, the text of open files) is freed before scn_parse_* returns.
 *
 * Not for: running cases (runner.c), printing them (scn_print.c), or the name
 * tables (scn_names.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "scn_int.h"

/* ---------------------------------------------------------------------------
 * The suite and its arena
 * ------------------------------------------------------------------------- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
};
#define ARENA_ALIGN (alignof(max_align_t))
#define ARENA_HEADER ((sizeof(struct arena_block) + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN)
/* Blocks start small (a fuzzer parses many tiny suites) and double up to 64 KiB. */
#define ARENA_BLOCK_MIN (4u * 1024u)
#define ARENA_BLOCK_MAX (64u * 1024u)

struct scn_suite {
    struct arena_block *blocks;
    struct scn_case **cases;
    size_t n_cases, max_cases;
    size_t *index; /* open-addressing set of case names: case number + 1, 0 = free */
    size_t max_index;
    size_t next_block; /* size of the next arena block */
};

static void *arena_alloc(struct scn_suite *s, size_t size)
{
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    struct arena_block *b = s->blocks;
    if (b == NULL || b->cap - b->used < size) {
        /* A request larger than a block gets a block of its own, behind the
         * current one, so that the current block's free space stays in use. */
        bool own = size > s->next_block;
        size_t cap = own ? size : s->next_block;
        b = malloc(ARENA_HEADER + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->cap = cap;
        if (own && s->blocks != NULL) {
            b->next = s->blocks->next;
            s->blocks->next = b;
        } else {
            b->next = s->blocks;
            s->blocks = b;
            if (!own && s->next_block < ARENA_BLOCK_MAX)
                s->next_block *= 2;
        }
    }
    void *p = (char *)b + ARENA_HEADER + b->used;
    b->used += size;
    return p;
}

static char *arena_strndup(struct scn_suite *s, const char *text, size_t len)
{
    char *p = arena_alloc(s, len + 1);
    if (p != NULL) {
        memcpy(p, text, len);
        p[len] = '\0';
    }
    return p;
}

static size_t name_hash(const char *s)
{
    size_t h = 14695981039346656037u & SIZE_MAX;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * (sizeof(size_t) > 4 ? 1099511628211u : 16777619u);
    return h;
}

/* The case called `name`, or NULL. */
static const struct scn_case *suite_find(const struct scn_suite *s, const char *name)
{
    if (s->max_index == 0)
        return NULL;
    for (size_t i = name_hash(name) & (s->max_index - 1);; i = (i + 1) & (s->max_index - 1)) {
        if (s->index[i] == 0)
            return NULL;
        const struct scn_case *c = s->cases[s->index[i] - 1];
        if (strcmp(c->name, name) == 0)
            return c;
    }
}

static int suite_add(struct scn_suite *s, struct scn_case *c)
{
    if (s->n_cases == s->max_cases) {
        size_t max = s->max_cases ? s->max_cases * 2 : 64;
        struct scn_case **cases = realloc(s->cases, max * sizeof *cases);
        if (cases == NULL)
            return SCN_ENOMEM;
        s->cases = cases;
        s->max_cases = max;
    }
    if ((s->n_cases + 1) * 2 > s->max_index) {
        size_t max = s->max_index ? s->max_index * 2 : 128;
        size_t *index = calloc(max, sizeof *index);
        if (index == NULL)
            return SCN_ENOMEM;
        for (size_t k = 0; k < s->n_cases; k++) {
            size_t i = name_hash(s->cases[k]->name) & (max - 1);
            while (index[i] != 0)
                i = (i + 1) & (max - 1);
            index[i] = k + 1;
        }
        free(s->index);
        s->index = index;
        s->max_index = max;
    }
    size_t i = name_hash(c->name) & (s->max_index - 1);
    while (s->index[i] != 0)
        i = (i + 1) & (s->max_index - 1);
    s->cases[s->n_cases++] = c;
    s->index[i] = s->n_cases;
    return SCN_OK;
}

static int suite_create(struct scn_suite **out)
{
    if (*out != NULL)
        return SCN_OK;
    *out = calloc(1, sizeof **out);
    if (*out == NULL)
        return SCN_ENOMEM;
    (*out)->next_block = ARENA_BLOCK_MIN;
    return SCN_OK;
}

void scn_suite_free(struct scn_suite *suite)
{
    if (suite == NULL)
        return;
    struct arena_block *b = suite->blocks;
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(suite->cases);
    free(suite->index);
    free(suite);
}

size_t scn_suite_count(const struct scn_suite *suite)
{
    return suite != NULL ? suite->n_cases : 0;
}

const struct scn_case *scn_suite_case(const struct scn_suite *suite, size_t i)
{
    if (suite == NULL || i >= suite->n_cases)
        return NULL;
    return suite->cases[i];
}

/* ---------------------------------------------------------------------------
 * Parser state and diagnostics
 * ------------------------------------------------------------------------- */

/* Rank statuses so that the worst one wins: out of memory, then I/O, then a
 * limit, then a parse error. */
static int status_rank(int status)
{
    switch (status) {
    case SCN_ENOMEM:
        return 4;
    case SCN_EIO:
        return 3;
    case SCN_ELIMIT:
        return 2;
    case SCN_EPARSE:
        return 1;
    default:
        return 0;
    }
}

static void raise_status(struct scn__parser *p, int status)
{
    if (status_rank(status) > status_rank(p->status))
        p->status = status;
}

void scn__oom(struct scn__parser *p)
{
    if (!p->nomem && p->diag != NULL)
        fprintf(p->diag, "%s:%d: out of memory\n", p->file != NULL ? p->file : "scn", p->line);
    p->nomem = true;
    raise_status(p, SCN_ENOMEM);
}

static void vdiag_at(struct scn__parser *p, const char *file, int line, int col, const char *fmt,
                     va_list ap) SCN__PRINTF(5, 0);
static void vdiag_at(struct scn__parser *p, const char *file, int line, int col, const char *fmt,
                     va_list ap)
{
    if (p->diag != NULL) {
        fprintf(p->diag, "%s:%d:%d: ", file, line, col);
        vfprintf(p->diag, fmt, ap);
        fputc('\n', p->diag);
    }
    raise_status(p, SCN_EPARSE);
    if (p->in_case)
        p->case_bad = true;
}

void scn__diag_at(struct scn__parser *p, struct scn_loc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag_at(p, loc.file, loc.line, loc.col, fmt, ap);
    va_end(ap);
}

/* A diagnostic on the current line at column `col`. */
void scn__diag(struct scn__parser *p, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdiag_at(p, p->file, p->line, col, fmt, ap);
    va_end(ap);
}

/* A word for a message, shortened to 80 bytes. Four results stay valid at once. */
const char *scn__clip(struct scn__parser *p, const char *s, size_t len)
{
    char *out = p->clip[p->next_clip];
    p->next_clip = (p->next_clip + 1) % 4;
    if (len > 80) {
        memcpy(out, s, 77);
        memcpy(out + 77, "...", 4);
    } else {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

const char *scn__word(struct scn__parser *p, const struct scn__tok *t)
{
    return scn__clip(p, t->s, t->len);
}

/* " (did you mean 'X'?)" for the nearest of `names`, or "". */
const char *scn__suggest(struct scn__parser *p, const char *w, const char *const *names, size_t n)
{
    const char *near = scn_nearest(w, names, n);
    if (near == NULL)
        return "";
    char *out = p->clip[p->next_clip];
    p->next_clip = (p->next_clip + 1) % 4;
    snprintf(out, sizeof p->clip[0], " (did you mean '%s'?)", scn__clip(p, near, strlen(near)));
    return out;
}

struct scn_loc scn__here(const struct scn__parser *p, int col)
{
    struct scn_loc loc = {p->file, p->line, col};
    return loc;
}

char *scn__pstrndup(struct scn__parser *p, const char *s, size_t len)
{
    char *out = arena_strndup(p->suite, s, len);
    if (out == NULL)
        scn__oom(p);
    return out;
}

/* ---------------------------------------------------------------------------
 * Words
 * ------------------------------------------------------------------------- */

/* Split the line in p->buf (len bytes) into words. A word runs to a space, tab
 * or '#'; a '"' opens a quoted part in which those are plain characters and a
 * backslash takes the next byte with it. */
static bool tokenize(struct scn__parser *p, size_t len)
{
    char *b = p->buf;
    size_t k = 0;
    p->n_toks = 0;
    while (k < len) {
        if (b[k] == ' ' || b[k] == '\t') {
            k++;
            continue;
        }
        if (b[k] == '#')
            break;
        size_t start = k;
        while (k < len && b[k] != ' ' && b[k] != '\t' && b[k] != '#') {
            if (b[k] != '"') {
                k++;
                continue;
            }
            size_t quote = k++;
            while (k < len && b[k] != '"')
                k += (b[k] == '\\' && k + 1 < len) ? 2 : 1;
            if (k >= len) {
                scn__diag(p, (int)quote + 1, "unterminated string");
                return false;
            }
            k++;
        }
        struct scn__tok *t = &p->toks[p->n_toks++];
        t->s = b + start;
        t->len = k - start;
        t->col = (int)start + 1;
    }
    for (int i = 0; i < p->n_toks; i++)
        p->toks[i].s[p->toks[i].len] = '\0';
    return true;
}

bool scn__is(const struct scn__tok *t, const char *s)
{
    return strcmp(t->s, s) == 0;
}

/* The column just after the last word: where a missing word belongs. */
int scn__eol_col(const struct scn__parser *p)
{
    if (p->n_toks == 0)
        return 1;
    const struct scn__tok *t = &p->toks[p->n_toks - 1];
    return t->col + (int)t->len;
}

bool scn__is_arrow(const struct scn__tok *t)
{
    return scn__is(t, "->") || scn__is(t, "expect-any");
}

/* The word at i if it is an argument (present and not `->`/`expect-any`); else a
 * diagnostic "'step' needs WHAT" and NULL. */
struct scn__tok *scn__need(struct scn__parser *p, int i, const char *step, const char *what)
{
    if (i < p->n_toks && !scn__is_arrow(&p->toks[i]))
        return &p->toks[i];
    scn__diag(p, i < p->n_toks ? p->toks[i].col : scn__eol_col(p), "'%s' needs %s", step, what);
    return NULL;
}

/* Unescape the string word t ("..." with \" and \\) into p->scratch. */
bool scn__decode_string(struct scn__parser *p, const struct scn__tok *t, size_t *out_len)
{
    size_t k = 1, o = 0;
    for (;;) {
        char c = t->s[k];
        if (c == '"') {
            k++;
            break;
        }
        if (c == '\\') {
            char e = t->s[k + 1];
            if (e != '"' && e != '\\') {
                scn__diag(p, t->col + (int)k,
                          "unknown escape '\\%c' in string (only \\\" and \\\\)", e);
                return false;
            }
            p->scratch[o++] = e;
            k += 2;
            continue;
        }
        p->scratch[o++] = c;
        k++;
    }
    if (k != t->len) {
        scn__diag(p, t->col + (int)k, "expected a space after the closing quote");
        return false;
    }
    if (o > SCN__MAX_STRING) {
        scn__diag(p, t->col, "string is longer than %d bytes", SCN__MAX_STRING);
        return false;
    }
    p->scratch[o] = '\0';
    *out_len = o;
    return true;
}

/* ---------------------------------------------------------------------------
 * Cases and directives
 * ------------------------------------------------------------------------- */

static void open_case(struct scn__parser *p, bool quiet)
{
    const struct scn__tok *t = &p->toks[0];
    memset(&p->c, 0, sizeof p->c);
    p->in_case = true;
    p->case_bad = quiet; /* a `case` that interrupted another is already reported */
    p->has_intent = false;
    p->over_steps = false;
    p->in_par = false;
    p->c.loc = scn__here(p, t->col);
    p->c.name = "?";
    if (p->n_toks < 2) {
        if (!quiet)
            scn__diag(p, scn__eol_col(p), "'case' needs a name");
        p->case_bad = true;
        return;
    }
    const struct scn__tok *n = &p->toks[1];
    const char *name = scn__pstrndup(p, n->s, n->len);
    if (name == NULL)
        return;
    p->c.name = name;
    const struct scn_case *first;
    if (quiet) {
        /* the line has its diagnostic */
    } else if (!scn__is_case_name(n->s, n->len)) {
        scn__diag(p, n->col, "bad case name '%s' (letters, digits, '_', '.' and '-')",
                  scn__word(p, n));
    } else if (n->len > SCN__MAX_NAME) {
        scn__diag(p, n->col, "name is longer than %d bytes", SCN__MAX_NAME);
    } else if ((first = suite_find(p->suite, name)) != NULL) {
        scn__diag(p, n->col, "duplicate case name '%s' (first at %s:%d)", scn__word(p, n),
                  first->loc.file, first->loc.line);
    } else if (p->n_toks > 2) {
        scn__diag(p, p->toks[2].col, "unexpected '%s' after the case name",
                  scn__word(p, &p->toks[2]));
    }
}

static void close_case(struct scn__parser *p)
{
    struct scn_case *c = &p->c;
    p->in_case = false;
    p->in_par = false;
    if (!p->has_intent)
        scn__diag_at(p, c->loc, "case '%s' has no 'intent'",
                     scn__clip(p, c->name, strlen(c->name)));
    if (c->n_rules == 0)
        scn__diag_at(p, c->loc, "case '%s' has no 'rules'", scn__clip(p, c->name, strlen(c->name)));
    if (p->case_bad || (!p->has_intent || c->n_rules == 0))
        return;
    struct scn_case *keep = arena_alloc(p->suite, sizeof *keep);
    struct scn_step *steps = NULL;
    if (c->n_steps > 0)
        steps = arena_alloc(p->suite, (size_t)c->n_steps * sizeof *steps);
    if (keep == NULL || (c->n_steps > 0 && steps == NULL)) {
        scn__oom(p);
        return;
    }
    if (c->n_steps > 0)
        memcpy(steps, p->steps, (size_t)c->n_steps * sizeof *steps);
    *keep = *c;
    keep->steps = steps;
    if (suite_add(p->suite, keep) != SCN_OK)
        scn__oom(p);
}

static void do_intent(struct scn__parser *p)
{
    if (p->n_toks < 2) {
        scn__diag(p, scn__eol_col(p), "'intent' needs text");
        return;
    }
    if (p->has_intent) {
        scn__diag(p, p->toks[0].col, "second 'intent' in case '%s' (the first is at line %d)",
                  scn__clip(p, p->c.name, strlen(p->c.name)), p->intent_line);
        return;
    }
    const struct scn__tok *first = &p->toks[1], *last = &p->toks[p->n_toks - 1];
    size_t start = (size_t)first->col - 1, end = (size_t)last->col - 1 + last->len;
    if (end - start > SCN__MAX_INTENT) {
        scn__diag(p, first->col, "intent is longer than %d bytes", SCN__MAX_INTENT);
        return;
    }
    p->c.intent = scn__pstrndup(p, p->raw + start, end - start);
    p->has_intent = true;
    p->intent_line = p->line;
}

/* R1-R55, S1-S23, D1-D17, without leading zeros. */
static bool valid_rule(const char *s, size_t len)
{
    unsigned max = s[0] == 'R' ? 55 : s[0] == 'S' ? 23 : s[0] == 'D' ? 17 : 0;
    if (max == 0 || len < 2 || len > 3 || s[1] == '0')
        return false;
    unsigned n = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (unsigned)(s[i] - '0');
    }
    return n >= 1 && n <= max;
}

static void do_rules(struct scn__parser *p)
{
    if (p->n_toks < 2) {
        scn__diag(p, scn__eol_col(p), "'rules' needs at least one id (R<n>, S<n>, D<n>)");
        return;
    }
    for (int i = 1; i < p->n_toks; i++) {
        const struct scn__tok *t = &p->toks[i];
        if (!valid_rule(t->s, t->len)) {
            scn__diag(p, t->col, "bad rule id '%s' (R1-R55, S1-S23, D1-D17)", scn__word(p, t));
            return;
        }
        for (int k = 0; k < p->c.n_rules; k++) {
            if (strcmp(p->c.rules[k], t->s) == 0) {
                scn__diag(p, t->col, "rule '%s' listed twice", t->s);
                return;
            }
        }
        if (p->c.n_rules == SCN_MAX_RULE_IDS) {
            scn__diag(p, t->col, "too many rule ids in a case (at most %d)", SCN_MAX_RULE_IDS);
            return;
        }
        const char *id = scn__pstrndup(p, t->s, t->len);
        if (id == NULL)
            return;
        p->c.rules[p->c.n_rules++] = id;
    }
}

static void do_profile(struct scn__parser *p)
{
    if (p->n_toks < 2) {
        scn__diag(p, scn__eol_col(p), "'profile' needs at least one of ese, esent, documented");
        return;
    }
    unsigned mask = 0;
    for (int i = 1; i < p->n_toks; i++) {
        const struct scn__tok *t = &p->toks[i];
        int pr = scn__profile_parse(t->s);
        if (pr < 0) {
            scn__diag(p, t->col, "unknown profile '%s'%s", scn__word(p, t),
                      scn__suggest(p, t->s, scn__profile_names, MODEL_PROFILE__COUNT));
            return;
        }
        mask |= 1u << pr;
    }
    p->c.profile_mask |= mask;
}

static void add_marker(struct scn__parser *p, enum scn_step_kind kind, int col)
{
    struct scn_step st;
    scn__step_init(&st, scn__here(p, col), -1);
    st.kind = kind;
    scn__add_step(p, &st);
}

static void do_parallel(struct scn__parser *p)
{
    if (p->n_toks > 1) {
        scn__diag(p, p->toks[1].col, "unexpected '%s' after 'parallel'", scn__word(p, &p->toks[1]));
        return;
    }
    add_marker(p, SCN_STEP_PARALLEL_BEGIN, p->toks[0].col);
    p->in_par = true;
    p->par_loc = scn__here(p, p->toks[0].col);
    p->par_count = 0;
}

static void end_parallel(struct scn__parser *p)
{
    p->in_par = false;
    if (p->n_toks > 1) {
        scn__diag(p, p->toks[1].col, "unexpected '%s' after 'end'", scn__word(p, &p->toks[1]));
        return;
    }
    if (p->par_count == 0) {
        scn__diag(p, p->toks[0].col, "empty parallel block");
        return;
    }
    add_marker(p, SCN_STEP_PARALLEL_END, p->toks[0].col);
}

/* `LABEL: step` inside a parallel block. */
static void do_thread_line(struct scn__parser *p)
{
    const struct scn__tok *t = &p->toks[0];
    p->par_count++;
    if (t->len < 2 || t->s[t->len - 1] != ':') {
        scn__diag(p, t->col, "expected 'LABEL: step' inside a parallel block, not '%s'",
                  scn__word(p, t));
        return;
    }
    size_t len = t->len - 1;
    if (!scn__is_ident(t->s, len)) {
        scn__diag(p, t->col, "bad thread label '%s' (a letter or '_', then letters, digits or '_')",
                  scn__clip(p, t->s, len));
        return;
    }
    if (len > SCN__MAX_NAME) {
        scn__diag(p, t->col, "name is longer than %d bytes", SCN__MAX_NAME);
        return;
    }
    int th;
    for (th = 0; th < p->c.n_threads; th++)
        if (strlen(p->c.threads[th]) == len && memcmp(p->c.threads[th], t->s, len) == 0)
            break;
    if (th == p->c.n_threads) {
        if (th == SCN_MAX_THREADS) {
            scn__diag(p, t->col, "too many thread labels in a case (at most %d)", SCN_MAX_THREADS);
            return;
        }
        const char *label = scn__pstrndup(p, t->s, len);
        if (label == NULL)
            return;
        p->c.threads[p->c.n_threads++] = label;
    }
    if (p->n_toks < 2) {
        scn__diag(p, scn__eol_col(p), "expected a step after '%s'", scn__word(p, t));
        return;
    }
    const struct scn__tok *s = &p->toks[1];
    if (!scn__is_step_word(s->s) && scn__is_directive(s->s)) {
        scn__diag(p, s->col, "'%s' cannot follow a thread label", scn__word(p, s));
        return;
    }
    scn__parse_step(p, 1, th);
}

/* ---------------------------------------------------------------------------
 * Files and includes
 * ------------------------------------------------------------------------- */

/* Read a regular file whole. On failure *why says why (static or strerror). */
static int read_file(const char *path, char **out, size_t *out_len, struct stat *st,
                     const char **why)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *why = strerror(errno);
        return SCN_EIO;
    }
    if (fstat(fileno(f), st) != 0 || !S_ISREG(st->st_mode)) {
        *why = "not a regular file";
        fclose(f);
        return SCN_EIO;
    }
    size_t cap = (size_t)st->st_size + 1, len = 0;
    char *buf = malloc(cap);
    int rc = SCN_OK;
    while (buf != NULL) {
        if (len == cap) {
            char *more = realloc(buf, cap * 2);
            if (more == NULL)
                break;
            buf = more;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (buf == NULL || (len == cap && !feof(f))) {
        rc = SCN_ENOMEM;
        *why = "out of memory";
    } else if (ferror(f)) {
        rc = SCN_EIO;
        *why = "read error";
    }
    fclose(f);
    if (rc != SCN_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = len;
    return SCN_OK;
}

/* The directory part of a path, with its '/', or "" (in the arena). */
static const char *dir_of(struct scn__parser *p, const char *path)
{
    const char *slash = strrchr(path, '/');
    return scn__pstrndup(p, path, slash != NULL ? (size_t)(slash - path) + 1 : 0);
}

static bool push_source(struct scn__parser *p, const char *file, const char *dir, const char *text,
                        size_t len, char *owned, const struct stat *st)
{
    struct scn__source *s = &p->src[++p->depth];
    memset(s, 0, sizeof *s);
    s->file = file;
    s->dir = dir;
    s->text = text;
    s->len = len;
    s->owned = owned;
    if (st != NULL) {
        s->has_id = true;
        s->dev = st->st_dev;
        s->ino = st->st_ino;
    }
    return true;
}

static void do_include(struct scn__parser *p)
{
    const struct scn__tok *kw = &p->toks[0];
    if (p->n_toks < 2) {
        scn__diag(p, scn__eol_col(p), "'include' needs a path");
        return;
    }
    const struct scn__tok *t = &p->toks[1];
    if (p->n_toks > 2) {
        scn__diag(p, p->toks[2].col, "unexpected '%s' after the include path",
                  scn__word(p, &p->toks[2]));
        return;
    }
    const char *path = t->s;
    size_t len = t->len;
    if (t->s[0] == '"') {
        if (!scn__decode_string(p, t, &len))
            return;
        path = p->scratch;
    }
    if (len == 0) {
        scn__diag(p, t->col, "empty include path");
        return;
    }
    const char *dir = p->src[p->depth].dir;
    if (dir == NULL) {
        scn__diag(p, kw->col,
                  "'include' needs the name of the including file (this text has none)");
        return;
    }
    size_t dlen = path[0] == '/' ? 0 : strlen(dir);
    char *full = malloc(dlen + len + 1);
    if (full == NULL) {
        scn__oom(p);
        return;
    }
    memcpy(full, dir, dlen);
    memcpy(full + dlen, path, len + 1);
    const char *shown = scn__clip(p, full, dlen + len);

    struct stat st;
    if (stat(full, &st) == 0) {
        for (int d = 0; d <= p->depth; d++) {
            if (p->src[d].has_id && p->src[d].dev == st.st_dev && p->src[d].ino == st.st_ino) {
                scn__diag(p, t->col, "include cycle: '%s' is already being read", shown);
                free(full);
                return;
            }
        }
    }
    if (p->depth == SCN_MAX_INCLUDE_DEPTH) {
        scn__diag(p, t->col, "includes nest deeper than %d", SCN_MAX_INCLUDE_DEPTH);
        free(full);
        return;
    }
    char *text;
    size_t text_len;
    const char *why = NULL;
    int rc = read_file(full, &text, &text_len, &st, &why);
    if (rc != SCN_OK) {
        scn__diag(p, t->col, "cannot read '%s': %s", shown, why);
        raise_status(p, rc);
        if (rc == SCN_ENOMEM)
            scn__oom(p);
        free(full);
        return;
    }
    const char *file = scn__pstrndup(p, full, dlen + len);
    const char *fdir = file != NULL ? dir_of(p, file) : NULL;
    free(full);
    if (fdir == NULL) {
        free(text);
        return;
    }
    push_source(p, file, fdir, text, text_len, text, &st);
}

/* ---------------------------------------------------------------------------
 * Lines
 * ------------------------------------------------------------------------- */

static void do_line(struct scn__parser *p, const char *line, size_t len)
{
    if (len > SCN_MAX_LINE) {
        scn__diag(p, SCN_MAX_LINE + 1, "line is longer than %d bytes", SCN_MAX_LINE);
        return;
    }
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)line[k];
        if (c == 0) {
            scn__diag(p, (int)k + 1, "NUL byte in input");
            return;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            scn__diag(p, (int)k + 1, "control character 0x%02x in input", c);
            return;
        }
    }
    memcpy(p->raw, line, len);
    p->raw[len] = '\0';
    memcpy(p->buf, line, len);
    p->buf[len] = '\0';
    if (!tokenize(p, len) || p->n_toks == 0)
        return;

    const struct scn__tok *t = &p->toks[0];
    if (scn__is(t, "include")) {
        do_include(p);
    } else if (scn__is(t, "case")) {
        bool nested = p->in_case;
        if (nested)
            scn__diag(p, t->col, "'case' inside case '%s' (missing 'end'?)",
                      scn__clip(p, p->c.name, strlen(p->c.name)));
        open_case(p, nested);
    } else if (scn__is(t, "end")) {
        if (p->in_par) {
            end_parallel(p);
        } else if (p->in_case) {
            if (p->n_toks > 1)
                scn__diag(p, p->toks[1].col, "unexpected '%s' after 'end'",
                          scn__word(p, &p->toks[1]));
            close_case(p);
        } else {
            scn__diag(p, t->col, "'end' without 'case'");
        }
    } else if (!p->in_case) {
        if (t->s[t->len - 1] == ':')
            scn__diag(p, t->col, "thread label '%s' outside a parallel block", scn__word(p, t));
        else if (scn__is_step_word(t->s) || scn__is_directive(t->s))
            scn__diag(p, t->col, "'%s' outside a case", scn__word(p, t));
        else
            scn__unknown_word(p, t);
    } else if (p->in_par) {
        if (scn__is_directive(t->s) && !scn__is_step_word(t->s))
            scn__diag(p, t->col, "'%s' is not allowed inside a parallel block", scn__word(p, t));
        else
            do_thread_line(p);
    } else if (scn__is(t, "intent")) {
        do_intent(p);
    } else if (scn__is(t, "rules")) {
        do_rules(p);
    } else if (scn__is(t, "profile")) {
        do_profile(p);
    } else if (scn__is(t, "parallel")) {
        do_parallel(p);
    } else if (t->s[t->len - 1] == ':' && t->len > 1) {
        scn__diag(p, t->col, "thread label '%s' outside a parallel block", scn__word(p, t));
    } else {
        scn__parse_step(p, 0, -1);
    }
}

/* Read every line of the source stack from the current top-level source. */
static void run_sources(struct scn__parser *p)
{
    while (p->depth >= 0 && !p->nomem) {
        struct scn__source *s = &p->src[p->depth];
        if (s->pos >= s->len) {
            free(s->owned);
            s->owned = NULL;
            if (p->depth == 0)
                break;
            p->depth--;
            continue;
        }
        const char *line = s->text + s->pos;
        const char *nl = memchr(line, '\n', s->len - s->pos);
        size_t len = nl != NULL ? (size_t)(nl - line) : s->len - s->pos;
        s->pos += len + (nl != NULL);
        if (len > 0 && line[len - 1] == '\r')
            len--;
        s->line++;
        p->file = s->file;
        p->line = s->line;
        do_line(p, line, len);
    }
    /* Unwind what an out-of-memory stop left open. */
    for (; p->depth >= 0; p->depth--) {
        free(p->src[p->depth].owned);
        p->src[p->depth].owned = NULL;
    }
    p->depth = -1;
    if (p->nomem)
        return;
    if (p->in_par)
        scn__diag_at(p, p->par_loc, "'parallel' block is not closed by 'end'");
    else if (p->in_case)
        scn__diag_at(p, p->c.loc, "case '%s' is not closed by 'end'",
                     scn__clip(p, p->c.name, strlen(p->c.name)));
    p->in_case = false;
    p->in_par = false;
}

/* Parse one top-level text. `name` NULL: diagnostics say "<buffer>" and includes
 * are refused. Takes ownership of `owned`. */
static void parse_top(struct scn__parser *p, const char *name, const char *text, size_t len,
                      char *owned, const struct stat *st)
{
    const char *file = scn__pstrndup(p, name != NULL ? name : "<buffer>",
                                     strlen(name != NULL ? name : "<buffer>"));
    const char *dir = file != NULL && name != NULL ? dir_of(p, file) : NULL;
    if (file == NULL || (name != NULL && dir == NULL)) {
        free(owned);
        return;
    }
    p->depth = -1;
    push_source(p, file, dir, text, len, owned, st);
    run_sources(p);
}

static struct scn__parser *parser_new(struct scn_suite *suite, FILE *diag_out)
{
    struct scn__parser *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->suite = suite;
    p->diag = diag_out;
    p->depth = -1;
    return p;
}

static void parser_free(struct scn__parser *p)
{
    free(p->steps);
    free(p);
}

int scn_parse_buffer(const char *name, const char *text, size_t len, FILE *diag_out,
                     struct scn_suite **suite)
{
    if (suite == NULL || (text == NULL && len > 0))
        return SCN_EPARSE;
    if (suite_create(suite) != SCN_OK)
        return SCN_ENOMEM;
    struct scn__parser *p = parser_new(*suite, diag_out);
    if (p == NULL)
        return SCN_ENOMEM;
    parse_top(p, name, text != NULL ? text : "", len, NULL, NULL);
    int status = p->status;
    parser_free(p);
    return status;
}

/* ---------------------------------------------------------------------------
 * Directories
 * ------------------------------------------------------------------------- */

struct path_list {
    char **paths;
    size_t n, max;
};

#define MAX_DIR_DEPTH 32

static int path_list_add(struct path_list *l, char *path)
{
    if (l->n == l->max) {
        size_t max = l->max ? l->max * 2 : 32;
        char **paths = realloc(l->paths, max * sizeof *paths);
        if (paths == NULL)
            return SCN_ENOMEM;
        l->paths = paths;
        l->max = max;
    }
    l->paths[l->n++] = path;
    return SCN_OK;
}

static char *path_join(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    bool slash = dl > 0 && dir[dl - 1] != '/';
    char *out = malloc(dl + slash + nl + 1);
    if (out != NULL) {
        memcpy(out, dir, dl);
        if (slash)
            out[dl] = '/';
        memcpy(out + dl + slash, name, nl + 1);
    }
    return out;
}

/* Collect the *.scn files below dir. Skips names starting with '.' and the
 * expectation files' directory `expect`. */
static void collect(struct scn__parser *p, const char *dir, int depth, struct path_list *l)
{
    if (depth > MAX_DIR_DEPTH) {
        if (p->diag != NULL)
            fprintf(p->diag, "%s: directories nest deeper than %d\n", dir, MAX_DIR_DEPTH);
        raise_status(p, SCN_ELIMIT);
        return;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        if (p->diag != NULL)
            fprintf(p->diag, "%s: cannot read directory: %s\n", dir, strerror(errno));
        raise_status(p, SCN_EIO);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && !p->nomem) {
        if (e->d_name[0] == '.')
            continue;
        char *path = path_join(dir, e->d_name);
        if (path == NULL) {
            scn__oom(p);
            break;
        }
        struct stat st;
        size_t nl = strlen(e->d_name);
        bool keep = false;
        if (stat(path, &st) != 0) {
            /* vanished, or a dangling link: not a scenario */
        } else if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "expect") != 0)
                collect(p, path, depth + 1, l);
        } else if (S_ISREG(st.st_mode) && nl > 4 && strcmp(e->d_name + nl - 4, ".scn") == 0) {
            keep = true;
        }
        if (keep && path_list_add(l, path) == SCN_OK)
            continue;
        if (keep)
            scn__oom(p);
        free(path);
    }
    closedir(d);
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void parse_file(struct scn__parser *p, const char *path)
{
    char *text;
    size_t len;
    struct stat st;
    const char *why = NULL;
    int rc = read_file(path, &text, &len, &st, &why);
    if (rc != SCN_OK) {
        if (p->diag != NULL)
            fprintf(p->diag, "%s: cannot read: %s\n", path, why);
        raise_status(p, rc);
        if (rc == SCN_ENOMEM)
            p->nomem = true;
        return;
    }
    parse_top(p, path, text, len, text, &st);
}

int scn_parse_path(const char *path, FILE *diag_out, struct scn_suite **suite)
{
    if (path == NULL || suite == NULL)
        return SCN_EIO;
    if (suite_create(suite) != SCN_OK)
        return SCN_ENOMEM;
    struct scn__parser *p = parser_new(*suite, diag_out);
    if (p == NULL)
        return SCN_ENOMEM;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        struct path_list l = {0};
        collect(p, path, 0, &l);
        if (l.n > 0)
            qsort(l.paths, l.n, sizeof *l.paths, cmp_paths);
        for (size_t i = 0; i < l.n && !p->nomem; i++)
            parse_file(p, l.paths[i]);
        for (size_t i = 0; i < l.n; i++)
            free(l.paths[i]);
        free(l.paths);
    } else {
        parse_file(p, path);
    }
    int status = p->status;
    parser_free(p);
    return status;
}
