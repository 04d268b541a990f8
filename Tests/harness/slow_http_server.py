#!/usr/bin/env python3
"""A misbehaving HTTP server for the tests: it accepts every request and then trickles its
answer one byte at a time, as a broken proxy or an overloaded endpoint can.

    python3 Tests/harness/slow_http_server.py [--port 0] [--interval 0.25] [--exit-with-parent]

Prints `READY <port>` on stdout once it listens on 127.0.0.1. Each connection reads the request
head, then gets `HTTP/1.1 200 OK` with a Content-Length of 100000 and one byte of body every
`interval` seconds, for at most 120 s (a bounded loop: it stops by itself). The number of
connections so far is kept in the file given by --count, rewritten at each new one.
"""

import argparse
import os
import socketserver
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import serve  # noqa: E402

LOCK = threading.Lock()
CONNECTIONS = [0]


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        with LOCK:
            CONNECTIONS[0] += 1
            if self.server.count_file:
                with open(self.server.count_file, "w", encoding="ascii") as out:
                    out.write(f"{CONNECTIONS[0]}\n")
        sock = self.request
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 1 << 20:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        try:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                         b"Content-Length: 100000\r\n\r\n")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                sock.sendall(b"<")
                time.sleep(self.server.interval)
        except OSError:
            pass  # the client gave up: what the test wants


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--count")
    parser.add_argument("--exit-with-parent", action="store_true")
    options = parser.parse_args()
    server = Server(("127.0.0.1", options.port), Handler)
    server.interval = options.interval
    server.count_file = options.count
    serve(server, server.server_address[1], os.getppid() if options.exit_with_parent else None)


if __name__ == "__main__":
    main()
