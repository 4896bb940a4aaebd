// `mail-oauth discover`: the catalog answers for a known domain even when DNS and the network
// fail, each failed lookup is named, and --json gives the DiscoveryResult.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DiscoveryResult } from '../../shared/discovery.ts';
import { cliEntry } from './cli-helpers.ts';

// The bundle when it is fresh, else the sources (cli-helpers.ts): starts several times faster on a
// loaded machine, and it is what users and mail clients run.
const cli = cliEntry;
// A DNS "server" on a closed loopback port: every DNS source fails fast and visibly.
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'discover', ...args, '--dns', '127.0.0.1:9'], { encoding: 'utf8', timeout: 300_000 }); // a hang guard only

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
