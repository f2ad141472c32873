#!/bin/sh
# sim_sweep.sh - the FGD study's whole sweep through gpuvm: every pod list of the study in the
# shared data folder x the seven policies x ten seeds, on all cores; prints each trace's table
# (ours beside the study's) and the wall time of the whole sweep.
#
#   bench/sim_sweep.sh [OUT_DIR]        (run from the repository root after a build)
set -eu
build=${BUILD:-build}
data=${GV_SHARED_DATA:-$(pwd)/../shared/data}/alibaba-gpu-v2023
out=${1:-/tmp/gpuvm-sim-sweep}
[ -d "$data" ] || { echo "sim_sweep: no trace folder $data (set GV_SHARED_DATA)"; exit 77; }
start=$(date +%s.%N)
for t in default cpu050 cpu100 cpu200 cpu250 gpushare40 gpushare60 gpushare80 gpushare100; do
    "$build/gpuvm" sim openb --nodes "$data/openb_node_list_gpu_node.csv" \
        --pods "$data/openb_pod_list_$t.csv" \
        --policy random,dotprod,gpu-clustering,gpu-packing,bestfit,fgd,gpuvm \
        --seeds 42-51 --out "$out/$t" | grep -v '^study:\|^trace '
done
end=$(date +%s.%N)
echo "sweep: 9 traces x 7 policies x 10 seeds in $(awk "BEGIN { print $end - $start }") s; runs in $out"
