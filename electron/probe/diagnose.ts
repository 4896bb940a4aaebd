// The one place that turns what went wrong in a connection test into a diagnostics code:
// Node's socket/TLS error codes, the servers' own words (Exchange, Gmail, Dovecot) and the
// decoded SASL failure challenge. Provider texts: ../shared/PROVIDERS.md; Dovecot's texts:
// ../shared/TEST-BENCH-NOTES.md. Tested as a table in test/unit/probe-diagnose.test.ts.
import type { DiagnosisCode } from '../../shared/diagnostics.ts';
import { isDiagnosisCode } from '../../shared/diagnostics.ts';
import type { Protocol } from '../../shared/providers.ts';
import type { StepName } from '../../shared/probe.ts';
import type { SaslChallenge } from './sasl.ts';

/** A failure whose cause the engine already knows (a timeout, a missing capability). */
export class ProbeFailure extends Error {
  override name = 'ProbeFailure';
  readonly code: DiagnosisCode;
  readonly serverText: string | undefined;
  constructor(code: DiagnosisCode, message: string, options?: { serverText?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.serverText = options?.serverText;
  }
}

/** What the engine knows about the token besides the server's answer (never the token itself). */
export type TokenHints = {
  /** expiresAt is in the past. */
  expired?: boolean;
  /** The token's user is known and is not the mailbox address. */
  otherUser?: boolean;
  /** The token's scopes are known and none of them is a mail scope for this protocol. */
  missingScope?: boolean;
};

export type DiagnoseInput = {
  protocol: Protocol | 'token';
  step: StepName;
  error?: unknown;
  /** The server's last answer, e.g. `A2 NO [AUTHENTICATIONFAILED] Authentication failed.` */
  serverText?: string;
  challenge?: SaslChallenge;
  providerId?: string;
  /** The step ran out of time (step timeout or overall deadline). */
  timedOut?: boolean;
  token?: TokenHints;
  /** The mailbox is a shared one opened with a delegate's token (issue 19). */
  sharedMailbox?: boolean;
};

type TextRule = { test: RegExp; code: DiagnosisCode };

// Order matters: provider-specific texts first, then the generic families. Anchored loosely
// because IMAP prefixes a tag (`A1 NO ...`) and SMTP may add enhanced codes.
const TEXT_RULES: readonly TextRule[] = [
  // Exchange Online SMTP
  { test: /\b535[ -]5\.7\.139\b/, code: 'MS_SMTP_AUTH_DISABLED' },
  { test: /SmtpClientAuthentication is disabled/i, code: 'MS_SMTP_AUTH_DISABLED' },
  { test: /\b535[ -]5\.7\.3\b/, code: 'MS_SMTP_AUTH_UNSUCCESSFUL' },
  { test: /\b530[ -]5\.7\.57\b/, code: 'MS_SMTP_NOT_AUTHENTICATED' },
  // Send As missing. Exchange refuses the sender with STOREDRV; at the end of DATA it words it
  // `554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; ...`
  // (also reported as `5.2.252 SendAsDenied; <user> not allowed to send as <address>`).
  { test: /SendAsDenied/i, code: 'MS_STOREDRV' },
  { test: /\bSTOREDRV\b/, code: 'MS_STOREDRV' },
  // Exchange Online IMAP/POP
  { test: /User is authenticated but not connected/i, code: 'MS_USER_NOT_CONNECTED' },
  { test: /Authentication failure: unknown user name or bad password/i, code: 'MS_POP_AUTH_FAILURE' },
  // Protocol switched off for the mailbox (Gmail: "[ALERT] Your account is not enabled for IMAP
  // use", "-ERR [SYS/PERM] Your account is not enabled for POP access"; generic "IMAP disabled").
  { test: /not enabled for (?:IMAP|POP)/i, code: 'PROTOCOL_DISABLED' },
  { test: /\b(?:IMAP|POP3?)\s+(?:access\s+)?(?:is\s+)?disabled\b/i, code: 'PROTOCOL_DISABLED' },
  // The mail server could not reach its own IdP (Dovecot: IMAP [UNAVAILABLE], POP3 [SYS/TEMP],
  // SMTP 454 4.7.0 "Temporary authentication failure").
  { test: /\[UNAVAILABLE\]/i, code: 'SERVER_AUTH_TEMPORARY' },
  { test: /\[SYS\/TEMP\]/i, code: 'SERVER_AUTH_TEMPORARY' },
  { test: /\b454[ -]4\.7\.0\b/, code: 'SERVER_AUTH_TEMPORARY' },
  { test: /Temporary authentication failure/i, code: 'SERVER_AUTH_TEMPORARY' },
  // Plaintext sign-in refused (Dovecot: [PRIVACYREQUIRED], "-ERR [AUTH] Authentication not
  // allowed until SSL/TLS is enabled.", "530 5.7.0 TLS required.")
  { test: /\[PRIVACYREQUIRED\]/i, code: 'TLS_REQUIRED' },
  { test: /not allowed until SSL\/TLS/i, code: 'TLS_REQUIRED' },
  { test: /\b530[ -]5\.7\.0\b/, code: 'TLS_REQUIRED' },
  { test: /Must issue a STARTTLS command first/i, code: 'TLS_REQUIRED' },
  { test: /\bLOGINDISABLED\b/, code: 'TLS_REQUIRED' },
];

// The server refused the credentials: split further by the challenge and token hints.
const AUTH_REJECTED: readonly RegExp[] = [
  /\[AUTHENTICATIONFAILED\]/i, // IMAP (RFC 5530), Gmail "Invalid credentials (Failure)", Dovecot
  /^-ERR \[AUTH\]/i, // POP3 (RFC 3206)
  /\b535[ -]5\.7\.8\b/, // SMTP (RFC 4954), Dovecot, Gmail "Username and Password not accepted"
  /\b535\b/,
];

// Microsoft's IMAP answer: exactly "AUTHENTICATE failed." with no response code.
const MS_IMAP_AUTH = /^(?:\S+\s+)?NO\s+AUTHENTICATE failed\.?\s*$/i;

const NET_CODES: Readonly<Record<string, DiagnosisCode>> = {
  ENOTFOUND: 'DNS_NOT_FOUND',
  EAI_NONAME: 'DNS_NOT_FOUND',
  EAI_AGAIN: 'DNS_NOT_FOUND',
  EAI_FAIL: 'DNS_NOT_FOUND',
  ENODATA: 'DNS_NOT_FOUND',
  ECONNREFUSED: 'CONNECTION_REFUSED',
  EHOSTUNREACH: 'NETWORK_UNREACHABLE',
  ENETUNREACH: 'NETWORK_UNREACHABLE',
  EADDRNOTAVAIL: 'NETWORK_UNREACHABLE',
  ETIMEDOUT: 'CONNECT_TIMEOUT',
  ECONNRESET: 'CONNECTION_CLOSED',
  EPIPE: 'CONNECTION_CLOSED',
  // Node TLS verification (openssl X509 verify codes)
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS_UNTRUSTED_CERT',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS_UNTRUSTED_CERT',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS_UNTRUSTED_CERT',
  UNABLE_TO_GET_ISSUER_CERT: 'TLS_UNTRUSTED_CERT',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS_UNTRUSTED_CERT',
  CERT_UNTRUSTED: 'TLS_UNTRUSTED_CERT',
  CERT_SIGNATURE_FAILURE: 'TLS_UNTRUSTED_CERT',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS_HOSTNAME_MISMATCH',
  CERT_HAS_EXPIRED: 'TLS_CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'TLS_CERT_EXPIRED',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS_HANDSHAKE_FAILED',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'TLS_HANDSHAKE_FAILED',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'TLS_HANDSHAKE_FAILED',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'TLS_HANDSHAKE_FAILED',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS_HANDSHAKE_FAILED',
  // imapflow / nodemailer / own POP3 client
  GREETING_TIMEOUT: 'NO_GREETING',
  CONNECT_TIMEOUT: 'CONNECT_TIMEOUT',
  STARTTLS_INJECTION: 'MALFORMED_RESPONSE',
  LineTooLarge: 'MALFORMED_RESPONSE',
  ResponseTooLarge: 'MALFORMED_RESPONSE',
  TooManyTokens: 'MALFORMED_RESPONSE',
  EPROTOCOL: 'MALFORMED_RESPONSE',
  ClosedAfterConnectText: 'CONNECTION_CLOSED',
  ClosedAfterConnectTLS: 'CONNECTION_CLOSED',
  NoConnection: 'CONNECTION_CLOSED',
};

function errorCodes(error: unknown): string[] {
  const out: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const rec = e as { code?: unknown; originalCode?: unknown; cause?: unknown; _err?: unknown };
    // nodemailer moves the system/TLS code to originalCode and sets its own (ESOCKET, ETLS)
    if (typeof rec.originalCode === 'string') out.push(rec.originalCode);
    if (typeof rec.code === 'string') out.push(rec.code);
    e = rec.cause ?? rec._err;
  }
  return out;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : '';
}

