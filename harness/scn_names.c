/*
 * scn_names.c: the name tables of the scenario language (Jet functions, fixture
 * steps, errors, grbits, profiles, states, fault points, check keys), number
 * parsing, and the "did you mean" search (scn_nearest).
 *
 * The tables are built here from the X-macro lists of model.h and jet.h rather
 * than taken from model.c, so the parser links without the model. Not for
 * anything that needs the model's behaviour.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* ---------------------------------------------------------------------------
 * Operations
 * ------------------------------------------------------------------------- */

#define SCN__OP_NAME(id, name) [MODEL_OP_##id] = name,
static const char *const op_names[MODEL_OP__COUNT] = {MODEL_OPS(SCN__OP_NAME)};
#undef SCN__OP_NAME

#define LIST_OPTS (SCN__A_OPT_BUF | SCN__A_OPT_PCB | SCN__A_LIST)
#define READ_OPTS (SCN__A_OPT_BUF | SCN__A_OPT_MIS | SCN__A_OPT_PCB | SCN__A_READ)

/* The argument conventions of scenarios/README.md, "API steps". */
static const uint32_t op_args[MODEL_OP__COUNT] = {
    [MODEL_OP_CREATE_INSTANCE] = SCN__A_JET | SCN__A_BIND,
    [MODEL_OP_INIT] = SCN__A_JET | SCN__A_INST,
    [MODEL_OP_TERM] = SCN__A_JET | SCN__A_INST,
    [MODEL_OP_TERM2] = SCN__A_JET | SCN__A_INST | SCN__A_GRBIT,
    [MODEL_OP_STOP_SERVICE_INSTANCE] = SCN__A_JET | SCN__A_INST,
    [MODEL_OP_STOP_SERVICE] = SCN__A_JET,
    [MODEL_OP_STOP_BACKUP_INSTANCE] = SCN__A_JET | SCN__A_INST,
    [MODEL_OP_STOP_BACKUP] = SCN__A_JET,
    [MODEL_OP_BEGIN] = SCN__A_JET | SCN__A_INST | SCN__A_GRBIT,
    [MODEL_OP_GET_ATTACH_INFO] = SCN__A_JET | SCN__A_INST | SCN__A_CB | LIST_OPTS,
    [MODEL_OP_OPEN_FILE] = SCN__A_JET | SCN__A_INST | SCN__A_FILE | SCN__A_HF_BIND,
    [MODEL_OP_READ_FILE] = SCN__A_JET | SCN__A_INST | SCN__A_HF | SCN__A_CB | READ_OPTS,
    [MODEL_OP_CLOSE_FILE] = SCN__A_JET | SCN__A_INST | SCN__A_HF,
    [MODEL_OP_GET_LOG_INFO] = SCN__A_JET | SCN__A_INST | SCN__A_CB | LIST_OPTS,
    [MODEL_OP_GET_LOG_INFO2] = SCN__A_JET | SCN__A_INST | SCN__A_CB | LIST_OPTS | SCN__A_GENS,
    [MODEL_OP_GET_TRUNCATE_LOG_INFO] = SCN__A_JET | SCN__A_INST | SCN__A_CB | LIST_OPTS,
    [MODEL_OP_TRUNCATE_LOG] = SCN__A_JET | SCN__A_INST,
    [MODEL_OP_END] = SCN__A_JET | SCN__A_INST,
    [MODEL_OP_END2] = SCN__A_JET | SCN__A_INST | SCN__A_GRBIT,
    [MODEL_OP_BEGIN_LEGACY] = SCN__A_JET | SCN__A_GRBIT,
    [MODEL_OP_GET_ATTACH_INFO_LEGACY] = SCN__A_JET | SCN__A_CB | LIST_OPTS,
    [MODEL_OP_OPEN_FILE_LEGACY] = SCN__A_JET | SCN__A_FILE | SCN__A_HF_BIND,
    [MODEL_OP_READ_FILE_LEGACY] = SCN__A_JET | SCN__A_HF | SCN__A_CB | READ_OPTS,
    [MODEL_OP_CLOSE_FILE_LEGACY] = SCN__A_JET | SCN__A_HF,
    [MODEL_OP_GET_LOG_INFO_LEGACY] = SCN__A_JET | SCN__A_CB | LIST_OPTS,
    [MODEL_OP_TRUNCATE_LOG_LEGACY] = SCN__A_JET,
    [MODEL_OP_END_LEGACY] = SCN__A_JET,
    /* Fixture steps written with their own directive. FX_CONFIGURE has none:
     * the `instance` step configures. */
    [MODEL_OP_FX_CONFIGURE] = 0,
    [MODEL_OP_FX_CREATE_DB] = SCN__A_INST | SCN__A_DBNAME | SCN__A_PAGES,
    [MODEL_OP_FX_DETACH_DB] = SCN__A_INST | SCN__A_DBNAME,
    [MODEL_OP_FX_ROLL_LOG] = SCN__A_INST | SCN__A_GEN,
    [MODEL_OP_FX_SET_CHECKPOINT] = SCN__A_INST | SCN__A_GEN,
    [MODEL_OP_FX_DELETE_LOG] = SCN__A_INST | SCN__A_GEN,
    [MODEL_OP_FX_FORCE_STATE] = SCN__A_INST | SCN__A_STATE,
};

