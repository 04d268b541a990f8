#!/usr/bin/env python3
"""Asks awsenv's credential server (AWS_CONTAINER_CREDENTIALS_FULL_URI with
AWS_CONTAINER_AUTHORIZATION_TOKEN) the way a client would, and says what it answered.

  credential_probe.py refusals   one line per bad request: NAME STATUS CODE SECRET-FREE
  credential_probe.py key        the AccessKeyId served now
  credential_probe.py expiration the Expiration served now
  credential_probe.py burst N    N requests at once: "ok COUNT distinct KEYS"
  credential_probe.py error      STATUS CODE of a request that fails
  credential_probe.py closed     "closed" when nothing listens at the endpoint any more
"""
import http.client
import json
import os
import sys
import threading
import urllib.parse

URI = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
TOKEN = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]


def ask(method="GET", path=None, token=TOKEN):
    connection = http.client.HTTPConnection(URI.hostname, URI.port, timeout=10)
    headers = {} if token is None else {"Authorization": token}
    connection.request(method, path or URI.path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response.status, body


def refusals():
    cases = {
        "no-token": dict(token=None),
        "wrong-token": dict(token=TOKEN[:-1] + ("0" if TOKEN[-1] != "0" else "1")),
        "short-token": dict(token=TOKEN[:16]),
        "wrong-path": dict(path="/credentials/x"),
        "wrong-method": dict(method="POST"),
    }
    for name, arguments in cases.items():
        status, body = ask(**arguments)
        code = json.loads(body).get("code")
        clean = "SecretAccessKey" not in body and "AccessKeyId" not in body
        print(name, status, code, "secret-free" if clean else "LEAKED")


def key():
    status, body = ask()
    assert status == 200, (status, body)
    document = json.loads(body)
    assert set(document) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}, document
    return document["AccessKeyId"]


def burst(count):
    results = []
    barrier = threading.Barrier(count)

    def one():
        barrier.wait()
        status, body = ask()
        results.append(json.loads(body)["AccessKeyId"] if status == 200 else f"status {status}")

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = set(results)
    print("ok", sum(1 for r in results if not r.startswith("status")), "distinct", len(keys))
    print("key", sorted(keys)[0])


def main():
    what = sys.argv[1]
    if what == "refusals":
        refusals()
    elif what == "key":
        print(key())
    elif what == "expiration":
        print(json.loads(ask()[1])["Expiration"])
    elif what == "burst":
        burst(int(sys.argv[2]))
    elif what == "error":
        status, body = ask()
        document = json.loads(body)
        print(status, document["code"], "secret-free" if "SecretAccessKey" not in body else "LEAKED")
        print(document["message"])
    elif what == "closed":
        try:
            ask()
            print("still open")
        except ConnectionRefusedError:
            print("closed")


main()
