#!/bin/sh
# cli.sh - the remote commands of gpuvm against a real gpuvmd: tenants, VMs from a flavor (list
# as a table and as JSON, get by name, stop, start, delete), hosts (list, cordon, uncordon),
# tokens (create, list, revoke), the audit log (list, verify), explain; the exit statuses 1
# (refused: nothing fits, 403, 404, 409), 2 (bad usage, a malformed request or config file, a 400)
# and 3 (nothing listens); and the settings from flags, the environment and the config file.
. "$(dirname "$0")/lib.sh"

# nothing from the caller's environment or home
unset GPUVM_SERVER GPUVM_TOKEN GPUVM_CACERT
export XDG_CONFIG_HOME="$E2E_DIR/config"
start_daemon

# one_line WHAT: the last command said exactly one line on stderr
one_line() {
    [ "$(wc -l <"$E2E_DIR/err")" = 1 ] || fail "$1: expected one line on stderr: $ERR"
}
# has WHAT TEXT PATTERN: TEXT matches the grep pattern
has() {
    printf '%s\n' "$2" | grep -q -- "$3" || fail "$1: no '$3' in: $2"
}

# ---- tenants and VMs -------------------------------------------------------------------------

run 0 "tenant create" g tenant create acme
[ "$OUT" = "created tenant acme" ] || fail "tenant create said: $OUT"
run 0 "tenant create beta" g tenant create beta
run 0 "tenant list" g tenant list
[ "$(printf '%s\n' "$OUT" | awk 'NR == 1 {print $1, $2}')" = "NAME CREATED" ] ||
    fail "tenant list header: $OUT"
[ "$(printf '%s\n' "$OUT" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" = "acme beta " ] ||
    fail "tenant list: $OUT"
run 1 "tenant create twice" g tenant create acme
one_line "a conflict"
ok "tenant create, list; a taken name exits 1"

run 0 "vm create from a flavor" g vm create nb1 --flavor notebook --tenant acme
has "vm create" "$OUT" "^created vm-[0-9a-f]* (nb1, tenant acme): running on "
run 0 "vm list" g vm list
[ "$(printf '%s\n' "$OUT" | head -1 | tr -s ' ')" = "ID NAME TENANT STATE HOST GPUS" ] ||
    fail "vm list header: $OUT"
[ "$(printf '%s\n' "$OUT" | wc -l)" = 2 ] || fail "vm list: one VM expected: $OUT"
row=$(printf '%s\n' "$OUT" | awk '$2 == "nb1"')
[ "$(echo "$row" | awk '{print $3, $4}')" = "acme running" ] || fail "vm list row: $row"
case "$(echo "$row" | awk '{print $6}')" in *A30-24GB:1g.6gb) ;; *) fail "vm list GPUS: $row" ;; esac
run 0 "vm list json" g vm list --format json
[ "$(printf '%s' "$OUT" | jq -s length)" = 1 ] || fail "vm list --format json: one document"
[ "$(printf '%s' "$OUT" | jq -r '.vms | length')" = 1 ] || fail "vm list json: $OUT"
id=$(printf '%s' "$OUT" | jq -r '.vms[0].id')
host=$(printf '%s' "$OUT" | jq -r '.vms[0].host')
[ "$(echo "$row" | awk '{print $1, $5}')" = "$id $host" ] || fail "text and JSON disagree: $row"
api GET "/v1/vms/$id" "$ADMIN"
[ "$(jqb .vm.name)" = nb1 ] || fail "the VM the CLI created: $BODY"
ok "vm create from a flavor; vm list as a table and as JSON agree with the server"

run 0 "vm get by name" g vm get nb1
has "vm get" "$OUT" "^id: *$id\$"
has "vm get" "$OUT" "^state: *running\$"
run 0 "vm get by id, json" g vm get "$id" --format json
[ "$(printf '%s' "$OUT" | jq -r .vm.name)" = nb1 ] || fail "vm get --format json: $OUT"
run 0 "the same name in beta" g vm create nb1 --flavor notebook --tenant beta
run 2 "an ambiguous name" g vm get nb1
has "ambiguous" "$ERR" "acme, beta"
one_line "ambiguous"
run 0 "vm get --tenant" g vm get nb1 --tenant beta --format json
[ "$(printf '%s' "$OUT" | jq -r .vm.tenant)" = beta ] || fail "vm get --tenant beta: $OUT"
run 1 "no such VM" g vm get nosuch
one_line "no such VM"
run 1 "no such id" g vm get vm-0123456789abcdef01234567
ok "vm get by name and id; a name in two tenants exits 2 and names them"

