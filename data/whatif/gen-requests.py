#!/usr/bin/env python3
"""gen-requests.py - write the what-if example's request stream (README.md), deterministically.

    python3 data/whatif/gen-requests.py > data/whatif/requests.jsonl

A day (86,400 s) of 300 VM requests on fleet.yaml: arrivals spread over the day, busier in
working hours; most requests leave after a duration drawn for their kind (exponential around
the kind's mean), one in ten stays. The kinds and their shares are in KINDS below; each names a
shipped flavor (data/flavors/) and what it changes. Seeded: the same file every run, on every
Python 3 (only random.random() is drawn).
"""
import json
import math
import random

SEED = 20240611
N_REQUESTS = 300
DAY = 86400
STAY_SHARE = 0.10  # requests with no departure

TENANTS = ["search", "ads", "chat", "vision", "research", "speech"]

# name, share, mean duration (s), flavor, request fields over the flavor
KINDS = [
    ("train8", 0.05, 6 * 3600, "training", {}),
    ("train4", 0.09, 3 * 3600, "training", {
        "vcpus": 64, "memory_mib": 524288, "scratch_gib": 1000,
        "gpu": {"mode": "passthrough", "count": 4, "topology": "nvlink"},
        "nics": {"vfs": 4, "locality": "same-switch"}}),
    ("train1", 0.07, 2 * 3600, "training", {
        "vcpus": 16, "memory_mib": 131072, "numa_policy": "preferred", "scratch_gib": 500,
        "io": "normal", "gpu": {"mode": "passthrough", "count": 1},
        "nics": {"vfs": 1, "locality": "same-numa"}}),
    ("mi300x", 0.05, 4 * 3600, "training", {
        "vcpus": 24, "memory_mib": 262144, "hugepages": "none", "scratch_gib": 0, "io": "normal",
        "gpu": {"mode": "sriov", "count": 1, "models": ["MI300X-192GB"]},
        "nics": {"vfs": 0, "locality": "any"}}),
    ("infer", 0.24, 4 * 3600, "inference", {"pool": "inference"}),
    ("infer-big", 0.06, 4 * 3600, "inference", {
        "pool": "inference", "vcpus": 96, "memory_mib": 786432}),
    ("infer-small", 0.12, 2 * 3600, "inference", {
        "pool": "inference", "vcpus": 8, "memory_mib": 32768,
        "gpu": {"mode": "mig", "profile": "1g.10gb"}}),
    ("infer-vgpu", 0.17, 3 * 3600, "inference", {
        "pool": "inference", "vcpus": 8, "memory_mib": 49152,
        "gpu": {"mode": "vgpu", "type": "L40S-12C"}}),
    ("notebook", 0.15, 5400, "notebook", {"pool": "notebook"}),
]


def pick(rng, items, weight):
    """One of @items, with probability proportional to weight(item)."""
    x = rng.random() * sum(weight(i) for i in items)
    for i in items:
        x -= weight(i)
        if x < 0:
            return i
    return items[-1]


def arrival(rng):
    """A time of the day: two thirds in working hours (08:00-20:00), the rest anywhere."""
    if rng.random() < 2 / 3:
        return int(8 * 3600 + rng.random() * 12 * 3600)
    return int(rng.random() * DAY)


def main():
    rng = random.Random(SEED)
    rows = []
    for i in range(N_REQUESTS):
        name, _, mean, flavor, fields = pick(rng, KINDS, lambda k: k[1])
        at = arrival(rng)
        line = {"at": at, "flavor": flavor,
                "request": dict(fields, name="%s-%03d" % (name, i),
                                tenant=TENANTS[int(rng.random() * len(TENANTS))])}
        if rng.random() >= STAY_SHARE:
            duration = -mean * math.log(1.0 - rng.random())
            line["until"] = at + max(60, int(duration))
        rows.append(line)
    rows.sort(key=lambda r: (r["at"], r["request"]["name"]))
    print("# requests.jsonl - the what-if example's request stream: written by gen-requests.py "
          "(see README.md)")
    for r in rows:
        print(json.dumps(r, sort_keys=True, separators=(", ", ": ")))


if __name__ == "__main__":
    main()
