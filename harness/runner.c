/*
 * runner.c: executes conformance cases against a target (see runner.h).
 *
 * A case runs step by step. For each Jet call the runner:
 *   1. resolves the step's named handles and files for the target (and, in
 *      differential mode, separately for the model run in lockstep);
 *   2. calls through target_call(), the one wrapper every harness call uses;
 *   3. checks the result against the expectation for the run's profile and the
 *      out-parameter checks, then against the model's result.
 * The first failure ends the case; its message holds the step, the expected and
 * actual results, the rule ids (the case's and the model's), and the call trace.
 *
 * Fork mode: the case runs in a child that streams its events (trace lines, the
 * call about to be made, the verdict) through a pipe, so a crash or a hang still
 * leaves the parent with the trace and the last call.
 */
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup_client.h"
#include "runner.h"
#include "sbuf.h"

/* A handle value no implementation hands out (the `never` argument, R3). */
#define RUNNER_NEVER_HANDLE ((JET_INSTANCE)0x7BAD0BAD0ull)
#define RUNNER_GUARD 64
#define RUNNER_MAX_BUFFER (256u << 20)

/* ---- target_call: the one wrapper ------------------------------------------ */

static uint32_t runner__count_names(const char *buf, uint32_t len)
{
    uint32_t n = 0, i = 0;
    while (i < len) {
        if (buf[i] == 0)
            return n; /* the empty string ends the list */
        n++;
        while (i < len && buf[i])
            i++;
        if (i >= len)
            break;
        i++;
    }
    return UINT32_MAX; /* truncated: no final empty string inside the buffer */
}

static int runner__list(const struct jet_api *api, void *ctx, const struct target_call_args *a,
                        struct target_call_out *o)
{
    char *buf = NULL;
    uint32_t *pcb = (a->flags & MODEL_CALL_PCB_NULL) ? NULL : &o->actual;
    JET_LOGINFO info = {.cbSize = sizeof(JET_LOGINFO)};

    if (a->buf && !(a->flags & MODEL_CALL_BUF_NULL)) {
        buf = a->buf;
    } else if (!(a->flags & MODEL_CALL_BUF_NULL)) {
        if (a->cb > RUNNER_MAX_BUFFER)
            return -1;
        buf = malloc((size_t)a->cb + RUNNER_GUARD);
        if (!buf)
            return -1;
        memset(buf, 0xA5, (size_t)a->cb + RUNNER_GUARD);
    }
    switch (a->op) {
    case MODEL_OP_GET_ATTACH_INFO:
        if (!api->JetGetAttachInfoInstance)
            goto missing;
        o->err = api->JetGetAttachInfoInstance(ctx, a->inst, buf, a->cb, pcb);
        break;
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
        if (!api->JetGetAttachInfo)
            goto missing;
        o->err = api->JetGetAttachInfo(ctx, buf, a->cb, pcb);
        break;
    case MODEL_OP_GET_LOG_INFO:
        if (!api->JetGetLogInfoInstance)
            goto missing;
        o->err = api->JetGetLogInfoInstance(ctx, a->inst, buf, a->cb, pcb);
        break;
    case MODEL_OP_GET_LOG_INFO2:
        if (!api->JetGetLogInfoInstance2)
            goto missing;
        o->err = api->JetGetLogInfoInstance2(ctx, a->inst, buf, a->cb, pcb, &info);
        o->genlow = info.ulGenLow;
        o->genhigh = info.ulGenHigh;
        break;
    case MODEL_OP_GET_LOG_INFO_LEGACY:
        if (!api->JetGetLogInfo)
            goto missing;
        o->err = api->JetGetLogInfo(ctx, buf, a->cb, pcb);
        break;
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        if (!api->JetGetTruncateLogInfoInstance)
            goto missing;
        o->err = api->JetGetTruncateLogInfoInstance(ctx, a->inst, buf, a->cb, pcb);
        break;
    default:
        goto missing;
    }
    if (buf) {
        for (uint32_t k = 0; !a->buf && k < RUNNER_GUARD; k++)
            if ((unsigned char)buf[(size_t)a->cb + k] != 0xA5)
                o->overrun = true;
        if (o->err == JET_errSuccess)
            o->count = runner__count_names(buf, a->cb);
    }
    if (buf != a->buf)
        free(buf);
    return 0;
missing:
    if (buf != a->buf)
        free(buf);
    return RUNNER_EMISSING;
}

static int runner__read(const struct jet_api *api, void *ctx, const struct target_call_args *a,
                        struct target_call_out *o)
{
    unsigned char *base = NULL, *pv = NULL;
    uint32_t *pcb = (a->flags & MODEL_CALL_PCB_NULL) ? NULL : &o->actual;
    size_t len = (size_t)a->cb + 4096 + RUNNER_GUARD;
    bool legacy = a->op == MODEL_OP_READ_FILE_LEGACY;

    if (legacy ? !api->JetReadFile : !api->JetReadFileInstance)
        return RUNNER_EMISSING;
    if (a->buf && !(a->flags & MODEL_CALL_BUF_NULL)) {
        pv = a->buf;
    } else if (!(a->flags & MODEL_CALL_BUF_NULL)) {
        if (a->cb > RUNNER_MAX_BUFFER)
            return -1;
        if (posix_memalign((void **)&base, 4096, len) != 0)
            return -1;
        memset(base, 0xA5, len);
        pv = base + ((a->flags & MODEL_CALL_BUF_MISALIGNED) ? 16 : 0);
    }
    o->err = legacy ? api->JetReadFile(ctx, a->hf, pv, a->cb, pcb)
                    : api->JetReadFileInstance(ctx, a->inst, a->hf, pv, a->cb, pcb);
    if (base) {
        for (uint32_t k = 0; k < RUNNER_GUARD; k++)
            if (pv[(size_t)a->cb + k] != 0xA5)
                o->overrun = true;
    }
    free(base);
    return 0;
}

int target_call(const struct target_ops *ops, void *ctx, const struct target_call_args *a,
                struct target_call_out *o)
{
    const struct jet_api *api = ops->api;
    const struct jet_fixture *fx = ops->fixture;
    static const struct jet_fixture no_fixture;
    uint32_t lo = 0, hi = 0;

