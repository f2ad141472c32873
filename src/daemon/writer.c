/*
 * writer.c - the one thread that changes state: ops in, group commits out.
 *
 * The writer takes every op queued since its last round, and under the write lock runs them in
 * one transaction, each in a savepoint, appends a signed checkpoint when one is due, commits
 * once, drops the lock and answers them all. Concurrent creates therefore share one fsync: the
 * more clients wait, the larger the group. A failed commit is fatal (daemon.h, design notes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "gpuvm/alloc.h"

void
gv_op_free(gv_op *op)
{
    if (!op)
        return;
    if (op->free_arg)
        op->free_arg(op->arg);
    free(op->body);
    free(op->idem_key);
    free(op);
}

void
gv_op_answer(gv_op *op, int status, char *body)
{
    free(op->body);
    op->status = status;
    op->body = body;
}

void
gv_op_error(gv_op *op, int status, const char *code, const char *details, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gv_op_answer(op, status, gv_error_vjson(code, details, fmt, ap));
    va_end(ap);
}

int
gv_daemon_audit_append(gv_daemon *d, const gv_principal *who, const char *tenant,
                       const char *action, const char *object, const char *details, gv_err *err)
{
    gv_audit_record r = {.time_ms = gv_daemon_now_ms(),
                         .actor = who && who->user[0] ? who->user : "gpuvmd",
                         .tenant = tenant ? tenant : "",
                         .action = action,
                         .object = object,
                         .details = details ? details : "{}"};

    gv_audit_chain_append(&d->chain, &r);
    return gv_store_put_audit(d->store, &r, err);
}

static int
checkpoint_if_due(gv_daemon *d, gv_err *err)
{
    gv_audit_checkpoint c;
    int64_t now = gv_daemon_now_ms();

    if (d->chain.seq == d->checkpoint_seq)
        return 0;
    if (d->chain.seq - d->checkpoint_seq < d->cfg.checkpoint_every &&
        now - d->checkpoint_ms < (int64_t)d->cfg.checkpoint_seconds * 1000)
        return 0;
    gv_audit_checkpoint_sign(&d->audit_key, d->chain.seq, now, d->chain.head, &c);
    if (gv_store_put_checkpoint(d->store, &c, err) < 0)
        return -GV_E_IO;
    d->checkpoint_seq = d->chain.seq;
    d->checkpoint_ms = now;
    return 0;
}

/* One op inside the open transaction. */
static void
apply_one(gv_daemon *d, gv_op *op)
{
    gv_audit_chain saved = d->chain;
    gv_err err = {0};

    if (gv_store_savepoint(d->store, &err) < 0 || op->apply(d, op, &err) < 0) {
        gv_store_rollback_to(d->store);
        d->chain = saved;
        gv_log("error", "store.write", "error=\"%s\"", err.msg);
        gv_op_error(op, 500, "internal", NULL, "the store refused the change: %s", err.msg);
        return;
    }
    if (op->idem_key && op->status >= 200 && op->status < 300) {
        gv_idem_rec *rec = GV_NEW0(gv_idem_rec);
        GV_AUTOFREE char *k = gv_daemon_key(op->who.user, op->idem_key);
        gv_store_idem row = {.principal = op->who.user,
                             .key = op->idem_key,
                             .body_hash = op->idem_hash,
                             .status = op->status,
                             .response = op->body ? op->body : "",
                             .created_ms = gv_daemon_now_ms()};

        if (gv_store_put_idem(d->store, &row, &err) < 0) {
            /* the op's changes stay (its savepoint is released); only the replay of its answer
             * is lost, and the client sees the answer it would have seen without the key */
            gv_log("error", "store.write", "error=\"%s\"", err.msg);
            free(rec);
        } else {
            memcpy(rec->body_hash, op->idem_hash, sizeof(rec->body_hash));
            rec->status = op->status;
            rec->response = gv_strdup(op->body ? op->body : "");
            rec = gv_strmap_put(d->idem, k, rec);
            if (rec) {
                free(rec->response);
                free(rec);
            }
        }
    }
    gv_store_release(d->store, NULL);
}

/* Apply a group in one transaction. Returns 0, or -GV_E_IO when the commit failed. */
static int
run_group(gv_daemon *d, gv_op *ops, gv_err *err)
{
    size_t n = 0;

    pthread_rwlock_wrlock(&d->lock);
    if (gv_store_begin(d->store, err) < 0) {
        pthread_rwlock_unlock(&d->lock);
        return -GV_E_IO;
    }
    for (gv_op *op = ops; op; op = op->next, n++)
        apply_one(d, op);
    if (checkpoint_if_due(d, err) < 0 || gv_store_commit(d->store, err) < 0) {
        pthread_rwlock_unlock(&d->lock);
        return -GV_E_IO;
    }
    pthread_rwlock_unlock(&d->lock);
    atomic_fetch_add(&d->commits, 1);
    atomic_fetch_add(&d->commit_ops, n);
    return 0;
}

static void
answer_all(gv_op *ops)
{
    while (ops) {
        gv_op *next = ops->next;

        if (ops->http) {
            gv_http_respond(ops->http, ops->status ? ops->status : 500,
                            ops->content_type ? ops->content_type : "application/json",
                            GV_STEAL_PTR(ops->body));
            gv_http_resume(ops->http);
        }
        gv_op_free(ops);
        ops = next;
    }
}

static void *
writer_main(void *arg)
{
    gv_daemon *d = arg;

    for (;;) {
        gv_op *ops;
        gv_err err = {0};

        pthread_mutex_lock(&d->q_lock);
        while (!d->q_head && !d->q_stop)
            pthread_cond_wait(&d->q_cond, &d->q_lock);
        ops = d->q_head;
        d->q_head = d->q_tail = NULL;
        d->q_len = 0;
        pthread_mutex_unlock(&d->q_lock);
        if (!ops)
            break; /* stopping, and nothing left */
        if (run_group(d, ops, &err) < 0) {
            gv_log("fatal", "store.commit", "error=\"%s\" action=exit", err.msg);
            _exit(1);
        }
        answer_all(ops);
    }
    return NULL;
}

int
gv_writer_start(gv_daemon *d, gv_err *err)
{
    pthread_mutex_init(&d->q_lock, NULL);
    pthread_cond_init(&d->q_cond, NULL);
    if (pthread_create(&d->writer, NULL, writer_main, d) != 0)
        return gv_err_set(err, GV_E_IO, "writer", "cannot start the writer thread");
    return 0;
}

void
gv_writer_stop(gv_daemon *d)
{
    pthread_mutex_lock(&d->q_lock);
    d->q_stop = true;
    pthread_cond_signal(&d->q_cond);
    pthread_mutex_unlock(&d->q_lock);
    pthread_join(d->writer, NULL);
}

int
gv_writer_submit(gv_daemon *d, gv_op *op)
{
    pthread_mutex_lock(&d->q_lock);
    if (d->q_len >= d->cfg.queue_limit || d->q_stop) {
        pthread_mutex_unlock(&d->q_lock);
        return -GV_E_LIMIT;
    }
    op->next = NULL;
    if (d->q_tail)
        d->q_tail->next = op;
    else
        d->q_head = op;
    d->q_tail = op;
    d->q_len++;
    pthread_cond_signal(&d->q_cond);
    pthread_mutex_unlock(&d->q_lock);
    return 0;
}

int
gv_writer_run_now(gv_daemon *d, gv_op *op, gv_err *err)
{
    op->next = NULL;
    if (run_group(d, op, err) < 0)
        return -GV_E_IO;
    return 0;
}
