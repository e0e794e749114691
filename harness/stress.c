/*
 * stress.c: the `backstop stress` and `backstop replay` commands: options,
 * replay tokens, the summary, and the explorer that shrinks a failing
 * controlled run (delta debugging over workers and calls) and saves it to
 * --save-dir as a token and a .scn case.
 *
 * A token is "bs1." followed by the base64url text of
 *   n=THREADS;m=INSTANCES;k=CALLS;s=SEED;sc=SCHEDULE;h=HASH;f=FAULTS;g=SEGMENT;
 *   p=PAGE;l=LOGSIZE;w=WORKERS;c=PROGRAM;t=TARGET
 * (f, g, p, l only when given; w and c only for shrunk programs; t last, since a path
 * may hold any byte).
 * Every decision of a controlled run follows from these, so a replay gives the
 * same history, bit for bit, and prints the same hash.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rng.h"
#include "sbuf.h"
#include "scn.h"
#include "stress.h"

#define STRESS__EXIT_USAGE 2
#define STRESS__SHRINK_RUNS 200
#define STRESS__SHRINK_SECONDS 120.0

/* ---- tokens -------------------------------------------------------------------------- */

static const char stress__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void stress__b64_encode(const unsigned char *in, size_t n, struct sbuf *out)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        sbuf_putc(out, stress__b64[v >> 18 & 63]);
        sbuf_putc(out, stress__b64[v >> 12 & 63]);
        if (i + 1 < n)
            sbuf_putc(out, stress__b64[v >> 6 & 63]);
        if (i + 2 < n)
            sbuf_putc(out, stress__b64[v & 63]);
    }
}

static int stress__b64_decode(const char *in, unsigned char *out, size_t cap, size_t *n)
{
    uint32_t acc = 0;
    int bits = 0;
    *n = 0;
    for (; *in; in++) {
        const char *p = strchr(stress__b64, *in);
        if (!p)
            return -1;
        acc = acc << 6 | (uint32_t)(p - stress__b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (*n >= cap)
                return -1;
            out[(*n)++] = (unsigned char)(acc >> bits);
        }
    }
    return 0;
}

int stress_token_encode(const struct stress_config *cfg, uint64_t ops, uint64_t hash, char *buf, size_t n)
{
    struct sbuf text = {0}, tok = {0};
    struct sched_config sc = {.kind = cfg->schedule, .pct_depth = cfg->pct_depth};
    char sch[32], faults[1024];
    int rv = 0;
    sched_format(&sc, sch, sizeof sch);
    faults_format(&cfg->faults, faults, sizeof faults);
    sbuf_printf(&text, "n=%u;m=%u;k=%" PRIu64 ";s=%" PRIu64 ";sc=%s;h=%016" PRIx64, (unsigned)cfg->n_threads,
                (unsigned)cfg->n_instances, ops, cfg->seed, sch, hash);
    if (cfg->faults.n)
        sbuf_printf(&text, ";f=%s", faults);
    if (cfg->segment_calls)
        sbuf_printf(&text, ";g=%" PRIu64, cfg->segment_calls);
    if (cfg->page_size)
        sbuf_printf(&text, ";p=%u", (unsigned)cfg->page_size);
    if (cfg->log_size)
        sbuf_printf(&text, ";l=%u", (unsigned)cfg->log_size);
    if (cfg->program) {
        const struct stress_program *p = cfg->program;
        sbuf_printf(&text, ";w=%" PRIx64, p->workers);
        if (p->has_calls) {
            sbuf_printf(&text, ";c=");
            for (uint32_t w = 0; w < cfg->n_threads; w++) {
                if (!(p->workers >> w & 1u))
                    continue;
                sbuf_printf(&text, "%u:", (unsigned)w);
                for (uint32_t r = 0; r < p->n_ranges[w]; r++)
                    sbuf_printf(&text, "%s%u-%u", r ? "." : "", (unsigned)p->ranges[w][r].lo,
                                (unsigned)p->ranges[w][r].hi);
                sbuf_printf(&text, "/");
            }
        }
    }
    sbuf_printf(&text, ";t=%s", cfg->target_name ? cfg->target_name : "engine");
    sbuf_printf(&tok, "bs1.");
    stress__b64_encode((const unsigned char *)sbuf_str(&text), sbuf_len(&text), &tok);
    if (sbuf_len(&tok) + 1 > n)
        rv = -1;
    else
        memcpy(buf, sbuf_str(&tok), sbuf_len(&tok) + 1);
    sbuf_free(&text);
    sbuf_free(&tok);
    return rv;
}

static int stress__u64(const char *s, size_t len, uint64_t *out, int base)
{
    char tmp[32];
    char *e;
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    errno = 0;
    *out = strtoull(tmp, &e, base);
    return errno || *e || tmp[0] == '-' ? -1 : 0;
}

