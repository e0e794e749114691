/*
 * fuzzsched.h: fuzz_sched's programs (issue 5): a concurrent program and the
 * scheduler's decisions, decoded from any byte string, run under a
 * deterministic scheduler on real threads (module prefix fuzzsched_).
 *
 * A program is a small world (profile, page and log size, 1-3 instances with
 * their databases and logs), 2-4 threads each with a list of Jet calls over
 * those instances (Stop, Begin, the streaming calls, End, End2, JetTerm,
 * JetTerm2, StopService, legacy calls, invalid and stale handles), and a
 * stream of decision bytes.
 *
 * Run: a fresh target world (by default the in-process engine, memory store)
 * is set up by the calling thread, then one pthread per program thread is
 * created; only one of them runs between two yield points (API entry, API
 * exit, and the engine's internal points announced through its yield hook,
 * engine.h, or a loaded library's BackstopSetYieldHook). At each yield point
 * with two or more runnable threads one decision byte d picks the next one:
 * the runnable threads ordered by the input position of their current call,
 * index d % n. With no decision byte left the first of that order runs, so
 * the decision-free run executes the calls in input order, one at a time: a
 * run is a function of the input alone (no time, thread id or address
 * decides anything), and the same input always gives the same history,
 * coverage and history hash.
 *
 * Only the overlaps the spec defines are generated (R55): a call waits, as a
 * scheduler decision, until it may overlap every call in flight on its
 * instance; JetTerm's wait for gated calls in flight (R54) is mirrored by a
 * scheduler wait. Every call is recorded (history.h); checks:
 *   - the whole history against the model with the linearizability checker
 *     (lincheck.h);
 *   - online, on the in-process engine: a streaming call made while the
 *     engine shows `stop` set on a backup in progress (instance initialised,
 *     service not stopped, no other call in flight on it) returns -801 and,
 *     alone on its instance, changes nothing (R16, R17); a call that names no
 *     live instance and runs alone changes no instance (R3, R9, R11).
 * Not reported: a ReadFile(hf 0) on a slot a cleanup closed, undefined in the
 * source (D7), which fuzz_calls steps around too (fuzzsched_run.c).
 * A harness-side deadlock (no runnable thread) and a thread that holds the
 * turn for max_seconds without reaching a yield point (a target blocked
 * inside a call: DEADLOCK) are findings too.
 *
 * Threads: on the in-process engine a run borrows FUZZSCHED_MAX_THREADS
 * threads that live for the process (fuzzsched_run.c says why that is a
 * reset: no thread-local state survives a run); on a loaded library every
 * run creates and joins its own. Nothing else survives a run. A program is
 * not shared between concurrent runs.
 */
#ifndef BACKSTOP_FUZZSCHED_H
#define BACKSTOP_FUZZSCHED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scn.h"
#include "target.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FUZZSCHED_OK = 0,
    FUZZSCHED_FINDING = 1, /* not an error: the run found a bug */
    FUZZSCHED_EINVAL = -1,
    FUZZSCHED_ENOMEM = -2,
    FUZZSCHED_ETARGET = -3, /* the world could not be opened or set up */
    FUZZSCHED_EHARNESS = -4, /* thread creation, recorder, checker error */
    FUZZSCHED_ENCODE = -5   /* a .scn case uses nothing an input can express */
};
const char *fuzzsched_strerror(int status);

/* Hard limits of one input. */
#define FUZZSCHED_MAX_THREADS 4
#define FUZZSCHED_MAX_INSTANCES 3
#define FUZZSCHED_MAX_CALLS 48        /* over all threads */
#define FUZZSCHED_MAX_THREAD_CALLS 16 /* per thread; more are dropped */
#define FUZZSCHED_MAX_DECISIONS 4096  /* decision bytes read */

struct fuzzsched; /* opaque: a decoded program and, after a run, its record */

/* Decode any bytes. Returns FUZZSCHED_OK and *out, or a negative status. */
int fuzzsched_decode(const uint8_t *data, size_t size, struct fuzzsched **out);
void fuzzsched_free(struct fuzzsched *p);
size_t fuzzsched_count(const struct fuzzsched *p); /* calls decoded */
unsigned fuzzsched_threads(const struct fuzzsched *p);

/*
 * struct fuzzsched_config:
 *   target       NULL: the in-process engine (online invariants on); else a
 *                target from target_resolve (a mutant .so: its
 *                BackstopSetYieldHook export, if any, gets the yield hook);
 *   max_seconds  a thread that holds the turn this long without reaching a
 *                yield point is reported as DEADLOCK (the process aborts);
 *                0: 5 s.
 */
struct fuzzsched_config {
    const struct target_ops *target;
    double max_seconds;
};

/* Run the program on a fresh world, destroyed before returning. Returns
 * FUZZSCHED_OK, FUZZSCHED_FINDING (see fuzzsched_finding), or a negative
 * status. A program may be run again. */
int fuzzsched_run(struct fuzzsched *p, const struct fuzzsched_config *cfg);

/* After FUZZSCHED_FINDING: a readable explanation (several lines); "" otherwise. */
const char *fuzzsched_finding(const struct fuzzsched *p);
/* After a run: hist_hash of the recorded history, and decisions taken. */
uint64_t fuzzsched_history_hash(const struct fuzzsched *p);
uint64_t fuzzsched_decisions(const struct fuzzsched *p);
/* After a run: print the history ("[inv,ret] t<thread> L<lifetime> ..."). */
void fuzzsched_print_history(const struct fuzzsched *p, FILE *out);

/* After a run: the run as one .scn case named `name` (NULL:
 * "fuzz.fuzz_sched_<hash>"): the world, then every call in invocation order
 * with the result it returned; calls whose intervals overlapped form
 * `parallel` blocks (thread labels t0..t3). On a linearizability finding the
 * recorded results admit no sequential order, so `backstop run --target
 * model` fails on the case. Steps after the finding's culprit are kept (the
 * history is short). Returns 0, or -1 on a write error. */
int fuzzsched_print_scn(const struct fuzzsched *p, const char *name, FILE *out);

/* Encode a parsed case as an input (scn2fuzz): its instances (up to 3), their
 * databases and logs become the world; its Jet calls on those instances
 * become calls of thread 0, a parallel block's lines calls of the thread of
 * their label (1 + label index, modulo the threads). No decision bytes, so the
 * input runs the case's calls in written order. *out is malloc'ed. */
int fuzzsched_encode_case(const struct scn_case *c, uint8_t **out, size_t *n);

/* The converters (fuzzsched_conv.c), called by harness/fuzzconv.c.
 * scn2fuzz: write DIR/fuzz_sched/<case name> (nothing for a case with no Jet
 * call on an instance) and run it once; a finding is printed and counted.
 * Returns 0 or -1 on an error. fuzz2scn: the whole command for a fuzz_sched
 * input (engine: a --engine target or NULL; name, outpath may be NULL).
 * Returns the exit status (0, or 2 on an error). */
int fuzzsched_scn2fuzz_case(const struct scn_case *c, const char *dir, int *findings);
int fuzzsched_cmd_fuzz2scn(const char *path, const char *engine, const char *name, const char *outpath);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_FUZZSCHED_H */
