// Several `mail-oauth token` at once against a REAL Secret Service (GNOME Keyring on a private bus,
// no prompter: secret-service.ts), as neomutt + mbsync + msmtp ask together. With the collection
// locked, GNOME Keyring wedges when several processes ask it to unlock at once (some "prompt
// dismissed" answers never come, and from then on every lookup of any process waits forever), so
// the store asks the keyring one process at a time (node-secret-box.ts). Locked: every process
// ends with exit 4 and KEYRING_LOCKED, and nothing on disk changes; unlocked: every one prints the
// token. The hang guard only stops a wedged round (killing its processes) so that the test fails
// instead of running into the runner's time limit; it asserts no duration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInfo, benchUser, introspect, loginWithHttp } from '../bench/client.ts';
import { finished, run, snapshot, start, type Run } from '../cli/store-helpers.ts';
import { startSecretService, type SecretService } from './secret-service.ts';

const PROCESSES = 8;
/** Rounds against the locked keyring: the wedge needs requests that overlap, which one round of
 * processes starting one after another does not always give (1 of 2 unfixed runs passed with one
 * round); once wedged it stays so, so every round adds to the chance of seeing it. */
const LOCKED_ROUNDS = 3;
/** Generous: a round of 8 processes that all end takes a few seconds even on a loaded machine. */
const HANG_GUARD_MS = 150_000;
const info = benchInfo();
const address = 'alice@example.test';
const dataDir = mkdtempSync(join(tmpdir(), 'moa-keyring-conc-'));
let ss: SecretService;

before(async () => {
  ss = await startSecretService();
});
after(async () => {
  await ss?.stop();
});

/** This keyring's session and this data dir only (the runner removes the user's own bus). */
const env = (): NodeJS.ProcessEnv => ({ ...ss.env, MAIL_OAUTH_DATA_DIR: dataDir });
const flags = ['--ca-file', info.ca.path];

/** `PROCESSES` `token` processes started together; all of them must end. */
async function tokenRound(round: string): Promise<Run[]> {
  const kids = Array.from({ length: PROCESSES }, () => start(['token', address, ...flags], env()));
  let guard: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    guard = setTimeout(() => {
      const left = kids.filter((k) => k.exitCode === null && k.signalCode === null).length;
      for (const k of kids) k.kill('SIGKILL');
      reject(new Error(`${round}: ${left} of ${PROCESSES} token processes never ended (the keyring wedged)`));
    }, HANG_GUARD_MS);
  });
  try {
    return await Promise.race([Promise.all(kids.map(finished)), hung]);
  } finally {
    clearTimeout(guard);
  }
}

test(`${PROCESSES} token processes at once: locked keyring, all exit 4 and nothing changes; unlocked, all print the token`, async () => {
  const m = info.mail.main;
  const add = await run(
    ['add', ...flags, '--address', address, '--provider', 'generic', '--issuer', info.issuer, '--client-id', 'native-app',
      '--scopes', `openid email offline_access ${info.scopes.imap}`, '--imap', `localhost:${m.imap.tls.port}:tls`],
    undefined,
    env(),
  );
  assert.equal(add.code, 0, `${add.stderr}\n${ss.describe()}`);
  const user = benchUser(address);
  let completing: Promise<void> | undefined;
  const auth = await run(['authorize', address, ...flags], (stderr) => {
    const url = /Open this URL in your browser to sign in:\n\s+(\S+)/.exec(stderr)?.[1];
    if (url && !completing) completing = loginWithHttp(url, { user: user.address, password: user.password, deliver: true }).then(() => undefined);
  }, env());
  await completing;
  assert.equal(auth.code, 0, `${auth.stderr}\n${ss.describe()}`);
  const record = JSON.parse(readFileSync(join(dataDir, 'master-key.json'), 'utf8')) as { backend: string; keyring: string };
  assert.deepEqual([record.backend, record.keyring], ['os-keyring', 'Secret Service'], 'the key is in the Secret Service');

  await ss.lock();
  const before = snapshot(dataDir);
  for (let round = 1; round <= LOCKED_ROUNDS; round++) {
    for (const r of await tokenRound(`locked, round ${round}`)) {
      assert.equal(r.code, 4, `round ${round}: ${r.stderr}`);
      assert.match(r.stderr, /KEYRING_LOCKED: .*Secret Service.*Next: try again later \(Unlock the keyring/);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.deepEqual(snapshot(dataDir), before, 'nothing on disk changed (no lock left behind either)');
  }

  await ss.unlock();
  const unlocked = await tokenRound('unlocked');
  const tokens = new Set<string>();
  for (const r of unlocked) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    tokens.add(r.stdout.trim());
  }
  assert.equal(tokens.size, 1, 'every process printed the one saved token');
  assert.equal((await introspect([...tokens][0] ?? '')).active, true);
});
