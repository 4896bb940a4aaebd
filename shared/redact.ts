// Secrets never leave the process in readable form. This is the one place that knows what a
// secret looks like in free text; the transports call it on every transcript line and error text.
// It replaces secret VALUES only: protocol words next to them stay readable (Gmail's capability
// `AUTH ... OAUTHBEARER XOAUTH`, an SMTP `250-BURL imap`, a lone `.` ending DATA). Every pattern
// stays on one line ([ \t], never \s), because a report joins many lines into one text and a
// keyword at the end of one line must not eat the start of the next.

/** Long opaque strings that look like tokens, JWTs or base64 SASL payloads. */
const TOKENISH = /\b(?:eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*|[A-Za-z0-9+/_-]{40,}={0,2})/g;
// "Bearer <value>" as a word of its own (not the tail of the SASL mechanism name OAUTHBEARER);
// \x01 is the SASL field separator (RFC 7628): a bearer token ends at it.
// eslint-disable-next-line no-control-regex
const BEARER = /(?<![A-Za-z0-9_-])((?:auth=)?Bearer[ \t]+)[^\s\x01"'<]+/gi;
// Names that always hold a secret: whatever value follows is removed.
const KEYED = /(?<![A-Za-z0-9_])((?:access_token|refresh_token|id_token|client_secret|code_verifier|device_code|password)["']?[ \t]*[=:][ \t]*["']?)[^\s"'&,}<]+/gi;
// Names that hold a secret in OAuth parameters and JSON (`code=...`, `"token": "..."`) but are
// ordinary words in prose ("token: ok"): only a value long enough to be a credential goes.
const KEYED_GENERIC = /(?<![A-Za-z0-9_])((?:code|token)["']?[ \t]*[=:][ \t]*["']?)([^\s"'&,}<]{12,})/gi;

const BASE64_RUN = /^[A-Za-z0-9+/]+={0,2}$/;
const PRINTABLE = /^[\x20-\x7e\t\r\n]*$/;

/**
 * A long base64 run whose bytes are readable text with no secret in it is a server's words, not a
 * credential: Gmail's SASL error challenge (`334 eyJzdGF0dXMiOi...` = `{"status":"401",...}`),
 * Exchange's greeting id (`[QwBIADIA...]` = UTF-16 of its host name). Random token bytes never
 * decode to printable text, and a SASL payload does but carries `auth=Bearer`: both still go.
 */
function isReadableBase64(run: string): boolean {
  if (!BASE64_RUN.test(run) || run.length % 4 !== 0) return false;
  const bytes = atob(run);
  // UTF-16LE ASCII (every second byte zero), as Exchange encodes its server name.
  const utf16 = bytes.length % 2 === 0 && [...bytes].every((c, i) => (i % 2 === 1 ? c === '\0' : true));
  const text = utf16 ? [...bytes].filter((_c, i) => i % 2 === 0).join('') : bytes;
  return PRINTABLE.test(text) && redactPatterns(text) === text;
}

/**
 * A file path or URL path (`config/mail-oauth-assistant/cli/secrets/acc-1`): kept, it is what a
 * user needs to fix a local problem. Standard base64 has no `-`/`_`, base64url has no `/`, so a run
 * with both (and no `+`, no empty segment such as Google's `1//` refresh tokens) is a path; so is
 * one cut by several slashes into short segments.
 */
function isPath(run: string): boolean {
  if (!run.includes('/') || run.includes('+') || run.includes('//')) return false;
  const segments = run.split('/').filter((x) => x !== '');
  if (/[-_]/.test(run)) return true;
  return segments.length >= 4 && segments.every((x) => x.length <= 20);
}

function redactPatterns(text: string): string {
  return text
    .replace(BEARER, '$1<redacted>')
    .replace(KEYED, '$1<redacted>')
    .replace(KEYED_GENERIC, '$1<redacted>')
    .replace(TOKENISH, (run) => (isReadableBase64(run) || isPath(run) ? run : '<redacted>'));
}

/** Replace anything that looks like a credential in free text by `<redacted>`. */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const s of knownSecrets) {
    if (s.length >= 4) out = out.split(s).join('<redacted>');
  }
  return redactPatterns(out);
}
