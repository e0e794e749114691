/* read_error_cancels: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R41: a read error in phase Databases cancels the backup instead of closing "
            "the handle");
