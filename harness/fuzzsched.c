/*
 * fuzzsched.c: fuzz_sched's programs as bytes and as text (fuzzsched.h):
 * decoding any byte string, encoding a .scn case as a seed (scn2fuzz), and
 * printing a run as a .scn case with parallel blocks (fuzz2scn, reports).
 * The run itself is in fuzzsched_run.c.
 *
 * Input layout. Every read past the end of the call section gives 0, so every
 * input decodes.
 *
 *   byte h0    bit 0: profile esent (else ese); bits 1-2: threads 2 + v % 3;
 *              bit 3: page size 4096 (else 1024); bit 4: log size 4096 (else 1024)
 *   byte h1    instances 1 + h1 % 3
 *   per instance one byte f: databases 1 + (f & 1) with 1 + (f >> 1 & 3) and
 *              1 + (f >> 3 & 3) pages; logs rolled to 2 + (f >> 5 & 3)
 *   byte n     calls: n % (FUZZSCHED_MAX_CALLS + 1)
 *   per call   byte a: thread (a & 3) % threads, operation fs_ops[a >> 2];
 *              byte b: instance b & 15 (0-11 slot (b & 15) % instances,
 *              12 zero, 13 nil, 14 never, 15 0x1234; legacy calls ignore it),
 *              argument b >> 4 (Begin/End2/JetTerm2 grbit, list or read
 *              size, OpenFile name, CloseFile handle: the tables below)
 *   the rest   decision bytes (fuzzsched.h says how they are used)
 *
 * A thread's calls beyond FUZZSCHED_MAX_THREAD_CALLS are dropped.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzsched_int.h"

/* 64 entries: the weights of the operations. Stop and the streaming calls
 * dominate (the windows of R50-R54). */
static const uint8_t fs_ops[64] = {
    MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE,
    MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE,
    MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE, MODEL_OP_STOP_BACKUP_INSTANCE,
    MODEL_OP_STOP_BACKUP_INSTANCE,
    MODEL_OP_BEGIN, MODEL_OP_BEGIN, MODEL_OP_BEGIN, MODEL_OP_BEGIN, MODEL_OP_BEGIN, MODEL_OP_BEGIN,
    MODEL_OP_GET_ATTACH_INFO, MODEL_OP_GET_ATTACH_INFO, MODEL_OP_GET_ATTACH_INFO,
    MODEL_OP_GET_ATTACH_INFO,
    MODEL_OP_OPEN_FILE, MODEL_OP_OPEN_FILE, MODEL_OP_OPEN_FILE, MODEL_OP_OPEN_FILE,
    MODEL_OP_OPEN_FILE, MODEL_OP_OPEN_FILE, MODEL_OP_OPEN_FILE, MODEL_OP_OPEN_FILE,
    MODEL_OP_READ_FILE, MODEL_OP_READ_FILE, MODEL_OP_READ_FILE, MODEL_OP_READ_FILE,
    MODEL_OP_READ_FILE, MODEL_OP_READ_FILE, MODEL_OP_READ_FILE, MODEL_OP_READ_FILE,
    MODEL_OP_READ_FILE, MODEL_OP_READ_FILE,
    MODEL_OP_CLOSE_FILE, MODEL_OP_CLOSE_FILE, MODEL_OP_CLOSE_FILE, MODEL_OP_CLOSE_FILE,
    MODEL_OP_CLOSE_FILE,
    MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_LOG_INFO, MODEL_OP_GET_LOG_INFO,
    MODEL_OP_GET_LOG_INFO2, MODEL_OP_GET_LOG_INFO2,
    MODEL_OP_GET_TRUNCATE_LOG_INFO, MODEL_OP_GET_TRUNCATE_LOG_INFO,
    MODEL_OP_TRUNCATE_LOG, MODEL_OP_TRUNCATE_LOG, MODEL_OP_TRUNCATE_LOG,
    MODEL_OP_END, MODEL_OP_END, MODEL_OP_END,
    MODEL_OP_END2, MODEL_OP_END2, MODEL_OP_END2,
    MODEL_OP_TERM,
    MODEL_OP_TERM2, MODEL_OP_TERM2,
    MODEL_OP_STOP_SERVICE_INSTANCE,
    MODEL_OP_STOP_BACKUP,
};

