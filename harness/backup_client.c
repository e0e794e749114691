/*
 * backup_client.c: the harness's streaming-backup client (see backup_client.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup_client.h"
#include "runner.h"
#include "sbuf.h"

#define BC_MAX_LIST (64u << 10)

struct bc {
    const struct backup_client_config *cfg;
    struct backup_client_result *res;
    char dir[512];
    uint32_t streaming; /* successful streaming calls so far */
    unsigned char *buf;
    uint32_t cb_read;
    uint32_t log_low_before;
    bool have_log_range;
    bool truncated;     /* TruncateLog succeeded: deletions are legitimate */
};

SBUF_PRINTF(3, 4)
static int bc_fail(struct bc *b, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->res->detail, sizeof b->res->detail, fmt, ap);
    va_end(ap);
    return status;
}

/* Make one call. Returns RUNNER_EMISSING, or 0 with out filled. */
static int bc_call(struct bc *b, struct target_call_args *a, struct target_call_out *o)
{
    int rv = target_call(b->cfg->ops, b->cfg->ctx, a, o);
    if (rv == 0)
        b->res->calls++;
    return rv;
}

static const char *bc_base(const char *path)
{
    const char *s = strrchr(path, '/'), *t = strrchr(path, '\\');
    if (t && (!s || t > s))
        s = t;
    return s ? s + 1 : path;
}

/* Compare the copy with its source when the source is a readable file.
 * A database streams as its file (2 header pages, pages 1..N) plus one trailer
 * page, a copy of header page 0 (spec §3.3); so a copy one page longer than its
 * source must match the source and then end with header page 0 again.
 * Returns 1 if equal, 0 if not comparable, -1 if different (*where: the byte). */
static int bc_compare(const char *src, const char *copy, uint32_t page, uint64_t *where)
{
    enum { CHUNK = 1 << 20 };
    int fa = open(src, O_RDONLY | O_CLOEXEC), fc;
    unsigned char *a = NULL, *c = NULL, *head = NULL;
    uint64_t off = 0, src_size, copy_size;
    struct stat sa, sc;
    int rv = 1;

    *where = 0;
    if (fa < 0)
        return 0;
    fc = open(copy, O_RDONLY | O_CLOEXEC);
    a = malloc(CHUNK);
    c = malloc(CHUNK);
    head = calloc(1, page);
    if (fc < 0 || !a || !c || !head || fstat(fa, &sa) != 0 || fstat(fc, &sc) != 0) {
        rv = -1;
        goto out;
    }
    src_size = (uint64_t)sa.st_size;
    copy_size = (uint64_t)sc.st_size;
    if (copy_size != src_size && copy_size != src_size + page) {
        off = copy_size < src_size ? copy_size : src_size;
        rv = -1;
        goto out;
    }
    while (off < src_size) {
        size_t want = src_size - off < CHUNK ? (size_t)(src_size - off) : CHUNK;
        ssize_t x = pread(fa, a, want, (off_t)off), y = pread(fc, c, want, (off_t)off);
        if (x != (ssize_t)want || y != (ssize_t)want) {
            rv = -1;
            goto out;
        }
        if (memcmp(a, c, want) != 0) {
            size_t k = 0;
            while (a[k] == c[k])
                k++;
            off += k;
            rv = -1;
            goto out;
        }
        if (off == 0)
            memcpy(head, a, want < page ? want : page);
        off += want;
    }
    /* The trailer page of a database stream repeats header page 0. */
    if (copy_size > src_size) {
        if (pread(fc, c, page, (off_t)src_size) != (ssize_t)page || memcmp(c, head, page) != 0)
            rv = -1;
        else
            off += page;
    }
out:
    *where = off;
    free(a);
    free(c);
    free(head);
    if (fa >= 0)
        close(fa);
    if (fc >= 0)
        close(fc);
    return rv;
}

