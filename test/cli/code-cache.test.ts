// The built command's code cache (electron/cli/code-cache.ts, issue 10): its larger chunks run
// from a V8 code cache made at the end of an earlier run of the same command. Run as a mail client
// runs it, through bin/mail-oauth.cjs, on a private copy of the build and with a private compile
// cache directory (NODE_COMPILE_CACHE), and against the bench's Dovecot for a real check.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchInfo, mintToken } from '../bench/client.ts';
import { cliBundle, cliEntry, root, runCli, type Run } from './cli-helpers.ts';

const built = cliEntry === cliBundle;
const skip = !built && 'the command is not built (npm run build)';
let pkg = '';

before(() => {
  if (!built) return;
  // A copy: one test below changes a chunk, and other tests may be running out/cli meanwhile.
  pkg = mkdtempSync(join(tmpdir(), 'moa-code-cache-'));
  cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
  cpSync(join(root, 'out', 'cli'), join(pkg, 'out', 'cli'), { recursive: true });
  mkdirSync(join(pkg, 'node_modules'));
  symlinkSync(join(root, 'node_modules', '@napi-rs'), join(pkg, 'node_modules', '@napi-rs'));
});

/** The launcher with its own compile cache directory. */
function run(args: string[], cacheDir: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runCli(args, { entry: join(pkg, 'bin', 'mail-oauth.cjs'), env: { NODE_COMPILE_CACHE: cacheDir, ...env } });
}

/** The code cache files (Node keeps its own cache in a directory per Node version beside them). */
function cacheFiles(cacheDir: string): Map<string, { ino: number; size: number }> {
  const files = new Map<string, { ino: number; size: number }>();
  if (!existsSync(cacheDir)) return files;
  for (const version of readdirSync(cacheDir)) {
    const dir = join(cacheDir, version, 'mail-oauth');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const s = statSync(join(dir, name));
      files.set(join(dir, name), { ino: s.ino, size: s.size });
    }
  }
  return files;
}

const names = (files: Map<string, unknown>): string[] => [...files.keys()].map((f) => f.replace(/.*[\\/]/, '')).sort();

/** `test --help` once into a new cache directory (it must pass): the state most tests start from. */
async function firstRun(): Promise<{ cache: string; first: Run }> {
  const cache = mkdtempSync(join(tmpdir(), 'moa-cc-dir-'));
  const first = await run(['test', '--help'], cache);
  assert.equal(first.code, 0, first.stderr);
  return { cache, first };
}

/** The cache file of the test command's own chunk, and what it was when listed. */
const commandCacheFile = (cache: string): [string, { ino: number; size: number }] =>
  [...cacheFiles(cache)].find(([f]) => /test-command-/.test(f)) ?? assert.fail('no cache file for the command');

test('the second run of a command reads the cache the first one wrote; the token path is left to Node\'s cache', { skip }, async () => {
  const { cache, first } = await firstRun();
  assert.match(first.stdout, /^Usage: mail-oauth test/);
  const written = cacheFiles(cache);
  const files = names(written);
  assert.ok(files.some((f) => f.startsWith('test-command-')), files.join(', '));
  // One file per chunk and command, named by the file's size, modification time and inode
  // (not by the length alone, which is all V8 checks).
  for (const f of files) assert.match(f, /^[\w-]+-\d+-\d+-\d+-test\.v8$/);
  assert.deepEqual(files.filter((f) => /^(base|token|rolldown-runtime|mail-oauth)-/.test(f)), []);

  const second = await run(['test', '--help'], cache);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  // V8 accepted every file: a refused one would have been written again (a new file, renamed in).
  assert.deepEqual(cacheFiles(cache), written);

  // Another command keeps its own files.
  const add = await run(['add', '--help'], cache);
  assert.equal(add.code, 0, add.stderr);
  assert.ok(names(cacheFiles(cache)).some((f) => /-add\.v8$/.test(f)));
});

