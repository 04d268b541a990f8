#!/usr/bin/env python3
"""A local STS for the tests: moto's own server application on loopback, plus a few test hooks.

    python3 Tests/harness/sts_server.py [--host 127.0.0.1] [--port 0] [--pure-moto]
                                        [--exit-with-parent]

Prints `READY <port>` on stdout once it listens (port 0, the default, picks a free port), then
serves until SIGTERM or SIGINT (or, with --exit-with-parent, until the process that started it
is gone: a test run that crashes leaves no server behind). The application is the one
`moto_server` serves (moto.moto_server.werkzeug_app.DomainDispatcherApplication), threaded,
wrapped in a WSGI middleware that adds:

    GET    /_awsenv/calls        {"AssumeRole": 2, "GetCallerIdentity": 1, "faulted": 1}: STS
                                 requests by Action (whatever the answer), except those answered
                                 by an injected fault: they are counted under "faulted" instead
    POST   /_awsenv/calls/reset  zeroes the counts
    POST   /_awsenv/faults       {"count": N, "status": 503, "code": "ServiceUnavailable",
                                 "message": "...", "delay": 0.5, "action": "AssumeRole"}: the next
                                 N matching STS requests (all actions when "action" is absent) get
                                 that status and an STS ErrorResponse body, after sleeping "delay"
                                 seconds. Without "status" (or 0) a matching request is only
                                 delayed, then passed to moto. With "body" (text, sent as
                                 UTF-8) the answer is that body instead of an ErrorResponse, with
                                 "content_type" (default text/xml) and "status" 200-599 (default
                                 200): a broken proxy, a truncated or hostile document. Rules
                                 queue up in order. With "service": "iam" a rule applies to
                                 IAM requests (signed for iam) instead, which are counted as
                                 "iam:ACTION"; moto's IAM error bodies are left in its own
                                 <ErrorResponse><Errors><Error> form.
    GET    /_awsenv/faults       the rules still pending
    DELETE /_awsenv/faults       drops every pending rule
    GET    /_awsenv/info         {"pure_moto": false}

moto's SigV4 checking is switched with moto's own endpoint: POST /moto-api/reset-auth with the
body `0` (on) or `inf` (off), Content-Type text/plain (sts_setup.py auth on|off does it).

Where moto 5.2.1 (with checking on) is not faithful enough for awsenv's tests, this server patches
it, unless --pure-moto:
  0. Error bodies: moto answers <ErrorResponse><Errors><Error>… as text/html without RequestId;
     here STS errors have STS's shape (ErrorResponse/Error/Type,Code,Message + RequestId, text/xml).
  1. Unsigned calls: moto answers every unsigned STS call with an HTML 500 (KeyError
     'Authorization') while checking is on. Here AssumeRoleWithSAML and
     AssumeRoleWithWebIdentity pass unsigned, as in STS, and are checked: the role must exist and
     trust the federated principal (the PrincipalArn SAML provider, which must exist and be
     paired with the role in the assertion's Role attribute; the OIDC provider of the token's
     "iss", which must exist and list its "aud"); conditions on SAML:aud (the assertion's
     Recipient or Destination), HOST:aud, HOST:sub. A token that is not JWT-shaped or is past
     its "exp" is refused (InvalidIdentityToken, ExpiredTokenException); no signature is checked.
     Any other unsigned STS call (moto routes it to S3) gets 403 MissingAuthenticationToken,
     whether checking is on or off.
  2. AssumeRole trust policies: moto matches a principal only by the exact caller ARN (a
     substring of a string Principal also passes), denies when any statement names another
     principal, treats a matching Deny as Allow, knows only StringEquals on sts:ExternalId, lets
     a missing ExternalId through, and skips the trust check of a role that does not exist.
     Here: the caller's ARN, "*", the account (root ARN or id), and a role's ARN for its
     sessions; a matching Deny wins; a role that does not exist is AccessDenied;
     String*/Bool/Arn*/Null operators (…IfExists) on sts:ExternalId, sts:RoleSessionName,
     aws:PrincipalArn and aws:MultiFactorAuthPresent ("true" when the call carries SerialNumber
     and TokenCode); a missing key fails the condition; an unknown operator fails closed.
  3. MFA: moto ignores SerialNumber/TokenCode. Here, with checking on, a call that carries them
     (AssumeRole, GetSessionToken) needs the caller's own MFA device and, for a virtual device,
     its current TOTP code (RFC 6238, one 30 s period either side), else 403 AccessDenied with
     STS's messages ("MultiFactorAuthentication failed with invalid MFA one time pass code." for
     a wrong code, "…unable to validate MFA code…" for a serial that is not the caller's).
  4. GetSessionToken: moto hands out the fixed documentation keys (AKIAIOSFODNN7EXAMPLE), which
     its own checking rejects. Here an IAM user's call gets fresh temporary credentials (ASIA…,
     Expiration now + DurationSeconds, default 43200, 900..129600 else 400 ValidationError),
     stored with moto's assumed-role sessions (STSBackend.assumed_roles, key from
     IAMBackend.create_temp_access_key) and authenticated by moto's own code for those
     (AssumedRoleAccessKey: the key, then X-Amz-Security-Token, then SigV4), so a wrong or
     missing token gets what it gets for a role session (403 InvalidClientTokenId). Calls made
     with them are the user's (GetCallerIdentity: the user's ARN and id; the user's policies;
     trust policies match the user's ARN) and carry aws:MultiFactorAuthPresent "true" when the
     session was made with SerialNumber + TokenCode (checked as in 3), else "false". With
     checking on, GetSessionToken and GetFederationToken signed with temporary credentials are
     403 AccessDenied "Cannot call GetSessionToken with session credentials", as in STS. A caller
     whose key is no IAM user's (possible only with checking off) still gets moto's answer.
  5. GetFederationToken: moto hands out the same documentation keys. Here an IAM user's call gets
     fresh temporary credentials kept like 4.'s (Name: 2 to 32 of [A-Za-z0-9_+=,.@-], else 400
     ValidationError; DurationSeconds 900..129600, default 43200); calls made with them have the
     federated user's ARN (GetCallerIdentity: arn:aws:sts::ACCOUNT:federated-user/NAME, user id
     ACCOUNT:NAME) and the IAM user's policies (the session policy is not intersected).
Unchanged in both modes: the caller needs an identity policy allowing the sts action even when a
trust policy names it (moto's rule); no clock skew checks, and no expiry check of temporary
credentials (moto accepts an assumed role's, and so a GetSessionToken session's, after its
Expiration); with checking off, nothing is checked at all.

No request bodies, keys or tokens are logged; werkzeug's per-request log lines are off.
"""

