// Test-side access to the running bench (imported by test files in child processes of
// test/run.ts): BenchInfo, HTTPS with the test CA, real authorization-code + PKCE logins driven
// over HTTP, token helpers, the control endpoint and the SMTP sink's messages.
//
// The test CA is always passed explicitly: NODE_EXTRA_CA_CERTS points at the system bundle in this
// environment and is read only at process start anyway.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ExchangeDelegatesServer } from './exchange-delegates.ts';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Configuration, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import {
  BenchInfo,
  SinkMessage,
  TokenSet,
  type Client,
  type MalformedListener,
  type MalformedMode,
  type Protocol,
  type Security,
  type User,
} from './types.ts';

export type { BenchInfo, Client, Listener, MailServer, MalformedListener, SinkMessage, TokenSet, User } from './types.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

let cached: BenchInfo | undefined;

/** The running bench's description (file named by MOA_BENCH_INFO, written by test/run.ts). */
export function benchInfo(): BenchInfo {
  if (cached) return cached;
  const file = process.env.MOA_BENCH_INFO;
  if (!file) {
    throw new Error(
      'MOA_BENCH_INFO is not set: run bench tests through `node test/run.ts <file>` (or `npm test`), ' +
        'which starts the bench and sets it; `npm run bench:up` prints an export line for manual runs.',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`MOA_BENCH_INFO=${file} is unreadable: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  cached = BenchInfo.parse(raw);
  return cached;
}

export function benchUser(address = 'alice@example.test'): User {
  const u = benchInfo().users.find((x) => x.address === address);
  if (!u) throw new Error(`no bench user ${address}`);
  return u;
}

export function benchClient(id = 'native-app'): Client {
  const c = benchInfo().clients[id];
  if (!c) throw new Error(`no bench client ${id}`);
  return c;
}

/** The test CA (PEM): pass it as `ca` to tls.connect / https / imapflow / nodemailer. */
export function benchCa(): string {
  return benchInfo().ca.pem;
}

/** TLS options for a mail listener of the bench (CA + the name the server certificate carries). */
export function benchTls(servername = 'localhost'): { ca: string; servername: string; minVersion: 'TLSv1.2' } {
  return { ca: benchCa(), servername, minVersion: 'TLSv1.2' };
}

let agent: HttpsAgent | undefined;
/** An https.Agent that trusts the test CA (and nothing else). */
export function benchHttpsAgent(): HttpsAgent {
  agent ??= new HttpsAgent({ ca: benchCa(), keepAlive: false });
  return agent;
}

export type BenchFetchInit = {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null;
  duplex?: 'half';
  signal?: AbortSignal | null;
  timeoutMs?: number;
  /** Ignored: redirects are never followed (a test looks at every hop). */
  redirect?: string;
};

/**
 * fetch() semantics over node:https with the test CA (global fetch cannot take a CA without the
 * undici package). Never follows redirects. Also usable as openid-client's `customFetch`.
 */
export async function benchFetch(input: string | URL, init: BenchFetchInit = {}): Promise<Response> {
  const url = new URL(input);
  const headers = new Headers(init.headers ?? {});
  let body: Buffer | undefined;
  if (init.body instanceof URLSearchParams) {
    body = Buffer.from(init.body.toString());
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  } else if (typeof init.body === 'string') body = Buffer.from(init.body);
  else if (init.body instanceof Uint8Array) body = Buffer.from(init.body);
  else if (init.body instanceof ArrayBuffer) body = Buffer.from(new Uint8Array(init.body));
  else if (init.body instanceof ReadableStream) body = Buffer.from(await new Response(init.body).arrayBuffer());
  if (body) headers.set('content-length', String(body.length));
  const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outHeaders: Record<string, string> = {};
  headers.forEach((v, k) => {
    outHeaders[k] = v;
  });
  const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
  const signal = AbortSignal.any(signals);
  return new Promise<Response>((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const x of v) h.append(k, x);
          else if (v !== undefined) h.set(k, v);
        }
        const status = res.statusCode ?? 0;
        const nullBody = status === 204 || status === 205 || status === 304;
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: h }));
      });
    };
    const opts = { method: init.method ?? 'GET', headers: outHeaders, signal };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...opts, agent: benchHttpsAgent() }, onResponse)
        : httpRequest(url, opts, onResponse);
    req.on('error', (err: Error) => {
      reject(signal.aborted && err.name === 'AbortError' ? new Error(`${opts.method} ${url.href}: timed out or aborted`, { cause: err }) : err);
    });
    req.end(body);
  });
}

/** MSAL's network client shape over benchFetch (`system.networkClient`), so MSAL trusts the test CA. */
export function benchMsalNetworkClient(): INetworkModule {
  const send = async <T>(method: string, url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const res = await benchFetch(url, {
      method,
      headers: options?.headers ?? {},
      body: options?.body ?? null,
      timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const text = await res.text();
    return { headers, status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>('GET', url, options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
  };
}

/**
 * MSAL configuration for the bench provider (non-Microsoft authority): authority = issuer,
 * knownAuthorities = its host:port (else MSAL calls Microsoft's instance discovery),
 * authorityMetadata = the discovery document (no discovery round trip), protocolMode OIDC,
 * a network client with the test CA. MSAL interactive: pass an openBrowser that calls
 * `loginWithHttp(url, { user, deliver: true })` (MSAL listens on http://localhost:<port>, form_post).
 */
export function benchMsalConfig(clientId = 'native-app'): Configuration {
  const info = benchInfo();
  const client = benchClient(clientId);
  return {
    auth: {
      clientId: client.id,
      ...(client.secret !== null ? { clientSecret: client.secret } : {}),
      authority: info.issuer,
      knownAuthorities: [new URL(info.issuer).host],
      authorityMetadata: JSON.stringify(info.discovery),
    },
    system: { networkClient: benchMsalNetworkClient(), protocolMode: 'OIDC' },
  };
}

// ---------------------------------------------------------------- driving a login over HTTP

export class CookieJar {
  #cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const a of attrs) {
        const [k = '', v = ''] = a.split('=').map((x) => x.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${name}\u0000${path}`;
      if (expired || value === '') this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path });
    }
  }

  /** RFC 6265 path match; most specific path first (oidc-provider has same-name cookies per uid path). */
  header(path: string): string {
    return [...this.#cookies.values()]
      .filter((c) => path === c.path || (path.startsWith(c.path) && (c.path.endsWith('/') || path[c.path.length] === '/')))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return m ? decodeEntities(m[2] ?? m[3] ?? '') : undefined;
}

type Page = { kind: string | undefined; action: string | undefined; method: string; fields: Array<[string, string]>; error: string | undefined };

/** The bits of a provider page a login needs: its marker, its form and the inputs carrying values. */
function parsePage(html: string): Page {
  const formTag = /<form\b[^>]*>/i.exec(html)?.[0] ?? '';
  const marker = /\sdata-moa="([^"]+)"/.exec(html)?.[1];
  const error = /\sdata-moa-error="([^"]*)"/.exec(html)?.[1];
  const fields: Array<[string, string]> = [];
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(m[0], 'name');
    const value = attr(m[0], 'value');
    if (name !== undefined && value !== undefined) fields.push([name, value]);
  }
  return {
    kind: marker,
    action: formTag ? attr(formTag, 'action') : undefined,
    method: (formTag ? attr(formTag, 'method') : undefined)?.toUpperCase() ?? 'GET',
    fields,
    error: error !== undefined ? decodeEntities(error) : undefined,
  };
}

