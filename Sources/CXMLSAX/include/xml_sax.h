// libxml2's SAX2 push parser behind a small C API without libxml2's types: libxml2's
// headers pull in the system ICU's, which clash in Swift with the ICU Foundation brings,
// so only this file's declarations reach Swift.
#ifndef KLEVER_XML_SAX_H
#define KLEVER_XML_SAX_H

/// An attribute of an element: its name and its value (decoded, not NUL-terminated).
typedef struct klever_xml_attribute {
    const char *name;
    const char *value;
    int length;
} klever_xml_attribute;

/// What the parser reports. Names are local names (the namespace prefix left off);
/// attributes with a prefix (`xsi:type`) are not reported.
typedef struct klever_xml_callbacks {
    void (*start_element)(void *context, const char *name, const klever_xml_attribute *attributes, int count);
    void (*end_element)(void *context, const char *name);
    /// An error (not a warning): libxml2's code (xmlParserErrors) and where.
    void (*error)(void *context, int code, int line, int column);
} klever_xml_callbacks;

typedef struct klever_xml_parser klever_xml_parser;

/// A parser that never loads external entities or DTDs, recovers after errors (the
/// callbacks go on, so the caller can follow the nesting) and prints nothing. `head`:
/// the document's first bytes (at least 4 unless it is shorter), for its encoding.
/// NULL when out of memory.
klever_xml_parser *klever_xml_parser_create(klever_xml_callbacks callbacks, void *context, const char *head, int length);

/// Parses the next bytes; `terminate` after the last. Non-zero once libxml2 has seen an error.
int klever_xml_parser_push(klever_xml_parser *parser, const char *bytes, int length, int terminate);

/// Ends parsing: no callback comes after this.
void klever_xml_parser_stop(klever_xml_parser *parser);

void klever_xml_parser_free(klever_xml_parser *parser);

#endif
