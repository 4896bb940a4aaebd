// Diagnostic preload for the CLI child processes of the speed benchmark (MOA_CLI_TRACE=1): writes
// to stderr, with ms since process start, when the first stdout byte goes out, every DNS lookup
// and how long it took, every TCP connect / close and every HTTP request to the IdP. This is how
// a wait in `mail-oauth test --account` is found (a lookup, a connection opened early, a close
// waited for). It only observes: no request is changed.
import dc from 'node:diagnostics_channel';
import dns from 'node:dns';
import type { Socket } from 'node:net';
import type { ClientRequest } from 'node:http';

const log = (s: string): void => void process.stderr.write(`[trace ${performance.now().toFixed(0)}] ${s}\n`);
log('preload');
const write = process.stdout.write.bind(process.stdout) as (...a: unknown[]) => boolean;
let first = true;
process.stdout.write = ((...a: unknown[]) => {
  if (first) {
    first = false;
    log('first stdout');
  }
  return write(...a);
}) as typeof process.stdout.write;

type Lookup = (host: string, opts: unknown, cb?: unknown) => void;
const lookup = dns.lookup as unknown as Lookup;
(dns as unknown as { lookup: Lookup }).lookup = function traced(host, opts, cb) {
  const start = performance.now();
  const callback = (typeof opts === 'function' ? opts : cb) as (...r: unknown[]) => void;
  const wrapped = (...r: unknown[]): void => {
    log(`lookup ${host} ${(performance.now() - start).toFixed(0)} ms`);
    callback(...r);
  };
  return typeof opts === 'function' ? lookup(host, wrapped) : lookup(host, opts, wrapped);
};
dc.subscribe('net.client.socket', (m) => {
  const { socket } = m as { socket: Socket };
  const start = performance.now();
  log('connect start');
  socket.once('connect', () => log(`connected :${socket.remotePort} after ${(performance.now() - start).toFixed(0)} ms`));
  socket.once('close', () => log(`closed :${socket.remotePort}`));
});
dc.subscribe('http.client.request.start', (m) => {
  const { request } = m as { request: ClientRequest };
  log(`http ${request.method} ${request.path}${request.reusedSocket ? ' (reused connection)' : ''}`);
});
dc.subscribe('http.client.response.finish', (m) => {
  const { request } = m as { request: ClientRequest };
  log(`http answered ${request.method} ${request.path}`);
});
process.on('exit', () => log('exit'));
