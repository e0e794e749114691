/*
 * scn_step.c: the steps of a scenario case. Given the words of one line (split
 * by scn.c), it reads a step's arguments (handles, files, grbits, sizes,
 * options), its expectation (`->`, `expect-any`, `-> *`) and its out-parameter
 * checks, and appends a struct scn_step to the case being read.
 *
 * The argument conventions are scenarios/README.md's tables; which arguments an
 * operation takes is scn__op_args() (scn_names.c). Not for directives (`case`,
 * `intent`, `parallel`...), includes or files: those are scn.c.
 */
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* ---------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------- */

static void number_diag(struct scn__parser *p, int col, const char *s, size_t len, int rc)
{
    if (rc == SCN__NUM_RANGE)
        scn__diag(p, col, "number '%s' is out of range", scn__clip(p, s, len));
    else if (len > 0 && s[0] == '-')
        scn__diag(p, col, "negative number '%s' is not allowed here", scn__clip(p, s, len));
    else
        scn__diag(p, col, "bad number '%s'", scn__clip(p, s, len));
}

/* An unsigned number of at most `max`. */
static bool parse_number(struct scn__parser *p, const struct scn__tok *t, uint64_t max,
                         uint64_t *out)
{
    int rc = scn__parse_uint(t->s, t->len, max, out);
    if (rc != 0)
        number_diag(p, t->col, t->s, t->len, rc);
    return rc == 0;
}

