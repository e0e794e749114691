/*
 * scn_print.c: writes a parsed case back as .scn text in canonical form: two
 * spaces of indent (four inside a parallel block), intent, rules and profile
 * first, then the steps with their arguments in README order, error names for
 * results that have one, grbits as the names of the operation's family, and
 * checks written `key<op>value`. Parsing that text gives the same case again
 * (scn.h: parse -> print -> parse is the identity).
 *
 * Not for reports: those show cases by name and location, not as text.
 */
#include <inttypes.h>
#include <string.h>

#include "scn_int.h"

static const char *var_name(const struct scn_case *c, int i)
{
    return i >= 0 && i < c->n_vars ? c->vars[i] : NULL;
}

static void print_ref(FILE *out, const struct scn_case *c, const struct scn_ref *r)
{
    switch (r->kind) {
    case SCN_REF_VAR:
        fprintf(out, " %s", var_name(c, r->var));
        break;
    case SCN_REF_INT:
        fprintf(out, " %" PRIu64, r->value);
        break;
    case SCN_REF_NIL:
        fputs(" nil", out);
        break;
    case SCN_REF_NEVER:
        fputs(" never", out);
        break;
    case SCN_REF_NONE:
        break;
    }
}

static void print_size(FILE *out, const struct scn_size *s)
{
    fprintf(out, "%" PRIu64 "%s", s->value, s->pages ? "p" : "");
}

static void print_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_file(FILE *out, const struct scn_file *f)
{
    switch (f->kind) {
    case SCN_FILE_DB:
        fprintf(out, " db:%s", f->text);
        break;
    case SCN_FILE_LOG:
        fprintf(out, " log:%" PRIu32, f->gen);
        break;
    case SCN_FILE_STRING:
        fputc(' ', out);
        print_string(out, f->text);
        break;
    case SCN_FILE_NULL:
        fputs(" null", out);
        break;
    case SCN_FILE_NONE:
        break;
    }
}

/* A grbit as the names of the operation's family (Begin's, End2's, Term2's),
 * the bits no name covers in hex. */
static void print_grbit(FILE *out, enum model_op op, JET_GRBIT g)
{
    enum scn__grbit_family fam = SCN__GRBIT_OTHER;
    if (op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY)
        fam = SCN__GRBIT_BEGIN;
    else if (op == MODEL_OP_END2)
        fam = SCN__GRBIT_END;
    else if (op == MODEL_OP_TERM2)
        fam = SCN__GRBIT_TERM;
    fputc(' ', out);
    if (g == 0) {
        fputc('0', out);
        return;
    }
    const char *sep = "";
    const char *name;
    JET_GRBIT value;
    enum scn__grbit_family f;
    for (size_t i = 0; scn__grbit_entry(i, &name, &value, &f); i++) {
        if (f == fam && fam != SCN__GRBIT_OTHER && value != 0 && (g & value) == value) {
            fprintf(out, "%s%s", sep, name);
            sep = "|";
            g &= ~value;
        }
    }
    if (g != 0)
        fprintf(out, "%s0x%" PRIx32, sep, (uint32_t)g);
}

static void print_result(FILE *out, const struct scn_result *r)
{
    fputc(' ', out);
    for (int p = 0; p < MODEL_PROFILE__COUNT; p++)
        if (r->profile_mask == 1u << p)
            fprintf(out, "%s:", scn__profile_names[p]);
    const char *name = scn_err_name(r->err);
    if (name != NULL)
        fputs(name, out);
    else
        fprintf(out, "%" PRId32, r->err);
}

static void print_expect(FILE *out, const struct scn_expect *e)
{
    switch (e->kind) {
    case SCN_EXPECT_DEFAULT:
        return;
    case SCN_EXPECT_ANYTHING:
        fputs(" -> *", out);
        return;
    case SCN_EXPECT_ONE:
        fputs(" ->", out);
        break;
    case SCN_EXPECT_ANY_OF:
        fputs(" expect-any", out);
        break;
    }
    for (int i = 0; i < e->n_results; i++)
        print_result(out, &e->results[i]);
}

static void print_checks(FILE *out, const struct scn_step *st)
{
    for (int i = 0; i < st->n_checks; i++) {
        const struct scn_check *k = &st->checks[i];
        fprintf(out, " %s%s", scn__check_keys[k->key], scn__cmp_names[k->cmp]);
        print_size(out, &k->value);
    }
}

