#!/usr/bin/env python3
"""Sets up the IAM world of the local STS (sts_server.py) and switches moto's SigV4 checking.

    sts_setup.py world URL [--spec FILE|-] [--files DIR] [--auth-on]
        Creates users (access keys, an identity policy, optionally a virtual MFA device), SAML and
        OIDC providers and roles with trust policies, with boto3 against URL, then prints the
        world as JSON (ARNs, the users' keys; with --files, the paths of a SAML assertion and a
        web identity token written into DIR). --auth-on then switches SigV4 checking on.
    sts_setup.py auth URL on|off
        SigV4 checking on (POST /moto-api/reset-auth with body `0`) or off (`inf`).
    sts_setup.py saml --role ARN --provider ARN [--session NAME] [--xml FILE] [--b64 FILE]
        A SAML Response moto accepts for AssumeRoleWithSAML (base64 on stdout without files).
    sts_setup.py web-identity-token [--issuer URL] [--subject S] [--audience A] [--out FILE]
        A JWT-shaped web identity token (moto checks nothing in it).
    sts_setup.py totp SEED [--offset SECONDS]
        The current code of a virtual MFA device (its base32 seed is in the world's users).
    sts_setup.py probe URL
        Measures what moto enforces once checking is on and prints the facts as JSON (it changes
        the auth state and creates its own users and roles: run it on a server of its own).

The spec (JSON, every part optional; without --spec, DEFAULT_SPEC):

    {"users": [{"name": "alice", "mfa": true, "policy": {IAM policy; default: Allow sts:*}}],
     "saml_providers": [{"name": "awsenv-idp"}],
     "oidc_providers": [{"url": "https://oidc.awsenv.test", "client_ids": ["awsenv"]}],
     "roles": [{"name": "dev", "trust": TRUST, "policy": {default: Allow sts:*}}]}

TRUST is a whole trust policy document (it has "Statement"), or a shorthand for one statement:
{"users": [names], "roles": [names], "sessions": [session names], "saml": provider name,
"oidc": provider host, "audience": the OIDC aud (default awsenv), "external_id": "...",
"mfa": true}. Pure moto (sts_server.py --pure-moto) matches a role principal only by the exact
assumed-role session ARN that calls, so there "roles" also trusts
arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION for each of "sessions" (default DEFAULT_SESSIONS);
the patched server matches the role ARN itself, as IAM does.

The files (--files): saml-assertion.xml and .b64 for the first role trusting a SAML provider
(session name awsenv-saml-user), and web-identity-token for the first OIDC provider (its first
client id as "aud", valid for an hour).

Admin calls are signed with dummy keys: moto accepts anything while checking is off (so run
`world` before `auth on`).
"""

import argparse
import base64
import datetime
import json
import os
import sys
import urllib.request
import uuid
from xml.sax.saxutils import escape

sys.dont_write_bytecode = True  # importing sts_server must leave no __pycache__ in the tree

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
DEFAULT_SESSIONS = ["awsenv", "awsenv-test", "session"]
STS_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}],
}

DEFAULT_SPEC = {
    "users": [{"name": "alice", "mfa": True}, {"name": "bob"}],
    "saml_providers": [{"name": "awsenv-idp"}],
    "oidc_providers": [{"url": "https://oidc.awsenv.test", "client_ids": ["awsenv"]}],
    "roles": [
        # trusts both users
        {"name": "dev", "trust": {"users": ["alice", "bob"]}},
        # trusts sessions of the role dev: a role chain user -> dev -> admin
        {"name": "admin", "trust": {"roles": ["dev"]}},
        # trusts alice only: bob gets AccessDenied
        {"name": "alice-only", "trust": {"users": ["alice"]}},
        # trusts alice when she passes this ExternalId
        {"name": "partner", "trust": {"users": ["alice"], "external_id": "awsenv-external-id"}},
        # trusts alice with aws:MultiFactorAuthPresent (pure moto ignores the condition)
        {"name": "mfa-required", "trust": {"users": ["alice"], "mfa": True}},
        {"name": "saml", "trust": {"saml": "awsenv-idp"}},
        {"name": "web", "trust": {"oidc": "oidc.awsenv.test"}},
    ],
}

