/*
 * faults.c: the `--faults SPEC` language (faults.h), arming it on an engine,
 * the engine-point to model-fault mapping, and `backstop faults --sweep`.
 *
 * The sweep (style.md rule 7). For one scenario case:
 *   1. run it once with opportunity counting on and nothing armed: how many
 *      opportunities each fault point has;
 *   2. for every point with opportunities, for N = 0, 1, 2, ...: run the case
 *      again on a fresh world with the point armed to fail its N-th
 *      opportunity, until a run completes with no fault of ours firing.
 * Every run goes through the lockstep target (faults_lockstep.c): the engine
 * and the model, told of the fault at the call where it fired, must agree on
 * every result and on the state after every step (nothing lost). The case's
 * own expectations are not checked (a fault changes what follows); the
 * conformance run checks them.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup_client.h"
#include "bench.h"
#include "cli.h" /* cmd_faults */
#include "faults.h"
#include "faults_int.h"
#include "runner.h"
#include "scn.h"

/* ---- the SPEC language ---------------------------------------------------------------- */

static const struct {
    const char *point;
    enum model_fault fault;
    bool modelled;
} faults__map[] = {
    {"read.eio", MODEL_FAULT_READ_IO, true},
    {"read.verify", MODEL_FAULT_READ_VERIFY, true},
    {"alloc.enomem", MODEL_FAULT_NOMEM, true},
    {"logroll.enospc", MODEL_FAULT_LOG_ROLL, true},
    {"read.short", MODEL_FAULT_NONE, true}, /* the engine resumes: no outcome changes */
    {"open.eio", MODEL_FAULT_OPEN_IO, true},
    {"write.eio", MODEL_FAULT_NONE, false},
};

enum model_fault faults_model_fault(const char *point, bool *modelled)
{
    for (size_t i = 0; i < sizeof faults__map / sizeof faults__map[0]; i++)
        if (point && strcmp(point, faults__map[i].point) == 0) {
            if (modelled)
                *modelled = faults__map[i].modelled;
            return faults__map[i].fault;
        }
    if (modelled)
        *modelled = false;
    return MODEL_FAULT_NONE;
}

static int faults__err(int *col, int at, char *msg, size_t cb, const char *text)
{
    *col = at;
    snprintf(msg, cb, "%s", text);
    return -1;
}

