/*
 * fuzz_placement_json.c - placements read back from untrusted bytes (the daemon reads them from
 * its database, which an operator can edit). A failure must say why, with a code that matches
 * the return; a placement that parses must write JSON that reads back and writes identically.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/place.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gv_placement p, back;
    gv_err err = {0};
    char *text, *out, *again;
    int rc;

    memset(&p, 0, sizeof(p));
    rc = gv_placement_from_json((const char *)data, size, "fuzz", &p, &err);
    if (rc < 0) {
        if (err.code == 0 || rc != -err.code)
            abort();
        return 0;
    }
    text = gv_placement_to_json(&p);
    memset(&back, 0, sizeof(back));
    if (gv_placement_from_json(text, strlen(text), "rt", &back, &err) != 0)
        abort();
    out = gv_placement_to_json(&back);
    again = out;
    if (strcmp(text, again))
        abort();
    free(out);
    free(text);
    gv_placement_clear(&p);
    gv_placement_clear(&back);
    return 0;
}
