/*
 * The little C that CurlTransport.swift needs and Swift cannot express.
 *
 * 1. curl_easy_setopt and curl_easy_getinfo are variadic, so Swift cannot call them: one typed
 *    wrapper per argument type. The caller picks the wrapper that matches the option's type
 *    (CURLOPTTYPE_LONG, _STRINGPOINT, _OBJECTPOINT, _FUNCTIONPOINT, _OFF_T).
 * 2. curl_global_init is not safe to call from two threads at once: awsenv_curl_global_init()
 *    runs it exactly once per process under pthread_once and returns its result every time.
 */
#ifndef AWSENV_CURL_SHIM_H
#define AWSENV_CURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

/* curl_global_init(CURL_GLOBAL_DEFAULT), once per process; thread-safe. */
CURLcode awsenv_curl_global_init(void);

/* The signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION. */
typedef size_t (*awsenv_curl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode awsenv_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode awsenv_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/* A string option: libcurl copies the string (all CURLOPTTYPE_STRINGPOINT options but
 * CURLOPT_POSTFIELDS). NULL resets the option to its default (for CURLOPT_CAPATH: none). */
CURLcode awsenv_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
/* A pointer option (CURLOPT_ERRORBUFFER, CURLOPT_HTTPHEADER, CURLOPT_WRITEDATA, ...): libcurl
 * keeps the pointer, so what it points to must outlive the transfer. */
CURLcode awsenv_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode awsenv_curl_setopt_callback(
    CURL *handle, CURLoption option, awsenv_curl_data_callback callback);

/* The request body, copied (CURLOPT_POSTFIELDSIZE_LARGE, then CURLOPT_COPYPOSTFIELDS); an empty
 * body (length 0, data may be NULL) still makes a POST with Content-Length: 0. */
CURLcode awsenv_curl_set_body(CURL *handle, const void *data, size_t length);

CURLcode awsenv_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode awsenv_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);

#endif
