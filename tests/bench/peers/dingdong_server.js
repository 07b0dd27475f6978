// The benchmark's trivial FastAGI handler on ding-dong 0.1.7 (npm): plays a prompt with escape
// digits, reads a digit (WAIT FOR DIGIT when the prompt ran to its end), sets SMARTROUTE_TARGET
// and ends the connection. The same script as tests/bench/agi_minimal.c and
// tests/bench/peers/panoramisk_server.py.
//
// Usage: NODE_PATH=DIR/node_modules node dingdong_server.js --port P [--backlog N]
// Without --backlog the server is started by ding-dong's own start() (net's default backlog,
// 511); with it, ding-dong's Context is put on a net server listening with that backlog.
'use strict';
const net = require('net');
const AGIServer = require('ding-dong');
const Context = require('ding-dong/lib/context');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const port = opt('--port', 0);
const backlog = opt('--backlog', 0);

const handler = (context) => {
  context.on('error', () => {});
  context
    .onEvent('variables')
    .then(() => context.streamFile('x', '123'))
    .then((r) => {
      const digit = parseInt(r.result, 10) || 0; // ding-dong keeps "50 endpos=9760" in result
      if (digit > 0) return digit;
      return context.waitForDigit(5000).then((w) => parseInt(w.result, 10) || 0);
    })
    .then((digit) =>
      context.setVariable('SMARTROUTE_TARGET', digit > 0 ? '10' + String.fromCharCode(digit) : '200'))
    .then(() => context.end())
    .catch(() => context.end());
};

let server;
if (backlog > 0) {
  server = net.createServer((stream) => handler(new Context(stream, {}))).listen({ port, host: '127.0.0.1', backlog });
} else {
  server = new AGIServer(handler).start(port, '127.0.0.1');
}
server.on('listening', () =>
  process.stderr.write(`ding-dong: listening on 127.0.0.1:${port} backlog ${backlog || 'default (511)'}\n`));
