// libxml2, the parser under Foundation's XMLParser, for the one thing Foundation does not
// reach: libxml2's generic error handler, which prints some errors straight to stderr
// ("xmlParseChunk: encoder error") beside the ones XMLParser reports to its delegate.
#ifndef KLEVER_CLIBXML2_SHIM_H
#define KLEVER_CLIBXML2_SHIM_H

// Declared here rather than through <libxml/xmlerror.h>: libxml2's headers pull in the
// system ICU's, which clash in Swift with the ICU Foundation brings. This is libxml2's
// stable ABI (xmlGenericErrorFunc and xmlSetGenericErrorFunc, since libxml2 2.0).
typedef void (*klever_xml_generic_error_func)(void *context, const char *message, ...);
void xmlSetGenericErrorFunc(void *context, klever_xml_generic_error_func handler);

static void klever_xml_ignore_generic_error(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

// The handler is per thread in libxml2: call this on the thread that parses.
static inline void klever_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(0, klever_xml_ignore_generic_error);
}
#endif
