// Short-lived access tokens (the bench's native-short client, 3 s) that have expired: 10 real
// `token` processes started together all need a refresh, and share one (the others use the token
// the first one got, re-read under the account's lock). See store-helpers.ts tokenRound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { introspect } from '../bench/client.ts';
import { addAccount, authorize, grantOf, run, storeFlags, tokenRound } from './store-helpers.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-cli-conc-'));

test('short-lived tokens (native-short, 3 s): 10 processes after expiry share one refresh, 3 rounds', async () => {
  const dataDir = tmp();
  const id = await addAccount(dataDir, { clientId: 'native-short' });
  await authorize(dataDir, id);
  let token = (await run(['token', id, ...storeFlags(dataDir)])).stdout.trim();
  const g0 = await grantOf(token);
  for (let r = 1; r <= 3; r++) {
    // Wait for the state "expired" at the provider itself (no fixed sleep).
    while ((await introspect(token)).active === true) await new Promise((res) => setTimeout(res, 200));
    const results = await tokenRound(dataDir, id, []);
    for (const x of results) assert.equal(x.code, 0, x.stderr);
    const tokens = new Set(results.map((x) => x.stdout.trim()));
    assert.equal(tokens.size, 1);
    [token = ''] = tokens;
    const g = await grantOf(token);
    assert.equal(g.revoked, false);
    assert.equal(g.refreshes, g0.refreshes + r, `round ${r}: one refresh`);
  }
});
