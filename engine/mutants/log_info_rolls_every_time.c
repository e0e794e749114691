/* log_info_rolls_every_time: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R44: every GetLogInfo rolls the log, not only the first of a backup");
