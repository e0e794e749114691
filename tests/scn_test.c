/*
 * scn_test.c: tests of the scenario parser and printer (harness/scn*.c). Valid
 * cases of every step kind with their parsed fields, includes and directories,
 * the printer's round trip, the name tables, and a table of malformed inputs
 * each with its exact "file:line:col: message" diagnostic.
 *
 * Tests that touch files work in a fresh temporary directory that they chdir
 * into; Criterion runs each test in its own process, so that is local to it.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scn.h"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

struct parsed {
    struct scn_suite *suite;
    int status;
    char *diag; /* everything written to the diagnostics stream */
};

static struct parsed parse_len(const char *name, const char *text, size_t len)
{
    struct parsed r = {0};
    size_t cb = 0;
    FILE *d = open_memstream(&r.diag, &cb);
    cr_assert_not_null(d);
    r.status = scn_parse_buffer(name, text, len, d, &r.suite);
    fclose(d);
    return r;
}

static struct parsed parse(const char *text)
{
    return parse_len("t.scn", text, strlen(text));
}

static void parsed_free(struct parsed *r)
{
    scn_suite_free(r->suite);
    free(r->diag);
}

/* Parse text that must be valid, with exactly one case. */
static const struct scn_case *parse_one(struct parsed *r, const char *text)
{
    *r = parse(text);
    cr_assert_str_eq(r->diag, "", "unexpected diagnostics for:\n%s", text);
    cr_assert_eq(r->status, SCN_OK);
    cr_assert_eq(scn_suite_count(r->suite), 1);
    return scn_suite_case(r->suite, 0);
}

static bool str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool ref_eq(const struct scn_ref *a, const struct scn_ref *b)
{
    return a->kind == b->kind && a->var == b->var && a->value == b->value;
}

static bool step_eq(const struct scn_step *a, const struct scn_step *b)
{
    if (a->kind != b->kind || a->op != b->op || a->thread != b->thread ||
        !ref_eq(&a->inst, &b->inst) || !ref_eq(&a->hf, &b->hf) || a->bind != b->bind ||
        a->grbit != b->grbit || a->cb.value != b->cb.value || a->cb.pages != b->cb.pages ||
        a->file.kind != b->file.kind || !str_eq(a->file.text, b->file.text) ||
        a->file.gen != b->file.gen || a->call_flags != b->call_flags || a->arg != b->arg ||
        a->step_flags != b->step_flags || !str_eq(a->text, b->text) ||
        a->expect.kind != b->expect.kind || a->expect.n_results != b->expect.n_results ||
        a->n_checks != b->n_checks)
        return false;
    for (int i = 0; i < a->expect.n_results; i++)
        if (a->expect.results[i].err != b->expect.results[i].err ||
            a->expect.results[i].profile_mask != b->expect.results[i].profile_mask)
            return false;
    for (int i = 0; i < a->n_checks; i++)
        if (a->checks[i].key != b->checks[i].key || a->checks[i].cmp != b->checks[i].cmp ||
            a->checks[i].value.value != b->checks[i].value.value ||
            a->checks[i].value.pages != b->checks[i].value.pages)
            return false;
    return true;
}

/* Equal in everything but source locations. */
static bool case_eq(const struct scn_case *a, const struct scn_case *b)
{
    if (!str_eq(a->name, b->name) || !str_eq(a->intent, b->intent) ||
        a->n_rules != b->n_rules || a->profile_mask != b->profile_mask ||
        a->n_vars != b->n_vars || a->n_threads != b->n_threads || a->n_steps != b->n_steps)
        return false;
    for (int i = 0; i < a->n_rules; i++)
        if (!str_eq(a->rules[i], b->rules[i]))
            return false;
    for (int i = 0; i < a->n_vars; i++)
        if (!str_eq(a->vars[i], b->vars[i]))
            return false;
    for (int i = 0; i < a->n_threads; i++)
        if (!str_eq(a->threads[i], b->threads[i]))
            return false;
    for (int i = 0; i < a->n_steps; i++)
        if (!step_eq(&a->steps[i], &b->steps[i]))
            return false;
    return true;
}

/* The canonical text of a case (caller frees). */
static char *print_case(const struct scn_case *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    cr_assert_eq(scn_print_case(c, f), SCN_OK);
    fclose(f);
    return text;
}

/* parse -> print -> parse gives an equal case, and printing again the same text. */
static void expect_round_trip(const struct scn_case *c)
{
    char *text = print_case(c);
    struct parsed again = parse(text);
    cr_assert_str_eq(again.diag, "", "printed text does not parse:\n%s", text);
    cr_assert_eq(scn_suite_count(again.suite), 1);
    const struct scn_case *c2 = scn_suite_case(again.suite, 0);
    cr_expect(case_eq(c, c2), "round trip changed the case:\n%s", text);
    char *text2 = print_case(c2);
    cr_expect_str_eq(text, text2);
    free(text2);
    parsed_free(&again);
    free(text);
}

/* What a test created in its temporary directory, removed when its process
 * exits: paths relative to the directory, in creation order. */
static char temp_dir[64];
static char *created[64];
static int n_created;

static void remember(const char *path)
{
    if (n_created < 64)
        created[n_created++] = strdup(path);
}

static void remove_temp_dir(void)
{
    while (n_created > 0) {
        char *path = created[--n_created];
        if (unlink(path) != 0)
            rmdir(path);
        free(path);
    }
    if (chdir("/") == 0)
        rmdir(temp_dir);
}

static void write_file(const char *path, const char *text)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *s = strchr(dir, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(dir, 0777) == 0)
            remember(dir);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    remember(path);
    fputs(text, f);
    fclose(f);
}

/* Make a fresh temporary directory the current one, removed at exit. */
static void enter_temp_dir(void)
{
    snprintf(temp_dir, sizeof temp_dir, "/tmp/scn_test.XXXXXX");
    cr_assert_not_null(mkdtemp(temp_dir));
    cr_assert_eq(chdir(temp_dir), 0);
    atexit(remove_temp_dir);
}

#define CASE_HEAD "case a.b\n  intent x\n  rules R1\n"

/* ---------------------------------------------------------------------------
 * Valid cases
 * ------------------------------------------------------------------------- */

