/*
 * store_mem.c: the memory store: files are named byte buffers in a hash table,
 * with the same layout as the directory store's files. It makes no system
 * call, so benchmarks measure the engine rather than the kernel.
 *
 * Semantics follow POSIX where the engine relies on them: an unlinked file stays
 * readable through handles already open; STORE_CREATE truncates. Directories are
 * only path prefixes: dir_create(wipe) and dir_remove drop every file named
 * "<dir>/<x>" with no further '/'.
 *
 * Generated files (store.h) keep their description and an array of the units
 * made so far: a unit is made when it is read (kept if the description says
 * cache, else made again at every read) or when a write touches it; a write
 * past the end turns the file into a plain buffer. So creating a database or a
 * log costs no bytes, and reading one returns exactly what writing it out
 * would have stored. A flag per unit records whether a write touched it, so a
 * read can say that its bytes are the fill's own (store_ops.pread's *made).
 *
 * Locking: the name table (buckets and the list of all nodes) is under one
 * mutex; a file's bytes are not locked (store.h states who may write them while
 * others read). Units made by concurrent readers are published with a CAS.
 * A handle is the file's data itself, counted in `refs`: opening allocates
 * nothing.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define MEM_BUCKETS 64u

/* A file's data; a handle is a pointer to it. */
struct store_file {
    atomic_uint refs; /* the name table's reference plus one per open handle */
    unsigned char *buf; /* plain file: size bytes in a buffer of cap */
    size_t size, cap;
    struct store_gen gen;              /* generated file when gen.fill != NULL */
    /* Its units made so far, or NULL; the allocation continues with one flag
     * per unit (unit_written), set once a write touched the unit. */
    _Atomic(unsigned char *) *_Atomic units;
};

struct mem_node {
    struct mem_node *next;             /* in its bucket */
    struct mem_node *all_prev, *all_next; /* in the list of every node */
    struct store_file *data;
    uint32_t bucket;   /* path_hash(path) */
    size_t dir_len;    /* path[dir_len] is its last '/' */
    uint32_t dir_hash; /* name_hash of path[0..dir_len) */
    char path[];
};

struct mem_store {
    pthread_mutex_t mu; /* protects buckets, the list and every node */
    struct mem_node *buckets[MEM_BUCKETS];
    struct mem_node *all; /* the list of every node, newest first */
};

/* A hash of s[0..n): eight bytes a turn (paths are hashed at every open,
 * exists and unlink), the result taken from the high bits of a last multiply. */
static uint32_t name_hash(const char *s, size_t n)
{
    const uint64_t k = 0xFF51AFD7ED558CCDull;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t t = 0;
    for (; i < n; i++)
        t = (t << 8) | (unsigned char)s[i];
    h = (h ^ t) * k;
    return (uint32_t)(h >> 32);
}

static uint32_t path_hash(const char *s)
{
    return name_hash(s, strlen(s)) % MEM_BUCKETS;
}

static uint64_t gen_units(const struct store_file *d)
{
    return d->gen.size / d->gen.unit;
}

/* The written flags that follow the unit array units of d. */
static atomic_uchar *unit_written(const struct store_file *d, _Atomic(unsigned char *) *units)
{
    return (atomic_uchar *)(void *)(units + gen_units(d));
}

/* Drop the contents: a plain empty file. Nobody else may use d meanwhile. */
static void data_clear(struct store_file *d)
{
    _Atomic(unsigned char *) *units = atomic_load_explicit(&d->units, memory_order_acquire);
    if (units != NULL) {
        for (uint64_t k = 0; k < gen_units(d); k++)
            free(atomic_load_explicit(&units[k], memory_order_relaxed));
        free((void *)units);
        atomic_store_explicit(&d->units, NULL, memory_order_relaxed);
    }
    d->gen.fill = NULL;
    d->size = 0;
}

static void data_unref(struct store_file *d)
{
    if (atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) == 1) {
        data_clear(d);
        free(d->buf);
        free(d);
    }
}

