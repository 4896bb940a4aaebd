// `npm run bench:up`: the test bench by hand, for development. Starts everything, writes the
// BenchInfo file, prints where everything is and how to get a token, stays up until Ctrl-C.
//   node test/bench/up.ts [--verbose]
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startBench } from './bench.ts';
import type { Listener, MailServer } from './types.ts';

const t0 = Date.now();
const bench = await startBench({ log: process.argv.includes('--verbose') });
const ms = Date.now() - t0;
const info = bench.info;
const infoFile = join(info.dir, 'bench.json');
writeFileSync(infoFile, JSON.stringify(info, null, 2));

const root = join(import.meta.dirname, '..', '..');
const rel = (p: string): string => relative(process.cwd(), join(root, p)) || '.';
const l = (x: Listener): string => `${x.host}:${x.port}`;
const server = (name: string, s: MailServer): string =>
  `  ${name.padEnd(16)} IMAP ${l(s.imap.starttls)} (STARTTLS) ${l(s.imap.tls)} (TLS) | ` +
  `POP3 ${l(s.pop3.starttls)} / ${l(s.pop3.tls)} | SMTP ${l(s.smtp.starttls)} / ${l(s.smtp.tls)}`;
const f = info.failures;

console.log(`
Mail OAuth Assistant test bench up in ${ms} ms (Ctrl-C stops it and removes ${info.dir})

OpenID provider  ${info.issuer}  (discovery: ${info.discoveryUrl})
Test CA          ${info.ca.path}   (pass it explicitly: NODE_EXTRA_CA_CERTS is read only at start)
Users            ${info.users.map((u) => `${u.address} / ${u.password}`).join('   ')}
Clients          ${Object.values(info.clients)
  .map((c) => `${c.id}${c.secret ? ` (secret ${c.secret})` : ''}`)
  .join(', ')}
Mail servers (certificate for localhost; connect to the IP, verify the name "localhost"):
${server('main', info.mail.main)}
${server('tls-required', info.mail.tlsRequired)}   <- plaintext AUTH refused (127.0.0.2)
Failure listeners:
${server('idp-unavailable', f.idpUnavailable)}   <- IdP down (knob: idp-up / idp-down / idp-refuse)
${server('untrusted-cert', f.untrustedCert)}
${server('host-mismatch', f.hostMismatch)}   <- certificate for ${f.hostMismatchCertName}
  silent           ${l(f.silent)} (TCP, never greets)   ${l(f.silentTls)} (TLS handshake, never greets)
  closed port      ${f.closedPort.host}:${f.closedPort.port}
  malformed        ${f.malformed.length} listeners (IMAP/POP3/SMTP x ${[...new Set(f.malformed.map((m) => m.mode))].join(', ')} x tls/starttls): see bench.json
SMTP sink        ${info.sink.host}:${info.sink.port}, messages appended to ${info.sink.messagesFile}
Control          ${info.control.url}/control/<action>  (Authorization: Bearer <control.secret from bench.json>)
Dovecot logs     ${info.dovecot.map((d) => d.logFile).join('\n                 ')}

Use it:
  export MOA_BENCH_INFO=${infoFile}
  node --test ${rel('test/integration/bench-smoke.test.ts')}
  node ${rel('test/bench/mint.ts')} --user alice@example.test --client native-app      # prints an access token
  openssl s_client -quiet -connect ${l(info.mail.main.imap.tls)} -servername localhost -CAfile ${info.ca.path}
`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log('stopping the bench...');
  await bench.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// Keep the process alive (the servers are ref'd anyway; this makes it explicit).
setInterval(() => undefined, 1 << 30);
