#!/usr/bin/env python3
"""Times N credential requests to AWS_CONTAINER_CREDENTIALS_FULL_URI, one connection each (as
an SDK's container provider makes them); prints the median and 90th percentile in ms."""
import http.client
import os
import statistics
import sys
import time
import urllib.parse

uri = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
headers = {"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    connection = http.client.HTTPConnection(uri.hostname, uri.port, timeout=5)
    connection.request("GET", uri.path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    times.append((time.perf_counter() - start) * 1000)
    assert response.status == 200 and b"AccessKeyId" in body, (response.status, body)
times.sort()
print(f"{statistics.median(times):.3f} {times[int(len(times) * 0.9)]:.3f}")
