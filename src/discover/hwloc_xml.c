/*
 * hwloc_xml.c - load an hwloc topology XML buffer (format v1 from hwloc 1.x, v2 from hwloc 2.x)
 * into a gv_host through libhwloc, after checking the document with libxml2 first.
 *
 * Design notes
 *
 * Why a libxml2 pass before hwloc
 *   1. Positions: hwloc reports a bad document as EINVAL and nothing else. libxml2 says where
 *      ("source:line:col: reason", the first error it reports).
 *   2. Refusals with a reason: XML format 3.0 (hwloc 3.x writes it; hwloc 2.x cannot read it), a
 *      root other than <topology>.
 *   3. Input that hwloc 2.9's importer does not survive, found by reading it and by fuzzing,
 *      refused here before hwloc sees it (check_document, check_tree):
 *      - a DOCTYPE without a system identifier (<!DOCTYPE topology>): its libxml2 back-end passes
 *        the NULL SystemID to strcmp and crashes;
 *      - a DOCTYPE with an internal subset: hwloc never writes one, and its declarations
 *        (entities) are the vehicle of expansion attacks;
 *      - a non-I/O object without cpuset, complete_cpuset, nodeset or complete_nodeset, or with
 *        one that is not an hwloc bitmap: hwloc dereferences the missing set (NULL) and crashes;
 *      - an element where the format's DTD has none, or an unknown object type: hwloc gives up
 *        half-way and leaks the objects it had built;
 *      - <distances2 nbobjs=N> / <distances2hetero> / v1 <distances>: hwloc allocates N x N
 *        values before reading them (N = 40000 asks for 12.8 GB); N x N must equal the number
 *        of values the element really carries (hwloc fails on any other count anyway);
 *      - os_index of a PU or NUMANode above GV_CPULIST_MAX_ID: hwloc sizes bitmaps by it.
 *      hwloc's libxml2 plugin also leaves a dangling libxml2 error handler behind when hwloc
 *      unloads its plugins; gv_hwloc_topo_new keeps them loaded (see there).
 *   The libxml2 pass uses no XML_PARSE_NOENT (entities stay unexpanded), XML_PARSE_NONET, no
 *   DTD loading and no XML_PARSE_HUGE (libxml2's depth and size limits apply).
 *
 * hwloc's side
 *   Comments and, in a v1 document, <distances> elements are removed first (the document is
 *   re-serialised by libxml2; see strip_for_hwloc): hwloc's built-in importer, used when
 *   libhwloc-plugins is absent, refuses a comment before the root, and hwloc 2.9 leaks v1
 *   distances whenever the rest of the import fails. A document without either goes to hwloc
 *   byte for byte. The suite passes with either importer (checked with and without
 *   libhwloc-plugins, which the project does not install: it pulls in X11 and OpenCL).
 *   The buffer goes to hwloc NUL-terminated with its NUL counted, as
 *   hwloc_topology_export_xmlbuffer hands it out (hwloc 2.9's back-ends rely on it). I/O filters
 *   are KEEP_ALL (gv_hwloc_topo_new). hwloc marks XML topologies "not this system", which only
 *   matters for binding, which we never do. If hwloc still refuses, the report is its errno text.
 *   hwloc may print a warning of its own to stderr on odd input (e.g. "Topology does not contain
 *   any NUMA node"); HWLOC_HIDE_ERRORS is the user's switch for that, a library must not set it.
 *
 * Refusals (*ret untouched)
 *   -GV_E_PARSE        not well-formed ("source:line:col: <libxml2's message>"), or hwloc refused
 *                      ("source: hwloc could not load the topology: <strerror>");
 *   -GV_E_UNSUPPORTED  format 3.0 or later, another root element, a DOCTYPE hwloc cannot take;
 *   -GV_E_INVAL        an element, object type or set hwloc cannot take ("source:line: ..."),
 *                      or a model that breaks an invariant (gv_host_check);
 *   -GV_E_LIMIT        larger than GV_FILE_MAX_BYTES, a distance matrix or an os_index out of
 *                      bounds.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "gpuvm/discover.h"
#include "hwloc_model.h"
#include "util/cpulist.h"
#include "util/file.h"
#include "xml_read.h"

#define XML_QUOTE_MAX 32 /* bytes of an input value repeated in an error */

