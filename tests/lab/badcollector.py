#!/usr/bin/python3
"""A collector that fails, for the agents' reliability test: every request
is answered 500 (mode 500), or read and never answered (mode hang: the
connection stays open until the client gives up, or 300 s).

usage: badcollector.py ADDRESS PORT 500|hang
Prints `badcollector: ready` once listening, then one line per request."""
import http.server
import socketserver
import sys
import time

HANG_S = 300


class Failing(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def fail(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        body = b'{"error": "the test\'s bad collector always fails"}\n'
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        print(f"badcollector: {self.command} {self.path} answered 500", flush=True)

    do_GET = do_POST = do_PUT = fail

    def log_message(self, *args):
        pass


class Hanging(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(HANG_S)
        print("badcollector: a connection, never answered", flush=True)
        end = time.monotonic() + HANG_S
        try:
            while time.monotonic() < end and self.request.recv(65536):
                pass
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in ("500", "hang"):
        print(__doc__, file=sys.stderr)
        return 2
    handler = Failing if sys.argv[3] == "500" else Hanging
    with Server((sys.argv[1], int(sys.argv[2])), handler) as s:
        print("badcollector: ready", flush=True)
        s.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
