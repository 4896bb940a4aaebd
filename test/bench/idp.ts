// The bench's OpenID provider: oidc-provider 9 over HTTPS on 127.0.0.1 with issuer
// https://localhost:<port> (MSAL requires the authority host to equal the issuer host, and clients
// use `localhost`). Own login/consent pages replace devInteractions so that wrong passwords and
// "Deny" behave like a real provider. Accounts and clients are fixed per run; secrets are random.
import { randomBytes, generateKeyPair, type KeyObject } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, {
  type ClientLike,
  type Interaction,
  type KoaLikeContext,
  type ProviderConfiguration,
  type TokenLike,
} from 'oidc-provider';
import { makeBenchAdapter } from './idp-adapter.ts';
import type { Client, User } from './types.ts';

export const MAIL_SCOPES = { imap: 'imap', pop3: 'pop', smtp: 'smtp' } as const;
export const ALL_SCOPES = ['openid', 'email', 'profile', 'offline_access', 'imap', 'pop', 'smtp'];
/** The shared mailbox the `daemon` client has been granted (like Exchange's Add-MailboxPermission). */
export const DAEMON_MAILBOX = 'shared@example.test';
/** The access token lifetime of `native-short`: long enough for one login, short for expiry tests. */
export const SHORT_TTL_S = 3;
const DEFAULT_TTL_S = 3600;

export function makeUsers(): User[] {
  // Random passwords: nothing may depend on a fixed one, tests read them from BenchInfo.
  const pw = (): string => `pw-${randomBytes(6).toString('hex')}`;
  return [
    { address: 'alice@example.test', password: pw(), name: 'Alice Example', login: 'alice@example.test' },
    { address: 'bob@example.test', password: pw(), name: 'Bob Example', login: 'bob@example.test' },
  ];
}

export function makeClients(): Record<string, Client> {
  const secret = (): string => randomBytes(18).toString('base64url');
  const nativeRedirects = ['http://127.0.0.1/callback', 'http://localhost'];
  const list: Client[] = [
    {
      id: 'native-app',
      secret: null,
      authMethod: 'none',
      applicationType: 'native',
      redirectUris: nativeRedirects,
      grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      accessTokenTtl: DEFAULT_TTL_S,
      purpose:
        'Public native client (PKCE S256, no secret), loopback redirects on any port; refresh tokens rotate. ' +
        'MSAL uses http://localhost:<port> with response_mode=form_post.',
    },
    {
      id: 'native-short',
      secret: null,
      authMethod: 'none',
      applicationType: 'native',
      redirectUris: nativeRedirects,
      grantTypes: ['authorization_code', 'refresh_token'],
      accessTokenTtl: SHORT_TTL_S,
      purpose: `Like native-app but access tokens live ${SHORT_TTL_S} s (expiry and refresh tests).`,
    },
    {
      id: 'desktop-secret',
      secret: secret(),
      authMethod: 'client_secret_post',
      applicationType: 'native',
      redirectUris: ['http://127.0.0.1/callback', 'http://localhost'],
      grantTypes: ['authorization_code', 'refresh_token'],
      accessTokenTtl: DEFAULT_TTL_S,
      purpose: 'Google-like "Desktop app": a (non-secret) client_secret sent with client_secret_post AND PKCE.',
    },
    {
      id: 'daemon',
      secret: secret(),
      authMethod: 'client_secret_post',
      applicationType: 'web',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      accessTokenTtl: DEFAULT_TTL_S,
      purpose:
        `Confidential client_credentials client (client_secret_post); its tokens open ${DAEMON_MAILBOX} ` +
        'on IMAP/POP3/SMTP (introspection reports that mailbox as username).',
      mailbox: DAEMON_MAILBOX,
    },
    {
      id: 'dovecot',
      secret: secret(),
      authMethod: 'client_secret_post',
      applicationType: 'web',
      redirectUris: [],
      grantTypes: [],
      accessTokenTtl: DEFAULT_TTL_S,
      purpose: 'Resource server client Dovecot uses for token introspection (not for logins).',
    },
  ];
  return Object.fromEntries(list.map((c) => [c.id, c]));
}

