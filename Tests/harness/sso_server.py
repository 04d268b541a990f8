#!/usr/bin/env python3
"""A local IAM Identity Center (SSO) for the tests: the OIDC device flow and the portal API.

    python3 Tests/harness/sso_server.py [--host 127.0.0.1] [--port 0] [--world FILE]
                                        [--exit-with-parent]
                                        [--sts-url URL --sts-key-id ID --sts-secret S]

Prints `READY <port>` on stdout once it listens (port 0, the default, picks a free port), then
serves until SIGTERM or SIGINT (or, with --exit-with-parent, until the process that started it is
gone). Python 3 standard library only (http.server), unless --sts-url (then boto3). One port
serves both services, whose paths do not collide; the wire format is botocore's service models
(sso-oidc and sso, 2019-06-10, protocol rest-json):

  sso-oidc  POST /client/register       RegisterClient
            POST /device_authorization  StartDeviceAuthorization
            POST /token                 CreateToken (grantType device_code or refresh_token)
  sso       GET  /federation/credentials GetRoleCredentials (?account_id=&role_name=)
            GET  /assignment/accounts    ListAccounts (?max_result=&next_token=)
            GET  /assignment/roles       ListAccountRoles (?account_id=&max_result=&next_token=)
            POST /logout                 Logout
            (the portal operations take the access token in the x-amz-sso_bearer_token header)
  browser   GET  /device[?user_code=X]  the verification page: visiting it with a code is the
                                         user signing in and clicking Allow (or Deny, when the
                                         behaviour "deny" is set)

Answers carry Content-Type application/json and x-amzn-RequestId. Errors carry the error shape's
HTTP status, x-amzn-ErrorType: <ExceptionName> (where botocore takes the code from) and the
shape's members as the JSON body: {"error": "authorization_pending", "error_description": "..."}
for sso-oidc, {"message": "..."} for sso.

Test hooks (JSON in and out; POST bodies are JSON objects):

    GET  /_awsenv/calls          every request to the two APIs and /device, in order:
                                 {"operation", "status", "error" (exception name or null),
                                 "time" (epoch seconds, float), and the request's non-secret
                                 parameters: clientName, clientType, scopes, startUrl, grantType,
                                 userCode, accountId, roleName, maxResult, nextToken}; tokens,
                                 secrets and device codes are never logged. /device visits are
                                 "DeviceVisit"; requests to no operation are "Unknown" (+ method,
                                 path)
    POST /_awsenv/calls/reset    empties the list
    GET  /_awsenv/behaviour      the settings below; POST: updates the given ones
    GET  /_awsenv/world          the world; POST: replaces the given keys (startUrl, pageSize,
                                 accounts)
    POST /_awsenv/approve        {"userCode": "ABCD-EFGH"}: the same as visiting /device with the
                                 code (so it denies when "deny" is set; {"deny": false|true}
                                 overrides that). 404 for an unknown or expired code
    POST /_awsenv/expire-tokens  every access token issued so far is expired (portal operations
                                 answer UnauthorizedException); refresh tokens still work
    POST /_awsenv/expire-clients every client registered so far is expired (InvalidClientException)
    GET  /_awsenv/state          {"clients", "clientsValid", "deviceAuthorizations",
                                 "tokensIssued", "tokensValid", "loggedOut", "refreshTokensValid"}
    GET  /_awsenv/device-authorizations
                                 [{"userCode", "status" (pending, approved, denied, issued,
                                 expired), "interval", "polls", "expiresAt"}], oldest first
    POST /_awsenv/faults         {"count": N, "status": 500, "code": "InternalServerException",
                                 "message": "...", "delay": 0.5, "operation":
                                 "GetRoleCredentials"}: the next N requests to the two APIs (of
                                 that operation only, when given) sleep "delay" seconds, then get
                                 that status with x-amzn-ErrorType: code and the service's error
                                 body ({"message"} for sso, {"error": code, "error_description"}
                                 for sso-oidc) instead of being served. Without "status" (or 0)
                                 a matching request is only delayed, then served. Rules queue up
                                 in order; the call log lists a faulted request with its status,
                                 its code as "error" and "faulted": true
    GET  /_awsenv/faults         the rules still pending; DELETE: drops them all
    POST /_awsenv/reset          back to the start: the start world, default behaviour, no
                                 clients, codes, tokens, calls or faults

Behaviour (defaults; durations in seconds):
    pendingRounds 0          CreateToken answers AuthorizationPendingException this many times
                             per device code, even once it is approved
    slowDownRounds 0         the first N polls of each device code answer SlowDownException
    interval 1               StartDeviceAuthorization's interval (the real service says 1 too)
    deviceExpiresIn 600      StartDeviceAuthorization's expiresIn
    tokenExpiresIn 28800     CreateToken's expiresIn
    issueRefreshToken true   CreateToken returns a refreshToken
    refreshNeedsScope false  ... only for clients registered with the scope sso:account:access,
                             as the real service does (the AWS CLI's legacy, sso-session-less
                             profiles register without scopes and get no refresh token)
    clientSecretExpiresIn 7776000  RegisterClient's clientSecretExpiresAt - clientIdIssuedAt
    roleCredentialsExpiresIn 3600  GetRoleCredentials' expiration - now
    deny false               a /device visit (or approve) denies instead of approving
    autoApprove false        a device code counts as decided (approved, or denied when "deny")
                             without any visit
    errorTypeSuffix ""       appended to x-amzn-ErrorType, e.g. ":http://internal.amazon.com/
                             coral/com.amazonaws.switchboard.portal/": a client must take the
                             code from before the first ":" (and after a "#"), as botocore does
    verificationUri ""       misbehaviour, for the hostile-server tests: when not empty,
    verificationUriComplete ""   StartDeviceAuthorization answers this member with the given
    userCode ""              text instead, "{base}" replaced by the server's URL and "{code}" by
                             the real user code (which is still the one to approve). Any
                             string is accepted, control characters included

World (--world FILE or POST /_awsenv/world): {"startUrl": ..., "pageSize": 2, "accounts":
[{"accountId", "accountName", "emailAddress", "roles": [names]}]}: the only start URL
StartDeviceAuthorization accepts, the most items a List page holds (max_result can only lower
it), and what the signed-in user is assigned. Default: DEFAULT_WORLD below.

Device flow (RFC 8628). CreateToken with a device code checks, in order: the code is known, of
this client, and has not yielded a token yet (else InvalidGrantException); it has not expired
(ExpiredTokenException); it was not denied (AccessDeniedException); the previous poll of the code
was at least `interval` seconds ago, 0.25 s of slack (else SlowDownException, and the code's
interval grows by 5 s, RFC 8628 section 3.5); it is not one of the first slowDownRounds polls
(SlowDownException, interval + 5 s too); it is approved and pendingRounds pending answers were
given (else AuthorizationPendingException). Then the token: one per device code.

Role credentials: fresh random ASIA… keys, unless --sts-url: then GetRoleCredentials assumes
arn:aws:iam::ACCOUNT:role/ROLE at that STS (e.g. the local moto of sts_server.py) with the given
key, session name "awsenv-sso-user", and returns those credentials (the role must exist there).
"""

