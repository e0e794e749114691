/*
 * model_int.h: the model's private header, shared by its files and by nothing
 * else (the world's layout stays opaque to every caller of model.h):
 *   model.c        model_step() and the state machine;
 *   model_open.c   OpenFile (§4.3) and its file names: base names, the database
 *                  lookup, log names;
 *   model_names.c  operation, profile, fault and rule names; the overlap
 *                  predicate (R50-R55);
 *   model_query.c  fingerprints, lists and views (read-only).
 * The split keeps each file under the style guide's size; the hot path of a step
 * stays in model.c and model_open.c.
 */
#ifndef BACKSTOP_MODEL_INT_H
#define BACKSTOP_MODEL_INT_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model.h"

/* ---------------------------------------------------------------------------
 * Limits and encodings private to the model.
 * ------------------------------------------------------------------------- */

/* Instance handles are 0x10000 + 0x100 * serial + table slot. The serial grows
 * forever, so a handle is never reused (no ABA, §2.3), and the slot in the low
 * byte makes the lookup O(1). */
#define MODEL__HANDLE_BASE ((uint64_t)0x10000u)
#define MODEL__MAX_SERIAL (((uint64_t)UINTPTR_MAX - MODEL__HANDLE_BASE) >> 8)

/* Log generations the fixture may delete while they lie above the lowest one on
 * disk (deleting the lowest one just raises it). One more gives -1011. */
#define MODEL__MAX_DELETED 8
/* Detached database files an instance remembers. One more detach gives -1011
 * (a model limit, model.h). */
#define MODEL__MAX_DETACHED MODEL_MAX_DATABASES
/* Model choice: the highest log generation. Rolling past it is "log sequence
 * end" (-519), in Begin's log-state check (§4.1 step 10) and in the log
 * preparation of GetLogInfo (§4.6 step 5, returned without cancelling). It
 * also keeps every generation sum of R47 inside 64 bits. */
#define MODEL__GEN_MAX 0x7FFFFFF0u

/* "edbXXXXXXXX.log" plus its NUL: the model's name of one log in a list. */
#define MODEL__LOG_NAME_BYTES 16u

/* Bits of model__db.full_done: a normal end of a full backup of this kind
 * happened while the database was attached (§4.1 step 15, §4.9.2 d). */
#define MODEL__FULL_LOCAL 0x1u
#define MODEL__FULL_SURROGATE 0x2u

#define MODEL__FORCED(s) ((uint16_t)(1u << (s)))
#define MODEL__FORCED_UNAVAILABLE \
    (MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE) | MODEL__FORCED(BACKSTOP_STATE_UNAVAILABLE_LOG_FULL))
#define MODEL__FORCED_LOCKED                                                               \
    (MODEL__FORCED(BACKSTOP_STATE_TERMINATING) | MODEL__FORCED(BACKSTOP_STATE_RESTORING) | \
     MODEL__FORCED(BACKSTOP_STATE_INITIALISING))
#define MODEL__FORCED_GATE (MODEL__FORCED_UNAVAILABLE | MODEL__FORCED_LOCKED)

/* Grbits by value (jet.h's constants are not constant expressions in C). */
#define MODEL__BK_INCREMENTAL 0x1u
#define MODEL__BK_SURROGATE 0x20u
#define MODEL__BK_INTERNAL_COPY 0x40u
#define MODEL__END_NORMAL 0x1u
#define MODEL__END_ABORT 0x2u
#define MODEL__END_NO_DB_HEADER_UPDATE 0x200u
#define MODEL__TERM_ABRUPT 0x2u
#define MODEL__TERM_STOP_BACKUP 0x4u
#define MODEL__TERM_DIRTY 0x8u

/* ---------------------------------------------------------------------------
 * The world. Every struct is laid out without implicit padding (checked
 * below), all fields are fixed-width, and free entries are all-zero.
 * ------------------------------------------------------------------------- */

/* One attached database (§9: name -> pgnoLast). A free entry is all zero. */
struct model__db {
    char name[MODEL_MAX_NAME]; /* NUL-padded */
    uint32_t pages;            /* pgnoLast; 0 marks a free entry */
    uint8_t name_len;
    uint8_t full_done; /* MODEL__FULL_* */
    uint8_t in_session; /* §3.3: takes part in the backup in progress */
    uint8_t edb_done;   /* §4.5: CloseFile saw it read to the end in this session */
};

/* One table slot: an instance's lifecycle, its backup context (§3) and its
 * abstract files. A free slot is all zero (handle 0). */
