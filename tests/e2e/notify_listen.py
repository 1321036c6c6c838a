#!/usr/bin/env python3
"""A stand-in for systemd's notify socket in the e2e tests:
notify_listen.py PATH OUT. Binds a unix datagram socket at PATH (what
$NOTIFY_SOCKET names) and appends each message it receives to OUT as one
JSON line {"t": CLOCK_MONOTONIC seconds, "msg": {KEY: VALUE, ...}}, until
killed. Prints "ready" once bound."""
import json, os, socket, sys, time

path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print('ready', flush=True)
with open(out, 'a') as f:
    while True:
        data = s.recv(65536).decode(errors='replace')
        kv = dict(l.split('=', 1) for l in data.split('\n') if '=' in l)
        f.write(json.dumps({'t': time.monotonic(), 'msg': kv}) + '\n')
        f.flush()
