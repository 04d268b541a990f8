#!/usr/bin/env python3
"""A long job: one boto3 STS client, through the container credentials provider, calls
GetCallerIdentity, sleeps SECONDS, and calls it again; prints the ARN and the access key each
call was signed with."""
import sys
import time

import boto3

client = boto3.client("sts")
for round in range(2):
    if round:
        time.sleep(float(sys.argv[1]))
    arn = client.get_caller_identity()["Arn"]
    key = client._request_signer._credentials.get_frozen_credentials().access_key
    print(f"call{round + 1} {arn} {key}")
