/*
 * test_verify.c - the streaming verifier against the promises of audit.h. A property test builds
 * random logs (1..500 records, fields empty, short, UTF-8, long or JSON-like; checkpoints at
 * random densities), checks that every untampered log verifies (with and without the public key,
 * with and without the expected last seq), then applies one tampering of each kind and checks the
 * verdict, the reason and the exact first bad seq the header's table promises. Each case has its
 * own seed (printed on failure; GV_TEST_SEED=N moves the whole run). Example tests pin the reason
 * texts, the checkpoint-order and misuse paths, the empty log and rule 4 (first failure wins).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpuvm/alloc.h"
#include "gpuvm/audit.h"

/* ---- random ------------------------------------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t
rnd64(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL); /* splitmix64 */

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. */
static size_t
rnd(rng *r, size_t n)
{
    return n ? (size_t)(rnd64(r) % n) : 0;
}

static char *
rand_str(rng *r)
{
    static const char *const utf8[] = {"\xc3\xa9",
                                       "\xe6\x97\xa5\xe6\x9c\xac",
                                       "\xf0\x9f\x99\x82",
                                       "\xc3\x9f",
                                       "\xc2\xa0",
                                       "a",
                                       "\"",
                                       "\\",
                                       "/"};
    size_t kind = rnd(r, 20), len, cap;
    char *s;

    switch (kind) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
        return gv_strdup("");
    case 6: /* UTF-8 pieces */
    case 7:
        len = 1 + rnd(r, 20);
        s = gv_malloc(6 * len + 1); /* the longest piece is 6 bytes */
        s[0] = '\0';
        for (size_t i = 0; i < len; i++)
            strcat(s, utf8[rnd(r, sizeof(utf8) / sizeof(utf8[0]))]);
        return s;
    case 8: /* long */
        len = 100 + rnd(r, 2000);
        break;
    case 9: /* a JSON object, as details are */
    case 10:
        return gv_asprintf("{\"gpus\":%zu,\"host\":\"h%zu\",\"note\":\"\\u00e9 %zu\"}", rnd(r, 9),
                           rnd(r, 100), rnd(r, 1000));
    default:
        len = 1 + rnd(r, 12);
        break;
    }
    cap = len + 1;
    s = gv_malloc(cap);
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x = rnd64(r);

        for (size_t j = i; j < len && j < i + 8; j++, x >>= 8)
            s[j] = (char)(' ' + (x & 0xff) % 95); /* printable ASCII, never NUL */
    }
    s[len] = '\0';
    return s;
}

/* ---- a log as the store holds it ---------------------------------------------------------- */

/* The property test's case, for failures inside the helpers. */
static char current_case[256] = "example";

typedef struct tlog {
    gv_audit_record *rec; /* in the order the store returns them; strings owned */
    size_t n_rec;
    gv_audit_checkpoint *cp; /* by seq */
    size_t n_cp;
} tlog;

static char **
field(gv_audit_record *r, int f)
{
    switch (f) {
    case 0:
        return (char **)&r->actor;
    case 1:
        return (char **)&r->tenant;
    case 2:
        return (char **)&r->action;
    case 3:
        return (char **)&r->object;
    default:
        return (char **)&r->details;
    }
}

static void
rec_free(gv_audit_record *r)
{
    for (int f = 0; f < 5; f++)
        free(*field(r, f));
}

static void
rec_copy(gv_audit_record *dst, const gv_audit_record *src)
{
    *dst = *src;
    for (int f = 0; f < 5; f++)
        *field(dst, f) = gv_strdup(*field((gv_audit_record *)src, f));
}

static void
log_free(tlog *l)
{
    for (size_t i = 0; i < l->n_rec; i++)
        rec_free(&l->rec[i]);
    free(l->rec);
    free(l->cp);
    memset(l, 0, sizeof(*l));
}

static void
log_copy(tlog *dst, const tlog *src)
{
    dst->n_rec = src->n_rec;
    dst->rec = gv_calloc(src->n_rec + 1, sizeof(*dst->rec));
    for (size_t i = 0; i < src->n_rec; i++)
        rec_copy(&dst->rec[i], &src->rec[i]);
    dst->n_cp = src->n_cp;
    dst->cp = gv_calloc(src->n_cp + 1, sizeof(*dst->cp));
    memcpy(dst->cp, src->cp, src->n_cp * sizeof(*dst->cp));
}

static void
rec_insert(tlog *l, size_t idx, const gv_audit_record *r)
{
    l->rec = gv_reallocarray(l->rec, l->n_rec + 1, sizeof(*l->rec));
    memmove(&l->rec[idx + 1], &l->rec[idx], (l->n_rec - idx) * sizeof(*l->rec));
    l->rec[idx] = *r; /* takes over r's strings */
    l->n_rec++;
}

static void
rec_delete(tlog *l, size_t idx)
{
    rec_free(&l->rec[idx]);
    memmove(&l->rec[idx], &l->rec[idx + 1], (l->n_rec - idx - 1) * sizeof(*l->rec));
    l->n_rec--;
}

