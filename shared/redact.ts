// Secrets never leave the process in readable form. This is the one place that knows what a
// secret looks like in free text; the transports call it on every transcript line and error text.

/** Long opaque strings that look like tokens, JWTs or base64 SASL payloads. */
const TOKENISH = /\b(?:eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*|[A-Za-z0-9+/_-]{40,}={0,2})/g;
// \x01 is the SASL field separator (RFC 7628): a bearer token ends at it.
// eslint-disable-next-line no-control-regex
const BEARER = /(auth=Bearer\s+|Bearer\s+)[^\s\x01"']+/gi;
const KEYED = /((?:access_token|refresh_token|id_token|client_secret|code_verifier|code|password|token)["']?\s*[=:]\s*["']?)[^\s"'&,}]+/gi;

/** Replace anything that looks like a credential in free text by `<redacted>`. */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const s of knownSecrets) {
    if (s.length >= 4) out = out.split(s).join('<redacted>');
  }
  return out
    .replace(BEARER, '$1<redacted>')
    .replace(KEYED, '$1<redacted>')
    .replace(TOKENISH, '<redacted>');
}
