/*
 * fuzz_request_stream.c - a request stream from untrusted bytes: split into lines, each parsed
 * with gv_stream_parse_line over no base and over a name-less flavor. Blank and comment lines
 * give 1 and leave the item untouched; failures say where ("fuzz.jsonl:LINE") and why; parsed
 * requests read back identically from their canonical JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/place.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_item(const gv_stream_item *item)
{
    gv_request back;
    char *text;

    if (item->is_release) {
        if (!item->release[0] || memchr(item->release, '\0', sizeof(item->release)) == NULL)
            abort();
        return;
    }
    text = gv_request_to_json(&item->request);
    if (!item->request.name[0] ||
        gv_request_parse_json(text, strlen(text), "rt.json", NULL, &back, NULL) ||
        memcmp(&back, &item->request, sizeof(back)))
        abort();
    free(text);
}

static void
one(const char *line, size_t len, size_t lineno, const gv_request *base)
{
    gv_stream_item item, before;
    char where[64];
    gv_err err = {0};
    int rc;

    memset(&item, 0xa5, sizeof(item));
    memcpy(&before, &item, sizeof(item));
    rc = gv_stream_parse_line(line, len, "fuzz.jsonl", lineno, base, &item, &err);
    snprintf(where, sizeof(where), "fuzz.jsonl:%zu", lineno);
    if (rc == 0) {
        check_item(&item);
    } else if (rc == 1) {
        if (err.code || memcmp(&item, &before, sizeof(item)))
            abort();
    } else if (err.code == 0 || rc != -err.code || strcmp(err.where, where) ||
               memcmp(&item, &before, sizeof(item))) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    gv_request flavor;
    size_t start = 0, lineno = 1;

    gv_request_init(&flavor);
    flavor.cpu_policy = GV_CPU_SHARED;
    flavor.gpu.count = 1;
    flavor.gpu.mode = GV_GPU_MODE_MIG;
    strcpy(flavor.gpu.profile, "3g.40gb");
    while (start <= size) {
        const char *nl = memchr(text + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - text) + 1 : size; /* the line keeps its newline */

        if (end == start)
            break;
        one(text + start, end - start, lineno, NULL);
        one(text + start, end - start, lineno, &flavor);
        start = end;
        lineno++;
    }
    return 0;
}
