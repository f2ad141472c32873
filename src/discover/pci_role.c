/*
 * pci_role.c - what a PCI function is to gpuvm (GPU, NIC, NVMe drive or nothing), by its 16-bit
 * class code and, for VGA functions, its vendor and device.
 *
 * Classes are those of discover.h. The one exception is a VGA function (class 0x0300) that is a
 * display controller and nothing more: server boards carry one for the BMC's remote console
 * (ASPEED AST, Matrox G200e; every VGA function of these vendors), hypervisors emulate one
 * (Cirrus, QEMU std-vga, QXL, virtio-gpu, VMware SVGA, VirtualBox), and a few boards use a chip
 * from a GPU vendor (the ATI ES1000, 1002:515e, on HP and IBM boards), which only its device id
 * tells apart from a GPU. None of them could be handed to a VM. Other display classes (0x0302,
 * 0x0380) of any vendor stay GPUs, and so does any other VGA function: a VGA-class AMD or NVIDIA
 * board (the Tahiti of 32em64t-2n8c2t, workstation cards) is a GPU.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/discover.h"

#define PCI_CLASS_VGA 0x0300
#define PCI_CLASS_3D 0x0302
#define PCI_CLASS_DISPLAY_OTHER 0x0380
#define PCI_CLASS_ACCEL 0x1200
#define PCI_CLASS_NVME 0x0108
#define PCI_CLASS_IB_OLD 0x0c06

static const unsigned bmc_vga_vendors[] = {
    0x1a03, /* ASPEED (AST2x00 BMC) */
    0x102b, /* Matrox (G200e on Dell, HP, Lenovo BMCs) */
    0x1013, /* Cirrus Logic (emulated) */
    0x1234, /* QEMU std-vga / Bochs */
    0x1b36, /* Red Hat QXL */
    0x1af4, /* virtio-gpu */
    0x15ad, /* VMware SVGA */
    0x80ee, /* VirtualBox */
};

static bool
is_bmc_vga(unsigned vendor_id)
{
    for (size_t i = 0; i < GV_N_ELEMENTS(bmc_vga_vendors); i++)
        if (bmc_vga_vendors[i] == vendor_id)
            return true;
    return false;
}

/* On-board server displays from GPU vendors, by vendor:device. */
static const struct {
    uint16_t vendor, device;
} onboard_displays[] = {
    {0x1002, 0x515e}, /* ATI ES1000 (HP ProLiant, IBM System x) */
    {0x1002, 0x5159}, /* ATI RV100 "Radeon 7000/VE", on-board on older Dell PowerEdge boards */
};

static bool
is_onboard_display(unsigned vendor_id, unsigned device_id)
{
    for (size_t i = 0; i < GV_N_ELEMENTS(onboard_displays); i++)
        if (onboard_displays[i].vendor == vendor_id && onboard_displays[i].device == device_id)
            return true;
    return false;
}

gv_pci_role
gv_pci_role_of(unsigned class16, unsigned vendor_id, unsigned device_id)
{
    switch (class16) {
    case PCI_CLASS_VGA:
        if (is_bmc_vga(vendor_id) || is_onboard_display(vendor_id, device_id))
            return GV_PCI_ROLE_OTHER;
        return GV_PCI_ROLE_GPU;
    case PCI_CLASS_3D:
    case PCI_CLASS_DISPLAY_OTHER:
    case PCI_CLASS_ACCEL:
        return GV_PCI_ROLE_GPU;
    case PCI_CLASS_NVME:
        return GV_PCI_ROLE_NVME;
    case PCI_CLASS_IB_OLD:
        return GV_PCI_ROLE_NIC;
    default:
        return (class16 >> 8) == 0x02 ? GV_PCI_ROLE_NIC : GV_PCI_ROLE_OTHER;
    }
}
