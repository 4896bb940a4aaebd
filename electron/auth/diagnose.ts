// The one place where identity providers' errors become diagnostics codes (DESIGN.md "Errors").
// Inputs are whatever the libraries throw: MSAL's ServerError / InteractionRequiredAuthError /
// ClientAuthError (errorCode, errorMessage, subError), openid-client's ResponseBodyError /
// AuthorizationResponseError (error, error_description, status) and ClientError (code, cause),
// our own fetch's network errors (errno codes), or plain response bodies. Matching is by duck
// typing so this file imports neither library: a library upgrade does not touch it.
import { AppFailure, appError, type AppError } from '../../shared/result.ts';
import { describe, type DiagnosisCode } from '../../shared/diagnostics.ts';
import { redactText } from '../../shared/redact.ts';

export type AuthErrorContext = {
  /** When the grant (refresh token) was first issued, epoch ms: Google's 7-day Testing expiry. */
  grantIssuedAt?: number;
  now?: number;
  /** Secrets known to the caller, removed from any text we keep. */
  secrets?: readonly string[];
};

/** Entra ID error numbers (AADSTS<n>) and what they mean for a mail client (../shared/PROVIDERS.md). */
const AADSTS: Readonly<Record<string, DiagnosisCode>> = {
  '50194': 'MS_SINGLE_TENANT_APP',
  '7000218': 'MS_CLIENT_IS_CONFIDENTIAL',
  '700025': 'MS_PUBLIC_CLIENT_SECRET_SENT',
  '65001': 'MS_CONSENT_REQUIRED',
  '65004': 'AUTH_ACCESS_DENIED',
  '90094': 'MS_ADMIN_APPROVAL_REQUIRED',
  '53003': 'MS_CONDITIONAL_ACCESS_BLOCKED',
  '50076': 'AUTH_MFA_REQUIRED',
  '50079': 'AUTH_MFA_REQUIRED',
  '50078': 'AUTH_MFA_REQUIRED',
  '50126': 'AUTH_BAD_CREDENTIALS',
  '700016': 'MS_APP_NOT_FOUND',
  '90002': 'MS_APP_NOT_FOUND',
  '50011': 'AUTH_REDIRECT_URI_MISMATCH',
  '900144': 'AUTH_MALFORMED_REQUEST',
  '70008': 'AUTH_REFRESH_EXPIRED',
  '700082': 'AUTH_REFRESH_EXPIRED',
  '50173': 'AUTH_PASSWORD_CHANGED',
  '50055': 'AUTH_PASSWORD_CHANGED',
  '7000215': 'AUTH_INVALID_CLIENT',
  '7000222': 'AUTH_INVALID_CLIENT',
  '70011': 'AUTH_INVALID_SCOPE',
  '50058': 'AUTH_INTERACTION_REQUIRED',
};

/** RFC 6749 §5.2 / §4.1.2.1, RFC 8628 §3.5 and OIDC Core §3.1.2.6 error codes. */
const OAUTH_ERRORS: Readonly<Record<string, DiagnosisCode>> = {
  interaction_required: 'AUTH_INTERACTION_REQUIRED',
  login_required: 'AUTH_INTERACTION_REQUIRED',
  consent_required: 'MS_CONSENT_REQUIRED',
  account_selection_required: 'AUTH_INTERACTION_REQUIRED',
  bad_token: 'AUTH_GRANT_REVOKED',
  access_denied: 'AUTH_ACCESS_DENIED',
  invalid_client: 'AUTH_INVALID_CLIENT',
  unauthorized_client: 'AUTH_UNAUTHORIZED_CLIENT',
  invalid_scope: 'AUTH_INVALID_SCOPE',
  expired_token: 'AUTH_DEVICE_CODE_EXPIRED',
  redirect_uri_mismatch: 'AUTH_REDIRECT_URI_MISMATCH',
  unsupported_grant_type: 'AUTH_UNAUTHORIZED_CLIENT',
  temporarily_unavailable: 'IDP_UNAVAILABLE',
  server_error: 'IDP_UNAVAILABLE',
  // MSAL's own codes (ClientAuthError / the loopback cancel of AUTH-NOTES.md).
  user_cancelled: 'CANCELLED',
  user_canceled: 'CANCELLED',
  network_error: 'IDP_UNAVAILABLE',
  endpoints_resolution_error: 'IDP_UNAVAILABLE',
  state_mismatch: 'AUTH_STATE_MISMATCH',
  invalid_state: 'AUTH_STATE_MISMATCH',
  no_tokens_found: 'AUTH_NOT_SIGNED_IN',
  no_account_in_silent_request: 'AUTH_NOT_SIGNED_IN',
  no_account_found: 'AUTH_NOT_SIGNED_IN',
  device_code_polling_cancelled: 'CANCELLED',
  device_code_expired: 'AUTH_DEVICE_CODE_EXPIRED',
  user_timeout_reached: 'TIMEOUT',
};