Test(scn, parses_the_readme_example)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r,
        "case stop.end_after_stop_returns_zero\n"
        "  intent  End after Stop returns 0 and resets the whole backup (source; docs say -801).\n"
        "  rules   R21 S7 D1\n"
        "  profile ese esent                  # optional: the profiles the case is for\n"
        "  instance i\n"
        "  database i db1 pages=16\n"
        "  JetBeginExternalBackupInstance i 0            -> JET_errSuccess\n"
        "  JetStopBackupInstance i                       -> 0\n"
        "  JetEndExternalBackupInstance i                -> 0\n"
        "  JetEndExternalBackupInstance i                -> JET_errNoBackup\n"
        "end\n");
    cr_expect_str_eq(c->name, "stop.end_after_stop_returns_zero");
    cr_expect_str_eq(c->intent,
                     "End after Stop returns 0 and resets the whole backup "
                     "(source; docs say -801).");
    cr_expect_eq(c->n_rules, 3);
    cr_expect_str_eq(c->rules[0], "R21");
    cr_expect_str_eq(c->rules[1], "S7");
    cr_expect_str_eq(c->rules[2], "D1");
    cr_expect_eq(c->profile_mask, 1u << MODEL_PROFILE_ESE | 1u << MODEL_PROFILE_ESENT);
    cr_expect_str_eq(c->loc.file, "t.scn");
    cr_expect_eq(c->loc.line, 1);
    cr_expect_eq(c->loc.col, 1);
    cr_expect_eq(c->n_vars, 1);
    cr_expect_str_eq(c->vars[0], "i");
    cr_expect_eq(c->n_threads, 0);
    cr_assert_eq(c->n_steps, 6);

    const struct scn_step *s = &c->steps[0];
    cr_expect_eq(s->kind, SCN_STEP_INSTANCE);
    cr_expect_eq(s->bind, 0);
    cr_expect_eq(s->step_flags, 0);
    cr_expect_eq(s->thread, -1);
    cr_expect_eq(s->expect.kind, SCN_EXPECT_DEFAULT);
    cr_expect_eq(s->loc.line, 5);
    cr_expect_eq(s->loc.col, 3);

    s = &c->steps[1];
    cr_expect_eq(s->kind, SCN_STEP_API);
    cr_expect_eq(s->op, MODEL_OP_FX_CREATE_DB);
    cr_expect_eq(s->inst.kind, SCN_REF_VAR);
    cr_expect_eq(s->inst.var, 0);
    cr_expect_eq(s->file.kind, SCN_FILE_DB);
    cr_expect_str_eq(s->file.text, "db1");
    cr_expect_eq(s->arg, 16);
    cr_expect_eq(s->expect.kind, SCN_EXPECT_DEFAULT);
    cr_expect_eq(s->expect.n_results, 1);
    cr_expect_eq(s->expect.results[0].err, JET_errSuccess);

    s = &c->steps[2];
    cr_expect_eq(s->op, MODEL_OP_BEGIN);
    cr_expect_eq(s->grbit, 0);
    cr_expect_eq(s->expect.kind, SCN_EXPECT_ONE);
    cr_expect_eq(s->expect.n_results, 1);
    cr_expect_eq(s->expect.results[0].err, JET_errSuccess);
    cr_expect_eq(s->expect.results[0].profile_mask, 0);

    cr_expect_eq(c->steps[3].op, MODEL_OP_STOP_BACKUP_INSTANCE);
    cr_expect_eq(c->steps[4].op, MODEL_OP_END);
    cr_expect_eq(c->steps[5].expect.results[0].err, JET_errNoBackup);
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, parses_setup_steps)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD
        "  page-size 8192\n"
        "  log-size 0x20000\n"
        "  instance i init=no logging=off circular=on\n"
        "  instance j init=yes logging=on circular=off\n"
        "  oneinst o\n"
        "  detach i db2 -> JET_errBackupInProgress\n"
        "  roll-log i 5\n"
        "  checkpoint i 3\n"
        "  delete-log i 2\n"
        "  force-state i unavailable-log-full\n"
        "  fault read.verify nth=4\n"
        "  fault logroll.enospc\n"
        "  logs-on-disk i low=2 high=5\n"
        "  backup-client i full\n"
        "  backup-client j incremental stop-after 0\n"
        "end\n");
    cr_assert_eq(c->n_steps, 15);
    const struct scn_step *s = c->steps;
    cr_expect_eq(s[0].kind, SCN_STEP_PAGE_SIZE);
    cr_expect_eq(s[0].cb.value, 8192);
    cr_expect_not(s[0].cb.pages);
    cr_expect_eq(s[1].kind, SCN_STEP_LOG_SIZE);
    cr_expect_eq(s[1].cb.value, 0x20000);
    cr_expect_eq(s[2].kind, SCN_STEP_INSTANCE);
    cr_expect_eq(s[2].bind, 0);
    cr_expect_eq(s[2].step_flags, SCN_STEP_INIT_NO | SCN_STEP_LOGGING_OFF | SCN_STEP_CIRCULAR);
    cr_expect_eq(s[3].bind, 1);
    cr_expect_eq(s[3].step_flags, 0);
    cr_expect_eq(s[4].kind, SCN_STEP_ONEINST);
    cr_expect_eq(s[4].bind, 2);
    cr_expect_str_eq(c->vars[2], "o");
    cr_expect_eq(s[5].kind, SCN_STEP_API);
    cr_expect_eq(s[5].op, MODEL_OP_FX_DETACH_DB);
    cr_expect_str_eq(s[5].file.text, "db2");
    cr_expect_eq(s[5].expect.kind, SCN_EXPECT_ONE);
    cr_expect_eq(s[5].expect.results[0].err, JET_errBackupInProgress);
    cr_expect_eq(s[6].op, MODEL_OP_FX_ROLL_LOG);
    cr_expect_eq(s[6].arg, 5);
    cr_expect_eq(s[7].op, MODEL_OP_FX_SET_CHECKPOINT);
    cr_expect_eq(s[7].arg, 3);
    cr_expect_eq(s[8].op, MODEL_OP_FX_DELETE_LOG);
    cr_expect_eq(s[8].arg, 2);
    cr_expect_eq(s[9].op, MODEL_OP_FX_FORCE_STATE);
    cr_expect_eq(s[9].arg, BACKSTOP_STATE_UNAVAILABLE_LOG_FULL);
    cr_expect_eq(s[10].kind, SCN_STEP_FAULT);
    cr_expect_str_eq(s[10].text, "read.verify");
    cr_expect_eq(s[10].arg, 4);
    cr_expect_str_eq(s[11].text, "logroll.enospc");
    cr_expect_eq(s[11].arg, 0);
    cr_expect_eq(s[12].kind, SCN_STEP_LOGS_ON_DISK);
    cr_expect_eq(s[12].inst.var, 0);
    cr_assert_eq(s[12].n_checks, 2);
    cr_expect_eq(s[12].checks[0].key, SCN_CHECK_LOW);
    cr_expect_eq(s[12].checks[0].cmp, SCN_CMP_EQ);
    cr_expect_eq(s[12].checks[0].value.value, 2);
    cr_expect_eq(s[12].checks[1].key, SCN_CHECK_HIGH);
    cr_expect_eq(s[12].checks[1].value.value, 5);
    cr_expect_eq(s[13].kind, SCN_STEP_BACKUP_CLIENT);
    cr_expect_eq(s[13].step_flags, 0);
    cr_expect_null(s[13].text);
    cr_expect_eq(s[14].inst.var, 1);
    cr_expect_eq(s[14].step_flags, SCN_STEP_INCREMENTAL);
    cr_expect_str_eq(s[14].text, "stop-after");
    cr_expect_eq(s[14].arg, 0);
    for (int i = 0; i < c->n_steps; i++) {
        cr_expect_eq(s[i].thread, -1);
        if (s[i].kind != SCN_STEP_API)
            cr_expect_eq(s[i].op, MODEL_OP__COUNT);
    }
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, parses_every_force_state_name)
{
    static const char *const names[] = {
        NULL, "unavailable", "unavailable-log-full", "restoring", "initialising",
        "terminating", "log-write-fail", "log-disk-full", "log-sequence-end", "no-log"};
    for (int st = 1; st < BACKSTOP_STATE__COUNT; st++) {
        char text[256];
        snprintf(text, sizeof text, CASE_HEAD "  instance i\n  force-state i %s\nend\n", names[st]);
        struct parsed r;
        const struct scn_case *c = parse_one(&r, text);
        cr_expect_eq(c->steps[1].arg, (uint32_t)st, "%s", names[st]);
        expect_round_trip(c);
        parsed_free(&r);
    }
}

