#!/usr/bin/env python3
"""Prints the Request-URI user, From, P-Asserted-Identity and Privacy of the
first INVITE in a sipp -trace_msg message file, one per line ('-' when
absent): the e2e suites assert what a peer received."""
import re
import sys

text = open(sys.argv[1], errors="replace").read()
m = re.search(r"^INVITE (\S+) SIP/2\.0\r?\n(.*?)\r?\n\r?\n", text, re.S | re.M)
if not m:
    print("no INVITE")
    sys.exit(1)
uri, head = m.group(1), m.group(2)
user = re.match(r"(?:sips?|tel):([^@;>]*)", uri)
headers = {}
for line in head.splitlines():
    k, _, v = line.partition(":")
    headers.setdefault(k.strip().lower(), v.strip())
print(user.group(1) if user else uri)
for k in ("from", "p-asserted-identity", "privacy"):
    print(headers.get(k, "-"))
