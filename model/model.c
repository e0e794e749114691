/*
 * model.c: the pure sequential reference model of ESE's streaming-backup state
 * machine (spec ../shared/spec/ese-backup-spec.md, cited below as §n and Rn).
 * It is the oracle the harness compares every target against: model_step()
 * applies one call to a world and says what the call returned, which
 * out-parameters it defined, and which spec rules decided that.
 *
 * It is not an engine: files are abstract (a database is a name and a page
 * count, a log is a generation number), nothing is read or written, and the
 * model never allocates, sleeps or keeps globals. A world is one flat,
 * pointer-free block whose padding is zeroed once by model_world_init() and never
 * touched again (no struct assignment anywhere), so world equality is memcmp().
 *
 * Not for concurrency: the harness linearises calls (§6.3) and asks
 * model_overlap_defined() which overlaps it may generate (R50-R55).
 *
 * Choices the spec leaves open are marked "Model choice" where they are made;
 * the profile "documented" (§7) is described in the block before
 * model__doc_cancels().
 */
#include "model.h"

#include <assert.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Limits and encodings private to the model.
 * ------------------------------------------------------------------------- */

/* Instance handles are 0x10000 + 0x100 * serial + table slot. The serial grows
 * forever, so a handle is never reused (no ABA, §2.3), and the slot in the low
 * byte makes the lookup O(1). */
#define MODEL__HANDLE_BASE ((uint64_t)0x10000u)
#define MODEL__MAX_SERIAL (((uint64_t)UINTPTR_MAX - MODEL__HANDLE_BASE) >> 8)

/* Log generations the fixture may delete while they lie above the lowest one on
 * disk (deleting the lowest one just raises it). One more gives -1011. */
#define MODEL__MAX_DELETED 8
/* Detached database files an instance remembers. One more detach gives -1011
 * (a model limit, model.h). */
#define MODEL__MAX_DETACHED MODEL_MAX_DATABASES
/* Model choice: the highest log generation. Rolling past it is "log sequence
 * end" (-519), in Begin's log-state check (§4.1 step 10) and in the log
 * preparation of GetLogInfo (§4.6 step 5, returned without cancelling). It
 * also keeps every generation sum of R47 inside 64 bits. */
#define MODEL__GEN_MAX 0x7FFFFFF0u

/* "edbXXXXXXXX.log" plus its NUL: the model's name of one log in a list. */
#define MODEL__LOG_NAME_BYTES 16u

/* Bits of model__db.full_done: a normal end of a full backup of this kind
 * happened while the database was attached (§4.1 step 15, §4.9.2 d). */
#define MODEL__FULL_LOCAL 0x1u
#define MODEL__FULL_SURROGATE 0x2u

#define MODEL__FORCED(s) ((uint16_t)(1u << (s)))
#define MODEL__FORCED_UNAVAILABLE \
    (MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE) | MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE_LOG_FULL))
#define MODEL__FORCED_LOCKED                                                               \
    (MODEL__FORCED(BACKSTOP_STATE_TERMINATING) | MODEL__FORCED(BACKSTOP_STATE_RESTORING) | \
     MODEL__FORCED(BACKSTOP_STATE_INITIALISING))
#define MODEL__FORCED_GATE (MODEL__FORCED_UNAVAILABLE | MODEL__FORCED_LOCKED)

/* Grbits by value (jet.h's constants are not constant expressions in C). */
#define MODEL__BK_INCREMENTAL 0x1u
#define MODEL__BK_SURROGATE 0x20u
#define MODEL__BK_INTERNAL_COPY 0x40u
#define MODEL__END_NORMAL 0x1u
#define MODEL__END_ABORT 0x2u
#define MODEL__END_NO_DB_HEADER_UPDATE 0x200u
#define MODEL__TERM_ABRUPT 0x2u
#define MODEL__TERM_STOP_BACKUP 0x4u
#define MODEL__TERM_DIRTY 0x8u

/* ---------------------------------------------------------------------------
 * The world. Every struct is laid out without implicit padding (checked
 * below), all fields are fixed-width, and free entries are all-zero.
 * ------------------------------------------------------------------------- */

/* One attached database (§9: name -> pgnoLast). A free entry is all zero. */
struct model__db {
    char name[MODEL_MAX_NAME]; /* NUL-padded */
    uint32_t pages;            /* pgnoLast; 0 marks a free entry */
    uint8_t name_len;
    uint8_t full_done; /* MODEL__FULL_* */
    uint8_t in_session; /* §3.3: takes part in the backup in progress */
    uint8_t pad_;
};

/* One table slot: an instance's lifecycle, its backup context (§3) and its
 * abstract files. A free slot is all zero (handle 0). */
struct model__inst {
    uint64_t handle;
    uint64_t name_hash;         /* model__name_hash() of the instance name; 0: unnamed */
    uint64_t slot_ib, slot_cb;  /* §3.2 read position and streamed size */
    uint64_t gen_copy_done;     /* §3.1; 64 bits so the R47 sums never wrap */
    uint32_t log_low;           /* lowest generation on disk (never a deleted one) */
    uint32_t log_current;       /* the generation being written */
    uint32_t checkpoint;
    uint32_t copy_mic, copy_mac, delete_mic, delete_mac;
    uint32_t slot_lgen;
    uint32_t deleted[MODEL__MAX_DELETED]; /* deleted gens in (log_low, log_current] */
    uint16_t forced;                      /* MODEL__FORCED(enum backstop_state) bits */
    uint8_t life;                         /* enum model_life; 0 for a free slot */
    uint8_t backup_allowed, service_stopped, logging_disabled, circular, n_deleted;
    uint8_t in_progress_any, in_progress_local, stop, phase, full, internal_copy;
    uint8_t logs_truncated, began_new_log;
    uint8_t slot_in_use, slot_is_db, slot_is_log, slot_db, slots_ever_used, n_databases;
    uint8_t n_detached; /* entries in use in detached[] */
    uint8_t gate_shut;  /* stage G fails (model__gate_update): service stopped, a
                           forced gate state, or not running */
    uint16_t db_tag[MODEL_MAX_DATABASES]; /* model__name_tag of each entry of db[],
                                             kept by model__db_tag_update */
    struct model__db db[MODEL_MAX_DATABASES];
    /* Files a detach left on disk (§4.3 step 9 opens them as plain files in
     * phase LogsAndPatches): name, name_len and pages only; pages 0 marks a
     * free entry. */
    struct model__db detached[MODEL__MAX_DETACHED];
};

struct model_world {
    uint64_t next_serial;
    uint32_t profile, page_size, os_page, log_size;
    uint32_t mode; /* enum model_mode */
    uint32_t page_mask;  /* page_size - 1 if it is a power of 2, else UINT32_MAX: a
                            read size is a page multiple iff (size & page_mask) == 0,
                            or needs the division */
    struct model__inst inst[MODEL_MAX_INSTANCES];
};

_Static_assert(sizeof(struct model__db) == MODEL_MAX_NAME + 8, "model__db has padding");
_Static_assert(sizeof(struct model__inst) ==
                   5 * 8 + (8 + MODEL__MAX_DELETED) * 4 + 2 + 22 + 2 * MODEL_MAX_DATABASES +
                       (MODEL_MAX_DATABASES + MODEL__MAX_DETACHED) * sizeof(struct model__db),
               "model__inst has padding");
_Static_assert(sizeof(struct model_world) == 32 + MODEL_MAX_INSTANCES * sizeof(struct model__inst),
               "model_world has padding");
_Static_assert(MODEL_MAX_INSTANCES <= 0x100, "the slot must fit the handle's low byte");
_Static_assert((MODEL_MAX_INSTANCES & (MODEL_MAX_INSTANCES - 1)) == 0,
               "model__live_index masks with MODEL_MAX_INSTANCES - 1");
_Static_assert(MODEL_MAX_NAME <= 0x100, "name_len is 8 bits");

/* ---------------------------------------------------------------------------
 * Names and small tables.
 * ------------------------------------------------------------------------- */

#define MODEL__OP_NAME(id, name) name,
static const char *const model__op_names[MODEL_OP__COUNT] = {MODEL_OPS(MODEL__OP_NAME)};
#undef MODEL__OP_NAME

static const char *const model__profile_names[MODEL_PROFILE__COUNT] = {"ese", "esent",
                                                                       "documented"};

/* The fault names are the harness's fault-point names (jet.h). */
static const char *const model__fault_names[MODEL_FAULT__COUNT] = {
    "none", "read.eio", "read.verify", "alloc.enomem", "logroll.enospc", "open.eio"};

#define MODEL__R10(d) "R" #d "0", "R" #d "1", "R" #d "2", "R" #d "3", "R" #d "4", \
                      "R" #d "5", "R" #d "6", "R" #d "7", "R" #d "8", "R" #d "9"
static const char *const model__rule_names[56] = {
    "R?", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", MODEL__R10(1), MODEL__R10(2),
    MODEL__R10(3), MODEL__R10(4), "R50", "R51", "R52", "R53", "R54", "R55"};
#undef MODEL__R10

const char *model_op_name(enum model_op op)
{
    return (unsigned)op < MODEL_OP__COUNT ? model__op_names[op] : "?";
}

int model_op_parse(const char *name, enum model_op *out)
{
    if (name == NULL)
        return -1;
    for (unsigned i = 0; i < MODEL_OP__COUNT; i++) {
        if (strcmp(name, model__op_names[i]) == 0) {
            *out = (enum model_op)i;
            return 0;
        }
    }
    return -1;
}

bool model_op_is_legacy(enum model_op op)
{
    switch (op) {
    case MODEL_OP_STOP_SERVICE:
    case MODEL_OP_STOP_BACKUP:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_CLOSE_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
    case MODEL_OP_END_LEGACY:
        return true;
    default:
        return false;
    }
}

bool model_op_is_fixture(enum model_op op)
{
    return op >= MODEL_OP_FX_CONFIGURE && op < MODEL_OP__COUNT;
}

/* The instance variant a legacy call forwards to in OneInst mode (§2.5). */
static enum model_op model__instance_variant(enum model_op op)
{
    switch (op) {
    case MODEL_OP_STOP_SERVICE: return MODEL_OP_STOP_SERVICE_INSTANCE;
    case MODEL_OP_STOP_BACKUP: return MODEL_OP_STOP_BACKUP_INSTANCE;
    case MODEL_OP_BEGIN_LEGACY: return MODEL_OP_BEGIN;
    case MODEL_OP_GET_ATTACH_INFO_LEGACY: return MODEL_OP_GET_ATTACH_INFO;
    case MODEL_OP_OPEN_FILE_LEGACY: return MODEL_OP_OPEN_FILE;
    case MODEL_OP_READ_FILE_LEGACY: return MODEL_OP_READ_FILE;
    case MODEL_OP_CLOSE_FILE_LEGACY: return MODEL_OP_CLOSE_FILE;
    case MODEL_OP_GET_LOG_INFO_LEGACY: return MODEL_OP_GET_LOG_INFO;
    case MODEL_OP_TRUNCATE_LOG_LEGACY: return MODEL_OP_TRUNCATE_LOG;
    case MODEL_OP_END_LEGACY: return MODEL_OP_END;
    default: return op;
    }
}

