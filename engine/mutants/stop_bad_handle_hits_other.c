/* stop_bad_handle_hits_other: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R11: Stop on an invalid handle sets the stop flag of the instance in table slot 0");
