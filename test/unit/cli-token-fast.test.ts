// `mail-oauth token`'s read-only fast path (electron/cli/token-fast.ts): it hands out a saved
// token that is still good without loading the core, and declines (undefined: the full path
// runs) whenever the store is not exactly as the full path expects, so a read error or a damaged
// record is never taken for "no accounts" and repairs still happen. Real stores in a temp data dir
// (key-file box: the tests run without a session bus, so without an OS keyring).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpFetch } from '../../electron/auth/http.ts';
import { makeTestPki } from '../bench/ca.ts';
import { main } from '../../electron/cli.ts';
import { openCliCore } from '../../electron/cli/cli-core.ts';
import { cachedToken } from '../../electron/cli/token-fast.ts';
import type { CliIO } from '../../electron/cli/command.ts';
import { fileName } from '../../electron/store/secret-store.ts';
import type { NodeSecretBox } from '../../electron/store/node-secret-box.ts';

const ADDRESS = 'fast@example.test';
const root = join(import.meta.dirname, '..', '..');

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  // No MAIL_OAUTH_* from the developer's shell: each test names its data dir.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAIL_OAUTH_')));
  return { stdout, stderr, env: { ...clean, ...env }, signal: new AbortController().signal, out: () => out, err: () => err };
}

/** A data dir with one saved account (added through the CLI) and a grant whose access token expires at `expiresAt`. */
async function store(expiresAt: number | undefined, o: { issuer?: string; caFile?: string } = {}): Promise<{ dir: string; id: string; token: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'moa-token-fast-'));
  const add = io();
  const code = await main(
    ['add', '--data-dir', dir, '--insecure-store', ...(o.caFile ? ['--ca-file', o.caFile] : []), '--address', ADDRESS, '--issuer', o.issuer ?? 'https://idp.example.test', '--client-id', 'fast-client',
      '--scopes', 'openid email offline_access mail', '--imap', 'localhost:993:tls'],
    add,
  );
  assert.equal(code, 0, add.err());
  const core = await openCliCore(io(), { dataDir: dir });
  const account = core.accounts.list()[0];
  assert.ok(account);
  const token = `at-${Math.random().toString(36).slice(2)}`;
  const grant = { accessToken: token, refreshToken: 'rt-unused', scopes: ['openid', 'mail'], grantIssuedAt: Date.now(), appOnly: false, ...(expiresAt === undefined ? {} : { expiresAt }) };
  await core.secrets.set(account.id, 'oauth-grant', JSON.stringify(grant));
  return { dir, id: account.id, token };
}

const HOUR = 3_600_000;

test('a saved token that is still good: the fast path hands out what the full path would', async () => {
  const s = await store(Date.now() + HOUR);
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), s.token);
  const core = await openCliCore(io(), { dataDir: s.dir });
  const full = await core.auth.getAccessToken(s.id);
  assert.equal(full.ok && full.value.token, s.token);
  // Through the command: only the token and a newline on stdout, nothing on stderr.
  const run = io();
  assert.equal(await main(['token', ADDRESS, '--data-dir', s.dir], run), 0);
  assert.equal(run.out(), `${s.token}\n`);
  assert.equal(run.err(), '');
});

test('declines a token within the refresh margin, and one from a grant without expiry is good', async () => {
  const soon = await store(Date.now() + 60_000);
  assert.equal(await cachedToken(ADDRESS, soon.dir, io()), undefined);
  const noExpiry = await store(undefined);
  assert.equal(await cachedToken(ADDRESS, noExpiry.dir, io()), noExpiry.token);
});

