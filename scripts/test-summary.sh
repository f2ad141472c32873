#!/bin/sh
# test-summary.sh BUILDDIR... - count meson test results and print "N passed, N failed, N skipped".
# Reads meson-logs/testlog.json (one JSON object per test); meson's own summary is not parsed.
set -eu
pass=0 fail=0 skip=0
for b in "$@"; do
    log="$b/meson-logs/testlog.json"
    [ -f "$log" ] || { echo "test-summary: $log missing" >&2; fail=$((fail + 1)); continue; }
    p=$(grep -c '"result": "OK"' "$log" || true)
    s=$(grep -c '"result": "SKIP"' "$log" || true)
    t=$(grep -c '"result": ' "$log" || true)
    pass=$((pass + p)); skip=$((skip + s)); fail=$((fail + t - p - s))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