export type LoginOptions = {
  user?: string;
  password?: string;
  /** Press "Deny" on the login page (true / 'login') or on the consent page ('consent'). */
  deny?: boolean | 'login' | 'consent';
  /**
   * Deliver the result to the redirect URI as a browser would: GET it (query response mode) or
   * POST the form (form_post, MSAL). Needed when the app's own loopback server waits for it.
   */
  deliver?: boolean;
  timeoutMs?: number;
};

/** Thrown when the provider keeps the user on its pages (wrong password, bad request...). */
export class LoginError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LoginError';
    this.code = code;
  }
}

export type LoginResult = {
  /** The final redirect to the client (for form_post: the form action with the fields as query). */
  url: URL;
  responseMode: 'query' | 'form_post' | 'page';
  /** code, state, iss / error, error_description, ... as the client receives them. */
  params: URLSearchParams;
};

/**
 * Completes a login started anywhere (an app's authorize URL, MSAL's openBrowser URL, a device
 * flow's verification_uri_complete) by driving the provider's pages over HTTP with a cookie jar:
 * sign-in form (password checked), consent, then the response to the client. Returns the URL the
 * browser would end up at (query mode), or for form_post the form action with the posted fields
 * copied into its query. Throws LoginError if the provider shows an error or refuses the password.
 */
