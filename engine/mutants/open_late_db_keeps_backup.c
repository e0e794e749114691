/* open_late_db_keeps_backup: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R37: OpenFile of a database in LogsAndPatches or an incremental returns -521 "
            "without cancelling");
