// Microsoft accounts with MSAL Node 7. This is the ONLY file that imports @azure/msal-node: an MSAL
// upgrade touches this file and nothing else (electron/auth/diagnose.ts reads MSAL errors by shape).
//
// Behaviour that MSAL lacks and we add (AUTH-NOTES.md):
// - Interactive has no timeout and no AbortSignal: we cancel by POSTing
//   `error=user_cancelled&state=<state>` to MSAL's own loopback server (it rejects at once and
//   closes the server), or by failing `openBrowser` while it is still pending (MSAL then closes
//   its server in its `finally`). Abandoning the promise would leave the listener open.
// - MSAL does not check the signed-in user: the outcome compares account.username with who
//   should sign in: the mailbox address, or a shared mailbox's delegate (AUTH_WRONG_USER /
//   AUTH_WRONG_DELEGATE).
// - The refresh token lives only in MSAL's cache: the ICachePlugin encrypts that cache through
//   the SecretStore (SecretBox), and MSAL awaits `afterCacheAccess` before it returns a result,
//   so a rotated refresh token is stored before the caller gets the access token. Silent renewal
//   runs under the account's cross-process lock (SecretStore.withLock).
// - A stale / reused refresh token comes back as ServerError invalid_grant, not as
//   InteractionRequiredAuthError: diagnose.ts maps both to reauthorize codes.
// - Requests are serialized per account and always use one scope set (IMAP+POP+SMTP together):
//   parallel silent calls with different scopes race on the refresh token and kill the grant.
import { signerOf } from '../../shared/account.ts';
import * as msal from '@azure/msal-node';
import type { AccessToken } from '../core/ports.ts';
import type { AuthFlow, AuthOutcome, AuthProgress } from '../../shared/auth-outcome.ts';
import { redactText } from '../../shared/redact.ts';
import { authFailure, failure } from './diagnose.ts';
import type { ProviderContext } from './oidc-token-provider.ts';
import { buildOutcome, userFromClaims } from './outcome.ts';
import { failurePage, successPage } from './pages.ts';
import { appOnlyScopes, requestedScopes } from './scopes.ts';
import { deadline, raceSignal, TokenGate, type AuthorizeOptions, type GetTokenOptions, type TokenProvider, type TokenStateInfo } from './token-provider.ts';

export type MsalContext = ProviderContext & {
  /** When silent renewal needs interaction: open the browser (app with a UI) instead of failing. */
  interactiveFallback?: boolean;
  /** MSAL's log lines (warnings and errors, PII off, redacted again here). */
  log?: (line: string) => void;
};

type MsalSettings = { adapter: 'msal'; authority: string; clientId: string; flow: 'delegated' | 'app-only'; oidcMode: boolean };

