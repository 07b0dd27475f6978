"""Shared parts of the TTS service doubles (yandex_tts.py, speechpro.py).

Real speech from espeak-ng, resampling, failure injection through POST /_control, request
counts through GET /_stats, and a threaded HTTP/1.1 server on 127.0.0.1. Standard library only.

POST /_control takes a JSON object; any of:
  {"reset": true}                                   clear faults and counters
  {"fail": {"status": 429, "count": 2, "retry_after": 1, "message": "..."}}
                                                    answer the next `count` requests with it
  {"delay": {"seconds": 2.5, "count": 1}}           sleep before answering (count: null = all)
plus whatever the double itself adds (see its docstring).
"""

import array
import io
import json
import re
import subprocess
import sys
import threading
import time
import uuid
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ESPEAK_RATE = 22050


def strip_markup(text):
    """Yandex TTS markup (stress marks, pauses, emphasis, phonemes) is not for espeak."""
    text = re.sub(r"sil\s*<\[\s*\d+\s*\]>", " ", text)
    text = re.sub(r"<\[\s*\w+\s*\]>", " ", text)
    text = re.sub(r"\[\[.*?\]\]", " ", text)
    return text.replace("**", "").replace("+", "")


def speak(text, lang="ru", speed=1.0):
    """Mono s16le PCM at 22050 Hz, spoken by espeak-ng."""
    words_per_minute = str(max(80, min(450, int(175 * speed))))
    wav = subprocess.run(
        ["espeak-ng", "-v", lang, "-s", words_per_minute, "--stdout", strip_markup(text)],
        check=True, capture_output=True, timeout=30).stdout
    with wave.open(io.BytesIO(wav)) as w:
        # espeak-ng writes a placeholder length when it streams to stdout; read what is there.
        pcm = w.readframes(1 << 30)
    return pcm[: len(pcm) // 2 * 2]


def resample(pcm, src, dst):
    """Linear interpolation between neighbouring samples: crude, but it is a test double."""
    if src == dst:
        return pcm
    samples = array.array("h")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    n = len(samples)
    out = array.array("h", bytes(2 * (n * dst // src)))
    for i in range(len(out)):
        pos = i * src / dst
        j = int(pos)
        frac = pos - j
        a = samples[min(j, n - 1)]
        b = samples[min(j + 1, n - 1)]
        out[i] = int(round(a + (b - a) * frac))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


def to_wav(pcm, rate):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


class State:
    """Faults to inject and what was asked, shared by all handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.fail = None
        self.delay = None
        self.extra = {}
        self.stats = {"requests": 0, "synthesize": 0, "by_text": {}}

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] = self.stats.get(key, 0) + n

    def synthesized(self, text):
        with self.lock:
            self.stats["synthesize"] += 1
            self.stats["by_text"][text] = self.stats["by_text"].get(text, 0) + 1

    def take(self, name):
        """The fault `name` if armed, counting one use; None otherwise."""
        with self.lock:
            fault = getattr(self, name) if name in ("fail", "delay") else self.extra.get(name)
            if not fault:
                return None
            if fault.get("count") is not None:
                fault["count"] -= 1
                if fault["count"] <= 0:
                    if name in ("fail", "delay"):
                        setattr(self, name, None)
                    else:
                        self.extra.pop(name, None)
            return fault

    def control(self, doc, extra_keys):
        with self.lock:
            if doc.get("reset"):
                self.reset()
            if "fail" in doc:
                self.fail = dict(doc["fail"]) if doc["fail"] else None
                if self.fail:
                    self.fail.setdefault("count", 1)
            if "delay" in doc:
                self.delay = dict(doc["delay"]) if doc["delay"] else None
            for key in extra_keys:
                if key not in doc:
                    continue
                value = doc[key]  # true: until reset; N: the next N times; false/0: off
                if value is True:
                    self.extra[key] = {"count": None}
                elif not value:
                    self.extra.pop(key, None)
                elif isinstance(value, int):
                    self.extra[key] = {"count": value}
                else:
                    self.extra[key] = dict(value)


class Handler(BaseHTTPRequestHandler):
    """Routes API requests to `self.route(method, path)`; the subclass answers them."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the real services do
    state = None
    verbose = False
    extra_control = ()  # control keys the double adds

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # -- helpers for the subclasses
    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def send(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-request-id", str(uuid.uuid4()))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_chunked(self, status, parts, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", str(uuid.uuid4()))
        self.end_headers()
        for part in parts:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def error_body(self, status, message):
        """The service's error document; subclasses override."""
        return {"error": message, "status": status}

    # -- dispatch
    def handle_any(self):
        path = self.path.split("?")[0]
        if path == "/_stats" and self.command == "GET":
            with self.state.lock:
                return self.send(200, json.loads(json.dumps(self.state.stats)))
        if path == "/_control" and self.command == "POST":
            try:
                doc = json.loads(self.body() or b"{}")
            except ValueError:
                return self.send(400, {"error": "control body is not JSON"})
            self.state.control(doc, self.extra_control)
            self.on_control(doc)
            return self.send(200, {"ok": True})
        self.state.count("requests")
        body = self.body()
        delay = self.state.take("delay")
        if delay:
            time.sleep(float(delay.get("seconds", 1)))
        fail = self.state.take("fail")
        if fail:
            status = int(fail.get("status", 500))
            headers = []
            if fail.get("retry_after") is not None:
                headers.append(("Retry-After", str(fail["retry_after"])))
            message = fail.get("message") or {
                429: "Too many requests", 401: "Unauthorized", 403: "Permission denied",
                503: "Service unavailable"}.get(status, "Internal server error")
            return self.send(status, self.error_body(status, message), headers=headers)
        self.route(self.command, path, body)

    do_GET = do_POST = do_DELETE = do_PUT = handle_any

    def on_control(self, doc):
        """Control keys that act at once rather than arm a fault; subclasses override."""

    def route(self, method, path, body):
        self.send(404, self.error_body(404, "no such method: %s %s" % (method, path)))


def serve(handler_class, parser, configure):
    """Parses the arguments, binds 127.0.0.1:--port, prints the port, serves until killed."""
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args()
    handler_class.state = State()
    handler_class.verbose = args.verbose
    configure(handler_class, args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0