SAML_METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
  entityID="https://idp.awsenv.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:X509Data>
        <ds:X509Certificate>TUlJQ2F3c2Vudi10ZXN0LWNlcnRpZmljYXRl</ds:X509Certificate>
      </ds:X509Data>
    </ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
      Location="https://idp.awsenv.test/saml/sso"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://idp.awsenv.test/saml/sso"/>
  </md:IDPSSODescriptor>
  <md:Organization>
    <md:OrganizationName xml:lang="en">awsenv tests</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">awsenv test IdP</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">https://idp.awsenv.test/</md:OrganizationURL>
  </md:Organization>
</md:EntityDescriptor>
"""


def client(url, service, key=None, secret=None, token=None):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=key or "AKIAAWSENVSETUP00000",
        aws_secret_access_key=secret or "awsenv-setup-dummy-secret",
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def set_auth(url, on):
    request = urllib.request.Request(
        url.rstrip("/") + "/moto-api/reset-auth",
        data=b"0" if on else b"inf",
        headers={"Content-Type": "text/plain"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def trust_document(trust, account, pure_moto=False):
    if "Statement" in trust:
        return trust
    statement = {"Effect": "Allow"}
    if trust.get("saml"):
        provider = f"arn:aws:iam::{account}:saml-provider/{trust['saml']}"
        statement["Principal"] = {"Federated": provider}
        statement["Action"] = "sts:AssumeRoleWithSAML"
        statement["Condition"] = {
            "StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}
        }
    elif trust.get("oidc"):
        host = trust["oidc"].removeprefix("https://")
        statement["Principal"] = {"Federated": f"arn:aws:iam::{account}:oidc-provider/{host}"}
        statement["Action"] = "sts:AssumeRoleWithWebIdentity"
        statement["Condition"] = {"StringEquals": {f"{host}:aud": trust.get("audience", "awsenv")}}
    else:
        principals = [f"arn:aws:iam::{account}:user/{name}" for name in trust.get("users", [])]
        for role in trust.get("roles", []):
            principals.append(f"arn:aws:iam::{account}:role/{role}")
            sessions = trust.get("sessions", DEFAULT_SESSIONS if pure_moto else [])
            for name in sessions:
                principals.append(f"arn:aws:sts::{account}:assumed-role/{role}/{name}")
        statement["Principal"] = {"AWS": principals}
        statement["Action"] = "sts:AssumeRole"
        conditions = {}
        if trust.get("external_id"):
            conditions["StringEquals"] = {"sts:ExternalId": trust["external_id"]}
        if trust.get("mfa"):
            conditions["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
        if conditions:
            statement["Condition"] = conditions
    return {"Version": "2012-10-17", "Statement": [statement]}


def server_info(url):
    with urllib.request.urlopen(url + "/_awsenv/info", timeout=10) as response:
        return json.loads(response.read())


def build_world(url, spec):
    iam = client(url, "iam")
    account = ACCOUNT
    pure_moto = server_info(url).get("pure_moto", True)
    world = {
        "account": account,
        "endpoint": url,
        "region": REGION,
        "users": {},
        "roles": {},
        "saml_providers": {},
        "oidc_providers": {},
        "pure_moto": pure_moto,
    }
    for user in spec.get("users", []):
        name = user["name"]
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        iam.put_user_policy(
            UserName=name,
            PolicyName="awsenv-test",
            PolicyDocument=json.dumps(user.get("policy", STS_ALL)),
        )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        entry = {
            "arn": arn,
            "access_key_id": key["AccessKeyId"],
            "secret_access_key": key["SecretAccessKey"],
        }
        if user.get("mfa"):
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=device["SerialNumber"],
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
            entry["mfa_serial"] = device["SerialNumber"]
            seed = device["Base32StringSeed"]
            entry["mfa_seed"] = seed.decode("ascii") if isinstance(seed, bytes) else seed
        world["users"][name] = entry
    for provider in spec.get("saml_providers", []):
        arn = iam.create_saml_provider(
            Name=provider["name"], SAMLMetadataDocument=provider.get("metadata", SAML_METADATA)
        )["SAMLProviderArn"]
        world["saml_providers"][provider["name"]] = arn
    for provider in spec.get("oidc_providers", []):
        arn = iam.create_open_id_connect_provider(
            Url=provider["url"],
            ClientIDList=provider.get("client_ids", ["awsenv"]),
            ThumbprintList=provider.get("thumbprints", ["9" * 40]),
        )["OpenIDConnectProviderArn"]
        world["oidc_providers"][provider["url"].removeprefix("https://")] = arn
    for role in spec.get("roles", []):
        trust = trust_document(role.get("trust", {}), account, pure_moto)
        arn = iam.create_role(RoleName=role["name"], AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"
        ]["Arn"]
        iam.put_role_policy(
            RoleName=role["name"],
            PolicyName="awsenv-test",
            PolicyDocument=json.dumps(role.get("policy", STS_ALL)),
        )
        world["roles"][role["name"]] = {"arn": arn, "trust": trust}
    return world


def saml_response(role_arn, provider_arn, session_name="awsenv-saml-user", duration=None):
    """A samlp:Response with the attributes moto reads (it checks no signature)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    attributes = [
        ("https://aws.amazon.com/SAML/Attributes/Role", f"{role_arn},{provider_arn}"),
        ("https://aws.amazon.com/SAML/Attributes/RoleSessionName", session_name),
    ]
    if duration:
        attributes.append(("https://aws.amazon.com/SAML/Attributes/SessionDuration", str(duration)))
    values = "".join(
        f'<saml:Attribute Name="{name}"><saml:AttributeValue>{escape(value)}</saml:AttributeValue>'
        "</saml:Attribute>"
        for name, value in attributes
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{stamp}" '
        'Destination="https://signin.aws.amazon.com/saml">'
        '<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">'
        "https://idp.awsenv.test/saml</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        "</samlp:Status>"
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="_{uuid.uuid4().hex}" Version="2.0" IssueInstant="{stamp}">'
        "<saml:Issuer>https://idp.awsenv.test/saml</saml:Issuer>"
        f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
        f"{escape(session_name)}</saml:NameID>"
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{later}" '
        'Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation>'
        "</saml:Subject>"
        f'<saml:Conditions NotBefore="{stamp}" NotOnOrAfter="{later}"><saml:AudienceRestriction>'
        "<saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience>"
        "</saml:AudienceRestriction></saml:Conditions>"
        f"<saml:AttributeStatement>{values}</saml:AttributeStatement>"
        "</saml:Assertion></samlp:Response>"
    )


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def web_identity_token(
    subject="system:serviceaccount:awsenv:test",
    audience="awsenv",
    issuer="https://oidc.awsenv.test",
):
    """header.claims.signature, base64url: the shape of an OIDC token; no real signature."""
    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    header = {"alg": "RS256", "typ": "JWT", "kid": "awsenv-test"}
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "iat": now,
        "exp": now + 3600,
    }
    return ".".join(
        [
            b64url(json.dumps(header, separators=(",", ":")).encode()),
            b64url(json.dumps(claims, separators=(",", ":")).encode()),
            b64url(os.urandom(256)),
        ]
    )


