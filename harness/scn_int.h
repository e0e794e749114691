/*
 * scn_int.h: private to the scenario parser (scn.c), its printer (scn_print.c)
 * and its name tables (scn_names.c). Nothing here is part of the scn.h contract.
 *
 * The tables are written locally from the X-macro lists of model.h and jet.h, so
 * the parser does not depend on the model's implementation (model.c).
 */
#ifndef BACKSTOP_SCN_INT_H
#define BACKSTOP_SCN_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "scn.h"

/* Limits of the parser that scn.h does not name. They keep every canonical line
 * that scn_print_case writes under SCN_MAX_LINE, so that printing never produces
 * a line the parser would reject. */
#define SCN__MAX_NAME 128    /* case, handle, thread label and database names */
#define SCN__MAX_STRING 1024 /* a "..." file name, after unescaping */
#define SCN__MAX_INTENT 2048 /* the text of an intent line */

/* The arguments an operation's step takes, in this order on the line:
 * NAME (binds) | INST, then FILE and HF (binds) | HF (reference), GRBIT, CBMAX,
 * then the options. */
#define SCN__A_BIND 0x001u /* JetCreateInstance NAME */
#define SCN__A_INST 0x002u
#define SCN__A_FILE 0x004u    /* OpenFile FILE */
#define SCN__A_HF_BIND 0x008u /* OpenFile HF */
#define SCN__A_HF 0x010u      /* ReadFile, CloseFile HF */
#define SCN__A_GRBIT 0x020u
#define SCN__A_CB 0x040u
#define SCN__A_OPT_BUF 0x080u /* buf=null */
#define SCN__A_OPT_MIS 0x100u /* buf=misaligned */
#define SCN__A_OPT_PCB 0x200u /* pcb=null */
#define SCN__A_LIST 0x400u    /* a list call: checks actual, count */
#define SCN__A_READ 0x800u    /* ReadFile: check actual */
#define SCN__A_GENS 0x1000u   /* GetLogInfoInstance2: checks genlow, genhigh */
#define SCN__A_DBNAME 0x2000u /* fixture: database NAME */
#define SCN__A_PAGES 0x4000u  /* fixture: pages=N */
#define SCN__A_GEN 0x8000u    /* fixture: GEN */
#define SCN__A_STATE 0x10000u /* fixture: STATE */
#define SCN__A_JET 0x20000u   /* a Jet API function (needs an expectation) */

/* Operations. */
const char *scn__op_name(enum model_op op);              /* NULL when out of range */
int scn__op_parse(const char *name, enum model_op *out); /* 0, or -1 */
uint32_t scn__op_args(enum model_op op);                 /* SCN__A_* */
/* Fill out[] (room for MODEL_OP__COUNT) with every Jet function name, for
 * suggestions; returns how many. */
size_t scn__jet_names(const char **out);

/* Profiles: bit (1 << enum model_profile) in masks. */
extern const char *const scn__profile_names[MODEL_PROFILE__COUNT];
int scn__profile_parse(const char *name); /* enum model_profile, or -1 */

/* force-state names, indexed by enum backstop_state (index 0 is NULL). */
extern const char *const scn__state_names[BACKSTOP_STATE__COUNT];
/* fault point names. */
extern const char *const scn__fault_points[];
extern const size_t scn__n_fault_points;
/* check keys, indexed by enum scn_check_key (index 0 is NULL). */
extern const char *const scn__check_keys[SCN_CHECK_HIGH + 1];
/* comparison operators, indexed by enum scn_cmp (index 0 is NULL). */
extern const char *const scn__cmp_names[SCN_CMP_GE + 1];
/* Every error and grbit name, for suggestions. */
extern const char *const scn__err_names[];
extern const size_t scn__n_err_names;
extern const char *const scn__grbit_names[];
extern const size_t scn__n_grbit_names;

/* Grbit families, for printing: the names that belong with an operation. */
enum scn__grbit_family { SCN__GRBIT_BEGIN, SCN__GRBIT_END, SCN__GRBIT_TERM, SCN__GRBIT_OTHER };
/* The i-th grbit's name, value and family; 0 past the end, else 1. */
int scn__grbit_entry(size_t i, const char **name, JET_GRBIT *value, enum scn__grbit_family *family);

/* Numbers. A plain unsigned number: decimal or 0x hex, no sign. Returns 0, or
 * SCN__NUM_BAD (not a number) or SCN__NUM_RANGE (more than `max`). */
#define SCN__NUM_BAD (-1)
#define SCN__NUM_RANGE (-2)
int scn__parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out);
/* A signed 32-bit result number: decimal with optional '-', or 0x hex. */
int scn__parse_err_number(const char *s, size_t len, JET_ERR *out);

/* Grbit text `A|B|0x4`. Returns 0, or SCN__NUM_BAD / SCN__NUM_RANGE with
 * *bad_off and *bad_len locating the part at fault (an unknown name is BAD). */
