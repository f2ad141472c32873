/*
 * audit.h - the tamper-evident audit log: hash-chained records, Ed25519-signed checkpoints of the
 * chain head, and a streaming verifier that names the first bad sequence number.
 *
 * Design notes
 *
 * Definitions
 *   record      one state change: seq (1, 2, 3, ...), time_ms (the caller's clock: core reads no
 *               clock), actor, tenant ("" for platform-level actions), action, object, details (a
 *               JSON object text), prev_hash and hash.
 *   chain       records 1..n where record 1's prev_hash is 32 zero bytes, record k's prev_hash is
 *               record k-1's hash, and every record's hash is H(record) as encoded below.
 *   head        the hash of the last record; the genesis head (seq 0) is 32 zero bytes.
 *   checkpoint  (seq, time_ms, head, sig): an Ed25519 signature by the daemon's key over the head
 *               of the chain at seq. Records 1..seq of a chain that matches a valid checkpoint
 *               are authenticated: nobody without the secret key can rewrite them unnoticed.
 *
 * Record hash, format version 1. hash = BLAKE2b with a 32-byte output, no key, no salt, no
 * personalisation (libsodium: crypto_generichash(hash, 32, msg, len, NULL, 0)), of msg =
 *     "gpuvm-audit/1" 0x00      14 bytes: the domain tag and its terminating zero byte
 *     seq                       8 bytes, unsigned, big-endian
 *     time_ms                   8 bytes, big-endian two's complement (ms since the Unix epoch)
 *     len(actor)   actor        len: 8 bytes, unsigned, big-endian; then the len bytes
 *     len(tenant)  tenant       the same
 *     len(action)  action       the same
 *     len(object)  object       the same
 *     len(details) details      the same
 *     prev_hash                 32 bytes
 * A string is its bytes as stored, without the terminating NUL, neither normalised nor checked
 * (no UTF-8 or JSON canonicalisation: details is hashed as the text it is); a NULL pointer is
 * hashed as "". Every variable-length field carries its length, so two different records never
 * share an encoding ("ab" + "c" differs from "a" + "bc").
 *
 * Checkpoint signature, format version 1. sig = Ed25519 (RFC 8032, libsodium
 * crypto_sign_detached; 64 bytes) over the 73-byte message
 *     "gpuvm-audit-checkpoint/1" 0x00    25 bytes: the domain tag and its terminating zero byte
 *     seq                                8 bytes, unsigned, big-endian
 *     time_ms                            8 bytes, big-endian two's complement
 *     head                               32 bytes
 * A signature therefore binds the seq and the time as well as the head: moving a checkpoint to
 * another seq breaks it.
 *
 * Key text, version 1: "gpuvm-audit-key/1 " followed by the 32-byte Ed25519 seed as 64 hex digits
 * (written lower case; read in either case) and one "\n" (optional when read). The public key is
 * derived from the seed.
 *
 * Feeding the verifier. The store walks the records by seq and the checkpoints by seq, and merges
 * the two lists, a record before a checkpoint of the same seq: before each record R, feed every
 * checkpoint not yet fed with seq < R.seq; then R; then every checkpoint with seq == R.seq. After
 * the last record, feed the remaining checkpoints, then call gv_audit_verify_finish. Nothing is
 * kept per record, so the log can be any length.
 *
 * The verifier's rules. Let E be the seq the verifier expects next: 1 + the number of records
 * accepted so far, and the head the hash of record E-1 (zero for E = 1).
 *   1. A record is accepted when, checked in this order, (a) its seq is E ("sequence gap" when
 *      larger, "sequence out of order" when smaller), (b) its stored hash equals the hash
 *      recomputed from its fields ("hash mismatch"), (c) its prev_hash equals the head
 *      ("prev_hash does not link"). A rejected record's first_bad_seq is E: records
 *      1..first_bad_seq-1 always form a valid chain.
 *   2. A checkpoint at seq S is judged against the head at S, which must be the last accepted
 *      record (S = E-1). S above E-1 means records E.. are missing ("records missing after seq
 *      E-1 (checkpoint at S)", first_bad_seq E). S below E-1, or not above the previous
 *      checkpoint's, is "checkpoint out of order" (the merge above never feeds one so). Then,
 *      with a public key, its signature ("checkpoint signature invalid"), then its head
 *      ("checkpoint head differs": a record after the previous good checkpoint, up to S, was
 *      changed and the hashes after it recomputed; or, with no public key to tell, the
 *      checkpoint itself was changed). For these three first_bad_seq is S, or 1 when S is 0
 *      (the empty log's checkpoint), since 0 means "ok". Without a public key signatures are
 *      not checked: a forged checkpoint with the right head passes.
 *   3. At the end, with expected_last_seq > 0 (the daemon's own idea of the head, kept outside
 *      the database): fewer records is "records missing after seq E-1 (expected last seq M)"
 *      (first_bad_seq E), more is "records beyond the expected last seq M" (first_bad_seq M+1).
 *   4. Only the first failure counts: later input is counted (n_records, n_checkpoints) but not
 *      judged, and the report keeps the first reason and first_bad_seq.
 *   Record times are not judged (clocks step backwards); their integrity is the hash's.
 *
 * What each tampering of the database yields (k: the seq of the record as it was written; the
 * store returns rows by seq, the primary key, so rows can only be renumbered, never reordered):
 *   a field of record k edited (time, strings, prev_hash)         k    hash mismatch
 *   the stored hash of record k edited                            k    hash mismatch
 *   record k's seq moved past the end                             k    sequence gap (or records
 *                                                                      missing, when a checkpoint
 *                                                                      sits at seq k)
 *   record k's seq set to 0 (it sorts first)                      1    sequence out of order
 *   record k deleted, k not the last                              k    sequence gap (or records
 *                                                                      missing, when a checkpoint
 *                                                                      sits at seq k)
 *   records k..n deleted, a checkpoint at a seq >= k              k    records missing
 *   a record inserted at k (later ones renumbered), which does
 *     not continue the chain (wrong prev_hash or hash)            k    prev_hash / hash
 *     continues the chain, a checkpoint at seq k                  k    checkpoint head differs
 *     continues the chain, no checkpoint at seq k                 k+1  hash mismatch (record k,
 *                                                                      renumbered k+1, no longer
 *                                                                      matches its hash)
 *   record k copied in after itself (later ones renumbered)       k+1  hash mismatch
 *   records j < k swapped (contents; seqs stay in place)          j    hash mismatch
 *   records k.. rewritten with every hash recomputed              S    checkpoint head differs, S
 *                                                                      the first checkpoint >= k
 *   a checkpoint at S forged or moved to S (no secret key)        S    checkpoint signature (with
 *                                                                      a public key; without one
 *                                                                      only a head that differs
 *                                                                      is seen)
 *   a genuine checkpoint of another chain replayed at its seq S   S    checkpoint head differs
 * In a stream from elsewhere (an export, where rows carry their seq in any order) a record
 * duplicated in place is caught at k+1 (sequence out of order), two whole rows j < k swapped at j
 * (sequence gap), and a chain-continuing record inserted before record k without renumbering at k
 * with a checkpoint at k, else at k+1 (sequence out of order).
 * Not detectable from the log alone: records rewritten after the last checkpoint with hashes
 * recomputed, records appended or the tail truncated after the last checkpoint (pass
 * expected_last_seq to gv_audit_verify_finish to catch both of the latter), a checkpoint deleted.
 *
 * libsodium must be initialised by the program (sodium_init) before any of this is used; core
 * keeps no state of its own and never reads the clock. Only gv_audit_key_generate asks the OS for
 * anything (random bytes).
 */
