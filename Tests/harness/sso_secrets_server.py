#!/usr/bin/env python3
"""sso_server.py with one more test hook: every secret it has handed out, for NoPlaintextTests.

    python3 Tests/harness/sso_secrets_server.py [the options of sso_server.py]

The same server as Tests/harness/sso_server.py (same options, APIs and hooks), plus

    GET /_awsenv/secrets  {"clientSecrets": [...], "deviceCodes": [...], "accessTokens": [...],
                           "refreshTokens": [...], "roleSecrets": [...]}: every client secret,
                          device code, access token and refresh token issued since the start
                          (a reset does not forget them), and the secret access keys and session
                          tokens of every GetRoleCredentials answer

so that a test can look for each of them in a client's files, arguments, environment and logs.
sso_server.py itself never exposes them; this hook exists only in this wrapper.
"""

import threading

import sso_server  # Tests/harness/sso_server.py

ISSUED = {
    "clientSecrets": [],
    "deviceCodes": [],
    "accessTokens": [],
    "refreshTokens": [],
    "roleSecrets": [],
}
ISSUED_LOCK = threading.Lock()


def remember(kind, *values):
    with ISSUED_LOCK:
        for value in values:
            if isinstance(value, str) and value and value not in ISSUED[kind]:
                ISSUED[kind].append(value)


def wrap(cls, name, record):
    """Replaces cls.name with a function that calls it and hands the answer to `record`."""
    original = getattr(cls, name)

    def wrapper(*args, **kwargs):
        answer = original(*args, **kwargs)
        record(answer)
        return answer

    setattr(cls, name, wrapper)


wrap(
    sso_server.Identity,
    "register_client",
    lambda answer: remember("clientSecrets", answer.get("clientSecret")),
)
wrap(
    sso_server.Identity,
    "start_device_authorization",
    lambda answer: remember("deviceCodes", answer.get("deviceCode")),
)


def record_token(answer):
    remember("accessTokens", answer.get("accessToken"))
    remember("refreshTokens", answer.get("refreshToken"))


wrap(sso_server.Identity, "issue_token", record_token)


def record_role(answer):
    remember("roleSecrets", answer.get("secretAccessKey"), answer.get("sessionToken"))


wrap(sso_server.Identity, "random_role_credentials", record_role)
wrap(sso_server.StsMinter, "mint", record_role)

original_control = sso_server.Handler.control


def control(self, path, body):
    if (self.command, path) == ("GET", "/_awsenv/secrets"):
        with ISSUED_LOCK:
            snapshot = {kind: list(values) for kind, values in ISSUED.items()}
        return self.send_json(200, snapshot)
    return original_control(self, path, body)


sso_server.Handler.control = control

if __name__ == "__main__":
    sso_server.main()
