// `npm start` / `npm run dev` / `npm run electron:fetch`: make sure Electron's program is there, then
// hand over to electron-vite.
//
// Why this exists: the `electron` package (45) has no install script any more; it fetches its
// binary from GitHub the first time `require('electron')` runs. electron-vite does not go that way:
// it reads node_modules/electron/path.txt, which only that first fetch writes, and otherwise dies
// with "Error: Electron uninstall" and a stack trace. So a fresh `npm install && npm start` never
// worked. Here the fetch happens on first start (what Electron itself intends), and when it cannot
// (offline, proxy, ELECTRON_SKIP_BINARY_DOWNLOAD) the user gets one paragraph saying what is
// missing, why, and the one command that fixes it.
//
//   node electron/start.ts preview|dev   check (fetch if missing), then electron-vite <mode>
//   node electron/start.ts --fetch       only fetch the binary (ignores ELECTRON_SKIP_BINARY_DOWNLOAD)
//
// This file never imports 'electron' (that would start the fetch itself, with its own stack trace).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));

export type ElectronCheck =
  | { ok: true; binary: string }
  | { ok: false; problem: 'not-installed' | 'binary-missing'; packageDir?: string; expected: string };

/** Where the `electron` package is (MOA_ELECTRON_PACKAGE_DIR lets the tests use a copy without binary). */
function electronPackageDir(): string | undefined {
  if (process.env.MOA_ELECTRON_PACKAGE_DIR) return process.env.MOA_ELECTRON_PACKAGE_DIR;
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

const BINARY_NAMES = ['electron', 'Electron.app/Contents/MacOS/Electron', 'electron.exe'];

/** The Electron program electron-vite would run, the same places it and Electron look. */
export function checkElectron(): ElectronCheck {
  const exec = process.env.ELECTRON_EXEC_PATH; // electron-vite's own override
  if (exec) return existsSync(exec) ? { ok: true, binary: exec } : { ok: false, problem: 'binary-missing', expected: exec };
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH; // Electron's override (a local build)
  if (override) {
    const found = BINARY_NAMES.map((n) => join(override, n)).find((p) => existsSync(p));
    return found ? { ok: true, binary: found } : { ok: false, problem: 'binary-missing', expected: join(override, 'electron') };
  }
  const dir = electronPackageDir();
  if (!dir) return { ok: false, problem: 'not-installed', expected: join(root, 'node_modules', 'electron') };
  const pathFile = join(dir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const binary = join(dir, 'dist', name || 'electron');
  return name && existsSync(binary) ? { ok: true, binary } : { ok: false, problem: 'binary-missing', packageDir: dir, expected: binary };
}

/** Runs Electron's own fetcher (install.js: download, checksum, unzip, path.txt). Returns why it failed. */
function fetchElectron(packageDir: string): string | undefined {
  process.stderr.write('Electron’s program is not downloaded yet: fetching it once from GitHub (about 100 MB)…\n');
  const r = spawnSync(process.execPath, [join(packageDir, 'install.js')], { cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return r.error.message;
  if (r.status === 0) return undefined;
  // install.js prints the error's stack; the user gets its first line, never the trace.
  const first = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at '));
  return first ?? `the fetcher exited with ${r.status}`;
}

/** The one paragraph: what is missing, why, the one command that fixes it, and the way without Electron. */
export function missingParagraph(check: Extract<ElectronCheck, { ok: false }>, why: string, again = 'npm start'): string {
  const where = relative(process.cwd(), check.expected) || check.expected;
  const what =
    check.problem === 'not-installed'
      ? 'the `electron` package is not installed (a production-only install leaves out the desktop shell)'
      : `Electron’s program is missing (${where})`;
  const fix = check.problem === 'not-installed' ? '`npm install`' : '`npm run electron:fetch`';
  return [
    `Mail OAuth Assistant cannot start: ${what}.`,
    why,
    `Run ${fix} once${check.problem === 'not-installed' ? '' : ' while online'}, then \`${again}\` again.`,
    'Without Electron, `npm run dev:web` shows the same app in your browser.',
  ].join(' ');
}

function reasonFor(check: Extract<ElectronCheck, { ok: false }>, fetchError: string | undefined, skipped: boolean): string {
  if (check.problem === 'not-installed') return 'It is a development dependency: `npm install` brings it.';
  if (process.env.ELECTRON_EXEC_PATH || process.env.ELECTRON_OVERRIDE_DIST_PATH)
    return `ELECTRON_EXEC_PATH or ELECTRON_OVERRIDE_DIST_PATH points there; unset it to use the downloaded Electron.`;
  if (skipped)
    return 'Electron downloads it from GitHub on first use, not during `npm install`, and ELECTRON_SKIP_BINARY_DOWNLOAD is set here, so it was not fetched.';
  return `Electron downloads it from GitHub on first use, not during \`npm install\`, and that download failed (${fetchError ?? 'unknown error'}): the machine is offline, or a proxy or firewall blocks github.com (behind a proxy set HTTPS_PROXY and ELECTRON_GET_USE_PROXY=1; ELECTRON_MIRROR names a mirror).`;
}

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v !== 'false';

/** Check, fetch when missing and allowed; the binary's path, or undefined after printing the paragraph. */
function ensureElectron(force: boolean, rerun: string): string | undefined {
  let check = checkElectron();
  if (check.ok) return check.binary;
  const canFetch = check.problem === 'binary-missing' && check.packageDir !== undefined;
  const skipped = !force && truthy(process.env.ELECTRON_SKIP_BINARY_DOWNLOAD);
  let fetchError: string | undefined;
  if (canFetch && !skipped && check.packageDir) {
    fetchError = fetchElectron(check.packageDir);
    const after = checkElectron();
    if (after.ok) return after.binary;
    check = after;
    fetchError ??= 'the fetcher finished but no program was unpacked';
  }
  process.stderr.write(`\n${missingParagraph(check, reasonFor(check, fetchError, skipped), rerun)}\n\n`);
  return undefined;
}

function main(argv: string[]): void {
  const mode = argv[0];
  if (mode === '--fetch') {
    const binary = ensureElectron(true, 'npm start');
    if (binary) process.stdout.write(`Electron is ready: ${binary}\n`);
    process.exitCode = binary ? 0 : 1;
    return;
  }
  if (mode !== 'preview' && mode !== 'dev') {
    process.stderr.write('usage: node electron/start.ts preview|dev|--fetch\n');
    process.exitCode = 2;
    return;
  }
  const binary = ensureElectron(false, mode === 'dev' ? 'npm run dev' : 'npm start');
  if (!binary) {
    process.exitCode = 1;
    return;
  }
  const bin = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  // ELECTRON_EXEC_PATH tells electron-vite which program to run (it also honours an override this way).
  const child = spawn(process.execPath, [bin, mode, ...argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ELECTRON_EXEC_PATH: binary } });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

if (import.meta.main) main(process.argv.slice(2));
