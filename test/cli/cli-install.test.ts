// The installed command (issue 10 point 4): `npm install -g` of the checkout into a temporary
// prefix puts `mail-oauth` on PATH; it runs the built bundle (rebuilt here from the sources, so
// the test never checks a stale one), prints its version, and `mail-oauth token <account>` from
// there prints only the token. The system Node 20, when present, runs it too; a Node that is too
// old gets one line naming the version needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchInfo, introspect } from '../bench/client.ts';
import { allScopes, authorizeWithBrowser, root, runCli } from './cli-helpers.ts';

const info = benchInfo();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const nodeBin = dirname(process.execPath);
const npmCli = join(root, 'node_modules', 'npm', 'bin', 'npm-cli.js');

test('npm install -g into a prefix: mail-oauth --version and token from PATH print only what they should', async (t) => {
  // A private copy of the package (package.json, the launcher, a bundle built from the sources
  // now): other tests may be running out/cli meanwhile.
  const pkg = mkdtempSync(join(tmpdir(), 'moa-pkg-'));
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(root, 'bin', 'mail-oauth.cjs'), join(pkg, 'bin', 'mail-oauth.cjs'));
  copyFileSync(join(root, 'bin', 'mail-oauth.mjs'), join(pkg, 'bin', 'mail-oauth.mjs'));
  // The one dependency outside the bundle (a native binding), as an installed package has it.
  mkdirSync(join(pkg, 'node_modules'));
  symlinkSync(join(root, 'node_modules', '@napi-rs'), join(pkg, 'node_modules', '@napi-rs'));
  execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'cli.vite.config.ts'], {
    cwd: root,
    stdio: 'pipe',
    env: { ...process.env, MOA_CLI_OUT_DIR: join(pkg, 'out', 'cli') },
  });
  const prefix = mkdtempSync(join(tmpdir(), 'moa-prefix-'));
  const npm = existsSync(npmCli) ? [process.execPath, npmCli] : ['npm'];
  const [npmFile = 'npm', ...npmArgs] = npm;
  const install = spawnSync(npmFile, [...npmArgs, 'install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', pkg], { cwd: root, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  const bin = join(prefix, 'bin', process.platform === 'win32' ? 'mail-oauth.cmd' : 'mail-oauth');
  assert.ok(existsSync(bin), `${bin} installed`);
  // The shebang finds node on PATH, as a mail client's shell does.
  const env = { PATH: `${join(prefix, 'bin')}:${nodeBin}:/usr/bin:/bin` };

  const v = await runCli(['--version'], { entry: bin, executable: true, env });
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, `${version}\n`);
  assert.equal(v.stderr, '');

  const dataDir = mkdtempSync(join(tmpdir(), 'moa-installed-'));
  const dd = ['--data-dir', dataDir];
  const m = info.mail.main;
  const add = await runCli(['add', ...dd, '--insecure-store', '--ca-file', info.ca.path, '--address', 'alice@example.test', '--issuer', info.issuer, '--client-id', 'native-app', '--scopes', allScopes(), '--imap', `localhost:${m.imap.tls.port}:tls`], { entry: bin, executable: true, env });
  assert.equal(add.code, 0, add.stderr);
  const auth = await authorizeWithBrowser('alice@example.test', dd, 'alice@example.test', join(pkg, 'out', 'cli', 'mail-oauth.cjs'));
  assert.equal(auth.code, 0, auth.stderr);

  const tok = await runCli(['token', 'alice@example.test', ...dd], { entry: bin, executable: true, env });
  assert.equal(tok.code, 0, tok.stderr);
  assert.match(tok.stdout, /^[\w.~+/=-]+\n$/, 'only the token and a newline');
  assert.equal(tok.stderr, '');
  assert.equal((await introspect(tok.stdout.trim())).active, true);

  await t.test('the earlier entry point, bin/mail-oauth.mjs (links made to it), runs the same command', async () => {
    const installed = join(prefix, 'lib', 'node_modules', 'mail-oauth-assistant', 'bin', 'mail-oauth.mjs');
    const r = await runCli(['token', 'alice@example.test', ...dd], { entry: existsSync(installed) ? installed : join(pkg, 'bin', 'mail-oauth.mjs'), env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, tok.stdout, 'the same saved token');
    assert.equal(r.stderr, '');
  });

  const system = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
  await t.test('the system Node (20 here) runs the installed command too', { skip: system.status !== 0 && 'no /usr/bin/node' }, async () => {
    const r = await runCli(['token', 'alice@example.test', ...dd, '--force-refresh'], { entry: bin, executable: true, env: { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin` } });
    assert.equal(r.code, 0, `${system.stdout.trim()}: ${r.stderr}`);
    assert.match(r.stdout, /^[\w.~+/=-]+\n$/);
    assert.equal(r.stderr, '');
  });

  await t.test('a Node older than the bundle needs: one line naming the version, exit 1', async () => {
    // The launcher reads process.versions.node; an older Node is simulated by overriding it.
    const r = spawnSync(process.execPath, ['--import', 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"18.19.0"})', bin, 'token', 'x'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^mail-oauth: needs Node\.js 20\.11 or newer; this is v[\d.]+ \(.*\)\.\n$/);
    assert.equal(r.stdout, '');
  });
});
