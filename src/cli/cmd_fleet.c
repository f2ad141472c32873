/* cmd_fleet.c - placeholder while the command is being written. */
#include <stdio.h>

#include "cli.h"

int
gv_cmd_fleet(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "gpuvm fleet: not written yet\n");
    return GV_EXIT_FAIL;
}