#ifndef GPUVM_AUDIT_H
#define GPUVM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpuvm/err.h"

#define GV_AUDIT_HASH_LEN 32                              /* BLAKE2b-256 */
#define GV_AUDIT_HASH_HEX_LEN (2 * GV_AUDIT_HASH_LEN + 1) /* hex digits + NUL */
#define GV_AUDIT_SEED_LEN 32                              /* Ed25519 seed */
#define GV_AUDIT_PUBLIC_KEY_LEN 32
#define GV_AUDIT_SECRET_KEY_LEN 64 /* libsodium's form: seed, then public key */
#define GV_AUDIT_SIG_LEN 64
#define GV_AUDIT_KEY_TEXT_LEN 84 /* "gpuvm-audit-key/1 " + 64 hex digits + "\n" + NUL */
#define GV_AUDIT_TEXT_MAX 128    /* a report's reason text, NUL included */

/* ---- records and the chain --------------------------------------------------------------- */

typedef struct gv_audit_record {
    uint64_t seq;        /* 1, 2, 3, ... */
    int64_t time_ms;     /* ms since the Unix epoch, from the caller's clock */
    const char *actor;   /* borrowed; the principal ("alice", "system") */
    const char *tenant;  /* borrowed; "" for platform-level actions */
    const char *action;  /* borrowed; "vm.create", "host.cordon", ... */
    const char *object;  /* borrowed; what it acted on ("vm/abc", "host/h1") */
    const char *details; /* borrowed; a JSON object text, hashed as is */
    uint8_t prev_hash[GV_AUDIT_HASH_LEN];
    uint8_t hash[GV_AUDIT_HASH_LEN];
} gv_audit_record;

