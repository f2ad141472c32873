#!/usr/bin/env python3
"""gen-example-hosts.py - write the example host topologies in data/hosts/.

These are gpuvm's own illustrative machines, described from public vendor facts (DGX H100
system layout, AMD MI300X platforms), not copies of any machine's dump. The output is then
canonicalised by `gpuvm topo show --json F --format json` (see data/hosts/README.md).
"""
import json
import sys


def numa_nodes(sockets, cores, threads, mem_gib, hugepages_1g=0):
    """Linux numbering: first threads 0..N-1 across sockets, siblings at +N. @hugepages_1g:
    1 GiB pages reserved on each node (part of its memory)."""
    total = sockets * cores
    nodes = []
    for s in range(sockets):
        core_list = []
        for c in range(cores):
            first = s * cores + c
            core_list.append([first + k * total for k in range(threads)])
        cpus = sorted(t for core in core_list for t in core)
        nodes.append({"id": s, "cpus": cpus, "cores": core_list,
                      "memory_mib": mem_gib * 1024, "hugepages_2m": 0,
                      "hugepages_1g": hugepages_1g})
    return nodes


def host(name, nodes, pcie, gpus, nics, nvme, links):
    return {"format": "gpuvm-fleet/1", "pools": [], "hosts": [{
        "name": name, "numa": nodes,
        "packages": [{"id": n["id"], "numa": [n["id"]]} for n in nodes],
        "pcie": pcie, "gpus": gpus, "nics": nics, "nvme": nvme, "links": links}]}


def dev(pci, vendor, device, numa, parent, **extra):
    d = {"pci": pci, "vendor_id": "0x%04x" % vendor, "device_id": "0x%04x" % device,
         "numa": numa, "pcie_parent": parent}
    d.update(extra)
    return d


