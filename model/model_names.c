/*
 * model_names.c: the model's names (operations, profiles, faults, rules), the
 * operation predicates of model.h, and the overlap predicate of R50-R55 (§6.3-
 * §6.4). Apart from model.c: none of it touches a world.
 */
#include <string.h>

#include "model_int.h"

/* ---------------------------------------------------------------------------
 * Names and small tables.
 * ------------------------------------------------------------------------- */

#define MODEL__OP_NAME(id, name) name,
static const char *const model__op_names[MODEL_OP__COUNT] = {MODEL_OPS(MODEL__OP_NAME)};
#undef MODEL__OP_NAME

static const char *const model__profile_names[MODEL_PROFILE__COUNT] = {"ese", "esent",
                                                                       "documented"};

/* The fault names are the harness's fault-point names (jet.h). */
static const char *const model__fault_names[MODEL_FAULT__COUNT] = {
    "none", "read.eio", "read.verify", "alloc.enomem", "logroll.enospc", "open.eio"};

#define MODEL__R10(d) "R" #d "0", "R" #d "1", "R" #d "2", "R" #d "3", "R" #d "4", \
                      "R" #d "5", "R" #d "6", "R" #d "7", "R" #d "8", "R" #d "9"
static const char *const model__rule_names[56] = {
    "R?", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", MODEL__R10(1), MODEL__R10(2),
    MODEL__R10(3), MODEL__R10(4), "R50", "R51", "R52", "R53", "R54", "R55"};
#undef MODEL__R10

const char *model_op_name(enum model_op op)
{
    return (unsigned)op < MODEL_OP__COUNT ? model__op_names[op] : "?";
}

int model_op_parse(const char *name, enum model_op *out)
{
    if (name == NULL)
        return -1;
    for (unsigned i = 0; i < MODEL_OP__COUNT; i++) {
        if (strcmp(name, model__op_names[i]) == 0) {
            *out = (enum model_op)i;
            return 0;
        }
    }
    return -1;
}

bool model_op_is_legacy(enum model_op op)
{
    switch (op) {
    case MODEL_OP_STOP_SERVICE:
    case MODEL_OP_STOP_BACKUP:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_CLOSE_FILE_LEGACY:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
    case MODEL_OP_END_LEGACY:
        return true;
    default:
        return false;
    }
}

bool model_op_is_fixture(enum model_op op)
{
    return op >= MODEL_OP_FX_CONFIGURE && op < MODEL_OP__COUNT;
}

const char *model_profile_name(enum model_profile p)
{
    return (unsigned)p < MODEL_PROFILE__COUNT ? model__profile_names[p] : "?";
}

int model_profile_parse(const char *name, enum model_profile *out)
{
    if (name == NULL)
        return -1;
    for (unsigned i = 0; i < MODEL_PROFILE__COUNT; i++) {
        if (strcmp(name, model__profile_names[i]) == 0) {
            *out = (enum model_profile)i;
            return 0;
        }
    }
    return -1;
}

const char *model_fault_name(enum model_fault f)
{
    return (unsigned)f < MODEL_FAULT__COUNT ? model__fault_names[f] : "?";
}

const char *model_rule_name(unsigned n)
{
    return (n >= 1 && n <= 55) ? model__rule_names[n] : "R?";
}

/* R50-R55, §6.3-§6.4. */
static bool model__gated(enum model_op op)
{
    switch (op) {
    case MODEL_OP_BEGIN:
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_READ_FILE:
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_END:
    case MODEL_OP_END2:
        return true;
    default:
        return false;
    }
}

static bool model__is_term(enum model_op op)
{
    return op == MODEL_OP_TERM || op == MODEL_OP_TERM2;
}

bool model_overlap_defined(enum model_op a, enum model_op b)
{
    if ((unsigned)a >= MODEL_OP__COUNT || (unsigned)b >= MODEL_OP__COUNT)
        return false;
    a = model__instance_variant(a);
    b = model__instance_variant(b);
    /* R50, R51, R53: Stop overlaps anything (L-Stop, L-Check). */
    if (a == MODEL_OP_STOP_BACKUP_INSTANCE || b == MODEL_OP_STOP_BACKUP_INSTANCE)
        return true;
    /* R52: Begin against Begin; the claim is atomic. */
    if (a == MODEL_OP_BEGIN && b == MODEL_OP_BEGIN)
        return true;
    /* R54: JetTerm waits out in-flight gated calls; later ones get -1000. */
    if ((model__is_term(a) && model__gated(b)) || (model__gated(a) && model__is_term(b)))
        return true;
    return false; /* R55 */
}
