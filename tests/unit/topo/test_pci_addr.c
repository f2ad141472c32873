/*
 * test_pci_addr.c - PCI addresses against printf/scanf references: the fast formatter and the
 * splitter round-trip every domain and routing id, normalising accepts the forms sysfs, hwloc
 * and NVML write (4- or 8-digit domain, none, any case) and nothing else, and a VF's address is
 * the PF's routing id plus 1 plus the VF index, carried across device and bus, refused past ff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/topo.h"
#include "random_host.h"

static void
test_format_split_roundtrip(void **state)
{
    (void)state;
    gv_rand_state = 11;
    for (int iter = 0; iter < 200000; iter++) {
        unsigned dom = (gv_rand() << 8 ^ gv_rand()) & 0xffff,
                 rid = (gv_rand() << 8 ^ gv_rand()) & 0xffff;
        unsigned d2, r2;
        char fast[GV_PCI_ADDR_LEN], ref[GV_PCI_ADDR_LEN];

        if (iter < 4) /* the corners */
            dom = rid = iter & 1 ? 0xffff : 0;
        gv_pci_addr_format(dom, rid, fast);
        snprintf(ref, sizeof(ref), "%04x:%02x:%02x.%x", dom, rid >> 8, rid >> 3 & 0x1f, rid & 7);
        if (strcmp(fast, ref))
            fail_msg("format %04x/%04x: '%s', want '%s'", dom, rid, fast, ref);
        assert_int_equal(gv_pci_addr_split(fast, &d2, &r2, NULL), 0);
        if (d2 != dom || r2 != rid)
            fail_msg("split '%s': %04x/%04x", fast, d2, r2);
    }
}

static void
test_normalize_forms(void **state)
{
    static const struct {
        const char *in, *want; /* want NULL: refused */
    } cases[] = {
        {"0000:18:00.0", "0000:18:00.0"},
        {"00000000:3B:1F.7", "0000:3b:1f.7"},
        {"18:00.0", "0000:18:00.0"},
        {"ABCD:ef:01.2", "abcd:ef:01.2"},
        {"0000:18:20.0", NULL},
        {"0000:18:00.8", NULL},
        {"10000:18:00.0", NULL},
        {"0000:180:00.0", NULL},
        {"0000:18:00", NULL},
        {"0000:18:00.0 ", NULL},
        {"", NULL},
        {"zz:00.0", NULL},
        {"0000:18:00.0.1", NULL},
        {"000000000:18:00.0", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[GV_PCI_ADDR_LEN] = "";
        gv_err err = {0};
        int rc = gv_pci_addr_normalize(cases[i].in, out, &err);

        if (cases[i].want && (rc != 0 || strcmp(out, cases[i].want)))
            fail_msg("'%s': rc %d '%s', want '%s'", cases[i].in, rc, out, cases[i].want);
        if (!cases[i].want && (rc == 0 || !strstr(err.msg, "is not a PCI address")))
            fail_msg("'%s': accepted as '%s' or no message ('%s')", cases[i].in, out, err.msg);
    }
}

static void
test_vf_addr_reference(void **state)
{
    (void)state;
    gv_rand_state = 12;
    for (int iter = 0; iter < 100000; iter++) {
        unsigned bus = (unsigned)gv_rand() % 256, dev = (unsigned)gv_rand() % 32,
                 fn = (unsigned)gv_rand() % 8, dom = (unsigned)gv_rand() % 4;
        int vf = (int)(gv_rand() % 600) - 2;
        char pf[GV_PCI_ADDR_LEN], got[GV_PCI_ADDR_LEN] = "", want[GV_PCI_ADDR_LEN] = "";
        /* reference: walk devfn by hand, carrying functions into devices into buses */
        unsigned b = bus, d = dev, f = fn;
        bool ok = vf >= 0;

        snprintf(pf, sizeof(pf), "%04x:%02x:%02x.%x", dom, bus, dev, fn);
        for (int k = 0; ok && k <= vf; k++) {
            if (++f == 8) {
                f = 0;
                if (++d == 32) {
                    d = 0;
                    ok = ++b <= 0xff;
                }
            }
        }
        if (ok)
            snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", dom, b, d, f);
        if ((gv_pci_vf_addr(pf, vf, got, NULL) == 0) != ok || (ok && strcmp(got, want)))
            fail_msg("VF %d of %s: '%s', want %s", vf, pf, got, ok ? want : "refused");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_split_roundtrip),
        cmocka_unit_test(test_normalize_forms),
        cmocka_unit_test(test_vf_addr_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
