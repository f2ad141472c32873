/*
 * testlib.h - small helpers shared by the C tests: paths to sources and shared data, reading
 * fixtures, and the standard "skip with a notice" exit.
 */
#ifndef GV_TESTLIB_H
#define GV_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "gpuvm/alloc.h"

#define GV_TEST_SKIP 77 /* meson's "skipped" exit status */

/* Path under the source tree; caller frees. */
static inline char *
gv_test_src(const char *rel)
{
    const char *root = getenv("GV_SRCDIR");
    return gv_asprintf("%s/%s", root ? root : ".", rel);
}

/* The shared data folder ($GV_SHARED_DATA, else <src>/../shared/data), or NULL when absent. */
static inline char *
gv_test_shared_data(void)
{
    const char *env = getenv("GV_SHARED_DATA");
    struct stat st;
    char *p = env && *env ? gv_strdup(env) : gv_test_src("../shared/data");

    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        free(p);
        return NULL;
    }
    return p;
}

/* Print the standard notice and exit 77 (meson: SKIP). */
static inline void
gv_test_skip_no_shared_data(const char *test)
{
    printf("SKIP %s: shared data folder not found (set GV_SHARED_DATA or put it at "
           "../shared/data)\n",
           test);
    exit(GV_TEST_SKIP);
}

#endif