static bool
is_element(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* "source:LINE" for element @n. Caller frees. */
static char *
where_of(const char *source, const xmlNode *n)
{
    return gv_asprintf("%s:%ld", source, xmlGetLineNo(n));
}

/* Number of whitespace-separated tokens in @s. */
static size_t
count_tokens(const char *s)
{
    size_t n = 0;
    bool in = false;

    for (; *s; s++) {
        bool ws = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        if (!ws && !in)
            n++;
        in = !ws;
    }
    return n;
}

/* Values a distance element carries: tokens of <u64values> (v2) or <latency> children (v1). */
static size_t
distance_values(const xmlNode *n)
{
    size_t total = 0;

    for (const xmlNode *k = n->children; k; k = k->next) {
        if (is_element(k, "latency")) {
            total++;
        } else if (is_element(k, "u64values")) {
            xmlChar *text = xmlNodeGetContent(k);
            if (text)
                total += count_tokens((const char *)text);
            xmlFree(text);
        }
    }
    return total;
}

/* An unsigned decimal attribute; false when absent. Garbage reads as ULLONG_MAX (refused). */
static bool
attr_ull(const xmlNode *n, const char *name, unsigned long long *ret)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
    char *end;

    if (!v)
        return false;
    errno = 0;
    *ret = strtoull((const char *)v, &end, 0);
    if (errno || end == (char *)v)
        *ret = ULLONG_MAX;
    xmlFree(v);
    return true;
}

/* Which elements may appear inside which, per format (hwloc.dtd, hwloc2.dtd). */
typedef struct xml_children {
    const char *parent;
    const char *const *allowed; /* NULL-terminated */
} xml_children;

static const char *const v2_topology[] = {
    "object", "distances2", "distances2hetero", "support", "memattr", "cpukind", "info", NULL};
static const char *const v2_object[] = {"page_type", "info", "userdata", "object", NULL};
static const char *const v2_distances[] = {"indexes", "u64values", NULL};
static const char *const v2_memattr[] = {"memattr_value", NULL};
static const char *const v2_cpukind[] = {"info", NULL};
static const char *const v1_topology[] = {"object", NULL};
static const char *const v1_object[] = {"page_type", "info",   "distances",
                                        "userdata",  "object", NULL};
static const char *const v1_distances[] = {"latency", NULL};

static const xml_children v2_children[] = {
    {"topology", v2_topology},          {"object", v2_object},   {"distances2", v2_distances},
    {"distances2hetero", v2_distances}, {"memattr", v2_memattr}, {"cpukind", v2_cpukind},
};
static const xml_children v1_children[] = {
    {"topology", v1_topology},
    {"object", v1_object},
    {"distances", v1_distances},
};

/* Attributes of the small elements, as hwloc's DTDs give them; hwloc fails on others. */
typedef struct xml_attrs {
    const char *element;
    const char *const *allowed;  /* NULL-terminated */
    const char *const *required; /* NULL-terminated */
} xml_attrs;

static const char *const a_page_type[] = {"size", "count", NULL};
static const char *const a_info[] = {"name", "value", NULL};
static const char *const a_latency[] = {"value", NULL};
static const char *const a_length[] = {"length", NULL};
static const char *const a_userdata[] = {"name", "length", "encoding", NULL};
static const char *const a_support[] = {"name", "value", NULL};
static const char *const a_support_req[] = {"name", NULL};
static const char *const a_memattr[] = {"name", "flags", NULL};
static const char *const a_memattr_value[] = {
    "target_obj_gp_index",    "target_obj_type",    "value", "initiator_cpuset",
    "initiator_obj_gp_index", "initiator_obj_type", NULL};
