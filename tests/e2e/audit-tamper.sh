#!/bin/sh
# audit-tamper.sh - `gpuvm audit verify --db`, offline, on copies of a real gpuvmd's database:
# the untouched copy verifies; each tampering (a record edited, deleted, two swapped, a forged
# record appended, the tail after a checkpoint deleted, a checkpoint's signature forged) is
# caught at the sequence number include/gpuvm/audit.h says; a file that is not a database is
# bad input.
. "$(dirname "$0")/lib.sh"

unset GPUVM_SERVER GPUVM_TOKEN GPUVM_CACERT
export XDG_CONFIG_HOME="$E2E_DIR/config"
printf 'checkpoint_every: 5\n' >"$E2E_DIR/gpuvmd.yaml"
start_daemon --config "$E2E_DIR/gpuvmd.yaml"


for t in acme beta gamma delta; do
    run 0 "tenant $t" g tenant create "$t"
done
for i in 1 2 3 4 5 6 7 8; do
    t=$(echo "acme beta gamma delta" | cut -d' ' -f$(((i - 1) % 4 + 1)))
    run 0 "vm $i" g vm create "nb$i" --flavor notebook --tenant "$t"
done
run 0 "stop" g vm stop nb1 --tenant acme
run 0 "delete" g vm delete nb2 --tenant beta
run 0 "audit verify over the API" g audit verify
stop_daemon

DB=$DATA/gpuvm.db
KEY=$DATA/audit.key
q() { # q DB SQL
    sqlite3 "$1" "$2"
}
n=$(q "$DB" 'SELECT count(*) FROM audit')
last=$(q "$DB" 'SELECT max(seq) FROM audit')
cps=$(q "$DB" 'SELECT seq FROM audit_checkpoints ORDER BY seq' | tr '\n' ' ')
n_cps=$(q "$DB" 'SELECT count(*) FROM audit_checkpoints')
[ "$n" -ge 20 ] && [ "$n" = "$last" ] || fail "expected >= 20 records 1..n, got $n (last $last)"
[ "$n_cps" -ge 3 ] || fail "expected >= 3 checkpoints with checkpoint_every 5, got: $cps"
c1=$(echo "$cps" | cut -d' ' -f1)
c2=$(echo "$cps" | cut -d' ' -f2)
ok "$n records, checkpoints at $cps"

k=0
copy() { # copy: a fresh copy of the database in a directory of its own, its path in $COPY
    k=$((k + 1))
    mkdir -p "$E2E_DIR/copy$k"
    COPY=$E2E_DIR/copy$k/gpuvm.db
    cp "$DB" "$COPY"
    if [ -f "$DB-wal" ]; then cp "$DB-wal" "$COPY-wal"; fi
}
verify() { # verify RC WHAT [options]: gpuvm audit verify --db $COPY --key $KEY
    want=$1 what=$2
    shift 2
    run "$want" "$what" "$GPUVM" audit verify --db "$COPY" --key "$KEY" "$@"
}

copy
verify 0 "the untouched copy"
[ "$OUT" = "ok: $n records, $n_cps checkpoints" ] || fail "untouched: $OUT"
cp "$KEY" "$E2E_DIR/copy$k/audit.key"
run 0 "the key beside the database" "$GPUVM" audit verify --db "$COPY"
[ "$OUT" = "ok: $n records, $n_cps checkpoints" ] || fail "the key beside it: $OUT"
copy
run 0 "no key" "$GPUVM" audit verify --db "$COPY"
[ "$OUT" = "ok: $n records, $n_cps checkpoints (signatures not checked: no key)" ] ||
    fail "without a key: $OUT"
verify 0 "json" --format json
[ "$(printf '%s' "$OUT" | jq -c '[.ok, .records, .checkpoints, .signatures_checked]')" = \
    "[true,$n,$n_cps,true]" ] || fail "--format json: $OUT"
ok "the untouched copy verifies, with the key given, beside it, or none (and says so)"

# tampered K WHY: the verdict names K as the first bad seq, and WHY (a prefix of the reason)
tampered() {
    case "$OUT" in
    "tampered: first bad seq $1: $2"*) ;;
    *) fail "expected 'tampered: first bad seq $1: $2...', got: $OUT" ;;
    esac
}

copy
q "$COPY" "UPDATE audit SET details = '{\"forged\":true}' WHERE seq = 7"
verify 1 "a record's details edited"
tampered 7 "hash mismatch"
run 1 "json" "$GPUVM" audit verify --db "$COPY" --key "$KEY" --format json
[ "$(printf '%s' "$OUT" | jq -c '[.ok, .first_bad_seq, .reason]')" = '[false,7,"hash-mismatch"]' ] ||
    fail "--format json of a tampered log: $OUT"
ok "a record's details edited: first bad seq 7"

# record K deleted: a sequence gap; where a checkpoint sits at K, records missing (audit.h)
for d in 11 12 13 14; do
    case " $cps" in *" $d "*) ;; *) break ;; esac
done
copy
q "$COPY" "DELETE FROM audit WHERE seq = $d"
verify 1 "a record deleted in the middle"
tampered "$d" "sequence gap (expected $d, got $((d + 1)))"
copy
q "$COPY" "DELETE FROM audit WHERE seq = $c2"
verify 1 "the record of a checkpoint deleted"
tampered "$c2" "records missing after seq $((c2 - 1)) (checkpoint at $c2)"
ok "record $d deleted: first bad seq $d; record $c2 (checkpointed) deleted: $c2"

