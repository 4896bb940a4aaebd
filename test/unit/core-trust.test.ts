// secureContextWithExtraCa adds a CA to Node's default trust without replacing it. Two test CAs
// (openssl, as the bench makes them) and two TLS servers on loopback; a child process gets CA "A"
// through NODE_EXTRA_CA_CERTS (part of Node's default roots) and adds CA "B" with the helper:
// both servers must verify, and without the helper B must not (so the check can fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { makeTestPki, type TestPki } from '../bench/ca.ts';

const trustModule = pathToFileURL(join(import.meta.dirname, '..', '..', 'electron', 'core', 'trust.ts')).href;

function server(pki: TestPki): Promise<{ port: number; close(): void }> {
  const s = tls.createServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (c) => c.end('ok'));
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve({ port: (s.address() as AddressInfo).port, close: () => s.close() })));
}

// Runs in the child: connect with the given context, report whether the chain verified.
const child = (extraPem: string, ports: { a: number; b: number }): string => `
import tls from 'node:tls';
import { secureContextWithExtraCa } from ${JSON.stringify(trustModule)};
const check = (port, secureContext) => new Promise((resolve) => {
  const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...(secureContext ? { secureContext } : {}) });
  s.on('secureConnect', () => { resolve('verified'); s.destroy(); });
  s.on('error', (e) => resolve(e.code ?? e.message));
});
const extra = secureContextWithExtraCa(${JSON.stringify(extraPem)});
process.stdout.write(JSON.stringify({
  aWithHelper: await check(${ports.a}, extra),
  bWithHelper: await check(${ports.b}, extra),
  aDefault: await check(${ports.a}),
  bDefault: await check(${ports.b}),
}));
`;

test('an extra CA is trusted alongside the default roots (NODE_EXTRA_CA_CERTS kept), never instead of them', async () => {
  const [a, b] = await Promise.all([makeTestPki(mkdtempSync(join(tmpdir(), 'moa-trust-a-'))), makeTestPki(mkdtempSync(join(tmpdir(), 'moa-trust-b-')))]);
  const [sa, sb] = await Promise.all([server(a), server(b)]);
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', child(b.ca.certPem, { a: sa.port, b: sb.port })],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: a.ca.cert } },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    assert.deepEqual(JSON.parse(out), {
      aWithHelper: 'verified',
      bWithHelper: 'verified',
      aDefault: 'verified',
      bDefault: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  } finally {
    sa.close();
    sb.close();
  }
});
