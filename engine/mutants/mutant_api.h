/*
 * mutant_api.h: pre-included (-include) into export.c of the libraries that
 * forward to mutant_api(e) (mutant.h). Declarations only: export.c must see
 * jet.h first, with default visibility, for its exports.
 */
#ifndef BACKSTOP_MUTANT_API_H
#define BACKSTOP_MUTANT_API_H

struct engine;
struct jet_api;
const struct jet_api *mutant_api(struct engine *e);

#endif /* BACKSTOP_MUTANT_API_H */