const char *scn__op_name(enum model_op op)
{
    if ((int)op < 0 || op >= MODEL_OP__COUNT)
        return NULL;
    return op_names[op];
}

int scn__op_parse(const char *name, enum model_op *out)
{
    for (int i = 0; i < MODEL_OP__COUNT; i++) {
        if (strcmp(op_names[i], name) == 0) {
            *out = (enum model_op)i;
            return 0;
        }
    }
    return -1;
}

uint32_t scn__op_args(enum model_op op)
{
    if ((int)op < 0 || op >= MODEL_OP__COUNT)
        return 0;
    return op_args[op];
}

size_t scn__jet_names(const char **out)
{
    size_t n = 0;
    for (int i = 0; i < MODEL_OP__COUNT; i++)
        if (op_args[i] & SCN__A_JET)
            out[n++] = op_names[i];
    return n;
}

/* ---------------------------------------------------------------------------
 * Profiles, states, fault points, checks
 * ------------------------------------------------------------------------- */

const char *const scn__profile_names[MODEL_PROFILE__COUNT] = {
    [MODEL_PROFILE_ESE] = "ese",
    [MODEL_PROFILE_ESENT] = "esent",
    [MODEL_PROFILE_DOCUMENTED] = "documented",
};

int scn__profile_parse(const char *name)
{
    for (int i = 0; i < MODEL_PROFILE__COUNT; i++)
        if (strcmp(scn__profile_names[i], name) == 0)
            return i;
    return -1;
}

const char *const scn__state_names[BACKSTOP_STATE__COUNT] = {
    [BACKSTOP_STATE_UNAVAILABLE] = "unavailable",
    [BACKSTOP_STATE_UNAVAILABLE_LOG_FULL] = "unavailable-log-full",
    [BACKSTOP_STATE_RESTORING] = "restoring",
    [BACKSTOP_STATE_INITIALISING] = "initialising",
    [BACKSTOP_STATE_TERMINATING] = "terminating",
    [BACKSTOP_STATE_LOG_WRITE_FAIL] = "log-write-fail",
    [BACKSTOP_STATE_LOG_DISK_FULL] = "log-disk-full",
    [BACKSTOP_STATE_LOG_SEQUENCE_END] = "log-sequence-end",
    [BACKSTOP_STATE_NO_LOG] = "no-log",
};

/* The named fault points of engine/fault.h that the model also knows (a `fault`
 * step arms the point on the target and, in differential mode, on the model);
 * read.short is engine-only (the engine resumes a short read: no model fault). */
const char *const scn__fault_points[] = {"read.eio", "read.verify", "alloc.enomem",
                                         "logroll.enospc", "open.eio"};
const size_t scn__n_fault_points = sizeof scn__fault_points / sizeof scn__fault_points[0];

const char *const scn__check_keys[SCN_CHECK_HIGH + 1] = {
    [SCN_CHECK_SIZE] = "size", [SCN_CHECK_ACTUAL] = "actual", [SCN_CHECK_COUNT] = "count",
    [SCN_CHECK_HF] = "hf",     [SCN_CHECK_GENLOW] = "genlow", [SCN_CHECK_GENHIGH] = "genhigh",
    [SCN_CHECK_LOW] = "low",   [SCN_CHECK_HIGH] = "high",
};

const char *const scn__cmp_names[SCN_CMP_GE + 1] = {
    [SCN_CMP_EQ] = "=",  [SCN_CMP_NE] = "!=", [SCN_CMP_LT] = "<",
    [SCN_CMP_LE] = "<=", [SCN_CMP_GT] = ">",  [SCN_CMP_GE] = ">=",
};

