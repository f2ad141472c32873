/*
 * fuzz_topo_json.c - the canonical fleet JSON from untrusted bytes. Whatever parses must pass
 * gv_fleet_check and round-trip: write(parse(x)) parsed again writes the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gv_fleet *f = NULL, *g = NULL;
    gv_err err = {0};
    char *a, *b;

    if (gv_fleet_from_json((const char *)data, size, "fuzz.json", &f, &err) < 0) {
        if (err.code == 0 || f)
            abort();
        return 0;
    }
    if (gv_fleet_check(f, NULL) < 0)
        abort();
    a = gv_fleet_to_json(f);
    if (gv_fleet_from_json(a, strlen(a), "rt.json", &g, NULL) < 0)
        abort();
    b = gv_fleet_to_json(g);
    if (strcmp(a, b))
        abort();
    free(a);
    free(b);
    gv_fleet_free(f);
    gv_fleet_free(g);
    return 0;
}
