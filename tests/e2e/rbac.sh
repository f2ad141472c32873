#!/bin/sh
# rbac.sh - every role against every route, across two tenants: a tenant's members and admins
# neither see nor change the other tenant's VMs, hosts' private details or audit records;
# auditors read and change nothing; operators run hosts and VMs but not identities.
. "$(dirname "$0")/lib.sh"
start_daemon

mk() { # mk USER ROLE [TENANT] -> prints a token
    if [ -n "${3:-}" ]; then
        api POST /v1/users "$ADMIN" "{\"name\": \"$1\", \"role\": \"$2\", \"tenant\": \"$3\"}"
    else
        api POST /v1/users "$ADMIN" "{\"name\": \"$1\", \"role\": \"$2\"}"
    fi
    expect 201 "user $1"
    api POST /v1/tokens "$ADMIN" "{\"user\": \"$1\"}"
    expect 201 "token of $1"
    jqb .token
}
api POST /v1/tenants "$ADMIN" '{"name": "acme"}'
api POST /v1/tenants "$ADMIN" '{"name": "beta"}'
OP=$(mk olga operator)
AUD=$(mk audrey auditor)
TA=$(mk tom tenant-admin acme)
TM=$(mk mia tenant-member acme)
TM2=$(mk ben tenant-member beta)
api POST /v1/vms "$TM" '{"flavor": "notebook", "name": "a1"}'
expect 201 "mia creates in acme"
[ "$(jqb .vm.tenant)" = acme ] || fail "a member's VM goes to its tenant: $BODY"
VA=$(jqb .vm.id)
api POST /v1/vms "$TM2" '{"flavor": "notebook", "name": "b1"}'
expect 201 "ben creates in beta"
VB=$(jqb .vm.id)
HOST=$(curl -s -H "Authorization: Bearer $ADMIN" "$BASE/v1/vms/$VB" | jq -r .vm.host)
api GET "/v1/hosts" "$ADMIN"
HOST2=$(jqb '.hosts[-1].name')

# ROLE-TOKEN METHOD PATH EXPECTED [BODY]
check() {
    api "$2" "$3" "$1" "${5:-}"
    [ "$STATUS" = "$4" ] || fail "$6: $2 $3: expected $4, got $STATUS: $BODY"
}
n=0
while read -r who method path want body; do
    [ -z "$who" ] && continue
    eval "tok=\$$who"
    [ "$body" = "-" ] && body=
    path=$(echo "$path" | sed -e "s|VA|$VA|g" -e "s|VB|$VB|g" -e "s|HOST2|$HOST2|g" -e "s|HOST|$HOST|g")
    check "$tok" "$method" "$path" "$want" "$body" "$who"
    n=$((n + 1))
