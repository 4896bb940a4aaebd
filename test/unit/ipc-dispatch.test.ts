import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, type Handlers } from '../../electron/core/ipc-dispatch.ts';
import { CHANNELS, contract } from '../../shared/ipc.ts';
import { isDiagnosisCode } from '../../shared/diagnostics.ts';
import { testCore } from './core-fixture.ts';

function handlers(opened: string[] = []): Handlers {
  return testCore({ browser: { open: async (url) => void opened.push(url) } }).handlers(() => {});
}

test('a valid call returns the handler value checked against the contract', async () => {
  const r = await dispatch(handlers(), 'app:info', {});
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && r.value, {
    name: 'Mail OAuth Assistant',
    version: '1.2.3',
    shell: 'web-host',
    platform: 'linux',
    secretStorage: { available: false, backend: 'none', persisted: false },
  });
});

test('invalid input returns VALIDATION_FAILED naming the field, and the handler never runs', async () => {
  const opened: string[] = [];
  const r = await dispatch(handlers(opened), 'links:open', { link: 'https://evil.example/' });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'VALIDATION_FAILED');
  assert.match((!r.ok && r.error.detail) || '', /^link: /);
  assert.deepEqual(opened, []);
});

test('extra input fields are refused (strict schemas)', async () => {
  const r = await dispatch(handlers(), 'app:info', { extra: 1 });
  assert.equal(!r.ok && r.error.code, 'VALIDATION_FAILED');
});

for (const bad of ['nope:nothing', 42, null, undefined, '__proto__', 'constructor', 'toString']) {
  test(`unknown channel ${String(bad)} returns UNKNOWN_CHANNEL`, async () => {
    const r = await dispatch(handlers(), bad, {});
    assert.equal(!r.ok && r.error.code, 'UNKNOWN_CHANNEL');
  });
}

test('a throwing handler becomes INTERNAL with a redacted cause, not a crash', async () => {
  const h = handlers();
  h['app:info'] = async () => {
    throw new Error('boom access_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl');
  };
  const r = await dispatch(h, 'app:info', {});
  assert.equal(!r.ok && r.error.code, 'INTERNAL');
  assert.doesNotMatch(JSON.stringify(r), /eyJ/);
});

test('a handler answer outside the contract is not sent to the renderer', async () => {
  const h = handlers();
  h['app:info'] = async () => ({ name: 'x' }) as never;
  const r = await dispatch(h, 'app:info', {});
  assert.equal(!r.ok && r.error.code, 'INTERNAL');
});

test('links:open opens only the URL the main process built for that link id', async () => {
  const opened: string[] = [];
  const r = await dispatch(handlers(opened), 'links:open', { link: 'google-credentials' });
  assert.equal(r.ok, true);
  assert.deepEqual(opened, ['https://console.cloud.google.com/apis/credentials']);
});

test('every channel has a handler and every error code used here is in the catalog', () => {
  const h = handlers();
  assert.deepEqual(Object.keys(h).sort(), [...CHANNELS].sort());
  assert.deepEqual(Object.keys(contract).sort(), [...CHANNELS].sort());
  for (const code of ['VALIDATION_FAILED', 'UNKNOWN_CHANNEL', 'INTERNAL', 'FORBIDDEN_SENDER', 'IPC_UNREACHABLE']) {
    assert.ok(isDiagnosisCode(code), `${code} is missing from the diagnostics catalog`);
  }
});

test('a contract channel without a handler says so before looking at the input (a wiring bug, not bad input)', async () => {
  const h = handlers();
  delete (h as Partial<Handlers>)['links:open'];
  for (const input of [{ link: 'project-help' }, {}, { link: 'https://evil.example/' }]) {
    const r = await dispatch(h, 'links:open', input);
    assert.equal(!r.ok && r.error.code, 'INTERNAL');
    assert.match((!r.ok && r.error.message) || '', /No handler serves links:open/);
  }
});

test('app:login-item: the web host has no login item (read: unsupported; set: a clear refusal)', async () => {
  const h = handlers();
  const read = await dispatch(h, 'app:login-item', {});
  assert.deepEqual(read.ok && read.value, { supported: false, openAtLogin: false });
  const set = await dispatch(h, 'app:login-item', { openAtLogin: true });
  assert.equal(!set.ok && set.error.code, 'VALIDATION_FAILED');
  assert.match((!set.ok && set.error.message) || '', /desktop app/);
  const bad = await dispatch(h, 'app:login-item', { openAtLogin: 'yes' });
  assert.equal(!bad.ok && bad.error.code, 'VALIDATION_FAILED');
});
