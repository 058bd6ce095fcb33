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

/// The signature of CURLOPT_XFERINFOFUNCTION: called while a transfer runs, idle or not.
typedef int (*klever_curl_xferinfo_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                             curl_off_t upload_total, curl_off_t upload_now);

static inline CURLcode klever_curl_setopt_xferinfo(CURL *handle, klever_curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

/// Sets a blob option (CA bundle, client certificate or key held in memory); libcurl copies it.
static inline CURLcode klever_curl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length) {
    struct curl_blob blob = { (void *)data, length, CURL_BLOB_COPY };
    return curl_easy_setopt(handle, option, &blob);
}

static inline CURLcode klever_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURL_GLOBAL_ALL is an expression macro Swift does not import.
static const long klever_curl_global_all = CURL_GLOBAL_ALL;
/// Returned from a read callback to abort the transfer.
static const size_t klever_curl_readfunc_abort = CURL_READFUNC_ABORT;

#endif
