# SpeechPro (ЦРТ) through a local double: a session is opened, a base64 WAV at 22050 Hz comes
# back and is resampled to the cache's rate; an expired session is renewed once; a reply
# without audio, a wrong password and an unknown voice fail with a clear message.
source "$(dirname "$0")/lib.sh"
source "$SOURCE_DIR/tests/doubles/double.sh"

export SP_PASSWORD='s3cret-Pa55word'
start_double speechpro.py --user ivr --password "$SP_PASSWORD" --domain-id 201

cat >"$WORK/smartroute.toml" <<TOML
[store]
state_dir = "$WORK/state"
[tts]
engine = "speechpro"
url = "$base"
user = "ivr"
domain_id = 201
api_key_env = "SP_PASSWORD"
voice = "Julia_8000n"
sample_rate = 8000
timeout = "20s"
TOML
phrase="Здравствуйте! Вы звонили Ивану Петрову."

# A WAV at a rate the client must read from its header, resampled to 8 kHz.
expect_status 0 say "$phrase" -o ok.wav
check_wav ok.wav 8000
check_eq "$(stats 'd["logins"]')" 1 "logins"
check_eq "$(stats 'd["synthesize"]')" 1 "syntheses"
# The session is closed when the engine goes away.
check_eq "$(stats 'd["logouts"]')" 1 "logouts"
check_eq "$(stats 'd["sessions"]')" 0 "sessions left open"

# The session expires between the login and the synthesis: one new login, then success.
control '{"expire_next_session": 1}'
expect_status 0 say "Нажмите один." -o renewed.wav
check_wav renewed.wav 8000
check_eq "$(stats 'd["logins"]')" 3 "logins after a rejected session"
check_eq "$(stats 'd["synthesize"]')" 2 "syntheses"

# A session that is rejected again right after a new login: no loop, a clear error.
control '{"expire_next_session": 2}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "synthesize: HTTP 401: UNAUTHORIZED: Session is not active"
check_eq "$(stats 'd["logins"]')" 5 "logins: one, then one retry"

# 200 without "data": the quota is probably exhausted.
control '{"no_data": 1}'
expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "no audio in the reply (quota exhausted?)"

# A voice the account does not have.
expect_status 1 say "$phrase" --voice Nobody_8000n -o bad.wav
contains "$WORK/err" "HTTP 400: BAD_REQUEST: Voice 'Nobody_8000n' not found"

# A wrong password: exit 1, the settings are named, the password never is.
SP_PASSWORD=wrong-Pa55word expect_status 1 say "$phrase" -o bad.wav
contains "$WORK/err" "login as ivr: HTTP 401"
contains "$WORK/err" "tts.api_key"
if grep -qF "wrong-Pa55word" "$WORK/err"; then fail "the password appears in the message"; fi
[ ! -e bad.wav ] || fail "a failed say wrote a file"
