/* failed_term_allows_backup: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R31: a JetTerm that fails with -505 leaves backups allowed (no -523 later)");
