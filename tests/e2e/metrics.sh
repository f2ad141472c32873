#!/bin/sh
# metrics.sh - /metrics of a daemon that has done some work passes `promtool check metrics`,
# in the Prometheus text format; the OpenMetrics form ends with "# EOF"; the numbers follow
# the state (VMs by state, hosts by state, audit records).
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "SKIP: promtool (Debian package prometheus) is not installed"; exit 77; }
start_daemon
api POST /v1/tenants "$ADMIN" '{"name": "acme"}'
api POST /v1/vms "$ADMIN" '{"flavor": "notebook", "name": "n1", "tenant": "acme"}'
expect 201 "create"
api POST "/v1/vms/$(jqb .vm.id)/stop" "$ADMIN"
api POST /v1/vms "$ADMIN" '{"flavor": "inference", "name": "i1", "tenant": "acme"}'
api GET /v1/nowhere "$ADMIN"
api GET /metrics "$ADMIN"
expect 200 "metrics"
printf '%s\n' "$BODY" > "$E2E_DIR/metrics.txt"
promtool check metrics < "$E2E_DIR/metrics.txt" > "$E2E_DIR/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$E2E_DIR/promtool.out")"
[ -s "$E2E_DIR/promtool.out" ] && fail "promtool check metrics complains: $(cat "$E2E_DIR/promtool.out")"
grep -q '^gpuvm_vms{state="running"} 1$' "$E2E_DIR/metrics.txt" || fail "running VMs: $(grep gpuvm_vms "$E2E_DIR/metrics.txt")"
grep -q '^gpuvm_vms{state="stopped"} 1$' "$E2E_DIR/metrics.txt" || fail "stopped VMs"
grep -q '^gpuvm_api_requests_total{route="unmatched",method="other",code="404"} 1$' "$E2E_DIR/metrics.txt" || fail "unmatched route counter"
grep -q '^gpuvm_placement_duration_seconds_count 2$' "$E2E_DIR/metrics.txt" || fail "placement histogram"
grep -q '^gpuvm_tenant_gpu_units{tenant="acme",mode="mig",profile="1g.6gb"} 1.000$' "$E2E_DIR/metrics.txt" ||
    fail "tenant units: $(grep gpuvm_tenant_gpu_units "$E2E_DIR/metrics.txt")"
grep -q '^gpuvm_tenant_gpu_units{tenant="acme",mode="mig",profile="3g.40gb"} 1.000$' "$E2E_DIR/metrics.txt" ||
    fail "tenant units (inference)"
# capacity = allocated + free, per pool, model and mode; the fleet's GPU count in all
awk '/^gpuvm_gpus\{/ {split($1, a, "{"); n[a[2]] = $2; total += $2}
     /^gpuvm_gpus_allocated\{/ {split($1, a, "{"); al[a[2]] = $2}
     /^gpuvm_gpus_free\{/ {split($1, a, "{"); fr[a[2]] = $2}
     END {for (k in n) if ((al[k] + fr[k] - n[k])^2 > 1e-4) {print "capacity " k; exit 1}
          if (total < 1) {print "no GPUs"; exit 1}}' "$E2E_DIR/metrics.txt" || fail "GPU capacity metrics do not add up"
gpus=$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/hosts" | jq '[.hosts[].gpus_total] | add')
have=$(awk '/^gpuvm_gpus\{/ {t += $2} END {print t}' "$E2E_DIR/metrics.txt")
[ "$(printf '%.0f' "$have")" = "$gpus" ] || fail "gpuvm_gpus adds up to $have, the hosts have $gpus"
allocated=$(awk '/^gpuvm_gpus_allocated\{.*pool="notebook"/ {t += $2} END {printf "%.3f", t}' "$E2E_DIR/metrics.txt")
[ "$allocated" = 0.250 ] || fail "one 1g.6gb of an A30 is a quarter GPU allocated in the notebook pool, not $allocated"
ok "promtool check metrics passes and the page follows the state"

api GET /metrics "$ADMIN" '' -H 'Accept: application/openmetrics-text; version=1.0.0'
expect 200 "openmetrics"
[ "$(printf '%s\n' "$BODY" | tail -1)" = "# EOF" ] || fail "OpenMetrics does not end with # EOF"
printf '%s\n' "$BODY" | grep -q '^# TYPE gpuvm_api_requests counter$' || fail "OpenMetrics counter family"
ok "OpenMetrics on Accept: application/openmetrics-text"
stop_daemon
