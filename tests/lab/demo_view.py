#!/usr/bin/env python3
"""Live view for make demo: calls, flows, packets/s per direction, loss and
jitter per call, from rtprelayd's control socket and the XDP tier's counters
(rtprelayctl stats --json). Ends when the given PIDs are gone; prints the
summary as JSON on the last line of --summary FILE."""
import argparse, json, os, socket, subprocess, sys, time

def ctl(sock, cmd):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(sock)
        s.sendall(json.dumps({"cmd": cmd}).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    return json.loads(buf)

def xdp_stats(rtprelayctl, pin_dir):
    try:
        out = subprocess.run([rtprelayctl, "--pin-dir", pin_dir, "stats", "--json"],
                             capture_output=True, text=True, timeout=5).stdout
        return json.loads(out)
    except Exception:
        return {}

def alive(pids):
    return any(os.path.exists(f"/proc/{p}") for p in pids)

def fwd(st):
    c = st.get("counters", st)
    return c.get("fwd_tx", 0) + c.get("fwd_redirect", 0)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--pin-dir", required=True)
    ap.add_argument("--rtprelayctl", required=True)
    ap.add_argument("--wait", type=int, nargs="*", default=[], help="PIDs to wait for")
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--summary", required=True)
    a = ap.parse_args()
    tty = sys.stdout.isatty()
    seen, last, t0 = {}, None, time.time()
    peak = 0
    while True:
        try:
            st, calls = ctl(a.sock, "status"), ctl(a.sock, "calls").get("calls", [])
        except OSError as e:
            print(f"demo: control socket: {e}", file=sys.stderr)
            break
        x = xdp_stats(a.rtprelayctl, a.pin_dir)
        now = time.time()
        up = dn = 0
        for c in calls:
            for s in c.get("streams", []):
                up += s.get("to_callee", {}).get("packets", 0)
                dn += s.get("to_caller", {}).get("packets", 0)
            seen[c["id"]] = c
        rate = ""
        if last:
            dt = now - last[0]
            rate = f"{max(0, up - last[1]) / dt:7.0f} pps caller->callee, {max(0, dn - last[2]) / dt:7.0f} pps callee->caller"
        last = (now, up, dn)
        peak = max(peak, st.get("calls", 0))
        lines = [f"rtprelay demo  t={now - t0:5.1f}s  datapath={st.get('datapath')}  "
                 f"calls active={st.get('calls')} answered={st.get('calls_answered')} "
                 f"flows={st.get('flows')}  XDP forwarded={fwd(x)}",
                 "  " + (rate or "(measuring)")]
        if tty:
            lines.append(f"  {'call':>5} {'state':9} {'from':>12} {'to':>12} {'dur':>6} "
                         f"{'pkts >':>8} {'pkts <':>8} {'lost':>5} {'jit ms':>7}")
            for c in sorted(calls, key=lambda c: c["id"])[:12]:
                s = (c.get("streams") or [{}])[0]
                f, b = s.get("to_callee", {}), s.get("to_caller", {})
                jit = max(f.get("jitter", 0), b.get("jitter", 0)) / 8.0  # 8 kHz units
                lines.append(f"  {c['id']:>5} {c['state']:9} {c.get('from', '')[-12:]:>12} "
                             f"{c.get('to', '')[-12:]:>12} {c.get('duration', 0):6.1f} "
                             f"{f.get('packets', 0):>8} {b.get('packets', 0):>8} "
                             f"{f.get('lost', 0) + b.get('lost', 0):>5} {jit:7.2f}")
            if len(calls) > 12:
                lines.append(f"  ... and {len(calls) - 12} more")
            sys.stdout.write("\033[H\033[J" + "\n".join(lines) + "\n")
        elif int(now - t0) % 5 == 0 or not alive(a.wait):
            print(" | ".join(l.strip() for l in lines[:2]))
        sys.stdout.flush()
        if a.wait and not alive(a.wait) and st.get("calls", 0) == 0:
            break
        time.sleep(a.interval)
    x = xdp_stats(a.rtprelayctl, a.pin_dir)
    try:
        st = ctl(a.sock, "status")
    except OSError:
        st = {}
    pk = lost = 0
    for c in seen.values():
        for s in c.get("streams", []):
            for d in ("to_callee", "to_caller"):
                pk += s.get(d, {}).get("packets", 0)
                lost += s.get(d, {}).get("lost", 0)
    summary = {"relayed_packets": pk, "lost_packets": lost, "calls_total": st.get("calls_total"), "calls_answered": st.get("calls_answered"),
               "calls_failed": st.get("calls_failed"), "peak_calls": peak,
               "xdp_forwarded": fwd(x), "flows_left": st.get("flows"),
               "datapath": st.get("datapath")}
    with open(a.summary, "w") as f:
        json.dump(summary, f)

if __name__ == "__main__":
    main()
