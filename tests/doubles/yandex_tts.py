#!/usr/bin/env python3
"""A local double of Yandex SpeechKit TTS (API v1 and v3 REST), as tts.md §1 describes it.

  POST /speech/v1/tts:synthesize       form fields -> raw s16le (lpcm) at sampleRateHertz
  POST /tts/v3/utteranceSynthesis      JSON -> newline-delimited JSON with base64 audio chunks

Authorization is "Api-Key <--key>" or "Bearer <--token>"; a wrong one gets 401, a
--forbidden-key gets 403. With --folder-id a Bearer (user account) request must name that
folder (v1 form field folderId, v3 header x-folder-id). The audio is real speech from espeak-ng.

Control (besides tts_common's fail/delay/reset):
  {"no_audio": N}       the next N v3 answers are 200 with no audio chunk
  {"stream_error": N}   the next N v3 answers stop with an {"error": ...} line after one chunk
Prints the port on the first line of stdout.
"""

import argparse
import base64
import email.parser
import email.policy
import json
import sys
import uuid
from urllib.parse import parse_qs

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from tts_common import ESPEAK_RATE, Handler, resample, serve, speak, to_wav

# tts.md §1.6: roles with the default first; None = roles exist but are not listed.
VOICES = {
    "alena": ("ru-RU", ["neutral", "good"], True),
    "filipp": ("ru-RU", [], True),
    "ermil": ("ru-RU", ["neutral", "good"], True),
    "jane": ("ru-RU", ["neutral", "good", "evil"], True),
    "omazh": ("ru-RU", ["neutral", "evil"], True),
    "zahar": ("ru-RU", ["neutral", "good"], True),
    "marina": ("ru-RU", ["neutral", "whisper", "friendly"], True),
    "madi_ru": ("ru-RU", [], True),
    "dasha": ("ru-RU", ["neutral", "good", "friendly"], False),
    "julia": ("ru-RU", ["neutral", "strict"], False),
    "lera": ("ru-RU", ["neutral", "friendly"], False),
    "masha": ("ru-RU", ["good", "strict", "friendly"], False),
    "alexander": ("ru-RU", ["neutral", "good"], False),
    "kirill": ("ru-RU", ["neutral", "strict", "good"], False),
    "anton": ("ru-RU", ["neutral", "good"], False),
    "saule_ru": ("ru-RU", None, False),
    "zamira_ru": ("ru-RU", None, False),
    "zhanar_ru": ("ru-RU", None, False),
    "yulduz_ru": ("ru-RU", None, False),
    "john": ("en-US", None, True),
}
ALIASES = {"madirus": "madi_ru"}
ROLES = {"neutral", "good", "evil", "friendly", "strict", "whisper"}
LANGS = {"ru-RU": "ru", "en-US": "en-us", "kk-KK": "kk", "de-DE": "de", "uz-UZ": "uz",
         "he-IL": "he"}
HINT_KEYS = {"voice", "role", "speed", "volume", "pitchShift", "audioTemplate", "duration"}


class BadRequest(Exception):
    pass


