// kill -9 at random points of 30 forced refreshes (`mail-oauth token --force-refresh`, real
// processes, the bench's IdP rotating refresh tokens): the store is never corrupted (the account
// stays, no secrets file becomes unreadable or is set aside, the lock of a killed holder never
// blocks the next process), and a sign-in can only be lost in the one window no local store can
// close: after the provider rotated the refresh token and before the new one reached the disk.
// Each kill is followed by a check: a forced refresh through the CLI's own core, in this process
// (same files, same locks; a process start per check would double the run time); a lost sign-in
// is counted, reported, and signed in again so the run goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { openCliCore } from '../../electron/cli/cli-core.ts';
import { addAccount, authorize, finished, run, start, storeFlags } from './store-helpers.ts';

test('kill -9 at random points of 30 refreshes never corrupts the store', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-kill-'));
  const id = await addAccount(dataDir);
  await authorize(dataDir, id);
  const flags = [...storeFlags(dataDir), '--force-refresh'];
  // Spread the kill points over one whole forced refresh, process start included.
  const t0 = performance.now();
  const warm = await run(['token', id, ...flags]);
  assert.equal(warm.code, 0, warm.stderr);
  const span = performance.now() - t0;

  const io = { stdout: process.stdout, stderr: process.stderr, env: {}, signal: new AbortController().signal };
  const checker = await openCliCore(io, { dataDir, insecureStore: true, caFile: benchInfo().ca.path });
  let killed = 0;
  let lost = 0;
  const lostAt: string[] = [];
  for (let i = 1; i <= 30; i++) {
    const child = start(['token', id, ...flags]);
    const at = Math.random() * span;
    const timer = setTimeout(() => child.kill('SIGKILL'), at);
    const r = await finished(child);
    clearTimeout(timer);
    if (child.signalCode === 'SIGKILL') killed += 1;
    else assert.equal(r.code, 0, `run ${i} (not killed): ${r.stderr}`);

    // Never corrupted: nothing set aside as undecryptable, the account is there.
    const secrets = readdirSync(join(dataDir, 'secrets'));
    assert.deepEqual(secrets.filter((n) => n.includes('undecryptable')), [], `run ${i}: ${secrets.join(', ')}`);
    const check = await checker.auth.getAccessToken(id, { forceRefresh: true });
    if (!check.ok) {
      // Only a provider refusal of the saved sign-in is acceptable, never a store error.
      assert.match(check.error.code, /^(AUTH_GRANT_REVOKED|AUTH_REFRESH_EXPIRED)$/, `run ${i}: ${JSON.stringify(check.error)}`);
      lost += 1;
      lostAt.push(`run ${i} (killed after ${Math.round(at)} of ${Math.round(span)} ms)`);
      await authorize(dataDir, id);
    }
    // The killed process's lock never outlives it for the next one (the check got through).
    assert.equal(existsSync(join(dataDir, 'secrets', `${id}.secrets.lock`)), false);
  }
  const list = await run(['accounts', '--json', ...storeFlags(dataDir)]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual((JSON.parse(list.stdout) as Array<{ id: string }>).map((a) => a.id), [id]);
  t.diagnostic(`30 runs, ${killed} killed with SIGKILL mid-way, ${lost} sign-in(s) lost${lost ? `: ${lostAt.join('; ')}` : ''}`);
});
