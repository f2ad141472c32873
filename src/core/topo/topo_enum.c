/* topo_enum.c - the one table per fleet-model enum, and conversions to and from strings. The
 * exported tables end in NULL (one past the last value). */
#include <string.h>

#include "gpuvm/topo.h"
#include "util/enum_names.h"

const char *const gv_host_state_names[GV_HOST_STATE_LAST + 1] = {
    [GV_HOST_READY] = "ready",
    [GV_HOST_CORDONED] = "cordoned",
    [GV_HOST_MAINTENANCE] = "maintenance",
    [GV_HOST_DOWN] = "down",
};

static const char *const pcie_kind_names[GV_PCIE_KIND_LAST] = {
    [GV_PCIE_HOSTBRIDGE] = "hostbridge",
    [GV_PCIE_ROOTPORT] = "rootport",
    [GV_PCIE_SWITCH] = "switch",
};

static const char *const gpu_mode_names[GV_GPU_MODE_LAST] = {
    [GV_GPU_MODE_PASSTHROUGH] = "passthrough",
    [GV_GPU_MODE_MIG] = "mig",
    [GV_GPU_MODE_VGPU] = "vgpu",
    [GV_GPU_MODE_SRIOV] = "sriov",
    [GV_GPU_MODE_SHARE] = "share",
};

static const char *const link_kind_names[GV_LINK_KIND_LAST] = {
    [GV_LINK_NVLINK] = "nvlink",
    [GV_LINK_XGMI] = "xgmi",
};

const char *const gv_pool_strategy_names[GV_POOL_STRATEGY_LAST + 1] = {
    [GV_POOL_PACK] = "pack",
    [GV_POOL_SPREAD] = "spread",
    [GV_POOL_NONE] = "none",
};

static const char *const dist_names[GV_DIST_LAST] = {
    [GV_DIST_SELF] = "X",  [GV_DIST_NVLINK] = "NV", [GV_DIST_PIX] = "PIX", [GV_DIST_PXB] = "PXB",
    [GV_DIST_PHB] = "PHB", [GV_DIST_NODE] = "NODE", [GV_DIST_SYS] = "SYS",
};

static const char *const dev_kind_names[GV_DEV_KIND_LAST] = {
    [GV_DEV_GPU] = "gpu",
    [GV_DEV_NIC] = "nic",
    [GV_DEV_NVME] = "nvme",
};

GV_ENUM_IMPL(gv_host_state, gv_host_state, gv_host_state_names, GV_HOST_STATE_LAST)
GV_ENUM_IMPL(gv_pcie_kind, gv_pcie_kind, pcie_kind_names, GV_PCIE_KIND_LAST)
GV_ENUM_IMPL(gv_gpu_mode, gv_gpu_mode, gpu_mode_names, GV_GPU_MODE_LAST)
GV_ENUM_IMPL(gv_link_kind, gv_link_kind, link_kind_names, GV_LINK_KIND_LAST)
GV_ENUM_IMPL(gv_pool_strategy, gv_pool_strategy, gv_pool_strategy_names, GV_POOL_STRATEGY_LAST)

const char *
gv_dist_to_string(gv_dist d)
{
    return gv_enum_to_string(dist_names, GV_DIST_LAST, (int)d);
}

const char *
gv_dev_kind_to_string(gv_dev_kind k)
{
    return gv_enum_to_string(dev_kind_names, GV_DEV_KIND_LAST, (int)k);
}
