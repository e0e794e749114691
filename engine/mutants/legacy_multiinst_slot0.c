/* legacy_multiinst_slot0: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R9/R15: in MultiInst mode the legacy calls act on table slot 0 instead of -1081");
