/* log_info_keeps_phase: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R45: a successful GetLogInfo does not move the phase to LogsAndPatches");
