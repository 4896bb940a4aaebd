// The CLI, the web host and the app share one data dir: overlapping writers used to lose
// accounts, and short-lived tokens refreshed by several processes at once killed the grant.
// Real processes (`node electron/cli.ts`, the web host's entry) against the bench. The forced
// refresh rounds are in cli-refresh-race-*.test.ts.
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount, root, run, storeFlags } from './store-helpers.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-cli-conc-'));

test('10 parallel `add` keep all 10 accounts', async () => {
  const dataDir = tmp();
  const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => addAccount(dataDir, { address: `user${i}@example.test` })));
  assert.equal(new Set(ids).size, 10);
  const list = await run(['accounts', '--json', ...storeFlags(dataDir)]);
  assert.equal(list.code, 0, list.stderr);
  const saved = (JSON.parse(list.stdout) as Array<{ id: string; address: string }>).map((a) => a.id).sort();
  assert.deepEqual(saved, [...ids].sort());
});

/** The development web host on `dataDir` (its real entry, a child process) and its IPC over HTTP. */
async function startHost(dataDir: string) {
  const staticDir = tmp();
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  const web = spawn(process.execPath, [join(root, 'electron', 'web-host', 'main.ts'), '--data-dir', dataDir, '--static', staticDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const openUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      web.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /web host: (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      web.once('exit', (code) => reject(new Error(`web host exited ${code}`)));
    });
    const u = new URL(openUrl);
    const secret = new URLSearchParams(u.hash.slice(1)).get('secret') ?? '';
    const base = `${u.origin}/`;
    const headers = { Authorization: `Bearer ${secret}` };
    /** The host's answer as it is: `{ ok, value }` or `{ ok: false, error }`. */
    const call = async <T>(channel: string, input: unknown): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string; detail?: string } }> => {
      const r = await fetch(`${base}ipc/${channel}`, { method: 'POST', headers, body: JSON.stringify(input) });
      return (await r.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    };
    const ipc = async <T>(channel: string, input: unknown): Promise<T> => {
      const body = await call<T>(channel, input);
      if (!body.ok) throw new Error(`${channel}: ${JSON.stringify(body.error)}`);
      return body.value as T;
    };
    return { base, headers, call, ipc, stop: () => void web.kill() };
  } catch (error) {
    web.kill();
    throw error;
  }
}

type Acc = { id: string; address: string; label: string; updatedAt: number; servers: { imap?: { host: string; port: number } } };
const hostInput = {
  label: 'host@example.test', address: 'host@example.test', providerId: 'generic',
  auth: { adapter: 'oidc', issuer: 'https://localhost:1', clientId: 'c', flow: 'delegated', authParams: {} },
  scopes: [], servers: { imap: { enabled: true, host: 'localhost', port: 993, security: 'tls' } }, status: 'ready',
};

test('a CLI `add` while the web host runs: the host notices it, and its next save keeps it', async () => {
  const dataDir = tmp();
  const host = await startHost(dataDir);
  const { base, headers, ipc } = host;
  try {
    // The host's event stream: accounts:changed must arrive when the CLI writes.
    const events = await fetch(`${base}events`, { headers });
    if (!events.body) throw new Error('no event stream');
    const reader = events.body.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    const changed = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('event stream ended');
        seen += value;
        if (seen.includes('"accounts:changed"')) return;
      }
    })();

    const hostAccount = await ipc<Acc>('accounts:save', { account: { ...hostInput, label: 'Host' } });
    seen = '';
    const cliId = await addAccount(dataDir, { address: 'cli@example.test' });
    await changed;
    const { accounts } = await ipc<{ accounts: Acc[] }>('accounts:list', {});
    assert.deepEqual(accounts.map((a) => a.address).sort(), ['cli@example.test', 'host@example.test']);
    // The host's next save (an edit of its own account) keeps the CLI's account.
    await ipc<Acc>('accounts:save', { account: { ...accounts.find((a) => a.id === hostAccount.id), label: 'Host renamed' } });
    const list = await run(['accounts', '--json', ...storeFlags(dataDir)]);
    const after = JSON.parse(list.stdout) as Acc[];
    assert.deepEqual(after.map((a) => a.id).sort(), [cliId, hostAccount.id].sort());
    assert.equal(after.find((a) => a.id === hostAccount.id)?.label, 'Host renamed');
    await reader.cancel();
  } finally {
    host.stop();
  }
});

test('a window editing an account it loaded earlier cannot undo a CLI `edit` made since (nor bring back a removed account)', async () => {
  const dataDir = tmp();
  const host = await startHost(dataDir);
  const { call, ipc } = host;
  const cliList = async (): Promise<Acc[]> => {
    const r = await run(['accounts', '--json', ...storeFlags(dataDir)]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Acc[];
  };
  try {
    // What the wizard holds: the account as saved, and that version's updatedAt.
    const loaded = await ipc<Acc>('accounts:save', { account: hostInput });
    // Meanwhile, in a terminal: a new IMAP server and a name.
    const edit = await run(['edit', 'host@example.test', '--imap', 'imap.example.test:993:tls', '--name', 'work', ...storeFlags(dataDir)]);
    assert.equal(edit.code, 0, edit.stderr);
    // The window saves its copy (it changed the port), naming the version it was edited from.
    const mine = { ...hostInput, id: loaded.id, servers: { imap: { enabled: true, host: 'localhost', port: 1993, security: 'tls' } } };
    const refused = await call<Acc>('accounts:save', { account: { ...mine, baseUpdatedAt: loaded.updatedAt } });
    assert.equal(refused.ok, false);
    assert.equal(refused.error?.code, 'ACCOUNT_CHANGED_ELSEWHERE');
    assert.match(refused.error?.detail ?? '', /nothing was saved/);
    let [now] = await cliList();
    assert.equal(now?.servers.imap?.host, 'imap.example.test', "the CLI's change is still there");
    assert.equal(now?.label, 'work');
    // Loaded again (the version now saved), the window's next save goes through.
    const current = (await ipc<{ accounts: Acc[] }>('accounts:list', {})).accounts[0];
    assert.ok(current);
    assert.ok(current.updatedAt > loaded.updatedAt);
    const saved = await ipc<Acc>('accounts:save', { account: { ...current, servers: { imap: { enabled: true, host: 'imap.example.test', port: 1993, security: 'tls' } }, baseUpdatedAt: current.updatedAt } });
    assert.deepEqual([saved.label, saved.servers.imap?.host, saved.servers.imap?.port], ['work', 'imap.example.test', 1993]);
    // "Keep my version": saved without naming a version, it replaces what is there.
    const kept = await ipc<Acc>('accounts:save', { account: mine });
    [now] = await cliList();
    assert.equal(now?.servers.imap?.host, 'localhost');
    // Removed in a terminal: the window's copy does not bring it back.
    const rm = await run(['remove', 'host@example.test', ...storeFlags(dataDir)]);
    assert.equal(rm.code, 0, rm.stderr);
    const gone = await call<Acc>('accounts:save', { account: { ...mine, baseUpdatedAt: kept.updatedAt } });
    assert.equal(gone.error?.code, 'NOT_FOUND');
    assert.deepEqual(await cliList(), []);
  } finally {
    host.stop();
  }
});