struct model__inst {
    uint64_t handle;
    uint64_t name_hash;         /* model__name_hash() of the instance name; 0: unnamed */
    uint64_t slot_ib, slot_cb;  /* §3.2 read position and streamed size */
    uint64_t gen_copy_done;     /* §3.1; 64 bits so the R47 sums never wrap */
    uint32_t log_low;           /* lowest generation on disk (never a deleted one) */
    uint32_t log_current;       /* the generation being written */
    uint32_t checkpoint;
    uint32_t copy_mic, copy_mac, delete_mic, delete_mac;
    uint32_t slot_lgen;
    uint32_t deleted[MODEL__MAX_DELETED]; /* deleted gens in (log_low, log_current] */
    uint16_t forced;                      /* MODEL__FORCED(enum backstop_state) bits */
    uint8_t life;                         /* enum model_life; 0 for a free slot */
    uint8_t backup_allowed;
    /* The hot flags, each 0 or 1, side by side so that one word tests them all
     * (model__hot): */
    uint8_t gate_shut;  /* stage G fails (model__gate_update): service stopped, a
                           forced gate state, or not running */
    uint8_t in_progress_local, stop, slot_in_use;
    uint8_t slot_is_db, slot_is_log, slot_db, slots_ever_used; /* the slot's, beside it */
    uint8_t service_stopped, logging_disabled, circular, n_deleted;
    uint8_t in_progress_any, phase, full, internal_copy;
    uint8_t logs_truncated, began_new_log, n_databases;
    uint8_t n_detached; /* entries in use in detached[] */
    uint16_t db_tag[MODEL_MAX_DATABASES]; /* model__name_tag of each entry of db[],
                                             kept by model__db_tag_update */
    struct model__db db[MODEL_MAX_DATABASES];
    /* Files a detach left on disk (§4.3 step 9 opens them as plain files in
     * phase LogsAndPatches): name, name_len and pages only; pages 0 marks a
     * free entry. */
    struct model__db detached[MODEL__MAX_DETACHED];
};

struct model_world {
    uint64_t next_serial;
    uint32_t profile, page_size, os_page, log_size;
    uint32_t mode; /* enum model_mode */
    uint32_t page_mask;  /* page_size - 1 if it is a power of 2, else UINT32_MAX: a
                            read size is a page multiple iff (size & page_mask) == 0,
                            or needs the division */
    struct model__inst inst[MODEL_MAX_INSTANCES];
};

_Static_assert(sizeof(struct model__db) == MODEL_MAX_NAME + 8, "model__db has padding");
_Static_assert(sizeof(struct model__inst) ==
                   5 * 8 + (8 + MODEL__MAX_DELETED) * 4 + 2 + 22 + 2 * MODEL_MAX_DATABASES +
                       (MODEL_MAX_DATABASES + MODEL__MAX_DETACHED) * sizeof(struct model__db),
               "model__inst has padding");
_Static_assert(sizeof(struct model_world) == 32 + MODEL_MAX_INSTANCES * sizeof(struct model__inst),
               "model_world has padding");
_Static_assert(offsetof(struct model__inst, in_progress_local) ==
                       offsetof(struct model__inst, gate_shut) + 1 &&
                   offsetof(struct model__inst, stop) == offsetof(struct model__inst, gate_shut) + 2 &&
                   offsetof(struct model__inst, slot_in_use) ==
                       offsetof(struct model__inst, gate_shut) + 3 &&
                   offsetof(struct model__inst, gate_shut) % 4 == 0,
               "model__hot reads the four hot flags as one aligned word");
_Static_assert(MODEL_MAX_INSTANCES <= 0x100, "the slot must fit the handle's low byte");
_Static_assert((MODEL_MAX_INSTANCES & (MODEL_MAX_INSTANCES - 1)) == 0,
               "model__live_index masks with MODEL_MAX_INSTANCES - 1");
_Static_assert(MODEL_MAX_NAME <= 0x100, "name_len is 8 bits");

/* The hot flags of an instance as one word (MODEL__HOT), so that a fast path
 * tests the gate, the local backup, stop and the slot with one compare: one
 * 4-byte load from the instance (the static assertion above keeps them side
 * by side), in little-endian order whatever the host's. */
#define MODEL__HOT(gate_shut, local, stop, slot_in_use)                                  \
    ((uint32_t)(gate_shut) | (uint32_t)(local) << 8 | (uint32_t)(stop) << 16 |           \
     (uint32_t)(slot_in_use) << 24)
