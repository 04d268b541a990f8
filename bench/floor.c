/*
 * The physical floor of awsenv's keyring work, measured inside one C process with libsecret
 * and GDBus, so that process start-up is not counted: what the fastest possible client pays
 * the Secret Service for one lookup, one store, and one listing.
 *
 *   floor lookup PROFILE   connect, service proxy, DH session, SearchItems, GetSecrets (ms each)
 *   floor store            CreateItem of a throwaway item into the default collection, deleted after
 *   floor list             SearchItems(application=awsenv) + Properties.Get(Attributes) of every
 *                          item, 16 calls in flight (what `awsenv list` must read)
 *   floor curl             dlopen("libcurl.so.4") + curl_global_init: the time, and what it adds
 *                          to the process's resident memory (KiB)
 *
 * Prints `name value` lines (milliseconds). Built by bench/run.sh with the libsecret-1 flags.
 */
#define SECRET_API_SUBJECT_TO_CHANGE 1
#include <libsecret/secret.h>
#include <dlfcn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *what, GError *error) {
  fprintf(stderr, "floor: %s: %s\n", what, error ? error->message : "failed");
  exit(1);
}

static const char *BUS = "org.freedesktop.secrets";
static const char *DEFAULT = "/org/freedesktop/secrets/aliases/default";

static GVariant *search(GDBusConnection *bus, GVariant *query, GError **error) {
  return g_dbus_connection_call_sync(bus, BUS, DEFAULT, "org.freedesktop.Secret.Collection",
                                     "SearchItems", query, G_VARIANT_TYPE("(ao)"), 0, -1, NULL,
                                     error);
}

static int lookup(const char *profile) {
  GError *error = NULL;
  double t0 = now();
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
  if (!bus) die("connect", error);
  double t1 = now();
  SecretService *service = secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &error);
  if (!service) die("service", error);
  double t2 = now();
  if (!secret_service_ensure_session_sync(service, NULL, &error)) die("session", error);
  double t3 = now();
  GVariantBuilder query;
  g_variant_builder_init(&query, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&query, "{ss}", "application", "awsenv");
  g_variant_builder_add(&query, "{ss}", "profile", profile);
  g_variant_builder_add(&query, "{ss}", "kind", "access-key");
  GVariant *reply = search(bus, g_variant_new("(a{ss})", &query), &error);
  if (!reply) die("search", error);
  const gchar **paths = NULL;
  g_variant_get(reply, "(^a&o)", &paths);
  if (!paths || !paths[0]) die("search: no item", NULL);
  double t4 = now();
  SecretValue *value = secret_service_get_secret_for_dbus_path_sync(service, paths[0], NULL, &error);
  if (!value) die("secret", error);
  double t5 = now();
  printf("lookup-connect %.3f\nlookup-service %.3f\nlookup-session %.3f\nlookup-search %.3f\n"
         "lookup-secret %.3f\nlookup-total %.3f\n",
         t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0);
  return 0;
}

static int store(void) {
  GError *error = NULL;
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
  if (!bus) die("connect", error);
  SecretService *service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &error);
  if (!service) die("service", error);
  GHashTable *attributes = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(attributes, "application", "awsenv-bench-floor");
  SecretValue *value = secret_value_new("{\"Version\":1}", -1, "text/plain");
  double t0 = now();
  if (!secret_service_store_sync(service, NULL, attributes, DEFAULT, "awsenv bench floor", value,
                                 NULL, &error))
    die("store", error);
  double t1 = now();
  secret_service_clear_sync(service, NULL, attributes, NULL, NULL);
  printf("store %.3f\n", t1 - t0);
  return 0;
}

static int pending, done;

static void got(GObject *source, GAsyncResult *result, gpointer data) {
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply) g_variant_unref(reply);
  if (error) g_error_free(error);
  pending--;
  done++;
}

static int list(void) {
  GError *error = NULL;
  GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
  if (!bus) die("connect", error);
  double t0 = now();
  GVariant *reply = search(bus, g_variant_new_parsed("({'application': 'awsenv'},)"), &error);
  if (!reply) die("search", error);
  const gchar **paths = NULL;
  g_variant_get(reply, "(^a&o)", &paths);
  int count = (int)g_strv_length((gchar **)paths);
  double t1 = now();
  GMainContext *context = g_main_context_new();
  g_main_context_push_thread_default(context);
  int next = 0;
  while (next < count || pending > 0) {
    while (next < count && pending < 16) {
      g_dbus_connection_call(bus, BUS, paths[next], "org.freedesktop.DBus.Properties", "Get",
                             g_variant_new("(ss)", "org.freedesktop.Secret.Item", "Attributes"),
                             G_VARIANT_TYPE("(v)"), 0, -1, NULL, got, NULL);
      next++;
      pending++;
    }
    g_main_context_iteration(context, TRUE);
  }
  double t2 = now();
  printf("list-items %d\nlist-search %.3f\nlist-reads %.3f\nlist-total %.3f\n"
         "list-us-per-item %.1f\n",
         count, t1 - t0, t2 - t1, t2 - t0, count ? (t2 - t1) * 1000 / count : 0);
  return 0;
}

static long max_rss_kib(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static int curl(void) {
  long before = max_rss_kib();
  double t0 = now();
  void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "floor: %s\n", dlerror());
    return 1;
  }
  int (*global_init)(long) = (int (*)(long))dlsym(library, "curl_global_init");
  if (!global_init || global_init(3) != 0) return 1;
  double t1 = now();
  printf("curl-load %.3f\ncurl-rss-kib %ld\n", t1 - t0, max_rss_kib() - before);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "curl") == 0) return curl();
  if (argc >= 3 && strcmp(argv[1], "lookup") == 0) return lookup(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "store") == 0) return store();
  if (argc >= 2 && strcmp(argv[1], "list") == 0) return list();
  fprintf(stderr, "usage: floor lookup PROFILE | floor store | floor list | floor curl\n");
  return 2;
}
