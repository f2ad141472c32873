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
gv_pci_addr_split(const char *s, unsigned *domain, unsigned *rid, gv_err *err)
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
    *domain = (unsigned)dom;
    *rid = (unsigned)(bus << 8 | dev << 3 | fn);
    return 0;
bad:
    return gv_err_set(err, GV_E_INVAL, NULL, "'%s' is not a PCI address (dddd:bb:dd.f)",
                      s ? s : "(null)");
}

void
gv_pci_addr_format(unsigned domain, unsigned rid, char ret[GV_PCI_ADDR_LEN])
{
    static const char hex[] = "0123456789abcdef";
    unsigned bus = rid >> 8 & 0xff, dev = rid >> 3 & 0x1f, fn = rid & 7;

    /* "dddd:bb:dd.f" without snprintf: placements format one per VF they hand out */
    ret[0] = hex[domain >> 12 & 15];
    ret[1] = hex[domain >> 8 & 15];
    ret[2] = hex[domain >> 4 & 15];
    ret[3] = hex[domain & 15];
    ret[4] = ':';
    ret[5] = hex[bus >> 4];
    ret[6] = hex[bus & 15];
    ret[7] = ':';
    ret[8] = hex[dev >> 4];
    ret[9] = hex[dev & 15];
    ret[10] = '.';
    ret[11] = hex[fn];
    ret[12] = '\0';
}

int
gv_pci_addr_normalize(const char *s, char ret[GV_PCI_ADDR_LEN], gv_err *err)
{
    unsigned dom, rid;

    if (gv_pci_addr_split(s, &dom, &rid, err) < 0)
        return -GV_E_INVAL;
    gv_pci_addr_format(dom, rid, ret);
    return 0;
}

int
gv_pci_vf_rid(unsigned pf_rid, int vf, unsigned *ret)
{
    /* routing id = bus:devfn; VFs follow the PF at offset 1, stride 1 */
    unsigned rid = pf_rid + 1 + (unsigned)vf;

    if (vf < 0 || vf >= 65536 || rid > 0xffff)
        return -GV_E_INVAL;
    *ret = rid;
    return 0;
}

int
gv_pci_vf_addr(const char *pf, int vf, char ret[GV_PCI_ADDR_LEN], gv_err *err)
{
    unsigned dom, pf_rid, rid;

    if (gv_pci_addr_split(pf, &dom, &pf_rid, err) < 0)
        return -GV_E_INVAL;
    if (vf < 0 || vf >= 65536)
        return gv_err_set(err, GV_E_INVAL, NULL, "VF index %d out of range", vf);
    if (gv_pci_vf_rid(pf_rid, vf, &rid) < 0)
        return gv_err_set(err, GV_E_INVAL, NULL, "VF %d of %s lies past bus ff", vf, pf);
    gv_pci_addr_format(dom, rid, ret);
    return 0;
}
