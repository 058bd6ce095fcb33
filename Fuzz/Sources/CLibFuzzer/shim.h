// libFuzzer's driver, for a harness whose main is Swift's (SwiftPM names an
// executable's entry point itself, so libFuzzer's own main cannot be used).
#ifndef KLEVER_CLIBFUZZER_SHIM_H
#define KLEVER_CLIBFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
