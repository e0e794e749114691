/* begin_keeps_stop: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R13/R23: Begin keeps a stale stop flag (the claim does not clear it)");
