// The command-line tool as the desktop app ships it (issue 10 point 4): electron-builder packs the
// app for Linux (`--dir`: the unpacked app, what AppImage and .deb wrap) with electron-builder.yml
// as it is, and the tool in resources/cli runs from there: its own launcher, the bundle and its
// chunks, and the native keyring binding resolved from resources/cli/node_modules. It signs in and
// hands out a token kept under a master key in a real Secret Service.
//
// STAND-IN: the Electron binary cannot be downloaded here, so electron-builder gets an "unpacked
// Electron" whose executable is a shell script carrying the fuse wire that @electron/fuses flips
// (its sentinel, wire version 1, ten fuses). Everything else is the real packager and the real
// configuration; the app itself is never started (the Electron e2e test does that where the binary
// exists).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, benchUser, introspect, loginWithHttp } from '../bench/client.ts';
import { allScopes, root, runCli, type Run } from '../cli/cli-helpers.ts';
import { startSecretService, type SecretService } from '../store/secret-service.ts';

const info = benchInfo();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
// @electron/fuses looks for this marker in the Electron executable; the fuse wire follows it.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

let ss: SecretService;
before(async () => {
  ss = await startSecretService();
});
after(async () => {
  await ss?.stop();
});

function electronBuilder(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'electron-builder', 'cli.js'), ...args], {
      cwd: root,
      // Offline: nothing to download (the Electron "distribution" is local), no code signing.
      env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('the packaged app carries the command-line tool: --version and a token from resources/cli, key in the Secret Service', { skip: process.platform !== 'linux' && 'packs the Linux layout' }, async () => {
  assert.ok(existsSync(join(root, 'out', 'cli', 'mail-oauth.cjs')), 'npm run build first (npm test does)');
  const work = mkdtempSync(join(tmpdir(), 'moa-package-'));
  const dist = join(work, 'electron-dist');
  mkdirSync(dist);
  writeFileSync(
    join(dist, 'electron'),
    Buffer.concat([Buffer.from('#!/bin/sh\necho "stand-in for Electron"\nexit 0\n#'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, 10]), Buffer.from('0'.repeat(10)), Buffer.from('\n')]),
  );
  chmodSync(join(dist, 'electron'), 0o755);
  writeFileSync(join(dist, 'version'), electronVersion);

  const packed = await electronBuilder(['--linux', 'dir', `-c.electronDist=${dist}`, `-c.directories.output=${join(work, 'out')}`]);
  assert.equal(packed.code, 0, `${packed.stdout}\n${packed.stderr}`);
  const resources = join(work, 'out', 'linux-unpacked', 'resources');
  const cliDir = join(resources, 'cli');
  assert.ok(existsSync(join(resources, 'app.asar')), 'the app itself is packed');
  assert.deepEqual(readdirSync(cliDir).sort(), ['bin', 'chunks', 'mail-oauth.cjs', 'node_modules']);
  assert.ok(existsSync(join(cliDir, 'node_modules', '@napi-rs', 'keyring', 'package.json')), 'the keyring binding beside the tool');
  // No TypeScript sources or source maps shipped with it.
  assert.deepEqual(readdirSync(join(cliDir, 'chunks')).filter((f) => !f.endsWith('.cjs')), []);

  const tool = join(cliDir, 'bin', 'mail-oauth.cjs');
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-packaged-'));
  // This keyring's session only; no key file, no --insecure-store.
  const env = { ...ss.env, MAIL_OAUTH_DATA_DIR: dataDir };
  const run = (args: string[], onStderr?: (s: string) => void): Promise<Run> => runCli(args, { entry: tool, env, ...(onStderr ? { onStderr } : {}) });

  const v = await run(['--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, `${version}\n`);

  const m = info.mail.main;
  const add = await run(['add', '--ca-file', info.ca.path, '--address', 'alice@example.test', '--issuer', info.issuer, '--client-id', 'native-app', '--scopes', allScopes(), '--imap', `localhost:${m.imap.tls.port}:tls`]);
  assert.equal(add.code, 0, add.stderr);
  const user = benchUser('alice@example.test');
  let completing: Promise<void> | undefined;
  const auth = await run(['authorize', 'alice@example.test'], (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)\n/.exec(stderr)?.[1];
    if (url && !completing) completing = loginWithHttp(url, { user: user.address, password: user.password }).then(async (redirect) => void (await fetch(redirect)));
  });
  await completing;
  assert.equal(auth.code, 0, auth.stderr);

  const record = JSON.parse(readFileSync(join(dataDir, 'master-key.json'), 'utf8')) as { backend: string; keyring: string };
  assert.deepEqual([record.backend, record.keyring], ['os-keyring', 'Secret Service'], 'the key went to the keyring through the shipped binding');

  const tok = await run(['token', 'alice@example.test', '--force-refresh']);
  assert.equal(tok.code, 0, tok.stderr);
  assert.match(tok.stdout, /^[\w.~+/=-]+\n$/, 'only the token and a newline');
  assert.equal(tok.stderr, '');
  assert.equal((await introspect(tok.stdout.trim())).active, true);
});
