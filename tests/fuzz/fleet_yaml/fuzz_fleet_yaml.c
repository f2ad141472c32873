/*
 * fuzz_fleet_yaml.c - fleet files (YAML, or JSON when the text starts with '{') from untrusted
 * bytes. Topology file references resolve under the corpus folder of this target, so a seed
 * can point at a real file; anything else fails cleanly. The loaded fleet, if any, must pass
 * gv_fleet_check: a fleet that loads is a valid fleet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/discover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    gv_fleet *f = NULL;
    gv_err err = {0};

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (gv_fleet_parse(text, size, "fuzz.yaml", NULL, &f, &err) == 0) {
        if (gv_fleet_check(f, NULL) < 0)
            abort();
        gv_fleet_free(f);
    } else if (err.code == 0 || f) {
        abort(); /* a failure must say why and leave the output untouched */
    }
    free(text);
    return 0;
}