    if (!fx)
        fx = &no_fixture;
    memset(o, 0, sizeof *o);
    o->count = UINT32_MAX;

#define RUNNER_CALL(member, ...)                 \
    do {                                         \
        if (!(member))                           \
            return RUNNER_EMISSING;              \
        o->err = (member)(ctx, __VA_ARGS__);     \
    } while (0)
#define RUNNER_CALL0(member)                     \
    do {                                         \
        if (!(member))                           \
            return RUNNER_EMISSING;              \
        o->err = (member)(ctx);                  \
    } while (0)

    switch (a->op) {
    case MODEL_OP_CREATE_INSTANCE:
        RUNNER_CALL(api->JetCreateInstance, a->pinst, a->name);
        break;
    case MODEL_OP_INIT:
        RUNNER_CALL(api->JetInit, a->pinst);
        break;
    case MODEL_OP_TERM:
        RUNNER_CALL(api->JetTerm, a->inst);
        break;
    case MODEL_OP_TERM2:
        RUNNER_CALL(api->JetTerm2, a->inst, a->grbit);
        break;
    case MODEL_OP_STOP_SERVICE_INSTANCE:
        RUNNER_CALL(api->JetStopServiceInstance, a->inst);
        break;
    case MODEL_OP_STOP_SERVICE:
        RUNNER_CALL0(api->JetStopService);
        break;
    case MODEL_OP_STOP_BACKUP_INSTANCE:
        RUNNER_CALL(api->JetStopBackupInstance, a->inst);
        break;
    case MODEL_OP_STOP_BACKUP:
        RUNNER_CALL0(api->JetStopBackup);
        break;
    case MODEL_OP_BEGIN:
        RUNNER_CALL(api->JetBeginExternalBackupInstance, a->inst, a->grbit);
        break;
    case MODEL_OP_BEGIN_LEGACY:
        RUNNER_CALL(api->JetBeginExternalBackup, a->grbit);
        break;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        return runner__list(api, ctx, a, o);
    case MODEL_OP_OPEN_FILE:
        RUNNER_CALL(api->JetOpenFileInstance, a->inst, a->name, &o->hf, &lo, &hi);
        o->size = (uint64_t)hi << 32 | lo;
        break;
    case MODEL_OP_OPEN_FILE_LEGACY:
        RUNNER_CALL(api->JetOpenFile, a->name, &o->hf, &lo, &hi);
        o->size = (uint64_t)hi << 32 | lo;
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        return runner__read(api, ctx, a, o);
    case MODEL_OP_CLOSE_FILE:
        RUNNER_CALL(api->JetCloseFileInstance, a->inst, a->hf);
        break;
    case MODEL_OP_CLOSE_FILE_LEGACY:
        RUNNER_CALL(api->JetCloseFile, a->hf);
        break;
    case MODEL_OP_TRUNCATE_LOG:
        RUNNER_CALL(api->JetTruncateLogInstance, a->inst);
        break;
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
        RUNNER_CALL0(api->JetTruncateLog);
        break;
    case MODEL_OP_END:
        RUNNER_CALL(api->JetEndExternalBackupInstance, a->inst);
        break;
    case MODEL_OP_END2:
        RUNNER_CALL(api->JetEndExternalBackupInstance2, a->inst, a->grbit);
        break;
    case MODEL_OP_END_LEGACY:
        RUNNER_CALL0(api->JetEndExternalBackup);
        break;
    case MODEL_OP_FX_CONFIGURE:
        RUNNER_CALL(fx->BackstopFixtureConfigureInstance, a->inst, a->cb);
        break;
    case MODEL_OP_FX_CREATE_DB:
        RUNNER_CALL(fx->BackstopFixtureCreateDatabase, a->inst, a->name, a->cb);
        break;
    case MODEL_OP_FX_DETACH_DB:
        RUNNER_CALL(fx->BackstopFixtureDetachDatabase, a->inst, a->name);
        break;
    case MODEL_OP_FX_ROLL_LOG:
        RUNNER_CALL(fx->BackstopFixtureRollLog, a->inst, a->cb);
        break;
    case MODEL_OP_FX_SET_CHECKPOINT:
        RUNNER_CALL(fx->BackstopFixtureSetCheckpoint, a->inst, a->cb);
        break;
    case MODEL_OP_FX_DELETE_LOG:
        RUNNER_CALL(fx->BackstopFixtureDeleteLog, a->inst, a->cb);
        break;
    case MODEL_OP_FX_FORCE_STATE:
        RUNNER_CALL(fx->BackstopFixtureForceState, a->inst, a->cb);
        break;
    default:
        return RUNNER_EMISSING;
    }
#undef RUNNER_CALL
#undef RUNNER_CALL0
    return 0;
}

/* ---- case execution ------------------------------------------------------------ */

/* Where a case's events go: memory (no fork) or a pipe to the parent (fork). */
struct runner_sink {
    int fd;               /* pipe write end, or -1 */
    struct sbuf trace;    /* call trace lines */
    struct sbuf msg;      /* the verdict's explanation */
    char last_call[512];
};

static void runner__emit(struct runner_sink *s, char tag, const char *text)
{
    if (s->fd >= 0) {
        /* One record per line; embedded newlines become separate records. */
        const char *p = text;
        do {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            char head[2] = {tag, ' '};
            if (write(s->fd, head, 2) < 0 || write(s->fd, p, n) < 0 || write(s->fd, "\n", 1) < 0)
                return;
            p = nl ? nl + 1 : p + n;
        } while (*p);
        return;
    }
    if (tag == 'T')
        sbuf_printf(&s->trace, "%s\n", text);
    else if (tag == 'M')
        sbuf_printf(&s->msg, "%s\n", text);
    else if (tag == 'C')
        snprintf(s->last_call, sizeof s->last_call, "%s", text);
}

struct runner_var {
    JET_INSTANCE tv, mv; /* target's and model's value */
};