/* Issue the Stop once the budget of streaming calls is spent. */
static int bc_maybe_stop(struct bc *b)
{
    const struct backup_client_config *cfg = b->cfg;
    if (!cfg->has_stop_after || b->res->stopped || b->streaming < cfg->stop_after)
        return 0;
    struct target_call_args a = {.op = MODEL_OP_STOP_BACKUP_INSTANCE, .inst = cfg->inst};
    struct target_call_out o;
    if (bc_call(b, &a, &o) == RUNNER_EMISSING)
        return bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks JetStopBackupInstance");
    if (o.err != JET_errSuccess)
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "JetStopBackupInstance returned %d, expected 0 (R10)",
                       (int)o.err);
    b->res->stopped = true;
    return 0;
}

/* After the Stop: every streaming call returns -801 (R16). */
static int bc_after_stop(struct bc *b, const char *what, JET_ERR err)
{
    if (err != JET_errBackupAbortByServer)
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "%s after Stop returned %d, expected -801 (R16)", what,
                       (int)err);
    return 1; /* stopped: the caller ends the backup */
}

/* A streaming call made: count it, check stop semantics. Returns <0 on failure,
 * 1 if the backup was stopped (err was -801 as required), 0 to go on. */
static int bc_streamed(struct bc *b, const char *what, JET_ERR err)
{
    if (b->res->stopped)
        return bc_after_stop(b, what, err);
    if (err != JET_errSuccess)
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "%s returned %d", what, (int)err);
    b->streaming++;
    return bc_maybe_stop(b);
}

/* Copy one file: Open, Read until 0 bytes, Close. */
static int bc_copy(struct bc *b, const char *name)
{
    const struct backup_client_config *cfg = b->cfg;
    struct target_call_args a = {.op = MODEL_OP_OPEN_FILE, .inst = cfg->inst, .name = name};
    struct target_call_out o;
    char dst[1024];
    uint64_t size, got = 0;
    JET_HANDLE hf;
    int fd, rv;

    if (bc_call(b, &a, &o) == RUNNER_EMISSING)
        return bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks JetOpenFileInstance");
    rv = bc_streamed(b, "JetOpenFileInstance", o.err);
    if (rv)
        return rv;
    hf = o.hf;
    size = o.size;
    snprintf(dst, sizeof dst, "%s/%s", b->dir, bc_base(name));
    fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return bc_fail(b, BACKUP_CLIENT_EIO, "cannot create %s: %s", dst, strerror(errno));
    for (;;) {
        struct target_call_args r = {.op = MODEL_OP_READ_FILE, .inst = cfg->inst, .hf = hf,
                                     .cb = b->cb_read, .buf = b->buf};
        if (bc_call(b, &r, &o) == RUNNER_EMISSING) {
            close(fd);
            return bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks JetReadFileInstance");
        }
        rv = bc_streamed(b, "JetReadFileInstance", o.err);
        if (rv) {
            close(fd);
            if (rv == 1) {
                /* Stopped with the file open: CloseFile still works (R19). */
                struct target_call_args c = {.op = MODEL_OP_CLOSE_FILE, .inst = cfg->inst, .hf = hf};
                bc_call(b, &c, &o);
                if (o.err != JET_errSuccess)
                    return bc_fail(b, BACKUP_CLIENT_EFAIL,
                                   "JetCloseFileInstance after Stop returned %d, expected 0 (R19)",
                                   (int)o.err);
            }
            return rv;
        }
        if (o.actual == 0)
            break;
        if (o.actual > b->cb_read) {
            close(fd);
            return bc_fail(b, BACKUP_CLIENT_EFAIL, "%s: ReadFile reported %u bytes for a %u-byte buffer",
                           name, (unsigned)o.actual, (unsigned)b->cb_read);
        }
        if (write(fd, b->buf, o.actual) != (ssize_t)o.actual) {
            close(fd);
            return bc_fail(b, BACKUP_CLIENT_EIO, "cannot write %s: %s", dst, strerror(errno));
        }
        got += o.actual;
        if (got > size) {
            close(fd);
            return bc_fail(b, BACKUP_CLIENT_EFAIL, "%s: read %llu bytes, more than its size %llu (R40)",
                           name, (unsigned long long)got, (unsigned long long)size);
        }
    }
    close(fd);
    {
        struct target_call_args c = {.op = MODEL_OP_CLOSE_FILE, .inst = cfg->inst, .hf = hf};
        bc_call(b, &c, &o);
        if (o.err != JET_errSuccess)
            return bc_fail(b, BACKUP_CLIENT_EFAIL, "JetCloseFileInstance returned %d", (int)o.err);
    }
    if (got != size)
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "%s: read %llu bytes, OpenFile reported %llu (R40)", name,
                       (unsigned long long)got, (unsigned long long)size);
    b->res->files++;
    b->res->bytes += got;
    return 0;
}