function html(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${html(title)}</title></head><body>${body}</body></html>`;
}

/** Login form. `data-moa` marks the page kind for test/bench/client.ts's loginWithHttp. */
function loginPage(uid: string, clientId: string, error?: string, login = ''): string {
  return page(
    'Sign in',
    `<h1>Sign in to the MOA test provider</h1><p>Client: ${html(clientId)}</p>` +
      (error ? `<p class="error" data-moa-error="${html(error)}">${html(error)}</p>` : '') +
      `<form data-moa="login" method="post" action="/interaction/${html(uid)}/login">` +
      `<input type="email" name="login" value="${html(login)}" autofocus>` +
      `<input type="password" name="password">` +
      `<button type="submit" name="action" value="login">Sign in</button>` +
      `<button type="submit" name="action" value="deny">Deny</button></form>`,
  );
}

function consentPage(uid: string, clientId: string, account: string, scopes: string[]): string {
  return page(
    'Authorize',
    `<h1>Authorize ${html(clientId)}</h1><p>Signed in as ${html(account)}</p>` +
      `<p>Requested: ${scopes.map(html).join(' ')}</p>` +
      `<form data-moa="consent" method="post" action="/interaction/${html(uid)}/confirm">` +
      `<button type="submit" name="action" value="allow">Allow</button>` +
      `<button type="submit" name="action" value="deny">Deny</button></form>`,
  );
}

async function readForm(req: IncomingMessage, limit = 64 * 1024): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** GET over HTTPS with an explicit CA (no global trust store involved). */
export function httpsGetText(url: string, caPem: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = request(url, { ca: caPem, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`GET ${url}: timed out after ${timeoutMs} ms`)));
    r.on('error', reject);
    r.end();
  });
}

/**
 * OIDC Core drops offline_access unless prompt=consent is sent, so the grant (and the refresh
 * token's scope) lacks it, and MSAL's refresh, which asks for offline_access again, then fails
 * with invalid_scope. Entra and Google keep it without a consent prompt: add prompt=consent to
 * such authorization requests (native clients get the consent page anyway).
 */
function keepOfflineAccess(req: IncomingMessage): void {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const scopes = (url.searchParams.get('scope') ?? '').split(' ');
  const prompts = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('offline_access') || prompts.includes('consent') || prompts.includes('none')) return;
  url.searchParams.set('prompt', [...prompts, 'consent'].join(' '));
  req.url = `${url.pathname}${url.search}`;
}

export type GrantInfo = { grantId: string; refreshes: number; revoked: boolean };

export type Idp = {
  issuer: string;
  /** The port the provider itself listens on (the issuer's port, unless `front` put a relay before it). */
  listenPort: number;
  /** The grant of an access token this provider issued, with its refresh and revocation counts. */
  grantInfo(accessToken: string): GrantInfo | undefined;
  server: Server;
  discovery: Record<string, unknown>;
  close(): Promise<void>;
};

export async function startIdp(opts: {
  certPem: string;
  keyPem: string;
  caPem: string;
  users: User[];
  clients: Record<string, Client>;
  log: boolean;
  /** Put something before the provider (the speed benchmark's latency relay): called with the
   * listening port, returns the port clients use; the issuer names that port, so every client
   * (the CLI as a child process too) reaches the provider through it without any rewriting. */
  front?: (listenPort: number) => Promise<number>;
}): Promise<Idp> {
  // Listen first (port 0: the OS picks) because the issuer URL contains the port.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => send(res, 503, 'starting');
  const server = createServer({ cert: opts.certPem, key: opts.keyPem }, (req, res) => handle(req, res));
  // Idle keep-alive sockets must not hold stop() up; a stalled client must not hold a request.
  server.keepAliveTimeout = 2000;
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  const issuer = `https://localhost:${opts.front ? await opts.front(port) : port}`;
  let grantInfo: Idp['grantInfo'] = () => undefined;
  const users = new Map(opts.users.map((u) => [u.address, u]));
  const clients = opts.clients;
  const ttlOf = (clientId: string | undefined): number =>
    (clientId !== undefined ? clients[clientId]?.accessTokenTtl : undefined) ?? DEFAULT_TTL_S;

  // RS256 signing key made per run: RS256 is what openid-client and MSAL expect by default.
  const signingKey = await new Promise<KeyObject>((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv)));
  });
  const jwk = { ...signingKey.export({ format: 'jwk' }), kid: 'bench-rs256', use: 'sig', alg: 'RS256' };

  const configuration: ProviderConfiguration = {
    clients: Object.values(clients).map((c) => ({
      client_id: c.id,
      ...(c.secret !== null ? { client_secret: c.secret } : {}),
      token_endpoint_auth_method: c.authMethod,
      application_type: c.applicationType,
      redirect_uris: c.redirectUris,
      grant_types: c.grantTypes,
      response_types: c.grantTypes.includes('authorization_code') ? ['code'] : [],
      // client_credentials takes its scopes from the client's allow list.
      ...(c.id === 'daemon' ? { scope: 'imap pop smtp' } : {}),
    })),
    adapter: makeBenchAdapter(),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ALL_SCOPES,
    // Scope claims in the ID token too (like Entra): MSAL builds the account from the ID token.
    conformIdTokenClaims: false,
    // preferred_username: MSAL shows it as account.username (Entra sends the UPN there).
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    findAccount: async (_ctx: unknown, id: string) => {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: user.address,
          email_verified: true,
          name: user.name,
          preferred_username: user.address,
        }),
      };
    },
    interactions: { url: (_ctx: unknown, interaction: Interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // Without a default resource, tokens stay opaque with static scopes (no audience binding).
      resourceIndicators: { enabled: false },
      introspection: {
        enabled: true,
        // Dovecot (and confidential clients) may introspect any token; public clients only their own.
        allowedPolicy: async (ctx: KoaLikeContext, client: ClientLike, token: TokenLike) =>
          !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc?.client?.clientId),
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: KoaLikeContext, client: ClientLike, token: TokenLike) =>
          token.clientId === client.clientId,
      },
      clientCredentials: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx: KoaLikeContext, form: string, _out: unknown, err?: Error) => {
          ctx.type = 'html';
          ctx.body = page(
            'Device login',
            (err ? `<p data-moa-error="${html(err.message)}">${html(err.message)}</p>` : '') +
              `<div data-moa="device-input">${form}<button type="submit" form="op.deviceInputForm">Continue</button></div>`,
          );
        },
        userCodeConfirmSource: async (ctx: KoaLikeContext, form: string, client: ClientLike) => {
          ctx.type = 'html';
          ctx.body = page(
            'Device login',
            `<div data-moa="device-confirm"><p>Client ${html(client.clientId)}</p>${form}` +
              `<button type="submit" form="op.deviceConfirmForm">Continue</button>` +
              `<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button></div>`,
          );
        },
        successSource: async (ctx: KoaLikeContext) => {
          ctx.type = 'html';
          ctx.body = page('Device login', '<p data-moa="device-success">Sign-in complete, return to your device.</p>');
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaLikeContext, form: string) => {
          ctx.type = 'html';
          ctx.body = page('Sign out', `<div data-moa="logout">${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></div>`);
        },
      },
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: TokenLike) => ttlOf(token.clientId),
      ClientCredentials: (_ctx: unknown, token: TokenLike) => ttlOf(token.clientId),
      AuthorizationCode: 60,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    // Dovecot matches the login name against `username`; `email` for humans reading introspection.
    extraTokenClaims: async (_ctx: unknown, token: TokenLike) => {
      if (token.kind === 'ClientCredentials') {
        const mailbox = token.clientId !== undefined ? clients[token.clientId]?.mailbox : undefined;
        return mailbox ? { username: mailbox, email: mailbox } : undefined;
      }
      if (token.accountId) return { username: token.accountId, email: token.accountId };
      return undefined;
    },
    // OIDC drops offline_access unless prompt=consent is sent; native apps (MSAL, Thunderbird-like
    // clients) expect a refresh token anyway, as Entra and Google give them.
    issueRefreshToken: async (_ctx: unknown, client: ClientLike, code: TokenLike) =>
      client.grantTypeAllowed('refresh_token') &&
      (client.applicationType === 'native' || (code.scopes?.has('offline_access') ?? false)),
    // Tokens outlive the browser session of the cookie jar, as with a real provider.
    expiresWithSession: async () => false,
    renderError: async (ctx: KoaLikeContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page(
        'Error',
        `<p data-moa-error="${html(out.error ?? 'error')}">${html(out.error ?? 'error')}: ${html(out.error_description ?? '')}</p>`,
      );
    },
    pkce: { required: (_ctx: unknown, client: ClientLike) => client.clientAuthMethod === 'none' },
  };

  const provider = new Provider(issuer, configuration);
  // Grant bookkeeping for concurrency tests (control action `idp-grant`): which grant each issued
  // access token belongs to, how many refresh_token grants succeeded per grant, which grants the
  // provider revoked (e.g. on refresh token reuse).
  const tokenGrant = new Map<string, string>();
  const refreshes = new Map<string, number>();
  const revokedGrants = new Set<string>();
  type GrantCtx = { oidc?: { params?: { grant_type?: unknown }; entities?: { AccessToken?: { jti?: string; grantId?: string } } } };
  provider.on('grant.success', (...args: unknown[]) => {
    const o = (args[0] as GrantCtx | undefined)?.oidc;
    const at = o?.entities?.AccessToken;
    if (at?.jti === undefined || at.grantId === undefined) return;
    tokenGrant.set(at.jti, at.grantId);
    if (o?.params?.grant_type === 'refresh_token') refreshes.set(at.grantId, (refreshes.get(at.grantId) ?? 0) + 1);
  });
  provider.on('grant.revoked', (...args: unknown[]) => {
    if (typeof args[1] === 'string') revokedGrants.add(args[1]);
  });
  grantInfo = (accessToken) => {
    const grantId = tokenGrant.get(accessToken);
    if (grantId === undefined) return undefined;
    return { grantId, refreshes: refreshes.get(grantId) ?? 0, revoked: revokedGrants.has(grantId) };
  };
  if (opts.log) {
    for (const ev of ['grant.error', 'server_error', 'introspection.error', 'revocation.error', 'authorization.error']) {
      provider.on(ev, (...args: unknown[]) => {
        const err = args.find((a) => a instanceof Error);
        console.error(`[idp] ${ev}: ${err instanceof Error ? `${err.message} ${(err as Error & { error_description?: string }).error_description ?? ''}` : ''}`);
      });
    }
  }
  const oidc = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const m = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/.exec(path);
    if (!m) return send(res, 404, page('Not found', '<p>not found</p>'));
    const uid = m[1] ?? '';
    const step = m[2];
    const details = await provider.interactionDetails(req, res);
    const clientId = details.params.client_id;
    if (req.method === 'GET' && step === undefined) {
      if (details.prompt.name === 'login') return send(res, 200, loginPage(uid, clientId));
      const account = details.session?.accountId ?? '';
      return send(res, 200, consentPage(uid, clientId, account, String(details.params.scope ?? '').split(' ')));
    }
    if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));
    const form = await readForm(req);
    if (form.get('action') === 'deny') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
    }
    if (step === 'login') {
      const login = (form.get('login') ?? '').trim().toLowerCase();
      const user = users.get(login);
      if (!user || user.password !== form.get('password')) {
        // Like a real provider: the form again with a message, status 200.
        return send(res, 200, loginPage(uid, clientId, 'Invalid email or password.', login));
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.address } }, { mergeWithLastSubmission: false });
    }
    if (step === 'confirm') {
      const accountId = details.session?.accountId;
      if (!accountId) return send(res, 400, page('Error', '<p data-moa-error="no_session">no session</p>'));
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
        : new provider.Grant({ accountId, clientId });
      const d = details.prompt.details;
      if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
      if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    return send(res, 404, page('Not found', '<p>not found</p>'));
  }

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/auth' && req.method === 'GET') keepOfflineAccess(req);
    if (path.startsWith('/interaction/')) {
      interaction(req, res, path).catch((err: unknown) => {
        // An expired/unknown interaction (e.g. a replayed form) ends here: say so, like a provider.
        const msg = err instanceof Error ? err.message : String(err);
        if (!res.headersSent) send(res, 400, page('Error', `<p data-moa-error="interaction_failed">${html(msg)}</p>`));
        else res.end();
      });
      return;
    }
    oidc(req, res);
  };

  // The discovery document as clients get it (MSAL may take it as authorityMetadata); fetched
  // over real TLS with the test CA, which also proves the listener and certificate work.
  let discovery: Record<string, unknown>;
  try {
    discovery = JSON.parse(
      await httpsGetText(`${issuer}/.well-known/openid-configuration`, opts.caPem, 5000),
    ) as Record<string, unknown>;
  } catch (err) {
    server.closeAllConnections();
    server.close();
    throw err;
  }

  return {
    issuer,
    listenPort: port,
    server,
    discovery,
    grantInfo: (t) => grantInfo(t),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