struct runner_case {
    const struct runner_config *cfg;
    const struct scn_case *c;
    const struct target_ops *t;
    void *tctx;
    void *mctx;          /* model world in lockstep, NULL if not differential */
    bool lockstep;       /* still comparing with the model */
    struct runner_var vars[SCN_MAX_VARS];
    int last_inst_var;   /* the instance the fixture's file paths refer to */
    uint32_t page_size;
    struct runner_sink *sink;
    struct sbuf scratch;
};

/* Step outcome. */
enum { STEP_OK = 0, STEP_FAIL, STEP_SKIP, STEP_ERROR };

static const char *runner__err_text(JET_ERR e, char *buf, size_t n)
{
    const char *name = scn_err_name(e);
    if (name)
        snprintf(buf, n, "%s (%d)", name, (int)e);
    else
        snprintf(buf, n, "%d", (int)e);
    return buf;
}

static uint64_t runner__size(const struct runner_case *rc, struct scn_size s)
{
    return s.pages ? s.value * rc->page_size : s.value;
}

static JET_INSTANCE runner__ref(const struct runner_case *rc, struct scn_ref r, bool model)
{
    switch (r.kind) {
    case SCN_REF_VAR:
        return model ? rc->vars[r.var].mv : rc->vars[r.var].tv;
    case SCN_REF_INT:
        return (JET_INSTANCE)r.value;
    case SCN_REF_NIL:
        return JET_instanceNil;
    case SCN_REF_NEVER:
        return RUNNER_NEVER_HANDLE;
    default:
        return 0;
    }
}

/* Describe a step for traces: "file:line: JetReadFileInstance i h 16p". */
static void runner__describe(struct runner_case *rc, const struct scn_step *st, char *buf, size_t n)
{
    int k = snprintf(buf, n, "%s:%d: ", st->loc.file ? st->loc.file : "?", st->loc.line);
    if (k < 0 || (size_t)k >= n)
        return;
    if (st->thread >= 0 && st->thread < rc->c->n_threads)
        k += snprintf(buf + k, n - (size_t)k, "[%s] ", rc->c->threads[st->thread]);
    if ((size_t)k >= n)
        return;
    switch (st->kind) {
    case SCN_STEP_API:
        k += snprintf(buf + k, n - (size_t)k, "%s", model_op_name(st->op));
        if ((size_t)k < n && st->inst.kind == SCN_REF_VAR)
            k += snprintf(buf + k, n - (size_t)k, " %s", rc->c->vars[st->inst.var]);
        else if ((size_t)k < n && st->inst.kind == SCN_REF_NIL)
            k += snprintf(buf + k, n - (size_t)k, " nil");
        else if ((size_t)k < n && st->inst.kind == SCN_REF_NEVER)
            k += snprintf(buf + k, n - (size_t)k, " never");
        else if ((size_t)k < n && st->inst.kind == SCN_REF_INT)
            k += snprintf(buf + k, n - (size_t)k, " 0x%llx", (unsigned long long)st->inst.value);
        if ((size_t)k < n && st->file.kind == SCN_FILE_DB)
            k += snprintf(buf + k, n - (size_t)k, " db:%s", st->file.text);
        else if ((size_t)k < n && st->file.kind == SCN_FILE_LOG)
            k += snprintf(buf + k, n - (size_t)k, " log:%u", (unsigned)st->file.gen);
        if ((size_t)k < n && st->hf.kind == SCN_REF_VAR)
            k += snprintf(buf + k, n - (size_t)k, " %s", rc->c->vars[st->hf.var]);
        else if ((size_t)k < n && st->hf.kind == SCN_REF_INT)
            k += snprintf(buf + k, n - (size_t)k, " %llu", (unsigned long long)st->hf.value);
        if ((size_t)k < n && model_op_is_fixture(st->op) && st->arg)
            k += snprintf(buf + k, n - (size_t)k, " %u", (unsigned)st->arg);
        if ((size_t)k < n && st->grbit)
            k += snprintf(buf + k, n - (size_t)k, " grbit=0x%x", (unsigned)st->grbit);
        if ((size_t)k < n && st->cb.value)
            snprintf(buf + k, n - (size_t)k, " cb=%llu%s", (unsigned long long)st->cb.value,
                     st->cb.pages ? "p" : "");
        break;
    case SCN_STEP_INSTANCE:
        snprintf(buf + k, n - (size_t)k, "instance %s", st->bind >= 0 ? rc->c->vars[st->bind] : "?");
        break;
    case SCN_STEP_ONEINST:
        snprintf(buf + k, n - (size_t)k, "oneinst %s", st->bind >= 0 ? rc->c->vars[st->bind] : "?");
        break;
    case SCN_STEP_PAGE_SIZE:
        snprintf(buf + k, n - (size_t)k, "page-size %llu", (unsigned long long)st->cb.value);
        break;
    case SCN_STEP_LOG_SIZE:
        snprintf(buf + k, n - (size_t)k, "log-size %llu", (unsigned long long)st->cb.value);
        break;
    case SCN_STEP_LOGS_ON_DISK:
        snprintf(buf + k, n - (size_t)k, "logs-on-disk");
        break;
    case SCN_STEP_FAULT:
        snprintf(buf + k, n - (size_t)k, "fault %s nth=%u", st->text ? st->text : "?", (unsigned)st->arg);
        break;
    case SCN_STEP_BACKUP_CLIENT:
        snprintf(buf + k, n - (size_t)k, "backup-client");
        break;
    default:
        snprintf(buf + k, n - (size_t)k, "(block marker)");
        break;
    }
}

/* The results the step accepts under the run's profile. Returns the number. */
static int runner__accepted(const struct scn_step *st, enum model_profile p, JET_ERR *out)
{
    const struct scn_expect *e = &st->expect;
    unsigned bit = 1u << p;
    int n = 0;
    bool override = false;

    if (e->kind == SCN_EXPECT_DEFAULT) {
        out[0] = JET_errSuccess;
        return 1;
    }
    for (int i = 0; i < e->n_results; i++)
        if (e->results[i].profile_mask & bit)
            override = true;
    for (int i = 0; i < e->n_results; i++) {
        unsigned m = e->results[i].profile_mask;
        /* `-> R P:R2`: the override replaces R under P. `expect-any` sets are the
         * union of the unprefixed results and those for P. */
        bool take = (m & bit) || (m == 0 && !(override && e->kind == SCN_EXPECT_ONE));
        if (take)
            out[n++] = e->results[i].err;
    }
    return n;
}

