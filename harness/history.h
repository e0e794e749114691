/*
 * history.h: recorded concurrent histories. Every call a worker makes is one
 * event: its invocation and its response, stamped with a global logical clock,
 * with the thread, the arguments, the result and the out-parameters. Workers
 * append to their own per-thread buffer (no lock; one atomic increment of the
 * shared clock per stamp), so recording does not serialise them.
 *
 * Handles: a history names instances by *lifetime*, not by handle value. The
 * stress driver gives every instance lifetime (from JetCreateInstance/JetInit to
 * the JetTerm that frees it) a number; an event's `lifetime` is the lifetime its
 * handle argument belonged to when the call was invoked, or HIST_NO_LIFETIME for
 * handles that never named an instance (nil, never-created, garbage) and for
 * calls that take no handle (legacy variants in a MultiInst world). A stale
 * handle of a freed lifetime keeps that lifetime's number, with
 * `handle_stale` set. The linearizability checker partitions by lifetime
 * (P-compositionality: instances do not interact through the backup API).
 *
 * Thread use: hist_begin/hist_end only by the worker that owns `thread`;
 * hist_collect only after every worker has stopped.
 */
#ifndef BACKSTOP_HISTORY_H
#define BACKSTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { HIST_OK = 0, HIST_ENOMEM = -1, HIST_EFULL = -2, HIST_EINVAL = -3 };
const char *hist_strerror(int status);

#define HIST_PENDING UINT64_MAX         /* ret stamp of a call with no response */
#define HIST_NO_LIFETIME UINT32_MAX

/* Fields are ordered so that the event has no holes: 128 bytes, two cache
 * lines (the recorder writes one per call, and the checker reads millions). */
struct hist_event {
    uint64_t inv, ret;        /* logical clock; ret == HIST_PENDING: no response
                                 (crash, timeout, or the run ended while it ran) */
    uint32_t thread;
    uint32_t lifetime;        /* see above */
    struct model_call call;   /* arguments in model terms; call.inst is not used
                                 by the checker (lifetime is); call.name must point
                                 to storage that outlives the history (static) */
    enum model_fault fault;   /* an injected fault fired inside this call */
    /* The response (meaningful when ret != HIST_PENDING): */
    JET_ERR err;
    uint32_t outs;            /* MODEL_OUT_* that were observed */
    uint32_t cb_actual;
    JET_HANDLE hf;
    uint64_t size;
    uint32_t gen_low, gen_high;
    bool handle_stale;        /* the handle's lifetime had ended at invocation */
};

struct hist; /* opaque recorder */

/* A recorder for n_threads workers with room for cap events each. */
int hist_create(uint32_t n_threads, size_t cap_per_thread, struct hist **out);
void hist_destroy(struct hist *h);
/* Forget every event and restart the clock, keeping the buffers (and the
 * memory they have touched): a fresh recorder at no allocation cost. Only
 * while no worker records. */
void hist_reset(struct hist *h);
/* Turn recording off (benchmarks of the overhead): begin/end become no-ops. */
void hist_set_enabled(struct hist *h, bool on);

/* Record an invocation: copies *ev (its response fields are ignored), stamps inv,
 * and returns a slot index for hist_end, or a negative status (HIST_EFULL). */
long hist_begin(struct hist *h, uint32_t thread, const struct hist_event *ev);
/* Record the response of slot `slot` on `thread`: copies the response fields of
 * *ev (err, outs, hf, size, cb_actual, gens, fault) and stamps ret. */
void hist_end(struct hist *h, uint32_t thread, long slot, const struct hist_event *ev);

/* All events of all threads, ordered by invocation stamp, into a malloc'ed array
 * (the caller frees). Returns the count. */
size_t hist_collect(const struct hist *h, struct hist_event **out);
/* The number of events recorded (what hist_collect would return). */
size_t hist_count(const struct hist *h);
/* As hist_collect, into dst (room for hist_count(h) events; a buffer reused
 * from one collection to the next). Returns the count. */
size_t hist_collect_into(const struct hist *h, struct hist_event *dst);

/* As hist_collect_into, but pointers to the events where the recorder holds
 * them (valid until hist_reset or hist_destroy): no event is copied. */
size_t hist_collect_ptrs(const struct hist *h, const struct hist_event **dst);
/* Thread `thread`'s own events, in its invocation order, where the recorder
 * holds them: *out, and the count. After every worker has stopped. */
size_t hist_thread_events(const struct hist *h, uint32_t thread, const struct hist_event **out);
uint32_t hist_n_threads(const struct hist *h);

/* A 64-bit hash of a collected history (every field but pointers), printed as
 * "history hash: <hex>" by stress and replay. Equal histories, equal hashes. */
uint64_t hist_hash(const struct hist_event *ev, size_t n);

/* Print events as "[inv,ret] t<thread> L<lifetime> JetX(...) = err" lines. */
void hist_print(const struct hist_event *ev, size_t n, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_HISTORY_H */
