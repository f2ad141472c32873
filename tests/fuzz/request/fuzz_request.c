/*
 * fuzz_request.c - requests from untrusted bytes, as JSON and as YAML, with no base and over a
 * flavor-like base. A failure must say why and leave the output untouched; a request that
 * parses must be canonical: its JSON reads back to the identical struct (memcmp) and writes
 * the identical text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/place.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*parse_fn)(const char *text, size_t len, const char *source, const gv_request *base,
                        gv_request *ret, gv_err *err);

static void
check_round_trip(const gv_request *r)
{
    gv_request back;
    gv_err err = {0};
    char *text = gv_request_to_json(r);
    char *again;

    /* With no base the text must carry the name: every parsed request here has one. */
    if (!r->name[0] || gv_request_parse_json(text, strlen(text), "rt.json", NULL, &back, &err))
        abort();
    if (memcmp(r, &back, sizeof(back)))
        abort();
    again = gv_request_to_json(&back);
    if (strcmp(text, again))
        abort();
    free(again);
    free(text);
}

static void
one(parse_fn parse, const char *text, size_t len, const gv_request *base)
{
    gv_request r, before;
    gv_err err = {0};
    int rc;

    memset(&r, 0x5a, sizeof(r));
    memcpy(&before, &r, sizeof(r));
    rc = parse(text, len, "fuzz", base, &r, &err);
    if (rc == 0) {
        check_round_trip(&r);
    } else if (err.code == 0 || rc != -err.code || memcmp(&r, &before, sizeof(r))) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    gv_request base;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* A named flavor: whatever the text says, the result has a name to read back with. */
    gv_request_init(&base);
    strcpy(base.name, "base-vm");
    base.hugepages = GV_HUGEPAGES_1G;
    base.memory_mib = 4096;
    base.gpu.count = 2;
    base.gpu.topology = GV_GPU_TOPO_NVLINK;

    one(gv_request_parse_json, text, size, NULL);
    one(gv_request_parse_yaml, text, size, NULL);
    one(gv_request_parse_json, text, size, &base);
    one(gv_request_parse_yaml, text, size, &base);
    free(text);
    return 0;
}