static bool runner__cmp(enum scn_cmp c, uint64_t a, uint64_t b)
{
    switch (c) {
    case SCN_CMP_EQ: return a == b;
    case SCN_CMP_NE: return a != b;
    case SCN_CMP_LT: return a < b;
    case SCN_CMP_LE: return a <= b;
    case SCN_CMP_GT: return a > b;
    case SCN_CMP_GE: return a >= b;
    }
    return false;
}

static const char *runner__cmp_text(enum scn_cmp c)
{
    static const char *t[] = {"?", "=", "!=", "<", "<=", ">", ">="};
    return (unsigned)c < sizeof t / sizeof t[0] ? t[c] : "?";
}

static const char *runner__key_text(enum scn_check_key k)
{
    switch (k) {
    case SCN_CHECK_SIZE: return "size";
    case SCN_CHECK_ACTUAL: return "actual";
    case SCN_CHECK_COUNT: return "count";
    case SCN_CHECK_HF: return "hf";
    case SCN_CHECK_GENLOW: return "genlow";
    case SCN_CHECK_GENHIGH: return "genhigh";
    case SCN_CHECK_LOW: return "low";
    case SCN_CHECK_HIGH: return "high";
    }
    return "?";
}

static void runner__rules_of_case(const struct scn_case *c, struct sbuf *sb)
{
    for (int i = 0; i < c->n_rules; i++)
        sbuf_printf(sb, "%s%s", i ? " " : "", c->rules[i]);
}

static void runner__model_rules(const struct model_result *r, struct sbuf *sb)
{
    if (!r || r->n_rules == 0) {
        sbuf_printf(sb, "(none)");
        return;
    }
    for (int i = 0; i < r->n_rules; i++)
        sbuf_printf(sb, "%s%s", i ? " " : "", model_rule_name(r->rules[i]));
}

/* Fail the case at `st` with a formatted explanation. */
SBUF_PRINTF(3, 4)
static int runner__fail(struct runner_case *rc, const struct scn_step *st, const char *fmt, ...)
{
    char desc[512], line[1024];
    va_list ap;
    runner__describe(rc, st, desc, sizeof desc);
    snprintf(line, sizeof line, "at %s", desc);
    runner__emit(rc->sink, 'M', line);
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    runner__emit(rc->sink, 'M', line);
    return STEP_FAIL;
}

SBUF_PRINTF(2, 3)
static int runner__skip(struct runner_case *rc, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    runner__emit(rc->sink, 'M', line);
    return STEP_SKIP;
}

/* Resolve a FILE argument into `buf` for the target or the model. */
static int runner__file(struct runner_case *rc, const struct scn_step *st, bool model,
                        char *buf, size_t n, const char **name, uint32_t *flags)
{
    const struct target_ops *ops = model ? &target_model_ops : rc->t;
    void *ctx = model ? rc->mctx : rc->tctx;
    JET_INSTANCE inst;
    JET_ERR e;

    *name = NULL;
    switch (st->file.kind) {
    case SCN_FILE_NONE:
        return 0;
    case SCN_FILE_NULL:
        *flags |= MODEL_CALL_NAME_NULL;
        return 0;
    case SCN_FILE_STRING:
        *name = st->file.text;
        return 0;
    case SCN_FILE_DB:
    case SCN_FILE_LOG:
        if (!ops->fixture || !ops->fixture->BackstopFixtureFilePath)
            return RUNNER_EMISSING;
        inst = st->inst.kind != SCN_REF_NONE ? runner__ref(rc, st->inst, model)
               : rc->last_inst_var >= 0 ? (model ? rc->vars[rc->last_inst_var].mv
                                                 : rc->vars[rc->last_inst_var].tv)
                                        : 0;
        e = ops->fixture->BackstopFixtureFilePath(
            ctx, inst, st->file.kind == SCN_FILE_DB ? BACKSTOP_FILE_DATABASE : BACKSTOP_FILE_LOG,
            st->file.text, st->file.gen, buf, (uint32_t)n);
        if (e != JET_errSuccess)
            return -1;
        *name = buf;
        return 0;
    }
    return 0;
}

/* Check the out-parameter checks of a step. */
static int runner__checks(struct runner_case *rc, const struct scn_step *st,
                          const struct target_call_out *o, uint32_t low, uint32_t high)
{
    for (int i = 0; i < st->n_checks; i++) {
        const struct scn_check *k = &st->checks[i];
        uint64_t want = runner__size(rc, k->value), got = 0;
        switch (k->key) {
        case SCN_CHECK_SIZE: got = o->size; break;
        case SCN_CHECK_ACTUAL: got = o->actual; break;
        case SCN_CHECK_HF: got = o->hf; break;
        case SCN_CHECK_GENLOW: got = o->genlow; break;
        case SCN_CHECK_GENHIGH: got = o->genhigh; break;
        case SCN_CHECK_LOW: got = low; break;
        case SCN_CHECK_HIGH: got = high; break;
        case SCN_CHECK_COUNT:
            if (o->count == UINT32_MAX)
                return runner__fail(rc, st, "  check count: the returned list was truncated or "
                                            "not terminated, so its names cannot be counted");
            got = o->count;
            break;
        }
        if (!runner__cmp(k->cmp, got, want))
            return runner__fail(rc, st, "  check %s %s %llu%s failed: actual %s = %llu",
                                runner__key_text(k->key), runner__cmp_text(k->cmp),
                                (unsigned long long)k->value.value, k->value.pages ? "p" : "",
                                runner__key_text(k->key), (unsigned long long)got);
    }
    return STEP_OK;
}

