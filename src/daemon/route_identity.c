/*
 * route_identity.c - /v1/tenants, /v1/users, /v1/tokens.
 *
 * A token is "gvt_" and 43 base64url characters (256 random bits from libsodium). Only its
 * BLAKE2b-256 hash is kept, in memory and on disk; the secret is in the one answer that creates
 * it. Anyone may create and revoke their own tokens; tokens of others need token.write on the
 * owner's tenant (tenant admins: their tenant's users; platform admins: everyone).
 */
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "daemon/daemon.h"
#include "daemon/routes.h"
#include "gpuvm/alloc.h"
#include "util/enum_names.h"
#include "util/strbuf.h"

/* The body as an object with exactly the keys of @keys (NULL-terminated; a leading '?' marks
 * an optional one), every value a string. NULL after a 400. */
static json_t *
body_object(gv_call *c, const char *const *keys)
{
    size_t len;
    const char *body = gv_http_body(c->http, &len);
    json_error_t jerr;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *k;
    json_t *v;

    if (!json_is_object(o)) {
        json_decref(o);
        gv_call_error(c, 400, "bad_request", NULL, "body: expected a JSON object");
        return NULL;
    }
    json_object_foreach(o, k, v)
    {
        bool known = false;

        for (size_t i = 0; keys[i]; i++)
            known |= !strcmp(keys[i] + (keys[i][0] == '?'), k);
        if (!known || !json_is_string(v)) {
            GV_AUTOFREE char *det = gv_asprintf("{\"field\": \"%s\"}", k);
            gv_call_error(c, 400, "invalid_argument", det,
                          known ? "%s: expected a string" : "%s: unknown field", k);
            json_decref(o);
            return NULL;
        }
    }
    for (size_t i = 0; keys[i]; i++)
        if (keys[i][0] != '?' && !json_object_get(o, keys[i])) {
            GV_AUTOFREE char *det = gv_asprintf("{\"field\": \"%s\"}", keys[i]);
            gv_call_error(c, 400, "invalid_argument", det, "%s: required", keys[i]);
            json_decref(o);
            return NULL;
        }
    return o;
}

static const char *
str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* ---- tenants ------------------------------------------------------------------------------- */

typedef struct tenant_rec {
    int64_t created_ms;
} tenant_rec;

static int
apply_tenant_create(gv_daemon *d, gv_op *op, gv_err *err)
{
    const char *name = op->arg;
    GV_AUTOFREE char *obj = gv_asprintf("tenant/%s", name);
    gv_store_tenant row = {.name = name, .created_ms = gv_daemon_now_ms()};
    int64_t *rec;

    if (gv_strmap_get(d->tenants, name)) {
        gv_op_error(op, 409, "conflict", "{\"field\": \"name\"}", "tenant '%s' exists", name);
        return 0;
    }
    if (gv_store_put_tenant(d->store, &row, err) < 0 ||
        gv_daemon_audit_append(d, &op->who, name, "tenant.create", obj, NULL, err) < 0)
        return -GV_E_IO;
    rec = GV_NEW0(int64_t);
    *rec = row.created_ms;
    gv_strmap_put(d->tenants, name, rec);
    gv_op_answer(op, 201,
                 gv_asprintf("{\"tenant\":{\"created_ms\":%lld,\"name\":\"%s\"}}",
                             (long long)row.created_ms, name));
    return 0;
}

void
gv_route_tenant_create(gv_call *c)
{
    static const char *const keys[] = {"name", NULL};
    json_t *o = body_object(c, keys);

    if (!o)
        return;
    if (!gv_name_valid(str(o, "name"), false)) {
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"name\"}",
                      "name: 1-63 of a-z, 0-9, '-', '_', '.'");
    } else {
        gv_call_submit(c, gv_op_new(c, apply_tenant_create, gv_strdup(str(o, "name")), free));
    }
    json_decref(o);
}

typedef struct tenant_list {
    gv_call *c;
    size_t n;
    const char **names;
} tenant_list;

