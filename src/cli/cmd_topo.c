/* cmd_topo.c - placeholder while the command is being written. */
#include <stdio.h>

#include "cli.h"

int
gv_cmd_topo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "gpuvm topo: not written yet\n");
    return GV_EXIT_FAIL;
}