/* The head of a chain: the last record's seq and hash (0 and zero bytes: the genesis). */
typedef struct gv_audit_chain {
    uint64_t seq;
    uint8_t head[GV_AUDIT_HASH_LEN];
} gv_audit_chain;

/* The hash of @r's fields (seq .. prev_hash, never r->hash) by the encoding above, into @ret. */
void gv_audit_record_hash(const gv_audit_record *r, uint8_t ret[GV_AUDIT_HASH_LEN]);

/* The genesis: seq 0, zero head. A daemon resuming a log sets seq and head from its last row. */
void gv_audit_chain_init(gv_audit_chain *c);

/* Chain @r (whose seq, prev_hash and hash are overwritten) onto @c: r->seq = c->seq + 1,
 * r->prev_hash = c->head, r->hash computed; then @c advances to @r. */
void gv_audit_chain_append(gv_audit_chain *c, gv_audit_record *r);

/* ---- hex ------------------------------------------------------------------------------------ */

/* @n bytes of @bin as 2n lower-case hex digits and a NUL into @ret (2n+1 bytes). */
void gv_audit_hex(const uint8_t *bin, size_t n, char *ret);

/*
 * Exactly 2n hex digits (either case, nothing else) into the @n bytes of @ret.
 * Returns: 0; -GV_E_PARSE when @hex is anything else (@ret untouched). The message quotes @hex
 * (cut to 80 characters): do not use it for secrets, gv_audit_key_parse never quotes.
 */
int gv_audit_hex_parse(const char *hex, uint8_t *ret, size_t n, gv_err *err);

/* ---- keys and checkpoints ------------------------------------------------------------------- */

typedef struct gv_audit_key {
    uint8_t public_key[GV_AUDIT_PUBLIC_KEY_LEN];
    uint8_t secret_key[GV_AUDIT_SECRET_KEY_LEN];
} gv_audit_key;

typedef struct gv_audit_checkpoint {
    uint64_t seq;                    /* the last record it covers (0: the empty log) */
    int64_t time_ms;                 /* when it was signed, from the caller's clock */
    uint8_t head[GV_AUDIT_HASH_LEN]; /* the hash of record seq */
    uint8_t sig[GV_AUDIT_SIG_LEN];   /* Ed25519 over the message above */
} gv_audit_checkpoint;

/* A new random key, from the OS's random bytes through libsodium (which aborts when the OS has
 * none to give). */
void gv_audit_key_generate(gv_audit_key *ret);

/* The key of @seed: the same seed always gives the same key (tests, key files). */
void gv_audit_key_from_seed(const uint8_t seed[GV_AUDIT_SEED_LEN], gv_audit_key *ret);

/* Wipe @k (sodium_memzero); NULL is fine. */
void gv_audit_key_clear(gv_audit_key *k);

/* The key text of @k ("gpuvm-audit-key/1 <64 hex digits>\n") into @ret. It holds the secret. */
void gv_audit_key_format(const gv_audit_key *k, char ret[GV_AUDIT_KEY_TEXT_LEN]);

/*
 * Read a key text (@len bytes, no NUL needed) into @ret. Messages never quote the text.
 * Returns: 0; -GV_E_PARSE when it is not "gpuvm-audit-key/1 " + 64 hex digits + an optional
 * "\n" (@ret untouched); -GV_E_UNSUPPORTED for another version ("gpuvm-audit-key/2 ...").
 */
