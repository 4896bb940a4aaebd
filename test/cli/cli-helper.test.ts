// The token helper as mail clients call it (issue 10 points 5 and 6): set up once with the store
// flags and the CA, then every later command is just `mail-oauth <cmd> <account>`; `token`
// prints only the token; failures are one line with the code, the next step and the documented
// exit code; a second account with the same address needs a name; `edit` changes an account in
// place and says when a new sign-in is needed. Child processes against the real bench.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, introspect, mintToken } from '../bench/client.ts';
import { allScopes, authorizeWithBrowser, cliBundle, cliEntry, runCli, type Run } from './cli-helpers.ts';

const info = benchInfo();
const m = info.mail.main;
const dataDir = mkdtempSync(join(tmpdir(), 'moa-cli-helper-'));
const dd = ['--data-dir', dataDir];
const ALICE = 'alice@example.test';
const ONE_LINE = /^[^\n]+\n$/;

// Set up once: `add` with the store flags and the CA, then `authorize` with only --data-dir (the
// store choice and the CA were remembered). Each check below is its own test (own time limit).
before(async () => {
  const add = await runCli([
    'add', ...dd, '--insecure-store', '--ca-file', info.ca.path,
    '--address', ALICE, '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app',
    '--scopes', allScopes(),
    '--imap', `localhost:${m.imap.tls.port}:tls`, '--smtp', `localhost:${m.smtp.starttls.port}:starttls`,
  ]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stderr, /note: secrets are encrypted with a key file/, 'add says once where secrets go');

  // No --insecure-store, no --ca-file: both were remembered (data dir preference, account CA).
  const auth = await authorizeWithBrowser(ALICE, dd);
  assert.equal(auth.code, 0, auth.stderr);
  assert.match(auth.stderr, /Refresh token: yes/);
  assert.match(auth.stderr, /Helper line for mail clients: mail-oauth token alice@example\.test/);
});

test('token prints only the token and a newline; stderr stays empty', async () => {
  const tok = await runCli(['token', ALICE, ...dd]);
  assert.equal(tok.code, 0, tok.stderr);
  assert.match(tok.stdout, /^[\w.~+/=-]+\n$/);
  assert.equal(tok.stderr, '', 'nothing for the mail client to show');
  // A refresh goes to the IdP with the account's own CA.
  const fresh = await runCli(['token', ALICE, ...dd, '--force-refresh']);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.stderr, '');
  assert.notEqual(fresh.stdout, tok.stdout, 'a new token after --force-refresh');
  assert.equal((await introspect(fresh.stdout.trim())).active, true);
});

/** Runs the command with a preload that writes `recorded` (a JavaScript expression, evaluated when
 * the child exits) to a file: what the child loaded, observed from inside it. `setup` runs first. */
async function runObserved(args: string[], recorded: string, setup = '', env: NodeJS.ProcessEnv = {}): Promise<{ r: Run; record: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'moa-cli-observed-'));
  const preload = join(dir, 'record.cjs');
  const out = join(dir, 'record.json');
  writeFileSync(preload, `${setup}\nprocess.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(${recorded})));\n`);
  const r = await runCli(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
  return { r, record: JSON.parse(readFileSync(out, 'utf8')) as string[] };
}

// electron/auth/fetch-lite.ts, tools/fetch-lite-imports.ts: Node's Headers and Response are undici,
// 25-55 ms to load, and the built command's refresh must not load it. Observed from inside the
// child: a preload records the built-in modules it loaded.
test('a refresh by the built command loads no undici (Node\'s fetch classes)', { skip: cliEntry !== cliBundle && 'the command is not built (npm run build)' }, async () => {
  const { r, record: loaded } = await runObserved(['token', ALICE, ...dd, '--force-refresh'], 'process.moduleLoadList');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await introspect(r.stdout.trim())).active, true, 'a working token');
  assert.ok(loaded.includes('NativeModule https'), 'the record sees what the refresh loaded');
  assert.deepEqual(loaded.filter((m) => m.includes('undici')), []);
});

// cli.vite.config.ts codeSplitting: every file of the bundle costs a resolution, a read, a cache
// lookup and a link, on every call a mail client makes. Observed from inside the child: a preload
// records the bundle's files that Node's module loader loads.
test('token with a saved token loads at most 5 of the built command\'s files', { skip: cliEntry !== cliBundle && 'the command is not built (npm run build)' }, async () => {
  const { r, record: files } = await runObserved(['token', ALICE, ...dd], 'seen', `const seen = [];
require('node:module').registerHooks({ load(url, context, next) { if (url.includes('/out/cli/')) seen.push(url.replace(/.*\\/out\\/cli\\//, '')); return next(url, context); } });`);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(files.includes('mail-oauth.cjs'), `the record sees the bundle's files: ${files.join(', ')}`);
  assert.ok(files.length <= 5, `${files.length} files: ${files.join(', ')}`);
});