Test(scn, parses_api_arguments)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD
        "  JetCreateInstance i -> 0\n"
        "  JetInit i -> 0\n"
        "  JetBeginExternalBackupInstance i JET_bitBackupIncremental|0x20 -> 0\n"
        "  JetGetAttachInfoInstance i 8p buf=null pcb=null -> 0\n"
        "  JetOpenFileInstance i db:db1 h -> 0\n"
        "  JetOpenFileInstance i log:7 h -> 0\n"
        "  JetOpenFileInstance i \"a \\\"b\\\" \\\\ # c\" h2 -> 0\n"
        "  JetOpenFileInstance i \"\" h -> 0\n"
        "  JetOpenFileInstance i null h -> 0\n"
        "  JetReadFileInstance i h 4096 buf=misaligned -> 0\n"
        "  JetCloseFileInstance i 4294967296 -> 0\n"
        "  JetTerm2 nil JET_bitTermAbrupt -> 0\n"
        "  JetStopServiceInstance never -> 0\n"
        "  JetEndExternalBackupInstance2 0x1234 JET_bitBackupEndAbort -> 0\n"
        "  JetGetLogInfoInstance2 18446744073709551615 0 -> 0\n"
        "  JetBeginExternalBackup 0 -> 0\n"
        "  JetGetLogInfo 100 -> 0\n"
        "  JetOpenFile log:1 hf -> 0\n"
        "  JetReadFile hf 1p pcb=null -> 0\n"
        "  JetCloseFile hf -> 0\n"
        "  JetTruncateLog -> 0\n"
        "  JetEndExternalBackup -> 0\n"
        "  JetStopBackup -> 0\n"
        "  JetStopService -> 0\n"
        "  JetTerm i -> 0\n"
        "end\n");
    cr_assert_eq(c->n_steps, 25);
    const struct scn_step *s = c->steps;
    cr_expect_eq(s[0].op, MODEL_OP_CREATE_INSTANCE);
    cr_expect_eq(s[0].bind, 0);
    cr_expect_eq(s[0].inst.kind, SCN_REF_NONE);
    cr_expect_eq(s[1].op, MODEL_OP_INIT);
    cr_expect_eq(s[1].inst.kind, SCN_REF_VAR);
    cr_expect_eq(s[1].inst.var, 0);
    cr_expect_eq(s[2].grbit, JET_bitBackupIncremental | 0x20u);
    cr_expect_eq(s[3].op, MODEL_OP_GET_ATTACH_INFO);
    cr_expect_eq(s[3].cb.value, 8);
    cr_expect(s[3].cb.pages);
    cr_expect_eq(s[3].call_flags, MODEL_CALL_BUF_NULL | MODEL_CALL_PCB_NULL);
    cr_expect_eq(s[4].file.kind, SCN_FILE_DB);
    cr_expect_str_eq(s[4].file.text, "db1");
    cr_expect_eq(s[4].bind, 1);
    cr_expect_str_eq(c->vars[1], "h");
    cr_expect_eq(s[5].file.kind, SCN_FILE_LOG);
    cr_expect_eq(s[5].file.gen, 7);
    cr_expect_eq(s[5].bind, 1, "re-binding h reuses its index");
    cr_expect_eq(s[6].file.kind, SCN_FILE_STRING);
    cr_expect_str_eq(s[6].file.text, "a \"b\" \\ # c");
    cr_expect_eq(s[6].bind, 2);
    cr_expect_eq(s[7].file.kind, SCN_FILE_STRING);
    cr_expect_str_eq(s[7].file.text, "");
    cr_expect_eq(s[8].file.kind, SCN_FILE_NULL);
    cr_expect_eq(s[9].op, MODEL_OP_READ_FILE);
    cr_expect_eq(s[9].hf.kind, SCN_REF_VAR);
    cr_expect_eq(s[9].hf.var, 1);
    cr_expect_eq(s[9].cb.value, 4096);
    cr_expect_not(s[9].cb.pages);
    cr_expect_eq(s[9].call_flags, MODEL_CALL_BUF_MISALIGNED);
    cr_expect_eq(s[10].hf.kind, SCN_REF_INT);
    cr_expect_eq(s[10].hf.value, 4294967296u);
    cr_expect_eq(s[11].op, MODEL_OP_TERM2);
    cr_expect_eq(s[11].inst.kind, SCN_REF_NIL);
    cr_expect_eq(s[11].grbit, JET_bitTermAbrupt);
    cr_expect_eq(s[12].inst.kind, SCN_REF_NEVER);
    cr_expect_eq(s[13].inst.kind, SCN_REF_INT);
    cr_expect_eq(s[13].inst.value, 0x1234);
    cr_expect_eq(s[13].grbit, JET_bitBackupEndAbort);
    cr_expect_eq(s[14].inst.value, UINT64_MAX);
    cr_expect_eq(s[14].op, MODEL_OP_GET_LOG_INFO2);
    cr_expect_eq(s[15].op, MODEL_OP_BEGIN_LEGACY);
    cr_expect_eq(s[15].inst.kind, SCN_REF_NONE);
    cr_expect_eq(s[16].op, MODEL_OP_GET_LOG_INFO_LEGACY);
    cr_expect_eq(s[16].cb.value, 100);
    cr_expect_eq(s[17].op, MODEL_OP_OPEN_FILE_LEGACY);
    cr_expect_eq(s[17].bind, 3);
    cr_expect_eq(s[18].op, MODEL_OP_READ_FILE_LEGACY);
    cr_expect_eq(s[18].hf.var, 3);
    cr_expect_eq(s[18].call_flags, MODEL_CALL_PCB_NULL);
    cr_expect_eq(s[19].op, MODEL_OP_CLOSE_FILE_LEGACY);
    cr_expect_eq(s[20].op, MODEL_OP_TRUNCATE_LOG_LEGACY);
    cr_expect_eq(s[21].op, MODEL_OP_END_LEGACY);
    cr_expect_eq(s[22].op, MODEL_OP_STOP_BACKUP);
    cr_expect_eq(s[23].op, MODEL_OP_STOP_SERVICE);
    cr_expect_eq(s[24].op, MODEL_OP_TERM);
    cr_expect_eq(c->n_vars, 4);
    for (int i = 0; i < c->n_steps; i++) {
        cr_expect_eq(s[i].kind, SCN_STEP_API);
        cr_expect_eq(s[i].expect.kind, SCN_EXPECT_ONE);
    }
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, parses_expectations)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD
        "  instance i\n"
        "  JetInit i -> JET_errInvalidParameter esent:JET_errInvalidInstance documented:-801\n"
        "  JetInit i expect-any 0 -1003 esent:-1115 2147483647 -2147483648\n"
        "  JetInit i -> *\n"
        "  JetInit i -> errBackupAbortByCaller\n"
        "  JetInit i -> 1813\n"
        "  JetInit i -> 0x10\n"
        "  roll-log i 2 expect-any 0 JET_errBackupInProgress\n"
        "  checkpoint i 2 -> *\n"
        "end\n");
    const struct scn_step *s = c->steps;
    const struct scn_expect *e = &s[1].expect;
    cr_expect_eq(e->kind, SCN_EXPECT_ONE);
    cr_assert_eq(e->n_results, 3);
    cr_expect_eq(e->results[0].err, JET_errInvalidParameter);
    cr_expect_eq(e->results[0].profile_mask, 0);
    cr_expect_eq(e->results[1].err, JET_errInvalidInstance);
    cr_expect_eq(e->results[1].profile_mask, 1u << MODEL_PROFILE_ESENT);
    cr_expect_eq(e->results[2].err, JET_errBackupAbortByServer);
    cr_expect_eq(e->results[2].profile_mask, 1u << MODEL_PROFILE_DOCUMENTED);
    e = &s[2].expect;
    cr_expect_eq(e->kind, SCN_EXPECT_ANY_OF);
    cr_assert_eq(e->n_results, 5);
    cr_expect_eq(e->results[1].err, -1003);
    cr_expect_eq(e->results[2].err, -1115);
    cr_expect_eq(e->results[2].profile_mask, 1u << MODEL_PROFILE_ESENT);
    cr_expect_eq(e->results[3].err, INT32_MAX);
    cr_expect_eq(e->results[4].err, INT32_MIN);
    cr_expect_eq(s[3].expect.kind, SCN_EXPECT_ANYTHING);
    cr_expect_eq(s[3].expect.n_results, 0);
    cr_expect_eq(s[4].expect.results[0].err, errBackupAbortByCaller);
    cr_expect_eq(s[5].expect.results[0].err, JET_wrnFileOpenReadOnly);
    cr_expect_eq(s[6].expect.results[0].err, 16);
    cr_expect_eq(s[7].expect.kind, SCN_EXPECT_ANY_OF);
    cr_expect_eq(s[7].expect.n_results, 2);
    cr_expect_eq(s[8].expect.kind, SCN_EXPECT_ANYTHING);
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, parses_checks_in_every_spelling)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD
        "  instance i\n"
        "  JetOpenFileInstance i db:d h -> 0 size=16p hf != 0\n"
        "  JetReadFileInstance i h 16p -> 0 actual <16p actual>= 0x10\n"
        "  JetGetLogInfoInstance2 i 1p -> 0 count > 1 genlow<=3 genhigh >=2 actual!=0\n"
        "  JetGetTruncateLogInfoInstance i 1p expect-any 0 -1038 count=0\n"
        "  logs-on-disk i low >= 1 high<9 -> 0\n"
        "end\n");
    const struct scn_step *s = c->steps;
    cr_assert_eq(s[1].n_checks, 2);
    cr_expect_eq(s[1].checks[0].key, SCN_CHECK_SIZE);
    cr_expect_eq(s[1].checks[0].cmp, SCN_CMP_EQ);
    cr_expect_eq(s[1].checks[0].value.value, 16);
    cr_expect(s[1].checks[0].value.pages);
    cr_expect_eq(s[1].checks[1].key, SCN_CHECK_HF);
    cr_expect_eq(s[1].checks[1].cmp, SCN_CMP_NE);
    cr_assert_eq(s[2].n_checks, 2);
    cr_expect_eq(s[2].checks[0].key, SCN_CHECK_ACTUAL);
    cr_expect_eq(s[2].checks[0].cmp, SCN_CMP_LT);
    cr_expect_eq(s[2].checks[1].cmp, SCN_CMP_GE);
    cr_expect_eq(s[2].checks[1].value.value, 16);
    cr_expect_not(s[2].checks[1].value.pages);
    cr_assert_eq(s[3].n_checks, 4);
    cr_expect_eq(s[3].checks[0].key, SCN_CHECK_COUNT);
    cr_expect_eq(s[3].checks[0].cmp, SCN_CMP_GT);
    cr_expect_eq(s[3].checks[1].key, SCN_CHECK_GENLOW);
    cr_expect_eq(s[3].checks[1].cmp, SCN_CMP_LE);
    cr_expect_eq(s[3].checks[2].key, SCN_CHECK_GENHIGH);
    cr_expect_eq(s[3].checks[2].cmp, SCN_CMP_GE);
    cr_expect_eq(s[3].checks[3].key, SCN_CHECK_ACTUAL);
    cr_expect_eq(s[3].checks[3].cmp, SCN_CMP_NE);
    cr_expect_eq(s[4].expect.kind, SCN_EXPECT_ANY_OF);
    cr_expect_eq(s[4].expect.n_results, 2);
    cr_expect_eq(s[4].n_checks, 1);
    cr_expect_eq(s[5].n_checks, 2);
    cr_expect_eq(s[5].checks[0].key, SCN_CHECK_LOW);
    cr_expect_eq(s[5].checks[0].cmp, SCN_CMP_GE);
    cr_expect_eq(s[5].checks[1].cmp, SCN_CMP_LT);
    cr_expect_eq(s[5].expect.kind, SCN_EXPECT_ONE);
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, parses_parallel_blocks)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD
        "  instance i\n"
        "  JetBeginExternalBackupInstance i 0 -> 0\n"
        "  JetOpenFileInstance i db:d h -> 0\n"
        "  parallel\n"
        "    reader:  JetReadFileInstance i h 16p -> 0\n"
        "    stopper: JetStopBackupInstance i     -> 0\n"
        "  end\n"
        "  parallel\n"
        "    stopper: JetStopBackupInstance i -> 0\n"
        "    third: roll-log i 4\n"
        "  end\n"
        "  JetEndExternalBackupInstance i -> 0\n"
        "end\n");
    cr_assert_eq(c->n_steps, 12);
    cr_expect_eq(c->n_threads, 3);
    cr_expect_str_eq(c->threads[0], "reader");
    cr_expect_str_eq(c->threads[1], "stopper");
    cr_expect_str_eq(c->threads[2], "third");
    const struct scn_step *s = c->steps;
    cr_expect_eq(s[3].kind, SCN_STEP_PARALLEL_BEGIN);
    cr_expect_eq(s[3].thread, -1);
    cr_expect_eq(s[3].loc.line, 7);
    cr_expect_eq(s[4].thread, 0);
    cr_expect_eq(s[4].op, MODEL_OP_READ_FILE);
    cr_expect_eq(s[4].loc.col, 14);
    cr_expect_eq(s[5].thread, 1);
    cr_expect_eq(s[6].kind, SCN_STEP_PARALLEL_END);
    cr_expect_eq(s[6].thread, -1);
    cr_expect_eq(s[7].kind, SCN_STEP_PARALLEL_BEGIN);
    cr_expect_eq(s[8].thread, 1, "a label used again keeps its index");
    cr_expect_eq(s[9].thread, 2);
    cr_expect_eq(s[9].op, MODEL_OP_FX_ROLL_LOG);
    cr_expect_eq(s[10].kind, SCN_STEP_PARALLEL_END);
    cr_expect_eq(s[10].thread, -1);
    cr_expect_eq(s[11].op, MODEL_OP_END);
    cr_expect_eq(s[11].thread, -1);
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, lexical_details)
{
    /* CRLF, tabs, comments, '#' inside a string, blank lines, no final newline. */
    const char text[] = "# leading comment\r\n"
                        "\r\n"
                        "case\ta.b   # trailing\r\n"
                        "\tintent  Say\t\"x # y\" once   # comment\r\n"
                        "  rules R1\r\n"
                        "  instance i\r\n"
                        "  JetOpenFileInstance i \"p#q\" h -> 0 # c\r\n"
                        "end";
    struct parsed r;
    const struct scn_case *c = parse_one(&r, text);
    cr_expect_str_eq(c->intent, "Say\t\"x # y\" once");
    cr_expect_str_eq(c->steps[1].file.text, "p#q");
    cr_expect_eq(c->steps[1].loc.line, 7);
    cr_expect_eq(c->loc.line, 3);
    expect_round_trip(c);
    parsed_free(&r);

    /* An empty text and a text of comments have no cases. */
    r = parse("");
    cr_expect_eq(r.status, SCN_OK);
    cr_expect_eq(scn_suite_count(r.suite), 0);
    parsed_free(&r);
    r = parse_len("t.scn", NULL, 0);
    cr_expect_eq(r.status, SCN_OK);
    parsed_free(&r);
    r = parse("# nothing\n\n   \t\n");
    cr_expect_eq(r.status, SCN_OK);
    cr_expect_eq(scn_suite_count(r.suite), 0);
    parsed_free(&r);
}