test('processes started together all write the same files whole: the next run accepts every one', { skip }, async () => {
  const cache = mkdtempSync(join(tmpdir(), 'moa-cc-dir-'));
  const runs = await Promise.all(Array.from({ length: 6 }, () => run(['test', '--help'], cache)));
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, runs[0]!.stdout);
  }
  const written = cacheFiles(cache);
  assert.ok(names(written).some((f) => f.startsWith('test-command-')));
  assert.deepEqual(names(written).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  const next = await run(['test', '--help'], cache);
  assert.equal(next.code, 0, next.stderr);
  assert.deepEqual(cacheFiles(cache), written, 'none refused');
});

test('a damaged cache file is refused and replaced; the run is not affected', { skip }, async () => {
  const { cache, first } = await firstRun();
  const [file, before] = commandCacheFile(cache);
  writeFileSync(file, Buffer.alloc(before.size, 0x5a));
  const damaged = statSync(file).ino;
  const again = await run(['test', '--help'], cache);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
  const after = cacheFiles(cache).get(file);
  assert.ok(after && after.ino !== damaged, 'written anew');
  assert.notDeepEqual(readFileSync(file), Buffer.alloc(before.size, 0x5a));
});

test('a chunk changed in place (same length) is compiled from its new text, never from the old cache', { skip }, async () => {
  const { cache } = await firstRun();
  const chunks = join(pkg, 'out', 'cli', 'chunks');
  const name = readdirSync(chunks).find((f) => f.startsWith('test-command-')) ?? assert.fail('no test-command chunk');
  const path = join(chunks, name);
  const original = readFileSync(path, 'utf8');
  assert.ok(original.includes('Servers (at least one'));
  try {
    writeFileSync(path, original.replace('Servers (at least one', 'Serverz (at least one'));
    const changed = await run(['test', '--help'], cache);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /Serverz \(at least one/);
    assert.equal(names(cacheFiles(cache)).filter((f) => f.startsWith(name.replace(/\.cjs$/, '-'))).length, 2, 'a second file for the new text');
  } finally {
    writeFileSync(path, original);
  }
});

test('a cache folder that others can write to is neither read nor written', { skip: skip || (process.platform === 'win32' && 'POSIX permissions') }, async () => {
  const { cache, first } = await firstRun();
  const [file, entry] = commandCacheFile(cache);
  const folder = dirname(file);
  chmodSync(folder, 0o777);
  const planted = Buffer.alloc(entry.size, 0x5a);
  writeFileSync(file, planted);
  rmSync(join(folder, readdirSync(folder).find((f) => !f.startsWith('test-command-')) ?? assert.fail('a second file')));
  const before = cacheFiles(cache);
  const again = await run(['test', '--help'], cache);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, first.stdout);
  assert.deepEqual(cacheFiles(cache), before, 'nothing replaced, nothing added');
  assert.deepEqual(readFileSync(file), planted);
});

test('NODE_DISABLE_COMPILE_CACHE turns the code cache off too', { skip }, async () => {
  const cache = mkdtempSync(join(tmpdir(), 'moa-cc-dir-'));
  const r = await run(['test', '--help'], cache, { NODE_DISABLE_COMPILE_CACHE: '1' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(names(cacheFiles(cache)), []);
});

test('a real check runs from the cache: IMAP, POP3 and SMTP against the bench, twice', { skip }, async () => {
  const info = benchInfo();
  const m = info.mail.main;
  const cache = mkdtempSync(join(tmpdir(), 'moa-cc-dir-'));
  const tokenFile = join(cache, 'token');
  writeFileSync(tokenFile, (await mintToken({ user: 'alice@example.test' })).access_token, { mode: 0o600 });
  const args = ['test', '--address', 'alice@example.test', '--ca-file', info.ca.path, '--token-file', tokenFile,
    '--imap', `localhost:${m.imap.tls.port}:tls`, '--pop', `localhost:${m.pop3.tls.port}:tls`, '--smtp', `localhost:${m.smtp.starttls.port}:starttls`];
  const first = await run(args, cache);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const written = cacheFiles(cache);
  assert.ok(names(written).some((f) => f.startsWith('imap-')), names(written).join(', '));
  const second = await run(args, cache);
  assert.equal(second.code, 0, second.stderr + second.stdout);
  assert.match(second.stdout, /All checks passed/);
  assert.deepEqual(cacheFiles(cache), written, 'every file accepted');
});
