/* log_info_ignores_open_file: a named mutation point (engine_int.h). */
#include "mutant.h"

MUTANT_INFO("R43: GetLogInfo/GetTruncateLogInfo with a file open succeed");
