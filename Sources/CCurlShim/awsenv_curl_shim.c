#include "awsenv_curl_shim.h"

#include <pthread.h>

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void) { global_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

CURLcode awsenv_curl_global_init(void) {
  pthread_once(&global_once, global_init);
  return global_result;
}

CURLcode awsenv_curl_setopt_long(CURL *handle, CURLoption option, long value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
  return curl_easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_callback(
    CURL *handle, CURLoption option, awsenv_curl_data_callback callback) {
  return curl_easy_setopt(handle, option, callback);
}

CURLcode awsenv_curl_set_body(CURL *handle, const void *data, size_t length) {
  CURLcode code = curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
  if (code != CURLE_OK)
    return code;
  /* COPYPOSTFIELDS copies POSTFIELDSIZE bytes; "" keeps a zero-length POST a POST. */
  return curl_easy_setopt(handle, CURLOPT_COPYPOSTFIELDS, length == 0 ? "" : (const char *)data);
}

CURLcode awsenv_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
  return curl_easy_getinfo(handle, info, value);
}

CURLcode awsenv_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
  return curl_easy_getinfo(handle, info, value);
}
