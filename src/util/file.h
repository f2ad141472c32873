/* file.h - read a whole file with a size bound, reporting "path: reason" on failure. */
#ifndef GV_UTIL_FILE_H
#define GV_UTIL_FILE_H

#include <stddef.h>

#include "gpuvm/err.h"

/* Default bound for topology, fleet and catalog files. */
#define GV_FILE_MAX_BYTES (64u << 20)

/*
 * Read @path into a NUL-terminated buffer (*ret, owned by caller; *ret_len excludes the NUL).
 * Returns: 0, -GV_E_IO (cannot open/read, or a directory), -GV_E_LIMIT (larger than @max).
 */
int gv_file_read(const char *path, size_t max, char **ret, size_t *ret_len, gv_err *err);

/* Directory part of @path ("." when none); caller frees. */
char *gv_path_dirname(const char *path);

/* @rel resolved against the directory of @base_file unless @rel is absolute; caller frees. */
char *gv_path_resolve(const char *base_file, const char *rel);

/* mkdir -p: @path and its missing parents. Returns 0, or -1 with errno set. */
int gv_mkdir_p(const char *path);

#endif