test('a token too old to hand out: the fast path opens the connection the refresh then takes (same server, same trust)', async () => {
  const pki = await makeTestPki(mkdtempSync(join(tmpdir(), 'moa-token-fast-pki-')));
  const paths: string[] = [];
  const srv = createHttpsServer({ cert: pki.server.certPem, key: pki.server.keyPem }, (req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  let connections = 0;
  srv.on('secureConnection', () => (connections += 1));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    const issuer = `https://localhost:${(srv.address() as AddressInfo).port}`;
    const soon = await store(Date.now() + 60_000, { issuer, caFile: pki.ca.cert });
    const accepted = once(srv, 'secureConnection');
    assert.equal(await cachedToken(ADDRESS, soon.dir, io()), undefined);
    // A guard against a connection that never comes, not a speed check.
    const timer = setTimeout(() => srv.emit('secureConnection-missing'), 20_000);
    const missing = once(srv, 'secureConnection-missing').then(() => assert.fail('the fast path opened no connection to the token endpoint'));
    await Promise.race([accepted, missing]).finally(() => clearTimeout(timer));
    // The refresh's client trusts what the account trusts (its saved CA): it takes that connection.
    const r = await createHttpFetch({ ca: [pki.ca.certPem] })(`${issuer}/token`, { method: 'POST', body: 'grant_type=refresh_token' });
    assert.equal(r.status, 200);
    assert.deepEqual(paths, ['/token']);
    assert.equal(connections, 1, 'the request went over the connection the fast path opened');
    // A token still good opens nothing.
    const good = await store(Date.now() + HOUR, { issuer, caFile: pki.ca.cert });
    assert.equal(await cachedToken(ADDRESS, good.dir, io()), good.token);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(connections, 1);
  } finally {
    srv.closeAllConnections();
    srv.close();
  }
});

test('a declined fast path hands the key it opened to the full path, which uses it instead of opening it again', async () => {
  const soon = await store(Date.now() + 60_000);
  const opened: { box?: NodeSecretBox } = {};
  assert.equal(await cachedToken(ADDRESS, soon.dir, io(), opened), undefined);
  const box = opened.box;
  assert.ok(box, 'the key was opened before declining');
  // A box that counts its use: the full path's secret store must decrypt through this one.
  let decrypts = 0;
  const counting: NodeSecretBox = { available: box.available, backend: box.backend, encrypt: (p) => box.encrypt(p), decrypt: (d) => (decrypts++, box.decrypt(d)) };
  const core = await openCliCore(io(), { dataDir: soon.dir, secretBox: counting });
  const grant = JSON.parse((await core.secrets.get(soon.id, 'oauth-grant')) ?? '{}') as { accessToken?: string };
  assert.equal(grant.accessToken, soon.token);
  assert.equal(decrypts, 1);
  // A token that is still good opens the key too, and is answered.
  const good = await store(Date.now() + HOUR);
  const opened2: { box?: NodeSecretBox } = {};
  assert.equal(await cachedToken(ADDRESS, good.dir, io(), opened2), good.token);
  assert.ok(opened2.box);
});

test('declines what the full path must see: a leftover temp file, an unknown name, no remembered store choice', async () => {
  const s = await store(Date.now() + HOUR);
  assert.equal(await cachedToken('nobody@example.test', s.dir, io()), undefined);
  const tmp = join(s.dir, 'secrets', `${fileName(s.id)}.abc123.tmp`);
  writeFileSync(tmp, 'half a write');
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), undefined);
  rmSync(tmp);
  // A file set aside earlier is no leftover write.
  writeFileSync(join(s.dir, 'secrets', `${fileName(s.id)}.undecryptable-1`), 'old');
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), s.token);
  // Without the remembered --insecure-store choice the store keeps secrets in memory only.
  renameSync(join(s.dir, 'preferences.json'), join(s.dir, 'preferences.aside.json'));
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), undefined);
  assert.equal(await cachedToken(ADDRESS, s.dir, io({ MAIL_OAUTH_INSECURE_STORE: '1' })), s.token);
});

test('a record that fails the schema or an older file version: declined, and the full path repairs and reports as before', async () => {
  const s = await store(Date.now() + HOUR);
  const path = join(s.dir, 'accounts.json');
  const data = JSON.parse(readFileSync(path, 'utf8')) as { schemaVersion: number; accounts: Record<string, unknown> };
  writeFileSync(path, JSON.stringify({ ...data, accounts: { ...data.accounts, broken: { id: 'broken', address: 'not an address' } } }));
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), undefined);
  const run = io();
  assert.equal(await main(['token', ADDRESS, '--data-dir', s.dir], run), 0);
  assert.equal(run.out(), `${s.token}\n`);
  assert.match(run.err(), /SETTINGS_CORRUPT|could not be read/, 'the full path still says a record was left out');
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), s.token, 'after the repair the fast path answers again');

  writeFileSync(path, JSON.stringify({ ...data, schemaVersion: 1, accounts: Object.values(data.accounts) }));
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), undefined);
});

test('an unreadable accounts file is never "no accounts": declined, and the full path names the file', async () => {
  const s = await store(Date.now() + HOUR);
  const path = join(s.dir, 'accounts.json');
  const saved = readFileSync(path);
  rmSync(path);
  mkdirSync(path); // EISDIR on read, even for root (chmod would not stop root)
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), undefined);
  const run = io();
  const code = await main(['token', ADDRESS, '--data-dir', s.dir], run);
  assert.notEqual(code, 0);
  assert.equal(run.out(), '', 'no token on stdout');
  assert.ok(run.err().includes(path), run.err());
  rmSync(path, { recursive: true });
  writeFileSync(path, saved);
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), s.token);
});

test('a damaged key file is the same error as on the full path (not a fallback to a new key)', async () => {
  const s = await store(Date.now() + HOUR);
  writeFileSync(join(s.dir, 'insecure-key'), 'not a key');
  await assert.rejects(cachedToken(ADDRESS, s.dir, io()), (e: { appError?: { code?: string } }) => e.appError?.code === 'KEY_FILE_UNREADABLE');
  const run = io();
  assert.notEqual(await main(['token', ADDRESS, '--data-dir', s.dir], run), 0);
  assert.match(run.err(), /KEY_FILE_UNREADABLE/);
  assert.equal(readFileSync(join(s.dir, 'insecure-key'), 'utf8'), 'not a key', 'the key file is left as it was');
  assert.equal(existsSync(join(s.dir, 'cache')), false, 'a run that failed leaves no validity mark');
});