// electron/cli/stdio.ts: a mail client reads the token through a pipe, and building
// process.stdout for a pipe loads net and its stream classes (~7 ms a call); the token is written
// to the descriptor instead. Observed from inside the child, as above.
// electron/cli/code-cache.ts: that call leaves its files to Node's compile cache and never loads node:vm.
test('token with a saved token writes to the pipe directly: Node\'s net is not loaded (nor vm)', async () => {
  // With a compile cache, as bin/mail-oauth.cjs runs it (the code cache is on only then).
  const cache = mkdtempSync(join(tmpdir(), 'moa-cli-cc-'));
  const { r, record: loaded } = await runObserved(['token', ALICE, ...dd], 'process.moduleLoadList', '', { NODE_COMPILE_CACHE: cache });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^[\w.~+/=-]+\n$/, 'the whole token and its newline reached the pipe');
  assert.equal(r.stderr, '');
  assert.ok(loaded.includes('NativeModule crypto'), 'the record sees what the call loaded');
  assert.deepEqual(loaded.filter((m) => m === 'NativeModule net' || m === 'NativeModule tty' || m === 'NativeModule vm'), []);
});

test('a refresh leaves the accounts file\'s validity mark as a cached answer does, so the next call checks no schema first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moa-cli-mark-'));
  const d = ['--data-dir', dir];
  const add = await runCli(['add', ...d, '--insecure-store', '--ca-file', info.ca.path, '--address', ALICE, '--issuer', info.issuer, '--client-id', 'native-short', '--scopes', allScopes(), '--imap', `localhost:${m.imap.tls.port}:tls`]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal((await authorizeWithBrowser(ALICE, d)).code, 0);
  const marks = (): string[] => (existsSync(join(dir, 'cache')) ? readdirSync(join(dir, 'cache')).filter((n) => n.endsWith('.valid')) : []);
  assert.deepEqual(marks(), [], 'no call has checked the file yet');
  // native-short tokens live 3 s, inside the refresh margin: this call refreshes.
  const r = await runCli(['token', ALICE, ...d]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await introspect(r.stdout.trim())).active, true);
  assert.equal(marks().length, 1, 'marked once the refresh answered');
});

// electron/cli/token-command.ts loadCore: a refresh opens its connection to the token endpoint
// before loading the core (~40 ms of synchronous loading), and the core loads in steps with an
// event-loop turn between them, so the TCP handshake's answer is handled (TLS starts on the
// connection) while the core still loads, not after it. Observed from inside the child: the order
// of TLS starting on the early connection and of the core's chunk being loaded.
test('a refresh starts TLS on its early connection before the core has loaded', { skip: cliEntry !== cliBundle && 'the command is not built (npm run build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moa-cli-early-'));
  const d = ['--data-dir', dir];
  const add = await runCli(['add', ...d, '--insecure-store', '--ca-file', info.ca.path, '--address', ALICE, '--issuer', info.issuer, '--client-id', 'native-short', '--scopes', allScopes(), '--imap', `localhost:${m.imap.tls.port}:tls`]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal((await authorizeWithBrowser(ALICE, d)).code, 0);
  // native-short tokens live 3 s, inside the refresh margin: this call refreshes, through the fast path.
  const { r, record: order } = await runObserved(['token', ALICE, ...d], 'order', `const order = [];
require('node:module').registerHooks({ load(url, context, next) { if (url.includes('/out/cli/chunks/cli-core-')) order.push('core chunk'); return next(url, context); } });
const tls = require('node:tls'); const connect = tls.connect;
tls.connect = function (...args) { if (args[0] && args[0].socket) order.push('tls on early connection'); return connect.apply(this, args); };`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await introspect(r.stdout.trim())).active, true, 'a working token');
  assert.deepEqual(order, ['tls on early connection', 'core chunk']);
});

test('test --account takes the store flags and refreshes with the account CA', async () => {
  const probe = await runCli(['test', '--account', ALICE, ...dd, '--json']);
  assert.equal(probe.code, 0, probe.stderr + probe.stdout);
  const report = JSON.parse(probe.stdout) as { ok: boolean };
  assert.equal(report.ok, true);
});

