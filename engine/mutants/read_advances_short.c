/* read_advances_short: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R40: ReadFile advances the read position by one page less than it returned");