const char *model_profile_name(enum model_profile p)
{
    return (unsigned)p < MODEL_PROFILE__COUNT ? model__profile_names[p] : "?";
}

int model_profile_parse(const char *name, enum model_profile *out)
{
    if (name == NULL)
        return -1;
    for (unsigned i = 0; i < MODEL_PROFILE__COUNT; i++) {
        if (strcmp(name, model__profile_names[i]) == 0) {
            *out = (enum model_profile)i;
            return 0;
        }
    }
    return -1;
}

const char *model_fault_name(enum model_fault f)
{
    return (unsigned)f < MODEL_FAULT__COUNT ? model__fault_names[f] : "?";
}

const char *model_rule_name(unsigned n)
{
    return (n >= 1 && n <= 55) ? model__rule_names[n] : "R?";
}

/* ---------------------------------------------------------------------------
 * World management.
 * ------------------------------------------------------------------------- */

size_t model_world_size(void)
{
    return sizeof(struct model_world);
}

void model_world_init(struct model_world *w, const struct model_config *cfg)
{
    memset(w, 0, sizeof *w);
    w->next_serial = 1;
    w->mode = MODEL_MODE_NOSET;
    w->profile = MODEL_PROFILE_ESE;
    w->page_size = 4096;
    w->os_page = 4096;
    w->log_size = 65536;
    if (cfg != NULL) {
        if ((unsigned)cfg->profile < MODEL_PROFILE__COUNT)
            w->profile = (uint32_t)cfg->profile;
        if (cfg->page_size != 0)
            w->page_size = cfg->page_size;
        if (cfg->os_page != 0)
            w->os_page = cfg->os_page;
        if (cfg->log_size != 0)
            w->log_size = cfg->log_size;
    }
    w->page_mask = (w->page_size & (w->page_size - 1u)) == 0 ? w->page_size - 1u : UINT32_MAX;
}

void model_world_copy(struct model_world *dst, const struct model_world *src)
{
    memcpy(dst, src, sizeof *dst);
}

bool model_world_equal(const struct model_world *a, const struct model_world *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* A 64-bit mix over whole words (the structs are multiples of 8 bytes). */
static uint64_t model__hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0x9E3779B97F4A7C15u ^ (uint64_t)n;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, b + i, 8);
        h ^= v;
        h *= 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53u;
    h ^= h >> 32;
    return h;
}

uint64_t model_fingerprint(const struct model_world *w)
{
    return model__hash(w, sizeof *w);
}

/* ---------------------------------------------------------------------------
 * Small helpers.
 * ------------------------------------------------------------------------- */

/* The per-operation bodies stay out of line so that model_step() is a small
 * dispatcher with a cheap frame; a hint only, for speed (the bench's goal). */
#if defined(__GNUC__)
#define MODEL__NOINLINE __attribute__((noinline))
#define MODEL__ALWAYS_INLINE __attribute__((always_inline))
#else
#define MODEL__NOINLINE
#define MODEL__ALWAYS_INLINE
#endif

static inline void model__rule(struct model_result *r, unsigned n)
{
    if (r->n_rules < MODEL_MAX_RULES)
        r->rules[r->n_rules++] = (uint8_t)n;
}

/* The first rule of a result: for the paths of an operation's body that
 * record nothing before it (a body starts with no rules: model__enter records
 * rules only when it fails). */
static inline void model__rule_first(struct model_result *r, unsigned n)
{
    assert(r->n_rules == 0); /* checked in the Debug (sanitizer) builds */
    r->n_rules = 1;
    r->rules[0] = (uint8_t)n;
}

/* The table slot of a live handle, or -1. */
static inline int model__live_index(const struct model_world *w, JET_INSTANCE h)
{
    /* A live handle's low byte is its slot, below MODEL_MAX_INSTANCES (a power
     * of 2): masking with MODEL_MAX_INSTANCES - 1 reads the one slot that can
     * hold it, and no other value equals that slot's handle. A free slot's
     * handle is 0, which no live handle is. */
    uint64_t v = (uint64_t)h;
    uint64_t slot = v & (MODEL_MAX_INSTANCES - 1u);
    return (w->inst[slot].handle == v && v != 0) ? (int)slot : -1;
}

/* Stage L (§2.3): the instance a handle resolves to in the current mode, or -1
 * with *err and the deciding rule. */
static inline int model__lookup(const struct model_world *w, JET_INSTANCE h, JET_ERR *err,
                                unsigned *rule)
{
    if (w->mode == MODEL_MODE_MULTI) {
        if (h == 0 || h == JET_instanceNil) {
            *err = JET_errInvalidParameter; /* R2 */
            *rule = 2;
            return -1;
        }
        int i = model__live_index(w, h);
        if (i < 0) {
            *err = JET_errInvalidParameter; /* R3 */
            *rule = 3;
        }
        return i;
    }
    if (w->mode == MODEL_MODE_ONE) {
        /* R4: the handle value is ignored; the single instance is slot 0. */
        if (w->inst[0].handle != 0)
            return 0;
        *err = JET_errInvalidParameter;
        *rule = 4;
        return -1;
    }
    *err = JET_errInvalidParameter; /* R5: NoSet */
    *rule = 5;
    return -1;
}

/* Stages V and L (§2.3) when the handle is not a live one: the OneInst
 * fallback, or the failure with its rule. Returns the slot, or -1 with r->err
 * and rules set. */
static int model__resolve_slow(const struct model_world *w, JET_INSTANCE h,
                               struct model_result *r)
{
    /* Stage V (ESENT profile only, §0.3): 0 and nil are not checked here. */
    if (w->profile == MODEL_PROFILE_ESENT && h != 0 && h != JET_instanceNil) {
        r->err = JET_errInvalidInstance;
        model__rule(r, w->mode == MODEL_MODE_ONE ? 4 : 3); /* R3, R4 */
        return -1;
    }
    unsigned rule = 0;
    int i = model__lookup(w, h, &r->err, &rule);
    if (i < 0)
        model__rule(r, rule);
    return i;
}

/* Stages V and L (§2.3). A live handle passes V and, in either mode, resolves
 * to its own slot (in OneInst mode the only live slot is 0), so the common case
 * is a single test. */
static inline int model__resolve(const struct model_world *w, JET_INSTANCE h,
                                 struct model_result *r)
{
    int i = model__live_index(w, h);
    return i >= 0 ? i : model__resolve_slow(w, h, r);
}

/* Keep gate_shut equal to "stage G fails": call after every change of
 * service_stopped, forced or life. */
static inline void model__gate_update(struct model__inst *in)
{
    in->gate_shut = in->service_stopped || (in->forced & MODEL__FORCED_GATE) ||
                    in->life != MODEL_LIFE_RUNNING;
}

/* Stage G (§2.3, R6-R8), after the precomputed test. */
static JET_ERR model__gate_fail(const struct model__inst *in, struct model_result *r)
{
    model__rule(r, 6);
    if (in->service_stopped) {
        model__rule(r, 8);
        return JET_errClientRequestToStopJetService;
    }
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE_LOG_FULL))
        return JET_errInstanceUnavailableDueToFatalLogDiskFull;
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE))
        return JET_errInstanceUnavailable;
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_TERMINATING))
        return JET_errTermInProgress;
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_RESTORING))
        return JET_errRestoreInProgress;
    if (!(in->forced & MODEL__FORCED(BACKSTOP_STATE_INITIALISING)))
        model__rule(r, 7); /* R7: created, not initialised */
    return JET_errNotInitialized;
}

/* ASCII lower case by byte value (a table: OpenFile's name checks are hot). */
#define MODEL__L8(b) (b), (b) + 1, (b) + 2, (b) + 3, (b) + 4, (b) + 5, (b) + 6, (b) + 7
#define MODEL__L32(b) MODEL__L8(b), MODEL__L8((b) + 8), MODEL__L8((b) + 16), MODEL__L8((b) + 24)
static const unsigned char model__lower_tab[256] = {
    MODEL__L32(0x00), MODEL__L32(0x20),
    0x40, MODEL__L8(0x61), MODEL__L8(0x69), MODEL__L8(0x71), 0x79, 0x7A, /* '@', 'A'-'Z' */
    0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    MODEL__L32(0x60), MODEL__L32(0x80), MODEL__L32(0xA0), MODEL__L32(0xC0), MODEL__L32(0xE0)};
#undef MODEL__L32
#undef MODEL__L8

/* Case-insensitive equality of len bytes (file names on the engine's platform
 * compare without case). */
static bool model__name_eq(const char *s, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (model__lower_tab[(unsigned char)s[i]] != model__lower_tab[(unsigned char)name[i]])
            return false;
    }
    return true;
}

/* The file name of a path (after its last '/' or '\\'), and its length. */
static const char *model__basename(const char *path, size_t *len)
{
    size_t n = strlen(path);
    const char *base = path;
    for (const char *p = path + n; p != path; p--) {
        if (p[-1] == '/' || p[-1] == '\\') {
            base = p;
            break;
        }
    }
    *len = n - (size_t)(base - path);
    return base;
}

/* Little-endian loads, whatever the host's byte order (memcpy: no alignment). */
static inline uint64_t model__le64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Four bytes as a little-endian word (one load where the compiler sees the
 * pattern; a constant for the literal names). */
static inline uint32_t model__word(const char *p)
{
    return (uint32_t)(unsigned char)p[0] | (uint32_t)(unsigned char)p[1] << 8 |
           (uint32_t)(unsigned char)p[2] << 16 | (uint32_t)(unsigned char)p[3] << 24;
}

/* The n <= 8 bytes at p as a little-endian word, zero above them. Reads only
 * p[0..n): two overlapping 4-byte loads for 4..8 bytes, three for fewer. */
static inline uint64_t model__load_upto8(const char *p, size_t n)
{
    if (n >= 4)
        return model__word(p) | (uint64_t)model__word(p + n - 4) << (8 * (n - 4));
    if (n == 0)
        return 0;
    return (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << (8 * (n / 2)) |
           (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1));
}

/* Per byte of x (every byte below 0x80): 0x80 where lo <= byte <= hi, else 0. */
static inline uint64_t model__in_range(uint64_t x, unsigned lo, unsigned hi)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    return (x + ones * (0x80u - lo)) & ~(x + ones * (0x7Fu - hi)) & high;
}

/* ASCII lower case of 8 bytes at once, as model__lower_tab: only 'A'-'Z' change. */
static inline uint64_t model__fold8(uint64_t v)
{
    const uint64_t high = 0x8080808080808080u;
    uint64_t upper = model__in_range(v & ~high, 'A', 'Z') & ~v; /* bytes >= 0x80 stay */
    return v | upper >> 2;                                       /* 0x80 >> 2 = 0x20 */
}