Test(scn, accepts_a_line_of_exactly_the_maximum_length)
{
    char *text = malloc(SCN_MAX_LINE + 256);
    strcpy(text, CASE_HEAD "  #");
    size_t n = strlen(text);
    size_t line_start = n - 3;
    while (n - line_start < SCN_MAX_LINE)
        text[n++] = 'x';
    strcpy(text + n, "\r\nend\n");
    struct parsed r = parse(text);
    cr_expect_str_eq(r.diag, "");
    cr_expect_eq(r.status, SCN_OK);
    parsed_free(&r);
    free(text);
}

Test(scn, keeps_good_cases_when_others_fail)
{
    struct parsed r = parse(CASE_HEAD "end\n"
                                      "case bad\n  intent x\n  rules R1\n  JetInit q -> 0\nend\n"
                                      "case c.d\n  intent y\n  rules S2\nend\n");
    cr_expect_eq(r.status, SCN_EPARSE);
    cr_expect_str_eq(r.diag, "t.scn:8:11: unknown handle 'q'\n");
    cr_assert_eq(scn_suite_count(r.suite), 2);
    cr_expect_str_eq(scn_suite_case(r.suite, 0)->name, "a.b");
    cr_expect_str_eq(scn_suite_case(r.suite, 1)->name, "c.d");
    cr_expect_null(scn_suite_case(r.suite, 2));
    parsed_free(&r);
}

Test(scn, reports_every_bad_line)
{
    struct parsed r = parse(CASE_HEAD "  instance i\n"
                                      "  JetInit i -> JET_errNoBackp\n"
                                      "  JetTerm j -> 0\n"
                                      "  roll-log i x\n"
                                      "end\n"
                                      "oops\n");
    cr_expect_eq(r.status, SCN_EPARSE);
    cr_expect_str_eq(r.diag,
                     "t.scn:5:16: unknown error 'JET_errNoBackp' "
                     "(did you mean 'JET_errNoBackup'?)\n"
                     "t.scn:6:11: unknown handle 'j' (did you mean 'i'?)\n"
                     "t.scn:7:14: bad number 'x'\n"
                     "t.scn:9:1: unknown directive 'oops'\n");
    cr_expect_eq(scn_suite_count(r.suite), 0);
    parsed_free(&r);
}

Test(scn, duplicate_names_across_calls)
{
    struct scn_suite *s = NULL;
    const char *text = CASE_HEAD "end\n";
    cr_assert_eq(scn_parse_buffer("one.scn", text, strlen(text), NULL, &s), SCN_OK);
    char *diag = NULL;
    size_t cb = 0;
    FILE *d = open_memstream(&diag, &cb);
    cr_expect_eq(scn_parse_buffer("two.scn", text, strlen(text), d, &s), SCN_EPARSE);
    fclose(d);
    cr_expect_str_eq(diag, "two.scn:1:6: duplicate case name 'a.b' (first at one.scn:1)\n");
    cr_expect_eq(scn_suite_count(s), 1);
    free(diag);
    scn_suite_free(s);
}

Test(scn, null_diag_stream_discards)
{
    struct scn_suite *s = NULL;
    const char *text = "garbage\n";
    cr_expect_eq(scn_parse_buffer("t.scn", text, strlen(text), NULL, &s), SCN_EPARSE);
    scn_suite_free(s);
    scn_suite_free(NULL);
    cr_expect_eq(scn_suite_count(NULL), 0);
    cr_expect_null(scn_suite_case(NULL, 0));
}

/* ---------------------------------------------------------------------------
 * Includes and directories
 * ------------------------------------------------------------------------- */

Test(scn, includes_relative_to_the_including_file)
{
    enter_temp_dir();
    write_file("dir/common/running.inc", "instance i   # from running.inc\ninclude db.inc\n");
    write_file("dir/common/db.inc", "database i db1 pages=4\n");
    write_file("dir/cases.inc", "case inc.c\n  intent y\n  rules R2\nend\n");
    write_file("dir/main.scn", "case main.c\n  intent x\n  rules R1\n"
                               "  include common/running.inc\n"
                               "  JetInit i -> 0\nend\ninclude \"cases.inc\"\n");
    struct scn_suite *s = NULL;
    cr_assert_eq(scn_parse_path("dir/main.scn", stderr, &s), SCN_OK);
    cr_assert_eq(scn_suite_count(s), 2);
    const struct scn_case *c = scn_suite_case(s, 0);
    cr_assert_eq(c->n_steps, 3);
    cr_expect_str_eq(c->steps[0].loc.file, "dir/common/running.inc");
    cr_expect_eq(c->steps[0].loc.line, 1);
    cr_expect_str_eq(c->steps[1].loc.file, "dir/common/db.inc");
    cr_expect_str_eq(c->steps[2].loc.file, "dir/main.scn");
    cr_expect_eq(c->steps[2].loc.line, 5);
    cr_expect_str_eq(scn_suite_case(s, 1)->loc.file, "dir/cases.inc");
    /* Printed, the includes appear expanded. */
    char *text = print_case(c);
    cr_expect_str_eq(text, "case main.c\n  intent x\n  rules R1\n  instance i\n"
                           "  database i db1 pages=4\n  JetInit i -> JET_errSuccess\nend\n");
    free(text);
    expect_round_trip(c);
    scn_suite_free(s);
}

Test(scn, includes_nest_eight_deep)
{
    enter_temp_dir();
    char name[32], body[64];
    for (int d = 1; d <= 8; d++) {
        snprintf(name, sizeof name, "d%d.inc", d);
        if (d < 8)
            snprintf(body, sizeof body, "include d%d.inc\n", d + 1);
        else
            snprintf(body, sizeof body, "instance deep\n");
        write_file(name, body);
    }
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD "  include d1.inc\nend\n");
    cr_expect_str_eq(c->vars[0], "deep");
    cr_expect_str_eq(c->steps[0].loc.file, "d8.inc");
    parsed_free(&r);
}

Test(scn, parses_a_directory_in_path_order)
{
    enter_temp_dir();
    write_file("suite/B-stop/b.scn", "case b\n  intent b\n  rules R2\nend\n");
    write_file("suite/A-resolution/z.scn", "case az\n  intent a\n  rules R1\nend\n");
    write_file("suite/A-resolution/a.scn", "case aa\n  intent a\n  rules R1\n"
                                           "  include ../common/x.inc\nend\n");
    write_file("suite/common/x.inc", "instance i\n");
    write_file("suite/A-resolution/notes.txt", "not a scenario\n");
    write_file("suite/README.md", "# not a scenario\n");
    write_file("suite/expect/engine.scn", "this would not parse\n");
    write_file("suite/expect/engine.txt", "XFAIL b reason\n");
    write_file("suite/.hidden.scn", "nor would this\n");
    write_file("suite/top.scn", "case top\n  intent t\n  rules S1\nend\n");
    struct scn_suite *s = NULL;
    cr_assert_eq(scn_parse_path("suite/", stderr, &s), SCN_OK);
    cr_assert_eq(scn_suite_count(s), 4);
    cr_expect_str_eq(scn_suite_case(s, 0)->name, "aa");
    cr_expect_str_eq(scn_suite_case(s, 0)->loc.file, "suite/A-resolution/a.scn");
    cr_expect_str_eq(scn_suite_case(s, 1)->name, "az");
    cr_expect_str_eq(scn_suite_case(s, 2)->name, "b");
    cr_expect_str_eq(scn_suite_case(s, 3)->name, "top");
    scn_suite_free(s);
}