/* The arguments of an API or fixture step, in the order the parser reads them. */
static void print_op_args(FILE *out, const struct scn_case *c, const struct scn_step *st)
{
    uint32_t args = scn__op_args(st->op);
    if (args & SCN__A_BIND)
        fprintf(out, " %s", var_name(c, st->bind));
    if (args & SCN__A_INST)
        print_ref(out, c, &st->inst);
    if (args & SCN__A_DBNAME)
        fprintf(out, " %s", st->file.text);
    if (args & SCN__A_GEN)
        fprintf(out, " %" PRIu32, st->arg);
    if (args & SCN__A_STATE)
        fprintf(out, " %s", scn__state_names[st->arg]);
    if (args & SCN__A_FILE)
        print_file(out, &st->file);
    if (args & SCN__A_HF_BIND)
        fprintf(out, " %s", var_name(c, st->bind));
    if (args & SCN__A_HF)
        print_ref(out, c, &st->hf);
    if (args & SCN__A_GRBIT)
        print_grbit(out, st->op, st->grbit);
    if (args & SCN__A_CB) {
        fputc(' ', out);
        print_size(out, &st->cb);
    }
    if (args & SCN__A_PAGES)
        fprintf(out, " pages=%" PRIu32, st->arg);
    if (st->call_flags & MODEL_CALL_BUF_NULL)
        fputs(" buf=null", out);
    if (st->call_flags & MODEL_CALL_BUF_MISALIGNED)
        fputs(" buf=misaligned", out);
    if (st->call_flags & MODEL_CALL_PCB_NULL)
        fputs(" pcb=null", out);
}

static void print_step(FILE *out, const struct scn_case *c, const struct scn_step *st)
{
    switch (st->kind) {
    case SCN_STEP_INSTANCE:
        fprintf(out, "instance %s%s%s%s", var_name(c, st->bind),
                st->step_flags & SCN_STEP_INIT_NO ? " init=no" : "",
                st->step_flags & SCN_STEP_LOGGING_OFF ? " logging=off" : "",
                st->step_flags & SCN_STEP_CIRCULAR ? " circular=on" : "");
        break;
    case SCN_STEP_ONEINST:
        fprintf(out, "oneinst %s", var_name(c, st->bind));
        break;
    case SCN_STEP_PAGE_SIZE:
    case SCN_STEP_LOG_SIZE:
        fprintf(out, "%s %" PRIu64, st->kind == SCN_STEP_PAGE_SIZE ? "page-size" : "log-size",
                st->cb.value);
        break;
    case SCN_STEP_LOGS_ON_DISK:
        fputs("logs-on-disk", out);
        print_ref(out, c, &st->inst);
        print_checks(out, st);
        break;
    case SCN_STEP_FAULT:
        fprintf(out, "fault %s", st->text);
        if (st->arg != 0)
            fprintf(out, " nth=%" PRIu32, st->arg);
        break;
    case SCN_STEP_BACKUP_CLIENT:
        fputs("backup-client", out);
        print_ref(out, c, &st->inst);
        fputs(st->step_flags & SCN_STEP_INCREMENTAL ? " incremental" : " full", out);
        if (st->text != NULL)
            fprintf(out, " stop-after %" PRIu32, st->arg);
        break;
    case SCN_STEP_API:
        fputs(scn__op_name(st->op), out);
        print_op_args(out, c, st);
        break;
    case SCN_STEP_PARALLEL_BEGIN:
    case SCN_STEP_PARALLEL_END:
        break;
    }
    print_expect(out, &st->expect);
    if (st->kind != SCN_STEP_LOGS_ON_DISK)
        print_checks(out, st);
}

static bool ref_ok(const struct scn_case *c, const struct scn_ref *r)
{
    return r->kind >= SCN_REF_NONE && r->kind <= SCN_REF_NEVER &&
           (r->kind != SCN_REF_VAR || var_name(c, r->var) != NULL);
}

/* Text the parser could have read: no control bytes but the tab (which an intent
 * or a string may hold). */
