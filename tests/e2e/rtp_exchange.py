#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send COUNT RTP packets from a UDP socket in one network namespace and
receive them on a socket in another; print what arrived as JSON.

  rtp_exchange.py [--count N] [--timeout S] [--gap-ms MS]
                  TX_NS TX_BIND DEST RX_NS RX_BIND

TX_BIND/DEST/RX_BIND are ADDR:PORT or [V6]:PORT. Sockets are made inside
the namespaces (/var/run/netns/NAME) with setns(), so one process sees both
ends. Output: {"sent", "received", "sources": {"addr:port": n}, "intact"}
where intact counts packets whose RTP header and payload arrived unchanged.
Bounded: at most COUNT packets, and TIMEOUT seconds of waiting.
"""
import argparse
import ctypes
import json
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def setns(name):
    fd = os.open("/var/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns %s: %s" % (name, os.strerror(e)))
    finally:
        os.close(fd)


def parse_ep(s):
    if s.startswith("["):
        host, _, port = s[1:].partition("]:")
        return socket.AF_INET6, (host, int(port))
    host, _, port = s.rpartition(":")
    return socket.AF_INET, (host, int(port))


def fmt_ep(fam, addr):
    return ("[%s]:%d" if fam == socket.AF_INET6 else "%s:%d") % (addr[0], addr[1])


def udp_socket(ns, bind):
    setns(ns)
    fam, addr = parse_ep(bind)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        # The default buffer holds ~50 packets; FORCE ignores rmem_max.
        s.setsockopt(socket.SOL_SOCKET, 33, 4 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(addr)
    return fam, s


def rtp_packet(seq, ssrc=0x5eed1234, payload=160):
    # V=2, PT=0 (PCMU, 8000 Hz), 20 ms of G.711 per packet.
    hdr = struct.pack("!BBHII", 0x80, 0, seq & 0xffff, (seq * 160) & 0xffffffff, ssrc)
    body = bytes((seq + i) & 0xff for i in range(payload))
    return hdr + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--gap-ms", type=float, default=0.2)
    ap.add_argument("tx_ns")
    ap.add_argument("tx_bind")
    ap.add_argument("dest")
    ap.add_argument("rx_ns")
    ap.add_argument("rx_bind")
    a = ap.parse_args()
    if not 0 < a.count <= 100000 or not 0 < a.timeout <= 60:
        sys.exit("rtp_exchange: --count 1..100000, --timeout up to 60 s")

    rx_fam, rx = udp_socket(a.rx_ns, a.rx_bind)
    _, tx = udp_socket(a.tx_ns, a.tx_bind)
    _, dest = parse_ep(a.dest)
    rx.settimeout(0.05)

    sources, received, intact, sent = {}, 0, 0, 0
    expected = {}
    for seq in range(a.count):
        pkt = rtp_packet(seq)
        expected[seq] = pkt
        tx.sendto(pkt, dest)
        sent += 1
        if a.gap_ms:
            time.sleep(a.gap_ms / 1000.0)

    def drain(deadline):
        nonlocal received, intact
        while received < a.count and time.monotonic() < deadline:
            try:
                data, addr = rx.recvfrom(2048)
            except socket.timeout:
                continue
            received += 1
            key = fmt_ep(rx_fam, addr[:2])
            sources[key] = sources.get(key, 0) + 1
            if len(data) >= 12:
                seq = struct.unpack("!H", data[2:4])[0]
                if expected.get(seq) == data:
                    intact += 1

    drain(time.monotonic() + a.timeout)
    # Anything late or duplicated shows up as extra.
    drain(time.monotonic() + 0.1)
    print(json.dumps({"sent": sent, "received": received, "sources": sources,
                      "intact": intact}))


if __name__ == "__main__":
    main()
