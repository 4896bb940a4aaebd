// "Start at login" (electron/core/login-item.ts): the preference is the user's choice; Linux gets
// an XDG autostart entry written in a temp XDG_CONFIG_HOME, macOS and Windows get Electron's call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autostartEntry, autostartPath, createLoginItem, HIDDEN_ARG, LOGIN_ITEM_PREF, type LoginItemState } from '../../electron/core/login-item.ts';
import type { Preferences } from '../../electron/core/services.ts';

const prefs = (init: Record<string, unknown> = {}): Preferences & { data: Map<string, unknown> } => {
  const data = new Map(Object.entries(init));
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
};

test('Linux: on writes the autostart entry (started hidden), off removes it; the choice is a preference', () => {
  const xdg = mkdtempSync(join(tmpdir(), 'moa-xdg-'));
  const p = prefs();
  const calls: unknown[] = [];
  const changes: LoginItemState[] = [];
  const item = createLoginItem({ platform: 'linux', preferences: p, system: (s) => calls.push(s), command: '/opt/Mail OAuth/app', xdgConfigHome: xdg, onChange: (s) => changes.push(s) });
  assert.deepEqual(item.get(), { supported: true, openAtLogin: false });
  assert.deepEqual(item.set(true), { supported: true, openAtLogin: true });
  const path = autostartPath(xdg);
  const text = readFileSync(path, 'utf8');
  assert.match(text, /^\[Desktop Entry\]\nType=Application\n/);
  assert.match(text, new RegExp(`^Exec="/opt/Mail OAuth/app" ${HIDDEN_ARG}$`, 'm'));
  assert.equal(statSync(path).mode & 0o777, 0o644);
  assert.equal(p.data.get(LOGIN_ITEM_PREF), true);
  item.set(false);
  assert.equal(existsSync(path), false);
  assert.equal(p.data.get(LOGIN_ITEM_PREF), false);
  assert.deepEqual(changes, [{ supported: true, openAtLogin: true }, { supported: true, openAtLogin: false }]);
  // Electron's call does nothing on Linux: not made.
  assert.deepEqual(calls, []);
});

test('Desktop Entry Exec quoting: quotes, backquotes, dollars and backslashes are escaped', () => {
  assert.match(autostartEntry('/a "b" `c` $d \\e'), /^Exec="\/a \\"b\\" \\`c\\` \\\$d \\\\e" --hidden$/m);
});

test('macOS and Windows: Electron setLoginItemSettings with the hidden argument', () => {
  for (const platform of ['darwin', 'win32'] as const) {
    const calls: unknown[] = [];
    const item = createLoginItem({ platform, preferences: prefs(), system: (s) => calls.push(s), command: 'x', xdgConfigHome: '/nonexistent' });
    item.set(true);
    item.set(false);
    assert.deepEqual(calls, [
      { openAtLogin: true, args: [HIDDEN_ARG] },
      { openAtLogin: false, args: [HIDDEN_ARG] },
    ]);
  }
});

test('apply at start: the system follows a stored choice, and is left alone when the user never chose', () => {
  const calls: unknown[] = [];
  createLoginItem({ platform: 'darwin', preferences: prefs(), system: (s) => calls.push(s), command: 'x', xdgConfigHome: '/x' }).apply();
  assert.equal(calls.length, 0);
  createLoginItem({ platform: 'darwin', preferences: prefs({ [LOGIN_ITEM_PREF]: true }), system: (s) => calls.push(s), command: 'x', xdgConfigHome: '/x' }).apply();
  assert.deepEqual(calls, [{ openAtLogin: true, args: [HIDDEN_ARG] }]);
  // Linux: a moved AppImage gets its new path written.
  const xdg = mkdtempSync(join(tmpdir(), 'moa-xdg-'));
  createLoginItem({ platform: 'linux', preferences: prefs({ [LOGIN_ITEM_PREF]: true }), system: () => undefined, command: '/new/place.AppImage', xdgConfigHome: xdg }).apply();
  assert.match(readFileSync(autostartPath(xdg), 'utf8'), /^Exec="\/new\/place\.AppImage" --hidden$/m);
});

test('a failure to write the entry throws and leaves the preference unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moa-xdg-'));
  // A file where the config home should be a directory.
  const notDir = join(dir, 'file');
  writeFileSync(notDir, 'x');
  const p = prefs();
  const item = createLoginItem({ platform: 'linux', preferences: p, system: () => undefined, command: 'x', xdgConfigHome: notDir });
  assert.throws(() => item.set(true));
  assert.equal(p.data.get(LOGIN_ITEM_PREF), undefined);
});