static int stress__program_parse(const char *s, size_t len, uint32_t n_threads, struct stress_program *p)
{
    const char *end = s + len;
    while (s < end) {
        const char *colon = memchr(s, ':', (size_t)(end - s)), *slash;
        uint64_t w, lo, hi;
        if (!colon || stress__u64(s, (size_t)(colon - s), &w, 10) || w >= n_threads)
            return -1;
        slash = memchr(colon, '/', (size_t)(end - colon));
        if (!slash)
            return -1;
        for (const char *r = colon + 1; r < slash;) {
            const char *dot = memchr(r, '.', (size_t)(slash - r)), *dash;
            const char *re = dot ? dot : slash;
            dash = memchr(r, '-', (size_t)(re - r));
            if (!dash || stress__u64(r, (size_t)(dash - r), &lo, 10) ||
                stress__u64(dash + 1, (size_t)(re - dash - 1), &hi, 10) || hi < lo || lo > UINT32_MAX ||
                hi > UINT32_MAX || p->n_ranges[w] >= STRESS_MAX_KEEP)
                return -1;
            p->ranges[w][p->n_ranges[w]++] = (struct stress_keep_range){(uint32_t)lo, (uint32_t)hi};
            r = re + (dot ? 1 : 0);
        }
        s = slash + 1;
    }
    p->has_calls = true;
    return 0;
}

int stress_token_decode(const char *token, struct stress_config *cfg, struct stress_program *program,
                        uint64_t *hash, char *storage, size_t cb_storage, char *err, size_t cb_err)
{
    unsigned char text[8192];
    size_t n;
    const char *p, *end;
    bool has_program = false;

    memset(program, 0, sizeof *program);
    *hash = 0;
    if (strncmp(token, "bs1.", 4) != 0 || stress__b64_decode(token + 4, text, sizeof text - 1, &n) != 0) {
        snprintf(err, cb_err, "not a backstop replay token (they start with 'bs1.')");
        return -1;
    }
    text[n] = 0;
    p = (const char *)text;
    end = p + n;
    cfg->program = NULL;
    while (p < end) {
        const char *eq = memchr(p, '=', (size_t)(end - p)), *semi;
        size_t klen, vlen;
        uint64_t v = 0;
        if (!eq)
            goto bad;
        klen = (size_t)(eq - p);
        if (klen == 1 && *p == 't') {
            vlen = (size_t)(end - eq - 1);
            if (vlen + 1 > cb_storage)
                goto bad;
            memcpy(storage, eq + 1, vlen);
            storage[vlen] = 0;
            cfg->target_name = storage;
            break;
        }
        semi = memchr(eq, ';', (size_t)(end - eq));
        if (!semi)
            semi = end;
        vlen = (size_t)(semi - eq - 1);
        const char *val = eq + 1;
        if (klen == 1 && *p == 'n') {
            if (stress__u64(val, vlen, &v, 10) || v == 0 || v > STRESS_MAX_THREADS)
                goto bad;
            cfg->n_threads = (uint32_t)v;
        } else if (klen == 1 && *p == 'm') {
            if (stress__u64(val, vlen, &v, 10) || v == 0 || v > STRESS_MAX_INSTANCES)
                goto bad;
            cfg->n_instances = (uint32_t)v;
        } else if (klen == 1 && *p == 'k') {
            if (stress__u64(val, vlen, &v, 10))
                goto bad;
            cfg->ops = v;
            cfg->seconds = 0;
        } else if (klen == 1 && *p == 's') {
            if (stress__u64(val, vlen, &v, 10))
                goto bad;
            cfg->seed = v;
        } else if (klen == 2 && strncmp(p, "sc", 2) == 0) {
            char tmp[32];
            struct sched_config sc = {0};
            if (vlen >= sizeof tmp)
                goto bad;
            memcpy(tmp, val, vlen);
            tmp[vlen] = 0;
            if (sched_parse(tmp, &sc, err, cb_err) != 0)
                return -1;
            cfg->schedule = sc.kind;
            cfg->pct_depth = sc.pct_depth;
        } else if (klen == 1 && *p == 'h') {
            if (stress__u64(val, vlen, hash, 16))
                goto bad;
        } else if (klen == 1 && *p == 'f') {
            char tmp[1024];
            int col;
            if (vlen >= sizeof tmp)
                goto bad;
            memcpy(tmp, val, vlen);
            tmp[vlen] = 0;
            if (faults_parse(tmp, &cfg->faults, &col, err, cb_err) != 0)
                return -1;
        } else if (klen == 1 && *p == 'g') {
            if (stress__u64(val, vlen, &cfg->segment_calls, 10) || cfg->segment_calls == 0)
                goto bad;
        } else if (klen == 1 && (*p == 'p' || *p == 'l')) {
            if (stress__u64(val, vlen, &v, 10) || v == 0 || v > UINT32_MAX)
                goto bad;
            if (*p == 'p')
                cfg->page_size = (uint32_t)v;
            else
                cfg->log_size = (uint32_t)v;
        } else if (klen == 1 && *p == 'w') {
            if (stress__u64(val, vlen, &program->workers, 16))
                goto bad;
            has_program = true;
        } else if (klen == 1 && *p == 'c') {
            if (cfg->n_threads == 0 || stress__program_parse(val, vlen, cfg->n_threads, program) != 0)
                goto bad;
        } else {
            goto bad;
        }
        p = semi + 1;
    }
    if (cfg->n_threads == 0 || cfg->n_instances == 0 || cfg->n_threads < cfg->n_instances ||
        cfg->ops == 0 || !cfg->target_name)
        goto bad;
    if (has_program)
        cfg->program = program;
    return 0;
bad:
    snprintf(err, cb_err, "malformed replay token");
    return -1;
}