Test(scn, unreadable_path_is_an_io_error)
{
    enter_temp_dir();
    char *diag = NULL;
    size_t cb = 0;
    FILE *d = open_memstream(&diag, &cb);
    struct scn_suite *s = NULL;
    cr_expect_eq(scn_parse_path("missing.scn", d, &s), SCN_EIO);
    fclose(d);
    cr_expect_str_eq(diag, "missing.scn: cannot read: No such file or directory\n");
    cr_expect_eq(scn_suite_count(s), 0);
    scn_suite_free(s);
    free(diag);
}

/* ---------------------------------------------------------------------------
 * Printer
 * ------------------------------------------------------------------------- */

Test(scn, prints_canonical_text)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r,
        "case p.q\n"
        "intent   Printing   keeps inner   spaces\n"
        "profile documented\n"
        "rules D3 R9\n"
        "instance   i  circular=on\n"
        "JetBeginExternalBackupInstance i 0x21 -> -801 esent:-1115\n"
        "JetEndExternalBackupInstance2 i 0x103 -> 0\n"
        "JetTerm2 i 0xc -> 0\n"
        "JetBeginExternalBackup 0x80000 -> 0\n"
        "JetReadFileInstance i 7 0x10p buf=null pcb=null expect-any -1 ese:-2 actual >= 2p\n"
        "JetOpenFileInstance i \"\\\\x\\\"\" h -> 12345\n"
        "fault alloc.enomem nth=0\n"
        "parallel\n"
        "  t: JetStopBackupInstance i -> *\n"
        "end\n"
        "end\n");
    char *text = print_case(c);
    cr_expect_str_eq(text,
        "case p.q\n"
        "  intent Printing   keeps inner   spaces\n"
        "  rules D3 R9\n"
        "  profile documented\n"
        "  instance i circular=on\n"
        "  JetBeginExternalBackupInstance i JET_bitBackupIncremental|JET_bitBackupSurrogate"
        " -> JET_errBackupAbortByServer esent:JET_errInvalidInstance\n"
        "  JetEndExternalBackupInstance2 i JET_bitBackupEndNormal|JET_bitBackupEndAbort|"
        "JET_bitBackupTruncateDone -> JET_errSuccess\n"
        "  JetTerm2 i JET_bitTermStopBackup|JET_bitTermDirty -> JET_errSuccess\n"
        "  JetBeginExternalBackup 0x80000 -> JET_errSuccess\n"
        "  JetReadFileInstance i 7 16p buf=null pcb=null expect-any JET_wrnNyi ese:-2"
        " actual>=2p\n"
        "  JetOpenFileInstance i \"\\\\x\\\"\" h -> 12345\n"
        "  fault alloc.enomem\n"
        "  parallel\n"
        "    t: JetStopBackupInstance i -> *\n"
        "  end\n"
        "end\n");
    free(text);
    expect_round_trip(c);
    parsed_free(&r);
}

Test(scn, printer_refuses_impossible_cases)
{
    struct scn_step st = {0};
    struct scn_case c = {.name = "x", .intent = "y", .n_steps = 1, .steps = &st};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    st.kind = SCN_STEP_API;
    st.op = MODEL_OP__COUNT;
    st.thread = -1;
    cr_expect_eq(scn_print_case(&c, f), SCN_EPARSE, "unknown op");
    st.op = MODEL_OP_INIT;
    st.inst.kind = SCN_REF_VAR;
    st.inst.var = 3;
    cr_expect_eq(scn_print_case(&c, f), SCN_EPARSE, "unbound handle");
    c.n_steps = SCN_MAX_STEPS + 1;
    cr_expect_eq(scn_print_case(&c, f), SCN_ELIMIT);
    c.n_steps = 1;
    c.intent = NULL;
    cr_expect_eq(scn_print_case(&c, f), SCN_EPARSE, "no intent");
    cr_expect_eq(scn_print_case(NULL, f), SCN_EPARSE);
    fclose(f);
    cr_expect_str_eq(text, "", "nothing is printed for an impossible case");
    free(text);
}

/* A case that uses every construct, for the round trip. */
static const char kitchen_sink[] =
    "case every.construct-1\n"
    "  intent Every construct the printer has to write back: \"quoted\" and all.\n"
    "  rules R1 R55 S1 S23 D1 D17\n"
    "  rules R21\n"
    "  profile esent\n"
    "  profile ese documented\n"
    "  page-size 8192\n"
    "  log-size 131072\n"
    "  instance i init=no logging=off circular=on\n"
    "  oneinst o\n"
    "  JetCreateInstance k -> 0\n"
    "  JetInit k -> 0\n"
    "  database i db.1-x pages=16 -> JET_errBackupInProgress\n"
    "  detach i db.1-x\n"
    "  roll-log i 4294967295\n"
    "  checkpoint i 0\n"
    "  delete-log i 3 -> *\n"
    "  force-state i no-log expect-any 0 ese:-1\n"
    "  fault read.eio nth=4294967295\n"
    "  logs-on-disk nil low!=0 high<=0xffffffff\n"
    "  backup-client 77 incremental stop-after 2\n"
    "  JetBeginExternalBackupInstance i 0xffffffff -> 0\n"
    "  JetGetAttachInfoInstance never 4294967295 buf=null -> 0 count=18446744073709551615\n"
    "  JetOpenFileInstance i null hf -> 0 hf=4294967295p size<1\n"
    "  JetOpenFileInstance i \"\" hf -> 0\n"
    "  JetOpenFileInstance i \"\\\\\\\"\" g -> 0\n"
    "  JetOpenFileInstance i log:0 g -> 0\n"
    "  parallel\n"
    "    a: JetReadFileInstance i hf 4294967295p buf=misaligned pcb=null -> 0 actual>0\n"
    "    b: JetCloseFileInstance i 0 expect-any 0 1 2 3 4 5 6 esent:7\n"
    "    c: JetGetLogInfoInstance2 i 0 -> 0 genlow=1 genhigh=2 count=3 actual=4 actual<5 "
    "actual>6\n"
    "    d: JetStopBackupInstance i -> -1 esent:-2 ese:-3 documented:-4\n"
    "    e: JetTruncateLogInstance i -> *\n"
    "    f: JetTerm2 i 0 -> 0\n"
    "    g: JetEndExternalBackupInstance2 i 0x100 -> 0\n"
    "    h: JetStopServiceInstance i -> 0\n"
    "  end\n"
    "  JetGetTruncateLogInfoInstance i 1 -> 0\n"
    "  JetGetLogInfoInstance i 1 -> 0\n"
    "  JetGetAttachInfo 1 -> 0\n"
    "  JetGetLogInfo 1 pcb=null -> 0\n"
    "  JetOpenFile db:x h2 -> 0\n"
    "  JetReadFile h2 1 buf=null -> 0\n"
    "  JetCloseFile h2 -> 0\n"
    "  JetBeginExternalBackup JET_bitBackupIncremental -> 0\n"
    "  JetTruncateLog -> 0\n"
    "  JetEndExternalBackup -> 0\n"
    "  JetStopBackup -> 0\n"
    "  JetStopService -> 0\n"
    "  JetEndExternalBackupInstance o -> 0\n"
    "  JetTerm o -> 0\n"
    "end\n";

Test(scn, round_trips_every_construct)
{
    struct parsed r;
    const struct scn_case *c = parse_one(&r, kitchen_sink);
    cr_expect_eq(c->n_rules, 7);
    cr_expect_eq(c->profile_mask, 7u);
    cr_expect_eq(c->n_threads, 8);
    expect_round_trip(c);
    parsed_free(&r);
}

/* ---------------------------------------------------------------------------
 * Name tables
 * ------------------------------------------------------------------------- */

Test(scn, error_names)
{
    cr_expect_str_eq(scn_err_name(-801), "JET_errBackupAbortByServer");
    cr_expect_str_eq(scn_err_name(0), "JET_errSuccess");
    cr_expect_str_eq(scn_err_name(1813), "JET_wrnFileOpenReadOnly");
    cr_expect_str_eq(scn_err_name(-800), "errBackupAbortByCaller");
    cr_expect_null(scn_err_name(-12345));
    JET_ERR e = 1;
    cr_expect_eq(scn_err_parse("JET_errNoBackup", &e), 0);
    cr_expect_eq(e, -520);
    cr_expect_eq(scn_err_parse("-801", &e), 0);
    cr_expect_eq(e, -801);
    cr_expect_eq(scn_err_parse("0x10", &e), 0);
    cr_expect_eq(e, 16);
    cr_expect_eq(scn_err_parse("-2147483648", &e), 0);
    cr_expect_eq(e, INT32_MIN);
    cr_expect_neq(scn_err_parse("-2147483649", &e), 0);
    cr_expect_neq(scn_err_parse("2147483648", &e), 0);
    cr_expect_neq(scn_err_parse("-0x10", &e), 0);
    cr_expect_neq(scn_err_parse("-", &e), 0);
    cr_expect_neq(scn_err_parse("", &e), 0);
    cr_expect_neq(scn_err_parse("jet_errnobackup", &e), 0);
    cr_expect_neq(scn_err_parse(NULL, &e), 0);
}