test('test --account leaves the validity mark once the store opened (a failed probe too), so the next run starts its connections without building the schema', async () => {
  const s = await store(Date.now() + HOUR);
  const run = io();
  // Nothing listens on localhost:993 (the stored server) here: the probe fails (exit 4, temporary),
  // the store was fine.
  const code = await main(['test', '--account', ADDRESS, '--data-dir', s.dir, '--timeout', '20s', '--json'], run);
  assert.equal(code, 4, run.err());
  assert.equal((JSON.parse(run.out()) as { ok: boolean }).ok, false);
  assert.equal(readdirSync(join(s.dir, 'cache')).filter((n) => n.endsWith('.valid')).length, 1);
});

test('test --account starts the probe before opening the store, yet a store that cannot be opened is the same one line, nothing on stdout', async () => {
  const s = await store(Date.now() + HOUR);
  // An unknown account is still the usage error, before any connection.
  const unknown = io();
  assert.equal(await main(['test', '--account', 'nobody@example.test', '--data-dir', s.dir], unknown), 2);
  assert.equal(unknown.out(), '');
  writeFileSync(join(s.dir, 'insecure-key'), 'not a key');
  for (const extra of [[], ['--json']]) {
    const run = io();
    const code = await main(['test', '--account', ADDRESS, '--data-dir', s.dir, '--timeout', '20s', ...extra], run);
    assert.equal(code, 1, run.err());
    assert.equal(run.out(), '', `no report and no timeline (${extra.join(' ') || 'timeline'})`);
    assert.match(run.err(), /^mail-oauth test: KEY_FILE_UNREADABLE: .*Next: /);
    assert.equal(run.err().split('\n').filter(Boolean).length, 1, run.err());
  }
  assert.equal(readFileSync(join(s.dir, 'insecure-key'), 'utf8'), 'not a key', 'the key file is left as it was');
});

test('the schema check is remembered for the exact file content: later calls load no zod; any change is checked again', async () => {
  const s = await store(Date.now() + HOUR);
  const path = join(s.dir, 'accounts.json');
  const marks = (): string[] => readdirSync(join(s.dir, 'cache')).filter((n) => n.endsWith('.valid'));
  const trace = traced(s.dir);
  // First call: validated with the schema (zod loaded), and the content marked.
  assert.ok(trace().some((u) => u.includes('/zod/')), 'the first call checks the file with the schema');
  assert.equal(marks().length, 1);
  // Same content: no zod, same answer.
  assert.deepEqual(trace().filter((u) => u.includes('/zod/') || u.endsWith('/shared/account.ts')), []);
  // A record that fails the schema, written over it: checked again (not answered from the mark).
  const data = JSON.parse(readFileSync(path, 'utf8')) as { schemaVersion: number; accounts: Record<string, Record<string, unknown>> };
  const [id, record] = Object.entries(data.accounts)[0] ?? [];
  assert.ok(id && record);
  writeFileSync(path, JSON.stringify({ ...data, accounts: { [id]: { ...record, servers: { imap: { enabled: true, host: '', port: 993, security: 'tls' } } } } }));
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), undefined);
  // Valid, but not as the app writes it (an address in capitals): answered as parsed, never marked.
  writeFileSync(path, JSON.stringify({ ...data, accounts: { [id]: { ...record, address: ADDRESS.toUpperCase() } } }));
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), s.token);
  assert.equal(marks().length, 1, 'only the earlier content is marked');
  // Back to the marked content: answered without checking, and the one mark is all there is.
  writeFileSync(path, JSON.stringify(data, null, '\t'));
  assert.equal(await cachedToken(ADDRESS, s.dir, io()), s.token);
  assert.equal(marks().length, 1);
});

/** Runs `token` from the sources in a child process; returns the module URLs it resolved. */
function traced(dataDir: string): () => string[] {
  const dir = mkdtempSync(join(tmpdir(), 'moa-token-fast-trace-'));
  const list = join(dir, 'loaded.txt');
  const hook = join(dir, 'hook.mjs');
  // Records every module the process resolves (module.registerHooks, Node 22.15+).
  writeFileSync(hook, `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.add(r.url); return r; } });
process.on('exit', () => writeFileSync(${JSON.stringify(list)}, [...seen].join('\\n')));
`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAIL_OAUTH_')));
  return () => {
    const run = spawnSync(process.execPath, ['--import', hook, join(root, 'electron', 'cli.ts'), 'token', ADDRESS, '--data-dir', dataDir], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^at-\w+\n$/);
    const loaded = readFileSync(list, 'utf8').split('\n');
    assert.ok(loaded.some((u) => u.endsWith('/electron/cli/token-fast.ts')), 'the trace sees the fast path');
    return loaded;
  };
}

test('a cached token loads neither the refresh nor the write machinery (openid-client, conf, locks, keyring)', async () => {
  const s = await store(Date.now() + HOUR);
  const loaded = traced(s.dir)();
  for (const heavy of ['/openid-client/', '/conf/', '/ajv/', '/proper-lockfile/', '/@napi-rs/keyring', '/electron/cli/cli-core.ts', '/electron/auth/']) {
    assert.deepEqual(loaded.filter((u) => u.includes(heavy)), [], `${heavy} is not loaded for a cached token`);
  }
});