/** Timeout code of a step: where the test was waiting says what the cause is. */
function timeoutCode(step: StepName): DiagnosisCode {
  switch (step) {
    case 'resolve':
      return 'DNS_NOT_FOUND';
    case 'connect':
    case 'tls':
      return 'CONNECT_TIMEOUT';
    case 'greeting':
      return 'NO_GREETING';
    case 'token':
      return 'TOKEN_UNAVAILABLE';
    default:
      return 'TIMEOUT';
  }
}

function authRejected(input: DiagnoseInput): DiagnosisCode {
  const status = input.challenge?.status?.toLowerCase();
  const scope = input.challenge?.scope;
  // RFC 7628 section 3.2.2 / RFC 6750 section 3.1: insufficient_scope; Google: status 400
  // (bad request, typically a token without https://mail.google.com/).
  if (status === 'insufficient_scope' || status === '400' || status === '403') return 'AUTH_TOKEN_SCOPE';
  if (input.token?.missingScope) return 'AUTH_TOKEN_SCOPE';
  if (input.token?.expired) return 'AUTH_TOKEN_EXPIRED';
  if (input.token?.otherUser) return 'AUTH_WRONG_USER';
  // 401 / invalid_token: the server does not say why (Dovecot sends 401 for expired, garbage,
  // revoked, another user's and wrong-scope tokens alike).
  if (status === '401' || status === 'invalid_token' || scope !== undefined) return 'AUTH_TOKEN_INVALID';
  return 'AUTH_TOKEN_REJECTED';
}

