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

test('a CLI `add` while the web host runs: the host notices it, and its next save keeps it', async () => {
  const dataDir = tmp();
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
    const ipc = async <T>(channel: string, input: unknown): Promise<T> => {
      const r = await fetch(`${base}ipc/${channel}`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` }, body: JSON.stringify(input) });
      const body = (await r.json()) as { ok: boolean; value?: T; error?: unknown };
      if (!body.ok) throw new Error(`${channel}: ${JSON.stringify(body.error)}`);
      return body.value as T;
    };
    // The host's event stream: accounts:changed must arrive when the CLI writes.
    const events = await fetch(`${base}events`, { headers: { Authorization: `Bearer ${secret}` } });
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

    type Acc = { id: string; address: string; label: string };
    const hostAccount = await ipc<Acc>('accounts:save', {
      account: {
        label: 'Host', address: 'host@example.test', providerId: 'generic',
        auth: { adapter: 'oidc', issuer: 'https://localhost:1', clientId: 'c', flow: 'delegated', authParams: {} },
        scopes: [], servers: { imap: { enabled: true, host: 'localhost', port: 993, security: 'tls' } }, status: 'ready',
      },
    });
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
    web.kill();
  }
});
