// Google and any OpenID Connect / OAuth 2.0 provider, with openid-client 6 (RFC 6749, 7636 PKCE,
// 8252 native apps, 8628 device grant, 7009 revocation, 9207 `iss`).
// - Browser: our loopback listener (loopback.ts), fresh state + PKCE S256 per attempt, the
//   catalog's authParams (Google: access_type=offline + prompt=consent, or no refresh token).
// - Client authentication: client_secret_post when a secret is stored (Google desktop clients
//   require it although it is not secret, PROVIDERS.md), otherwise none (public client + PKCE).
// - Refresh: rotation-aware; the new refresh token is written to the secret store before the
//   access token is handed out, since the old one is dead the moment the response was sent.
// - A refresh is only the POST to the token endpoint (TCP + TLS 1.3 + POST = 3 round trips on a
//   new connection, 1 on a kept-alive one): the issuer's discovery document is kept with the
//   grant (re-discovered when it is a day old or when a request to it fails), and the user is
//   known from the sign-in (UserInfo only then); a refresh response's ID token confirms it.
import { signerOf } from '../../shared/account.ts';
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { Account } from '../../shared/account.ts';
import type { ProviderEntry } from '../../shared/providers.ts';
import type { AccessToken, BrowserOpener, Clock } from '../core/ports.ts';
import type { SecretStore } from '../store/secret-store.ts';
import type { AuthFlow, AuthOutcome } from '../../shared/auth-outcome.ts';
import { authFailure, discoveryFailure, failure } from './diagnose.ts';
import type { HttpFetch } from './http.ts';
import { startLoopback } from './loopback.ts';
import { buildOutcome, userFromClaims } from './outcome.ts';
import { requestedScopes } from './scopes.ts';
import { deadline, TokenGate, type AuthorizeOptions, type GetTokenOptions, type TokenProvider, type TokenStateInfo } from './token-provider.ts';

/** What we keep per account in the secret store (encrypted): the grant, never in the account file. */
export const OidcGrant = z.object({
  refreshToken: z.string().optional(),
  accessToken: z.string().optional(),
  expiresAt: z.number().optional(),
  scopes: z.array(z.string()),
  username: z.string().optional(),
  /** When the user consented (refresh tokens keep it): Google's 7-day Testing expiry. */
  grantIssuedAt: z.number(),
  appOnly: z.boolean().default(false),
  /** Set when the provider refused the refresh token: the code to report until re-authorized. */
  dead: z.string().optional(),
  /** The ID token's subject at sign-in: a refreshed ID token for another subject is another user. */
  sub: z.string().optional(),
  /** The issuer's discovery document as last fetched (not secret, but kept where the grant is:
   * it names the endpoint the refresh token is sent to, so it gets the grant's integrity). */
  metadata: z.object({ fetchedAt: z.number(), document: z.record(z.string(), z.unknown()) }).optional(),
});
export type OidcGrant = z.infer<typeof OidcGrant>;

export type ProviderContext = {
  account: Account;
  provider: ProviderEntry;
  secrets: SecretStore;
  browser: BrowserOpener;
  clock: Clock;
  fetch: HttpFetch;
  marginMs?: number;
  /** Browser flow time limit, ms (default 5 min). */
  interactiveTimeoutMs?: number;
  /** Per-request time limit in seconds for openid-client (default 30). */
  requestTimeoutS?: number;
};

const GRANT = 'oauth-grant';
/** A kept discovery document older than this is fetched again (providers rarely move endpoints,
 * and a failing request re-discovers at once). */
export const METADATA_MAX_AGE_MS = 24 * 60 * 60_000;

type KeptMetadata = NonNullable<OidcGrant['metadata']>;

export class OidcTokenProvider implements TokenProvider {
  readonly accountId: string;
  readonly #ctx: ProviderContext;
  readonly #gate: TokenGate;
  #config: oidc.Configuration | undefined;
  /** The discovery document behind #config (saved with the next grant), and whether it came
   * from the grant rather than from the network (then a failing request re-discovers). */
  #metadata: KeptMetadata | undefined;
  #metadataKept = false;
  /** The current operation's signal, applied to every request (operations are serialized). */
  #opSignal: AbortSignal | undefined;

  constructor(ctx: ProviderContext) {
    if (ctx.account.auth.adapter !== 'oidc') throw new Error('OidcTokenProvider needs an oidc account');
    this.#ctx = ctx;
    this.accountId = ctx.account.id;
    this.#gate = new TokenGate(ctx.clock, ctx.marginMs);
  }

