/*
 * gpu_test.h - what the catalog tests share: loading the shipped catalog from the source tree
 * ($GV_SRCDIR/data/catalog/gpus.yaml), parsing inline YAML, and the MIG geometry of facts 1.3 and
 * 1.4 written out independently of the catalog file, as the reference the tests compare with.
 */
#ifndef GV_GPU_TEST_H
#define GV_GPU_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/gpu.h"
#include "testlib.h"
#include "util/file.h"

/* Parse @text as "t.yaml"; returns the status and leaves the error in @err. */
static inline int
gv_test_parse(const char *text, gv_catalog **ret, gv_err *err)
{
    return gv_catalog_parse(text, strlen(text), "t.yaml", ret, err);
}

/* One row of a reference MIG table (facts 1.3 / 1.4). */
typedef struct ref_profile {
    int id;
    const char *name;
    int compute;
    int size; /* memory slices */
    int max;
    bool me;
    int n_starts;
    int starts[8];
} ref_profile;

typedef struct ref_geometry {
    int memory_slices;
    int compute_slices;
    int n_profiles;
    ref_profile profiles[8];
} ref_geometry;

/*
 * Facts 1.3: byte-identical -lgipp on A100 40GB/80GB, H100 80GB, H100 NVL (and, unverified,
 * H200/B200 and the A800/H800 variants). Names are filled per model by the tests.
 */
static const ref_geometry ref_a100_family = {
    .memory_slices = 8,
    .compute_slices = 7,
    .n_profiles = 7,
    .profiles =
        {
            {19, "1g", 1, 1, 7, false, 7, {0, 1, 2, 3, 4, 5, 6}},
            {20, "1g+me", 1, 1, 1, true, 7, {0, 1, 2, 3, 4, 5, 6}},
            {15, "1g.2x", 1, 2, 4, false, 4, {0, 2, 4, 6}},
            {14, "2g", 2, 2, 3, false, 3, {0, 2, 4}},
            {9, "3g", 3, 4, 2, false, 2, {0, 4}},
            {5, "4g", 4, 4, 1, false, 1, {0}},
            {0, "7g", 7, 8, 1, false, 1, {0}},
        },
};

/* Facts 1.4: A30 24GB, 4 memory / 4 compute slices. */
static const ref_geometry ref_a30 = {
    .memory_slices = 4,
    .compute_slices = 4,
    .n_profiles = 5,
    .profiles =
        {
            {14, "1g.6gb", 1, 1, 4, false, 4, {0, 1, 2, 3}},
            {21, "1g.6gb+me", 1, 1, 1, true, 4, {0, 1, 2, 3}},
            {5, "2g.12gb", 2, 2, 2, false, 2, {0, 2}},
            {6, "2g.12gb+me", 2, 2, 1, true, 2, {0, 2}},
            {0, "4g.24gb", 4, 4, 1, false, 1, {0}},
        },
};

#endif
