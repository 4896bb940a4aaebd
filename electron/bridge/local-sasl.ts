// The password mechanisms old clients use to sign in to the bridge: SASL PLAIN (RFC 4616) and the
// non-standard but ubiquitous LOGIN (draft-murchison-sasl-login: base64 user, then base64 password).
// Shared by the three front ends; the exchange itself is worded by each protocol.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type Credentials = { login: string; password: string };

/** Base64 text -> UTF-8, or undefined when it is not base64 (RFC 4648, no whitespace). */
export function fromBase64(text: string): string | undefined {
  const t = text.trim();
  if (t.length > 4096 || !BASE64.test(t)) return undefined;
  return Buffer.from(t, 'base64').toString('utf8');
}

/** `[authzid] NUL authcid NUL passwd`; an authzid other than the user itself is refused (no proxy sign-in). */
export function decodePlain(b64: string): Credentials | undefined {
  const raw = fromBase64(b64);
  if (raw === undefined) return undefined;
  const parts = raw.split('\0');
  if (parts.length !== 3) return undefined;
  const [authz, login, password] = parts as [string, string, string];
  if (login === '' || password === '') return undefined;
  if (authz !== '' && authz.toLowerCase() !== login.toLowerCase()) return undefined;
  return { login, password };
}

export const LOGIN_USER_PROMPT = Buffer.from('Username:').toString('base64');
export const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64');

/** Latin-1 decoded protocol text back to the UTF-8 the client sent (addresses may be internationalized). */
export const utf8 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');
