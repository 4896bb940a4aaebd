// The auth HTTP client's connection reuse, against a local HTTPS server (test CA made with
// openssl, as the bench does): requests share one kept-alive connection; when the server drops a
// kept-alive connection just as it is reused (before answering), the request goes out once more
// on a new connection; a request that fails on a new connection is never sent twice (a refresh
// token must not be replayed). A connection opened ahead by preconnect() is taken by the first
// client with the same trust, and only by one with the same trust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '../bench/ca.ts';
import { once } from 'node:events';
import { createHttpFetch, HttpNetworkError } from '../../electron/auth/http.ts';
import { preconnect } from '../../electron/auth/preconnect.ts';

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

/** preconnect() to `s` trusting the test CA, once the server has accepted that connection (TCP
 * and TLS done before any client exists); `connections` counts the TLS connections it accepts. */
async function preconnected(s: { url: string; srv: Server }, path: string): Promise<{ ca: string; connections: () => number }> {
  const ca = (await testPki()).ca.certPem;
  let n = 0;
  s.srv.on('secureConnection', () => (n += 1));
  const accepted = once(s.srv, 'secureConnection');
  preconnect(`${s.url}${path}`, { ca: [ca] });
  await accepted;
  return { ca, connections: () => n };
}

test('preconnect: the connection opened ahead is the one the first request of a client with the same trust uses', async () => {
  const s = await server(() => false);
  try {
    const { ca, connections } = await preconnected(s, '/token');
    const fetch = createHttpFetch({ ca: [ca] });
    const r = await fetch(`${s.url}/token`, { method: 'POST', body: 'grant_type=refresh_token' });
    assert.equal(r.status, 200);
    assert.equal(connections(), 1, 'the request went over the early connection');
    // Taken once: a second client with the same trust connects on its own.
    assert.equal((await createHttpFetch({ ca: [ca] })(`${s.url}/again`)).status, 200);
    assert.equal(connections(), 2);
  } finally {
    s.close();
  }
});

test('preconnect: a client that trusts other CAs does not take the connection', async () => {
  const s = await server(() => false);
  try {
    const { ca, connections } = await preconnected(s, '');
    assert.equal(connections(), 1);
    // Same CA twice is another trust list: the key is the whole list, never a guess that it is "the same".
    assert.equal((await createHttpFetch({ ca: [ca, ca] })(`${s.url}/other-trust`)).status, 200);
    assert.equal(connections(), 2);
    assert.equal((await createHttpFetch({ ca: [ca] })(`${s.url}/same-trust`)).status, 200);
    assert.equal(connections(), 2, 'the early connection was taken, not a third one opened');
    assert.deepEqual(s.seen.map((x) => x.path), ['/other-trust', '/same-trust']);
  } finally {
    s.close();
  }
});

test('preconnect to a server the client does not trust: the request fails as it would without it', async () => {
  const s = await server(() => false);
  try {
    const refused = async (): Promise<string> => {
      try {
        await createHttpFetch()(`${s.url}/token`, { method: 'POST', body: 'x=1' });
      } catch (e) {
        assert.ok(e instanceof HttpNetworkError);
        return e.code;
      }
      assert.fail('an untrusted server was accepted');
    };
    const without = await refused();
    // Taken while its handshake is still under way, the early connection hands its failure to the request.
    preconnect(s.url); // Node's default roots only: the test CA is not among them
    assert.equal(await refused(), without);
    assert.match(without, /CERT|SIGNATURE|ISSUER/);
    assert.deepEqual(s.seen, []);
  } finally {
    s.close();
  }
});

test('preconnect: a request made while the early connection is still connecting waits for it instead of opening another', async () => {
  const s = await server(() => false);
  try {
    const ca = (await testPki()).ca.certPem;
    let n = 0;
    s.srv.on('secureConnection', () => (n += 1));
    // Same tick: the address lookup has not even answered, so the request finds it still connecting.
    void preconnect(`${s.url}/token`, { ca: [ca] });
    const r = await createHttpFetch({ ca: [ca] })(`${s.url}/token`, { method: 'POST', body: 'grant_type=refresh_token' });
    assert.equal(r.status, 200);
    assert.equal(n, 1, 'one TLS connection: the early one');
    assert.deepEqual(s.seen, [{ connection: 1, path: '/token' }]);
  } finally {
    s.close();
  }
});

test('preconnect to a port nobody listens on: a request waiting for it fails as it would without it', async () => {
  const s = await server(() => false);
  const url = s.url;
  s.close();
  await once(s.srv, 'close');
  const code = async (): Promise<string> => {
    try {
      await createHttpFetch()(`${url}/token`, { method: 'POST', body: 'x=1' });
    } catch (e) {
      assert.ok(e instanceof HttpNetworkError);
      return e.code;
    }
    assert.fail('a closed port answered');
  };
  const without = await code();
  assert.equal(without, 'ECONNREFUSED');
  void preconnect(url);
  assert.equal(await code(), without);
});