/* Hex digit values by character, 0xFF for a non-digit. */
#define MODEL__X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t model__hex[256] = {
    MODEL__X16(0xFF), MODEL__X16(0xFF), MODEL__X16(0xFF),
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    MODEL__X16(0xFF),
    0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    MODEL__X16(0xFF), MODEL__X16(0xFF), MODEL__X16(0xFF), MODEL__X16(0xFF), MODEL__X16(0xFF),
    MODEL__X16(0xFF), MODEL__X16(0xFF), MODEL__X16(0xFF), MODEL__X16(0xFF)};
#undef MODEL__X16

/* The value of 8 hex digits (any case) held in a little-endian word (the first
 * digit in the low byte), or 0 if one byte is no hex digit. */
static inline uint32_t model__hex8(uint64_t v)
{
    const uint64_t high = 0x8080808080808080u;
    if (v & high)
        return 0;
    uint64_t lower = v | 0x2020202020202020u; /* digits keep their value */
    if ((model__in_range(v, '0', '9') | model__in_range(lower, 'a', 'f')) != high)
        return 0;
    /* Nibble values: '0'-'9' -> 0-9, 'a'-'f' -> 1-6 + 9. */
    uint64_t d = (lower & 0x0F0F0F0F0F0F0F0Fu) + ((lower >> 6) & 0x0101010101010101u) * 9u;
    /* Pack: byte i holds digit i, the most significant first. Each multiply
     * adds a lane shifted into the lane above it: bytes to 8-bit pairs, pairs
     * to 16-bit quads, quads to the 32-bit result (no lane overflows). */
    d = (d * (16u << 8 | 1u)) >> 8 & 0x00FF00FF00FF00FFu;
    d = (d * (256u << 16 | 1u)) >> 16 & 0x0000FFFF0000FFFFu;
    return (uint32_t)((d * (65536ull << 32 | 1u)) >> 32);
}

/* The generation of a log file name "edb<1-8 hex digits>.log" (any case) of
 * len bytes, or 0. */
static uint32_t model__parse_log_name(const char *base, size_t len)
{
    /* OR-ing 0x20 into a byte maps exactly 'E' and 'e' to 'e' (and so on for
     * each letter); '.' and the digits are compared as they are. */
    if (len < 8 || len > 15 ||
        ((model__word(base) | 0x202020u) & 0xFFFFFFu) != model__word("edb\0") ||
        (model__word(base + len - 4) | 0x20202000u) != model__word(".log"))
        return 0;
    if (len == 15) /* the usual form, 8 digits */
        return model__hex8(model__le64(base + 3));
    uint32_t gen = 0;
    for (const char *p = base + 3, *e = base + len - 4; p != e; p++) {
        unsigned digit = model__hex[(unsigned char)*p];
        if (digit > 15)
            return 0;
        gen = gen * 16u + digit;
    }
    return gen;
}

/* The entry of files[0..n) named base (len bytes, any case), or -1. */
static int model__find_file(const struct model__db *files, int n, const char *base, size_t len)
{
    if (len == 0)
        return -1; /* so a free entry (name_len 0) never matches */
    for (int i = 0; i < n; i++) {
        const struct model__db *d = &files[i];
        if (d->name_len == len && model__name_eq(base, d->name, len))
            return i;
    }
    return -1;
}

/* Case-insensitive equality of the n bytes at s and name (name: a stored,
 * NUL-padded name of MODEL_MAX_NAME bytes, n < MODEL_MAX_NAME), 8 bytes at a
 * time: equal words pass at once, others must be equal once folded. */
MODEL__NOINLINE
static bool model__name_eq_words(const char *s, const char *name, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a = model__le64(s + i), b = model__le64(name + i);
        if (a != b && model__fold8(a) != model__fold8(b))
            return false;
    }
    uint64_t a = model__load_upto8(s + i, n - i), b = model__load_upto8(name + i, n - i);
    return a == b || model__fold8(a) == model__fold8(b);
}

/* A database entry's tag (model__inst.db_tag): its name's length and last
 * byte in lower case; 0 for a free entry. */
static inline uint16_t model__name_tag(const char *name, size_t len)
{
    return len == 0 ? 0 : (uint16_t)(len | (unsigned)model__lower_tab[(unsigned char)name[len - 1]] << 8);
}

static void model__db_tag_update(struct model__inst *in, int i)
{
    const struct model__db *d = &in->db[i];
    in->db_tag[i] = d->pages != 0 ? model__name_tag(d->name, d->name_len) : 0;
}

/* The attached database named s (n bytes, no separator needed: a name with
 * one matches no entry), any case, or -1. The tags pick the candidates with
 * one compare of four 16-bit lanes. */
static inline int model__match_db(const struct model__inst *in, const char *s, size_t n)
{
    if (n == 0 || n >= MODEL_MAX_NAME)
        return -1;
    _Static_assert(MODEL_MAX_DATABASES == 4, "four 16-bit tags make one word");
    uint64_t tags = (uint64_t)in->db_tag[0] | (uint64_t)in->db_tag[1] << 16 |
                    (uint64_t)in->db_tag[2] << 32 | (uint64_t)in->db_tag[3] << 48;
    uint64_t x = tags ^ 0x0001000100010001u * model__name_tag(s, n);
    /* A lane of x is 0 iff that entry's tag equals the name's. */
    uint64_t zero = ~(((x & 0x7FFF7FFF7FFF7FFFu) + 0x7FFF7FFF7FFF7FFFu) | x) & 0x8000800080008000u;
    while (zero != 0) {
        int lane = __builtin_ctzll(zero) >> 4;
        if (model__name_eq_words(s, in->db[lane].name, n))
            return lane;
        zero &= zero - 1;
    }
    return -1;
}

/* The generation of a log name of len bytes (model__parse_log_name); the usual
 * 15-byte form with two word loads. */
static inline uint32_t model__log_gen(const char *s, size_t len)
{
    if (len != 15)
        return model__parse_log_name(s, len);
    uint64_t lo = model__le64(s), hi = model__le64(s + 7) >> 8; /* bytes 0-7, 8-14 */
    /* OR-ing 0x20 into a byte maps exactly 'E' and 'e' to 'e' (and so on). */
    if (((lo | 0x202020u) & 0xFFFFFFu) != model__word("edb\0") ||
        ((hi >> 24) | 0x20202000u) != model__word(".log"))
        return 0;
    return model__hex8(lo >> 24 | hi << 40); /* bytes 3-10 */
}

/*
 * OpenFile's name (§4.3): its base name (after the last '/' or '\\') in *base
 * and *len, and the attached database of that name (any case) or -1; for no
 * database, *gen is the generation the base name names as a log, or 0. The
 * whole path is tried first: a database or log name has no separator, so a
 * match means the path is its own base name, and only a path that is neither
 * is scanned for a separator.
 */
static int model__open_name(const struct model__inst *in, const char *path, const char **base,
                            size_t *len, uint32_t *gen)
{
    size_t n = strlen(path);
    *base = path;
    *len = n;
    *gen = 0;
    int db = model__match_db(in, path, n);
    if (db >= 0)
        return db;
    *gen = model__log_gen(path, n);
    if (*gen != 0)
        return -1;
    *base = model__basename(path, len);
    if (*base == path)
        return -1;
    db = model__match_db(in, *base, *len);
    if (db < 0)
        *gen = model__log_gen(*base, *len);
    return db;
}

static bool model__log_deleted(const struct model__inst *in, uint32_t gen)
{
    for (unsigned i = 0; i < in->n_deleted; i++) {
        if (in->deleted[i] == gen)
            return true;
    }
    return false;
}

static bool model__log_on_disk(const struct model__inst *in, uint32_t gen)
{
    return gen >= in->log_low && gen <= in->log_current && !model__log_deleted(in, gen);
}

/* Keep log_low on the lowest generation on disk and the deleted set inside
 * (log_low, log_current]. */
static void model__normalise_logs(struct model__inst *in)
{
    for (;;) {
        unsigned keep = 0;
        bool low_deleted = false;
        for (unsigned i = 0; i < in->n_deleted; i++) {
            uint32_t g = in->deleted[i];
            if (g == in->log_low)
                low_deleted = true;
            else if (g > in->log_low)
                in->deleted[keep++] = g;
        }
        for (unsigned i = keep; i < in->n_deleted; i++)
            in->deleted[i] = 0;
        in->n_deleted = (uint8_t)keep;
        if (!low_deleted)
            return;
        in->log_low++;
    }
}

static void model__free_instance(struct model_world *w, int idx)
{
    memset(&w->inst[idx], 0, sizeof w->inst[idx]);
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++) {
        if (w->inst[i].handle != 0)
            return;
    }
    w->mode = MODEL_MODE_NOSET; /* §2.1: the last instance is gone */
}

static void model__new_instance(struct model_world *w, int idx, uint8_t life, uint64_t name_hash)
{
    struct model__inst *in = &w->inst[idx];
    memset(in, 0, sizeof *in);
    in->handle = MODEL__HANDLE_BASE + (w->next_serial << 8) + (uint64_t)idx;
    in->name_hash = name_hash;
    w->next_serial++;
    in->life = life;
    model__gate_update(in);
    in->backup_allowed = life == MODEL_LIFE_RUNNING;
    /* Defaults (brief, scenarios/README.md): generation 1 is current, checkpoint 1. */
    in->log_low = 1;
    in->log_current = 1;
    in->checkpoint = 1;
}

/* FNV-1a of an instance name's bytes. Model choice: instance names are kept as
 * this 64-bit hash (the world stays fixed-size whatever the name's length), so
 * two different names are taken for equal with probability 2^-64. 0 is
 * reserved for "unnamed". */
static uint64_t model__name_hash(const char *s)
{
    uint64_t h = 0xCBF29CE484222325u;
    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001B3u;
    }
    return h != 0 ? h : 1;
}

/*
 * ErrNewInst (jetapi.cxx:3518-3543): a free table slot, else -1214; then a
 * unique name, else -1086 (JET_errInstanceNameInUse). Names compare
 * ordinally, with case (LOSStrCompareW). The stored name of an instance is
 * NULL when it was given NULL or "" (INST::FSetInstanceName keeps no empty
 * name, jetapi.cxx:2432-2445), so a NULL name clashes with every unnamed
 * instance (the OneInst one and JetInit's allocations included) and "" with
 * none. Inserts the instance and returns its slot, or -1 with r->err set.
 */
