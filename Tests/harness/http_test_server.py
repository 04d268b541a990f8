#!/usr/bin/env python3
"""Loopback HTTP, HTTPS and proxy servers for CurlTransportTests.

Usage: http_test_server.py DIR

Writes a self-signed certificate for 127.0.0.1 to DIR/cert.pem (key in DIR/key.pem), listens on
free ports on 127.0.0.1 and prints one JSON line:
  {"http": PORT, "https": PORT, "proxy": PORT, "closed": PORT, "cert": "DIR/cert.pem"}
("closed" was free a moment ago and nothing listens on it). Exits when stdin reaches end of file,
so a test process that dies takes the servers with it; removes the two files and DIR (if empty)
then.

The HTTP and HTTPS servers answer by path:
  /echo, */echo    200, JSON: request line, method, path, query, raw header lines, body (base64)
  /status?code=N   status N with an XML body and a few headers
  /interim         a 103 Early Hints response, then 200
  /redirect        302 to /echo
  /big?bytes=N     N bytes of body (add &chunked=1 for chunked encoding instead of a length)
  /hang            reads the request and never answers
  /early           413 at once, without reading the body, and closes
The proxy answers an absolute-form request itself (200, JSON with the request line it saw),
tunnels CONNECT to the HTTPS server's port (403 for any other port), and answers
GET /log with the request lines of every proxied request so far.
"""

import base64
import json
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
from urllib.parse import parse_qs, urlsplit

PORTS = {}
PROXY_LOG = []
PROXY_LOG_LOCK = threading.Lock()


def read_head(sock):
    """Reads up to the blank line ending a request head; returns (lines, leftover bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 1 << 20:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), rest


def read_body(sock, lines, rest):
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest[:length]


def respond(sock, status, reason, headers, body):
    head = f"HTTP/1.1 {status} {reason}\r\n"
    for name, value in headers:
        head += f"{name}: {value}\r\n"
    head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    sock.sendall(head.encode("latin-1") + body)


def serve_origin(sock):
    lines, rest = read_head(sock)
    if lines is None:
        return
    method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
    path, _, query = target.partition("?")
    params = {key: values[0] for key, values in parse_qs(query).items()}
    if path == "/early":
        respond(sock, 413, "Payload Too Large", [], b"")
        return
    body = read_body(sock, lines, rest)
    if path.endswith("/echo"):
        document = {
            "requestLine": lines[0],
            "method": method,
            "path": path,
            "query": query,
            "headers": lines[1:],
            "body": base64.b64encode(body).decode("ascii"),
        }
        payload = json.dumps(document).encode()
        respond(sock, 200, "OK", [("Content-Type", "application/json"), ("X-Echo", "yes")], payload)
    elif path == "/status":
        code = int(params.get("code", "500"))
        xml = b"<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>"
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", "req-1"), ("X-Empty", "")]
        respond(sock, code, "Status", headers, xml)
    elif path == "/interim":
        sock.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </early>\r\nX-Interim: yes\r\n\r\n")
        respond(sock, 200, "OK", [("X-Final", "yes")], b"final")
    elif path == "/redirect":
        respond(sock, 302, "Found", [("Location", "/echo")], b"")
    elif path == "/big":
        size = int(params.get("bytes", "0"))
        block = b"x" * 65536
        if params.get("chunked") == "1":
            sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            sent = 0
            while sent < size:
                part = block[: min(len(block), size - sent)]
                sock.sendall(b"%x\r\n" % len(part) + part + b"\r\n")
                sent += len(part)
            sock.sendall(b"0\r\n\r\n")
        else:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % size)
            sent = 0
            while sent < size:
                part = block[: min(len(block), size - sent)]
                sock.sendall(part)
                sent += len(part)
    elif path == "/hang":
        while sock.recv(65536):
            pass
    else:
        respond(sock, 404, "Not Found", [], b"")


def pipe(source, destination):
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            destination.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, destination):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve_proxy(sock):
    lines, rest = read_head(sock)
    if lines is None:
        return
    method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
    if method == "GET" and target == "/log":
        with PROXY_LOG_LOCK:
            payload = json.dumps(PROXY_LOG).encode()
        respond(sock, 200, "OK", [("Content-Type", "application/json")], payload)
        return
    with PROXY_LOG_LOCK:
        PROXY_LOG.append(lines[0])
    if method == "CONNECT":
        host, _, port = target.rpartition(":")
        if host != "127.0.0.1" or port != str(PORTS["https"]):
            respond(sock, 403, "Forbidden", [], b"")
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)))
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        upstream.sendall(rest)
        other = threading.Thread(target=pipe, args=(upstream, sock), daemon=True)
        other.start()
        pipe(sock, upstream)
        other.join()
        upstream.close()
        return
    read_body(sock, lines, rest)
    payload = json.dumps({"proxy": True, "requestLine": lines[0]}).encode()
    respond(sock, 200, "OK", [("Content-Type", "application/json")], payload)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, serve, tls=None):
        self.serve = serve
        self.tls = tls
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address):
        pass  # clients that hang up or reject the certificate are part of the tests


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        if self.server.tls is not None:
            sock = self.server.tls.wrap_socket(sock, server_side=True)
        try:
            self.server.serve(sock)
        finally:
            sock.close()


def main():
    directory = sys.argv[1]
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)

    servers = {
        "http": Server(serve_origin),
        "https": Server(serve_origin, tls),
        "proxy": Server(serve_proxy),
    }
    for name, server in servers.items():
        PORTS[name] = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    PORTS["closed"] = probe.getsockname()[1]
    probe.close()

    print(json.dumps(dict(PORTS, cert=cert)), flush=True)
    sys.stdin.read()
    for path in (cert, key, directory):
        try:
            os.rmdir(path) if path == directory else os.remove(path)
        except OSError:
            pass
    os._exit(0)


if __name__ == "__main__":
    main()