import argparse
import html
import json
import os
import secrets
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import serving  # Tests/harness/serving.py

DEFAULT_WORLD = {
    "startUrl": "https://example.awsapps.com/start",
    "pageSize": 2,
    "accounts": [
        {
            "accountId": "111111111111",
            "accountName": "Production",
            "emailAddress": "prod@example.com",
            "roles": ["AdministratorAccess", "ReadOnly"],
        },
        {
            "accountId": "222222222222",
            "accountName": "Staging",
            "emailAddress": "staging@example.com",
            "roles": ["AdministratorAccess", "Developer"],
        },
        {
            "accountId": "333333333333",
            "accountName": "Sandbox",
            "emailAddress": "sandbox@example.com",
            "roles": ["Developer", "ReadOnly"],
        },
    ],
}

DEFAULT_BEHAVIOUR = {
    "pendingRounds": 0,
    "slowDownRounds": 0,
    "interval": 1,
    "deviceExpiresIn": 600,
    "tokenExpiresIn": 28800,
    "issueRefreshToken": True,
    "refreshNeedsScope": False,
    "clientSecretExpiresIn": 7776000,
    "roleCredentialsExpiresIn": 3600,
    "deny": False,
    "autoApprove": False,
    "errorTypeSuffix": "",
    "verificationUri": "",
    "verificationUriComplete": "",
    "userCode": "",
}

# Behaviour settings whose value goes to the client as it is, control characters included: the
# hostile answers of StartDeviceAuthorization.
HOSTILE_TEXT_SETTINGS = ("verificationUri", "verificationUriComplete", "userCode")

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_TOKEN_GRANT = "refresh_token"
REFRESH_SCOPE = "sso:account:access"
# RFC 8628 section 3.5: "slow_down ... the interval MUST be increased by 5 seconds".
SLOW_DOWN_STEP = 5
# How much sooner than `interval` a poll may come without counting as too soon.
POLL_SLACK = 0.25
# RFC 8628 section 6.1: user codes from consonants only (no words, no 0/O or 1/I confusion).
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
STS_SESSION_NAME = "awsenv-sso-user"

