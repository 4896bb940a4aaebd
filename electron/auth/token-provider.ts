// The one port behind which every authorization flow lives (DESIGN.md "Flows"). One TokenProvider
// per account; MSAL (Microsoft) and openid-client (Google, generic OIDC) implement it. The probe
// engine and the CLI see only the TokenSource part (electron/core/ports.ts).
import { DEFAULT_REFRESH_MARGIN_MS, isFresh, type AccessToken, type Clock, type TokenSource } from '../core/ports.ts';
import type { AuthFlow, AuthOutcome, AuthProgress } from '../../shared/auth-outcome.ts';
import { AppFailure } from '../../shared/result.ts';
import { failure } from './diagnose.ts';
import { raceAbort } from '../core/abort.ts';

export type { AuthFlow, AuthOutcome, AuthProgress };

export type AuthorizeOptions = {
  signal?: AbortSignal;
  onProgress?: (progress: AuthProgress) => void;
  /** Overall time limit of an interactive flow, ms (browser: default 5 min). */
  timeoutMs?: number;
};

export type GetTokenOptions = { signal?: AbortSignal; forceRefresh?: boolean };

export interface TokenProvider extends TokenSource {
  readonly accountId: string;
  /** Run a flow, store the resulting secrets (encrypted) before resolving, and describe the result.
   * Throws AppFailure with a catalog code. */
  authorize(flow: AuthFlow, options?: AuthorizeOptions): Promise<AuthOutcome>;
  /** A valid access token: cached, or refreshed before expiry (one refresh at a time per account;
   * rotated refresh tokens are saved before this resolves). Throws AppFailure. */
  getAccessToken(options?: GetTokenOptions): Promise<AccessToken>;
  /** Forget the local sign-in (tokens, MSAL cache). Keeps the client secret. */
  signOut(): Promise<void>;
  /** Revoke at the provider where it offers revocation (RFC 7009), then sign out locally.
   * `revoked` is false when the provider has no revocation (Microsoft). */
  revoke(options?: { signal?: AbortSignal }): Promise<{ revoked: boolean }>;
  /** What is stored, without network: for the dashboard (never a token value). */
  state(): Promise<TokenStateInfo>;
}

export type TokenStateInfo = {
  state: 'none' | 'valid' | 'expired' | 'needs-reauth';
  expiresAt?: number;
  hasRefreshToken: boolean;
};

export { DEFAULT_REFRESH_MARGIN_MS } from '../core/ports.ts';

/** Await `promise` but give up when `signal` aborts (the work itself goes on for other waiters). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return signal ? raceAbort(promise, signal, () => failure('CANCELLED')) : promise;
}

/** Signal that aborts on the caller's signal or after `ms`; `timedOut()` tells which. */
export function deadline(ms: number, signal?: AbortSignal): { signal: AbortSignal; timedOut: () => boolean; clear: () => void } {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort(failure('TIMEOUT', `No result within ${Math.round(ms / 1000)} s.`));
  }, ms);
  const onAbort = (): void => ctl.abort(failure('CANCELLED'));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ctl.signal,
    timedOut: () => timedOut,
    clear: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Per-account token gate: hands out a cached token while it is fresh enough, otherwise runs ONE
 * refresh that every concurrent caller shares (parallel refreshes would race on one rotating
 * refresh token and kill the grant, AUTH-NOTES.md "Concurrency"). All token-endpoint work of the
 * account (refresh, authorize, revoke) goes through `exclusive`, one at a time.
 */
export class TokenGate {
  #cached: AccessToken | undefined;
  #inflight: Promise<AccessToken> | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #clock: Clock;
  readonly #marginMs: number;

  constructor(clock: Clock, marginMs: number = DEFAULT_REFRESH_MARGIN_MS) {
    this.#clock = clock;
    this.#marginMs = marginMs;
  }

  fresh(token: AccessToken | undefined): token is AccessToken {
    return isFresh(token, this.#clock.now(), this.#marginMs);
  }

  remember(token: AccessToken | undefined): void {
    this.#cached = token;
  }

  /** Run one token-endpoint operation after the ones before it. */
  exclusive<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(op, op);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async get(options: GetTokenOptions, refresh: (force: boolean) => Promise<AccessToken>): Promise<AccessToken> {
    if (options.signal?.aborted) throw failure('CANCELLED');
    if (!options.forceRefresh && this.fresh(this.#cached)) return this.#cached;
    if (!this.#inflight) {
      const force = options.forceRefresh === true;
      this.#inflight = this.exclusive(() => refresh(force))
        .then((t) => {
          this.#cached = t;
          return t;
        })
        .finally(() => {
          this.#inflight = undefined;
        });
      // The shared work must not surface as unhandled when every waiter gave up.
      this.#inflight.catch(() => undefined);
    }
    return raceSignal(this.#inflight, options.signal);
  }
}

export const isAppFailure = (e: unknown): e is AppFailure => e instanceof AppFailure;
