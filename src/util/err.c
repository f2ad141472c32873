/* err.c - recording, prefixing and formatting gv_err. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/err.h"

static const char *const errcode_names[GV_E_LAST] = {
    [GV_E_OK] = "ok",       [GV_E_INVAL] = "invalid",      [GV_E_PARSE] = "parse",
    [GV_E_IO] = "io",       [GV_E_NOTFOUND] = "not-found", [GV_E_UNSUPPORTED] = "unsupported",
    [GV_E_LIMIT] = "limit", [GV_E_CONFLICT] = "conflict",  [GV_E_INTERNAL] = "internal",
};

int
gv_err_set(gv_err *err, int code, const char *where, const char *fmt, ...)
{
    if (code <= 0 || code >= GV_E_LAST)
        code = GV_E_INTERNAL;
    if (err && err->code == 0) {
        va_list ap;
        err->code = code;
        snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        /* One line, always: hostile input must not be able to forge extra log lines. */
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        for (char *p = err->where; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
    }
    return -code;
}

void
gv_err_prefix(gv_err *err, const char *prefix)
{
    char tmp[2 * GV_ERR_WHERE_MAX + 2];

    if (!err || err->code == 0 || !prefix || !*prefix)
        return;
    if (err->where[0])
        snprintf(tmp, sizeof(tmp), "%s:%s", prefix, err->where);
    else
        snprintf(tmp, sizeof(tmp), "%s", prefix);
    /* Truncation keeps the prefix (the file name), which matters most. */
    memcpy(err->where, tmp, sizeof(err->where) - 1);
    err->where[sizeof(err->where) - 1] = '\0';
}

void
gv_err_clear(gv_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

const char *
gv_err_format(const gv_err *err, char *buf, size_t n)
{
    if (!err || err->code == 0)
        snprintf(buf, n, "no error");
    else if (err->where[0])
        snprintf(buf, n, "%s: %s", err->where, err->msg);
    else
        snprintf(buf, n, "%s", err->msg);
    return buf;
}

const char *
gv_errcode_to_string(int code)
{
    if (code < 0)
        code = -code;
    if (code >= GV_E_LAST)
        return "unknown";
    return errcode_names[code];
}
