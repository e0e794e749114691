/*
 * fuzzprog.h: fuzz programs. A fuzz input (any byte string) decodes into a
 * program: a world (profile, page and log size, instances, databases, logs)
 * followed by a stream of Jet, fixture and fault-arming steps over those
 * instances, including invalid handles and out-of-sequence calls. The program
 * runs on the reference model and on a target (by default the in-process
 * engine with its memory store) in lockstep, and every step is checked:
 *
 *   divergence     the target's result or out-parameters differ from the model's
 *                  (the same comparisons as `backstop run` in differential mode);
 *   invariants     checked on both sides even where they agree: after Stop a
 *                  streaming call returns -801 and changes nothing (R16, R17);
 *                  End and JetTerm are still allowed after Stop (R21, R22, R26);
 *                  a call that resolves no instance changes no instance (R3,
 *                  R9, R11); the engine's abstract backup state equals the
 *                  model's after each call;
 *   faults         (FUZZPROG_FAULTS) the target and the model agree on which
 *                  calls are opportunities of the armed fault point, and a fault
 *                  the engine fires is handed to the model on that call
 *                  (model_call.fault).
 *
 * The same program prints as a `.scn` case whose expectations are the model's
 * results, so `backstop run --target engine` reproduces a finding (fuzz2scn),
 * and a `.scn` case encodes into an input (scn2fuzz, the seed corpus).
 *
 * Not for: concurrency. fuzz_sched has its own decoder and runner
 * (harness/fuzzsched.h); FUZZPROG_SCHED only names it (see enum fuzzprog_kind).
 *
 * Memory and threads: a program owns everything it points to; fuzzprog_free
 * releases it. Nothing is global, so several programs may run on different
 * threads, each with its own target world.
 */
#ifndef BACKSTOP_FUZZPROG_H
#define BACKSTOP_FUZZPROG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scn.h"
#include "target.h"

struct engine;

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. FUZZPROG_FINDING is not an error: the run found a bug. */
enum {
    FUZZPROG_OK = 0,
    FUZZPROG_FINDING = 1,
    FUZZPROG_EINVAL = -1,  /* a bad argument */
    FUZZPROG_ENOMEM = -2,
    FUZZPROG_ETARGET = -3, /* the target world could not be opened */
    FUZZPROG_ENCODE = -4   /* a .scn case uses something no input can express */
};
const char *fuzzprog_strerror(int status);

/*
 * Input dialects. The byte layout is shared: a world header, then one step per
 * opcode byte plus its arguments (fuzzprog.c documents the layout).
 *   FUZZPROG_CALLS   Jet calls and fixture steps;
 *   FUZZPROG_FAULTS  the same plus `fault POINT nth=N` steps;
 *   FUZZPROG_SCHED   names fuzz_sched, whose inputs harness/fuzzsched.h decodes
 *                    (threads, calls and the scheduler's decisions);
 *                    fuzzprog_decode rejects it (FUZZPROG_EINVAL).
 */
enum fuzzprog_kind { FUZZPROG_CALLS = 0, FUZZPROG_FAULTS, FUZZPROG_SCHED, FUZZPROG__KINDS };
const char *fuzzprog_kind_name(enum fuzzprog_kind kind); /* "fuzz_calls", ... */
int fuzzprog_kind_parse(const char *name, enum fuzzprog_kind *out);

/* Hard limits of a program. */
#define FUZZPROG_MAX_STEPS 256      /* steps decoded from one input */
#define FUZZPROG_MAX_INSTANCES 4    /* instances of the world header */
#define FUZZPROG_MAX_VARS 12        /* instance handle names i0..i11 */
#define FUZZPROG_MAX_CB (1u << 20)  /* larger buffers are not passed (skipped) */

struct fuzzprog; /* opaque: a decoded program and, after a run, its record */

/* Decode `size` bytes (any content) into a program. Returns FUZZPROG_OK and
 * *out, or a negative status and *out = NULL. */
int fuzzprog_decode(enum fuzzprog_kind kind, const uint8_t *data, size_t size,
                    struct fuzzprog **out);
void fuzzprog_free(struct fuzzprog *p);

/* Number of decoded steps (the world's setup steps included). */
size_t fuzzprog_count(const struct fuzzprog *p);