/* ---------------------------------------------------------------------------
 * Errors and grbits
 * ------------------------------------------------------------------------- */

struct err_entry {
    const char *name;
    JET_ERR value;
};
#define SCN__ERR_ENTRY(name, value) {#name, (value)},
static const struct err_entry errs[] = {JET_ERRORS(SCN__ERR_ENTRY)};
#undef SCN__ERR_ENTRY
#define N_ERRS (sizeof errs / sizeof errs[0])

#define SCN__ERR_NAME(name, value) #name,
const char *const scn__err_names[] = {JET_ERRORS(SCN__ERR_NAME)};
#undef SCN__ERR_NAME
const size_t scn__n_err_names = N_ERRS;

struct grbit_entry {
    const char *name;
    JET_GRBIT value;
};
#define SCN__GRBIT_ENTRY(name, value) {#name, (value)},
static const struct grbit_entry grbits[] = {JET_GRBITS(SCN__GRBIT_ENTRY)};
#undef SCN__GRBIT_ENTRY
#define N_GRBITS (sizeof grbits / sizeof grbits[0])

#define SCN__GRBIT_NAME(name, value) #name,
const char *const scn__grbit_names[] = {JET_GRBITS(SCN__GRBIT_NAME)};
#undef SCN__GRBIT_NAME
const size_t scn__n_grbit_names = N_GRBITS;

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int scn__grbit_entry(size_t i, const char **name, JET_GRBIT *value, enum scn__grbit_family *family)
{
    if (i >= N_GRBITS)
        return 0;
    const char *n = grbits[i].name;
    *name = n;
    *value = grbits[i].value;
    /* The families of spec §1.2: End2's bits, Term2's bits, StopService's bits,
     * and Begin's (every other JET_bitBackup*, KeepOldLogs, InternalCopy). */
    if (has_prefix(n, "JET_bitBackupEnd") || strcmp(n, "JET_bitBackupTruncateDone") == 0 ||
        strcmp(n, "JET_bitBackupNoDbHeaderUpdate") == 0)
        *family = SCN__GRBIT_END;
    else if (has_prefix(n, "JET_bitTerm"))
        *family = SCN__GRBIT_TERM;
    else if (has_prefix(n, "JET_bitStopService"))
        *family = SCN__GRBIT_OTHER;
    else
        *family = SCN__GRBIT_BEGIN;
    return 1;
}

const char *scn_err_name(JET_ERR err)
{
    for (size_t i = 0; i < N_ERRS; i++)
        if (errs[i].value == err)
            return errs[i].name;
    return NULL;
}

int scn_err_parse(const char *name, JET_ERR *out)
{
    if (name == NULL || out == NULL)
        return -1;
    for (size_t i = 0; i < N_ERRS; i++) {
        if (strcmp(errs[i].name, name) == 0) {
            *out = errs[i].value;
            return 0;
        }
    }
    return scn__parse_err_number(name, strlen(name), out) == 0 ? 0 : -1;
}

int scn__grbit_parse_part(const char *text, JET_GRBIT *out, size_t *bad_off, size_t *bad_len)
{
    JET_GRBIT g = 0;
    size_t pos = 0, len = strlen(text);
    for (;;) {
        const char *bar = memchr(text + pos, '|', len - pos);
        size_t end = bar != NULL ? (size_t)(bar - text) : len;
        const char *part = text + pos;
        size_t n = end - pos;
        *bad_off = pos;
        *bad_len = n;
        if (n == 0)
            return SCN__NUM_BAD;
        if (isdigit((unsigned char)part[0])) {
            uint64_t v;
            int rc = scn__parse_uint(part, n, UINT32_MAX, &v);
            if (rc != 0)
                return rc;
            g |= (JET_GRBIT)v;
        } else {
            size_t i;
            for (i = 0; i < N_GRBITS; i++)
                if (strlen(grbits[i].name) == n && memcmp(grbits[i].name, part, n) == 0)
                    break;
            if (i == N_GRBITS)
                return SCN__NUM_BAD;
            g |= grbits[i].value;
        }
        if (bar == NULL)
            break;
        pos = end + 1;
    }
    *out = g;
    return 0;
}

