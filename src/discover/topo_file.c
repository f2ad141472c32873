/*
 * topo_file.c - load one host's topology from a file of any supported format, detected from the
 * content rather than the file name: hwloc XML, NCCL/RCCL XML, gpuvm JSON, or a directory with a
 * copy of a machine's /sys and /proc. Formats we recognise but cannot use are refused with the
 * reason and what to do instead.
 */
#include <string.h>
#include <sys/stat.h>

#include "gpuvm/discover.h"
#include "util/file.h"

/* First non-blank byte after an optional UTF-8 BOM, XML declaration and comments. */
static const char *
skip_prolog(const char *s)
{
    if (!strncmp(s, "\xef\xbb\xbf", 3))
        s += 3;
    for (;;) {
        s += strspn(s, " \t\r\n");
        if (!strncmp(s, "<?", 2) || !strncmp(s, "<!--", 4) || !strncmp(s, "<!DOCTYPE", 9)) {
            const char *end = !strncmp(s, "<?", 2)     ? strstr(s, "?>")
                              : !strncmp(s, "<!--", 4) ? strstr(s, "-->")
                                                       : strchr(s, '>');
            if (!end)
                return s;
            s = strchr(end, '>') + 1;
            continue;
        }
        return s;
    }
}

static bool
looks_like_nvidia_smi_topo(const char *s)
{
    return strstr(s, "CPU Affinity") && (strstr(s, "GPU0") || strstr(s, "Legend"));
}

static int
load_json_host(const char *text, size_t len, const char *path, gv_host **ret, gv_err *err)
{
    GV_AUTOPTR(gv_fleet) f = NULL;
    int r;

    if ((r = gv_fleet_from_json(text, len, path, &f, err)) < 0)
        return r;
    if (f->n_hosts != 1)
        return gv_err_set(err, GV_E_INVAL, path,
                          "a topology file describes one host, this one has %zu (use it as a "
                          "fleet file instead)",
                          f->n_hosts);
    *ret = f->hosts[0];
    f->n_hosts = 0;
    return 0;
}

int
gv_topo_file_load(const char *path, gv_host **ret, gv_err *err)
{
    GV_AUTOFREE char *text = NULL;
    size_t len = 0;
    struct stat st;
    const char *s;
    int r;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        GV_AUTOFREE char *sys = gv_asprintf("%s/sys", path);
        if (stat(sys, &st) != 0 || !S_ISDIR(st.st_mode))
            return gv_err_set(err, GV_E_UNSUPPORTED, path,
                              "a directory must hold a copy of a machine's sys/ (and proc/)");
        return gv_hwloc_load_fsroot(path, ret, err);
    }
    if ((r = gv_file_read(path, GV_FILE_MAX_BYTES, &text, &len, err)) < 0)
        return r;
    if (memchr(text, '\0', len))
        return gv_err_set(err, GV_E_PARSE, path, "binary data, not a topology file");
    s = skip_prolog(text);
    if (!strncmp(s, "<topology", 9))
        return gv_hwloc_xml_load(text, len, path, ret, err);
    if (!strncmp(s, "<system", 7))
        return gv_nccl_xml_load(text, len, path, ret, err);
    if (*s == '{')
        return load_json_host(text, len, path, ret, err);
    if (looks_like_nvidia_smi_topo(text))
        return gv_err_set(err, GV_E_UNSUPPORTED, path,
                          "nvidia-smi 'topo -m' output has no PCI bus ids, cores or memory; "
                          "export the machine with 'lstopo --of xml' or run 'gpuvm topo show "
                          "--this-host --format json' on it");
    if (*s == '<') {
        size_t n = strcspn(s + 1, " \t\r\n>/");
        return gv_err_set(err, GV_E_UNSUPPORTED, path,
                          "XML root <%.*s> is neither hwloc <topology> nor NCCL <system>",
                          (int)(n < 40 ? n : 40), s + 1);
    }
    return gv_err_set(err, GV_E_UNSUPPORTED, path,
                      "not a topology file (expected hwloc XML, NCCL XML or gpuvm JSON)");
}
