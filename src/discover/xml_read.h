/*
 * xml_read.h - parse untrusted XML with libxml2, the one way both XML loaders do it.
 */
#ifndef GV_DISCOVER_XML_READ_H
#define GV_DISCOVER_XML_READ_H

#include <libxml/tree.h>
#include <stddef.h>

#include "gpuvm/alloc.h"
#include "gpuvm/err.h"

GV_DEFINE_AUTOPTR(xmlDoc, xmlFreeDoc)

/*
 * Parse @text: no network, no DTD loading, no entity expansion, libxml2's own size and depth
 * limits kept (no XML_PARSE_HUGE), nothing printed. A NUL byte inside the text is refused
 * (libxml2 would silently stop there and read half a file).
 * Returns: 0 with *ret the document (free with xmlFreeDoc); -GV_E_PARSE with
 * "source:line:col: <libxml2's first error>" (the first, not the last: that one is usually a
 * consequence such as "Premature end of data"); -GV_E_LIMIT when the text is too large.
 */
int gv_xml_read(const char *text, size_t len, const char *source, xmlDoc **ret, gv_err *err);

#endif
