"""Datagram helpers shared by the e2e media probes (udp_probe.py,
sip_tls.py)."""
import socket
import time


def count_for(sock, secs):
    """How many datagrams sock receives within secs seconds."""
    got, end = 0, time.time() + secs
    while time.time() < end:
        sock.settimeout(max(0.01, end - time.time()))
        try:
            sock.recvfrom(2048)
            got += 1
        except socket.timeout:
            pass
    return got
