#!/usr/bin/env python3
"""A local stand-in of the AWS Sign-In federation endpoint for the tests.

    python3 Tests/harness/signin_server.py --sts-url URL [--host 127.0.0.1] [--port 0]
                                           [--exit-with-parent]

Prints `READY <port>` on stdout once it listens (port 0, the default, picks a free port), then
serves until SIGTERM or SIGINT (or, with --exit-with-parent, until the process that started it is
gone). Needs boto3: every session it is given is checked at the local STS (sts_server.py at
--sts-url) with GetCallerIdentity signed by that session, as the real endpoint checks it with STS.

The federation endpoint (`/federation`, parameters in the query string or, for POST, a form
body), as https://signin.aws.amazon.com/federation answers:

    Action=getSigninToken&Session=JSON[&SessionDuration=N]
        JSON is {"sessionId": key id, "sessionKey": secret, "sessionToken": token}. Answers 200
        {"SigninToken": "..."} (valid for 15 minutes) when STS accepts the session. 400 (text)
        when: Session is missing, not that JSON, or has no sessionToken (long-lived keys are
        never accepted); SessionDuration is not a whole number in 900..43200, or is given for a
        federation token (AWS takes the length of its GetFederationToken instead); STS refuses
        the session (expired, revoked, wrong secret).
    Action=login&SigninToken=T&Destination=URL[&Issuer=I]
        The browser's step. AWS answers 302 to Destination with a console session; the stand-in
        answers 200 with JSON {"arn", "destination", "issuer"} instead, so that no test leaves
        the machine. 400 when the token is unknown or expired, or Destination is missing.

Test hooks (JSON):

    GET    /_awsenv/calls          every federation request, in order: {"action", "status",
                                   "method", "accessKeyId", "hasSessionToken", "arn",
                                   "sessionDuration", "destination", "issuer", "reason"}; secrets
                                   and sign-in tokens are never recorded
    POST   /_awsenv/calls/reset    empties the list
    POST   /_awsenv/faults         {"count": N, "status": 503}: the next N getSigninToken requests
                                   get that status (a text body) without being checked
    POST   /_awsenv/expire-tokens  every sign-in token issued so far is expired
    GET    /_awsenv/tokens         {"issued": N, "valid": N}

Nothing secret is logged; the request log lines of http.server are off.
"""

import argparse
import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import serving  # Tests/harness/serving.py

TOKEN_SECONDS = 900


class State:
    def __init__(self, sts_url):
        self.sts_url = sts_url
        self.lock = threading.Lock()
        self.calls = []
        self.faults = []
        self.tokens = {}  # token -> {"arn", "expires"}

    def record(self, call):
        with self.lock:
            self.calls.append(call)

    def take_fault(self):
        with self.lock:
            if self.faults:
                rule = self.faults[0]
                rule["count"] -= 1
                if rule["count"] <= 0:
                    self.faults.pop(0)
                return rule
        return None

    def caller_arn(self, key_id, secret, token):
        """The ARN STS gives for the session, or None when STS refuses it."""
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "sts",
            endpoint_url=self.sts_url,
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )
        try:
            return client.get_caller_identity()["Arn"]
        except Exception:  # refused, whatever the reason: the endpoint says 400
            return None


