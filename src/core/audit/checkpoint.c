/* checkpoint.c - audit keys (Ed25519), their key text, and signing and checking checkpoints
 * (message format version 1, see audit.h). */
#include <sodium.h>
#include <string.h>

#include "gpuvm/audit.h"

_Static_assert(crypto_sign_SEEDBYTES == GV_AUDIT_SEED_LEN, "seed length");
_Static_assert(crypto_sign_PUBLICKEYBYTES == GV_AUDIT_PUBLIC_KEY_LEN, "public key length");
_Static_assert(crypto_sign_SECRETKEYBYTES == GV_AUDIT_SECRET_KEY_LEN, "secret key length");
_Static_assert(crypto_sign_BYTES == GV_AUDIT_SIG_LEN, "signature length");

/* The tag with its terminating zero byte: 25 bytes. */
static const char checkpoint_tag[] = "gpuvm-audit-checkpoint/1";
#define CHECKPOINT_MSG_LEN (sizeof(checkpoint_tag) + 8 + 8 + GV_AUDIT_HASH_LEN)
_Static_assert(CHECKPOINT_MSG_LEN == 73, "the documented checkpoint message length");

static const char key_magic[] = "gpuvm-audit-key/1 ";
#define KEY_MAGIC_LEN (sizeof(key_magic) - 1)
#define KEY_FAMILY "gpuvm-audit-key/"
_Static_assert(KEY_MAGIC_LEN + 2 * GV_AUDIT_SEED_LEN + 2 == GV_AUDIT_KEY_TEXT_LEN,
               "GV_AUDIT_KEY_TEXT_LEN");

static void
put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void
checkpoint_message(uint64_t seq, int64_t time_ms, const uint8_t head[GV_AUDIT_HASH_LEN],
                   uint8_t msg[CHECKPOINT_MSG_LEN])
{
    uint8_t *p = msg;

    memcpy(p, checkpoint_tag, sizeof(checkpoint_tag));
    p += sizeof(checkpoint_tag);
    put_u64(p, seq);
    put_u64(p + 8, (uint64_t)time_ms);
    memcpy(p + 16, head, GV_AUDIT_HASH_LEN);
}

void
gv_audit_key_generate(gv_audit_key *ret)
{
    uint8_t seed[GV_AUDIT_SEED_LEN];

    /* randombytes_buf cannot fail: libsodium aborts when the OS refuses entropy */
    randombytes_buf(seed, sizeof(seed));
    gv_audit_key_from_seed(seed, ret);
    sodium_memzero(seed, sizeof(seed));
}

void
gv_audit_key_from_seed(const uint8_t seed[GV_AUDIT_SEED_LEN], gv_audit_key *ret)
{
    crypto_sign_seed_keypair(ret->public_key, ret->secret_key, seed);
}

void
gv_audit_key_clear(gv_audit_key *k)
{
    if (k)
        sodium_memzero(k, sizeof(*k));
}

void
gv_audit_key_format(const gv_audit_key *k, char ret[GV_AUDIT_KEY_TEXT_LEN])
{
    memcpy(ret, key_magic, KEY_MAGIC_LEN);
    /* libsodium's secret key begins with the seed; sodium_bin2hex runs in constant time */
    sodium_bin2hex(ret + KEY_MAGIC_LEN, 2 * GV_AUDIT_SEED_LEN + 1, k->secret_key,
                   GV_AUDIT_SEED_LEN);
    ret[KEY_MAGIC_LEN + 2 * GV_AUDIT_SEED_LEN] = '\n';
    ret[KEY_MAGIC_LEN + 2 * GV_AUDIT_SEED_LEN + 1] = '\0';
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int
gv_audit_key_parse(const char *text, size_t len, gv_audit_key *ret, gv_err *err)
{
    static const char want[] = "want 'gpuvm-audit-key/1 <64 hex digits>'";
    uint8_t seed[GV_AUDIT_SEED_LEN];
    const char *hex;
    size_t n_hex = 0, bin_len = 0;
    const char *end = NULL;

    if (len < KEY_MAGIC_LEN || memcmp(text, key_magic, KEY_MAGIC_LEN)) {
        size_t fam = strlen(KEY_FAMILY), v = 0;

        /* "gpuvm-audit-key/<version>" with a version other than 1: a newer program's key */
        if (len > fam && !memcmp(text, KEY_FAMILY, fam)) {
            while (fam + v < len && text[fam + v] && !strchr(" \t\r\n", text[fam + v]))
                v++;
            if (v && !(v == 1 && text[fam] == '1'))
                return gv_err_set(err, GV_E_UNSUPPORTED, NULL, "unsupported audit key version (%s)",
                                  want);
        }
        return gv_err_set(err, GV_E_PARSE, NULL, "not an audit key (%s)", want);
    }
    hex = text + KEY_MAGIC_LEN;
    /* the seed is secret: say where the text goes wrong, never what it holds */
    while (KEY_MAGIC_LEN + n_hex < len && is_hex(hex[n_hex]))
        n_hex++;
    if (n_hex != 2 * GV_AUDIT_SEED_LEN)
        return gv_err_set(err, GV_E_PARSE, NULL,
                          "the audit key has %zu hex digits where 64 are wanted%s", n_hex,
                          n_hex < 2 * GV_AUDIT_SEED_LEN && KEY_MAGIC_LEN + n_hex < len
                              ? " (a character that is not a hex digit ends them)"
                              : "");
    if (len != KEY_MAGIC_LEN + n_hex && !(len == KEY_MAGIC_LEN + n_hex + 1 && hex[n_hex] == '\n'))
        return gv_err_set(err, GV_E_PARSE, NULL,
                          "the audit key has text after its 64 hex digits (%s)", want);
    if (sodium_hex2bin(seed, sizeof(seed), hex, n_hex, NULL, &bin_len, &end) != 0 ||
        bin_len != sizeof(seed) || end != hex + n_hex) {
        sodium_memzero(seed, sizeof(seed));
        return gv_err_set(err, GV_E_INTERNAL, NULL, "cannot decode the audit key's hex digits");
    }
    gv_audit_key_from_seed(seed, ret);
    sodium_memzero(seed, sizeof(seed));
    return 0;
}

void
gv_audit_checkpoint_sign(const gv_audit_key *k, uint64_t seq, int64_t time_ms,
                         const uint8_t head[GV_AUDIT_HASH_LEN], gv_audit_checkpoint *ret)
{
    uint8_t msg[CHECKPOINT_MSG_LEN];

    checkpoint_message(seq, time_ms, head, msg);
    ret->seq = seq;
    ret->time_ms = time_ms;
    memcpy(ret->head, head, GV_AUDIT_HASH_LEN);
    crypto_sign_detached(ret->sig, NULL, msg, sizeof(msg), k->secret_key);
}

bool
gv_audit_checkpoint_verify(const uint8_t public_key[GV_AUDIT_PUBLIC_KEY_LEN],
                           const gv_audit_checkpoint *c)
{
    uint8_t msg[CHECKPOINT_MSG_LEN];

    checkpoint_message(c->seq, c->time_ms, c->head, msg);
    return crypto_sign_verify_detached(c->sig, msg, sizeof(msg), public_key) == 0;
}