Test(scn, grbit_names)
{
    JET_GRBIT g = 0;
    cr_expect_eq(scn_grbit_parse("0", &g), 0);
    cr_expect_eq(g, 0);
    cr_expect_eq(scn_grbit_parse("JET_bitBackupIncremental|0x20", &g), 0);
    cr_expect_eq(g, 0x21u);
    cr_expect_eq(scn_grbit_parse("JET_bitStopServiceResume|JET_bitTermDirty|1", &g), 0);
    cr_expect_eq(g, 0x80000009u);
    cr_expect_eq(scn_grbit_parse("4294967295", &g), 0);
    cr_expect_eq(g, UINT32_MAX);
    cr_expect_neq(scn_grbit_parse("4294967296", &g), 0);
    cr_expect_neq(scn_grbit_parse("JET_bitNope", &g), 0);
    cr_expect_neq(scn_grbit_parse("1|", &g), 0);
    cr_expect_neq(scn_grbit_parse("|1", &g), 0);
    cr_expect_neq(scn_grbit_parse("", &g), 0);
    cr_expect_neq(scn_grbit_parse("-1", &g), 0);
}

Test(scn, nearest_names)
{
    static const char *const names[] = {"JetStopBackupInstance", "JetStopBackup", "case", "end"};
    cr_expect_str_eq(scn_nearest("JetStopBackupInstanse", names, 4), "JetStopBackupInstance");
    cr_expect_str_eq(scn_nearest("jetstopbackup", names, 4), "JetStopBackup");
    cr_expect_str_eq(scn_nearest("cse", names, 4), "case");
    cr_expect_str_eq(scn_nearest("ex", names, 4), "end", "distance 2 is within the minimum 2");
    cr_expect_null(scn_nearest("xyz", names, 4));
    cr_expect_null(scn_nearest("JetStartRestore", names, 4));
    cr_expect_null(scn_nearest("case", names, 0));
    cr_expect_null(scn_nearest(NULL, names, 4));
}

Test(scn, status_strings)
{
    cr_expect_str_eq(scn_strerror(SCN_OK), "success");
    cr_expect_str_neq(scn_strerror(SCN_EPARSE), scn_strerror(SCN_EIO));
    cr_expect_str_neq(scn_strerror(SCN_ENOMEM), scn_strerror(SCN_ELIMIT));
    cr_expect_not_null(scn_strerror(42));
}

/* ---------------------------------------------------------------------------
 * Malformed inputs
 * ------------------------------------------------------------------------- */

struct bad_row {
    const char *what;
    const char *text;  /* the buffer, parsed as "t.scn" (NULL: made by `make`) */
    size_t len;        /* 0: strlen(text) */
    char *(*make)(void);
    const char *files[10][2]; /* files to create first: path, content */
    bool no_name;      /* parse with a NULL name */
    const char *diag;  /* every diagnostic, exactly */
    int status;        /* 0: SCN_EPARSE */
    size_t kept;       /* good cases before the bad one */
};

#define HEAD4 CASE_HEAD "  instance i\n"

/* Text of `n` bytes of `c`, in malloc'd memory, with prefix and suffix. */
static char *fill(const char *prefix, char c, size_t n, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    char *s = malloc(a + n + b + 1);
    memcpy(s, prefix, a);
    memset(s + a, c, n);
    memcpy(s + a + n, suffix, b + 1);
    return s;
}

static char *make_long_line(void)
{
    return fill(CASE_HEAD "  #", 'x', SCN_MAX_LINE - 2, "\nend\n"); /* 4097 bytes */
}

static char *make_long_string(void)
{
    return fill(HEAD4 "  JetOpenFileInstance i \"", 's', 1025, "\" h -> 0\nend\n");
}

static char *make_long_name(void)
{
    return fill("case ", 'n', 129, "\n  intent x\n  rules R1\nend\n");
}

static char *make_long_intent(void)
{
    return fill("case a.b\n  rules R1\n  intent ", 'w', 2049, "\nend\n");
}

static char *make_many_steps(void)
{
    size_t cap = 64 + 520 * 20;
    char *s = malloc(cap);
    strcpy(s, HEAD4);
    for (int i = 1; i < 513; i++)
        strcat(s, "  JetInit i -> 0\n");
    strcat(s, "end\n");
    return s;
}

static char *make_many_vars(void)
{
    char *s = malloc(4096);
    strcpy(s, CASE_HEAD);
    for (int i = 0; i < 33; i++)
        sprintf(s + strlen(s), "  instance v%d\n", i);
    strcat(s, "end\n");
    return s;
}

#define E(text) "t.scn:" text "\n"