static int model__insert_instance(struct model_world *w, const char *name, uint8_t life,
                                  struct model_result *r)
{
    int idx = -1;
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++) {
        if (w->inst[i].handle == 0) {
            idx = i;
            break;
        }
    }
    if (idx < 0 || w->next_serial > MODEL__MAX_SERIAL) {
        r->err = JET_errTooManyInstances;
        return -1;
    }
    uint64_t hash = (name != NULL && name[0] != '\0') ? model__name_hash(name) : 0;
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++) {
        const struct model__inst *o = &w->inst[i];
        if (o->handle != 0 && o->name_hash == hash && (hash != 0 || name == NULL)) {
            r->err = JET_errInstanceNameInUse;
            return -1;
        }
    }
    model__new_instance(w, idx, life, hash);
    return idx;
}

/* ---------------------------------------------------------------------------
 * Cleanup (§4.9.2) and the slot.
 * ------------------------------------------------------------------------- */

/* CloseFile's effects on an open slot (§4.5): credit a fully read log in the
 * copy range (R47), then reset the slot. lgen is left as it was. */
MODEL__ALWAYS_INLINE
static inline void model__close_slot(struct model__inst *in)
{
    /* Without a branch: whether a log or a database closes is the caller's. */
    uint64_t credit = (uint64_t)((in->slot_ib == in->slot_cb) & (in->slot_is_log != 0) &
                                 (in->slot_lgen >= in->copy_mic) & (in->slot_lgen < in->copy_mac));
    in->gen_copy_done += in->slot_lgen & -credit;
    in->slot_in_use = 0;
    in->slot_is_db = 0;
    in->slot_is_log = 0;
    in->slot_ib = 0;
    in->slot_cb = 0;
    in->slot_db = 0;
}

/*
 * §4.9.2: ends the backup. `reason` is 0 for a normal End, -800 for EndAbort,
 * or the error of a [cancels] path or of JetTerm (-801); `grbit` is End2's.
 * Returns -520 with no backup (a); otherwise 0, with *why set to the internal
 * reason (0 only for a "normal" outcome, b).
 */
static JET_ERR model__cleanup(struct model__inst *in, JET_ERR reason, JET_GRBIT grbit,
                              JET_ERR *why)
{
    if (!in->in_progress_any) {
        /* (a) R25: no backup; stop is cleared all the same. */
        in->stop = 0;
        in->phase = MODEL_PHASE_NOT_STARTED;
        *why = JET_errNoBackup;
        return JET_errNoBackup;
    }
    JET_ERR r = reason;
    if (r == 0 && ((grbit & MODEL__BK_SURROGATE) != 0) != !in->in_progress_local)
        r = in->in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
    if (r == 0 && in->stop)
        r = JET_errBackupAbortByServer; /* the one read of stop, backup.cxx:4165 */
    if (r == 0 && in->phase == MODEL_PHASE_DATABASES)
        r = errBackupAbortByCaller;
    /* (d) A normal end of a full backup updates the headers of the databases
     * still in the session (§4.9.2 d-e): a database that left it after a read
     * error in phase Databases (§4.4) gets no credit for R28's -560 test. */
    if (r == 0 && in->full && !(grbit & MODEL__END_NO_DB_HEADER_UPDATE)) {
        uint8_t bit = in->in_progress_local ? MODEL__FULL_LOCAL : MODEL__FULL_SURROGATE;
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            if (in->db[i].pages != 0 && in->db[i].in_session)
                in->db[i].full_done |= bit;
        }
    }
    /* (e) Every database leaves the session. */
    for (int i = 0; i < MODEL_MAX_DATABASES; i++)
        in->db[i].in_session = 0;
    /* (e) The slot is released; is_db, is_log, ib and cb stay stale (§3.2). */
    in->slot_in_use = 0;
    /* (g) R49 reset. full, the ranges and gen_copy_done are kept. */
    in->logs_truncated = 0;
    in->in_progress_any = 0;
    in->in_progress_local = 0;
    in->internal_copy = 0;
    in->stop = 0;
    in->phase = MODEL_PHASE_NOT_STARTED;
    *why = r;
    return JET_errSuccess; /* (h) */
}

/* A [cancels] error (§4.9.3): cleanup with that error as the reason. */
static void model__cancel(struct model__inst *in, JET_ERR err, struct model_result *r)
{
    JET_ERR why;
    if (model__cleanup(in, err, 0, &why) == JET_errSuccess) {
        r->cancelled = true;
        model__rule(r, 49);
    }
}

/*
 * Profile "documented" (§7): where the Microsoft Learn pages give a concrete
 * answer that differs from the source, that profile follows the pages. The
 * decisions, by row:
 *
 *   D1  End / End2(EndNormal) with a stopped backup in progress returns -801.
 *       Cleanup still runs in full (the backup ends).
 *   D2  End2(EndAbort), or an End in phase Databases (the sequence was cut
 *       short), returns -800 (JET_errBackupAbortByCaller). The page defines
 *       that code as an end "without signaling the intention with JetStopBackup",
 *       so a stopped backup gives -801 (D1) even with EndAbort. A surrogate
 *       mismatch has no documented code: 0, as the source.
 *   D3  Stop on an instance that is "not currently running" returns -1003 with
 *       no change: the states D3 itself lists as returning 0 in the source,
 *       i.e. created-but-not-initialised, initialising, service-stopped,
 *       unavailable (either kind) and terminating. Restoring and term-failed
 *       instances are not in that list and keep the source's 0.
 *   D4  -1003 for an invalid handle (no stage V, as the profile ese).
 *   D5  "On failure ... the entire backup is cancelled" for GetAttachInfo,
 *       OpenFile, ReadFile, GetLogInfo and GetTruncateLogInfo: every failure
 *       after the stop test cancels, including -521 from GetAttachInfo and
 *       GetLogInfo's preparation errors. Not cancelled: instance-level errors
 *       (the call never reached the backup), -520 (nothing to cancel) and -801
 *       (the Stop page says the backup may still be ended, D11).
 *   D6  OpenFile in phase Databases keeps the backup only for -1203.
 *       ReadFile: any failure on an open database handle closes that handle and
 *       keeps the backup ("an error occurred while reading a database file");
 *       other ReadFile failures cancel (D5).
 *   D7  No documented answer: -1003 with no change, as for the other profiles.
 *   D8  ReadFile's first call (read position 0) needs at least three pages, for
 *       logs too; the page-multiple rule is kept; alignment is not documented,
 *       so the source's check stays.
 *   D9-D12, D14, D15, D17: the pages omit a case or are silent; source kept.
 *   D13 JetTerm2 with grbit 0 is "presumed to be JET_bitTermAbrupt": it acts as
 *       JetTerm (stops the backup). 0x1 keeps the source's -505.
 *   D16 A failed JetTerm changes nothing: backup_allowed is restored, so a
 *       later Begin does not return -523.
 */
static inline bool model__documented(const struct model_world *w)
{
    return w->profile == MODEL_PROFILE_DOCUMENTED;
}

/* D5/D6: in the documented profile, a failure of a streaming call cancels. */
static void model__doc_cancels(const struct model_world *w, struct model__inst *in,
                               JET_ERR err, struct model_result *r)
{
    if (model__documented(w) && in->in_progress_any && !r->cancelled)
        model__cancel(in, err, r);
}

/* ---------------------------------------------------------------------------
 * Lookup-only calls and lifecycle.
 * ------------------------------------------------------------------------- */

/* §4.10, R10-R14; D3 for the documented profile. */
MODEL__NOINLINE
static void model__stop_backup(struct model_world *w, struct model__inst *in,
                               struct model_result *r)
{
    if (model__documented(w) &&
        (in->life != MODEL_LIFE_RUNNING || in->service_stopped ||
         (in->forced & (MODEL__FORCED_UNAVAILABLE | MODEL__FORCED(BACKSTOP_STATE_INITIALISING) |
                        MODEL__FORCED(BACKSTOP_STATE_TERMINATING))))) {
        r->err = JET_errInvalidParameter; /* D3 */
        model__rule_first(r, 11);
        return;
    }
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_NO_LOG)) {
        model__rule_first(r, 14); /* §2.6: no log object, nothing changes */
        return;
    }
    model__rule_first(r, 10);
    if (in->stop)
        model__rule(r, 12);
    in->stop = 1;
}

/* §4.13. JetTerm is JetTerm2(Abrupt). */
MODEL__NOINLINE
static void model__term(struct model_world *w, int idx, JET_GRBIT grbit, struct model_result *r)
{
    struct model__inst *in = &w->inst[idx];
    if (in->life == MODEL_LIFE_CREATED) {
        model__free_instance(w, idx); /* step 2 */
        return;
    }
    /* Step 3: no stop-service or unavailable check; the lock bits only. */
    if (in->forced & MODEL__FORCED_LOCKED) {
        model__rule(r, 6);
        r->err = (in->forced & MODEL__FORCED(BACKSTOP_STATE_TERMINATING)) ? JET_errTermInProgress
                 : (in->forced & MODEL__FORCED(BACKSTOP_STATE_RESTORING)) ? JET_errRestoreInProgress
                                                                          : JET_errNotInitialized;
        return;
    }
    uint8_t was_allowed = in->backup_allowed;
    in->backup_allowed = 0; /* step 5 */
    if (grbit & (MODEL__TERM_ABRUPT | MODEL__TERM_STOP_BACKUP)) {
        /* Step 6, R26: the backup ends as aborted by server; stop is cleared. */
        JET_ERR why;
        if (model__cleanup(in, JET_errBackupAbortByServer, 0, &why) == JET_errSuccess)
            r->cancelled = true;
        model__rule(r, 26);
    }
    bool error_type = (in->forced & MODEL__FORCED_UNAVAILABLE) || (grbit & MODEL__TERM_DIRTY);
    if (!error_type && in->in_progress_any) {
        /* Steps 7-8, R20, R31: fails before the point of no return. */
        r->err = in->in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
        model__rule(r, 20);
        model__rule(r, 31);
        if (model__documented(w))
            in->backup_allowed = was_allowed; /* D16 */
        return;
    }
    model__free_instance(w, idx);
    /* Steps 7 and 9: the error termination type (an unavailable instance, or the
     * Dirty bit) ends as a dirty shutdown, -1116 (tm.cxx:1164-1196). */
    if (error_type)
        r->err = JET_errDirtyShutdown;
}

MODEL__NOINLINE
static void model__create_instance(struct model_world *w, const struct model_call *c,
                                   struct model_result *r)
{
    if (c->flags & MODEL_CALL_PINST_NULL) {
        r->err = JET_errInvalidParameter;
        return;
    }
    if (w->mode == MODEL_MODE_ONE) {
        r->err = JET_errRunningInOneInstanceMode; /* §2.1 */
        return;
    }
    /* JetCreateInstanceEx sets MultiInst before ErrNewInst (jetapi.cxx:21926-21938);
     * in NoSet the table is empty, so ErrNewInst cannot fail there. */
    int idx = model__insert_instance(w, c->name, MODEL_LIFE_CREATED, r);
    if (idx < 0)
        return;
    w->mode = MODEL_MODE_MULTI;
    r->inst = (JET_INSTANCE)w->inst[idx].handle;
    r->outs |= MODEL_OUT_INST;
}

