/*
 * scn.h: the conformance scenario language (.scn), parsed. The format is
 * documented in scenarios/README.md; this header is the parsed form the runner
 * executes, and the printer turns it back into text (parse -> print -> parse is
 * the identity on anything the parser accepts).
 *
 * The parser never crashes and never reads past its input: every malformed line
 * gives one diagnostic "file:line:col: message" (with the nearest valid name for
 * an unknown API, error, grbit or directive) and scn_parse returns SCN_EPARSE.
 *
 * Memory: a suite owns everything it points to; scn_suite_free releases it.
 */
#ifndef BACKSTOP_SCN_H
#define BACKSTOP_SCN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jet.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
enum {
    SCN_OK = 0,
    SCN_EPARSE = -1, /* the input is malformed; diagnostics were written */
    SCN_EIO = -2,    /* a file could not be read */
    SCN_ENOMEM = -3,
    SCN_ELIMIT = -4  /* a hard limit below was exceeded (also reported as a diagnostic) */
};
const char *scn_strerror(int status);

/* Hard limits: inputs over them are parse errors, never crashes. */
#define SCN_MAX_LINE 4096
#define SCN_MAX_INCLUDE_DEPTH 8
#define SCN_MAX_STEPS 512    /* per case */
#define SCN_MAX_VARS 32      /* named handles per case */
#define SCN_MAX_RULE_IDS 24  /* ids on a case's `rules` line(s) */
#define SCN_MAX_RESULTS 8    /* results in one expect-any */
#define SCN_MAX_CHECKS 6     /* out-parameter checks per step */
#define SCN_MAX_THREADS 8    /* threads in a parallel block */

/* Where a thing came from, for diagnostics. `file` points into the suite. */
struct scn_loc {
    const char *file;
    int line, col;
};

/* A value that names an instance or file handle. */
enum scn_ref_kind {
    SCN_REF_NONE = 0, /* argument absent */
    SCN_REF_VAR,      /* a named handle: `var` indexes scn_case.vars */
    SCN_REF_INT,      /* a literal number (`0`, `0x10`, `4294967296`) */
    SCN_REF_NIL,      /* `nil`: JET_instanceNil */
    SCN_REF_NEVER     /* `never`: a handle value no instance ever had */
};
struct scn_ref {
    enum scn_ref_kind kind;
    int var;
    uint64_t value;
};

/* A file argument of JetOpenFile. */
enum scn_file_kind {
    SCN_FILE_NONE = 0,
    SCN_FILE_DB,     /* `db:NAME`: the fixture's path of database NAME */
    SCN_FILE_LOG,    /* `log:GEN`: the fixture's path of log generation GEN */
    SCN_FILE_STRING, /* `"text"`: passed as is ("" is the empty name) */
    SCN_FILE_NULL    /* `null`: a NULL name */
};
struct scn_file {
    enum scn_file_kind kind;
    const char *text; /* DB name or literal string (owned by the suite) */
    uint32_t gen;
};

/* A size argument: bytes, or pages of the case's page size (`16p`). */
struct scn_size {
    uint64_t value;
    bool pages;
};

/* One result a step may return. `profile_mask` is 0 for "every profile", else
 * bit (1 << enum model_profile) for the profiles the alternative is for. */
struct scn_result {
    JET_ERR err;
    unsigned profile_mask;
};

enum scn_expect_kind {
    SCN_EXPECT_DEFAULT = 0, /* fixture step with no `->`: expects 0 */
    SCN_EXPECT_ONE,         /* `-> R [PROFILE:R ...]` */
    SCN_EXPECT_ANY_OF,      /* `expect-any R R ...` */
    SCN_EXPECT_ANYTHING     /* `-> *`: undefined by the spec; only must not crash */
};
struct scn_expect {
    enum scn_expect_kind kind;
    int n_results;
    struct scn_result results[SCN_MAX_RESULTS];
};

/* Out-parameter checks: KEY OP VALUE, e.g. `actual=16p`, `actual>4`, `count=2`. */
enum scn_check_key {
    SCN_CHECK_SIZE = 1, /* OpenFile file size */
    SCN_CHECK_ACTUAL,   /* *pcbActual */
    SCN_CHECK_COUNT,    /* names in the returned list */
    SCN_CHECK_HF,       /* OpenFile handle value */
    SCN_CHECK_GENLOW,   /* JET_LOGINFO.ulGenLow */
    SCN_CHECK_GENHIGH,  /* JET_LOGINFO.ulGenHigh */
    SCN_CHECK_LOW,      /* logs-on-disk: lowest generation */
    SCN_CHECK_HIGH      /* logs-on-disk: highest generation */
};
enum scn_cmp { SCN_CMP_EQ = 1, SCN_CMP_NE, SCN_CMP_LT, SCN_CMP_LE, SCN_CMP_GT, SCN_CMP_GE };
struct scn_check {
    enum scn_check_key key;
    enum scn_cmp cmp;
    struct scn_size value;
};

