/*
 * test_basics.c - the leaf helpers: gv_err (first report wins, one line, prefixes), strbuf,
 * bounded file reads and paths, and array growth (a property against a plain reference).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"
#include "util/file.h"
#include "util/strbuf.h"

static void
test_err(void **state)
{
    gv_err err = {0};
    char buf[256];
    (void)state;

    assert_int_equal(gv_err_set(&err, GV_E_PARSE, "f.yaml:3:1", "bad %s", "thing"), -GV_E_PARSE);
    /* the first report wins */
    assert_int_equal(gv_err_set(&err, GV_E_IO, "other", "later"), -GV_E_IO);
    assert_int_equal(err.code, GV_E_PARSE);
    assert_string_equal(gv_err_format(&err, buf, sizeof(buf)), "f.yaml:3:1: bad thing");
    gv_err_prefix(&err, "fleet.yaml");
    assert_string_equal(err.where, "fleet.yaml:f.yaml:3:1");
    gv_err_clear(&err);
    /* hostile text cannot forge a second log line */
    gv_err_set(&err, GV_E_INVAL, "a\nb", "x\ny\rz");
    assert_string_equal(err.where, "a b");
    assert_string_equal(err.msg, "x y z");
    assert_string_equal(gv_errcode_to_string(-GV_E_LIMIT), "limit");
    assert_int_equal(gv_err_set(NULL, GV_E_IO, NULL, "ignored"), -GV_E_IO);
}

static void
test_strbuf(void **state)
{
    gv_strbuf sb = {0};
    char *s;
    (void)state;

    assert_string_equal(gv_strbuf_str(&sb), "");
    for (int i = 0; i < 1000; i++)
        gv_strbuf_printf(&sb, "%d,", i);
    assert_int_equal(sb.len, strlen(sb.buf));
    assert_int_equal(strncmp(sb.buf, "0,1,2,", 6), 0);
    gv_strbuf_reset(&sb);
    gv_strbuf_append(&sb, "ab");
    gv_strbuf_pad(&sb, 0, 5);
    gv_strbuf_putc(&sb, '|');
    s = gv_strbuf_steal(&sb);
    assert_string_equal(s, "ab   |");
    assert_null(sb.buf);
    free(s);
}

static void
test_file(void **state)
{
    char path[] = "/tmp/gv-test-file-XXXXXX";
    int fd = mkstemp(path);
    char *text = NULL;
    size_t len = 0;
    gv_err err = {0};
    char *p;
    (void)state;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello", 5), 5);
    close(fd);
    assert_int_equal(gv_file_read(path, 100, &text, &len, &err), 0);
    assert_int_equal(len, 5);
    assert_string_equal(text, "hello");
    free(text);
    text = NULL;
    assert_int_equal(gv_file_read(path, 4, &text, &len, &err), -GV_E_LIMIT);
    assert_null(text);
    assert_string_equal(err.msg, "file is larger than 4 bytes");
    gv_err_clear(&err);
    unlink(path);
    assert_int_equal(gv_file_read(path, 100, &text, &len, &err), -GV_E_IO);
    assert_string_equal(err.where, path);
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    gv_err_clear(&err);
    assert_int_equal(gv_file_read("/tmp", 100, &text, &len, &err), -GV_E_IO);
    assert_string_equal(err.msg, "is a directory, expected a file");

    p = gv_path_resolve("data/fleets/example.yaml", "../hosts/a.json");
    assert_string_equal(p, "data/fleets/../hosts/a.json");
    free(p);
    p = gv_path_resolve("example.yaml", "a.json");
    assert_string_equal(p, "a.json");
    free(p);
    p = gv_path_resolve("x/example.yaml", "/abs/a.json");
    assert_string_equal(p, "/abs/a.json");
    free(p);
}

/* GV_ARRAY_APPEND against a reference: every element kept, new slots zeroed. */
static void
test_array_append(void **state)
{
    struct item {
        int a;
        char pad[13];
    } *arr = NULL;
    size_t n = 0;
    (void)state;

    for (int i = 0; i < 100000; i++) {
        struct item *it = GV_ARRAY_APPEND(arr, n);
        assert_int_equal(it->a, 0);
        assert_int_equal(it->pad[12], 0);
        it->a = i;
    }
    assert_int_equal(n, 100000);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(arr[i].a, i);
    free(arr);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err),
        cmocka_unit_test(test_strbuf),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_array_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
