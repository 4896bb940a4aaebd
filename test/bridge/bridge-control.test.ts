// The app's control of the bridge (electron/core/bridge-control.ts) with the real bridge and a
// signed-in bench account: settings saved in the preferences store, started by configure and by
// autoStart (only when enabled + "start with the app"), a port in use reported with its code and
// the catalog's fix without losing the typed port, the live session count in the change events,
// bridge passwords and failures in the activity log, and off releasing the ports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { BridgeStatus } from '../../shared/bridge.ts';
import { createActivityLog } from '../../electron/core/activity.ts';
import { createBridgeControl, type BridgeControl } from '../../electron/core/bridge-control.ts';
import { BRIDGE_PREFERENCE_KEY } from '../../electron/core/bridge-settings.ts';
import type { Preferences } from '../../electron/core/services.ts';
import { RawClient, setUpAccount, type BridgeAccount } from './helpers.ts';

let a: BridgeAccount;
const controls: BridgeControl[] = [];
before(async () => {
  a = await setUpAccount();
});
after(async () => {
  for (const c of controls) await c.close();
});

function memoryPreferences(): Preferences & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
}

function control(preferences: Preferences) {
  const events: BridgeStatus[] = [];
  const activity = createActivityLog({ clock: a.core.clock });
  const c = createBridgeControl({ ...a.core, preferences, dataDir: a.dataDir, activity, onChange: (s) => events.push(s) });
  controls.push(c);
  const waitEvent = async (pred: (s: BridgeStatus) => boolean): Promise<BridgeStatus> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no such bridge:changed event; last: ${JSON.stringify(events.at(-1))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { c, events, activity, waitEvent };
}

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });

test('on: saved, started on port 0 listeners, sessions counted live; a wrong password logged with the fix; off frees the ports', async () => {
  const prefs = memoryPreferences();
  const { c, activity, waitEvent } = control(prefs);
  const off = await c.status();
  assert.equal(off.state, 'off');
  assert.deepEqual(off.settings.ports, { imap: 1143, pop: 1110, smtp: 1025 }, 'the defaults');
  assert.deepEqual(off.accounts, [{ id: a.id, address: a.address, hasPassword: false }]);

  const on = await c.configure({ enabled: true, ports: { imap: 0, pop: 0, smtp: null } });
  assert.equal(on.state, 'on');
  assert.ok(on.ports.imap && on.ports.pop);
  assert.equal(on.ports.smtp, null);
  assert.deepEqual(prefs.data.get(BRIDGE_PREFERENCE_KEY), { enabled: true, ports: { imap: 0, pop: 0, smtp: null }, tls: false, startWithApp: true });
  assert.match(activity.list()[0]?.message ?? '', /^Bridge on at 127\.0\.0\.1: IMAP \d+, POP3 \d+$/);

  const password = await c.newPassword(a.id);
  assert.ok((await c.status()).accounts[0]?.hasPassword);
  assert.match(activity.list()[0]?.message ?? '', /New bridge password for alice@example\.test/);
  assert.ok(!JSON.stringify(activity.list()).includes(password), 'the password is in no log line');

  const client = await RawClient.connect(on.ports.imap ?? 0);
  try {
    await client.waitFor(/^\* OK/m);
    client.send(`a1 LOGIN ${a.address} ${password}`);
    await client.waitFor(/^a1 OK/m);
    await waitEvent((s) => s.sessions === 1);
    assert.ok(activity.list().some((e) => e.kind === 'bridge' && e.ok && /IMAP session for alice@example\.test/.test(e.message)));
  } finally {
    client.close();
  }
  await waitEvent((s) => s.sessions === 0 && s.state === 'on');

  const wrong = await RawClient.connect(on.ports.pop ?? 0);
  try {
    await wrong.waitFor(/^\+OK/m);
    wrong.send(`USER ${a.address}`);
    await wrong.waitFor(/^\+OK/m, 5);
    wrong.send('PASS not-the-bridge-password');
    await wrong.waitFor(/^-ERR/m);
  } finally {
    wrong.close();
  }
  const failure = activity.list().find((e) => e.kind === 'bridge' && !e.ok);
  assert.ok(failure, 'the refusal is in the activity log');
  assert.match(failure.message, /^Bridge POP3: .*Fix: /);
  assert.doesNotMatch(failure.message, /not-the-bridge-password|<redacted>/);

  const stopped = await c.configure({ enabled: false });
  assert.equal(stopped.state, 'off');
  assert.deepEqual(stopped.ports, { imap: null, pop: null, smtp: null });
  assert.ok(await refused(on.ports.imap ?? 0), 'nothing listens on the old IMAP port');
  assert.equal((prefs.data.get(BRIDGE_PREFERENCE_KEY) as { enabled: boolean }).enabled, false);
});

