#!/usr/bin/env python3
"""Tiny control-socket client for the tests: ctl.py SOCKET REQUEST [PYEXPR].
Prints the reply line, or eval(PYEXPR) with r = the parsed reply."""
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b'\n')
buf = b''
while not buf.endswith(b'\n'):
    d = s.recv(65536)
    if not d:
        break
    buf += d
if len(sys.argv) > 3:
    r = json.loads(buf)
    print(eval(sys.argv[3]))
else:
    print(buf.decode().strip())