int scn_grbit_parse(const char *text, JET_GRBIT *out)
{
    size_t off, len;
    JET_GRBIT g;
    if (text == NULL || out == NULL)
        return -1;
    if (scn__grbit_parse_part(text, &g, &off, &len) != 0)
        return -1;
    *out = g;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Numbers and names
 * ------------------------------------------------------------------------- */

int scn__parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    size_t i = 0;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == len)
        return SCN__NUM_BAD;
    bool range = false;
    for (; i < len; i++) {
        unsigned d;
        unsigned char ch = (unsigned char)s[i];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (base == 16 && ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (base == 16 && ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return SCN__NUM_BAD;
        if (v > (UINT64_MAX - d) / base)
            range = true; /* keep scanning: a bad digit later makes it BAD */
        else
            v = v * base + d;
    }
    if (range || v > max)
        return SCN__NUM_RANGE;
    *out = v;
    return 0;
}

int scn__parse_err_number(const char *s, size_t len, JET_ERR *out)
{
    uint64_t v;
    if (len > 0 && s[0] == '-') {
        /* Negative numbers are decimal only (README, "Lexical rules"). */
        if (len < 2 || !isdigit((unsigned char)s[1]))
            return SCN__NUM_BAD;
        for (size_t i = 1; i < len; i++)
            if (!isdigit((unsigned char)s[i]))
                return SCN__NUM_BAD;
        int rc = scn__parse_uint(s + 1, len - 1, (uint64_t)INT32_MAX + 1, &v);
        if (rc != 0)
            return rc;
        *out = v == (uint64_t)INT32_MAX + 1 ? INT32_MIN : -(JET_ERR)v;
        return 0;
    }
    int rc = scn__parse_uint(s, len, INT32_MAX, &v);
    if (rc != 0)
        return rc;
    *out = (JET_ERR)v;
    return 0;
}

static int is_alpha_(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

int scn__is_case_name(const char *s, size_t len)
{
    if (len == 0 || !(is_alpha_((unsigned char)s[0]) || is_digit((unsigned char)s[0])))
        return 0;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(is_alpha_(c) || is_digit(c) || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int scn__is_ident(const char *s, size_t len)
{
    if (len == 0 || !is_alpha_((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!(is_alpha_((unsigned char)s[i]) || is_digit((unsigned char)s[i])))
            return 0;
    static const char *const reserved[] = {"nil", "never", "null"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strlen(reserved[i]) == len && memcmp(reserved[i], s, len) == 0)
            return 0;
    return 1;
}

int scn__is_db_name(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(is_alpha_(c) || is_digit(c) || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------------------
 * Suggestions and status strings
 * ------------------------------------------------------------------------- */

/* Case-insensitive Levenshtein distance of a (na) and b (nb), or a value above
 * `limit` as soon as it is certain to exceed it. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t limit)
{
    size_t diff = na > nb ? na - nb : nb - na;
    if (diff > limit)
        return limit + 1;
    size_t small_row[2][65];
    size_t *prev, *cur, *heap = NULL;
    if (nb + 1 <= 65) {
        prev = small_row[0];
        cur = small_row[1];
    } else {
        heap = malloc(2 * (nb + 1) * sizeof *heap);
        if (heap == NULL)
            return limit + 1;
        prev = heap;
        cur = heap + nb + 1;
    }
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + (same ? 0 : 1);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
            if (best < row_min)
                row_min = best;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
        if (row_min > limit) {
            free(heap);
            return limit + 1;
        }
    }
    size_t d = prev[nb];
    free(heap);
    return d;
}

const char *scn_nearest(const char *word, const char *const *names, size_t n)
{
    if (word == NULL || names == NULL)
        return NULL;
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    size_t best_d = limit + 1, best_diff = 0;
    for (size_t i = 0; i < n; i++) {
        if (names[i] == NULL)
            continue;
        size_t nl = strlen(names[i]);
        size_t d = edit_distance(word, len, names[i], nl, limit);
        size_t diff = nl > len ? nl - len : len - nl;
        /* Ties go to the candidate closest in length (a transposed pair, "esnet"
         * for "esent", costs 2 like a deletion pair), then to the first. */
        if (d < best_d || (d == best_d && best != NULL && diff < best_diff)) {
            best_d = d;
            best_diff = diff;
            best = names[i];
        }
    }
    return best;
}

const char *scn_strerror(int status)
{
    switch (status) {
    case SCN_OK:
        return "success";
    case SCN_EPARSE:
        return "the scenario text is malformed";
    case SCN_EIO:
        return "a scenario file could not be read";
    case SCN_ENOMEM:
        return "out of memory";
    case SCN_ELIMIT:
        return "a hard limit of the scenario parser was exceeded";
    default:
        return "unknown scenario status";
    }
}
