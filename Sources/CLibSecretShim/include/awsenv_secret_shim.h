/*
 * The little C that LibSecretStore.swift needs and Swift cannot express.
 *
 * 1. GLib error domains (G_IO_ERROR, G_DBUS_ERROR, SECRET_ERROR) are macros that call a
 *    *_quark() function, so Swift cannot compare a GError against them: awsenv_error_kind()
 *    sorts a GError into the few kinds awsenv reports.
 * 2. libsecret's *_sync calls have no timeout, and a provider that is running but hung keeps
 *    them waiting ~50 s (two 25 s GDBus timeouts). awsenv_watchdog_start() cancels a
 *    GCancellable after a deadline unless stopped first; the call then ends with
 *    G_IO_ERROR_CANCELLED.
 * 3. awsenv_secret_prefetch() opens libsecret's shared Secret Service and its encrypted session
 *    on a thread of its own while the caller does other work (see below).
 */
#ifndef AWSENV_SECRET_SHIM_H
#define AWSENV_SECRET_SHIM_H

#include <gio/gio.h>
#include <stdbool.h>

/* What went wrong, as far as awsenv cares. */
typedef enum {
  /* Anything below: report the message as it is. */
  AWSENV_ERROR_OTHER = 0,
  /* The GCancellable was cancelled (by the watchdog). */
  AWSENV_ERROR_CANCELLED,
  /* A D-Bus timeout fired (G_IO_ERROR_TIMED_OUT, G_DBUS_ERROR_TIMEOUT, G_DBUS_ERROR_NO_REPLY). */
  AWSENV_ERROR_TIMED_OUT,
  /* The bus connection is closed or could not be made. */
  AWSENV_ERROR_NO_BUS,
  /* Nothing owns org.freedesktop.secrets and nothing could be started for it. */
  AWSENV_ERROR_NO_PROVIDER,
  /* The object path does not exist (gnome-keyring answers UnknownMethod for that). */
  AWSENV_ERROR_NO_OBJECT,
  /* The item or collection is locked (org.freedesktop.Secret.Error.IsLocked). */
  AWSENV_ERROR_LOCKED,
} awsenv_error_kind_t;

/* Sorts `error` (may be NULL: then AWSENV_ERROR_OTHER). Also strips the "GDBus.Error:NAME: "
 * prefix from its message, so that the message can be shown to a user. */
awsenv_error_kind_t awsenv_error_kind(GError *error);

/* A timer that cancels a GCancellable; one thread that sleeps on a condition variable. */
typedef struct awsenv_watchdog awsenv_watchdog_t;

/* Starts a watchdog that cancels `cancellable` after `timeout_ms` unless stopped first.
 * Returns NULL only when no thread could be started. */
awsenv_watchdog_t *awsenv_watchdog_start(GCancellable *cancellable, unsigned int timeout_ms);

/* Moves the deadline to `timeout_ms` from now (for a step that may wait on the user). */
void awsenv_watchdog_rearm(awsenv_watchdog_t *watchdog, unsigned int timeout_ms);

/* Stops and frees the watchdog; true when it had already cancelled the cancellable. */
bool awsenv_watchdog_stop(awsenv_watchdog_t *watchdog);

/* Starts connecting to the session bus and opening libsecret's shared SecretService with its
 * encrypted (DH) session on a thread of its own, under a watchdog of `timeout_ms`, and returns
 * at once. The session costs ~3.5 ms of key exchange, mostly computation on both ends; a
 * command that knows it will read a secret (`use`) lets it overlap reading the config files.
 * Errors are dropped: the store's own calls find them again. Main thread only; a second call
 * does nothing. */
void awsenv_secret_prefetch(unsigned int timeout_ms);

/* Waits for the prefetch thread, when one runs, so that nothing else uses GDBus or libsecret
 * meanwhile; true when its watchdog fired (the provider did not answer in time). Returns at
 * once when none runs. Main thread only; call it before the first keyring call and before the
 * process exits. */
bool awsenv_secret_prefetch_wait(void);

#endif
