#!/usr/bin/env python3
"""A local EC2 instance metadata service (IMDSv2) and container credentials endpoint for the
tests, on loopback, handing out real credentials of the local STS (sts_server.py).

    python3 Tests/harness/metadata_server.py [--host 127.0.0.1] [--port 0] [--exit-with-parent]

Prints `READY <port>` on stdout once it listens, then serves until SIGTERM or SIGINT (see
serving.py). Follows the services' wire format:

    PUT  /latest/api/token                     needs X-aws-ec2-metadata-token-ttl-seconds
                                               (1-21600), else 400; answers a session token.
                                               A GET there is 405, as on EC2.
    GET  /latest/meta-data/iam/security-credentials/       the role name
    GET  /latest/meta-data/iam/security-credentials/ROLE   {"Code": "Success", "Type":
                                               "AWS-HMAC", "AccessKeyId", "SecretAccessKey",
                                               "Token", "Expiration", "LastUpdated"}
         Both GETs need X-aws-ec2-metadata-token with a token this server issued and that has
         not expired, else 401 (IMDSv2 only, as an instance with HttpTokens=required).
    GET  /v2/credentials/ANYTHING              container credentials: {"AccessKeyId",
                                               "SecretAccessKey", "Token", "Expiration",
                                               "RoleArn"}; when an authorization token is set,
                                               the Authorization header must equal it, else 401.

Test controls:
    POST /_awsenv/credentials  {"sts": URL, "access_key_id": ..., "secret_access_key": ...,
                                "role": "NAME", "authorization": "TOKEN or absent"}: calls
                               GetSessionToken at the local STS with those keys (boto3) and
                               serves the session it gets. Keys come in the body, never argv.
    GET  /_awsenv/calls        requests by kind: {"token": 1, "role": 1, "credentials": 1,
                               "container": 1, "unauthorized": 0}

Nothing secret is logged; the request log is off.
"""

import argparse
import datetime
import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import serving  # Tests/harness/serving.py

CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"

STATE = {"credentials": None, "role": "awsenv-instance-role", "authorization": None}
TOKENS = {}  # token -> expiry (time.time())
CALLS = {}
LOCK = threading.Lock()


def count(kind):
    with LOCK:
        CALLS[kind] = CALLS.get(kind, 0) + 1


def session_from_sts(control):
    import boto3
    from botocore.config import Config

    sts = boto3.client(
        "sts",
        endpoint_url=control["sts"],
        region_name="us-east-1",
        aws_access_key_id=control["access_key_id"],
        aws_secret_access_key=control["secret_access_key"],
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    return sts.get_session_token(DurationSeconds=3600)["Credentials"]


def iso(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="text/plain"):
        if isinstance(body, (dict, list)):
            body, content_type = json.dumps(body).encode("utf-8"), "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def token_ok(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        with LOCK:
            expiry = TOKENS.get(token or "")
        return expiry is not None and expiry > time.time()

    def do_PUT(self):
        self.body()
        if self.path != "/latest/api/token":
            return self.answer(404, "Not Found")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.answer(400, "Bad Request")
        if self.headers.get("X-Forwarded-For"):
            return self.answer(403, "Forbidden")
        token = secrets.token_urlsafe(32)
        with LOCK:
            TOKENS[token] = time.time() + int(ttl)
        count("token")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("X-aws-ec2-metadata-token-ttl-seconds", ttl)
        self.send_header("Content-Length", str(len(token)))
        self.end_headers()
        self.wfile.write(token.encode("ascii"))

    def do_GET(self):
        if self.path == "/_awsenv/calls":
            with LOCK:
                return self.answer(200, dict(CALLS))
        if self.path == "/latest/api/token":
            return self.answer(405, "Method Not Allowed")
        if self.path.startswith(CREDENTIALS_PATH):
            if not self.token_ok():
                count("unauthorized")
                return self.answer(401, "Unauthorized")
            role = self.path[len(CREDENTIALS_PATH):]
            creds = STATE["credentials"]
            if creds is None:
                return self.answer(404, "Not Found")
            if role == "":
                count("role")
                return self.answer(200, STATE["role"])
            if role != STATE["role"]:
                return self.answer(404, "Not Found")
            count("credentials")
            return self.answer(
                200,
                {
                    "Code": "Success",
                    "LastUpdated": iso(datetime.datetime.now(datetime.timezone.utc)),
                    "Type": "AWS-HMAC",
                    "AccessKeyId": creds["AccessKeyId"],
                    "SecretAccessKey": creds["SecretAccessKey"],
                    "Token": creds["SessionToken"],
                    "Expiration": iso(creds["Expiration"]),
                },
            )
        if self.path.startswith("/v2/credentials/"):
            wanted = STATE["authorization"]
            if wanted is not None and self.headers.get("Authorization") != wanted:
                count("unauthorized")
                return self.answer(401, {"code": "AccessDenied", "message": "bad token"})
            creds = STATE["credentials"]
            if creds is None:
                return self.answer(404, "Not Found")
            count("container")
            return self.answer(
                200,
                {
                    "AccessKeyId": creds["AccessKeyId"],
                    "SecretAccessKey": creds["SecretAccessKey"],
                    "Token": creds["SessionToken"],
                    "Expiration": iso(creds["Expiration"]),
                    "RoleArn": "arn:aws:iam::123456789012:role/" + STATE["role"],
                },
            )
        return self.answer(404, "Not Found")

    def do_POST(self):
        raw = self.body()
        if self.path != "/_awsenv/credentials":
            return self.answer(404, "Not Found")
        try:
            control = json.loads(raw or b"{}")
            creds = session_from_sts(control)
        except Exception as error:  # the test sees why
            return self.answer(400, {"error": type(error).__name__})
        with LOCK:
            STATE["credentials"] = creds
            STATE["role"] = control.get("role") or STATE["role"]
            STATE["authorization"] = control.get("authorization")
        return self.answer(200, {"status": "ok"})


def main():
    parent = os.getppid()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-with-parent", action="store_true")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    serving.serve(server, server.server_address[1], parent if args.exit_with_parent else None)


if __name__ == "__main__":
    main()
