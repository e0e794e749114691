/* truncate_ignores_stop: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R16: TruncateLog ignores the stop flag (deletes logs after Stop)");