int gv_audit_key_parse(const char *text, size_t len, gv_audit_key *ret, gv_err *err);

/* Sign the head @head of the chain at @seq, at @time_ms, into @ret (all four fields). */
void gv_audit_checkpoint_sign(const gv_audit_key *k, uint64_t seq, int64_t time_ms,
                              const uint8_t head[GV_AUDIT_HASH_LEN], gv_audit_checkpoint *ret);

/* Is @c's signature valid for its seq, time and head under @public_key? */
bool gv_audit_checkpoint_verify(const uint8_t public_key[GV_AUDIT_PUBLIC_KEY_LEN],
                                const gv_audit_checkpoint *c);

/* ---- the streaming verifier ----------------------------------------------------------------- */

typedef enum gv_audit_reason {
    GV_AUDIT_REASON_NONE,             /* "none": the log verifies */
    GV_AUDIT_REASON_HASH,             /* "hash-mismatch" */
    GV_AUDIT_REASON_LINK,             /* "prev-hash-unlinked" */
    GV_AUDIT_REASON_GAP,              /* "seq-gap" */
    GV_AUDIT_REASON_ORDER,            /* "seq-order" */
    GV_AUDIT_REASON_SIGNATURE,        /* "checkpoint-signature" */
    GV_AUDIT_REASON_HEAD,             /* "checkpoint-head" */
    GV_AUDIT_REASON_CHECKPOINT_ORDER, /* "checkpoint-order" */
    GV_AUDIT_REASON_MISSING,          /* "records-missing" */
    GV_AUDIT_REASON_UNEXPECTED,       /* "records-unexpected" */
    GV_AUDIT_REASON_LAST
} gv_audit_reason;

const char *gv_audit_reason_to_string(gv_audit_reason r);
int gv_audit_reason_from_string(const char *s); /* -1 when unknown */

typedef struct gv_audit_report {
    bool ok;                         /* no failure so far (and, after finish, none at all) */
    gv_audit_reason reason;          /* GV_AUDIT_REASON_NONE when ok */
    uint64_t first_bad_seq;          /* 0 when ok; see the rules above */
    char text[GV_AUDIT_TEXT_MAX];    /* "" when ok; "sequence gap (expected 5, got 7)" */
    uint64_t n_records;              /* records fed, judged or not */
    uint64_t n_checkpoints;          /* checkpoints fed, judged or not */
    uint64_t verified_seq;           /* records 1..verified_seq were accepted as a chain */
    uint8_t head[GV_AUDIT_HASH_LEN]; /* the hash of record verified_seq */
    uint64_t signed_seq; /* the last checkpoint that verified with its signature: records
                            1..signed_seq are authenticated by the key (0: none, or no key) */
} gv_audit_report;

/* A plain struct so that it lives on the caller's stack; read only its report. */
typedef struct gv_audit_verifier {
    gv_audit_report report; /* the verdict so far; final after gv_audit_verify_finish */
    /* private */
    bool has_key;
    uint8_t public_key[GV_AUDIT_PUBLIC_KEY_LEN];
    bool has_checkpoint;
    uint64_t last_checkpoint_seq;
    bool finished;
} gv_audit_verifier;

/* Start a verification of a log from its genesis; @public_key (32 bytes) or NULL to leave
 * checkpoint signatures unchecked. */
void gv_audit_verifier_init(gv_audit_verifier *v, const uint8_t *public_key);

/*
 * Feed the next record in the order described above. @r is read, not kept.
 * Returns: 0 while the log verifies; 1 once it does not (now or earlier: v->report says where);
 * -GV_E_INVAL after gv_audit_verify_finish.
 */
int gv_audit_verify_record(gv_audit_verifier *v, const gv_audit_record *r, gv_err *err);

/* Feed the next checkpoint in the order described above. Returns as gv_audit_verify_record. */
int gv_audit_verify_checkpoint(gv_audit_verifier *v, const gv_audit_checkpoint *c, gv_err *err);

/*
 * End of input; @expected_last_seq is the seq the log should end at, or 0 when unknown.
 * Returns: 0 when the whole log verifies; 1 when it does not (v->report); -GV_E_INVAL when
 * called twice.
 */
int gv_audit_verify_finish(gv_audit_verifier *v, uint64_t expected_last_seq, gv_err *err);

#endif