const NETWORK_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT',
]);
const TLS_ERRNO = /^(?:UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

// The same codes inside a message (MSAL keeps only the text of the network error it wraps).
const TLS_WORD = /\b(?:UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|ERR_TLS_CERT_ALTNAME_INVALID)\b/;

/** Node fs errno -> the local-file codes (EACCES/EPERM/EROFS denied; EISDIR/ENOTDIR wrong kind). */
export function localFileCode(codes: readonly string[]): DiagnosisCode | undefined {
  if (codes.some((c) => c === 'EACCES' || c === 'EPERM' || c === 'EROFS')) return 'LOCAL_FILE_DENIED';
  if (codes.some((c) => c === 'EISDIR' || c === 'ENOTDIR')) return 'LOCAL_FILE_WRONG_TYPE';
  return undefined;
}

/** openssl verify codes -> the identity provider's certificate problem (mirrors the probe's table). */
function idpTlsCode(errno: string): DiagnosisCode {
  if (errno === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'IDP_TLS_HOSTNAME_MISMATCH';
  if (errno === 'CERT_HAS_EXPIRED' || errno === 'CERT_NOT_YET_VALID') return 'IDP_TLS_CERT_EXPIRED';
  return 'IDP_TLS_UNTRUSTED_CERT';
}

type Facts = {
  names: string[];
  codes: string[];
  oauthErrors: string[];
  texts: string[];
  subErrors: string[];
  statuses: number[];
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function collect(error: unknown): Facts {
  const facts: Facts = { names: [], codes: [], oauthErrors: [], texts: [], subErrors: [], statuses: [] };
  const seen = new Set<unknown>();
  let current: unknown = error;
  // Follow `cause` a few levels: openid-client and our fetch wrap the network error.
  for (let depth = 0; depth < 6 && current !== null && current !== undefined && !seen.has(current); depth++) {
    seen.add(current);
    if (typeof current === 'string') {
      facts.texts.push(current);
      break;
    }
    if (typeof current !== 'object') break;
    const o = current as Record<string, unknown>;
    const push = (list: string[], v: unknown): void => {
      const s = str(v);
      if (s !== undefined) list.push(s);
    };
    push(facts.names, o.name);
    push(facts.codes, o.code);
    push(facts.codes, o.errno);
    // MSAL: errorCode; OAuth bodies and openid-client: error.
    push(facts.oauthErrors, o.errorCode);
    push(facts.oauthErrors, o.error);
    push(facts.texts, o.errorMessage);
    push(facts.texts, o.error_description);
    push(facts.texts, o.message);
    push(facts.subErrors, o.subError);
    push(facts.subErrors, o.suberror);
    if (typeof o.status === 'number') facts.statuses.push(o.status);
    if (typeof o.httpStatus === 'number') facts.statuses.push(o.httpStatus);
    if (Array.isArray(o.error_codes)) for (const c of o.error_codes) facts.texts.push(`AADSTS${String(c)}`);
    // WWWAuthenticateChallengeError: cause = [{ scheme, parameters: { error, error_description } }]
    if (Array.isArray(o.cause)) {
      for (const ch of o.cause) {
        if (ch && typeof ch === 'object' && 'parameters' in ch) {
          const p = (ch as { parameters: Record<string, unknown> }).parameters;
          push(facts.oauthErrors, p.error);
          push(facts.texts, p.error_description);
        }
      }
      break;
    }
    current = o.cause;
  }
  return facts;
}

const DAY = 24 * 60 * 60 * 1000;

/** Google "Testing" apps: refresh tokens expire 7 days after consent, and Google answers the same
 * `invalid_grant` "Token has been expired or revoked." as for a revocation: the age tells them apart. */
function looksLikeGoogleTestingExpiry(providerId: string, ctx: AuthErrorContext): boolean {
  if (providerId !== 'google' || ctx.grantIssuedAt === undefined) return false;
  const age = (ctx.now ?? Date.now()) - ctx.grantIssuedAt;
  return age >= 6.5 * DAY && age <= 8 * DAY;
}

function invalidGrant(texts: string, providerId: string, ctx: AuthErrorContext): DiagnosisCode {
  if (looksLikeGoogleTestingExpiry(providerId, ctx)) return 'GOOGLE_TESTING_APP_EXPIRED';
  if (/password/i.test(texts)) return 'AUTH_PASSWORD_CHANGED';
  // Google says "Token has been expired or revoked." for both: that reads as revoked (the 7-day
  // case is told apart by age above); "expired"/"inactivity" alone (Entra, others) is expiry.
  if (/revoked/i.test(texts)) return 'AUTH_GRANT_REVOKED';
  if (/expired|inactiv/i.test(texts)) return 'AUTH_REFRESH_EXPIRED';
  return 'AUTH_GRANT_REVOKED';
}

function pickCode(f: Facts, providerId: string, ctx: AuthErrorContext): { code: DiagnosisCode; why?: string } {
  const allText = f.texts.join('\n');
  const codes = new Set([...f.codes, ...f.oauthErrors]);

  // Cancellation and time limits first: they are ours, not the provider's.
  if (f.names.includes('TimeoutError') || codes.has('ETIMEDOUT_AUTH')) return { code: 'TIMEOUT' };
  if (f.names.includes('AbortError') || codes.has('OAUTH_ABORT') || codes.has('ABORT_ERR')) return { code: 'CANCELLED' };

  // Our own files (secrets, token cache) failed: a local problem, not the provider's refusal.
  const fileCode = localFileCode(f.codes);
  if (fileCode !== undefined) return { code: fileCode };

  // The provider's certificate failed verification. Checked before the OAuth error words: MSAL
  // wraps it as network_error, which alone would read as "the service cannot be reached".
  const tls = f.codes.find((c) => TLS_ERRNO.test(c)) ?? TLS_WORD.exec(allText)?.[0];
  if (tls !== undefined) return { code: idpTlsCode(tls), why: `TLS: ${tls}` };

  // Entra ID: the AADSTS number is the most precise fact there is.
  const aad = /AADSTS(\d{5,7})/.exec(allText);
  if (aad?.[1] !== undefined) {
    const mapped = AADSTS[aad[1]];
    if (mapped !== undefined) return { code: mapped };
  }

  for (const e of f.oauthErrors) {
    if (e === 'invalid_grant') return { code: invalidGrant(allText, providerId, ctx) };
    if (e === 'invalid_request' && /redirect_uri/i.test(allText)) return { code: 'AUTH_REDIRECT_URI_MISMATCH' };
    const mapped = OAUTH_ERRORS[e];
    if (mapped !== undefined) return { code: mapped };
  }
  // MSAL InteractionRequiredAuthError sub-errors (msal-common InteractionRequiredAuthSubErrorMessage).
  for (const s of f.subErrors) {
    if (s === 'bad_token') return { code: 'AUTH_GRANT_REVOKED' };
    if (s === 'user_password_expired') return { code: 'AUTH_PASSWORD_CHANGED' };
    if (s === 'consent_required') return { code: 'MS_CONSENT_REQUIRED' };
    if (['message_only', 'additional_action', 'basic_action'].includes(s)) return { code: 'AUTH_INTERACTION_REQUIRED' };
  }
  if (f.names.includes('InteractionRequiredAuthError')) return { code: 'AUTH_INTERACTION_REQUIRED' };
  // MSAL's post_request_failed (device polling) carries the server's `error` only in its message.
  for (const word of allText.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []) {
    if (word === 'invalid_grant') return { code: invalidGrant(allText, providerId, ctx) };
    const mapped = OAUTH_ERRORS[word];
    if (mapped !== undefined && mapped !== 'AUTH_NOT_SIGNED_IN') return { code: mapped };
  }

  // openid-client response checks: state / iss mismatch (RFC 6749 §10.12, RFC 9207).
  if (/"(?:state|iss)"[^\n]*(?:response parameter|missing)/.test(allText) || /state mismatch/i.test(allText)) {
    return { code: 'AUTH_STATE_MISMATCH' };
  }

  // The network: nobody answered, or the server is down (5xx, 429).
  const net = f.codes.find((c) => NETWORK_ERRNO.has(c));
  if (net !== undefined) return { code: 'IDP_UNAVAILABLE', why: net };
  if (/fetch failed|Network request failed|socket hang up/i.test(allText)) return { code: 'IDP_UNAVAILABLE' };
  const status = f.statuses.find((s) => s >= 500 || s === 429);
  if (status !== undefined) return { code: 'IDP_UNAVAILABLE', why: `HTTP ${status}` };

  return { code: 'AUTH_FAILED' };
}

/** A short, secret-free description of an error chain, for AppError.cause. */
export function describeCause(error: unknown, secrets: readonly string[] = []): string | undefined {
  if (error === undefined || error === null) return undefined;
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = str((current as { code?: unknown }).code) ?? str((current as { errorCode?: unknown }).errorCode);
    parts.push(`${current.name}${code !== undefined ? ` [${code}]` : ''}: ${current.message}`);
    current = current.cause;
  }
  if (parts.length === 0) parts.push(typeof error === 'string' ? error : 'non-Error value thrown');
  return redactText(parts.join(' <- '), secrets).slice(0, 600);
}

/**
 * Turn anything an authorization step threw into an AppError with a catalog code.
 * `providerId` selects provider-specific readings (Google's 7-day expiry).
 */
export function diagnoseAuthError(error: unknown, providerId: string, context: AuthErrorContext = {}): AppError {
  if (error instanceof AppFailure) return error.appError;
  const facts = collect(error);
  const { code, why } = pickCode(facts, providerId, context);
  const secrets = context.secrets ?? [];
  // The provider's own words (AADSTS text, error_description) are the detail the user can search for.
  // MSAL repeats itself (errorCode, errorMessage, and message = "errorCode: errorMessage"): keep
  // each piece of text once, the longest form of it.
  const pieces: string[] = [];
  for (const t of [...facts.oauthErrors.slice(0, 1), ...facts.texts.slice(0, 2)]) {
    if (t.length === 0 || pieces.some((p) => p.includes(t))) continue;
    for (let i = pieces.length - 1; i >= 0; i--) if (t.includes(pieces[i] as string)) pieces.splice(i, 1);
    pieces.push(t);
  }
  const providerText = pieces.join(': ');
  const detailParts = [why, providerText].filter((p): p is string => p !== undefined && p.length > 0);
  const detail = detailParts.length > 0 ? redactText(detailParts.join(' - '), secrets).slice(0, 800) : undefined;
  return appError(code, describe(code).title, detail, describeCause(error, secrets));
}

/** Throwable form for use inside the auth modules. */
export function authFailure(error: unknown, providerId: string, context: AuthErrorContext = {}): AppFailure {
  if (error instanceof AppFailure) return error;
  return new AppFailure(diagnoseAuthError(error, providerId, context));
}

/** An AppFailure for one of our own codes (no library error behind it). */
export function failure(code: DiagnosisCode, detail?: string): AppFailure {
  return new AppFailure(appError(code, describe(code).title, detail));
}

/**
 * A failed discovery (RFC 8414 / OIDC Discovery): an address that answers, but not with a
 * discovery document (404, an HTML page, JSON without the fields), is not an issuer URL. Only
 * the network, TLS and cancellation keep their own codes; the rest would read as "Sign-in failed".
 */
export function discoveryFailure(error: unknown, providerId: string, context: AuthErrorContext = {}): AppFailure {
  const f = authFailure(error, providerId, context);
  if (f.appError.code !== 'AUTH_FAILED' && f.appError.code !== 'AUTH_MALFORMED_REQUEST' && f.appError.code !== 'VALIDATION_FAILED') return f;
  const { detail, cause } = f.appError;
  return new AppFailure(appError('IDP_NO_DISCOVERY', describe('IDP_NO_DISCOVERY').title, detail, cause));
}
