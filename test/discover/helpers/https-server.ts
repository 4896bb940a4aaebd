// A local HTTPS server for the autoconfig tests, with a throwaway CA made by the openssl CLI in a
// temporary directory: the CA signs a certificate for 127.0.0.1 and localhost. The discovery
// code trusts the CA only because the test passes it explicitly (DiscoverOptions.ca).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestCa = { caPem: string; keyPem: string; certPem: string };

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'moa-discover-ca-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  try {
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=Mail OAuth Assistant discovery test CA', '-keyout', 'ca.key', '-out', 'ca.pem',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=127.0.0.1', '-keyout', 'leaf.key', '-out', 'leaf.csr');
    writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-extfile', 'leaf.ext', '-out', 'leaf.pem');
    return {
      caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'leaf.key'), 'utf8'),
      certPem: readFileSync(join(dir, 'leaf.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export type TestHttpsServer = {
  origin: string;
  port: number;
  /** Paths requested so far (path + query). */
  requests: string[];
  /** Connections currently open (to prove cancellation closes them). */
  openConnections(): number;
  stop(): Promise<void>;
};

export async function startHttpsServer(ca: TestCa, handler: Handler): Promise<TestHttpsServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ key: ca.keyPem, cert: ca.certPem }, (req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    requests,
    openConnections: () => sockets.size,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
