/*
 * fuzz_scenario: the .scn parser never crashes (ASan/UBSan watch it), and on
 * whatever it accepts, parse -> print -> parse -> print gives the same text
 * twice (scn.h's identity). Inputs over 64 KiB are ignored (hard limit).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char why[16384]; /* the report of the one finding before abort() */
    if (size > 65536)
        return 0;
    if (fuzzprog_scn_roundtrip(data, size, why, sizeof why) == FUZZPROG_FINDING) {
        fprintf(stderr, "\n==backstop== FINDING: %s\n", why);
        abort();
    }
    return 0;
}