static bool text_ok(const char *s)
{
    if (s == NULL)
        return false;
    for (; *s != '\0'; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return false;
    return true;
}

/* Can the step be printed at all? (Anything the parser made can.) */
static int check_step(const struct scn_case *c, const struct scn_step *st, bool in_par)
{
    const struct scn_expect *e = &st->expect;
    if (st->n_checks < 0 || st->n_checks > SCN_MAX_CHECKS || e->n_results < 0 ||
        e->n_results > SCN_MAX_RESULTS)
        return SCN_ELIMIT;
    if (st->kind < SCN_STEP_API || st->kind > SCN_STEP_PARALLEL_END ||
        e->kind < SCN_EXPECT_DEFAULT || e->kind > SCN_EXPECT_ANYTHING)
        return SCN_EPARSE;
    bool marker = st->kind == SCN_STEP_PARALLEL_BEGIN || st->kind == SCN_STEP_PARALLEL_END;
    if (!marker && (in_par ? st->thread < 0 || st->thread >= c->n_threads : st->thread != -1))
        return SCN_EPARSE;
    if (!ref_ok(c, &st->inst) || !ref_ok(c, &st->hf))
        return SCN_EPARSE;
    for (int i = 0; i < e->n_results; i++) {
        unsigned m = e->results[i].profile_mask;
        if (m != 0 && (m & (m - 1)) != 0)
            return SCN_EPARSE; /* one profile per alternative */
        if (m >> MODEL_PROFILE__COUNT != 0)
            return SCN_EPARSE;
    }
    for (int i = 0; i < st->n_checks; i++)
        if (st->checks[i].key < SCN_CHECK_SIZE || st->checks[i].key > SCN_CHECK_HIGH ||
            st->checks[i].cmp < SCN_CMP_EQ || st->checks[i].cmp > SCN_CMP_GE)
            return SCN_EPARSE;
    bool needs_bind = st->kind == SCN_STEP_INSTANCE || st->kind == SCN_STEP_ONEINST;
    uint32_t args = 0;
    if (st->kind == SCN_STEP_API) {
        args = scn__op_args(st->op);
        if (args == 0)
            return SCN_EPARSE;
        needs_bind = (args & (SCN__A_BIND | SCN__A_HF_BIND)) != 0;
        if ((args & SCN__A_STATE) && (st->arg == 0 || st->arg >= (uint32_t)BACKSTOP_STATE__COUNT))
            return SCN_EPARSE;
        if ((args & (SCN__A_DBNAME | SCN__A_FILE)) &&
            ((st->file.kind == SCN_FILE_DB || st->file.kind == SCN_FILE_STRING) &&
             !text_ok(st->file.text)))
            return SCN_EPARSE;
    }
    if (needs_bind && var_name(c, st->bind) == NULL)
        return SCN_EPARSE;
    if (st->kind == SCN_STEP_FAULT && !text_ok(st->text))
        return SCN_EPARSE;
    return SCN_OK;
}

int scn_print_case(const struct scn_case *c, FILE *out)
{
    if (c == NULL || out == NULL)
        return SCN_EPARSE;
    if (c->n_rules < 0 || c->n_rules > SCN_MAX_RULE_IDS || c->n_vars < 0 ||
        c->n_vars > SCN_MAX_VARS || c->n_threads < 0 || c->n_threads > SCN_MAX_THREADS ||
        c->n_steps < 0 || c->n_steps > SCN_MAX_STEPS)
        return SCN_ELIMIT;
    if (!text_ok(c->name) || !text_ok(c->intent) || (c->n_steps > 0 && c->steps == NULL))
        return SCN_EPARSE;
    for (int i = 0; i < c->n_rules; i++)
        if (!text_ok(c->rules[i]))
            return SCN_EPARSE;
    for (int i = 0; i < c->n_vars; i++)
        if (!text_ok(c->vars[i]))
            return SCN_EPARSE;
    for (int i = 0; i < c->n_threads; i++)
        if (!text_ok(c->threads[i]))
            return SCN_EPARSE;
    bool in_par = false;
    for (int i = 0; i < c->n_steps; i++) {
        const struct scn_step *st = &c->steps[i];
        if (st->kind == SCN_STEP_PARALLEL_BEGIN)
            in_par = true;
        int rc = check_step(c, st, in_par);
        if (rc != SCN_OK)
            return rc;
        if (st->kind == SCN_STEP_PARALLEL_END)
            in_par = false;
    }

    fprintf(out, "case %s\n  intent %s\n  rules", c->name, c->intent);
    for (int i = 0; i < c->n_rules; i++)
        fprintf(out, " %s", c->rules[i]);
    fputc('\n', out);
    if (c->profile_mask != 0) {
        fputs("  profile", out);
        for (int p = 0; p < MODEL_PROFILE__COUNT; p++)
            if (c->profile_mask & 1u << p)
                fprintf(out, " %s", scn__profile_names[p]);
        fputc('\n', out);
    }
    for (int i = 0; i < c->n_steps; i++) {
        const struct scn_step *st = &c->steps[i];
        if (st->kind == SCN_STEP_PARALLEL_BEGIN) {
            fputs("  parallel\n", out);
            continue;
        }
        if (st->kind == SCN_STEP_PARALLEL_END) {
            fputs("  end\n", out);
            continue;
        }
        if (st->thread >= 0)
            fprintf(out, "    %s: ", c->threads[st->thread]);
        else
            fputs("  ", out);
        print_step(out, c, st);
        fputc('\n', out);
    }
    fputs("end\n", out);
    return ferror(out) ? SCN_EIO : SCN_OK;
}
