/*
 * fuzzprog.c: fuzz programs as bytes and as text. It decodes any byte string
 * into a program (fuzzprog.h), encodes a parsed .scn case back into bytes (the
 * seed corpus), prints a run's record as a .scn case (fuzz2scn, and the report
 * of a finding), and holds fuzz_scenario's parse-print-parse property. The
 * lockstep execution is in fuzzprog_run.c.
 *
 * Input layout. Every read past the end gives 0, so every input decodes.
 *
 *   world header
 *     byte h0      bit 0: profile esent (else ese); bit 1: OneInst mode;
 *                  bits 2-3: page size 1024, 2048, 4096, 8192;
 *                  bits 4-5: log size 1024, 2048, 4096, 8192
 *     byte h1      instances: (h1 + 1) % 5, so zero bytes give one instance and
 *                  4 gives none (OneInst: exactly one)
 *     per instance f, g, then ((f >> 6) + 1) % 4 database bytes (zero: one)
 *                  f: init=no if (f & 3) == 3, logging=off if (f >> 2 & 3) == 3,
 *                     circular=on if (f >> 4 & 3) == 3;
 *                  g: roll-log to 1 + (g & 7), checkpoint 1 + (g >> 4 & 7) if
 *                     not above that; a database byte d: pages 1 + d % 8
 *   stream         one opcode byte (chosen by weight, fp_codes below, modulo the
 *                  total weight of the dialect), then its arguments:
 *     INST   b < 0xF0: name b % D (D = names declared so far; none: 0);
 *            F0 0, F1 nil, F2 never, F3 0x1234, F4 0xFFFFFFFF, F5 2^32, F6 1,
 *            F7 + 8 bytes (little-endian literal), F8-FF: a name as above
 *     BIND   (b & 3) == 0 and D > 0: name (b >> 2) % D; else a new name
 *     HF     b < 0xF0 or b > F6: the name h; F0 0, F1 1, F2 2^32,
 *            F3 0xFFFFFFFF, F4 0x80000000, F5 2, F6 + 8 bytes
 *     GRBIT  b < 0xF0: a per-function table of 16 values; else 4 bytes
 *     CB     b < 0x80: b % 25 pages; b < 0xF0: a table of 16 byte counts;
 *            F0-FE + 2 bytes; FF + 4 bytes
 *     FLAGS  b < 0xF0: none; else bit 0 buf=null, bit 1 pcb=null,
 *            bit 2 buf=misaligned (ReadFile)
 *     FILE   b & 15: 0-6 and 15 db:db<1 + (b >> 4 & 3)>, 7-11 log:<next byte>,
 *            12 "", 13 null, 14 a string (length byte % 23, then characters)
 *
 * The opcode weights favour the backup calls and Stop; every Jet function of
 * jet.h, every fixture step of the scenario language and (FUZZPROG_FAULTS)
 * fault arming have one.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzprog_int.h"

/* ---------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------- */

const struct fuzzprog__point fuzzprog__points[FP_N_POINTS] = {
    {"read.eio", MODEL_FAULT_READ_IO, true},
    {"read.verify", MODEL_FAULT_READ_VERIFY, true},
    {"alloc.enomem", MODEL_FAULT_NOMEM, true},
    {"logroll.enospc", MODEL_FAULT_LOG_ROLL, true},
    {"read.short", MODEL_FAULT_NONE, false}, /* engine only: the engine resumes the read */
    {"open.eio", MODEL_FAULT_OPEN_IO, true},
};

const char *const fuzzprog__dbnames[FP_N_DBNAMES] = {"db1", "db2", "db3", "db4"};

/* Page and log sizes. Small ones first: the engine writes (and checksums)
 * every page and log block a world creates, the main cost of an input. */
static const uint32_t fp_sizes[4] = {1024, 2048, 4096, 8192};

struct fp_code {
    uint8_t kind, op, weight;
};

/* The last entry (FP_FAULT) exists only in FUZZPROG_FAULTS. */
static const struct fp_code fp_codes[] = {
    {FP_API, MODEL_OP_CREATE_INSTANCE, 2},
    {FP_API, MODEL_OP_INIT, 3},
    {FP_API, MODEL_OP_TERM, 3},
    {FP_API, MODEL_OP_TERM2, 3},
    {FP_API, MODEL_OP_STOP_SERVICE_INSTANCE, 2},
    {FP_API, MODEL_OP_STOP_SERVICE, 1},
    {FP_API, MODEL_OP_STOP_BACKUP_INSTANCE, 10},
    {FP_API, MODEL_OP_STOP_BACKUP, 2},
    {FP_API, MODEL_OP_BEGIN, 10},
    {FP_API, MODEL_OP_GET_ATTACH_INFO, 6},
    {FP_API, MODEL_OP_OPEN_FILE, 12},
    {FP_API, MODEL_OP_READ_FILE, 14},
    {FP_API, MODEL_OP_CLOSE_FILE, 8},
    {FP_API, MODEL_OP_GET_LOG_INFO, 6},
    {FP_API, MODEL_OP_GET_LOG_INFO2, 5},
    {FP_API, MODEL_OP_GET_TRUNCATE_LOG_INFO, 4},
    {FP_API, MODEL_OP_TRUNCATE_LOG, 6},
    {FP_API, MODEL_OP_END, 7},
    {FP_API, MODEL_OP_END2, 5},
    {FP_API, MODEL_OP_BEGIN_LEGACY, 1},
    {FP_API, MODEL_OP_GET_ATTACH_INFO_LEGACY, 1},
    {FP_API, MODEL_OP_OPEN_FILE_LEGACY, 1},
    {FP_API, MODEL_OP_READ_FILE_LEGACY, 1},
    {FP_API, MODEL_OP_CLOSE_FILE_LEGACY, 1},
    {FP_API, MODEL_OP_GET_LOG_INFO_LEGACY, 1},
    {FP_API, MODEL_OP_TRUNCATE_LOG_LEGACY, 1},
    {FP_API, MODEL_OP_END_LEGACY, 1},
    {FP_FIXTURE, MODEL_OP_FX_CREATE_DB, 3},
    {FP_FIXTURE, MODEL_OP_FX_DETACH_DB, 2},
    {FP_FIXTURE, MODEL_OP_FX_ROLL_LOG, 3},
    {FP_FIXTURE, MODEL_OP_FX_SET_CHECKPOINT, 2},
    {FP_FIXTURE, MODEL_OP_FX_DELETE_LOG, 1},
    {FP_FIXTURE, MODEL_OP_FX_FORCE_STATE, 2},
    {FP_INSTANCE, 0, 2},
    {FP_ONEINST, 0, 1},
    {FP_LOGS, 0, 1},
    {FP_FAULT, 0, 10},
};
#define FP_N_CODES (sizeof fp_codes / sizeof fp_codes[0])