static const char *const a_memattr_value_req[] = {"target_obj_type", "value", NULL};
static const char *const a_cpukind[] = {"cpuset", "forced_efficiency", NULL};
static const char *const a_distances[] = {"nbobjs", "relative_depth", "latency_base", NULL};
static const char *const a_distances2[] = {"type", "nbobjs", "indexing", "kind", "name", NULL};
static const char *const a_distances2_req[] = {"type", "nbobjs", "indexing", "kind", NULL};
static const char *const a_distances2hetero[] = {"nbobjs", "kind", "name", NULL};
static const char *const a_distances2hetero_req[] = {"nbobjs", "kind", NULL};
static const char *const a_none[] = {NULL};

/*
 * <object>: the union of hwloc.dtd (v1) and hwloc2.dtd (v2) as Debian's libhwloc-common 2.9
 * ships them. hwloc's built-in importer (no libhwloc-plugins) stops reading an element's
 * attributes at one it does not know, leaves the sets after it unset and then dereferences
 * them, so an unknown attribute is refused here.
 */
static const char *const a_object[] = {"type",
                                       "subtype",
                                       "os_level",
                                       "os_index",
                                       "gp_index",
                                       "name",
                                       "local_memory",
                                       "cache_size",
                                       "cache_linesize",
                                       "cache_associativity",
                                       "cache_type",
                                       "huge_page_size_kB",
                                       "huge_page_free",
                                       "depth",
                                       "cpuset",
                                       "complete_cpuset",
                                       "online_cpuset",
                                       "allowed_cpuset",
                                       "nodeset",
                                       "complete_nodeset",
                                       "allowed_nodeset",
                                       "kind",
                                       "subkind",
                                       "dont_merge",
                                       "bridge_type",
                                       "bridge_pci",
                                       "pci_busid",
                                       "pci_type",
                                       "pci_link_speed",
                                       "osdev_type",
                                       NULL};
static const char *const a_object_req[] = {"type", NULL};

static const xml_attrs element_attrs[] = {
    {"object", a_object, a_object_req},
    {"page_type", a_page_type, a_page_type},
    {"info", a_info, a_info},
    {"latency", a_latency, a_latency},
    {"indexes", a_length, a_length},
    {"u64values", a_length, a_length},
    {"userdata", a_userdata, a_none},
    {"support", a_support, a_support_req},
    {"memattr", a_memattr, a_memattr},
    {"memattr_value", a_memattr_value, a_memattr_value_req},
    {"cpukind", a_cpukind, a_none},
    {"distances", a_distances, a_distances},
    {"distances2", a_distances2, a_distances2_req},
    {"distances2hetero", a_distances2hetero, a_distances2hetero_req},
};

/* Object types hwloc 2.9 reads (v1 spelled some differently); I/O and Misc ones carry no sets. */
static const char *const set_types[] = {
    "Machine",  "System",   "Group",    "NUMANode", "MemCache", "Package", "Socket",
    "Die",      "Cache",    "L1Cache",  "L2Cache",  "L3Cache",  "L4Cache", "L5Cache",
    "L1iCache", "L2iCache", "L3iCache", "Core",     "PU",       NULL,
};
static const char *const setless_types[] = {"Bridge", "PCIDev", "OSDev", "Misc", NULL};
static const char *const required_sets[] = {"cpuset", "complete_cpuset", "nodeset",
                                            "complete_nodeset", NULL};
static const char *const optional_sets[] = {"allowed_cpuset", "allowed_nodeset", "online_cpuset",
                                            NULL};

static bool
in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/*
 * hwloc's bitmap text: comma-separated words "0x" + 1-8 hex digits (an empty word is zero); the
 * first may be "0xf...f" (all further bits set). The first word may not be empty: hwloc counts
 * words from the second character and asserts on ",0x1".
 */
static bool
bitmap_syntax_ok(const char *s)
{
    bool any = false;

    if (*s == ',')
        return false;
    if (!strncmp(s, "0xf...f", 7)) {
        s += 7;
        any = true;
        if (*s == ',')
            s++;
        else if (*s)
            return false;
    }
    while (*s) {
        if (*s != ',') {
            int digits = 0;
            if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
                return false;
            for (s += 2; isxdigit((unsigned char)*s); s++)
                digits++;
            if (digits < 1 || digits > 8)
                return false;
            any = true;
        }
        if (*s == ',')
            s++;
        else if (*s)
            return false;
    }
    return any;
}