class Yandex(Handler):
    key = token = forbidden_key = folder_id = None
    extra_control = ("no_audio", "stream_error")

    def error_body(self, status, message):
        code = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                503: "UNAVAILABLE"}.get(status, "INTERNAL")
        return {"error_code": code, "error_message": message}

    def fail(self, status, message):
        self.send(status, self.error_body(status, message))

    def authorize(self, folder):
        """True when the request may go on; else it has been answered with 400/401/403."""
        auth = self.headers.get("Authorization") or ""
        scheme, _, credential = auth.partition(" ")
        problem = None
        if scheme == "Api-Key" and credential == self.forbidden_key:
            problem = (403, "Permission to [resource-manager.folder] denied")
        elif scheme == "Api-Key" and credential == self.key:
            return True
        elif scheme == "Bearer" and credential == self.token:
            if self.folder_id and not folder:
                problem = (400, "folder id is required for a user account")
            elif self.folder_id and folder != self.folder_id:
                problem = (403, "Permission denied to folder %s" % folder)
            else:
                return True
        else:
            problem = (401, "The token is invalid" if auth else "Authorization header is missing")
        self.fail(*problem)
        return False

    def route(self, method, path, body):
        try:
            if method == "POST" and path == "/speech/v1/tts:synthesize":
                return self.v1(body)
            if method == "POST" and path == "/tts/v3/utteranceSynthesis":
                return self.v3(body)
        except BadRequest as e:
            return self.fail(400, str(e))
        self.fail(404, "Not found: %s %s" % (method, path))

    # -- API v1 ---------------------------------------------------------------------------
    def form(self, body):
        ctype = self.content_type()
        if ctype == "application/x-www-form-urlencoded":
            try:
                fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise BadRequest("text must be UTF-8")
            return {k: v[0] for k, v in fields.items()}
        if ctype == "multipart/form-data":
            head = b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n"
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
            return {part.get_param("name", header="content-disposition"):
                    part.get_payload(decode=True).decode("utf-8") for part in msg.iter_parts()}
        raise BadRequest("unsupported content-type: %s" % (ctype or "none"))

    def v1(self, body):
        if len(body) > 15 * 1024:
            raise BadRequest("request body is larger than 15 KB")
        try:
            fields, problem = self.form(body), None
        except BadRequest as e:
            fields, problem = {}, e
        # The key is looked at first, as at the real gateway; the parameters after it.
        if not self.authorize(fields.get("folderId")):
            return
        if problem:
            raise problem
        text, ssml = fields.get("text"), fields.get("ssml")
        if text is not None and ssml is not None:
            raise BadRequest("use either text or ssml, not both")
        spoken = text if text is not None else ssml
        if not spoken:
            raise BadRequest("text is empty")
        if len(spoken) > 5000:
            raise BadRequest("text is longer than 5000 characters")
        lang = fields.get("lang", "ru-RU")
        if lang not in LANGS:
            raise BadRequest("unsupported lang: %s" % lang)
        voice = ALIASES.get(fields.get("voice", "marina"), fields.get("voice", "marina"))
        roles = self.check_voice(voice, v1=True)
        self.check_role(voice, roles, fields.get("emotion"))
        speed = self.check_speed(fields.get("speed", "1.0"))
        fmt = fields.get("format", "oggopus")
        if fmt not in ("lpcm", "oggopus", "mp3"):
            raise BadRequest("unsupported format: %s" % fmt)
        if fmt != "lpcm":
            raise BadRequest("this double produces format=lpcm only, not %s" % fmt)
        rate = fields.get("sampleRateHertz", "48000")
        if rate not in ("8000", "16000", "48000"):
            raise BadRequest("sampleRateHertz must be 8000, 16000 or 48000, not %s" % rate)
        if len(fields.get("folderId", "")) > 50:
            raise BadRequest("folderId is longer than 50 characters")
        pcm = resample(speak(spoken, LANGS[lang], speed), ESPEAK_RATE, int(rate))
        self.state.synthesized(spoken)
        self.send(200, pcm, content_type="application/octet-stream",
                  headers=[("x-server-trace-id", str(uuid.uuid4()))])

    # -- API v3 ---------------------------------------------------------------------------
    def v3(self, body):
        if not self.authorize(self.headers.get("x-folder-id")):
            return
        if self.content_type() != "application/json":
            raise BadRequest("unsupported content-type: %s" % (self.content_type() or "none"))
        try:
            req = json.loads(body)
        except ValueError as e:
            raise BadRequest("invalid JSON: %s" % e)
        if not isinstance(req, dict):
            raise BadRequest("the body must be a JSON object")
        text = req.get("text")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("text is empty")
        if len(text) > 250 and not req.get("unsafeMode"):
            raise BadRequest("text is longer than 250 characters; use unsafeMode")
        hints = {}
        for hint in req.get("hints", []):
            if not isinstance(hint, dict) or len(hint) != 1 or not set(hint) <= HINT_KEYS:
                raise BadRequest("each hint must hold exactly one of %s" % sorted(HINT_KEYS))
            hints.update(hint)
        voice = ALIASES.get(hints.get("voice", "marina"), hints.get("voice", "marina"))
        roles = self.check_voice(voice, v1=False)
        self.check_role(voice, roles, hints.get("role"))
        speed = self.check_speed(hints.get("speed", "1.0"))
        if req.get("loudnessNormalizationType", "LUFS") not in ("LUFS", "MAX_PEAK"):
            raise BadRequest("unknown loudnessNormalizationType")
        spec = req.get("outputAudioSpec") or {"containerAudio": {"containerAudioType": "WAV"}}
        pcm = speak(text, LANGS[VOICES[voice][0]], speed)
        if "rawAudio" in spec:
            raw = spec["rawAudio"]
            if raw.get("audioEncoding") != "LINEAR16_PCM":
                raise BadRequest("rawAudio.audioEncoding must be LINEAR16_PCM")
            try:
                rate = int(raw.get("sampleRateHertz"))
            except (TypeError, ValueError):
                raise BadRequest("rawAudio.sampleRateHertz is not a number")
            if not 8000 <= rate <= 48000:
                raise BadRequest("sampleRateHertz must be within 8000..48000")
            audio = resample(pcm, ESPEAK_RATE, rate)
        elif spec.get("containerAudio", {}).get("containerAudioType") == "WAV":
            rate = ESPEAK_RATE
            audio = to_wav(pcm, rate)
        else:
            raise BadRequest("this double produces rawAudio LINEAR16_PCM or containerAudio WAV")
        self.stream(text, audio, rate)

    def stream(self, text, audio, rate):
        """Four chunks or so, as grpc-gateway streams them: one JSON object per line."""
        if self.state.take("no_audio"):
            line = {"result": {"textChunk": {"text": text}, "startMs": "0", "lengthMs": "0"}}
            return self.send_chunked(200, [json.dumps(line, ensure_ascii=False).encode() + b"\n"])
        step = max(2, -(-len(audio) // 4))
        step += step % 2  # whole samples per chunk
        lines, start_ms = [], 0
        for i in range(0, len(audio), step):
            chunk = audio[i:i + step]
            length_ms = len(chunk) * 1000 // (2 * rate)
            result = {"audioChunk": {"data": base64.b64encode(chunk).decode()},
                      "startMs": str(start_ms), "lengthMs": str(length_ms)}
            if i == 0:
                result["textChunk"] = {"text": text}
            lines.append(json.dumps({"result": result}, ensure_ascii=False).encode() + b"\n")
            start_ms += length_ms
        if self.state.take("stream_error"):
            error = {"error": {"grpc_code": 13, "http_code": 500, "message": "Internal error",
                               "http_status": "Internal Server Error", "details": []}}
            lines = lines[:1] + [json.dumps(error).encode() + b"\n"]
        else:
            self.state.synthesized(text)
        self.send_chunked(200, lines)

    # -- shared validation ----------------------------------------------------------------
    def check_voice(self, voice, v1):
        if voice not in VOICES:
            raise BadRequest("Unknown voice: %s" % voice)
        if v1 and not VOICES[voice][2]:
            raise BadRequest("voice %s is available in API v3 only" % voice)
        return VOICES[voice][1]

    def check_role(self, voice, roles, role):
        if role is None:
            return
        if roles is None:
            ok = role in ROLES
        else:
            ok = role in roles
        if not ok:
            raise BadRequest("Unsupported role %s for voice %s" % (role, voice))

    def check_speed(self, value):
        try:
            speed = float(value)
        except (TypeError, ValueError):
            raise BadRequest("speed is not a number: %s" % value)
        if not 0.1 <= speed <= 3.0:
            raise BadRequest("speed must be within 0.1..3.0")
        return speed


def configure(handler, args):
    handler.key = args.key
    handler.token = args.token or args.key
    handler.forbidden_key = args.forbidden_key
    handler.folder_id = args.folder_id


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key", required=True, help="the valid API key")
    parser.add_argument("--token", help="the valid IAM token (default: the key)")
    parser.add_argument("--forbidden-key", help="a valid key whose account lacks the role: 403")
    parser.add_argument("--folder-id", help="the folder a Bearer (user) request must name")
    sys.exit(serve(Yandex, parser, configure))
