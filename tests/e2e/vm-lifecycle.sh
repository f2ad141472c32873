#!/bin/sh
# vm-lifecycle.sh - a VM's life through the API of a real gpuvmd: create (from a flavor, with an
# Idempotency-Key), get, list, domain XML, stop, start, delete; nothing fits gives 409 with the
# explanation; explain changes nothing; bad input gets a 4xx naming the field.
. "$(dirname "$0")/lib.sh"

# bad settings: one line naming the file and the key, exit 2, nothing started
printf 'listen: 127.0.0.1:8080\nthreds: 4\n' > "$E2E_DIR/bad.yaml"
status=0
"$GPUVMD" --config "$E2E_DIR/bad.yaml" --data-dir "$DATA" 2> "$E2E_DIR/err" || status=$?
[ "$status" = 2 ] || fail "a bad config file: exit $status"
grep -q "bad.yaml.*threds" "$E2E_DIR/err" || fail "the error does not name the key: $(cat "$E2E_DIR/err")"
[ ! -e "$DATA/gpuvm.db" ] || fail "a bad config file created the database"
ok "a bad config file: one line naming the key, exit 2, nothing created"

# the shipped settings (the command line overrides their listen and data_dir)
start_daemon --config "$GV_SRCDIR/data/gpuvmd.yaml"

api GET /v1/hosts "$ADMIN"
expect 200 "list hosts"
hosts=$(jqb '.hosts | length')
[ "$hosts" -gt 0 ] || fail "the example fleet was not imported"
ok "fleet imported at the first start ($hosts hosts)"

api POST /v1/tenants "$ADMIN" '{"name": "acme"}'
expect 201 "create tenant"

state_before=$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/hosts" | jq -c '[.hosts[] | [.name, .vms, .vcpus_allocated]]')
api POST /v1/placements/explain "$ADMIN" '{"flavor": "inference", "name": "x", "tenant": "acme"}'
expect 200 "explain"
[ "$(jqb .placed)" = true ] || fail "explain: an inference VM should fit: $BODY"
state_after=$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/hosts" | jq -c '[.hosts[] | [.name, .vms, .vcpus_allocated]]')
[ "$state_before" = "$state_after" ] || fail "explain changed the hosts"
ok "explain places and changes nothing"

api POST /v1/vms "$ADMIN" '{"flavor": "inference", "name": "infer-1", "tenant": "acme"}' -H 'Idempotency-Key: k-1'
expect 201 "create"
id=$(jqb .vm.id)
host=$(jqb .vm.host)
[ "$(jqb .vm.state)" = running ] || fail "a VM on a simulated host starts at once: $BODY"
[ "$(jqb .vm.placement.gpus[0].mode)" = mig ] || fail "the inference flavor takes a MIG slice: $BODY"
ok "create from a flavor: $id on $host"

api POST /v1/vms "$ADMIN" '{"flavor": "inference", "name": "infer-1", "tenant": "acme"}' -H 'Idempotency-Key: k-1'
expect 201 "retry with the same key"
[ "$(jqb .vm.id)" = "$id" ] || fail "a retry with the same Idempotency-Key created another VM"
api GET "/v1/vms?tenant=acme" "$ADMIN"
[ "$(jqb '.vms | length')" = 1 ] || fail "one VM expected after the retry: $BODY"
ok "Idempotency-Key: the retry returns the first answer"

api POST /v1/vms "$ADMIN" '{"flavor": "inference", "name": "infer-2", "tenant": "acme"}' -H 'Idempotency-Key: k-1'
expect 409 "the same key with another body"
ok "Idempotency-Key reused with another body: 409"

api POST /v1/vms "$ADMIN" '{"flavor": "inference", "name": "infer-1", "tenant": "acme"}'
expect 409 "duplicate name"
ok "a second VM of the same name in the tenant: 409"

api GET "/v1/vms/$id" "$ADMIN"
expect 200 "get"
[ "$(jqb .vm.name)" = infer-1 ] || fail "get: $BODY"
api GET "/v1/vms/$id/domain.xml" "$ADMIN"
expect 200 "domain xml"
case "$BODY" in *"<domain"*) ;; *) fail "domain xml: $BODY" ;; esac
ok "get and the domain XML"

api POST "/v1/vms/$id/start" "$ADMIN"
expect 409 "start a running VM"
api POST "/v1/vms/$id/stop" "$ADMIN"
expect 200 "stop"
[ "$(jqb .vm.state)" = stopped ] || fail "stop: $BODY"
api POST "/v1/vms/$id/start" "$ADMIN"
expect 200 "start"
[ "$(jqb .vm.state)" = running ] || fail "start: $BODY"
ok "stop and start follow the state machine"

api POST /v1/vms "$ADMIN" '{"name": "huge", "tenant": "acme", "vcpus": 4, "memory_mib": 4096, "gpu": {"mode": "passthrough", "count": 16}}'
expect 409 "nothing fits"
[ "$(jqb .error.code)" = no_capacity ] || fail "nothing fits: $BODY"
[ "$(jqb '.error.details.explain.reasons | length')" -gt 0 ] || fail "no reasons: $BODY"
ok "nothing fits: 409 no_capacity with per-reason host counts"

api POST /v1/vms "$ADMIN" '{"name": "bad", "tenant": "acme", "vcpus": "four"}'
expect 400 "bad field"
[ "$(jqb .error.details.field)" != "" ] || fail "400 without the field: $BODY"
api POST /v1/vms "$ADMIN" 'not json'
expect 400 "not json"
api POST /v1/vms "$ADMIN" '{"name": "n", "tenant": "nope"}'
expect 400 "unknown tenant"
api GET /v1/nowhere "$ADMIN"
expect 404 "unknown route"
api PATCH /v1/vms "$ADMIN"
expect 405 "unknown method"
big=$(head -c 1100000 /dev/zero | tr '\0' 'a')
printf '{"name": "%s"}' "$big" > "$E2E_DIR/big.json"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN" --data-binary @"$E2E_DIR/big.json" "$BASE/v1/vms")
expect 413 "oversized body"
api GET /v1/vms nothing-valid
expect 401 "bad token"
ok "bad input: 400 naming the field, 401, 404, 405, 413"

api DELETE "/v1/vms/$id" "$ADMIN"
expect 200 "delete"
[ "$(jqb .vm.state)" = deleted ] || fail "delete: $BODY"
api GET "/v1/vms/$id" "$ADMIN"
expect 404 "get after delete"
state_end=$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/hosts" | jq -c '[.hosts[] | [.name, .vms, .vcpus_allocated]]')
[ "$state_before" = "$state_end" ] || fail "delete did not release what the VM held"
ok "delete releases exactly what the VM held"

api GET /v1/audit/verify "$ADMIN"
expect 200 "verify"
[ "$(jqb .ok)" = true ] || fail "the audit chain does not verify: $BODY"
api GET "/v1/audit?object=vm/$id" "$ADMIN"
actions=$(jqb '[.records[].action] | join(",")')
[ "$actions" = "vm.create,vm.stop,vm.start,vm.delete" ] || fail "audit of the VM: $actions"
api GET "/v1/audit?action=gpu.assign" "$ADMIN"
[ "$(jqb '.records | length')" -ge 1 ] || fail "no gpu.assign record"
api GET "/v1/audit?action=gpu.release" "$ADMIN"
[ "$(jqb '.records | length')" -ge 1 ] || fail "no gpu.release record"
ok "the audit log has every change and verifies"

stop_daemon
ok "SIGTERM stops cleanly"
