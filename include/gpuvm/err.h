/*
 * err.h - the one error type of libgpuvm.
 *
 * Fallible functions return int: 0 (or a count) on success, -GV_E_* on failure, and fill an
 * optional gv_err at the point where the problem is detected. The first report wins, so a caller
 * that wraps a failing callee never overwrites the precise message with a vaguer one. Core code
 * never prints: the program at the edge formats the error once (gv_err_format) and maps the code
 * to an exit status or an HTTP status in one table.
 */
#ifndef GPUVM_ERR_H
#define GPUVM_ERR_H

#include <stdbool.h>
#include <stddef.h>

typedef enum gv_errcode {
    GV_E_OK = 0,
    GV_E_INVAL,       /* bad argument or bad value in otherwise well-formed input */
    GV_E_PARSE,       /* input is not well-formed (syntax) */
    GV_E_IO,          /* a file or device could not be read or written */
    GV_E_NOTFOUND,    /* a named thing does not exist */
    GV_E_UNSUPPORTED, /* well-formed, but a format or feature we refuse, with the reason */
    GV_E_LIMIT,       /* input exceeds a bound we enforce (size, count, depth) */
    GV_E_CONFLICT,    /* contradicts existing state (duplicate name, double booking) */
    GV_E_INTERNAL,    /* an invariant of our own is broken: a bug */
    GV_E_LAST
} gv_errcode;

#define GV_ERR_WHERE_MAX 256
#define GV_ERR_MSG_MAX 768

typedef struct gv_err {
    int code;                     /* gv_errcode; 0 while no error was reported */
    char where[GV_ERR_WHERE_MAX]; /* "file:line:col", "file: <pci busid=...>", "hosts[3].numa" */
    char msg[GV_ERR_MSG_MAX];     /* the reason, one line, no trailing period */
} gv_err;

/*
 * Record an error unless one is already recorded (first report wins). @err may be NULL.
 * Returns: -code, so that `return gv_err_set(err, GV_E_INVAL, where, "...")` reads naturally.
 */
int gv_err_set(gv_err *err, int code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefix the recorded location with "@prefix: " (e.g. the file name), if an error is recorded. */
void gv_err_prefix(gv_err *err, const char *prefix);

/* Forget a recorded error. */
void gv_err_clear(gv_err *err);

/* "where: msg" (or just msg) into @buf. Returns @buf. */
const char *gv_err_format(const gv_err *err, char *buf, size_t n);

/* Stable lower-case name of a code ("parse", "inval", ...). */
const char *gv_errcode_to_string(int code);

#endif
