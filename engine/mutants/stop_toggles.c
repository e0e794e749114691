/* stop_toggles: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R12: a second Stop clears the flag the first one set (Stop is not idempotent)");
