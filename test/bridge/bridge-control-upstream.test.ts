// An upstream failure through the app's control of the bridge reaches the activity log with the
// catalog's fix (issue 12: "the app's activity log and dashboard show it with the catalog's fix"):
// the account's IMAP server is a closed port, a mail client signs in to the bridge with the right
// bridge password, the client gets the temporary refusal and the log gets one 'bridge' failure line
// naming the cause and what to do. Real bridge, real bench (test/bridge/helpers.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { benchInfo } from '../bench/client.ts';
import { describe } from '../../shared/diagnostics.ts';
import { createActivityLog } from '../../electron/core/activity.ts';
import { createBridgeControl, type BridgeControl } from '../../electron/core/bridge-control.ts';
import { RawClient, setUpAccount } from './helpers.ts';

let control: BridgeControl | undefined;
after(async () => {
  await control?.close();
});

test('the real server unreachable: the client gets a temporary refusal, the activity log the cause and the fix', async () => {
  const closed = benchInfo().failures.closedPort;
  const a = await setUpAccount({ imap: `${closed.host}:${closed.port}:tls` });
  const prefs = new Map<string, unknown>();
  const activity = createActivityLog({ clock: a.core.clock });
  control = createBridgeControl({
    ...a.core,
    preferences: { get: (k) => prefs.get(k), set: (k, v) => void prefs.set(k, v) },
    dataDir: a.dataDir,
    activity,
    onChange: () => undefined,
  });
  const on = await control.configure({ enabled: true, ports: { imap: 0, pop: null, smtp: null } });
  assert.equal(on.state, 'on');
  const password = await control.newPassword(a.id);

  const client = await RawClient.connect(on.ports.imap ?? 0);
  try {
    await client.waitFor(/^\* OK/m);
    client.send(`a1 LOGIN ${a.address} ${password}`);
    await client.waitFor(/^a1 NO \[UNAVAILABLE\]/m);
  } finally {
    client.close();
  }
  const line = activity.list().find((e) => e.kind === 'bridge' && !e.ok);
  assert.ok(line, JSON.stringify(activity.list()));
  assert.equal(line.accountId, a.id);
  assert.match(line.message, /^Bridge IMAP: /);
  assert.match(line.message, /CONNECTION_REFUSED|refused the connection/);
  const fix = describe('CONNECTION_REFUSED').fix[0];
  assert.ok(fix, 'the catalog has a fix for CONNECTION_REFUSED');
  // The log keeps 300 characters of a line: the fix's start must be inside them.
  assert.ok(line.message.includes(`Fix: ${fix.slice(0, 40)}`), `the catalog's fix: ${line.message}`);
  assert.ok(!line.message.includes(password));
});
