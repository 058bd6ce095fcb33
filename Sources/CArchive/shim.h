// libarchive for Swift: reading zip (TorchScript) and tar.gz (ormb layers) as streams.
#ifndef KLEVER_CARCHIVE_SHIM_H
#define KLEVER_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