import argparse
import base64
import hashlib
import hmac
import io
import json
import logging
import os
import re
import struct
import threading
import time
import uuid
from urllib.parse import parse_qs

import serving  # Tests/harness/serving.py

STS_ACTIONS = {
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "AssumeRoot",
    "DecodeAuthorizationMessage",
    "GetAccessKeyInfo",
    "GetCallerIdentity",
    "GetDelegatedAccessToken",
    "GetFederationToken",
    "GetSessionToken",
    "GetWebIdentityToken",
}
UNSIGNED_ACTIONS = {"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"}
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


def xml_escape(text):
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def signing_service(environ):
    """The service of a SigV4 Authorization header's credential scope, or None."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" not in auth:
        return None
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
    return scope[3].lower() if len(scope) >= 5 else None


class AwsenvMiddleware:
    """Counts STS requests, injects faults, and answers /_awsenv/ itself."""

    def __init__(self, app, pure_moto):
        self.app = app
        self.pure_moto = pure_moto
        self.lock = threading.Lock()
        self.counts = {}
        self.faults = []  # dicts with "remaining" and the rule's fields

    # -- the STS side ------------------------------------------------------------------------

    def read_body(self, environ):
        """Reads the request body and puts an equivalent stream back for moto."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = environ.get("wsgi.input")
        if stream is None:
            return b""
        if length > 0:
            body = stream.read(length)
        elif environ.get("wsgi.input_terminated"):
            body = stream.read()
        else:
            return b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return body

    def sts_action(self, environ):
        """The Action of an STS request (form body or query string), else None."""
        params = parse_qs(environ.get("QUERY_STRING", ""))
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            body = self.read_body(environ)
            try:
                params.update(parse_qs(body.decode("utf-8")))
            except UnicodeDecodeError:
                pass
        action = (params.get("Action") or [None])[0]
        if not action:
            return None
        service = signing_service(environ)
        if service == "sts" or (service is None and action in STS_ACTIONS):
            return action
        if service == "iam":
            environ["awsenv.iam_action"] = action
        return None

    def take_fault(self, action, service="sts"):
        with self.lock:
            for rule in self.faults:
                if (
                    rule["remaining"] > 0
                    and rule.get("service", "sts") == service
                    and rule.get("action") in (None, action)
                ):
                    rule["remaining"] -= 1
                    if rule["remaining"] == 0:
                        self.faults.remove(rule)
                    return dict(rule)
        return None

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def fault_response(self, rule, start_response):
        status = int(rule["status"])
        kind = "Receiver" if status >= 500 else "Sender"
        request_id = str(uuid.uuid4())
        content_type = rule.get("content_type") or "text/xml"
        body = rule["body"].encode("utf-8") if "body" in rule else (
            f'<ErrorResponse xmlns="{STS_NAMESPACE}">'
            f"<Error><Type>{kind}</Type>"
            f"<Code>{xml_escape(rule.get('code') or 'InternalFailure')}</Code>"
            f"<Message>{xml_escape(rule.get('message') or 'injected by the test')}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode("utf-8")
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error"}
        reason.update({502: "Bad Gateway", 503: "Service Unavailable", 429: "Too Many Requests"})
        start_response(
            f"{status} {reason.get(status, 'Error')}",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("x-amzn-RequestId", request_id),
            ],
        )
        return [body]

    # -- the control endpoints ---------------------------------------------------------------

    def json_response(self, start_response, value, status="200 OK"):
        body = json.dumps(value, sort_keys=True).encode("utf-8")
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    def control(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").rstrip("/")
        if path == "/_awsenv/info" and method == "GET":
            return self.json_response(start_response, {"pure_moto": self.pure_moto})
        if path == "/_awsenv/calls" and method == "GET":
            with self.lock:
                return self.json_response(start_response, dict(self.counts))
        if path == "/_awsenv/calls/reset" and method == "POST":
            with self.lock:
                self.counts.clear()
            return self.json_response(start_response, {"status": "ok"})
        if path == "/_awsenv/faults" and method == "GET":
            with self.lock:
                return self.json_response(start_response, list(self.faults))
        if path == "/_awsenv/faults" and method == "DELETE":
            with self.lock:
                self.faults.clear()
            return self.json_response(start_response, {"status": "ok"})
        if path == "/_awsenv/faults" and method == "POST":
            try:
                rule = json.loads(self.read_body(environ) or b"{}")
                count = int(rule.get("count", 1))
                delay = float(rule.get("delay") or 0)
                if rule.get("body") is not None:
                    status = int(rule.get("status") or 200)
                    if not 200 <= status <= 599:
                        raise ValueError("status 200-599 with a body")
                else:
                    status = int(rule.get("status") or 0)
                    if not (status == 0 or 400 <= status <= 599):
                        raise ValueError("status 0 or 400-599")
                if count < 1 or delay < 0:
                    raise ValueError("count >= 1, delay >= 0")
            except (ValueError, TypeError, AttributeError) as error:
                return self.json_response(
                    start_response, {"error": str(error)}, "400 Bad Request"
                )
            entry = {"remaining": count, "status": status, "delay": delay}
            for key in ("code", "message", "action", "body", "content_type", "service"):
                if rule.get(key) is not None:
                    entry[key] = str(rule[key])
            with self.lock:
                self.faults.append(entry)
            return self.json_response(start_response, {"status": "ok"})
        return self.json_response(start_response, {"error": "no such endpoint"}, "404 Not Found")

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/_awsenv/"):
            return self.control(environ, start_response)
        action = self.sts_action(environ)
        if action is not None:
            rule = self.take_fault(action)
            if rule is not None:
                if rule["delay"] > 0:
                    time.sleep(rule["delay"])
                if rule["status"]:
                    self.count("faulted")
                    return self.fault_response(rule, start_response)
            self.count(action)
            signed = "HTTP_AUTHORIZATION" in environ or "X-Amz-Signature=" in environ.get(
                "QUERY_STRING", ""
            )
            if not self.pure_moto and not signed and action not in UNSIGNED_ACTIONS:
                # moto would route this to its S3 backend; STS refuses it.
                missing = {"status": 403, "code": "MissingAuthenticationToken"}
                missing["message"] = "Request is missing Authentication Token"
                return self.fault_response(missing, start_response)
            if not self.pure_moto:
                return self.sts_shaped(environ, start_response)
        iam_action = environ.get("awsenv.iam_action")
        if iam_action is not None:
            rule = self.take_fault(iam_action, service="iam")
            if rule is not None:
                if rule["delay"] > 0:
                    time.sleep(rule["delay"])
                if rule["status"]:
                    self.count("faulted")
                    return self.fault_response(rule, start_response)
            self.count("iam:" + iam_action)
        return self.app(environ, start_response)

    def sts_shaped(self, environ, start_response):
        """Passes the request to moto, and rewrites moto's error bodies
        (<ErrorResponse><Errors><Error>…, Content-Type text/html) into STS's own shape."""
        answer = {}

        def capture(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = answer["status"], answer["headers"]
        code = int(status.split()[0])
        if code >= 400 and b"<Errors>" in body:
            import xml.etree.ElementTree as ElementTree

            try:
                error = ElementTree.fromstring(body).find("Errors/Error")
            except ElementTree.ParseError:
                error = None
            if error is not None:
                request_id = next(
                    (v for k, v in headers if k.lower() == "x-amzn-requestid"), str(uuid.uuid4())
                )
                kind = error.findtext("Type") or ("Receiver" if code >= 500 else "Sender")
                body = (
                    f'<ErrorResponse xmlns="{STS_NAMESPACE}"><Error><Type>{kind}</Type>'
                    f"<Code>{xml_escape(error.findtext('Code') or '')}</Code>"
                    f"<Message>{xml_escape(error.findtext('Message') or '')}</Message>"
                    f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
                ).encode("utf-8")
                replaced = ("content-type", "content-length")
                headers = [(k, v) for k, v in headers if k.lower() not in replaced]
                headers += [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]


def first(data, key):
    """A request parameter from moto's querystring dict (lists of values)."""
    value = data.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def totp(seed, at=None, step=0):
    """The RFC 6238 code (SHA-1, 30 s, 6 digits) of a base32 seed at a time, `step` periods off."""
    key = base64.b32decode(seed + "=" * (-len(seed) % 8))
    counter = int((time.time() if at is None else at) // 30) + step
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def glob_matches(pattern, text, ignore_case=False):
    regex = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in str(pattern)
    )
    return re.fullmatch(regex, text, re.IGNORECASE if ignore_case else 0) is not None


def as_list(value):
    return value if isinstance(value, list) else [value]


def action_matches(statement, action):
    if "NotAction" in statement:
        return not any(glob_matches(a, action, True) for a in as_list(statement["NotAction"]))
    return any(glob_matches(a, action, True) for a in as_list(statement.get("Action", [])))


ASSUMED_ROLE = re.compile(r"arn:([\w-]+):sts::(\d{12}):assumed-role/([^/]+)/.+")
IAM_ENTITY = re.compile(r"arn:([\w-]+):iam::(\d{12}):.+")


def principal_matches(statement, principal, kind="AWS"):
    """AWS principal matching: the exact ARN, "*", the account (root ARN or id) of the caller,
    and for a role session arn:aws:sts::A:assumed-role/R/S also the role's ARN. A "Federated"
    principal (SAML or OIDC provider ARN) matches exactly."""
    expected = statement.get("Principal")
    if expected == "*":
        return True
    if not isinstance(expected, dict) or kind not in expected:
        return False
    if kind != "AWS":
        return principal in as_list(expected[kind])
    assumed = ASSUMED_ROLE.fullmatch(principal)
    entity = assumed or IAM_ENTITY.fullmatch(principal)
    for value in as_list(expected["AWS"]):
        if value in ("*", principal):
            return True
        root = f"arn:{entity.group(1)}:iam::{entity.group(2)}:root" if entity else None
        if entity and value in (entity.group(2), root):
            return True
        role = IAM_ENTITY.fullmatch(value)
        if assumed and role and value.split(":", 5)[5].startswith("role/"):
            same_account = role.group(2) == assumed.group(2)
            if same_account and value.rsplit("/", 1)[1] == assumed.group(3):
                return True
    return False


def condition_holds(operator, key, expected, context):
    """One condition key of an operator (…IfExists and the Null operator included)."""
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    base = operator[: -len("IfExists")] if operator.endswith("IfExists") else operator
    wanted = [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(expected)]
    if base == "Null":
        return (actual is None) == (wanted[0].lower() == "true")
    negated = base in ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike")
    if actual is None:
        return operator.endswith("IfExists") or negated
    tests = {
        "StringEquals": lambda w: actual == w,
        "StringNotEquals": lambda w: actual == w,
        "StringEqualsIgnoreCase": lambda w: actual.lower() == w.lower(),
        "StringNotEqualsIgnoreCase": lambda w: actual.lower() == w.lower(),
        "StringLike": lambda w: glob_matches(w, actual),
        "StringNotLike": lambda w: glob_matches(w, actual),
        "Bool": lambda w: actual.lower() == w.lower(),
        "ArnEquals": lambda w: glob_matches(w, actual),
        "ArnLike": lambda w: glob_matches(w, actual),
    }
    if base not in tests:
        return False  # an operator this fake does not know: fail closed, never silently allow
    hit = any(tests[base](w) for w in wanted)
    return not hit if negated else hit


def trust_allows(document, action, principal, context, kind="AWS"):
    """Evaluates a role's trust policy: a matching Deny wins, else some matching Allow."""
    statements = as_list(document.get("Statement", []))
    allowed = False
    for statement in statements:
        if not action_matches(statement, action):
            continue
        if not principal_matches(statement, principal, kind):
            continue
        conditions = statement.get("Condition") or {}
        if not all(
            condition_holds(operator, key, expected, context)
            for operator, block in conditions.items()
            for key, expected in block.items()
        ):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def b64url_json(text):
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def web_identity_facts(token):
    """(issuer host, claims) of a JWT-shaped token, or None; the signature is not checked."""
    parts = token.split(".")
    try:
        claims = b64url_json(parts[1]) if len(parts) == 3 else None
    except ValueError:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        return None
    host = re.sub(r"^https://", "", claims["iss"]).rstrip("/")
    return host, claims


def saml_facts(encoded):
    """(the Role attribute's role,provider pairs, audience) of a base64 SAML Response, or None."""
    import xml.etree.ElementTree as ElementTree

    assertion_ns = "{urn:oasis:names:tc:SAML:2.0:assertion}"
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except (ValueError, ElementTree.ParseError):
        return None
    pairs = set()
    for attribute in root.iter(f"{assertion_ns}Attribute"):
        if attribute.get("Name") == "https://aws.amazon.com/SAML/Attributes/Role":
            for value in attribute.iter(f"{assertion_ns}AttributeValue"):
                pairs.add(frozenset(part.strip() for part in (value.text or "").split(",")))
    audience = None
    for confirmation in root.iter(f"{assertion_ns}SubjectConfirmationData"):
        audience = audience or confirmation.get("Recipient")
    return pairs, audience or root.get("Destination")


def install_fidelity_patches():
    """Makes moto 5.2.1 behave like STS where the tests need it (see the module docstring)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import _RESTError
    from moto.core.responses import ActionResult
    from moto.iam import access_control
    from moto.iam.access_control import AssumedRoleAccessKey, IAMRequestBase, IAMUserAccessKey
    from moto.iam.models import iam_backends
    from moto.sts.models import AssumedRole, sts_backends
    from moto.sts.responses import TokenResponse
    from moto.utilities.utils import get_partition

    class STSError(_RESTError):
        def __init__(self, status, code, message):
            super().__init__(code, message)
            self.code = status

    def checking():
        limit = settings.INITIAL_NO_AUTH_ACTION_COUNT
        return ActionAuthenticatorMixin.request_count >= limit

    def mfa_failed():
        message = "MultiFactorAuthentication failed with invalid MFA one time pass code."
        return STSError(403, "AccessDenied", message)

    def mfa_serial_failed():
        message = (
            "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your"
            " MFA serial number is valid and associated with this user."
        )
        return STSError(403, "AccessDenied", message)

    def denied(action):
        return STSError(403, "AccessDenied", f"Not authorized to perform {action}")

    def federated_role(response, action):
        try:
            iam = iam_backends[response.current_account][response.partition]
            role = iam.get_role_by_arn(response._get_param("RoleArn"))
        except Exception:
            raise denied(action)
        return iam, json.loads(role.assume_role_policy_document)

    def check_web_identity(response):
        action = "sts:AssumeRoleWithWebIdentity"
        facts = web_identity_facts(response._get_param("WebIdentityToken") or "")
        if facts is None:
            raise STSError(
                400, "InvalidIdentityToken", "The ID Token provided is not a valid JWT."
            )
        host, claims = facts
        if isinstance(claims.get("exp"), (int, float)) and claims["exp"] < time.time():
            raise STSError(400, "ExpiredTokenException", "Token expired")
        iam, trust = federated_role(response, action)
        provider = iam.open_id_providers.get(
            f"arn:{response.partition}:iam::{response.current_account}:oidc-provider/{host}"
        )
        if provider is None:
            raise STSError(
                400, "InvalidIdentityToken", f"No OpenIDConnect provider found for {claims['iss']}"
            )
        audiences = as_list(claims.get("aud"))
        if not set(map(str, audiences)) & set(provider.client_id_list):
            raise STSError(400, "InvalidIdentityToken", "Incorrect token audience")
        context = {f"{host}:aud": str(audiences[0]), f"{host}:sub": str(claims.get("sub"))}
        context["sts:RoleSessionName"] = response._get_param("RoleSessionName")
        if not trust_allows(trust, action, provider.arn, context, "Federated"):
            raise denied(action)

    def check_saml(response):
        action = "sts:AssumeRoleWithSAML"
        facts = saml_facts(response._get_param("SAMLAssertion") or "")
        if facts is None:
            raise STSError(400, "InvalidIdentityToken", "The SAML assertion is not valid.")
        pairs, audience = facts
        iam, trust = federated_role(response, action)
        provider = response._get_param("PrincipalArn")
        if provider not in [p.arn for p in iam.saml_providers.values()]:
            raise STSError(400, "InvalidIdentityToken", f"No SAML provider {provider}")
        if frozenset((response._get_param("RoleArn"), provider)) not in pairs:
            raise denied(action)
        context = {"SAML:aud": audience} if audience else {}
        if not trust_allows(trust, action, provider, context, "Federated"):
            raise denied(action)

    # GetSessionToken's sessions (4.), defined first: 2. and 3. know them.
    class UserSession(AssumedRole):
        """GetSessionToken's credentials: an AssumedRole record (so that moto's lookups of
        temporary keys find it) whose identity is the IAM user who asked for it."""

        __module__ = AssumedRole.__module__  # moto files its models by their module's service

        def __init__(self, user, region, duration, mfa):
            iam = iam_backends[user.account_id][get_partition(region)]
            super().__init__(
                account_id=user.account_id,
                region_name=region,
                access_key=iam.create_temp_access_key(),
                role_session_name=user.name,
                role_arn=user.arn,
                policy=None,
                duration=duration,
                external_id=None,
            )
            self.user = user
            self.mfa = mfa

        @property
        def user_id(self):
            return self.user.id

        @property
        def arn(self):
            return self.user.arn

    class UserSessionAccessKey(AssumedRoleAccessKey):
        """moto's AssumedRoleAccessKey (it finds the record and checks the session token), with
        the user's ARN and identity policies, and the session's MFA."""

        def __init__(self, account_id, partition, access_key_id, headers):
            super().__init__(account_id, partition, access_key_id, headers)
            session = sts_backends[account_id][partition].get_assumed_role_from_access_key(
                access_key_id
            )
            self._owner_user_name = session.user.name
            self._user_arn = session.arn
            self.mfa = session.mfa

        @property
        def arn(self):
            return self._user_arn

        collect_policies = IAMUserAccessKey.collect_policies

    create_key = access_control.create_access_key

    def create_access_key(account_id, partition, access_key_id, headers):
        if "X-Amz-Security-Token" in headers and not access_key_id.startswith("AKIA"):
            backend = sts_backends[account_id][partition]
            if isinstance(backend.get_assumed_role_from_access_key(access_key_id), UserSession):
                return UserSessionAccessKey(account_id, partition, access_key_id, headers)
        return create_key(account_id, partition, access_key_id, headers)

    access_control.create_access_key = create_access_key

    # 1. AssumeRoleWithSAML and AssumeRoleWithWebIdentity are unsigned calls, checked against
    #    the role's trust policy; any other unsigned call is refused as STS does.
    checked = TokenResponse._authenticate_and_authorize_normal_action

    def authenticate(self, resource="*"):
        if "Authorization" in self.headers or not checking():
            return checked(self, resource)
        action = self._get_action()
        if action == "AssumeRoleWithWebIdentity":
            return check_web_identity(self)
        if action == "AssumeRoleWithSAML":
            return check_saml(self)
        raise STSError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")

    TokenResponse._authenticate_and_authorize_normal_action = authenticate

    # 2. Trust policies evaluated as IAM does (principals, Deny, conditions); a role that does
    #    not exist cannot be assumed.
    def is_assuming_role(self, resource_arn):
        return self._action == "sts:AssumeRole" and ":role/" in resource_arn

    IAMRequestBase._is_assuming_role_operation = is_assuming_role

    def check_trust(self, role_arn):
        try:
            role = self.backend.get_role_by_arn(role_arn)
        except Exception:
            return False
        principal = self._access_key.arn
        context = {"aws:PrincipalArn": principal}
        for parameter, key in (
            ("ExternalId", "sts:ExternalId"),
            ("RoleSessionName", "sts:RoleSessionName"),
        ):
            if first(self._data, parameter) is not None:
                context[key] = first(self._data, parameter)
        if first(self._data, "SerialNumber") and first(self._data, "TokenCode"):
            context["aws:MultiFactorAuthPresent"] = "true"  # the code is checked below
        elif isinstance(self._access_key, UserSessionAccessKey):
            context["aws:MultiFactorAuthPresent"] = "true" if self._access_key.mfa else "false"
        elif ASSUMED_ROLE.fullmatch(principal):
            context["aws:MultiFactorAuthPresent"] = "false"
        trust = json.loads(role.assume_role_policy_document)
        return trust_allows(trust, self._action, principal, context)

    IAMRequestBase._check_role_trust_relationship = check_trust

    # 3. SerialNumber + TokenCode (AssumeRole, GetSessionToken): the caller's own MFA device, and
    #    the current TOTP code of a virtual device's seed (one 30 s period either side).
    #    Temporary credentials cannot ask for a session (4.).
    permitted = IAMRequestBase.check_action_permitted

    def check_permitted(self, resource):
        if self._action in ("sts:GetSessionToken", "sts:GetFederationToken") and isinstance(
            self._access_key, AssumedRoleAccessKey
        ):
            name = self._action.split(":", 1)[1]
            raise STSError(403, "AccessDenied", f"Cannot call {name} with session credentials")
        permitted(self, resource)
        serial = first(self._data, "SerialNumber")
        if serial is None:
            return
        code = first(self._data, "TokenCode") or ""
        user = getattr(self._access_key, "_owner_user_name", None)
        if user is None or serial not in self.backend.get_user(user).mfa_devices:
            raise mfa_serial_failed()
        device = self.backend.virtual_mfa_devices.get(serial)
        valid = [totp(device.base32_string_seed, step=s) for s in (-1, 0, 1)] if device else None
        if not re.fullmatch(r"\d{6}", code) or (valid is not None and code not in valid):
            raise mfa_failed()

    IAMRequestBase.check_action_permitted = check_permitted

    # 4. GetSessionToken: a session of the calling IAM user, kept and authenticated the way moto
    #    keeps and authenticates an assumed role's session.
    moto_session_token = TokenResponse.get_session_token

    def get_session_token(self):
        duration = self._get_int_param("DurationSeconds", 43200)
        if not 900 <= duration <= 129600:
            side, bound = ("greater", 900) if duration < 900 else ("less", 129600)
            raise STSError(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to"
                f" satisfy constraint: Member must have value {side} than or equal to {bound}",
            )
        iam = iam_backends[self.current_account][self.partition]
        user = iam.get_user_from_access_key_id(self.get_access_key())
        if user is None:
            return moto_session_token(self)
        mfa = bool(self._get_param("SerialNumber") and self._get_param("TokenCode"))
        session = UserSession(user, self.region, duration, mfa)
        sts_backends[user.account_id][self.partition].assumed_roles.append(session)
        credentials = {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expiration,
        }
        return ActionResult({"Credentials": credentials})

    TokenResponse.get_session_token = get_session_token

    # 5. GetFederationToken: a session of the calling IAM user as a federated user, kept like 4.
    class FederationSession(UserSession):
        __module__ = AssumedRole.__module__

        def __init__(self, user, region, duration, name):
            super().__init__(user, region, duration, mfa=False)
            self.federated_name = name

        @property
        def user_id(self):
            return f"{self.user.account_id}:{self.federated_name}"

        @property
        def arn(self):
            partition = get_partition(self.region_name)
            account = self.user.account_id
            return f"arn:{partition}:sts::{account}:federated-user/{self.federated_name}"

    moto_federation_token = TokenResponse.get_federation_token

    def get_federation_token(self):
        duration = self._get_int_param("DurationSeconds", 43200)
        name = self._get_param("Name") or ""
        if not re.fullmatch(r"[\w+=,.@-]{2,32}", name, re.ASCII):
            raise STSError(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{name}' at 'name' failed to satisfy"
                " constraint: Member must have length less than or equal to 32 and match"
                " [\\w+=,.@-]*",
            )
        if not 900 <= duration <= 129600:
            raise STSError(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to"
                " satisfy constraint: Member must be between 900 and 129600",
            )
        iam = iam_backends[self.current_account][self.partition]
        user = iam.get_user_from_access_key_id(self.get_access_key())
        if user is None:
            return moto_federation_token(self)
        session = FederationSession(user, self.region, duration, name)
        sts_backends[user.account_id][self.partition].assumed_roles.append(session)
        credentials = {
            "AccessKeyId": session.access_key_id,
            "SecretAccessKey": session.secret_access_key,
            "SessionToken": session.session_token,
            "Expiration": session.expiration,
        }
        federated = {"FederatedUserId": session.user_id, "Arn": session.arn}
        return ActionResult(
            {"Credentials": credentials, "FederatedUser": federated, "PackedPolicySize": 6}
        )

    TokenResponse.get_federation_token = get_federation_token


def main():
    parent = os.getppid()  # before the slow imports
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--pure-moto", action="store_true")
    parser.add_argument("--exit-with-parent", action="store_true")
    args = parser.parse_args()

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if not args.pure_moto:
        install_fidelity_patches()

    app = AwsenvMiddleware(DomainDispatcherApplication(create_backend_app), args.pure_moto)
    server = make_server(args.host, args.port, app, threaded=True)

    serving.serve(server, server.server_address[1], parent if args.exit_with_parent else None)


if __name__ == "__main__":
    main()
