#!/usr/bin/python3
"""The benchmark's trivial FastAGI handler on panoramisk (Debian python3-panoramisk 1.4).

Plays a prompt with escape digits, reads a digit (WAIT FOR DIGIT when the prompt ran to its
end), sets SMARTROUTE_TARGET and returns; panoramisk then closes the socket. The same script as
tests/bench/agi_minimal.c and tests/bench/peers/dingdong_server.js.

Usage: /usr/bin/python3 panoramisk_server.py --port P [--backlog N]
--backlog 0 (the default) leaves asyncio.start_server's own backlog (100).
"""
import argparse
import asyncio
import sys

from panoramisk.fast_agi import Application


async def smartroute(request):
    reply = await request.send_command('STREAM FILE "x" "123"')
    digit = int(reply.get('result', ('0', ''))[0] or 0)
    if digit == 0:
        reply = await request.send_command('WAIT FOR DIGIT 5000')
        digit = int(reply.get('result', ('0', ''))[0] or 0)
    target = '10' + chr(digit) if digit > 0 else '200'
    await request.send_command('SET VARIABLE "SMARTROUTE_TARGET" "%s"' % target)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--backlog', type=int, default=0)
    args = ap.parse_args()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    app = Application(loop=loop)
    # panoramisk routes on the exact agi_network_script (query string included).
    app.add_route('smartroute', smartroute)
    kwargs = {'backlog': args.backlog} if args.backlog > 0 else {}
    server = loop.run_until_complete(
        asyncio.start_server(app.handler, '127.0.0.1', args.port, **kwargs))
    print('panoramisk: listening on 127.0.0.1:%d backlog %s' % (args.port, args.backlog or 'default (100)'),
          file=sys.stderr, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == '__main__':
    main()
