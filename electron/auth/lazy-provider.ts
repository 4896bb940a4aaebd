// A TokenProvider whose implementation module is loaded on first use. MSAL (@azure/msal-node) is
// large and only Microsoft accounts need it: `mail-oauth token` for a Google or generic account
// must not pay for loading it (issue 10, fast start).
import type { AuthFlow, AuthorizeOptions, AuthOutcome, GetTokenOptions, TokenProvider, TokenStateInfo } from './token-provider.ts';
import type { AccessToken } from '../core/ports.ts';

export class LazyTokenProvider<P extends TokenProvider = TokenProvider> implements TokenProvider {
  readonly accountId: string;
  readonly #load: () => Promise<P>;
  #pending: Promise<P> | undefined;
  #loaded: P | undefined;

  constructor(accountId: string, load: () => Promise<P>) {
    this.accountId = accountId;
    this.#load = load;
  }

  /** The real provider once something loaded it (undefined before the first call). */
  get loaded(): P | undefined {
    return this.#loaded;
  }

  #get(): Promise<P> {
    this.#pending ??= this.#load().then((p) => (this.#loaded = p));
    return this.#pending;
  }

  async authorize(flow: AuthFlow, options?: AuthorizeOptions): Promise<AuthOutcome> {
    return (await this.#get()).authorize(flow, options);
  }

  async getAccessToken(options?: GetTokenOptions): Promise<AccessToken> {
    return (await this.#get()).getAccessToken(options);
  }

  async signOut(): Promise<void> {
    return (await this.#get()).signOut();
  }

  async revoke(options?: { signal?: AbortSignal }): Promise<{ revoked: boolean }> {
    return (await this.#get()).revoke(options);
  }

  async state(): Promise<TokenStateInfo> {
    return (await this.#get()).state();
  }
}
