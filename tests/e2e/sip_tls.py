#!/usr/bin/env python3
"""A minimal SIP user agent over TLS for the e2e tests (Debian's sipp has no
TLS). Prints one JSON line of what happened.

  uac BIND_IP RELAY_IP RELAY_PORT CA MEDIA_PORT [CERT KEY]
      INVITE (SDP: BIND_IP:MEDIA_PORT) over TLS, verifying the relay's
      certificate against CA (its IP address in subjectAltName); ACK the
      200, send 20 RTP packets to the relay's media address from the
      answer, count what comes back for 3 s, BYE.
  uas BIND_IP PORT CERT KEY CA
      TLS server: answer one INVITE 200 (SDP: BIND_IP:7000), echo 20 RTP
      packets back to where they came from, answer the BYE.
  echo BIND_IP PORT SECONDS
      UDP: send every datagram back to where it came from, for SECONDS;
      print how many.
"""
import json, re, select, socket, ssl, sys, time, uuid
from dgram import count_for


def read_msg(conn, buf):
    """One SIP message from a stream: (start line, headers dict, body, rest)."""
    while b'\r\n\r\n' not in buf:
        d = conn.recv(65536)
        if not d:
            raise EOFError
        buf += d
    head, rest = buf.split(b'\r\n\r\n', 1)
    lines = head.decode().split('\r\n')
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(':')
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    n = int(hdrs.get('content-length', hdrs.get('l', ['0']))[0])
    while len(rest) < n:
        d = conn.recv(65536)
        if not d:
            raise EOFError
        rest += d
    return lines[0], hdrs, rest[:n].decode(), rest[n:]


def sdp(ip, port):
    fam = 'IP6' if ':' in ip else 'IP4'
    return ('v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n'
            'm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' % (fam, ip, fam, ip, port))


def media_of(body):
    c = re.search(r'^c=IN IP[46] (\S+)', body, re.M)
    m = re.search(r'^m=audio (\d+)', body, re.M)
    return (c.group(1), int(m.group(1))) if c and m else (None, 0)


def rtp(i):
    return bytes([0x80, 0, i >> 8 & 0xff, i & 0xff]) + (i * 160).to_bytes(4, 'big') + \
        (0x4321).to_bytes(4, 'big') + b'\xff' * 160


def host(ip):
    return '[%s]' % ip if ':' in ip else ip


def uac(bind_ip, relay_ip, relay_port, ca, media_port, cert=None, key=None):
    res = {}
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    fam = socket.AF_INET6 if ':' in relay_ip else socket.AF_INET
    raw = socket.socket(fam, socket.SOCK_STREAM)
    raw.bind((bind_ip, 0))
    raw.settimeout(10)
    raw.connect((relay_ip, relay_port))
    conn = ctx.wrap_socket(raw, server_hostname=relay_ip)
    res['tls'] = conn.version()
    lport = conn.getsockname()[1]
    ms = socket.socket(fam, socket.SOCK_DGRAM)
    ms.bind((bind_ip, media_port))
    cid, tag = uuid.uuid4().hex + '@rrtls', uuid.uuid4().hex[:8]
    ruri = 'sip:4930123@%s:%d;transport=tls' % (host(relay_ip), relay_port)
    frm = '<sip:4989555@%s>;tag=%s' % (host(bind_ip), tag)
    to = '<sip:4930123@%s>' % host(relay_ip)

    def req(method, cseq, uri, to_hdr, body='', branch=None, route=None):
        b = branch or 'z9hG4bK' + uuid.uuid4().hex[:12]
        msg = ('%s %s SIP/2.0\r\nVia: SIP/2.0/TLS %s:%d;branch=%s;rport\r\n'
               'Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n'
               'CSeq: %d %s\r\nContact: <sip:4989555@%s:%d;transport=tls>\r\n'
               % (method, uri, host(bind_ip), lport, b, frm, to_hdr, cid, cseq, method,
                  host(bind_ip), lport))
        for r in route or []:
            msg += 'Route: %s\r\n' % r
        if body:
            msg += 'Content-Type: application/sdp\r\n'
        msg += 'Content-Length: %d\r\n\r\n%s' % (len(body.encode()), body)
        conn.sendall(msg.encode())
        return b

    req('INVITE', 1, ruri, to, sdp(bind_ip, media_port))
    buf = b''
    while True:
        start, hdrs, body, buf = read_msg(conn, buf)
        code = int(start.split()[1])
        if code >= 200:
            break
    res['invite'] = code
    if code != 200:
        print(json.dumps(res))
        return 1
    to_tag = hdrs['to'][0]
    contact = re.search(r'<([^>]+)>', hdrs.get('contact', hdrs.get('m', ['']))[0]).group(1)
    rr = list(reversed(hdrs.get('record-route', [])))
    maddr, mport = media_of(body)
    res['answer_media'] = '%s:%d' % (maddr, mport)
    req('ACK', 1, contact, to_tag, route=rr)
    time.sleep(0.3)
    for i in range(20):
        ms.sendto(rtp(i), (maddr, mport))
        time.sleep(0.005)
    res['media_back'] = count_for(ms, 3)
    req('BYE', 2, contact, to_tag, route=rr)
    while True:
        start, hdrs, body, buf = read_msg(conn, buf)
        if start.startswith('SIP/2.0') and 'BYE' in hdrs.get('cseq', [''])[0]:
            res['bye'] = int(start.split()[1])
            break
    try:
        conn.unwrap()
    except (ssl.SSLError, OSError):
        pass
    conn.close()
    print(json.dumps(res))
    return 0


