/*
 * verify.c - the streaming verifier of an audit log: records and checkpoints fed one by one in
 * seq order, judged by the rules numbered in audit.h, keeping only the head and the first
 * failure. Nothing is kept per record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/audit.h"
#include "util/enum_names.h"

static const char *const reason_names[GV_AUDIT_REASON_LAST] = {
    [GV_AUDIT_REASON_NONE] = "none",
    [GV_AUDIT_REASON_HASH] = "hash-mismatch",
    [GV_AUDIT_REASON_LINK] = "prev-hash-unlinked",
    [GV_AUDIT_REASON_GAP] = "seq-gap",
    [GV_AUDIT_REASON_ORDER] = "seq-order",
    [GV_AUDIT_REASON_SIGNATURE] = "checkpoint-signature",
    [GV_AUDIT_REASON_HEAD] = "checkpoint-head",
    [GV_AUDIT_REASON_CHECKPOINT_ORDER] = "checkpoint-order",
    [GV_AUDIT_REASON_MISSING] = "records-missing",
    [GV_AUDIT_REASON_UNEXPECTED] = "records-unexpected",
};

GV_ENUM_IMPL(gv_audit_reason, gv_audit_reason, reason_names, GV_AUDIT_REASON_LAST)

void
gv_audit_verifier_init(gv_audit_verifier *v, const uint8_t *public_key)
{
    memset(v, 0, sizeof(*v));
    v->report.ok = true;
    if (public_key) {
        v->has_key = true;
        memcpy(v->public_key, public_key, GV_AUDIT_PUBLIC_KEY_LEN);
    }
}

/* Record the first failure (rule 4). Returns 1, the "does not verify" result. */
static int __attribute__((format(printf, 4, 5)))
fail(gv_audit_verifier *v, gv_audit_reason reason, uint64_t first_bad_seq, const char *fmt, ...)
{
    va_list ap;

    v->report.ok = false;
    v->report.reason = reason;
    v->report.first_bad_seq = first_bad_seq;
    va_start(ap, fmt);
    vsnprintf(v->report.text, sizeof(v->report.text), fmt, ap);
    va_end(ap);
    return 1;
}

static int
check_open(const gv_audit_verifier *v, gv_err *err)
{
    if (v->finished)
        return gv_err_set(err, GV_E_INVAL, NULL, "the audit verifier was already finished");
    return 0;
}

int
gv_audit_verify_record(gv_audit_verifier *v, const gv_audit_record *r, gv_err *err)
{
    gv_audit_report *rep = &v->report;
    uint64_t want = rep->verified_seq + 1;
    uint8_t hash[GV_AUDIT_HASH_LEN];

    if (check_open(v, err) < 0)
        return -GV_E_INVAL;
    rep->n_records++;
    if (!rep->ok)
        return 1;
    /* rule 1, checks in the documented order */
    if (r->seq > want)
        return fail(v, GV_AUDIT_REASON_GAP, want, "sequence gap (expected %llu, got %llu)",
                    (unsigned long long)want, (unsigned long long)r->seq);
    if (r->seq < want)
        return fail(v, GV_AUDIT_REASON_ORDER, want,
                    "sequence out of order (expected %llu, got %llu)", (unsigned long long)want,
                    (unsigned long long)r->seq);
    gv_audit_record_hash(r, hash);
    if (memcmp(hash, r->hash, GV_AUDIT_HASH_LEN))
        return fail(v, GV_AUDIT_REASON_HASH, want, "hash mismatch");
    if (memcmp(r->prev_hash, rep->head, GV_AUDIT_HASH_LEN))
        return fail(v, GV_AUDIT_REASON_LINK, want, "prev_hash does not link");
    rep->verified_seq = want;
    memcpy(rep->head, hash, GV_AUDIT_HASH_LEN);
    return 0;
}

int
gv_audit_verify_checkpoint(gv_audit_verifier *v, const gv_audit_checkpoint *c, gv_err *err)
{
    gv_audit_report *rep = &v->report;
    unsigned long long seq = c->seq, last = rep->verified_seq;
    uint64_t at = c->seq ? c->seq : 1; /* first_bad_seq 0 means "ok": seq 0's failures say 1 */

    if (check_open(v, err) < 0)
        return -GV_E_INVAL;
    rep->n_checkpoints++;
    if (!rep->ok)
        return 1;
    /* rule 2: order first, then the seq against the chain, then the signature, then the head */
    if (v->has_checkpoint && c->seq <= v->last_checkpoint_seq)
        return fail(v, GV_AUDIT_REASON_CHECKPOINT_ORDER, at,
                    "checkpoint out of order (seq %llu after checkpoint %llu)", seq,
                    (unsigned long long)v->last_checkpoint_seq);
    if (c->seq > rep->verified_seq)
        return fail(v, GV_AUDIT_REASON_MISSING, rep->verified_seq + 1,
                    "records missing after seq %llu (checkpoint at %llu)", last, seq);
    if (c->seq < rep->verified_seq)
        return fail(v, GV_AUDIT_REASON_CHECKPOINT_ORDER, at,
                    "checkpoint out of order (seq %llu after record %llu)", seq, last);
    if (v->has_key && !gv_audit_checkpoint_verify(v->public_key, c))
        return fail(v, GV_AUDIT_REASON_SIGNATURE, at, "checkpoint signature invalid");
    if (memcmp(c->head, rep->head, GV_AUDIT_HASH_LEN))
        return fail(v, GV_AUDIT_REASON_HEAD, at, "checkpoint head differs");
    v->has_checkpoint = true;
    v->last_checkpoint_seq = c->seq;
    if (v->has_key)
        rep->signed_seq = c->seq;
    return 0;
}

int
gv_audit_verify_finish(gv_audit_verifier *v, uint64_t expected_last_seq, gv_err *err)
{
    gv_audit_report *rep = &v->report;
    unsigned long long last = rep->verified_seq, want = expected_last_seq;

    if (check_open(v, err) < 0)
        return -GV_E_INVAL;
    v->finished = true;
    if (!rep->ok)
        return 1;
    /* rule 3 */
    if (expected_last_seq && rep->verified_seq < expected_last_seq)
        return fail(v, GV_AUDIT_REASON_MISSING, rep->verified_seq + 1,
                    "records missing after seq %llu (expected last seq %llu)", last, want);
    if (expected_last_seq && rep->verified_seq > expected_last_seq)
        return fail(v, GV_AUDIT_REASON_UNEXPECTED, expected_last_seq + 1,
                    "records beyond the expected last seq %llu (last is %llu)", want, last);
    return 0;
}
