// The auth HTTP client's connection reuse, against a local HTTPS server (test CA made with
// openssl, as the bench does): requests share one kept-alive connection; when the server drops a
// kept-alive connection just as it is reused (before answering), the request goes out once more
// on a new connection; a request that fails on a new connection is never sent twice (a refresh
// token must not be replayed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '../bench/ca.ts';
import { createHttpFetch, HttpNetworkError } from '../../electron/auth/http.ts';

let pki: TestPki | undefined;
const testPki = async (): Promise<TestPki> => (pki ??= await makeTestPki(mkdtempSync(join(tmpdir(), 'moa-http-'))));

type Seen = { connection: number; path: string };

/** `drop(seen)` decides per request whether the server closes the connection instead of answering. */
async function server(drop: (s: Seen, requestOnConnection: number) => boolean): Promise<{ url: string; seen: Seen[]; close(): void; srv: Server }> {
  const p = await testPki();
  const seen: Seen[] = [];
  const ids = new WeakMap<Socket, { id: number; n: number }>();
  let connections = 0;
  const srv = createServer({ cert: p.server.certPem, key: p.server.keyPem, keepAliveTimeout: 60_000 }, (req, res) => {
    const sock = req.socket as Socket;
    let c = ids.get(sock);
    if (!c) {
      c = { id: ++connections, n: 0 };
      ids.set(sock, c);
    }
    c.n += 1;
    const s = { connection: c.id, path: req.url ?? '' };
    seen.push(s);
    req.resume();
    req.on('end', () => {
      if (drop(s, c.n)) sock.destroy();
      else res.end(JSON.stringify(s));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    seen,
    srv,
    close: () => {
      srv.closeAllConnections();
      srv.close();
    },
  };
}

test('requests of one client share a kept-alive connection', async () => {
  const s = await server(() => false);
  try {
    const fetch = createHttpFetch({ ca: (await testPki()).ca.certPem });
    for (const path of ['/a', '/b', '/c']) assert.equal((await fetch(`${s.url}${path}`, { method: 'POST', body: 'x=1' })).status, 200);
    assert.deepEqual(s.seen.map((x) => x.connection), [1, 1, 1]);
  } finally {
    s.close();
  }
});

test('a kept-alive connection dropped as it is reused: the request goes out once more, on a new connection', async () => {
  const s = await server((_s, n) => n === 2); // the second request on any connection is "too late"
  try {
    const fetch = createHttpFetch({ ca: (await testPki()).ca.certPem });
    assert.equal((await fetch(`${s.url}/first`, { method: 'POST', body: 'a' })).status, 200);
    const r = await fetch(`${s.url}/token`, { method: 'POST', body: 'grant_type=refresh_token' });
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()) as Seen, { connection: 2, path: '/token' });
    assert.deepEqual(s.seen, [
      { connection: 1, path: '/first' },
      { connection: 1, path: '/token' },
      { connection: 2, path: '/token' },
    ]);
  } finally {
    s.close();
  }
});

test('a request that fails on a new connection is not sent again', async () => {
  const s = await server((x) => x.path === '/token');
  try {
    const fetch = createHttpFetch({ ca: (await testPki()).ca.certPem });
    await assert.rejects(fetch(`${s.url}/token`, { method: 'POST', body: 'grant_type=refresh_token' }), (e: unknown) => e instanceof HttpNetworkError);
    assert.deepEqual(s.seen, [{ connection: 1, path: '/token' }]);
  } finally {
    s.close();
  }
});