/* ---- the .scn case of a shrunk run ------------------------------------------------------- */

#define STRESS__SCN_MAX_STEPS 480 /* under the parser's SCN_MAX_STEPS */

static bool stress__is_setup(enum model_op op)
{
    return op == MODEL_OP_CREATE_INSTANCE || op == MODEL_OP_INIT || op == MODEL_OP_FX_CREATE_DB ||
           op == MODEL_OP_FX_ROLL_LOG || op == MODEL_OP_FX_SET_CHECKPOINT;
}

/*
 * Write the calls of one instance lifetime of a history as a sequential case:
 * its setup, then its calls in invocation order, calls that overlapped in
 * `parallel` blocks. Each call expects what the model returns for it in this
 * order (the spec's answer), so running the case against the failing target
 * shows the difference wherever it does not need the interleaving; the token
 * replays the interleaving itself. A long lifetime keeps its setup and its
 * last calls (the case may then no longer reproduce the failure).
 */
static int stress__write_scn(const struct hist_event *ev, size_t n, const struct stress_config *cfg,
                             const char *rule, uint32_t life, const char *token, struct sbuf *sb)
{
    struct model_world *w = malloc(model_world_size());
    struct model_config mc = {.profile = MODEL_PROFILE_ESE, .page_size = cfg->page_size,
                              .log_size = cfg->log_size ? cfg->log_size : 16384};
    size_t *pick = malloc(sizeof *pick * (n ? n : 1));
    size_t n_pick = 0, n_setup = 0, skip_from, skip_to;
    JET_INSTANCE mh = 0;
    bool bound = false, in_block = false;
    uint64_t block_end = 0;
    unsigned rn;

    if (!w || !pick) {
        free(w);
        free(pick);
        return -1;
    }
    /* The lifetime's events; the failing one if known, else the last one. */
    if (life == HIST_NO_LIFETIME)
        for (size_t i = 0; i < n; i++)
            if (ev[i].lifetime != HIST_NO_LIFETIME)
                life = ev[i].lifetime;
    for (size_t i = 0; i < n; i++)
        if (ev[i].lifetime == life && ev[i].ret != HIST_PENDING) {
            pick[n_pick++] = i;
            if (n_setup == n_pick - 1 && stress__is_setup(ev[i].call.op))
                n_setup++;
        }
    skip_from = n_setup;
    skip_to = n_pick > STRESS__SCN_MAX_STEPS ? n_pick - (STRESS__SCN_MAX_STEPS - n_setup) : n_setup;

    model_world_init(w, &mc);
    sbuf_printf(sb, "# A stress run shrunk by backstop (seed %" PRIu64 ", %u threads, %u instances):\n"
                    "# the calls of instance lifetime %u. Replay the run exactly:\n#   backstop replay %s\n",
                cfg->seed, (unsigned)cfg->n_threads, (unsigned)cfg->n_instances, (unsigned)life, token);
    sbuf_printf(sb, "case stress.shrunk_%" PRIu64 "\n", cfg->seed);
    sbuf_printf(sb, "  intent  The calls of one instance in a shrunk failing stress run (%s), in invocation "
                    "order%s; overlapping calls are in parallel blocks. Each expects the model's answer.\n",
                rule, skip_to > skip_from ? ", its middle left out" : "");
    sbuf_printf(sb, "  rules   %s\n", sscanf(rule, "R%u", &rn) == 1 ? rule : "R55");
    if (cfg->page_size)
        sbuf_printf(sb, "  page-size %u\n", (unsigned)cfg->page_size);
    sbuf_printf(sb, "  log-size %u\n", (unsigned)mc.log_size);
    for (size_t j = 0; j < n_pick; j++) {
        if (j >= skip_from && j < skip_to)
            continue;
        const struct hist_event *e = &ev[pick[j]];
        const struct model_call *c = &e->call;
        struct model_call mcall = *c;
        struct model_result r;
        char arg[160] = "", label[16] = "";
        size_t next = j + 1 < n_pick ? pick[j + 1] : SIZE_MAX;
        bool overlaps = next != SIZE_MAX && ev[next].inv < e->ret;
        if (!in_block && overlaps) {
            sbuf_printf(sb, "  parallel\n");
            in_block = true;
            block_end = e->ret;
        }
        if (in_block && e->ret > block_end)
            block_end = e->ret;
        mcall.inst = bound ? mh : c->inst;
        mcall.fault = e->fault;
        model_step(w, &mcall, &r);
        if ((c->op == MODEL_OP_CREATE_INSTANCE || c->op == MODEL_OP_INIT) && r.err == JET_errSuccess &&
            (r.outs & MODEL_OUT_INST)) {
            mh = r.inst;
            bound = true;
        }
        const char *ind = in_block ? "    " : "  ";
        if (in_block)
            snprintf(label, sizeof label, "t%u: ", (unsigned)e->thread);
        switch (c->op) {
        case MODEL_OP_CREATE_INSTANCE:
            sbuf_printf(sb, "%s%sJetCreateInstance i -> %d\n", ind, label, (int)r.err);
            goto next;
        case MODEL_OP_INIT:
            if (c->inst == 0)
                sbuf_printf(sb, "%s%soneinst i\n", ind, label);
            else
                sbuf_printf(sb, "%s%sJetInit i -> %d\n", ind, label, (int)r.err);
            goto next;
        case MODEL_OP_FX_CREATE_DB:
            sbuf_printf(sb, "%s%sdatabase i %s pages=%u\n", ind, label, c->name ? c->name : "db1",
                        (unsigned)c->arg);
            goto next;
        case MODEL_OP_FX_ROLL_LOG:
            sbuf_printf(sb, "%s%sroll-log i %u\n", ind, label, (unsigned)c->arg);
            goto next;
        case MODEL_OP_FX_SET_CHECKPOINT:
            sbuf_printf(sb, "%s%scheckpoint i %u -> %d\n", ind, label, (unsigned)c->arg, (int)r.err);
            goto next;
        case MODEL_OP_OPEN_FILE:
        case MODEL_OP_OPEN_FILE_LEGACY: {
            uint32_t g;
            if (!c->name)
                snprintf(arg, sizeof arg, " null h");
            else if (e->handle_stale) /* the fixture cannot name a gone instance's files */
                snprintf(arg, sizeof arg, " \"%s\" h", c->name);
            else if (strncmp(c->name, "edb", 3) == 0 && sscanf(c->name, "edb%8X.log", &g) == 1)
                snprintf(arg, sizeof arg, " log:%u h", (unsigned)g);
            else if (strncmp(c->name, "db", 2) == 0 && strlen(c->name) == 3)
                snprintf(arg, sizeof arg, " db:%s h", c->name);
            else
                snprintf(arg, sizeof arg, " \"%s\" h", c->name);
            break;
        }
        case MODEL_OP_READ_FILE:
        case MODEL_OP_READ_FILE_LEGACY:
            snprintf(arg, sizeof arg, " %u %u%s", (unsigned)c->hf, (unsigned)c->cb_max,
                     (c->flags & MODEL_CALL_BUF_MISALIGNED) ? " buf=misaligned" : "");
            break;
        case MODEL_OP_CLOSE_FILE:
        case MODEL_OP_CLOSE_FILE_LEGACY:
            snprintf(arg, sizeof arg, " %u", (unsigned)c->hf);
            break;
        case MODEL_OP_GET_ATTACH_INFO:
        case MODEL_OP_GET_ATTACH_INFO_LEGACY:
        case MODEL_OP_GET_LOG_INFO:
        case MODEL_OP_GET_LOG_INFO2:
        case MODEL_OP_GET_LOG_INFO_LEGACY:
        case MODEL_OP_GET_TRUNCATE_LOG_INFO:
            snprintf(arg, sizeof arg, " %u", (unsigned)c->cb_max);
            break;
        case MODEL_OP_BEGIN:
        case MODEL_OP_BEGIN_LEGACY:
        case MODEL_OP_END2:
        case MODEL_OP_TERM2:
            snprintf(arg, sizeof arg, " 0x%x", (unsigned)c->grbit);
            break;
        default:
            break;
        }
        sbuf_printf(sb, "%s%s%s%s%s -> %d\n", ind, label, model_op_name(c->op),
                    model_op_is_legacy(c->op) ? "" : " i", arg, (int)r.err);
    next:
        if (in_block && !(next != SIZE_MAX && ev[next].inv < block_end)) {
            sbuf_printf(sb, "  end\n");
            in_block = false;
        }
    }
    if (in_block)
        sbuf_printf(sb, "  end\n");
    sbuf_printf(sb, "end\n");
    free(w);
    free(pick);
    return 0;
}

