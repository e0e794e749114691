/*
 * model_open.c: OpenFile (§4.3, R34-R38) for the model (model_int.h), and its
 * file names: base names, the case-insensitive database lookup by per-database
 * tags, and log names "edbXXXXXXXX.log". Apart from model.c because the names
 * are a concern of their own (byte and word tricks); OpenFile is a fifth of the
 * steps of a backup, so they are written for speed and tested against a
 * byte-by-byte reading in tests/model_test.c.
 */
#include <string.h>

#include "model_int.h"

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
const char *model__basename(const char *path, size_t *len)
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
int model__find_file(const struct model__db *files, int n, const char *base, size_t len)
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

void model__db_tag_update(struct model__inst *in, int i)
{
    const struct model__db *d = &in->db[i];
    in->db_tag[i] = d->pages != 0 ? model__name_tag(d->name, d->name_len) : 0;
}

/* The attached database named s (n bytes, no separator needed: a name with
 * one matches no entry), any case, or -1. The tags pick the candidates with
 * one compare of four 16-bit lanes. */
static inline int model__match_db_in(const struct model__inst *in, const char *s, size_t n)
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
    int db = model__match_db_in(in, path, n);
    if (db >= 0)
        return db;
    *gen = model__log_gen(path, n);
    if (*gen != 0)
        return -1;
    *base = model__basename(path, len);
    if (*base == path)
        return -1;
    db = model__match_db_in(in, *base, *len);
    if (db < 0)
        *gen = model__log_gen(*base, *len);
    return db;
}

int model__match_db(const struct model__inst *in, const char *s, size_t n)
{
    return model__match_db_in(in, s, n);
}

/* ---------------------------------------------------------------------------
 * OpenFile.
 * ------------------------------------------------------------------------- */

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
void model__open_file(struct model_world *w, struct model__inst *in,
                             const struct model_call *c, struct model_result *r)
{
    const char *name = c->name;
    if (model__hot(in) != MODEL__HOT(0, 1, 0, 0) || (c->flags & MODEL_CALL_NAME_NULL) ||
        name == NULL || name[0] == '\0' || c->fault == MODEL_FAULT_NOMEM) {
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
            in->db[in->slot_db].in_session = in->db[in->slot_db].edb_done = 0;
        in->slot_is_db = in->slot_is_log = 0;
        in->slot_cb = 0;
        goto failed;
    }
    /* A database OpenFile opens joins the session (backup.cxx:2396). */
    in->db[in->slot_db].in_session |= in->slot_is_db;
    r->hf = 0; /* R34: always slot 0 */
    r->size = in->slot_cb;
    r->outs |= MODEL_OUT_HF;
    model__rule_first(r, 34);
    return;
failed:
    model__open_failed(w, in, err, r);
}
