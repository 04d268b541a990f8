#!/usr/bin/env python3
"""botocore's SigV4Auth with the clock fixed, for SigV4Tests.testSameAsBotocore.

Reads the request as JSON on stdin (method, url, headers, base64 body, keys, region, service,
epoch), prints botocore's Authorization, X-Amz-Date, X-Amz-Security-Token and canonical request
as JSON.
"""
import base64, datetime, json, sys
try:
    import botocore, botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:
    sys.exit("botocore is not importable (%s); install it with: pip install botocore" % error)
if not hasattr(botocore.auth, "get_current_datetime"):
    sys.exit("botocore %s has no auth.get_current_datetime to fix the clock with; 1.43 has"
             % botocore.__version__)
spec = json.load(sys.stdin)
fixed = datetime.datetime.fromtimestamp(spec["epoch"], datetime.timezone.utc)
botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed.replace(tzinfo=None)
request = AWSRequest(method=spec["method"], url=spec["url"],
                     data=base64.b64decode(spec["body"]))
for name, value in spec["headers"]:
    request.headers[name] = value  # adds another header when the name repeats
auth = botocore.auth.SigV4Auth(
    Credentials(spec["access_key"], spec["secret_key"], spec.get("token")),
    spec["service"], spec["region"])
seen = {}
canonical_request = auth.canonical_request
def recording(request):
    seen["canonical"] = canonical_request(request)
    return seen["canonical"]
auth.canonical_request = recording
auth.add_auth(request)
json.dump({"authorization": request.headers["Authorization"],
           "date": request.headers["X-Amz-Date"],
           "token": request.headers.get("X-Amz-Security-Token"),
           "canonicalRequest": seen["canonical"]}, sys.stdout)
