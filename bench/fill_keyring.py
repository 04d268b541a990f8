#!/usr/bin/python3
"""Fills a Secret Service collection with awsenv-shaped items, fast: one D-Bus connection, one
plain-algorithm session (the values are dummy keys in a throwaway keyring), CreateItem calls
pipelined (WINDOW in flight).

    fill_keyring.py COUNT [--collection ALIAS] [--prefix bench-]

Items i = 0..COUNT-1 belong to profile PREFIX<i>; even profiles get an access-key item, odd ones
a session item (with expires, identity, cache-key, source), as awsenv itself writes them. Needs
python3-gi (Gio); uses the session bus of the environment.
"""

import argparse
import json
import sys
import time

from gi.repository import Gio, GLib

BUS = "org.freedesktop.secrets"
WINDOW = 32


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("--collection", default="default")
    parser.add_argument("--prefix", default="bench-")
    args = parser.parse_args()

    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)

    def call(path, interface, method, params, reply):
        return bus.call_sync(
            BUS, path, interface, method, params, GLib.VariantType(reply),
            Gio.DBusCallFlags.NONE, 30000, None)

    collection = call("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "ReadAlias",
                      GLib.Variant("(s)", (args.collection,)), "(o)")[0]
    if collection == "/":
        sys.exit(f"no collection behind the alias {args.collection!r}")
    session = call("/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "OpenSession",
                   GLib.Variant("(sv)", ("plain", GLib.Variant("s", ""))), "(vo)")[1]
    now = int(time.time())

    def item(index):
        profile = f"{args.prefix}{index}"
        attributes = {"application": "awsenv", "profile": profile, "version": "1",
                      "xdg:schema": "org.awsenv.Credential"}
        document = {"Version": 1, "AccessKeyId": f"AKIABENCH{index:011d}",
                    "SecretAccessKey": "bench-secret-" + "x" * 27}
        if index % 2:
            attributes.update({"kind": "session", "expires": str(now + 3600),
                               "identity": f"role-{index}@123456789012",
                               "cache-key": f"{index:064x}", "source": profile})
            document.update({"SessionToken": "bench-token-" + "y" * 300,
                             "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                         time.gmtime(now + 3600))})
            label = f"awsenv: session for profile {profile}"
        else:
            attributes["kind"] = "access-key"
            label = f"awsenv: access key for profile {profile}"
        properties = {"org.freedesktop.Secret.Item.Label": GLib.Variant("s", label),
                      "org.freedesktop.Secret.Item.Attributes": GLib.Variant("a{ss}", attributes)}
        secret = (session, b"", json.dumps(document).encode(), "text/plain")
        return GLib.Variant("(a{sv}(oayays)b)", (properties, secret, True))

    loop = GLib.MainLoop()
    state = {"next": 0, "pending": 0, "done": 0, "error": None}

    def finished(source, result, _data):
        state["pending"] -= 1
        state["done"] += 1
        try:
            source.call_finish(result)
        except GLib.Error as error:
            state["error"] = error.message
        pump()

    def pump():
        if state["error"]:
            loop.quit()
            return
        while state["next"] < args.count and state["pending"] < WINDOW:
            bus.call(BUS, collection, "org.freedesktop.Secret.Collection", "CreateItem",
                     item(state["next"]), GLib.VariantType("(oo)"), Gio.DBusCallFlags.NONE,
                     120000, None, finished, None)
            state["next"] += 1
            state["pending"] += 1
        if state["pending"] == 0:
            loop.quit()

    started = time.monotonic()
    pump()
    if state["pending"]:
        loop.run()
    if state["error"]:
        sys.exit(f"CreateItem failed: {state['error']}")
    print(f"stored {state['done']} items in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
