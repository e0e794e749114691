/* missing_log_keeps_backup: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R38: OpenFile of a missing log returns -569 without cancelling");
