/*
 * testlib.h - small helpers shared by the C tests: paths to sources and shared data, the shipped
 * catalog, and the standard "skip with a notice" exit.
 */
#ifndef GV_TESTLIB_H
#define GV_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "gpuvm/alloc.h"
#include "gpuvm/gpu.h"
#include "util/file.h"

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

/*
 * Folder @sub of the shared data folder, for test @test: skips (exit 77) when the shared folder
 * is absent, fails (exit 1) naming it when the folder is there but lacks @sub. Caller frees.
 */
static inline char *
gv_test_shared_dir(const char *test, const char *sub)
{
    GV_AUTOFREE char *shared = gv_test_shared_data();
    struct stat st;
    char *p;

    if (!shared)
        gv_test_skip_no_shared_data(test);
    p = gv_asprintf("%s/%s", shared, sub);
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "FAIL %s: the shared data folder %s has no %s/ folder\n", test, shared,
                sub);
        exit(1);
    }
    return p;
}

/* The shipped catalog ($GV_SRCDIR/data/catalog/gpus.yaml); aborts when it does not load. */
static inline gv_catalog *
gv_test_shipped_catalog(void)
{
    GV_AUTOFREE char *path = gv_test_src("data/catalog/gpus.yaml");
    GV_AUTOFREE char *text = NULL;
    gv_catalog *c = NULL;
    gv_err err = {0};
    size_t len = 0;

    if (gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
        gv_catalog_parse(text, len, path, &c, &err) < 0) {
        fprintf(stderr, "cannot load the shipped catalog: %s: %s\n", err.where, err.msg);
        abort();
    }
    return c;
}

/* cmocka group setup/teardown that put the shipped catalog in *state. */
static inline int
gv_test_catalog_setup(void **state)
{
    *state = gv_test_shipped_catalog();
    return 0;
}

static inline int
gv_test_catalog_teardown(void **state)
{
    gv_catalog_free(*state);
    return 0;
}

#endif
