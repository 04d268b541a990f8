#!/usr/bin/env python3
"""Checks sso_server.py against boto3's own sso-oidc and sso clients.

    python3 Tests/harness/sso_boto3_check.py URL

URL is a running sso_server.py ("http://127.0.0.1:PORT"). Resets it (POST /_awsenv/reset), sets
its own world, then drives every operation through boto3 (endpoint_url=URL, us-east-1, one
attempt, no retries) and checks what botocore makes of each answer: the parsed fields and their
types, and for each error the code (e.response["Error"]["Code"]), the HTTP status and the
modeled members botocore copies into e.response ("error"/"error_description" for sso-oidc,
"message" for sso). A few requests that botocore would refuse to send (missing required members,
max_result out of range) go over plain HTTP. Last, the call log must list exactly the calls
made, in order, with their errors, and hold none of the secrets handed out.

Exits 1 with "MISMATCH: ..." on stderr at the first difference (or "UNREACHABLE: ..." when
nothing answers at URL); on success prints one JSON line:
{"ok": true, "checks": N, "operations": {operation: [outcomes]}, "seconds": S}. Leaves the server
reset. The device-flow timing checks sleep about 3 s in all.
"""

import json
import re
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
START_URL = "https://check.awsapps.com/start"
WORLD = {
    "startUrl": START_URL,
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
            "roles": ["AdministratorAccess", "Developer", "ReadOnly"],
        },
        {
            "accountId": "333333333333",
            "accountName": "Sandbox",
            "emailAddress": "sandbox@example.com",
            "roles": ["Developer"],
        },
    ],
}


class Mismatch(Exception):
    pass


