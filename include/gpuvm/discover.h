/*
 * discover.h - learning hosts and fleets from the outside world: topology files written by
 * hwloc or NCCL, the live machine, and fleet files. This is an adapter layer: it may use hwloc
 * and libxml2; core/ may not.
 *
 * Every loader builds a complete host, sorts it (gv_host_sort) and checks it (gv_host_check)
 * before handing it over; on failure *ret is untouched and @err names the source and position
 * ("file:line:col: reason" or "file: <element ...>: reason").
 *
 * Device classes (PCI class code, upper 16 bits of the 24-bit class):
 *   GPU   0x0300 VGA, 0x0302 3D, 0x0380 other display, 0x1200 processing accelerator,
 *         except VGA functions that are only display controllers: server BMCs (ASPEED,
 *         Matrox), emulated displays, and on-board chips such as the ATI ES1000 (by device id).
 *   NIC   0x02xx (Ethernet 0x0200, InfiniBand 0x0207, ...) and 0x0c06 (InfiniBand, older class).
 *   NVMe  0x0108.
 */
#ifndef GPUVM_DISCOVER_H
#define GPUVM_DISCOVER_H

#include <stddef.h>

#include "gpuvm/err.h"
#include "gpuvm/gpu.h"
#include "gpuvm/topo.h"

/* Kind of a PCI function by its 16-bit class code (and vendor, for BMC displays). */
typedef enum gv_pci_role {
    GV_PCI_ROLE_OTHER,
    GV_PCI_ROLE_GPU,
    GV_PCI_ROLE_NIC,
    GV_PCI_ROLE_NVME,
} gv_pci_role;
gv_pci_role gv_pci_role_of(unsigned class16, unsigned vendor_id, unsigned device_id);

/* hwloc XML (format v1 or v2) from a buffer. Host name: hwloc's HostName info, else "". */
int gv_hwloc_xml_load(const char *text, size_t len, const char *source, gv_host **ret, gv_err *err);

/* This machine, live, through hwloc with I/O discovery. */
int gv_hwloc_load_this_host(gv_host **ret, gv_err *err);

/*
 * A machine from a copy of its /sys and /proc under @root (hwloc's Linux back-end with that
 * file-system root), as used for fixtures of GPU hosts. Returns as the others.
 */
int gv_hwloc_load_fsroot(const char *root, gv_host **ret, gv_err *err);

/* NCCL/RCCL topology XML (<system version=...>) from a buffer. Cores and memory stay unknown. */
int gv_nccl_xml_load(const char *text, size_t len, const char *source, gv_host **ret, gv_err *err);

/*
 * Any topology file, format detected from its content: hwloc XML (<topology>), NCCL XML
 * (<system>), gpuvm JSON ({"format": "gpuvm-fleet/1", ...} with exactly one host), or a
 * directory holding a sys/ + proc/ tree. Files we recognise but refuse (nvidia-smi topo -m text,
 * hwloc XML v3) get -GV_E_UNSUPPORTED with the reason.
 */
int gv_topo_file_load(const char *path, gv_host **ret, gv_err *err);

/*
 * A fleet file: fleet YAML (pools, templates with name ranges, per-host overrides) or the
 * canonical fleet JSON. GPU models are resolved against @catalog when it is not NULL.
 */
int gv_fleet_file_load(const char *path, const gv_catalog *catalog, gv_fleet **ret, gv_err *err);

/* The same from a buffer; @path names it in errors and anchors relative topology file names. */
int gv_fleet_parse(const char *text, size_t len, const char *path, const gv_catalog *catalog,
                   gv_fleet **ret, gv_err *err);

#endif
