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

// Realistic transcripts (Gmail, Exchange Online, Dovecot) with no secret in them: redaction must
// leave every line as it is. The issue's report showed `OAUTHBEARER <redacted>`, `<redacted> 250-BURL
// imap` and `<redacted> .`: protocol words eaten by the Bearer and key=value patterns.
const CLEAN_TRANSCRIPTS: Record<string, readonly string[]> = {
  'IMAP (Gmail)': [
    'S: * OK Gimap ready for requests from 203.0.113.5 a640c23a62f3a-a9a3a2f0d7bmb12345',
    'C: A0 CAPABILITY',
    'S: * CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH',
    'S: A0 OK Thats all she wrote! a640c23a62f3a-a9a3a2f0d7bmb12345',
    'C: A1 AUTHENTICATE OAUTHBEARER <redacted>',
    'S: A1 OK alice@gmail.com authenticated (Success)',
    'C: A2 EXAMINE INBOX',
    'S: * FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $NotPhishing $Phishing)',
    'S: * 3 EXISTS',
    'S: A2 OK [READ-ONLY] INBOX selected. (Success)',
    'C: A3 LOGOUT',
    'S: * BYE LOGOUT Requested',
  ],
  'SMTP (Gmail and Dovecot submission)': [
    'S: 220 smtp.gmail.com ESMTP d2e1a72fcca58-7b1fa1b3a8fsm123456b3a.12 - gsmtp',
    'C: EHLO [127.0.0.1]',
    'S: 250-smtp.gmail.com at your service, [203.0.113.5]',
    'S: 250-SIZE 35882577',
    'S: 250-8BITMIME',
    'S: 250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH',
    'S: 250-ENHANCEDSTATUSCODES',
    'S: 250-BURL imap',
    'S: 250-PIPELINING',
    'S: 250-CHUNKING',
    'S: 250 SMTPUTF8',
    'C: AUTH OAUTHBEARER <redacted>',
    // Google's error challenge is the server's words (base64 of {"status":"401",...}), not a secret.
    'S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==',
    'C: AQ==',
    'S: 535-5.7.8 Username and Password not accepted. For more information, go to',
    'S: 535 5.7.8  https://support.google.com/mail/?p=BadCredentials d2e1a72fcca58-7b1fa1b3a8fsm123456b3a.12 - gsmtp',
    'C: AUTH XOAUTH2 <redacted>',
    'S: 235 2.7.0 Accepted',
    'C: MAIL FROM:<alice@gmail.com>',
    'S: 250 2.1.0 OK d2e1a72fcca58-7b1fa1b3a8fsm123456b3a.12 - gsmtp',
    'C: RCPT TO:<alice@gmail.com>',
    'S: 250 2.1.5 OK',
    'C: DATA',
    'S: 354 Go ahead',
    'C: Subject: Mail OAuth Assistant test',
    'C: .',
    'S: 250 2.0.0 OK  1733112000 d2e1a72fcca58-7b1fa1b3a8fsm123456b3a.12 - gsmtp',
    'C: QUIT',
    'S: 221 2.0.0 closing connection',
  ],
  'POP (Exchange Online)': [
    'S: +OK The Microsoft Exchange POP3 service is ready. [QwBIADIAUABSADAAMQBDAEEAMAAwADEAMQAuAG4AYQBtAHAA]',
    'C: CAPA',
    'S: +OK',
    'S: TOP',
    'S: UIDL',
    'S: SASL PLAIN XOAUTH2',
    'S: USER',
    'S: .',
    'C: AUTH XOAUTH2',
    'S: + ',
    'C: <redacted>',
    'S: -ERR Authentication failure: unknown user name or bad password.',
    'C: QUIT',
    'S: +OK Microsoft Exchange Server POP3 server signing off.',
  ],
};

test('realistic transcripts of IMAP, SMTP and POP without secrets come out unchanged', () => {
  for (const [name, lines] of Object.entries(CLEAN_TRANSCRIPTS)) {
    for (const line of lines) assert.equal(redactText(line), line, `${name}: ${line}`);
    // As a report joins them: a keyword ending one line must not reach into the next.
    const joined = lines.map((l) => `    ${l}`).join('\n');
    assert.equal(redactText(joined), joined, name);
  }
});

test('report-style lines that name a token or code keep their words', () => {
  for (const text of ['Fresh access token: ok (3 ms)', 'token: failed AUTH_TOKEN_EXPIRED', 'code: 535', 'Scopes requested: openid email offline_access']) {
    assert.equal(redactText(text), text);
  }
  // ...while real OAuth parameters still go.
  assert.equal(redactText(`code=${opaque.slice(0, 20)}&state=abc`), 'code=<redacted>&state=abc');
  assert.equal(redactText(`{"token": "${opaque.slice(0, 16)}"}`), '{"token": "<redacted>"}');
});

test('file paths stay readable; Google refresh tokens and base64 with slashes still go', () => {
  for (const text of [
    "EACCES: permission denied, open '/home/alice/.config/mail-oauth-assistant/cli/secrets/acc-1.secrets'",
    'ENOTDIR: not a directory, mkdir /var/lib/mail_oauth/data/accounts/settings/accounts.json',
    'see /usr/share/ca-certificates/company/internal/roots/proxy/ca.pem',
  ]) {
    assert.equal(redactText(text), text);
  }
  const googleRefresh = '1//0gLcYqZ3xW9tY8aB7cD6eF5gH4iJ3kL2mN1oP0qR9sT8uV7wX6yZ5-aB4cD3eF2gH1i_jK0';
  assert.equal(redactText(`rt ${googleRefresh} end`), 'rt <redacted> end');
  const b64 = Buffer.from(`user=a@b.c\x01auth=Bearer ${opaque}\x01\x01`).toString('base64').replace(/\+/g, '/');
  assert.equal(redactText(`C: ${b64}`), 'C: <redacted>');
});