class Checker:
    def __init__(self, url):
        self.url = url.rstrip("/")
        # One attempt: botocore retries 429 and 5xx (and, in standard mode, some codes), which
        # would hide answers and put extra calls in the log. No credentials and no
        # signature_version=UNSIGNED: the model marks every operation used here unsigned
        # (smithy.api#noAuth), and boto3 sends them so without being told.
        config = Config(retries={"total_max_attempts": 1})
        self.oidc = boto3.client(
            "sso-oidc", endpoint_url=self.url, region_name="us-east-1", config=config
        )
        self.sso = boto3.client("sso", endpoint_url=self.url, region_name="us-east-1", config=config)
        self.checks = 0
        self.expected = []  # (operation, error name or None), in the order sent
        self.secrets = []  # every secret the server handed out: none may reach the call log
        self.outcomes = {}  # operation -> set of "ok" / error names seen

    # -- checking helpers -------------------------------------------------------------------

    def expect(self, condition, what):
        self.checks += 1
        if not condition:
            raise Mismatch(what)

    def equal(self, actual, wanted, what):
        self.expect(actual == wanted, f"{what}: got {actual!r}, want {wanted!r}")

    def record(self, operation, error):
        self.expected.append((operation, error))
        self.outcomes.setdefault(operation, set()).add(error or "ok")

    def ok(self, operation, call):
        """A boto3 call that must succeed: returns its parsed answer."""
        try:
            answer = call()
        except ClientError as error:
            raise Mismatch(f"{operation} failed: {error.response.get('Error')}") from None
        self.record(operation, None)
        meta = answer["ResponseMetadata"]
        self.equal(meta["HTTPStatusCode"], 200, f"{operation} status")
        self.expect(meta.get("RequestId"), f"{operation}: no x-amzn-RequestId")
        if operation != "Logout":
            content_type = meta["HTTPHeaders"].get("content-type")
            self.equal(content_type, "application/json", f"{operation} Content-Type")
        return answer

    def fails(self, operation, code, status, call, error=None, message=None):
        """A boto3 call that must fail with exception `code` and HTTP `status`; for sso-oidc
        `error` is the OAuth code botocore parses into e.response["error"], for sso `message`
        the text in e.response["message"] (modeled) and e.response["Error"]["Message"]."""
        try:
            call()
        except ClientError as caught:
            response = caught.response
        else:
            raise Mismatch(f"{operation} succeeded, want {code}")
        self.record(operation, code)
        self.equal(response["Error"]["Code"], code, f"{operation} error code")
        self.equal(response["ResponseMetadata"]["HTTPStatusCode"], status, f"{code} status")
        if error is not None:
            self.equal(response.get("error"), error, f"{code}: modeled member error")
            description = response.get("error_description")
            self.expect(
                isinstance(description, str) and description,
                f"{code}: no error_description in {response}",
            )
        if message is not None:
            if code != "ForbiddenException":  # not in the model: no modeled members
                self.equal(response.get("message"), message, f"{code}: modeled member message")
            self.equal(response["Error"]["Message"], message, f"{code}: Error.Message")
        return response

    def http(self, method, path, body=None, headers=None, operation=None, error=None):
        """Plain HTTP: (status, headers, body bytes). `operation` records it as an API call."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers=headers or {}
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                result = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as failure:
            result = failure.code, failure.headers, failure.read()
        if operation is not None:
            self.record(operation, error)
        return result

    def control(self, method, path, body=None):
        status, _, data = self.http(method, "/_awsenv/" + path, body if body is not None else {})
        self.equal(status, 200, f"{method} /_awsenv/{path}: {data!r}")
        return json.loads(data) if data else None

    def raw_error(self, operation, method, path, code, status, body=None, headers=None):
        """A request botocore would not send: checks status, x-amzn-ErrorType and the body."""
        got, answer_headers, data = self.http(method, path, body, headers, operation, code)
        self.equal(got, status, f"raw {method} {path} status")
        self.equal(answer_headers.get("x-amzn-ErrorType"), code, f"raw {method} {path} code")
        self.equal(
            answer_headers.get("Content-Type"), "application/json", f"raw {path} Content-Type"
        )
        return json.loads(data)

    def visit(self, url, want_status=200):
        """GETs a verification URL like a browser; returns the page."""
        self.expect(url.startswith(self.url + "/device"), f"verification URL {url}")
        status, headers, data = self.http(
            "GET", url[len(self.url) :], operation="DeviceVisit",
            error=None if want_status == 200 else "InvalidUserCode",
        )
        self.equal(status, want_status, f"visit {url}")
        self.expect(headers.get("Content-Type", "").startswith("text/html"), "visit: not HTML")
        return data.decode("utf-8")

    def device(self, user_code):
        """The server's view of one device authorization (GET /_awsenv/device-authorizations)."""
        for entry in self.control("GET", "device-authorizations"):
            if entry["userCode"] == user_code:
                return entry
        raise Mismatch(f"no device authorization for {user_code}")

    def behaviour(self, **settings):
        self.control("POST", "behaviour", settings)

    # -- sso-oidc ---------------------------------------------------------------------------

    def register(self, scopes=("sso:account:access",)):
        extra = {"scopes": list(scopes)} if scopes else {}
        before = int(time.time())
        client = self.ok(
            "RegisterClient",
            lambda: self.oidc.register_client(
                clientName="awsenv-check", clientType="public", **extra
            ),
        )
        for key in ("clientId", "clientSecret"):
            self.expect(isinstance(client.get(key), str) and client[key], f"RegisterClient {key}")
        # LongTimeStampType: epoch seconds, parsed by botocore as int.
        issued, expires = client["clientIdIssuedAt"], client["clientSecretExpiresAt"]
        self.expect(isinstance(issued, int), f"clientIdIssuedAt {issued!r} not an int")
        self.expect(before - 1 <= issued <= time.time() + 1, f"clientIdIssuedAt {issued}")
        self.equal(expires - issued, 7776000, "clientSecretExpiresAt - clientIdIssuedAt")
        self.secrets.append(client["clientSecret"])
        return client

    def start(self, client, expires_in=600):
        answer = self.ok(
            "StartDeviceAuthorization",
            lambda: self.oidc.start_device_authorization(
                clientId=client["clientId"],
                clientSecret=client["clientSecret"],
                startUrl=START_URL,
            ),
        )
        code = answer["userCode"]
        self.expect(re.fullmatch(r"[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}", code), code)
        self.equal(answer["verificationUri"], f"{self.url}/device", "verificationUri")
        self.equal(
            answer["verificationUriComplete"],
            f"{self.url}/device?user_code={code}",
            "verificationUriComplete",
        )
        self.equal(answer["expiresIn"], expires_in, "expiresIn")
        self.equal(answer["interval"], 1, "interval")
        self.expect(isinstance(answer["deviceCode"], str) and answer["deviceCode"], "deviceCode")
        self.secrets.append(answer["deviceCode"])
        return answer

    def poll(self, client, start):
        return lambda: self.oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=start["deviceCode"],
        )

    def refresh(self, client, refresh_token):
        return lambda: self.oidc.create_token(
            clientId=client["clientId"],
            clientSecret=client["clientSecret"],
            grantType="refresh_token",
            refreshToken=refresh_token,
        )

    def token(self, call, refresh=True):
        """A CreateToken that must answer a token; returns it."""
        answer = self.ok("CreateToken", call)
        self.expect(isinstance(answer.get("accessToken"), str), "CreateToken accessToken")
        self.equal(answer.get("tokenType"), "Bearer", "tokenType")
        self.equal(answer.get("expiresIn"), 28800, "expiresIn")
        self.expect("idToken" not in answer, "idToken should be absent")
        self.equal("refreshToken" in answer, refresh, "refreshToken present")
        self.secrets.append(answer["accessToken"])
        if refresh:
            self.secrets.append(answer["refreshToken"])
        return answer

    def check_oidc(self):
        client = self.register()
        self.register(scopes=())  # scopes are optional
        self.fails(
            "RegisterClient",
            "InvalidClientMetadataException",
            400,
            lambda: self.oidc.register_client(clientName="x", clientType="confidential"),
            error="invalid_client_metadata",
        )
        body = self.raw_error(
            "RegisterClient", "POST", "/client/register", "InvalidRequestException", 400,
            body={"clientType": "public"},
        )
        self.equal(body.get("error"), "invalid_request", "raw RegisterClient error")

        # StartDeviceAuthorization and its errors.
        pending = self.start(client)
        self.fails(
            "StartDeviceAuthorization",
            "InvalidClientException",
            401,
            lambda: self.oidc.start_device_authorization(
                clientId=client["clientId"], clientSecret="wrong", startUrl=START_URL
            ),
            error="invalid_client",
        )
        self.fails(
            "StartDeviceAuthorization",
            "InvalidClientException",
            401,
            lambda: self.oidc.start_device_authorization(
                clientId="unknown", clientSecret="wrong", startUrl=START_URL
            ),
            error="invalid_client",
        )
        self.fails(
            "StartDeviceAuthorization",
            "InvalidRequestException",
            400,
            lambda: self.oidc.start_device_authorization(
                clientId=client["clientId"],
                clientSecret=client["clientSecret"],
                startUrl="https://other.awsapps.com/start",
            ),
            error="invalid_request",
        )

        # Not approved yet: pending; polled again at once: slow_down, interval + 5 s.
        self.fails(
            "CreateToken", "AuthorizationPendingException", 400, self.poll(client, pending),
            error="authorization_pending",
        )
        self.equal(self.device(pending["userCode"])["interval"], 1, "interval before slow_down")
        self.fails(
            "CreateToken", "SlowDownException", 400, self.poll(client, pending),
            error="slow_down",
        )
        self.equal(self.device(pending["userCode"])["interval"], 6, "interval after slow_down")

        # Approved by a visit: the first poll gets the token, a second use is invalid_grant.
        approved = self.start(client)
        page = self.visit(approved["verificationUriComplete"])
        self.expect("approved" in page, f"approval page: {page}")
        self.equal(self.device(approved["userCode"])["status"], "approved", "status after visit")
        first = self.token(self.poll(client, approved))
        self.equal(self.device(approved["userCode"])["status"], "issued", "status after token")
        self.fails(
            "CreateToken", "InvalidGrantException", 400, self.poll(client, approved),
            error="invalid_grant",
        )
        self.visit(approved["verificationUriComplete"], want_status=404)  # used: gone
        self.visit(f"{self.url}/device?user_code=BBBB-CCCC", want_status=404)

        # A device code is its own client's only.
        other = self.register()
        foreign = self.start(other)
        self.control("POST", "approve", {"userCode": foreign["userCode"]})
        self.fails(
            "CreateToken", "InvalidGrantException", 400, self.poll(client, foreign),
            error="invalid_grant",
        )
        self.token(self.poll(other, foreign))

        # pendingRounds: pending even once approved, then the token a full interval later.
        self.behaviour(pendingRounds=1, autoApprove=True)
        rounds = self.start(client)
        self.fails(
            "CreateToken", "AuthorizationPendingException", 400, self.poll(client, rounds),
            error="authorization_pending",
        )
        time.sleep(1.05)
        self.token(self.poll(client, rounds))

        # slowDownRounds: the first poll slows down (interval 6); a poll 1.1 s later is then
        # too soon (RFC 8628 section 3.5), so it slows down again (interval 11).
        self.behaviour(pendingRounds=0, slowDownRounds=1)
        slow = self.start(client)
        self.fails(
            "CreateToken", "SlowDownException", 400, self.poll(client, slow), error="slow_down"
        )
        self.equal(self.device(slow["userCode"])["interval"], 6, "interval after round")
        time.sleep(1.1)
        self.fails(
            "CreateToken", "SlowDownException", 400, self.poll(client, slow), error="slow_down"
        )
        self.equal(self.device(slow["userCode"])["interval"], 11, "interval after too soon")

        # Denied: by a visit with "deny" set.
        self.behaviour(slowDownRounds=0, autoApprove=False, deny=True)
        denied = self.start(client)
        page = self.visit(denied["verificationUriComplete"])
        self.expect("denied" in page, f"deny page: {page}")
        self.fails(
            "CreateToken", "AccessDeniedException", 400, self.poll(client, denied),
            error="access_denied",
        )

        # Expired: deviceExpiresIn 1, polled 1.05 s later (the first poll: never too soon).
        self.behaviour(deny=False, deviceExpiresIn=1)
        late = self.start(client, expires_in=1)
        time.sleep(1.05)
        self.fails(
            "CreateToken", "ExpiredTokenException", 400, self.poll(client, late),
            error="expired_token",
        )
        self.visit(late["verificationUriComplete"], want_status=404)
        self.behaviour(deviceExpiresIn=600)

        # Grant types and client checks.
        self.fails(
            "CreateToken",
            "UnsupportedGrantTypeException",
            400,
            lambda: self.oidc.create_token(
                clientId=client["clientId"],
                clientSecret=client["clientSecret"],
                grantType="password",
            ),
            error="unsupported_grant_type",
        )
        self.fails(
            "CreateToken",
            "InvalidClientException",
            401,
            lambda: self.oidc.create_token(
                clientId=client["clientId"],
                clientSecret="wrong",
                grantType=DEVICE_GRANT,
                deviceCode=pending["deviceCode"],
            ),
            error="invalid_client",
        )
        self.fails(
            "CreateToken",
            "InvalidGrantException",
            400,
            lambda: self.oidc.create_token(
                clientId=client["clientId"],
                clientSecret=client["clientSecret"],
                grantType=DEVICE_GRANT,
                deviceCode="not-a-device-code",
            ),
            error="invalid_grant",
        )
        body = self.raw_error(
            "CreateToken", "POST", "/token", "InvalidRequestException", 400,
            body={"clientId": client["clientId"], "clientSecret": client["clientSecret"],
                  "grantType": DEVICE_GRANT},
        )
        self.equal(body.get("error"), "invalid_request", "raw CreateToken without deviceCode")

        # Refresh: a new access token and a new refresh token; the old refresh token is spent,
        # and no other client can use one.
        second = self.token(self.refresh(client, first["refreshToken"]))
        self.expect(second["accessToken"] != first["accessToken"], "refresh: same access token")
        self.expect(second["refreshToken"] != first["refreshToken"], "refresh: same refresh token")
        self.fails(
            "CreateToken", "InvalidGrantException", 400,
            self.refresh(client, first["refreshToken"]), error="invalid_grant",
        )
        self.fails(
            "CreateToken", "InvalidGrantException", 400,
            self.refresh(other, second["refreshToken"]), error="invalid_grant",
        )

        # issueRefreshToken false: no new refresh token, so the old one stays good.
        self.behaviour(issueRefreshToken=False)
        self.token(self.refresh(client, second["refreshToken"]), refresh=False)
        self.token(self.refresh(client, second["refreshToken"]), refresh=False)
        # refreshNeedsScope: a client registered without sso:account:access gets none.
        self.behaviour(issueRefreshToken=True, refreshNeedsScope=True, autoApprove=True)
        bare = self.register(scopes=())
        self.token(self.poll(bare, self.start(bare)), refresh=False)
        self.token(self.poll(client, self.start(client)), refresh=True)
        self.behaviour(refreshNeedsScope=False, autoApprove=False)
        return client, second

    # -- sso --------------------------------------------------------------------------------

    def check_portal(self, client, tokens):
        token = tokens["accessToken"]
        page = self.ok("ListAccounts", lambda: self.sso.list_accounts(accessToken=token))
        self.equal(
            page["accountList"],
            [{k: a[k] for k in ("accountId", "accountName", "emailAddress")}
             for a in WORLD["accounts"][:2]],
            "ListAccounts first page",
        )
        self.expect(page.get("nextToken"), "ListAccounts: no nextToken after a full page")
        rest = self.ok(
            "ListAccounts",
            lambda: self.sso.list_accounts(accessToken=token, nextToken=page["nextToken"]),
        )
        self.equal([a["accountId"] for a in rest["accountList"]], ["333333333333"], "page 2")
        self.expect("nextToken" not in rest, "ListAccounts: nextToken after the last page")

        # botocore's paginator (maxResults 1: three pages; 100: the world's pageSize wins).
        paginator = self.sso.get_paginator("list_accounts")
        for size, pages in ((1, 3), (100, 2)):
            seen = list(paginator.paginate(accessToken=token, PaginationConfig={"PageSize": size}))
            for _ in seen:
                self.record("ListAccounts", None)
            self.equal(len(seen), pages, f"ListAccounts pages of {size}")
            ids = [a["accountId"] for p in seen for a in p["accountList"]]
            self.equal(ids, [a["accountId"] for a in WORLD["accounts"]], f"paginated {size}")

        self.fails(
            "ListAccounts", "InvalidRequestException", 400,
            lambda: self.sso.list_accounts(accessToken=token, nextToken="bogus"),
            message="Invalid next token",
        )
        bearer = {"x-amz-sso_bearer_token": token}
        for bad in ("0", "101", "x"):
            body = self.raw_error(
                "ListAccounts", "GET", f"/assignment/accounts?max_result={bad}",
                "InvalidRequestException", 400, headers=bearer,
            )
            self.expect(isinstance(body.get("message"), str), f"max_result={bad}: {body}")

        # ListAccountRoles.
        roles = self.ok(
            "ListAccountRoles",
            lambda: self.sso.list_account_roles(accessToken=token, accountId="222222222222"),
        )
        self.equal(
            roles["roleList"],
            [{"roleName": r, "accountId": "222222222222"} for r in ("AdministratorAccess",
                                                                    "Developer")],
            "ListAccountRoles first page",
        )
        more = self.ok(
            "ListAccountRoles",
            lambda: self.sso.list_account_roles(
                accessToken=token, accountId="222222222222", nextToken=roles["nextToken"]
            ),
        )
        self.equal([r["roleName"] for r in more["roleList"]], ["ReadOnly"], "roles page 2")
        self.expect("nextToken" not in more, "ListAccountRoles: nextToken after the last page")
        seen = list(
            self.sso.get_paginator("list_account_roles").paginate(
                accessToken=token, accountId="111111111111", PaginationConfig={"PageSize": 1}
            )
        )
        for _ in seen:
            self.record("ListAccountRoles", None)
        self.equal(
            [r["roleName"] for p in seen for r in p["roleList"]],
            ["AdministratorAccess", "ReadOnly"],
            "paginated roles",
        )
        self.fails(
            "ListAccountRoles", "InvalidRequestException", 400,
            lambda: self.sso.list_account_roles(
                accessToken=token, accountId="111111111111", nextToken=page["nextToken"]
            ),
            message="Invalid next token",
        )
        self.fails(
            "ListAccountRoles", "ForbiddenException", 403,
            lambda: self.sso.list_account_roles(accessToken=token, accountId="999999999999"),
            message="No access",
        )

        # GetRoleCredentials.
        before = time.time()
        creds = self.ok(
            "GetRoleCredentials",
            lambda: self.sso.get_role_credentials(
                accessToken=token, accountId="333333333333", roleName="Developer"
            ),
        )["roleCredentials"]
        self.expect(re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["accessKeyId"]), creds["accessKeyId"])
        self.equal(len(creds["secretAccessKey"]), 40, "secretAccessKey length")
        self.expect(len(creds["sessionToken"]) > 100, "sessionToken length")
        # ExpirationTimestampType: a long, epoch milliseconds.
        expiration = creds["expiration"]
        self.expect(isinstance(expiration, int), f"expiration {expiration!r} not an int")
        self.expect(
            (before + 3600 - 2) * 1000 <= expiration <= (time.time() + 3600 + 2) * 1000,
            f"expiration {expiration} is not now + 3600 s in ms",
        )
        self.secrets += [creds["secretAccessKey"], creds["sessionToken"]]
        self.behaviour(roleCredentialsExpiresIn=900)
        short = self.ok(
            "GetRoleCredentials",
            lambda: self.sso.get_role_credentials(
                accessToken=token, accountId="111111111111", roleName="ReadOnly"
            ),
        )["roleCredentials"]
        self.expect(
            abs(short["expiration"] / 1000 - time.time() - 900) < 3, "roleCredentialsExpiresIn"
        )
        self.secrets += [short["secretAccessKey"], short["sessionToken"]]
        self.behaviour(roleCredentialsExpiresIn=3600)
        for account, role in (("333333333333", "AdministratorAccess"), ("999999999999", "ReadOnly")):
            self.fails(
                "GetRoleCredentials", "ForbiddenException", 403,
                lambda: self.sso.get_role_credentials(
                    accessToken=token, accountId=account, roleName=role
                ),
                message="No access",
            )
        body = self.raw_error(
            "GetRoleCredentials", "GET", "/federation/credentials?account_id=111111111111",
            "InvalidRequestException", 400, headers=bearer,
        )
        self.expect(isinstance(body.get("message"), str), f"no role_name: {body}")

        # Bad, missing, expired and logged-out tokens.
        unauthorized = "Session token not found or invalid"
        self.fails(
            "ListAccounts", "UnauthorizedException", 401,
            lambda: self.sso.list_accounts(accessToken="not-a-token"), message=unauthorized,
        )
        self.fails(
            "GetRoleCredentials", "UnauthorizedException", 401,
            lambda: self.sso.get_role_credentials(
                accessToken="not-a-token", accountId="111111111111", roleName="ReadOnly"
            ),
            message=unauthorized,
        )
        body = self.raw_error(
            "ListAccounts", "GET", "/assignment/accounts", "UnauthorizedException", 401
        )
        self.equal(body, {"message": unauthorized}, "no bearer token")

        state = self.control("POST", "expire-tokens")
        self.equal(state["tokensValid"], 0, "tokensValid after expire-tokens")
        self.fails(
            "ListAccountRoles", "UnauthorizedException", 401,
            lambda: self.sso.list_account_roles(accessToken=token, accountId="111111111111"),
            message=unauthorized,
        )
        fresh = self.token(self.refresh(client, tokens["refreshToken"]))  # refresh still works
        fresh_token = fresh["accessToken"]
        self.ok("ListAccounts", lambda: self.sso.list_accounts(accessToken=fresh_token))
        self.equal(self.control("GET", "state")["tokensValid"], 1, "tokensValid after refresh")

        self.ok("Logout", lambda: self.sso.logout(accessToken=fresh_token))
        self.fails(
            "ListAccounts", "UnauthorizedException", 401,
            lambda: self.sso.list_accounts(accessToken=fresh_token), message=unauthorized,
        )
        self.fails(
            "Logout", "UnauthorizedException", 401,
            lambda: self.sso.logout(accessToken=fresh_token), message=unauthorized,
        )
        state = self.control("GET", "state")
        self.equal(state["loggedOut"], 1, "loggedOut")
        self.equal(state["tokensValid"], 0, "tokensValid after logout")

        # Expired registrations: the client must register again.
        state = self.control("POST", "expire-clients")
        self.equal(state["clientsValid"], 0, "clientsValid after expire-clients")
        self.fails(
            "StartDeviceAuthorization", "InvalidClientException", 401,
            lambda: self.oidc.start_device_authorization(
                clientId=client["clientId"], clientSecret=client["clientSecret"],
                startUrl=START_URL,
            ),
            error="invalid_client",
        )
        self.fails(
            "CreateToken", "InvalidClientException", 401,
            self.refresh(client, fresh["refreshToken"]), error="invalid_client",
        )
        self.start(self.register())

        # x-amzn-ErrorType with a suffix: botocore keeps what comes before the ":".
        self.behaviour(errorTypeSuffix=":http://internal.amazon.com/coral/com.amazon.test/")
        self.fails(
            "ListAccounts", "UnauthorizedException", 401,
            lambda: self.sso.list_accounts(accessToken="not-a-token"), message=unauthorized,
        )
        self.fails(
            "CreateToken", "InvalidClientException", 401,
            self.refresh(client, fresh["refreshToken"]), error="invalid_client",
        )
        self.behaviour(errorTypeSuffix="")

        # No such operation.
        body = self.raw_error(
            "Unknown", "GET", "/no/such/operation", "UnknownOperationException", 404
        )

    # -- the call log ----------------------------------------------------------------------

    def check_calls(self):
        status, _, data = self.http("GET", "/_awsenv/calls")
        self.equal(status, 200, "GET /_awsenv/calls")
        calls = json.loads(data)
        got = [(c["operation"], c["error"]) for c in calls]
        for index, (have, want) in enumerate(zip(got, self.expected)):
            self.equal(have, want, f"call {index}")
        self.equal(len(got), len(self.expected), "number of calls logged")
        times = [c["time"] for c in calls]
        self.expect(times == sorted(times), "call times out of order")
        for call in calls:
            if call["operation"] == "CreateToken":
                self.expect("grantType" in call, f"CreateToken without grantType: {call}")
            if call["operation"] == "GetRoleCredentials":
                self.expect("accountId" in call, f"GetRoleCredentials without accountId: {call}")
        self.expect(any(c.get("maxResult") == 1 for c in calls), "no maxResult logged")
        self.expect(any(c.get("nextToken") for c in calls), "no nextToken logged")
        text = data.decode("utf-8")
        leaked = [s[:8] + "…" for s in self.secrets if s in text]
        self.expect(not leaked, f"secrets in the call log: {leaked}")
        self.expect(len(self.secrets) > 20, "too few secrets collected")

    def check_control(self):
        status, _, _ = self.http("POST", "/_awsenv/behaviour", {"noSuchSetting": 1})
        self.equal(status, 400, "unknown behaviour")
        status, _, _ = self.http("POST", "/_awsenv/behaviour", {"interval": "1"})
        self.equal(status, 400, "behaviour of the wrong type")
        status, _, _ = self.http("POST", "/_awsenv/world", {"pageSize": 0})
        self.equal(status, 400, "pageSize 0")
        status, _, _ = self.http("POST", "/_awsenv/approve", {"userCode": "ZZZZ-ZZZZ"})
        self.equal(status, 404, "approve an unknown code")

    def run(self):
        started = time.time()
        self.control("POST", "reset")
        self.equal(self.control("POST", "world", WORLD), WORLD, "world echoed")
        self.control("POST", "calls/reset")
        self.check_control()
        client, tokens = self.check_oidc()
        self.check_portal(client, tokens)
        self.check_calls()
        self.control("POST", "reset")
        return {
            "ok": True,
            "checks": self.checks,
            "calls": len(self.expected),
            "operations": {k: sorted(v) for k, v in sorted(self.outcomes.items())},
            "seconds": round(time.time() - started, 2),
        }


def main():
    if len(sys.argv) != 2:
        print("usage: sso_boto3_check.py URL", file=sys.stderr)
        return 2
    try:
        summary = Checker(sys.argv[1]).run()
    except Mismatch as mismatch:
        print(f"MISMATCH: {mismatch}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, EndpointConnectionError, ConnectionError) as error:
        print(f"UNREACHABLE: {sys.argv[1]}: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
