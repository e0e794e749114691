/*
 * files.c: the on-disk formats of the engine and the operations on an
 * instance's files (through the store). All integers are in native byte order;
 * the files are scratch data of one run, not an interchange format.
 *
 *   database  pgnoLast + 3 pages of page_size. Pages 0 and 1 are the header
 *             (identical copies); page pgno (1..pgnoLast) sits at offset
 *             (pgno + 1) * page_size; the last page is a third copy of the
 *             header (a shadow at the end). So the file is laid out exactly as
 *             §3.3 streams a database, and a backup copy of an unchanged
 *             database is byte-identical to its file. Every page: [0] u32
 *             checksum of bytes 4..end, [4] u32 pgno (0 for header pages), then
 *             payload. Header payload: magic "BSDB", version, page size,
 *             pgnoLast, signature, backup records (local full, incremental),
 *             name, surrogate full backup record.
 *   log       log_size bytes in 512-byte blocks: [0] u32 checksum of bytes
 *             4..511, [4] u32 generation, [8] u32 block index, [12] magic
 *             "BSLG", [16] u32 log size, then payload.
 *   edb.chk   one 512-byte block: [0] checksum, [4] magic "BSCK", [8] u32
 *             checkpoint generation, zero after.
 *
 * Payload bytes are pseudo-random, derived from the engine seed, so a copy that
 * is off by one page or one block never compares equal by accident. Databases
 * and logs are created as generated files (store.h): the memory store makes
 * their bytes only when they are read; the directory store gets them written.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define DB_MAGIC 0x42445342u  /* "BSDB" */
#define LOG_MAGIC 0x474C5342u /* "BSLG" */
#define CHK_MAGIC 0x4B435342u /* "BSCK" */
#define CHK_NAME "edb.chk"

static void put32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static uint32_t get32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static void put64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Fill n bytes (a multiple of 8) with a stream determined by key. */
static void fill_payload(unsigned char *p, size_t n, uint64_t key)
{
    uint64_t s = mix64(key);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        s += 0x9E3779B97F4A7C15ull;
        put64(p + i, mix64(s));
    }
}

const char *engine__basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* dir + "/" + base, truncated to ENGINE_PATH_MAX (callers check lengths first). */
void engine__inst_path(const struct eng_inst *inst, const char *base, char *buf)
{
    size_t nd = inst->dir_len, nb = strlen(base);
    if (nd > ENGINE_PATH_MAX - 2)
        nd = ENGINE_PATH_MAX - 2;
    if (nb > ENGINE_PATH_MAX - 2 - nd)
        nb = ENGINE_PATH_MAX - 2 - nd;
    memcpy(buf, inst->dir, nd);
    buf[nd] = '/';
    memcpy(buf + nd + 1, base, nb);
    buf[nd + 1 + nb] = '\0';
}

/* "edbXXXXXXXX.log": 8 upper-case hex digits, 16 bytes with the NUL. The
 * digits are made all at once: each nibble spread to a byte (lowest first),
 * turned into its digit ('0' + d, plus 7 from 10 on: 'A'), byte-swapped. */
