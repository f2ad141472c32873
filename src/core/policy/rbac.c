/*
 * rbac.c - role-based access: a table of (role, permission, scope) rules, default deny.
 *
 * Scopes: ANY allows on every object; OWN on objects of the principal's own tenant; GLOBAL on
 * objects of no tenant (hosts, the fleet). A tenant role never reaches another tenant's object,
 * whatever its rules say, because OWN compares tenants and GLOBAL requires no tenant at all. The
 * rule's name is built from its fields, so a 403 names exactly the line of the table that
 * decided it (or the default deny).
 */
#include <string.h>

#include "gpuvm/policy.h"
#include "util/enum_names.h"

const char *const gv_role_names[GV_ROLE_LAST + 1] = {
    [GV_ROLE_PLATFORM_ADMIN] = "platform-admin",
    [GV_ROLE_OPERATOR] = "operator",
    [GV_ROLE_AUDITOR] = "auditor",
    [GV_ROLE_TENANT_ADMIN] = "tenant-admin",
    [GV_ROLE_TENANT_MEMBER] = "tenant-member",
    [GV_ROLE_LAST] = NULL,
};

static const char *const perm_names[GV_PERM_LAST] = {
    [GV_PERM_HOST_READ] = "host.read",     [GV_PERM_HOST_READ_PRIVATE] = "host.read-private",
    [GV_PERM_HOST_WRITE] = "host.write",   [GV_PERM_VM_READ] = "vm.read",
    [GV_PERM_VM_WRITE] = "vm.write",       [GV_PERM_PLACEMENT_EXPLAIN] = "placement.explain",
    [GV_PERM_TENANT_READ] = "tenant.read", [GV_PERM_TENANT_WRITE] = "tenant.write",
    [GV_PERM_USER_READ] = "user.read",     [GV_PERM_USER_WRITE] = "user.write",
    [GV_PERM_TOKEN_READ] = "token.read",   [GV_PERM_TOKEN_WRITE] = "token.write",
    [GV_PERM_AUDIT_READ] = "audit.read",   [GV_PERM_METRICS_READ] = "metrics.read",
};

const char *
gv_role_to_string(gv_role r)
{
    return gv_enum_to_string(gv_role_names, GV_ROLE_LAST, (int)r);
}

int
gv_role_from_string(const char *s)
{
    return gv_enum_from_string(gv_role_names, GV_ROLE_LAST, s);
}

bool
gv_role_is_tenant(gv_role r)
{
    return r == GV_ROLE_TENANT_ADMIN || r == GV_ROLE_TENANT_MEMBER;
}

const char *
gv_perm_to_string(gv_perm p)
{
    return gv_enum_to_string(perm_names, GV_PERM_LAST, (int)p);
}

typedef enum scope {
    SCOPE_ANY,
    SCOPE_OWN,    /* objects of the principal's tenant */
    SCOPE_GLOBAL, /* objects of no tenant */
} scope;

typedef struct rule {
    gv_role role;
    gv_perm perm;
    scope scope;
    const char *name;
} rule;

#define RULE(r, p, s, n)                                                                           \
    {                                                                                              \
        .role = (r), .perm = (p), .scope = (s), .name = "rbac." n                                  \
    }

