// Short-lived access tokens (the bench's native-short client, 3 s) that have expired: 10 real
// `token` processes started together all need a refresh; the others use the token the first one
// got (re-read under the account's lock) while it is still valid. See store-helpers.ts tokenRound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { introspect } from '../bench/client.ts';
import { addAccount, authorize, grantOf, run, storeFlags, tokenRound } from './store-helpers.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-cli-conc-'));

/** A native-short account (3 s tokens) signed in, and the token of a first call with the store flags. */
async function signedIn(): Promise<{ dataDir: string; id: string; token: string; g0: Awaited<ReturnType<typeof grantOf>> }> {
  const dataDir = tmp();
  const id = await addAccount(dataDir, { clientId: 'native-short' });
  await authorize(dataDir, id);
  const token = (await run(['token', id, ...storeFlags(dataDir)])).stdout.trim();
  return { dataDir, id, token, g0: await grantOf(token) };
}

/** Until the provider itself says the token expired (no fixed sleep). */
async function expired(token: string): Promise<void> {
  while ((await introspect(token)).active === true) await new Promise((res) => setTimeout(res, 200));
}

test('short-lived tokens (native-short, 3 s): 10 processes after expiry waste no refresh and keep the grant, 3 rounds', async () => {
  const { dataDir, id, token, g0 } = await signedIn();
  let handedOut = [token];
  let refreshesBefore = g0.refreshes;
  for (let r = 1; r <= 3; r++) {
    for (const t of handedOut) await expired(t);
    const results = await tokenRound(dataDir, id, []);
    for (const x of results) assert.equal(x.code, 0, x.stderr);
    const tokens = new Set(results.map((x) => x.stdout.trim()));
    // Every refresh of the round is one a process handed out: a process that waited for the lock
    // used the token another got meanwhile instead of refreshing again, unless that token had
    // expired by then (3 s tokens on a loaded machine), when a new refresh is the right thing.
    // One refresh per round regardless of time is proven by the forced rounds (cli-refresh-race-*).
    handedOut = [...tokens];
    const g = await grantOf(handedOut[0] ?? '');
    assert.equal(g.revoked, false, `round ${r}: the grant is alive`);
    assert.equal(g.refreshes - refreshesBefore, tokens.size, `round ${r}: no refresh wasted (${tokens.size} token(s) handed out)`);
    for (const t of handedOut) assert.equal((await grantOf(t)).grantId, g0.grantId, `round ${r}: the same grant`);
    refreshesBefore = g.refreshes;
  }
});

test('the plain helper line (no flags, so the fast path reads first): 10 processes after expiry keep the grant, waste no refresh and leave one validity mark', async () => {
  const { dataDir, id, token, g0 } = await signedIn();
  const marks = (): string[] => (existsSync(join(dataDir, 'cache')) ? readdirSync(join(dataDir, 'cache')).filter((n) => n.endsWith('.valid')) : []);
  assert.deepEqual(marks(), [], 'the calls with store flags never read through the fast path');
  await expired(token);
  // What a mail client's helper line runs: the store choice and the CA were remembered at `add`.
  const results = await tokenRound(dataDir, id, [], 10, ['--data-dir', dataDir]);
  for (const x of results) assert.equal(x.code, 0, x.stderr);
  const tokens = new Set(results.map((x) => x.stdout.trim()));
  const g = await grantOf([...tokens][0] ?? '');
  assert.equal(g.revoked, false, 'the grant is alive');
  assert.equal(g.grantId, g0.grantId, 'the same grant');
  assert.equal(g.refreshes - g0.refreshes, tokens.size, `no refresh wasted (${tokens.size} token(s) handed out)`);
  assert.equal(marks().length, 1, 'one validity mark, however many processes left it');
});