export async function loginWithHttp(authorizeUrl: string | URL, opts: LoginOptions = {}): Promise<URL> {
  return (await loginWithHttpDetailed(authorizeUrl, opts)).url;
}

export async function loginWithHttpDetailed(authorizeUrl: string | URL, opts: LoginOptions = {}): Promise<LoginResult> {
  const info = benchInfo();
  const user = benchUser(opts.user ?? 'alice@example.test');
  const password = opts.password ?? user.password;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const issuer = new URL(info.issuer);
  const jar = new CookieJar();
  const denyAt = opts.deny === true ? 'login' : opts.deny || undefined;
  let url = new URL(authorizeUrl);
  let method = 'GET';
  let body: URLSearchParams | undefined;

  const deliver = async (target: URL, form?: URLSearchParams): Promise<void> => {
    const res = await benchFetch(target, form ? { method: 'POST', body: form, timeoutMs } : { timeoutMs });
    await res.arrayBuffer();
  };

  for (let hop = 0; hop < 30; hop += 1) {
    if (url.origin !== issuer.origin) {
      // Left the provider: this is the redirect to the client.
      if (opts.deliver) await deliver(url);
      return { url, responseMode: 'query', params: url.searchParams };
    }
    const cookie = jar.header(url.pathname);
    const res = await benchFetch(url, {
      method,
      headers: { ...(cookie ? { cookie } : {}), accept: 'text/html' },
      body: body ?? null,
      timeoutMs,
    });
    jar.store(res.headers.getSetCookie());
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const page = parsePage(html);
    const action = page.action !== undefined ? new URL(page.action, url) : undefined;
    if (action && action.origin !== issuer.origin && page.method === 'POST') {
      // form_post response mode: the browser auto-submits these fields to the redirect URI.
      const form = new URLSearchParams(page.fields);
      const out = new URL(action);
      for (const [k, v] of form) out.searchParams.set(k, v);
      if (opts.deliver) await deliver(action, form);
      return { url: out, responseMode: 'form_post', params: form };
    }
    const next = (fields: Array<[string, string]>): void => {
      if (!action) throw new LoginError('no_form', `provider page without a form at ${url.pathname}`);
      url = action;
      method = 'POST';
      body = new URLSearchParams(fields);
    };
    switch (page.kind) {
      case 'login':
        if (page.error) throw new LoginError('invalid_credentials', `login refused: ${page.error}`);
        next([
          ['login', user.address],
          ['password', password],
          ['action', denyAt === 'login' ? 'deny' : 'login'],
        ]);
        continue;
      case 'consent':
        next([['action', denyAt === 'consent' ? 'deny' : 'allow']]);
        continue;
      case 'device-input':
      case 'device-confirm':
        if (page.error) throw new LoginError('device_code', `device code refused: ${page.error}`);
        next(page.fields);
        continue;
      case 'device-success':
      case 'logout':
        return { url, responseMode: 'page', params: new URLSearchParams() };
      default:
        if (action && !page.error && /\.submit\(\)/.test(html)) {
          // A provider page that submits itself (e.g. /device?user_code=...): do what the script does.
          next(page.fields);
          continue;
        }
        throw new LoginError(
          page.error ?? 'unexpected_page',
          `provider answered HTTP ${res.status} at ${url.pathname}: ${page.error ?? html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300)}`,
        );
    }
  }
  throw new LoginError('too_many_redirects', 'login did not finish within 30 hops');
}