/*
 * JetInit(*pinstance), after JetInitEx (jetapi.cxx:21354-21434). A NULL
 * pointer, 0 and nil ask JetInit to allocate the instance (FINSTInvalid,
 * jetapi.cxx:2996-2999, 21360), in that order of checks:
 *   MultiInst, NULL pointer: -1081 (21388-21392);
 *   OneInst: -1005, one instance already started (21394-21398);
 *   NoSet: OneInst mode, a new unnamed instance in slot 0 (21409-21423);
 *   MultiInst, *pinstance 0 or nil: ErrNewInst with no name (21417-21422), so a
 *   new unnamed, initialised instance: -1214 with a full table, -1086 while
 *   another unnamed instance lives (model__insert_instance).
 * The new handle is returned in r->inst even when the pointer is NULL (nothing
 * is written then; OneInst calls ignore the handle). Nothing resets the backup
 * context (§3). Forced states do not affect JetInit.
 */
MODEL__NOINLINE
static void model__init(struct model_world *w, const struct model_call *c, struct model_result *r)
{
    JET_INSTANCE h = c->inst;
    bool pinst_null = (c->flags & MODEL_CALL_PINST_NULL) != 0;
    if (pinst_null || h == 0 || h == JET_instanceNil) {
        if (w->mode == MODEL_MODE_MULTI) {
            if (pinst_null) {
                r->err = JET_errRunningInMultiInstanceMode;
                return;
            }
            int idx = model__insert_instance(w, NULL, MODEL_LIFE_RUNNING, r);
            if (idx < 0)
                return;
            r->inst = (JET_INSTANCE)w->inst[idx].handle;
            r->outs |= MODEL_OUT_INST;
            return;
        }
        if (w->mode == MODEL_MODE_ONE) {
            r->err = JET_errAlreadyInitialized;
            return;
        }
        if (w->next_serial > MODEL__MAX_SERIAL) {
            r->err = JET_errTooManyInstances;
            return;
        }
        model__new_instance(w, 0, MODEL_LIFE_RUNNING, 0); /* §2.1: OneInst uses slot 0 */
        w->mode = MODEL_MODE_ONE;
        r->inst = (JET_INSTANCE)w->inst[0].handle;
        r->outs |= MODEL_OUT_INST;
        return;
    }
    int idx = model__resolve(w, h, r);
    if (idx < 0)
        return;
    struct model__inst *in = &w->inst[idx];
    if (in->life != MODEL_LIFE_CREATED) {
        r->err = JET_errAlreadyInitialized;
        return;
    }
    in->life = MODEL_LIFE_RUNNING;
    model__gate_update(in);
    in->backup_allowed = 1; /* §2.2 */
    r->inst = (JET_INSTANCE)in->handle;
    r->outs |= MODEL_OUT_INST;
}

/* ---------------------------------------------------------------------------
 * Begin (§4.1, R27-R31).
 * ------------------------------------------------------------------------- */

/* The checks of §4.1 steps 2-12 (R28), in order. Returns the first failure, or 0. */
static JET_ERR model__begin_check(const struct model__inst *in, JET_GRBIT g)
{
    if (!in->backup_allowed)
        return JET_errBackupNotAllowedYet; /* stage A, R31 */
    if (in->logging_disabled || (in->forced & MODEL__FORCED(BACKSTOP_STATE_NO_LOG)))
        return JET_errLoggingDisabled; /* step 3; §2.6 for no log object */
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_LOG_WRITE_FAIL))
        return JET_errLogWriteFail; /* step 4 */
    /* Step 5 (recovering) never applies: the model never recovers (§4.14). */
    if (g & ~(JET_GRBIT)(MODEL__BK_INCREMENTAL | MODEL__BK_SURROGATE | MODEL__BK_INTERNAL_COPY))
        return JET_errInvalidGrbit; /* step 6, D12 */
    if ((g & MODEL__BK_INCREMENTAL) && in->circular)
        return JET_errInvalidBackup; /* step 7 */
    if ((g & MODEL__BK_SURROGATE) && in->circular)
        return JET_errInvalidBackup; /* step 8 */
    if ((g & MODEL__BK_INTERNAL_COPY) && (g & (MODEL__BK_INCREMENTAL | MODEL__BK_SURROGATE)))
        return JET_errInvalidGrbit; /* step 9 */
    if (in->forced & MODEL__FORCED(BACKSTOP_STATE_LOG_DISK_FULL))
        return JET_errLogDiskFull; /* step 10 */
    if ((in->forced & MODEL__FORCED(BACKSTOP_STATE_LOG_SEQUENCE_END)) ||
        in->log_current >= MODEL__GEN_MAX)
        return JET_errLogSequenceEnd;
    if (in->in_progress_any) /* step 11: a stopped backup still blocks (R20) */
        return in->in_progress_local ? JET_errBackupInProgress : JET_errSurrogateBackupInProgress;
    return JET_errSuccess; /* step 12 (suspended) never applies */
}

MODEL__NOINLINE
static void model__begin(struct model__inst *in, JET_GRBIT g, struct model_result *r)
{
    JET_ERR err = model__begin_check(in, g);
    if (err != JET_errSuccess) {
        /* R30: a failure before the claim changes nothing. */
        r->err = err;
        model__rule_first(r, 28);
        model__rule(r, 30);
        if (err == JET_errBackupNotAllowedYet)
            model__rule(r, 31);
        else if (err == JET_errLoggingDisabled)
            model__rule(r, 14);
        else if (err == JET_errBackupInProgress && in->stop)
            model__rule(r, 20);
        return;
    }
    /* Step 13: the claim. */
    uint8_t had_stop = in->stop;
    in->copy_mic = in->copy_mac = in->delete_mic = in->delete_mac = 0;
    in->logs_truncated = 0;
    in->stop = 0;
    in->in_progress_any = 1;
    in->in_progress_local = !(g & MODEL__BK_SURROGATE);
    in->internal_copy = (g & MODEL__BK_INTERNAL_COPY) != 0;
    /* Step 14. */
    bool incremental = (g & MODEL__BK_INCREMENTAL) != 0;
    in->phase = incremental ? MODEL_PHASE_LOGS : MODEL_PHASE_DATABASES;
    if (incremental) {
        /* Step 15: each attached database needs a full backup of this kind,
         * else -560 after the claim (R27: the claim and stop are undone; full,
         * began_new_log and internal_copy keep their values). */
        uint8_t need = in->in_progress_local ? MODEL__FULL_LOCAL : MODEL__FULL_SURROGATE;
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            if (in->db[i].pages != 0 && !(in->db[i].full_done & need)) {
                in->in_progress_any = 0;
                in->in_progress_local = 0;
                in->stop = 0;
                in->phase = MODEL_PHASE_NOT_STARTED;
                r->err = JET_errMissingFullBackup;
                model__rule(r, 27);
                return;
            }
        }
    }
    /* Step 14: every attached database joins the session. */
    for (int i = 0; i < MODEL_MAX_DATABASES; i++)
        in->db[i].in_session = in->db[i].pages != 0;
    /* Step 16, R29. */
    in->began_new_log = 0;
    in->full = !incremental;
    if (!incremental)
        in->copy_mic = in->checkpoint;
    model__rule_first(r, 29);
    if (had_stop)
        model__rule(r, 13); /* a Stop before Begin is not sticky (S2) */
}

/* ---------------------------------------------------------------------------
 * Streaming calls (§4.2-§4.8). Each starts after V, L and G.
 * ------------------------------------------------------------------------- */

/* §4.2. */
MODEL__NOINLINE
static void model__get_attach_info(struct model_world *w, struct model__inst *in,
                                   const struct model_call *c, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup; /* R18 */
        model__rule_first(r, 18);
        return;
    }
    if (in->stop) {
        r->err = JET_errBackupAbortByServer; /* R16 */
        model__rule_first(r, 16);
        if (!in->full)
            model__rule(r, 17); /* R17: stop wins over -521 */
        return;
    }
    if (!in->full) {
        r->err = JET_errInvalidBackupSequence; /* R32: no cancel */
        model__rule(r, 32);
        model__doc_cancels(w, in, r->err, r);
        return;
    }
    if (c->fault == MODEL_FAULT_NOMEM) {
        r->fault_used = true; /* step 5 [cancels] */
        r->err = JET_errOutOfMemory;
        model__cancel(in, r->err, r);
        return;
    }
    /* R33: the full size; a short buffer is not an error; no state change. */
    uint32_t size = 1;
    for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
        if (in->db[i].pages != 0)
            size += (uint32_t)in->db[i].name_len + 1u;
    }
    if (!(c->flags & MODEL_CALL_PCB_NULL)) {
        r->cb_actual = size;
        r->outs |= MODEL_OUT_CB;
    }
    r->n_entries = in->n_databases;
    r->outs |= MODEL_OUT_LIST;
    model__rule(r, 33);
}

/* §4.3 step 9's slot initialisation (it precedes step 8's name copy in the
 * source). */
static inline void model__slot_claim(struct model__inst *in)
{
    in->slots_ever_used = 1;
    in->slot_in_use = 1;
    in->slot_ib = 0;
    in->slot_cb = 0;
    in->slot_is_db = 0;
    in->slot_is_log = 0;
}

/* §4.3 up to the name: the checks in their order, for a call that fails one
 * of them (model__open_file sends only those here). */
MODEL__NOINLINE
static void model__open_refused(struct model_world *w, struct model__inst *in,
                                const struct model_call *c, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    bool name_bad = (c->flags & MODEL_CALL_NAME_NULL) || c->name == NULL || c->name[0] == '\0';
    if (in->stop) {
        r->err = JET_errBackupAbortByServer;
        model__rule_first(r, 16);
        if (name_bad || in->slot_in_use)
            model__rule(r, 17);
        return;
    }
    if (name_bad) {
        r->err = JET_errInvalidParameter; /* R35 */
        model__rule(r, 35);
        model__doc_cancels(w, in, r->err, r);
        return;
    }
    if (in->slot_in_use) {
        r->err = JET_errOutOfMemory; /* R34: one slot */
        model__rule(r, 34);
        model__doc_cancels(w, in, r->err, r);
        return;
    }
    /* MODEL_FAULT_NOMEM: step 8 fails; the slot is released, no cancel. */
    model__slot_claim(in);
    r->fault_used = true;
    r->err = JET_errOutOfMemory;
    in->slot_in_use = 0;
    model__doc_cancels(w, in, r->err, r);
}

/* §4.3's failure handling by phase, after the slot was claimed: release the
 * slot; cancel in LogsAndPatches (D6 in the documented profile). */
MODEL__NOINLINE
static void model__open_failed(struct model_world *w, struct model__inst *in, JET_ERR err,
                               struct model_result *r)
{
    r->err = err;
    in->slot_in_use = 0;
    if (in->phase == MODEL_PHASE_LOGS)
        model__cancel(in, err, r);
    else if (err != JET_errDatabaseNotFound)
        model__doc_cancels(w, in, err, r); /* D6 */
}

