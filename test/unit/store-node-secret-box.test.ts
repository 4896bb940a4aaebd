// The master key's rules (electron/store/node-secret-box.ts) over a stand-in keyring entry: an
// in-memory implementation of the small KeyringEntry port that can also fail the way the real
// library fails (its texts, seen against a real Secret Service, are in the classification test).
// The real Secret Service is exercised by test/store/keyring-secret-service.test.ts.
import { test, describe } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeSecretBox, keyId, resetMasterKey, KEY_RECORD, INSECURE_KEY_FILE } from '../../electron/store/node-secret-box.ts';
import { keyringFailure, keyringTimeoutMs, KEYRING_TIMEOUT_MS, type KeyringEntry } from '../../electron/store/keyring.ts';
import { AppFailure } from '../../shared/result.ts';
import { describe as diagnosis } from '../../shared/diagnostics.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'moa-box-'));

type StandIn = KeyringEntry & { value?: Buffer; failWith?: string; gets: number; sets: number };
function standIn(): StandIn {
  const k: StandIn = {
    backend: 'Stand-in keyring',
    gets: 0,
    sets: 0,
    async get() {
      k.gets += 1;
      if (k.failWith) throw keyringFailure(new Error(k.failWith), k.backend, 'reading the key');
      return k.value ? Buffer.from(k.value) : undefined;
    },
    async set(key) {
      k.sets += 1;
      if (k.failWith) throw keyringFailure(new Error(k.failWith), k.backend, 'storing the key');
      k.value = Buffer.from(key);
    },
    async delete() {
      const had = k.value !== undefined;
      delete k.value;
      return had;
    },
  };
  return k;
}

