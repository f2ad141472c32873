# lib.sh - what the end-to-end tests share: a real gpuvmd on 127.0.0.1 (a free port, a temporary
# data dir) and a curl wrapper. Sourced by tests/e2e/*.sh; needs $GPUVMD, $GV_SRCDIR, curl, jq.
set -eu

E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gpuvm-e2e.XXXXXX")
DATA="$E2E_DIR/var"
GPUVMD_PID=
PASS=0

cleanup() {
    [ -n "$GPUVMD_PID" ] && kill -9 "$GPUVMD_PID" 2>/dev/null || true
    rm -rf "$E2E_DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    [ -f "$E2E_DIR/gpuvmd.log" ] && tail -20 "$E2E_DIR/gpuvmd.log" >&2
    exit 1
}

ok() {
    PASS=$((PASS + 1))
    echo "ok $PASS - $*"
}

# start_daemon [extra gpuvmd options]: start and wait until /readyz answers 200.
start_daemon() {
    rm -f "$DATA/port"
    "$GPUVMD" --listen 127.0.0.1:0 --data-dir "$DATA" \
        --import-fleet "$GV_SRCDIR/data/fleets/example.yaml" "$@" 2>>"$E2E_DIR/gpuvmd.log" &
    GPUVMD_PID=$!
    for _ in $(seq 1 200); do
        if [ -s "$DATA/port" ]; then
            PORT=$(cat "$DATA/port")
            BASE="http://127.0.0.1:$PORT"
            if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ]; then
                ADMIN=$(cat "$DATA/admin.token")
                return 0
            fi
        fi
        kill -0 "$GPUVMD_PID" 2>/dev/null || fail "gpuvmd exited at start"
        sleep 0.05
    done
    fail "gpuvmd did not become ready"
}

stop_daemon() {
    kill -TERM "$GPUVMD_PID"
    wait "$GPUVMD_PID" || fail "gpuvmd exited with status $? on SIGTERM"
    GPUVMD_PID=
}

# api METHOD PATH TOKEN [BODY] [extra curl args]: the status in $STATUS, the body in $BODY.
api() {
    method=$1 path=$2 token=$3
    shift 3
    body=
    if [ $# -gt 0 ]; then
        body=$1
        shift
    fi
    if [ -n "$body" ]; then
        STATUS=$(curl -s -o "$E2E_DIR/body" -w '%{http_code}' -X "$method" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            --data-binary "$body" "$@" "$BASE$path")
    else
        STATUS=$(curl -s -o "$E2E_DIR/body" -w '%{http_code}' -X "$method" \
            -H "Authorization: Bearer $token" "$@" "$BASE$path")
    fi
    BODY=$(cat "$E2E_DIR/body")
}

# expect STATUS what: the last api call answered STATUS.
expect() {
    [ "$STATUS" = "$1" ] || fail "$2: expected $1, got $STATUS: $BODY"
}

# jqb FILTER: FILTER over the last body.
jqb() {
    printf '%s' "$BODY" | jq -r "$1"
}

# run RC WHAT CMD...: CMD exits RC; its stdout in $OUT, its stderr in $ERR.
run() {
    want=$1 what=$2
    shift 2
    set +e
    "$@" >"$E2E_DIR/out" 2>"$E2E_DIR/err"
    rc=$?
    set -e
    OUT=$(cat "$E2E_DIR/out")
    ERR=$(cat "$E2E_DIR/err")
    [ "$rc" = "$want" ] || fail "$what: exit $rc, expected $want; stdout: $OUT; stderr: $ERR"
}
# g ARGS...: the gpuvm CLI as the administrator, against this daemon
g() {
    "$GPUVM" --server "$BASE" --token "$ADMIN" "$@"
}