def uas(bind_ip, port, cert, key, ca):
    res = {'invite_via': None, 'media_echoed': 0, 'bye': False}
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    fam = socket.AF_INET6 if ':' in bind_ip else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((bind_ip, port))
    ls.listen(4)
    ms = socket.socket(fam, socket.SOCK_DGRAM)
    ms.bind((bind_ip, 7000))
    conns, bufs = [], {}
    deadline = time.time() + 20
    tag = uuid.uuid4().hex[:8]
    while time.time() < deadline and not res['bye']:
        r, _, _ = select.select([ls, ms] + conns, [], [], 0.5)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                try:
                    c = ctx.wrap_socket(c, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    res['tls_error'] = str(e)
                    continue
                conns.append(c)
                bufs[c] = b''
                continue
            if s is ms:
                d, a = ms.recvfrom(2048)
                ms.sendto(d, a)
                res['media_echoed'] += 1
                continue
            try:
                start, hdrs, body, bufs[s] = read_msg(s, bufs[s])
            except (EOFError, OSError):
                conns.remove(s)
                continue
            if start.startswith('SIP/2.0'):
                continue
            method = start.split()[0]
            if method == 'ACK':
                continue
            to = hdrs['to'][0] + ('' if 'tag=' in hdrs['to'][0] else ';tag=' + tag)
            resp = 'SIP/2.0 200 OK\r\n'
            for v in hdrs['via']:
                resp += 'Via: %s\r\n' % v
            for v in hdrs.get('record-route', []):
                resp += 'Record-Route: %s\r\n' % v
            resp += ('From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n'
                     'Contact: <sip:sbc@%s:%d;transport=tls>\r\n'
                     % (hdrs['from'][0], to, hdrs['call-id'][0], hdrs['cseq'][0], host(bind_ip), port))
            b = ''
            if method == 'INVITE':
                res['invite_via'] = hdrs['via'][0].split()[0]
                res['offer_media'] = '%s:%d' % media_of(body)
                b = sdp(bind_ip, 7000)
                resp += 'Content-Type: application/sdp\r\n'
            elif method == 'BYE':
                res['bye'] = True
            resp += 'Content-Length: %d\r\n\r\n%s' % (len(b.encode()), b)
            s.sendall(resp.encode())
    print(json.dumps(res))
    return 0


def echo(bind_ip, port, seconds):
    s = socket.socket(socket.AF_INET6 if ':' in bind_ip else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((bind_ip, port))
    got, end = 0, time.time() + seconds
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            d, a = s.recvfrom(2048)
        except socket.timeout:
            continue
        s.sendto(d, a)
        got += 1
    print(got)
    return 0


if __name__ == '__main__':
    a = sys.argv[1:]
    if a[0] == 'echo':
        sys.exit(echo(a[1], int(a[2]), float(a[3])))
    if a[0] == 'uac':
        try:
            sys.exit(uac(a[1], a[2], int(a[3]), a[4], int(a[5]), *a[6:8]))
        except (OSError, EOFError) as e:
            print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))
            sys.exit(1)
    sys.exit(uas(a[1], int(a[2]), a[3], a[4], a[5]))
