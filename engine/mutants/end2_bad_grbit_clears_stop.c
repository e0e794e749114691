/* end2_bad_grbit_clears_stop: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R24: End2 with an invalid grbit clears the stop flag");
