// The desktop app itself, in the real Electron binary. The binary is downloaded from outside the
// npm registry by `electron`'s installer, which cannot run on every machine (not on our CI
// machines): there this test reports itself skipped and says why. Where the binary exists it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { artifactPath, root, WAIT_MS } from './helpers.ts';

function electronBinary(): string | undefined {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH; // electron's own way to point at a local build
  if (override) {
    const bin = ['electron', 'Electron.app/Contents/MacOS/Electron', 'electron.exe'].map((n) => join(override, n)).find((p) => existsSync(p));
    if (bin) return bin;
  }
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

const bin = electronBinary();
const skip = bin
  ? false
  : 'the Electron binary is not installed (node_modules/electron/dist is missing: its download comes from outside the npm registry)';

test('the desktop app opens a hardened window and answers over IPC', { skip }, async () => {
  assert.ok(bin);
  // Its own data dir: never the user's accounts and keyring entry (the default is shared with the CLI).
  const dataDir = mkdtempSync(join(tmpdir(), 'moa-electron-'));
  // XDG_CONFIG_HOME: a temp one, so nothing here can touch the user's autostart entries.
  const app = await electron.launch({ executablePath: bin, args: [root, '--no-sandbox'], cwd: root, env: { ...process.env, MAIL_OAUTH_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(dataDir, 'xdg') } });
  try {
    const win = await app.firstWindow();
    await win.getByTestId('status-footer').waitFor({ timeout: WAIT_MS });
    assert.match(await win.getByTestId('status-footer').innerText(), /desktop/);
    // No Node in the renderer, the preload's API only.
    assert.equal(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined');
    assert.equal(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process), 'undefined');
    assert.equal(await win.evaluate(() => typeof (globalThis as Record<string, unknown>).mailOAuth), 'object');
    // "Start at login" exists in the desktop app only (the web host has no login item), and the
    // footer's checkbox reads the same setting as the tray menu.
    const login = await win.evaluate(async () => {
      const api = (globalThis as unknown as { mailOAuth: Record<string, (input: unknown) => Promise<unknown>> }).mailOAuth;
      const fn = api['app:login-item'];
      return fn ? await fn({}) : undefined;
    });
    assert.deepEqual(login, { ok: true, value: { supported: true, openAtLogin: false } });
    await win.getByLabel('Start at login').waitFor({ timeout: 20000 });
    // window.open is denied.
    assert.equal(await win.evaluate(() => window.open('https://example.com/') === null), true);
    await win.screenshot({ path: artifactPath('electron-shell.png') });
  } finally {
    await app.close();
  }
});