# sso-oidc error shapes: HTTP status ("error": {"httpStatusCode"} in the model) and the OAuth
# error code the service puts in the body's "error" member.
OIDC_ERRORS = {
    "AccessDeniedException": (400, "access_denied"),
    "AuthorizationPendingException": (400, "authorization_pending"),
    "ExpiredTokenException": (400, "expired_token"),
    "InternalServerException": (500, "server_error"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidClientMetadataException": (400, "invalid_client_metadata"),
    "InvalidGrantException": (400, "invalid_grant"),
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidScopeException": (400, "invalid_scope"),
    "SlowDownException": (400, "slow_down"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
}

# sso (the portal) error shapes, all with one member, "message". ForbiddenException is not in the
# model, but it is what the real service answers GetRoleCredentials for an account or role the
# user is not assigned ({"message": "No access"}, HTTP 403; see the AWS knowledge-center article
# on "ForbiddenException: No access" from GetRoleCredentials). botocore still parses it: the code
# comes from x-amzn-ErrorType, the message from the body's "message".
PORTAL_ERRORS = {
    "ForbiddenException": 403,
    "InvalidRequestException": 400,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
    "UnauthorizedException": 401,
}

UNAUTHORIZED_MESSAGE = "Session token not found or invalid"


class ServiceError(Exception):
    """An error answer: status, exception name (x-amzn-ErrorType) and JSON body."""

    def __init__(self, status, name, body):
        super().__init__(name)
        self.status = status
        self.name = name
        self.body = body


def oidc_error(name, description):
    status, code = OIDC_ERRORS[name]
    return ServiceError(status, name, {"error": code, "error_description": description})


def portal_error(name, message):
    return ServiceError(PORTAL_ERRORS[name], name, {"message": message})


def injected_error(rule, service):
    """The answer of a POST /_awsenv/faults rule, in the shape of `service`'s errors."""
    code = rule.get("code") or "InternalServerException"
    message = rule.get("message") or "injected by the test"
    if service == "oidc":
        body = {"error": code, "error_description": message}
    else:
        body = {"message": message}
    return ServiceError(rule["status"], code, body)


def random_text(alphabet, length):
    return "".join(secrets.choice(alphabet) for _ in range(length))


UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def check_world(world):
    """Raises ValueError unless `world` (a full world) is well-formed."""
    if not isinstance(world.get("startUrl"), str) or not world["startUrl"]:
        raise ValueError("startUrl must be a non-empty string")
    page_size = world.get("pageSize")
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise ValueError("pageSize must be an integer >= 1")
    if not isinstance(world.get("accounts"), list):
        raise ValueError("accounts must be a list")
    seen = set()
    for account in world["accounts"]:
        if not isinstance(account, dict):
            raise ValueError("each account must be an object")
        for key in ("accountId", "accountName", "emailAddress"):
            if not isinstance(account.get(key), str):
                raise ValueError(f"account {key} must be a string")
        roles = account.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError("account roles must be a list of strings")
        if account["accountId"] in seen:
            raise ValueError(f"account {account['accountId']} appears twice")
        seen.add(account["accountId"])


def check_behaviour(update):
    """Raises ValueError unless every key of `update` is a known setting of the right type."""
    for key, value in update.items():
        if key not in DEFAULT_BEHAVIOUR:
            raise ValueError(f"unknown behaviour {key!r} (known: {sorted(DEFAULT_BEHAVIOUR)})")
        if isinstance(DEFAULT_BEHAVIOUR[key], bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
        elif isinstance(DEFAULT_BEHAVIOUR[key], str):
            if not isinstance(value, str) or (
                key not in HOSTILE_TEXT_SETTINGS and any(c in value for c in "\r\n")
            ):
                raise ValueError(f"{key} must be a one-line string")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{key} must be an integer >= 0")
    if update.get("interval") == 0:
        raise ValueError("interval must be >= 1")


class StsMinter:
    """GetRoleCredentials through a real (local) STS: AssumeRole of the account's role."""

    def __init__(self, url, key_id, secret):
        import boto3  # only needed in this mode

        self.client = boto3.client(
            "sts",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
        self.lock = threading.Lock()  # boto3 clients are thread-safe, but keep calls simple

    def mint(self, account_id, role_name, duration):
        from botocore.exceptions import ClientError

        arn = f"arn:aws:iam::{account_id}:role/{role_name}"
        try:
            with self.lock:
                answer = self.client.assume_role(
                    RoleArn=arn,
                    RoleSessionName=STS_SESSION_NAME,
                    DurationSeconds=max(900, min(duration, 43200)),
                )
        except ClientError as error:
            # The real service never says why; it is still "No access" to the caller.
            print(f"sso_server: AssumeRole {arn}: {error}", file=sys.stderr, flush=True)
            raise portal_error("ForbiddenException", "No access")
        creds = answer["Credentials"]
        return {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "expiration": int(creds["Expiration"].timestamp() * 1000),
        }


class Identity:
    """Everything the server knows, behind one lock. Times are epoch seconds (time.time()),
    except the poll times of device codes (time.monotonic())."""

    def __init__(self, world, minter=None):
        self.lock = threading.Lock()
        self.start_world = json.loads(json.dumps(world))
        self.minter = minter
        self.base_url = ""  # set once the server listens
        self.reset()

    def reset(self):
        self.world = json.loads(json.dumps(self.start_world))
        self.behaviour = dict(DEFAULT_BEHAVIOUR)
        self.clients = {}  # clientId -> {"secret", "expiresAt", "scopes"}
        self.devices = {}  # deviceCode -> see start_device_authorization
        self.user_codes = {}  # userCode -> deviceCode
        self.access_tokens = {}  # token -> {"clientId", "expiresAt", "loggedOut"}
        self.refresh_tokens = {}  # token -> {"clientId", "valid"}
        self.page_tokens = {}  # nextToken -> (operation, accountId or None, offset)
        self.calls = []
        self.faults = []  # rules of POST /_awsenv/faults, each with "remaining"

    def take_fault(self, operation):
        """The first pending fault rule for `operation`, counted down; None when none."""
        for rule in self.faults:
            if rule.get("operation") in (None, operation):
                rule["remaining"] -= 1
                if rule["remaining"] == 0:
                    self.faults.remove(rule)
                return dict(rule)
        return None

    # -- sso-oidc ---------------------------------------------------------------------------

    def register_client(self, body, log):
        name = optional_string(body, "clientName")
        client_type = optional_string(body, "clientType")
        scopes = body.get("scopes")
        log.update(clientName=name, clientType=client_type, scopes=scopes)
        if name is None or client_type is None:
            raise oidc_error("InvalidRequestException", "clientName and clientType are required")
        if client_type != "public":
            # The service registers public clients only (the model documents "public").
            raise oidc_error("InvalidClientMetadataException", "Invalid client type")
        if scopes is not None and (
            not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)
        ):
            raise oidc_error("InvalidRequestException", "scopes must be a list of strings")
        now = int(time.time())
        client_id = secrets.token_urlsafe(16)
        secret = secrets.token_urlsafe(96)
        expires_at = now + self.behaviour["clientSecretExpiresIn"]
        self.clients[client_id] = {
            "secret": secret,
            "expiresAt": expires_at,
            "scopes": list(scopes or []),
        }
        # clientIdIssuedAt and clientSecretExpiresAt: LongTimeStampType, epoch seconds.
        return {
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": now,
            "clientSecretExpiresAt": expires_at,
        }

    def authenticate_client(self, body):
        """The registered client of body's clientId and clientSecret, else InvalidClient."""
        client_id = optional_string(body, "clientId")
        secret = optional_string(body, "clientSecret")
        if client_id is None or secret is None:
            raise oidc_error("InvalidRequestException", "clientId and clientSecret are required")
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client["secret"], secret):
            raise oidc_error("InvalidClientException", "Invalid client")
        if time.time() >= client["expiresAt"]:
            raise oidc_error("InvalidClientException", "Client credentials have expired")
        return client_id, client

    def start_device_authorization(self, body, log):
        start_url = optional_string(body, "startUrl")
        log.update(startUrl=start_url)
        client_id, _ = self.authenticate_client(body)
        if start_url is None:
            raise oidc_error("InvalidRequestException", "startUrl is required")
        if start_url != self.world["startUrl"]:
            raise oidc_error("InvalidRequestException", "Invalid start URL")
        device_code = secrets.token_urlsafe(48)
        while True:
            user_code = random_text(USER_CODE_ALPHABET, 4) + "-" + random_text(
                USER_CODE_ALPHABET, 4
            )
            if user_code not in self.user_codes:
                break
        interval = self.behaviour["interval"]
        expires_in = self.behaviour["deviceExpiresIn"]
        self.devices[device_code] = {
            "clientId": client_id,
            "userCode": user_code,
            "expiresAt": time.time() + expires_in,
            "interval": interval,
            "decision": None,  # "approved" or "denied"
            "polls": 0,
            "lastPoll": None,  # time.monotonic() of the previous CreateToken for this code
            "pendingGiven": 0,
            "issued": False,
            "created": time.time(),
        }
        self.user_codes[user_code] = device_code
        log.update(userCode=user_code)
        answer = {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": f"{self.base_url}/device",
            "verificationUriComplete": f"{self.base_url}/device?user_code={user_code}",
            "expiresIn": expires_in,
            "interval": interval,
        }
        for key in HOSTILE_TEXT_SETTINGS:
            if self.behaviour[key]:
                text = self.behaviour[key].replace("{base}", self.base_url)
                answer[key] = text.replace("{code}", user_code)
        return answer

    def create_token(self, body, log):
        grant_type = optional_string(body, "grantType")
        log.update(grantType=grant_type)
        client_id, client = self.authenticate_client(body)
        if grant_type is None:
            raise oidc_error("InvalidRequestException", "grantType is required")
        if grant_type == DEVICE_CODE_GRANT:
            return self.device_code_grant(body, client_id, client, log)
        if grant_type == REFRESH_TOKEN_GRANT:
            return self.refresh_token_grant(body, client_id, client)
        # authorization_code (the PKCE flow) is a real grant type, not served here.
        raise oidc_error("UnsupportedGrantTypeException", f"Unsupported grant type: {grant_type}")

    def device_code_grant(self, body, client_id, client, log):
        device_code = optional_string(body, "deviceCode")
        if device_code is None:
            raise oidc_error("InvalidRequestException", "deviceCode is required")
        device = self.devices.get(device_code)
        if device is None or device["clientId"] != client_id:
            raise oidc_error("InvalidGrantException", "Invalid device code provided")
        log.update(userCode=device["userCode"])
        if device["issued"]:
            raise oidc_error("InvalidGrantException", "Device code has already been used")
        now = time.monotonic()
        previous, device["lastPoll"] = device["lastPoll"], now
        device["polls"] += 1
        if time.time() >= device["expiresAt"]:
            raise oidc_error("ExpiredTokenException", "Device code has expired")
        if self.decision(device) == "denied":
            raise oidc_error("AccessDeniedException", "Authorization was denied")
        # RFC 8628 section 3.5: polling faster than the interval gets slow_down, and from then
        # on the client must wait 5 s longer.
        if previous is not None and now - previous < device["interval"] - POLL_SLACK:
            device["interval"] += SLOW_DOWN_STEP
            raise oidc_error("SlowDownException", "Client is polling too quickly")
        if device["polls"] <= self.behaviour["slowDownRounds"]:
            device["interval"] += SLOW_DOWN_STEP
            raise oidc_error("SlowDownException", "Client is polling too quickly")
        if (
            self.decision(device) != "approved"
            or device["pendingGiven"] < self.behaviour["pendingRounds"]
        ):
            device["pendingGiven"] += 1
            raise oidc_error("AuthorizationPendingException", "Authorization is still pending")
        device["issued"] = True
        return self.issue_token(client_id, client)

    def refresh_token_grant(self, body, client_id, client):
        refresh_token = optional_string(body, "refreshToken")
        if refresh_token is None:
            raise oidc_error("InvalidRequestException", "refreshToken is required")
        record = self.refresh_tokens.get(refresh_token)
        if record is None or not record["valid"] or record["clientId"] != client_id:
            raise oidc_error("InvalidGrantException", "Invalid refresh token provided")
        answer = self.issue_token(client_id, client)
        if "refreshToken" in answer:
            # RFC 6749 section 6: a new refresh token replaces the one the client sent.
            record["valid"] = False
        return answer

    def issue_token(self, client_id, client):
        expires_in = self.behaviour["tokenExpiresIn"]
        access_token = "aoa" + secrets.token_urlsafe(96)
        self.access_tokens[access_token] = {
            "clientId": client_id,
            "expiresAt": time.time() + expires_in,
            "loggedOut": False,
        }
        answer = {"accessToken": access_token, "tokenType": "Bearer", "expiresIn": expires_in}
        refresh = self.behaviour["issueRefreshToken"] and (
            not self.behaviour["refreshNeedsScope"] or REFRESH_SCOPE in client["scopes"]
        )
        if refresh:
            refresh_token = "aor" + secrets.token_urlsafe(96)
            self.refresh_tokens[refresh_token] = {"clientId": client_id, "valid": True}
            answer["refreshToken"] = refresh_token
        # idToken: the model has it, the service leaves it out for these grants.
        return answer

    def decision(self, device):
        if device["decision"] is None and self.behaviour["autoApprove"]:
            return "denied" if self.behaviour["deny"] else "approved"
        return device["decision"]

    def decide(self, user_code, deny=None):
        """The user's answer for a code (a /device visit): "approved" or "denied", or None
        when the code is unknown, expired or used."""
        device = self.devices.get(self.user_codes.get(normalize_user_code(user_code), ""))
        if device is None or device["issued"] or time.time() >= device["expiresAt"]:
            return None
        if device["decision"] is None:
            deny = self.behaviour["deny"] if deny is None else deny
            device["decision"] = "denied" if deny else "approved"
        return device["decision"]

    # -- sso (the portal) ------------------------------------------------------------------

    def authorize(self, headers):
        token = headers.get("x-amz-sso_bearer_token")
        record = self.access_tokens.get(token) if token else None
        if record is None or record["loggedOut"] or time.time() >= record["expiresAt"]:
            raise portal_error("UnauthorizedException", UNAUTHORIZED_MESSAGE)
        return token, record

    def account(self, account_id):
        for account in self.world["accounts"]:
            if account["accountId"] == account_id:
                return account
        return None

    def page(self, operation, account_id, items, query):
        """One page of `items`, and the nextToken of the rest (max_result, next_token)."""
        limit = self.world["pageSize"]
        max_result = query_value(query, "max_result")
        next_token = query_value(query, "next_token")
        if max_result is not None:
            # MaxResultType: integer, 1..100.
            if not max_result.isdigit() or not 1 <= int(max_result) <= 100:
                raise portal_error("InvalidRequestException", "Invalid max_result")
            limit = min(limit, int(max_result))
        offset = 0
        if next_token is not None:
            saved = self.page_tokens.get(next_token)
            if saved is None or saved[:2] != (operation, account_id):
                raise portal_error("InvalidRequestException", "Invalid next token")
            offset = saved[2]
        result = items[offset : offset + limit]
        token = None
        if offset + limit < len(items):
            token = secrets.token_urlsafe(24)
            self.page_tokens[token] = (operation, account_id, offset + limit)
        return result, token

    def list_accounts(self, headers, query):
        self.authorize(headers)
        accounts = [
            {key: a[key] for key in ("accountId", "accountName", "emailAddress")}
            for a in self.world["accounts"]
        ]
        page, token = self.page("ListAccounts", None, accounts, query)
        answer = {"accountList": page}
        if token is not None:
            answer["nextToken"] = token
        return answer

    def list_account_roles(self, headers, query):
        self.authorize(headers)
        account_id = query_value(query, "account_id")
        if not account_id:
            raise portal_error("InvalidRequestException", "account_id is required")
        account = self.account(account_id)
        if account is None:
            # An account the user is not assigned: "No access", as for GetRoleCredentials.
            raise portal_error("ForbiddenException", "No access")
        roles = [{"roleName": role, "accountId": account_id} for role in account["roles"]]
        page, token = self.page("ListAccountRoles", account_id, roles, query)
        answer = {"roleList": page}
        if token is not None:
            answer["nextToken"] = token
        return answer

    def role_credentials_check(self, headers, query):
        """Checks a GetRoleCredentials request; returns (accountId, roleName)."""
        self.authorize(headers)
        account_id = query_value(query, "account_id")
        role_name = query_value(query, "role_name")
        if not account_id or not role_name:
            raise portal_error("InvalidRequestException", "account_id and role_name are required")
        account = self.account(account_id)
        if account is None or role_name not in account["roles"]:
            raise portal_error("ForbiddenException", "No access")
        return account_id, role_name

    def random_role_credentials(self):
        expires = time.time() + self.behaviour["roleCredentialsExpiresIn"]
        return {
            "accessKeyId": "ASIA" + random_text(UPPER_DIGITS, 16),
            "secretAccessKey": random_text(SECRET_ALPHABET, 40),
            "sessionToken": "IQoJb3JpZ2luX2VjE" + secrets.token_urlsafe(180),
            # ExpirationTimestampType: a long, epoch MILLISECONDS.
            "expiration": int(expires * 1000),
        }

    def logout(self, headers):
        _, record = self.authorize(headers)
        record["loggedOut"] = True
        return None

    # -- control --------------------------------------------------------------------------

    def state(self):
        now = time.time()
        tokens = self.access_tokens.values()
        return {
            "clients": len(self.clients),
            "clientsValid": sum(now < c["expiresAt"] for c in self.clients.values()),
            "deviceAuthorizations": len(self.devices),
            "tokensIssued": len(self.access_tokens),
            "tokensValid": sum(not t["loggedOut"] and now < t["expiresAt"] for t in tokens),
            "loggedOut": sum(t["loggedOut"] for t in tokens),
            "refreshTokensValid": sum(r["valid"] for r in self.refresh_tokens.values()),
        }

    def device_authorizations(self):
        answer = []
        for device in sorted(self.devices.values(), key=lambda d: d["created"]):
            if device["issued"]:
                status = "issued"
            elif time.time() >= device["expiresAt"]:
                status = "expired"
            else:
                status = self.decision(device) or "pending"
            answer.append(
                {
                    "userCode": device["userCode"],
                    "status": status,
                    "interval": device["interval"],
                    "polls": device["polls"],
                    "expiresAt": device["expiresAt"],
                }
            )
        return answer


def fault_rule(payload):
    """A POST /_awsenv/faults body as a pending rule; ValueError when it is not one."""
    unknown = set(payload) - {"count", "status", "code", "message", "delay", "operation"}
    if unknown:
        raise ValueError(f"unknown fault keys {sorted(unknown)}")
    try:
        count = int(payload.get("count", 1))
        status = int(payload.get("status") or 0)
        delay = float(payload.get("delay") or 0)
    except (TypeError, ValueError):
        raise ValueError("count, status and delay must be numbers") from None
    if count < 1 or delay < 0 or not (status == 0 or 400 <= status <= 599):
        raise ValueError("count >= 1, delay >= 0, status 0 or 400-599")
    operation = payload.get("operation")
    known = {name for name, _ in OPERATIONS.values()}
    if operation is not None and operation not in known:
        raise ValueError(f"no operation {operation!r}; one of {sorted(known)}")
    rule = {"remaining": count, "status": status, "delay": delay}
    for key in ("code", "message", "operation"):
        if payload.get(key) is not None:
            rule[key] = str(payload[key])
    return rule


def optional_string(body, key):
    """body[key] when it is a non-empty string, None when absent; InvalidRequest otherwise."""
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise oidc_error("InvalidRequestException", f"{key} must be a string")
    return value


def query_value(query, key):
    values = query.get(key)
    return values[-1] if values else None


def normalize_user_code(text):
    """What a user types: any case, with or without the dash, spaces ignored."""
    code = "".join(str(text or "").split()).upper().replace("-", "")
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


# The portal's querystring members (locationName -> member name), as logged.
PORTAL_PARAMETERS = {
    "account_id": "accountId",
    "role_name": "roleName",
    "max_result": "maxResult",
    "next_token": "nextToken",
}

# Operations by (method, path): name, service ("oidc" errors or "portal" errors).
OPERATIONS = {
    ("POST", "/client/register"): ("RegisterClient", "oidc"),
    ("POST", "/device_authorization"): ("StartDeviceAuthorization", "oidc"),
    ("POST", "/token"): ("CreateToken", "oidc"),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", "portal"),
    ("GET", "/assignment/accounts"): ("ListAccounts", "portal"),
    ("GET", "/assignment/roles"): ("ListAccountRoles", "portal"),
    ("POST", "/logout"): ("Logout", "portal"),
}


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive (boto3 and libcurl reuse them); every answer below
    # carries a Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "awsenv-sso"

    def version_string(self):
        return self.server_version

    @property
    def identity(self):
        return self.server.identity

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds
        # the body back until the client's delayed ACK, 40 ms per call on a kept-alive
        # connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # no per-request lines, no tokens in any log
        pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, body, content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, value, headers=()):
        self.send(status, json.dumps(value).encode("utf-8"), headers=headers)

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def dispatch(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        body = self.read_body()
        try:
            if url.path.startswith("/_awsenv/"):
                self.control(url.path.rstrip("/"), body)
            elif url.path.rstrip("/") == "/device" and self.command == "GET":
                self.device_page(query)
            else:
                self.operation(url.path, query, body)
        except Exception:  # a bug here: say so, and keep serving
            traceback.print_exc()
            self.send_json(500, {"message": "sso_server.py failed: see its stderr"})

    # -- the two APIs ----------------------------------------------------------------------

    def operation(self, path, query, body):
        operation, service = OPERATIONS.get((self.command, path), (None, None))
        log = {"operation": operation or "Unknown", "time": time.time()}
        answer, error = None, None
        try:
            if operation is None:
                log.update(method=self.command, path=path)
                raise ServiceError(
                    404, "UnknownOperationException", {"message": "Unknown operation"}
                )
            if service == "oidc":
                self.inject_fault(operation, service, log)
                answer = self.oidc_operation(operation, body, log)
            else:
                # The request's querystring members (never the bearer token) go to the log.
                for parameter, key in PORTAL_PARAMETERS.items():
                    value = query_value(query, parameter)
                    if parameter == "max_result" and value is not None and value.isdigit():
                        value = int(value)
                    log[key] = value
                self.inject_fault(operation, service, log)
                answer = self.portal_operation(operation, query)
        except ServiceError as caught:
            error = caught
        log["error"] = error.name if error else None
        log["status"] = error.status if error else 200
        with self.identity.lock:
            self.identity.calls.append(
                {k: v for k, v in log.items() if v is not None or k == "error"}
            )
        if error is not None:
            with self.identity.lock:
                suffix = self.identity.behaviour["errorTypeSuffix"]
            error_type = [("x-amzn-ErrorType", error.name + suffix)]
            self.send_json(error.status, error.body, headers=error_type)
        elif answer is None:
            self.send(200, b"")  # Logout: no output shape, an empty body
        else:
            self.send_json(200, answer)

    def inject_fault(self, operation, service, log):
        """Applies the next POST /_awsenv/faults rule for `operation`, if any: its delay, then
        its error (raised), unless it only delays."""
        with self.identity.lock:
            fault = self.identity.take_fault(operation)
        if fault is None:
            return
        time.sleep(fault["delay"])  # outside the lock: other requests go on meanwhile
        if fault["status"]:
            log["faulted"] = True
            raise injected_error(fault, service)

    def oidc_operation(self, operation, body, log):
        """An sso-oidc operation: members in a JSON object body."""
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise oidc_error("InvalidRequestException", "The request body is not a JSON object")
        identity = self.identity
        handler = {
            "RegisterClient": identity.register_client,
            "StartDeviceAuthorization": identity.start_device_authorization,
            "CreateToken": identity.create_token,
        }[operation]
        with identity.lock:
            return handler(parsed, log)

    def portal_operation(self, operation, query):
        """An sso operation: members in the querystring and the x-amz-sso_bearer_token header."""
        identity = self.identity
        if operation == "GetRoleCredentials":
            with identity.lock:
                account_id, role_name = identity.role_credentials_check(self.headers, query)
                if identity.minter is None:
                    return {"roleCredentials": identity.random_role_credentials()}
                duration = identity.behaviour["roleCredentialsExpiresIn"]
            # Outside the lock: a call to STS takes a while.
            return {"roleCredentials": identity.minter.mint(account_id, role_name, duration)}
        with identity.lock:
            if operation == "ListAccounts":
                return identity.list_accounts(self.headers, query)
            if operation == "ListAccountRoles":
                return identity.list_account_roles(self.headers, query)
            return identity.logout(self.headers)

    # -- the browser side ------------------------------------------------------------------

    def device_page(self, query):
        identity = self.identity
        user_code = query_value(query, "user_code")
        log = {"operation": "DeviceVisit", "time": time.time()}
        if user_code is None:
            status, text = 200, (
                "<p>Enter the code shown by your application.</p>"
                '<form method="get" action="/device"><input name="user_code"> '
                '<button type="submit">Next</button></form>'
            )
            log["error"] = None
        else:
            with identity.lock:
                decision = identity.decide(user_code)
            log["userCode"] = normalize_user_code(user_code)
            if decision is None:
                status, text = 404, "<p>This code is not valid or has expired.</p>"
                log["error"] = "InvalidUserCode"
            else:
                status = 200
                text = (
                    "<p>Request approved. You can close this window.</p>"
                    if decision == "approved"
                    else "<p>Request denied.</p>"
                )
                log["error"] = None
                log["decision"] = decision
        log["status"] = status
        with identity.lock:
            identity.calls.append(log)
        page = (
            "<!DOCTYPE html><html><head><title>AWS access portal (awsenv test)</title></head>"
            f"<body><h1>Authorize request</h1>{text}</body></html>"
        )
        self.send(status, page.encode("utf-8"), content_type="text/html; charset=utf-8")

    # -- the test hooks --------------------------------------------------------------------

    def control(self, path, body):
        identity = self.identity
        method = self.command
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            return self.send_json(400, {"message": "the body is not JSON"})
        if method == "POST" and not isinstance(payload, dict):
            return self.send_json(400, {"message": "the body must be a JSON object"})
        with identity.lock:
            if (method, path) == ("GET", "/_awsenv/calls"):
                return self.send_json(200, identity.calls)
            if (method, path) == ("POST", "/_awsenv/calls/reset"):
                identity.calls = []
                return self.send_json(200, {"status": "ok"})
            if (method, path) == ("GET", "/_awsenv/behaviour"):
                return self.send_json(200, identity.behaviour)
            if (method, path) == ("POST", "/_awsenv/behaviour"):
                try:
                    check_behaviour(payload)
                except ValueError as error:
                    return self.send_json(400, {"message": str(error)})
                identity.behaviour.update(payload)
                return self.send_json(200, identity.behaviour)
            if (method, path) == ("GET", "/_awsenv/world"):
                return self.send_json(200, identity.world)
            if (method, path) == ("POST", "/_awsenv/world"):
                world = dict(identity.world)
                world.update(payload)
                try:
                    unknown = set(payload) - set(DEFAULT_WORLD)
                    if unknown:
                        raise ValueError(f"unknown world keys {sorted(unknown)}")
                    check_world(world)
                except ValueError as error:
                    return self.send_json(400, {"message": str(error)})
                identity.world = json.loads(json.dumps(world))
                return self.send_json(200, identity.world)
            if (method, path) == ("POST", "/_awsenv/approve"):
                deny = payload.get("deny")
                if deny is not None and not isinstance(deny, bool):
                    return self.send_json(400, {"message": "deny must be true or false"})
                decision = identity.decide(payload.get("userCode"), deny)
                if decision is None:
                    return self.send_json(404, {"message": "no such pending user code"})
                return self.send_json(200, {"decision": decision})
            if (method, path) == ("POST", "/_awsenv/expire-tokens"):
                expired = time.time() - 1
                for record in identity.access_tokens.values():
                    record["expiresAt"] = min(record["expiresAt"], expired)
                return self.send_json(200, identity.state())
            if (method, path) == ("POST", "/_awsenv/expire-clients"):
                expired = int(time.time()) - 1
                for client in identity.clients.values():
                    client["expiresAt"] = min(client["expiresAt"], expired)
                return self.send_json(200, identity.state())
            if (method, path) == ("GET", "/_awsenv/state"):
                return self.send_json(200, identity.state())
            if (method, path) == ("GET", "/_awsenv/device-authorizations"):
                return self.send_json(200, identity.device_authorizations())
            if (method, path) == ("GET", "/_awsenv/faults"):
                return self.send_json(200, identity.faults)
            if (method, path) == ("DELETE", "/_awsenv/faults"):
                identity.faults = []
                return self.send_json(200, {"status": "ok"})
            if (method, path) == ("POST", "/_awsenv/faults"):
                try:
                    rule = fault_rule(payload)
                except ValueError as error:
                    return self.send_json(400, {"message": str(error)})
                identity.faults.append(rule)
                return self.send_json(200, {"status": "ok"})
            if (method, path) == ("POST", "/_awsenv/reset"):
                identity.reset()
                return self.send_json(200, {"status": "ok"})
        return self.send_json(404, {"message": f"no control endpoint {method} {path}"})


def main():
    parent = os.getppid()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--world", help="a JSON file with the world (default: DEFAULT_WORLD)")
    parser.add_argument("--exit-with-parent", action="store_true")
    parser.add_argument("--sts-url", help="mint role credentials by AssumeRole at this STS")
    parser.add_argument("--sts-key-id")
    parser.add_argument("--sts-secret")
    args = parser.parse_args()

    world = json.loads(json.dumps(DEFAULT_WORLD))
    if args.world:
        with open(args.world, encoding="utf-8") as file:
            world.update(json.load(file))
        check_world(world)
    minter = None
    if args.sts_url:
        if not args.sts_key_id or not args.sts_secret:
            parser.error("--sts-url needs --sts-key-id and --sts-secret")
        minter = StsMinter(args.sts_url, args.sts_key_id, args.sts_secret)

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.identity = Identity(world, minter)
    host, port = server.server_address[:2]
    server.identity.base_url = f"http://{host}:{port}"

    serving.serve(server, port, parent if args.exit_with_parent else None)


if __name__ == "__main__":
    main()
