#include "awsenv_secret_shim.h"

#include <libsecret/secret.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static awsenv_error_kind_t kind_of(const GError *error, const char *remote) {
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return AWSENV_ERROR_CANCELLED;
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
    return AWSENV_ERROR_TIMED_OUT;
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_SERVER) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_BAD_ADDRESS))
    return AWSENV_ERROR_NO_BUS;
  if (error->domain == G_DBUS_ERROR &&
      (error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
       error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
       (error->code >= G_DBUS_ERROR_SPAWN_EXEC_FAILED &&
        error->code <= G_DBUS_ERROR_SPAWN_NO_MEMORY)))
    return AWSENV_ERROR_NO_PROVIDER;
  /* Errors from raw GDBus calls made before libsecret registered its D-Bus error names keep
   * only the remote name, so the Secret Service errors are matched by name as well. */
  if (g_error_matches(error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_strcmp0(remote, "org.freedesktop.Secret.Error.IsLocked") == 0)
    return AWSENV_ERROR_LOCKED;
  if (g_error_matches(error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_strcmp0(remote, "org.freedesktop.Secret.Error.NoSuchObject") == 0 ||
      /* gnome-keyring answers a call on a missing object path with UnknownMethod
       * ("Object does not exist at path …"). */
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
    return AWSENV_ERROR_NO_OBJECT;
  return AWSENV_ERROR_OTHER;
}

awsenv_error_kind_t awsenv_error_kind(GError *error) {
  if (error == NULL)
    return AWSENV_ERROR_OTHER;
  gchar *remote = g_dbus_error_get_remote_error(error);
  g_dbus_error_strip_remote_error(error);
  awsenv_error_kind_t kind = kind_of(error, remote);
  g_free(remote);
  return kind;
}

struct awsenv_watchdog {
  pthread_t thread;
  pthread_mutex_t mutex;
  pthread_cond_t cond; /* on CLOCK_MONOTONIC: a clock change must not move the deadline */
  struct timespec deadline;
  bool stopped;
  bool fired;
  GCancellable *cancellable;
};

static struct timespec deadline_after(unsigned int timeout_ms) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += timeout_ms / 1000;
  t.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

static void *watch(void *data) {
  awsenv_watchdog_t *w = data;
  pthread_mutex_lock(&w->mutex);
  while (!w->stopped) {
    /* Re-read the deadline on every wake-up: rearm() may have moved it. */
    if (pthread_cond_timedwait(&w->cond, &w->mutex, &w->deadline) == ETIMEDOUT) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (!w->stopped && (now.tv_sec > w->deadline.tv_sec ||
                          (now.tv_sec == w->deadline.tv_sec &&
                           now.tv_nsec >= w->deadline.tv_nsec))) {
        w->fired = true;
        break;
      }
    }
  }
  bool fire = w->fired;
  pthread_mutex_unlock(&w->mutex);
  /* Outside the lock: cancelling runs the cancellable's handlers on this thread. */
  if (fire)
    g_cancellable_cancel(w->cancellable);
  return NULL;
}

awsenv_watchdog_t *awsenv_watchdog_start(GCancellable *cancellable, unsigned int timeout_ms) {
  awsenv_watchdog_t *w = calloc(1, sizeof *w);
  if (w == NULL)
    return NULL;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w->cond, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&w->mutex, NULL);
  w->deadline = deadline_after(timeout_ms);
  w->cancellable = g_object_ref(cancellable);
  if (pthread_create(&w->thread, NULL, watch, w) != 0) {
    g_object_unref(w->cancellable);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mutex);
    free(w);
    return NULL;
  }
  return w;
}

void awsenv_watchdog_rearm(awsenv_watchdog_t *w, unsigned int timeout_ms) {
  pthread_mutex_lock(&w->mutex);
  w->deadline = deadline_after(timeout_ms);
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->mutex);
}

bool awsenv_watchdog_stop(awsenv_watchdog_t *w) {
  pthread_mutex_lock(&w->mutex);
  w->stopped = true;
  pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->mutex);
  pthread_join(w->thread, NULL);
  bool fired = w->fired;
  g_object_unref(w->cancellable);
  pthread_cond_destroy(&w->cond);
  pthread_mutex_destroy(&w->mutex);
  free(w);
  return fired;
}

/* Touched by the main thread only (see the header). */
static pthread_t prefetch_thread;
static bool prefetch_running;
static unsigned int prefetch_timeout_ms;
/* Written by the prefetch thread, read after pthread_join. */
static bool prefetch_timed_out;

static void *prefetch_main(void *unused) {
  (void)unused;
  /* As LibSecretStore.bus(): without an address GLib would try $XDG_RUNTIME_DIR/bus and then
   * X11 autolaunch, which can start a stray bus. The store reports that case itself. */
  const char *address = getenv("DBUS_SESSION_BUS_ADDRESS");
  if (address == NULL || address[0] == '\0') {
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    if (runtime == NULL || runtime[0] == '\0')
      return NULL;
    char *bus_path = g_build_filename(runtime, "bus", NULL);
    bool exists = access(bus_path, F_OK) == 0;
    g_free(bus_path);
    if (!exists)
      return NULL;
  }
  GCancellable *cancellable = g_cancellable_new();
  awsenv_watchdog_t *watchdog = awsenv_watchdog_start(cancellable, prefetch_timeout_ms);
  if (watchdog == NULL) {
    g_object_unref(cancellable);
    return NULL;
  }
  GError *error = NULL;
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, cancellable, &error);
  if (bus != NULL) {
    /* GLib's shared connection raises SIGTERM when the bus goes away; a CLI wants an error. */
    g_dbus_connection_set_exit_on_close(bus, FALSE);
    /* libsecret keeps this shared instance, session included, for the store's later calls. */
    SecretService *service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, cancellable,
                                                     &error);
    if (service != NULL)
      g_object_unref(service);
    g_object_unref(bus);
  }
  g_clear_error(&error);
  prefetch_timed_out = awsenv_watchdog_stop(watchdog);
  g_object_unref(cancellable);
  return NULL;
}

void awsenv_secret_prefetch(unsigned int timeout_ms) {
  static bool started;
  if (started)
    return;
  started = true;
  prefetch_timeout_ms = timeout_ms;
  if (pthread_create(&prefetch_thread, NULL, prefetch_main, NULL) == 0)
    prefetch_running = true;
}

bool awsenv_secret_prefetch_wait(void) {
  if (!prefetch_running)
    return false;
  pthread_join(prefetch_thread, NULL);
  prefetch_running = false;
  return prefetch_timed_out;
}