void engine__log_name(uint32_t gen, char *buf)
{
    uint64_t x = gen;
    x = ((x & 0xFFFF0000ull) << 16) | (x & 0xFFFFull);
    x = ((x & 0x0000FF000000FF00ull) << 8) | (x & 0x000000FF000000FFull);
    x = ((x & 0x00F000F000F000F0ull) << 4) | (x & 0x000F000F000F000Full);
    uint64_t ten_up = ((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;
    x += 0x3030303030303030ull + ten_up * 7;
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x); /* the highest digit first in memory */
#endif
    memcpy(buf, "edb", 3);
    memcpy(buf + 3, &x, 8);
    memcpy(buf + 11, ".log", 5);
}

/* engine__inst_path(inst, engine__log_name(gen)); a directory is far shorter
 * than ENGINE_PATH_MAX - 16 (ENGINE_DIR_MAX). */
void engine__log_path(const struct eng_inst *inst, uint32_t gen, char *buf)
{
    _Static_assert(ENGINE_DIR_MAX + 17 <= ENGINE_PATH_MAX, "a log path fits");
    memcpy(buf, inst->dir, inst->dir_len);
    buf[inst->dir_len] = '/';
    engine__log_name(gen, buf + inst->dir_len + 1);
}

bool engine__parse_log_name(const char *base, uint32_t *gen)
{
    /* edb + 8 hex digits + .log */
    if (strlen(base) != 15 || strncmp(base, "edb", 3) != 0 || strcmp(base + 11, ".log") != 0)
        return false;
    uint32_t g = 0;
    for (int i = 3; i < 11; i++) {
        char c = base[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return false;
        g = (g << 4) | d;
    }
    *gen = g;
    return true;
}

/*
 * The page checksum: bytes 4..n of a page (n a multiple of 8, at least 16). Two
 * 64-bit accumulators over the words at 8..n, xor and sum, folded; the u32 at
 * offset 4 is mixed in separately so the loop stays aligned. With GCC or clang
 * the lanes are vector types, so the loop is SIMD at any optimisation level;
 * the result is the same either way. Split in two (cks_acc, cks_fin) because
 * xor and sum do not see zero words and do not care about order: a page whose
 * tail is zero is summed over its prefix only (headers), and a log block's sums
 * do not depend on its generation, so a block is sealed for any generation
 * from sums kept once (the log template below).
 */
struct cks {
    uint64_t x, s;
};

/* Add the words at [from, to) of p (both multiples of 8) into c. */
static void cks_acc(struct cks *c, const unsigned char *p, size_t from, size_t to)
{
    size_t i = from;
#if defined(__GNUC__) || defined(__clang__)
    typedef uint64_t v2u64 __attribute__((vector_size(16)));
    v2u64 x0 = {0, 0}, x1 = {0, 0}, s0 = {0, 0}, s1 = {0, 0};
    for (; i + 64 <= to; i += 64) { /* 64 bytes a turn: fewer loop instructions */
        v2u64 a, b, a2, b2;
        memcpy(&a, p + i, 16);
        memcpy(&b, p + i + 16, 16);
        memcpy(&a2, p + i + 32, 16);
        memcpy(&b2, p + i + 48, 16);
        x0 ^= a ^ a2;
        s0 += a + a2;
        x1 ^= b ^ b2;
        s1 += b + b2;
    }
    for (; i + 32 <= to; i += 32) {
        v2u64 a, b;
        memcpy(&a, p + i, 16);
        memcpy(&b, p + i + 16, 16);
        x0 ^= a;
        s0 += a;
        x1 ^= b;
        s1 += b;
    }
    c->x ^= x0[0] ^ x0[1] ^ x1[0] ^ x1[1];
    c->s += s0[0] + s0[1] + s1[0] + s1[1];
#endif
    for (; i < to; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        c->x ^= w;
        c->s += w;
    }
}

/* The part of the sums that does not depend on the u32 at offset 4. */
static uint64_t cks_body(const struct cks *c)
{
    return c->x ^ mix64(c->s);
}

/* The part that depends only on the u32 at offset 4 and the length. */
static uint64_t cks_head(uint32_t word4, size_t n)
{
    return mix64(((uint64_t)word4 << 32) ^ (uint64_t)n);
}

static uint32_t cks_join(uint64_t body, uint64_t head)
{
    return (uint32_t)(mix64(body ^ head) >> 16);
}

static uint32_t cks_fin(uint64_t body, uint32_t word4, size_t n)
{
    return cks_join(body, cks_head(word4, n));
}

uint32_t engine__checksum(const unsigned char *page, size_t n)
{
    struct cks c = {0, 0};
    cks_acc(&c, page, 8, n);
    return cks_fin(cks_body(&c), get32(page + 4), n);
}

static void seal(unsigned char *page, size_t n)
{
    put32(page, engine__checksum(page, n));
}

/* A header page is zero from HDR_BYTES on: its first HDR_BYTES bytes, sealed
 * for a page of ps bytes, are all that differs between two headers. */
#define HDR_BYTES 144u

static void db_header_prefix(const struct engine__db_header *h, unsigned char *page, size_t ps)
{
    memset(page, 0, HDR_BYTES);
    put32(page + 4, 0);
    put32(page + 8, DB_MAGIC);
    put32(page + 12, 1);
    put32(page + 16, h->page_size);
    put32(page + 20, h->pgno_last);
    put64(page + 24, h->signature);
    put32(page + 32, h->full_low);
    put32(page + 36, h->full_high);
    put32(page + 40, h->full_count);
    put32(page + 44, h->inc_low);
    put32(page + 48, h->inc_high);
    put32(page + 52, h->inc_count);
    memcpy(page + 64, h->name, sizeof h->name);
    put32(page + 128, h->sfull_low);
    put32(page + 132, h->sfull_high);
    put32(page + 136, h->sfull_count);
    struct cks c = {0, 0};
    cks_acc(&c, page, 8, HDR_BYTES); /* the zero tail adds nothing */
    put32(page, cks_fin(cks_body(&c), 0, ps));
}

void engine__db_header_encode(const struct engine__db_header *h, unsigned char *page, size_t ps)
{
    memset(page + HDR_BYTES, 0, ps - HDR_BYTES);
    db_header_prefix(h, page, ps);
}

static void db_page_fill(unsigned char *page, size_t ps, uint32_t pgno, uint64_t signature)
{
    put32(page + 4, pgno);
    fill_payload(page + 8, ps - 8, signature ^ ((uint64_t)pgno * 0xA0761D6478BD642Full));
    seal(page, ps);
}

bool engine__db_page_ok(const unsigned char *page, size_t ps, uint32_t pgno)
{
    return get32(page + 4) == pgno && get32(page) == engine__checksum(page, ps);
}

static void log_block_fill(unsigned char *b, uint32_t gen, uint32_t index, uint32_t log_size,
                           uint64_t seed)
{
    put32(b + 4, gen);
    put32(b + 8, index);
    put32(b + 12, LOG_MAGIC);
    put32(b + 16, log_size);
    put32(b + 20, 0);
    fill_payload(b + 24, ENGINE_LOG_BLOCK - 24, seed ^ (uint64_t)index ^ 0x5851F42D4C957F2Dull);
    seal(b, ENGINE_LOG_BLOCK);
}

bool engine__log_blocks_ok(const unsigned char *buf, size_t n, uint32_t gen, uint64_t block0)
{
    if (n % ENGINE_LOG_BLOCK != 0)
        return false;
    for (size_t off = 0; off < n; off += ENGINE_LOG_BLOCK) {
        const unsigned char *b = buf + off;
        if (get32(b + 4) != gen || get32(b + 8) != (uint32_t)(block0 + off / ENGINE_LOG_BLOCK)
            || get32(b + 12) != LOG_MAGIC || get32(b) != engine__checksum(b, ENGINE_LOG_BLOCK))
            return false;
    }
    return true;
}

/*
 * A database file as a generated file (store.h): unit k is page k of the file;
 * units 0, 1 and pgnoLast + 2 are the header from meta (its sealed prefix,
 * zero after), the others page k - 1 made from the signature.
 */
static void db_unit_fill(const struct store_gen *g, uint64_t k, uint64_t n, unsigned char *out)
{
    size_t ps = g->unit;
    for (; n > 0; n--, k++, out += ps) {
        if (k < 2 || k == g->key[1] + 2) {
            memcpy(out, g->meta, HDR_BYTES);
            memset(out + HDR_BYTES, 0, ps - HDR_BYTES);
        } else {
            db_page_fill(out, ps, (uint32_t)(k - 1), g->key[0]);
        }
    }
}

/* Create a database file: header pages, pages 1..pgno_last, the trailing
 * header copy. On success db->file is open read-write. */
int engine__db_create_file(struct engine *e, struct eng_inst *inst, struct eng_db *db)
{
    size_t ps = inst->page_size;
    _Static_assert(HDR_BYTES <= sizeof ((struct store_gen *)0)->meta, "header prefix fits");
    struct store_gen g = {.size = ((uint64_t)db->pgno_last + 3) * ps, .unit = (uint32_t)ps,
                          .cache = 1, .fill = db_unit_fill,
                          .key = {db->hdr.signature, db->pgno_last}};
    db_header_prefix(&db->hdr, g.meta, ps);
    int rc = store_create_generated(&e->store, db->path, &g, &db->file);
    if (rc != STORE_OK)
        db->file = NULL;
    return rc;
}

/* Rewrite the three header copies from db->hdr (cleanup's header update,
 * §4.9.2 d). Only the prefix is written: every header the file ever held is
 * zero from HDR_BYTES on (db_unit_fill, and this function), and the checksum
 * sealed into the prefix is that of the whole page. */
int engine__db_write_header(struct engine *e, struct eng_inst *inst, struct eng_db *db)
{
    size_t ps = inst->page_size;
    unsigned char prefix[HDR_BYTES];
    db_header_prefix(&db->hdr, prefix, ps);
    int rc = store_pwrite(&e->store, db->file, prefix, sizeof prefix, 0);
    if (rc == STORE_OK)
        rc = store_pwrite(&e->store, db->file, prefix, sizeof prefix, ps);
    if (rc == STORE_OK)
        rc = store_pwrite(&e->store, db->file, prefix, sizeof prefix,
                          ((uint64_t)db->pgno_last + 2) * ps);
    return rc;
}

/*
 * Logs. The payload of every block depends only on the seed, the log size and
 * the block index, not on the generation. So an engine keeps, per log size, one
 * template: the blocks stamped with generation 0, and for each block the part
 * of its checksum that the generation does not change. A log file is a
 * generated file (store.h) whose block k is the template's block k with the
 * generation stamped and the checksum finished: a roll costs no bytes, a read
 * one copy. The template is made on the first read, under the engine's
 * template lock; templates live as long as the engine (they outlive the store).
 */
struct engine__logtmpl {
    struct engine__logtmpl *next;
    uint32_t log_size;
    uint64_t seed;
    atomic_bool ready;
    pthread_mutex_t *mu;      /* the engine's tmpl_mu */
    unsigned char *image;     /* log_size bytes */
    uint64_t *body;           /* per block: cks_body of its bytes 8..511 */
};

static const struct engine__logtmpl *logtmpl_ready(struct engine__logtmpl *t)
{
    if (atomic_load_explicit(&t->ready, memory_order_acquire))
        return t;
    pthread_mutex_lock(t->mu);
    if (!atomic_load_explicit(&t->ready, memory_order_relaxed)) {
        size_t nb = t->log_size / ENGINE_LOG_BLOCK;
        for (size_t k = 0; k < nb; k++) {
            unsigned char *b = t->image + k * ENGINE_LOG_BLOCK;
            log_block_fill(b, 0, (uint32_t)k, t->log_size, t->seed);
            struct cks c = {0, 0};
            cks_acc(&c, b, 8, ENGINE_LOG_BLOCK);
            t->body[k] = cks_body(&c);
        }
        atomic_store_explicit(&t->ready, true, memory_order_release);
    }
    pthread_mutex_unlock(t->mu);
    return t;
}

static void log_unit_fill(const struct store_gen *g, uint64_t k, uint64_t n, unsigned char *out)
{
    /* ctx is the engine's template; only logtmpl_ready writes to it. */
    struct engine__logtmpl *mt;
    memcpy(&mt, &g->ctx, sizeof mt);
    const struct engine__logtmpl *t = logtmpl_ready(mt);
    uint32_t gen = (uint32_t)g->key[0];
    uint64_t head = cks_head(gen, ENGINE_LOG_BLOCK); /* the same for every block */
    memcpy(out, t->image + k * ENGINE_LOG_BLOCK, n * ENGINE_LOG_BLOCK);
    for (uint64_t i = 0; i < n; i++, out += ENGINE_LOG_BLOCK) {
        put32(out + 4, gen);
        put32(out, cks_join(t->body[k + i], head));
    }
}

/* The template for log_size (made empty if new; filled on first use). */
static struct engine__logtmpl *logtmpl_get(struct engine *e, uint32_t log_size)
{
    pthread_mutex_lock(&e->tmpl_mu);
    struct engine__logtmpl *t = e->logtmpls;
    while (t != NULL && t->log_size != log_size)
        t = t->next;
    if (t == NULL && (t = calloc(1, sizeof *t)) != NULL) {
        t->image = malloc(log_size);
        t->body = malloc(log_size / ENGINE_LOG_BLOCK * sizeof *t->body);
        if (t->image == NULL || t->body == NULL) {
            free(t->image);
            free(t->body);
            free(t);
            t = NULL;
        } else {
            t->log_size = log_size;
            t->seed = e->cfg.seed;
            t->mu = &e->tmpl_mu;
            atomic_init(&t->ready, false);
            t->next = e->logtmpls;
            e->logtmpls = t;
        }
    }
    pthread_mutex_unlock(&e->tmpl_mu);
    return t;
}

void engine__logtmpl_free_all(struct engine *e)
{
    while (e->logtmpls != NULL) {
        struct engine__logtmpl *t = e->logtmpls;
        e->logtmpls = t->next;
        free(t->image);
        free(t->body);
        free(t);
    }
}

/* Write log generation `gen` (a generated file, see above). */
int engine__log_write(struct engine *e, struct eng_inst *inst, uint32_t gen)
{
    char path[ENGINE_PATH_MAX];
    struct engine__logtmpl *t = logtmpl_get(e, inst->log_size);
    if (t == NULL)
        return STORE_ENOMEM;
    struct store_gen g = {.size = inst->log_size, .unit = ENGINE_LOG_BLOCK, .cache = 0,
                          .fill = log_unit_fill, .ctx = t, .key = {gen}};
    engine__log_path(inst, gen, path);
    struct store_file *f;
    int rc = store_create_generated(&e->store, path, &g, &f);
    if (rc == STORE_OK)
        store_close(&e->store, f);
    return rc;
}

/* edb.chk is zero from CHK_BYTES on, so the sealed prefix (in meta) is the
 * whole description of its one block: a generated file (store.h). */
#define CHK_BYTES 16u

static void chk_unit_fill(const struct store_gen *g, uint64_t k, uint64_t n, unsigned char *out)
{
    (void)k; /* one unit */
    for (; n > 0; n--, out += g->unit) {
        memcpy(out, g->meta, CHK_BYTES);
        memset(out + CHK_BYTES, 0, g->unit - CHK_BYTES);
    }
}

int engine__chk_write(struct engine *e, struct eng_inst *inst, uint32_t gen)
{
    char path[ENGINE_PATH_MAX];
    struct store_gen g = {.size = ENGINE_LOG_BLOCK, .unit = ENGINE_LOG_BLOCK, .cache = 0,
                          .fill = chk_unit_fill};
    put32(g.meta + 4, CHK_MAGIC);
    put32(g.meta + 8, gen);
    struct cks c = {0, 0};
    cks_acc(&c, g.meta, 8, CHK_BYTES); /* the zero tail adds nothing */
    put32(g.meta, cks_fin(cks_body(&c), CHK_MAGIC, ENGINE_LOG_BLOCK));
    engine__inst_path(inst, CHK_NAME, path);
    struct store_file *f;
    int rc = store_create_generated(&e->store, path, &g, &f);
    if (rc == STORE_OK)
        store_close(&e->store, f);
    return rc;
}

/* Begin's checkpoint read (§4.1 step 16): -542 if missing, -533 if unreadable. */
JET_ERR engine__chk_read(struct engine *e, struct eng_inst *inst, uint32_t *gen)
{
    char path[ENGINE_PATH_MAX];
    unsigned char b[ENGINE_LOG_BLOCK];
    size_t got = 0;
    int made = 0;
    struct store_file *f;
    engine__inst_path(inst, CHK_NAME, path);
    int rc = store_open(&e->store, path, STORE_RDONLY, &f);
    if (rc == STORE_ENOENT)
        return JET_errCheckpointFileNotFound;
    if (rc != STORE_OK)
        return JET_errCheckpointCorrupt;
    rc = store_pread_made(&e->store, f, b, sizeof b, 0, &got, &made);
    store_close(&e->store, f);
    /* made: chk_unit_fill's sealed block, never stored (as ReadFile, README) */
    if (rc != STORE_OK || got != sizeof b || get32(b + 4) != CHK_MAGIC
        || (!made && get32(b) != engine__checksum(b, sizeof b)))
        return JET_errCheckpointCorrupt;
    *gen = get32(b + 8);
    return JET_errSuccess;
}

uint32_t engine__log_lowest(struct engine *e, struct eng_inst *inst)
{
    char path[ENGINE_PATH_MAX];
    while (inst->log_low != 0 && inst->log_low <= inst->log_cur) {
        engine__log_path(inst, inst->log_low, path);
        if (store_exists(&e->store, path))
            return inst->log_low;
        inst->log_low++; /* nothing ever re-creates an older generation */
    }
    return 0;
}

uint32_t engine__log_highest(struct engine *e, struct eng_inst *inst)
{
    char path[ENGINE_PATH_MAX];
    uint32_t low = engine__log_lowest(e, inst);
    if (low == 0)
        return 0;
    for (uint32_t g = inst->log_cur; g > low; g--) {
        engine__log_path(inst, g, path);
        if (store_exists(&e->store, path))
            return g;
    }
    return low;
}

JET_ERR engine__inst_init_files(struct engine *e, struct eng_inst *inst)
{
    if (store_dir_make(&e->store, inst->dir, 1) != STORE_OK)
        return JET_errDiskIO;
    if (engine__log_write(e, inst, 1) != STORE_OK || engine__chk_write(e, inst, 1) != STORE_OK)
        return JET_errDiskIO;
    inst->log_low = 1;
    inst->log_cur = 1;
    inst->checkpoint = 1;
    return JET_errSuccess;
}

void engine__db_free(struct engine *e, struct eng_db *db)
{
    if (db == NULL)
        return;
    store_close(&e->store, db->file);
    free(db->snapshot);
    free(db);
}
