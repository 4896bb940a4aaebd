// The ports the core depends on instead of Electron or globals (DESIGN.md "Boundaries").
// The app implements them with Electron (electron/app/), the CLI and tests with Node.

/** Encrypts secrets at rest: every shell uses the keyring-kept master key (electron/store/node-secret-box.ts). */
export interface SecretBox {
  /** False when only an insecure backend exists (Linux `basic_text`): secrets stay in memory. */
  readonly available: boolean;
  /** Human-readable backend name, e.g. `gnome_libsecret`, `keychain`, `dpapi`, `none`. */
  readonly backend: string;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

/** Opens a URL in the user's browser. The app: shell.openExternal (https / loopback only). */
export interface BrowserOpener {
  open(url: string): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A usable access token. `token` is a secret: never log it, never send it to the renderer. */
export type AccessToken = {
  token: string;
  /** Epoch ms. */
  expiresAt?: number;
  /** The user the token belongs to, when the provider said (for the SASL user and mismatch checks). */
  username?: string;
  scopes?: string[];
};

/** Refresh this long before expiry so a token handed out survives a slow IMAP login. */
export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Whether a token can still be handed out (the one rule for TokenGate and `token`'s fast path). */
export const isFresh = (token: Pick<AccessToken, 'expiresAt'> | undefined, now: number, marginMs: number = DEFAULT_REFRESH_MARGIN_MS): boolean =>
  token !== undefined && (token.expiresAt === undefined || token.expiresAt - marginMs > now);

/** Where the connection test and the CLI get a token: refreshes as needed, one refresh at a time. */
export interface TokenSource {
  getAccessToken(options?: { signal?: AbortSignal; forceRefresh?: boolean }): Promise<AccessToken>;
}

/** A token source over a fixed token (CLI --token-file, tests). */
export const staticToken = (token: string, extra: Omit<AccessToken, 'token'> = {}): TokenSource => ({
  getAccessToken: async () => ({ token, ...extra }),
});

/** The system clipboard (Electron's clipboard in the app). Absent where there is none (web host). */
export interface ClipboardPort {
  writeText(text: string): void;
}
