// The bridge trusts the mail servers' certificates as `mail-oauth test` does: the account's own CA
// and the process-wide extra CA (`mail-oauth bridge --ca-file`), here an account saved without a
// CA in front of the bench's Dovecot, whose certificate comes from the bench CA.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { benchInfo } from '../bench/client.ts';
import { newBridgePassword, startBridge, type BridgeHandle } from '../../electron/bridge/index.ts';
import { plainAuth, RawClient, setUpAccount } from './helpers.ts';

const info = benchInfo();
const handles: BridgeHandle[] = [];
after(async () => {
  for (const h of handles) await h.close();
});

async function imapLogin(port: number, user: string, password: string): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    await c.waitFor(/^\* OK[^\r\n]*\r\n/);
    c.send(`a1 AUTHENTICATE PLAIN ${plainAuth(user, password)}`);
    return (await c.waitFor(/^a1 ([^\r\n]*)\r\n/m))[1] ?? '';
  } finally {
    c.close();
  }
}

test("an account without its own CA: the bridge's extra CA (--ca-file) makes its server trusted, as in `mail-oauth test`", async () => {
  const a = await setUpAccount();
  const saved = a.core.accounts.get(a.id);
  assert.ok(saved?.caPem, 'add saved the bench CA with the account');
  const { caPem: _dropped, ...withoutCa } = saved;
  a.core.accounts.put(withoutCa);
  assert.equal(a.core.accounts.get(a.id)?.caPem, undefined);
  const password = await newBridgePassword(a.core, a.id);
  const ports = { imap: 0, pop: null, smtp: null };

  const plain = await startBridge({ ...a.core, dataDir: a.dataDir }, { ports, tls: false });
  handles.push(plain);
  assert.match(await imapLogin(plain.ports.imap ?? 0, a.address, password), /^NO \[CONTACTADMIN\] .*\(TLS_UNTRUSTED_CERT\)/);

  const withCa = await startBridge({ ...a.core, dataDir: a.dataDir, ca: readFileSync(info.ca.path, 'utf8') }, { ports, tls: false });
  handles.push(withCa);
  assert.match(await imapLogin(withCa.ports.imap ?? 0, a.address, password), /^OK\b/);
});