/* Incremental Begins are in (0x1), surrogate incrementals are not (a known
 * disagreement, FUZZPROG_SKIP_SURROGATE_INCREMENTAL). */
const JET_GRBIT fuzzsched__begin_bits[16] = {0, 0, 0, 0, 0, 0, 0x1, 0x1,
                                     0x1, 0x20, 0x40, 0x2, 0x4, 0x8, 0x10, 0x80000000u};
const JET_GRBIT fuzzsched__end2_bits[16] = {0x1, 0x1, 0x1, 0x2, 0x2, 0x2, 0, 0x3,
                                    0x101, 0x102, 0x201, 0x4, 0x10, 0x100, 0x80000001u, 0x1};
const JET_GRBIT fuzzsched__term2_bits[16] = {0, 0x1, 0x2, 0x4, 0x4, 0x8, 0x3, 0x6,
                                     0xA, 0xC, 0x5, 0x9, 0x10, 0, 0x4, 0x80000000u};
const uint32_t fuzzsched__list_cb[16] = {4096, 4096, 4096, 4096, 4096, 4096, 0, 1,
                                 2, 16, 64, 256, 1024, 2048, 8192, 65536};
/* ReadFile's cbMax in bytes: mostly multiples of the OS page (4096), which a
 * read needs; the rest are the sizes the checks reject. */
const uint32_t fuzzsched__read_cb[16] = {4096, 4096, 4096, 4096, 8192, 8192, 12288, 16384,
                                 32768, 0, 1, 1024, 2048, 4095, 4097, 65536};

enum fs_file fuzzsched__file_of(const struct fs_inst *in, uint8_t arg, uint32_t *which)
{
    arg &= 15;
    if (arg <= 5) {
        *which = 0;
        return FS_FILE_DB;
    }
    if (arg <= 8) {
        *which = in->n_db > 1 ? 1 : 0;
        return FS_FILE_DB;
    }
    if (arg <= 13) {
        *which = (uint32_t)arg - 8; /* generations 1..5 */
        return FS_FILE_LOG;
    }
    *which = 0;
    return arg == 14 ? FS_FILE_BOGUS : FS_FILE_EMPTY;
}

bool fuzzsched__close_hf_of(uint8_t arg, JET_HANDLE *lit)
{
    arg &= 15;
    *lit = arg == 14 ? 0 : 0xFFFF;
    return arg < 14;
}

JET_INSTANCE fuzzsched__ref_value(enum fs_ref ref)
{
    switch (ref) {
    case FS_REF_NIL: return JET_instanceNil;
    case FS_REF_NEVER: return FS_NEVER_HANDLE;
    case FS_REF_LIT: return FS_LIT_HANDLE;
    default: return 0;
    }
}

const char *fuzzsched_strerror(int status)
{
    switch (status) {
    case FUZZSCHED_OK: return "success";
    case FUZZSCHED_FINDING: return "finding";
    case FUZZSCHED_EINVAL: return "invalid argument";
    case FUZZSCHED_ENOMEM: return "out of memory";
    case FUZZSCHED_ETARGET: return "the target world could not be opened or set up";
    case FUZZSCHED_EHARNESS: return "harness failure";
    case FUZZSCHED_ENCODE: return "the case cannot be encoded";
    default: return "unknown status";
    }
}

/* ---------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------- */

struct fs_rd {
    const uint8_t *p;
    size_t n, i;
};