/* Caller holds mu. */
static struct mem_node **node_find(struct mem_store *m, const char *path)
{
    struct mem_node **pp = &m->buckets[path_hash(path)];
    while (*pp != NULL && strcmp((*pp)->path, path) != 0)
        pp = &(*pp)->next;
    return pp;
}

/* The link that points to node n. Caller holds mu. */
static struct mem_node **node_link(struct mem_store *m, struct mem_node *n)
{
    struct mem_node **pp = &m->buckets[n->bucket];
    while (*pp != n)
        pp = &(*pp)->next;
    return pp;
}

/* Caller holds mu. */
static void node_unlink(struct mem_store *m, struct mem_node **pp)
{
    struct mem_node *n = *pp;
    *pp = n->next;
    if (n->all_prev != NULL)
        n->all_prev->all_next = n->all_next;
    else
        m->all = n->all_next;
    if (n->all_next != NULL)
        n->all_next->all_prev = n->all_prev;
    data_unref(n->data);
    free(n);
}

/* Remove every file directly inside `dir`: the nodes whose directory part
 * (up to the last '/') is dir. */
static void mem_wipe(struct mem_store *m, const char *dir)
{
    size_t n_dir = strlen(dir);
    uint32_t h = name_hash(dir, n_dir);
    pthread_mutex_lock(&m->mu);
    for (struct mem_node *n = m->all, *next; n != NULL; n = next) {
        next = n->all_next;
        if (n->dir_hash == h && n->dir_len == n_dir && memcmp(n->path, dir, n_dir) == 0)
            node_unlink(m, node_link(m, n));
    }
    pthread_mutex_unlock(&m->mu);
}

static int mem_dir_create(void *ctx, const char *path, int wipe)
{
    if (wipe)
        mem_wipe(ctx, path);
    return STORE_OK;
}

static int mem_dir_remove(void *ctx, const char *path)
{
    mem_wipe(ctx, path);
    return STORE_OK;
}

/* Find or (mode STORE_CREATE) make the file at path, truncated if it exists;
 * returns it with a handle's reference. Caller holds mu. */
static int node_open(struct mem_store *m, const char *path, enum store_mode mode,
                     struct store_file **out)
{
    struct mem_node **pp = node_find(m, path);
    if (*pp == NULL) {
        if (mode != STORE_CREATE)
            return STORE_ENOENT;
        size_t len = strlen(path) + 1;
        struct mem_node *n = malloc(sizeof *n + len);
        struct store_file *d = calloc(1, sizeof *d);
        if (n == NULL || d == NULL) {
            free(n);
            free(d);
            return STORE_ENOMEM;
        }
        atomic_init(&d->refs, 1);
        atomic_init(&d->units, NULL);
        memcpy(n->path, path, len);
        const char *slash = strrchr(path, '/');
        n->dir_len = slash != NULL ? (size_t)(slash - path) : SIZE_MAX;
        n->dir_hash = slash != NULL ? name_hash(path, n->dir_len) : 0;
        n->data = d;
        n->bucket = path_hash(path);
        n->next = NULL;
        n->all_prev = NULL;
        n->all_next = m->all;
        if (m->all != NULL)
            m->all->all_prev = n;
        m->all = n;
        *pp = n;
    } else if (mode == STORE_CREATE) {
        data_clear((*pp)->data);
    }
    struct store_file *d = (*pp)->data;
    atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
    *out = d;
    return STORE_OK;
}

