#!/bin/sh
# whatif-cli.sh - `gpuvm sim --fleet F --requests R.jsonl` end to end on the shipped example
# (data/whatif/): one run with CSV files, JSON, and the two compares. What it checks holds for
# any stream, so it is computed from the output, not copied from it: per pool and in total
# placed + rejected = requests, the pools add up to the total, the total is the stream's request
# count, the timeline has a row per event and ends at the totals, allocated + stranded never
# passes the capacity, B - A is B - A, and a second run prints the same bytes.
# Needs $GPUVM and $GV_SRCDIR.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
src=${GV_SRCDIR:-.}
fleet="$src/data/whatif/fleet.yaml"
fleet2="$src/data/whatif/fleet-more-mig.yaml"
reqs="$src/data/whatif/requests.jsonl"
n_req=$(grep -c '^{' "$reqs")

"$GPUVM" sim --fleet "$fleet" --requests "$reqs" --out "$tmp/out" > "$tmp/text" 2> "$tmp/err" ||
    { echo "FAIL: gpuvm sim exited $?"; cat "$tmp/err"; exit 1; }
[ -s "$tmp/err" ] && { echo "FAIL: a run that worked wrote to stderr:"; cat "$tmp/err"; fail=1; }

# summary.csv: run,pool,hosts,capacity_gpus,requests,placed,rejected,departed,...
sum="$tmp/out/summary.csv"
head -1 "$sum" | grep -q '^run,pool,hosts,capacity_gpus,requests,placed,rejected,departed,' ||
    { echo "FAIL: summary.csv header: $(head -1 "$sum")"; fail=1; }
awk -F, -v n="$n_req" '
    NR == 1 { next }
    $5 != $6 + $7 { print "FAIL: summary.csv: " $2 ": placed + rejected != requests"; bad = 1 }
    $8 > $6 { print "FAIL: summary.csv: " $2 ": more departed than placed"; bad = 1 }
    $2 == "(total)" { total++; t_req = $5; t_pl = $6; t_rej = $7; t_host = $3; next }
    { pools++; s_req += $5; s_pl += $6; s_rej += $7; s_host += $3 }
    END {
        if (total != 1 || pools < 2) { print "FAIL: summary.csv: want 1 total row and 2+ pools"; exit 1 }
        if (t_req != n) { print "FAIL: the total has " t_req " requests, the stream " n; bad = 1 }
        if (s_req != t_req || s_pl != t_pl || s_rej != t_rej || s_host != t_host) {
            print "FAIL: summary.csv: the pools do not add up to the total"; bad = 1 }
        if (t_pl == 0 || t_rej == 0) { print "FAIL: the example should place some and reject some"; bad = 1 }
        exit bad
    }' "$sum" || fail=1

# the table for people: the (total) row says the same
capacity=$(awk -F, '$2 == "(total)" { print $4 }' "$sum")
awk -v n="$n_req" '$1 == "(total)" && NF >= 6 {
        found = 1
        if ($4 != n || $5 + $6 != $4) { print "FAIL: text total row: " $0; exit 1 } }
    END { if (!found) { print "FAIL: no (total) row in the text"; exit 1 } }' "$tmp/text" || fail=1

# the timeline: a row per event, counts only grow, allocated + stranded <= capacity, the last row
# ends at the totals
tl="$tmp/out/timeline-gpuvm.csv"
[ "$(head -1 "$tl")" = "time,event,vm,host,pool,reason,running,placed,rejected,alloc_gpus,stranded_gpus" ] ||
    { echo "FAIL: timeline header: $(head -1 "$tl")"; fail=1; }
awk -F, -v cap="$capacity" -v sumf="$sum" '
    BEGIN { while ((getline l < sumf) > 0) { split(l, f, ","); if (f[2] == "(total)") { tp = f[6]; tr = f[7] } } }
    NR == 1 { next }
    { rows++ }
    $1 < t { print "FAIL: timeline: time goes back at row " NR; bad = 1 }
    $8 < p || $9 < r { print "FAIL: timeline: counts shrink at row " NR; bad = 1 }
    $10 + $11 > cap + 0.0005 { print "FAIL: timeline: allocated + stranded > capacity at row " NR; bad = 1 }
    $2 == "rejected" && $6 == "" { print "FAIL: timeline: a rejection without a reason at row " NR; bad = 1 }
    { t = $1; p = $8; r = $9 }
    END {
        if (p != tp || r != tr) { print "FAIL: timeline ends at " p "/" r ", totals " tp "/" tr; bad = 1 }
        exit bad
    }' "$tl" || fail=1
