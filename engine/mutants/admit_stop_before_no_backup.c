/* admit_stop_before_no_backup: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R18: the streaming calls test the stop flag before the no-backup test (-801 "
            "instead of -520 with no backup)");