/* ---- the explorer: shrinking a failing controlled run ------------------------------------ */

struct stress__shrink {
    struct stress_config cfg;
    struct stress_program prog;
    char signature[160];
    uint32_t runs;
    double t0;
};

static double stress__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Does this configuration still fail the same way? */
static bool stress__fails(struct stress__shrink *sh, const struct stress_config *cfg, uint64_t *at)
{
    struct stress_result r;
    struct stress_config c = *cfg;
    c.quiet = true;
    c.save_dir = NULL;
    c.history_out = NULL;
    c.n_history_out = NULL;
    c.names_out = NULL;
    sh->runs++;
    if (stress_run(&c, &r) != STRESS_OK)
        return false;
    if (at)
        *at = r.stop_at;
    return r.violations > 0 && strcmp(r.first_violation, sh->signature) == 0;
}

static bool stress__budget_left(const struct stress__shrink *sh)
{
    return sh->runs < STRESS__SHRINK_RUNS && stress__now() - sh->t0 < STRESS__SHRINK_SECONDS;
}

/* Keep only the attempts in [lo, hi] of every range list: remove [lo, hi] from p's worker w. */
static bool stress__cut(const struct stress_program *in, uint32_t w, uint32_t lo, uint32_t hi,
                        struct stress_program *out)
{
    *out = *in;
    out->n_ranges[w] = 0;
    for (uint32_t r = 0; r < in->n_ranges[w]; r++) {
        struct stress_keep_range k = in->ranges[w][r];
        if (k.hi < lo || k.lo > hi) {
            if (out->n_ranges[w] == STRESS_MAX_KEEP)
                return false;
            out->ranges[w][out->n_ranges[w]++] = k;
            continue;
        }
        if (k.lo < lo) {
            if (out->n_ranges[w] == STRESS_MAX_KEEP)
                return false;
            out->ranges[w][out->n_ranges[w]++] = (struct stress_keep_range){k.lo, lo - 1};
        }
        if (k.hi > hi) {
            if (out->n_ranges[w] == STRESS_MAX_KEEP)
                return false;
            out->ranges[w][out->n_ranges[w]++] = (struct stress_keep_range){hi + 1, k.hi};
        }
    }
    return true;
}