class Handler(BaseHTTPRequestHandler):
    server_version = "signin-stand-in"

    def log_message(self, format, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def send(self, status, body, content_type="application/json"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, value, status=200):
        self.send(status, json.dumps(value))

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        url = urlsplit(self.path)
        if url.path.startswith("/_awsenv/"):
            return self.control(method, url.path)
        if url.path != "/federation":
            return self.send(404, "Not Found", "text/plain")
        params = parse_qs(url.query, keep_blank_values=True)
        if method == "POST":
            content_type = self.headers.get("Content-Type", "")
            body = self.body()
            if content_type.startswith("application/x-www-form-urlencoded"):
                for key, values in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
        action = (params.get("Action") or [""])[0]
        if action == "getSigninToken":
            return self.get_signin_token(method, params)
        if action == "login":
            return self.login(method, params)
        self.state.record({"action": action, "method": method, "status": 400})
        return self.send(400, "Bad Request", "text/plain")

    def refuse(self, call, reason, status=400):
        call.update({"status": status, "reason": reason})
        self.state.record(call)
        self.send(status, "Bad Request" if status == 400 else "Error", "text/plain")

    def get_signin_token(self, method, params):
        call = {"action": "getSigninToken", "method": method}
        fault = self.state.take_fault()
        if fault:
            call["faulted"] = True
            return self.refuse(call, "injected by the test", int(fault.get("status", 503)))
        duration = (params.get("SessionDuration") or [None])[0]
        call["sessionDuration"] = duration
        try:
            session = json.loads((params.get("Session") or [""])[0])
            key_id = session["sessionId"]
            secret = session["sessionKey"]
            token = session.get("sessionToken")
        except (ValueError, KeyError, TypeError):
            return self.refuse(call, "Session is not the session JSON")
        call["accessKeyId"] = key_id
        call["hasSessionToken"] = bool(token)
        if not token:
            return self.refuse(call, "long-lived keys (no sessionToken)")
        if duration is not None and (not duration.isdigit() or not 900 <= int(duration) <= 43200):
            return self.refuse(call, "SessionDuration out of 900..43200")
        arn = self.state.caller_arn(key_id, secret, token)
        call["arn"] = arn
        if arn is None:
            return self.refuse(call, "STS refused the session")
        if duration is not None and ":federated-user/" in arn:
            return self.refuse(call, "SessionDuration with a federation token")
        signin_token = secrets.token_urlsafe(384)
        with self.state.lock:
            self.state.tokens[signin_token] = {"arn": arn, "expires": time.time() + TOKEN_SECONDS}
        call["status"] = 200
        self.state.record(call)
        self.send_json({"SigninToken": signin_token})

    def login(self, method, params):
        destination = (params.get("Destination") or [None])[0]
        issuer = (params.get("Issuer") or [None])[0]
        call = {"action": "login", "method": method, "destination": destination, "issuer": issuer}
        token = (params.get("SigninToken") or [""])[0]
        with self.state.lock:
            entry = self.state.tokens.get(token)
        if entry is None or entry["expires"] < time.time():
            return self.refuse(call, "unknown or expired sign-in token")
        if not destination:
            return self.refuse(call, "no Destination")
        call.update({"status": 200, "arn": entry["arn"]})
        self.state.record(call)
        self.send_json({"arn": entry["arn"], "destination": destination, "issuer": issuer})

    def control(self, method, path):
        state = self.state
        if method == "GET" and path == "/_awsenv/calls":
            with state.lock:
                return self.send_json(list(state.calls))
        if method == "POST" and path == "/_awsenv/calls/reset":
            self.body()
            with state.lock:
                state.calls.clear()
            return self.send_json({})
        if method == "POST" and path == "/_awsenv/faults":
            rule = json.loads(self.body() or b"{}")
            rule.setdefault("count", 1)
            with state.lock:
                state.faults.append(rule)
            return self.send_json({})
        if method == "POST" and path == "/_awsenv/expire-tokens":
            self.body()
            with state.lock:
                for entry in state.tokens.values():
                    entry["expires"] = 0
            return self.send_json({})
        if method == "GET" and path == "/_awsenv/tokens":
            now = time.time()
            with state.lock:
                valid = sum(1 for entry in state.tokens.values() if entry["expires"] >= now)
                return self.send_json({"issued": len(state.tokens), "valid": valid})
        return self.send(404, "Not Found", "text/plain")


def main():
    parent = os.getppid()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--sts-url", required=True)
    parser.add_argument("--exit-with-parent", action="store_true")
    args = parser.parse_args()
    import boto3  # noqa: F401 (fail before READY when it is missing)

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.sts_url.rstrip("/"))
    serving.serve(server, server.server_address[1], parent if args.exit_with_parent else None)


if __name__ == "__main__":
    main()