/* Run one Jet or fixture call step. */
static int runner__api_step(struct runner_case *rc, const struct scn_step *st)
{
    struct target_call_args ta = {0}, ma = {0};
    struct target_call_out to, mo;
    char tpath[1024], mpath[1024], desc[512], e1[96], e2[96];
    JET_INSTANCE tinst_tmp = 0, minst_tmp = 0;
    JET_ERR accepted[SCN_MAX_RESULTS];
    const struct model_result *mr = NULL;
    int n_acc, rv;
    bool ok = false;

    ta.op = ma.op = st->op;
    ta.inst = runner__ref(rc, st->inst, false);
    ma.inst = runner__ref(rc, st->inst, true);
    ta.hf = runner__ref(rc, st->hf, false);
    ma.hf = runner__ref(rc, st->hf, true);
    ta.grbit = ma.grbit = st->grbit;
    ta.flags = ma.flags = st->call_flags;
    if (model_op_is_fixture(st->op))
        ta.cb = ma.cb = st->arg;
    else {
        uint64_t cb = runner__size(rc, st->cb);
        if (cb > UINT32_MAX)
            return runner__fail(rc, st, "  harness: cbMax %llu does not fit in 32 bits",
                                (unsigned long long)cb);
        ta.cb = ma.cb = (uint32_t)cb;
    }
    if (st->op == MODEL_OP_FX_CREATE_DB || st->op == MODEL_OP_FX_DETACH_DB) {
        ta.name = ma.name = st->file.text;
    } else {
        rv = runner__file(rc, st, false, tpath, sizeof tpath, &ta.name, &ta.flags);
        if (rv == RUNNER_EMISSING)
            return runner__skip(rc, "target %s lacks BackstopFixtureFilePath (needed to name files)",
                                rc->t->name);
        if (rv < 0)
            return runner__fail(rc, st, "  fixture BackstopFixtureFilePath failed");
        if (rc->lockstep && runner__file(rc, st, true, mpath, sizeof mpath, &ma.name, &ma.flags) < 0)
            return runner__fail(rc, st, "  model fixture BackstopFixtureFilePath failed");
    }
    if (st->op == MODEL_OP_CREATE_INSTANCE || st->op == MODEL_OP_INIT) {
        ta.name = ma.name = st->bind >= 0 ? rc->c->vars[st->bind] : "backstop";
        if (st->op == MODEL_OP_INIT && st->inst.kind == SCN_REF_VAR) {
            ta.pinst = &rc->vars[st->inst.var].tv;
            ma.pinst = &rc->vars[st->inst.var].mv;
        } else {
            tinst_tmp = ta.inst;
            minst_tmp = ma.inst;
            ta.pinst = st->bind >= 0 ? &rc->vars[st->bind].tv : &tinst_tmp;
            ma.pinst = st->bind >= 0 ? &rc->vars[st->bind].mv : &minst_tmp;
        }
    }

    runner__describe(rc, st, desc, sizeof desc);
    runner__emit(rc->sink, 'C', desc);
    rv = target_call(rc->t, rc->tctx, &ta, &to);
    if (rv == RUNNER_EMISSING)
        return runner__skip(rc, "target %s lacks %s", rc->t->name, model_op_name(st->op));
    if (rv < 0)
        return runner__fail(rc, st, "  harness: could not allocate the call's buffers");
    if (rc->lockstep) {
        if (target_call(&target_model_ops, rc->mctx, &ma, &mo) != 0)
            return runner__fail(rc, st, "  harness: the model lacks %s", model_op_name(st->op));
        mr = target_model_last(rc->mctx);
    } else if (rc->t == &target_model_ops) {
        mr = target_model_last(rc->tctx);
    }
    if ((st->op == MODEL_OP_CREATE_INSTANCE || st->op == MODEL_OP_INIT) && st->bind >= 0)
        rc->last_inst_var = st->bind;
    if (st->op == MODEL_OP_INIT && st->inst.kind == SCN_REF_VAR)
        rc->last_inst_var = st->inst.var;
    if (st->op == MODEL_OP_OPEN_FILE || st->op == MODEL_OP_OPEN_FILE_LEGACY) {
        if (st->bind >= 0 && to.err == JET_errSuccess) {
            rc->vars[st->bind].tv = to.hf;
            rc->vars[st->bind].mv = rc->lockstep ? mo.hf : to.hf;
        }
    }

    {
        struct sbuf tr = {0};
        sbuf_printf(&tr, "%s = %s", desc, runner__err_text(to.err, e1, sizeof e1));
        if (mr) {
            sbuf_printf(&tr, "   [model %s: ", runner__err_text(mr->err, e2, sizeof e2));
            runner__model_rules(mr, &tr);
            sbuf_printf(&tr, "]");
        }
        runner__emit(rc->sink, 'T', sbuf_str(&tr));
        sbuf_free(&tr);
    }

    if (to.overrun)
        return runner__fail(rc, st, "  the target wrote past the %u-byte buffer it was given",
                            (unsigned)ta.cb);

    /* 1. The expectation for this profile. */
    if (st->expect.kind == SCN_EXPECT_ANYTHING) {
        ok = true;
    } else {
        n_acc = runner__accepted(st, rc->cfg->profile, accepted);
        for (int i = 0; i < n_acc; i++)
            if (accepted[i] == to.err)
                ok = true;
        if (!ok) {
            struct sbuf sb = {0};
            for (int i = 0; i < n_acc; i++)
                sbuf_printf(&sb, "%s%s", i ? " or " : "", runner__err_text(accepted[i], e1, sizeof e1));
            sbuf_printf(&sb, "\n  actual:   %s", runner__err_text(to.err, e1, sizeof e1));
            sbuf_printf(&sb, "\n  rules:    ");
            runner__rules_of_case(rc->c, &sb);
            if (mr) {
                sbuf_printf(&sb, "\n  model:    %s, decided by ", runner__err_text(mr->err, e2, sizeof e2));
                runner__model_rules(mr, &sb);
            }
            rv = runner__fail(rc, st, "  expected: %s", sbuf_str(&sb));
            sbuf_free(&sb);
            return rv;
        }
    }
    rv = runner__checks(rc, st, &to, 0, 0);
    if (rv != STEP_OK)
        return rv;

    /* 2. Lockstep with the model: the first divergence fails the case. */
    if (rc->lockstep) {
        struct sbuf sb = {0};
        if (mo.err != to.err) {
            if (st->expect.kind == SCN_EXPECT_ONE || st->expect.kind == SCN_EXPECT_DEFAULT) {
                sbuf_printf(&sb, "  divergence from the model: target %s, model %s (model rules: ",
                            runner__err_text(to.err, e1, sizeof e1), runner__err_text(mo.err, e2, sizeof e2));
                runner__model_rules(mr, &sb);
                sbuf_printf(&sb, ")");
                rv = runner__fail(rc, st, "%s", sbuf_str(&sb));
                sbuf_free(&sb);
                return rv;
            }
            /* Both results are allowed (expect-any or undefined): the worlds may
             * now differ, so lockstep ends here. */
            runner__emit(rc->sink, 'T', "  (lockstep with the model ends: the spec allows both results)");
            rc->lockstep = false;
        } else if (to.err == JET_errSuccess) {
            const char *what = NULL;
            uint64_t a = 0, b = 0;
            switch (st->op) {
            case MODEL_OP_OPEN_FILE:
            case MODEL_OP_OPEN_FILE_LEGACY:
                if (to.size != mo.size) {
                    what = "file size";
                    a = to.size;
                    b = mo.size;
                } else if (to.hf != mo.hf) {
                    what = "file handle";
                    a = to.hf;
                    b = mo.hf;
                }
                break;
            case MODEL_OP_READ_FILE:
            case MODEL_OP_READ_FILE_LEGACY:
                if (!(st->call_flags & MODEL_CALL_PCB_NULL) && to.actual != mo.actual) {
                    what = "bytes read";
                    a = to.actual;
                    b = mo.actual;
                }
                break;
            case MODEL_OP_GET_LOG_INFO2:
                if (to.genlow != mo.genlow || to.genhigh != mo.genhigh) {
                    what = "log generations (low<<32|high)";
                    a = (uint64_t)to.genlow << 32 | to.genhigh;
                    b = (uint64_t)mo.genlow << 32 | mo.genhigh;
                }
                break;
            default:
                break;
            }
            if (!what && to.count != UINT32_MAX && mo.count != UINT32_MAX && to.count != mo.count) {
                what = "names in the list";
                a = to.count;
                b = mo.count;
            }
            if (what) {
                sbuf_printf(&sb, "  divergence from the model in %s: target %llu, model %llu", what,
                            (unsigned long long)a, (unsigned long long)b);
                rv = runner__fail(rc, st, "%s", sbuf_str(&sb));
                sbuf_free(&sb);
                return rv;
            }
        }
        sbuf_free(&sb);
    }
    return STEP_OK;
}