static int
check_attrs(const xmlNode *n, const char *source, gv_err *err)
{
    const xml_attrs *rule = NULL;

    for (size_t i = 0; i < GV_N_ELEMENTS(element_attrs); i++)
        if (!strcmp((const char *)n->name, element_attrs[i].element))
            rule = &element_attrs[i];
    if (!rule)
        return 0;
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        size_t l = strlen((const char *)a->name);
        /* cpukind cpuset, memattr_value initiator_cpuset: hwloc_bitmap_sscanf asserts too */
        if (l >= 6 && !strcmp((const char *)a->name + l - 6, "cpuset")) {
            xmlChar *val = xmlGetNoNsProp(n, a->name);
            bool ok = val && bitmap_syntax_ok((const char *)val);
            xmlFree(val);
            if (!ok) {
                GV_AUTOFREE char *where = where_of(source, n);
                return gv_err_set(err, GV_E_INVAL, where, "<%s>: %s is not an hwloc bitmap",
                                  (const char *)n->name, (const char *)a->name);
            }
        }
        if (!in_list((const char *)a->name, rule->allowed)) {
            GV_AUTOFREE char *where = where_of(source, n);
            return gv_err_set(err, GV_E_INVAL, where, "<%s>: unknown attribute %.*s",
                              (const char *)n->name, XML_QUOTE_MAX, (const char *)a->name);
        }
    }
    for (const char *const *r = rule->required; *r; r++) {
        if (!xmlHasProp(n, (const xmlChar *)*r)) {
            GV_AUTOFREE char *where = where_of(source, n);
            return gv_err_set(err, GV_E_INVAL, where, "<%s>: attribute %s missing",
                              (const char *)n->name, *r);
        }
    }
    return 0;
}

static int
check_object(const xmlNode *n, const char *source, gv_err *err)
{
    xmlChar *type = xmlGetNoNsProp(n, (const xmlChar *)"type");
    GV_AUTOFREE char *where = NULL;
    unsigned long long v;
    int r = 0;

    if (!type ||
        !(in_list((const char *)type, set_types) || in_list((const char *)type, setless_types))) {
        where = where_of(source, n);
        r = gv_err_set(err, GV_E_INVAL, where, "<object type=\"%.*s\">: unknown object type",
                       XML_QUOTE_MAX, type ? (const char *)type : "");
        goto out;
    }
    if (in_list((const char *)type, set_types)) {
        /* hwloc 2.9 dereferences these sets without checking (a missing one crashes it) */
        for (const char *const *a = required_sets; *a && r == 0; a++) {
            xmlChar *val = xmlGetNoNsProp(n, (const xmlChar *)*a);
            if (!val || !bitmap_syntax_ok((const char *)val)) {
                where = where_of(source, n);
                r = gv_err_set(err, GV_E_INVAL, where, "<object type=\"%s\">: %s %s",
                               (const char *)type, *a, val ? "is not an hwloc bitmap" : "missing");
            }
            xmlFree(val);
        }
        for (const char *const *a = optional_sets; *a && r == 0; a++) {
            xmlChar *val = xmlGetNoNsProp(n, (const xmlChar *)*a);
            if (val && !bitmap_syntax_ok((const char *)val)) {
                where = where_of(source, n);
                r = gv_err_set(err, GV_E_INVAL, where,
                               "<object type=\"%s\">: %s is not an hwloc bitmap",
                               (const char *)type, *a);
            }
            xmlFree(val);
        }
    }
    if (r == 0 && attr_ull(n, "os_index", &v) && v > GV_CPULIST_MAX_ID &&
        (!strcmp((const char *)type, "PU") || !strcmp((const char *)type, "NUMANode"))) {
        where = where_of(source, n);
        r = gv_err_set(err, GV_E_LIMIT, where, "<object>: os_index %llu above %d", v,
                       GV_CPULIST_MAX_ID);
    }
out:
    xmlFree(type);
    return r;
}

/*
 * The structure hwloc's importer assumes but does not check (Design notes 3): elements only
 * where the format's DTD puts them, object types and sets as hwloc writes them, bounded
 * distance matrices and OS indices. Recursion is bounded by libxml2's depth limit (256).
 */