static const JET_GRBIT fp_begin_bits[16] = {0, 0, 0, 0, 0x1, 0x1, 0x20, 0x40,
                                            0x41, 0x21, 0x2, 0x4, 0x8, 0x10, 0x60, 0x80000000u};
static const JET_GRBIT fp_end_bits[16] = {0x1, 0x1, 0x1, 0x2, 0x2, 0, 0x3, 0x21,
                                          0x22, 0x101, 0x201, 0x301, 0x4, 0x10, 0x80000001u, 0x102};
static const JET_GRBIT fp_term_bits[16] = {0, 0x1, 0x2, 0x4, 0x8, 0x3, 0x6, 0xA,
                                           0xC, 0xF, 0x10, 0x5, 0x9, 0x2, 0x4, 0x80000000u};
static const uint32_t fp_cb_bytes[16] = {0,    1,    2,    15,   16,   64,   100,  511,
                                         512,  1023, 1024, 4095, 4096, 4097, 8191, 65536};
static const char fp_charset[] = "abcdefghijklmnopqrstuvwxyz0123456789._-/";
#define FP_CHARSET_LEN (sizeof fp_charset - 1)

static const char *const fp_kind_names[FUZZPROG__KINDS] = {"fuzz_calls", "fuzz_faults",
                                                            "fuzz_sched"};

const char *fuzzprog_kind_name(enum fuzzprog_kind kind)
{
    return (unsigned)kind < FUZZPROG__KINDS ? fp_kind_names[kind] : "?";
}

int fuzzprog_kind_parse(const char *name, enum fuzzprog_kind *out)
{
    for (int i = 0; i < FUZZPROG__KINDS; i++) {
        if (name && strcmp(name, fp_kind_names[i]) == 0) {
            *out = (enum fuzzprog_kind)i;
            return 0;
        }
    }
    return -1;
}

const char *fuzzprog_strerror(int status)
{
    switch (status) {
    case FUZZPROG_OK: return "success";
    case FUZZPROG_FINDING: return "finding";
    case FUZZPROG_EINVAL: return "invalid argument";
    case FUZZPROG_ENOMEM: return "out of memory";
    case FUZZPROG_ETARGET: return "the target world could not be opened";
    case FUZZPROG_ENCODE: return "the case cannot be encoded";
    default: return "unknown status";
    }
}

void fuzzprog__log_name(uint32_t gen, char *buf, size_t cb)
{
    snprintf(buf, cb, "edb%08" PRIX32 ".log", gen);
}

/* The two loops every input runs through, opcode selection and the input's
 * hash, are left out of coverage instrumentation (as fuzz/coverage-ignore.txt
 * does for the run): their comparisons depend only on byte values, the
 * decoded step's effect is what the run's coverage and model-state counters
 * measure, and their per-iteration comparison callbacks were a third of the
 * decoder's cost. OSS-Fuzz does not use the ignore list, hence the attribute;
 * noinline, because instrumentation runs after inlining. */
#if defined(__clang__)
#define FP_NO_COVERAGE __attribute__((no_sanitize("coverage"), noinline))
#else
#define FP_NO_COVERAGE
#endif

FP_NO_COVERAGE static unsigned fp_total_weight(enum fuzzprog_kind kind)
{
    unsigned t = 0;
    for (size_t i = 0; i < FP_N_CODES; i++)
        if (fp_codes[i].kind != FP_FAULT || kind == FUZZPROG_FAULTS)
            t += fp_codes[i].weight;
    return t;
}

/* The opcode of byte b: b % (total weight), then the code whose weight range
 * holds it. */
FP_NO_COVERAGE static const struct fp_code *fp_code_select(enum fuzzprog_kind kind, unsigned total,
                                                           uint8_t b)
{
    unsigned v = b % total;
    const struct fp_code *code = fp_codes;
    for (size_t i = 0; i < FP_N_CODES; i++) {
        code = &fp_codes[i];
        if (code->kind == FP_FAULT && kind != FUZZPROG_FAULTS)
            continue;
        if (v < code->weight)
            break;
        v -= code->weight;
    }
    return code;
}

/* fp_code_select for every byte value, per dialect: the decoder's opcode
 * lookup is one load instead of a walk over the weights. Built once. */
static uint8_t fp_code_table[2][256];
static pthread_once_t fp_code_once = PTHREAD_ONCE_INIT;

static void fp_code_table_build(void)
{
    for (int k = 0; k < 2; k++) {
        enum fuzzprog_kind kind = k ? FUZZPROG_FAULTS : FUZZPROG_CALLS;
        unsigned total = fp_total_weight(kind);
        for (unsigned b = 0; b < 256; b++)
            fp_code_table[k][b] = (uint8_t)(fp_code_select(kind, total, (uint8_t)b) - fp_codes);
    }
}