/* §4.3. Calls that fail a check before the name go to model__open_refused,
 * failures after it to model__open_failed, so that the usual call (a file
 * opens) keeps a small frame. */
MODEL__NOINLINE
static void model__open_file(struct model_world *w, struct model__inst *in,
                             const struct model_call *c, struct model_result *r)
{
    const char *name = c->name;
    if (!in->in_progress_local || in->stop || (c->flags & MODEL_CALL_NAME_NULL) || name == NULL ||
        name[0] == '\0' || in->slot_in_use || c->fault == MODEL_FAULT_NOMEM) {
        model__open_refused(w, in, c, r);
        return;
    }
    model__slot_claim(in);
    const char *base;
    size_t len;
    uint32_t gen;
    int db = model__open_name(in, name, &base, &len, &gen);
    JET_ERR err;
    if (db >= 0) {
        if (in->full && in->phase == MODEL_PHASE_DATABASES) {
            in->slot_is_db = 1;
            in->slot_db = (uint8_t)db;
            in->slot_cb = ((uint64_t)in->db[db].pages + 3u) * w->page_size; /* §3.3 */
            goto opened;
        }
        err = JET_errInvalidBackupSequence; /* R37 */
        model__rule(r, 37);
    } else if (in->phase == MODEL_PHASE_DATABASES) {
        err = JET_errDatabaseNotFound; /* R36, D15 */
        model__rule(r, 36);
    } else if (in->n_detached != 0 &&
               (db = model__find_file(in->detached, MODEL__MAX_DETACHED, base, len)) >= 0) {
        /* A detached database's file is still on disk: in phase LogsAndPatches
         * it opens as a plain file of its on-disk size (§4.3 step 9, §3.3). */
        in->slot_cb = ((uint64_t)in->detached[db].pages + 3u) * w->page_size;
        goto opened;
    } else {
        if (gen != 0 && model__log_on_disk(in, gen)) {
            in->slot_is_log = 1;
            in->slot_lgen = gen;
            in->slot_cb = w->log_size;
            goto opened;
        }
        if (c->fault == MODEL_FAULT_OPEN_IO) {
            /* The open attempt that would find the log missing fails first. */
            r->fault_used = true;
            err = JET_errDiskIO;
            goto failed;
        }
        err = JET_errMissingFileToBackup; /* R38 */
        model__rule(r, 38);
    }
    goto failed;
opened:
    if (c->fault == MODEL_FAULT_OPEN_IO) {
        /* The file open itself fails (§4.3 step 9): -1022, handled by phase. In
         * phase Databases a database also leaves the session. */
        r->fault_used = true;
        err = JET_errDiskIO;
        if (in->slot_is_db && in->phase == MODEL_PHASE_DATABASES)
            in->db[in->slot_db].in_session = 0;
        in->slot_is_db = in->slot_is_log = 0;
        in->slot_cb = 0;
        goto failed;
    }
    r->hf = 0; /* R34: always slot 0 */
    r->size = in->slot_cb;
    r->outs |= MODEL_OUT_HF;
    model__rule_first(r, 34);
    return;
failed:
    model__open_failed(w, in, err, r);
}

/* R39 / §4.4 step 7: is cb_max a bad read size for the slot as it stands? */
static inline bool model__read_size_bad(const struct model_world *w, const struct model__inst *in,
                                 uint32_t cb_max)
{
    if (cb_max % w->page_size != 0)
        return true;
    uint32_t pages = cb_max / w->page_size;
    if (model__documented(w))
        return in->slot_ib == 0 && pages < 3; /* D8 */
    if (in->slot_is_db)
        return pages == 0 || (in->slot_ib == 0 && pages <= 2);
    return in->slot_ib == 0 && pages < 2;
}

/* ReadFile's documented-profile failure handling (D5, D6). */
static void model__doc_read_failed(const struct model_world *w, struct model__inst *in,
                                   JET_ERR err, struct model_result *r)
{
    if (!model__documented(w))
        return;
    if (in->slot_in_use && in->slot_is_db)
        model__close_slot(in);
    else
        model__doc_cancels(w, in, err, r);
}

/* R40: a read of n bytes; the position advances by the bytes returned. */
static inline void model__read_advance(struct model__inst *in, uint32_t flags, uint32_t n,
                                       struct model_result *r)
{
    in->slot_ib += n;
    if (!(flags & MODEL_CALL_PCB_NULL)) {
        r->cb_actual = n;
        r->outs |= MODEL_OUT_CB;
    }
    model__rule_first(r, 40); /* every check before it returned */
}

/*
 * ReadFile's usual call, without the checks' branches one by one: a local
 * backup in progress and not stopped, slot 0 open, no flag and no fault, and a
 * size of at least 3 pages that is a page multiple (so model__read_size_bad
 * holds in no profile). Then every check of model__read_file passes and the
 * read is R40's. Returns false, with nothing changed, for any other call.
 */
static inline bool model__read_fast(const struct model_world *w, struct model__inst *in,
                                    const struct model_call *c, struct model_result *r)
{
    uint32_t cb = c->cb_max, flags = c->flags;
    if (((in->in_progress_local ^ 1u) | in->stop | (in->slot_in_use ^ 1u)) != 0 ||
        ((uint32_t)c->hf | flags | (uint32_t)c->fault | (cb & w->page_mask)) != 0 ||
        cb < 3ull * w->page_size)
        return false;
    uint64_t left = in->slot_cb - in->slot_ib;
    model__read_advance(in, flags, left < cb ? (uint32_t)left : cb, r);
    return true;
}

/* §4.4. */
MODEL__NOINLINE
static void model__read_file(struct model_world *w, struct model__inst *in,
                             const struct model_call *c, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    /* Step 6: the handle is truncated to an int. */
    int32_t idx = (int32_t)(uint32_t)c->hf;
    /* Model choice: a NULL buffer fails with the misaligned one (reading into it
     * is undefined in the source). */
    bool misaligned = (c->flags & (MODEL_CALL_BUF_MISALIGNED | MODEL_CALL_BUF_NULL)) != 0;
    if (in->stop) {
        r->err = JET_errBackupAbortByServer;
        model__rule_first(r, 16);
        if (misaligned || idx != 0 || model__read_size_bad(w, in, c->cb_max))
            model__rule(r, 17);
        return;
    }
    if (misaligned) {
        r->err = JET_errInvalidParameter; /* step 5, R39 */
        model__rule(r, 39);
        model__doc_read_failed(w, in, r->err, r);
        return;
    }
    if (idx != 0 || (!in->slot_in_use && (in->slot_is_db || in->slot_is_log))) {
        /* D7: another slot, or a closed slot with stale state after a cleanup:
         * undefined in the source. -1003, no change, and no rule decides it. */
        r->err = JET_errInvalidParameter;
        return;
    }
    if (model__read_size_bad(w, in, c->cb_max)) {
        r->err = JET_errInvalidParameter; /* step 7, R39, D8 */
        model__rule(r, 39);
        model__doc_read_failed(w, in, r->err, r);
        return;
    }
    uint64_t left = in->slot_cb - in->slot_ib;
    uint32_t n = left < c->cb_max ? (uint32_t)left : c->cb_max;
    /* Model choice: a read of 0 bytes does no I/O, so no read fault can fire. */
    if (n != 0 && (c->fault == MODEL_FAULT_READ_IO || c->fault == MODEL_FAULT_READ_VERIFY)) {
        r->fault_used = true;
        r->err = c->fault == MODEL_FAULT_READ_IO ? JET_errDiskIO : JET_errReadVerifyFailure;
        model__rule(r, 41);
        if (in->phase == MODEL_PHASE_DATABASES) {
            /* R41: the database leaves the session, the handle closes, the
             * backup goes on (§4.4). */
            if (in->slot_is_db)
                in->db[in->slot_db].in_session = 0;
            model__close_slot(in);
        }
        else
            model__cancel(in, r->err, r); /* R41: LogsAndPatches cancels */
        return;
    }
    model__read_advance(in, c->flags, n, r);
}

/* §4.5. CloseFile ignores stop (R19). */
MODEL__NOINLINE
static void model__close_file(struct model__inst *in, const struct model_call *c,
                              struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 42);
        return;
    }
    int32_t idx = (int32_t)(uint32_t)c->hf;
    if (idx < 0 || (uint32_t)idx >= in->slots_ever_used || !in->slot_in_use) {
        r->err = JET_errInvalidParameter; /* R42 */
        model__rule(r, 42);
        return;
    }
    model__rule_first(r, in->stop ? 19 : 42);
    model__close_slot(in);
}

/*
 * §4.6 step 5, R44: prepare the logs once per backup. Roll the log; the copy
 * range becomes [copy_mic, copy_mac - 1] with copy_mac the new current
 * generation, so it ends at the last complete log.
 *
 * Model choice for the truncation range (§3.1, §4.6 step 5): it starts at the
 * lowest log on disk and stops before the checkpoint generation, which recovery
 * still needs. A full backup also keeps every log from copy_mic on (they are in
 * the copy); an incremental backup copies from the lowest log on disk
 * (copy_mic := delete_mic). An empty range has delete_mic = delete_mac.
 */
static void model__prepare_logs(struct model__inst *in)
{
    in->log_current++;
    model__normalise_logs(in);
    in->began_new_log = 1;
    in->copy_mac = in->log_current;
    in->gen_copy_done = 0;
    uint32_t low = in->log_low;
    uint32_t mac = in->checkpoint;
    if (in->full && in->copy_mic < mac)
        mac = in->copy_mic;
    if (mac < low)
        mac = low;
    in->delete_mic = low;
    in->delete_mac = mac;
    if (!in->full)
        in->copy_mic = in->delete_mic;
}

/* §4.6 (which = 1, and GetLogInfoInstance2 with `gens`) and §4.7 (which = 2).
 * Inlined into one function per operation below, so that `which` and `gens`
 * are constants and each operation's branches are its own. */