static bool
list_tenant(void *ctx, const char *key, void *value)
{
    tenant_list *l = ctx;

    (void)value;
    if (gv_policy_authorize(&l->c->who, GV_PERM_TENANT_READ, key).allow)
        *GV_ARRAY_APPEND(l->names, l->n) = key;
    return true;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
gv_route_tenant_list(gv_call *c)
{
    tenant_list l = {.c = c};
    json_t *arr = json_array();

    pthread_rwlock_rdlock(&c->d->lock);
    gv_strmap_each(c->d->tenants, list_tenant, &l);
    if (l.n)
        qsort(l.names, l.n, sizeof(*l.names), cmp_str);
    for (size_t i = 0; i < l.n; i++) {
        const int64_t *created = gv_strmap_get(c->d->tenants, l.names[i]);
        json_array_append_new(
            arr, json_pack("{s:s, s:I}", "name", l.names[i], "created_ms", (json_int_t)*created));
    }
    pthread_rwlock_unlock(&c->d->lock);
    free(l.names);
    gv_call_json(c, 200, gv_json_take_dump(json_pack("{s:o}", "tenants", arr)));
}

/* ---- users --------------------------------------------------------------------------------- */

static int
apply_user_create(gv_daemon *d, gv_op *op, gv_err *err)
{
    gv_user_rec *u = op->arg;
    GV_AUTOFREE char *obj = gv_asprintf("user/%s", u->p.user);
    GV_AUTOFREE char *det = gv_asprintf("{\"role\":\"%s\"}", gv_role_to_string(u->p.role));
    gv_store_user row = {.name = u->p.user,
                         .role = gv_role_to_string(u->p.role),
                         .tenant = u->p.tenant,
                         .created_ms = gv_daemon_now_ms()};

    if (gv_strmap_get(d->users, u->p.user)) {
        gv_op_error(op, 409, "conflict", "{\"field\": \"name\"}", "user '%s' exists", u->p.user);
        return 0;
    }
    if (u->p.tenant[0] && !gv_strmap_get(d->tenants, u->p.tenant)) {
        gv_op_error(op, 400, "invalid_argument", "{\"field\": \"tenant\"}",
                    "tenant: '%s' does not exist", u->p.tenant);
        return 0;
    }
    if (gv_store_put_user(d->store, &row, err) < 0 ||
        gv_daemon_audit_append(d, &op->who, u->p.tenant, "user.create", obj, det, err) < 0)
        return -GV_E_IO;
    u->created_ms = row.created_ms;
    gv_strmap_put(d->users, u->p.user, u);
    op->arg = NULL; /* the map has it */
    gv_op_answer(op, 201,
                 gv_asprintf("{\"user\":{\"name\":\"%s\",\"role\":\"%s\",\"tenant\":\"%s\"}}",
                             u->p.user, gv_role_to_string(u->p.role), u->p.tenant));
    return 0;
}

void
gv_route_user_create(gv_call *c)
{
    static const char *const keys[] = {"name", "role", "?tenant", NULL};
    json_t *o = body_object(c, keys);
    gv_user_rec *u;
    int role;
    char names[160];

    if (!o)
        return;
    role = gv_role_from_string(str(o, "role"));
    if (!gv_name_valid(str(o, "name"), false)) {
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"name\"}",
                      "name: 1-63 of a-z, 0-9, '-', '_', '.'");
    } else if (role < 0) {
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"role\"}",
                      "role: expected one of %s",
                      gv_enum_list(gv_role_names, names, sizeof(names)));
    } else if (gv_role_is_tenant((gv_role)role) != (str(o, "tenant")[0] != '\0')) {
        gv_call_error(c, 400, "invalid_argument", "{\"field\": \"tenant\"}",
                      gv_role_is_tenant((gv_role)role) ? "tenant: required for role %s"
                                                       : "tenant: not allowed for role %s",
                      str(o, "role"));
    } else if (gv_call_allow(c, GV_PERM_USER_WRITE,
                             gv_role_is_tenant((gv_role)role) ? str(o, "tenant") : NULL, false)) {
        u = GV_NEW0(gv_user_rec);
        snprintf(u->p.user, sizeof(u->p.user), "%s", str(o, "name"));
        snprintf(u->p.tenant, sizeof(u->p.tenant), "%s", str(o, "tenant"));
        u->p.role = (gv_role)role;
        gv_call_submit(c, gv_op_new(c, apply_user_create, u, free));
    }
    json_decref(o);
}

typedef struct user_list {
    gv_call *c;
    size_t n;
    const gv_user_rec **users;
} user_list;

static bool
list_user(void *ctx, const char *key, void *value)
{
    user_list *l = ctx;
    const gv_user_rec *u = value;

    (void)key;
    if (gv_policy_authorize(&l->c->who, GV_PERM_USER_READ, u->p.tenant[0] ? u->p.tenant : NULL)
            .allow ||
        !strcmp(u->p.user, l->c->who.user))
        *GV_ARRAY_APPEND(l->users, l->n) = u;
    return true;
}

