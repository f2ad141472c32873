/*
 * engine_asserts.h - what the engine's property tests share: the engine's own invariants after
 * a step, and two texts that must be equal, failing at the first line they differ (cmocka cuts
 * long messages). Messages name the seed and step so a failure can be replayed.
 */
#ifndef GV_TEST_ENGINE_ASSERTS_H
#define GV_TEST_ENGINE_ASSERTS_H

#include <string.h>

#include "gpuvm/place.h"

/* gv_engine_check passes. */
static inline void
assert_engine_ok(const gv_engine *e, unsigned seed, int step)
{
    gv_err err = {0};

    if (gv_engine_check(e, &err) < 0)
        fail_msg("seed %u step %d: %s: %s", seed, step, err.where, err.msg);
}

/* @a (labelled @la, e.g. "fast") and @b (@lb) are the same text. */
static inline void
assert_same_text(const char *what, unsigned seed, int step, const char *la, const char *a,
                 const char *lb, const char *b)
{
    int line = 1;
    const char *sa = a, *sb = b;

    if (!strcmp(a, b))
        return;
    while (*a && *a == *b) {
        if (*a == '\n') {
            line++;
            sa = a + 1;
            sb = b + 1;
        }
        a++;
        b++;
    }
    fail_msg("seed %u step %d: %s differ at line %d:\n%-9s %.*s\n%-9s %.*s", seed, step, what, line,
             la, (int)strcspn(sa, "\n"), sa, lb, (int)strcspn(sb, "\n"), sb);
}

#endif