/* Call a fixture function on the target and (in lockstep) the model. */
#define RUNNER_FX(rc, member, ...)                                                    \
    ((rc)->t->fixture && (rc)->t->fixture->member                                          \
         ? (rc)->t->fixture->member((rc)->tctx, __VA_ARGS__)                                \
         : RUNNER_EMISSING)

static int runner__setup_value(struct runner_case *rc, const struct scn_step *st, bool page)
{
    const char *fn = page ? "BackstopFixtureSetPageSize" : "BackstopFixtureSetLogSize";
    uint64_t v = runner__size(rc, st->cb);
    JET_ERR e;
    if (v > UINT32_MAX)
        return runner__fail(rc, st, "  value %llu is too large", (unsigned long long)v);
    e = page ? RUNNER_FX(rc, BackstopFixtureSetPageSize, (uint32_t)v)
             : RUNNER_FX(rc, BackstopFixtureSetLogSize, (uint32_t)v);
    if (e == RUNNER_EMISSING)
        return runner__skip(rc, "target %s lacks %s", rc->t->name, fn);
    if (e != JET_errSuccess)
        return runner__fail(rc, st, "  %s(%llu) failed: %d", fn, (unsigned long long)v, (int)e);
    if (rc->lockstep) {
        const struct jet_fixture *mf = target_model_ops.fixture;
        e = page ? mf->BackstopFixtureSetPageSize(rc->mctx, (uint32_t)v)
                 : mf->BackstopFixtureSetLogSize(rc->mctx, (uint32_t)v);
        if (e != JET_errSuccess)
            return runner__fail(rc, st, "  model %s(%llu) failed: %d", fn, (unsigned long long)v, (int)e);
    }
    if (page)
        rc->page_size = (uint32_t)v;
    return STEP_OK;
}

/* `instance NAME [...]` and `oneinst NAME`: create, configure, init. */
static int runner__instance_step(struct runner_case *rc, const struct scn_step *st)
{
    struct scn_step s = *st;
    int rv;
    s.kind = SCN_STEP_API;
    s.expect.kind = SCN_EXPECT_DEFAULT;
    s.n_checks = 0;
    if (st->kind == SCN_STEP_ONEINST) {
        /* JetInit with a zero handle: OneInst mode (§2.3 stage L). */
        rc->vars[st->bind].tv = rc->vars[st->bind].mv = 0;
        s.op = MODEL_OP_INIT;
        s.inst.kind = SCN_REF_VAR;
        s.inst.var = st->bind;
        return runner__api_step(rc, &s);
    }
    s.op = MODEL_OP_CREATE_INSTANCE;
    s.inst.kind = SCN_REF_NONE;
    rv = runner__api_step(rc, &s);
    if (rv != STEP_OK)
        return rv;
    if (st->step_flags & (SCN_STEP_LOGGING_OFF | SCN_STEP_CIRCULAR)) {
        s.op = MODEL_OP_FX_CONFIGURE;
        s.inst.kind = SCN_REF_VAR;
        s.inst.var = st->bind;
        s.arg = ((st->step_flags & SCN_STEP_LOGGING_OFF) ? BACKSTOP_CFG_LOGGING_OFF : 0) |
                ((st->step_flags & SCN_STEP_CIRCULAR) ? BACKSTOP_CFG_CIRCULAR_LOG : 0);
        rv = runner__api_step(rc, &s);
        if (rv != STEP_OK)
            return rv;
    }
    if (!(st->step_flags & SCN_STEP_INIT_NO)) {
        s.op = MODEL_OP_INIT;
        s.inst.kind = SCN_REF_VAR;
        s.inst.var = st->bind;
        s.bind = -1;
        rv = runner__api_step(rc, &s);
        if (rv == STEP_OK)
            rc->last_inst_var = st->bind;
    }
    return rv;
}