static int
cmp_user(const void *a, const void *b)
{
    return strcmp((*(const gv_user_rec *const *)a)->p.user,
                  (*(const gv_user_rec *const *)b)->p.user);
}

void
gv_route_user_list(gv_call *c)
{
    user_list l = {.c = c};
    json_t *arr = json_array();

    pthread_rwlock_rdlock(&c->d->lock);
    gv_strmap_each(c->d->users, list_user, &l);
    if (l.n)
        qsort(l.users, l.n, sizeof(*l.users), cmp_user);
    for (size_t i = 0; i < l.n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I}", "name", l.users[i]->p.user,
                                             "role", gv_role_to_string(l.users[i]->p.role),
                                             "tenant", l.users[i]->p.tenant, "created_ms",
                                             (json_int_t)l.users[i]->created_ms));
    pthread_rwlock_unlock(&c->d->lock);
    free(l.users);
    gv_call_json(c, 200, gv_json_take_dump(json_pack("{s:o}", "users", arr)));
}

/* ---- tokens -------------------------------------------------------------------------------- */

typedef struct token_arg {
    char user[GV_POLICY_NAME_LEN];
    char *description;
    char id[GV_ID_LEN]; /* revoke */
} token_arg;

static void
token_arg_free(void *p)
{
    token_arg *a = p;

    if (a)
        free(a->description);
    free(a);
}

/* Insert a live token into memory (the store row is the caller's). */
void
gv_daemon_add_token(gv_daemon *d, gv_token_rec *t)
{
    gv_strmap_put(d->tokens, t->hash_hex, t);
    gv_strmap_put(d->token_ids, t->id, t);
}

/* A new token for @user: the secret in @secret (buffer of 64), the record returned. */
gv_token_rec *
gv_daemon_new_token(const char *user, const char *description, char secret[64])
{
    gv_token_rec *t = GV_NEW0(gv_token_rec);
    uint8_t raw[32], hash[GV_STORE_TOKEN_HASH_LEN];

    randombytes_buf(raw, sizeof(raw));
    memcpy(secret, "gvt_", 4);
    sodium_bin2base64(secret + 4, 60, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(t->hash_hex, sizeof(t->hash_hex), hash, sizeof(hash));
    gv_random_id("tok-", t->id);
    snprintf(t->user, sizeof(t->user), "%s", user);
    t->description = gv_strdup(description ? description : "");
    t->created_ms = gv_daemon_now_ms();
    return t;
}

int
gv_daemon_store_token(gv_daemon *d, const gv_token_rec *t, gv_err *err)
{
    uint8_t hash[GV_STORE_TOKEN_HASH_LEN];
    gv_store_token row = {.id = t->id,
                          .hash = hash,
                          .user = t->user,
                          .description = t->description,
                          .created_ms = t->created_ms,
                          .revoked_ms = t->revoked_ms};

    sodium_hex2bin(hash, sizeof(hash), t->hash_hex, strlen(t->hash_hex), NULL, NULL, NULL);
    return gv_store_put_token(d->store, &row, err);
}

static const char *
user_tenant(gv_daemon *d, const char *user)
{
    const gv_user_rec *u = gv_strmap_get(d->users, user);
    return u ? u->p.tenant : NULL;
}

/* May @who manage the tokens of @user? Own tokens always; others by token.write on the
 * owner's tenant. */
static bool
may_manage(gv_daemon *d, const gv_principal *who, const char *user)
{
    const char *t;

    if (!strcmp(who->user, user))
        return true;
    if (!(t = user_tenant(d, user)))
        return false;
    return gv_policy_authorize(who, GV_PERM_TOKEN_WRITE, *t ? t : NULL).allow;
}

static int
apply_token_create(gv_daemon *d, gv_op *op, gv_err *err)
{
    token_arg *a = op->arg;
    char secret[64];
    gv_token_rec *t;
    GV_AUTOFREE char *obj = NULL;
    GV_AUTOFREE char *det = NULL;

    if (!gv_strmap_get(d->users, a->user) || !may_manage(d, &op->who, a->user)) {
        gv_op_error(op, 404, "not_found", "{\"field\": \"user\"}", "user '%s' does not exist",
                    a->user);
        return 0;
    }
    t = gv_daemon_new_token(a->user, a->description, secret);
    obj = gv_asprintf("token/%s", t->id);
    det = gv_asprintf("{\"user\":\"%s\"}", t->user);
    if (gv_daemon_store_token(d, t, err) < 0 ||
        gv_daemon_audit_append(d, &op->who, user_tenant(d, a->user), "token.create", obj, det,
                               err) < 0) {
        sodium_memzero(secret, sizeof(secret));
        free(t->description);
        free(t);
        return -GV_E_IO;
    }
    gv_daemon_add_token(d, t);
    gv_op_answer(
        op, 201,
        gv_asprintf("{\"id\":\"%s\",\"token\":\"%s\",\"user\":\"%s\"}", t->id, secret, t->user));
    sodium_memzero(secret, sizeof(secret));
    return 0;
}

void
gv_route_token_create(gv_call *c)
{
    static const char *const keys[] = {"?user", "?description", NULL};
    json_t *o = body_object(c, keys);
    token_arg *a;

    if (!o)
        return;
    a = GV_NEW0(token_arg);
    snprintf(a->user, sizeof(a->user), "%s", *str(o, "user") ? str(o, "user") : c->who.user);
    a->description = gv_strndup(str(o, "description"), 256);
    json_decref(o);
    gv_call_submit(c, gv_op_new(c, apply_token_create, a, token_arg_free));
}

typedef struct token_list {
    gv_call *c;
    json_t *arr;
} token_list;

static bool
list_token(void *ctx, const char *key, void *value)
{
    token_list *l = ctx;
    const gv_token_rec *t = value;
    const char *tenant = user_tenant(l->c->d, t->user);

    (void)key;
    if (strcmp(t->user, l->c->who.user) &&
        !gv_policy_authorize(&l->c->who, GV_PERM_TOKEN_READ, tenant && *tenant ? tenant : NULL)
             .allow)
        return true;
    json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:I, s:I}", "id", t->id, "user",
                                            t->user, "description", t->description, "created_ms",
                                            (json_int_t)t->created_ms, "revoked_ms",
                                            (json_int_t)t->revoked_ms));
    return true;
}

