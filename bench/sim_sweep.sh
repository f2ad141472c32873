#!/bin/sh
# sim_sweep.sh - the FGD study's whole sweep through gpuvm: every pod list in the shared data
# folder (openb_pod_list_*.csv: the study's nine and those it did not publish, such as cpu0 and
# gpushare20) x the seven policies x ten seeds, on all cores; prints each trace's table (ours
# beside the study's where it ran the trace) and the wall time of the whole sweep.
#
#   bench/sim_sweep.sh [OUT_DIR]        (run from the repository root after a build)
set -eu
build=${BUILD:-build}
data=${GV_SHARED_DATA:-$(pwd)/../shared/data}/alibaba-gpu-v2023
out=${1:-/tmp/gpuvm-sim-sweep}
[ -d "$data" ] || { echo "sim_sweep: no trace folder $data (set GV_SHARED_DATA)"; exit 77; }
n=0
for f in "$data"/openb_pod_list_*.csv; do
    [ -f "$f" ] && n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "sim_sweep: no openb_pod_list_*.csv in $data"; exit 77; }
start=$(date +%s.%N)
for f in "$data"/openb_pod_list_*.csv; do
    t=${f##*/openb_pod_list_}
    t=${t%.csv}
    "$build/gpuvm" sim openb --nodes "$data/openb_node_list_gpu_node.csv" --pods "$f" \
        --policy random,dotprod,gpu-clustering,gpu-packing,bestfit,fgd,gpuvm \
        --seeds 42-51 --out "$out/$t" | grep -v '^study:\|^trace '
done
end=$(date +%s.%N)
echo "sweep: $n traces x 7 policies x 10 seeds in $(awk "BEGIN { print $end - $start }") s; runs in $out"