run 0 "vm stop" g vm stop nb1 --tenant acme
has "vm stop" "$OUT" "^stopped $id .*: stopped"
api GET "/v1/vms/$id" "$ADMIN"
[ "$(jqb .vm.state)" = stopped ] || fail "not stopped: $BODY"
run 1 "stop a stopped VM" g vm stop "$id"
one_line "stop twice"
run 0 "vm start" g vm start "$id"
api GET "/v1/vms/$id" "$ADMIN"
[ "$(jqb .vm.state)" = running ] || fail "not running: $BODY"
run 0 "vm xml" g --format json vm xml "$id"
has "vm xml" "$OUT" "<domain"
run 0 "vm delete" g vm delete nb1 --tenant acme
has "vm delete" "$OUT" "^deleted $id .*: deleted"
api GET "/v1/vms/$id" "$ADMIN"
expect 404 "the VM is gone"
ok "vm stop, start, xml, delete (409 on a second stop exits 1)"

# ---- hosts ---------------------------------------------------------------------------------

run 0 "host list" g host list
[ "$(printf '%s\n' "$OUT" | head -1 | awk '{print $1, $2, $3, $4, $5, $6}')" = \
    "NAME POOL ZONE STATE GPUS VMS" ] || fail "host list header: $OUT"
api GET /v1/hosts "$ADMIN"
[ "$(printf '%s\n' "$OUT" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" = \
    "$(jqb '[.hosts[].name] | join(" ")') " ] || fail "host list rows: $OUT"
h=$(jqb '[.hosts[] | select(.state == "ready")][0].name')
run 0 "host list --pool" g host list --pool notebook
[ "$(printf '%s\n' "$OUT" | awk 'NR > 1 {print $2}' | sort -u)" = notebook ] ||
    fail "host list --pool: $OUT"
run 0 "host cordon" g host cordon "$h"
[ "$OUT" = "host $h: cordoned" ] || fail "host cordon said: $OUT"
api GET "/v1/hosts/$h" "$ADMIN"
[ "$(jqb .host.state)" = cordoned ] || fail "not cordoned: $BODY"
run 0 "host uncordon" g host uncordon "$h"
api GET "/v1/hosts/$h" "$ADMIN"
[ "$(jqb .host.state)" = ready ] || fail "not uncordoned: $BODY"
run 0 "host get" g host get "$h"
has "host get" "$OUT" "^name: *$h\$"
run 2 "host set-state to nothing" g host set-state "$h" sideways
one_line "a 400"
run 1 "no such host" g host cordon no-such-host
ok "host list (filtered), get, cordon, uncordon; a bad state exits 2"

# ---- users, tokens, permissions -------------------------------------------------------------

run 0 "user create" g user create mia --role tenant-member --tenant acme
run 0 "user list" g user list
has "user list" "$OUT" "^mia  *tenant-member  *acme "
run 0 "token create" g token create --user mia --description "mia's laptop"
MIA=$OUT
case "$MIA" in gvt_*) ;; *) fail "token create printed: $MIA" ;; esac
has "token create" "$ERR" "shown only once"
api GET /v1/vms "$MIA"
expect 200 "the new token works"
run 0 "token list" g token list --format json
tid=$(printf '%s' "$OUT" | jq -r '.tokens[] | select(.description == "mia'"'"'s laptop") | .id')
[ -n "$tid" ] || fail "token list: no token of mia: $OUT"
run 0 "token list text" g token list
has "token list" "$OUT" "^$tid  *mia  *mia's laptop "
printf '%s' "$OUT" | grep -q gvt_ && fail "token list shows a secret"