/* Elements whose content is text in hwloc's DTDs; every other one holds elements only. */
static bool
text_allowed(const xmlNode *n)
{
    return is_element(n, "indexes") || is_element(n, "u64values") || is_element(n, "userdata");
}

static int
check_tree(const xmlNode *n, bool v1, const char *source, gv_err *err)
{
    const xml_children *rules = v1 ? v1_children : v2_children;
    size_t n_rules = v1 ? GV_N_ELEMENTS(v1_children) : GV_N_ELEMENTS(v2_children);
    const char *const *allowed = NULL;
    int r;

    for (size_t i = 0; i < n_rules; i++)
        if (!strcmp((const char *)n->name, rules[i].parent))
            allowed = rules[i].allowed;
    if (is_element(n, "object") && (r = check_object(n, source, err)) < 0)
        return r;
    if ((r = check_attrs(n, source, err)) < 0)
        return r;
    if (is_element(n, "distances") || is_element(n, "distances2") ||
        is_element(n, "distances2hetero")) {
        unsigned long long nb = 0;
        size_t have = distance_values(n);
        if (!attr_ull(n, "nbobjs", &nb) || nb > UINT_MAX || nb * nb != have) {
            GV_AUTOFREE char *where = where_of(source, n);
            return gv_err_set(err, GV_E_LIMIT, where,
                              "<%s>: nbobjs does not match the %zu values it carries",
                              (const char *)n->name, have);
        }
    }
    for (const xmlNode *k = n->children; k; k = k->next) {
        if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && !text_allowed(n) &&
            !xmlIsBlankNode(k)) {
            /* hwloc's built-in importer leaks the objects it built when it meets stray text */
            GV_AUTOFREE char *where = where_of(source, n);
            return gv_err_set(err, GV_E_INVAL, where, "<%s>: unexpected text inside",
                              (const char *)n->name);
        }
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (!allowed || !in_list((const char *)k->name, allowed)) {
            GV_AUTOFREE char *where = where_of(source, k);
            return gv_err_set(err, GV_E_INVAL, where,
                              "<%.*s> is not allowed in <%s> (hwloc %s XML)", XML_QUOTE_MAX,
                              (const char *)k->name, (const char *)n->name, v1 ? "v1" : "v2");
        }
        if ((r = check_tree(k, v1, source, err)) < 0)
            return r;
    }
    return 0;
}

/* Refuse what hwloc 2.9 cannot or must not be given (Design notes). */
static int
check_document(xmlDoc *doc, const char *source, bool *ret_v1, gv_err *err)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlDtd *dtd = xmlGetIntSubset(doc);
    xmlChar *version;

    if (!root)
        return gv_err_set(err, GV_E_PARSE, source, "no root element");
    /* libxml2 keeps no line number for a DOCTYPE; there is only one per document */
    if (dtd && !dtd->SystemID)
        return gv_err_set(err, GV_E_UNSUPPORTED, source,
                          "<!DOCTYPE> without a system identifier; hwloc writes "
                          "<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">");
    if (dtd && dtd->children)
        return gv_err_set(err, GV_E_UNSUPPORTED, source,
                          "<!DOCTYPE> with an internal subset (declarations) is not hwloc XML");
    if (strcmp((const char *)root->name, "topology")) {
        GV_AUTOFREE char *where = where_of(source, root);
        return gv_err_set(err, GV_E_UNSUPPORTED, where,
                          "root element <%.*s> is not hwloc's <topology>", XML_QUOTE_MAX,
                          (const char *)root->name);
    }
    version = xmlGetNoNsProp(root, (const xmlChar *)"version");
    *ret_v1 = true;
    if (version) {
        /* hwloc reads "major.minor"; anything else it takes as v1, and so do we */
        unsigned major = 0, minor = 0;
        int fields = sscanf((const char *)version, "%u.%u", &major, &minor);
        *ret_v1 = fields != 2 || major < 2;
        if (fields == 2 && major > 2) {
            GV_AUTOFREE char *where = where_of(source, root);
            int r = gv_err_set(err, GV_E_UNSUPPORTED, where,
                               "hwloc XML format %.*s cannot be read by hwloc 2.x, which "
                               "reads formats 1 and 2; export the machine with hwloc 2.x "
                               "(lstopo --of xml)",
                               XML_QUOTE_MAX, (const char *)version);
            xmlFree(version);
            return r;
        }
        xmlFree(version);
    }
    return check_tree(root, *ret_v1, source, err);
}