done <<'TABLE'
TM   GET    /v1/vms/VA                 200 -
TM   GET    /v1/vms/VB                 404 -
TM   GET    /v1/vms/VB/domain.xml      404 -
TM   POST   /v1/vms/VB/stop            404 -
TM   DELETE /v1/vms/VB                 404 -
TM   POST   /v1/vms                    403 {"flavor":"notebook","name":"x","tenant":"beta"}
TM   GET    /v1/hosts                  200 -
TM   GET    /v1/hosts/HOST             200 -
TM   POST   /v1/hosts/HOST2/cordon     403 -
TM   PUT    /v1/hosts/HOST2/state      403 {"state":"maintenance"}
TM   POST   /v1/fleet/import           403 {}
TM   POST   /v1/tenants                403 {"name":"gamma"}
TM   POST   /v1/users                  403 {"name":"eve","role":"tenant-member","tenant":"acme"}
TM   GET    /v1/audit                  403 -
TM   GET    /v1/audit/verify           403 -
TM   GET    /v1/audit/export           403 -
TM   GET    /metrics                   403 -
TM   POST   /v1/placements/explain     200 {"flavor":"notebook","name":"x"}
TM   POST   /v1/placements/explain     403 {"flavor":"notebook","name":"x","tenant":"beta"}
TM2  GET    /v1/vms/VA                 404 -
TM2  DELETE /v1/vms/VA                 404 -
TA   GET    /v1/vms/VA                 200 -
TA   GET    /v1/vms/VB                 404 -
TA   POST   /v1/users                  201 {"name":"eve","role":"tenant-member","tenant":"acme"}
TA   POST   /v1/users                  403 {"name":"zed","role":"tenant-member","tenant":"beta"}
TA   POST   /v1/users                  403 {"name":"zed","role":"operator"}
TA   POST   /v1/tokens                 201 {"user":"mia"}
TA   POST   /v1/tokens                 404 {"user":"ben"}
TA   GET    /v1/audit                  200 -
TA   GET    /v1/audit?tenant=beta      403 -
TA   GET    /v1/audit/verify           403 -
TA   POST   /v1/hosts/HOST2/cordon     403 -
AUD  GET    /v1/vms/VA                 200 -
AUD  GET    /v1/vms/VB                 200 -
AUD  POST   /v1/vms/VA/stop            403 -
AUD  DELETE /v1/vms/VB                 403 -
AUD  POST   /v1/vms                    403 {"flavor":"notebook","name":"x","tenant":"acme"}
AUD  POST   /v1/hosts/HOST2/cordon     403 -
AUD  POST   /v1/tenants                403 {"name":"gamma"}
AUD  POST   /v1/users                  403 {"name":"zed","role":"auditor"}
AUD  GET    /v1/audit/verify           200 -
AUD  GET    /v1/audit/export           200 -
AUD  GET    /metrics                   200 -
OP   GET    /v1/vms/VB                 200 -
OP   POST   /v1/vms/VB/stop            200 -
OP   POST   /v1/vms/VB/start           200 -
OP   POST   /v1/hosts/HOST2/cordon     200 -
OP   POST   /v1/hosts/HOST2/uncordon   200 -
OP   POST   /v1/tenants                403 {"name":"gamma"}
OP   POST   /v1/users                  403 {"name":"zed","role":"auditor"}
OP   GET    /v1/audit                  403 -
OP   GET    /metrics                   200 -
ADMIN POST  /v1/tenants                201 {"name":"gamma"}
ADMIN GET   /v1/audit/verify           200 -
TABLE
ok "$n role x route checks"

api GET /v1/vms "$TM"
[ "$(jqb '[.vms[].tenant] | unique | join(",")')" = acme ] || fail "mia sees other tenants' VMs: $BODY"
api GET /v1/tenants "$TM"
[ "$(jqb '[.tenants[].name] | join(",")')" = acme ] || fail "mia sees other tenants: $BODY"
api GET "/v1/hosts/$HOST" "$TM"
[ "$(jqb 'has("host") and (.host | has("topology") | not)')" = true ] || fail "a member sees a host's topology: $BODY"
[ "$(jqb '[.host.gpus[].allocations[] | select(.vm == "'"$VB"'")] | length')" = 0 ] || fail "a member sees beta's VM on the host"
[ "$(jqb '[.host.gpus[].pci] | map(select(. != null)) | length')" = 0 ] || fail "a member sees PCI addresses"
api GET "/v1/hosts/$HOST" "$ADMIN"
[ "$(jqb '.host | has("topology")')" = true ] || fail "the admin does not see the topology"
ok "lists and host details show a tenant only its own"

api GET /v1/audit "$TA"
[ "$(jqb '[.records[].tenant] | unique | join(",")')" = acme ] || fail "tom reads other tenants' audit records: $BODY"
api GET /v1/tokens "$TM"
[ "$(jqb '[.tokens[].user] | unique | join(",")')" = mia ] || fail "mia lists others' tokens: $BODY"
ok "audit records and tokens are scoped to the tenant"

# revoke: the token stops working at once, the owner's other token does not
api POST /v1/tokens "$TA" '{"user": "mia", "description": "second"}'
expect 201 "tom creates a token for mia"
TMB=$(jqb .token)
tid=$(jqb .id)
api GET /v1/vms "$TMB"
expect 200 "the new token works"
api DELETE "/v1/tokens/$tid" "$TM2"
expect 404 "ben cannot revoke mia's token"
api DELETE "/v1/tokens/$tid" "$TA"
expect 200 "tom revokes it"
api GET /v1/vms "$TMB"
expect 401 "a revoked token"
api GET /v1/vms "$TM"
expect 200 "mia's other token"
ok "token revocation takes effect at once and only on that token"
stop_daemon
