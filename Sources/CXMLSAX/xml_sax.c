#include "xml_sax.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct klever_xml_parser {
    xmlParserCtxtPtr context;
    klever_xml_callbacks callbacks;
    void *user;
    /// Attributes handed to start_element, grown as elements need.
    klever_xml_attribute *attributes;
    int capacity;
};

static void start_element(void *data, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                          int namespace_count, const xmlChar **namespaces, int attribute_count, int defaulted,
                          const xmlChar **attributes) {
    (void)prefix, (void)uri, (void)namespace_count, (void)namespaces, (void)defaulted;
    struct klever_xml_parser *parser = data;
    if (attribute_count > parser->capacity) {
        klever_xml_attribute *grown = realloc(parser->attributes, sizeof(klever_xml_attribute) * (size_t)attribute_count);
        if (grown == NULL) {
            xmlStopParser(parser->context);
            parser->callbacks.error(parser->user, XML_ERR_NO_MEMORY, xmlSAX2GetLineNumber(parser->context), 0);
            return;
        }
        parser->attributes = grown;
        parser->capacity = attribute_count;
    }
    int count = 0;
    // Five pointers per attribute: local name, prefix, URI, value, value end.
    for (int index = 0; index < attribute_count; index++) {
        const xmlChar **attribute = attributes + 5 * index;
        if (attribute[1] != NULL) continue;
        parser->attributes[count++] = (klever_xml_attribute){
            (const char *)attribute[0], (const char *)attribute[3], (int)(attribute[4] - attribute[3])};
    }
    parser->callbacks.start_element(parser->user, (const char *)localname, parser->attributes, count);
}

static void end_element(void *data, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)prefix, (void)uri;
    struct klever_xml_parser *parser = data;
    parser->callbacks.end_element(parser->user, (const char *)localname);
}

static void structured_error(void *data, xmlErrorPtr error) {
    struct klever_xml_parser *parser = data;
    if (error == NULL || error->level < XML_ERR_ERROR) return;
    parser->callbacks.error(parser->user, error->code, error->line, error->int2);
}

// libxml2 prints some errors through its generic handler ("xmlParseChunk: encoder
// error") beside the structured ones; klever says what is wrong in its own line.
static void ignore_generic_error(void *context, const char *message, ...) {
    (void)context, (void)message;
}

static pthread_once_t initialized = PTHREAD_ONCE_INIT;

klever_xml_parser *klever_xml_parser_create(klever_xml_callbacks callbacks, void *context, const char *head, int length) {
    pthread_once(&initialized, xmlInitParser);
    // The generic handler is per thread: set it on the thread that parses.
    xmlSetGenericErrorFunc(NULL, ignore_generic_error);
    struct klever_xml_parser *parser = calloc(1, sizeof *parser);
    if (parser == NULL) return NULL;
    parser->callbacks = callbacks;
    parser->user = context;
    xmlSAXHandler handler;
    memset(&handler, 0, sizeof handler);
    handler.initialized = XML_SAX2_MAGIC;
    handler.startElementNs = start_element;
    handler.endElementNs = end_element;
    handler.serror = structured_error;
    parser->context = xmlCreatePushParserCtxt(&handler, parser, head, length, NULL);
    if (parser->context == NULL) {
        free(parser);
        return NULL;
    }
    // Entities: only the predefined ones and character references can be replaced, as the
    // handler stores no declaration (no entityDecl) and looks none up (no getEntity).
    xmlCtxtUseOptions(parser->context, XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOENT);
    return parser;
}

int klever_xml_parser_push(klever_xml_parser *parser, const char *bytes, int length, int terminate) {
    // Errors without a parser context (the encoding converter's, XML_FROM_I18N) reach
    // only the thread's structured handler: set for the push, then cleared.
    xmlSetStructuredErrorFunc(parser, structured_error);
    int result = xmlParseChunk(parser->context, bytes, length, terminate);
    xmlSetStructuredErrorFunc(NULL, NULL);
    return result;
}

void klever_xml_parser_stop(klever_xml_parser *parser) { xmlStopParser(parser->context); }

void klever_xml_parser_free(klever_xml_parser *parser) {
    if (parser == NULL) return;
    xmlFreeParserCtxt(parser->context);
    free(parser->attributes);
    free(parser);
}