test('autoStart: runs the bridge only when it was left on with "start with the app"', async () => {
  const prefs = memoryPreferences();
  prefs.set(BRIDGE_PREFERENCE_KEY, { enabled: true, ports: { imap: 0, pop: null, smtp: 0 }, tls: false, startWithApp: false });
  const notNow = control(prefs);
  assert.equal((await notNow.c.autoStart()).state, 'off');
  prefs.set(BRIDGE_PREFERENCE_KEY, { enabled: false, ports: { imap: 0, pop: null, smtp: 0 }, tls: false, startWithApp: true });
  assert.equal((await notNow.c.autoStart()).state, 'off');

  prefs.set(BRIDGE_PREFERENCE_KEY, { enabled: true, ports: { imap: 0, pop: null, smtp: 0 }, tls: false, startWithApp: true });
  const started = control(prefs);
  const s = await started.c.autoStart();
  assert.equal(s.state, 'on');
  assert.ok(s.ports.imap && s.ports.smtp);
  await started.waitEvent((e) => e.state === 'on');
  await started.c.close();
});

test('a port in use: failed with BRIDGE_PORT_IN_USE and its fix, the typed port kept, not saved as on', async () => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    const prefs = memoryPreferences();
    const { c, activity } = control(prefs);
    const s = await c.configure({ enabled: true, ports: { imap: port, pop: null, smtp: null } });
    assert.equal(s.state, 'failed');
    assert.equal(s.error?.code, 'BRIDGE_PORT_IN_USE');
    assert.match(s.error?.message ?? '', new RegExp(`IMAP port ${port} on 127\\.0\\.0\\.1`));
    assert.deepEqual(prefs.data.get(BRIDGE_PREFERENCE_KEY), { enabled: false, ports: { imap: port, pop: null, smtp: null }, tls: false, startWithApp: true });
    assert.match(activity.list()[0]?.message ?? '', /^Bridge could not start: .*Fix: Choose another port/);
    // The next attempt on a free port works, from the same control.
    const ok = await c.configure({ enabled: true, ports: { imap: 0 } });
    assert.equal(ok.state, 'on');
    assert.equal(ok.error, undefined);
  } finally {
    await new Promise<void>((r) => taken.close(() => r()));
  }
});

test('TLS: the certificate while on, and the client settings name STARTTLS and its file', async () => {
  const { c } = control(memoryPreferences());
  const s = await c.configure({ enabled: true, ports: { imap: 0, pop: null, smtp: 0 }, tls: true });
  assert.equal(s.state, 'on');
  assert.match(s.certificatePem ?? '', /^-----BEGIN CERTIFICATE-----/);
  const { servers, certFile } = c.clientServers();
  assert.deepEqual(servers.imap, { host: '127.0.0.1', port: s.ports.imap, security: 'starttls' });
  assert.equal(servers.pop, undefined);
  assert.match(certFile ?? '', /bridge[/\\]certificate\.pem$/);
  await c.close();
});
