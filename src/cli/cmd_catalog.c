/* cmd_catalog.c - placeholder while the command is being written. */
#include <stdio.h>

#include "cli.h"

int
gv_cmd_catalog(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "gpuvm catalog: not written yet\n");
    return GV_EXIT_FAIL;
}
