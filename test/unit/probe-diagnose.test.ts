// The matcher as a table: the exact texts of ../shared/PROVIDERS.md (Exchange, Gmail) and of
// ../shared/TEST-BENCH-NOTES.md (what the bench's Dovecot really sends), plus Node's error codes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, ProbeFailure, type DiagnoseInput } from '../../electron/probe/diagnose.ts';
import { decodeChallenge } from '../../electron/probe/sasl.ts';
import { describe as describeCode, diagnostics } from '../../shared/diagnostics.ts';

const err = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const challenge = (json: string) => {
  const r = decodeChallenge(Buffer.from(json).toString('base64'));
  assert.ok(r.ok);
  return r.challenge;
};

type Row = [name: string, input: DiagnoseInput, expected: string];

const rows: Row[] = [
  // Microsoft (PROVIDERS.md, exact texts)
  ['MS IMAP AUTHENTICATE failed', { protocol: 'imap', step: 'authenticate', serverText: 'A1 NO AUTHENTICATE failed.' }, 'MS_IMAP_AUTH_FAILED'],
  ['MS IMAP not connected', { protocol: 'imap', step: 'command', serverText: '3 BAD User is authenticated but not connected.' }, 'MS_USER_NOT_CONNECTED'],
  ['MS POP auth failure', { protocol: 'pop', step: 'authenticate', serverText: '-ERR Authentication failure: unknown user name or bad password.' }, 'MS_POP_AUTH_FAILURE'],
  ['MS SMTP 5.7.3', { protocol: 'smtp', step: 'authenticate', serverText: '535 5.7.3 Authentication unsuccessful' }, 'MS_SMTP_AUTH_UNSUCCESSFUL'],
  [
    'MS SMTP 5.7.139',
    { protocol: 'smtp', step: 'authenticate', serverText: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant/Mailbox' },
    'MS_SMTP_AUTH_DISABLED',
  ],
  ['MS SMTP 5.7.57', { protocol: 'smtp', step: 'command', serverText: '530 5.7.57 Client not authenticated to send mail' }, 'MS_SMTP_NOT_AUTHENTICATED'],
  ['MS STOREDRV', { protocol: 'smtp', step: 'command', serverText: '430 4.2.0 STOREDRV; mailbox logon failure' }, 'MS_STOREDRV'],
  // Gmail: challenge then NO [AUTHENTICATIONFAILED]
  [
    'Gmail 400 wrong scope',
    {
      protocol: 'imap',
      step: 'authenticate',
      serverText: 'A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)',
      challenge: challenge('{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'),
      providerId: 'google',
    },
    'AUTH_TOKEN_SCOPE',
  ],
  [
    'Gmail 401 invalid',
    {
      protocol: 'imap',
      step: 'authenticate',
      serverText: 'A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)',
      challenge: challenge('{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}'),
    },
    'AUTH_TOKEN_INVALID',
  ],
  ['Gmail IMAP disabled', { protocol: 'imap', step: 'authenticate', serverText: 'A1 NO [ALERT] Your account is not enabled for IMAP use.' }, 'PROTOCOL_DISABLED'],
  ['POP disabled', { protocol: 'pop', step: 'authenticate', serverText: '-ERR [SYS/PERM] Your account is not enabled for POP access.' }, 'PROTOCOL_DISABLED'],
  // Dovecot on the bench (TEST-BENCH-NOTES.md, exact texts)
  [
    'Dovecot IMAP rejected + 401',
    {
      protocol: 'imap',
      step: 'authenticate',
      serverText: '2 NO [AUTHENTICATIONFAILED] Authentication failed.',
      challenge: challenge('{"status":"401","schemes":"bearer","scope":"mail"}'),
    },
    'AUTH_TOKEN_INVALID',
  ],
  [
    'Dovecot POP3 rejected + invalid_token',
    { protocol: 'pop', step: 'authenticate', serverText: '-ERR [AUTH] Authentication failed.', challenge: challenge('{"status":"invalid_token"}') },
    'AUTH_TOKEN_INVALID',
  ],
  ['Dovecot SMTP rejected, no challenge', { protocol: 'smtp', step: 'authenticate', serverText: '535 5.7.8 Authentication failed.' }, 'AUTH_TOKEN_REJECTED'],
  [
    'Dovecot rejected, token known expired',
    { protocol: 'smtp', step: 'authenticate', serverText: '535 5.7.8 Authentication failed.', challenge: challenge('{"status":"401"}'), token: { expired: true } },
    'AUTH_TOKEN_EXPIRED',
  ],
  [
    'Dovecot rejected, token of another user',
    { protocol: 'imap', step: 'authenticate', serverText: '2 NO [AUTHENTICATIONFAILED] Authentication failed.', token: { otherUser: true } },
    'AUTH_WRONG_USER',
  ],
  [
    'insufficient_scope',
    { protocol: 'imap', step: 'authenticate', serverText: '2 NO [AUTHENTICATIONFAILED] Authentication failed.', challenge: challenge('{"status":"insufficient_scope"}') },
    'AUTH_TOKEN_SCOPE',
  ],
  ['Dovecot IMAP IdP down', { protocol: 'imap', step: 'authenticate', serverText: '2 NO [UNAVAILABLE] Temporary authentication failure. [host:2024-01-01 10:00:00]' }, 'SERVER_AUTH_TEMPORARY'],
  ['Dovecot POP3 IdP down', { protocol: 'pop', step: 'authenticate', serverText: '-ERR [SYS/TEMP] Temporary authentication failure. [host:date]' }, 'SERVER_AUTH_TEMPORARY'],
  ['Dovecot SMTP IdP down', { protocol: 'smtp', step: 'authenticate', serverText: '454 4.7.0 Temporary authentication failure. [host:date]' }, 'SERVER_AUTH_TEMPORARY'],
  ['Dovecot IMAP TLS required', { protocol: 'imap', step: 'authenticate', serverText: '2 NO [PRIVACYREQUIRED] Authentication not allowed until SSL/TLS is enabled.' }, 'TLS_REQUIRED'],
  ['Dovecot POP3 TLS required', { protocol: 'pop', step: 'authenticate', serverText: '-ERR [AUTH] Authentication not allowed until SSL/TLS is enabled.' }, 'TLS_REQUIRED'],
  ['Dovecot SMTP TLS required', { protocol: 'smtp', step: 'authenticate', serverText: '530 5.7.0 TLS required.' }, 'TLS_REQUIRED'],
  // Node errors
  ['DNS', { protocol: 'imap', step: 'resolve', error: err('ENOTFOUND', 'getaddrinfo ENOTFOUND imap.example.invalid') }, 'DNS_NOT_FOUND'],
  ['refused', { protocol: 'pop', step: 'connect', error: err('ECONNREFUSED') }, 'CONNECTION_REFUSED'],
  ['unreachable', { protocol: 'pop', step: 'connect', error: err('EHOSTUNREACH') }, 'NETWORK_UNREACHABLE'],
  ['self-signed', { protocol: 'imap', step: 'tls', error: err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate') }, 'TLS_UNTRUSTED_CERT'],
  ['unknown CA', { protocol: 'imap', step: 'tls', error: err('UNABLE_TO_VERIFY_LEAF_SIGNATURE') }, 'TLS_UNTRUSTED_CERT'],
  ['wrong name', { protocol: 'smtp', step: 'tls', error: err('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames") }, 'TLS_HOSTNAME_MISMATCH'],
  ['expired cert', { protocol: 'smtp', step: 'tls', error: err('CERT_HAS_EXPIRED') }, 'TLS_CERT_EXPIRED'],
  ['plaintext on TLS port', { protocol: 'imap', step: 'tls', error: err('ERR_SSL_WRONG_VERSION_NUMBER') }, 'TLS_HANDSHAKE_FAILED'],
  ['wrapped cause', { protocol: 'imap', step: 'tls', error: new Error('upgrade failed', { cause: err('ERR_TLS_CERT_ALTNAME_INVALID') }) }, 'TLS_HOSTNAME_MISMATCH'],
  ['POP3 parser', { protocol: 'pop', step: 'greeting', error: err('EPROTOCOL', 'Not a POP3 status line') }, 'MALFORMED_RESPONSE'],
  ['imapflow line too large', { protocol: 'imap', step: 'greeting', error: err('LineTooLarge') }, 'MALFORMED_RESPONSE'],
  // Timeouts: the step names the cause
  ['greeting timeout', { protocol: 'imap', step: 'greeting', timedOut: true }, 'NO_GREETING'],
  ['connect timeout', { protocol: 'smtp', step: 'connect', timedOut: true }, 'CONNECT_TIMEOUT'],
  ['command timeout', { protocol: 'smtp', step: 'command', timedOut: true }, 'TIMEOUT'],
  // What the engine already knows
  ['engine: STARTTLS missing', { protocol: 'smtp', step: 'starttls', error: new ProbeFailure('STARTTLS_MISSING', 'x') }, 'STARTTLS_MISSING'],
  ['engine: mechanism', { protocol: 'imap', step: 'authenticate', error: new ProbeFailure('AUTH_MECHANISM_NOT_OFFERED', 'x') }, 'AUTH_MECHANISM_NOT_OFFERED'],
  ['abort', { protocol: 'imap', step: 'connect', error: Object.assign(new Error('aborted'), { name: 'AbortError' }) }, 'CANCELLED'],
  ['unknown refusal after auth', { protocol: 'imap', step: 'command', serverText: '4 NO Mailbox does not exist' }, 'COMMAND_FAILED'],
];

describe('diagnose: provider and server texts -> codes', () => {
  for (const [name, input, expected] of rows) {
    test(name, () => {
      assert.equal(diagnose(input), expected);
    });
  }
});

describe('the catalog', () => {
  test('every code the matcher can return has a catalog entry with fix steps', () => {
    for (const [, , code] of rows) {
      assert.ok(Object.hasOwn(diagnostics, code), `${code} missing from the catalog`);
      const d = describeCode(code);
      assert.ok(d.title.length > 0 && d.explanation.length > 0 && d.fix.length > 0, code);
    }
  });
  test('Microsoft codes carry the exact PowerShell fix', () => {
    assert.ok(describeCode('MS_SMTP_AUTH_DISABLED').fix.some((f) => f.includes('Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false')));
    assert.ok(describeCode('MS_USER_NOT_CONNECTED').fix.some((f) => f.includes('Add-MailboxPermission')));
  });
});