MODEL__ALWAYS_INLINE
static inline void model__get_log_info(struct model_world *w, struct model__inst *in,
                                const struct model_call *c, int which, bool gens,
                                struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    if (in->stop) {
        r->err = JET_errBackupAbortByServer;
        model__rule_first(r, 16);
        if (in->slot_in_use)
            model__rule(r, 17); /* R17: stop wins over -521 */
        return;
    }
    if (in->slot_in_use) {
        r->err = JET_errInvalidBackupSequence; /* R43: no cancel */
        model__rule(r, 43);
        model__doc_cancels(w, in, r->err, r);
        return;
    }
    if (!in->began_new_log) {
        /* Preparation errors are returned without cancelling (§4.6 step 5). */
        if (c->fault == MODEL_FAULT_LOG_ROLL) {
            r->fault_used = true;
            r->err = JET_errLogDiskFull;
            model__rule(r, 44);
            model__doc_cancels(w, in, r->err, r);
            return;
        }
        if (in->log_current >= MODEL__GEN_MAX) {
            r->err = JET_errLogSequenceEnd;
            model__rule(r, 44);
            model__doc_cancels(w, in, r->err, r);
            return;
        }
        model__prepare_logs(in);
    }
    uint32_t mic = which == 1 ? in->copy_mic : in->delete_mic;
    uint32_t mac = which == 1 ? in->copy_mac : in->delete_mac;
    uint32_t n = mac > mic ? mac - mic : 0;
    uint64_t size = (uint64_t)n * MODEL__LOG_NAME_BYTES + 1u;
    if (c->fault == MODEL_FAULT_NOMEM || size > UINT32_MAX) {
        /* Step 6 [cancels]; an unrepresentable list is out of memory too. */
        r->fault_used = c->fault == MODEL_FAULT_NOMEM;
        r->err = JET_errOutOfMemory;
        model__cancel(in, r->err, r);
        return;
    }
    in->phase = MODEL_PHASE_LOGS; /* R45 */
    if (!(c->flags & MODEL_CALL_PCB_NULL)) {
        /* R46: min(cbMax, size) with a buffer, the size without one. */
        r->cb_actual = (c->flags & MODEL_CALL_BUF_NULL) || size <= c->cb_max ? (uint32_t)size
                                                                              : c->cb_max;
        r->outs |= MODEL_OUT_CB;
    }
    r->n_entries = n;
    r->outs |= MODEL_OUT_LIST;
    if (gens) {
        r->gen_low = in->copy_mic;
        r->gen_high = in->copy_mac - 1u;
        r->outs |= MODEL_OUT_GENS;
    }
    model__rule(r, 44);
    model__rule(r, 45);
    if (which == 1)
        model__rule(r, 46);
}

MODEL__NOINLINE
static void model__get_log_info1(struct model_world *w, struct model__inst *in,
                                 const struct model_call *c, struct model_result *r)
{
    model__get_log_info(w, in, c, 1, false, r);
}

MODEL__NOINLINE
static void model__get_log_info2(struct model_world *w, struct model__inst *in,
                                 const struct model_call *c, struct model_result *r)
{
    model__get_log_info(w, in, c, 1, true, r);
}

MODEL__NOINLINE
static void model__get_truncate_log_info(struct model_world *w, struct model__inst *in,
                                         const struct model_call *c, struct model_result *r)
{
    model__get_log_info(w, in, c, 2, false, r);
}

/* §4.8, R47. No error here cancels, in any profile. */
MODEL__NOINLINE
static void model__truncate_log(struct model__inst *in, struct model_result *r)
{
    if (!in->in_progress_local) {
        r->err = JET_errNoBackup;
        model__rule_first(r, 18);
        return;
    }
    bool unprepared = in->copy_mic == 0 || in->copy_mac == 0;
    if (in->stop) {
        r->err = JET_errBackupAbortByServer; /* S22: before the phase change */
        model__rule_first(r, 16);
        if (in->slot_in_use || unprepared)
            model__rule(r, 17);
        return;
    }
    model__rule(r, 47);
    if (in->slot_in_use || unprepared) {
        r->err = JET_errInvalidBackupSequence;
        return;
    }
    in->phase = MODEL_PHASE_LOGS; /* step 6, even if step 7 fails */
    uint64_t need = 0;
    if (in->copy_mac > in->copy_mic) {
        uint64_t lo = in->copy_mic, hi = (uint64_t)in->copy_mac - 1u;
        need = (lo + hi) * (hi - lo + 1u) / 2u;
    }
    if (in->gen_copy_done < need) {
        r->err = JET_errLogFileNotCopied; /* step 7, D14 */
        return;
    }
    in->logs_truncated = 1;
    if (in->delete_mac > in->log_low) {
        in->log_low = in->delete_mac; /* the range starts at or below log_low */
        model__normalise_logs(in);
    }
}

/* §4.9: End (grbit EndNormal) and End2. */
MODEL__NOINLINE
static void model__end(struct model_world *w, struct model__inst *in, JET_GRBIT g,
                       struct model_result *r)
{
    bool normal = (g & MODEL__END_NORMAL) != 0, abort_ = (g & MODEL__END_ABORT) != 0;
    if (normal == abort_) {
        r->err = JET_errInvalidParameter; /* R24: stop and the backup untouched */
        model__rule_first(r, 24);
        return;
    }
    uint8_t had_stop = in->stop;
    JET_ERR why;
    if (model__cleanup(in, abort_ ? errBackupAbortByCaller : 0, g, &why) != JET_errSuccess) {
        r->err = JET_errNoBackup; /* R25 */
        model__rule_first(r, 25);
        return;
    }
    model__rule_first(r, 48);
    model__rule(r, 49);
    if (had_stop)
        model__rule(r, abort_ ? 22 : 21);
    if (model__documented(w)) {
        if (had_stop)
            r->err = JET_errBackupAbortByServer; /* D1 */
        else if (why == errBackupAbortByCaller)
            r->err = errBackupAbortByCaller; /* D2 */
    }
}

/* ---------------------------------------------------------------------------
 * Fixture operations. A handle that names no instance gives -1003 in every
 * profile (no stage V: the fixture is backstop's, not ESE's).
 * ------------------------------------------------------------------------- */

MODEL__NOINLINE
static void model__fixture(struct model__inst *in, const struct model_call *c,
                           struct model_result *r)
{
    switch (c->op) {
    case MODEL_OP_FX_CONFIGURE:
        if (in->life != MODEL_LIFE_CREATED ||
            (c->arg & ~(BACKSTOP_CFG_LOGGING_OFF | BACKSTOP_CFG_CIRCULAR_LOG))) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->logging_disabled = (c->arg & BACKSTOP_CFG_LOGGING_OFF) != 0;
        in->circular = (c->arg & BACKSTOP_CFG_CIRCULAR_LOG) != 0;
        return;
    case MODEL_OP_FX_CREATE_DB: {
        size_t len = 0;
        if (c->name == NULL || model__basename(c->name, &len) != c->name || len == 0 ||
            len >= MODEL_MAX_NAME || c->arg == 0) {
            r->err = JET_errInvalidParameter;
            return;
        }
        if (in->in_progress_any) {
            /* §4.14: attach during any backup, a stopped one included (S12). */
            r->err = in->in_progress_local ? JET_errBackupInProgress
                                           : JET_errSurrogateBackupInProgress;
            model__rule(r, 20);
            return;
        }
        if (model__match_db(in, c->name, len) >= 0) {
            r->err = JET_errInvalidParameter;
            return;
        }
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            struct model__db *d = &in->db[i];
            if (d->pages == 0) {
                memset(d, 0, sizeof *d);
                memcpy(d->name, c->name, len);
                d->name_len = (uint8_t)len;
                d->pages = c->arg;
                model__db_tag_update(in, i);
                in->n_databases++;
                /* The new file replaces a detached one of that name. */
                int f = model__find_file(in->detached, MODEL__MAX_DETACHED, c->name, len);
                if (f >= 0) {
                    memset(&in->detached[f], 0, sizeof in->detached[f]);
                    in->n_detached--;
                }
                return;
            }
        }
        r->err = JET_errOutOfMemory;
        return;
    }
    case MODEL_OP_FX_DETACH_DB: {
        if (c->name == NULL || c->name[0] == '\0') {
            r->err = JET_errInvalidParameter;
            return;
        }
        if (in->in_progress_any) {
            r->err = in->in_progress_local ? JET_errBackupInProgress
                                           : JET_errSurrogateBackupInProgress;
            model__rule(r, 20);
            return;
        }
        size_t len;
        const char *base = model__basename(c->name, &len);
        int i = model__match_db(in, base, len);
        if (i < 0) {
            r->err = JET_errDatabaseNotFound;
            return;
        }
        /* A detach removes no file (§4.3 step 9): remember it as a plain file.
         * Its name is not in detached[] (an attach removes it from there). */
        int f = 0;
        while (f < MODEL__MAX_DETACHED && in->detached[f].pages != 0)
            f++;
        if (f == MODEL__MAX_DETACHED) {
            r->err = JET_errOutOfMemory; /* a model limit (model.h) */
            return;
        }
        memset(&in->detached[f], 0, sizeof in->detached[f]);
        memcpy(in->detached[f].name, in->db[i].name, sizeof in->db[i].name);
        in->detached[f].name_len = in->db[i].name_len;
        in->detached[f].pages = in->db[i].pages;
        in->n_detached++;
        memset(&in->db[i], 0, sizeof in->db[i]);
        model__db_tag_update(in, i);
        in->n_databases--;
        return;
    }
    case MODEL_OP_FX_ROLL_LOG:
        if (c->arg <= in->log_current || c->arg > MODEL__GEN_MAX) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->log_current = c->arg;
        return;
    case MODEL_OP_FX_SET_CHECKPOINT:
        if (c->arg < in->log_low || c->arg > in->log_current) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->checkpoint = c->arg;
        return;
    case MODEL_OP_FX_DELETE_LOG:
        if (!model__log_on_disk(in, c->arg)) {
            r->err = JET_errFileNotFound;
            return;
        }
        if (c->arg == in->log_low) {
            in->log_low++;
        } else {
            if (in->n_deleted >= MODEL__MAX_DELETED) {
                r->err = JET_errOutOfMemory;
                return;
            }
            in->deleted[in->n_deleted++] = c->arg;
        }
        model__normalise_logs(in);
        return;
    case MODEL_OP_FX_FORCE_STATE:
        /* Forced states accumulate; 0 clears them all (model choice). */
        if (c->arg == 0) {
            in->forced = 0;
            model__gate_update(in);
            return;
        }
        if (c->arg >= BACKSTOP_STATE__COUNT) {
            r->err = JET_errInvalidParameter;
            return;
        }
        in->forced |= MODEL__FORCED(c->arg);
        model__gate_update(in);
        return;
    default:
        r->err = JET_errInvalidParameter;
        return;
    }
}

/* ---------------------------------------------------------------------------
 * model_step.
 * ------------------------------------------------------------------------- */

/* V, L and G for a gated call (R1: before anything backup-specific). Returns
 * the instance, or NULL with r->err set. */
static inline struct model__inst *model__enter(struct model_world *w, JET_INSTANCE h,
                                               struct model_result *r)
{
    /* model__live_index, keeping the pointer. */
    uint64_t v = (uint64_t)h;
    struct model__inst *in = &w->inst[v & (MODEL_MAX_INSTANCES - 1u)];
    if (in->handle != v || v == 0) {
        int idx = model__resolve_slow(w, h, r);
        if (idx < 0) {
            model__rule(r, 1);
            return NULL;
        }
        in = &w->inst[idx];
    }
    if (in->gate_shut) {
        r->err = model__gate_fail(in, r);
        return NULL;
    }
    return in;
}

