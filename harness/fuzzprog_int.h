/*
 * fuzzprog_int.h: what fuzzprog.c (decoding, encoding, printing) and
 * fuzzprog_run.c (lockstep execution and checks) share: the decoded step, the
 * record a run leaves behind, and the program object. Nobody else includes it.
 */
#ifndef BACKSTOP_FUZZPROG_INT_H
#define BACKSTOP_FUZZPROG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzzprog.h"
#include "model.h"

/* What a step is. */
enum fp_kind {
    FP_API = 1,  /* a Jet call: `op` */
    FP_FIXTURE,  /* database, detach, roll-log, checkpoint, delete-log, force-state: `op` */
    FP_INSTANCE, /* `instance iV [init=no] [logging=off] [circular=on]` */
    FP_ONEINST,  /* `oneinst iV` */
    FP_LOGS,     /* `logs-on-disk iV low=L high=H` */
    FP_FAULT     /* `fault POINT nth=N` (FUZZPROG_FAULTS only) */
};

/* An instance argument. */
enum fp_ref {
    FP_REF_VAR = 0, /* handle name i<var>; a name not bound yet is the value 0 */
    FP_REF_ZERO,
    FP_REF_NIL,
    FP_REF_NEVER,   /* the runner's `never` value */
    FP_REF_LIT,     /* `lit` */
    FP_REF_NONE     /* no instance argument (legacy calls) */
};

/* A file handle argument: the name `h` (bound by every OpenFile), or `hf_lit`. */
enum fp_hf { FP_HF_VAR = 0, FP_HF_LIT };

/* An OpenFile name. */
enum fp_file { FP_FILE_NONE = 0, FP_FILE_DB, FP_FILE_LOG, FP_FILE_STR, FP_FILE_NULL };

/* FP_INSTANCE flags (fp_step.arg). */
#define FP_INST_INIT_NO 0x1u
#define FP_INST_LOGGING_OFF 0x2u
#define FP_INST_CIRCULAR 0x4u

#define FP_MAX_STR 24      /* OpenFile literal names, with the NUL */
#define FP_N_DBNAMES 4     /* database names db1..db4 */
#define FP_N_POINTS 6      /* fault points, fuzzprog__points */

/* The runner's `never` handle (runner.c, RUNNER_NEVER_HANDLE): printed as
 * `never`, so both must be the same value. */
#define FP_NEVER_HANDLE ((JET_INSTANCE)0x7BAD0BAD0ull)

struct fp_step {
    uint8_t kind;   /* enum fp_kind */
    uint8_t op;     /* enum model_op (FP_API, FP_FIXTURE) */
    uint8_t ref;    /* enum fp_ref */
    uint8_t var;    /* FP_REF_VAR: the name; binding steps: the name bound */
    uint8_t hf_ref; /* enum fp_hf */
    uint8_t file;   /* enum fp_file */
    uint8_t db;     /* database name index (FP_FILE_DB, database, detach) */
    uint8_t point;  /* FP_FAULT: index into fuzzprog__points */
    bool cb_pages;  /* cb counts pages of the world's page size */
    uint32_t cb;
    uint32_t flags; /* MODEL_CALL_BUF_NULL, _BUF_MISALIGNED, _PCB_NULL, _NAME_NULL */
    JET_GRBIT grbit;
    uint32_t gen;   /* FP_FILE_LOG */
    uint32_t arg;   /* pages, gen, state, nth, FP_INST_* */
    uint64_t lit, hf_lit;
    char str[FP_MAX_STR];
};

/* Which checks a record prints (fp_rec.checks). */
#define FP_CHECK_SIZE 0x1u
#define FP_CHECK_ACTUAL 0x2u
#define FP_CHECK_GENS 0x4u

/* What a run did with one step. */
struct fp_rec {
    uint8_t done;      /* executed (and printed); 0: skipped */
    uint8_t n_sub;     /* FP_INSTANCE: sub-calls made (create, configure, init) */
    uint8_t checks;    /* FP_CHECK_* to print */
    uint8_t fired;     /* 1 + point index of a fault fired in this step, or 0 */
    bool has_req;      /* the finding requires `req` instead of the model's result */
    JET_ERR merr;      /* model's result (FP_INSTANCE: of the last sub-call) */
    JET_ERR sub[3];    /* FP_INSTANCE: model results of create, configure, init */
    JET_ERR req;
    uint64_t size;
    uint32_t actual, genlow, genhigh;
    uint32_t low, high; /* FP_LOGS */
    uint8_t n_rules;
    uint8_t rules[MODEL_MAX_RULES];
};

struct fuzzprog {
    enum fuzzprog_kind kind;
    uint64_t hash;            /* FNV-1a of the input */
    size_t input_size;
    enum model_profile profile;
    uint32_t page_size, log_size;
    size_t n;
    struct fp_step steps[FUZZPROG_MAX_STEPS];
    struct fp_rec rec[FUZZPROG_MAX_STEPS];
    bool ran;
    long finding_step;        /* -1: none */
    char finding[2048];
};

struct fuzzprog__point {
    const char *name;
    enum model_fault fault; /* MODEL_FAULT_NONE: engine-only, transparent */
    bool scn;               /* the .scn language's `fault` step knows it */
};
extern const struct fuzzprog__point fuzzprog__points[FP_N_POINTS];
extern const char *const fuzzprog__dbnames[FP_N_DBNAMES];

/* The model's name of log generation `gen` ("edbXXXXXXXX.log"); buf >= 16. */
void fuzzprog__log_name(uint32_t gen, char *buf, size_t cb);

#endif /* BACKSTOP_FUZZPROG_INT_H */
