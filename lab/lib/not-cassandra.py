#!/usr/bin/python3
"""Something other than Cassandra on a Cassandra port: a web server that
answers whatever comes with `HTTP/1.1 400 Bad Request`, as an HTTP service
wrongly placed on 9042 would. For the lab's not-cassandra scenario.

usage: not-cassandra.py PORT...
"""
import selectors
import socket
import sys


def main():
    sel = selectors.DefaultSelector()
    for p in map(int, sys.argv[1:]):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", p))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, "listen")
    print("ready", flush=True)
    while True:
        for key, _ in sel.select(timeout=5):
            if key.data == "listen":
                try:
                    c, _ = key.fileobj.accept()
                except OSError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ, "conn")
                continue
            c = key.fileobj
            try:
                data = c.recv(4096)
                if data:
                    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                              b"Connection: close\r\n\r\n")
            except OSError:
                pass
            sel.unregister(c)
            c.close()


if __name__ == "__main__":
    sys.exit(main())
