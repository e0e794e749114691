/*
 * backup_client.h: a streaming-backup client that does what real backup agents
 * do, over any target: Begin; GetAttachInfo, then Open/Read/Close of each
 * database (full backups); GetLogInfo, then Open/Read/Close of each log;
 * TruncateLog; End. It writes the backup set into a fresh folder and checks it:
 *
 *   completed backup   every copied file has the size OpenFile reported, and is
 *                      byte-identical to its source where the source is a real,
 *                      readable file (the engine's directory store);
 *   stopped backup     (stop-after N: JetStopBackupInstance after N successful
 *                      streaming calls) the next streaming call returns -801
 *                      (R16), CloseFile of an open handle returns 0 (R19), End
 *                      returns 0 (R21), and no log file was deleted (the lowest
 *                      generation on disk is unchanged: nothing lost).
 *
 * All calls go through target_call(). Not thread-safe; one client per instance.
 */
#ifndef BACKSTOP_BACKUP_CLIENT_H
#define BACKSTOP_BACKUP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "target.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    BACKUP_CLIENT_OK = 0,
    BACKUP_CLIENT_EFAIL = -1,    /* a call or a check failed: see detail */
    BACKUP_CLIENT_EMISSING = -2, /* the target lacks a function the client needs */
    BACKUP_CLIENT_EIO = -3       /* the client's own files could not be written */
};

struct backup_client_config {
    const struct target_ops *ops;
    void *ctx;
    JET_INSTANCE inst;
    bool incremental;
    bool has_stop_after;
    uint32_t stop_after;  /* streaming calls before the Stop */
    uint32_t page_size;   /* database page size (0: 4096) */
    uint32_t read_pages;  /* ReadFile size in pages (0: 16) */
    const char *work_dir; /* where the backup set goes; NULL = $TMPDIR or /tmp */
    bool keep;            /* keep the backup set on disk */
    bool no_verify;       /* skip the byte comparison (benchmarks time the backup alone) */
};

struct backup_client_result {
    uint32_t calls;       /* API calls made */
    uint32_t files;       /* files copied */
    uint64_t bytes;       /* bytes copied */
    bool stopped;         /* the Stop was issued */
    char summary[256];    /* one line for traces */
    char detail[768];     /* why it failed, or what it skipped */
};

/* Run one backup. Returns BACKUP_CLIENT_OK or a negative status; res is always
 * filled. */
int backup_client_run(const struct backup_client_config *cfg, struct backup_client_result *res);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_BACKUP_CLIENT_H */