static int
cmp_rec_seq(const void *a, const void *b)
{
    const gv_audit_record *x = a, *y = b;

    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
cmp_cp_seq(const void *a, const void *b)
{
    const gv_audit_checkpoint *x = a, *y = b;

    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* As the store reads them: ORDER BY seq, the primary key (so seqs must stay unique). */
static void
db_order(tlog *l)
{
    qsort(l->rec, l->n_rec, sizeof(*l->rec), cmp_rec_seq);
    for (size_t i = 1; i < l->n_rec; i++)
        if (l->rec[i - 1].seq >= l->rec[i].seq)
            fail_msg("%s: the test made two rows with seq %llu", current_case,
                     (unsigned long long)l->rec[i].seq);
    qsort(l->cp, l->n_cp, sizeof(*l->cp), cmp_cp_seq);
    for (size_t i = 1; i < l->n_cp; i++)
        if (l->cp[i - 1].seq >= l->cp[i].seq)
            fail_msg("%s: the test made two checkpoints at %llu", current_case,
                     (unsigned long long)l->cp[i].seq);
}

static gv_audit_checkpoint *
cp_at(tlog *l, uint64_t seq)
{
    for (size_t i = 0; i < l->n_cp; i++)
        if (l->cp[i].seq == seq)
            return &l->cp[i];
    return NULL;
}

static void
cp_add(tlog *l, const gv_audit_checkpoint *c)
{
    l->cp = gv_reallocarray(l->cp, l->n_cp + 1, sizeof(*l->cp));
    l->cp[l->n_cp++] = *c;
    qsort(l->cp, l->n_cp, sizeof(*l->cp), cmp_cp_seq);
}

/* The first checkpoint with seq >= @seq, or 0 when none. */
static uint64_t
cp_first_from(const tlog *l, uint64_t seq)
{
    for (size_t i = 0; i < l->n_cp; i++)
        if (l->cp[i].seq >= seq)
            return l->cp[i].seq;
    return 0;
}

static void
rand_fields(rng *r, gv_audit_record *rec)
{
    for (int f = 0; f < 5; f++)
        *field(rec, f) = rand_str(r);
}

/* A fresh log of @n records; checkpoints at a density drawn per log, signed by @key. */
static void
gen_log(rng *r, size_t n, const gv_audit_key *key, tlog *l)
{
    /* a signature costs ~50 us to check: dense checkpoints only on short logs */
    static const unsigned density_permille[] = {0, 5, 10, 20, 50, 100};
    unsigned pm =
        n <= 16 && rnd(r, 2)
            ? 1000
            : density_permille[rnd(r, sizeof(density_permille) / sizeof(density_permille[0]))];
    int64_t t = 1700000000000LL + (int64_t)rnd(r, 1000000);
    gv_audit_chain c;

    memset(l, 0, sizeof(*l));
    l->rec = gv_calloc(n + 1, sizeof(*l->rec));
    l->cp = gv_calloc(n + 2, sizeof(*l->cp));
    gv_audit_chain_init(&c);
    if (rnd(r, 20) == 0) /* the empty log's checkpoint, as a daemon idle from the start signs */
        gv_audit_checkpoint_sign(key, 0, t, c.head, &l->cp[l->n_cp++]);
    for (size_t i = 0; i < n; i++) {
        gv_audit_record *rec = &l->rec[l->n_rec++];

        t += (int64_t)rnd(r, 5000);
        rec->time_ms = t;
        rand_fields(r, rec);
        gv_audit_chain_append(&c, rec);
        if (rnd(r, 1000) < pm)
            gv_audit_checkpoint_sign(key, c.seq, t, c.head, &l->cp[l->n_cp++]);
    }
}

/* The true head at @seq of the untampered log @l (whose rec[i] has seq i + 1). */
static void
head_at(const tlog *l, uint64_t seq, uint8_t ret[GV_AUDIT_HASH_LEN])
{
    if (seq == 0)
        memset(ret, 0, GV_AUDIT_HASH_LEN);
    else
        memcpy(ret, l->rec[seq - 1].hash, GV_AUDIT_HASH_LEN);
}

/* Feed @l as the store does (audit.h, "Feeding the verifier") and return the report; a failure
 * names @ctx (the case and its seed). */
static gv_audit_report
feed_ctx(const tlog *l, const uint8_t *public_key, uint64_t expected_last, const char *ctx)
{
    gv_audit_verifier v;
    gv_err err = {0};
    size_t ci = 0;
    int rc;

#define CHECK_RC(call)                                                                             \
    do {                                                                                           \
        rc = (call);                                                                               \
        if (rc != (v.report.ok ? 0 : 1))                                                           \
            fail_msg("%s: %s returned %d with the report %s", ctx, #call, rc,                      \
                     v.report.ok ? "ok" : "bad");                                                  \
    } while (0)

    gv_audit_verifier_init(&v, public_key);
    for (size_t i = 0; i < l->n_rec; i++) {
        while (ci < l->n_cp && l->cp[ci].seq < l->rec[i].seq)
            CHECK_RC(gv_audit_verify_checkpoint(&v, &l->cp[ci++], &err));
        CHECK_RC(gv_audit_verify_record(&v, &l->rec[i], &err));
        while (ci < l->n_cp && l->cp[ci].seq == l->rec[i].seq)
            CHECK_RC(gv_audit_verify_checkpoint(&v, &l->cp[ci++], &err));
    }
    while (ci < l->n_cp)
        CHECK_RC(gv_audit_verify_checkpoint(&v, &l->cp[ci++], &err));
    CHECK_RC(gv_audit_verify_finish(&v, expected_last, &err));
#undef CHECK_RC
    if (err.code || v.report.n_records != l->n_rec || v.report.n_checkpoints != l->n_cp)
        fail_msg("%s: error '%s', %llu of %zu records and %llu of %zu checkpoints counted", ctx,
                 err.msg, (unsigned long long)v.report.n_records, l->n_rec,
                 (unsigned long long)v.report.n_checkpoints, l->n_cp);
    return v.report;
}

static gv_audit_report
feed(const tlog *l, const uint8_t *public_key, uint64_t expected_last)
{
    return feed_ctx(l, public_key, expected_last, "example");
}

/* ---- tamperings --------------------------------------------------------------------------- */

typedef enum kind {
    K_EDIT_FIELD,
    K_EDIT_HASH,
    K_EDIT_SEQ,
    K_DELETE_ONE,
    K_DELETE_TAIL,
    K_INSERT_LINKED,
    K_INSERT_UNLINKED,
    K_APPEND,
    K_DUPLICATE,
    K_DUPLICATE_APPEND,
    K_SWAP_ADJACENT,
    K_SWAP_DISTANT,
    K_REWRITE,
    K_REWRITE_RESIGN,
    K_FORGE_CHECKPOINT,
    K_REPLAY_CHECKPOINT,
    K_STREAM_DUPLICATE,
    K_STREAM_SWAP,
    K_STREAM_INSERT,
    K_LAST
} kind;

static const char *const kind_names[K_LAST] = {
    [K_EDIT_FIELD] = "edit-field",
    [K_EDIT_HASH] = "edit-hash",
    [K_EDIT_SEQ] = "edit-seq",
    [K_DELETE_ONE] = "delete-one",
    [K_DELETE_TAIL] = "delete-tail",
    [K_INSERT_LINKED] = "insert-linked",
    [K_INSERT_UNLINKED] = "insert-unlinked",
    [K_APPEND] = "append",
    [K_DUPLICATE] = "duplicate",
    [K_DUPLICATE_APPEND] = "duplicate-append",
    [K_SWAP_ADJACENT] = "swap-adjacent",
    [K_SWAP_DISTANT] = "swap-distant",
    [K_REWRITE] = "rewrite",
    [K_REWRITE_RESIGN] = "rewrite-resign",
    [K_FORGE_CHECKPOINT] = "forge-checkpoint",
    [K_REPLAY_CHECKPOINT] = "replay-checkpoint",
    [K_STREAM_DUPLICATE] = "stream-duplicate",
    [K_STREAM_SWAP] = "stream-swap",
    [K_STREAM_INSERT] = "stream-insert",
};

/* The fewest records a kind needs. */
static size_t
kind_min_records(kind k)
{
    switch (k) {
    case K_DELETE_ONE:
    case K_SWAP_ADJACENT:
    case K_STREAM_SWAP:
        return 2;
    case K_SWAP_DISTANT:
        return 3;
    default:
        return 1;
    }
}

/* What the header promises for one verification: detected or not, and where and why. */
typedef struct expect {
    bool active; /* (for the second expectation) whether there is one */
    bool bad;
    uint64_t first_bad_seq;
    gv_audit_reason reason;
    bool with_key;          /* verify with the public key */
    uint64_t expected_last; /* passed to finish */
} expect;

static expect
bad(uint64_t seq, gv_audit_reason reason)
{
    return (expect){.bad = true, .first_bad_seq = seq, .reason = reason, .with_key = true};
}

static expect
good(void)
{
    return (expect){.bad = false, .with_key = true};
}

/*
 * Change one field of @rec so that its encoding changes: a string grown, emptied, or its last
 * byte moved into the next field (the boundary shift length prefixes exist for); the time; or
 * (with @prev allowed) a bit of prev_hash.
 */
static void
edit_field(rng *r, gv_audit_record *rec, bool prev)
{
    size_t what = rnd(r, prev ? 8 : 7);

    if (what < 5) {
        char **s = field(rec, (int)what);
        size_t len = strlen(*s), how = rnd(r, 3);

        if (how == 0 && len) {
            free(*s);
            *s = gv_strdup("");
        } else if (how == 1 && len && what < 4) {
            char **next = field(rec, (int)what + 1);
            char *moved = gv_asprintf("%c%s", (*s)[len - 1], *next);

            (*s)[len - 1] = '\0';
            free(*next);
            *next = moved;
        } else {
            char *grown = gv_asprintf("%s!", *s);

            free(*s);
            *s = grown;
        }
    } else if (what < 7) {
        rec->time_ms += 1 + (int64_t)rnd(r, 1000);
    } else {
        rec->prev_hash[rnd(r, GV_AUDIT_HASH_LEN)] ^= (uint8_t)(1u << rnd(r, 8));
    }
}

/* A record that continues the chain at @seq after @prev (seq, prev_hash, hash all right). */
static gv_audit_record
forged(rng *r, uint64_t seq, const uint8_t prev[GV_AUDIT_HASH_LEN])
{
    gv_audit_record f = {.seq = seq, .time_ms = 1700000000000LL + (int64_t)rnd(r, 1000)};

    rand_fields(r, &f);
    memcpy(f.prev_hash, prev, GV_AUDIT_HASH_LEN);
    gv_audit_record_hash(&f, f.hash);
    return f;
}

/* Contents (everything but seq) of records @i and @j swapped. */
static void
swap_contents(tlog *l, size_t i, size_t j)
{
    gv_audit_record t = l->rec[i];
    uint64_t si = l->rec[i].seq, sj = l->rec[j].seq;

    l->rec[i] = l->rec[j];
    l->rec[j] = t;
    l->rec[i].seq = si;
    l->rec[j].seq = sj;
}

/* Recompute seq, prev_hash and hash of records @from.. (1-based), as a rewriter with write access
 * to the database but not the key does. */
static void
relink_from(tlog *l, uint64_t from)
{
    for (size_t i = from - 1; i < l->n_rec; i++) {
        l->rec[i].seq = i + 1;
        if (i)
            memcpy(l->rec[i].prev_hash, l->rec[i - 1].hash, GV_AUDIT_HASH_LEN);
        else
            memset(l->rec[i].prev_hash, 0, GV_AUDIT_HASH_LEN);
        gv_audit_record_hash(&l->rec[i], l->rec[i].hash);
    }
}

/*
 * Apply a tampering of @k to @t (a copy of the untampered @orig) and say what verification
 * must report. @key signs genuine checkpoints, @evil is a key the attacker has. *@also may hold a
 * second expectation (another key or expected-last setting) for the same tampered log.
 */
static expect
tamper(rng *r, kind k, const tlog *orig, tlog *t, const gv_audit_key *key, const gv_audit_key *evil,
       expect *also, char *what, size_t what_len)
{
    size_t n = orig->n_rec;
    uint64_t s = 1 + rnd(r, n); /* the tampered record's seq, as written */
    uint8_t h[GV_AUDIT_HASH_LEN];
    gv_audit_record f;

    memset(also, 0, sizeof(*also));
    snprintf(what, what_len, "seq %llu", (unsigned long long)s);
    switch (k) {
    case K_EDIT_FIELD:
        edit_field(r, &t->rec[s - 1], true);
        return bad(s, GV_AUDIT_REASON_HASH);
    case K_EDIT_HASH:
        t->rec[s - 1].hash[rnd(r, GV_AUDIT_HASH_LEN)] ^= (uint8_t)(1u << rnd(r, 8));
        return bad(s, GV_AUDIT_REASON_HASH);
    case K_EDIT_SEQ:
        if (rnd(r, 4) == 0) {
            t->rec[s - 1].seq = 0; /* the only free seq below: it sorts first */
            db_order(t);
            snprintf(what, what_len, "seq %llu -> 0", (unsigned long long)s);
            return bad(1, GV_AUDIT_REASON_ORDER);
        }
        t->rec[s - 1].seq = n + 1 + rnd(r, 100);
        snprintf(what, what_len, "seq %llu -> %llu", (unsigned long long)s,
                 (unsigned long long)t->rec[s - 1].seq);
        db_order(t);
        return bad(s, cp_at(t, s) ? GV_AUDIT_REASON_MISSING : GV_AUDIT_REASON_GAP);
    case K_DELETE_ONE:
        s = 1 + rnd(r, n - 1);
        snprintf(what, what_len, "seq %llu", (unsigned long long)s);
        rec_delete(t, s - 1);
        return bad(s, cp_at(t, s) ? GV_AUDIT_REASON_MISSING : GV_AUDIT_REASON_GAP);
    case K_DELETE_TAIL:
        while (t->n_rec >= s)
            rec_delete(t, t->n_rec - 1);
        if (cp_first_from(t, s)) {
            *also = bad(s, GV_AUDIT_REASON_MISSING);
            also->expected_last = n;
            also->active = true;
            return bad(s, GV_AUDIT_REASON_MISSING);
        }
        /* after the last checkpoint: only the expected last seq tells */
        *also = good();
        also->active = true;
        return (expect){.bad = true,
                        .first_bad_seq = s,
                        .reason = GV_AUDIT_REASON_MISSING,
                        .with_key = true,
                        .expected_last = n};
    case K_INSERT_LINKED:
    case K_INSERT_UNLINKED:
        head_at(orig, s - 1, h);
        if (k == K_INSERT_UNLINKED)
            h[rnd(r, sizeof(h))] ^= (uint8_t)(1u << rnd(r, 8));
        f = forged(r, s, h);
        for (size_t i = s - 1; i < t->n_rec; i++)
            t->rec[i].seq++;
        rec_insert(t, s - 1, &f);
        if (k == K_INSERT_UNLINKED)
            return bad(s, GV_AUDIT_REASON_LINK);
        return cp_at(t, s) ? bad(s, GV_AUDIT_REASON_HEAD) : bad(s + 1, GV_AUDIT_REASON_HASH);
    case K_APPEND:
        head_at(orig, n, h);
        f = forged(r, n + 1, h);
        rec_insert(t, n, &f);
        *also = bad(n + 1, GV_AUDIT_REASON_UNEXPECTED);
        also->expected_last = n;
        also->active = true;
        return good(); /* a valid continuation is an append like any other */
    case K_DUPLICATE:
        rec_copy(&f, &t->rec[s - 1]);
        for (size_t i = s; i < t->n_rec; i++)
            t->rec[i].seq++;
        f.seq = s + 1;
        rec_insert(t, s, &f);
        return bad(s + 1, GV_AUDIT_REASON_HASH);
    case K_DUPLICATE_APPEND:
        rec_copy(&f, &t->rec[s - 1]);
        f.seq = n + 1;
        gv_audit_record_hash(&f, f.hash); /* its own hash right, its link not */
        rec_insert(t, n, &f);
        return bad(n + 1, GV_AUDIT_REASON_LINK);
    case K_SWAP_ADJACENT:
        s = 1 + rnd(r, n - 1);
        snprintf(what, what_len, "seq %llu and %llu", (unsigned long long)s,
                 (unsigned long long)s + 1);
        swap_contents(t, s - 1, s);
        return bad(s, GV_AUDIT_REASON_HASH);
    case K_SWAP_DISTANT: {
        uint64_t j = 1 + rnd(r, n - 2), m = j + 2 + rnd(r, n - j - 1);

        snprintf(what, what_len, "seq %llu and %llu", (unsigned long long)j, (unsigned long long)m);
        swap_contents(t, j - 1, m - 1);
        return bad(j, GV_AUDIT_REASON_HASH);
    }
    case K_REWRITE:
    case K_REWRITE_RESIGN: {
        uint64_t c = cp_first_from(t, s);

        edit_field(r, &t->rec[s - 1], false);
        relink_from(t, s);
        if (k == K_REWRITE_RESIGN) {
            for (size_t i = 0; i < t->n_cp; i++)
                if (t->cp[i].seq >= s)
                    gv_audit_checkpoint_sign(evil, t->cp[i].seq, t->cp[i].time_ms,
                                             t->rec[t->cp[i].seq - 1].hash, &t->cp[i]);
            *also = good(); /* without the public key the re-signed checkpoints pass */
            also->with_key = false;
            also->active = true;
            return c ? bad(c, GV_AUDIT_REASON_SIGNATURE) : good();
        }
        return c ? bad(c, GV_AUDIT_REASON_HEAD) : good();
    }
    case K_FORGE_CHECKPOINT: {
        gv_audit_checkpoint *c = &t->cp[rnd(r, t->n_cp)];
        size_t how = rnd(r, 6);
        uint64_t free_seq = 0;

        for (size_t tries = 0; tries < 50 && !free_seq; tries++) {
            uint64_t x = 1 + rnd(r, n);

            if (!cp_at(t, x))
                free_seq = x;
        }
        if (how >= 4 && !free_seq)
            how = 0;
        /* without the public key only a head that differs is seen */
        *also = good();
        switch (how) {
        case 0:
            c->head[rnd(r, GV_AUDIT_HASH_LEN)] ^= (uint8_t)(1u << rnd(r, 8));
            *also = bad(c->seq ? c->seq : 1, GV_AUDIT_REASON_HEAD);
            break;
        case 1:
            c->sig[rnd(r, GV_AUDIT_SIG_LEN)] ^= (uint8_t)(1u << rnd(r, 8));
            break;
        case 2:
            c->time_ms += 1 + (int64_t)rnd(r, 100000);
            break;
        case 3:
            gv_audit_checkpoint_sign(evil, c->seq, c->time_ms, c->head, c);
            break;
        case 4: /* a genuine signature moved to another seq, the head made right */
            c->seq = free_seq;
            head_at(orig, free_seq, c->head);
            qsort(t->cp, t->n_cp, sizeof(*t->cp), cmp_cp_seq);
            c = cp_at(t, free_seq);
            break;
        default: { /* a new checkpoint, signed by another key */
            gv_audit_checkpoint nc;

            head_at(orig, free_seq, h);
            gv_audit_checkpoint_sign(evil, free_seq, 1, h, &nc);
            cp_add(t, &nc);
            c = cp_at(t, free_seq);
            break;
        }
        }
        also->with_key = false;
        also->active = true;
        snprintf(what, what_len, "checkpoint at %llu, forgery %zu", (unsigned long long)c->seq,
                 how);
        return bad(c->seq ? c->seq : 1, GV_AUDIT_REASON_SIGNATURE);
    }
    case K_REPLAY_CHECKPOINT: {
        /* a genuine signature (same key, same seq) over another chain's head; test_property
         * made sure there is a checkpoint past seq 0 */
        size_t n_past = 0, pick;
        gv_audit_checkpoint *c = NULL;

        for (size_t i = 0; i < t->n_cp; i++)
            n_past += t->cp[i].seq >= 1;
        pick = rnd(r, n_past);
        for (size_t i = 0; i < t->n_cp && !c; i++)
            if (t->cp[i].seq >= 1 && pick-- == 0)
                c = &t->cp[i];
        if (!c)
            fail_msg("%s: no checkpoint past seq 0 to replay", current_case);
        for (size_t i = 0; i < sizeof(h); i++)
            h[i] = (uint8_t)rnd64(r);
        gv_audit_checkpoint_sign(key, c->seq, c->time_ms, h, c);
        snprintf(what, what_len, "checkpoint at %llu", (unsigned long long)c->seq);
        return bad(c->seq, GV_AUDIT_REASON_HEAD);
    }
    case K_STREAM_DUPLICATE:
        rec_copy(&f, &t->rec[s - 1]);
        rec_insert(t, s, &f);
        return bad(s + 1, GV_AUDIT_REASON_ORDER);
    case K_STREAM_SWAP: {
        uint64_t j = 1 + rnd(r, n - 1), m = j + 1 + rnd(r, n - j);
        gv_audit_record x = t->rec[j - 1];
        uint64_t c = cp_first_from(t, j);

        snprintf(what, what_len, "rows %llu and %llu", (unsigned long long)j,
                 (unsigned long long)m);
        t->rec[j - 1] = t->rec[m - 1];
        t->rec[m - 1] = x;
        return bad(j, c && c < m ? GV_AUDIT_REASON_MISSING : GV_AUDIT_REASON_GAP);
    }
    case K_STREAM_INSERT:
        head_at(orig, s - 1, h);
        f = forged(r, s, h);
        rec_insert(t, s - 1, &f);
        return cp_at(t, s) ? bad(s, GV_AUDIT_REASON_HEAD) : bad(s + 1, GV_AUDIT_REASON_ORDER);
    default:
        fail_msg("kind %d", (int)k);
    }
    return good();
}

static void
check(const gv_audit_report *rep, const expect *e, const char *ctx)
{
    if (rep->ok != !e->bad || rep->first_bad_seq != (e->bad ? e->first_bad_seq : 0) ||
        rep->reason != (e->bad ? e->reason : GV_AUDIT_REASON_NONE))
        fail_msg("%s: got %s, first bad %llu, %s (\"%s\"); want %s, first bad %llu, %s", ctx,
                 rep->ok ? "ok" : "bad", (unsigned long long)rep->first_bad_seq,
                 gv_audit_reason_to_string(rep->reason), rep->text, e->bad ? "bad" : "ok",
                 (unsigned long long)(e->bad ? e->first_bad_seq : 0),
                 gv_audit_reason_to_string(e->bad ? e->reason : GV_AUDIT_REASON_NONE));
    if (rep->ok != (rep->text[0] == '\0'))
        fail_msg("%s: verdict and text disagree: '%s'", ctx, rep->text);
    /* a record-level failure leaves exactly the records before it accepted */
    if (!rep->ok && rep->reason != GV_AUDIT_REASON_SIGNATURE &&
        rep->reason != GV_AUDIT_REASON_HEAD && rep->reason != GV_AUDIT_REASON_CHECKPOINT_ORDER &&
        rep->reason != GV_AUDIT_REASON_UNEXPECTED && rep->verified_seq + 1 != rep->first_bad_seq)
        fail_msg("%s: verified_seq %llu before first bad %llu", ctx,
                 (unsigned long long)rep->verified_seq, (unsigned long long)rep->first_bad_seq);
}

static uint64_t
base_seed(void)
{
    const char *s = getenv("GV_TEST_SEED");

    return s && *s ? strtoull(s, NULL, 0) : 20250101;
}

/* Outcomes that must each occur in a run, or the property test is not testing that branch. */
static const struct {
    kind k;
    int reason; /* gv_audit_reason; GV_AUDIT_REASON_NONE for "verifies" */
} must_see[] = {
    {K_EDIT_SEQ, GV_AUDIT_REASON_GAP},
    {K_EDIT_SEQ, GV_AUDIT_REASON_MISSING},
    {K_EDIT_SEQ, GV_AUDIT_REASON_ORDER},
    {K_DELETE_ONE, GV_AUDIT_REASON_GAP},
    {K_DELETE_ONE, GV_AUDIT_REASON_MISSING},
    {K_DELETE_TAIL, GV_AUDIT_REASON_MISSING},
    {K_DELETE_TAIL, GV_AUDIT_REASON_NONE},
    {K_INSERT_LINKED, GV_AUDIT_REASON_HEAD},
    {K_INSERT_LINKED, GV_AUDIT_REASON_HASH},
    {K_APPEND, GV_AUDIT_REASON_UNEXPECTED},
    {K_REWRITE, GV_AUDIT_REASON_HEAD},
    {K_REWRITE, GV_AUDIT_REASON_NONE},
    {K_REWRITE_RESIGN, GV_AUDIT_REASON_SIGNATURE},
    {K_FORGE_CHECKPOINT, GV_AUDIT_REASON_HEAD},
    {K_STREAM_SWAP, GV_AUDIT_REASON_GAP},
    {K_STREAM_SWAP, GV_AUDIT_REASON_MISSING},
    {K_STREAM_INSERT, GV_AUDIT_REASON_HEAD},
    {K_STREAM_INSERT, GV_AUDIT_REASON_ORDER},
};

static void
test_property(void **state)
{
    const int per_kind = getenv("GV_TEST_CASES") ? atoi(getenv("GV_TEST_CASES")) : 200;
    uint64_t seed0 = base_seed();
    uint8_t seed[GV_AUDIT_SEED_LEN];
    gv_audit_key key, evil;
    unsigned long n_detected = 0, n_cases = 0;
    unsigned long seen[K_LAST][GV_AUDIT_REASON_LAST] = {{0}};

    (void)state;
    memset(seed, 7, sizeof(seed));
    gv_audit_key_from_seed(seed, &key);
    memset(seed, 8, sizeof(seed));
    gv_audit_key_from_seed(seed, &evil);
    for (int c = 0; c < per_kind * K_LAST; c++) {
        kind k = (kind)(c % K_LAST);
        uint64_t case_seed = seed0 + (uint64_t)c;
        rng r = {case_seed * 0x2545f4914f6cdd1dULL + 1};
        size_t min = kind_min_records(k);
        size_t n = min + rnd(&r, 500 - min + 1);
        char ctx[256], what[96];
        tlog orig, t;
        expect e, also;
        gv_audit_report rep;
        uint64_t last_cp;

        if (rnd(&r, 4) == 0) /* short logs often, where edges sit */
            n = min + rnd(&r, 8);
        gen_log(&r, n, &key, &orig);
        if ((k == K_FORGE_CHECKPOINT || k == K_REPLAY_CHECKPOINT) && !cp_first_from(&orig, 1)) {
            gv_audit_checkpoint nc;
            uint64_t at = 1 + rnd(&r, n);

            gv_audit_checkpoint_sign(&key, at, 5, orig.rec[at - 1].hash, &nc);
            cp_add(&orig, &nc);
        }
        snprintf(ctx, sizeof(ctx),
                 "case %d (seed %llu; rerun with GV_TEST_SEED=%llu), %zu records,"
                 " %zu checkpoints, untampered",
                 c, (unsigned long long)case_seed, (unsigned long long)seed0, n, orig.n_cp);
        snprintf(current_case, sizeof(current_case), "%s (then %s)", ctx, kind_names[k]);

        /* untampered: always verifies, whatever the verifier is told */
        last_cp = orig.n_cp ? orig.cp[orig.n_cp - 1].seq : 0;
        for (int mode = 0; mode < 3; mode++) {
            expect ok = good();

            rep = feed_ctx(&orig, mode == 0 ? key.public_key : NULL, mode == 2 ? n : 0, ctx);
            check(&rep, &ok, ctx);
            if (rep.verified_seq != n ||
                memcmp(rep.head, orig.rec[n - 1].hash, GV_AUDIT_HASH_LEN) ||
                rep.signed_seq != (mode == 0 ? last_cp : 0))
                fail_msg("%s, mode %d: verified_seq %llu, signed_seq %llu, or the head is wrong",
                         ctx, mode, (unsigned long long)rep.verified_seq,
                         (unsigned long long)rep.signed_seq);
        }

        log_copy(&t, &orig);
        e = tamper(&r, k, &orig, &t, &key, &evil, &also, what, sizeof(what));
        snprintf(ctx, sizeof(ctx),
                 "case %d (seed %llu; rerun with GV_TEST_SEED=%llu), %zu records, %zu checkpoints,"
                 " %s %s",
                 c, (unsigned long long)case_seed, (unsigned long long)seed0, n, orig.n_cp,
                 kind_names[k], what);
        rep = feed_ctx(&t, e.with_key ? key.public_key : NULL, e.expected_last, ctx);
        check(&rep, &e, ctx);
        seen[k][rep.reason]++;
        if (also.active) {
            char ctx2[300];

            snprintf(ctx2, sizeof(ctx2), "%s (%s key, expected last %llu)", ctx,
                     also.with_key ? "with" : "without", (unsigned long long)also.expected_last);
            rep = feed_ctx(&t, also.with_key ? key.public_key : NULL, also.expected_last, ctx2);
            check(&rep, &also, ctx2);
            seen[k][rep.reason]++;
        }
        n_detected += e.bad;
        n_cases++;
        log_free(&t);
        log_free(&orig);
    }
    printf("%lu cases (seed %llu), %lu tampered logs detected\n", n_cases,
           (unsigned long long)seed0, n_detected);
    for (size_t i = 0; i < sizeof(must_see) / sizeof(must_see[0]); i++)
        if (!seen[must_see[i].k][must_see[i].reason])
            fail_msg("no %s case ended in %s: the run does not reach that branch",
                     kind_names[must_see[i].k],
                     gv_audit_reason_to_string((gv_audit_reason)must_see[i].reason));
}

/* ---- examples ------------------------------------------------------------------------------ */

/* Five records (seq 1..5) with checkpoints at 2 and 4, signed by the seed-9 key. */
static void
small_log(tlog *l, gv_audit_key *key)
{
    uint8_t seed[GV_AUDIT_SEED_LEN];
    gv_audit_chain c;

    memset(seed, 9, sizeof(seed));
    gv_audit_key_from_seed(seed, key);
    memset(l, 0, sizeof(*l));
    l->rec = gv_calloc(6, sizeof(*l->rec));
    l->cp = gv_calloc(4, sizeof(*l->cp));
    gv_audit_chain_init(&c);
    for (int i = 0; i < 5; i++) {
        gv_audit_record *r = &l->rec[l->n_rec++];

        r->time_ms = 1000 * i;
        r->actor = gv_strdup("alice");
        r->tenant = gv_strdup(i % 2 ? "acme" : "");
        r->action = gv_asprintf("vm.action%d", i);
        r->object = gv_strdup("vm/1");
        r->details = gv_strdup("{}");
        gv_audit_chain_append(&c, r);
        if (c.seq == 2 || c.seq == 4)
            gv_audit_checkpoint_sign(key, c.seq, r->time_ms, c.head, &l->cp[l->n_cp++]);
    }
}

static void
expect_text(const tlog *l, const uint8_t *pk, uint64_t expected_last, uint64_t first_bad,
            gv_audit_reason reason, const char *text)
{
    gv_audit_report rep = feed(l, pk, expected_last);

    if (rep.ok || rep.first_bad_seq != first_bad || rep.reason != reason || strcmp(rep.text, text))
        fail_msg("got %s at %llu, %s, '%s'; want bad at %llu, %s, '%s'", rep.ok ? "ok" : "bad",
                 (unsigned long long)rep.first_bad_seq, gv_audit_reason_to_string(rep.reason),
                 rep.text, (unsigned long long)first_bad, gv_audit_reason_to_string(reason), text);
}

static void
test_reason_texts(void **state)
{
    gv_audit_key key;
    gv_audit_record f;
    tlog l, t;

    (void)state;
    small_log(&l, &key);
    {
        gv_audit_report rep = feed(&l, key.public_key, 5);

        assert_true(rep.ok);
        assert_int_equal(rep.first_bad_seq, 0);
        assert_int_equal(rep.reason, GV_AUDIT_REASON_NONE);
        assert_string_equal(rep.text, "");
        assert_int_equal(rep.verified_seq, 5);
        assert_int_equal(rep.signed_seq, 4);
        assert_memory_equal(rep.head, l.rec[4].hash, GV_AUDIT_HASH_LEN);
    }

    log_copy(&t, &l);
    rec_delete(&t, 2);
    expect_text(&t, key.public_key, 0, 3, GV_AUDIT_REASON_GAP, "sequence gap (expected 3, got 4)");
    log_free(&t);

    log_copy(&t, &l);
    rec_copy(&f, &t.rec[1]);
    rec_insert(&t, 2, &f);
    expect_text(&t, key.public_key, 0, 3, GV_AUDIT_REASON_ORDER,
                "sequence out of order (expected 3, got 2)");
    log_free(&t);

    log_copy(&t, &l);
    free((char *)t.rec[2].details);
    t.rec[2].details = gv_strdup("{\"x\":1}");
    expect_text(&t, key.public_key, 0, 3, GV_AUDIT_REASON_HASH, "hash mismatch");
    log_free(&t);

    log_copy(&t, &l);
    t.rec[2].prev_hash[0] ^= 1;
    gv_audit_record_hash(&t.rec[2], t.rec[2].hash);
    expect_text(&t, key.public_key, 0, 3, GV_AUDIT_REASON_LINK, "prev_hash does not link");
    log_free(&t);

    log_copy(&t, &l);
    rec_delete(&t, 4);
    rec_delete(&t, 3);
    expect_text(&t, key.public_key, 0, 4, GV_AUDIT_REASON_MISSING,
                "records missing after seq 3 (checkpoint at 4)");
    log_free(&t);

    expect_text(&l, key.public_key, 7, 6, GV_AUDIT_REASON_MISSING,
                "records missing after seq 5 (expected last seq 7)");
    expect_text(&l, key.public_key, 3, 4, GV_AUDIT_REASON_UNEXPECTED,
                "records beyond the expected last seq 3 (last is 5)");

    log_copy(&t, &l);
    t.cp[1].sig[5] ^= 0x10;
    expect_text(&t, key.public_key, 0, 4, GV_AUDIT_REASON_SIGNATURE,
                "checkpoint signature invalid");
    assert_true(feed(&t, NULL, 0).ok); /* without the key the signature is not looked at */
    log_free(&t);

    log_copy(&t, &l);
    t.cp[0].head[31] ^= 1;
    expect_text(&t, key.public_key, 0, 2, GV_AUDIT_REASON_SIGNATURE,
                "checkpoint signature invalid");
    expect_text(&t, NULL, 0, 2, GV_AUDIT_REASON_HEAD, "checkpoint head differs");
    log_free(&t);

    /* records 3.. rewritten with hashes recomputed: checkpoint 4 sees it, and 2 still holds */
    log_copy(&t, &l);
    free((char *)t.rec[2].actor);
    t.rec[2].actor = gv_strdup("mallory");
    relink_from(&t, 3);
    {
        gv_audit_report rep = feed(&t, key.public_key, 0);

        assert_false(rep.ok);
        assert_int_equal(rep.first_bad_seq, 4);
        assert_string_equal(rep.text, "checkpoint head differs");
        assert_int_equal(rep.signed_seq, 2); /* records 1..2 are still authenticated */
        assert_int_equal(rep.verified_seq, 4);
    }
    log_free(&t);
    log_free(&l);
}

static void
test_checkpoint_order(void **state)
{
    gv_audit_verifier v;
    gv_audit_key key;
    tlog l;

    (void)state;
    small_log(&l, &key);
    /* the same checkpoint twice */
    gv_audit_verifier_init(&v, key.public_key);
    for (int i = 0; i < 2; i++)
        assert_int_equal(gv_audit_verify_record(&v, &l.rec[i], NULL), 0);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[0], NULL), 0);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[0], NULL), 1);
    assert_int_equal(v.report.reason, GV_AUDIT_REASON_CHECKPOINT_ORDER);
    assert_int_equal(v.report.first_bad_seq, 2);
    assert_string_equal(v.report.text, "checkpoint out of order (seq 2 after checkpoint 2)");
    /* a checkpoint fed late, after the next record */
    gv_audit_verifier_init(&v, key.public_key);
    for (int i = 0; i < 3; i++)
        assert_int_equal(gv_audit_verify_record(&v, &l.rec[i], NULL), 0);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[0], NULL), 1);
    assert_int_equal(v.report.reason, GV_AUDIT_REASON_CHECKPOINT_ORDER);
    assert_int_equal(v.report.first_bad_seq, 2);
    assert_string_equal(v.report.text, "checkpoint out of order (seq 2 after record 3)");
    /* checkpoints going backwards */
    gv_audit_verifier_init(&v, NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(gv_audit_verify_record(&v, &l.rec[i], NULL), 0);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[1], NULL), 0);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[0], NULL), 1);
    assert_string_equal(v.report.text, "checkpoint out of order (seq 2 after checkpoint 4)");
    log_free(&l);
}

