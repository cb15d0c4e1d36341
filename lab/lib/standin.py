#!/usr/bin/python3
"""The lab's own stand-in, for when no reachmap binary is built: what
`reachmap serve --standins` does, enough for the lab's self-tests.

- the responder on tcp and udp 8788: `REACHMAP/1 WHO PROBE CLUSTER\\n` is
  answered `REACHMAP/1 IAM NAME CLUSTER SEEN-ADDRESS SEEN-PORT\\n` (the
  address the packet came from, so source NAT shows); a udp
  `REACHMAP/1 MTU SEQ\\n` datagram of N bytes is answered `REACHMAP/1 MTUOK SEQ N\\n`;
- stand-ins on the Cassandra ports: a CQL v4 OPTIONS frame on a cql port is
  answered SUPPORTED (CQL binary protocol v4, section 4.1.3 and 4.2.4); the
  other ports accept and close. A port already taken (by the not-cassandra
  web server) is left alone, as serve does.

With --family 6 it listens on IPv6 only (IPV6_V6ONLY), beside an IPv4
server on the same ports: the lab's dual-stack pods run it next to
`reachmap serve`.

usage: standin.py [--family 4|6] --name NAME --cluster CLUSTER [--cql PORT]... [PORT]...
Prints `standin: ready` once every listener is open. Runs until killed.
"""
import argparse
import selectors
import socket
import struct
import sys

RESPONDER_PORT = 8788
MAGIC = b"REACHMAP/1 "
# Version 0x84 (response, v4), flags 0, stream, opcode SUPPORTED 0x06.
OP_OPTIONS = 0x05
OP_SUPPORTED = 0x06


def string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def supported_body():
    """[string multimap]: a [short] count, then per key a [string] and a
    [string list] ([short] count, [string]s)."""
    mm = {"CQL_VERSION": ["3.4.5"], "COMPRESSION": ["lz4", "snappy"],
          "PROTOCOL_VERSIONS": ["4/v4"]}
    out = struct.pack(">H", len(mm))
    for k, vs in mm.items():
        out += string(k) + struct.pack(">H", len(vs)) + b"".join(string(v) for v in vs)
    return out


def cql_answer(data):
    """The answer to the bytes a client sent, or None while a frame header is
    incomplete; b"" means close."""
    if len(data) < 9:
        return None
    version, _flags, stream, opcode, length = struct.unpack(">BBhBI", data[:9])
    if version != 0x04 or opcode != OP_OPTIONS or length != 0:
        return b""
    body = supported_body()
    return struct.pack(">BBhBI", 0x84, 0, stream, OP_SUPPORTED, len(body)) + body


class Standin:
    def __init__(self, name, cluster, family=socket.AF_INET):
        self.name = name
        self.cluster = cluster
        self.family = family
        self.sel = selectors.DefaultSelector()

    def iam(self, peer):
        return MAGIC + f"IAM {self.name} {self.cluster} {peer[0]} {peer[1]}\n".encode()

    def listen(self, port, kind, stype=socket.SOCK_STREAM):
        s = socket.socket(self.family, stype)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            s.bind(("::" if self.family == socket.AF_INET6 else "0.0.0.0", port))
        except OSError as e:
            print(f"no stand-in on {port}: {e.strerror}", flush=True)
            s.close()
            return
        if stype == socket.SOCK_STREAM:
            s.listen(128)
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ, (kind, b""))

    def on_datagram(self, s):
        try:
            data, peer = s.recvfrom(65536)
        except OSError:
            return
        line = data.split(b"\n", 1)[0]
        f = line.split(b" ")
        if line.startswith(MAGIC) and len(f) == 4 and f[1] == b"WHO":
            s.sendto(self.iam(peer), peer)
        elif line.startswith(MAGIC) and len(f) == 3 and f[1] == b"MTU":
            s.sendto(MAGIC + b"MTUOK " + f[2] + b" %d\n" % len(data), peer)

    def on_stream(self, c, kind, buf):
        try:
            data = c.recv(4096)
        except OSError:
            data = b""
        buf += data
        answer = None
        if data and kind == "cql":
            answer = cql_answer(buf)
        elif data and kind == "responder" and b"\n" in buf:
            f = buf.split(b"\n", 1)[0].split(b" ")
            answer = self.iam(c.getpeername()) if len(f) == 4 and f[1] == b"WHO" else b""
        if data and answer is None and len(buf) < 4096:
            self.sel.modify(c, selectors.EVENT_READ, (kind + "-conn", buf))
            return
        try:
            if answer:
                c.setblocking(True)
                c.settimeout(1)
                c.sendall(answer)
        except OSError:
            pass
        self.sel.unregister(c)
        c.close()

    def run(self):
        while True:
            for key, _ in self.sel.select(timeout=5):
                s, (kind, buf) = key.fileobj, key.data
                if kind == "udp":
                    self.on_datagram(s)
                elif kind.endswith("-conn"):
                    self.on_stream(s, kind[:-5], buf)
                else:
                    try:
                        c, _ = s.accept()
                    except OSError:
                        continue
                    if kind == "plain":
                        c.close()
                        continue
                    c.setblocking(False)
                    self.sel.register(c, selectors.EVENT_READ, (kind + "-conn", b""))


def main():
    ap = argparse.ArgumentParser(description="the lab's own stand-in listeners")
    ap.add_argument("--name", required=True)
    ap.add_argument("--cluster", required=True)
    ap.add_argument("--cql", type=int, action="append", default=[])
    ap.add_argument("--family", type=int, choices=(4, 6), default=4)
    ap.add_argument("ports", type=int, nargs="*")
    a = ap.parse_args()
    st = Standin(a.name, a.cluster, socket.AF_INET6 if a.family == 6 else socket.AF_INET)
    st.listen(RESPONDER_PORT, "responder")
    st.listen(RESPONDER_PORT, "udp", socket.SOCK_DGRAM)
    for p in a.cql:
        st.listen(p, "cql")
    for p in a.ports:
        if p not in a.cql and p != RESPONDER_PORT:
            st.listen(p, "plain")
    print("standin: ready", flush=True)
    st.run()


if __name__ == "__main__":
    sys.exit(main())