static uint8_t fs_u8(struct fs_rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static bool fs_is_legacy(enum model_op op)
{
    return model_op_is_legacy(op);
}

int fuzzsched_decode(const uint8_t *data, size_t size, struct fuzzsched **out)
{
    struct fs_rd r = {data, size, 0};
    struct fuzzsched *p;
    uint8_t h0, per_thread[FUZZSCHED_MAX_THREADS] = {0};
    unsigned n;
    uint64_t h = 0xcbf29ce484222325ull;

    *out = NULL;
    if (data == NULL && size != 0)
        return FUZZSCHED_EINVAL;
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return FUZZSCHED_ENOMEM;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    p->hash = h;
    p->input_size = size;
    h0 = fs_u8(&r);
    p->profile = (h0 & 1) ? MODEL_PROFILE_ESENT : MODEL_PROFILE_ESE;
    p->n_threads = 2 + ((h0 >> 1) & 3) % 3;
    p->page_size = (h0 & 8) ? 4096 : 1024;
    p->log_size = (h0 & 16) ? 4096 : 1024;
    p->n_inst = 1 + fs_u8(&r) % FUZZSCHED_MAX_INSTANCES;
    for (unsigned i = 0; i < p->n_inst; i++) {
        uint8_t f = fs_u8(&r);
        p->inst[i].n_db = (uint8_t)(1 + (f & 1));
        p->inst[i].pages[0] = (uint8_t)(1 + (f >> 1 & 3));
        p->inst[i].pages[1] = (uint8_t)(1 + (f >> 3 & 3));
        p->inst[i].gen = (uint8_t)(2 + (f >> 5 & 3));
    }
    n = fs_u8(&r) % (FUZZSCHED_MAX_CALLS + 1);
    for (unsigned k = 0; k < n; k++) {
        uint8_t a = fs_u8(&r), b = fs_u8(&r);
        struct fs_call c = {0};
        c.thread = (uint8_t)((a & 3) % p->n_threads);
        c.op = fs_ops[a >> 2];
        c.arg = (uint8_t)(b >> 4);
        if (fs_is_legacy((enum model_op)c.op)) {
            c.ref = FS_REF_NONE;
        } else if ((b & 15) < 12) {
            c.ref = FS_REF_SLOT;
            c.slot = (uint8_t)((b & 15) % p->n_inst);
        } else {
            c.ref = (uint8_t)(FS_REF_ZERO + ((b & 15) - 12));
        }
        if (per_thread[c.thread] >= FUZZSCHED_MAX_THREAD_CALLS)
            continue;
        per_thread[c.thread]++;
        c.index = (uint16_t)p->n_calls;
        p->calls[p->n_calls++] = c;
    }
    if (r.i < size) {
        p->n_dec = size - r.i;
        if (p->n_dec > FUZZSCHED_MAX_DECISIONS)
            p->n_dec = FUZZSCHED_MAX_DECISIONS;
        memcpy(p->dec, data + r.i, p->n_dec);
    }
    for (uint32_t g = 0; g <= FS_MAX_LOG_GEN; g++)
        snprintf(p->log_names[g], sizeof p->log_names[g], "edb%08" PRIX32 ".log", g);
    *out = p;
    return FUZZSCHED_OK;
}

void fuzzsched_free(struct fuzzsched *p)
{
    if (p == NULL)
        return;
    free(p->hist);
    free(p);
}

size_t fuzzsched_count(const struct fuzzsched *p) { return p->n_calls; }
unsigned fuzzsched_threads(const struct fuzzsched *p) { return p->n_threads; }
const char *fuzzsched_finding(const struct fuzzsched *p) { return p->finding; }
uint64_t fuzzsched_history_hash(const struct fuzzsched *p) { return p->hist_hash; }
uint64_t fuzzsched_decisions(const struct fuzzsched *p) { return p->decisions; }

void fuzzsched_print_history(const struct fuzzsched *p, FILE *out)
{
    hist_print(p->hist, p->n_hist, out);
}

/* ---------------------------------------------------------------------------
 * Encoding a .scn case (scn2fuzz)
 * ------------------------------------------------------------------------- */

static int fs_find_u32(const uint32_t *t, uint32_t v)
{
    for (int i = 0; i < 16; i++)
        if (t[i] == v)
            return i;
    return 0;
}

static int fs_find_grbit(const JET_GRBIT *t, JET_GRBIT v)
{
    for (int i = 0; i < 16; i++)
        if (t[i] == v)
            return i;
    return 0;
}

/* The argument nibble that comes closest to what the step says. */
static uint8_t fs_encode_arg(const struct scn_step *st, const struct fs_inst *in, uint32_t page_size)
{
    switch (st->op) {
    case MODEL_OP_BEGIN: return (uint8_t)fs_find_grbit(fuzzsched__begin_bits, st->grbit);
    case MODEL_OP_END2: return (uint8_t)fs_find_grbit(fuzzsched__end2_bits, st->grbit);
    case MODEL_OP_TERM2: return (uint8_t)fs_find_grbit(fuzzsched__term2_bits, st->grbit);
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        return st->cb.pages ? 0 : (uint8_t)fs_find_u32(fuzzsched__list_cb, (uint32_t)st->cb.value);
    case MODEL_OP_READ_FILE:
        return (uint8_t)fs_find_u32(fuzzsched__read_cb,
                                    (uint32_t)(st->cb.value * (st->cb.pages ? page_size : 1)));
    case MODEL_OP_OPEN_FILE:
        if (st->file.kind == SCN_FILE_DB)
            return st->file.text && strcmp(st->file.text, "db2") == 0 && in->n_db > 1 ? 6 : 0;
        if (st->file.kind == SCN_FILE_LOG && st->file.gen >= 1 && st->file.gen <= 5)
            return (uint8_t)(8 + st->file.gen);
        return st->file.kind == SCN_FILE_STRING && st->file.text && !*st->file.text ? 15 : 14;
    case MODEL_OP_CLOSE_FILE:
        return st->hf.kind == SCN_REF_VAR ? 0 : st->hf.kind == SCN_REF_INT && st->hf.value == 0 ? 14 : 15;
    default: return 0;
    }
}

static uint8_t fs_op_code(enum model_op op)
{
    for (uint8_t i = 0; i < 64; i++)
        if (fs_ops[i] == op)
            return i;
    return 0xFF;
}

int fuzzsched_encode_case(const struct scn_case *c, uint8_t **out, size_t *n)
{
    int slot_of[SCN_MAX_VARS];
    struct fs_inst inst[FUZZSCHED_MAX_INSTANCES] = {{0}};
    uint8_t calls[2 * FUZZSCHED_MAX_CALLS];
    unsigned n_inst = 0, n_calls = 0, page_size = 4096, log_size = 1024, per[FUZZSCHED_MAX_THREADS] = {0};
    uint8_t *buf;
    size_t k = 0;

    *out = NULL;
    *n = 0;
    for (int v = 0; v < SCN_MAX_VARS; v++)
        slot_of[v] = -1;
    for (int i = 0; i < c->n_steps; i++) {
        const struct scn_step *st = &c->steps[i];
        if (st->kind == SCN_STEP_PAGE_SIZE)
            page_size = st->cb.value == 4096 ? 4096 : 1024;
        else if (st->kind == SCN_STEP_LOG_SIZE)
            log_size = st->cb.value == 4096 ? 4096 : 1024;
        if (st->kind == SCN_STEP_INSTANCE && n_inst < FUZZSCHED_MAX_INSTANCES && st->bind >= 0) {
            slot_of[st->bind] = (int)n_inst;
            inst[n_inst++] = (struct fs_inst){.n_db = 0, .pages = {1, 1}, .gen = 2};
            continue;
        }
        if (st->kind != SCN_STEP_API)
            continue;
        int slot = st->inst.kind == SCN_REF_VAR && st->inst.var >= 0 ? slot_of[st->inst.var] : -1;
        if (st->op == MODEL_OP_FX_CREATE_DB && slot >= 0) {
            struct fs_inst *in = &inst[slot];
            if (in->n_db < 2)
                in->pages[in->n_db++] = (uint8_t)(st->arg < 1 ? 1 : st->arg > 4 ? 4 : st->arg);
            continue;
        }
        if (st->op == MODEL_OP_FX_ROLL_LOG && slot >= 0) {
            inst[slot].gen = (uint8_t)(st->arg < 2 ? 2 : st->arg > 5 ? 5 : st->arg);
            continue;
        }
        uint8_t code = fs_op_code(st->op);
        if (code == 0xFF || n_calls >= FUZZSCHED_MAX_CALLS)
            continue;
        unsigned t = st->thread < 0 ? 0 : (unsigned)(1 + st->thread) % FUZZSCHED_MAX_THREADS;
        if (per[t] >= FUZZSCHED_MAX_THREAD_CALLS)
            continue;
        per[t]++;
        uint8_t ref;
        if (slot >= 0)
            ref = (uint8_t)slot;
        else if (st->inst.kind == SCN_REF_NIL)
            ref = 13;
        else if (st->inst.kind == SCN_REF_NEVER)
            ref = 14;
        else if (st->inst.kind == SCN_REF_INT && st->inst.value == 0)
            ref = 12;
        else
            ref = 15;
        calls[2 * n_calls] = (uint8_t)(code << 2 | t);
        calls[2 * n_calls + 1] =
            (uint8_t)(fs_encode_arg(st, slot >= 0 ? &inst[slot] : &inst[0], page_size) << 4 | ref);
        n_calls++;
    }
    if (n_inst == 0 || n_calls == 0)
        return FUZZSCHED_ENCODE;
    buf = malloc(3 + n_inst + 2 * n_calls);
    if (buf == NULL)
        return FUZZSCHED_ENOMEM;
    /* Four threads (2 + 2 % 3), so every label keeps its own thread. */
    buf[k++] = (uint8_t)(2u << 1 | (page_size == 4096 ? 8u : 0u) | (log_size == 4096 ? 16u : 0u));
    buf[k++] = (uint8_t)(n_inst - 1);
    for (unsigned i = 0; i < n_inst; i++) {
        const struct fs_inst *in = &inst[i];
        unsigned n_db = in->n_db ? in->n_db : 1;
        buf[k++] = (uint8_t)((n_db - 1) | (unsigned)(in->pages[0] - 1) << 1 |
                             (unsigned)(in->pages[1] - 1) << 3 | (unsigned)(in->gen - 2) << 5);
    }
    buf[k++] = (uint8_t)n_calls;
    memcpy(buf + k, calls, 2 * n_calls);
    k += 2 * n_calls;
    *out = buf;
    *n = k;
    return FUZZSCHED_OK;
}

/* ---------------------------------------------------------------------------
 * Printing a run as a .scn case
 * ------------------------------------------------------------------------- */

static const char *const fs_thread_labels[FUZZSCHED_MAX_THREADS] = {"t0", "t1", "t2", "t3"};
static const char *const fs_vars[FUZZSCHED_MAX_INSTANCES + 1] = {"i0", "i1", "i2", "h"};
static const char *const fs_db_names[2] = {"db1", "db2"};
#define FS_VAR_H 3

static struct scn_ref fs_inst_ref(const struct fuzzsched *p, JET_INSTANCE v, const struct hist_event *ev)
{
    if (ev->lifetime != HIST_NO_LIFETIME && ev->lifetime < p->n_inst)
        return (struct scn_ref){.kind = SCN_REF_VAR, .var = (int)ev->lifetime};
    if (v == JET_instanceNil)
        return (struct scn_ref){.kind = SCN_REF_NIL};
    if (v == FS_NEVER_HANDLE)
        return (struct scn_ref){.kind = SCN_REF_NEVER};
    return (struct scn_ref){.kind = SCN_REF_INT, .value = v};
}

static void fs_step_of_event(const struct fuzzsched *p, const struct hist_event *ev, int thread,
                             struct scn_step *st)
{
    const struct model_call *mc = &ev->call;
    memset(st, 0, sizeof *st);
    st->kind = SCN_STEP_API;
    st->op = mc->op;
    st->thread = thread;
    st->bind = -1;
    st->inst = model_op_is_legacy(mc->op) ? (struct scn_ref){.kind = SCN_REF_NONE}
                                          : fs_inst_ref(p, mc->inst, ev);
    st->grbit = mc->grbit;
    st->call_flags = mc->flags;
    switch (mc->op) {
    case MODEL_OP_OPEN_FILE:
        st->bind = FS_VAR_H;
        if (mc->name == NULL || !*mc->name) {
            st->file = (struct scn_file){.kind = SCN_FILE_STRING, .text = ""};
        } else if (strncmp(mc->name, "db", 2) == 0) {
            st->file = (struct scn_file){.kind = SCN_FILE_DB, .text = mc->name};
        } else if (strncmp(mc->name, "edb", 3) == 0) {
            st->file = (struct scn_file){.kind = SCN_FILE_LOG,
                                         .gen = (uint32_t)strtoul(mc->name + 3, NULL, 16)};
        } else {
            st->file = (struct scn_file){.kind = SCN_FILE_STRING, .text = mc->name};
        }
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_CLOSE_FILE:
        st->hf = (struct scn_ref){.kind = SCN_REF_INT, .value = (uint64_t)mc->hf};
        break;
    default:
        break;
    }
    if (mc->op == MODEL_OP_READ_FILE || mc->op == MODEL_OP_GET_ATTACH_INFO ||
        mc->op == MODEL_OP_GET_LOG_INFO || mc->op == MODEL_OP_GET_LOG_INFO2 ||
        mc->op == MODEL_OP_GET_TRUNCATE_LOG_INFO)
        st->cb = (struct scn_size){.value = mc->cb_max};
    st->expect.kind = SCN_EXPECT_ONE;
    st->expect.n_results = 1;
    st->expect.results[0].err = ev->ret == HIST_PENDING ? 0 : ev->err;
    if (ev->ret == HIST_PENDING)
        st->expect.kind = SCN_EXPECT_ANYTHING;
    if ((ev->outs & MODEL_OUT_HF) && st->n_checks < SCN_MAX_CHECKS)
        st->checks[st->n_checks++] = (struct scn_check){SCN_CHECK_SIZE, SCN_CMP_EQ, {ev->size, false}};
    if ((ev->outs & MODEL_OUT_CB) && mc->op == MODEL_OP_READ_FILE)
        st->checks[st->n_checks++] = (struct scn_check){SCN_CHECK_ACTUAL, SCN_CMP_EQ, {ev->cb_actual, false}};
    if (ev->outs & MODEL_OUT_GENS) {
        st->checks[st->n_checks++] = (struct scn_check){SCN_CHECK_GENLOW, SCN_CMP_EQ, {ev->gen_low, false}};
        st->checks[st->n_checks++] = (struct scn_check){SCN_CHECK_GENHIGH, SCN_CMP_EQ, {ev->gen_high, false}};
    }
}

int fuzzsched_print_scn(const struct fuzzsched *p, const char *name, FILE *out)
{
    struct scn_case c = {0};
    struct scn_step *steps;
    char defname[64], intent[256];
    int k = 0, rc;
    size_t cap = 4 + 8 * FUZZSCHED_MAX_INSTANCES + 3 * p->n_hist + 2;

    steps = calloc(cap, sizeof *steps);
    if (steps == NULL)
        return -1;
    snprintf(defname, sizeof defname, "fuzz.fuzz_sched_%016" PRIx64, p->hash);
    snprintf(intent, sizeof intent,
             "fuzz_sched input of %zu bytes: %u threads, %zu calls, %" PRIu64
             " scheduler decisions; results as the target returned them",
             p->input_size, p->n_threads, p->n_calls, p->decisions);
    c.name = name ? name : defname;
    c.intent = intent;
    c.profile_mask = 1u << p->profile;
    c.n_rules = 1;
    c.rules[0] = "R55";
    c.n_vars = FUZZSCHED_MAX_INSTANCES + 1;
    for (int v = 0; v < c.n_vars; v++)
        c.vars[v] = fs_vars[v];
    c.n_threads = (int)p->n_threads;
    for (unsigned t = 0; t < p->n_threads; t++)
        c.threads[t] = fs_thread_labels[t];
    steps[k++] = (struct scn_step){.kind = SCN_STEP_PAGE_SIZE, .thread = -1, .bind = -1,
                                   .cb = {p->page_size, false}};
    steps[k++] = (struct scn_step){.kind = SCN_STEP_LOG_SIZE, .thread = -1, .bind = -1,
                                   .cb = {p->log_size, false}};
    for (unsigned i = 0; i < p->n_inst; i++) {
        struct scn_ref self = {.kind = SCN_REF_VAR, .var = (int)i};
        steps[k++] = (struct scn_step){.kind = SCN_STEP_INSTANCE, .thread = -1, .bind = (int)i};
        for (unsigned d = 0; d < p->inst[i].n_db; d++)
            steps[k++] = (struct scn_step){.kind = SCN_STEP_API, .op = MODEL_OP_FX_CREATE_DB,
                                           .thread = -1, .bind = -1, .inst = self,
                                           .file = {.kind = SCN_FILE_DB, .text = fs_db_names[d]},
                                           .arg = p->inst[i].pages[d]};
        steps[k++] = (struct scn_step){.kind = SCN_STEP_API, .op = MODEL_OP_FX_ROLL_LOG, .thread = -1,
                                       .bind = -1, .inst = self, .arg = p->inst[i].gen};
    }
    /* The workers' events (the setup's are the steps above), in invocation
     * order; a maximal run of events whose intervals chain-overlap is one
     * parallel block. */
    for (size_t i = 0; i < p->n_hist;) {
        size_t j = i + 1;
        uint64_t end;
        if (p->hist[i].thread >= p->n_threads) {
            i++;
            continue;
        }
        end = p->hist[i].ret;
        while (j < p->n_hist && p->hist[j].thread < p->n_threads && p->hist[j].inv < end) {
            if (p->hist[j].ret > end)
                end = p->hist[j].ret;
            j++;
        }
        if (j - i > 1)
            steps[k++] = (struct scn_step){.kind = SCN_STEP_PARALLEL_BEGIN, .thread = -1, .bind = -1};
        for (size_t e = i; e < j; e++)
            fs_step_of_event(p, &p->hist[e], j - i > 1 ? (int)p->hist[e].thread : -1, &steps[k++]);
        if (j - i > 1)
            steps[k++] = (struct scn_step){.kind = SCN_STEP_PARALLEL_END, .thread = -1, .bind = -1};
        i = j;
    }
    c.n_steps = k;
    c.steps = steps;
    if (p->finding[0]) {
        fprintf(out, "# FINDING (fuzz_sched):\n# ");
        for (const char *s = p->finding; *s; s++) {
            fputc(*s, out);
            if (*s == '\n' && s[1])
                fputs("# ", out);
        }
        fputc('\n', out);
    }
    fprintf(out, "# The calls in invocation order with the results the target returned. A run\n"
                 "# of this case is sequential; the interleaving is the input's, replayed by\n"
                 "# fuzz_sched (or fuzz_sched_replay) on the input file.\n");
    rc = scn_print_case(&c, out);
    free(steps);
    return rc == SCN_OK && !ferror(out) ? 0 : -1;
}