run 1 "a tenant member may not cordon" "$GPUVM" --server "$BASE" --token "$MIA" host cordon "$h"
has "403" "$ERR" "may not"
one_line "403"
api GET "/v1/hosts/$h" "$ADMIN"
[ "$(jqb .host.state)" = ready ] || fail "a refused cordon changed the host: $BODY"
run 0 "a member lists its own VMs" "$GPUVM" --server "$BASE" --token "$MIA" vm list
[ -z "$(printf '%s\n' "$OUT" | awk 'NR > 1 && $3 != "acme"')" ] ||
    fail "a member of acme sees other tenants' VMs: $OUT"

run 0 "token revoke" g token revoke "$tid"
api GET /v1/vms "$MIA"
expect 401 "a revoked token"
run 1 "a revoked token" "$GPUVM" --server "$BASE" --token "$MIA" vm list
one_line "401"
ok "user create/list; token create (secret once), list (no secrets), revoke; 403 exits 1"

# ---- nothing fits, explain, bad input ------------------------------------------------------

cat >"$E2E_DIR/big.json" <<'EOF'
{"vcpus": 4, "memory_mib": 4096, "gpu": {"mode": "passthrough", "count": 16}}
EOF
run 1 "nothing fits" g vm create big --request "$E2E_DIR/big.json" --tenant acme
has "no capacity" "$ERR" "gpu-free on [0-9]* of [0-9]* hosts ("
one_line "no capacity"
api GET "/v1/vms?name=big" "$ADMIN"
[ "$(jqb '.vms | length')" = 0 ] || fail "a VM that does not fit was created: $BODY"
run 1 "explain: nothing fits" g explain --request "$E2E_DIR/big.json" --tenant acme
has "explain" "$OUT" "^nothing fits"
has "explain" "$OUT" "^gpu-free  *[0-9]"
run 0 "explain: fits" g explain --flavor inference --tenant acme
has "explain" "$OUT" "^fits: host "
ok "nothing fits exits 1 with the top reasons; explain"

cat >"$E2E_DIR/req.yaml" <<'EOF'
vcpus: 2
memory_mib: 2048
gpu:
  mode: mig
  count: 1
  profile: 1g.6gb
EOF
run 0 "vm create from a YAML request" g vm create y1 --request "$E2E_DIR/req.yaml" --tenant acme \
    --idempotency-key try-1 --format json
yid=$(printf '%s' "$OUT" | jq -r .vm.id)
[ "$(printf '%s' "$OUT" | jq -r '.vm.request.vcpus, .vm.request.gpu.profile' | tr '\n' ' ')" = \
    "2 1g.6gb " ] || fail "the YAML request: $OUT"
run 0 "the retry" g vm create y1 --request "$E2E_DIR/req.yaml" --tenant acme \
    --idempotency-key try-1 --format json
[ "$(printf '%s' "$OUT" | jq -r .vm.id)" = "$yid" ] || fail "the retry created another VM"
ok "vm create from a YAML request, with an Idempotency-Key"

run 2 "no name" g vm create
has "usage" "$ERR" "takes 1 argument"
run 2 "not a subcommand" g vm frobnicate
run 2 "not an option" g vm list --frobnicate
run 2 "a bad format" g --format yaml vm list
run 2 "--help is not an error, but a missing value is" g vm list --tenant
run 0 "--help" g vm create --help
has "help" "$OUT" "^usage: gpuvm vm create"
printf '{"vcpus": 2,\n "memory_mib": }\n' >"$E2E_DIR/bad.json"
run 2 "a malformed JSON request" g vm create bad --request "$E2E_DIR/bad.json" --tenant acme
has "malformed" "$ERR" "bad.json:2:"
one_line "malformed JSON"
printf 'vcpus: [\n' >"$E2E_DIR/bad.yaml"
run 2 "a malformed YAML request" g vm create bad --request "$E2E_DIR/bad.yaml" --tenant acme
has "malformed" "$ERR" "bad.yaml:"
printf '{"vcpus": "four"}\n' >"$E2E_DIR/four.json"
run 2 "a 400 from the server" g vm create bad --request "$E2E_DIR/four.json" --tenant acme
has "400" "$ERR" "vcpus"
run 2 "a missing request file" g vm create bad --request "$E2E_DIR/nope.json" --tenant acme
ok "bad usage, malformed request files and a 400 exit 2"

# ---- reaching the server ---------------------------------------------------------------------

