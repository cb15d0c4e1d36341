#!/usr/bin/python3
"""One TCP connection attempt, classified the way reachmap classifies it:
prints `open`, `refused`, `timeout`, `no-route` (the local kernel has no
route) or `icmp type=T code=C from=ADDR` (an ICMP error answered the SYN; read
from the socket's error queue, IP_RECVERR, so the code and the router that
sent it are known). With --identity it asks a reachmap responder who it is
(REACHMAP/1 WHO) and prints `open name=NAME peer=SEEN-ADDRESS`; with --cql it sends a CQL v4 OPTIONS frame and prints
`open cql SUPPORTED` or `open not-cql FIRST-BYTES`.

usage: tcpcheck.py [--identity | --cql] [--timeout SECONDS] ADDRESS PORT
"""
import argparse
import errno
import select
import socket
import struct
import sys

IP_RECVERR = 11
SO_EE_ORIGIN_ICMP = 2


def icmp_error(s):
    try:
        _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except OSError:
        return None
    for level, typ, data in anc:
        if level == socket.IPPROTO_IP and typ == IP_RECVERR and len(data) >= 16:
            ee_errno, origin, itype, icode = struct.unpack("=IBBB", data[:7])
            if origin != SO_EE_ORIGIN_ICMP:
                continue
            offender = data[16:32]
            addr = "?"
            if len(offender) >= 8:
                addr = socket.inet_ntoa(offender[4:8])
            return f"icmp type={itype} code={icode} from={addr}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--identity", action="store_true")
    ap.add_argument("--cql", action="store_true")
    ap.add_argument("--timeout", type=float, default=1.5)
    ap.add_argument("address")
    ap.add_argument("port", type=int)
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.setblocking(False)
    rc = s.connect_ex((a.address, a.port))
    if rc == errno.ENETUNREACH:
        print("no-route")
        return 0
    if rc not in (0, errno.EINPROGRESS):
        print(f"error {errno.errorcode.get(rc, rc)}")
        return 0
    _, w, x = select.select([], [s], [s], a.timeout)
    if not w and not x:
        print(icmp_error(s) or "timeout")
        return 0
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err == 0:
        if a.cql:
            s.setblocking(True)
            s.settimeout(a.timeout)
            # CQL v4 header: version 0x04, flags 0, stream 1, opcode OPTIONS, length 0
            try:
                s.sendall(struct.pack(">BBhBI", 0x04, 0, 1, 0x05, 0))
                data = s.recv(4096)
            except OSError:
                data = b""
            if len(data) >= 9 and data[0] == 0x84 and data[4] == 0x06:
                print("open cql SUPPORTED")
            else:
                print("open not-cql " + repr(data[:16]))
            return 0
        if a.identity:
            s.setblocking(True)
            s.settimeout(a.timeout)
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
                print(f"open name={f[2]} peer={f[4]}")
            else:
                print(f"open not-a-responder {data[:40]!r}")
            return 0
        else:
            print("open")
        return 0
    if err == errno.ECONNREFUSED:
        print("refused")
        return 0
    print(icmp_error(s) or f"error {errno.errorcode.get(err, err)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
