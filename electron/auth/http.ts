// The auth layer's HTTP client: a fetch-compatible function over node:https so a private CA (the
// test bench's, a company's TLS-inspecting proxy CA) can be trusted per client, never through a
// process-wide setting (NODE_EXTRA_CA_CERTS only works when set before start, AUTH-NOTES.md).
// Every request has a timeout and honours the caller's AbortSignal.
import { secureContextWithExtraCa } from '../core/trust.ts';
import { caList, takeWarm } from './preconnect.ts';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { nodeHttp, nodeHttps } from '../core/node-http.ts';
import { LiteHeaders, LiteResponse } from './fetch-lite.ts';

const { Agent: HttpsAgent, request: httpsRequest } = nodeHttps;
const { request: httpRequest } = nodeHttp;

export type HttpFetchInit = {
  method?: string;
  headers?: Record<string, string> | Headers | LiteHeaders;
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | null | ReadableStream;
  signal?: AbortSignal | null;
  redirect?: string;
};

/** The subset of fetch that openid-client's customFetch and our MSAL network client use. The
 * answer is a LiteResponse (./fetch-lite.ts: Node's Response would load undici), typed as the
 * Fetch API's Response because that is the type openid-client's customFetch is declared with. */
export type HttpFetch = (url: string, init?: HttpFetchInit) => Promise<Response>;

export type HttpOptions = {
  /** Extra trusted CA certificate(s), PEM, added to Node's default roots (a test mail server's CA
   * must not make the real identity provider untrusted). */
  ca?: string | readonly string[];
  /** Per-request time limit in ms (connect + response). Default 30 s, as openid-client's default. */
  timeoutMs?: number;
};

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
/** How long an idle kept-alive connection to a provider is kept for the next request. */
const IDLE_SOCKET_MS = 60_000;

/** A network-level failure carrying the errno-like `code` that electron/auth/diagnose.ts reads. */
export class HttpNetworkError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpNetworkError';
    this.code = code;
  }
}

function headerRecord(h: HttpFetchInit['headers']): Record<string, string> {
  if (!h) return {};
  // Headers of either kind (Node's or ours: openid-client passes the one it was given), told apart
  // from a plain record without naming the global class, which would load undici.
  if (typeof (h as { entries?: unknown }).entries === 'function') return Object.fromEntries((h as Headers).entries());
  return { ...(h as Record<string, string>) };
}

async function bodyBytes(body: HttpFetchInit['body']): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Uint8Array[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('The operation was aborted', 'AbortError');
}

export function createHttpFetch(options: HttpOptions = {}): HttpFetch {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const extra = caList(options.ca);
  // One TLS context and one keep-alive connection pool per client: building a context is not
  // free (electron/core/trust.ts), pooled connections must not be shared with clients that trust other
  // CAs, and a long-lived process (the app, the web host) refreshes over a warm connection: one
  // round trip instead of three (TCP, TLS 1.3, request). Idle sockets do not keep a process
  // alive (the agent unrefs them) and are closed before the server's announced keep-alive
  // timeout runs out, so a reused socket is not one the server is closing.
  const agent = new HttpsAgent({
    keepAlive: true,
    // Idle sockets live at most this long, and less when the server announces a shorter
    // keep-alive timeout (Node applies the hint only under an agent timeout).
    timeout: IDLE_SOCKET_MS,
    ...(extra.length === 0 ? {} : { secureContext: secureContextWithExtraCa(extra) }),
  });
  // A connection opened early by preconnect() with this trust is used instead of a new one, even
  // while it is still connecting (the agent then waits for it through the callback); the agent
  // keeps it like its own.
  const connect = agent.createConnection.bind(agent) as (o: unknown, cb?: unknown) => ReturnType<typeof agent.createConnection>;
  agent.createConnection = (opts: { host?: string | null; port?: number | string | null }, callback?: unknown) => {
    const early = typeof callback === 'function' ? takeWarm(String(opts.host ?? ''), Number(opts.port ?? 443), extra) : undefined;
    if (early === undefined) return connect(opts, callback);
    if (!(early instanceof Promise)) return early;
    // Failed before TLS started: a connection of the client's own meets the error itself.
    void early.then((socket) => (callback as (error: Error | null, socket: unknown) => void)(null, socket ?? connect(opts)));
    return undefined;
  };
  return async (url, init = {}) => {
    const target = new URL(url);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw abortError(signal);
    const body = await bodyBytes(init.body);
    const headers = headerRecord(init.headers);
    if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')) {
      headers['content-length'] = String(body.length);
    }
    const isHttps = target.protocol === 'https:';
    if (!isHttps && target.protocol !== 'http:') throw new HttpNetworkError(`unsupported protocol ${target.protocol}`, 'EPROTO');
    return await new Promise<Response>((resolve, reject) => {
      let settled = false;
      const done = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onResponse = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => done(() => reject(new HttpNetworkError(`response from ${target.origin} failed`, 'ECONNRESET', { cause: e }))));
        res.on('end', () =>
          done(() => {
            const status = res.statusCode ?? 502;
            const h = new LiteHeaders();
            for (const [k, v] of Object.entries(res.headers)) {
              if (Array.isArray(v)) for (const x of v) h.append(k, x);
              else if (v !== undefined) h.set(k, v);
            }
            const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
            resolve(new LiteResponse(nullBody ? null : Buffer.concat(chunks), { status, headers: h }) as unknown as Response);
          }),
        );
      };
      let req: ClientRequest;
      const send = (firstAttempt: boolean): void => {
        let answered = false;
        req = isHttps
          ? httpsRequest(target, { method: init.method ?? 'GET', headers, agent }, (res) => {
              answered = true;
              onResponse(res);
            })
          : httpRequest(target, { method: init.method ?? 'GET', headers }, onResponse);
        req.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive socket the server closed just as we reused it: the request never
          // reached the server, so it is sent once more on a new connection (Node's documented
          // pattern for `reusedSocket`; never after an answer began).
          if (firstAttempt && !answered && !settled && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
            send(false);
            return;
          }
          done(() => reject(new HttpNetworkError(`request to ${target.origin} failed: ${e.code ?? e.message}`, e.code ?? 'ECONNRESET', { cause: e })));
        });
        if (body !== undefined) req.write(body);
        req.end();
      };
      const timer = setTimeout(() => {
        done(() => reject(new HttpNetworkError(`no answer from ${target.origin} within ${timeoutMs} ms`, 'ETIMEDOUT')));
        req.destroy();
      }, timeoutMs);
      const onAbort = (): void => {
        done(() => reject(abortError(signal as AbortSignal)));
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      send(true);
    });
  };
}
