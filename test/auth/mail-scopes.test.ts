// A generic provider's account that asks for no mail scope (only openid email offline_access) is
// noticed right after sign-in (outcome flag, printed by the CLI and shown by the wizard) and in the
// connection test's diagnosis (AUTH_TOKEN_SCOPE, not "invalid or expired"); the CLI asks for the
// scopes, listing the issuer's scopes_supported, instead of defaulting to none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCa, benchInfo } from '../bench/client.ts';
import { probeInputForAccount, runProbe } from '../../electron/probe/run-probe.ts';
import { providerById, type ProviderEntry } from '../../shared/providers.ts';
import { BENCH_PROVIDERS, addAccount, harness, oidcAuth, unwrap } from './helpers.ts';

const generic = providerById('generic') as ProviderEntry;

test('no mail scope requested: flagged after sign-in, and the test says the token lacks the mail permission', async () => {
  const h = harness({ providers: [...BENCH_PROVIDERS, generic] });
  const a = addAccount(h, { providerId: 'generic', auth: oidcAuth('native-app'), scopes: ['openid', 'email', 'offline_access'] });
  const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
  const missing = outcome.flags.filter((f) => f.code === 'AUTH_SCOPE_MISSING');
  assert.deepEqual(missing.map((f) => f.protocol).sort(), ['imap', 'smtp']);
  for (const f of missing) assert.match(f.message, /no mail scope was requested/);

  const account = h.accounts.get(a.id);
  assert.ok(account);
  const report = await runProbe(probeInputForAccount(account, h.auth.tokenProvider(a.id)), { ca: benchCa(), timeouts: { step: 5_000, overall: 15_000 } });
  for (const p of report.protocols) assert.equal(p.code, 'AUTH_TOKEN_SCOPE', `${p.protocol}: ${JSON.stringify(p.steps.at(-1))}`);
});

test('with the mail scopes requested: no flag, and the test passes', async () => {
  const h = harness({ providers: [...BENCH_PROVIDERS, generic] });
  const s = benchInfo().scopes;
  const a = addAccount(h, { providerId: 'generic', auth: oidcAuth('native-app'), scopes: ['openid', 'email', 'offline_access', s.imap, s.smtp] });
  const outcome = unwrap(await h.auth.authorize(a.id, 'browser'));
  assert.deepEqual(outcome.flags.filter((f) => f.code === 'AUTH_SCOPE_MISSING'), []);
  const account = h.accounts.get(a.id);
  assert.ok(account);
  const report = await runProbe(probeInputForAccount(account, h.auth.tokenProvider(a.id)), { ca: benchCa(), timeouts: { step: 5_000, overall: 15_000 } });
  assert.equal(report.ok, true, JSON.stringify(report.protocols.map((p) => p.code)));
});

test('CLI add for a generic provider without --scopes: exit 2, asking for them with the issuer\'s list', async () => {
  const info = benchInfo();
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-scopes-'));
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['electron/cli.ts', 'add', '--data-dir', dataDir, '--insecure-store', '--ca-file', info.ca.path, '--address', 'alice@example.test', '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app', '--imap', `localhost:${info.mail.main.imap.tls.port}:tls`],
      { cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, NO_COLOR: '1' } },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /--scopes is required/);
  assert.match(r.out, /The issuer lists: .*\bimap\b.*\bsmtp\b/);
});
