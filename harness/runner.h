/*
 * runner.h: runs conformance cases (struct scn_case) against a target.
 *
 * Each case gets a fresh target world. Every step is executed through
 * target_call(), checked against the case's expectation for the run's profile,
 * and (in differential mode, the default for every target but the model itself)
 * against the model run in lockstep: the first divergence fails the case with
 * the call trace so far, both results and the model's rule ids.
 *
 * Isolation: with `fork` set, each case runs in a child process; a child killed
 * by a signal is a CRASH (with the signal and the last call), one still running
 * after `timeout_s` is a TIMEOUT. The run always goes on.
 */
#ifndef BACKSTOP_RUNNER_H
#define BACKSTOP_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expect.h"
#include "model.h"
#include "report.h"
#include "scn.h"
#include "target.h"

#ifdef __cplusplus
extern "C" {
#endif

struct runner_config {
    const struct target_ops *target;
    enum model_profile profile;
    const char *filter;                  /* fnmatch glob over case names; NULL = all */
    const struct expect_set *expectations; /* may be NULL */
    double timeout_s;                    /* per case, fork mode only; 0 = none */
    bool fork;                           /* isolate each case in a child */
    bool differential;                   /* lockstep with the model */
    const char *work_dir;                /* scratch directory for file-backed targets */
    uint64_t seed;
};

/* Run one case in this process. Fills *out; out->message is malloc'ed (caller
 * frees). Returns 0, or a negative harness error. */
int runner_run_case(const struct runner_config *cfg, const struct scn_case *c,
                    struct report_case *out);

/* Run every case of `suite` selected by cfg->filter (in suite order); *out receives
 * a malloc'ed array of *n results (free with runner_free_results). */
int runner_run_suite(const struct runner_config *cfg, const struct scn_suite *suite,
                     struct report_case **out, size_t *n);
void runner_free_results(struct report_case *r, size_t n);

/* The one wrapper through which the harness calls a Jet function (or a fixture
 * function) of a target. `args` describes the call in model terms; `out` gets the
 * result and out-parameters. Returns 0, or RUNNER_EMISSING if the target lacks
 * the function (the caller SKIPs). */
enum { RUNNER_EMISSING = -100 };

struct target_call_args {
    enum model_op op;
    JET_INSTANCE inst;
    JET_GRBIT grbit;
    JET_HANDLE hf;
    uint32_t cb;          /* cbMax; pages for CreateDatabase; gen; state; flags */
    uint32_t flags;       /* MODEL_CALL_* */
    const char *name;     /* file name for OpenFile; database name for fixture calls */
    JET_INSTANCE *pinst;  /* CreateInstance / Init: in-out handle */
    void *buf;            /* the caller's buffer of cb bytes for ReadFile (OS-page
                             aligned) and list calls; NULL: the wrapper uses its own,
                             guarded buffer and checks for overruns */
};
struct target_call_out {
    JET_ERR err;
    JET_HANDLE hf;
    uint64_t size;
    uint32_t actual;
    uint32_t count;       /* names in the list; UINT32_MAX if it was truncated */
    uint32_t genlow, genhigh;
    bool overrun;         /* the target wrote past cbMax */
};
int target_call(const struct target_ops *ops, void *ctx, const struct target_call_args *args,
                struct target_call_out *out);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_RUNNER_H */
