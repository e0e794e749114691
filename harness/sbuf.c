/*
 * sbuf.c: growable string buffer (see sbuf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

static int sbuf__reserve(struct sbuf *sb, size_t extra)
{
    size_t need, cap;
    char *p;
    if (sb->oom)
        return -1;
    need = sb->len + extra + 1;
    if (need <= sb->cap)
        return 0;
    cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(sb->p, cap);
    if (!p) {
        sb->oom = 1;
        return -1;
    }
    sb->p = p;
    sb->cap = cap;
    return 0;
}

void sbuf_append(struct sbuf *sb, const char *s, size_t n)
{
    if (sbuf__reserve(sb, n) != 0)
        return;
    memcpy(sb->p + sb->len, s, n);
    sb->len += n;
    sb->p[sb->len] = 0;
}

void sbuf_putc(struct sbuf *sb, char c) { sbuf_append(sb, &c, 1); }

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sbuf__reserve(sb, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(sb->p + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *sbuf_str(const struct sbuf *sb) { return sb->p ? sb->p : ""; }
size_t sbuf_len(const struct sbuf *sb) { return sb->len; }

void sbuf_reset(struct sbuf *sb)
{
    sb->len = 0;
    if (sb->p)
        sb->p[0] = 0;
}

char *sbuf_take(struct sbuf *sb)
{
    char *p = sb->p ? sb->p : calloc(1, 1);
    sb->p = NULL;
    sb->len = sb->cap = 0;
    sb->oom = 0;
    return p;
}

void sbuf_free(struct sbuf *sb)
{
    free(sb->p);
    sb->p = NULL;
    sb->len = sb->cap = 0;
    sb->oom = 0;
}
