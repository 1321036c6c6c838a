#!/usr/bin/env python3
"""Media probe for the e2e tests: bind BIND_IP:PORT; in 'send' mode send N
datagrams to DST_IP:DST_PORT then count what comes back for WAIT seconds; in
'echo' mode count what arrives for WAIT seconds, then send N datagrams to
DST. Prints the number of datagrams received."""
import socket, sys, time
from dgram import count_for
mode, bind_ip, port, dst_ip, dst_port, n, wait = sys.argv[1:8]
port, dst_port, n, wait = int(port), int(dst_port), int(n), float(wait)
fam = socket.AF_INET6 if ':' in bind_ip else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((bind_ip, port))
def send():
    for i in range(n):
        # RTP v2, PT 0, seq i, ts, SSRC 0x1234
        pkt = bytes([0x80, 0, i >> 8 & 0xff, i & 0xff]) + (i * 160).to_bytes(4, 'big') + (0x1234).to_bytes(4, 'big') + b'\xff' * 160
        s.sendto(pkt, (dst_ip, dst_port))
        time.sleep(0.005)
def recv():
    return count_for(s, wait)
if mode == 'send':
    send(); print(recv())
else:
    g = recv(); send(); print(g)
