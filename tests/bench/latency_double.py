#!/usr/bin/env python3
"""A Yandex SpeechKit v1 stand-in for throughput benchmarks: every request waits --delay
seconds (the service's latency) and answers one pre-made clip of real espeak-ng speech as
raw 16-bit PCM, so the double costs almost no CPU and the client is what is measured."""
import argparse, io, socket, subprocess, threading, time, wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=0)
p.add_argument("--delay", type=float, default=0.2)
p.add_argument("--key", default="bench-key")
a = p.parse_args()
wav = subprocess.run(["espeak-ng", "-v", "ru", "--stdout", "Чтобы соединиться с Иваном Петровым, нажмите один."],
                     check=True, capture_output=True).stdout
with wave.open(io.BytesIO(wav)) as w:
    pcm22 = w.readframes(w.getnframes())
# Crude 22050 -> 16000 decimation is fine for a benchmark double.
samples = memoryview(pcm22).cast("h")
step = 22050 / 16000
pcm16 = bytearray()
i = 0.0
while int(i) < len(samples):
    pcm16 += int(samples[int(i)]).to_bytes(2, "little", signed=True)
    i += step
lock = threading.Lock()
count = [0]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        # Without this, Nagle's algorithm holds the body behind the headers until the client's
        # delayed ACK (~40 ms): the double, not the client, would set the pace.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Authorization") != "Api-Key " + a.key:
            self.send_response(401); self.send_header("Content-Length", "0"); self.end_headers(); return
        time.sleep(a.delay)
        with lock:
            count[0] += 1
        head = ("HTTP/1.1 200 OK\r\nContent-Type: audio/x-pcm\r\nContent-Length: %d\r\n\r\n"
                % len(pcm16)).encode()
        self.wfile.write(head + pcm16)  # one write

    def do_GET(self):
        body = str(count[0]).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 128
s = ThreadingHTTPServer(("127.0.0.1", a.port), H)
print(s.server_address[1], flush=True)
s.serve_forever()
