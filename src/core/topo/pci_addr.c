/* pci_addr.c - canonical PCI addresses ("dddd:bb:dd.f", lower case). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "gpuvm/topo.h"

static int
hex_field(const char **p, int max_digits, unsigned long max, unsigned long *ret)
{
    unsigned long v = 0;
    int n = 0;

    while (isxdigit((unsigned char)**p) && n < max_digits) {
        int c = tolower((unsigned char)**p);
        v = v * 16 + (unsigned long)(isdigit(c) ? c - '0' : c - 'a' + 10);
        (*p)++;
        n++;
    }
    if (n == 0 || isxdigit((unsigned char)**p) || v > max)
        return -1;
    *ret = v;
    return 0;
}

int
gv_pci_addr_normalize(const char *s, char ret[GV_PCI_ADDR_LEN], gv_err *err)
{
    unsigned long dom = 0, bus, dev, fn;
    const char *p = s;
    const char *colon1 = s ? strchr(s, ':') : NULL;

    if (!s || !colon1)
        goto bad;
    if (strchr(colon1 + 1, ':')) {
        /* domain present: 4 digits (sysfs, hwloc) or 8 (NVML) */
        if (hex_field(&p, 8, 0xffff, &dom) < 0 || *p++ != ':')
            goto bad;
    }
    if (hex_field(&p, 2, 0xff, &bus) < 0 || *p++ != ':')
        goto bad;
    if (hex_field(&p, 2, 0x1f, &dev) < 0 || *p++ != '.')
        goto bad;
    if (hex_field(&p, 1, 7, &fn) < 0 || *p)
        goto bad;
    snprintf(ret, GV_PCI_ADDR_LEN, "%04lx:%02lx:%02lx.%lx", dom, bus, dev, fn);
    return 0;
bad:
    return gv_err_set(err, GV_E_INVAL, NULL, "'%s' is not a PCI address (dddd:bb:dd.f)",
                      s ? s : "(null)");
}

int
gv_pci_vf_addr(const char *pf, int vf, char ret[GV_PCI_ADDR_LEN], gv_err *err)
{
    char canon[GV_PCI_ADDR_LEN];
    unsigned dom, bus, dev, fn, rid;

    if (gv_pci_addr_normalize(pf, canon, err) < 0)
        return -GV_E_INVAL;
    if (vf < 0 || vf >= 65536)
        return gv_err_set(err, GV_E_INVAL, NULL, "VF index %d out of range", vf);
    if (sscanf(canon, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
        return gv_err_set(err, GV_E_INTERNAL, NULL, "cannot split '%s'", canon);
    /* routing id = bus:devfn; VFs follow the PF at offset 1, stride 1 */
    rid = (bus << 8 | dev << 3 | fn) + 1 + (unsigned)vf;
    if (rid > 0xffff)
        return gv_err_set(err, GV_E_INVAL, NULL, "VF %d of %s lies past bus ff", vf, canon);
    snprintf(ret, GV_PCI_ADDR_LEN, "%04x:%02x:%02x.%x", dom, rid >> 8, (rid >> 3) & 0x1f, rid & 7);
    return 0;
}