copy
q "$COPY" "CREATE TABLE t AS SELECT * FROM audit WHERE seq IN (4, 9);
UPDATE audit SET (time_ms, actor, tenant, action, object, details, prev_hash, hash) =
  (SELECT time_ms, actor, tenant, action, object, details, prev_hash, hash FROM t
   WHERE t.seq = CASE audit.seq WHEN 4 THEN 9 ELSE 4 END) WHERE seq IN (4, 9);
DROP TABLE t;"
[ "$(q "$COPY" 'SELECT action FROM audit WHERE seq = 4')" = \
    "$(q "$DB" 'SELECT action FROM audit WHERE seq = 9')" ] || fail "the swap did not happen"
verify 1 "records 4 and 9 swapped"
tampered 4 "hash mismatch"
ok "records 4 and 9 swapped: first bad seq 4"

# A forged record appended: its own hash right (BLAKE2b-256 of the encoding in audit.h), its
# prev_hash wrong. The encoder is checked first on a genuine record, so a wrong one cannot pass
# for a verifier that catches the forgery.
be64() { # be64 N: 8 bytes, big-endian
    v=$1 s=
    for _ in 1 2 3 4 5 6 7 8; do
        s="$(printf '\\%03o' $((v & 255)))$s"
        v=$((v >> 8))
    done
    printf "$s"
}
str() { # str S: its length (8 bytes) and its bytes
    be64 "$(printf '%s' "$1" | wc -c)"
    printf '%s' "$1"
}
hex2bin() {
    printf "$(printf '%s' "$1" | sed 's/../& /g' | awk '{
        for (i = 1; i <= NF; i++) {
            h = tolower($i)
            hi = index("0123456789abcdef", substr(h, 1, 1)) - 1
            lo = index("0123456789abcdef", substr(h, 2, 1)) - 1
            printf "\\%03o", hi * 16 + lo
        }
    }')"
}
record_hash() { # record_hash SEQ TIME ACTOR TENANT ACTION OBJECT DETAILS PREV_HEX
    {
        printf 'gpuvm-audit/1\000'
        be64 "$1"
        be64 "$2"
        str "$3"
        str "$4"
        str "$5"
        str "$6"
        str "$7"
        hex2bin "$8"
    } | b2sum -l 256 | cut -d' ' -f1
}
field() { # field SEQ COLUMN
    q "$DB" "SELECT $2 FROM audit WHERE seq = $1"
}
s=5
[ "$(record_hash $s "$(field $s time_ms)" "$(field $s actor)" "$(field $s tenant)" \
    "$(field $s action)" "$(field $s object)" "$(field $s details)" \
    "$(field $s 'hex(prev_hash)')")" = "$(field $s 'lower(hex(hash))')" ] ||
    fail "the test's hash encoder does not match record $s"
copy
wrong=1111111111111111111111111111111111111111111111111111111111111111
forged=$(record_hash $((last + 1)) "$(field "$last" time_ms)" mallory "" vm.delete vm/forged '{}' "$wrong")
q "$COPY" "INSERT INTO audit VALUES ($((last + 1)), $(field "$last" time_ms), 'mallory', '',
  'vm.delete', 'vm/forged', '{}', X'$wrong', X'$forged')"
verify 1 "a forged record appended"
tampered $((last + 1)) "prev_hash does not link"
ok "a forged record appended with a wrong prev_hash: first bad seq $((last + 1))"

copy
q "$COPY" "DELETE FROM audit WHERE seq > $c1"
verify 1 "the tail after checkpoint $c1 deleted"
tampered $((c1 + 1)) "records missing after seq $c1"
ok "records after checkpoint $c1 deleted: first bad seq $((c1 + 1))"

copy
q "$COPY" "UPDATE audit_checkpoints SET sig = zeroblob(64) WHERE seq = $c2"
verify 1 "a forged checkpoint signature"
tampered "$c2" "checkpoint signature invalid"
run 0 "the same without a key" "$GPUVM" audit verify --db "$COPY"
case "$OUT" in *"signatures not checked"*) ;; *) fail "without a key: $OUT" ;; esac
ok "checkpoint $c2's signature forged: first bad seq $c2 (unseen without the key, as it says)"

printf 'this is not a database, just text\n' >"$E2E_DIR/notdb"
run 2 "not a database" "$GPUVM" audit verify --db "$E2E_DIR/notdb" --key "$KEY"
[ "$(wc -l <"$E2E_DIR/err")" = 1 ] || fail "not a database: expected one line: $ERR"
case "$ERR" in "gpuvm: $E2E_DIR/notdb: "*) ;; *) fail "not a database: $ERR" ;; esac
: >"$E2E_DIR/empty.db"
run 2 "an empty file" "$GPUVM" audit verify --db "$E2E_DIR/empty.db"
run 2 "no such file" "$GPUVM" audit verify --db "$E2E_DIR/nope.db"
printf 'gpuvm-audit-key/1 not-hex\n' >"$E2E_DIR/bad.key"
run 2 "a bad key" "$GPUVM" audit verify --db "$COPY" --key "$E2E_DIR/bad.key"
run 2 "--key without --db" "$GPUVM" audit verify --key "$KEY"
ok "not a database, an empty file, no file, a bad key: exit 2 with one line"
