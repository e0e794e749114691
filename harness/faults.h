/*
 * faults.h: the harness side of fault injection: the `--faults SPEC` language,
 * arming a spec on an in-process engine, the mapping from engine fault points
 * to the model's faults (so that the model applies a fired fault's consequence,
 * R36-R38, R41), and `backstop faults --sweep`.
 *
 * SPEC is a comma-separated list of POINT[:POLICY], with POLICY one of
 *   once          fail the next opportunity (the default)
 *   nth=N         let N opportunities pass, fail the next one
 *   countdown=N   let N pass, then fail every later one
 *   p=F           fail each opportunity with probability F (0..1), from the
 *                 engine's PRNG seeded with the run's seed (replayable)
 * e.g. `read.eio:p=0.01,logroll.enospc:nth=3,alloc.enomem:countdown=40`.
 * Points are the engine's (engine_fault_points()).
 */
#ifndef BACKSTOP_FAULTS_H
#define BACKSTOP_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FAULTS_MAX 16
#define FAULTS_POINT_MAX 32

struct faults_item {
    char point[FAULTS_POINT_MAX];
    enum engine_fault_policy policy;
    uint32_t n;
    double p;
};

struct faults_spec {
    int n;
    struct faults_item item[FAULTS_MAX];
};

/* Parse SPEC. Returns 0, or -1 with *col (1-based column of the offending text)
 * and a message in msg (the caller prints `--faults:1:COL: msg`). */
int faults_parse(const char *spec, struct faults_spec *out, int *col, char *msg, size_t cb_msg);
/* The canonical text of a spec (parses back to the same spec). */
void faults_format(const struct faults_spec *spec, char *buf, size_t n);
/* Arm every item on engine e. Returns 0 or -1 with a message. */
int faults_arm(struct engine *e, const struct faults_spec *spec, char *msg, size_t cb_msg);

/* The model fault an engine point's firing means (MODEL_FAULT_NONE for a point
 * whose firing changes no outcome, e.g. read.short). *modelled is false for a
 * point the model cannot express (open.eio, write.eio). */
enum model_fault faults_model_fault(const char *point, bool *modelled);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_FAULTS_H */