  get #settings(): Extract<Account['auth'], { adapter: 'oidc' }> {
    return this.#ctx.account.auth as Extract<Account['auth'], { adapter: 'oidc' }>;
  }

  #fetch: oidc.CustomFetch = (url, options) => {
    const signals = [options.signal, this.#opSignal].filter((s): s is AbortSignal => s !== undefined);
    return this.#ctx.fetch(url, {
      method: options.method,
      headers: options.headers,
      body: options.body === undefined ? undefined : (options.body as string | URLSearchParams | Uint8Array | null),
      signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
    });
  };

  async #secret(): Promise<string | undefined> {
    return this.#ctx.secrets.get(this.accountId, 'client-secret');
  }

  async #clientAuth(): Promise<oidc.ClientAuth> {
    const secret = await this.#secret();
    if (this.#ctx.provider.clientSecretRequired && secret === undefined) throw failure('AUTH_CLIENT_SECRET_MISSING');
    // client_secret_post: Google documents it for installed apps; oidc-provider clients of the
    // bench use it too. Public clients send no secret (Entra: AADSTS700025 otherwise).
    return secret !== undefined ? oidc.ClientSecretPost(secret) : oidc.None();
  }

  /** The client configuration: the catalog's endpoints, else the discovery document kept with
   * the grant while it is fresh, else discovery (one round trip, kept with the next grant). */
  async #configuration(grant?: OidcGrant): Promise<oidc.Configuration> {
    if (this.#config) return this.#config;
    const { provider } = this.#ctx;
    const s = this.#settings;
    const clientAuth = await this.#clientAuth();
    let config: oidc.Configuration;
    const kept = provider.endpoints && provider.issuer === s.issuer ? undefined : (grant ?? (await this.#loadGrant()))?.metadata;
    if (provider.endpoints && provider.issuer === s.issuer) {
      // The catalog knows the endpoints: no discovery round trip (and no dependency on it).
      config = new oidc.Configuration(
        {
          issuer: provider.issuer,
          authorization_endpoint: provider.endpoints.authorization,
          token_endpoint: provider.endpoints.token,
          revocation_endpoint: provider.endpoints.revocation,
          device_authorization_endpoint: provider.endpoints.deviceAuthorization,
        },
        s.clientId,
        undefined,
        clientAuth,
      );
      config[oidc.customFetch] = this.#fetch;
    } else if (
      kept !== undefined &&
      kept.document.issuer === s.issuer &&
      typeof kept.document.token_endpoint === 'string' &&
      this.#ctx.clock.now() - kept.fetchedAt < METADATA_MAX_AGE_MS &&
      kept.fetchedAt <= this.#ctx.clock.now()
    ) {
      config = new oidc.Configuration(kept.document as oidc.ServerMetadata, s.clientId, undefined, clientAuth);
      config[oidc.customFetch] = this.#fetch;
      this.#metadata = kept;
      this.#metadataKept = true;
    } else {
      config = await this.#discover(clientAuth);
    }
    config.timeout = this.#ctx.requestTimeoutS ?? 30;
    this.#config = config;
    return config;
  }

  async #discover(clientAuth: oidc.ClientAuth): Promise<oidc.Configuration> {
    const { provider } = this.#ctx;
    const s = this.#settings;
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(new URL(s.issuer), s.clientId, undefined, clientAuth, {
        [oidc.customFetch]: this.#fetch,
        timeout: this.#ctx.requestTimeoutS ?? 30,
      });
    } catch (e) {
      throw discoveryFailure(e, provider.id);
    }
    config.timeout = this.#ctx.requestTimeoutS ?? 30;
    this.#metadata = { fetchedAt: this.#ctx.clock.now(), document: { ...config.serverMetadata() } };
    this.#metadataKept = false;
    return config;
  }

  /**
   * Run a request against the configuration; when its endpoints came from the kept document and
   * the request failed for another reason than an OAuth answer (endpoint gone, host moved, HTML
   * error page), discover again and, only when the endpoint changed, repeat it once. Repeating
   * against the same endpoint could replay a refresh token the server already rotated.
   */
  async #withRediscovery<T>(config: oidc.Configuration, endpoint: 'token_endpoint', op: (c: oidc.Configuration) => Promise<T>): Promise<T> {
    try {
      return await op(config);
    } catch (e) {
      if (!this.#metadataKept || !endpointFailure(e, this.#opSignal)) throw e;
      const before = config.serverMetadata()[endpoint];
      this.#config = undefined;
      let fresh: oidc.Configuration;
      try {
        fresh = await this.#discover(await this.#clientAuth());
      } catch {
        throw e; // the provider is unreachable: report the first failure
      }
      this.#config = fresh;
      if (fresh.serverMetadata()[endpoint] === before) throw e;
      return await op(fresh);
    }
  }

  async #loadGrant(): Promise<OidcGrant | undefined> {
    const raw = await this.#ctx.secrets.get(this.accountId, GRANT);
    if (raw === undefined) return undefined;
    const parsed = OidcGrant.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  }

  async #saveGrant(grant: OidcGrant): Promise<void> {
    await this.#ctx.secrets.set(this.accountId, GRANT, JSON.stringify(grant));
  }

  #scopes(): string[] {
    const { provider, account } = this.#ctx;
    return requestedScopes(provider, account.servers, account.scopes);
  }

  async #withSignal<T>(signal: AbortSignal | undefined, op: () => Promise<T>): Promise<T> {
    this.#opSignal = signal;
    try {
      return await op();
    } finally {
      this.#opSignal = undefined;
    }
  }

  #toAccessToken(g: OidcGrant): AccessToken {
    const t: AccessToken = { token: g.accessToken ?? '', scopes: g.scopes, username: g.username ?? signerOf(this.#ctx.account) };
    if (g.expiresAt !== undefined) t.expiresAt = g.expiresAt;
    return t;
  }

  /** Persist the token response (rotated refresh token included) and return the grant. */
  async #store(
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
    previous: OidcGrant | undefined,
    requested: string[],
    appOnly: boolean,
  ): Promise<OidcGrant> {
    const now = this.#ctx.clock.now();
    const claims = tokens.id_token !== undefined ? tokens.claims() : undefined;
    // OIDC Core §12.2: a refreshed ID token names the same subject as at sign-in. Another subject
    // is another user: never fall back to the signed-in name then, so the mismatch shows
    // (AUTH_WRONG_USER) even when the ID token carries no name (the subject stands in for it).
    const sameSubject = claims === undefined || previous?.sub === undefined || claims.sub === previous.sub;
    let username = userFromClaims(claims as Record<string, unknown> | undefined) ?? (sameSubject ? previous?.username : claims?.sub);
    // UserInfo only at sign-in (previous === undefined): a refresh costs the token request alone.
    if (username === undefined && claims !== undefined && !appOnly && previous === undefined) username = await this.#userInfo(tokens.access_token, claims.sub);
    const expiresIn = tokens.expiresIn();
    const grant: OidcGrant = {
      accessToken: tokens.access_token,
      // RFC 6749 §6: the server MAY keep the old refresh token (no rotation): keep ours then.
      refreshToken: tokens.refresh_token ?? previous?.refreshToken,
      // RFC 6749 §5.1: `scope` omitted = identical to the requested scope.
      scopes: typeof tokens.scope === 'string' ? tokens.scope.split(' ').filter(Boolean) : (previous?.scopes ?? requested),
      username,
      grantIssuedAt: previous?.grantIssuedAt ?? now,
      appOnly,
    };
    const sub = claims?.sub ?? previous?.sub;
    if (sub !== undefined) grant.sub = sub;
    if (this.#metadata !== undefined) grant.metadata = this.#metadata;
    if (expiresIn !== undefined) grant.expiresAt = now + expiresIn * 1000;
    await this.#saveGrant(grant);
    this.#gate.remember(this.#toAccessToken(grant));
    return grant;
  }

  /** OIDC Core §5.4: with an access token issued, providers may put `email` only in UserInfo
   * (oidc-provider's conformIdTokenClaims). Best effort: the outcome just lacks the user otherwise. */
  async #userInfo(accessToken: string, sub: string): Promise<string | undefined> {
    const config = await this.#configuration();
    if (config.serverMetadata().userinfo_endpoint === undefined) return undefined;
    try {
      return userFromClaims(await oidc.fetchUserInfo(config, accessToken, sub));
    } catch {
      return undefined;
    }
  }

  #outcome(flow: AuthFlow, grant: OidcGrant, requested: string[]): AuthOutcome {
    const { account, provider, secrets, clock } = this.#ctx;
    return buildOutcome({
      accountId: account.id,
      flow,
      expectedUser: signerOf(account),
      mailbox: account.address,
      provider,
      servers: account.servers,
      requestedScopes: requested,
      grantedScopes: grant.scopes,
      signedInAs: grant.username,
      expiresAt: grant.expiresAt,
      hasRefreshToken: grant.refreshToken !== undefined,
      authorizedAt: clock.now(),
      persisted: secrets.status.persistent,
    });
  }

  authorize(flow: AuthFlow, options: AuthorizeOptions = {}): Promise<AuthOutcome> {
    return this.#gate.exclusive(async () => {
      switch (flow) {
        case 'browser':
          return this.#browser(options);
        case 'device':
          return this.#device(options);
        case 'client-credentials':
          return this.#clientCredentials(options);
      }
    });
  }

  async #browser(options: AuthorizeOptions): Promise<AuthOutcome> {
    const { provider, account } = this.#ctx;
    const timeoutMs = options.timeoutMs ?? this.#ctx.interactiveTimeoutMs ?? 5 * 60_000;
    const limit = deadline(timeoutMs, options.signal);
    try {
      return await this.#withSignal(limit.signal, async () => {
        options.onProgress?.({ kind: 'discovering' });
        const config = await this.#configuration();
        const state = oidc.randomState();
        const verifier = oidc.randomPKCECodeVerifier();
        const challenge = await oidc.calculatePKCECodeChallenge(verifier);
        const scopes = this.#scopes();
        const listener = await startLoopback({ expectedState: state, timeoutMs: 24 * 60 * 60_000, signal: limit.signal });
        try {
          const url = oidc.buildAuthorizationUrl(config, {
            redirect_uri: listener.redirectUri,
            scope: scopes.join(' '),
            state,
            code_challenge: challenge,
            code_challenge_method: 'S256',
            login_hint: signerOf(account),
            ...(provider.authParams ?? {}),
            ...this.#settings.authParams,
          });
          // The opener may finish before the callback (a real browser) or only after it (a test
          // driver that follows the redirect): wait for the callback, not for the opener, and
          // fail at once when the opener fails (no browser, user closed the prompt).
          const opened = this.#ctx.browser.open(url.href).then(
            () => new Promise<never>(() => undefined),
            (e: unknown) => Promise.reject(failure('AUTH_FAILED', `The browser could not be opened: ${e instanceof Error ? e.message : 'error'}`)),
          );
          options.onProgress?.({ kind: 'browser-opened', redirectPort: listener.port, url: url.href, timeoutMs });
          const cb = await Promise.race([listener.callback, opened]);
          options.onProgress?.({ kind: 'exchanging-code' });
          let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
          try {
            tokens = await oidc.authorizationCodeGrant(config, cb.url, { pkceCodeVerifier: verifier, expectedState: state });
          } catch (e) {
            const f = authFailure(e, provider.id);
            cb.finish({ ok: false, code: f.appError.code });
            throw f;
          }
          const grant = await this.#store(tokens, undefined, scopes, false);
          cb.finish({ ok: true });
          options.onProgress?.({ kind: 'done' });
          return this.#outcome('browser', grant, scopes);
        } finally {
          await listener.close();
        }
      });
    } catch (e) {
      throw this.#limitFailure(e, limit.timedOut(), options.signal);
    } finally {
      limit.clear();
    }
  }

  #limitFailure(e: unknown, timedOut: boolean, callerSignal?: AbortSignal): Error {
    if (timedOut) return failure('TIMEOUT', 'The sign-in did not complete in time.');
    if (callerSignal?.aborted === true) return failure('CANCELLED');
    return authFailure(e, this.#ctx.provider.id);
  }

  async #device(options: AuthorizeOptions): Promise<AuthOutcome> {
    const { provider } = this.#ctx;
    if (!provider.deviceFlowForMail) throw failure('AUTH_DEVICE_FLOW_UNSUPPORTED');
    const limit = deadline(options.timeoutMs ?? 15 * 60_000, options.signal);
    try {
      return await this.#withSignal(limit.signal, async () => {
        const config = await this.#configuration();
        if (config.serverMetadata().device_authorization_endpoint === undefined) {
          throw failure('AUTH_FLOW_UNSUPPORTED', 'The provider has no device authorization endpoint.');
        }
        const scopes = this.#scopes();
        const started = this.#ctx.clock.now();
        const resp = await oidc.initiateDeviceAuthorization(config, { scope: scopes.join(' ') });
        const progress: Parameters<NonNullable<AuthorizeOptions['onProgress']>>[0] = {
          kind: 'device-code',
          userCode: resp.user_code,
          verificationUri: resp.verification_uri,
          expiresAt: started + resp.expires_in * 1000,
        };
        if (resp.verification_uri_complete !== undefined) progress.verificationUriComplete = resp.verification_uri_complete;
        options.onProgress?.(progress);
        // RFC 8628 §3.4-3.5: openid-client polls at `interval`, honours slow_down, stops on abort.
        const tokens = await oidc.pollDeviceAuthorizationGrant(config, resp, undefined, { signal: limit.signal });
        const grant = await this.#store(tokens, undefined, scopes, false);
        options.onProgress?.({ kind: 'done' });
        return this.#outcome('device', grant, scopes);
      });
    } catch (e) {
      throw this.#limitFailure(e, limit.timedOut(), options.signal);
    } finally {
      limit.clear();
    }
  }

  async #clientCredentials(options: AuthorizeOptions): Promise<AuthOutcome> {
    if (this.#settings.flow !== 'app-only') throw failure('AUTH_FLOW_UNSUPPORTED', 'Client credentials need an app-only account.');
    if ((await this.#secret()) === undefined) throw failure('AUTH_CLIENT_SECRET_MISSING');
    const limit = deadline(options.timeoutMs ?? 60_000, options.signal);
    try {
      return await this.#withSignal(limit.signal, async () => {
        const grant = await this.#clientCredentialsGrant();
        return this.#outcome('client-credentials', grant, this.#scopes());
      });
    } catch (e) {
      throw this.#limitFailure(e, limit.timedOut(), options.signal);
    } finally {
      limit.clear();
    }
  }

  async #clientCredentialsGrant(): Promise<OidcGrant> {
    const config = await this.#configuration();
    const scopes = this.#scopes();
    try {
      const tokens = await oidc.clientCredentialsGrant(config, { scope: scopes.join(' ') });
      return await this.#store(tokens, undefined, scopes, true);
    } catch (e) {
      throw authFailure(e, this.#ctx.provider.id);
    }
  }

  getAccessToken(options: GetTokenOptions = {}): Promise<AccessToken> {
    return this.#gate.get(options, (force) => this.#refresh(force));
  }

  async #refresh(force: boolean): Promise<AccessToken> {
    const seen = await this.#loadGrant();
    if (!force && seen?.accessToken !== undefined && this.#gate.fresh(this.#toAccessToken(seen))) {
      return this.#toAccessToken(seen);
    }
    // Other processes (mail clients run `mail-oauth token` several at once) may refresh the same
    // rotating refresh token: hold the account's cross-process lock, re-read the grant inside
    // it, and use the token another process got while we waited (AUTH-NOTES.md "Concurrency").
    return this.#ctx.secrets.withLock(this.accountId, async () => {
      const grant = await this.#loadGrant();
      if (grant?.accessToken !== undefined && grant.dead === undefined) {
        const t = this.#toAccessToken(grant);
        const renewedMeanwhile = grant.accessToken !== seen?.accessToken && (grant.expiresAt === undefined || grant.expiresAt > this.#ctx.clock.now());
        if (renewedMeanwhile || (!force && this.#gate.fresh(t))) return t;
      }
      return this.#refreshLocked(grant);
    });
  }

  /** The refresh itself, under the account's lock, from the grant just re-read. */
  async #refreshLocked(grant: OidcGrant | undefined): Promise<AccessToken> {
    // The refresh runs for all waiters: its own time limit, not one caller's signal.
    const limit = deadline((this.#ctx.requestTimeoutS ?? 30) * 1000 + 5_000);
    try {
      return await this.#withSignal(limit.signal, async () => {
        if (grant?.appOnly === true || (grant === undefined && this.#settings.flow === 'app-only')) {
          return this.#toAccessToken(await this.#clientCredentialsGrant());
        }
        if (grant === undefined) throw failure('AUTH_NOT_SIGNED_IN');
        if (grant.dead !== undefined) throw failure(grant.dead as 'AUTH_GRANT_REVOKED', 'The provider refused the saved sign-in earlier.');
        if (grant.refreshToken === undefined) throw failure('AUTH_NO_REFRESH_TOKEN', 'The access token expired and there is no refresh token.');
        const config = await this.#configuration(grant);
        const refreshToken = grant.refreshToken;
        let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
        try {
          tokens = await this.#withRediscovery(config, 'token_endpoint', (c) => oidc.refreshTokenGrant(c, refreshToken));
        } catch (e) {
          const f = authFailure(e, this.#ctx.provider.id, { grantIssuedAt: grant.grantIssuedAt, now: this.#ctx.clock.now() });
          if (isReauthorize(f.appError.code)) {
            // The refresh token is dead: forget it (and the access token) so nothing reuses it.
            await this.#saveGrant({
              scopes: grant.scopes,
              grantIssuedAt: grant.grantIssuedAt,
              appOnly: false,
              dead: f.appError.code,
              ...(grant.username !== undefined ? { username: grant.username } : {}),
              ...(grant.sub !== undefined ? { sub: grant.sub } : {}),
              ...(grant.metadata !== undefined ? { metadata: grant.metadata } : {}),
            });
          }
          throw f;
        }
        return this.#toAccessToken(await this.#store(tokens, grant, grant.scopes, false));
      });
    } catch (e) {
      throw this.#limitFailure(e, limit.timedOut());
    } finally {
      limit.clear();
    }
  }

  async state(): Promise<TokenStateInfo> {
    const g = await this.#loadGrant();
    if (!g) return { state: 'none', hasRefreshToken: false };
    const info: TokenStateInfo = {
      state: g.dead !== undefined ? 'needs-reauth' : g.expiresAt === undefined || g.expiresAt > this.#ctx.clock.now() ? 'valid' : 'expired',
      hasRefreshToken: g.refreshToken !== undefined,
    };
    if (g.expiresAt !== undefined) info.expiresAt = g.expiresAt;
    return info;
  }

  async signOut(): Promise<void> {
    await this.#gate.exclusive(async () => {
      this.#gate.remember(undefined);
      await this.#ctx.secrets.delete(this.accountId, GRANT);
    });
  }

  async revoke(options: { signal?: AbortSignal } = {}): Promise<{ revoked: boolean }> {
    const revoked = await this.#gate.exclusive(async () => {
      const grant = await this.#loadGrant();
      const token = grant?.refreshToken ?? grant?.accessToken;
      if (token === undefined) return false;
      const limit = deadline((this.#ctx.requestTimeoutS ?? 30) * 1000, options.signal);
      try {
        return await this.#withSignal(limit.signal, async () => {
          const config = await this.#configuration(grant);
          if (config.serverMetadata().revocation_endpoint === undefined) return false;
          // RFC 7009 §2.1: revoking the refresh token revokes the grant (and its access tokens).
          await oidc.tokenRevocation(config, token, {
            token_type_hint: grant?.refreshToken !== undefined ? 'refresh_token' : 'access_token',
          });
          return true;
        });
      } catch (e) {
        throw this.#limitFailure(e, limit.timedOut(), options.signal);
      } finally {
        limit.clear();
      }
    });
    await this.signOut();
    return { revoked };
  }
}

const REAUTH = new Set([
  'AUTH_GRANT_REVOKED', 'AUTH_REFRESH_EXPIRED', 'AUTH_PASSWORD_CHANGED', 'GOOGLE_TESTING_APP_EXPIRED', 'AUTH_INTERACTION_REQUIRED',
]);
const isReauthorize = (code: string): boolean => REAUTH.has(code);

const GONE = new Set([404, 405, 410, 421]);

/** A failure that may mean the endpoint moved: anything but an OAuth answer of the server, a
 * time-out or a cancellation (those would only be repeated, or take twice as long). */
function endpointFailure(e: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted === true) return false;
  let x: unknown = e;
  for (let depth = 0; x !== undefined && x !== null && depth < 6; depth++) {
    // An OAuth error is the endpoint answering, unless it says the route is not there (a
    // provider that moved its token endpoint may answer the old path with a JSON 404).
    if (x instanceof oidc.ResponseBodyError) return GONE.has(x.status);
    if (x instanceof oidc.WWWAuthenticateChallengeError) return false;
    const { name, code } = x as { name?: unknown; code?: unknown };
    if (name === 'AbortError' || name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'OAUTH_TIMEOUT') return false;
    x = (x as { cause?: unknown }).cause;
  }
  return true;
}