static void
test_first_failure_wins(void **state)
{
    gv_audit_verifier v;
    gv_audit_key key;
    gv_err err = {0};
    tlog l;

    (void)state;
    small_log(&l, &key);
    l.rec[1].hash[0] ^= 1; /* record 2 bad */
    l.rec[3].seq = 9;      /* record 4 bad too */
    l.cp[1].sig[0] ^= 1;   /* and checkpoint 4 */
    gv_audit_verifier_init(&v, key.public_key);
    assert_int_equal(gv_audit_verify_record(&v, &l.rec[0], &err), 0);
    assert_int_equal(gv_audit_verify_record(&v, &l.rec[1], &err), 1);
    for (int i = 2; i < 5; i++)
        assert_int_equal(gv_audit_verify_record(&v, &l.rec[i], &err), 1);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[1], &err), 1);
    assert_int_equal(gv_audit_verify_finish(&v, 3, &err), 1);
    assert_int_equal(err.code, 0); /* tampering is a verdict, not an error */
    assert_false(v.report.ok);
    assert_int_equal(v.report.first_bad_seq, 2);
    assert_int_equal(v.report.reason, GV_AUDIT_REASON_HASH);
    assert_int_equal(v.report.n_records, 5);
    assert_int_equal(v.report.n_checkpoints, 1);
    assert_int_equal(v.report.verified_seq, 1);
    /* finished: further input is a mistake of the caller */
    assert_int_equal(gv_audit_verify_record(&v, &l.rec[0], &err), -GV_E_INVAL);
    assert_int_equal(err.code, GV_E_INVAL);
    assert_non_null(strstr(err.msg, "already finished"));
    assert_int_equal(gv_audit_verify_checkpoint(&v, &l.cp[0], NULL), -GV_E_INVAL);
    assert_int_equal(gv_audit_verify_finish(&v, 0, NULL), -GV_E_INVAL);
    assert_int_equal(v.report.n_records, 5);
    log_free(&l);
}

