#!/bin/sh
# restart.sh - state survives a restart: VMs on the same devices, tenants, users, tokens,
# idempotency keys and the audit chain; and a kill -9 during a storm of concurrent creates loses
# no acknowledged create, double-books nothing, and leaves a chain that verifies.
. "$(dirname "$0")/lib.sh"
start_daemon

api POST /v1/tenants "$ADMIN" '{"name": "acme"}'
expect 201 "tenant"
api POST /v1/users "$ADMIN" '{"name": "alice", "role": "tenant-member", "tenant": "acme"}'
expect 201 "user"
api POST /v1/tokens "$ADMIN" '{"user": "alice"}'
expect 201 "token"
ALICE=$(jqb .token)
for i in 1 2 3 4; do
    api POST /v1/vms "$ALICE" "{\"flavor\": \"notebook\", \"name\": \"nb-$i\"}" -H "Idempotency-Key: nb-$i"
    expect 201 "create nb-$i"
done
api DELETE "/v1/vms/$(jqb .vm.id)" "$ALICE"
expect 200 "delete nb-4"
api POST /v1/hosts/$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/hosts" | jq -r '.hosts[0].name')/cordon "$ADMIN"
expect 200 "cordon"
snap() {
    curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/vms" | jq -S -c '[.vms[] | {id, name, tenant, state, host, placement}]'
    curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/hosts" | jq -S -c '.hosts'
}
before=$(snap)
stop_daemon
start_daemon
after=$(snap)
[ "$before" = "$after" ] || fail "state differs after a restart"
api GET /v1/vms "$ALICE"
expect 200 "alice's token after the restart"
api POST /v1/vms "$ALICE" '{"flavor": "notebook", "name": "nb-2"}' -H 'Idempotency-Key: nb-2'
expect 201 "idempotent replay after the restart"
[ "$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/vms" | jq '.vms | length')" = 3 ] || fail "replay created a VM"
ok "a restart keeps VMs (same devices), hosts' states, users, tokens and idempotency keys"

# the storm: 8 clients x 25 creates, kill -9 in the middle
mkdir -p "$E2E_DIR/acks"
for c in 1 2 3 4 5 6 7 8; do
    (
        for i in $(seq 1 25); do
            code=$(curl -s -o "$E2E_DIR/acks/$c-$i.json" -w '%{http_code}' -X POST \
                -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' \
                --data-binary "{\"flavor\": \"notebook\", \"name\": \"s-$c-$i\", \"memory_mib\": 1024, \"vcpus\": 1}" \
                "$BASE/v1/vms" 2>/dev/null) || true
            [ "$code" = 201 ] || rm -f "$E2E_DIR/acks/$c-$i.json"
        done
    ) &
done
sleep 0.3
kill -9 "$GPUVMD_PID"
wait "$GPUVMD_PID" 2>/dev/null || true
GPUVMD_PID=
wait
acked=$(ls "$E2E_DIR/acks" | wc -l)
start_daemon
api GET /v1/vms "$ADMIN"
for f in "$E2E_DIR"/acks/*.json; do
    [ -e "$f" ] || continue
    vid=$(jq -r .vm.id "$f")
    printf '%s' "$BODY" | jq -e --arg id "$vid" '.vms | map(.id) | index($id) != null' >/dev/null ||
        fail "acknowledged create $vid is lost"
done
# nothing double-booked (the restart itself restored every placement and checked the engine's
# invariants): no two VMs on one dedicated thread or one MIG start slot of a GPU
dups=$(printf '%s' "$BODY" | jq -r '.vms[] | .host as $h | ((.placement.cpus // [])[] | select(.pcpu != null) | "\($h)/cpu\(.pcpu)"), ((.placement.gpus // [])[] | select(.start != null) | "\($h)/\(.pci)/\(.start)")' | sort | uniq -d | head -3)
[ -z "$dups" ] || fail "double-booked: $dups"
api GET /v1/audit/verify "$ADMIN"
[ "$(jqb .ok)" = true ] || fail "the audit chain does not verify after kill -9: $BODY"
ok "kill -9 during a storm: all $acked acknowledged creates are there, nothing double-booked, the chain verifies"
stop_daemon
