/*
 * fuzz_nccl_xml.c - libFuzzer target for the NCCL/RCCL topology XML loader: any bytes must load
 * into a host that passes gv_host_check, or be refused with an error; never crash or leak.
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

    if (gv_nccl_xml_load((const char *)data, size, "fuzz", &h, &err) == 0) {
        if (gv_host_check(h, NULL) < 0 || err.code != 0)
            abort();
    } else if (h || err.code == 0 || !err.msg[0]) {
        abort(); /* a refusal always says why and hands nothing over */
    }
    gv_host_free(h);
    return 0;
}
