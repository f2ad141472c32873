/*
 * replay_main.c - run a libFuzzer target over every file of its corpus directories, as a plain
 * test. A crash, a sanitizer report or a leak fails the test; the target's own return value is
 * ignored, as libFuzzer does. An empty corpus is an error: a target with no seeds tests nothing.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpuvm/alloc.h"
#include "util/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    size_t total = 0;

    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        char **names = NULL;
        size_t n = 0;

        if (!d) {
            fprintf(stderr, "replay: cannot open corpus %s\n", argv[i]);
            return 1;
        }
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                *GV_ARRAY_APPEND(names, n) = gv_strdup(e->d_name);
        closedir(d);
        qsort(names, n, sizeof(*names), cmp_str);
        for (size_t j = 0; j < n; j++) {
            GV_AUTOFREE char *path = gv_asprintf("%s/%s", argv[i], names[j]);
            GV_AUTOFREE char *buf = NULL;
            size_t len = 0;
            gv_err err = {0};

            if (gv_file_read(path, GV_FILE_MAX_BYTES, &buf, &len, &err) < 0) {
                fprintf(stderr, "replay: %s: %s\n", err.where, err.msg);
                return 1;
            }
            printf("replay %s (%zu bytes)\n", path, len);
            fflush(stdout);
            LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
            total++;
            free(names[j]);
        }
        free(names);
    }
    if (total == 0) {
        fprintf(stderr, "replay: no corpus files\n");
        return 1;
    }
    printf("replayed %zu inputs\n", total);
    return 0;
}
