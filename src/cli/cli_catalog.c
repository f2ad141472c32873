/*
 * cli_catalog.c - the catalog every command works with: the shipped file (or $GPUVM_CATALOG),
 * with the user's --catalog file merged over it.
 */
#include "cli.h"
#include "util/file.h"

int
gv_cli_load_catalog(const char *user_file, gv_catalog **ret)
{
    GV_AUTOPTR(gv_catalog) base = NULL;
    const char *paths[2] = {gv_cli_catalog_path(), user_file};
    gv_err err = {0};

    for (int i = 0; i < 2; i++) {
        GV_AUTOFREE char *text = NULL;
        gv_catalog *c = NULL;
        size_t len = 0;

        if (!paths[i])
            continue;
        if (gv_file_read(paths[i], GV_FILE_MAX_BYTES, &text, &len, &err) < 0 ||
            gv_catalog_parse(text, len, paths[i], &c, &err) < 0)
            return gv_cli_report(&err);
        if (!base) {
            base = c;
        } else if (gv_catalog_merge(base, c, &err) < 0) {
            gv_catalog_free(c);
            gv_err_prefix(&err, paths[i]);
            return gv_cli_report(&err);
        }
    }
    *ret = GV_STEAL_PTR(base);
    return GV_EXIT_OK;
}