int scn__grbit_parse_part(const char *text, JET_GRBIT *out, size_t *bad_off, size_t *bad_len);

/* Names: a case name is [A-Za-z0-9_][A-Za-z0-9_.-]*; a handle or thread label
 * [A-Za-z_][A-Za-z0-9_]* and not nil/never/null; a database name [A-Za-z0-9_.-]+. */
int scn__is_case_name(const char *s, size_t len);
int scn__is_ident(const char *s, size_t len);
int scn__is_db_name(const char *s, size_t len);

/* ---------------------------------------------------------------------------
 * The parser's state, shared by scn.c (lines, directives, files) and scn_step.c
 * (the steps of a case). One parser serves one scn_parse_* call; single thread.
 * ------------------------------------------------------------------------- */

/* One open file (or the buffer), on the include stack. */
struct scn__source {
    const char *file; /* name for diagnostics (in the arena) */
    const char *dir;  /* base for includes, "" for the current directory; NULL: none */
    const char *text;
    size_t len, pos;
    char *owned; /* text we read and must free, or NULL */
    int line;
    bool has_id;
    dev_t dev;
    ino_t ino;
};

/* A word of the current line, NUL-terminated in parser.buf. */
struct scn__tok {
    char *s;
    size_t len;
    int col; /* 1-based byte column */
};

#define SCN__MAX_TOKS (SCN_MAX_LINE / 2 + 2)

struct scn__parser {
    struct scn_suite *suite;
    FILE *diag;
    int status; /* the worst status so far */
    bool nomem;

    struct scn__source src[SCN_MAX_INCLUDE_DEPTH + 1];
    int depth; /* index of the current source, -1 when none */

    /* The current line: raw text, a copy split into words, and scratch space. */
    const char *file;
    int line;
    char raw[SCN_MAX_LINE + 1];
    char buf[SCN_MAX_LINE + 1];
    char scratch[SCN_MAX_LINE + 1];
    struct scn__tok toks[SCN__MAX_TOKS];
    int n_toks;
    char clip[4][96];
    int next_clip;

    /* The open case. */
    bool in_case, case_bad, has_intent, over_steps;
    int intent_line;
    struct scn_case c;
    struct scn_step *steps; /* max_steps entries, grown up to SCN_MAX_STEPS */
    int max_steps;
    bool in_par;
    struct scn_loc par_loc;
    int par_count;
};

#if defined(__GNUC__)
#define SCN__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SCN__PRINTF(a, b)
#endif

/* Diagnostics (scn.c). Each marks the open case bad and raises the status to
 * at least SCN_EPARSE. scn__diag reports on the current line, at column col. */
void scn__diag(struct scn__parser *p, int col, const char *fmt, ...) SCN__PRINTF(3, 4);
void scn__diag_at(struct scn__parser *p, struct scn_loc loc, const char *fmt, ...)
    SCN__PRINTF(3, 4);
/* A word for a message, shortened to 80 bytes; four results stay valid at once. */
const char *scn__clip(struct scn__parser *p, const char *s, size_t len);
const char *scn__word(struct scn__parser *p, const struct scn__tok *t);
/* " (did you mean 'X'?)" for the nearest of names[n], or "". */
const char *scn__suggest(struct scn__parser *p, const char *w, const char *const *names, size_t n);
struct scn_loc scn__here(const struct scn__parser *p, int col);
/* Record that memory ran out (status SCN_ENOMEM; parsing stops). */
void scn__oom(struct scn__parser *p);
/* A copy in the suite's arena; NULL (out of memory, already reported) on failure. */
char *scn__pstrndup(struct scn__parser *p, const char *s, size_t len);

/* Words of the current line (scn.c). */
bool scn__is(const struct scn__tok *t, const char *s);
int scn__eol_col(const struct scn__parser *p); /* the column after the last word */
bool scn__is_arrow(const struct scn__tok *t);  /* `->` or `expect-any` */
/* Word i if it is an argument, else a diagnostic "'step' needs WHAT" and NULL. */
struct scn__tok *scn__need(struct scn__parser *p, int i, const char *step, const char *what);
/* Unescape the "..." word t into p->scratch (NUL-terminated); its length in *out_len. */
bool scn__decode_string(struct scn__parser *p, const struct scn__tok *t, size_t *out_len);

/* Steps (scn_step.c). */
void scn__step_init(struct scn_step *st, struct scn_loc loc, int thread);
/* Append to the open case, or report the step limit once. */
void scn__add_step(struct scn__parser *p, const struct scn_step *st);
/* Parse the step that starts at word i of the current line; thread is its label
 * index or -1. Appends it, or reports the first error on the line. */
void scn__parse_step(struct scn__parser *p, int i, int thread);
bool scn__is_directive(const char *w);
bool scn__is_step_word(const char *w); /* a word that starts a step */
/* "unknown API function" or "unknown directive" with the nearest name. */
void scn__unknown_word(struct scn__parser *p, const struct scn__tok *t);

#endif /* BACKSTOP_SCN_INT_H */
