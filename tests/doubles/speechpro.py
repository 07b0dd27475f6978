#!/usr/bin/env python3
"""A local double of the Speech Technology Center (speechpro) cloud TTS, as tts.md §2 describes it.

  POST   /vksession/rest/session            {"username","password","domain_id"} -> {"session_id"}
  GET    /vksession/rest/session            X-Session-ID -> {"is_active": bool}
  DELETE /vksession/rest/session            X-Session-ID: log out
  POST   /vktts/rest/v1/synthesize          {"voice_name","text":{"mime","value"},"audio"}
                                            -> {"data": base64 of a WAV at 22050 Hz}
  GET    /vktts/rest/v1/languages           [{"id","name"}]
  GET    /vktts/rest/v1/languages/Russian/voices   [{"id","name","gender"}]

Errors are {"reason","message"}. The audio is real speech from espeak-ng, and the WAV's rate is
not the 8000 Hz a "_8000n" name suggests: the client must read the header.

Control (besides tts_common's fail/delay/reset):
  {"expire_sessions": true}   every open session is rejected from now on (401)
  {"expire_next_session": N}  the next N sessions expire as soon as they are created, so the
                              first request with each gets 401 (expiry between two requests)
  {"no_data": N}              the next N syntheses answer 200 without "data" (quota exhausted)
GET /_stats adds "logins", "logouts" and "sessions" (open now).
Prints the port on the first line of stdout.
"""

import argparse
import base64
import json
import sys
import uuid

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tts_common import ESPEAK_RATE, Handler, serve, speak, to_wav

SESSION = "/vksession/rest/session"
SYNTHESIZE = "/vktts/rest/v1/synthesize"
LANGUAGES = "/vktts/rest/v1/languages"
DEFAULT_VOICES = "Julia_8000n,Julia_n,Vladimir_8000n,Vladimir_n,Anna_8000n,Anna_n,Dasha_8000n"
FEMALE = ("Julia", "Anna", "Dasha", "Asel", "Carol", "Lydia", "Maria", "Viktoriya")


class SpeechPro(Handler):
    user = password = domain_id = None
    voices = []
    sessions = {}  # session id -> active
    extra_control = ("no_data", "expire_next_session")

    def error_body(self, status, message):
        reason = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                  415: "UNSUPPORTED_MEDIA_TYPE", 429: "TOO_MANY_REQUESTS"}.get(
                      status, "INTERNAL_SERVER_ERROR")
        return {"reason": reason, "message": message}

    def fail(self, status, message):
        self.send(status, self.error_body(status, message))

    def on_control(self, doc):
        if doc.get("expire_sessions"):
            with self.state.lock:
                for sid in self.sessions:
                    self.sessions[sid] = False
        if doc.get("reset"):
            with self.state.lock:
                self.sessions.clear()

    def session_ok(self):
        """True for an open session; else answers 401 and returns False."""
        sid = self.headers.get("X-Session-ID")  # header names are case-insensitive
        with self.state.lock:
            active = self.sessions.get(sid, False)
        if not active:
            self.fail(401, "Session is not active" if sid else "X-Session-ID header is missing")
        return active

    def json_body(self, body):
        if self.content_type() != "application/json":
            self.fail(415, "Content type '%s' not supported" % (self.content_type() or "none"))
            return None
        try:
            doc = json.loads(body)
        except ValueError as e:
            self.fail(400, "JSON parse error: %s" % e)
            return None
        if not isinstance(doc, dict):
            self.fail(400, "JSON object expected")
            return None
        return doc

    def route(self, method, path, body):
        if path == SESSION and method == "POST":
            return self.login(body)
        if path == SESSION and method in ("GET", "DELETE"):
            sid = self.headers.get("X-Session-ID")
            with self.state.lock:
                active = self.sessions.get(sid, False)
                if method == "DELETE" and sid in self.sessions:
                    del self.sessions[sid]
                    self.state.stats["logouts"] = self.state.stats.get("logouts", 0) + 1
                    self.state.stats["sessions"] = len(self.sessions)
            if method == "GET":
                return self.send(200, {"is_active": active})
            return self.send(200 if active else 401,
                             {} if active else self.error_body(401, "Session is not active"))
        if path == SYNTHESIZE and method == "POST":
            return self.synthesize(body)
        if path == LANGUAGES and method == "GET":
            if self.session_ok():
                self.send(200, [{"id": "1", "name": "Russian"}, {"id": "2", "name": "English"}])
            return
        if path.startswith(LANGUAGES + "/") and path.endswith("/voices") and method == "GET":
            if not self.session_ok():
                return
            language = path[len(LANGUAGES) + 1:-len("/voices")]
            if language != "Russian":
                return self.send(200, [])
            return self.send(200, [
                {"id": str(i + 1), "name": v,
                 "gender": "FEMALE" if v.startswith(FEMALE) else "MALE"}
                for i, v in enumerate(self.voices)])
        self.fail(404, "No handler for %s %s" % (method, path))

    def login(self, body):
        doc = self.json_body(body)
        if doc is None:
            return
        for field in ("username", "password", "domain_id"):
            if field not in doc:
                return self.fail(400, "%s is required" % field)
        # domain_id is an int in AuthRequestDto; the sessionless Credentials send a string.
        if (doc["username"] != self.user or doc["password"] != self.password
                or str(doc["domain_id"]) != str(self.domain_id)):
            return self.fail(401, "Invalid credentials")
        sid = str(uuid.uuid4())
        expired = bool(self.state.take("expire_next_session"))
        with self.state.lock:
            self.sessions[sid] = not expired
            self.state.stats["logins"] = self.state.stats.get("logins", 0) + 1
            self.state.stats["sessions"] = len(self.sessions)
        self.send(200, {"session_id": sid})

    def synthesize(self, body):
        if not self.session_ok():
            return
        doc = self.json_body(body)
        if doc is None:
            return
        voice, text, audio = doc.get("voice_name"), doc.get("text"), doc.get("audio")
        if not voice or not isinstance(text, dict) or not audio:
            return self.fail(400, "voice_name, text and audio are required")
        if voice not in self.voices:
            return self.fail(400, "Voice '%s' not found" % voice)
        if text.get("mime") not in ("text/plain", "application/ssml+xml"):
            return self.fail(400, "Unsupported text mime '%s'" % text.get("mime"))
        value = text.get("value")
        if not isinstance(value, str) or not value.strip():
            return self.fail(400, "Text is empty")
        if audio != "audio/wav":
            return self.fail(400, "This double produces audio/wav only, not '%s'" % audio)
        if self.state.take("no_data"):
            return self.send(200, {})
        wav = to_wav(speak(value, "ru"), ESPEAK_RATE)
        self.state.synthesized(value)
        self.send(200, {"data": base64.b64encode(wav).decode()})


def configure(handler, args):
    handler.user = args.user
    handler.password = args.password
    handler.domain_id = args.domain_id
    handler.voices = [v for v in args.voices.split(",") if v]
    handler.sessions = {}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--domain-id", type=int, default=200)
    parser.add_argument("--voices", default=DEFAULT_VOICES, help="comma-separated voice names")
    sys.exit(serve(SpeechPro, parser, configure))
