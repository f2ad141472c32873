/* test_strmap.c - the string map against a reference (a plain array searched linearly) over
 * random puts, replacements and removals, through growth and tombstones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"

#define KEYS 3000

typedef struct ref {
    bool present;
    void *value;
} ref;

static bool
count_each(void *ctx, const char *key, void *value)
{
    size_t *n = ctx;
    int k = atoi(key + 1);

    assert_ptr_equal(value, (void *)(intptr_t)(k * 7 + 1)); /* values follow keys below */
    (*n)++;
    return true;
}

static void
test_against_reference(void **state)
{
    static ref r[KEYS];
    unsigned seed = 12345;
    (void)state;

    for (int round = 0; round < 3; round++) {
        gv_strmap *m = gv_strmap_new();
        size_t live = 0, n = 0;

        memset(r, 0, sizeof(r));
        for (int step = 0; step < 60000; step++) {
            int k = (int)(rand_r(&seed) % KEYS);
            char key[16];
            void *v = (void *)(intptr_t)(k * 7 + 1);

            snprintf(key, sizeof(key), "k%d", k);
            switch (rand_r(&seed) % 3) {
            case 0:
            case 1:
                assert_ptr_equal(gv_strmap_put(m, key, v), r[k].present ? r[k].value : NULL);
                live += !r[k].present;
                r[k] = (ref){.present = true, .value = v};
                break;
            case 2:
                assert_ptr_equal(gv_strmap_remove(m, key), r[k].present ? r[k].value : NULL);
                live -= r[k].present;
                r[k].present = false;
                break;
            }
            assert_int_equal(gv_strmap_len(m), live);
            if (step % 997 == 0)
                for (int j = 0; j < KEYS; j++) {
                    snprintf(key, sizeof(key), "k%d", j);
                    assert_ptr_equal(gv_strmap_get(m, key), r[j].present ? r[j].value : NULL);
                }
        }
        gv_strmap_each(m, count_each, &n);
        assert_int_equal(n, live);
        gv_strmap_free(m);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
