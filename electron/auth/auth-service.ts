// Creates one TokenProvider per account from its AuthSettings and the provider catalog, keeps the
// account's Identity up to date after each authorization, and does the account-level operations
// (client secret, token state, remove = revoke + delete secrets + delete record). Its methods
// return Result values: this is the edge the IPC handlers and the CLI call.
import * as oidc from 'openid-client';
import { PROVIDERS, type ProviderEntry } from '../../shared/providers.ts';
import { grantProblem, type Account, type Identity } from '../../shared/account.ts';
import type { AuthFlow, AuthOutcome } from '../../shared/auth-outcome.ts';
import { AppFailure, err, ok, type Result } from '../../shared/result.ts';
import { systemClock, type AccessToken, type BrowserOpener, type Clock } from '../core/ports.ts';
import type { AccountStore } from '../store/account-store.ts';
import type { SecretStore } from '../store/secret-store.ts';
import { diagnoseAuthError, discoveryFailure, failure } from './diagnose.ts';
import { createHttpFetch, type HttpFetch } from './http.ts';
import type { MsalTokenProvider } from './msal-adapter.ts';
import { LazyTokenProvider } from './lazy-provider.ts';
import { OidcTokenProvider } from './oidc-token-provider.ts';
import type { AuthorizeOptions, GetTokenOptions, TokenProvider, TokenStateInfo } from './token-provider.ts';

export type AuthServiceOptions = {
  accounts: AccountStore;
  secrets: SecretStore;
  browser: BrowserOpener;
  clock?: Clock;
  /** The provider catalog (default: shared/providers.ts). */
  providers?: readonly ProviderEntry[];
  /** Extra trusted CA (PEM) for the identity providers: a company proxy CA, the test bench's CA. */
  httpsCa?: string | readonly string[];
  /** Replace the HTTP client entirely (wins over httpsCa). */
  fetch?: HttpFetch;
  /** MSAL's log lines (redacted). */
  log?: (line: string) => void;
  /** Silent renewal that needs the user opens the browser (the app) instead of failing (the CLI). */
  interactiveFallback?: boolean;
  refreshMarginMs?: number;
  interactiveTimeoutMs?: number;
};

export type RemoveOutcome = {
  revoked: boolean;
  /** revoked | the provider has no revocation (Microsoft) | no sign-in was stored | it failed (revokeError). */
  revocation: 'revoked' | 'unsupported' | 'nothing-to-revoke' | 'failed';
  revokeError?: string;
  secretsDeleted: boolean;
};

export type IssuerInfo = {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  deviceAuthorizationEndpoint?: string;
  revocationEndpoint?: string;
  scopesSupported?: string[];
};