static void
test_empty_log(void **state)
{
    uint8_t zero[GV_AUDIT_HASH_LEN] = {0}, seed[GV_AUDIT_SEED_LEN] = {0};
    gv_audit_checkpoint c;
    gv_audit_verifier v;
    gv_audit_key key;

    (void)state;
    gv_audit_key_from_seed(seed, &key);
    gv_audit_verifier_init(&v, key.public_key);
    assert_int_equal(gv_audit_verify_finish(&v, 0, NULL), 0);
    assert_true(v.report.ok);
    assert_int_equal(v.report.verified_seq, 0);
    /* the empty log's checkpoint */
    gv_audit_checkpoint_sign(&key, 0, 77, zero, &c);
    gv_audit_verifier_init(&v, key.public_key);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &c, NULL), 0);
    assert_int_equal(gv_audit_verify_finish(&v, 0, NULL), 0);
    /* ... forged: reported at 1, since 0 means ok */
    c.head[0] = 1;
    gv_audit_verifier_init(&v, NULL);
    assert_int_equal(gv_audit_verify_checkpoint(&v, &c, NULL), 1);
    assert_int_equal(v.report.first_bad_seq, 1);
    assert_int_equal(v.report.reason, GV_AUDIT_REASON_HEAD);
    /* everything deleted, the daemon knows there were 3 */
    gv_audit_verifier_init(&v, NULL);
    assert_int_equal(gv_audit_verify_finish(&v, 3, NULL), 1);
    assert_int_equal(v.report.first_bad_seq, 1);
    assert_string_equal(v.report.text, "records missing after seq 0 (expected last seq 3)");
}