static void stress__shrink(struct stress__shrink *sh, FILE *out)
{
    struct stress_config *cfg = &sh->cfg;
    uint64_t at = 0;

    /* 1. Fewer calls: the shortest failing prefix (bisection). */
    uint64_t hi = cfg->ops, lo = 1;
    while (lo < hi && stress__budget_left(sh)) {
        struct stress_config c = *cfg;
        c.ops = lo + (hi - lo) / 2;
        if (stress__fails(sh, &c, &at))
            hi = c.ops;
        else
            lo = c.ops + 1;
    }
    cfg->ops = hi;
    fprintf(out, "shrink: %" PRIu64 " calls reproduce it\n", cfg->ops);

    /* 2. Fewer workers: drop each one while the failure stays. */
    sh->prog.workers = (cfg->n_threads >= 64 ? ~0ull : (1ull << cfg->n_threads) - 1);
    cfg->program = &sh->prog;
    for (uint32_t w = 0; w < cfg->n_threads && stress__budget_left(sh); w++) {
        struct stress_program save = sh->prog;
        sh->prog.workers &= ~(1ull << w);
        if (sh->prog.workers == 0 || !stress__fails(sh, cfg, NULL))
            sh->prog = save;
    }
    fprintf(out, "shrink: %d of %u workers reproduce it\n", __builtin_popcountll(sh->prog.workers),
            (unsigned)cfg->n_threads);

    /* 3. Fewer calls per worker: remove chunks of call attempts, halving. */
    sh->prog.has_calls = true;
    for (uint32_t w = 0; w < cfg->n_threads; w++) {
        sh->prog.n_ranges[w] = 1;
        sh->prog.ranges[w][0] = (struct stress_keep_range){0, (uint32_t)(cfg->ops * 2 + 64)};
    }
    for (uint64_t chunk = cfg->ops; chunk >= 1 && stress__budget_left(sh); chunk /= 2) {
        for (uint32_t w = 0; w < cfg->n_threads && stress__budget_left(sh); w++) {
            if (!(sh->prog.workers >> w & 1u))
                continue;
            for (uint64_t start = 0; start <= cfg->ops * 2 && stress__budget_left(sh); start += chunk) {
                struct stress_program trial;
                struct stress_program save = sh->prog;
                uint64_t end = start + chunk - 1;
                if (!stress__cut(&sh->prog, w, (uint32_t)start, (uint32_t)(end > UINT32_MAX ? UINT32_MAX : end),
                                 &trial))
                    continue;
                if (trial.n_ranges[w] == save.n_ranges[w] &&
                    memcmp(trial.ranges[w], save.ranges[w], sizeof trial.ranges[w][0] * trial.n_ranges[w]) == 0)
                    continue;
                sh->prog = trial;
                if (!stress__fails(sh, cfg, NULL))
                    sh->prog = save;
            }
        }
        if (chunk == 1)
            break;
    }
    fprintf(out, "shrink: done after %u runs\n", (unsigned)sh->runs);
}

/* ---- the commands ------------------------------------------------------------------------ */

