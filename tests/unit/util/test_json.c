/* test_json.c - jansson with positions and paths: errors name where, reads are typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static json_t *
parse_ok(const char *text)
{
    json_t *j = NULL;
    assert_int_equal(gv_json_parse(text, strlen(text), "t.json", &j, NULL), 0);
    return j;
}

static void
test_parse_errors(void **state)
{
    json_t *j = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_json_parse("{\"a\": 1,\n \"a\": 2}", 17, "t.json", &j, &err), -GV_E_PARSE);
    assert_null(j);
    assert_string_equal(err.where, "t.json:2:4");
    assert_string_equal(err.msg, "duplicate object key near '\"a\"'");
    gv_err_clear(&err);
    assert_int_equal(gv_json_parse("", 0, "e.json", &j, &err), -GV_E_PARSE);
    assert_string_equal(err.where, "e.json:1:1");
}

static void
test_typed_reads(void **state)
{
    json_t *j = parse_ok("{\"n\": 5, \"s\": \"x\", \"b\": true, \"z\": null, \"d\": 2.5, "
                         "\"a\": [1]}");
    static const char *const keys[] = {"n", "s", "b", "z", "d", "a", NULL};
    static const char *const fewer[] = {"n", NULL};
    int64_t n = 0;
    const char *s = NULL;
    bool b = false;
    double d = 0;
    json_t *a = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_json_check_keys(j, "t.json", "root", keys, &err), 0);
    assert_int_equal(gv_json_check_keys(j, "t.json", "root", fewer, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "root: unknown key 's'");
    gv_err_clear(&err);
    assert_int_equal(gv_json_get_int(j, "n", true, "t.json", "root", 0, 9, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_int_equal(gv_json_get_int(j, "n", true, "t.json", "root", 0, 4, &n, &err), -GV_E_INVAL);
    assert_string_equal(err.where, "t.json");
    assert_string_equal(err.msg, "root.n: 5 is out of range 0..4");
    gv_err_clear(&err);
    assert_int_equal(gv_json_get_int(j, "s", true, "t.json", "root", 0, 4, &n, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "root.s: expected an integer");
    gv_err_clear(&err);
    /* absent and optional: output untouched */
    n = 77;
    assert_int_equal(gv_json_get_int(j, "q", false, "t.json", "root", 0, 4, &n, &err), 0);
    assert_int_equal(n, 77);
    assert_int_equal(gv_json_get_int(j, "q", true, "t.json", "root", 0, 4, &n, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "root: missing required key 'q'");
    gv_err_clear(&err);
    assert_int_equal(gv_json_get_int_nullable(j, "z", "t.json", "", 0, 4, -1, &n, &err), 0);
    assert_int_equal(n, -1);
    assert_int_equal(gv_json_get_str(j, "s", true, "t.json", "", &s, &err), 0);
    assert_string_equal(s, "x");
    assert_int_equal(gv_json_get_bool(j, "b", true, "t.json", "", &b, &err), 0);
    assert_true(b);
    assert_int_equal(gv_json_get_double(j, "d", true, "t.json", "", 0, 3, &d, &err), 0);
    assert_true(d == 2.5);
    assert_int_equal(gv_json_get_array(j, "a", true, "t.json", "", &a, &err), 0);
    assert_int_equal(json_array_size(a), 1);
    assert_int_equal(gv_json_get_array(j, "n", true, "t.json", "", &a, &err), -GV_E_INVAL);
    assert_string_equal(err.msg, "n: expected an array");
    json_decref(j);
}

/* Canonical output: sorted keys, fixed layout; dump(parse(dump(x))) == dump(x). */
static void
test_canonical_dump(void **state)
{
    json_t *j = parse_ok("{\"b\": [1, {\"y\": null, \"x\": 1.5}], \"a\": \"s\"}");
    char *one = gv_json_dump(j), *two;
    json_t *k;
    (void)state;

    assert_string_equal(one, "{\n  \"a\": \"s\",\n  \"b\": [\n    1,\n    {\n      \"x\": 1.5,\n"
                             "      \"y\": null\n    }\n  ]\n}\n");
    k = parse_ok(one);
    two = gv_json_dump(k);
    assert_string_equal(one, two);
    free(one);
    free(two);
    json_decref(j);
    json_decref(k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_typed_reads),
        cmocka_unit_test(test_canonical_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
