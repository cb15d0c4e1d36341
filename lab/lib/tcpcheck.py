#!/usr/bin/python3
"""One TCP connection attempt, classified the way reachmap classifies it:
prints `open`, `refused`, `timeout`, `no-route` (the local kernel has no
route) or `icmp type=T code=C from=ADDR` (an ICMP or ICMPv6 error answered the SYN;
read from the socket's error queue, IP_RECVERR or IPV6_RECVERR, so the code and the router that
sent it are known). With --identity it asks a reachmap responder who it is
(REACHMAP/1 WHO) and prints `open name=NAME peer=SEEN-ADDRESS`; with --cql it sends a CQL v4 OPTIONS frame and prints
`open cql SUPPORTED` or `open not-cql FIRST-BYTES`.

usage: tcpcheck.py [--identity | --cql] [--timeout SECONDS] ADDRESS PORT
       tcpcheck.py --batch [--tries N] [--timeout SECONDS] < lines of `tcp|cql|identity ADDRESS PORT [LABEL...]`
"""
import argparse
import errno
import select
import socket
import struct
import sys
from concurrent.futures import ThreadPoolExecutor

IP_RECVERR = 11
IPV6_RECVERR = 25
SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3
# Per family: the control message that carries the error, the origin of an
# ICMP one, the offender's address within its sockaddr, and its label.
RECVERR = {
    (socket.IPPROTO_IP, IP_RECVERR): (SO_EE_ORIGIN_ICMP, socket.AF_INET, 4, 8, "icmp"),
    (socket.IPPROTO_IPV6, IPV6_RECVERR): (SO_EE_ORIGIN_ICMP6, socket.AF_INET6, 8, 24, "icmp6"),
}


def icmp_error(s):
    try:
        _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except OSError:
        return None
    # struct sock_extended_err (16 bytes), then the offender's sockaddr_in
    # or sockaddr_in6 (linux/errqueue.h).
    for level, typ, data in anc:
        if (level, typ) not in RECVERR or len(data) < 16:
            continue
        want_origin, family, lo, hi, label = RECVERR[(level, typ)]
        _, origin, itype, icode = struct.unpack("=IBBB", data[:7])
        if origin != want_origin:
            continue
        offender = data[16 + lo:16 + hi]
        addr = socket.inet_ntop(family, offender) if len(offender) == hi - lo else "?"
        return f"{label} type={itype} code={icode} from={addr}"
    return None


def check(kind, address, port, timeout):
    """One connection attempt of KIND (tcp, cql or identity), classified."""
    s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
    try:
        return attempt(s, kind, address, port, timeout)
    finally:
        s.close()


def attempt(s, kind, address, port, timeout):
    if s.family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.setblocking(False)
    rc = s.connect_ex((address, port))
    if rc == errno.ENETUNREACH:
        return "no-route"
    if rc not in (0, errno.EINPROGRESS):
        return f"error {errno.errorcode.get(rc, rc)}"
    _, w, x = select.select([], [s], [s], timeout)
    if not w and not x:
        return icmp_error(s) or "timeout"
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err == errno.ECONNREFUSED:
        return "refused"
    if err != 0:
        return icmp_error(s) or f"error {errno.errorcode.get(err, err)}"
    if kind == "cql":
        s.setblocking(True)
        s.settimeout(timeout)
        # CQL v4 header: version 0x04, flags 0, stream 1, opcode OPTIONS, length 0
        try:
            s.sendall(struct.pack(">BBhBI", 0x04, 0, 1, 0x05, 0))
            data = s.recv(4096)
        except OSError:
            data = b""
        if len(data) >= 9 and data[0] == 0x84 and data[4] == 0x06:
            return "open cql SUPPORTED"
        return "open not-cql " + repr(data[:16])
    if kind == "identity":
        s.setblocking(True)
        s.settimeout(timeout)
        data = b""
        try:
            s.sendall(b"REACHMAP/1 WHO lab-check lab\n")
            while not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        f = data.decode(errors="replace").split()
        if len(f) == 6 and f[0] == "REACHMAP/1" and f[1] == "IAM":
            return f"open name={f[2]} peer={f[4]}"
        return f"open not-a-responder {data[:40]!r}"
    return "open"


def check_tries(kind, address, port, timeout, tries):
    """check, tried again while it meets silence: on a loaded machine one
    late answer must not read as a dropped packet. A cell that is really
    silent is silent every time; an ICMP answer or a refusal is final."""
    r = check(kind, address, port, timeout)
    for _ in range(tries - 1):
        if r != "timeout" and not r.startswith("open not-a-responder b''") and \
                r != "open not-cql b''":
            break
        r = check(kind, address, port, timeout)
    return r


def batch(timeout, tries):
    """Lines `KIND ADDRESS PORT [LABEL...]` on stdin, all tried at once;
    prints each line back in the same order with the result appended. Each
    attempt is bounded by its own timeout; there is no budget for the whole."""
    jobs = []
    for line in sys.stdin:
        f = line.split()
        if len(f) >= 3 and f[0] in ("tcp", "cql", "identity") and f[2].isdigit():
            jobs.append(f)
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), 128))) as ex:
        results = list(ex.map(lambda f: check_tries(f[0], f[1], int(f[2]), timeout, tries), jobs))
    for f, r in zip(jobs, results):
        print(" ".join(f), r)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--identity", action="store_true")
    ap.add_argument("--cql", action="store_true")
    ap.add_argument("--batch", action="store_true",
                    help="read KIND ADDRESS PORT lines from stdin and try them all at once")
    ap.add_argument("--timeout", type=float, default=1.5)
    ap.add_argument("--tries", type=int, default=1,
                    help="with --batch, try a silent cell this many times")
    ap.add_argument("address", nargs="?")
    ap.add_argument("port", type=int, nargs="?")
    a = ap.parse_args()
    if a.batch:
        return batch(a.timeout, max(1, a.tries))
    if a.address is None or a.port is None:
        ap.error("ADDRESS and PORT are needed (or --batch)")
    kind = "cql" if a.cql else "identity" if a.identity else "tcp"
    print(check(kind, a.address, a.port, a.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