static int runner__fault_step(struct runner_case *rc, const struct scn_step *st)
{
    JET_ERR e = RUNNER_FX(rc, BackstopFixtureArmFault, st->text, st->arg);
    if (e == RUNNER_EMISSING)
        return runner__skip(rc, "target %s lacks BackstopFixtureArmFault", rc->t->name);
    if (e != JET_errSuccess)
        return runner__fail(rc, st, "  arming fault point %s failed: %d", st->text, (int)e);
    if (rc->lockstep &&
        target_model_ops.fixture->BackstopFixtureArmFault(rc->mctx, st->text, st->arg) != JET_errSuccess)
        return runner__fail(rc, st, "  the model does not know fault point %s", st->text);
    return STEP_OK;
}

static int runner__logs_step(struct runner_case *rc, const struct scn_step *st)
{
    uint32_t lo = 0, hi = 0;
    struct target_call_out o = {0};
    JET_ERR e = RUNNER_FX(rc, BackstopFixtureLogRange, runner__ref(rc, st->inst, false), &lo, &hi);
    char line[128];
    if (e == RUNNER_EMISSING)
        return runner__skip(rc, "target %s lacks BackstopFixtureLogRange", rc->t->name);
    if (e != JET_errSuccess)
        return runner__fail(rc, st, "  BackstopFixtureLogRange failed: %d", (int)e);
    snprintf(line, sizeof line, "logs on disk: %u..%u", (unsigned)lo, (unsigned)hi);
    runner__emit(rc->sink, 'T', line);
    return runner__checks(rc, st, &o, lo, hi);
}

static int runner__client_step(struct runner_case *rc, const struct scn_step *st)
{
    struct backup_client_config bc = {
        .ops = rc->t,
        .ctx = rc->tctx,
        .inst = runner__ref(rc, st->inst, false),
        .incremental = (st->step_flags & SCN_STEP_INCREMENTAL) != 0,
        .stop_after = st->text ? st->arg : 0,
        .has_stop_after = st->text != NULL,
        .page_size = rc->page_size,
        .work_dir = rc->cfg->work_dir,
    };
    struct backup_client_result res;
    char desc[512];
    int rv;

    runner__describe(rc, st, desc, sizeof desc);
    runner__emit(rc->sink, 'C', desc);
    rv = backup_client_run(&bc, &res);
    runner__emit(rc->sink, 'T', res.summary);
    if (rv == BACKUP_CLIENT_EMISSING)
        return runner__skip(rc, "%s", res.detail);
    if (rv != BACKUP_CLIENT_OK)
        return runner__fail(rc, st, "  backup client: %s", res.detail);
    /* The model does not see the client's calls, so lockstep ends here. */
    if (rc->lockstep) {
        runner__emit(rc->sink, 'T', "  (lockstep with the model ends: backup-client is target-only)");
        rc->lockstep = false;
    }
    return STEP_OK;
}

static int runner__exec(struct runner_case *rc)
{
    for (int i = 0; i < rc->c->n_steps; i++) {
        const struct scn_step *st = &rc->c->steps[i];
        int rv = STEP_OK;
        switch (st->kind) {
        case SCN_STEP_API:
            rv = runner__api_step(rc, st);
            break;
        case SCN_STEP_INSTANCE:
        case SCN_STEP_ONEINST:
            rv = runner__instance_step(rc, st);
            break;
        case SCN_STEP_PAGE_SIZE:
            rv = runner__setup_value(rc, st, true);
            break;
        case SCN_STEP_LOG_SIZE:
            rv = runner__setup_value(rc, st, false);
            break;
        case SCN_STEP_LOGS_ON_DISK:
            rv = runner__logs_step(rc, st);
            break;
        case SCN_STEP_FAULT:
            rv = runner__fault_step(rc, st);
            break;
        case SCN_STEP_BACKUP_CLIENT:
            rv = runner__client_step(rc, st);
            break;
        case SCN_STEP_PARALLEL_BEGIN:
            /* Sequential runner: a block's lines run in the order written, one
             * valid linearisation (scenarios/README.md). */
            runner__emit(rc->sink, 'T', "parallel block (run in written order)");
            break;
        case SCN_STEP_PARALLEL_END:
            break;
        }
        if (rv != STEP_OK)
            return rv;
    }
    return STEP_OK;
}

/* Run a case, writing its events to `sink`. Returns the report status. */
static enum report_status runner__case_body(const struct runner_config *cfg, const struct scn_case *c,
                                            struct runner_sink *sink)
{
    struct runner_case rc = {.cfg = cfg, .c = c, .t = cfg->target, .sink = sink,
                             .page_size = 4096, .last_inst_var = -1};
    struct target_config tc = {.profile = cfg->profile, .work_dir = cfg->work_dir, .seed = cfg->seed};
    int rv;
    enum report_status st;

    rv = cfg->target->open(cfg->target, &tc, &rc.tctx);
    if (rv == TARGET_EPROFILE) {
        runner__emit(sink, 'M', "the target cannot act as this profile");
        return REPORT_SKIP;
    }
    if (rv != TARGET_OK) {
        char line[256];
        snprintf(line, sizeof line, "could not open a fresh target world: %s", target_strerror(rv));
        runner__emit(sink, 'M', line);
        return REPORT_FAIL;
    }
    if (cfg->differential && cfg->target != &target_model_ops) {
        if (target_model_ops.open(&target_model_ops, &tc, &rc.mctx) != TARGET_OK) {
            cfg->target->close(rc.tctx);
            runner__emit(sink, 'M', "could not open the model world");
            return REPORT_FAIL;
        }
        rc.lockstep = true;
    }
    rv = runner__exec(&rc);
    st = rv == STEP_OK ? REPORT_PASS : rv == STEP_SKIP ? REPORT_SKIP : REPORT_FAIL;
    cfg->target->close(rc.tctx);
    if (rc.mctx)
        target_model_ops.close(rc.mctx);
    return st;
}

