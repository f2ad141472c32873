/*
 * hwloc_model.h - private to src/discover: the part the three hwloc loaders (XML buffer, this
 * host, a /sys + /proc copy) share: preparing an hwloc topology and turning a loaded one into a
 * gv_host.
 */
#ifndef GV_DISCOVER_HWLOC_MODEL_H
#define GV_DISCOVER_HWLOC_MODEL_H

#include <stdbool.h>

#include <hwloc.h>

#include "gpuvm/err.h"
#include "gpuvm/topo.h"

typedef struct hwloc_topology gv_hwloc_topo;
GV_DEFINE_AUTOPTR(gv_hwloc_topo, hwloc_topology_destroy)

/*
 * A new hwloc topology set up the way every loader wants it: all PCI bridges, PCI devices and OS
 * devices kept, disallowed PUs and NUMA nodes included (the model describes the machine, not the
 * cgroup the caller happens to run in). The caller picks the input and calls hwloc_topology_load.
 * The first call also pins hwloc's plugins in memory for the life of the process (hwloc_model.c
 * says why).
 */
gv_hwloc_topo *gv_hwloc_topo_new(void);

/*
 * Build the host of loaded topology @topo. @source names the input in errors. @sysfs_root, when
 * not NULL, is the file-system root whose sys/bus/pci/devices/ holds the machine's PCI functions
 * ("/" for this host), for what hwloc does not record (SR-IOV VF counts).
 * Returns: 0 and *ret (sorted and checked), or -GV_E_INVAL / -GV_E_LIMIT with @err naming
 * @source; *ret is untouched on failure.
 */
int gv_hwloc_topo_to_host(gv_hwloc_topo *topo, const char *source, const char *sysfs_root,
                          gv_host **ret, gv_err *err);

#endif
