"""How the local test servers run: until SIGTERM or SIGINT, or until the process that started
them is gone (--exit-with-parent), announcing `READY <port>` on stdout once they listen."""

import os
import signal
import threading
import time


def serve(server, port, parent=None):
    """Serves `server` (anything with serve_forever/server_close) on `port` until told to stop.
    With `parent` (a pid), stops when the process's parent is no longer that pid."""

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if parent is not None:

        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    print(f"READY {port}", flush=True)
    try:
        server.serve_forever()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.server_close()