static double runner__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *runner__compose(enum report_status st, struct runner_sink *s)
{
    struct sbuf out = {0};
    sbuf_printf(&out, "%s", sbuf_str(&s->msg));
    if (st != REPORT_PASS && st != REPORT_SKIP && sbuf_len(&s->trace)) {
        sbuf_printf(&out, "call trace:\n");
        const char *p = sbuf_str(&s->trace);
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            sbuf_printf(&out, "  %.*s\n", (int)n, p);
            p = nl ? nl + 1 : p + n;
        }
    }
    return sbuf_take(&out);
}

/* Read the child's event stream until EOF or the deadline. Returns 1 on EOF,
 * 0 on timeout. */
static int runner__collect(int fd, double deadline, struct runner_sink *s, int *status)
{
    char buf[4096];
    struct sbuf line = {0};
    int eof = 0;
    for (;;) {
        int wait_ms = -1;
        if (deadline > 0) {
            double left = deadline - runner__now();
            if (left <= 0)
                break;
            wait_ms = (int)(left * 1000) + 1;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, wait_ms);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr == 0)
            break;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            eof = 1;
            break;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                sbuf_putc(&line, buf[i]);
                continue;
            }
            const char *l = sbuf_str(&line);
            if (sbuf_len(&line) >= 2) {
                if (l[0] == 'S')
                    *status = atoi(l + 2);
                else
                    runner__emit(s, l[0], l + 2);
            }
            sbuf_reset(&line);
        }
    }
    sbuf_free(&line);
    return eof;
}

int runner_run_case(const struct runner_config *cfg, const struct scn_case *c, struct report_case *out)
{
    struct runner_sink sink = {.fd = -1};
    enum report_status st;
    double t0 = runner__now();
    const char *reason = NULL;
    enum expect_kind ek = expect_lookup(cfg->expectations, c->name, &reason);

    memset(out, 0, sizeof *out);
    {
        struct sbuf rules = {0};
        runner__rules_of_case(c, &rules);
        out->rules = sbuf_take(&rules);
    }
    out->name = c->name;
    out->file = c->loc.file;
    out->line = c->loc.line;

    if (ek == EXPECT_SKIP) {
        out->status = REPORT_SKIP;
        sbuf_printf(&sink.msg, "skipped by the expectations file: %s", reason);
        out->message = sbuf_take(&sink.msg);
        return 0;
    }
    if (c->profile_mask && !(c->profile_mask & (1u << cfg->profile))) {
        out->status = REPORT_SKIP;
        sbuf_printf(&sink.msg, "not for profile %s", model_profile_name(cfg->profile));
        out->message = sbuf_take(&sink.msg);
        return 0;
    }

    if (!cfg->fork) {
        st = runner__case_body(cfg, c, &sink);
    } else {
        int fds[2], status = -1, wst = 0;
        pid_t pid;
        fflush(NULL);
        if (pipe(fds) != 0)
            return -1;
        pid = fork();
        if (pid < 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        if (pid == 0) {
            struct runner_sink child = {.fd = fds[1]};
            char line[32];
            close(fds[0]);
            enum report_status cst = runner__case_body(cfg, c, &child);
            snprintf(line, sizeof line, "S %d\n", (int)cst);
            if (write(fds[1], line, strlen(line)) < 0)
                _exit(3);
            _exit(0);
        }
        close(fds[1]);
        int eof = runner__collect(fds[0], cfg->timeout_s > 0 ? t0 + cfg->timeout_s : 0, &sink, &status);
        close(fds[0]);
        if (!eof) {
            kill(pid, SIGKILL);
            waitpid(pid, &wst, 0);
            sbuf_printf(&sink.msg, "TIMEOUT: the case ran longer than %.1f s\nlast call: %s\n",
                        cfg->timeout_s, sink.last_call[0] ? sink.last_call : "(none)");
            st = REPORT_TIMEOUT;
        } else {
            while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
                ;
            if (WIFSIGNALED(wst)) {
                sbuf_printf(&sink.msg, "CRASH: killed by signal %d (%s)\nlast call: %s\n", WTERMSIG(wst),
                            strsignal(WTERMSIG(wst)), sink.last_call[0] ? sink.last_call : "(none)");
                st = REPORT_CRASH;
            } else if (status < 0 || WEXITSTATUS(wst) != 0) {
                sbuf_printf(&sink.msg, "CRASH: the case's process exited with status %d before "
                                       "reporting\nlast call: %s\n",
                            WIFEXITED(wst) ? WEXITSTATUS(wst) : -1,
                            sink.last_call[0] ? sink.last_call : "(none)");
                st = REPORT_CRASH;
            } else {
                st = (enum report_status)status;
            }
        }
    }

    if (ek == EXPECT_XFAIL) {
        struct sbuf m = {0};
        if (st == REPORT_PASS) {
            st = REPORT_XPASS;
            sbuf_printf(&m, "XPASS: passed, but the expectations file says XFAIL: %s\n", reason);
        } else if (st != REPORT_SKIP) {
            sbuf_printf(&m, "expected failure (%s): %s\n", report_status_name(st), reason);
            st = REPORT_XFAIL;
        }
        sbuf_printf(&m, "%s", sbuf_str(&sink.msg));
        sbuf_free(&sink.msg);
        sink.msg = m;
    }
    out->status = st;
    out->message = runner__compose(st, &sink);
    out->seconds = runner__now() - t0;
    sbuf_free(&sink.trace);
    sbuf_free(&sink.msg);
    return 0;
}

int runner_run_suite(const struct runner_config *cfg, const struct scn_suite *suite,
                     struct report_case **out, size_t *n)
{
    size_t total = scn_suite_count(suite), k = 0;
    struct report_case *v = calloc(total ? total : 1, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < total; i++) {
        const struct scn_case *c = scn_suite_case(suite, i);
        if (cfg->filter && fnmatch(cfg->filter, c->name, 0) != 0)
            continue;
        if (runner_run_case(cfg, c, &v[k]) != 0) {
            v[k].name = c->name;
            v[k].file = c->loc.file;
            v[k].line = c->loc.line;
            v[k].status = REPORT_CRASH;
            v[k].message = strdup("harness: could not fork or create a pipe for the case");
        }
        k++;
    }
    *out = v;
    *n = k;
    return 0;
}

void runner_free_results(struct report_case *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)r[i].message);
        free((char *)r[i].rules);
    }
    free(r);
}
