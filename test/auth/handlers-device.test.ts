// The device flow through the IPC handlers, as the wizard drives it: progress events carry the
// code, `auth:open-device-page` opens the provider's page (the URL the main process received,
// never one from the renderer), and the approval on "another device" completes the sign-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchInfo } from '../bench/client.ts';
import { testCore } from '../unit/core-fixture.ts';
import { dispatch } from '../../electron/core/ipc-dispatch.ts';
import { approveDeviceCode } from './device-login.ts';
import type { EventName } from '../../shared/ipc.ts';

test('device code: the code arrives as progress, the page opens from the main process, sign-in completes', async () => {
  const info = benchInfo();
  const opened: string[] = [];
  const core = testCore({ ca: info.ca.pem, browser: { open: async (url) => void opened.push(url) } });
  const events: Array<{ event: EventName; payload: unknown }> = [];
  let onDeviceCode: (uri: string) => void = () => {};
  const deviceCode = new Promise<string>((resolve) => (onDeviceCode = resolve));
  const handlers = core.handlers((event, payload) => {
    events.push({ event, payload });
    const p = payload as { progress?: { kind: string; verificationUriComplete?: string } };
    if (event === 'auth:progress' && p.progress?.kind === 'device-code') onDeviceCode(p.progress.verificationUriComplete ?? '');
  });
  const m = info.mail.main;
  const saved = await dispatch(handlers, 'accounts:save', {
    account: {
      label: 'alice',
      address: 'alice@example.test',
      providerId: 'generic',
      auth: { adapter: 'oidc', issuer: info.issuer, clientId: 'native-app', flow: 'delegated', authParams: {} },
      scopes: ['openid', 'email', 'offline_access', info.scopes.imap],
      servers: { imap: { enabled: true, host: 'localhost', port: m.imap.tls.port, security: 'tls' } },
      status: 'draft',
    },
  });
  assert.ok(saved.ok, JSON.stringify(saved));
  const id = (saved.value as { id: string }).id;

  const none = await dispatch(handlers, 'auth:open-device-page', { id });
  assert.equal(!none.ok && none.error.code, 'NOT_FOUND', 'nothing to open before a device flow runs');

  const started = dispatch(handlers, 'auth:start', { id, flow: 'device' });
  const uri = await deviceCode;
  const open = await dispatch(handlers, 'auth:open-device-page', { id });
  assert.ok(open.ok);
  assert.deepEqual(opened, [uri]);
  assert.match(uri, /^https:\/\/localhost:\d+\//);

  await approveDeviceCode(uri);
  const outcome = await started;
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal((outcome.value as { signedInAs?: string }).signedInAs, 'alice@example.test');
  const after = await dispatch(handlers, 'auth:open-device-page', { id });
  assert.equal(!after.ok && after.error.code, 'NOT_FOUND', 'the page is forgotten once the flow ends');
  assert.ok(events.some((e) => e.event === 'activity:added'));
});