static int mem_open(void *ctx, const char *path, enum store_mode mode, struct store_file **out)
{
    struct mem_store *m = ctx;
    pthread_mutex_lock(&m->mu);
    int rc = node_open(m, path, mode, out);
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int mem_create_gen(void *ctx, const char *path, const struct store_gen *g,
                          struct store_file **out)
{
    struct mem_store *m = ctx;
    pthread_mutex_lock(&m->mu);
    int rc = node_open(m, path, STORE_CREATE, out);
    if (rc == STORE_OK)
        (*out)->gen = *g;
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static void mem_close(void *ctx, struct store_file *f)
{
    (void)ctx;
    data_unref(f);
}

/* The unit array of a generated file, made on first use. */
static _Atomic(unsigned char *) *gen_unit_array(struct store_file *d)
{
    _Atomic(unsigned char *) *units = atomic_load_explicit(&d->units, memory_order_acquire);
    if (units != NULL)
        return units;
    _Atomic(unsigned char *) *fresh = calloc(1, gen_units(d) * (sizeof *fresh + 1));
    if (fresh == NULL)
        return NULL;
    if (atomic_compare_exchange_strong_explicit(&d->units, &units, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    free((void *)fresh);
    return units;
}

/* Unit k of a generated file as a kept buffer: made (filled unless the caller
 * overwrites all of it) and published if it was not. NULL when out of memory. */
static unsigned char *gen_unit_keep(struct store_file *d, uint64_t k, int fill)
{
    _Atomic(unsigned char *) *units = gen_unit_array(d);
    if (units == NULL)
        return NULL;
    unsigned char *p = atomic_load_explicit(&units[k], memory_order_acquire);
    if (p != NULL)
        return p;
    unsigned char *fresh = malloc(d->gen.unit);
    if (fresh == NULL)
        return NULL;
    if (fill)
        d->gen.fill(&d->gen, k, 1, fresh);
    if (atomic_compare_exchange_strong_explicit(&units[k], &p, fresh, memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    free(fresh);
    return p;
}

/* Read [off, off + n) of a generated file, all inside it; *made = 0 if a unit
 * read was written (store_ops.pread). */
static int gen_read(struct store_file *d, unsigned char *out, size_t n, uint64_t off, int *made)
{
    const size_t unit = d->gen.unit;
    _Atomic(unsigned char *) *units = atomic_load_explicit(&d->units, memory_order_acquire);
    while (n > 0) {
        uint64_t k = off / unit;
        size_t within = (size_t)(off % unit);
        size_t take = unit - within < n ? unit - within : n;
        unsigned char *p = units ? atomic_load_explicit(&units[k], memory_order_acquire) : NULL;
        if (p == NULL && d->gen.cache) {
            if ((p = gen_unit_keep(d, k, 1)) == NULL)
                return STORE_ENOMEM;
            units = atomic_load_explicit(&d->units, memory_order_acquire);
        }
        if (p != NULL) {
            if (atomic_load_explicit(&unit_written(d, units)[k], memory_order_relaxed))
                *made = 0;
            memcpy(out, p + within, take);
        } else if (take == unit) { /* with the whole units after it that are not kept */
            uint64_t run = 1;
            while ((run + 1) * unit <= n
                   && (units == NULL || atomic_load_explicit(&units[k + run], memory_order_acquire) == NULL))
                run++;
            d->gen.fill(&d->gen, k, run, out);
            take = (size_t)(run * unit);
        } else {
            unsigned char *tmp = malloc(unit);
            if (tmp == NULL)
                return STORE_ENOMEM;
            d->gen.fill(&d->gen, k, 1, tmp);
            memcpy(out, tmp + within, take);
            free(tmp);
        }
        out += take;
        off += take;
        n -= take;
    }
    return STORE_OK;
}

static int mem_pread(void *ctx, struct store_file *d, void *buf, size_t n, uint64_t off,
                     size_t *got, int *made)
{
    (void)ctx;
    *made = d->gen.fill != NULL; /* a plain file's bytes were all written */
    size_t size = d->gen.fill != NULL ? (size_t)d->gen.size : d->size;
    if (off >= size) {
        *got = 0;
        return STORE_OK;
    }
    size_t avail = size - (size_t)off;
    size_t k = n < avail ? n : avail;
    if (d->gen.fill != NULL) {
        int rc = gen_read(d, buf, k, off, made);
        if (rc != STORE_OK)
            return rc == STORE_ENOMEM ? STORE_EIO : rc;
    } else {
        memcpy(buf, d->buf + off, k);
    }
    *got = k;
    return STORE_OK;
}

/* Make a generated file plain: every byte in one buffer. */
static int gen_flatten(struct store_file *d)
{
    size_t size = (size_t)d->gen.size;
    unsigned char *nb = malloc(size ? size : 1);
    if (nb == NULL)
        return STORE_ENOSPC;
    int made;
    int rc = gen_read(d, nb, size, 0, &made);
    if (rc != STORE_OK) {
        free(nb);
        return STORE_ENOSPC;
    }
    data_clear(d);
    free(d->buf);
    d->buf = nb;
    d->size = d->cap = size;
    return STORE_OK;
}

static int mem_pwrite(void *ctx, struct store_file *d, const void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    if (off > SIZE_MAX - n)
        return STORE_EINVAL;
    size_t end = (size_t)off + n;
    if (d->gen.fill != NULL && end <= d->gen.size) {
        /* Inside a generated file: write into its units. */
        const size_t unit = d->gen.unit;
        const unsigned char *src = buf;
        while (n > 0) {
            uint64_t k = off / unit;
            size_t within = (size_t)(off % unit);
            size_t take = unit - within < n ? unit - within : n;
            unsigned char *p = gen_unit_keep(d, k, take != unit);
            if (p == NULL)
                return STORE_ENOSPC;
            memcpy(p + within, src, take);
            atomic_store_explicit(&unit_written(d, atomic_load(&d->units))[k], 1,
                                  memory_order_relaxed);
            src += take;
            off += take;
            n -= take;
        }
        return STORE_OK;
    }
    if (d->gen.fill != NULL) {
        int rc = gen_flatten(d);
        if (rc != STORE_OK)
            return rc;
    }
    if (end > d->cap) {
        size_t cap = d->cap ? d->cap : end;
        while (cap < end)
            cap = cap > SIZE_MAX / 2 ? end : cap * 2;
        unsigned char *nb = realloc(d->buf, cap);
        if (nb == NULL)
            return STORE_ENOSPC;
        d->buf = nb;
        d->cap = cap;
    }
    if (off > d->size)
        memset(d->buf + d->size, 0, (size_t)off - d->size);
    memcpy(d->buf + off, buf, n);
    if (end > d->size)
        d->size = end;
    return STORE_OK;
}

static int mem_size(void *ctx, struct store_file *d, uint64_t *out)
{
    (void)ctx;
    *out = d->gen.fill != NULL ? d->gen.size : d->size;
    return STORE_OK;
}

static int mem_unlink(void *ctx, const char *path)
{
    struct mem_store *m = ctx;
    pthread_mutex_lock(&m->mu);
    struct mem_node **pp = node_find(m, path);
    int rc = STORE_ENOENT;
    if (*pp != NULL) {
        node_unlink(m, pp);
        rc = STORE_OK;
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static int mem_exists(void *ctx, const char *path)
{
    struct mem_store *m = ctx;
    pthread_mutex_lock(&m->mu);
    int found = *node_find(m, path) != NULL;
    pthread_mutex_unlock(&m->mu);
    return found;
}

static void mem_destroy(void *ctx)
{
    struct mem_store *m = ctx;
    while (m->all != NULL)
        node_unlink(m, node_link(m, m->all));
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static const struct store_ops mem_ops = {
    .name = "mem",
    .dir_create = mem_dir_create,
    .dir_remove = mem_dir_remove,
    .open = mem_open,
    .close = mem_close,
    .pread = mem_pread,
    .pwrite = mem_pwrite,
    .size = mem_size,
    .unlink = mem_unlink,
    .exists = mem_exists,
    .create_gen = mem_create_gen,
    .destroy = mem_destroy,
};

int engine__store_mem_create(struct store *out)
{
    struct mem_store *m = calloc(1, sizeof *m);
    if (m == NULL)
        return STORE_ENOMEM;
    if (pthread_mutex_init(&m->mu, NULL) != 0) {
        free(m);
        return STORE_ENOMEM;
    }
    out->ops = &mem_ops;
    out->ctx = m;
    return STORE_OK;
}
