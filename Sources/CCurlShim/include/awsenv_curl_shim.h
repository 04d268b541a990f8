/*
 * The little C that CurlTransport.swift needs and Swift cannot express.
 *
 * 1. libcurl is loaded when the first request is sent, not when awsenv starts: linking it would
 *    make every process (the prompt hook, `awsenv use` of a cached session, completion) load
 *    libcurl, OpenSSL and a dozen more libraries for ~3 ms, although most never send a request.
 *    awsenv_curl_load() opens libcurl.so.4 with dlopen, resolves every function this file uses
 *    and runs curl_global_init, once per process; every other function here calls libcurl
 *    through the pointers it resolved, so awsenv has no link-time reference to libcurl. Only the
 *    types and constants of <curl/curl.h> are used at compile time.
 * 2. curl_easy_setopt and curl_easy_getinfo are variadic, so Swift cannot call them: one typed
 *    wrapper per argument type. The caller picks the wrapper that matches the option's type
 *    (CURLOPTTYPE_LONG, _STRINGPOINT, _OBJECTPOINT, _FUNCTIONPOINT, _OFF_T).
 */
#ifndef AWSENV_CURL_SHIM_H
#define AWSENV_CURL_SHIM_H

#include <curl/curl.h>
#include <stddef.h>

/* The soname awsenv_curl_load() opens: the libcurl ABI since 7.16 (Debian: package libcurl4). */
#define AWSENV_CURL_SONAME "libcurl.so.4"

typedef enum {
  /* libcurl is loaded and initialised: the functions below may be called. */
  AWSENV_CURL_READY = 0,
  /* The library, or one of the functions this file uses, is missing; the reason is dlerror()'s. */
  AWSENV_CURL_NOT_LOADED = 1,
  /* curl_global_init failed; the reason is curl_easy_strerror()'s. */
  AWSENV_CURL_INIT_FAILED = 2,
} awsenv_curl_status;

/* Loads libcurl.so.4 (dlopen, RTLD_NOW | RTLD_LOCAL), resolves every function this file uses
 * and runs curl_global_init(CURL_GLOBAL_DEFAULT): once per process, thread-safe; later calls
 * return the first call's result. Unless the result is AWSENV_CURL_READY, *reason (if reason is
 * not NULL) points to a static message that says why. libcurl is never unloaded.
 * Every other function in this file may be called only after this one returned READY. */
awsenv_curl_status awsenv_curl_load(const char **reason);

/* Starts awsenv_curl_load() on a thread of its own and returns at once, for a command that knows
 * it will send a request: loading libcurl and OpenSSL (~3.5 ms) then overlaps the work before
 * the request (the keyring lookup). The first request still waits for the load in
 * awsenv_curl_load(). Call from the main thread only; a second call does nothing. */
void awsenv_curl_preload(void);

/* Waits for a load started by awsenv_curl_preload() to finish (nothing when none was started).
 * Call before the process exits: OpenSSL must not be torn down by exit() while it initialises. */
void awsenv_curl_settle(void);

/* For tests of a missing libcurl: opens `soname` as awsenv_curl_load() would and resolves the
 * same functions, but neither keeps nor uses them and runs no curl_global_init. Returns READY or
 * NOT_LOADED, with the reason copied into reason[0..<size]. A library that loaded stays loaded
 * (libcurl and OpenSSL are not safe to unload). */
awsenv_curl_status awsenv_curl_try_load(const char *soname, char *reason, size_t size);

/* curl_easy_init, curl_easy_cleanup, curl_easy_perform, curl_easy_strerror, curl_slist_append
 * and curl_slist_free_all, through the loaded library. */
CURL *awsenv_curl_easy_init(void);
void awsenv_curl_easy_cleanup(CURL *handle);
CURLcode awsenv_curl_easy_perform(CURL *handle);
const char *awsenv_curl_easy_strerror(CURLcode code);
struct curl_slist *awsenv_curl_slist_append(struct curl_slist *list, const char *line);
void awsenv_curl_slist_free_all(struct curl_slist *list);

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