static const struct bad_row bad_rows[] = {
    {"misspelled_api", HEAD4 "  JetStopBackupInstanse i -> 0\nend\n", .diag =
     E("5:3: unknown API function 'JetStopBackupInstanse' "
       "(did you mean 'JetStopBackupInstance'?)")},
    {"unknown_api_far", HEAD4 "  JetFrobnicate i -> 0\nend\n", .diag =
     E("5:3: unknown API function 'JetFrobnicate'")},
    {"misspelled_error", HEAD4 "  JetInit i -> JET_errNoBackp\nend\n", .diag =
     E("5:16: unknown error 'JET_errNoBackp' (did you mean 'JET_errNoBackup'?)")},
    {"misspelled_error_after_profile", HEAD4 "  JetInit i -> 0 esent:JET_errInvalidInstanc\nend\n",
     .diag = E("5:24: unknown error 'JET_errInvalidInstanc' "
               "(did you mean 'JET_errInvalidInstance'?)")},
    {"misspelled_grbit",
     HEAD4 "  JetBeginExternalBackupInstance i JET_bitBackupIncrementl -> 0\nend\n",
     .diag = E("5:36: unknown grbit 'JET_bitBackupIncrementl' "
               "(did you mean 'JET_bitBackupIncremental'?)")},
    {"misspelled_grbit_second_part",
     HEAD4 "  JetBeginExternalBackupInstance i 0x20|JET_bitKeepOldLog -> 0\nend\n",
     .diag = E("5:41: unknown grbit 'JET_bitKeepOldLog' (did you mean 'JET_bitKeepOldLogs'?)")},
    {"empty_grbit_part", HEAD4 "  JetTerm2 i JET_bitTermAbrupt||1 -> 0\nend\n", .diag =
     E("5:32: empty part in grbit 'JET_bitTermAbrupt||1'")},
    {"misspelled_directive", HEAD4 "  databse i db1 pages=1\nend\n", .diag =
     E("5:3: unknown directive 'databse' (did you mean 'database'?)")},
    {"misspelled_directive_top_level", "cas a\n", .diag =
     E("1:1: unknown directive 'cas' (did you mean 'case'?)")},
    {"misspelled_check_key", HEAD4 "  JetGetAttachInfoInstance i 4p -> 0 acutal=3\nend\n", .diag =
     E("5:38: unknown check key 'acutal' (did you mean 'actual'?)")},
    {"check_key_not_for_this_call", HEAD4 "  JetInit i -> 0 size=3\nend\n", .diag =
     E("5:18: check 'size' does not apply to 'JetInit'")},
    {"misspelled_profile", CASE_HEAD "  profile esnet\nend\n", .diag =
     E("4:11: unknown profile 'esnet' (did you mean 'esent'?)")},
    {"misspelled_profile_prefix", HEAD4 "  JetInit i -> 0 esnt:-1\nend\n", .diag =
     E("5:18: unknown profile 'esnt' (did you mean 'esent'?)")},
    {"misspelled_state", HEAD4 "  force-state i restorng\nend\n", .diag =
     E("5:17: unknown state 'restorng' (did you mean 'restoring'?)")},
    {"misspelled_fault_point", HEAD4 "  fault read.eoi\nend\n", .diag =
     E("5:9: unknown fault point 'read.eoi' (did you mean 'read.eio'?)")},
    {"misspelled_option", HEAD4 "  JetReadFileInstance i 0 4 buf=nul -> 0\nend\n", .diag =
     E("5:29: unknown option 'buf=nul' for 'JetReadFileInstance' (did you mean 'buf=null'?)")},
    {"misspelled_instance_option", CASE_HEAD "  instance i init=nope\nend\n", .diag =
     E("4:14: unknown option 'init=nope' for 'instance' (did you mean 'init=no'?)")},
    {"unknown_handle_near", HEAD4 "  JetInit j -> 0\nend\n", .diag =
     E("5:11: unknown handle 'j' (did you mean 'i'?)")},
    {"unknown_handle_far", HEAD4 "  JetInit instance2 -> 0\nend\n", .diag =
     E("5:11: unknown handle 'instance2'")},
    {"handle_used_before_bound", CASE_HEAD "  JetInit i -> 0\n  instance i\nend\n", .diag =
     E("4:11: unknown handle 'i'")},
    {"handle_of_another_case", HEAD4 "end\ncase c\n  intent y\n  rules R2\n  JetTerm i -> 0\nend\n",
     .diag = E("9:11: unknown handle 'i'"), .kept = 1},
    {"reserved_handle_name", CASE_HEAD "  instance never\nend\n", .diag =
     E("4:12: bad handle name 'never' (a letter or '_', then letters, digits or '_'; "
       "not nil, never or null)")},
    {"nil_is_not_a_file_handle", HEAD4 "  JetCloseFileInstance i nil -> 0\nend\n", .diag =
     E("5:26: bad file handle 'nil' (a handle name or a number)")},
    {"duplicate_case_name", CASE_HEAD "end\ncase a.b\n  intent y\n  rules R2\nend\n", .diag =
     E("5:6: duplicate case name 'a.b' (first at t.scn:1)"), .kept = 1},
    {"bad_case_name", "case -x\n  intent x\n  rules R1\nend\n", .diag =
     E("1:6: bad case name '-x' (letters, digits, '_', '.' and '-')")},
    {"case_without_name", "case\n  intent x\n  rules R1\nend\n", .diag =
     E("1:5: 'case' needs a name")},
    {"missing_intent", "case a.b\n  rules R1\nend\n", .diag =
     E("1:1: case 'a.b' has no 'intent'")},
    {"missing_rules", "case a.b\n  intent x\nend\n", .diag = E("1:1: case 'a.b' has no 'rules'")},
    {"missing_intent_and_rules", "case a.b\nend\n", .diag =
     E("1:1: case 'a.b' has no 'intent'") E("1:1: case 'a.b' has no 'rules'")},
    {"empty_intent", "case a.b\n  intent   # nothing\n  rules R1\nend\n", .diag =
     E("2:9: 'intent' needs text") E("1:1: case 'a.b' has no 'intent'")},
    {"second_intent", "case a.b\n  intent x\n  intent y\n  rules R1\nend\n", .diag =
     E("3:3: second 'intent' in case 'a.b' (the first is at line 2)")},
    {"end_without_case", "end\n", .diag = E("1:1: 'end' without 'case'")},
    {"case_without_end", CASE_HEAD "  instance i\n", .diag =
     E("1:1: case 'a.b' is not closed by 'end'")},
    {"case_inside_case", "case a.b\n  intent x\ncase c.d\n  intent y\n  rules R1\nend\n", .diag =
     E("3:1: 'case' inside case 'a.b' (missing 'end'?)")},
    {"parallel_without_end", HEAD4 "  parallel\n    r: JetInit i -> 0\n", .diag =
     E("5:3: 'parallel' block is not closed by 'end'")},
    {"parallel_end_closes_only_the_block", HEAD4 "  parallel\n    r: JetInit i -> 0\nend\n",
     .diag = E("1:1: case 'a.b' is not closed by 'end'")},
    {"step_outside_case", "JetInit i -> 0\n", .diag = E("1:1: 'JetInit' outside a case")},
    {"intent_outside_case", "intent x\n", .diag = E("1:1: 'intent' outside a case")},
    {"rule_out_of_range", CASE_HEAD "  rules R56\nend\n", .diag =
     E("4:9: bad rule id 'R56' (R1-R55, S1-S23, D1-D17)")},
    {"rule_scenario_out_of_range", CASE_HEAD "  rules S24\nend\n", .diag =
     E("4:9: bad rule id 'S24' (R1-R55, S1-S23, D1-D17)")},
    {"rule_leading_zero", CASE_HEAD "  rules D01\nend\n", .diag =
     E("4:9: bad rule id 'D01' (R1-R55, S1-S23, D1-D17)")},
    {"rule_zero", CASE_HEAD "  rules R0\nend\n", .diag =
     E("4:9: bad rule id 'R0' (R1-R55, S1-S23, D1-D17)")},
    {"rule_listed_twice", CASE_HEAD "  rules S2 R1\nend\n", .diag =
     E("4:12: rule 'R1' listed twice")},
    {"too_many_rules",
     "case a.b\n  intent x\n  rules R1 R2 R3 R4 R5 R6 R7 R8 R9 R10 R11 R12 R13 R14"
     " R15 R16 R17 R18 R19 R20 R21 R22 R23 R24 R25\nend\n", .diag =
     E("3:96: too many rule ids in a case (at most 24)")},
    {"line_too_long", .make = make_long_line, .diag = E("4:4097: line is longer than 4096 bytes")},
    {"nul_byte", HEAD4 "  JetInit i -> 0 \0\nend\n", sizeof(HEAD4 "  JetInit i -> 0 \0\nend\n") - 1,
     .diag = E("5:18: NUL byte in input")},
    {"nul_byte_alone", "\0", 1, .diag = E("1:1: NUL byte in input")},
    {"control_character", HEAD4 "  JetInit\ri -> 0\nend\n", .diag =
     E("5:10: control character 0x0d in input")},
    {"unterminated_string", HEAD4 "  JetOpenFileInstance i \"abc h -> 0\nend\n", .diag =
     E("5:25: unterminated string")},
    {"unterminated_string_in_intent", "case a.b\n  intent say \"hi\n  rules R1\nend\n", .diag =
     E("2:14: unterminated string") E("1:1: case 'a.b' has no 'intent'")},
    {"unknown_escape", HEAD4 "  JetOpenFileInstance i \"a\\tb\" h -> 0\nend\n", .diag =
     E("5:27: unknown escape '\\t' in string (only \\\" and \\\\)")},
    {"text_after_string", HEAD4 "  JetOpenFileInstance i \"ab\"c h -> 0\nend\n", .diag =
     E("5:29: expected a space after the closing quote")},
    {"string_too_long", .make = make_long_string, .diag =
     E("5:25: string is longer than 1024 bytes")},
    {"name_too_long", .make = make_long_name, .diag = E("1:6: name is longer than 128 bytes")},
    {"intent_too_long", .make = make_long_intent, .diag =
     E("3:10: intent is longer than 2048 bytes") E("1:1: case 'a.b' has no 'intent'")},
    {"bad_file", HEAD4 "  JetOpenFileInstance i foo h -> 0\nend\n", .diag =
     E("5:25: bad file 'foo' (db:NAME, log:GEN, \"text\" or null)")},
    {"bad_number", HEAD4 "  roll-log i 12x\nend\n", .diag = E("5:14: bad number '12x'")},
    {"bad_hex", HEAD4 "  roll-log i 0x\nend\n", .diag = E("5:14: bad number '0x'")},
    {"u32_overflow", HEAD4 "  roll-log i 4294967296\nend\n", .diag =
     E("5:14: number '4294967296' is out of range")},
    {"u64_overflow", HEAD4 "  JetInit 18446744073709551616 -> 0\nend\n", .diag =
     E("5:11: number '18446744073709551616' is out of range")},
    {"hex_overflow", HEAD4 "  JetInit 0x10000000000000000 -> 0\nend\n", .diag =
     E("5:11: number '0x10000000000000000' is out of range")},
    {"huge_number", HEAD4 "  JetInit 99999999999999999999999999999999999999 -> 0\nend\n", .diag =
     E("5:11: number '99999999999999999999999999999999999999' is out of range")},
    {"result_overflow", HEAD4 "  JetInit i -> -2147483649\nend\n", .diag =
     E("5:16: number '-2147483649' is out of range")},
    {"bad_result_number", HEAD4 "  JetInit i -> -80x\nend\n", .diag = E("5:16: bad number '-80x'")},
    {"negative_size", HEAD4 "  JetGetLogInfoInstance i -4 -> 0\nend\n", .diag =
     E("5:27: negative number '-4' is not allowed here")},
    {"bad_pages_value", HEAD4 "  database i db1 pages=x\nend\n", .diag = E("5:24: bad number 'x'")},
    {"bad_page_count", HEAD4 "  JetGetLogInfoInstance i 4294967296p -> 0\nend\n", .diag =
     E("5:27: number '4294967296p' is out of range")},
    {"missing_pages", HEAD4 "  database i db1\nend\n", .diag = E("5:17: 'database' needs pages=N")},
    {"missing_expectation", HEAD4 "  JetInit i\nend\n", .diag =
     E("5:3: 'JetInit' needs an expected result ('-> RESULT', 'expect-any RESULT...' or '-> *')")},
    {"two_results_after_arrow", HEAD4 "  JetInit i -> 0 -801\nend\n", .diag =
     E("5:18: '-801' after the result: '->' takes one result (use expect-any for several)")},
    {"arrow_without_default_result", HEAD4 "  JetInit i -> esent:0\nend\n", .diag =
     E("5:13: '->' needs one result for every profile before PROFILE:RESULT")},
    {"two_overrides_for_a_profile", HEAD4 "  JetInit i -> 0 esent:-1 esent:-2\nend\n", .diag =
     E("5:27: two results for profile 'esent'")},
    {"arrow_without_result", HEAD4 "  JetInit i ->\nend\n", .diag =
     E("5:15: expected a result after '->'")},
    {"something_after_star", HEAD4 "  JetInit i -> * actual=1\nend\n", .diag =
     E("5:18: nothing may follow '-> *'")},
    {"empty_expect_any", HEAD4 "  JetInit i expect-any\nend\n", .diag =
     E("5:23: 'expect-any' needs at least one result")},
    {"too_many_results", HEAD4 "  JetInit i expect-any 0 -1 -2 -3 -4 -5 -6 -7 -8\nend\n", .diag =
     E("5:47: too many results (at most 8)")},
    {"missing_argument", HEAD4 "  JetReadFileInstance i -> 0\nend\n", .diag =
     E("5:25: 'JetReadFileInstance' needs a file handle (a handle name or a number)")},
    {"missing_argument_at_end", HEAD4 "  JetInit\nend\n", .diag =
     E("5:10: 'JetInit' needs an instance (a handle name, nil, never or a number)")},
    {"extra_argument", HEAD4 "  JetInit i 0 -> 0\nend\n", .diag =
     E("5:13: unexpected '0' after the arguments of 'JetInit'")},
    {"option_twice", HEAD4 "  JetGetLogInfoInstance i 4 pcb=null pcb=null -> 0\nend\n", .diag =
     E("5:38: option 'pcb' given twice")},
    {"buffer_both_null_and_misaligned",
     HEAD4 "  JetReadFile 0 4 buf=null buf=misaligned -> 0\nend\n",
     .diag = E("5:28: option 'buf' given twice")},
    {"too_many_checks",
     HEAD4 "  JetGetLogInfoInstance2 i 4 -> 0 actual=1 actual=2 actual=3 actual=4 count=1 count=2"
           " count=3\nend\n",
     .diag = E("5:87: too many checks (at most 6)")},
    {"bad_comparison", HEAD4 "  JetGetLogInfoInstance i 4 -> 0 actual!3\nend\n", .diag =
     E("5:40: expected =, !=, <, <=, > or >= after 'actual'")},
    {"check_without_value", HEAD4 "  JetGetLogInfoInstance i 4 -> 0 actual >=\nend\n", .diag =
     E("5:43: expected a value after 'actual>='")},
    {"logs_on_disk_without_checks", HEAD4 "  logs-on-disk i\nend\n", .diag =
     E("5:17: 'logs-on-disk' needs low=N and/or high=N")},
    {"backup_client_kind", HEAD4 "  backup-client i ful\nend\n", .diag =
     E("5:19: expected full or incremental, not 'ful' (did you mean 'full'?)")},
    {"label_outside_parallel", HEAD4 "  reader: JetInit i -> 0\nend\n", .diag =
     E("5:3: thread label 'reader:' outside a parallel block")},
    {"unlabelled_line_in_parallel", HEAD4 "  parallel\n    JetInit i -> 0\n  end\nend\n", .diag =
     E("6:5: expected 'LABEL: step' inside a parallel block, not 'JetInit'")},
    {"empty_parallel", HEAD4 "  parallel\n  end\nend\n", .diag = E("6:3: empty parallel block")},
    {"nested_parallel", HEAD4 "  parallel\n    a: JetInit i -> 0\n    parallel\n  end\nend\n",
     .diag = E("7:5: 'parallel' is not allowed inside a parallel block")},
    {"directive_after_label", HEAD4 "  parallel\n    a: rules R2\n  end\nend\n", .diag =
     E("6:8: 'rules' cannot follow a thread label")},
    {"label_without_step", HEAD4 "  parallel\n    a:\n  end\nend\n", .diag =
     E("6:7: expected a step after 'a:'")},
    {"bad_label", HEAD4 "  parallel\n    3x: JetInit i -> 0\n  end\nend\n", .diag =
     E("6:5: bad thread label '3x' (a letter or '_', then letters, digits or '_')")},
    {"too_many_threads",
     HEAD4 "  parallel\n    t1: JetInit i -> 0\n    t2: JetInit i -> 0\n    t3: JetInit i -> 0\n"
           "    t4: JetInit i -> 0\n    t5: JetInit i -> 0\n    t6: JetInit i -> 0\n"
           "    t7: JetInit i -> 0\n    t8: JetInit i -> 0\n    t9: JetInit i -> 0\n  end\nend\n",
     .diag = E("14:5: too many thread labels in a case (at most 8)")},
    {"too_many_handles", .make = make_many_vars, .diag =
     E("36:12: too many handle names in a case (at most 32)")},
    {"too_many_steps", .make = make_many_steps, .diag =
     E("516:3: case 'a.b' has more than 512 steps")},
    {"error_on_last_line_without_newline", CASE_HEAD "end\nend", .diag =
     E("5:1: 'end' without 'case'"), .kept = 1},
    {"crlf_columns", "case a.b\r\n  intent x\r\n  rules R1\r\n  JetInit i -> 0\r\nend\r\n", .diag =
     E("4:11: unknown handle 'i'")},
    {"include_without_base", "include x.inc\n", .no_name = true, .diag =
     "<buffer>:1:1: 'include' needs the name of the including file (this text has none)\n"},
    {"include_without_path", "include\n", .diag = E("1:8: 'include' needs a path")},
    {"include_missing_file", "include nope.inc\n", .diag =
     E("1:9: cannot read 'nope.inc': No such file or directory"), .status = SCN_EIO},
    {"include_a_directory", "include sub\n", .files = {{"sub/x", "x"}}, .diag =
     E("1:9: cannot read 'sub': not a regular file"), .status = SCN_EIO},
    {"include_cycle", CASE_HEAD "  include a.inc\nend\n",
     .files = {{"a.inc", "instance i\ninclude b.inc\n"}, {"b.inc", "include a.inc\n"}},
     .diag = "b.inc:1:9: include cycle: 'a.inc' is already being read\n"},
    {"include_too_deep", CASE_HEAD "  include d1.inc\nend\n",
     .files = {{"d1.inc", "include d2.inc\n"}, {"d2.inc", "include d3.inc\n"},
               {"d3.inc", "include d4.inc\n"}, {"d4.inc", "include d5.inc\n"},
               {"d5.inc", "include d6.inc\n"}, {"d6.inc", "include sub/d7.inc\n"},
               {"sub/d7.inc", "include d8.inc\n"}, {"sub/d8.inc", "include d9.inc\n"},
               {"sub/d9.inc", "instance i\n"}},
     .diag = "sub/d8.inc:1:9: includes nest deeper than 8\n"},
    {"error_inside_include", CASE_HEAD "  include sub/setup.inc\n  JetInit i -> 0\nend\n",
     .files = {{"sub/setup.inc", "instance i\ninclude more.inc\n"},
               {"sub/more.inc", "# shared\nJetInt i -> 0\n"}},
     .diag = "sub/more.inc:2:1: unknown API function 'JetInt' (did you mean 'JetInit'?)\n"},
};