test('an unknown account is one line and exit 2, not the usage text', async () => {
  const r = await runCli(['token', 'bob@nowhere.test', ...dd]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, ONE_LINE);
  assert.match(r.stderr, /No saved account "bob@nowhere\.test"/);
  assert.equal(r.stdout, '');
});

test('a second account with the same address is refused unless named; the name is a handle', async () => {
  const again = ['add', ...dd, '--address', ALICE, '--issuer', info.issuer, '--client-id', 'native-app', '--scopes', allScopes(), '--imap', `localhost:${m.imap.tls.port}:tls`];
  const dup = await runCli(again);
  assert.equal(dup.code, 2, dup.stderr);
  assert.match(dup.stderr, /alice@example\.test is already saved as alice@example\.test \([\w-]+\).*--name/);
  assert.doesNotMatch(dup.stderr, /Usage:/);
  const saved = await runCli(['accounts', ...dd, '--json']);
  assert.equal((JSON.parse(saved.stdout) as unknown[]).length, 1, 'nothing saved');

  const named = await runCli([...again, '--name', 'alice-work']);
  assert.equal(named.code, 0, named.stderr);
  const clash = await runCli([...again, '--name', 'ALICE-WORK']);
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /--name ALICE-WORK: already names/);
  // The address still names the first account (helper lines written before keep working) ...
  const tok = await runCli(['token', ALICE, ...dd]);
  assert.equal(tok.code, 0, tok.stderr);
  // ... and the name reaches the second one (not signed in yet: exit 3, one line, next step).
  const second = await runCli(['token', 'alice-work', ...dd]);
  assert.equal(second.code, 3, second.stderr);
  assert.match(second.stderr, ONE_LINE);
  assert.match(second.stderr, /^mail-oauth token: AUTH_NOT_SIGNED_IN: .*Next: run mail-oauth authorize alice-work\n$/);
  const list = await runCli(['accounts', ...dd]);
  assert.match(list.stdout, /name: alice-work/);
});

test('edit changes servers without a new sign-in', async () => {
  const servers = await runCli(['edit', ALICE, ...dd, '--pop', `localhost:${m.pop3.tls.port}:tls`, '--smtp', 'off']);
  assert.equal(servers.code, 0, servers.stderr);
  assert.match(servers.stderr, /Changed alice@example\.test: POP3? localhost:\d+:tls, SMTP off/);
  assert.match(servers.stderr, /No new sign-in needed/);
  const probe = await runCli(['test', '--account', ALICE, ...dd, '--json']);
  assert.equal(probe.code, 0, probe.stdout);
  const report = JSON.parse(probe.stdout) as { protocols: Array<{ protocol: string; ok: boolean }> };
  assert.deepEqual(report.protocols.map((p) => `${p.protocol}:${p.ok}`).sort(), ['imap:true', 'pop:true']);
});

test('edit: new scopes wait for the next sign-in; a new client id needs one (exit 3 until then)', async () => {
  const scopes = await runCli(['edit', ALICE, ...dd, '--scopes', `openid offline_access ${info.scopes.imap}`]);
  assert.equal(scopes.code, 0, scopes.stderr);
  assert.match(scopes.stderr, /new scopes are granted at the next sign-in: mail-oauth authorize alice@example\.test/);

  const client = await runCli(['edit', ALICE, ...dd, '--client-id', 'other-app']);
  assert.equal(client.code, 0, client.stderr);
  assert.match(client.stderr, /This change needs a new sign-in: mail-oauth authorize alice@example\.test/);
  const tok = await runCli(['token', ALICE, ...dd]);
  assert.equal(tok.code, 3, tok.stderr);
  assert.match(tok.stderr, ONE_LINE);
  assert.match(tok.stderr, /AUTH_NOT_SIGNED_IN.*Next: run mail-oauth authorize alice@example\.test/);
});

test('a temporary failure exits 4: the mail server cannot reach its identity provider', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moa-cli-temp-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, (await mintToken({ scope: allScopes() })).access_token, { mode: 0o600 });
  const down = info.failures.idpUnavailable;
  const r = await runCli(['test', '--address', ALICE, '--imap', `localhost:${down.imap.tls.port}:tls`, '--token-file', tokenFile, '--ca-file', info.ca.path, '--json']);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as { protocols: Array<{ code?: string }> };
  assert.equal(report.protocols[0]?.code, 'SERVER_AUTH_TEMPORARY');
});
