/*
 * remote_text.c - text output of the remote commands: aligned tables and the small renderings
 * (times, a placement's GPUs) their cells are made of. What the server sent is printed with its
 * control characters replaced, so a name cannot move the cursor or break a row.
 */
#include <string.h>
#include <time.h>

#include "cli/remote.h"
#include "gpuvm/alloc.h"

void
gv_remote_table_init(gv_remote_table *t, size_t n_cols, const char *const *header)
{
    *t = (gv_remote_table){.n_cols = n_cols};
    gv_remote_table_row(t, header);
}

void
gv_remote_table_row(gv_remote_table *t, const char *const *cells)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *s = cells[c] && cells[c][0] ? cells[c] : "-";
        char *copy = gv_strdup(s);

        for (char *p = copy; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        *GV_ARRAY_APPEND(t->cells, t->n_cells) = copy;
    }
}

/* Display width of @s: UTF-8 continuation bytes take no column. */
static size_t
width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    return w;
}

void
gv_remote_table_print(const gv_remote_table *t, FILE *out)
{
    GV_AUTOFREE size_t *widths = gv_calloc(t->n_cols, sizeof(*widths));
    size_t n_rows = t->n_cols ? t->n_cells / t->n_cols : 0;

    for (size_t i = 0; i < t->n_cells; i++) {
        size_t w = width(t->cells[i]);

        if (w > widths[i % t->n_cols])
            widths[i % t->n_cols] = w;
    }
    for (size_t r = 0; r < n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = t->cells[r * t->n_cols + c];

            fputs(s, out);
            if (c + 1 < t->n_cols)
                fprintf(out, "%*s", (int)(widths[c] - width(s) + 2), "");
        }
        fputc('\n', out);
    }
}

void
gv_remote_table_free(gv_remote_table *t)
{
    for (size_t i = 0; i < t->n_cells; i++)
        free(t->cells[i]);
    free(t->cells);
    *t = (gv_remote_table){0};
}

const char *
gv_remote_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

int64_t
gv_remote_int(const json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

const char *
gv_remote_int_text(const json_t *o, const char *key, char *buf, size_t n)
{
    const json_t *v = json_object_get(o, key);

    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, n, "-");
    return buf;
}

const char *
gv_remote_time_text(int64_t ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (ms <= 0 || !gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "-");
    return buf;
}

/* "A30-24GB:1g.6gb", "L4@500m": what one placed GPU entry is. Caller frees. */
static char *
gpu_kind(const json_t *g)
{
    const char *model = gv_remote_str(g, "model");
    const char *profile = gv_remote_str(g, "profile"), *type = gv_remote_str(g, "type");
    const json_t *milli = json_object_get(g, "milli");

    if (*profile)
        return gv_asprintf("%s:%s", model, profile);
    if (*type)
        return gv_asprintf("%s:%s", model, type);
    if (json_is_integer(milli) && json_integer_value(milli) > 0 && json_integer_value(milli) < 1000)
        return gv_asprintf("%s@%lldm", model, (long long)json_integer_value(milli));
    return gv_strdup(model);
}

char *
gv_remote_gpus_text(const json_t *placement)
{
    const json_t *gpus = json_object_get(placement, "gpus");
    gv_strbuf sb = {0};
    GV_AUTOFREE char *run = NULL;
    size_t n_run = 0, i;
    json_t *g;

    json_array_foreach(gpus, i, g)
    {
        char *kind = gpu_kind(g);

        if (run && !strcmp(run, kind)) {
            n_run++;
            free(kind);
            continue;
        }
        if (run)
            gv_strbuf_printf(&sb, "%s%zux%s", sb.len ? "," : "", n_run, run);
        free(run);
        run = kind;
        n_run = 1;
    }
    if (run)
        gv_strbuf_printf(&sb, "%s%zux%s", sb.len ? "," : "", n_run, run);
    if (!sb.len)
        gv_strbuf_append(&sb, "-");
    return gv_strbuf_steal(&sb);
}

int
gv_remote_table_finish(gv_remote_table *t, gv_remote_resp *resp)
{
    gv_remote_table_print(t, stdout);
    gv_remote_table_free(t);
    gv_remote_resp_clear(resp);
    return GV_EXIT_OK;
}
