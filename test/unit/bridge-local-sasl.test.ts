// The PLAIN / LOGIN exchange the bridge's three front ends share (electron/bridge/local-sasl.ts),
// driven with scripted client lines: what each answer, cancel and hang-up gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continuation, saslCredentials, type SaslAsk } from '../../electron/bridge/local-sasl.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Answers the prompts from `lines` in order (undefined = the client closed); records the prompts. */
function script(lines: Array<string | null | undefined>): { ask: SaslAsk; prompts: string[] } {
  const prompts: string[] = [];
  return { prompts, ask: async (p) => (prompts.push(p), lines.shift()) };
}

test('PLAIN: initial response, an empty one ("="), or on the continuation', async () => {
  assert.deepEqual(await saslCredentials('PLAIN', b64('\0a@b.test\0pw'), script([]).ask), { login: 'a@b.test', password: 'pw' });
  const s = script([b64('a@b.test\0a@b.test\0pw')]);
  assert.deepEqual(await saslCredentials('PLAIN', undefined, s.ask), { login: 'a@b.test', password: 'pw' });
  assert.deepEqual(s.prompts, ['']);
  assert.equal(await saslCredentials('PLAIN', '=', script([]).ask), 'bad');
  assert.equal(await saslCredentials('PLAIN', b64('other@b.test\0a@b.test\0pw'), script([]).ask), 'bad', 'no proxy sign-in');
});

test('LOGIN: user then password prompts; a malformed user is refused before a password is asked', async () => {
  const s = script([b64('a@b.test'), b64('pw')]);
  assert.deepEqual(await saslCredentials('LOGIN', undefined, s.ask), { login: 'a@b.test', password: 'pw' });
  assert.deepEqual(s.prompts, [b64('Username:'), b64('Password:')]);
  const withIr = script([b64('pw')]);
  assert.deepEqual(await saslCredentials('LOGIN', b64('a@b.test'), withIr.ask), { login: 'a@b.test', password: 'pw' });
  assert.deepEqual(withIr.prompts, [b64('Password:')]);
  const badUser = script(['not base64!']);
  assert.equal(await saslCredentials('LOGIN', undefined, badUser.ask), 'bad');
  assert.equal(badUser.prompts.length, 1);
  assert.equal(await saslCredentials('LOGIN', undefined, script([b64('a@b.test'), b64('')]).ask), 'bad');
});

test('cancel ("*") and hang-up at each prompt; other mechanisms are bad', async () => {
  assert.equal(await saslCredentials('PLAIN', undefined, script([null]).ask), 'cancelled');
  assert.equal(await saslCredentials('PLAIN', undefined, script([undefined]).ask), undefined);
  assert.equal(await saslCredentials('LOGIN', undefined, script([null]).ask), 'cancelled');
  assert.equal(await saslCredentials('LOGIN', undefined, script([b64('a@b.test'), null]).ask), 'cancelled');
  assert.equal(await saslCredentials('LOGIN', undefined, script([b64('a@b.test'), undefined]).ask), undefined);
  assert.equal(await saslCredentials('CRAM-MD5', undefined, script([]).ask), 'bad');
});

test('continuation: the protocol prefix, "*" as cancel, a closed reader as undefined', async () => {
  const written: string[] = [];
  const lines = ['  *  ', 'abc', undefined];
  const ask = continuation({ write: (l) => written.push(l), reader: { line: async () => lines.shift() } }, '334 ');
  assert.equal(await ask('VXNlcm5hbWU6'), null);
  assert.equal(await ask(''), 'abc');
  assert.equal(await ask(''), undefined);
  assert.deepEqual(written, ['334 VXNlcm5hbWU6', '334 ', '334 ']);
});
