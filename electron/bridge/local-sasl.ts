// The password mechanisms old clients use to sign in to the bridge: SASL PLAIN (RFC 4616) and the
// non-standard but ubiquitous LOGIN (draft-murchison-sasl-login: base64 user, then base64 password).
// Shared by the three front ends: each gives the exchange its own continuation line (`+ ` in IMAP
// and POP3, `334 ` in SMTP).

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

/** One continuation of the exchange: the client's line; null when it cancelled with `*`;
 * undefined when it closed the connection. */
export type SaslAsk = (prompt: string) => Promise<string | null | undefined>;

/** The protocol's continuation: `prefix` + the prompt, then one client line. */
export const continuation =
  (s: { write(line: string): void; reader: { line(): Promise<string | undefined> } }, prefix: string): SaslAsk =>
  async (prompt) => {
    s.write(`${prefix}${prompt}`);
    const l = await s.reader.line();
    if (l === undefined) return undefined;
    return l.trim() === '*' ? null : l;
  };

/**
 * The rest of `AUTH[ENTICATE] PLAIN|LOGIN [initial response]`: the credentials, 'cancelled', 'bad'
 * (malformed, or a mechanism other than these two), or undefined when the client left mid-way.
 */
export async function saslCredentials(mech: string, ir: string | undefined, ask: SaslAsk): Promise<Credentials | 'cancelled' | 'bad' | undefined> {
  if (mech === 'PLAIN') {
    let b64 = ir === '=' ? '' : ir;
    if (b64 === undefined) {
      const l = await ask('');
      if (l === undefined || l === null) return l === null ? 'cancelled' : undefined;
      b64 = l;
    }
    return decodePlain(b64) ?? 'bad';
  }
  if (mech !== 'LOGIN') return 'bad';
  let login = ir === undefined ? undefined : fromBase64(ir);
  if (login === undefined) {
    const l = await ask(LOGIN_USER_PROMPT);
    if (l === undefined || l === null) return l === null ? 'cancelled' : undefined;
    login = fromBase64(l);
    if (login === undefined) return 'bad';
  }
  const l = await ask(LOGIN_PASSWORD_PROMPT);
  if (l === undefined || l === null) return l === null ? 'cancelled' : undefined;
  const password = fromBase64(l);
  return password === undefined || login === '' || password === '' ? 'bad' : { login, password };
}
