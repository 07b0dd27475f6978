#!/usr/bin/env python3
"""A tiny FastAGI server, a test double for `smartroute serve-agi` (standard library only).

Per connection: reads the AGI header up to the empty line; optionally plays one prompt with
STREAM FILE (--play, escape digits --digits) and reads its reply; sends
SET VARIABLE SMARTROUTE_TARGET "<--target>"; reads the reply; closes. Strictly one command
at a time: a second command sent before the reply stalls or interrupts Asterisk. Each session
is appended to --log as one JSON line: {"header": {...}, "replies": [...]}. Prints the port it
listens on first.
"""
import argparse
import json
import socketserver
import sys
import threading

lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    def readline(self):
        while True:
            line = self.rfile.readline(8192)
            if not line:
                raise EOFError("Asterisk closed the connection")
            text = line.decode("utf-8", "replace").rstrip("\n")
            if text != "HANGUP":  # the unsolicited hangup notice, between replies
                return text

    def command(self, line, replies):
        self.wfile.write((line + "\n").encode())
        self.wfile.flush()
        reply = self.readline()
        while reply.startswith("100 ") or reply.startswith("520-"):
            if reply.startswith("520-"):
                while not reply.startswith("520 "):
                    reply = self.readline()
                break
            reply = self.readline()
        replies.append({"command": line, "reply": reply})

    def handle(self):
        opts = self.server.opts
        self.request.settimeout(opts.timeout)
        header, replies = {}, []
        try:
            while True:
                line = self.readline()
                if line == "":
                    break
                key, _, value = line.partition(": ")
                header[key] = value
            if opts.play:
                self.command(f'STREAM FILE "{opts.play}" "{opts.digits}"', replies)
            self.command(f'SET VARIABLE SMARTROUTE_TARGET "{opts.target}"', replies)
        except (EOFError, OSError) as e:
            replies.append({"error": str(e)})
        if opts.log:
            with lock, open(opts.log, "a", encoding="utf-8") as f:
                f.write(json.dumps({"header": header, "replies": replies}) + "\n")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: any free port")
    p.add_argument("--target", default="201", help="value of SMARTROUTE_TARGET")
    p.add_argument("--play", help="STREAM FILE this (absolute path, no extension) first")
    p.add_argument("--digits", default="0123456789*#", help="escape digits of STREAM FILE")
    p.add_argument("--timeout", type=float, default=30.0, help="per-read deadline, s")
    p.add_argument("--log", help="append one JSON line per session here")
    opts = p.parse_args()
    server = Server((opts.host, opts.port), Handler)
    server.opts = opts
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
