// Ctrl+C in a command that waits (`authorize` waiting for the browser): the command is cancelled,
// cleans up (its loopback redirect listener closes) and says so, instead of dying of the signal
// (proper-lockfile's signal-exit re-raised SIGINT when the CLI's own listener, a `once`, was gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { allScopes, cliEntry, root, runCli } from './cli-helpers.ts';

const info = benchInfo();

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

test('Ctrl+C while authorize waits for the browser: cancelled, listener closed, said so; nothing kills it mid-way', async () => {
  const dd = ['--data-dir', mkdtempSync(join(tmpdir(), 'moa-interrupt-')), '--insecure-store'];
  const add = await runCli(['add', ...dd, '--ca-file', info.ca.path, '--address', 'alice@example.test', '--issuer', info.issuer, '--client-id', 'native-app', '--scopes', allScopes(), '--imap', `localhost:${info.mail.main.imap.tls.port}:tls`]);
  assert.equal(add.code, 0, add.stderr);

  const child = spawn(process.execPath, [cliEntry, 'authorize', 'alice@example.test', ...dd], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let port: number | undefined;
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)\n/.exec(stderr)?.[1];
    if (url && port === undefined) {
      port = Number(new URL(new URL(url).searchParams.get('redirect_uri') ?? '').port);
      child.kill('SIGINT');
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  assert.equal(signal, null, `ended by its own exit, not by the signal:\n${stderr}`);
  assert.equal(code, 1);
  assert.match(stderr, /mail-oauth authorize: CANCELLED: .*\n/);
  assert.ok(port !== undefined && port > 0);
  assert.equal(await refused(port), true, 'the loopback redirect listener is closed');

  const list = await runCli(['accounts', ...dd]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /alice@example\.test/, 'the account is still there');
});
