// What a mail client sees when the bridge cannot sign it in: that protocol's normal refusal with
// the diagnosis in the text, so the sentence in the client's error box already says what to do
// (issue 12, "failures that explain themselves"). Two rules decide the code:
// - a passing condition (server or sign-in service down, timeout) gets the protocol's temporary
//   code (IMAP [UNAVAILABLE], POP3 [SYS/TEMP], SMTP 454 4.7.0): clients then retry later instead
//   of asking the user for a new password;
// - a refused sign-in (wrong bridge password, a sign-in that expired or was revoked, Exchange's
//   SMTP AUTH switch) gets the permanent authentication failure ([AUTHENTICATIONFAILED], [AUTH],
//   535); any other permanent problem (a certificate, a protocol switched off in the account)
//   IMAP [CONTACTADMIN] / POP3 [SYS/PERM] / SMTP 554, so the client does not blame the password.
import { describe } from '../../shared/diagnostics.ts';
import type { BridgeProtocol } from './index.ts';
import { isTemporary } from './upstream.ts';

export type FailureKind = 'temporary' | 'auth' | 'other';

const AUTH_CODES: ReadonlySet<string> = new Set(['BRIDGE_BAD_PASSWORD', 'BRIDGE_NO_PASSWORD', 'PROTOCOL_DISABLED', 'GOOGLE_TESTING_APP_EXPIRED']);

export function failureKind(code: string): FailureKind {
  if (isTemporary(code)) return 'temporary';
  if (AUTH_CODES.has(code) || code.startsWith('AUTH_') || code.startsWith('MS_') || describe(code).action === 'reauthorize') return 'auth';
  return 'other';
}

/** Server response texts are 7-bit and one line: no typographic quotes, no CR/LF, no brackets. */
function plain(text: string): string {
  return text
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/…/g, '...')
    .replace(/[–—]/g, '-')
    .replace(/[[\]]/g, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const EXPIRED = new Set(['AUTH_REFRESH_EXPIRED', 'AUTH_TOKEN_EXPIRED', 'GOOGLE_TESTING_APP_EXPIRED']);

/** The sentence after "Mail OAuth Assistant: ". */
export function failureSentence(code: string, address: string | undefined): string {
  const who = address ?? 'this address';
  switch (code) {
    case 'BRIDGE_BAD_PASSWORD':
      return `wrong address or bridge password for ${who}; copy the bridge password from the app again (or make a new one there)`;
    case 'BRIDGE_NO_PASSWORD':
      return `${who} has no bridge password yet; make one in the app (Bridge section, or mail-oauth bridge-password ${who})`;
    case 'MS_SMTP_AUTH_DISABLED':
      return `SMTP AUTH is disabled for this mailbox (${code}); see the app`;
  }
  const d = describe(code);
  if (EXPIRED.has(code)) return `the sign-in for ${who} expired; open the app and sign in again (${code})`;
  if (d.action === 'reauthorize') return `the sign-in for ${who} is no longer accepted: ${d.title} (${code}); open the app and sign in again`;
  if (failureKind(code) === 'temporary') return `${d.title} (${code}); try again later, details in the app`;
  return `${d.title} (${code}); see the app`;
}

const TAG = 'Mail OAuth Assistant:';

/**
 * The refusal line for the client (IMAP: without the tag; the front end adds it). `serverText`
 * is the upstream's own answer: its SMTP enhanced code is kept where it is a known one (Exchange
 * 5.7.139) so the client shows the code people search for.
 */
export function refusal(protocol: BridgeProtocol, code: string, address: string | undefined, serverText?: string): string {
  const kind = failureKind(code);
  const text = plain(`${TAG} ${failureSentence(code, address)}`);
  switch (protocol) {
    case 'imap':
      return `NO [${kind === 'temporary' ? 'UNAVAILABLE' : kind === 'auth' ? 'AUTHENTICATIONFAILED' : 'CONTACTADMIN'}] ${text}`;
    case 'pop':
      return `-ERR [${kind === 'temporary' ? 'SYS/TEMP' : kind === 'auth' ? 'AUTH' : 'SYS/PERM'}] ${text}`;
    case 'smtp': {
      if (kind === 'temporary') return `454 4.7.0 ${text}`;
      if (kind === 'other') return `554 5.7.0 ${text}`;
      const enhanced = /^535[ -](5\.7\.\d{1,3})\b/.exec(serverText ?? '')?.[1];
      return `535 ${enhanced ?? '5.7.8'} ${text}`;
    }
  }
}
