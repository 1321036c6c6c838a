#!/usr/bin/env python3
"""Hostile SIP for tests/e2e/test_hostile_sip.sh, over raw UDP.

  hostile_sip.py uas BIND_IP PORT LOG SECONDS
      a peer that answers every INVITE 200 (SDP), every other request 200,
      and appends each INVITE it gets to LOG (the suite greps it)
  hostile_sip.py uac BIND_IP PORT RELAY_IP RELAY_PORT CASE
      runs CASE (see CASES) and prints one word per step: the status code
      the daemon answered, or 'none' when it sent nothing back (a dropped
      datagram). In-dialog cases first set up a call and end it by BYE.
"""
import random
import re
import socket
import sys
import time

SDP = ("v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def parse(data):
    try:
        text = data.decode("utf-8", "replace")
    except Exception:
        return None
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdr = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdr.setdefault(k.strip().lower(), []).append(v.strip())
    return lines[0], hdr, body


def h1(hdr, name, default=""):
    return hdr.get(name, [default])[0]


def reply(sock, addr, first, hdr, code, reason, extra="", body="", to_tag=None):
    to = h1(hdr, "to") or h1(hdr, "t")
    if to_tag and ";tag=" not in to:
        to += ";tag=" + to_tag
    msg = "SIP/2.0 %d %s\r\n" % (code, reason)
    for v in hdr.get("via", []) + hdr.get("v", []):
        msg += "Via: %s\r\n" % v
    msg += "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n" % (
        h1(hdr, "from") or h1(hdr, "f"), to, h1(hdr, "call-id") or h1(hdr, "i"),
        h1(hdr, "cseq"))
    msg += extra
    if body:
        msg += "Content-Type: application/sdp\r\n"
    msg += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
    sock.sendto(msg.encode(), addr)


def uas(ip, port, log, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ip, port))
    end = time.time() + seconds
    tag = "uas%d" % random.randrange(1 << 30)
    while time.time() < end:
        s.settimeout(max(0.05, end - time.time()))
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        p = parse(data)
        if not p or p[0].startswith("SIP/2.0"):
            continue
        first, hdr, _ = p
        method = first.split(" ")[0]
        if method == "ACK":
            continue
        if method == "INVITE":
            with open(log, "a") as f:
                f.write(data.decode("utf-8", "replace") + "\n====\n")
            extra = "Contact: <sip:uas@%s:%d>\r\n" % (ip, port)
            reply(s, addr, first, hdr, 200, "OK", extra,
                  SDP.format(ip=ip, port=42000), tag)
        else:
            reply(s, addr, first, hdr, 200, "OK", "", "", tag)