static int
cmp_token(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(x, "id")),
                  json_string_value(json_object_get(y, "id")));
}

void
gv_route_token_list(gv_call *c)
{
    token_list l = {.c = c, .arr = json_array()};
    json_t *sorted = json_array();
    json_t **items;
    size_t n;

    pthread_rwlock_rdlock(&c->d->lock);
    gv_strmap_each(c->d->token_ids, list_token, &l);
    pthread_rwlock_unlock(&c->d->lock);
    n = json_array_size(l.arr);
    items = gv_calloc(n ? n : 1, sizeof(*items));
    for (size_t i = 0; i < n; i++)
        items[i] = json_array_get(l.arr, i);
    if (n)
        qsort(items, n, sizeof(*items), cmp_token);
    for (size_t i = 0; i < n; i++)
        json_array_append(sorted, items[i]);
    free(items);
    json_decref(l.arr);
    gv_call_json(c, 200, gv_json_take_dump(json_pack("{s:o}", "tokens", sorted)));
}

static int
apply_token_revoke(gv_daemon *d, gv_op *op, gv_err *err)
{
    token_arg *a = op->arg;
    gv_token_rec *t = gv_strmap_get(d->token_ids, a->id);
    GV_AUTOFREE char *obj = gv_asprintf("token/%s", a->id);

    if (!t || !may_manage(d, &op->who, t->user)) {
        gv_op_error(op, 404, "not_found", NULL, "token '%s' does not exist", a->id);
        return 0;
    }
    if (t->revoked_ms) {
        gv_op_answer(op, 200, gv_asprintf("{\"id\":\"%s\",\"revoked\":true}", t->id));
        return 0;
    }
    t->revoked_ms = gv_daemon_now_ms();
    if (gv_daemon_store_token(d, t, err) < 0 ||
        gv_daemon_audit_append(d, &op->who, user_tenant(d, t->user), "token.revoke", obj, NULL,
                               err) < 0) {
        t->revoked_ms = 0;
        return -GV_E_IO;
    }
    gv_op_answer(op, 200, gv_asprintf("{\"id\":\"%s\",\"revoked\":true}", t->id));
    return 0;
}

void
gv_route_token_revoke(gv_call *c)
{
    token_arg *a = GV_NEW0(token_arg);

    snprintf(a->id, sizeof(a->id), "%s", c->arg[0]);
    gv_call_submit(c, gv_op_new(c, apply_token_revoke, a, token_arg_free));
}
