/* failed_begin_keeps_claim: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R27: a Begin that fails after its claim leaves the backup claimed");
