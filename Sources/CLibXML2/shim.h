// libxml2, for CXMLSAX's C code only: Swift never imports these headers (they pull in
// the system ICU's, which clash with the ICU Foundation brings).
#ifndef KLEVER_CLIBXML2_SHIM_H
#define KLEVER_CLIBXML2_SHIM_H
#include <libxml/parser.h>
#endif