/** The single matcher: what went wrong -> a stable diagnostics code. */
export function diagnose(input: DiagnoseInput): DiagnosisCode {
  const code = diagnoseAny(input);
  if (!input.sharedMailbox) return code;
  // A shared mailbox opened with a delegate's token (PROVIDERS.md "Shared mailboxes"): "not
  // connected" means Full Access or the address is wrong, a refused sender means Send As is missing.
  if (code === 'MS_USER_NOT_CONNECTED') return 'MS_SHARED_NOT_CONNECTED';
  if (code === 'MS_STOREDRV' && input.protocol === 'smtp') return 'MS_SHARED_SEND_AS_DENIED';
  if (code === 'AUTH_WRONG_USER') return 'AUTH_WRONG_DELEGATE';
  return code;
}

function diagnoseAny(input: DiagnoseInput): DiagnosisCode {
  const { error, step } = input;
  if (error instanceof ProbeFailure) return error.code;
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') {
    return 'CANCELLED';
  }
  if (input.timedOut) return timeoutCode(step);

  const text = (input.serverText ?? '').trim();
  // The server listed STARTTLS and then refused it (IMAP `NO`/`BAD`, POP3 `-ERR`, SMTP 454/5xx,
  // e.g. "454 4.7.0 TLS not available due to local problem"): not a sign-in problem, and not ours.
  if (step === 'starttls' && /^(?:\S+\s+)?(?:NO|BAD)\b|^-ERR\b|^[45]\d\d\b/i.test(text)) return 'STARTTLS_REFUSED';
  if (text) {
    for (const rule of TEXT_RULES) if (rule.test.test(text)) return rule.code;
    if (MS_IMAP_AUTH.test(text)) return 'MS_IMAP_AUTH_FAILED';
    if (AUTH_REJECTED.some((r) => r.test(text))) return authRejected(input);
  }
  if (input.challenge) return authRejected(input);

  for (const code of errorCodes(error)) {
    const mapped = NET_CODES[code];
    if (mapped) return mapped;
    if (isDiagnosisCode(code)) return code;
  }
  if (errorCodes(error).some((c) => c.startsWith('ERR_SSL_'))) return 'TLS_HANDSHAKE_FAILED';
  const message = errorMessage(error);
  if (/wrong version number|packet length too long|unknown protocol/i.test(message)) return 'TLS_HANDSHAKE_FAILED';
  if (/certificate|self[- ]signed/i.test(message)) return 'TLS_UNTRUSTED_CERT';

  if (text) {
    // The server refused the sign-in without a text we know.
    if (step === 'authenticate') {
      if (/^(?:\S+\s+)?(?:NO|BAD)\b|^-ERR\b|^5\d\d\b/i.test(text)) return authRejected(input);
    }
    if (step === 'command') return 'COMMAND_FAILED';
  }
  if (/closed|ended by the other party|socket hang up|EOF/i.test(message)) return 'CONNECTION_CLOSED';
  if (step === 'greeting') return 'MALFORMED_RESPONSE';
  return 'INTERNAL';
}
