/* strbuf.c - growable string. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "strbuf.h"

static void
strbuf_reserve(gv_strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    size_t ncap;

    if (need <= sb->cap)
        return;
    ncap = sb->cap ? sb->cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    sb->buf = gv_realloc(sb->buf, ncap);
    sb->cap = ncap;
}

void
gv_strbuf_append_len(gv_strbuf *sb, const char *s, size_t n)
{
    strbuf_reserve(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void
gv_strbuf_append(gv_strbuf *sb, const char *s)
{
    gv_strbuf_append_len(sb, s, strlen(s));
}

void
gv_strbuf_putc(gv_strbuf *sb, char c)
{
    gv_strbuf_append_len(sb, &c, 1);
}

void
gv_strbuf_printf(gv_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    strbuf_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void
gv_strbuf_pad(gv_strbuf *sb, size_t start, size_t width)
{
    while (sb->len < start + width)
        gv_strbuf_putc(sb, ' ');
}

const char *
gv_strbuf_str(const gv_strbuf *sb)
{
    return sb->buf ? sb->buf : "";
}

char *
gv_strbuf_steal(gv_strbuf *sb)
{
    char *s = sb->buf ? sb->buf : gv_strdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return s;
}

void
gv_strbuf_reset(gv_strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}
