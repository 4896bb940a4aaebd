// `npm start` / `npm run dev` without Electron's program (issue 18): one paragraph saying what is
// missing, why and the one command that fixes it, never electron-vite's "Electron uninstall" trace.
// The real npm scripts run as child processes against a copy of the `electron` package that has no
// binary; its download goes to a loopback "mirror" that answers 404 (no internet here, and the test
// must not depend on GitHub). Only the last test uses a stand-in program, because the real Electron
// binary cannot be downloaded on this machine; it says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
let electronCopy: string;
let mirror: Server;
let mirrorUrl: string;
const mirrorRequests: string[] = [];

before(async () => {
  // Inside node_modules so the copy's install.js resolves @electron/get like the real one.
  const holder = mkdtempSync(join(root, 'node_modules', '.moa-test-electron-'));
  electronCopy = join(holder, 'electron');
  mkdirSync(electronCopy);
  for (const f of ['package.json', 'install.js', 'index.js', 'checksums.json']) copyFileSync(join(root, 'node_modules', 'electron', f), join(electronCopy, f));
  mirror = createServer((req, res) => {
    mirrorRequests.push(req.url ?? '');
    res.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
});

after(async () => {
  await new Promise<void>((resolve) => mirror.close(() => resolve()));
  rmSync(join(electronCopy, '..'), { recursive: true, force: true });
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  const base = { ...process.env };
  for (const k of ['ELECTRON_EXEC_PATH', 'ELECTRON_OVERRIDE_DIST_PATH', 'ELECTRON_SKIP_BINARY_DOWNLOAD', 'ELECTRON_MIRROR']) delete base[k];
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...base, MOA_ELECTRON_PACKAGE_DIR: electronCopy, electron_config_cache: mkdtempSync(join(tmpdir(), 'moa-electron-cache-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

function assertOneClearParagraph(text: string): string {
  const paragraph = text.split('\n').find((l) => l.startsWith('Mail OAuth Assistant cannot start:'));
  assert.ok(paragraph, `no explanation printed:\n${text}`);
  assert.doesNotMatch(text, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(text, /Electron uninstall/);
  assert.match(paragraph, /Electron’s program is missing/);
  assert.match(paragraph, /npm run electron:fetch/, 'the one command that fixes it');
  assert.match(paragraph, /npm run dev:web/, 'the way to see the UI without Electron');
  return paragraph;
}

test('npm start without the binary tries the download once, then explains the failure in one paragraph', async () => {
  const before = mirrorRequests.length;
  const r = await run('npm', ['start'], { ELECTRON_MIRROR: mirrorUrl });
  assert.notEqual(r.code, 0);
  const paragraph = assertOneClearParagraph(`${r.out}\n${r.err}`);
  assert.match(paragraph, /that download failed \(.*404.*\)/);
  assert.match(paragraph, /then `npm start` again/);
  assert.ok(
    mirrorRequests.slice(before).some((u) => u.includes('electron-v45')),
    `the fetcher asked the mirror for Electron: ${JSON.stringify(mirrorRequests)}`,
  );
  assert.equal(existsSync(join(electronCopy, 'path.txt')), false);
});

test('npm run dev with ELECTRON_SKIP_BINARY_DOWNLOAD does not download and says why', async () => {
  const before = mirrorRequests.length;
  const r = await run('npm', ['run', 'dev'], { ELECTRON_MIRROR: mirrorUrl, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
  assert.notEqual(r.code, 0);
  const paragraph = assertOneClearParagraph(`${r.out}\n${r.err}`);
  assert.match(paragraph, /ELECTRON_SKIP_BINARY_DOWNLOAD is set/);
  assert.match(paragraph, /then `npm run dev` again/);
  assert.equal(mirrorRequests.length, before, 'no download attempted');
});

test('an Electron program that is there passes the check (stand-in program: the real binary cannot be downloaded here)', async () => {
  const dist = mkdtempSync(join(tmpdir(), 'moa-electron-dist-'));
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dist, 'electron'), 0o755);
  const r = await run(process.execPath, [join(root, 'electron', 'start.ts'), '--fetch'], { ELECTRON_OVERRIDE_DIST_PATH: dist });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`Electron is ready: ${join(dist, 'electron')}`));
  rmSync(dist, { recursive: true, force: true });
});
