/* truncate_skips_copy_check: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R47: TruncateLog skips the -616 check (truncates logs that were not copied)");
