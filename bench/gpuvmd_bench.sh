#!/bin/sh
# gpuvmd_bench.sh - the daemon's speed on this machine, with wrk (Debian package wrk) as the load
# generator on the same cores: GETs of one VM and durable VM creates (placement + transaction +
# audit records + fsync), each beside GET /healthz in the same run (the server's own ceiling),
# then the memory of a daemon holding HOSTS hosts and VMS VMs, and its restart time.
#
#   bench/gpuvmd_bench.sh BUILD_DIR [HOSTS] [VMS] [SECONDS]     (default 10000 100000 10)
set -eu
build=${1:-build}
hosts=${2:-10000}
vms=${3:-100000}
secs=${4:-10}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gpuvmd-bench.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT

cat > "$work/fleet.yaml" <<YAML
pools:
  inference: {strategy: spread, mix_classes: true, cpu_overcommit: 4.0}
templates:
  h100-mig:
    topology: $src/data/hosts/dgx-h100-inference.json
    gpu_mode: mig
    reconfigurable: true
    reserved_cpus: "0-1,112-113"
hosts:
  - name: bench-[00001-$(printf %05d "$hosts")]
    template: h100-mig
    pool: inference
YAML

start() {
    rm -f "$work/var/port"
    "$build/gpuvmd" --listen 127.0.0.1:0 --data-dir "$work/var" --import-fleet "$work/fleet.yaml" \
        --threads 2 2>>"$work/gpuvmd.log" &
    pid=$!
    t0=$(date +%s.%N)
    until [ -s "$work/var/port" ] && curl -s -o /dev/null "http://127.0.0.1:$(cat "$work/var/port")/readyz"; do
        kill -0 $pid 2>/dev/null || { cat "$work/gpuvmd.log"; exit 1; }
        sleep 0.1
    done
    ready_s=$(echo "$(date +%s.%N) - $t0" | bc)
    base="http://127.0.0.1:$(cat "$work/var/port")"
    GV_TOKEN=$(cat "$work/var/admin.token")
    export GV_TOKEN
}

# wrk's requests/s and p99 (ms) of one run
run_wrk() { # NAME CONNS ARGS...
    name=$1 conns=$2
    shift 2
    wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$work/$name.out" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/$name.out")
    p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$work/$name.out")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$name.out")
    echo "$name $rps ${p99:-?} ${non2xx:-0}"
}

start
echo "fleet: $hosts hosts imported and ready in ${ready_s}s"
curl -s -o /dev/null -X POST -H "Authorization: Bearer $GV_TOKEN" -d '{"name":"bench"}' "$base/v1/tenants"
id=$(curl -s -X POST -H "Authorization: Bearer $GV_TOKEN" \
    -d '{"name":"probe","tenant":"bench","vcpus":1,"memory_mib":1024,"cpu_policy":"shared","gpu":{"mode":"mig","profile":"1g.10gb","count":1}}' \
    "$base/v1/vms" | jq -r .vm.id)

echo "run rps p99_ms non2xx"
h1=$(run_wrk healthz 64 "$base/healthz")
echo "$h1"
g=$(run_wrk get-vm 64 -s "$src/bench/gpuvmd/get.lua" "$base/v1/vms/$id")
echo "$g"
h2=$(run_wrk healthz 64 "$base/healthz")
echo "$h2"
c=$(run_wrk create-vm 64 -s "$src/bench/gpuvmd/create.lua" "$base")
echo "$c"
c16=$(run_wrk create-vm-16 16 -s "$src/bench/gpuvmd/create.lua" "$base")
echo "$c16"
echo "$g $h1" | awk '{printf "GET a VM (64 connections): %.0f/s, p99 %s ms, %.2f of GET /healthz (%.0f/s)\n", $2, $3, $2/$6, $6}'
echo "$c $h2" | awk '{printf "durable creates (64 connections): %.0f/s, p99 %s ms, %.3f of GET /healthz (%.0f/s)\n", $2, $3, $2/$6, $6}'
echo "$c16 $h2" | awk '{printf "durable creates (16 connections): %.0f/s, p99 %s ms, %.3f of GET /healthz (%.0f/s)\n", $2, $3, $2/$6, $6}'
grep -E "gpuvm_store_commits_total|gpuvm_store_committed_ops_total" \
    "$(curl -s -H "Authorization: Bearer $GV_TOKEN" "$base/metrics" > "$work/m.txt"; echo "$work/m.txt")" |
    awk '{v[$1]=$2} END {printf "group commit: %.1f creates per fsync on average\n", v["gpuvm_store_committed_ops_total"]/v["gpuvm_store_commits_total"]}'

# fill to $vms VMs, then the daemon's memory and a restart
have=$(curl -s -H "Authorization: Bearer $GV_TOKEN" "$base/v1/vms?tenant=bench" | jq '.vms | length')
while [ "$have" -lt "$vms" ]; do
    secs=20 run_wrk fill 64 -s "$src/bench/gpuvmd/create.lua" "$base" > /dev/null
    have=$(curl -s -H "Authorization: Bearer $GV_TOKEN" "$base/v1/vms?tenant=bench" | jq '.vms | length')
done
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo "memory: $hosts hosts and $have VMs: RSS $((rss / 1024)) MiB"
kill -TERM $pid
wait $pid
pid=
start
echo "restart with $have VMs: ready in ${ready_s}s"
