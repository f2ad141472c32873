/* xml_read.c - untrusted XML through libxml2 with positions in the errors. */
#include <limits.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "xml_read.h"

GV_DEFINE_AUTOPTR(xmlParserCtxt, xmlFreeParserCtxt)

/* The first error libxml2 reports; it may go on to report consequences. */
typedef struct first_error {
    bool set;
    int line;
    int col;
    char msg[GV_ERR_MSG_MAX];
} first_error;

static void
on_error(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;
    first_error *first = ctxt ? ctxt->_private : NULL;
    size_t n;

    if (!first || first->set || !e || e->level < XML_ERR_ERROR)
        return;
    first->set = true;
    first->line = e->line;
    first->col = e->int2;
    snprintf(first->msg, sizeof(first->msg), "%s", e->message ? e->message : "not well-formed");
    n = strlen(first->msg);
    while (n > 0 && (first->msg[n - 1] == '\n' || first->msg[n - 1] == ' '))
        first->msg[--n] = '\0';
}

int
gv_xml_read(const char *text, size_t len, const char *source, xmlDoc **ret, gv_err *err)
{
    GV_AUTOPTR(xmlParserCtxt) ctxt = NULL;
    GV_AUTOPTR(xmlDoc) doc = NULL;
    first_error first = {0};
    char where[GV_ERR_WHERE_MAX];
    const char *nul;

    if (!text) {
        text = "";
        len = 0;
    }
    if (len > INT_MAX)
        return gv_err_set(err, GV_E_LIMIT, source, "larger than %d bytes", INT_MAX);
    if ((nul = memchr(text, '\0', len))) {
        int line = 1, col = 1;
        for (const char *p = text; p < nul; p++, col++) {
            if (*p == '\n') {
                line++;
                col = 0;
            }
        }
        snprintf(where, sizeof(where), "%s:%d:%d", source, line, col);
        return gv_err_set(err, GV_E_PARSE, where, "NUL byte in the text (UTF-16 is not accepted)");
    }
    xmlInitParser();
    ctxt = xmlNewParserCtxt();
    if (!ctxt)
        gv_oom();
    ctxt->_private = &first;
    ctxt->sax->serror = on_error;
    doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (first.set || !doc || !ctxt->wellFormed) {
        if (!first.set)
            return gv_err_set(err, GV_E_PARSE, source, "not well-formed XML");
        snprintf(where, sizeof(where), "%s:%d:%d", source, first.line, first.col);
        return gv_err_set(err, GV_E_PARSE, where, "%s", first.msg);
    }
    *ret = GV_STEAL_PTR(doc);
    return 0;
}