static void stress__usage(FILE *out)
{
    fprintf(out,
            "usage: backstop stress --target T --threads N --instances M (--seconds S | --ops K)\n"
            "                       --seed X [--faults SPEC] [--schedule free|random|pct:D]\n"
            "                       [--save-dir DIR] [--no-shrink] [--segment-calls N]\n"
            "                       [--dump-history FILE]\n"
            "       backstop replay TOKEN [--save-dir DIR] [--dump-history FILE]\n"
            "targets: model, engine, engine-dir, or a path to a shared library\n"
            "faults: POINT[:once|:nth=N|:countdown=N|:p=F],... with points read.eio, read.short,\n"
            "        read.verify, alloc.enomem, logroll.enospc (in-process engine targets)\n");
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int stress__bad(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "backstop: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    stress__usage(stderr);
    return STRESS__EXIT_USAGE;
}

static int stress__num(const char *s, uint64_t *out)
{
    char *e;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    *out = strtoull(s, &e, 0);
    return errno || *e ? -1 : 0;
}

static void stress__summary(const struct stress_config *cfg, const struct stress_result *r, FILE *out)
{
    fprintf(out, "summary: %" PRIu64 " calls in %.2f s (%.0f calls/s), %" PRIu64 " segments, %" PRIu64
                 " instance lifetimes\n",
            r->calls, r->seconds, r->seconds > 0 ? (double)r->calls / r->seconds : 0.0, r->segments,
            r->lifetimes);
    fprintf(out, "  backups: %" PRIu64 " completed, %" PRIu64 " stopped; %" PRIu64
                 " copies verified against their source\n",
            r->backups_completed, r->backups_stopped, r->files_verified);
    if (r->fingerprints_skipped)
        fprintf(out, "  fingerprint checks (R3, R10, R11): skipped, target %s has no inspection\n",
                cfg->target_name);
    else
        fprintf(out, "  fingerprint checks (R3, R10, R11): %" PRIu64 "\n", r->fingerprint_checks);
    fprintf(out, "  faults fired: %" PRIu64 "; checker: %.2f s\n", r->faults_fired, r->check_seconds);
    if (cfg->schedule == SCHED_FREE && cfg->record)
        fprintf(out, "  R50: %" PRIu64 " Stops invoked during a ReadFile, %" PRIu64 " returned after it\n",
                r->r50_samples, r->r50_waited);
    fprintf(out, "violations: %" PRIu64 " (online invariants %" PRIu64 ", linearizability %" PRIu64 ")\n",
            r->violations, r->inv_violations, r->lin_violations);
}

static int stress__save(const char *dir, const char *stem, const char *ext, const char *text)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s.%s", dir, stem, ext);
    f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    if (fclose(f) != 0)
        return -1;
    printf("saved: %s\n", path);
    return 0;
}

/* --dump-history FILE (replay): the last segment's history, one call a line. */
static const char *stress__dump_path;

/* Save a failing run's history as DIR/STEM.scn and its token as DIR/STEM.token. */
static void stress__save_case(const struct stress_config *cfg, const struct stress_result *r,
                              const struct hist_event *ev, size_t n, const char *token, const char *stem)
{
    struct sbuf scn = {0}, t = {0};
    if (!cfg->save_dir || n == 0)
        return;
    if (stress__write_scn(ev, n, cfg, r->first_violation, r->first_violation_lifetime, token, &scn) == 0) {
        struct scn_suite *suite = NULL;
        if (scn_parse_buffer("shrunk.scn", sbuf_str(&scn), sbuf_len(&scn), stderr, &suite) != SCN_OK)
            fprintf(stderr, "backstop: stress: the saved case does not parse (kept anyway)\n");
        scn_suite_free(suite);
        stress__save(cfg->save_dir, stem, "scn", sbuf_str(&scn));
    }
    sbuf_printf(&t, "%s\n", token);
    stress__save(cfg->save_dir, stem, "token", sbuf_str(&t));
    sbuf_free(&scn);
    sbuf_free(&t);
}

