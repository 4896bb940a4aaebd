import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abortResponse, chooseMechanism, decodeChallenge, initialResponse, secretForms } from '../../electron/probe/sasl.ts';

const p = { user: 'alice@example.test', token: 'tok-123456', host: 'imap.example.test', port: 993 };

test('XOAUTH2 payload has the documented format', () => {
  const raw = Buffer.from(initialResponse('XOAUTH2', p), 'base64').toString();
  assert.equal(raw, 'user=alice@example.test\x01auth=Bearer tok-123456\x01\x01');
});

test('OAUTHBEARER payload follows RFC 7628 with escaped authzid', () => {
  const raw = Buffer.from(initialResponse('OAUTHBEARER', { ...p, user: 'a,b=c@x' }), 'base64').toString();
  assert.equal(raw, 'n,a=a=2Cb=3Dc@x,\x01host=imap.example.test\x01port=993\x01auth=Bearer tok-123456\x01\x01');
});

test('control characters in the token are refused, not framed', () => {
  assert.throws(() => initialResponse('XOAUTH2', { ...p, token: 'abc\x01auth=evil' }), /control characters/);
});

test('abort responses: empty for XOAUTH2, AQ== (\\x01) for OAUTHBEARER', () => {
  assert.equal(abortResponse('XOAUTH2'), '');
  assert.equal(Buffer.from(abortResponse('OAUTHBEARER'), 'base64').toString(), '\x01');
});

test('mechanism choice follows the catalog order and the server offer', () => {
  assert.equal(chooseMechanism(['XOAUTH2'], ['PLAIN', 'OAUTHBEARER', 'XOAUTH2']), 'XOAUTH2');
  assert.equal(chooseMechanism(['OAUTHBEARER', 'XOAUTH2'], ['xoauth2', 'oauthbearer']), 'OAUTHBEARER');
  assert.equal(chooseMechanism(['XOAUTH2'], ['OAUTHBEARER', 'PLAIN']), undefined);
});

test('challenge decoding', () => {
  const ok = decodeChallenge(Buffer.from('{"status":"401","schemes":"bearer","scope":"mail"}').toString('base64'));
  assert.deepEqual(ok, { ok: true, challenge: { status: '401', schemes: 'bearer', scope: 'mail' } });
  assert.equal(decodeChallenge('not base64!').ok, false);
  assert.equal(decodeChallenge(Buffer.from('[1,2]').toString('base64')).ok, false);
  assert.equal(decodeChallenge('').ok, false);
});

test('secret forms include the token and both payloads', () => {
  const forms = secretForms(p);
  assert.ok(forms.includes(p.token));
  assert.ok(forms.includes(initialResponse('XOAUTH2', p)));
  assert.ok(forms.includes(initialResponse('OAUTHBEARER', p)));
});
