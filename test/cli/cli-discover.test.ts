// `mail-oauth discover`: the catalog answers for a known domain even when DNS and the network
// fail, each failed lookup is named, and --json gives the DiscoveryResult.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DiscoveryResult } from '../../shared/discovery.ts';

const cli = join(import.meta.dirname, '..', '..', 'electron', 'cli.ts');
// A DNS "server" on a closed loopback port: every DNS source fails fast and visibly.
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'discover', ...args, '--dns', '127.0.0.1:9'], { encoding: 'utf8', timeout: 60000 });

test('a Gmail address is recognized from the catalog, with the failed lookups named', () => {
  const r = run('someone@gmail.com');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Provider: Google \(Gmail or Google Workspace\) \(from the domain\)/);
  assert.match(r.stdout, /imap\.gmail\.com:993 tls {2}catalog, high confidence/);
  assert.match(r.stdout, /Lookups that found nothing: .*mx \(/);
});

test('--json prints a DiscoveryResult; bad usage exits 2', () => {
  const r = run('someone@gmail.com', '--json');
  assert.equal(r.status, 0, r.stderr);
  const result = DiscoveryResult.parse(JSON.parse(r.stdout));
  assert.equal(result.provider?.id, 'google');
  assert.equal(result.suggested.smtp?.host, 'smtp.gmail.com');
  const bad = run('not-an-address');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Usage: mail-oauth discover/);
});
