// libarchive for Swift: reading zip (TorchScript) and tar.gz (ormb layers) as streams.
#ifndef KLEVER_CARCHIVE_SHIM_H
#define KLEVER_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

// AE_IFREG is a cast expression, which Swift does not import.
static inline int klever_archive_entry_is_regular(struct archive_entry *entry) {
    return archive_entry_filetype(entry) == AE_IFREG;
}
#endif