static inline uint32_t model__hot(const struct model__inst *in)
{
    uint32_t v;
    memcpy(&v, (const unsigned char *)in + offsetof(struct model__inst, gate_shut), sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}


/* The per-operation bodies stay out of line so that model_step() is a small
 * dispatcher with a cheap frame; a hint only, for speed (the bench's goal). */
#if defined(__GNUC__)
#define MODEL__NOINLINE __attribute__((noinline))
#define MODEL__ALWAYS_INLINE __attribute__((always_inline))
#else
#define MODEL__NOINLINE
#define MODEL__ALWAYS_INLINE
#endif


/* The table slot of a live handle, or -1. */
static inline int model__live_index(const struct model_world *w, JET_INSTANCE h)
{
    /* A live handle's low byte is its slot, below MODEL_MAX_INSTANCES (a power
     * of 2): masking with MODEL_MAX_INSTANCES - 1 reads the one slot that can
     * hold it, and no other value equals that slot's handle. A free slot's
     * handle is 0, which no live handle is. */
    uint64_t v = (uint64_t)h;
    uint64_t slot = v & (MODEL_MAX_INSTANCES - 1u);
    return (w->inst[slot].handle == v && v != 0) ? (int)slot : -1;
}

/* Stage L (§2.3): the instance a handle resolves to in the current mode, or -1
 * with *err and the deciding rule. */
static inline int model__lookup(const struct model_world *w, JET_INSTANCE h, JET_ERR *err,
                                unsigned *rule)
{
    if (w->mode == MODEL_MODE_MULTI) {
        if (h == 0 || h == JET_instanceNil) {
            *err = JET_errInvalidParameter; /* R2 */
            *rule = 2;
            return -1;
        }
        int i = model__live_index(w, h);
        if (i < 0) {
            *err = JET_errInvalidParameter; /* R3 */
            *rule = 3;
        }
        return i;
    }
    if (w->mode == MODEL_MODE_ONE) {
        /* R4: the handle value is ignored; the single instance is slot 0. */
        if (w->inst[0].handle != 0)
            return 0;
        *err = JET_errInvalidParameter;
        *rule = 4;
        return -1;
    }
    *err = JET_errInvalidParameter; /* R5: NoSet */
    *rule = 5;
    return -1;
}

/* The instance variant a legacy call forwards to in OneInst mode (§2.5). */
static inline enum model_op model__instance_variant(enum model_op op)
{
    switch (op) {
    case MODEL_OP_STOP_SERVICE: return MODEL_OP_STOP_SERVICE_INSTANCE;
    case MODEL_OP_STOP_BACKUP: return MODEL_OP_STOP_BACKUP_INSTANCE;
    case MODEL_OP_BEGIN_LEGACY: return MODEL_OP_BEGIN;
    case MODEL_OP_GET_ATTACH_INFO_LEGACY: return MODEL_OP_GET_ATTACH_INFO;
    case MODEL_OP_OPEN_FILE_LEGACY: return MODEL_OP_OPEN_FILE;
    case MODEL_OP_READ_FILE_LEGACY: return MODEL_OP_READ_FILE;
    case MODEL_OP_CLOSE_FILE_LEGACY: return MODEL_OP_CLOSE_FILE;
    case MODEL_OP_GET_LOG_INFO_LEGACY: return MODEL_OP_GET_LOG_INFO;
    case MODEL_OP_TRUNCATE_LOG_LEGACY: return MODEL_OP_TRUNCATE_LOG;
    case MODEL_OP_END_LEGACY: return MODEL_OP_END;
    default: return op;
    }
}

/* Rules that decided a result (model_result.rules). */
static inline void model__rule(struct model_result *r, unsigned n)
{
    if (r->n_rules < MODEL_MAX_RULES)
        r->rules[r->n_rules++] = (uint8_t)n;
}

/* The first rule of a result: for the paths of an operation's body that
 * record nothing before it (a body starts with no rules: model__enter records
 * rules only when it fails). */
static inline void model__rule_first(struct model_result *r, unsigned n)
{
    assert(r->n_rules == 0); /* checked in the Debug (sanitizer) builds */
    r->n_rules = 1;
    r->rules[0] = (uint8_t)n;
}

/* Log files on disk. */
static inline bool model__log_deleted(const struct model__inst *in, uint32_t gen)
{
    for (unsigned i = 0; i < in->n_deleted; i++) {
        if (in->deleted[i] == gen)
            return true;
    }
    return false;
}

static inline bool model__log_on_disk(const struct model__inst *in, uint32_t gen)
{
    return gen >= in->log_low && gen <= in->log_current && !model__log_deleted(in, gen);
}

/* Profile "documented" (§7; the decisions are listed in model.c). */
static inline bool model__documented(const struct model_world *w)
{
    return w->profile == MODEL_PROFILE_DOCUMENTED;
}

/* model.c: a [cancels] error (§4.9.3), and D5/D6's cancel in the documented
 * profile. */
void model__cancel(struct model__inst *in, JET_ERR err, struct model_result *r);
void model__doc_cancels(const struct model_world *w, struct model__inst *in, JET_ERR err,
                        struct model_result *r);

/* model_open.c. */
/* The file name of a path (after its last '/' or '\\'), and its length. */
const char *model__basename(const char *path, size_t *len);
/* The entry of files[0..n) named base (len bytes, any case), or -1. */
int model__find_file(const struct model__db *files, int n, const char *base, size_t len);
/* Keep in->db_tag[i] equal to db[i]'s tag: call after every change of db[i]. */
void model__db_tag_update(struct model__inst *in, int i);
/* The attached database named s (n bytes, any case), or -1. */
int model__match_db(const struct model__inst *in, const char *s, size_t n);
/* §4.3, OpenFile's body (after stages V, L and G). */
void model__open_file(struct model_world *w, struct model__inst *in, const struct model_call *c,
                      struct model_result *r);

#endif /* BACKSTOP_MODEL_INT_H */