// ---------------------------------------------------------------- tokens

export const NATIVE_REDIRECT_URI = 'http://127.0.0.1/callback';

export type PkceStart = { url: URL; verifier: string; state: string; nonce: string; redirectUri: string };

/** An authorization request with PKCE S256, as a native app builds it. */
export function authorizeRequest(opts: { client?: string; scope?: string; redirectUri?: string; extra?: Record<string, string> } = {}): PkceStart {
  const info = benchInfo();
  const client = benchClient(opts.client ?? 'native-app');
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  const nonce = randomBytes(12).toString('base64url');
  const redirectUri = opts.redirectUri ?? NATIVE_REDIRECT_URI;
  const url = new URL(info.endpoints.authorization);
  const params: Record<string, string> = {
    client_id: client.id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: opts.scope ?? info.scopes.all,
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...opts.extra,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url, verifier, state, nonce, redirectUri };
}

async function tokenRequest(client: Client, params: Record<string, string>): Promise<TokenSet> {
  const body = new URLSearchParams({ ...params, client_id: client.id });
  if (client.secret !== null) body.set('client_secret', client.secret);
  const res = await benchFetch(benchInfo().endpoints.token, { method: 'POST', body });
  const json: unknown = await res.json();
  if (!res.ok) {
    const e = json as { error?: string; error_description?: string };
    throw new Error(`token endpoint: HTTP ${res.status} ${e.error ?? ''} ${e.error_description ?? ''}`.trim());
  }
  return TokenSet.parse(json);
}

/**
 * Tokens for `user` through the REAL authorization-code + PKCE flow (login and consent pages
 * driven over HTTP), or client credentials for the `daemon` client. Never log the result.
 */
export async function mintToken(opts: { user?: string; client?: string; scope?: string } = {}): Promise<TokenSet> {
  const client = benchClient(opts.client ?? 'native-app');
  if (client.grantTypes.includes('client_credentials')) {
    return tokenRequest(client, { grant_type: 'client_credentials', scope: opts.scope ?? 'imap pop smtp' });
  }
  const start = authorizeRequest({ client: client.id, ...(opts.scope !== undefined ? { scope: opts.scope } : {}) });
  const callback = await loginWithHttp(start.url, { user: opts.user ?? 'alice@example.test' });
  const p = callback.searchParams;
  if (p.get('error')) throw new Error(`authorization failed: ${p.get('error')} ${p.get('error_description') ?? ''}`);
  if (p.get('state') !== start.state) throw new Error('authorization response state mismatch');
  if (p.get('iss') !== benchInfo().issuer) throw new Error('authorization response iss mismatch');
  const code = p.get('code');
  if (!code) throw new Error('authorization response without code');
  return tokenRequest(client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: start.redirectUri,
    code_verifier: start.verifier,
  });
}

export type DeviceAuthorization = {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval?: number;
};

/** RFC 8628 step 1; complete it with loginWithHttp(verification_uri_complete, { user }). */
export async function startDeviceAuthorization(opts: { client?: string; scope?: string } = {}): Promise<DeviceAuthorization> {
  const client = benchClient(opts.client ?? 'native-app');
  const body = new URLSearchParams({ client_id: client.id, scope: opts.scope ?? benchInfo().scopes.all });
  if (client.secret !== null) body.set('client_secret', client.secret);
  const res = await benchFetch(benchInfo().endpoints.deviceAuthorization, { method: 'POST', body });
  if (!res.ok) throw new Error(`device authorization: HTTP ${res.status}`);
  return (await res.json()) as DeviceAuthorization;
}

/** RFC 8628 token request (one poll). */
export async function pollDeviceToken(deviceCode: string, clientId = 'native-app'): Promise<TokenSet> {
  return tokenRequest(benchClient(clientId), {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: deviceCode,
  });
}

