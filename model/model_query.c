/*
 * model_query.c: the model's read-only queries (model.h): fingerprints, the
 * lists a list call returns, the mode and the instance view. Apart from model.c:
 * none of it changes a world or runs in a step.
 */
#include <string.h>

#include "model_int.h"

/* A 64-bit mix over whole words (the structs are multiples of 8 bytes). */
static uint64_t model__hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0x9E3779B97F4A7C15u ^ (uint64_t)n;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, b + i, 8);
        h ^= v;
        h *= 0xFF51AFD7ED558CCDu;
        h ^= h >> 32;
    }
    h ^= h >> 29;
    h *= 0xC4CEB9FE1A85EC53u;
    h ^= h >> 32;
    return h;
}

uint64_t model_fingerprint(const struct model_world *w)
{
    return model__hash(w, sizeof *w);
}

/* ---------------------------------------------------------------------------
 * Read-only queries.
 * ------------------------------------------------------------------------- */

unsigned model_instance_count(const struct model_world *w)
{
    unsigned n = 0;
    for (int i = 0; i < MODEL_MAX_INSTANCES; i++)
        n += w->inst[i].handle != 0;
    return n;
}

/* Stage L without V: the instance a handle names for the queries, or NULL. */
static const struct model__inst *model__find(const struct model_world *w, JET_INSTANCE h)
{
    JET_ERR err;
    unsigned rule;
    int idx = model__lookup(w, h, &err, &rule);
    return idx < 0 ? NULL : &w->inst[idx];
}

uint64_t model_fingerprint_instance(const struct model_world *w, JET_INSTANCE inst)
{
    const struct model__inst *in = model__find(w, inst);
    if (in == NULL)
        return 0;
    uint64_t h = model__hash(in, sizeof *in);
    return h != 0 ? h : 1;
}

/* Append bytes to a bounded buffer; returns the new logical length. */
static uint32_t model__put(char *buf, uint32_t cb, uint32_t at, const char *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++, at++) {
        if (buf != NULL && at < cb)
            buf[at] = s[i];
    }
    return at;
}

static void model__log_name(uint32_t gen, char out[MODEL__LOG_NAME_BYTES])
{
    static const char hex[] = "0123456789ABCDEF";
    memcpy(out, "edb", 3);
    for (int i = 0; i < 8; i++)
        out[3 + i] = hex[(gen >> (28 - 4 * i)) & 0xFu];
    memcpy(out + 11, ".log", 5); /* with the NUL */
}

uint32_t model_list(const struct model_world *w, JET_INSTANCE inst, int which, char *buf,
                    uint32_t cb)
{
    const struct model__inst *in = model__find(w, inst);
    if (in == NULL || !in->in_progress_any || which < 0 || which > 2)
        return 0;
    uint32_t at = 0;
    if (which == 0) {
        for (int i = 0; i < MODEL_MAX_DATABASES; i++) {
            const struct model__db *d = &in->db[i];
            if (d->pages != 0)
                at = model__put(buf, cb, at, d->name, (uint32_t)d->name_len + 1u);
        }
        return model__put(buf, cb, at, "", 1);
    }
    uint32_t mic = which == 1 ? in->copy_mic : in->delete_mic;
    uint32_t mac = which == 1 ? in->copy_mac : in->delete_mac;
    uint64_t n = mac > mic ? mac - mic : 0;
    uint64_t size = n * MODEL__LOG_NAME_BYTES + 1u;
    if (size > UINT32_MAX)
        return 0;
    /* Write only what fits; the size is known without the loop. */
    for (uint32_t g = mic; g < mac && at < cb && buf != NULL; g++) {
        char name[MODEL__LOG_NAME_BYTES];
        model__log_name(g, name);
        at = model__put(buf, cb, at, name, MODEL__LOG_NAME_BYTES);
    }
    at = (uint32_t)(size - 1u);
    model__put(buf, cb, at, "", 1);
    return (uint32_t)size;
}

enum model_mode model_mode(const struct model_world *w)
{
    return (enum model_mode)w->mode;
}

void model_view(const struct model_world *w, JET_INSTANCE inst, struct model_view *out)
{
    memset(out, 0, sizeof *out);
    const struct model__inst *in = model__find(w, inst);
    if (in == NULL) {
        out->life = MODEL_LIFE_TERMINATED;
        return;
    }
    out->found = true;
    out->life = (enum model_life)in->life;
    out->backup_allowed = in->backup_allowed;
    out->service_stopped = in->service_stopped;
    out->logging_disabled = in->logging_disabled;
    out->circular = in->circular;
    out->has_log = !(in->forced & MODEL__FORCED(BACKSTOP_STATE_NO_LOG));
    for (uint32_t s = 1; s < BACKSTOP_STATE__COUNT; s++) {
        if (in->forced & MODEL__FORCED(s)) {
            out->forced_state = s; /* the lowest forced state */
            break;
        }
    }
    out->in_progress_any = in->in_progress_any;
    out->in_progress_local = in->in_progress_local;
    out->stop = in->stop;
    out->full = in->full;
    out->logs_truncated = in->logs_truncated;
    out->began_new_log = in->began_new_log;
    out->phase = (enum model_phase)in->phase;
    out->slot_in_use = in->slot_in_use;
    out->slot_is_db = in->slot_is_db;
    out->slot_is_log = in->slot_is_log;
    out->slot_ib = in->slot_ib;
    out->slot_cb = in->slot_cb;
    out->slot_lgen = in->slot_lgen;
    out->slots_ever_used = in->slots_ever_used;
    out->copy_mic = in->copy_mic;
    out->copy_mac = in->copy_mac;
    out->delete_mic = in->delete_mic;
    out->delete_mac = in->delete_mac;
    out->gen_copy_done = in->gen_copy_done > UINT32_MAX ? UINT32_MAX : (uint32_t)in->gen_copy_done;
    out->log_low = in->log_low;
    out->log_current = in->log_current;
    out->checkpoint = in->checkpoint;
    out->n_databases = in->n_databases;
}