/* Fetch a name list (GetAttachInfo or GetLogInfo) into a malloc'ed szz. */
static int bc_list(struct bc *b, enum model_op op, char **out)
{
    char *buf = calloc(1, BC_MAX_LIST);
    struct target_call_args a = {.op = op, .inst = b->cfg->inst, .cb = BC_MAX_LIST - 2, .buf = buf};
    struct target_call_out o;
    int rv;

    *out = NULL;
    if (!buf)
        return bc_fail(b, BACKUP_CLIENT_EIO, "out of memory");
    if (bc_call(b, &a, &o) == RUNNER_EMISSING) {
        free(buf);
        return bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks %s", model_op_name(op));
    }
    rv = bc_streamed(b, model_op_name(op), o.err);
    if (rv) {
        free(buf);
        return rv;
    }
    if (o.actual > BC_MAX_LIST - 2 || o.count == UINT32_MAX) {
        free(buf);
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "name list larger than %u bytes", BC_MAX_LIST);
    }
    *out = buf;
    return 0;
}

static int bc_copy_list(struct bc *b, const char *szz)
{
    for (const char *p = szz; *p; p += strlen(p) + 1) {
        int rv = bc_copy(b, p);
        if (rv)
            return rv;
    }
    return 0;
}

/* Verify every copied file against its source. */
static int bc_verify(struct bc *b, const char *szz)
{
    for (const char *p = szz; *p; p += strlen(p) + 1) {
        char dst[1024];
        uint64_t where = 0;
        snprintf(dst, sizeof dst, "%s/%s", b->dir, bc_base(p));
        if (bc_compare(p, dst, b->cfg->page_size ? b->cfg->page_size : 4096, &where) < 0)
            return bc_fail(b, BACKUP_CLIENT_EFAIL, "copy of %s differs from its source at byte %llu", p,
                           (unsigned long long)where);
    }
    return 0;
}

static void bc_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int bc_end(struct bc *b, JET_ERR want, const char *rule)
{
    struct target_call_args a = {.op = MODEL_OP_END, .inst = b->cfg->inst};
    struct target_call_out o;
    if (bc_call(b, &a, &o) == RUNNER_EMISSING)
        return bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks JetEndExternalBackupInstance");
    if (o.err != want)
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "JetEndExternalBackupInstance returned %d, expected %d (%s)",
                       (int)o.err, (int)want, rule);
    return 0;
}

