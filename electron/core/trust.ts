// TLS trust for connections to identity providers and mail servers: Node's default roots (the
// bundled ones and NODE_EXTRA_CA_CERTS) plus the CA certificates an account or the user adds.
import tls from 'node:tls';

/**
 * A secure context trusting the default roots and `extraPem` as well. Passing `ca` to
 * createSecureContext replaces the defaults, and handing it the ~150-260 default roots as PEM
 * again parses all of them: 40-100 ms of blocked event loop on a busy machine, paid before the
 * first connection (the CLI's refresh and mail connections wait behind it). Instead: a default
 * context, whose roots Node parsed once per process, with the extra certificates added to its own
 * copy of that store (the shared default store is never changed).
 */
export function secureContextWithExtraCa(extraPem: string | readonly string[]): tls.SecureContext {
  const ctx = tls.createSecureContext();
  const native = ctx.context as { addCACert(pem: string): void };
  for (const pem of typeof extraPem === 'string' ? [extraPem] : extraPem) native.addCACert(pem);
  return ctx;
}

/** The extra CAs that apply to one account, as one PEM bundle: the process-wide one (--ca-file,
 * the bench's) and the account's own; undefined when neither is set. */
export function extraCaBundle(...pems: ReadonlyArray<string | Buffer | undefined>): string | undefined {
  const all = pems.map((p) => p?.toString()).filter((c): c is string => c !== undefined && c.trim() !== '');
  return all.length > 0 ? all.join('\n') : undefined;
}