const CACHE = 'msal-cache';
/** Tenants that name no directory: client credentials need a real tenant (PROVIDERS.md "App-only"). */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export class MsalTokenProvider implements TokenProvider {
  readonly accountId: string;
  readonly #ctx: MsalContext;
  readonly #gate: TokenGate;
  #public: msal.PublicClientApplication | undefined;
  #confidential: msal.ConfidentialClientApplication | undefined;
  #opSignal: AbortSignal | undefined;

  constructor(ctx: MsalContext) {
    if (ctx.account.auth.adapter !== 'msal') throw new Error('MsalTokenProvider needs an msal account');
    this.#ctx = ctx;
    this.accountId = ctx.account.id;
    this.#gate = new TokenGate(ctx.clock, ctx.marginMs);
  }

  get #settings(): MsalSettings {
    return this.#ctx.account.auth as MsalSettings;
  }

  /** The last error of our fetch: MSAL replaces it by network_error / endpoints_resolution_error
   * without a cause, which would hide an untrusted certificate behind "cannot be reached". */
  #lastNetworkError: unknown;

  #failure(e: unknown): ReturnType<typeof authFailure> {
    const code = (e as { errorCode?: unknown } | null)?.errorCode;
    const wrapped = code === 'network_error' || code === 'endpoints_resolution_error' || code === 'openid_config_error';
    return authFailure(wrapped && this.#lastNetworkError !== undefined ? this.#lastNetworkError : e, this.#ctx.provider.id);
  }

  /** MSAL's INetworkModule over our fetch: the CA is per client, never global; every request has
   * a time limit (MSAL's POSTs have none) and follows the current operation's AbortSignal. */
  #networkClient: msal.INetworkModule = {
    sendGetRequestAsync: (url, options, timeout) => this.#send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => this.#send('POST', url, options),
  };

  async #send<T>(method: string, url: string, options: msal.NetworkRequestOptions | undefined, timeout?: number): Promise<msal.NetworkResponse<T>> {
    const signals: AbortSignal[] = [];
    if (this.#opSignal) signals.push(this.#opSignal);
    if (timeout !== undefined && timeout > 0) signals.push(AbortSignal.timeout(timeout));
    const init: Parameters<MsalContext['fetch']>[1] = { method, headers: options?.headers ?? {} };
    if (method === 'POST') init.body = options?.body ?? '';
    if (signals.length > 0) init.signal = AbortSignal.any(signals);
    let res: Response;
    try {
      res = await this.#ctx.fetch(url, init);
      this.#lastNetworkError = undefined;
    } catch (e) {
      this.#lastNetworkError = e;
      throw e;
    }
    const text = await res.text();
    let body: unknown = {};
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        // A proxy's or a down server's HTML page: let MSAL see the status; keep no body text.
        body = { error: res.status >= 500 ? 'temporarily_unavailable' : 'invalid_response' };
      }
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { headers, body: body as T, status: res.status };
  }

  #cachePlugin: msal.ICachePlugin = {
    beforeCacheAccess: async (c) => {
      const saved = await this.#ctx.secrets.get(this.accountId, CACHE);
      if (saved !== undefined) c.tokenCache.deserialize(saved);
    },
    afterCacheAccess: async (c) => {
      if (c.cacheHasChanged) await this.#ctx.secrets.set(this.accountId, CACHE, c.tokenCache.serialize());
    },
  };

  #configuration(clientSecret?: string): msal.Configuration {
    const s = this.#settings;
    const log = this.#ctx.log;
    const auth: msal.NodeAuthOptions = { clientId: s.clientId, authority: s.authority };
    if (clientSecret !== undefined) auth.clientSecret = clientSecret;
    if (s.oidcMode) {
      // Non-Microsoft authority (AUTH-NOTES.md): knownAuthorities with the port, OIDC protocol mode,
      // otherwise MSAL asks Microsoft's instance discovery about the host.
      auth.knownAuthorities = [new URL(s.authority).host];
    }
    return {
      auth,
      cache: { cachePlugin: this.#cachePlugin },
      system: {
        networkClient: this.#networkClient,
        protocolMode: s.oidcMode ? msal.ProtocolMode.OIDC : msal.ProtocolMode.AAD,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: msal.LogLevel.Warning,
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii && log) log(redactText(message));
          },
        },
      },
    };
  }

  #publicApp(): msal.PublicClientApplication {
    this.#public ??= new msal.PublicClientApplication(this.#configuration());
    return this.#public;
  }

  async #confidentialApp(): Promise<msal.ConfidentialClientApplication> {
    if (this.#confidential) return this.#confidential;
    const s = this.#settings;
    if (!s.oidcMode) {
      const tenant = new URL(s.authority).pathname.split('/').filter(Boolean)[0] ?? '';
      if (tenant === '' || MULTI_TENANT.has(tenant.toLowerCase())) throw failure('AUTH_TENANT_REQUIRED', `Authority tenant is "${tenant || '(none)'}".`);
    }
    const secret = await this.#ctx.secrets.get(this.accountId, 'client-secret');
    if (secret === undefined) throw failure('AUTH_CLIENT_SECRET_MISSING');
    this.#confidential = new msal.ConfidentialClientApplication(this.#configuration(secret));
    return this.#confidential;
  }

  async #withSignal<T>(signal: AbortSignal | undefined, op: () => Promise<T>): Promise<T> {
    this.#opSignal = signal;
    try {
      return await op();
    } finally {
      this.#opSignal = undefined;
    }
  }

  #scopes(): string[] {
    const { provider, account } = this.#ctx;
    if (this.#settings.flow === 'app-only') return appOnlyScopes(this.#settings.authority, account.scopes);
    return requestedScopes(provider, account.servers, account.scopes);
  }

  /** The one MSAL account of this provider's cache (one cache per account of ours). */
  async #msalAccount(): Promise<msal.AccountInfo | null> {
    const cache = this.#publicApp().getTokenCache();
    const home = this.#ctx.account.identity?.homeAccountId;
    if (home !== undefined) {
      const byHome = await cache.getAccountByHomeId(home);
      if (byHome) return byHome;
    }
    const all = await cache.getAllAccounts();
    return all[0] ?? null;
  }

  async #hasRefreshToken(app: msal.PublicClientApplication, homeAccountId: string | undefined): Promise<boolean> {
    const raw: unknown = JSON.parse(app.getTokenCache().serialize());
    const rts = (raw as { RefreshToken?: Record<string, { home_account_id?: string }> }).RefreshToken ?? {};
    return Object.values(rts).some((rt) => homeAccountId === undefined || rt.home_account_id === homeAccountId);
  }

  #toAccessToken(r: msal.AuthenticationResult): AccessToken {
    const t: AccessToken = { token: r.accessToken, scopes: r.scopes, username: r.account?.username || signerOf(this.#ctx.account) };
    if (r.expiresOn) t.expiresAt = r.expiresOn.getTime();
    return t;
  }

  async #outcome(flow: AuthFlow, r: msal.AuthenticationResult, requested: string[]): Promise<AuthOutcome> {
    const { account, provider, secrets, clock } = this.#ctx;
    const appOnly = flow === 'client-credentials';
    this.#gate.remember(this.#toAccessToken(r));
    const outcome = buildOutcome({
      accountId: account.id,
      flow,
      expectedUser: signerOf(account),
      mailbox: account.address,
      provider,
      servers: account.servers,
      requestedScopes: requested,
      grantedScopes: r.scopes,
      signedInAs: appOnly ? undefined : r.account?.username || userFromClaims(r.idTokenClaims as Record<string, unknown> | undefined) || (await this.#userInfo(r.accessToken)),
      expiresAt: r.expiresOn?.getTime(),
      hasRefreshToken: appOnly ? false : await this.#hasRefreshToken(this.#publicApp(), r.account?.homeAccountId),
      authorizedAt: clock.now(),
      persisted: secrets.status.persistent,
    });
    return outcome;
  }

  /** The home account id of the last authorization (AuthService stores it in Identity). */
  lastHomeAccountId: string | undefined;

  authorize(flow: AuthFlow, options: AuthorizeOptions = {}): Promise<AuthOutcome> {
    return this.#gate.exclusive(async () => {
      if (flow === 'client-credentials') return this.#clientCredentials(options);
      if (this.#settings.flow === 'app-only') throw failure('AUTH_FLOW_UNSUPPORTED', 'This account is app-only: use client credentials.');
      const requested = this.#scopes();
      const r = flow === 'browser' ? await this.#interactive(options) : await this.#deviceCode(options);
      this.#needsReauth = false;
      this.lastHomeAccountId = r.account?.homeAccountId;
      options.onProgress?.({ kind: 'done' });
      return this.#outcome(flow, r, requested);
    });
  }

  async #interactive(options: AuthorizeOptions): Promise<msal.AuthenticationResult> {
    const timeoutMs = options.timeoutMs ?? this.#ctx.interactiveTimeoutMs ?? 5 * 60_000;
    const limit = deadline(timeoutMs, options.signal);
    let authUrl: string | undefined;
    let rejectOpener: ((e: unknown) => void) | undefined;
    const cancel = (): void => {
      rejectOpener?.(limit.signal.reason);
      if (authUrl !== undefined) void this.#cancelLoopback(authUrl);
    };
    limit.signal.addEventListener('abort', cancel, { once: true });
    try {
      return await this.#withSignal(limit.signal, () =>
        this.#publicApp().acquireTokenInteractive({
          scopes: this.#scopes(),
          loginHint: signerOf(this.#ctx.account),
          ...this.#authParams(),
          successTemplate: successPage(),
          errorTemplate: failurePage(),
          openBrowser: async (url: string) => {
            if (limit.signal.aborted) throw limit.signal.reason;
            authUrl = url;
            const port = Number(new URL(new URL(url).searchParams.get('redirect_uri') ?? 'http://x:0').port);
            const progress: AuthProgress = { kind: 'browser-opened', url, timeoutMs };
            if (port > 0) progress.redirectPort = port;
            options.onProgress?.(progress);
            await new Promise<void>((resolve, reject) => {
              rejectOpener = reject;
              this.#ctx.browser.open(url).then(resolve, reject);
            });
            rejectOpener = undefined;
          },
        }),
      );
    } catch (e) {
      if (limit.timedOut()) throw failure('TIMEOUT', 'The sign-in did not complete in time.');
      if (options.signal?.aborted) throw failure('CANCELLED');
      throw this.#failure(e);
    } finally {
      limit.signal.removeEventListener('abort', cancel);
      limit.clear();
    }
  }

  /** The catalog's extra authorization parameters (data, e.g. `prompt`), in MSAL's request shape. */
  #authParams(): { prompt?: string; extraQueryParameters?: Record<string, string> } {
    const { prompt, ...rest } = this.#ctx.provider.authParams ?? {};
    const out: { prompt?: string; extraQueryParameters?: Record<string, string> } = {};
    if (prompt !== undefined) out.prompt = prompt;
    if (Object.keys(rest).length > 0) out.extraQueryParameters = { ...rest };
    return out;
  }

  /** Entra ID puts preferred_username in the ID token; other OIDC providers may keep email for
   * UserInfo only (OIDC Core §5.4). Non-Microsoft authorities only, best effort. */
  async #userInfo(accessToken: string): Promise<string | undefined> {
    if (!this.#settings.oidcMode) return undefined;
    try {
      const base = this.#settings.authority.replace(/\/$/, '');
      const meta = (await (await this.#ctx.fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) })).json()) as { userinfo_endpoint?: unknown };
      if (typeof meta.userinfo_endpoint !== 'string') return undefined;
      const res = await this.#ctx.fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) return undefined;
      return userFromClaims((await res.json()) as Record<string, unknown>);
    } catch {
      return undefined;
    }
  }

  /** AUTH-NOTES.md: MSAL's loopback accepts an error response for its state and closes itself. */
  async #cancelLoopback(authUrl: string): Promise<void> {
    const u = new URL(authUrl);
    const redirect = u.searchParams.get('redirect_uri');
    const state = u.searchParams.get('state');
    if (redirect === null || state === null) return;
    const port = new URL(redirect).port;
    const body = new URLSearchParams({ error: 'user_cancelled', error_description: 'Cancelled in Mail OAuth Assistant', state }).toString();
    await this.#ctx
      .fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(5_000),
      })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  }

  async #deviceCode(options: AuthorizeOptions): Promise<msal.AuthenticationResult> {
    const limit = deadline(options.timeoutMs ?? 15 * 60_000, options.signal);
    const request: msal.DeviceCodeRequest = {
      scopes: this.#scopes(),
      // Synchronous callback (AUTH-NOTES.md): only report, never block.
      deviceCodeCallback: (r) => {
        options.onProgress?.({
          kind: 'device-code',
          userCode: r.userCode,
          verificationUri: r.verificationUri,
          expiresAt: this.#ctx.clock.now() + r.expiresIn * 1000,
          message: r.message,
        });
      },
    };
    // `request.cancel = true` ends MSAL's polling loop at its next turn (it sleeps `interval`).
    const stop = (): void => {
      request.cancel = true;
    };
    limit.signal.addEventListener('abort', stop, { once: true });
    try {
      const r = await raceSignal(
        this.#withSignal(limit.signal, () => this.#publicApp().acquireTokenByDeviceCode(request)),
        limit.signal,
      );
      if (!r) throw failure('AUTH_FAILED', 'The device sign-in returned no result.');
      return r;
    } catch (e) {
      if (limit.timedOut()) throw failure('TIMEOUT', 'The device code was not used in time.');
      if (options.signal?.aborted) throw failure('CANCELLED');
      throw this.#failure(e);
    } finally {
      limit.signal.removeEventListener('abort', stop);
      limit.clear();
    }
  }

  async #clientCredentials(options: AuthorizeOptions, force = true): Promise<AuthOutcome> {
    const scopes = this.#scopes();
    const r = await this.#clientCredentialsToken(options.signal, force);
    return this.#outcome('client-credentials', r, scopes);
  }

  async #clientCredentialsToken(signal: AbortSignal | undefined, force: boolean): Promise<msal.AuthenticationResult> {
    if (this.#settings.flow !== 'app-only') throw failure('AUTH_FLOW_UNSUPPORTED', 'Client credentials need an app-only account.');
    const limit = deadline(60_000, signal);
    try {
      const app = await this.#confidentialApp();
      const r = await this.#withSignal(limit.signal, () =>
        app.acquireTokenByClientCredential({ scopes: this.#scopes(), skipCache: force }),
      );
      if (!r) throw failure('AUTH_FAILED', 'Client credentials returned no token.');
      return r;
    } catch (e) {
      if (limit.timedOut()) throw failure('TIMEOUT');
      throw this.#failure(e);
    } finally {
      limit.clear();
    }
  }

  getAccessToken(options: GetTokenOptions = {}): Promise<AccessToken> {
    return this.#gate.get(options, (force) => this.#refresh(force));
  }

  async #refresh(force: boolean): Promise<AccessToken> {
    if (this.#settings.flow === 'app-only') return this.#toAccessToken(await this.#clientCredentialsToken(undefined, force));
    const account = await this.#msalAccount();
    if (!account) throw failure('AUTH_NOT_SIGNED_IN');
    const limit = deadline(45_000);
    // A forced renewal (`token --force-refresh`, several mail clients at once) notes the access
    // token it wants replaced: if another process replaced it while this one waited for the lock,
    // that new token is the answer, as for OpenID accounts (one refresh at the provider, not one
    // per waiting process).
    const seen = force ? await this.#cachedAccessTokens() : undefined;
    try {
      // MSAL renews by itself when fewer than 300 s remain (fixed in msal-node). Under the
      // account's cross-process lock: the cache plugin re-reads the cache inside it, so a token
      // another process renewed meanwhile is used (or its rotated refresh token, never ours).
      const r = await this.#ctx.secrets.withLock(this.accountId, async () => {
        const renewedMeanwhile = force && (await this.#cachedAccessTokens()) !== seen;
        return this.#withSignal(limit.signal, () =>
          this.#publicApp().acquireTokenSilent({ account, scopes: this.#scopes(), forceRefresh: force && !renewedMeanwhile }),
        );
      });
      return this.#toAccessToken(r);
    } catch (e) {
      if (limit.timedOut()) throw failure('TIMEOUT', 'Token renewal did not finish in time.');
      const f = this.#failure(e);
      const needsUser = e instanceof msal.InteractionRequiredAuthError || REAUTH.has(f.appError.code);
      if (needsUser && this.#ctx.interactiveFallback === true) {
        return this.#toAccessToken(await this.#interactive({}));
      }
      if (needsUser) this.#needsReauth = true;
      throw f;
    } finally {
      limit.clear();
    }
  }

  /** The access tokens in the saved cache (to tell whether another process renewed them). */
  async #cachedAccessTokens(): Promise<string | undefined> {
    const saved = await this.#ctx.secrets.get(this.accountId, CACHE);
    if (saved === undefined) return undefined;
    try {
      return JSON.stringify((JSON.parse(saved) as { AccessToken?: unknown }).AccessToken ?? null);
    } catch {
      return undefined;
    }
  }

  async state(): Promise<TokenStateInfo> {
    const saved = await this.#ctx.secrets.get(this.accountId, CACHE);
    if (saved === undefined) return { state: this.#needsReauth ? 'needs-reauth' : 'none', hasRefreshToken: false };
    const raw = JSON.parse(saved) as {
      AccessToken?: Record<string, { expires_on?: string }>;
      RefreshToken?: Record<string, unknown>;
    };
    const expiries = Object.values(raw.AccessToken ?? {}).map((a) => Number(a.expires_on) * 1000).filter((n) => Number.isFinite(n));
    const hasRefreshToken = Object.keys(raw.RefreshToken ?? {}).length > 0;
    if (expiries.length === 0 && !hasRefreshToken) return { state: this.#needsReauth ? 'needs-reauth' : 'none', hasRefreshToken };
    const expiresAt = expiries.length > 0 ? Math.max(...expiries) : undefined;
    const state = this.#needsReauth ? 'needs-reauth' : expiresAt !== undefined && expiresAt > this.#ctx.clock.now() ? 'valid' : 'expired';
    return expiresAt !== undefined ? { state, expiresAt, hasRefreshToken } : { state, hasRefreshToken };
  }

  #needsReauth = false;

  async signOut(): Promise<void> {
    await this.#gate.exclusive(async () => {
      this.#gate.remember(undefined);
      const cache = this.#publicApp().getTokenCache();
      for (const a of await cache.getAllAccounts()) await cache.removeAccount(a);
      await this.#ctx.secrets.delete(this.accountId, CACHE);
    });
  }

  /** Neither MSAL nor Entra ID offers token revocation (AUTH-NOTES.md): sign out locally; the
   * user revokes sessions at https://myaccount.microsoft.com (or an admin with Revoke-MgUserSignInSession). */
  async revoke(): Promise<{ revoked: boolean }> {
    await this.signOut();
    return { revoked: false };
  }
}

const REAUTH = new Set(['AUTH_GRANT_REVOKED', 'AUTH_REFRESH_EXPIRED', 'AUTH_PASSWORD_CHANGED', 'AUTH_INTERACTION_REQUIRED', 'AUTH_MFA_REQUIRED']);
