/*
 * cli_out.c - the files a command writes (reports, per-run CSVs, plot scripts): opened and
 * closed with one message on failure, in the same words as the readers' "cannot open".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

FILE *
gv_cli_create(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f)
        fprintf(stderr, "gpuvm: %s: cannot write: %s\n", path, strerror(errno));
    return f;
}

int
gv_cli_close(FILE *f, const char *path)
{
    if (fclose(f) == 0)
        return 0;
    fprintf(stderr, "gpuvm: %s: cannot write: %s\n", path, strerror(errno));
    return -1;
}