/* Run, report, and on failure shrink and save. Returns the exit status. */
static int stress__execute(struct stress_config *cfg, bool shrink, uint64_t expect_hash)
{
    struct stress_result res;
    char token[16384], sch[32], faults[1024], stem[64];
    struct sched_config sc = {.kind = cfg->schedule, .pct_depth = cfg->pct_depth};
    struct hist_event *ev = NULL;
    struct stress_names *names = NULL;
    size_t n = 0;
    bool controlled = cfg->schedule != SCHED_FREE;
    int rv, status;

    sched_format(&sc, sch, sizeof sch);
    faults_format(&cfg->faults, faults, sizeof faults);
    printf("target %s, schedule %s, %u threads, %u instances, ", cfg->target_name, sch,
           (unsigned)cfg->n_threads, (unsigned)cfg->n_instances);
    if (cfg->ops)
        printf("%" PRIu64 " calls", cfg->ops);
    else
        printf("%.1f s", cfg->seconds);
    printf("%s%s\n", cfg->faults.n ? ", faults " : "", cfg->faults.n ? faults : "");
    printf("workers:");
    for (uint32_t w = 0; w < cfg->n_threads; w++) {
        enum stress_role role;
        uint32_t slot;
        if (cfg->program && !(cfg->program->workers >> w & 1u))
            continue;
        stress_role_of(cfg->n_threads, cfg->n_instances, w, &role, &slot);
        printf(" t%u=%s/%u", (unsigned)w, stress_role_name(role), (unsigned)slot);
    }
    printf("\n");
    fflush(stdout);
    /* The last segment's history: for --dump-history, and for the saved case
     * of a failing run that is not shrunk. */
    if (stress__dump_path || (cfg->save_dir && !(shrink && controlled))) {
        cfg->history_out = &ev;
        cfg->n_history_out = &n;
        cfg->names_out = &names;
    }
    rv = stress_run(cfg, &res);
    cfg->history_out = NULL;
    cfg->n_history_out = NULL;
    cfg->names_out = NULL;
    if (stress__dump_path) {
        FILE *f = fopen(stress__dump_path, "w");
        if (f) {
            hist_print(ev, n, f);
            fclose(f);
        }
    }
    if (rv != STRESS_OK) {
        fprintf(stderr, "backstop: stress: %s\n", stress_strerror(rv));
        status = STRESS__EXIT_USAGE;
        goto out;
    }
    stress__summary(cfg, &res, stdout);
    printf("history hash: %016" PRIx64 "\n", res.history_hash);
    if (stress_token_encode(cfg, res.stop_at, res.history_hash, token, sizeof token) != 0)
        snprintf(token, sizeof token, "(too long)");
    printf("replay token: %s\n", token);
    status = res.violations ? 1 : 0;
    if (expect_hash) {
        if (!controlled)
            printf("replay: free schedule: the workload is the same, the interleaving is not; the "
                   "hash is not expected to match\n");
        else if (expect_hash == res.history_hash)
            printf("replay: the same history (hash %016" PRIx64 ")\n", expect_hash);
        else {
            printf("replay: a DIFFERENT history: the token's hash is %016" PRIx64 "\n", expect_hash);
            status = 1;
        }
    }
    if (res.violations == 0)
        goto out;
    snprintf(stem, sizeof stem, "stress-%" PRIu64, cfg->seed);
    if (!(shrink && controlled)) {
        stress__save_case(cfg, &res, ev, n, token, stem);
        goto out;
    }
    {
        struct stress__shrink sh = {.cfg = *cfg, .t0 = stress__now()};
        struct stress_result fin;
        snprintf(sh.signature, sizeof sh.signature, "%s", res.first_violation);
        sh.cfg.ops = res.stop_at;
        sh.cfg.seconds = 0;
        printf("shrinking (%s) ...\n", sh.signature);
        fflush(stdout);
        stress__shrink(&sh, stdout);
        sh.cfg.quiet = false;
        sh.cfg.history_out = &ev;
        sh.cfg.n_history_out = &n;
        sh.cfg.names_out = &names;
        printf("shrunk run:\n");
        fflush(stdout);
        if (stress_run(&sh.cfg, &fin) == STRESS_OK) {
            stress_token_encode(&sh.cfg, fin.stop_at, fin.history_hash, token, sizeof token);
            printf("shrunk: %" PRIu64 " calls, %" PRIu64 " violations (%s)\nshrunk history hash: %016" PRIx64
                   "\nshrunk replay token: %s\n",
                   fin.calls, fin.violations, fin.first_violation, fin.history_hash, token);
            stress__save_case(&sh.cfg, &fin, ev, n, token, stem);
        }
    }
out:
    free(ev);
    stress_names_free(names);
    return status;
}

static int stress__save_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : -1;
    return mkdir(dir, 0777);
}