class Uac:
    def __init__(self, ip, port, rip, rport):
        self.ip, self.port, self.rip, self.rport = ip, port, rip, rport
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((ip, port))
        self.cseq = 1
        self.callid = "h%d@%s" % (random.randrange(1 << 40), ip)
        self.ftag = "f%d" % random.randrange(1 << 30)
        self.totag = None
        self.route_to = None

    def branch(self):
        return "z9hG4bK%d" % random.randrange(1 << 40)

    def send(self, raw):
        self.s.sendto(raw if isinstance(raw, bytes) else raw.encode(), (self.rip, self.rport))

    def request(self, method, ruri, extra="", body="", to_user="493012345",
                from_hdr=None, cseq=None, in_dialog=False):
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        to = "<sip:%s@%s>" % (to_user, self.rip)
        if in_dialog and self.totag:
            to += ";tag=" + self.totag
        msg = "%s %s SIP/2.0\r\n" % (method, ruri)
        msg += "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n" % (self.ip, self.port, self.branch())
        msg += "Max-Forwards: 70\r\n"
        msg += "From: %s;tag=%s\r\n" % (from_hdr or "<sip:4940555987@%s>" % self.ip, self.ftag)
        msg += "To: %s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n" % (to, self.callid, cseq, method)
        msg += "Contact: <sip:uac@%s:%d>\r\n" % (self.ip, self.port)
        msg += extra
        if body:
            msg += "Content-Type: application/sdp\r\n"
        msg += "Content-Length: %d\r\n\r\n%s" % (len(body.encode()), body)
        self.last_msg = msg
        self.send(msg)
        return cseq

    def wait(self, method, cseq=None, timeout=4.0):
        """The final response to method (auto-answering the daemon's own
        requests meanwhile); its code, or 'none'."""
        end = time.time() + timeout
        while time.time() < end:
            self.s.settimeout(max(0.05, end - time.time()))
            try:
                data, addr = self.s.recvfrom(65535)
            except socket.timeout:
                continue
            p = parse(data)
            if not p:
                continue
            first, hdr, _ = p
            if not first.startswith("SIP/2.0"):
                m = first.split(" ")[0]
                if "x-injected" in hdr:
                    print("INJECTED:", first)
                if m != "ACK":
                    body = SDP.format(ip=self.ip, port=41000) if m == "INVITE" else ""
                    reply(self.s, addr, first, hdr, 200, "OK",
                          "Contact: <sip:uac@%s:%d>\r\n" % (self.ip, self.port), body)
                continue
            cs = h1(hdr, "cseq").split()
            if len(cs) != 2 or cs[1] != method or (cseq is not None and int(cs[0]) != cseq):
                continue
            code = int(first.split(" ")[1])
            if code < 200:
                continue
            if method == "INVITE":
                to = h1(hdr, "to")
                m = re.search(r";tag=([^;>\s]+)", to)
                self.last_to = to
                if code < 300 and m:
                    self.totag = m.group(1)
                self.ack(code, hdr)
            return code
        return "none"

    def ack(self, code, hdr):
        to = h1(hdr, "to")
        via = h1(hdr, "via")
        cseq = int(h1(hdr, "cseq").split()[0])
        if code >= 300:
            branch = re.search(r"branch=([^;\s]+)", via).group(1)
        else:
            branch = self.branch()
        msg = "ACK sip:493012345@%s SIP/2.0\r\n" % self.rip
        msg += "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n" % (self.ip, self.port, branch)
        msg += "Max-Forwards: 70\r\nFrom: <sip:4940555987@%s>;tag=%s\r\n" % (self.ip, self.ftag)
        msg += "To: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nContent-Length: 0\r\n\r\n" % (
            to, self.callid, cseq)
        self.send(msg)

    def invite(self, user="493012345", extra="", from_hdr=None, ruri=None, hangup=True):
        """The INVITE's final status; an answered call is ended by BYE
        (its status must be 200, else the word is 'INVITE-status/BYE-status')."""
        ruri = ruri or "sip:%s@%s" % (user, self.rip)
        cs = self.request("INVITE", ruri, extra, SDP.format(ip=self.ip, port=40000),
                          to_user=user, from_hdr=from_hdr)
        code = self.wait("INVITE", cs)
        if code == 200 and hangup:
            b = self.bye()
            if b != 200:
                return "%s/%s" % (code, b)
        return code

    def indialog(self, method, extra="", body="", timeout=4.0):
        cs = self.request(method, "sip:493012345@%s" % self.rip, extra, body, in_dialog=True)
        return self.wait(method, cs, timeout)

    def bye(self):
        return self.indialog("BYE")


def out(*words):
    print(" ".join(str(w) for w in words))
    sys.stdout.flush()


def call_case(u, fn):
    """A call, fn(u) in it, BYE: prints 'INVITE-code ...fn's words... BYE-code'."""
    c = u.invite(hangup=False)
    words = [c]
    if c == 200:
        words += fn(u)
        words.append(u.bye())
    out(*words)


REPL = "Replaces=%s%%3Bto-tag%%3D%s%%3Bfrom-tag%%3D%s"


def refer(u, refer_to):
    return [u.indialog("REFER", "Refer-To: %s\r\n" % refer_to if refer_to is not None else "")]


def cancel_race(u):
    """INVITE and its CANCEL at once: the INVITE ends 487 (or 200, then BYE)."""
    cs = u.request("INVITE", "sip:493012345@%s" % u.rip, "", SDP.format(ip=u.ip, port=40000))
    inv = u.last_msg
    # CANCEL: same Via branch, Request-URI, Call-ID, CSeq number
    cancel = inv.split("\r\n\r\n")[0]
    cancel = re.sub(r"^INVITE ", "CANCEL ", cancel)
    cancel = re.sub(r"CSeq: (\d+) INVITE", r"CSeq: \1 CANCEL", cancel)
    cancel = re.sub(r"Content-Type:[^\r]*\r\n", "", cancel)
    cancel = re.sub(r"Content-Length: \d+", "Content-Length: 0", cancel) + "\r\n\r\n"
    u.send(cancel)
    code = u.wait("INVITE", cs, 6.0)
    if code == 200:
        return out(200, u.bye())
    return out(code)