/*
 * struct fuzzprog_config: how to run.
 *   target      NULL: the in-process engine (target_engine_ops), which enables
 *               the checks that need engine_inspect and the fault observer.
 *               Any other target (e.g. a mutant .so from target_resolve) runs
 *               with result comparison and the model-side invariants only;
 *               FUZZPROG_FAULTS needs the in-process engine.
 *   counters    libFuzzer extra counters (n_counters a power of two), or NULL:
 *               each step sets to 1 the counter of its (abstract model state,
 *               operation, result) transition (fp_count in fuzzprog_run.c
 *               defines the abstract state; the caller clears them).
 *   max_seconds wall-clock limit of one run (0: none); hitting it ends the
 *               run early without a finding.
 */
/*
 * Known disagreements a run can step around (fuzzprog_config.skip), so that a
 * fuzzing campaign goes on past a finding already reported. Each names a
 * step shape; a skipped step is run on neither side. By default nothing is
 * skipped: CI reports every known disagreement until it is resolved.
 */
#define FUZZPROG_SKIP_TERM_UNAVAILABLE 0x1u /* JetTerm/JetTerm2 on an unavailable instance
                                               (F2, resolved in the model: not needed) */
#define FUZZPROG_SKIP_INIT_NIL 0x2u         /* JetInit with *pinstance == JET_instanceNil */
#define FUZZPROG_SKIP_DETACHED_FILE 0x4u    /* OpenFile of a detached database's file */
#define FUZZPROG_SKIP_SURROGATE_INCREMENTAL 0x8u /* Begin with 0x1|0x20 */
#define FUZZPROG_SKIP_SESSION_HEADER 0x10u /* incremental Begin after a read fault made a
                                              database leave a full backup's session */
#define FUZZPROG_SKIP_ALL 0x1Fu
/* Parse a comma-separated list of names ("term-unavailable", "init-nil",
 * "detached-file", "surrogate-incremental", "session-header", "all"). Returns 0
 * and ORs the bits into *out, or -1 for an unknown name. */
int fuzzprog_skip_parse(const char *list, unsigned *out);

struct fuzzprog_config {
    const struct target_ops *target;
    /* With target NULL: returns the API table to call instead of engine_api
     * for engine e (a decorator mutant's mutant_api); the engine checks stay on. */
    const struct jet_api *(*engine_api)(struct engine *e);
    uint8_t *counters;
    size_t n_counters;
    double max_seconds;
    unsigned skip; /* FUZZPROG_SKIP_* */
};

/* Run the program on a fresh model world and a fresh target world, destroyed
 * before returning. Returns FUZZPROG_OK, FUZZPROG_FINDING (see
 * fuzzprog_finding), or a negative status. A program may be run again. */
int fuzzprog_run(struct fuzzprog *p, const struct fuzzprog_config *cfg);

/* After FUZZPROG_FINDING: a readable explanation (several lines), valid until
 * the next run or fuzzprog_free. "" otherwise. */
const char *fuzzprog_finding(const struct fuzzprog *p);

/* After a run: print the executed steps as one `.scn` case named `name` (NULL:
 * "fuzz.<kind>_<hash of the input>"), with the model's results as
 * expectations, the finding (if any) as comments at its step, and the command
 * that reproduces it. Steps after a finding are not printed. Returns 0 or -1
 * on a write error. */
int fuzzprog_print_scn(const struct fuzzprog *p, const char *name, FILE *out);

/* Encode a parsed case as an input of `kind` (scn2fuzz). Steps that have no
 * encoding (backup-client, parallel markers, fault steps for FUZZPROG_CALLS)
 * are left out. *out is malloc'ed (caller frees). Returns FUZZPROG_OK or a
 * negative status. */
int fuzzprog_encode_case(enum fuzzprog_kind kind, const struct scn_case *c, uint8_t **out,
                         size_t *n);

/*
 * fuzz_scenario's property: parse `size` bytes as .scn text (includes are
 * refused); print every case the parser accepted, parse that text again, and
 * print it again. Returns FUZZPROG_OK when both printed texts are equal (or
 * nothing was accepted), FUZZPROG_FINDING with an explanation in `why` when
 * they differ or the printed text does not parse, or a negative status.
 */
int fuzzprog_scn_roundtrip(const uint8_t *data, size_t size, char *why, size_t cb_why);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_FUZZPROG_H */
