/* nil_handle_is_slot0: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R2/R3: in MultiInst mode the handles 0 and nil reach the instance in table slot 0");
