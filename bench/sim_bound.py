#!/usr/bin/env python3
"""sim_bound.py - lower bounds on the unallocated GPU % at 100% arrived of the FGD study's
experiment (gpuvm sim openb), for any placement policy, by linear programming.

usage: bench/sim_bound.py NODES.csv PODS.csv [PODS.csv ...]

Needs glpsol (Debian package glpk-utils). For each pod list it prints three bounds, each the
optimum of a relaxation in which only GPUs count (CPU, memory and the node a GPU sits in are
dropped, so every real run is at least as bad):

  offline  the policy knows every pod arriving by 100% and may refuse any of them;
  online   arrivals are proportional: a fraction phi of each pod spec arrives after the
           first moment no GPU is wholly free; before it every pod fits somewhere and is
           placed, after it no whole-GPU pod is placed and sharing pods may be; the bound
           is the least over phi in 0..0.5 (step 0.005);
  all      every sharing pod that arrived is placed, whole-GPU pods may be refused.

The arrived set at 100% is the trace's GPU pods scaled to the cluster's GPU capacity (the
study's inflation samples the trace uniformly). Sharing pods are packed into GPUs by an
arc-flow model (Valerio de Carvalho): positions 0..1000 milli in steps of the sizes' greatest
common divisor, one arc per pod size; whole-GPU pods (k x 1000) need k GPUs each.
"""
import csv
import math
import os
import subprocess
import sys
import tempfile
from collections import Counter
from functools import reduce


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def model(sizes, n, whole, whole1, gpus, step, phi, must_place_sharing):
    top = 1000 // step
    lines = [
        "set S; param n{S}; param W; param W1; param G; param phi;",
        "set A := 0..%d;" % top,
        "var x{a in A, s in S: a + s/%d <= %d} >= 0;" % (step, top),
        "var l{a in A: a < %d} >= 0;" % top,
        "var z >= 0; var w >= 0;",
        "maximize alloc: sum{a in A, s in S: a + s/%d <= %d} s*x[a,s] + 1000*w;" % (step, top),
        "s.t. src: sum{s in S} x[0,s] + l[0] = z;",
        "s.t. flow{b in A: b > 0 and b < %d}: sum{s in S: b - s/%d >= 0} x[b - s/%d, s] + l[b-1]"
        " = sum{s in S: b + s/%d <= %d} x[b,s] + l[b];" % (top, step, step, step, top),
        "s.t. most{s in S}: sum{a in A: a + s/%d <= %d} x[a,s] <= n[s];" % (step, top),
        "s.t. least{s in S}: sum{a in A: a + s/%d <= %d} x[a,s] >= %s*n[s];"
        % (step, top, "1" if must_place_sharing else "(1-phi)"),
        "s.t. whole_most: w <= %s;" % ("W" if phi >= 1 else "(1-phi)*W"),
        "s.t. whole_least: w >= (1-phi)*W1;",
        "s.t. gpus: w + z <= G;",
        "solve;",
        'printf "RESULT %f\\n", 100*(G*1000-alloc)/(G*1000);',
        "data;",
        "set S := %s;" % " ".join(map(str, sizes)),
        "param n := %s;" % " ".join("%d %.6f" % (s, n[s]) for s in sizes),
        "param W := %.6f;" % whole,
        "param W1 := %.6f;" % whole1,
        "param G := %d;" % gpus,
        "param phi := %.6f;" % phi,
        "end;",
    ]
    return "\n".join(lines) + "\n"


def solve(text):
    with tempfile.NamedTemporaryFile("w", suffix=".mod", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        out = subprocess.run(["glpsol", "-m", path], capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    for line in out.splitlines():
        if line.startswith("RESULT"):
            return float(line.split()[1])
    return None  # infeasible


def bounds(nodes_path, pods_path):
    gpus = sum(int(r["gpu"]) for r in read_csv(nodes_path) if int(r["gpu"]) > 0)
    share, whole, whole1, total = Counter(), 0, 0, 0
    for r in read_csv(pods_path):
        k, d = int(r["num_gpu"]), int(r["gpu_milli"])
        if k == 0:
            continue
        total += k * d
        if d == 1000:
            whole += k
            whole1 += k if k == 1 else 0
        else:
            share[d] += 1
    scale = gpus * 1000 / total
    n = {s: c * scale for s, c in share.items()}
    sizes = sorted(n)
    step = reduce(math.gcd, sizes, 1000)
    args = (sizes, n, whole * scale, whole1 * scale, gpus, step)
    # phi = 1 frees every pod (offline); with every sharing pod placed, whole-GPU pods may
    # still be refused
    offline = solve(model(*args, phi=1.0, must_place_sharing=False))
    every = solve(model(*args, phi=1.0, must_place_sharing=True))
    online = None
    for i in range(0, 101):
        v = solve(model(*args, phi=i / 200, must_place_sharing=False))
        if v is not None and (online is None or v < online[0]):
            online = (v, i / 200)
    return offline, online, every


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: sim_bound.py NODES.csv PODS.csv [PODS.csv ...]\n")
        return 2
    print("trace,offline,online,online_phi,all_sharing_placed")
    for pods in sys.argv[2:]:
        offline, online, every = bounds(sys.argv[1], pods)
        name = os.path.basename(pods)
        name = name[len("openb_pod_list_"):-4] if name.startswith("openb_pod_list_") else name
        fmt = lambda v: "infeasible" if v is None else "%.2f" % v
        print("%s,%s,%s,%s,%s" % (name, fmt(offline), fmt(online and online[0]),
                                  "-" if online is None else "%.3f" % online[1], fmt(every)))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