export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #clock: Clock;
  readonly #fetch: HttpFetch;
  /** One HTTP client per extra CA an account trusts (its `caPem`), on top of the global one. */
  readonly #caFetch = new Map<string, HttpFetch>();
  readonly #providers = new Map<string, { fingerprint: string; provider: TokenProvider }>();
  readonly #running = new Map<string, AbortController>();

  constructor(options: AuthServiceOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    const httpOptions = options.httpsCa !== undefined ? { ca: options.httpsCa } : {};
    this.#fetch = options.fetch ?? createHttpFetch(httpOptions);
  }

  /**
   * The HTTP client for an account: its own CA (saved with the account: a company TLS-inspecting
   * proxy, a self-hosted IdP) is trusted for its provider only, never process-wide, so one
   * account's CA cannot vouch for another account's identity provider.
   */
  #fetchFor(caPem: string | undefined): HttpFetch {
    if (caPem === undefined || caPem.trim() === '' || this.#o.fetch !== undefined) return this.#fetch;
    let f = this.#caFetch.get(caPem);
    if (!f) {
      const global = this.#o.httpsCa === undefined ? [] : typeof this.#o.httpsCa === 'string' ? [this.#o.httpsCa] : [...this.#o.httpsCa];
      f = createHttpFetch({ ca: [...global, caPem] });
      this.#caFetch.set(caPem, f);
    }
    return f;
  }

  get secretStatus(): SecretStore['status'] {
    return this.#o.secrets.status;
  }

  #account(accountId: string): Account {
    const a = this.#o.accounts.get(accountId);
    if (!a) throw failure('NOT_FOUND', `No account ${accountId}.`);
    return a;
  }

  #catalogEntry(account: Account): ProviderEntry {
    const list = this.#o.providers ?? PROVIDERS;
    const entry = list.find((p) => p.id === account.providerId) ?? list.find((p) => p.id === 'generic');
    if (!entry) throw failure('VALIDATION_FAILED', `Unknown provider ${account.providerId}.`);
    return entry;
  }

  /**
   * The account that holds the sign-in `accountId` uses: itself, or the account named by its
   * `grantFrom` (shared mailboxes of one delegate share one grant). Everything token-related runs
   * on the owner's id: its TokenProvider (one gate per grant in this process) and its secret
   * file's lock (one refresh at a time across processes), so the rotating refresh token is never
   * copied and never refreshed twice.
   */
  #grantOwner(account: Account): Account {
    if (account.grantFrom === undefined) return account;
    const owner = this.#o.accounts.get(account.grantFrom);
    if (!owner) throw failure('GRANT_OWNER_MISSING', `${account.address} reuses the sign-in of account ${account.grantFrom}, which no longer exists.`);
    const problem = grantProblem(account, owner);
    if (problem !== undefined) throw failure('VALIDATION_FAILED', `${account.address} cannot reuse the sign-in of ${owner.address}: ${problem}.`);
    return owner;
  }

  /** The id whose sign-in (secrets, token provider) `accountId` uses. Throws AppFailure. */
  grantOwnerId(accountId: string): string {
    return this.#grantOwner(this.#account(accountId)).id;
  }

  /** The accounts that reuse `accountId`'s sign-in. */
  borrowers(accountId: string): Account[] {
    return this.#o.accounts.list().filter((a) => a.grantFrom === accountId);
  }

  /** The account's TokenProvider (a TokenSource for the probe and the CLI). Throws AppFailure. */
  tokenProvider(accountId: string): TokenProvider {
    const own = this.#account(accountId);
    const account = this.#grantOwner(own);
    if (account !== own) return this.tokenProvider(account.id);
    // Recreate when what the provider depends on changed (not for identity / last test updates).
    const fingerprint = JSON.stringify([account.auth, account.scopes, account.servers, account.address, account.providerId, account.caPem ?? '']);
    const hit = this.#providers.get(accountId);
    if (hit && hit.fingerprint === fingerprint) return hit.provider;
    const ctx = {
      account,
      provider: this.#catalogEntry(account),
      secrets: this.#o.secrets,
      browser: this.#o.browser,
      clock: this.#clock,
      fetch: this.#fetchFor(account.caPem),
      ...(this.#o.refreshMarginMs !== undefined ? { marginMs: this.#o.refreshMarginMs } : {}),
      ...(this.#o.interactiveTimeoutMs !== undefined ? { interactiveTimeoutMs: this.#o.interactiveTimeoutMs } : {}),
    };
    // MSAL is loaded only when a Microsoft account needs it (the CLI's start-up time).
    const provider: TokenProvider =
      account.auth.adapter === 'msal'
        ? new LazyTokenProvider(account.id, async () => {
            const { MsalTokenProvider } = await import('./msal-adapter.ts');
            return new MsalTokenProvider({
              ...ctx,
              ...(this.#o.log ? { log: this.#o.log } : {}),
              interactiveFallback: this.#o.interactiveFallback === true,
            });
          })
        : new OidcTokenProvider(ctx);
    this.#providers.set(accountId, { fingerprint, provider });
    return provider;
  }


  /** Run a flow for the account; on success its Identity is saved (no token values). */
  async authorize(requestedId: string, flow: AuthFlow, options: AuthorizeOptions = {}): Promise<Result<AuthOutcome>> {
    // A mailbox that reuses another account's sign-in is authorized by signing that account in
    // again (one grant); the identity is recorded on both.
    let accountId: string;
    try {
      accountId = this.grantOwnerId(requestedId);
    } catch (e) {
      return this.#err(e, requestedId);
    }
    const ctl = new AbortController();
    this.#running.get(accountId)?.abort();
    this.#running.set(accountId, ctl);
    const signal = options.signal ? AbortSignal.any([options.signal, ctl.signal]) : ctl.signal;
    try {
      const provider = this.tokenProvider(accountId);
      const outcome = await provider.authorize(flow, { ...options, signal });
      const identity: Identity = {
        grantedScopes: outcome.grantedScopes,
        hasRefreshToken: outcome.hasRefreshToken,
        authorizedAt: outcome.authorizedAt,
      };
      if (outcome.signedInAs !== undefined) identity.username = outcome.signedInAs;
      if (outcome.expiresAt !== undefined) identity.expiresAt = outcome.expiresAt;
      const msalProvider = provider instanceof LazyTokenProvider ? (provider.loaded as MsalTokenProvider | undefined) : undefined;
      if (msalProvider?.lastHomeAccountId !== undefined) identity.homeAccountId = msalProvider.lastHomeAccountId;
      // Recorded on the record as it is now, keeping updatedAt: a sign-in is not a settings change
      // (a window editing the settings is not told "changed elsewhere" by its own sign-in).
      this.#account(accountId);
      this.#o.accounts.update(accountId, (a) => ({ ...a, identity }));
      for (const b of this.borrowers(accountId)) this.#o.accounts.update(b.id, (a) => ({ ...a, identity }));
      return ok(outcome);
    } catch (e) {
      return this.#err(e, accountId);
    } finally {
      if (this.#running.get(accountId) === ctl) this.#running.delete(accountId);
    }
  }

  /** Cancel a running authorization of the account (the UI's Cancel button). */
  cancel(requestedId: string): boolean {
    const accountId = this.#o.accounts.get(requestedId)?.grantFrom ?? requestedId;
    const ctl = this.#running.get(accountId);
    if (!ctl) return false;
    ctl.abort();
    return true;
  }

  async getAccessToken(accountId: string, options: GetTokenOptions = {}): Promise<Result<AccessToken>> {
    try {
      return ok(await this.tokenProvider(accountId).getAccessToken(options));
    } catch (e) {
      return this.#err(e, accountId);
    }
  }

  async setClientSecret(accountId: string, secret: string): Promise<Result<{ stored: boolean; persisted: boolean }>> {
    try {
      // The client secret belongs to the sign-in: a borrowing mailbox stores it with the owner.
      const ownerId = this.grantOwnerId(accountId);
      await this.#o.secrets.set(ownerId, 'client-secret', secret);
      this.#providers.delete(ownerId); // the client authentication is part of its configuration
      return ok({ stored: true, persisted: this.#o.secrets.status.persistent });
    } catch (e) {
      return this.#err(e, accountId);
    }
  }

  async tokenState(accountId: string): Promise<Result<TokenStateInfo & { accountId: string; hasClientSecret: boolean; persisted: boolean }>> {
    try {
      const info = await this.tokenProvider(accountId).state();
      const hasClientSecret = (await this.#o.secrets.get(this.grantOwnerId(accountId), 'client-secret')) !== undefined;
      return ok({ accountId, ...info, hasClientSecret, persisted: this.#o.secrets.status.persistent });
    } catch (e) {
      return this.#err(e, accountId);
    }
  }

  async signOut(accountId: string): Promise<Result<{ signedOut: boolean }>> {
    try {
      await this.tokenProvider(accountId).signOut();
      return ok({ signedOut: true });
    } catch (e) {
      return this.#err(e, accountId);
    }
  }

  /**
   * Remove an account: revoke at the provider where it can (RFC 7009), then delete every secret
   * (the account's file too, even when this process keeps secrets in memory only: an earlier run
   * may have stored them) and the record. A failed revocation (provider down) does not keep the
   * account: the local secrets are deleted anyway and `revocation` says why it did not happen.
   * When the secrets cannot be deleted (permissions) the account is kept, so removing can be
   * tried again, and the error names the file.
   */
  async removeAccount(accountId: string, options: { signal?: AbortSignal } = {}): Promise<Result<RemoveOutcome>> {
    try {
      const account = this.#account(accountId);
      if (account.grantFrom !== undefined) {
        // A mailbox reusing another account's sign-in holds no secrets of its own: revoking would
        // sign the owner (and every other mailbox of that delegate) out.
        await this.#o.secrets.delete(accountId);
        this.#providers.delete(accountId);
        this.#o.accounts.remove(accountId);
        return ok({ revoked: false, revocation: 'nothing-to-revoke', secretsDeleted: true });
      }
      const users = this.borrowers(accountId);
      if (users.length > 0) {
        throw failure('GRANT_IN_USE', `${users.map((u) => u.address).join(', ')} use${users.length === 1 ? 's' : ''} the sign-in of ${account.address}: remove ${users.length === 1 ? 'it' : 'them'} first.`);
      }
      const provider = this.tokenProvider(accountId);
      // Memory-only mode: pick up a grant an earlier (persisting) run left, so it can be revoked.
      await this.#o.secrets.adoptFromDisk(accountId).catch(() => false);
      let revocation: RemoveOutcome['revocation'];
      let revokeError: string | undefined;
      try {
        const st = await provider.state();
        const hadToken = st.hasRefreshToken || st.state === 'valid' || st.state === 'expired';
        revocation = (await provider.revoke(options)).revoked ? 'revoked' : hadToken ? 'unsupported' : 'nothing-to-revoke';
      } catch (e) {
        revocation = 'failed';
        const a = e instanceof AppFailure ? e.appError : diagnoseAuthError(e, this.#account(accountId).providerId);
        revokeError = `${a.code}: ${a.message}`;
      }
      await this.#o.secrets.delete(accountId);
      this.#providers.delete(accountId);
      this.#o.accounts.remove(accountId);
      const out: RemoveOutcome = { revoked: revocation === 'revoked', revocation, secretsDeleted: true };
      if (revokeError !== undefined) out.revokeError = revokeError;
      return ok(out);
    } catch (e) {
      return this.#err(e, accountId);
    }
  }

  /** Discovery for the wizard's "check issuer" step (RFC 8414 / OIDC Discovery). */
  async checkIssuer(issuer: string, options: { signal?: AbortSignal; caPem?: string } = {}): Promise<Result<IssuerInfo>> {
    const fetch = this.#fetchFor(options.caPem);
    try {
      const fetchWithSignal: oidc.CustomFetch = (url, init) =>
        fetch(url, {
          method: init.method,
          headers: init.headers,
          signal: options.signal ? AbortSignal.any([options.signal, ...(init.signal ? [init.signal] : [])]) : init.signal,
        });
      const config = await oidc.discovery(new URL(issuer), 'issuer-check', undefined, oidc.None(), {
        [oidc.customFetch]: fetchWithSignal,
        timeout: 15,
      });
      const m = config.serverMetadata();
      if (m.authorization_endpoint === undefined || m.token_endpoint === undefined) {
        throw failure('AUTH_FLOW_UNSUPPORTED', 'The provider metadata lacks an authorization or token endpoint.');
      }
      const info: IssuerInfo = { issuer: m.issuer, authorizationEndpoint: m.authorization_endpoint, tokenEndpoint: m.token_endpoint };
      if (m.device_authorization_endpoint !== undefined) info.deviceAuthorizationEndpoint = m.device_authorization_endpoint;
      if (m.revocation_endpoint !== undefined) info.revocationEndpoint = m.revocation_endpoint;
      if (Array.isArray(m.scopes_supported)) info.scopesSupported = m.scopes_supported;
      return ok(info);
    } catch (e) {
      const f = e instanceof AppFailure ? e : discoveryFailure(e, 'generic');
      return err(f.appError.code, f.appError.message, f.appError.detail, f.appError.cause);
    }
  }

  #err(e: unknown, accountId: string): Result<never> {
    const a = e instanceof AppFailure ? e.appError : diagnoseAuthError(e, this.#o.accounts.get(accountId)?.providerId ?? 'generic');
    return err(a.code, a.message, a.detail, a.cause);
  }
}
