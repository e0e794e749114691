/*
 * expect.h: per-target expectation files, in the style of web-platform-tests and
 * lit. They record a target's known deviations so that a run can pass while the
 * deviation is tracked:
 *
 *     # comment
 *     XFAIL case-name-or-glob   reason text to the end of the line
 *     SKIP  case-name-or-glob   reason text
 *
 * An XFAIL case that fails is reported XFAIL (counts as passed); one that passes
 * is reported XPASS (counts as failed, so the stale entry gets removed).
 */
#ifndef BACKSTOP_EXPECT_H
#define BACKSTOP_EXPECT_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum expect_kind { EXPECT_NONE = 0, EXPECT_XFAIL, EXPECT_SKIP };

struct expect_set;

/* Load an expectation file. Malformed lines are reported as "file:line:col:
 * message" on diag; the result is then -1 (usage error, exit 2). */
int expect_load(const char *path, FILE *diag, struct expect_set **out);
void expect_free(struct expect_set *set);

/* What the set says about a case; *reason points into the set. */
enum expect_kind expect_lookup(const struct expect_set *set, const char *case_name,
                               const char **reason);

#ifdef __cplusplus
}
#endif

#endif /* BACKSTOP_EXPECT_H */
