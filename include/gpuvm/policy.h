/*
 * policy.h - who may do what: roles (RBAC) scoped to a tenant.
 *
 * A principal (the user behind a token) has one role. Platform roles act on every tenant; tenant
 * roles act on their own tenant only. Every decision says which rule decided it, so a 403 can
 * name the rule. Tenancy policy beyond roles (attribute rules, quotas, approvals, maintenance
 * windows) joins here as further checks after gv_policy_authorize allows.
 */
#ifndef GPUVM_POLICY_H
#define GPUVM_POLICY_H

#include <stdbool.h>

#define GV_POLICY_NAME_LEN 64

typedef enum gv_role {
    GV_ROLE_PLATFORM_ADMIN,
    GV_ROLE_OPERATOR,
    GV_ROLE_AUDITOR,
    GV_ROLE_TENANT_ADMIN,
    GV_ROLE_TENANT_MEMBER,
    GV_ROLE_LAST
} gv_role; /* "platform-admin", "operator", "auditor", "tenant-admin", "tenant-member" */

const char *gv_role_to_string(gv_role r);
int gv_role_from_string(const char *s); /* -1 when unknown */
extern const char *const gv_role_names[GV_ROLE_LAST + 1];
/* Tenant roles need a tenant; platform roles must not have one. */
bool gv_role_is_tenant(gv_role r);

/* What an API route asks for. */
typedef enum gv_perm {
    GV_PERM_HOST_READ,         /* a host's public summary: name, pool, state, free capacity */
    GV_PERM_HOST_READ_PRIVATE, /* topology, PCI addresses, other tenants' VMs on it */
    GV_PERM_HOST_WRITE,        /* cordon, state, fleet import */
    GV_PERM_VM_READ,
    GV_PERM_VM_WRITE,
    GV_PERM_PLACEMENT_EXPLAIN,
    GV_PERM_TENANT_READ,
    GV_PERM_TENANT_WRITE,
    GV_PERM_USER_READ,
    GV_PERM_USER_WRITE,
    GV_PERM_TOKEN_READ,  /* token metadata */
    GV_PERM_TOKEN_WRITE, /* create and revoke tokens of others (one's own: always) */
    GV_PERM_AUDIT_READ,
    GV_PERM_METRICS_READ,
    GV_PERM_LAST
} gv_perm;

const char *gv_perm_to_string(gv_perm p); /* "host.read", "vm.write", ... */

typedef struct gv_principal {
    char user[GV_POLICY_NAME_LEN];
    char tenant[GV_POLICY_NAME_LEN]; /* "" for platform roles */
    gv_role role;
} gv_principal;

typedef struct gv_decision {
    bool allow;
    const char *rule; /* static: "rbac.tenant-member.vm.write.own-tenant", "rbac.default-deny" */
} gv_decision;

/*
 * May @p exercise @perm on an object of tenant @tenant (NULL: an object of no tenant, such as a
 * host or the audit chain as a whole)? A tenant role is allowed on its own tenant's objects and
 * on tenant-less objects its rules list; never on another tenant's.
 */
gv_decision gv_policy_authorize(const gv_principal *p, gv_perm perm, const char *tenant);

#endif
