/* record.c - the record hash (format version 1, see audit.h), chaining records, and hex. */
#include <sodium.h>
#include <string.h>

#include "gpuvm/audit.h"

_Static_assert(crypto_generichash_BYTES_MIN <= GV_AUDIT_HASH_LEN &&
                   GV_AUDIT_HASH_LEN <= crypto_generichash_BYTES_MAX,
               "BLAKE2b cannot give GV_AUDIT_HASH_LEN bytes");

/* The tag with its terminating zero byte: 14 bytes. */
static const char record_tag[] = "gpuvm-audit/1";

static void
put_u64(crypto_generichash_state *st, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    crypto_generichash_update(st, b, sizeof(b));
}

static void
put_str(crypto_generichash_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    put_u64(st, (uint64_t)n);
    if (n)
        crypto_generichash_update(st, (const unsigned char *)s, n);
}

void
gv_audit_record_hash(const gv_audit_record *r, uint8_t ret[GV_AUDIT_HASH_LEN])
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, NULL, 0, GV_AUDIT_HASH_LEN);
    crypto_generichash_update(&st, (const unsigned char *)record_tag, sizeof(record_tag));
    put_u64(&st, r->seq);
    put_u64(&st, (uint64_t)r->time_ms); /* two's complement, by C's conversion rule */
    put_str(&st, r->actor);
    put_str(&st, r->tenant);
    put_str(&st, r->action);
    put_str(&st, r->object);
    put_str(&st, r->details);
    crypto_generichash_update(&st, r->prev_hash, GV_AUDIT_HASH_LEN);
    crypto_generichash_final(&st, ret, GV_AUDIT_HASH_LEN);
}

void
gv_audit_chain_init(gv_audit_chain *c)
{
    memset(c, 0, sizeof(*c));
}

void
gv_audit_chain_append(gv_audit_chain *c, gv_audit_record *r)
{
    r->seq = c->seq + 1;
    memcpy(r->prev_hash, c->head, GV_AUDIT_HASH_LEN);
    gv_audit_record_hash(r, r->hash);
    c->seq = r->seq;
    memcpy(c->head, r->hash, GV_AUDIT_HASH_LEN);
}

void
gv_audit_hex(const uint8_t *bin, size_t n, char *ret)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        ret[2 * i] = digits[bin[i] >> 4];
        ret[2 * i + 1] = digits[bin[i] & 15];
    }
    ret[2 * n] = '\0';
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
gv_audit_hex_parse(const char *hex, uint8_t *ret, size_t n, gv_err *err)
{
    size_t len = hex ? strnlen(hex, 2 * n + 1) : 0;

    if (!hex || len != 2 * n)
        goto bad;
    /* every digit is checked before the first byte is written: @ret stays untouched on failure */
    for (size_t i = 0; i < len; i++)
        if (hex_value(hex[i]) < 0)
            goto bad;
    for (size_t i = 0; i < n; i++)
        ret[i] = (uint8_t)(hex_value(hex[2 * i]) << 4 | hex_value(hex[2 * i + 1]));
    return 0;
bad:
    return gv_err_set(err, GV_E_PARSE, NULL, "'%.80s%s' is not %zu hex digits",
                      hex ? hex : "(null)", hex && strnlen(hex, 81) > 80 ? "..." : "", 2 * n);
}
