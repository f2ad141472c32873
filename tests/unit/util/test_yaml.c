/* test_yaml.c - positions in YAML errors and the strict-schema helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/yaml.h"

static gv_yaml *
parse_ok(const char *text)
{
    gv_yaml *y = NULL;
    gv_err err = {0};
    assert_int_equal(gv_yaml_parse(text, strlen(text), "t.yaml", &y, &err), 0);
    return y;
}

static void
test_syntax_error_position(void **state)
{
    gv_yaml *y = NULL;
    gv_err err = {0};
    const char *bad = "a: 1\nb: [1, 2\n";
    (void)state;

    assert_int_equal(gv_yaml_parse(bad, strlen(bad), "t.yaml", &y, &err), -GV_E_PARSE);
    assert_null(y);
    assert_string_equal(err.where, "t.yaml:3:1");
    assert_non_null(strstr(err.msg, "flow sequence"));
    gv_err_clear(&err);
    assert_int_equal(gv_yaml_parse("", 0, "e.yaml", &y, &err), -GV_E_PARSE);
    assert_string_equal(err.msg, "empty document");
}

static void
test_keys_and_types(void **state)
{
    gv_yaml *y = parse_ok("name: x\ncount: 12\nratio: 1.5\nflag: true\nmode: spread\n");
    gv_yaml_node *root = gv_yaml_root(y);
    static const char *const keys[] = {"name", "count", "ratio", "flag", "mode", NULL};
    static const char *const modes[] = {"pack", "spread", NULL};
    int64_t count = 0;
    double ratio = 0;
    bool flag = false;
    int mode = -1;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_yaml_check_keys(y, root, "root", keys, &err), 0);
    assert_int_equal(gv_yaml_get_int(y, root, "count", true, 0, 100, &count, &err), 0);
    assert_int_equal(count, 12);
    assert_int_equal(gv_yaml_get_double(y, root, "ratio", true, 1, 2, &ratio, &err), 0);
    assert_true(ratio == 1.5);
    assert_int_equal(gv_yaml_get_bool(y, root, "flag", true, &flag, &err), 0);
    assert_true(flag);
    assert_int_equal(gv_yaml_get_enum(y, root, "mode", true, modes, &mode, &err), 0);
    assert_int_equal(mode, 1);
    assert_int_equal(gv_yaml_get_int(y, root, "count", true, 0, 10, &count, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "t.yaml:2:8");
    assert_string_equal(err.msg, "count: 12 is out of range 0..10");
    gv_err_clear(&err);
    assert_int_equal(gv_yaml_get_enum(y, root, "name", true, modes, &mode, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "name: 'x' is not one of: pack, spread");
    gv_err_clear(&err);
    assert_int_equal(gv_yaml_get_int(y, root, "missing", true, 0, 1, &count, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "missing required key 'missing'");
    gv_yaml_free(y);
}

static void
test_unknown_and_duplicate_keys(void **state)
{
    static const char *const keys[] = {"a", "b", NULL};
    gv_yaml *y = parse_ok("a: 1\nc: 2\n");
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_yaml_check_keys(y, gv_yaml_root(y), "thing", keys, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "t.yaml:2:1");
    assert_string_equal(err.msg, "thing: unknown key 'c'");
    gv_yaml_free(y);
    gv_err_clear(&err);
    y = parse_ok("a: 1\nb: 2\na: 3\n");
    assert_int_equal(gv_yaml_check_keys(y, gv_yaml_root(y), "thing", keys, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "t.yaml:3:1");
    assert_string_equal(err.msg, "thing: duplicate key 'a'");
    gv_yaml_free(y);
}

static void
test_hostile_depth(void **state)
{
    char buf[4096];
    gv_yaml *y = NULL;
    gv_err err = {0};
    (void)state;

    /* flow and block nesting both count */
    memset(buf, '[', 1000);
    memset(buf + 1000, ']', 1000);
    assert_int_equal(gv_yaml_parse(buf, 2000, "d.yaml", &y, &err), -GV_E_LIMIT);
    assert_null(y);
    assert_string_equal(err.where, "d.yaml:1:65");
    assert_string_equal(err.msg, "nested deeper than 64 levels");
    gv_err_clear(&err);
    for (int i = 0; i < 200; i++)
        memcpy(buf + 2 * i, "- ", 2);
    strcpy(buf + 400, "x\n");
    assert_int_equal(gv_yaml_parse(buf, strlen(buf), "d.yaml", &y, &err), -GV_E_LIMIT);
    /* 64 levels are fine */
    memset(buf, '[', 64);
    memset(buf + 64, ']', 64);
    assert_int_equal(gv_yaml_parse(buf, 128, "d.yaml", &y, &err), 0);
    gv_yaml_free(y);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_error_position),
        cmocka_unit_test(test_keys_and_types),
        cmocka_unit_test(test_unknown_and_duplicate_keys),
        cmocka_unit_test(test_hostile_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
