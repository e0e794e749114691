/*
 * faults_int.h: private to the fault sweep (faults.c) and its lockstep target
 * (faults_lockstep.c).
 *
 * The lockstep target is an implementation of the Jet ABI that calls the
 * in-process engine and steps the model with the same call, told of the fault
 * that fired inside the engine's call (the engine's fault observer says which
 * point fired during it), and compares the two results. Every call of a swept
 * case, the harness's backup client's included, goes through it, so the model
 * judges every outcome of a faulted run. After each step, the engine's state
 * (engine_inspect, the fixture's LogRange) is compared with the model's
 * (model_view): the invariants, and that no log file was lost.
 *
 * Not thread-safe: one case runs on one thread.
 */
#ifndef BACKSTOP_FAULTS_INT_H
#define BACKSTOP_FAULTS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "faults.h"
#include "model.h"
#include "target.h"

struct faults__ls; /* one engine world and one model world in lockstep */

/* The target table; ctx is a struct faults__ls *. */
extern const struct target_ops faults__ls_ops;

/* A fresh engine (memory store, seeded) and model world. Returns 0 or -1. */
int faults__ls_open(uint64_t seed, struct faults__ls **out);
void faults__ls_close(struct faults__ls *ls);
struct engine *faults__ls_engine(struct faults__ls *ls);

/* The next calls' results may legitimately differ from the model's (the step
 * expects any of several results, or anything): a difference then ends the
 * lockstep instead of failing the run. */
void faults__ls_allow_diverge(struct faults__ls *ls, bool allow);
/* Compare the engine's and the model's state of every live instance. `where`
 * names the step for the message. */
void faults__ls_check_state(struct faults__ls *ls, const char *where);
/* The first failure: NULL if none. */
const char *faults__ls_failure(const struct faults__ls *ls);
bool faults__ls_in_lockstep(const struct faults__ls *ls);
/* Faults that fired in calls, and whether the model could be told of each. */
uint32_t faults__ls_fired(const struct faults__ls *ls);

#endif /* BACKSTOP_FAULTS_INT_H */