def bye_in_transfer(u):
    """A call, a REFER to a number rtprelayd calls, BYE at once."""
    c = u.invite(hangup=False)
    if c != 200:
        return out(c)
    r = u.indialog("REFER", "Refer-To: <sip:4930999@%s>\r\n" % u.rip)
    out(c, r, u.bye())


def same_callid_twice(u):
    """A second INVITE on a call's Call-ID and From tag, no To tag, next
    CSeq (a broken peer): refused or a call of its own, the first call
    unharmed."""
    c = u.invite(hangup=False)
    if c != 200:
        return out(c)
    tag = u.totag
    u.totag = None
    c2 = u.invite(hangup=False)
    same = u.totag == tag
    if c2 == 200 and not same:
        u.bye()	# a dialog of its own: ended by its own BYE
    u.totag = tag
    # 'same': sofia took it for the first dialog (a re-INVITE)
    out(c, "%s%s" % (c2, "same" if c2 == 200 and same else ""), u.bye())


CASES = {
    # unparseable datagrams: dropped, nothing answered
    "garbage": lambda u: (u.send(bytes(random.randrange(256) for _ in range(300))),
                          out(u.wait("INVITE", timeout=1.0))),
    "nul_start_line": lambda u: (u.send(b"INVITE \x00\x00 SIP/2.0\r\n\r\n"),
                                 out(u.wait("INVITE", timeout=1.0))),
    # broken mandatory headers
    "bad_cseq": lambda u: (u.send(
        "INVITE sip:493012345@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bKx1\r\n"
        "From: <sip:1@x>;tag=1\r\nTo: <sip:2@x>\r\nCall-ID: bc1\r\nCSeq: abc INVITE\r\n"
        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (u.rip, u.ip, u.port)),
        out(u.wait("INVITE", timeout=2.0))),
    "no_callid": lambda u: (u.send(
        "INVITE sip:493012345@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bKx2\r\n"
        "From: <sip:1@x>;tag=1\r\nTo: <sip:2@x>\r\nCSeq: 1 INVITE\r\n"
        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (u.rip, u.ip, u.port)),
        out(u.wait("INVITE", timeout=2.0))),
    # numbers: too long for the number buffers
    "long_ruri": lambda u: out(u.invite("4930" + "1" * 300)),
    "long_number_63": lambda u: out(u.invite("4930" + "1" * 59)),
    "long_number_64": lambda u: out(u.invite("4930" + "1" * 60)),
    "long_number_80": lambda u: out(u.invite("4930" + "7" * 76)),
    "long_from": lambda u: out(u.invite(from_hdr="<sip:%s@x.example>" % ("4" * 200))),
    "tel_odd": lambda u: out(u.invite(ruri="tel:+49-30-(123);ext=%s;phone-context=+49" % ("9" * 70))),
    "user_phone_ext": lambda u: out(u.invite(ruri="sip:+493012345;ext=99@%s;user=phone" % u.rip)),
    "escaped_crlf_user": lambda u: out(u.invite(ruri="sip:4930%%0d%%0aX-Evil:1@%s" % u.rip)),
    "display_ctl": lambda u: out(u.invite(
        from_hdr='"Eve\x1b[31m\x07, \\"x\\"" <sip:4940555987@%s>' % u.ip)),
    # identity
    "pai_many": lambda u: out(u.invite(extra="".join(
        "P-Asserted-Identity: <tel:+4940%03d>\r\n" % i for i in range(40)))),
    "pai_bad": lambda u: out(u.invite(extra="P-Asserted-Identity: <<<tel:+49;;;>>\r\n")),
    "pai_tel_odd": lambda u: out(u.invite(
        extra="P-Asserted-Identity: <tel:+49%%00%%0a-30-;ext=;x=%s>\r\n" % ("y" * 200))),
    "pai_privacy_id": lambda u: out(u.invite(
        extra="P-Asserted-Identity: <sip:+4940999@a.example;user=phone>\r\nPrivacy: id\r\n")),
    "privacy_garbage": lambda u: out(u.invite(extra="Privacy: %s\r\n" % ";".join(["id"] * 100))),
    # session timers
    "se_zero": lambda u: out(u.invite(extra="Session-Expires: 0\r\nSupported: timer\r\n")),
    "se_huge": lambda u: out(u.invite(
        extra="Session-Expires: 99999999999999999999\r\nSupported: timer\r\n")),
    "se_text": lambda u: out(u.invite(extra="Session-Expires: abc\r\nSupported: timer\r\n")),
    "se_u32max": lambda u: out(u.invite(
        extra="Session-Expires: 4294967295;refresher=uac\r\nMin-SE: 4294967295\r\nSupported: timer\r\n")),
    "minse_huge": lambda u: out(u.invite(extra="Min-SE: 99999999999\r\nSupported: timer\r\n")),
    # Replaces on an INVITE naming no call / broken
    "replaces_none": lambda u: out(u.invite(
        extra="Replaces: nosuchcall@x;to-tag=a;from-tag=b\r\nSupported: replaces\r\n")),
    "replaces_none_require": lambda u: out(u.invite(
        extra="Replaces: nosuchcall@x;to-tag=a;from-tag=b\r\nRequire: replaces\r\n")),
    "replaces_bad": lambda u: out(u.invite(extra="Replaces: ;;;=\r\n")),
    # in a call
    "refer_missing": lambda u: call_case(u, lambda u: refer(u, None)),
    "refer_garbage": lambda u: call_case(u, lambda u: refer(u, "<<<>>> ;;; @@@")),
    "refer_huge": lambda u: call_case(u, lambda u: refer(u, "<sip:%s@x.example>" % ("5" * 3000))),
    "refer_host_only": lambda u: call_case(u, lambda u: refer(u, "<sip:x.example>")),
    "refer_replaces_bad": lambda u: call_case(u, lambda u: refer(
        u, "<sip:4930999@x.example?Replaces=%3B%3B%3Bto-tag>")),
    "refer_replaces_nocall": lambda u: call_case(u, lambda u: refer(
        u, "<sip:4930999@x.example?%s>" % (REPL % ("nosuch", "a", "b")))),
    "refer_replaces_long": lambda u: call_case(u, lambda u: refer(
        u, "<sip:4930999@x.example?%s>" % (REPL % ("c" * 400, "a", "b")))),
    "refer_ctl_user": lambda u: call_case(u, lambda u: refer(u, "<sip:49%0d%0a30@x.example>")),
    "prack_confirmed": lambda u: call_case(u, lambda u: [u.indialog("PRACK", "RAck: 1 1 INVITE\r\n")]),
    "update_se_zero": lambda u: call_case(u, lambda u: [u.indialog(
        "UPDATE", "Session-Expires: 0\r\nSupported: timer\r\n")]),
    "reinvite_se_text": lambda u: call_case(u, lambda u: [u.indialog(
        "INVITE", "Session-Expires: x;refresher=zz\r\nMin-SE: -5\r\n",
        SDP.format(ip=u.ip, port=40000))]),
    "refer_uri_inject": lambda u: call_case(u, lambda u: refer(
        u, "<sip:4930999%3FX-Injected%3D1%26P-Asserted-Identity%3D%253Csip:110%2540x%253E@x.example>")),
    "cancel_race": cancel_race,
    "bye_in_transfer": bye_in_transfer,
    "same_callid_twice": same_callid_twice,
    "sdp_garbage": lambda u: out(u.wait("INVITE", u.request(
        "INVITE", "sip:493012345@%s" % u.rip, "", "v=0\r\nm=audio x RTP\r\nc=IN IP4 999.1\r\n"))),
    "reinvite_sdp_garbage": lambda u: call_case(u, lambda u: [u.indialog(
        "INVITE", "", "v=0\r\no=- 1 2 IN IP4 0\r\nm=audio 99999 RTP/AVP 0\r\n")]),
    "refer_twice": lambda u: call_case(u, lambda u: refer(u, "<<bad") + refer(u, "")),
    "refer_plain": lambda u: call_case(u, lambda u: refer(u, "<sip:4930999@x.example>")),
}


def main():
    mode = sys.argv[1]
    if mode == "uas":
        uas(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
        return
    ip, port, rip, rport, case = sys.argv[2:7]
    u = Uac(ip, int(port), rip, int(rport))
    CASES[case](u)


if __name__ == "__main__":
    main()
