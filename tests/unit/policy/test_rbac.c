/* test_rbac.c - the role table's properties over every role, permission and tenant case, and
 * the matrix of docs/api.md's roles section written out as the expectation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gpuvm/policy.h"

static gv_principal
who(gv_role role, const char *tenant)
{
    gv_principal p = {.role = role};

    strcpy(p.user, "u");
    strcpy(p.tenant, tenant);
    return p;
}

static const gv_perm writes[] = {GV_PERM_HOST_WRITE, GV_PERM_VM_WRITE, GV_PERM_TENANT_WRITE,
                                 GV_PERM_USER_WRITE, GV_PERM_TOKEN_WRITE};

/* A tenant role is never allowed anything on another tenant's objects. */
static void
test_tenant_isolation(void **state)
{
    (void)state;
    for (gv_role r = GV_ROLE_TENANT_ADMIN; r <= GV_ROLE_TENANT_MEMBER; r++)
        for (gv_perm p = 0; p < GV_PERM_LAST; p++) {
            gv_principal pr = who(r, "acme");
            gv_decision d = gv_policy_authorize(&pr, p, "beta");

            assert_false(d.allow);
            assert_string_equal(d.rule, "rbac.default-deny");
        }
}

/* Auditors write nothing; platform admins may do everything anywhere. */
static void
test_auditor_and_admin(void **state)
{
    gv_principal aud = who(GV_ROLE_AUDITOR, ""), adm = who(GV_ROLE_PLATFORM_ADMIN, "");
    (void)state;

    for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
        assert_false(gv_policy_authorize(&aud, writes[i], NULL).allow);
        assert_false(gv_policy_authorize(&aud, writes[i], "acme").allow);
    }
    for (gv_perm p = 0; p < GV_PERM_LAST; p++) {
        assert_true(gv_policy_authorize(&adm, p, NULL).allow);
        assert_true(gv_policy_authorize(&adm, p, "acme").allow);
    }
}

/* docs/api.md, "Roles": Y allowed on an object of the principal's own tenant (for tenant roles)
 * or of any tenant (platform roles); each row lists the permissions in gv_perm order:
 * host.read host.read-private host.write vm.read vm.write explain tenant.read tenant.write
 * user.read user.write token.read token.write audit.read metrics.read */
static const struct {
    gv_role role;
    const char *own;    /* on an object of the principal's tenant ("acme") */
    const char *global; /* on an object of no tenant */
} matrix[] = {
    {GV_ROLE_OPERATOR, "YYYYYYY.Y....Y", "YYYYYYY.Y....Y"},
    {GV_ROLE_AUDITOR, "YY.Y..Y.Y.Y.YY", "YY.Y..Y.Y.Y.YY"},
    {GV_ROLE_TENANT_ADMIN, "...YYYY.YYYYY.", "Y............."},
    {GV_ROLE_TENANT_MEMBER, "...YYYY.......", "Y............."},
};

static void
test_matrix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
        gv_principal pr = who(matrix[i].role, gv_role_is_tenant(matrix[i].role) ? "acme" : "");

        assert_int_equal(strlen(matrix[i].own), GV_PERM_LAST);
        for (gv_perm p = 0; p < GV_PERM_LAST; p++) {
            bool own = gv_policy_authorize(&pr, p, "acme").allow;
            bool global = gv_policy_authorize(&pr, p, NULL).allow;

            if (own != (matrix[i].own[p] == 'Y') || global != (matrix[i].global[p] == 'Y'))
                fail_msg("%s %s: own %d global %d", gv_role_to_string(matrix[i].role),
                         gv_perm_to_string(p), own, global);
        }
    }
}

static void
test_names(void **state)
{
    (void)state;
    for (gv_role r = 0; r < GV_ROLE_LAST; r++)
        assert_int_equal(gv_role_from_string(gv_role_to_string(r)), r);
    assert_int_equal(gv_role_from_string("root"), -1);
    for (gv_perm p = 0; p < GV_PERM_LAST; p++)
        assert_string_not_equal(gv_perm_to_string(p), "invalid");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tenant_isolation),
        cmocka_unit_test(test_auditor_and_admin),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
