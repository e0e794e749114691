/*
 * store.h: the engine's pluggable file store, a const table of operations plus
 * a context. Two stores exist:
 *
 *   DIR (store_dir.c)  real files under a root directory: open(O_CLOEXEC),
 *                      pread/pwrite, unlink. Paths are ordinary paths.
 *   MEM (store_mem.c)  named memory buffers with POSIX-like semantics (an
 *                      unlinked file stays readable through open handles). No
 *                      system calls. Paths look like "mem:/inst-3/db1".
 *
 * Generated files. A file the engine creates with known contents (a fresh
 * database, a log) is described by a `struct store_gen`: its size, a unit
 * (page or block) and a function that produces any one unit. The MEM store
 * keeps only the description and makes units when they are read (caching the
 * ones that are costly to make) or partly written; any other store gets the
 * bytes written out by store_create_generated. Either way every later read
 * returns the same bytes, the file's real contents.
 *
 * The engine calls a store only through the store_* wrappers below, the one
 * place to look for every I/O. Faults are not injected here: the engine's fault
 * points are per API call (engine.h), not per system call.
 *
 * Thread safety: open, close, unlink, exists, dir_* may be called from any
 * thread. pread/pwrite on one file are safe concurrently with anything except
 * a pwrite that grows the same MEM file (the engine only grows files from the
 * fixture and End, which never overlap reads of that file).
 */
#ifndef BACKSTOP_ENGINE_STORE_H
#define BACKSTOP_ENGINE_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Store status codes. */
enum {
    STORE_OK = 0,
    STORE_ENOENT = -1,
    STORE_EIO = -2,
    STORE_ENOSPC = -3,
    STORE_ENOMEM = -4,
    STORE_EINVAL = -5
};

/* open() modes. */
enum store_mode {
    STORE_RDONLY = 0, /* must exist */
    STORE_RDWR,       /* must exist */
    STORE_CREATE      /* create or truncate, read-write */
};

struct store_file; /* opaque, store-specific */

/*
 * A generated file: `size` bytes (a multiple of `unit`), unit k being what
 * fill(g, k, 1, out) writes to out[0..unit); fill(g, k, n, out) writes units
 * k..k+n-1 one after the other (one call for a run of units, so that a fill
 * that copies from a template copies the run at once). fill must be a pure function of the
 * description (it may be called at any time, from any thread, for as long as
 * the file exists), so `ctx` must outlive the store. `cache`: keep units once
 * made (fill is costly), else make them at every read.
 */
struct store_gen {
    uint64_t size;
    uint32_t unit;
    int cache;
    void (*fill)(const struct store_gen *g, uint64_t k, uint64_t n, unsigned char *out);
    const void *ctx;
    uint64_t key[4];
    unsigned char meta[160]; /* e.g. a header page's first bytes */
};

struct store_ops {
    const char *name;
    /* Create the directory `path` if missing; if wipe, remove the regular files
     * already in it. */
    int (*dir_create)(void *ctx, const char *path, int wipe);
    /* Remove the regular files in `path`, then the directory. Missing is OK. */
    int (*dir_remove)(void *ctx, const char *path);
    int (*open)(void *ctx, const char *path, enum store_mode mode, struct store_file **out);
    void (*close)(void *ctx, struct store_file *f);
    /* Read up to n bytes at off; *got receives the count (0 at end of file). A
     * short count is not an error. *made (never NULL) is set to 1 when every
     * byte returned is a generated file's own content, made by its fill (at
     * this read, or when its unit was first cached) in this process's memory
     * and never written since, else to 0 (any byte that was stored through
     * pwrite or read from a device). */
    int (*pread)(void *ctx, struct store_file *f, void *buf, size_t n, uint64_t off, size_t *got,
                 int *made);
    /* Write all n bytes at off, growing the file as needed. */
    int (*pwrite)(void *ctx, struct store_file *f, const void *buf, size_t n, uint64_t off);
    int (*size)(void *ctx, struct store_file *f, uint64_t *out);
    int (*unlink)(void *ctx, const char *path);
    /* 1 if a file exists at path, 0 if not. */
    int (*exists)(void *ctx, const char *path);
    /* Optional: create or truncate `path` with the contents *g describes (copied),
     * open read-write. NULL: store_create_generated writes the bytes instead. */
    int (*create_gen)(void *ctx, const char *path, const struct store_gen *g,
                      struct store_file **out);
    void (*destroy)(void *ctx);
};

/* A store instance: operations and their context. */
struct store {
    const struct store_ops *ops;
    void *ctx;
};

/* Constructors. engine__store_dir_create makes `root` (and parents) if missing
 * and reports whether it did in *created. */
int engine__store_dir_create(const char *root, struct store *out, int *created);
int engine__store_mem_create(struct store *out);

/* The wrappers: every store call of the engine goes through one of these. */
static inline int store_dir_make(struct store *s, const char *path, int wipe)
{
    return s->ops->dir_create(s->ctx, path, wipe);
}
static inline int store_dir_remove(struct store *s, const char *path)
{
    return s->ops->dir_remove(s->ctx, path);
}
static inline int store_open(struct store *s, const char *path, enum store_mode mode,
                             struct store_file **out)
{
    return s->ops->open(s->ctx, path, mode, out);
}
static inline void store_close(struct store *s, struct store_file *f)
{
    if (f != NULL)
        s->ops->close(s->ctx, f);
}
static inline int store_pread(struct store *s, struct store_file *f, void *buf, size_t n,
                              uint64_t off, size_t *got)
{
    int made;
    return s->ops->pread(s->ctx, f, buf, n, off, got, &made);
}
/* store_pread that also says whether the bytes were made by the file's fill
 * and never stored (see store_ops.pread): ReadFile need not verify those. */
static inline int store_pread_made(struct store *s, struct store_file *f, void *buf, size_t n,
                                   uint64_t off, size_t *got, int *made)
{
    return s->ops->pread(s->ctx, f, buf, n, off, got, made);
}
static inline int store_pwrite(struct store *s, struct store_file *f, const void *buf, size_t n,
                               uint64_t off)
{
    return s->ops->pwrite(s->ctx, f, buf, n, off);
}
static inline int store_size(struct store *s, struct store_file *f, uint64_t *out)
{
    return s->ops->size(s->ctx, f, out);
}
static inline int store_unlink(struct store *s, const char *path)
{
    return s->ops->unlink(s->ctx, path);
}
static inline int store_exists(struct store *s, const char *path)
{
    return s->ops->exists(s->ctx, path);
}
/* Create `path` with the contents g describes, open read-write in *out. On
 * failure nothing is left at path. Stores without create_gen get the bytes
 * written out, a few units at a time (store_dir.c). */
int store_create_generated(struct store *s, const char *path, const struct store_gen *g,
                           struct store_file **out);

static inline void store_destroy(struct store *s)
{
    if (s->ops != NULL)
        s->ops->destroy(s->ctx);
    s->ops = NULL;
    s->ctx = NULL;
}

#endif /* BACKSTOP_ENGINE_STORE_H */
