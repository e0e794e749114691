/*
 * fuzzsched_int.h: what fuzzsched.c (the byte layout: decoding, encoding,
 * printing) and fuzzsched_run.c (threads, the deterministic scheduler, the
 * checks) share. Nobody else includes it.
 */
#ifndef BACKSTOP_FUZZSCHED_INT_H
#define BACKSTOP_FUZZSCHED_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzzsched.h"
#include "history.h"
#include "model.h"

/* How a call names its instance (the low nibble of its second byte). */
enum fs_ref {
    FS_REF_SLOT = 0, /* the slot's instance: current, or stale after its JetTerm */
    FS_REF_ZERO,
    FS_REF_NIL,
    FS_REF_NEVER,    /* a value no instance ever had */
    FS_REF_LIT,      /* 0x1234 */
    FS_REF_NONE      /* legacy call without an instance */
};

/* OpenFile names (fs_call.arg decides, fuzzsched__file_of). */
enum fs_file { FS_FILE_DB = 0, FS_FILE_LOG, FS_FILE_BOGUS, FS_FILE_EMPTY };

#define FS_NEVER_HANDLE ((JET_INSTANCE)0x7BAD0BAD0ull) /* the runner's `never` */
#define FS_LIT_HANDLE ((JET_INSTANCE)0x1234u)
#define FS_BOGUS_NAME "nosuch.edb"
#define FS_MAX_LOG_GEN 8      /* log generations an OpenFile may name */

struct fs_call {
    uint8_t thread;
    uint8_t op;    /* enum model_op */
    uint8_t ref;   /* enum fs_ref */
    uint8_t slot;  /* FS_REF_SLOT */
    uint8_t arg;   /* 0..15: the op's argument choice (tables in fuzzsched.c) */
    uint16_t index; /* position in the input: the default order */
};

struct fs_inst {
    uint8_t n_db;        /* 1 or 2 */
    uint8_t pages[2];
    uint8_t gen;         /* logs rolled to this generation */
};

struct fuzzsched {
    uint64_t hash;               /* FNV-1a of the input */
    size_t input_size;
    enum model_profile profile;
    uint32_t page_size, log_size;
    unsigned n_threads, n_inst;
    struct fs_inst inst[FUZZSCHED_MAX_INSTANCES];
    size_t n_calls;
    struct fs_call calls[FUZZSCHED_MAX_CALLS];
    size_t n_dec;
    uint8_t dec[FUZZSCHED_MAX_DECISIONS];
    /* The record of the last run. */
    bool ran;
    struct hist_event *hist;     /* collected, invocation order (malloc'ed) */
    size_t n_hist;
    JET_INSTANCE handles[FUZZSCHED_MAX_INSTANCES]; /* the slots' target handles */
    uint64_t hist_hash, decisions;
    char log_names[FS_MAX_LOG_GEN + 1][16]; /* model names of logs, for the history */
    char finding[6144];
};

/* The argument tables, by fs_call.arg. */
extern const JET_GRBIT fuzzsched__begin_bits[16], fuzzsched__end2_bits[16], fuzzsched__term2_bits[16];
extern const uint32_t fuzzsched__list_cb[16], fuzzsched__read_cb[16];
/* OpenFile's name choice: which file, and the database index or log generation. */
enum fs_file fuzzsched__file_of(const struct fs_inst *in, uint8_t arg, uint32_t *which);
/* CloseFile's handle choice: true for the slot's last opened handle, else *lit. */
bool fuzzsched__close_hf_of(uint8_t arg, JET_HANDLE *lit);
/* The handle value of a non-slot reference. */
JET_INSTANCE fuzzsched__ref_value(enum fs_ref ref);

#endif /* BACKSTOP_FUZZSCHED_INT_H */
