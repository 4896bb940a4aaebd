import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText } from '../../shared/redact.ts';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZUBleGFtcGxlLnRlc3QifQ.c2lnbmF0dXJlLXZhbHVlLWhlcmU';
const opaque = 'Xk3v9QpLmN2bR7tY8wZ1aS4dF6gH0jK5lC9vB2nM7qW3eR6tY1uI8oP';

test('tokens, bearer values and keyed secrets are removed from free text', () => {
  const cases: Array<[string, string]> = [
    [`Authorization: Bearer ${opaque}`, 'Authorization: Bearer <redacted>'],
    [`user=a@b.c\x01auth=Bearer ${opaque}\x01\x01`, 'user=a@b.c\x01auth=Bearer <redacted>\x01\x01'],
    [`C: A1 AUTHENTICATE XOAUTH2 ${Buffer.from(`user=a\x01auth=Bearer ${opaque}\x01\x01`).toString('base64')}`, 'C: A1 AUTHENTICATE XOAUTH2 <redacted>'],
    [`{"access_token":"${opaque}","token_type":"Bearer"}`, '{"access_token":"<redacted>","token_type":"Bearer"}'],
    [`refresh_token=${opaque}&client_secret=abc123`, 'refresh_token=<redacted>&client_secret=<redacted>'],
    [`id ${jwt} end`, 'id <redacted> end'],
  ];
  for (const [input, expected] of cases) assert.equal(redactText(input), expected);
});

test('known secrets are removed even when short or oddly shaped', () => {
  assert.equal(redactText('the secret is s3cr-t!', ['s3cr-t!']), 'the secret is <redacted>');
});

test('ordinary server text is left alone', () => {
  for (const text of [
    'NO [AUTHENTICATIONFAILED] Authentication failed.',
    '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant/Mailbox',
    '* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER] Dovecot ready.',
    'outlook.office365.com:993',
  ]) {
    assert.equal(redactText(text), text);
  }
});
