# Yandex SpeechKit through a local double that speaks with espeak-ng: API v1 and v3 give an
# 8 kHz WAV; a wrong key, a missing role, a quota error and a bad voice fail with a clear
# message that never shows the key; a voice/role mistake is caught before any request.
source "$(dirname "$0")/lib.sh"
source "$SOURCE_DIR/tests/doubles/double.sh"

export YC_KEY=AQVN-good-key-123456
start_double yandex_tts.py --key "$YC_KEY" --forbidden-key AQVN-no-role-key-777

write_config() { # API VOICE [extra lines]
  cat >"$WORK/smartroute.toml" <<TOML
[store]
state_dir = "$WORK/state"
[tts]
engine = "yandex"
url = "$base"
api_key_env = "YC_KEY"
api = "$1"
voice = "$2"
sample_rate = 8000
timeout = "${TIMEOUT:-20s}"
${3:-}
TOML
}
phrase="Здравствуйте! Вы звонили Ивану Петрову."

# API v1: form POST, raw 8 kHz PCM back.
write_config v1 alena 'role = "good"'
expect_status 0 say "$phrase" -o v1.wav
check_wav v1.wav 8000
check_eq "$(stats 'd["by_text"].get("'"$phrase"'")')" 1 "v1 syntheses of the phrase"

# API v3: JSON POST, a stream of base64 chunks, a v3-only voice.
write_config v3 dasha 'role = "friendly"'
expect_status 0 "$SMARTROUTE" --json --config "$WORK/smartroute.toml" say "Нажмите один." -o v3.wav
check_wav v3.wav 8000
check_eq "$(json "$WORK/out" 'd["engine"]["api"]')" v3 "identity api"
check_eq "$(json "$WORK/out" 'd["engine"]["loudness"]')" LUFS "identity loudness"
check_eq "$(stats 'd["synthesize"]')" 2 "syntheses so far"

# A wrong key: exit 1, the message names the setting, never the key.
YC_KEY=AQVN-wrong-key-999 expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "HTTP 401"
contains "$WORK/err" "tts.api_key"
if grep -qF "AQVN-wrong-key-999" "$WORK/err"; then fail "the key appears in the message"; fi
[ ! -e bad.wav ] || fail "a failed say wrote a file"

# A key whose service account lacks the role.
YC_KEY=AQVN-no-role-key-777 expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "HTTP 403"
contains "$WORK/err" "ai.speechkit-tts.user"
if grep -qF "AQVN-no-role-key-777" "$WORK/err"; then fail "the key appears in the message"; fi

# Voice and role mistakes are found before any request is made (nothing is paid).
control '{"reset": true}'
write_config v1 dasha
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "voice 'dasha' works with API v3 only"
write_config v1 alna
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "unknown voice 'alna'"
contains "$WORK/err" "did you mean 'alena'?"
write_config v1 alena 'role = "evil"'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "voice 'alena' has no role 'evil'"
contains "$WORK/err" "neutral, good"
check_eq "$(stats 'd["requests"]')" 0 "requests made for invalid voices"

# A request the service refuses: its message is passed on.
write_config v1 alena
control '{"fail": {"status": 400, "message": "Unsupported role good for voice alena"}}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "HTTP 400: Unsupported role good for voice alena"

# Quota exceeded: say makes one request and reports it (warm retries; tested there).
control '{"fail": {"status": 429, "count": 1, "retry_after": 2}}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "HTTP 429"
expect_status 0 say "$phrase" -o after429.wav
check_wav after429.wav 8000

# A server error, and a v3 stream that ends in an error object or carries no audio.
control '{"fail": {"status": 503, "count": 1}}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "HTTP 503"
write_config v3 alena
control '{"stream_error": 1}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "the service stopped with an error: Internal error"
control '{"no_audio": 1}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "no audio"

# A slow service: the configured timeout ends the wait.
TIMEOUT=1s write_config v1 alena
control '{"delay": {"seconds": 3, "count": 1}}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "no complete answer within 1 s"
[ ! -e bad.wav ] || fail "a failed say wrote a file"
