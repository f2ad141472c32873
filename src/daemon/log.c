/*
 * log.c - one structured line per event on stderr (logfmt: time=... level=... event=...), and
 * the small helpers every daemon file uses: clocks, identifiers.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/daemon.h"
#include "gpuvm/alloc.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void
gv_log(const char *level, const char *event, const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char when[40];
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "time=%s.%03ldZ level=%s event=%s", when, ts.tv_nsec / 1000000, level, event);
    if (fmt && *fmt) {
        fputc(' ', stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    pthread_mutex_unlock(&log_lock);
}

int64_t
gv_daemon_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
gv_daemon_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool
gv_name_valid(const char *s, bool upper)
{
    size_t n = strlen(s);

    if (n < 1 || n >= GV_POLICY_NAME_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (upper && *s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

char *
gv_daemon_key(const char *a, const char *b)
{
    return gv_asprintf("%s\n%s", a, b);
}

void
gv_random_id(const char *prefix, char ret[GV_ID_LEN])
{
    uint8_t raw[12];
    char hex[2 * sizeof(raw) + 1];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    snprintf(ret, GV_ID_LEN, "%s%s", prefix, hex);
}