/* Platform admins are not listed: they are allowed everything (rule "rbac.platform-admin"). */
static const rule rules[] = {
    RULE(GV_ROLE_OPERATOR, GV_PERM_HOST_READ, SCOPE_ANY, "operator.host.read"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_HOST_READ_PRIVATE, SCOPE_ANY, "operator.host.read-private"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_HOST_WRITE, SCOPE_ANY, "operator.host.write"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_VM_READ, SCOPE_ANY, "operator.vm.read"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_VM_WRITE, SCOPE_ANY, "operator.vm.write"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_PLACEMENT_EXPLAIN, SCOPE_ANY, "operator.placement.explain"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_TENANT_READ, SCOPE_ANY, "operator.tenant.read"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_USER_READ, SCOPE_ANY, "operator.user.read"),
    RULE(GV_ROLE_OPERATOR, GV_PERM_METRICS_READ, SCOPE_ANY, "operator.metrics.read"),

    RULE(GV_ROLE_AUDITOR, GV_PERM_HOST_READ, SCOPE_ANY, "auditor.host.read"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_HOST_READ_PRIVATE, SCOPE_ANY, "auditor.host.read-private"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_VM_READ, SCOPE_ANY, "auditor.vm.read"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_TENANT_READ, SCOPE_ANY, "auditor.tenant.read"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_USER_READ, SCOPE_ANY, "auditor.user.read"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_TOKEN_READ, SCOPE_ANY, "auditor.token.read"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_AUDIT_READ, SCOPE_ANY, "auditor.audit.read"),
    RULE(GV_ROLE_AUDITOR, GV_PERM_METRICS_READ, SCOPE_ANY, "auditor.metrics.read"),

    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_HOST_READ, SCOPE_GLOBAL, "tenant-admin.host.read"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_VM_READ, SCOPE_OWN, "tenant-admin.vm.read.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_VM_WRITE, SCOPE_OWN, "tenant-admin.vm.write.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_PLACEMENT_EXPLAIN, SCOPE_OWN,
         "tenant-admin.placement.explain.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_TENANT_READ, SCOPE_OWN,
         "tenant-admin.tenant.read.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_USER_READ, SCOPE_OWN, "tenant-admin.user.read.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_USER_WRITE, SCOPE_OWN, "tenant-admin.user.write.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_TOKEN_READ, SCOPE_OWN, "tenant-admin.token.read.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_TOKEN_WRITE, SCOPE_OWN,
         "tenant-admin.token.write.own-tenant"),
    RULE(GV_ROLE_TENANT_ADMIN, GV_PERM_AUDIT_READ, SCOPE_OWN, "tenant-admin.audit.read.own-tenant"),

    RULE(GV_ROLE_TENANT_MEMBER, GV_PERM_HOST_READ, SCOPE_GLOBAL, "tenant-member.host.read"),
    RULE(GV_ROLE_TENANT_MEMBER, GV_PERM_VM_READ, SCOPE_OWN, "tenant-member.vm.read.own-tenant"),
    RULE(GV_ROLE_TENANT_MEMBER, GV_PERM_VM_WRITE, SCOPE_OWN, "tenant-member.vm.write.own-tenant"),
    RULE(GV_ROLE_TENANT_MEMBER, GV_PERM_PLACEMENT_EXPLAIN, SCOPE_OWN,
         "tenant-member.placement.explain.own-tenant"),
    RULE(GV_ROLE_TENANT_MEMBER, GV_PERM_TENANT_READ, SCOPE_OWN,
         "tenant-member.tenant.read.own-tenant"),
};

static bool
in_scope(const gv_principal *p, scope s, const char *tenant)
{
    switch (s) {
    case SCOPE_ANY:
        return true;
    case SCOPE_OWN:
        return tenant && *tenant && p->tenant[0] && strcmp(tenant, p->tenant) == 0;
    case SCOPE_GLOBAL:
        return !tenant || !*tenant;
    }
    return false;
}

gv_decision
gv_policy_authorize(const gv_principal *p, gv_perm perm, const char *tenant)
{
    if (!p || (unsigned)perm >= GV_PERM_LAST || (unsigned)p->role >= GV_ROLE_LAST)
        return (gv_decision){.allow = false, .rule = "rbac.default-deny"};
    if (p->role == GV_ROLE_PLATFORM_ADMIN)
        return (gv_decision){.allow = true, .rule = "rbac.platform-admin"};
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        const rule *r = &rules[i];

        if (r->role == p->role && r->perm == perm && in_scope(p, r->scope, tenant))
            return (gv_decision){.allow = true, .rule = r->name};
    }
    return (gv_decision){.allow = false, .rule = "rbac.default-deny"};
}
