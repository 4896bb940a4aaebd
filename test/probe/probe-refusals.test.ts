// Failures that used to be reported as INTERNAL ("file an issue"): a server that offers STARTTLS
// and then refuses it (the bench's scripted `starttls-refused` servers), and a token file with
// Windows line ends, several lines or binary content given to `mail-oauth test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCa, benchInfo, malformedListener } from '../bench/client.ts';
import { runProbe } from '../../electron/probe/run-probe.ts';
import { describe as describeCode } from '../../shared/diagnostics.ts';
import { ALICE, aliceToken } from './helpers.ts';

test('STARTTLS offered and then refused: STARTTLS_REFUSED for IMAP, POP and SMTP; no token sent', async () => {
  const at = (p: 'imap' | 'pop3' | 'smtp') => {
    const l = malformedListener(p, 'starttls-refused', 'starttls');
    return { enabled: true, host: l.host, port: l.port, security: 'starttls' as const };
  };
  const r = await runProbe(
    { address: ALICE, servers: { imap: at('imap'), pop: at('pop3'), smtp: at('smtp') }, mechanisms: ['XOAUTH2'], token: { getAccessToken: async () => ({ token: 'x'.repeat(30) }) } },
    { ca: benchCa(), timeouts: { step: 5_000, overall: 15_000 } },
  );
  for (const p of r.protocols) {
    assert.equal(p.code, 'STARTTLS_REFUSED', `${p.protocol}: ${JSON.stringify(p.steps)}`);
    const failed = p.steps.find((s) => s.status === 'failed');
    assert.equal(failed?.step, 'starttls', p.protocol);
    assert.match(failed?.serverText ?? '', /TLS (?:is )?not available/, p.protocol);
    assert.ok(!p.steps.some((s) => s.step === 'authenticate' && s.status !== 'pending' && s.status !== 'skipped'), `${p.protocol} went on to sign in`);
  }
  assert.equal(describeCode('STARTTLS_REFUSED').action, 'edit-servers');
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['electron/cli.ts', ...args], { cwd: join(import.meta.dirname, '..', '..'), env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('mail-oauth test --token-file: CRLF works; several lines or binary are a clear usage error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moa-tokenfile-'));
  const m = benchInfo().mail.main;
  const t = await aliceToken();
  const base = ['test', '--address', ALICE, '--imap', `${m.imap.tls.host}:${m.imap.tls.port}:tls`, '--ca-file', benchInfo().ca.path];
  const file = (name: string, content: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  const crlf = await cli([...base, '--token-file', file('crlf', `${t.token}\r\n`)]);
  assert.equal(crlf.code, 0, crlf.stdout + crlf.stderr);

  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['two-lines', `${t.token}\r\nsecond line\r\n`, /more than one line/],
    ['binary', Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x10, 0x41, 0x42]), /binary data/],
    ['spaces', 'Bearer abcdefghijklmnop', /spaces/],
  ];
  for (const [name, content, message] of cases) {
    const r = await cli([...base, '--token-file', file(name, content)]);
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 2, `${name}: ${out}`);
    assert.match(out, message, name);
    assert.doesNotMatch(out, /INTERNAL|unexpected|file an issue/i, name);
    assert.ok(!out.includes(t.token), 'token printed');
  }
});