/* Well-formedness and the checks above; *ret_doc is the parsed document on success. */
static int
precheck(const char *text, size_t len, const char *source, xmlDoc **ret_doc, bool *ret_v1,
         gv_err *err)
{
    GV_AUTOPTR(xmlDoc) doc = NULL;
    int r;

    if ((r = gv_xml_read(text, len, source, &doc, err)) < 0 ||
        (r = check_document(doc, source, ret_v1, err)) < 0)
        return r;
    *ret_doc = GV_STEAL_PTR(doc);
    return 0;
}

/*
 * Remove what hwloc should not see; returns whether anything was removed.
 *   - Comments: hwloc's own XML importer (used when the libxml2 plugin of libhwloc-plugins is
 *     not installed) refuses a comment before the root element; lstopo never writes any.
 *   - v1 <distances> elements: hwloc 2.9 queues them during the import and frees the queue only
 *     when the import succeeds (hwloc_look_xml's failure path forgets data->first_v1dist: a
 *     40-byte record plus its float matrix leak on every v1 file that fails later on). The
 *     model does not use NUMA latencies.
 */
static bool
strip_for_hwloc(xmlNode *n, bool v1)
{
    bool any = false;

    for (xmlNode *k = n->children, *next; k; k = next) {
        next = k->next;
        if (k->type == XML_COMMENT_NODE || (v1 && is_element(k, "distances"))) {
            xmlUnlinkNode(k);
            xmlFreeNode(k);
            any = true;
        } else if (k->type == XML_ELEMENT_NODE) {
            any |= strip_for_hwloc(k, v1);
        }
    }
    return any;
}

/* The bytes hwloc gets: @text, or @doc written out again; NUL-terminated, *ret_len counts it. */
static char *
hwloc_input(const char *text, size_t len, xmlDoc *doc, bool v1, size_t *ret_len)
{
    char *copy;

    if (strip_for_hwloc((xmlNode *)doc, v1)) {
        xmlChar *mem = NULL;
        int n = 0;

        xmlDocDumpMemory(doc, &mem, &n);
        if (!mem || n < 0)
            gv_oom();
        copy = gv_strndup((const char *)mem, (size_t)n);
        xmlFree(mem);
        *ret_len = (size_t)n + 1;
        return copy;
    }
    copy = gv_malloc(len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    *ret_len = len + 1;
    return copy;
}

int
gv_hwloc_xml_load(const char *text, size_t len, const char *source, gv_host **ret, gv_err *err)
{
    GV_AUTOPTR(gv_hwloc_topo) topo = NULL;
    GV_AUTOPTR(xmlDoc) doc = NULL;
    GV_AUTOFREE char *input = NULL;
    size_t input_len = 0;
    bool v1 = false;
    int r;

    if (!source)
        source = "<hwloc xml>";
    if (len > GV_FILE_MAX_BYTES)
        return gv_err_set(err, GV_E_LIMIT, source, "larger than %u bytes",
                          (unsigned)GV_FILE_MAX_BYTES);
    if ((r = precheck(text, len, source, &doc, &v1, err)) < 0)
        return r;
    input = hwloc_input(text, len, doc, v1, &input_len);
    if (input_len > INT_MAX)
        return gv_err_set(err, GV_E_LIMIT, source, "too large for hwloc");

    topo = gv_hwloc_topo_new();
    errno = 0;
    if (hwloc_topology_set_xmlbuffer(topo, input, (int)input_len) < 0 ||
        hwloc_topology_load(topo) < 0)
        return gv_err_set(err, GV_E_PARSE, source, "hwloc could not load the topology: %s",
                          strerror(errno ? errno : EINVAL));
    return gv_hwloc_topo_to_host(topo, source, NULL, ret, err);
}
