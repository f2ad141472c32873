#!/bin/sh
# sim-cli.sh - `gpuvm sim openb` end to end on a small trace of our own: two policies, two
# seeds; the summary has a row per run with numbers, every run has its curve, the curves over
# seeds and the gnuplot script are written, and the figures are drawn when gnuplot is there;
# --departures writes timelines and --mig its three strategies' runs; the table has no study
# columns (the study did not run this trace).
# Needs $GPUVM.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cat > "$tmp/nodes.csv" <<'CSV'
sn,cpu_milli,memory_mib,gpu,model
n0,32000,131072,4,M1
n1,16000,65536,2,M1
n2,8000,32768,1,M2
CSV
cat > "$tmp/pods.csv" <<'CSV'
name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec
a,2000,4096,1,500,
b,4000,8192,1,1000,M1
c,1000,2048,0,0,
d,3000,4096,2,1000,
e,1500,2048,1,250,M1|M2
CSV
out="$tmp/out/nested"
"$GPUVM" sim openb --nodes "$tmp/nodes.csv" --pods "$tmp/pods.csv" --policy fgd,bestfit \
    --seeds 7-8 --out "$out" > "$tmp/stdout" 2> "$tmp/stderr" || {
    echo "FAIL: gpuvm sim exited $?"; cat "$tmp/stderr"; exit 1; }
[ "$(head -1 "$out/summary.csv")" = "trace,policy,seed,unalloc_100,unalloc_130" ] ||
    { echo "FAIL: summary.csv header"; fail=1; }
rows=$(grep -c '^pods,\(fgd\|bestfit\),[78],[0-9.]*,' "$out/summary.csv")
[ "$rows" = 4 ] || { echo "FAIL: summary.csv has $rows rows of numbers, want 4"; fail=1; }
for p in fgd bestfit; do
    for s in 7 8; do
        [ -s "$out/pods-$p-$s.csv" ] || { echo "FAIL: no curve for $p seed $s"; fail=1; }
    done
done
for f in pods-curves.csv pods-plots.gp; do
    [ -s "$out/$f" ] || { echo "FAIL: no $f"; fail=1; }
done
grep -q '^arrived_pct,fgd_unalloc_pct,fgd_frag_amount_pct,fgd_frag_ratio_pct,bestfit_' \
    "$out/pods-curves.csv" || { echo "FAIL: pods-curves.csv header"; fail=1; }
if command -v gnuplot > /dev/null 2>&1; then
    for f in unallocated frag-amount frag-ratio; do
        for ext in png svg; do
            [ -s "$out/pods-$f.$ext" ] || { echo "FAIL: gnuplot drew no pods-$f.$ext"; fail=1; }
        done
    done
else
    echo "note: gnuplot is not installed: figures not checked"
fi
grep -q '^pods  *fgd  *2 ' "$tmp/stdout" || { echo "FAIL: no fgd line in the table"; cat "$tmp/stdout"; fail=1; }
# a trace the study did not run: our columns alone, no study column or note
! grep -q 'study' "$tmp/stdout" || { echo "FAIL: study columns for a trace it did not run"; cat "$tmp/stdout"; fail=1; }
# --departures: the trace's own times, a timeline per run
cat > "$tmp/timed.csv" <<'CSV'
name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time,deletion_time
a,2000,4096,1,600,0,10
b,2000,4096,1,600,5,
c,2000,4096,4,1000,6,
CSV
"$GPUVM" sim openb --departures --nodes "$tmp/nodes.csv" --pods "$tmp/timed.csv" --policy bestfit \
    --seeds 1 --out "$tmp/dep" > "$tmp/dep.out" 2>&1 || { echo "FAIL: --departures exited $?"; cat "$tmp/dep.out"; fail=1; }
[ "$(wc -l < "$tmp/dep/timed-departures-bestfit-1.csv")" = 4 ] ||
    { echo "FAIL: the departures timeline should have a header and 3 rows"; fail=1; }
# c needs the 4-GPU node, which a and b may hold: what the timeline says must add up
tail -1 "$tmp/dep/timed-departures-bestfit-1.csv" | awk -F, '$6 + $7 != 3 { exit 1 }' ||
    { echo "FAIL: placed + rejected is not 3"; fail=1; }
# --mig: three strategies per seed, a summary row and a curve for each run
"$GPUVM" sim openb --mig --nodes "$tmp/nodes.csv" --pods "$tmp/pods.csv" --seeds 7-8 \
    --out "$tmp/mig" > "$tmp/mig.out" 2>&1 || { echo "FAIL: --mig exited $?"; cat "$tmp/mig.out"; fail=1; }
head -1 "$tmp/mig/mig-summary.csv" | grep -q '^trace,strategy,seed,unalloc_100,rounding_100,dropped_100,' ||
    { echo "FAIL: mig-summary.csv header"; fail=1; }
rows=$(grep -c '^pods,\(static\|first-free\|gpuvm\),[78],[0-9.]*,' "$tmp/mig/mig-summary.csv")
[ "$rows" = 6 ] || { echo "FAIL: mig-summary.csv has $rows rows of numbers, want 6"; fail=1; }
for st in static first-free gpuvm; do
    for s in 7 8; do
        [ -s "$tmp/mig/pods-mig-$st-$s.csv" ] || { echo "FAIL: no MIG curve for $st seed $s"; fail=1; }
    done
    grep -q "^pods  *$st  *2 " "$tmp/mig.out" || { echo "FAIL: no $st line in the table"; cat "$tmp/mig.out"; fail=1; }
done
[ $fail = 0 ] && echo "ok: gpuvm sim openb writes summary, curves, figures, timelines and MIG runs"
exit $fail
