// diagnoseAuthError as a table: the real provider texts (../shared/PROVIDERS.md, Entra ID and
// Google responses as users have reported them) inside the error objects the libraries really
// throw: MSAL's ServerError / InteractionRequiredAuthError (built with MSAL's own classes),
// openid-client's ResponseBodyError / AuthorizationResponseError (its own classes, with a real
// Response), and plain token-endpoint bodies.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError, InteractionRequiredAuthError } from '@azure/msal-node';
import { ResponseBodyError, AuthorizationResponseError } from 'openid-client';
import { diagnoseAuthError } from '../../electron/auth/diagnose.ts';
import { HttpNetworkError } from '../../electron/auth/http.ts';
import { diagnostics, isDiagnosisCode } from '../../shared/diagnostics.ts';
import { AppFailure, appError } from '../../shared/result.ts';

const TRACE = 'Trace ID: 0f5c1e2a-7d41-4b8e-9a3c-4c4b9b0f2e00 Correlation ID: 6a1d1a4e-53c4-4bb2-8a8b-0d7e3f9d1c11 Timestamp: 2024-05-02 10:11:12Z';
const msalServer = (code: string, text: string, sub = ''): ServerError => new ServerError(code, 'corr', `${text}\r\n${TRACE}`, sub);

const body = (b: Record<string, unknown>, status = 400): ResponseBodyError =>
  new ResponseBodyError('server responded with an error in the response body', {
    cause: b as never,
    response: new Response(JSON.stringify(b), { status, headers: { 'content-type': 'application/json' } }),
  });

type Case = { name: string; error: unknown; provider?: string; ctx?: Parameters<typeof diagnoseAuthError>[2]; code: string };

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 10);