int faults_parse(const char *spec, struct faults_spec *out, int *col, char *msg, size_t cb_msg)
{
    const char *const *points = engine_fault_points();
    size_t n_points = 0;
    const char *p = spec;
    char text[256];

    memset(out, 0, sizeof *out);
    while (points[n_points])
        n_points++;
    if (!spec || !*spec)
        return faults__err(col, 1, msg, cb_msg, "empty fault spec");
    for (;;) {
        const char *item = p, *colon, *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p), plen;
        struct faults_item it = {.policy = ENGINE_FAULT_ONCE};
        int at = (int)(item - spec) + 1;
        if (len == 0)
            return faults__err(col, at, msg, cb_msg, "empty item (two commas, or a comma at an end)");
        colon = memchr(item, ':', len);
        plen = colon ? (size_t)(colon - item) : len;
        if (plen == 0)
            return faults__err(col, at, msg, cb_msg, "missing fault point before ':'");
        if (plen >= FAULTS_POINT_MAX) {
            snprintf(text, sizeof text, "unknown fault point '%.*s'", (int)plen, item);
            return faults__err(col, at, msg, cb_msg, text);
        }
        memcpy(it.point, item, plen);
        it.point[plen] = 0;
        bool known = false;
        for (size_t i = 0; i < n_points; i++)
            known = known || strcmp(points[i], it.point) == 0;
        if (!known) {
            const char *near = scn_nearest(it.point, points, n_points);
            snprintf(text, sizeof text, "unknown fault point '%s'%s%s%s (points: read.eio, read.short, "
                                        "read.verify, alloc.enomem, logroll.enospc, open.eio, write.eio)",
                     it.point, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
            return faults__err(col, at, msg, cb_msg, text);
        }
        for (int i = 0; i < out->n; i++)
            if (strcmp(out->item[i].point, it.point) == 0) {
                snprintf(text, sizeof text, "fault point '%s' given twice", it.point);
                return faults__err(col, at, msg, cb_msg, text);
            }
        if (colon) {
            const char *pol = colon + 1;
            size_t pl = len - plen - 1;
            int pat = (int)(pol - spec) + 1;
            const char *eq = memchr(pol, '=', pl);
            char num[64];
            char *e;
            if (pl == 4 && strncmp(pol, "once", 4) == 0) {
                it.policy = ENGINE_FAULT_ONCE;
            } else if (!eq) {
                snprintf(text, sizeof text, "unknown policy '%.*s' (once, nth=N, countdown=N, p=F)",
                         (int)pl, pol);
                return faults__err(col, pat, msg, cb_msg, text);
            } else {
                size_t kl = (size_t)(eq - pol), vl = pl - kl - 1;
                int vat = (int)(eq + 1 - spec) + 1;
                if (vl == 0 || vl >= sizeof num)
                    return faults__err(col, vat, msg, cb_msg, "missing or overlong number after '='");
                memcpy(num, eq + 1, vl);
                num[vl] = 0;
                errno = 0;
                if ((kl == 3 && strncmp(pol, "nth", 3) == 0) || (kl == 9 && strncmp(pol, "countdown", 9) == 0)) {
                    unsigned long long v = strtoull(num, &e, 10);
                    if (errno || *e || num[0] == '-' || num[0] == '+' || v > UINT32_MAX)
                        return faults__err(col, vat, msg, cb_msg, "not a count (0..4294967295)");
                    it.policy = kl == 3 ? ENGINE_FAULT_NTH : ENGINE_FAULT_COUNTDOWN;
                    it.n = (uint32_t)v;
                } else if (kl == 1 && pol[0] == 'p') {
                    double v = strtod(num, &e);
                    if (errno || *e || !(v >= 0.0 && v <= 1.0))
                        return faults__err(col, vat, msg, cb_msg, "not a probability (0..1)");
                    it.policy = ENGINE_FAULT_PROBABILITY;
                    it.p = v;
                } else {
                    snprintf(text, sizeof text, "unknown policy '%.*s' (once, nth=N, countdown=N, p=F)",
                             (int)kl, pol);
                    return faults__err(col, pat, msg, cb_msg, text);
                }
            }
        }
        if (out->n == FAULTS_MAX)
            return faults__err(col, at, msg, cb_msg, "too many items");
        out->item[out->n++] = it;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

void faults_format(const struct faults_spec *spec, char *buf, size_t n)
{
    size_t k = 0;
    if (n)
        buf[0] = 0;
    for (int i = 0; i < spec->n && k < n; i++) {
        const struct faults_item *it = &spec->item[i];
        const char *sep = i ? "," : "";
        int w = 0;
        switch (it->policy) {
        case ENGINE_FAULT_ONCE: w = snprintf(buf + k, n - k, "%s%s:once", sep, it->point); break;
        case ENGINE_FAULT_NTH: w = snprintf(buf + k, n - k, "%s%s:nth=%u", sep, it->point, (unsigned)it->n); break;
        case ENGINE_FAULT_COUNTDOWN:
            w = snprintf(buf + k, n - k, "%s%s:countdown=%u", sep, it->point, (unsigned)it->n);
            break;
        case ENGINE_FAULT_PROBABILITY: {
            char num[40];
            for (int prec = 1; prec <= 17; prec++) { /* the shortest text that reads back exactly */
                snprintf(num, sizeof num, "%.*g", prec, it->p);
                if (strtod(num, NULL) == it->p)
                    break;
            }
            w = snprintf(buf + k, n - k, "%s%s:p=%s", sep, it->point, num);
            break;
        }
        }
        if (w < 0)
            return;
        k += (size_t)w;
    }
}

int faults_arm(struct engine *e, const struct faults_spec *spec, char *msg, size_t cb_msg)
{
    for (int i = 0; i < spec->n; i++) {
        const struct faults_item *it = &spec->item[i];
        int rv = engine_fault_arm(e, it->point, it->policy, it->n, it->p);
        if (rv != ENGINE_OK) {
            snprintf(msg, cb_msg, "cannot arm %s: %s", it->point, engine_strerror(rv));
            return -1;
        }
    }
    return 0;
}

/* ---- running one case on the lockstep target --------------------------------------------- */

struct faults__exec {
    struct faults__ls *ls;
    const struct scn_case *c;
    JET_INSTANCE vars[SCN_MAX_VARS];
    int last_inst_var;
    uint32_t page_size;
    bool client_failed;
    char client_detail[800];
};

static JET_INSTANCE faults__ref(const struct faults__exec *x, struct scn_ref r)
{
    switch (r.kind) {
    case SCN_REF_VAR: return x->vars[r.var];
    case SCN_REF_INT: return (JET_INSTANCE)r.value;
    case SCN_REF_NIL: return JET_instanceNil;
    case SCN_REF_NEVER: return (JET_INSTANCE)0x7BAD0BAD0ull;
    default: return 0;
    }
}

static uint64_t faults__size(const struct faults__exec *x, struct scn_size s)
{
    return s.pages ? s.value * x->page_size : s.value;
}

/* One API or fixture step (as runner.c makes it, through target_call). */
static void faults__api_step(struct faults__exec *x, const struct scn_step *st)
{
    const struct target_ops *ops = &faults__ls_ops;
    struct target_call_args a = {0};
    struct target_call_out o;
    char path[1024];
    JET_INSTANCE tmp = 0;

    a.op = st->op;
    a.inst = faults__ref(x, st->inst);
    a.hf = faults__ref(x, st->hf);
    a.grbit = st->grbit;
    a.flags = st->call_flags;
    if (model_op_is_fixture(st->op)) {
        a.cb = st->arg;
    } else {
        uint64_t cb = faults__size(x, st->cb);
        a.cb = cb > UINT32_MAX ? UINT32_MAX : (uint32_t)cb;
    }
    if (st->op == MODEL_OP_FX_CREATE_DB || st->op == MODEL_OP_FX_DETACH_DB) {
        a.name = st->file.text;
    } else {
        switch (st->file.kind) {
        case SCN_FILE_NULL: a.flags |= MODEL_CALL_NAME_NULL; break;
        case SCN_FILE_STRING: a.name = st->file.text; break;
        case SCN_FILE_DB:
        case SCN_FILE_LOG: {
            JET_INSTANCE inst = st->inst.kind != SCN_REF_NONE ? a.inst
                                : x->last_inst_var >= 0   ? x->vars[x->last_inst_var]
                                                          : 0;
            if (ops->fixture->BackstopFixtureFilePath(
                    x->ls, inst, st->file.kind == SCN_FILE_DB ? BACKSTOP_FILE_DATABASE : BACKSTOP_FILE_LOG,
                    st->file.text, st->file.gen, path, sizeof path) == JET_errSuccess)
                a.name = path;
            else
                a.name = st->file.kind == SCN_FILE_DB ? st->file.text : "edb00000000.log";
            break;
        }
        default: break;
        }
    }
    if (st->op == MODEL_OP_CREATE_INSTANCE || st->op == MODEL_OP_INIT) {
        a.name = st->bind >= 0 ? x->c->vars[st->bind] : "backstop";
        if (st->op == MODEL_OP_INIT && st->inst.kind == SCN_REF_VAR) {
            a.pinst = &x->vars[st->inst.var];
        } else {
            tmp = a.inst;
            a.pinst = st->bind >= 0 ? &x->vars[st->bind] : &tmp;
        }
    }
    faults__ls_allow_diverge(x->ls, st->expect.kind == SCN_EXPECT_ANYTHING ||
                                        (st->expect.kind == SCN_EXPECT_ANY_OF && st->expect.n_results > 1));
    if (target_call(ops, x->ls, &a, &o) != 0)
        return;
    faults__ls_allow_diverge(x->ls, false);
    if ((st->op == MODEL_OP_CREATE_INSTANCE || st->op == MODEL_OP_INIT) && st->bind >= 0)
        x->last_inst_var = st->bind;
    if (st->op == MODEL_OP_INIT && st->inst.kind == SCN_REF_VAR)
        x->last_inst_var = st->inst.var;
    if ((st->op == MODEL_OP_OPEN_FILE || st->op == MODEL_OP_OPEN_FILE_LEGACY) && st->bind >= 0 &&
        o.err == JET_errSuccess)
        x->vars[st->bind] = o.hf;
}

static void faults__instance_step(struct faults__exec *x, const struct scn_step *st)
{
    struct scn_step s = *st;
    s.kind = SCN_STEP_API;
    s.expect.kind = SCN_EXPECT_DEFAULT;
    s.n_checks = 0;
    if (st->kind == SCN_STEP_ONEINST) {
        x->vars[st->bind] = 0;
        s.op = MODEL_OP_INIT;
        s.inst.kind = SCN_REF_VAR;
        s.inst.var = st->bind;
        faults__api_step(x, &s);
        return;
    }
    s.op = MODEL_OP_CREATE_INSTANCE;
    s.inst.kind = SCN_REF_NONE;
    faults__api_step(x, &s);
    if (st->step_flags & (SCN_STEP_LOGGING_OFF | SCN_STEP_CIRCULAR)) {
        s.op = MODEL_OP_FX_CONFIGURE;
        s.inst.kind = SCN_REF_VAR;
        s.inst.var = st->bind;
        s.arg = ((st->step_flags & SCN_STEP_LOGGING_OFF) ? BACKSTOP_CFG_LOGGING_OFF : 0) |
                ((st->step_flags & SCN_STEP_CIRCULAR) ? BACKSTOP_CFG_CIRCULAR_LOG : 0);
        faults__api_step(x, &s);
    }
    if (!(st->step_flags & SCN_STEP_INIT_NO)) {
        s.op = MODEL_OP_INIT;
        s.inst.kind = SCN_REF_VAR;
        s.inst.var = st->bind;
        s.bind = -1;
        faults__api_step(x, &s);
        x->last_inst_var = st->bind;
    }
}

static void faults__exec_case(struct faults__exec *x)
{
    const struct jet_fixture *fx = faults__ls_ops.fixture;
    char where[256];
    for (int i = 0; i < x->c->n_steps && !faults__ls_failure(x->ls); i++) {
        const struct scn_step *st = &x->c->steps[i];
        uint64_t v;
        switch (st->kind) {
        case SCN_STEP_API:
            faults__api_step(x, st);
            break;
        case SCN_STEP_INSTANCE:
        case SCN_STEP_ONEINST:
            faults__instance_step(x, st);
            break;
        case SCN_STEP_PAGE_SIZE:
        case SCN_STEP_LOG_SIZE:
            v = faults__size(x, st->cb);
            if (v <= UINT32_MAX) {
                JET_ERR e = st->kind == SCN_STEP_PAGE_SIZE ? fx->BackstopFixtureSetPageSize(x->ls, (uint32_t)v)
                                                          : fx->BackstopFixtureSetLogSize(x->ls, (uint32_t)v);
                if (e == JET_errSuccess && st->kind == SCN_STEP_PAGE_SIZE)
                    x->page_size = (uint32_t)v;
            }
            break;
        case SCN_STEP_LOGS_ON_DISK:
            break; /* the state check below compares the logs on disk after every step */
        case SCN_STEP_FAULT:
            fx->BackstopFixtureArmFault(x->ls, st->text, st->arg);
            break;
        case SCN_STEP_BACKUP_CLIENT: {
            struct backup_client_config bc = {
                .ops = &faults__ls_ops,
                .ctx = x->ls,
                .inst = faults__ref(x, st->inst),
                .incremental = (st->step_flags & SCN_STEP_INCREMENTAL) != 0,
                .stop_after = st->text ? st->arg : 0,
                .has_stop_after = st->text != NULL,
                .page_size = x->page_size,
            };
            struct backup_client_result res;
            if (backup_client_run(&bc, &res) != BACKUP_CLIENT_OK && !x->client_failed) {
                x->client_failed = true;
                snprintf(x->client_detail, sizeof x->client_detail, "%s", res.detail);
            }
            break;
        }
        case SCN_STEP_PARALLEL_BEGIN:
        case SCN_STEP_PARALLEL_END:
            break; /* a block's lines run in the order written */
        }
        snprintf(where, sizeof where, "%s:%d", st->loc.file ? st->loc.file : "?", st->loc.line);
        faults__ls_check_state(x->ls, where);
    }
}

/* ---- the sweep -------------------------------------------------------------------------------- */

struct faults__outcome {
    bool fired;            /* the armed point fired (beyond the case's own faults) */
    uint64_t fired_n;
    uint64_t opp[16];      /* opportunities per point (counting runs) */
    uint64_t base_fired[16];
    const char *failure;
    char text[4200];
};

/* Run case c once. point NULL: counting run. */
static int faults__run(const struct scn_case *c, const char *point, uint32_t nth, uint64_t seed,
                       const uint64_t *base_fired, struct faults__outcome *out)
{
    const char *const *points = engine_fault_points();
    struct faults__exec x = {.c = c, .last_inst_var = -1, .page_size = 4096};
    struct engine *e;
    memset(out, 0, sizeof *out);
    if (faults__ls_open(seed, &x.ls) != 0)
        return -1;
    e = faults__ls_engine(x.ls);
    engine_fault_set_counting(e, true);
    if (point)
        engine_fault_arm(e, point, ENGINE_FAULT_NTH, nth, 0.0);
    faults__exec_case(&x);
    for (int i = 0; points[i] && i < 16; i++) {
        out->opp[i] = engine_fault_opportunities(e, points[i]);
        out->base_fired[i] = engine_fault_fired(e, points[i]);
        if (point && strcmp(points[i], point) == 0) {
            out->fired_n = engine_fault_fired(e, points[i]);
            out->fired = out->fired_n > (base_fired ? base_fired[i] : 0);
        }
    }
    if (faults__ls_failure(x.ls)) {
        snprintf(out->text, sizeof out->text, "%s", faults__ls_failure(x.ls));
        out->failure = out->text;
    } else if (x.client_failed && (!point || !out->fired) && faults__ls_in_lockstep(x.ls)) {
        snprintf(out->text, sizeof out->text, "the backup client failed with no fault of ours: %s",
                 x.client_detail);
        out->failure = out->text;
    }
    faults__ls_close(x.ls);
    return 0;
}

struct faults__totals {
    uint64_t cases, runs, sites, failures;
};

static void faults__sweep_case(const struct scn_case *c, uint64_t seed, bool verbose, FILE *out,
                               struct faults__totals *t)
{
    const char *const *points = engine_fault_points();
    struct faults__outcome base, o;
    uint64_t sites = 0, runs = 1, fails = 0;
    char per_point[512] = "";
    size_t k = 0;

    if (faults__run(c, NULL, 0, seed, NULL, &base) != 0) {
        fprintf(out, "%s: could not create a world\n", c->name);
        t->failures++;
        return;
    }
    t->cases++;
    if (base.failure) {
        fprintf(out, "FAIL %s (no fault injected): %s\n", c->name, base.failure);
        t->failures++;
        t->runs++;
        return;
    }
    for (int p = 0; points[p] && p < 16; p++) {
        uint64_t fired_runs = 0;
        if (base.opp[p] == 0)
            continue;
        /* Bound: a case that re-arms the point itself may keep our arming
         * from ever firing; opportunities can also grow with earlier faults. */
        uint64_t max_n = 4 * base.opp[p] + 64;
        for (uint32_t n = 0; n <= max_n; n++) {
            runs++;
            if (faults__run(c, points[p], n, seed, base.base_fired, &o) != 0)
                break;
            if (o.failure) {
                fails++;
                fprintf(out, "FAIL %s: %s, opportunity %u: %s\n", c->name, points[p], (unsigned)n, o.failure);
            }
            if (!o.fired)
                break;
            fired_runs++;
        }
        sites += fired_runs;
        if (k < sizeof per_point)
            k += (size_t)snprintf(per_point + k, sizeof per_point - k, "%s%s x%" PRIu64, k ? ", " : "",
                                  points[p], fired_runs);
    }
    t->runs += runs;
    t->sites += sites;
    t->failures += fails;
    if (verbose || fails)
        fprintf(out, "%s %s: %" PRIu64 " fault sites in %" PRIu64 " runs%s%s%s\n", fails ? "FAIL" : "ok  ",
                c->name, sites, runs, k ? " (" : "", per_point, k ? ")" : "");
}

static void faults__usage(FILE *out)
{
    fprintf(out, "usage: backstop faults --sweep CASE|GLOB|all [--seed N] [--quiet] [PATH]\n"
                 "  PATH: a scenario file or directory (default: scenarios)\n");
}

int cmd_faults(int argc, char **argv)
{
    static const struct option opts[] = {{"sweep", required_argument, 0, 'w'},
                                         {"seed", required_argument, 0, 's'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *sweep = NULL;
    const char *path = "scenarios";
    uint64_t seed = 1;
    bool quiet = false;
    struct scn_suite *suite = NULL;
    struct faults__totals t = {0};
    size_t matched = 0;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'w': sweep = optarg; break;
        case 'q': quiet = true; break;
        case 's': {
            char *e;
            errno = 0;
            unsigned long long v = strtoull(optarg, &e, 0);
            if (errno || *e || optarg[0] == '-') {
                fprintf(stderr, "backstop: --seed: not an unsigned number: '%s'\n", optarg);
                faults__usage(stderr);
                return 2;
            }
            seed = v;
            break;
        }
        case 'h': faults__usage(stdout); return 0;
        default:
            fprintf(stderr, "backstop: faults: unknown or incomplete option '%s'\n", argv[optind - 1]);
            faults__usage(stderr);
            return 2;
        }
    }
    if (!sweep) {
        fprintf(stderr, "backstop: faults: --sweep CASE is required\n");
        faults__usage(stderr);
        return 2;
    }
    if (optind < argc - 1) {
        fprintf(stderr, "backstop: faults: at most one PATH\n");
        faults__usage(stderr);
        return 2;
    }
    if (optind == argc - 1)
        path = argv[optind];
    printf("backstop faults: sweep %s over %s, seed %" PRIu64 "\n", sweep, path, seed);
    fflush(stdout);
    {
        int prv = scn_parse_path(path, stderr, &suite);
        if (prv == SCN_EIO)
            fprintf(stderr, "%s:1:1: cannot read: %s\n", path, strerror(errno));
        if (prv != SCN_OK) {
            scn_suite_free(suite);
            return 2;
        }
    }
    size_t n_cases = scn_suite_count(suite);
    for (size_t i = 0; i < n_cases; i++) {
        const struct scn_case *sc = scn_suite_case(suite, i);
        if (strcmp(sweep, "all") != 0 && strcmp(sweep, sc->name) != 0 && fnmatch(sweep, sc->name, 0) != 0)
            continue;
        matched++;
        if (sc->profile_mask && !(sc->profile_mask & (1u << MODEL_PROFILE_ESE))) {
            if (!quiet)
                printf("skip %s: not for profile ese\n", sc->name);
            continue;
        }
        faults__sweep_case(sc, seed, !quiet, stdout, &t);
        fflush(stdout);
    }
    scn_suite_free(suite);
    if (matched == 0) {
        if (n_cases == 0)
            fprintf(stderr, "backstop: faults: no cases in %s\n", path);
        else
            fprintf(stderr, "backstop: faults: no case named '%s' in %s\n", sweep, path);
        return 2;
    }
    printf("fault sweep: %" PRIu64 " cases, %" PRIu64 " runs, %" PRIu64
           " fault sites reached (points x opportunities), %" PRIu64 " failures\n",
           t.cases, t.runs, t.sites, t.failures);
    return t.failures ? 1 : 0;
}
