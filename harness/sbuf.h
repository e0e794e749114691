/*
 * sbuf.h: a growable, always NUL-terminated string buffer for messages and
 * reports. A zero-initialised struct sbuf is empty and valid. Out of memory is
 * sticky and silent: the text is truncated, never a crash.
 */
#ifndef BACKSTOP_SBUF_H
#define BACKSTOP_SBUF_H

#include <stddef.h>

struct sbuf {
    char *p;
    size_t len, cap;
    int oom;
};

#if defined(__GNUC__)
#define SBUF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SBUF_PRINTF(a, b)
#endif

void sbuf_printf(struct sbuf *sb, const char *fmt, ...) SBUF_PRINTF(2, 3);
void sbuf_putc(struct sbuf *sb, char c);
void sbuf_append(struct sbuf *sb, const char *s, size_t n);
const char *sbuf_str(const struct sbuf *sb); /* "" when empty */
size_t sbuf_len(const struct sbuf *sb);
void sbuf_reset(struct sbuf *sb);            /* empty it, keep the memory */
char *sbuf_take(struct sbuf *sb);            /* hand the malloc'ed text to the caller */
void sbuf_free(struct sbuf *sb);

#endif /* BACKSTOP_SBUF_H */
