/* test_cpulist.c - id lists and hex masks, including a round-trip property over random sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/cpulist.h"

static void
test_list_parse(void **state)
{
    int *ids = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_cpulist_parse("0-3,8,10-11", &ids, &err), 7);
    int want[] = {0, 1, 2, 3, 8, 10, 11};
    assert_memory_equal(ids, want, sizeof(want));
    free(ids);
    assert_int_equal(gv_cpulist_parse("", &ids, &err), 0);
    assert_int_equal(gv_cpulist_parse("5,5,1-2\n", &ids, &err), 3);
    free(ids);
}

static void
test_list_errors(void **state)
{
    int *ids = NULL;
    gv_err err = {0};
    (void)state;

    assert_int_equal(gv_cpulist_parse("3-1", &ids, &err), -GV_E_PARSE);
    assert_string_equal(err.msg, "cpu list '3-1': bad range");
    gv_err_clear(&err);
    assert_int_equal(gv_cpulist_parse("1,x", &ids, &err), -GV_E_PARSE);
    gv_err_clear(&err);
    assert_int_equal(gv_cpulist_parse("0-99999999", &ids, &err), -GV_E_LIMIT);
    assert_string_equal(err.msg, "cpu list '0-99999999': id above 65535");
}

static void
test_mask_parse(void **state)
{
    int *ids = NULL;
    gv_err err = {0};
    (void)state;

    /* hwloc/NCCL: 32-bit words, most significant first */
    assert_int_equal(gv_cpumask_parse("00000001,00000003", &ids, &err), 3);
    int want[] = {0, 1, 32};
    assert_memory_equal(ids, want, sizeof(want));
    free(ids);
    assert_int_equal(gv_cpumask_parse("0xf0", &ids, &err), 4);
    assert_int_equal(ids[0], 4);
    free(ids);
    assert_int_equal(gv_cpumask_parse("0x", &ids, &err), 0);
    assert_int_equal(gv_cpumask_parse("fg", &ids, &err), -GV_E_PARSE);
}

/* Property: format(parse(format(S))) == format(S) and parse(format(S)) == S for random S. */
static void
test_roundtrip_property(void **state)
{
    (void)state;
    srand(42);
    for (int iter = 0; iter < 2000; iter++) {
        int set[64], n = 0;
        for (int id = 0; id < 200 && n < 64; id++)
            if (rand() % 3 == 0)
                set[n++] = id;
        gv_strbuf sb = {0};
        gv_cpulist_format(&sb, set, (size_t)n);
        int *back = NULL;
        assert_int_equal(gv_cpulist_parse(gv_strbuf_str(&sb), &back, NULL), n);
        if (n)
            assert_memory_equal(back, set, (size_t)n * sizeof(int));
        free(back);
        gv_strbuf_reset(&sb);
    }
}

/* Property: ids in any order with duplicates format as their sorted unique set does. */
static void
test_format_ids_property(void **state)
{
    (void)state;
    srand(7);
    for (int iter = 0; iter < 1000; iter++) {
        int ids[80], set[80];
        size_t n = (size_t)(rand() % 80), m;
        gv_strbuf a = {0}, b = {0};

        for (size_t i = 0; i < n; i++)
            ids[i] = set[i] = rand() % 50;
        m = gv_ids_sort_unique(set, n);
        gv_cpulist_format_ids(&a, ids, n);
        gv_cpulist_format(&b, set, m);
        assert_string_equal(gv_strbuf_str(&a), gv_strbuf_str(&b));
        gv_strbuf_reset(&a);
        gv_strbuf_reset(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_parse),          cmocka_unit_test(test_list_errors),
        cmocka_unit_test(test_mask_parse),          cmocka_unit_test(test_roundtrip_property),
        cmocka_unit_test(test_format_ids_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
