#include "awsenv_curl_shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* Every libcurl function this file calls, resolved from the loaded library. */
struct curl_functions {
  CURLcode (*global_init)(long flags);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *handle);
  CURLcode (*easy_perform)(CURL *handle);
  const char *(*easy_strerror)(CURLcode code);
  CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
  struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
  void (*slist_free_all)(struct curl_slist *list);
};

/* Written once under load_once, read only after awsenv_curl_load() returned READY. */
static struct curl_functions curl;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static awsenv_curl_status load_status = AWSENV_CURL_NOT_LOADED;
static char load_reason[512];

static void copy_reason(char *reason, size_t size, const char *message) {
  if (reason != NULL && size > 0)
    snprintf(reason, size, "%s", message != NULL ? message : "unknown error");
}

/* Opens `soname` and fills *functions; on failure copies dlerror()'s message into reason. */
static awsenv_curl_status open_library(
    const char *soname, struct curl_functions *functions, char *reason, size_t size) {
  void *library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    copy_reason(reason, size, dlerror());
    return AWSENV_CURL_NOT_LOADED;
  }
  /* A library without one of them ("undefined symbol: curl_...") stays loaded but unused. */
#define RESOLVE(field, symbol)                                                                    \
  do {                                                                                            \
    functions->field = (__typeof__(functions->field))dlsym(library, symbol);                      \
    if (functions->field == NULL) {                                                               \
      copy_reason(reason, size, dlerror());                                                       \
      return AWSENV_CURL_NOT_LOADED;                                                              \
    }                                                                                             \
  } while (0)
  RESOLVE(global_init, "curl_global_init");
  RESOLVE(easy_init, "curl_easy_init");
  RESOLVE(easy_cleanup, "curl_easy_cleanup");
  RESOLVE(easy_perform, "curl_easy_perform");
  RESOLVE(easy_strerror, "curl_easy_strerror");
  RESOLVE(easy_setopt, "curl_easy_setopt");
  RESOLVE(easy_getinfo, "curl_easy_getinfo");
  RESOLVE(slist_append, "curl_slist_append");
  RESOLVE(slist_free_all, "curl_slist_free_all");
#undef RESOLVE
  return AWSENV_CURL_READY;
}

/* curl_global_init is not safe to run from two threads at once, hence pthread_once. */
static void load(void) {
  load_status = open_library(AWSENV_CURL_SONAME, &curl, load_reason, sizeof load_reason);
  if (load_status != AWSENV_CURL_READY)
    return;
  CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    copy_reason(load_reason, sizeof load_reason, curl.easy_strerror(code));
    load_status = AWSENV_CURL_INIT_FAILED;
  }
}

awsenv_curl_status awsenv_curl_load(const char **reason) {
  pthread_once(&load_once, load);
  if (reason != NULL)
    *reason = load_status == AWSENV_CURL_READY ? NULL : load_reason;
  return load_status;
}

/* Touched by the main thread only (see the header). */
static pthread_t preload_thread;
static int preload_running;

static void *preload_main(void *unused) {
  (void)unused;
  pthread_once(&load_once, load);
  return NULL;
}

void awsenv_curl_preload(void) {
  static int started;
  if (started)
    return;
  started = 1;
  /* Without a thread the first request loads libcurl itself, as before. */
  if (pthread_create(&preload_thread, NULL, preload_main, NULL) == 0)
    preload_running = 1;
}

void awsenv_curl_settle(void) {
  if (preload_running) {
    pthread_join(preload_thread, NULL);
    preload_running = 0;
  }
}

awsenv_curl_status awsenv_curl_try_load(const char *soname, char *reason, size_t size) {
  struct curl_functions unused;
  return open_library(soname, &unused, reason, size);
}

CURL *awsenv_curl_easy_init(void) { return curl.easy_init(); }

void awsenv_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }

CURLcode awsenv_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }

const char *awsenv_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }

struct curl_slist *awsenv_curl_slist_append(struct curl_slist *list, const char *line) {
  return curl.slist_append(list, line);
}

void awsenv_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLcode awsenv_curl_setopt_long(CURL *handle, CURLoption option, long value) {
  return curl.easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
  return curl.easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
  return curl.easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
  return curl.easy_setopt(handle, option, value);
}

CURLcode awsenv_curl_setopt_callback(
    CURL *handle, CURLoption option, awsenv_curl_data_callback callback) {
  return curl.easy_setopt(handle, option, callback);
}

CURLcode awsenv_curl_set_body(CURL *handle, const void *data, size_t length) {
  CURLcode code = curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
  if (code != CURLE_OK)
    return code;
  /* COPYPOSTFIELDS copies POSTFIELDSIZE bytes; "" keeps a zero-length POST a POST. */
  return curl.easy_setopt(
      handle, CURLOPT_COPYPOSTFIELDS, length == 0 ? "" : (const char *)data);
}

CURLcode awsenv_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
  return curl.easy_getinfo(handle, info, value);
}

CURLcode awsenv_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
  return curl.easy_getinfo(handle, info, value);
}
