/*
 * baseline: not a mutant. The engine itself, forwarding through mutant_api
 * with nothing replaced, so that it exports BackstopSetYieldHook (export.c) like
 * the concurrency mutants. `backstop mutants` stresses it first: a violation
 * reported against it is the harness's, and makes the concurrency kills
 * meaningless.
 */
#include "mutant.h"

MUTANT_INFO("baseline: the engine without a bug, with the yield hook of the concurrency mutants");

static void decorate(struct jet_api *api)
{
    (void)api;
}
MUTANT_DECORATOR(decorate)
