/*
 * test_checkpoint.c - audit keys and signed checkpoints: the RFC 8032 key for the RFC's seed; the
 * signature over the documented 73-byte message (rebuilt here by hand, and pinned to what an
 * independent Ed25519, Python's cryptography, signs); a wrong key and every flipped bit of the
 * signature, head, seq and time refused; the key text round-trips and every malformed text is
 * refused with its code, the key untouched and the secret never quoted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/audit.h"

/* RFC 8032 section 7.1, TEST 1 */
static const char rfc_seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_public[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

static void
rfc_key(gv_audit_key *k)
{
    uint8_t seed[GV_AUDIT_SEED_LEN];

    assert_int_equal(gv_audit_hex_parse(rfc_seed, seed, sizeof(seed), NULL), 0);
    gv_audit_key_from_seed(seed, k);
}

static void
test_key_from_seed(void **state)
{
    gv_audit_key k, k2;
    char hex[2 * GV_AUDIT_PUBLIC_KEY_LEN + 1];

    (void)state;
    rfc_key(&k);
    gv_audit_hex(k.public_key, sizeof(k.public_key), hex);
    assert_string_equal(hex, rfc_public);
    rfc_key(&k2);
    assert_memory_equal(&k, &k2, sizeof(k));
    gv_audit_key_generate(&k2);
    assert_memory_not_equal(k.public_key, k2.public_key, sizeof(k.public_key));
    gv_audit_key_clear(&k2);
    for (size_t i = 0; i < sizeof(k2); i++)
        assert_int_equal(((uint8_t *)&k2)[i], 0);
    gv_audit_key_clear(NULL);
}

static void
test_sign_known_answer(void **state)
{
    static const uint8_t tag[25] = "gpuvm-audit-checkpoint/1";       /* and its zero byte */
    static const uint8_t seq_be[8] = {0, 0, 0, 0, 0, 0, 0x03, 0xe8}; /* 1000 */
    static const uint8_t time_be[8] = {0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b}; /* below */
    uint8_t head[GV_AUDIT_HASH_LEN], msg[73];
    char sig_hex[2 * GV_AUDIT_SIG_LEN + 1];
    gv_audit_checkpoint c;
    gv_audit_key k;

    (void)state;
    assert_int_equal((uint64_t)1700000000123LL, 0x0000018bcfe5687bULL);
    for (int i = 0; i < GV_AUDIT_HASH_LEN; i++)
        head[i] = (uint8_t)(0x80 + i);
    rfc_key(&k);
    gv_audit_checkpoint_sign(&k, 1000, 1700000000123LL, head, &c);
    assert_int_equal(c.seq, 1000);
    assert_int_equal(c.time_ms, 1700000000123LL);
    assert_memory_equal(c.head, head, sizeof(head));
    memcpy(msg, tag, 25);
    memcpy(msg + 25, seq_be, 8);
    memcpy(msg + 33, time_be, 8);
    memcpy(msg + 41, head, 32);
    assert_int_equal(crypto_sign_verify_detached(c.sig, msg, sizeof(msg), k.public_key), 0);
    gv_audit_hex(c.sig, sizeof(c.sig), sig_hex);
    assert_string_equal(sig_hex,
                        "5a931f301c5fb364477d0b4591b611e81f5e05798560a1c884bd01526f0deb70"
                        "6a877fb7f54f568dfc59cdd644e72e7e4c650943349b8435d49e348b3b749a0e");
    assert_true(gv_audit_checkpoint_verify(k.public_key, &c));
}

static void
test_tampered_refused(void **state)
{
    uint8_t head[GV_AUDIT_HASH_LEN], seed[GV_AUDIT_SEED_LEN];
    gv_audit_checkpoint c, t;
    gv_audit_key k, other;

    (void)state;
    for (int i = 0; i < GV_AUDIT_HASH_LEN; i++)
        head[i] = (uint8_t)(i * 7);
    memset(seed, 1, sizeof(seed));
    gv_audit_key_from_seed(seed, &k);
    seed[31] ^= 1;
    gv_audit_key_from_seed(seed, &other);
    gv_audit_checkpoint_sign(&k, 42, -5, head, &c);
    assert_true(gv_audit_checkpoint_verify(k.public_key, &c));
    assert_false(gv_audit_checkpoint_verify(other.public_key, &c));
    gv_audit_checkpoint_sign(&other, 42, -5, head, &t); /* the right message, the wrong signer */
    assert_false(gv_audit_checkpoint_verify(k.public_key, &t));
    for (int bit = 0; bit < 8 * GV_AUDIT_SIG_LEN; bit++) {
        t = c;
        t.sig[bit / 8] ^= (uint8_t)(1u << bit % 8);
        if (gv_audit_checkpoint_verify(k.public_key, &t))
            fail_msg("signature bit %d flipped and still valid", bit);
    }
    for (int bit = 0; bit < 8 * GV_AUDIT_HASH_LEN; bit++) {
        t = c;
        t.head[bit / 8] ^= (uint8_t)(1u << bit % 8);
        if (gv_audit_checkpoint_verify(k.public_key, &t))
            fail_msg("head bit %d flipped and still valid", bit);
    }
    for (int bit = 0; bit < 64; bit++) {
        t = c;
        t.seq ^= 1ULL << bit;
        if (gv_audit_checkpoint_verify(k.public_key, &t))
            fail_msg("seq bit %d flipped and still valid", bit);
        t = c;
        t.time_ms = (int64_t)((uint64_t)t.time_ms ^ 1ULL << bit);
        if (gv_audit_checkpoint_verify(k.public_key, &t))
            fail_msg("time bit %d flipped and still valid", bit);
    }
    /* an all-zero public key is no key at all */
    {
        uint8_t zero[GV_AUDIT_PUBLIC_KEY_LEN] = {0};

        assert_false(gv_audit_checkpoint_verify(zero, &c));
    }
}

static void
test_key_text_roundtrip(void **state)
{
    char text[GV_AUDIT_KEY_TEXT_LEN], again[GV_AUDIT_KEY_TEXT_LEN];
    gv_audit_key k, back;
    gv_err err = {0};

    (void)state;
    rfc_key(&k);
    gv_audit_key_format(&k, text);
    assert_string_equal(text, "gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919"
                              "703bac031cae7f60\n");
    assert_int_equal(strlen(text) + 1, GV_AUDIT_KEY_TEXT_LEN);
    for (int i = 0; i < 200; i++) {
        if (i)
            gv_audit_key_generate(&k);
        gv_audit_key_format(&k, text);
        memset(&back, 0, sizeof(back));
        if (gv_audit_key_parse(text, strlen(text), &back, &err) != 0)
            fail_msg("own key text refused: %s", err.msg);
        assert_memory_equal(&back, &k, sizeof(k));
        gv_audit_key_format(&back, again);
        assert_string_equal(again, text);
        /* without the newline, and in upper case, it reads the same */
        assert_int_equal(gv_audit_key_parse(text, strlen(text) - 1, &back, NULL), 0);
        assert_memory_equal(&back, &k, sizeof(k));
        for (char *p = again + 18; *p; p++)
            if (*p >= 'a' && *p <= 'f')
                *p = (char)(*p - 'a' + 'A');
        assert_int_equal(gv_audit_key_parse(again, strlen(again), &back, NULL), 0);
        assert_memory_equal(&back, &k, sizeof(k));
    }
}

static void
test_key_text_malformed(void **state)
{
    static const char good[] = "gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919"
                               "703bac031cae7f60\n";
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        int code;
        const char *msg;
    } cases[] = {
        {"", 0, GV_E_PARSE, "not an audit key"},
        {"gpuvm-audit-key/1", 0, GV_E_PARSE, "not an audit key"},
        {"gpuvm-audit-key/1\t9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n", 0,
         GV_E_PARSE, "not an audit key"},
        {" gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n", 0,
         GV_E_PARSE, "not an audit key"},
        {"GPUVM-AUDIT-KEY/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n", 0,
         GV_E_PARSE, "not an audit key"},
        {"-----BEGIN PRIVATE KEY-----\n", 0, GV_E_PARSE, "not an audit key"},
        {"gpuvm-audit-key/2 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n", 0,
         GV_E_UNSUPPORTED, "unsupported audit key version"},
        {"gpuvm-audit-key/1 ", 0, GV_E_PARSE, "has 0 hex digits where 64 are wanted"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f6\n", 0,
         GV_E_PARSE, "has 63 hex digits where 64 are wanted (a character"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f600\n", 0,
         GV_E_PARSE, "has 65 hex digits"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b32691g703bac031cae7f60\n", 0,
         GV_E_PARSE, "has 47 hex digits"},
        {"gpuvm-audit-key/1  9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n", 0,
         GV_E_PARSE, "has 0 hex digits"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n\n",
         0, GV_E_PARSE, "text after its 64 hex digits"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\r\n",
         0, GV_E_PARSE, "text after its 64 hex digits"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60 \n", 0,
         GV_E_PARSE, "text after its 64 hex digits"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\0\n",
         84, GV_E_PARSE, "text after its 64 hex digits"},
        {"gpuvm-audit-key/1 9d61b19deffd5a60ba844af492ec2cc4\0"
         "4449c5697b326919703bac031cae7f60\n",
         83, GV_E_PARSE, "has 32 hex digits"},
    };
    gv_audit_key k, orig;

    (void)state;
    memset(&orig, 0x3c, sizeof(orig));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        gv_err err = {0};
        int rc;

        k = orig;
        rc = gv_audit_key_parse(cases[i].text, len, &k, &err);
        if (rc != -cases[i].code || err.code != cases[i].code || !strstr(err.msg, cases[i].msg))
            fail_msg("case %zu: rc %d, '%s'; want -%d, '%s'", i, rc, err.msg, cases[i].code,
                     cases[i].msg);
        assert_memory_equal(&k, &orig, sizeof(k));
        /* the secret never appears in a message, not even a piece of it */
        assert_null(strstr(err.msg, "9d61b19d"));
        assert_null(strstr(err.msg, "cae7f6"));
    }
    /* every proper prefix of a good text is refused, and the whole text accepted */
    for (size_t len = 0; len < strlen(good) - 1; len++)
        if (gv_audit_key_parse(good, len, &k, NULL) >= 0)
            fail_msg("the first %zu bytes of a key text accepted", len);
    assert_int_equal(gv_audit_key_parse(good, strlen(good), &k, NULL), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_from_seed),      cmocka_unit_test(test_sign_known_answer),
        cmocka_unit_test(test_tampered_refused),   cmocka_unit_test(test_key_text_roundtrip),
        cmocka_unit_test(test_key_text_malformed),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
