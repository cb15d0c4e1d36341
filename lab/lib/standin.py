#!/usr/bin/python3
"""The lab's Cassandra-like listener (until `reachmap serve --standins` takes
its place): accepts on the given TCP ports. On CQL ports it answers a CQL
native protocol v4 OPTIONS frame with SUPPORTED (protocol v4 spec, sections
2 and 4.2.4); on the identity port it answers with its name and the peer
address it saw (proof of source NAT); other ports accept and close. Every
accepted connection is logged as `accept PORT PEER`.

usage: standin.py --name NAME --log FILE [--cql PORT]... [--identity PORT]
                  [--not-cql] PORT...
"""
import argparse
import selectors
import socket
import struct
import sys
import time

SUPPORTED_BODY = {"CQL_VERSION": ["3.4.5"], "COMPRESSION": ["lz4", "snappy"],
                  "PROTOCOL_VERSIONS": ["3/v3", "4/v4"]}


def cql_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def supported_frame(stream):
    body = struct.pack(">H", len(SUPPORTED_BODY))
    for k, vs in SUPPORTED_BODY.items():
        body += cql_string(k) + struct.pack(">H", len(vs))
        for v in vs:
            body += cql_string(v)
    # version 0x84: response, protocol v4; flags 0; opcode 0x06 SUPPORTED
    return struct.pack(">BBhBI", 0x84, 0, stream, 0x06, len(body)) + body


def ready_frame(stream):
    return struct.pack(">BBhBI", 0x84, 0, stream, 0x02, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cql", type=int, action="append", default=[])
    ap.add_argument("--identity", type=int, default=0)
    ap.add_argument("--not-cql", action="store_true",
                    help="answer CQL ports with an HTTP error, like a web server would")
    ap.add_argument("ports", type=int, nargs="*")
    a = ap.parse_args()
    log = open(a.log, "a", buffering=1)
    sel = selectors.DefaultSelector()
    ports = set(a.ports) | set(a.cql) | ({a.identity} if a.identity else set())
    for p in sorted(ports):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", p))
        s.listen(128)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("listen", p))
    log.write(f"ready {a.name} {' '.join(map(str, sorted(ports)))}\n")
    conns = {}
    while True:
        for key, _ in sel.select(timeout=5):
            kind, port = key.data
            if kind == "listen":
                try:
                    c, peer = key.fileobj.accept()
                except OSError:
                    continue
                log.write(f"accept {port} {peer[0]}\n")
                if port == a.identity:
                    c.setblocking(True)
                    c.settimeout(1)
                    try:
                        c.recv(1024)
                    except OSError:
                        pass
                    msg = f"name={a.name} peer={peer[0]}\n"
                    try:
                        c.sendall(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                                   f"Content-Length: {len(msg)}\r\n\r\n{msg}").encode())
                    except OSError:
                        pass
                    c.close()
                elif port in a.cql:
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, ("cql", port))
                    conns[c] = (b"", time.monotonic())
                else:
                    c.close()
            else:
                c = key.fileobj
                try:
                    data = c.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(c)
                    conns.pop(c, None)
                    c.close()
                    continue
                buf = conns.get(c, (b"", 0))[0] + data
                if a.not_cql:
                    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                              b"Connection: close\r\n\r\n")
                    sel.unregister(c)
                    conns.pop(c, None)
                    c.close()
                    continue
                while len(buf) >= 9:
                    ver, flags, stream, op, length = struct.unpack(">BBhBI", buf[:9])
                    if len(buf) < 9 + length:
                        break
                    buf = buf[9 + length:]
                    if op == 0x05:  # OPTIONS
                        c.sendall(supported_frame(stream))
                    elif op == 0x01:  # STARTUP
                        c.sendall(ready_frame(stream))
                conns[c] = (buf, time.monotonic())
        # Drop idle CQL connections after 30 s: a bounded lab process.
        now = time.monotonic()
        for c in [c for c, (_, t) in conns.items() if now - t > 30]:
            sel.unregister(c)
            conns.pop(c)
            c.close()


if __name__ == "__main__":
    sys.exit(main())