const cases: Case[] = [
  // Entra ID AADSTS codes (PROVIDERS.md "Registration" and "Other frequent AADSTS codes").
  {
    name: 'AADSTS50194 single-tenant app on /common',
    error: msalServer('invalid_request', "AADSTS50194: Application 'e9d9c4a1-0b7e-4d7d-9e1f-2b0c6a1f0c11'(Scanner Mail) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant."),
    code: 'MS_SINGLE_TENANT_APP',
  },
  {
    name: 'AADSTS7000218 web platform / public client flows off',
    error: msalServer('invalid_client', "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    code: 'MS_CLIENT_IS_CONFIDENTIAL',
  },
  {
    name: 'AADSTS700025 public client sent a secret',
    error: msalServer('invalid_client', "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
    code: 'MS_PUBLIC_CLIENT_SECRET_SENT',
  },
  {
    name: 'AADSTS65001 consent missing (InteractionRequiredAuthError)',
    error: new InteractionRequiredAuthError('invalid_grant', 'corr', "AADSTS65001: The user or administrator has not consented to use the application with ID 'e9d9c4a1-0b7e-4d7d-9e1f-2b0c6a1f0c11' named 'Scanner Mail'. Send an interactive authorization request for this user and resource.", 'consent_required'),
    code: 'MS_CONSENT_REQUIRED',
  },
  {
    name: 'AADSTS90094 admin approval required',
    error: msalServer('access_denied', 'AADSTS90094: Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin.'),
    code: 'MS_ADMIN_APPROVAL_REQUIRED',
  },
  {
    name: 'AADSTS53003 Conditional Access',
    error: msalServer('access_denied', 'AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.'),
    code: 'MS_CONDITIONAL_ACCESS_BLOCKED',
  },
  {
    name: 'AADSTS50076 MFA required',
    error: new InteractionRequiredAuthError('invalid_grant', 'corr', "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'.", 'basic_action'),
    code: 'AUTH_MFA_REQUIRED',
  },
  {
    name: 'AADSTS50079 MFA enrolment required',
    error: msalServer('interaction_required', "AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'."),
    code: 'AUTH_MFA_REQUIRED',
  },
  {
    name: 'AADSTS50126 bad credentials',
    error: msalServer('invalid_grant', 'AADSTS50126: Error validating credentials due to invalid username or password.'),
    code: 'AUTH_BAD_CREDENTIALS',
  },
  {
    name: 'AADSTS700016 app not found in tenant',
    error: msalServer('unauthorized_client', "AADSTS700016: Application with identifier 'e9d9c4a1-0b7e-4d7d-9e1f-2b0c6a1f0c11' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
    code: 'MS_APP_NOT_FOUND',
  },
  {
    name: 'AADSTS50011 redirect URI mismatch',
    error: msalServer('invalid_request', "AADSTS50011: The redirect URI 'http://localhost:53211' specified in the request does not match the redirect URIs configured for the application 'e9d9c4a1-0b7e-4d7d-9e1f-2b0c6a1f0c11'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."),
    code: 'AUTH_REDIRECT_URI_MISMATCH',
  },
  {
    name: 'AADSTS900144 malformed refresh request',
    error: msalServer('invalid_request', "AADSTS900144: The request body must contain the following parameter: 'grant_type'."),
    code: 'AUTH_MALFORMED_REQUEST',
  },
  {
    name: 'AADSTS70008 refresh token expired (inactivity)',
    error: msalServer('invalid_grant', 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'),
    code: 'AUTH_REFRESH_EXPIRED',
  },
  {
    name: 'AADSTS700082 refresh token expired',
    error: msalServer('invalid_grant', 'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2024-01-05T08:00:00.0000000Z and was inactive for 90.00:00:00.'),
    code: 'AUTH_REFRESH_EXPIRED',
  },
  {
    name: 'AADSTS50173 password changed (invalid_grant)',
    error: msalServer('invalid_grant', "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '2024-03-01T10:00:00Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2024-04-02T09:00:00Z'."),
    code: 'AUTH_PASSWORD_CHANGED',
  },
  {
    name: 'Entra token endpoint body with error_codes (no AADSTS in the text)',
    error: body({ error: 'invalid_client', error_description: 'Invalid client secret provided.', error_codes: [7000215] }, 401),
    code: 'AUTH_INVALID_CLIENT',
  },
  // Google and generic OAuth bodies.
  {
    name: 'Google invalid_grant around day 7 (Testing app)',
    error: body({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }),
    provider: 'google',
    ctx: { grantIssuedAt: NOW - 7 * DAY - 3_600_000, now: NOW },
    code: 'GOOGLE_TESTING_APP_EXPIRED',
  },
  {
    name: 'Google invalid_grant on day 2 = revoked',
    error: body({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }),
    provider: 'google',
    ctx: { grantIssuedAt: NOW - 2 * DAY, now: NOW },
    code: 'AUTH_GRANT_REVOKED',
  },
  {
    name: 'same text at a non-Google provider on day 7 is not the Testing expiry',
    error: body({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }),
    provider: 'generic',
    ctx: { grantIssuedAt: NOW - 7 * DAY, now: NOW },
    code: 'AUTH_GRANT_REVOKED',
  },
  {
    name: 'oidc-provider reused refresh token (invalid_grant, grant request is invalid)',
    error: body({ error: 'invalid_grant', error_description: 'grant request is invalid' }),
    code: 'AUTH_GRANT_REVOKED',
  },
  { name: 'Google redirect_uri_mismatch', error: body({ error: 'redirect_uri_mismatch', error_description: 'Bad Request' }), provider: 'google', code: 'AUTH_REDIRECT_URI_MISMATCH' },
  { name: 'Google invalid_client (wrong secret)', error: body({ error: 'invalid_client', error_description: 'Unauthorized' }, 401), provider: 'google', code: 'AUTH_INVALID_CLIENT' },
  { name: 'invalid_scope', error: body({ error: 'invalid_scope', error_description: 'requested scope is not allowed' }), code: 'AUTH_INVALID_SCOPE' },
  { name: 'device code expired', error: body({ error: 'expired_token', error_description: 'device code expired' }), code: 'AUTH_DEVICE_CODE_EXPIRED' },
  {
    name: 'user pressed Deny (authorization response error=access_denied)',
    error: new AuthorizationResponseError('authorization response from the server is an error', {
      cause: new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state: 'x' }),
    }),
    code: 'AUTH_ACCESS_DENIED',
  },
  { name: 'server_error 503 body', error: body({ error: 'temporarily_unavailable' }, 503), code: 'IDP_UNAVAILABLE' },
  // The network and our own limits.
  { name: 'connection refused', error: new HttpNetworkError('request to https://localhost:1 failed: ECONNREFUSED', 'ECONNREFUSED'), code: 'IDP_UNAVAILABLE' },
  { name: 'untrusted certificate', error: new HttpNetworkError('request failed', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), code: 'IDP_TLS_UNTRUSTED_CERT' },
  { name: 'fetch failed wrapping ENOTFOUND', error: new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND login.example'), { code: 'ENOTFOUND' }) }), code: 'IDP_UNAVAILABLE' },
  { name: 'MSAL user_cancelled from the loopback cancel', error: msalServer('user_cancelled', 'Cancelled in Mail OAuth Assistant'), code: 'CANCELLED' },
  { name: 'abort', error: new DOMException('This operation was aborted', 'AbortError'), code: 'CANCELLED' },
  { name: 'AppFailure passes through', error: new AppFailure(appError('AUTH_TENANT_REQUIRED', diagnostics.AUTH_TENANT_REQUIRED.title)), code: 'AUTH_TENANT_REQUIRED' },
  { name: 'unknown error', error: new Error('something odd'), code: 'AUTH_FAILED' },
];

describe('diagnoseAuthError', () => {
  for (const c of cases) {
    test(c.name, () => {
      const e = diagnoseAuthError(c.error, c.provider ?? 'microsoft-365', c.ctx);
      assert.equal(e.code, c.code);
      assert.ok(isDiagnosisCode(e.code), `${e.code} is in the catalog`);
      assert.equal(e.message, diagnostics[e.code as keyof typeof diagnostics].title);
    });
  }

  test('every reauthorize-type grant failure says so in the catalog', () => {
    for (const code of ['AUTH_GRANT_REVOKED', 'AUTH_REFRESH_EXPIRED', 'AUTH_PASSWORD_CHANGED', 'GOOGLE_TESTING_APP_EXPIRED'] as const) {
      assert.equal(diagnostics[code].action, 'reauthorize');
    }
  });

  test('the provider text is kept as detail, secrets are not', () => {
    const refresh = 'M.C123_BAY.0.U.-Ckq9rV8Zc2mN7pQ1wL0xYz4AbCdEfGhIjKlMnOpQrStUv';
    const e = diagnoseAuthError(
      msalServer('invalid_grant', `AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. refresh_token=${refresh}`),
      'microsoft-365',
      { secrets: [refresh] },
    );
    assert.match(e.detail ?? '', /AADSTS70008/);
    assert.ok(!JSON.stringify(e).includes(refresh));
  });

  test('a state-mismatch error does not leak the authorization code in its cause', () => {
    const code = 'SplxlOBeZQQYbYS6WxSbIA-very-secret-code-value-1234567890';
    const inner = Object.assign(new Error('unexpected "state" response parameter value'), {
      code: 'OAUTH_INVALID_RESPONSE',
      cause: { expected: 'abc', parameters: new URLSearchParams({ code, state: 'evil' }) },
    });
    const e = diagnoseAuthError(inner, 'generic');
    assert.equal(e.code, 'AUTH_STATE_MISMATCH');
    assert.ok(!JSON.stringify(e).includes(code));
  });
});

describe('identity provider TLS failures have their own codes', () => {
  const tlsError = (code: string): HttpNetworkError =>
    new HttpNetworkError(`request to https://idp.example.test failed: ${code}`, code, { cause: Object.assign(new Error(code), { code }) });
  const table: Array<[string, string]> = [
    ['SELF_SIGNED_CERT_IN_CHAIN', 'IDP_TLS_UNTRUSTED_CERT'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'IDP_TLS_UNTRUSTED_CERT'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'IDP_TLS_UNTRUSTED_CERT'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'IDP_TLS_UNTRUSTED_CERT'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'IDP_TLS_HOSTNAME_MISMATCH'],
    ['CERT_HAS_EXPIRED', 'IDP_TLS_CERT_EXPIRED'],
    ['CERT_NOT_YET_VALID', 'IDP_TLS_CERT_EXPIRED'],
  ];
  for (const [errno, expected] of table) {
    test(`${errno} -> ${expected}`, () => {
      assert.equal(diagnoseAuthError(tlsError(errno), 'generic').code, expected);
      // MSAL keeps only the text of the network error it wraps (ClientAuthError network_error).
      const msal = Object.assign(new Error(`Network request failed: request to https://idp.example.test failed: ${errno}`), { errorCode: 'network_error' });
      assert.equal(diagnoseAuthError(msal, 'generic').code, expected);
    });
  }
  test('the untrusted and hostname codes point to the CA / issuer fix, not to the network', () => {
    assert.match(diagnostics.IDP_TLS_UNTRUSTED_CERT.fix.join(' '), /Trust a certificate authority/);
    assert.doesNotMatch(diagnostics.IDP_TLS_UNTRUSTED_CERT.fix.join(' '), /network connection/);
    assert.match(diagnostics.IDP_TLS_HOSTNAME_MISMATCH.fix.join(' '), /issuer/);
  });
});

test('an MSAL error does not repeat its own text in the detail', async () => {
  const { ClientAuthError } = await import('@azure/msal-node');
  const e = new ClientAuthError('endpoints_resolution_error', 'corr');
  const detail = diagnoseAuthError(e, 'generic').detail ?? '';
  const once = 'See https://aka.ms/msal.js.errors#endpoints_resolution_error for details';
  assert.ok(detail.includes(once), detail);
  assert.equal(detail.split(once).length - 1, 1, detail);
  assert.equal(detail.split('endpoints_resolution_error:').length - 1, 1, detail);
});
