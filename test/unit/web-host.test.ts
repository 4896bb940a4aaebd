// The development web host: loopback only, per-launch secret, same contract and handlers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startWebHost } from '../../electron/web-host/server.ts';
import { testCore } from './core-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'moa-webhost-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
const host = await startWebHost({
  staticDir: dir,
  handlers: (emit) => testCore().handlers(emit),
});
after(() => host.close());

function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const u = new URL(host.url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

test('binds 127.0.0.1 and puts the secret only in the URL fragment', () => {
  const u = new URL(host.openUrl);
  assert.equal(u.hostname, '127.0.0.1');
  assert.equal(u.search, '');
  assert.equal(u.hash, `#secret=${host.secret}`);
  assert.ok(host.secret.length >= 32);
});

test('an IPC call with the secret reaches the handlers', async () => {
  const r = await fetch(`${host.url}ipc/app:info`, { method: 'POST', headers: { Authorization: `Bearer ${host.secret}` }, body: '{}' });
  const body = (await r.json()) as { ok: boolean; value?: { shell: string } };
  assert.equal(body.ok, true);
  assert.equal(body.value?.shell, 'web-host');
});

test('calls without or with a wrong secret are refused', async () => {
  for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: host.secret }] as Record<string, string>[]) {
    const r = await fetch(`${host.url}ipc/app:info`, { method: 'POST', headers, body: '{}' });
    assert.equal(r.status, 401);
    const body = (await r.json()) as { ok: boolean; error: { code: string } };
    assert.equal(body.error.code, 'FORBIDDEN_SENDER');
  }
  const ev = await fetch(`${host.url}events`);
  assert.equal(ev.status, 401);
});

test('invalid JSON and invalid input come back as clear AppErrors', async () => {
  const headers = { Authorization: `Bearer ${host.secret}` };
  const bad = await fetch(`${host.url}ipc/app:info`, { method: 'POST', headers, body: '{not json' });
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
  const wrong = await fetch(`${host.url}ipc/links:open`, { method: 'POST', headers, body: '{"link":"file:///etc/passwd"}' });
  assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
  const unknown = await fetch(`${host.url}ipc/fs:read`, { method: 'POST', headers, body: '{}' });
  assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'UNKNOWN_CHANNEL');
});

test('a foreign Host header is refused (DNS rebinding)', async () => {
  const r = await raw('/', { headers: { Host: 'evil.example:80' } });
  assert.equal(r.status, 421);
});

test('static files are served with the CSP, and paths cannot escape the renderer folder', async () => {
  const ok = await fetch(host.url);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
    const r = await raw(path);
    assert.equal(r.status, 404, path);
  }
});

test('a path with broken percent-encoding is a 400, not a 500 (static files and IPC)', async () => {
  for (const path of ['/%E0%A4%A', '/%zz', '/assets/%', '/ipc/app%3Ainfo%']) {
    const r = path.startsWith('/ipc/') ? await raw(path, { method: 'POST', headers: { Authorization: `Bearer ${host.secret}` }, body: '{}' }) : await raw(path);
    assert.equal(r.status, 400, path);
    assert.match(r.body, /invalid percent-encoding/, path);
  }
  // Valid encoding still works.
  const ok = await raw('/ipc/app%3Ainfo', { method: 'POST', headers: { Authorization: `Bearer ${host.secret}` }, body: '{}' });
  assert.equal(ok.status, 200);
});
