#!/usr/bin/env python3
"""A synthetic Asterisk for tests: opens a FastAGI session like Asterisk 22 does (the header
of shared/reference/agi.md §1.2), answers the server's commands in strict lock-step as the
scenario says, and prints what happened as one JSON document.

Scenarios: press:D (the caller presses D during the first prompt), late:D (after the menu,
during WAIT FOR DIGIT), silent, hangup (the caller hangs up during the first prompt),
invalid:D,E (D first, then E), mute:N (never answer the Nth command, answer the others),
unplayable (every STREAM FILE fails on a channel that stays up: "200 result=-1"), raw:FILE
(send FILE's bytes as the header and report how the server answered).
With the environment variable FAKE_ASTERISK_NO_MSET=1 it answers `EXEC MSet` as an Asterisk
without that application does ("200 result=-2")."""
import json
import os
import shlex
import socket
import sys
import time

HEADER = """agi_network: yes
agi_network_script: smartroute
agi_request: agi://127.0.0.1:{port}/smartroute
agi_channel: Local/s@smartroute-in-00000001;2
agi_language: ru
agi_type: Local
agi_uniqueid: {uniqueid}
agi_version: 22.10.1+dfsg+~cs6.17.60671434-1
agi_callerid: {caller}
agi_calleridname: John: Smith
agi_callingpres: 0
agi_callingani2: 0
agi_callington: 0
agi_callingtns: 0
agi_dnid: unknown
agi_rdnis: unknown
agi_context: smartroute-in
agi_extension: s
agi_priority: 3
agi_enhanced: 0.0
agi_accountcode: 
agi_threadid: 139818202347200
agi_arg_1: {caller}

"""


def main():
    port, caller, scenario = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uniqueid = sys.argv[4] if len(sys.argv) > 4 else "1795683658.1"
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rwb", buffering=0)
    if scenario.startswith("raw:"):
        data = open(scenario[4:], "rb").read()
        try:
            s.sendall(data)
            s.settimeout(5)
            got = s.recv(65536)
            print(json.dumps({"closed": got == b"", "answer": got.decode("utf-8", "replace")}))
        except OSError as e:
            print(json.dumps({"closed": True, "error": str(e)}))
        return
    started = time.monotonic()
    s.sendall(HEADER.format(port=port, caller=caller, uniqueid=uniqueid).encode())
    variables, commands = {}, []
    kind, _, arg = scenario.partition(":")
    digits = list(arg.split(",")) if arg else []
    hung_up = False
    streams = 0
    while True:
        line = f.readline()
        if not line:
            break
        line = line.decode().rstrip("\n")
        commands.append(line)
        if kind == "mute" and len(commands) == int(arg):
            continue  # a stuck channel: no reply, ever
        verb = line.split(" \"")[0]
        if verb == "SET VARIABLE":
            parts = line.split("\" \"")
            name = parts[0].split("\"")[1]
            value = parts[1][:-1].replace('\\"', '"').replace("\\\\", "\\")
            variables[name] = value
            reply = "200 result=1"
        elif verb.startswith("EXEC"):
            # AGI's parser: quoted words, backslash escapes; MSet's: NAME=value,NAME=value
            words = shlex.split(line)
            if words[1] != "MSet" or os.environ.get("FAKE_ASTERISK_NO_MSET") == "1":
                reply = "200 result=-2"
            else:
                for pair in words[2].split(","):
                    name, _, value = pair.partition("=")
                    variables[name] = value
                reply = "200 result=0"
        elif hung_up:
            reply = "511 Command Not Permitted on a dead channel or intercept routine"
        elif verb == "STREAM FILE":
            streams += 1
            if kind == "hangup":
                reply, hung_up = "200 result=-1 endpos=1200\nHANGUP", True
            elif kind == "unplayable":
                reply = "200 result=-1 endpos=0"
            elif kind in ("press", "invalid") and digits and streams == 1:
                reply = "200 result=%d endpos=9760" % ord(digits.pop(0))
            elif kind == "invalid" and digits and "Такого" not in line:
                reply = "200 result=0 endpos=40000"
            else:
                reply = "200 result=0 endpos=40000"
        elif verb.startswith("WAIT FOR DIGIT"):
            if kind in ("late", "invalid") and digits:
                reply = "200 result=%d" % ord(digits.pop(0))
            else:
                reply = "200 result=0"
        else:
            reply = "510 Invalid or unknown command"
        f.write((reply + "\n").encode())
    print(json.dumps({"variables": variables, "commands": commands,
                      "seconds": round(time.monotonic() - started, 3)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
