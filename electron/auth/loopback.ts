// The loopback redirect listener for native apps (RFC 8252 §7.3, §8.3): bound to 127.0.0.1 only
// (never 0.0.0.0, never `localhost`, which may resolve to ::1 that providers do not accept), on a
// random port (port 0), for exactly one attempt with its own `state` (RFC 6749 §10.12).
//
// - A callback whose `state` is missing or wrong gets a 400 page and does NOT consume the attempt:
//   another tab, a prefetcher or a local attacker must not be able to end the user's sign-in.
// - The first callback with the right state is taken; the server then stops listening, so a
//   second one finds no listener.
// - The browser's response is held until the caller has exchanged the code, so the page says
//   whether sign-in really worked.
// - Timeout closes the server. An abort (the user's Cancel in the app, or the flow's deadline)
//   ends the attempt at once, but the port keeps answering for `cancelledPageMs` with a page that
//   says the sign-in was cancelled (or timed out) in the app, so a user who finishes in the
//   browser anyway does not land on "refused to connect". No code is ever taken in that state;
//   the server is unref'd and then closes by itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nodeHttp } from '../core/node-http.ts';
import type { AddressInfo } from 'node:net';
import { failure } from './diagnose.ts';
import { cancelledPage, failurePage, successPage, wrongStatePage } from './pages.ts';
import { AppFailure } from '../../shared/result.ts';
import { OIDC_LOOPBACK_PATH } from '../../shared/registration-scripts.ts';

export type LoopbackOptions = {
  expectedState: string;
  /** How long to wait for the browser, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Callback path; the redirect URI is http://127.0.0.1:<port><path>. */
  path?: string;
  /** How long the browser waits for the final page while the code is exchanged, ms. */
  pageHoldMs?: number;
  /** After an abort, how long the port still answers with the "cancelled in the app" page, ms. */
  cancelledPageMs?: number;
};

export type LoopbackCallback = {
  /** The full callback URL as received (openid-client derives redirect_uri from it). */
  url: URL;
  /** Send the final page to the browser: success, or the failure's code title. */
  finish(outcome: { ok: true } | { ok: false; code: string }): void;
};

export type LoopbackListener = {
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves with the one valid callback; rejects with TIMEOUT or CANCELLED. */
  readonly callback: Promise<LoopbackCallback>;
  /** End the attempt (idempotent). Resolves when the socket is closed, except after an abort:
   * then the port answers the "cancelled" page until `cancelledPageMs` and closes by itself. */
  close(): Promise<void>;
  /** Stop listening now, whatever the state (the grace period included). */
  dispose(): Promise<void>;
  /** True once the server no longer accepts connections. */
  readonly closed: boolean;
};

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

export async function startLoopback(options: LoopbackOptions): Promise<LoopbackListener> {
  if (options.signal?.aborted) throw failure('CANCELLED');
  const path = options.path ?? OIDC_LOOPBACK_PATH;
  const holdMs = options.pageHoldMs ?? 10_000;
  let resolveCb!: (cb: LoopbackCallback) => void;
  let rejectCb!: (e: unknown) => void;
  const callback = new Promise<LoopbackCallback>((res, rej) => {
    resolveCb = res;
    rejectCb = rej;
  });
  // Callers may await `callback` late; a rejection must not be reported as unhandled meanwhile.
  callback.catch(() => undefined);
  let taken = false;
  let closed = false;
  /** Aborted before a callback: the page to answer with until the grace period ends. */
  let abortedPage: string | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let closing: Promise<void> | undefined;

  const server = nodeHttp.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${boundPort}`);
    if (req.method !== 'GET' || url.pathname !== path) {
      res.writeHead(404, HTML).end();
      return;
    }
    if (abortedPage !== undefined) {
      res.writeHead(200, { ...HTML, connection: 'close' }).end(abortedPage);
      return;
    }
    const states = url.searchParams.getAll('state');
    if (taken || states.length !== 1 || states[0] !== options.expectedState) {
      res.writeHead(400, HTML).end(wrongStatePage());
      return;
    }
    taken = true;
    // Stop accepting new connections now: a second valid-looking callback finds no listener.
    server.close();
    let answered = false;
    const answer = (status: number, body: string): void => {
      if (answered) return;
      answered = true;
      clearTimeout(hold);
      res.writeHead(status, { ...HTML, connection: 'close' }).end(body, () => void close());
    };
    const hold = setTimeout(() => answer(200, successPage()), holdMs);
    resolveCb({
      url,
      finish: (o) => (o.ok ? answer(200, successPage()) : answer(400, failurePage(o.code))),
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  let boundPort = 0;

  function close(): Promise<void> {
    // Aborted: the grace period owns the port (it closes it); the attempt itself is over.
    if (abortedPage !== undefined && graceTimer !== undefined) return Promise.resolve();
    return closeNow();
  }

  function closeNow(): Promise<void> {
    if (closing) return closing;
    clearTimeout(timer);
    clearTimeout(graceTimer);
    options.signal?.removeEventListener('abort', onAbort);
    closing = new Promise<void>((resolve) => {
      server.close(() => {
        closed = true;
        resolve();
      });
      server.closeAllConnections();
      if (!server.listening) {
        closed = true;
        resolve();
      }
    });
    return closing;
  }

  const onAbort = (): void => {
    const graceMs = options.cancelledPageMs ?? 10 * 60_000;
    if (taken || graceMs <= 0 || !server.listening) {
      if (!taken) rejectCb(failure('CANCELLED'));
      void closeNow();
      return;
    }
    const reason: unknown = options.signal?.reason;
    abortedPage = cancelledPage(reason instanceof AppFailure && reason.appError.code === 'TIMEOUT' ? 'timeout' : 'cancelled');
    rejectCb(failure('CANCELLED'));
    clearTimeout(timer);
    graceTimer = setTimeout(() => void closeNow(), graceMs);
    graceTimer.unref();
    server.unref();
  };
  const timer = setTimeout(() => {
    if (!taken) rejectCb(failure('TIMEOUT', `No answer from the browser within ${Math.round(options.timeoutMs / 1000)} s.`));
    void close();
  }, options.timeoutMs);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      boundPort = (server.address() as AddressInfo).port;
      resolve();
    });
  });

  return {
    redirectUri: `http://127.0.0.1:${boundPort}${path}`,
    port: boundPort,
    callback,
    close,
    dispose: closeNow,
    get closed() {
      return closed;
    },
  };
}