/* What a step does. API steps use the Jet operations of model.h; the rest are
 * fixture and harness steps. */
enum scn_step_kind {
    SCN_STEP_API = 1,       /* `op` says which Jet function (or fixture op) */
    SCN_STEP_INSTANCE,      /* `instance NAME [init=no] [logging=off] [circular=on]` */
    SCN_STEP_ONEINST,       /* `oneinst NAME`: JetInit with no instance (OneInst mode) */
    SCN_STEP_PAGE_SIZE,     /* `page-size N` */
    SCN_STEP_LOG_SIZE,      /* `log-size N` */
    SCN_STEP_LOGS_ON_DISK,  /* `logs-on-disk INST low=N high=N`: fixture LogRange check */
    SCN_STEP_FAULT,         /* `fault POINT [nth=N]`: arm a fault point */
    SCN_STEP_BACKUP_CLIENT, /* `backup-client INST full|incremental [stop-after N]` */
    SCN_STEP_PARALLEL_BEGIN,/* `parallel`: the steps up to `end` form one block */
    SCN_STEP_PARALLEL_END
};

#define SCN_STEP_INIT_NO 0x1u      /* instance: init=no */
#define SCN_STEP_LOGGING_OFF 0x2u  /* instance: logging=off */
#define SCN_STEP_CIRCULAR 0x4u     /* instance: circular=on */
#define SCN_STEP_INCREMENTAL 0x8u  /* backup-client: incremental */

struct scn_step {
    struct scn_loc loc;
    enum scn_step_kind kind;
    enum model_op op;     /* SCN_STEP_API: the operation (Jet or fixture op) */
    int thread;           /* index of the thread label in a parallel block, else -1 */
    struct scn_ref inst;  /* instance argument */
    struct scn_ref hf;    /* file handle argument (ReadFile, CloseFile) */
    int bind;             /* var bound by this step (CreateInstance, OpenFile hf,
                             instance, oneinst), else -1 */
    JET_GRBIT grbit;
    struct scn_size cb;   /* cbMax (lists, ReadFile); N (page-size, log-size) */
    struct scn_file file; /* OpenFile name; fixture database name (in file.text) */
    uint32_t call_flags;  /* MODEL_CALL_BUF_NULL, _BUF_MISALIGNED, _PCB_NULL */
    uint32_t arg;         /* pages, gen, state, stop-after N, fault nth */
    uint32_t step_flags;  /* SCN_STEP_* above */
    const char *text;     /* fault point name; backup-client stop-after present? */
    struct scn_expect expect;
    int n_checks;
    struct scn_check checks[SCN_MAX_CHECKS];
};

struct scn_case {
    const char *name;   /* unique in the suite */
    const char *intent;
    struct scn_loc loc; /* the `case` line */
    int n_rules;
    const char *rules[SCN_MAX_RULE_IDS]; /* "R16", "S7", "D1" */
    unsigned profile_mask;               /* 0 = every profile */
    int n_vars;
    const char *vars[SCN_MAX_VARS];
    int n_threads;                       /* thread labels used in parallel blocks */
    const char *threads[SCN_MAX_THREADS];
    int n_steps;
    struct scn_step *steps;
};

struct scn_suite; /* opaque: owns cases, strings, file names */

/* Parse one file or every *.scn file below a directory (sorted by path, recursing),
 * appending its cases to *suite (created if *suite is NULL). Diagnostics go to
 * `diag` (may be NULL to discard). A duplicate case name is a parse error.
 * On SCN_EPARSE the suite keeps the cases parsed so far. */
int scn_parse_path(const char *path, FILE *diag, struct scn_suite **suite);
/* Parse a memory buffer; `name` is used in diagnostics and as the base directory
 * for includes (NULL base: includes are an error). */
int scn_parse_buffer(const char *name, const char *text, size_t len, FILE *diag,
                     struct scn_suite **suite);
void scn_suite_free(struct scn_suite *suite);

size_t scn_suite_count(const struct scn_suite *suite);
const struct scn_case *scn_suite_case(const struct scn_suite *suite, size_t i);

/* Print one case in canonical form (includes already expanded). */
int scn_print_case(const struct scn_case *c, FILE *out);

/* Name tables used by the parser and by reports. */
const char *scn_err_name(JET_ERR err);                 /* "JET_errBackupAbortByServer" or NULL */
int scn_err_parse(const char *name, JET_ERR *out);     /* name or number; 0 on success */
int scn_grbit_parse(const char *text, JET_GRBIT *out); /* `A|B|0x4` */
/* The candidate in `names` (n entries) closest to `word` by edit distance, or NULL
 * if none is within max(2, strlen(word)/3). */
const char *scn_nearest(const char *word, const char *const *names, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_SCN_H */