static int bc_run(struct bc *b)
{
    const struct backup_client_config *cfg = b->cfg;
    const struct jet_fixture *fx = cfg->ops->fixture;
    struct target_call_args a = {.op = MODEL_OP_BEGIN, .inst = cfg->inst,
                                 .grbit = cfg->incremental ? JET_bitBackupIncremental : 0};
    struct target_call_out o;
    char *dbs = NULL, *logs = NULL;
    uint32_t hi = 0;
    int rv;

    if (fx && fx->BackstopFixtureLogRange &&
        fx->BackstopFixtureLogRange(cfg->ctx, cfg->inst, &b->log_low_before, &hi) == JET_errSuccess)
        b->have_log_range = true;
    if (bc_call(b, &a, &o) == RUNNER_EMISSING)
        return bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks JetBeginExternalBackupInstance");
    if (o.err != JET_errSuccess)
        return bc_fail(b, BACKUP_CLIENT_EFAIL, "JetBeginExternalBackupInstance returned %d", (int)o.err);
    rv = bc_maybe_stop(b);
    if (!rv && !cfg->incremental) {
        rv = bc_list(b, MODEL_OP_GET_ATTACH_INFO, &dbs);
        if (!rv)
            rv = bc_copy_list(b, dbs);
    }
    if (!rv) {
        rv = bc_list(b, MODEL_OP_GET_LOG_INFO, &logs);
        if (!rv)
            rv = bc_copy_list(b, logs);
    }
    if (!rv && !cfg->no_verify) {
        /* Verify before the truncation deletes the sources. */
        if (dbs)
            rv = bc_verify(b, dbs);
        if (!rv && logs)
            rv = bc_verify(b, logs);
    }
    if (!rv) {
        struct target_call_args t = {.op = MODEL_OP_TRUNCATE_LOG, .inst = cfg->inst};
        if (bc_call(b, &t, &o) == RUNNER_EMISSING)
            rv = bc_fail(b, BACKUP_CLIENT_EMISSING, "target lacks JetTruncateLogInstance");
        else {
            b->truncated = !b->res->stopped && o.err == JET_errSuccess;
            rv = bc_streamed(b, "JetTruncateLogInstance", o.err);
        }
    }
    free(dbs);
    free(logs);
    if (rv < 0)
        return rv;
    if (rv == 1 || b->res->stopped) {
        /* Stopped: End still works and returns 0 (R21); nothing was lost. */
        if (!b->res->stopped)
            return bc_fail(b, BACKUP_CLIENT_EFAIL, "internal: stop path without a Stop");
        rv = bc_end(b, JET_errSuccess, "R21");
        if (rv)
            return rv;
        if (b->have_log_range && !b->truncated) {
            uint32_t low = 0;
            fx->BackstopFixtureLogRange(cfg->ctx, cfg->inst, &low, &hi);
            if (low != b->log_low_before)
                return bc_fail(b, BACKUP_CLIENT_EFAIL,
                               "log files were deleted during a stopped backup: lowest generation "
                               "%u before, %u after",
                               (unsigned)b->log_low_before, (unsigned)low);
        }
        return 0;
    }
    return bc_end(b, JET_errSuccess, "R48");
}

int backup_client_run(const struct backup_client_config *cfg, struct backup_client_result *res)
{
    struct bc b = {.cfg = cfg, .res = res};
    const char *tmp = cfg->work_dir ? cfg->work_dir : getenv("TMPDIR");
    uint32_t page = cfg->page_size ? cfg->page_size : 4096;
    int rv;

    memset(res, 0, sizeof *res);
    snprintf(b.dir, sizeof b.dir, "%s/backstop-backup-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(b.dir)) {
        snprintf(res->detail, sizeof res->detail, "cannot create a backup folder: %s", strerror(errno));
        snprintf(res->summary, sizeof res->summary, "backup-client: no backup folder");
        return BACKUP_CLIENT_EIO;
    }
    b.cb_read = page * (cfg->read_pages ? cfg->read_pages : 16);
    if (posix_memalign((void **)&b.buf, 4096, b.cb_read) != 0) {
        bc_rmdir(b.dir);
        snprintf(res->detail, sizeof res->detail, "out of memory");
        snprintf(res->summary, sizeof res->summary, "backup-client: out of memory");
        return BACKUP_CLIENT_EIO;
    }
    rv = bc_run(&b);
    free(b.buf);
    snprintf(res->summary, sizeof res->summary, "backup-client %s%s: %u calls, %u files, %llu bytes%s%.150s",
             cfg->incremental ? "incremental" : "full", res->stopped ? " (stopped)" : "",
             (unsigned)res->calls, (unsigned)res->files, (unsigned long long)res->bytes,
             rv ? " - " : "", rv ? res->detail : "");
    if (!cfg->keep)
        bc_rmdir(b.dir);
    return rv;
}
