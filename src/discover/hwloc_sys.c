/*
 * hwloc_sys.c - load a machine through hwloc's Linux back-end: this host, live, or a copy of a
 * machine's /sys and /proc under a directory (hwloc's HWLOC_FSROOT, as lstopo -i DIR does).
 *
 * hwloc 2.9 has no API for a file-system root: its Linux component reads HWLOC_FSROOT, and
 * HWLOC_COMPONENTS=linux,stop keeps every other discovery component (x86 CPUID, libpciaccess)
 * from describing the machine we run on instead. gv_hwloc_load_fsroot therefore sets both for
 * the duration of hwloc_topology_load and restores them afterwards; like any setenv it must not
 * race with other threads reading the environment, so it is for tools and tests, not for a
 * daemon's worker threads. hwloc's Linux back-end builds PCI objects from sys/bus/pci/devices
 * (class, vendor, device) and places them by local_cpus, which is all the fixture trees carry.
 *
 * The live load leaves out three hwloc components:
 *   - "pci" (libpciaccess): hwloc's Linux back-end reads the same class, vendor, device and
 *     locality from /sys/bus/pci, as it does for a copied tree. libpciaccess keeps global state
 *     that is not thread-safe and a device-name cache it never frees; once hwloc unloads the
 *     plugin, LeakSanitizer reports that cache (136-byte pci_id_node blocks) as leaked.
 *   - "gl" and "opencl": they only add OS devices we do not use, and initialising OpenCL
 *     runtimes or probing X displays is slow on a hypervisor.
 * GPU memory NUMA nodes (AC922, Grace Hopper) stay hidden, as hwloc does by default.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hwloc.h>

#include "gpuvm/discover.h"
#include "hwloc_model.h"

#define THIS_HOST_SOURCE "hwloc (this host)"

int
gv_hwloc_load_this_host(gv_host **ret, gv_err *err)
{
    GV_AUTOPTR(gv_hwloc_topo) topo = gv_hwloc_topo_new();

    hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "pci");
    hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "gl");
    hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST, "opencl");
    errno = 0;
    if (hwloc_topology_load(topo) < 0)
        return gv_err_set(err, GV_E_IO, THIS_HOST_SOURCE,
                          "hwloc could not discover this machine: %s",
                          strerror(errno ? errno : EINVAL));
    return gv_hwloc_topo_to_host(topo, THIS_HOST_SOURCE, "/", ret, err);
}

/* An environment variable as it was, to put back. */
typedef struct saved_env {
    const char *name;
    char *value; /* NULL: was unset */
} saved_env;

static void
env_save_set(saved_env *s, const char *name, const char *value)
{
    const char *old = getenv(name);

    s->name = name;
    s->value = old ? gv_strdup(old) : NULL;
    setenv(name, value, 1);
}

static void
env_restore(saved_env *s)
{
    if (s->value)
        setenv(s->name, s->value, 1);
    else
        unsetenv(s->name);
    free(s->value);
    s->value = NULL;
}

int
gv_hwloc_load_fsroot(const char *root, gv_host **ret, gv_err *err)
{
    GV_AUTOPTR(gv_hwloc_topo) topo = NULL;
    GV_AUTOFREE char *node_dir = NULL;
    saved_env fsroot, components;
    struct stat st;
    int r, e;

    if (!root || !*root)
        return gv_err_set(err, GV_E_INVAL, NULL, "empty file-system root");
    if (stat(root, &st) < 0)
        return gv_err_set(err, GV_E_IO, root, "cannot open: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return gv_err_set(err, GV_E_IO, root, "not a directory");
    node_dir = gv_asprintf("%s/sys/devices/system", root);
    if (stat(node_dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return gv_err_set(err, GV_E_UNSUPPORTED, root,
                          "not a copy of a machine's /sys and /proc (no sys/devices/system)");

    topo = gv_hwloc_topo_new();
    env_save_set(&fsroot, "HWLOC_FSROOT", root);
    env_save_set(&components, "HWLOC_COMPONENTS", "linux,stop");
    errno = 0;
    r = hwloc_topology_load(topo);
    e = errno;
    env_restore(&components);
    env_restore(&fsroot);
    if (r < 0)
        return gv_err_set(err, GV_E_IO, root, "hwloc could not load the tree: %s",
                          strerror(e ? e : EINVAL));
    return gv_hwloc_topo_to_host(topo, root, root, ret, err);
}