def write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_files(world, spec, directory):
    os.makedirs(directory, exist_ok=True)
    files = {}
    saml_roles = [r for r in world["roles"].values() if "saml-provider/" in json.dumps(r["trust"])]
    if saml_roles and world["saml_providers"]:
        role = saml_roles[0]
        provider = role["trust"]["Statement"][0]["Principal"]["Federated"]
        xml = saml_response(role["arn"], provider)
        files["saml_assertion_xml"] = os.path.join(directory, "saml-assertion.xml")
        files["saml_assertion_b64"] = os.path.join(directory, "saml-assertion.b64")
        write(files["saml_assertion_xml"], xml)
        write(files["saml_assertion_b64"], base64.b64encode(xml.encode()).decode("ascii"))
    providers = spec.get("oidc_providers") or [{}]
    issuer = providers[0].get("url", "https://oidc.awsenv.test")
    audience = (providers[0].get("client_ids") or ["awsenv"])[0]
    files["web_identity_token"] = os.path.join(directory, "web-identity-token")
    write(files["web_identity_token"], web_identity_token(audience=audience, issuer=issuer))
    return files


def error_code(call):
    from botocore.exceptions import ClientError

    try:
        call()
        return "ok"
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{status} {error.response.get('Error', {}).get('Code')}"
    except Exception as error:  # moto's HTML 500 pages, connection errors
        return f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"