static void
test_long_stream(void **state)
{
    /* a long log through one verifier: nothing is kept per record; a 1 MiB details field and
     * NULL strings (hashed as "") along the way */
    const uint64_t n = 200000;
    char *big = gv_malloc(1 << 20);
    gv_audit_verifier v;
    gv_audit_chain c;
    gv_audit_key key;
    uint8_t seed[GV_AUDIT_SEED_LEN] = {3};

    (void)state;
    memset(big, 'x', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    gv_audit_key_from_seed(seed, &key);
    gv_audit_chain_init(&c);
    gv_audit_verifier_init(&v, key.public_key);
    for (uint64_t i = 0; i < n; i++) {
        gv_audit_record r = {.time_ms = (int64_t)i,
                             .actor = "system",
                             .tenant = i % 3 ? "t" : NULL,
                             .action = "vm.tick",
                             .object = "vm/1",
                             .details = i == 1234 ? big : "{}"};

        gv_audit_chain_append(&c, &r);
        if (i % 7 == 5)
            r.tenant = r.tenant ? r.tenant : ""; /* as the store hands NULL back: the same hash */
        assert_int_equal(gv_audit_verify_record(&v, &r, NULL), 0);
        if (c.seq % 50000 == 0) {
            gv_audit_checkpoint cp;

            gv_audit_checkpoint_sign(&key, c.seq, (int64_t)i, c.head, &cp);
            assert_int_equal(gv_audit_verify_checkpoint(&v, &cp, NULL), 0);
        }
    }
    assert_int_equal(gv_audit_verify_finish(&v, n, NULL), 0);
    assert_int_equal(v.report.verified_seq, n);
    assert_int_equal(v.report.signed_seq, n);
    free(big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reason_texts),       cmocka_unit_test(test_checkpoint_order),
        cmocka_unit_test(test_first_failure_wins), cmocka_unit_test(test_empty_log),
        cmocka_unit_test(test_long_stream),        cmocka_unit_test(test_property),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
