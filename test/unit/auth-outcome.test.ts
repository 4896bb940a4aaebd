// Least privilege and the outcome flags, from the real catalog entries (shared/providers.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { providerById } from '../../shared/providers.ts';
import { AuthOutcome } from '../../shared/auth-outcome.ts';
import { appOnlyScopes, scopesFor, requestedScopes } from '../../electron/auth/scopes.ts';
import { buildOutcome, userFromClaims } from '../../electron/auth/outcome.ts';

const ms = providerById('microsoft-365')!;
const google = providerById('google')!;
const on = { enabled: true, host: 'h', port: 993, security: 'tls' as const };
const off = { ...on, enabled: false };

describe('scopesFor', () => {
  test('Microsoft: only the enabled protocols, Outlook scopes first, no Graph', () => {
    const s = scopesFor(ms, { imap: on, pop: off, smtp: on });
    assert.deepEqual(s, [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
      'offline_access', 'openid', 'email', 'profile',
    ]);
    assert.ok(!s.some((x) => x.includes('POP')));
  });
  test('Google: one mail scope, not repeated', () => {
    assert.deepEqual(scopesFor(google, { imap: on, smtp: on }), ['https://mail.google.com/', 'openid', 'email']);
  });
  test('account scopes win, Graph scopes are dropped', () => {
    assert.deepEqual(requestedScopes(ms, { imap: on }, ['https://graph.microsoft.com/Mail.Read', 'User.Read', 'imap']), ['imap']);
  });
  test('app-only: resource/.default of the authority cloud', () => {
    assert.deepEqual(appOnlyScopes('https://login.microsoftonline.com/contoso.onmicrosoft.com', []), ['https://outlook.office365.com/.default']);
    assert.deepEqual(appOnlyScopes('https://login.microsoftonline.us/tenant', []), ['https://outlook.office365.us/.default']);
  });
});

describe('buildOutcome', () => {
  const base = {
    accountId: 'a1', flow: 'browser' as const, expectedUser: 'alice@example.test', provider: ms,
    servers: { imap: on, smtp: on },
    requestedScopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access'],
    authorizedAt: 1, persisted: true,
  };
  test('clean outcome has no flags and validates against the shared schema', () => {
    const o = buildOutcome({ ...base, signedInAs: 'Alice@Example.test', grantedScopes: ['IMAP.AccessAsUser.All', 'SMTP.Send', 'offline_access'], hasRefreshToken: true });
    assert.deepEqual(o.flags, []);
    assert.ok(AuthOutcome.safeParse(o).success);
  });
  test('wrong user, missing SMTP.Send, no refresh token, excess scopes', () => {
    const o = buildOutcome({ ...base, signedInAs: 'bob@example.test', grantedScopes: ['IMAP.AccessAsUser.All', 'Mail.ReadWrite'], hasRefreshToken: false });
    assert.deepEqual(o.flags.map((f) => f.code).sort(), ['AUTH_EXCESS_SCOPES', 'AUTH_NO_REFRESH_TOKEN', 'AUTH_SCOPE_MISSING', 'AUTH_WRONG_USER']);
    assert.equal(o.flags.find((f) => f.code === 'AUTH_SCOPE_MISSING')?.protocol, 'smtp');
    assert.deepEqual(o.flags.find((f) => f.code === 'AUTH_EXCESS_SCOPES')?.scopes, ['Mail.ReadWrite']);
  });
  test('client credentials: no user or refresh-token flags', () => {
    const o = buildOutcome({ ...base, flow: 'client-credentials', grantedScopes: ['https://outlook.office365.com/.default'], requestedScopes: ['https://outlook.office365.com/.default'], hasRefreshToken: false });
    assert.deepEqual(o.flags, []);
  });
  test('user from claims: email, then preferred_username', () => {
    assert.equal(userFromClaims({ preferred_username: 'p@x', email: 'e@x' }), 'e@x');
    assert.equal(userFromClaims({ preferred_username: 'p@x' }), 'p@x');
    assert.equal(userFromClaims(undefined), undefined);
  });
});
