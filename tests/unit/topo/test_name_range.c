/* test_name_range.c - host name patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gpuvm/topo.h"

static void
expect(const char *pattern, const char *const *want, int n)
{
    char **names = NULL;
    gv_err err = {0};
    int r = gv_name_range_expand(pattern, &names, &err);

    if (r != n)
        fail_msg("%s: got %d names (%s), want %d", pattern, r, err.msg, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(names[i], want[i]);
    gv_strv_free(names, (size_t)n);
}

static void
test_expand(void **state)
{
    (void)state;
    expect("gpu-r1-[01-03]", (const char *const[]){"gpu-r1-01", "gpu-r1-02", "gpu-r1-03"}, 3);
    expect("n[8-10]", (const char *const[]){"n8", "n9", "n10"}, 3);
    expect("r[1-2]-n[1,3]", (const char *const[]){"r1-n1", "r1-n3", "r2-n1", "r2-n3"}, 4);
    expect("plain", (const char *const[]){"plain"}, 1);
    expect("x[007-008]y", (const char *const[]){"x007y", "x008y"}, 2);
}

static void
expect_error(const char *pattern, int code, const char *msg)
{
    char **names = NULL;
    gv_err err = {0};

    assert_int_equal(gv_name_range_expand(pattern, &names, &err), -code);
    assert_null(names);
    assert_string_equal(err.msg, msg);
}

static void
test_errors(void **state)
{
    (void)state;
    expect_error("a[3-1]", GV_E_INVAL, "host pattern 'a[3-1]': range 3-1 goes down");
    expect_error("a[1-", GV_E_INVAL, "host pattern 'a[1-': expected [N], [N-M] or [N-M,K] at ''");
    expect_error("a]", GV_E_INVAL, "host pattern 'a]': unmatched ']'");
    expect_error("a[x]", GV_E_INVAL, "host pattern 'a[x]': expected [N], [N-M] or [N-M,K] at 'x]'");
    expect_error("a[0-999999]", GV_E_LIMIT,
                 "host pattern 'a[0-999999]' expands to more than "
                 "100000 names");
    expect_error("a[0-999]b[0-999]", GV_E_LIMIT,
                 "host pattern 'a[0-999]b[0-999]' expands to "
                 "more than 100000 names");
    expect_error("", GV_E_INVAL, "empty host name");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