/* §2.5, R9, R15: a legacy call's mode check. Returns false with r->err set. */
static bool model__legacy_mode(const struct model_world *w, enum model_op op,
                               struct model_result *r)
{
    if (w->mode == MODEL_MODE_ONE)
        return true;
    r->err = w->mode == MODEL_MODE_MULTI ? JET_errRunningInMultiInstanceMode
                                         : JET_errInvalidParameter;
    model__rule(r, op == MODEL_OP_STOP_BACKUP ? 15 : 9);
    return false;
}

/*
 * One switch on the operation, one case per operation, so that a step costs a
 * single indirect jump; legacy calls pass their mode check and come back in as
 * their instance variant on table slot 0.
 */
void model_step(struct model_world *w, const struct model_call *c, struct model_result *r)
{
    memset(r, 0, sizeof *r);
    enum model_op op = c->op;
    JET_INSTANCE h = c->inst;
    struct model__inst *in;

again:
    switch (op) {
    case MODEL_OP_CREATE_INSTANCE:
        model__create_instance(w, c, r);
        return;
    case MODEL_OP_INIT:
        model__init(w, c, r);
        return;
    case MODEL_OP_TERM:
    case MODEL_OP_TERM2: {
        int idx = model__resolve(w, h, r);
        if (idx < 0)
            return;
        JET_GRBIT g = op == MODEL_OP_TERM ? MODEL__TERM_ABRUPT : c->grbit;
        if (op == MODEL_OP_TERM2 && g == 0 && model__documented(w))
            g = MODEL__TERM_ABRUPT; /* D13 */
        model__term(w, idx, g, r);
        return;
    }
    case MODEL_OP_STOP_SERVICE_INSTANCE: {
        int idx = model__resolve(w, h, r);
        if (idx < 0)
            return;
        w->inst[idx].service_stopped = 1; /* §4.12: no effect on the backup */
        model__gate_update(&w->inst[idx]);
        model__rule(r, 8);
        return;
    }
    case MODEL_OP_STOP_BACKUP_INSTANCE: {
        int idx = model__resolve(w, h, r);
        if (idx < 0) {
            model__rule(r, 11);
            return;
        }
        model__stop_backup(w, &w->inst[idx], r);
        return;
    }
    case MODEL_OP_BEGIN:
        if ((in = model__enter(w, h, r)) != NULL)
            model__begin(in, c->grbit, r);
        return;
    case MODEL_OP_GET_ATTACH_INFO:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_attach_info(w, in, c, r);
        return;
    case MODEL_OP_OPEN_FILE:
        if ((in = model__enter(w, h, r)) != NULL)
            model__open_file(w, in, c, r);
        return;
    case MODEL_OP_READ_FILE:
        if ((in = model__enter(w, h, r)) != NULL && !model__read_fast(w, in, c, r))
            model__read_file(w, in, c, r);
        return;
    case MODEL_OP_CLOSE_FILE:
        if ((in = model__enter(w, h, r)) != NULL)
            model__close_file(in, c, r);
        return;
    case MODEL_OP_GET_LOG_INFO:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_log_info1(w, in, c, r);
        return;
    case MODEL_OP_GET_LOG_INFO2:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_log_info2(w, in, c, r);
        return;
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        if ((in = model__enter(w, h, r)) != NULL)
            model__get_truncate_log_info(w, in, c, r);
        return;
    case MODEL_OP_TRUNCATE_LOG:
        if ((in = model__enter(w, h, r)) != NULL)
            model__truncate_log(in, r);
        return;
    case MODEL_OP_END:
        if ((in = model__enter(w, h, r)) != NULL)
            model__end(w, in, MODEL__END_NORMAL, r);
        return;
    case MODEL_OP_END2:
        if ((in = model__enter(w, h, r)) != NULL)
            model__end(w, in, c->grbit, r);
        return;
    case MODEL_OP_STOP_SERVICE:
    case MODEL_OP_STOP_BACKUP:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_CLOSE_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
    case MODEL_OP_END_LEGACY:
        if (!model__legacy_mode(w, op, r))
            return;
        op = model__instance_variant(op);
        h = (JET_INSTANCE)w->inst[0].handle;
        goto again;
    case MODEL_OP_FX_CONFIGURE:
    case MODEL_OP_FX_CREATE_DB:
    case MODEL_OP_FX_DETACH_DB:
    case MODEL_OP_FX_ROLL_LOG:
    case MODEL_OP_FX_SET_CHECKPOINT:
    case MODEL_OP_FX_DELETE_LOG:
    case MODEL_OP_FX_FORCE_STATE: {
        JET_ERR err;
        unsigned rule;
        int idx = model__lookup(w, h, &err, &rule);
        if (idx < 0) {
            r->err = JET_errInvalidParameter;
            return;
        }
        model__fixture(&w->inst[idx], c, r);
        return;
    }
    default:
        r->err = JET_errInvalidParameter; /* not an operation */
        return;
    }
}

/* ---------------------------------------------------------------------------
 * Read-only queries.
 * ------------------------------------------------------------------------- */

/* Stage L without V: the instance a handle names for the queries, or NULL. */
static const struct model__inst *model__find(const struct model_world *w, JET_INSTANCE h)
{
    JET_ERR err;
    unsigned rule;
    int idx = model__lookup(w, h, &err, &rule);
    return idx < 0 ? NULL : &w->inst[idx];
}

uint64_t model_fingerprint_instance(const struct model_world *w, JET_INSTANCE inst)
{
    const struct model__inst *in = model__find(w, inst);
    if (in == NULL)
        return 0;
    uint64_t h = model__hash(in, sizeof *in);
    return h != 0 ? h : 1;
}

/* Append bytes to a bounded buffer; returns the new logical length. */
static uint32_t model__put(char *buf, uint32_t cb, uint32_t at, const char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++, at++) {
        if (buf != NULL && at < cb)
            buf[at] = s[i];
    }
    return at;
}

static void model__log_name(uint32_t gen, char out[MODEL__LOG_NAME_BYTES])
{
    static const char hex[] = "0123456789ABCDEF";
    memcpy(out, "edb", 3);
    for (int i = 0; i < 8; i++)
        out[3 + i] = hex[(gen >> (28 - 4 * i)) & 0xFu];
    memcpy(out + 11, ".log", 5); /* with the NUL */
}

uint32_t model_list(const struct model_world *w, JET_INSTANCE inst, int which, char *buf,
                    uint32_t cb)
{
    const struct model__inst *in = model__find(w, inst);
    if (in == NULL || !in->in_progress_any || which < 0 || which > 2)
        return 0;
    uint32_t at = 0;
    if (which == 0) {
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            const struct model__db *d = &in->db[i];
            if (d->pages != 0)
                at = model__put(buf, cb, at, d->name, (uint32_t)d->name_len + 1u);
        }
        return model__put(buf, cb, at, "", 1);
    }
    uint32_t mic = which == 1 ? in->copy_mic : in->delete_mic;
    uint32_t mac = which == 1 ? in->copy_mac : in->delete_mac;
    uint64_t n = mac > mic ? mac - mic : 0;
    uint64_t size = n * MODEL__LOG_NAME_BYTES + 1u;
    if (size > UINT32_MAX)
        return 0;
    /* Write only what fits; the size is known without the loop. */
    for (uint32_t g = mic; g < mac && at < cb && buf != NULL; g++) {
        char name[MODEL__LOG_NAME_BYTES];
        model__log_name(g, name);
        at = model__put(buf, cb, at, name, MODEL__LOG_NAME_BYTES);
    }
    at = (uint32_t)(size - 1u);
    model__put(buf, cb, at, "", 1);
    return (uint32_t)size;
}

/* R50-R55, §6.3-§6.4. */
static bool model__gated(enum model_op op)
{
    switch (op) {
    case MODEL_OP_BEGIN:
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_READ_FILE:
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_END:
    case MODEL_OP_END2:
        return true;
    default:
        return false;
    }
}

static bool model__is_term(enum model_op op)
{
    return op == MODEL_OP_TERM || op == MODEL_OP_TERM2;
}

bool model_overlap_defined(enum model_op a, enum model_op b)
{
    if ((unsigned)a >= MODEL_OP__COUNT || (unsigned)b >= MODEL_OP__COUNT)
        return false;
    a = model__instance_variant(a);
    b = model__instance_variant(b);
    /* R50, R51, R53: Stop overlaps anything (L-Stop, L-Check). */
    if (a == MODEL_OP_STOP_BACKUP_INSTANCE || b == MODEL_OP_STOP_BACKUP_INSTANCE)
        return true;
    /* R52: Begin against Begin; the claim is atomic. */
    if (a == MODEL_OP_BEGIN && b == MODEL_OP_BEGIN)
        return true;
    /* R54: JetTerm waits out in-flight gated calls; later ones get -1000. */
    if ((model__is_term(a) && model__gated(b)) || (model__gated(a) && model__is_term(b)))
        return true;
    return false; /* R55 */
}

enum model_mode model_mode(const struct model_world *w)
{
    return (enum model_mode)w->mode;
}

void model_view(const struct model_world *w, JET_INSTANCE inst, struct model_view *out)
{
    memset(out, 0, sizeof *out);
    const struct model__inst *in = model__find(w, inst);
    if (in == NULL) {
        out->life = MODEL_LIFE_TERMINATED;
        return;
    }
    out->found = true;
    out->life = (enum model_life)in->life;
    out->backup_allowed = in->backup_allowed;
    out->service_stopped = in->service_stopped;
    out->logging_disabled = in->logging_disabled;
    out->circular = in->circular;
    out->has_log = !(in->forced & MODEL__FORCED(BACKSTOP_STATE_NO_LOG));
    for (uint32_t s = 1; s < BACKSTOP_STATE__COUNT; s++) {
        if (in->forced & MODEL__FORCED(s)) {
            out->forced_state = s; /* the lowest forced state */
            break;
        }
    }
    out->in_progress_any = in->in_progress_any;
    out->in_progress_local = in->in_progress_local;
    out->stop = in->stop;
    out->full = in->full;
    out->logs_truncated = in->logs_truncated;
    out->began_new_log = in->began_new_log;
    out->phase = (enum model_phase)in->phase;
    out->slot_in_use = in->slot_in_use;
    out->slot_is_db = in->slot_is_db;
    out->slot_is_log = in->slot_is_log;
    out->slot_ib = in->slot_ib;
    out->slot_cb = in->slot_cb;
    out->slot_lgen = in->slot_lgen;
    out->slots_ever_used = in->slots_ever_used;
    out->copy_mic = in->copy_mic;
    out->copy_mac = in->copy_mac;
    out->delete_mic = in->delete_mic;
    out->delete_mac = in->delete_mac;
    out->gen_copy_done = in->gen_copy_done > UINT32_MAX ? UINT32_MAX : (uint32_t)in->gen_copy_done;
    out->log_low = in->log_low;
    out->log_current = in->log_current;
    out->checkpoint = in->checkpoint;
    out->n_databases = in->n_databases;
}
