#!/bin/sh
# run-daemon.sh - `make run`: gpuvmd on 127.0.0.1:8080 with its state in ./var, the example fleet
# imported on the first start, the administrator token and a few commands to try; Ctrl-C stops
# it. A second run finds its state where the first left it.
#
#   scripts/run-daemon.sh BUILD_DIR
set -eu
build=${1:-build}
port=${GPUVM_PORT:-8080}
mkdir -p var
"$build/gpuvmd" --listen "127.0.0.1:$port" --data-dir var \
    --import-fleet data/fleets/example.yaml &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM
for _ in $(seq 1 100); do
    [ -s var/admin.token ] && curl -s -o /dev/null "http://127.0.0.1:$port/readyz" && break
    kill -0 $pid 2>/dev/null || { echo "gpuvmd did not start (see above)" >&2; exit 1; }
    sleep 0.1
done
token=$(cat var/admin.token)
cat <<MSG

gpuvmd is serving http://127.0.0.1:$port (state in ./var; Ctrl-C stops it).
The administrator's token (created on the first start, stored hashed; kept in var/admin.token):

  export GPUVM_SERVER=http://127.0.0.1:$port GPUVM_TOKEN=$token

Try, in another terminal:

  $build/gpuvm host list
  $build/gpuvm tenant create acme
  $build/gpuvm vm create infer-1 --flavor inference --tenant acme
  $build/gpuvm vm list
  $build/gpuvm audit verify
  curl -s -H "Authorization: Bearer \$GPUVM_TOKEN" http://127.0.0.1:$port/metrics | head

MSG
wait $pid
