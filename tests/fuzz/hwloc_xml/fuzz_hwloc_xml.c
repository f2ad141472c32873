/*
 * fuzz_hwloc_xml.c - libFuzzer target for the hwloc XML loader (libxml2 pre-check, then libhwloc
 * itself): any bytes must load into a host that passes gv_host_check, or be refused with an
 * error that says why and leaves the output untouched; never crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>

#include "gpuvm/discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gv_host *h = NULL;
    gv_err err = {0};

    /* the loader takes a length and never reads past it: no NUL added on purpose */
    if (gv_hwloc_xml_load((const char *)data, size, "fuzz.xml", &h, &err) == 0) {
        if (!h || gv_host_check(h, NULL) < 0)
            abort();
        gv_host_free(h);
    } else if (err.code == 0 || h) {
        abort();
    }
    return 0;
}
