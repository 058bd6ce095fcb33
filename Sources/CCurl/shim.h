// libcurl for Swift. curl_easy_setopt and curl_easy_getinfo are variadic (and macros
// under GCC's type checker), so Swift cannot call them: these typed wrappers can.
#ifndef KLEVER_CCURL_SHIM_H
#define KLEVER_CCURL_SHIM_H
#include <curl/curl.h>

/// The signature of CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION.
typedef size_t (*klever_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode klever_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode klever_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode klever_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode klever_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode klever_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode klever_curl_setopt_callback(CURL *handle, CURLoption option, klever_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode klever_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURL_GLOBAL_ALL is an expression macro Swift does not import.
static const long klever_curl_global_all = CURL_GLOBAL_ALL;
/// Returned from a read callback to abort the transfer.
static const size_t klever_curl_readfunc_abort = CURL_READFUNC_ABORT;

#endif
