#!/bin/sh
# tls.sh - gpuvmd over HTTPS (libmicrohttpd with GnuTLS): a self-signed certificate made here
# with certtool (Debian package gnutls-bin), the API answers over TLS with the right
# certificate, plain HTTP gets nothing, and a key that does not parse stops the start.
. "$(dirname "$0")/lib.sh"
command -v certtool >/dev/null || { echo "SKIP: certtool (gnutls-bin) is not installed"; exit 77; }
cd "$E2E_DIR"
certtool --generate-privkey --key-type ecdsa --outfile key.pem 2>/dev/null
cat > cert.tmpl <<'TMPL'
cn = "127.0.0.1"
ip_address = "127.0.0.1"
expiration_days = 2
tls_www_server
TMPL
certtool --generate-self-signed --load-privkey key.pem --template cert.tmpl --outfile cert.pem 2>/dev/null

"$GPUVMD" --listen 127.0.0.1:0 --data-dir "$DATA" --tls-cert cert.pem --tls-key key.pem \
    --import-fleet "$GV_SRCDIR/data/fleets/example.yaml" 2>>gpuvmd.log &
GPUVMD_PID=$!
for _ in $(seq 1 200); do
    [ -s "$DATA/port" ] && [ "$(curl -s --cacert cert.pem -o /dev/null -w '%{http_code}' "https://127.0.0.1:$(cat "$DATA/port")/readyz")" = 200 ] && break
    sleep 0.05
done
BASE="https://127.0.0.1:$(cat "$DATA/port")"
ADMIN=$(cat "$DATA/admin.token")
api GET /v1/hosts "$ADMIN" '' --cacert cert.pem
expect 200 "hosts over https"
ok "the API over HTTPS"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$DATA/port")/healthz" || true)
[ "$code" != 200 ] || fail "plain HTTP answered on the TLS port"
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)
[ "$code" != 200 ] || fail "curl accepted an unknown certificate"
ok "plain HTTP and an untrusted certificate get nothing"
stop_daemon

echo "not a key" > bad.pem
status=0
"$GPUVMD" --listen 127.0.0.1:0 --data-dir "$DATA" --tls-cert cert.pem --tls-key bad.pem 2> err || status=$?
[ "$status" != 0 ] || fail "a bad key started the daemon"
[ "$(wc -l < err)" -ge 1 ] && grep -q "TLS" err || fail "no error naming TLS: $(cat err)"
ok "a key that does not parse: the daemon does not start and says why"
