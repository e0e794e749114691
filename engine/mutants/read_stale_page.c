/* read_stale_page: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R40: ReadFile of a database repeats the previous page in place of the last "
            "one of each chunk");
