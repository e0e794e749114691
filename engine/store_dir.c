/*
 * store_dir.c: the directory store: an engine's files are real files under a
 * root directory. Reads are single pread(2) calls straight into the caller's
 * buffer (the engine asks for whole runs of pages, so a backup reads in large
 * chunks); every descriptor is opened O_CLOEXEC. Not for: caching, fsync (the
 * engine makes no durability promise).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "store.h"

struct store_file {
    int fd;
};

static int errno_to_store(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return STORE_ENOENT;
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return STORE_ENOSPC;
    case ENOMEM:
        return STORE_ENOMEM;
    case EINVAL:
    case ENAMETOOLONG:
        return STORE_EINVAL;
    default:
        return STORE_EIO;
    }
}

/* Remove the regular files directly inside `path`. */
static int dir_wipe(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return errno_to_store(errno);
    int rc = STORE_OK;
    int dfd = dirfd(d);
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        if (fstatat(dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (!S_ISREG(st.st_mode))
            continue;
        if (unlinkat(dfd, ent->d_name, 0) != 0 && errno != ENOENT)
            rc = errno_to_store(errno);
    }
    closedir(d);
    return rc;
}

static int dir_create(void *ctx, const char *path, int wipe)
{
    (void)ctx;
    if (mkdir(path, 0700) != 0) {
        if (errno != EEXIST)
            return errno_to_store(errno);
        if (wipe)
            return dir_wipe(path);
    }
    return STORE_OK;
}

static int dir_remove(void *ctx, const char *path)
{
    (void)ctx;
    int rc = dir_wipe(path);
    if (rc == STORE_ENOENT)
        return STORE_OK;
    if (rmdir(path) != 0 && errno != ENOENT)
        return errno_to_store(errno);
    return rc;
}

static int dir_open(void *ctx, const char *path, enum store_mode mode, struct store_file **out)
{
    (void)ctx;
    int flags = O_CLOEXEC;
    switch (mode) {
    case STORE_RDONLY:
        flags |= O_RDONLY;
        break;
    case STORE_RDWR:
        flags |= O_RDWR;
        break;
    case STORE_CREATE:
        flags |= O_RDWR | O_CREAT | O_TRUNC;
        break;
    default:
        return STORE_EINVAL;
    }
    struct store_file *f = malloc(sizeof *f);
    if (f == NULL)
        return STORE_ENOMEM;
    do
        f->fd = open(path, flags, 0600);
    while (f->fd < 0 && errno == EINTR);
    if (f->fd < 0) {
        int rc = errno_to_store(errno);
        free(f);
        return rc;
    }
    *out = f;
    return STORE_OK;
}

static void dir_close(void *ctx, struct store_file *f)
{
    (void)ctx;
    close(f->fd);
    free(f);
}

static int dir_pread(void *ctx, struct store_file *f, void *buf, size_t n, uint64_t off,
                     size_t *got, int *made)
{
    (void)ctx;
    ssize_t r;
    *made = 0; /* bytes from a device: the reader verifies them */
    do
        r = pread(f->fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        *got = 0;
        return errno_to_store(errno);
    }
    *got = (size_t)r;
    return STORE_OK;
}

static int dir_pwrite(void *ctx, struct store_file *f, const void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    const unsigned char *p = buf;
    while (n > 0) {
        ssize_t w = pwrite(f->fd, p, n, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno_to_store(errno);
        }
        if (w == 0)
            return STORE_EIO;
        p += w;
        off += (uint64_t)w;
        n -= (size_t)w;
    }
    return STORE_OK;
}

static int dir_size(void *ctx, struct store_file *f, uint64_t *out)
{
    (void)ctx;
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return errno_to_store(errno);
    *out = (uint64_t)st.st_size;
    return STORE_OK;
}

static int dir_unlink(void *ctx, const char *path)
{
    (void)ctx;
    if (unlink(path) != 0)
        return errno_to_store(errno);
    return STORE_OK;
}

static int dir_exists(void *ctx, const char *path)
{
    (void)ctx;
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void dir_destroy(void *ctx)
{
    (void)ctx;
}

static const struct store_ops dir_ops = {
    .name = "dir",
    .dir_create = dir_create,
    .dir_remove = dir_remove,
    .open = dir_open,
    .close = dir_close,
    .pread = dir_pread,
    .pwrite = dir_pwrite,
    .size = dir_size,
    .unlink = dir_unlink,
    .exists = dir_exists,
    .destroy = dir_destroy,
};

/* mkdir -p; *created = 1 if the last component was made here. */
static int make_path(const char *root, int *created)
{
    size_t n = strlen(root);
    char *tmp = malloc(n + 1);
    if (tmp == NULL)
        return STORE_ENOMEM;
    memcpy(tmp, root, n + 1);
    *created = 0;
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        char saved = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0700) == 0) {
            if (i == n || (saved == '/' && i + 1 == n))
                *created = 1;
        } else if (errno != EEXIST) {
            int rc = errno_to_store(errno);
            free(tmp);
            return rc;
        }
        tmp[i] = saved;
    }
    free(tmp);
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return STORE_EIO;
    return STORE_OK;
}

int engine__store_dir_create(const char *root, struct store *out, int *created)
{
    if (root == NULL || root[0] == '\0')
        return STORE_EINVAL;
    int rc = make_path(root, created);
    if (rc != STORE_OK)
        return rc;
    out->ops = &dir_ops;
    out->ctx = NULL;
    return STORE_OK;
}

/*
 * The generic side of generated files (store.h): a store with create_gen keeps
 * the description; any other (the DIR store) gets the bytes, made unit by unit
 * into a buffer of about GEN_WRITE_CHUNK bytes and written in runs.
 */
#define GEN_WRITE_CHUNK (256u * 1024u)

int store_create_generated(struct store *s, const char *path, const struct store_gen *g,
                           struct store_file **out)
{
    if (g->unit == 0 || g->size % g->unit != 0)
        return STORE_EINVAL;
    if (s->ops->create_gen != NULL)
        return s->ops->create_gen(s->ctx, path, g, out);
    size_t per = GEN_WRITE_CHUNK / g->unit ? GEN_WRITE_CHUNK / g->unit : 1;
    unsigned char *buf = malloc(per * g->unit);
    if (buf == NULL)
        return STORE_ENOMEM;
    int rc = store_open(s, path, STORE_CREATE, out);
    if (rc != STORE_OK) {
        free(buf);
        *out = NULL;
        return rc;
    }
    uint64_t units = g->size / g->unit;
    for (uint64_t k = 0; rc == STORE_OK && k < units;) {
        size_t n = units - k < per ? (size_t)(units - k) : per;
        g->fill(g, k, n, buf);
        rc = store_pwrite(s, *out, buf, n * g->unit, k * g->unit);
        k += n;
    }
    free(buf);
    if (rc != STORE_OK) {
        store_close(s, *out);
        *out = NULL;
        store_unlink(s, path);
    }
    return rc;
}