def dgx_h100(training=True):
    """2x 56-core Xeon 8480C, 2 TiB, 8x H100 SXM5 on NVSwitch (NV18), 8 compute CX-7 NICs.
    Each GPU pair shares a PCIe switch tree with two NICs: GPUn and NICn under one leaf switch
    (PIX), the pair partner one switch up (PXB); two dual-port NICs on the root complex.
    @training: configured as a training host, 3/4 of each node's memory (768 GiB) in 1 GiB huge
    pages, the rest left to the host and to VMs without huge pages; else (an inference host)
    no huge pages."""
    pcie, gpus, nics, links = [], [], [], []
    gpu_bus = [0x18, 0x2a, 0x3a, 0x5d, 0x9a, 0xab, 0xba, 0xdb]
    nic_bus = [0x19, 0x2b, 0x3b, 0x5e, 0x9b, 0xac, 0xbb, 0xdc]
    for numa in (0, 1):
        pcie.append({"name": "hb%d" % numa, "kind": "hostbridge", "parent": None, "numa": numa})
    for pair in range(4):
        numa = pair // 2
        rp = "0000:%02x:01.0" % (0x10 + pair * 0x20)
        top = "0000:%02x:00.0" % (0x11 + pair * 0x20)
        pcie.append({"name": rp, "kind": "rootport", "parent": "hb%d" % numa, "numa": numa})
        pcie.append({"name": top, "kind": "switch", "parent": rp, "numa": numa})
        for k in (0, 1):
            i = pair * 2 + k
            leaf = "0000:%02x:00.0" % (gpu_bus[i] - 1)
            pcie.append({"name": leaf, "kind": "switch", "parent": top, "numa": numa})
            gpus.append(dev("0000:%02x:00.0" % gpu_bus[i], 0x10de, 0x2330, numa, leaf))
            nics.append(dev("0000:%02x:00.0" % nic_bus[i], 0x15b3, 0x1021, numa, leaf,
                            name="mlx5_%d" % i, sriov_vfs=8, speed_mbps=400000))
            links.append({"kind": "nvlink", "a": gpus[-1]["pci"], "b": None, "count": 18})
    nvme = []
    for numa, bus in ((0, 0x4a), (1, 0xca)):
        rp = "0000:%02x:01.0" % (bus - 1)
        pcie.append({"name": rp, "kind": "rootport", "parent": "hb%d" % numa, "numa": numa})
        nics.append(dev("0000:%02x:00.0" % (bus + 1), 0x15b3, 0x1021, numa, rp,
                        name="mlx5_%d" % (8 + 2 * numa), sriov_vfs=0, speed_mbps=400000))
        nics.append(dev("0000:%02x:00.1" % (bus + 1), 0x15b3, 0x1021, numa, rp,
                        name="mlx5_%d" % (9 + 2 * numa), sriov_vfs=0, speed_mbps=400000))
        for k in (0, 1):
            nvme.append(dev("0000:%02x:00.0" % (bus + 2 + k), 0x144d, 0xa824, numa, rp,
                            name="nvme%dn1" % (numa * 2 + k), capacity_gib=3576))
    return host("dgx-h100", numa_nodes(2, 56, 2, 1024, hugepages_1g=1024 * 3 // 4 if training else 0),
                pcie, gpus, nics, nvme, links)


def l40s_vgpu():
    """2x 32-core EPYC, 1 TiB, 4x L40S (one per root port, two per socket), one ConnectX-6 Dx
    per socket with 16 VFs, one NVMe per socket."""
    pcie, gpus, nics, nvme = [], [], [], []
    for numa in (0, 1):
        pcie.append({"name": "hb%d" % numa, "kind": "hostbridge", "parent": None, "numa": numa})
        for k in (0, 1):
            bus = 0x41 + numa * 0x80 + k * 0x20
            rp = "0000:%02x:01.1" % (bus - 1)
            pcie.append({"name": rp, "kind": "rootport", "parent": "hb%d" % numa, "numa": numa})
            gpus.append(dev("0000:%02x:00.0" % bus, 0x10de, 0x26b9, numa, rp))
        rp = "0000:%02x:01.1" % (0x20 + numa * 0x80)
        pcie.append({"name": rp, "kind": "rootport", "parent": "hb%d" % numa, "numa": numa})
        nics.append(dev("0000:%02x:00.0" % (0x21 + numa * 0x80), 0x15b3, 0x101d, numa, rp,
                        name="ens%df0" % (1 + numa), sriov_vfs=16, speed_mbps=100000))
        nvme.append(dev("0000:%02x:00.0" % (0x22 + numa * 0x80), 0x144d, 0xa80a, numa, rp,
                        name="nvme%dn1" % numa, capacity_gib=1788))
    return host("l40s-vgpu", numa_nodes(2, 32, 2, 512), pcie, gpus, nics, nvme, [])


def mi300x_sriov():
    """2x 96-core EPYC 9654, 3 TiB, 8x MI300X on an xGMI fabric (4 per socket, each on its own
    root port with a 400G NIC beside it under one switch)."""
    pcie, gpus, nics, links = [], [], [], []
    for numa in (0, 1):
        pcie.append({"name": "hb%d" % numa, "kind": "hostbridge", "parent": None, "numa": numa})
        for k in range(4):
            i = numa * 4 + k
            base = 0x05 + numa * 0x80 + k * 0x10
            rp = "0000:%02x:01.1" % (base - 1)
            sw = "0000:%02x:00.0" % base
            pcie.append({"name": rp, "kind": "rootport", "parent": "hb%d" % numa, "numa": numa})
            pcie.append({"name": sw, "kind": "switch", "parent": rp, "numa": numa})
            gpus.append(dev("0000:%02x:00.0" % (base + 1), 0x1002, 0x74a1, numa, sw))
            nics.append(dev("0000:%02x:00.0" % (base + 2), 0x15b3, 0x1021, numa, sw,
                            name="mlx5_%d" % i, sriov_vfs=8, speed_mbps=400000))
            links.append({"kind": "xgmi", "a": gpus[-1]["pci"], "b": None, "count": 7})
    return host("mi300x-sriov", numa_nodes(2, 96, 2, 1536), pcie, gpus, nics, [], links)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "data/hosts"
    for fn, name in ((dgx_h100, "dgx-h100"), (lambda: dgx_h100(False), "dgx-h100-inference"),
                     (l40s_vgpu, "l40s-vgpu"), (mi300x_sriov, "mi300x-sriov")):
        with open("%s/%s.json" % (out, name), "w") as f:
            json.dump(fn(), f, indent=2, sort_keys=True)
            f.write("\n")
