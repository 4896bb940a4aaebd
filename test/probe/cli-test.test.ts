// `mail-oauth test` as a child process against the bench: JSON success, a diagnosed failure,
// bad flags, and the token never in stdout/stderr.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { ProbeReport } from '../../shared/probe.ts';
import { ALICE, aliceToken } from './helpers.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'moa-cli-'));
const caFile = join(dir, 'ca.pem');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['electron/cli.ts', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const spec = (l: { host: string; port: number }, sec: string): string => `${l.host}:${l.port}:${sec}`;

describe('CLI: mail-oauth test', () => {
  test('success with --json prints a valid ProbeReport and exits 0; the token is never printed', async () => {
    writeFileSync(caFile, benchInfo().ca.pem);
    const t = await aliceToken();
    const tokenFile = join(dir, 'token-ok');
    writeFileSync(tokenFile, `  ${t.token}\n`);
    const m = benchInfo().mail.main;
    const r = await cli([
      'test', '--address', ALICE,
      '--imap', spec(m.imap.tls, 'tls'), '--pop', spec(m.pop3.starttls, 'starttls'), '--smtp', spec(m.smtp.starttls, 'starttls'),
      '--token-file', tokenFile, '--ca-file', caFile, '--mechanism', 'xoauth2', '--json',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(0, 2000));
    const report = ProbeReport.parse(JSON.parse(r.stdout));
    assert.equal(report.ok, true);
    assert.deepEqual(report.protocols.map((p) => p.mechanism), ['XOAUTH2', 'XOAUTH2', 'XOAUTH2']);
    assert.ok(!r.stdout.includes(t.token) && !r.stderr.includes(t.token));
    assert.ok(!r.stdout.includes(Buffer.from(t.token).toString('base64')));
  });

  test('a failure exits 1 with the timeline, the diagnosis title and fix steps', async () => {
    const tokenFile = join(dir, 'token-bad');
    const secret = 'not-a-valid-token-' + 'q'.repeat(30);
    writeFileSync(tokenFile, secret);
    const f = benchInfo().failures.untrustedCert;
    const r = await cli(['test', '--address', ALICE, '--imap', spec(f.imap.tls, 'tls'), '--token-file', tokenFile, '--ca-file', caFile]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /IMAP\s+✓ connect/);
    assert.match(r.stdout, /IMAP\s+✗ tls .*TLS_UNTRUSTED_CERT/);
    assert.match(r.stdout, /The server’s certificate is not trusted \[TLS_UNTRUSTED_CERT\]/);
    assert.match(r.stdout, /How to fix:\n\s+1\. /);
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
  });

  test('bad flags exit 2 with usage and no stack trace', async () => {
    for (const args of [
      ['test', '--address', 'not-an-address', '--imap', 'x:1', '--token-file', 'f'],
      ['test', '--address', ALICE, '--imap', 'host-without-port', '--token-file', 'f'],
      ['test', '--address', ALICE, '--imap', 'h:993', '--token-file', join(dir, 'missing')],
      ['test', '--bogus-flag'],
      ['test', '--address', ALICE, '--imap', 'h:993', '--token-file', 'f', '--mechanism', 'PLAIN'],
      ['no-such-command'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Usage: mail-oauth/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