int cmd_stress(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, 0, 't'},   {"threads", required_argument, 0, 'n'},
        {"instances", required_argument, 0, 'm'}, {"seconds", required_argument, 0, 'S'},
        {"ops", required_argument, 0, 'k'},      {"seed", required_argument, 0, 's'},
        {"faults", required_argument, 0, 'f'},   {"schedule", required_argument, 0, 'c'},
        {"save-dir", required_argument, 0, 'd'}, {"no-shrink", no_argument, 0, 'N'},
        {"segment-calls", required_argument, 0, 'G'}, {"dump-history", required_argument, 0, 'D'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct stress_config cfg = {.target_name = "engine", .n_threads = 8, .n_instances = 2,
                                .record = true, .check = true};
    const char *faults = NULL, *schedule = "free";
    bool seeded = false, shrink = true, have_ops = false, have_secs = false;
    struct sched_config sc = {0};
    const struct target_ops *ops = NULL;
    char detail[2048] = "", err[256];
    uint64_t v;
    int c, rv;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': cfg.target_name = optarg; break;
        case 'n':
            if (stress__num(optarg, &v) || v < 1 || v > STRESS_MAX_THREADS)
                return stress__bad("--threads: a number in 1..%d, not '%s'", STRESS_MAX_THREADS, optarg);
            cfg.n_threads = (uint32_t)v;
            break;
        case 'm':
            if (stress__num(optarg, &v) || v < 1 || v > STRESS_MAX_INSTANCES)
                return stress__bad("--instances: a number in 1..%d, not '%s'", STRESS_MAX_INSTANCES, optarg);
            cfg.n_instances = (uint32_t)v;
            break;
        case 'S': {
            char *e;
            errno = 0;
            double d = strtod(optarg, &e);
            if (errno || *e || !(d > 0 && d <= 86400))
                return stress__bad("--seconds: a positive number of seconds, not '%s'", optarg);
            cfg.seconds = d;
            have_secs = true;
            break;
        }
        case 'k':
            if (stress__num(optarg, &v) || v == 0)
                return stress__bad("--ops: a positive number of calls, not '%s'", optarg);
            cfg.ops = v;
            have_ops = true;
            break;
        case 's':
            if (stress__num(optarg, &cfg.seed))
                return stress__bad("--seed: not an unsigned number: '%s'", optarg);
            seeded = true;
            break;
        case 'f': faults = optarg; break;
        case 'c': schedule = optarg; break;
        case 'd': cfg.save_dir = optarg; break;
        case 'N': shrink = false; break;
        case 'D': stress__dump_path = optarg; break;
        case 'G':
            if (stress__num(optarg, &v) || v == 0)
                return stress__bad("--segment-calls: a positive number, not '%s'", optarg);
            cfg.segment_calls = v;
            break;
        case 'h': stress__usage(stdout); return 0;
        default: return stress__bad("stress: unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return stress__bad("stress: unexpected argument '%s'", argv[optind]);
    if (have_ops == have_secs)
        return stress__bad("stress: give exactly one of --seconds S and --ops K");
    if (cfg.n_threads < cfg.n_instances)
        return stress__bad("stress: --threads (%u) must be at least --instances (%u): one backup client "
                           "per instance",
                           (unsigned)cfg.n_threads, (unsigned)cfg.n_instances);
    if (sched_parse(schedule, &sc, err, sizeof err) != 0)
        return stress__bad("--schedule: %s", err);
    cfg.schedule = sc.kind;
    cfg.pct_depth = sc.pct_depth;
    if (!seeded)
        cfg.seed = rng_fresh_seed();
    /* The seed comes first. */
    printf("backstop stress: seed %" PRIu64 "\n", cfg.seed);
    fflush(stdout);
    if (faults) {
        int col;
        if (faults_parse(faults, &cfg.faults, &col, err, sizeof err) != 0) {
            fprintf(stderr, "--faults:1:%d: %s\n", col, err);
            stress__usage(stderr);
            return STRESS__EXIT_USAGE;
        }
        for (int i = 0; i < cfg.faults.n; i++) {
            bool modelled;
            faults_model_fault(cfg.faults.item[i].point, &modelled);
            if (!modelled) {
                const char *at = strstr(faults, cfg.faults.item[i].point);
                fprintf(stderr, "--faults:1:%d: %s: the model has no fault for this point, so stress "
                                "cannot check its outcome (use backstop faults --sweep)\n",
                        at ? (int)(at - faults) + 1 : 1, cfg.faults.item[i].point);
                stress__usage(stderr);
                return STRESS__EXIT_USAGE;
            }
        }
    }
    if (cfg.save_dir && stress__save_dir(cfg.save_dir) != 0)
        return stress__bad("--save-dir: cannot create directory '%s'", cfg.save_dir);
    rv = target_resolve(cfg.target_name, detail, sizeof detail, &ops);
    if (rv != TARGET_OK) {
        fprintf(stderr, "backstop: LOAD-ERROR: %s: %s\n", cfg.target_name,
                detail[0] ? detail : target_strerror(rv));
        return STRESS__EXIT_USAGE;
    }
    if (cfg.faults.n && ops != &target_engine_ops && ops != &target_engine_dir_ops) {
        target_release(ops);
        return stress__bad("--faults: only the in-process engine targets (engine, engine-dir) have "
                           "fault points");
    }
    cfg.target = ops;
    rv = stress__execute(&cfg, shrink, 0);
    target_release(ops);
    return rv;
}

int cmd_replay(int argc, char **argv)
{
    struct stress_config cfg = {.record = true, .check = true};
    struct stress_program prog;
    const struct target_ops *ops = NULL;
    const char *token = NULL;
    char storage[1024], err[256], detail[2048] = "";
    uint64_t hash;
    int rv;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--save-dir") == 0 && i + 1 < argc)
            cfg.save_dir = argv[++i];
        else if (strcmp(argv[i], "--dump-history") == 0 && i + 1 < argc)
            stress__dump_path = argv[++i];
        else if (strcmp(argv[i], "--help") == 0) {
            stress__usage(stdout);
            return 0;
        } else if (!token && argv[i][0] != '-')
            token = argv[i];
        else
            return stress__bad("replay: unexpected argument '%s'", argv[i]);
    }
    if (!token)
        return stress__bad("replay: no TOKEN given");
    if (stress_token_decode(token, &cfg, &prog, &hash, storage, sizeof storage, err, sizeof err) != 0)
        return stress__bad("replay: %s", err);
    printf("backstop replay: seed %" PRIu64 "\n", cfg.seed);
    fflush(stdout);
    if (cfg.save_dir && stress__save_dir(cfg.save_dir) != 0)
        return stress__bad("--save-dir: cannot create directory '%s'", cfg.save_dir);
    rv = target_resolve(cfg.target_name, detail, sizeof detail, &ops);
    if (rv != TARGET_OK) {
        fprintf(stderr, "backstop: LOAD-ERROR: %s: %s\n", cfg.target_name,
                detail[0] ? detail : target_strerror(rv));
        return STRESS__EXIT_USAGE;
    }
    cfg.target = ops;
    rv = stress__execute(&cfg, false, hash ? hash : 1);
    target_release(ops);
    return rv;
}
