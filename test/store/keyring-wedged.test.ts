// A keyring that never answers, for real: GNOME Keyring (private bus, no prompter, secret-service.ts)
// wedged by other programs, namely bare @napi-rs/keyring lookups in parallel processes against the
// locked collection, outside this product's lock (issue 15). `mail-oauth token` must still end:
// after its bound (MAIL_OAUTH_KEYRING_TIMEOUT_MS) it says KEYRING_UNAVAILABLE and exits 4, with
// nothing on disk changed. Ending is the hard part: the unanswered native call keeps a thread that
// process.exit() waits for (electron/core/exit-process.ts). The hang guard kills what never ends
// so that the test fails instead of running into the runner's time limit; no duration is asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchInfo } from '../bench/client.ts';
import { finished, root, run, snapshot, start } from '../cli/store-helpers.ts';
import { startSecretService, type SecretService } from './secret-service.ts';

const HANG_GUARD_MS = 120_000;
/** How long bare lookups may take before the keyring counts as wedged (they answer in ms otherwise). */
const WEDGED_AFTER_MS = 15_000;
const info = benchInfo();
const address = 'alice@example.test';
const dataDir = mkdtempSync(join(tmpdir(), 'moa-keyring-wedged-'));
let ss: SecretService;
const bare: ChildProcess[] = [];

before(async () => {
  ss = await startSecretService();
});
after(async () => {
  for (const b of bare) b.kill('SIGKILL');
  await ss?.stop();
});

const env = (): NodeJS.ProcessEnv => ({ ...ss.env, MAIL_OAUTH_DATA_DIR: dataDir, MAIL_OAUTH_KEYRING_TIMEOUT_MS: '3000' });

/** One lookup of this data dir's entry, as another program would do it (no lock, no bound). */
function bareLookup(): ChildProcess {
  const code = `const { AsyncEntry } = require('@napi-rs/keyring');
new AsyncEntry('Mail OAuth Assistant', ${JSON.stringify(resolve(dataDir))}, { linux: { store: 'secret-service' } })
  .getPassword().then(() => process.exit(0), () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', code], { cwd: root, env: ss.env, stdio: 'ignore' });
  bare.push(child);
  return child;
}

/** Rounds of 10 parallel lookups until some of them never answer (the wedge); false if none did. */
async function wedge(): Promise<boolean> {
  for (let round = 0; round < 5; round++) {
    const kids = Array.from({ length: 10 }, bareLookup);
    let timer: NodeJS.Timeout | undefined;
    const allEnded = await Promise.race([
      Promise.all(kids.map((k) => new Promise((r) => (k.exitCode !== null ? r(k.exitCode) : k.once('exit', r))))).then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), WEDGED_AFTER_MS))),
    ]);
    clearTimeout(timer);
    if (!allEnded) return true;
  }
  return false;
}

test('a wedged keyring: `token` ends after its bound with KEYRING_UNAVAILABLE, exit 4, nothing changes', async (t) => {
  const m = info.mail.main;
  const add = await run(
    ['add', '--ca-file', info.ca.path, '--address', address, '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app',
      '--scopes', `openid email offline_access ${info.scopes.imap}`, '--imap', `localhost:${m.imap.tls.port}:tls`],
    undefined,
    env(),
  );
  assert.equal(add.code, 0, add.stderr);
  const record = JSON.parse(readFileSync(join(dataDir, 'master-key.json'), 'utf8')) as { backend: string };
  assert.equal(record.backend, 'os-keyring');

  await ss.lock();
  if (!(await wedge())) {
    t.skip('GNOME Keyring did not wedge this time (50 parallel lookups all answered): nothing to check');
    return;
  }
  const before = snapshot(dataDir);
  const kids = Array.from({ length: 3 }, () => start(['token', address, '--ca-file', info.ca.path], env()));
  let guard: NodeJS.Timeout | undefined;
  const runs = await Promise.race([
    Promise.all(kids.map(finished)),
    new Promise<never>((_, reject) => {
      guard = setTimeout(() => {
        for (const k of kids) k.kill('SIGKILL');
        reject(new Error('`token` never ended against the wedged keyring'));
      }, HANG_GUARD_MS);
    }),
  ]).finally(() => clearTimeout(guard));
  for (const r of runs) {
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /KEYRING_UNAVAILABLE: .*Secret Service: reading the key (got no answer within 3 s|not tried: another program has been waiting)/);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(snapshot(dataDir), before, 'nothing on disk changed (no lock left behind either)');
});
