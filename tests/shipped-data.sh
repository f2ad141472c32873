#!/bin/sh
# shipped-data.sh - what the project ships in data/ stays valid: the catalog loads, the example
# fleet checks, and the example host topologies are in canonical form (parse -> write gives the
# same bytes). Needs $GPUVM and $GV_SRCDIR.
set -u
cd "$GV_SRCDIR" || exit 1
fail=0
"$GPUVM" catalog > /dev/null || { echo "FAIL: the shipped catalog does not load"; fail=1; }
"$GPUVM" fleet check data/fleets/example.yaml || { echo "FAIL: example fleet"; fail=1; }
for f in data/hosts/*.json; do
    if "$GPUVM" topo show "$f" --format json | cmp -s - "$f"; then
        echo "ok   $f is canonical"
    else
        echo "FAIL $f is not canonical: regenerate it with 'gpuvm topo show $f --format json'"
        fail=1
    fi
done
# the fleet's own canonical JSON round-trips through the fleet loader
tmp=$(mktemp)
"$GPUVM" fleet show data/fleets/example.yaml --format json > "$tmp"
"$GPUVM" fleet show "$tmp" --format json | cmp -s - "$tmp" ||
    { echo "FAIL: example fleet JSON does not round-trip"; fail=1; }
rm -f "$tmp"
exit $fail