static bool parse_u32(struct scn__parser *p, const struct scn__tok *t, uint32_t *out)
{
    uint64_t v;
    if (!parse_number(p, t, UINT32_MAX, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

/* A size: bytes (at most max_bytes), or `Np` pages (N at most UINT32_MAX). */
static bool parse_size(struct scn__parser *p, const char *s, size_t len, int col,
                       uint64_t max_bytes, struct scn_size *out)
{
    bool pages = len > 1 && s[len - 1] == 'p';
    int rc = scn__parse_uint(s, pages ? len - 1 : len, pages ? UINT32_MAX : max_bytes, &out->value);
    if (rc != 0) {
        number_diag(p, col, s, len, rc);
        return false;
    }
    out->pages = pages;
    return true;
}

/* ---------------------------------------------------------------------------
 * Handles
 * ------------------------------------------------------------------------- */

static int find_var(const struct scn__parser *p, const char *name)
{
    for (int i = 0; i < p->c.n_vars; i++)
        if (strcmp(p->c.vars[i], name) == 0)
            return i;
    return -1;
}

/* Bind the name in t: its existing index, or a new one. -1 after a diagnostic. */
static int bind_var(struct scn__parser *p, const struct scn__tok *t)
{
    if (!scn__is_ident(t->s, t->len)) {
        scn__diag(p, t->col,
                  "bad handle name '%s' (a letter or '_', then letters, digits or '_'; "
                  "not nil, never or null)",
                  scn__word(p, t));
        return -1;
    }
    if (t->len > SCN__MAX_NAME) {
        scn__diag(p, t->col, "name is longer than %d bytes", SCN__MAX_NAME);
        return -1;
    }
    int i = find_var(p, t->s);
    if (i >= 0)
        return i;
    if (p->c.n_vars == SCN_MAX_VARS) {
        scn__diag(p, t->col, "too many handle names in a case (at most %d)", SCN_MAX_VARS);
        return -1;
    }
    const char *name = scn__pstrndup(p, t->s, t->len);
    if (name == NULL)
        return -1;
    p->c.vars[p->c.n_vars] = name;
    return p->c.n_vars++;
}

static bool ref_var(struct scn__parser *p, const struct scn__tok *t, struct scn_ref *out)
{
    int i = find_var(p, t->s);
    if (i < 0) {
        scn__diag(p, t->col, "unknown handle '%s'%s", scn__word(p, t),
                  scn__suggest(p, t->s, p->c.vars, (size_t)p->c.n_vars));
        return false;
    }
    out->kind = SCN_REF_VAR;
    out->var = i;
    return true;
}

/* INST: a bound name, nil, never, or a number. */
static bool parse_inst(struct scn__parser *p, const struct scn__tok *t, struct scn_ref *out)
{
    if (scn__is(t, "nil")) {
        out->kind = SCN_REF_NIL;
        return true;
    }
    if (scn__is(t, "never")) {
        out->kind = SCN_REF_NEVER;
        return true;
    }
    if ((t->s[0] >= '0' && t->s[0] <= '9') || t->s[0] == '-') {
        if (!parse_number(p, t, UINT64_MAX, &out->value))
            return false;
        out->kind = SCN_REF_INT;
        return true;
    }
    if (scn__is_ident(t->s, t->len))
        return ref_var(p, t, out);
    scn__diag(p, t->col, "bad instance '%s' (a handle name, nil, never or a number)",
              scn__word(p, t));
    return false;
}

/* HF: a bound name or a number. */
static bool parse_hf(struct scn__parser *p, const struct scn__tok *t, struct scn_ref *out)
{
    if ((t->s[0] >= '0' && t->s[0] <= '9') || t->s[0] == '-') {
        if (!parse_number(p, t, UINT64_MAX, &out->value))
            return false;
        out->kind = SCN_REF_INT;
        return true;
    }
    if (scn__is_ident(t->s, t->len))
        return ref_var(p, t, out);
    scn__diag(p, t->col, "bad file handle '%s' (a handle name or a number)", scn__word(p, t));
    return false;
}

/* ---------------------------------------------------------------------------
 * Arguments of steps
 * ------------------------------------------------------------------------- */

static bool parse_db_name(struct scn__parser *p, const char *s, size_t len, int col,
                          struct scn_file *out)
{
    if (!scn__is_db_name(s, len)) {
        scn__diag(p, col, "bad database name '%s' (letters, digits, '_', '.' and '-')",
                  scn__clip(p, s, len));
        return false;
    }
    if (len > SCN__MAX_NAME) {
        scn__diag(p, col, "name is longer than %d bytes", SCN__MAX_NAME);
        return false;
    }
    out->kind = SCN_FILE_DB;
    out->text = scn__pstrndup(p, s, len);
    return out->text != NULL;
}

/* FILE: db:NAME, log:GEN, "text" or null. */
static bool parse_file(struct scn__parser *p, const struct scn__tok *t, struct scn_file *out)
{
    if (scn__is(t, "null")) {
        out->kind = SCN_FILE_NULL;
        return true;
    }
    if (t->s[0] == '"') {
        size_t len;
        if (!scn__decode_string(p, t, &len))
            return false;
        out->kind = SCN_FILE_STRING;
        out->text = scn__pstrndup(p, p->scratch, len);
        return out->text != NULL;
    }
    if (strncmp(t->s, "db:", 3) == 0)
        return parse_db_name(p, t->s + 3, t->len - 3, t->col + 3, out);
    if (strncmp(t->s, "log:", 4) == 0) {
        uint64_t gen;
        int rc = scn__parse_uint(t->s + 4, t->len - 4, UINT32_MAX, &gen);
        if (rc != 0) {
            number_diag(p, t->col + 4, t->s + 4, t->len - 4, rc);
            return false;
        }
        out->kind = SCN_FILE_LOG;
        out->gen = (uint32_t)gen;
        return true;
    }
    scn__diag(p, t->col, "bad file '%s' (db:NAME, log:GEN, \"text\" or null)", scn__word(p, t));
    return false;
}

static bool parse_grbit(struct scn__parser *p, const struct scn__tok *t, JET_GRBIT *out)
{
    size_t off, len;
    int rc = scn__grbit_parse_part(t->s, out, &off, &len);
    if (rc == 0)
        return true;
    const char *part = t->s + off;
    int col = t->col + (int)off;
    if (len == 0)
        scn__diag(p, col, "empty part in grbit '%s'", scn__word(p, t));
    else if (part[0] >= '0' && part[0] <= '9')
        number_diag(p, col, part, len, rc);
    else {
        const char *w = scn__clip(p, part, len);
        scn__diag(p, col, "unknown grbit '%s'%s", w,
                  scn__suggest(p, w, scn__grbit_names, scn__n_grbit_names));
    }
    return false;
}

/* The options of a step (after its positional arguments): `name=value` words. */
static bool parse_options(struct scn__parser *p, int *pi, struct scn_step *st, uint32_t args,
                          const char *step)
{
    static const char *const opt_names[] = {"buf=null", "buf=misaligned", "pcb=null"};
    bool pages_seen = false;
    while (*pi < p->n_toks && !scn__is_arrow(&p->toks[*pi])) {
        struct scn__tok *t = &p->toks[*pi];
        bool dup = false;
        if ((args & SCN__A_PAGES) && strncmp(t->s, "pages=", 6) == 0) {
            uint64_t v;
            int rc = scn__parse_uint(t->s + 6, t->len - 6, UINT32_MAX, &v);
            if (rc != 0) {
                number_diag(p, t->col + 6, t->s + 6, t->len - 6, rc);
                return false;
            }
            dup = pages_seen;
            pages_seen = true;
            st->arg = (uint32_t)v;
        } else if ((args & SCN__A_OPT_BUF) && scn__is(t, "buf=null")) {
            dup = (st->call_flags & (MODEL_CALL_BUF_NULL | MODEL_CALL_BUF_MISALIGNED)) != 0;
            st->call_flags |= MODEL_CALL_BUF_NULL;
        } else if ((args & SCN__A_OPT_MIS) && scn__is(t, "buf=misaligned")) {
            dup = (st->call_flags & (MODEL_CALL_BUF_NULL | MODEL_CALL_BUF_MISALIGNED)) != 0;
            st->call_flags |= MODEL_CALL_BUF_MISALIGNED;
        } else if ((args & SCN__A_OPT_PCB) && scn__is(t, "pcb=null")) {
            dup = (st->call_flags & MODEL_CALL_PCB_NULL) != 0;
            st->call_flags |= MODEL_CALL_PCB_NULL;
        } else if (strchr(t->s, '=') != NULL && (args & (SCN__A_OPT_BUF | SCN__A_PAGES))) {
            const char *valid[3];
            size_t n = 0;
            if (args & SCN__A_PAGES)
                valid[n++] = "pages=";
            else {
                valid[n++] = opt_names[0];
                if (args & SCN__A_OPT_MIS)
                    valid[n++] = opt_names[1];
                valid[n++] = opt_names[2];
            }
            scn__diag(p, t->col, "unknown option '%s' for '%s'%s", scn__word(p, t), step,
                      scn__suggest(p, t->s, valid, n));
            return false;
        } else {
            scn__diag(p, t->col, "unexpected '%s' after the arguments of '%s'", scn__word(p, t),
                      step);
            return false;
        }
        if (dup) {
            scn__diag(p, t->col, "option '%s' given twice", scn__clip(p, t->s, strcspn(t->s, "=")));
            return false;
        }
        (*pi)++;
    }
    if ((args & SCN__A_PAGES) && !pages_seen) {
        scn__diag(p, *pi < p->n_toks ? p->toks[*pi].col : scn__eol_col(p), "'%s' needs pages=N",
                  step);
        return false;
    }
    return true;
}

/* The positional arguments and options of an API or fixture step (op table). */
static bool parse_op_args(struct scn__parser *p, int *pi, struct scn_step *st, uint32_t args,
                          const char *step)
{
    struct scn__tok *t;
    if (args & SCN__A_BIND) {
        if ((t = scn__need(p, *pi, step, "a handle name to bind")) == NULL ||
            (st->bind = bind_var(p, t)) < 0)
            return false;
        (*pi)++;
    }
    if (args & SCN__A_INST) {
        if ((t = scn__need(p, *pi, step, "an instance (a handle name, nil, never or a number)")) ==
                NULL ||
            !parse_inst(p, t, &st->inst))
            return false;
        (*pi)++;
    }
    if (args & SCN__A_DBNAME) {
        if ((t = scn__need(p, *pi, step, "a database name")) == NULL ||
            !parse_db_name(p, t->s, t->len, t->col, &st->file))
            return false;
        (*pi)++;
    }
    if (args & SCN__A_GEN) {
        if ((t = scn__need(p, *pi, step, "a log generation")) == NULL || !parse_u32(p, t, &st->arg))
            return false;
        (*pi)++;
    }
    if (args & SCN__A_STATE) {
        if ((t = scn__need(p, *pi, step, "a state")) == NULL)
            return false;
        uint32_t s;
        for (s = 1; s < BACKSTOP_STATE__COUNT; s++)
            if (scn__is(t, scn__state_names[s]))
                break;
        if (s == BACKSTOP_STATE__COUNT) {
            scn__diag(p, t->col, "unknown state '%s'%s", scn__word(p, t),
                      scn__suggest(p, t->s, scn__state_names + 1, BACKSTOP_STATE__COUNT - 1));
            return false;
        }
        st->arg = s;
        (*pi)++;
    }
    if (args & SCN__A_FILE) {
        if ((t = scn__need(p, *pi, step, "a file (db:NAME, log:GEN, \"text\" or null)")) == NULL ||
            !parse_file(p, t, &st->file))
            return false;
        (*pi)++;
    }
    if (args & SCN__A_HF_BIND) {
        if ((t = scn__need(p, *pi, step, "a file handle name to bind")) == NULL ||
            (st->bind = bind_var(p, t)) < 0)
            return false;
        (*pi)++;
    }
    if (args & SCN__A_HF) {
        if ((t = scn__need(p, *pi, step, "a file handle (a handle name or a number)")) == NULL ||
            !parse_hf(p, t, &st->hf))
            return false;
        (*pi)++;
    }
    if (args & SCN__A_GRBIT) {
        if ((t = scn__need(p, *pi, step, "a grbit")) == NULL || !parse_grbit(p, t, &st->grbit))
            return false;
        (*pi)++;
    }
    if (args & SCN__A_CB) {
        if ((t = scn__need(p, *pi, step, "a buffer size (bytes or Np)")) == NULL ||
            !parse_size(p, t->s, t->len, t->col, UINT32_MAX, &st->cb))
            return false;
        (*pi)++;
    }
    return parse_options(p, pi, st, args, step);
}

/* instance NAME [init=no] [logging=off] [circular=on] */
static bool parse_instance(struct scn__parser *p, int *pi, struct scn_step *st)
{
    static const char *const opts[] = {"init=no",    "init=yes",    "logging=off",
                                       "logging=on", "circular=on", "circular=off"};
    static const uint32_t bits[] = {SCN_STEP_INIT_NO,     SCN_STEP_INIT_NO,  SCN_STEP_LOGGING_OFF,
                                    SCN_STEP_LOGGING_OFF, SCN_STEP_CIRCULAR, SCN_STEP_CIRCULAR};
    struct scn__tok *t = scn__need(p, *pi, "instance", "a handle name to bind");
    if (t == NULL || (st->bind = bind_var(p, t)) < 0)
        return false;
    uint32_t seen = 0;
    for ((*pi)++; *pi < p->n_toks && !scn__is_arrow(&p->toks[*pi]); (*pi)++) {
        t = &p->toks[*pi];
        size_t k;
        for (k = 0; k < 6; k++)
            if (scn__is(t, opts[k]))
                break;
        if (k == 6) {
            scn__diag(p, t->col, "unknown option '%s' for 'instance'%s", scn__word(p, t),
                      scn__suggest(p, t->s, opts, 6));
            return false;
        }
        if (seen & bits[k]) {
            scn__diag(p, t->col, "option '%s' given twice", scn__clip(p, t->s, strcspn(t->s, "=")));
            return false;
        }
        seen |= bits[k];
        /* The first of each pair is the non-default value. */
        if (k % 2 == 0)
            st->step_flags |= bits[k];
    }
    return true;
}

/* fault POINT [nth=N] */
static bool parse_fault(struct scn__parser *p, int *pi, struct scn_step *st)
{
    struct scn__tok *t = scn__need(p, *pi, "fault", "a fault point");
    if (t == NULL)
        return false;
    size_t k;
    for (k = 0; k < scn__n_fault_points; k++)
        if (scn__is(t, scn__fault_points[k]))
            break;
    if (k == scn__n_fault_points) {
        scn__diag(p, t->col, "unknown fault point '%s'%s", scn__word(p, t),
                  scn__suggest(p, t->s, scn__fault_points, scn__n_fault_points));
        return false;
    }
    st->text = scn__fault_points[k];
    (*pi)++;
    if (*pi < p->n_toks && !scn__is_arrow(&p->toks[*pi])) {
        t = &p->toks[*pi];
        if (strncmp(t->s, "nth=", 4) != 0) {
            scn__diag(p, t->col, "unexpected '%s' after the fault point (nth=N)", scn__word(p, t));
            return false;
        }
        uint64_t v;
        int rc = scn__parse_uint(t->s + 4, t->len - 4, UINT32_MAX, &v);
        if (rc != 0) {
            number_diag(p, t->col + 4, t->s + 4, t->len - 4, rc);
            return false;
        }
        st->arg = (uint32_t)v;
        (*pi)++;
    }
    return true;
}

/* backup-client INST full|incremental [stop-after N] */
static bool parse_backup_client(struct scn__parser *p, int *pi, struct scn_step *st)
{
    struct scn__tok *t =
        scn__need(p, *pi, "backup-client", "an instance (a handle name, nil, never or a number)");
    if (t == NULL || !parse_inst(p, t, &st->inst))
        return false;
    (*pi)++;
    if ((t = scn__need(p, *pi, "backup-client", "full or incremental")) == NULL)
        return false;
    if (scn__is(t, "incremental"))
        st->step_flags |= SCN_STEP_INCREMENTAL;
    else if (!scn__is(t, "full")) {
        static const char *const kinds[] = {"full", "incremental"};
        scn__diag(p, t->col, "expected full or incremental, not '%s'%s", scn__word(p, t),
                  scn__suggest(p, t->s, kinds, 2));
        return false;
    }
    (*pi)++;
    if (*pi < p->n_toks && !scn__is_arrow(&p->toks[*pi])) {
        t = &p->toks[*pi];
        if (!scn__is(t, "stop-after")) {
            scn__diag(p, t->col, "unexpected '%s' (stop-after N)", scn__word(p, t));
            return false;
        }
        (*pi)++;
        if ((t = scn__need(p, *pi, "stop-after", "a number")) == NULL || !parse_u32(p, t, &st->arg))
            return false;
        st->text = "stop-after";
        (*pi)++;
    }
    return true;
}

/* ---------------------------------------------------------------------------
 * Expectations and checks
 * ------------------------------------------------------------------------- */

/* RESULT or PROFILE:RESULT. */
static bool parse_result(struct scn__parser *p, const struct scn__tok *t, struct scn_result *out)
{
    const char *s = t->s;
    size_t len = t->len;
    int col = t->col;
    out->profile_mask = 0;
    const char *colon = memchr(s, ':', len);
    if (colon != NULL) {
        size_t n = (size_t)(colon - s);
        const char *prof = scn__clip(p, s, n);
        int pr = scn__profile_parse(prof);
        if (n == 0 || pr < 0) {
            scn__diag(p, col, "unknown profile '%s'%s", prof,
                      scn__suggest(p, prof, scn__profile_names, MODEL_PROFILE__COUNT));
            return false;
        }
        out->profile_mask = 1u << pr;
        s += n + 1;
        len -= n + 1;
        col += (int)n + 1;
        if (len == 0) {
            scn__diag(p, col, "expected a result after '%s:'", prof);
            return false;
        }
    }
    if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-') {
        int rc = scn__parse_err_number(s, len, &out->err);
        if (rc == 0)
            return true;
        if (rc == SCN__NUM_RANGE)
            scn__diag(p, col, "number '%s' is out of range", scn__clip(p, s, len));
        else
            scn__diag(p, col, "bad number '%s'", scn__clip(p, s, len));
        return false;
    }
    if (scn_err_parse(s, &out->err) == 0)
        return true;
    scn__diag(p, col, "unknown error '%s'%s", scn__clip(p, s, len),
              scn__suggest(p, s, scn__err_names, scn__n_err_names));
    return false;
}

static bool is_op_char(char c)
{
    return c == '=' || c == '<' || c == '>' || c == '!';
}

/* Does a check (KEY OP VALUE) start at word i? */
static bool check_starts(const struct scn__parser *p, int i)
{
    const struct scn__tok *t = &p->toks[i];
    if (strpbrk(t->s, "=<>!") != NULL)
        return true;
    return i + 1 < p->n_toks && is_op_char(p->toks[i + 1].s[0]);
}

static bool add_result(struct scn__parser *p, const struct scn__tok *t, struct scn_expect *e)
{
    if (e->n_results == SCN_MAX_RESULTS) {
        scn__diag(p, t->col, "too many results (at most %d)", SCN_MAX_RESULTS);
        return false;
    }
    if (!parse_result(p, t, &e->results[e->n_results]))
        return false;
    e->n_results++;
    return true;
}

/* `-> R [PROFILE:R...]`, `-> *` or `expect-any R...`, at word *pi. */
static bool parse_expect(struct scn__parser *p, int *pi, struct scn_step *st)
{
    struct scn_expect *e = &st->expect;
    const struct scn__tok *arrow = &p->toks[*pi];
    memset(e, 0, sizeof *e);
    (*pi)++;
    if (scn__is(arrow, "expect-any")) {
        e->kind = SCN_EXPECT_ANY_OF;
        while (*pi < p->n_toks && !check_starts(p, *pi)) {
            if (!add_result(p, &p->toks[*pi], e))
                return false;
            (*pi)++;
        }
        if (e->n_results == 0) {
            scn__diag(p, *pi < p->n_toks ? p->toks[*pi].col : scn__eol_col(p),
                      "'expect-any' needs at least one result");
            return false;
        }
        return true;
    }
    if (*pi == p->n_toks) {
        scn__diag(p, scn__eol_col(p), "expected a result after '->'");
        return false;
    }
    if (scn__is(&p->toks[*pi], "*")) {
        e->kind = SCN_EXPECT_ANYTHING;
        (*pi)++;
        if (*pi < p->n_toks) {
            scn__diag(p, p->toks[*pi].col, "nothing may follow '-> *'");
            return false;
        }
        return true;
    }
    e->kind = SCN_EXPECT_ONE;
    if (!add_result(p, &p->toks[*pi], e))
        return false;
    for ((*pi)++; *pi < p->n_toks && memchr(p->toks[*pi].s, ':', p->toks[*pi].len) != NULL;
         (*pi)++) {
        const struct scn__tok *t = &p->toks[*pi];
        if (!add_result(p, t, e))
            return false;
        unsigned mask = e->results[e->n_results - 1].profile_mask;
        for (int k = 0; k < e->n_results - 1; k++) {
            if (e->results[k].profile_mask == mask) {
                scn__diag(p, t->col, "two results for profile '%s'",
                          scn__clip(p, t->s, strcspn(t->s, ":")));
                return false;
            }
        }
    }
    int n_default = 0;
    for (int k = 0; k < e->n_results; k++)
        n_default += e->results[k].profile_mask == 0;
    if (n_default == 0) {
        scn__diag(p, arrow->col, "'->' needs one result for every profile before PROFILE:RESULT");
        return false;
    }
    if (*pi < p->n_toks && !check_starts(p, *pi)) {
        scn__diag(p, p->toks[*pi].col,
                  "'%s' after the result: '->' takes one result (use expect-any for several)",
                  scn__word(p, &p->toks[*pi]));
        return false;
    }
    return true;
}

/* The check keys a step may carry, as bits (1 << enum scn_check_key). */
static uint32_t check_keys_for(const struct scn_step *st)
{
    if (st->kind == SCN_STEP_LOGS_ON_DISK)
        return 1u << SCN_CHECK_LOW | 1u << SCN_CHECK_HIGH;
    if (st->kind != SCN_STEP_API)
        return 0;
    uint32_t args = scn__op_args(st->op), keys = 0;
    if (args & SCN__A_HF_BIND)
        keys |= 1u << SCN_CHECK_SIZE | 1u << SCN_CHECK_HF;
    if (args & (SCN__A_LIST | SCN__A_READ))
        keys |= 1u << SCN_CHECK_ACTUAL;
    if (args & SCN__A_LIST)
        keys |= 1u << SCN_CHECK_COUNT;
    if (args & SCN__A_GENS)
        keys |= 1u << SCN_CHECK_GENLOW | 1u << SCN_CHECK_GENHIGH;
    return keys;
}

/* KEY OP VALUE at word *pi, written as one, two or three words (`actual>=4`,
 * `actual >= 4`, `actual >=4`...). */
static bool parse_check(struct scn__parser *p, int *pi, struct scn_step *st, const char *step)
{
    const struct scn__tok *t = &p->toks[*pi];
    size_t k = 0;
    while (k < t->len && ((t->s[k] >= 'a' && t->s[k] <= 'z') || (t->s[k] >= 'A' && t->s[k] <= 'Z')))
        k++;
    if (k == 0) {
        scn__diag(p, t->col, "expected a check KEY OP VALUE, not '%s'", scn__word(p, t));
        return false;
    }
    const char *key = scn__clip(p, t->s, k);
    int key_id;
    for (key_id = SCN_CHECK_SIZE; key_id <= SCN_CHECK_HIGH; key_id++)
        if (strcmp(scn__check_keys[key_id], key) == 0)
            break;
    if (key_id > SCN_CHECK_HIGH) {
        scn__diag(p, t->col, "unknown check key '%s'%s", key,
                  scn__suggest(p, key, scn__check_keys + 1, SCN_CHECK_HIGH));
        return false;
    }
    if (!(check_keys_for(st) & 1u << key_id)) {
        scn__diag(p, t->col, "check '%s' does not apply to '%s'", key, step);
        return false;
    }
    if (st->n_checks == SCN_MAX_CHECKS) {
        scn__diag(p, t->col, "too many checks (at most %d)", SCN_MAX_CHECKS);
        return false;
    }
    /* The comparison: the rest of this word, or the next word. */
    int ti = *pi;
    const char *r = t->s + k;
    size_t rlen = t->len - k;
    int rcol = t->col + (int)k;
    if (rlen == 0) {
        if (++ti == p->n_toks) {
            scn__diag(p, scn__eol_col(p), "expected =, !=, <, <=, > or >= after '%s'", key);
            return false;
        }
        r = p->toks[ti].s;
        rlen = p->toks[ti].len;
        rcol = p->toks[ti].col;
    }
    enum scn_cmp cmp;
    size_t oplen = 1;
    if (rlen >= 2 && r[1] == '=' && (r[0] == '!' || r[0] == '<' || r[0] == '>')) {
        cmp = r[0] == '!' ? SCN_CMP_NE : r[0] == '<' ? SCN_CMP_LE : SCN_CMP_GE;
        oplen = 2;
    } else if (r[0] == '=') {
        cmp = SCN_CMP_EQ;
    } else if (r[0] == '<') {
        cmp = SCN_CMP_LT;
    } else if (r[0] == '>') {
        cmp = SCN_CMP_GT;
    } else {
        scn__diag(p, rcol, "expected =, !=, <, <=, > or >= after '%s'", key);
        return false;
    }
    /* The value: the rest of that word, or the next word. */
    const char *v = r + oplen;
    size_t vlen = rlen - oplen;
    int vcol = rcol + (int)oplen;
    if (vlen == 0) {
        if (++ti == p->n_toks) {
            scn__diag(p, scn__eol_col(p), "expected a value after '%s%s'", key,
                      scn__cmp_names[cmp]);
            return false;
        }
        v = p->toks[ti].s;
        vlen = p->toks[ti].len;
        vcol = p->toks[ti].col;
    }
    struct scn_check *c = &st->checks[st->n_checks];
    if (!parse_size(p, v, vlen, vcol, UINT64_MAX, &c->value))
        return false;
    c->key = (enum scn_check_key)key_id;
    c->cmp = cmp;
    st->n_checks++;
    *pi = ti + 1;
    return true;
}

/* ---------------------------------------------------------------------------
 * Steps
 * ------------------------------------------------------------------------- */

/* Directive words, for "did you mean": the first N_CASE_WORDS are not steps. */
static const char *const directives[] = {
    "case",       "end",         "include",   "intent",       "rules",
    "profile",    "parallel",    "page-size", "log-size",     "instance",
    "oneinst",    "database",    "detach",    "roll-log",     "checkpoint",
    "delete-log", "force-state", "fault",     "logs-on-disk", "backup-client",
};
#define N_DIRECTIVES (sizeof directives / sizeof directives[0])
#define N_CASE_WORDS 7

bool scn__is_directive(const char *w)
{
    for (size_t i = 0; i < N_DIRECTIVES; i++)
        if (strcmp(directives[i], w) == 0)
            return true;
    return false;
}

bool scn__is_step_word(const char *w)
{
    enum model_op op;
    if (scn__op_parse(w, &op) == 0 && op != MODEL_OP_FX_CONFIGURE)
        return true;
    for (size_t i = N_CASE_WORDS; i < N_DIRECTIVES; i++)
        if (strcmp(directives[i], w) == 0)
            return true;
    return false;
}

/* "unknown API function" or "unknown directive", with the nearest name. */
void scn__unknown_word(struct scn__parser *p, const struct scn__tok *t)
{
    const char *names[MODEL_OP__COUNT + N_DIRECTIVES];
    size_t n = scn__jet_names(names);
    const char *w = scn__word(p, t);
    bool jet = t->len >= 3 && (t->s[0] == 'J' || t->s[0] == 'j') &&
               (t->s[1] == 'e' || t->s[1] == 'E') && (t->s[2] == 't' || t->s[2] == 'T');
    if (jet) {
        scn__diag(p, t->col, "unknown API function '%s'%s", w, scn__suggest(p, t->s, names, n));
        return;
    }
    for (size_t i = 0; i < N_DIRECTIVES; i++)
        names[n++] = directives[i];
    scn__diag(p, t->col, "unknown directive '%s'%s", w, scn__suggest(p, t->s, names, n));
}

void scn__add_step(struct scn__parser *p, const struct scn_step *st)
{
    if (p->c.n_steps == SCN_MAX_STEPS) {
        if (!p->over_steps)
            scn__diag_at(p, st->loc, "case '%s' has more than %d steps", p->c.name, SCN_MAX_STEPS);
        p->over_steps = true;
        p->case_bad = true;
        return;
    }
    if (p->c.n_steps == p->max_steps) {
        int max = p->max_steps > 0 ? p->max_steps * 2 : 16;
        if (max > SCN_MAX_STEPS)
            max = SCN_MAX_STEPS;
        struct scn_step *steps = realloc(p->steps, (size_t)max * sizeof *steps);
        if (steps == NULL) {
            scn__oom(p);
            return;
        }
        p->steps = steps;
        p->max_steps = max;
    }
    p->steps[p->c.n_steps++] = *st;
}

void scn__step_init(struct scn_step *st, struct scn_loc loc, int thread)
{
    memset(st, 0, sizeof *st);
    st->loc = loc;
    st->op = MODEL_OP__COUNT; /* meaningful only for SCN_STEP_API */
    st->thread = thread;
    st->bind = -1;
    st->inst.var = -1;
    st->hf.var = -1;
    /* A step without `->` expects JET_errSuccess: say so in results[] too, so a
     * runner may treat DEFAULT like ONE. */
    st->expect.kind = SCN_EXPECT_DEFAULT;
    st->expect.n_results = 1;
    st->expect.results[0].err = JET_errSuccess;
}

/* One step, from word i of the current line. */
void scn__parse_step(struct scn__parser *p, int i, int thread)
{
    const struct scn__tok *t = &p->toks[i];
    const char *name = t->s;
    struct scn_step st;
    scn__step_init(&st, scn__here(p, t->col), thread);
    enum model_op op;
    bool ok;
    i++;
    if (strcmp(name, "instance") == 0) {
        st.kind = SCN_STEP_INSTANCE;
        ok = parse_instance(p, &i, &st);
    } else if (strcmp(name, "oneinst") == 0) {
        st.kind = SCN_STEP_ONEINST;
        ok = parse_op_args(p, &i, &st, SCN__A_BIND, name);
    } else if (strcmp(name, "page-size") == 0 || strcmp(name, "log-size") == 0) {
        st.kind = name[0] == 'p' ? SCN_STEP_PAGE_SIZE : SCN_STEP_LOG_SIZE;
        const struct scn__tok *n = scn__need(p, i, name, "a size in bytes");
        ok = n != NULL && parse_number(p, n, UINT32_MAX, &st.cb.value);
        if (ok) {
            i++;
            ok = parse_options(p, &i, &st, 0, name);
        }
    } else if (strcmp(name, "logs-on-disk") == 0) {
        /* logs-on-disk INST low=N high=N: the checks are its arguments. */
        st.kind = SCN_STEP_LOGS_ON_DISK;
        const struct scn__tok *n =
            scn__need(p, i, name, "an instance (a handle name, nil, never or a number)");
        ok = n != NULL && parse_inst(p, n, &st.inst);
        for (i++; ok && i < p->n_toks && !scn__is_arrow(&p->toks[i]);)
            ok = parse_check(p, &i, &st, name);
    } else if (strcmp(name, "fault") == 0) {
        st.kind = SCN_STEP_FAULT;
        ok = parse_fault(p, &i, &st);
    } else if (strcmp(name, "backup-client") == 0) {
        st.kind = SCN_STEP_BACKUP_CLIENT;
        ok = parse_backup_client(p, &i, &st);
    } else if (scn__op_parse(name, &op) == 0 && op != MODEL_OP_FX_CONFIGURE) {
        st.kind = SCN_STEP_API;
        st.op = op;
        ok = parse_op_args(p, &i, &st, scn__op_args(op), name);
    } else {
        scn__unknown_word(p, t);
        return;
    }
    if (!ok)
        return;
    bool expected = false;
    if (i < p->n_toks && scn__is_arrow(&p->toks[i])) {
        if (!parse_expect(p, &i, &st))
            return;
        expected = true;
    }
    while (i < p->n_toks)
        if (!parse_check(p, &i, &st, name))
            return;
    if (st.kind == SCN_STEP_LOGS_ON_DISK && st.n_checks == 0) {
        scn__diag(p, scn__eol_col(p), "'logs-on-disk' needs low=N and/or high=N");
        return;
    }
    if (st.kind == SCN_STEP_API && (scn__op_args(st.op) & SCN__A_JET) && !expected) {
        scn__diag(p, t->col,
                  "'%s' needs an expected result ('-> RESULT', 'expect-any RESULT...' or '-> *')",
                  name);
        return;
    }
    scn__add_step(p, &st);
}
