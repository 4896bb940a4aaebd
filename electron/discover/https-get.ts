// A bounded HTTPS GET for autoconfig documents. The answer is untrusted, so:
// - https only, certificates verified (an extra CA can be added explicitly, never "insecure");
// - redirects followed at most `maxRedirects` times, only to https on the same host and port
//   (an autoconfig redirect to another host could hand us someone else's servers; to http it
//   could be rewritten in transit, RFC 8314 section 2 wants mail set-up to be protected);
// - the body is limited in bytes while it streams (and by Content-Length up front);
// - no compression is requested, so the byte limit is the real size (no zip bombs).
import { request } from 'node:https';
import type { SecureContext } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { secureContextWithExtraCa } from '../core/trust.ts';

export type HttpsGetOptions = {
  signal: AbortSignal;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string | readonly string[];
  maxBytes?: number;
  maxRedirects?: number;
};

export class HttpsGetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpsGetError';
  }
}

export const DEFAULT_MAX_BYTES = 256 * 1024;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export type HttpsGetResult = { url: string; status: number; contentType: string; body: string };

export async function httpsGet(url: string, options: HttpsGetOptions): Promise<HttpsGetResult> {
  const maxRedirects = options.maxRedirects ?? 3;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const extra = options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  // The extra CA is in addition to the default roots, like every other connection of the app
  // (core/trust.ts): one context for all hops, without parsing the ~150 bundled roots again.
  const secureContext = extra.length > 0 ? secureContextWithExtraCa(extra) : undefined;
  const first = new URL(url);
  if (first.protocol !== 'https:') throw new HttpsGetError(`refused ${first.protocol} URL (https only)`);
  let current = first;
  for (let hop = 0; ; hop++) {
    const res = await once(current, secureContext, options.signal);
    if (REDIRECTS.has(res.statusCode ?? 0)) {
      res.resume();
      const location = res.headers.location;
      if (!location) throw new HttpsGetError(`HTTP ${res.statusCode} redirect without a Location`);
      if (hop >= maxRedirects) throw new HttpsGetError(`too many redirects (more than ${maxRedirects})`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new HttpsGetError('redirect to an invalid URL');
      }
      if (next.protocol !== 'https:') {
        throw new HttpsGetError(`refused redirect to ${next.protocol}//${next.host} (only https is followed)`);
      }
      if (next.host !== first.host) {
        throw new HttpsGetError(`refused redirect to another host (${next.host}); only ${first.host} is trusted here`);
      }
      current = next;
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new HttpsGetError(
        res.statusCode === 404 ? 'HTTP 404: nothing published here' : `HTTP ${res.statusCode ?? '?'} from the server`,
      );
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      throw new HttpsGetError(`answer too large (${declared} bytes, limit ${maxBytes})`);
    }
    const body = await readLimited(res, maxBytes, options.signal);
    return { url: current.href, status: 200, contentType: String(res.headers['content-type'] ?? ''), body };
  }
}

function once(url: URL, secureContext: SecureContext | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        signal,
        // One connection per request, closed afterwards: nothing lingers after discovery ends and
        // a pooled socket verified against another CA list is never reused.
        agent: false,
        headers: { accept: 'text/xml, application/xml;q=0.9', 'accept-encoding': 'identity' },
        ...(secureContext ? { secureContext } : {}),
      },
      resolve,
    );
    req.on('error', (e) => reject(e));
    req.end();
  });
}

function readLimited(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onAbort = (): void => {
      res.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        res.destroy();
        reject(new HttpsGetError(`answer too large (more than ${maxBytes} bytes)`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => {
      done();
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpsGetError('answer is not valid UTF-8'));
      }
    });
    res.on('error', (e) => {
      done();
      reject(e);
    });
  });
}