#define N_BAD_ROWS (sizeof bad_rows / sizeof bad_rows[0])

/* Criterion runs each parameter in a fresh process of this executable, where the
 * pointers of the parent are meaningless (ASLR): the parameter is the row index,
 * and the worker reads the row from its own copy of the table. */
struct bad_param {
    size_t row;
};

ParameterizedTestParameters(scn, rejects_malformed_input)
{
    static struct bad_param params[N_BAD_ROWS];
    for (size_t i = 0; i < N_BAD_ROWS; i++)
        params[i].row = i;
    return cr_make_param_array(struct bad_param, params, N_BAD_ROWS);
}

ParameterizedTest(struct bad_param *param, scn, rejects_malformed_input)
{
    cr_assert_lt(param->row, N_BAD_ROWS);
    const struct bad_row *row = &bad_rows[param->row];
    enter_temp_dir();
    for (int i = 0; i < 10 && row->files[i][0] != NULL; i++)
        write_file(row->files[i][0], row->files[i][1]);
    char *made = row->make != NULL ? row->make() : NULL;
    const char *text = made != NULL ? made : row->text;
    size_t len = row->len != 0 ? row->len : strlen(text);
    struct parsed r = parse_len(row->no_name ? NULL : "t.scn", text, len);
    cr_expect_str_eq(r.diag, row->diag, "[%s]", row->what);
    cr_expect_eq(r.status, row->status != 0 ? row->status : SCN_EPARSE, "[%s] status %d",
                 row->what, r.status);
    cr_expect_eq(scn_suite_count(r.suite), row->kept, "[%s] cases kept", row->what);
    parsed_free(&r);
    free(made);
}

/* Every fault point the engine and the model both know (engine/fault.h,
 * model_fault) is a `fault` step, open.eio included: it parses, prints as a
 * step (not a comment) and round-trips. */
Test(scn, fault_points_round_trip)
{
    static const char *const points[] = {"read.eio", "read.verify", "alloc.enomem", "logroll.enospc",
                                         "open.eio"};
    struct parsed r;
    const struct scn_case *c = parse_one(&r, CASE_HEAD
        "  fault read.eio nth=1\n"
        "  fault read.verify nth=2\n"
        "  fault alloc.enomem nth=3\n"
        "  fault logroll.enospc nth=4\n"
        "  fault open.eio nth=5\n"
        "end\n");
    cr_assert_eq(c->n_steps, 5);
    for (size_t k = 0; k < 5; k++) {
        cr_expect_eq(c->steps[k].kind, SCN_STEP_FAULT);
        cr_expect_str_eq(c->steps[k].text, points[k]);
        cr_expect_eq(c->steps[k].arg, k + 1);
    }
    char *text = print_case(c);
    cr_expect_not_null(strstr(text, "\n  fault open.eio nth=5\n"), "printed:\n%s", text);
    cr_expect_null(strstr(text, "#"), "no point is printed as a comment:\n%s", text);
    free(text);
    expect_round_trip(c);
    parsed_free(&r);
}