run 3 "a closed port" "$GPUVM" --server http://127.0.0.1:1 --token "$ADMIN" vm list
has "unreachable" "$ERR" "cannot reach http://127.0.0.1:1"
one_line "unreachable"
run 2 "not an http URL" "$GPUVM" --server ftp://127.0.0.1 vm list
run 0 "global options after the command" "$GPUVM" vm list --server "$BASE" --token "$ADMIN"
run 0 "--opt=value" "$GPUVM" --server="$BASE" --token="$ADMIN" tenant list
ok "a closed port exits 3; options before and after the command"

mkdir -p "$XDG_CONFIG_HOME/gpuvm"
cat >"$XDG_CONFIG_HOME/gpuvm/config" <<EOF
# written by cli.sh
server = $BASE
token = $ADMIN

format = json
EOF
run 0 "the config file" "$GPUVM" tenant list
[ "$(printf '%s' "$OUT" | jq -r '[.tenants[].name] | join(",")')" = acme,beta ] ||
    fail "the config file's server, token and format: $OUT"
run 1 "the environment over the config file" env GPUVM_TOKEN=gvt_wrong "$GPUVM" tenant list
run 0 "flags over the environment" env GPUVM_TOKEN=gvt_wrong "$GPUVM" --token "$ADMIN" \
    --format text tenant list
[ "$(printf '%s\n' "$OUT" | head -1 | tr -s ' ')" = "NAME CREATED" ] || fail "--format text: $OUT"
run 3 "the environment's server" env GPUVM_SERVER=http://127.0.0.1:1 "$GPUVM" tenant list
ok "the config file gives server, token and format; the environment and flags win"

printf 'server = %s\ntoken %s\n' "$BASE" "$ADMIN" >"$XDG_CONFIG_HOME/gpuvm/config"
run 2 "a malformed config file" "$GPUVM" tenant list
[ "$ERR" = "gpuvm: $XDG_CONFIG_HOME/gpuvm/config:2: expected 'key = value'" ] ||
    fail "malformed config: $ERR"
printf 'colour = blue\n' >"$XDG_CONFIG_HOME/gpuvm/config"
run 2 "an unknown key" "$GPUVM" tenant list
has "unknown key" "$ERR" "config:1: unknown key 'colour'"
run 0 "the offline commands ignore it" "$GPUVM" fleet check "$GV_SRCDIR/data/fleets/example.yaml"
rm "$XDG_CONFIG_HOME/gpuvm/config"
ok "a malformed config file exits 2 with FILE:LINE"

# ---- the audit log -------------------------------------------------------------------------

run 0 "audit list" g audit list --limit 1000
[ "$(printf '%s\n' "$OUT" | head -1 | tr -s ' ')" = "SEQ TIME ACTOR TENANT ACTION OBJECT DETAILS" ] ||
    fail "audit list header: $OUT"
has "audit list" "$OUT" " host.state  *host/$h "
run 0 "audit list json" g audit list --action vm.create --format json
[ "$(printf '%s' "$OUT" | jq -r '[.records[].action] | unique | join(",")')" = vm.create ] ||
    fail "audit list --action: $OUT"
[ "$(printf '%s' "$OUT" | jq -r '.records | length')" = 3 ] || fail "3 VMs were created: $OUT"
run 2 "a bad limit" g audit list --limit 0
run 0 "audit export" g audit export
n=$(printf '%s\n' "$OUT" | wc -l)
api GET "/v1/audit?limit=1000" "$ADMIN"
[ "$n" = "$(jqb '.records | length')" ] || fail "audit export: $n lines"
printf '%s\n' "$OUT" | jq -e .seq >/dev/null || fail "audit export: not JSON lines"
run 0 "audit verify" g audit verify
printf '%s\n' "$OUT" | grep -qx "ok: $n records, [0-9]* checkpoints" || fail "audit verify: $OUT"
ok "audit list, export, verify"

run 0 "gpuvm --help" "$GPUVM" --help
for c in host vm tenant user token audit explain; do
    has "--help" "$OUT" "^  $c "
    run 0 "$c --help" "$GPUVM" "$c" --help
    has "$c --help" "$OUT" "^usage: gpuvm $c"
    run 0 "gpuvm --help" "$GPUVM" --help
done
ok "gpuvm --help lists the remote commands; each has --help"

stop_daemon
