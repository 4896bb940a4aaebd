// The OAuth SASL mechanisms for all three protocols: payload builders, the mechanism choice, the
// failure-challenge decoder and the answer that ends a failed exchange.
//
// XOAUTH2 (Google's format, also Microsoft's): base64 of `user=<u>\x01auth=Bearer <t>\x01\x01`.
// OAUTHBEARER (RFC 7628 section 3.1): base64 of `n,a=<u>,\x01host=<h>\x01port=<p>\x01auth=Bearer <t>\x01\x01`.
// On failure the server sends a continuation with a base64 JSON error (RFC 7628 section 3.2.2;
// Google and Dovecot do the same for XOAUTH2) and waits: the client must answer with an empty
// line (XOAUTH2) or `\x01` = `AQ==` (OAUTHBEARER, RFC 7628 section 3.2.3) and then reads the
// final failure. A client that does not answer hangs until the server's timeout.
import { z } from 'zod';
import type { SaslMechanism } from '../../shared/providers.ts';

// A value containing \x01 (or any control character) would end its field early and smuggle in
// fields of its own (RFC 7628 allows only VCHAR / SP / HTAB / CR / LF in values).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

export class SaslError extends Error {
  override name = 'SaslError';
}

function assertField(value: string, what: string): void {
  if (CONTROL.test(value)) throw new SaslError(`The ${what} contains control characters`);
}

/** RFC 5801 section 4: `,` and `=` in a saslname are written =2C and =3D. */
const escapeSaslName = (v: string): string => v.replace(/=/g, '=3D').replace(/,/g, '=2C');

export type SaslParams = { user: string; token: string; host: string; port: number };

/** The client's initial response, base64. A secret: never log it. */
export function initialResponse(mechanism: SaslMechanism, p: SaslParams): string {
  assertField(p.user, 'user name');
  assertField(p.token, 'access token');
  const raw =
    mechanism === 'XOAUTH2'
      ? `user=${p.user}\x01auth=Bearer ${p.token}\x01\x01`
      : `n,a=${escapeSaslName(p.user)},\x01host=${p.host}\x01port=${p.port}\x01auth=Bearer ${p.token}\x01\x01`;
  return Buffer.from(raw, 'utf8').toString('base64');
}

/** What the client sends to end the exchange after an error challenge. */
export function abortResponse(mechanism: SaslMechanism): string {
  return mechanism === 'XOAUTH2' ? '' : 'AQ==';
}

/** Every form in which the token may appear on the wire, for transcript redaction. */
export function secretForms(p: SaslParams): string[] {
  const forms = new Set<string>([p.token, Buffer.from(p.token).toString('base64')]);
  for (const m of ['XOAUTH2', 'OAUTHBEARER'] as const) {
    try {
      forms.add(initialResponse(m, p));
    } catch {
      // a token that cannot be framed is refused before it is sent; nothing to redact
    }
  }
  return [...forms];
}

/**
 * The mechanism to use: the first of the account's allowed mechanisms (catalog order, e.g.
 * Microsoft: XOAUTH2 only) that the server offers. `offered` are the SASL names the server
 * listed (IMAP `AUTH=X`, SMTP `AUTH X Y`, POP3 CAPA `SASL X Y`), upper-cased.
 */
export function chooseMechanism(
  allowed: readonly SaslMechanism[],
  offered: Iterable<string>,
): SaslMechanism | undefined {
  const set = new Set([...offered].map((m) => m.toUpperCase()));
  return allowed.find((m) => set.has(m));
}

/** The decoded failure challenge: `{"status":"401","schemes":"bearer","scope":"mail"}` etc. */
export const SaslChallenge = z
  .object({
    status: z.union([z.string(), z.number()]).transform(String).optional(),
    schemes: z.string().optional(),
    scope: z.string().optional(),
    'openid-configuration': z.string().optional(),
  })
  .loose();
export type SaslChallenge = z.infer<typeof SaslChallenge>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_CHALLENGE = 8192;

export type ChallengeResult = { ok: true; challenge: SaslChallenge } | { ok: false; reason: string };

/**
 * Decodes the server's error challenge. Never throws: garbage gives `{ok:false, reason}` and
 * the caller still ends the exchange with abortResponse() and reads the final answer.
 */
export function decodeChallenge(text: string): ChallengeResult {
  const b64 = text.trim();
  if (b64.length === 0) return { ok: false, reason: 'empty challenge' };
  if (b64.length > MAX_CHALLENGE) return { ok: false, reason: 'challenge too long' };
  if (!BASE64.test(b64)) return { ok: false, reason: 'challenge is not base64' };
  const json = Buffer.from(b64, 'base64').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'challenge is not JSON' };
  }
  const parsed = SaslChallenge.safeParse(value);
  if (!parsed.success) return { ok: false, reason: 'challenge is not an OAuth error object' };
  return { ok: true, challenge: parsed.data };
}