/* FNV-1a of the input: names the printed case. */
FP_NO_COVERAGE static uint64_t fp_input_hash(const uint8_t *data, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

/* ---------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------- */

struct fp_rd {
    const uint8_t *p;
    size_t n, i;
    unsigned declared; /* handle names declared so far (D) */
};

static uint8_t rd_u8(struct fp_rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static uint64_t rd_le(struct fp_rd *r, int bytes)
{
    uint64_t v = 0;
    for (int k = 0; k < bytes; k++)
        v |= (uint64_t)rd_u8(r) << (8 * k);
    return v;
}

static void rd_var(struct fp_rd *r, struct fp_step *s, uint8_t b)
{
    if (r->declared == 0) {
        s->ref = FP_REF_ZERO;
    } else {
        s->ref = FP_REF_VAR;
        s->var = (uint8_t)(b % r->declared);
    }
}

static void rd_inst(struct fp_rd *r, struct fp_step *s)
{
    uint8_t b = rd_u8(r);
    s->ref = FP_REF_LIT;
    switch (b) {
    case 0xF0: s->ref = FP_REF_ZERO; break;
    case 0xF1: s->ref = FP_REF_NIL; break;
    case 0xF2: s->ref = FP_REF_NEVER; break;
    case 0xF3: s->lit = 0x1234; break;
    case 0xF4: s->lit = 0xFFFFFFFFu; break;
    case 0xF5: s->lit = (uint64_t)1 << 32; break;
    case 0xF6: s->lit = 1; break;
    case 0xF7: s->lit = rd_le(r, 8); break;
    default: rd_var(r, s, b); break;
    }
    if (s->ref == FP_REF_LIT && s->lit == 0)
        s->ref = FP_REF_ZERO;
}

static uint8_t rd_bind(struct fp_rd *r)
{
    uint8_t b = rd_u8(r);
    if ((b & 3) == 0 && r->declared > 0)
        return (uint8_t)((b >> 2) % r->declared);
    if (r->declared < FUZZPROG_MAX_VARS)
        return (uint8_t)r->declared++;
    return (uint8_t)(b % r->declared);
}

static void rd_hf(struct fp_rd *r, struct fp_step *s)
{
    uint8_t b = rd_u8(r);
    s->hf_ref = FP_HF_LIT;
    switch (b) {
    case 0xF0: s->hf_lit = 0; break;
    case 0xF1: s->hf_lit = 1; break;
    case 0xF2: s->hf_lit = (uint64_t)1 << 32; break;
    case 0xF3: s->hf_lit = 0xFFFFFFFFu; break;
    case 0xF4: s->hf_lit = 0x80000000u; break;
    case 0xF5: s->hf_lit = 2; break;
    case 0xF6: s->hf_lit = rd_le(r, 8); break;
    default: s->hf_ref = FP_HF_VAR; break;
    }
}

static JET_GRBIT rd_grbit(struct fp_rd *r, const JET_GRBIT *table)
{
    uint8_t b = rd_u8(r);
    return b < 0xF0 ? table[b % 16] : (JET_GRBIT)rd_le(r, 4);
}

static void rd_cb(struct fp_rd *r, struct fp_step *s)
{
    uint8_t b = rd_u8(r);
    s->cb_pages = false;
    if (b < 0x80) {
        s->cb = b % 25u;
        s->cb_pages = true;
    } else if (b < 0xF0) {
        s->cb = fp_cb_bytes[(b - 0x80) % 16];
    } else if (b < 0xFF) {
        s->cb = (uint32_t)rd_le(r, 2);
    } else {
        s->cb = (uint32_t)rd_le(r, 4);
    }
}

static void rd_flags(struct fp_rd *r, struct fp_step *s, bool read)
{
    uint8_t b = rd_u8(r);
    s->flags = 0;
    if (b < 0xF0)
        return;
    if (b & 1)
        s->flags |= MODEL_CALL_BUF_NULL;
    if (b & 2)
        s->flags |= MODEL_CALL_PCB_NULL;
    if (read && (b & 4) && !(b & 1))
        s->flags |= MODEL_CALL_BUF_MISALIGNED;
}

static void rd_file(struct fp_rd *r, struct fp_step *s)
{
    uint8_t b = rd_u8(r);
    unsigned k = b & 15u;
    if (k <= 6 || k == 15) {
        s->file = FP_FILE_DB;
        s->db = (uint8_t)((b >> 4) & 3u);
    } else if (k <= 11) {
        s->file = FP_FILE_LOG;
        s->gen = rd_u8(r);
    } else if (k == 12) {
        s->file = FP_FILE_STR;
        s->str[0] = '\0';
    } else if (k == 13) {
        s->file = FP_FILE_NULL;
        s->flags |= MODEL_CALL_NAME_NULL;
    } else {
        unsigned len = rd_u8(r) % (FP_MAX_STR - 1u);
        s->file = FP_FILE_STR;
        for (unsigned j = 0; j < len; j++) {
            uint8_t ch = rd_u8(r);
            s->str[j] = memchr(fp_charset, ch, FP_CHARSET_LEN) && ch ? (char)ch
                                                                     : fp_charset[ch % FP_CHARSET_LEN];
        }
        s->str[len] = '\0';
    }
}

static struct fp_step *fp_push(struct fuzzprog *p, enum fp_kind kind, enum model_op op)
{
    if (p->n >= FUZZPROG_MAX_STEPS)
        return NULL;
    struct fp_step *s = &p->steps[p->n++];
    memset(s, 0, sizeof *s);
    s->kind = (uint8_t)kind;
    s->op = (uint8_t)op;
    s->ref = FP_REF_NONE;
    return s;
}

static void fp_decode_world(struct fuzzprog *p, struct fp_rd *r)
{
    uint8_t h0 = rd_u8(r), h1 = rd_u8(r);
    bool oneinst = (h0 >> 1) & 1u;
    unsigned n_inst = oneinst ? 1u : (h1 + 1u) % (FUZZPROG_MAX_INSTANCES + 1u);
    struct fp_step *s;

    p->profile = (h0 & 1u) ? MODEL_PROFILE_ESENT : MODEL_PROFILE_ESE;
    p->page_size = fp_sizes[(h0 >> 2) & 3u];
    p->log_size = fp_sizes[(h0 >> 4) & 3u];
    for (unsigned k = 0; k < n_inst; k++) {
        uint8_t f = rd_u8(r), g = rd_u8(r);
        unsigned var = r->declared++;
        s = fp_push(p, oneinst ? FP_ONEINST : FP_INSTANCE, 0);
        s->var = (uint8_t)var;
        if ((f & 3u) == 3u)
            s->arg |= FP_INST_INIT_NO;
        if (((f >> 2) & 3u) == 3u)
            s->arg |= FP_INST_LOGGING_OFF;
        if (((f >> 4) & 3u) == 3u)
            s->arg |= FP_INST_CIRCULAR;
        for (unsigned j = 0; j < ((f >> 6) + 1u) % 4u; j++) {
            s = fp_push(p, FP_FIXTURE, MODEL_OP_FX_CREATE_DB);
            s->ref = FP_REF_VAR;
            s->var = (uint8_t)var;
            s->db = (uint8_t)j;
            s->arg = 1u + rd_u8(r) % 8u;
        }
        uint32_t gen = 1u + (g & 7u), cp = 1u + ((g >> 4) & 7u);
        if (gen > 1) {
            s = fp_push(p, FP_FIXTURE, MODEL_OP_FX_ROLL_LOG);
            s->ref = FP_REF_VAR;
            s->var = (uint8_t)var;
            s->arg = gen;
        }
        if (cp > 1 && cp <= gen) {
            s = fp_push(p, FP_FIXTURE, MODEL_OP_FX_SET_CHECKPOINT);
            s->ref = FP_REF_VAR;
            s->var = (uint8_t)var;
            s->arg = cp;
        }
    }
}

static bool fp_is_list(enum model_op op)
{
    switch (op) {
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        return true;
    default:
        return false;
    }
}

/* Decode the arguments of an API step (the instance argument first, as the C
 * prototypes have it). */
static void fp_decode_api(struct fp_rd *r, struct fp_step *s)
{
    enum model_op op = (enum model_op)s->op;
    if (op == MODEL_OP_CREATE_INSTANCE) {
        s->var = rd_bind(r);
        return;
    }
    if (!model_op_is_legacy(op))
        rd_inst(r, s);
    switch (op) {
    case MODEL_OP_TERM2:
        s->grbit = rd_grbit(r, fp_term_bits);
        break;
    case MODEL_OP_BEGIN:
    case MODEL_OP_BEGIN_LEGACY:
        s->grbit = rd_grbit(r, fp_begin_bits);
        break;
    case MODEL_OP_END2:
        s->grbit = rd_grbit(r, fp_end_bits);
        break;
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
        rd_file(r, s);
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        rd_hf(r, s);
        rd_cb(r, s);
        rd_flags(r, s, true);
        break;
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_CLOSE_FILE_LEGACY:
        rd_hf(r, s);
        break;
    default:
        if (fp_is_list(op)) {
            rd_cb(r, s);
            rd_flags(r, s, false);
        }
        break;
    }
}

static void fp_decode_fixture(struct fp_rd *r, struct fp_step *s)
{
    rd_inst(r, s);
    switch ((enum model_op)s->op) {
    case MODEL_OP_FX_CREATE_DB:
        s->db = rd_u8(r) % FP_N_DBNAMES;
        s->arg = 1u + rd_u8(r) % 16u;
        break;
    case MODEL_OP_FX_DETACH_DB:
        s->db = rd_u8(r) % FP_N_DBNAMES;
        break;
    case MODEL_OP_FX_FORCE_STATE:
        s->arg = 1u + rd_u8(r) % (BACKSTOP_STATE__COUNT - 1u);
        break;
    default: /* roll-log, checkpoint, delete-log */
        s->arg = rd_u8(r) % 17u;
        break;
    }
}

int fuzzprog_decode(enum fuzzprog_kind kind, const uint8_t *data, size_t size,
                    struct fuzzprog **out)
{
    struct fp_rd r = {.p = data, .n = data ? size : 0};
    struct fuzzprog *p;
    const uint8_t *codes;

    if (out == NULL)
        return FUZZPROG_EINVAL;
    *out = NULL;
    if (kind != FUZZPROG_CALLS && kind != FUZZPROG_FAULTS)
        return FUZZPROG_EINVAL; /* FUZZPROG_SCHED: harness/fuzzsched.h decodes those */
    pthread_once(&fp_code_once, fp_code_table_build);
    codes = fp_code_table[kind == FUZZPROG_FAULTS];
    p = malloc(sizeof *p);
    if (p == NULL)
        return FUZZPROG_ENOMEM;
    p->kind = kind;
    p->n = 0;
    p->ran = false;
    p->finding_step = -1;
    p->finding[0] = '\0';
    p->input_size = r.n;
    p->hash = fp_input_hash(data, r.n);

    fp_decode_world(p, &r);
    while (r.i < r.n && p->n < FUZZPROG_MAX_STEPS) {
        const struct fp_code *code = &fp_codes[codes[rd_u8(&r)]];
        struct fp_step *s = fp_push(p, (enum fp_kind)code->kind, (enum model_op)code->op);
        switch (code->kind) {
        case FP_API:
            fp_decode_api(&r, s);
            break;
        case FP_FIXTURE:
            fp_decode_fixture(&r, s);
            break;
        case FP_INSTANCE: {
            uint8_t f;
            s->var = rd_bind(&r);
            f = rd_u8(&r);
            s->arg = ((f & 3u) == 3u ? FP_INST_INIT_NO : 0) |
                     (((f >> 2) & 3u) == 3u ? FP_INST_LOGGING_OFF : 0) |
                     (((f >> 4) & 3u) == 3u ? FP_INST_CIRCULAR : 0);
            break;
        }
        case FP_ONEINST:
            s->var = rd_bind(&r);
            break;
        case FP_LOGS:
            rd_inst(&r, s);
            break;
        case FP_FAULT:
            s->point = rd_u8(&r) % FP_N_POINTS;
            s->arg = rd_u8(&r) % 8u;
            break;
        }
    }
    *out = p;
    return FUZZPROG_OK;
}

void fuzzprog_free(struct fuzzprog *p)
{
    free(p);
}

size_t fuzzprog_count(const struct fuzzprog *p)
{
    return p ? p->n : 0;
}

const char *fuzzprog_finding(const struct fuzzprog *p)
{
    return p && p->finding_step >= 0 ? p->finding : "";
}

/* ---------------------------------------------------------------------------
 * Encoding (scn2fuzz): the decoder's inverse for what a .scn case can say.
 * ------------------------------------------------------------------------- */

struct fp_wr {
    uint8_t *buf;
    size_t n, cap;
    bool oom;
    unsigned declared;
    int var_of[SCN_MAX_VARS];  /* scn var -> program name, -1 unmapped */
    bool is_hf[SCN_MAX_VARS];  /* scn var bound by OpenFile */
    const char *db_of[FP_N_DBNAMES];
    unsigned n_db;
};

static void wr_u8(struct fp_wr *w, uint8_t b)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 256;
        uint8_t *nb = realloc(w->buf, cap);
        if (nb == NULL) {
            w->oom = true;
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    w->buf[w->n++] = b;
}

static void wr_le(struct fp_wr *w, uint64_t v, int bytes)
{
    for (int k = 0; k < bytes; k++)
        wr_u8(w, (uint8_t)(v >> (8 * k)));
}

static void wr_inst(struct fp_wr *w, const struct scn_ref *r)
{
    switch (r->kind) {
    case SCN_REF_VAR:
        if (r->var >= 0 && r->var < SCN_MAX_VARS && w->var_of[r->var] >= 0 && !w->is_hf[r->var])
            wr_u8(w, (uint8_t)w->var_of[r->var]);
        else
            wr_u8(w, 0xF0);
        break;
    case SCN_REF_INT:
        if (r->value == 0) {
            wr_u8(w, 0xF0);
        } else {
            wr_u8(w, 0xF7);
            wr_le(w, r->value, 8);
        }
        break;
    case SCN_REF_NIL:
        wr_u8(w, 0xF1);
        break;
    case SCN_REF_NEVER:
        wr_u8(w, 0xF2);
        break;
    default:
        wr_u8(w, 0xF0);
        break;
    }
}

/* Bind scn var `var` (an instance name) and write its BIND byte. */
static void wr_bind(struct fp_wr *w, int var)
{
    if (var >= 0 && var < SCN_MAX_VARS && w->var_of[var] >= 0) {
        wr_u8(w, (uint8_t)(w->var_of[var] << 2));
        return;
    }
    if (w->declared < FUZZPROG_MAX_VARS) {
        if (var >= 0 && var < SCN_MAX_VARS)
            w->var_of[var] = (int)w->declared;
        w->declared++;
        wr_u8(w, 1);
        return;
    }
    wr_u8(w, 0); /* out of names: reuse i0 */
    if (var >= 0 && var < SCN_MAX_VARS)
        w->var_of[var] = 0;
}

static void wr_grbit(struct fp_wr *w, JET_GRBIT g, const JET_GRBIT *table)
{
    for (uint8_t k = 0; k < 16; k++) {
        if (table[k] == g) {
            wr_u8(w, k);
            return;
        }
    }
    wr_u8(w, 0xF0);
    wr_le(w, g, 4);
}

static void wr_cb(struct fp_wr *w, const struct scn_size *s, uint32_t page_size)
{
    uint64_t v = s->value;
    if (s->pages && v <= 24) {
        wr_u8(w, (uint8_t)v);
        return;
    }
    if (s->pages)
        v *= page_size;
    for (uint8_t k = 0; k < 16; k++) {
        if (fp_cb_bytes[k] == v) {
            wr_u8(w, (uint8_t)(0x80 + k));
            return;
        }
    }
    if (v <= 0xFFFF) {
        wr_u8(w, 0xF0);
        wr_le(w, v, 2);
    } else {
        wr_u8(w, 0xFF);
        wr_le(w, v > UINT32_MAX ? UINT32_MAX : v, 4);
    }
}

static void wr_flags(struct fp_wr *w, uint32_t flags)
{
    uint8_t b = 0;
    if (flags & MODEL_CALL_BUF_NULL)
        b |= 1;
    if (flags & MODEL_CALL_PCB_NULL)
        b |= 2;
    if (flags & MODEL_CALL_BUF_MISALIGNED)
        b |= 4;
    wr_u8(w, b ? (uint8_t)(0xF0 | b) : 0);
}

static uint8_t wr_dbname(struct fp_wr *w, const char *name)
{
    for (unsigned k = 0; k < w->n_db; k++)
        if (name && strcmp(w->db_of[k], name) == 0)
            return (uint8_t)k;
    if (w->n_db < FP_N_DBNAMES && name) {
        w->db_of[w->n_db] = name;
        return (uint8_t)w->n_db++;
    }
    return 0;
}

static void wr_file(struct fp_wr *w, const struct scn_file *f)
{
    switch (f->kind) {
    case SCN_FILE_DB:
        wr_u8(w, (uint8_t)(wr_dbname(w, f->text) << 4));
        break;
    case SCN_FILE_LOG:
        wr_u8(w, 7);
        wr_u8(w, (uint8_t)(f->gen > 255 ? 255 : f->gen));
        break;
    case SCN_FILE_NULL:
        wr_u8(w, 13);
        break;
    case SCN_FILE_STRING: {
        size_t len = f->text ? strlen(f->text) : 0;
        if (len == 0) {
            wr_u8(w, 12);
            break;
        }
        if (len > FP_MAX_STR - 2)
            len = FP_MAX_STR - 2;
        wr_u8(w, 14);
        wr_u8(w, (uint8_t)len);
        for (size_t k = 0; k < len; k++)
            wr_u8(w, (uint8_t)f->text[k]);
        break;
    }
    default:
        wr_u8(w, 12);
        break;
    }
}

/* The opcode byte of (kind, op). */
static void wr_code(struct fp_wr *w, enum fp_kind kind, enum model_op op)
{
    unsigned at = 0;
    for (size_t i = 0; i < FP_N_CODES; i++) {
        if (fp_codes[i].kind == kind && (kind != FP_API && kind != FP_FIXTURE ? 1 : fp_codes[i].op == op)) {
            wr_u8(w, (uint8_t)at);
            return;
        }
        at += fp_codes[i].weight;
    }
}

static uint8_t fp_size_index(uint64_t v)
{
    for (uint8_t k = 0; k < 4; k++)
        if (fp_sizes[k] == v)
            return k;
    return 0;
}

int fuzzprog_encode_case(enum fuzzprog_kind kind, const struct scn_case *c, uint8_t **out,
                         size_t *n)
{
    struct fp_wr w = {0};
    uint32_t page_size = 1024;
    /* Unless the case sets them: 1 KiB pages and logs. Sizes the case gives in
     * pages (`16p`) keep their meaning; the worlds cost a quarter to build. */
    uint8_t h0 = 0;

    if (c == NULL || out == NULL || n == NULL ||
        (kind != FUZZPROG_CALLS && kind != FUZZPROG_FAULTS))
        return FUZZPROG_EINVAL;
    for (int i = 0; i < SCN_MAX_VARS; i++)
        w.var_of[i] = -1;
    if (c->profile_mask == (1u << MODEL_PROFILE_ESENT))
        h0 |= 1;
    for (int i = 0; i < c->n_steps; i++) {
        const struct scn_step *st = &c->steps[i];
        uint64_t v = st->cb.pages ? st->cb.value * 4096u : st->cb.value;
        if (st->kind == SCN_STEP_PAGE_SIZE) {
            h0 = (uint8_t)((h0 & ~0x0Cu) | (unsigned)fp_size_index(v) << 2);
            page_size = fp_sizes[fp_size_index(v)];
        } else if (st->kind == SCN_STEP_LOG_SIZE) {
            h0 = (uint8_t)((h0 & ~0x30u) | (unsigned)fp_size_index(v) << 4);
        }
    }
    wr_u8(&w, h0);
    wr_u8(&w, FUZZPROG_MAX_INSTANCES); /* no world instances: the case's own steps set up */

    for (int i = 0; i < c->n_steps; i++) {
        const struct scn_step *st = &c->steps[i];
        switch (st->kind) {
        case SCN_STEP_INSTANCE:
            wr_code(&w, FP_INSTANCE, 0);
            wr_bind(&w, st->bind);
            wr_u8(&w, (uint8_t)(((st->step_flags & SCN_STEP_INIT_NO) ? 3u : 0u) |
                                ((st->step_flags & SCN_STEP_LOGGING_OFF) ? 3u << 2 : 0u) |
                                ((st->step_flags & SCN_STEP_CIRCULAR) ? 3u << 4 : 0u)));
            break;
        case SCN_STEP_ONEINST:
            wr_code(&w, FP_ONEINST, 0);
            wr_bind(&w, st->bind);
            break;
        case SCN_STEP_LOGS_ON_DISK:
            wr_code(&w, FP_LOGS, 0);
            wr_inst(&w, &st->inst);
            break;
        case SCN_STEP_FAULT: {
            uint8_t k;
            if (kind != FUZZPROG_FAULTS)
                break;
            for (k = 0; k < FP_N_POINTS; k++)
                if (st->text && strcmp(st->text, fuzzprog__points[k].name) == 0)
                    break;
            if (k == FP_N_POINTS)
                break;
            wr_code(&w, FP_FAULT, 0);
            wr_u8(&w, k);
            wr_u8(&w, (uint8_t)(st->arg % 8u));
            break;
        }
        case SCN_STEP_API: {
            enum model_op op = st->op;
            if (model_op_is_fixture(op)) {
                if (op == MODEL_OP_FX_CONFIGURE)
                    break;
                wr_code(&w, FP_FIXTURE, op);
                wr_inst(&w, &st->inst);
                if (op == MODEL_OP_FX_CREATE_DB) {
                    wr_u8(&w, wr_dbname(&w, st->file.text));
                    wr_u8(&w, (uint8_t)((st->arg ? st->arg - 1u : 0u) % 16u));
                } else if (op == MODEL_OP_FX_DETACH_DB) {
                    wr_u8(&w, wr_dbname(&w, st->file.text));
                } else if (op == MODEL_OP_FX_FORCE_STATE) {
                    wr_u8(&w, (uint8_t)(st->arg ? st->arg - 1u : 0u));
                } else {
                    wr_u8(&w, (uint8_t)(st->arg % 17u));
                }
                break;
            }
            wr_code(&w, FP_API, op);
            if (op == MODEL_OP_CREATE_INSTANCE) {
                wr_bind(&w, st->bind);
                break;
            }
            if (!model_op_is_legacy(op))
                wr_inst(&w, &st->inst);
            switch (op) {
            case MODEL_OP_TERM2:
                wr_grbit(&w, st->grbit, fp_term_bits);
                break;
            case MODEL_OP_BEGIN:
            case MODEL_OP_BEGIN_LEGACY:
                wr_grbit(&w, st->grbit, fp_begin_bits);
                break;
            case MODEL_OP_END2:
                wr_grbit(&w, st->grbit, fp_end_bits);
                break;
            case MODEL_OP_OPEN_FILE:
            case MODEL_OP_OPEN_FILE_LEGACY:
                wr_file(&w, &st->file);
                if (st->bind >= 0 && st->bind < SCN_MAX_VARS)
                    w.is_hf[st->bind] = true;
                break;
            case MODEL_OP_READ_FILE:
            case MODEL_OP_READ_FILE_LEGACY:
            case MODEL_OP_CLOSE_FILE:
            case MODEL_OP_CLOSE_FILE_LEGACY:
                if (st->hf.kind == SCN_REF_INT) {
                    wr_u8(&w, 0xF6);
                    wr_le(&w, st->hf.value, 8);
                } else {
                    wr_u8(&w, 0);
                }
                if (op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) {
                    wr_cb(&w, &st->cb, page_size);
                    wr_flags(&w, st->call_flags);
                }
                break;
            default:
                if (fp_is_list(op)) {
                    wr_cb(&w, &st->cb, page_size);
                    wr_flags(&w, st->call_flags);
                }
                break;
            }
            break;
        }
        default: /* backup-client, parallel markers, page-size, log-size */
            break;
        }
    }
    if (w.oom) {
        free(w.buf);
        return FUZZPROG_ENOMEM;
    }
    *out = w.buf;
    *n = w.n;
    return FUZZPROG_OK;
}

/* ---------------------------------------------------------------------------
 * Printing a run as a .scn case
 * ------------------------------------------------------------------------- */

static void pr_err(FILE *out, JET_ERR e)
{
    const char *name = scn_err_name(e);
    if (name)
        fprintf(out, "%s", name);
    else
        fprintf(out, "%d", (int)e);
}

static void pr_size(FILE *out, const struct fuzzprog *p, uint64_t v)
{
    if (v != 0 && v % p->page_size == 0)
        fprintf(out, "%" PRIu64 "p", v / p->page_size);
    else
        fprintf(out, "%" PRIu64, v);
}

/* The instance argument as the .scn text names it. `bound` says which names a
 * printed step has bound so far. */
static void pr_inst(FILE *out, const struct fp_step *s, const bool *bound)
{
    switch (s->ref) {
    case FP_REF_VAR:
        if (bound[s->var])
            fprintf(out, " i%u", s->var);
        else
            fputs(" 0", out);
        break;
    case FP_REF_ZERO: fputs(" 0", out); break;
    case FP_REF_NIL: fputs(" nil", out); break;
    case FP_REF_NEVER: fputs(" never", out); break;
    case FP_REF_LIT: fprintf(out, " 0x%" PRIx64, s->lit); break;
    default: break;
    }
}

/* Comment lines: every line of `text` prefixed with `prefix`. */
static void pr_comment(FILE *out, const char *prefix, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        fprintf(out, "%s%.*s\n", prefix, (int)len, text);
        text += len + (nl != NULL);
    }
}

static void pr_api(FILE *out, const struct fuzzprog *p, const struct fp_step *s,
                   const struct fp_rec *rc, const bool *bound, bool hf_bound)
{
    enum model_op op = (enum model_op)s->op;
    fprintf(out, "  %s", model_op_name(op));
    if (op == MODEL_OP_CREATE_INSTANCE)
        fprintf(out, " i%u", s->var);
    else
        pr_inst(out, s, bound);
    if (op == MODEL_OP_OPEN_FILE || op == MODEL_OP_OPEN_FILE_LEGACY) {
        switch (s->file) {
        case FP_FILE_DB: fprintf(out, " db:%s", fuzzprog__dbnames[s->db]); break;
        case FP_FILE_LOG: fprintf(out, " log:%" PRIu32, s->gen); break;
        case FP_FILE_STR: fprintf(out, " \"%s\"", s->str); break;
        default: fputs(" null", out); break;
        }
        fputs(" h", out);
    }
    if (op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY || op == MODEL_OP_CLOSE_FILE ||
        op == MODEL_OP_CLOSE_FILE_LEGACY) {
        if (s->hf_ref == FP_HF_VAR)
            fputs(hf_bound ? " h" : " 0", out);
        else
            fprintf(out, " %" PRIu64, s->hf_lit);
    }
    if (op == MODEL_OP_TERM2 || op == MODEL_OP_BEGIN || op == MODEL_OP_BEGIN_LEGACY || op == MODEL_OP_END2)
        fprintf(out, " 0x%" PRIx32, (uint32_t)s->grbit);
    if (fp_is_list(op) || op == MODEL_OP_READ_FILE || op == MODEL_OP_READ_FILE_LEGACY) {
        fputc(' ', out);
        if (s->cb_pages)
            fprintf(out, "%" PRIu32 "p", s->cb);
        else
            fprintf(out, "%" PRIu32, s->cb);
        if (s->flags & MODEL_CALL_BUF_NULL)
            fputs(" buf=null", out);
        else if (s->flags & MODEL_CALL_BUF_MISALIGNED)
            fputs(" buf=misaligned", out);
        if (s->flags & MODEL_CALL_PCB_NULL)
            fputs(" pcb=null", out);
    }
    fputs(" -> ", out);
    pr_err(out, rc->has_req ? rc->req : rc->merr);
    if (!rc->has_req && rc->merr == JET_errSuccess) {
        if (rc->checks & FP_CHECK_SIZE) {
            fputs(" size=", out);
            pr_size(out, p, rc->size);
        }
        if (rc->checks & FP_CHECK_ACTUAL) {
            fputs(" actual=", out);
            pr_size(out, p, rc->actual);
        }
        if (rc->checks & FP_CHECK_GENS)
            fprintf(out, " genlow=%" PRIu32 " genhigh=%" PRIu32, rc->genlow, rc->genhigh);
    }
    fputc('\n', out);
}

static void pr_fixture(FILE *out, const struct fp_step *s, const struct fp_rec *rc, const bool *bound)
{
    static const char *const states[BACKSTOP_STATE__COUNT] = {
        [BACKSTOP_STATE_UNAVAILABLE] = "unavailable",
        [BACKSTOP_STATE_UNAVAILABLE_LOG_FULL] = "unavailable-log-full",
        [BACKSTOP_STATE_RESTORING] = "restoring",
        [BACKSTOP_STATE_INITIALISING] = "initialising",
        [BACKSTOP_STATE_TERMINATING] = "terminating",
        [BACKSTOP_STATE_LOG_WRITE_FAIL] = "log-write-fail",
        [BACKSTOP_STATE_LOG_DISK_FULL] = "log-disk-full",
        [BACKSTOP_STATE_LOG_SEQUENCE_END] = "log-sequence-end",
        [BACKSTOP_STATE_NO_LOG] = "no-log",
    };
    fprintf(out, "  %s", model_op_name((enum model_op)s->op));
    pr_inst(out, s, bound);
    switch ((enum model_op)s->op) {
    case MODEL_OP_FX_CREATE_DB:
        fprintf(out, " %s pages=%" PRIu32, fuzzprog__dbnames[s->db], s->arg);
        break;
    case MODEL_OP_FX_DETACH_DB:
        fprintf(out, " %s", fuzzprog__dbnames[s->db]);
        break;
    case MODEL_OP_FX_FORCE_STATE:
        fprintf(out, " %s", s->arg < BACKSTOP_STATE__COUNT && states[s->arg] ? states[s->arg] : "?");
        break;
    default:
        fprintf(out, " %" PRIu32, s->arg);
        break;
    }
    if (rc->merr != JET_errSuccess) {
        fputs(" -> ", out);
        pr_err(out, rc->merr);
    }
    fputc('\n', out);
}

static void pr_instance(FILE *out, const struct fp_step *s, const struct fp_rec *rc)
{
    const char *init_no = (s->arg & FP_INST_INIT_NO) ? " init=no" : "";
    const char *logging = (s->arg & FP_INST_LOGGING_OFF) ? " logging=off" : "";
    const char *circular = (s->arg & FP_INST_CIRCULAR) ? " circular=on" : "";
    if (rc->n_sub >= 1 && rc->sub[0] != JET_errSuccess) {
        /* `instance` expects success: write the failing call itself. */
        fprintf(out, "  JetCreateInstance i%u -> ", s->var);
        pr_err(out, rc->sub[0]);
        fputc('\n', out);
        return;
    }
    bool init_failed = !(s->arg & FP_INST_INIT_NO) && rc->n_sub == 3 && rc->sub[2] != JET_errSuccess;
    fprintf(out, "  instance i%u%s%s%s\n", s->var, init_failed ? " init=no" : init_no, logging, circular);
    if (init_failed) {
        fprintf(out, "  JetInit i%u -> ", s->var);
        pr_err(out, rc->sub[2]);
        fputc('\n', out);
    }
}

int fuzzprog_print_scn(const struct fuzzprog *p, const char *name, FILE *out)
{
    bool bound[FUZZPROG_MAX_VARS] = {false}, hf_bound = false;
    char defname[64];
    uint8_t rules[24];
    size_t n_rules = 0, last;
    const char *profile;

    if (p == NULL || out == NULL)
        return -1;
    profile = model_profile_name(p->profile);
    if (name == NULL) {
        snprintf(defname, sizeof defname, "fuzz.%s_%016" PRIx64,
                 p->kind == FUZZPROG_FAULTS ? "faults" : "calls", p->hash);
        name = defname;
    }
    last = p->finding_step >= 0 ? (size_t)p->finding_step : (p->n ? p->n - 1 : 0);
    for (size_t i = 0; p->ran && i < p->n && i <= last; i++) {
        const struct fp_rec *rc = &p->rec[i];
        for (uint8_t k = 0; rc->done && k < rc->n_rules; k++) {
            bool seen = false;
            for (size_t j = 0; j < n_rules; j++)
                seen |= rules[j] == rc->rules[k];
            if (!seen && n_rules < sizeof rules)
                rules[n_rules++] = rc->rules[k];
        }
    }

    fprintf(out, "# A %s input of %zu bytes (FNV-1a %016" PRIx64 "), decoded by backstop fuzz2scn.\n",
            fuzzprog_kind_name(p->kind), p->input_size, p->hash);
    fprintf(out, "# Expectations are the reference model's results under profile %s.\n", profile);
    fprintf(out, "# Reproduce: backstop run --target engine --profile %s FILE.scn\n", profile);
    if (p->finding_step >= 0) {
        fprintf(out, "# FINDING at step %ld:\n", p->finding_step);
        pr_comment(out, "#   ", p->finding);
    }
    fprintf(out, "case %s\n", name);
    fprintf(out, "  intent  Replays a %s program%s.\n", fuzzprog_kind_name(p->kind),
            p->finding_step >= 0 ? " that found a disagreement (see the FINDING comments)"
                                 : " (no finding when it was decoded)");
    fputs("  rules  ", out);
    if (n_rules == 0)
        fputs(" R1", out);
    for (size_t j = 0; j < n_rules; j++)
        fprintf(out, " %s", model_rule_name(rules[j]));
    fputc('\n', out);
    fprintf(out, "  profile %s\n", profile);
    if (p->page_size != 4096)
        fprintf(out, "  page-size %" PRIu32 "\n", p->page_size);
    if (p->log_size != 65536)
        fprintf(out, "  log-size %" PRIu32 "\n", p->log_size);

    for (size_t i = 0; p->ran && i < p->n && i <= last; i++) {
        const struct fp_step *s = &p->steps[i];
        const struct fp_rec *rc = &p->rec[i];
        if ((long)i == p->finding_step)
            pr_comment(out, "  # FINDING: ", p->finding);
        if (!rc->done)
            continue;
        switch (s->kind) {
        case FP_API:
            pr_api(out, p, s, rc, bound, hf_bound);
            if (s->op == MODEL_OP_CREATE_INSTANCE)
                bound[s->var] = true;
            if (s->op == MODEL_OP_OPEN_FILE || s->op == MODEL_OP_OPEN_FILE_LEGACY)
                hf_bound = true;
            break;
        case FP_FIXTURE:
            pr_fixture(out, s, rc, bound);
            break;
        case FP_INSTANCE:
            pr_instance(out, s, rc);
            bound[s->var] = true;
            break;
        case FP_ONEINST:
            fprintf(out, "  oneinst i%u\n", s->var);
            bound[s->var] = true;
            break;
        case FP_LOGS:
            fputs("  logs-on-disk", out);
            pr_inst(out, s, bound);
            fprintf(out, " low=%" PRIu32 " high=%" PRIu32 "\n", rc->low, rc->high);
            break;
        case FP_FAULT:
            if (!fuzzprog__points[s->point].scn)
                fprintf(out, "  # fault %s nth=%" PRIu32 " (engine-only point: not expressible in .scn)\n",
                        fuzzprog__points[s->point].name, s->arg);
            else
                fprintf(out, "  fault %s nth=%" PRIu32 "\n", fuzzprog__points[s->point].name, s->arg);
            break;
        }
    }
    fputs("end\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------------------
 * fuzz_scenario: parse -> print -> parse -> print
 * ------------------------------------------------------------------------- */

/* Print every case of `suite` into one malloc'ed text. */
static char *fp_print_suite(const struct scn_suite *suite, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; i < scn_suite_count(suite); i++)
        scn_print_case(scn_suite_case(suite, i), f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fp_why(char *why, size_t cb, int rv, const char *fmt, ...)
{
    va_list ap;
    if (why && cb) {
        va_start(ap, fmt);
        vsnprintf(why, cb, fmt, ap);
        va_end(ap);
    }
    return rv;
}

int fuzzprog_scn_roundtrip(const uint8_t *data, size_t size, char *why, size_t cb_why)
{
    struct scn_suite *s1 = NULL, *s2 = NULL;
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    int rv = FUZZPROG_OK;

    if (why && cb_why)
        why[0] = '\0';
    scn_parse_buffer("fuzz.scn", (const char *)data, size, NULL, &s1);
    if (s1 == NULL || scn_suite_count(s1) == 0)
        goto done;
    t1 = fp_print_suite(s1, &n1);
    if (t1 == NULL) {
        rv = FUZZPROG_ENOMEM;
        goto done;
    }
    if (scn_parse_buffer("printed.scn", t1, n1, NULL, &s2) != SCN_OK || s2 == NULL) {
        rv = fp_why(why, cb_why, FUZZPROG_FINDING,
                    "the printed form of the accepted cases does not parse:\n%s", t1);
        goto done;
    }
    if (scn_suite_count(s2) != scn_suite_count(s1)) {
        rv = fp_why(why, cb_why, FUZZPROG_FINDING, "%zu cases printed, %zu parsed back:\n%s",
                    scn_suite_count(s1), scn_suite_count(s2), t1);
        goto done;
    }
    t2 = fp_print_suite(s2, &n2);
    if (t2 == NULL) {
        rv = FUZZPROG_ENOMEM;
        goto done;
    }
    if (n1 != n2 || memcmp(t1, t2, n1) != 0)
        rv = fp_why(why, cb_why, FUZZPROG_FINDING,
                    "parse -> print -> parse -> print changed the text:\n--- first\n%s--- second\n%s", t1, t2);
done:
    free(t1);
    free(t2);
    scn_suite_free(s1);
    scn_suite_free(s2);
    return rv;
}
