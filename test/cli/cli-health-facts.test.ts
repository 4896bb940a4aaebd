// `add` / `edit --consent-status --secret-expires` (issue 13): the facts the health rules need and
// cannot find out alone, asked on the command line; `check` then warns before the end. Bad values
// are usage errors (exit 2) that name the flag and change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-helpers.ts';

const DAY = 86_400_000;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

type Listed = { label: string; consentStatus?: string; clientSecretExpiresAt?: number };
type Checked = { account: string; reasons: Array<{ cause: string; level: string; code: string; date?: number }> };

test('add and edit keep the consent status and the secret end date; check warns before the secret ends', async () => {
  const store = ['--data-dir', mkdtempSync(join(tmpdir(), 'moa-facts-')), '--insecure-store'];
  const list = async (): Promise<Listed[]> => JSON.parse((await runCli(['accounts', '--json', ...store])).stdout) as Listed[];
  const soon = day(Date.now() + 10 * DAY);

  // Bad values first: nothing is saved.
  for (const [flags, message] of [
    [['--consent-status', 'maybe'], /--consent-status: "maybe" is not testing, production or unknown/],
    [['--secret-expires', '2027-02-30'], /--secret-expires: "2027-02-30" is not a date like 2027-06-30/],
    [['--secret-expires', 'next year'], /--secret-expires: "next year" is not a date/],
  ] as const) {
    const r = await runCli(['add', ...store, '--address', 'someone@gmail.com', '--client-id', 'cid.apps.googleusercontent.com', ...flags]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  const generic = await runCli(['add', ...store, '--address', 'x@example.org', '--provider', 'generic', '--issuer', 'https://idp.example.org', '--client-id', 'c', '--scopes', 'openid imap', '--imap', 'imap.example.org:993:tls', '--consent-status', 'testing']);
  assert.equal(generic.code, 2, generic.stderr);
  assert.match(generic.stderr, /--consent-status is for providers with a consent screen in Testing \(Google\)/);
  assert.deepEqual(await list(), [], 'no account saved by a refused add');

  const add = await runCli(['add', ...store, '--name', 'g', '--address', 'someone@gmail.com', '--client-id', 'cid.apps.googleusercontent.com', '--consent-status', 'Testing', '--secret-expires', soon]);
  assert.equal(add.code, 0, add.stderr);
  const [saved] = await list();
  assert.equal(saved?.consentStatus, 'testing');
  assert.equal(day(saved?.clientSecretExpiresAt ?? 0), soon);

  const check = await runCli(['check', 'g', '--json', ...store]);
  const reasons = (JSON.parse(check.stdout) as Checked[])[0]?.reasons ?? [];
  const secret = reasons.find((r) => r.cause === 'client-secret-expiry');
  assert.equal(secret?.level, 'attention', check.stdout);
  assert.equal(secret?.code, 'AUTH_CLIENT_SECRET_EXPIRED');
  assert.equal(day(secret?.date ?? 0), soon);

  const edit = await runCli(['edit', 'g', '--consent-status', 'production', '--secret-expires', 'none', ...store]);
  assert.equal(edit.code, 0, edit.stderr);
  assert.match(edit.stderr, /consent status production, secret end date forgotten/);
  const [edited] = await list();
  assert.equal(edited?.consentStatus, 'production');
  assert.equal(edited?.clientSecretExpiresAt, undefined);
  const after = JSON.parse((await runCli(['check', 'g', '--json', ...store])).stdout) as Checked[];
  assert.equal(after[0]?.reasons.find((r) => r.cause === 'client-secret-expiry'), undefined);

  const bad = await runCli(['edit', 'g', '--secret-expires', '31/12/2027', ...store]);
  assert.equal(bad.code, 2);
  assert.equal((await list())[0]?.clientSecretExpiresAt, undefined, 'a refused edit changes nothing');
});