events=$(($(wc -l < "$tl") - 1))
grep -q "^$events events from" "$tmp/text" || { echo "FAIL: the text does not say $events events"; fail=1; }
[ -s "$tmp/out/pools-gpuvm.csv" ] || { echo "FAIL: no pools-gpuvm.csv"; fail=1; }

# deterministic
"$GPUVM" sim --fleet "$fleet" --requests "$reqs" > "$tmp/text2" 2>&1
cmp -s "$tmp/text" "$tmp/text2" || { echo "FAIL: a second run printed something else"; fail=1; }

# JSON for scripts
"$GPUVM" sim --fleet "$fleet" --requests "$reqs" --format json > "$tmp/json" ||
    { echo "FAIL: --format json exited $?"; fail=1; }
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/json" "$n_req" <<'PY' || fail=1
import json, sys
doc = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert doc["format"] == "gpuvm-whatif/1", doc["format"]
run = doc["runs"][0]
t = run["total"]
assert t["requests"] == n == t["placed"] + t["rejected"], t
assert sum(p["requests"] for p in run["pools"]) == n
assert sum(t["rejected_by"].values()) == t["rejected"], t
assert 0 <= t["stranded_peak_milli"] <= t["capacity_milli"]
PY
else
    grep -q '"format": "gpuvm-whatif/1"' "$tmp/json" || { echo "FAIL: JSON format key"; fail=1; }
    echo "note: python3 is not installed: the JSON was not parsed"
fi

# --compare: two fleets, then two policies; B - A must be the difference of the columns
check_diff() {
    awk '$NF ~ /^[+-][0-9.]+$/ && NF >= 4 {
            d = $(NF) + 0; b = $(NF - 1) + 0; a = $(NF - 2) + 0
            if (d - (b - a) > 0.0015 || (b - a) - d > 0.0015) { print "FAIL: compare row: " $0; bad = 1 }
            rows++ }
        END { if (rows < 20) { print "FAIL: compare printed " rows " rows"; bad = 1 } exit bad }' "$1"
}
"$GPUVM" sim --compare --fleet "$fleet" --fleet "$fleet2" --requests "$reqs" --out "$tmp/cmp" \
    > "$tmp/cmp.txt" 2>&1 || { echo "FAIL: --compare of fleets exited $?"; cat "$tmp/cmp.txt"; fail=1; }
check_diff "$tmp/cmp.txt" || fail=1
grep -q 'B = fleet-more-mig' "$tmp/cmp.txt" || { echo "FAIL: compare: no run B"; fail=1; }
for f in timeline-fleet.csv timeline-fleet-more-mig.csv summary.csv; do
    [ -s "$tmp/cmp/$f" ] || { echo "FAIL: compare wrote no $f"; fail=1; }
done
"$GPUVM" sim --compare --fleet "$fleet" --policy gpuvm,bestfit --requests "$reqs" \
    > "$tmp/cmp2.txt" 2>&1 || { echo "FAIL: --compare of policies exited $?"; cat "$tmp/cmp2.txt"; fail=1; }
check_diff "$tmp/cmp2.txt" || fail=1
grep -q '^pool  *metric  *gpuvm  *bestfit  *B - A$' "$tmp/cmp2.txt" ||
    { echo "FAIL: compare of policies: header"; head -5 "$tmp/cmp2.txt"; fail=1; }

# the shipped stream is what its generator writes
if command -v python3 > /dev/null 2>&1; then
    python3 "$src/data/whatif/gen-requests.py" | cmp -s - "$reqs" ||
        { echo "FAIL: data/whatif/requests.jsonl is not what gen-requests.py writes"; fail=1; }
fi

[ $fail = 0 ] && echo "ok: gpuvm sim what-if: totals add up, timeline and compare are consistent"
exit $fail
