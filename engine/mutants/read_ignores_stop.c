/* read_ignores_stop: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R16: ReadFile ignores the stop flag");