const codeOf = (e: unknown): string | undefined => (e instanceof AppFailure ? e.appError.code : undefined);
/** Everything under a directory with sizes and modes: "nothing on disk changed" is checked against it. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${p} ${s.size} ${s.mode.toString(8)} ${readFileSync(p).toString('base64')}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

// Texts the library gave on this machine (no session bus; a locked collection with no prompter).
const NO_BUS = 'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead';
const LOCKED = "Couldn't access platform storage: Secret Service: unlock prompt was dismissed";

describe('master key', () => {
  test('the library texts map to codes; locked and unreachable are temporary', () => {
    assert.equal(keyringFailure(new Error(NO_BUS), 'Secret Service', 'x').appError.code, 'KEYRING_UNAVAILABLE');
    assert.equal(keyringFailure(new Error(LOCKED), 'Secret Service', 'x').appError.code, 'KEYRING_LOCKED');
    assert.equal(keyringFailure(new Error('User interaction is not allowed.'), 'macOS Keychain', 'x').appError.code, 'KEYRING_LOCKED');
    assert.equal(keyringFailure(new Error('Access denied'), 'Windows Credential Manager', 'x').appError.code, 'KEYRING_ACCESS_DENIED');
    assert.equal(diagnosis('KEYRING_LOCKED').temporary, true);
    assert.equal(diagnosis('KEYRING_UNAVAILABLE').temporary, true);
    assert.notEqual(diagnosis('KEYRING_KEY_MISSING').temporary, true);
    assert.match(keyringFailure(new Error(LOCKED), 'Secret Service', 'reading the key').appError.detail ?? '', /^Secret Service: reading the key failed/);
  });

  test('first start makes one key, records its id (not the key), and finds it again', async () => {
    const dir = tmp();
    const kr = standIn();
    const box = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    assert.equal(box.available, true);
    assert.equal(box.backend, 'Stand-in keyring');
    const record = JSON.parse(readFileSync(join(dir, KEY_RECORD), 'utf8')) as { keyId: string };
    assert.ok(kr.value);
    assert.equal(record.keyId, keyId(kr.value));
    assert.ok(!readFileSync(join(dir, KEY_RECORD), 'utf8').includes(kr.value.toString('base64')), 'the record never holds the key');
    const enc = box.encrypt('top secret');
    const again = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    assert.equal(again.decrypt(enc), 'top secret');
    assert.equal(kr.sets, 1);
  });

  test('two opens racing on an empty directory agree on one key', async () => {
    const dir = tmp();
    const kr = standIn();
    const boxes = await Promise.all(Array.from({ length: 6 }, () => createNodeSecretBox({ dataDir: dir, keyring: kr })));
    assert.equal(kr.sets, 1);
    const enc = boxes[0]!.encrypt('same key');
    for (const b of boxes) assert.equal(b.decrypt(enc), 'same key');
  });

  for (const [name, text, code] of [
    ['locked', LOCKED, 'KEYRING_LOCKED'],
    ['unreachable', NO_BUS, 'KEYRING_UNAVAILABLE'],
    ['refusing', 'Access denied by the user', 'KEYRING_ACCESS_DENIED'],
  ] as const) {
    test(`a ${name} keyring on an existing store is ${code} and nothing on disk changes`, async () => {
      const dir = tmp();
      const kr = standIn();
      const box = await createNodeSecretBox({ dataDir: dir, keyring: kr });
      mkdirSync(join(dir, 'secrets'));
      writeFileSync(join(dir, 'secrets', 'a.secrets'), box.encrypt('{}'));
      const before = snapshot(dir);
      kr.failWith = text;
      await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr }), (e) => codeOf(e) === code);
      assert.equal(snapshot(dir), before);
      assert.equal(kr.sets, 1, 'no new key');
    });
  }

  test('keyring calls run one at a time (GNOME Keyring wedges on parallel unlock requests), each under the data dir lock', async () => {
    const dir = tmp();
    const kr = standIn();
    await createNodeSecretBox({ dataDir: dir, keyring: kr });
    let inFlight = 0;
    let most = 0;
    let lockSeen = true;
    const get = kr.get.bind(kr);
    kr.get = async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      lockSeen &&= existsSync(join(dir, 'master-key.lock'));
      await new Promise((r) => setImmediate(r));
      inFlight -= 1;
      return get();
    };
    await Promise.all(Array.from({ length: 6 }, () => createNodeSecretBox({ dataDir: dir, keyring: kr })));
    assert.equal(most, 1);
    assert.equal(lockSeen, true, 'the cross-process lock is held during each call');
    assert.ok(!existsSync(join(dir, 'master-key.lock')), 'released after each call');
  });

  test('a keyring call that never answers: KEYRING_UNAVAILABLE after the bound, lock released, nothing on disk changes', async () => {
    const dir = tmp();
    const kr = standIn();
    const box = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'a.secrets'), box.encrypt('{}'));
    const before = snapshot(dir);
    kr.get = () => new Promise(() => undefined); // the wedge: no answer, ever
    await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr, keyringTimeoutMs: 200 }), (e) => {
      assert.equal(codeOf(e), 'KEYRING_UNAVAILABLE');
      assert.match((e as AppFailure).appError.detail ?? '', /^Stand-in keyring: reading the key got no answer within 0\.2 s/);
      return true;
    });
    assert.equal(snapshot(dir), before);
    assert.ok(!existsSync(join(dir, 'master-key.lock')));
    assert.equal(kr.sets, 1, 'no new key');
  });

  test('another process stuck with the lock: KEYRING_UNAVAILABLE after the bound, the keyring not asked', async () => {
    const dir = tmp();
    const kr = standIn();
    await createNodeSecretBox({ dataDir: dir, keyring: kr });
    // A live holder elsewhere: the lock directory, fresh, with no record of a dead owner to reap.
    mkdirSync(join(dir, 'master-key.lock'));
    const gets = kr.gets;
    await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr, keyringTimeoutMs: 200 }), (e) => {
      assert.equal(codeOf(e), 'KEYRING_UNAVAILABLE');
      assert.match((e as AppFailure).appError.detail ?? '', /reading the key not tried: another program has been waiting for the keyring/);
      return true;
    });
    assert.equal(kr.gets, gets);
  });

  test('a holder of the lock killed with SIGKILL does not block the keyring', async () => {
    const dir = tmp();
    const kr = standIn();
    await createNodeSecretBox({ dataDir: dir, keyring: kr });
    const holder = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'lock-worker.ts'), 'hold', join(dir, 'master-key.lock')], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('locked') && resolve());
      holder.once('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
    });
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    // A bound below the lock's staleness (10 s): only reaping the dead holder lets this through.
    const box = await createNodeSecretBox({ dataDir: dir, keyring: kr, keyringTimeoutMs: 8000 });
    assert.equal(box.available, true);
    assert.ok(!existsSync(join(dir, 'master-key.lock')));
  });

  test('MAIL_OAUTH_KEYRING_TIMEOUT_MS: a bad value is a clear error', () => {
    assert.equal(keyringTimeoutMs({}), KEYRING_TIMEOUT_MS);
    assert.equal(keyringTimeoutMs({ MAIL_OAUTH_KEYRING_TIMEOUT_MS: '1500' }), 1500);
    for (const bad of ['soon', '-1', '1.5', '0', '99999999']) {
      assert.throws(() => keyringTimeoutMs({ MAIL_OAUTH_KEYRING_TIMEOUT_MS: bad }), /MAIL_OAUTH_KEYRING_TIMEOUT_MS must be a whole number of milliseconds/);
    }
  });

  test('a locked keyring on a new store is an error too (the user has a keyring: unlock it)', async () => {
    const kr = standIn();
    kr.failWith = LOCKED;
    const dir = tmp();
    await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr }), (e) => codeOf(e) === 'KEYRING_LOCKED');
    assert.deepEqual(readdirSync(dir), []);
  });

  test('no keyring service on a new store: unavailable (memory only), key file only on first use', async () => {
    const kr = standIn();
    kr.failWith = NO_BUS;
    const dir = tmp();
    const box = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    assert.equal(box.available, false);
    assert.match(box.unavailableReason ?? '', /DBUS_SESSION_BUS_ADDRESS/);
    assert.deepEqual(readdirSync(dir), [], 'nothing written until the user chooses to keep secrets');
    const enc = box.encrypt('x'); // the secret store calls this only after the explicit choice
    assert.equal(statSync(join(dir, INSECURE_KEY_FILE)).mode & 0o777, 0o600);
    // Remembered: the next start uses the key file even when a keyring shows up later.
    kr.failWith = undefined;
    const next = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    assert.equal(next.backend, 'key-file');
    assert.equal(next.decrypt(enc), 'x');
    assert.equal(kr.sets, 0);
  });

  test('the entry deleted by the user while secrets exist: KEYRING_KEY_MISSING, never a new key', async () => {
    const dir = tmp();
    const kr = standIn();
    const box = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'a.secrets'), box.encrypt('{}'));
    await kr.delete();
    const before = snapshot(dir);
    await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr }), (e) => codeOf(e) === 'KEYRING_KEY_MISSING');
    assert.equal(snapshot(dir), before);
    assert.equal(kr.value, undefined, 'no key was stored over the old one');
    // Even without the record: secret files alone are enough to refuse.
    const dir2 = tmp();
    mkdirSync(join(dir2, 'secrets'));
    writeFileSync(join(dir2, 'secrets', 'a.secrets'), readFileSync(join(dir, 'secrets', 'a.secrets')));
    await assert.rejects(createNodeSecretBox({ dataDir: dir2, keyring: kr }), (e) => codeOf(e) === 'KEYRING_KEY_MISSING');
    assert.equal(kr.value, undefined);
  });

  test('a different key in the entry: KEYRING_KEY_MISMATCH', async () => {
    const dir = tmp();
    const kr = standIn();
    await createNodeSecretBox({ dataDir: dir, keyring: kr });
    kr.value = Buffer.alloc(32, 7);
    await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr }), (e) => codeOf(e) === 'KEYRING_KEY_MISMATCH');
  });

  test('an unreadable or damaged record or key file: KEY_FILE_UNREADABLE with the path, nothing replaced', async (t) => {
    const dir = tmp();
    const kr = standIn();
    await createNodeSecretBox({ dataDir: dir, keyring: kr });
    const key = kr.value;
    writeFileSync(join(dir, KEY_RECORD), '{ garbage');
    await assert.rejects(createNodeSecretBox({ dataDir: dir, keyring: kr }), (e) => codeOf(e) === 'KEY_FILE_UNREADABLE' && (e as AppFailure).appError.detail!.includes(KEY_RECORD));
    assert.deepEqual(kr.value, key);

    const dir2 = tmp();
    writeFileSync(join(dir2, INSECURE_KEY_FILE), 'not a key');
    await assert.rejects(createNodeSecretBox({ dataDir: dir2, keyring: null }), (e) => codeOf(e) === 'KEY_FILE_UNREADABLE');
    assert.equal(readFileSync(join(dir2, INSECURE_KEY_FILE), 'utf8'), 'not a key');
    if (process.getuid?.() === 0) {
      t.diagnostic('running as root: file permissions do not stop reads, the EACCES case is skipped');
      return;
    }
    const dir3 = tmp();
    await createNodeSecretBox({ dataDir: dir3, keyring: standIn() });
    chmodSync(join(dir3, KEY_RECORD), 0o000);
    await assert.rejects(createNodeSecretBox({ dataDir: dir3, keyring: standIn() }), (e) => codeOf(e) === 'KEY_FILE_UNREADABLE' && /EACCES/.test((e as AppFailure).appError.detail ?? ''));
  });

  test('reset-key moves secrets and the record aside, deletes the entry; the next start makes a new key', async () => {
    const dir = tmp();
    const kr = standIn();
    const box = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'a.secrets'), box.encrypt('{"k":"v"}'));
    const oldKey = kr.value;
    const r = await resetMasterKey({ dataDir: dir, keyring: kr });
    assert.equal(r.deletedEntry, true);
    assert.ok(r.movedTo && existsSync(join(r.movedTo, 'secrets', 'a.secrets')) && existsSync(join(r.movedTo, KEY_RECORD)));
    assert.ok(!existsSync(join(dir, 'secrets')) && !existsSync(join(dir, KEY_RECORD)));
    const fresh = await createNodeSecretBox({ dataDir: dir, keyring: kr });
    assert.equal(fresh.available, true);
    assert.notDeepEqual(kr.value, oldKey);
  });
});
