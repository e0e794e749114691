/*
 * store_mem.c: the memory store: files are named, growable byte buffers in a
 * hash table, with the same layout as the directory store's files. It makes no
 * system call, so benchmarks measure the engine rather than the kernel.
 *
 * Semantics follow POSIX where the engine relies on them: an unlinked file stays
 * readable through handles already open; STORE_CREATE truncates. Directories are
 * only path prefixes: dir_create(wipe) and dir_remove drop every file named
 * "<dir>/<x>" with no further '/'.
 *
 * Locking: the name table is under one mutex; a file's bytes are not locked
 * (store.h states who may write them while others read).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define MEM_BUCKETS 256u

struct mem_data {
    atomic_uint refs; /* the name table's reference plus one per open handle */
    unsigned char *buf;
    size_t size, cap;
};

struct mem_node {
    char *path;
    struct mem_data *data;
    struct mem_node *next;
};

struct mem_store {
    pthread_mutex_t mu; /* protects buckets and every node */
    struct mem_node *buckets[MEM_BUCKETS];
};

struct store_file {
    struct mem_data *data;
};

static uint32_t path_hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % MEM_BUCKETS;
}

static void data_unref(struct mem_data *d)
{
    if (atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) == 1) {
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

/* Caller holds mu. */
static void node_unlink(struct mem_node **pp)
{
    struct mem_node *n = *pp;
    *pp = n->next;
    data_unref(n->data);
    free(n->path);
    free(n);
}

/* Is `path` directly inside directory `dir`? */
static int in_dir(const char *path, const char *dir, size_t n_dir)
{
    return strncmp(path, dir, n_dir) == 0 && path[n_dir] == '/'
           && strchr(path + n_dir + 1, '/') == NULL;
}

static void mem_wipe(struct mem_store *m, const char *dir)
{
    size_t n_dir = strlen(dir);
    pthread_mutex_lock(&m->mu);
    for (unsigned b = 0; b < MEM_BUCKETS; b++) {
        struct mem_node **pp = &m->buckets[b];
        while (*pp != NULL) {
            if (in_dir((*pp)->path, dir, n_dir))
                node_unlink(pp);
            else
                pp = &(*pp)->next;
        }
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

static int mem_open(void *ctx, const char *path, enum store_mode mode, struct store_file **out)
{
    struct mem_store *m = ctx;
    struct store_file *f = malloc(sizeof *f);
    if (f == NULL)
        return STORE_ENOMEM;
    pthread_mutex_lock(&m->mu);
    struct mem_node **pp = node_find(m, path);
    if (*pp == NULL) {
        if (mode != STORE_CREATE) {
            pthread_mutex_unlock(&m->mu);
            free(f);
            return STORE_ENOENT;
        }
        struct mem_node *n = calloc(1, sizeof *n);
        struct mem_data *d = calloc(1, sizeof *d);
        char *p = strdup(path);
        if (n == NULL || d == NULL || p == NULL) {
            pthread_mutex_unlock(&m->mu);
            free(n);
            free(d);
            free(p);
            free(f);
            return STORE_ENOMEM;
        }
        atomic_init(&d->refs, 1);
        n->path = p;
        n->data = d;
        *pp = n;
    } else if (mode == STORE_CREATE) {
        (*pp)->data->size = 0;
    }
    f->data = (*pp)->data;
    atomic_fetch_add_explicit(&f->data->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&m->mu);
    *out = f;
    return STORE_OK;
}

static void mem_close(void *ctx, struct store_file *f)
{
    (void)ctx;
    data_unref(f->data);
    free(f);
}

static int mem_pread(void *ctx, struct store_file *f, void *buf, size_t n, uint64_t off,
                     size_t *got)
{
    (void)ctx;
    const struct mem_data *d = f->data;
    if (off >= d->size) {
        *got = 0;
        return STORE_OK;
    }
    size_t avail = d->size - (size_t)off;
    size_t k = n < avail ? n : avail;
    memcpy(buf, d->buf + off, k);
    *got = k;
    return STORE_OK;
}

static int mem_pwrite(void *ctx, struct store_file *f, const void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    struct mem_data *d = f->data;
    if (off > SIZE_MAX - n)
        return STORE_EINVAL;
    size_t end = (size_t)off + n;
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

static int mem_size(void *ctx, struct store_file *f, uint64_t *out)
{
    (void)ctx;
    *out = f->data->size;
    return STORE_OK;
}

static int mem_unlink(void *ctx, const char *path)
{
    struct mem_store *m = ctx;
    pthread_mutex_lock(&m->mu);
    struct mem_node **pp = node_find(m, path);
    int rc = STORE_ENOENT;
    if (*pp != NULL) {
        node_unlink(pp);
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
    for (unsigned b = 0; b < MEM_BUCKETS; b++)
        while (m->buckets[b] != NULL)
            node_unlink(&m->buckets[b]);
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