export async function refreshTokens(refreshToken: string, clientId = 'native-app'): Promise<TokenSet> {
  return tokenRequest(benchClient(clientId), { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export async function revokeToken(token: string, clientId = 'native-app', hint?: 'access_token' | 'refresh_token'): Promise<void> {
  const client = benchClient(clientId);
  const body = new URLSearchParams({ token, client_id: client.id, ...(hint ? { token_type_hint: hint } : {}) });
  if (client.secret !== null) body.set('client_secret', client.secret);
  const res = await benchFetch(benchInfo().endpoints.revocation, { method: 'POST', body });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`revocation: HTTP ${res.status}`);
}

/** What Dovecot learns about a token (introspection as the `dovecot` client). */
export async function introspect(token: string): Promise<Record<string, unknown>> {
  const client = benchClient('dovecot');
  const body = new URLSearchParams({ token, client_id: client.id, client_secret: client.secret ?? '' });
  const res = await benchFetch(benchInfo().endpoints.introspection, { method: 'POST', body });
  return (await res.json()) as Record<string, unknown>;
}

// ---------------------------------------------------------------- SASL strings

export function xoauth2(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}

export function oauthbearer(user: string, token: string, host: string, port: number): string {
  return Buffer.from(`n,a=${user},\x01host=${host}\x01port=${port}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}

// ---------------------------------------------------------------- control endpoint and sink

/**
 * Flip a shared knob in the bench process. Actions: ping; idp-state; idp-down (the
 * idpUnavailable Dovecot's IdP answers 503: instant temporary failure, the default), idp-refuse
 * (nothing listens: each login waits for the 2 s introspection timeout), idp-up (works; SIGHUPs
 * that Dovecot so it stops backing off); sink-count; reload-main. Knobs are shared by all test
 * files running in parallel: restore what you change (idp-down).
 */
export async function benchControl(action: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const { url, secret } = benchInfo().control;
  const res = await benchFetch(`${url}/control/${encodeURIComponent(action)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const json = (await res.json()) as { ok?: boolean; result?: unknown; error?: string };
  if (!res.ok || !json.ok) throw new Error(`bench control ${action}: HTTP ${res.status} ${json.error ?? ''}`);
  return json.result;
}

/** Everything the SMTP sink has received so far (all tests' messages: filter by your own marker). */
export function sinkMessages(): SinkMessage[] {
  const text = readFileSync(benchInfo().sink.messagesFile, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => SinkMessage.parse(JSON.parse(l)));
}

/** Waits until a sink message satisfies `match` (relay is asynchronous to the client's 250). */
export async function waitForSinkMessage(match: (m: SinkMessage) => boolean, timeoutMs = 5000): Promise<SinkMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = sinkMessages().find(match);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`no matching message in the SMTP sink after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One of the broken-server listeners. */
export function malformedListener(protocol: Protocol, mode: MalformedMode, security: Extract<Security, 'tls' | 'starttls'> = 'tls'): MalformedListener {
  const l = benchInfo().failures.malformed.find((x) => x.protocol === protocol && x.mode === mode && x.security === security);
  if (!l) throw new Error(`no malformed listener ${protocol}/${mode}/${security}`);
  return l;
}

// ---------------------------------------------------------------- Exchange-like delegates server

/**
 * A scripted Exchange Online (IMAP implicit TLS + SMTP STARTTLS) for shared mailboxes, checking
 * tokens at this bench's IdP the way Dovecot does (exchange-delegates.ts). Each test starts its
 * own with the delegations it needs; close it in an `after`.
 */
export async function startExchangeDelegates(
  delegates: Record<string, { fullAccess?: string[]; sendAs?: string[] }>,
  messages?: Record<string, number>,
): Promise<ExchangeDelegatesServer> {
  const { ExchangeDelegatesServer } = await import('./exchange-delegates.ts');
  const info = benchInfo();
  const resource = benchClient('dovecot');
  return new ExchangeDelegatesServer({
    delegates,
    ...(messages ? { messages } : {}),
    introspection: { url: info.endpoints.introspection, clientId: resource.id, clientSecret: resource.secret ?? '', ca: info.ca.pem },
    tls: { cert: readFileSync(info.serverTls.cert, 'utf8'), key: readFileSync(info.serverTls.key, 'utf8') },
    scopes: { imap: info.scopes.imap, smtp: info.scopes.smtp },
  }).start();
}