def probe(url):
    """What the server enforces once SigV4 checking is on, as measured facts."""
    from sts_server import totp

    spec = json.loads(json.dumps(DEFAULT_SPEC))
    allow_s3 = {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}
    spec["users"] += [
        {"name": "nopolicy", "policy": {"Version": "2012-10-17", "Statement": [allow_s3]}},
        {"name": "alice2"},
    ]

    def doc(*statements):
        return {"Version": "2012-10-17", "Statement": list(statements)}

    def allow(principal, effect="Allow"):
        return {"Effect": effect, "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}

    arn = f"arn:aws:iam::{ACCOUNT}"
    spec["roles"] += [
        {"name": "role-arn-only", "trust": doc(allow(f"{arn}:role/dev"))},
        {"name": "account-root", "trust": doc(allow(f"{arn}:root"))},
        {"name": "allow-and-deny", "trust": doc(
            allow(f"{arn}:user/alice"), allow(f"{arn}:user/bob", "Deny"))},
        {"name": "deny-alice", "trust": doc(allow(f"{arn}:user/alice", "Deny"))},
        {"name": "alice2-string", "trust": doc(allow(f"{arn}:user/alice2"))},
        {"name": "nopolicy-trusted", "trust": {"users": ["nopolicy"]}},
        {"name": "mfa-if-exists", "trust": doc(dict(
            allow(f"{arn}:user/alice"),
            Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}))},
    ]
    world = build_world(url, spec)
    set_auth(url, True)
    users, roles = world["users"], world["roles"]
    alice, bob = users["alice"], users["bob"]

    def sts(user=None, key=None, secret=None, token=None):
        if user is not None:
            key, secret = user["access_key_id"], user["secret_access_key"]
        return client(url, "sts", key, secret, token)

    def assume(user, role, **extra):
        return lambda: sts(user).assume_role(
            RoleArn=roles[role]["arn"], RoleSessionName="awsenv", **extra
        )

    code = totp(alice["mfa_seed"])
    stale = totp(alice["mfa_seed"], step=-5)
    facts = {"pure_moto": world["pure_moto"]}
    facts["caller alice"] = sts(alice).get_caller_identity()["Arn"]
    facts["wrong secret"] = error_code(
        lambda: sts(key=alice["access_key_id"], secret="wrong").get_caller_identity()
    )
    facts["unknown key"] = error_code(
        lambda: sts(key="AKIAAWSENVUNKNOWN000", secret="x").get_caller_identity()
    )
    facts["trust: trusted user"] = error_code(assume(alice, "dev"))
    facts["trust: user not in trust"] = error_code(assume(bob, "alice-only"))
    facts["trust: role that does not exist"] = error_code(
        lambda: sts(alice).assume_role(RoleArn=f"{arn}:role/nope", RoleSessionName="awsenv")
    )
    facts["trust: trusted user without identity policy"] = error_code(
        lambda: sts(users["nopolicy"]).assume_role(
            RoleArn=roles["nopolicy-trusted"]["arn"], RoleSessionName="awsenv"
        )
    )
    facts["trust: [Allow alice, Deny bob], alice"] = error_code(assume(alice, "allow-and-deny"))
    facts["trust: [Allow alice, Deny bob], bob"] = error_code(assume(bob, "allow-and-deny"))
    facts["trust: [Deny alice], alice"] = error_code(assume(alice, "deny-alice"))
    facts["trust: account root, alice"] = error_code(assume(alice, "account-root"))
    facts["trust: names user/alice2, alice calls"] = error_code(assume(alice, "alice2-string"))
    facts["external id: right"] = error_code(
        assume(alice, "partner", ExternalId="awsenv-external-id")
    )
    facts["external id: wrong"] = error_code(assume(alice, "partner", ExternalId="wrong"))
    facts["external id: missing"] = error_code(assume(alice, "partner"))
    facts["mfa condition: no mfa"] = error_code(assume(alice, "mfa-required"))
    facts["mfa condition: current code"] = error_code(
        assume(alice, "mfa-required", SerialNumber=alice["mfa_serial"], TokenCode=code)
    )
    facts["mfa condition: stale code"] = error_code(
        assume(alice, "mfa-required", SerialNumber=alice["mfa_serial"], TokenCode=stale)
    )
    facts["mfa condition: another's serial"] = error_code(
        assume(alice, "mfa-required", SerialNumber=f"{arn}:mfa/bob", TokenCode=code)
    )
    facts["BoolIfExists mfa: no mfa, long-term keys"] = error_code(assume(alice, "mfa-if-exists"))
    facts["no mfa condition, wrong code sent"] = error_code(
        assume(alice, "dev", SerialNumber=alice["mfa_serial"], TokenCode=stale)
    )

    creds = sts(alice).assume_role(RoleArn=roles["dev"]["arn"], RoleSessionName="awsenv")[
        "Credentials"
    ]
    temp = dict(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    facts["temp: key prefix"] = creds["AccessKeyId"][:4]
    facts["temp: caller"] = sts(**temp, token=creds["SessionToken"]).get_caller_identity()["Arn"]
    facts["temp: wrong secret"] = error_code(
        lambda: sts(key=temp["key"], secret="wrong", token=creds["SessionToken"])
        .get_caller_identity()
    )
    facts["temp: wrong token"] = error_code(
        lambda: sts(**temp, token="wrong").get_caller_identity()
    )
    facts["temp: no token"] = error_code(lambda: sts(**temp).get_caller_identity())
    chained = sts(**temp, token=creds["SessionToken"])
    facts["chain: admin (trusts role/dev [+ sessions when pure])"] = error_code(
        lambda: chained.assume_role(RoleArn=roles["admin"]["arn"], RoleSessionName="chain")
    )
    facts["chain: trust names only role/dev"] = error_code(
        lambda: chained.assume_role(RoleArn=roles["role-arn-only"]["arn"], RoleSessionName="cc")
    )
    other = sts(alice).assume_role(RoleArn=roles["dev"]["arn"], RoleSessionName="unlisted")[
        "Credentials"
    ]
    facts["chain: session name not listed in trust"] = error_code(
        lambda: sts(
            key=other["AccessKeyId"], secret=other["SecretAccessKey"], token=other["SessionToken"]
        ).assume_role(RoleArn=roles["admin"]["arn"], RoleSessionName="chain")
    )

    facts["get-session-token: current code"] = error_code(
        lambda: sts(alice).get_session_token(
            SerialNumber=alice["mfa_serial"], TokenCode=code, DurationSeconds=900
        )
    )
    facts["get-session-token: stale code"] = error_code(
        lambda: sts(alice).get_session_token(
            SerialNumber=alice["mfa_serial"], TokenCode=stale, DurationSeconds=900
        )
    )
    token = sts(alice).get_session_token(DurationSeconds=900)["Credentials"]
    facts["get-session-token: key prefix"] = token["AccessKeyId"][:4]
    session = dict(key=token["AccessKeyId"], secret=token["SecretAccessKey"])
    facts["get-session-token: its keys used, auth on"] = error_code(
        lambda: sts(**session, token=token["SessionToken"]).get_caller_identity()
    )
    if facts["get-session-token: its keys used, auth on"] == "ok":
        plain = sts(**session, token=token["SessionToken"])
        facts["get-session-token: caller"] = plain.get_caller_identity()["Arn"]
        facts["get-session-token: wrong token"] = error_code(
            lambda: sts(**session, token="wrong").get_caller_identity()
        )
        facts["get-session-token: no mfa, mfa-required"] = error_code(
            lambda: plain.assume_role(RoleArn=roles["mfa-required"]["arn"], RoleSessionName="s1")
        )
        facts["get-session-token: no mfa, dev"] = error_code(
            lambda: plain.assume_role(RoleArn=roles["dev"]["arn"], RoleSessionName="s2")
        )
        facts["get-session-token: with session credentials"] = error_code(
            plain.get_session_token
        )
        mfa = sts(alice).get_session_token(
            SerialNumber=alice["mfa_serial"], TokenCode=code, DurationSeconds=900
        )["Credentials"]
        facts["get-session-token: mfa, mfa-required"] = error_code(
            lambda: sts(
                key=mfa["AccessKeyId"], secret=mfa["SecretAccessKey"], token=mfa["SessionToken"]
            ).assume_role(RoleArn=roles["mfa-required"]["arn"], RoleSessionName="s3")
        )
    import boto3
    from botocore.config import Config

    unchecked = boto3.client(  # botocore itself refuses a duration under 900
        "sts", endpoint_url=url, region_name=REGION, aws_access_key_id=alice["access_key_id"],
        aws_secret_access_key=alice["secret_access_key"],
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )
    facts["get-session-token: DurationSeconds 899"] = error_code(
        lambda: unchecked.get_session_token(DurationSeconds=899)
    )
    facts["get-session-token: user without sts policy"] = error_code(
        lambda: sts(users["nopolicy"]).get_session_token()
    )

    from botocore import UNSIGNED

    unsigned = boto3.client(
        "sts", endpoint_url=url, region_name=REGION,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    saml_role = roles["saml"]["arn"]
    provider = world["saml_providers"]["awsenv-idp"]
    assertion = base64.b64encode(saml_response(saml_role, provider).encode()).decode()
    facts["saml: unsigned, auth on"] = error_code(
        lambda: unsigned.assume_role_with_saml(
            RoleArn=saml_role, PrincipalArn=provider, SAMLAssertion=assertion
        )
    )
    facts["web identity: unsigned, auth on"] = error_code(
        lambda: unsigned.assume_role_with_web_identity(
            RoleArn=roles["web"]["arn"], RoleSessionName="ww", WebIdentityToken=web_identity_token()
        )
    )
    facts["web identity: role trusting a user, not the OIDC provider"] = error_code(
        lambda: unsigned.assume_role_with_web_identity(
            RoleArn=roles["alice-only"]["arn"], RoleSessionName="ww",
            WebIdentityToken=web_identity_token(),
        )
    )
    def web(role="web", token=None, provider=None):
        return lambda: unsigned.assume_role_with_web_identity(
            RoleArn=roles[role]["arn"] if role in roles else role, RoleSessionName="ww",
            WebIdentityToken=token or web_identity_token(),
        )

    def saml(role="saml", principal=None, assertion_for=None):
        role_arn = roles[role]["arn"] if role in roles else role
        xml = saml_response(*(assertion_for or (role_arn, principal or provider)))
        return lambda: unsigned.assume_role_with_saml(
            RoleArn=role_arn, PrincipalArn=principal or provider,
            SAMLAssertion=base64.b64encode(xml.encode()).decode(),
        )

    facts["web identity: wrong audience"] = error_code(
        web(token=web_identity_token(audience="other"))
    )
    facts["web identity: role that does not exist"] = error_code(web(f"{arn}:role/nope"))
    expired = web_identity_token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(expired[1] + "=="))
    claims["exp"] = 1000
    expired[1] = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    facts["web identity: expired token"] = error_code(web(token=".".join(expired)))
    facts["saml: role trusting a user"] = error_code(
        saml("alice-only", assertion_for=(roles["alice-only"]["arn"], provider))
    )
    facts["saml: assertion names another role"] = error_code(
        saml(assertion_for=(roles["dev"]["arn"], provider))
    )
    facts["saml: unknown provider"] = error_code(saml(principal=f"{arn}:saml-provider/nope"))
    facts["saml: not base64 XML"] = error_code(
        lambda: unsigned.assume_role_with_saml(
            RoleArn=saml_role, PrincipalArn=provider, SAMLAssertion="bm90IHhtbA=="
        )
    )
    facts["web identity: token 'abcd'"] = error_code(
        lambda: unsigned.assume_role_with_web_identity(
            RoleArn=roles["web"]["arn"], RoleSessionName="ww", WebIdentityToken="abcd"
        )
    )
    facts["unsigned GetCallerIdentity, auth on"] = error_code(unsigned.get_caller_identity)
    set_auth(url, False)
    facts["auth off: unknown key"] = error_code(
        lambda: sts(key="AKIAAWSENVUNKNOWN000", secret="x").get_caller_identity()
    )
    facts["auth off: excluded user"] = error_code(assume(bob, "alice-only"))
    facts["auth off: saml"] = error_code(
        lambda: unsigned.assume_role_with_saml(
            RoleArn=saml_role, PrincipalArn=provider, SAMLAssertion=assertion
        )
    )
    facts["auth off: get-session-token stale code"] = error_code(
        lambda: sts(alice).get_session_token(SerialNumber=alice["mfa_serial"], TokenCode=stale)
    )
    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    world_cmd = commands.add_parser("world")
    world_cmd.add_argument("url")
    world_cmd.add_argument("--spec", help="a JSON spec file, - for stdin")
    world_cmd.add_argument("--files", help="a directory for the SAML assertion and token files")
    world_cmd.add_argument("--auth-on", action="store_true")
    auth_cmd = commands.add_parser("auth")
    auth_cmd.add_argument("url")
    auth_cmd.add_argument("state", choices=["on", "off"])
    saml_cmd = commands.add_parser("saml")
    saml_cmd.add_argument("--role", required=True)
    saml_cmd.add_argument("--provider", required=True)
    saml_cmd.add_argument("--session", default="awsenv-saml-user")
    saml_cmd.add_argument("--duration", type=int)
    saml_cmd.add_argument("--xml")
    saml_cmd.add_argument("--b64")
    token_cmd = commands.add_parser("web-identity-token")
    token_cmd.add_argument("--issuer", default="https://oidc.awsenv.test")
    token_cmd.add_argument("--subject", default="system:serviceaccount:awsenv:test")
    token_cmd.add_argument("--audience", default="awsenv")
    token_cmd.add_argument("--out")
    totp_cmd = commands.add_parser("totp")
    totp_cmd.add_argument("seed")
    totp_cmd.add_argument("--offset", type=float, default=0, help="seconds from now")
    probe_cmd = commands.add_parser("probe")
    probe_cmd.add_argument("url")
    args = parser.parse_args()

    if args.command == "world":
        if args.spec == "-":
            spec = json.load(sys.stdin)
        elif args.spec:
            with open(args.spec, encoding="utf-8") as handle:
                spec = json.load(handle)
        else:
            spec = DEFAULT_SPEC
        url = args.url.rstrip("/")
        world = build_world(url, spec)
        if args.files:
            world["files"] = write_files(world, spec, args.files)
        if args.auth_on:
            set_auth(url, True)
        world["auth"] = bool(args.auth_on)
        json.dump(world, sys.stdout, indent=2, sort_keys=True)
        print()
    elif args.command == "auth":
        set_auth(args.url, args.state == "on")
    elif args.command == "saml":
        xml = saml_response(args.role, args.provider, args.session, args.duration)
        encoded = base64.b64encode(xml.encode()).decode("ascii")
        if args.xml:
            write(args.xml, xml)
        if args.b64:
            write(args.b64, encoded)
        if not args.xml and not args.b64:
            print(encoded)
    elif args.command == "web-identity-token":
        token = web_identity_token(args.subject, args.audience, args.issuer)
        if args.out:
            write(args.out, token)
        else:
            print(token)
    elif args.command == "totp":
        from sts_server import totp

        import time

        print(totp(args.seed, at=time.time() + args.offset))
    elif args.command == "probe":
        json.dump(probe(args.url.rstrip("/")), sys.stdout, indent=2)
        print()


if __name__ == "__main__":
    main()
