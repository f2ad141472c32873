/* strbuf.h - a growable NUL-terminated string for building output. Allocation cannot fail. */
#ifndef GV_UTIL_STRBUF_H
#define GV_UTIL_STRBUF_H

#include <stddef.h>

typedef struct gv_strbuf {
    char *buf;  /* always NUL-terminated once anything was appended; NULL when empty */
    size_t len; /* bytes, excluding the NUL */
    size_t cap;
} gv_strbuf;

void gv_strbuf_append(gv_strbuf *sb, const char *s);
void gv_strbuf_append_len(gv_strbuf *sb, const char *s, size_t n);
void gv_strbuf_printf(gv_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gv_strbuf_putc(gv_strbuf *sb, char c);
/* Pad with spaces to @width bytes since @start (for column output). */
void gv_strbuf_pad(gv_strbuf *sb, size_t start, size_t width);
/* The contents ("" when empty); stays owned by @sb. */
const char *gv_strbuf_str(const gv_strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset @sb. */
char *gv_strbuf_steal(gv_strbuf *sb);
void gv_strbuf_reset(gv_strbuf *sb);

#endif
